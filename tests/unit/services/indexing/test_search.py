from datetime import date

from kabar.services.indexing.search import search_query


def test_text_is_searched_in_original_and_english_fields() -> None:
    query = search_query("banjir")
    fields = query["bool"]["must"][0]["multi_match"]["fields"]
    assert {"title^3", "body.id", "title_en^2", "body_en"} <= set(fields)
    assert query["bool"]["filter"] == []


def test_every_filter_narrows_the_search() -> None:
    query = search_query("", language="id", source="kompas.com", entity="Syria", since=date(2024, 12, 1))
    assert query["bool"]["must"] == [{"match_all": {}}]
    assert query["bool"]["filter"] == [
        {"term": {"language": "id"}},
        {"term": {"source": "kompas.com"}},
        {"term": {"entity_names": "Syria"}},
        {"range": {"published_at": {"gte": "2024-12-01"}}},
    ]
