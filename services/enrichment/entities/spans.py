"""Where a name starts and ends: the span-finding steps several recognisers share.

Each answers a question about the document (where does this run of capitals end, which
gazetteer name starts here) and changes nothing, so a recogniser can ask and then decline.
"""

import re

from kabar.services.enrichment.entities.document import Document, common_word, is_acronym, tokenize
from kabar.services.enrichment.gazetteer import Gazetteer, Known, Label
from kabar.services.enrichment.grammar import grammar

MAX_COMPANY_WORDS = 10
# Roman figures of two letters or more, or V and X ("I" opens Balinese names: "I Made Suardana")
ROMAN = re.compile(r"^(?:L?X{0,3}(?:IX|IV|V?I{0,3}))$")


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
        if doc.profile.name_ends_at_capital and words[-1][:1].islower():
            descriptor_entry = descriptor_entry or entry
            continue
        if descriptor_entry is not None and descriptor_entry.label == entry.label:
            entry = descriptor_entry
        return i + n, entry
    return None


def capitalised_run(doc: Document, i: int, connectors: frozenset[str]) -> int:
    """End of the run of capitalised tokens from i (connectors allowed between them)."""
    j = i
    while j < len(doc.words):
        word = doc.words[j]
        if j > i and not doc.joined[j]:
            break
        # a word never an entity alone ("Islam") may still be inside a name ("Bank Islam Malaysia")
        inside = j > i and j + 1 < len(doc.words) and doc.joined[j + 1] and doc.capitalised[j + 1]
        if doc.capitalised[j] and (word not in doc.gaz.not_entities or inside):
            j += 1
            continue
        # particles may come two in a row: "Joanne van der Leun", "Ursula von der Leyen"
        after = j + 1
        while (
            after - j < 3 and after < len(doc.words) and doc.joined[after] and doc.words[after] in connectors
        ):
            after += 1
        if word in connectors and continues_name(doc, after):
            j = after
        else:
            break
    while j > i and doc.words[j - 1] in connectors:
        j -= 1
    return j


def continues_name(doc: Document, j: int) -> bool:
    """Whether a connector's next token carries the same name on ("Majlis Agama dan Adat")
    rather than starting a second one ("Kecamatan A dan Kecamatan B")."""
    if j >= len(doc.words) or not doc.joined[j]:
        return False
    word = doc.words[j]
    heads = (doc.gaz.org_heads, doc.gaz.loc_heads, doc.profile.org_heads_before_name)
    # "Kejaksaan Negeri Gowa dan Kapolres Gowa": a title after the connector opens its holder
    titled = doc.title_ends[j] is not None and word not in doc.gaz.name_parts
    return doc.capitalised[j] and not titled and not any(word in h for h in heads)


def title_or_rank(doc: Document, k: int) -> bool:
    return doc.title_ends[k] is not None or doc.words[k] in doc.grammar.ranks


def split_after_known_organisation(doc: Document, start: int, end: int) -> int | None:
    """Where a known organisation's name ends and an unknown person's begins ("juru bicara
    Kementerian Luar Negeri Rolliansyah Soemirat"): after the gazetteer's name, when two or
    three words follow that no list knows, none a head, compass or common word."""
    known = known_at(doc, start)
    if known is None or known[1].label != "ORG" or not 2 <= end - known[0] <= 3:
        return None
    gaz = doc.gaz
    never_a_name = (gaz.org_heads, gaz.loc_heads, gaz.compass, gaz.not_entities, gaz.org_suffixes)
    for k in range(known[0], end):
        word = doc.words[k]
        if (
            len(word) < 3
            or not word[1:].islower()
            or doc.common(word)
            or english_common(word)
            or any(word in kind for kind in never_a_name)
            or known_at(doc, k) is not None
        ):
            return None
    return known[0]


