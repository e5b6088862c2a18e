"""The shared batch loop, in memory: poison isolation, final refusals, retries, acks."""

import asyncio
import json
import os
from collections.abc import AsyncIterator, Sequence
from typing import Any

import pytest
from aiokafka.errors import KafkaConnectionError, MessageSizeTooLargeError
from faust.exceptions import ProducerSendError
from faust.types import Message

from kabar.schemas.events import DeadLetter, RawArticle
from kabar.services.common.dlq import REPLAY_HEADER, Failure
from kabar.services.common.metrics import EVENTS
from kabar.services.common.retry import Backoff
from kabar.services.common.runtime import (
    DeadLetterSink,
    StageRunner,
    StreamStage,
    TopicSink,
    arrived_batches,
)
from kabar.services.common.settings import StreamSettings

RAW = "kabar.raw"
NO_WAIT = Backoff(0.001, 0.001)


class Delivered:
    """An event as the agent sees it: a real Faust message behind it."""

    def __init__(
        self, offset: int, value: bytes = b"v", headers: list[tuple[str, bytes]] | None = None
    ) -> None:
        self.message = Message(RAW, 0, offset, 0.0, 0, headers or [], b"k", value, None)
        self.message.incref()  # the stream's reference, which its ack gives back


async def acked(event: Delivered) -> None:
    """What Faust's ``Stream.ack`` does to the stream's reference."""
    event.message.ack(None)  # type: ignore[arg-type]


async def fed_by(source: "asyncio.Queue[Delivered | Exception]") -> AsyncIterator[Delivered]:
    """A stream that delivers what the test puts in ``source``, and ends with an exception
    put there."""
    while True:
        item = await source.get()
        source.task_done()
        if isinstance(item, Exception):
            raise item
        yield item


def test_a_batch_the_agent_finished_is_acked_and_one_it_failed_on_is_not() -> None:
    events = [Delivered(n) for n in range(3)]

    async def agent_failing_on_the_batch_with_the_last_event() -> None:
        source: asyncio.Queue[Delivered | Exception] = asyncio.Queue()
        for event in events:
            source.put_nowait(event)
        batches = arrived_batches(fed_by(source), acked, max_size=2)
        with pytest.raises(ConnectionError):
            async for batch in batches:
                if events[2] in batch:
                    raise ConnectionError("the enriched topic did not acknowledge")
        await batches.aclose()  # type: ignore[attr-defined]

    asyncio.run(agent_failing_on_the_batch_with_the_last_event())
    assert events[0].message.acked and events[1].message.acked
    assert not events[2].message.acked


def test_an_event_that_finds_the_stage_idle_goes_on_at_once_and_alone() -> None:
    async def first_batch() -> list[Delivered]:
        source: asyncio.Queue[Delivered | Exception] = asyncio.Queue()
        source.put_nowait(Delivered(0))  # and nothing after it
        batches = arrived_batches(fed_by(source), acked, max_size=200)
        return await asyncio.wait_for(anext(batches), timeout=5)  # type: ignore[arg-type]

    assert [e.message.offset for e in asyncio.run(first_batch())] == [0]


def test_events_that_arrive_during_a_batch_make_the_next_batches_up_to_the_size() -> None:
    async def batch_offsets() -> list[list[int]]:
        source: asyncio.Queue[Delivered | Exception] = asyncio.Queue()
        source.put_nowait(Delivered(0))
        seen: list[list[int]] = []
        async for batch in arrived_batches(fed_by(source), acked, max_size=2):
            seen.append([e.message.offset for e in batch])
            if len(seen) == 1:  # while the first batch is processed, three more arrive
                for n in (1, 2, 3):
                    source.put_nowait(Delivered(n))
                await asyncio.wait_for(source.join(), timeout=5)  # the stream has delivered all three
            if sum(map(len, seen)) == 4:
                break
        return seen

    assert asyncio.run(batch_offsets()) == [[0], [1, 2], [3]]


