"""NDJSON backfill: files to the raw topic, resumable, waiting out a Kafka outage.

After each chunk Kafka acknowledged, a checkpoint records how far into the file it got
(byte offset plus a hash of everything before it, so an edited file starts over instead
of resuming at a wrong place). An interrupted run picks up after the last acknowledged
chunk; a finished file's checkpoint is removed, so running again sends it again.
"""

import hashlib
import json
import logging
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from kafka.errors import KafkaError

from kabar.services.common.dlq import Origin
from kabar.services.common.retry import Backoff
from kabar.services.ingestion.publish import Publisher, Summary

log = logging.getLogger(__name__)
Item = tuple[bytes, Origin]


@dataclass(frozen=True)
class Checkpoint:
    offset: int
    line: int
    prefix_sha256: str


class InputFiles(list[Path]):
    """The files to read, in order, and what the directories named held besides them."""

    def __init__(self, files: list[Path], skipped: list[tuple[Path, str]], empty: list[Path]) -> None:
        super().__init__(files)
        self.skipped = skipped  # (entry of a directory named, why it is not read)
        self.empty = empty  # directories named that hold no *.ndjson file


def input_files(paths: list[Path]) -> InputFiles:
    """The files named, and the *.ndjson files of the directories named, in order; the
    directories' other entries (subdirectories are not descended into) come back as skipped."""
    files: list[Path] = []
    skipped: list[tuple[Path, str]] = []
    empty: list[Path] = []
    for path in paths:
        if not path.is_dir():
            files.append(path)
            continue
        found = 0
        for entry in sorted(path.iterdir()):
            if entry.is_dir():
                skipped.append((entry, "a directory (name it to read its *.ndjson files)"))
            elif not entry.name.endswith(".ndjson"):
                skipped.append((entry, "not *.ndjson"))
            else:
                files.append(entry)
                found += 1
        if not found:
            empty.append(path)
    return InputFiles(files, skipped, empty)


def checkpoint_path(state_dir: Path, file: Path) -> Path:
    key = hashlib.sha256(str(file.resolve()).encode()).hexdigest()[:16]
    return state_dir / "backfill" / f"{file.name}.{key}.json"


def load_checkpoint(path: Path, file: Path) -> Checkpoint | None:
    """The checkpoint if it still describes the start of ``file``."""
    try:
        checkpoint = Checkpoint(**json.loads(path.read_text()))
    except (FileNotFoundError, ValueError, TypeError):
        return None
    if file.stat().st_size < checkpoint.offset:
        return None
    with file.open("rb") as handle:
        prefix = hashlib.sha256(handle.read(checkpoint.offset)).hexdigest()
    return checkpoint if prefix == checkpoint.prefix_sha256 else None


def read_lines(handle: BinaryIO, file: Path, first_line: int) -> Iterator[tuple[Item, int]]:
    """(item, byte offset after it) for every non-blank line from the handle's position."""
    number = first_line
    for line in handle:
        number += 1
        if line.strip():
            yield (line.rstrip(b"\r\n"), Origin.of_line(str(file), number)), handle.tell()


class Progress:
    """One line on stderr, rewritten in place when it is a terminal."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.started = time.monotonic()

    def show(self, file: Path, summary: Summary) -> None:
        if not self.enabled:
            return
        done = len(summary.outcomes)
        rate = done / max(time.monotonic() - self.started, 1e-6)
        sys.stderr.write(
            f"\r{file.name}: {done:,} read, {summary.count('accepted'):,} accepted, "
            f"{summary.count('rejected'):,} rejected ({rate:,.0f}/s) "
        )
        sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")


def publish_until_acknowledged(
    publisher: Publisher, chunk: list[Item], backoff: Backoff, say: Callable[[str], None]
) -> Summary:
    """Sends the chunk again until Kafka acknowledges it all; a re-sent copy is harmless."""
    attempt = 0
    while True:
        try:
            return publisher.publish(chunk)
        except KafkaError as exc:
            delay = backoff.delay(attempt)
            say(f"Kafka did not acknowledge ({type(exc).__name__}); sending the chunk again in {delay:.1f}s")
            time.sleep(delay)
            attempt += 1


def backfill(
    files: list[Path],
    publisher: Publisher,
    state_dir: Path,
    chunk_size: int = 500,
    restart: bool = False,
    progress: Progress | None = None,
    say: Callable[[str], None] = lambda message: print(message, file=sys.stderr),
) -> Summary:
    total = Summary()
    backoff = Backoff(0.5, 30.0)
    progress = progress or Progress(enabled=False)
    for file in files:
        marker = checkpoint_path(state_dir, file)
        checkpoint = None if restart else load_checkpoint(marker, file)
        with file.open("rb") as handle, file.open("rb") as hasher_source:
            start_offset, start_line = (checkpoint.offset, checkpoint.line) if checkpoint else (0, 0)
            if checkpoint:
                say(f"{file}: resuming after line {checkpoint.line} (checkpoint {marker})")
            handle.seek(start_offset)
            hasher = hashlib.sha256(hasher_source.read(start_offset))
            chunk: list[Item] = []
            end_offset, end_line = start_offset, start_line
            for item, offset in read_lines(handle, file, start_line):
                chunk.append(item)
                end_offset, end_line = offset, int(item[1].label.rsplit(":", 1)[1])
                if len(chunk) == chunk_size:
                    _send(publisher, chunk, backoff, say, total)
                    hasher.update(hasher_source.read(end_offset - hasher_source.tell()))
                    _save(marker, Checkpoint(end_offset, end_line, hasher.hexdigest()))
                    progress.show(file, total)
                    chunk = []
            if chunk:
                _send(publisher, chunk, backoff, say, total)
        marker.unlink(missing_ok=True)
        progress.show(file, total)
    progress.close()
    return total


def _send(
    publisher: Publisher, chunk: list[Item], backoff: Backoff, say: Callable[[str], None], total: Summary
) -> None:
    total.outcomes.extend(publish_until_acknowledged(publisher, chunk, backoff, say).outcomes)


def _save(marker: Path, checkpoint: Checkpoint) -> None:
    marker.parent.mkdir(parents=True, exist_ok=True)
    temporary = marker.with_suffix(".tmp")
    temporary.write_text(json.dumps(checkpoint.__dict__))
    temporary.replace(marker)
