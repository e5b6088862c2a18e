"""Near-duplicate detection over 256-bit simhash fingerprints, with locality-sensitive bands.

A fingerprint is cut into 16 bands of 16 bits. Copies of one story differ in about a
fifth of their bits, so they rarely share a band exactly; probing each band's value and
its 16 one-bit neighbours finds a shared band for ~98% of pairs 44 bits apart (the
syndicated samples are 31-57 apart; unrelated stories 105+). Only articles found that way
are compared in full. The worker keeps the band index in memory beside its Faust table of
fingerprints, each band holding the entries themselves, so that comparing a candidate reads
neither the table nor its encoding; these are the pure parts.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from kabar.schemas.limits import FINGERPRINT_BITS

BAND_BITS = 16
BANDS = FINGERPRINT_BITS // BAND_BITS
MAX_PER_BAND = 8  # newest entries kept per band value; a band is a hint, not a record


@dataclass(frozen=True)
class Seen:
    """What the index remembers of an article."""

    article_id: str
    fingerprint: str
    first_copy: str  # the article this one is a copy of, or itself
    seen_at: datetime

    def encode(self) -> str:
        return f"{self.fingerprint}|{self.first_copy}|{self.seen_at.isoformat()}"

    @classmethod
    def decode(cls, article_id: str, value: str) -> "Seen":
        fingerprint, first, seen_at = value.split("|")
        return cls(article_id, fingerprint, first, datetime.fromisoformat(seen_at))


def bands(fingerprint: str) -> list[int]:
    value = int(fingerprint, 16)
    return [(value >> (band * BAND_BITS)) & 0xFFFF for band in range(BANDS)]


def band_keys(fingerprint: str) -> list[int]:
    """Where an article is filed: one key per band (the band's number above its value)."""
    return [band << BAND_BITS | value for band, value in enumerate(bands(fingerprint))]


def probe_keys(fingerprint: str) -> list[int]:
    """Where to look for copies: each band's key and the keys one bit away from it."""
    keys = []
    for key in band_keys(fingerprint):
        keys.append(key)
        keys.extend(key ^ (1 << bit) for bit in range(BAND_BITS))
    return keys


def hamming(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


def first_copy(
    article_id: str,
    fingerprint: str,
    candidates: list[Seen],
    now: datetime,
    window: timedelta,
    max_distance: int,
) -> str | None:
    """The earliest-seen article within the window whose fingerprint is close enough
    (following it to the copy it is itself of), or None when this story is new here."""
    close = [
        seen
        for seen in candidates
        if seen.article_id != article_id
        and now - seen.seen_at <= window
        and hamming(seen.fingerprint, fingerprint) <= max_distance
    ]
    if not close:
        return None
    return min(close, key=lambda seen: seen.seen_at).first_copy


def file_entry(band: dict[str, Seen], entry: Seen) -> None:
    """Files ``entry`` as the band's newest (in place of an older entry of the same article)
    and forgets the oldest beyond ``MAX_PER_BAND``: a dict keeps its insertion order."""
    band.pop(entry.article_id, None)
    band[entry.article_id] = entry
    if len(band) > MAX_PER_BAND:
        del band[next(iter(band))]
