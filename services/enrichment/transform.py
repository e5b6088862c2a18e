"""Pure enrichment; the Faust agent and ``kabar enrich`` both go through ``enrich``."""

from datetime import UTC, datetime

from schemas.events import DeadLetter, EnrichedArticle, RawArticle
from services.common.codec import decode_event
from services.common.dlq import Failure, Origin, dead_letter
from services.enrichment.language import identify_language


def enrich(article: RawArticle, now: datetime | None = None) -> EnrichedArticle:
    guess = identify_language(f"{article.title}\n{article.body}")
    return EnrichedArticle(
        **article.model_dump(),
        language=guess.code,
        language_confidence=guess.confidence,
        enriched_at=now or datetime.now(UTC),
    )


def enrich_record(payload: bytes, origin: Origin) -> EnrichedArticle | DeadLetter:
    """One record of the raw topic to its enriched event, or the dead letter saying why not."""
    article = decode_event(payload, RawArticle)
    if isinstance(article, Failure):
        return dead_letter("enrichment", article, origin, payload)
    try:
        return enrich(article)
    except Exception as exc:  # any bug in one article must not stop the stream
        failure = Failure("enrichment_error", f"{type(exc).__name__}: {exc}", article.article_id)
        return dead_letter("enrichment", failure, origin, payload)
