"""The recognisers: each looks at the capitalised token where a name may start and proposes the
mentions it sees there, with the token where the scan goes on; the first recogniser of
``RECOGNISERS`` that proposes anything wins. They read the document and change nothing, so
each can be tested alone and their order is stated in one place.
"""

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import replace
from typing import NamedTuple

from kabar.services.enrichment.entities.coreference import resolve_people
from kabar.services.enrichment.entities.document import (
    MONEY,
    Document,
    Mention,
    concept_word,
    is_acronym,
    pair_apart,
)
from kabar.services.enrichment.entities.spans import (
    acronym_after,
    capitalised_run,
    company_span,
    english_common,
    known_at,
    legal_core,
    longer_name_end,
    name_like,
    numbered_name_end,
    org_or_place_span,
    person_name_end,
    place_with_compass,
    regional_branch,
    split_by_later_mention,
    title_or_rank,
)
from kabar.services.enrichment.gazetteer import Known, Label

AGE = re.compile(r",\s*\d{1,3},\s")  # "Jason Teo Wei Ming, 44, pleaded guilty"
# "Che Puteh Mamat, 67, berkata", "Iyah Sumiati (52) mengaku", "Lukas, 45 tahun, warga",
# "bekas wakil rakyat, Zulkarnain bin Mat Yusof, 58." at a sentence's end
REGIONAL_AGE = re.compile(r",\s*\d{1,3}(?:,\s|\.(?:\s|$)| tahun\b)|\s*\(\d{1,3}\)")
QUOTE_CLOSE = re.compile(r"[,.!?]\s*[\"”]\s*$")
MAX_OFFICE_WORDS = 16
# between a role and the comma before the person ("pemilik CV Sumber Makmur, Sukardi")
MAX_ORGANISATION_WORDS = 8
MAX_LONG_FORM_WORDS = 14  # "Organisation for the Prohibition of Chemical Weapons" and a word before it


class Proposal(NamedTuple):
    """What a recogniser saw at a token: mentions (perhaps none, for a span that names
    nothing, such as an event), the token the scan goes on from, and the acronyms the text
    introduced there ("Long Name (ABBR)"), which later tokens may name alone. A named tuple:
    one is made at nearly every capitalised token."""

    mentions: tuple[Mention, ...]
    end: int
    acronyms: tuple[Mention, ...] = ()
    nameless: bool = False  # the span is a name of nothing: an event, a law


Recogniser = Callable[[Document, int], Proposal | None]


# --------------------------------------------------------------------------- titles


def titled_person(doc: Document, i: int) -> Proposal | None:
    """A title or honorific, then the office it holds and the person who holds it."""
    title_end = doc.title_ends[i]
    if title_end is None:
        return None
    known = known_at(doc, i)
    if known is not None and known[0] > title_end and known[1].label != "PER":
        return None  # "Attorney-General's Chambers": a body the gazetteer knows, named after an office
    named = kind_named_last_span(doc, i) if "kind_named_last" in doc.profile.recognisers else None
    if (
        named is not None
        and named[1] == "ORG"
        and named[0] > title_end
        and "of" not in doc.words[title_end : named[0]]  # "Professor X of Duke-NUS Medical School"
    ):
        return None  # "General Elections Commission": an organisation, not a general
    return person_after_title(doc, title_end) or Proposal((), title_end)


