"""helpers.setup() turns on TensorFlow's deterministic ops, and they make a reduction
repeat bit for bit."""

import numpy as np

import helpers


def test_setup_enables_op_determinism():
    from tensorflow.python.framework import (
        config,
    )  # the flag's reader (no public is_ function in TF 2.20)

    report = helpers.setup(seed=0, verbose=False)
    assert config.is_op_determinism_enabled()
    assert report["deterministic"] is True and report["seed"] == 0


def test_setup_seeds_numpy_and_keras():
    import keras

    helpers.setup(seed=3, verbose=False)
    a = (np.random.rand(3), keras.random.uniform((3,)).numpy())
    helpers.setup(seed=3, verbose=False)
    b = (np.random.rand(3), keras.random.uniform((3,)).numpy())
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
