"""helpers.data: the registry, lookup, hash checks, downloads (from a local server), loaders and every error."""
import functools
import hashlib
import http.server
import io
import json
import os
import shutil
import threading
import zipfile
from pathlib import Path

import numpy as np
import pydicom
import pytest

from helpers import data

SHARED = Path(os.environ.get("MEDIMG_DATA_DIR", ""))
CT_FULL = SHARED / "DICOM_CT_ACRIN-FLT-Breast_001"
needs_shared = pytest.mark.skipif(not (SHARED / "MedMNIST" / "breastmnist.npz").is_file() and not os.environ.get("CI"),
                                  reason="MEDIMG_DATA_DIR with the shared data is not set (CI always has it)")


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """An empty data folder and an empty cache, so only what a test puts there can be found."""
    monkeypatch.setenv("MEDIMG_DATA_DIR", str(tmp_path / "datadir"))
    monkeypatch.setenv("MEDIMG_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "datadir").mkdir()
    return tmp_path


@pytest.fixture
def server(tmp_path):
    """A local HTTP server on 127.0.0.1 serving a folder; yields (folder, base_url)."""
    root = tmp_path / "served"
    root.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *args: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_registry_is_complete():
    for name, e in data.REGISTRY.items():
        assert e["licence"] and e["citation"] and e["source"], name
        if e["kind"] == "medmnist":
            assert e["url"].startswith("https://zenodo.org/records/10519652/files/"), name
            assert e["hash"].startswith("md5:") and len(e["hash"]) == 36, name
            assert e["labels"], name
        elif e["kind"] == "dicom_series":
            assert all(h.startswith("sha256:") for h in e["files"].values()), name
        else:
            assert e["hash"].startswith("sha256:"), name
    medmnist = [n for n, e in data.REGISTRY.items() if e["kind"] == "medmnist"]
    assert len(medmnist) == 19  # 18 subsets at 28 px + adrenalmnist3d_64
    assert data.REGISTRY["breastmnist"]["labels"] == ["malignant", "normal, benign"]


def test_committed_ct_subset_matches_registry():
    entry = data.entry("ct_acrin_flt_breast_001")
    folder = data.REPO_DATA_DIR / entry["folder"]
    assert sorted(p.name for p in folder.glob("*.dcm")) == sorted(entry["files"])
    assert sum(p.stat().st_size for p in folder.glob("*.dcm")) < 20e6


def test_unknown_name_suggests_close_names():
    with pytest.raises(data.DataError, match="unknown dataset 'breastmnst'.*breastmnist"):
        data.path("breastmnst")


@needs_shared
def test_medmnist_from_data_dir():
    d = data.load_medmnist("breastmnist")
    assert d["train_images"].shape == (546, 28, 28) and d["test_labels"].shape == (156, 1)
    assert d["label_names"] == ["malignant", "normal, benign"] and d["licence"] == "CC BY 4.0"
    assert d["train_images"].dtype == np.uint8


@needs_shared
def test_medmnist_64_and_3d():
    d = data.load_medmnist("adrenalmnist3d", size=64)
    assert d["train_images"].shape[1:] == (64, 64, 64)


def test_offline_and_absent_names_file_url_and_variable(isolated, monkeypatch):
    monkeypatch.setitem(data.REGISTRY["breastmnist"], "url", "http://127.0.0.1:9/breastmnist.npz")  # nothing listens
    with pytest.raises(data.DataNotFoundError) as err:
        data.path("breastmnist")
    message = str(err.value)
    assert "breastmnist.npz" in message and "127.0.0.1:9" in message and "MEDIMG_DATA_DIR" in message
    assert "\n" not in message


@needs_shared
def test_wrong_hash_local_file_is_refused_and_left_alone(isolated):
    bad = isolated / "datadir" / "breastmnist.npz"
    shutil.copy(SHARED / "MedMNIST" / "breastmnist.npz", bad)
    with open(bad, "r+b") as f:
        f.seek(500)
        f.write(b"\xff\xff")
    before = bad.read_bytes()
    with pytest.raises(data.ChecksumError, match="corrupt, truncated or altered"):
        data.load_medmnist("breastmnist")
    assert bad.read_bytes() == before  # never deleted or rewritten


@needs_shared
def test_download_from_local_server_then_cached(isolated, server, monkeypatch):
    root, base = server
    shutil.copy(SHARED / "MedMNIST" / "breastmnist.npz", root / "breastmnist.npz")
    monkeypatch.setitem(data.REGISTRY["breastmnist"], "url", f"{base}/breastmnist.npz")
    got = data.path("breastmnist")
    assert got == isolated / "cache" / "breastmnist.npz"
    assert data.file_hash(got, "md5") == data.REGISTRY["breastmnist"]["hash"][4:]
    (root / "breastmnist.npz").unlink()  # the second call must not need the server
    assert data.load_medmnist("breastmnist")["train_images"].shape == (546, 28, 28)


@needs_shared
def test_download_with_wrong_hash_is_refused(isolated, server, monkeypatch):
    root, base = server
    shutil.copy(SHARED / "MedMNIST" / "retinamnist.npz", root / "breastmnist.npz")  # the server sends another file
    monkeypatch.setitem(data.REGISTRY["breastmnist"], "url", f"{base}/breastmnist.npz")
    with pytest.raises(data.ChecksumError, match="does not match the registered md5"):
        data.path("breastmnist")
    assert not (isolated / "cache" / "breastmnist.npz").exists()


def test_series_download_from_local_server(isolated, server, monkeypatch):
    root, base = server
    entry = data.entry("ct_acrin_flt_breast_001")
    names = sorted(entry["files"])[:3]
    (root / "ct").mkdir()
    for name in names:
        shutil.copy(data.REPO_DATA_DIR / entry["folder"] / name, root / "ct" / name)
    small = dict(entry, url=f"{base}/ct/", files={n: entry["files"][n] for n in names}, folder="ct_download_test")
    monkeypatch.setitem(data.REGISTRY, "ct_test", small)
    folder = data.path("ct_test")
    assert folder == isolated / "cache" / "ct_download_test"
    assert data.load_ct_series(folder).hu.shape == (3, 512, 512)


def _npz_bytes(**arrays):
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def test_pickled_npz_is_refused(tmp_path):
    file = tmp_path / "evil.npz"
    file.write_bytes(_npz_bytes(train_images=np.array([{"a": 1}], dtype=object)))
    with pytest.raises(data.BadFileError, match="pickled Python objects"):
        data.load_npz(file)


def test_malformed_npz_is_refused(tmp_path):
    file = tmp_path / "broken.npz"
    file.write_bytes(_npz_bytes(x=np.zeros(1000))[:200])
    with pytest.raises(data.BadFileError, match="not a valid .npz"):
        data.load_npz(file)
    text = tmp_path / "text.npz"
    text.write_text("hello")
    with pytest.raises(data.BadFileError):
        data.load_npz(text)


def test_medmnist_with_wrong_shapes_is_refused(isolated, monkeypatch):
    arrays = {k: np.zeros((4, 28, 28) if "images" in k else (4, 1), np.uint8) for k in data.MEDMNIST_KEYS}
    arrays["val_labels"] = np.zeros((3, 1), np.uint8)
    blob = _npz_bytes(**arrays)
    (isolated / "datadir" / "breastmnist.npz").write_bytes(blob)
    monkeypatch.setitem(data.REGISTRY["breastmnist"], "hash", "md5:" + hashlib.md5(blob).hexdigest())
    with pytest.raises(data.BadFileError, match="val_images .* does not match val_labels"):
        data.load_medmnist("breastmnist")


def test_to_float_adds_channel_and_scales():
    x = data.to_float(np.full((2, 28, 28), 255, np.uint8))
    assert x.shape == (2, 28, 28, 1) and x.dtype == np.float32 and x.max() == 1.0
    assert data.to_float(np.zeros((2, 28, 28, 3), np.uint8)).shape == (2, 28, 28, 3)
    with pytest.raises(data.BadFileError):
        data.to_float(np.zeros((2, 28, 28), np.float32))


# --- DICOM ---------------------------------------------------------------------------------------------------------

def _subset_copy(tmp_path, n=6):
    folder = tmp_path / "series"
    folder.mkdir()
    source = data.path("ct_acrin_flt_breast_001")
    for f in sorted(source.glob("*.dcm"))[:n]:
        shutil.copy(f, folder / f.name)
    return folder


def test_committed_ct_subset_loads():
    ct = data.load_ct_series("ct_acrin_flt_breast_001")
    assert ct.hu.shape == (36, 512, 512) and ct.hu.dtype == np.float32
    assert ct.spacing_mm == (4.25, 0.976562, 0.976562)
    assert np.all(np.diff(ct.z_mm) < 0)  # head first
    assert ct.hu.min() >= -1024 and -1100 < np.percentile(ct.hu, 5) < -900  # air; padding set to -1024
    raw = data.load_ct_series("ct_acrin_flt_breast_001", padding_hu=None)
    assert raw.hu.min() == -3024 and ct.meta["PixelPaddingValue"] == -2000
    body = ct.hu[ct.hu > -300]
    assert -100 < np.median(body) < 150  # soft tissue
    assert "PatientName" not in ct.meta and "PatientID" not in ct.meta and ct.meta["n_slices"] == 36


@pytest.mark.skipif(not CT_FULL.is_dir() and not os.environ.get("CI"), reason="full series only in MEDIMG_DATA_DIR")
def test_full_ct_series_loads():
    ct = data.load_ct_series(data.path("ct_acrin_flt_breast_001_full"))
    assert ct.hu.shape == (99, 512, 512)
    assert ct.spacing_mm == (4.25, 0.976562, 0.976562)
    assert ct.hu.min() >= -1024 and ct.hu.max() <= 3071
    assert ct.z_mm[0] == pytest.approx(41.5) and ct.z_mm[-1] == pytest.approx(41.5 - 98 * 4.25)


def test_full_series_absent_explains_where_to_get_it(isolated):
    with pytest.raises(data.DataNotFoundError, match="cancerimagingarchive.*MEDIMG_DATA_DIR"):
        data.path("ct_acrin_flt_breast_001_full")


def test_gappy_series_is_refused(tmp_path):
    folder = _subset_copy(tmp_path)
    sorted(folder.glob("*.dcm"))[3].unlink()
    with pytest.raises(data.SeriesError, match="gap of 8.50 mm .* slices are missing"):
        data.load_ct_series(folder)


def test_mixed_series_is_refused(tmp_path):
    folder = _subset_copy(tmp_path)
    file = sorted(folder.glob("*.dcm"))[0]
    ds = pydicom.dcmread(file)
    ds.SeriesInstanceUID = pydicom.uid.generate_uid()
    ds.save_as(file)
    with pytest.raises(data.SeriesError, match="mixes 2 different SeriesInstanceUID"):
        data.load_ct_series(folder)


def test_duplicate_slice_is_refused(tmp_path):
    folder = _subset_copy(tmp_path)
    first = sorted(folder.glob("*.dcm"))[0]
    shutil.copy(first, folder / "copy.dcm")
    with pytest.raises(data.SeriesError, match="share the position"):
        data.load_ct_series(folder)


def test_truncated_dicom_is_refused(tmp_path):
    folder = _subset_copy(tmp_path, n=2)
    file = sorted(folder.glob("*.dcm"))[1]
    file.write_bytes(file.read_bytes()[:300_000])
    with pytest.raises(data.BadFileError, match="truncated"):
        data.load_ct_series(folder)


def test_non_dicom_file_is_refused(tmp_path):
    folder = _subset_copy(tmp_path, n=2)
    (folder / "notes.dcm").write_text("not an image")
    with pytest.raises(data.BadFileError, match="not a DICOM file"):
        data.load_ct_series(folder)


def test_image_less_dicom_is_refused():
    with pytest.raises(data.BadFileError, match="without an image"):
        data.load_dicom_image(data.path("waveform_ecg"))


def test_non_ct_series_is_refused(tmp_path):
    folder = tmp_path / "mr"
    folder.mkdir()
    shutil.copy(data.path("mr_small"), folder / "a.dcm")
    with pytest.raises(data.SeriesError, match="not CT"):
        data.load_ct_series(folder)


def test_empty_folder_is_refused(tmp_path):
    with pytest.raises(data.SeriesError, match="no .dcm files"):
        data.load_ct_series(tmp_path)


def test_pydicom_examples_load_with_safe_metadata():
    image, meta = data.load_dicom_image("cr_chest")
    assert image.shape == (1955, 1841) and meta["PhotometricInterpretation"] == "MONOCHROME1"
    assert meta["Modality"] == "CR" and meta["Rows"] == 1955
    image, meta = data.load_dicom_image("us_rgb")
    assert image.shape == (480, 640, 3)
    ct, meta = data.load_dicom_image("ct_small")
    assert ct.shape == (128, 128) and -1100 < ct.min() and ct.max() < 3100
    for forbidden in ("PatientName", "PatientID", "PatientBirthDate", "StudyDate", "StudyInstanceUID"):
        assert forbidden not in meta


def test_errors_render_as_one_line_in_ipython():
    err = data.DataError("something is wrong")
    assert err._render_traceback_() == ["DataError: something is wrong"]


def test_cli_list_and_fetch(capsys):
    assert data.main(["list"]) == 0
    out = capsys.readouterr().out
    assert "breastmnist" in out and "CC BY 4.0" in out
    assert data.main(["fetch", "cr_tibia"]) == 0
    assert "cr_tibia" in capsys.readouterr().out
    assert data.main(["fetch", "no_such_thing"]) == 2
    assert "unknown dataset" in capsys.readouterr().err