def person_after_title(doc: Document, i: int) -> Proposal | None:
    """What follows a title: an office that may name places and organisations, then the
    person ("Gubernur Jawa Barat Ridwan Kamil", "Kepala Pusat Data, Informasi, dan Komunikasi
    Kebencanaan BNPB Arif Santoso Wibowo", "Kapolda Metro Jaya Irjen Karyoto")."""
    if i == len(doc.words):  # a title that ends the text ("... kata Menteri")
        return None
    gaz, office_connectors = doc.gaz, doc.grammar.office_connectors
    place_next = doc.joined[i] and doc.capitalised[i] and not title_or_rank(doc, i)
    if place_next and doc.words[i - 1] in gaz.loc_heads and known_at(doc, i) is None:
        # "Ketua Polis Daerah Sik": a title ending in a place word names the place next
        end = capitalised_run(doc, i, frozenset())
        end = next((k for k in range(i + 1, end) if title_or_rank(doc, k)), end)
        return Proposal((doc.mention(i, end, "LOC"),), end)
    mentions: list[Mention] = []
    known_spans: list[tuple[int, int, Known]] = []
    last_rank = None
    # English puts the office before the title ("Energy Minister Hendro and ..."), unless the
    # title goes on with "of" or "for" ("Minister of State for Transport Melissa Koh")
    office_after = not doc.profile.office_before_title or doc.words[i] in office_connectors
    known_person: tuple[int, int, Known] | None = None
    k = i
    while (
        k < len(doc.words)
        and k - i < MAX_OFFICE_WORDS
        and (k == i or doc.joined[k] or doc.gaps[k].strip() == ",")
    ):
        found = known_at(doc, k)
        if found is not None and found[1].label == "PER":  # "Presiden Prabowo Subianto"
            known_person = (k, *found)
            break
        if found is not None:
            if found[1].label == "ORG":
                end, entry = regional_branch(doc, *found)
            else:
                end, entry = place_with_compass(doc, k, *found)
            # "PT Bank Rakyat Indonesia (Persero) Tbk": the legal form is part of the name
            legal_form = k > i and doc.words[k - 1] in doc.grammar.legal_prefixes and entry.label == "ORG"
            known_spans.append((k - 1 if legal_form else k, end, entry))
            k = end
            continue
        again = doc.title_ends[k]
        if again is not None:
            last_rank = again
            k = again
            continue
        word = doc.words[k]
        if word in doc.grammar.ranks:
            last_rank = k + 1
        elif (
            not (doc.capitalised[k] or (office_after and word in office_connectors))
            or word in gaz.not_entities
        ):
            break
        k += 1
    start = max([i] + [end for _, end, _ in known_spans] + ([last_rank] if last_rank else []))
    if doc.profile.office_before_title:
        # "Director General of Minerals and Coal Bambang Suryono": the name comes after "of", "and"
        start = max([start] + [j + 1 for j in range(start, k) if doc.words[j] in office_connectors])
    while start < k and (doc.words[start] in gaz.office_words or doc.words[start] in office_connectors):
        start += 1
    first_known = known_spans[0][0] if known_spans else start
    # "Ketua Ekonomi Bank Islam Malaysia Berhad": the organisation starts at its head word;
    # "Penganalisis Kenanga Investment Bank Berhad": a company's legal suffix ends its name
    # "Ketua Pegawai Eksekutif Malaysia Rail Link Sdn Bhd": places before it are in its name
    suffix = next((j for j in range(i + 1, k) if doc.words[j] in gaz.org_suffixes), None)
    if suffix is not None and all(entry.label == "LOC" for s, _, entry in known_spans if s < suffix):
        known_spans = [span for span in known_spans if span[0] > suffix]
        first_known = suffix
        org_start: int | None = i
    else:
        # "Yang Dipertua Majlis Perbandaran Kemaman": the title's last word may open the name
        first = i - 1 if doc.words[i - 1] in gaz.org_heads else i
        org_start = next((j for j in range(first, first_known) if doc.words[j] in gaz.org_heads), None)
    # "Kasat Reskrim Polresta Sleman": a head word and the place it serves
    place_next = bool(known_spans) and org_start == known_spans[0][0] - 1 and known_spans[0][2].label == "LOC"
    if org_start is not None and (first_known > org_start + 1 or place_next):
        # the place an organisation is named with is part of its name ("Dinas Pendidikan
        # Kalimantan Selatan", "Asosiasi Penambang Nikel Indonesia (APNI)")
        org_end = first_known
        while known_spans and known_spans[0][0] == org_end and known_spans[0][2].label == "LOC":
            org_end = known_spans.pop(0)[1]
        while org_end < len(doc.words) and doc.words[org_end] in gaz.org_suffixes:
            org_end += 1
        # "Pakar Pediatrik Hospital Sultanah Bahiyah, Dr Nor Azlina": the honorific is the person's
        while (
            org_end - 1 > org_start
            and doc.title_ends[org_end - 1] is not None
            and not doc.joined[org_end - 1]
        ):
            org_end -= 1
        mentions.append(doc.mention(org_start, org_end, "ORG"))
        if acronym_after(doc, org_end) is not None and not known_spans and start <= org_end:
            return with_acronym(doc, mentions, org_end)
        start = max(start, org_end)
    mentions.extend(doc.mention(s, e, entry.label, known=entry) for s, e, entry in known_spans if e <= start)
    introduced = acronym_after(doc, k) if not known_spans and k > i + 1 else None
    if introduced is not None and is_acronym(introduced[1]):
        long_form = long_form_start(doc, i, k, introduced[1])
        if long_form is not None and names_organisation(doc, long_form, k):
            # "Peneliti Center for Strategic and International Studies (CSIS) Yose Rizal"
            mentions.append(doc.mention(long_form, k, "ORG"))
            return with_acronym(doc, mentions, k)
    if start < k and doc.words[start] in gaz.org_heads:
        split = split_by_later_mention(doc, start, k) or numbered_name_end(doc, start, k)
        if split == k:
            mentions.append(doc.mention(start, k, "ORG"))
            return Proposal(tuple(mentions), k)
        mentions.append(doc.mention(start, split, "ORG"))
        start = split
    if known_person is not None:
        person_start, person_end, person = known_person
        longer_end = longer_name_end(doc, person_end)
        if longer_end > person_end:
            mentions.append(doc.mention(person_start, longer_end, "PER"))
            return Proposal(tuple(mentions), longer_end)
        mentions.append(doc.mention(person_start, person_end, "PER", known=person))
        return Proposal(tuple(mentions), person_end)
    if start < len(doc.words) and (start == i or doc.joined[start] or doc.gaps[start].strip() == ","):
        place = org_or_place_span(doc, start) if doc.words[start] in gaz.loc_heads else None
        if place is not None:  # "Yang Berhormat for Sungai Panjang": the seat, not the member
            mentions.append(doc.mention(start, place[0], place[1]))
            return Proposal(tuple(mentions), place[0])
        # "Timbalan Pengarah (Operasi)": a department, no one's name
        department = doc.profile.abstract_nouns and concept_word(doc.words[start])
        name_end = start if department else person_name_end(doc, start)
        if name_end > start:
            mentions.append(doc.mention(start, name_end, "PER"))
            return Proposal(tuple(mentions), name_end)
    return Proposal(tuple(mentions), max(start, i + 1)) if mentions else None


