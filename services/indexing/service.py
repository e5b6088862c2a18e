"""The indexing worker: enriched and translations topics -> guarded bulk upserts -> Elasticsearch.

Wiring only: the batch loop, dead letters and acknowledgements are the shared runtime's;
a batch's offsets are committed only after its bulk response and its dead letters' acks.
"""

import asyncio
import logging
from functools import partial
from typing import Any

import faust
from mode.types.signals import BaseSignalT

from kabar.schemas.events import ArticleTranslation, EnrichedArticle
from kabar.services.common.kafka import ensure_topics
from kabar.services.common.retry import Backoff
from kabar.services.common.runtime import StageRunner, StreamStage, dead_letter_sink, raw_topic
from kabar.services.common.settings import IndexingSettings
from kabar.services.common.stream import add_service_pages, run_worker, stream_app, watch_lag
from kabar.services.indexing.bulk import ElasticsearchSink
from kabar.services.indexing.index_design import async_client, install_with_sync_client
from kabar.services.indexing.transform import document_action

log = logging.getLogger(__name__)


def build_app(settings: IndexingSettings) -> faust.App:
    app = stream_app(settings, "indexing", settings.indexing_group)
    es = async_client(settings)
    backoff = Backoff(settings.bulk_backoff_s, settings.bulk_backoff_max_s)
    sink = ElasticsearchSink(es, backoff)
    dead_letters = dead_letter_sink(app, settings, "indexing")

    def runner(label: str, kind: type[EnrichedArticle] | type[ArticleTranslation]) -> StageRunner[Any, Any]:
        """Both topics become guarded upserts into the same index, counted apart."""
        transform = partial(document_action, settings.es_index_prefix)
        stage = StreamStage[Any, dict[str, Any]](
            service="indexing", stage="indexing", label=label, input_model=kind, transform=transform
        )
        return StageRunner(app, stage, sink, dead_letters, settings)

    articles, translation_updates = (
        runner("indexing", EnrichedArticle),
        runner("translation_update", ArticleTranslation),
    )
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

    @app.on_before_shutdown.connect
    async def close_client(sender: Any, /, *args: Any, signal: BaseSignalT[Any], **kwargs: Any) -> None:
        await es.close()

    @app.agent(raw_topic(app, settings.topic_enriched))
    async def index_articles(stream: faust.StreamT) -> None:
        await template_installed.wait()
        await articles.run(stream)

    @app.agent(raw_topic(app, settings.topic_translations))
    async def index_translations(stream: faust.StreamT) -> None:
        await template_installed.wait()
        await translation_updates.run(stream)

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
