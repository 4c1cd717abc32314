"""Checkers of chapter 08's exercises (Case study: pneumonia on chest X-rays)."""

from __future__ import annotations

import numpy as np

from . import close, exercise
from .ch06 import threshold_hint


@exercise("08.1")
def youden_threshold(answer, y_val, p_val, y_test, p_test):
    """(threshold, test sensitivity, test specificity): the Youden threshold chosen
    on the validation split, applied once to the test split."""
    return threshold_hint(answer, y_val, p_val, y_test, p_test, rule="youden")


@exercise("08.2")
def not_inverted(answer, prepare, predict, radiograph, meta):
    """P(pneumonia) of the radiograph prepared as if it were MONOCHROME2: ``prepare``
    (radiograph_to_medmnist) with that metadata, then ``predict``."""
    wrong = {**meta, "PhotometricInterpretation": "MONOCHROME2"}
    expected = float(predict(prepare(radiograph, wrong)[None])[0])
    if close(answer, expected, abs_tol=2e-3):
        return None
    if close(answer, float(predict(prepare(radiograph, meta)[None])[0]), abs_tol=2e-3):
        return (
            "that is the probability of the inverted image: pass a copy of meta "
            "whose PhotometricInterpretation is MONOCHROME2."
        )
    return (
        "prepare the radiograph with radiograph_to_medmnist and the changed "
        "metadata, then give predict_pneumonia's probability for it."
    )


@exercise("08.3")
def closest_to_training_brightness(answer, variants, grid, windows, crops, train_mean):
    """(window, crop, probability) of the preprocessed version whose mean pixel value
    is closest to the training images' mean brightness; the window by its name in
    ``windows`` or its percentiles, the crop as a fraction (0.8 for 80 %)."""
    window, crop, probability = answer
    variant_means = np.asarray(variants, dtype=float).reshape(len(variants), -1)
    closest = int(
        np.argmin(np.abs(variant_means.mean(axis=1) - float(np.mean(train_mean))))
    )
    names = list(windows)
    expected_window = names[closest // len(crops)]
    expected_crop = crops[closest % len(crops)]
    if not isinstance(window, str):  # the percentiles instead of the name
        window = tuple(np.ravel(window).tolist())
    if window not in (expected_window, tuple(windows[expected_window])):
        return (
            "compare each version's mean pixel value with the mean of train_mean "
            "(the versions follow the window, then the crop, as in the grid)."
        )
    if not close(crop, expected_crop, abs_tol=1e-6):
        if close(crop, 100 * expected_crop, abs_tol=1e-6):
            return "give the crop as a fraction of the short edge, not in per cent."
        return (
            "the crop is the column of the grid: the versions run through the "
            "crops for each window."
        )
    if not close(probability, np.asarray(grid).ravel()[closest], abs_tol=1e-3):
        return "read that version's probability of pneumonia from grid (or sweep)."
    return None
