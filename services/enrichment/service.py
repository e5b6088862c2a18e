"""The enrichment worker: raw topic -> ``enrich`` -> near-duplicate marking -> enriched topic.

Wiring only: the batch loop, dead letters and acknowledgements are the shared runtime's.
The near-duplicate index is a global Faust table (every replica sees every entry, rebuilt
from its changelog after a restart), so marking runs on the event loop, after ``enrich``.
"""

from datetime import UTC, datetime, timedelta
from functools import partial
from typing import cast

import faust
from faust.types import EventT

from kabar.schemas.events import EnrichedArticle, RawArticle
from kabar.services.common.kafka import ensure_topics
from kabar.services.common.runtime import StreamStage, raw_topic, topic_runner
from kabar.services.common.settings import EnrichmentSettings
from kabar.services.common.stream import (
    IdempotentProducer,
    add_service_pages,
    run_worker,
    stream_app,
    watch_lag,
)
from kabar.services.enrichment.duplicates import Seen, band_keys, file_entry, first_copy, probe_keys
from kabar.services.enrichment.transform import enrich, load_models


class DuplicateIndex:
    """Fingerprints in a global table, which survives restarts and rebalances, and the
    band index that finds candidates among them, kept in memory and filled from the same
    entries: from this replica's own filings and from every changelog record the table
    reads (other replicas' filings, and all of them again after a restart). Filing an
    article costs one changelog record, not one more per band."""

    def __init__(self, app: faust.App, settings: EnrichmentSettings) -> None:
        self.window = timedelta(hours=settings.duplicate_window_hours)
        self.max_distance = settings.duplicate_max_distance
        self.bands: dict[int, dict[str, Seen]] = {}
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
            self._file_bands(Seen.decode(event.key, event.value))

    async def ready(self, producer: IdempotentProducer) -> None:
        """Before the first article is filed: seen when the stack had just started and the
        first batch came at once, every article of it failed to file and was dead-lettered."""
        await producer.partitions_known(self.fingerprints.changelog_topic.get_topic_name())

    def _file_bands(self, entry: Seen) -> None:
        for key in band_keys(entry.fingerprint):
            file_entry(self.bands.setdefault(key, {}), entry)

    def mark(self, article: EnrichedArticle) -> EnrichedArticle:
        """Sets ``duplicate_of`` when a close copy was seen first, and files this article."""
        if not article.fingerprint:
            return article
        now = datetime.now(UTC)
        candidates = {
            seen.article_id: seen
            for key in probe_keys(article.fingerprint)
            for seen in self.bands.get(key, {}).values()
        }
        original = first_copy(
            article.article_id,
            article.fingerprint,
            list(candidates.values()),
            now,
            self.window,
            self.max_distance,
        )
        if article.article_id not in self.fingerprints:
            entry = Seen(article.article_id, article.fingerprint, original or article.article_id, now)
            self.fingerprints[article.article_id] = entry.encode()
            self._file_bands(entry)
        return article.model_copy(update={"duplicate_of": original}) if original else article


def encode_article(article: EnrichedArticle) -> tuple[bytes, bytes]:
    return article.article_id.encode(), article.model_dump_json().encode()


def build_app(settings: EnrichmentSettings) -> faust.App:
    app = stream_app(settings, "enrichment", settings.enrichment_group)
    duplicates = DuplicateIndex(app, settings)
    stage = StreamStage[RawArticle, EnrichedArticle](
        service="enrichment",
        stage="enrichment",
        label="enrichment",
        input_model=RawArticle,
        transform=partial(enrich, translation_backend=settings.translation_backend),
        settle=duplicates.mark,
        processes=settings.extraction_processes,
        prepare=load_models,
    )
    runner = topic_runner(app, settings, stage, settings.topic_enriched, encode_article)

    @app.agent(raw_topic(app, settings.topic_raw))
    async def enrich_articles(stream: faust.StreamT) -> None:
        await duplicates.ready(cast(IdempotentProducer, app.producer))
        await runner.run(stream)

    add_service_pages(app, "enrichment")
    watch_lag(app, settings, "enrichment", [settings.topic_raw])
    return app


def main() -> None:
    settings = EnrichmentSettings()
    ensure_topics(settings)
    if not settings.extraction_processes:
        load_models()
    run_worker(build_app(settings), "enrichment", settings.log_level)