# --------------------------------------------------------------------------- pairs

# "Chong Mei Xuan-Nurul Syafiqah": a hyphen before a capital, not after a particle ("al-Hashimi")
PAIR_HYPHEN = re.compile(r"(?<=[a-z])-(?=[A-Z])")


def hyphenated_pair(doc: Document, i: int) -> Proposal | None:
    """A doubles pair written with a hyphen ("Kittiya Srisuk-Ploy Chanthavong", "Chong Mei
    Xuan-Nurul Syafiqah binti Azman"): two people, when each side is a name of two words or
    more that no gazetteer entry explains. One word on a side is a double-barrelled name."""
    end = person_name_end(doc, i)
    cut = next((k for k in range(i, end) if PAIR_HYPHEN.search(doc.words[k])), None)
    if cut is None or cut == i or cut == end - 1:
        return None  # a name of one word on a side: "Zeta-Jones", "Kota Bharu-Jerteh"
    at = [h.start() for h in PAIR_HYPHEN.finditer(doc.words[cut])][-1]
    words = [*doc.words[i:cut], doc.words[cut][:at], doc.words[cut][at + 1 :], *doc.words[cut + 1 : end]]
    if not name_like(words, doc.gaz) or any(known_at(doc, k) for k in range(i, end)):
        return None
    hyphen = doc.starts[cut] + at
    first = doc.text[doc.starts[i] : hyphen]
    second = doc.text[hyphen + 1 : doc.ends[end - 1]]
    return Proposal(
        (
            Mention(first, "PER", doc.starts[i], hyphen, first),
            Mention(second, "PER", hyphen + 1, doc.ends[end - 1], second),
        ),
        end,
    )


# --------------------------------------------------------------------------- initials


INITIALS = re.compile(r"[A-Z]{2,4}")
BRACKETED_AGE = re.compile(r"\s*\(\d{1,3}\)")  # "berinisial AR (34), SH (29) dan MN (41)"


def person_by_initials(doc: Document, i: int) -> Proposal | None:
    """Initials a crime or court report names a suspect or a victim by ("perantara berinisial
    HS", "dua nakhoda berinisial NVH dan TQD"): a person, whatever an acronym spelt alike
    would name ("berinisial AS" is no country)."""
    if not INITIALS.fullmatch(doc.words[i]):
        return None
    first = i  # "NVH dan TQD", "AR (34), SH (29) dan MN (41)": the list's first follows the cue
    while (before := _initials_listed_before(doc, first)) is not None:
        first = before
    if first == 0 or not doc.joined[first] or doc.words[first - 1].lower() not in doc.profile.initials_cues:
        return None
    return Proposal((doc.mention(i, i + 1, "PER"),), i + 1)


def _initials_listed_before(doc: Document, k: int) -> int | None:
    """The initials listed right before token k, with perhaps an age and a word between
    ("SH (29) dan MN"), or None."""
    for j in range(k - 1, max(k - 4, -1), -1):
        if INITIALS.fullmatch(doc.words[j]):
            age = BRACKETED_AGE.match(doc.text, doc.ends[j], doc.starts[k])
            between = doc.text[age.end() if age else doc.ends[j] : doc.starts[k]]
            return j if between in doc.profile.list_separators else None
    return None


# --------------------------------------------------------------------------- names that are no entity


def event_or_law(doc: Document, i: int) -> Proposal | None:
    """An English event's or law's name ("Indonesian Motorcycle Grand Prix", "Malaysian
    Anti-Corruption Commission Act"): neither is a person, organisation or place, and the
    places and organisations inside them are not mentioned for themselves."""
    end = capitalised_run(doc, i, doc.grammar.connectors)
    named_nothing = end - i >= 2 and doc.words[end - 1] in doc.profile.event_and_law_ends
    return Proposal((), end, nameless=True) if named_nothing else None


# --------------------------------------------------------------------------- the gazetteer


