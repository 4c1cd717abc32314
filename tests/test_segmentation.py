"""helpers.segmentation (metrics, lesion detection, bootstrap, classical segmenter, RTSTRUCT and DICOM SEG),
helpers.models.unet and helpers.headlines."""
import json

import numpy as np
import pydicom
import pytest

from helpers import headlines, phantoms
from helpers import segmentation as seg


def square(size=20, top=5, left=5, side=6):
    mask = np.zeros((size, size), bool)
    mask[top:top + side, left:left + side] = True
    return mask


def test_dice_and_iou_by_hand():
    a, b = square(side=6), square(left=8, side=6)  # overlap 6 x 3 = 18 pixels of 36 each
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
    assert seg.hd95_mm(a, b, spacing_mm=(1.0, 2.5)) == pytest.approx(7.5)  # columns are 2.5 mm wide
    assert np.isnan(seg.hd95_mm(a, np.zeros_like(a)))
    assert seg.hd95_mm(np.zeros_like(a), np.zeros_like(a)) == 0.0


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
    assert found["covered"].tolist() == [0.5, 0.25] and found["found"].tolist() == [True, False]
    assert seg.false_positives(pred, lesions).tolist() == [1]
    by = seg.sensitivity_by(found)
    assert by[("sensitivity", pd_interval(by, 30))].notna().any()


def pd_interval(table, contrast):
    return next(c for c in table["sensitivity"].columns if contrast in c)


def test_bootstrap_intervals():
    rng = np.random.default_rng(0)
    a = rng.normal(0.8, 0.05, 100)
    mean, low, high = seg.mean_ci(np.r_[a, np.nan])
    assert mean == pytest.approx(a.mean()) and low < mean < high and high - low < 0.03
    b = a - 0.05 + rng.normal(0, 0.005, 100)  # b is a minus 0.05, plus small noise
    diff, low, high = seg.paired_difference_ci(a, b)
    assert diff == pytest.approx(0.05, abs=0.002) and low > 0.04 and high < 0.06
    assert seg.paired_difference_ci(a, b) == (diff, low, high)  # seeded


def test_body_lung_masks_and_classical_lesions_on_a_phantom():
    ph = phantoms.random_phantom((1, 2))
    body, lung = seg.body_lung_masks(ph["hu"])
    assert seg.dice(body, ph["body"]) > 0.99 and seg.dice(lung, ph["lung"]) > 0.99
    clean = phantoms.scan(ph["hu"], 1e7, seed=0)  # nearly noise-free
    found = seg.threshold_lesions(clean, threshold_hu=40 + 0.5 * ph["lesion_table"][:, 1].min())
    assert seg.dice(found, ph["lesions"] > 0) > 0.5
    none, _ = seg.body_lung_masks(np.full((8, 8), -1000.0))
    assert not none.any()


def test_rtstruct_contours_to_mask():
    rtstruct = pydicom.dcmread(pydicom.data.get_testdata_file("rtstruct.dcm"), force=True)
    with pytest.raises(ValueError, match="no ROI named"):
        seg.contours_mm(rtstruct, "liver")
    contours = seg.contours_mm(rtstruct, "patient")
    assert len(contours) == 3 and all(c.shape[1] == 3 for c in contours)
    z, masks = seg.contours_to_mask(contours, origin_xy_mm=(-210, -160), spacing_mm=2.0, shape=(161, 211))
    assert z.tolist() == [-200.0, -190.0, -180.0] and masks.shape == (3, 161, 211)
    area_mm2 = masks.sum(axis=(1, 2)) * 4.0
    assert np.all(np.abs(area_mm2 - 400 * 300) < 0.02 * 400 * 300)  # a 400 x 300 mm rectangle


def test_dicom_seg_round_trip(tmp_path):
    from helpers import data
    folder = data.path("ct_acrin_flt_breast_001")
    source = sorted((pydicom.dcmread(f) for f in folder.glob("*.dcm")),
                    key=lambda d: -float(d.ImagePositionPatient[2]))[20:22]
    hu = np.stack([d.pixel_array * float(d.RescaleSlope) + float(d.RescaleIntercept) for d in source])
    body, lung = zip(*(seg.body_lung_masks(h) for h in hu))
    masks = {"body": np.stack(body), "lung": np.stack(lung)}
    out = seg.write_seg(masks, source)
    assert out.Modality == "SEG" and int(out.NumberOfFrames) == 4
    refs = {r.ReferencedSOPInstanceUID for s in out.ReferencedSeriesSequence for r in s.ReferencedInstanceSequence}
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


def test_headlines_write_and_compare(tmp_path, monkeypatch):
    from helpers import metrics
    monkeypatch.setattr(headlines, "RESULTS_DIR", tmp_path)
    monkeypatch.setattr(metrics, "RESULTS_DIR", tmp_path)
    values = {"dice": [0.7, 0.65, 0.75], "n": 10}
    assert headlines.record("toy", values, {"dice": 0.01}) is None  # nothing committed yet
    written = headlines.record("toy", values, {"dice": 0.01}, write=True)
    assert written["dice"] == [0.7, 0.65, 0.75] and "peak_rss_mb" in json.loads((tmp_path / "toy.json").read_text())
    assert headlines.record("toy", {"dice": [0.705, 0.655, 0.745], "n": 10}, {"dice": 0.01}) == written
    with pytest.raises(AssertionError, match="dice"):
        headlines.record("toy", {"dice": [0.8, 0.75, 0.85], "n": 10}, {"dice": 0.01})
    with pytest.raises(AssertionError, match="moved"):  # a benchmark re-run writes, then says what moved
        headlines.record("toy", {"dice": [0.8, 0.75, 0.85], "n": 10}, {"dice": 0.01}, write=True)
    assert json.loads((tmp_path / "toy.json").read_text())["dice"] == [0.8, 0.75, 0.85]
