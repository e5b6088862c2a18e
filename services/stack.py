"""The local stack behind ``kabar up|down|status``: noida-db, Prometheus and the services.

Every process it starts gets a pid file under ``.kabar/run``; ``down`` stops exactly
those (after checking the pid still belongs to the command it started), so a real Kafka
or a second checkout on the same machine is never touched.
"""

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import httpx

from schemas.topics import TopicRole
from services.common.kafka import ensure_topics, group_lag, topic_counts
from services.common.settings import SERVICES, StackSettings
from services.indexing.index_design import install_with_sync_client, sync_client

REPO_ROOT = Path(__file__).resolve().parents[1]
PROMETHEUS_CONFIG = REPO_ROOT / "deploy" / "prometheus" / "prometheus.yml"


class StackError(RuntimeError):
    """Something the user has to act on; the message says what."""


@dataclass(frozen=True)
class Process:
    name: str
    command: list[str]
    marker: str  # a string the process's command line must contain to be ours

    def pid_file(self, settings: StackSettings) -> Path:
        return settings.state_dir / "run" / f"{self.name}.pid"

    def log_file(self, settings: StackSettings) -> Path:
        return settings.state_dir / "logs" / f"{self.name}.log"


def noida_binary() -> Path:
    try:
        import noida_db
    except ImportError as exc:
        raise StackError(
            "noida-db is not installed: run `make install` (or set KABAR_LOCAL_SERVERS=false)"
        ) from exc
    return Path(noida_db.__file__).parent / "noida-db"


def noida_process(settings: StackSettings) -> Process:
    data_dir = (settings.state_dir / "noida").resolve()
    command = [
        str(noida_binary()),
        "start",
        "--data-dir",
        str(data_dir),
        "--host",
        "127.0.0.1",
        "--only",
        "kafka,elasticsearch",
        "--kafka-port",
        str(settings.kafka_port),
        "--elasticsearch-port",
        str(settings.es_port),
    ]
    return Process("noida-db", command, str(data_dir))


def prometheus_process(settings: StackSettings) -> Process | None:
    binary = shutil.which("prometheus")
    if binary is None:
        return None
    config_dir = (settings.state_dir / "prometheus").resolve()
    command = [
        binary,
        f"--config.file={config_dir / 'prometheus.yml'}",
        f"--web.listen-address=127.0.0.1:{settings.prometheus_port}",
        f"--storage.tsdb.path={config_dir / 'data'}",
    ]
    return Process("prometheus", command, str(config_dir))


def service_process(name: str) -> Process:
    return Process(name, [sys.executable, "-m", "services.cli", "serve", name], f"serve {name}")


def running_pid(process: Process, settings: StackSettings) -> int | None:
    """The pid from the pid file if that process is alive and is still the one we started."""
    pid_file = process.pid_file(settings)
    try:
        pid = int(pid_file.read_text().strip())
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except (FileNotFoundError, ValueError, ProcessLookupError):
        return None
    return pid if process.marker in cmdline else None


def start(process: Process, settings: StackSettings, env: dict[str, str] | None = None) -> int:
    """Starts the process in its own session unless it already runs; returns its pid."""
    pid = running_pid(process, settings)
    if pid is not None:
        return pid
    log_file = process.log_file(settings)
    log_file.parent.mkdir(parents=True, exist_ok=True)
    process.pid_file(settings).parent.mkdir(parents=True, exist_ok=True)
    with log_file.open("ab") as log:
        child = subprocess.Popen(
            process.command,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            cwd=REPO_ROOT,
            env={**os.environ, **(env or {})},
        )
    process.pid_file(settings).write_text(str(child.pid))
    return child.pid


def stop(process: Process, settings: StackSettings, grace_s: float = 60.0) -> bool:
    """SIGTERM, then SIGKILL after ``grace_s``; noida-db needs the grace to save its data."""
    pid = running_pid(process, settings)
    process.pid_file(settings).unlink(missing_ok=True)
    if pid is None:
        return False
    os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.2)
    if _alive(pid):
        os.killpg(pid, signal.SIGKILL)
    return True


def _alive(pid: int) -> bool:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reaps it when it is a child of this very process
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


@dataclass(frozen=True)
class Started:
    """A process ``up`` started (or found running), and where its log stood before."""

    process: Process
    pid: int
    log_offset: int

    def exited(self, settings: StackSettings, lines: int = 20) -> StackError:
        """The error for a process that died while starting, with the end of its log."""
        log_file = self.process.log_file(settings)
        try:
            with log_file.open("rb") as log:
                log.seek(self.log_offset)
                written = log.read().decode(errors="replace")
        except FileNotFoundError:
            written = ""
        tail = "\n".join(f"    {line}" for line in written.splitlines()[-lines:]) or "    (nothing)"
        return StackError(
            f"{self.process.name} exited while starting; the end of its log, {log_file}:\n{tail}\n"
            "fix the cause and run `kabar up` again (`kabar down` stops what did start)"
        )


def launch(process: Process, settings: StackSettings, env: dict[str, str] | None = None) -> Started:
    """``start``, remembering how long the log was, so that a failure shows only this run's lines."""
    log_file = process.log_file(settings)
    log_offset = log_file.stat().st_size if log_file.exists() else 0
    return Started(process, start(process, settings, env), log_offset)


def wait_started(
    started: list[Started], check: Callable[[], bool], settings: StackSettings, what: str
) -> None:
    """``wait_until`` ``check`` holds, but fails at once when one of ``started`` has exited."""

    def ready() -> bool:
        ok = check()
        for one in started:
            if not _alive(one.pid):
                raise one.exited(settings)
        return ok

    wait_until(ready, settings.ready_timeout_s, what)


