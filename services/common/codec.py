"""Bytes from a topic or a source to a validated model, or a ``Failure`` saying why not."""

import json
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from kabar.schemas.limits import EVENT_MAX_BYTES
from kabar.services.common.dlq import Failure

Model = TypeVar("Model", bound=BaseModel)


def field_errors(error: ValidationError) -> tuple[tuple[str, str], ...]:
    """(field, problem) for each bad field, e.g. ``("title", "Field required")``."""
    return tuple(
        (".".join(str(p) for p in item["loc"]) or "(document)", item["msg"])
        for item in error.errors(include_url=False)
    )


def schema_violation(error: ValidationError, article_id: str | None = None) -> Failure:
    errors = field_errors(error)
    message = "; ".join(f"{field}: {problem}" for field, problem in errors)
    return Failure("schema_violation", message, article_id, errors)


def decode_json_object(payload: bytes) -> dict[str, Any] | Failure:
    """Tells bad encoding from bad JSON, for the DLQ's reason."""
    try:
        document = json.loads(payload.decode("utf-8"))
    except UnicodeDecodeError as exc:
        return Failure("invalid_utf8", f"not UTF-8: {exc.reason} at byte {exc.start}")
    except (ValueError, RecursionError) as exc:
        # ValueError also covers a number past Python's integer-string limit
        return Failure("invalid_json", f"not JSON: {exc}")
    if not isinstance(document, dict):
        return Failure("invalid_json", f"expected a JSON object, got {type(document).__name__}")
    return document


def decode_event(payload: bytes, model: type[Model]) -> Model | Failure:
    """The model, or a failure that says whether size, encoding, JSON or the schema was wrong.

    No Kabar stage writes an event over the budget, so a bigger record came from elsewhere
    and is not parsed at all."""
    if len(payload) > EVENT_MAX_BYTES:
        return Failure("oversized", f"{len(payload)} bytes, over the {EVENT_MAX_BYTES}-byte event limit")
    document = decode_json_object(payload)
    if isinstance(document, Failure):
        return document
    try:
        return model.model_validate(document)
    except ValidationError as exc:
        return schema_violation(exc, _article_id_of(document))


def _article_id_of(document: dict[str, object]) -> str | None:
    value = document.get("article_id")
    return value if isinstance(value, str) and len(value) == 32 else None
