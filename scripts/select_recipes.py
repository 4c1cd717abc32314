"""Re-run the validation-only recipe selection of the case studies and write their logs.

Usage: python scripts/select_recipes.py [notebooks/07_case_tumour.ipynb ...]   (default:
every case study) A copy of each notebook runs with ``RESELECT = True`` injected after
its `parameters` cell (as papermill does), from the top to the cell tagged `selection`,
and stops there: that cell trains every candidate recipe with the selection seeds,
scores it on the validation split only and writes
``src/helpers/results/selection/<dataset>.json`` (see ``helpers.selection``). The
committed notebook is not changed. Commit the new logs, then run
``scripts/bench.py`` for the test numbers of the chosen recipes and re-execute the
notebooks (``scripts/execute.py``).
"""

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

sys.path.insert(0, str(Path(__file__).parent))
from bench import CASES, with_parameters  # noqa: E402
from execute import KERNELSPEC  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def select(notebook: str) -> float:
    path = ROOT / notebook
    nb = with_parameters(
        nbformat.read(path, as_version=4), ["RESELECT = True"], notebook
    )
    tagged = [c for c in nb.cells if "selection" in c.metadata.get("tags", [])]
    if len(tagged) != 1:
        raise SystemExit(f"{notebook}: needs exactly one cell tagged `selection`")
    nb.metadata["kernelspec"] = KERNELSPEC
    client = NotebookClient(
        nb,
        timeout=3600,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.time()
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
            if cell is tagged[0]:
                break
    for output in tagged[0].outputs:
        if output.get("name") == "stdout":
            print(output["text"], end="")
    return time.time() - start


if __name__ == "__main__":
    for notebook in sys.argv[1:] or list(CASES):
        print(f"== {notebook}", flush=True)
        print(f"{notebook}: selection done in {select(notebook):.0f} s", flush=True)
