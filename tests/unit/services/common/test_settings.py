import pytest
from pydantic import ValidationError

from kabar.schemas.topics import TopicRole
from kabar.services.common.settings import IndexingSettings, KabarSettings, StackSettings


def test_defaults_keep_clear_of_a_real_kafka_and_elasticsearch(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("KABAR_KAFKA_BOOTSTRAP", "KABAR_ES_URL"):
        monkeypatch.delenv(name, raising=False)
    settings = StackSettings()
    assert settings.kafka_port != 9092 and settings.es_port != 9200


def test_environment_with_the_kabar_prefix_configures_topics(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KABAR_TOPIC_RAW", "feeds.raw")
    monkeypatch.setenv("KABAR_TOPIC_PARTITIONS", "6")
    settings = KabarSettings()
    assert settings.topic(TopicRole.RAW) == "feeds.raw"
    assert settings.topic_partitions == 6


def test_settings_are_frozen() -> None:
    with pytest.raises(ValidationError):
        KabarSettings().topic_raw = "x"  # type: ignore[misc]


def test_secrets_never_show_in_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KABAR_ES_PASSWORD", "hunter2-secret")
    settings = IndexingSettings()
    assert "hunter2-secret" not in repr(settings) and "hunter2-secret" not in str(settings.model_dump())
    assert settings.es_password is not None and settings.es_password.get_secret_value() == "hunter2-secret"


def test_fixed_choices_are_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KABAR_LOG_LEVEL", "LOUD")
    with pytest.raises(ValidationError, match="log_level"):
        KabarSettings()
