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

from services.common.dateline import dateline_end
from services.enrichment.entities.document import Document, Mention
from services.enrichment.entities.english_model import with_model_mentions
from services.enrichment.entities.profiles import profile_for
from services.enrichment.entities.recognisers import recognise
from services.enrichment.gazetteer import gazetteer

__all__ = ["Mention", "extract_entities"]


def extract_entities(text: str, language: str) -> list[Mention]:
    """Entities of a cleaned article body in its detected language. A dateline opening the
    body is where the story was filed, which the article's metadata says already."""
    profile = profile_for(language)
    gaz = gazetteer()
    mentions = recognise(Document(text, profile, gaz))
    if profile.statistical_model:
        mentions = with_model_mentions(text, mentions, profile, gaz)
    story_start = dateline_end(text)
    return [m for m in mentions if m.start >= story_start]
