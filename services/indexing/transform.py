"""Pure parts of indexing: records to bulk actions, bulk rejections to dead letters."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from schemas.events import DeadLetter, EnrichedArticle
from services.common.codec import decode_event
from services.common.dlq import Failure, Origin, dead_letter
from services.indexing.bulk import RejectedItem
from services.indexing.documents import to_action


@dataclass(frozen=True)
class Record:
    payload: bytes
    origin: Origin


@dataclass(frozen=True)
class Planned:
    """A batch split into what goes to Elasticsearch and what goes straight to the DLQ."""

    articles: list[EnrichedArticle]
    records: list[Record]
    actions: list[dict[str, Any]]
    letters: list[DeadLetter]


def plan_batch(records: Sequence[Record], prefix: str, now: datetime) -> Planned:
    articles, kept, actions, letters = [], [], [], []
    for record in records:
        article = decode_event(record.payload, EnrichedArticle)
        if isinstance(article, Failure):
            letters.append(dead_letter("indexing", article, record.origin, record.payload))
            continue
        articles.append(article)
        kept.append(record)
        actions.append(to_action(article, prefix, now))
    return Planned(articles, kept, actions, letters)


def rejection_letters(planned: Planned, rejected: Sequence[RejectedItem]) -> list[DeadLetter]:
    """Dead letters for the documents Elasticsearch refused, with its reason."""
    letters = []
    for item in rejected:
        record = planned.records[item.position]
        failure = Failure(
            f"es_{item.error_type}",
            f"HTTP {item.status}: {item.reason}",
            planned.articles[item.position].article_id,
        )
        letters.append(dead_letter("indexing", failure, record.origin, record.payload))
    return letters
