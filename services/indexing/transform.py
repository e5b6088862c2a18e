"""The pure part of indexing: an event to its bulk action."""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from kabar.schemas.events import ArticleTranslation, EnrichedArticle
from kabar.services.indexing.documents import article_action, translation_action

ACTIONS: dict[type, Callable[[Any, str, datetime], dict[str, Any]]] = {
    EnrichedArticle: article_action,
    ArticleTranslation: translation_action,
}


def document_action(prefix: str, event: EnrichedArticle | ArticleTranslation) -> dict[str, Any]:
    """The guarded upsert of either kind of event, stamped with the time it was planned."""
    return ACTIONS[type(event)](event, prefix, datetime.now(UTC))
