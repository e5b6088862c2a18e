"""Where the data files Kabar reads live: inside the installed ``kabar`` package.

The wheel carries them (pyproject's package-data); in a checkout, ``kabar/`` links the
source folders in, so the same paths hold without installing. pip always unpacks a wheel,
so these are real directories, and their files can be handed to mvn, java and Prometheus.

The gazetteer sits beside the entity recogniser, which reads most of it, but ingestion
reads the places too and does not import the enrichment service; so its reader is here.
"""

import json
from importlib.resources import files
from pathlib import Path

PACKAGE_DIR = Path(str(files("kabar")))
DEPLOY_DIR = PACKAGE_DIR / "deploy"
GAZETTEER_DIR = PACKAGE_DIR / "services" / "enrichment" / "gazetteer"


def gazetteer_entries(name: str) -> list[dict[str, object]]:
    found: list[dict[str, object]] = json.loads((GAZETTEER_DIR / name).read_text("utf-8"))["entries"]
    return found
