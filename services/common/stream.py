"""How a Faust worker is set up: the app and its consumer, health pages, lag, running it.
The batch loop they all run is ``kabar.services.common.runtime``."""

import asyncio
import logging
import ssl
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Any

import faust
from aiokafka.consumer import consumer as aiokafka_consumer
from aiokafka.consumer import fetcher as aiokafka_fetcher
from aiokafka.coordinator.protocol import ConsumerProtocolMemberAssignment
from faust.assignor import PartitionAssignor
from faust.assignor.client_assignment import ClientMetadata
from faust.transport.drivers import aiokafka as aiokafka_transport
from faust.types import TP
from faust.types.auth import CredentialsT as Credentials
from kafka.errors import KafkaError
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from kabar.schemas.limits import RECORD_MAX_BYTES
from kabar.services.common.kafka import LagReader, PartitionLag
from kabar.services.common.logs import logging_config
from kabar.services.common.metrics import CONSUMER_LAG, READY, register_service
from kabar.services.common.settings import ServiceName, StreamSettings

log = logging.getLogger(__name__)
ReadyCheck = Callable[[], Awaitable[str | None]]


def broker_credentials(settings: StreamSettings) -> Credentials | None:
    """The same TLS and SASL settings the kafka-python clients get, in Faust's terms."""
    protocol = settings.kafka_security_protocol
    if protocol == "PLAINTEXT":
        return None
    context = None
    if protocol.endswith("SSL"):
        context = ssl.create_default_context(
            cafile=str(settings.kafka_ssl_cafile) if settings.kafka_ssl_cafile else None
        )
        if settings.kafka_ssl_certfile is not None:
            keyfile = str(settings.kafka_ssl_keyfile) if settings.kafka_ssl_keyfile else None
            context.load_cert_chain(str(settings.kafka_ssl_certfile), keyfile)
    if protocol.startswith("SASL"):
        password = settings.kafka_sasl_password.get_secret_value() if settings.kafka_sasl_password else None
        return faust.SASLCredentials(
            username=settings.kafka_sasl_username,
            password=password,
            ssl_context=context,
            mechanism=settings.kafka_sasl_mechanism,
        )
    return faust.SSLCredentials(context)


class RewindingConsumer(aiokafka_transport.Consumer):
    """Faust's aiokafka consumer, mended where it drops records it fetched: stream
    partitions are fetched from only once the flow has resumed (``resume_partitions``),
    and seeking to the committed offsets also rewinds the partitions this group never
    committed (to offset 0, i.e. the earliest).

    Faust drops records it has fetched but cannot hand on, e.g. a fetch that returns
    while a rebalance has stopped the flow ("getmany called while flow not active"), and
    relies on ``perform_seek`` -> ``seek_to_committed`` to read them again. aiokafka
    seeks only partitions with a committed offset above 0, so in a partition without one
    the position stays past the dropped records: the worker reads on after them and
    commits, and they are never processed (seen when a replica is killed before its
    first commit and the survivor takes its partitions over). Where nothing is
    committed, "the committed offset" means auto_offset_reset=earliest, so that is
    where these partitions go back to. Topics Faust does not commit for (table
    changelogs) are left alone.
    """

    def __post_init__(self) -> None:
        super().__post_init__()
        self._held_until_flow: set[TP] = set()

    def resume_partitions(self, tps: Iterable[TP]) -> None:
        """Stream partitions wait for the flow to resume; others (changelogs) go at once.

        After a rebalance Faust resumes the stream partitions, seeks them to the committed
        offsets, and only then resumes the flow, which empties every stream's queue. The
        flow may already be running (a table's changelog was read first), so records
        fetched during the seek reach a queue, count as read, and are emptied out of it
        without being processed: the records after them go on, and the offsets commit past
        them (seen as one lost article when the worker restarted under load). Held back
        until ``resume_flow``, which Faust calls right after that emptying, nothing is
        fetched for a stream partition before it; the seek has put their read offsets back
        to the committed ones meanwhile.
        """
        wanted = set(tps)
        held = {tp for tp in wanted if self.app.topics.acks_enabled_for(tp.topic)}
        self._held_until_flow |= held
        super().resume_partitions(wanted - held)

    def resume_flow(self) -> None:
        super().resume_flow()
        held, self._held_until_flow = self._held_until_flow, set()
        if held:
            super().resume_partitions(held)

    async def on_partitions_revoked(self, revoked: set[TP]) -> None:
        self._held_until_flow -= revoked
        await super().on_partitions_revoked(revoked)

    async def seek_to_committed(self) -> Mapping[TP, int]:
        committed = await super().seek_to_committed()
        never_committed = {
            tp: 0
            for tp, offset in committed.items()
            if (offset is None or offset <= 0) and self.app.topics.acks_enabled_for(tp.topic)
        }
        if never_committed:
            log.info("rewinding partitions without a committed offset: %s", sorted(never_committed))
            await self.seek_wait(never_committed)
        return committed


