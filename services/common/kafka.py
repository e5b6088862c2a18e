"""Kafka plumbing shared by the services and the ``kabar`` command (kafka-python)."""

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import MemberToRemove, NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError

from kabar.schemas.limits import RECORD_MAX_BYTES
from kabar.schemas.topics import TopicRole
from kabar.services.common.retry import Backoff
from kabar.services.common.settings import KabarSettings

# Faust's assignor writes member metadata kafka-python cannot parse (it warns on every
# describe); the assignments themselves it reads fine
logging.getLogger("kafka.admin._groups").setLevel(logging.ERROR)


def connection_options(settings: KabarSettings) -> dict[str, Any]:
    """What every kafka-python client needs to reach the brokers, TLS and SASL included;
    the only place the SASL password leaves its SecretStr."""
    options: dict[str, Any] = {
        "bootstrap_servers": settings.kafka_bootstrap,
        "security_protocol": settings.kafka_security_protocol,
    }
    if settings.kafka_security_protocol.startswith("SASL"):
        options["sasl_mechanism"] = settings.kafka_sasl_mechanism
        options["sasl_plain_username"] = settings.kafka_sasl_username
        if settings.kafka_sasl_password is not None:
            options["sasl_plain_password"] = settings.kafka_sasl_password.get_secret_value()
    if settings.kafka_security_protocol.endswith("SSL"):
        for name in ("cafile", "certfile", "keyfile"):
            path = getattr(settings, f"kafka_ssl_{name}")
            if path is not None:
                options[f"ssl_{name}"] = str(path)
    return options


# The broker's answers about one record itself (too large, malformed): sending the same
# record again gets the same answer, so the record becomes a dead letter and the stage
# goes on. Every other error (unreachable, no leader, timeout, not authorised) is about
# the cluster and is waited out. Names, not classes: kafka-python and aiokafka each have
# their own copies of these errors.
REFUSED_FOR_GOOD = frozenset(
    {
        "MessageSizeTooLargeError",
        "RecordListTooLargeError",
        "RecordTooLargeError",
        "InvalidRecordError",
        "CorruptRecordError",
        "CorruptRecordException",
        "InvalidTimestampError",
        "UnsupportedForMessageFormatError",
        "InvalidTopicError",
    }
)


def refused_for_good(error: BaseException) -> bool:
    """Whether ``error`` (or what it wraps, e.g. Faust's ProducerSendError) is a refusal of
    the record itself."""
    seen: BaseException | None = error
    while seen is not None:
        if type(seen).__name__ in REFUSED_FOR_GOOD:
            return True
        seen = seen.__cause__
    return False


def topic_configs(role: TopicRole) -> dict[str, str]:
    """Every topic takes the largest record a stage writes (see schemas/limits.py; the
    clients' request and fetch sizes below say the same). Replay marks are looked up by
    the letter they name, so only the latest per key needs to stay."""
    configs = {"max.message.bytes": str(RECORD_MAX_BYTES)}
    if role is TopicRole.DLQ_REPLAYED:
        configs["cleanup.policy"] = "compact"
    return configs


def admin_client(settings: KabarSettings, client_id: str = "kabar-admin") -> KafkaAdminClient:
    return KafkaAdminClient(**connection_options(settings), client_id=client_id, request_timeout_ms=5_000)


CONSUMER_OPTIONS: dict[str, Any] = {
    "enable_auto_commit": False,
    "max_partition_fetch_bytes": RECORD_MAX_BYTES,
    "fetch_max_bytes": 4 * RECORD_MAX_BYTES,
}


def consumer(settings: KabarSettings, client_id: str, **options: Any) -> KafkaConsumer:
    """A consumer for tools (status, lag, DLQ): no group, nothing committed."""
    return KafkaConsumer(**connection_options(settings), client_id=client_id, **CONSUMER_OPTIONS, **options)


def cluster_reachable(admin: KafkaAdminClient) -> bool:
    """A real metadata round-trip, for readiness probes."""
    try:
        admin.list_topics()
    except KafkaError:
        return False
    return True


def ensure_topics(settings: KabarSettings, roles: Iterable[TopicRole] = tuple(TopicRole)) -> list[str]:
    """Creates the pipeline's topics that do not exist yet; returns the ones it created.

    Safe to run from several processes at once: a topic created by someone else in the
    meantime counts as present.
    """
    admin = admin_client(settings)
    try:
        existing = set(admin.list_topics())
        missing = [role for role in roles if settings.topic(role) not in existing]
        created = []
        for role in missing:
            name = settings.topic(role)
            topic = NewTopic(
                name, settings.topic_partitions, settings.topic_replication, topic_configs=topic_configs(role)
            )
            try:
                admin.create_topics([topic])
                created.append(name)
            except TopicAlreadyExistsError:
                pass
        return created
    finally:
        admin.close()


# Idempotent: a send retried after its acknowledgement was lost (the leader failed over)
# is recognised by the broker and not written again. kafka-python 3 turns idempotence on
# by default but silently off again when an option conflicts with it; asked for by name,
# a conflict (acks other than all, retries=0, more than 5 requests in flight) is an error.
PRODUCER_OPTIONS: dict[str, Any] = {
    "enable_idempotence": True,
    "acks": "all",
    "retries": 10,
    "retry_backoff_ms": 200,
    "max_in_flight_requests_per_connection": 1,
    "max_request_size": RECORD_MAX_BYTES,
    "linger_ms": 5,
    "request_timeout_ms": 15_000,
}


