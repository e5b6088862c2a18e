import json

from kabar.schemas.events import DeadLetter, RawArticle
from kabar.services.common.dlq import Origin
from kabar.services.common.kafka import ensure_topics, producer
from kabar.services.common.settings import IngestionSettings
from kabar.services.ingestion.publish import Publisher


def article(n: int, body: str = "Isi berita.") -> bytes:
    return json.dumps(
        {"source": "detik.com", "url": f"https://detik.com/berita/{n}", "title": f"Berita {n}", "body": body}
    ).encode()


def test_accepted_articles_are_on_the_raw_topic_keyed_by_id_and_rejects_in_the_dlq(
    pipeline, topic_reader
) -> None:  # type: ignore[no-untyped-def]
    settings = pipeline.settings_as(IngestionSettings)
    ensure_topics(settings)
    kafka_producer = producer(settings, "test")
    items = [(article(n), Origin.of_line("f.ndjson", n)) for n in range(20)]
    items.insert(5, (b"{broken", Origin.of_line("f.ndjson", 99)))
    summary = Publisher(settings, kafka_producer).publish(items)
    kafka_producer.close()

    assert (summary.count("accepted"), summary.count("rejected")) == (20, 1)
    raw = topic_reader(settings.topic_raw, 20)
    assert len(raw) == 20
    for key, value in raw:
        assert key == RawArticle.model_validate_json(value).article_id.encode()
    assert {RawArticle.model_validate_json(v).article_id for _, v in raw} == {
        o.article_id for o in summary.outcomes if o.status == "accepted"
    }
    [(_, letter_bytes)] = topic_reader(settings.topic_dlq, 1)
    letter = DeadLetter.model_validate_json(letter_bytes)
    assert (letter.stage, letter.error_type, letter.origin, letter.payload) == (
        "ingestion",
        "invalid_json",
        "f.ndjson:99",
        b"{broken",
    )


def test_a_resent_copy_is_a_duplicate_but_an_edited_one_is_accepted(pipeline, topic_reader) -> None:  # type: ignore[no-untyped-def]
    settings = pipeline.settings_as(IngestionSettings)
    ensure_topics(settings)
    kafka_producer = producer(settings, "test")
    publisher = Publisher(settings, kafka_producer)
    first = publisher.publish([(article(1), Origin("a"))])
    again = publisher.publish([(article(1), Origin("b")), (article(1), Origin("c"))])
    edited = publisher.publish([(article(1, body="Isi berita, diperbarui."), Origin("d"))])
    kafka_producer.close()
    assert [o.status for o in first.outcomes + again.outcomes + edited.outcomes] == [
        "accepted",
        "duplicate",
        "duplicate",
        "accepted",
    ]
    assert len(topic_reader(settings.topic_raw, 2)) == 2
