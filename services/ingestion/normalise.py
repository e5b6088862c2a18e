"""Normalisers that turn a fetched news body into clean, comparable text.

Indonesian, Malaysian and Singaporean sites deliver bodies as HTML fragments or plain text
with the site's furniture still inside: a dateline glued to the first sentence, related-article
links, calls to follow the site, ad residue and credits. Language detection, entity extraction
and de-duplication must judge the story, not the site around it, so this module separates the
two. A page that cannot be cleaned perfectly must still be ingested, so nothing here raises on
odd text; every function is pure.
"""

import hashlib
import html
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import numpy

from kabar.schemas.limits import FINGERPRINT_BITS
from kabar.services.common.dateline import MONTH_NAME, MONTH_NUMBERS, Dateline, alternation, parse_dateline
from kabar.services.common.text import without_control_characters

# --------------------------------------------------------------------------- characters

_PARAGRAPH_BREAKS = re.compile(r"[\u2028\u2029]")
_SPACE_LIKE = re.compile(r"[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_INVISIBLE = re.compile(r"[\u00ad\u200b\u2060\ufeff]")
_SPACE_RUNS = re.compile(r" {2,}")


def _normalise_characters(text: str) -> str:
    """Unifies line breaks and spaces and drops invisible characters.

    CMS editors and copy-paste leave non-breaking spaces, zero-width spaces, soft hyphens and
    stray control bytes in bodies; left in, they split words for tokenisers and make identical
    stories hash differently. Character references decode to controls too (``&#27;``), so
    decoded markup text passes through the control filter again.
    """
    text = _PARAGRAPH_BREAKS.sub("\n", without_control_characters(text))
    text = _SPACE_LIKE.sub(" ", text)
    return _INVISIBLE.sub("", text)


def _paragraphs_from_lines(text: str) -> str:
    """Joins lines into paragraphs, one blank line between paragraphs and none inside."""
    paragraphs: list[str] = []
    lines: list[str] = []
    for raw_line in text.split("\n"):
        line = _SPACE_RUNS.sub(" ", raw_line).strip()
        if line:
            lines.append(line)
        elif lines:
            paragraphs.append("\n".join(lines))
            lines = []
    if lines:
        paragraphs.append("\n".join(lines))
    return "\n\n".join(paragraphs)


# --------------------------------------------------------------------------- HTML

_HIDDEN_ELEMENTS = frozenset(
    {
        "script", "style", "noscript", "iframe", "svg", "form", "nav", "footer", "aside",
        "figcaption", "template", "head", "title", "button", "select", "textarea", "object",
        "video", "audio", "canvas",
    }
)  # fmt: skip
_BLOCK_ELEMENTS = frozenset(
    {
        "p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "section", "article",
        "header", "main", "ul", "ol", "dl", "dt", "dd", "table", "tr", "td", "th", "pre", "figure",
        "address", "hr",
    }
)  # fmt: skip
_VOID_ELEMENTS = frozenset(
    {
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
        "track", "wbr",
    }
)  # fmt: skip
_SHARE_WIDGET = re.compile(r"(?:^|[\s_-])(?:share|sharing|social|sosmed)(?:$|[\s_-])", re.IGNORECASE)
_LOOKS_LIKE_MARKUP = re.compile(r"</?[A-Za-z][A-Za-z0-9:-]*(?:\s[^<>]*)?/?>|<!--")
_MARKED_SECTION = re.compile(r"<!\[[^>]*>?")


def _is_share_widget(attrs: list[tuple[str, str | None]]) -> bool:
    return any(name in ("class", "id") and value and _SHARE_WIDGET.search(value) for name, value in attrs)


class _VisibleTextCollector(HTMLParser):
    """Collects the text a reader sees: block ends become blank lines, ``<br>`` a newline."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self._open_elements: list[tuple[str, bool]] = []
        self._open_counts: Counter[str] = Counter()
        self._hidden_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _VOID_ELEMENTS:
            hidden = tag in _HIDDEN_ELEMENTS or _is_share_widget(attrs)
            self._open_elements.append((tag, hidden))
            self._open_counts[tag] += 1
            self._hidden_depth += hidden
        self._break_for(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Closes self-closed tags at once so a stray ``<iframe/>`` cannot hide the rest of the page."""
        self.handle_starttag(tag, attrs)
        if tag not in _VOID_ELEMENTS:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        # Browsers close every element left open inside the one being closed; an end tag with
        # no open element is ignored, so unbalanced markup cannot unhide or hide text.
        if self._open_counts[tag]:
            while self._open_elements:
                open_tag, hidden = self._open_elements.pop()
                self._open_counts[open_tag] -= 1
                self._hidden_depth -= hidden
                if open_tag == tag:
                    break
        self._break_for(tag)

    def handle_data(self, data: str) -> None:
        if not self._hidden_depth:
            self.pieces.append(_normalise_characters(data).replace("\n", " "))

    def _break_for(self, tag: str) -> None:
        if self._hidden_depth:
            return
        if tag == "br":
            self.pieces.append("\n")
        elif tag in _BLOCK_ELEMENTS:
            self.pieces.append("\n\n")


def _without_unclosed_comment(markup: str) -> str:
    """Cuts the page at an unclosed ``<!--``, which browsers read as a comment to the end.

    Left in, the standard parser shows it as text and rescans the rest of the page for an end
    at every ``<``, which is quadratic on hostile input.
    """
    start = markup.find("<!--")
    while start >= 0:
        end = markup.find("-->", start + 4)
        if end < 0:
            return markup[:start]
        start = markup.find("<!--", end + 3)
    return markup


def _parseable(markup: str) -> str:
    """The markup with the constructs that make the standard parser raise or crawl neutralised.

    ``<![...]>`` sections are dropped up to the first ``>``, as browsers do, because the parser
    raises on malformed ones. After the last ``>`` no tag can be complete, so every ``<`` there
    is text; left as is, each one makes the parser rescan the rest of the page for a ``>``.
    """
    markup = _MARKED_SECTION.sub("", _without_unclosed_comment(markup))
    complete = markup.rfind(">") + 1
    return markup[:complete] + markup[complete:].replace("<", "&lt;")


def html_to_text(markup: str) -> str:
    """Readable text of an HTML fragment or a plain-text body, paragraphs separated by a blank line.

    Plain text (no tag anywhere) keeps its line structure, one paragraph per line, because
    feeds deliver plain bodies that way; in HTML, source line breaks are only whitespace and
    the block elements decide the paragraphs.
    """
    if _LOOKS_LIKE_MARKUP.search(markup):
        collector = _VisibleTextCollector()
        collector.feed(_parseable(markup))
        collector.close()
        laid_out = "".join(collector.pieces)
    else:
        laid_out = _normalise_characters(html.unescape(markup)).replace("\n", "\n\n")
    return _paragraphs_from_lines(unicodedata.normalize("NFC", laid_out))


# --------------------------------------------------------------------------- boilerplate

_RELATED_ARTICLE_LABEL = re.compile(
    r"^(?:baca\s+juga|simak\s+juga|lihat\s+juga|artikel\s+berkaitan|artikel\s+terkait|berita\s+terkait"
    r"|read\s+also|also\s+read|related\s+news|pilihan\s+editor)\s*:(?P<headline>.*)$",
    re.IGNORECASE,
)
_CALL_TO_ACTION = re.compile(
    r"^(?:simak\s+berita\s+dan\s+artikel\s+lainnya\s+di\s+google\s+news"
    r"|dapatkan\s+(?:update|informasi|berita)\b.*\bsetiap\s+hari"
    r"|(?:follow|ikuti)\b.{0,80}?\b(?:di|on|via|melalui)\s+(?:saluran\s+)?(?:google\s+news|whatsapp|telegram)"
    r"|klik\s+(?:di\s*sini|link\s+ini|tautan\s+ini)"
    r"|(?:download|unduh)\s+(?:aplikasi|app)\b)",
    re.IGNORECASE,
)
_LAYOUT_RESIDUE = re.compile(
    r"^(?:advertisement|iklan|scroll\s+to\s+continue\s+with\s+content|(?:share|bagikan|kongsi)\s*:?)$",
    re.IGNORECASE,
)
_CLOSING_CREDIT = re.compile(
    r"^(?:(?:editor|penulis|reporter|pewarta|sumber|penyunting|redaktur|rep|red|fotografer|diperbarui"
    r"|updated)\s*:"
    r"|artikel\s+ini\s+telah\s+tayang\s+di\b"
    r"|\(\s*[a-z]{2,6}(?:\s*/\s*[a-z]{2,6}){0,3}\s*\)$"
    r"|(?:--|[-–—])\s*[a-z]{2,20}$)",
    re.IGNORECASE,
)
# A call to action or a credit is one short line; a long paragraph that happens to start with
# the same words is story text.
_LONGEST_FURNITURE_LINE = 300
# The line after a lone "Baca juga:" is a linked headline only if it is headline-sized.
_LONGEST_HEADLINE = 200


@dataclass(frozen=True)
class BoilerplateResult:
    text: str
    removed: tuple[str, ...]


def _numbered_lines(text: str) -> list[tuple[int, str]]:
    """Non-blank stripped lines with the number of the paragraph they belong to."""
    numbered: list[tuple[int, str]] = []
    paragraph = 0
    for raw_line in text.split("\n"):
        line = raw_line.strip()
        if line:
            numbered.append((paragraph, line))
        else:
            paragraph += 1
    return numbered


def _join_paragraphs(lines: list[tuple[int, str]]) -> str:
    paragraphs: list[list[str]] = []
    current: int | None = None
    for paragraph, line in lines:
        if paragraph != current:
            paragraphs.append([])
            current = paragraph
        paragraphs[-1].append(line)
    return "\n\n".join("\n".join(paragraph) for paragraph in paragraphs)


def _is_site_furniture(line: str) -> bool:
    if _LAYOUT_RESIDUE.match(line):
        return True
    return len(line) <= _LONGEST_FURNITURE_LINE and bool(_CALL_TO_ACTION.match(line))


def _is_closing_credit(line: str) -> bool:
    return len(line) <= _LONGEST_FURNITURE_LINE and bool(_CLOSING_CREDIT.match(line))


def strip_boilerplate(text: str) -> BoilerplateResult:
    """The story without related-article links, calls to action, ad residue and closing credits.

    Judged line by line and only from the start of a line, so a sentence that merely mentions
    "baca juga" or "editor" stays. Credits count only at the end, where sites put them: an
    "Editor:" line in the middle may be a quoted document. A lone related-article label takes
    the next content line (the linked headline) with it. Applying it twice changes nothing.
    """
    kept: list[tuple[int, int, str]] = []
    removed: list[tuple[int, str]] = []
    awaiting_headline = False
    for position, (paragraph, line) in enumerate(_numbered_lines(text)):
        label = _RELATED_ARTICLE_LABEL.match(line)
        if label:
            removed.append((position, line))
            awaiting_headline = not label.group("headline").strip()
        elif _is_site_furniture(line):
            removed.append((position, line))
        elif awaiting_headline and len(line) <= _LONGEST_HEADLINE:
            removed.append((position, line))
            awaiting_headline = False
        else:
            kept.append((position, paragraph, line))
            awaiting_headline = False
    while kept and _is_closing_credit(kept[-1][2]):
        position, _, line = kept.pop()
        removed.append((position, line))
    return BoilerplateResult(
        text=_join_paragraphs([(paragraph, line) for _, paragraph, line in kept]),
        removed=tuple(line for _, line in sorted(removed)),
    )


# --------------------------------------------------------------------------- dates

_WEEKDAYS = (
    "senin", "selasa", "rabu", "kamis", "jumat", "jum'at", "sabtu", "minggu",
    "isnin", "khamis", "jumaat", "ahad",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
)  # fmt: skip
_ZONE_HOURS_EAST_OF_UTC = {
    "wib": 7, "wita": 8, "wit": 9, "myt": 8, "sgt": 8, "waktu malaysia": 8, "waktu singapura": 8,
    "utc": 0, "gmt": 0,
}  # fmt: skip


_WEEKDAY = alternation(_WEEKDAYS)
_NUMERIC_DATE = (
    r"(?<![\d/.-])(?P<day>\d{1,2})(?P<sep>[/.-])(?P<month>\d{1,2})(?P=sep)(?P<year>\d{4})(?!\d|[/.-]\d)"
)
_DAY_MONTH_YEAR = re.compile(
    rf"(?<![\w.])(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<month>{MONTH_NAME})\b\.?,?\s+(?P<year>\d{{4}})(?!\d)",
    re.IGNORECASE,
)
_MONTH_DAY_YEAR = re.compile(
    rf"\b(?P<month>{MONTH_NAME})\b\.?\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>\d{{4}})(?!\d)",
    re.IGNORECASE,
)
_WEEKDAY_NUMERIC_DATE = re.compile(rf"\b(?:{_WEEKDAY})\s*,?\s*\(\s*{_NUMERIC_DATE}\s*\)", re.IGNORECASE)
_BARE_NUMERIC_DATE = re.compile(_NUMERIC_DATE)
_ISO_DATE = re.compile(r"(?<![\d-])(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})(?![\d-])")
_TIME_AFTER_DATE = re.compile(
    r"(?:T|\s*(?:[,|]|--?|[–—])?\s*(?:(?:pukul|jam|pkl\.?|at|@)\s*)?)"
    r"(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?:[:.](?P<second>\d{2})(?:[.,]\d+)?)?(?!\d)"
    r"(?:\s*(?P<meridiem>a\.m\.|p\.m\.|am|pm|pagi|siang|sore|petang|malam)(?![a-z]))?"
    r"(?:\s*\(?\s*(?:(?P<zone>wita|wib|wit|myt|sgt|utc|gmt|waktu\s+malaysia|waktu\s+singapura)(?![a-z])"
    r"(?P<zone_offset>[+-]\d{1,2}(?::?\d{2})?)?|(?P<offset>z(?![a-z])|[+-](?:0\d|1[0-4]):?[0-5]\d))\s*\)?)?",
    re.IGNORECASE,
)
_SIGNED_OFFSET = re.compile(r"(?P<sign>[+-])(?P<hours>\d{1,2})(?::?(?P<minutes>\d{2}))?")
# Shapes written inside sentences (reference dates); the rest also appear in page headers.
_SENTENCE_DATE_SHAPES = (_DAY_MONTH_YEAR, _MONTH_DAY_YEAR, _WEEKDAY_NUMERIC_DATE)
_ALL_DATE_SHAPES = (*_SENTENCE_DATE_SHAPES, _BARE_NUMERIC_DATE, _ISO_DATE)


def _month_number(written: str) -> int | None:
    if written.isdigit():
        return int(written)
    return MONTH_NUMBERS.get(written.casefold())


def _hour_on_24_hour_clock(hour: int, meridiem: str | None) -> int | None:
    """Reads "10.15 pagi" or "7.30 malam" the way Indonesian and Malay writers mean them."""
    if meridiem is None:
        return hour if hour <= 23 else None
    if not 1 <= hour <= 12:
        return None
    word = meridiem.casefold().replace(".", "")
    if word in ("am", "pagi"):
        return 0 if hour == 12 else hour
    if word == "siang":
        return hour if hour >= 10 else hour + 12
    if word == "malam":
        # "jam 2 malam" is two in the morning, "jam 12 malam" midnight, "jam 8 malam" 20:00.
        if hour == 12:
            return 0
        return hour + 12 if hour >= 6 else hour
    return hour if hour == 12 else hour + 12  # pm, sore, petang


def _signed_offset(written: str) -> timedelta | None:
    parsed = _SIGNED_OFFSET.fullmatch(written)
    if not parsed:
        return None
    hours, minutes = int(parsed["hours"]), int(parsed["minutes"] or 0)
    if hours > 14 or minutes > 59:
        return None
    offset = timedelta(hours=hours, minutes=minutes)
    return -offset if parsed["sign"] == "-" else offset


def _written_zone(time: re.Match[str]) -> tzinfo | None:
    """The zone written after the time, or None when none is written or it is nonsense."""
    if time["offset"]:
        offset = timedelta(0) if time["offset"].casefold() == "z" else _signed_offset(time["offset"])
        return timezone(offset) if offset is not None else None
    base = timedelta(hours=_ZONE_HOURS_EAST_OF_UTC[" ".join(time["zone"].casefold().split())])
    extra = _signed_offset(time["zone_offset"]) if time["zone_offset"] else timedelta(0)
    return timezone(base + extra) if extra is not None else None


def _instant(text: str, date: re.Match[str], default_zone: tzinfo) -> datetime | None:
    """The UTC instant of one date mention, reading a time and zone written right after it."""
    month = _month_number(date["month"])
    if month is None:
        return None
    hour, minute, second, zone = 0, 0, 0, default_zone
    time = _TIME_AFTER_DATE.match(text, date.end())
    if time:
        clock_hour = _hour_on_24_hour_clock(int(time["hour"]), time["meridiem"])
        if clock_hour is None:
            return None
        hour, minute, second = clock_hour, int(time["minute"]), int(time["second"] or 0)
        if time["zone"] or time["offset"]:
            written_zone = _written_zone(time)
            if written_zone is None:
                return None
            zone = written_zone
    try:
        local = datetime(int(date["year"]), month, int(date["day"]), hour, minute, second, tzinfo=zone)
        return local.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def _date_mentions(
    text: str, shapes: tuple[re.Pattern[str], ...], default_tz: str
) -> list[tuple[int, int, datetime]]:
    """Valid date mentions as (start, end, instant), in reading order, without overlaps."""
    default_zone = ZoneInfo(default_tz)
    candidates = sorted(
        ((found.start(), -found.end(), found) for shape in shapes for found in shape.finditer(text)),
        key=lambda candidate: candidate[:2],
    )
    mentions: list[tuple[int, int, datetime]] = []
    for start, negative_end, found in candidates:
        if mentions and start < mentions[-1][1]:
            continue
        instant = _instant(text, found, default_zone)
        if instant is not None:
            mentions.append((start, -negative_end, instant))
    return mentions


def parse_regional_datetime(text: str, default_tz: str = "Asia/Jakarta") -> datetime | None:
    """The first valid date in ``text`` as an aware UTC datetime, or None.

    Supported: "Senin, 2 Desember 2024 14:30 WIB", "2 Des 2024", "Isnin, 2 Disember 2024",
    "December 2, 2024", "02/12/2024, 14:30 WIB" (numbers are always day/month/year, the
    regional order), "Minggu (1/12/2024)" and ISO 8601 such as "2024-12-05T14:22:00+07:00".
    Month names in Indonesian, Malay and English, full or short. A time is HH:MM or HH.MM with
    optional seconds, optionally after "pukul"/"jam", optionally followed by am/pm or
    pagi/siang/sore/petang/malam, then optionally a zone: WIB (+7), WITA (+8), WIT (+9),
    MYT/SGT/"waktu Malaysia" (+8), UTC/GMT with an offset, or a numeric offset. Without a zone
    ``default_tz`` applies; without a time the date means local midnight. Dates without a year
    ("Rabu (11/12)", "Dec 7") are not dates here: guessing the year would invent facts.
    Impossible dates ("31/02/2024") are skipped. ``default_tz`` must be an IANA zone name.
    """
    mentions = _date_mentions(text, _ALL_DATE_SHAPES, default_tz)
    return mentions[0][2] if mentions else None


def find_reference_dates(text: str, default_tz: str = "Asia/Jakarta") -> list[datetime]:
    """Every "Rabu (4/12/2024)" and "4 Desember 2024" style date in the text, in reading order.

    These mark when the reported events happened, which need not be the publication time,
    so they are kept apart from it. Instants are in UTC like ``parse_regional_datetime``.
    """
    return [instant for _, _, instant in _date_mentions(text, _SENTENCE_DATE_SHAPES, default_tz)]


# --------------------------------------------------------------------------- whole body


@dataclass(frozen=True)
class CleanedBody:
    text: str
    original: str
    dateline: Dateline
    removed: tuple[str, ...]


def clean_body(raw: str) -> CleanedBody:
    """The story text of a fetched body, with its dateline and the lines removed as boilerplate."""
    text = html_to_text(raw)
    first_paragraph, separator, other_paragraphs = text.partition("\n\n")
    dateline = parse_dateline(first_paragraph)
    stripped = strip_boilerplate(dateline.rest + separator + other_paragraphs)
    return CleanedBody(text=stripped.text, original=raw, dateline=dateline, removed=stripped.removed)


# --------------------------------------------------------------------------- identity


def content_hash(text: str) -> str:
    """SHA-256 of the text with case and whitespace differences removed, for exact re-posts."""
    comparable = " ".join(unicodedata.normalize("NFC", text.casefold()).split())
    return hashlib.sha256(comparable.encode("utf-8", "surrogatepass")).hexdigest()


# a character that is neither a letter, a digit nor white space: "isalnum" is exactly ``\w``
# without the underscore, so one pass over the text removes what a pass per word would
_NOT_IN_WORDS = re.compile(r"[^\w\s]|_")


def _shingles(text: str) -> list[str]:
    """Word 3-shingles, casefolded and with punctuation removed from every word."""
    words = _NOT_IN_WORDS.sub("", unicodedata.normalize("NFKC", text).casefold()).split()
    if len(words) < 3:
        return [" ".join(words)] if words else []
    return [
        f"{first} {second} {third}" for first, second, third in zip(words, words[1:], words[2:], strict=False)
    ]


def simhash(text: str, bits: int = FINGERPRINT_BITS) -> int:
    """Locality-sensitive fingerprint: copies of a story with small edits differ in few bits.

    Syndicated stories reach us from several sites with their own dateline, boilerplate and a
    reworded sentence or two, so an exact hash misses them. Shingles are hashed with BLAKE2b,
    not ``hash()``, so fingerprints are stable across processes and can be stored.
    """
    if not 1 <= bits <= 512:
        raise ValueError(f"bits must be between 1 and 512, not {bits}")
    digest_size = (bits + 7) // 8
    shingles = _shingles(text)
    if not shingles:
        return 0
    blake2b = hashlib.blake2b
    digests = b"".join(
        [
            blake2b(shingle.encode("utf-8", "surrogatepass"), digest_size=digest_size).digest()
            for shingle in shingles
        ]
    )
    # a bit is set when most shingles set it (a repeated shingle votes once per occurrence):
    # the digests unpacked into one row of bits each, most significant first, summed per
    # column at C speed, and the winning columns packed back into the digest's byte order
    ones = numpy.unpackbits(
        numpy.frombuffer(digests, dtype=numpy.uint8).reshape(len(shingles), digest_size), axis=1
    ).sum(axis=0, dtype=numpy.uint32)
    majority = numpy.packbits(2 * ones > len(shingles)).tobytes()
    return int.from_bytes(majority, "big") >> (digest_size * 8 - bits)


def hamming_distance(a: int, b: int) -> int:
    """Number of differing bits between two (non-negative) fingerprints."""
    return (a ^ b).bit_count()
