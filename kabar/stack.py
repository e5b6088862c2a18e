"""The local stack behind ``kabar up|down|status``: a broker (noida-db's Kafka or Apache
Kafka), noida-db's Elasticsearch, Prometheus and the services.

Every process it starts gets a pid file under ``.kabar/run``; ``down`` stops exactly
those (after checking the pid still belongs to the command it started), so a real Kafka
or a second checkout on the same machine is never touched.
"""

import json
import shutil
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from importlib.metadata import version
from pathlib import Path

import httpx

from kabar import apache_kafka
from kabar.apache_kafka import KafkaCluster, KafkaNode
from kabar.processes import (
    Process,
    StackError,
    Started,
    http_ok,
    kafka_answers,
    launch,
    port_open,
    running_pid,
    stop,
    wait_started,
)
from kabar.schemas.topics import TopicRole
from kabar.services.common.kafka import ensure_topics, group_lag, topic_counts
from kabar.services.common.package_data import DEPLOY_DIR
from kabar.services.common.settings import SERVICES, LocalKafka, StackSettings
from kabar.services.indexing.index_design import install_with_sync_client, sync_client

PROMETHEUS_CONFIG = DEPLOY_DIR / "prometheus" / "prometheus.yml"


def noida_binary() -> Path:
    try:
        import noida_db
    except ImportError as exc:
        raise StackError(
            "noida-db is not installed: run `make install` (or set KABAR_LOCAL_SERVERS=false)"
        ) from exc
    return Path(noida_db.__file__).parent / "noida-db"


def noida_process(settings: StackSettings, kafka: bool = True) -> Process:
    """noida-db on loopback: Elasticsearch, and its Kafka unless another broker is used."""
    data_dir = (settings.state_dir / "noida").resolve()
    command = [str(noida_binary()), "start", "--data-dir", str(data_dir), "--host", "127.0.0.1"]
    if kafka:
        command += ["--only", "kafka,elasticsearch", "--kafka-port", str(settings.kafka_port)]
    else:
        command += ["--only", "elasticsearch"]
    command += ["--elasticsearch-port", str(settings.es_port)]
    return Process("noida-db", command, str(data_dir))


def local_kafka_cluster(settings: StackSettings) -> KafkaCluster:
    """The one-node Apache Kafka of ``kabar up --kafka apache``, its jars cached in the state dir."""
    node = KafkaNode(1, settings.kafka_port, settings.kafka_controller_port, settings.kafka_metrics_port)
    return KafkaCluster(settings.state_dir / "kafka", settings.cache_dir, (node,))


def broker_file(settings: StackSettings) -> Path:
    """Which broker ``up`` started, for ``status`` and for an ``up`` that asks for the other."""
    return settings.state_dir / "run" / "broker"


def broker_description(settings: StackSettings) -> str:
    """What ``kabar status`` says about the Kafka it talks to."""
    where = f"at {settings.kafka_bootstrap}"
    if not settings.local_servers:
        return f"external, {where}"
    try:
        kind = broker_file(settings).read_text().strip()
    except FileNotFoundError:
        return f"none started by kabar, {where}"
    return f"{describe_local_kafka(kind)}, {where}"  # type: ignore[arg-type]


def describe_local_kafka(kind: LocalKafka) -> str:
    if kind == "apache":
        return apache_kafka.describe()
    return f"noida-db {version('noida-db')} (embedded)"


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
    return Process(name, [sys.executable, "-m", "kabar.cli", "serve", name], f"serve {name}")


def write_prometheus_config(settings: StackSettings) -> None:
    """The shared config, with targets files naming the local services' ports and, on
    Apache Kafka, the broker's JMX exporter."""
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
    brokers = []
    if settings.local_servers and settings.local_kafka == "apache":
        brokers = [{"targets": [f"127.0.0.1:{settings.kafka_metrics_port}"], "labels": {"broker": "1"}}]
    (config_dir / "targets" / "kafka.json").write_text(json.dumps(brokers, indent=2))


def start_servers(settings: StackSettings, started: list[Started], say: Callable[[str], None]) -> None:
    """The broker ``settings.local_kafka`` names and noida-db's Elasticsearch, refusing to
    mix: a stack that runs on one broker must be stopped before ``up`` asks for the other."""
    record = broker_file(settings)
    previous = record.read_text().strip() if record.exists() else None
    apache = settings.local_kafka == "apache"
    if previous not in (None, settings.local_kafka) and _any_running(settings):
        raise StackError(
            f"the local stack runs on {describe_local_kafka(previous)}; "  # type: ignore[arg-type]
            f"run `kabar down` before `kabar up --kafka {settings.local_kafka}`"
        )
    if apache:
        cluster = local_kafka_cluster(settings)
        say(f"preparing {apache_kafka.describe()} (its jars are fetched with mvn the first time)")
        cluster.prepare()
        started.extend(launch(cluster.process(node), settings) for node in cluster.nodes)
    started.append(launch(noida_process(settings, kafka=not apache), settings))
    record.parent.mkdir(parents=True, exist_ok=True)
    record.write_text(settings.local_kafka)
    wait_started(
        started,
        lambda: kafka_answers(settings.kafka_port) and http_ok(settings.es_url),
        settings,
        f"{describe_local_kafka(settings.local_kafka)} and noida-db's Elasticsearch",
    )
    say(f"kafka          {settings.kafka_bootstrap}  ({describe_local_kafka(settings.local_kafka)})")
    say(f"elasticsearch  {settings.es_url}  (noida-db)")


def server_processes(settings: StackSettings) -> list[Process]:
    """Every server process ``up`` may have started, whichever broker it was."""
    cluster = local_kafka_cluster(settings)
    return [*(cluster.process(node) for node in cluster.nodes), noida_process(settings)]


def _any_running(settings: StackSettings) -> bool:
    return any(running_pid(process, settings) is not None for process in server_processes(settings))


def up(settings: StackSettings, say: Callable[[str], None] = print, services: bool = True) -> None:
    """Starts the servers, then (unless ``services`` is false) one replica of each service.

    Each process is watched while it starts: one that exits fails ``up`` at once with the
    end of its log, instead of after ``ready_timeout_s``.
    """
    started: list[Started] = []
    if settings.local_servers:
        start_servers(settings, started, say)
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
    """Services first, so they finish their batches while the broker is still there; all
    at once, since each waits for its consumer's fetch (up to 5 s) to end."""
    services = [service_process(name) for name in SERVICES]
    with ThreadPoolExecutor(len(services)) as stopping:
        stopped = list(stopping.map(lambda process: stop(process, settings), services))
    for process, was_running in zip(services, stopped, strict=True):
        if was_running:
            say(f"stopped {process.name}")
    prometheus = prometheus_process(settings)
    rest = [prometheus] if prometheus is not None else []
    if settings.local_servers:
        rest.extend(server_processes(settings))
    for process in rest:
        if stop(process, settings):
            say(f"stopped {process.name}")
    broker_file(settings).unlink(missing_ok=True)


@dataclass(frozen=True)
class Status:
    kafka: str
    services: dict[str, str]
    topics: dict[str, int]
    lags: dict[str, int]
    documents: int | None


def status_lines(state: Status, settings: StackSettings) -> list[str]:
    """What ``kabar status`` prints."""
    lines = [f"kafka: {state.kafka}", "services"]
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
    kafka = broker_description(settings) + ("" if port_open(settings.kafka_port) else " (not answering)")
    return Status(kafka, services, topics, lags, documents)
