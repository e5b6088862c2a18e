"""The whole pipeline under a steady stream while a three-node Kafka cluster loses a node:
the leader of the busiest partition or the active controller SIGKILLed, or every node
restarted in turn.

The topics have three replicas and need two in sync (acks=all, idempotent producers), so
one node away must cost neither an accepted article nor a document twice. After each
scenario the cluster is whole again, every accepted article is a document exactly once,
every poison record a dead letter, and every consumer group has caught up; the balance
is printed at the end of the run (tests/fixtures/ledger.py).
"""

from collections.abc import Callable, Iterator

import pytest
from kafka import TopicPartition
from kafka.errors import KafkaError

from kabar.processes import wait_until
from kabar.schemas.topics import TopicRole
from kabar.services.common.kafka import consumer, ensure_topics, partition_lags
from kabar.services.common.settings import KabarSettings
from tests.fixtures.ledger import SteadyClient, balance, poison_every_topic
from tests.fixtures.servers import LocalCluster

WORKERS = ("enrichment", "indexing")
REPLICAS, IN_SYNC = 3, 2
# articles the pipeline must accept on two nodes before the third comes back
WHILE_DEGRADED = 100


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCluster]:
    local = LocalCluster(tmp_path_factory.mktemp("cluster"))
    try:
        local.start_all()
        yield local
    finally:
        local.discard()


@pytest.fixture
def on_cluster(cluster: LocalCluster, pipeline) -> KabarSettings:  # type: ignore[no-untyped-def]
    """This test's names on the cluster, whole and in sync (a scenario that failed may have
    left a node down), its topics created with three replicas."""
    for node_id in cluster.node_ids:
        cluster.start(node_id)
    cluster.wait_in_sync()
    pipeline.env.update(KABAR_KAFKA_BOOTSTRAP=cluster.bootstrap, KABAR_TOPIC_REPLICATION=str(REPLICAS))
    settings: KabarSettings = pipeline.settings_as(
        KabarSettings, kafka_bootstrap=cluster.bootstrap, topic_replication=REPLICAS
    )
    ensure_topics(settings)
    return settings


def assert_durable(cluster: LocalCluster, settings: KabarSettings) -> None:
    """The pipeline's topics, and the changelog Faust made for the enrichment table, have
    three replicas and refuse a write fewer than two of them have."""
    prefix = settings.topic_raw.removesuffix(".raw")  # every name of this test starts so
    partitions = [p for p in cluster.partitions() if p.topic.startswith(prefix)]
    topics = {p.topic for p in partitions}
    assert topics >= {settings.topic(role) for role in TopicRole}, topics
    assert any(topic.endswith("-fingerprints-changelog") for topic in topics), topics
    assert all(len(p.replicas) == REPLICAS for p in partitions), partitions
    for topic in topics:
        assert cluster.topic_config(topic, "min.insync.replicas") == str(IN_SYNC), topic


def busiest_partition(settings: KabarSettings, topic: str) -> int:
    """The partition of ``topic`` with the most records so far."""
    tool = consumer(settings, "kabar-test-busiest")
    try:
        tps = [TopicPartition(topic, p) for p in range(settings.topic_partitions)]
        ends = tool.end_offsets(tps)
    finally:
        tool.close()
    return max(tps, key=lambda tp: ends[tp]).partition


def eventually(question: Callable[[], object], expected: Callable[[object], bool]) -> Callable[[], bool]:
    """A check for ``wait_until`` that counts a cluster not answering (mid-election) as "not yet"."""

    def check() -> bool:
        try:
            return expected(question())
        except (KafkaError, StopIteration):
            return False

    return check


def wait_caught_up(settings: KabarSettings) -> None:
    """Until every group has committed everything in the topics it reads."""
    groups = {
        settings.enrichment_group: [settings.topic_raw],
        settings.indexing_group: [settings.topic_enriched, settings.topic_translations],
    }

    def behind() -> list[str]:
        return [
            f"{lag.group} {lag.topic}[{lag.partition}]: {lag.lag}"
            for group, topics in groups.items()
            for lag in partition_lags(settings, group, topics)
            if lag.lag
        ]

    wait_until(eventually(behind, lambda lags: not lags), 90, "every consumer group at zero lag")


def under_load(
    cluster: LocalCluster,
    settings: KabarSettings,
    run_service,
    scenario: str,
    fault: Callable[[SteadyClient], None],
) -> None:  # type: ignore[no-untyped-def]
    """Ingestion and one static member of each worker under a steady stream with poison
    in every topic; ``fault`` happens mid-stream and leaves the cluster whole and in sync."""
    ingestion = run_service("ingestion")
    for name in WORKERS:
        run_service(name, f"{name}-a")
    assert_durable(cluster, settings)
    client = SteadyClient(ingestion.url, per_second=20)
    with client.running():
        client.wait_for_more(100)
        poison = poison_every_topic(settings)
        client.wait_for_more(20)
        fault(client)
        client.wait_for_more(60)
    assert not cluster.under_replicated()
    result = balance(settings, scenario, client.accepted, poison)
    assert result.holds(), result.line()
    wait_caught_up(settings)


def test_the_leader_of_the_busiest_partition_sigkilled_under_load(
    cluster: LocalCluster, on_cluster: KabarSettings, run_service
) -> None:  # type: ignore[no-untyped-def]
    settings = on_cluster

    def kill_the_leader(client: SteadyClient) -> None:
        partition = busiest_partition(settings, settings.topic_raw)
        victim = cluster.leader_of(settings.topic_raw, partition)
        cluster.kill(victim)
        # the controller fences the silent node (broker.session.timeout.ms) and elects
        # another in-sync replica; until then the partition takes no writes
        wait_until(
            eventually(
                lambda: cluster.leader_of(settings.topic_raw, partition),
                lambda leader: leader not in (victim, -1),
            ),
            60,
            f"{settings.topic_raw}[{partition}] led by another node than {victim}",
        )
        client.wait_for_more(WHILE_DEGRADED)
        cluster.start(victim)
        cluster.wait_in_sync()

    under_load(
        cluster,
        settings,
        run_service,
        "leader of the busiest partition SIGKILLed, restarted",
        kill_the_leader,
    )


def test_the_active_controller_sigkilled_under_load(
    cluster: LocalCluster, on_cluster: KabarSettings, run_service
) -> None:  # type: ignore[no-untyped-def]
    settings = on_cluster

    def kill_the_controller(client: SteadyClient) -> None:
        victim = cluster.active_controller()
        cluster.kill(victim)
        wait_until(
            eventually(cluster.active_controller, lambda leader: leader != victim),
            60,
            f"a controller other than {victim} elected",
        )
        client.wait_for_more(WHILE_DEGRADED)
        cluster.start(victim)
        cluster.wait_in_sync()

    under_load(cluster, settings, run_service, "active controller SIGKILLed, restarted", kill_the_controller)


def test_a_rolling_restart_of_every_node_under_load(
    cluster: LocalCluster, on_cluster: KabarSettings, run_service
) -> None:  # type: ignore[no-untyped-def]
    settings = on_cluster

    def roll(client: SteadyClient) -> None:
        for node_id in cluster.node_ids:
            cluster.stop(node_id)
            cluster.start(node_id)
            # the next node goes only once this one is back in every partition's ISR
            cluster.wait_in_sync()
            client.wait_for_more(20)

    under_load(cluster, settings, run_service, "rolling restart of all three nodes", roll)
