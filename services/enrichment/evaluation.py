"""``make eval``: entity precision/recall/F1 and language-id accuracy on a labelled set.

A predicted mention counts only when its span and label both match a labelled one exactly;
canonical-name accuracy is reported over those exact matches.
"""

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from kabar.services.enrichment.entities import article_entities
from kabar.services.enrichment.language import identify_language


@dataclass
class Score:
    true_positive: int = 0
    false_positive: int = 0
    false_negative: int = 0
    canonical_right: int = 0

    @property
    def precision(self) -> float:
        return self.true_positive / max(self.true_positive + self.false_positive, 1)

    @property
    def recall(self) -> float:
        return self.true_positive / max(self.true_positive + self.false_negative, 1)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Report:
    scores: dict[tuple[str, str], Score] = field(default_factory=lambda: defaultdict(Score))
    languages: Counter[tuple[str, str]] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    chars: int = 0
    seconds: float = 0.0


def evaluate(rows: list[dict[str, object]]) -> Report:
    report = Report()
    for row in rows:
        language = str(row["language"])
        body = str(row["body"])
        guess = identify_language(f"{row['title']}\n{body}")
        report.languages[(language, guess.code)] += 1
        started = time.perf_counter()
        place = row.get("dateline_place")
        predicted = article_entities(body, language, str(place) if place else None)
        report.seconds += time.perf_counter() - started
        report.chars += len(body)
        gold = {(e["start"], e["end"], e["label"]): e["canonical"] for e in row["entities"]}  # type: ignore[attr-defined]
        # the labels are spans of the body; the dateline's place has none (its offsets are 0
        # and 0), and scoring it would count a right answer as an extra mention
        found = {(m.start, m.end, m.label): m.canonical for m in predicted if m.origin == "body"}
        for key in gold.keys() | found.keys():
            label = key[2]
            for scope in ((language, label), (language, "all"), ("all", label), ("all", "all")):
                score = report.scores[scope]
                if key in gold and key in found:
                    score.true_positive += 1
                    score.canonical_right += gold[key] == found[key]
                elif key in found:
                    score.false_positive += 1
                else:
                    score.false_negative += 1
            if key not in gold:
                report.errors.append(f"{row['id']} extra   {label} {body[key[0] : key[1]]!r}")
            elif key not in found:
                report.errors.append(f"{row['id']} missed  {label} {body[key[0] : key[1]]!r}")
    return report


def render(report: Report) -> str:
    lines = [f"{'language':<9}{'label':<6}{'precision':>10}{'recall':>8}{'F1':>7}{'canonical':>11}{'n':>6}"]
    for (language, label), score in sorted(report.scores.items()):
        gold = score.true_positive + score.false_negative
        canonical = score.canonical_right / max(score.true_positive, 1)
        lines.append(
            f"{language:<9}{label:<6}{score.precision:>10.3f}{score.recall:>8.3f}{score.f1:>7.3f}{canonical:>11.3f}{gold:>6}"
        )
    total = sum(report.languages.values())
    right = sum(n for (truth, guess), n in report.languages.items() if truth == guess)
    lines.append(f"\nlanguage identification: {right}/{total} correct ({right / max(total, 1):.1%})")
    for (truth, guess), n in sorted(report.languages.items()):
        if truth != guess:
            lines.append(f"  {n} x {truth} identified as {guess}")
    lines.append(f"extraction speed: {report.chars / max(report.seconds, 1e-9):,.0f} characters/s")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("dataset", type=Path, nargs="?", default=Path("tests/eval/data/entities.jsonl"))
    parser.add_argument("--errors", action="store_true", help="list every missed and extra mention")
    args = parser.parse_args()
    rows = [json.loads(line) for line in args.dataset.read_text("utf-8").splitlines() if line.strip()]
    report = evaluate(rows)
    print(render(report))
    if args.errors:
        print("\n".join(sorted(report.errors)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
