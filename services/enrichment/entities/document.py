"""One text as the recognisers see it: its tokens and the facts the rules ask about them."""

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache

from wordfreq import zipf_frequency

from kabar.schemas.events import MentionOrigin
from kabar.services.enrichment.entities.profiles import Profile
from kabar.services.enrichment.gazetteer import TOKEN, Gazetteer, Known, Label, Titles, word_of
from kabar.services.enrichment.grammar import grammar

COMMON_ZIPF = 4.3  # above this, a lone sentence-initial word is far more likely a word than a name
NAME_GAPS = ("", ",", "-", "'", "'s", "’s")  # what may stand between two words of a known name
SENTENCE_BREAK = re.compile(r"[.!?:\n\"“]")
HYPHEN_BEFORE_LETTER = re.compile(r"-[^\W\d_]")
MONEY = re.compile(r"(?:RM|Rp|S\$|US\$)\s?\d")
CONCEPT = re.compile(
    r"(?i)^(?:\w+(?:asi|isme|itas|ologi|isasi)|(?:pe|ke|per|pen|pem|peng|penye)\w{3,}(?:an|in))$"
)


@dataclass(frozen=True)
class Mention:
    """One entity mention: offsets into the cleaned text (none for the dateline's place,
    which is not in it), and what it links to."""

    text: str
    label: Label
    start: int
    end: int
    canonical: str
    entity_id: str | None = None
    origin: MentionOrigin = "body"


def tokenize(text: str) -> tuple[list[str], list[int]]:
    """The words of a text and where each starts (parallel lists: the rules index both)."""
    matches = list(TOKEN.finditer(text))
    words = [match.group() for match in matches]
    # only a full stop or a possessive's "s" at the end can make a word differ from its token
    return [word_of(w) if w[-1] in ".s" else w for w in words], [match.start() for match in matches]


def is_capitalised(word: str) -> bool:
    """Whether a word can open a name: a capital, or a number with capitals ("1MDB")."""
    first = word[:1]
    return first.isupper() or (first.isdigit() and any(c.isupper() for c in word))


# "Raka Aditya Nugraha/Dwi Cahyo Wibisono": a slash before a capital between two names
PAIR_SLASH = re.compile(r"(?<=[^\W\d_])/(?=[A-Z])")


def pair_apart(mention: Mention) -> list[Mention]:
    """A person's span written as a pair ("ganda putra Raka Aditya Nugraha/Dwi Cahyo
    Wibisono", a doubles pair's usual form) is two people, each with a name of their own."""
    if mention.label != "PER" or mention.entity_id is not None or "/" not in mention.text:
        return [mention]
    people: list[Mention] = []
    start = 0
    for cut in [*(slash.start() for slash in PAIR_SLASH.finditer(mention.text)), len(mention.text)]:
        name = mention.text[start:cut]
        offset = mention.start + start
        people.append(Mention(name, "PER", offset, offset + len(name), name, origin=mention.origin))
        start = cut + 1
    return people


def is_acronym(word: str) -> bool:
    """Whether a word reads as an acronym: short, and all capitals but perhaps one ("KPK", "PKns")."""
    letters = [c for c in word if c.isalpha()]
    return (
        2 <= len(letters) <= 8
        and sum(c.isupper() for c in letters) >= len(letters) - 1
        and word[:1].isupper()
    )


@lru_cache(maxsize=64)
def _headline_pattern(cues: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(cue) for cue in sorted(cues, key=len, reverse=True))
    return re.compile(rf"(?m)^[ \t]*(?:{alternatives})[ \t]*:[ \t]*(?:\n[ \t]*)?([^\n]*)")


def headline_spans(text: str, cues: tuple[str, ...]) -> list[tuple[int, int]]:
    """Where the headlines of related-article links are ("Baca Juga: ...", or the cue alone
    with the headline on the next line), as character spans."""
    if ":" not in text or not any(cue in text for cue in cues):
        return []
    return [match.span(1) for match in _headline_pattern(cues).finditer(text)]


@lru_cache(maxsize=50_000)
def common_word(word: str, frequency_language: str) -> bool:
    """A word people write in lower case often (cached: the same words recur in every article)."""
    return zipf_frequency(word.lower(), frequency_language) >= COMMON_ZIPF


def concept_word(word: str) -> bool:
    """Indonesian/Malay abstract nouns ("Regulasi", "Pembangunan", "Kebijakan"): capitalised
    in headlines and programme names, never a person's name."""
    return bool(CONCEPT.match(word))


