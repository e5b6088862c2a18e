"""The enrichment worker: raw topic -> ``enrich_record`` -> near-duplicate marking ->
enriched topic (failures -> DLQ).

A batch's offsets are committed only after every record it produced is acknowledged,
because the stream acks a batch's events only when the loop asks for the next batch.
The near-duplicate index is a global Faust table (every replica sees every entry, rebuilt
from its changelog after a restart).
"""

import asyncio
import time
from datetime import UTC, datetime, timedelta

import faust
from faust.types import EventT

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
    watch_lag,
)
from services.enrichment.duplicates import Seen, band_keys, filed, first_copy, probe_keys
from services.enrichment.transform import enrich_record, load_models


class DuplicateIndex:
    """Fingerprints in a global table, which survives restarts and rebalances, and the
    band index that finds candidates among them, kept in memory and filled from the same
    entries: from this replica's own filings and from every changelog record the table
    reads (other replicas' filings, and all of them again after a restart). Filing an
    article costs one changelog record, not one more per band."""

    def __init__(self, app: faust.App, settings: EnrichmentSettings) -> None:
        self.window = timedelta(hours=settings.duplicate_window_hours)
        self.max_distance = settings.duplicate_max_distance
        self.bands: dict[int, list[str]] = {}
        # use_partitioner: changelog partitions follow the key, so any replica may write any key
        self.fingerprints = app.GlobalTable(
            f"{settings.enrichment_group}-fingerprints",
            default=str,
            partitions=settings.topic_partitions,
            use_partitioner=True,
            on_changelog_event=self._file_changelog_event,
        )

    async def _file_changelog_event(self, event: EventT) -> None:
        if isinstance(event.key, str) and isinstance(event.value, str) and event.value:
            self._file_bands(event.key, Seen.decode(event.key, event.value).fingerprint)

    def _file_bands(self, article_id: str, fingerprint: str) -> None:
        for key in band_keys(fingerprint):
            self.bands[key] = filed(self.bands.get(key, []), article_id)

    def mark(self, article: EnrichedArticle, now: datetime) -> EnrichedArticle:
        """Sets ``duplicate_of`` when a close copy was seen first, and files this article."""
        if not article.fingerprint:
            return article
        candidate_ids = {
            known for key in probe_keys(article.fingerprint) for known in self.bands.get(key, [])
        }
        candidates = [
            Seen.decode(known, self.fingerprints[known])
            for known in candidate_ids
            if self.fingerprints.get(known)
        ]
        original = first_copy(
            article.article_id, article.fingerprint, candidates, now, self.window, self.max_distance
        )
        if article.article_id not in self.fingerprints:
            self.fingerprints[article.article_id] = Seen(
                article.article_id, article.fingerprint, original or article.article_id, now
            ).encode()
            self._file_bands(article.article_id, article.fingerprint)
        return article.model_copy(update={"duplicate_of": original}) if original else article


def build_app(settings: EnrichmentSettings) -> faust.App:
    app = stream_app(settings, "enrichment", settings.enrichment_group)
    raw = app.topic(settings.topic_raw, value_serializer="raw", key_serializer="raw")
    enriched = app.topic(settings.topic_enriched, value_serializer="raw", key_serializer="raw")
    dlq = app.topic(settings.topic_dlq, value_serializer="raw", key_serializer="raw")
    duplicates = DuplicateIndex(app, settings)

    @app.agent(raw)
    async def enrich_articles(stream: faust.StreamT) -> None:
        async for events in batches(stream, settings):
            started = time.perf_counter()
            results = [
                enrich_record(payload_of(e), origin_of(e), settings.translation_backend) for e in events
            ]
            letters = [r for r in results if isinstance(r, DeadLetter)]
            now = datetime.now(UTC)
            articles = [duplicates.mark(r, now) for r in results if isinstance(r, EnrichedArticle)]
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
    watch_lag(app, settings, "enrichment", [settings.topic_raw])
    return app


def main() -> None:
    settings = EnrichmentSettings()
    ensure_topics(settings)
    load_models()
    run_worker(build_app(settings), "enrichment", settings.log_level)
