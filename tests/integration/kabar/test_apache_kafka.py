"""Formatting the real broker's storage, with the session's jars and java."""

from pathlib import Path

from kabar.apache_kafka import KafkaCluster, KafkaNode
from tests.fixtures.servers import JAR_CACHE, free_port


def test_a_cluster_id_that_starts_with_a_dash_is_formatted(tmp_path: Path) -> None:
    cluster = KafkaCluster(tmp_path, JAR_CACHE, (KafkaNode(1, free_port(), free_port()),))
    (tmp_path / "cluster-id").write_text("-AbCdEfGhIjKlMnOpQrStu")
    cluster.prepare()
    meta = (cluster.data_dir(cluster.nodes[0]) / "meta.properties").read_text()
    assert "cluster.id=-AbCdEfGhIjKlMnOpQrStu" in meta.splitlines()
