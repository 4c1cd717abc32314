"""The benchmark: re-train every case-study model over 3 seeds, check the results, print them with times and memory.

Usage: python scripts/bench.py [notebooks/07_case_tumour.ipynb ...]   (default: every case study, then 17 and 18)
Each case-study notebook has a cell tagged `parameters` (``SEEDS = [0]`` for the book and CI). Here a copy runs with
``SEEDS = [0, 1, 2]``; in that mode the notebook writes ``src/helpers/results/<dataset>.json`` (package data, so a
pip-installed ``helpers`` has them too). The committed notebook is not changed. Then every new results file is checked:
its means and SDs (AUC and ACC, our model and the article-CNN baseline) must agree with its own runs, and must agree
with the results committed before the bench within the seed-to-seed spread (``drift``). ``book/results.md`` is
regenerated either way; the exit status is 1 when a check fails (``git diff src/helpers/results`` shows what moved).
Chapters 17 and 18 (``HEADLINES``) run once with ``WRITE_RESULTS = True``: they write their headline numbers and fail
when those moved from the committed ones by more than the tolerances their own check uses. A cell that fails does not
stop a notebook: every failure is reported (and the exit status is 1), and the files written are kept.
Each results file records the wall time, the load average before and at the end (the latter counts the notebook's own
threads) and the git commit it was measured at (``+changes`` when src/ or notebooks/ held uncommitted edits).
"""
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import numpy as np
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

sys.path.insert(0, str(Path(__file__).parent))
from execute import KERNELSPEC, PeakMemory  # noqa: E402
from helpers.device import load_average  # noqa: E402
import results_page  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
RESULTS = results_page.RESULTS
CASES = {"notebooks/07_case_tumour.ipynb": ["breastmnist"], "notebooks/08_case_chest.ipynb": ["pneumoniamnist"],
         "notebooks/09_case_ophthalmology.ipynb": ["retinamnist"], "notebooks/12_case_3d_ct.ipynb": ["adrenalmnist3d"]}
HEADLINES = {"notebooks/17_segmentation.ipynb": ["segmentation"], "notebooks/18_generation.ipynb": ["generation"]}
BENCH_SEEDS = "SEEDS = [0, 1, 2]  # set by scripts/bench.py\n"
WRITE = ("WRITE_RESULTS = False", "WRITE_RESULTS = True  # set by scripts/bench.py")
SUMMARY_KEYS = ("test_auc_mean", "test_auc_sd", "test_acc_mean", "test_acc_sd")


def _summary(runs: list[dict]) -> dict:
    """Mean and sd (ddof=1) of test AUC and ACC over ``runs``, rounded as the results files store them."""
    out = {}
    for metric in ("auc", "acc"):
        values = np.array([r[f"test_{metric}"] for r in runs], dtype=float)
        out[f"test_{metric}_mean"] = round(float(values.mean()), 4)
        out[f"test_{metric}_sd"] = round(float(values.std(ddof=1)), 4) if len(values) > 1 else 0.0
    return out


def consistency_problems(result: dict) -> list[str]:
    """Where a results file disagrees with itself: summary vs runs, seeds vs runs, baseline size (and its runs)."""
    name, runs = result.get("dataset", "?"), result["runs"]
    problems = []
    if result["seeds"] != [int(r["seed"]) for r in runs]:
        problems.append(f"{name}: seeds {result['seeds']} but the runs have {[r['seed'] for r in runs]}")
    for key, value in _summary(runs).items():
        if abs(result[key] - value) > 1e-4:
            problems.append(f"{name}: {key} is {result[key]} but its runs give {value}")
    secs = round(float(np.mean([r["train_seconds"] for r in runs])), 1)
    if abs(result["train_seconds_mean"] - secs) > 0.1:
        problems.append(f"{name}: train_seconds_mean is {result['train_seconds_mean']} but its runs give {secs}")
    base = result.get("baseline_article_cnn")
    if not base:
        problems.append(f"{name}: no baseline_article_cnn summary")
        return problems
    if base.get("n_runs") != len(runs):
        problems.append(f"{name}: the baseline summarises {base.get('n_runs')} runs, the model {len(runs)}")
    if any(not 0 <= base[k] <= 1 for k in SUMMARY_KEYS) or any(base[k] > 0.5 for k in ("test_auc_sd", "test_acc_sd")):
        problems.append(f"{name}: the baseline summary {base} is not a summary of AUCs and accuracies")
    for key, value in (_summary(result["baseline_runs"]).items() if "baseline_runs" in result else ()):
        if abs(base[key] - value) > 1e-4:
            problems.append(f"{name}: baseline {key} is {base[key]} but its runs give {value}")
    return problems


