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


def reached(count: Callable[[], int], expected: int, what: str, timeout_s: float = 300) -> float:
    """The moment ``count`` reached ``expected``, polled often enough to time short runs."""
    wait_until(lambda: count() >= expected, timeout_s, f"{expected} {what}", poll_s=0.05)
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


def bench_end_to_end(run: Run, documents: list[bytes], rate_per_s: float) -> dict[str, float]:
    """All services running; articles pushed through the API at a fixed rate, then as fast
    as they go. Latency is indexed_at - ingested_at of every document."""
    url = f"http://127.0.0.1:{run.env['KABAR_INGESTION_PORT']}/v1/articles"
    half = len(documents) // 2
    with (
        service("ingestion", run) as ingestion,
        service("enrichment", run) as enrichment,
        service("indexing", run) as indexing,
    ):
        started = time.monotonic()
        for n, document in enumerate(documents[:half]):
            httpx.post(url, content=document, headers={"content-type": "application/json"}, timeout=30)
            time.sleep(max(0.0, started + (n + 1) / rate_per_s - time.monotonic()))
        reached(lambda: indexed_count(run.settings, run.settings.es_alias), half, "indexed documents")
        fixed = latencies(run.settings)
        broker_cpu_before = cpu_seconds(broker_pid())
        started = time.monotonic()
        for offset in range(half, len(documents), 200):
            batch = b"\n".join(documents[offset : offset + 200])
            httpx.post(url, content=batch, headers={"content-type": "application/x-ndjson"}, timeout=60)
        done = reached(
            lambda: indexed_count(run.settings, run.settings.es_alias), len(documents), "indexed documents"
        )
        broker_cpu = cpu_seconds(broker_pid()) - broker_cpu_before
        saturated = latencies(run.settings)[half:]
        rss = {
            name: peak_rss_mb(p)
            for name, p in (("ingestion", ingestion), ("enrichment", enrichment), ("indexing", indexing))
        }
    return {
        "fixed_rate_per_s": rate_per_s,
        "fixed_p50_s": quantile(fixed, 0.50),
        "fixed_p95_s": quantile(fixed, 0.95),
        "fixed_p99_s": quantile(fixed, 0.99),
        "saturation_per_s": (len(documents) - half) / (done - started),
        "saturation_p50_s": quantile(saturated, 0.50),
        "saturation_p95_s": quantile(saturated, 0.95),
        "saturation_p99_s": quantile(saturated, 0.99),
        "saturation_broker_cpu_s": broker_cpu,
        "saturation_broker_cores": broker_cpu / (done - started),
        **{f"peak_rss_mb_{name}": value for name, value in rss.items()},
    }


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


def latencies(settings: KabarSettings) -> list[float]:
    with sync_client(settings) as es:
        es.indices.refresh(index=settings.es_alias)
        hits = es.search(
            index=settings.es_alias,
            size=10_000,
            source_includes=["ingested_at", "indexed_at"],
            sort=["ingested_at"],
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=600, help="events per throughput measurement")
    parser.add_argument(
        "--rate", type=float, default=20.0, help="offered load of the fixed-rate run, articles/s"
    )
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
    e2e_run = fresh_run()
    ensure_topics(e2e_run.settings)
    results["end_to_end"] = bench_end_to_end(e2e_run, sample_documents(min(args.events, 300)), args.rate)

    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2))
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
    lines.append(
        f"\nend to end at {e2e['fixed_rate_per_s']:.0f}/s offered: p50 {e2e['fixed_p50_s']:.2f}s  "
        f"p95 {e2e['fixed_p95_s']:.2f}s  p99 {e2e['fixed_p99_s']:.2f}s"
    )
    lines.append(
        f"end to end at saturation: {e2e['saturation_per_s']:.0f}/s  p50 {e2e['saturation_p50_s']:.2f}s  "
        f"p95 {e2e['saturation_p95_s']:.2f}s  p99 {e2e['saturation_p99_s']:.2f}s  "
        f"broker {e2e['saturation_broker_cores']:.2f} of a core"
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
    rss = {k.removeprefix("peak_rss_mb_"): v for k, v in e2e.items() if k.startswith("peak_rss_mb_")}
    lines.append("peak RSS (MB): " + "  ".join(f"{k} {v:.0f}" for k, v in rss.items()))
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
