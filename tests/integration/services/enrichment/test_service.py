"""The enrichment worker as its own process on a real broker: syndicated copies of one story
point at the first copy, also after the worker restarted and rebuilt its index."""

from pathlib import Path

from kafka import KafkaProducer

from kabar.schemas.events import EnrichedArticle, RawArticle
from kabar.services.ingestion.validate import parse_article

SAMPLES = Path(__file__).resolve().parents[4] / "samples" / "articles.ndjson"
SYNDICATED_STORY = "bnpb-catat-4200-rumah-terendam-banjir"


def sample_articles() -> tuple[list[RawArticle], RawArticle]:
    """The three copies of the syndicated story, and one unrelated article."""
    articles = []
    for line in SAMPLES.read_text("utf-8").splitlines():
        article = parse_article(line.encode())
        assert isinstance(article, RawArticle), article
        articles.append(article)
    copies = [a for a in articles if SYNDICATED_STORY in str(a.url)]
    other = next(a for a in articles if SYNDICATED_STORY not in str(a.url) and a.language_hint == "id")
    return copies, other


def test_copies_point_at_the_first_copy_across_a_restart(pipeline, run_service, topic_reader) -> None:  # type: ignore[no-untyped-def]
    settings = pipeline.settings
    copies, other = sample_articles()
    assert len(copies) == 3
    assert len({c.fingerprint for c in copies}) == 3  # near copies, not equal ones
    producer = KafkaProducer(bootstrap_servers=settings.kafka_bootstrap, acks="all")

    def send_and_read(article: RawArticle, expected: int) -> dict[str, EnrichedArticle]:
        producer.send(
            settings.topic_raw, key=article.article_id.encode(), value=article.model_dump_json().encode()
        )
        producer.flush()
        enriched = [
            EnrichedArticle.model_validate_json(v) for _, v in topic_reader(settings.topic_enriched, expected)
        ]
        assert len(enriched) == expected
        return {e.article_id: e for e in enriched}

    try:
        worker = run_service("enrichment")
        first, second, third = copies
        send_and_read(first, 1)
        assert send_and_read(second, 2)[second.article_id].duplicate_of == first.article_id
        worker.stop()

        # the band index lives in memory: the new process rebuilds it from the table's changelog
        run_service("enrichment")
        enriched = send_and_read(third, 3)
        assert enriched[third.article_id].duplicate_of == first.article_id
        assert enriched[first.article_id].duplicate_of is None
        assert send_and_read(other, 4)[other.article_id].duplicate_of is None
    finally:
        producer.close()
