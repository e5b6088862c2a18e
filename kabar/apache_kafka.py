"""Apache Kafka from Maven Central: the broker under ``kabar up --kafka apache``, the tests
and the benchmark.

The version is pinned once, in deploy/kafka/pom.xml. Its jars are copied by ``mvn`` into
``<cache>/kafka-<version>/`` the first time and reused after that. A cluster is one or
more combined broker-and-controller nodes (KRaft) on loopback, each with its own
``server.properties``, data folder and pid file; the Prometheus JMX exporter runs inside
each node as a java agent when the node has a metrics port.
"""

import base64
import os
import re
import shutil
import subprocess
import sys
import uuid
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from pathlib import Path

from kabar.processes import Process, StackError
from kabar.schemas.limits import RECORD_MAX_BYTES
from kabar.services.common.package_data import DEPLOY_DIR

KAFKA_DEPLOY = DEPLOY_DIR / "kafka"
POM = KAFKA_DEPLOY / "pom.xml"
LOGGING_CONFIG = KAFKA_DEPLOY / "log4j2.properties"
JMX_EXPORTER_CONFIG = KAFKA_DEPLOY / "jmx-exporter.yml"
AGENT_ARTIFACT = "jmx_prometheus_javaagent"
JAVA_MIN_MAJOR = 17  # Kafka 4 runs on Java 17 or newer
INSTALL_HINT = "apt-get update && apt-get install -y default-jdk-headless maven"
# the distribution's kafka-server-start.sh starts the broker with 1 GB; a loopback broker
# for tests and a laptop needs less, and three of them must fit beside everything else
HEAP_OPTIONS = ("-Xms256m", "-Xmx512m")


def pom_property(name: str) -> str:
    namespace = {"m": "http://maven.apache.org/POM/4.0.0"}
    found = ElementTree.parse(POM).find(f"m:properties/m:{name}", namespace)
    if found is None or not found.text:
        raise StackError(f"{POM} sets no <{name}>")
    return found.text.strip()


def kafka_version() -> str:
    return pom_property("kafka.version")


def describe() -> str:
    """How the tests, ``kabar status`` and the benchmark name this broker."""
    return f"Apache Kafka {kafka_version()} (KRaft)"


def java_major(java: str) -> int | None:
    """The major version ``java -version`` reports (``17.0.15`` -> 17, ``1.8.0`` -> 8)."""
    try:
        printed = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30).stderr
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r'version "(\d+)(?:\.(\d+))?', printed)
    if match is None:
        return None
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major


def _java() -> str:
    """JAVA_HOME's java if set, else the one on PATH (as Kafka's own start scripts choose)."""
    java_home = os.environ.get("JAVA_HOME")
    found = (java_home and shutil.which("java", path=os.path.join(java_home, "bin"))) or shutil.which("java")
    return found or "java"


def require_tools() -> str:
    """The ``java`` to run the broker with; stops at once, saying how to install what is missing."""
    java: str | None = _java()
    if java == "java":
        java = None
    missing = [name for name, found in (("java", java), ("mvn", shutil.which("mvn"))) if found is None]
    if missing:
        raise StackError(
            f"Apache Kafka needs {' and '.join(missing)}, which this machine lacks: {INSTALL_HINT}"
        )
    assert java is not None
    major = java_major(java)
    if major is None or major < JAVA_MIN_MAJOR:
        raise StackError(
            f"Apache Kafka {kafka_version()} needs Java {JAVA_MIN_MAJOR} or newer, {java} is "
            f"{major or 'unknown'}: {INSTALL_HINT}, or point JAVA_HOME at a newer JDK"
        )
    return java


@dataclass(frozen=True)
class Jars:
    classpath: str
    agent: Path


def jar_paths(cache: Path) -> Jars:
    """Where ``fetch_jars`` puts the pinned version's jars under ``cache``."""
    home = cache.resolve() / f"kafka-{kafka_version()}"
    agent = home / "agent" / f"{AGENT_ARTIFACT}-{pom_property('jmx.exporter.version')}.jar"
    return Jars(classpath=f"{home / 'libs'}/*", agent=agent)


