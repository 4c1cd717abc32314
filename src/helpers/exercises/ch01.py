"""Checkers of chapter 01's exercises (Medical images)."""

from __future__ import annotations

import numpy as np

from . import all_close, close, exercise

STORED = (0, 1024, 2024)  # the stored values the exercise asks about


@exercise("01.1")
def stored_to_hu(answer, ds):
    """The HU of stored values 0, 1024 and 2024 by the modality LUT of ``ds``."""
    from pydicom.pixels import apply_modality_lut

    if isinstance(answer, str):
        return (
            "give the HU of the three stored values as numbers; the material "
            "follows from the HU of the stored 1024."
        )
    if isinstance(answer, dict):
        answer = [answer[stored] for stored in STORED]
    expected = apply_modality_lut(np.array(STORED), ds)
    if not all_close(answer, expected, abs_tol=0.5):
        return (
            "apply HU = stored value x RescaleSlope + RescaleIntercept with this "
            "file's slope and intercept, to the three values in that order."
        )
    return None


@exercise("01.2")
def height_along_the_body(answer, ct):
    """(height in mm with the true slice spacing, height in mm with 1 mm slices)."""
    true_mm, wrong_mm = answer
    n_slices = ct.hu.shape[0]
    if not close(true_mm, n_slices * ct.spacing_mm[0], abs_tol=0.5):
        return (
            "multiply the number of slices by the spacing between slices, "
            "ct.spacing_mm[0] (dz), not by the SliceThickness of the header."
        )
    if not close(wrong_mm, n_slices * 1.0, abs_tol=0.5):
        return "with 1 mm slices the height in mm is just the number of slices."
    return None


@exercise("01.3")
def dark_fraction_in_view(answer, hu, field_of_view):
    """Share of the in-view voxels of the slice ``hu`` below the lung level, -600 HU."""
    expected = np.mean(np.asarray(hu)[np.asarray(field_of_view)] < -600)
    if not close(answer, expected, abs_tol=1e-3):
        return (
            "keep only the voxels of the lowest slice (index -1) where "
            "field_of_view is True, and average (HU < -600) over those alone."
        )
    return None


@exercise("01.4")
def ecg_strip(answer, signal_uv, leads, fs):
    """(duration in s, R waves in Lead II) of the rhythm strip, as the text says."""
    from scipy.signal import find_peaks

    duration_s, n_beats = answer
    signal_uv = np.asarray(signal_uv)
    if not close(duration_s, signal_uv.shape[0] / fs, abs_tol=1 / fs):
        return (
            "the strip lasts its number of samples (rows of signal_uv) divided by "
            "the sampling frequency fs."
        )
    lead_ii = signal_uv[:, list(leads).index("Lead II")]
    peaks, _ = find_peaks(lead_ii, height=0.5 * lead_ii.max(), distance=int(0.3 * fs))
    if int(n_beats) != len(peaks):
        return (
            "take the Lead II column (leads.index('Lead II')) and use find_peaks "
            "with height half its maximum and distance 0.3 s in samples."
        )
    return None


@exercise("01.5")
def percentile_display(answer, image, meta):
    """(mean grey of the lung patch, of the spine patch) of the percentile display."""
    from ..imaging import display_image

    given = tuple(float(v) for v in answer)

    def patches(shown):
        h, w = shown.shape
        rows = slice(int(0.4 * h) - 20, int(0.4 * h) + 20)
        lung = shown[rows, int(0.3 * w) - 20 : int(0.3 * w) + 20]
        spine = shown[rows, w // 2 - 20 : w // 2 + 20]
        return float(lung.mean()), float(spine.mean())

    no_window = {**meta, "WindowCenter": None, "WindowWidth": None}
    if all_close(given, patches(display_image(image, no_window)), rel=0, abs_tol=0.01):
        return None
    if all_close(given, patches(display_image(image, meta)), rel=0, abs_tol=0.01):
        return (
            "that is the file's own window: pass display_image a copy of the meta "
            "with WindowCenter and WindowWidth set to None."
        )
    if given[0] > given[1]:
        return (
            "the lungs should come out darker: pass the file's meta to "
            "display_image, so that it inverts this MONOCHROME1 image."
        )
    return (
        "average the display over 40 x 40 patches centred at 40 % of the height, "
        "one at 30 % of the width (lung) and one in the middle column (spine)."
    )