class Document:
    """The tokens of one text with the facts the rules ask about them, computed once per text
    because the rules ask about every token several times."""

    def __init__(self, text: str, profile: Profile, gaz: Gazetteer) -> None:
        self.text = text
        self.language = profile.language
        self.profile = profile
        self.gaz = gaz
        self.words, self.starts = tokenize(text)
        self.ends = [start + len(word) for word, start in zip(self.words, self.starts, strict=True)]
        self.local_aliases: dict[tuple[str, ...], Known] = {}  # acronyms this text introduced
        # character spans the rules read as names of nothing ("Malaysia Open"): no model adds to them
        self.nameless: list[tuple[int, int]] = []
        # gaps[i]: the characters between token i-1 and token i
        self.gaps = [text[end:start] for end, start in zip([0, *self.ends], self.starts, strict=False)]
        # an abbreviation's full stop does not end the name it opens ("RSUP Dr. Hasan Sadikin")
        self.grammar = grammar()
        # and neither does an initial's ("K. Thanabalan", "Che Adam A. Rahman")
        for k in range(1, len(self.words)):
            if self.gaps[k][:1] == "." and self.name_abbreviation(k - 1):
                self.gaps[k] = self.gaps[k][1:]
        # within one name, words are separated by spaces only, or by the commas and hyphens
        # of names like "Badan Meteorologi, Klimatologi, dan Geofisika", or the possessive of
        # one like "United Nations Children's Fund"
        # a name never runs over a line break ("... Kantor Pemkab Sidoarjo\n\nKasus ini"):
        # headlines and paragraphs end there
        self.name_gap = [g.strip() in NAME_GAPS and "\n" not in g for g in self.gaps]
        # joined[i]: token i continues the span that token i-1 is in (only spaces between)
        self.joined = [gap.isspace() and "\n" not in gap for gap in self.gaps]
        if self.joined:
            self.joined[0] = False
        # the tokens an opening bracket comes before: where an acronym may be introduced
        self.bracketed: list[int] = []
        bracket = text.find("(")
        while bracket != -1:
            self.bracketed.append(bisect_left(self.starts, bracket))
            bracket = text.find("(", bracket + 1)
        self.capitalised = list(map(is_capitalised, self.words))
        # "Abdul Rahman al-Hashimi": a particle joined to a name is a name word
        for hyphen in HYPHEN_BEFORE_LETTER.finditer(text):
            if text[hyphen.end() - 1].isupper():
                k = bisect_right(self.starts, hyphen.start()) - 1
                particle = self.words[k].split("-", 1)[0]
                self.capitalised[k] = self.capitalised[k] or particle in self.grammar.joined_particles
        for start, end in headline_spans(text, self.grammar.headline_cues):
            # "Baca Juga: Bank Dunia Pangkas Proyeksi Ekonomi Asia Timur": title case, where a
            # capital opens a name only when the gazetteer, a head word or an acronym says so
            for k in range(bisect_left(self.starts, start), bisect_left(self.starts, end)):
                word = self.words[k]
                named = word in gaz.alias_lengths or word in gaz.org_heads or word in gaz.loc_heads
                self.capitalised[k] = self.capitalised[k] and (named or is_acronym(word))
        suffixes = gaz.org_suffixes
        # where a company's legal form is written ("Bhd", "Tbk"): most texts have none
        self.legal_suffixes = (
            [] if suffixes.isdisjoint(self.words) else [k for k, w in enumerate(self.words) if w in suffixes]
        )
        self._positions: dict[str, list[int]] | None = None
        titles = profile.titles
        self.title_ends = [
            self._title_end(i, titles) if word in titles.lengths else None
            for i, word in enumerate(self.words)
        ]

    def name_abbreviation(self, k: int) -> bool:
        """Whether token k is written with a full stop inside a name: a listed abbreviation
        ("Dr.", "Muh.") or an initial before a capitalised word ("S. Arulselvan")."""
        word = self.words[k]
        if word in self.grammar.name_abbreviations:
            return True
        following = self.text[self.ends[k] : self.ends[k] + 3]
        return len(word) == 1 and word.isupper() and following[:2] == ". " and following[2:].isupper()

    def positions(self, word: str) -> list[int]:
        """Where a word occurs (the index is built only for the texts whose rules ask)."""
        if self._positions is None:
            self._positions = {}
            for k, each in enumerate(self.words):
                self._positions.setdefault(each, []).append(k)
        return self._positions.get(word, [])

    def _title_end(self, i: int, titles: Titles) -> int | None:
        """End of the longest person title or honorific starting at token i, if any."""
        for n in titles.lengths[self.words[i]]:
            words = tuple(self.words[i : i + n])
            if len(words) == n and words in titles.names and all(self.joined[i + 1 : i + n]):
                return i + n
        return None

    def sentence_start(self, i: int) -> bool:
        """Whether token i opens a sentence, where a capital says nothing about a name."""
        if i == 0:
            return True
        if self.name_abbreviation(i - 1):
            return bool(SENTENCE_BREAK.search(self.gaps[i]))
        before = self.text[self.ends[i - 1] : self.ends[i - 1] + 1]
        return bool(SENTENCE_BREAK.search(self.gaps[i])) or before in ".!?"

    def common(self, word: str) -> bool:
        """Whether a word is common in this text's language."""
        return common_word(word, self.profile.frequency_language)

    def mention(
        self, i: int, j: int, label: Label, canonical: str | None = None, known: Known | None = None
    ) -> Mention:
        """The mention of tokens i to j, linked to a gazetteer entry when one is known."""
        start = self.starts[i]
        end = self.ends[j - 1]
        if self.text[start:end].count("(") > self.text[start:end].count(")"):
            end += self.text[end : end + 1] == ")"  # "PT Kereta Api Indonesia (Persero)"
        text = self.text[start:end]
        if known is not None:
            return Mention(
                text, known.label if label is None else label, start, end, known.canonical, known.entity_id
            )
        return Mention(text, label, start, end, canonical or text)
