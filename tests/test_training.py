"""Unit tests of helpers.training: one fit for the article, case-study and 3D CNNs,
the best-epoch callback, TTA."""

import numpy as np
import pytest

keras = pytest.importorskip("keras")
from helpers import cases, data, leakage, models, training  # noqa: E402
from helpers.metrics import medmnist_auc_acc  # noqa: E402
from tests.test_cases import _toy_dataset  # noqa: E402
from tests.test_volumes import tiny_dataset  # noqa: E402


def test_as_input_scales_uint8_and_keeps_floats():
    x = np.full((2, 4, 4, 4), 255, np.uint8)
    out = data.as_input(x)
    assert out.shape == (2, 4, 4, 4, 1) and out.dtype == np.float32 and out.max() == 1.0
    floats = np.full((2, 4, 4, 1), 0.25, np.float64)
    assert data.as_input(floats).dtype == np.float32 and data.as_input(
        floats
    ).shape == (2, 4, 4, 1)


def test_make_dataset_batches_flattens_labels_and_reshuffles_each_epoch():
    x = np.arange(10, dtype="float32").reshape(10, 1, 1, 1)
    y = np.arange(10, dtype=np.uint8)[:, None]
    plain = list(training.make_dataset(x, y, batch_size=4))
    assert [len(b[1]) for b in plain] == [4, 4, 2] and plain[0][1].shape == (4,)
    assert np.concatenate([b[1] for b in plain]).tolist() == list(
        range(10)
    )  # no shuffle: in order
    shuffled = training.make_dataset(x, y, batch_size=10, shuffle=True, seed=0)
    first, second = (next(iter(shuffled))[1].numpy() for _ in range(2))
    assert sorted(first) == list(range(10)) and first.tolist() != list(range(10))
    assert first.tolist() != second.tolist()  # a new order each epoch
    pairs = next(iter(shuffled))
    assert (
        pairs[0].numpy().ravel().tolist() == pairs[1].numpy().tolist()
    )  # images stay with their labels
    again = training.make_dataset(x, y, batch_size=10, shuffle=True, seed=0)
    assert (
        next(iter(again))[1].numpy().tolist() == first.tolist()
    )  # the seed fixes the order


def test_fit_case_cnn_learns_and_keeps_the_best_epoch():
    ds = _toy_dataset()
    keras.utils.set_random_seed(0)
    model = cases.case_cnn(filters=(8, 16), convs_per_stage=1)
    run = training.fit(model, ds, epochs=4, batch_size=16, class_weight="balanced")
    per_epoch = run.history["val_auc"]
    assert len(per_epoch) == 4 and run.seconds > 0 and run.cpu_seconds > 0
    assert (
        run.best_epoch == int(np.argmax(per_epoch)) + 1
        and run.val_auc == max(per_epoch) > 0.9
    )
    restored = run.model.predict(
        data.to_float(ds["val_images"]), verbose=0
    )  # the kept weights
    assert medmnist_auc_acc("binary-class", ds["val_labels"], restored)[
        0
    ] == pytest.approx(run.val_auc, abs=1e-6)


def test_fit_chooses_the_epoch_on_validation_images_that_copy_no_training_image():
    ds = _toy_dataset()
    copies = np.arange(8)
    ds["val_images"][copies] = ds["train_images"][copies]  # near-copies, labels
    ds["val_labels"][copies] = 1 - ds["train_labels"][copies]  # flipped: they hurt
    clean = np.ones(len(ds["val_labels"]), bool)
    clean[copies] = False
    np.testing.assert_array_equal(leakage.clean_validation_mask(ds), clean)
    keras.utils.set_random_seed(0)
    model = cases.case_cnn(filters=(8, 16), convs_per_stage=1)
    run = training.fit(model, ds, epochs=4, batch_size=16)
    probs = run.model.predict(data.to_float(ds["val_images"]), verbose=0)
    on_clean = medmnist_auc_acc("binary-class", ds["val_labels"][clean], probs[clean])
    assert run.val_auc == pytest.approx(on_clean[0], abs=1e-6)
    everything = medmnist_auc_acc("binary-class", ds["val_labels"], probs)[0]
    assert everything < run.val_auc - 0.01  # the copies would have scored lower
    with pytest.raises(ValueError, match="0 of 64 validation images.*val_keep"):
        training.fit(
            cases.case_cnn(filters=(4,), convs_per_stage=1),
            ds,
            epochs=1,
            val_keep=np.zeros(64, bool),
        )