def producer(settings: KabarSettings, client_id: str, max_block_s: float = 60.0) -> KafkaProducer:
    """A producer that reports success only once every in-sync replica has the record.

    ``send`` blocks while the producer has no metadata for the topic (the broker away since
    it started) for up to ``max_block_s``: a caller that promises an answer within a time
    (ingestion's ``produce_timeout_s``) passes that time, or it would wait 60 s first."""
    return KafkaProducer(
        **connection_options(settings),
        client_id=client_id,
        max_block_ms=int(max_block_s * 1000),
        **PRODUCER_OPTIONS,
    )


@dataclass(frozen=True)
class TopicCount:
    topic: str
    messages: int


@dataclass(frozen=True)
class GroupLag:
    group: str
    topic: str
    lag: int


def topic_counts(settings: KabarSettings, topics: Iterable[str]) -> list[TopicCount]:
    """Messages retained per topic: the sum over partitions of end minus beginning offsets."""
    tool = consumer(settings, "kabar-status")
    try:
        counts = []
        for topic in topics:
            partitions = tool.partitions_for_topic(topic) or set()
            tps = [TopicPartition(topic, p) for p in partitions]
            ends = tool.end_offsets(tps) if tps else {}
            starts = tool.beginning_offsets(tps) if tps else {}
            counts.append(TopicCount(topic, sum(ends[tp] - starts[tp] for tp in tps)))
        return counts
    finally:
        tool.close()


@dataclass(frozen=True)
class PartitionLag:
    group: str
    topic: str
    partition: int
    lag: int


class LagReader:
    """Committed and end offsets through one admin client and one consumer, kept open.

    A worker measures its lag every few seconds; opening new connections for each
    measurement cost the worker and the broker more than the questions themselves (the
    larger part of a stack's CPU at rest)."""

    def __init__(self, settings: KabarSettings, client_id: str = "kabar-lag") -> None:
        self._admin = admin_client(settings, client_id)
        self._consumer = consumer(settings, client_id)

    def partition_lags(self, group: str, topics: Iterable[str]) -> list[PartitionLag]:
        """Per partition: the end offset minus what ``group`` committed (all of it if it never did)."""
        committed = _committed_offsets(self._admin, group)
        lags = []
        for topic in topics:
            tps = [
                TopicPartition(topic, p) for p in sorted(self._consumer.partitions_for_topic(topic) or set())
            ]
            if not tps:
                continue
            ends, starts = self._consumer.end_offsets(tps), self._consumer.beginning_offsets(tps)
            for tp in tps:
                meta = committed.get(tp)
                position = meta.offset if meta is not None and meta.offset >= 0 else starts[tp]
                lags.append(PartitionLag(group, topic, tp.partition, max(ends[tp] - position, 0)))
        return lags

    def close(self) -> None:
        self._consumer.close()
        self._admin.close()


def partition_lags(settings: KabarSettings, group: str, topics: Iterable[str]) -> list[PartitionLag]:
    """``LagReader.partition_lags`` once, for tools that ask once."""
    reader = LagReader(settings)
    try:
        return reader.partition_lags(group, topics)
    finally:
        reader.close()


def _committed_offsets(admin: KafkaAdminClient, group: str, attempts: int = 20) -> dict[TopicPartition, Any]:
    """The group's committed offsets, asking again while the broker is still creating its
    offsets topic (the first group question a fresh broker gets answers "coordinator not
    available" for a moment)."""
    backoff, attempt = Backoff(0.1, 1.0), 0
    while True:
        try:
            return dict(admin.list_group_offsets(group).get(group, {}))
        except KafkaError as exc:
            attempt += 1
            if not exc.retriable or attempt >= attempts:
                raise
            time.sleep(backoff.delay(attempt))


def group_lag(settings: KabarSettings, group: str, topic: str) -> GroupLag:
    """Messages of ``topic`` that ``group`` has not committed yet, over all partitions."""
    return GroupLag(group, topic, sum(p.lag for p in partition_lags(settings, group, [topic])))


@dataclass(frozen=True)
class GroupMember:
    member_id: str
    instance_id: str | None
    host: str
    partitions: tuple[str, ...]  # "topic[partition]"


def group_members(settings: KabarSettings, group: str) -> list[GroupMember]:
    """Who holds which partitions of ``group`` now, as the broker sees it."""
    admin = admin_client(settings, "kabar-group")
    try:
        described = admin.describe_groups([group]).get(group, {})
    finally:
        admin.close()
    members = []
    for member in described.get("members", []):
        assignment = member.get("member_assignment") or {}
        partitions = tuple(
            f"{held['topic']}[{p}]"
            for held in assignment.get("assigned_partitions", [])
            for p in sorted(set(held["partitions"]))  # Faust lists a table's standbys again
        )
        members.append(
            GroupMember(
                member["member_id"], member.get("group_instance_id"), member["client_host"], partitions
            )
        )
    return members


def remove_static_member(settings: KabarSettings, group: str, instance_id: str) -> None:
    """Hands a replica's partitions to the others now.

    A static member that is gone for good (scaled down, its node lost) keeps its
    partitions until its session times out, because the broker expects it back; removing
    it makes the group rebalance at once.
    """
    admin = admin_client(settings, "kabar-group")
    try:
        results = admin.remove_group_members(group, [MemberToRemove(group_instance_id=instance_id)])
    finally:
        admin.close()
    failed = [f"{member}: {error.__name__}" for member, error in results.items() if error.errno != 0]
    if failed:
        raise KafkaError(f"could not remove {instance_id} from {group}: {', '.join(failed)}")
