"""Shared fixtures: real servers for the session, fresh names for every test.

Integration and e2e tests talk to real Kafka and Elasticsearch: noida-db started here on
free loopback ports, or the servers named by KABAR_KAFKA_BOOTSTRAP and KABAR_ES_URL.
"""

import os
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import httpx
import pytest

from services.common.settings import KabarSettings, StackSettings
from services.stack import http_ok, noida_process, port_open, start, stop, wait_until
from tests.fixtures.kafka import read_topic

REPO_ROOT = Path(__file__).resolve().parents[1]
Settings = TypeVar("Settings", bound=KabarSettings)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Servers:
    kafka_bootstrap: str
    es_url: str
    local: bool


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    bootstrap, es_url = os.environ.get("KABAR_KAFKA_BOOTSTRAP"), os.environ.get("KABAR_ES_URL")
    if bootstrap and es_url:
        yield Servers(bootstrap, es_url, local=False)
        return
    settings = StackSettings(
        state_dir=tmp_path_factory.mktemp("noida"),
        kafka_bootstrap=f"127.0.0.1:{free_port()}",
        es_url=f"http://127.0.0.1:{free_port()}",
    )
    noida = noida_process(settings)
    start(noida, settings)
    try:
        wait_until(
            lambda: port_open(settings.kafka_port) and http_ok(settings.es_url), 60, "noida-db for the tests"
        )
        yield Servers(settings.kafka_bootstrap, settings.es_url, local=True)
    finally:
        stop(noida, settings)


@dataclass(frozen=True)
class Pipeline:
    """Names unique to one test, as settings and as the environment of its subprocesses."""

    env: dict[str, str]
    settings: KabarSettings
    data_dir: Path

    def settings_as(self, kind: type[Settings], **overrides: object) -> Settings:
        """This test's names in a service's own settings class."""
        return kind(**{**self.settings.model_dump(), "state_dir": self.data_dir / "state", **overrides})


@pytest.fixture
def pipeline(servers: Servers, tmp_path: Path) -> Pipeline:
    suffix = uuid.uuid4().hex[:10]
    env = {
        "KABAR_KAFKA_BOOTSTRAP": servers.kafka_bootstrap,
        "KABAR_ES_URL": servers.es_url,
        "KABAR_TOPIC_RAW": f"test-{suffix}.raw",
        "KABAR_TOPIC_ENRICHED": f"test-{suffix}.enriched",
        "KABAR_TOPIC_DLQ": f"test-{suffix}.dlq",
        "KABAR_TOPIC_DLQ_REPLAYED": f"test-{suffix}.dlq.replayed",
        "KABAR_ENRICHMENT_GROUP": f"test-{suffix}-enrichment",
        "KABAR_INDEXING_GROUP": f"test-{suffix}-indexing",
        "KABAR_ES_INDEX_PREFIX": f"test-{suffix}",
        "KABAR_INGESTION_PORT": str(free_port()),
        "KABAR_ENRICHMENT_PORT": str(free_port()),
        "KABAR_INDEXING_PORT": str(free_port()),
        "KABAR_TRANSLATION_PORT": str(free_port()),
        "KABAR_TOPIC_TRANSLATIONS": f"test-{suffix}.translations",
        "KABAR_TRANSLATION_GROUP": f"test-{suffix}-translation",
        "KABAR_DATA_DIR": str(tmp_path / "faust"),
        "KABAR_BATCH_WITHIN_S": "0.2",
    }
    settings = KabarSettings(**{k.removeprefix("KABAR_").lower(): v for k, v in env.items()})
    return Pipeline(env, settings, tmp_path)


class ServiceProcess:
    """One Kabar service run as `kabar serve NAME` in its own process, like in production."""

    def __init__(self, name: str, pipeline: Pipeline, instance_id: str | None = None):
        """``instance_id`` makes it a static group member, so that it can run beside another
        replica (on its own port) or come back after a kill and take its partitions back."""
        self.name = name
        env = {**os.environ, **pipeline.env}
        if instance_id is not None:
            env.update(KABAR_INSTANCE_ID=instance_id, **{f"KABAR_{name.upper()}_PORT": str(free_port())})
        self.url = f"http://127.0.0.1:{env[f'KABAR_{name.upper()}_PORT']}"
        self.log_path = pipeline.data_dir / f"{instance_id or name}.log"
        self._log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "services.cli", "serve", name],
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            cwd=REPO_ROOT,
        )

    def wait_ready(self, timeout_s: float = 60) -> None:
        def ready() -> bool:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited:\n{self.log_path.read_text()[-3000:]}")
            try:
                return httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(ready, timeout_s, f"{self.name} ready")

    def kill(self) -> None:
        """SIGKILL: no shutdown hook runs, whatever batch is in flight is lost with it."""
        self.process.kill()
        self.process.wait()
        self._log.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


@pytest.fixture
def run_service(pipeline: Pipeline) -> Iterator:
    """Starts services for this test and stops them at its end, whatever happened."""
    started: list[ServiceProcess] = []

    def run(name: str, instance_id: str | None = None) -> ServiceProcess:
        service = ServiceProcess(name, pipeline, instance_id)
        started.append(service)
        service.wait_ready()
        return service

    yield run
    for service in reversed(started):
        service.stop()


@pytest.fixture
def topic_reader(pipeline: Pipeline):  # type: ignore[no-untyped-def]
    return lambda topic, expected, timeout_s=30: read_topic(
        pipeline.settings.kafka_bootstrap, topic, expected, timeout_s
    )


@pytest.fixture
def port():  # type: ignore[no-untyped-def]
    """A callable giving a loopback port that is free right now."""
    return free_port


class PrivateServers:
    """A noida-db of one test's own, which the test may stop and start again (same data)."""

    def __init__(self, state_dir: Path) -> None:
        self.settings = StackSettings(
            state_dir=state_dir,
            kafka_bootstrap=f"127.0.0.1:{free_port()}",
            es_url=f"http://127.0.0.1:{free_port()}",
        )
        self.process = noida_process(self.settings)

    def start(self) -> None:
        start(self.process, self.settings)
        wait_until(
            lambda: port_open(self.settings.kafka_port) and http_ok(self.settings.es_url),
            60,
            "private noida-db",
        )

    def stop(self) -> None:
        stop(self.process, self.settings)

    def stop_service(self, name: str) -> None:
        """Stops one protocol (say elasticsearch) while the other keeps running."""
        self._noida(["stop", name])

    def start_service(self, name: str) -> None:
        self._noida(["start", name])

    def _noida(self, command: list[str]) -> None:
        data_dir = self.process.command[self.process.command.index("--data-dir") + 1]
        subprocess.run(
            [self.process.command[0], *command, "--data-dir", data_dir], check=True, capture_output=True
        )


@pytest.fixture
def private_servers(tmp_path: Path) -> Iterator[PrivateServers]:
    if os.environ.get("KABAR_KAFKA_BOOTSTRAP"):
        pytest.skip("stopping the broker is only done to a local noida-db")
    servers = PrivateServers(tmp_path / "private-noida")
    servers.start()
    yield servers
    servers.stop()


@pytest.fixture
def private_settings(pipeline: Pipeline, private_servers: PrivateServers) -> KabarSettings:
    """Points this test's names, and the services it runs, at its own noida-db."""
    addresses = {
        "kafka_bootstrap": private_servers.settings.kafka_bootstrap,
        "es_url": private_servers.settings.es_url,
    }
    pipeline.env.update({f"KABAR_{name.upper()}": value for name, value in addresses.items()})
    return pipeline.settings_as(KabarSettings, **addresses)
