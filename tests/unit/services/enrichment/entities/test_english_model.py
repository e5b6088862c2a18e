"""The English model reads only the sentences that hold a name the rules left unexplained,
with the words around them, and its names land at their places in the whole text."""

from collections.abc import Iterable, Iterator
from typing import Any

import pytest

from kabar.services.enrichment.entities import english_model, extract_entities

TEXT = (
    "Prices of cooking oil rose again on Monday, traders said. Heavy rain hit Jakarta in January"
    " and Bandung in February.\n\nThe team met Zorvath Mekendi at the port on Tuesday. Officials said"
    " the ship was late. Mekendi said he would wait."
)


class ReadingModel:
    """The model, noting every text it is given."""

    def __init__(self, model: Any) -> None:
        self.model = model
        self.read: list[str] = []

    def pipe(self, texts: Iterable[str]) -> Iterator[Any]:
        texts = list(texts)
        self.read.extend(texts)
        parsed: Iterator[Any] = self.model.pipe(texts)
        return parsed


@pytest.fixture
def reading(monkeypatch: pytest.MonkeyPatch) -> ReadingModel:
    model = ReadingModel(english_model.english_model())
    monkeypatch.setattr(english_model, "english_model", lambda: model)
    return model


def test_sentences_without_a_name_the_rules_left_unexplained_are_not_read(reading: ReadingModel) -> None:
    extract_entities(TEXT, "en")
    read = " ".join(reading.read)
    assert "Zorvath Mekendi" in read and "Mekendi said he would wait" in read
    # a date, a sentence's common first word, and places the gazetteer knows need no model
    assert "Prices" not in read and "Heavy rain" not in read


def test_a_text_whose_names_the_rules_explain_is_not_read(reading: ReadingModel) -> None:
    assert [m.text for m in extract_entities("Heavy rain hit Jakarta on Monday.", "en")] == ["Jakarta"]
    assert reading.read == []


def test_the_models_names_in_later_sentences_are_at_their_places_in_the_text() -> None:
    mentions = [(m.text, m.label, m.start) for m in extract_entities(TEXT, "en")]
    assert mentions == [
        ("Jakarta", "LOC", TEXT.index("Jakarta")),
        ("Bandung", "LOC", TEXT.index("Bandung")),
        ("Zorvath Mekendi", "PER", TEXT.index("Zorvath")),
        ("Mekendi", "PER", TEXT.rindex("Mekendi")),
    ]


def test_a_sentences_common_first_word_before_a_persons_later_name_is_read_with_it() -> None:
    text = "Dutch State Secretary Marieke de Vries visited Jakarta. De Vries added that talks went well."
    assert ("De Vries", "PER") in [(m.text, m.label) for m in extract_entities(text, "en")]


def found(text: str) -> list[tuple[str, str]]:
    return [(m.text, m.label) for m in extract_entities(text, "en")]


def test_the_model_adds_nothing_inside_an_event_the_rules_read() -> None:
    mentions = found("They beat Denmark 22-20 to reach the Malaysia Open semi-finals at the Axiata Arena.")
    assert ("Malaysia", "LOC") not in mentions, mentions


def test_a_name_listed_with_places_alone_is_a_place() -> None:
    mentions = found("The worst-hit areas were Waena, Abepura and Entrop, where mud swept through homes.")
    assert ("Entrop", "LOC") in mentions, mentions


def test_a_name_after_a_town_and_a_comma_is_its_province() -> None:
    mentions = found(
        "Fishermen in Masinloc, Zambales, the coastal town closest to the shoal, say catches fell."
    )
    assert ("Zambales", "LOC") in mentions, mentions


def test_a_lone_word_the_model_calls_a_person_with_nothing_to_support_it_is_dropped() -> None:
    text = (
        "KCIC president director Dadan Ramdhani said the Whoosh service now ran 62 trips a day. "
        "Benchmark palm oil futures on Bursa Malaysia Derivatives rose 1.2 per cent."
    )
    mentions = found(text)
    assert ("Whoosh", "PER") not in mentions and ("Benchmark", "PER") not in mentions, mentions
    assert ("Dadan Ramdhani", "PER") in mentions, mentions
