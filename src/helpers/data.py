"""The book's data layer: one hash-checked registry of every file the notebooks read.

Lookup order for a registered file: ``$MEDIMG_DATA_DIR`` (and its ``MedMNIST/``
sub-folder), the repository's own ``data/`` folder, the user cache
(``$MEDIMG_CACHE_DIR`` or the platform cache), then a download with pooch from the
official URL. Every file is checked against its registered hash before it is opened.

Environment variables:

- ``MEDIMG_DATA_DIR``: a folder that already holds the files (CI points it at
  ``../shared/data``).
- ``MEDIMG_CACHE_DIR``: where downloads are stored (default: the platform's user cache);
  it must be writable.
- ``MEDIMG_MIRROR``: an optional base URL that replaces every official download URL, for
  readers behind a proxy or
  with a local mirror. A file is fetched from ``$MEDIMG_MIRROR/<file name>`` (e.g.
  ``.../breastmnist.npz``), a slice of a DICOM series from ``$MEDIMG_MIRROR/<series
  folder>/<slice file name>``. Downloads are hash-checked as usual.

Every problem is raised as a ``DataError`` whose message is one line naming the file and
what to do.

Command line: ``python -m helpers.data list`` and ``python -m helpers.data fetch NAME
[NAME ...]`` (or ``--all``).
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import sys
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .home import RAW_URL

warnings.filterwarnings(
    "ignore", message="IProgress not found"
)  # tqdm in Jupyter without ipywidgets: text bar

REGISTRY: dict = json.loads(Path(__file__).with_name("registry.json").read_text())
_CLONE = (
    Path(__file__).resolve().parents[2]
)  # the repository, when the helpers run from a clone (src/helpers)
REPO_DATA_DIR = (
    _CLONE / "data" if (_CLONE / "pyproject.toml").is_file() else None
)  # None in a pip install
MEDMNIST_KEYS = (
    "train_images",
    "train_labels",
    "val_images",
    "val_labels",
    "test_images",
    "test_labels",
)
SAFE_DICOM_FIELDS = (
    "Modality",
    "Manufacturer",
    "ManufacturerModelName",
    "BodyPartExamined",
    "StudyDescription",
    "SeriesDescription",
    "PhotometricInterpretation",
    "Rows",
    "Columns",
    "BitsStored",
    "PixelSpacing",
    "ImagerPixelSpacing",
    "SliceThickness",
    "KVP",
    "ConvolutionKernel",
    "WindowCenter",
    "WindowWidth",
    "RescaleSlope",
    "RescaleIntercept",
    "PatientIdentityRemoved",
    "DeidentificationMethod",
)
# further technical fields that identify nobody: with SAFE_DICOM_FIELDS, all that
# header_table may show
TECHNICAL_DICOM_FIELDS = (
    "FileMetaInformationVersion",
    "MediaStorageSOPClassUID",
    "TransferSyntaxUID",
    "ImplementationVersionName",
    "SOPClassUID",
    "ImageType",
    "SamplesPerPixel",
    "BitsAllocated",
    "HighBit",
    "PixelRepresentation",
    "ImagePositionPatient",
    "ImageOrientationPatient",
    "SliceLocation",
    "InstanceNumber",
    "SpacingBetweenSlices",
    "PixelData",
    "RescaleType",
    "NumberOfFrames",
    "WaveformSequence",
    "LossyImageCompression",
    "PixelPaddingValue",
)


class DataError(Exception):
    """A problem with the book's data, explained in one line."""

    def _render_traceback_(self):  # IPython shows this one line instead of a traceback
        return [f"{type(self).__name__}: {self}"]


class DataNotFoundError(DataError, FileNotFoundError):
    """The file is not on this machine and could not be downloaded."""


class ChecksumError(DataError, ValueError):
    """The file's hash differs from the registry: it is corrupt, truncated or
    altered."""


class BadFileError(DataError, ValueError):
    """The file is not what it should be (not an npz, pickled content, not an image
    DICOM, ...)."""


