"""``kabar dlq list|replay``: what the pipeline could not process, and sending it back.

Replay puts each record's original bytes back where the failing stage reads them (its
source topic, keyed by article id); letters from ingestion, which read no topic, go
through ingestion's validation again. Every stage is idempotent, so replaying a letter
twice is harmless.
"""

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from kafka import TopicPartition

from schemas.events import DeadLetter
from services.common.codec import decode_event
from services.common.dlq import Failure, Origin
from services.common.kafka import consumer, producer
from services.common.settings import IngestionSettings, KabarSettings
from services.ingestion.publish import Publisher


def dead_letters(settings: KabarSettings) -> Iterator[DeadLetter | Failure]:
    """Every record on the DLQ topic, oldest first per partition, up to its current end."""
    reader = consumer(settings, "kabar-dlq")
    try:
        partitions = [
            TopicPartition(settings.topic_dlq, p)
            for p in reader.partitions_for_topic(settings.topic_dlq) or ()
        ]
        if not partitions:
            return
        ends = reader.end_offsets(partitions)
        reader.assign(partitions)
        reader.seek_to_beginning(*partitions)
        while any(reader.position(tp) < ends[tp] for tp in partitions):
            for records in reader.poll(timeout_ms=1_000).values():
                for record in records:
                    if record.offset < ends[TopicPartition(record.topic, record.partition)]:
                        yield decode_event(record.value or b"", DeadLetter)
    finally:
        reader.close()


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


def replay(settings: IngestionSettings, letters: list[DeadLetter]) -> tuple[int, int]:
    """Sends the letters back; returns (sent to a topic, sent through ingestion again)."""
    kafka_producer = producer(settings, "kabar-dlq-replay")
    try:
        to_topics = [letter for letter in letters if letter.source_topic]
        futures = [
            kafka_producer.send(
                str(letter.source_topic),
                key=letter.article_id.encode() if letter.article_id else None,
                value=letter.payload,
            )
            for letter in to_topics
        ]
        kafka_producer.flush(settings.produce_timeout_s)
        for future in futures:
            future.get(timeout=settings.produce_timeout_s)
        again = [
            (letter.payload, Origin(f"replay of {letter.origin}"))
            for letter in letters
            if not letter.source_topic
        ]
        if again:
            Publisher(settings, kafka_producer).publish(again)
        return len(to_topics), len(again)
    finally:
        kafka_producer.close(timeout=10)
