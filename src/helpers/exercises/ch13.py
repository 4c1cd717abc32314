"""Checkers of chapter 13's exercises (Interpretability: Grad-CAM, saliency and
their sanity checks)."""

from __future__ import annotations

import numpy as np

from . import close, exercise


def _predicted(model, images):
    """The class the trained ``model`` gives each image: the class all maps explain."""
    return np.asarray(model.predict(images, verbose=0)).argmax(axis=1)


@exercise("13.1")
def head_randomised_grad_cam(answer, model, images, live, live_rho):
    """Mean ``live_rho`` of trained vs head-randomised Grad-CAM (Dense layers, seed 1).

    The copy keeps the trained convolutions and re-initialises every Dense layer
    with ``explain.randomised_copy(model, seed=1, layer_names=...)``; both models
    explain the class the trained model predicts.
    """
    import keras

    from .. import explain

    classes = _predicted(model, images)
    dense = keras.layers.Dense
    head = [layer.name for layer in model.layers if isinstance(layer, dense)]
    partly = explain.randomised_copy(model, seed=1, layer_names=head)
    trained = explain.grad_cam(model, images, classes)
    randomised = explain.grad_cam(partly, images, classes)
    expected = np.nanmean(live_rho(trained, randomised, live))
    if not close(answer, expected, abs_tol=1e-3):
        return (
            "randomise only the Dense layers (randomised_copy with seed=1 and "
            "their names), compute Grad-CAM of both models for the class the "
            "trained model predicts, and average live_rho with np.nanmean."
        )
    return None


@exercise("13.2")
def ssim_trained_vs_random(answer, model, random_model, images):
    """Mean SSIM (data_range=1) of trained vs fully randomised Grad-CAM maps.

    Both models explain the class the trained ``model`` predicts.
    """
    from skimage.metrics import structural_similarity

    from .. import explain

    classes = _predicted(model, images)
    pairs = zip(
        explain.grad_cam(model, images, classes),
        explain.grad_cam(random_model, images, classes),
    )
    ssim = [structural_similarity(a, b, data_range=1.0) for a, b in pairs]
    if not close(answer, np.mean(ssim), abs_tol=1e-3):
        return (
            "compare each image's trained and chest_random Grad-CAM maps with "
            "structural_similarity(a, b, data_range=1.0), both for the class "
            "the trained model predicts, and average over the 32 images."
        )
    return None


@exercise("13.3")
def first_vs_last_layer(answer, model, images, live, live_rho):
    """Mean ``live_rho`` of Grad-CAM at the first vs the last Conv2D layer."""
    import keras

    from .. import explain

    classes = _predicted(model, images)
    conv = keras.layers.Conv2D
    first_conv = [layer.name for layer in model.layers if isinstance(layer, conv)][0]
    first = explain.grad_cam(model, images, classes, layer_name=first_conv)
    last = explain.grad_cam(model, images, classes)
    if not close(answer, np.nanmean(live_rho(first, last, live)), abs_tol=1e-3):
        return (
            "pass the first Conv2D layer's name as layer_name to "
            "explain.grad_cam, compare it with the default (last-layer) "
            "Grad-CAM by live_rho, and average with np.nanmean."
        )
    return None
