"""Unit tests of helpers.explain on tiny untrained or hand-set models (no data, a few
seconds)."""

import numpy as np
import pytest

keras = pytest.importorskip("keras")
from helpers import explain  # noqa: E402
from helpers.models import article_cnn  # noqa: E402


@pytest.fixture(scope="module")
def images():
    return np.random.default_rng(0).random((4, 28, 28, 1), dtype=np.float32)


@pytest.fixture(scope="module")
def model():
    keras.utils.set_random_seed(0)
    return article_cnn(compile=False)


def functional_copy(model):
    """The article CNN rebuilt as a functional model with the same weights."""
    inputs = keras.Input((28, 28, 1))
    x = inputs
    # fresh layers from each layer's config, wired functionally
    for layer in model.layers:
        x = type(layer).from_config(layer.get_config())(x)
    copy = keras.Model(inputs, x)
    copy.set_weights(model.get_weights())
    return copy


def test_last_conv_layer_name(model):
    assert explain.last_conv_layer_name(model) == model.layers[2].name
    with pytest.raises(ValueError, match="no Conv2D"):
        explain.last_conv_layer_name(
            keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
        )


def test_feature_logit_model_gives_pre_softmax_logits(model, images):
    cut = explain.feature_logit_model(model)
    features, logits = cut(images)
    assert tuple(features.shape) == (4, 11, 11, 64)
    np.testing.assert_allclose(keras.ops.softmax(logits), model(images), atol=1e-5)


def test_feature_logit_model_refuses_an_unknown_layer(model):
    with pytest.raises(ValueError, match="no layer named 'nonexistent'"):
        explain.feature_logit_model(model, "nonexistent")


def test_grad_cam_shape_range_and_functional_equivalence(model, images):
    cam = explain.grad_cam(model, images, class_index=1)
    assert cam.shape == (4, 28, 28) and cam.min() >= 0 and cam.max() <= 1
    np.testing.assert_allclose(
        cam, explain.grad_cam(functional_copy(model), images, class_index=1), atol=1e-5
    )


def test_saliency_is_class_symmetric_for_two_softmax_classes(model, images):
    s1 = explain.saliency(model, images, class_index=1)
    assert s1.shape == (4, 28, 28) and np.isclose(s1.max(), 1)
    np.testing.assert_allclose(
        s1, explain.saliency(model, images, class_index=0), atol=1e-5
    )


def corner_model():
    """Softmax over [0, sum of the top-left 8x8 pixels]: only that corner matters for
    class 1."""
    inputs = keras.Input((16, 16, 1))
    conv = keras.layers.Conv2D(1, 1, use_bias=False, name="conv")(inputs)
    dense = keras.layers.Dense(2, activation="softmax")(keras.layers.Flatten()(conv))
    model = keras.Model(inputs, dense)
    mask = np.zeros((16, 16), np.float32)
    mask[:8, :8] = 1
    kernel = np.stack([np.zeros(256, np.float32), mask.ravel()], axis=1)
    model.set_weights(
        [np.ones((1, 1, 1, 1), np.float32), kernel, np.zeros(2, np.float32)]
    )
    return model


def test_saliency_and_occlusion_find_the_region_that_matters():
    model = corner_model()
    # small: the softmax must not saturate
    image = np.full((1, 16, 16, 1), 0.02, np.float32)
    sal = explain.saliency(model, image, class_index=1)[0]
    assert sal[:8, :8].min() == 1 and sal[8:, :].max() == 0 and sal[:, 8:].max() == 0
    occ = explain.occlusion(model, image, class_index=1, patch=4, stride=4, fill=0.0)[0]
    assert occ[:8, :8].min() > 0 and np.abs(occ[8:, 8:]).max() == 0


def test_randomised_copy(model, images):
    dense = [
        layer.name for layer in model.layers if isinstance(layer, keras.layers.Dense)
    ]
    partly = explain.randomised_copy(model, seed=1, layer_names=dense)
    for original, copy in zip(model.layers, partly.layers):
        same = all(
            np.array_equal(a, b)
            for a, b in zip(original.get_weights(), copy.get_weights())
        )
        assert same == (original.name not in dense)
    assert explain.randomised_copy(model, seed=1).output_shape == model.output_shape
    with pytest.raises(ValueError, match="no layer"):
        explain.randomised_copy(model, layer_names=["nonexistent"])


