"""helpers.data: the registry, lookup, hash checks, downloads (from a local server),
loaders and every error."""

import functools
import hashlib
import http.server
import io
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import zipfile
from pathlib import Path

import numpy as np
import pydicom
import pytest

from helpers import data

SHARED = Path(os.environ.get("MEDIMG_DATA_DIR", ""))
CT_FULL = SHARED / "DICOM_CT_ACRIN-FLT-Breast_001"
needs_shared = pytest.mark.skipif(
    not (SHARED / "MedMNIST" / "breastmnist.npz").is_file()
    and not os.environ.get("CI"),
    reason="MEDIMG_DATA_DIR with the shared data is not set (CI always has it)",
)


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """An empty data folder and an empty cache, so only what a test puts there can be
    found."""
    monkeypatch.setenv("MEDIMG_DATA_DIR", str(tmp_path / "datadir"))
    monkeypatch.setenv("MEDIMG_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "datadir").mkdir()
    return tmp_path


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves files; ``/status/<code>/...`` answers with that HTTP error code
    instead."""

    def do_GET(self):
        if self.path.startswith("/status/"):
            self.send_error(int(self.path.split("/")[2]))
        else:
            super().do_GET()

    def log_message(self, *args):
        pass


@pytest.fixture
def server(tmp_path):
    """A local HTTP server on 127.0.0.1 serving a folder; yields (folder, base_url)."""
    root = tmp_path / "served"
    root.mkdir()
    handler = functools.partial(_Handler, directory=str(root))
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
            assert e["url"].startswith("https://zenodo.org/records/10519652/files/"), (
                name
            )
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
    with pytest.raises(
        data.DataError, match="unknown dataset 'breastmnst'.*breastmnist"
    ):
        data.path("breastmnst")


@needs_shared
def test_medmnist_from_data_dir():
    d = data.load_medmnist("breastmnist")
    assert d["train_images"].shape == (546, 28, 28) and d["test_labels"].shape == (
        156,
        1,
    )
    assert (
        d["label_names"] == ["malignant", "normal, benign"]
        and d["licence"] == "CC BY 4.0"
    )
    assert d["train_images"].dtype == np.uint8


@needs_shared
def test_medmnist_64_and_3d():
    d = data.load_medmnist("adrenalmnist3d", size=64)
    assert d["train_images"].shape[1:] == (64, 64, 64)


def test_offline_and_absent_names_file_url_and_variable(isolated, monkeypatch):
    monkeypatch.setitem(
        data.REGISTRY["breastmnist"], "url", "http://127.0.0.1:9/breastmnist.npz"
    )  # nothing listens
    with pytest.raises(data.DataNotFoundError) as err:
        data.path("breastmnist")
    message = str(err.value)
    assert (
        "breastmnist.npz" in message
        and "127.0.0.1:9" in message
        and "MEDIMG_DATA_DIR" in message
    )
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
    shutil.copy(
        SHARED / "MedMNIST" / "retinamnist.npz", root / "breastmnist.npz"
    )  # the server sends another file
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
    small = dict(
        entry,
        url=f"{base}/ct/",
        files={n: entry["files"][n] for n in names},
        folder="ct_download_test",
    )
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
    arrays = {
        k: np.zeros((4, 28, 28) if "images" in k else (4, 1), np.uint8)
        for k in data.MEDMNIST_KEYS
    }
    arrays["val_labels"] = np.zeros((3, 1), np.uint8)
    blob = _npz_bytes(**arrays)
    (isolated / "datadir" / "breastmnist.npz").write_bytes(blob)
    monkeypatch.setitem(
        data.REGISTRY["breastmnist"], "hash", "md5:" + hashlib.md5(blob).hexdigest()
    )
    with pytest.raises(
        data.BadFileError, match="val_images .* does not match val_labels"
    ):
        data.load_medmnist("breastmnist")


def test_to_float_adds_channel_and_scales():
    x = data.to_float(np.full((2, 28, 28), 255, np.uint8))
    assert x.shape == (2, 28, 28, 1) and x.dtype == np.float32 and x.max() == 1.0
    assert data.to_float(np.zeros((2, 28, 28, 3), np.uint8)).shape == (2, 28, 28, 3)
    with pytest.raises(data.BadFileError):
        data.to_float(np.zeros((2, 28, 28), np.float32))


# --- DICOM
# --------------------------------------------------------------------------------


def _subset_copy(tmp_path, n=6):
    folder = tmp_path / "series"
    folder.mkdir(parents=True)
    source = data.path("ct_acrin_flt_breast_001")
    for f in sorted(source.glob("*.dcm"))[:n]:
        shutil.copy(f, folder / f.name)
    return folder


def test_committed_ct_subset_loads():
    ct = data.load_ct_series("ct_acrin_flt_breast_001")
    assert ct.hu.shape == (36, 512, 512) and ct.hu.dtype == np.float32
    assert ct.spacing_mm == (4.25, 0.976562, 0.976562)
    assert np.all(np.diff(ct.z_mm) < 0)  # head first
    assert (
        ct.hu.min() >= -1024 and -1100 < np.percentile(ct.hu, 5) < -900
    )  # air; padding set to -1024
    raw = data.load_ct_series("ct_acrin_flt_breast_001", padding_hu=None)
    assert raw.hu.min() == -3024 and ct.meta["PixelPaddingValue"] == -2000
    body = ct.hu[ct.hu > -300]
    assert -100 < np.median(body) < 150  # soft tissue
    assert (
        "PatientName" not in ct.meta
        and "PatientID" not in ct.meta
        and ct.meta["n_slices"] == 36
    )


@pytest.mark.skipif(
    not CT_FULL.is_dir() and not os.environ.get("CI"),
    reason="full series only in MEDIMG_DATA_DIR",
)
def test_full_ct_series_loads():
    ct = data.load_ct_series(data.path("ct_acrin_flt_breast_001_full"))
    assert ct.hu.shape == (99, 512, 512)
    assert ct.spacing_mm == (4.25, 0.976562, 0.976562)
    assert ct.hu.min() >= -1024 and ct.hu.max() <= 3071
    assert ct.z_mm[0] == pytest.approx(41.5) and ct.z_mm[-1] == pytest.approx(
        41.5 - 98 * 4.25
    )


def test_full_series_absent_explains_where_to_get_it(isolated):
    with pytest.raises(
        data.DataNotFoundError, match="cancerimagingarchive.*MEDIMG_DATA_DIR"
    ):
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
    with pytest.raises(
        data.SeriesError, match="mixes different SeriesInstanceUID values: 1-"
    ):
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
    with pytest.raises(data.SeriesError, match="holds no DICOM files"):
        data.load_ct_series(tmp_path)


def test_pydicom_examples_load_with_safe_metadata():
    image, meta = data.load_dicom_image("cr_chest")
    assert (
        image.shape == (1955, 1841)
        and meta["PhotometricInterpretation"] == "MONOCHROME1"
    )
    assert meta["Modality"] == "CR" and meta["Rows"] == 1955
    image, meta = data.load_dicom_image("us_rgb")
    assert image.shape == (480, 640, 3)
    ct, meta = data.load_dicom_image("ct_small")
    assert ct.shape == (128, 128) and -1100 < ct.min() and ct.max() < 3100
    for forbidden in (
        "PatientName",
        "PatientID",
        "PatientBirthDate",
        "StudyDate",
        "StudyInstanceUID",
    ):
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


# --- lookup order, hash checks of local series, downloads: errors and the mirror
# ----------------------------------


def _toy_entry(
    monkeypatch, blob: bytes, url: str = "http://127.0.0.1:9/toy.npz"
) -> str:
    """Register a small file ``toy.npz`` holding ``blob``; returns its name."""
    e = {
        "kind": "file",
        "file": "toy.npz",
        "hash": "sha256:" + hashlib.sha256(blob).hexdigest(),
        "url": url,
        "licence": "CC0",
        "citation": "-",
        "source": "test",
    }
    monkeypatch.setitem(data.REGISTRY, "toy", e)
    return "toy"


def test_lookup_order_data_dir_then_repo_data_then_cache(isolated, monkeypatch):
    name = _toy_entry(monkeypatch, _npz_bytes(x=np.arange(3)))
    blob = _npz_bytes(x=np.arange(3))
    repo = isolated / "repo_data"
    monkeypatch.setattr(data, "REPO_DATA_DIR", repo)
    places = [
        isolated / "datadir",
        isolated / "datadir" / "MedMNIST",
        repo,
        isolated / "cache",
    ]
    for folder in places:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "toy.npz").write_bytes(blob)
    for folder in (
        places
    ):  # the same verified file in every place: the first place wins, then the next ...
        assert data.path(name) == folder / "toy.npz"
        (folder / "toy.npz").unlink()


def test_tampered_slice_in_a_local_copy_of_the_committed_series(isolated):
    entry = data.entry("ct_acrin_flt_breast_001")
    copy = isolated / "datadir" / entry["folder"]
    shutil.copytree(data.REPO_DATA_DIR / entry["folder"], copy)
    tampered = sorted(copy.glob("*.dcm"))[20]
    with open(tampered, "r+b") as f:
        f.seek(400_000)
        f.write(b"\x00\x10")  # two bytes of pixel data: still a readable DICOM file
    with pytest.raises(
        data.ChecksumError, match=f"{tampered.name}.*corrupt, truncated or altered"
    ):
        data.path("ct_acrin_flt_breast_001")
    # an incomplete copy is not used: the committed folder is found next
    tampered.unlink()
    assert data.path("ct_acrin_flt_breast_001") == data.REPO_DATA_DIR / entry["folder"]


def test_http_errors_name_the_status_code(isolated, server, monkeypatch):
    _, base = server
    for code, reason in ((404, "Not Found"), (500, "Internal Server Error")):
        name = _toy_entry(monkeypatch, b"x", url=f"{base}/status/{code}/toy.npz")
        with pytest.raises(
            data.DataNotFoundError,
            match=f"answered HTTP {code} {reason}.*MEDIMG_DATA_DIR",
        ) as err:
            data.path(name)
        assert "\n" not in str(err.value) and "toy.npz" in str(err.value)
    assert not list((isolated / "cache").glob("*"))  # nothing left in the cache


def test_mirror_replaces_the_official_url(isolated, server, monkeypatch):
    root, base = server
    blob = _npz_bytes(x=np.arange(5))
    (root / "toy.npz").write_bytes(blob)
    name = _toy_entry(monkeypatch, blob)  # the official URL: nothing listens there
    monkeypatch.setenv("MEDIMG_MIRROR", base + "/")
    assert data.path(name) == isolated / "cache" / "toy.npz"
    assert data.load_npz(data.path(name))["x"].tolist() == [0, 1, 2, 3, 4]
    monkeypatch.setenv("MEDIMG_MIRROR", base + "/status/404")
    (isolated / "cache" / "toy.npz").unlink()
    with pytest.raises(
        data.DataNotFoundError,
        match="status/404/toy.npz: the server answered HTTP 404.*MEDIMG_MIRROR",
    ):
        data.path(name)


def test_series_from_a_mirror_shows_one_progress_bar(
    isolated, server, monkeypatch, capfd
):
    root, base = server
    entry = data.entry("ct_acrin_flt_breast_001")
    names = sorted(entry["files"])[:3]
    small = dict(
        entry,
        url="http://127.0.0.1:9/ct/",
        files={n: entry["files"][n] for n in names},
        folder="ct_mirror_test",
    )
    (root / "ct_mirror_test").mkdir()
    for n in names:
        shutil.copy(
            data.REPO_DATA_DIR / entry["folder"] / n, root / "ct_mirror_test" / n
        )
    monkeypatch.setitem(data.REGISTRY, "ct_test", small)
    monkeypatch.setenv("MEDIMG_MIRROR", base)
    capfd.readouterr()
    assert data.path("ct_test") == isolated / "cache" / "ct_mirror_test"
    bars = [
        part
        for part in capfd.readouterr().err.replace("\r", "\n").splitlines()
        if "%|" in part
    ]
    assert bars and all(part.startswith("downloading ct_test") for part in bars), (
        bars
    )  # no per-file bars
    assert bars[-1].split("|")[2].strip().startswith("3/3")
    assert (
        data.path("ct_test") == isolated / "cache" / "ct_mirror_test"
    )  # the second time: local, no bar at all
    assert capfd.readouterr().err == ""


def _readonly_folder(tmp_path) -> Path:
    """A folder nobody can write into, not even root (tests often run as root, which
    ignores chmod)."""
    folder = tmp_path / "readonly"
    folder.mkdir()
    folder.chmod(0o555)
    for candidate in (folder, Path("/sys/fs")):  # sysfs refuses new files to root too
        try:
            with tempfile.NamedTemporaryFile(dir=candidate):
                pass
        except OSError:
            return candidate
    reason = "no read-only folder: running as root without a read-only /sys/fs"
    pytest.fail(reason) if os.environ.get("CI") else pytest.skip(reason)


def test_read_only_cache_names_medimg_cache_dir(isolated, server, monkeypatch):
    root, base = server
    blob = _npz_bytes(x=np.arange(2))
    (root / "toy.npz").write_bytes(blob)
    name = _toy_entry(monkeypatch, blob, url=f"{base}/toy.npz")
    readonly = _readonly_folder(isolated)
    monkeypatch.setenv("MEDIMG_CACHE_DIR", str(readonly))
    with pytest.raises(
        data.DataError, match=f"cache folder {readonly} is read-only.*MEDIMG_CACHE_DIR"
    ) as err:
        data.path(name)
    assert "\n" not in str(err.value) and "could not be downloaded" not in str(
        err.value
    )


def test_cache_that_cannot_be_created_one_line_error_and_cli(isolated, monkeypatch):
    blocker = isolated / "a_file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("MEDIMG_CACHE_DIR", str(blocker / "cache"))
    monkeypatch.setenv(
        "MEDIMG_MIRROR", "http://127.0.0.1:9"
    )  # never the network, whatever happens
    with pytest.raises(
        data.DataError,
        match="cache folder .*a_file/cache cannot be created.*MEDIMG_CACHE_DIR",
    ):
        data.path("breastmnist")
    run = subprocess.run(
        [sys.executable, "-m", "helpers.data", "fetch", "breastmnist"],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=120,
    )
    assert run.returncode == 2 and "Traceback" not in run.stderr, run.stderr
    assert (
        run.stderr.startswith("error: the cache folder") and run.stderr.count("\n") == 1
    ), run.stderr


# --- bad files
# --------------------------------------------------------------------------------


def test_npy_with_an_npz_name_is_refused(tmp_path):
    file = tmp_path / "renamed.npz"
    np.save(tmp_path / "renamed.npy", np.arange(3))
    (tmp_path / "renamed.npy").rename(file)
    with pytest.raises(
        data.BadFileError, match="renamed.npz is a single .npy array with an .npz name"
    ):
        data.load_npz(file)


def test_zip_with_a_non_npy_member_is_refused(tmp_path):
    file = tmp_path / "mixed.npz"
    with zipfile.ZipFile(file, "w") as archive:
        archive.writestr("train_images.npy", b"")
        archive.writestr("readme.txt", "hello")
    with pytest.raises(
        data.BadFileError,
        match="mixed.npz holds 'readme.txt', which is not a .npy array",
    ):
        data.load_npz(file)


def test_missing_npz_says_not_found(tmp_path):
    with pytest.raises(data.DataNotFoundError, match="absent.npz not found"):
        data.load_npz(tmp_path / "absent.npz")


@pytest.mark.parametrize("size", [132, 2000])
def test_truncated_dicom_header_says_truncated(tmp_path, size):
    file = tmp_path / "cut.dcm"
    source = sorted(data.path("ct_acrin_flt_breast_001").glob("*.dcm"))[0]
    file.write_bytes(source.read_bytes()[:size])
    for load in (data.load_dicom_image, data.load_ct_series):
        with pytest.raises(
            data.BadFileError,
            match=f"cut.dcm is truncated: it ends after {size:,} bytes",
        ) as err:
            load(file if load is data.load_dicom_image else tmp_path)
        assert "without an image" not in str(err.value)


def test_load_dicom_image_on_a_missing_path_says_not_found(tmp_path):
    with pytest.raises(
        data.DataNotFoundError, match="nothing.dcm not found: check the path"
    ) as err:
        data.load_dicom_image(tmp_path / "nothing.dcm")
    assert "truncated" not in str(err.value)
    with pytest.raises(
        data.DataNotFoundError, match="it is a folder: use load_ct_series"
    ):
        data.load_dicom_image(tmp_path)


def test_series_folder_missing_or_a_file(tmp_path):
    with pytest.raises(data.DataNotFoundError, match="absent does not exist"):
        data.load_ct_series(tmp_path / "absent")
    file = tmp_path / "one.dcm"
    shutil.copy(sorted(data.path("ct_acrin_flt_breast_001").glob("*.dcm"))[0], file)
    with pytest.raises(
        data.SeriesError, match="one.dcm is a file, not a folder.*load_dicom_image"
    ):
        data.load_ct_series(file)


def test_series_without_dcm_suffix_loads_by_its_preamble(tmp_path):
    folder = _subset_copy(tmp_path, n=4)
    for f in folder.glob("*.dcm"):
        f.rename(f.with_suffix(""))
    (folder / "README").write_text("not DICOM: ignored")
    expected = data.load_ct_series(_subset_copy(tmp_path / "b", n=4))
    got = data.load_ct_series(folder)
    assert got.hu.shape == (4, 512, 512) and np.array_equal(got.hu, expected.hu)


@pytest.mark.parametrize(
    "key, value",
    [
        ("PixelSpacing", [0.5, 0.5]),
        ("ImageOrientationPatient", [0, 1, 0, 1, 0, 0]),
        ("Modality", "MR"),
    ],
)
def test_a_later_slice_with_other_geometry_or_modality_is_refused(tmp_path, key, value):
    folder = _subset_copy(tmp_path)
    odd = sorted(folder.glob("*.dcm"))[4]  # not the first slice
    ds = pydicom.dcmread(odd)
    setattr(ds, key, value)
    ds.save_as(odd)
    match = (
        "is a MR image, not CT"
        if key == "Modality"
        else f"mixes different {key} values: {odd.name} has"
    )
    with pytest.raises(data.SeriesError, match=match) as err:
        data.load_ct_series(folder)
    assert odd.name in str(err.value)


@pytest.mark.parametrize("key", ["ImagePositionPatient", "ImageOrientationPatient"])
def test_a_slice_without_position_or_orientation_is_refused(tmp_path, key):
    folder = _subset_copy(tmp_path)
    odd = sorted(folder.glob("*.dcm"))[2]
    ds = pydicom.dcmread(odd)
    delattr(ds, key)
    ds.save_as(odd)
    with pytest.raises(
        data.SeriesError, match=f"{odd.name} has no {key}, so it cannot be placed"
    ):
        data.load_ct_series(folder)


def test_every_data_error_message_is_one_line(tmp_path):
    errors = []
    for call in (
        lambda: data.load_ct_series(tmp_path / "absent"),
        lambda: data.load_dicom_image(tmp_path / "x"),
        lambda: data.load_npz(tmp_path / "x.npz"),
        lambda: data.path("breastmnst"),
    ):
        with pytest.raises(data.DataError) as err:
            call()
        errors.append(str(err.value))
    assert all("\n" not in e and len(e) < 400 for e in errors), errors
