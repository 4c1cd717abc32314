"""Checkers of chapter 07's exercises (Case study: breast tumours)."""

from __future__ import annotations

import numpy as np

from . import close, exercise
from .ch06 import threshold_hint

FAT_HU, SOFT_TISSUE_HU = (-190, -30), (-30, 150)  # the chapter's ranges


@exercise("07.1")
def screening_threshold(answer, y_val, p_val, y_test, p_test):
    """(threshold, test sensitivity, test specificity) for malignant (label 0): the
    highest threshold on p_malignant with a validation sensitivity of at least 0.95,
    applied once to the test split."""
    return threshold_hint(
        answer,
        y_val,
        p_val,
        y_test,
        p_test,
        rule="sensitivity",
        target=0.95,
        pos_label=0,
    )


@exercise("07.2")
def ppv_at_screening_prevalence(answer, y_test, p_test):
    """PPV at a prevalence of 0.5 % from the test sensitivity and specificity for
    malignancy at p_malignant >= 0.5, by Bayes' rule."""
    from ..metrics import binary_scores, ppv_at_prevalence

    scores = binary_scores(y_test, p_test, 0.5, pos_label=0)
    expected = ppv_at_prevalence(scores["sensitivity"], scores["specificity"], 0.005)
    if close(answer, expected, rel=1e-3, abs_tol=5e-4):
        return None
    if close(answer, scores["ppv"], abs_tol=1e-3):
        return (
            "that is the PPV at the test split's own share of cancers: use "
            "metrics.ppv_at_prevalence with a prevalence of 0.005 (0.5 %)."
        )
    if close(answer, 100 * expected, rel=1e-3):
        return "give the PPV as a share between 0 and 1, not in per cent."
    return (
        "take the sensitivity and specificity of `scores` (malignant positive, "
        "threshold 0.5) and the prevalence 0.5 % written as a share."
    )


@exercise("07.3")
def mean_hu_in_the_box(answer, inside):
    """(mean HU of fat, mean HU of soft tissue) among the body pixels ``inside`` the
    box, with the chapter's ranges: fat -190 to -30 HU, soft tissue above -30 to 150 HU.
    Half a HU of tolerance allows answers rounded to whole HU."""
    values = np.asarray(inside, dtype=float).ravel()
    fat = values[(values >= FAT_HU[0]) & (values <= FAT_HU[1])].mean()
    soft = values[(values > SOFT_TISSUE_HU[0]) & (values <= SOFT_TISSUE_HU[1])].mean()
    fat_answer, soft_answer = (float(v) for v in answer)
    if not close(fat_answer, fat, abs_tol=0.5):
        return (
            "average the pixels of `inside` between -190 and -30 HU, the mask "
            "that gave fat_share."
        )
    if not close(soft_answer, soft, abs_tol=0.5):
        return (
            "average the pixels of `inside` above -30 and up to 150 HU, the mask "
            "that gave gland_share."
        )
    return None
