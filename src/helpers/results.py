"""The committed results: where they live, which studies write them, and one rule for "a
re-run agrees".

``RESULTS_DIR`` is package data (``src/helpers/results``): a clone and a pip install
both have it. ``make bench`` (``scripts/bench.py``) writes one file per case study
(seeds 0, 1 and 2) and per headline chapter; a chapter run with one seed compares itself
with them (``check_seed0``, ``record_headline``). ``CASE_STUDIES`` and
``HEADLINES`` are the one list of what is benchmarked, read by the bench, the results
page, the selection script, the leakage audit and the tests. No TensorFlow here.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

RESULTS_DIR = Path(__file__).resolve().with_name("results")

# dataset: the chapter that trains it, a title, the task and the benchmark's target
# (test means over 3 seeds)
CASE_STUDIES = {
    "breastmnist": {
        "notebook": "07_case_tumour",
        "title": "BreastMNIST (breast ultrasound, malignant vs normal/benign)",
        "task": "binary-class",
        "target": {"auc": 0.92, "acc": 0.87},
    },
    "pneumoniamnist": {
        "notebook": "08_case_chest",
        "title": "PneumoniaMNIST (paediatric chest X-ray, pneumonia vs normal)",
        "task": "binary-class",
        "target": {"auc": 0.98, "acc": 0.90},
    },
    "retinamnist": {
        "notebook": "09_case_ophthalmology",
        "title": "RetinaMNIST (fundus, diabetic retinopathy grade 0–4)",
        "task": "ordinal-regression",
        "target": {"auc": 0.75, "acc": 0.53},
    },
    "adrenalmnist3d": {
        "notebook": "12_case_3d_ct",
        "title": "AdrenalMNIST3D (3D adrenal shape, hyperplasia vs normal)",
        "task": "binary-class",
        "target": {"auc": 0.90, "acc": 0.80},
    },
}
# results files of the chapters that are not MedMNIST classifiers: name -> notebook
# chapters whose comparisons make bench repeats over seeds 0-2 (WRITE_RESULTS = True)
HEADLINES = {
    "architecture": "04_building_the_cnn",
    "training": "05_training",
    "scarcity": "14_data_scarcity",
    "segmentation": "17_segmentation",
    "generation": "18_generation",
}

# a seed-0 run (or a new mean) agrees with committed 3-seed results when it lies within
# max(SD_FACTOR x sd, floor): three seeds estimate the sd poorly, and another CPU or a
# GPU
# moves a run like a new seed
SD_FACTOR = 3
FLOORS = {"auc": 0.01, "acc": 0.02}
BASELINE_FLOOR = (
    0.02  # the article's CNN keeps its last epoch, which moves more between machines
)


def tolerance(sd: float, floor: float) -> float:
    """How far a re-run may lie from a committed mean with seed-to-seed ``sd``: max(3
    sd, floor)."""
    return max(SD_FACTOR * sd, floor)


def load(name: str, folder: Path | None = None) -> dict | None:
    """The committed results ``<name>.json``, or None where there are none (and then
    say so)."""
    file = (Path(folder) if folder else RESULTS_DIR) / f"{name}.json"
    if not file.is_file():
        print(
            f"no committed results are available ({name}.json is missing): nothing "
            "to compare with"
        )
        return None
    return json.loads(file.read_text())


def _sd(values) -> float:
    return round(float(np.std(values, ddof=1)), 4) if len(values) > 1 else 0.0


def summarise(runs: list[dict], keys=("auc", "acc")) -> dict:
    """Mean and sd (ddof=1) of ``test_<key>`` over ``runs``, rounded to 4 places, and
    ``n_runs``."""
    out = {}
    for key in keys:
        values = [r[f"test_{key}"] for r in runs]
        out[f"test_{key}_mean"] = round(float(np.mean(values)), 4)
        out[f"test_{key}_sd"] = _sd(values)
    return out | {"n_runs": len(runs)}


def save(
    name: str, runs: list[dict], extra: dict | None = None, folder: Path | None = None
) -> Path:
    """Write ``<name>.json``: the runs (seed, test_auc, test_acc, train_seconds, ...)
    and their summary."""
    summary = {"dataset": name, "seeds": [int(r["seed"]) for r in runs]}
    summary |= {k: v for k, v in summarise(runs).items() if k != "n_runs"}
    summary["train_seconds_mean"] = round(
        float(np.mean([r["train_seconds"] for r in runs])), 1
    )
    summary["runs"] = runs
    if all(
        "test_auc_clean" in r for r in runs
    ):  # AUC on the test images without a near-copy
        clean = summarise(runs, keys=("auc_clean",))
        summary |= {k: v for k, v in clean.items() if k != "n_runs"}
    summary |= extra or {}
    folder = Path(folder) if folder else RESULTS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / f"{name}.json"
    out.write_text(json.dumps(summary, indent=1) + "\n")
    return out


def record(
    name: str,
    runs: list[dict],
    baseline_runs: list[dict],
    description: str,
    ci95: tuple[float, float],
    extra: dict | None = None,
) -> dict | None:
    """With 3+ seeds (``make bench``) write ``<name>.json``; with fewer, return the
    committed results.

    ``runs`` and ``baseline_runs`` (the article CNN) hold seed, test_auc and test_acc
    per seed; ``ci95`` is the bootstrap interval of seed 0's test AUC. Check the seed-0
    run against what this returns with ``check_seed0``.
    """
    if len(runs) < 3:
        return load(name)
    from .book import peak_rss_mb

    info = {
        "model": description,
        "baseline_article_cnn": summarise(baseline_runs),
        "baseline_runs": baseline_runs,
        "bootstrap_auc_ci95": [round(ci95[0], 4), round(ci95[1], 4)],
        "peak_rss_mb": round(peak_rss_mb()),
    }
    save(name, runs, extra=info | (extra or {}))
    print(f"wrote helpers/results/{name}.json from {len(runs)} seeds")
    return load(name)


def check_seed0(
    run: dict,
    baseline_run: dict | None,
    committed: dict | None,
    floors: dict | None = None,
) -> None:
    """Assert a seed-0 run (and the article CNN's) against committed 3-seed results, by
    ``tolerance``.

    ``run`` and ``baseline_run`` hold test_auc and test_acc; the model's AUC and ACC and
    the baseline's AUC must each lie within max(3 sd, floor) of the committed mean
    (``floors`` overrides ``FLOORS``; the baseline's floor is ``BASELINE_FLOOR``).
    Prints what it compared; nothing to check where ``committed`` is None.
    """
    if committed is None:
        return
    floors = FLOORS | (floors or {})
    checks = [("our model", run, committed, key, floors[key]) for key in ("auc", "acc")]
    if baseline_run is not None:
        checks.append(
            (
                "article CNN",
                baseline_run,
                committed["baseline_article_cnn"],
                "auc",
                BASELINE_FLOOR,
            )
        )
    for who, values, reference, key, floor in checks:
        mean, sd = reference[f"test_{key}_mean"], reference[f"test_{key}_sd"]
        allowed = tolerance(sd, floor)
        assert abs(values[f"test_{key}"] - mean) <= allowed, (
            who,
            key,
            values[f"test_{key}"],
            mean,
            allowed,
        )
    print(
        f"seed 0 lies within max({SD_FACTOR} sd, floor) of the committed means: "
        f"{len(checks)} checks"
    )


def drift(committed: dict, new: dict, sd_ratio: float = 4.0) -> list[str]:
    """Where a new 3-seed bench moved from the committed one: a mean by more than
    ``tolerance`` (the larger of
    the two sds), or an sd by more than a factor ``sd_ratio`` (both at least 0.005)."""
    problems = []
    pairs = (
        ("model", committed, new),
        (
            "baseline",
            committed.get("baseline_article_cnn"),
            new.get("baseline_article_cnn"),
        ),
    )
    for label, old, now in pairs:
        if not old or not now:
            continue
        for key in ("auc", "acc"):
            mean, sd = f"test_{key}_mean", f"test_{key}_sd"
            allowed = tolerance(max(old[sd], now[sd]), FLOORS[key])
            if abs(now[mean] - old[mean]) > allowed:
                problems.append(
                    f"{new.get('dataset', '?')} {label}: {mean} {now[mean]:.4f} vs "
                    "committed "
                    f"{old[mean]:.4f} (allowed ± {allowed:.4f})"
                )
            low, high = sorted((max(old[sd], 0.005), max(now[sd], 0.005)))
            if high / low > sd_ratio:
                problems.append(
                    f"{new.get('dataset', '?')} {label}: {sd} {now[sd]:.4f} vs "
                    "committed "
                    f"{old[sd]:.4f} (more than {sd_ratio:g}x apart)"
                )
    return problems


def consistency_problems(result: dict) -> list[str]:
    """Where a case-study results file disagrees with itself: summaries vs runs,
    seeds vs runs."""
    name, runs = result.get("dataset", "?"), result["runs"]
    problems = []
    if result["seeds"] != [int(r["seed"]) for r in runs]:
        problems.append(
            f"{name}: seeds {result['seeds']} but the runs have "
            f"{[r['seed'] for r in runs]}"
        )
    secs = round(float(np.mean([r["train_seconds"] for r in runs])), 1)
    if abs(result["train_seconds_mean"] - secs) > 0.1:
        problems.append(
            f"{name}: train_seconds_mean is {result['train_seconds_mean']} but its "
            f"runs give {secs}"
        )
    if "baseline_runs" not in result or "baseline_article_cnn" not in result:
        return problems + [f"{name}: no baseline_runs and baseline_article_cnn"]
    if (
        not len(result["baseline_runs"])
        == result["baseline_article_cnn"].get("n_runs")
        == len(runs)
    ):
        problems.append(
            f"{name}: {len(result['baseline_runs'])} baseline runs summarised as "
            f"{result['baseline_article_cnn'].get('n_runs')}, {len(runs)} model runs"
        )
    for label, summary, its_runs in (
        ("model", result, runs),
        ("baseline", result["baseline_article_cnn"], result["baseline_runs"]),
    ):
        for key, value in summarise(its_runs).items():
            if key != "n_runs" and abs(summary[key] - value) > 1e-4:
                problems.append(
                    f"{name}: {label} {key} is {summary[key]} but its runs give {value}"
                )
    return problems


def record_headline(
    name: str, values: dict, tolerances: dict, write: bool = False
) -> dict | None:
    """Headline numbers of chapters 17 and 18: write ``<name>.json`` when ``write`` (the
    bench), else check.

    ``values`` holds numbers or lists of numbers (e.g. ``[estimate, low, high]``);
    ``tolerances`` maps the keys to check to the largest allowed difference from the
    committed file (lists: element by element). Returns the committed results (None
    where there are none); raises AssertionError when a checked number moved too far
    (after writing, when ``write``: the bench then fails and ``git diff`` shows what
    moved).
    """
    committed = load(name)
    moved = []
    for key, allowed in tolerances.items() if committed is not None else ():
        if key not in committed:  # a number the committed file does not hold yet
            if not write:
                moved.append(f"{key} is not in the committed file: run the bench")
            continue
        now, then = values[key], committed[key]
        pairs = zip(now, then) if isinstance(now, (list, tuple)) else [(now, then)]
        if any(abs(a - b) > allowed for a, b in pairs):
            moved.append(f"{key} {now} differs from the committed {then} (± {allowed})")
    if write:
        from .book import peak_rss_mb

        out = RESULTS_DIR / f"{name}.json"
        out.write_text(
            json.dumps(dict(values, peak_rss_mb=round(peak_rss_mb())), indent=1) + "\n"
        )
        print(f"wrote results/{name}.json")
        assert not moved, f"{name}: the new results moved: " + "; ".join(moved)
        return load(name)
    if committed is None:
        return None
    assert not moved, f"{name}: " + "; ".join(moved)
    n = len(tolerances)
    print(
        f"{n} headline {'number agrees' if n == 1 else 'numbers agree'} "
        f"with the committed results/{name}.json"
    )
    return committed


def check_seed_run(run: dict, committed_runs: list[dict] | None, floors: dict) -> None:
    """Assert a chapter's seed-0 values against the committed per-seed values of the
    same comparisons.

    A seed run maps each metric to ``{setting: value}``; for each metric in ``floors``
    every setting's value in ``run`` must lie within ``tolerance(sd, floor)`` of its
    committed mean over seeds. Nothing to check where ``committed_runs`` is None.
    """
    if committed_runs is None:
        return
    checks = 0
    for metric, floor in floors.items():
        for setting, value in run[metric].items():
            values = [r[metric][setting] for r in committed_runs]
            mean, allowed = float(np.mean(values)), tolerance(_sd(values), floor)
            assert abs(value - mean) <= allowed, (metric, setting, value, mean, allowed)
            checks += 1
    print(
        f"seed {run.get('seed', 0)} lies within max({SD_FACTOR} sd, floor) of the "
        f"committed means over {len(committed_runs)} seeds: {checks} checks"
    )


def difference_words(s: dict, unit: str = "", digits: int = 3) -> str:
    """One comparison over seeds (a ``metrics.seeds_paired`` result, as kept in a
    ``compare_seeds`` table's ``attrs["stats"]``) as words: the mean paired difference
    a - b and its 95 % t-interval over seeds, e.g. "+0.120 [+0.054, +0.186]"; with one
    seed there is no interval: "+0.120 (1 seed, no interval)"."""
    number = lambda v: f"{v:+.{digits}f}{unit}"
    if s["n_seeds"] < 2:
        return f"{number(s['difference'])} ({s['n_seeds']} seed, no interval)"
    return f"{number(s['difference'])} [{number(s['low'])}, {number(s['high'])}]"


def compare_seeds(
    seed_runs: list[dict], metric: str, pairs, lower_is_better: bool = False
):
    """A table of comparisons repeated over seeds.

    ``seed_runs`` hold, per seed, ``{metric: {setting: value}}``; for each ``(a, b)``
    in ``pairs`` a row gives both settings' mean ± sd, the paired difference a - b with
    its 95 % t-interval over seeds and the verdict that interval supports
    (``metrics.seeds_paired``: "a better" only when the interval excludes 0 and every
    seed agrees). The numbers behind each row are in ``table.attrs["stats"]``.
    """
    import pandas as pd

    from .metrics import seeds_paired

    rows, stats = [], {}
    for a, b in pairs:
        s = seeds_paired(
            [r[metric][a] for r in seed_runs],
            [r[metric][b] for r in seed_runs],
            lower_is_better,
        )
        verdict = {
            "a": f"{a} better",
            "b": f"{b} better",
            "none": "no reliable difference",
        }.get(s["verdict"], s["verdict"])
        label = f"{a} vs {b}"
        stats[label] = s
        rows.append(
            {
                "comparison": label,
                "metric": metric,
                "A: mean ± sd": f"{s['a_mean']:.3f} ± {s['a_sd']:.3f}",
                "B: mean ± sd": f"{s['b_mean']:.3f} ± {s['b_sd']:.3f}",
                "A − B [95 % CI]": difference_words(s),
                "seeds": s["n_seeds"],
                "verdict": verdict,
            }
        )
    table = pd.DataFrame(rows).set_index("comparison")
    table.attrs["stats"] = stats
    return table
