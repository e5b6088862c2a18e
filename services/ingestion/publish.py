"""Puts validated articles on the raw topic and refused ones on the DLQ, and waits for both.

Nothing here reports an article as accepted before Kafka acknowledged it (acks=all), so a
caller that gets an ``Outcome`` back can tell its source the truth. A copy identical to
one accepted recently is reported as a duplicate and not produced again.
"""

import logging
import time
from collections import Counter, OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from kafka import KafkaProducer
from kafka.errors import KafkaError
from kafka.producer.future import FutureRecordMetadata

from kabar.schemas.events import RawArticle
from kabar.services.common.dlq import Failure, Origin, dead_letter
from kabar.services.common.kafka import refused_for_good
from kabar.services.common.metrics import DEAD_LETTERS, EVENTS, INGEST_ARTICLES, PRODUCE_SECONDS, BoundedLabel
from kabar.services.common.settings import IngestionSettings
from kabar.services.ingestion.validate import Limits, parse_article

log = logging.getLogger(__name__)
Status = Literal["accepted", "duplicate", "rejected"]


@dataclass(frozen=True)
class Outcome:
    """What became of one submitted item."""

    status: Status
    origin: str
    article_id: str | None = None
    reason: str | None = None
    message: str | None = None
    field_errors: tuple[tuple[str, str], ...] = ()


@dataclass
class Summary:
    outcomes: list[Outcome] = field(default_factory=list)

    def count(self, status: Status) -> int:
        return sum(o.status == status for o in self.outcomes)

    def reasons(self) -> Counter[str]:
        return Counter(o.reason for o in self.outcomes if o.reason)


class RecentArticles:
    """Content hashes of the most recently accepted article ids, to spot re-sent copies.

    Bounded (least recently seen ids are forgotten) and per process: a copy it does not
    catch is still harmless, since every later stage upserts by article id.
    """

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._hashes: OrderedDict[str, str] = OrderedDict()

    def is_duplicate(self, article: RawArticle) -> bool:
        known = self._hashes.get(article.article_id)
        if known is not None:
            self._hashes.move_to_end(article.article_id)
        return known == article.content_hash

    def remember(self, article: RawArticle) -> None:
        self._hashes[article.article_id] = article.content_hash
        self._hashes.move_to_end(article.article_id)
        while len(self._hashes) > self.capacity:
            self._hashes.popitem(last=False)


@dataclass(frozen=True)
class Pending:
    """An item on its way: what Kafka is to acknowledge, and what to report once it has.
    An accepted article keeps its bytes and origin, for the dead letter if Kafka refuses it."""

    future: FutureRecordMetadata | None
    outcome: Outcome
    article: RawArticle | None
    payload: bytes | None = None
    origin: Origin | None = None


class Publisher:
    """Sends parsed articles to the raw topic and failures to the DLQ topic."""

    def __init__(self, settings: IngestionSettings, producer: KafkaProducer) -> None:
        self.settings = settings
        self.producer = producer
        self.limits = Limits(max_article_chars=settings.max_article_chars)
        self.recent = RecentArticles(settings.dedup_capacity)
        self.source_label = BoundedLabel()

    def publish(self, items: Iterable[tuple[bytes, Origin]]) -> Summary:
        """Parses and sends every item, then waits until Kafka acknowledged all of them.

        Every item gets its own outcome: one Kafka refuses for good (too large, say) is
        rejected and dead-lettered alone. Raises ``KafkaError`` when Kafka did not
        acknowledge in time; nothing of the batch is then reported, so the caller can send
        it all again (later stages are idempotent).
        """
        started = time.perf_counter()
        pending: list[Pending] = []
        batch_ids: dict[str, str] = {}
        for payload, origin in items:
            parsed = self._parse(payload, origin)
            if isinstance(parsed, Failure):
                pending.append(self._reject(parsed, origin, payload))
            elif self.recent.is_duplicate(parsed) or batch_ids.get(parsed.article_id) == parsed.content_hash:
                pending.append(Pending(None, Outcome("duplicate", origin.label, parsed.article_id), parsed))
            else:
                batch_ids[parsed.article_id] = parsed.content_hash
                outcome = Outcome("accepted", origin.label, parsed.article_id)
                pending.append(Pending(self._send_article(parsed), outcome, parsed, payload, origin))
        acknowledged = self._wait_for_acks(pending)
        PRODUCE_SECONDS.labels("ingestion", "raw").observe(time.perf_counter() - started)
        summary = Summary()
        for item in acknowledged:
            summary.outcomes.append(item.outcome)
            if item.outcome.status == "accepted" and item.article is not None:
                self.recent.remember(item.article)
            self._count(item.outcome, item.article)
        return summary

    def _parse(self, payload: bytes, origin: Origin) -> RawArticle | Failure:
        """``parse_article``, and if it breaks on an input nobody foresaw, a rejection of
        that input alone instead of a failed batch."""
        try:
            return parse_article(payload, self.limits)
        except Exception as exc:
            log.exception("could not parse %s", origin.label)
            return Failure("unprocessable", f"{type(exc).__name__}: {exc}")

    def _wait_for_acks(self, pending: list[Pending]) -> list[Pending]:
        """The items with their final outcomes: an article Kafka refused for good is
        rejected (and dead-lettered, which is waited for too)."""
        self.producer.flush(timeout=self.settings.produce_timeout_s)
        settled: list[Pending] = []
        refused: list[Pending] = []
        for item in pending:
            try:
                if item.future is not None:
                    item.future.get(timeout=self.settings.produce_timeout_s)
                settled.append(item)
            except KafkaError as exc:
                if not refused_for_good(exc) or item.payload is None or item.origin is None:
                    raise
                failure = Failure("refused_by_kafka", f"{type(exc).__name__}: {exc}", item.outcome.article_id)
                refused.append(self._reject(failure, item.origin, item.payload))
        if refused:
            settled.extend(self._wait_for_acks(refused))
        return settled

    def _reject(self, failure: Failure, origin: Origin, payload: bytes) -> "Pending":
        return Pending(self._send_dead_letter(failure, origin, payload), _rejection(failure, origin), None)

    def _count(self, outcome: Outcome, article: RawArticle | None) -> None:
        source = self.source_label(article.source if article else "unparsed")
        INGEST_ARTICLES.labels("ingestion", source, outcome.status, outcome.reason or "").inc()
        if outcome.status == "accepted":
            EVENTS.labels("ingestion", "ingestion", "ok").inc()
        elif outcome.status == "rejected":
            EVENTS.labels("ingestion", "ingestion", "dead_lettered").inc()
            DEAD_LETTERS.labels("ingestion", "ingestion", outcome.reason).inc()

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
    return Outcome(
        "rejected",
        origin.label,
        failure.article_id,
        failure.error_type,
        failure.error_message,
        failure.field_errors,
    )
