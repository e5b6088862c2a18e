"""The word lists of gazetteer/grammar.json, read once for every reader.

The entity rules read most of them, and translation's sentence splitter the abbreviations;
a module of its own, so that the translation stage reads them without importing the entity
recogniser and its models.
"""

import json
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
