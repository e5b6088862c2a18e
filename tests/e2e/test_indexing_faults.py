"""The indexing service under search-server faults: nothing is lost, nothing duplicated."""

import threading
import time
from datetime import UTC, datetime

import httpx
from kafka import KafkaProducer

from schemas.events import EnrichedArticle
from services.common.kafka import ensure_topics
from services.common.settings import KabarSettings
from services.indexing.index_design import sync_client
from tests.fixtures.fault_proxy import FaultProxy
from tests.fixtures.kafka import read_topic


def event(n: int) -> bytes:
    now = datetime.now(UTC)
    return (
        EnrichedArticle(
            article_id=f"{n:032x}",
            source="antaranews.com",
            title=f"Berita {n}",
            body="Banjir melanda Kabupaten Bandung.",
            ingested_at=now,
            language="id",
            language_confidence=0.99,
            enriched_at=now,
        )
        .model_dump_json()
        .encode()
    )


def produce_steadily(settings: KabarSettings, count: int, per_second: float) -> threading.Thread:
    def run() -> None:
        producer = KafkaProducer(bootstrap_servers=settings.kafka_bootstrap, acks="all")
        for n in range(count):
            producer.send(settings.topic_enriched, key=f"{n:032x}".encode(), value=event(n))
            time.sleep(1 / per_second)
        producer.flush()
        producer.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def indexed(settings: KabarSettings) -> int:
    with sync_client(settings) as es:
        if not es.indices.exists_alias(name=settings.es_alias):
            return 0
        es.indices.refresh(index=settings.es_alias)
        return int(es.count(index=settings.es_alias)["count"])


def wait_for_count(settings: KabarSettings, expected: int, timeout_s: float) -> int:
    deadline = time.monotonic() + timeout_s
    count = indexed(settings)
    while count < expected and time.monotonic() < deadline:
        time.sleep(1)
        count = indexed(settings)
    return count


def test_the_search_server_stopped_for_30_seconds_loses_nothing(
    pipeline, private_servers, run_service
) -> None:  # type: ignore[no-untyped-def]
    addresses = {
        "KABAR_KAFKA_BOOTSTRAP": private_servers.settings.kafka_bootstrap,
        "KABAR_ES_URL": private_servers.settings.es_url,
    }
    pipeline.env.update(addresses)
    settings = pipeline.settings_as(
        KabarSettings, kafka_bootstrap=addresses["KABAR_KAFKA_BOOTSTRAP"], es_url=addresses["KABAR_ES_URL"]
    )
    ensure_topics(settings)
    indexing = run_service("indexing")
    producing = produce_steadily(settings, 400, per_second=10)
    time.sleep(5)
    private_servers.stop_service("elasticsearch")
    time.sleep(30)
    assert httpx.get(f"{indexing.url}/readyz", timeout=5).status_code == 503  # it says so, and waits
    private_servers.start_service("elasticsearch")
    producing.join()
    assert wait_for_count(settings, 400, 120) == 400
    metrics = httpx.get(f"{indexing.url}/metrics", timeout=5).text
    assert "kabar_dead_letters_total{reason=" not in metrics or 'stage="indexing"' not in metrics


def test_429_and_503_storms_are_retried_without_loss(pipeline, run_service) -> None:  # type: ignore[no-untyped-def]
    proxy = FaultProxy(pipeline.settings.es_url, request_faults=[429, 503, 429], item_fault_every=7)
    pipeline.env["KABAR_ES_URL"] = proxy.url
    pipeline.env["KABAR_BULK_BACKOFF_S"] = "0.05"
    settings = pipeline.settings
    ensure_topics(settings)
    try:
        indexing = run_service("indexing")
        produce_steadily(settings, 300, per_second=100).join()
        assert wait_for_count(settings, 300, 120) == 300
        assert read_topic(settings.kafka_bootstrap, settings.topic_dlq, 0, timeout_s=2) == []
        time.sleep(2)
        assert wait_for_count(settings, 301, 0) == 300  # and not one more: no duplicates
        metrics = httpx.get(f"{indexing.url}/metrics", timeout=5).text
    finally:
        proxy.close()
    assert proxy.injected_requests >= 3 and proxy.injected_items > 0
    assert 'kabar_es_bulk_retries_total{reason="status_429",service="indexing"}' in metrics
    assert 'kabar_es_bulk_retries_total{reason="item_status",service="indexing"}' in metrics
