"""TLS, SASL and credentials reach the clients, and secrets stay secret everywhere else."""

from pathlib import Path

import faust
import pytest

from kabar.services.common.kafka import connection_options
from kabar.services.common.settings import EnrichmentSettings, IndexingSettings, KabarSettings
from kabar.services.common.stream import broker_credentials
from kabar.services.indexing.index_design import es_client_options


def test_plaintext_kafka_needs_no_credentials() -> None:
    settings = KabarSettings(kafka_bootstrap="k1:9092,k2:9092")
    assert connection_options(settings) == {
        "bootstrap_servers": "k1:9092,k2:9092",
        "security_protocol": "PLAINTEXT",
    }
    assert broker_credentials(EnrichmentSettings()) is None


def test_sasl_over_tls_reaches_kafka_python_and_faust(tmp_path: Path) -> None:
    settings = EnrichmentSettings(
        kafka_security_protocol="SASL_SSL",
        kafka_sasl_mechanism="SCRAM-SHA-512",
        kafka_sasl_username="kabar",
        kafka_sasl_password="broker-secret",  # type: ignore[arg-type]
    )
    options = connection_options(settings)
    assert options["security_protocol"] == "SASL_SSL" and options["sasl_mechanism"] == "SCRAM-SHA-512"
    assert (options["sasl_plain_username"], options["sasl_plain_password"]) == ("kabar", "broker-secret")
    credentials = broker_credentials(settings)
    assert isinstance(credentials, faust.SASLCredentials)
    assert credentials.password == "broker-secret" and credentials.ssl_context is not None
    assert "broker-secret" not in repr(credentials) and "broker-secret" not in repr(settings)


def test_tls_only_kafka_uses_the_configured_ca(tmp_path: Path) -> None:
    settings = KabarSettings(kafka_security_protocol="SSL", kafka_ssl_cafile=tmp_path / "ca.pem")
    assert connection_options(settings)["ssl_cafile"] == str(tmp_path / "ca.pem")


def test_elasticsearch_api_key_wins_over_basic_auth_and_tls_is_verified() -> None:
    settings = IndexingSettings(
        es_url="https://search:9200",
        es_username="elastic",
        es_password="es-secret",  # type: ignore[arg-type]
        es_ca_certs=Path("/etc/ca.pem"),
    )
    options = es_client_options(settings)
    assert options["basic_auth"] == ("elastic", "es-secret") and options["verify_certs"] is True
    assert options["ca_certs"] == "/etc/ca.pem"
    with_key = es_client_options(IndexingSettings(es_api_key="key-secret"))  # type: ignore[arg-type]
    assert with_key["api_key"] == "key-secret" and "basic_auth" not in with_key


def test_secrets_can_come_from_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "kabar_es_password").write_text("from-a-file\n")
    monkeypatch.setenv("KABAR_SECRETS_DIR", str(tmp_path))
    from kabar.services.common import settings as settings_module

    class FromFiles(settings_module.KabarSettings):
        model_config = settings_module.SettingsConfigDict(secrets_dir=settings_module.secrets_dir())

    loaded = FromFiles()
    assert loaded.es_password is not None and loaded.es_password.get_secret_value() == "from-a-file"
