"""helpers.segmentation (metrics, lesion detection, bootstrap, classical segmenter,
RTSTRUCT and DICOM SEG), helpers.models.unet."""

import numpy as np
import pydicom
import pytest

from helpers import phantoms
from helpers import segmentation as seg


def square(size=20, top=5, left=5, side=6):
    mask = np.zeros((size, size), bool)
    mask[top : top + side, left : left + side] = True
    return mask


def test_dice_and_iou_by_hand():
    # overlap 6 x 3 = 18 pixels of 36 each
    a, b = (
        square(side=6),
        square(left=8, side=6),
    )
    assert seg.dice(a, b) == pytest.approx(2 * 18 / 72)
    assert seg.iou(a, b) == pytest.approx(18 / 54)
    empty = np.zeros_like(a)
    assert seg.dice(empty, empty) == 1.0 and seg.iou(empty, empty) == 1.0
    assert seg.dice(a, empty) == 0.0
    assert np.allclose(seg.per_image(seg.dice, [a, a], [a, b]), [1.0, 0.5])


def test_hd95_in_mm():
    a, b = square(left=5), square(left=8)  # the same square shifted by 3 columns
    assert seg.hd95_mm(a, a) == 0.0
    assert seg.hd95_mm(a, b, spacing_mm=(1.0, 1.0)) == pytest.approx(3.0)
    # columns are 2.5 mm wide
    assert seg.hd95_mm(a, b, spacing_mm=(1.0, 2.5)) == pytest.approx(7.5)
    assert np.isnan(seg.hd95_mm(a, np.zeros_like(a)))
    assert seg.hd95_mm(np.zeros_like(a), np.zeros_like(a)) == 0.0


def test_hd95_by_hand():
    """Concentric squares of side 10 and 6: each of the small one's 20 surface pixels is
    2 from the big one's surface; of the big one's 36, 24 are 2 from the small one's, 8
    (beside the corners) sqrt(5) and 4 (the corners) sqrt(8). Pooled: 44 values of 2, 8
    of sqrt(5), 4 of sqrt(8); the 95th percentile (position 52.25 of 0-55) is sqrt(8),
    whichever mask comes first. Interior pixels do not count."""
    big, small = square(side=10), square(top=7, left=7, side=6)
    assert seg.hd95_mm(big, small) == pytest.approx(np.sqrt(8))
    assert seg.hd95_mm(small, big) == pytest.approx(np.sqrt(8))
    assert seg.hd95_mm(big, small, spacing_mm=(2.0, 2.0)) == pytest.approx(
        2 * np.sqrt(8)
    )
    assert seg.hd95_mm(small, big, spacing_mm=(2.0, 2.0)) == pytest.approx(
        2 * np.sqrt(8)
    )
    # one stray pixel, (8, 8) from the square's corner: 21 + 20 distances, all 0 but
    # one, so the 95th percentile is 0 (the maximum, the Hausdorff distance, would be
    # sqrt(128))
    truth = square()
    pred = truth.copy()
    pred[18, 18] = True
    assert seg.hd95_mm(pred, truth) == 0.0 and seg.hd95_mm(truth, pred) == 0.0
    # a mask filling the image: its surface is the image's edge (76 pixels: 64 are 2
    # from a square 2 pixels inside, 8 sqrt(5), 4 sqrt(8)); the square's 60 surface
    # pixels are 2 from it: the 95th percentile of the 136 is sqrt(5)
    full, inner = np.ones((20, 20), bool), square(top=2, left=2, side=16)
    assert seg.hd95_mm(full, inner) == pytest.approx(np.sqrt(5))


def test_lesion_detection_and_false_positives():
    lesions = np.zeros((1, 20, 20), np.int16)
    lesions[0, 2:4, 2:4] = 1  # 4 pixels
    lesions[0, 10:14, 10:14] = 2  # 16 pixels
    pred = np.zeros((1, 20, 20), bool)
    pred[0, 2:4, 2] = True  # half of lesion 1
    pred[0, 10:12, 10:12] = True  # a quarter of lesion 2
    pred[0, 17:19, 17:19] = True  # a false region
    table = np.array([[0, 1, 5.0, 20.0], [0, 2, 10.0, 80.0]], np.float32)
    found = seg.lesion_detection(pred, lesions, table)
    assert found["covered"].tolist() == [0.5, 0.25] and found["found"].tolist() == [
        True,
        False,
    ]
    assert seg.false_positives(pred, lesions).tolist() == [1]
    by = seg.sensitivity_by(found)
    assert by[("sensitivity", pd_interval(by, 30))].notna().any()


