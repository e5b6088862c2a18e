import json
from datetime import UTC, datetime

from kabar.schemas.events import ArticleTranslation, EnrichedArticle
from kabar.services.indexing.bulk import RejectedItem, rejection_failure
from kabar.services.indexing.index_design import index_for
from kabar.services.indexing.transform import document_action

NOW = datetime(2024, 12, 20, tzinfo=UTC)


def enriched(article_id: str, published_at: str | None = "2024-11-30T23:30:00Z") -> bytes:
    return json.dumps(
        {
            "schema_version": 1,
            "article_id": article_id,
            "source": "kompas.com",
            "title": "Banjir Bandung",
            "body": "Banjir melanda Kabupaten Bandung.",
            "published_at": published_at,
            "ingested_at": "2024-12-01T00:00:00Z",
            "language": "id",
            "language_confidence": 0.99,
            "enriched_at": "2024-12-01T00:00:01Z",
        }
    ).encode()


def test_an_article_lands_in_the_index_of_its_publication_month() -> None:
    assert index_for("kabar", datetime(2024, 11, 30, 23, 30, tzinfo=UTC), NOW) == "kabar-2024.11"
    assert index_for("kabar", None, datetime(2024, 12, 1, tzinfo=UTC)) == "kabar-2024.12"


def test_an_article_is_a_guarded_upsert_by_article_id_in_its_months_index() -> None:
    first = document_action("kabar", EnrichedArticle.model_validate_json(enriched("a" * 32)))
    undated = document_action(
        "kabar", EnrichedArticle.model_validate_json(enriched("b" * 32, published_at=None))
    )
    assert [a["_id"] for a in (first, undated)] == ["a" * 32, "b" * 32]
    assert [a["_index"] for a in (first, undated)] == ["kabar-2024.11", "kabar-2024.12"]
    fields = first["_source"]["script"]["params"]["fields"]
    assert fields["enrichment_version"] == 1733011201000000 and "indexed_at" in fields
    assert all(a["_op_type"] == "update" and a["_source"]["scripted_upsert"] for a in (first, undated))


def test_a_document_elasticsearch_refused_becomes_a_reason_with_its_status() -> None:
    failure = rejection_failure(RejectedItem(1, 400, "document_parsing_exception", "bad date"), "b" * 32)
    assert failure.article_id == "b" * 32
    assert (failure.error_type, failure.error_message) == (
        "es_document_parsing_exception",
        "HTTP 400: bad date",
    )


def test_a_translation_is_a_partial_update_of_the_articles_index() -> None:
    translation = ArticleTranslation(
        article_id="a" * 32,
        source_language="id",
        status="translated",
        title_en="Floods in Bandung",
        body_en="Floods hit Bandung Regency.",
        model="ctranslate2:opus-mt-id-en",
        published_at=datetime(2024, 11, 30, tzinfo=UTC),
        ingested_at=NOW,
        enriched_at=NOW,
        translated_at=NOW,
    )
    action = document_action("kabar", translation)
    assert action["_index"] == "kabar-2024.11" and action["_id"] == "a" * 32
    doc = action["_source"]["script"]["params"]["fields"]
    assert doc["title_en"] == "Floods in Bandung" and doc["translation_status"] == "translated"
    assert "entities" not in doc and "title" not in doc  # never erases what enrichment wrote


def test_the_lifecycle_policy_is_attached_only_where_the_server_has_one() -> None:
    from kabar.services.common.settings import KabarSettings
    from kabar.services.indexing.index_design import index_template, lifecycle_policy

    settings = KabarSettings(es_index_prefix="news")
    assert "index.lifecycle.name" not in index_template(settings)["template"]["settings"]
    assert index_template(settings, lifecycle=True)["template"]["settings"]["index.lifecycle.name"] == "news"
    assert set(lifecycle_policy()["phases"]) == {"hot", "warm"}
    assert index_template(settings)["index_patterns"] == ["news-*"]
    assert index_template(settings)["template"]["aliases"] == {"news": {}}


def test_an_article_is_found_by_the_place_of_its_dateline() -> None:
    mention = {"text": "Kuala Lumpur", "label": "LOC", "start": 0, "end": 0, "canonical": "Kuala Lumpur"}
    article = json.loads(enriched("c" * 32))
    article["entities"] = [{**mention, "origin": "dateline"}]
    action = document_action("kabar", EnrichedArticle.model_validate(article))
    fields = action["_source"]["script"]["params"]["fields"]
    assert fields["entity_names"] == ["Kuala Lumpur"] and fields["entities"][0]["origin"] == "dateline"


def test_every_field_of_a_mention_is_mapped_in_the_strict_index_template() -> None:
    from kabar.schemas.events import EntityMention
    from kabar.services.common.settings import KabarSettings
    from kabar.services.indexing.index_design import index_template

    mappings = index_template(KabarSettings())["template"]["mappings"]
    assert set(EntityMention.model_fields) <= set(mappings["properties"]["entities"]["properties"])
