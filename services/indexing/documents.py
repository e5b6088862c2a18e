"""Events -> Elasticsearch bulk actions. Pure.

Both kinds of event are guarded partial updates (a scripted upsert): an enrichment and the
translation that follows it may reach the index in either order (different topics and
consumer groups), neither may erase the fields the other wrote, and an older copy of
either (a re-delivery, a replay from the DLQ) must never overwrite a newer one. Each kind
keeps its own clock field, the event's time in microseconds; the script applies the event
only when its clock is not behind the document's.
"""

from datetime import datetime
from typing import Any

from kabar.schemas.events import ArticleTranslation, EnrichedArticle
from kabar.services.indexing.index_design import index_for

GUARDED_MERGE = (
    "if (ctx._source[params.clock] != null && ctx._source[params.clock] > params.version) "
    "{ ctx.op = 'noop' } else { if (params.translation_wins && ctx._source.translation_version != null) "
    "{ params.fields.remove('translation_status') } ctx._source.putAll(params.fields) }"
)


def microseconds(moment: datetime) -> int:
    return int(moment.timestamp() * 1_000_000)


def guarded_upsert(
    index: str,
    article_id: str,
    fields: dict[str, Any],
    clock: str,
    version: int,
    translation_wins: bool = False,
) -> dict[str, Any]:
    """``translation_wins``: the enrichment's "pending" must not undo a translation that
    reached the index first."""
    return {
        "_op_type": "update",
        "_index": index,
        "_id": article_id,
        "_source": {
            "scripted_upsert": True,
            "script": {
                "lang": "painless",
                "source": GUARDED_MERGE,
                "params": {
                    "fields": {**fields, clock: version},
                    "clock": clock,
                    "version": version,
                    "translation_wins": translation_wins,
                },
            },
            "upsert": {},
        },
    }


def article_action(article: EnrichedArticle, prefix: str, indexed_at: datetime) -> dict[str, Any]:
    fields = article.model_dump(mode="json")
    fields["indexed_at"] = indexed_at.isoformat()
    # one keyword per entity, for terms aggregations and the --entity filter
    fields["entity_names"] = sorted({mention.canonical for mention in article.entities})
    index = index_for(prefix, article.published_at, article.ingested_at)
    version = microseconds(article.enriched_at)
    return guarded_upsert(
        index, article.article_id, fields, "enrichment_version", version, translation_wins=True
    )


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
    version = microseconds(translation.translated_at)
    return guarded_upsert(index, translation.article_id, fields, "translation_version", version)
