"""What a hostile or broken client can send to the push API: a clear refusal or safe
cleaning, never a 500 and never a crash (real Kafka behind the API)."""

import json

from fastapi.testclient import TestClient

from kabar.schemas.events import DeadLetter, RawArticle
from kabar.services.common.settings import IngestionSettings
from kabar.services.ingestion.service import create_app
from tests.fixtures.kafka import read_topic

ARTICLE = {
    "source": "detik.com",
    "url": "https://detik.com/berita/9",
    "title": "Judul",
    "body": "Isi berita.",
}


def client_for(pipeline) -> TestClient:  # type: ignore[no-untyped-def]
    return TestClient(create_app(pipeline.settings_as(IngestionSettings)))


def test_markup_scripts_huge_attributes_and_control_characters_are_cleaned(pipeline) -> None:  # type: ignore[no-untyped-def]
    body = (
        '<p data-tracking="' + "A" * 150_000 + '">Banjir melanda Bandung.</p>'
        "<script>alert('x')</script><style>p{}</style>"
        "<p>Warga\x00 mengungsi\x07 ke\u200b masjid.</p>"
    )
    with client_for(pipeline) as client:
        response = client.post("/v1/articles", json={**ARTICLE, "body": body})
    assert response.status_code == 202, response.text
    [(_, value)] = read_topic(pipeline.settings.kafka_bootstrap, pipeline.settings.topic_raw, 1)
    article = RawArticle.model_validate_json(value)
    assert article.body == "Banjir melanda Bandung.\n\nWarga mengungsi ke masjid."
    assert "alert" not in article.body and "AAAA" not in article.body


def test_invalid_utf8_deep_nesting_and_wrong_shapes_are_refused_with_a_reason(pipeline) -> None:  # type: ignore[no-untyped-def]
    cases = {
        b"\xff\xfe\xfa": "invalid_utf8",
        b"[" * 200_000 + b"]" * 200_000: "invalid_json",
        b'{"a": ' * 50_000 + b"1" + b"}" * 50_000: "invalid_json",
        b'"just a string"': "invalid_json",
        json.dumps({**ARTICLE, "title": {"nested": ["x"]}}).encode(): "schema_violation",
        json.dumps({**ARTICLE, "published_at": "x" * 10_000}).encode(): "schema_violation",
    }
    with client_for(pipeline) as client:
        for body, reason in cases.items():
            response = client.post("/v1/articles", content=body, headers={"content-type": "application/json"})
            assert response.status_code == 422, (body[:40], response.status_code)
            assert response.json()["items"][0]["reason"] == reason, body[:40]


def test_an_article_over_the_length_limit_is_dead_lettered_with_its_start(pipeline) -> None:  # type: ignore[no-untyped-def]
    body = '<p data-tracking="' + "A" * 1_000_000 + '">Banjir.</p>'
    with client_for(pipeline) as client:
        response = client.post("/v1/articles", json={**ARTICLE, "body": body})
    assert response.status_code == 422 and response.json()["items"][0]["reason"] == "article_too_long"
    [(_, value)] = read_topic(pipeline.settings.kafka_bootstrap, pipeline.settings.topic_dlq, 1)
    letter = DeadLetter.model_validate_json(value)
    assert letter.payload_size is not None and letter.payload_size > 1_000_000
    assert len(letter.payload) == 256 * 1024 and letter.payload.startswith(b'{"source"')


def test_a_10_mb_body_is_refused_before_it_is_read_whole(pipeline) -> None:  # type: ignore[no-untyped-def]
    huge = json.dumps({**ARTICLE, "body": "x" * 10_500_000}).encode()
    with client_for(pipeline) as client:
        response = client.post("/v1/articles", content=huge, headers={"content-type": "application/json"})
        assert response.status_code == 413
        assert client.get("/healthz").status_code == 200
