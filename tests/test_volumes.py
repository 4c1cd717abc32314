"""Unit tests of helpers.volumes and helpers.models.cnn3d on tiny synthetic volumes
(fast, offline)."""

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")

from helpers import models, volumes  # noqa: E402


def tiny_dataset(n=24, size=8, seed=0):
    """A load_medmnist-like dict: class 1 volumes hold a bigger cube than class 0."""
    rng = np.random.default_rng(seed)

    def make(count):
        y = rng.integers(0, 2, count)
        x = np.zeros((count, size, size, size), np.uint8)
        for i, label in enumerate(y):
            half = 1 + 2 * label
            c = size // 2
            x[i, c - half : c + half, c - half : c + half, c - half : c + half] = 255
        return x, y[:, None].astype(np.uint8)

    out = {}
    for split, count in (("train", n), ("val", n // 2), ("test", n // 2)):
        out[f"{split}_images"], out[f"{split}_labels"] = make(count)
        out[f"{split}_labels"][:2, 0] = [0, 1]  # both classes in every split
    out.update(label_names=["small", "big"], task="binary-class")
    return out


def test_flip_rotate_keeps_shape_and_voxels_and_is_seeded():
    rng = np.random.default_rng(1)
    v = tf.constant(rng.random((6, 6, 6, 1)).astype(np.float32))
    a = volumes.flip_rotate(v, tf.constant([3, 4], tf.int64))
    b = volumes.flip_rotate(v, tf.constant([3, 4], tf.int64))
    assert a.shape == v.shape
    np.testing.assert_allclose(np.sort(a.numpy().ravel()), np.sort(v.numpy().ravel()))
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    changed = [
        not np.array_equal(
            volumes.flip_rotate(v, tf.constant([s, 0], tf.int64)).numpy(), v.numpy()
        )
        for s in range(8)
    ]
    assert any(changed)


def test_flip_rotate_without_rotation_only_mirrors_listed_axes():
    v = tf.reshape(tf.range(27, dtype=tf.float32), (3, 3, 3, 1))
    out = volumes.flip_rotate(
        v, tf.constant([0, 0], tf.int64), flip_axes=(), rotate=False
    )
    np.testing.assert_array_equal(out.numpy(), v.numpy())


def test_volume_dataset_batches_and_keeps_labels_with_their_volumes():
    d = tiny_dataset()
    ds = volumes.volume_dataset(
        d["train_images"], d["train_labels"], batch_size=5, augment=True, shuffle=True
    )
    x, y = next(iter(ds))
    assert x.shape == (5, 8, 8, 8, 1) and y.shape == (5,)
    # label each volume by its cube's size, which mirrors and turns keep: every
    # augmented pair must still agree
    big = (d["train_images"].reshape(len(d["train_images"]), -1) > 0).sum(axis=1) > 8
    for xb, yb in volumes.volume_dataset(
        d["train_images"],
        big.astype(np.uint8),
        batch_size=6,
        augment=True,
        shuffle=True,
        seed=3,
    ):
        voxels = xb.numpy().reshape(len(yb), -1).sum(axis=1)
        np.testing.assert_array_equal(
            voxels > 8, yb.numpy() == 1
        )  # 2^3 = 8 voxels vs 6^3 = 216
    only_x = volumes.volume_dataset(d["test_images"], batch_size=4)
    assert next(iter(only_x)).shape == (4, 8, 8, 8, 1)


def test_cnn3d_shapes_and_options():
    model = models.cnn3d((8, 8, 8, 1), n_classes=3, filters=(4, 8), convs_per_stage=2)
    assert model.output_shape == (None, 3)
    assert (
        models.cnn3d((8, 8, 8, 1), 2, filters=(4,)).count_params()
        < model.count_params()
    )
    fast = models.cnn3d((8, 8, 8, 1), 2, filters=(4,), bn_momentum=0.9)
    assert all(
        layer.momentum == 0.9
        for layer in fast.layers
        if isinstance(layer, keras.layers.BatchNormalization)
    )


def test_flip_rotate_turns_in_the_depth_width_plane():
    """Without flips every output is the input turned by k x 90 degrees about the H
    axis, and k varies with the seed."""
    v = tf.reshape(
        tf.range(3 * 4 * 3, dtype=tf.float32), (3, 4, 3, 1)
    )  # D = W = 3, H = 4: another plane changes shape
    seen = set()
    for s in range(12):
        out = volumes.flip_rotate(v, tf.constant([s, 7], tf.int64), flip_axes=())
        turns = [
            k
            for k in range(4)
            if np.array_equal(out.numpy(), np.rot90(v.numpy(), k, axes=(0, 2)))
        ]
        assert len(turns) == 1, s
        seen.add(turns[0])
    assert len(seen) >= 3
