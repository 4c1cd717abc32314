"""Mutation check of the unit tests: apply one small, realistic bug at a time to a copy
of src/helpers, run the tests that claim to guard that code, and report whether they
caught it (a test failed) or missed it.

Usage: .venv/bin/python tests/mutate.py [-k SUBSTRING]
The real files are never modified: each mutation is applied by text replacement to a
fresh copy of src/helpers in a temporary folder (with links to the repository's data/
and pyproject.toml beside it, as in a clone), and pytest runs with PYTHONPATH pointing
at that copy. First the same tests run on the unmutated copy: they must pass, or the
table means nothing. Exit status: 0 when every mutation is caught.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# (what the bug is, file in src/helpers, text to replace (must occur once), replacement,
# pytest arguments)
MUTATIONS = [
    (
        "_series_folder skips the hash check of a local series",
        "data.py",
        "        if all((folder / f).is_file() for f in files):\n            for "
        "f, h in files.items():\n"
        "                verify(folder / f, h, name)\n",
        "        if all((folder / f).is_file() for f in files):\n",
        ["tests/test_data.py", "-k", "tampered"],
    ),
    (
        "lookup order: cache before MEDIMG_DATA_DIR",
        "data.py",
        "return [d / relative for d in dirs]",
        "return [d / relative for d in dirs[::-1]]",
        ["tests/test_data.py", "-k", "lookup_order"],
    ),
    (
        "a local file's hash is not checked",
        "data.py",
        'return verify(candidate, e["hash"], name)',
        "return candidate",
        ["tests/test_data.py", "-k", "wrong_hash_local"],
    ),
    (
        "np.load with allow_pickle=True",
        "data.py",
        "np.load(file, allow_pickle=False)",
        "np.load(file, allow_pickle=True)",
        ["tests/test_data.py", "-k", "pickled"],
    ),
    (
        "HU rescale: intercept subtracted",
        "data.py",
        'raw * float(ds.get("RescaleSlope", 1)) + float(',
        'raw * float(ds.get("RescaleSlope", 1)) - float(',
        ["tests/test_data.py", "-k", "committed_ct_subset_loads"],
    ),
    (
        "slice order: feet first",
        "data.py",
        "order = np.argsort(z)[::-1]",
        "order = np.argsort(z)",
        ["tests/test_data.py", "-k", "committed_ct_subset_loads"],
    ),
    (
        "series geometry checked on the first slice only",
        "data.py",
        "        for f, ds in datasets[1:]:\n",
        "        for f, ds in datasets[:1]:\n",
        ["tests/test_data.py", "-k", "later_slice"],
    ),
    (
        "modality checked on the first slice only",
        "data.py",
        '    for f, ds in datasets:\n        if ds.get("Modality") != "CT":',
        '    for f, ds in datasets[:1]:\n        if ds.get("Modality") != "CT":',
        ["tests/test_data.py", "-k", "later_slice"],
    ),
    (
        "slice without position: no check (raw AttributeError)",
        "data.py",
        '        for key in ("ImagePositionPatient", "ImageOrientationPatient", '
        '"PixelSpacing"):',
        "        for key in ():",
        ["tests/test_data.py", "-k", "without_position"],
    ),
    (
        "truncated DICOM reported as 'without an image'",
        "data.py",
        'if len(ds) == 0 or "Image Storage" in getattr(',
        'if False and "Image Storage" in getattr(',
        ["tests/test_data.py", "-k", "truncated_dicom_header"],
    ),
    (
        "a .npy renamed .npz: no check",
        "data.py",
        'if f.read(6) == b"\\x93NUMPY":',
        "if False:",
        ["tests/test_data.py", "-k", "npy_with_an_npz_name"],
    ),
    (
        "a zip with a non-.npy member accepted",
        "data.py",
        'other = [n for n in archive.namelist() if not n.endswith(".npy")]',
        "other = []",
        ["tests/test_data.py", "-k", "non_npy_member"],
    ),
    (
        "HTTP status code dropped from the message",
        "data.py",
        'status = f"HTTP {err.response.status_code} {err.response.reason}"',
        'status = "an error"',
        ["tests/test_data.py", "-k", "http_errors"],
    ),
    (
        "MEDIMG_MIRROR ignored",
        "data.py",
        "return f\"{mirror.rstrip('/')}/{relative}\" if mirror else url",
        "return url",
        ["tests/test_data.py", "-k", "mirror"],
    ),
    (
        "one pooch progress bar per slice",
        "data.py",
        "progressbar=False,",
        "progressbar=True,",
        ["tests/test_data.py", "-k", "one_progress_bar"],
    ),
    (
        "read-only cache reported as a failed download",
        "data.py",
        "    except OSError as err:  # pooch could not write into the cache folder\n",
        "    except ZeroDivisionError as err:\n",
        ["tests/test_data.py", "-k", "read_only_cache"],
    ),
    (
        "PPV / NPV denominators swapped",
        "metrics.py",
        '"ppv": ratio(tp, fp),\n        "npv": ratio(tn, fn),',
        '"ppv": ratio(tp, fn),\n        "npv": ratio(tn, fp),',
        ["tests/test_metrics.py", "-k", "binary_scores"],
    ),
    (
        "binary AUC on the wrong column",
        "metrics.py",
        "score = probs[:, 1]",
        "score = probs[:, 0]",
        ["tests/test_metrics.py", "-k", "medmnist"],
    ),
    (
        "check_seed0: one side only (higher accepted)",
        "results.py",
        'assert abs(values[f"test_{key}"] - mean) <= allowed',
        'assert mean - values[f"test_{key}"] <= allowed',
        ["tests/test_results.py", "-k", "check_seed0"],
    ),
    (
        "check_seed0: one side only (lower accepted)",
        "results.py",
        'assert abs(values[f"test_{key}"] - mean) <= allowed',
        'assert values[f"test_{key}"] - mean <= allowed',
        ["tests/test_results.py", "-k", "check_seed0"],
    ),
    (
        "check_seed0: the article CNN not checked",
        "results.py",
        "    if baseline_run is not None:\n        checks.append(",
        "    if False:\n        checks.append(",
        ["tests/test_results.py", "-k", "check_seed0"],
    ),
    (
        "check_seed0: the baseline held to the model's floor",
        "results.py",
        '                "auc",\n                BASELINE_FLOOR,',
        '                "auc",\n                FLOORS["auc"],',
        ["tests/test_results.py", "-k", "check_seed0"],
    ),
    (
        "tolerance: 2 sd instead of 3",
        "results.py",
        "return max(SD_FACTOR * sd, floor)",
        "return max(2 * sd, floor)",
        ["tests/test_results.py", "-k", "tolerance or check_seed0"],
    ),
    (
        "tolerance: the floor ignored",
        "results.py",
        "return max(SD_FACTOR * sd, floor)",
        "return SD_FACTOR * sd",
        ["tests/test_results.py", "-k", "tolerance or check_seed0"],
    ),
    (
        "results outside the package (repository root)",
        "results.py",
        'RESULTS_DIR = Path(__file__).resolve().with_name("results")',
        'RESULTS_DIR = Path(__file__).resolve().parents[2] / "results"',
        ["tests/test_results.py", "-k", "ship_inside"],
    ),
    (
        "Grad-CAM weights negated",
        "explain.py",
        "weights = tf.reduce_mean(grads, axis=(1, 2), keepdims=True)",
        "weights = -tf.reduce_mean(grads, axis=(1, 2), keepdims=True)",
        ["tests/test_explain.py", "-k", "grad_cam"],
    ),
    (
        "Grad-CAM weights averaged over the batch",
        "explain.py",
        "weights = tf.reduce_mean(grads, axis=(1, 2), keepdims=True)",
        "weights = tf.reduce_mean(grads, axis=(0, 1, 2), keepdims=True)",
        ["tests/test_explain.py", "-k", "grad_cam"],
    ),
    (
        "Grad-CAM abs instead of ReLU",
        "explain.py",
        "cam = tf.nn.relu(tf.reduce_sum(",
        "cam = tf.abs(tf.reduce_sum(",
        ["tests/test_explain.py", "-k", "grad_cam"],
    ),
    (
        "window off by one (level - width)",
        "imaging.py",
        "low = level - width / 2",
        "low = level - width / 2 + 1",
        ["tests/test_imaging.py", "-k", "window"],
    ),
    (
        "3D rotation in the (H, W) plane instead of (D, W)",
        "volumes.py",
        "tf.image.rot90(tf.transpose(volume, [1, 2, 0, 3]), k), [2, 0, 1, 3]",
        "tf.image.rot90(volume, k), [0, 1, 2, 3]",
        ["tests/test_volumes.py", "-k", "flip_rotate"],
    ),
    (
        "best epoch: the last epoch's weights kept",
        "training.py",
        "            self.model.set_weights(self.best_weights)",
        "            pass",
        ["tests/test_training.py", "-k", "best_epoch or keeps_the_best"],
    ),
    (
        "best epoch: start_epoch ignored",
        "training.py",
        "if epoch >= self.start_epoch and auc > self.best_auc:",
        "if auc > self.best_auc:",
        ["tests/test_training.py", "-k", "best_epoch"],
    ),
    (
        "best epoch: a tie moves the kept epoch later",
        "training.py",
        "if epoch >= self.start_epoch and auc > self.best_auc:",
        "if epoch >= self.start_epoch and auc >= self.best_auc:",
        ["tests/test_training.py", "-k", "best_epoch"],
    ),
    (
        "fit reports the last epoch, not the best",
        "training.py",
        "(best.best_epoch + 1, float(best.best_auc))",
        "(epochs, float(best.best_auc))",
        ["tests/test_training.py", "-k", "keeps_the_best"],
    ),
    (
        "TTA: the plain images left out",
        "training.py",
        "views = [x] + [np.flip(x, axis=a) for a in axes if a]",
        "views = [np.flip(x, axis=a) for a in axes if a] or [x]",
        ["tests/test_training.py", "-k", "predict_tta"],
    ),
    (
        "TTA: horizontal and vertical swapped",
        "training.py",
        '"horizontal": (2,)',
        '"horizontal": (1,)',
        ["tests/test_training.py", "-k", "predict_tta"],
    ),
    (
        "TTA: volumes mirrored along the wrong axis",
        "training.py",
        "else tuple(f) for f in flips]",
        "else tuple(a + 1 for a in f) for f in flips]",
        ["tests/test_training.py", "-k", "predict_tta"],
    ),
    (
        "fit: validation labels shuffled against their images",
        "training.py",
        'y_val = np.asarray(dataset["val_labels"]).ravel()',
        'y_val = np.asarray(dataset["val_labels"]).ravel()[::-1]',
        ["tests/test_training.py", "-k", "keeps_the_best"],
    ),
    (
        "make_dataset: shuffled once, not each epoch",
        "training.py",
        "reshuffle_each_iteration=True",
        "reshuffle_each_iteration=False",
        ["tests/test_training.py", "-k", "make_dataset"],
    ),
    (
        "enable_op_determinism() removed",
        "device.py",
        "    tf.config.experimental.enable_op_determinism()\n",
        "",
        ["tests/test_determinism.py"],
    ),
    (
        "identifier scan: single-backslash Windows paths missed",
        "privacy.py",
        r'r"(?<![\w])[A-Za-z]:(?:\\{1,2}|/)',
        r'r"(?<![\w])[A-Za-z]:(?:\\{2}|/)',
        ["tests/test_privacy.py", "-k", "find_identifiers"],
    ),
    (
        "identifier scan: pydicom header dump missed",
        "privacy.py",
        'rf"(?<!\\w)(?<!of )(?:{_HUMAN})[ \\t]+[A-Z]{{2}}:',
        'rf"NEVER(?:{_HUMAN})[ \\t]+[A-Z]{{2}}:',
        ["tests/test_privacy.py", "-k", "find_identifiers"],
    ),
    (
        "selection: the best candidate wins, ties ignored",
        "selection.py",
        'if c["val_auc_mean"] >= best - margin)',
        'if c["val_auc_mean"] >= best)',
        ["tests/test_selection.py", "-k", "choose or run_scores"],
    ),
    (
        "selection: the test split handed to the candidates",
        "selection.py",
        'if not k.startswith("test")}',
        "}",
        ["tests/test_selection.py", "-k", "without_test"],
    ),
    (
        "selection: a log made with other candidates accepted",
        "selection.py",
        "if logged != _plain(candidates):",
        "if False:",
        ["tests/test_selection.py", "-k", "refuses"],
    ),
    (
        "clean-subset AUC: all test images scored",
        "cases.py",
        "medmnist_auc_acc(task, y_test[clean], test_probs[clean])",
        "medmnist_auc_acc(task, y_test, test_probs)",
        ["tests/test_cases.py", "-k", "run_seeds"],
    ),
    # --- privacy.py: DICOM de-identification ------------------------------------------
    (
        "privacy: pseudonym without the secret",
        "privacy.py",
        "secret.encode(), str(patient_id).encode()",
        'b"", str(patient_id).encode()',
        ["tests/test_privacy.py", "-k", "pseudonym"],
    ),
    (
        "privacy: remapped UID without the secret",
        "privacy.py",
        "f'{secret}|{uid}'",
        "f'{uid}'",
        ["tests/test_privacy.py", "-k", "pseudonym"],
    ),
    (
        "privacy: standard UIDs (SOP class) remapped too",
        "privacy.py",
        "return remap_uid(value, secret) if value and UID(value).is_private else value",
        "return remap_uid(value, secret) if value else value",
        ["tests/test_privacy.py", "-k", "uids_map"],
    ),
    (
        "privacy: multi-valued UIDs kept",
        "privacy.py",
        (
            "return [remap_uid(v, secret) if v and UID(v).is_private else v for v in "
            "value]"
        ),
        "return value",
        ["tests/test_privacy.py", "-k", "multi_valued"],
    ),
    (
        "privacy: dates shifted the wrong way",
        "privacy.py",
        "+ dt.timedelta(days=days)",
        "- dt.timedelta(days=days)",
        ["tests/test_privacy.py", "-k", "date_shift"],
    ),
    (
        "privacy: date-time shifted loses its time",
        "privacy.py",
        'return shifted.strftime("%Y%m%d") + value[8:]',
        'return shifted.strftime("%Y%m%d")',
        ["tests/test_privacy.py", "-k", "date_shift"],
    ),
    (
        "privacy: an unparseable date kept as it is",
        "privacy.py",
        'return value if vr == "TM" else ""',
        "return value",
        ["tests/test_privacy.py", "-k", "date_shift"],
    ),
    (
        "privacy: burned-in annotation not refused",
        "privacy.py",
        'if burned_in == "YES" and not allow_burned_in:',
        'if burned_in == "YES" and allow_burned_in:',
        ["tests/test_privacy.py", "-k", "burned_in"],
    ),
    (
        "privacy: burned-in check case-sensitive",
        "privacy.py",
        'burned_in = str(ds.get("BurnedInAnnotation", "")).upper() or "absent"',
        'burned_in = str(ds.get("BurnedInAnnotation", "")) or "absent"',
        ["tests/test_privacy.py", "-k", "burned_in"],
    ),
    (
        "privacy: the original dataset cleaned in place",
        "privacy.py",
        "out = copy.deepcopy(ds)",
        "out = ds",
        ["tests/test_privacy.py", "-k", "real_file"],
    ),
    (
        "privacy: private tags kept",
        "privacy.py",
        "    out.remove_private_tags()\n",
        "",
        ["tests/test_privacy.py", "-k", "real_file"],
    ),
    (
        "privacy: curves kept",
        "privacy.py",
        "if 0x5000 <= group <= 0x50FF or (",
        "if (",
        ["tests/test_privacy.py", "-k", "overlay"],
    ),
    (
        "privacy: overlays removed from the first plane only",
        "privacy.py",
        "0x6000 <= group <= 0x60FF and",
        "group == 0x6000 and",
        ["tests/test_privacy.py", "-k", "overlay"],
    ),
    (
        "privacy: overlay comments kept",
        "privacy.py",
        "elem.tag.element in (0x3000, 0x4000)",
        "elem.tag.element in (0x3000,)",
        ["tests/test_privacy.py", "-k", "overlay"],
    ),
    (
        "privacy: date option ignored (dates removed anyway)",
        "privacy.py",
        'if date_shift_days is not None and vr in DATE_VRS and action in ("X", "Z"):',
        "if False:",
        ["tests/test_privacy.py", "-k", "date_shift"],
    ),
    (
        "privacy: X (remove) only empties",
        "privacy.py",
        '        if action == "X":\n            del dataset[elem.tag]\n',
        (
            '        if action == "X":\n            elem.value = Sequence() if vr == '
            '"SQ" else ""\n'
        ),
        ["tests/test_privacy.py", "-k", "real_file"],
    ),
    (
        "privacy: PatientName pseudonym made from the name",
        "privacy.py",
        "elem.value = pseudonym(secret, original_id)",
        "elem.value = pseudonym(secret, str(elem.value))",
        ["tests/test_privacy.py", "-k", "uids_map"],
    ),
    (
        "privacy: a person name outside the table kept",
        "privacy.py",
        'elif vr == "PN" and elem.value:',
        "elif False:",
        ["tests/test_privacy.py", "-k", "outside_the_table"],
    ),
    (
        "privacy: a date outside the table kept",
        "privacy.py",
        (
            "            if date_shift_days is None:\n                action, "
            'elem.value = "Z", ""\n'
        ),
        "            if date_shift_days is None:\n                pass\n",
        ["tests/test_privacy.py", "-k", "outside_the_table"],
    ),
    (
        "privacy: dates not shifted under the option",
        "privacy.py",
        '            elif vr != "TM":\n',
        "            elif False:\n",
        ["tests/test_privacy.py", "-k", "date_shift"],
    ),
    (
        "privacy: report counts each attribute once",
        "privacy.py",
        "ACTION_NAMES[action])] += 1",
        "ACTION_NAMES[action])] = 1",
        ["tests/test_privacy.py", "-k", "report"],
    ),
    (
        "privacy: file meta keeps the original SOP instance UID",
        "privacy.py",
        "        out.file_meta.MediaStorageSOPInstanceUID = out.SOPInstanceUID\n",
        "        pass\n",
        ["tests/test_privacy.py", "-k", "real_file"],
    ),
    (
        "privacy: PatientIdentityRemoved not set",
        "privacy.py",
        'out.PatientIdentityRemoved = "YES"',
        'out.PatientIdentityRemoved = "NO"',
        ["tests/test_privacy.py", "-k", "real_file"],
    ),
    (
        "privacy: modified-dates code and flag without the option",
        "privacy.py",
        "    if date_shift_days is not None:\n        codes.append(",
        "    if True:\n        codes.append(",
        ["tests/test_privacy.py", "-k", "report"],
    ),
    (
        "privacy: name parts not listed",
        "privacy.py",
        '[p for p in text.replace("=", "^").split("^") if p.strip()]',
        "[]",
        ["tests/test_privacy.py", "-k", "surviving_values"],
    ),
    (
        "privacy: standard UIDs listed as identifying",
        "privacy.py",
        "and UID(text).is_private",
        "",
        ["tests/test_privacy.py", "-k", "real_file"],
    ),
    (
        "privacy: include_times=False still lists times",
        "privacy.py",
        'and not (elem.VR == "TM" and not include_times)',
        "",
        ["tests/test_privacy.py", "-k", "date_shift"],
    ),
    (
        "privacy: survivors matched as whole values only",
        "privacy.py",
        "(substring[value] and value in upper)",
        "(substring[value] and value == upper)",
        ["tests/test_privacy.py", "-k", "surviving_values"],
    ),
    (
        "privacy: short values matched in any attribute",
        "privacy.py",
        "upper == value and where == source",
        "upper == value",
        ["tests/test_privacy.py", "-k", "surviving_values"],
    ),
    (
        "privacy: numbers matched as substrings",
        "privacy.py",
        " and _vr(source) not in NUMERIC_VRS",
        "",
        ["tests/test_privacy.py", "-k", "surviving_values"],
    ),
    (
        "privacy: substring search from 5 characters",
        "privacy.py",
        "len(value) >= min_substring",
        "len(value) > min_substring",
        ["tests/test_privacy.py", "-k", "surviving_values"],
    ),
    (
        "privacy: survivors in the file meta missed",
        "privacy.py",
        (
            '    for elem in list(ds.iterall()) + list(getattr(ds, "file_meta", '
            "[])):\n        where ="
        ),
        "    for elem in ds.iterall():\n        where =",
        ["tests/test_privacy.py", "-k", "surviving_values"],
    ),
    (
        "privacy: OB/UN bytes not searched",
        "privacy.py",
        'if elem.VR in ("OB", "UN") and len(value) < 1 << 20',
        "if False",
        ["tests/test_privacy.py", "-k", "surviving_values"],
    ),
    (
        "identifier scan: 'Issuer of Patient ID' taken for a patient ID",
        "privacy.py",
        'rf"(?<!\\w)(?<!of )(?:{_HUMAN})[ \\t]+',
        'rf"(?<!\\w)(?:{_HUMAN})[ \\t]+',
        ["tests/test_privacy.py", "-k", "find_identifiers"],
    ),
    (
        "identifier scan: emptied values reported",
        "privacy.py",
        "if value and not _EMPTY_VALUES.fullmatch(value):",
        "if value:",
        ["tests/test_privacy.py", "-k", "find_identifiers"],
    ),
    (
        "identifier scan: UNC paths missed",
        "privacy.py",
        (
            '    r"(?<![\\w\\\\])\\\\\\\\[\\w.$-]+\\\\[^\\s\'\\"<>|,;]+",  # '
            "\\\\server\\share\n"
        ),
        "",
        ["tests/test_privacy.py", "-k", "find_identifiers"],
    ),
    (
        "identifier scan: a lone slash taken for a path",
        "privacy.py",
        "/(?:[\\w.@+-]+/)+[\\w.@+-]*",
        "/(?:[\\w.@+-]+/)*[\\w.@+-]*",
        ["tests/test_privacy.py", "-k", "find_identifiers"],
    ),
    # --- leakage.py: near-duplicate audit ---------------------------------------------
    (
        "leakage: cosine instead of Pearson (row means kept)",
        "leakage.py",
        "    flat -= flat.mean(axis=1, keepdims=True)\n",
        "",
        ["tests/test_leakage.py", "-k", "pearson"],
    ),
    (
        "leakage: a blank image correlates as NaN",
        "leakage.py",
        "np.divide(flat, norm, out=np.zeros_like(flat), where=norm > 0)",
        "flat / norm",
        ["tests/test_leakage.py", "-k", "pearson"],
    ),
    (
        "leakage: the centre image ignored",
        "leakage.py",
        "    if centre is not None:\n        flat -= centre",
        "    if False:\n        flat -= centre",
        ["tests/test_leakage.py", "-k", "centr"],
    ),
    (
        "leakage: exclude_self skips the wrong cells after the first block",
        "leakage.py",
        "corr[rows - start, rows] = -np.inf",
        "corr[rows - start, rows - start] = -np.inf",
        ["tests/test_leakage.py", "-k", "exclude_self"],
    ),
    (
        "leakage: exclude_self ignored",
        "leakage.py",
        "        if exclude_self:\n",
        "        if False:\n",
        ["tests/test_leakage.py", "-k", "exclude_self"],
    ),
    (
        "leakage: the centre taken from the validation split",
        "leakage.py",
        'return dataset["train_images"].astype(np.float64).mean(axis=0)',
        'return dataset["val_images"].astype(np.float64).mean(axis=0)',
        ["tests/test_leakage.py", "-k", "training_mean"],
    ),
    (
        "leakage: exact copies looked up among the queries",
        "leakage.py",
        "digest() for x in reference}",
        "digest() for x in queries}",
        ["tests/test_leakage.py", "-k", "exact_duplicates"],
    ),
    (
        "leakage: audit correlates without centring",
        "leakage.py",
        "best, where = nearest_correlation(b, a, centre)",
        "best, where = nearest_correlation(b, a)",
        ["tests/test_leakage.py", "-k", "centr"],
    ),
    (
        "leakage: audit pairs the other way round",
        "leakage.py",
        'a, b = dataset[f"{earlier}_images"], dataset[f"{later}_images"]',
        'b, a = dataset[f"{earlier}_images"], dataset[f"{later}_images"]',
        ["tests/test_leakage.py", "-k", "audit"],
    ),
    (
        "leakage: the loose count uses the strict threshold",
        "leakage.py",
        "int((best > loose).sum())",
        "int((best > threshold).sum())",
        ["tests/test_leakage.py", "-k", "audit"],
    ),
    (
        "leakage: label agreement over all pairs, not the near ones",
        "leakage.py",
        "round(float(same[near].mean()), 3)",
        "round(float(same.mean()), 3)",
        ["tests/test_leakage.py", "-k", "audit"],
    ),
    (
        "leakage: 1-NN accuracy over the images without a near-copy",
        "leakage.py",
        '"1-NN accuracy": round(float(same.mean()), 3)',
        '"1-NN accuracy": round(float(same[~near].mean()), 3)',
        ["tests/test_leakage.py", "-k", "audit"],
    ),
    (
        "leakage: multi-label rows agree when one label does",
        "leakage.py",
        "same = (ya[where] == yb).all(axis=1)",
        "same = (ya[where] == yb).any(axis=1)",
        ["tests/test_leakage.py", "-k", "audit"],
    ),
    (
        "leakage: clean masks drop near-copies of the last split only",
        "leakage.py",
        "keep &= (best <= threshold)",
        "keep = (best <= threshold)",
        ["tests/test_leakage.py", "-k", "mask"],
    ),
    (
        "leakage: clean masks keep copies of an image equal to the mean",
        "leakage.py",
        (
            "keep &= (best <= threshold) & ~exact_duplicates(\n            images, "
            'dataset[f"{other}_images"]\n        )\n'
        ),
        "keep &= best <= threshold\n",
        ["tests/test_leakage.py", "-k", "mask"],
    ),
    (
        "leakage: clean masks correlate without centring",
        "leakage.py",
        'best, _ = nearest_correlation(images, dataset[f"{other}_images"], centre)',
        'best, _ = nearest_correlation(images, dataset[f"{other}_images"])',
        ["tests/test_leakage.py", "-k", "centr"],
    ),
    (
        "leakage: clean test mask ignores validation",
        "leakage.py",
        'clean_mask(dataset, "test", ("train", "val"), threshold)',
        'clean_mask(dataset, "test", ("train",), threshold)',
        ["tests/test_leakage.py", "-k", "mask"],
    ),
    (
        "leakage: clean test mask ignores its threshold",
        "leakage.py",
        'clean_mask(dataset, "test", ("train", "val"), threshold)',
        'clean_mask(dataset, "test", ("train", "val"))',
        ["tests/test_leakage.py", "-k", "mask"],
    ),
    (
        "leakage: clean validation mask ignores its threshold",
        "leakage.py",
        'clean_mask(dataset, "val", ("train",), threshold)',
        'clean_mask(dataset, "val", ("train",))',
        ["tests/test_leakage.py", "-k", "mask"],
    ),
    # --- imaging.py: windows, display ranges, views, resampling, header table ---------
    (
        "imaging: window not clipped to [0, 1]",
        "imaging.py",
        "return np.clip((np.asarray(hu, dtype=np.float32) - low) / width, 0.0, 1.0)",
        "return (np.asarray(hu, dtype=np.float32) - low) / width",
        ["tests/test_imaging.py", "-k", "window"],
    ),
    (
        "imaging: window scaled by half the width",
        "imaging.py",
        "- low) / width, 0.0, 1.0)",
        "- low) / (width / 2), 0.0, 1.0)",
        ["tests/test_imaging.py", "-k", "window"],
    ),
    (
        "imaging: a file window of width 0 used (division by zero)",
        "imaging.py",
        "if centre is not None and width:",
        "if centre is not None:",
        ["tests/test_imaging.py", "-k", "window"],
    ),
    (
        "imaging: a file window centred on 0 ignored",
        "imaging.py",
        "if centre is not None and width:",
        "if centre and width:",
        ["tests/test_imaging.py", "-k", "window"],
    ),
    (
        "imaging: the last of several file windows",
        "imaging.py",
        "centre, width = centre[0], width[0]",
        "centre, width = centre[-1], width[-1]",
        ["tests/test_imaging.py", "-k", "window"],
    ),
    (
        "imaging: a constant image displayed as NaN",
        "imaging.py",
        "/ max(high - low, 1e-6), 0, 1)",
        "/ (high - low), 0, 1)",
        ["tests/test_imaging.py", "-k", "percentiles"],
    ),
    (
        "imaging: percentile range not clipped",
        "imaging.py",
        "out = np.clip((image - low) / max(high - low, 1e-6), 0, 1).astype(np.float32)",
        "out = ((image - low) / max(high - low, 1e-6)).astype(np.float32)",
        ["tests/test_imaging.py", "-k", "percentiles"],
    ),
    (
        "imaging: MONOCHROME1 not inverted",
        "imaging.py",
        (
            'return 1.0 - out if meta.get("PhotometricInterpretation") == '
            '"MONOCHROME1" else out'
        ),
        "return out",
        ["tests/test_imaging.py", "-k", "monochrome1"],
    ),
    (
        "imaging: RGB assumed 8-bit",
        "imaging.py",
        "return np.clip(image / max(float(image.max()), 1.0), 0, 1)",
        "return np.clip(image / 255.0, 0, 1)",
        ["tests/test_imaging.py", "-k", "rgb"],
    ),
    (
        "imaging: a black RGB image displayed as NaN",
        "imaging.py",
        "image / max(float(image.max()), 1.0)",
        "image / float(image.max())",
        ["tests/test_imaging.py", "-k", "rgb"],
    ),
    (
        "imaging: RGB images windowed as grey ones",
        "imaging.py",
        "if image.ndim == 3 and image.shape[-1] == 3:",
        "if False:",
        ["tests/test_imaging.py", "-k", "rgb"],
    ),
    (
        "imaging: ortho_views default window is the lung preset",
        "imaging.py",
        'level, width = WINDOWS["soft tissue"]',
        'level, width = WINDOWS["lung"]',
        ["tests/test_imaging.py", "-k", "ortho"],
    ),
    (
        "imaging: ortho_views ignores the window it is given",
        "imaging.py",
        "    if level is None or width is None:\n",
        "    if True:\n",
        ["tests/test_imaging.py", "-k", "ortho"],
    ),
    (
        "imaging: ortho_views ignores the index it is given",
        "imaging.py",
        "k, i, j = index if index is not None else",
        "k, i, j = index if False else",
        ["tests/test_imaging.py", "-k", "ortho"],
    ),
    (
        "imaging: ortho_views sagittal aspect inverted",
        "imaging.py",
        '(hu[:, :, j], dz / dy, f"sagittal',
        '(hu[:, :, j], dy / dz, f"sagittal',
        ["tests/test_imaging.py", "-k", "ortho"],
    ),
    (
        "imaging: resample zoom factors inverted",
        "imaging.py",
        "factors = np.asarray(spacing_mm, dtype=float) / np.asarray(",
        "factors = 1 / np.asarray(spacing_mm, dtype=float) * np.asarray(",
        ["tests/test_imaging.py", "-k", "resample"],
    ),
    (
        "imaging: resample reports the requested spacing, not the one it reached",
        "imaging.py",
        "float(s) * n / m for s, n, m in zip(spacing_mm, volume.shape, out.shape)",
        "float(s) for s in new_spacing_mm",
        ["tests/test_imaging.py", "-k", "resample"],
    ),
    (
        "imaging: resample ignores the interpolation order",
        "imaging.py",
        "zoom(volume, factors, order=order,",
        "zoom(volume, factors, order=1,",
        ["tests/test_imaging.py", "-k", "resample"],
    ),
    (
        "data: header_table shows any field",
        "data.py",
        (
            "if keyword not in SAFE_DICOM_FIELDS and keyword not in "
            "TECHNICAL_DICOM_FIELDS:"
        ),
        "if False:",
        ["tests/test_imaging.py", "-k", "header_table"],
    ),
    (
        "data: header_table lets an unknown keyword through",
        "data.py",
        "if tag_for_keyword(keyword) is None:",
        "if False:",
        ["tests/test_imaging.py", "-k", "header_table"],
    ),
    (
        "data: header_table fails on an absent field",
        "data.py",
        "        if keyword not in ds:\n            continue\n",
        "",
        ["tests/test_imaging.py", "-k", "header_table"],
    ),
    (
        "data: header_table prints a sequence's items",
        "data.py",
        'elif element.VR == "SQ":',
        "elif False:",
        ["tests/test_imaging.py", "-k", "header_table"],
    ),
    (
        "data: header_table value not cut",
        "data.py",
        '"value": str(value)[:72]',
        '"value": str(value)',
        ["tests/test_imaging.py", "-k", "header_table"],
    ),
    (
        "data: header_table prints bytes",
        "data.py",
        "        if isinstance(value, bytes):\n",
        "        if False:\n",
        ["tests/test_imaging.py", "-k", "header_table"],
    ),
    (
        "imaging: vr_counts skips sequence items",
        "imaging.py",
        "Counter(element.VR for element in ds.iterall())",
        "Counter(element.VR for element in ds)",
        ["tests/test_imaging.py", "-k", "vr_counts"],
    ),
    # --- selection.py: validation-only recipe choice ----------------------------------
    (
        "selection: a tie means strictly above best - margin",
        "selection.py",
        'if c["val_auc_mean"] >= best - margin)',
        'if c["val_auc_mean"] > best - margin)',
        ["tests/test_selection.py", "-k", "choose"],
    ),
    (
        "selection: the last (most complex) tied candidate wins",
        "selection.py",
        'return next(c["name"] for c in candidates if',
        'return next(c["name"] for c in reversed(candidates) if',
        ["tests/test_selection.py", "-k", "choose"],
    ),
    (
        "selection: only test_auc refused, other test scores accepted",
        "selection.py",
        'if any(key.startswith("test") for key in scores):',
        'if "test_auc" in scores:',
        ["tests/test_selection.py", "-k", "scores_the_test_split"],
    ),
    (
        "selection: every seed scored with seed 0",
        "selection.py",
        "scores = evaluate(config, seed)",
        "scores = evaluate(config, 0)",
        ["tests/test_selection.py", "-k", "run_scores"],
    ),
    (
        "selection: mean AUC of the first seed only",
        "selection.py",
        'mean = float(np.mean([r["val_auc"] for r in runs]))',
        'mean = float(runs[0]["val_auc"])',
        ["tests/test_selection.py", "-k", "run_scores"],
    ),
    (
        "selection: run ignores its margin",
        "selection.py",
        '"chosen": choose(rows, margin),',
        '"chosen": choose(rows),',
        ["tests/test_selection.py", "-k", "margin"],
    ),
    (
        "selection: the log states the default rule whatever the margin",
        "selection.py",
        '"rule": rule(margin),',
        '"rule": rule(),',
        ["tests/test_selection.py", "-k", "margin"],
    ),
    (
        "selection: the log records the default seeds",
        "selection.py",
        '"seeds": [int(s) for s in seeds],',
        '"seeds": list(SEEDS),',
        ["tests/test_selection.py", "-k", "seeds"],
    ),
    (
        "selection: run_or_load runs the default seeds",
        "selection.py",
        "log = run(name, candidates, evaluate, seeds)",
        "log = run(name, candidates, evaluate)",
        ["tests/test_selection.py", "-k", "seeds"],
    ),
    (
        "selection: run_or_load loads without checking the candidates",
        "selection.py",
        "return load(name, candidates, folder)",
        "return load(name, None, folder)",
        ["tests/test_selection.py", "-k", "run_or_load"],
    ),
    (
        "selection: a log compared with tuples unconverted",
        "selection.py",
        "if logged != _plain(candidates):",
        "if logged != candidates:",
        ["tests/test_selection.py", "-k", "run_scores"],
    ),
    (
        "selection: a log compared by candidate names only",
        "selection.py",
        "if logged != _plain(candidates):",
        "if set(logged) != set(candidates):",
        ["tests/test_selection.py", "-k", "refuses"],
    ),
    (
        "selection: a missing log read anyway",
        "selection.py",
        "    if not file.is_file():\n",
        "    if False:\n",
        ["tests/test_selection.py", "-k", "refuses"],
    ),
    (
        "selection: the log written beside the package whatever the folder",
        "selection.py",
        "out = Path(folder or SELECTION_DIR)",
        "out = SELECTION_DIR",
        ["tests/test_selection.py", "-k", "run_scores"],
    ),
    (
        "selection: the table marks no choice",
        "selection.py",
        'row["chosen"] = "yes" if c["name"] == log["chosen"] else ""',
        'row["chosen"] = ""',
        ["tests/test_selection.py", "-k", "run_scores"],
    ),
    # --- phantoms.py: simulated CT ----------------------------------------------------
    (
        "phantoms: HU to attenuation with 1024",
        "phantoms.py",
        "np.asarray(hu, dtype=np.float64) / 1000.0",
        "np.asarray(hu, dtype=np.float64) / 1024.0",
        ["tests/test_phantoms.py", "-k", "inverse"],
    ),
    (
        "phantoms: attenuation to HU without the -1",
        "phantoms.py",
        "/ MU_WATER_PER_MM - 1.0)",
        "/ MU_WATER_PER_MM)",
        ["tests/test_phantoms.py", "-k", "inverse"],
    ),
    (
        "phantoms: phantom not seeded",
        "phantoms.py",
        "    rng = np.random.default_rng(seed)\n    s = size",
        "    rng = np.random.default_rng()\n    s = size",
        ["tests/test_phantoms.py", "-k", "same_seed"],
    ),
    (
        "phantoms: lesions placed in the lungs",
        "phantoms.py",
        "free = inner & ~lung & ~ndi",
        "free = inner & ~ndi",
        ["tests/test_phantoms.py", "-k", "lesions"],
    ),
    (
        "phantoms: lesions may touch each other",
        "phantoms.py",
        "free & ~ndi.binary_dilation(lesions > 0, iterations=2)",
        "free",
        ["tests/test_phantoms.py", "-k", "lesions"],
    ),
    (
        "phantoms: lesion HU set to the contrast, not added to the tissue",
        "phantoms.py",
        "hu[blob] += contrast",
        "hu[blob] = contrast",
        ["tests/test_phantoms.py", "-k", "lesions"],
    ),
    (
        "phantoms: lesion radius recorded at 64 pixels whatever the size",
        "phantoms.py",
        "table.append((radius * FOV_MM / size, contrast))",
        "table.append((radius * PIXEL_MM, contrast))",
        ["tests/test_phantoms.py", "-k", "size"],
    ),
    (
        "phantoms: sinogram without the pixel size",
        "phantoms.py",
        "radon(hu_to_mu(hu) * pixel_mm,",
        "radon(hu_to_mu(hu),",
        ["tests/test_phantoms.py", "-k", "sinogram"],
    ),
    (
        "phantoms: projection angles include 180 degrees",
        "phantoms.py",
        "theta = np.linspace(0.0, 180.0, n_angles, endpoint=False)",
        "theta = np.linspace(0.0, 180.0, n_angles, endpoint=True)",
        ["tests/test_phantoms.py", "-k", "sinogram"],
    ),
    (
        "phantoms: photon noise not seeded",
        "phantoms.py",
        "    rng = np.random.default_rng(seed)\n    counts",
        "    rng = np.random.default_rng()\n    counts",
        ["tests/test_phantoms.py", "-k", "same_seed"],
    ),
    (
        "phantoms: a ray with no photon left gives infinity",
        "phantoms.py",
        "np.maximum(counts, 1) / photons",
        "counts / photons",
        ["tests/test_phantoms.py", "-k", "photon"],
    ),
    (
        "phantoms: scan assumes 64-pixel images",
        "phantoms.py",
        "    pixel_mm = FOV_MM / hu.shape[-1]\n",
        "    pixel_mm = PIXEL_MM\n",
        ["tests/test_phantoms.py", "-k", "size"],
    ),
    (
        "phantoms: dataset image i not drawn from (seed, i)",
        "phantoms.py",
        "ph = random_phantom((seed, i), size)",
        "ph = random_phantom(seed + i, size)",
        ["tests/test_phantoms.py", "-k", "phantom_dataset"],
    ),
    (
        "phantoms: dataset lesion labels counted from 0",
        "phantoms.py",
        "tables += [(i, k + 1, r, cst)",
        "tables += [(i, k, r, cst)",
        ["tests/test_phantoms.py", "-k", "phantom_dataset"],
    ),
    (
        "phantoms: dataset lesion table without the image index",
        "phantoms.py",
        "tables += [(i, k + 1, r, cst)",
        "tables += [(0, k + 1, r, cst)",
        ["tests/test_phantoms.py", "-k", "phantom_dataset"],
    ),
    (
        "phantoms: dataset sinogram with 64-pixel geometry",
        "phantoms.py",
        'p = sinogram(ph["hu"], pixel_mm=FOV_MM / size)',
        'p = sinogram(ph["hu"])',
        ["tests/test_phantoms.py", "-k", "phantom_dataset"],
    ),
    (
        "phantoms: dataset arrays writable (the cache can be changed)",
        "phantoms.py",
        "a.flags.writeable = False",
        "a.flags.writeable = True",
        ["tests/test_phantoms.py", "-k", "phantom_dataset"],
    ),
    # --- explain.py: Grad-CAM, saliency, occlusion, randomisation check ---------------
    (
        "explain: Grad-CAM explains the first convolution by default",
        "explain.py",
        "    return convs[-1]\n",
        "    return convs[0]\n",
        ["tests/test_explain.py", "-k", "last_conv_layer_name"],
    ),
    (
        "explain: an unknown layer of a Sequential model passes silently",
        "explain.py",
        "        if features is None:\n",
        "        if False:\n",
        ["tests/test_explain.py", "-k", "feature_logit_model"],
    ),
    (
        "explain: logits from an untrained copy of the output layer",
        "explain.py",
        "        head.set_weights(last.get_weights())\n",
        "        pass\n",
        ["tests/test_explain.py", "-k", "feature_logit_model"],
    ),
    (
        "explain: one sigmoid output: class 0 scored as 0",
        "explain.py",
        "sign = tf.cast(2 * classes - 1, logits.dtype)",
        "sign = tf.cast(classes, logits.dtype)",
        ["tests/test_explain.py", "-k", "sigmoid"],
    ),
    (
        "explain: softmax logits not centred",
        "explain.py",
        "centred = logits - tf.reduce_mean(logits, axis=-1, keepdims=True)",
        "centred = logits",
        ["tests/test_explain.py", "-k", "saliency"],
    ),
    (
        "explain: predicted class of one sigmoid output by argmax (always 0)",
        "explain.py",
        "(probs[:, 0] > 0.5).astype(np.int32)",
        "probs.argmax(-1).astype(np.int32)",
        ["tests/test_explain.py", "-k", "sigmoid"],
    ),
    (
        "explain: class_index ignored (the predicted class explained)",
        "explain.py",
        "    if class_index is None:\n        probs",
        "    if True:\n        probs",
        ["tests/test_explain.py", "-k", "grad_cam"],
    ),
    (
        "explain: an all-zero map divided by zero",
        "explain.py",
        "np.divide(maps, peak, out=np.zeros_like(maps), where=peak > 0)",
        "maps / peak",
        ["tests/test_explain.py", "-k", "grad_cam"],
    ),
    (
        "explain: Grad-CAM upsampled by nearest neighbour",
        "explain.py",
        'method="bilinear"',
        'method="nearest"',
        ["tests/test_explain.py", "-k", "grad_cam"],
    ),
    (
        "explain: saliency averaged over colour channels",
        "explain.py",
        "tf.reduce_max(tf.abs(grads), axis=-1)",
        "tf.reduce_mean(tf.abs(grads), axis=-1)",
        ["tests/test_explain.py", "-k", "saliency"],
    ),
    (
        "explain: saliency signed, not absolute",
        "explain.py",
        "tf.reduce_max(tf.abs(grads), axis=-1)",
        "tf.reduce_max(grads, axis=-1)",
        ["tests/test_explain.py", "-k", "saliency"],
    ),
    (
        "explain: occlusion fills with the batch's mean",
        "explain.py",
        "        images.mean(axis=(1, 2, 3))\n",
        "        np.full(n, images.mean())\n",
        ["tests/test_explain.py", "-k", "occlusion"],
    ),
    (
        "explain: occlusion ignores the fill it is given",
        "explain.py",
        "        if fill is None\n",
        "        if True\n",
        ["tests/test_explain.py", "-k", "occlusion"],
    ),
    (
        "explain: occlusion skips the last row and column of patches",
        "explain.py",
        "tops = list(range(0, h - patch + 1, stride))",
        "tops = list(range(0, h - patch, stride))",
        ["tests/test_explain.py", "-k", "occlusion"],
    ),
    (
        "explain: occlusion divides uncovered pixels by zero",
        "explain.py",
        "/ np.maximum(cover, 1)",
        "/ cover",
        ["tests/test_explain.py", "-k", "occlusion"],
    ),
    (
        "explain: one sigmoid output: the two probabilities swapped",
        "explain.py",
        "np.concatenate([1 - probs, probs], axis=-1)",
        "np.concatenate([probs, 1 - probs], axis=-1)",
        ["tests/test_explain.py", "-k", "occlusion"],
    ),
    (
        "explain: occlusion drop with the wrong sign",
        "explain.py",
        "drops = probs[0, classes[i]] - probs[1:, classes[i]]",
        "drops = probs[1:, classes[i]] - probs[0, classes[i]]",
        ["tests/test_explain.py", "-k", "occlusion"],
    ),
    (
        "explain: randomised copy not seeded",
        "explain.py",
        "    keras.utils.set_random_seed(seed)\n",
        "",
        ["tests/test_explain.py", "-k", "randomised_copy"],
    ),
    (
        "explain: randomised copy randomises the layers it should keep",
        "explain.py",
        "        if original.name not in names:\n",
        "        if original.name in names:\n",
        ["tests/test_explain.py", "-k", "randomised_copy"],
    ),
    (
        "explain: unknown layer names to randomise accepted",
        "explain.py",
        "    if unknown:\n",
        "    if False:\n",
        ["tests/test_explain.py", "-k", "randomised_copy"],
    ),
    (
        "explain: rank correlation of a constant second map not NaN",
        "explain.py",
        "np.nan if a.std() == 0 or b.std() == 0 else",
        "np.nan if a.std() == 0 else",
        ["tests/test_explain.py", "-k", "rank_correlation"],
    ),
    (
        "explain: Pearson instead of Spearman",
        "explain.py",
        "spearmanr(a, b).statistic",
        "np.corrcoef(a, b)[0, 1]",
        ["tests/test_explain.py", "-k", "rank_correlation"],
    ),
    (
        "explain: map shapes not compared",
        "explain.py",
        "    if maps_a.shape != maps_b.shape:\n",
        "    if False:\n",
        ["tests/test_explain.py", "-k", "rank_correlation"],
    ),
    # --- segmentation.py: metrics, detection, intervals, segmenter, DICOM -------------
    (
        "segmentation: Dice of two empty masks 0",
        "segmentation.py",
        "return 1.0 if total == 0 else",
        "return 0.0 if total == 0 else",
        ["tests/test_segmentation.py", "-k", "dice"],
    ),
    (
        "segmentation: Dice without the factor 2",
        "segmentation.py",
        "float(2 * (pred & truth).sum() / total)",
        "float((pred & truth).sum() / total)",
        ["tests/test_segmentation.py", "-k", "dice"],
    ),
    (
        "segmentation: IoU divided by the sum, not the union",
        "segmentation.py",
        "union = (pred | truth).sum()",
        "union = pred.sum() + truth.sum()",
        ["tests/test_segmentation.py", "-k", "iou"],
    ),
    (
        "segmentation: IoU of two empty masks 0",
        "segmentation.py",
        "return 1.0 if union == 0 else",
        "return 0.0 if union == 0 else",
        ["tests/test_segmentation.py", "-k", "iou"],
    ),
    (
        "segmentation: HD95 between whole masks, not surfaces",
        "segmentation.py",
        "return mask & ~ndi.binary_erosion(mask, border_value=0)",
        "return mask",
        ["tests/test_segmentation.py", "-k", "hd95"],
    ),
    (
        "segmentation: HD95 surface misses pixels on the image border",
        "segmentation.py",
        "ndi.binary_erosion(mask, border_value=0)",
        "ndi.binary_erosion(mask, border_value=1)",
        ["tests/test_segmentation.py", "-k", "hd95"],
    ),
    (
        "segmentation: HD95 of two empty masks NaN",
        "segmentation.py",
        "    if not pred.any() and not truth.any():\n        return 0.0\n",
        "",
        ["tests/test_segmentation.py", "-k", "hd95"],
    ),
    (
        "segmentation: HD95 with one empty mask 0",
        "segmentation.py",
        'return float("nan")',
        "return 0.0",
        ["tests/test_segmentation.py", "-k", "hd95"],
    ),
    (
        "segmentation: HD95 is the maximum (Hausdorff)",
        "segmentation.py",
        "np.concatenate([to_truth, to_pred]), 95)",
        "np.concatenate([to_truth, to_pred]), 100)",
        ["tests/test_segmentation.py", "-k", "hd95"],
    ),
    (
        "segmentation: HD95 one direction only",
        "segmentation.py",
        "np.percentile(np.concatenate([to_truth, to_pred]), 95)",
        "np.percentile(to_truth, 95)",
        ["tests/test_segmentation.py", "-k", "hd95"],
    ),
    (
        "segmentation: HD95 in pixels one way",
        "segmentation.py",
        "to_pred = ndi.distance_transform_edt(~sp, sampling=spacing_mm)[st]",
        "to_pred = ndi.distance_transform_edt(~sp)[st]",
        ["tests/test_segmentation.py", "-k", "hd95"],
    ),
    (
        "segmentation: lesion covered by any lesion's label",
        "segmentation.py",
        "inside = lesions[int(image)] == int(label)",
        "inside = lesions[int(image)] > 0",
        ["tests/test_segmentation.py", "-k", "lesion_detection"],
    ),
    (
        "segmentation: lesion looked up in the prediction of image 0",
        "segmentation.py",
        "np.asarray(preds[int(image)], bool)[inside]",
        "np.asarray(preds[0], bool)[inside]",
        ["tests/test_segmentation.py", "-k", "lesion_detection"],
    ),
    (
        "segmentation: found needs more than the minimum overlap",
        "segmentation.py",
        '"found": covered >= min_overlap',
        '"found": covered > min_overlap',
        ["tests/test_segmentation.py", "-k", "lesion_detection"],
    ),
    (
        "segmentation: false positives count every region",
        "segmentation.py",
        "counts.append(n - len(touched))",
        "counts.append(n)",
        ["tests/test_segmentation.py", "-k", "lesion_detection"],
    ),
    (
        "segmentation: sensitivity is the mean coverage",
        "segmentation.py",
        'values="found",',
        'values="covered",',
        ["tests/test_segmentation.py", "-k", "sensitivity"],
    ),
    (
        "segmentation: sensitivity table with size and contrast swapped",
        "segmentation.py",
        'size=pd.cut(detections["radius_mm"], size_edges_mm),',
        'size=pd.cut(detections["contrast_hu"], size_edges_mm),',
        ["tests/test_segmentation.py", "-k", "sensitivity"],
    ),
    (
        "segmentation: bootstrap mean with NaNs kept",
        "segmentation.py",
        "    values = values[~np.isnan(values)]\n",
        "",
        ["tests/test_segmentation.py", "-k", "bootstrap"],
    ),
    (
        "segmentation: bootstrap interval at 95 % whatever the level",
        "segmentation.py",
        (
            "        np.mean,\n        n_resamples=n_boot,\n        "
            "confidence_level=level,"
        ),
        "        np.mean,\n        n_resamples=n_boot,\n        confidence_level=0.95,",
        ["tests/test_segmentation.py", "-k", "bootstrap"],
    ),
    (
        "segmentation: bootstrap of the mean not seeded",
        "segmentation.py",
        (
            '        method="percentile",\n        '
            "rng=np.random.default_rng(seed),\n    )\n    return (\n        "
            "float(values"
        ),
        '        method="percentile",\n    )\n    return (\n        float(values',
        ["tests/test_segmentation.py", "-k", "bootstrap"],
    ),
    (
        "segmentation: paired difference resampled unpaired",
        "segmentation.py",
        "paired=True,",
        "paired=False,",
        ["tests/test_segmentation.py", "-k", "bootstrap"],
    ),
    (
        "segmentation: paired difference interval of b - a",
        "segmentation.py",
        "lambda x, y: np.mean(x - y)",
        "lambda x, y: np.mean(y - x)",
        ["tests/test_segmentation.py", "-k", "bootstrap"],
    ),
    (
        "segmentation: lesion sensitivity as the mean of per-image shares",
        "segmentation.py",
        "shares = found[draws].sum(axis=1) / lesions[draws].sum(axis=1)",
        "shares = (found[draws] / lesions[draws]).mean(axis=1)",
        ["tests/test_segmentation.py", "-k", "sensitivity_bootstrap"],
    ),
    (
        "segmentation: lesion sensitivity interval at 95 % whatever the level",
        "segmentation.py",
        "np.percentile(shares, [50 * (1 - level), 50 * (1 + level)])",
        "np.percentile(shares, [2.5, 97.5])",
        ["tests/test_segmentation.py", "-k", "sensitivity_bootstrap"],
    ),
    (
        "segmentation: lesion sensitivity bootstrap not seeded",
        "segmentation.py",
        "    rng = np.random.default_rng(seed)\n    draws",
        "    rng = np.random.default_rng()\n    draws",
        ["tests/test_segmentation.py", "-k", "sensitivity_bootstrap"],
    ),
    (
        "segmentation: body is the background region",
        "segmentation.py",
        "largest = np.argmax(np.bincount(regions.ravel())[1:]) + 1",
        "largest = np.argmax(np.bincount(regions.ravel()))",
        ["tests/test_segmentation.py", "-k", "body_lung"],
    ),
    (
        "segmentation: body is the first region, not the largest",
        "segmentation.py",
        "largest = np.argmax(np.bincount(regions.ravel())[1:]) + 1",
        "largest = 1",
        ["tests/test_segmentation.py", "-k", "body_lung"],
    ),
    (
        "segmentation: body holes (lungs) not filled",
        "segmentation.py",
        "body = ndi.binary_fill_holes(regions == largest)",
        "body = regions == largest",
        ["tests/test_segmentation.py", "-k", "body_lung"],
    ),
    (
        "segmentation: air outside the body counted as lung",
        "segmentation.py",
        "remove_small_objects((hu < lung_hu) & body, min_size",
        "remove_small_objects((hu < lung_hu), min_size",
        ["tests/test_segmentation.py", "-k", "body_lung"],
    ),
    (
        "segmentation: lung size limit ignored (skimage default 64)",
        "segmentation.py",
        "(hu < lung_hu) & body, min_size=min_lung_px)",
        "(hu < lung_hu) & body)",
        ["tests/test_segmentation.py", "-k", "body_lung"],
    ),
    (
        "segmentation: bone found as lesion",
        "segmentation.py",
        "        & ~bone\n",
        "",
        ["tests/test_segmentation.py", "-k", "threshold_lesions"],
    ),
    (
        "segmentation: lesions always opened with a disk of radius 1",
        "segmentation.py",
        "    if open_px > 0:\n        found = morphology.binary_opening(found, "
        "morphology.disk(open_px))",
        "    if True:\n        found = morphology.binary_opening(found, "
        "morphology.disk(1))",
        ["tests/test_segmentation.py", "-k", "threshold_lesions"],
    ),
    (
        "segmentation: lesions never opened",
        "segmentation.py",
        "    if open_px > 0:\n",
        "    if False:\n",
        ["tests/test_segmentation.py", "-k", "threshold_lesions"],
    ),
    (
        "segmentation: opening radius ignored",
        "segmentation.py",
        "morphology.disk(open_px)",
        "morphology.disk(1)",
        ["tests/test_segmentation.py", "-k", "threshold_lesions"],
    ),
    (
        "segmentation: lesion threshold on the unsmoothed image",
        "segmentation.py",
        "found = (ndi.gaussian_filter(hu, sigma_px) > threshold_hu) & tissue",
        "found = (hu > threshold_hu) & tissue",
        ["tests/test_segmentation.py", "-k", "threshold_lesions"],
    ),
    (
        "segmentation: a given tissue mask ignored",
        "segmentation.py",
        "tissue = soft_tissue_mask(hu) if tissue is None else np.asarray(tissue, bool)",
        "tissue = soft_tissue_mask(hu)",
        ["tests/test_segmentation.py", "-k", "threshold_lesions"],
    ),
    (
        "segmentation: contour x from the pixel row",
        "segmentation.py",
        "[x0 + cols * spacing, y0 + rows * spacing,",
        "[x0 + rows * spacing, y0 + cols * spacing,",
        ["tests/test_segmentation.py", "-k", "contours"],
    ),
    (
        "segmentation: contours of a mask on the image border left open",
        "segmentation.py",
        "padded = np.pad(np.asarray(mask, dtype=float), 1)",
        "padded = np.pad(np.asarray(mask, dtype=float), 0)",
        ["tests/test_segmentation.py", "-k", "contours"],
    ),
    (
        "segmentation: image grid from the last pixel",
        "segmentation.py",
        "x, y = (float(v) for v in dataset.ImagePositionPatient[:2])",
        "x, y = (float(v) + 1.0 for v in dataset.ImagePositionPatient[:2])",
        ["tests/test_segmentation.py", "-k", "contours"],
    ),
    (
        "segmentation: DICOM SEG lesion coded as anatomy",
        "segmentation.py",
        '"lesion": (abnormal, codes.SCT.Lesion)',
        '"lesion": (anatomy, codes.SCT.Lesion)',
        ["tests/test_segmentation.py", "-k", "seg_round_trip"],
    ),
    (
        "segmentation: lesion size limit ignored",
        "segmentation.py",
        "return morphology.remove_small_objects(found, min_size=min_px)",
        "return found",
        ["tests/test_segmentation.py", "-k", "threshold_lesions"],
    ),
    (
        "segmentation: unknown ROI gives a KeyError",
        "segmentation.py",
        "    if roi_name not in numbers:\n",
        "    if False:\n",
        ["tests/test_segmentation.py", "-k", "rtstruct"],
    ),
    (
        "segmentation: contours of the first ROI whatever the name",
        "segmentation.py",
        "if roi.ReferencedROINumber == numbers[roi_name]:",
        "if True:",
        ["tests/test_segmentation.py", "-k", "rtstruct"],
    ),
    (
        "segmentation: point contours taken for closed ones",
        "segmentation.py",
        'if c.ContourGeometricType == "CLOSED_PLANAR"',
        "",
        ["tests/test_segmentation.py", "-k", "rtstruct"],
    ),
    (
        "segmentation: contour holes filled",
        "segmentation.py",
        "masks[zs.index(round(float(c[0, 2]), 3))] ^= polygon2mask(",
        "masks[zs.index(round(float(c[0, 2]), 3))] |= polygon2mask(",
        ["tests/test_segmentation.py", "-k", "contours_to_mask"],
    ),
    (
        "segmentation: contour rows measured from the x origin",
        "segmentation.py",
        "rows = (c[:, 1] - origin_xy_mm[1]) / spacing_mm",
        "rows = (c[:, 1] - origin_xy_mm[0]) / spacing_mm",
        ["tests/test_segmentation.py", "-k", "contours_to_mask"],
    ),
    (
        "segmentation: contour rows and columns swapped",
        "segmentation.py",
        "np.stack([rows, cols], axis=1)",
        "np.stack([cols, rows], axis=1)",
        ["tests/test_segmentation.py", "-k", "contours_to_mask"],
    ),
    (
        "segmentation: DICOM SEG read back with the first segment for every label",
        "segmentation.py",
        "segment_label: pixels[..., k]",
        "segment_label: pixels[..., 0]",
        ["tests/test_segmentation.py", "-k", "seg_round_trip"],
    ),
]


def _copy(tmp: Path) -> Path:
    """A fresh copy of src/helpers beside links to the repository's data/ and
    pyproject.toml (as in a clone); returns the src folder."""
    src = tmp / "src"
    if src.exists():
        shutil.rmtree(src)
    shutil.copytree(
        ROOT / "src" / "helpers",
        src / "helpers",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    # data.REPO_DATA_DIR: a clone is a folder with pyproject.toml
    for name in ("data", "pyproject.toml"):
        if not (tmp / name).exists():
            (tmp / name).symlink_to(ROOT / name)
    return src


def _pytest(src: Path, args: list[str]) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(src), PYTHONDONTWRITEBYTECODE="1")
    check = subprocess.run(
        [sys.executable, "-c", "import helpers; print(helpers.__file__)"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert check.stdout.strip().startswith(str(src)), (
        f"the copy is not imported: {check.stdout}{check.stderr}"
    )
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "-k", default="", help="run only the mutations whose description contains this"
    )
    chosen = [m for m in MUTATIONS if parser.parse_args().k.lower() in m[0].lower()]
    rows, missed, baselines = [], 0, {}
    with tempfile.TemporaryDirectory(prefix="mutate-") as tmp:
        tmp = Path(tmp)
        for label, file, old, new, args in chosen:
            src = _copy(tmp)
            target = src / "helpers" / file
            text = target.read_text()
            if text.count(old) != 1:
                rows.append(
                    (
                        label,
                        file,
                        f"NOT APPLIED: the text occurs {text.count(old)} times",
                    )
                )
                missed += 1
                continue
            if (
                tuple(args) not in baselines
            ):  # the same tests on the unmutated copy, once per set of tests
                baselines[tuple(args)] = _pytest(src, args)
            if baselines[tuple(args)].returncode != 0:
                rows.append(
                    (
                        label,
                        file,
                        "TESTS FAIL UNMUTATED: "
                        + baselines[tuple(args)].stdout.strip().splitlines()[-1],
                    )
                )
                missed += 1
                continue
            target.write_text(text.replace(old, new))
            result = _pytest(src, args)
            caught = (
                result.returncode == 1
            )  # tests ran and failed (2-5: interrupted, usage or collection errors)
            missed += not caught
            rows.append(
                (
                    label,
                    file,
                    "caught" if caught else f"MISSED (pytest exit {result.returncode})",
                )
            )
            print(f"{rows[-1][2]:8s} {label}", flush=True)
    width = max(len(r[0]) for r in rows)
    print(f"\n| {'mutation':{width}s} | file | result |\n|{'-' * (width + 2)}|---|---|")
    for label, file, result in rows:
        print(f"| {label:{width}s} | {file} | {result} |")
    print(f"\n{len(rows) - missed} of {len(rows)} mutations caught")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
