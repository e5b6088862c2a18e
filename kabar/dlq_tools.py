"""``kabar dlq list|replay``: what the pipeline could not process, and sending it back.

Replay puts each record's original bytes back where the failing stage reads them (its
source topic, keyed by article id, with a header naming the letter); letters from
ingestion, which read no topic, go through ingestion's validation again. Each letter is
sent back at most once: a mark keyed by the letter's position goes to a compacted topic
once the replay was acknowledged, and letters with a mark are left alone. A replayed
record that fails again becomes one new dead letter whose origin names the replay.
"""

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from kafka import KafkaProducer, TopicPartition
from kafka.errors import KafkaError

from kabar.schemas.events import DeadLetter, ReplayedLetter
from kabar.services.common.codec import decode_event
from kabar.services.common.dlq import REPLAY_HEADER, Failure, Origin, record_position
from kabar.services.common.kafka import consumer, producer
from kabar.services.common.settings import IngestionSettings, KabarSettings
from kabar.services.ingestion.publish import Publisher


@dataclass(frozen=True)
class Positioned:
    """A record of a topic with its position, ``topic[partition]@offset``."""

    position: str
    letter: DeadLetter | Failure


def read_topic(settings: KabarSettings, topic: str) -> Iterator[tuple[str, bytes | None, bytes]]:
    """(position, key, value) of every record on the topic, oldest first per partition,
    up to its end when the reading began."""
    reader = consumer(settings, "kabar-dlq")
    try:
        partitions = [TopicPartition(topic, p) for p in reader.partitions_for_topic(topic) or ()]
        if not partitions:
            return
        ends = reader.end_offsets(partitions)
        reader.assign(partitions)
        reader.seek_to_beginning(*partitions)
        while any(reader.position(tp) < ends[tp] for tp in partitions):
            for records in reader.poll(timeout_ms=1_000).values():
                for record in records:
                    if record.offset < ends[TopicPartition(record.topic, record.partition)]:
                        position = record_position(record.topic, record.partition, record.offset)
                        yield position, record.key, record.value or b""
    finally:
        reader.close()


def dead_letters(settings: KabarSettings) -> Iterator[Positioned]:
    """Every record on the DLQ topic, decoded, with its position."""
    for position, _, value in read_topic(settings, settings.topic_dlq):
        yield Positioned(position, decode_event(value, DeadLetter))


def replayed_positions(settings: KabarSettings) -> set[str]:
    """The letters already sent back, from their marks."""
    marks = (
        decode_event(value, ReplayedLetter)
        for _, _, value in read_topic(settings, settings.topic_dlq_replayed)
    )
    return {mark.letter for mark in marks if isinstance(mark, ReplayedLetter)}


@dataclass(frozen=True)
class Selection:
    stage: str | None = None
    reason: str | None = None

    def matches(self, letter: DeadLetter) -> bool:
        return (self.stage is None or letter.stage == self.stage) and (
            self.reason is None or letter.error_type == self.reason
        )


def summarise(letters: list[DeadLetter]) -> Counter[tuple[str, str]]:
    return Counter((letter.stage, letter.error_type) for letter in letters)


@dataclass
class ReplayReport:
    """Per stage: letters sent back; refused again at once (by ingestion, which makes a new
    letter naming the replay); not sent (Kafka refused or did not acknowledge: they stay
    unmarked, for the next replay); left alone because an earlier replay sent them; and
    not replayable because only the start of their payload was kept."""

    sent: Counter[str] = field(default_factory=Counter)
    failed_again: Counter[str] = field(default_factory=Counter)
    not_sent: Counter[str] = field(default_factory=Counter)
    replayed_before: Counter[str] = field(default_factory=Counter)
    payload_cut: Counter[str] = field(default_factory=Counter)

    def columns(self) -> dict[str, Counter[str]]:
        return {
            "sent back": self.sent,
            "failed again": self.failed_again,
            "not sent": self.not_sent,
            "replayed before": self.replayed_before,
            "payload cut": self.payload_cut,
        }

    def stages(self) -> list[str]:
        return sorted({stage for column in self.columns().values() for stage in column})


def replay(
    settings: IngestionSettings, letters: list[Positioned], already_replayed: set[str]
) -> ReplayReport:
    """Sends back the letters that were never replayed and marks them; see the module."""
    report = ReplayReport()
    fresh: list[tuple[str, DeadLetter]] = []
    for item in letters:
        if isinstance(item.letter, Failure):
            continue
        if item.position in already_replayed:
            report.replayed_before[item.letter.stage] += 1
        elif item.letter.payload_size is not None:
            report.payload_cut[item.letter.stage] += 1
        else:
            fresh.append((item.position, item.letter))
    kafka_producer = producer(settings, "kabar-dlq-replay", settings.produce_timeout_s)
    try:
        marks = _send_to_topics(kafka_producer, settings, [f for f in fresh if f[1].source_topic], report)
        marks += _send_through_ingestion(
            kafka_producer, settings, [f for f in fresh if not f[1].source_topic], report
        )
        futures = [
            kafka_producer.send(
                settings.topic_dlq_replayed, key=mark.letter.encode(), value=mark.model_dump_json().encode()
            )
            for mark in marks
        ]
        kafka_producer.flush(settings.produce_timeout_s)
        for future in futures:
            future.get(timeout=settings.produce_timeout_s)
    finally:
        kafka_producer.close(timeout=10)
    return report


def _mark(position: str, letter: DeadLetter, sent_to: str, rejected: bool = False) -> ReplayedLetter:
    return ReplayedLetter(
        letter=position,
        stage=letter.stage,
        sent_to=sent_to,
        outcome="rejected" if rejected else "sent",
        replayed_at=datetime.now(UTC),
    )


def _send_to_topics(
    kafka_producer: KafkaProducer,
    settings: IngestionSettings,
    letters: list[tuple[str, DeadLetter]],
    report: ReplayReport,
) -> list[ReplayedLetter]:
    futures = [
        kafka_producer.send(
            str(letter.source_topic),
            key=letter.article_id.encode() if letter.article_id else None,
            value=letter.payload,
            headers=[(REPLAY_HEADER, position.encode())],
        )
        for position, letter in letters
    ]
    kafka_producer.flush(settings.produce_timeout_s)
    marks = []
    for (position, letter), future in zip(letters, futures, strict=True):
        try:
            future.get(timeout=settings.produce_timeout_s)
        except KafkaError:
            report.not_sent[letter.stage] += 1
            continue
        report.sent[letter.stage] += 1
        marks.append(_mark(position, letter, str(letter.source_topic)))
    return marks


def _send_through_ingestion(
    kafka_producer: KafkaProducer,
    settings: IngestionSettings,
    letters: list[tuple[str, DeadLetter]],
    report: ReplayReport,
) -> list[ReplayedLetter]:
    if not letters:
        return []
    items = [(letter.payload, Origin.of_replay(position)) for position, letter in letters]
    try:
        summary = Publisher(settings, kafka_producer).publish(items)
    except KafkaError:
        report.not_sent["ingestion"] += len(letters)
        return []
    marks = []
    for (position, letter), outcome in zip(letters, summary.outcomes, strict=True):
        rejected = outcome.status == "rejected"
        (report.failed_again if rejected else report.sent)[letter.stage] += 1
        marks.append(_mark(position, letter, "ingestion", rejected))
    return marks