def split_by_later_mention(doc: Document, start: int, end: int) -> int | None:
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
            and (word in gaz.name_parts or not doc.common(word))
            and not english_common(word)
            and not any(word in kind for kind in never_a_name)
            and doc.text.count(word) > 1
            and known_at(doc, k) is None
            and any(j != k and stands_alone(doc, j) for j in doc.positions(word))
        ):
            # the given names before a surname used alone: "Konsulat RI Tawau Yosef Manurung"
            while k - 1 > start + 1 and doc.words[k - 1] in gaz.name_parts and known_at(doc, k - 1) is None:
                k -= 1
            return k
    return None


def english_common(word: str) -> bool:
    """Whether a word is common in English, which the region's news quotes and borrows."""
    return common_word(word, "en")


def stands_alone(doc: Document, j: int) -> bool:
    """Whether token j does not continue a capitalised name before it ("kata Sutisna", not
    "Kabupaten Garut Sutisna")."""
    return not (doc.joined[j] and doc.capitalised[j - 1])


def longer_name_end(doc: Document, end: int) -> int:
    """Where a name the gazetteer knows goes on as a longer one: "Wiranto Santoso" is not
    the general Wiranto but someone else, and no link is better than a wrong one. A
    patronym goes on after its particle: "Siti Nurhaliza binti Tarudin"."""
    if end >= len(doc.words) or not doc.joined[end]:
        return end
    if doc.words[end] in doc.grammar.person_connectors and continues_name(doc, end + 1):
        patronym_end = person_name_end(doc, end + 1)
        return patronym_end if patronym_end > end + 1 else end
    return person_name_end(doc, end)


def person_name_end(doc: Document, i: int) -> int:
    """Where a person's name starting at token i ends (i itself when no name starts there)."""
    if not doc.capitalised[i] or doc.words[i] in doc.gaz.not_entities:
        return i
    # "and" and "dan" join two people ("Hotman Siregar dan Rinaldi Harahap"), never one name
    end = capitalised_run(doc, i, doc.grammar.person_connectors)
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
    if word in doc.gaz.org_heads or word in doc.profile.org_heads_before_name:
        label = "ORG"
    elif word in doc.gaz.loc_heads:
        label = "LOC"
    else:
        return None
    # "Kota A dan B" is two places; "Institute for Medical Research" is one organisation
    connectors = frozenset() if label == "LOC" else doc.profile.org_connectors
    end = capitalised_run(doc, i, connectors)
    # "Port Development Minister Datuk Henry Lawai": a portfolio, then a person; no place
    if label == "LOC" and any(doc.words[k].lower() in doc.gaz.english_roles for k in range(i + 1, end)):
        return None
    # "Polres Bantul AKP Rina Sari", "Bank Indonesia Governor Perry Warjiyo": a rank or an
    # office's title starts the person after the name
    end = next(
        (
            k
            for k in range(i + 1, end)
            if (
                doc.words[k] in doc.grammar.ranks
                and tuple(doc.words[i : k + 1]) not in doc.gaz.org_head_phrases
            )
            or office_title(doc, k)
        ),
        end,
    )
    if end == i + 1 and end < len(doc.words) and doc.joined[end] and doc.capitalised[end]:
        end += 1  # after a head word, even a common word is a name: "Taman Pertama", "Kota Lama"
    elif (
        label == "LOC"
        and end == i + 1
        and end < len(doc.words)
        and doc.joined[end]
        and doc.words[end].isdigit()
    ):
        return end + 1, label  # a numbered precinct or section: "Presint 9", "Seksyen 14"
    if end - i < 2:
        return None
    # "Grup C", "Tim B": a head word and one capital letter is a group or pool of a draw, no name
    if label == "ORG" and end == i + 2 and len(doc.words[i + 1]) == 1:
        return None
    end = numbered_name_end(doc, i, end)
    if end - i > 2:  # "Badan Geologi Priatna Sulaksana": the agency, then its head
        end = split_by_later_mention(doc, i, end) or end
        if label == "ORG":
            end = split_after_known_organisation(doc, i, end) or end
    if label == "ORG":
        end = registered_in_end(doc, end)  # "Syarikat Northport (Malaysia) Bhd"
        while end < len(doc.words) and doc.words[end] in doc.gaz.org_suffixes:
            end += 1
        # "Dewan Orang Ramai Cherang Ruku", "Balai Kota Bandung": a building's name
        if any(tuple(doc.words[i : i + n]) in doc.profile.place_phrases for n in (2, 3) if i + n < end):
            label = "LOC"
    return end, label


