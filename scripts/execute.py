"""Execute notebooks in place (stored outputs are what the book shows) and record run
time and peak memory.

Usage: python scripts/execute.py notebooks/05_training.ipynb [...]
Each notebook runs in a fresh kernel from its own folder (the solutions of its exercises
too, whose outputs are then removed: they are not stored); wall time and the kernel's
peak resident memory are stored in the notebook's metadata (``medimg.runtime``) for the
page badge, and the wall time is written into the first cell's "**Runtime:** about N s"
statement. ``--from-runtimes _build/runtimes.json`` stores instead the times that a
`make nbval JOBS=0` measured on a quiet machine while it re-executed the notebooks one
at a time, without executing them again. A failing cell stops with its error.
"""

import re
import sys
import threading
import time
from pathlib import Path

import nbformat
import psutil
from nbclient import NotebookClient

from helpers.device import load_average, machine

KERNELSPEC = {
    "name": "python3",
    "display_name": "Python 3 (ipykernel)",
    "language": "python",
}


class PeakMemory:
    """Polls the resident memory of a process and its children (the kernel) until
    stopped."""

    def __init__(self, pid: int, interval: float = 0.2):
        self.pid, self.interval, self.peak, self._stop = (
            pid,
            interval,
            0,
            threading.Event(),
        )
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            try:
                proc = psutil.Process(self.pid)
                rss = proc.memory_info().rss + sum(
                    c.memory_info().rss for c in proc.children(recursive=True)
                )
                self.peak = max(self.peak, rss)
            except psutil.Error:
                pass
            self._stop.wait(self.interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def state_runtime(nb, wall_s: float, measured_on: str) -> None:
    """Write the measured run time and machine into the first cell's '**Runtime:** about
    N s on a ...' (never typed
    by hand): the same measurement the page's badge shows."""
    stated = (
        f"{max(5, round(wall_s / 5) * 5)} s"
        if wall_s < 150
        else f"{round(wall_s / 60)} min"
    )
    cores, _, arch = measured_on.partition(", ")
    where = f"{cores} ({arch})" if arch else cores
    first = nb.cells[0]
    first.source = re.sub(
        r"\*\*Runtime:\*\* about [\d–-]+ (?:s|min|minutes)\b(?: on an? [^.;\n]*)?",
        f"**Runtime:** about {stated} on a {where}",
        first.source,
        count=1,
    )


SOLUTION = re.compile(
    r"#\s?@title Solution"
)  # ruff writes "# @title", Colab reads both


def strip_solution_outputs(nb) -> None:
    """Solutions run (their asserts check the book's answer and its checker) but their
    outputs are not stored: a
    reader meets the answer only after opening the solution and running it."""
    for cell in nb.cells:
        if cell.cell_type == "code" and SOLUTION.match(cell.source.lstrip()):
            cell.outputs = []


def execute(path: Path) -> dict:
    nb = nbformat.read(path, as_version=4)
    nb.metadata["kernelspec"] = KERNELSPEC
    client = NotebookClient(
        nb,
        timeout=900,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    with client.setup_kernel():
        pid = client.km.provisioner.process.pid
        with PeakMemory(pid) as memory:
            for index, cell in enumerate(nb.cells):
                client.execute_cell(cell, index)
    runtime = {
        "wall_s": round(time.perf_counter() - start, 1),
        "peak_rss_mb": round(memory.peak / 2**20),
        "machine": machine(),
        "load_average": load_average(),
    }  # above ~1.5: an inflated time
    nb.metadata.setdefault("medimg", {})["runtime"] = runtime
    state_runtime(nb, runtime["wall_s"], runtime["machine"])
    strip_solution_outputs(nb)
    nbformat.write(nb, path)
    return runtime


def store_measurement(path: Path, runtime: dict) -> None:
    """Store a runtime measured while the tests re-executed the notebook
    (``_build/runtimes.json``), outputs untouched."""
    nb = nbformat.read(path, as_version=4)
    nb.metadata.setdefault("medimg", {})["runtime"] = {
        k: runtime[k] for k in ("wall_s", "peak_rss_mb", "machine")
    }
    state_runtime(nb, runtime["wall_s"], runtime["machine"])
    nbformat.write(nb, path)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--from-runtimes"]:  # after a quiet `make nbval JOBS=0`
        import json

        for name, runtime in json.loads(Path(sys.argv[2]).read_text()).items():
            store_measurement(Path(name), runtime)
            print(
                f"{name}: {runtime['wall_s']} s, peak {runtime['peak_rss_mb']} MiB "
                "(from the nbval run)"
            )
        sys.exit(0)
    for name in sys.argv[1:]:
        runtime = execute(Path(name))
        print(f"{name}: {runtime['wall_s']} s, peak {runtime['peak_rss_mb']} MiB")
