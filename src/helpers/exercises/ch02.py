"""Checkers of chapter 02's exercises (Preprocessing)."""

from __future__ import annotations

import numpy as np

from . import close, exercise

SKIMAGE_SCALE = 0.8  # scikit-image's scale in exercise 1


@exercise("02.1")
def zoom_out_factor(answer):
    """The RandomZoom factor that scales by 0.8, as the chapter turns SCALE into one."""
    expected = 1 / SKIMAGE_SCALE - 1
    if not all(close(z, expected, abs_tol=1e-4) for z in np.ravel(answer)):
        return (
            "RandomZoom's factor is not the scale itself: see how the chapter "
            "turned SCALE into height_factor for the zoom in, and mind the sign."
        )
    return None


@exercise("02.2")
def shape_at_2_mm(answer, ct):
    """The shape of ``ct.hu`` resampled to 2 mm isotropic by ``imaging.resample``."""
    from ..imaging import resample

    # the output shape does not depend on the values: resample a cheap stand-in
    stand_in = np.zeros(ct.hu.shape, dtype=np.uint8)
    expected = resample(stand_in, ct.spacing_mm, (2.0, 2.0, 2.0), order=0)[0].shape
    if tuple(int(n) for n in answer) != expected:
        return (
            "each axis gets n x (old spacing / new spacing) voxels, rounded as "
            "scipy.ndimage.zoom rounds: check with imaging.resample."
        )
    return None


@exercise("02.3")
def mask_resampling(answer, ct):
    """(order that keeps a 0/1 mask, share of in-between voxels after order 1)."""
    from ..imaging import resample

    order, fractional = answer
    _, h, w = ct.hu.shape
    block = ct.hu[:, h // 2 - 64 : h // 2 + 64, w // 2 - 64 : w // 2 + 64]
    bone = (block > 300).astype(np.float32)
    resampled = {
        o: resample(bone, ct.spacing_mm, (1.0, 1.0, 1.0), order=o)[0] for o in (0, 1)
    }
    keeps = [o for o, out in resampled.items() if set(np.unique(out)) <= {0, 1}]
    linear = resampled[1]
    expected = float(np.mean((linear > 0) & (linear < 1)))
    if float(fractional) == 0.0:
        return (
            "a boolean or integer mask stays so whatever the order: resample the "
            "mask as float32 (astype(np.float32))."
        )
    if keeps != [int(order)]:
        return "look at np.unique of each resampled mask: which holds only 0 and 1?"
    if not close(fractional, expected, rel=0.05):
        return (
            "count the voxels strictly between 0 and 1 in the order-1 result of "
            "the central 128 x 128 block (HU > 300), divided by all its voxels."
        )
    return None


@exercise("02.4")
def group_folds(answer, patient_id):
    """(patients per test fold, patients shared with its training), GroupKFold(5)."""
    from sklearn.model_selection import GroupKFold

    per_fold, shared = answer
    ids = np.asarray(patient_id)
    splitter = GroupKFold(n_splits=5)
    folds = list(splitter.split(np.zeros(len(ids)), groups=ids))
    expected_per_fold = [len(set(ids[test])) for _, test in folds]
    expected_shared = [len(set(ids[train]) & set(ids[test])) for train, test in folds]
    if list(np.ravel(per_fold).astype(int)) != expected_per_fold:
        return (
            "for each of the 5 folds count the distinct patients (a set of "
            "patient_id) among its test indices, not the images."
        )
    if list(np.ravel(shared).astype(int)) != expected_shared:
        return (
            "for each fold intersect the set of patient_id of its training indices "
            "with that of its test indices, and count the shared patients."
        )
    return None
