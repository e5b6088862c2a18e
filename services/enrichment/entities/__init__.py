"""Named entities with canonical English names for Indonesian, Malay and English news.

No statistical model exists offline for Indonesian or Malay, so those languages go through
rules over capitalised spans: a sequence of recognisers (recognisers.py: titles before
persons, the gazetteer, organisation and place head words, company forms, names nothing else
explained) that each propose the mentions they see, with acronyms introduced as
"Long Name (ABBR)", then document-level coreference (coreference.py: a later "Arif" is the
"Arif Santoso Wibowo" named before). English goes through the same rules with English
patterns (a name's last word says what it is, a role word or an age marks a person), then
spaCy's small English model adds what they did not explain (english_model.py). What differs
between languages is stated once per language in profiles.py; the word lists are data
(gazetteer/grammar.json).
"""

from kabar.services.common.dateline import dateline_end
from kabar.services.enrichment.entities.document import Document, Mention
from kabar.services.enrichment.entities.english_model import with_model_mentions
from kabar.services.enrichment.entities.profiles import profile_for
from kabar.services.enrichment.entities.recognisers import recognise
from kabar.services.enrichment.gazetteer import gazetteer

__all__ = ["Mention", "article_entities", "dateline_mention", "extract_entities"]


def extract_entities(text: str, language: str) -> list[Mention]:
    """Entities of a cleaned article body in its detected language. A dateline opening the
    body is where the story was filed, which the article's metadata says already."""
    profile = profile_for(language)
    doc = Document(text, profile, gazetteer())
    mentions = recognise(doc)
    if profile.statistical_model:
        mentions = with_model_mentions(doc, mentions)
    story_start = dateline_end(text)
    return [m for m in mentions if m.start >= story_start]


def article_entities(body: str, language: str, dateline_place: str | None) -> list[Mention]:
    """The entities of an article: its body's, and first the place its dateline names, so
    that searching for "Kuala Lumpur" finds the stories filed from there ("KUALA LUMPUR:")."""
    mentions = extract_entities(body, language)
    place = dateline_mention(dateline_place, language) if dateline_place else None
    if place is None or any(m.label == "LOC" and same_entity(m, place) for m in mentions):
        return mentions  # the body names the place: one entity, counted once
    return [place, *mentions]


def same_entity(one: Mention, other: Mention) -> bool:
    """Linked to one gazetteer entry, or named alike where the gazetteer knows neither."""
    linked = one.entity_id is not None and one.entity_id == other.entity_id
    return linked or one.canonical == other.canonical


def dateline_mention(place: str, language: str) -> Mention:
    """The dateline's place as a LOC, linked the way the same words in a body would be
    ("Johor Bahru", "Jakarta Selatan"); a place the rules cannot link keeps its name."""
    profile = profile_for(language)
    found = recognise(Document(place, profile, gazetteer()))
    whole = [m for m in found if m.label == "LOC" and m.start == 0 and m.end == len(place)]
    canonical, entity_id = (whole[0].canonical, whole[0].entity_id) if whole else (place, None)
    return Mention(place, "LOC", 0, 0, canonical, entity_id, origin="dateline")