def fetch_jars(cache: Path) -> Jars:
    """Copies the pinned broker's jars from Maven (via ~/.m2) into ``cache`` the first time.

    Two copies of the dependency list: the broker's classpath, and the JMX exporter, which
    is a java agent with its own shaded libraries and must stay off that classpath.
    """
    # absolute: Maven resolves a relative output directory against the pom's folder
    home = cache.resolve() / f"kafka-{kafka_version()}"
    libs, agents, done = home / "libs", home / "agent", home / ".complete"
    if not done.exists():
        require_tools()
        shutil.rmtree(home, ignore_errors=True)
        for folder, selection in ((libs, "-DexcludeArtifactIds"), (agents, "-DincludeArtifactIds")):
            command = [
                "mvn", "-q", "-B", "-f", str(POM), "dependency:copy-dependencies",
                f"-DoutputDirectory={folder}", f"{selection}={AGENT_ARTIFACT}", "-DincludeScope=runtime",
            ]  # fmt: skip
            fetched = subprocess.run(command, capture_output=True, text=True)
            if fetched.returncode != 0:
                raise StackError(
                    f"could not fetch Apache Kafka {kafka_version()} with Maven:\n"
                    f"{(fetched.stdout + fetched.stderr)[-3000:]}"
                )
        done.touch()
    return jar_paths(cache)


@dataclass(frozen=True)
class KafkaNode:
    node_id: int
    port: int
    controller_port: int
    metrics_port: int | None = None