def test_lesion_detection_looks_in_the_lesion_image():
    lesions = np.zeros((2, 10, 10), np.int16)
    lesions[1, 2:4, 2:4] = 1
    preds = np.zeros((2, 10, 10), bool)
    preds[1, 2:4, 2:3] = True  # half of it, in image 1; image 0 predicts nothing
    table = np.array([[1, 1, 5.0, 20.0]], np.float32)
    found = seg.lesion_detection(preds, lesions, table)
    assert (
        found["image"].tolist() == [1]
        and found["covered"].tolist() == [0.5]
        and found["found"].tolist() == [True]
    )
    assert not seg.lesion_detection(preds, lesions, table, min_overlap=0.6)["found"][0]


def test_sensitivity_by_size_and_contrast_by_hand():
    import pandas as pd

    found = pd.DataFrame(
        {
            "radius_mm": [5.0, 6.0, 10.0, 15.0],
            "contrast_hu": [20.0, 25.0, 80.0, 40.0],
            "found": [True, False, False, True],
            "covered": [0.8, 0.1, 0.3, 0.6],
        }
    )
    by = seg.sensitivity_by(found)
    # rows: radius (0, 7.5], (7.5, 12.5], (12.5, 20] mm; columns: contrast (0, 30], (30,
    # 60], (60, 100] HU
    np.testing.assert_array_equal(
        by["sensitivity"].to_numpy(dtype=float),
        [[0.5, np.nan, np.nan], [np.nan, np.nan, 0.0], [np.nan, 1.0, np.nan]],
    )
    assert by["lesions"].to_numpy().tolist() == [[2, 0, 0], [0, 0, 1], [0, 1, 0]]


def pd_interval(table, contrast):
    return next(c for c in table["sensitivity"].columns if contrast in c)


def test_bootstrap_intervals():
    rng = np.random.default_rng(0)
    a = rng.normal(0.8, 0.05, 100)
    mean, low, high = seg.mean_ci(np.r_[a, np.nan])
    assert mean == pytest.approx(a.mean()) and low < mean < high and high - low < 0.03
    assert seg.mean_ci(a) == seg.mean_ci(a) != seg.mean_ci(a, seed=1)  # seeded
    b = a - 0.05 + rng.normal(0, 0.005, 100)  # b is a minus 0.05, plus small noise
    diff, low, high = seg.paired_difference_ci(a, b)
    assert diff == pytest.approx(0.05, abs=0.002) and low > 0.04 and high < 0.06
    assert seg.paired_difference_ci(a, b) == (diff, low, high)  # seeded


def test_bootstrap_interval_by_hand():
    """50 zeros and 50 ones: mean 0.5, standard error 0.5 / sqrt(100) = 0.05, so a 95 %
    interval of about 0.5 +- 1.96 * 0.05 and a 50 % one of about 0.5 +- 0.674 * 0.05."""
    values = np.tile([0.0, 1.0], 50)
    mean, low, high = seg.mean_ci(values)
    assert (
        mean == 0.5
        and low == pytest.approx(0.402, abs=0.015)
        and high == pytest.approx(0.598, abs=0.015)
    )
    _, low50, high50 = seg.mean_ci(values, level=0.5)
    assert low50 == pytest.approx(0.466, abs=0.015) and high50 == pytest.approx(
        0.534, abs=0.015
    )
    assert seg.mean_ci(values) == (mean, low, high)  # seeded


def test_sensitivity_bootstrap_resamples_images():
    """Image 0 has 3 lesions, all found; image 1 one lesion, missed: 3 of 4 found (not
    the mean of the per-image shares, 0.5). A resample draws images whole: two copies
    of image 0 (4 in 16 resamples), one of each (3/4, 8 in 16) or two of image 1 (0):
    its middle 40 % is 3/4. Ten images of two lesions each, found or missed together,
    give a wider interval than twenty independent lesions would (about +-0.22)."""
    import pandas as pd

    two = pd.DataFrame({"image": [0, 0, 0, 1], "found": [True, True, True, False]})
    assert seg.sensitivity_ci(two) == (0.75, 0.0, 1.0)
    assert seg.sensitivity_ci(two, level=0.4) == (0.75, 0.75, 0.75)
    pairs = pd.DataFrame(
        {"image": np.repeat(np.arange(10), 2), "found": np.repeat(np.arange(10) < 5, 2)}
    )
    share, low, high = seg.sensitivity_ci(pairs)
    assert share == 0.5 and high - low > 0.5
    rng = np.random.default_rng(3)  # 40 images of 1-4 lesions: many possible shares
    many = pd.DataFrame({"image": np.repeat(np.arange(40), rng.integers(1, 5, 40))})
    many["found"] = rng.random(len(many)) < 0.6
    interval = seg.sensitivity_ci(many)
    assert seg.sensitivity_ci(many) == interval != seg.sensitivity_ci(many, seed=1)


