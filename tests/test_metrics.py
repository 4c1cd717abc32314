"""Unit tests of helpers.metrics (MedMNIST rules, bootstrap, results files, thresholds) and the evaluation plots."""
import json
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from sklearn.metrics import accuracy_score, brier_score_loss, roc_auc_score

from helpers import metrics, plots

matplotlib.use("Agg")


@pytest.fixture
def binary_case():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 400)
    score = np.clip(0.3 * y + rng.normal(0.35, 0.2, 400), 0, 1)
    return y, score


def test_medmnist_binary_rule_uses_class_one_and_half(binary_case):
    y, score = binary_case
    probs = np.stack([1 - score, score], axis=1)
    auc, acc = metrics.medmnist_auc_acc("binary-class", y[:, None], probs)
    assert auc == pytest.approx(roc_auc_score(y, score))
    assert acc == pytest.approx(accuracy_score(y, score > 0.5))
    assert metrics.medmnist_auc_acc("binary-class", y, score) == (auc, acc)  # a 1-D score means P(class 1)


def test_medmnist_multiclass_rule_is_mean_one_vs_rest_and_argmax():
    rng = np.random.default_rng(1)
    y = np.tile(np.arange(5), 40)
    logits = rng.normal(size=(200, 5)) + 2 * np.eye(5)[y]
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    auc, acc = metrics.medmnist_auc_acc("ordinal-regression", y, probs)
    per_class = [roc_auc_score(y == k, probs[:, k]) for k in range(5)]
    assert auc == pytest.approx(np.mean(per_class))
    assert acc == pytest.approx(np.mean(probs.argmax(1) == y))


def test_bootstrap_ci_brackets_estimate_and_is_reproducible(binary_case):
    y, score = binary_case
    est, low, high = metrics.bootstrap_ci(y, score, n_boot=200)
    assert est == pytest.approx(roc_auc_score(y, score))
    assert low < est < high and high - low < 0.2
    assert metrics.bootstrap_ci(y, score, n_boot=200) == (est, low, high)
    _, low90, high90 = metrics.bootstrap_ci(y, score, n_boot=200, level=0.9)
    assert low <= low90 and high90 <= high


def test_bootstrap_ci_skips_one_class_resamples():
    y, score = np.array([0, 1, 1, 1, 1, 1]), np.linspace(0, 1, 6)
    est, low, high = metrics.bootstrap_ci(y, score, n_boot=100)
    assert est == 1.0 and 0 <= low <= high <= 1


def test_summarise_mean_and_sd():
    runs = [{"test_auc": 0.9, "test_acc": 0.8}, {"test_auc": 0.8, "test_acc": 0.7}]
    out = metrics.summarise(runs)
    assert out["test_auc_mean"] == 0.85 and out["test_acc_mean"] == 0.75 and out["n_runs"] == 2
    assert out["test_auc_sd"] == round(np.std([0.9, 0.8], ddof=1), 4)
    assert metrics.summarise(runs[:1])["test_auc_sd"] == 0.0


def test_save_and_load_results_round_trip(tmp_path):
    runs = [{"test_auc": 0.9, "test_acc": 0.8, "train_seconds": 10.0, "seed": 0},
            {"test_auc": 0.92, "test_acc": 0.82, "train_seconds": 12.0, "seed": 1}]
    out = metrics.save_results("toymnist", runs, extra={"model": "article_cnn"}, folder=tmp_path)
    assert out == tmp_path / "toymnist.json"
    loaded = metrics.load_results("toymnist", folder=tmp_path)
    assert loaded == json.loads(out.read_text())
    assert loaded["test_auc_mean"] == 0.91 and loaded["seeds"] == [0, 1] and loaded["model"] == "article_cnn"
    assert loaded["train_seconds_mean"] == 11.0
    assert metrics.load_results("absent", folder=tmp_path) is None


def test_binary_scores_counts_and_rates():
    y = np.array([1, 1, 1, 1, 0, 0, 0, 0, 0, 0])
    score = np.array([0.9, 0.8, 0.6, 0.2, 0.7, 0.3, 0.2, 0.1, 0.1, 0.0])
    out = metrics.binary_scores(y, score, threshold=0.5)
    assert (out["tp"], out["fn"], out["fp"], out["tn"]) == (3, 1, 1, 5)
    assert out["sensitivity"] == 0.75 and out["specificity"] == pytest.approx(5 / 6)
    assert out["ppv"] == 0.75 and out["npv"] == pytest.approx(5 / 6) and out["accuracy"] == 0.8
    assert metrics.binary_scores(y, score, threshold=0.6)["tp"] == 3  # score >= threshold is positive


