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


# --------------------------------------------------------------------------- data exploration

def image_grid(images: np.ndarray, labels: np.ndarray, class_names, per_class: int = 8, seed: int = 0):
    """One row per class with ``per_class`` random examples of it."""
    rng = np.random.default_rng(seed)
    fig, axes = plt.subplots(len(class_names), per_class, figsize=(per_class * 0.9, len(class_names) * 0.95))
    for row, name in enumerate(class_names):
        picks = rng.choice(np.flatnonzero(labels == row), per_class, replace=False)
        for col, index in enumerate(picks):
            ax = axes[row, col]
            ax.imshow(images[index], cmap="gray" if images.ndim == 3 else None)
            ax.set_xticks([]), ax.set_yticks([])
        axes[row, 0].set_ylabel(name, rotation=0, ha="right", va="center")
    fig.subplots_adjust(wspace=0.05, hspace=0.05)
    return fig


def class_balance(y_train: np.ndarray, y_test: np.ndarray, class_names):
    """Images per class in the training and test sets (seaborn bars)."""
    import pandas as pd
    import seaborn as sns

    frame = pd.DataFrame({
        "class": [class_names[i] for i in np.concatenate([y_train, y_test])],
        "set": ["train"] * len(y_train) + ["test"] * len(y_test),
    })
    fig, ax = plt.subplots(figsize=(9, 3.5))
    sns.countplot(data=frame, x="class", hue="set", order=list(class_names), ax=ax)
    ax.set(title="Images per class", xlabel="", ylabel="images")
    ax.tick_params(axis="x", rotation=30)
    return fig


def channel_histograms(images: np.ndarray):
    """Distribution of pixel values in each colour channel (0..255)."""
    fig, ax = plt.subplots(figsize=(8, 3.5))
    for channel, color in enumerate(("red", "green", "blue")):
        counts = np.bincount(images[..., channel].ravel(), minlength=256)
        ax.plot(np.arange(256), counts / counts.sum(), color=color, label=color)
    ax.set(title="Pixel values per channel", xlabel="pixel value", ylabel="share of pixels")
    ax.legend()
    return fig


def mean_images(images: np.ndarray, labels: np.ndarray, class_names):
    """The average image of each class."""
    fig, axes = plt.subplots(1, len(class_names), figsize=(len(class_names) * 1.2, 1.8))
    for i, (ax, name) in enumerate(zip(axes, class_names)):
        ax.imshow(images[labels == i].mean(0).astype(np.uint8))
        ax.set_title(name, fontsize=9)
        ax.axis("off")
    return fig


def heatmap(matrix: np.ndarray, class_names, title: str, fmt: str = ".0f", cmap: str = "viridis",
            xlabel: str = "", ylabel: str = ""):
    """A labelled seaborn heatmap of a class-by-class matrix (distances, confusion counts...)."""
    import seaborn as sns

    fig, ax = plt.subplots(figsize=(7.5, 6))
    sns.heatmap(matrix, annot=True, fmt=fmt, cmap=cmap, xticklabels=class_names, yticklabels=class_names,
                ax=ax, cbar=False, annot_kws={"fontsize": 8})
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    return fig


def pairs(images: np.ndarray, labels: np.ndarray, class_names, pair: tuple[str, str], count: int = 6, seed: int = 0):
    """Two rows of examples from two classes that are easy to confuse, one row each."""
    rng = np.random.default_rng(seed)
    fig, axes = plt.subplots(2, count, figsize=(count * 1.2, 2.7))
    for row, name in enumerate(pair):
        picks = rng.choice(np.flatnonzero(labels == class_names.index(name)), count, replace=False)
        for col, index in enumerate(picks):
            axes[row, col].imshow(images[index])
            axes[row, col].axis("off")
        axes[row, 0].set_title(name, loc="left", fontsize=10)
    return fig


# --------------------------------------------------------------------------- models

def architecture_diagram(model, name: str, folder: str | Path = FIGURES_DIR) -> Path | None:
    """Draw ``model`` with ``keras.utils.plot_model`` when pydot and Graphviz are installed.

    Returns the PNG's path, or None (with a note on what to install) when they are not: the
    notebooks then show :func:`helpers.models.format_table` instead, never a crash.
    """
    import keras

    path = Path(folder) / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        keras.utils.plot_model(model, to_file=str(path), show_shapes=True, show_layer_names=True, dpi=80)
    except (ImportError, OSError, FileNotFoundError) as error:
        print(f"No diagram ({type(error).__name__}): `pip install pydot` and install Graphviz "
              f"(`apt-get install graphviz`, `brew install graphviz`) to draw one. The layer table printed above says the same.")
        return None
    return path if path.exists() else None


