"""The Faust consumer goes back to the start of partitions its group never committed."""

import asyncio
from collections.abc import Mapping
from pathlib import Path

import pytest
from aiokafka import TopicPartition

from services.common.settings import EnrichmentSettings
from services.common.stream import RewindingConsumer, stream_app

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
