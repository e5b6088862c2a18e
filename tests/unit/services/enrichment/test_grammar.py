"""The word lists of gazetteer/grammar.json as their readers get them."""

from collections import Counter

from kabar.services.enrichment.grammar import grammar_file


def test_each_abbreviation_is_listed_once() -> None:
    """The sentence splitter reads both lists casefolded: a word in both would have two owners
    ("Dr" and "dr" are one name abbreviation to it, two to the entity rules)."""
    words = Counter(word.casefold() for word in grammar_file()["abbreviations"])
    words.update({word.casefold() for word in grammar_file()["name_abbreviations"]})
    assert [word for word, n in words.items() if n > 1] == []
