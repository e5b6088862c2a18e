import gc
import json

from schemas.events import DeadLetter, EnrichedArticle
from services.common.dlq import Origin
from services.enrichment.gazetteer import gazetteer
from services.enrichment.transform import enrich_record, load_models

ORIGIN = Origin.of_record("news.raw", 0, 7)
RAW = {
    "schema_version": 1,
    "article_id": "c" * 32,
    "source": "thestar.com.my",
    "title": "Floods: more evacuees in Kelantan",
    "body": "KOTA BHARU: The number of flood evacuees in Kelantan rose on Monday as rivers kept rising.",
    "ingested_at": "2024-12-02T00:00:00Z",
}


def test_a_raw_article_comes_out_enriched_with_its_fields_intact() -> None:
    result = enrich_record(json.dumps(RAW).encode(), ORIGIN)
    assert isinstance(result, EnrichedArticle)
    assert result.article_id == RAW["article_id"] and result.body == RAW["body"]
    assert result.language == "en"


def test_poison_records_become_dead_letters_with_origin_and_original_bytes() -> None:
    for payload, reason in [
        (b"\x00\xff", "invalid_utf8"),
        (b"nope", "invalid_json"),
        (json.dumps({**RAW, "schema_version": 9}).encode(), "schema_violation"),
    ]:
        letter = enrich_record(payload, ORIGIN)
        assert isinstance(letter, DeadLetter)
        assert (letter.error_type, letter.stage, letter.origin, letter.payload) == (
            reason,
            "enrichment",
            "news.raw[0]@7",
            payload,
        )


def test_the_models_are_loaded_up_front_and_kept_out_of_the_collectors_walks() -> None:
    gc.unfreeze()
    try:
        load_models()
        aliases = gazetteer().aliases
        assert not any(o is aliases for o in gc.get_objects(generation=2))
    finally:
        gc.unfreeze()
    assert any(o is aliases for o in gc.get_objects(generation=2))
