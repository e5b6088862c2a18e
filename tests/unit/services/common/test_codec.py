from kabar.schemas.events import RawArticle
from kabar.schemas.limits import EVENT_MAX_BYTES
from kabar.services.common.codec import decode_event
from kabar.services.common.dlq import Failure

VALID = (
    b'{"article_id": "' + b"a" * 32 + b'", "source": "s", "title": "t", "body": "b",'
    b' "ingested_at": "2024-12-02T08:00:00Z"}'
)


def test_a_valid_event_decodes() -> None:
    assert isinstance(decode_event(VALID, RawArticle), RawArticle)


def test_each_kind_of_bad_input_has_its_own_reason() -> None:
    cases = {
        b"\xff\xfe": "invalid_utf8",
        b"{not json": "invalid_json",
        b"[1, 2]": "invalid_json",
        b'{"source": "s"}': "schema_violation",
        b"[" * 100_000: "invalid_json",
        VALID[:-1] + b', "region": "' + b"x" * EVENT_MAX_BYTES + b'"}': "oversized",
    }
    for payload, reason in cases.items():
        result = decode_event(payload, RawArticle)
        assert isinstance(result, Failure), payload[:20]
        assert result.error_type == reason, payload[:20]


def test_a_schema_violation_keeps_the_article_id_when_there_is_one() -> None:
    result = decode_event(b'{"article_id": "' + b"b" * 32 + b'", "title": 5}', RawArticle)
    assert isinstance(result, Failure)
    assert result.article_id == "b" * 32
    assert "title" in result.error_message and "body: Field required" in result.error_message
