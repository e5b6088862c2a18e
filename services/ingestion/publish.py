"""Puts validated articles on the raw topic and refused ones on the DLQ, and waits for both.

Nothing here reports an article as accepted before Kafka acknowledged it (acks=all), so a
caller that gets an ``Outcome`` back can tell its source the truth.
"""

import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from kafka import KafkaProducer
from kafka.producer.future import FutureRecordMetadata

from schemas.events import RawArticle
from services.common.dlq import Failure, Origin, dead_letter
from services.common.metrics import DEAD_LETTERS, EVENTS
from services.common.settings import KabarSettings
from services.ingestion.validate import parse_article

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """What became of one submitted item."""

    status: Literal["accepted", "rejected"]
    origin: str
    article_id: str | None = None
    reason: str | None = None
    message: str | None = None


@dataclass
class Summary:
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        return sum(o.status == "accepted" for o in self.outcomes)

    @property
    def rejected(self) -> int:
        return sum(o.status == "rejected" for o in self.outcomes)

    def reasons(self) -> Counter[str]:
        return Counter(o.reason for o in self.outcomes if o.reason)


class Publisher:
    """Sends parsed articles to the raw topic and failures to the DLQ topic."""

    def __init__(self, settings: KabarSettings, producer: KafkaProducer, timeout_s: float = 30.0):
        self.settings = settings
        self.producer = producer
        self.timeout_s = timeout_s

    def publish(self, items: Iterable[tuple[bytes, Origin]]) -> Summary:
        """Parses and sends every item, then waits until Kafka acknowledged all of them."""
        pending: list[tuple[FutureRecordMetadata, Outcome]] = []
        for payload, origin in items:
            parsed = parse_article(payload)
            if isinstance(parsed, RawArticle):
                pending.append(
                    (self._send_article(parsed), Outcome("accepted", origin.label, parsed.article_id))
                )
            else:
                pending.append((self._send_dead_letter(parsed, origin, payload), _rejection(parsed, origin)))
        self.producer.flush(timeout=self.timeout_s)
        summary = Summary()
        for future, outcome in pending:
            future.get(timeout=self.timeout_s)
            summary.outcomes.append(outcome)
            if outcome.status == "accepted":
                EVENTS.labels("ingestion", "ingestion", "ok").inc()
            else:
                EVENTS.labels("ingestion", "ingestion", "rejected").inc()
                DEAD_LETTERS.labels("ingestion", "ingestion", outcome.reason).inc()
        return summary

    def _send_article(self, article: RawArticle) -> FutureRecordMetadata:
        return self.producer.send(
            self.settings.topic_raw,
            key=article.article_id.encode(),
            value=article.model_dump_json().encode(),
        )

    def _send_dead_letter(self, failure: Failure, origin: Origin, payload: bytes) -> FutureRecordMetadata:
        record = dead_letter("ingestion", failure, origin, payload)
        log.info(
            "rejected %s: %s",
            origin.label,
            failure.error_type,
            extra={"origin": origin.label, "reason": failure.error_type},
        )
        return self.producer.send(self.settings.topic_dlq, value=record.model_dump_json().encode())


def _rejection(failure: Failure, origin: Origin) -> Outcome:
    return Outcome("rejected", origin.label, failure.article_id, failure.error_type, failure.error_message)
