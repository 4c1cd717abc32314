"""Checkers of chapter 10's exercises (Case study: the heart and great vessels)."""

from __future__ import annotations

import numpy as np

from . import close, exercise


@exercise("10.1")
def energy_detector_on_chest_leads(
    answer, ecg, fs, detect, score, reference, leads, tolerance
):
    """(precision, recall) on ``leads`` of ``detect`` run on each lead's energy.

    ``ecg`` (samples, leads) is the band-passed test block; the Pan-Tompkins style
    energy signal is its squared first difference smoothed by a 150 ms moving average.
    ``detect`` and ``score`` are the chapter's ``detect_r_peaks`` and ``score_leads``.
    """
    from scipy import ndimage as ndi

    ecg = np.asarray(ecg)
    squared = np.diff(ecg, axis=0, prepend=0) ** 2
    energy = ndi.uniform_filter1d(squared, int(0.150 * fs), axis=0)
    ids = range(ecg.shape[1])
    expected = score(
        {k: detect(energy[:, k], fs) for k in ids}, reference, leads, tolerance
    )
    plain = score({k: detect(ecg[:, k], fs) for k in ids}, reference, leads, tolerance)
    precision, recall = (float(v) for v in answer)

    def matches(result):
        return close(precision, result["precision"], abs_tol=1e-3) and close(
            recall, result["recall"], abs_tol=1e-3
        )

    if matches(plain) and not matches(expected):
        return (
            "those are the per-lead detector's scores on the band-passed leads: "
            "run detect_r_peaks on the energy signal instead."
        )
    if not matches(expected):
        return (
            "square the first difference of each test lead (np.diff), smooth it "
            "with a 150 ms moving average at FS_NET, and score the chest leads "
            "(test B) with score_leads against the lead II labels."
        )
    return None


OFFSETS = (0.03, 0.06, 0.09)


@exercise("10.2")
def ctr_by_threshold_offset(answer, display, segment, ratio):
    """The CTR at threshold offsets 0.03, 0.06 and 0.09, in that order.

    ``segment`` and ``ratio`` are the chapter's ``segment_lungs`` and
    ``cardiothoracic_ratio``; ``display`` the radiograph they measure.
    """
    values = np.asarray(answer, dtype=float).ravel()
    if values.size != len(OFFSETS):
        return "give three CTRs, one per offset, in the order 0.03, 0.06, 0.09."
    expected = [ratio(*segment(display, offset)[1:])[0] for offset in OFFSETS]
    if np.ptp(values) == 0 and np.ptp(expected) > 0:
        return (
            "your three ratios are equal: pass each offset to segment_lungs "
            "(its second argument) before measuring."
        )
    if not np.allclose(values, expected, rtol=0, atol=1e-3):
        return (
            "for each offset in the order 0.03, 0.06, 0.09, segment the lungs "
            "with segment_lungs(cxr_display, offset) and pass the two lung "
            "masks to cardiothoracic_ratio; its first output is the CTR."
        )
    return None


@exercise("10.3")
def three_pixel_minimum(answer, lesions, spacing_mm):
    """(candidates, volume in mm3, Agatston-style sum) of lesions of >= 3 voxels.

    ``lesions`` is the chapter's table of candidates of at least 1 mm2, with its
    ``voxels`` and ``agatston`` columns; ``spacing_mm`` the CT's (dz, dy, dx).
    """
    count, volume, agatston = answer
    strict = lesions[lesions["voxels"] >= 3]
    expected_volume = float(strict["voxels"].sum() * np.prod(spacing_mm))
    if int(count) != len(strict):
        return (
            "keep the rows of the lesions table whose 'voxels' is at least 3, "
            "then count them."
        )
    if not close(volume, expected_volume, rel=1e-3):
        return (
            "the volume is the kept lesions' voxel count times the volume of "
            "one voxel, dz * dy * dx, in mm3."
        )
    if not close(agatston, strict["agatston"].sum(), rel=1e-3):
        return "add up the 'agatston' column (area x weight) of the kept lesions."
    return None
