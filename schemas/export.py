"""Writes the JSON Schema of every topic's event under schemas/json/.

Run as ``python -m kabar.schemas.export``; ``--check`` exits non-zero when the files on disk
differ from the models, which is what the staleness test and CI rely on.
"""

import argparse
import json
import sys
from importlib.resources import files
from pathlib import Path

from kabar.schemas.topics import TOPIC_SCHEMAS

# inside the installed package, beside the models; only `export` in a checkout writes here
SCHEMA_DIR = Path(str(files("kabar.schemas") / "json"))


def rendered_schemas() -> dict[str, str]:
    """File name -> JSON text for every topic role's model."""
    files = {}
    for role, model in TOPIC_SCHEMAS.items():
        version = model.model_fields["schema_version"].default
        schema = model.model_json_schema(mode="serialization")
        schema["$id"] = f"urn:kabar:schema:news.{role.value}:v{version}"
        files[f"news.{role.value}.v{version}.schema.json"] = (
            json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
        )
    return files


def stale_files(directory: Path = SCHEMA_DIR) -> list[str]:
    """Names of schema files that are missing, outdated or no longer produced."""
    expected = rendered_schemas()
    present = {p.name for p in directory.glob("*.schema.json")}
    stale = [
        name
        for name, text in expected.items()
        if not (directory / name).exists() or (directory / name).read_text("utf-8") != text
    ]
    return sorted(stale + sorted(present - expected.keys()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="only report stale files")
    args = parser.parse_args()
    if args.check:
        stale = stale_files()
        for name in stale:
            print(f"stale: schemas/json/{name} (run `make schemas`)", file=sys.stderr)
        return 1 if stale else 0
    SCHEMA_DIR.mkdir(exist_ok=True)
    for old in SCHEMA_DIR.glob("*.schema.json"):
        old.unlink()
    for name, text in rendered_schemas().items():
        (SCHEMA_DIR / name).write_text(text, "utf-8")
        print(f"wrote schemas/json/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
