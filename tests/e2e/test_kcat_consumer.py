"""The topics' contract as a consumer outside Python sees it (issue #14, item 6).

kcat (librdkafka, C) reads news.enriched and news.dlq from the real broker, and each
value is checked against the exported JSON Schema by jsonschema_rs, a validator written
in Rust: neither shares code with pydantic, which wrote both the records and the schema,
so a value pydantic accepts but its own schema does not describe shows up here.
"""

import base64
import binascii
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import jsonschema_rs
from kafka import KafkaProducer

from kabar.processes import wait_until
from kabar.services.common.settings import KabarSettings
from kabar.services.indexing.index_design import sync_client
from tests.fixtures.kcat import KcatRecord, kcat_path, read_with_kcat, skip_module_without_kcat

if TYPE_CHECKING:
    from tests.conftest import Pipeline

skip_module_without_kcat()

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schemas" / "json"
ARTICLE_ID = re.compile(r"[0-9a-f]{32}")
BASE64URL = re.compile(r"[A-Za-z0-9_-]*={0,2}")

BODY = (
    "SEMARANG, KOMPAS.com — Hujan deras sejak Rabu sore membuat Sungai Beringin meluap dan "
    "menggenangi permukiman di Kecamatan Mangkang, Kota Semarang, Jawa Tengah. Badan "
    "Penanggulangan Bencana Daerah (BPBD) mencatat ratusan warga mengungsi ke masjid terdekat."
)
# one story from two sources: the copies after the first carry duplicate_of, one more field to check
ARTICLES = [
    {
        "source": source,
        "url": f"https://{source}/read/2024/12/{n}/banjir-semarang",
        "title": f"Banjir Semarang, laporan {n}",
        "body": BODY,
        "published_at": f"2024-12-0{n}T08:30:00+07:00",
        "language_hint": "id",
        "region": "ID",
    }
    for n, source in enumerate(["kompas.com", "detik.com", "kompas.com", "detik.com"], start=1)
]
NOT_JSON = b"<html>not json</html>"
NO_BODY = b'{"source": "kompas.com", "title": "tanpa isi"}'
# straight onto the raw topic, past ingestion's validation: enrichment dead-letters them
NOT_UTF8 = b"\xff\xfe garbage"
WRONG_VERSION = b'{"schema_version": 99}'


def is_base64url(value: object) -> bool:
    """RFC 4648 section 5, padding optional: what DeadLetter.payload's description promises.
    Standard base64's + and / are not part of it, so a consumer decoding strictly would fail."""
    if not isinstance(value, str):
        return True  # a format only speaks about strings
    if not BASE64URL.fullmatch(value) or len(value.rstrip("=")) % 4 == 1:
        return False
    try:
        base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except binascii.Error:
        return False
    return True


def schema_validator(name: str) -> jsonschema_rs.Validator:
    """The validator of the draft the file names (pydantic names none and writes 2020-12,
    validator_for's default), with every format checked: date-time by the library, our
    base64url by ``is_base64url``, and any other format refused instead of passed over."""
    schema = json.loads((SCHEMA_DIR / name).read_text("utf-8"))
    jsonschema_rs.meta.validate(schema)
    return jsonschema_rs.validator_for(
        schema, validate_formats=True, ignore_unknown_formats=False, formats={"base64url": is_base64url}
    )


def schema_errors(validator: jsonschema_rs.Validator, record: KcatRecord) -> list[str]:
    assert record.value is not None, f"a tombstone at [{record.partition}]@{record.offset}"
    value = json.loads(record.value)
    return [
        f"[{record.partition}]@{record.offset} {'/'.join(map(str, error.instance_path))}: {error.message}"
        for error in validator.iter_errors(value)
    ]


def indexed_count(settings: KabarSettings) -> int:
    with sync_client(settings) as es:
        if not es.indices.exists_alias(name=settings.es_alias):
            return 0
        es.indices.refresh(index=settings.es_alias)
        return int(es.count(index=settings.es_alias, query={"match_all": {}})["count"])