def test_body_lung_masks_and_classical_lesions_on_a_phantom():
    ph = phantoms.random_phantom((1, 2))
    body, lung = seg.body_lung_masks(ph["hu"])
    assert seg.dice(body, ph["body"]) > 0.99 and seg.dice(lung, ph["lung"]) > 0.99
    clean = phantoms.scan(ph["hu"], 1e7, seed=0)  # nearly noise-free
    found = seg.threshold_lesions(
        clean, threshold_hu=40 + 0.5 * ph["lesion_table"][:, 1].min()
    )
    assert seg.dice(found, ph["lesions"] > 0) > 0.5
    none, _ = seg.body_lung_masks(np.full((8, 8), -1000.0))
    assert not none.any()


def test_body_lung_masks_by_hand():
    hu = np.full((30, 30), -1000.0)
    hu[0, :] = 0.0  # a couch: a separate, smaller region above -500 HU
    hu[3:19, 2:18] = 40.0  # the body, 16 x 16 = 256 pixels
    hu[5:8, 5:9] = -850.0  # a lung of 3 x 4 = 12 pixels
    hu[12:14, 12] = -850.0  # an air pocket of 2 pixels, below min_lung_px
    body, lung = seg.body_lung_masks(hu)
    # its holes filled, the couch left out
    assert body.sum() == 256 and body[3:19, 2:18].all()
    expected = np.zeros((30, 30), bool)
    expected[5:8, 5:9] = True
    assert np.array_equal(lung, expected)
    assert seg.body_lung_masks(hu, min_lung_px=2)[1].sum() == 14


def test_threshold_lesions_by_hand():
    """A 3 x 3 lesion of 200 HU in 40 HU tissue and a 4 x 4 bone of 700 HU: at 100 HU,
    with little smoothing, the lesion is found whole and the bone not at all; opened
    with a disk of radius 1 the square becomes a plus of 5 pixels, which min_px=6
    removes; a disk of radius 2 erases it; min_px=10 removes the unopened square."""
    hu = np.full((32, 32), -1000.0)
    hu[2:30, 2:30] = 40.0
    hu[14:17, 14:17] = 200.0
    hu[22:26, 8:12] = 700.0
    lesion = np.zeros((32, 32), bool)
    lesion[14:17, 14:17] = True
    assert np.array_equal(seg.threshold_lesions(hu, 100, sigma_px=0.5), lesion)
    # the defaults (min_px=3, no opening) keep it, as chapter 18 relies on
    assert np.array_equal(
        seg.threshold_lesions(hu, 100, sigma_px=0.5, min_px=9), lesion
    )
    plus = lesion.copy()
    plus[[14, 14, 16, 16], [14, 16, 14, 16]] = False
    assert np.array_equal(seg.threshold_lesions(hu, 100, sigma_px=0.5, open_px=1), plus)
    assert not seg.threshold_lesions(hu, 100, sigma_px=0.5, open_px=1, min_px=6).any()
    assert not seg.threshold_lesions(hu, 100, sigma_px=0.5, open_px=2).any()
    assert not seg.threshold_lesions(hu, 100, sigma_px=0.5, min_px=10).any()
    # a given tissue mask is used instead of the default one
    tissue = np.zeros((32, 32), bool)
    tissue[14:17, 14:16] = True
    assert seg.threshold_lesions(hu, 100, sigma_px=0.5, tissue=tissue).sum() == 6
    assert np.array_equal(
        seg.threshold_lesions(hu, 100, sigma_px=0.5, tissue=seg.soft_tissue_mask(hu)),
        lesion,
    )


