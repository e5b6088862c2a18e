"""The size budget: every event at its worst case fits, and every setting agrees with it."""

import sys
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel

from kabar.schemas.events import (
    ArticleTranslation,
    DeadLetter,
    EnrichedArticle,
    EntityMention,
    LanguageShare,
    RawArticle,
    ReplayedLetter,
)
from kabar.schemas.limits import (
    ARTICLE_MAX_CHARS,
    DEAD_LETTER_PAYLOAD_MAX_BYTES,
    ENTITY_ID_MAX_CHARS,
    ENTITY_MENTIONS_MAX,
    ERROR_MESSAGE_MAX_CHARS,
    ES_BULK_MAX_BYTES,
    EVENT_MAX_BYTES,
    MENTION_MAX_CHARS,
    NAME_MAX_CHARS,
    RECORD_MAX_BYTES,
    TITLE_MAX_CHARS,
    TRANSLATION_GROWTH,
    URL_MAX_CHARS,
)
from kabar.schemas.topics import TopicRole
from kabar.services.common.kafka import CONSUMER_OPTIONS, PRODUCER_OPTIONS, topic_configs
from kabar.services.common.settings import EnrichmentSettings, KabarSettings
from kabar.services.common.stream import stream_app
from kabar.services.common.text import without_control_characters
from kabar.services.indexing.index_design import index_template
from tests.unit.deploy.test_compose import resolved_config

# four bytes in UTF-8 and not escaped in JSON: the widest character text can hold once its
# control characters are gone (see the next test)
WIDE = "\U0001d54f"
NOW = datetime(2199, 12, 31, tzinfo=UTC)


def wide(chars: int) -> str:
    return WIDE * chars


def size(event: BaseModel) -> int:
    return len(event.model_dump_json().encode())


def test_no_character_left_after_cleaning_takes_more_than_four_bytes_in_an_event() -> None:
    every_character = "".join(chr(c) for c in range(sys.maxunicode + 1))
    cleaned = without_control_characters(every_character)
    empty = EntityMention(text="", label="LOC", start=0, end=0, canonical="")
    holding_all = empty.model_copy(update={"text": cleaned})
    assert size(holding_all) - size(empty) <= 4 * len(cleaned)
    # and without the cleaning it would not hold: controls are escaped to six bytes
    assert size(empty.model_copy(update={"text": "\x01"})) - size(empty) == 6


def worst_raw() -> RawArticle:
    return RawArticle(
        article_id="f" * 32,
        source=wide(NAME_MAX_CHARS),
        url="https://" + "u" * (URL_MAX_CHARS - 8),
        title=wide(TITLE_MAX_CHARS),
        body=wide(ARTICLE_MAX_CHARS),
        body_original=wide(ARTICLE_MAX_CHARS),
        dateline_place=wide(NAME_MAX_CHARS),
        publisher=wide(NAME_MAX_CHARS),
        content_hash="f" * 64,
        fingerprint="f" * 64,
        published_at=NOW,
        language_hint="id",
        region="ID",
        ingested_at=NOW,
    )


def worst_enriched() -> EnrichedArticle:
    mention = EntityMention(
        text=wide(MENTION_MAX_CHARS),
        label="ORG",
        start=ARTICLE_MAX_CHARS,
        end=ARTICLE_MAX_CHARS,
        canonical=wide(MENTION_MAX_CHARS),
        entity_id=wide(ENTITY_ID_MAX_CHARS),
    )
    return EnrichedArticle(
        **worst_raw().model_dump(),
        language="id",
        language_confidence=0.123456789,
        languages=[LanguageShare(code="id", share=0.123456789)] * 8,
        entities=[mention] * ENTITY_MENTIONS_MAX,
        entities_dropped=10**9,
        duplicate_of="f" * 32,
        translation_status="pending",
        enriched_at=NOW,
    )


def test_every_event_at_its_worst_fits_the_budget() -> None:
    control = "\x01"  # six bytes escaped: error texts are not cleaned, only cut
    worst = {
        "raw": worst_raw(),
        "enriched": worst_enriched(),
        "translation": ArticleTranslation(
            article_id="f" * 32,
            source_language="id",
            status="translated",
            title_en=wide(TRANSLATION_GROWTH * TITLE_MAX_CHARS),
            body_en=wide(TRANSLATION_GROWTH * ARTICLE_MAX_CHARS),
            error=control * ERROR_MESSAGE_MAX_CHARS,
            model=wide(NAME_MAX_CHARS),
            published_at=NOW,
            ingested_at=NOW,
            enriched_at=NOW,
            translated_at=NOW,
        ),
        "dead letter": DeadLetter(
            stage="enrichment",
            error_type=wide(NAME_MAX_CHARS),
            error_message=control * ERROR_MESSAGE_MAX_CHARS,
            origin=control * ERROR_MESSAGE_MAX_CHARS,
            source_topic=wide(NAME_MAX_CHARS),
            source_partition=2**31,
            source_offset=2**63,
            article_id="f" * 32,
            replay_of=control * ERROR_MESSAGE_MAX_CHARS,
            payload=b"\xff" * DEAD_LETTER_PAYLOAD_MAX_BYTES,
            payload_size=2**63,
            failed_at=NOW,
        ),
        "replay mark": ReplayedLetter(
            letter=control * ERROR_MESSAGE_MAX_CHARS,
            stage="enrichment",
            sent_to=wide(NAME_MAX_CHARS),
            outcome="rejected",
            replayed_at=NOW,
        ),
    }
    sizes = {name: size(event) for name, event in worst.items()}
    assert all(value <= EVENT_MAX_BYTES for value in sizes.values()), sizes
    # the budget is not far above the worst case either: a real limit, not a guess
    assert sizes["enriched"] > 0.85 * EVENT_MAX_BYTES, sizes


def test_every_topic_and_kafka_client_takes_the_largest_record() -> None:
    assert all(topic_configs(role)["max.message.bytes"] == str(RECORD_MAX_BYTES) for role in TopicRole)
    assert PRODUCER_OPTIONS["max_request_size"] == RECORD_MAX_BYTES
    assert CONSUMER_OPTIONS["max_partition_fetch_bytes"] == RECORD_MAX_BYTES
    assert CONSUMER_OPTIONS["fetch_max_bytes"] >= RECORD_MAX_BYTES


def test_the_stream_workers_produce_and_fetch_the_largest_record(tmp_path: Path) -> None:
    app = stream_app(EnrichmentSettings(data_dir=tmp_path), "enrichment", "kabar-enrichment")
    assert app.conf.producer_max_request_size == RECORD_MAX_BYTES
    assert app.conf.consumer_max_fetch_size == RECORD_MAX_BYTES


def test_the_compose_stack_takes_the_largest_record_and_bulk_request() -> None:
    services = resolved_config()["services"]
    broker = services["kafka"]["environment"]
    assert int(broker["KAFKA_MESSAGE_MAX_BYTES"]) == RECORD_MAX_BYTES
    assert int(broker["KAFKA_REPLICA_FETCH_MAX_BYTES"]) >= RECORD_MAX_BYTES
    content_length = services["elasticsearch"]["environment"]["http.max_content_length"]
    assert content_length.endswith("mb") and int(content_length[:-2]) * 1024 * 1024 >= ES_BULK_MAX_BYTES


def test_the_index_takes_every_mention_an_event_carries() -> None:
    settings = index_template(KabarSettings())["template"]["settings"]
    assert settings["index.mapping.nested_objects.limit"] == ENTITY_MENTIONS_MAX
    assert ES_BULK_MAX_BYTES >= 2 * RECORD_MAX_BYTES  # the sink's estimate of the largest document