def numbered_name_end(doc: Document, i: int, end: int) -> int:
    """A body numbered in Roman figures ends at its number when a person's full name follows
    ("Ketua Komisi VIII Marwan Dasopang"); one name after it may be the body's ("Kodam IV
    Diponegoro")."""
    for k in range(i + 1, end - 2):
        if ROMAN.match(doc.words[k]) and doc.words[k] != "I":
            rest = doc.words[k + 1 : end]
            person = all(
                not is_acronym(w) and (w in doc.gaz.name_parts or not doc.common(w)) and not english_common(w)
                for w in rest
            )
            return k + 1 if person and known_at(doc, k + 1) is None else end
    return end


def office_title(doc: Document, k: int) -> bool:
    """Whether token k is the title of an office held by the person named next ("Governor
    Perry Warjiyo"); a royal title is a name's ("Universiti Sultan Zainal Abidin")."""
    title_end = doc.title_ends[k]
    return (
        title_end is not None
        and doc.words[k].lower() in doc.gaz.english_roles
        and title_end < len(doc.words)
        and doc.joined[title_end]
        and doc.capitalised[title_end]
    )


def place_with_compass(doc: Document, start: int, end: int, entry: Known) -> tuple[int, Known]:
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
    if doc.sentence_start(i) and doc.common(doc.words[i]):
        return None  # "Saham PT Aneka Tambang Tbk": the sentence's first word is no part of it
    end = registered_in_end(doc, capitalised_run(doc, i, doc.grammar.company_connectors))
    if suffix >= end or any(doc.words[k] in doc.grammar.legal_prefixes for k in range(i + 1, suffix)):
        return None
    while suffix + 1 < end and doc.words[suffix + 1] in doc.gaz.org_suffixes:
        suffix += 1
    return suffix + 1, "ORG"


def registered_in_end(doc: Document, end: int) -> int:
    """The end of a company's name that goes on with the country it is registered in, in
    brackets, and its legal form ("Northport (Malaysia) Bhd", "Nestle (M) Sdn Bhd"); else end."""
    if not (
        end + 1 < len(doc.words)
        and doc.gaps[end] == " ("
        and doc.capitalised[end]
        and doc.gaps[end + 1] == ") "
    ):
        return end
    legal_form_end = capitalised_run(doc, end + 1, frozenset())
    legal_form = range(end + 1, min(legal_form_end, end + 3))
    if legal_form and doc.words[legal_form[-1]] in doc.gaz.org_suffixes:
        return legal_form[-1] + 1
    return end


def regional_branch(doc: Document, end: int, entry: Known) -> tuple[int, Known]:
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


def legal_core(name: str, gaz: Gazetteer) -> str:
    """A company's name without its legal form: "PT Pelni (Persero)" -> "Pelni"."""
    words = tokenize(name)[0]
    while words and words[0] in grammar().legal_prefixes:
        words.pop(0)
    while words and words[-1] in gaz.org_suffixes:
        words.pop()
    return " ".join(words)


def name_like(words: list[str] | tuple[str, ...], gaz: Gazetteer) -> bool:
    """Whether words read as a person's name: each a known name part or no common English
    word ("Andres Felipe Rojas", not "Grand Prix" or "Ulema Council")."""
    return all(
        w in gaz.name_parts or not english_common(w) for w in words if w not in grammar().person_connectors
    )


def acronym_after(doc: Document, end: int) -> tuple[int, str] | None:
    """``(ABBR)`` right after a span: the token index of ABBR and the acronym."""
    if end < len(doc.words) and doc.gaps[end].strip() == "(" and doc.capitalised[end]:
        closing = doc.text[doc.ends[end] : doc.ends[end] + 1]
        if closing == ")" and doc.words[end] not in doc.gaz.not_entities:
            return end, doc.words[end]
    return None
