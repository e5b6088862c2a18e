"""``make bench``: each stage's throughput against the raw library doing the same work, measured
side by side in one run on the local stack, plus end-to-end latency and peak memory.

Shared machines are noisy, so the figures that matter are the ratios: the service path and
its raw baseline run back to back on the same events, the same servers, the same minute.
Every service runs as its own process, on topics and an index made for this run.
"""

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import httpx
from elasticsearch import helpers
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from kabar import apache_kafka
from kabar.processes import StackError, cpu_seconds, http_ok, running_pid, wait_until
from kabar.schemas.events import EnrichedArticle, RawArticle
from kabar.schemas.topics import TopicRole
from kabar.services.common.dlq import Failure
from kabar.services.common.kafka import connection_options, consumer, ensure_topics, producer
from kabar.services.common.settings import IndexingSettings, IngestionSettings, KabarSettings, StackSettings
from kabar.services.enrichment.entities import extract_entities
from kabar.services.enrichment.language import identify_language
from kabar.services.enrichment.transform import load_models
from kabar.services.indexing.index_design import (
    async_client,
    index_for,
    index_template,
    install_index_template,
    sync_client,
)
from kabar.services.indexing.transform import document_action
from kabar.services.ingestion.backfill import backfill
from kabar.services.ingestion.publish import Publisher
from kabar.services.ingestion.validate import Limits, parse_article
from kabar.stack import broker_description, local_kafka_cluster, noida_process

# a checkout's files: `make bench` runs from the repository's root
SAMPLES = Path("samples") / "articles.ndjson"


def sample_documents(count: int, body_chars: int = 3_000, languages: tuple[str, ...] = ()) -> list[bytes]:
    """``count`` distinct articles of about ``body_chars`` characters, built from the samples
    (in ``languages`` when given; each padded with the next samples in its own language) so
    that every one has its own id and stays in one language."""
    rows = [json.loads(line) for line in SAMPLES.read_text("utf-8").splitlines() if line.strip()]
    rows = [r for r in rows if not languages or r.get("language_hint") in languages]
    documents = []
    for n in range(count):
        row = dict(rows[n % len(rows)])
        same_language = [r for r in rows if r.get("language_hint") == row.get("language_hint")]
        body = row["body"]
        k = same_language.index(rows[n % len(rows)]) + 1
        while len(body) < body_chars:
            body += "\n" + same_language[k % len(same_language)]["body"]
            k += 1
        # a sentence of its own, so that no two bodies are equal and no cache flatters a stage
        body = f"{body[: body_chars - 40]}\nArsip nomor {n} tahun {2000 + n % 25}."
        row.update(body=body, url=f"{row['url'].split('?')[0].split('#')[0]}-bench-{n}")
        documents.append(json.dumps(row, ensure_ascii=False).encode())
    return documents


@dataclass
class Run:
    """A benchmark's own names, so it never mixes with the stack's data."""

    env: dict[str, str]
    settings: KabarSettings


def fresh_run() -> Run:
    """Names of its own, on a search server without the documents of earlier runs: a
    server that holds every earlier run's indices works more slowly with each run, and the
    runs of one measurement would not start from the same state."""
    suffix = uuid.uuid4().hex[:8]
    base = KabarSettings()
    with sync_client(base) as es:
        # by name: a wildcard delete is refused by default by Elasticsearch 8
        earlier = list(es.indices.get(index="bench-*,baseline-bench-*", allow_no_indices=True))
        if earlier:
            es.indices.delete(index=",".join(earlier))
    env = {
        "KABAR_KAFKA_BOOTSTRAP": base.kafka_bootstrap,
        "KABAR_ES_URL": base.es_url,
        "KABAR_TOPIC_RAW": f"bench-{suffix}.raw",
        "KABAR_TOPIC_ENRICHED": f"bench-{suffix}.enriched",
        "KABAR_TOPIC_TRANSLATIONS": f"bench-{suffix}.translations",
        "KABAR_TOPIC_DLQ": f"bench-{suffix}.dlq",
        "KABAR_ENRICHMENT_GROUP": f"bench-{suffix}-enrichment",
        "KABAR_TRANSLATION_GROUP": f"bench-{suffix}-translation",
        "KABAR_INDEXING_GROUP": f"bench-{suffix}-indexing",
        "KABAR_ES_INDEX_PREFIX": f"bench-{suffix}",
        "KABAR_INGESTION_PORT": "29181",
        "KABAR_ENRICHMENT_PORT": "29182",
        "KABAR_INDEXING_PORT": "29183",
        "KABAR_TRANSLATION_PORT": "29184",
        "KABAR_DATA_DIR": str(Path(".kabar", "bench", suffix).resolve()),
        "KABAR_LOG_LEVEL": "WARNING",
    }
    return Run(
        env, KabarSettings.model_validate({k.removeprefix("KABAR_").lower(): v for k, v in env.items()})
    )


