"""Checkers of chapter 14's exercises (Learning from little data: learning curves,
augmentation, pre-training and class imbalance)."""

from __future__ import annotations

import math

import numpy as np

from . import close, exercise


@exercise("14.1")
def nesting(answer, labels, subset):
    """(10 % seed 1 inside 50 % seed 1, inside 50 % seed 0) as two booleans.

    ``subset`` is the chapter's ``stratified_subset``, ``labels`` the chest
    training labels.
    """
    same_seed, other_seed = answer
    flags = (bool, np.bool_, int, np.integer)
    if not (isinstance(same_seed, flags) and isinstance(other_seed, flags)):
        return (
            "give two booleans, for example set(a) <= set(b) for each pair of subsets."
        )
    small = set(subset(labels, 0.1, 1))
    if bool(same_seed) != (small <= set(subset(labels, 0.5, 1))):
        return (
            "draw stratified_subset(chest_labels, 0.1, 1) and "
            "stratified_subset(chest_labels, 0.5, 1), and test set(a) <= set(b)."
        )
    if bool(other_seed) != (small <= set(subset(labels, 0.5, 0))):
        return (
            "test the 10 % subset of seed 1 against "
            "stratified_subset(chest_labels, 0.5, 0) with set(a) <= set(c)."
        )
    return None


@exercise("14.2")
def cost_of_data(answer, curve):
    """(images at 100 % / at 10 %, test AUC change per doubling), no augmentation.

    ``curve`` is the chapter's learning-curve table (columns augmentation,
    fraction, images, test AUC); the change per doubling is the whole change
    divided by log2 of the ratio of images.
    """
    ratio, per_doubling = (float(v) for v in answer)
    plain = curve[~curve["augmentation"].astype(bool)].set_index("fraction")
    smallest, largest = min(plain.index), max(plain.index)
    expected_ratio = plain.loc[largest, "images"] / plain.loc[smallest, "images"]
    rise = plain.loc[largest, "test AUC"] - plain.loc[smallest, "test AUC"]
    if not close(ratio, expected_ratio, rel=0.01):
        return (
            "divide the number of training images at the 100 % point by that "
            "at the 10 % point (the 'images' column)."
        )
    spread = rise / math.log2(expected_ratio)
    whole = close(per_doubling, rise, abs_tol=5e-4)
    if whole and not close(spread, rise, abs_tol=5e-4):
        return (
            "that is the whole change: spread it over the number of doublings, "
            "log2 of the ratio."
        )
    if not close(per_doubling, spread, abs_tol=5e-4):
        return (
            "take the test AUC at 100 % minus that at 10 % for the run without "
            "augmentation, and divide by log2 of the ratio of images."
        )
    return None


@exercise("14.3")
def validation_sensitivity(answer, p_val, malignant, threshold):
    """(validation sensitivity at 0.5, at ``threshold``): malignant with P >= cut."""
    at_half, at_chosen = (float(v) for v in answer)
    p_malignant = np.asarray(p_val)[np.asarray(malignant, dtype=bool)]
    if not close(at_half, np.mean(p_malignant >= 0.5), abs_tol=1e-3):
        return (
            "count the validation malignancies (y_val_malignant) whose "
            "P(malignant), p_val, is at least 0.5, as a share of all of them."
        )
    if not close(at_chosen, np.mean(p_malignant >= threshold), abs_tol=1e-3):
        return (
            "do the same at the threshold chosen on validation, val_threshold, "
            "instead of 0.5."
        )
    return None
