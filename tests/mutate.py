"""Mutation check of the unit tests: apply one small, realistic bug at a time to a copy of src/helpers, run the tests
that claim to guard that code, and report whether they caught it (a test failed) or missed it.

Usage: .venv/bin/python tests/mutate.py [-k SUBSTRING]
The real files are never modified: each mutation is applied by text replacement to a fresh copy of src/helpers in a
temporary folder (with the repository's data/ beside it, as in a clone), and pytest runs with PYTHONPATH pointing at
that copy. First the same tests run on the unmutated copy: they must pass, or the table means nothing.
Exit status: 0 when every mutation is caught.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# (what the bug is, file in src/helpers, text to replace (must occur once), replacement, pytest arguments)
MUTATIONS = [
    ("_series_folder skips the hash check of a local series", "data.py",
     "        if all((folder / f).is_file() for f in files):\n            for f, h in files.items():\n"
     "                verify(folder / f, h, name)\n",
     "        if all((folder / f).is_file() for f in files):\n", ["tests/test_data.py", "-k", "tampered"]),
    ("lookup order: cache before MEDIMG_DATA_DIR", "data.py",
     "return [d / relative for d in dirs]", "return [d / relative for d in dirs[::-1]]",
     ["tests/test_data.py", "-k", "lookup_order"]),
    ("a local file's hash is not checked", "data.py",
     'return verify(candidate, e["hash"], name)', "return candidate",
     ["tests/test_data.py", "-k", "wrong_hash_local"]),
    ("np.load with allow_pickle=True", "data.py",
     "np.load(file, allow_pickle=False)", "np.load(file, allow_pickle=True)", ["tests/test_data.py", "-k", "pickled"]),
    ("HU rescale: intercept subtracted", "data.py",
     '+ float(ds.get("RescaleIntercept", 0))', '- float(ds.get("RescaleIntercept", 0))',
     ["tests/test_data.py", "-k", "committed_ct_subset_loads"]),
    ("slice order: feet first", "data.py",
     "order = np.argsort(z)[::-1]", "order = np.argsort(z)", ["tests/test_data.py", "-k", "committed_ct_subset_loads"]),
    ("series geometry checked on the first slice only", "data.py",
     "        for f, ds in datasets[1:]:\n", "        for f, ds in datasets[:1]:\n",
     ["tests/test_data.py", "-k", "later_slice"]),
    ("modality checked on the first slice only", "data.py",
     '    for f, ds in datasets:\n        if ds.get("Modality") != "CT":',
     '    for f, ds in datasets[:1]:\n        if ds.get("Modality") != "CT":', ["tests/test_data.py", "-k", "later_slice"]),
    ("slice without position: no check (raw AttributeError)", "data.py",
     '        for key in ("ImagePositionPatient", "ImageOrientationPatient", "PixelSpacing"):',
     '        for key in ():', ["tests/test_data.py", "-k", "without_position"]),
    ("truncated DICOM reported as 'without an image'", "data.py",
     'if len(ds) == 0 or "Image Storage" in getattr(sop, "name", ""):', "if False:",
     ["tests/test_data.py", "-k", "truncated_dicom_header"]),
    ("a .npy renamed .npz: no check", "data.py",
     'if f.read(6) == b"\\x93NUMPY":', "if False:", ["tests/test_data.py", "-k", "npy_with_an_npz_name"]),
    ("a zip with a non-.npy member accepted", "data.py",
     'other = [n for n in archive.namelist() if not n.endswith(".npy")]', "other = []",
     ["tests/test_data.py", "-k", "non_npy_member"]),
    ("HTTP status code dropped from the message", "data.py",
     'status = f"HTTP {err.response.status_code} {err.response.reason}"', 'status = "an error"',
     ["tests/test_data.py", "-k", "http_errors"]),
    ("MEDIMG_MIRROR ignored", "data.py",
     "return f\"{mirror.rstrip('/')}/{relative}\" if mirror else url", "return url",
     ["tests/test_data.py", "-k", "mirror"]),
    ("one pooch progress bar per slice", "data.py",
     "name, progressbar=False)", "name, progressbar=True)", ["tests/test_data.py", "-k", "one_progress_bar"]),
    ("read-only cache reported as a failed download", "data.py",
     "    except OSError as err:  # pooch could not write into the cache folder\n",
     "    except ZeroDivisionError as err:\n", ["tests/test_data.py", "-k", "read_only_cache"]),
    ("PPV / NPV denominators swapped", "metrics.py",
     '"ppv": ratio(tp, fp), "npv": ratio(tn, fn)', '"ppv": ratio(tp, fn), "npv": ratio(tn, fp)',
     ["tests/test_metrics.py", "-k", "binary_scores"]),
    ("binary AUC on the wrong column", "metrics.py",
     "score = probs[:, 1]", "score = probs[:, 0]", ["tests/test_metrics.py", "-k", "medmnist"]),
    ("compare_with_committed: one side only (higher accepted)", "metrics.py",
     "assert abs(seed0_test_auc - stored) <= tolerance", "assert stored - seed0_test_auc <= tolerance",
     ["tests/test_metrics.py", "-k", "compare_with_committed"]),
    ("compare_with_committed: one side only (lower accepted)", "metrics.py",
     "assert abs(seed0_test_auc - stored) <= tolerance", "assert seed0_test_auc - stored <= tolerance",
     ["tests/test_metrics.py", "-k", "compare_with_committed"]),
    ("compare_with_committed: uses runs[-1]", "metrics.py",
     'stored = seed0[0]["test_auc"]', 'stored = committed["runs"][-1]["test_auc"]',
     ["tests/test_metrics.py", "-k", "compare_with_committed"]),
    ("compare_with_committed: uses runs[0] whatever its seed", "metrics.py",
     'stored = seed0[0]["test_auc"]', 'stored = committed["runs"][0]["test_auc"]',
     ["tests/test_metrics.py", "-k", "compare_with_committed"]),
    ("results outside the package (repository root)", "metrics.py",
     'RESULTS_DIR = Path(__file__).resolve().with_name("results")',
     'RESULTS_DIR = Path(__file__).resolve().parents[2] / "results"', ["tests/test_metrics.py", "-k", "ship_inside"]),
    ("Grad-CAM weights negated", "explain.py",
     "weights = tf.reduce_mean(grads, axis=(1, 2), keepdims=True)",
     "weights = -tf.reduce_mean(grads, axis=(1, 2), keepdims=True)", ["tests/test_explain.py", "-k", "grad_cam"]),
    ("Grad-CAM weights averaged over the batch", "explain.py",
     "weights = tf.reduce_mean(grads, axis=(1, 2), keepdims=True)",
     "weights = tf.reduce_mean(grads, axis=(0, 1, 2), keepdims=True)", ["tests/test_explain.py", "-k", "grad_cam"]),
    ("Grad-CAM abs instead of ReLU", "explain.py",
     "cam = tf.nn.relu(tf.reduce_sum(", "cam = tf.abs(tf.reduce_sum(", ["tests/test_explain.py", "-k", "grad_cam"]),
    ("window off by one (level - width)", "plots.py",
     "low = level - width / 2", "low = level - width / 2 + 1", ["tests/test_imaging.py", "tests/test_volumes.py"]),
    ("3D rotation in the (H, W) plane instead of (D, W)", "volumes.py",
     "volume = tf.transpose(tf.image.rot90(tf.transpose(volume, [1, 2, 0, 3]), k), [2, 0, 1, 3])",
     "volume = tf.image.rot90(volume, k)", ["tests/test_volumes.py", "-k", "flip_rotate"]),
    ("fit_3d reports the last epoch, not the best", "volumes.py",
     '"best_epoch": best.best_epoch + 1, "val_auc": float(best.best_auc)}',
     '"best_epoch": epochs, "val_auc": float(history.history["val_auc"][-1])}', ["tests/test_volumes.py", "-k", "fit_3d"]),
    ("enable_op_determinism() removed", "device.py",
     "    tf.config.experimental.enable_op_determinism()\n", "", ["tests/test_determinism.py"]),
    ("identifier scan: single-backslash Windows paths missed", "privacy.py",
     r'r"(?<![\w])[A-Za-z]:(?:\\{1,2}|/)', r'r"(?<![\w])[A-Za-z]:(?:\\{2}|/)',
     ["tests/test_privacy.py", "-k", "find_identifiers"]),
    ("identifier scan: pydicom header dump missed", "privacy.py",
     'rf"(?<!\\w)(?<!of )(?:{_HUMAN})[ \\t]+[A-Z]{{2}}:', 'rf"NEVER(?:{_HUMAN})[ \\t]+[A-Z]{{2}}:',
     ["tests/test_privacy.py", "-k", "find_identifiers"]),
    ("selection: the best candidate wins, ties ignored", "selection.py",
     'if c["val_auc_mean"] >= best - margin)', 'if c["val_auc_mean"] >= best)',
     ["tests/test_selection.py", "-k", "choose or run_scores"]),
    ("selection: the test split handed to the candidates", "selection.py",
     'if not k.startswith("test")}', "}", ["tests/test_selection.py", "-k", "without_test"]),
    ("selection: a log made with other candidates accepted", "selection.py",
     "if logged != _plain(candidates):", "if False:", ["tests/test_selection.py", "-k", "refuses"]),
    ("clean-subset AUC: all test images scored", "cases.py",
     "medmnist_auc_acc(task, y_test[clean], test_probs[clean])", "medmnist_auc_acc(task, y_test, test_probs)",
     ["tests/test_cases.py", "-k", "run_seeds"]),
]


def _copy(tmp: Path) -> Path:
    """A fresh copy of src/helpers beside a link to the repository's data/ (as in a clone); returns the src folder."""
    src = tmp / "src"
    if src.exists():
        shutil.rmtree(src)
    shutil.copytree(ROOT / "src" / "helpers", src / "helpers", ignore=shutil.ignore_patterns("__pycache__"))
    if not (tmp / "data").exists():
        (tmp / "data").symlink_to(ROOT / "data")
    return src


