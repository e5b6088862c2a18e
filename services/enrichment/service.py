"""The enrichment worker: raw topic -> ``enrich_record`` -> enriched topic (failures -> DLQ).

A batch's offsets are committed only after every record it produced is acknowledged,
because the stream acks a batch's events only when the loop asks for the next batch.
"""

import asyncio
import time

import faust

from schemas.events import DeadLetter, EnrichedArticle
from services.common.kafka import ensure_topics
from services.common.metrics import BATCH_SIZE, EVENTS, STAGE_SECONDS
from services.common.settings import EnrichmentSettings
from services.common.stream import (
    add_service_pages,
    batches,
    origin_of,
    payload_of,
    run_worker,
    send_dead_letters,
    stream_app,
)
from services.enrichment.transform import enrich_record


def build_app(settings: EnrichmentSettings) -> faust.App:
    app = stream_app(settings, "enrichment", settings.enrichment_group)
    raw = app.topic(settings.topic_raw, value_serializer="raw", key_serializer="raw")
    enriched = app.topic(settings.topic_enriched, value_serializer="raw", key_serializer="raw")
    dlq = app.topic(settings.topic_dlq, value_serializer="raw", key_serializer="raw")

    @app.agent(raw)
    async def enrich_articles(stream: faust.StreamT) -> None:
        async for events in batches(stream, settings):
            started = time.perf_counter()
            results = [enrich_record(payload_of(event), origin_of(event)) for event in events]
            letters = [r for r in results if isinstance(r, DeadLetter)]
            articles = [r for r in results if isinstance(r, EnrichedArticle)]
            futures = [
                await enriched.send(key=a.article_id.encode(), value=a.model_dump_json().encode())
                for a in articles
            ]
            futures += await send_dead_letters(dlq, "enrichment", letters)
            await asyncio.gather(*futures)
            STAGE_SECONDS.labels("enrichment", "enrichment").observe(time.perf_counter() - started)
            BATCH_SIZE.labels("enrichment", "enrichment").observe(len(events))
            EVENTS.labels("enrichment", "enrichment", "ok").inc(len(articles))
            EVENTS.labels("enrichment", "enrichment", "dead_lettered").inc(len(letters))

    add_service_pages(app, "enrichment")
    return app


def main() -> None:
    settings = EnrichmentSettings()
    ensure_topics(settings)
    run_worker(build_app(settings), "enrichment", settings.log_level)
