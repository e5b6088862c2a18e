"""The Faust consumer goes back to the start of partitions its group never committed."""

import asyncio
from collections.abc import AsyncIterator, Mapping
from pathlib import Path

import pytest
from aiokafka import TopicPartition
from faust.types import Message

from services.common.settings import EnrichmentSettings
from services.common.stream import RewindingConsumer, stream_app, unacked_unless_finished

RAW = "kabar.raw"
CHANGELOG = "kabar-enrichment-fingerprints-changelog"


class FakeThread:
    """What aiokafka's seek_to_committed reports, and the seeks asked of it."""

    def __init__(self, committed: Mapping[TopicPartition, int | None]) -> None:
        self.committed = committed
        self.seeks: list[dict[TopicPartition, int]] = []

    async def seek_to_committed(self) -> Mapping[TopicPartition, int | None]:
        return self.committed

    async def seek_wait(self, partitions: Mapping[TopicPartition, int]) -> None:
        self.seeks.append(dict(partitions))


def consumer_with(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, committed: Mapping[TopicPartition, int | None]
) -> tuple[RewindingConsumer, FakeThread]:
    app = stream_app(EnrichmentSettings(data_dir=tmp_path), "enrichment", "kabar-enrichment")
    consumer = app.consumer
    assert isinstance(consumer, RewindingConsumer)
    thread = FakeThread(committed)
    monkeypatch.setattr(consumer, "_thread", thread)
    monkeypatch.setattr(app.topics, "acks_enabled_for", lambda topic: topic == RAW)
    return consumer, thread


def test_partitions_never_committed_go_back_to_the_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    committed = {
        TopicPartition(RAW, 0): 34,
        TopicPartition(RAW, 1): None,
        TopicPartition(RAW, 2): 0,
        TopicPartition(CHANGELOG, 0): None,
    }
    consumer, thread = consumer_with(tmp_path, monkeypatch, committed)
    assert asyncio.run(consumer.seek_to_committed()) == committed
    # raw[0] was sought to 34 by aiokafka itself; changelogs are the tables' business
    assert thread.seeks == [{TopicPartition(RAW, 1): 0, TopicPartition(RAW, 2): 0}]


def test_nothing_more_is_sought_when_every_partition_was_committed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    committed = {TopicPartition(RAW, p): 10 + p for p in range(3)}
    consumer, thread = consumer_with(tmp_path, monkeypatch, committed)
    assert asyncio.run(consumer.seek_to_committed()) == committed
    assert thread.seeks == []


class Delivered:
    """An event as the agent sees it: a real Faust message behind it."""

    def __init__(self, offset: int) -> None:
        self.message = Message(RAW, 0, offset, 0.0, 0, [], b"k", b"v", None)
        self.message.incref()  # the stream's reference, which its ack gives back


async def take_events_like(batches: list[list[Delivered]]) -> AsyncIterator[list[Delivered]]:
    """Acks each batch when the caller moves on or the generator closes, as Faust's
    ``take_events`` does."""
    for events in batches:
        try:
            yield events
        finally:
            for event in events:
                event.message.ack(None)  # type: ignore[arg-type]


def test_a_batch_the_agent_finished_is_acked_and_one_it_failed_on_is_not() -> None:
    finished, failed = [Delivered(0), Delivered(1)], [Delivered(2)]

    async def agent_failing_on_the_second_batch() -> None:
        batches = unacked_unless_finished(take_events_like([finished, failed]))
        with pytest.raises(ConnectionError):
            async for events in batches:
                if events is failed:
                    raise ConnectionError("the enriched topic did not acknowledge")
        await batches.aclose()  # type: ignore[attr-defined]

    asyncio.run(agent_failing_on_the_second_batch())
    assert all(e.message.acked for e in finished)
    assert not any(e.message.acked for e in failed)
