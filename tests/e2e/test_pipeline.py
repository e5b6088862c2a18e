"""The three services as separate processes on fresh topics: in through ingestion, out as
searchable documents, with every poison record accounted for in the DLQ."""

import json
import subprocess
import sys
import time

import httpx
import pytest
from kafka import KafkaProducer

from kabar.schemas.events import DeadLetter
from kabar.services.indexing.index_design import sync_client

pytestmark = pytest.mark.smoke

ARTICLE = {
    "source": "kompas.com",
    "url": "https://regional.kompas.com/read/2024/12/05/banjir-bandung?utm_source=wa",
    "title": "Banjir Rendam Ribuan Rumah di Kabupaten Bandung",
    "body": "BANDUNG, KOMPAS.com — Banjir merendam ribuan rumah di Kabupaten Bandung, Jawa Barat, "
    "Kamis (5/12/2024). Badan Nasional Penanggulangan Bencana (BNPB) mencatat warga mengungsi.",
    "published_at": "2024-12-05T16:05:00+07:00",
    "language_hint": "id",
    "region": "ID",
}


def wait_for_count(settings, query: dict, expected: int, timeout_s: float = 60) -> int:  # type: ignore[no-untyped-def,type-arg]
    deadline = time.monotonic() + timeout_s
    count = -1
    with sync_client(settings) as es:
        while time.monotonic() < deadline:
            if es.indices.exists_alias(name=settings.es_alias):
                es.indices.refresh(index=settings.es_alias)
                count = int(es.count(index=settings.es_alias, query=query)["count"])
                if count >= expected:
                    return count
            time.sleep(0.5)
    return count


def test_an_article_pushed_over_http_becomes_a_searchable_document(pipeline, run_service) -> None:  # type: ignore[no-untyped-def]
    ingestion = run_service("ingestion")
    run_service("enrichment")
    run_service("indexing")
    response = httpx.post(f"{ingestion.url}/v1/articles", json=ARTICLE, timeout=30)
    assert response.status_code == 202, response.text
    article_id = response.json()["items"][0]["article_id"]

    settings = pipeline.settings
    assert wait_for_count(settings, {"match": {"body": "Penanggulangan"}}, 1) == 1
    with sync_client(settings) as es:
        hit = es.search(index=settings.es_alias, query={"match": {"title": "banjir"}})["hits"]["hits"][0]
    doc = hit["_source"]
    assert hit["_id"] == article_id == doc["article_id"]
    assert hit["_index"] == f"{settings.es_index_prefix}-2024.12"
    assert doc["url"] == "https://regional.kompas.com/read/2024/12/05/banjir-bandung"
    assert doc["language"] == "id" and doc["language_confidence"] > 0.5
    assert [share["code"] for share in doc["languages"]] == ["id"]
    assert doc["published_at"] == "2024-12-05T09:05:00Z"
    assert doc["ingested_at"] <= doc["enriched_at"] <= doc["indexed_at"]


def test_backfill_with_poison_accounts_for_every_record(
    pipeline, run_service, topic_reader, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    settings = pipeline.settings
    run_service("enrichment")
    run_service("indexing")
    lines = [
        json.dumps({**ARTICLE, "url": f"https://kompas.com/read/{n}", "title": f"Berita {n}"})
        for n in range(40)
    ]
    lines[7] = '{"source": "kompas.com", "title": "tanpa isi"}'
    lines[21] = "<html>not json</html>"
    backfill = tmp_path / "backfill.ndjson"
    backfill.write_text("\n".join(lines) + "\n")

    ingest = subprocess.run(
        [sys.executable, "-m", "kabar.cli", "ingest", str(backfill), "--wait", "60"],
        env={**__import__("os").environ, **pipeline.env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ingest.returncode == 1, ingest.stdout + ingest.stderr  # rejected lines make it non-zero
    assert "read 40  accepted 38  duplicates 0  rejected 2" in ingest.stdout
    assert "indexed 38/38" in ingest.stdout

    # poison straight into the raw topic, past ingestion's validation
    producer = KafkaProducer(bootstrap_servers=settings.kafka_bootstrap, acks="all")
    producer.send(settings.topic_raw, value=b"\xff\xfe garbage")
    producer.send(settings.topic_raw, value=json.dumps({"schema_version": 99}).encode())
    producer.flush()
    producer.close()

    letters = [DeadLetter.model_validate_json(v) for _, v in topic_reader(settings.topic_dlq, 4)]
    assert sorted((d.stage, d.error_type) for d in letters) == [
        ("enrichment", "invalid_utf8"),
        ("enrichment", "schema_violation"),
        ("ingestion", "invalid_json"),
        ("ingestion", "schema_violation"),
    ]
    assert all(d.error_message for d in letters)
    assert {d.payload for d in letters if d.stage == "enrichment"} == {
        b"\xff\xfe garbage",
        b'{"schema_version": 99}',
    }
    assert all(d.origin.startswith(f"{settings.topic_raw}[") for d in letters if d.stage == "enrichment")

    accepted = 38 + 2  # what reached the raw topic
    indexed = wait_for_count(settings, {"match_all": {}}, 38)
    dead_lettered_after_ingestion = sum(d.stage != "ingestion" for d in letters)
    assert accepted == indexed + dead_lettered_after_ingestion
