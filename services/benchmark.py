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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import httpx
from elasticsearch import helpers
from kafka import KafkaProducer, TopicPartition
from kafka.admin import NewTopic

from schemas.events import EnrichedArticle, RawArticle
from services import apache_kafka
from services.common.dlq import Origin
from services.common.kafka import admin_client, connection_options, consumer, ensure_topics, producer
from services.common.settings import IngestionSettings, KabarSettings, StackSettings
from services.enrichment.entities import extract_entities
from services.enrichment.language import identify_language
from services.enrichment.transform import load_models
from services.indexing.documents import article_action
from services.indexing.index_design import async_client, install_index_template, sync_client
from services.ingestion.publish import Publisher
from services.ingestion.validate import parse_article
from services.processes import StackError, cpu_seconds, http_ok, running_pid, wait_until
from services.stack import broker_description, local_kafka_cluster, noida_process

REPO_ROOT = Path(__file__).resolve().parents[1]
SAMPLES = REPO_ROOT / "samples" / "articles.ndjson"


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
    suffix = uuid.uuid4().hex[:8]
    base = KabarSettings()
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
        "KABAR_DATA_DIR": str(REPO_ROOT / ".kabar" / "bench" / suffix),
        "KABAR_LOG_LEVEL": "WARNING",
    }
    return Run(
        env, KabarSettings.model_validate({k.removeprefix("KABAR_").lower(): v for k, v in env.items()})
    )


@contextmanager
def service(name: str, run: Run) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "services.cli", "serve", name],
        env={**os.environ, **run.env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=REPO_ROOT,
    )
    ready = f"http://127.0.0.1:{run.env[f'KABAR_{name.upper()}_PORT']}/readyz"
    try:
        wait_until(partial(http_ok, ready), 90, f"{name} ready", poll_s=0.3)
        yield process
    finally:
        process.terminate()
        process.wait(30)


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
    settings = IngestionSettings(**run.settings.model_dump())
    baseline_topic = f"{settings.topic_raw}.baseline"  # a topic no stage reads
    admin = admin_client(settings)
    admin.create_topics([NewTopic(baseline_topic, settings.topic_partitions, settings.topic_replication)])
    admin.close()
    raw_producer = KafkaProducer(**connection_options(settings), acks="all", linger_ms=5)
    started = time.perf_counter()
    for document in documents:
        raw_producer.send(baseline_topic, value=document)
    raw_producer.flush()
    raw_seconds = time.perf_counter() - started
    raw_producer.close()
    kafka_producer = producer(settings, "bench-ingestion")
    publisher = Publisher(settings, kafka_producer)
    started = time.perf_counter()
    for offset in range(0, len(documents), 500):
        publisher.publish([(d, Origin("bench")) for d in documents[offset : offset + 500]])
    service_seconds = time.perf_counter() - started
    kafka_producer.close()
    return {
        "events": len(documents),
        "service_per_s": len(documents) / service_seconds,
        "raw_producer_per_s": len(documents) / raw_seconds,
        "ratio": raw_seconds / service_seconds,
    }


WARM_UP_ARTICLES = 6


def bench_enrichment(run: Run, raw_articles: list[RawArticle]) -> dict[str, float]:
    """The Faust worker vs the extractor functions (language with its paragraph shares,
    entities) called in a loop on the same articles. The first articles warm both up (the
    worker loads its models on them); the clock starts when the worker has enriched them,
    and the rest is sent to it then, faster than it can keep up with.

    Both are also counted per CPU second (the loop's own, the worker process's), which
    is what "per core" means and what the noise of a shared machine leaves alone."""
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
        send_raw(run.settings, warm_up)
        reached(enriched, len(warm_up), "warm-up events")
        started, cpu_started = time.monotonic(), cpu_seconds(process.pid)
        send_raw(run.settings, measured)
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
        **{
            f"raw_extractor_per_cpu_s_{language}": count_by_language[language] / seconds
            for language, seconds in sorted(seconds_by_language.items())
        },
    }


