"""Pure parts of indexing: records to bulk actions, bulk rejections to dead letters."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from schemas.events import ArticleTranslation, DeadLetter, EnrichedArticle
from services.common.codec import decode_event
from services.common.dlq import Failure, Origin, dead_letter
from services.indexing.bulk import RejectedItem
from services.indexing.documents import article_action, translation_action

Event = TypeVar("Event", EnrichedArticle, ArticleTranslation)
ACTIONS: dict[type, Callable[[Any, str, datetime], dict[str, Any]]] = {
    EnrichedArticle: article_action,
    ArticleTranslation: translation_action,
}


@dataclass(frozen=True)
class Record:
    payload: bytes
    origin: Origin


@dataclass(frozen=True)
class Planned(Generic[Event]):
    """A batch split into what goes to Elasticsearch and what goes straight to the DLQ."""

    events: list[Event]
    records: list[Record]
    actions: list[dict[str, Any]]
    letters: list[DeadLetter]


def plan_batch(records: Sequence[Record], kind: type[Event], prefix: str, now: datetime) -> Planned[Event]:
    events: list[Event] = []
    kept: list[Record] = []
    actions: list[dict[str, Any]] = []
    letters: list[DeadLetter] = []
    to_action = ACTIONS[kind]
    for record in records:
        event = decode_event(record.payload, kind)
        if isinstance(event, Failure):
            letters.append(dead_letter("indexing", event, record.origin, record.payload))
            continue
        events.append(event)
        kept.append(record)
        actions.append(to_action(event, prefix, now))
    return Planned(events, kept, actions, letters)


def rejection_letters(planned: Planned[Event], rejected: Sequence[RejectedItem]) -> list[DeadLetter]:
    """Dead letters for the documents Elasticsearch refused, with its reason."""
    letters = []
    for item in rejected:
        record = planned.records[item.position]
        failure = Failure(
            f"es_{item.error_type}",
            f"HTTP {item.status}: {item.reason}",
            planned.events[item.position].article_id,
        )
        letters.append(dead_letter("indexing", failure, record.origin, record.payload))
    return letters
