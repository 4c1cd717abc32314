"""Simulated CT slices with exact labels: random chest-like phantoms, Radon projection,
photon noise, FBP.

A phantom is built from ellipses and blobs with CT-like Hounsfield units (HU): a body
with a fat rim, two lungs, a heart, a spine and 1-4 small soft-tissue lesions whose size
and contrast are recorded. ``scan`` turns it into what a scanner would reconstruct:
attenuation -> line integrals (scikit-image ``radon``) -> Poisson photon counts at a
stated number of incident photons per ray -> filtered back-projection (``iradon``, ramp
filter) -> HU. Every step is seeded, so the same seed gives the same images on every
machine. No TensorFlow here.

The physics model is deliberately simple: a monochromatic beam (no beam hardening),
parallel rays, no scatter and no detector blur; and the phantom is projected from the
same grid it is reconstructed on, so each pixel holds one material (no partial volume)
and the masks are exact on the image grid.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy import ndimage as ndi
from skimage.draw import ellipse
from skimage.transform import iradon, radon

SIZE = 64  # pixels per side
FOV_MM = 320.0  # field of view (the image's side) in mm
PIXEL_MM = FOV_MM / SIZE  # 5 mm pixels at the default size
MU_WATER_PER_MM = 0.0192  # linear attenuation of water at about 70 keV, 1/mm
N_ANGLES = (
    64  # projection angles over 180 degrees (sparse enough to show faint streaks)
)
HU = {
    "fat": -100.0,
    "soft_tissue": 40.0,
    "heart": 50.0,
    "lung": -850.0,
    "bone": 700.0,
    "air": -1000.0,
}


def hu_to_mu(hu: np.ndarray) -> np.ndarray:
    """Linear attenuation (1/mm, float64) from HU: mu = mu_water * (1 + HU / 1000);
    air (-1000 HU) is 0."""
    return MU_WATER_PER_MM * (1.0 + np.asarray(hu, dtype=np.float64) / 1000.0)


def mu_to_hu(mu: np.ndarray) -> np.ndarray:
    """HU (float32) from linear attenuation in 1/mm, the inverse of ``hu_to_mu``."""
    return (1000.0 * (np.asarray(mu) / MU_WATER_PER_MM - 1.0)).astype(np.float32)


def _ellipse(mask_shape, centre, axes, angle=0.0):
    rr, cc = ellipse(
        centre[0], centre[1], axes[0], axes[1], shape=mask_shape, rotation=angle
    )
    out = np.zeros(mask_shape, dtype=bool)
    out[rr, cc] = True
    return out


def random_phantom(seed, size: int = SIZE) -> dict:
    """One phantom from ``seed`` (an int or a sequence of ints).

    The field of view is ``FOV_MM`` whatever the size. Returns ``hu`` (size, size)
    float32 true HU, masks ``body`` and ``lung`` (bool), ``lesions`` (int16 label map, 0
    = none, 1..k = lesion k) and ``lesion_table``: per lesion (radius_mm, contrast_hu),
    float32 (k, 2).
    """
    rng = np.random.default_rng(seed)
    s = size / 64.0  # geometry is drawn for 64 pixels and scaled
    shape = (size, size)
    c = size / 2 - 0.5 + rng.normal(0, 1.0 * s, 2)
    body_axes = (
        rng.uniform(17, 21) * s,
        rng.uniform(26, 29) * s,
    )  # (rows, columns): wider than deep
    tilt = rng.normal(0, 0.05)
    body = _ellipse(shape, c, body_axes, tilt)
    inner = _ellipse(
        shape,
        c,
        (
            body_axes[0] - rng.uniform(1.5, 3) * s,
            body_axes[1] - rng.uniform(1.5, 3) * s,
        ),
        tilt,
    )
    hu = np.full(shape, HU["air"], dtype=np.float64)
    hu[body] = HU["fat"]
    hu[inner] = HU["soft_tissue"]
    texture = ndi.gaussian_filter(rng.normal(0, 1, shape), 3 * s)
    hu[inner] += (12.0 * texture / texture.std())[
        inner
    ]  # smooth anatomical variation, SD 12 HU
    lung = np.zeros(shape, dtype=bool)
    for side in (-1, 1):
        centre = (
            c[0] - rng.uniform(2, 4) * s,
            c[1] + side * body_axes[1] * rng.uniform(0.45, 0.52),
        )
        axes = (
            body_axes[0] * rng.uniform(0.5, 0.62),
            body_axes[1] * rng.uniform(0.26, 0.32),
        )
        lung |= _ellipse(shape, centre, axes, rng.normal(0, 0.15)) & inner
    hu[lung] = HU["lung"]
    heart = (
        _ellipse(
            shape,
            (c[0] - body_axes[0] * 0.15, c[1] + rng.normal(0, 1.5) * s),
            (
                body_axes[0] * rng.uniform(0.3, 0.4),
                body_axes[1] * rng.uniform(0.2, 0.26),
            ),
            rng.normal(0, 0.3),
        )
        & inner
        & ~lung
    )
    hu[heart] = HU["heart"]
    spine = _ellipse(shape, (c[0] + body_axes[0] * 0.72, c[1]), (2.6 * s, 2.8 * s))
    hu[spine] = HU["bone"]
    free = inner & ~lung & ~ndi.binary_dilation(spine, iterations=2)
    lesions = np.zeros(shape, dtype=np.int16)
    table = []
    for k in range(
        int(rng.integers(1, 5))
    ):  # 1-4 lesions in soft tissue, apart from each other
        radius = rng.uniform(1.0, 3.5) * s  # pixels: 5-17.5 mm at 64 pixels
        contrast = float(
            np.exp(rng.uniform(np.log(15.0), np.log(100.0)))
        )  # HU above the tissue
        room = ndi.distance_transform_edt(
            free & ~ndi.binary_dilation(lesions > 0, iterations=2)
        )
        places = np.argwhere(room > 1.2 * radius + 1)
        if len(places) == 0:
            break
        centre = places[rng.integers(len(places))]
        blob = _ellipse(
            shape,
            centre,
            (radius * rng.uniform(0.8, 1.2), radius),
            rng.uniform(0, np.pi),
        )
        lesions[blob] = k + 1
        hu[blob] += contrast
        table.append((radius * FOV_MM / size, contrast))
    return {
        "hu": hu.astype(np.float32),
        "body": body,
        "lung": lung,
        "lesions": lesions,
        "lesion_table": np.array(table, dtype=np.float32).reshape(-1, 2),
    }


def sinogram(
    hu: np.ndarray, n_angles: int = N_ANGLES, pixel_mm: float = PIXEL_MM
) -> np.ndarray:
    """Noise-free line integrals of attenuation (unitless), (detector bins, n_angles)
    float64, parallel beam.

    ``hu`` must be air (-1000 HU) outside the inscribed circle, as a scanner's field of
    view is.
    """
    theta = np.linspace(0.0, 180.0, n_angles, endpoint=False)
    return radon(hu_to_mu(hu) * pixel_mm, theta=theta, circle=True)


def add_photon_noise(line_integrals: np.ndarray, photons: float, seed) -> np.ndarray:
    """Noisy line integrals: counts ~ Poisson(photons * exp(-p)), then -log(counts /
    photons); same shape."""
    rng = np.random.default_rng(seed)
    counts = rng.poisson(photons * np.exp(-line_integrals))
    return -np.log(
        np.maximum(counts, 1) / photons
    )  # a ray with no photon left is read as one photon


def fbp(line_integrals: np.ndarray, pixel_mm: float = PIXEL_MM) -> np.ndarray:
    """Filtered back-projection (ramp filter) of a (bins, angles) sinogram to an HU
    image, float32 (bins, bins)."""
    theta = np.linspace(0.0, 180.0, line_integrals.shape[1], endpoint=False)
    return mu_to_hu(
        iradon(line_integrals, theta=theta, filter_name="ramp", circle=True) / pixel_mm
    )


def scan(
    hu: np.ndarray, photons: float | None, seed=0, n_angles: int = N_ANGLES
) -> np.ndarray:
    """What the scanner reconstructs (float32 HU, same shape) from a true HU image of
    side ``FOV_MM`` at ``photons`` incident photons per ray (None: no noise)."""
    pixel_mm = FOV_MM / hu.shape[-1]
    p = sinogram(hu, n_angles, pixel_mm)
    return fbp(p if photons is None else add_photon_noise(p, photons, seed), pixel_mm)


@lru_cache(maxsize=8)
def _dataset(n: int, seed: int, photons: tuple, size: int):
    out = {k: [] for k in ("hu", "body", "lung", "lesions")}
    out.update({f"fbp_{p:g}": [] for p in photons})
    tables = []
    for i in range(n):
        ph = random_phantom((seed, i), size)
        for k in ("hu", "body", "lung", "lesions"):
            out[k].append(ph[k])
        tables += [(i, k + 1, r, cst) for k, (r, cst) in enumerate(ph["lesion_table"])]
        p = sinogram(ph["hu"], pixel_mm=FOV_MM / size)
        for j, dose in enumerate(photons):
            noisy = add_photon_noise(p, dose, (seed, i, j))
            out[f"fbp_{dose:g}"].append(fbp(noisy, FOV_MM / size))
    arrays = {k: np.stack(v) for k, v in out.items()}
    arrays["lesion_table"] = np.array(tables, dtype=np.float32).reshape(-1, 4)
    for a in arrays.values():
        a.flags.writeable = False  # cached: shared between calls
    return arrays


def phantom_dataset(n: int, seed: int, photons=(1e5,), size: int = SIZE) -> dict:
    """``n`` phantoms and their scans, cached within the run (read-only arrays).

    Keys: ``hu`` (n, size, size) float32 truth, ``body``/``lung`` bool, ``lesions``
    int16 label maps, ``fbp_<photons>`` float32 HU reconstructions per dose (e.g.
    ``fbp_100000``), and ``lesion_table`` float32 (L, 4): image index, lesion label,
    radius_mm, contrast_hu. Image i depends only on (seed, i).
    """
    return _dataset(int(n), int(seed), tuple(float(p) for p in photons), int(size))


def noise_sd_hu(photons: float, seed: int = 0, size: int = SIZE) -> float:
    """Noise standard deviation (HU) of the reconstruction of a water disc at
    ``photons`` per ray."""
    yy, xx = np.mgrid[:size, :size] - (size - 1) / 2
    water = np.where(yy**2 + xx**2 < (0.4 * size) ** 2, 0.0, HU["air"])
    central = yy**2 + xx**2 < (0.25 * size) ** 2
    diff = scan(water, photons, seed) - scan(water, None)
    return float(diff[central].std())
