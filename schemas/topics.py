"""Which schema each topic carries. Topic names are settings; their roles are fixed."""

from enum import StrEnum

from pydantic import BaseModel

from schemas.events import DeadLetter, EnrichedArticle, RawArticle


class TopicRole(StrEnum):
    RAW = "raw"
    ENRICHED = "enriched"
    DLQ = "dlq"


TOPIC_SCHEMAS: dict[TopicRole, type[BaseModel]] = {
    TopicRole.RAW: RawArticle,
    TopicRole.ENRICHED: EnrichedArticle,
    TopicRole.DLQ: DeadLetter,
}
