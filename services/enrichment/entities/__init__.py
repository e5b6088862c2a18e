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

import re

from services.enrichment.entities.document import Document, Mention
from services.enrichment.entities.english_model import with_model_mentions
from services.enrichment.entities.profiles import profile_for
from services.enrichment.entities.recognisers import recognise
from services.enrichment.gazetteer import gazetteer

__all__ = ["Mention", "extract_entities"]

# "KOTA BHARU, Dec 3 (Bernama) --", "JAKARTA (ANTARA) -", "KUALA LUMPUR (Nov 12):", "SINGAPORE –",
# "Bisnis.com, JAKARTA -"
DATELINE = re.compile(
    r"\s*(?:[A-Z][\w-]*\.(?:com|co\.id|id|my|net)(?:\.my)?, ?)?"  # the outlet, by its web address
    r"[A-Z][A-Z'’.-]+(?: [A-Z][A-Z'’.-]+)*"  # the place, in capitals
    r"(?:, ?[\w .]{1,20}?)?"  # a date, or the outlet ("JAKARTA, KOMPAS.com -")
    r"(?: ?\([^()\n]{1,30}\))?"  # the agency or the date in brackets
    r"(?::| (?:--|[-–—]))(?=\s)"  # then a colon or a dash
)


def extract_entities(text: str, language: str) -> list[Mention]:
    """Entities of a cleaned article body in its detected language. A dateline opening the
    body is where the story was filed, which the article's metadata says already."""
    profile = profile_for(language)
    gaz = gazetteer()
    mentions = recognise(Document(text, profile, gaz))
    if profile.statistical_model:
        mentions = with_model_mentions(text, mentions, profile, gaz)
    dateline = DATELINE.match(text)
    return [m for m in mentions if m.start >= dateline.end()] if dateline else mentions
