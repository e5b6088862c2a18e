"""RSS/Atom polling: configured feeds to articles on the raw topic, each entry once.

Per feed: conditional GET (ETag / Last-Modified), backoff with jitter after errors, and a
cursor on disk (validators plus the ids of entries already acknowledged by Kafka) so a
restart does not send again what was sent. Entries go through ``Publisher.publish``, the
same door as pushed and backfilled articles.
"""

import asyncio
import ipaddress
import json
import logging
import socket
import time
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit
from xml.sax import SAXException

import feedparser
import httpx
from kafka.errors import KafkaError
from pydantic import BaseModel, ConfigDict, Field, HttpUrl

from kabar.services.common.dlq import Origin
from kabar.services.common.metrics import FEED_POLLS
from kabar.services.common.retry import Backoff
from kabar.services.common.settings import IngestionSettings
from kabar.services.ingestion.publish import Publisher, Summary

log = logging.getLogger(__name__)
MAX_REDIRECTS = 5
REMEMBERED_ENTRIES = 2_000


class FeedConfig(BaseModel):
    """One feed of the feeds file (TOML, a ``[[feeds]]`` table per feed)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,64}$")
    url: HttpUrl
    source: str = Field(min_length=1)
    region: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    language: str | None = Field(default=None, pattern=r"^[a-z]{2}$")
    interval_s: float = Field(default=300.0, gt=0)
    fetch_pages: bool = False


def load_feeds(path: Path) -> list[FeedConfig]:
    feeds = [
        FeedConfig.model_validate(entry) for entry in tomllib.loads(path.read_text("utf-8")).get("feeds", [])
    ]
    names = [feed.name for feed in feeds]
    if len(set(names)) != len(names):
        raise ValueError(f"{path}: feed names must be unique")
    return feeds


class UnsafeUrl(ValueError):
    """A URL the poller must not fetch (scheme, or an address inside the network)."""


def check_fetchable(url: str, allow_private: bool) -> None:
    """Refuses anything but http(s), and private, loopback or link-local hosts unless allowed,
    so a feed (or a redirect, or an entry's link) cannot make the poller reach inside."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeUrl(f"only http(s) URLs are fetched, not {url!r}")
    if allow_private:
        return
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(parts.hostname, parts.port or 443)}
    except socket.gaierror as exc:
        raise UnsafeUrl(f"cannot resolve {parts.hostname}: {exc}") from exc
    for address in addresses:
        ip = ipaddress.ip_address(str(address).split("%")[0])
        if not ip.is_global:
            raise UnsafeUrl(f"{parts.hostname} resolves to a non-public address {ip}")


@dataclass
class FeedCursor:
    """What the poller remembers of a feed between polls and across restarts."""

    etag: str | None = None
    last_modified: str | None = None
    seen: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path) -> "FeedCursor":
        try:
            return cls(**json.loads(path.read_text()))
        except (FileNotFoundError, ValueError, TypeError):
            return cls()

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(self.__dict__))
        temporary.replace(path)

    def remember(self, entry_ids: Sequence[str]) -> None:
        self.seen = (self.seen + [i for i in entry_ids if i not in self.seen])[-REMEMBERED_ENTRIES:]


@dataclass(frozen=True)
class FeedEntry:
    entry_id: str
    url: str | None
    title: str
    content: str
    published_at: datetime | None


def parse_feed(content: bytes) -> list[FeedEntry]:
    """Entries of an RSS 0.9x/1.0/2.0 or Atom document; raises ValueError when it is neither.

    A document that is not well-formed XML is refused whole: what a lenient parse recovers
    from a truncated feed can be half an entry. Harmless complaints (a wrong declared
    encoding, a text/html content type) are let through.
    """
    parsed = feedparser.parse(content)
    problem = parsed.get("bozo_exception")
    if isinstance(problem, SAXException):
        raise ValueError(f"feed is not well-formed XML: {problem}")
    if not parsed.entries and not parsed.get("version"):
        raise ValueError(f"not an RSS or Atom feed: {problem or 'no feed elements'}")
    entries = []
    for entry in parsed.entries:
        url = entry.get("link")
        entry_id = entry.get("id") or url or entry.get("title")
        if not entry_id:
            continue
        text = str((entry.get("content") or [{}])[0].get("value") or entry.get("summary") or "")
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        published = datetime(*stamp[:6]).replace(tzinfo=UTC) if stamp else None
        entries.append(FeedEntry(str(entry_id), url, str(entry.get("title") or ""), text, published))
    return entries


def entry_payload(entry: FeedEntry, feed: FeedConfig, page_text: str | None) -> bytes:
    """The entry as an article document, judged like any pushed article."""
    document: dict[str, Any] = {
        "source": feed.source,
        "url": entry.url,
        "title": entry.title,
        "body": page_text or entry.content,
        "published_at": entry.published_at.isoformat() if entry.published_at else None,
        "language_hint": feed.language,
        "region": feed.region,
    }
    return json.dumps({k: v for k, v in document.items() if v is not None}, ensure_ascii=False).encode()


def main_text(html: str) -> str | None:
    """The article's own text from its page, without menus, comments and related links."""
    import trafilatura

    return trafilatura.extract(html, include_comments=False, include_tables=False, favor_precision=True)


PollOutcome = Literal[
    "ok",
    "not_modified",
    "http_error",
    "timeout",
    "unreachable",
    "invalid_feed",
    "refused",
    "kafka_unavailable",
    "error",
]


