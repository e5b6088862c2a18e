import pytest
from kafka import KafkaProducer

from kabar.services.common.kafka import (
    admin_client,
    cluster_reachable,
    ensure_topics,
    group_lag,
    topic_counts,
)

pytestmark = pytest.mark.smoke


def test_topics_are_created_once_with_the_configured_partitions(pipeline) -> None:  # type: ignore[no-untyped-def]
    settings = pipeline.settings
    created = ensure_topics(settings)
    assert sorted(created) == sorted(
        [
            settings.topic_raw,
            settings.topic_enriched,
            settings.topic_translations,
            settings.topic_dlq,
            settings.topic_dlq_replayed,
        ]
    )
    assert ensure_topics(settings) == []
    admin = admin_client(settings)
    try:
        described = {t["name"]: len(t["partitions"]) for t in admin.describe_topics([settings.topic_raw])}
        assert described == {settings.topic_raw: settings.topic_partitions}
        assert cluster_reachable(admin)
    finally:
        admin.close()


def test_counts_and_lag_of_a_group_that_never_committed(pipeline) -> None:  # type: ignore[no-untyped-def]
    settings = pipeline.settings
    ensure_topics(settings)
    producer = KafkaProducer(bootstrap_servers=settings.kafka_bootstrap, acks="all")
    for n in range(5):
        producer.send(settings.topic_raw, key=str(n).encode(), value=b"x")
    producer.flush()
    producer.close()
    assert [(c.topic, c.messages) for c in topic_counts(settings, [settings.topic_raw])] == [
        (settings.topic_raw, 5)
    ]
    assert group_lag(settings, "nobody-" + settings.topic_raw, settings.topic_raw).lag == 5
