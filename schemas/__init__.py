"""Event contracts between Kabar's services: one versioned model per topic."""

from kabar.schemas.events import (
    ArticleIn,
    ArticleTranslation,
    DeadLetter,
    EnrichedArticle,
    EntityMention,
    RawArticle,
    ReplayedLetter,
)
from kabar.schemas.topics import TOPIC_SCHEMAS, TopicRole

__all__ = [
    "TOPIC_SCHEMAS",
    "ArticleIn",
    "ArticleTranslation",
    "DeadLetter",
    "EnrichedArticle",
    "EntityMention",
    "RawArticle",
    "ReplayedLetter",
    "TopicRole",
]