class SeriesError(DataError, ValueError):
    """A DICOM series is mixed, incomplete or inconsistent."""


def entry(name: str) -> dict:
    """The registry entry of ``name``; an unknown name raises a one-line error
    listing close names."""
    if name in REGISTRY:
        return REGISTRY[name]
    close = difflib.get_close_matches(name.lower(), REGISTRY, n=4, cutoff=0.5)
    hint = f" Did you mean: {', '.join(close)}?" if close else ""
    raise DataError(
        f"unknown dataset {name!r}.{hint} See `python -m helpers.data list` for "
        "every name."
    )


def cache_dir() -> Path:
    """Where downloads go: ``$MEDIMG_CACHE_DIR`` or the platform's user cache."""
    import pooch

    return Path(os.environ.get("MEDIMG_CACHE_DIR") or pooch.os_cache("medimg-book"))


def file_hash(path: Path, algorithm: str) -> str:
    """Hex digest of a file (``md5`` or ``sha256``)."""
    digest = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify(path: Path, expected: str, name: str) -> Path:
    """Return ``path`` if its hash is ``expected`` ("md5:..." or "sha256:..."), else
    raise ChecksumError."""
    algorithm, want = expected.split(":")
    got = file_hash(path, algorithm)
    if got != want:
        raise ChecksumError(
            f"{path} ({name}) has {algorithm} {got[:12]}..., expected "
            f"{want[:12]}...: the file is corrupt, truncated "
            "or altered. It was left in place; move it away and run `python -m "
            f"helpers.data fetch {name}`."
        )
    return path


def _mirror(url: str, relative: str) -> str:
    """``url``, or the same file under ``$MEDIMG_MIRROR`` when that is set."""
    mirror = os.environ.get("MEDIMG_MIRROR", "").strip()
    return f"{mirror.rstrip('/')}/{relative}" if mirror else url


def _candidates(relative: str) -> list[Path]:
    dirs = []
    if os.environ.get("MEDIMG_DATA_DIR"):
        root = Path(os.environ["MEDIMG_DATA_DIR"]).expanduser()
        dirs += [root, root / "MedMNIST"]
    dirs += ([REPO_DATA_DIR] if REPO_DATA_DIR else []) + [cache_dir()]
    return [d / relative for d in dirs]


