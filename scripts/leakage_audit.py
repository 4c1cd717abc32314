"""Run the leakage audit (helpers.leakage) on every MedMNIST set the book trains on;
write the committed table.

Usage: python scripts/leakage_audit.py  ->  src/helpers/results/leakage.json (read by
the results page and chapters) Deterministic: data only, no training.
tests/test_leakage.py checks the committed file against a fresh audit.
"""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
from helpers import data, leakage, results  # noqa: E402

DATASETS = tuple(results.CASE_STUDIES)
THRESHOLD = 0.99


def run() -> dict:
    table = {}
    for name in DATASETS:
        dataset = data.load_medmnist(name)
        clean = leakage.clean_test_mask(dataset, THRESHOLD)
        table[name] = {
            "pairs": leakage.audit(dataset, THRESHOLD),
            "threshold": THRESHOLD,
            "test_images": int(clean.size),
            "clean_test_images": int(clean.sum()),
        }
    return table


if __name__ == "__main__":
    out = results.RESULTS_DIR / "leakage.json"
    table = run()
    out.write_text(json.dumps(table, indent=1) + "\n")
    for name, entry in table.items():
        print(
            f"{name}: {entry['clean_test_images']} of {entry['test_images']} test "
            "images have no near-duplicate"
        )
        for row in entry["pairs"]:
            print("   ", row)
    print(f"wrote {out.relative_to(ROOT)}")
