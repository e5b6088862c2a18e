"""Document-level coreference: a later short name is the person named in full before it.

Stories name a person in full once ("Arif Santoso Wibowo") and by one name afterwards
("Arif"), so the short mentions take the full name's canonical form, and single names that
no recogniser claimed are found again as that person.
"""

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
        replace(m, canonical=full_names.get(m.text, m.canonical))
        if m.label == "PER" and " " not in m.text
        else m
        for m in mentions
    ]
    resolved_to = 0
    for k, word in enumerate(doc.words):
        if k < resolved_to or word not in full_names or any(s <= doc.starts[k] < e for s, e in claimed):
            continue
        if k + 1 < len(doc.words) and doc.joined[k + 1] and doc.title_ends[k + 1] is not None:
            continue  # "Tengku Datuk Seri Zafrul ...": the name comes after the honorific
        end = k + 1  # "Tengku Azlan" later is one mention, not two
        while end < len(doc.words) and doc.words[end] in full_names and doc.joined[end]:
            end += 1
        resolved.append(doc.mention(k, end, "PER", full_names[word]))
        resolved_to = end
    return sorted(resolved, key=lambda m: m.start)


def resolve_model_people(mentions: list[Mention]) -> list[Mention]:
    """Names the statistical model labelled inconsistently ("Ravi" a person here, an
    organisation there) follow the person named in full, who keeps the canonical name."""
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
