"""Choosing a recipe on the validation split only, with a committed log of every
candidate tried.

The protocol the four case studies (chapters 07, 08, 09 and 12) share:

1. List the candidate recipes, simplest first, each as a JSON-able configuration.
2. Train every candidate with every selection seed and score it on the **validation**
   split, on the images with no near-copy in training
   (``leakage.clean_validation_mask``): a near-copy rewards memorising. The same
   images choose each training run's best epoch (``training.fit``, from the plain
   predictions: a candidate with test-time augmentation is scored with it), so a
   candidate's score is close to its best epoch's AUC on the images that chose that
   epoch: optimistic by the choice, which is why the test split is scored once, at
   the end. The function that trains and scores receives the dataset through
   ``without_test``, so reading a test key raises a KeyError.
3. Choose by the rule (``rule()``): the highest mean validation AUC (``val_auc``, on
   those images). Candidates within ``MARGIN`` of the best count as tied, and among
   them the one listed first (the simplest) wins.
4. Train the chosen recipe once per seed and evaluate it on the test split at the end
   (the chapter does this).

``run_or_load`` re-runs the selection and writes
``helpers/results/selection/<name>.json`` (``scripts/select_recipes.py``), or reads the
committed log and checks that it was made with the candidates the chapter lists now.
"""

from __future__ import annotations

import json
import platform
import subprocess
import time
from pathlib import Path

import numpy as np

from .device import load_average

# package data beside the results files (helpers.results.RESULTS_DIR)
SELECTION_DIR = Path(__file__).resolve().with_name("results") / "selection"
SEEDS = (0, 1)
MARGIN = 0.01


def rule(margin: float = MARGIN) -> str:
    """The selection rule in words, as every log states it."""
    return (
        "highest mean validation AUC (validation images with no near-copy in "
        "training) over the selection "
        f"seeds; candidates within {margin} of the best count as tied, and the "
        "first of them in the list (the "
        "simplest) wins"
    )


def without_test(dataset: dict) -> dict:
    """``dataset`` without its test split: a selection run that reads ``test_images``
    fails with a KeyError."""
    return {k: v for k, v in dataset.items() if not k.startswith("test")}


def choose(candidates: list[dict], margin: float = MARGIN) -> str:
    """The name of the first candidate whose mean validation AUC is within ``margin``
    of the best."""
    best = max(c["val_auc_mean"] for c in candidates)
    return next(c["name"] for c in candidates if c["val_auc_mean"] >= best - margin)


def _commit() -> str:
    """The commit of the clone the selection runs in (the working folder: the helpers
    may be pip-installed)."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True
        )
    except OSError:
        return "unknown"
    return out.stdout.strip() or "unknown"


def _plain(config):
    """``config`` as JSON will store it (tuples become lists), for comparing with a
    committed log."""
    return json.loads(json.dumps(config))


def run(
    name: str, candidates: dict, evaluate, seeds=SEEDS, margin: float = MARGIN
) -> dict:
    """Score every candidate with ``evaluate(config, seed) -> {"val_auc": ..., other
    validation metrics}``.

    Returns the log: each candidate's configuration, its runs and mean validation AUC,
    the rule and the choice.
    """
    rows = []
    for label, config in candidates.items():
        runs = []
        for seed in seeds:
            start = time.perf_counter()
            scores = evaluate(config, seed)
            if any(key.startswith("test") for key in scores):
                raise ValueError(
                    f"selection must not score the test split, but {label} "
                    f"returned {sorted(scores)}"
                )
            runs.append(
                {
                    "seed": int(seed),
                    **{k: round(float(v), 4) for k, v in scores.items()},
                    "seconds": round(time.perf_counter() - start, 1),
                }
            )
        mean = float(np.mean([r["val_auc"] for r in runs]))
        rows.append(
            {
                "name": label,
                "config": _plain(config),
                "runs": runs,
                "val_auc_mean": round(mean, 4),
            }
        )
        print(
            f"{label}: validation AUC {[r['val_auc'] for r in runs]}, mean {mean:.4f}"
        )
    return {
        "dataset": name,
        "rule": rule(margin),
        "margin": margin,
        "seeds": [int(s) for s in seeds],
        "candidates": rows,
        "chosen": choose(rows, margin),
        "commit": _commit(),
        "load_average": load_average(),
        "machine": platform.machine(),
        "date": time.strftime("%Y-%m-%d"),
    }


def load(name: str, candidates: dict | None = None, folder: Path | None = None) -> dict:
    """The committed selection log of ``name``; with ``candidates``, check the log
    was made with exactly those."""
    file = Path(folder or SELECTION_DIR) / f"{name}.json"
    if not file.is_file():
        raise FileNotFoundError(
            f"no selection log {file}: run the selection "
            "(scripts/select_recipes.py, or RESELECT = True)"
        )
    log = json.loads(file.read_text())
    if candidates is not None:
        logged = {c["name"]: c["config"] for c in log["candidates"]}
        if logged != _plain(candidates):
            raise ValueError(
                f"the candidates differ from those in {file.name}: re-run the "
                "selection "
                "(scripts/select_recipes.py, or RESELECT = True) and commit the new log"
            )
    return log


def run_or_load(
    name: str,
    candidates: dict,
    evaluate,
    rerun: bool = False,
    seeds=SEEDS,
    folder: Path | None = None,
) -> dict:
    """``rerun``: run the selection and write its log (returned); otherwise load the
    committed log (see ``load``)."""
    if not rerun:
        return load(name, candidates, folder)
    log = run(name, candidates, evaluate, seeds)
    out = Path(folder or SELECTION_DIR)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.json").write_text(json.dumps(log, indent=1) + "\n")
    print(f"wrote {out.name}/{name}.json: chose {log['chosen']!r}")
    return log


def show(log: dict):
    """Print the rule, the commit the log was made at and the choice; return
    ``table(log)``."""
    print("rule:", log["rule"])
    print(
        f"log made at commit {log['commit']} with seeds {log['seeds']}; chosen: "
        f"{log['chosen']}"
    )
    return table(log)


def table(log: dict):
    """One row per candidate: validation AUC per seed, the mean, and which one the
    rule chose (pandas DataFrame)."""
    import pandas as pd

    rows = {}
    for c in log["candidates"]:
        row = {f"val AUC, seed {r['seed']}": r["val_auc"] for r in c["runs"]}
        row["mean"] = c["val_auc_mean"]
        row["chosen"] = "yes" if c["name"] == log["chosen"] else ""
        rows[c["name"]] = row
    return pd.DataFrame(rows).T.rename_axis("candidate (simplest first)")
