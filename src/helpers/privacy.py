"""De-identification of DICOM headers after the DICOM PS3.15 Basic Application Level
Confidentiality Profile.

``deidentify`` applies the profile's actions to a copy of a dataset (remove, empty,
replace, remap UIDs, drop private tags, clean dates); ``identifying_values`` lists what
must not survive and ``surviving_values`` searches every element, sequences and file
meta included, for any of them. A teaching implementation of the profile's most common
attributes, not a certified de-identification tool: check its output before any release.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import hmac
import re
import uuid
from collections import Counter

from pydicom.datadict import dictionary_VR
from pydicom.dataset import Dataset
from pydicom.multival import MultiValue
from pydicom.sequence import Sequence
from pydicom.uid import UID

# Actions of PS3.15 Table E.1-1 (Basic Profile column) for the attributes that occur in
# everyday image headers.
# X = remove, Z = empty (zero length), D = replace with a dummy value, K = keep (its
# UIDs are still remapped).
# Where the table allows a choice ("X/Z/D"), the first, strictest action is used.
BASIC_PROFILE = {
    "AccessionNumber": "Z",
    "AcquisitionComments": "X",
    "AcquisitionContextSequence": "X",
    "AcquisitionDate": "X",
    "AcquisitionDateTime": "X",
    "AcquisitionDeviceProcessingDescription": "X",
    "AcquisitionTime": "X",
    "ActualHumanPerformersSequence": "X",
    "AdditionalPatientHistory": "X",
    "AdmissionID": "X",
    "AdmittingDate": "X",
    "AdmittingDiagnosesCodeSequence": "X",
    "AdmittingDiagnosesDescription": "X",
    "AdmittingTime": "X",
    "Allergies": "X",
    "AuthorObserverSequence": "X",
    "BranchOfService": "X",
    "CommentsOnThePerformedProcedureStep": "X",
    "ContentCreatorName": "Z",
    "ContentDate": "Z",
    "ContentTime": "Z",
    "ContrastBolusAgent": "Z",
    "CountryOfResidence": "X",
    "CurrentPatientLocation": "X",
    "DataSetTrailingPadding": "X",
    "DerivationDescription": "X",
    "DeviceSerialNumber": "X",
    "EthnicGroup": "X",
    "ImageComments": "X",
    "InstanceCreationDate": "X",
    "InstanceCreationTime": "X",
    "InstitutionAddress": "X",
    "InstitutionalDepartmentName": "X",
    "InstitutionName": "X",
    "IssuerOfPatientID": "X",
    "MedicalAlerts": "X",
    "MedicalRecordLocator": "X",
    "MilitaryRank": "X",
    "ModifiedAttributesSequence": "X",
    "NameOfPhysiciansReadingStudy": "X",
    "Occupation": "X",
    "OperatorsName": "X",
    "OriginalAttributesSequence": "X",
    "OtherPatientIDs": "X",
    "OtherPatientIDsSequence": "X",
    "OtherPatientNames": "X",
    "PatientAddress": "X",
    "PatientAge": "X",
    "PatientBirthDate": "Z",
    "PatientBirthName": "X",
    "PatientBirthTime": "X",
    "PatientComments": "X",
    "PatientID": "D",
    "PatientMotherBirthName": "X",
    "PatientName": "D",
    "PatientReligiousPreference": "X",
    "PatientSex": "Z",
    "PatientSize": "X",
    "PatientState": "X",
    "PatientTelephoneNumbers": "X",
    "PatientWeight": "X",
    "PerformedProcedureStepDescription": "X",
    "PerformedProcedureStepID": "X",
    "PerformedProcedureStepStartDate": "X",
    "PerformedProcedureStepStartTime": "X",
    "PerformingPhysicianIdentificationSequence": "X",
    "PerformingPhysicianName": "X",
    "PhysiciansOfRecord": "X",
    "PhysiciansReadingStudyIdentificationSequence": "X",
    "ProtocolName": "X",
    "ReferencedImageSequence": "K",
    "ReferencedPatientSequence": "X",
    "ReferencedPerformedProcedureStepSequence": "X",
    "ReferencedStudySequence": "X",
    "ReferringPhysicianAddress": "X",
    "ReferringPhysicianName": "Z",
    "ReferringPhysicianTelephoneNumbers": "X",
    "RegionOfResidence": "X",
    "RequestAttributesSequence": "X",
    "RequestedProcedureDescription": "X",
    "RequestedProcedureID": "X",
    "RequestingPhysician": "X",
    "RequestingService": "X",
    "SeriesDate": "X",
    "SeriesDescription": "X",
    "SeriesTime": "X",
    "SourceImageSequence": "K",
    "StationName": "X",
    "StudyDate": "Z",
    "StudyDescription": "X",
    "StudyID": "Z",
    "StudyTime": "Z",
    "TimezoneOffsetFromUTC": "X",
}
ACTION_NAMES = {
    "X": "removed",
    "Z": "emptied",
    "D": "replaced",
    "U": "UID remapped",
    "S": "date shifted",
}
DATE_VRS = ("DA", "DT", "TM")
NUMERIC_VRS = ("AS", "DS", "IS", "US", "SS", "UL", "SL", "FL", "FD", "UV", "SV")


class BurnedInAnnotationError(ValueError):
    """The image says it carries burned-in annotation (text in the pixels), which
    header cleaning cannot remove."""


def pseudonym(secret: str, patient_id: str, prefix: str = "ANON-") -> str:
    """A stable pseudonym for a patient ID: the same ID and secret always give the
    same 10-character code."""
    digest = hmac.new(
        secret.encode(), str(patient_id).encode(), hashlib.sha256
    ).hexdigest()
    return prefix + digest[:10].upper()


def remap_uid(uid: str, secret: str) -> str:
    """A new UID under the 2.25 (UUID) root derived from ``secret`` and ``uid``: the
    same original always maps to the same new UID. (pydicom's
    ``generate_uid(prefix=None, ...)`` ignores its entropy sources and is random.)"""
    return f"2.25.{uuid.uuid5(uuid.NAMESPACE_OID, f'{secret}|{uid}').int}"


def _shift_date(value: str, days: int, vr: str) -> str:
    if vr == "TM" or len(value) < 8 or not value[:8].isdigit():
        return value if vr == "TM" else ""
    shifted = dt.datetime.strptime(value[:8], "%Y%m%d").date() + dt.timedelta(days=days)
    return shifted.strftime("%Y%m%d") + value[8:]


def _remap_value(value, secret: str):
    if isinstance(value, (list, MultiValue)):
        return [remap_uid(v, secret) if v and UID(v).is_private else v for v in value]
    return remap_uid(value, secret) if value and UID(value).is_private else value


def deidentify(
    ds: Dataset,
    secret: str,
    date_shift_days: int | None = None,
    allow_burned_in: bool = False,
) -> tuple[Dataset, dict]:
    """A de-identified copy of ``ds`` and a report ``{"actions": Counter of (keyword,
    action), ...}`` with no values.

    Basic Profile actions from ``BASIC_PROFILE``; any other person name (PN) is emptied;
    every non-standard UID, in sequences and file meta too, is remapped with
    ``remap_uid``; private tags, curves and overlay data are removed; dates and times
    are emptied or removed, or, with ``date_shift_days``, dates are shifted by that many
    days (the Retain Longitudinal Temporal Information with Modified Dates Option) so
    intervals between studies survive. Raises ``BurnedInAnnotationError`` where
    BurnedInAnnotation is YES unless ``allow_burned_in``.
    """
    burned_in = str(ds.get("BurnedInAnnotation", "")).upper() or "absent"
    if burned_in == "YES" and not allow_burned_in:
        raise BurnedInAnnotationError(
            "BurnedInAnnotation is YES: the pixels carry text (names, dates) that "
            "header "
            "de-identification cannot remove; clean the pixels first or do not "
            "release it."
        )
    out = copy.deepcopy(ds)
    actions: Counter = Counter()
    original_id = str(ds.get("PatientID", ""))
    n_private = sum(1 for e in out.iterall() if e.tag.is_private)
    out.remove_private_tags()
    for elem in list(
        out
    ):  # curves (50xx,xxxx), overlay data (60xx,3000) and overlay comments (60xx,4000)
        group = elem.tag.group
        if 0x5000 <= group <= 0x50FF or (
            0x6000 <= group <= 0x60FF and elem.tag.element in (0x3000, 0x4000)
        ):
            del out[elem.tag]
            actions[(elem.name, "removed")] += 1

    def clean(dataset: Dataset, elem) -> None:
        keyword, vr = elem.keyword, elem.VR
        action = BASIC_PROFILE.get(keyword)
        if date_shift_days is not None and vr in DATE_VRS and action in ("X", "Z"):
            action = None  # the option modifies dates instead of removing them
        if action == "X":
            del dataset[elem.tag]
        elif action == "Z":
            elem.value = Sequence() if vr == "SQ" else ""
        elif action == "D":
            elem.value = pseudonym(secret, original_id)
        elif vr == "PN" and elem.value:
            action, elem.value = "Z", ""
        elif vr == "UI" and elem.value:
            new = _remap_value(elem.value, secret)
            if new != elem.value:
                action, elem.value = "U", new
        elif vr in DATE_VRS and elem.value:
            if date_shift_days is None:
                action, elem.value = "Z", ""
            elif vr != "TM":
                action, elem.value = (
                    "S",
                    _shift_date(str(elem.value), date_shift_days, vr),
                )
        if action in ACTION_NAMES:
            actions[(keyword or str(elem.tag), ACTION_NAMES[action])] += 1

    out.walk(clean)
    if "SOPInstanceUID" in out and hasattr(out, "file_meta"):
        out.file_meta.MediaStorageSOPInstanceUID = out.SOPInstanceUID
    out.PatientIdentityRemoved = "YES"
    out.DeidentificationMethod = "DICOM PS3.15 Basic Profile (teaching version)"
    codes = [("113100", "Basic Application Confidentiality Profile")]
    if date_shift_days is not None:
        codes.append(
            ("113107", "Retain Longitudinal Temporal Information Modified Dates Option")
        )
        out.LongitudinalTemporalInformationModified = "MODIFIED"
    out.DeidentificationMethodCodeSequence = Sequence(
        [_code(value, meaning) for value, meaning in codes]
    )
    return out, {
        "actions": actions,
        "private_removed": n_private,
        "burned_in": burned_in,
    }


def _code(value: str, meaning: str) -> Dataset:
    item = Dataset()
    item.CodeValue, item.CodingSchemeDesignator, item.CodeMeaning = (
        value,
        "DCM",
        meaning,
    )
    return item


def _texts(elem) -> list[str]:
    value = elem.value
    if (
        value is None or elem.VR == "SQ" or elem.tag == 0x7FE00010
    ):  # sequences are walked into; pixels skipped
        return []
    if isinstance(value, (bytes, bytearray)):
        return (
            [bytes(value).decode("latin-1")]
            if elem.VR in ("OB", "UN") and len(value) < 1 << 20
            else []
        )
    if isinstance(value, (list, MultiValue)):
        return [str(v) for v in value]
    return [str(value)]


def identifying_values(ds: Dataset, include_times: bool = True) -> dict[str, str]:
    """Every identifying value in ``ds`` mapped to the keyword it came from: names
    (and their parts), IDs, dates, instance UIDs and the other attributes the profile
    cleans. Private tags are left out (they are removed whole)."""
    found: dict[str, str] = {}
    vrs = ("PN", "DA", "DT") + (("TM",) if include_times else ())
    for elem in list(ds.iterall()) + list(getattr(ds, "file_meta", [])):
        if elem.tag.is_private or elem.VR == "SQ":
            continue
        wanted = (
            elem.keyword in BASIC_PROFILE
            and not (elem.VR == "TM" and not include_times)
        ) or elem.VR in vrs
        for text in _texts(elem):
            text = text.strip()
            if elem.VR == "UI":
                wanted = (
                    bool(text)
                    and UID(text).is_private
                    and elem.keyword != "ImplementationClassUID"
                )
            if not wanted or not any(c.isalnum() for c in text):
                continue
            parts = [text] + (
                [p for p in text.replace("=", "^").split("^") if p.strip()]
                if elem.VR == "PN"
                else []
            )
            for part in parts:
                found.setdefault(part.strip().upper(), elem.keyword or str(elem.tag))
    return found


def _vr(keyword: str) -> str:
    try:
        return dictionary_VR(keyword)
    except KeyError:
        return "UN"


def surviving_values(
    ds: Dataset, originals: dict[str, str], min_substring: int = 4
) -> list[tuple[str, str]]:
    """Where any of ``originals`` survives in ``ds``: (element keyword, keyword of the
    original value), no values.

    Searches every element, inside sequences and the file meta, text and OB/UN bytes
    (not pixel data). Text values of at least ``min_substring`` characters are found
    anywhere inside a value; shorter ones and numbers (age, weight) only as the whole
    value of the same attribute, so that a sex of "M" does not match every "M" in the
    header. A hit is a value to review by hand, not always a leak (a vendor's name may
    also be the institution's).
    """
    substring = {
        value: len(value) >= min_substring and _vr(source) not in NUMERIC_VRS
        for value, source in originals.items()
    }
    hits = []
    for elem in list(ds.iterall()) + list(getattr(ds, "file_meta", [])):
        where = elem.keyword or str(elem.tag)
        for text in _texts(elem):
            upper = text.strip().upper()
            for value, source in originals.items():
                if (substring[value] and value in upper) or (
                    upper == value and where == source
                ):
                    hits.append((where, source))
    return sorted(set(hits))


# --- scanning printed text (notebook outputs, logs) for identifiers and absolute paths

_KEYWORDS = (
    r"Patient(?:Name|ID|BirthDate|BirthName|Address|TelephoneNumbers)|"
    r"OtherPatient(?:IDs|Names)"
)
_HUMAN = (
    r"Patient's (?:Name|Birth Date|Birth Name|Address|Telephone Numbers)|Patient ID|"
    r"Other Patient (?:IDs|Names)"
)
_VALUE = r"""(?:'(?P<q1>[^'\n]+)'|"(?P<q2>[^"\n]+)"|(?P<bare>[^\s'",}\]][^\n,}\]]*))"""
_IDENTIFIER_PATTERNS = (
    # PatientName: X, PatientID = X, 'PatientName': 'X', "PatientBirthDate": "1970...",
    # Patient's Name: X
    rf"""(?<!\w)(?<!of )(?:{_KEYWORDS}|{_HUMAN})(?!\w)['"]?[ \t]*[:=][ \t]*{_VALUE}""",
    # a pydicom header dump line: (0010,0010) Patient's Name     PN: 'X'
    rf"(?<!\w)(?<!of )(?:{_HUMAN})[ \t]+[A-Z]{{2}}:[ \t]*{_VALUE}",
)
_PATH_PATTERNS = (
    # /home/jane/data, /tmp/x/ (two segments at least)
    r"""(?:^|(?<=[\s'"(=\[,]))/(?:[\w.@+-]+/)+[\w.@+-]*""",
    # C:\Users\jane, C:\\Users\\jane (a repr), C:/Users
    r"(?<![\w])[A-Za-z]:(?:\\{1,2}|/)[^\s'\"<>|,;]+",
    r"(?<![\w\\])\\\\[\w.$-]+\\[^\s'\"<>|,;]+",  # \\server\share
)
_EMPTY_VALUES = re.compile(
    r"(?i)none|null|n/a|\(no value "
    r"available\)|anon(?:ymi[sz]ed)?|removed|[*x]+|ANON-[0-9a-f]+"
)


def find_identifiers(text: str) -> list[str]:
    """Patient identifiers with a value, and absolute paths, in printed ``text`` (the
    matches; empty when clean).

    Finds ``PatientName: X`` (also ``=``), a dict repr ``'PatientName': 'X'``, a pydicom
    header dump line ``(0010,0010) Patient's Name  PN: 'X'``, the same for PatientID,
    PatientBirthDate and the other patient identity fields, POSIX paths with two or more
    folders (``/home/jane/x``) and Windows paths (``C:\\Users\\...``, single or doubled
    backslashes). The keyword alone (prose, a list of tag names) and an emptied or
    pseudonymised value (``''``, ``None``, ``ANON-1a2b``, ``REMOVED``) are not
    identifiers.
    """
    found = []
    for pattern in _IDENTIFIER_PATTERNS:
        for match in re.finditer(pattern, text, flags=re.MULTILINE):
            value = (match["q1"] or match["q2"] or match["bare"] or "").strip()
            if value and not _EMPTY_VALUES.fullmatch(value):
                found.append(match.group(0))
    for pattern in _PATH_PATTERNS:
        found += [m.group(0) for m in re.finditer(pattern, text, flags=re.MULTILINE)]
    return found
