"""The indexing worker: enriched topic -> bulk upserts by article id -> Elasticsearch.

Offsets of a batch are committed only after its bulk response (and its dead letters'
acks), because the stream acks a batch only when the loop asks for the next one.
"""

import asyncio
import logging
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import faust
from mode.types.signals import BaseSignalT

from schemas.events import ArticleTranslation, EnrichedArticle
from services.common.kafka import ensure_topics
from services.common.metrics import BATCH_SIZE, END_TO_END_SECONDS, EVENTS, STAGE_SECONDS
from services.common.retry import Backoff
from services.common.settings import IndexingSettings
from services.common.stream import (
    add_service_pages,
    batches,
    origin_of,
    payload_of,
    run_worker,
    send_dead_letters,
    stream_app,
    watch_lag,
)
from services.indexing.bulk import write_bulk
from services.indexing.index_design import async_client, install_with_sync_client
from services.indexing.transform import Event, Record, plan_batch, rejection_letters

log = logging.getLogger(__name__)


def build_app(settings: IndexingSettings) -> faust.App:
    app = stream_app(settings, "indexing", settings.indexing_group)
    enriched = app.topic(settings.topic_enriched, value_serializer="raw", key_serializer="raw")
    translations = app.topic(settings.topic_translations, value_serializer="raw", key_serializer="raw")
    dlq = app.topic(settings.topic_dlq, value_serializer="raw", key_serializer="raw")
    es = async_client(settings)
    backoff = Backoff(settings.bulk_backoff_s, settings.bulk_backoff_max_s)
    template_installed = asyncio.Event()

    @app.task
    async def install_template() -> None:
        attempt = 0
        while True:
            try:
                # the sync helpers, off the event loop: one code path for kabar up and the service
                await asyncio.to_thread(install_with_sync_client, settings)
                template_installed.set()
                return
            except Exception as exc:
                log.warning("index template not installed yet: %s", exc)
                await asyncio.sleep(backoff.delay(attempt))
                attempt += 1

    async def index_batch(events: Sequence[faust.EventT], kind: type[Event], stage: str) -> None:
        """One batch of either topic: bulk upserts, then dead letters, then the offsets move."""
        started = time.perf_counter()
        records = [Record(payload_of(event), origin_of(event)) for event in events]
        planned = plan_batch(records, kind, settings.es_index_prefix, datetime.now(UTC))
        report = await write_bulk(es, planned.actions, backoff)
        letters = planned.letters + rejection_letters(planned, report.rejected)
        await asyncio.gather(*await send_dead_letters(dlq, "indexing", letters))
        acknowledged = datetime.now(UTC)
        rejected_positions = {item.position for item in report.rejected}
        if kind is EnrichedArticle:
            for position, event in enumerate(planned.events):
                if position not in rejected_positions:
                    END_TO_END_SECONDS.labels("indexing").observe(
                        (acknowledged - event.ingested_at).total_seconds()
                    )
        STAGE_SECONDS.labels("indexing", stage).observe(time.perf_counter() - started)
        BATCH_SIZE.labels("indexing", stage).observe(len(events))
        EVENTS.labels("indexing", stage, "ok").inc(report.indexed)
        EVENTS.labels("indexing", stage, "dead_lettered").inc(len(letters))

    @app.on_before_shutdown.connect
    async def close_client(sender: Any, /, *args: Any, signal: BaseSignalT[Any], **kwargs: Any) -> None:
        await es.close()

    @app.agent(enriched)
    async def index_articles(stream: faust.StreamT) -> None:
        await template_installed.wait()
        async for events in batches(stream, settings):
            await index_batch(events, EnrichedArticle, "indexing")

    @app.agent(translations)
    async def index_translations(stream: faust.StreamT) -> None:
        await template_installed.wait()
        async for events in batches(stream, settings):
            await index_batch(events, ArticleTranslation, "translation_update")

    async def elasticsearch_ready() -> str | None:
        if not template_installed.is_set():
            return "index template not installed"
        return None if await es.ping() else "elasticsearch unreachable"

    add_service_pages(app, "indexing", elasticsearch_ready)
    watch_lag(app, settings, "indexing", [settings.topic_enriched, settings.topic_translations])
    return app


def main() -> None:
    settings = IndexingSettings()
    ensure_topics(settings)
    run_worker(build_app(settings), "indexing", settings.log_level)
