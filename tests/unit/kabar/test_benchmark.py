"""The benchmark's own arithmetic and names, without servers."""

from datetime import UTC, datetime
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from kabar.benchmark import (
    END_TO_END_FIGURES,
    INDEXING_FIGURES,
    INGESTION_FIGURES,
    baseline_index,
    baseline_prefix,
    enrichment_median,
    median_of,
    per_language,
    write_readme,
)
from kabar.services.common.settings import KabarSettings
from kabar.services.indexing.index_design import index_for, index_template

SETTINGS = KabarSettings(es_index_prefix="bench-1a2b3c4d")
MONTHS = [
    datetime(2024, 11, 30, tzinfo=UTC),
    datetime(2024, 12, 1, tzinfo=UTC),
    datetime(2031, 1, 1, tzinfo=UTC),
]


def under_template(index: str) -> bool:
    """Whether the template would make ``index`` (its patterns only use ``*``)."""
    return any(fnmatchcase(index, pattern) for pattern in index_template(SETTINGS)["index_patterns"])


def test_every_figure_is_the_median_of_its_runs_with_its_lowest_and_highest() -> None:
    runs = [
        {"ratio": 0.9, "other": 0.1, "rss": 1.0},
        {"ratio": 0.5, "other": 0.3, "rss": 2.0},
        {"ratio": 0.7, "other": 0.2, "rss": 3.0},
    ]
    summary = median_of(runs, ("ratio", "other"))
    assert summary["ratio"] == 0.7
    assert (summary["ratio_min"], summary["ratio_max"], summary["ratio_runs"]) == (0.5, 0.9, [0.9, 0.5, 0.7])
    # each figure its own median, not the value of the run with the median first figure
    assert (summary["other"], summary["other_min"], summary["other_max"]) == (0.2, 0.1, 0.3)
    # what goes with the figures is the run with the median first figure
    assert summary["rss"] == 3.0


def test_the_median_of_an_even_number_of_runs_is_one_a_run_measured() -> None:
    summary = median_of([{"ratio": 1.0, "rss": 1}, {"ratio": 3.0, "rss": 3}], ("ratio",))
    assert (summary["ratio"], summary["rss"]) == (3.0, 3)


def test_one_run_is_its_own_median_lowest_and_highest() -> None:
    summary = median_of([{"saturation_per_s": 40.0}], ("saturation_per_s",))
    assert summary["saturation_per_s"] == summary["saturation_per_s_min"] == summary["saturation_per_s_max"]


def test_the_extractor_of_each_language_is_its_own_median() -> None:
    runs = [
        {
            "ratio_per_cpu_s": r,
            "ratio": r,
            "languages": ["en", "id"],
            **{f"raw_extractor_per_cpu_s_{k}": v for k, v in rates.items()},
        }
        for r, rates in (
            (0.8, {"en": 26.0, "id": 600.0}),
            (0.6, {"en": 30.0, "id": 580.0}),
            (0.7, {"en": 20.0, "id": 620.0}),
        )
    ]
    summary = enrichment_median(runs)
    assert summary["ratio_per_cpu_s"] == 0.7
    assert per_language(summary) == {"en": 26.0, "id": 600.0}
    assert per_language(summary, "_min") == {"en": 20.0, "id": 580.0}
    assert per_language(summary, "_max") == {"en": 30.0, "id": 620.0}


def test_the_baseline_indices_are_outside_the_template_and_its_alias() -> None:
    for month in MONTHS:
        assert under_template(
            index_for(SETTINGS.es_index_prefix, month, month)
        )  # the check sees the worker's
        assert not under_template(index_for(baseline_prefix(SETTINGS), month, month))
    assert not under_template(baseline_prefix(SETTINGS))
    assert SETTINGS.es_alias not in baseline_index(SETTINGS)["aliases"]


def test_the_baseline_indices_get_the_template_s_settings_and_mappings() -> None:
    template = index_template(SETTINGS)["template"]
    body = baseline_index(SETTINGS)
    assert (body["settings"], body["mappings"]) == (template["settings"], template["mappings"])


def stage_runs(scale: float) -> dict[str, Any]:
    enrichment = {
        "service_per_s": 60 * scale,
        "raw_extractor_per_s": 80.0,
        "ratio": 0.75 * scale,
        "service_per_cpu_s": 70 * scale,
        "raw_extractor_per_cpu_s": 85.0,
        "ratio_per_cpu_s": 0.8 * scale,
        "languages": ["id"],
        "raw_extractor_per_cpu_s_id": 600 * scale,
    }
    return {
        "ingestion": {
            "push_api_per_s": 500 * scale,
            "backfill_per_s": 700 * scale,
            "raw_producer_per_s": 800.0,
            "push_api_ratio": 0.6 * scale,
            "backfill_ratio": 0.85 * scale,
            "ratio": 0.6 * scale,
        },
        "enrichment": enrichment,
        "indexing": {"service_per_s": 900 * scale, "raw_async_bulk_per_s": 1000.0, "ratio": 0.9 * scale},
        "end_to_end": {
            "saturation_per_s": 100 * scale,
            "half_load_per_s": 50 * scale,
            "half_load_p50_s": 0.1 * scale,
            "half_load_p99_s": 0.5 * scale,
            "cores_at_saturation": {"enrichment": 0.7},
        },
    }


def test_the_readme_block_shows_each_stage_ratio_with_its_lowest_and_highest(tmp_path: Path) -> None:
    runs = [stage_runs(scale) for scale in (1.0, 0.9, 1.1)]
    results = {
        "kafka": "Apache Kafka 4.1.1 (KRaft)",
        "when": "2025-01-01T00:00:00+00:00",
        "machine": {"cpus": 2},
        "ingestion": median_of([r["ingestion"] for r in runs], INGESTION_FIGURES),
        "enrichment": enrichment_median([r["enrichment"] for r in runs]),
        "enrichment_id_ms": enrichment_median([r["enrichment"] for r in runs]),
        "indexing": median_of([r["indexing"] for r in runs], INDEXING_FIGURES),
    }
    end_to_end = median_of([r["end_to_end"] for r in runs], END_TO_END_FIGURES)
    results["end_to_end"] = {"id_ms": end_to_end, "mix": end_to_end}
    readme = tmp_path / "README.md"
    readme.write_text("before\n<!-- bench:start -->\nold\n<!-- bench:end -->\nafter\n")
    write_readme(results, readme)
    text = readme.read_text()
    assert text.startswith("before\n<!-- bench:start -->\n") and text.endswith("<!-- bench:end -->\nafter\n")
    assert "old" not in text
    assert "the median of 3 runs" in text
    assert "| ingestion, push API | 500 | parse + produce loop | 800 | 0.60 (0.54 to 0.66) |" in text
    assert "| indexing worker | 900 | consume + async_bulk | 1000 | 0.90 (0.81 to 0.99) |" in text
    assert (
        "| Indonesian and Malay | 100 (90 to 110) | 0.10 (0.09 to 0.11) / 0.50 (0.45 to 0.55) at 50/s |"
        in text
    )
    assert "id 600 (540 to 660)" in text
