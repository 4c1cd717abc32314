"""Evaluation shared by several chapters: the MedMNIST rules, bootstrap intervals,
thresholds, calibration."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import accuracy_score, roc_auc_score


def medmnist_auc_acc(task: str, y_true, probs) -> tuple[float, float]:
    """AUC and ACC by the MedMNIST rules from class probabilities ``probs`` (N, C).

    Binary: AUC of the class-1 probability, ACC at threshold 0.5. Multi-class and
    ordinal: mean one-vs-rest AUC, ACC of the arg-max class.
    """
    y_true = np.asarray(y_true).ravel()
    probs = np.asarray(probs, dtype=np.float64)
    if probs.ndim == 1:
        probs = np.stack([1 - probs, probs], axis=1)
    if probs.shape[1] == 2 and task == "binary-class":
        score = probs[:, 1]
        return float(roc_auc_score(y_true, score)), float(
            accuracy_score(y_true, score > 0.5)
        )
    auc = roc_auc_score(
        y_true, probs, multi_class="ovr", labels=np.arange(probs.shape[1])
    )
    return float(auc), float(accuracy_score(y_true, probs.argmax(axis=1)))


def _resamples(y_true, n_boot: int, seed: int):
    """Bootstrap index arrays over the cases, skipping resamples with one class (they
    have no AUC)."""
    rng = np.random.default_rng(seed)
    for _ in range(n_boot):
        idx = rng.integers(0, len(y_true), len(y_true))
        if len(np.unique(y_true[idx])) >= 2:
            yield idx


def bootstrap_ci(
    y_true,
    score,
    metric=roc_auc_score,
    n_boot: int = 1000,
    level: float = 0.95,
    seed: int = 0,
):
    """(estimate, low, high): ``metric`` on all cases and the percentile bootstrap
    interval over resampled cases."""
    y_true, score = np.asarray(y_true).ravel(), np.asarray(score)
    stats = [
        metric(y_true[idx], score[idx]) for idx in _resamples(y_true, n_boot, seed)
    ]
    low, high = np.percentile(stats, [100 * (1 - level) / 2, 100 * (1 + level) / 2])
    return float(metric(y_true, score)), float(low), float(high)


def paired_bootstrap(
    y_true,
    score_a,
    score_b,
    metric=roc_auc_score,
    n_boot: int = 2000,
    level: float = 0.95,
    seed: int = 0,
) -> dict:
    """Paired bootstrap of ``metric(a) - metric(b)`` on the same cases: {diff, low,
    high, p} (p: two-sided).

    Each resample draws the same cases for both models, so what they share (the hard and
    the easy cases) cancels; ``p`` is twice the share of resampled differences on the
    far side of zero (at least 1 / n_boot).
    """
    y_true, score_a, score_b = (
        np.asarray(y_true).ravel(),
        np.asarray(score_a),
        np.asarray(score_b),
    )
    diffs = np.array(
        [
            metric(y_true[idx], score_a[idx]) - metric(y_true[idx], score_b[idx])
            for idx in _resamples(y_true, n_boot, seed)
        ]
    )
    low, high = np.percentile(diffs, [100 * (1 - level) / 2, 100 * (1 + level) / 2])
    p = min(1.0, 2 * min((diffs <= 0).mean(), (diffs >= 0).mean()))
    diff = metric(y_true, score_a) - metric(y_true, score_b)
    return {
        "diff": float(diff),
        "low": float(low),
        "high": float(high),
        "p": max(float(p), 1 / len(diffs)),
    }


def binary_scores(y_true, score, threshold: float = 0.5, pos_label: int = 1) -> dict:
    """Sensitivity, specificity, PPV, NPV, accuracy and counts tp/fp/tn/fn, calling
    positive where score >= threshold.

    ``score`` is the probability (or any score) of the positive class; ``pos_label`` is
    the label value in ``y_true`` that counts as positive (1 for pneumonia, 0 for
    malignant in BreastMNIST).
    """
    from sklearn.metrics import confusion_matrix

    positive = np.asarray(y_true).ravel() == pos_label
    called = np.asarray(score).ravel() >= threshold
    tn, fp, fn, tp = (
        int(v) for v in confusion_matrix(positive, called, labels=[False, True]).ravel()
    )
    ratio = lambda a, b: a / (a + b) if a + b else float("nan")
    return {
        "threshold": float(threshold),
        "sensitivity": ratio(tp, fn),
        "specificity": ratio(tn, fp),
        "ppv": ratio(tp, fp),
        "npv": ratio(tn, fn),
        "accuracy": (tp + tn) / (tp + tn + fp + fn),
        "tp": tp,
        "fp": fp,
        "tn": tn,
        "fn": fn,
    }


def choose_threshold(
    y_true, score, rule: str = "youden", target: float = 0.95, pos_label: int = 1
) -> float:
    """A decision threshold on ``score`` chosen on validation data (never test) by one
    of three rules.

    ``"youden"``: the threshold that maximises sensitivity + specificity - 1;
    ``"sensitivity"``: the highest threshold whose sensitivity is at least ``target``;
    ``"specificity"``: the lowest threshold whose specificity is at least ``target``.
    Call positive where ``score >= threshold`` (as ``binary_scores`` does).
    """
    from sklearn.metrics import roc_curve

    positive = np.asarray(y_true).ravel() == pos_label
    fpr, tpr, thresholds = roc_curve(
        positive, np.asarray(score).ravel(), drop_intermediate=False
    )
    fpr, tpr, thresholds = (
        fpr[1:],
        tpr[1:],
        thresholds[1:],
    )  # the first point (nothing called positive) is no threshold
    if rule == "youden":
        return float(thresholds[np.argmax(tpr - fpr)])
    if rule == "sensitivity":
        return float(thresholds[np.argmax(tpr >= target)])
    if rule == "specificity":
        ok = np.flatnonzero(1 - fpr >= target)
        if ok.size == 0:
            raise ValueError(
                f"no threshold reaches specificity {target}: "
                "even at the highest score too many negatives are called positive"
            )
        return float(thresholds[ok[-1]])
    raise ValueError(
        f"unknown rule {rule!r}: use 'youden', 'sensitivity' or 'specificity'"
    )


def ppv_at_prevalence(
    sensitivity: float, specificity: float, prevalence: float
) -> float:
    """Positive predictive value (share of positive calls that are right) by Bayes'
    rule at a given prevalence."""
    true_pos = sensitivity * prevalence
    return float(true_pos / (true_pos + (1 - specificity) * (1 - prevalence)))


def calibrate_on_validation(val_probs, val_labels):
    """Platt scaling fitted on validation: a function mapping class probabilities (N, C)
    to recalibrated ones.

    Binary: a logistic regression on the log-odds of class 1, a monotone map, so AUC is
    unchanged while the probabilities (and so ACC at 0.5) move. More classes: a
    multinomial logistic regression on the log-probabilities.
    """
    from sklearn.linear_model import LogisticRegression

    val_probs = np.asarray(val_probs, dtype=np.float64)
    binary = val_probs.shape[1] == 2

    def features(probs):
        log_p = np.log(np.clip(np.asarray(probs, dtype=np.float64), 1e-7, 1.0))
        return log_p[:, 1:] - log_p[:, :1] if binary else log_p

    fitted = LogisticRegression(C=1e4, max_iter=1000).fit(
        features(val_probs), np.asarray(val_labels).ravel()
    )
    return lambda probs: fitted.predict_proba(features(probs))


def seeds_paired(a, b, lower_is_better: bool = False) -> dict:
    """A comparison of two settings trained with the same seeds: per-seed values ``a``
    and ``b`` (seed i of each shares its initial weights and batch order).

    Returns the means and sds (ddof=1) of both, the mean paired difference a - b with
    its 95 % t-interval over seeds (NaN with fewer than two seeds), and a verdict: "a"
    when the interval excludes 0 on a's good side and every seed's difference agrees,
    "b" the other way round, "none" otherwise, and "too few seeds" under three.
    ``seeds_agree`` says which side every seed's difference favours ("a", "b" or None),
    whatever the interval: "none" with ``seeds_agree`` set means every seed points one
    way but the interval over seeds still includes 0.
    """
    from scipy import stats

    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape or a.ndim != 1 or a.size == 0:
        raise ValueError(
            f"need one value per seed for both: shapes {a.shape}, {b.shape}"
        )
    diff = a - b
    n = diff.size
    mean = float(diff.mean())
    if n > 1:
        half = float(stats.t.ppf(0.975, n - 1) * diff.std(ddof=1) / np.sqrt(n))
    else:
        half = float("nan")
    low, high = mean - half, mean + half
    sign = -1 if lower_is_better else 1  # +1: a larger difference favours a
    if n < 3:
        verdict = "too few seeds"
    elif sign * low > 0 and sign * high > 0 and np.all(sign * diff > 0):
        verdict = "a"
    elif sign * low < 0 and sign * high < 0 and np.all(sign * diff < 0):
        verdict = "b"
    else:
        verdict = "none"
    agree = "a" if np.all(sign * diff > 0) else "b" if np.all(sign * diff < 0) else None
    sd = lambda v: float(v.std(ddof=1)) if n > 1 else 0.0
    return {
        "n_seeds": n,
        "a_mean": float(a.mean()),
        "a_sd": sd(a),
        "b_mean": float(b.mean()),
        "b_sd": sd(b),
        "difference": mean,
        "low": low,
        "high": high,
        "verdict": verdict,
        "seeds_agree": agree,
    }
