"""What the extraction rules need to know about one language, in one frozen value per language.

The rules are shared; languages differ in their word lists, their titles, the order in which
they name things (English puts the kind of a name last and an office before the title) and
which recognisers apply. Stating those differences here, once, keeps the recognisers free of
tests on the language's code. The word lists come from gazetteer/grammar.json (grammar.py).
"""

from dataclasses import dataclass
from functools import cache

from kabar.services.enrichment.gazetteer import Titles, gazetteer
from kabar.services.enrichment.grammar import grammar, grammar_file


@dataclass(frozen=True)
class Profile:
    """One language's rules: the word lists and facts they read, and the recognisers that run."""

    language: str
    frequency_language: str  # the word-frequency list that says which words are common
    titles: Titles
    recognisers: frozenset[str]
    # the organisation connectors: English adds "for" ("Institute for Medical Research")
    org_connectors: frozenset[str]
    # an office comes before the title ("Energy Minister Hendro"), so none follows it
    office_before_title: bool
    # a name ends at its last capitalised word ("the Bekasi regency administration")
    name_ends_at_capital: bool
    # abstract nouns are formed with affixes ("Pembangunan"), never a person's name
    abstract_nouns: bool
    # an unknown word opening a sentence may be a name when it is a known name part
    opening_name_part_is_name: bool
    skipped_openers: frozenset[str] = frozenset()
    org_heads_before_name: frozenset[str] = frozenset()
    org_ends: frozenset[str] = frozenset()
    venue_heads: frozenset[str] = frozenset()
    venue_words: frozenset[str] = frozenset()
    loc_ends: frozenset[str] = frozenset()
    numbered_street_ends: frozenset[str] = frozenset()
    event_and_law_ends: frozenset[str] = frozenset()
    description_articles: frozenset[str] = frozenset()
    list_separators: frozenset[str] = frozenset()
    place_before: tuple[str, ...] = ()
    place_after: frozenset[str] = frozenset()
    place_cues: frozenset[str] = frozenset()
    person_roles: frozenset[str] = frozenset()  # "penumpang, K. Thanabalan": a person's name follows
    person_roles_before_comma: frozenset[str] = frozenset()  # "warga Bawean" are its residents
    place_phrases: frozenset[tuple[str, ...]] = frozenset()  # "Balai Kota Bandung": a building
    initials_cues: frozenset[str] = frozenset()  # "tersangka berinisial HS": initials name a person
    dates: frozenset[str] = frozenset()  # days and months, which the model calls dates, never names
    statistical_model: bool = False  # spaCy's English model adds what the rules did not explain


SHARED_RECOGNISERS = frozenset(
    {
        "titled_person",
        "gazetteer_name",
        "head_word_name",
        "place_pair",
        "company_name",
        "acronym_long_form",
        "hyphenated_pair",
    }
)


def _english() -> Profile:
    words = grammar_file()["languages"]["en"]
    return Profile(
        language="en",
        frequency_language="en",
        # Indonesian and Malay titles are given names in English text ("Azman Hakim", "Putri Ayu")
        titles=gazetteer().english_titles,
        recognisers=SHARED_RECOGNISERS | {"event_or_law", "kind_named_last", "english_person"},
        org_connectors=grammar().connectors | frozenset(words["org_connectors"]),
        office_before_title=True,
        name_ends_at_capital=True,
        abstract_nouns=False,
        opening_name_part_is_name=False,
        skipped_openers=frozenset(words["function_words"]),
        org_heads_before_name=frozenset(words["org_heads_before_name"]),
        org_ends=frozenset(words["org_ends"]),
        venue_heads=frozenset(words["venue_heads"]),
        venue_words=frozenset(words["venue_words"]),
        loc_ends=frozenset(words["loc_ends"]),
        numbered_street_ends=frozenset(words["numbered_street_ends"]),
        event_and_law_ends=frozenset(words["event_and_law_ends"]),
        description_articles=frozenset(words["description_articles"]),
        list_separators=frozenset(words["list_separators"]),
        place_before=tuple(words["place_before"]),
        place_after=frozenset(words["place_after"]),
        dates=frozenset(words["dates"]),
        statistical_model=True,
    )


def _regional(language: str) -> Profile:
    """Indonesian and Malay, and any language without rules of its own: the rules were
    written on Indonesian and Malay, and Indonesian word frequencies judge the rest."""
    words = grammar_file()["languages"]["regional"]
    return Profile(
        language=language,
        frequency_language=language if language in ("id", "ms") else "id",
        titles=gazetteer().titles,
        recognisers=SHARED_RECOGNISERS | {"person_by_initials", "regional_person_or_place"},
        org_connectors=grammar().connectors,
        office_before_title=False,
        name_ends_at_capital=False,
        abstract_nouns=True,
        opening_name_part_is_name=True,
        place_cues=frozenset(words["place_cues"]),
        person_roles=frozenset(words["person_roles"]) | gazetteer().regional_title_words,
        person_roles_before_comma=frozenset(words["person_roles_before_comma"]),
        place_phrases=frozenset(tuple(phrase.split()) for phrase in words["place_phrases"]),
        initials_cues=frozenset(words["initials_cues"]),
        list_separators=frozenset(words["list_separators"]),
    )


@cache
def profile_for(language: str) -> Profile:
    """The profile of a detected language (built once per language)."""
    return _english() if language == "en" else _regional(language)
