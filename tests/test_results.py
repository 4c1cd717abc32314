"""The results files: where they live (package data), that each agrees with its own runs, and the results page."""
import copy
import fnmatch
import json
import re
import sys
import tomllib

import pytest

from helpers import metrics
from tests.book import ROOT, load, source

sys.path.insert(0, str(ROOT / "scripts"))
import bench  # noqa: E402
import results_page  # noqa: E402

KEYS = {"test_auc_mean", "test_auc_sd", "test_acc_mean", "test_acc_sd", "seeds", "train_seconds_mean", "peak_rss_mb",
        "baseline_article_cnn", "runs"}
RESULTS = ROOT / "src" / "helpers" / "results"


def _load(name):
    return json.loads((RESULTS / f"{name}.json").read_text())


def test_results_are_package_data_of_helpers():
    assert metrics.RESULTS_DIR == RESULTS == results_page.RESULTS == bench.RESULTS
    assert not (ROOT / "results").exists(), "the results moved to src/helpers/results"
    globs = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["helpers"]
    for file in RESULTS.glob("*.json"):  # shipped in the wheel, so the case studies find them on Colab
        assert any(fnmatch.fnmatch(f"results/{file.name}", g) for g in globs), f"package-data lacks results/{file.name}"


@pytest.mark.parametrize("name", list(results_page.DATASETS))
def test_every_case_study_has_consistent_three_seed_results(name):
    file = RESULTS / f"{name}.json"
    assert file.is_file(), f"{file.name} missing: run make bench"
    result = _load(name)
    assert KEYS <= set(result), f"{file.name} lacks {sorted(KEYS - set(result))}"
    assert result["seeds"] == [0, 1, 2] and len(result["runs"]) == 3
    assert bench.consistency_problems(result) == []  # means, SDs (AUC and ACC), seeds, baseline size
    assert 0.5 < result["test_auc_mean"] <= 1 and 0 < result["test_acc_mean"] <= 1


@pytest.mark.parametrize("name", [n for n, ref in results_page.ARTICLE_REFERENCE.items() if ref != "—"])
def test_baseline_summary_agrees_with_the_article(name):
    """The article CNN re-trained here reproduces the book's reference runs of it (mean ± sd AUC, ACC)."""
    auc, sd, acc = map(float, re.match(r"AUC ([\d.]+) ± ([\d.]+), ACC ([\d.]+)",
                                       results_page.ARTICLE_REFERENCE[name]).groups())
    base = _load(name)["baseline_article_cnn"]
    assert abs(base["test_auc_mean"] - auc) <= max(2 * max(sd, base["test_auc_sd"]), 0.01)
    assert abs(base["test_acc_mean"] - acc) <= max(2 * base["test_acc_sd"], 0.01)


def test_consistency_check_catches_a_changed_sd_acc_mean_or_baseline():
    good = _load("breastmnist")
    for key, delta in (("test_auc_sd", 0.002), ("test_acc_mean", 0.01), ("test_acc_sd", -0.003), ("test_auc_mean", 0.001)):
        bad = copy.deepcopy(good)
        bad[key] = round(bad[key] + delta, 4)
        assert any(key in p for p in bench.consistency_problems(bad)), key
    bad = copy.deepcopy(good)
    bad["runs"] = bad["runs"][::-1]  # the seeds no longer match the runs' order
    assert any("seeds" in p for p in bench.consistency_problems(bad))
    bad = copy.deepcopy(good)
    bad["baseline_article_cnn"]["n_runs"] = 2
    assert bench.consistency_problems(bad)
    runs = [{"test_auc": 0.75, "test_acc": 0.74}, {"test_auc": 0.77, "test_acc": 0.76}, {"test_auc": 0.76, "test_acc": 0.78}]
    with_runs = dict(copy.deepcopy(good), baseline_runs=runs)
    assert any("baseline test_auc_mean" in p for p in bench.consistency_problems(with_runs))
    with_runs["baseline_article_cnn"].update(metrics.summarise(runs))
    assert bench.consistency_problems(with_runs) == []


def test_drift_flags_means_and_sds_beyond_the_seed_spread():
    old = _load("pneumoniamnist")
    old.update(test_auc_sd=0.0013, test_acc_sd=0.0056)  # so a move of up to 0.01 (the floor) is allowed
    assert bench.drift(old, old) == []
    for key, delta, flagged in (("test_auc_mean", 0.009, False), ("test_auc_mean", 0.02, True),
                                ("test_auc_mean", -0.02, True), ("test_acc_mean", 0.02, True),
                                ("test_acc_sd", 0.03, True), ("test_auc_sd", 0.004, False)):
        new = copy.deepcopy(old)
        new[key] = round(new[key] + delta, 4)
        assert bool(bench.drift(old, new)) == flagged, (key, delta)
    new = copy.deepcopy(old)
    new["baseline_article_cnn"]["test_acc_mean"] -= 0.05
    assert any("baseline" in p for p in bench.drift(old, new))


def test_results_page_matches_the_files():
    page = (ROOT / "book" / "results.md").read_text()
    assert page == results_page.render(), "book/results.md is stale: run python scripts/results_page.py"


@pytest.mark.parametrize("notebook", sorted(bench.HEADLINES))
def test_bench_can_switch_each_headline_chapter_to_writing(notebook):
    cells = [c for c in load(ROOT / notebook)["cells"] if "parameters" in c["metadata"].get("tags", [])]
    assert len(cells) == 1 and bench.WRITE[0] in source(cells[0])
    for name in bench.HEADLINES[notebook]:
        assert (RESULTS / f"{name}.json").is_file()


@pytest.mark.parametrize("notebook", sorted(bench.CASES))
def test_each_case_study_can_be_benched_and_reselected(notebook):
    """One `parameters` cell with the line bench.py rewrites and the flag select_recipes.py sets; one `selection`
    cell, and the committed log of that dataset's selection."""
    import select_recipes
    cells = load(ROOT / notebook)["cells"]
    params = [c for c in cells if "parameters" in c["metadata"].get("tags", [])]
    assert len(params) == 1 and select_recipes.FLAG[0] in source(params[0])
    assert len(re.findall(r"^SEEDS = \[0\]", source(params[0]), flags=re.M)) == 1
    assert sum("selection" in c["metadata"].get("tags", []) for c in cells) == 1
    assert notebook in select_recipes.NOTEBOOKS
    for name in bench.CASES[notebook]:
        assert (RESULTS / "selection" / f"{name}.json").is_file()
