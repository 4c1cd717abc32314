"""Checkers of chapter 18's exercises (Generation: restoring and synthesising
images)."""

from __future__ import annotations

import numpy as np

from . import exercise


@exercise("18.1")
def label_steers_generator(answer, decoder, classifier, n=500, seed=5):
    """(mean P(pneumonia) of codes decoded as normal, decoded as pneumonia).

    The codes are ``np.random.default_rng(5).normal(size=(500, LATENT))`` in
    float32, the same for both labels; ``classifier`` (TRTR) scores the images.
    """
    import keras

    values = np.asarray(answer, dtype=float).ravel()
    if values.size != 2:
        return (
            "give two mean probabilities: generated as normal first, then as pneumonia."
        )
    latent = int(decoder.inputs[0].shape[-1])
    codes = np.random.default_rng(seed).normal(size=(n, latent)).astype(np.float32)
    expected = []
    for label in (0, 1):
        condition = keras.utils.to_categorical(np.full(n, label), 2)
        images = decoder.predict([codes, condition], verbose=0)
        expected.append(float(classifier.predict(images, verbose=0)[:, 1].mean()))
    if np.allclose(values, expected, rtol=0, atol=2e-3):
        return None
    if np.allclose(values, expected[::-1], rtol=0, atol=2e-3):
        return (
            "the order is (as normal, as pneumonia): you gave them the other way round."
        )
    return (
        "decode the exercise's 500 codes (rng seed 5) once with the one-hot "
        "label 0 and once with label 1, score both sets with trtr and average "
        "column 1 of its predictions."
    )


METHODS = ("low dose", "TV", "U-Net")


@exercise("18.2")
def lesion_pixel_error(answer, restored, truth, lesions):
    """Mean absolute error (HU) on lesion pixels: low dose, TV and U-Net test images.

    ``restored`` maps each method to its test images (HU), ``truth`` is the true
    phantom (``ct["hu"][test]``) and ``lesions`` the test lesion label maps.
    """
    values = np.asarray(answer, dtype=float).ravel()
    if values.size != len(METHODS):
        return "give three errors in HU, in the order low dose, TV, U-Net."
    on_lesions = np.asarray(lesions) > 0
    errors = {name: np.abs(np.asarray(restored[name]) - truth) for name in METHODS}
    expected = [float(errors[name][on_lesions].mean()) for name in METHODS]
    everywhere = [float(errors[name].mean()) for name in METHODS]
    if np.allclose(values, expected, rtol=1e-3):
        return None
    if np.allclose(values, everywhere, rtol=1e-3):
        return (
            "that is the error over all pixels: keep only the lesion pixels "
            "(test_lesions > 0)."
        )
    return (
        "for each method in the order low dose, TV, U-Net, average the "
        "absolute difference from the true phantom ct['hu'][test] over the "
        "pixels where test_lesions > 0."
    )
