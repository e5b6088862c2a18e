"""The curated gazetteer (JSON under gazetteer/) plus CLDR country names, as lookup tables.

Loaded once per process: every lookup afterwards is a dict access, so repeated names in a
stream of articles cost nothing extra. Aliases are matched case-sensitively as token
tuples, because case is what separates the acronym "AS" (United States) from "as", and
"Antara" the agency from "antara" (between).
"""

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Literal

from babel import Locale

from kabar.services.common.package_data import GAZETTEER_DIR, gazetteer_entries

TOKEN = re.compile(r"\w+(?:['’./&-]\w+)*['’.]?")
Label = Literal["PER", "ORG", "LOC"]


@dataclass(frozen=True)
class Known:
    """A gazetteer entry: what an alias links to."""

    entity_id: str | None
    canonical: str
    label: Label
    kind: str
    country: str | None


INITIALS = re.compile(r"(?:[A-Z]\.){2,}")
POSSESSIVE = ("'s", "’s")


def word_of(token: str) -> str:
    """A token as the extractor sees it: a trailing full stop ends the sentence, not the word,
    unless it closes initials inside a name ("Jalan M.H. Thamrin"); a possessive ends the
    name before it ("Japan's"), and a name the gazetteer holds with one ("United Nations
    Children's Fund") is looked up the way a text's words are read."""
    if token[-1:] == "." and not INITIALS.fullmatch(token):
        token = token.rstrip(".")
    return token[:-2] if len(token) > 3 and token[-2:] in POSSESSIVE else token


def tokens_of(text: str) -> tuple[str, ...]:
    return tuple(word_of(m.group()) for m in TOKEN.finditer(text))


@dataclass(frozen=True)
class Titles:
    """Person titles and honorifics: the words before a name that are not part of it."""

    names: frozenset[tuple[str, ...]]
    lengths: dict[str, tuple[int, ...]]  # first word -> lengths of the titles starting with it, longest first


@dataclass(frozen=True)
class Gazetteer:
    aliases: dict[tuple[str, ...], Known]
    alias_lengths: dict[str, tuple[int, ...]]  # first word -> alias lengths starting with it, longest first
    # every language's titles for Indonesian and Malay text; English text gets its own, because
    # Indonesian and Malay titles are given names there ("Azman Hakim", "Putri Ayu")
    titles: Titles
    english_titles: Titles
    english_roles: frozenset[str]  # "department head Rina Kusumawati", "minister R Ganesan"
    # the one-word Indonesian and Malay titles in lower case: written so, each is a role noun
    # that introduces a name ("hakim Budi Santoso", "pensyarah, Dr Ahmad")
    regional_title_words: frozenset[str]
    name_parts: frozenset[str]  # given names and surnames: "Ng", "Jun", "Pornpimol", "Siregar"
    demonyms: frozenset[str]  # "Colombian Andres Felipe Rojas": the nationality, not the name
    honorifics: frozenset[tuple[str, ...]]
    org_heads: frozenset[str]
    # head words of more than one word ("Direktorat Jenderal"): a rank inside one is the
    # name's, not the title of a person named next
    org_head_phrases: frozenset[tuple[str, ...]]
    org_suffixes: frozenset[str]
    loc_heads: frozenset[str]
    compass: frozenset[str]  # "Utara", "North": a place's name may end in one
    not_entities: frozenset[str]
    quote_verbs: frozenset[str]
    office_words: frozenset[str]
    caution: frozenset[tuple[str, ...]]
    by_language: dict[tuple[tuple[str, ...], str], Known]

    def lookup(self, words: tuple[str, ...], language: str | None = None) -> Known | None:
        """The entry an alias names; a few names differ by the article's language (Indonesian
        and Malaysian ministries both called "Kementerian Luar Negeri")."""
        if language is not None:
            local = self.by_language.get((words, language))
            if local is not None:
                return local
        return self.aliases.get(words)


def _known(entry: dict[str, object]) -> Known:
    return Known(
        str(entry["id"]),
        str(entry["canonical"]),
        entry["label"] if entry["label"] in ("PER", "ORG") else "LOC",
        str(entry.get("type", "")),
        entry.get("country") if isinstance(entry.get("country"), str) else None,  # type: ignore[arg-type]
    )


def _cldr_country_names(countries: dict[str, Known]) -> dict[tuple[str, ...], Known]:
    """Country names as Indonesian, Malay and English CLDR data spell them, for the
    countries the curated list has (its ids are keyed by ISO code)."""
    names: dict[tuple[str, ...], Known] = {}
    for locale in ("id", "ms", "en"):
        for code, name in Locale.parse(locale).territories.items():
            known = countries.get(code.lower())
            if known is not None:
                names.setdefault(tokens_of(name), known)
    return names