def test_rank_correlation():
    rng = np.random.default_rng(1)
    a = rng.random((3, 5, 5))
    np.testing.assert_allclose(explain.rank_correlation(a, a), 1.0)
    np.testing.assert_allclose(explain.rank_correlation(a, -a), -1.0)
    assert np.isnan(explain.rank_correlation(np.zeros((1, 5, 5)), a[:1])[0])
    with pytest.raises(ValueError, match="shapes differ"):
        explain.rank_correlation(a, a[:2])


def test_single_sigmoid_output(images):
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Conv2D(4, 3, activation="relu"),
            keras.layers.Flatten(),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    np.testing.assert_allclose(
        explain.saliency(model, images, 0),
        explain.saliency(model, images, 1),
        atol=1e-5,
    )
    assert explain.grad_cam(model, images).shape == (4, 28, 28)
    occ0, occ1 = (
        explain.occlusion(model, images[:1], 0),
        explain.occlusion(model, images[:1], 1),
    )
    np.testing.assert_allclose(occ0, -occ1, atol=1e-5)


def sign_model():
    """Softmax over [-mean(x), +mean(x)] through a linear 1x1 convolution (A = x):
    Grad-CAM has a closed form.

    For class 1 the centred logit is mean(A), so every weight is +1/(H W) and the map is
    ReLU(x) / max ReLU(x); for class 0 it is -mean(A): the map is ReLU(-x) / max
    ReLU(-x)."""
    inputs = keras.Input((4, 4, 1))
    conv = keras.layers.Conv2D(1, 1, use_bias=False, name="conv")(inputs)
    pooled = keras.layers.GlobalAveragePooling2D()(conv)
    model = keras.Model(inputs, keras.layers.Dense(2, activation="softmax")(pooled))
    model.set_weights(
        [
            np.ones((1, 1, 1, 1), np.float32),
            np.array([[-1.0, 1.0]], np.float32),
            np.zeros(2, np.float32),
        ]
    )
    return model


SIGNED = np.array(
    [
        [0.4, -0.2, 0.0, 0.1],
        [-0.8, 0.2, 0.3, -0.1],
        [0.0, 0.0, -0.4, 0.2],
        [0.1, -0.2, 0.0, 0.0],
    ],
    np.float32,
)


def test_grad_cam_equals_the_hand_computed_maps():
    model = sign_model()
    image = SIGNED[None, :, :, None]
    relu = np.maximum(SIGNED, 0)
    np.testing.assert_allclose(
        explain.grad_cam(model, image, class_index=1)[0], relu / relu.max(), atol=1e-6
    )
    relu_neg = np.maximum(-SIGNED, 0)
    np.testing.assert_allclose(
        explain.grad_cam(model, image, class_index=0)[0],
        relu_neg / relu_neg.max(),
        atol=1e-6,
    )
    # predicted class: mean(x) = -0.025 < 0, so class 0; -x is predicted class 1, and
    # its map is ReLU(-x) as well
    assert model.predict(np.concatenate([image, -image]), verbose=0).argmax(
        1
    ).tolist() == [0, 1]
    np.testing.assert_allclose(
        explain.grad_cam(model, image)[0], relu_neg / relu_neg.max(), atol=1e-6
    )
    np.testing.assert_allclose(
        explain.grad_cam(model, -image)[0], relu_neg / relu_neg.max(), atol=1e-6
    )


def test_grad_cam_of_each_image_is_the_same_alone_or_in_a_batch(model, images):
    batch = images
    classes = np.array([0, 1, 1, 0])
    together = explain.grad_cam(model, batch, class_index=classes)
    for i in range(len(batch)):
        alone = explain.grad_cam(model, batch[i : i + 1], class_index=int(classes[i]))[
            0
        ]
        np.testing.assert_allclose(together[i], alone, atol=1e-5)
    two = explain.grad_cam(
        sign_model(), np.stack([SIGNED, SIGNED])[..., None], class_index=[1, 0]
    )
    relu, relu_neg = np.maximum(SIGNED, 0), np.maximum(-SIGNED, 0)
    np.testing.assert_allclose(two[0], relu / relu.max(), atol=1e-6)
    np.testing.assert_allclose(two[1], relu_neg / relu_neg.max(), atol=1e-6)


def test_grad_cam_maps_of_the_two_classes_differ(model, images):
    cam0 = explain.grad_cam(model, images, class_index=0)
    cam1 = explain.grad_cam(model, images, class_index=1)
    assert np.abs(cam0 - cam1).max() > 0.1