def drift(committed: dict, new: dict, floor: float = 0.01, sd_ratio: float = 4.0) -> list[str]:
    """Where a re-run moved from the committed results by more than the seeds' spread allows.

    A mean (AUC or ACC, model or baseline) may move by 2 sd (the larger of the two files' sd, at least ``floor``);
    an sd may grow or shrink by a factor ``sd_ratio`` (sds of 3 seeds are themselves noisy; both at least 0.005).
    """
    problems = []
    for label, old, now in (("model", committed, new),
                            ("baseline", committed.get("baseline_article_cnn"), new.get("baseline_article_cnn"))):
        if not old or not now:
            continue
        for metric in ("auc", "acc"):
            mean, sd = f"test_{metric}_mean", f"test_{metric}_sd"
            allowed = max(2 * max(old[sd], now[sd]), floor)
            if abs(now[mean] - old[mean]) > allowed:
                problems.append(f"{new.get('dataset', '?')} {label}: {mean} {now[mean]:.4f} vs committed "
                                f"{old[mean]:.4f} (allowed ± {allowed:.4f})")
            low, high = sorted((max(old[sd], 0.005), max(now[sd], 0.005)))
            if high / low > sd_ratio:
                problems.append(f"{new.get('dataset', '?')} {label}: {sd} {now[sd]:.4f} vs committed {old[sd]:.4f} "
                                f"(more than {sd_ratio:g}x apart)")
    return problems


def run(notebook: str) -> dict:
    path = ROOT / notebook
    nb = nbformat.read(path, as_version=4)
    cells = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    if len(cells) != 1:
        raise SystemExit(f"{notebook}: needs exactly one cell tagged `parameters` (found {len(cells)})")
    if notebook in HEADLINES:
        if WRITE[0] not in cells[0].source:
            raise SystemExit(f"{notebook}: its `parameters` cell has no `{WRITE[0]}`")
        cells[0].source = cells[0].source.replace(*WRITE)
    else:
        source, n = re.subn(r"^SEEDS = \[0\].*$", BENCH_SEEDS.strip(), cells[0].source, flags=re.M)
        if n != 1:
            raise SystemExit(f"{notebook}: its `parameters` cell has no `SEEDS = [0]` line")
        cells[0].source = source
    nb.metadata["kernelspec"] = KERNELSPEC
    client = NotebookClient(nb, timeout=1800, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    start, failures, load_before = time.time(), [], load_average()
    with client.setup_kernel():
        with PeakMemory(client.km.provisioner.process.pid) as memory:
            for index, cell in enumerate(nb.cells):
                try:
                    client.execute_cell(cell, index)
                except CellExecutionError as error:  # a failed check: report it, run on, keep what was written
                    failures.append(f"{notebook} cell {index}: {error.ename}: {str(error.evalue)[:300]}")
    with tempfile.NamedTemporaryFile("w", suffix=".ipynb", delete=False) as f:  # for inspection after a bench
        nbformat.write(nb, f)
    wall = time.time() - start
    failure = "; ".join(failures) or None
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain", "src", "notebooks", ":(exclude)src/helpers/results"],
                           cwd=ROOT, capture_output=True, text=True).stdout.strip()  # not the files the bench writes
    for dataset in (CASES | HEADLINES)[notebook]:
        out = RESULTS / f"{dataset}.json"
        if not out.is_file() or out.stat().st_mtime < start:
            raise SystemExit(f"{notebook} did not write {out} (is helpers installed from this clone, pip install -e "
                             f"., and did a cell fail before writing?): {failure}")
        result = json.loads(out.read_text())
        result["peak_rss_mb"] = round(memory.peak / 2**20)
        result["bench_wall_s"] = round(wall, 1)
        result["bench_load_average"] = load_average()  # includes this notebook's own threads
        result["bench_load_average_before"] = load_before  # other work on the machine inflates the times
        result["bench_commit"] = commit.stdout.strip() + ("+changes" if dirty else "")
        out.write_text(json.dumps(result, indent=1) + "\n")
    return {"wall_s": wall, "peak_rss_mb": memory.peak / 2**20, "executed_copy": f.name, "failure": failure}


if __name__ == "__main__":
    chosen = sys.argv[1:] or list(CASES) + list(HEADLINES)
    committed = {d: json.loads((RESULTS / f"{d}.json").read_text()) for nb in chosen for d in CASES.get(nb, [])
                 if (RESULTS / f"{d}.json").is_file()}
    problems = []
    for notebook in chosen:
        info = run(notebook)
        print(f"{notebook}: {info['wall_s']:.0f} s{' for 3 seeds' if notebook in CASES else ''}, peak {info['peak_rss_mb']:.0f} MiB "
              f"(executed copy: {info['executed_copy']})")
        problems += [info["failure"]] if info["failure"] else []
        for dataset in CASES.get(notebook, []):
            new = json.loads((RESULTS / f"{dataset}.json").read_text())
            problems += consistency_problems(new)
            if dataset in committed and committed[dataset].get("model") != new.get("model"):
                print(f"{dataset}: the recipe changed (a new selection log), so drift from the committed results "
                      f"is not a failure: {committed[dataset].get('model')!r} -> {new.get('model')!r}")
            elif dataset in committed:
                problems += drift(committed[dataset], new)
    results_page.write()
    print(results_page.table_text())
    for problem in problems:
        print(f"CHECK FAILED: {problem}")
    sys.exit(1 if problems else 0)
