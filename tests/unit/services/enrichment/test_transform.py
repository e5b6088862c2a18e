import gc

from kabar.schemas.events import RawArticle
from kabar.schemas.limits import ENTITY_MENTIONS_MAX
from kabar.services.enrichment.entities import Mention
from kabar.services.enrichment.gazetteer import gazetteer
from kabar.services.enrichment.transform import enrich, kept_mentions, load_models

RAW = {
    "schema_version": 1,
    "article_id": "c" * 32,
    "source": "thestar.com.my",
    "title": "Floods: more evacuees in Kelantan",
    "body": "KOTA BHARU: The number of flood evacuees in Kelantan rose on Monday as rivers kept rising.",
    "ingested_at": "2024-12-02T00:00:00Z",
}


def test_a_raw_article_comes_out_enriched_with_its_fields_intact() -> None:
    result = enrich(RawArticle.model_validate(RAW))
    assert result.article_id == RAW["article_id"] and result.body == RAW["body"]
    assert result.language == "en" and result.entities_dropped == 0


def mention(number: int, text: str = "Kelantan") -> Mention:
    return Mention(text, "LOC", number * 10, number * 10 + len(text), text, f"place:{number}")


def test_an_event_keeps_at_most_the_index_limit_of_mentions_and_counts_the_rest() -> None:
    found = [mention(n) for n in range(ENTITY_MENTIONS_MAX + 5)]
    assert list(kept_mentions(found)) == found[:ENTITY_MENTIONS_MAX]


def test_a_mention_longer_than_a_name_can_be_is_not_kept() -> None:
    too_long = mention(1, "Kelantan " * 20)
    assert list(kept_mentions([mention(0), too_long, mention(2)])) == [mention(0), mention(2)]


def test_enrich_reports_the_mentions_it_did_not_keep() -> None:
    places = " ".join(["Kelantan, Terengganu dan Pahang."] * (ENTITY_MENTIONS_MAX // 2))
    result = enrich(RawArticle.model_validate({**RAW, "body": f"KOTA BHARU: Banjir di {places}"}))
    assert len(result.entities) == ENTITY_MENTIONS_MAX
    assert result.entities_dropped > 0


def test_the_models_are_loaded_up_front_and_kept_out_of_the_collectors_walks() -> None:
    gc.unfreeze()
    try:
        load_models()
        aliases = gazetteer().aliases
        assert not any(o is aliases for o in gc.get_objects(generation=2))
    finally:
        gc.unfreeze()
    assert any(o is aliases for o in gc.get_objects(generation=2))


def test_the_datelines_place_is_an_entity_of_the_enriched_article() -> None:
    datelined = {
        **RAW,
        "body": "The number of flood evacuees rose on Monday.",
        "dateline_place": "Kota Bharu",
    }
    entities = enrich(RawArticle.model_validate(datelined)).entities
    assert [(e.canonical, e.origin, e.start, e.end) for e in entities] == [("Kota Bharu", "dateline", 0, 0)]