def gazetteer_name(doc: Document, i: int) -> Proposal | None:
    """The longest name the gazetteer knows, unless a pattern explains a longer span (an
    English name's last word says what it is: "Bukit Aman Commercial Crime Investigation
    Department", whatever Malay place word it starts with)."""
    known = known_at(doc, i)
    if known is None:
        return None
    span = _pattern_span(doc, i)
    if span is not None and known[0] < span[0]:
        return None
    end, entry = known
    if entry.label == "ORG":
        end, entry = regional_branch(doc, end, entry)
    elif entry.label == "LOC":
        end, entry = place_with_compass(doc, i, end, entry)
    longer_end = longer_name_end(doc, end) if entry.label == "PER" else end
    if longer_end > end:
        return with_acronym(doc, [doc.mention(i, longer_end, "PER")], longer_end)
    return with_acronym(doc, [doc.mention(i, end, entry.label, known=entry)], end)


def _pattern_span(doc: Document, i: int) -> tuple[int, Label] | None:
    """The span the first pattern recogniser that runs would take at token i."""
    named = kind_named_last_span(doc, i) if "kind_named_last" in doc.profile.recognisers else None
    return named or org_or_place_span(doc, i) or company_span(doc, i)


# --------------------------------------------------------------------------- patterns


def kind_named_last(doc: Document, i: int) -> Proposal | None:
    """An English name whose last word says what it is."""
    span = kind_named_last_span(doc, i)
    return _span_proposal(doc, i, *span) if span is not None else None


def head_word_name(doc: Document, i: int) -> Proposal | None:
    """A name that opens with an organisation's or a place's head word ("Dinas Perkebunan",
    "Kabupaten Poso")."""
    span = org_or_place_span(doc, i)
    return _span_proposal(doc, i, *span) if span is not None else None


def company_name(doc: Document, i: int) -> Proposal | None:
    """A name that runs to a company's legal form ("Sarawak Metro Sdn Bhd")."""
    span = company_span(doc, i)
    return _span_proposal(doc, i, *span) if span is not None else None


def _span_proposal(doc: Document, i: int, end: int, label: Label) -> Proposal:
    """A pattern's span, linked to the gazetteer entry its core names: "Kabupaten Sleman" is
    Sleman; "PT Bank Rakyat Indonesia (Persero) Tbk" is the bank."""
    core = (
        doc.words[i + 1 : end]
        if label == "LOC"
        else legal_core(doc.text[doc.starts[i] : doc.ends[end - 1]], doc.gaz).split()
    )
    entry = doc.gaz.lookup(tuple(core))
    mention = (
        doc.mention(i, end, label, known=entry)
        if entry and entry.label == label
        else doc.mention(i, end, label)
    )
    return with_acronym(doc, [mention], end)


def kind_named_last_span(doc: Document, i: int) -> tuple[int, Label] | None:
    """An English name whose last word says what it is: "Penang Port", "Kendari Corruption
    Court" (a gazetteer place at its start does not make the whole a place)."""
    if not doc.capitalised[i]:
        return None
    profile = doc.profile
    word = doc.words[i]
    if MONEY.match(word):  # "RM4.92 and Kuala Lumpur Kepong Bhd"
        return None
    if (  # "Shares of Top Glove Corp Bhd": a sentence's first word, not the company's
        doc.sentence_start(i)
        and i + 1 < len(doc.words)
        and doc.words[i + 1] == "of"
        and word not in profile.org_heads_before_name
        and word not in profile.org_ends
        and english_common(word)
    ):
        return None
    run_end = end = capitalised_run(doc, i, doc.grammar.connectors)
    for k in range(i + 1, run_end - 2):
        home = (
            known_at(doc, k + 2)
            if doc.words[k] in doc.gaz.org_suffixes and doc.words[k + 1] == "of"
            else None
        )
        if home is not None and home[1].label == "LOC":
            return k + 1, "ORG"  # "JERA Co Inc of Japan": the legal form ends the name, "of" its home
    # "Singapore Institute of Technology", "National Union of the Teaching Profession",
    # "Badminton Association of Malaysia": what follows "of" after an organisation's word
    # belongs to its name, whatever its last word is
    for k in range(i, run_end):
        if doc.words[k] in profile.org_ends or doc.words[k] in profile.org_heads_before_name:
            complement_end = _of_complement_end(doc, k + 1)
            if complement_end is not None:
                return complement_end, "ORG"
    while end > i + 1:
        last = doc.words[end - 1]
        if last in profile.venue_heads and doc.words[end - 2] in profile.venue_words:
            return end, "LOC"
        if last in profile.org_ends:
            of = max((k for k in range(i + 1, end) if doc.words[k] == "of"), default=None)
            if of is not None and not any(
                w in profile.org_ends or w in profile.org_heads_before_name for w in doc.words[i:of]
            ):
                return None  # "Syafiq Hakimi of Terengganu Cycling Team": a person, then the team
            # "MDI Ventures and Vertex Ventures" are two organisations
            first_ends = (j for j in range(i + 1, end) if doc.words[j] in ("and", "&"))
            split = next((j for j in first_ends if doc.words[j - 1] in profile.org_ends), None)
            return (split if split is not None else end), "ORG"
        if last in profile.loc_ends:  # "Komtar and Penang Sentral" are two places
            if "and" in doc.words[i:end] or "&" in doc.words[i:end]:
                return None
            numbered = (
                last in profile.numbered_street_ends and end < len(doc.words) and doc.words[end].isdigit()
            )
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
    connectors = doc.profile.org_connectors
    end = capitalised_run(doc, j, connectors)
    cut = next((m for m in range(j, end) if _opens_person(doc, m)), end)
    while cut > j and doc.words[cut - 1] in connectors:
        cut -= 1
    return cut if cut > j else None


