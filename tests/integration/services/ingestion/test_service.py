import json

from fastapi.testclient import TestClient

from schemas.events import RawArticle
from services.common.kafka import ensure_topics
from services.common.settings import IngestionSettings
from services.ingestion.service import create_app

ARTICLE = {
    "source": "antaranews.com",
    "url": "https://antaranews.com/berita/1",
    "title": "Gempa",
    "body": "Gempa M5,2.",
}


def client_for(pipeline, **overrides) -> TestClient:  # type: ignore[no-untyped-def]
    settings = IngestionSettings(**{**pipeline.settings.model_dump(), **overrides})
    ensure_topics(settings)
    return TestClient(create_app(settings))


def test_one_json_article_is_acknowledged_after_kafka_has_it(pipeline, topic_reader) -> None:  # type: ignore[no-untyped-def]
    with client_for(pipeline) as client:
        response = client.post("/v1/articles", json=ARTICLE)
        assert response.status_code == 202, response.text
        body = response.json()
        assert body["accepted"] == 1 and body["items"][0]["status"] == "accepted"
        [(key, value)] = topic_reader(pipeline.settings.topic_raw, 1)
        assert (
            RawArticle.model_validate_json(value).article_id == body["items"][0]["article_id"] == key.decode()
        )


def test_an_ndjson_batch_reports_each_item(pipeline) -> None:  # type: ignore[no-untyped-def]
    lines = [json.dumps({**ARTICLE, "url": f"https://antaranews.com/berita/{n}"}) for n in range(3)]
    body = "\n".join([lines[0], "{bad", lines[1], json.dumps({"title": "no body"}), lines[2]]) + "\n"
    with client_for(pipeline) as client:
        response = client.post("/v1/articles", content=body, headers={"content-type": "application/x-ndjson"})
    assert response.status_code == 202
    result = response.json()
    assert (result["accepted"], result["rejected"]) == (3, 2)
    assert [i["reason"] for i in result["items"] if i["status"] == "rejected"] == [
        "invalid_json",
        "schema_violation",
    ]


def test_api_keys_are_required_when_configured(pipeline) -> None:  # type: ignore[no-untyped-def]
    with client_for(pipeline, api_keys=["s3cret-key"]) as client:
        assert client.post("/v1/articles", json=ARTICLE).status_code == 401
        assert (
            client.post("/v1/articles", json=ARTICLE, headers={"authorization": "Bearer wrong"}).status_code
            == 403
        )
        ok = client.post("/v1/articles", json=ARTICLE, headers={"authorization": "Bearer s3cret-key"})
        assert ok.status_code == 202


def test_oversized_bodies_are_refused(pipeline) -> None:  # type: ignore[no-untyped-def]
    with client_for(pipeline, max_body_bytes=100) as client:
        assert client.post("/v1/articles", json={**ARTICLE, "body": "x" * 200}).status_code == 413


def test_health_readiness_and_metrics(pipeline) -> None:  # type: ignore[no-untyped-def]
    with client_for(pipeline) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        assert client.get("/readyz").status_code == 200
        client.post("/v1/articles", json=ARTICLE)
        metrics = client.get("/metrics").text
        assert 'kabar_events_total{outcome="ok",service="ingestion",stage="ingestion"}' in metrics
