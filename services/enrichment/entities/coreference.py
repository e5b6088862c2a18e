"""Document-level coreference: a later short name is the person named in full before it.

Stories name a person in full once ("Arif Santoso Wibowo") and by one name afterwards
("Arif"), so the short mentions take the full name's canonical form, and single names that
no recogniser claimed are found again as that person.
"""

from bisect import bisect_left
from dataclasses import replace

from kabar.services.enrichment.entities.document import Document, Mention, is_capitalised


def resolve_people(doc: Document, mentions: list[Mention]) -> list[Mention]:
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
        _short_name(doc, m, full_names[m.text]) if m.label == "PER" and m.text in full_names else m
        for m in mentions
    ]
    resolved_to = 0
    for k, word in enumerate(doc.words):
        if k < resolved_to or (word not in full_names and "/" not in word):
            continue
        if any(s <= doc.starts[k] < e for s, e in claimed):
            continue
        if word not in full_names:
            resolved.extend(_pair_of_short_names(doc, k, full_names))
            continue
        if k + 1 < len(doc.words) and doc.joined[k + 1] and doc.title_ends[k + 1] is not None:
            continue  # "Tengku Datuk Seri Zafrul ...": the name comes after the honorific
        end = k + 1  # "Tengku Azlan" later is one mention, not two
        while end < len(doc.words) and doc.words[end] in full_names and doc.joined[end]:
            end += 1
        start = _particles_before(doc, k, full_names[word])
        resolved.append(doc.mention(start, end, "PER", full_names[word]))
        resolved_to = end
    return sorted(resolved, key=lambda m: m.start)


def _pair_of_short_names(doc: Document, k: int, full_names: dict[str, str]) -> list[Mention]:
    """A pair named in full before, later by one name each ("Raka/Dwi ke final"): a person
    per name, when both were named."""
    names = doc.words[k].split("/")
    if len(names) < 2 or not all(name in full_names for name in names):
        return []
    pair: list[Mention] = []
    start = doc.starts[k]
    for name in names:
        pair.append(Mention(name, "PER", start, start + len(name), full_names[name]))
        start += len(name) + 1
    return pair


def _short_name(doc: Document, mention: Mention, full_name: str) -> Mention:
    """A one-word mention of a person named in full before, with the particles its surname
    is written with there ("de Villiers" of "Jean-Baptiste de Villiers")."""
    k = bisect_left(doc.starts, mention.start)
    start = _particles_before(doc, k, full_name)
    if start == k:
        return replace(mention, canonical=full_name)
    return doc.mention(start, k + 1, "PER", full_name)


def _particles_before(doc: Document, k: int, full_name: str) -> int:
    """Where a later mention of a surname starts: at the particles before it when the full
    name has them there too ("kata de la Fuente", "Ms de Souza"), else at the word."""
    start = k
    while (
        start > 0
        and doc.joined[start]
        and doc.words[start - 1].lower() in doc.grammar.person_connectors
        and (not doc.capitalised[start - 1] or doc.sentence_start(start - 1))
    ):
        start -= 1  # "Van Wyk dan kru": a particle opening a sentence has its capital
    written_in_full = f" {full_name.lower()} "
    while start < k and f" {' '.join(doc.words[start : k + 1]).lower()} " not in written_in_full:
        start += 1
    return start


def resolve_model_people(doc: Document, mentions: list[Mention]) -> list[Mention]:
    """Names the statistical model labelled inconsistently ("Ravi" a person here, an
    organisation there) follow the person named in full, who keeps the canonical name; a
    surname the model found without its particles gets them back ("Mr da Costa Pereira")."""
    full: dict[str, str] = {}
    for m in mentions:
        if m.label == "PER":
            for part in m.text.split():
                if len(part) > 2:
                    full.setdefault(part, m.canonical)
            full.setdefault(m.text, m.canonical)
    full_names = sorted({m.canonical for m in mentions if m.label == "PER" and " " in m.canonical})
    resolved = []
    for m in mentions:
        if m.entity_id is None and (m.text in full or all(part in full for part in m.text.split())):
            m = replace(m, label="PER", canonical=full.get(m.text, m.canonical))
            m = _with_particles(doc, m, full_names)
        resolved.append(m)
    return resolved


def _with_particles(doc: Document, mention: Mention, full_names: list[str]) -> Mention:
    """A person's mention with the particles before it that a longer name of the text has
    there too ("da Costa Pereira" of "Aderito da Costa Pereira")."""
    k = bisect_left(doc.starts, mention.start)
    if k == len(doc.starts) or doc.starts[k] != mention.start:
        return mention
    for full_name in full_names:
        start = _particles_before(doc, k, full_name)
        if start < k:
            text = doc.text[doc.starts[start] : mention.end]
            if f" {text.lower()} " in f" {full_name.lower()} ":
                return replace(mention, text=text, start=doc.starts[start], canonical=full_name)
    return mention
