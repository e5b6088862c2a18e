"""The CLI's argument checks and one-line errors: no traceback for a value or an address
the user got wrong."""

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from kabar.cli import main, parser
from kabar.services.common.settings import StackSettings
from kabar.stack import Status, status_lines


def usage_error(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """The last line argparse printed for ``argv``, which must be refused with exit code 2."""
    with pytest.raises(SystemExit) as exited:
        parser().parse_args(argv)
    assert exited.value.code == 2
    return capsys.readouterr().err.strip().splitlines()[-1]


@pytest.mark.parametrize("size", ["0", "10", "10000"])
def test_search_size_takes_what_elasticsearch_allows(size: str) -> None:
    assert parser().parse_args(["search", "Jakarta", "--size", size]).size == int(size)


@pytest.mark.parametrize(
    ("size", "message"),
    [
        ("10001", "must be an integer from 0 to 10000, not 10001"),
        ("-1", "must be an integer from 0 to 10000, not -1"),
        ("ten", "not an integer: 'ten'"),
    ],
)
def test_search_size_out_of_range_is_a_usage_error(
    size: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert usage_error(["search", "Jakarta", "--size", size], capsys) == (
        f"kabar search: error: argument --size: {message}"
    )


def test_dlq_recent_takes_one_and_more() -> None:
    assert parser().parse_args(["dlq", "list", "--recent", "1"]).recent == 1
    assert parser().parse_args(["dlq", "list"]).recent == 10


@pytest.mark.parametrize(
    ("recent", "message"),
    [("0", "must be an integer of at least 1, not 0"), ("1.5", "not an integer: '1.5'")],
)
def test_dlq_recent_below_one_is_a_usage_error(
    recent: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert usage_error(["dlq", "list", "--recent", recent], capsys) == (
        f"kabar dlq: error: argument --recent: {message}"
    )


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A loopback port bound here but not listening: every connection is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield int(sock.getsockname()[1])


def test_an_unreachable_kibana_is_one_line_not_a_traceback(closed_port: int) -> None:
    url = f"http://127.0.0.1:{closed_port}"
    with pytest.raises(SystemExit) as exited:
        main(["kibana", "import", "--url", url])
    message = exited.value.code
    assert isinstance(message, str) and "\n" not in message
    assert message.startswith(f"kabar: Kibana at {url} is unreachable (")


def test_ingest_names_what_it_skipped_and_refuses_a_directory_without_ndjson(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes.txt").write_text("not articles\n")
    (tmp_path / "older").mkdir()
    with pytest.raises(SystemExit) as exited:
        main(["ingest", str(tmp_path)])  # refused before Kafka is needed
    assert exited.value.code == 2
    assert capsys.readouterr().err.splitlines() == [
        f"skipped {tmp_path / 'notes.txt'}: not *.ndjson",
        f"skipped {tmp_path / 'older'}: a directory (name it to read its *.ndjson files)",
        f"no *.ndjson file in {tmp_path}",
    ]


def status_of(translation: str = "ready") -> Status:
    services = {"ingestion": "ready", "enrichment": "ready", "translation": translation, "indexing": "ready"}
    return Status(
        "Apache Kafka 4.1.1 (KRaft), at 127.0.0.1:29092",
        services,
        {"news.raw": 3},
        {"kabar-indexing on news.enriched": 0},
        3,
    )


def test_status_says_when_translation_has_no_model() -> None:
    lines = status_lines(
        status_of(), StackSettings(translation_backend="none", es_index_prefix="kabar-articles")
    )
    assert (
        "  translation  ready  (no model configured, KABAR_TRANSLATION_BACKEND=none: "
        "articles are indexed with translation_status no_model)"
    ) in lines
    assert lines[-1] == "documents in kabar-articles: 3"


def test_status_with_a_translation_model_says_only_its_health() -> None:
    lines = status_lines(status_of(), StackSettings(translation_backend="libretranslate"))
    assert "  translation  ready" in lines
    assert not [line for line in lines if "no model" in line]