def _opens_person(doc: Document, k: int) -> bool:
    return doc.title_ends[k] is not None or doc.words[k].lower() in doc.gaz.english_roles


def place_pair(doc: Document, i: int) -> Proposal | None:
    """Known places joined by hyphens are each a place: a route or a link between them
    ("rute Jakarta-Denpasar", "the Kualanamu-Batam flight"); a name the gazetteer knows
    whole ("Timor-Leste") or a pattern reads whole ("Batang-Semarang Toll Road") came first."""
    word = doc.words[i]
    if "-" not in word:
        return None
    parts = word.split("-")
    entries = [doc.gaz.lookup((part,), doc.language) for part in parts]
    if len(parts) < 2 or any(entry is None or entry.label != "LOC" for entry in entries):
        return None
    mentions = []
    start = doc.starts[i]
    for part, entry in zip(parts, entries, strict=True):
        assert entry is not None
        mentions.append(Mention(part, "LOC", start, start + len(part), entry.canonical, entry.entity_id))
        start += len(part) + 1
    return Proposal(tuple(mentions), i + 1)


# --------------------------------------------------------------------------- acronyms


def with_acronym(doc: Document, mentions: list[Mention], end: int) -> Proposal:
    """Links "(ABBR)" right after the last of the mentions to that long form; later
    mentions of ABBR find it as an alias this text introduced."""
    found = acronym_after(doc, end)
    if found is None:
        return Proposal(tuple(mentions), end)
    long_form = mentions[-1]
    position, acronym = found
    known = doc.gaz.lookup((acronym,))
    # an organisation's acronym may come from its other-language name ("Indonesian Palm Oil
    # Association (GAPKI)"); a place's must fit its initials ("Kuching (KUTS)" is not Kuching)
    fits = initials_fit(acronym, long_form.text) or (
        long_form.label == "ORG" and (is_acronym(acronym) or syllables_fit(acronym, long_form.text))
    )
    if known is None and not fits:
        return Proposal(tuple(mentions), end)
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
        long_form = replace(long_form, canonical=known.canonical, entity_id=known.entity_id)
    elif long_form.entity_id is None and long_form.label == "ORG":
        long_form = replace(long_form, canonical=long_form.text)
    return Proposal((*mentions[:-1], long_form, linked), position + 1, acronyms=(linked,))


def acronym_long_form(doc: Document, i: int) -> Proposal | None:
    """A name introduced with its acronym in brackets is an organisation's, when the acronym
    takes its letters from the name's words in order ("Organisation for the Prohibition of
    Chemical Weapons (OPCW)", "Southeast Asian Fisheries Development Center (SEAFDEC)"): the
    gazetteer need not know it, and later bare mentions of the acronym name it too."""
    nearest = bisect_left(doc.bracketed, i + 2)
    if nearest == len(doc.bracketed) or doc.bracketed[nearest] - i > MAX_LONG_FORM_WORDS:
        return None
    end = _long_form_run(doc, i)
    found = acronym_after(doc, end)
    if found is None or not is_acronym(found[1]):
        return None
    start = long_form_start(doc, i, end, found[1])
    if start is None or end - start < 2 or not names_organisation(doc, start, end):
        return None  # "Indeks Harga Saham Gabungan (IHSG)", "Sijil Pelajaran Malaysia (SPM)"
    if start > i:
        return Proposal((), i + 1)  # "Laporan International Renewable Energy Agency": the sentence's word
    return with_acronym(doc, [doc.mention(start, end, "ORG")], end)


def names_organisation(doc: Document, start: int, end: int) -> bool:
    """Whether tokens start to end are an organisation's name: its first word is an
    organisation's head, or its last an English organisation's kind. Acronyms in brackets
    introduce indices, exams, elections and events as often ("Indeks Harga Saham Gabungan")."""
    first, last = doc.words[start], doc.words[end - 1]
    return (
        first in doc.gaz.org_heads
        or first in doc.grammar.organisation_words
        or last in doc.grammar.organisation_words
    )


