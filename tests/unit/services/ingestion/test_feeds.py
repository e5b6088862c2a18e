import json
from pathlib import Path

import pytest

from kabar.services.ingestion.feeds import (
    REMEMBERED_ENTRIES,
    FeedConfig,
    FeedCursor,
    UnsafeUrl,
    check_fetchable,
    entry_payload,
    load_feeds,
    parse_feed,
)
from tests.fixtures.feeds import ATOM, rss

FEED = FeedConfig(
    name="antara",
    url="https://www.antaranews.com/rss/terkini.xml",
    source="antaranews.com",
    region="ID",
    language="id",
)  # type: ignore[arg-type]


def test_rss_items_become_entries_with_utc_dates() -> None:
    [entry] = parse_feed(rss([("77", "Gempa M5,2", "Ambon (ANTARA) - Gempa bumi.")]))
    assert (entry.entry_id, entry.url, entry.title) == (
        "77",
        "https://www.antaranews.com/berita/77",
        "Gempa M5,2",
    )
    assert "Gempa bumi." in entry.content
    assert entry.published_at is not None and entry.published_at.isoformat() == "2024-12-02T00:30:00+00:00"


def test_atom_entries_use_content_or_summary() -> None:
    first, second = parse_feed(ATOM)
    assert first.entry_id == "urn:bharian:1001" and "12,300 orang" in first.content
    assert second.content.startswith("KUALA LUMPUR: Ringgit")


@pytest.mark.parametrize(
    "document",
    [b"", b"<html><body>Maintenance</body></html>", b"<rss><channel><item><title>cut", b"\x00\xff"],
)
def test_what_is_not_a_feed_is_refused(document: bytes) -> None:
    with pytest.raises(ValueError):
        parse_feed(document)


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://example.com/feed",
        "gopher://x",
        "http://127.0.0.1:8080/feed",
        "http://[::1]/x",
        "http://10.0.0.5/rss",
        "http://169.254.169.254/latest",
    ],
)
def test_only_public_http_urls_are_fetched(url: str) -> None:
    with pytest.raises(UnsafeUrl):
        check_fetchable(url, allow_private=False)


def test_private_addresses_can_be_allowed_but_other_schemes_never() -> None:
    check_fetchable("http://127.0.0.1:8080/feed", allow_private=True)
    with pytest.raises(UnsafeUrl):
        check_fetchable("file:///etc/passwd", allow_private=True)


def test_an_entry_is_sent_as_an_article_of_its_feed() -> None:
    [entry] = parse_feed(rss([("77", "Gempa M5,2", "Ambon (ANTARA) - Gempa bumi.")]))
    document = json.loads(entry_payload(entry, FEED, page_text=None))
    assert (
        document["source"] == "antaranews.com"
        and document["language_hint"] == "id"
        and document["region"] == "ID"
    )
    assert json.loads(entry_payload(entry, FEED, page_text="Teks halaman."))["body"] == "Teks halaman."


def test_the_cursor_remembers_a_bounded_number_of_entries(tmp_path: Path) -> None:
    cursor = FeedCursor(etag='"x"')
    cursor.remember([str(n) for n in range(REMEMBERED_ENTRIES + 10)])
    cursor.remember(["5000", str(REMEMBERED_ENTRIES + 9)])
    cursor.save(tmp_path / "c.json")
    again = FeedCursor.load(tmp_path / "c.json")
    assert len(again.seen) == REMEMBERED_ENTRIES and again.seen[-1] == "5000" and again.etag == '"x"'
    assert FeedCursor.load(tmp_path / "missing.json") == FeedCursor()


def test_the_feeds_file_is_validated(tmp_path: Path) -> None:
    path = tmp_path / "feeds.toml"
    path.write_text(
        '[[feeds]]\nname = "a"\nurl = "https://a.example/rss"\nsource = "a.example"\ninterval_s = 60\n'
    )
    [feed] = load_feeds(path)
    assert feed.interval_s == 60 and not feed.fetch_pages
    path.write_text(path.read_text() * 2)
    with pytest.raises(ValueError, match="unique"):
        load_feeds(path)
    path.write_text('[[feeds]]\nname = "a"\nurl = "ftp://a.example/rss"\nsource = "a"\n')
    with pytest.raises(ValueError, match="url"):
        load_feeds(path)