# How long a fetch waits for records to arrive before it comes back empty. A fetch answers
# as soon as one record is there, so this costs no latency on Kafka; it is the number of
# requests an idle worker makes. Faust asks for 1.5 s, and then the three idle workers'
# fetches were most of what the broker did at rest.
FETCH_WAIT_MS = 5000


class PatientFetcher(aiokafka_fetcher.Fetcher):
    """aiokafka's fetcher, except that it asks the broker to hold an empty fetch for
    ``FETCH_WAIT_MS``, and does not follow a fetch that brings nothing back with the next
    one until that time has passed.

    A Kafka broker holds an empty fetch for that long itself, so on a real broker the wait
    changes nothing; a broker that answers at once (noida-db) would otherwise be asked
    again straight away, and every idle worker would spin at most of a core. Records that
    arrive do not wait: a fetch that brought some wakes the consumer as before.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # fetcher_timeout: how often the fetcher looks again with nothing to wake it (5 times
        # a second by default); fetches that answer, records consumed and partitions
        # assigned or resumed wake it at once
        super().__init__(*args, **{**kwargs, "fetch_max_wait_ms": FETCH_WAIT_MS, "fetcher_timeout": 1.0})

    async def _proc_fetch_request(self, assignment: Any, node_id: int, request: Any) -> bool:
        started = time.monotonic()
        brought_records: bool = await super()._proc_fetch_request(assignment, node_id, request)
        if not brought_records:
            try:
                await asyncio.sleep(max(0.0, self._fetch_max_wait_ms / 1000 - (time.monotonic() - started)))
            except asyncio.CancelledError:
                # how aiokafka stops a fetch (closing, partitions revoked): its own fetch
                # task returns quietly then, and ``Fetcher.close`` counts on that
                return False
        return brought_records


# aiokafka builds its fetcher from this module-level name when a consumer starts
aiokafka_consumer.Fetcher = PatientFetcher


class RestartedMemberAssignor(PartitionAssignor):
    """Faust's assignor, except that it accepts an assignment made for this member's
    previous address.

    A static member (``instance_id``) that restarts gets from a real Kafka coordinator the
    assignment it held before, without a rebalance; Faust's assignment carries the web
    address the member had then. When the restarted worker listens elsewhere (another
    port, a rescheduled pod's new address) Faust asserts the two are equal, the
    coordinator task dies, and the worker holds its partitions without ever consuming
    them. Kabar routes nothing by worker address, so the stale address is replaced by the
    current one and the partitions are taken back as the coordinator intends.
    """

    def on_assignment(self, assignment: ConsumerProtocolMemberAssignment) -> None:
        metadata = ClientMetadata.loads(self._decompress(assignment.user_data))
        if metadata.url != str(self._url):
            log.warning("assignment made for this member at %s, now at %s", metadata.url, self._url)
            current = metadata.derive(url=str(self._url))
            assignment = ConsumerProtocolMemberAssignment(
                assignment.version, assignment.assignment, self._compress(current.dumps())
            )
        super().on_assignment(assignment)


class IdempotentProducer(aiokafka_transport.Producer):
    """Faust's aiokafka producer, idempotent outside transactions too.

    Faust asks aiokafka for idempotence only inside a transaction, and Kabar runs none.
    Without it, a batch whose acknowledgement was lost (the partition leader killed after
    writing it, a request timing out while the followers caught up) is sent again and
    written twice, and the stage after reads that record twice. With a producer id and
    sequence numbers the new leader recognises the batch it already has. Idempotence
    requires acks=all, which every stage writes with anyway.
    """

    def _settings_extra(self) -> Mapping[str, Any]:
        return {**super()._settings_extra(), "acks": "all", "enable_idempotence": True}

    async def partitions_known(self, topic: str) -> None:
        """Waits until this producer's metadata holds ``topic``'s partitions.

        A table's write picks its changelog partition from that metadata without waiting
        for it (``send_soon``, with ``use_partitioner``); a write before it has arrived
        fails, and the article it was for would become a dead letter."""
        await self._ensure_producer().partitions_for(topic)


class RewindingTransport(aiokafka_transport.Transport):
    Consumer = RewindingConsumer
    Producer = IdempotentProducer


def stream_app(settings: StreamSettings, service: ServiceName, group: str) -> faust.App:
    """A Faust app that reads from the earliest offset and writes with acks=all.

    ``group`` is the Faust app id, which is also its Kafka consumer group. Its consumer
    is a ``RewindingConsumer``, so that no record is committed without being processed,
    and its producer an ``IdempotentProducer``, so that none is written twice by a retry.
    """
    brokers = [f"kafka://{host}" for host in settings.kafka_bootstrap.split(",")]
    data_dir = settings.data_dir / service
    data_dir.mkdir(parents=True, exist_ok=True)
    app = faust.App(
        group,
        broker=brokers,
        broker_credentials=broker_credentials(settings),
        broker_session_timeout=settings.session_timeout_s,
        # a third of the session, as Kafka's own clients default to: two missed beats
        # still leave the member in its group
        broker_heartbeat_interval=settings.session_timeout_s / 3,
        # members that do not rejoin within this are left out of the new assignment
        broker_rebalance_timeout=settings.session_timeout_s * 2,
        consumer_group_instance_id=settings.instance_id,
        PartitionAssignor=RestartedMemberAssignor,
        producer_acks=-1,
        # the largest event a stage writes, and reads (schemas/limits.py)
        producer_max_request_size=RECORD_MAX_BYTES,
        consumer_max_fetch_size=RECORD_MAX_BYTES,
        consumer_auto_offset_reset="earliest",
        topic_partitions=settings.topic_partitions,
        topic_replication_factor=settings.topic_replication,
        topic_disable_leader=True,
        store="memory://",
        datadir=str(data_dir),
        web_bind=settings.bind_host,
        web_host=settings.service_host,
        web_port=settings.service_port(service),
    )
    app.transport = RewindingTransport(app.conf.broker_consumer, app)
    return app


def add_service_pages(app: faust.App, service: ServiceName, ready_check: ReadyCheck | None = None) -> None:
    """/healthz (alive), /readyz (dependencies reachable, partitions assigned), /metrics."""

    @app.page("/healthz")
    async def healthz(web: Any, request: Any) -> Any:
        return web.json({"status": "ok"})

    @app.page("/readyz")
    async def readyz(web: Any, request: Any) -> Any:
        problem = await _readiness_problem(app, ready_check)
        READY.labels(service).set(0 if problem else 1)
        if problem:
            return web.json({"status": problem}, status=503)
        return web.json({"status": "ready"})

    @app.page("/metrics")
    async def metrics(web: Any, request: Any) -> Any:
        return web.bytes(generate_latest(), content_type=CONTENT_TYPE_LATEST.split(";")[0])


async def _readiness_problem(app: faust.App, ready_check: ReadyCheck | None) -> str | None:
    if app.rebalancing:
        return "rebalancing"
    if not app.consumer.assignment():
        return "no partitions assigned"
    return await ready_check() if ready_check else None


def watch_lag(app: faust.App, settings: StreamSettings, service: ServiceName, topics: Sequence[str]) -> None:
    """Publishes this consumer group's lag per partition every few seconds, measured against
    the broker (end offsets and committed offsets), so it is right even while the worker
    itself is stuck."""
    group = app.conf.id
    readers: list[LagReader] = []  # one, opened on first use, replaced after an error

    def measure() -> list[PartitionLag]:
        if not readers:
            readers.append(LagReader(settings))
        try:
            return readers[0].partition_lags(group, topics)
        except KafkaError:
            readers.pop().close()
            raise

    @app.timer(interval=settings.lag_interval_s)
    async def measure_lag() -> None:
        try:
            lags = await asyncio.to_thread(measure)
        except KafkaError as exc:
            log.warning("consumer lag not measured: %s", type(exc).__name__)
            return
        for lag in lags:
            CONSUMER_LAG.labels(service, group, lag.topic, str(lag.partition)).set(lag.lag)


def run_worker(app: faust.App, service: ServiceName, level: str) -> None:
    """Runs the worker in this process until SIGTERM/SIGINT."""
    register_service(service)
    worker = faust.Worker(app, loglevel=level, logging_config=logging_config(service, level))
    # Faust's terminal spinner lowers the root logger to DEBUG so that every record turns it:
    # each Kafka request then builds a debug record nobody prints (a third of an idle core)
    worker.spinner = None
    worker.execute_from_commandline()
