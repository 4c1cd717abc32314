"""The results files: where they live (package data), that each agrees with its own
runs, and the results page."""

import copy
import fnmatch
import json
import re
import sys
import tomllib
from pathlib import Path

import nbformat
import pytest

from helpers import results
from tests.book import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import bench  # noqa: E402
import results_page  # noqa: E402

KEYS = {
    "test_auc_mean",
    "test_auc_sd",
    "test_acc_mean",
    "test_acc_sd",
    "seeds",
    "train_seconds_mean",
    "peak_rss_mb",
    "baseline_article_cnn",
    "runs",
}
RESULTS = ROOT / "src" / "helpers" / "results"


def _load(name):
    return json.loads((RESULTS / f"{name}.json").read_text())


def test_results_are_package_data_of_helpers():
    assert results.RESULTS_DIR == RESULTS == results_page.RESULTS == bench.RESULTS
    from helpers import selection

    assert selection.SELECTION_DIR == RESULTS / "selection"
    assert not (ROOT / "results").exists(), "the results moved to src/helpers/results"
    globs = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"
    ]["helpers"]
    for file in RESULTS.glob(
        "*.json"
    ):  # shipped in the wheel, so the case studies find them on Colab
        assert any(fnmatch.fnmatch(f"results/{file.name}", g) for g in globs), (
            f"package-data lacks results/{file.name}"
        )


@pytest.mark.parametrize("name", list(results.CASE_STUDIES))
def test_every_case_study_has_consistent_three_seed_results(name):
    file = RESULTS / f"{name}.json"
    assert file.is_file(), f"{file.name} missing: run make bench"
    result = _load(name)
    assert KEYS <= set(result), f"{file.name} lacks {sorted(KEYS - set(result))}"
    assert result["seeds"] == [0, 1, 2] and len(result["runs"]) == 3
    assert (
        results.consistency_problems(result) == []
    )  # means, SDs (AUC and ACC), seeds, baseline size
    assert 0.5 < result["test_auc_mean"] <= 1 and 0 < result["test_acc_mean"] <= 1


def test_consistency_check_catches_a_changed_sd_acc_mean_or_baseline():
    good = _load("breastmnist")
    for key, delta in (
        ("test_auc_sd", 0.002),
        ("test_acc_mean", 0.01),
        ("test_acc_sd", -0.003),
        ("test_auc_mean", 0.001),
    ):
        bad = copy.deepcopy(good)
        bad[key] = round(bad[key] + delta, 4)
        assert any(key in p for p in results.consistency_problems(bad)), key
    bad = copy.deepcopy(good)
    bad["runs"] = bad["runs"][::-1]  # the seeds no longer match the runs' order
    assert any("seeds" in p for p in results.consistency_problems(bad))
    bad = copy.deepcopy(good)
    bad["baseline_article_cnn"]["n_runs"] = 2
    assert results.consistency_problems(bad)
    runs = [
        {"test_auc": 0.75, "test_acc": 0.74},
        {"test_auc": 0.77, "test_acc": 0.76},
        {"test_auc": 0.76, "test_acc": 0.78},
    ]
    with_runs = dict(copy.deepcopy(good), baseline_runs=runs)
    assert any(
        "baseline test_auc_mean" in p for p in results.consistency_problems(with_runs)
    )
    with_runs["baseline_article_cnn"].update(results.summarise(runs))
    assert results.consistency_problems(with_runs) == []


def test_drift_flags_means_and_sds_beyond_the_seed_spread():
    old = _load("pneumoniamnist")
    old.update(
        test_auc_sd=0.0013, test_acc_sd=0.0056
    )  # so a move of up to 0.01 (the floor) is allowed
    assert results.drift(old, old) == []
    for key, delta, flagged in (
        ("test_auc_mean", 0.009, False),
        ("test_auc_mean", 0.02, True),
        ("test_auc_mean", -0.02, True),
        ("test_acc_mean", 0.03, True),
        ("test_acc_sd", 0.03, True),
        ("test_auc_sd", 0.004, False),
    ):
        new = copy.deepcopy(old)
        new[key] = round(new[key] + delta, 4)
        assert bool(results.drift(old, new)) == flagged, (key, delta)
    new = copy.deepcopy(old)
    new["baseline_article_cnn"]["test_acc_mean"] -= 0.05
    assert any("baseline" in p for p in results.drift(old, new))


def test_results_page_matches_the_files():
    page = (ROOT / "book" / "results.md").read_text()
    assert page == results_page.render(), (
        "book/results.md is stale: run python scripts/results_page.py"
    )


