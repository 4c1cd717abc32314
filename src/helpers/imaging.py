"""Image handling that several chapters share: CT windows, display ranges of DICOM
images, views, resampling, and a census of a header's value representations."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

WINDOWS = {
    "lung": (-600, 1500),
    "mediastinum": (40, 400),
    "soft tissue": (50, 350),
    "bone": (400, 1800),
    "brain": (40, 80),
}  # (level, width) in HU; common presets, they vary between sites


def window(hu: np.ndarray, level: float, width: float) -> np.ndarray:
    """Map HU to [0, 1] for display: ``level - width/2`` is black, ``level +
    width/2`` is white."""
    low = level - width / 2
    return np.clip((np.asarray(hu, dtype=np.float32) - low) / width, 0.0, 1.0)


def display_image(image: np.ndarray, meta: dict, percentiles=(0.5, 99.5)) -> np.ndarray:
    """A DICOM image (from ``data.load_dicom_image``) as float32 in [0, 1] for display,
    dark = low attenuation.

    Uses the file's own window (WindowCenter/WindowWidth) when it has one, else the
    given intensity percentiles, and inverts MONOCHROME1 images (stored with high values
    dark) so that bone is white as a radiologist expects.
    """
    image = np.asarray(image, dtype=np.float32)
    if image.ndim == 3 and image.shape[-1] == 3:
        return np.clip(image / max(float(image.max()), 1.0), 0, 1)
    centre, width = meta.get("WindowCenter"), meta.get("WindowWidth")
    if isinstance(centre, list):
        centre, width = centre[0], width[0]
    if centre is not None and width:
        out = window(image, float(centre), float(width))
    else:
        low, high = (float(v) for v in np.percentile(image, percentiles))
        out = np.clip((image - low) / max(high - low, 1e-6), 0, 1).astype(np.float32)
    return 1.0 - out if meta.get("PhotometricInterpretation") == "MONOCHROME1" else out


def ortho_views(
    hu: np.ndarray,
    spacing_mm,
    level: float | None = None,
    width: float | None = None,
    index=None,
    axes=None,
):
    """Axial, coronal and sagittal slices through ``index`` (default: the centre) with
    true aspect ratios.

    The window defaults to the book's soft-tissue preset, ``WINDOWS["soft tissue"]``."""
    if level is None or width is None:
        level, width = WINDOWS["soft tissue"]
    dz, dy, dx = spacing_mm
    k, i, j = index if index is not None else (s // 2 for s in hu.shape)
    if axes is None:
        _, axes = plt.subplots(1, 3, figsize=(13, 4.6))
    views = [
        (hu[k], dy / dx, f"axial (slice {k})"),
        (hu[:, i, :], dz / dx, f"coronal (row {i})"),
        (hu[:, :, j], dz / dy, f"sagittal (column {j})"),
    ]
    for ax, (image, aspect, title) in zip(axes, views):
        ax.imshow(window(image, level, width), cmap="gray", aspect=aspect)
        ax.set_title(title)
        ax.axis("off")
    return axes


def resample(
    volume: np.ndarray, spacing_mm, new_spacing_mm=(1.0, 1.0, 1.0), order: int = 1
):
    """Resample a (D, H, W) volume to ``new_spacing_mm`` with scipy's spline zoom;
    returns (volume, spacing)."""
    from scipy.ndimage import zoom

    factors = np.asarray(spacing_mm, dtype=float) / np.asarray(
        new_spacing_mm, dtype=float
    )
    out = zoom(volume, factors, order=order, mode="nearest")
    actual = tuple(
        float(s) * n / m for s, n, m in zip(spacing_mm, volume.shape, out.shape)
    )
    return out.astype(volume.dtype, copy=False), actual


# Value representations that can carry identifying information: names, dates, times,
# ages, IDs, UIDs, free text.
IDENTIFYING_VRS = ("PN", "DA", "DT", "TM", "AS", "UI", "LO", "SH", "LT", "ST", "UT")


def vr_counts(ds) -> dict:
    """How many header elements (sequences included) the dataset holds per value
    representation, values unseen."""
    from collections import Counter

    return dict(Counter(element.VR for element in ds.iterall()).most_common())
