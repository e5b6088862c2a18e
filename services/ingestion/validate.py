"""From the bytes a source sent to a ``RawArticle`` or the reason it was refused.

Pure functions: the HTTP API and the NDJSON backfill both call ``parse_article`` so a
line is judged the same way whichever door it came through.
"""

from datetime import UTC, datetime

from schemas.events import ArticleIn, RawArticle
from services.common.codec import decode_event
from services.common.dlq import Failure
from services.ingestion.identity import article_id, canonical_url


def to_raw_article(article: ArticleIn, ingested_at: datetime) -> RawArticle:
    url = canonical_url(str(article.url)) if article.url else None
    return RawArticle(
        article_id=article_id(
            url=url, source=article.source, title=article.title, published_at=article.published_at
        ),
        source=article.source,
        url=url,
        title=article.title,
        body=article.body,
        published_at=article.published_at,
        language_hint=article.language_hint,
        region=article.region,
        ingested_at=ingested_at,
    )


def parse_article(payload: bytes, ingested_at: datetime | None = None) -> RawArticle | Failure:
    """Decodes, validates and identifies one submitted article."""
    article = decode_event(payload, ArticleIn)
    if isinstance(article, Failure):
        return article
    return to_raw_article(article, ingested_at or datetime.now(UTC))
