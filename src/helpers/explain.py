"""Explanation maps for image classifiers: Grad-CAM, gradient saliency, occlusion, and
the randomisation sanity check.

Every map function takes a Keras classifier and float32 images ``(N, H, W, C)`` and
returns ``(N, H, W)`` float32 maps at the input resolution. Gradients are taken of the
*centred logit* of the explained class, ``z_c - mean(z)``: softmax ignores a constant
added to every logit, and the logit does not saturate the way a probability near 0 or 1
does. Importing this module imports TensorFlow.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf
from scipy.stats import spearmanr


def last_conv_layer_name(model: keras.Model) -> str:
    """Name of the last 2D convolution in ``model`` (the layer Grad-CAM explains by
    default)."""
    convs = [
        layer.name for layer in model.layers if isinstance(layer, keras.layers.Conv2D)
    ]
    if not convs:
        raise ValueError(
            f"{model.name} has no Conv2D layer at its top level; pass layer_name= "
            "explicitly."
        )
    return convs[-1]


def _logit_copy(layer: keras.layers.Layer) -> keras.layers.Layer:
    """The output layer itself if it is linear, else an unbuilt copy of it with a
    linear activation."""
    if getattr(layer, "activation", None) in (None, keras.activations.linear):
        return layer
    config = layer.get_config()
    config.update(activation="linear", name=f"{layer.name}_logits")
    return type(layer).from_config(config)


def feature_logit_model(
    model: keras.Model, layer_name: str | None = None
) -> keras.Model:
    """A functional model mapping ``model``'s input to [output of ``layer_name``, logits
    of the output layer].

    A ``Sequential`` model is re-wired layer by layer on a new ``keras.Input`` (in Keras
    3 a Sequential model built without an ``Input`` has no symbolic outputs to cut at);
    a functional model is cut at the layer. The output layer's softmax or sigmoid is
    replaced by a linear copy that shares its trained weights.
    """
    layer_name = layer_name or last_conv_layer_name(model)
    last = model.layers[-1]
    head = _logit_copy(last)
    if isinstance(model, keras.Sequential):
        inputs = keras.Input(shape=model.input_shape[1:])
        x, features = inputs, None
        for layer in model.layers[:-1]:
            x = layer(x)
            if layer.name == layer_name:
                features = x
        if features is None:
            raise ValueError(
                f"{model.name} has no layer named {layer_name!r} before its output "
                "layer."
            )
    else:
        inputs, features, x = (
            model.inputs,
            model.get_layer(layer_name).output,
            last.input,
        )
    logits = head(x)
    if head is not last:
        head.set_weights(last.get_weights())
    return keras.Model(inputs, [features, logits], name=f"{model.name}_features_logits")


def _class_score(logits, classes):
    """Centred logit of each image's class (for one sigmoid output: +z for class 1,
    -z for class 0)."""
    if logits.shape[-1] == 1:
        sign = tf.cast(2 * classes - 1, logits.dtype)
        return sign * logits[:, 0]
    centred = logits - tf.reduce_mean(logits, axis=-1, keepdims=True)
    return tf.gather(centred, classes, axis=1, batch_dims=1)


def _classes(model, images, class_index) -> np.ndarray:
    """The class to explain for each image: ``class_index`` (int or array) or the
    model's predicted class."""
    if class_index is None:
        probs = model.predict(images, verbose=0)
        return (
            (probs[:, 0] > 0.5).astype(np.int32)
            if probs.shape[-1] == 1
            else probs.argmax(-1).astype(np.int32)
        )
    return np.broadcast_to(
        np.asarray(class_index, dtype=np.int32), (len(images),)
    ).copy()


def _normalise(maps):
    """Scale each map so its largest absolute value is 1 (all-zero maps stay zero)."""
    maps = np.asarray(maps, dtype=np.float32)
    peak = (
        np.abs(maps)
        .reshape(len(maps), -1)
        .max(axis=1)
        .reshape(-1, *([1] * (maps.ndim - 1)))
    )
    return np.divide(maps, peak, out=np.zeros_like(maps), where=peak > 0)


