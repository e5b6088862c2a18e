"""The ``kabar_*`` metrics every service exposes on /metrics.

Labels are bounded: service, stage, outcome and reason come from fixed vocabularies,
never from article ids or urls.
"""

from importlib.metadata import version

from prometheus_client import Counter, Gauge, Histogram, Info

EVENTS = Counter(
    "kabar_events_total",
    "Events a stage finished with, by outcome (ok, dead_lettered, rejected)",
    ["service", "stage", "outcome"],
)
DEAD_LETTERS = Counter(
    "kabar_dead_letters_total",
    "Records sent to the DLQ, by reason",
    ["service", "stage", "reason"],
)
STAGE_SECONDS = Histogram(
    "kabar_stage_seconds",
    "Time one batch spent in a stage",
    ["service", "stage"],
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
BATCH_SIZE = Histogram(
    "kabar_batch_size",
    "Events per processed batch",
    ["service", "stage"],
    buckets=(1, 2, 5, 10, 20, 50, 100, 200, 500, 1000),
)
END_TO_END_SECONDS = Histogram(
    "kabar_end_to_end_seconds",
    "From ingested_at to acknowledged by Elasticsearch",
    ["service"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300),
)
READY = Gauge("kabar_ready", "1 when the service's dependencies are reachable", ["service"])
BUILD_INFO = Info("kabar_build", "Version of the running Kabar service")


def register_service(service: str) -> None:
    """Publishes the build info, so a scrape tells which version runs where."""
    BUILD_INFO.info({"service": service, "version": version("kabar")})


ES_BULK_SECONDS = Histogram(
    "kabar_es_bulk_seconds",
    "Latency of one bulk request to Elasticsearch",
    ["service"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
ES_BULK_RETRIES = Counter(
    "kabar_es_bulk_retries_total",
    "Bulk items or requests sent again after a transient failure, by reason",
    ["service", "reason"],
)
INGEST_ARTICLES = Counter(
    "kabar_ingest_articles_total",
    "Articles ingestion received, by source and outcome (accepted, duplicate, rejected) and reason",
    ["service", "source", "outcome", "reason"],
)
PRODUCE_SECONDS = Histogram(
    "kabar_produce_seconds",
    "From handing a batch to the Kafka producer to every acknowledgement",
    ["service", "topic"],
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
FEED_POLLS = Counter(
    "kabar_feed_polls_total",
    "Feed polls by source and outcome (ok, not_modified, http_error, timeout, unreachable, invalid_feed)",
    ["service", "source", "outcome"],
)


class BoundedLabel:
    """Keeps a label's values bounded: the first ``limit`` distinct values pass, later ones
    become ``other``, so a feed that invents a new source name per article cannot blow up
    Prometheus."""

    def __init__(self, limit: int = 200) -> None:
        self.limit = limit
        self.seen: set[str] = set()

    def __call__(self, value: str) -> str:
        if value in self.seen:
            return value
        if len(self.seen) < self.limit:
            self.seen.add(value)
            return value
        return "other"


TRANSLATIONS = Counter(
    "kabar_translations_total",
    "Articles the translation stage finished, by outcome (translated, failed, skipped)",
    ["service", "outcome"],
)
TRANSLATION_SECONDS = Histogram(
    "kabar_translation_seconds",
    "Model or server time to translate one article",
    ["service", "backend"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
)
BACKLOG = Gauge(
    "kabar_consumer_backlog",
    "Records on the input topic not yet processed by this replica's partitions",
    ["service", "topic"],
)
CONSUMER_LAG = Gauge(
    "kabar_consumer_lag",
    "End offset minus committed offset, per consumer group, topic and partition",
    ["service", "group", "topic", "partition"],
)
