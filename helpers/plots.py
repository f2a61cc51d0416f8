"""Figures of the series, drawn the same way everywhere and saved with :func:`save_figure`."""

from __future__ import annotations

from pathlib import Path

import matplotlib

if not matplotlib.get_backend().lower().startswith(("module://matplotlib_inline", "module://ipykernel", "nbagg", "widget")):
    matplotlib.use("Agg")  # scripts and CI have no display; notebooks keep their inline backend

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from matplotlib.ticker import MaxNLocator, NullFormatter, PercentFormatter  # noqa: E402

from helpers.paths import FIGURES_DIR  # noqa: E402

PIXELS = {"interpolation": "nearest"}
"""How every small image is drawn: each pixel a crisp square, never blurred into its neighbours."""


def _epoch_axis(ax) -> None:
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 5, 10]))  # epochs 5, 10, 15, ... (or 1, 2, 3)
    ax.set_xlabel("epoch")


def save_figure(fig, name: str | Path, folder: str | Path = FIGURES_DIR, dpi: int = 120) -> Path:
    """Save ``fig`` as PNG under ``folder`` (``name`` may also be a full path) and return the path.

    Written to a temporary file first, then renamed, so a crash never leaves half an image.
    """
    path = Path(name) if Path(name).is_absolute() or Path(name).parent != Path(".") else Path(folder) / name
    path = path.with_suffix(".png")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.stem + ".tmp.png")
    fig.savefig(tmp, dpi=dpi, bbox_inches="tight")
    tmp.replace(path)
    return path


def training_curves(history: dict, title: str = "Training Loss and Accuracy", reference: dict | None = None,
                    reference_label: str = "reference run", from_epoch: int = 1, log_loss: bool = False,
                    levels: dict | None = None, marks: dict | None = None):
    """The original project's figure, in two panels: loss, and accuracy, of training and validation
    against the epoch (dots mark the epochs), from epoch ``from_epoch`` on. ``reference`` (another history) is
    drawn dashed in paler colours beside it, e.g. the full reference run beside a quick run on the sample.

    ``log_loss`` draws the loss on a logarithmic axis (ticks 0.5, 1, 2, ...: each doubles the last; levels <= 0 left out)
    and the accuracy in whole percents; ``levels`` ({label: loss}) adds dotted horizontal lines to the loss panel and
    ``marks`` ({label: epoch}) vertical lines to both, the first in green, the others grey; with either, the
    legends sit under the panels so that no curve is hidden."""
    fig, (loss_ax, acc_ax) = plt.subplots(1, 2, figsize=(11, 4))
    runs = [(history, " (this run)" if reference else "", "-o", ("tab:blue", "tab:orange"))] + ([(reference, f" ({reference_label})", "--", ("#9ecae1", "#fdae6b"))] if reference else [])
    for ax, keys in ((loss_ax, ("loss", "val_loss")), (acc_ax, ("accuracy", "val_accuracy"))):
        for run, suffix, style, colors in runs:
            for key, color in zip(keys, colors):
                values = run.get(key)
                if values and values[from_epoch - 1:]:
                    ax.plot(np.arange(from_epoch, len(values) + 1), values[from_epoch - 1:], style, color=color, markersize=3,
                            label=("train" if key in ("loss", "accuracy") else "validation") + suffix)
        _epoch_axis(ax)
        ax.grid(alpha=0.3)
    loss_ax.set(title="Loss", ylabel="loss")
    acc_ax.set(title="Accuracy", ylabel="accuracy")
    acc_ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    for number, (label, level) in enumerate(l for l in (levels or {}).items() if l[1] > 0 or not log_loss):  # first black
        loss_ax.axhline(level, color="black" if number == 0 else "grey", linestyle=":", label=label)
    if log_loss:
        loss_ax.set_yscale("log")
        low, high = loss_ax.set_ylim(top=2.0 ** np.ceil(np.log2(loss_ax.get_ylim()[1])))  # up to a labelled doubling
        doublings = [tick for tick in 2.0 ** np.arange(-4, 5) if low <= tick <= high]
        loss_ax.set_yticks(doublings, [f"{tick:g}" for tick in doublings])
        loss_ax.yaxis.set_minor_formatter(NullFormatter())
        acc_ax.yaxis.set_major_locator(MaxNLocator(steps=[1, 2, 5, 10]))
        acc_ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    for ax in (loss_ax, acc_ax):
        for number, (label, epoch) in enumerate((marks or {}).items()):
            ax.axvline(epoch, label=label, **({"color": "tab:green", "alpha": 0.5} if number == 0
                                               else {"color": "grey", "linestyle": (0, (1, 3))}))
        ax.legend(fontsize=8, **({"loc": "upper center", "bbox_to_anchor": (0.5, -0.2), "ncol": 2} if levels or marks else {}))
    fig.suptitle(title)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- data exploration

