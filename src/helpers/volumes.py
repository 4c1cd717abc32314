"""3D volumes for the CNN chapters: augmentation, tf.data pipelines and one fit-and-evaluate loop. Imports TensorFlow."""
from __future__ import annotations

import functools
import time

import keras
import numpy as np
import tensorflow as tf

from .cases import BestValAUC


def as_channels(volumes) -> np.ndarray:
    """uint8 volumes (N, D, H, W) as float32 in [0, 1] with a channel axis: (N, D, H, W, 1)."""
    volumes = np.asarray(volumes)
    scale = 255.0 if volumes.dtype == np.uint8 else 1.0
    return (volumes.astype(np.float32) / scale)[..., None]


def flip_rotate(volume: tf.Tensor, seed: tf.Tensor, flip_axes=(0, 1, 2), rotate: bool = True) -> tf.Tensor:
    """Randomly mirror a (D, H, W, C) volume along each of ``flip_axes`` and turn it by k x 90 degrees (k = 0-3).

    ``seed`` is a stateless seed (shape (2,) int); the same seed gives the same transform. The turn is in the (D, W)
    plane, i.e. about the H axis (``tf.image.rot90`` sees the transposed (H, W, D, C) volume as H images of W x D).
    """
    draws = tf.random.stateless_uniform([4], seed=seed)
    for i, axis in enumerate(flip_axes):
        volume = tf.cond(draws[i] < 0.5, lambda v=volume, a=axis: tf.reverse(v, axis=[a]), lambda v=volume: v)
    if rotate:
        k = tf.cast(tf.floor(draws[3] * 4), tf.int32)
        volume = tf.transpose(tf.image.rot90(tf.transpose(volume, [1, 2, 0, 3]), k), [2, 0, 1, 3])
    return volume


def volume_dataset(volumes, labels=None, batch_size: int = 32, augment: bool = False, shuffle: bool = False,
                   seed: int = 0, flip_axes=(0, 1, 2), rotate: bool = True) -> tf.data.Dataset:
    """A batched, cached, prefetched tf.data pipeline of (N, D, H, W[, C]) volumes, optionally shuffled and augmented."""
    x = np.asarray(volumes)
    x = as_channels(x) if x.ndim == 4 else x.astype(np.float32)
    ds = tf.data.Dataset.from_tensor_slices(x if labels is None else (x, np.asarray(labels).ravel()))
    ds = ds.cache()
    if shuffle:
        ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    if augment:
        counter = tf.data.Dataset.random(seed=seed).batch(2)  # a fresh stateless seed per sample
        ds = tf.data.Dataset.zip((ds, counter))
        if labels is None:
            ds = ds.map(lambda v, s: flip_rotate(v, s, flip_axes, rotate), num_parallel_calls=tf.data.AUTOTUNE)
        else:
            ds = ds.map(lambda vy, s: (flip_rotate(vy[0], s, flip_axes, rotate), vy[1]),
                        num_parallel_calls=tf.data.AUTOTUNE)
    return ds.batch(batch_size).prefetch(tf.data.AUTOTUNE)


def predict_tta(model: keras.Model, volumes, flips=((),), batch_size: int = 64) -> np.ndarray:
    """Class probabilities (N, C) averaged over mirrored copies; ``flips`` lists axis tuples of (N, D, H, W, C)."""
    x = np.asarray(volumes)
    x = as_channels(x) if x.ndim == 4 else x.astype(np.float32)
    probs = [model.predict(np.flip(x, axis=axes) if axes else x, batch_size=batch_size, verbose=0) for axes in flips]
    return np.mean(probs, axis=0)


def calibrate_on_validation(val_probs, val_labels):
    """Platt scaling fitted on validation: a function mapping class probabilities (N, C) to recalibrated ones.

    Binary: a logistic regression on the log-odds of class 1, a monotone map, so AUC is unchanged while the
    probabilities (and so ACC at 0.5) move. More classes: a multinomial logistic regression on the log-probabilities.
    """
    from sklearn.linear_model import LogisticRegression
    val_probs = np.asarray(val_probs, dtype=np.float64)
    binary = val_probs.shape[1] == 2

    def features(probs):
        log_p = np.log(np.clip(np.asarray(probs, dtype=np.float64), 1e-7, 1.0))
        return log_p[:, 1:] - log_p[:, :1] if binary else log_p

    fitted = LogisticRegression(C=1e4, max_iter=1000).fit(features(val_probs), np.asarray(val_labels).ravel())
    return lambda probs: fitted.predict_proba(features(probs))


BestValidationAUC = functools.partial(BestValAUC, batch_size=128)  # the 2D callback, smaller prediction batches


def fit_3d(model: keras.Model, dataset: dict, epochs: int = 20, batch_size: int = 32, learning_rate: float = 3e-3,
           weight_decay: float = 1e-4, label_smoothing: float = 0.0, augment: bool = True, flip_axes=(0, 1, 2),
           rotate: bool = True, class_weight: dict | None = None, seed: int = 0, verbose: int = 0) -> dict:
    """Train ``model`` on a ``data.load_medmnist`` 3D dict, keep the epoch with the best validation AUC.

    AdamW with a cosine learning-rate decay and (optionally smoothed) cross-entropy. Returns a dict with the
    ``model``, its ``history``, ``train_seconds`` (wall time of ``fit``), ``train_cpu_seconds`` (CPU time of all
    threads, a load-independent measure of the work), ``best_epoch`` (1-based) and ``val_auc``.
    The test split is not touched.
    """
    keras.utils.set_random_seed(seed)
    n_classes = len(dataset["label_names"])
    train = volume_dataset(dataset["train_images"], dataset["train_labels"], batch_size, augment=augment,
                           shuffle=True, seed=seed, flip_axes=flip_axes, rotate=rotate)
    steps = epochs * int(np.ceil(len(dataset["train_images"]) / batch_size))
    schedule = keras.optimizers.schedules.CosineDecay(learning_rate, decay_steps=steps, alpha=0.01)
    model.compile(optimizer=keras.optimizers.AdamW(schedule, weight_decay=weight_decay),
                  loss=keras.losses.CategoricalCrossentropy(label_smoothing=label_smoothing))
    one_hot = train.map(lambda x, y: (x, tf.one_hot(tf.cast(y, tf.int32), n_classes)))
    best = BestValidationAUC(as_channels(dataset["val_images"]), dataset["val_labels"], dataset["task"])
    start, cpu_start = time.perf_counter(), time.process_time()
    history = model.fit(one_hot, epochs=epochs, callbacks=[best], class_weight=class_weight, verbose=verbose)
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
    return {"model": model, "history": history, "train_seconds": seconds, "train_cpu_seconds": cpu_seconds,
            "best_epoch": best.best_epoch + 1, "val_auc": float(best.best_auc)}