def _long_form_run(doc: Document, i: int) -> int:
    """End of capitalised words from token i, with the connectors a long form has, even two in
    a row ("for the Prohibition of")."""
    connectors = doc.grammar.long_form_connectors
    end = i + 1
    while end < len(doc.words) and doc.joined[end] and (doc.capitalised[end] or doc.words[end] in connectors):
        end += 1
    while doc.words[end - 1] in connectors:
        end -= 1
    return end


def long_form_start(doc: Document, i: int, end: int, acronym: str) -> int | None:
    """The first token of the shortest name from tokens i to end whose words give the
    acronym's letters in order, its first letter a word's first (Schwartz and Hearst's
    rule); None when no such name is there."""
    text = doc.text[doc.starts[i] : doc.ends[end - 1]].lower()
    letters = [c.lower() for c in acronym if c.isalpha()]
    position = len(text)
    for n, letter in enumerate(reversed(letters)):
        first = n == len(letters) - 1
        position -= 1
        while position >= 0 and (
            text[position] != letter or (first and position > 0 and text[position - 1].isalnum())
        ):
            position -= 1
        if position < 0:
            return None
    start = bisect_right(doc.starts, doc.starts[i] + position) - 1
    capitalised_words = sum(doc.capitalised[start:end])
    return start if capitalised_words <= len(letters) + 1 else None


def syllables_fit(acronym: str, long_form: str) -> bool:
    """Whether "(Abbr)" is made of the first letters of each of the last words of the name
    before it, as Indonesian syllable acronyms are ("Pengadilan Tindak Pidana Korupsi (Tipikor)": ti-pi-kor,
    the court's kind named by the offence)."""
    words = [w.lower() for w in long_form.split()]
    letters = acronym.lower()
    return len(letters) >= 4 and any(
        len(words) - k >= 2 and _prefixes_spell(letters, words[k:]) for k in range(len(words))
    )


def _prefixes_spell(letters: str, words: list[str]) -> bool:
    """Whether letters are a prefix of each word in turn, every word giving at least one."""
    if not words:
        return not letters
    first, rest = words[0], words[1:]
    return any(
        letters[:n] == first[:n] and _prefixes_spell(letters[n:], rest)
        for n in range(1, min(len(first), len(letters) - len(rest)) + 1)
    )


def initials_fit(acronym: str, long_form: str) -> bool:
    """Whether "(ABBR)" can abbreviate the name before it: same first letter, and not more
    letters than the name has words to give them (allowing syllable acronyms like Gapki)."""
    words = long_form.split()
    return (
        acronym[:1].upper() == long_form[:1].upper()
        and (len(words) >= 2 or len(acronym) <= 3)
        and len([c for c in acronym if c.isupper()]) <= len(words) + 1
    )


# --------------------------------------------------------------------------- names nothing else explained


def english_person(doc: Document, i: int) -> Proposal:
    """A capitalised span nothing else explained is a person's when the context says so;
    otherwise the statistical model judges what the patterns could not."""
    end = _unexplained_end(doc, i)
    if isinstance(end, Proposal):
        return end
    words = tuple(doc.words[i:end])
    if doc.words[i].lower() in doc.gaz.english_roles and end - i >= 2 and doc.sentence_start(i):
        return Proposal((), i + 1)  # "Goalkeeper Khairul Anuar Ismail": the role opens the sentence
    if doc.words[i] in doc.gaz.demonyms and end - i >= 3 and name_like(words[1:], doc.gaz):
        return Proposal((doc.mention(i + 1, end, "PER"),), end)  # "Colombian Andres Felipe Rojas"
    if _english_person_cue(doc, i, end) or _regional_full_name(doc, i, end):
        return Proposal((doc.mention(i, end, "PER"),), end)
    return Proposal((), end)


def _regional_full_name(doc: Document, i: int, end: int) -> bool:
    """Whether tokens i to end are a full name of the region's people, every word a given
    name or surname the gazetteer lists ("Kim Do-hyun", "Siti Aminah"), which the English
    model often misses. A capitalised word right after it ("Lee Siew Mei", a month's name
    too) leaves the judgement to the model, which reads the name whole."""
    names = [w for w in doc.words[i:end] if w not in doc.grammar.person_connectors]
    capital_next = end < len(doc.words) and doc.joined[end] and doc.capitalised[end]
    return len(names) >= 2 and not capital_next and all(w in doc.gaz.name_parts for w in names)


