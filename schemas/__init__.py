"""Event contracts between Kabar's services: one versioned model per topic."""

from schemas.events import ArticleIn, DeadLetter, EnrichedArticle, RawArticle
from schemas.topics import TOPIC_SCHEMAS, TopicRole

__all__ = [
    "TOPIC_SCHEMAS",
    "ArticleIn",
    "DeadLetter",
    "EnrichedArticle",
    "RawArticle",
    "TopicRole",
]
