import json

from fastapi.testclient import TestClient

from kabar.schemas.events import RawArticle
from kabar.services.common.settings import IngestionSettings
from kabar.services.ingestion.service import create_app

ARTICLE = {
    "source": "antaranews.com",
    "url": "https://antaranews.com/berita/1",
    "title": "Gempa",
    "body": "Gempa M5,2.",
}


def client_for(pipeline, **overrides) -> TestClient:  # type: ignore[no-untyped-def]
    return TestClient(create_app(pipeline.settings_as(IngestionSettings, **overrides)))


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


def test_a_single_invalid_article_is_a_422_with_field_errors(pipeline) -> None:  # type: ignore[no-untyped-def]
    with client_for(pipeline) as client:
        response = client.post("/v1/articles", json={"source": "x", "title": 5, "url": "ftp://x"})
    assert response.status_code == 422
    [item] = response.json()["items"]
    fields = {e["field"] for e in item["field_errors"]}
    assert item["reason"] == "schema_violation" and fields == {"title", "url", "body"}


def test_resending_the_same_article_is_reported_as_duplicate(pipeline) -> None:  # type: ignore[no-untyped-def]
    with client_for(pipeline) as client:
        assert client.post("/v1/articles", json=ARTICLE).json()["accepted"] == 1
        again = client.post("/v1/articles", json=ARTICLE).json()
    assert (again["accepted"], again["duplicates"]) == (0, 1)
    assert again["items"][0]["status"] == "duplicate"


def test_limits_and_media_types_are_enforced(pipeline) -> None:  # type: ignore[no-untyped-def]
    with client_for(pipeline, max_batch_items=2) as client:
        batch = "\n".join(json.dumps(ARTICLE) for _ in range(3))
        ndjson = {"content-type": "application/x-ndjson"}
        assert client.post("/v1/articles", content=batch, headers=ndjson).status_code == 413
        assert (
            client.post("/v1/articles", content="hello", headers={"content-type": "text/plain"}).status_code
            == 415
        )


def test_the_openapi_spec_documents_the_push_body_and_answers(pipeline) -> None:  # type: ignore[no-untyped-def]
    with client_for(pipeline) as client:
        spec = client.get("/openapi.json").json()
    operation = spec["paths"]["/v1/articles"]["post"]
    assert set(operation["requestBody"]["content"]) == {"application/json", "application/x-ndjson"}
    assert {"202", "401", "403", "413", "415", "422", "503"} <= set(operation["responses"])
