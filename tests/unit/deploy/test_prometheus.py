"""The Prometheus config, rules and rule unit tests, checked by Prometheus's own promtool."""

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from kabar.services.common.settings import LocalKafka, StackSettings
from kabar.stack import write_prometheus_config

DEPLOY = Path(__file__).resolve().parents[3] / "deploy"
DASHBOARD = DEPLOY / "grafana/dashboards/kabar-pipeline.json"
EXPORTER_CONFIG = DEPLOY / "kafka/jmx-exporter.yml"
BROKER_ROW = "Broker"
PROMTOOL = shutil.which("promtool")
pytestmark = pytest.mark.skipif(
    PROMTOOL is None, reason="promtool not installed (apt-get install prometheus)"
)


def promtool(*args: str, cwd: Path = DEPLOY / "prometheus") -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(PROMTOOL), *args], capture_output=True, text=True, timeout=60, cwd=cwd)


def check_config_as_deployed(config_dir: Path) -> None:
    """promtool also reads the targets files a config names: a job whose file is missing
    only warns, so a warning fails here too."""
    result = promtool("check", "config", "prometheus.yml", cwd=config_dir)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in result.stdout + result.stderr, result.stdout + result.stderr


def test_the_config_is_valid() -> None:
    result = promtool("check", "config", "prometheus.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_rules_are_valid() -> None:
    result = promtool("check", "rules", "rules/kabar.rules.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_alert_fires_and_stays_quiet_in_the_rule_unit_tests() -> None:
    result = promtool("test", "rules", "tests/kabar.rules.test.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    alerts = set(re.findall(r"- alert: (\w+)", (DEPLOY / "prometheus/rules/kabar.rules.yml").read_text()))
    tested = (DEPLOY / "prometheus/tests/kabar.rules.test.yml").read_text()
    fired = set(re.findall(r"alertname: (\w+)\n\s+exp_alerts:\n\s+- exp_labels", tested))
    assert alerts == fired, f"alerts without a firing test: {alerts - fired}"


def test_a_broken_rule_fails_the_check(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text("groups:\n  - name: x\n    rules:\n      - alert: Bad\n        expr: sum(rate(x[5m])\n")
    assert promtool("check", "rules", str(broken)).returncode != 0


def test_the_config_is_valid_with_the_compose_targets(tmp_path: Path) -> None:
    shutil.copy(DEPLOY / "prometheus/prometheus.yml", tmp_path)
    shutil.copytree(DEPLOY / "prometheus/rules", tmp_path / "rules")
    shutil.copytree(DEPLOY / "prometheus/targets-compose", tmp_path / "targets")  # as compose mounts it
    check_config_as_deployed(tmp_path)


@pytest.mark.parametrize("kafka", ["apache", "noida-db"])
def test_the_config_is_valid_with_the_targets_kabar_up_writes(kafka: LocalKafka, tmp_path: Path) -> None:
    settings = StackSettings(state_dir=tmp_path, local_servers=True, local_kafka=kafka)
    write_prometheus_config(settings)
    check_config_as_deployed(tmp_path / "prometheus")
    brokers = json.loads((tmp_path / "prometheus/targets/kafka.json").read_text())
    assert len(brokers) == (1 if kafka == "apache" else 0)


def panels_by_row() -> dict[str, list[dict[str, Any]]]:
    """Grafana keeps an open row's panels after it in the flat list; "" is above every row."""
    rows: dict[str, list[dict[str, Any]]] = {"": []}
    row = ""
    for panel in json.loads(DASHBOARD.read_text())["panels"]:
        if panel["type"] == "row":
            row = panel["title"]
            rows[row] = []
        else:
            rows[row].append(panel)
    return rows


def test_the_dashboard_uses_the_provisioned_datasource() -> None:
    panels = [panel for row in panels_by_row().values() for panel in row]
    assert panels
    for panel in panels:
        assert panel["datasource"]["uid"] == "kabar-prometheus"
        assert panel["targets"] and all(target["expr"] for target in panel["targets"])


def test_the_dashboard_ids_are_unique_and_its_panels_do_not_overlap() -> None:
    panels = json.loads(DASHBOARD.read_text())["panels"]
    ids = [panel["id"] for panel in panels]
    assert len(ids) == len(set(ids))
    cells: dict[tuple[int, int], str] = {}
    for panel in panels:
        grid = panel["gridPos"]
        assert grid["x"] + grid["w"] <= 24, panel["title"]
        for x in range(grid["x"], grid["x"] + grid["w"]):
            for y in range(grid["y"], grid["y"] + grid["h"]):
                assert (x, y) not in cells, f"{panel['title']} overlaps {cells[(x, y)]}"
                cells[(x, y)] = panel["title"]


def kafka_metrics(text: str) -> set[str]:
    return set(re.findall(r"\bkafka_[a-z_]+", text))


def test_the_broker_row_holds_the_only_panels_that_need_the_jmx_exporter() -> None:
    """tests/e2e/test_stack.py skips the Broker row on noida-db's Kafka, which has no exporter:
    a broker panel elsewhere would fail there, and a service panel in the row go unchecked."""
    rows = panels_by_row()
    titles = {panel["title"] for panel in rows[BROKER_ROW]}
    assert titles == {
        "Under-replicated partitions",
        "Offline partitions",
        "Active controller count",
        "Produce and consumer fetch latency p99",
        "Broker bytes in and out per second",
    }
    for row, panels in rows.items():
        for panel in panels:
            for target in panel["targets"]:
                assert bool(kafka_metrics(target["expr"])) == (row == BROKER_ROW), panel["title"]


def test_every_kafka_metric_read_is_one_the_jmx_exporter_writes() -> None:
    exported = set(re.findall(r"^\s+name: (\w+)$", EXPORTER_CONFIG.read_text(), flags=re.MULTILINE))
    dashboard = kafka_metrics(DASHBOARD.read_text())
    rules = kafka_metrics((DEPLOY / "prometheus/rules/kabar.rules.yml").read_text())
    assert dashboard and rules
    assert dashboard | rules <= exported, f"not exported: {(dashboard | rules) - exported}"
    assert exported <= dashboard | rules, f"exported but never read: {exported - dashboard - rules}"