def _pytest(src: Path, args: list[str]) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(src), PYTHONDONTWRITEBYTECODE="1")
    check = subprocess.run([sys.executable, "-c", "import helpers; print(helpers.__file__)"], env=env, cwd=ROOT,
                           capture_output=True, text=True)
    assert check.stdout.strip().startswith(str(src)), f"the copy is not imported: {check.stdout}{check.stderr}"
    return subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *args], env=env,
                          cwd=ROOT, capture_output=True, text=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-k", default="", help="run only the mutations whose description contains this")
    chosen = [m for m in MUTATIONS if parser.parse_args().k.lower() in m[0].lower()]
    rows, missed, baselines = [], 0, {}
    with tempfile.TemporaryDirectory(prefix="mutate-") as tmp:
        tmp = Path(tmp)
        for label, file, old, new, args in chosen:
            src = _copy(tmp)
            target = src / "helpers" / file
            text = target.read_text()
            if text.count(old) != 1:
                rows.append((label, file, f"NOT APPLIED: the text occurs {text.count(old)} times"))
                missed += 1
                continue
            if tuple(args) not in baselines:  # the same tests on the unmutated copy, once per set of tests
                baselines[tuple(args)] = _pytest(src, args)
            if baselines[tuple(args)].returncode != 0:
                rows.append((label, file, "TESTS FAIL UNMUTATED: " + baselines[tuple(args)].stdout.strip().splitlines()[-1]))
                missed += 1
                continue
            target.write_text(text.replace(old, new))
            result = _pytest(src, args)
            caught = result.returncode == 1  # tests ran and failed (2-5: interrupted, usage or collection errors)
            missed += not caught
            rows.append((label, file, "caught" if caught else f"MISSED (pytest exit {result.returncode})"))
            print(f"{rows[-1][2]:8s} {label}", flush=True)
    width = max(len(r[0]) for r in rows)
    print(f"\n| {'mutation':{width}s} | file | result |\n|{'-' * (width + 2)}|---|---|")
    for label, file, result in rows:
        print(f"| {label:{width}s} | {file} | {result} |")
    print(f"\n{len(rows) - missed} of {len(rows)} mutations caught")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
