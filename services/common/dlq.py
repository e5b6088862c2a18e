"""Dead letters: how every stage turns a failure into a record on the DLQ topic."""

from dataclasses import dataclass
from datetime import UTC, datetime

from kabar.schemas.events import DeadLetter, Stage
from kabar.schemas.limits import DEAD_LETTER_PAYLOAD_MAX_BYTES, ERROR_MESSAGE_MAX_CHARS


@dataclass(frozen=True)
class Failure:
    """Why one input could not go on; the stage turns it into a ``DeadLetter``."""

    error_type: str
    error_message: str
    article_id: str | None = None
    field_errors: tuple[tuple[str, str], ...] = ()  # (field, problem), for API answers


# The header a replayed record carries: the position of the dead letter it came from, so
# that failing again names the replay instead of looking like a new failure.
REPLAY_HEADER = "kabar-replay-of"


@dataclass(frozen=True)
class Origin:
    """Where an input came from: a topic position or a file line, and the dead letter it
    was replayed from, if it was."""

    label: str
    topic: str | None = None
    partition: int | None = None
    offset: int | None = None
    replay_of: str | None = None

    @classmethod
    def of_record(cls, topic: str, partition: int, offset: int, replay_of: str | None = None) -> "Origin":
        label = _with_replay(record_position(topic, partition, offset), replay_of)
        return cls(label, topic, partition, offset, replay_of)

    @classmethod
    def of_line(cls, path: str, line: int) -> "Origin":
        return cls(f"{path}:{line}")

    @classmethod
    def of_replay(cls, replay_of: str) -> "Origin":
        return cls(f"replay of {replay_of}", replay_of=replay_of)


def _with_replay(label: str, replay_of: str | None) -> str:
    return f"{label} (replay of {replay_of})" if replay_of else label


def record_position(topic: str, partition: int, offset: int) -> str:
    """``topic[partition]@offset``: how origins and replayed dead letters are named."""
    return f"{topic}[{partition}]@{offset}"


def dead_letter(stage: Stage, failure: Failure, origin: Origin, payload: bytes) -> DeadLetter:
    cut = len(payload) > DEAD_LETTER_PAYLOAD_MAX_BYTES
    return DeadLetter(
        stage=stage,
        error_type=failure.error_type,
        error_message=failure.error_message[:ERROR_MESSAGE_MAX_CHARS],
        origin=origin.label[:ERROR_MESSAGE_MAX_CHARS],
        source_topic=origin.topic,
        source_partition=origin.partition,
        source_offset=origin.offset,
        article_id=failure.article_id,
        replay_of=origin.replay_of,
        payload=payload[:DEAD_LETTER_PAYLOAD_MAX_BYTES],
        payload_size=len(payload) if cut else None,
        failed_at=datetime.now(UTC),
    )