def wait_until(check: Callable[[], bool], timeout_s: float, what: str, poll_s: float = 0.5) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(poll_s)
    raise StackError(f"timed out after {timeout_s:.0f}s waiting for {what}")


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def http_ok(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def write_prometheus_config(settings: StackSettings) -> None:
    """The shared config, with a targets file naming the local services' ports."""
    config_dir = settings.state_dir / "prometheus"
    (config_dir / "targets").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(PROMETHEUS_CONFIG, config_dir / "prometheus.yml")
    shutil.copytree(PROMETHEUS_CONFIG.parent / "rules", config_dir / "rules", dirs_exist_ok=True)
    targets = [
        {
            "targets": [f"{settings.service_host}:{settings.service_port(name)}"],
            "labels": {"service": name},
        }
        for name in SERVICES
    ]
    (config_dir / "targets" / "services.json").write_text(json.dumps(targets, indent=2))


def up(settings: StackSettings, say: Callable[[str], None] = print, services: bool = True) -> None:
    """Starts the servers, then (unless ``services`` is false) one replica of each service.

    Each process is watched while it starts: one that exits fails ``up`` at once with the
    end of its log, instead of after ``ready_timeout_s``.
    """
    started: list[Started] = []
    if settings.local_servers:
        started.append(launch(noida_process(settings), settings))
        wait_started(
            started,
            lambda: port_open(settings.kafka_port) and http_ok(settings.es_url),
            settings,
            "noida-db (Kafka and Elasticsearch)",
        )
        say(f"kafka          {settings.kafka_bootstrap}")
        say(f"elasticsearch  {settings.es_url}")
    created = ensure_topics(settings)
    if created:
        say(f"created topics {', '.join(created)}")
    install_with_sync_client(settings)
    prometheus = prometheus_process(settings)
    if prometheus is not None:
        write_prometheus_config(settings)
        started.append(launch(prometheus, settings))
        prometheus_url = f"http://127.0.0.1:{settings.prometheus_port}"
        wait_started(started, partial(http_ok, f"{prometheus_url}/-/ready"), settings, "prometheus")
        say(f"prometheus     {prometheus_url}")
    else:
        say("prometheus     not installed (apt-get install prometheus), skipped")
    if not services:
        return
    for name in SERVICES:
        # one replica each: a restarted worker takes its partitions straight back
        started.append(launch(service_process(name), settings, env={"KABAR_INSTANCE_ID": f"{name}-local"}))
    for name in SERVICES:
        url = settings.service_url(name)
        wait_started(started, partial(http_ok, f"{url}/readyz"), settings, f"{name} at {url}/readyz")
        say(f"{name:<14} {url}  metrics {url}/metrics  (/healthz /readyz)")


def down(settings: StackSettings, say: Callable[[str], None] = print) -> None:
    """Services first, so they finish their batches while the broker is still there."""
    processes = [service_process(name) for name in SERVICES]
    prometheus = prometheus_process(settings)
    if prometheus is not None:
        processes.append(prometheus)
    if settings.local_servers:
        processes.append(noida_process(settings))
    for process in processes:
        if stop(process, settings):
            say(f"stopped {process.name}")


@dataclass(frozen=True)
class Status:
    services: dict[str, str]
    topics: dict[str, int]
    lags: dict[str, int]
    documents: int | None


def status_lines(state: Status, settings: StackSettings) -> list[str]:
    """What ``kabar status`` prints."""
    lines = ["services"]
    for name, health in state.services.items():
        if name == "translation" and settings.translation_backend == "none":
            # ready all the same: it marks each article instead of translating it
            health += (
                "  (no model configured, KABAR_TRANSLATION_BACKEND=none: "
                "articles are indexed with translation_status no_model)"
            )
        lines.append(f"  {name:<12} {health}")
    lines.append("topics (messages retained)")
    lines.extend(f"  {topic:<20} {count}" for topic, count in state.topics.items())
    lines.append("consumer lag")
    lines.extend(f"  {group:<40} {lag}" for group, lag in state.lags.items())
    documents = "elasticsearch unreachable" if state.documents is None else state.documents
    lines.append(f"documents in {settings.es_alias}: {documents}")
    return lines


def status(settings: StackSettings) -> Status:
    services: dict[str, str] = {}
    for name in SERVICES:
        try:
            response = httpx.get(f"{settings.service_url(name)}/readyz", timeout=2)
            services[name] = response.json().get("status", str(response.status_code))
        except httpx.HTTPError:
            services[name] = "down"
    topics: dict[str, int] = {}
    lags: dict[str, int] = {}
    if port_open(settings.kafka_port):
        names = [settings.topic(role) for role in TopicRole]
        topics = {c.topic: c.messages for c in topic_counts(settings, names)}
        consumers = (
            (settings.enrichment_group, settings.topic_raw),
            (settings.translation_group, settings.topic_enriched),
            (settings.indexing_group, settings.topic_enriched),
            (settings.indexing_group, settings.topic_translations),
        )
        for group, topic in consumers:
            lags[f"{group} on {topic}"] = group_lag(settings, group, topic).lag
    documents = None
    if http_ok(settings.es_url):
        with sync_client(settings) as es:
            if es.indices.exists_alias(name=settings.es_alias):
                documents = int(es.count(index=settings.es_alias)["count"])
            else:
                documents = 0
    return Status(services, topics, lags, documents)
