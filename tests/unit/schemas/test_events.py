from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from kabar.schemas.events import ArticleIn, DeadLetter, EnrichedArticle, EntityMention, RawArticle

RAW = {
    "article_id": "0" * 32,
    "source": "bisnis.com",
    "title": "BI tahan suku bunga",
    "body": "Bank Indonesia menahan suku bunga.",
    "published_at": "2024-12-02T14:30:00+07:00",
    "ingested_at": "2024-12-02T08:00:00Z",
}


def test_times_are_stored_in_utc_whatever_offset_came_in() -> None:
    article = RawArticle.model_validate(RAW)
    assert article.published_at == datetime(2024, 12, 2, 7, 30, tzinfo=UTC)
    assert article.published_at.utcoffset() == timedelta(0)


def test_naive_times_are_refused_because_their_zone_would_be_a_guess() -> None:
    with pytest.raises(ValidationError, match="published_at"):
        ArticleIn(source="x", title="t", body="b", published_at=datetime(2024, 12, 2, 14, 30))


def test_numbers_are_not_read_as_timestamps() -> None:
    with pytest.raises(ValidationError, match="not a number"):
        ArticleIn.model_validate({"source": "x", "title": "t", "body": "b", "published_at": 836093678})


def test_unknown_fields_are_refused_instead_of_silently_dropped() -> None:
    with pytest.raises(ValidationError, match="extra"):
        ArticleIn.model_validate({"source": "x", "title": "t", "body": "b", "extra": 1})


def test_blank_title_or_body_is_refused() -> None:
    with pytest.raises(ValidationError) as error:
        ArticleIn.model_validate({"source": "x", "title": "  ", "body": ""})
    assert {e["loc"][0] for e in error.value.errors()} == {"title", "body"}


def test_non_http_urls_are_refused() -> None:
    with pytest.raises(ValidationError, match="url"):
        ArticleIn.model_validate({"source": "x", "title": "t", "body": "b", "url": "file:///etc/passwd"})


def test_an_unknown_schema_version_is_refused() -> None:
    with pytest.raises(ValidationError, match="schema_version"):
        RawArticle.model_validate({**RAW, "schema_version": 2})


def test_enriched_event_round_trips_through_json() -> None:
    enriched = EnrichedArticle.model_validate(
        {**RAW, "language": "id", "language_confidence": 0.98, "enriched_at": "2024-12-02T08:00:01Z"}
    )
    assert EnrichedArticle.model_validate_json(enriched.model_dump_json()) == enriched


def test_dead_letter_keeps_arbitrary_bytes_through_json() -> None:
    payload = b"\xff\x00not utf-8 \xc3"
    letter = DeadLetter(
        stage="enrichment",
        error_type="invalid_utf8",
        error_message="bad",
        origin="news.raw[1]@42",
        source_topic="news.raw",
        source_partition=1,
        source_offset=42,
        payload=payload,
        failed_at=datetime(2024, 12, 2, tzinfo=timezone(timedelta(hours=7))),
    )
    again = DeadLetter.model_validate_json(letter.model_dump_json())
    assert again.payload == payload
    assert again.failed_at.tzinfo == UTC


def test_a_mention_written_before_mentions_had_an_origin_is_one_in_the_body() -> None:
    mention = {"text": "Jakarta", "label": "LOC", "start": 0, "end": 7, "canonical": "Jakarta"}
    assert EntityMention.model_validate(mention).origin == "body"