def test_threshold_lesions_smoothing():
    """One bright pixel of noise (+150 HU) and a faint 5 x 5 lesion (+60 HU) in 40 HU
    tissue: with little smoothing a threshold of 110 HU keeps the noise and not the
    lesion, and one of 70 HU both; with sigma 1.5 pixels the noise is spread below 70
    HU (about 51 HU at its centre) while the lesion's centre stays near 89 HU."""
    hu = np.full((40, 40), -1000.0)
    hu[2:38, 2:38] = 40.0
    hu[10, 28] = 190.0
    hu[18:23, 14:19] = 100.0
    noisy = seg.threshold_lesions(hu, 110, sigma_px=0.3, min_px=1)
    assert noisy[10, 28] and not noisy[18:23, 14:19].any()
    assert seg.threshold_lesions(hu, 70, sigma_px=0.3, min_px=1)[
        [10, 20], [28, 16]
    ].all()
    smooth = seg.threshold_lesions(hu, 70, sigma_px=1.5, min_px=1)
    assert smooth[20, 16] and not smooth[10, 28]


def test_contours_to_mask_by_hand():
    """Pixel (0, 0) is centred at x = -10, y = 20 mm, pixels of 2 mm: a contour at x
    -10..0, y 20..30 mm fills rows and columns 0-5; one at x -6..-4, y 24..26 (rows and
    columns 2-3) on the same slice cuts a hole in it; one at x -8..-4, y 22..28 on
    another slice fills rows 1-4, columns 1-3."""

    def rect(x0, x1, y0, y1, z):
        return np.array([[x0, y0, z], [x1, y0, z], [x1, y1, z], [x0, y1, z]], float)

    contours = [
        rect(-8, -4, 22, 28, 7.5),
        rect(-10, 0, 20, 30, 5.0),
        rect(-6, -4, 24, 26, 5.0),
    ]
    z, masks = seg.contours_to_mask(
        contours, origin_xy_mm=(-10, 20), spacing_mm=2.0, shape=(6, 8)
    )
    ring = np.zeros((6, 8), bool)
    ring[0:6, 0:6] = True
    ring[2:4, 2:4] = False
    small = np.zeros((6, 8), bool)
    small[1:5, 1:4] = True
    assert (
        z.tolist() == [5.0, 7.5]
        and np.array_equal(masks[0], ring)
        and np.array_equal(masks[1], small)
    )


def test_rtstruct_contours_to_mask():
    rtstruct = pydicom.dcmread(
        pydicom.data.get_testdata_file("rtstruct.dcm"), force=True
    )
    with pytest.raises(ValueError, match="no ROI named"):
        seg.contours_mm(rtstruct, "liver")
    # ROI 2 holds one POINT contour, not a closed one
    assert seg.contours_mm(rtstruct, "Isocenter 1") == []
    contours = seg.contours_mm(rtstruct, "patient")
    assert len(contours) == 3 and all(c.shape[1] == 3 for c in contours)
    z, masks = seg.contours_to_mask(
        contours, origin_xy_mm=(-210, -160), spacing_mm=2.0, shape=(161, 211)
    )
    assert z.tolist() == [-200.0, -190.0, -180.0] and masks.shape == (3, 161, 211)
    area_mm2 = masks.sum(axis=(1, 2)) * 4.0
    # a 400 x 300 mm rectangle
    assert np.all(np.abs(area_mm2 - 400 * 300) < 0.02 * 400 * 300)


def test_mask_to_contours_and_back_on_the_image_grid():
    """A ring (a square with a hole) and a separate blob on an axial image whose pixel
    (0, 0) is centred at x = -20, y = 30 mm, 2 mm pixels: the contours lie in patient
    mm at the image's z, and filled on the image's grid they give the mask back."""
    from pydicom.dataset import Dataset

    image = Dataset()
    image.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    image.ImagePositionPatient = [-20.0, 30.0, -12.5]
    image.PixelSpacing = [2.0, 2.0]
    image.Rows, image.Columns = 12, 16
    mask = np.zeros((12, 16), bool)
    mask[1:8, 2:9] = True
    mask[3:6, 4:7] = False
    mask[9:12, 12:16] = True  # touches the image border
    assert seg.image_grid(image) == ((-20.0, 30.0), 2.0, (12, 16))
    contours = seg.mask_to_contours_mm(mask, image)
    assert len(contours) == 3 and all(np.all(c[:, 2] == -12.5) for c in contours)
    points = np.concatenate(contours)
    # x runs along columns from -20 mm, y along rows from 30 mm
    assert points[:, 0].min() == pytest.approx(-20 + 2 * 1.5)
    assert points[:, 0].max() == pytest.approx(-20 + 2 * 15.5)
    assert points[:, 1].min() == pytest.approx(30 + 2 * 0.5)
    z, back = seg.contours_to_mask(contours, *seg.image_grid(image))
    assert z.tolist() == [-12.5] and np.array_equal(back[0], mask)
    image.PixelSpacing = [2.0, 1.0]
    with pytest.raises(ValueError, match="not square"):
        seg.image_grid(image)
    image.ImageOrientationPatient = [0, 1, 0, 0, 0, -1]
    with pytest.raises(ValueError, match="not an axial"):
        seg.image_grid(image)