@pytest.mark.parametrize("notebook", sorted(bench.HEADLINES))
def test_bench_can_switch_each_headline_chapter_to_writing(notebook):
    nb = nbformat.read(ROOT / notebook, as_version=4)
    injected = bench.with_parameters(nb, bench.PARAMETERS["headline"], notebook)
    params = [
        i
        for i, c in enumerate(injected.cells)
        if "parameters" in c.metadata.get("tags", [])
    ]
    assert injected.cells[params[0] + 1].source.startswith("WRITE_RESULTS = True")
    sets_seeds = "SEEDS = " in injected.cells[params[0]].source
    assert ("SEEDS = [0, 1, 2]" in injected.cells[params[0] + 1].source) == sets_seeds
    assert (RESULTS / f"{bench.HEADLINES[notebook]}.json").is_file()


@pytest.mark.parametrize("notebook", sorted(bench.CASES))
def test_each_case_study_can_be_benched_and_reselected(notebook):
    """One `parameters` cell that sets SEEDS and RESELECT (bench.py and
    select_recipes.py inject new values after
    it); one `selection` cell, and the committed log of that dataset's selection."""
    nb = nbformat.read(ROOT / notebook, as_version=4)
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1 and re.search(
        r"^SEEDS = \[0\]", params[0].source, flags=re.M
    )
    assert re.search(r"^RESELECT = False", params[0].source, flags=re.M)
    assert sum("selection" in c.metadata.get("tags", []) for c in nb.cells) == 1
    assert (RESULTS / "selection" / f"{bench.CASES[notebook]}.json").is_file()


def test_injected_parameters_follow_the_parameters_cell_and_leave_the_notebook_alone(
    tmp_path,
):
    notebook = sorted(bench.CASES)[0]
    before = (ROOT / notebook).read_bytes()
    nb = bench.with_parameters(
        nbformat.read(ROOT / notebook, as_version=4), ["SEEDS = [0, 1, 2]"], notebook
    )
    index = next(
        i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])
    )
    assert nb.cells[index + 1].metadata["tags"] == ["injected-parameters"]
    assert (ROOT / notebook).read_bytes() == before
    with pytest.raises(SystemExit, match="does not set NOPE"):
        bench.with_parameters(
            nbformat.read(ROOT / notebook, as_version=4), ["NOPE = 1"], notebook
        )


def test_the_case_study_table_names_real_chapters_and_targets():
    for name, case in results.CASE_STUDIES.items():
        assert (ROOT / "notebooks" / f"{case['notebook']}.ipynb").is_file(), name
        assert set(case["target"]) == {"auc", "acc"} and all(
            0 < v < 1 for v in case["target"].values()
        )
    for name, notebook in results.HEADLINES.items():
        assert (ROOT / "notebooks" / f"{notebook}.ipynb").is_file(), name


@pytest.mark.parametrize(
    "sd, floor, expected",
    [
        (0.0, 0.01, 0.01),
        (0.002, 0.01, 0.01),
        (0.01, 0.01, 0.03),
        (0.004, 0.02, 0.02),
        (0.01, 0.02, 0.03),
    ],
)
def test_tolerance_is_three_sds_with_a_floor(sd, floor, expected):
    assert results.tolerance(sd, floor) == pytest.approx(expected)


def _committed():
    return {
        "test_auc_mean": 0.90,
        "test_auc_sd": 0.002,
        "test_acc_mean": 0.85,
        "test_acc_sd": 0.01,
        "baseline_article_cnn": {"test_auc_mean": 0.80, "test_auc_sd": 0.01},
    }


@pytest.mark.parametrize(
    "run, baseline, passes",
    [
        (
            {"test_auc": 0.909, "test_acc": 0.85},
            {"test_auc": 0.80},
            True,
        ),  # AUC: the floor 0.01 applies
        ({"test_auc": 0.891, "test_acc": 0.85}, {"test_auc": 0.80}, True),
        (
            {"test_auc": 0.912, "test_acc": 0.85},
            {"test_auc": 0.80},
            False,
        ),  # above by more than 0.01
        (
            {"test_auc": 0.888, "test_acc": 0.85},
            {"test_auc": 0.80},
            False,
        ),  # below: both sides are checked
        (
            {"test_auc": 0.90, "test_acc": 0.879},
            {"test_auc": 0.80},
            True,
        ),  # ACC: 3 sd = 0.03
        ({"test_auc": 0.90, "test_acc": 0.815}, {"test_auc": 0.80}, False),
        (
            {"test_auc": 0.90, "test_acc": 0.85},
            {"test_auc": 0.829},
            True,
        ),  # baseline AUC: 3 sd = 0.03
        ({"test_auc": 0.90, "test_acc": 0.85}, {"test_auc": 0.77 - 0.001}, False),
        (
            {"test_auc": 0.90, "test_acc": 0.85},
            {"test_auc": 0.919},
            True,
        ),  # and with no spread, the baseline floor
    ],
)
def test_check_seed0_applies_the_rule_to_each_number(run, baseline, passes, capsys):
    committed = _committed()
    if baseline["test_auc"] > 0.9:
        committed["baseline_article_cnn"] = {"test_auc_mean": 0.90, "test_auc_sd": 0.0}
        with pytest.raises(AssertionError):
            results.check_seed0(run, {"test_auc": 0.921}, committed)
    if passes:
        results.check_seed0(run, baseline, committed)
        assert "3 checks" in capsys.readouterr().out
    else:
        with pytest.raises(AssertionError):
            results.check_seed0(run, baseline, committed)
    results.check_seed0(
        {"test_auc": 0.0, "test_acc": 0.0}, None, None
    )  # nothing committed: nothing to check


