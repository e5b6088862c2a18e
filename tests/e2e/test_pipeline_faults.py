"""The whole pipeline under a steady stream while a worker, a replica or the broker fails.

After each scenario every article the push API accepted is a document exactly once and
every poison record a dead letter with a reason; the balance is printed at the end of the
run (tests/fixtures/ledger.py).
"""

import os
import subprocess
import sys
import time

import pytest

from services.common.kafka import ensure_topics, group_members
from services.common.settings import KabarSettings
from services.stack import wait_until
from tests.fixtures.ledger import SteadyClient, balance, poison_every_topic

WORKERS = ("enrichment", "indexing")


@pytest.mark.parametrize("victim", WORKERS)
def test_a_worker_killed_mid_batch_comes_back_where_it_left_off(pipeline, run_service, victim) -> None:  # type: ignore[no-untyped-def]
    settings = pipeline.settings
    ensure_topics(settings)
    ingestion = run_service("ingestion")
    workers = {name: run_service(name, f"{name}-a") for name in WORKERS}
    client = SteadyClient(ingestion.url, per_second=20)
    with client.running():
        time.sleep(5)
        poison = poison_every_topic(settings)
        time.sleep(1)
        workers[victim].kill()
        time.sleep(3)
        run_service(victim, f"{victim}-a")  # the same static member: its partitions come straight back
        time.sleep(5)
    result = balance(settings, f"{victim} SIGKILLed mid-batch, restarted", client.accepted, poison)
    assert result.holds(), result.line()


def kabar(*args: str, env: dict[str, str]) -> str:
    """The CLI's output; it must succeed and say nothing on stderr."""
    done = subprocess.run(
        [sys.executable, "-m", "services.cli", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0 and not done.stderr, done.stdout + done.stderr
    return done.stdout


def holders(settings: KabarSettings, group: str, topic: str) -> dict[str, set[str]]:
    """Instance id -> the partitions of ``topic`` it holds."""
    return {
        member.instance_id or member.member_id: {p for p in member.partitions if p.startswith(f"{topic}[")}
        for member in group_members(settings, group)
    }


def wait_for_holders(settings: KabarSettings, group: str, topic: str, instances: set[str]) -> None:
    """Until exactly ``instances`` share ``topic``'s partitions: each holds some, none twice."""
    every = {f"{topic}[{p}]" for p in range(settings.topic_partitions)}

    def settled() -> bool:
        held = holders(settings, group, topic)
        shares = [held.get(instance, set()) for instance in instances]
        return (
            set(held) == instances
            and all(shares)
            and sum(map(len, shares)) == len(every)
            and set().union(*shares) == every
        )

    wait_until(settled, 90, f"{', '.join(sorted(instances))} sharing {topic}")


def test_a_killed_replica_hands_its_partitions_to_the_other(pipeline, run_service) -> None:  # type: ignore[no-untyped-def]
    """The takeover works, the survivors go on, and nothing accepted is lost.

    Replica "a" may die before its first commit, so the survivor takes over partitions
    without a committed offset; a fetch the rebalance made Faust drop must then be read
    again from the start of those partitions, not skipped and committed over
    (services/common/stream.py, RewindingConsumer).
    """
    settings = pipeline.settings
    ensure_topics(settings)
    ingestion = run_service("ingestion")
    replicas = {(name, r): run_service(name, f"{name}-{r}") for name in WORKERS for r in "ab"}
    sources = {
        "enrichment": (settings.enrichment_group, settings.topic_raw),
        "indexing": (settings.indexing_group, settings.topic_enriched),
    }
    for name in WORKERS:
        wait_for_holders(settings, *sources[name], {f"{name}-a", f"{name}-b"})
    members = kabar("group", "indexing", env=pipeline.env)
    assert "2 members in" in members and "indexing-a" in members and "indexing-b" in members
    client = SteadyClient(ingestion.url, per_second=20)
    with client.running():
        time.sleep(5)
        poison = poison_every_topic(settings)
        for name in WORKERS:
            replicas[(name, "a")].kill()
            # what an orchestrator does for a replica that is gone; real Kafka also does it
            # by itself once the session times out
            assert f"removed {name}-a" in kabar("group", name, "--remove", f"{name}-a", env=pipeline.env)
        for name in WORKERS:
            wait_for_holders(settings, *sources[name], {f"{name}-b"})
        time.sleep(2)
        before_takeover = set(client.accepted)
        time.sleep(8)
    after_takeover = client.accepted - before_takeover
    result = balance(
        settings, "a replica of each worker SIGKILLed, the other took over", client.accepted, poison
    )
    assert after_takeover, result.line()
    assert result.holds(), result.line()


def test_the_broker_stopped_and_restarted_under_load(pipeline, private_servers, run_service) -> None:  # type: ignore[no-untyped-def]
    addresses = {
        "KABAR_KAFKA_BOOTSTRAP": private_servers.settings.kafka_bootstrap,
        "KABAR_ES_URL": private_servers.settings.es_url,
    }
    pipeline.env.update(addresses)
    settings = pipeline.settings_as(
        KabarSettings, kafka_bootstrap=addresses["KABAR_KAFKA_BOOTSTRAP"], es_url=addresses["KABAR_ES_URL"]
    )
    ensure_topics(settings)
    ingestion = run_service("ingestion")
    for name in WORKERS:
        run_service(name, f"{name}-a")
    client = SteadyClient(ingestion.url, per_second=20)
    with client.running():
        time.sleep(5)
        poison = poison_every_topic(settings)
        private_servers.stop_service("kafka")
        time.sleep(10)
        private_servers.start_service("kafka")
        time.sleep(10)
    result = balance(settings, "broker stopped 10 s and restarted", client.accepted, poison)
    assert result.holds(), result.line()
