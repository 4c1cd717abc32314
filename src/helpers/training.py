"""One way to train and predict for the chapters after 05: ``fit``, its best-epoch
callback, ``predict_tta``.

``fit`` trains the article's CNN (compiled by ``models.article_cnn``: trained as
compiled), the case-study CNN (``cases.case_cnn``) and the 3D CNN (``models.cnn3d``) and
returns a ``Fit`` for all three. It does not seed: call ``keras.utils.set_random_seed``
before building the model (``train_article_cnn`` does). Chapter 05 keeps a hand-written
loop, because there the loop is the lesson. Importing this module imports TensorFlow.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf

from .data import as_input
from .leakage import clean_validation_mask
from .metrics import medmnist_auc_acc

FLIP_AXES = {
    "horizontal": (2,),
    "vertical": (1,),
}  # of a batch of 2D images (N, H, W, C)


def make_dataset(
    images, labels, batch_size: int = 64, shuffle: bool = False, seed: int = 0
) -> tf.data.Dataset:
    """A cached, batched, prefetched tf.data pipeline of (image, label) pairs,
    reshuffled each epoch if asked."""
    labels = np.asarray(labels)
    labels = (
        labels.ravel() if labels.ndim == 2 and labels.shape[1] == 1 else labels
    )  # MedMNIST (N, 1)
    ds = tf.data.Dataset.from_tensor_slices((images, labels)).cache()
    if shuffle:
        ds = ds.shuffle(len(images), seed=seed, reshuffle_each_iteration=True)
    return ds.batch(batch_size).prefetch(tf.data.AUTOTUNE)


class BestEpoch(keras.callbacks.Callback):
    """Logs ``val_auc`` and ``val_acc_medmnist`` (MedMNIST rules) on ``x_val`` each
    epoch; at the end of training restores the weights of the epoch (from
    ``start_epoch`` on) with the best AUC there."""

    def __init__(
        self,
        x_val,
        y_val,
        task: str = "binary-class",
        start_epoch: int = 0,
        batch_size: int = 512,
    ):
        super().__init__()
        self.x_val, self.y_val, self.task = x_val, np.asarray(y_val).ravel(), task
        self.start_epoch, self.batch_size = start_epoch, batch_size
        self.best_auc, self.best_epoch, self.best_weights = -np.inf, -1, None

    def on_epoch_end(self, epoch, logs=None):
        probs = self.model.predict(self.x_val, batch_size=self.batch_size, verbose=0)
        auc, acc = medmnist_auc_acc(self.task, self.y_val, probs)
        if logs is not None:
            logs["val_auc"], logs["val_acc_medmnist"] = auc, acc
        if epoch >= self.start_epoch and auc > self.best_auc:
            self.best_auc, self.best_epoch = auc, epoch
            self.best_weights = self.model.get_weights()

    def on_train_end(self, logs=None):
        if self.best_weights is not None:
            self.model.set_weights(self.best_weights)


@dataclass
class Fit:
    """What ``fit`` returns: the trained model and how it got there."""

    model: keras.Model
    history: dict  # per epoch: loss, and val_loss or val_auc
    seconds: float  # wall time of model.fit
    cpu_seconds: (
        float  # CPU time of all threads: a load-independent measure of the work
    )
    best_epoch: int  # 1-based: the epoch whose weights were kept
    val_auc: float | None  # at the kept epoch, on the validation images that chose it
    # (None: trained as compiled, not scored)


def fit(
    model: keras.Model,
    dataset: dict,
    epochs: int = 30,
    batch_size: int = 64,
    lr: float = 3e-3,
    weight_decay: float = 1e-4,
    label_smoothing: float = 0.0,
    class_weight: dict | str | None = None,
    augment: bool = False,
    seed: int = 0,
    verbose: int = 0,
    val_keep: np.ndarray | None = None,
) -> Fit:
    """Train ``model`` on the train split of a ``data.load_medmnist`` dict (2D images or
    3D volumes).

    A compiled model (the article's CNN) trains as compiled: integer labels, Keras' own
    shuffling, all epochs, the last epoch's weights. An uncompiled one gets this book's
    recipe: AdamW with cosine decay of ``lr``, cross-entropy (with ``label_smoothing``),
    a tf.data pipeline reshuffled each epoch with ``seed``, and the weights of the epoch
    with the best AUC (``BestEpoch``) on the validation images with no near-copy in
    training (``leakage.clean_validation_mask``, the images recipe selection scores;
    ``val_keep``, a bool mask over the validation split, chooses others).
    ``class_weight="balanced"`` weights each class by N / (classes x count).
    ``augment`` mirrors and turns 3D volumes in the pipeline (2D models carry
    augmentation layers instead). The test split is never used.
    """
    x_train = as_input(dataset["train_images"])
    y_train = np.asarray(dataset["train_labels"]).ravel()
    x_val = as_input(dataset["val_images"])
    y_val = np.asarray(dataset["val_labels"]).ravel()
    if model.compiled:  # the article's CNN: trained as compiled
        train, best = x_train, None
        options = dict(y=y_train, batch_size=batch_size, validation_data=(x_val, y_val))
    else:  # the book's recipe
        n_classes = model.output_shape[-1]
        steps = epochs * int(np.ceil(len(x_train) / batch_size))
        schedule = keras.optimizers.schedules.CosineDecay(lr, steps, alpha=0.01)
        model.compile(
            optimizer=keras.optimizers.AdamW(schedule, weight_decay=weight_decay),
            loss=keras.losses.CategoricalCrossentropy(label_smoothing=label_smoothing),
        )
        volumes = x_train.ndim == 5  # (N, D, H, W, C)
        if augment and not volumes:
            raise ValueError(
                "augment=True is for 3D volumes: give a 2D model augmentation layers"
            )
        if volumes:
            from .volumes import volume_dataset

            train = volume_dataset(
                x_train, y_train, batch_size, augment, shuffle=True, seed=seed
            )
            train = train.map(
                lambda x, y: (x, tf.one_hot(tf.cast(y, tf.int32), n_classes))
            )
        else:
            one_hot = keras.utils.to_categorical(y_train, n_classes)
            train = make_dataset(x_train, one_hot, batch_size, shuffle=True, seed=seed)
        task = dataset.get("task", "binary-class")
        keep = (
            clean_validation_mask(dataset)
            if val_keep is None
            else np.asarray(val_keep, bool)
        )
        if len(keep) != len(y_val) or not keep.any():
            raise ValueError(
                f"{int(keep.sum())} of {len(y_val)} validation images left to choose "
                "the epoch on (every other one nearly copies a training image, or "
                "val_keep does not fit the validation split): pass val_keep"
            )
        best = BestEpoch(
            x_val[keep], y_val[keep], task, batch_size=128 if volumes else 512
        )
        if class_weight == "balanced":  # N / (classes x count) per class
            counts = np.bincount(y_train, minlength=n_classes)
            class_weight = {
                k: len(y_train) / (n_classes * c) for k, c in enumerate(counts)
            }
        options = dict(class_weight=class_weight, callbacks=[best])
    start, cpu_start = time.perf_counter(), time.process_time()
    history = model.fit(train, epochs=epochs, verbose=verbose, **options)
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
    kept = (
        (epochs, None) if best is None else (best.best_epoch + 1, float(best.best_auc))
    )
    return Fit(model, history.history, seconds, cpu_seconds, *kept)


def train_article_cnn(
    dataset: dict,
    epochs: int = 5,
    batch_size: int = 64,
    seed: int = 0,
    verbose: int = 0,
) -> Fit:
    """The source article's CNN trained as the article does (adam, 5 epochs, batch
    64): seed, build, ``fit``."""
    from .models import article_cnn

    keras.utils.set_random_seed(seed)
    model = article_cnn(
        as_input(dataset["train_images"][:1]).shape[1:], len(dataset["label_names"])
    )
    return fit(
        model, dataset, epochs=epochs, batch_size=batch_size, seed=seed, verbose=verbose
    )


def predict_tta(model, images, flips=(), batch_size: int | None = None) -> np.ndarray:
    """Class probabilities (N, C) averaged over the images and their mirrored copies
    (test-time augmentation).

    ``model`` is a Keras model or a list of them (an ensemble: averaged too).
    ``images``: uint8 as stored or float as ``data.as_input`` gives. ``flips`` lists the
    mirrors besides the plain images: axis tuples of the batch, e.g. ``(1,)`` for the
    depth axis of (N, D, H, W, C) volumes, or "horizontal" / "vertical" for 2D images;
    ``()`` is the plain images, which are always included once.
    """
    models = model if isinstance(model, (list, tuple)) else [model]
    x = as_input(images)
    axes = [FLIP_AXES[f] if isinstance(f, str) else tuple(f) for f in flips]
    views = [x] + [np.flip(x, axis=a) for a in axes if a]
    batch_size = batch_size or (64 if x.ndim == 5 else 512)
    return np.mean(
        [m.predict(v, batch_size=batch_size, verbose=0) for m in models for v in views],
        axis=0,
    )
