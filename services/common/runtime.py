"""The one batch loop every stream stage runs: decode, transform, write, dead letters, acks.

A stage is a ``StreamStage`` (its input schema and a pure transform) and a ``Sink`` (a
topic or Elasticsearch). The runtime owns everything the stages do alike, so that they cannot
drift apart:

- batches of what arrived while the previous batch was processed, bounded in size, acked (so
  committable) only when the loop asks for the next one, i.e. after every output and dead
  letter of the batch was acknowledged;
- decoding and schema checks: a record that is not its topic's event is a dead letter;
- poison isolation: an exception in one record's transform, or a sink's final refusal of
  one output (a record too large for the broker, a document Elasticsearch rejects), makes
  that record a dead letter with stage, reason and origin, and the batch goes on. Only
  transient trouble (a broker or search server away, 429/5xx) is retried, without end,
  which stops the stage taking new events: backpressure, never loss;
- the CPU work off the event loop, in worker processes on every core for the stages that
  need them, so heartbeats and health checks keep their time;
- the same metrics for every stage.
"""

import asyncio
import ctypes
import itertools
import logging
import os
import signal
import sys
import time
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import partial
from multiprocessing import get_context
from typing import Any, Generic, Protocol, TypeVar, cast

import faust
from faust.types import TP, EventT
from pydantic import BaseModel

from kabar.schemas.events import DeadLetter
from kabar.services.common.codec import decode_event
from kabar.services.common.dlq import REPLAY_HEADER, Failure, Origin, Stage, dead_letter
from kabar.services.common.kafka import refused_for_good
from kabar.services.common.metrics import BACKLOG, BATCH_SIZE, DEAD_LETTERS, EVENTS, STAGE_SECONDS
from kabar.services.common.retry import Backoff
from kabar.services.common.settings import ServiceName, StreamSettings

log = logging.getLogger(__name__)
_PR_SET_PDEATHSIG = 1  # prctl(2): the signal a process gets when its parent ends
In = TypeVar("In", bound=BaseModel)
Out = TypeVar("Out")
Out_contra = TypeVar("Out_contra", contravariant=True)


@dataclass(frozen=True)
class Record(Generic[In]):
    """One consumed event, decoded, with the bytes and position a dead letter needs."""

    value: In
    payload: bytes
    origin: Origin

    @property
    def article_id(self) -> str | None:
        return cast(str | None, getattr(self.value, "article_id", None))


@dataclass(frozen=True)
class Refusal:
    """An output the sink will never write, and why."""

    record: Record[Any]
    failure: Failure


class Sink(Protocol[Out_contra]):
    async def write(self, outputs: Sequence[tuple[Record[Any], Out_contra]]) -> list[Refusal]:
        """Writes the outputs and returns once each is acknowledged or refused for good."""
        ...


@dataclass(frozen=True)
class StreamStage(Generic[In, Out]):
    """What one stage does to one event, and nothing else.

    ``transform`` is pure; it returns the output, or None when there is nothing to write for
    this event (it is counted as skipped). It runs in ``processes`` worker processes, each
    made ready once by ``prepare`` (its models loaded), a batch shared out among them; with
    0 it runs in a thread of the worker itself (a light transform, or one whose library
    spreads over the cores by itself). Either way the event loop stays free for heartbeats
    and health checks. ``settle`` runs on the event loop, for what needs the app (tables),
    after the transform.
    """

    service: ServiceName
    stage: Stage
    label: str  # the metrics' stage label: one service may run several stages
    input_model: type[In]
    transform: Callable[[In], Out | None]
    settle: Callable[[Out], Out] | None = None
    processes: int = 0
    prepare: Callable[[], None] | None = None


def batches(stream: faust.StreamT, settings: StreamSettings) -> AsyncIterator[Sequence[EventT]]:
    """The stage's events in batches of at most ``batch_size`` (see ``arrived_batches``),
    each acked (and so committable) only when the caller asks for the next batch, i.e.
    after the caller's outputs were acknowledged."""
    faust_stream = cast(faust.Stream, stream)
    faust_stream.enable_acks = False  # Faust would ack each event as the next one is read
    return arrived_batches(faust_stream.events(), faust_stream.ack, settings.batch_size)


