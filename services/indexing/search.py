"""The search that ``kabar search`` runs: original and English text together, with filters.

Pure: builds the query body, so it is tested without a server.
"""

from datetime import date
from typing import Any

# entity_names: an English "Syria" also finds the Indonesian articles that say "Suriah"
TEXT_FIELDS = [
    "title^3",
    "title.id^3",
    "title.en^3",
    "title_en^2",
    "body",
    "body.id",
    "body.en",
    "body_en",
    "entity_names^2",
]
HIGHLIGHT: dict[str, Any] = {
    "fields": {"title": {}, "body": {"fragment_size": 160}, "body_en": {"fragment_size": 160}},
    "pre_tags": ["["],
    "post_tags": ["]"],
}


def search_query(
    text: str,
    language: str | None = None,
    source: str | None = None,
    entity: str | None = None,
    since: date | None = None,
) -> dict[str, Any]:
    filters: list[dict[str, Any]] = []
    if language:
        filters.append({"term": {"language": language}})
    if source:
        filters.append({"term": {"source": source}})
    if entity:
        # canonical names: an English "Syria" finds Indonesian articles about "Suriah"
        filters.append({"term": {"entity_names": entity}})
    if since:
        filters.append({"range": {"published_at": {"gte": since.isoformat()}}})
    must = {"multi_match": {"query": text, "fields": TEXT_FIELDS}} if text.strip() else {"match_all": {}}
    return {"bool": {"must": [must], "filter": filters}}
