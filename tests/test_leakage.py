"""Leakage audit: exact copies, near-duplicates (centred Pearson r), label agreement,
the de-duplicated test mask."""

import numpy as np
import pytest

from helpers import leakage


@pytest.fixture
def planted():
    """Random 8x8 images; test image 0 is an exact copy of train 3, test 1 a lightly
    noisy copy of train 5 (with another label), val 2 an exact copy of train 7."""
    rng = np.random.default_rng(0)
    train = rng.integers(0, 256, (40, 8, 8), dtype=np.uint8)
    val = rng.integers(0, 256, (10, 8, 8), dtype=np.uint8)
    test = rng.integers(0, 256, (12, 8, 8), dtype=np.uint8)
    test[0] = train[3]
    test[1] = np.clip(
        train[5].astype(int) + rng.integers(-2, 3, (8, 8)), 0, 255
    ).astype(np.uint8)
    val[2] = train[7]
    labels = {
        s: rng.integers(0, 2, (n, 1)).astype(np.uint8)
        for s, n in (("train", 40), ("val", 10), ("test", 12))
    }
    labels["test"][0] = labels["train"][3]
    labels["test"][1] = 1 - labels["train"][5]
    return {
        "train_images": train,
        "val_images": val,
        "test_images": test,
        **{f"{s}_labels": y for s, y in labels.items()},
    }


def test_nearest_correlation_finds_the_copy(planted):
    best, where = leakage.nearest_correlation(
        planted["test_images"], planted["train_images"]
    )
    assert where[0] == 3 and best[0] == pytest.approx(1.0, abs=1e-5)
    assert where[1] == 5 and 0.99 < best[1] < 1.0
    assert (best[2:] < 0.9).all()


def test_pearson_correlation_by_hand():
    """Pearson r ignores brightness and contrast (an offset copy has r = 1, a reversed
    one -1), a blank image has r = 0 with everything (not NaN); the cosine of the raw
    values would give 0.946 for the offset copy."""
    image, blank = np.array([[1, 2], [3, 4]]), np.full((2, 2), 5)
    reversed_, offset = np.array([[4, 3], [2, 1]]), np.array([[11, 12], [13, 14]])
    best, where = leakage.nearest_correlation(
        np.stack([image, blank]), np.stack([reversed_, offset])
    )
    assert best.tolist() == pytest.approx([1.0, 0.0]) and where[0] == 1
    best, _ = leakage.nearest_correlation(image[None], reversed_[None])
    assert best[0] == pytest.approx(-1.0)


@pytest.mark.parametrize("block", [512, 7])
def test_exclude_self_skips_the_diagonal(planted, block):
    images = planted["train_images"]
    best, where = leakage.nearest_correlation(
        images, images, exclude_self=True, block=block
    )
    assert (where != np.arange(len(images))).all() and (best < 0.9).all()
    # image 40 is a copy of image 30: each other's nearest
    images = np.concatenate([images, images[30:31]])
    best, where = leakage.nearest_correlation(
        images, images, exclude_self=True, block=block
    )
    assert where[30] == 40 and where[40] == 30 and best[40] == pytest.approx(1.0)


def test_training_mean_is_the_mean_training_image():
    dataset = {
        "train_images": np.array([[[0, 2]], [[4, 250]]], np.uint8),
        "val_images": np.zeros((1, 1, 2), np.uint8),
        "test_images": np.zeros((1, 1, 2), np.uint8),
    }
    assert leakage.training_mean(dataset).tolist() == [[2.0, 126.0]]


def test_centring_removes_a_shared_shape():
    """Images that share a bright disc correlate highly raw, not once the mean image is
    subtracted."""
    rng = np.random.default_rng(1)
    yy, xx = np.mgrid[:16, :16]
    disc = 200.0 * ((yy - 8) ** 2 + (xx - 8) ** 2 < 36)
    images = disc + rng.normal(0, 10, (30, 16, 16))
    raw, _ = leakage.nearest_correlation(images[:10], images[10:])
    centred, _ = leakage.nearest_correlation(
        images[:10], images[10:], centre=images[10:].mean(axis=0)
    )
    assert raw.min() > 0.9 and centred.max() < 0.6


def test_audit_and_clean_masks_centre_on_the_training_mean():
    """Every image is the same bright disc plus its own noise: raw r is about 0.998,
    centred about 0."""
    rng = np.random.default_rng(1)
    yy, xx = np.mgrid[:16, :16]
    images = 200.0 * ((yy - 8) ** 2 + (xx - 8) ** 2 < 36) + rng.normal(
        0, 5, (50, 16, 16)
    )
    dataset = {
        "train_images": images[:30],
        "val_images": images[30:40],
        "test_images": images[40:],
        "train_labels": np.zeros((30, 1)),
        "val_labels": np.zeros((10, 1)),
        "test_labels": np.zeros((10, 1)),
    }
    assert [row["r>0.98"] for row in leakage.audit(dataset)] == [0, 0, 0]
    assert (
        leakage.clean_test_mask(dataset).all()
        and leakage.clean_validation_mask(dataset).all()
    )


