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

from kabar.schemas.limits import (
    ARTICLE_MAX_CHARS,
    DEAD_LETTER_PAYLOAD_MAX_BYTES,
    ENTITY_ID_MAX_CHARS,
    ENTITY_MENTIONS_MAX,
    ERROR_MESSAGE_MAX_CHARS,
    MENTION_MAX_CHARS,
    NAME_MAX_CHARS,
    TITLE_MAX_CHARS,
    TRANSLATION_GROWTH,
    URL_MAX_CHARS,
)

ArticleId = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]
# pattern: the JSON Schema says what cleaning, stripping and min_length mean together: at
# least one character that is neither white space nor a control character
NonBlank = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, pattern=r"[^\s\x00-\x1f\x7f-\x9f]")
]
LanguageCode = Annotated[str, StringConstraints(pattern=r"^([a-z]{2}|und)$")]
ArticleText = Annotated[str, StringConstraints(max_length=ARTICLE_MAX_CHARS)]
TranslatedText = Annotated[str, StringConstraints(max_length=TRANSLATION_GROWTH * ARTICLE_MAX_CHARS)]
Title = Annotated[str, StringConstraints(max_length=TITLE_MAX_CHARS)]
Name = Annotated[str, StringConstraints(max_length=NAME_MAX_CHARS)]
Url = Annotated[str, StringConstraints(max_length=URL_MAX_CHARS)]
# Publication times outside these are a feed's error, and the far ends (year 1, year 9999
# with an offset) are not even representable in UTC.
EARLIEST_MOMENT = datetime(1900, 1, 1, tzinfo=UTC)
LATEST_MOMENT = datetime(2200, 1, 1, tzinfo=UTC)


def _as_utc(value: datetime) -> datetime:
    outside = f"date-time outside {EARLIEST_MOMENT:%Y-%m-%d} to {LATEST_MOMENT:%Y-%m-%d} (UTC)"
    try:
        moment = value.astimezone(UTC)
    except OverflowError:  # year 1 or 9999 pushed past the calendar by its offset
        raise ValueError(outside) from None
    if not EARLIEST_MOMENT <= moment < LATEST_MOMENT:
        raise ValueError(outside)
    return moment


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

    source: Annotated[NonBlank, StringConstraints(max_length=NAME_MAX_CHARS)] = Field(
        description="Publisher, e.g. a site's domain such as bisnis.com"
    )
    url: HttpUrl | None = Field(default=None, description="Where the article was published")
    title: Annotated[NonBlank, StringConstraints(max_length=TITLE_MAX_CHARS)]
    body: NonBlank
    published_at: UtcDatetime | None = Field(
        default=None,
        description=f"Publication time with a UTC offset, from {EARLIEST_MOMENT:%Y} to {LATEST_MOMENT:%Y}",
        # what the validator enforces, as far as a schema can say it: a year whose moments
        # stay inside the range whatever the offset
        json_schema_extra={"pattern": r"^(190[1-9]|19[1-9]\d|20\d\d|21\d\d)-"},
    )
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
    source: Name
    url: Url | None = None
    title: Title
    body: ArticleText
    body_original: ArticleText | None = None
    dateline_place: Name | None = Field(default=None, description="Place named by the dateline")
    publisher: Name | None = Field(default=None, description="Publisher named by the dateline")
    content_hash: str = Field(
        default="", max_length=64, description="sha256 of the normalised title and body"
    )
    fingerprint: str = Field(
        default="", max_length=128, description="256-bit simhash of the body, hex, for near-duplicates"
    )
    published_at: UtcDatetime | None = None
    language_hint: LanguageCode | None = None
    region: Annotated[str, StringConstraints(max_length=2)] | None = None
    ingested_at: UtcDatetime


EntityLabel = Literal["PER", "ORG", "LOC"]
MentionOrigin = Literal["body", "dateline"]
# the stages that can fail a record, as dead letters and replay marks name them
Stage = Literal["ingestion", "enrichment", "translation", "indexing"]
TranslationStatus = Literal["pending", "translated", "not_needed", "no_model", "failed"]


