"""``kabar dlq``: listing and replaying dead letters on the real broker."""

import json

from schemas.events import RawArticle
from services.common.dlq import Failure, Origin, dead_letter
from services.common.kafka import ensure_topics, producer
from services.common.settings import IngestionSettings
from services.dlq_tools import Selection, dead_letters, replay, summarise
from services.ingestion.publish import Publisher
from tests.fixtures.kafka import read_topic


def test_letters_are_listed_by_stage_and_reason_and_replayed_to_their_source(pipeline) -> None:  # type: ignore[no-untyped-def]
    settings = pipeline.settings_as(IngestionSettings)
    ensure_topics(settings)
    kafka_producer = producer(settings, "test-dlq")
    Publisher(settings, kafka_producer).publish(
        [(b'{"source": "x", "title": "t"}', Origin("a.ndjson:1")), (b"nope", Origin("a.ndjson:2"))]
    )
    raw = RawArticle(
        article_id="e" * 32, source="x", title="t", body="b", ingested_at="2024-12-01T00:00:00Z"
    ).model_dump_json()
    failure = Failure("es_document_parsing_exception", "HTTP 400: bad", "e" * 32)
    letter = dead_letter("indexing", failure, Origin.of_record(settings.topic_raw, 0, 5), raw.encode())
    kafka_producer.send(settings.topic_dlq, value=letter.model_dump_json().encode())
    kafka_producer.flush()
    kafka_producer.close()

    letters = [d for d in dead_letters(settings) if not isinstance(d, Failure)]
    assert summarise(letters) == {
        ("ingestion", "schema_violation"): 1,
        ("ingestion", "invalid_json"): 1,
        ("indexing", "es_document_parsing_exception"): 1,
    }
    chosen = [d for d in letters if Selection(stage="indexing").matches(d)]
    assert replay(settings, chosen) == (1, 0)
    [(key, value)] = read_topic(settings.kafka_bootstrap, settings.topic_raw, 1)
    assert key == b"e" * 32 and json.loads(value)["article_id"] == "e" * 32

    ingestion_letters = [d for d in letters if Selection(stage="ingestion", reason="invalid_json").matches(d)]
    assert replay(settings, ingestion_letters) == (0, 1)  # still invalid: back in the DLQ, not lost
    assert len([d for d in dead_letters(settings) if not isinstance(d, Failure)]) == 4
