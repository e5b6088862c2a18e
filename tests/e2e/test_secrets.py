"""Configured secrets never show up in what a run leaves behind: logs and metrics."""

import httpx

SECRETS = {
    "KABAR_API_KEYS": '["push-key-7c1e9"]',
    "KABAR_ES_PASSWORD": "es-pass-4b2d8",
    "KABAR_KAFKA_SASL_PASSWORD": "sasl-pass-9f3a1",
}


def test_secrets_stay_out_of_logs_and_metrics(pipeline, run_service) -> None:  # type: ignore[no-untyped-def]
    pipeline.env.update({**SECRETS, "KABAR_ES_USERNAME": "kabar", "KABAR_LOG_LEVEL": "DEBUG"})
    services = [run_service("ingestion"), run_service("enrichment"), run_service("indexing")]
    ingestion = services[0]
    article = {"source": "tempo.co", "url": "https://tempo.co/read/1", "title": "Judul", "body": "Isi."}
    assert httpx.post(f"{ingestion.url}/v1/articles", json=article, timeout=30).status_code == 401
    wrong = httpx.post(
        f"{ingestion.url}/v1/articles", json=article, headers={"authorization": "Bearer nope"}, timeout=30
    )
    assert wrong.status_code == 403
    good = httpx.post(
        f"{ingestion.url}/v1/articles",
        json=article,
        headers={"authorization": "Bearer push-key-7c1e9"},
        timeout=30,
    )
    assert good.status_code == 202
    exposed = [service.log_path.read_text(errors="replace") for service in services]
    exposed += [httpx.get(f"{service.url}/metrics", timeout=10).text for service in services]
    for secret in ("push-key-7c1e9", "es-pass-4b2d8", "sasl-pass-9f3a1"):
        assert not any(secret in text for text in exposed), f"{secret} leaked"
    assert sum(len(text) for text in exposed) > 10_000  # the logs and metrics were really read
