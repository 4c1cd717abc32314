"""Unit tests of helpers.privacy: DICOM de-identification and the check that no
identifying value survives."""

import pydicom
import pytest
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence

from helpers import privacy

SECRET = "test-secret"


def _ct():
    return pydicom.dcmread(get_testdata_file("CT_small.dcm"))


def _synthetic(sop_uid="1.2.3.4.5.6.1", name="Doe^Jane"):
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.2"
    ds.file_meta.MediaStorageSOPInstanceUID = sop_uid
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.2"
    ds.SOPInstanceUID = sop_uid
    ds.StudyInstanceUID, ds.SeriesInstanceUID = "1.2.3.4.5.1", "1.2.3.4.5.2"
    ds.PatientName, ds.PatientID, ds.PatientBirthDate = name, "MRN123456", "19700101"
    ds.StudyDate, ds.StudyTime, ds.Modality = "20200315", "101500", "CT"
    ds.OperatorsName = "Smith^Operator"
    item = Dataset()
    item.PatientID = "MRN123456"
    item.ReferencedSOPInstanceUID = "1.2.3.4.5.6.99"
    ds.ReferencedImageSequence = Sequence([item])
    ds.add_new(0x00091010, "LO", "private note about Jane")
    return ds


def test_pseudonym_and_uid_remap_are_stable_and_secret_dependent():
    assert (
        privacy.pseudonym(SECRET, "A1")
        == privacy.pseudonym(SECRET, "A1")
        != privacy.pseudonym("other", "A1")
    )
    new = privacy.remap_uid("1.2.3.4", SECRET)
    assert new == privacy.remap_uid("1.2.3.4", SECRET) and new.startswith("2.25.")
    assert new != privacy.remap_uid("1.2.3.5", SECRET) and new != privacy.remap_uid(
        "1.2.3.4", "other"
    )


def test_deidentify_removes_every_identifying_value_from_a_real_file():
    ds = _ct()
    originals = privacy.identifying_values(ds)
    # the check does find them before cleaning
    assert len(privacy.surviving_values(ds, originals)) > 10
    clean, report = privacy.deidentify(ds, SECRET)
    assert privacy.surviving_values(clean, originals) == []
    assert (
        not any(e.tag.is_private for e in clean.iterall())
        and report["private_removed"] > 100
    )
    assert (
        clean.PatientIdentityRemoved == "YES" and "OtherPatientIDsSequence" not in clean
    )
    assert clean.file_meta.MediaStorageSOPInstanceUID == clean.SOPInstanceUID
    assert ds.PatientName != clean.PatientName  # the original is left unchanged
    assert report["burned_in"] == "absent"


def test_uids_map_consistently_across_a_series_and_inside_sequences():
    a, _ = privacy.deidentify(_synthetic("1.2.3.4.5.6.1"), SECRET)
    b, _ = privacy.deidentify(_synthetic("1.2.3.4.5.6.2"), SECRET)
    assert a.SeriesInstanceUID == b.SeriesInstanceUID != "1.2.3.4.5.2"
    assert (
        a.StudyInstanceUID == b.StudyInstanceUID
        and a.SOPInstanceUID != b.SOPInstanceUID
    )
    assert a.ReferencedImageSequence[0].ReferencedSOPInstanceUID == privacy.remap_uid(
        "1.2.3.4.5.6.99", SECRET
    )
    assert a.SOPClassUID == "1.2.840.10008.5.1.4.1.1.2"  # standard UIDs are kept
    assert a.PatientID == b.PatientID == privacy.pseudonym(SECRET, "MRN123456")
    # the name's pseudonym is the ID's, not the name's
    assert a.PatientName == privacy.pseudonym(SECRET, "MRN123456")


def test_multi_valued_uids_are_remapped_one_by_one():
    ds = _synthetic()
    ds.FailedSOPInstanceUIDList = ["1.2.3.4.5.6.7", "1.2.840.10008.5.1.4.1.1.2"]
    clean, _ = privacy.deidentify(ds, SECRET)
    new_uid = privacy.remap_uid("1.2.3.4.5.6.7", SECRET)
    # the standard UID kept
    assert list(clean.FailedSOPInstanceUIDList) == [
        new_uid,
        "1.2.840.10008.5.1.4.1.1.2",
    ]


