"""The broker's configuration and the tool output Kabar reads, without starting a broker."""

import subprocess
from pathlib import Path

import pytest

from kabar import apache_kafka
from kabar.apache_kafka import KafkaCluster, KafkaNode, kafka_version
from kabar.benchmark import _consumer_rate
from kabar.processes import StackError


def cluster(nodes: int) -> KafkaCluster:
    return KafkaCluster(
        Path("/tmp/kabar-cluster"),
        Path("/tmp/kabar-cache"),
        tuple(KafkaNode(n, 9000 + n, 9100 + n, 9200 + n) for n in range(1, nodes + 1)),
    )


def test_three_nodes_keep_three_copies_and_need_two_in_sync() -> None:
    three = cluster(3)
    properties = three.properties(three.node(2))
    assert properties["controller.quorum.voters"] == "1@127.0.0.1:9101,2@127.0.0.1:9102,3@127.0.0.1:9103"
    assert properties["node.id"] == "2"
    assert properties["listeners"] == "PLAINTEXT://127.0.0.1:9002,CONTROLLER://127.0.0.1:9102"
    assert properties["default.replication.factor"] == properties["offsets.topic.replication.factor"] == "3"
    assert properties["min.insync.replicas"] == "2"
    assert properties["unclean.leader.election.enable"] == "false"
    assert three.bootstrap == "127.0.0.1:9001,127.0.0.1:9002,127.0.0.1:9003"


def test_one_node_asks_for_no_more_copies_than_it_has() -> None:
    one = cluster(1)
    properties = one.properties(one.nodes[0])
    assert properties["default.replication.factor"] == properties["min.insync.replicas"] == "1"


def test_each_node_of_a_cluster_is_its_own_process_with_the_exporter_on_its_port() -> None:
    three = cluster(3)
    process = three.process(three.node(3))
    assert process.name == "kafka-3"
    assert process.marker == str(three.config_file(three.node(3)))
    assert any(part.startswith("-javaagent:") and ":9203:" in part for part in process.command)
    assert cluster(1).process(cluster(1).nodes[0]).name == "kafka"


def test_the_pinned_version_is_the_pom_s() -> None:
    assert kafka_version().startswith("4.")
    assert apache_kafka.describe() == f"Apache Kafka {kafka_version()} (KRaft)"


@pytest.mark.parametrize(
    ("printed", "major"),
    [
        ('openjdk version "17.0.15" 2025-04-15\n', 17),
        ('openjdk version "25" 2025-09-16\n', 25),
        ('java version "1.8.0_402"\n', 8),
        ("no version here\n", None),
    ],
)
def test_java_major_version(monkeypatch: pytest.MonkeyPatch, printed: str, major: int | None) -> None:
    def run(*args: object, **kwargs: object) -> subprocess.CompletedProcess[str]:
        return subprocess.CompletedProcess([], 0, stdout="", stderr=printed)

    monkeypatch.setattr(subprocess, "run", run)
    assert apache_kafka.java_major("java") == major


def test_without_java_the_error_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setattr(apache_kafka.shutil, "which", lambda name, path=None: None)
    with pytest.raises(StackError) as missing:
        apache_kafka.require_tools()
    assert "java and mvn" in str(missing.value) and apache_kafka.INSTALL_HINT in str(missing.value)


CONSUMER_PERFORMANCE = """\
start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, \
fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
2026-12-07 14:10:26:672, 2026-12-07 14:10:28:763, 17.1661, 8.2096, 6000, 2869.4405, 423, 1668, 10.2914, 3597.1223
"""


def test_the_consumer_tool_s_rate_is_its_summary_row_s() -> None:
    assert _consumer_rate(CONSUMER_PERFORMANCE, 6000) == pytest.approx(2869.4405)


def test_a_consumer_tool_run_that_read_too_little_is_an_error() -> None:
    with pytest.raises(StackError, match="read 6000 of 7000"):
        _consumer_rate(CONSUMER_PERFORMANCE, 7000)


def test_the_jar_cache_is_absolute_whatever_the_setting_says() -> None:
    """Maven resolves a relative output folder against the pom's folder, not the caller's:
    a relative cache (the default, .kabar/cache) once sent the jars under deploy/kafka/."""
    jars = apache_kafka.jar_paths(Path(".kabar/cache"))
    assert Path(jars.classpath).is_absolute() and jars.agent.is_absolute()
    assert (
        Path(jars.classpath).parent == Path.cwd() / ".kabar" / "cache" / f"kafka-{kafka_version()}" / "libs"
    )
