"""Notebook 04's bookkeeping: the shipped model's numbers on the full test set, set beside a run on the sample.

A run on the full data with the shipped model keeps notebook 04's key numbers in ``results/evaluation.json``,
with the sha256 of the model file they describe. The quick profile (``DATA = "sample"``) prints them beside its
own, with the test scores of the model's training run, on lines that start with "full test set:"::

    path, source, record, full_test = evaluation_notes.set_up(MODEL, DATA, SEED, len(x_test))
    full_test.show("mistakes")  # the last line of a lesson's cell: its "full test set:" line (quick profile only)
    evaluation_notes.bookkeeping(model, path, source, DATA, x_test, y_test, probs, ...)  # the last cell: the page's
    # values by name, checked against the library's copies; a full run of the shipped model rewrites results/evaluation.json
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from helpers import data as datasets, environment, evaluation, inspection
from helpers.data import CLASS_NAMES
from helpers.paths import RESULTS_DIR, ROOT
from helpers.recipes import get_recipe
from lab import pretrained, references

FILE = RESULTS_DIR / "evaluation.json"


KEEP = {  # what is kept of this run's numbers, from the notebook's values (each entry once all its values are passed)
    ("scores", "confidence"): lambda v: {"accuracy": float(v["scores"]["accuracy"]), "ece": float(v["scores"]["ece"]),
                                         "mean_confidence": float(v["confidence"])},
    ("sure_text",): lambda v: {"sure": v["sure_text"]},
}


def saved_full(path: Path | None, data: str, file: Path = FILE) -> dict | None:
    """On the sample: the full run's numbers for this model file (results/evaluation.json, same sha256); else None."""
    saved = json.loads(file.read_text()) if data == "sample" and path is not None and file.exists() else None
    return saved if saved and saved["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest() else None


def largest_mistakes(confusion, count=5):
    """Notebook 04's list: the `count` largest off-diagonal cells as (count, true class, predicted class), largest first
    (tied cells in the table's order, row by row)."""
    cells = sorted(((confusion[i, j], CLASS_NAMES[i], CLASS_NAMES[j]) for i in range(10) for j in range(10) if i != j),
                   key=lambda cell: -cell[0])
    return cells[:count]


def set_up(model: str, data: str, seed: int, test_images: int):
    """Notebook 04's set-up: check and print the versions and seed the generators (environment.check), then find the
    .keras file ``model`` names (pretrained.model_file; with none, a stand-in trained on the training images, which are
    loaded only then). On the sample, one line says what its numbers are and names the "full test set:" lines.
    Returns (its path, its name as printed, its results record or None, the FullTestSet of the quick profile's lines)."""
    environment.check(seed)  # the versions line; the quick profile's note is FullTestSet's one line
    found = pretrained.locate_model(model, "minivggnet", "minivggnet_improved")
    train = None if found is not None else datasets.load("cifar10", data)[0]  # the training images: only for a stand-in
    path, source, record = pretrained.model_file(model, "minivggnet", "minivggnet_improved", train_if_missing=train)
    return path, source, record, FullTestSet(path, record, data, test_images)


def label_smoothing(record: dict | None) -> float:
    """The label smoothing the model of ``record`` trained with (no record: the stand-in, trained with the fast recipe)."""
    return record["recipe"]["label_smoothing"] if record else get_recipe("fast").label_smoothing


class FullRun:
    """This run's key numbers, kept by name for results/evaluation.json."""

    def __init__(self, path: Path | None, source: str, data: str, test_images: int, file: Path = FILE):
        self.file, self.source, self.data = file, source, data
        self.shipped = str(references.get("minivggnet_improved").model_path.relative_to(ROOT))
        fingerprint = hashlib.sha256(path.read_bytes()).hexdigest() if path is not None else None  # the file, byte for byte
        self.measured = {"model": source, "sha256": fingerprint, "test_images": test_images}
        self.values = {}

    def keep(self, **page):
        """Keep this run's numbers, from the values `page` the notebook passes by name."""
        self.values.update(page)
        for names, kept in KEEP.items():
            if all(name in self.values for name in names):
                self.measured.update(kept(self.values))

    def write(self):
        """A run of the shipped model on the full data rewrites the file; any other run leaves it as it is."""
        name = self.file.name
        if self.data == "full" and self.source == self.shipped:
            self.file.write_text(json.dumps(self.measured, indent=2) + "\n")
            print(f"wrote the full test set's numbers for {self.source} to results/{name}")
        elif self.data == "full":
            print(f"this run evaluated {self.source}, not the shipped model: results/{name} is left as it is")
        else:
            print(f"a run on the sample leaves results/{name} (the shipped model's numbers on the full test set) as it is")


def bookkeeping(model, path: Path | None, source: str, data: str, x_test, y_test, probs, *, keras_scores: dict, interval,
                ece: float, confusion, bins: tuple, grad_cam: tuple, confidence: float, sure):
    """Notebook 04's last cell. Checks that each library copy gives the result the page wrote out (one printed line):
    ``interval`` the Wilson interval by hand, ``keras_scores`` model.evaluate's, ``ece`` and ``confusion`` the page's,
    ``bins`` (BINS, count, mean confidence, accuracy of the bins that hold predictions), ``grad_cam`` (layer, the images'
    indices, their heatmaps). Then keeps the full run's numbers (``confidence``, the mean confidence; ``sure``, the indices
    of the surest mistakes) with FullRun, which a full run of the shipped model writes to results/evaluation.json."""
    scores = evaluation.score(y_test, probs, CLASS_NAMES)  # the library's scores, for results/
    accuracy, (layer, picks, heatmaps), (count, bin_confidence, bin_accuracy) = keras_scores["accuracy"], grad_cam, bins[1:]
    library_bins = [[b[key] for b in evaluation.reliability_bins(y_test, probs, bins[0])] for key in ("count", "confidence", "accuracy")]
    copies = {  # each library function, and whether it gives the result written out on the page
        "evaluation.predict": np.allclose(probs, evaluation.predict(model, x_test), atol=1e-6),
        "evaluation.confidence_interval": np.allclose(interval, evaluation.confidence_interval(accuracy, len(y_test)), atol=1e-6),
        "evaluation.score": np.allclose([accuracy, keras_scores["top2_accuracy"], keras_scores["loss"], ece],
                                        [scores[k] for k in ("accuracy", "top2_accuracy", "loss", "ece")], atol=1e-4)
                            and np.array_equal(confusion, scores["confusion_matrix"]),
        "evaluation.reliability_bins": np.allclose([count, bin_confidence, bin_accuracy], library_bins),
        "inspection.grad_cam": np.allclose(heatmaps, inspection.grad_cam(model, x_test[picks], layer), atol=1e-4),
    }
    print("the library's copies give the page's results:", all(copies.values()), f"({', '.join(copies)})")
    predicted = probs.argmax(1)
    sure_text = "; ".join(f"true {CLASS_NAMES[y_test[i]]}, predicted {CLASS_NAMES[predicted[i]]} {probs[i].max():.1%}"
                          for i in sure)  # the surest mistakes
    full_run = FullRun(path, source, data, len(x_test))
    full_run.keep(scores=scores, confidence=confidence, sure_text=sure_text)
    full_run.write()


def full_per_class(scores) -> tuple[dict, dict] | None:
    """The accuracy per class (its recall) and their 95% intervals of a results record's test scores; None for None."""
    if not scores:
        return None
    found = scores["per_class"]
    accuracy = {c: found[c]["recall"] for c in CLASS_NAMES}
    return accuracy, {c: evaluation.confidence_interval(accuracy[c], int(found[c]["support"])) for c in CLASS_NAMES}


def full_test_set(record: dict | None, data: str, test_images: int) -> dict | None:
    """Quick profile: the test scores of the model's results record, when they cover more images than this run's."""
    test = (record or {}).get("test", {})
    return test if data == "sample" and test.get("images", 0) > test_images else None


class FullTestSet:
    """Quick profile: the full test set's numbers, each printed by ``show`` on one line starting "full test set:" (on the
    full data, or with no numbers for this model, nothing). From the model's results record and results/evaluation.json."""

    def __init__(self, path: Path | None, record: dict | None, data: str, test_images: int, file: Path = FILE):
        self.scores = full_test_set(record, data, test_images) or {}  # the training run's test scores
        self.saved = saved_full(path, data, file) or {}  # notebook 04's full run
        self.sample = data == "sample"
        if data == "sample":  # the quick profile's note, on one line
            shipped = (references.get("minivggnet_improved").results() or {}).get("test")
            note = f"QUICK PROFILE (DATA = \"sample\"): numbers on a {test_images:,}-image test sample"
            if shipped:
                note += f"; the shipped model reached {shipped['accuracy']:.2%} on all {shipped['images']:,} test images"
            if self.scores or self.saved:
                images = self.scores.get("images") or self.saved["test_images"]
                note += f", and lines starting \"full test set:\" give this model's numbers on all {images:,} (from results/)"
            print(note)

    def line(self, topic: str, interval=None) -> str | None:
        """The line of ``topic`` (without its "full test set: " start), or None when it has no number to show."""
        scores, saved = self.scores, self.saved
        if topic == "accuracy" and scores:
            text = f"accuracy {evaluation.describe_accuracy(scores['accuracy'], scores['images'])}"
            if interval is not None:
                text += f": {'inside' if interval[0] <= scores['accuracy'] <= interval[1] else 'outside'} this sample's interval"
            return text
        if topic == "mistakes" and scores:
            return "; ".join(f"{true} taken for {said} {n} times" for n, true, said in largest_mistakes(np.array(scores["confusion_matrix"])))
        if topic == "sure" and "sure" in saved:
            mistakes = "most confident mistake" if ";" not in saved["sure"] else f"{saved['sure'].count(';') + 1} most confident mistakes"
            return (f"given 99% or more: {saved['sure']} (its {mistakes}, read from results/)"
                    if saved["sure"] else "given 99% or more: none")
        if topic == "sure" and self.sample:
            return "no record for this model in results/; with DATA = \"full\", look for mistakes given 99% or more"
        if topic == "calibration" and scores and "mean_confidence" in saved:
            gap = scores["accuracy"] - saved["mean_confidence"]
            return (f"accuracy {scores['accuracy']:.2%}, mean confidence {saved['mean_confidence']:.2%}: "
                    f"calibration gap {100 * gap:+.1f} points; ECE {scores['ece']:.4f}")
        return None

    def show(self, topic: str, interval=None):
        """Print the line of ``topic``: "accuracy" (with this sample's ``interval``: inside or outside it), "mistakes",
        "sure" or "calibration"."""
        if found := self.line(topic, interval):
            print(f"full test set: {found}")

    def bars(self, which: str, per_class: dict, intervals: dict):
        """The per-class bars to draw, ({label: accuracies}, {label: intervals}): this run's, and the full test set's."""
        bars, bar_intervals = {which: per_class}, {which: intervals}
        if full := full_per_class(self.scores):
            bars["the full test set"], bar_intervals["the full test set"] = full
        return bars, bar_intervals


def trained_on(record: dict) -> str:
    """How the model of a results record trained, in one sentence: its recipe, its images and which epoch's weights it kept."""
    name, split = get_recipe(record["recipe"]["name"]).name, record["data"]["split"]
    if split["validation"]:
        return (f"trained with the {name} recipe on {split['train']:,} images for {record['epochs_run']} epochs; the weights "
                f"kept are those of epoch {record['best_epoch']}, the best on validation accuracy")
    return (f"trained with the {name} recipe on all {split['train']:,} training images for {record['epochs_run']} epochs: "
            f"no validation images were left to choose an epoch with, so the weights are those of the last epoch")


def zoom_to_intervals(ax, bar_intervals: dict):
    """Notebook 04's per-class bars: start the accuracy axis at the lowest interval end, rounded down to a multiple of
    10%, and say so under the axis (compare where the bars end, not their length)."""
    lowest = min(low for found in bar_intervals.values() for low, _ in found.values())
    start = np.floor(10 * lowest) / 10
    ax.set_xlim(start, 1)
    ax.set_xlabel(ax.get_xlabel() + f"\nthe axis starts at {start:.0%}, not at 0")
    return start


def grad_cam_figure(images, captions, predicted_maps, true_maps, layer: str, data: str = "full"):
    """Notebook 04's Grad-CAM figure: ``images`` are the right answers, then the wrong ones (one map of the true class
    each in ``true_maps``); ``predicted_maps``, one map of the predicted class per image, all at the images' size.
    ``data``: "sample" names the test sample in the title."""
    right = len(images) - len(true_maps)
    which = "images of the test sample" if data == "sample" else "test images"
    return grad_cam_sections({
        f"Grad-CAM of {layer}: the first {right} {which} the network gets right":
            (images[:right], captions[:right], {"predicted class": predicted_maps[:right]}),
        f"the first {len(true_maps)} it gets wrong":
            (images[right:], captions[right:], {"predicted class": predicted_maps[right:], "true class": true_maps}),
    })


def grad_cam_sections(sections: dict):
    """Notebook 04's Grad-CAM figure. ``sections`` maps a title to ``(images, captions, rows)``, ``rows`` a label to one
    heatmap per image, at the images' size: the images on top, then each row of heatmaps laid over the images in the
    jet colours at 40% (as keras.io's Grad-CAM example blends them), with one colour bar under the last section."""
    heights = [1 + len(rows) for _, _, rows in sections.values()]
    cols = max(len(images) for images, _, _ in sections.values())
    fig = plt.figure(figsize=(2.2 * cols, 2.2 * sum(heights) + 0.5 * len(sections) + 0.6), layout="constrained")
    subs = fig.subfigures(len(sections), 1, height_ratios=[h + 0.3 * (k == len(sections) - 1) for k, h in enumerate(heights)])
    for sub, (title, (images, captions, rows)) in zip(subs, sections.items()):
        axes = sub.subplots(1 + len(rows), cols, squeeze=False)
        for col, (image, caption) in enumerate(zip(images, captions)):
            axes[0, col].imshow(image)
            axes[0, col].set_title(caption, fontsize=9)
        for r, (label, maps) in enumerate(rows.items(), start=1):
            axes[r, 0].set_ylabel(label)
            for col, heat in enumerate(maps):
                axes[r, col].imshow(images[col])  # each enlarged map scaled to its own peak, marked with a white +
                shown = axes[r, col].imshow(heat / max(heat.max(), 1e-12), cmap="jet", alpha=0.4, vmin=0, vmax=1)
                axes[r, col].plot(*np.unravel_index(heat.argmax(), heat.shape)[::-1], "w+", markersize=10, mew=2)
        plt.setp(axes, xticks=[], yticks=[])
        sub.suptitle(title, fontsize=11, fontweight="bold")
    full_colours = plt.cm.ScalarMappable(norm=shown.norm, cmap=shown.cmap)  # the bar in full colour, not at 40%
    sub.colorbar(full_colours, ax=axes[-1, :], orientation="horizontal", shrink=0.6, aspect=40,
                 label="Grad-CAM (0: no positive evidence for the class; 1: the map's peak)")
    return fig