def test_best_epoch_restores_the_best_not_the_last_weights():
    scripted = (
        -1.0,
        1.0,
        0.0,
    )  # class-1 weight after each epoch: validation AUC 0, 1 and 0.5

    class Script(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            self.model.layers[-1].set_weights(
                [np.array([[0.0, scripted[epoch]]]), np.zeros(2)]
            )

    inputs = keras.Input((1,))
    model = keras.Model(inputs, keras.layers.Dense(2, activation="softmax")(inputs))
    x = np.linspace(-1, 1, 8, dtype="float32")[:, None]
    y = (x.ravel() > 0).astype(int)
    best = training.BestEpoch(x, y)
    model.compile("sgd", "sparse_categorical_crossentropy")
    model.fit(x, y, epochs=3, verbose=0, callbacks=[Script(), best])
    assert best.best_epoch == 1 and best.best_auc == 1.0
    np.testing.assert_array_equal(
        model.layers[-1].get_weights()[0], [[0.0, 1.0]]
    )  # not the last epoch's 0.0
    late = training.BestEpoch(x, y, start_epoch=2)
    model.fit(x, y, epochs=3, verbose=0, callbacks=[Script(), late])
    assert (
        late.best_epoch == 2 and late.best_auc == 0.5
    )  # epochs before start_epoch are not candidates


def test_fit_trains_a_compiled_model_as_compiled():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 100, (200, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 2, (200, 1)).astype(np.uint8)
    images[labels.ravel() == 1, 10:18, 10:18] = 255  # class 1 has a bright square
    toy = {
        "train_images": images[:150],
        "train_labels": labels[:150],
        "val_images": images[150:],
        "val_labels": labels[150:],
        "label_names": ["a", "b"],
    }
    run = training.train_article_cnn(toy, epochs=5, batch_size=32)
    assert (
        run.model.optimizer.__class__.__name__ == "Adam"
    )  # the article's optimiser, not AdamW
    assert len(run.history["loss"]) == 5 and run.history["val_accuracy"][-1] > 0.9
    assert run.best_epoch == 5 and run.val_auc is None  # the last epoch's weights
    again = training.train_article_cnn(toy, epochs=5, batch_size=32)
    np.testing.assert_allclose(
        again.history["loss"], run.history["loss"], rtol=1e-6
    )  # seeded


def test_fit_3d_keeps_the_best_epoch_and_rejects_2d_augment():
    d = tiny_dataset()
    keras.utils.set_random_seed(0)
    run = training.fit(
        models.cnn3d((8, 8, 8, 1), 2, filters=(4, 8)),
        d,
        epochs=3,
        batch_size=8,
        augment=True,
        val_keep=np.ones(len(d["val_labels"]), bool),  # its volumes repeat each other
    )
    per_epoch = run.history["val_auc"]
    assert (
        len(per_epoch) == 3
        and run.val_auc == max(per_epoch)
        and run.best_epoch == np.argmax(per_epoch) + 1
    )
    restored = run.model.predict(data.to_float(d["val_images"]), verbose=0)
    assert medmnist_auc_acc(d["task"], d["val_labels"], restored)[0] == pytest.approx(
        run.val_auc, abs=1e-6
    )
    with pytest.raises(ValueError, match="3D volumes"):
        training.fit(
            cases.case_cnn(filters=(4,), convs_per_stage=1),
            _toy_dataset(8),
            epochs=1,
            augment=True,
        )


def _top_left_model(shape):
    """A "model" whose class-1 probability is the first voxel of its input."""
    inputs = keras.Input(shape)
    first = keras.layers.Lambda(
        lambda t: keras.ops.reshape(t, (-1, int(np.prod(shape))))[:, 0]
    )(inputs)
    return keras.Model(
        inputs,
        keras.layers.Lambda(lambda p: keras.ops.stack([1 - p, p], axis=-1))(first),
    )


def test_predict_tta_averages_the_plain_and_mirrored_images():
    model = _top_left_model((4, 4, 1))
    x = np.zeros((1, 4, 4, 1), "float32")
    x[0, 0, 0, 0] = 1.0  # on in the top-left corner only: every mirror sees 0 there
    np.testing.assert_allclose(training.predict_tta(model, x), [[0.0, 1.0]])
    np.testing.assert_allclose(
        training.predict_tta(model, x, flips=("horizontal",)), [[0.5, 0.5]]
    )
    np.testing.assert_allclose(
        training.predict_tta(model, x, flips=((), "vertical", (1, 2))), [[2 / 3, 1 / 3]]
    )
    np.testing.assert_allclose(
        training.predict_tta([model, model], x), [[0.0, 1.0]]
    )  # an ensemble
    x[0, 0, -1, 0] = 1.0  # top-right too: the horizontal mirror now sees 1
    np.testing.assert_allclose(
        training.predict_tta(model, x, flips=("horizontal", "vertical")),
        [[1 / 3, 2 / 3]],
    )


def test_predict_tta_mirrors_volumes_along_the_named_axes():
    model = _top_left_model((3, 3, 3, 1))
    v = np.zeros((1, 3, 3, 3), np.uint8)
    v[0, -1, 0, 0] = (
        # the last slice's corner: only a mirror along depth (axis 1) brings it first
        255
    )
    np.testing.assert_allclose(
        training.predict_tta(model, v, flips=((1,),)), [[0.5, 0.5]]
    )
    np.testing.assert_allclose(
        training.predict_tta(model, v, flips=((2,), (3,))), [[1.0, 0.0]]
    )
    np.testing.assert_allclose(
        training.predict_tta(model, v, flips=((), (1,), (2,), (3,))), [[0.75, 0.25]]
    )
