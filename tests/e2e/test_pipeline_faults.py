"""The whole pipeline under a steady stream while a worker, a replica, the broker or the
search server fails.

After each scenario every article the push API accepted is a document exactly once and
every poison record a dead letter with a reason; the balance is printed at the end of the
run (tests/fixtures/ledger.py).
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from kabar.processes import process_tree, wait_until
from kabar.services.common.kafka import ensure_topics, group_members
from kabar.services.common.settings import KabarSettings
from tests.fixtures.fault_proxy import FaultProxy
from tests.fixtures.ledger import SteadyClient, balance, poison_every_topic

WORKERS = ("enrichment", "indexing")


@pytest.mark.parametrize("victim", WORKERS)
def test_a_worker_killed_mid_batch_comes_back_where_it_left_off(pipeline, run_service, victim) -> None:  # type: ignore[no-untyped-def]
    settings = pipeline.settings
    ensure_topics(settings)
    ingestion = run_service("ingestion")
    workers = {name: run_service(name, f"{name}-a") for name in WORKERS}
    client = SteadyClient(ingestion.url, per_second=20)
    with client.running():
        time.sleep(5)
        poison = poison_every_topic(settings)
        time.sleep(1)
        started_by_victim = process_tree(workers[victim].process.pid)[1:]  # enrichment's extractors
        workers[victim].kill()
        wait_until(
            lambda: not any(Path(f"/proc/{pid}").exists() for pid in started_by_victim),
            30,
            f"the processes {victim} started to end with it",
        )
        time.sleep(3)
        run_service(victim, f"{victim}-a")  # the same static member: its partitions come straight back
        time.sleep(5)
    result = balance(settings, f"{victim} SIGKILLed mid-batch, restarted", client.accepted, poison)
    assert result.holds(), result.line()


def kabar(*args: str, env: dict[str, str]) -> str:
    """The CLI's output; it must succeed and say nothing on stderr."""
    done = subprocess.run(
        [sys.executable, "-m", "kabar.cli", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0 and not done.stderr, done.stdout + done.stderr
    return done.stdout


def holders(settings: KabarSettings, group: str, topic: str) -> dict[str, set[str]]:
    """Instance id -> the partitions of ``topic`` it holds."""
    return {
        member.instance_id or member.member_id: {p for p in member.partitions if p.startswith(f"{topic}[")}
        for member in group_members(settings, group)
    }


def wait_for_holders(settings: KabarSettings, group: str, topic: str, instances: set[str]) -> None:
    """Until exactly ``instances`` share ``topic``'s partitions: each holds some, none twice."""
    every = {f"{topic}[{p}]" for p in range(settings.topic_partitions)}

    def settled() -> bool:
        held = holders(settings, group, topic)
        shares = [held.get(instance, set()) for instance in instances]
        return (
            set(held) == instances
            and all(shares)
            and sum(map(len, shares)) == len(every)
            and set().union(*shares) == every
        )

    wait_until(settled, 90, f"{', '.join(sorted(instances))} sharing {topic}")


def test_a_killed_replica_hands_its_partitions_to_the_other(pipeline, run_service) -> None:  # type: ignore[no-untyped-def]
    """The takeover works, the survivors go on, and nothing accepted is lost.

    Replica "a" may die before its first commit, so the survivor takes over partitions
    without a committed offset; a fetch the rebalance made Faust drop must then be read
    again from the start of those partitions, not skipped and committed over
    (services/common/stream.py, RewindingConsumer).
    """
    settings = pipeline.settings
    ensure_topics(settings)
    ingestion = run_service("ingestion")
    replicas = {(name, r): run_service(name, f"{name}-{r}") for name in WORKERS for r in "ab"}
    sources = {
        "enrichment": (settings.enrichment_group, settings.topic_raw),
        "indexing": (settings.indexing_group, settings.topic_enriched),
    }
    for name in WORKERS:
        wait_for_holders(settings, *sources[name], {f"{name}-a", f"{name}-b"})
    members = kabar("group", "indexing", env=pipeline.env)
    assert "2 members in" in members and "indexing-a" in members and "indexing-b" in members
    client = SteadyClient(ingestion.url, per_second=20)
    with client.running():
        time.sleep(5)
        poison = poison_every_topic(settings)
        for name in WORKERS:
            replicas[(name, "a")].kill()
            # what an orchestrator does for a replica that is gone; real Kafka also does it
            # by itself once the session times out
            assert f"removed {name}-a" in kabar("group", name, "--remove", f"{name}-a", env=pipeline.env)
        for name in WORKERS:
            wait_for_holders(settings, *sources[name], {f"{name}-b"})
        time.sleep(2)
        before_takeover = set(client.accepted)
        time.sleep(8)
    after_takeover = client.accepted - before_takeover
    result = balance(
        settings, "a replica of each worker SIGKILLed, the other took over", client.accepted, poison
    )
    assert after_takeover, result.line()
    assert result.holds(), result.line()


def start_pipeline(run_service):  # type: ignore[no-untyped-def]
    """Ingestion, enrichment and indexing, one of each; returns ingestion and indexing."""
    ingestion = run_service("ingestion")
    run_service("enrichment", "enrichment-a")
    return ingestion, run_service("indexing", "indexing-a")


@pytest.mark.parametrize(
    ("server", "seconds", "waiting"), [("kafka", 10, "ingestion"), ("elasticsearch", 30, "indexing")]
)
def test_a_server_stopped_and_restarted_under_load(
    private_settings, private_servers, run_service, server, seconds, waiting
) -> None:  # type: ignore[no-untyped-def]
    settings = private_settings
    ensure_topics(settings)
    services = dict(zip(("ingestion", "indexing"), start_pipeline(run_service), strict=True))
    client = SteadyClient(services["ingestion"].url, per_second=10)
    with client.running():
        time.sleep(5)
        poison = poison_every_topic(settings)
        private_servers.stop_service(server)
        time.sleep(seconds)
        # the stage that needs the server says so, and waits: backpressure, not loss
        assert httpx.get(f"{services[waiting].url}/readyz", timeout=10).status_code == 503
        private_servers.start_service(server)
        time.sleep(10)
    result = balance(settings, f"{server} stopped {seconds} s and restarted", client.accepted, poison)
    assert result.holds(), result.line()


def test_429_and_503_storms_from_the_search_server(pipeline, run_service) -> None:  # type: ignore[no-untyped-def]
    settings = pipeline.settings
    ensure_topics(settings)
    proxy = FaultProxy(settings.es_url, request_faults=[429, 503, 429], item_fault_every=7)
    pipeline.env.update(KABAR_ES_URL=proxy.url, KABAR_BULK_BACKOFF_S="0.05")
    try:
        ingestion, indexing = start_pipeline(run_service)
        client = SteadyClient(ingestion.url, per_second=20)
        with client.running():
            time.sleep(5)
            poison = poison_every_topic(settings)
            time.sleep(10)
        result = balance(settings, "429/503 storms from the search server", client.accepted, poison)
        metrics = httpx.get(f"{indexing.url}/metrics", timeout=5).text
    finally:
        proxy.close()
    assert result.holds(), result.line()
    assert proxy.injected_requests >= 3 and proxy.injected_items > 0
    assert 'kabar_es_bulk_retries_total{reason="status_429",service="indexing"}' in metrics
    assert 'kabar_es_bulk_retries_total{reason="item_status",service="indexing"}' in metrics
