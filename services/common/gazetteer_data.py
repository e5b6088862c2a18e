"""Where the curated gazetteer's JSON lives, and the reader of its entry files.

The files sit beside the entity recogniser, which reads most of them, but ingestion reads
the places too (a title-case dateline must name a known place) and does not import the
enrichment service's code; so the path and the reader are here, for both.
"""

import json
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parents[1] / "enrichment" / "gazetteer"


def entries(name: str) -> list[dict[str, object]]:
    found: list[dict[str, object]] = json.loads((DATA_DIR / name).read_text("utf-8"))["entries"]
    return found
