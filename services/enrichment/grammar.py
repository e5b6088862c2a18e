"""The word lists of gazetteer/grammar.json, read once for every reader, and where a
sentence ends.

The entity rules read most of the lists. Where a sentence ends is asked by translation's
splitter and by the English model's adapter (which reads only the sentences it needs); it
needs the abbreviations, so it is here, and the translation stage asks it without importing
the entity recogniser and its models.
"""

import json
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from kabar.services.common.package_data import GAZETTEER_DIR


@dataclass(frozen=True)
class Grammar:
    """The word lists the rules of every language and the sentence splitter read
    (gazetteer/grammar.json explains each)."""

    connectors: frozenset[str]
    office_connectors: frozenset[str]
    person_connectors: frozenset[str]
    company_connectors: frozenset[str]
    long_form_connectors: frozenset[str]
    # what makes a name an organisation's, in the English that foreign bodies are named in
    # too ("International Renewable Energy Agency", "Southeast Asian Fisheries Development Center")
    organisation_words: frozenset[str]
    legal_prefixes: frozenset[str]
    ranks: frozenset[str]
    say_verbs: frozenset[str]
    name_abbreviations: frozenset[str]
    abbreviations: frozenset[str]  # the others whose full stop does not end a sentence ("dll.", "No.")
    joined_particles: frozenset[str]  # "al-Hashimi": a lower-case particle, a hyphen, a name
    headline_cues: tuple[str, ...]  # "Baca Juga:": a related article's headline follows


@cache
def grammar_file() -> dict[str, Any]:
    grammar: dict[str, Any] = json.loads((GAZETTEER_DIR / "grammar.json").read_text("utf-8"))
    return grammar


@cache
def grammar() -> Grammar:
    data = grammar_file()
    connectors = data["connectors"]
    english = data["languages"]["en"]
    return Grammar(
        connectors=frozenset(connectors["name"]),
        office_connectors=frozenset(connectors["office"]),
        person_connectors=frozenset(connectors["person"]),
        company_connectors=frozenset(connectors["company"]),
        long_form_connectors=frozenset(connectors["name"]) | frozenset(connectors["long_form"]),
        organisation_words=frozenset(english["org_ends"]) | frozenset(english["org_heads_before_name"]),
        legal_prefixes=frozenset(data["legal_prefixes"]),
        ranks=frozenset(data["ranks"]),
        say_verbs=frozenset(data["say_verbs"]),
        name_abbreviations=frozenset(data["name_abbreviations"]),
        abbreviations=frozenset(data["abbreviations"]),
        joined_particles=frozenset(data["joined_particles"]),
        headline_cues=tuple(data["headline_cues"]),
    )


@cache
def _abbreviations() -> frozenset[str]:
    """Casefolded, because Indonesian writes "dr." for a medical doctor and "Dr." for a
    doctorate; with the full stop, as a word ending a sentence is written."""
    words = grammar().name_abbreviations | grammar().abbreviations
    return frozenset(f"{word.casefold()}." for word in words)


# Initials and dotted degrees: "B.J.", "A.", "S.H.", "M.Si.", "U.S.": a following capital
# is almost always a name, not a new sentence.
_INITIALS = re.compile(r"^(?:[^\W\d_]{1,3}\.){2,}$|^[^\W\d_]\.$")
_OPENERS = "\"'“‘«([{"
_CLOSERS = "\"'”’»)]}"
_TERMINATORS = ".!?"


def ends_sentence(word: str, following: str) -> bool:
    """Whether a sentence ends between two whitespace-separated words: a stop, then a
    capital, a digit or an opening quote, unless the stop is an abbreviation's or an
    initial's ("Dr. Hasan Sadikin", "R. Ganesan", "dll. Selain")."""
    core = word.rstrip(_CLOSERS)
    if not core or core[-1] not in _TERMINATORS or not following:
        return False
    first = following.lstrip(_OPENERS)[:1]
    if not (following[0] in _OPENERS or first.isupper() or first.isdigit()):
        return False
    if core[-1] != ".":
        return True
    if core.endswith(".."):  # an ellipsis before a capital ends the sentence
        return True
    bare = core.lstrip(_OPENERS)
    return bare.casefold() not in _abbreviations() and not _INITIALS.match(bare)
