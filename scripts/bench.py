"""The benchmark: re-train every case-study model over 3 seeds and print results with times and peak memory.

Usage: python scripts/bench.py [notebooks/07_case_tumour.ipynb ...]   (default: every case study)
Each case-study notebook has a cell tagged `parameters` (``SEEDS = [0]`` for the book and CI). Here a copy runs with
``SEEDS = [0, 1, 2]``; in that mode the notebook writes ``results/<dataset>.json``. The committed notebook is not
changed. Then ``book/results.md`` is regenerated from the results files.
"""
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

sys.path.insert(0, str(Path(__file__).parent))
from execute import KERNELSPEC, PeakMemory  # noqa: E402
import results_page  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CASES = {"notebooks/07_case_tumour.ipynb": ["breastmnist"], "notebooks/08_case_chest.ipynb": ["pneumoniamnist"],
         "notebooks/09_case_ophthalmology.ipynb": ["retinamnist"], "notebooks/12_case_3d_ct.ipynb": ["adrenalmnist3d"]}
BENCH_SEEDS = "SEEDS = [0, 1, 2]  # set by scripts/bench.py\n"


def run(notebook: str) -> dict:
    path = ROOT / notebook
    nb = nbformat.read(path, as_version=4)
    cells = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    if len(cells) != 1:
        raise SystemExit(f"{notebook}: needs exactly one cell tagged `parameters` (found {len(cells)})")
    cells[0].source = BENCH_SEEDS
    nb.metadata["kernelspec"] = KERNELSPEC
    client = NotebookClient(nb, timeout=1800, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    with client.setup_kernel():
        with PeakMemory(client.km.provisioner.process.pid) as memory:
            for index, cell in enumerate(nb.cells):
                client.execute_cell(cell, index)
    with tempfile.NamedTemporaryFile("w", suffix=".ipynb", delete=False) as f:  # for inspection after a bench
        nbformat.write(nb, f)
    wall = time.perf_counter() - start
    for dataset in CASES[notebook]:
        out = ROOT / "results" / f"{dataset}.json"
        result = json.loads(out.read_text())
        result["peak_rss_mb"] = round(memory.peak / 2**20)
        result["bench_wall_s"] = round(wall, 1)
        result["bench_load_average"] = round(os.getloadavg()[0], 1)  # other work on the machine inflates the times
        out.write_text(json.dumps(result, indent=1) + "\n")
    return {"wall_s": wall, "peak_rss_mb": memory.peak / 2**20, "executed_copy": f.name}


if __name__ == "__main__":
    chosen = sys.argv[1:] or list(CASES)
    for notebook in chosen:
        info = run(notebook)
        print(f"{notebook}: {info['wall_s']:.0f} s for 3 seeds, peak {info['peak_rss_mb']:.0f} MiB "
              f"(executed copy: {info['executed_copy']})")
    results_page.write()
    print(results_page.table_text())
