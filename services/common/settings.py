"""Settings: one frozen object per service, read from ``KABAR_*`` environment variables.

Everything shared (where the servers are, topic names, service ports) lives in
``KabarSettings`` so that ``kabar status`` and every service agree on one address book.
"""

import os
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from kabar.schemas.limits import ARTICLE_MAX_CHARS
from kabar.schemas.topics import TopicRole

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]
ServiceName = Literal["ingestion", "enrichment", "translation", "indexing"]
SERVICES: tuple[ServiceName, ...] = ("ingestion", "enrichment", "translation", "indexing")


def secrets_dir() -> str | None:
    """Where secrets may come from as files (one per setting, named like its variable, e.g.
    kabar_es_password):
    KABAR_SECRETS_DIR, else /run/secrets (Docker and Kubernetes mount secrets there)."""
    configured = os.environ.get("KABAR_SECRETS_DIR")
    if configured:
        return configured
    return "/run/secrets" if Path("/run/secrets").is_dir() else None


class KabarSettings(BaseSettings):
    """Addresses and names shared by every service and by the ``kabar`` command."""

    model_config = SettingsConfigDict(
        env_prefix="KABAR_", frozen=True, extra="ignore", secrets_dir=secrets_dir()
    )

    kafka_bootstrap: str = "127.0.0.1:29092"
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    kafka_sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] = "PLAIN"
    kafka_sasl_username: str | None = None
    kafka_sasl_password: SecretStr | None = None
    kafka_ssl_cafile: Path | None = None
    kafka_ssl_certfile: Path | None = None
    kafka_ssl_keyfile: Path | None = None

    es_url: str = "http://127.0.0.1:29200"
    es_username: str | None = None
    es_password: SecretStr | None = None
    es_api_key: SecretStr | None = None
    es_ca_certs: Path | None = None
    es_verify_certs: bool = True
    es_index_prefix: str = Field(default="kabar-articles", pattern=r"^[a-z0-9][a-z0-9_.-]*$")

    topic_raw: str = "news.raw"
    topic_enriched: str = "news.enriched"
    topic_translations: str = "news.translations"
    topic_dlq: str = "news.dlq"
    topic_dlq_replayed: str = "news.dlq.replayed"
    topic_partitions: int = Field(default=3, ge=1)
    topic_replication: int = Field(default=1, ge=1)

    enrichment_group: str = "kabar-enrichment"
    translation_group: str = "kabar-translation"
    indexing_group: str = "kabar-indexing"

    ingestion_port: int = 29081
    enrichment_port: int = 29082
    indexing_port: int = 29083
    translation_port: int = 29084
    service_host: str = "127.0.0.1"
    bind_host: str = "127.0.0.1"

    log_level: LogLevel = "INFO"
    # which translator the translation stage runs; "none" marks articles "no_model"
    translation_backend: Literal["none", "ctranslate2", "libretranslate"] = "none"
    state_dir: Path = Path(".kabar")

    def topic(self, role: TopicRole) -> str:
        return {
            TopicRole.RAW: self.topic_raw,
            TopicRole.ENRICHED: self.topic_enriched,
            TopicRole.TRANSLATIONS: self.topic_translations,
            TopicRole.DLQ: self.topic_dlq,
            TopicRole.DLQ_REPLAYED: self.topic_dlq_replayed,
        }[role]

    def service_port(self, service: ServiceName) -> int:
        return {
            "ingestion": self.ingestion_port,
            "enrichment": self.enrichment_port,
            "translation": self.translation_port,
            "indexing": self.indexing_port,
        }[service]

    def service_url(self, service: ServiceName) -> str:
        return f"http://{self.service_host}:{self.service_port(service)}"

    @property
    def es_alias(self) -> str:
        """The alias searches go through; monthly indices sit behind it."""
        return self.es_index_prefix


