"""From the bytes a source sent to a clean ``RawArticle``, or the reason it was refused.

Pure functions: the HTTP API, the feed poller and the NDJSON backfill all call
``parse_article`` so an article is judged and cleaned the same way whichever door it
came through.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from kabar.schemas.events import ArticleIn, RawArticle
from kabar.schemas.limits import ARTICLE_MAX_CHARS, FINGERPRINT_BITS
from kabar.services.common.codec import decode_json_object, schema_violation
from kabar.services.common.dlq import Failure
from kabar.services.common.text import without_control_characters
from kabar.services.ingestion.identity import article_id, canonical_url
from kabar.services.ingestion.normalise import (
    clean_body,
    content_hash,
    html_to_text,
    parse_regional_datetime,
    simhash,
)

# A publication time without a zone is read in the publisher's country's zone.
REGION_TIMEZONES = {
    "ID": "Asia/Jakarta",
    "MY": "Asia/Kuala_Lumpur",
    "SG": "Asia/Singapore",
    "BN": "Asia/Brunei",
}


@dataclass(frozen=True)
class Limits:
    max_article_chars: int = ARTICLE_MAX_CHARS


class EmptyBody(ValueError):
    """The body is markup, scripts or white space with no text a reader would see."""


def to_raw_article(article: ArticleIn, ingested_at: datetime) -> RawArticle:
    url = canonical_url(str(article.url)) if article.url else None
    cleaned = clean_body(article.body)
    # a body that is nothing but boilerplate keeps its visible text rather than none
    body = cleaned.text or html_to_text(article.body)
    if not body:
        raise EmptyBody("body has no readable text once markup is removed")
    return RawArticle(
        article_id=article_id(
            url=url, source=article.source, title=article.title, published_at=article.published_at
        ),
        source=article.source,
        url=url,
        title=article.title,
        body=body,
        body_original=article.body if article.body != body else None,
        dateline_place=cleaned.dateline.place,
        publisher=cleaned.dateline.publisher,
        content_hash=content_hash(f"{article.title}\n{body}"),
        fingerprint=f"{simhash(body):0{FINGERPRINT_BITS // 4}x}",
        published_at=article.published_at,
        language_hint=article.language_hint,
        region=article.region,
        ingested_at=ingested_at,
    )


def read_regional_dates(document: dict[str, Any]) -> dict[str, Any]:
    """Feeds write "Senin, 2 Desember 2024 14:30 WIB" where the schema wants ISO 8601."""
    written = document.get("published_at")
    if not isinstance(written, str):
        return document
    try:
        datetime.fromisoformat(written)
        return document
    except ValueError:
        pass
    zone = REGION_TIMEZONES.get(str(document.get("region")), "Asia/Jakarta")
    parsed = parse_regional_datetime(written, zone)
    return {**document, "published_at": parsed.isoformat()} if parsed else document


def parse_article(
    payload: bytes, limits: Limits = Limits(), ingested_at: datetime | None = None
) -> RawArticle | Failure:
    """Decodes, validates, cleans and identifies one submitted article."""
    document = decode_json_object(payload)
    if isinstance(document, Failure):
        return document
    document = {
        name: without_control_characters(value) if isinstance(value, str) else value
        for name, value in document.items()
    }
    body = document.get("body")
    if isinstance(body, str) and len(body) > limits.max_article_chars:
        return Failure(
            "article_too_long", f"body has {len(body)} characters, the limit is {limits.max_article_chars}"
        )
    try:
        article = ArticleIn.model_validate(read_regional_dates(document))
    except ValidationError as exc:
        return schema_violation(exc)
    try:
        return to_raw_article(article, ingested_at or datetime.now(UTC))
    except EmptyBody as exc:
        return Failure("empty_body", str(exc), field_errors=(("body", str(exc)),))
    except ValidationError as exc:  # the cleaned article broke a limit of the raw event
        return schema_violation(exc)