def sum_model(mask, sigmoid=False):
    """Class 1's logit is the sum of the pixels under ``mask`` (16 x 16): softmax over
    [0, sum], or sigmoid(sum)."""
    inputs = keras.Input((16, 16, 1))
    conv = keras.layers.Conv2D(1, 1, use_bias=False, name="conv")(inputs)
    head = (
        keras.layers.Dense(1, activation="sigmoid")
        if sigmoid
        else keras.layers.Dense(2, activation="softmax")
    )
    model = keras.Model(inputs, head(keras.layers.Flatten()(conv)))
    kernel = (
        mask.reshape(256, 1)
        if sigmoid
        else np.stack([np.zeros(256), mask.ravel()], axis=1)
    )
    model.set_weights(
        [
            np.ones((1, 1, 1, 1), np.float32),
            kernel.astype(np.float32),
            np.zeros(kernel.shape[1], np.float32),
        ]
    )
    return model


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def test_occlusion_by_hand_for_softmax_and_sigmoid_outputs():
    """Pixels of 0.02, the top-left 8 x 8 corner summed: class 1's logit is 64 * 0.02 =
    1.28 and its probability sigmoid(1.28) (softmax over [0, z] is sigmoid(z)); a 4 x 4
    patch painted 0 inside the corner removes 16 * 0.02, so each corner pixel (covered
    by one patch at stride 4) gets sigmoid(1.28) - sigmoid(0.96); the rest gets 0."""
    corner = np.zeros((16, 16), np.float32)
    corner[:8, :8] = 1
    image = np.full((1, 16, 16, 1), 0.02, np.float32)
    expected = np.where(corner > 0, sigmoid(1.28) - sigmoid(0.96), 0.0)
    for model in (sum_model(corner), sum_model(corner, sigmoid=True)):
        occ = explain.occlusion(
            model, image, class_index=1, patch=4, stride=4, fill=0.0
        )[0]
        np.testing.assert_allclose(occ, expected, atol=1e-5)
        np.testing.assert_allclose(
            explain.occlusion(model, image, class_index=0, patch=4, stride=4, fill=0.0)[
                0
            ],
            -expected,
            atol=1e-5,
        )


def test_occlusion_covers_the_last_patches_and_leaves_uncovered_pixels_at_zero():
    everywhere = sum_model(np.ones((16, 16), np.float32))
    # logit 256 * 0.005 = 1.28; a patch removes 16 * 0.005
    image = np.full((1, 16, 16, 1), 0.005, np.float32)
    occ = explain.occlusion(
        everywhere, image, class_index=1, patch=4, stride=4, fill=0.0
    )[0]
    # rows and columns 12-15 too
    np.testing.assert_allclose(occ, sigmoid(1.28) - sigmoid(1.2), atol=1e-5)
    occ = explain.occlusion(
        everywhere, image, class_index=1, patch=5, stride=5, fill=0.0
    )[0]
    # no patch covers 15
    assert (
        np.isfinite(occ).all() and (occ[15, :] == 0).all() and (occ[:, 15] == 0).all()
    )
    assert (occ[:15, :15] > 0).all()


def test_occlusion_default_fill_is_each_image_mean():
    """Painting a constant image with its own mean changes nothing: all-zero maps, for
    each image of the batch."""
    corner = np.zeros((16, 16), np.float32)
    corner[:8, :8] = 1
    images = np.concatenate(
        [np.full((1, 16, 16, 1), 0.02), np.full((1, 16, 16, 1), 0.05)]
    ).astype(np.float32)
    occ = explain.occlusion(sum_model(corner), images, class_index=1, patch=4, stride=4)
    np.testing.assert_allclose(occ, 0.0, atol=1e-6)


def sigmoid_sign_model():
    """sigmoid(mean(x)) through a linear 1x1 convolution (A = x): class 1's score is
    +mean(A), class 0's -mean(A)."""
    inputs = keras.Input((4, 4, 1))
    conv = keras.layers.Conv2D(1, 1, use_bias=False, name="conv")(inputs)
    pooled = keras.layers.GlobalAveragePooling2D()(conv)
    model = keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(pooled))
    model.set_weights(
        [
            np.ones((1, 1, 1, 1), np.float32),
            np.ones((1, 1), np.float32),
            np.zeros(1, np.float32),
        ]
    )
    return model


