"""Checkers of chapter 09's exercises (Case study: ophthalmology)."""

from __future__ import annotations

import numpy as np

from . import close, exercise

GRADES = 5


def _qwk(y_true, y_pred) -> float:
    from sklearn.metrics import cohen_kappa_score

    return float(cohen_kappa_score(y_true, y_pred, weights="quadratic"))


def _cut(expected_grade, thresholds):
    """Grades 0-4 from expected grades and four thresholds (sorted first)."""
    return np.digitize(expected_grade, np.sort(np.ravel(thresholds)))


@exercise("09.1")
def kappa_by_hand(answer, test_y, predicted):
    """Quadratic weighted kappa of the predicted grades ``predicted`` (chosen_pred)
    against ``test_y``, as scikit-learn's cohen_kappa_score computes it."""
    from sklearn.metrics import cohen_kappa_score

    if close(answer, _qwk(test_y, predicted), abs_tol=1e-4):
        return None
    for weights in (None, "linear"):
        if close(
            answer, cohen_kappa_score(test_y, predicted, weights=weights), abs_tol=1e-4
        ):
            return (
                "that kappa does not use the quadratic weights "
                "w_ij = (i - j)^2 / (K - 1)^2."
            )
    return (
        "build O with confusion_matrix, E as the outer product of O's row and "
        "column sums divided by the total, then 1 - sum(w O) / sum(w E)."
    )


@exercise("09.2")
def always_grade_zero(answer, test_y):
    """(accuracy, QWK, MedMNIST AUC) on ``test_y`` of the class probabilities
    (1, 0, 0, 0, 0) for every image."""
    from ..metrics import medmnist_auc_acc

    acc, qwk, auc = (float(v) for v in answer)
    y = np.ravel(test_y)
    always_zero = np.tile(np.eye(GRADES)[0], (len(y), 1))
    expected_auc, expected_acc = medmnist_auc_acc("ordinal-regression", y, always_zero)
    if not close(acc, expected_acc, abs_tol=1e-3):
        return "its accuracy is the share of test images whose grade is 0."
    if not close(qwk, _qwk(y, always_zero.argmax(axis=1)), abs_tol=1e-3):
        return (
            "work out O and E for a model that answers one grade only: how do "
            "their weighted sums compare?"
        )
    if not close(auc, expected_auc, abs_tol=1e-3):
        return (
            "in every one-vs-rest AUC all images get the same score for the "
            "class: what AUC does a constant score have?"
        )
    return None


@exercise("09.3")
def fitted_thresholds(answer, val_y, test_y, val_probs, test_probs):
    """(four thresholds on the ordinal network's expected grade, test QWK with them).

    The thresholds must be fitted on validation: their validation QWK must come within
    0.01 of what Nelder-Mead from 0.5, 1.5, 2.5, 3.5 reaches (recomputed here), and
    they must not be the ones Nelder-Mead finds on the test split; the test QWK is
    recomputed at the reader's thresholds.
    """
    from scipy.optimize import minimize

    thresholds, test_qwk = answer
    if np.ravel(thresholds).shape != (GRADES - 1,):
        return "give four thresholds, one between each pair of neighbouring grades."
    values = np.arange(GRADES)
    val_expected = np.asarray(val_probs) @ values
    test_expected = np.asarray(test_probs) @ values
    start = [0.5, 1.5, 2.5, 3.5]
    fit = minimize(
        lambda t: -_qwk(val_y, _cut(val_expected, t)), x0=start, method="Nelder-Mead"
    )
    on_test = minimize(
        lambda t: -_qwk(test_y, _cut(test_expected, t)), x0=start, method="Nelder-Mead"
    ).x
    mine = np.sort(np.ravel(thresholds))
    if np.allclose(mine, np.sort(on_test)) and not np.allclose(mine, np.sort(fit.x)):
        return (
            "your thresholds were fitted on the test split: fit them on the "
            "validation split, then apply them once to test."
        )
    if _qwk(val_y, _cut(val_expected, thresholds)) < -fit.fun - 0.01:
        return (
            "your thresholds do not maximise the QWK on the validation split: "
            "fit them on val_y and the validation expected grades."
        )
    if not close(test_qwk, _qwk(test_y, _cut(test_expected, thresholds)), abs_tol=1e-3):
        return (
            "cut the test split's expected grades with your sorted thresholds "
            "(np.digitize) and score them with the quadratic kappa."
        )
    return None
