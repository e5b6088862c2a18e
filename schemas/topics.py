"""Which schema each topic carries. Topic names are settings; their roles are fixed."""

from enum import StrEnum

from pydantic import BaseModel

from kabar.schemas.events import ArticleTranslation, DeadLetter, EnrichedArticle, RawArticle, ReplayedLetter


class TopicRole(StrEnum):
    RAW = "raw"
    ENRICHED = "enriched"
    TRANSLATIONS = "translations"
    DLQ = "dlq"
    DLQ_REPLAYED = "dlq.replayed"


TOPIC_SCHEMAS: dict[TopicRole, type[BaseModel]] = {
    TopicRole.RAW: RawArticle,
    TopicRole.ENRICHED: EnrichedArticle,
    TopicRole.TRANSLATIONS: ArticleTranslation,
    TopicRole.DLQ: DeadLetter,
    TopicRole.DLQ_REPLAYED: ReplayedLetter,
}