class EntityMention(_Event):
    """A person, organisation or place the article names: in its cleaned body, or as the
    place its dateline says the story was filed from."""

    text: Annotated[str, StringConstraints(max_length=MENTION_MAX_CHARS)]
    label: EntityLabel
    start: int = Field(
        ge=0, description="Character offset into the cleaned body; 0 when origin is 'dateline'"
    )
    end: int = Field(ge=0, description="Offset just past the mention; 0 when origin is 'dateline'")
    origin: MentionOrigin = Field(
        default="body",
        description=(
            "'body': the text at start..end of the cleaned body. 'dateline': the place the"
            " dateline names (dateline_place), which ingestion cut off the body, so there is no"
            " span and start and end are both 0; it is left out when the body names the place"
        ),
    )
    canonical: str = Field(
        max_length=MENTION_MAX_CHARS, description="Canonical English name, e.g. Syria for Suriah"
    )
    entity_id: str | None = Field(
        default=None,
        max_length=ENTITY_ID_MAX_CHARS,
        description="Stable gazetteer id where the entity is known",
    )


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
        max_length=8,
        description="Languages of the paragraphs by share, the detected one first; two or more "
        "mean a mixed article, e.g. Indonesian with English quotes",
    )
    entities: list[EntityMention] = Field(default_factory=list, max_length=ENTITY_MENTIONS_MAX)
    entities_dropped: int = Field(
        default=0,
        ge=0,
        description=f"Mentions found but not kept: past the first {ENTITY_MENTIONS_MAX} of the article, "
        f"or longer than {MENTION_MAX_CHARS} characters",
    )
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
    title_en: Annotated[str, StringConstraints(max_length=TRANSLATION_GROWTH * TITLE_MAX_CHARS)] | None = None
    body_en: TranslatedText | None = None
    error: Annotated[str, StringConstraints(max_length=ERROR_MESSAGE_MAX_CHARS)] | None = None
    model: Name = Field(description="Which backend and model translated it")
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
    stage: Stage
    error_type: Name = Field(description="Stable machine-readable reason, e.g. invalid_json")
    error_message: Annotated[str, StringConstraints(max_length=ERROR_MESSAGE_MAX_CHARS)]
    origin: Annotated[str, StringConstraints(max_length=ERROR_MESSAGE_MAX_CHARS)] = Field(
        description="Where the payload came from: topic[partition]@offset or file:line, and the "
        "dead letter it was replayed from"
    )
    source_topic: str | None = None
    source_partition: int | None = None
    source_offset: int | None = None
    article_id: ArticleId | None = None
    replay_of: Annotated[str, StringConstraints(max_length=ERROR_MESSAGE_MAX_CHARS)] | None = Field(
        default=None,
        description="The dead letter's position (topic[partition]@offset) this input was replayed from",
    )
    payload: bytes = Field(
        max_length=DEAD_LETTER_PAYLOAD_MAX_BYTES, description="The original bytes, base64url-encoded in JSON"
    )
    payload_size: int | None = Field(default=None, description="Original size, when payload was cut short")
    failed_at: UtcDatetime


class ReplayedLetter(_Event):
    """A dead letter that ``kabar dlq replay`` sent back, keyed by the letter's position on a
    compacted topic: a letter with a record here is never sent back again."""

    schema_version: Literal[1] = 1
    letter: Annotated[str, StringConstraints(max_length=ERROR_MESSAGE_MAX_CHARS)] = Field(
        description="The dead letter's position: topic[partition]@offset"
    )
    stage: Stage
    sent_to: Name = Field(description="The topic it went back to, or 'ingestion' for validation again")
    outcome: Literal["sent", "rejected"] = Field(
        description="rejected: ingestion refused it again at once (a new dead letter names the replay)"
    )
    replayed_at: UtcDatetime
