import hashlib
import json
from pathlib import Path

from kabar.services.ingestion.backfill import (
    Checkpoint,
    checkpoint_path,
    input_files,
    load_checkpoint,
    read_lines,
)


def test_directories_contribute_their_ndjson_files_in_order(tmp_path: Path) -> None:
    for name in ("b.ndjson", "a.ndjson", "notes.txt"):
        (tmp_path / name).write_text("{}\n")
    extra = tmp_path / "extra.jsonl"
    extra.write_text("{}\n")
    assert input_files([tmp_path, extra]) == [tmp_path / "a.ndjson", tmp_path / "b.ndjson", extra]


def test_lines_keep_their_numbers_and_blank_lines_are_skipped(tmp_path: Path) -> None:
    source = tmp_path / "a.ndjson"
    source.write_bytes(b'{"n": 1}\r\n\n  \n{"n": 2}\n')
    with source.open("rb") as handle:
        lines = [
            (payload, origin.label, offset) for (payload, origin), offset in read_lines(handle, source, 0)
        ]
    assert lines == [(b'{"n": 1}', f"{source}:1", 10), (b'{"n": 2}', f"{source}:4", 23)]


def test_a_checkpoint_holds_only_while_the_file_start_is_unchanged(tmp_path: Path) -> None:
    source = tmp_path / "a.ndjson"
    source.write_bytes(b'{"n": 1}\n{"n": 2}\n')
    marker = checkpoint_path(tmp_path / "state", source)
    marker.parent.mkdir(parents=True)
    prefix = hashlib.sha256(b'{"n": 1}\n').hexdigest()
    marker.write_text(json.dumps({"offset": 9, "line": 1, "prefix_sha256": prefix}))
    assert load_checkpoint(marker, source) == Checkpoint(9, 1, prefix)
    source.write_bytes(b'{"n": 1}\n{"n": 2}\n{"n": 3}\n')  # appended: still valid
    assert load_checkpoint(marker, source) == Checkpoint(9, 1, prefix)
    source.write_bytes(b'{"n": 9}\n{"n": 2}\n')  # edited before the checkpoint: start over
    assert load_checkpoint(marker, source) is None
    marker.write_text("not json")
    assert load_checkpoint(marker, source) is None
