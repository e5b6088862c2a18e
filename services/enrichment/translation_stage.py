"""The translation stage: enriched articles marked ``pending`` -> English -> translations topic.

Its own Faust app and consumer group, off the critical path: search has the article as
soon as indexing has it, and a translation backlog here delays nothing but translations.
It scales like any consumer group (more partitions, more replicas) and runs its model on
cpu or cuda by a setting. Translating is CPU-bound, so it runs in a worker thread, which
keeps the event loop free for heartbeats and health checks.
"""

import time
from datetime import UTC, datetime
from functools import partial

import faust

from kabar.schemas.events import ArticleTranslation, EnrichedArticle
from kabar.schemas.limits import ARTICLE_MAX_CHARS, TITLE_MAX_CHARS, TRANSLATION_GROWTH
from kabar.services.common.kafka import ensure_topics
from kabar.services.common.metrics import TRANSLATION_SECONDS, TRANSLATIONS
from kabar.services.common.runtime import StreamStage, raw_topic, topic_runner
from kabar.services.common.settings import TranslationSettings
from kabar.services.common.stream import add_service_pages, run_worker, stream_app, watch_lag
from kabar.services.enrichment.translation import (
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
    if (
        len(title) > TRANSLATION_GROWTH * TITLE_MAX_CHARS
        or len(body) > TRANSLATION_GROWTH * ARTICLE_MAX_CHARS
    ):
        # a model that runs on and on (a repetition loop) has not translated the article
        error = f"the translation runs past {TRANSLATION_GROWTH} times the longest article"
        return ArticleTranslation(**common, status="failed", error=error, translated_at=datetime.now(UTC))
    return ArticleTranslation(
        **common, status="translated", title_en=title, body_en=body, translated_at=datetime.now(UTC)
    )


def translation_of(
    translator: Translator | None, batch_sentences: int, article: EnrichedArticle
) -> ArticleTranslation | None:
    """The stage's transform: an article waiting for English gets it (or a ``failed``
    record); any other article, or no translator, has nothing to write."""
    if article.translation_status != "pending" or translator is None:
        TRANSLATIONS.labels("translation", "skipped").inc()
        return None
    started = time.perf_counter()
    result = translate_article(translator, article, batch_sentences)
    TRANSLATION_SECONDS.labels("translation", translator.name).observe(time.perf_counter() - started)
    TRANSLATIONS.labels("translation", result.status).inc()
    return result


def encode_translation(translation: ArticleTranslation) -> tuple[bytes, bytes]:
    return translation.article_id.encode(), translation.model_dump_json().encode()


def build_app(settings: TranslationSettings) -> faust.App:
    app = stream_app(settings, "translation", settings.translation_group)
    translate = partial(translation_of, build_translator(settings), settings.translation_max_batch_sentences)
    stage = StreamStage[EnrichedArticle, ArticleTranslation](
        service="translation",
        stage="translation",
        label="translation",
        input_model=EnrichedArticle,
        transform=translate,
    )
    runner = topic_runner(app, settings, stage, settings.topic_translations, encode_translation)

    @app.agent(raw_topic(app, settings.topic_enriched))
    async def translate_articles(stream: faust.StreamT) -> None:
        await runner.run(stream)

    add_service_pages(app, "translation")
    watch_lag(app, settings, "translation", [settings.topic_enriched])
    return app


def main() -> None:
    settings = TranslationSettings()
    ensure_topics(settings)
    run_worker(build_app(settings), "translation", settings.log_level)