def test_audit_label_agreement_and_1nn_accuracy_by_hand():
    """Four training patterns with two-column labels; validation and test images are
    noisy or exact copies of known patterns, so each image's nearest training image, and
    whether their labels agree, is known."""
    rng = np.random.default_rng(2)
    patterns = rng.normal(size=(4, 6, 6))
    noisy = [patterns[k] + rng.normal(0, 0.7, (6, 6)) for k in (0, 2, 3, 0)]
    dataset = {
        "train_images": patterns,
        "val_images": np.stack(noisy[:2]),
        "test_images": np.stack([patterns[1], noisy[2], noisy[3]]),
        "train_labels": np.array([[0, 0], [0, 1], [1, 0], [1, 1]]),
        "val_labels": np.array([[0, 0], [1, 1]]),
        "test_labels": np.array([[0, 1], [1, 1], [1, 1]]),
    }
    centre = leakage.training_mean(dataset)
    _, val_nearest = leakage.nearest_correlation(
        dataset["val_images"], patterns, centre
    )
    _, test_nearest = leakage.nearest_correlation(
        dataset["test_images"], patterns, centre
    )
    assert val_nearest.tolist() == [0, 2] and test_nearest.tolist() == [1, 3, 0]
    rows = {r["pair"]: r for r in leakage.audit(dataset)}
    # validation: pattern 0 with its label, pattern 2 ([1, 0]) labelled [1, 1]: one of
    # two agrees
    assert (
        rows["val vs train"]["1-NN accuracy"] == 0.5
        and rows["val vs train"]["r>0.99"] == 0
    )
    # test: the exact copy and the copy of pattern 3 agree, the copy of pattern 0 does
    # not: 2 of 3; the one near pair (the exact copy) agrees
    test = rows["test vs train"]
    assert (
        test["1-NN accuracy"] == 0.667
        and test["r>0.99"] == 1
        and test["same label (near pairs)"] == 1.0
    )


def test_audit_counts_each_split_pair(planted):
    rows = {r["pair"]: r for r in leakage.audit(planted)}
    assert list(rows) == ["val vs train", "test vs train", "test vs val"]
    assert rows["val vs train"]["exact"] == 1 and rows["val vs train"]["r>0.99"] == 1
    test = rows["test vs train"]
    assert test["images"] == 12 and test["exact"] == 1 and test["r>0.99"] == 2
    # the exact copy agrees, the noisy one was relabelled
    assert test["same label (near pairs)"] == 0.5
    assert (
        rows["test vs val"]["r>0.99"] == 0
        and rows["test vs val"]["same label (near pairs)"] is None
    )
    # the noisy copy correlates at 0.9998: above a loose 0.99, below a strict 0.9999
    strict = {
        r["pair"]: r for r in leakage.audit(planted, threshold=0.9999, loose=0.99)
    }["test vs train"]
    assert strict["r>0.9999"] == 1 and strict["r>0.99"] == 2


def test_clean_test_mask_drops_both_copies(planted):
    mask = leakage.clean_test_mask(planted)
    assert mask.dtype == bool and mask.shape == (12,)
    assert not mask[0] and not mask[1] and mask[2:].all()


def test_clean_test_mask_drops_copies_of_validation_images_and_follows_its_threshold(
    planted,
):
    dataset = dict(planted, test_images=planted["test_images"].copy())
    dataset["test_images"][5] = dataset["val_images"][4]
    assert (
        leakage.clean_test_mask(dataset).tolist()
        == [False, False] + [True] * 3 + [False] + [True] * 6
    )
    # at 0.99999 the noisy copy of train 5 (r = 0.9998) counts as clean, the exact
    # copies do not
    assert (
        leakage.clean_test_mask(dataset, threshold=0.99999).tolist()
        == [False] + [True] * 4 + [False] + [True] * 6
    )


def test_clean_masks_drop_exact_copies_that_centring_blanks():
    """An image equal to the training mean is blank once centred: r = 0 with everything,
    so only the byte comparison finds its copies. Training images A, B and (A + B) / 2
    have the mean (A + B) / 2."""
    rng = np.random.default_rng(3)
    a, b = 2 * rng.integers(0, 128, (2, 8, 8), dtype=np.uint8)
    middle = (a // 2 + b // 2).astype(np.uint8)
    other = rng.integers(0, 256, (2, 8, 8), dtype=np.uint8)
    dataset = {
        "train_images": np.stack([a, b, middle]),
        "val_images": np.stack([middle, other[0]]),
        "test_images": np.stack([other[1], middle]),
    }
    assert np.array_equal(leakage.training_mean(dataset), middle)
    assert leakage.clean_validation_mask(dataset).tolist() == [False, True]
    assert leakage.clean_test_mask(dataset).tolist() == [True, False]


def test_clean_validation_mask_drops_the_copy_of_a_training_image(planted):
    mask = leakage.clean_validation_mask(planted)
    assert mask.shape == (10,) and not mask[2] and mask.sum() == 9
    # every image correlates above -1
    assert not leakage.clean_validation_mask(planted, threshold=-1.0).any()


def test_exact_duplicates_compare_bytes(planted):
    found = leakage.exact_duplicates(planted["test_images"], planted["train_images"])
    assert found.tolist() == [True] + [False] * 11


def test_committed_audit_matches_a_fresh_one():
    """src/helpers/results/leakage.json (scripts/leakage_audit.py) is what the audit
    gives on the real data."""
    import json
    import os

    from helpers import data, results

    committed = json.loads((results.RESULTS_DIR / "leakage.json").read_text())
    assert set(committed) == {
        "breastmnist",
        "pneumoniamnist",
        "retinamnist",
        "adrenalmnist3d",
    }
    try:
        breast = data.load_medmnist("breastmnist")
    except data.DataError:
        if os.environ.get("CI"):
            raise
        pytest.skip("BreastMNIST is not available offline here (set MEDIMG_DATA_DIR)")
    assert (
        leakage.audit(breast, committed["breastmnist"]["threshold"])
        == committed["breastmnist"]["pairs"]
    )
    assert (
        int(leakage.clean_test_mask(breast).sum())
        == committed["breastmnist"]["clean_test_images"]
    )
