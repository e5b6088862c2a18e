"""The CLI as a user runs it, in a shell."""

import json
import subprocess
import sys
from pathlib import Path


def test_a_reader_that_stops_early_is_not_an_error(tmp_path: Path) -> None:
    """`kabar enrich big.json | head -c 10`: the pipe closes long before the output ends."""
    article = tmp_path / "big.json"
    article.write_text(json.dumps({"title": "Banjir", "body": "Warga Bandung mengungsi. " * 8_000}))
    piped = subprocess.run(
        f"{sys.executable} -m services.cli enrich {article} | head -c 10",
        shell=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert piped.stdout == '{\n  "schem' and piped.stderr == ""
