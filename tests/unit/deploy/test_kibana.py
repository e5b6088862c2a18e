"""The Kibana saved objects: valid NDJSON, complete references, and only fields the index has."""

import json
from pathlib import Path

from kabar.kibana import SAVED_OBJECTS

TEMPLATE = Path(__file__).resolve().parents[3] / "deploy" / "elasticsearch" / "articles.template.json"


def objects() -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(line) for line in SAVED_OBJECTS.read_text("utf-8").splitlines() if line.strip()]


def template_fields() -> set[str]:
    fields: set[str] = set()

    def walk(properties: dict, prefix: str = "") -> None:  # type: ignore[type-arg]
        for name, spec in properties.items():
            fields.add(prefix + name)
            walk(spec.get("properties", {}), f"{prefix}{name}.")
            walk(spec.get("fields", {}), f"{prefix}{name}.")

    walk(json.loads(TEMPLATE.read_text())["template"]["mappings"]["properties"])
    return fields


def referenced_fields(saved: dict) -> set[str]:  # type: ignore[type-arg]
    attributes = saved["attributes"]
    fields = set(attributes.get("columns", [])) | {sort[0] for sort in attributes.get("sort", [])}
    if "timeFieldName" in attributes:
        fields.add(attributes["timeFieldName"])
    if "visState" in attributes:
        for agg in json.loads(attributes["visState"])["aggs"]:
            if "field" in agg["params"]:
                fields.add(agg["params"]["field"])
    return fields


def test_every_line_is_a_saved_object_of_a_known_type() -> None:
    kinds = [saved["type"] for saved in objects()]
    assert kinds.count("index-pattern") == 1 and "search" in kinds and "dashboard" in kinds
    assert kinds.count("visualization") >= 3


def test_every_field_referenced_exists_in_the_index_template() -> None:
    known = template_fields()
    for saved in objects():
        missing = referenced_fields(saved) - known
        assert not missing, f"{saved['id']} uses {missing}, which the template does not map"


def test_every_reference_points_at_an_object_in_the_file() -> None:
    ids = {(saved["type"], saved["id"]) for saved in objects()}
    for saved in objects():
        for reference in saved["references"]:
            assert (reference["type"], reference["id"]) in ids, reference


def test_the_data_view_is_the_search_alias_with_the_publication_time() -> None:
    [data_view] = [saved for saved in objects() if saved["type"] == "index-pattern"]
    assert data_view["attributes"]["title"] == "kabar-articles"
    assert data_view["attributes"]["timeFieldName"] == "published_at"
