"""helpers.phantoms: phantoms with exact labels, Radon projection, photon noise and FBP,
all seeded."""

import numpy as np
import pytest

from helpers import phantoms


def test_hu_and_attenuation_are_inverse():
    hu = np.array([-1000.0, 0.0, 40.0, 1000.0])
    assert phantoms.hu_to_mu(-1000.0) == 0.0
    assert np.isclose(phantoms.hu_to_mu(0.0), phantoms.MU_WATER_PER_MM)
    assert np.allclose(phantoms.mu_to_hu(phantoms.hu_to_mu(hu)), hu, atol=1e-3)


def test_random_phantom_labels_and_values():
    ph = phantoms.random_phantom((7, 1))
    assert ph["hu"].shape == (64, 64) and ph["hu"].dtype == np.float32
    assert ph["body"].dtype == bool and ph["lung"].dtype == bool
    assert (ph["lung"] <= ph["body"]).all()  # lungs lie inside the body
    assert np.allclose(ph["hu"][~ph["body"]], -1000)  # air outside
    assert np.allclose(ph["hu"][ph["lung"]], phantoms.HU["lung"])
    table = ph["lesion_table"]
    assert 1 <= len(table) <= 4 and table.shape[1] == 2
    assert set(np.unique(ph["lesions"])) == set(range(len(table) + 1))
    assert (table[:, 0] >= 5 - 1e-6).all() and (table[:, 0] <= 17.5 + 1e-6).all()
    assert (table[:, 1] >= 15 - 1e-3).all() and (table[:, 1] <= 100 + 1e-3).all()
    for k in range(1, len(table) + 1):  # lesions sit in soft tissue, not in the lungs
        assert not (ph["lung"] & (ph["lesions"] == k)).any()
    yy, xx = np.mgrid[:64, :64] - 31.5
    assert not ph["body"][yy**2 + xx**2 > 32**2].any()  # inside the field of view


def test_lesions_sit_in_soft_tissue_apart_with_their_recorded_contrast():
    """Over 30 phantoms: no lesion pixel in a lung, different lesions at least 3 pixels
    apart, and a lesion's mean HU exceeds that of the soft tissue just around it by its
    recorded contrast (within the tissue's texture)."""
    from scipy import ndimage as ndi

    errors = []
    for i in range(30):
        ph = phantoms.random_phantom((5, i))
        lesions, table = ph["lesions"], ph["lesion_table"]
        assert not (ph["lung"] & (lesions > 0)).any()
        for k in range(1, len(table) + 1):
            inside = lesions == k
            others = (lesions > 0) & ~inside
            if others.any():
                assert ndi.distance_transform_edt(~inside)[others].min() >= 3
            ring = (
                ndi.binary_dilation(inside, iterations=3)
                & ~ndi.binary_dilation(inside)
                & (lesions == 0)
            )
            # soft tissue and heart: no fat, lung or bone
            ring &= (ph["hu"] > -50) & (ph["hu"] < 200)
            errors.append(
                ph["hu"][inside].mean() - ph["hu"][ring].mean() - table[k - 1, 1]
            )
    assert abs(np.mean(errors)) < 3 and np.abs(errors).max() < 15


def test_other_image_sizes_keep_the_field_of_view():
    """At 128 pixels a pixel is 2.5 mm: a lesion's recorded radius matches its area, and
    a water disc scanned at 1e4 photons per ray reads 0 HU (taking 5 mm pixels, the rays
    would cross twice the water and run out of photons)."""
    for i in range(5):
        ph = phantoms.random_phantom((7, i), size=128)
        for k, (radius_mm, _) in enumerate(ph["lesion_table"], start=1):
            area_radius_mm = np.sqrt((ph["lesions"] == k).sum() / np.pi) * 2.5
            assert 0.8 < area_radius_mm / radius_mm < 1.25
    yy, xx = np.mgrid[:128, :128] - 63.5
    water = np.where(np.hypot(yy, xx) < 51.2, 0.0, -1000.0)
    assert abs(phantoms.scan(water, 1e4)[np.hypot(yy, xx) < 25].mean()) < 15


def test_sinogram_line_integral_through_water_by_hand():
    """The central ray through a water disc of radius 25 pixels (125 mm) crosses 250 mm
    of water: 0.0192 * 250."""
    yy, xx = np.mgrid[:64, :64] - 31.5
    water = np.where(np.hypot(yy, xx) < 25, 0.0, -1000.0)
    assert phantoms.sinogram(water).max() == pytest.approx(0.0192 * 250, rel=0.03)