def test_binary_scores_with_label_zero_positive():
    y = np.array([0, 0, 1, 1])  # e.g. BreastMNIST, where 0 = malignant
    p_malignant = np.array([0.9, 0.4, 0.2, 0.6])
    out = metrics.binary_scores(y, p_malignant, pos_label=0)
    assert (out["tp"], out["fn"], out["fp"], out["tn"]) == (1, 1, 1, 1)


def test_choose_threshold_rules(binary_case):
    y, score = binary_case
    youden = metrics.choose_threshold(y, score)
    j = lambda t: (lambda s: s["sensitivity"] + s["specificity"] - 1)(metrics.binary_scores(y, score, t))
    assert all(j(youden) >= j(t) - 1e-12 for t in np.unique(score))
    t_sens = metrics.choose_threshold(y, score, rule="sensitivity", target=0.95)
    assert metrics.binary_scores(y, score, t_sens)["sensitivity"] >= 0.95
    higher = np.unique(score)[np.unique(score) > t_sens]
    assert metrics.binary_scores(y, score, higher[0])["sensitivity"] < 0.95  # the highest such threshold
    t_spec = metrics.choose_threshold(y, score, rule="specificity", target=0.9)
    assert metrics.binary_scores(y, score, t_spec)["specificity"] >= 0.9
    assert metrics.choose_threshold(1 - y, score, pos_label=0) == pytest.approx(youden)  # label 0 = disease
    with pytest.raises(ValueError, match="unknown rule"):
        metrics.choose_threshold(y, score, rule="f1")


def test_ppv_at_prevalence():
    assert metrics.ppv_at_prevalence(0.9, 0.9, 0.5) == pytest.approx(0.9)
    assert metrics.ppv_at_prevalence(0.9, 0.9, 0.1) == pytest.approx(0.5)


def test_confusion_heatmap_shows_counts_and_shares():
    ax = plots.confusion_heatmap([0, 0, 1, 1, 1], [0, 1, 1, 1, 0], ["normal", "pneumonia"], title="toy")
    texts = [t.get_text() for t in ax.texts]
    assert texts == ["1\n50 %", "1\n50 %", "1\n33 %", "2\n67 %"]
    assert ax.get_title() == "toy" and ax.get_xlabel() == "predicted"
    matplotlib.pyplot.close("all")


def test_calibration_panel_reports_brier(binary_case):
    y, score = binary_case
    axes = plots.calibration_panel(y, score, label="toy", n_bins=5)
    legend = [t.get_text() for t in axes[0].get_legend().get_texts()]
    assert any(f"Brier {brier_score_loss(y, score):.3f}" in t for t in legend)
    assert len(axes[1].patches) == 20
    matplotlib.pyplot.close("all")


def test_threshold_curve_marks_thresholds(binary_case):
    y, score = binary_case
    ax = plots.threshold_curve(y, score, {"Youden": 0.5, "sens 0.95": 0.3})
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["sensitivity", "specificity", "Youden: 0.500", "sens 0.95: 0.300"]
    matplotlib.pyplot.close("all")


def test_existing_plots_draw(binary_case):
    y, score = binary_case
    axes = plots.roc_pr_panel(y, score, label="toy")
    assert axes[0].get_title() == "ROC curve"
    ax = plots.learning_curves({"a": {"loss": [1, 0.5], "val_loss": [1.1, 0.7]}})
    assert len(ax.lines) == 2
    matplotlib.pyplot.close("all")


def test_binary_scores_ppv_npv_with_asymmetric_errors():
    """fp != fn and tp != tn, so a swapped denominator or numerator changes every rate."""
    y = np.array([1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0])
    score = np.array([0.9, 0.8, 0.7, 0.1, 0.6, 0.55, 0.3, 0.2, 0.1, 0.0, 0.0])
    out = metrics.binary_scores(y, score, threshold=0.5)
    assert (out["tp"], out["fn"], out["fp"], out["tn"]) == (3, 1, 2, 5)
    assert out["ppv"] == pytest.approx(3 / 5) and out["npv"] == pytest.approx(5 / 6)
    assert out["sensitivity"] == pytest.approx(3 / 4) and out["specificity"] == pytest.approx(5 / 7)
    assert out["accuracy"] == pytest.approx(8 / 11)


def _committed(tmp_path, monkeypatch, runs):
    monkeypatch.setattr(metrics, "RESULTS_DIR", tmp_path)
    metrics.save_results("toy", [dict(r, test_acc=0.8, train_seconds=1.0) for r in runs])