def test_surviving_values_searches_sequences_and_names_parts():
    ds = _synthetic()
    originals = privacy.identifying_values(ds)
    assert "DOE" in originals and "MRN123456" in originals
    ds.ImageComments = "seen by jane"  # a name part hidden in free text
    ds.PatientName, ds.PatientID = "", ""
    hits = privacy.surviving_values(ds, originals)
    assert ("ImageComments", "PatientName") in hits
    assert ("PatientID", "PatientID") in hits  # the copy inside ReferencedImageSequence
    clean, _ = privacy.deidentify(ds, SECRET)
    assert privacy.surviving_values(clean, originals) == []
    # a tool that forgot the file meta
    clean.file_meta.MediaStorageSOPInstanceUID = "1.2.3.4.5.6.1"
    assert privacy.surviving_values(clean, originals) == [
        ("MediaStorageSOPInstanceUID", "SOPInstanceUID")
    ]


def test_surviving_values_short_values_and_numbers_only_whole_in_the_same_attribute():
    ds = Dataset()
    ds.PatientSex, ds.ImageComments = "", "M"
    ds.SliceThickness, ds.SliceLocation = "1.72", "-101.72"
    originals = {"M": "PatientSex", "1.72": "PatientSize"}
    assert privacy.surviving_values(ds, originals) == []
    ds.PatientSex, ds.PatientSize = "M", "1.72"
    assert privacy.surviving_values(ds, originals) == [
        ("PatientSex", "PatientSex"),
        ("PatientSize", "PatientSize"),
    ]


def test_surviving_values_searches_encapsulated_bytes():
    ds = _synthetic()
    originals = privacy.identifying_values(ds)
    clean, _ = privacy.deidentify(ds, SECRET)
    clean.EncapsulatedDocument = b"%PDF-1.4 report for Doe^Jane"
    assert ("EncapsulatedDocument", "PatientName") in privacy.surviving_values(
        clean, originals
    )


def test_date_shift_keeps_intervals_and_burned_in_annotation_is_refused():
    ds = _synthetic()
    clean, report = privacy.deidentify(ds, SECRET, date_shift_days=-10)
    assert clean.StudyDate == "20200305" and clean.PatientBirthDate == "19691222"
    assert clean.LongitudinalTemporalInformationModified == "MODIFIED"
    assert (
        privacy.surviving_values(
            clean, privacy.identifying_values(ds, include_times=False)
        )
        == []
    )
    assert privacy.deidentify(ds, SECRET)[0].StudyDate == ""
    ds.BurnedInAnnotation = "YES"
    with pytest.raises(privacy.BurnedInAnnotationError):
        privacy.deidentify(ds, SECRET)
    assert privacy.deidentify(ds, SECRET, allow_burned_in=True)[1]["burned_in"] == "YES"
    # not the standard's spelling, but it says the same
    with pytest.warns(UserWarning, match="Invalid value"):
        ds.BurnedInAnnotation = "yes"
    with pytest.raises(privacy.BurnedInAnnotationError):
        privacy.deidentify(ds, SECRET)


def test_date_shift_keeps_the_time_of_a_date_time_and_empties_an_unreadable_date():
    ds = _synthetic()
    ds.AcquisitionDateTime = "20200315101500.250000"
    # the old ACR-NEMA form: not shifted, so emptied
    with pytest.warns(UserWarning, match="Invalid value"):
        ds.ContentDate = "2020.03.15"
    clean, report = privacy.deidentify(ds, SECRET, date_shift_days=-10)
    assert clean.AcquisitionDateTime == "20200305101500.250000"
    assert clean.ContentDate == ""
    assert report["actions"][("AcquisitionDateTime", "date shifted")] == 1


def test_curves_overlays_and_overlay_comments_are_removed():
    ds = _synthetic()
    ds.add_new(0x50003000, "OB", b"curve")  # CurveData
    ds.add_new(0x60000010, "US", 4)  # OverlayRows: kept, it holds no text or pixels
    ds.add_new(0x60003000, "OW", b"\xff\x00" * 4)  # OverlayData of the first plane
    ds.add_new(0x60023000, "OW", b"\xff\x00" * 4)  # OverlayData of the second plane
    ds.add_new(0x60004000, "LT", "marked by Dr Smith")  # OverlayComments
    clean, report = privacy.deidentify(ds, SECRET)
    removed = (0x50003000, 0x60003000, 0x60023000, 0x60004000)
    assert not any(tag in clean for tag in removed)
    assert clean[0x60000010].value == 4
    assert (
        report["actions"][("Overlay Data", "removed")] == 2
        and report["actions"][("Curve Data", "removed")] == 1
    )


