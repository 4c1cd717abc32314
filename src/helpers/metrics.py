"""Evaluation shared by several chapters: the MedMNIST rules, bootstrap intervals, the results files."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from sklearn.metrics import accuracy_score, roc_auc_score

RESULTS_DIR = Path(__file__).resolve().parents[2] / "results"


def medmnist_auc_acc(task: str, y_true, probs) -> tuple[float, float]:
    """AUC and ACC by the MedMNIST rules from class probabilities ``probs`` (N, C).

    Binary: AUC of the class-1 probability, ACC at threshold 0.5. Multi-class and ordinal: mean one-vs-rest AUC,
    ACC of the arg-max class.
    """
    y_true = np.asarray(y_true).ravel()
    probs = np.asarray(probs, dtype=np.float64)
    if probs.ndim == 1:
        probs = np.stack([1 - probs, probs], axis=1)
    if probs.shape[1] == 2 and task == "binary-class":
        score = probs[:, 1]
        return float(roc_auc_score(y_true, score)), float(accuracy_score(y_true, score > 0.5))
    auc = roc_auc_score(y_true, probs, multi_class="ovr", labels=np.arange(probs.shape[1]))
    return float(auc), float(accuracy_score(y_true, probs.argmax(axis=1)))


def bootstrap_ci(y_true, score, metric=roc_auc_score, n_boot: int = 1000, level: float = 0.95, seed: int = 0):
    """(estimate, low, high): ``metric`` on all cases and the percentile bootstrap interval over resampled cases."""
    y_true, score = np.asarray(y_true).ravel(), np.asarray(score)
    rng = np.random.default_rng(seed)
    stats = []
    for _ in range(n_boot):
        idx = rng.integers(0, len(y_true), len(y_true))
        if len(np.unique(y_true[idx])) < 2:  # a resample with one class has no AUC
            continue
        stats.append(metric(y_true[idx], score[idx]))
    low, high = np.percentile(stats, [100 * (1 - level) / 2, 100 * (1 + level) / 2])
    return float(metric(y_true, score)), float(low), float(high)


def save_results(dataset: str, runs: list[dict], extra: dict | None = None, folder: Path | None = None) -> Path:
    """Write ``results/<dataset>.json``: mean and sd over ``runs`` (dicts with test_auc, test_acc, train_seconds, seed)."""
    auc = np.array([r["test_auc"] for r in runs])
    acc = np.array([r["test_acc"] for r in runs])
    secs = np.array([r["train_seconds"] for r in runs])
    summary = {
        "dataset": dataset,
        "seeds": [int(r["seed"]) for r in runs],
        "test_auc_mean": round(float(auc.mean()), 4), "test_auc_sd": round(float(auc.std(ddof=1)) if len(runs) > 1 else 0.0, 4),
        "test_acc_mean": round(float(acc.mean()), 4), "test_acc_sd": round(float(acc.std(ddof=1)) if len(runs) > 1 else 0.0, 4),
        "train_seconds_mean": round(float(secs.mean()), 1),
        "runs": runs,
    }
    summary.update(extra or {})
    folder = Path(folder) if folder else RESULTS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / f"{dataset}.json"
    out.write_text(json.dumps(summary, indent=1) + "\n")
    return out
