"""The benchmark: re-train every case-study model over 3 seeds, check the results, print
them with times and memory.

Usage: python scripts/bench.py [--keep-executed DIR] [--max-load 0.5] [NOTEBOOK ...]
(default: every case study, then chapters 17 and 18: ``helpers.results.CASE_STUDIES``
and ``HEADLINES``).

Each notebook has a cell tagged `parameters` (``SEEDS = [0]``, ``WRITE_RESULTS = False``
for the book and CI). As papermill does, a copy of the notebook runs with a cell
injected after it that sets ``SEEDS = [0, 1, 2]`` (case studies: they then write
``src/helpers/results/<dataset>.json``) or ``WRITE_RESULTS = True`` (17 and 18). The
committed notebook is not changed, and the executed copy is written only with
``--keep-executed``. Then every new results file is checked (``helpers.results``): its
summaries must agree with its own runs, and its means must lie within the committed
ones' tolerance (``results.drift``). ``book/results.md`` is regenerated either way; the
exit status is 1 when a check or a cell fails (``git diff src/helpers/results`` shows
what moved).

Before each notebook the bench waits (up to 10 min) for the 1-minute load average to
fall to ``--max-load``. Each results file records the wall time, the machine, the load
average before and at the end (the latter counts the notebook's own threads) and the
commit it was measured at (``+changes`` when src/ or notebooks/ held uncommitted edits).
"""

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

sys.path.insert(0, str(Path(__file__).parent))
import results_page  # noqa: E402
from execute import KERNELSPEC, PeakMemory  # noqa: E402

from helpers import results  # noqa: E402
from helpers.device import load_average, machine  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
RESULTS = results.RESULTS_DIR
CASES = {
    f"notebooks/{c['notebook']}.ipynb": name for name, c in results.CASE_STUDIES.items()
}
HEADLINES = {f"notebooks/{nb}.ipynb": name for name, nb in results.HEADLINES.items()}
PARAMETERS = {
    "case": ["SEEDS = [0, 1, 2]"],
    "headline": [
        "WRITE_RESULTS = True",
        "SEEDS = [0, 1, 2]",
    ],  # SEEDS where the chapter has it
}


def with_parameters(
    nb: nbformat.NotebookNode, assignments: list[str], notebook: str
) -> nbformat.NotebookNode:
    """``nb`` with a cell injected after its one cell tagged `parameters` (papermill's
    way) that makes those of ``assignments`` whose name the parameters cell sets; the
    first of ``assignments`` must be one of them."""
    tagged = [
        i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])
    ]
    if len(tagged) != 1:
        raise SystemExit(
            f"{notebook}: needs one cell tagged `parameters` (found {len(tagged)})"
        )
    source = nb.cells[tagged[0]].source
    names = [a.split("=")[0].strip() for a in assignments]
    if f"{names[0]} = " not in source:
        raise SystemExit(f"{notebook}: its `parameters` cell does not set {names[0]}")
    chosen = [a for a, name in zip(assignments, names) if f"{name} = " in source]
    cell = nbformat.v4.new_code_cell(
        "\n".join(chosen) + "  # injected by scripts/bench.py"
    )
    cell.metadata["tags"] = ["injected-parameters"]
    nb.cells.insert(tagged[0] + 1, cell)
    return nb


def _commit() -> str:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    dirty = subprocess.run(
        [
            "git",
            "status",
            "--porcelain",
            "src",
            "notebooks",
            ":(exclude)src/helpers/results",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.strip()  # not the files it writes
    return commit.stdout.strip() + ("+changes" if dirty else "")


def wait_for_quiet(max_load: float, timeout_s: float = 600) -> float:
    """Wait until the 1-minute load average is at most ``max_load`` (at most
    ``timeout_s`` seconds): the notebook before leaves its threads' load behind for a
    minute or two. Returns the load when the wait ended."""
    deadline = time.time() + timeout_s
    while load_average() > max_load and time.time() < deadline:
        time.sleep(10)
    return load_average()


def run(notebook: str, keep: Path | None = None, max_load: float | None = None) -> dict:
    path = ROOT / notebook
    nb = nbformat.read(path, as_version=4)
    nb = with_parameters(
        nb, PARAMETERS["case" if notebook in CASES else "headline"], notebook
    )
    nb.metadata["kernelspec"] = KERNELSPEC
    client = NotebookClient(
        nb,
        timeout=1800,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    load_before = wait_for_quiet(max_load) if max_load is not None else load_average()
    start, failures = time.time(), []
    with client.setup_kernel():
        with PeakMemory(client.km.provisioner.process.pid) as memory:
            for index, cell in enumerate(nb.cells):
                try:
                    client.execute_cell(cell, index)
                except (
                    CellExecutionError
                ) as error:  # a failed check: report it, run on, keep what was written
                    failures.append(
                        f"{notebook} cell {index}: {error.ename}: "
                        f"{str(error.evalue)[:300]}"
                    )
    wall = time.time() - start
    if keep:
        keep.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, keep / path.name)
    failure = "; ".join(failures) or None
    out = RESULTS / f"{(CASES | HEADLINES)[notebook]}.json"
    if not out.is_file() or out.stat().st_mtime < start:
        raise SystemExit(
            f"{notebook} did not write {out} (is helpers installed from this "
            "clone, pip install -e ., "
            f"and did a cell fail before writing?): {failure}"
        )
    result = json.loads(out.read_text())
    result |= {
        "peak_rss_mb": round(memory.peak / 2**20),
        "bench_wall_s": round(wall, 1),
        "bench_machine": machine(),
        "bench_load_average_before": load_before,
        "bench_load_average": load_average(),  # includes this notebook's own threads
        "bench_commit": _commit(),
    }
    out.write_text(json.dumps(result, indent=1) + "\n")
    return {"wall_s": wall, "peak_rss_mb": memory.peak / 2**20, "failure": failure}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", default=list(CASES) + list(HEADLINES))
    parser.add_argument(
        "--keep-executed", type=Path, help="write the executed copies into this folder"
    )
    parser.add_argument(
        "--max-load",
        type=float,
        default=0.5,
        help="before each notebook wait (up to 10 min) for the 1-minute load average "
        "to fall to this",
    )
    args = parser.parse_args(argv)
    committed = {
        CASES[nb]: results.load(CASES[nb]) for nb in args.notebooks if nb in CASES
    }
    problems = []
    for notebook in args.notebooks:
        info = run(notebook, args.keep_executed, args.max_load)
        seeds = " for 3 seeds" if notebook in CASES else ""
        print(
            f"{notebook}: {info['wall_s']:.0f} s{seeds}, peak "
            f"{info['peak_rss_mb']:.0f} MiB",
            flush=True,
        )
        problems += [info["failure"]] if info["failure"] else []
        if notebook not in CASES:
            continue
        name = CASES[notebook]
        new, old = (
            json.loads((RESULTS / f"{name}.json").read_text()),
            committed.get(name),
        )
        problems += results.consistency_problems(new)
        if old and old.get("model") != new.get("model"):
            print(
                f"{name}: the recipe changed (a new selection log), so drift from "
                "the committed results "
                f"is not a failure: {old.get('model')!r} -> {new.get('model')!r}"
            )
        elif old:
            problems += results.drift(old, new)
    results_page.write()
    print(results_page.table_text())
    for problem in problems:
        print(f"CHECK FAILED: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
