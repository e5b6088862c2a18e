"""Order-independent, idempotent writes against the real search server."""

import asyncio
from datetime import UTC, datetime, timedelta

from kabar.schemas.events import ArticleTranslation, EnrichedArticle, EntityMention
from kabar.services.common.retry import Backoff
from kabar.services.indexing.bulk import write_bulk
from kabar.services.indexing.index_design import async_client, install_index_template, sync_client
from kabar.services.indexing.transform import document_action

T0 = datetime(2024, 12, 2, 8, tzinfo=UTC)
ARTICLE_ID = "d" * 32


def enriched(title: str, enriched_at: datetime) -> EnrichedArticle:
    return EnrichedArticle(
        article_id=ARTICLE_ID,
        source="kompas.com",
        title=title,
        body="Banjir melanda Kabupaten Bandung, Jawa Barat.",
        published_at=T0,
        ingested_at=T0,
        language="id",
        language_confidence=0.99,
        entities=[EntityMention(text="Jawa Barat", label="LOC", start=30, end=40, canonical="West Java")],
        enriched_at=enriched_at,
    )


def translation(body_en: str, translated_at: datetime) -> ArticleTranslation:
    return ArticleTranslation(
        article_id=ARTICLE_ID,
        source_language="id",
        status="translated",
        title_en="Floods",
        body_en=body_en,
        model="test",
        published_at=T0,
        ingested_at=T0,
        enriched_at=T0,
        translated_at=translated_at,
    )


def write(settings, *events) -> None:  # type: ignore[no-untyped-def]
    async def go() -> None:
        es = async_client(settings)
        try:
            for event in events:
                action = document_action(settings.es_index_prefix, event)
                report = await write_bulk(es, [action], Backoff(0.05, 0.5))
                assert not report.rejected, report.rejected
        finally:
            await es.close()

    asyncio.run(go())


def document(settings) -> dict:  # type: ignore[no-untyped-def,type-arg]
    with sync_client(settings) as es:
        es.indices.refresh(index=settings.es_alias)
        hits = es.search(index=settings.es_alias, query={"ids": {"values": [ARTICLE_ID]}})["hits"]
        assert hits["total"]["value"] == 1
        return hits["hits"][0]["_source"]


def test_an_older_enrichment_never_overwrites_a_newer_one(pipeline) -> None:  # type: ignore[no-untyped-def]
    settings = pipeline.settings
    with sync_client(settings) as es:
        install_index_template(es, settings)
    write(settings, enriched("Judul baru", T0 + timedelta(minutes=5)), enriched("Judul lama", T0))
    assert document(settings)["title"] == "Judul baru"
    write(settings, enriched("Judul terbaru", T0 + timedelta(minutes=9)))
    assert document(settings)["title"] == "Judul terbaru"


def test_redelivery_and_translations_in_any_order_keep_one_complete_document(pipeline) -> None:  # type: ignore[no-untyped-def]
    settings = pipeline.settings
    with sync_client(settings) as es:
        install_index_template(es, settings)
    newer, older = (
        translation("Newer text.", T0 + timedelta(hours=2)),
        translation("Older text.", T0 + timedelta(hours=1)),
    )
    write(settings, newer, enriched("Judul", T0), older, enriched("Judul", T0))
    doc = document(settings)
    assert doc["body_en"] == "Newer text." and doc["title"] == "Judul"
    assert doc["entities"][0]["canonical"] == "West Java" and doc["entity_names"] == ["West Java"]
    assert doc["translation_status"] == "translated"
