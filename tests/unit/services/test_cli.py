from pathlib import Path

from services.cli import chunked, ndjson_items, parser


def test_ndjson_items_skip_blank_lines_and_name_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "a.ndjson").write_bytes(b'{"x": 1}\r\n\n  \n{"x": 2}\n')
    (tmp_path / "notes.txt").write_text("ignored")
    items = list(ndjson_items([tmp_path]))
    assert [(payload, origin.label) for payload, origin in items] == [
        (b'{"x": 1}', f"{tmp_path / 'a.ndjson'}:1"),
        (b'{"x": 2}', f"{tmp_path / 'a.ndjson'}:4"),
    ]


def test_chunks_cover_every_item_once() -> None:
    assert [len(c) for c in chunked(iter(range(1203)), 500)] == [500, 500, 203]  # type: ignore[arg-type]


def test_every_documented_command_parses() -> None:
    for argv in (
        ["up"],
        ["down"],
        ["status"],
        ["ingest", "samples/"],
        ["search", "Jakarta", "--json"],
        ["serve", "indexing"],
    ):
        assert parser().parse_args(argv).run is not None
