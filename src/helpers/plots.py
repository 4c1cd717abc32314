"""Figures that several chapters draw: image grids, CT windows, ROC/PR panels, learning curves."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

WINDOWS = {"lung": (-600, 1500), "mediastinum": (40, 400), "soft tissue": (50, 350), "bone": (400, 1800),
           "brain": (40, 80)}  # (level, width) in HU; common presets, they vary between sites


def window(hu: np.ndarray, level: float, width: float) -> np.ndarray:
    """Map HU to [0, 1] for display: ``level - width/2`` is black, ``level + width/2`` is white."""
    low = level - width / 2
    return np.clip((np.asarray(hu, dtype=np.float32) - low) / width, 0.0, 1.0)


def image_grid(images, labels=None, label_names=None, n: int = 16, cols: int = 8, size: float = 1.4,
               title: str | None = None):
    """Show the first ``n`` images in a grid, each titled with its label name; returns the figure."""
    images = np.asarray(images)[:n]
    rows = int(np.ceil(len(images) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(cols * size, rows * size * 1.15), squeeze=False)
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
    """ROC and precision-recall curves side by side (sklearn's displays); returns the two axes."""
    from sklearn.metrics import PrecisionRecallDisplay, RocCurveDisplay
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(10, 4.2))
    RocCurveDisplay.from_predictions(y_true, score, name=label, ax=axes[0], pos_label=pos_label)
    axes[0].plot([0, 1], [0, 1], "k:", lw=1, label="chance")
    axes[0].set_title("ROC curve")
    PrecisionRecallDisplay.from_predictions(y_true, score, name=label, ax=axes[1], pos_label=pos_label)
    axes[1].set_title("Precision-recall curve")
    for ax in axes:
        ax.legend(loc="lower right", fontsize=8)
    return axes


def learning_curves(histories: dict, metric: str = "loss", ax=None):
    """Training (dashed) and validation (solid) ``metric`` per epoch for several Keras histories; returns the axis."""
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4))
    for (name, history), colour in zip(histories.items(), plt.rcParams["axes.prop_cycle"].by_key()["color"] * 5):
        h = history.history if hasattr(history, "history") else history
        epochs = np.arange(1, len(h[metric]) + 1)
        ax.plot(epochs, h[metric], "--", color=colour, alpha=0.7)
        if f"val_{metric}" in h:
            ax.plot(epochs, h[f"val_{metric}"], "-", color=colour, label=name)
    ax.set_xlabel("epoch")
    ax.set_ylabel(metric)
    ax.legend(title="validation (solid), training (dashed)", fontsize=8, title_fontsize=8)
    return ax