def test_names_and_dates_outside_the_table_are_emptied_or_shifted():
    ds = _synthetic()
    ds.ReviewerName = "Roe^Richard"
    ds.DateOfLastCalibration, ds.TimeOfLastCalibration = "20200301", "101500"
    clean, _ = privacy.deidentify(ds, SECRET)
    assert (
        clean.ReviewerName == ""
        and clean.DateOfLastCalibration == ""
        and clean.TimeOfLastCalibration == ""
    )
    shifted, _ = privacy.deidentify(ds, SECRET, date_shift_days=-10)
    assert (
        shifted.DateOfLastCalibration == "20200220"
        and shifted.TimeOfLastCalibration == "101500"
    )
    assert shifted.ReviewerName == ""


def test_report_counts_actions_and_names_the_profile_options():
    clean, report = privacy.deidentify(_synthetic(), SECRET)
    actions = report["actions"]
    # at the top and inside ReferencedImageSequence
    assert actions[("PatientID", "replaced")] == 2
    assert (
        actions[("PatientName", "replaced")] == 1
        and actions[("OperatorsName", "removed")] == 1
    )
    assert (
        actions[("StudyDate", "emptied")] == 1
        and actions[("ReferencedSOPInstanceUID", "UID remapped")] == 1
    )
    assert report["private_removed"] == 1 and report["burned_in"] == "absent"
    assert [c.CodeValue for c in clean.DeidentificationMethodCodeSequence] == ["113100"]
    assert "LongitudinalTemporalInformationModified" not in clean
    shifted, _ = privacy.deidentify(_synthetic(), SECRET, date_shift_days=3)
    assert [c.CodeValue for c in shifted.DeidentificationMethodCodeSequence] == [
        "113100",
        "113107",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "PatientName: Doe^Jane",
        "PatientName = Doe^Jane",
        "PatientID: 12345",
        "PatientBirthDate: 19700101",
        "{'Modality': 'CT', 'PatientName': 'Doe^Jane', 'Rows': 512}",
        '{"PatientID": "12345"}',
        "(0010,0010) Patient's Name                      PN: 'CompressedSamples^CT1'",
        "(0010,0020) Patient ID                          LO: '1CT1'",
        "(0010,0030) Patient's Birth Date                DA: '19700101'",
        "Patient's Name: Doe^Jane",
        "saved to /home/jane/medimg/cache/breastmnist.npz",
        "file '/tmp/pytest-of-root/x.dcm'",
        r"C:\Users\jane\data\ct.dcm",
        r"'C:\\Users\\jane\\data'",
        "C:/Users/jane/data",
        r"\\server\share\ct",
    ],
)
def test_find_identifiers_catches(text):
    assert privacy.find_identifiers(text), text


@pytest.mark.parametrize(
    "text",
    [
        "The header field PatientName holds the patient's name; "
        "PatientID the hospital number.",
        "removed: InstitutionName, PatientAge, PatientID, PatientName, PatientSex",
        "{'PatientIdentityRemoved': 'YES', 'DeidentificationMethod': 'PS3.15'}",
        "(0012,0062) Patient Identity Removed            CS: 'YES'",
        "(0010,0010) Patient's Name                      PN: ''",
        "(0010,0030) Patient's Birth Date                DA: ''",
        "(0010,0020) Patient ID                          LO: 'ANON-4862B13613'",
        "(0010,0021) Issuer of Patient ID                LO: 'Hospital'",
        "{'PatientName': '', 'PatientID': None}",
        "PatientName: ''",
        "throughput 1234 images/s at 45 ms per batch, 1/2 of the slices",
        "see https://zenodo.org/records/10519652/files/breastmnist.npz",
        "data/ct_acrin_flt_breast_001 holds 36 slices",
        "training loss / validation loss",
    ],
)
def test_find_identifiers_leaves_clean_text_alone(text):
    assert privacy.find_identifiers(text) == [], text


def test_find_identifiers_on_a_real_header_before_and_after_deidentify():
    ds = _ct()
    found = privacy.find_identifiers(str(ds))
    assert any("CompressedSamples^CT1" in f for f in found) and any(
        "1CT1" in f for f in found
    )
    out = privacy.deidentify(ds, SECRET)
    out = out[0] if isinstance(out, tuple) else out
    assert privacy.find_identifiers(str(out)) == []
