"""Versioned pydantic models for every event that crosses a topic.

Consumers in other languages read the exported JSON Schema files next to this module,
so a field change here is a contract change: bump ``schema_version`` when it breaks
readers.
"""

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    HttpUrl,
    StringConstraints,
)

ArticleId = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]
# pattern: the JSON Schema says what strip-then-min-length means, "not only white space"
NonBlank = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, pattern=r"\S")]
LanguageCode = Annotated[str, StringConstraints(pattern=r"^([a-z]{2}|und)$")]
# an article travels with its original and its cleaned text: 200k characters each keep an
# event inside Kafka's default 1 MB record limit; a longer one is not an article
ARTICLE_MAX_CHARS = 200_000
ArticleText = Annotated[str, StringConstraints(max_length=ARTICLE_MAX_CHARS)]
# English runs longer than the Indonesian or Malay it comes from, never twice as long
TranslatedText = Annotated[str, StringConstraints(max_length=2 * ARTICLE_MAX_CHARS)]


def _as_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def _not_a_number(value: object) -> object:
    # pydantic would read 836093678 as Unix seconds; a feed's bare number is as likely
    # milliseconds or a date id, and the contract says ISO 8601 with an offset
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError("expected an ISO 8601 date-time with a UTC offset, not a number")
    return value


UtcDatetime = Annotated[AwareDatetime, BeforeValidator(_not_a_number), AfterValidator(_as_utc)]


class _Event(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ArticleIn(_Event):
    """An article as a source submits it: the input of the ingestion stage."""

    source: Annotated[NonBlank, StringConstraints(max_length=200)] = Field(
        description="Publisher, e.g. a site's domain such as bisnis.com"
    )
    url: HttpUrl | None = Field(default=None, description="Where the article was published")
    title: Annotated[NonBlank, StringConstraints(max_length=1_000)]
    body: NonBlank
    published_at: UtcDatetime | None = Field(default=None, description="Publication time with a UTC offset")
    language_hint: LanguageCode | None = Field(
        default=None, description="The language the source claims, ISO 639-1"
    )
    region: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")] | None = Field(
        default=None, description="ISO 3166-1 alpha-2 country of the publisher"
    )


class RawArticle(_Event):
    """A validated article with its deterministic id, as written to the raw topic.

    ``body`` is the cleaned text (no markup, boilerplate or dateline) that every later
    stage reads; ``body_original`` keeps what the source sent.
    """

    schema_version: Literal[1] = 1
    article_id: ArticleId
    source: str
    url: str | None = None
    title: str
    body: ArticleText
    body_original: ArticleText | None = None
    dateline_place: str | None = Field(default=None, description="Place named by the dateline")
    publisher: str | None = Field(default=None, description="Publisher named by the dateline")
    content_hash: str = Field(default="", description="sha256 of the normalised title and body")
    fingerprint: str = Field(default="", description="256-bit simhash of the body, hex, for near-duplicates")
    published_at: UtcDatetime | None = None
    language_hint: LanguageCode | None = None
    region: str | None = None
    ingested_at: UtcDatetime


EntityLabel = Literal["PER", "ORG", "LOC"]
TranslationStatus = Literal["pending", "translated", "not_needed", "no_model", "failed"]


class EntityMention(_Event):
    """A person, organisation or place named in the cleaned body."""

    text: str
    label: EntityLabel
    start: int = Field(ge=0, description="Character offset into the cleaned body")
    end: int = Field(ge=0)
    canonical: str = Field(description="Canonical English name, e.g. Syria for Suriah")
    entity_id: str | None = Field(default=None, description="Stable gazetteer id where the entity is known")


class LanguageShare(_Event):
    """One language of an article and its share of the paragraphs' characters."""

    code: LanguageCode
    share: float = Field(ge=0.0, le=1.0)


class EnrichedArticle(RawArticle):
    """A raw article plus what enrichment found out about it."""

    language: LanguageCode = Field(description="Detected language, ISO 639-1, or 'und'")
    language_confidence: float = Field(ge=0.0, le=1.0)
    languages: list[LanguageShare] = Field(
        default_factory=list,
        description="Languages of the paragraphs by share, the detected one first; two or more "
        "mean a mixed article, e.g. Indonesian with English quotes",
    )
    entities: list[EntityMention] = Field(default_factory=list)
    duplicate_of: ArticleId | None = Field(
        default=None, description="The first copy seen of the same story from another source"
    )
    translation_status: TranslationStatus = "not_needed"
    enriched_at: UtcDatetime


class ArticleTranslation(_Event):
    """The English translation of an article, a partial update that follows its enrichment."""

    schema_version: Literal[1] = 1
    article_id: ArticleId
    source_language: LanguageCode
    status: Literal["translated", "failed"]
    title_en: str | None = None
    body_en: TranslatedText | None = None
    error: str | None = None
    model: str = Field(description="Which backend and model translated it")
    published_at: UtcDatetime | None = Field(
        default=None, description="Routes the update to the article's index"
    )
    ingested_at: UtcDatetime
    enriched_at: UtcDatetime = Field(description="The enrichment this translation belongs to")
    translated_at: UtcDatetime


class DeadLetter(_Event):
    """What a stage could not process, with enough context to fix and replay it."""

    model_config = ConfigDict(ser_json_bytes="base64", val_json_bytes="base64")

    schema_version: Literal[1] = 1
    stage: Literal["ingestion", "enrichment", "translation", "indexing"]
    error_type: str = Field(description="Stable machine-readable reason, e.g. invalid_json")
    error_message: str
    origin: str = Field(description="Where the payload came from: topic[partition]@offset or file:line")
    source_topic: str | None = None
    source_partition: int | None = None
    source_offset: int | None = None
    article_id: ArticleId | None = None
    payload: bytes = Field(description="The original bytes, base64url-encoded in JSON")
    payload_size: int | None = Field(default=None, description="Original size, when payload was cut short")
    failed_at: UtcDatetime