def test_sinogram_angles_are_180_over_n_apart():
    """Column 0 is the projection at 0 degrees (the column sums of mu * pixel size),
    column 32 of 64 the one at exactly 90 degrees: the row sums, the detector running
    the other way (scikit-image rotates about pixel 32, hence the shift by one)."""
    hu = phantoms.random_phantom((0, 0))["hu"]
    mu_mm = phantoms.hu_to_mu(hu) * phantoms.PIXEL_MM
    p = phantoms.sinogram(hu)
    np.testing.assert_allclose(p[:, 0], mu_mm.sum(axis=0), atol=1e-9)
    np.testing.assert_allclose(p[:, 32], np.roll(mu_mm.sum(axis=1)[::-1], 1), atol=1e-9)


def test_same_seed_same_phantom_and_scan():
    a, b = phantoms.random_phantom((3, 4)), phantoms.random_phantom((3, 4))
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not np.array_equal(a["hu"], phantoms.random_phantom((3, 5))["hu"])
    s1, s2 = phantoms.scan(a["hu"], 1e5, seed=1), phantoms.scan(a["hu"], 1e5, seed=1)
    assert np.array_equal(s1, s2) and s1.dtype == np.float32 and s1.shape == (64, 64)


def test_noise_free_fbp_recovers_hu():
    from scipy import ndimage as ndi

    yy, xx = np.mgrid[:64, :64] - 31.5
    water = np.where(np.hypot(yy, xx) < 25, 0.0, -1000.0)
    assert abs(phantoms.scan(water, None)[24:40, 24:40].mean()) < 3  # water reads 0 HU
    ph = phantoms.random_phantom((0, 0))
    error = phantoms.scan(ph["hu"], None) - ph["hu"]
    tissue = ndi.binary_erosion(ph["body"] & ~ph["lung"], iterations=2)
    assert abs(error[tissue].mean()) < 5 and np.median(np.abs(error[tissue])) < 30


def test_photon_noise_is_poisson_and_falls_with_dose():
    p = np.full((10, 20000), 2.0)
    noisy = phantoms.add_photon_noise(p, 1e4, seed=0)
    counts = 1e4 * np.exp(-noisy)
    expected = 1e4 * np.exp(-2.0)
    assert abs(counts.mean() - expected) < 2 and abs(counts.var() / expected - 1) < 0.05
    low, high = phantoms.noise_sd_hu(1e4), phantoms.noise_sd_hu(1e6)
    # noise ~ 1 / sqrt(dose): 100x the photons, about a tenth of the noise
    assert 7 < low / high < 13
    # exp(-50): no photon arrives
    starved = phantoms.add_photon_noise(np.full((4, 4), 50.0), 10.0, seed=0)
    # read as one photon of ten: -log(1 / 10)
    np.testing.assert_allclose(starved, np.log(10.0))


def test_phantom_dataset_is_cached_read_only_and_per_image():
    d = phantoms.phantom_dataset(3, seed=9, photons=(1e5, 1e4))
    assert d is phantoms.phantom_dataset(3, seed=9, photons=(1e5, 1e4))
    assert set(d) == {
        "hu",
        "body",
        "lung",
        "lesions",
        "fbp_100000",
        "fbp_10000",
        "lesion_table",
    }
    assert d["fbp_10000"].shape == (3, 64, 64)
    with pytest.raises(ValueError):
        d["hu"][0, 0, 0] = 1.0
    assert np.array_equal(d["hu"][1], phantoms.random_phantom((9, 1))["hu"])
    table = d["lesion_table"]
    assert table.shape[1] == 4 and set(table[:, 0].astype(int)) <= {0, 1, 2}
    for image, label, _, _ in table:
        assert (d["lesions"][int(image)] == int(label)).any()
    # each image's rows list exactly the labels 1..k of its label map
    for i in range(3):
        labels = sorted(int(label) for image, label, _, _ in table if int(image) == i)
        assert (
            labels == sorted(set(np.unique(d["lesions"][i]).tolist()) - {0})
            and labels[0] == 1
        )
    noisier = (d["fbp_10000"] - d["hu"]).std() > (d["fbp_100000"] - d["hu"]).std()
    assert noisier


def test_phantom_dataset_at_another_size_reconstructs_hu():
    """32 pixels of 10 mm: at 1e7 photons per ray soft tissue reads its true HU (a
    typical error of 24 HU at this coarse grid; with a 5 mm sinogram it would read about
    half the attenuation, hundreds of HU off)."""
    from scipy import ndimage as ndi

    d = phantoms.phantom_dataset(2, seed=3, photons=(1e7,), size=32)
    tissue = ndi.binary_erosion(
        d["body"] & ~d["lung"], structure=np.ones((1, 3, 3)), iterations=2
    )
    error = (d["fbp_1e+07"] - d["hu"])[tissue]
    assert (
        tissue.sum() > 50 and abs(error.mean()) < 15 and np.median(np.abs(error)) < 60
    )