def test_check_seed0_floors_can_be_widened():
    with pytest.raises(AssertionError):
        results.check_seed0({"test_auc": 0.92, "test_acc": 0.85}, None, _committed())
    results.check_seed0(
        {"test_auc": 0.92, "test_acc": 0.85}, None, _committed(), floors={"auc": 0.03}
    )


def test_save_load_and_record_round_trip(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(results, "RESULTS_DIR", tmp_path)
    assert (
        results.load("toy") is None
        and "no committed results" in capsys.readouterr().out
    )
    runs = [
        {
            "seed": s,
            "test_auc": a,
            "test_acc": 0.8,
            "train_seconds": 10.0 + s,
            "test_auc_clean": c,
        }
        for s, a, c in ((0, 0.9, 0.91), (1, 0.92, 0.93), (2, 0.94, 0.95))
    ]
    base = [{"seed": s, "test_auc": 0.8, "test_acc": 0.7} for s in range(3)]
    assert (
        results.record("toy", runs[:1], base[:1], "toy", (0.8, 0.95)) is None
    )  # one seed: read, not written
    saved = results.record("toy", runs, base, "toy model", (0.8123456, 0.95))
    assert saved == json.loads((tmp_path / "toy.json").read_text())
    assert (
        saved["test_auc_mean"] == 0.92
        and saved["test_auc_sd"] == 0.02
        and saved["train_seconds_mean"] == 11.0
    )
    assert saved["test_auc_clean_mean"] == 0.93 and saved["bootstrap_auc_ci95"] == [
        0.8123,
        0.95,
    ]
    assert saved["baseline_article_cnn"] == {
        "test_auc_mean": 0.8,
        "test_auc_sd": 0.0,
        "test_acc_mean": 0.7,
        "test_acc_sd": 0.0,
        "n_runs": 3,
    }
    assert results.consistency_problems(saved) == []
    assert results.record("toy", runs[:1], base[:1], "toy", (0, 1)) == saved


def test_headlines_write_and_compare(tmp_path, monkeypatch):
    monkeypatch.setattr(results, "RESULTS_DIR", tmp_path)
    values = {"dice": [0.70, 0.65, 0.75], "n": 10}
    assert (
        results.record_headline("toy", values, {"dice": 0.01}) is None
    )  # nothing committed yet
    written = results.record_headline("toy", values, {"dice": 0.01}, write=True)
    assert written["dice"] == [0.70, 0.65, 0.75] and "peak_rss_mb" in written
    assert (
        results.record_headline(
            "toy", {"dice": [0.705, 0.655, 0.745], "n": 10}, {"dice": 0.01}
        )
        == written
    )
    with pytest.raises(AssertionError, match="dice"):
        results.record_headline(
            "toy", {"dice": [0.8, 0.75, 0.85], "n": 10}, {"dice": 0.01}
        )
    with pytest.raises(AssertionError, match="moved"):
        results.record_headline(
            "toy", {"dice": [0.8, 0.75, 0.85], "n": 10}, {"dice": 0.01}, write=True
        )
    # a number the committed file lacks: the bench writes it, a check asks for a bench
    checked = {"dice": 0.01, "n": 0}
    (tmp_path / "toy.json").write_text('{"dice": [0.8, 0.75, 0.85]}')
    with pytest.raises(AssertionError, match="n is not in the committed file"):
        results.record_headline("toy", {"dice": [0.8, 0.75, 0.85], "n": 10}, checked)
    assert (
        results.record_headline(
            "toy", {"dice": [0.8, 0.75, 0.85], "n": 10}, checked, write=True
        )["n"]
        == 10
    )


def test_bench_waits_for_a_quiet_machine(monkeypatch):
    loads = iter([1.8, 1.1, 0.7, 0.4, 0.3])
    monkeypatch.setattr(bench, "load_average", lambda: next(loads))
    slept = []
    monkeypatch.setattr(bench.time, "sleep", slept.append)
    assert bench.wait_for_quiet(0.5) == 0.3 and len(slept) == 3


def test_committed_results_ship_inside_the_package():
    import helpers

    assert results.RESULTS_DIR.parent == Path(helpers.__file__).resolve().parent
    assert results.load("breastmnist")["seeds"] == [0, 1, 2]


def test_bench_arguments_parse(monkeypatch):
    seen = {}
    monkeypatch.setattr(
        bench, "run", lambda nb, keep, max_load: seen.setdefault(nb, max_load) and 1 / 0
    )
    with pytest.raises(ZeroDivisionError):
        bench.main(["--max-load", "0.3", sorted(bench.CASES)[0]])
    assert seen == {sorted(bench.CASES)[0]: 0.3}


def _seed_runs():
    return [
        {"seed": s, "auc": {"A": a, "B": b}}
        for s, a, b in ((0, 0.90, 0.80), (1, 0.92, 0.81), (2, 0.94, 0.79))
    ]


def test_compare_seeds_table_and_verdict():
    table = results.compare_seeds(_seed_runs(), "auc", [("A", "B")])
    row = table.loc["A vs B"]
    assert row["metric"] == "auc" and row["A: mean ± sd"] == "0.920 ± 0.020"
    assert row["B: mean ± sd"] == "0.800 ± 0.010"
    # differences 0.10, 0.11, 0.15: mean 0.12, sd 0.02646, half 0.0657
    assert row["A − B [95 % CI]"] == "+0.120 [+0.054, +0.186]"
    assert row["verdict"] == "A better" and row["seeds"] == 3
    lower = results.compare_seeds(_seed_runs(), "auc", [("A", "B")], True)
    assert lower.loc["A vs B", "verdict"] == "B better"
    one = results.compare_seeds(_seed_runs()[:1], "auc", [("A", "B")])
    assert one.loc["A vs B", "verdict"] == "too few seeds"
    assert one.loc["A vs B", "A − B [95 % CI]"] == "+0.100 (1 seed, no interval)"


def test_difference_words_gives_the_interval_with_its_unit():
    s = results.compare_seeds(_seed_runs(), "auc", [("A", "B")]).attrs["stats"]
    words = results.difference_words(s["A vs B"], " dB", digits=2)
    assert words == "+0.12 dB [+0.05 dB, +0.19 dB]"


def test_check_seed_run_uses_the_tolerance_rule():
    runs = _seed_runs()  # A: mean 0.92, sd 0.02 -> tolerance 0.06; B: sd 0.01 -> 0.03
    results.check_seed_run({"auc": {"A": 0.979, "B": 0.829}}, runs, {"auc": 0.01})
    results.check_seed_run({"auc": {"A": 0.0}}, None, {"auc": 0.01})  # nothing to check
    with pytest.raises(AssertionError):
        results.check_seed_run({"auc": {"A": 0.981}}, runs, {"auc": 0.01})
    with pytest.raises(AssertionError):
        results.check_seed_run({"auc": {"B": 0.831}}, runs, {"auc": 0.01})
    with pytest.raises(AssertionError):  # the floor, when seeds agree exactly
        results.check_seed_run(
            {"auc": {"A": 0.5}}, [{"auc": {"A": 0.52}}] * 3, {"auc": 0.01}
        )


def test_segmentation_recipes_train_the_chapters_own_loss():
    import numpy as np
    import segmentation_recipes

    chapter = segmentation_recipes.chapter_definitions()
    truth = np.zeros((1, 8, 8, 3), np.float32)
    truth[..., 0] = 1.0  # all body, no lung
    truth[0, 2:4, 2:4, 2] = 1.0  # a lesion of 4 pixels
    assert float(chapter["dice_loss"](truth, truth)[0]) == pytest.approx(0.0)
    missed = truth.copy()
    missed[..., 2] = 0.01  # the lesion output off everywhere
    plain, weighted = (
        float(chapter["dice_bce_loss"](truth, missed, lesion_weight=w)[0])
        for w in (1.0, 10.0)
    )
    assert weighted > plain + 0.1  # lesion pixels count ten times in the BCE
    x = chapter["ct_channels"](np.array([[[-1000.0, 40.0, 3000.0]]]))
    assert x.shape == (1, 1, 3, 2) and x.min() == -1.0 and x.max() == 1.0
    for wrong in ([], ["no such recipe"]):
        with pytest.raises(SystemExit, match="name recipes"):
            segmentation_recipes.main(wrong)
    chosen = results.load("segmentation_recipes")["chosen"]
    assert chosen in segmentation_recipes.RECIPES
