"""Checkers of chapter 03's exercises (The mathematics of a convolutional network)."""

from __future__ import annotations

import numpy as np

from . import all_close, exercise, whole


@exercise("03.1")
def output_size_224(answer):
    """Output size of a 7 x 7 convolution, stride 2, padding 3, on 224 x 224."""
    n, k, stride, padding = 224, 7, 2, 3
    expected = (n + 2 * padding - k) // stride + 1  # the chapter's output_size
    if not all(int(size) == expected for size in np.ravel(answer)):
        return (
            "use floor((n + 2p - k) / s) + 1 with this kernel, stride and padding; "
            "tf.nn.conv2d on zeros of shape (1, 224, 224, 1) confirms it."
        )
    return None


@exercise("03.2")
def same_either_way(answer):
    """A rule ``answer(kernel) -> bool``: True where convolution = cross-correlation."""
    from scipy.signal import convolve2d, correlate2d

    rng = np.random.default_rng(0)
    image = rng.random((16, 16))
    kernels = [
        np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]]),  # Laplacian
        np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]),  # Sobel x
        np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]]),  # Sobel y
        np.array([[1, 2, 3], [4, 5, 4], [3, 2, 1]]),  # the same when turned 180 degrees
        np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]) / 16,  # Gaussian blur
        np.ones((2, 2)),
        rng.normal(size=(3, 3)),
    ]
    for kernel in kernels:
        kernel = kernel.astype(np.float32)
        expected = np.allclose(
            convolve2d(image, kernel, mode="valid"),
            correlate2d(image, kernel, mode="valid"),
            atol=1e-5,
        )
        if bool(answer(kernel.copy())) != expected:
            return (
                "convolution flips the kernel before sliding it: try your rule on "
                "kernels symmetric in one direction only, such as sobel_x."
            )
    return None


@exercise("03.3")
def conv_parameters(answer):
    """Parameters of ``Conv2D(64, 3)`` on a 32-channel input, counted by Keras."""
    import keras

    conv = keras.layers.Conv2D(64, 3)
    conv.build((None, None, None, 32))
    if whole(answer) != conv.count_params():
        return (
            "each filter has a 3 x 3 weight for every input channel, and each "
            "filter has its own bias."
        )
    return None


@exercise("03.4")
def softmax_gradient(answer, logits, y_true):
    """d(mean cross-entropy)/d(logits) for ``logits`` (N, C) and integer ``y_true``."""
    from scipy.special import softmax

    logits, y_true = np.asarray(logits, dtype=np.float64), np.ravel(y_true)
    onehot = np.eye(logits.shape[1])[y_true]
    expected = (softmax(logits, axis=-1) - onehot) / len(y_true)
    if np.shape(answer) != logits.shape:
        return "the gradient has one value per logit: the shape of logits."
    if not all_close(answer, expected, rel=0, abs_tol=1e-6):
        return (
            "differentiate the mean loss (SparseCategoricalCrossentropy with "
            "from_logits=True) with respect to tf.Variable(logits) in a tape."
        )
    return None