def test_grad_cam_of_one_sigmoid_output_explains_the_predicted_class():
    """SIGNED (mean -0.025) is predicted class 0: score -mean(A), map ReLU(-SIGNED).
    -SIGNED is predicted class 1: score +mean(A) with A = -SIGNED, the same map. Asked
    for class 1, SIGNED's map is ReLU(SIGNED)."""
    model = sigmoid_sign_model()
    image = SIGNED[None, :, :, None]
    relu_neg = np.maximum(-SIGNED, 0)
    assert (
        model.predict(np.concatenate([image, -image]), verbose=0)[:, 0] > 0.5
    ).tolist() == [False, True]
    np.testing.assert_allclose(
        explain.grad_cam(model, image)[0], relu_neg / relu_neg.max(), atol=1e-6
    )
    np.testing.assert_allclose(
        explain.grad_cam(model, -image)[0], relu_neg / relu_neg.max(), atol=1e-6
    )
    relu = np.maximum(SIGNED, 0)
    np.testing.assert_allclose(
        explain.grad_cam(model, image, class_index=1)[0], relu / relu.max(), atol=1e-6
    )


def test_grad_cam_of_a_blank_image_is_zero():
    cam = explain.grad_cam(
        sign_model(), np.zeros((1, 4, 4, 1), np.float32), class_index=1
    )
    np.testing.assert_array_equal(cam, 0.0)


def test_grad_cam_upsamples_bilinearly():
    """A 2 x 2 average pooling before the convolution: the 2 x 2 map [[1, 0], [0, 0]]
    resized to 4 x 4 with pixel centres at -0.25, 0.25, 0.75 and 1.25 of the small grid
    (clamped) has rows and columns weighted 1, 0.75, 0.25, 0."""
    inputs = keras.Input((4, 4, 1))
    pooled = keras.layers.AveragePooling2D(2)(inputs)
    conv = keras.layers.Conv2D(1, 1, use_bias=False, name="conv")(pooled)
    model = keras.Model(
        inputs,
        keras.layers.Dense(2, activation="softmax")(
            keras.layers.GlobalAveragePooling2D()(conv)
        ),
    )
    model.set_weights(
        [
            np.ones((1, 1, 1, 1), np.float32),
            np.array([[-1.0, 1.0]], np.float32),
            np.zeros(2, np.float32),
        ]
    )
    image = np.zeros((1, 4, 4, 1), np.float32)
    image[0, :2, :2] = 1.0
    weights = np.array([1.0, 0.75, 0.25, 0.0])
    np.testing.assert_allclose(
        explain.grad_cam(model, image, class_index=1)[0],
        np.outer(weights, weights),
        atol=1e-6,
    )


def test_saliency_takes_the_largest_channel_gradient():
    """Two RGB pixels; class 1's centred logit is w . x / 2 with w = (1, 0, 0) for pixel
    0 and (0.5, 0.5, 0.5) for pixel 1: the largest |gradient| per pixel is 0.5 and 0.25,
    so the map is [1, 0.5] (a channel mean would give 1/6 and 1/4, normalised [0.667,
    1])."""
    inputs = keras.Input((1, 2, 3))
    conv = keras.layers.Conv2D(3, 1, use_bias=False, name="conv")(inputs)
    model = keras.Model(
        inputs,
        keras.layers.Dense(2, activation="softmax")(keras.layers.Flatten()(conv)),
    )
    w = np.array([1.0, 0.0, 0.0, 0.5, 0.5, 0.5], np.float32)
    model.set_weights(
        [
            np.eye(3, dtype=np.float32)[None, None],
            np.stack([np.zeros(6, np.float32), w], axis=1),
            np.zeros(2, np.float32),
        ]
    )
    sal = explain.saliency(model, np.full((1, 1, 2, 3), 0.1, np.float32), class_index=1)
    np.testing.assert_allclose(sal[0], [[1.0, 0.5]], atol=1e-6)


def test_randomised_copy_is_seeded(model):
    a, b = (
        explain.randomised_copy(model, seed=1),
        explain.randomised_copy(model, seed=1),
    )
    c = explain.randomised_copy(model, seed=2)
    assert all(np.array_equal(x, y) for x, y in zip(a.get_weights(), b.get_weights()))
    assert not np.array_equal(a.get_weights()[0], c.get_weights()[0])


def test_rank_correlation_is_spearman_and_nan_for_either_constant_map():
    a = np.arange(1.0, 26.0).reshape(1, 5, 5)
    # same order; Pearson r would be 0.92
    assert explain.rank_correlation(a, a**3)[0] == pytest.approx(1.0)
    import warnings

    # NaN by the function's own check, not scipy's warning about a constant input
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isnan(explain.rank_correlation(a, np.zeros((1, 5, 5)))[0])
        assert np.isnan(explain.rank_correlation(np.zeros((1, 5, 5)), a)[0])
