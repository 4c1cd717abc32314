"""Unit tests of helpers.metrics (MedMNIST rules, bootstrap, results files,
thresholds) and the evaluation plots."""

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
    assert metrics.medmnist_auc_acc("binary-class", y, score) == (
        auc,
        acc,
    )  # a 1-D score means P(class 1)


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


def test_binary_scores_counts_and_rates():
    y = np.array([1, 1, 1, 1, 0, 0, 0, 0, 0, 0])
    score = np.array([0.9, 0.8, 0.6, 0.2, 0.7, 0.3, 0.2, 0.1, 0.1, 0.0])
    out = metrics.binary_scores(y, score, threshold=0.5)
    assert (out["tp"], out["fn"], out["fp"], out["tn"]) == (3, 1, 1, 5)
    assert out["sensitivity"] == 0.75 and out["specificity"] == pytest.approx(5 / 6)
    assert (
        out["ppv"] == 0.75
        and out["npv"] == pytest.approx(5 / 6)
        and out["accuracy"] == 0.8
    )
    assert (
        metrics.binary_scores(y, score, threshold=0.6)["tp"] == 3
    )  # score >= threshold is positive


def test_binary_scores_with_label_zero_positive():
    y = np.array([0, 0, 1, 1])  # e.g. BreastMNIST, where 0 = malignant
    p_malignant = np.array([0.9, 0.4, 0.2, 0.6])
    out = metrics.binary_scores(y, p_malignant, pos_label=0)
    assert (out["tp"], out["fn"], out["fp"], out["tn"]) == (1, 1, 1, 1)


def test_choose_threshold_rules(binary_case):
    y, score = binary_case
    youden = metrics.choose_threshold(y, score)
    j = lambda t: (lambda s: s["sensitivity"] + s["specificity"] - 1)(
        metrics.binary_scores(y, score, t)
    )
    assert all(j(youden) >= j(t) - 1e-12 for t in np.unique(score))
    t_sens = metrics.choose_threshold(y, score, rule="sensitivity", target=0.95)
    assert metrics.binary_scores(y, score, t_sens)["sensitivity"] >= 0.95
    higher = np.unique(score)[np.unique(score) > t_sens]
    assert (
        metrics.binary_scores(y, score, higher[0])["sensitivity"] < 0.95
    )  # the highest such threshold
    t_spec = metrics.choose_threshold(y, score, rule="specificity", target=0.9)
    assert metrics.binary_scores(y, score, t_spec)["specificity"] >= 0.9
    assert metrics.choose_threshold(1 - y, score, pos_label=0) == pytest.approx(
        youden
    )  # label 0 = disease
    with pytest.raises(ValueError, match="unknown rule"):
        metrics.choose_threshold(y, score, rule="f1")


def test_ppv_at_prevalence():
    assert metrics.ppv_at_prevalence(0.9, 0.9, 0.5) == pytest.approx(0.9)
    assert metrics.ppv_at_prevalence(0.9, 0.9, 0.1) == pytest.approx(0.5)


def test_confusion_heatmap_shows_counts_and_shares():
    ax = plots.confusion_heatmap(
        [0, 0, 1, 1, 1], [0, 1, 1, 1, 0], ["normal", "pneumonia"], title="toy"
    )
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
    """fp != fn and tp != tn, so a swapped denominator or numerator changes every
    rate."""
    y = np.array([1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0])
    score = np.array([0.9, 0.8, 0.7, 0.1, 0.6, 0.55, 0.3, 0.2, 0.1, 0.0, 0.0])
    out = metrics.binary_scores(y, score, threshold=0.5)
    assert (out["tp"], out["fn"], out["fp"], out["tn"]) == (3, 1, 2, 5)
    assert out["ppv"] == pytest.approx(3 / 5) and out["npv"] == pytest.approx(5 / 6)
    assert out["sensitivity"] == pytest.approx(3 / 4) and out[
        "specificity"
    ] == pytest.approx(5 / 7)
    assert out["accuracy"] == pytest.approx(8 / 11)