def _make_cache(folder: Path) -> None:
    """Create the cache folder ``folder``, or raise a one-line DataError naming
    MEDIMG_CACHE_DIR."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise DataError(
            f"the cache folder {folder} cannot be created ({type(err).__name__}: "
            f"{err.strerror}): set "
            "MEDIMG_CACHE_DIR to a writable folder (now: "
            f"{os.environ.get('MEDIMG_CACHE_DIR', 'unset')})."
        ) from None


def _download(
    url: str,
    known_hash: str,
    fname: str,
    folder: Path,
    name: str,
    progressbar: bool = True,
) -> Path:
    import pooch
    import requests

    pooch.get_logger().setLevel(
        "WARNING"
    )  # the progress bar says enough; its log line would print local paths
    _make_cache(folder)
    try:
        return Path(
            pooch.retrieve(
                url,
                known_hash=known_hash,
                fname=fname,
                path=folder,
                progressbar=progressbar,
            )
        )
    # pooch: hash mismatch (the partial download is discarded, never the user's file)
    except ValueError as err:
        if "hash" in str(err).lower():
            raise ChecksumError(
                f"the file downloaded for {name} from {url} does not match the "
                "registered "
                f"{known_hash.split(':')[0]} hash: the server sent a different or "
                "damaged file."
            ) from None
        raise
    except requests.HTTPError as err:  # the server answered, with an error status
        status = f"HTTP {err.response.status_code} {err.response.reason}"
        raise DataNotFoundError(
            f"{fname} ({name}) could not be downloaded from {url}: the server "
            f"answered {status}. "
            f"{_what_to_do()}"
        ) from None
    except (
        requests.RequestException
    ) as err:  # no network, DNS failure, refused connection, timeout
        raise DataNotFoundError(
            f"{fname} ({name}) is not on this machine and could not be downloaded "
            f"from {url} "
            f"({type(err).__name__}). {_what_to_do()}"
        ) from None
    except OSError as err:  # pooch could not write into the cache folder
        raise DataError(
            f"{fname} ({name}) cannot be saved: the cache folder {folder} is "
            "read-only or full "
            f"({type(err).__name__}). Set MEDIMG_CACHE_DIR to a writable folder (now: "
            f"{os.environ.get('MEDIMG_CACHE_DIR', 'unset')})."
        ) from None


def _what_to_do() -> str:
    """The one sentence every download error ends with: where the reader can put the
    file instead."""
    where = os.environ.get("MEDIMG_DATA_DIR") or "unset"
    if where != "unset" and not Path(where).expanduser().is_dir():
        where += ", which does not exist"
    mirror = os.environ.get("MEDIMG_MIRROR")
    return (
        "Download it by hand into a folder and point MEDIMG_DATA_DIR at it (now: "
        f"{where})"
        + (
            f", or check the mirror MEDIMG_MIRROR={mirror}."
            if mirror
            else ", or set MEDIMG_MIRROR to a mirror's base URL."
        )
    )


def _pydicom_file(name: str, e: dict) -> Path:
    from pydicom.data import get_testdata_file

    try:
        found = get_testdata_file(e["file"], download=False)
    except TypeError:  # older pydicom without the download argument
        found = get_testdata_file(e["file"])
    if not found:
        raise DataNotFoundError(
            f"{e['file']} ({name}) ships with the `{e['package']}` package, which "
            "is not "
            f"installed here: pip install {e['package']}"
        )
    return verify(Path(found), e["hash"], name)


def _series_folder(name: str, e: dict) -> Path:
    files = e["files"]
    for folder in [c for c in _candidates(e["folder"])]:
        if all((folder / f).is_file() for f in files):
            for f, h in files.items():
                verify(folder / f, h, name)
            return folder
    if not e.get("url"):
        raise DataNotFoundError(
            f"{name} ({len(files)} DICOM files in a folder named {e['folder']}) is "
            "not on this machine and has no "
            f"direct download: get it from {e['landing']} and point "
            "MEDIMG_DATA_DIR at the folder that holds it."
        )
    from tqdm.auto import tqdm

    folder = cache_dir() / e["folder"]
    base = e["url"].format(
        repo_raw=RAW_URL
    )  # the repository's raw files at its release tag
    missing = [f for f in files if not (folder / f).is_file()]
    for f in files:
        if f not in missing:
            verify(folder / f, files[f], name)
    for f in tqdm(
        missing, desc=f"downloading {name}", unit="file", disable=not missing
    ):  # one bar per series
        _download(
            _mirror(base + f, f"{e['folder']}/{f}"),
            files[f],
            f,
            folder,
            name,
            progressbar=False,
        )
    return folder


def path(name: str) -> Path:
    """The verified local path of a registered file (a folder for a DICOM series),
    fetched if needed."""
    e = entry(name)
    if e["kind"] == "pydicom_testdata":
        return _pydicom_file(name, e)
    if e["kind"] == "dicom_series":
        return _series_folder(name, e)
    for candidate in _candidates(e["file"]):
        if candidate.is_file():
            return verify(candidate, e["hash"], name)
    return _download(
        _mirror(e["url"], e["file"]), e["hash"], e["file"], cache_dir(), name
    )


def load_npz(file: Path, name: str = "") -> dict:
    """All arrays of an ``.npz`` file, refusing pickled content and non-npz files
    with a one-line error."""
    label = f"{file} ({name})" if name else str(file)
    file = Path(file)
    if not file.is_file():
        raise DataNotFoundError(
            f"{label} not found: check the path, or load a registered file by name."
        )
    if not zipfile.is_zipfile(file):
        with open(file, "rb") as f:
            if f.read(6) == b"\x93NUMPY":
                raise BadFileError(
                    f"{label} is a single .npy array with an .npz name: load it "
                    "with np.load, or "
                    f"save the arrays with np.savez."
                )
        raise BadFileError(
            f"{label} is not a valid .npz archive (not a zip file); it may be "
            "truncated: "
            f"download it again."
        )
    with zipfile.ZipFile(file) as archive:
        other = [n for n in archive.namelist() if not n.endswith(".npy")]
    if other:
        raise BadFileError(
            f"{label} holds {other[0]!r}, which is not a .npy array: it is a zip, "
            "not an .npz of "
            f"arrays. Use an .npz written by np.savez."
        )
    try:
        with np.load(file, allow_pickle=False) as npz:
            return {k: npz[k] for k in npz.files}
    except ValueError as err:
        if "pickle" in str(err):
            raise BadFileError(
                f"{label} holds pickled Python objects; they are refused because "
                "unpickling "
                f"can run arbitrary code. Use an .npz of plain numeric arrays."
            ) from None
        raise BadFileError(f"{label} is not a readable .npz archive ({err}).") from None
    except (zipfile.BadZipFile, OSError, EOFError) as err:
        raise BadFileError(
            f"{label} is not a valid .npz archive ({type(err).__name__}); it may "
            "be truncated."
        ) from None


def load_medmnist(name: str, size: int = 28) -> dict:
    """The six MedMNIST arrays (``train_images`` ... ``test_labels``, uint8) plus
    ``label_names``, ``task``, ``licence``."""
    key = name if size == 28 else f"{name}_{size}"
    e = entry(key)
    if e["kind"] != "medmnist":
        raise DataError(
            f"{name!r} is not a MedMNIST dataset; use helpers.data.path({name!r})."
        )
    arrays = load_npz(path(key), key)
    missing = [k for k in MEDMNIST_KEYS if k not in arrays]
    if missing:
        raise BadFileError(
            f"{key}.npz lacks {', '.join(missing)}: it is not a MedMNIST file."
        )
    for split in ("train", "val", "test"):
        images, labels = arrays[f"{split}_images"], arrays[f"{split}_labels"]
        if len(images) != len(labels) or images.ndim < 3:
            raise BadFileError(
                f"{key}.npz: {split}_images {images.shape} does not match "
                f"{split}_labels {labels.shape}."
            )
    out = {k: arrays[k] for k in MEDMNIST_KEYS}
    out.update(
        label_names=list(e["labels"]),
        task=e["task"],
        licence=e["licence"],
        citation=e["citation"],
    )
    return out


def _has_preamble(file: Path) -> bool:
    """True when ``file`` starts like a DICOM Part 10 file: 128 bytes, then ``DICM``."""
    with open(file, "rb") as f:
        return f.read(132)[128:] == b"DICM"


def _read_dicom(file: Path):
    import pydicom
    from pydicom.errors import InvalidDicomError

    if not file.is_file():
        raise DataNotFoundError(
            f"{file} not found"
            + (" (it is a folder: use load_ct_series)" if file.is_dir() else "")
            + ": check the path, or pass a registered name (`python -m helpers.data "
            "list`)."
        )
    try:
        ds = pydicom.dcmread(file)
    except InvalidDicomError:
        raise BadFileError(
            f"{file} is not a DICOM file (no DICM preamble or readable header)."
        ) from None
    except Exception as err:
        raise BadFileError(
            f"{file} could not be read as DICOM ({type(err).__name__}); it may be "
            "truncated: "
            f"copy or download it again."
        ) from None
    if "PixelData" not in ds:
        sop = ds.get("SOPClassUID") or ds.file_meta.get("MediaStorageSOPClassUID")
        if len(ds) == 0 or "Image Storage" in getattr(
            sop, "name", ""
        ):  # an image class must carry pixel data
            raise BadFileError(
                f"{file} is truncated: it ends after {file.stat().st_size:,} "
                "bytes, before its pixel "
                f"data. Copy or download it again."
            )
        raise BadFileError(
            f"{file} is a DICOM file without an image (Modality "
            f"{ds.get('Modality', '?')}, "
            f"SOP class {getattr(sop, 'name', sop)})."
        )
    return ds


def _pixels(ds, file: Path) -> np.ndarray:
    try:
        return ds.pixel_array
    except Exception as err:
        raise BadFileError(
            f"{file}: its pixel data cannot be decoded ({type(err).__name__}: {err}); "
            f"the file may be truncated."
        ) from None


def safe_metadata(ds) -> dict:
    """Technical header fields only: no names, IDs, dates, UIDs or free text about
    the patient."""
    meta = {}
    for key in SAFE_DICOM_FIELDS:
        value = ds.get(key)
        if value is None or value == "":
            continue
        if hasattr(value, "__iter__") and not isinstance(value, (str, bytes)):
            value = [float(v) for v in value]
        elif isinstance(value, int):  # includes pydicom's IS
            value = int(value)
        elif isinstance(value, float) or type(value).__name__ in (
            "DSfloat",
            "DSdecimal",
        ):
            value = float(value)
        else:
            value = str(value)
        meta[key] = value
    meta["TransferSyntax"] = (
        ds.file_meta.TransferSyntaxUID.name
        if "TransferSyntaxUID" in ds.file_meta
        else "?"
    )
    return meta


def header_table(ds, keywords=None):
    """Tag, VR, keyword and value of the named header elements as a pandas DataFrame;
    technical fields only.

    ``keywords`` defaults to ``SAFE_DICOM_FIELDS``; absent elements are skipped. A
    keyword outside ``SAFE_DICOM_FIELDS`` and ``TECHNICAL_DICOM_FIELDS``
    (names, dates, IDs, UIDs of a study, free text) raises ``ValueError``, so that
    identifiers are never shown by accident. Long values (pixel data) are summarised.
    """
    import pandas as pd
    from pydicom.datadict import tag_for_keyword

    rows = []
    for keyword in keywords or SAFE_DICOM_FIELDS:
        if tag_for_keyword(keyword) is None:
            raise ValueError(f"{keyword!r} is not a DICOM keyword.")
        if keyword not in SAFE_DICOM_FIELDS and keyword not in TECHNICAL_DICOM_FIELDS:
            raise ValueError(
                f"{keyword} is not on the book's list of technical header fields; "
                "it may identify a "
                f"patient, a study or an institution and is not shown."
            )
        if keyword not in ds:
            continue
        element = ds[keyword]
        value = element.value
        if isinstance(value, bytes):
            value = f"<{len(value)} bytes>"
        elif element.VR == "SQ":
            value = f"<sequence of {len(value)} item(s)>"
        elif element.VR == "UI" and value.name != str(value):
            value = f"{value} ({value.name})"
        rows.append(
            {
                "tag": f"({element.tag.group:04X},{element.tag.element:04X})",
                "VR": element.VR,
                "keyword": keyword,
                "value": str(value)[:72],
            }
        )
    return pd.DataFrame(rows, columns=["tag", "VR", "keyword", "value"])


def load_dicom_image(source) -> tuple[np.ndarray, dict]:
    """A single DICOM image as float32 after the modality LUT (HU for CT), and its safe
    metadata.

    ``source`` is a registry name (e.g. ``"cr_chest"``) or a file path. MONOCHROME1
    images (where high values are dark) are returned as stored;
    ``meta["PhotometricInterpretation"]`` says so, so display code can invert them.
    """
    from pydicom.pixels import apply_modality_lut

    file = (
        path(source) if isinstance(source, str) and source in REGISTRY else Path(source)
    )
    ds = _read_dicom(file)
    pixels = _pixels(ds, file)
    image = (
        pixels
        if ds.get("PhotometricInterpretation", "").startswith(("RGB", "YBR", "PALETTE"))
        else apply_modality_lut(pixels, ds)
    )
    return np.asarray(image, dtype=np.float32), safe_metadata(ds)


@dataclass
class CTVolume:
    """A CT series as a volume: ``hu`` (D, H, W) float32 Hounsfield units,
    ``spacing_mm`` (dz, dy, dx)."""

    hu: np.ndarray
    spacing_mm: tuple
    z_mm: np.ndarray
    meta: dict = field(default_factory=dict)


SERIES_KEYS = (
    "SeriesInstanceUID",
    "Rows",
    "Columns",
    "PixelSpacing",
    "ImageOrientationPatient",
)  # equal on every slice


def _series_files(folder: Path) -> list[Path]:
    """The DICOM files of a series folder: ``*.dcm``, or else every file that starts
    with the DICM preamble."""
    if not folder.exists():
        raise DataNotFoundError(
            f"{folder} does not exist: pass the folder that holds the series' "
            "slices, or a "
            f"registered name (`python -m helpers.data list`)."
        )
    if not folder.is_dir():
        raise SeriesError(
            f"{folder} is a file, not a folder: pass the folder that holds the "
            "series, or read one "
            f"file with load_dicom_image."
        )
    files = sorted(folder.glob("*.dcm"))
    if not files:  # DICOM files often come without a suffix
        files = sorted(
            f
            for f in folder.iterdir()
            if f.is_file() and f.name != "DICOMDIR" and _has_preamble(f)
        )
    if not files:
        raise SeriesError(
            f"{folder} holds no DICOM files (no .dcm file and no file with the "
            "DICM preamble): pass "
            f"the folder that holds the slices."
        )
    return files


def _header_value(ds, key):
    """A header value in a form that compares equal across slices (numbers rounded to
    4 decimals)."""
    value = ds.get(key)
    if hasattr(value, "__iter__") and not isinstance(value, (str, bytes)):
        return tuple(round(float(v), 4) for v in value)
    return str(value)


def _check_series(folder: Path, datasets: list) -> None:
    """Raise SeriesError unless every slice is CT, can be placed in space and shares
    the first slice's geometry."""
    first_file, first = datasets[0]
    for f, ds in datasets:
        if ds.get("Modality") != "CT":
            raise SeriesError(
                f"{f} is a {ds.get('Modality')} image, not CT: Hounsfield units "
                "apply to CT only; keep "
                f"only the CT series' slices in {folder}."
            )
        for key in ("ImagePositionPatient", "ImageOrientationPatient", "PixelSpacing"):
            if key not in ds:
                raise SeriesError(
                    f"{f} has no {key}, so it cannot be placed in the volume: it "
                    "is not a slice of a "
                    f"CT series, or its header was stripped; remove it from {folder}."
                )
    for key in SERIES_KEYS:
        want = _header_value(first, key)
        for f, ds in datasets[1:]:
            if _header_value(ds, key) != want:
                raise SeriesError(
                    f"{folder} mixes different {key} values: {f.name} has "
                    f"{_header_value(ds, key)}, "
                    f"{first_file.name} has {want}; put one series per folder."
                )


