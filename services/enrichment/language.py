"""Language identification with lingua, restricted to the languages the region publishes in.

Restricting the candidate set is what makes Indonesian vs Malay reliable and keeps the
detector fast and small (see notes/nlp.md); anything else comes out as ``und``.
"""

from dataclasses import dataclass
from functools import lru_cache

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

from schemas.events import LanguageShare

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
# Indonesian and Malay share most of their words: a paragraph of one in an article of the
# other is the detector's doubt, not a second language
SIBLINGS = frozenset({"id", "ms"})


@dataclass(frozen=True)
class LanguageGuess:
    code: str
    confidence: float


@lru_cache(maxsize=1)
def detector() -> LanguageDetector:
    """Built once per process: loading the models is the expensive part."""
    return LanguageDetectorBuilder.from_languages(*CANDIDATES).with_preloaded_language_models().build()


def identify_language(text: str) -> LanguageGuess:
    """ISO 639-1 code and confidence; ``und`` when no candidate is convincing."""
    sample = text[:SAMPLE_CHARS]
    values = detector().compute_language_confidence_values(sample) if sample.strip() else []
    if not values or values[0].value < MIN_CONFIDENCE:
        return LanguageGuess("und", round(values[0].value, 4) if values else 0.0)
    return LanguageGuess(_code(values[0].language), round(values[0].value, 4))


@lru_cache(maxsize=1)
def paragraph_detector() -> LanguageDetector:
    """Trigrams only: several times faster, and sure enough on a paragraph of prose."""
    return (
        LanguageDetectorBuilder.from_languages(*CANDIDATES)
        .with_preloaded_language_models()
        .with_low_accuracy_mode()
        .build()
    )


def _code(language: Language | None) -> str:
    return language.iso_code_639_1.name.lower() if language is not None else "und"


def language_mix(text: str, dominant: str) -> list[LanguageShare]:
    """The languages of an article's paragraphs by share of characters, the dominant first.

    An Indonesian or Malay article often quotes English at length; a second language shows
    up here with its share, while ``identify_language`` names the dominant one.
    """
    chars: dict[str, int] = {}
    for paragraph in text[:SAMPLE_CHARS].split("\n"):
        if len(paragraph.strip()) < MIN_PARAGRAPH_CHARS:
            continue
        code = _code(paragraph_detector().detect_language_of(paragraph))
        if code in SIBLINGS and dominant in SIBLINGS:
            code = dominant
        chars[code] = chars.get(code, 0) + len(paragraph)
    total = sum(chars.values())
    if not total:
        return [LanguageShare(code=dominant, share=1.0)]
    shares = [LanguageShare(code=code, share=round(n / total, 3)) for code, n in chars.items()]
    return sorted(shares, key=lambda s: (s.code != dominant, -s.share))