@dataclass(frozen=True)
class KafkaCluster:
    """Nodes that are each broker and controller, on loopback; ``home`` holds their configs
    and data, ``cache`` the jars (shared between clusters)."""

    home: Path
    cache: Path
    nodes: tuple[KafkaNode, ...]

    @property
    def bootstrap(self) -> str:
        return ",".join(f"127.0.0.1:{node.port}" for node in self.nodes)

    @property
    def replicas(self) -> int:
        return len(self.nodes)

    def node(self, node_id: int) -> KafkaNode:
        return next(node for node in self.nodes if node.node_id == node_id)

    def config_file(self, node: KafkaNode) -> Path:
        return self.home / f"node-{node.node_id}" / "server.properties"

    def data_dir(self, node: KafkaNode) -> Path:
        return self.home / f"node-{node.node_id}" / "data"

    def properties(self, node: KafkaNode) -> dict[str, str]:
        voters = ",".join(f"{n.node_id}@127.0.0.1:{n.controller_port}" for n in self.nodes)
        # internal topics as durable as the cluster allows: 3 copies, 2 in sync, on 3 nodes
        replicas = str(min(self.replicas, 3))
        in_sync = str(min(self.replicas, 2))
        return {
            "process.roles": "broker,controller",
            "node.id": str(node.node_id),
            "controller.quorum.voters": voters,
            "listeners": f"PLAINTEXT://127.0.0.1:{node.port},CONTROLLER://127.0.0.1:{node.controller_port}",
            "advertised.listeners": f"PLAINTEXT://127.0.0.1:{node.port}",
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "PLAINTEXT",
            "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "log.dirs": str(self.data_dir(node).resolve()),
            "num.partitions": "3",
            "default.replication.factor": replicas,
            "min.insync.replicas": in_sync,
            "offsets.topic.replication.factor": replicas,
            # 50 by default: creating them all on a loopback broker delays its first group
            "offsets.topic.num.partitions": "10",
            "transaction.state.log.replication.factor": replicas,
            "transaction.state.log.min.isr": in_sync,
            "share.coordinator.state.topic.replication.factor": replicas,
            "share.coordinator.state.topic.min.isr": in_sync,
            "auto.create.topics.enable": "false",
            # a consumer group that forms starts at once instead of waiting 3 s for more members
            "group.initial.rebalance.delay.ms": "0",
            "unclean.leader.election.enable": "false",
            # a loopback broker for one machine's stack: each request handler and network
            # thread wakes about three times a second when idle (8 and 3 by default)
            "num.io.threads": "2",
            "num.network.threads": "1",
            "message.max.bytes": str(RECORD_MAX_BYTES),
            "replica.fetch.max.bytes": str(RECORD_MAX_BYTES),
            **(self._alone() if len(self.nodes) == 1 else self._together()),
        }

    @staticmethod
    def _together() -> dict[str, str]:
        # the active controller appends a no-op record to the metadata log this often when
        # nothing else happens (500 ms by default): the main cost of a broker at rest
        return {"metadata.max.idle.interval.ms": "5000"}

    @staticmethod
    def _alone() -> dict[str, str]:
        """A node that is its own controller. In a cluster the heartbeat and session keep
        Kafka's defaults (2 s and 9 s), since a killed node's partitions stay leaderless
        until its session ends; alone, the heartbeat only tells its own controller that it
        lives, no follower watches for the controller's no-op records, and there is no
        other node to hand leadership to before it stops."""
        return {
            "metadata.max.idle.interval.ms": "30000",
            "broker.heartbeat.interval.ms": "6000",
            "broker.session.timeout.ms": "18000",
            "controlled.shutdown.enable": "false",
        }

    def prepare(self) -> Jars:
        """Jars fetched, a config per node written, and each node's storage formatted once
        (all with the same cluster id, which is kept in ``home``)."""
        java = require_tools()
        jars = fetch_jars(self.cache)
        self.home.mkdir(parents=True, exist_ok=True)
        id_file = self.home / "cluster-id"
        if not id_file.exists():
            id_file.write_text(_kafka_uuid())
        cluster_id = id_file.read_text().strip()
        for node in self.nodes:
            config = self.config_file(node)
            config.parent.mkdir(parents=True, exist_ok=True)
            config.write_text("".join(f"{key}={value}\n" for key, value in self.properties(node).items()))
            if (self.data_dir(node) / "meta.properties").exists():
                continue
            formatted = subprocess.run(
                [java, *self._java_options(), "-cp", jars.classpath, "kafka.tools.StorageTool",
                 "format", f"--cluster-id={cluster_id}", "--config", str(config)],
                capture_output=True, text=True,
            )  # fmt: skip
            if formatted.returncode != 0:
                raise StackError(
                    f"could not format {self.data_dir(node)}:\n{formatted.stdout}{formatted.stderr}"
                )
        return jars

    def process(self, node: KafkaNode, name: str = "kafka") -> Process:
        """The node's ``java`` process; the config path in its command line is the marker.
        Building it needs neither the jars nor java (``down`` builds it to find the pid);
        starting it needs ``prepare`` first."""
        jars = jar_paths(self.cache)
        agent = []
        if node.metrics_port is not None:
            agent = [f"-javaagent:{jars.agent}=127.0.0.1:{node.metrics_port}:{JMX_EXPORTER_CONFIG}"]
        config = str(self.config_file(node))
        command = [
            _java(), *HEAP_OPTIONS, *self._java_options(), *agent,
            "-cp", jars.classpath, "kafka.Kafka", config,
        ]  # fmt: skip
        suffix = "" if len(self.nodes) == 1 else f"-{node.node_id}"
        return Process(f"{name}{suffix}", command, config)

    @staticmethod
    def _java_options() -> list[str]:
        # tuned for a loopback broker that mostly waits: the serial collector and the
        # quick JIT compiler alone took a broker at rest from 0.025 to 0.016 of a core
        # (measured here); a production broker keeps Kafka's G1 and full JIT (compose)
        return [
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-Djava.awt.headless=true",
            # no shared performance counters (jstat's source), which the JVM samples every 50 ms
            "-XX:-UsePerfData",
            f"-Dlog4j2.configurationFile={LOGGING_CONFIG}",
        ]


def _kafka_uuid() -> str:
    """A cluster id as Kafka's storage tool makes one: 16 random bytes, base64 without padding.
    One in 64 starts with ``-``, which the tool would read as an option unless joined with ``=``."""
    return base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")


def main() -> None:
    """``make kafka``: check java and mvn, and fetch the pinned broker's jars if not cached."""
    from kabar.services.common.settings import StackSettings

    cache = StackSettings().cache_dir
    try:
        require_tools()  # even with the jars cached: the broker needs java to run
        jars = fetch_jars(cache)
    except StackError as exc:
        sys.exit(f"kabar: {exc}")
    print(f"{describe()}: jars in {Path(jars.classpath).parent}, java {java_major(_java())}")


if __name__ == "__main__":
    main()