def send_raw(settings: KabarSettings, articles: list[RawArticle]) -> None:
    """Raw events as ingestion publishes them, keyed by article id."""
    kafka_producer = KafkaProducer(**connection_options(settings), acks="all", linger_ms=5)
    for article in articles:
        kafka_producer.send(
            settings.topic_raw, key=article.article_id.encode(), value=article.model_dump_json().encode()
        )
    kafka_producer.flush()
    kafka_producer.close()


def bench_indexing(run: Run, count: int) -> dict[str, float]:
    """The indexing worker on ``count`` enriched events vs ``helpers.async_bulk`` writing
    the same documents to the same server."""
    settings = run.settings
    with sync_client(settings) as es:
        install_index_template(es, settings)
    enriched = [
        EnrichedArticle.model_validate_json(v) for v in read_values(settings, settings.topic_enriched, count)
    ]
    now = datetime.now(UTC)
    baseline_index = f"{settings.es_index_prefix}-baseline"
    actions = []
    for article in enriched:
        fields = article_action(article, settings.es_index_prefix, now)["_source"]["script"]["params"][
            "fields"
        ]
        actions.append(
            {"_op_type": "index", "_index": baseline_index, "_id": article.article_id, "_source": fields}
        )

    async def raw_bulk() -> float:
        es = async_client(settings)
        try:
            started = time.perf_counter()
            await helpers.async_bulk(es, actions, chunk_size=200)
            await es.indices.refresh(index=baseline_index)
            return time.perf_counter() - started
        finally:
            await es.close()

    raw_seconds = asyncio.run(raw_bulk())
    with service("indexing", run) as process:
        started = time.monotonic()
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


def read_values(settings: KabarSettings, topic: str, count: int) -> list[bytes]:
    reader = consumer(settings, "kabar-bench")
    tps = [TopicPartition(topic, p) for p in reader.partitions_for_topic(topic) or ()]
    reader.assign(tps)
    reader.seek_to_beginning(*tps)
    values: list[bytes] = []
    while len(values) < count:
        for records in reader.poll(timeout_ms=1_000).values():
            values.extend(r.value for r in records)
    reader.close()
    return values[:count]


def bench_end_to_end(languages: tuple[str, ...], count: int) -> dict[str, Any]:
    """The whole pipeline on topics and an index of its own, each service its own process
    (enrichment with its extraction processes), the broker and the search server shared.

    Saturation: ``count`` articles pushed through the API in NDJSON batches as fast as it
    takes them; the rate is how fast the indexed count rises from 20% to 80% of them, the
    steady middle without the start-up and the tail, and each process's CPU seconds are
    taken over the same middle. Then half that rate, offered evenly for 20 s to articles
    of their own: the latency of each, indexed_at - ingested_at, p50 and p99."""
    run = fresh_run()
    ensure_topics(run.settings)
    documents = sample_documents(20 + count, languages=languages)
    warm_up, saturating = documents[:20], documents[20:]
    url = f"http://127.0.0.1:{run.env['KABAR_INGESTION_PORT']}/v1/articles"
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
        pushing = threading.Thread(target=push, args=(url, saturating))
        pushing.start()
        low, high = len(warm_up) + count // 5, len(warm_up) + count * 4 // 5
        reached(indexed, low, "a fifth of the documents", poll_s=0.5)
        cpu_low, started = {name: cpu_seconds(pid) for name, pid in pids.items()}, time.monotonic()
        reached(indexed, high, "four fifths of the documents", poll_s=0.5)
        cpu_high, middle_s = (
            {name: cpu_seconds(pid) for name, pid in pids.items()},
            time.monotonic() - started,
        )
        reached(indexed, len(warm_up) + count, "every document", poll_s=0.5)
        pushing.join()
        saturation = (high - low) / middle_s
        rate = saturation / 2
        offered = max(1, int(rate * HALF_LOAD_S))
        half_load = sample_documents(len(documents) + offered, languages=languages)[len(documents) :]
        offered_from = datetime.now(UTC)
        push_at_rate(url, half_load, rate)
        reached(indexed, len(documents) + offered, "the half-load documents", poll_s=0.5)
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