def regional_person_or_place(doc: Document, i: int) -> Proposal:
    """A capitalised span nothing else explained: a place after a place word ("di Seturan"),
    a person when quoted or when every word reads as a name."""
    end = _unexplained_end(doc, i)
    if isinstance(end, Proposal):
        return end
    words = tuple(doc.words[i:end])
    if any(concept_word(w) for w in words):
        return Proposal((), end)
    before = doc.words[i - 1].lower() if i > 0 else ""
    after = doc.words[end].lower() if end < len(doc.words) else ""
    # '..., kata Zainal' names the speaker after the comma; '... di Lubuk Pakam," kata' ends a quote
    comma_after = end < len(doc.words) and doc.gaps[end].strip() == ","
    quote_verbs = doc.gaz.quote_verbs
    quoted = before in quote_verbs or after in doc.grammar.say_verbs or (comma_after and after in quote_verbs)
    placed = (
        i > 0
        and doc.joined[i]
        and doc.words[i - 1] in doc.profile.place_cues
        and words[0] not in doc.gaz.compass
    )
    if placed and not quoted and not all(doc.common(w) for w in words):
        return Proposal((doc.mention(i, end, "LOC"),), end)  # "di Seturan", "wilayah Hunan", "daerah Sik"
    connectors = doc.grammar.person_connectors
    name_words = [w for w in words if w not in connectors]
    heads = (doc.gaz.org_heads, doc.gaz.loc_heads)
    if not any(w in h for w in words for h in heads) and _regional_person_cue(doc, i, end):
        return Proposal((doc.mention(i, end, "PER"),), end)
    name_like_words = sum(
        w in doc.gaz.name_parts or (not doc.common(w) and not english_common(w)) for w in name_words
    )
    plain_name = end - i >= 2 and name_like_words == len(name_words)
    if quoted or (plain_name and not any(w in h for w in words for h in heads)):
        return Proposal((doc.mention(i, end, "PER"),), end)
    return Proposal((), end)


def _regional_person_cue(doc: Document, i: int, end: int) -> bool:
    """What marks an unknown Indonesian or Malay name as a person's: a role noun right before
    it or before the comma that introduces it ("penumpang, K. Thanabalan", "analis Clara
    Wijayakusuma"), an age after it ("Che Puteh Mamat, 67, berkata"), or the title and office
    it follows, an acronym in brackets between ("Kepala Badan Nasional Penanggulangan
    Bencana (BNPB) Suharyanto")."""
    if any(not doc.capitalised[k] for k in range(i, end)) and not doc.capitalised[end - 1]:
        return False
    if not any(w in doc.gaz.name_parts or not doc.common(w) for w in doc.words[i:end]):
        return False  # "warga Timur": every word a common word
    if any(c.isdigit() for c in doc.text[doc.starts[i] : doc.ends[end - 1]]):
        return False  # "pelatih timnas U-23": no one's name has figures
    before = doc.words[i - 1].lower() if i > 0 else ""
    comma = doc.gaps[i].strip() == ","
    role_before = (before in doc.profile.person_roles and (doc.joined[i] or comma)) or (
        before in doc.profile.person_roles_before_comma and comma
    )
    aged = bool(REGIONAL_AGE.match(doc.text, doc.ends[end - 1]))
    return role_before or aged or _after_titled_office(doc, i) or _after_role_and_organisation(doc, i)


def _opens_role(doc: Document, k: int) -> bool:
    """Whether token k is a role noun or a title, or one with a lower-case word after it
    ("pengamat penerbangan", "Pengarah bebas")."""
    roles = doc.profile.person_roles
    if doc.words[k].lower() in roles or (doc.title_ends[k] == k + 1 and doc.capitalised[k]):
        return True
    previous = doc.words[k - 1] if k > 0 else ""
    return (
        k > 0
        and not doc.capitalised[k]
        and doc.joined[k]
        and (previous.lower() in roles or (doc.title_ends[k - 1] == k and doc.capitalised[k - 1]))
    )


def _after_role_and_organisation(doc: Document, i: int) -> bool:
    """Whether token i follows a role and a lower-case word ("pengamat penerbangan Alvin
    Lie"), or a role or title, an organisation and a comma ("pemilik CV Sumber Makmur,
    Sukardi", "Pengarah bebas PCG, Farina Farikhullah Khan")."""
    if i < 2:
        return False
    if doc.joined[i] and not doc.capitalised[i - 1]:
        return doc.words[i - 2].lower() in doc.profile.person_roles and doc.joined[i - 1]
    if doc.gaps[i].strip() != ",":
        return False
    k = i - 1
    while k > 0 and i - k <= MAX_ORGANISATION_WORDS and doc.joined[k] and doc.capitalised[k - 1]:
        k -= 1
    return doc.capitalised[k] and k > 0 and doc.joined[k] and _opens_role(doc, k - 1)


