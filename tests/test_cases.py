"""Unit tests of helpers.cases: the case-study CNN, its augmentation, seeds,
selection and results bookkeeping."""

import json

import numpy as np
import pytest

keras = pytest.importorskip("keras")
from helpers import cases  # noqa: E402


def _toy_dataset(n=64, seed=0):
    """A tiny separable MedMNIST-like dict: class 1 images are brighter in their left
    half."""
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 100, size=(3 * n, 28, 28), dtype=np.uint8)
    labels = np.tile([0, 1], 3 * n // 2).astype(np.uint8)[:, None]
    images[labels.ravel() == 1, :, :14] += 120
    split = {"train": slice(0, n), "val": slice(n, 2 * n), "test": slice(2 * n, 3 * n)}
    ds = {f"{k}_images": images[s] for k, s in split.items()}
    ds.update({f"{k}_labels": labels[s] for k, s in split.items()})
    ds.update(task="binary-class", label_names=["a", "b"])
    return ds


def test_augmenter_keeps_shape_and_is_identity_at_inference():
    aug = cases.augmenter(seed=0)
    x = np.random.default_rng(0).random((4, 28, 28, 1)).astype("float32")
    assert aug(x, training=True).shape == x.shape
    np.testing.assert_allclose(np.asarray(aug(x, training=False)), x)


def test_case_cnn_shapes_and_probabilities():
    model = cases.case_cnn(n_classes=3, filters=(8, 16), augment=cases.augmenter())
    probs = model.predict(np.zeros((2, 28, 28, 1), "float32"), verbose=0)
    assert probs.shape == (2, 3)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)
    assert model.name == "case_cnn"


def test_run_seeds_and_record_results(tmp_path, monkeypatch):
    from helpers import results

    ds = _toy_dataset()
    # 16 test images copy a training image but carry the other label: the clean subset
    # leaves them out
    ds["test_images"][:16] = ds["train_images"][:16]
    ds["test_labels"][:16] = 1 - ds["train_labels"][:16]
    build = lambda: cases.case_cnn(filters=(8,), convs_per_stage=1)
    result = cases.run_seeds(ds, [0], build, {"epochs": 2, "batch_size": 32}, members=2)
    run = result["runs"][0]
    assert len(result["models"]) == 2 and result["model"] is result["models"][0]
    assert len(result["histories"]) == 2 and "val_auc" in result["histories"][1]
    assert set(run) == {
        "seed",
        "test_auc",
        "test_acc",
        "test_auc_clean",
        "val_auc",
        "train_seconds",
    }
    clean = result["clean_test_mask"]
    assert not clean[:16].any() and clean[16:].all()
    y, p = ds["test_labels"].ravel(), result["test_probs"][:, 1]
    from sklearn.metrics import roc_auc_score

    assert (
        run["test_auc_clean"]
        == round(roc_auc_score(y[clean], p[clean]), 4)
        != run["test_auc"]
    )
    assert set(result["baseline_runs"][0]) == {"seed", "test_auc", "test_acc"}
    assert result["test_probs"].shape == (64, 2)
    # the article CNN's seed-0 scores, for a paired test
    base_auc = roc_auc_score(
        ds["test_labels"].ravel(), result["baseline_test_probs"][:, 1]
    )
    assert (
        result["baseline_test_probs"].shape == (64, 2)
        and round(base_auc, 4) == result["baseline_runs"][0]["test_auc"]
    )
    monkeypatch.setattr(results, "RESULTS_DIR", tmp_path)
    assert (
        cases.record_results("toy", result, ds["test_labels"], "toy") is None
    )  # nothing committed yet
    three = {
        **result,
        "runs": [dict(run, seed=s) for s in range(3)],
        "baseline_runs": result["baseline_runs"] * 3,
    }
    saved = cases.record_results("toy", three, ds["test_labels"], "toy model")
    assert saved["model"] == "toy model" and len(saved["bootstrap_auc_ci95"]) == 2
    assert saved["baseline_runs"] == result["baseline_runs"] * 3
    assert (
        json.loads((tmp_path / "toy.json").read_text())["runs"][0]["test_auc"]
        == run["test_auc"]
    )
    assert (
        cases.record_results("toy", result, ds["test_labels"], "toy")["dataset"]
        == "toy"
    )  # returns committed


def test_paired_with_baseline(capsys):
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 300)
    ours, theirs = y + rng.normal(0, 0.5, 300), y + rng.normal(0, 1.5, 300)
    paired = cases.paired_with_baseline(y, ours, theirs)
    assert (
        paired["low"] > 0
        and "test AUC minus the article CNN's" in capsys.readouterr().out
    )
    d = paired["diff"]

    def committed(gaps):  # three seeds with these gaps over a baseline of 0.5
        return {
            "runs": [{"test_auc": 0.5 + g} for g in gaps],
            "baseline_runs": [{"test_auc": 0.5}] * len(gaps),
        }

    # the committed gaps spread by sd 0.001: the floor of 0.02 applies
    same = committed([d - 0.001, d, d + 0.001])
    assert cases.paired_with_baseline(y, ours, theirs, same)["diff"] == d
    near = committed([d + 0.018, d + 0.019, d + 0.02])
    assert cases.paired_with_baseline(y, ours, theirs, near)["diff"] == d
    with pytest.raises(AssertionError):  # 0.025 away: beyond the floor
        cases.paired_with_baseline(
            y, ours, theirs, committed([d + 0.024, d + 0.025, d + 0.026])
        )
    wide = committed([d - 0.05, d + 0.05, d + 0.1])  # sd 0.076: 3 sd allowed
    assert cases.paired_with_baseline(y, ours, theirs, wide)["diff"] == d
    with pytest.raises(AssertionError):  # the wrong sign of a clear gap
        cases.paired_with_baseline(
            y, ours, theirs, committed([-d - 0.01, -d, -d + 0.01])
        )


def test_validation_scores_never_reads_the_test_split():
    from helpers import selection

    ds = _toy_dataset()
    recipe = {
        "build": {"filters": [8, 16], "convs_per_stage": 1},
        "augment": None,
        "train": {"epochs": 4, "batch_size": 16},
        "tta": [],
        "members": 1,
    }
    scores = cases.validation_scores(selection.without_test(ds), recipe, seed=0)
    assert (
        set(scores) == {"val_auc", "val_acc", "val_auc_all"} and scores["val_auc"] > 0.9
    )
    assert (
        cases.build_recipe({**recipe, "augment": {"flip": None}}).get_layer("augment")
        is not None
    )
