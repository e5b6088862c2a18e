"""The largest article ingestion accepts, and hostile values beside it, through every stage:
every accepted article ends indexed or dead-lettered, no stage restarts, and the next
article is searchable as usual."""

import json

import httpx

from kabar.processes import wait_until
from kabar.schemas.events import DeadLetter
from kabar.schemas.limits import ARTICLE_MAX_CHARS, ENTITY_MENTIONS_MAX
from kabar.services.indexing.index_design import sync_client
from tests.fixtures.kafka import read_topic

SENTENCE = (
    "Gubernur Jawa Barat Ridwan Kamil bertemu Bupati Garut Rudy Gunawan di Bandung, Garut, "
    "Tasikmalaya, Cirebon dan Bekasi bersama Kementerian Pekerjaan Umum dan Perumahan Rakyat (PUPR). "
)


def article(title: str, body: str, **fields: object) -> bytes:
    return json.dumps({"source": "kompas.com", "title": title, "body": body, **fields}).encode()


def entity_dense_body(chars: int) -> str:
    body = "BANDUNG, KOMPAS.com - " + SENTENCE * (chars // len(SENTENCE) + 1)
    return body[:chars]


def indexed_ids(settings, ids: set[str]) -> set[str]:  # type: ignore[no-untyped-def]
    with sync_client(settings) as es:
        if not es.indices.exists_alias(name=settings.es_alias):
            return set()
        es.indices.refresh(index=settings.es_alias)
        hits = es.search(
            index=settings.es_alias, query={"ids": {"values": sorted(ids)}}, size=len(ids), source=False
        )["hits"]["hits"]
    return {hit["_id"] for hit in hits}


def dead_lettered_ids(settings, expected: int) -> set[str]:  # type: ignore[no-untyped-def]
    letters = [
        DeadLetter.model_validate_json(value)
        for _, value in read_topic(settings.kafka_bootstrap, settings.topic_dlq, expected, timeout_s=1)
    ]
    return {letter.article_id for letter in letters if letter.stage != "ingestion" and letter.article_id}


def test_every_accepted_article_of_a_hostile_batch_ends_indexed_or_dead_lettered(
    pipeline, run_service
) -> None:  # type: ignore[no-untyped-def]
    services = [run_service(name) for name in ("ingestion", "enrichment", "translation", "indexing")]
    ingestion = services[0]
    batch = [
        article("Banjir di Bandung", "Banjir merendam ribuan rumah di Kabupaten Bandung, Jawa Barat."),
        article("Longsor di Garut", entity_dense_body(ARTICLE_MAX_CHARS)),
        article("Terlalu panjang", entity_dense_body(ARTICLE_MAX_CHARS + 1)),
        article("Tanggal jauh", "Isi berita.", published_at="9999-12-31T23:59:59-12:00"),
        article("Tanggal awal", "Isi berita.", published_at="0001-01-01T00:00:00+01:00"),
        b'{"source": "kompas.com", "title": "Angka", "body": "Isi.", "views": ' + b"9" * 5_000 + b"}",
        article(
            "Judul \x1b]0;pwned\x07berwarna \x1b[31mmerah", "Gempa mengguncang Cianjur, \x1b[2JJawa Barat."
        ),
    ]
    response = httpx.post(
        f"{ingestion.url}/v1/articles",
        content=b"\n".join(batch),
        headers={"content-type": "application/x-ndjson"},
        timeout=60,
    )
    assert response.status_code == 202, response.text
    items = response.json()["items"]
    assert [item["status"] for item in items] == [
        "accepted",
        "accepted",
        "rejected",
        "rejected",
        "rejected",
        "rejected",
        "accepted",
    ]
    assert [item["reason"] for item in items[2:6]] == [
        "article_too_long",
        "schema_violation",
        "schema_violation",
        "invalid_json",
    ]
    accepted = {item["article_id"] for item in items if item["status"] == "accepted"}

    settings = pipeline.settings
    wait_until(
        lambda: indexed_ids(settings, accepted) | dead_lettered_ids(settings, 4) == accepted,
        120,
        "every accepted article indexed or dead-lettered",
    )
    assert indexed_ids(settings, accepted) == accepted  # the largest article fits every stage

    with sync_client(settings) as es:
        big = es.get(index=settings.es_alias, id=items[1]["article_id"])["_source"]
        shown = es.get(index=settings.es_alias, id=items[6]["article_id"])["_source"]
    assert len(big["entities"]) == ENTITY_MENTIONS_MAX and big["entities_dropped"] > 0
    assert shown["title"] == "Judul berwarna merah" and "\x1b" not in shown["body"]

    assert all(service.process.poll() is None for service in services), "a stage stopped"
    after = httpx.post(
        f"{ingestion.url}/v1/articles",
        json={"source": "detik.com", "title": "Sesudahnya", "body": "Hujan deras melanda Bogor."},
        timeout=30,
    )
    assert after.status_code == 202, after.text
    next_id = after.json()["items"][0]["article_id"]
    wait_until(lambda: indexed_ids(settings, {next_id}) == {next_id}, 60, "the next article searchable")
    for service in services:
        log = service.log_path.read_text(errors="replace")
        assert "crashed" not in log.lower() and "Traceback" not in log, f"{service.name}:\n{log[-3000:]}"
