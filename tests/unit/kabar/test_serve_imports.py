"""`kabar serve X` loads service X and the shared runtime, nothing of the other services and
none of the tools around them; each check runs in a fresh interpreter, so that no module
another test imported can hide an import."""

import json
import subprocess
import sys

import pytest

from kabar.services.common.settings import SERVICES

SHARED = ("kabar.cli", "kabar.services.common", "kabar.schemas")
OWN_CODE = {
    "ingestion": ("kabar.services.ingestion",),
    "enrichment": ("kabar.services.enrichment",),
    "translation": (
        "kabar.services.enrichment.translation",
        "kabar.services.enrichment.translation_stage",
        "kabar.services.enrichment.grammar",  # the sentence splitter's abbreviations
    ),
    "indexing": ("kabar.services.indexing",),
}
PACKAGES = {"kabar", "kabar.services", "kabar.services.enrichment"}


def modules_loaded_by_serve(service: str) -> tuple[set[str], set[str]]:
    """Kabar's modules, and the top-level packages of all modules, once ``serve`` has
    imported the service (without running it)."""
    probe = (
        "import json, sys\n"
        "from kabar.cli import service_main\n"
        f"service_main({service!r})\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )
    loaded = json.loads(done.stdout)
    return {m for m in loaded if m.split(".")[0] == "kabar"}, {m.split(".")[0] for m in loaded}


@pytest.mark.parametrize("service", SERVICES)
def test_serve_imports_only_the_service_it_runs(service: str) -> None:
    kabar_modules, top_level = modules_loaded_by_serve(service)
    allowed = SHARED + OWN_CODE[service]
    foreign = sorted(m for m in kabar_modules - PACKAGES if not m.startswith(allowed))
    assert not foreign, f"kabar serve {service} imports {foreign}"
    if service != "enrichment":
        assert "spacy" not in top_level and "lingua" not in top_level