async def arrived_batches(
    events: AsyncIterable[EventT], ack: Callable[[EventT], Awaitable[Any]], max_size: int
) -> AsyncIterator[list[EventT]]:
    """Each batch is what arrived while the previous one was processed, up to ``max_size``.

    An event that finds the stage idle goes on at once, alone, instead of waiting for
    company (Faust's ``take_events`` holds every batch up to its timeout, adding that much
    latency per stage); under load, events queue while a batch is processed and the next
    batch takes them all. Nothing runs on a timer, so an idle stage does not wake up. A
    batch is acked only once the caller comes back for the next one; a batch the caller
    raised on stays unacked, its offsets uncommitted, and is read again after a restart.
    """
    arrived: asyncio.Queue[EventT] = asyncio.Queue(maxsize=max_size)

    async def take_in() -> None:
        async for event in events:
            await arrived.put(event)

    taking_in = asyncio.ensure_future(take_in())
    first: asyncio.Future[EventT] | None = None
    try:
        while True:
            first = asyncio.ensure_future(arrived.get())
            await asyncio.wait({first, taking_in}, return_when=asyncio.FIRST_COMPLETED)
            if not first.done():
                first.cancel()
                taking_in.result()  # the stream's error, if it ended with one
                return
            batch = [first.result()]
            while len(batch) < max_size and not arrived.empty():
                batch.append(arrived.get_nowait())
            yield batch
            for event in batch:
                await ack(event)
    finally:  # closed by its caller, or ended: nothing left waiting on the stream
        taking_in.cancel()
        if first is not None:
            first.cancel()


def payload_of(event: EventT) -> bytes:
    """A tombstone (no value) carries no article; as b"" it goes to the DLQ as invalid JSON."""
    return cast(bytes | None, event.message.value) or b""


def origin_of(event: EventT) -> Origin:
    message = event.message
    return Origin.of_record(message.topic, message.partition, message.offset, replayed_from(message.headers))


def replayed_from(headers: Any) -> str | None:
    """The replay header's value, from Faust's headers (a mapping or a list of pairs)."""
    pairs = headers.items() if isinstance(headers, dict) else headers or ()
    for name, value in pairs:
        if name == REPLAY_HEADER and value:
            return bytes(value).decode("utf-8", "replace")
    return None


class TopicSink(Generic[Out]):
    """Writes outputs to a topic; a record the broker refuses for good is returned, any
    other failure is sent again after a backoff until it is acknowledged."""

    def __init__(
        self, topic: faust.TopicT, encode: Callable[[Out], tuple[bytes | None, bytes]], backoff: Backoff
    ) -> None:
        self.topic = topic
        self.encode = encode
        self.backoff = backoff

    async def write(self, outputs: Sequence[tuple[Record[Any], Out]]) -> list[Refusal]:
        encoded = [(record, self.encode(output)) for record, output in outputs]
        refused: list[Refusal] = []
        attempt = 0
        while encoded:
            retry = []
            for (record, (key, value)), outcome in zip(encoded, await self._send_all(encoded), strict=True):
                if outcome is None:
                    continue
                if refused_for_good(outcome):
                    failure = Failure("refused_by_kafka", _describe(outcome), record.article_id)
                    refused.append(Refusal(record, failure))
                else:
                    retry.append((record, (key, value)))
            if retry:
                delay = self.backoff.delay(attempt)
                log.warning(
                    "%d records to %s not acknowledged, sending again in %.1fs",
                    len(retry),
                    self.topic.get_topic_name(),
                    delay,
                )
                await asyncio.sleep(delay)
                attempt += 1
            encoded = retry
        return refused

    async def _send_all(
        self, encoded: Sequence[tuple[Any, tuple[bytes | None, bytes]]]
    ) -> list[BaseException | None]:
        """Queues every record, then waits for every acknowledgement; None where it came."""
        queued: list[Any] = []
        for _, (key, value) in encoded:
            try:
                queued.append(await self.topic.send(key=key, value=value))
            except Exception as exc:  # refused before it left: too large, say
                queued.append(exc)
        outcomes: list[BaseException | None] = []
        for future in queued:
            if isinstance(future, BaseException):
                outcomes.append(future)
                continue
            try:
                await future
                outcomes.append(None)
            except Exception as exc:
                outcomes.append(exc)
        return outcomes


def _describe(error: BaseException) -> str:
    cause = error.__cause__ or error
    return f"{type(cause).__name__}: {cause}"


class DeadLetterSink:
    """The DLQ topic. A letter is always within the event budget, but if the broker still
    refuses one, a letter without the payload takes its place, so a refusal is never
    silent."""

    def __init__(self, topic: faust.TopicT, service: ServiceName, backoff: Backoff) -> None:
        self.service = service
        self.sink = TopicSink[DeadLetter](topic, _encode_letter, backoff)

    async def send(self, letters: Sequence[DeadLetter]) -> None:
        for letter in letters:
            DEAD_LETTERS.labels(self.service, letter.stage, letter.error_type).inc()
            log.warning(
                "dead-lettered %s: %s",
                letter.origin,
                letter.error_type,
                extra={"origin": letter.origin, "reason": letter.error_type, "article_id": letter.article_id},
            )
        refused = await self.sink.write([(_letter_record(letter), letter) for letter in letters])
        if refused:
            stand_ins = [_without_payload(refusal.record.value, refusal.failure) for refusal in refused]
            if await self.sink.write([(_letter_record(letter), letter) for letter in stand_ins]):
                raise RuntimeError("the DLQ topic refuses even dead letters without payload")


