"""Ingestion while the broker goes away and comes back: nothing accepted is lost, nothing
is reported accepted that Kafka did not acknowledge."""

import json
import threading
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kabar.processes import wait_until
from kabar.schemas.events import RawArticle
from kabar.services.common.kafka import ensure_topics, producer
from kabar.services.common.settings import IngestionSettings
from kabar.services.ingestion.backfill import backfill, checkpoint_path, input_files
from kabar.services.ingestion.publish import Publisher, Summary
from kabar.services.ingestion.service import create_app
from tests.fixtures.kafka import read_topic


def write_backfill(path: Path, count: int) -> Path:
    lines = (
        json.dumps(
            {
                "source": "tempo.co",
                "url": f"https://tempo.co/read/{n}",
                "title": f"Berita {n}",
                "body": "Isi.",
            }
        )
        for n in range(count)
    )
    path.write_text("\n".join(lines) + "\n")
    return path


def distinct_ids(bootstrap: str, topic: str, expected: int) -> set[str]:
    return {
        RawArticle.model_validate_json(v).article_id for _, v in read_topic(bootstrap, topic, expected, 60)
    }


def test_backfill_waits_out_a_broker_restart(pipeline, private_servers, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = pipeline.settings_as(
        IngestionSettings, kafka_bootstrap=private_servers.settings.kafka_bootstrap, produce_timeout_s=5
    )
    ensure_topics(settings)
    source = write_backfill(tmp_path / "big.ndjson", 3_000)
    kafka_producer = producer(settings, "test-outage")
    result: dict[str, Summary] = {}

    def run() -> None:
        result["summary"] = backfill(
            input_files([source]), Publisher(settings, kafka_producer), settings.state_dir, chunk_size=200
        )

    worker = threading.Thread(target=run)
    worker.start()
    marker = checkpoint_path(settings.state_dir, source)
    deadline = time.monotonic() + 60
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marker.exists(), "no chunk was acknowledged"
    # the broker alone goes away: stopping the whole stand-in process can lose writes it
    # acknowledged while saving its snapshot, which is its durability, not Kabar's
    private_servers.stop_service("kafka")
    time.sleep(settings.produce_timeout_s + 2)  # long enough for a chunk to time out and be sent again
    private_servers.start_service("kafka")
    worker.join(timeout=240)
    kafka_producer.close(timeout=5)
    assert not worker.is_alive()

    summary = result["summary"]
    assert summary.count("accepted") == 3_000
    accepted = {o.article_id for o in summary.outcomes}
    on_topic = distinct_ids(settings.kafka_bootstrap, settings.topic_raw, 3_000)
    missing = sorted(
        int(o.origin.rsplit(":", 1)[1]) for o in summary.outcomes if o.article_id not in on_topic
    )
    assert on_topic == accepted, (len(missing), missing[:5], missing[-5:])


def test_an_interrupted_backfill_resumes_after_the_last_acknowledged_chunk(pipeline, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = pipeline.settings_as(IngestionSettings)
    ensure_topics(settings)
    source = write_backfill(tmp_path / "part.ndjson", 1_000)
    kafka_producer = producer(settings, "test-resume")

    class StopsAfterThreeChunks(Publisher):
        calls = 0

        def publish(self, items):  # type: ignore[no-untyped-def]
            self.calls += 1
            if self.calls > 3:
                raise KeyboardInterrupt
            return super().publish(items)

    with pytest.raises(KeyboardInterrupt):
        backfill(
            [source], StopsAfterThreeChunks(settings, kafka_producer), settings.state_dir, chunk_size=100
        )
    resumed = backfill([source], Publisher(settings, kafka_producer), settings.state_dir, chunk_size=100)
    kafka_producer.close()
    assert len(resumed.outcomes) == 700
    assert resumed.outcomes[0].origin == f"{source}:301"
    assert not checkpoint_path(settings.state_dir, source).exists()
    assert len(distinct_ids(settings.kafka_bootstrap, settings.topic_raw, 1_000)) == 1_000


def test_the_api_answers_503_while_kafka_is_down_and_recovers(pipeline, private_servers) -> None:  # type: ignore[no-untyped-def]
    settings = pipeline.settings_as(
        IngestionSettings, kafka_bootstrap=private_servers.settings.kafka_bootstrap, produce_timeout_s=3
    )
    article = {"source": "detik.com", "url": "https://detik.com/x", "title": "Judul", "body": "Isi."}
    with TestClient(create_app(settings)) as client:
        assert client.post("/v1/articles", json=article).status_code == 202
        private_servers.stop_service("kafka")
        down = client.post("/v1/articles", json={**article, "url": "https://detik.com/y"})
        assert down.status_code == 503 and down.headers["retry-after"] == "5"
        assert client.get("/readyz").status_code == 503
        private_servers.start_service("kafka")
        # a client honouring Retry-After gets in once the producer has reconnected, which
        # can take a few tries after the broker answers again
        deadline = time.monotonic() + 60
        again = client.post("/v1/articles", json={**article, "url": "https://detik.com/y"})
        while again.status_code == 503 and time.monotonic() < deadline:
            time.sleep(1)
            again = client.post("/v1/articles", json={**article, "url": "https://detik.com/y"})
        assert again.status_code == 202 and again.json()["accepted"] == 1
        # the probe's own client finds its old connection dead on its first question after
        # the restart, and reconnects for the next: ready within a few polls
        wait_until(lambda: client.get("/readyz").status_code == 200, 30, "ingestion ready again")
    assert len(distinct_ids(settings.kafka_bootstrap, settings.topic_raw, 2)) == 2


def test_the_feed_poller_keeps_its_cursor_until_kafka_acknowledges(
    pipeline, private_servers, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    import asyncio

    import httpx

    from kabar.services.ingestion.feeds import FeedConfig, FeedPoller
    from tests.fixtures.feeds import rss
    from tests.fixtures.http import FeedServer, Route

    server = FeedServer()
    server.routes["/rss"] = Route(
        body=rss([("1", "Banjir Bandung", "Isi berita banjir."), ("2", "Gempa Ambon", "Isi gempa.")])
    )
    settings = pipeline.settings_as(
        IngestionSettings,
        kafka_bootstrap=private_servers.settings.kafka_bootstrap,
        produce_timeout_s=3,
        feeds_allow_private=True,
    )
    ensure_topics(settings)
    config = FeedConfig(name="local", url=f"{server.url}/rss", source="antaranews.com")  # type: ignore[arg-type]
    kafka_producer = producer(settings, "test-feed-outage", settings.produce_timeout_s)
    poller = FeedPoller([config], Publisher(settings, kafka_producer), settings)

    async def poll_once() -> str:
        async with httpx.AsyncClient() as client:
            return (await poller.poll(config, client)).outcome

    private_servers.stop_service("kafka")
    asked = time.monotonic()
    assert asyncio.run(poll_once()) == "kafka_unavailable"
    # within its produce timeout (3 s, twice: the send, then the wait for the ack), not after
    # the 60 s a producer without metadata would block in send() by default
    assert time.monotonic() - asked < 30
    private_servers.start_service("kafka")
    outcomes = []
    deadline = time.monotonic() + 60
    while "ok" not in outcomes and time.monotonic() < deadline:  # as the poller would, on its schedule
        outcomes.append(asyncio.run(poll_once()))
    assert outcomes[-1] == "ok" and set(outcomes) <= {"ok", "kafka_unavailable"}
    kafka_producer.close(timeout=5)
    server.close()
    assert len(distinct_ids(settings.kafka_bootstrap, settings.topic_raw, 2)) == 2