@pytest.mark.parametrize("delta, passes", [(0.0, True), (0.009, True), (-0.009, True), (0.02, False), (-0.02, False)])
def test_compare_with_committed_checks_both_sides(tmp_path, monkeypatch, capsys, delta, passes):
    _committed(tmp_path, monkeypatch, [{"seed": 0, "test_auc": 0.90}, {"seed": 1, "test_auc": 0.85},
                                       {"seed": 2, "test_auc": 0.95}])
    if passes:
        assert metrics.compare_with_committed("toy", 0.90 + delta, 0.01)["dataset"] == "toy"
        assert "committed 0.9000" in capsys.readouterr().out
    else:
        with pytest.raises(AssertionError, match="differs from 0.9000"):
            metrics.compare_with_committed("toy", 0.90 + delta, 0.01)


def test_compare_with_committed_uses_the_seed_0_run_wherever_it_is(tmp_path, monkeypatch):
    _committed(tmp_path, monkeypatch, [{"seed": 2, "test_auc": 0.80}, {"seed": 0, "test_auc": 0.90},
                                       {"seed": 1, "test_auc": 0.70}])
    assert metrics.compare_with_committed("toy", 0.90, 0.01) is not None
    for other in (0.80, 0.70):  # the first or the last run is not seed 0
        with pytest.raises(AssertionError):
            metrics.compare_with_committed("toy", other, 0.01)
    _committed(tmp_path, monkeypatch, [{"seed": 1, "test_auc": 0.90}, {"seed": 2, "test_auc": 0.90}])
    with pytest.raises(AssertionError, match="0 runs with seed 0"):
        metrics.compare_with_committed("toy", 0.90)


@pytest.mark.parametrize("auc, passes", [(0.929, True), (0.871, True), (0.931, False), (0.869, False)])
def test_compare_with_committed_default_tolerance_is_three_sds(tmp_path, monkeypatch, auc, passes):
    """sd of (0.89, 0.90, 0.91) is 0.01, so seed 0 (0.90) may move by 0.03 either way, as another CPU moves it."""
    _committed(tmp_path, monkeypatch, [{"seed": 0, "test_auc": 0.90}, {"seed": 1, "test_auc": 0.89},
                                       {"seed": 2, "test_auc": 0.91}])
    if passes:
        assert metrics.compare_with_committed("toy", auc) is not None
    else:
        with pytest.raises(AssertionError):
            metrics.compare_with_committed("toy", auc)
    _committed(tmp_path, monkeypatch, [{"seed": 0, "test_auc": 0.90}, {"seed": 1, "test_auc": 0.90}])
    with pytest.raises(AssertionError):  # no spread: the floor of 0.01 applies
        metrics.compare_with_committed("toy", 0.915)


def test_save_results_summarises_the_clean_subset_auc(tmp_path, monkeypatch):
    monkeypatch.setattr(metrics, "RESULTS_DIR", tmp_path)
    runs = [{"seed": s, "test_auc": 0.9, "test_acc": 0.8, "train_seconds": 1.0, "test_auc_clean": v}
            for s, v in enumerate((0.91, 0.93, 0.95))]
    metrics.save_results("toy", runs)
    out = metrics.load_results("toy")
    assert out["test_auc_clean_mean"] == 0.93 and out["test_auc_clean_sd"] == 0.02


def test_compare_with_committed_without_results(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(metrics, "RESULTS_DIR", tmp_path)
    assert metrics.compare_with_committed("absent", 0.9) is None
    assert "no committed results are available" in capsys.readouterr().out


def test_committed_results_ship_inside_the_package():
    import helpers
    assert metrics.RESULTS_DIR.parent == Path(helpers.__file__).resolve().parent
    assert metrics.load_results("breastmnist")["seeds"] == [0, 1, 2]


def test_paired_bootstrap_separates_a_real_gain_from_noise():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 300)
    signal = y + rng.normal(0, 1.0, 300)
    better = y + rng.normal(0, 0.5, 300)
    same = metrics.paired_bootstrap(y, signal, signal + rng.normal(0, 0.01, 300), n_boot=500)
    gain = metrics.paired_bootstrap(y, better, signal, n_boot=500)
    assert same["low"] < 0 < same["high"] and same["p"] > 0.05
    assert 0 < gain["low"] <= gain["diff"] <= gain["high"] and gain["p"] < 0.01
    flipped = metrics.paired_bootstrap(y, signal, better, n_boot=500)
    assert flipped["diff"] == pytest.approx(-gain["diff"]) and flipped["high"] < 0


def test_paired_bootstrap_pairs_the_resamples():
    """Two models that share most of their errors: the paired interval is narrower than unpaired CIs suggest."""
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 200)
    common = y + rng.normal(0, 1.0, 200)
    a, b = common + rng.normal(0, 0.1, 200), common + rng.normal(0, 0.1, 200)
    paired = metrics.paired_bootstrap(y, a, b, n_boot=500)
    _, lo_a, hi_a = metrics.bootstrap_ci(y, a, n_boot=500)
    assert paired["high"] - paired["low"] < 0.5 * (hi_a - lo_a)
