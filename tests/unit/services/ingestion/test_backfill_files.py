"""Which files `kabar ingest DIR` reads, and what it says about the rest."""

from pathlib import Path

from kabar.services.ingestion.backfill import input_files


def test_a_directory_gives_its_ndjson_files_and_names_the_rest_with_a_reason(tmp_path: Path) -> None:
    for name in ("b.ndjson", "a.ndjson", "notes.txt", "a.ndjson.bak"):
        (tmp_path / name).write_text("{}\n")
    (tmp_path / "archive").mkdir()
    (tmp_path / "archive" / "c.ndjson").write_text("{}\n")
    named = tmp_path / "extra.jsonl"  # a file named on the command line is read whatever its suffix

    files = input_files([tmp_path, named])

    assert list(files) == [tmp_path / "a.ndjson", tmp_path / "b.ndjson", named]
    assert files.skipped == [
        (tmp_path / "a.ndjson.bak", "not *.ndjson"),
        (tmp_path / "archive", "a directory (name it to read its *.ndjson files)"),
        (tmp_path / "notes.txt", "not *.ndjson"),
    ]
    assert files.empty == []


def test_a_directory_without_ndjson_files_is_reported_empty(tmp_path: Path) -> None:
    empty, full = tmp_path / "empty", tmp_path / "full"
    empty.mkdir()
    full.mkdir()
    (empty / "readme.md").write_text("# nothing\n")
    (full / "a.ndjson").write_text("{}\n")

    files = input_files([empty, full])

    assert list(files) == [full / "a.ndjson"]
    assert files.empty == [empty]
    assert files.skipped == [(empty / "readme.md", "not *.ndjson")]


def test_files_named_are_not_skipped_or_checked(tmp_path: Path) -> None:
    named = tmp_path / "articles.txt"
    files = input_files([named])
    assert list(files) == [named] and files.skipped == [] and files.empty == []
