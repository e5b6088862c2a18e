"""Bytes from a topic or a source to a validated model, or a ``Failure`` saying why not."""

import json
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from services.common.dlq import Failure

Model = TypeVar("Model", bound=BaseModel)


def describe_validation_error(error: ValidationError) -> str:
    """One line naming each bad field, e.g. ``title: Field required; url: ...``."""
    parts = []
    for item in error.errors(include_url=False):
        field = ".".join(str(p) for p in item["loc"]) or "(document)"
        parts.append(f"{field}: {item['msg']}")
    return "; ".join(parts)


def decode_event(payload: bytes, model: type[Model]) -> Model | Failure:
    """Tells bad encoding, bad JSON and a schema violation apart, for the DLQ's reason."""
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Failure("invalid_utf8", f"not UTF-8: {exc.reason} at byte {exc.start}")
    try:
        document = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        return Failure("invalid_json", f"not JSON: {exc}")
    if not isinstance(document, dict):
        return Failure("invalid_json", f"expected a JSON object, got {type(document).__name__}")
    try:
        return model.model_validate(document)
    except ValidationError as exc:
        return Failure("schema_violation", describe_validation_error(exc), _article_id_of(document))


def _article_id_of(document: dict[str, object]) -> str | None:
    value = document.get("article_id")
    return value if isinstance(value, str) and len(value) == 32 else None
