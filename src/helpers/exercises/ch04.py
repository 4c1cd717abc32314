"""Checkers of chapter 04's exercises (Building the CNN)."""

from __future__ import annotations

import numpy as np

from . import close, exercise, whole


@exercise("04.1")
def parameters_at_64_pixels(answer):
    """The article's CNN on a 64 x 64 x 1 input: its parameter count, by Keras."""
    from ..models import article_cnn

    expected = article_cnn(input_shape=(64, 64, 1), compile=False).count_params()
    if not close(answer, expected):
        return (
            "follow the shape through each layer (a 3 x 3 'valid' convolution loses "
            "2 pixels, a 2 x 2 pooling halves and rounds down), then count the first "
            "Dense layer's weights: it is the one that grows."
        )
    return None


@exercise("04.2")
def receptive_field_of_a_third_convolution(answer):
    """Receptive field (pixels on a side) after conv-pool-conv-pool-conv."""
    r, jump = 1, 1
    for kernel, stride in [(3, 1), (2, 2), (3, 1), (2, 2), (3, 1)]:
        r, jump = r + (kernel - 1) * jump, jump * stride
    if whole(answer) != r:
        return (
            "use r = r_prev + (k - 1) * jump, where the jump doubles after each "
            "2 x 2 pooling."
        )
    return None


@exercise("04.3")
def constant_score(answer, y_test):
    """(AUC, ACC) of a constant probability 0.9 of pneumonia on ``y_test``."""
    auc, acc = answer
    expected_acc = float(np.mean(np.ravel(y_test) == 1))
    if not close(auc, 0.5, abs_tol=1e-9):
        return (
            "a score that is the same for every image cannot rank one image above "
            "another: what AUC is that?"
        )
    if not close(acc, expected_acc, abs_tol=1e-3):
        return (
            "with a probability above 0.5 every X-ray is called 'pneumonia': "
            "accuracy is then the pneumonia share."
        )
    return None


@exercise("04.4")
def non_trainable_parameters(answer, model):
    """The number of non-trainable parameters of the batch-normalised ``model``."""
    expected = sum(int(np.prod(w.shape)) for w in model.non_trainable_weights)
    if whole(answer) != expected:
        return (
            "each BatchNormalization layer keeps two vectors it does not train, one "
            "value per channel: count the channels of the layers it normalises."
        )
    return None