def feature_maps(maps: np.ndarray, count: int = 16, title: str = ""):
    """The first ``count`` channels of one image's activations ``(H, W, C)``, as a grid."""
    count = min(count, maps.shape[-1])
    cols = 8
    rows = int(np.ceil(count / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(cols * 1.1, rows * 1.2))
    for i, ax in enumerate(np.ravel(axes)):
        ax.axis("off")
        if i < count:
            ax.imshow(maps[..., i], cmap="viridis")
            ax.set_title(str(i), fontsize=7)
    fig.suptitle(title)
    return fig


# --------------------------------------------------------------------------- training

def learning_rates(schedules: dict):
    """Learning rate against the epoch, drawn before training.

    ``schedules`` maps a label to ``(keras schedule, steps per epoch, epochs)``.
    """
    import keras

    fig, ax = plt.subplots(figsize=(8, 3.5))
    for label, (schedule, steps_per_epoch, epochs) in schedules.items():
        steps = np.linspace(0, steps_per_epoch * epochs, 200).astype(int)
        rates = [float(keras.ops.convert_to_numpy(schedule(int(s)))) for s in steps]
        ax.plot(steps / steps_per_epoch, rates, label=label)
    ax.set(title="Learning-rate schedules", xlabel="epoch", ylabel="learning rate", yscale="log")
    ax.grid(alpha=0.3)
    ax.legend()
    return fig


def augmentations(image: np.ndarray, augmented: np.ndarray):
    """An image and several random augmentations of it, in one row."""
    count = len(augmented) + 1
    fig, axes = plt.subplots(1, count, figsize=(count * 1.2, 1.5))
    for ax, picture, title in zip(axes, [image, *augmented], ["original"] + [""] * len(augmented)):
        ax.imshow(picture)
        ax.set_title(title, fontsize=8)
        ax.axis("off")
    return fig


# --------------------------------------------------------------------------- evaluation

def per_class_accuracy(accuracies: dict, title: str = "Test accuracy per class"):
    """Horizontal bars of accuracy per class; ``accuracies`` maps a run label to ``{class: accuracy}``
    (several runs are drawn side by side)."""
    import pandas as pd
    import seaborn as sns

    frame = pd.DataFrame([{"run": run, "class": name, "accuracy": value}
                          for run, per_class in accuracies.items() for name, value in per_class.items()])
    fig, ax = plt.subplots(figsize=(7, 0.45 * frame["class"].nunique() + 1))
    sns.barplot(data=frame, y="class", x="accuracy", hue="run" if len(accuracies) > 1 else None, ax=ax, orient="h")
    ax.set(title=title, xlim=(0, 1), ylabel="")
    ax.grid(axis="x", alpha=0.3)
    return fig


def confident_mistakes(images: np.ndarray, labels: np.ndarray, probs: np.ndarray, class_names, count: int = 12):
    """The misclassified test images the model was most sure about, with true and predicted class."""
    predicted = probs.argmax(1)
    wrong = np.flatnonzero(predicted != labels)
    worst = wrong[np.argsort(-probs[wrong, predicted[wrong]])][:count]
    cols = 6
    rows = max(1, int(np.ceil(len(worst) / cols)))
    fig, axes = plt.subplots(rows, cols, figsize=(cols * 1.7, rows * 2.1), squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    for ax, index in zip(axes.ravel(), worst):
        ax.imshow(images[index], cmap="gray" if images.ndim == 3 else None)
        ax.set_title(f"{class_names[labels[index]]}\n-> {class_names[predicted[index]]} "
                     f"{probs[index, predicted[index]]:.0%}", fontsize=8)
    fig.suptitle("Most confident mistakes (true -> predicted, confidence)")
    return fig


def reliability_diagram(labels: np.ndarray, probs: np.ndarray, bins: int = 15, ece: float | None = None):
    """Accuracy against confidence in equal-width bins: a calibrated model follows the diagonal."""
    confidence, correct = probs.max(1), probs.argmax(1) == labels
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1]), 0, bins - 1)
    centres, accuracy, counts = [], [], []
    for b in range(bins):
        members = which == b
        if members.any():
            centres.append(confidence[members].mean())
            accuracy.append(correct[members].mean())
            counts.append(members.sum())
    fig, ax = plt.subplots(figsize=(5, 5))
    ax.plot([0, 1], [0, 1], "--", color="gray", label="perfect calibration")
    ax.bar(centres, accuracy, width=1 / bins, alpha=0.7, edgecolor="black", label="accuracy in bin")
    ax.set(xlabel="confidence", ylabel="accuracy", xlim=(0, 1), ylim=(0, 1),
           title="Reliability diagram" + (f" (ECE {ece:.3f})" if ece is not None else ""))
    ax.legend(loc="upper left")
    return fig


def compare_curves(histories: dict, key: str = "val_accuracy", title: str | None = None):
    """One metric of several runs against the epoch; ``histories`` maps a label to a history dict."""
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for label, history in histories.items():
        values = history.get(key, [])
        ax.plot(np.arange(1, len(values) + 1), values, label=label)
    ax.set(title=title or key, xlabel="epoch", ylabel=key)
    ax.grid(alpha=0.3)
    ax.legend()
    return fig
