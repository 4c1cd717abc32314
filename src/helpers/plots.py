"""Figures that several chapters draw: image grids, ROC/PR panels, learning curves,
calibration."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np


def image_grid(
    images,
    labels=None,
    label_names=None,
    n: int = 16,
    cols: int = 8,
    size: float = 1.4,
    title: str | None = None,
):
    """Show the first ``n`` images in a grid, each titled with its label name;
    returns the figure."""
    images = np.asarray(images)[:n]
    rows = int(np.ceil(len(images) / cols))
    fig, axes = plt.subplots(
        rows, cols, figsize=(cols * size, rows * size * 1.15), squeeze=False
    )
    for ax in axes.flat:
        ax.axis("off")
    for i, (ax, image) in enumerate(zip(axes.flat, images)):
        image = image.squeeze()
        ax.imshow(image, cmap=None if image.ndim == 3 else "gray")
        if labels is not None:
            label = int(np.ravel(labels[i])[0])
            ax.set_title(label_names[label] if label_names else str(label), fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def roc_pr_panel(y_true, score, label: str = "model", axes=None, pos_label: int = 1):
    """ROC and precision-recall curves side by side (sklearn's displays); returns the
    two axes."""
    from sklearn.metrics import PrecisionRecallDisplay, RocCurveDisplay

    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(10, 4.2))
    RocCurveDisplay.from_predictions(
        y_true, score, name=label, ax=axes[0], pos_label=pos_label
    )
    axes[0].plot([0, 1], [0, 1], "k:", lw=1, label="chance")
    axes[0].set_title("ROC curve")
    PrecisionRecallDisplay.from_predictions(
        y_true, score, name=label, ax=axes[1], pos_label=pos_label
    )
    axes[1].set_title("Precision-recall curve")
    for ax in axes:
        ax.legend(loc="lower right", fontsize=8)
    return axes


def learning_curves(histories: dict, metric: str = "loss", ax=None):
    """Training (dashed) and validation (solid) ``metric`` per epoch for several
    Keras histories; returns the axis."""
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4))
    for (name, history), colour in zip(
        histories.items(), plt.rcParams["axes.prop_cycle"].by_key()["color"] * 5
    ):
        h = history.history if hasattr(history, "history") else history
        epochs = np.arange(1, len(h[metric]) + 1)
        ax.plot(epochs, h[metric], "--", color=colour, alpha=0.7)
        if f"val_{metric}" in h:
            ax.plot(epochs, h[f"val_{metric}"], "-", color=colour, label=name)
    ax.set_xlabel("epoch")
    ax.set_ylabel(metric)
    ax.legend(
        title="validation (solid), training (dashed)", fontsize=8, title_fontsize=8
    )
    return ax


def confusion_heatmap(
    y_true, y_pred, label_names, ax=None, title: str | None = None, cmap: str = "Blues"
):
    """Confusion-matrix heatmap (seaborn): true class in rows, predicted in columns,
    count and row %; returns ax."""
    import seaborn as sns
    from sklearn.metrics import confusion_matrix

    counts = confusion_matrix(
        np.asarray(y_true).ravel(),
        np.asarray(y_pred).ravel(),
        labels=np.arange(len(label_names)),
    )
    row_share = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    text = np.array(
        [
            [f"{c}\n{100 * s:.0f} %" for c, s in zip(row_c, row_s)]
            for row_c, row_s in zip(counts, row_share)
        ]
    )
    if ax is None:
        size = 1.2 + 0.9 * len(label_names)
        _, ax = plt.subplots(figsize=(size + 1, size))
    sns.heatmap(
        row_share,
        annot=text,
        fmt="",
        cmap=cmap,
        vmin=0,
        vmax=1,
        square=True,
        ax=ax,
        xticklabels=label_names,
        yticklabels=label_names,
        cbar_kws={"label": "share of the true class"},
    )
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title or "Confusion matrix")
    return ax


def calibration_panel(
    y_true,
    score,
    label: str = "model",
    n_bins: int = 10,
    axes=None,
    pos_label: int = 1,
    strategy: str = "quantile",
):
    """Reliability diagram (sklearn CalibrationDisplay, Brier score in legend) over a
    histogram; returns 2 axes."""
    from sklearn.calibration import CalibrationDisplay
    from sklearn.metrics import brier_score_loss

    positive = (np.asarray(y_true).ravel() == pos_label).astype(int)
    score = np.asarray(score).ravel()
    if axes is None:
        _, axes = plt.subplots(
            2, 1, figsize=(5, 6), sharex=True, gridspec_kw={"height_ratios": [3, 1]}
        )
    brier = brier_score_loss(positive, score)
    CalibrationDisplay.from_predictions(
        positive,
        score,
        n_bins=n_bins,
        strategy=strategy,
        ax=axes[0],
        name=f"{label} (Brier {brier:.3f})",
    )
    axes[0].set_title("Calibration (reliability) curve")
    axes[0].legend(loc="upper left", fontsize=8)
    axes[1].hist(score, bins=20, range=(0, 1), color="grey")
    axes[1].set_xlabel("predicted probability of the positive class")
    axes[1].set_ylabel("cases")
    return axes


def threshold_curve(
    y_true, score, thresholds: dict | None = None, ax=None, pos_label: int = 1
):
    """Sensitivity and specificity against the decision threshold, with named
    thresholds marked; returns the axis."""
    from sklearn.metrics import roc_curve

    positive = np.asarray(y_true).ravel() == pos_label
    fpr, tpr, cut = roc_curve(
        positive, np.asarray(score).ravel(), drop_intermediate=False
    )
    keep = np.isfinite(cut) & (cut <= 1)
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4))
    ax.step(cut[keep], tpr[keep], where="post", label="sensitivity")
    ax.step(cut[keep], 1 - fpr[keep], where="post", label="specificity")
    styles, colours = (
        ["--", ":", "-.", "--", ":", "-."],
        ["k", "k", "k", "tab:red", "tab:red", "tab:red"],
    )
    marks = zip((thresholds or {}).items(), styles, colours)
    for (name, value), style, colour in marks:
        ax.axvline(value, color=colour, ls=style, lw=1.2, label=f"{name}: {value:.3f}")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("threshold on the positive-class probability")
    ax.set_ylabel("rate")
    ax.set_title("Sensitivity and specificity against the threshold")
    ax.legend(fontsize=8, loc="lower left")
    return ax
