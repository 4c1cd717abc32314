"""3D volumes for the CNN chapters: random mirrors and turns, and the tf.data pipeline
``training.fit`` uses.

Imports TensorFlow.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from .data import as_input


def flip_rotate(
    volume: tf.Tensor, seed: tf.Tensor, flip_axes=(0, 1, 2), rotate: bool = True
) -> tf.Tensor:
    """Randomly mirror a (D, H, W, C) volume along each of ``flip_axes`` and turn it by
    k x 90 degrees (k = 0-3).

    ``seed`` is a stateless seed (shape (2,) int); the same seed gives the same
    transform. The turn is in the (D, W) plane, i.e. about the H axis
    (``tf.image.rot90`` sees the transposed (H, W, D, C) volume as H images of W x D).
    """
    draws = tf.random.stateless_uniform([4], seed=seed)
    for i, axis in enumerate(flip_axes):
        volume = tf.cond(
            draws[i] < 0.5,
            lambda v=volume, a=axis: tf.reverse(v, axis=[a]),
            lambda v=volume: v,
        )
    if rotate:
        k = tf.cast(tf.floor(draws[3] * 4), tf.int32)
        volume = tf.transpose(
            tf.image.rot90(tf.transpose(volume, [1, 2, 0, 3]), k), [2, 0, 1, 3]
        )
    return volume


def volume_dataset(
    volumes,
    labels=None,
    batch_size: int = 32,
    augment: bool = False,
    shuffle: bool = False,
    seed: int = 0,
    flip_axes=(0, 1, 2),
    rotate: bool = True,
) -> tf.data.Dataset:
    """A batched, cached, prefetched tf.data pipeline of volumes, optionally shuffled
    and augmented.

    ``volumes``: uint8 (N, D, H, W) as stored, or float (N, D, H, W, C)
    (``data.as_input``).
    """
    x = as_input(volumes)
    ds = tf.data.Dataset.from_tensor_slices(
        x if labels is None else (x, np.asarray(labels).ravel())
    )
    ds = ds.cache()
    if shuffle:
        ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    if augment:
        counter = tf.data.Dataset.random(seed=seed).batch(
            2
        )  # a fresh stateless seed per sample
        ds = tf.data.Dataset.zip((ds, counter))
        if labels is None:
            ds = ds.map(
                lambda v, s: flip_rotate(v, s, flip_axes, rotate),
                num_parallel_calls=tf.data.AUTOTUNE,
            )
        else:
            ds = ds.map(
                lambda vy, s: (flip_rotate(vy[0], s, flip_axes, rotate), vy[1]),
                num_parallel_calls=tf.data.AUTOTUNE,
            )
    return ds.batch(batch_size).prefetch(tf.data.AUTOTUNE)
