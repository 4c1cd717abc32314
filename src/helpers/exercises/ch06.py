"""Checkers of chapter 06's exercises (Evaluate a classifier)."""

from __future__ import annotations

import numpy as np

from . import close, exercise


def youden_j(scores: dict) -> float:
    """Youden's J = sensitivity + specificity - 1 of a ``binary_scores`` dict."""
    return scores["sensitivity"] + scores["specificity"] - 1


def threshold_hint(
    answer, y_val, p_val, y_test, p_test, rule, target=0.95, pos_label=1
):
    """Hint for (threshold, test sensitivity, test specificity), or None when right.

    The threshold must do on validation as well as ``metrics.choose_threshold``'s
    ``rule`` (thresholds that call the same validation images are all right); the
    two rates are then recomputed on the test split at the reader's threshold.
    """
    from ..metrics import binary_scores, choose_threshold

    threshold, sens, spec = (float(v) for v in answer)
    mine = binary_scores(y_val, p_val, threshold, pos_label=pos_label)
    chosen = choose_threshold(
        y_val, p_val, rule=rule, target=target, pos_label=pos_label
    )
    best = binary_scores(y_val, p_val, chosen, pos_label=pos_label)
    if rule == "youden":
        ok = youden_j(mine) >= youden_j(best) - 1e-9
        hint = (
            "your threshold does not give the highest sensitivity + specificity "
            "- 1 on the validation split."
        )
    else:  # "sensitivity" or "specificity": reach the target, keep the other rate
        other = "specificity" if rule == "sensitivity" else "sensitivity"
        ok = mine[rule] >= target and mine[other] >= best[other] - 1e-9
        way, end = (
            ("higher", "highest") if rule == "sensitivity" else ("lower", "lowest")
        )
        hint = (
            f"on validation your threshold gives a {rule} below {target}."
            if mine[rule] < target
            else f"a {way} threshold still reaches the target {rule} on "
            f"validation: take the {end} one."
        )
    if not ok:
        try:
            on_test = choose_threshold(
                y_test, p_test, rule=rule, target=target, pos_label=pos_label
            )
        except ValueError:
            on_test = None
        if on_test is not None and close(threshold, on_test, rel=1e-9):
            return (
                "your threshold was chosen on the test split: choose it on the "
                "validation labels and probabilities, then apply it to test."
            )
        return hint
    test = binary_scores(y_test, p_test, threshold, pos_label=pos_label)
    if close(sens, test["sensitivity"], abs_tol=1e-3) and close(
        spec, test["specificity"], abs_tol=1e-3
    ):
        return None
    if close(sens, mine["sensitivity"], abs_tol=1e-3) and close(
        spec, mine["specificity"], abs_tol=1e-3
    ):
        return (
            "those are the validation rates: apply the threshold, unchanged, "
            "to the test split."
        )
    return (
        f"score the test split at your threshold with metrics.binary_scores "
        f"(pos_label={pos_label}) and give its sensitivity and specificity."
    )


@exercise("06.1")
def ppv_at_five_percent(answer, y_test, p_test, threshold):
    """PPV at a prevalence of 5 % from the test sensitivity and specificity at
    ``threshold`` (the Youden threshold chosen on validation), by Bayes' rule."""
    from ..metrics import binary_scores, ppv_at_prevalence

    scores = binary_scores(y_test, p_test, threshold)
    expected = ppv_at_prevalence(scores["sensitivity"], scores["specificity"], 0.05)
    if close(answer, expected, rel=1e-3, abs_tol=5e-4):
        return None
    if close(answer, scores["ppv"], abs_tol=1e-3):
        return (
            "that is the PPV at the test split's own prevalence: redo Bayes' rule "
            "with a prevalence of 0.05."
        )
    return (
        "PPV = sens * prev / (sens * prev + (1 - spec) * (1 - prev)), with the "
        "test sensitivity and specificity at the Youden threshold (at_youden)."
    )


@exercise("06.2")
def specificity_90_threshold(answer, y_val, p_val, y_test, p_test):
    """(threshold, test sensitivity, test specificity): the lowest threshold with a
    validation specificity of at least 0.90, applied once to the test split."""
    return threshold_hint(
        answer, y_val, p_val, y_test, p_test, rule="specificity", target=0.90
    )


@exercise("06.3")
def accuracy_interval(answer, y_test, p_test):
    """(test accuracy at 0.5, low, high): a 95 % percentile bootstrap interval,
    recomputed with ``metrics.bootstrap_ci`` (1,000 resamples); the bounds may
    differ by 0.01, the wobble of another seed or number of resamples."""
    from ..metrics import bootstrap_ci

    acc, low, high = (float(v) for v in answer)
    expected = bootstrap_ci(
        np.ravel(y_test), p_test, lambda y, p: np.mean((p > 0.5) == y), n_boot=1000
    )
    if not close(acc, expected[0], abs_tol=1e-3):
        return (
            "the first number is the accuracy on all test images, calling "
            "pneumonia where p_test > 0.5."
        )
    if not low < acc < high:
        return "give the interval as (accuracy, lower bound, upper bound)."
    if not (
        close(low, expected[1], abs_tol=0.01) and close(high, expected[2], abs_tol=0.01)
    ):
        return (
            "pass accuracy at 0.5 as the metric of metrics.bootstrap_ci, which "
            "resamples the test cases and takes the 2.5th and 97.5th percentiles."
        )
    return None


@exercise("06.4")
def youden_on_test(answer, y_val, p_val, y_test, p_test):
    """(test J of the Youden threshold chosen on test, test J of the one chosen on
    validation), with J = sensitivity + specificity - 1."""
    from ..metrics import binary_scores, choose_threshold

    j_test_chosen, j_val_chosen = (float(v) for v in answer)

    def j(threshold):
        return youden_j(binary_scores(y_test, p_test, threshold))

    if not close(j_val_chosen, j(choose_threshold(y_val, p_val)), abs_tol=1e-3):
        return (
            "the second J is measured on test at the threshold chosen on "
            "validation (the 'Youden (val)' threshold)."
        )
    if not close(j_test_chosen, j(choose_threshold(y_test, p_test)), abs_tol=1e-3):
        return (
            "the first J is measured on test at the Youden threshold chosen on "
            "the test labels and probabilities themselves."
        )
    return None