def load_ct_series(folder, padding_hu: float | None = -1024.0) -> CTVolume:
    """Read every DICOM file in ``folder`` (or a registry name) as one CT volume sorted
    by slice position.

    The files are the folder's ``*.dcm`` files, or, where there are none, every file
    that starts with the DICM preamble. Pixels outside the scanner's field of view (the
    header's PixelPaddingValue) are set to ``padding_hu`` (air; ``None`` keeps the
    stored value, -3024 HU for this GE series). Rejects non-DICOM, truncated or
    image-less files, a slice that is not CT or differs from the first in series, size,
    pixel spacing or orientation, slices without a position, duplicate positions and
    gaps.
    """
    if isinstance(folder, str) and folder in REGISTRY:
        folder = path(folder)
    folder = Path(folder)
    datasets = [(f, _read_dicom(f)) for f in _series_files(folder)]
    _check_series(folder, datasets)
    first = datasets[0][1]
    orientation = np.array([float(v) for v in first.ImageOrientationPatient])
    normal = np.cross(orientation[:3], orientation[3:])
    z = np.array(
        [
            np.dot(normal, [float(v) for v in ds.ImagePositionPatient])
            for _, ds in datasets
        ]
    )
    order = np.argsort(z)[::-1]  # head first: superior (larger z) at index 0
    datasets, z = [datasets[i] for i in order], z[order]
    steps = np.abs(np.diff(z))
    if len(steps):
        if steps.min() < 1e-3:
            raise SeriesError(
                f"{folder}: two slices share the position z = "
                f"{z[np.argmin(steps) + 1]:.2f} mm "
                f"(duplicate files or two series)."
            )
        step = float(np.median(steps))
        gaps = np.nonzero(steps > 1.5 * step)[0]
        if len(gaps):
            i = gaps[0]
            raise SeriesError(
                f"{folder}: gap of {steps[i]:.2f} mm between {datasets[i][0].name} and "
                f"{datasets[i + 1][0].name} where {step:.2f} mm is expected: "
                "slices are missing."
            )
    else:
        step = float(first.get("SliceThickness", 1.0))
    hu = np.empty(
        (len(datasets), int(first.Rows), int(first.Columns)), dtype=np.float32
    )
    for i, (f, ds) in enumerate(datasets):
        raw = _pixels(ds, f)
        hu[i] = raw * float(ds.get("RescaleSlope", 1)) + float(
            ds.get("RescaleIntercept", 0)
        )
        if padding_hu is not None and ds.get("PixelPaddingValue") is not None:
            hu[i][raw == int(ds.PixelPaddingValue)] = padding_hu
    dy, dx = (float(v) for v in first.PixelSpacing)
    meta = safe_metadata(first)
    meta["n_slices"] = len(datasets)
    if first.get("PixelPaddingValue") is not None:
        meta["PixelPaddingValue"] = int(first.PixelPaddingValue)
    return CTVolume(hu=hu, spacing_mm=(round(step, 4), dy, dx), z_mm=z, meta=meta)


