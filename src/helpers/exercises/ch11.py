"""Checkers of chapter 11's exercises (Case study: bone and joint)."""

from __future__ import annotations

import numpy as np

from . import close, exercise

THRESHOLDS = (0.02, 0.03, 0.04)


@exercise("11.1")
def lesion_area_by_threshold(answer, segment, clahe):
    """The lesion's area (pixels) at depth thresholds 0.02, 0.03 and 0.04, in order.

    ``segment`` is the chapter's ``segment_lesion``, ``clahe`` the CLAHE radiograph.
    """
    areas = np.asarray(answer, dtype=float).ravel()
    if areas.size != len(THRESHOLDS):
        return "give three areas in pixels, one per threshold: 0.02, 0.03, 0.04."
    expected = [int(segment(clahe, threshold=t)[0].sum()) for t in THRESHOLDS]
    if not np.allclose(areas, expected, rtol=0.005, atol=0):
        return (
            "for each threshold in the order 0.02, 0.03, 0.04, call "
            "segment_lesion(tibia_clahe, threshold=t) and count the pixels of "
            "its mask (regionprops' area)."
        )
    return None


@exercise("11.2")
def tibial_shaft_width(answer, profile):
    """Shaft width (pixels): strongest falling minus strongest rising edge.

    Both edges are searched in columns 750 to 949 of ``np.gradient(profile)``;
    ``profile`` is the smoothed radiograph row 700 (the chapter's ``cr_profile``).
    """
    gradient = np.gradient(np.asarray(profile, dtype=float))
    columns = np.arange(750, 950)
    rising = columns[np.argmax(gradient[columns])]
    falling = columns[np.argmin(gradient[columns])]
    if not close(answer, falling - rising, abs_tol=2):
        return (
            "take np.gradient of cr_profile, find the columns of its largest "
            "(rising edge) and smallest (falling edge) value between columns "
            "750 and 950, and give their distance in pixels, not millimetres."
        )
    return None


@exercise("11.3")
def tta_validation_auc(answer, model, dataset):
    """Validation AUC of ``model`` averaged over copies mirrored along each axis.

    The copies are those of ``helpers.training.predict_tta`` with flips along axes 1,
    2 and 3 of (N, D, H, W, C), beside the unflipped volume.
    """
    from .. import metrics, training

    def auc(flips):
        images, labels = dataset["val_images"], dataset["val_labels"]
        probs = training.predict_tta(model, images, flips=flips)
        return metrics.medmnist_auc_acc(dataset["task"], labels, probs)[0]

    if close(answer, auc(((1,), (2,), (3,))), abs_tol=1e-3):
        return None
    if close(answer, auc(()), abs_tol=1e-3):
        return (
            "that is the plain validation AUC: pass flips along axes 1, 2 and 3 to "
            "training.predict_tta so that it averages the mirrored copies."
        )
    return (
        "average the probabilities with training.predict_tta(run.model, "
        "volumes_3d['val_images'], flips=...) over flips along axes 1, 2 and "
        "3, and score them with metrics.medmnist_auc_acc."
    )