class IngestionSettings(KabarSettings):
    max_body_bytes: int = Field(default=10_000_000, ge=1)
    max_batch_items: int = Field(default=1_000, ge=1)
    max_article_chars: int = Field(default=ARTICLE_MAX_CHARS, ge=1, le=ARTICLE_MAX_CHARS)
    produce_timeout_s: float = Field(default=30.0, gt=0)
    dedup_capacity: int = Field(default=100_000, ge=0)
    api_keys: tuple[SecretStr, ...] = ()
    feeds_file: Path | None = None
    feeds_allow_private: bool = False
    feed_timeout_s: float = Field(default=20.0, gt=0)
    feed_max_bytes: int = Field(default=5_000_000, ge=1)


class StreamSettings(KabarSettings):
    """What a Faust worker needs beyond the shared addresses."""

    batch_size: int = Field(default=200, ge=1)
    data_dir: Path = Path(".kabar/faust")
    # as often as Prometheus scrapes it (deploy/prometheus/prometheus.yml): a lag measured
    # more often is never read
    lag_interval_s: float = Field(default=15.0, gt=0)
    # how long a silent replica keeps its partitions: a killed worker's share moves to the
    # others after this long (Faust's own default is 60 s)
    session_timeout_s: float = Field(default=15.0, ge=6)
    # static group membership: a worker restarted under the same id (a pod name, say) gets
    # its partitions back at once instead of making the whole group rebalance; every
    # replica needs its own. Unset, the worker joins as a new member each time.
    instance_id: str | None = Field(default=None, min_length=1, pattern=r"^[A-Za-z0-9._-]+$")
    # waiting between sends of records the broker did not acknowledge (it is away, say)
    produce_backoff_s: float = Field(default=0.5, gt=0)
    produce_backoff_max_s: float = Field(default=30.0, gt=0)


class EnrichmentSettings(StreamSettings):
    """The enrichment worker's settings: the stream knobs, near-duplicate matching."""

    duplicate_window_hours: float = Field(default=72.0, gt=0)
    duplicate_max_distance: int = Field(default=64, ge=0, le=256)  # bits of the 256-bit fingerprint
    # worker processes that extract entities, each with its own models; 0 extracts in a
    # thread of the worker itself
    extraction_processes: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=0)


class TranslationSettings(StreamSettings):
    """The translation stage: which backend, where its model or server is, how it batches."""

    translation_model_dir: Path | None = None
    translation_model_family: Literal["opus-mt", "nllb"] = "opus-mt"
    translation_device: Literal["cpu", "cuda"] = "cpu"
    translation_compute_type: str = "default"
    translation_beam_size: int = Field(default=4, ge=1)
    translation_max_batch_sentences: int = Field(default=64, ge=1)
    translation_url: str | None = None
    translation_api_key: SecretStr | None = None
    translation_timeout_s: float = Field(default=60.0, gt=0)


class IndexingSettings(StreamSettings):
    bulk_backoff_s: float = Field(default=0.5, gt=0)
    bulk_backoff_max_s: float = Field(default=30.0, gt=0)


LocalKafka = Literal["noida-db", "apache"]


class StackSettings(KabarSettings):
    """The local stack that ``kabar up`` runs: a broker (noida-db's embedded Kafka, or
    Apache Kafka from Maven Central), noida-db's Elasticsearch and, where installed,
    Prometheus."""

    local_servers: bool = True
    local_kafka: LocalKafka = "noida-db"
    kafka_controller_port: int = 29093
    kafka_metrics_port: int = 29094  # the JMX exporter inside the Apache Kafka broker
    cache_dir: Path = Path(".kabar/cache")  # what is fetched once: Apache Kafka's jars
    prometheus_port: int = 29090
    ready_timeout_s: float = Field(default=90.0, gt=0)

    @property
    def kafka_port(self) -> int:
        return _port_of(f"kafka://{self.kafka_bootstrap.split(',')[0]}")

    @property
    def es_port(self) -> int:
        return _port_of(self.es_url)


def _port_of(url: str) -> int:
    port = urlsplit(url).port
    if port is None:
        raise ValueError(f"{url!r} names no port")
    return port
