"""`kabar up`, ingest the samples, search, status, `kabar down`: what `make run` does, on
ports of its own so a running local stack is left alone."""

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from kabar.processes import StackError, cpu_seconds, wait_until
from kabar.services.common.settings import StackSettings
from kabar.stack import describe_local_kafka, down, local_kafka_cluster, noida_process, service_process, up
from tests.fixtures.servers import JAR_CACHE, alive, kafka_under_test

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLES = REPO_ROOT / "samples" / "articles.ndjson"


def kabar(env: dict[str, str], *args: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kabar.cli", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO_ROOT,
    )


def pids_of(state_dir: Path) -> list[int]:
    return [int(p.read_text()) for p in (state_dir / "run").glob("*.pid")]


def push_through_the_api(env: dict[str, str], samples: Path) -> None:
    """The samples again, plus one broken line, through the ingestion service's API, so
    that its per-source and dead-letter metrics have something to say."""
    body = samples.read_bytes() + b"{not json\n"
    response = httpx.post(
        f"http://127.0.0.1:{env['KABAR_INGESTION_PORT']}/v1/articles",
        content=body,
        headers={"content-type": "application/x-ndjson"},
        timeout=60,
    )
    assert response.status_code == 202 and response.json()["rejected"] == 1


# the whole stack at rest, every server and service together, on either broker: measured at
# 0.028 to 0.036 of a core on Apache Kafka on a quiet machine, the broker about half of it
AT_REST_MAX_CORES = 0.05


def check_at_rest(state_dir: Path, budget: float, window_s: float = 30, timeout_s: float = 180) -> None:
    """Nothing ingested any more: within ``timeout_s``, some ``window_s`` of the stack's
    life takes less than ``budget`` of a core.

    A worker whose broker answers empty fetches at once used to ask again at once, and
    each took half a core at rest; a broker that is left alone does little.

    CPU time is read from /proc every 5 s and every window of ``window_s`` is a try. The
    first windows still hold the tail of the last work (a JVM compiles what a burst ran
    for a while after it), and a neighbour's burst makes every process's idle work cost
    more for a while, never less: so the condition is polled until one window passes. A
    stack that keeps itself busy has no such window and fails."""
    pids = {p.stem: int(p.read_text()) for p in (state_dir / "run").glob("*.pid")}
    step_s = 5.0
    steps_per_window = round(window_s / step_s)
    samples: list[tuple[float, dict[str, float]]] = []
    least: dict[str, float] = {}

    def some_window_at_rest() -> bool:
        nonlocal least
        samples.append((time.monotonic(), {name: cpu_seconds(pid) for name, pid in pids.items()}))
        if len(samples) <= steps_per_window:
            return False
        (began, before), (ended, after) = samples[-1 - steps_per_window], samples[-1]
        used = {name: (after[name] - before[name]) / (ended - began) for name in pids}
        if not least or sum(used.values()) < sum(least.values()):
            least = used
        return sum(used.values()) < budget

    with contextlib.suppress(StackError):  # the assertion below says by how much the least window missed
        wait_until(some_window_at_rest, timeout_s, f"a {window_s:.0f} s window under {budget}", step_s)
    each = ", ".join(f"{name} {cores:.4f}" for name, cores in sorted(least.items(), key=lambda x: -x[1]))
    waited = samples[-1][0] - samples[0][0]
    print(f"\nat rest: {sum(least.values()):.4f} cores after {waited:.0f} s: {each}")
    assert sum(least.values()) < budget, (
        f"no {window_s:.0f} s window in {timeout_s:.0f} s under {budget}: {each}"
    )