@contextmanager
def launched(name: str, run: Run) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "kabar.cli", "serve", name],
        env={**os.environ, **run.env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield process
    finally:
        process.terminate()
        process.wait(30)


@contextmanager
def service(name: str, run: Run) -> Iterator[subprocess.Popen[bytes]]:
    with launched(name, run) as process:
        ready_after(name, run)
        yield process


def ready_after(name: str, run: Run, poll_s: float = 0.3, timeout_s: float = 90) -> float:
    """Waits until the service just launched is ready, and returns when the last probe that
    found it not ready was sent: the latest moment it is known not to have been ready yet."""
    ready = f"http://127.0.0.1:{run.env[f'KABAR_{name.upper()}_PORT']}/readyz"
    deadline = time.monotonic() + timeout_s
    not_ready = time.monotonic()
    while not_ready < deadline:
        asked = time.monotonic()
        if http_ok(ready):
            return not_ready
        not_ready = asked
        time.sleep(poll_s)
    raise StackError(f"timed out after {timeout_s:.0f}s waiting for {name} ready")


def peak_rss_mb(process: subprocess.Popen[bytes]) -> float:
    for line in Path(f"/proc/{process.pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def topic_size(settings: KabarSettings, topic: str) -> int:
    tool = consumer(settings, "kabar-bench")
    try:
        tps = [TopicPartition(topic, p) for p in tool.partitions_for_topic(topic) or ()]
        ends = tool.end_offsets(tps) if tps else {}
        return sum(ends.values())
    finally:
        tool.close()


def reached(
    count: Callable[[], int], expected: int, what: str, timeout_s: float = 300, poll_s: float = 0.05
) -> float:
    """The moment ``count`` reached ``expected``, polled often enough to time short runs."""
    wait_until(lambda: count() >= expected, timeout_s, f"{expected} {what}", poll_s=poll_s)
    return time.monotonic()


def indexed_count(settings: KabarSettings, index: str) -> int:
    with sync_client(settings) as es:
        if not es.indices.exists(index=index):
            return 0
        es.indices.refresh(index=index)
        return int(es.count(index=index)["count"])


def bench_ingestion(run: Run, documents: list[bytes]) -> dict[str, float]:
    """The push API (``push``'s NDJSON batches) and the backfill (the documents as a file,
    through ``kabar ingest``'s code) vs a kafka-python loop doing the same work:
    ``parse_article`` on each document and its raw event produced as the publisher produces
    it, with the same producer settings (acks=all, idempotent: the same delivery promise),
    to a topic made like the raw topic that no stage reads. Each starts with its producer
    connected and is timed from the first document handed over to the last acknowledged.

    ``ratio`` is the lower of the push API's and the backfill's, since each of them is to
    keep up with the loop."""
    ensure_topics(run.settings)
    settings = IngestionSettings(**run.settings.model_dump())
    baseline = settings.model_copy(update={"topic_raw": f"{settings.topic_raw}.baseline"})
    ensure_topics(baseline, [TopicRole.RAW])
    limits = Limits(max_article_chars=settings.max_article_chars)
    raw_producer = producer(baseline, "bench-baseline")
    started = time.perf_counter()
    for document in documents:
        article = parse_article(document, limits)
        if isinstance(article, Failure):
            raise StackError(f"a sample article was refused: {article.error_message}")
        raw_producer.send(
            baseline.topic_raw, key=article.article_id.encode(), value=article.model_dump_json().encode()
        )
    raw_producer.flush()
    raw_seconds = time.perf_counter() - started
    raw_producer.close()

    source = Path(run.env["KABAR_DATA_DIR"]) / "backfill.ndjson"
    source.parent.mkdir(parents=True, exist_ok=True)
    source.write_bytes(b"\n".join(documents) + b"\n")
    kafka_producer = producer(settings, "bench-backfill")
    publisher = Publisher(settings, kafka_producer)
    started = time.perf_counter()
    backfill([source], publisher, source.parent)
    backfill_seconds = time.perf_counter() - started
    kafka_producer.close()

    with service("ingestion", run):
        started = time.perf_counter()
        push(articles_url(run), documents)
        push_seconds = time.perf_counter() - started
    # a path that dropped articles (as duplicates, say) would look faster than it is
    produced = topic_size(settings, baseline.topic_raw), topic_size(settings, settings.topic_raw)
    if produced != (len(documents), 2 * len(documents)):
        raise StackError(f"{produced} raw events produced for {len(documents)} documents on each path")
    return {
        "events": len(documents),
        "push_api_per_s": len(documents) / push_seconds,
        "backfill_per_s": len(documents) / backfill_seconds,
        "raw_producer_per_s": len(documents) / raw_seconds,
        "push_api_ratio": raw_seconds / push_seconds,
        "backfill_ratio": raw_seconds / backfill_seconds,
        "ratio": raw_seconds / max(push_seconds, backfill_seconds),
    }


def articles_url(run: Run) -> str:
    return f"http://127.0.0.1:{run.env['KABAR_INGESTION_PORT']}/v1/articles"


WARM_UP_ARTICLES = 6
EXTRACTOR = "raw_extractor_per_cpu_s_"  # then the language


def bench_enrichment(run: Run, raw_articles: list[RawArticle]) -> dict[str, Any]:
    """The Faust worker vs the extractor functions (language with its paragraph shares,
    entities) called in a loop on the same articles. The first articles warm both up (the
    worker loads its models on them); the clock starts when the worker has enriched them,
    and the rest is sent to it then, faster than it can keep up with.

    Both are also counted per CPU second (the loop's own, the worker process's), which
    is what "per core" means and what the noise of a shared machine leaves alone."""
    ensure_topics(run.settings)
    warm_up, measured = raw_articles[:WARM_UP_ARTICLES], raw_articles[WARM_UP_ARTICLES:]
    load_models()
    seconds_by_language: dict[str, float] = {}
    count_by_language: dict[str, int] = {}
    raw_started = time.perf_counter()
    for article in measured:
        language = article.language_hint or "id"
        started = time.process_time()
        identify_language(f"{article.title}\n{article.body}")
        extract_entities(article.body, language)
        seconds_by_language[language] = seconds_by_language.get(language, 0.0) + time.process_time() - started
        count_by_language[language] = count_by_language.get(language, 0) + 1
    raw_seconds = time.perf_counter() - raw_started
    raw_cpu_seconds = sum(seconds_by_language.values())
    enriched = partial(topic_size, run.settings, run.settings.topic_enriched)
    with service("enrichment", run) as process:
        send_events(run.settings, run.settings.topic_raw, warm_up)
        reached(enriched, len(warm_up), "warm-up events")
        started, cpu_started = time.monotonic(), cpu_seconds(process.pid)
        send_events(run.settings, run.settings.topic_raw, measured)
        done = reached(enriched, len(raw_articles), "enriched events")
        service_cpu_seconds = cpu_seconds(process.pid) - cpu_started
        rss = peak_rss_mb(process)
    service_seconds = done - started
    count = len(measured)
    return {
        "articles": count,
        "body_chars": statistics.mean(len(a.body) for a in measured),
        "service_per_s": count / service_seconds,
        "raw_extractor_per_s": count / raw_seconds,
        "ratio": raw_seconds / service_seconds,
        "service_per_cpu_s": count / service_cpu_seconds,
        "raw_extractor_per_cpu_s": count / raw_cpu_seconds,
        "ratio_per_cpu_s": raw_cpu_seconds / service_cpu_seconds,
        "peak_rss_mb": rss,
        "languages": sorted(seconds_by_language),
        **{
            f"{EXTRACTOR}{language}": count_by_language[language] / seconds
            for language, seconds in sorted(seconds_by_language.items())
        },
    }


def per_language(enrichment: dict[str, Any], suffix: str = "") -> dict[str, float]:
    """The extractor's articles per CPU second by language (``suffix``: ``_min``, ``_max``)."""
    return {language: enrichment[f"{EXTRACTOR}{language}{suffix}"] for language in enrichment["languages"]}


def send_events(settings: KabarSettings, topic: str, events: Sequence[RawArticle]) -> None:
    """Events as the stage before publishes them, keyed by article id."""
    kafka_producer = KafkaProducer(**connection_options(settings), acks="all", linger_ms=5)
    for event in events:
        kafka_producer.send(topic, key=event.article_id.encode(), value=event.model_dump_json().encode())
    kafka_producer.flush()
    kafka_producer.close()


def bench_indexing(run: Run, enriched: list[EnrichedArticle]) -> dict[str, float]:
    """The indexing worker vs a raw loop of the same libraries: a consumer reading the
    enriched topic in batches of the worker's size, each written by ``helpers.async_bulk``
    as the worker writes it (``document_action``: the same documents and the same kind of
    write, the guarded upsert keyed by article id, since a plain index op is less work than
    the worker does) into indices of its own.

    Both start from the same state, the whole topic waiting and nothing of it read, their
    monthly indices made and empty (the worker's by its template, the loop's explicitly
    with the template's settings and mappings), and each is done when a count through its
    own alias finds every document. The loop's clock starts at its first poll that returns
    events. When the worker reads its first event cannot be seen from outside, but it reads
    nothing before its partitions are assigned, which its readiness reports: its clock
    starts at the last probe that found it not ready, so it is never timed short (and at
    most a probe interval long)."""
    ensure_topics(run.settings)
    settings = IndexingSettings(**run.settings.model_dump())
    send_events(settings, settings.topic_enriched, enriched)
    with sync_client(settings) as es:
        install_index_template(es, settings)
        for index in monthly_indices(settings.es_index_prefix, enriched):
            es.indices.create(index=index)
        for index in monthly_indices(baseline_prefix(settings), enriched):
            es.indices.create(index=index, **baseline_index(settings))
    count = len({article.article_id for article in enriched})  # documents; a re-delivery is one
    with ThreadPoolExecutor(1) as pool:
        raw_loop = pool.submit(asyncio.run, consume_and_write(settings, len(enriched)))

        def written_by_loop() -> int:
            if raw_loop.done():
                raw_loop.result()  # the loop's error, if it ended with one
            return indexed_count(settings, baseline_prefix(settings))

        raw_seconds = reached(written_by_loop, count, "documents of the raw loop") - raw_loop.result()
    with launched("indexing", run) as process:
        started = ready_after("indexing", run, poll_s=0.02)
        done = reached(lambda: indexed_count(settings, settings.es_alias), count, "indexed documents")
        rss = peak_rss_mb(process)
    service_seconds = done - started
    return {
        "documents": count,
        "service_per_s": count / service_seconds,
        "raw_async_bulk_per_s": count / raw_seconds,
        "ratio": raw_seconds / service_seconds,
        "peak_rss_mb": rss,
    }


def baseline_prefix(settings: KabarSettings) -> str:
    """The raw loop's indices and alias: outside the template's patterns (``{prefix}-*``),
    so that they are not put under the alias the worker's documents are counted through."""
    return f"baseline-{settings.es_index_prefix}"


def baseline_index(settings: KabarSettings) -> dict[str, Any]:
    """What the template gives the worker's indices, made explicit, with an alias of the
    raw loop's own instead of the worker's."""
    template = index_template(settings)["template"]
    return {
        "settings": template["settings"],
        "mappings": template["mappings"],
        "aliases": {baseline_prefix(settings): {}},
    }


def monthly_indices(prefix: str, articles: Sequence[EnrichedArticle]) -> set[str]:
    return {index_for(prefix, article.published_at, article.ingested_at) for article in articles}


async def consume_and_write(settings: IndexingSettings, events: int) -> float:
    """The raw loop: a poll of at most the worker's batch size, then one ``async_bulk`` of
    it, until ``events`` are written; returns when its first poll returned events.
    Nothing else runs on its event loop, so the blocking polls hold nothing up."""
    reader = from_the_start(settings, settings.topic_enriched, max_poll_records=settings.batch_size)
    es = async_client(settings)
    try:
        values = next_values(reader)
        started, written = time.monotonic(), 0
        while True:
            actions = [
                document_action(baseline_prefix(settings), EnrichedArticle.model_validate_json(value))
                for value in values
            ]
            await helpers.async_bulk(es, actions)  # raises if a document was refused
            written += len(values)
            if written >= events:
                return started
            values = next_values(reader)
    finally:
        await es.close()
        reader.close()


def from_the_start(settings: KabarSettings, topic: str, **options: Any) -> KafkaConsumer:
    """A consumer of every partition of ``topic`` from its first record, in no group."""
    reader = consumer(settings, "kabar-bench", **options)
    tps = [TopicPartition(topic, p) for p in reader.partitions_for_topic(topic) or ()]
    reader.assign(tps)
    reader.seek_to_beginning(*tps)
    return reader


def next_values(reader: KafkaConsumer) -> list[bytes]:
    """The values of the next poll that returns any."""
    while True:
        values = [r.value for records in reader.poll(timeout_ms=1_000).values() for r in records]
        if values:
            return values


def read_values(settings: KabarSettings, topic: str, count: int) -> list[bytes]:
    reader = from_the_start(settings, topic)
    values: list[bytes] = []
    while len(values) < count:
        values.extend(next_values(reader))
    reader.close()
    return values[:count]


def bench_end_to_end(languages: tuple[str, ...], count: int) -> dict[str, Any]:
    """The whole pipeline on topics and an index of its own, each service its own process
    (enrichment with its extraction processes), the broker and the search server shared.

    Saturation: articles pushed through the API in NDJSON batches as fast as it takes them;
    the rate is how fast the indexed count rises from ``count`` / 5 to 4 ``count`` / 5, the
    steady middle without the start-up, and each process's CPU seconds are taken over the
    same middle. Ingestion takes articles faster than the stages after it index them, so it
    is kept ``SATURATION_BACKLOG`` articles ahead of them (``push_ahead``) and pushes on until
    that middle is over: a push that ended sooner would leave the later stages the machine
    to themselves, and the rate would be a drain's, not one the pipeline sustains (the run
    fails instead). Then half that rate, offered evenly for 20 s
    to articles of their own: the latency of each, indexed_at - ingested_at, p50 and p99."""
    run = fresh_run()
    ensure_topics(run.settings)
    # enough for the middle and the backlog kept ahead of it
    documents = sample_documents(20 + count + 2 * SATURATION_BACKLOG, languages=languages)
    warm_up, saturating = documents[:20], documents[20:]
    url = articles_url(run)
    indexed = partial(indexed_count, run.settings, run.settings.es_alias)
    with (
        service("ingestion", run) as ingestion,
        service("enrichment", run) as enrichment,
        service("indexing", run) as indexing,
    ):
        pids = {"ingestion": ingestion.pid, "enrichment": enrichment.pid, "indexing": indexing.pid}
        pids.update(server_pids())
        push(url, warm_up)
        reached(indexed, len(warm_up), "warm-up documents")
        stop, pushed = threading.Event(), []
        pushing = threading.Thread(
            target=lambda: pushed.append(
                push_ahead(url, saturating, lambda: indexed() - len(warm_up), SATURATION_BACKLOG, stop)
            )
        )
        pushing.start()
        low, high = len(warm_up) + count // 5, len(warm_up) + count * 4 // 5
        reached(indexed, low, "a fifth of the documents", poll_s=0.5)
        cpu_low, started = {name: cpu_seconds(pid) for name, pid in pids.items()}, time.monotonic()
        reached(indexed, high, "four fifths of the documents", poll_s=0.5)
        cpu_high, middle_s = (
            {name: cpu_seconds(pid) for name, pid in pids.items()},
            time.monotonic() - started,
        )
        sustained = pushing.is_alive()
        stop.set()
        pushing.join()
        if not sustained:
            raise StackError(
                f"all {len(saturating)} articles were pushed before the middle ended: not a sustained rate"
            )
        indexed_before = len(warm_up) + pushed[0]
        reached(indexed, indexed_before, "every pushed document", poll_s=0.5)
        saturation = (high - low) / middle_s
        rate = saturation / 2
        offered = max(1, int(rate * HALF_LOAD_S))
        half_load = sample_documents(len(documents) + offered, languages=languages)[len(documents) :]
        offered_from = datetime.now(UTC)
        push_at_rate(url, half_load, rate)
        reached(indexed, indexed_before + offered, "the half-load documents", poll_s=0.5)
        waits = latencies(run.settings, since=offered_from)
    return {
        "languages": list(languages) or "mix",
        "saturation_per_s": saturation,
        "half_load_per_s": rate,
        "half_load_p50_s": quantile(waits, 0.50),
        "half_load_p99_s": quantile(waits, 0.99),
        "cpu_seconds_at_saturation": {name: cpu_high[name] - cpu_low[name] for name in pids},
        "cores_at_saturation": {name: (cpu_high[name] - cpu_low[name]) / middle_s for name in pids},
    }


HALF_LOAD_S = 20  # how long half the saturation rate is offered
SATURATION_BACKLOG = 500  # pushed articles not yet indexed, at saturation: seconds of work
PUSH_BATCH = 100  # articles per request to the push API


def push(url: str, documents: list[bytes]) -> None:
    with httpx.Client(timeout=60) as client:
        for offset in range(0, len(documents), PUSH_BATCH):
            post_batch(client, url, documents[offset : offset + PUSH_BATCH])


def post_batch(client: httpx.Client, url: str, documents: list[bytes]) -> None:
    answer = client.post(url, content=b"\n".join(documents), headers={"content-type": "application/x-ndjson"})
    answer.raise_for_status()


def push_ahead(
    url: str, documents: list[bytes], indexed: Callable[[], int], ahead: int, stop: threading.Event
) -> int:
    """Batches of ``PUSH_BATCH`` as fast as the API takes them, but never more than ``ahead`` articles
    beyond those ``indexed``, until ``stop``; returns how many were pushed. The stages after
    ingestion always have that backlog to work on, and ingestion, which takes articles
    faster than they index them, keeps pushing at their pace for as long as they run
    instead of racing to the end of the documents first."""
    pushed = 0
    with httpx.Client(timeout=60) as client:
        for offset in range(0, len(documents), PUSH_BATCH):
            while pushed - indexed() >= ahead and not stop.is_set():
                stop.wait(1.0)  # polls the indexed count, which costs the search server a query
            if stop.is_set():
                break
            batch = documents[offset : offset + PUSH_BATCH]
            post_batch(client, url, batch)
            pushed += len(batch)
    return pushed


def push_at_rate(url: str, documents: list[bytes], rate_per_s: float) -> None:
    """One article per request, each at its time on an even schedule."""
    with httpx.Client(timeout=30) as client:
        started = time.monotonic()
        for n, document in enumerate(documents):
            time.sleep(max(0.0, started + n / rate_per_s - time.monotonic()))  # the schedule itself
            client.post(
                url, content=document, headers={"content-type": "application/json"}
            ).raise_for_status()


def server_pids() -> dict[str, int]:
    """The broker and the search server ``kabar up --servers-only`` started; noida-db once,
    under both names, when it is both."""
    stack = StackSettings()
    broker = broker_pid()
    search = running_pid(noida_process(stack, kafka=stack.local_kafka == "noida-db"), stack)
    if search is None or search == broker:
        return {"kafka and elasticsearch (noida-db)": broker}
    return {"kafka": broker, "elasticsearch (noida-db)": search}


def broker_pid() -> int:
    """The broker ``kabar up --servers-only`` started: Apache Kafka's java, or noida-db."""
    stack = StackSettings()
    cluster = local_kafka_cluster(stack)
    for process in (*(cluster.process(node) for node in cluster.nodes), noida_process(stack)):
        pid = running_pid(process, stack)
        if pid is not None:
            return pid
    raise StackError("no local broker runs: `kabar up --servers-only` first")


def bench_kafka_tools(run: Run, count: int, record_bytes: int) -> dict[str, float]:
    """Kafka's own producer and consumer performance tools on a topic made like the raw
    topic (same partitions, replication and limits), with acks=all: what this box's broker
    takes and gives at most, the ceiling every stage's ratio sits under."""
    settings = run.settings
    ensure_topics(settings)
    jars = apache_kafka.jar_paths(StackSettings().cache_dir)
    java = apache_kafka.require_tools()

    def tool(main_class: str, *args: str) -> str:
        done = subprocess.run(
            [java, "-cp", jars.classpath, main_class, *args], capture_output=True, text=True, timeout=600
        )
        if done.returncode != 0:
            raise StackError(f"{main_class} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
        return done.stdout

    produced = tool(
        "org.apache.kafka.tools.ProducerPerformance",
        "--topic", settings.topic_raw, "--num-records", str(count), "--record-size", str(record_bytes),
        "--throughput", "-1",
        "--producer-props", f"bootstrap.servers={settings.kafka_bootstrap}", "acks=all", "linger.ms=5",
    )  # fmt: skip
    # the summary line: "N records sent, X records/sec (Y MB/sec), ..."
    summary = [line for line in produced.splitlines() if "records sent" in line][-1]
    producer_per_s = float(summary.split("records sent,")[1].split("records/sec")[0])
    consumed = tool(
        "org.apache.kafka.tools.ConsumerPerformance",
        "--bootstrap-server", settings.kafka_bootstrap, "--topic", settings.topic_raw,
        "--messages", str(count), "--timeout", "120000",
    )  # fmt: skip
    consumer_per_s = _consumer_rate(consumed, count)
    return {
        "record_bytes": record_bytes,
        "producer_per_s": producer_per_s,
        "consumer_per_s": consumer_per_s,
    }


def _consumer_rate(printed: str, count: int) -> float:
    """Records per second from ConsumerPerformance's CSV: the ``nMsg.sec`` column of its
    summary row (the last line with as many fields as the header), group join included."""
    lines = [line for line in printed.splitlines() if line.strip()]
    header = next(line for line in lines if "nMsg.sec" in line)
    columns = [c.strip() for c in header.split(",")]
    rows = [line for line in lines if line is not header and len(line.split(",")) == len(columns)]
    row = dict(zip(columns, (f.strip() for f in rows[-1].split(",")), strict=True))
    if int(row["data.consumed.in.nMsg"]) < count:
        raise StackError(f"ConsumerPerformance read {row['data.consumed.in.nMsg']} of {count} records")
    return float(row["nMsg.sec"])


def latencies(settings: KabarSettings, since: datetime) -> list[float]:
    """indexed_at - ingested_at of every document ingested from ``since`` on."""
    with sync_client(settings) as es:
        es.indices.refresh(index=settings.es_alias)
        hits = es.search(
            index=settings.es_alias,
            size=10_000,
            query={"range": {"ingested_at": {"gte": since.isoformat()}}},
            source_includes=["ingested_at", "indexed_at"],
        )
    return [
        (
            datetime.fromisoformat(h["_source"]["indexed_at"])
            - datetime.fromisoformat(h["_source"]["ingested_at"])
        ).total_seconds()
        for h in hits["hits"]["hits"]
    ]


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def parsed(documents: list[bytes]) -> list[RawArticle]:
    return [a for a in (parse_article(d) for d in documents) if isinstance(a, RawArticle)]


def median_of(measured: Sequence[dict[str, Any]], figures: Sequence[str]) -> dict[str, Any]:
    """Several runs of one measurement as one: each of ``figures`` the median of its runs,
    with every run's value and the lowest and highest beside it, since on a shared machine
    one run proves little and the spread says how much. What goes with the figures (rates,
    memory, cores) is the run whose first figure is the median. The median of an even
    number of runs is the higher middle one, a value some run measured."""
    middle = statistics.median_high(float(m[figures[0]]) for m in measured)
    summary = dict(next(m for m in measured if float(m[figures[0]]) == middle))
    for key in figures:
        values = [float(m[key]) for m in measured]
        summary[key] = statistics.median_high(values)
        summary[f"{key}_runs"] = values
        summary[f"{key}_min"], summary[f"{key}_max"] = min(values), max(values)
    return summary


INGESTION_FIGURES = ("ratio", "push_api_ratio", "backfill_ratio")
INDEXING_FIGURES = ("ratio",)
END_TO_END_FIGURES = ("saturation_per_s", "half_load_p50_s", "half_load_p99_s")


def enrichment_median(measured: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Per CPU second first: the figure the noise of a shared machine leaves alone."""
    extractor = [f"{EXTRACTOR}{language}" for language in measured[0]["languages"]]
    return median_of(measured, ("ratio_per_cpu_s", "ratio", *extractor))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=600, help="events per throughput measurement")
    parser.add_argument("--e2e-events", type=int, default=1500, help="articles per end-to-end saturation run")
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of each measurement; the median is reported"
    )
    parser.add_argument("--output", type=Path, default=Path("bench-results") / "latest.json")
    args = parser.parse_args()

    documents = sample_documents(args.events)
    raw_articles = parsed(documents)
    results: dict[str, Any] = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "kafka": broker_description(StackSettings()),
    }
    if "Apache Kafka" in results["kafka"]:
        kafka_tools_run = fresh_run()
        results["kafka_tools"] = bench_kafka_tools(kafka_tools_run, args.events * 10, 3_000)
    repeat = range(args.repeat)
    results["ingestion"] = median_of(
        [bench_ingestion(fresh_run(), documents) for _ in repeat], INGESTION_FIGURES
    )
    enrichment_runs = [fresh_run() for _ in repeat]
    results["enrichment"] = enrichment_median(
        [bench_enrichment(run, raw_articles) for run in enrichment_runs]
    )
    # what the worker wrote is what every indexing measurement starts from
    source = enrichment_runs[0].settings
    enriched = [
        EnrichedArticle.model_validate_json(value)
        for value in read_values(source, source.topic_enriched, len(raw_articles))
    ]
    results["indexing"] = median_of([bench_indexing(fresh_run(), enriched) for _ in repeat], INDEXING_FIGURES)
    # the region's own languages apart: spaCy's English model costs ten times the rules
    regional = parsed(sample_documents(args.events, languages=("id", "ms")))
    results["enrichment_id_ms"] = enrichment_median([bench_enrichment(fresh_run(), regional) for _ in repeat])
    results["end_to_end"] = {
        "id_ms": median_of(
            [bench_end_to_end(("id", "ms"), args.e2e_events) for _ in repeat], END_TO_END_FIGURES
        ),
        "mix": median_of([bench_end_to_end((), args.e2e_events) for _ in repeat], END_TO_END_FIGURES),
    }
    results["stages"] = {
        "ingestion": results["ingestion"],
        "enrichment": {
            **results["enrichment"],
            "extractor_per_cpu_s": per_language(results["enrichment"]),
            "extractor_per_cpu_s_min": per_language(results["enrichment"], "_min"),
            "extractor_per_cpu_s_max": per_language(results["enrichment"], "_max"),
        },
        "indexing": results["indexing"],
    }
    results["cpu_seconds_at_saturation"] = results["end_to_end"]["id_ms"]["cpu_seconds_at_saturation"]

    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2))
    write_readme(results)
    print(render(results))
    print(f"\nwritten to {args.output}")
    return 0


def spread(figures: dict[str, Any], key: str, digits: int = 2) -> str:
    """A figure of several runs: the median, then the lowest and highest."""
    low, high = figures[f"{key}_min"], figures[f"{key}_max"]
    return f"{figures[key]:.{digits}f} ({low:.{digits}f} to {high:.{digits}f})"


def stage_rows(results: dict[str, Any]) -> list[tuple[str, float, str, float, str]]:
    """Each stage against its baseline: both rates (the median run's) and the ratio (the
    median of the runs, with their lowest and highest)."""
    ing, idx = results["ingestion"], results["indexing"]
    loop = "parse + produce loop"
    rows = [
        (
            "ingestion, push API",
            ing["push_api_per_s"],
            loop,
            ing["raw_producer_per_s"],
            spread(ing, "push_api_ratio"),
        ),
        (
            "ingestion, backfill",
            ing["backfill_per_s"],
            loop,
            ing["raw_producer_per_s"],
            spread(ing, "backfill_ratio"),
        ),
    ]
    for languages, enr in (("all languages", results["enrichment"]), ("id, ms", results["enrichment_id_ms"])):
        rows += [
            (
                f"enrichment ({languages})",
                enr["service_per_s"],
                "raw extractor loop",
                enr["raw_extractor_per_s"],
                spread(enr, "ratio"),
            ),
            (
                "  the same per CPU second",
                enr["service_per_cpu_s"],
                "raw extractor loop",
                enr["raw_extractor_per_cpu_s"],
                spread(enr, "ratio_per_cpu_s"),
            ),
        ]
    rows.append(
        (
            "indexing worker",
            idx["service_per_s"],
            "consume + async_bulk",
            idx["raw_async_bulk_per_s"],
            spread(idx, "ratio"),
        )
    )
    return rows


def extractor_line(results: dict[str, Any]) -> str:
    enr = results["enrichment"]
    return "  ".join(f"{language} {spread(enr, EXTRACTOR + language, 0)}" for language in enr["languages"])


def render(results: dict[str, Any]) -> str:
    lines = [f"kafka: {results['kafka']}"]
    if "kafka_tools" in results:
        tools = results["kafka_tools"]
        lines.append(
            f"the box's ceiling, Kafka's own tools ({tools['record_bytes']} B records, acks=all): "
            f"producer {tools['producer_per_s']:.0f}/s, consumer {tools['consumer_per_s']:.0f}/s"
        )
    lines.append(
        f"each ratio the median of {len(results['ingestion']['ratio_runs'])} runs (lowest to highest); "
        "the rates the median run's"
    )
    lines.append(f"{'stage':<26}{'per s':>9}  {'baseline':<22}{'per s':>9}  ratio")
    lines += [f"{a:<26}{b:>9.0f}  {c:<22}{d:>9.0f}  {e}" for a, b, c, d, e in stage_rows(results)]
    for name, run in results["end_to_end"].items():
        lines.append(
            f"end to end, {name}: saturation {spread(run, 'saturation_per_s', 0)}/s; "
            f"at {run['half_load_per_s']:.0f}/s p50 {spread(run, 'half_load_p50_s')}s "
            f"p99 {spread(run, 'half_load_p99_s')}s; "
            "cores at saturation: " + "  ".join(f"{k} {v:.2f}" for k, v in run["cores_at_saturation"].items())
        )
    lines.append(
        "raw extractor per language (articles per CPU second, i.e. on one core): " + extractor_line(results)
    )
    return "\n".join(lines)


README_START, README_END = "<!-- bench:start -->", "<!-- bench:end -->"


def end_to_end_markdown(results: dict[str, Any]) -> str:
    """The README's end-to-end table, written from the benchmark's JSON."""
    runs = results["end_to_end"]
    lines = [
        f"Measured on {results['kafka']}, {results['when'][:10]}, "
        f"{results['machine']['cpus']} cores; each figure the median of "
        f"{len(runs['id_ms']['saturation_per_s_runs'])} runs, with the lowest and highest.",
        "",
        "| articles | saturation, articles/s | at half of it: p50 / p99, s |",
        "|---|---|---|",
    ]
    for name, label in (("id_ms", "Indonesian and Malay"), ("mix", "the sample mix")):
        run = runs[name]
        lines.append(
            f"| {label} | {spread(run, 'saturation_per_s', 0)} | {spread(run, 'half_load_p50_s')} / "
            f"{spread(run, 'half_load_p99_s')} at {run['half_load_per_s']:.0f}/s |"
        )
    cores = runs["id_ms"]["cores_at_saturation"]
    lines += [
        "",
        "Cores each process took at saturation (Indonesian and Malay, the median run): "
        + ", ".join(f"{name} {value:.2f}" for name, value in cores.items())
        + ".",
    ]
    return "\n".join(lines)


def stages_markdown(results: dict[str, Any]) -> str:
    """The README's table of each stage against the raw library doing the same work."""
    lines = [
        "| stage | per s | baseline | per s | ratio (lowest to highest) |",
        "|---|---|---|---|---|",
        *(f"| {a.strip()} | {b:.0f} | {c} | {d:.0f} | {e} |" for a, b, c, d, e in stage_rows(results)),
        "",
        "The extractor alone, articles per CPU second (on one core): " + extractor_line(results) + ".",
    ]
    return "\n".join(lines)


def write_readme(results: dict[str, Any], readme: Path = Path("README.md")) -> None:
    text = readme.read_text("utf-8")
    head, rest = text.split(README_START, 1)
    _, tail = rest.split(README_END, 1)
    generated = f"{end_to_end_markdown(results)}\n\n{stages_markdown(results)}"
    readme.write_text(f"{head}{README_START}\n{generated}\n{README_END}{tail}", "utf-8")


if __name__ == "__main__":
    sys.exit(main())
