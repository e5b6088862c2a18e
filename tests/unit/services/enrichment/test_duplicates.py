from datetime import UTC, datetime, timedelta
from pathlib import Path

from kabar.schemas.events import RawArticle
from kabar.services.enrichment.duplicates import (
    MAX_PER_BAND,
    Seen,
    band_keys,
    file_entry,
    first_copy,
    hamming,
    probe_keys,
)
from kabar.services.ingestion.validate import parse_article

NOW = datetime(2024, 12, 5, 12, tzinfo=UTC)
WINDOW = timedelta(hours=72)
SAMPLES = Path(__file__).resolve().parents[4] / "samples" / "articles.ndjson"


def sample_articles() -> list[RawArticle]:
    articles = [parse_article(line.encode()) for line in SAMPLES.read_text().splitlines()]
    return [a for a in articles if isinstance(a, RawArticle)]


def test_syndicated_copies_share_a_probed_band_and_unrelated_stories_are_far() -> None:
    articles = sample_articles()
    trio = [a for a in articles if a.url and "bnpb-catat-4200" in a.url]
    assert len(trio) == 3
    original, *copies = trio
    for copy in copies:
        assert set(probe_keys(copy.fingerprint)) & set(band_keys(original.fingerprint))
        assert hamming(copy.fingerprint, original.fingerprint) <= 64
    others = [a for a in articles if a not in trio]
    assert min(hamming(original.fingerprint, other.fingerprint) for other in others) > 64


def test_the_first_copy_seen_wins_and_copies_of_copies_point_to_it() -> None:
    a, b = "a" * 32, "b" * 32
    fingerprint = "f" * 64
    seen = [
        Seen(b, fingerprint, a, NOW - timedelta(hours=1)),
        Seen(a, fingerprint, a, NOW - timedelta(hours=2)),
    ]
    assert first_copy("c" * 32, fingerprint, seen, NOW, WINDOW, 64) == a


def test_old_or_distant_articles_are_not_duplicates() -> None:
    fingerprint = "0" * 64
    old = Seen("a" * 32, fingerprint, "a" * 32, NOW - timedelta(hours=100))
    far = Seen("b" * 32, "f" * 64, "b" * 32, NOW)
    assert first_copy("c" * 32, fingerprint, [old, far], NOW, WINDOW, 64) is None
    assert (
        first_copy("a" * 32, fingerprint, [Seen("a" * 32, fingerprint, "a" * 32, NOW)], NOW, WINDOW, 64)
        is None
    )


def test_entries_round_trip_and_bands_stay_bounded() -> None:
    entry = Seen("a" * 32, "1" * 64, "b" * 32, NOW)
    assert Seen.decode("a" * 32, entry.encode()) == entry
    band: dict[str, Seen] = {}
    for n in range(MAX_PER_BAND + 5):
        file_entry(band, Seen(f"{n:032x}", "1" * 64, f"{n:032x}", NOW))
    assert list(band) == [f"{n:032x}" for n in range(5, MAX_PER_BAND + 5)]
    oldest = next(iter(band))
    file_entry(band, Seen(oldest, "2" * 64, oldest, NOW))  # filed again: newest, not a second entry
    assert len(band) == MAX_PER_BAND and list(band)[-1] == oldest and band[oldest].fingerprint == "2" * 64
