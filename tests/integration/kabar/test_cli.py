"""The CLI as a user runs it, in a shell."""

import json
import os
import subprocess
import sys
from pathlib import Path


def test_a_reader_that_stops_early_is_not_an_error(tmp_path: Path) -> None:
    """`kabar enrich big.json | head -c 10`: the pipe closes long before the output ends."""
    article = tmp_path / "big.json"
    article.write_text(json.dumps({"title": "Banjir", "body": "Warga Bandung mengungsi. " * 8_000}))
    piped = subprocess.run(
        f"{sys.executable} -m kabar.cli enrich {article} | head -c 10",
        shell=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert piped.stdout == '{\n  "schem' and piped.stderr == ""


def test_removing_a_member_the_group_does_not_have_says_so_in_one_line(pipeline) -> None:  # type: ignore[no-untyped-def]
    """Not a traceback, and not "Kafka is unreachable": the broker answered, no such member."""
    done = subprocess.run(
        [sys.executable, "-m", "kabar.cli", "group", "enrichment", "--remove", "UNKNOWN"],
        env={**os.environ, **pipeline.env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    group = pipeline.env["KABAR_ENRICHMENT_GROUP"]
    assert done.returncode == 1 and done.stdout == "", done.stdout + done.stderr
    assert done.stderr == (
        f"kabar: UNKNOWN is not a member of group {group}; nothing removed "
        "(`kabar group enrichment` lists the members)\n"
    )


def test_search_prints_no_escape_sequence_even_from_a_document_indexed_raw(pipeline) -> None:  # type: ignore[no-untyped-def]
    """A document written by another producer, or before ingestion cleaned titles, reaches
    the terminal cleaned all the same."""
    from kabar.services.indexing.index_design import install_with_sync_client, sync_client

    settings = pipeline.settings
    install_with_sync_client(settings)
    hostile = "Banjir \x1b]0;pwned\x07di \x1b[31mBandung\x1b[0m\x9b2J"
    with sync_client(settings) as es:
        es.index(
            index=f"{settings.es_index_prefix}-2024.12",
            id="a" * 32,
            document={"article_id": "a" * 32, "title": hostile, "source": "x\x1b[2Jy", "body": hostile},
            refresh=True,
        )
    done = subprocess.run(
        [sys.executable, "-m", "kabar.cli", "search", "Banjir"],
        env={**os.environ, **pipeline.env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Banjir di Bandung" in done.stdout and "xy" in done.stdout
    assert not any((ord(c) < 32 and c != "\n") or 0x7F <= ord(c) <= 0x9F for c in done.stdout), repr(
        done.stdout
    )
