"""The word lists of gazetteer/grammar.json as their readers get them."""

from collections import Counter

from kabar.services.enrichment.entities import article_entities
from kabar.services.enrichment.entities.english_model import BETWEEN_SENTENCES
from kabar.services.enrichment.entities.english_model import _ends_sentence as model_sentence_ends
from kabar.services.enrichment.entities.profiles import profile_for
from kabar.services.enrichment.gazetteer import gazetteer
from kabar.services.enrichment.grammar import grammar_file
from kabar.services.enrichment.translation import split_sentences


def test_each_abbreviation_is_listed_once() -> None:
    """The sentence splitter reads both lists casefolded: a word in both would have two owners
    ("Dr" and "dr" are one name abbreviation to it, two to the entity rules)."""
    words = Counter(word.casefold() for word in grammar_file()["abbreviations"])
    words.update({word.casefold() for word in grammar_file()["name_abbreviations"]})
    assert [word for word, n in words.items() if n > 1] == []


def test_the_english_model_reads_the_sentences_translation_splits() -> None:
    """One rule for where a sentence ends: the English model's adapter, which picks the
    sentences it reads, cuts a paragraph where the translation splitter does."""
    text = (
        'Prof. Lim Wei Jie spoke first. "We are ready," said R. Ganesan of Maybank Bhd. '
        "The talks on rice, sugar, etc. resume on Monday. Ask Dr. Tan! Rates rose 2.5 per cent "
        "in U.S. markets. 2025 was worse... Analysts disagree."
    )
    (translated,) = split_sentences(text)
    gaps = [gap for gap in BETWEEN_SENTENCES.finditer(text) if model_sentence_ends(text, gap)]
    starts, ends = [0, *(gap.end() for gap in gaps)], [*(gap.start() for gap in gaps), len(text)]
    assert [text[start:end] for start, end in zip(starts, ends, strict=True)] == translated
    assert len(translated) == 6


def test_a_title_is_not_listed_again_as_a_role() -> None:
    """The Indonesian and Malay titles of cues.json are role nouns in lower case ("hakim
    Budi Santoso"); the role list holds only the roles that are no title."""
    roles = grammar_file()["languages"]["regional"]["person_roles"]
    assert sorted(set(roles) & gazetteer().regional_title_words) == []
    assert {"hakim", "pensyarah", "pelatih"} <= profile_for("id").person_roles


def test_a_lower_case_title_introduces_a_person_as_a_role_does() -> None:
    """ "dosen" is listed only as a title, yet "dosen Rahmat Wijayakusuma" reads as a lecturer's name."""
    mentions = article_entities("Menurut dosen Rahmat Wijayakusuma, harga beras naik lagi.", "id", None)
    assert [(m.text, m.label) for m in mentions] == [("Rahmat Wijayakusuma", "PER")]
