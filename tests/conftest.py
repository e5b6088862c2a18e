"""Shared fixtures: real servers for the session, fresh names for every test.

Integration and e2e tests talk to real Kafka and Elasticsearch, started here on free
loopback ports: Apache Kafka (or noida-db's Kafka with KABAR_TEST_KAFKA=noida-db) and
noida-db's Elasticsearch; or the servers named by KABAR_KAFKA_BOOTSTRAP and KABAR_ES_URL.
"""

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import httpx
import pytest

from kabar.processes import wait_until
from kabar.services.common.settings import KabarSettings
from kabar.stack import (
    describe_local_kafka,
)
from tests.fixtures.kafka import read_topic
from tests.fixtures.servers import LocalServers, external_servers, free_port, kafka_under_test

REPO_ROOT = Path(__file__).resolve().parents[1]
Settings = TypeVar("Settings", bound=KabarSettings)


def pytest_report_header(config: pytest.Config) -> list[str]:
    external = external_servers()
    if external is not None:
        return [f"kafka: external at {external[0]} (KABAR_KAFKA_BOOTSTRAP)"]
    return [f"kafka: {describe_local_kafka(kafka_under_test())}"]


@dataclass(frozen=True)
class Servers:
    kafka_bootstrap: str
    es_url: str
    local: bool


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    external = external_servers()
    if external is not None:
        yield Servers(*external, local=False)
        return
    local = LocalServers(tmp_path_factory.mktemp("servers"), kafka_under_test())
    try:
        local.start()
        yield Servers(local.settings.kafka_bootstrap, local.settings.es_url, local=True)
    finally:
        local.stop()


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
        # one process each: the path production takes, at the cost of one set of models
        "KABAR_EXTRACTION_PROCESSES": "1",
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
        self._terminated = False
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kabar.cli", "serve", name],
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

    def terminate(self) -> None:
        """SIGTERM once, without waiting: stopping several services together takes the
        time of the slowest (each waits out its last fetch), not the sum."""
        if self.process.poll() is None and not self._terminated:
            self._terminated = True
            self.process.terminate()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.terminate()
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
    for service in started:
        service.terminate()
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


@pytest.fixture
def private_servers(tmp_path: Path) -> Iterator[LocalServers]:
    """Servers of one test's own, which it may stop and start again (same data)."""
    if external_servers() is not None:
        pytest.skip("stopping the servers is only done to local ones")
    servers = LocalServers(tmp_path / "private", kafka_under_test())
    servers.start()
    yield servers
    servers.stop()


@pytest.fixture
def private_settings(pipeline: Pipeline, private_servers: LocalServers) -> KabarSettings:
    """Points this test's names, and the services it runs, at its own noida-db."""
    addresses = {
        "kafka_bootstrap": private_servers.settings.kafka_bootstrap,
        "es_url": private_servers.settings.es_url,
    }
    pipeline.env.update({f"KABAR_{name.upper()}": value for name, value in addresses.items()})
    return pipeline.settings_as(KabarSettings, **addresses)
