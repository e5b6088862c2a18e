"""Dead letters: how every stage turns a failure into a record on the DLQ topic."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from schemas.events import DeadLetter

Stage = Literal["ingestion", "enrichment", "translation", "indexing"]


@dataclass(frozen=True)
class Failure:
    """Why one input could not go on; the stage turns it into a ``DeadLetter``."""

    error_type: str
    error_message: str
    article_id: str | None = None
    field_errors: tuple[tuple[str, str], ...] = ()  # (field, problem), for API answers


@dataclass(frozen=True)
class Origin:
    """Where an input came from: a topic position or a file line."""

    label: str
    topic: str | None = None
    partition: int | None = None
    offset: int | None = None

    @classmethod
    def of_record(cls, topic: str, partition: int, offset: int) -> "Origin":
        return cls(f"{topic}[{partition}]@{offset}", topic, partition, offset)

    @classmethod
    def of_line(cls, path: str, line: int) -> "Origin":
        return cls(f"{path}:{line}")


# A dead letter must itself fit in a Kafka record (1 MB by default); an oversized input
# keeps its first 256 KB, which is enough to see what it was, and says how big it was.
MAX_PAYLOAD_BYTES = 256 * 1024


def dead_letter(stage: Stage, failure: Failure, origin: Origin, payload: bytes) -> DeadLetter:
    cut = len(payload) > MAX_PAYLOAD_BYTES
    return DeadLetter(
        stage=stage,
        error_type=failure.error_type,
        error_message=failure.error_message[:2_000],
        origin=origin.label,
        source_topic=origin.topic,
        source_partition=origin.partition,
        source_offset=origin.offset,
        article_id=failure.article_id,
        payload=payload[:MAX_PAYLOAD_BYTES],
        payload_size=len(payload) if cut else None,
        failed_at=datetime.now(UTC),
    )