def to_float(images: np.ndarray) -> np.ndarray:
    """uint8 images (N, H, W[, D][, C]) as float32 in [0, 1], with a trailing channel
    axis added to grey images."""
    images = np.asarray(images)
    if images.dtype != np.uint8:
        raise BadFileError(
            f"expected uint8 images as stored by MedMNIST, got {images.dtype}."
        )
    x = images.astype(np.float32) / 255.0
    return x if x.shape[-1] == 3 else x[..., None]


def as_input(images) -> np.ndarray:
    """Images or volumes as a model takes them: uint8 through ``to_float``; float
    arrays as float32, unchanged."""
    images = np.asarray(images)
    return to_float(images) if images.dtype == np.uint8 else images.astype(np.float32)


def describe(name: str) -> str:
    """One line about a registered dataset: what, licence, where it comes from."""
    e = entry(name)
    return (
        f"{name}: {e['source']} | licence {e['licence']} | "
        f"{e.get('url') or e.get('landing') or e.get('package')}"
    )


def main(argv=None) -> int:
    """``list`` every registered file, or ``fetch`` some into the cache."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m helpers.data", description=__doc__.splitlines()[0]
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="list every registered dataset")
    fetch = sub.add_parser("fetch", help="download and verify datasets ahead of time")
    fetch.add_argument("names", nargs="*")
    fetch.add_argument(
        "--all", action="store_true", help="every file that has a direct download"
    )
    args = parser.parse_args(argv)
    if args.command == "fetch" and not (args.names or args.all):
        parser.error("name the datasets to fetch, or pass --all")
    try:
        if args.command == "list":
            for name in REGISTRY:
                print(describe(name))
        else:
            names = args.names or [
                n
                for n, e in REGISTRY.items()
                if e.get("url") or e["kind"] == "pydicom_testdata"
            ]
            for name in names:
                print(f"{name}: {path(name)}")
    except DataError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