def image_grid(images: np.ndarray, labels: np.ndarray, class_names, per_class: int = 8, seed: int = 0, title: str = ""):
    """One row per class with ``per_class`` random examples of it, and ``title`` (if any) just above the grid."""
    rng = np.random.default_rng(seed)
    fig, axes = plt.subplots(len(class_names), per_class, figsize=(per_class * 0.9, len(class_names) * 0.9))
    for row, name in enumerate(class_names):
        picks = rng.choice(np.flatnonzero(labels == row), per_class, replace=False)
        for ax, index in zip(axes[row], picks):
            ax.imshow(images[index], cmap="gray" if images.ndim == 3 else None, **PIXELS)
            ax.set_xticks([]), ax.set_yticks([])
        axes[row, 0].set_ylabel(name, rotation=0, ha="right", va="center")
    fig.subplots_adjust(left=0, right=1, bottom=0, top=1, wspace=0.05, hspace=0.05)  # square cells filling the figure
    fig.suptitle(title, y=1.005, va="bottom", fontsize=10)  # on the grid's top edge: no empty band between the two
    return fig


def mean_images(images, class_names, per_row: int = 5):
    """One image per class (RGB floats in 0..1, e.g. the class averages), ``per_row`` classes to a row, large enough to show
    a layout, each titled with its class."""
    rows = -(-len(class_names) // per_row)
    fig, axes = plt.subplots(rows, per_row, figsize=(per_row * 1.8, rows * 1.9), layout="constrained")
    for ax, image, name in zip(axes.flat, images, class_names):
        ax.imshow(image, **PIXELS)
        ax.set(xticks=[], yticks=[], title=name)
    return fig


def heatmap(matrix: np.ndarray, class_names, title: str, fmt: str = ".0f", cmap: str = "viridis",
            xlabel: str = "", ylabel: str = "", mask_diagonal: bool = False, colorbar_label: str = "", row_names=None,
            hide_zeros: bool = False):
    """A labelled seaborn heatmap of a class-by-class matrix (distances, confusion counts...) with a colour bar; ``row_names``
    (default: ``class_names``) labels the rows. ``mask_diagonal`` leaves the diagonal blank (a class's distance to itself,
    or the correct answers of a confusion matrix), so the colours spread over the cells that matter; ``hide_zeros``
    prints no number in a cell that holds 0 (a confusion matrix's many empty cells), which keeps its colour."""
    import seaborn as sns

    matrix = np.asarray(matrix)
    mask = np.eye(len(matrix), dtype=bool) if mask_diagonal else None
    annot = np.where(matrix == 0, "", np.vectorize(lambda v: format(v, fmt))(matrix)) if hide_zeros else True
    fig, ax = plt.subplots(figsize=(8, 6))
    sns.heatmap(matrix, mask=mask, annot=annot, fmt="" if hide_zeros else fmt, cmap=cmap, xticklabels=class_names,
                yticklabels=class_names if row_names is None else row_names, ax=ax, cbar=True, cbar_kws={"label": colorbar_label},
                annot_kws={"fontsize": 8}, square=True)
    if fmt == "d":  # counts: whole-number ticks on the colour bar
        ax.collections[0].colorbar.locator = MaxNLocator(integer=True)
        ax.collections[0].colorbar.update_ticks()
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    return fig


# --------------------------------------------------------------------------- training

def learning_rates(schedules: dict):
    """Learning rate as a share of its peak against the share of the run's steps done (0 to 1), drawn
    before training, so that runs of different lengths and rates can be compared in shape.

    ``schedules`` maps a label to ``(keras schedule, steps per epoch, epochs)``.
    """
    import keras

    fig, ax = plt.subplots(figsize=(8, 4.2))
    for i, (label, (schedule, steps_per_epoch, epochs)) in enumerate(schedules.items()):  # the first broad, below
        steps = np.linspace(0, steps_per_epoch * epochs, 200).astype(int)
        rates = [float(keras.ops.convert_to_numpy(schedule(int(s)))) for s in steps]
        ax.plot(steps / steps[-1], np.array(rates) / max(rates), label=label, linewidth=5 if i == 0 else 1.5, alpha=0.45 if i == 0 else 1)
    ax.set(title="Learning-rate schedules", xlabel="share of the run's steps done", ylabel="share of its peak rate")
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18))  # below the axes: the lines cross the whole plot
    fig.tight_layout()
    return fig