def push(url: str, documents: list[bytes], batch: int = 100) -> None:
    with httpx.Client(timeout=60) as client:
        for offset in range(0, len(documents), batch):
            answer = client.post(
                url,
                content=b"\n".join(documents[offset : offset + batch]),
                headers={"content-type": "application/x-ndjson"},
            )
            answer.raise_for_status()


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


def median_of(runs: int, measure: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """``runs`` measurements: the one with the median saturation, with every run's
    saturation, half-load p50 and p99 listed beside it (their min and max are the spread)."""
    measured = sorted((measure() for _ in range(runs)), key=lambda m: float(m["saturation_per_s"]))
    median = dict(measured[len(measured) // 2])
    for key in ("saturation_per_s", "half_load_p50_s", "half_load_p99_s"):
        values = [float(m[key]) for m in measured]
        median[f"{key}_runs"] = values
        median[f"{key}_min"], median[f"{key}_max"] = min(values), max(values)
    return median


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=600, help="events per throughput measurement")
    parser.add_argument(
        "--rate", type=float, default=20.0, help="offered load of the fixed-rate run, articles/s"
    )
    parser.add_argument("--e2e-events", type=int, default=1500, help="articles per end-to-end saturation run")
    parser.add_argument("--repeat", type=int, default=3, help="end-to-end runs; the median is reported")
    parser.add_argument("--output", type=Path, default=REPO_ROOT / "bench-results" / "latest.json")
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
    ingestion_run = fresh_run()
    ensure_topics(ingestion_run.settings)
    results["ingestion"] = bench_ingestion(ingestion_run, documents)
    pipeline_run = fresh_run()
    ensure_topics(pipeline_run.settings)
    results["enrichment"] = bench_enrichment(pipeline_run, raw_articles)
    results["indexing"] = bench_indexing(pipeline_run, len(raw_articles))
    # the region's own languages apart: spaCy's English model costs ten times the rules
    regional_run = fresh_run()
    ensure_topics(regional_run.settings)
    results["enrichment_id_ms"] = bench_enrichment(
        regional_run, parsed(sample_documents(args.events, languages=("id", "ms")))
    )
    results["end_to_end"] = {
        "id_ms": median_of(args.repeat, lambda: bench_end_to_end(("id", "ms"), args.e2e_events)),
        "mix": median_of(args.repeat, lambda: bench_end_to_end((), args.e2e_events)),
    }
    results["stages"] = {
        "ingestion": results["ingestion"],
        "enrichment": {
            **results["enrichment"],
            "extractor_per_cpu_s": {
                key.removeprefix("raw_extractor_per_cpu_s_"): value
                for key, value in results["enrichment"].items()
                if key.startswith("raw_extractor_per_cpu_s_")
            },
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


def enrichment_rows(languages: str, enr: dict[str, float]) -> list[tuple[str, float, str, float, float]]:
    return [
        (
            f"enrichment ({languages})",
            enr["service_per_s"],
            "raw extractor loop",
            enr["raw_extractor_per_s"],
            enr["ratio"],
        ),
        (
            "  per CPU second",
            enr["service_per_cpu_s"],
            "raw extractor loop",
            enr["raw_extractor_per_cpu_s"],
            enr["ratio_per_cpu_s"],
        ),
    ]


def render(results: dict[str, Any]) -> str:
    ing, enr, idx, e2e = (
        results["ingestion"],
        results["enrichment"],
        results["indexing"],
        results["end_to_end"],
    )
    rows = [
        (
            "ingestion (validate, clean, produce)",
            ing["service_per_s"],
            "raw KafkaProducer",
            ing["raw_producer_per_s"],
            ing["ratio"],
        ),
        *enrichment_rows("all languages", results["enrichment"]),
        *enrichment_rows("id, ms", results["enrichment_id_ms"]),
        (
            "indexing worker",
            idx["service_per_s"],
            "raw async_bulk",
            idx["raw_async_bulk_per_s"],
            idx["ratio"],
        ),
    ]
    lines = [f"kafka: {results['kafka']}"]
    if "kafka_tools" in results:
        tools = results["kafka_tools"]
        lines.append(
            f"the box's ceiling, Kafka's own tools ({tools['record_bytes']} B records, acks=all): "
            f"producer {tools['producer_per_s']:.0f}/s, consumer {tools['consumer_per_s']:.0f}/s"
        )
    lines.append(f"{'stage':<38}{'per s':>9}  {'baseline':<20}{'per s':>9}{'ratio':>8}")
    lines += [f"{a:<38}{b:>9.0f}  {c:<20}{d:>9.0f}{e:>8.2f}" for a, b, c, d, e in rows]
    for name, run in e2e.items():
        lines.append(
            f"end to end, {name}: saturation {run['saturation_per_s']:.0f}/s "
            f"(runs {run['saturation_per_s_min']:.0f} to {run['saturation_per_s_max']:.0f}); "
            f"at {run['half_load_per_s']:.0f}/s p50 {run['half_load_p50_s']:.2f}s "
            f"p99 {run['half_load_p99_s']:.2f}s; "
            "cores at saturation: " + "  ".join(f"{k} {v:.2f}" for k, v in run["cores_at_saturation"].items())
        )
    per_language = {
        k.removeprefix("raw_extractor_per_cpu_s_"): v
        for k, v in enr.items()
        if k.startswith("raw_extractor_per_cpu_s_")
    }
    lines.append(
        "raw extractor per language (articles per CPU second, i.e. on one core): "
        + "  ".join(f"{k} {v:.0f}" for k, v in per_language.items())
    )
    return "\n".join(lines)


README_START, README_END = "<!-- bench:start -->", "<!-- bench:end -->"


def end_to_end_markdown(results: dict[str, Any]) -> str:
    """The README's end-to-end table, written from the benchmark's JSON (``--readme``)."""
    runs = results["end_to_end"]
    lines = [
        f"Measured on {results['kafka']}, {results['when'][:10]}, "
        f"{results['machine']['cpus']} cores; the median of {len(runs['id_ms']['saturation_per_s_runs'])} "
        "runs, with the lowest and highest.",
        "",
        "| articles | saturation, articles/s | at half of it: p50 / p99, s |",
        "|---|---|---|",
    ]
    for name, label in (("id_ms", "Indonesian and Malay"), ("mix", "the sample mix")):
        run = runs[name]
        lines.append(
            f"| {label} | {run['saturation_per_s']:.0f} ({run['saturation_per_s_min']:.0f} to "
            f"{run['saturation_per_s_max']:.0f}) | {run['half_load_p50_s']:.2f} / "
            f"{run['half_load_p99_s']:.2f} at {run['half_load_per_s']:.0f}/s |"
        )
    cores = runs["id_ms"]["cores_at_saturation"]
    lines += [
        "",
        "Cores each process took at saturation (Indonesian and Malay, the median run): "
        + ", ".join(f"{name} {value:.2f}" for name, value in cores.items())
        + ".",
    ]
    return "\n".join(lines)


def write_readme(results: dict[str, Any], readme: Path = REPO_ROOT / "README.md") -> None:
    text = readme.read_text("utf-8")
    head, rest = text.split(README_START, 1)
    _, tail = rest.split(README_END, 1)
    readme.write_text(f"{head}{README_START}\n{end_to_end_markdown(results)}\n{README_END}{tail}", "utf-8")


if __name__ == "__main__":
    sys.exit(main())