def check_dashboard_queries(env: dict[str, str]) -> None:
    """Every query of every Grafana panel, template variables filled, evaluated by the real
    Prometheus that `kabar up` started and that scraped the services and the broker: no
    error, some data. The Broker row reads the JMX exporter inside Apache Kafka; on
    noida-db's Kafka, or a broker kabar did not start, nothing scrapes one, so that row
    alone is left out."""
    if shutil.which("prometheus") is None:
        if os.environ.get("CI"):
            raise AssertionError("CI must install prometheus (.ci/run)")
        return
    dashboard = json.loads((REPO_ROOT / "deploy/grafana/dashboards/kabar-pipeline.json").read_text())
    broker_exported = env.get("KABAR_LOCAL_KAFKA") == "apache"
    queries: dict[str, str] = {}
    row = ""
    broker_panels = 0
    for panel in dashboard["panels"]:  # an open row's panels follow it in the list
        if panel["type"] == "row":
            row = panel["title"]
            continue
        if row == "Broker":
            broker_panels += 1
            if not broker_exported:
                continue
        for target in panel["targets"]:
            query = target["expr"].replace("$__rate_interval", "1m").replace("$service", ".*")
            queries[f"{panel['title']} / {target['refId']}"] = query
    assert broker_panels, "no Broker row: the JMX exporter's panels are no longer checked"
    url = f"http://127.0.0.1:{env['KABAR_PROMETHEUS_PORT']}/api/v1/query"
    deadline = time.monotonic() + 90
    empty: dict[str, str] = dict(queries)
    while empty and time.monotonic() < deadline:
        for name, query in list(empty.items()):
            answer = httpx.get(url, params={"query": query}, timeout=10).json()
            assert answer["status"] == "success", f"{name}: {answer}"
            if answer["data"]["result"]:
                del empty[name]
        time.sleep(2)
    assert not empty, f"panels without data: {sorted(empty)}"


@pytest.mark.smoke
def test_up_ingest_search_status_down(tmp_path: Path, port) -> None:  # type: ignore[no-untyped-def]
    if os.environ.get("KABAR_KAFKA_BOOTSTRAP"):
        env = {"KABAR_LOCAL_SERVERS": "false"}
    else:  # a stack of its own on the broker this session tests: `kabar up --kafka KIND`
        env = {
            "KABAR_LOCAL_KAFKA": kafka_under_test(),
            "KABAR_CACHE_DIR": str(JAR_CACHE),
            "KABAR_KAFKA_BOOTSTRAP": f"127.0.0.1:{port()}",
            "KABAR_KAFKA_CONTROLLER_PORT": str(port()),
            "KABAR_KAFKA_METRICS_PORT": str(port()),
            "KABAR_ES_URL": f"http://127.0.0.1:{port()}",
        }
    env |= {
        "KABAR_STATE_DIR": str(tmp_path / "state"),
        "KABAR_DATA_DIR": str(tmp_path / "state" / "faust"),
        "KABAR_PROMETHEUS_PORT": str(port()),
        "KABAR_INGESTION_PORT": str(port()),
        "KABAR_ENRICHMENT_PORT": str(port()),
        "KABAR_INDEXING_PORT": str(port()),
        "KABAR_TRANSLATION_PORT": str(port()),
        "KABAR_TRANSLATION_GROUP": f"stack-{tmp_path.name}-translation",
        "KABAR_ES_INDEX_PREFIX": f"stack-{tmp_path.name.lower()}",
        "KABAR_ENRICHMENT_GROUP": f"stack-{tmp_path.name}-enrichment",
        "KABAR_INDEXING_GROUP": f"stack-{tmp_path.name}-indexing",
    }
    state_dir = tmp_path / "state"
    try:
        up = kabar(env, "up")
        assert up.returncode == 0, up.stdout + up.stderr
        started = pids_of(state_dir)
        assert len(started) >= 4

        again = kabar(env, "up")
        assert again.returncode == 0 and sorted(pids_of(state_dir)) == sorted(started), (
            "a second copy started"
        )

        valid = sum(1 for line in SAMPLES.read_text().splitlines() if line.strip())
        ingest = kabar(env, "ingest", str(SAMPLES.parent), "--wait", "120")
        assert ingest.returncode == 0, ingest.stdout + ingest.stderr
        assert f"indexed {valid}/{valid}" in ingest.stdout

        search = kabar(env, "search", "Jakarta", "--json")
        hits = json.loads(search.stdout)
        assert hits and all({"title", "source", "language"} <= set(h["_source"]) for h in hits)

        push_through_the_api(env, SAMPLES)
        check_dashboard_queries(env)

        status = kabar(env, "status")
        assert status.returncode == 0, status.stdout
        if "KABAR_LOCAL_KAFKA" in env:
            assert f"kafka: {describe_local_kafka(kafka_under_test())}, at " in status.stdout
            check_at_rest(state_dir, AT_REST_MAX_CORES)
        assert (
            f"documents in {env['KABAR_ES_INDEX_PREFIX']}: {valid}" in status.stdout
        )  # pushed copies are duplicates
    finally:
        down = kabar(env, "down")
    assert down.returncode == 0, down.stderr
    assert not [pid for pid in started if alive(pid)], "kabar down left processes behind"
    assert pids_of(state_dir) == []


