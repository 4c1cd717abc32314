"""Headline numbers of the chapters that are not MedMNIST classifiers (17 segmentation, 18 generation).

Like ``cases.record_results``: a bench run writes ``results/<name>.json`` (package data, ``metrics.RESULTS_DIR``);
a normal run compares its numbers with the committed file within stated tolerances.
"""
from __future__ import annotations

import json

from .metrics import RESULTS_DIR, load_results


def record(name: str, values: dict, tolerances: dict, write: bool = False) -> dict | None:
    """Write ``values`` to ``results/<name>.json`` when ``write``; else check them against the committed file.

    ``values`` holds plain numbers or lists of numbers (e.g. ``[estimate, low, high]``); ``tolerances`` maps the
    keys to check to the largest allowed difference (lists: compared element by element). Returns the committed
    results (None where there are none, e.g. on Colab); raises AssertionError when a checked number moved too far
    (after writing, when ``write``: a benchmark re-run then fails its check and ``git diff`` shows what moved).
    """
    committed = load_results(name)
    moved = []
    for key, tolerance in tolerances.items() if committed is not None else ():
        now, then = values[key], committed[key]
        pairs = zip(now, then) if isinstance(now, (list, tuple)) else [(now, then)]
        if any(abs(a - b) > tolerance for a, b in pairs):
            moved.append(f"{key} {now} differs from the committed {then} (± {tolerance})")
    if write:
        from .book import peak_rss_mb
        out = RESULTS_DIR / f"{name}.json"
        out.write_text(json.dumps(dict(values, peak_rss_mb=round(peak_rss_mb())), indent=1) + "\n")
        print(f"wrote results/{name}.json")
        assert not moved, f"{name}: the new results moved: " + "; ".join(moved)  # written anyway: see git diff
        return load_results(name)
    if committed is None:
        print(f"no committed results are available ({name}.json is missing): nothing to compare with")
        return None
    assert not moved, f"{name}: " + "; ".join(moved)
    print(f"{len(tolerances)} headline numbers agree with the committed results/{name}.json")
    return committed
