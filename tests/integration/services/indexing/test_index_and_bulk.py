import asyncio

from kabar.services.common.retry import Backoff
from kabar.services.indexing.bulk import write_bulk
from kabar.services.indexing.index_design import async_client, install_index_template, sync_client


def action(prefix: str, n: int, **source: object) -> dict:  # type: ignore[type-arg]
    doc = {
        "article_id": f"{n:032x}",
        "source": "tempo.co",
        "title": f"Judul {n}",
        "body": "Isi",
        "language": "id",
    }
    return {
        "_op_type": "index",
        "_index": f"{prefix}-2024.12",
        "_id": f"{n:032x}",
        "_source": {**doc, **source},
    }


def bulk(settings, actions):  # type: ignore[no-untyped-def]
    async def go():  # type: ignore[no-untyped-def]
        es = async_client(settings)
        try:
            return await write_bulk(es, actions, Backoff(0.05, 0.5))
        finally:
            await es.close()

    return asyncio.run(go())


def test_template_install_is_idempotent_and_indices_join_the_alias(pipeline) -> None:  # type: ignore[no-untyped-def]
    settings = pipeline.settings
    with sync_client(settings) as es:
        install_index_template(es, settings)
        install_index_template(es, settings)
        report = bulk(settings, [action(settings.es_index_prefix, 1)])
        assert report.indexed == 1
        es.indices.refresh(index=settings.es_alias)
        assert es.count(index=settings.es_alias)["count"] == 1
        mapping = es.indices.get_mapping(index=f"{settings.es_index_prefix}-2024.12")
        assert next(iter(mapping.values()))["mappings"]["dynamic"] == "strict"


def test_redelivery_keeps_the_count_and_a_malformed_document_is_refused_alone(pipeline) -> None:  # type: ignore[no-untyped-def]
    settings = pipeline.settings
    prefix = settings.es_index_prefix
    with sync_client(settings) as es:
        install_index_template(es, settings)
        batch = [action(prefix, n) for n in range(10)]
        assert bulk(settings, batch).indexed == 10
        batch[4] = action(prefix, 4, published_at="not a date")
        batch.append(action(prefix, 11, unexpected_field="x"))
        report = bulk(settings, batch)
        assert report.indexed == 9
        assert sorted((r.position, r.status) for r in report.rejected) == [(4, 400), (10, 400)]
        assert {r.error_type for r in report.rejected} >= {"strict_dynamic_mapping_exception"}
        es.indices.refresh(index=settings.es_alias)
        assert es.count(index=settings.es_alias)["count"] == 10


def test_indices_made_before_a_template_change_get_the_new_fields(pipeline) -> None:  # type: ignore[no-untyped-def]
    settings = pipeline.settings
    index = f"{settings.es_index_prefix}-2024.01"
    with sync_client(settings) as es:
        es.indices.create(
            index=index, mappings={"dynamic": "strict", "properties": {"title": {"type": "text"}}}
        )
        install_index_template(es, settings)
        properties = es.indices.get_mapping(index=index)[index]["mappings"]["properties"]
        assert {"body_original", "entities", "entity_names", "title_en"} <= set(properties)