def _words(values: list[str]) -> frozenset[tuple[str, ...]]:
    return frozenset(tokens_of(v) for v in values if tokens_of(v))


def _titles(names: frozenset[tuple[str, ...]]) -> Titles:
    return Titles(names, _lengths_by_first_word(names))


def _lengths_by_first_word(names: Iterable[tuple[str, ...]]) -> dict[str, tuple[int, ...]]:
    """Lets the extractor try only the name lengths that can start at a word: most words
    start none, and the scan over a text then costs one dict miss per word."""
    lengths: dict[str, set[int]] = {}
    for words in names:
        lengths.setdefault(words[0], set()).add(len(words))
    return {word: tuple(sorted(found, reverse=True)) for word, found in lengths.items()}


@cache
def gazetteer() -> Gazetteer:
    aliases: dict[tuple[str, ...], Known] = {}
    ambiguity = json.loads((GAZETTEER_DIR / "ambiguity.json").read_text("utf-8"))
    preferred = {item["alias"]: item["prefer"] for item in ambiguity["ambiguous"]}
    by_id: dict[str, Known] = {}
    countries: dict[str, Known] = {}
    office_words: set[str] = set()
    demonyms: set[str] = set()
    for name in ("countries.json", "places.json", "organisations.json", "people.json"):
        for entry in gazetteer_entries(name):
            known = _known(entry)
            entity_id = str(entry["id"])
            by_id[entity_id] = known
            if known.kind == "country":
                countries[entity_id.rsplit(":", 1)[1]] = known
                demonyms.update(entry.get("demonyms", []))  # type: ignore[arg-type]
            for alias in entry["aliases"]:  # type: ignore[attr-defined]
                words = tokens_of(str(alias))
                if words and (str(alias) not in preferred or preferred[str(alias)] == known.entity_id):
                    aliases.setdefault(words, known)
                if known.label == "ORG" and known.kind in ("ministry", "agency"):
                    office_words.update(w for w in words if w[:1].isupper() and len(w) > 2)
    for alias, entity_id in preferred.items():
        if entity_id in by_id:
            aliases[tokens_of(alias)] = by_id[entity_id]
    by_language = {
        (tokens_of(item["alias"]), language): by_id[entity_id]
        for item in ambiguity["ambiguous"]
        for language, entity_id in item.get("prefer_by_language", {}).items()
        if entity_id in by_id
    }
    for words, known in _cldr_country_names(countries).items():
        aliases.setdefault(words, known)

    cues = json.loads((GAZETTEER_DIR / "cues.json").read_text("utf-8"))
    names = json.loads((GAZETTEER_DIR / "names.json").read_text("utf-8"))
    titles = [t for language in cues["person_titles"].values() for t in language]
    hereditary = _words(cues["hereditary_titles"])
    groups = cues["not_entities_groups"]
    quote_verbs = frozenset(v.lower() for v in groups.get("quote_verbs", []))
    heads = {tokens_of(h)[0] for h in cues["org_heads"] if tokens_of(h)}
    # hereditary titles (Tengku, Raden, Syed) are part of the name, not a title before it
    honorifics = _words(cues["honorifics"]) - hereditary
    return Gazetteer(
        aliases=aliases,
        alias_lengths=_lengths_by_first_word(aliases),
        titles=_titles((_words(titles) - hereditary) | honorifics),
        english_titles=_titles((_words(cues["person_titles"]["en"]) - hereditary) | honorifics),
        english_roles=frozenset(cues["english_roles"]),
        regional_title_words=frozenset(
            words[0].lower()
            for words in _words(cues["person_titles"]["id"] + cues["person_titles"]["ms"]) - hereditary
            if len(words) == 1
        ),
        name_parts=frozenset(names["given_names"]) | frozenset(names["surnames"]),
        demonyms=frozenset(demonyms),
        honorifics=honorifics,
        org_heads=frozenset(heads),
        org_head_phrases=frozenset(words for words in map(tokens_of, cues["org_heads"]) if len(words) > 1),
        org_suffixes=frozenset(s.strip("()") for s in cues["org_suffixes"]),
        loc_heads=frozenset(tokens_of(h)[0] for h in cues["loc_heads"] if tokens_of(h)),
        compass=frozenset(word for point in cues["compass"] for word in point.values() if " " not in word),
        not_entities=frozenset(cues["not_entities"]),
        quote_verbs=quote_verbs,
        office_words=frozenset(office_words - heads),
        caution=frozenset(tokens_of(item["alias"]) for item in ambiguity["caution"]),
        by_language=by_language,
    )
