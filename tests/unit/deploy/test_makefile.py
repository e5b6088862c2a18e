"""`make help` lists every target, and `make run` names no port of its own."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
MAKEFILE = REPO_ROOT / "Makefile"


def phony_targets() -> list[str]:
    (line,) = [line for line in MAKEFILE.read_text().splitlines() if line.startswith(".PHONY:")]
    return line.removeprefix(".PHONY:").split()


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_help_lists_every_phony_target() -> None:
    done = subprocess.run(
        ["make", "-s", "help"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60, check=True
    )
    listed = re.findall(r"^  make (\S+) ", done.stdout, flags=re.MULTILINE)
    targets = phony_targets()
    assert "e2e" in targets
    assert sorted(listed) == sorted(targets), done.stdout


def test_make_run_leaves_the_addresses_to_kabar_up() -> None:
    """`kabar up` prints the ports actually in use; the Makefile would only repeat defaults."""
    run_recipe = MAKEFILE.read_text().split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert not re.search(r"\b29\d{3}\b", run_recipe), run_recipe
