"""helpers.phantoms: phantoms with exact labels, Radon projection, photon noise and FBP, all seeded."""
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
    assert not ph["body"][yy ** 2 + xx ** 2 > 32 ** 2].any()  # inside the field of view


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
    assert 7 < low / high < 13  # noise ~ 1 / sqrt(dose): 100x the photons, about a tenth of the noise


def test_phantom_dataset_is_cached_read_only_and_per_image():
    d = phantoms.phantom_dataset(3, seed=9, photons=(1e5, 1e4))
    assert d is phantoms.phantom_dataset(3, seed=9, photons=(1e5, 1e4))
    assert set(d) == {"hu", "body", "lung", "lesions", "fbp_100000", "fbp_10000", "lesion_table"}
    assert d["fbp_10000"].shape == (3, 64, 64)
    with pytest.raises(ValueError):
        d["hu"][0, 0, 0] = 1.0
    assert np.array_equal(d["hu"][1], phantoms.random_phantom((9, 1))["hu"])
    table = d["lesion_table"]
    assert table.shape[1] == 4 and set(table[:, 0].astype(int)) <= {0, 1, 2}
    for image, label, _, _ in table:
        assert (d["lesions"][int(image)] == int(label)).any()
    noisier = (d["fbp_10000"] - d["hu"]).std() > (d["fbp_100000"] - d["hu"]).std()
    assert noisier