def test_enriched_articles_and_dead_letters_read_by_kcat_match_the_exported_schemas(
    pipeline: "Pipeline", run_service: Callable[[str], Any]
) -> None:
    kcat_path()  # in CI, fails before any service starts
    settings = pipeline.settings
    ingestion = run_service("ingestion")
    run_service("enrichment")
    run_service("indexing")

    lines = [json.dumps(article).encode() for article in ARTICLES]
    batch = b"\n".join([*lines[:2], NOT_JSON, *lines[2:], NO_BODY]) + b"\n"
    response = httpx.post(
        f"{ingestion.url}/v1/articles",
        content=batch,
        headers={"content-type": "application/x-ndjson"},
        timeout=30,
    )
    assert response.status_code == 202, response.text
    pushed = response.json()
    assert (pushed["accepted"], pushed["duplicates"], pushed["rejected"]) == (4, 0, 2), pushed
    accepted_ids = {item["article_id"] for item in pushed["items"] if item["status"] == "accepted"}
    assert len(accepted_ids) == 4

    producer = KafkaProducer(bootstrap_servers=settings.kafka_bootstrap, acks="all")
    producer.send(settings.topic_raw, key=b"poison-1", value=NOT_UTF8)
    producer.send(settings.topic_raw, key=b"poison-2", value=WRONG_VERSION)
    producer.flush()
    producer.close()

    # indexed means enrichment and indexing are done with every article; kcat then waits
    # for the four letters, and what it reads afterwards is all there is
    wait_until(lambda: indexed_count(settings) >= 4, 60, "four articles indexed")
    wait_until(
        lambda: len(read_with_kcat(settings.kafka_bootstrap, settings.topic_dlq)) >= 4,
        60,
        "four dead letters, as kcat sees them",
    )
    enriched = read_with_kcat(settings.kafka_bootstrap, settings.topic_enriched)
    letters = read_with_kcat(settings.kafka_bootstrap, settings.topic_dlq)

    # values: every one valid under its topic's exported schema
    enriched_schema = schema_validator("news.enriched.v1.schema.json")
    dlq_schema = schema_validator("news.dlq.v1.schema.json")
    errors = [e for r in enriched for e in schema_errors(enriched_schema, r)]
    errors += [e for r in letters for e in schema_errors(dlq_schema, r)]
    assert errors == []
    # and it has teeth where pydantic's own checks would be easiest to miss: the formats
    letter = json.loads(letters[0].value or "")
    assert not dlq_schema.is_valid({**letter, "failed_at": "2024-12-05T09:05:00"})  # no offset
    assert not dlq_schema.is_valid({**letter, "payload": "+/8="})  # base64, not base64url

    # news.enriched: each accepted article exactly once, keyed by its article id, no headers
    articles = [json.loads(r.value) for r in enriched if r.value is not None]
    assert sorted(a["article_id"] for a in articles) == sorted(accepted_ids)
    for record, article in zip(enriched, articles, strict=True):
        assert record.key is not None and ARTICLE_ID.fullmatch(record.key), record
        assert record.key == article["article_id"]
        assert record.headers == [], record
    assert {a["title"] for a in articles} == {a["title"] for a in ARTICLES}
    assert any(a["duplicate_of"] in accepted_ids for a in articles)  # the same body: a copy names the first

    # news.dlq: each poison record exactly once, with no key and no headers
    assert all(r.key is None and r.headers == [] for r in letters), letters
    dead = [json.loads(r.value) for r in letters if r.value is not None]
    by_reason = {
        (d["stage"], d["error_type"]): base64.urlsafe_b64decode(d["payload"] + "=" * (-len(d["payload"]) % 4))
        for d in dead
    }
    assert len(by_reason) == len(dead) == 4, dead
    assert by_reason == {
        ("ingestion", "invalid_json"): NOT_JSON,
        ("ingestion", "schema_violation"): NO_BODY,
        ("enrichment", "invalid_utf8"): NOT_UTF8,
        ("enrichment", "schema_violation"): WRONG_VERSION,
    }
    assert {d["origin"] for d in dead if d["stage"] == "ingestion"} == {"request:3", "request:6"}
    assert all(
        d["source_topic"] == settings.topic_raw and d["origin"].startswith(f"{settings.topic_raw}[")
        for d in dead
        if d["stage"] == "enrichment"
    )
