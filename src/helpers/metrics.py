"""Evaluation shared by several chapters: the MedMNIST rules, bootstrap intervals, the results files."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from sklearn.metrics import accuracy_score, roc_auc_score

RESULTS_DIR = Path(__file__).resolve().with_name("results")  # package data: present in a clone and a pip install


def medmnist_auc_acc(task: str, y_true, probs) -> tuple[float, float]:
    """AUC and ACC by the MedMNIST rules from class probabilities ``probs`` (N, C).

    Binary: AUC of the class-1 probability, ACC at threshold 0.5. Multi-class and ordinal: mean one-vs-rest AUC,
    ACC of the arg-max class.
    """
    y_true = np.asarray(y_true).ravel()
    probs = np.asarray(probs, dtype=np.float64)
    if probs.ndim == 1:
        probs = np.stack([1 - probs, probs], axis=1)
    if probs.shape[1] == 2 and task == "binary-class":
        score = probs[:, 1]
        return float(roc_auc_score(y_true, score)), float(accuracy_score(y_true, score > 0.5))
    auc = roc_auc_score(y_true, probs, multi_class="ovr", labels=np.arange(probs.shape[1]))
    return float(auc), float(accuracy_score(y_true, probs.argmax(axis=1)))


def _resamples(y_true, n_boot: int, seed: int):
    """Bootstrap index arrays over the cases, skipping resamples with one class (they have no AUC)."""
    rng = np.random.default_rng(seed)
    for _ in range(n_boot):
        idx = rng.integers(0, len(y_true), len(y_true))
        if len(np.unique(y_true[idx])) >= 2:
            yield idx


def bootstrap_ci(y_true, score, metric=roc_auc_score, n_boot: int = 1000, level: float = 0.95, seed: int = 0):
    """(estimate, low, high): ``metric`` on all cases and the percentile bootstrap interval over resampled cases."""
    y_true, score = np.asarray(y_true).ravel(), np.asarray(score)
    stats = [metric(y_true[idx], score[idx]) for idx in _resamples(y_true, n_boot, seed)]
    low, high = np.percentile(stats, [100 * (1 - level) / 2, 100 * (1 + level) / 2])
    return float(metric(y_true, score)), float(low), float(high)


def paired_bootstrap(y_true, score_a, score_b, metric=roc_auc_score, n_boot: int = 2000, level: float = 0.95,
                     seed: int = 0) -> dict:
    """Paired bootstrap of ``metric(a) - metric(b)`` on the same cases: {diff, low, high, p} (p: two-sided).

    Each resample draws the same cases for both models, so what they share (the hard and the easy cases) cancels;
    ``p`` is twice the share of resampled differences on the far side of zero (at least 1 / n_boot).
    """
    y_true, score_a, score_b = np.asarray(y_true).ravel(), np.asarray(score_a), np.asarray(score_b)
    diffs = np.array([metric(y_true[idx], score_a[idx]) - metric(y_true[idx], score_b[idx])
                      for idx in _resamples(y_true, n_boot, seed)])
    low, high = np.percentile(diffs, [100 * (1 - level) / 2, 100 * (1 + level) / 2])
    p = min(1.0, 2 * min((diffs <= 0).mean(), (diffs >= 0).mean()))
    diff = metric(y_true, score_a) - metric(y_true, score_b)
    return {"diff": float(diff), "low": float(low), "high": float(high), "p": max(float(p), 1 / len(diffs))}


def save_results(dataset: str, runs: list[dict], extra: dict | None = None, folder: Path | None = None) -> Path:
    """Write ``RESULTS_DIR/<dataset>.json`` (``src/helpers/results/``): mean and sd over ``runs`` (dicts with test_auc, test_acc, train_seconds, seed)."""
    auc = np.array([r["test_auc"] for r in runs])
    acc = np.array([r["test_acc"] for r in runs])
    secs = np.array([r["train_seconds"] for r in runs])
    summary = {
        "dataset": dataset,
        "seeds": [int(r["seed"]) for r in runs],
        "test_auc_mean": round(float(auc.mean()), 4), "test_auc_sd": round(float(auc.std(ddof=1)) if len(runs) > 1 else 0.0, 4),
        "test_acc_mean": round(float(acc.mean()), 4), "test_acc_sd": round(float(acc.std(ddof=1)) if len(runs) > 1 else 0.0, 4),
        "train_seconds_mean": round(float(secs.mean()), 1),
        "runs": runs,
    }
    if all("test_auc_clean" in r for r in runs):  # AUC on the test images without a near-copy (leakage audit)
        clean = np.array([r["test_auc_clean"] for r in runs])
        summary["test_auc_clean_mean"] = round(float(clean.mean()), 4)
        summary["test_auc_clean_sd"] = round(float(clean.std(ddof=1)) if len(runs) > 1 else 0.0, 4)
    summary.update(extra or {})
    folder = Path(folder) if folder else RESULTS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / f"{dataset}.json"
    out.write_text(json.dumps(summary, indent=1) + "\n")
    return out


def load_results(dataset: str, folder: Path | None = None) -> dict | None:
    """The committed benchmark results for ``dataset`` (``RESULTS_DIR/<dataset>.json``), or None where there are none."""
    file = (Path(folder) if folder else RESULTS_DIR) / f"{dataset}.json"
    return json.loads(file.read_text()) if file.is_file() else None


def compare_with_committed(dataset: str, seed0_test_auc: float, tolerance: float | None = None) -> dict | None:
    """Compare this run's seed-0 test AUC with the committed results of ``dataset``; returns those results.

    Prints both numbers; raises AssertionError when they differ by more than ``tolerance`` either way; returns None
    (and says so) where no results are committed. The committed run is the one whose ``seed`` is 0, wherever it sits.
    The default tolerance is 3 committed sds, at least 0.01: on another CPU or a GPU a run moves like a new seed.
    """
    committed = load_results(dataset)
    if committed is None:
        print(f"no committed results are available ({dataset}.json is missing): nothing to compare with")
        return None
    seed0 = [r for r in committed["runs"] if int(r["seed"]) == 0]
    assert len(seed0) == 1, f"{dataset}.json holds {len(seed0)} runs with seed 0, expected one"
    stored = seed0[0]["test_auc"]
    if tolerance is None:
        tolerance = max(3 * committed.get("test_auc_sd", 0.0), 0.01)
    print(f"seed-0 test AUC re-derived here {seed0_test_auc:.4f}, committed {stored:.4f}: re-derived and compared")
    assert abs(seed0_test_auc - stored) <= tolerance, f"seed-0 test AUC {seed0_test_auc:.4f} differs from {stored:.4f}"
    return committed


def summarise(runs: list[dict]) -> dict:
    """Mean and sd of test AUC and ACC over runs (dicts with test_auc and test_acc)."""
    auc = np.array([r["test_auc"] for r in runs])
    acc = np.array([r["test_acc"] for r in runs])
    sd = (lambda a: round(float(a.std(ddof=1)), 4) if len(a) > 1 else 0.0)
    return {"test_auc_mean": round(float(auc.mean()), 4), "test_auc_sd": sd(auc),
            "test_acc_mean": round(float(acc.mean()), 4), "test_acc_sd": sd(acc), "n_runs": len(runs)}


def binary_scores(y_true, score, threshold: float = 0.5, pos_label: int = 1) -> dict:
    """Sensitivity, specificity, PPV, NPV, accuracy and counts tp/fp/tn/fn, calling positive where score >= threshold.

    ``score`` is the probability (or any score) of the positive class; ``pos_label`` is the label value in ``y_true``
    that counts as positive (1 for pneumonia, 0 for malignant in BreastMNIST).
    """
    from sklearn.metrics import confusion_matrix
    positive = np.asarray(y_true).ravel() == pos_label
    called = np.asarray(score).ravel() >= threshold
    tn, fp, fn, tp = (int(v) for v in confusion_matrix(positive, called, labels=[False, True]).ravel())
    ratio = (lambda a, b: a / (a + b) if a + b else float("nan"))
    return {"threshold": float(threshold), "sensitivity": ratio(tp, fn), "specificity": ratio(tn, fp),
            "ppv": ratio(tp, fp), "npv": ratio(tn, fn), "accuracy": (tp + tn) / (tp + tn + fp + fn),
            "tp": tp, "fp": fp, "tn": tn, "fn": fn}


def choose_threshold(y_true, score, rule: str = "youden", target: float = 0.95, pos_label: int = 1) -> float:
    """A decision threshold on ``score`` chosen on validation data (never test) by one of three rules.

    ``"youden"``: the threshold that maximises sensitivity + specificity - 1; ``"sensitivity"``: the highest
    threshold whose sensitivity is at least ``target``; ``"specificity"``: the lowest threshold whose specificity is
    at least ``target``. Call positive where ``score >= threshold`` (as ``binary_scores`` does).
    """
    from sklearn.metrics import roc_curve
    positive = np.asarray(y_true).ravel() == pos_label
    fpr, tpr, thresholds = roc_curve(positive, np.asarray(score).ravel(), drop_intermediate=False)
    fpr, tpr, thresholds = fpr[1:], tpr[1:], thresholds[1:]  # the first point (nothing called positive) is no threshold
    if rule == "youden":
        return float(thresholds[np.argmax(tpr - fpr)])
    if rule == "sensitivity":
        return float(thresholds[np.argmax(tpr >= target)])
    if rule == "specificity":
        ok = np.flatnonzero(1 - fpr >= target)
        if ok.size == 0:
            raise ValueError(f"no threshold reaches specificity {target}: "
                             "even at the highest score too many negatives are called positive")
        return float(thresholds[ok[-1]])
    raise ValueError(f"unknown rule {rule!r}: use 'youden', 'sensitivity' or 'specificity'")


def ppv_at_prevalence(sensitivity: float, specificity: float, prevalence: float) -> float:
    """Positive predictive value (share of positive calls that are right) by Bayes' rule at a given prevalence."""
    true_pos = sensitivity * prevalence
    return float(true_pos / (true_pos + (1 - specificity) * (1 - prevalence)))
