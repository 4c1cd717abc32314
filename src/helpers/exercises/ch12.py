"""Checkers of chapter 12's exercises (Case study: a 3D CNN on adrenal gland shapes
from CT)."""

from __future__ import annotations

import numpy as np

from . import close, exercise, whole


@exercise("12.1")
def conv3d_weights(answer, model):
    """(weights of the second Conv3D of ``model``, of a 2D 3 x 3 layer alike).

    The 2D layer has the same input channels and filters and no bias either.
    """
    import keras

    convs = [lay for lay in model.layers if isinstance(lay, keras.layers.Conv3D)]
    second = convs[1]
    kernel_shape = tuple(second.kernel.shape)  # (depth, height, width, in, out)
    weights_3d, weights_2d = (whole(v) for v in answer)
    if weights_3d != second.count_params():
        return (
            "a Conv3D kernel has depth x height x width weights for every pair "
            "of input channel and filter; this layer has no bias."
        )
    if weights_2d != int(np.prod(kernel_shape[1:])):
        return (
            "a 2D 3 x 3 kernel drops the depth: height x width weights per "
            "input channel and filter."
        )
    return None


@exercise("12.2")
def size_correlation(answer, probs, voxels):
    """Spearman correlation of P(hyperplasia) (column 1 of ``probs``), ``voxels``."""
    from scipy.stats import spearmanr

    expected = spearmanr(np.asarray(probs)[:, 1], voxels).statistic
    if close(answer, -expected, abs_tol=1e-3) and abs(expected) > 1e-3:
        return "use the probability of hyperplasia, column 1 of the probabilities."
    if not close(answer, expected, abs_tol=1e-3):
        return (
            "rank-correlate (scipy.stats.spearmanr) P(hyperplasia) of "
            "seed0_probs with the test glands' voxel counts, "
            "gland_voxels['test']."
        )
    return None


@exercise("12.3")
def screening_threshold(answer, val_probs, val_labels, test_probs, test_labels):
    """(threshold, test sensitivity, test specificity) for 90 % val. sensitivity.

    The threshold is the highest at which P(hyperplasia) >= threshold finds at least 90
    % of the validation hyperplasia cases; it is then applied once to the test split.
    """
    threshold, sensitivity, specificity = (float(v) for v in answer)
    val_y = np.asarray(val_labels).ravel()
    val_scores = np.asarray(val_probs)[:, 1][val_y == 1]
    highest = np.sort(val_scores)[int(np.floor(0.1 * len(val_scores)))]
    if np.mean(val_scores >= threshold) < 0.9:
        return (
            "at your threshold fewer than 90 % of the validation hyperplasia "
            "cases have P(hyperplasia) >= threshold: lower it."
        )
    if threshold < highest - 1e-4:
        return (
            "a higher threshold still finds 90 % of the validation hyperplasia "
            "cases: look at the sorted P(hyperplasia) of the validation "
            "positives."
        )
    test_y = np.asarray(test_labels).ravel()
    predicted = np.asarray(test_probs)[:, 1] >= threshold
    if not close(sensitivity, predicted[test_y == 1].mean(), abs_tol=1e-3):
        return (
            "sensitivity is the share of test hyperplasia cases at or above "
            "the threshold (calibrated probabilities, seed0_probs)."
        )
    if not close(specificity, (~predicted[test_y == 0]).mean(), abs_tol=1e-3):
        return "specificity is the share of normal test glands below the threshold."
    return None
