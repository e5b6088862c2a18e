"""Enriched article -> Elasticsearch bulk action. Pure."""

from datetime import datetime
from typing import Any

from schemas.events import EnrichedArticle
from services.indexing.index_design import index_for


def to_action(article: EnrichedArticle, prefix: str, indexed_at: datetime) -> dict[str, Any]:
    source = article.model_dump(mode="json")
    source["indexed_at"] = indexed_at.isoformat()
    return {
        "_op_type": "index",
        "_index": index_for(prefix, article.published_at, article.ingested_at),
        "_id": article.article_id,
        "_source": source,
    }