@dataclass(frozen=True)
class PollResult:
    outcome: PollOutcome
    summary: Summary = field(default_factory=Summary)
    detail: str = ""


class FeedPoller:
    def __init__(self, feeds: list[FeedConfig], publisher: Publisher, settings: IngestionSettings) -> None:
        self.feeds = feeds
        self.publisher = publisher
        self.settings = settings
        self.backoff = Backoff(base_s=5.0, max_s=3_600.0)
        self.failures: dict[str, int] = {feed.name: 0 for feed in feeds}

    def cursor_path(self, feed: FeedConfig) -> Path:
        return self.settings.state_dir / "feeds" / f"{feed.name}.json"

    async def fetch(self, client: httpx.AsyncClient, url: str, headers: dict[str, str]) -> httpx.Response:
        """GET with every redirect hop checked and the body capped at ``feed_max_bytes``."""
        for _ in range(MAX_REDIRECTS + 1):
            check_fetchable(url, self.settings.feeds_allow_private)
            async with client.stream("GET", url, headers=headers) as response:
                if response.is_redirect and "location" in response.headers:
                    url = urljoin(url, response.headers["location"])
                    continue
                body = bytearray()
                async for chunk in response.aiter_bytes():
                    body.extend(chunk)
                    if len(body) > self.settings.feed_max_bytes:
                        raise ValueError(f"{url}: over {self.settings.feed_max_bytes} bytes")
                return httpx.Response(response.status_code, headers=response.headers, content=bytes(body))
        raise ValueError(f"more than {MAX_REDIRECTS} redirects")

    async def poll(self, feed: FeedConfig, client: httpx.AsyncClient) -> PollResult:
        """One poll: fetch, parse, send the entries not sent before, then move the cursor."""
        cursor = FeedCursor.load(self.cursor_path(feed))
        headers = {"user-agent": "Kabar/1 (+news pipeline)"}
        if cursor.etag:
            headers["if-none-match"] = cursor.etag
        if cursor.last_modified:
            headers["if-modified-since"] = cursor.last_modified
        try:
            response = await self.fetch(client, str(feed.url), headers)
        except UnsafeUrl as exc:
            return PollResult("refused", detail=str(exc))
        except httpx.TimeoutException as exc:
            return PollResult("timeout", detail=repr(exc))
        except (httpx.HTTPError, ValueError) as exc:
            return PollResult("unreachable", detail=str(exc))
        if response.status_code == 304:
            return PollResult("not_modified")
        if response.status_code >= 400:
            return PollResult("http_error", detail=f"HTTP {response.status_code}")
        try:
            entries = parse_feed(response.content)
        except ValueError as exc:
            return PollResult("invalid_feed", detail=str(exc))
        fresh = [e for e in entries if e.entry_id not in cursor.seen]
        items = []
        for entry in fresh:
            page = await self.page_text(client, entry) if feed.fetch_pages else None
            items.append(
                (entry_payload(entry, feed, page), Origin(f"feed:{feed.name}:{entry.entry_id}"[:300]))
            )
        try:
            summary = await asyncio.to_thread(self.publisher.publish, items) if items else Summary()
        except KafkaError as exc:
            return PollResult("kafka_unavailable", detail=type(exc).__name__)
        cursor.remember([e.entry_id for e in fresh])
        cursor.etag = response.headers.get("etag")
        cursor.last_modified = response.headers.get("last-modified")
        cursor.save(self.cursor_path(feed))
        return PollResult("ok", summary)

    async def page_text(self, client: httpx.AsyncClient, entry: FeedEntry) -> str | None:
        """The linked page's main text; the feed's own content when the page fails."""
        if not entry.url:
            return None
        try:
            response = await self.fetch(client, entry.url, {"user-agent": "Kabar/1 (+news pipeline)"})
        except (httpx.HTTPError, ValueError) as exc:
            log.info("page of %s not fetched: %s", entry.url, exc)
            return None
        if response.status_code >= 400:
            return None
        return await asyncio.to_thread(main_text, response.text)

    def next_delay(self, feed: FeedConfig, result: PollResult) -> float:
        if result.outcome in ("ok", "not_modified"):
            self.failures[feed.name] = 0
            return feed.interval_s
        self.failures[feed.name] += 1
        return max(feed.interval_s, self.backoff.delay(self.failures[feed.name]))

    async def run_forever(self) -> None:
        due = {feed.name: time.monotonic() for feed in self.feeds}
        async with httpx.AsyncClient(timeout=self.settings.feed_timeout_s, follow_redirects=False) as client:
            while True:
                now = time.monotonic()
                ready = [feed for feed in self.feeds if due[feed.name] <= now]
                outcomes = await asyncio.gather(
                    *(self.poll(feed, client) for feed in ready), return_exceptions=True
                )
                for feed, outcome in zip(ready, outcomes, strict=True):
                    # one feed's surprise must not stop the others: it becomes an outcome too
                    result = (
                        outcome
                        if isinstance(outcome, PollResult)
                        else PollResult("error", detail=repr(outcome))
                    )
                    FEED_POLLS.labels("ingestion", feed.name, result.outcome).inc()
                    if result.outcome not in ("ok", "not_modified"):
                        log.warning(
                            "feed %s: %s %s",
                            feed.name,
                            result.outcome,
                            result.detail,
                            extra={"feed": feed.name},
                        )
                    due[feed.name] = time.monotonic() + self.next_delay(feed, result)
                if self.feeds:
                    await asyncio.sleep(max(0.05, min(due.values()) - time.monotonic()))
                else:
                    return
