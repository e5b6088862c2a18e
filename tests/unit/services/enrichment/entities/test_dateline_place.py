"""The dateline's place as an entity of the article (ingestion cut it off the body)."""

from kabar.services.enrichment.entities import article_entities, dateline_mention


def test_the_datelines_place_is_a_located_mention_marked_as_the_datelines() -> None:
    mentions = article_entities("The number of flood evacuees rose on Monday.", "en", "Kuala Lumpur")
    assert [(m.text, m.label, m.canonical, m.origin, m.start, m.end) for m in mentions] == [
        ("Kuala Lumpur", "LOC", "Kuala Lumpur", "dateline", 0, 0)
    ]
    assert mentions[0].entity_id is not None


def test_the_datelines_place_is_linked_like_the_same_words_in_a_body() -> None:
    place = dateline_mention("Jakarta Selatan", "id")
    assert (place.canonical, place.origin) == ("South Jakarta", "dateline")


def test_a_place_the_rules_cannot_link_keeps_its_name() -> None:
    place = dateline_mention("Sik", "ms")
    assert (place.text, place.label, place.canonical, place.entity_id) == ("Sik", "LOC", "Sik", None)


def test_the_datelines_place_comes_first_and_the_body_keeps_its_mentions() -> None:
    mentions = article_entities("Banjir melanda Kabupaten Bandung.", "id", "Surabaya")
    assert [(m.text, m.origin) for m in mentions] == [
        ("Surabaya", "dateline"),
        ("Kabupaten Bandung", "body"),
    ]


def test_a_place_the_body_names_too_is_counted_once() -> None:
    mentions = article_entities("Hujan deras mengguncang Kota Bharu sejak pagi.", "ms", "Kota Bharu")
    assert [(m.text, m.origin) for m in mentions if m.canonical == "Kota Bharu"] == [("Kota Bharu", "body")]


def test_without_a_dateline_the_body_is_all() -> None:
    assert [m.origin for m in article_entities("Banjir di Bandung.", "id", None)] == ["body"]
