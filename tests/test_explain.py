"""Unit tests of helpers.explain on tiny untrained or hand-set models (no data, a few seconds)."""
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
    for layer in model.layers:  # fresh layers from each layer's config, wired functionally
        x = type(layer).from_config(layer.get_config())(x)
    copy = keras.Model(inputs, x)
    copy.set_weights(model.get_weights())
    return copy


def test_last_conv_layer_name(model):
    assert explain.last_conv_layer_name(model) == model.layers[2].name
    with pytest.raises(ValueError, match="no Conv2D"):
        explain.last_conv_layer_name(keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)]))


def test_feature_logit_model_gives_pre_softmax_logits(model, images):
    cut = explain.feature_logit_model(model)
    features, logits = cut(images)
    assert tuple(features.shape) == (4, 11, 11, 64)
    np.testing.assert_allclose(keras.ops.softmax(logits), model(images), atol=1e-5)


def test_grad_cam_shape_range_and_functional_equivalence(model, images):
    cam = explain.grad_cam(model, images, class_index=1)
    assert cam.shape == (4, 28, 28) and cam.min() >= 0 and cam.max() <= 1
    np.testing.assert_allclose(cam, explain.grad_cam(functional_copy(model), images, class_index=1), atol=1e-5)


def test_saliency_is_class_symmetric_for_two_softmax_classes(model, images):
    s1 = explain.saliency(model, images, class_index=1)
    assert s1.shape == (4, 28, 28) and np.isclose(s1.max(), 1)
    np.testing.assert_allclose(s1, explain.saliency(model, images, class_index=0), atol=1e-5)


def corner_model():
    """Softmax over [0, sum of the top-left 8x8 pixels]: only that corner matters for class 1."""
    inputs = keras.Input((16, 16, 1))
    conv = keras.layers.Conv2D(1, 1, use_bias=False, name="conv")(inputs)
    dense = keras.layers.Dense(2, activation="softmax")(keras.layers.Flatten()(conv))
    model = keras.Model(inputs, dense)
    mask = np.zeros((16, 16), np.float32)
    mask[:8, :8] = 1
    kernel = np.stack([np.zeros(256, np.float32), mask.ravel()], axis=1)
    model.set_weights([np.ones((1, 1, 1, 1), np.float32), kernel, np.zeros(2, np.float32)])
    return model


def test_saliency_and_occlusion_find_the_region_that_matters():
    model = corner_model()
    image = np.full((1, 16, 16, 1), 0.02, np.float32)  # small: the softmax must not saturate
    sal = explain.saliency(model, image, class_index=1)[0]
    assert sal[:8, :8].min() == 1 and sal[8:, :].max() == 0 and sal[:, 8:].max() == 0
    occ = explain.occlusion(model, image, class_index=1, patch=4, stride=4, fill=0.0)[0]
    assert occ[:8, :8].min() > 0 and np.abs(occ[8:, 8:]).max() == 0


def test_randomised_copy(model, images):
    dense = [layer.name for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    partly = explain.randomised_copy(model, seed=1, layer_names=dense)
    for original, copy in zip(model.layers, partly.layers):
        same = all(np.array_equal(a, b) for a, b in zip(original.get_weights(), copy.get_weights()))
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
    model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Conv2D(4, 3, activation="relu"),
                              keras.layers.Flatten(), keras.layers.Dense(1, activation="sigmoid")])
    np.testing.assert_allclose(explain.saliency(model, images, 0), explain.saliency(model, images, 1), atol=1e-5)
    assert explain.grad_cam(model, images).shape == (4, 28, 28)
    occ0, occ1 = explain.occlusion(model, images[:1], 0), explain.occlusion(model, images[:1], 1)
    np.testing.assert_allclose(occ0, -occ1, atol=1e-5)


def sign_model():
    """Softmax over [-mean(x), +mean(x)] through a linear 1x1 convolution (A = x): Grad-CAM has a closed form.

    For class 1 the centred logit is mean(A), so every weight is +1/(H W) and the map is ReLU(x) / max ReLU(x);
    for class 0 it is -mean(A): the map is ReLU(-x) / max ReLU(-x).
    """
    inputs = keras.Input((4, 4, 1))
    conv = keras.layers.Conv2D(1, 1, use_bias=False, name="conv")(inputs)
    pooled = keras.layers.GlobalAveragePooling2D()(conv)
    model = keras.Model(inputs, keras.layers.Dense(2, activation="softmax")(pooled))
    model.set_weights([np.ones((1, 1, 1, 1), np.float32), np.array([[-1.0, 1.0]], np.float32), np.zeros(2, np.float32)])
    return model


SIGNED = np.array([[0.4, -0.2, 0.0, 0.1],
                   [-0.8, 0.2, 0.3, -0.1],
                   [0.0, 0.0, -0.4, 0.2],
                   [0.1, -0.2, 0.0, 0.0]], np.float32)


def test_grad_cam_equals_the_hand_computed_maps():
    model = sign_model()
    image = SIGNED[None, :, :, None]
    relu = np.maximum(SIGNED, 0)
    np.testing.assert_allclose(explain.grad_cam(model, image, class_index=1)[0], relu / relu.max(), atol=1e-6)
    relu_neg = np.maximum(-SIGNED, 0)
    np.testing.assert_allclose(explain.grad_cam(model, image, class_index=0)[0], relu_neg / relu_neg.max(), atol=1e-6)
    # predicted class: mean(x) = -0.025 < 0, so class 0; -x is predicted class 1, and its map is ReLU(-x) as well
    assert model.predict(np.concatenate([image, -image]), verbose=0).argmax(1).tolist() == [0, 1]
    np.testing.assert_allclose(explain.grad_cam(model, image)[0], relu_neg / relu_neg.max(), atol=1e-6)
    np.testing.assert_allclose(explain.grad_cam(model, -image)[0], relu_neg / relu_neg.max(), atol=1e-6)


def test_grad_cam_of_each_image_is_the_same_alone_or_in_a_batch(model, images):
    batch = images
    classes = np.array([0, 1, 1, 0])
    together = explain.grad_cam(model, batch, class_index=classes)
    for i in range(len(batch)):
        alone = explain.grad_cam(model, batch[i:i + 1], class_index=int(classes[i]))[0]
        np.testing.assert_allclose(together[i], alone, atol=1e-5)
    two = explain.grad_cam(sign_model(), np.stack([SIGNED, SIGNED])[..., None], class_index=[1, 0])
    relu, relu_neg = np.maximum(SIGNED, 0), np.maximum(-SIGNED, 0)
    np.testing.assert_allclose(two[0], relu / relu.max(), atol=1e-6)
    np.testing.assert_allclose(two[1], relu_neg / relu_neg.max(), atol=1e-6)


def test_grad_cam_maps_of_the_two_classes_differ(model, images):
    cam0 = explain.grad_cam(model, images, class_index=0)
    cam1 = explain.grad_cam(model, images, class_index=1)
    assert np.abs(cam0 - cam1).max() > 0.1