def test_paired_bootstrap_separates_a_real_gain_from_noise():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 300)
    signal = y + rng.normal(0, 1.0, 300)
    better = y + rng.normal(0, 0.5, 300)
    same = metrics.paired_bootstrap(
        y, signal, signal + rng.normal(0, 0.01, 300), n_boot=500
    )
    gain = metrics.paired_bootstrap(y, better, signal, n_boot=500)
    assert same["low"] < 0 < same["high"] and same["p"] > 0.05
    assert 0 < gain["low"] <= gain["diff"] <= gain["high"] and gain["p"] < 0.01
    flipped = metrics.paired_bootstrap(y, signal, better, n_boot=500)
    assert flipped["diff"] == pytest.approx(-gain["diff"]) and flipped["high"] < 0


def test_paired_bootstrap_pairs_the_resamples():
    """Two models that share most of their errors: the paired interval is narrower
    than unpaired CIs suggest."""
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 200)
    common = y + rng.normal(0, 1.0, 200)
    a, b = common + rng.normal(0, 0.1, 200), common + rng.normal(0, 0.1, 200)
    paired = metrics.paired_bootstrap(y, a, b, n_boot=500)
    _, lo_a, hi_a = metrics.bootstrap_ci(y, a, n_boot=500)
    assert paired["high"] - paired["low"] < 0.5 * (hi_a - lo_a)


def test_calibrate_on_validation_keeps_order_and_fixes_the_mean():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 200)
    p1 = np.clip(
        0.6 + 0.3 * (y - 0.5) + rng.normal(0, 0.15, 200), 0.01, 0.99
    )  # too high on average
    probs = np.stack([1 - p1, p1], axis=1)
    out = metrics.calibrate_on_validation(probs, y)(probs)
    assert out.shape == probs.shape
    assert np.all(
        np.diff(out[np.argsort(p1), 1]) >= -1e-12
    )  # monotone: the AUC is unchanged
    assert (
        abs(out[:, 1].mean() - y.mean()) < 0.01 < abs(p1.mean() - y.mean())
    )  # logistic fit: means agree


def test_seeds_paired_t_interval_worked_by_hand():
    # differences 2, 3, 4: mean 3, sd 1, half-width t(0.975, 2) / sqrt(3) = 2.4842
    s = metrics.seeds_paired([3, 4, 5], [1, 1, 1])
    assert s["difference"] == 3 and s["a_mean"] == 4 and s["b_sd"] == 0
    assert s["low"] == pytest.approx(0.5158, abs=1e-4)
    assert s["high"] == pytest.approx(5.4842, abs=1e-4)
    assert s["verdict"] == "a"
    assert (
        metrics.seeds_paired([3, 4, 5], [1, 1, 1], lower_is_better=True)["verdict"]
        == "b"
    )
    assert metrics.seeds_paired([1, 1, 1], [3, 4, 5])["verdict"] == "b"


@pytest.mark.parametrize(
    "a, b, verdict",
    [
        ([3, 0, 5], [1, 1, 1], "none"),  # one seed disagrees
        ([1.1, 1.0, 3.0], [1, 1, 1], "none"),  # all >= 0 but the interval spans 0
        ([3, 4], [1, 1], "too few seeds"),
    ],
)
def test_seeds_paired_verdict_needs_the_interval_and_every_seed(a, b, verdict):
    assert metrics.seeds_paired(a, b)["verdict"] == verdict


def test_seeds_paired_says_where_every_seed_points_whatever_the_interval():
    spans_zero = metrics.seeds_paired([1.1, 1.05, 3.0], [1, 1, 1])
    assert spans_zero["verdict"] == "none" and spans_zero["seeds_agree"] == "a"
    assert metrics.seeds_paired([3, 0, 5], [1, 1, 1])["seeds_agree"] is None
    assert metrics.seeds_paired([1, 1, 1], [3, 4, 5])["seeds_agree"] == "b"
    lower = metrics.seeds_paired([1, 1, 1], [3, 4, 5], lower_is_better=True)
    assert lower["verdict"] == lower["seeds_agree"] == "a"


def test_seeds_paired_rejects_unpaired_values():
    with pytest.raises(ValueError, match="one value per seed"):
        metrics.seeds_paired([1, 2, 3], [1, 2])