def test_a_stream_that_fails_ends_the_batches_with_its_error() -> None:
    async def read_all() -> None:
        source: asyncio.Queue[Delivered | Exception] = asyncio.Queue()
        source.put_nowait(Delivered(0))
        source.put_nowait(RuntimeError("consumer crashed"))
        async for _ in arrived_batches(fed_by(source), acked, max_size=10):
            pass

    with pytest.raises(RuntimeError, match="consumer crashed"):
        asyncio.run(read_all())


class FakeTopic:
    """A topic whose broker refuses values over ``limit`` bytes for good and drops the
    first ``flaky`` sends of anything else."""

    def __init__(self, limit: int = 1_000_000, flaky: int = 0, refuse_at_send: bool = False) -> None:
        self.limit, self.flaky, self.refuse_at_send = limit, flaky, refuse_at_send
        self.written: list[tuple[bytes | None, bytes]] = []
        self.attempts = 0

    def get_topic_name(self) -> str:
        return "fake"

    async def send(self, key: bytes | None, value: bytes) -> "asyncio.Future[None]":
        self.attempts += 1
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if len(value) > self.limit:
            error = MessageSizeTooLargeError(f"{len(value)} bytes")
            if self.refuse_at_send:  # aiokafka checks the size before the record leaves
                raise ProducerSendError("Error while sending") from error
            future.set_exception(error)
        elif self.flaky:
            self.flaky -= 1
            future.set_exception(KafkaConnectionError("broker away"))
        else:
            self.written.append((key, value))
            future.set_result(None)
        return future


class FakeConsumer:
    def highwater(self, tp: Any) -> int:
        return 10


class FakeApp:
    consumer = FakeConsumer()


def raw(article_id: str, body: str = "Banjir melanda Bandung.") -> bytes:
    return json.dumps(
        {
            "article_id": article_id,
            "source": "kompas.com",
            "title": "Banjir",
            "body": body,
            "ingested_at": "2024-12-01T00:00:00Z",
        }
    ).encode()


def upper_title(article: RawArticle) -> RawArticle | None:
    if "kills its process" in article.body:
        os._exit(70)  # as a crash in a native library, or the kernel out of memory, would
    if "crash" in article.body:
        raise ValueError("the extractor tripped on this one")
    if "skip" in article.body:
        return None
    return article.model_copy(update={"title": article.title.upper()})


def encode(article: RawArticle) -> tuple[bytes, bytes]:
    return article.article_id.encode(), article.model_dump_json().encode()


def run_batch(events: Sequence[Delivered], outputs: FakeTopic, dlq: FakeTopic, processes: int = 0) -> None:
    stage = StreamStage[RawArticle, RawArticle](
        service="enrichment",
        stage="enrichment",
        label="test-stage",
        input_model=RawArticle,
        transform=upper_title,
        processes=processes,
    )
    runner = StageRunner(
        FakeApp(),  # type: ignore[arg-type]
        stage,
        TopicSink(outputs, encode, NO_WAIT),  # type: ignore[arg-type]
        DeadLetterSink(dlq, "enrichment", NO_WAIT),  # type: ignore[arg-type]
        StreamSettings(),
    )
    asyncio.run(runner.process(events))  # type: ignore[arg-type]


def letters_in(dlq: FakeTopic) -> list[DeadLetter]:
    return [DeadLetter.model_validate_json(value) for _, value in dlq.written]


def counted(outcome: str) -> float:
    return EVENTS.labels("enrichment", "test-stage", outcome)._value.get()


