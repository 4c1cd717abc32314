"""Leakage audit: exact copies, near-duplicates (centred Pearson r), label agreement, the de-duplicated test mask."""
import numpy as np
import pytest

from helpers import leakage


@pytest.fixture
def planted():
    """Random 8x8 images; test image 0 is an exact copy of train 3, test 1 a lightly noisy copy of train 5 (with
    another label), val 2 an exact copy of train 7."""
    rng = np.random.default_rng(0)
    train = rng.integers(0, 256, (40, 8, 8), dtype=np.uint8)
    val = rng.integers(0, 256, (10, 8, 8), dtype=np.uint8)
    test = rng.integers(0, 256, (12, 8, 8), dtype=np.uint8)
    test[0] = train[3]
    test[1] = np.clip(train[5].astype(int) + rng.integers(-2, 3, (8, 8)), 0, 255).astype(np.uint8)
    val[2] = train[7]
    labels = {s: rng.integers(0, 2, (n, 1)).astype(np.uint8) for s, n in (("train", 40), ("val", 10), ("test", 12))}
    labels["test"][0] = labels["train"][3]
    labels["test"][1] = 1 - labels["train"][5]
    return {"train_images": train, "val_images": val, "test_images": test,
            **{f"{s}_labels": y for s, y in labels.items()}}


def test_nearest_correlation_finds_the_copy(planted):
    best, where = leakage.nearest_correlation(planted["test_images"], planted["train_images"])
    assert where[0] == 3 and best[0] == pytest.approx(1.0, abs=1e-5)
    assert where[1] == 5 and 0.99 < best[1] < 1.0
    assert (best[2:] < 0.9).all()


def test_exclude_self_skips_the_diagonal(planted):
    images = planted["train_images"]
    best, where = leakage.nearest_correlation(images, images, exclude_self=True)
    assert (where != np.arange(len(images))).all() and (best < 0.9).all()


def test_centring_removes_a_shared_shape():
    """Images that share a bright disc correlate highly raw, not once the mean image is subtracted."""
    rng = np.random.default_rng(1)
    yy, xx = np.mgrid[:16, :16]
    disc = 200.0 * ((yy - 8) ** 2 + (xx - 8) ** 2 < 36)
    images = disc + rng.normal(0, 10, (30, 16, 16))
    raw, _ = leakage.nearest_correlation(images[:10], images[10:])
    centred, _ = leakage.nearest_correlation(images[:10], images[10:], centre=images[10:].mean(axis=0))
    assert raw.min() > 0.9 and centred.max() < 0.6


def test_audit_counts_each_split_pair(planted):
    rows = {r["pair"]: r for r in leakage.audit(planted)}
    assert list(rows) == ["val vs train", "test vs train", "test vs val"]
    assert rows["val vs train"]["exact"] == 1 and rows["val vs train"]["r>0.99"] == 1
    test = rows["test vs train"]
    assert test["images"] == 12 and test["exact"] == 1 and test["r>0.99"] == 2
    assert test["same label (near pairs)"] == 0.5  # the exact copy agrees, the noisy one was relabelled
    assert rows["test vs val"]["r>0.99"] == 0 and rows["test vs val"]["same label (near pairs)"] is None


def test_clean_test_mask_drops_both_copies(planted):
    mask = leakage.clean_test_mask(planted)
    assert mask.dtype == bool and mask.shape == (12,)
    assert not mask[0] and not mask[1] and mask[2:].all()


def test_clean_validation_mask_drops_the_copy_of_a_training_image(planted):
    mask = leakage.clean_validation_mask(planted)
    assert mask.shape == (10,) and not mask[2] and mask.sum() == 9


def test_exact_duplicates_compare_bytes(planted):
    found = leakage.exact_duplicates(planted["test_images"], planted["train_images"])
    assert found.tolist() == [True] + [False] * 11


def test_committed_audit_matches_a_fresh_one():
    """src/helpers/results/leakage.json (scripts/leakage_audit.py) is what the audit gives on the real data."""
    import json
    import os

    from helpers import data, metrics
    committed = json.loads((metrics.RESULTS_DIR / "leakage.json").read_text())
    assert set(committed) == {"breastmnist", "pneumoniamnist", "retinamnist", "adrenalmnist3d"}
    try:
        breast = data.load_medmnist("breastmnist")
    except data.DataError:
        if os.environ.get("CI"):
            raise
        pytest.skip("BreastMNIST is not available offline here (set MEDIMG_DATA_DIR)")
    assert leakage.audit(breast, committed["breastmnist"]["threshold"]) == committed["breastmnist"]["pairs"]
    assert int(leakage.clean_test_mask(breast).sum()) == committed["breastmnist"]["clean_test_images"]
