"""Pure enrichment; the stream stage and ``kabar enrich`` both go through ``enrich``."""

import gc
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import lru_cache

from kabar.schemas.events import EnrichedArticle, EntityMention, RawArticle, TranslationStatus
from kabar.schemas.limits import ENTITY_ID_MAX_CHARS, ENTITY_MENTIONS_MAX, MENTION_MAX_CHARS
from kabar.services.enrichment.entities import Mention, article_entities, extract_entities
from kabar.services.enrichment.language import identify_language
from kabar.services.enrichment.translation import needs_translation


@lru_cache(maxsize=4_096)
def entities_of(body: str, language: str, dateline_place: str | None) -> tuple[Mention, ...]:
    """Cached by text: syndicated copies and re-deliveries of one story cost one extraction."""
    return tuple(article_entities(body, language, dateline_place))


def load_models() -> None:
    """Loads the language detectors, the gazetteer and spaCy's model before the first article,
    then moves them out of the garbage collector's reach: they live as long as the process,
    and every full collection would otherwise walk their millions of objects again (freezing
    them makes the Indonesian and Malay extraction a third faster)."""
    identify_language("Kabar memuat model bahasa sebelum menerima berita pertama.")
    for language in ("id", "ms", "en"):
        extract_entities("Kabar loads its models before the first article from Jakarta.", language)
    gc.collect()
    gc.freeze()


def translation_status(language: str, translation_backend: str) -> TranslationStatus:
    if not needs_translation(language):
        return "not_needed"
    return "no_model" if translation_backend == "none" else "pending"


def enrich(
    article: RawArticle, translation_backend: str = "none", now: datetime | None = None
) -> EnrichedArticle:
    guess = identify_language(f"{article.title}\n{article.body}")
    # text in no language we know still gets the rules: names are capitalised everywhere
    mentions = entities_of(article.body, guess.code if guess.code != "und" else "id", article.dateline_place)
    kept = kept_mentions(mentions)
    return EnrichedArticle(
        **article.model_dump(),
        language=guess.code,
        language_confidence=guess.confidence,
        languages=list(guess.shares),
        entities=[
            EntityMention(
                text=m.text,
                label=m.label,
                start=m.start,
                end=m.end,
                canonical=m.canonical,
                entity_id=m.entity_id,
                origin=m.origin,
            )
            for m in kept
        ],
        entities_dropped=len(mentions) - len(kept),
        translation_status=translation_status(guess.code, translation_backend),
        enriched_at=now or datetime.now(UTC),
    )


def kept_mentions(mentions: Sequence[Mention]) -> Sequence[Mention]:
    """The mentions an event carries: none longer than a name can be, and the first
    ``ENTITY_MENTIONS_MAX`` of them (the index's limit per article); the event counts the
    rest in ``entities_dropped``."""
    fitting = [
        m
        for m in mentions
        if len(m.text) <= MENTION_MAX_CHARS
        and len(m.canonical) <= MENTION_MAX_CHARS
        and len(m.entity_id or "") <= ENTITY_ID_MAX_CHARS
    ]
    return fitting[:ENTITY_MENTIONS_MAX]
