"""The dateline grammar: how the region's news opens a body with where, by whom and when
it was filed ("JAKARTA, KOMPAS.com —", "Jakarta (ANTARA) -", "KUALA LUMPUR (Nov 12):").

Ingestion splits the dateline off the body as metadata; entity extraction skips a dateline
still opening a text it is given. Both read this one grammar, so what counts as a dateline
is decided once. The month names are here because datelines write dates too, and the date
parsers read the same table. The places a dateline may name are the gazetteer's
(places.json), so a city added there is known to the recogniser and to the dateline alike.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from kabar.services.common.package_data import gazetteer_entries

MONTH_NUMBERS = {
    **dict.fromkeys(("januari", "january", "jan"), 1),
    **dict.fromkeys(("februari", "pebruari", "february", "feb", "peb"), 2),
    **dict.fromkeys(("maret", "mac", "march", "mar"), 3),
    **dict.fromkeys(("april", "apr"), 4),
    **dict.fromkeys(("mei", "may"), 5),
    **dict.fromkeys(("juni", "june", "jun"), 6),
    **dict.fromkeys(("juli", "julai", "july", "jul"), 7),
    **dict.fromkeys(("agustus", "ogos", "august", "agu", "agt", "ags", "aug"), 8),
    **dict.fromkeys(("september", "sept", "sep"), 9),
    **dict.fromkeys(("oktober", "october", "okt", "oct"), 10),
    **dict.fromkeys(("november", "nopember", "nov", "nop"), 11),
    **dict.fromkeys(("desember", "disember", "december", "des", "dis", "dec"), 12),
}


def alternation(words: Iterable[str]) -> str:
    """Longest first, so "Desember" is not read as "Des" followed by junk."""
    return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))


MONTH_NAME = alternation(MONTH_NUMBERS)


# What a dateline names is a settlement: a city, a town, a regency (named like its seat:
# "Sleman", "Garut") or a Malaysian federal territory ("Labuan"); a province or a state is
# what a story is about, not where it was filed.
_DATELINE_PLACE_TYPES = frozenset({"city", "town", "regency", "federal_territory"})


@cache
def _known_places() -> frozenset[str]:
    return frozenset(
        str(alias).casefold()
        for entry in gazetteer_entries("places.json")
        if entry["type"] in _DATELINE_PLACE_TYPES
        for alias in entry["aliases"]  # type: ignore[attr-defined]
    )


_KNOWN_PUBLISHERS = frozenset(
    {
        "antara", "antara news", "bernama", "detik", "detikcom", "cnn indonesia", "kompas", "tempo",
        "republika", "liputan6", "suara", "bisnis", "kontan", "katadata", "kumparan", "tribunnews",
        "okezone", "sindonews", "viva", "merdeka", "jpnn", "idn times", "beritasatu",
        "media indonesia", "the jakarta post", "jakarta globe", "the star", "new straits times",
        "malaysiakini", "free malaysia today", "astro awani", "berita harian", "harian metro",
        "sinar harian", "utusan", "kosmo", "the straits times", "cna", "reuters", "afp", "ap",
        "xinhua", "bloomberg",
    }
)  # fmt: skip
_CAPITALS_WORD = r"[A-Z][A-Z'’-]+"
_TITLE_WORD = r"[A-Z][a-z'’-]+"
_PLACE = rf"(?P<place>{_CAPITALS_WORD}(?: {_CAPITALS_WORD}){{0,3}}|{_TITLE_WORD}(?: {_TITLE_WORD}){{0,2}})"
_DOMAIN_PUBLISHER = r"(?P<publisher>[A-Za-z][A-Za-z0-9-]*(?:\.[A-Za-z]{2,4}){1,2})"
# Only known names: after "Place," any capitalised words could be a province ("Jawa Timur").
_NAMED_PUBLISHER = rf"(?P<publisher>(?i:{alternation(_KNOWN_PUBLISHERS)}))"
_AGENCY_IN_PARENTHESES = r"\((?P<publisher>[A-Za-z][^()\n]{0,38}[A-Za-z.])\)"
_DATELINE_DATE = (
    rf"(?P<date_text>(?i:\d{{1,2}} (?:{MONTH_NAME})\.?|(?:{MONTH_NAME})\.? \d{{1,2}}|\d{{1,2}}/\d{{1,2}}))"
)
_DASH = r"(?:\s+-{1,2}(?:\s+|$)|\s*(?:--|[–—])\s*)"
_CAPITALS_PLACE = rf"(?P<place>{_CAPITALS_WORD}(?: {_CAPITALS_WORD}){{0,3}})"
_TITLE_REGION = rf"{_TITLE_WORD}(?: {_TITLE_WORD}){{0,2}}"
_DASH_OR_COLON = rf"(?:{_DASH}|\s*:(?:\s+|$))"
_DATELINE_SHAPES = tuple(
    re.compile(r"^\s*" + shape)
    for shape in (
        rf"{_DOMAIN_PUBLISHER}\s*,\s*{_PLACE}(?:\s*,\s*{_DATELINE_DATE})?{_DASH}",  # Bisnis.com, JAKARTA –
        rf"{_PLACE}\s*,\s*{_DOMAIN_PUBLISHER}{_DASH}",  # JAKARTA, KOMPAS.com —
        # Jakarta (ANTARA) - / KOTA BHARU, 3 Dis (Bernama) --
        rf"{_PLACE}(?:\s*,\s*{_DATELINE_DATE})?\s*{_AGENCY_IN_PARENTHESES}{_DASH_OR_COLON}",
        rf"{_PLACE}\s*\(\s*{_DATELINE_DATE}\s*\){_DASH_OR_COLON}",  # KUALA LUMPUR (Nov 12):
        rf"{_PLACE}\s*,\s*{_DATELINE_DATE}{_DASH_OR_COLON}",  # PETALING JAYA, Dec 5 —
        rf"{_PLACE}\s*,\s*{_NAMED_PUBLISHER}{_DASH}",  # Surabaya, Detik --
        # DENPASAR, Bali - : a city in capitals, then its island or province in title case
        rf"{_CAPITALS_PLACE}\s*,\s*{_TITLE_REGION}{_DASH}",
        rf"{_PLACE}{_DASH_OR_COLON}",  # SINGAPORE - / KUALA LUMPUR:
        rf"{_DOMAIN_PUBLISHER}{_DASH}{_PLACE}\.\s+",  # KONTAN.CO.ID - JAKARTA.
        rf"{_DOMAIN_PUBLISHER}{_DASH}",  # Suara.com -
        rf"{_PLACE}\.\s+",  # Jakarta. The Health Ministry ... (a known place alone, then a full stop)
    )
)
_LONGEST_DATELINE = 60
_VOWEL = re.compile(r"[AEIOU]")
_LETTERS = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class Dateline:
    place: str | None
    publisher: str | None
    date_text: str | None
    rest: str


def _is_credible_place(place: str, publisher: str | None) -> bool:
    """Whether a capitalised opening word is a dateline place rather than a sentence start.

    A place in capitals is the dateline convention, unless it is a single vowel-less word,
    which is an acronym opening a sentence ("BNPB - ..."). A title-case word is a dateline only
    when the gazetteer knows it as a place a dateline names or it stands next to a recognisable
    publisher; otherwise "Pemerintah - melalui kementerian - ..." would lose its subject.
    """
    if place.isupper():
        return " " in place or bool(_VOWEL.search(place))
    if place.casefold() in _known_places():
        return True
    return publisher is not None and ("." in publisher or publisher.casefold() in _KNOWN_PUBLISHERS)


def _title_case(place: str) -> str:
    if not place.isupper():
        return place
    return _LETTERS.sub(lambda word: word.group().capitalize(), place)


def parse_dateline(text: str) -> Dateline:
    """Splits the dateline ("JAKARTA, KOMPAS.com —", "KUALA LUMPUR:") off the start of a body.

    The place is metadata, not a mention in the story, so ``rest`` starts with the story's
    first word. Places in capitals come back in title case, publishers as written. Without a
    recognisable dateline everything is None and ``rest`` is ``text`` unchanged.
    """
    for shape in _DATELINE_SHAPES:
        found = shape.match(text)
        if not found or len(found.group().strip()) > _LONGEST_DATELINE:
            continue
        groups = found.groupdict()
        place, publisher = groups.get("place"), groups.get("publisher")
        if place is not None and not _is_credible_place(place, publisher):
            continue
        return Dateline(
            place=_title_case(place) if place else None,
            publisher=publisher,
            date_text=groups.get("date_text"),
            rest=text[found.end() :],
        )
    return Dateline(place=None, publisher=None, date_text=None, rest=text)


def dateline_end(text: str) -> int:
    """Where the story starts after a dateline opening the text (0 without one)."""
    return len(text) - len(parse_dateline(text).rest)
