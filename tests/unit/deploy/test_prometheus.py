"""The Prometheus config, rules and rule unit tests, checked by Prometheus's own promtool."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[3] / "deploy"
PROMTOOL = shutil.which("promtool")
pytestmark = pytest.mark.skipif(
    PROMTOOL is None, reason="promtool not installed (apt-get install prometheus)"
)


def promtool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(PROMTOOL), *args], capture_output=True, text=True, timeout=60, cwd=DEPLOY / "prometheus"
    )


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


def test_the_dashboard_uses_the_provisioned_datasource() -> None:
    dashboard = json.loads((DEPLOY / "grafana/dashboards/kabar-pipeline.json").read_text())
    assert dashboard["panels"]
    for panel in dashboard["panels"]:
        assert panel["datasource"]["uid"] == "kabar-prometheus"
        assert all(target["expr"] for target in panel["targets"])
