"""Language identification with lingua, restricted to the languages the region publishes in.

Restricting the candidate set is what makes Indonesian vs Malay reliable and keeps the
detector fast and small (see notes/nlp.md); anything else comes out as ``und``.
"""

from dataclasses import dataclass
from functools import lru_cache

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

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
    best = values[0]
    return LanguageGuess(best.language.iso_code_639_1.name.lower(), round(best.value, 4))
