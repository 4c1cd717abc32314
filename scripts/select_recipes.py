"""Re-run the validation-only recipe selection of the case studies and write their logs.

Usage: python scripts/select_recipes.py [notebooks/07_case_tumour.ipynb ...]   (default: 07, 08, 09 and 12)
A copy of each notebook runs with ``RESELECT = True`` in its `parameters` cell, from the top to the cell tagged
`selection`, and stops there: that cell trains every candidate recipe with the selection seeds, scores it on the
validation split only and writes ``src/helpers/results/selection/<dataset>.json`` (see ``helpers.selection``). The
committed notebook is not changed. Commit the new logs, then run ``scripts/bench.py`` for the test numbers of the
chosen recipes and re-execute the notebooks (``scripts/execute.py``).
"""
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

sys.path.insert(0, str(Path(__file__).parent))
from execute import KERNELSPEC  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ["notebooks/07_case_tumour.ipynb", "notebooks/08_case_chest.ipynb",
             "notebooks/09_case_ophthalmology.ipynb", "notebooks/12_case_3d_ct.ipynb"]
FLAG = ("RESELECT = False", "RESELECT = True  # set by scripts/select_recipes.py")


def select(notebook: str) -> float:
    path = ROOT / notebook
    nb = nbformat.read(path, as_version=4)
    tagged = {tag: [c for c in nb.cells if tag in c.metadata.get("tags", [])] for tag in ("parameters", "selection")}
    if len(tagged["parameters"]) != 1 or FLAG[0] not in tagged["parameters"][0].source:
        raise SystemExit(f"{notebook}: needs one `parameters` cell with `{FLAG[0]}`")
    if len(tagged["selection"]) != 1:
        raise SystemExit(f"{notebook}: needs exactly one cell tagged `selection`")
    tagged["parameters"][0].source = tagged["parameters"][0].source.replace(*FLAG)
    nb.metadata["kernelspec"] = KERNELSPEC
    client = NotebookClient(nb, timeout=3600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    start = time.time()
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
            if cell is tagged["selection"][0]:
                break
    for output in tagged["selection"][0].outputs:
        if output.get("name") == "stdout":
            print(output["text"], end="")
    return time.time() - start


if __name__ == "__main__":
    for notebook in sys.argv[1:] or NOTEBOOKS:
        print(f"== {notebook}", flush=True)
        print(f"{notebook}: selection done in {select(notebook):.0f} s", flush=True)