def _encode_letter(letter: DeadLetter) -> tuple[bytes | None, bytes]:
    return None, letter.model_dump_json().encode()


def _without_payload(letter: DeadLetter, refusal: Failure) -> DeadLetter:
    return letter.model_copy(
        update={
            "payload": b"",
            "payload_size": letter.payload_size or len(letter.payload),
            "error_message": f"{letter.error_message[:1_000]} "
            f"(payload left out: {refusal.error_message[:500]})",
        }
    )


def _letter_record(letter: DeadLetter) -> Record[DeadLetter]:
    return Record(letter, b"", Origin(letter.origin))


class StageRunner(Generic[In, Out]):
    """Runs one ``StreamStage`` over a Faust stream, writing to its sink."""

    def __init__(
        self,
        app: faust.App,
        stage: StreamStage[In, Out],
        sink: Sink[Out],
        dead_letters: DeadLetterSink,
        settings: StreamSettings,
    ) -> None:
        self.app = app
        self.stage = stage
        self.sink = sink
        self.dead_letters = dead_letters
        self.settings = settings
        self._processes: ProcessPoolExecutor | None = None

    async def run(self, stream: faust.StreamT) -> None:
        if self.stage.processes:
            await self._start_processes()
        async for events in batches(stream, self.settings):
            await self.process(events)

    async def _start_processes(self) -> None:
        """Every process started and prepared before the first batch, not while it waits."""
        loop, pool = asyncio.get_running_loop(), self._pool()
        await asyncio.gather(*(loop.run_in_executor(pool, os.getpid) for _ in range(self.stage.processes)))

    async def process(self, events: Sequence[EventT]) -> None:
        """One batch, start to acknowledgement; returns only when every output and dead
        letter is acknowledged, so that the batch may then be committed."""
        stage = self.stage
        started = time.perf_counter()
        records: list[Record[In]] = []
        letters: list[DeadLetter] = []
        for event in events:
            payload, origin = payload_of(event), origin_of(event)
            value = decode_event(payload, stage.input_model)
            if isinstance(value, Failure):
                letters.append(dead_letter(stage.stage, value, origin, payload))
            else:
                records.append(Record(value, payload, origin))
        results = await self._transformed(records)
        outputs: list[tuple[Record[Any], Out]] = []
        skipped = 0
        for record, result in zip(records, results, strict=True):
            if isinstance(result, Failure):
                letters.append(dead_letter(stage.stage, result, record.origin, record.payload))
            elif result is None:
                skipped += 1
            else:
                settled = self._settle(record, result)
                if isinstance(settled, Failure):
                    letters.append(dead_letter(stage.stage, settled, record.origin, record.payload))
                else:
                    outputs.append((record, settled))
        refused = await self.sink.write(outputs)
        letters += [
            dead_letter(stage.stage, refusal.failure, refusal.record.origin, refusal.record.payload)
            for refusal in refused
        ]
        await self.dead_letters.send(letters)
        self._report_backlog(events)
        STAGE_SECONDS.labels(stage.service, stage.label).observe(time.perf_counter() - started)
        BATCH_SIZE.labels(stage.service, stage.label).observe(len(events))
        EVENTS.labels(stage.service, stage.label, "ok").inc(len(outputs) - len(refused))
        EVENTS.labels(stage.service, stage.label, "skipped").inc(skipped)
        EVENTS.labels(stage.service, stage.label, "dead_lettered").inc(len(letters))

    async def _transformed(self, records: list[Record[In]]) -> list[Out | Failure | None]:
        stage = self.stage
        if not stage.processes or not records:
            return await asyncio.to_thread(transform_each, stage.transform, stage.stage, records)
        try:
            return await self._in_processes(records)
        except BrokenProcessPool:
            # a process died (killed, out of memory, a crash in a native library): the
            # records go again one at a time, so that one that kills a process is its own
            # dead letter and the rest of the batch goes on
            log.warning("a %s process died; its batch goes again record by record", stage.stage)
            self._replace_pool()
            return [await self._alone(record) for record in records]

    async def _in_processes(self, records: list[Record[In]]) -> list[Out | Failure | None]:
        """Contiguous shares of the batch, one per process, so that every core works on it."""
        loop, pool = asyncio.get_running_loop(), self._pool()
        shares = min(self.stage.processes, len(records))
        bounds = [len(records) * n // shares for n in range(shares + 1)]
        shares_done = await asyncio.gather(
            *(
                loop.run_in_executor(
                    pool, partial(transform_each, self.stage.transform, self.stage.stage, share)
                )
                for share in (records[a:b] for a, b in itertools.pairwise(bounds))
            )
        )
        return [cast(Out | Failure | None, result) for share in shares_done for result in share]

    async def _alone(self, record: Record[In]) -> Out | Failure | None:
        try:
            return (await self._in_processes([record]))[0]
        except BrokenProcessPool as exc:
            self._replace_pool()
            return _failure(self.stage.stage, record, exc)

    def _pool(self) -> ProcessPoolExecutor:
        if self._processes is None:
            # spawned, not forked: the worker already runs threads (Kafka clients, Faust's
            # consumer), and a fork would copy their locks in whatever state they are in
            self._processes = ProcessPoolExecutor(
                self.stage.processes,
                mp_context=get_context("spawn"),
                initializer=_start_process,
                initargs=(os.getpid(), self.stage.prepare),
            )
        return self._processes

    def _replace_pool(self) -> None:
        if self._processes is not None:
            self._processes.shutdown(wait=False, cancel_futures=True)
        self._processes = None

    def _settle(self, record: Record[In], output: Out) -> Out | Failure:
        if self.stage.settle is None:
            return output
        try:
            return self.stage.settle(output)
        except Exception as exc:
            return _failure(self.stage.stage, record, exc)

    def _report_backlog(self, events: Sequence[EventT]) -> None:
        """Records between the last one processed and the end of each partition just served."""
        last: dict[tuple[str, int], int] = {}
        for event in events:
            last[(event.message.topic, event.message.partition)] = event.message.offset
        backlog: dict[str, int] = {}
        for (topic, partition), offset in last.items():
            highwater = self.app.consumer.highwater(TP(topic, partition))
            backlog[topic] = backlog.get(topic, 0) + max(highwater - offset - 1, 0)
        for topic, count in backlog.items():
            BACKLOG.labels(self.stage.service, topic).set(count)


def raw_topic(app: faust.App, name: str) -> faust.TopicT:
    """A topic as bytes in and out: the stages decode and encode with the schemas."""
    return app.topic(name, value_serializer="raw", key_serializer="raw")


def produce_backoff(settings: StreamSettings) -> Backoff:
    return Backoff(settings.produce_backoff_s, settings.produce_backoff_max_s)


def dead_letter_sink(app: faust.App, settings: StreamSettings, service: ServiceName) -> DeadLetterSink:
    return DeadLetterSink(raw_topic(app, settings.topic_dlq), service, produce_backoff(settings))


def topic_runner(
    app: faust.App,
    settings: StreamSettings,
    stage: StreamStage[In, Out],
    output_topic: str,
    encode: Callable[[Out], tuple[bytes | None, bytes]],
) -> StageRunner[In, Out]:
    """A stage whose outputs go to a topic, its failures to the DLQ."""
    sink = TopicSink(raw_topic(app, output_topic), encode, produce_backoff(settings))
    return StageRunner(app, stage, sink, dead_letter_sink(app, settings, stage.service), settings)


def _start_process(worker: int, prepare: Callable[[], None] | None) -> None:
    """Makes a transform process end with its worker, then ready for work.

    A process of the pool waits for work on a pipe it holds both ends of, so it would
    outlive a worker killed with SIGKILL (seen after the fault suite: processes with their
    models loaded and nobody to work for). The kernel kills it when the worker goes."""
    if sys.platform == "linux":
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != worker:  # the worker went before that was asked for
        os._exit(1)
    if prepare is not None:
        prepare()


def transform_each(
    transform: Callable[[In], Out | None], stage: Stage, records: Sequence[Record[In]]
) -> list[Out | Failure | None]:
    """``transform`` on every record; an exception is that record's failure alone. Module
    level, with plain arguments, so that a worker process can be sent it."""
    results: list[Out | Failure | None] = []
    for record in records:
        try:
            results.append(transform(record.value))
        except Exception as exc:
            results.append(_failure(stage, record, exc))
    return results


def _failure(stage: Stage, record: Record[Any], error: Exception) -> Failure:
    log.exception("%s failed on %s", stage, record.origin.label)
    return Failure(f"{stage}_error", f"{type(error).__name__}: {error}", record.article_id)
