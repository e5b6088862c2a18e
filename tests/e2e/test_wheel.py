"""The wheel as a user outside the repository gets it: built from the checkout, installed
into a fresh virtual environment, and run from another folder, where no source tree is
there to read the gazetteer, the index template or Prometheus' rules from."""

import json
import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

from tests.fixtures.servers import alive, free_port

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLE = json.loads((REPO_ROOT / "samples" / "articles.ndjson").read_text("utf-8").splitlines()[0])
# what a service or a tool reads at run time, as the wheel must carry it
DATA_FILES = {
    "kabar/services/enrichment/gazetteer/places.json",
    "kabar/schemas/json/news.enriched.v1.schema.json",
    "kabar/deploy/elasticsearch/articles.template.json",
    "kabar/deploy/kafka/pom.xml",
    "kabar/deploy/kibana/kabar.ndjson",
    "kabar/deploy/prometheus/prometheus.yml",
    "kabar/deploy/prometheus/rules/kabar.rules.yml",
    "kabar/py.typed",
}


def run(command: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 600) -> str:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{' '.join(command)}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


def test_the_wheel_installs_one_package_that_runs_from_any_folder(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(dist), str(REPO_ROOT)],
        tmp_path,
    )
    (wheel,) = dist.glob("kabar-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert {name.split("/")[0] for name in names} == {"kabar", wheel.name.split("-py3")[0] + ".dist-info"}
    assert set(names) >= DATA_FILES, sorted(DATA_FILES - set(names))

    environment = tmp_path / "venv"
    venv.create(environment, with_pip=True)
    python, kabar = environment / "bin" / "python", environment / "bin" / "kabar"
    lock = REPO_ROOT / "requirements.lock"
    run([str(python), "-m", "pip", "install", "--quiet", "-c", str(lock), str(wheel), "noida-db"], tmp_path)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = run([str(python), "-c", "import kabar; print(kabar.__file__)"], elsewhere)
    assert Path(where.strip()).is_relative_to(environment)
    for generic in ("services", "schemas"):
        probe = subprocess.run([str(python), "-c", f"import {generic}"], cwd=elsewhere, capture_output=True)
        assert probe.returncode != 0, f"the wheel installed a top-level {generic!r}"

    (elsewhere / "article.json").write_text(json.dumps(SAMPLE), "utf-8")
    enriched = json.loads(run([str(kabar), "enrich", "article.json"], elsewhere))
    assert enriched["language"] == "id"
    assert {"LOC", "ORG", "PER"} <= {entity["label"] for entity in enriched["entities"]}

    env = {key: value for key, value in os.environ.items() if not key.startswith("KABAR_")}
    env |= {
        "KABAR_KAFKA_BOOTSTRAP": f"127.0.0.1:{free_port()}",
        "KABAR_ES_URL": f"http://127.0.0.1:{free_port()}",
        "KABAR_PROMETHEUS_PORT": str(free_port()),
    }
    try:
        up = run([str(kabar), "up", "--servers-only"], elsewhere, env, timeout=300)
        assert "noida-db" in up
        pids = [int(p.read_text()) for p in (elsewhere / ".kabar" / "run").glob("*.pid")]
        assert len(pids) >= 2, up
    finally:
        run([str(kabar), "down"], elsewhere, env, timeout=300)
    assert not [pid for pid in pids if alive(pid)], "kabar down left processes behind"
