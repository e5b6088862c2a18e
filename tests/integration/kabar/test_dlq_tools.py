"""``kabar dlq``: listing and replaying dead letters on the real broker."""

import json

from kabar.dlq_tools import Selection, dead_letters, replay, replayed_positions, summarise
from kabar.schemas.events import DeadLetter, RawArticle
from kabar.services.common.dlq import Failure, Origin, dead_letter
from kabar.services.common.kafka import ensure_topics, producer
from kabar.services.common.settings import IngestionSettings
from kabar.services.ingestion.publish import Publisher
from tests.fixtures.kafka import read_topic


def letters_of(settings: IngestionSettings) -> list[DeadLetter]:
    return [d.letter for d in dead_letters(settings) if not isinstance(d.letter, Failure)]


def test_letters_are_listed_by_stage_and_reason_and_each_is_replayed_once(pipeline) -> None:  # type: ignore[no-untyped-def]
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
    cut = dead_letter(
        "enrichment", Failure("oversized", "big"), Origin.of_record(settings.topic_raw, 1, 2), b"x" * 300_000
    )
    for record in (letter, cut):
        kafka_producer.send(settings.topic_dlq, value=record.model_dump_json().encode())
    kafka_producer.flush()
    kafka_producer.close()

    assert summarise(letters_of(settings)) == {
        ("ingestion", "schema_violation"): 1,
        ("ingestion", "invalid_json"): 1,
        ("indexing", "es_document_parsing_exception"): 1,
        ("enrichment", "oversized"): 1,
    }
    indexing_only = [d for d in dead_letters(settings) if Selection(stage="indexing").matches(d.letter)]  # type: ignore[arg-type]
    report = replay(settings, indexing_only, replayed_positions(settings))
    assert (report.sent, report.failed_again) == ({"indexing": 1}, {})
    [(key, value)] = read_topic(settings.kafka_bootstrap, settings.topic_raw, 1)
    assert key == b"e" * 32 and json.loads(value)["article_id"] == "e" * 32

    # everything, three times over: each letter goes back once; the invalid ones fail
    # again each time, as one new letter per failure naming the replay (not a doubling)
    reports = [replay(settings, list(dead_letters(settings)), replayed_positions(settings)) for _ in range(3)]
    assert [r.failed_again for r in reports] == [{"ingestion": 2}] * 3
    assert all(r.sent == {} and r.payload_cut == {"enrichment": 1} for r in reports)
    assert [r.replayed_before for r in reports] == [
        {"indexing": 1},
        {"indexing": 1, "ingestion": 2},
        {"indexing": 1, "ingestion": 4},
    ]
    letters = letters_of(settings)
    assert len(letters) == 10
    again = [d for d in letters if d.replay_of]
    assert len(again) == 6 and all(d.origin == f"replay of {d.replay_of}" for d in again)
    assert len(read_topic(settings.kafka_bootstrap, settings.topic_raw, 1)) == 1  # the indexing letter, once