@pytest.mark.parametrize("processes", [0, 2], ids=["in a thread", "in two processes"])
def test_each_bad_record_is_a_dead_letter_alone_and_the_rest_of_the_batch_goes_on(processes: int) -> None:
    before = {outcome: counted(outcome) for outcome in ("ok", "skipped", "dead_lettered")}
    events = [
        Delivered(0, raw("a" * 32)),
        Delivered(1, b"{not json"),
        Delivered(2, raw("b" * 32, "This one will crash the transform.")),
        Delivered(3, raw("c" * 32, "x" * 2_000)),  # over the fake broker's limit
        Delivered(4, raw("d" * 32, "Nothing to write: skip.")),
        Delivered(5, raw("e" * 32)),
    ]
    outputs, dlq = FakeTopic(limit=1_500), FakeTopic()
    run_batch(events, outputs, dlq, processes)
    assert [key for key, _ in outputs.written] == [b"a" * 32, b"e" * 32]
    assert json.loads(outputs.written[0][1])["title"] == "BANJIR"
    letters = {letter.origin: letter for letter in letters_in(dlq)}
    assert {origin: letter.error_type for origin, letter in letters.items()} == {
        "kabar.raw[0]@1": "invalid_json",
        "kabar.raw[0]@2": "enrichment_error",
        "kabar.raw[0]@3": "refused_by_kafka",
    }
    assert "ValueError: the extractor tripped" in letters["kabar.raw[0]@2"].error_message
    assert "MessageSizeTooLargeError" in letters["kabar.raw[0]@3"].error_message
    assert letters["kabar.raw[0]@3"].payload == events[3].message.value
    assert all(letter.stage == "enrichment" for letter in letters.values())
    assert counted("ok") - before["ok"] == 2
    assert counted("skipped") - before["skipped"] == 1
    assert counted("dead_lettered") - before["dead_lettered"] == 3


def test_a_record_that_kills_its_process_is_a_dead_letter_and_the_rest_go_on() -> None:
    events = [Delivered(n, raw(letter * 32)) for n, letter in enumerate("abc")]
    events.insert(2, Delivered(3, raw("d" * 32, "This one kills its process.")))
    outputs, dlq = FakeTopic(), FakeTopic()
    run_batch(events, outputs, dlq, processes=2)
    assert sorted(key for key, _ in outputs.written) == [b"a" * 32, b"b" * 32, b"c" * 32]
    assert all(json.loads(value)["title"] == "BANJIR" for _, value in outputs.written)
    [letter] = letters_in(dlq)
    assert (letter.origin, letter.error_type) == ("kabar.raw[0]@3", "enrichment_error")
    assert "BrokenProcessPool" in letter.error_message


def test_a_record_refused_before_it_leaves_the_client_is_a_dead_letter_too() -> None:
    outputs, dlq = FakeTopic(limit=1_500, refuse_at_send=True), FakeTopic()
    run_batch([Delivered(0, raw("c" * 32, "x" * 2_000)), Delivered(1, raw("a" * 32))], outputs, dlq)
    assert [key for key, _ in outputs.written] == [b"a" * 32]
    assert [letter.error_type for letter in letters_in(dlq)] == ["refused_by_kafka"]


def test_transient_send_failures_are_sent_again_until_acknowledged_and_nothing_is_lost() -> None:
    outputs, dlq = FakeTopic(flaky=3), FakeTopic(flaky=1)
    run_batch([Delivered(0, raw("a" * 32)), Delivered(1, raw("b" * 32)), Delivered(2, b"nope")], outputs, dlq)
    assert sorted(key for key, _ in outputs.written) == [b"a" * 32, b"b" * 32]
    assert outputs.attempts == 5
    assert [letter.origin for letter in letters_in(dlq)] == ["kabar.raw[0]@2"]


def test_a_replayed_record_that_fails_again_names_the_replay_in_its_dead_letter() -> None:
    dlq = FakeTopic()
    run_batch([Delivered(7, b"nope", [(REPLAY_HEADER, b"news.dlq[1]@4")])], FakeTopic(), dlq)
    [letter] = letters_in(dlq)
    assert letter.origin == "kabar.raw[0]@7 (replay of news.dlq[1]@4)"
    assert letter.replay_of == "news.dlq[1]@4"


def test_a_dead_letter_the_broker_refuses_is_replaced_by_one_without_its_payload() -> None:
    dlq = FakeTopic(limit=3_000)
    sink = DeadLetterSink(dlq, "enrichment", NO_WAIT)  # type: ignore[arg-type]
    from kabar.services.common.dlq import Origin, dead_letter

    letter = dead_letter("enrichment", Failure("invalid_json", "bad"), Origin("t[0]@1"), b"x" * 10_000)
    asyncio.run(sink.send([letter]))
    [written] = letters_in(dlq)
    assert written.payload == b"" and written.payload_size == 10_000
    assert "payload left out" in written.error_message