def augmentations(image: np.ndarray, augmented: np.ndarray, titles=None, title: str = "", mirrored=None):
    """An image and random augmentations of it, drawn large, and under each its difference from the
    original (grey: unchanged; light or dark: the pixel changed). ``titles`` label the augmented ones;
    where ``mirrored`` (one flag per picture) is true, the original is mirrored too, so the row shows the shift."""
    count, mirrored = len(augmented) + 1, mirrored or [False] * len(augmented)
    fig, axes = plt.subplots(2, count, figsize=(count * 1.8, 4.6))
    difference = [np.zeros(image.shape[:2])] + [p.astype(float).mean(-1) - (image[:, ::-1] if m else image).astype(float).mean(-1)
                                                for p, m in zip(augmented, mirrored)]
    for col, (picture, label) in enumerate(zip([image, *augmented], ["original", *(titles or [""] * len(augmented))])):
        axes[0, col].imshow(picture, **PIXELS)
        axes[0, col].set_title(label.replace(", ", "\n"), fontsize=10)
        axes[1, col].imshow(difference[col], cmap="gray", vmin=-128, vmax=128, **PIXELS)
    for ax in axes.ravel():
        ax.axis("off")
    axes[1, 0].text(0.5, 0.5, "this row:\ndifference from\nthe original\n(mirrored too\nwhere the\npicture is)",
                    transform=axes[1, 0].transAxes, ha="center", va="center", fontsize=9)
    if title:
        fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- evaluation

def per_class_accuracy(accuracies: dict, title: str = "Test accuracy per class", intervals: dict | None = None, colors: dict | None = None):
    """Horizontal bars of accuracy per class; ``accuracies`` maps a run label to ``{class: accuracy}``
    (several runs are drawn side by side); ``intervals``, the same labels to ``{class: (low, high)}``,
    adds each bar's interval (e.g. its 95% confidence interval) as an error bar; ``colors``, a colour per label."""
    classes, height = list(next(iter(accuracies.values()))), 0.8 / len(accuracies)
    fig, ax = plt.subplots(figsize=(7, 0.45 * len(classes) + 1))
    for k, (run, per_class) in enumerate(accuracies.items()):
        values = np.array([per_class[c] for c in classes])
        errors = np.abs(np.array([intervals[run][c] for c in classes]).T - values) if intervals else None
        ax.barh(np.arange(len(classes)) + (k - (len(accuracies) - 1) / 2) * height, values, height, label=run,
                xerr=errors, capsize=3, error_kw={"elinewidth": 1}, color=(colors or {}).get(run))
    ax.set_yticks(np.arange(len(classes)), classes)
    ax.invert_yaxis()  # the first class on top
    ax.set(title=title, xlim=(0, 1), xlabel="accuracy" + (" (black lines: 95% confidence intervals)" if intervals else ""))
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.grid(axis="x", alpha=0.3)
    if len(accuracies) > 1:
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)  # beside the bars
    return fig