def test_dicom_seg_round_trip(tmp_path):
    from helpers import data

    folder = data.path("ct_acrin_flt_breast_001")
    source = sorted(
        (pydicom.dcmread(f) for f in folder.glob("*.dcm")),
        key=lambda d: -float(d.ImagePositionPatient[2]),
    )[20:22]
    hu = np.stack(
        [
            d.pixel_array * float(d.RescaleSlope) + float(d.RescaleIntercept)
            for d in source
        ]
    )
    body, lung = zip(*(seg.body_lung_masks(h) for h in hu))
    masks = {"body": np.stack(body), "lung": np.stack(lung)}
    out = seg.write_seg(masks, source)
    assert out.Modality == "SEG" and int(out.NumberOfFrames) == 4
    coded = {
        s.SegmentLabel: (
            s.SegmentedPropertyCategoryCodeSequence[0].CodeValue,
            s.SegmentedPropertyTypeCodeSequence[0].CodeValue,
        )
        for s in out.SegmentSequence
    }
    # anatomical structure: body structure, lung (SNOMED CT)
    assert coded == {
        "body": ("91723000", "123037004"),
        "lung": ("91723000", "39607008"),
    }
    lesion = seg.write_seg({"lesion": masks["lung"]}, source)
    lesion_codes = lesion.SegmentSequence[0]
    # morphologically abnormal structure: lesion
    assert lesion_codes.SegmentedPropertyCategoryCodeSequence[0].CodeValue == "49755003"
    assert lesion_codes.SegmentedPropertyTypeCodeSequence[0].CodeValue == "52988006"
    with pytest.raises(ValueError, match="no coded concept"):
        seg.write_seg({"liver": masks["lung"]}, source)
    # every frame lies where its source image lies
    where = {
        d.SOPInstanceUID: [float(v) for v in d.ImagePositionPatient] for d in source
    }
    for frame in out.PerFrameFunctionalGroupsSequence:
        uid = (
            frame.DerivationImageSequence[0]
            .SourceImageSequence[0]
            .ReferencedSOPInstanceUID
        )
        position = frame.PlanePositionSequence[0].ImagePositionPatient
        assert [float(v) for v in position] == where[uid]
    refs = {
        r.ReferencedSOPInstanceUID
        for s in out.ReferencedSeriesSequence
        for r in s.ReferencedInstanceSequence
    }
    assert refs == {d.SOPInstanceUID for d in source}
    out.save_as(tmp_path / "seg.dcm")
    back = seg.read_seg(tmp_path / "seg.dcm", source)
    assert set(back) == {"body", "lung"}
    assert all(np.array_equal(back[k], masks[k]) for k in masks)
    back_reordered = seg.read_seg(pydicom.dcmread(tmp_path / "seg.dcm"), source[::-1])
    assert np.array_equal(back_reordered["lung"], masks["lung"][::-1])


def test_unet_shapes_and_skip_connections():
    import helpers
    from helpers import models

    helpers.setup(verbose=False)
    net = models.unet(input_shape=(None, None, 2), n_outputs=3, filters=(4, 8, 16))
    kinds = [type(layer).__name__ for layer in net.layers]
    assert kinds.count("Concatenate") == 2 and kinds.count("MaxPooling2D") == 2
    out = net.predict(np.zeros((1, 40, 24, 2), np.float32), verbose=0)
    assert out.shape == (1, 40, 24, 3) and (out >= 0).all() and (out <= 1).all()
    linear = models.unet(input_shape=(16, 16, 1), output_activation=None)
    assert linear.output_shape == (None, 16, 16, 1)
