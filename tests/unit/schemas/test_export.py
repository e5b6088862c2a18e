import json
from pathlib import Path

from kabar.schemas.export import SCHEMA_DIR, rendered_schemas, stale_files


def test_exported_json_schemas_are_current() -> None:
    assert stale_files() == [], "run `make schemas` and commit schemas/json/"


def test_a_changed_or_extra_file_counts_as_stale(tmp_path: Path) -> None:
    for name, text in rendered_schemas().items():
        (tmp_path / name).write_text(text, "utf-8")
    assert stale_files(tmp_path) == []
    first = sorted(rendered_schemas())[0]
    (tmp_path / first).write_text("{}", "utf-8")
    (tmp_path / "news.old.v0.schema.json").write_text("{}", "utf-8")
    assert stale_files(tmp_path) == sorted([first, "news.old.v0.schema.json"])


def test_every_topic_has_a_schema_with_the_contract_fields() -> None:
    names = sorted(p.name for p in SCHEMA_DIR.glob("*.schema.json"))
    assert names == [
        "news.dlq.replayed.v1.schema.json",
        "news.dlq.v1.schema.json",
        "news.enriched.v1.schema.json",
        "news.raw.v1.schema.json",
        "news.translations.v1.schema.json",
    ]
    raw = json.loads((SCHEMA_DIR / "news.raw.v1.schema.json").read_text())
    assert {
        "article_id",
        "source",
        "url",
        "title",
        "body",
        "published_at",
        "ingested_at",
        "schema_version",
    } <= set(raw["properties"])
    dlq = json.loads((SCHEMA_DIR / "news.dlq.v1.schema.json").read_text())
    assert {
        "stage",
        "error_type",
        "error_message",
        "source_topic",
        "source_partition",
        "source_offset",
        "payload",
    } <= set(dlq["properties"])
