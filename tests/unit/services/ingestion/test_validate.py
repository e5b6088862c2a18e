import json
from datetime import UTC, datetime

from schemas.events import RawArticle
from services.common.dlq import Failure
from services.ingestion.validate import parse_article

NOW = datetime(2024, 12, 2, 8, tzinfo=UTC)


def article(**fields: object) -> bytes:
    base = {
        "source": "bisnis.com",
        "title": "BI tahan bunga",
        "body": "Bisnis.com, JAKARTA – Bank Indonesia ...",
    }
    return json.dumps({**base, **fields}).encode()


def test_a_valid_article_gets_its_id_and_ingestion_time() -> None:
    raw = parse_article(
        article(url="https://bisnis.com/a?utm_source=x", published_at="2024-12-02T14:30:00+07:00"), NOW
    )
    assert isinstance(raw, RawArticle)
    assert raw.url == "https://bisnis.com/a"
    assert raw.ingested_at == NOW and raw.published_at == datetime(2024, 12, 2, 7, 30, tzinfo=UTC)


def test_the_same_article_sent_twice_gets_the_same_id() -> None:
    first, second = (
        parse_article(article(url="https://b.com/x"), NOW),
        parse_article(article(url="https://b.com/x#c")),
    )
    assert isinstance(first, RawArticle) and isinstance(second, RawArticle)
    assert first.article_id == second.article_id


def test_field_errors_name_every_bad_field() -> None:
    failure = parse_article(article(title="", url="javascript:alert(1)", language_hint="Indonesian"), NOW)
    assert isinstance(failure, Failure) and failure.error_type == "schema_violation"
    for field in ("title", "url", "language_hint"):
        assert field in failure.error_message


def test_bad_encoding_and_bad_json_are_told_apart() -> None:
    assert parse_article(b"\xc3\x28", NOW) == Failure(
        "invalid_utf8", "not UTF-8: invalid continuation byte at byte 0"
    )
    failure = parse_article(b'{"title": ', NOW)
    assert isinstance(failure, Failure) and failure.error_type == "invalid_json"
