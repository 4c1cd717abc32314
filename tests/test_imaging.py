"""Unit tests of helpers.imaging: display ranges, CT views, resampling, header
tables."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from pydicom.dataset import Dataset, FileMetaDataset  # noqa: E402
from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian  # noqa: E402

from helpers import data, imaging  # noqa: E402


def small_ct_dataset():
    """A tiny in-memory CT header with a few technical and a few identifying fields."""
    ds = Dataset()
    ds.Modality = "CT"
    ds.PatientName = "Doe^Jane"
    ds.PatientID = "12345"
    ds.StudyDate = "20200101"
    ds.SOPClassUID = CTImageStorage
    ds.SOPInstanceUID = "1.2.3.4.5"
    ds.Rows, ds.Columns = 4, 4
    ds.BitsAllocated = 16
    ds.PixelSpacing = [0.5, 0.5]
    ds.RescaleIntercept = -1024
    ds.RescaleSlope = 1
    ds.PixelData = np.zeros((4, 4), np.int16).tobytes()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    return ds


# display_image ------------------------------------------------------------------------


def test_display_image_uses_the_file_window():
    image = np.array([[-200.0, 40.0, 240.0]])
    out = imaging.display_image(image, {"WindowCenter": 40.0, "WindowWidth": 400.0})
    np.testing.assert_allclose(out, [[0.0, 0.5, 1.0]])


def test_display_image_first_of_several_windows_and_percentiles_without_one():
    image = np.linspace(0, 100, 101)[None, :]
    out = imaging.display_image(
        image, {"WindowCenter": [50.0, 0.0], "WindowWidth": [100.0, 10.0]}
    )
    np.testing.assert_allclose(out, image / 100, atol=1e-6)
    out = imaging.display_image(image, {}, percentiles=(0, 100))
    assert out.min() == 0.0 and out.max() == 1.0 and out.dtype == np.float32


def test_display_image_inverts_monochrome1():
    image = np.array([[0.0, 10.0]])
    out = imaging.display_image(
        image, {"PhotometricInterpretation": "MONOCHROME1"}, percentiles=(0, 100)
    )
    np.testing.assert_allclose(out, [[1.0, 0.0]])


def test_display_image_scales_rgb_without_inverting():
    image = np.full((2, 2, 3), 255.0)
    out = imaging.display_image(image, {"PhotometricInterpretation": "RGB"})
    assert out.shape == (2, 2, 3) and np.allclose(out, 1.0)
    image = np.zeros((1, 2, 3))
    # 12-bit colour: scaled by its own maximum, not by 255
    image[0, 0] = (
        4095.0,
        2047.5,
        0.0,
    )
    out = imaging.display_image(image, {"PhotometricInterpretation": "RGB"})
    np.testing.assert_allclose(out[0], [[1.0, 0.5, 0.0], [0.0, 0.0, 0.0]])
    # black, not NaN
    np.testing.assert_array_equal(imaging.display_image(np.zeros((2, 2, 3)), {}), 0.0)


def test_window_maps_level_to_grey_and_clips_outside():
    # the soft-tissue window (50, 350): -125 to 225 HU
    hu = np.array([-500.0, -125.0, 50.0, 137.5, 225.0, 1000.0])
    np.testing.assert_allclose(
        imaging.window(hu, 50, 350), [0.0, 0.0, 0.5, 0.75, 1.0, 1.0]
    )


def test_display_image_file_window_centred_on_zero_and_a_zero_width_window():
    image = np.array([[-50.0, 0.0, 50.0, 200.0]])
    out = imaging.display_image(image, {"WindowCenter": 0.0, "WindowWidth": 100.0})
    np.testing.assert_allclose(out, [[0.0, 0.5, 1.0, 1.0]])
    out = imaging.display_image(
        image, {"WindowCenter": 40.0, "WindowWidth": 0.0}, percentiles=(0, 100)
    )
    # no usable window: the full range, -50 to 200
    np.testing.assert_allclose(out, [[0.0, 0.2, 0.4, 1.0]])


def test_display_image_percentiles_clip_and_a_constant_image_is_black():
    # percentiles 0.5 and 99.5 are 0.5 and 99.5
    image = np.linspace(0, 100, 101)[None, :]
    out = imaging.display_image(image, {})
    assert out[0, 0] == 0.0 and out[0, -1] == 1.0 and out[0, 50] == pytest.approx(0.5)
    np.testing.assert_array_equal(imaging.display_image(np.full((2, 2), 7.0), {}), 0.0)


# ortho_views and resample -------------------------------------------------------------


def test_ortho_views_aspects_follow_the_spacing():
    volume = np.zeros((6, 10, 12), np.float32)
    axes = imaging.ortho_views(volume, (4.0, 1.0, 0.5))
    aspects = [ax.images[0].axes.get_aspect() for ax in axes]
    assert aspects == [2.0, 8.0, 4.0]
    assert [ax.images[0].get_array().shape for ax in axes] == [
        (10, 12),
        (6, 12),
        (6, 10),
    ]
    assert axes[0].get_title() == "axial (slice 3)"
    assert [ax.get_title() for ax in axes[1:]] == [
        "coronal (row 5)",
        "sagittal (column 6)",
    ]
    plt.close("all")


def test_ortho_views_window_and_index():
    # 50 HU: mid-grey in the soft-tissue window (50, 350)
    volume = np.full((6, 10, 12), 50.0, np.float32)
    axes = imaging.ortho_views(volume, (1.0, 1.0, 1.0))
    assert all(np.allclose(ax.images[0].get_array(), 0.5) for ax in axes)
    plt.close("all")
    # 50 HU is white from 0 +- 50
    axes = imaging.ortho_views(volume, (1.0, 1.0, 1.0), level=0, width=100)
    assert all(np.allclose(ax.images[0].get_array(), 1.0) for ax in axes)
    plt.close("all")
    volume[1, 2, 3] = -1000.0
    axes = imaging.ortho_views(volume, (1.0, 1.0, 1.0), index=(1, 2, 3))
    assert [ax.get_title() for ax in axes] == [
        "axial (slice 1)",
        "coronal (row 2)",
        "sagittal (column 3)",
    ]
    # each view passes through the voxel
    assert [ax.images[0].get_array().min() for ax in axes] == [
        0.0,
        0.0,
        0.0,
    ]
    plt.close("all")


def test_resample_to_isotropic_spacing():
    volume = np.random.default_rng(0).normal(size=(10, 20, 20)).astype(np.float32)
    out, spacing = imaging.resample(volume, (4.0, 1.0, 1.0), (2.0, 2.0, 2.0))
    assert out.shape == (20, 10, 10) and out.dtype == np.float32
    np.testing.assert_allclose(spacing, (2.0, 2.0, 2.0))


def test_resample_reports_the_spacing_it_reached():
    out, spacing = imaging.resample(
        np.zeros((7, 7, 7), np.float32), (1.0, 1.0, 1.0), (2.0, 2.0, 2.0)
    )
    # 3.5 slices rounded to 4: 7 mm over 4 slices is 1.75 mm each, not 2
    assert out.shape == (
        4,
        4,
        4,
    )
    np.testing.assert_allclose(spacing, (1.75, 1.75, 1.75))


def test_resample_order_zero_keeps_labels():
    mask = np.zeros((5, 8, 8), np.uint8)
    # label 4: linear interpolation would make 1, 2 and 3 at its edges
    mask[2, 3:5, 3:5] = 4
    out, _ = imaging.resample(mask, (3.0, 1.0, 1.0), (1.0, 1.0, 1.0), order=0)
    assert set(np.unique(out)) == {0, 4} and out.dtype == np.uint8


# header_table and vr_counts -----------------------------------------------------------


def test_header_table_shows_technical_fields_with_tag_and_vr():
    table = data.header_table(
        small_ct_dataset(),
        ["Modality", "Rows", "PixelSpacing", "SOPClassUID", "PixelData"],
    )
    assert list(table.columns) == ["tag", "VR", "keyword", "value"]
    rows = table.set_index("keyword")
    assert (
        rows.loc["Modality", "tag"] == "(0008,0060)"
        and rows.loc["Modality", "VR"] == "CS"
    )
    assert rows.loc["Rows", "value"] == "4"
    assert "CT Image Storage" in rows.loc["SOPClassUID", "value"]
    assert rows.loc["PixelData", "value"] == "<32 bytes>"


def test_header_table_summarises_sequences_and_cuts_long_values():
    ds = small_ct_dataset()
    ds.WaveformSequence = [Dataset(), Dataset()]
    ds.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL"] + ["CT_SOM5 SPI"] * 10
    rows = data.header_table(ds, ["WaveformSequence", "ImageType"]).set_index("keyword")
    assert rows.loc["WaveformSequence", "value"] == "<sequence of 2 item(s)>"
    assert len(rows.loc["ImageType", "value"]) == 72 and rows.loc[
        "ImageType", "value"
    ].startswith("['ORIGINAL'")


def test_header_table_default_fields_skip_absent_ones():
    table = data.header_table(small_ct_dataset())
    assert set(table["keyword"]) == {
        "Modality",
        "Rows",
        "Columns",
        "PixelSpacing",
        "RescaleIntercept",
        "RescaleSlope",
    }


def test_header_table_reads_file_meta():
    table = data.header_table(small_ct_dataset().file_meta, ["TransferSyntaxUID"])
    assert "Explicit VR Little Endian" in table["value"].iloc[0]


@pytest.mark.parametrize(
    "keyword",
    ["PatientName", "PatientID", "StudyDate", "SOPInstanceUID", "InstitutionName"],
)
def test_header_table_refuses_identifiers(keyword):
    with pytest.raises(ValueError, match="not shown"):
        data.header_table(small_ct_dataset(), [keyword])


def test_header_table_rejects_unknown_keywords():
    with pytest.raises(ValueError, match="not a DICOM keyword"):
        data.header_table(small_ct_dataset(), ["NoSuchKeyword"])


def test_vr_counts_counts_without_values():
    counts = imaging.vr_counts(small_ct_dataset())
    assert (
        counts["PN"] == 1
        and counts["UI"] == 2
        and counts["US"] == 3
        and counts["DA"] == 1
    )
    assert sum(counts.values()) == len(small_ct_dataset())


def test_vr_counts_includes_sequence_items():
    ds = small_ct_dataset()
    before = imaging.vr_counts(ds)
    item = Dataset()
    item.CodeMeaning = "x"
    ds.DeidentificationMethodCodeSequence = [item]
    after = imaging.vr_counts(ds)
    assert "SQ" not in before and after["SQ"] == 1 and after["LO"] == before["LO"] + 1


def test_identifying_vrs_and_technical_fields():
    assert {"PN", "DA", "UI"} <= set(imaging.IDENTIFYING_VRS)
    assert not any(
        k.startswith("Patient") or k.endswith("InstanceUID")
        for k in data.TECHNICAL_DICOM_FIELDS
    )
