"""Figures of the series, drawn the same way everywhere and saved with :func:`save_figure`."""

from __future__ import annotations

from pathlib import Path

import matplotlib

if not matplotlib.get_backend().lower().startswith(("module://matplotlib_inline", "module://ipykernel", "nbagg", "widget")):
    matplotlib.use("Agg")  # scripts and CI have no display; notebooks keep their inline backend

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from helpers.paths import FIGURES_DIR  # noqa: E402


def save_figure(fig, name: str | Path, folder: str | Path = FIGURES_DIR, dpi: int = 120) -> Path:
    """Save ``fig`` as PNG under ``folder`` (``name`` may also be a full path) and return the path.

    Written to a temporary file first, then renamed, so a crash never leaves half an image.
    """
    path = Path(name)
    if not path.is_absolute() and path.parent == Path("."):
        path = Path(folder) / path
    if path.suffix != ".png":
        path = path.with_suffix(".png")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.stem + ".tmp.png")
    fig.savefig(tmp, dpi=dpi, bbox_inches="tight")
    tmp.replace(path)
    return path


def training_curves(history: dict, title: str = "Training Loss and Accuracy"):
    """The original project's figure: train/val loss and accuracy against the epoch."""
    fig, ax = plt.subplots(figsize=(8, 5))
    epochs = np.arange(1, len(history["loss"]) + 1)
    for key, label in [("loss", "train_loss"), ("val_loss", "val_loss"),
                       ("accuracy", "train_acc"), ("val_accuracy", "val_acc")]:
        if history.get(key):
            ax.plot(epochs, history[key], label=label)
    ax.set(title=title, xlabel="Epoch #", ylabel="Loss/Accuracy")
    ax.grid(alpha=0.3)
    ax.legend()
    return fig
