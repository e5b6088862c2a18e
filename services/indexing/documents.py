"""Events -> Elasticsearch bulk actions. Pure.

Both kinds of event are partial updates with ``doc_as_upsert``: an enrichment and the
translation that follows it may reach the index in either order (they travel on different
topics and consumer groups), and neither may erase the fields the other wrote.
"""

from datetime import datetime
from typing import Any

from schemas.events import ArticleTranslation, EnrichedArticle
from services.indexing.index_design import index_for


def upsert(index: str, article_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    return {
        "_op_type": "update",
        "_index": index,
        "_id": article_id,
        "_source": {"doc": fields, "doc_as_upsert": True},
    }


def article_action(article: EnrichedArticle, prefix: str, indexed_at: datetime) -> dict[str, Any]:
    fields = article.model_dump(mode="json")
    fields["indexed_at"] = indexed_at.isoformat()
    # one keyword per entity, for terms aggregations and the --entity filter
    fields["entity_names"] = sorted({mention.canonical for mention in article.entities})
    return upsert(index_for(prefix, article.published_at, article.ingested_at), article.article_id, fields)


def translation_action(translation: ArticleTranslation, prefix: str, indexed_at: datetime) -> dict[str, Any]:
    fields = {
        "translation_status": translation.status,
        "translation_model": translation.model,
        "translated_at": translation.translated_at.isoformat(),
        "translation_error": translation.error,
        "title_en": translation.title_en,
        "body_en": translation.body_en,
    }
    index = index_for(prefix, translation.published_at, translation.ingested_at)
    return upsert(index, translation.article_id, fields)