def _after_titled_office(doc: Document, i: int) -> bool:
    """Whether token i follows "Title Office Name (ABBR)", the office running back from the
    acronym to its title over capitalised words and connectors only."""
    acronym = i - 1
    if acronym < 1 or doc.gaps[i].strip() != ")" or doc.gaps[acronym].strip() != "(":
        return False
    if not is_acronym(doc.words[acronym]):
        return False
    connectors = doc.grammar.office_connectors
    k = acronym - 1
    while k >= 0 and acronym - k <= MAX_OFFICE_WORDS:
        if doc.title_ends[k] is not None and doc.capitalised[k]:
            return True
        if not (doc.capitalised[k] or doc.words[k] in connectors) or not (
            doc.joined[k] or doc.gaps[k].strip() == ","
        ):
            return False
        k -= 1
    return False


def _unexplained_end(doc: Document, i: int) -> int | Proposal:
    """Where an unexplained name starting at token i ends, or what to make of it when that
    is already clear (no name, a title inside it, a common word opening a sentence)."""
    end = person_name_end(doc, i)
    if end == i:
        return Proposal((), i + 1)
    inner_title = next((k for k in range(i + 1, end) if doc.title_ends[k] is not None), None)
    if inner_title is not None:  # "Coordinating Economic Minister Arya": the title leads to the person
        return Proposal((), inner_title)
    words = doc.words[i:end]
    if (
        doc.sentence_start(i)
        and len(words[0]) > 1  # an initial opens a name: "I Made Sudarsana", "R Ganesan"
        and doc.common(words[0])
        and (
            end - i == 1
            or doc.common(words[1])
            or (doc.profile.opening_name_part_is_name and words[0] not in doc.gaz.name_parts)
        )
    ):
        return Proposal((), i + 1)  # "Pasangan Hendrik Simatupang": the sentence's first word is a word
    if all(is_acronym(w) for w in words):
        return Proposal((), end)
    return end


def _english_person_cue(doc: Document, i: int, end: int) -> bool:
    """What marks an unknown English name as a person's where the model often errs on names
    from the region: a role word right before a full name ("department head Rina Kusumawati",
    "minister R Ganesan"), an age or a role after it ("Nor Azlina Md Isa, 38,", "Fitria
    Handayani, an economist at"), or a quote ending just before it is attributed ('..." Ketut
    said', '..." said Jun Hao')."""
    roles, say_verbs = doc.gaz.english_roles, doc.grammar.say_verbs
    after_role = doc.joined[i] and doc.words[i - 1].lower() in roles and end - i >= 2
    quoted_by = (
        end < len(doc.words) and doc.words[end] in say_verbs and QUOTE_CLOSE.search(doc.gaps[i])
    ) or (i > 1 and doc.words[i - 1] in say_verbs and QUOTE_CLOSE.search(doc.gaps[i - 1]))
    described = (
        end < len(doc.words)
        and doc.gaps[end].strip() == ","
        and (doc.words[end] in doc.profile.description_articles or doc.words[end] in roles)
        and any(word in roles for word in doc.words[end : end + 5])
    )
    return bool(after_role or quoted_by or described or AGE.match(doc.text, doc.ends[end - 1]))


# --------------------------------------------------------------------------- the order

# The single statement of their order: initials a report names a person by first (they may
# spell a known acronym), then titles (what follows a title is its office and holder), then
# what names nothing, then the gazetteer (unless a pattern reads a longer name), then the
# patterns, then names their acronyms introduce, and last the names nothing else explained.
RECOGNISERS: tuple[Recogniser, ...] = (
    person_by_initials,
    titled_person,
    event_or_law,
    gazetteer_name,
    kind_named_last,
    head_word_name,
    place_pair,
    company_name,
    acronym_long_form,
    hyphenated_pair,
    english_person,
    regional_person_or_place,
)


def _opens_known_place(doc: Document, i: int) -> bool:
    """Whether a function word opens a place the gazetteer knows by a name that starts with
    it: "a tribunal in The Hague" (a newspaper's "The" stays out of its name)."""
    known = known_at(doc, i)
    return known is not None and known[1].label == "LOC"


def recognise(doc: Document) -> list[Mention]:
    """The mentions of a document: the recognisers its language's profile runs, tried in
    their order at every token that may open a name, then coreference over the result."""
    recognisers = [r for r in RECOGNISERS if r.__name__ in doc.profile.recognisers]
    skipped = doc.profile.skipped_openers
    mentions: list[Mention] = []
    i = 0
    while i < len(doc.words):
        if not doc.capitalised[i] or (doc.words[i] in skipped and not _opens_known_place(doc, i)):
            i += 1  # every name starts with a capital
            continue
        for recogniser in recognisers:
            proposal = recogniser(doc, i)
            if proposal is not None:
                break
        else:
            i += 1
            continue
        mentions.extend(proposal.mentions)
        if proposal.nameless:
            doc.nameless.append((doc.starts[i], doc.ends[proposal.end - 1]))
        for acronym in proposal.acronyms:
            doc.local_aliases[(acronym.text,)] = Known(
                acronym.entity_id, acronym.canonical, acronym.label, "acronym", None
            )
        i = proposal.end
    return resolve_people(doc, [person for m in mentions for person in pair_apart(m)])
