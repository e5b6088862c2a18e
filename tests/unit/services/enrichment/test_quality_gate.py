"""The quality gate: entity precision, recall and F1 per language may not fall below the
committed floors (tests/eval/floors.json) by more than the tolerance, on the development
set or on the held-out set, and language identification must be right on every article.

A rule that helps one phrase and breaks three elsewhere passes every unit test of its
own; this is where it shows."""

import json
from functools import cache
from pathlib import Path

import pytest

from kabar.services.enrichment.evaluation import Report, evaluate

DATA = Path(__file__).resolve().parents[3] / "eval" / "data"
FLOORS = json.loads((DATA.parent / "floors.json").read_text("utf-8"))
SETS = {
    "dev": DATA / "dev.jsonl",
    "dev2": DATA / "dev2.jsonl",
    "dev3": DATA / "dev3.jsonl",
    "dev4": DATA / "dev4.jsonl",
    "held-out": DATA / "entities.jsonl",
}
TOLERANCE = 0.01


@cache
def report(name: str) -> Report:
    rows = [json.loads(line) for line in SETS[name].read_text("utf-8").splitlines() if line.strip()]
    return evaluate(rows)


@pytest.mark.parametrize("scope", sorted(key for key in FLOORS if key != "_"))
def test_entity_scores_hold_their_floors(scope: str) -> None:
    name, language = scope.split("/")
    score = report(name).scores[(language, "all")]
    measured = {"precision": score.precision, "recall": score.recall, "f1": score.f1}
    fallen = {
        metric: f"{measured[metric]:.3f} < {floor:.3f} - {TOLERANCE}"
        for metric, floor in FLOORS[scope].items()
        if measured[metric] < floor - TOLERANCE
    }
    assert not fallen, f"{scope}: {fallen}"


def test_every_language_of_every_scope_has_a_floor() -> None:
    scopes = {f"{name}/{language}" for name in SETS for (language, _), _n in report(name).languages.items()}
    assert scopes <= set(FLOORS), f"no floor for {sorted(scopes - set(FLOORS))}"


@pytest.mark.parametrize("name", sorted(SETS))
def test_language_identification_is_right_on_every_article(name: str) -> None:
    wrong = {pair: n for pair, n in report(name).languages.items() if pair[0] != pair[1]}
    assert not wrong, f"{name}: (labelled, identified) -> count {wrong}"


@pytest.mark.parametrize("name", sorted(SETS))
def test_every_labelled_span_is_the_text_at_its_offsets(name: str) -> None:
    rows = [json.loads(line) for line in SETS[name].read_text("utf-8").splitlines() if line.strip()]
    misplaced = [
        (row["id"], entity["text"])
        for row in rows
        for entity in row["entities"]
        if row["body"][entity["start"] : entity["end"]] != entity["text"]
    ]
    assert not misplaced, misplaced
