"""Checkers of chapter 16's exercises (Deployment and scale: saving, serving, fast
pipelines, many devices)."""

from __future__ import annotations

import math

import numpy as np

from . import exercise, whole


@exercise("16.1")
def tfsm_layer(answer, raw, served_probs):
    """A ``keras.layers.TFSMLayer`` whose predictions on ``raw`` are ``served_probs``.

    ``raw`` are the uint8 test pixels, ``served_probs`` what the SavedModel's
    ``serve`` function returned for them.
    """
    import keras

    if not isinstance(answer, keras.layers.TFSMLayer):
        return (
            "give the layer itself: keras.layers.TFSMLayer(str(export_dir), "
            "call_endpoint='serve')."
        )
    probs = keras.ops.convert_to_numpy(answer(raw))
    expected = np.asarray(served_probs)
    same = probs.shape == expected.shape and np.allclose(probs, expected, atol=1e-6)
    if not same:
        return (
            "load the folder that serving_model.export wrote (export_dir) with "
            "call_endpoint='serve', and call it on the uint8 pixels raw_test."
        )
    return None


REPLICAS, PER_REPLICA = 4, 64  # the exercise's hospital: 4 GPUs, 64 per replica


@exercise("16.2")
def global_batch_and_steps(answer, n_train):
    """(global batch, steps per epoch): 4 replicas of 64 images, ``n_train`` images."""
    global_batch, steps = (whole(v) for v in answer)
    expected_batch = REPLICAS * PER_REPLICA
    if global_batch != expected_batch:
        return (
            "tf.data must produce the global batch: the per-replica batch times "
            "the number of replicas."
        )
    if steps == n_train // expected_batch and n_train % expected_batch:
        return "the last, smaller batch is a step too: round up, not down."
    if steps != math.ceil(n_train / expected_batch):
        return "divide the training images by the global batch and round up."
    return None


@exercise("16.3")
def serve_refuses_float(answer, serve, pixels):
    """The exception class ``serve`` raises on float32 ``pixels`` (or its name)."""
    import tensorflow as tf

    try:
        serve(tf.constant(np.asarray(pixels, dtype=np.float32)))
    except Exception as err:  # the endpoint's refusal is what the exercise is about
        raised = type(err)
    else:
        raise RuntimeError("the serve endpoint accepted float32 pixels here")
    if isinstance(answer, BaseException):
        answer = type(answer)
    name = answer.__name__ if isinstance(answer, type) else str(answer).strip()
    specific = {
        cls.__name__
        for cls in raised.__mro__
        if cls not in (object, BaseException, Exception)
    }
    if name not in specific:
        return (
            "call served.serve(tf.constant(x_test[:2])) inside try/except "
            "Exception as err and look at type(err)."
        )
    return None