def quiet(_: str) -> None:
    pass


def test_up_fails_at_once_when_a_service_exits_while_starting(pipeline, port, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """An invalid setting makes the enrichment worker exit on start: `kabar up` says so
    within seconds, with the end of its log, instead of waiting out its ready timeout."""
    env = {
        **pipeline.env,
        "KABAR_LOCAL_SERVERS": "false",  # the session's servers; this is about the services
        "KABAR_STATE_DIR": str(tmp_path / "state"),
        "KABAR_PROMETHEUS_PORT": str(port()),
        "KABAR_READY_TIMEOUT_S": "120",
        "KABAR_DUPLICATE_MAX_DISTANCE": "999",  # only enrichment has it, and it allows 0 to 256
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = StackSettings()
    began = time.monotonic()
    try:
        with pytest.raises(StackError) as failure:
            up(settings, say=quiet)
        took = time.monotonic() - began
    finally:
        down(settings, say=quiet)
    assert took < 30, f"took {took:.0f}s"
    message = str(failure.value)
    log_file = service_process("enrichment").log_file(settings)
    assert message.startswith(f"enrichment exited while starting; the end of its log, {log_file}:")
    assert "duplicate_max_distance" in message, message  # the log's last lines say why
    assert len(message.splitlines()) <= 22, message


@pytest.mark.smoke
def test_up_fails_at_once_when_the_broker_cannot_start(tmp_path: Path, port) -> None:  # type: ignore[no-untyped-def]
    if os.environ.get("KABAR_KAFKA_BOOTSTRAP"):
        pytest.skip("about a local broker")
    with socket.socket() as taken:  # someone else's server on the Kafka port
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        settings = StackSettings(
            state_dir=tmp_path / "state",
            kafka_bootstrap=f"127.0.0.1:{taken.getsockname()[1]}",
            es_url=f"http://127.0.0.1:{port()}",
            prometheus_port=port(),
            ready_timeout_s=120,
            local_kafka=kafka_under_test(),
            cache_dir=JAR_CACHE,
            kafka_controller_port=port(),
            kafka_metrics_port=port(),
        )
        began = time.monotonic()
        try:
            with pytest.raises(StackError) as failure:
                up(settings, say=quiet, services=False)
            took = time.monotonic() - began
        finally:
            down(settings, say=quiet)
    assert took < 30, f"took {took:.0f}s"
    broker = local_kafka_cluster(settings).process(local_kafka_cluster(settings).nodes[0])
    if kafka_under_test() == "noida-db":
        broker = noida_process(settings)
    log_file = broker.log_file(settings)
    message = str(failure.value)
    assert message.startswith(f"{broker.name} exited while starting; the end of its log, {log_file}:"), (
        message
    )
    assert "already in use" in message
