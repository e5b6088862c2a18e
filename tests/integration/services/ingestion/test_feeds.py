"""The feed poller against feeds served by a local HTTP server and the real broker."""

import asyncio
from collections.abc import Iterator

import httpx
import pytest

from kabar.schemas.events import RawArticle
from kabar.services.common.kafka import ensure_topics, producer
from kabar.services.common.settings import IngestionSettings
from kabar.services.ingestion.feeds import FeedConfig, FeedPoller, PollResult
from kabar.services.ingestion.publish import Publisher
from tests.fixtures.feeds import ATOM, PAGE, rss
from tests.fixtures.http import FeedServer, Route


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    server = FeedServer()
    yield server
    server.close()


@pytest.fixture
def poller_for(pipeline):  # type: ignore[no-untyped-def]
    settings = pipeline.settings_as(IngestionSettings, feeds_allow_private=True, feed_timeout_s=1.0)
    ensure_topics(settings)
    kafka_producer = producer(settings, "test-feeds")
    publisher = Publisher(settings, kafka_producer)

    def make(*feeds: FeedConfig) -> FeedPoller:
        return FeedPoller(list(feeds), publisher, settings)

    yield make
    kafka_producer.close()


def feed(server: FeedServer, path: str, **options: object) -> FeedConfig:
    return FeedConfig.model_validate(
        {
            "name": path.strip("/").replace("/", "-"),
            "url": server.url + path,
            "source": "antaranews.com",
            **options,
        }
    )


def poll(poller: FeedPoller, config: FeedConfig) -> PollResult:
    async def once() -> PollResult:
        async with httpx.AsyncClient(timeout=poller.settings.feed_timeout_s) as client:
            return await poller.poll(config, client)

    return asyncio.run(once())


def test_rss_entries_go_out_once_across_polls_and_restarts(
    pipeline, poller_for, feed_server, topic_reader
) -> None:  # type: ignore[no-untyped-def]
    items = [("4512345", "BNPB catat banjir", "Jakarta (ANTARA) - BNPB mencatat banjir di Bandung.")]
    items.append(("4512346", "BI tahan suku bunga", "Jakarta (ANTARA) - Bank Indonesia menahan suku bunga."))
    feed_server.routes["/rss"] = Route(
        body=rss(items), etag='"v1"', headers={"Content-Type": "application/rss+xml"}
    )
    config = feed(feed_server, "/rss", region="ID", language="id")

    first = poll(poller_for(config), config)
    assert first.outcome == "ok" and first.summary.count("accepted") == 2
    assert poll(poller_for(config), config).outcome == "not_modified"  # a restarted poller sends the ETag
    assert feed_server.requests[-1] == ("/rss", '"v1"')

    items.append(("4512347", "Gempa M5,2 guncang Maluku", "Ambon (ANTARA) - Gempa bumi magnitudo 5,2."))
    feed_server.routes["/rss"] = Route(body=rss(items), etag='"v2"')
    third = poll(poller_for(config), config)
    assert third.outcome == "ok" and third.summary.count("accepted") == 1

    records = [RawArticle.model_validate_json(v) for _, v in topic_reader(pipeline.settings.topic_raw, 3)]
    assert len(records) == 3, "accepted must equal produced"
    newest = next(r for r in records if r.title.startswith("Gempa"))
    assert newest.url == "https://www.antaranews.com/berita/4512347"
    assert newest.body == "Gempa bumi magnitudo 5,2." and newest.dateline_place == "Ambon"
    assert newest.language_hint == "id" and newest.published_at is not None


def test_atom_feeds_and_redirects(pipeline, poller_for, feed_server) -> None:  # type: ignore[no-untyped-def]
    feed_server.routes["/atom"] = Route(body=ATOM, headers={"Content-Type": "application/atom+xml"})
    feed_server.routes["/old-atom"] = Route(301, headers={"Location": "/atom"})
    config = feed(feed_server, "/old-atom", region="MY", language="ms")
    result = poll(poller_for(config), config)
    assert result.outcome == "ok" and result.summary.count("accepted") == 2


def test_bad_feeds_are_outcomes_not_crashes(poller_for, feed_server) -> None:  # type: ignore[no-untyped-def]
    feed_server.routes["/broken"] = Route(body=b"<rss><channel><item><title>unclosed")
    feed_server.routes["/html"] = Route(body=b"<html><body>Maintenance</body></html>")
    feed_server.routes["/error"] = Route(500, b"oops")
    feed_server.routes["/slow"] = Route(body=rss([]), delay_s=3.0)
    feed_server.routes["/to-file"] = Route(302, headers={"Location": "file:///etc/passwd"})
    outcomes = {}
    for path in ("/broken", "/html", "/error", "/slow", "/to-file", "/missing"):
        config = feed(feed_server, path)
        outcomes[path] = poll(poller_for(config), config).outcome
    assert outcomes == {
        "/broken": "invalid_feed",
        "/html": "invalid_feed",
        "/error": "http_error",
        "/slow": "timeout",
        "/to-file": "refused",
        "/missing": "http_error",
    }


def test_failing_feeds_back_off_and_recover(poller_for, feed_server) -> None:  # type: ignore[no-untyped-def]
    config = feed(feed_server, "/error", interval_s=1.0)
    poller = poller_for(config)
    failed = PollResult("http_error")
    delays = [poller.next_delay(config, failed) for _ in range(8)]
    assert all(d >= config.interval_s for d in delays) and max(delays) > config.interval_s
    assert poller.next_delay(config, PollResult("ok")) == config.interval_s


def test_pages_are_fetched_for_their_main_text(pipeline, poller_for, feed_server, topic_reader) -> None:  # type: ignore[no-untyped-def]
    feed_server.routes["/rss"] = Route(
        body=rss([("1", "BNPB catat 4.200 rumah terendam banjir", "ringkasan")]).replace(
            b"https://www.antaranews.com/berita/1", f"{feed_server.url}/berita/1".encode()
        )
    )
    feed_server.routes["/berita/1"] = Route(body=PAGE, headers={"Content-Type": "text/html"})
    config = feed(feed_server, "/rss", fetch_pages=True)
    assert poll(poller_for(config), config).summary.count("accepted") == 1
    [(_, value)] = topic_reader(pipeline.settings.topic_raw, 1)
    article = RawArticle.model_validate_json(value)
    assert "4.200 rumah warga" in article.body and "ringkasan" not in article.body
    assert "Beranda" not in article.body and "Harga cabai" not in article.body and "ads" not in article.body
