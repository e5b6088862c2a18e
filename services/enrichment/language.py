"""Language identification with lingua, restricted to the languages the region publishes in.

Restricting the candidate set is what makes Indonesian vs Malay reliable and keeps the
detector fast and small (see notes/nlp.md); anything else comes out as ``und``.
"""

from dataclasses import dataclass
from functools import lru_cache

from lingua import ConfidenceValue, Language, LanguageDetector, LanguageDetectorBuilder

from kabar.schemas.events import LanguageShare

CANDIDATES = (
    Language.INDONESIAN,
    Language.MALAY,
    Language.ENGLISH,
    Language.TAGALOG,
    Language.VIETNAMESE,
    Language.THAI,
    Language.CHINESE,
    Language.JAPANESE,
    Language.KOREAN,
    Language.ARABIC,
    Language.DUTCH,
)
SAMPLE_CHARS = 2_000
MIN_CONFIDENCE = 0.5
# a paragraph shorter than this says too little about its language to count
MIN_PARAGRAPH_CHARS = 40
# the vote is settled when one language holds this share of the weight of at least this much text
SETTLED_SHARE = 0.95
SETTLED_AFTER_CHARS = 600
SIBLINGS = frozenset({"id", "ms"})


@dataclass(frozen=True)
class LanguageGuess:
    code: str
    confidence: float
    shares: tuple[LanguageShare, ...]


@lru_cache(maxsize=1)
def detector() -> LanguageDetector:
    """Built once per process: loading the models is the expensive part."""
    return LanguageDetectorBuilder.from_languages(*CANDIDATES).with_preloaded_language_models().build()


@lru_cache(maxsize=1)
def paragraph_detector() -> LanguageDetector:
    """Trigrams only: several times faster on short text, and on text over 120 characters
    exactly what the full detector does anyway."""
    return (
        LanguageDetectorBuilder.from_languages(*CANDIDATES)
        .with_preloaded_language_models()
        .with_low_accuracy_mode()
        .build()
    )


def _code(language: Language) -> str:
    return language.iso_code_639_1.name.lower()


def identify_language(text: str) -> LanguageGuess:
    """The language most of the text is written in, with its confidence (``und`` when no
    candidate convinces), and the share of characters each language has among the
    paragraphs judged, the dominant first.

    Each paragraph is judged once and the article's language is the character-weighted
    vote of its paragraphs, so one detector pass answers both questions. An Indonesian or
    Malay article often quotes English at length: the shares show it, and the vote keeps
    a long quote from outvoting the article. Judging stops once the vote is settled (a
    language holds nearly all the weight of enough text); an article that is in doubt,
    Indonesian against Malay or quoting another language, is read up to ``SAMPLE_CHARS``.
    Text without a paragraph long enough to judge on its own (a headline, a caption) is
    judged whole with every n-gram order.
    """
    sample = text[:SAMPLE_CHARS]
    paragraphs = [p for p in sample.split("\n") if len(p.strip()) >= MIN_PARAGRAPH_CHARS]
    if not paragraphs and sample.strip():
        values = detector().compute_language_confidence_values(sample)
        judged = [(values, len(sample))] if values else []
    else:
        judged = _judge_until_settled(paragraphs)
    if not judged:
        return LanguageGuess("und", 0.0, (LanguageShare(code="und", share=1.0),))
    weighted = _weights(judged)
    best = max(weighted, key=weighted.__getitem__)
    confidence = round(weighted[best] / sum(length for _, length in judged), 4)
    code = _code(best) if confidence >= MIN_CONFIDENCE else "und"
    paragraph_languages = [(values[0].language, length) for values, length in judged] if paragraphs else []
    return LanguageGuess(code, confidence, _shares(paragraph_languages, code))


Judged = list[tuple[list[ConfidenceValue], int]]


def _judge_until_settled(paragraphs: list[str]) -> Judged:
    judged: Judged = []
    for paragraph in paragraphs:
        values = paragraph_detector().compute_language_confidence_values(paragraph)
        if values:
            judged.append((values, len(paragraph)))
        if _settled(judged):
            break
    return judged


def _settled(judged: Judged) -> bool:
    chars = sum(length for _, length in judged)
    return chars >= SETTLED_AFTER_CHARS and max(_weights(judged).values()) >= SETTLED_SHARE * chars


def _weights(judged: Judged) -> dict[Language, float]:
    weighted: dict[Language, float] = {}
    for values, length in judged:
        for value in values:
            weighted[value.language] = weighted.get(value.language, 0.0) + value.value * length
    return weighted


def _shares(paragraph_languages: list[tuple[Language, int]], dominant: str) -> tuple[LanguageShare, ...]:
    chars: dict[str, int] = {}
    for language, length in paragraph_languages:
        code = _code(language)
        # Indonesian and Malay share most of their words: a paragraph of one in an article
        # of the other is the detector's doubt, not a second language
        if code in SIBLINGS and dominant in SIBLINGS:
            code = dominant
        chars[code] = chars.get(code, 0) + length
    total = sum(chars.values())
    if not total:
        return (LanguageShare(code=dominant, share=1.0),)
    shares = [LanguageShare(code=code, share=round(n / total, 3)) for code, n in chars.items()]
    return tuple(sorted(shares, key=lambda s: (s.code != dominant, -s.share)))
