"""The Faust consumer goes back to the start of partitions its group never committed,
fetches stream partitions only once the flow has resumed, and does not ask a broker that answers at once for more before the fetch wait time; the
producer is idempotent."""

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path

import pytest
from aiokafka import TopicPartition
from aiokafka.consumer import fetcher as aiokafka_fetcher
from faust.types import TP

from kabar.services.common.settings import EnrichmentSettings
from kabar.services.common.stream import PatientFetcher, RewindingConsumer, stream_app

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


def test_stream_partitions_are_not_fetched_before_the_flow_resumes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Faust resumes a stream partition, seeks it, then resumes the flow, which empties the
    streams' queues: a record fetched in between would be counted as read and lost."""
    consumer, _ = consumer_with(tmp_path, monkeypatch, {})
    raw, changelog = TP(RAW, 0), TP(CHANGELOG, 0)
    consumer.pause_partitions({raw, changelog})
    consumer.resume_partitions({raw, changelog})
    assert consumer._get_active_partitions() == {changelog}
    consumer.resume_flow()
    assert consumer._get_active_partitions() == {raw, changelog}


def test_a_partition_revoked_while_held_is_not_fetched_when_the_flow_resumes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    consumer, _ = consumer_with(tmp_path, monkeypatch, {})
    kept, revoked = TP(RAW, 0), TP(RAW, 1)
    consumer.pause_partitions({kept, revoked})
    consumer.resume_partitions({kept, revoked})

    async def app_revokes(tps: set[TP]) -> None:
        pass  # the app's own part of a revocation is not what this is about

    monkeypatch.setattr(consumer, "_on_partitions_revoked", app_revokes)
    asyncio.run(consumer.on_partitions_revoked({revoked}))
    consumer.resume_flow()
    assert consumer._get_active_partitions() == {kept}


def patient_fetcher(monkeypatch: pytest.MonkeyPatch, answer: Callable[[], Awaitable[bool]]) -> PatientFetcher:
    """A fetcher whose broker round-trip is ``answer`` and whose fetch wait time is 0.3 s."""

    async def fetch(self: object, assignment: object, node_id: int, request: object) -> bool:
        return await answer()

    monkeypatch.setattr(aiokafka_fetcher.Fetcher, "_proc_fetch_request", fetch)
    fetcher = object.__new__(PatientFetcher)
    fetcher._fetch_max_wait_ms = 300
    return fetcher


async def timed(fetcher: PatientFetcher) -> tuple[bool, float]:
    started = time.monotonic()
    brought = await fetcher._proc_fetch_request(None, 1, None)
    return brought, time.monotonic() - started


def test_an_empty_fetch_answered_at_once_waits_out_the_fetch_wait_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def at_once() -> bool:
        return False

    brought, took = asyncio.run(timed(patient_fetcher(monkeypatch, at_once)))
    assert not brought and took >= 0.3


def test_a_fetch_that_brought_records_is_not_held_back(monkeypatch: pytest.MonkeyPatch) -> None:
    async def records() -> bool:
        return True

    brought, took = asyncio.run(timed(patient_fetcher(monkeypatch, records)))
    assert brought and took < 0.2


def test_an_empty_fetch_the_broker_held_is_not_held_again(monkeypatch: pytest.MonkeyPatch) -> None:
    async def held_by_the_broker() -> bool:
        await asyncio.sleep(0.3)
        return False

    brought, took = asyncio.run(timed(patient_fetcher(monkeypatch, held_by_the_broker)))
    assert not brought and took < 0.5


def test_a_waiting_fetch_cancelled_returns_quietly(monkeypatch: pytest.MonkeyPatch) -> None:
    """aiokafka's ``Fetcher.close`` cancels its fetch tasks and awaits them: one that
    raised would stop the consumer thread's shutdown."""

    answered = asyncio.Event()

    async def at_once() -> bool:
        answered.set()
        return False

    async def cancel_while_waiting() -> bool:
        task = asyncio.create_task(patient_fetcher(monkeypatch, at_once)._proc_fetch_request(None, 1, None))
        await answered.wait()  # the task ran on from the answer into its wait before this wakes
        task.cancel()
        return await task

    assert asyncio.run(cancel_while_waiting()) is False


def test_the_stages_write_with_an_idempotent_producer(tmp_path: Path) -> None:
    """Faust turns idempotence on only inside transactions; without it a batch retried
    after a leader failover can be written twice."""
    app = stream_app(EnrichmentSettings(data_dir=tmp_path), "enrichment", "kabar-enrichment")

    async def build() -> None:
        producer = app.producer._new_producer()
        try:
            assert producer._txn_manager is not None  # aiokafka's sign of idempotence
        finally:
            await producer.stop()

    asyncio.run(build())
