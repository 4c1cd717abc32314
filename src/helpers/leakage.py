"""Leakage audit of a dataset's official splits: exact and near-duplicate images across
train, validation and test.

Most MedMNIST 2D sets are split by image, not by patient (``PATIENT_SPLITS`` says which
split pairs can share a patient, per dataset), and their sources hold several images per
patient, so an image can have a near-copy in an earlier split. ``audit`` counts them;
``clean_test_mask`` marks the test images with no near-duplicate, so a metric can be
reported on the official test split *and* on its de-duplicated subset.

Near-duplicate means a Pearson correlation above ``threshold`` (0.99 by default; 0.98 is
reported as a sensitivity check) between two images after the training split's mean
image is subtracted from both. Without that centring the shape every image shares (the
round fundus, the ultrasound fan) makes unrelated images correlate: raw correlations of
RetinaMNIST images have a median of 0.97. Centred, the nearest other training image of a
PneumoniaMNIST image correlates at 0.85 or less in 99 % of cases, so r > 0.99 marks a
copy, not a similar patient; BreastMNIST's nearest-neighbour correlations are bimodal,
with a separate cluster of near-identical images above 0.99.
"""

from __future__ import annotations

import hashlib

import numpy as np

PAIRS = (("train", "val"), ("train", "test"), ("val", "test"))

# Which splits can hold images of one patient, from MedMNIST v2's description of each
# dataset (Yang et al., Sci Data 10:41, 2023, and medmnist.INFO) and its source.
# MedMNIST keeps no patient identifiers, so none of this can be checked from the data:
# the leakage audit finds copies of images, not patients.
PATIENT_SPLITS = {
    "breastmnist": "780 images of 600 women (BUSI, Al-Dhabyani et al. 2020) split "
    "7:1:2 at random by image: one woman's images can sit in training, validation and "
    "test.",
    "pneumoniamnist": "the source's training set split 9:1 by image into training and "
    "validation, so one child's X-rays can sit in both; the test split is the source's "
    "own held-out set, kept whole (whether the source kept children apart between its "
    "sets is not stated).",
    "retinamnist": "DeepDRiD's training set split 9:1 by image into training and "
    "validation, so one patient's fundus images (several per patient) can sit in both; "
    "the test split is DeepDRiD's separate validation set.",
    "adrenalmnist3d": "1,584 glands of 792 patients split 1,188 / 98 / 298 at random "
    "at the patient level: both glands of a patient stay in one split.",
}


def _standardised(images: np.ndarray, centre: np.ndarray | None = None) -> np.ndarray:
    """(N, D) float64 rows with mean 0 and norm 1 after subtracting ``centre``
    (constant rows become zeros)."""
    flat = images.reshape(len(images), -1).astype(np.float64)
    if centre is not None:
        flat -= centre.reshape(1, -1).astype(np.float64)
    flat -= flat.mean(axis=1, keepdims=True)
    norm = np.linalg.norm(flat, axis=1, keepdims=True)
    return np.divide(flat, norm, out=np.zeros_like(flat), where=norm > 0)


def nearest_correlation(
    queries: np.ndarray,
    reference: np.ndarray,
    centre: np.ndarray | None = None,
    exclude_self: bool = False,
    block: int = 512,
) -> tuple[np.ndarray, np.ndarray]:
    """For each query image, the highest Pearson r with any reference image and that
    image's index: (N,), (N,).

    ``centre`` (an image, e.g. the training mean) is subtracted from every image first;
    ``exclude_self=True`` when ``queries`` is ``reference`` (the diagonal is skipped).
    """
    q, r = _standardised(queries, centre), _standardised(reference, centre)
    best, where = np.empty(len(q)), np.empty(len(q), np.int64)
    for start in range(0, len(q), block):
        corr = q[start : start + block] @ r.T
        if exclude_self:
            rows = np.arange(start, min(start + block, len(q)))
            corr[rows - start, rows] = -np.inf
        where[start : start + block] = corr.argmax(axis=1)
        best[start : start + block] = corr.max(axis=1)
    return best, where


def training_mean(dataset: dict) -> np.ndarray:
    """The mean training image (float64), subtracted before correlating."""
    return dataset["train_images"].astype(np.float64).mean(axis=0)


def exact_duplicates(queries: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """(N,) bool: query images whose bytes equal some reference image's bytes."""
    seen = {hashlib.sha1(np.ascontiguousarray(x).tobytes()).digest() for x in reference}
    return np.array(
        [
            hashlib.sha1(np.ascontiguousarray(x).tobytes()).digest() in seen
            for x in queries
        ]
    )


def audit(dataset: dict, threshold: float = 0.99, loose: float = 0.98) -> list[dict]:
    """One row per split pair (earlier split, later split): exact copies,
    near-duplicates at ``threshold`` and ``loose``, how often a near-duplicate pair
    shares its label, and the 1-nearest-neighbour accuracy of the later split when
    each image takes the label of its most correlated image in the earlier one."""
    rows, centre = [], training_mean(dataset)
    for earlier, later in PAIRS:
        a, b = dataset[f"{earlier}_images"], dataset[f"{later}_images"]
        ya, yb = dataset[f"{earlier}_labels"], dataset[f"{later}_labels"]
        ya = ya.reshape(len(ya), -1)
        yb = yb.reshape(len(yb), -1)
        best, where = nearest_correlation(b, a, centre)
        near = best > threshold
        same = (ya[where] == yb).all(axis=1)
        rows.append(
            {
                "pair": f"{later} vs {earlier}",
                "images": len(b),
                "exact": int(exact_duplicates(b, a).sum()),
                f"r>{threshold}": int(near.sum()),
                f"r>{loose}": int((best > loose).sum()),
                "same label (near pairs)": round(float(same[near].mean()), 3)
                if near.any()
                else None,
                "1-NN accuracy": round(float(same.mean()), 3),
            }
        )
    return rows


def clean_mask(
    dataset: dict, split: str, against=("train",), threshold: float = 0.99
) -> np.ndarray:
    """(N,) bool over ``split``'s images: those with no exact or near-duplicate (r >
    threshold) in ``against``."""
    images, centre = dataset[f"{split}_images"], training_mean(dataset)
    keep = np.ones(len(images), bool)
    for other in against:
        best, _ = nearest_correlation(images, dataset[f"{other}_images"], centre)
        keep &= (best <= threshold) & ~exact_duplicates(
            images, dataset[f"{other}_images"]
        )
    return keep


def clean_test_mask(dataset: dict, threshold: float = 0.99) -> np.ndarray:
    """(N_test,) bool: test images with no exact or near-duplicate (r > threshold) in
    training or validation."""
    return clean_mask(dataset, "test", ("train", "val"), threshold)


def clean_validation_mask(dataset: dict, threshold: float = 0.99) -> np.ndarray:
    """(N_val,) bool: validation images with no exact or near-duplicate (r > threshold)
    in training.

    Recipe selection scores on these: a near-copy of a training image rewards
    memorising, not generalising."""
    return clean_mask(dataset, "val", ("train",), threshold)
