"""The translation stage: enriched articles marked ``pending`` -> English -> translations topic.

Its own Faust app and consumer group, off the critical path: search has the article as
soon as indexing has it, and a translation backlog here delays nothing but translations.
It scales like any consumer group (more partitions, more replicas) and runs its model on
cpu or cuda by a setting. Translating is CPU-bound, so it runs in a worker thread, which
keeps the event loop free for heartbeats and health checks.
"""

import asyncio
import time
from collections.abc import Sequence
from datetime import UTC, datetime

import faust

from schemas.events import ArticleTranslation, DeadLetter, EnrichedArticle
from services.common.codec import decode_event
from services.common.dlq import Failure, dead_letter
from services.common.kafka import ensure_topics
from services.common.metrics import BACKLOG, BATCH_SIZE, STAGE_SECONDS, TRANSLATION_SECONDS, TRANSLATIONS
from services.common.settings import TranslationSettings
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
from services.enrichment.translation import (
    CachedTranslator,
    CTranslate2Translator,
    LibreTranslateTranslator,
    TranslationError,
    Translator,
    translate_text,
)


def build_translator(settings: TranslationSettings) -> Translator | None:
    """The configured backend behind a cache, or None when no translation is configured."""
    if settings.translation_backend == "ctranslate2":
        if settings.translation_model_dir is None:
            raise ValueError("KABAR_TRANSLATION_MODEL_DIR is required with the ctranslate2 backend")
        return CachedTranslator(
            CTranslate2Translator(
                settings.translation_model_dir,
                device=settings.translation_device,
                compute_type=settings.translation_compute_type,
                beam_size=settings.translation_beam_size,
                family=settings.translation_model_family,
            )
        )
    if settings.translation_backend == "libretranslate":
        if not settings.translation_url:
            raise ValueError("KABAR_TRANSLATION_URL is required with the libretranslate backend")
        return CachedTranslator(
            LibreTranslateTranslator(
                settings.translation_url,
                settings.translation_api_key,
                timeout_s=settings.translation_timeout_s,
            )
        )
    return None


def translate_article(
    translator: Translator, article: EnrichedArticle, batch_sentences: int
) -> ArticleTranslation:
    """Title and body in English, or a ``failed`` record with the reason: never a guess."""
    common = {
        "article_id": article.article_id,
        "source_language": article.language,
        "model": translator.name,
        "published_at": article.published_at,
        "ingested_at": article.ingested_at,
        "enriched_at": article.enriched_at,
    }
    try:
        title = translate_text(translator, article.title, article.language, batch_size=batch_sentences)
        body = translate_text(translator, article.body, article.language, batch_size=batch_sentences)
    except TranslationError as exc:
        return ArticleTranslation(
            **common, status="failed", error=str(exc)[:500], translated_at=datetime.now(UTC)
        )
    return ArticleTranslation(
        **common, status="translated", title_en=title, body_en=body, translated_at=datetime.now(UTC)
    )


def build_app(settings: TranslationSettings) -> faust.App:
    app = stream_app(settings, "translation", settings.translation_group)
    enriched = app.topic(settings.topic_enriched, value_serializer="raw", key_serializer="raw")
    translations = app.topic(settings.topic_translations, value_serializer="raw", key_serializer="raw")
    dlq = app.topic(settings.topic_dlq, value_serializer="raw", key_serializer="raw")
    translator = build_translator(settings)
    name = translator.name if translator else "none"

    @app.agent(enriched)
    async def translate_articles(stream: faust.StreamT) -> None:
        async for events in batches(stream, settings):
            started = time.perf_counter()
            letters: list[DeadLetter] = []
            futures = []
            for event in events:
                payload = payload_of(event)
                article = decode_event(payload, EnrichedArticle)
                if isinstance(article, Failure):
                    letters.append(dead_letter("translation", article, origin_of(event), payload))
                    continue
                if article.translation_status != "pending" or translator is None:
                    TRANSLATIONS.labels("translation", "skipped").inc()
                    continue
                translating = time.perf_counter()
                result = await asyncio.to_thread(
                    translate_article, translator, article, settings.translation_max_batch_sentences
                )
                TRANSLATION_SECONDS.labels("translation", name).observe(time.perf_counter() - translating)
                TRANSLATIONS.labels("translation", result.status).inc()
                futures.append(
                    await translations.send(
                        key=article.article_id.encode(), value=result.model_dump_json().encode()
                    )
                )
            futures += await send_dead_letters(dlq, "translation", letters)
            await asyncio.gather(*futures)
            report_backlog(app, events)
            STAGE_SECONDS.labels("translation", "translation").observe(time.perf_counter() - started)
            BATCH_SIZE.labels("translation", "translation").observe(len(events))

    add_service_pages(app, "translation")
    watch_lag(app, settings, "translation", [settings.topic_enriched])
    return app


def report_backlog(app: faust.App, events: Sequence[faust.EventT]) -> None:
    """Records between the last one processed and the end of each partition just served."""
    last: dict[tuple[str, int], int] = {}
    for event in events:
        last[(event.message.topic, event.message.partition)] = event.message.offset
    backlog: dict[str, int] = {}
    for (topic, partition), offset in last.items():
        highwater = app.consumer.highwater(faust.types.TP(topic, partition))
        backlog[topic] = backlog.get(topic, 0) + max(highwater - offset - 1, 0)
    for topic, count in backlog.items():
        BACKLOG.labels("translation", topic).set(count)


def main() -> None:
    settings = TranslationSettings()
    ensure_topics(settings)
    run_worker(build_app(settings), "translation", settings.log_level)
