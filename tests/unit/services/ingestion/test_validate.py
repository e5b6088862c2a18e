import json
from datetime import UTC, datetime
from pathlib import Path

from kabar.schemas.events import RawArticle
from kabar.services.common.dlq import Failure
from kabar.services.ingestion.validate import Limits, parse_article

REPO_ROOT = Path(__file__).resolve().parents[4]
# the fingerprints the first, per-word implementation of simhash gave the samples: stored
# fingerprints are compared with new ones, so a faster implementation must keep every bit
SAMPLE_FINGERPRINTS = Path(__file__).with_name("sample_fingerprints.json")
NOW = datetime(2024, 12, 2, 8, tzinfo=UTC)
BODY = (
    "Bisnis.com, JAKARTA – Bank Indonesia menahan suku bunga acuan pada Rabu (4/12/2024).\n"
    "Baca Juga: Rupiah Menguat ke Rp15.800\n"
    "Gubernur BI mengatakan inflasi terkendali.\n"
    "ADVERTISEMENT\n"
    "Editor: Rina"
)


def parse(limits: Limits | None = None, **fields: object) -> RawArticle | Failure:
    base = {"source": "bisnis.com", "title": "BI tahan bunga", "body": BODY}
    return parse_article(json.dumps({**base, **fields}).encode(), limits or Limits(), ingested_at=NOW)


def test_a_valid_article_gets_its_id_ingestion_time_and_utc_dates() -> None:
    raw = parse(url="https://bisnis.com/a?utm_source=x", published_at="2024-12-02T14:30:00+07:00")
    assert isinstance(raw, RawArticle)
    assert raw.url == "https://bisnis.com/a"
    assert raw.ingested_at == NOW and raw.published_at == datetime(2024, 12, 2, 7, 30, tzinfo=UTC)


def test_the_body_is_cleaned_and_the_original_kept() -> None:
    raw = parse()
    assert isinstance(raw, RawArticle)
    assert raw.body.startswith("Bank Indonesia menahan") and "Baca Juga" not in raw.body
    assert "ADVERTISEMENT" not in raw.body and "Editor" not in raw.body
    assert raw.body_original == BODY
    assert (raw.dateline_place, raw.publisher) == ("Jakarta", "Bisnis.com")
    assert len(raw.content_hash) == 64 and len(raw.fingerprint) == 64


def test_regional_publication_dates_are_read_in_the_regions_zone() -> None:
    jakarta = parse(published_at="Senin, 2 Desember 2024 14:30 WIB", region="ID")
    kuala_lumpur = parse(published_at="Isnin, 2 Disember 2024 14:30", region="MY")
    assert isinstance(jakarta, RawArticle) and isinstance(kuala_lumpur, RawArticle)
    assert jakarta.published_at == datetime(2024, 12, 2, 7, 30, tzinfo=UTC)
    assert kuala_lumpur.published_at == datetime(2024, 12, 2, 6, 30, tzinfo=UTC)


def test_an_unreadable_date_is_a_field_error_not_a_guess() -> None:
    failure = parse(published_at="kemarin sore")
    assert isinstance(failure, Failure) and failure.field_errors[0][0] == "published_at"


def test_the_same_article_sent_twice_gets_the_same_id_and_hash() -> None:
    first, second = parse(url="https://b.com/x"), parse(url="https://b.com/x#c")
    assert isinstance(first, RawArticle) and isinstance(second, RawArticle)
    assert (first.article_id, first.content_hash) == (second.article_id, second.content_hash)


def test_field_errors_name_every_bad_field() -> None:
    failure = parse(title="", url="javascript:alert(1)", language_hint="Indonesian")
    assert isinstance(failure, Failure) and failure.error_type == "schema_violation"
    assert {field for field, _ in failure.field_errors} == {"title", "url", "language_hint"}


def test_overlong_articles_are_refused_before_any_work() -> None:
    failure = parse(Limits(max_article_chars=100))
    assert isinstance(failure, Failure) and failure.error_type == "article_too_long"


def test_bad_encoding_and_bad_json_are_told_apart() -> None:
    assert parse_article(b"\xc3\x28") == Failure(
        "invalid_utf8", "not UTF-8: invalid continuation byte at byte 0"
    )
    failure = parse_article(b'{"title": ')
    assert isinstance(failure, Failure) and failure.error_type == "invalid_json"


def test_dates_outside_what_the_index_can_hold_are_refused_not_raised() -> None:
    for written in ("9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+01:00", "1850-01-01T00:00:00Z"):
        failure = parse(published_at=written)
        assert isinstance(failure, Failure) and failure.error_type == "schema_violation", written
        assert failure.field_errors[0][0] == "published_at"


def test_a_number_past_pythons_integer_limit_is_invalid_json() -> None:
    payload = b'{"source": "x", "title": "t", "body": "b", "n": ' + b"9" * 5_000 + b"}"
    failure = parse_article(payload)
    assert isinstance(failure, Failure) and failure.error_type == "invalid_json"


def test_control_characters_and_escape_sequences_are_removed_from_every_field() -> None:
    raw = parse(
        source="bisnis\x1b[31m.com",
        title="\x1b]0;pwned\x07BI tahan\x9b2J bunga\ud800",
        body="Rupiah\x00 menguat\x1b[0m pada Rabu.",
    )
    assert isinstance(raw, RawArticle)
    assert (raw.source, raw.title, raw.body) == ("bisnis.com", "BI tahan bunga", "Rupiah menguat pada Rabu.")
    raw.model_dump_json()  # a lone surrogate would make this raise


def test_a_body_of_markup_alone_is_refused_and_never_kept_raw() -> None:
    for body in ("<script>alert(1)</script>", "<style>p{}</style><div></div>", "<p> &nbsp; </p>"):
        failure = parse(body=body)
        assert isinstance(failure, Failure) and failure.error_type == "empty_body", body


def test_markup_is_cleaned_alike_whether_the_body_is_html_only_or_mixed() -> None:
    mixed = parse(body="Banjir melanda Bandung.<script>alert(1)</script>")
    html_only = parse(body="<p>Banjir melanda Bandung.</p><script>alert(1)</script>")
    assert isinstance(mixed, RawArticle) and isinstance(html_only, RawArticle)
    assert mixed.body == html_only.body == "Banjir melanda Bandung."


def test_a_body_that_is_all_boilerplate_keeps_its_visible_text() -> None:
    raw = parse(body="<p>Baca juga: Rupiah menguat</p>")
    assert isinstance(raw, RawArticle) and raw.body == "Baca juga: Rupiah menguat"


def test_every_sample_keeps_the_fingerprint_it_has_always_had() -> None:
    expected = json.loads(SAMPLE_FINGERPRINTS.read_text())
    lines = (REPO_ROOT / "samples" / "articles.ndjson").read_bytes().splitlines()
    fingerprints = {}
    for line in lines:
        raw = parse_article(line, ingested_at=NOW)
        assert isinstance(raw, RawArticle)
        fingerprints[raw.url] = raw.fingerprint
    assert len(fingerprints) == len(lines) == 36
    assert fingerprints == expected
