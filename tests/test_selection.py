"""The validation-only selection protocol (helpers.selection): the rule, the log, and
the guards around the test split."""

import json

import numpy as np
import pytest

from helpers import selection

CANDIDATES = {"simple": {"depth": 1}, "middle": {"depth": 2}, "deep": {"depth": (3, 4)}}


def fake_evaluate(aucs):
    """An evaluate function whose validation AUC per (depth, seed) comes from ``aucs``;
    it records its calls."""
    calls = []

    def evaluate(config, seed):
        calls.append((json.dumps(config), seed))
        return {"val_auc": aucs[json.dumps(config["depth"])][seed], "val_acc": 0.5}

    evaluate.calls = calls
    return evaluate


def test_choose_takes_the_first_within_the_margin():
    rows = [
        {"name": "a", "val_auc_mean": 0.900},
        {"name": "b", "val_auc_mean": 0.915},
        {"name": "c", "val_auc_mean": 0.920},
    ]
    # a is 0.02 below the best; b is within 0.01
    assert selection.choose(rows, margin=0.01) == "b"
    assert selection.choose(rows, margin=0.03) == "a"
    assert selection.choose(rows, margin=0.0) == "c"


def test_run_scores_every_candidate_and_seed_and_writes_the_log(tmp_path):
    aucs = {"1": [0.80, 0.82], "2": [0.90, 0.86], "[3, 4]": [0.89, 0.89]}
    evaluate = fake_evaluate(aucs)
    log = selection.run_or_load(
        "toy", CANDIDATES, evaluate, rerun=True, folder=tmp_path
    )
    assert len(evaluate.calls) == 6 and {s for _, s in evaluate.calls} == {0, 1}
    means = {c["name"]: c["val_auc_mean"] for c in log["candidates"]}
    assert means == {"simple": 0.81, "middle": 0.88, "deep": 0.89}
    # deep is best, middle within 0.01 and listed first
    assert log["chosen"] == "middle"
    assert (
        log["seeds"] == [0, 1]
        and log["margin"] == selection.MARGIN
        and "simplest" in log["rule"]
    )
    stored = json.loads((tmp_path / "toy.json").read_text())
    assert stored["chosen"] == "middle" and stored["candidates"][2]["config"] == {
        "depth": [3, 4]
    }
    assert selection.run_or_load("toy", CANDIDATES, evaluate, folder=tmp_path) == stored
    assert len(evaluate.calls) == 6  # loading does not train again
    table = selection.table(stored)
    assert (
        list(table.index) == list(CANDIDATES) and table.loc["middle", "chosen"] == "yes"
    )
    assert table.loc["deep", "val AUC, seed 1"] == 0.89


def test_load_refuses_a_log_made_with_other_candidates(tmp_path):
    selection.run_or_load(
        "toy",
        CANDIDATES,
        fake_evaluate({"1": [0.8, 0.8], "2": [0.8, 0.8], "[3, 4]": [0.8, 0.8]}),
        rerun=True,
        folder=tmp_path,
    )
    with pytest.raises(ValueError, match="candidates differ"):
        selection.load("toy", {**CANDIDATES, "middle": {"depth": 5}}, folder=tmp_path)
    with pytest.raises(ValueError, match="candidates differ"):
        selection.load("toy", {"simple": {"depth": 1}}, folder=tmp_path)
    with pytest.raises(FileNotFoundError, match="no selection log"):
        selection.load("other", CANDIDATES, folder=tmp_path)


@pytest.mark.parametrize("key", ["test_auc", "test_acc", "test_loss"])
def test_a_selection_that_scores_the_test_split_is_refused(tmp_path, key):
    with pytest.raises(ValueError, match="must not score the test split"):
        selection.run("toy", {"a": {}}, lambda config, seed: {"val_auc": 0.9, key: 0.8})


def test_run_uses_its_margin_for_the_choice_and_the_rule():
    aucs = {"1": [0.80, 0.82], "2": [0.90, 0.86], "[3, 4]": [0.89, 0.89]}
    log = selection.run("toy", CANDIDATES, fake_evaluate(aucs), margin=0.0)
    # no tie allowed: the best mean, 0.89
    assert log["chosen"] == "deep" and log["margin"] == 0.0
    assert "within 0.0 of the best" in log["rule"] and log["rule"] != selection.rule()
    # 0.81 >= 0.79
    assert (
        selection.run("toy", CANDIDATES, fake_evaluate(aucs), margin=0.1)["chosen"]
        == "simple"
    )


def test_run_or_load_with_other_seeds_and_other_candidates(tmp_path):
    aucs = {"1": [0.80, 0.82], "2": [0.90, 0.86], "[3, 4]": [0.89, 0.89]}
    evaluate = fake_evaluate(aucs)
    log = selection.run_or_load(
        "toy", CANDIDATES, evaluate, rerun=True, seeds=(1,), folder=tmp_path
    )
    assert [s for _, s in evaluate.calls] == [1, 1, 1] and log["seeds"] == [1]
    assert {c["name"]: c["val_auc_mean"] for c in log["candidates"]} == {
        "simple": 0.82,
        "middle": 0.86,
        "deep": 0.89,
    }
    # seed 1 alone: middle (0.86) is not within 0.01 of 0.89
    assert log["chosen"] == "deep"
    # the chapters load through run_or_load
    with pytest.raises(ValueError, match="candidates differ"):
        selection.run_or_load(
            "toy", {**CANDIDATES, "middle": {"depth": 5}}, evaluate, folder=tmp_path
        )


def test_without_test_hides_the_test_split():
    data = {
        "train_images": np.zeros(2),
        "val_images": np.zeros(2),
        "test_images": np.zeros(2),
        "test_labels": np.zeros(2),
        "task": "binary-class",
    }
    kept = selection.without_test(data)
    assert set(kept) == {"train_images", "val_images", "task"}
    with pytest.raises(KeyError):
        kept["test_images"]


@pytest.mark.parametrize(
    "name", ["breastmnist", "pneumoniamnist", "retinamnist", "adrenalmnist3d"]
)
def test_committed_selection_logs_are_validation_only_and_follow_the_rule(name):
    log = selection.load(name)
    assert log["chosen"] == selection.choose(log["candidates"], log["margin"])
    assert log["rule"] == selection.rule(log["margin"])
    assert log["seeds"] == list(selection.SEEDS) and log["commit"] != "unknown"
    for c in log["candidates"]:
        assert [r["seed"] for r in c["runs"]] == log["seeds"]
        assert all(not key.startswith("test") for r in c["runs"] for key in r)
        assert c["val_auc_mean"] == pytest.approx(
            np.mean([r["val_auc"] for r in c["runs"]]), abs=1e-4
        )