def grad_cam(
    model: keras.Model, images, class_index=None, layer_name: str | None = None
) -> np.ndarray:
    """Grad-CAM maps (N, H, W) in [0, 1]: ReLU(sum_k a_k A_k) with a_k the spatial mean
    of d score / d A_k.

    ``A`` is the output of ``layer_name`` (default: the last Conv2D), upsampled
    bilinearly to the image size;
    ``class_index`` None explains each image's predicted class.
    """
    images = np.asarray(images, dtype=np.float32)
    classes = _classes(model, images, class_index)
    cut = feature_logit_model(model, layer_name)
    x = tf.convert_to_tensor(images)
    with tf.GradientTape() as tape:
        features, logits = cut(x, training=False)
        score = _class_score(logits, tf.constant(classes))
    grads = tape.gradient(score, features)
    weights = tf.reduce_mean(grads, axis=(1, 2), keepdims=True)
    cam = tf.nn.relu(tf.reduce_sum(weights * features, axis=-1, keepdims=True))
    cam = tf.image.resize(cam, images.shape[1:3], method="bilinear")[..., 0]
    return _normalise(cam.numpy())


def saliency(model: keras.Model, images, class_index=None) -> np.ndarray:
    """Gradient saliency maps (N, H, W) in [0, 1]: |d score / d pixel|, the largest
    over colour channels."""
    images = np.asarray(images, dtype=np.float32)
    classes = _classes(model, images, class_index)
    cut = feature_logit_model(model, last_conv_layer_name(model))
    x = tf.convert_to_tensor(images)
    with tf.GradientTape() as tape:
        tape.watch(x)
        _, logits = cut(x, training=False)
        score = _class_score(logits, tf.constant(classes))
    grads = tape.gradient(score, x)
    return _normalise(tf.reduce_max(tf.abs(grads), axis=-1).numpy())


def occlusion(
    model: keras.Model,
    images,
    class_index=None,
    patch: int = 4,
    stride: int = 2,
    fill=None,
    batch_size: int = 1024,
) -> np.ndarray:
    """Occlusion maps (N, H, W): the drop in the class probability when a ``patch`` x
    ``patch`` square is covered.

    The square slides with ``stride``; each pixel gets the mean drop over the squares
    that cover it. ``fill`` is the value painted in (default: each image's mean).
    Positive = the region supported the class. Not normalised.
    """
    images = np.asarray(images, dtype=np.float32)
    n, h, w = images.shape[:3]
    classes = _classes(model, images, class_index)
    tops = list(range(0, h - patch + 1, stride))
    lefts = list(range(0, w - patch + 1, stride))
    masks = np.zeros((len(tops) * len(lefts), h, w), dtype=bool)
    for k, (top, left) in enumerate((t, c) for t in tops for c in lefts):
        masks[k, top : top + patch, left : left + patch] = True
    cover = masks.sum(axis=0).astype(np.float32)
    fills = (
        images.mean(axis=(1, 2, 3))
        if fill is None
        else np.full(n, fill, dtype=np.float32)
    )
    maps = np.zeros((n, h, w), dtype=np.float32)
    for i in range(n):
        copies = np.where(masks[..., None], fills[i], images[i][None]).astype(
            np.float32
        )
        probs = model.predict(
            np.concatenate([images[i][None], copies]), batch_size=batch_size, verbose=0
        )
        if probs.shape[-1] == 1:  # one sigmoid output: the probability of class 1
            probs = np.concatenate([1 - probs, probs], axis=-1)
        drops = probs[0, classes[i]] - probs[1:, classes[i]]
        maps[i] = np.tensordot(drops, masks, axes=1) / np.maximum(cover, 1)
    return maps


def randomised_copy(model: keras.Model, seed: int = 0, layer_names=None) -> keras.Model:
    """The same architecture with freshly initialised weights in ``layer_names``
    (default: every layer).

    Layers not named keep the trained weights (a "cascading" randomisation when the top
    layers are named).
    """
    keras.utils.set_random_seed(seed)
    clone = keras.models.clone_model(model)
    clone.build(model.input_shape)
    names = (
        {layer.name for layer in model.layers}
        if layer_names is None
        else set(layer_names)
    )
    unknown = names - {layer.name for layer in model.layers}
    if unknown:
        raise ValueError(f"{model.name} has no layer(s) named {sorted(unknown)}.")
    for original, copy in zip(model.layers, clone.layers):
        if original.name not in names:
            copy.set_weights(original.get_weights())
    return clone


def rank_correlation(maps_a, maps_b) -> np.ndarray:
    """Spearman rank correlation between paired maps, one value per image (NaN where
    a map is constant)."""
    maps_a, maps_b = np.asarray(maps_a), np.asarray(maps_b)
    if maps_a.shape != maps_b.shape:
        raise ValueError(f"map shapes differ: {maps_a.shape} vs {maps_b.shape}.")
    out = []
    for a, b in zip(maps_a.reshape(len(maps_a), -1), maps_b.reshape(len(maps_b), -1)):
        out.append(
            np.nan if a.std() == 0 or b.std() == 0 else spearmanr(a, b).statistic
        )
    return np.asarray(out, dtype=np.float64)
