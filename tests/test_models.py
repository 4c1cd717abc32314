"""helpers.models: the article's CNN exactly as the article writes it, the training
wrapper, the 3D CNN."""

import numpy as np
import pytest

import helpers
from helpers import models


def test_article_cnn_architecture():
    helpers.setup(verbose=False)
    model = models.article_cnn()
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == [
        "Conv2D",
        "MaxPooling2D",
        "Conv2D",
        "MaxPooling2D",
        "Flatten",
        "Dense",
        "Dense",
    ]
    # 32*(3*3*1+1) + 64*(3*3*32+1) + (5*5*64*64+64) + (64*2+2)
    assert model.count_params() == 320 + 18_496 + 102_464 + 130 == 121_410
    assert (
        model.optimizer.__class__.__name__ == "Adam"
        and model.loss == "sparse_categorical_crossentropy"
    )
    assert model.layers[-1].activation.__name__ == "softmax"


def test_cnn3d_shapes():
    helpers.setup(verbose=False)
    model = models.cnn3d((28, 28, 28, 1), n_classes=3)
    assert model.output_shape == (None, 3)
    assert model.predict(np.zeros((2, 28, 28, 28, 1), np.float32), verbose=0).shape == (
        2,
        3,
    )


def test_article_cnn_variant_options():
    helpers.setup(verbose=False)
    assert (
        models.article_cnn_variant().count_params()
        == models.article_cnn(compile=False).count_params()
    )
    bn = models.article_cnn_variant(batch_norm=True, bn_momentum=0.9)
    norms = [
        layer for layer in bn.layers if type(layer).__name__ == "BatchNormalization"
    ]
    assert len(norms) == 2 and norms[0].momentum == 0.9
    assert not any(
        getattr(layer, "use_bias", False)
        for layer in bn.layers
        if type(layer).__name__ == "Conv2D"
    )
    gap = models.article_cnn_variant(global_pool=True)
    assert gap.count_params() == 121_410 - (1600 - 64) * 64
    assert (
        sum(
            type(layer).__name__ == "Dropout"
            for layer in models.article_cnn_variant(dropout=0.5).layers
        )
        == 2
    )
    reg = models.article_cnn_variant(l2=1e-3)
    assert reg.layers[0].kernel_regularizer is not None
    kernels = [
        layer.kernel
        for layer in reg.layers
        if getattr(layer, "kernel_regularizer", None) is not None
    ]
    expected = sum(1e-3 * float(np.sum(np.square(k.numpy()))) for k in kernels)
    reg(
        np.zeros((1, 28, 28, 1), np.float32)
    )  # Keras 3 collects the penalties when the model is called
    assert len(kernels) >= 2 and float(sum(reg.losses)) == pytest.approx(
        expected, rel=1e-4
    )
    assert models.article_cnn_variant().losses == []  # no l2: no penalty