def confident_mistakes(images: np.ndarray, labels: np.ndarray, probs: np.ndarray, class_names, count: int = 12):
    """The misclassified test images the model was most sure about: true class, the class it predicted, and
    the probability it gave that class."""
    predicted = probs.argmax(1)
    wrong = np.flatnonzero(predicted != labels)
    worst = wrong[np.argsort(-probs[wrong, predicted[wrong]])][:count]
    cols, rows = 6, max(1, int(np.ceil(len(worst) / 6)))
    fig, axes = plt.subplots(rows, cols, figsize=(cols * 1.7, rows * 2.3 + 0.3), squeeze=False, layout="constrained")
    plt.setp(axes, xticks=[], yticks=[], frame_on=False)
    for ax, index in zip(axes.ravel(), worst):
        ax.imshow(images[index], cmap="gray" if images.ndim == 3 else None, **PIXELS)
        ax.set_title(f"true: {class_names[labels[index]]}\npredicted: {class_names[predicted[index]]}\n"
                     f"({probs[index, predicted[index]]:.1%} sure)", fontsize=8)
    shown = f"All {len(wrong):,}" if len(worst) == len(wrong) else f"The {len(worst)} most confident of {len(wrong):,}"
    fig.suptitle(f"{shown} mistakes on {len(labels):,} test images", fontsize=10)
    return fig


def reliability_diagram(labels: np.ndarray, probs: np.ndarray, bins: int = 15, ece: float | None = None, few: int = 0):
    """Accuracy against confidence in equal-width bins (a calibrated model follows the diagonal),
    and below it how many predictions fall in each bin (a bar over few predictions says little).
    The dot of a bin with fewer than ``few`` predictions is labelled with their count, right of it."""
    from helpers.evaluation import reliability_bins

    found = reliability_bins(labels, probs, bins)
    centres = [(b["low"] + b["high"]) / 2 for b in found]
    fig, (ax, counts) = plt.subplots(2, 1, figsize=(5, 6.5), sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    ax.plot([0, 1], [0, 1], "--", color="gray", label="perfect calibration")
    ax.bar(centres, [b["accuracy"] for b in found], width=1 / bins, alpha=0.7, edgecolor="black",
           label="bar: share of the bin's\npredictions that are right")
    ax.plot([b["confidence"] for b in found], [b["accuracy"] for b in found], "o", color="black", markersize=3,
            label="dot: the same share, placed\nat the average confidence\nof the bin's predictions")
    ax.set(ylabel="accuracy", xlim=(0, 1), ylim=(0, 1.05),
           title="Reliability diagram" + (f" (ECE {ece:.3f})" if ece is not None else ""))
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), fontsize=8, frameon=False)  # beside the bars, clear of them
    for sparse in [b for b in found if b["count"] < few]:
        ax.annotate(f"{sparse['count']} prediction{'s' if sparse['count'] > 1 else ''}",
                    (sparse["confidence"], sparse["accuracy"]),
                    xytext=(8, 2), textcoords="offset points", fontsize=8, va="bottom",
                    bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="none"))
    counts.bar(centres, [b["count"] for b in found], width=1 / bins, color="tab:gray", edgecolor="black")
    counts.set(xlabel="confidence (probability of the predicted class)", ylabel="predictions")
    return fig


def photo_as_seen(square: np.ndarray, small: np.ndarray, caption: str = ""):
    """A photo (cropped square, full resolution) beside the small image the network receives."""
    fig, axes = plt.subplots(1, 2, figsize=(5, 2.8))
    axes[0].imshow(square)
    axes[0].set_title(f"the photo ({square.shape[1]}x{square.shape[0]}, square crop)", fontsize=8)
    axes[1].imshow(small, **PIXELS)
    axes[1].set_title(f"what the network sees ({small.shape[1]}x{small.shape[0]})", fontsize=8)
    plt.setp(axes, xticks=[], yticks=[], frame_on=False)
    if caption:
        fig.suptitle(caption, fontsize=9)
    fig.tight_layout()
    return fig
