"""Notebook 04's bookkeeping: the shipped model's numbers on the full test set, set beside a run on the sample.

A run on the full data with the shipped model keeps notebook 04's key numbers in ``results/evaluation.json``,
with the sha256 of the model file they describe. The quick profile (``DATA = "sample"``) prints them beside its
own, with the test scores of the model's training run, on lines that start with "full test set:"::

    full_run = evaluation_notes.FullRun(path, source, record, DATA, len(x_test))  # prints the full run's lines
    full_run.keep(scores=scores, confidence=confidence)  # keeps this run's numbers (the values passed, by name)
    full_run.write()  # the last cell: a full run of the shipped model rewrites results/evaluation.json
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from helpers import evaluation
from helpers.data import CLASS_NAMES
from helpers.paths import RESULTS_DIR, ROOT
from helpers.recipes import get_recipe
from lab import references

FILE = RESULTS_DIR / "evaluation.json"


def _confidence(accuracy: float, mean_confidence: float) -> str:
    kind = "under" if mean_confidence < accuracy else "over"
    return f"on average {kind}-confident by {abs(mean_confidence - accuracy) * 100:.1f} points"


def _lines(scores: dict | None, saved: dict | None) -> list[str]:
    """The full run's key numbers not shown elsewhere on the page: accuracy, calibration, temperature, flip TTA."""
    saved = saved or {}
    lines = ["accuracy " + evaluation.describe_accuracy(scores["accuracy"], scores["images"])] if scores else []
    if scores and "mean_confidence" in saved:
        lines.append(f"mean confidence {saved['mean_confidence']:.2%}: "
                     f"{_confidence(scores['accuracy'], saved['mean_confidence'])}; ECE {scores['ece']:.4f}")
    if "original" in saved:
        accuracy, mean_confidence = saved["original"]
        lines.append(f"the original recipe's model: accuracy {accuracy:.2%}, mean confidence {mean_confidence:.2%}: "
                     f"{_confidence(accuracy, mean_confidence)}")
    if "temperature" in saved:
        t = saved["temperature"]
        lines.append(f"temperature {t['T']:.2f}, fitted on {t['fitted_on']:,} test images; on the other half, ECE "
                     f"{t['as trained']['ece']:.4f} -> {t['temperature-scaled']['ece']:.4f}")
    if scores and "flip" in saved:
        f = saved["flip"]
        lines.append(f"flip TTA: accuracy {scores['accuracy']:.2%} -> {scores['flip_tta_accuracy']:.2%} (coin-toss probability "
                     f"{f['coin']:.2g}); ECE {f['ece'][0]:.4f} -> {f['ece'][1]:.4f}")
    return lines


KEEP = {  # what is kept of this run's numbers, from the notebook's values (each entry once all its values are passed)
    ("scores", "confidence"): lambda v: {"accuracy": float(v["scores"]["accuracy"]), "ece": float(v["scores"]["ece"]),
                                         "mean_confidence": float(v["confidence"])},
    ("original_probs", "y_test"): lambda v: {"original": [float(np.mean(v["original_probs"].argmax(1) == v["y_test"])),
                                                          float(v["original_probs"].max(1).mean())]},
    ("temperature", "fit_part", "checked"): lambda v: {"temperature": {"T": float(v["temperature"]), "fitted_on": len(v["fit_part"]), **{
        name: {"ece": c["ece"], "mean_confidence": c["mean_confidence"]} for name, c in v["checked"].items()}}},
    ("scores", "tta", "coin", "fixed", "broken"): lambda v: {"flip": {"ece": [float(v["scores"]["ece"]), float(v["tta"]["ece"])],
                                                   "coin": float(v["coin"]), "fixed": v["fixed"], "broken": v["broken"]}},
    ("sure_text",): lambda v: {"sure": v["sure_text"]},
}


def saved_full(path: Path | None, data: str, file: Path = FILE) -> dict | None:
    """On the sample: the full run's numbers for this model file (results/evaluation.json, same sha256); else None."""
    saved = json.loads(file.read_text()) if data == "sample" and path is not None and file.exists() else None
    return saved if saved and saved["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest() else None


def largest_mistakes(confusion, count=5):
    """Notebook 04's list: the off-diagonal cells as (count, true class, predicted class), largest first, down to the
    `count`-th largest and every cell tied with it."""
    cells = sorted(((confusion[i, j], CLASS_NAMES[i], CLASS_NAMES[j]) for i in range(10) for j in range(10) if i != j),
                   key=lambda cell: -cell[0])
    return [cell for cell in cells if cell[0] >= cells[count - 1][0]]


class FullRun:
    """This run's key numbers, kept by name, and (in the quick profile) the full run's printed on creation."""

    def __init__(self, path: Path | None, source: str, record: dict | None, data: str, test_images: int, file: Path = FILE):
        self.file, self.source, self.data = file, source, data
        self.shipped = str(references.get("minivggnet_improved").model_path.relative_to(ROOT))
        fingerprint = hashlib.sha256(path.read_bytes()).hexdigest() if path is not None else None  # the file, byte for byte
        self.measured = {"model": source, "sha256": fingerprint, "test_images": test_images}
        self.values = {}
        sample = data == "sample"
        scores = full_test_set(record, data, test_images)  # from the training run's results
        saved = saved_full(path, data, file)  # from results/evaluation.json
        if sample and (scores or saved):
            images = scores["images"] if scores else saved["test_images"]
            print(f"lines starting \"full test set:\" give numbers on all {images:,} test images (from results/): this model's, "
                  "unless the line names another")
            for line in _lines(scores, saved):
                print(f"full test set: {line}")
        elif sample:
            print("no numbers on the full test set for this model yet: no \"full test set:\" lines below")
        else:  # the full data: nothing to set beside this run's numbers
            print("the full data: the numbers above are the full test set's own, so no \"full test set:\" lines follow")

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


def full_test_set_per_class(record: dict | None, data: str, test_images: int) -> tuple[dict, dict] | None:
    """Quick profile: the full test set's accuracy per class and their intervals, from the model's results record."""
    return full_per_class(full_test_set(record, data, test_images))


def bars_with_full_test_set(which: str, per_class: dict, intervals: dict, record: dict | None, data: str, test_images: int):
    """The per-class bars to draw, {label: accuracies} and {label: intervals}: this run's, and in the quick profile the
    full test set's too (from the model's results record)."""
    bars, bar_intervals = {which: per_class}, {which: intervals}
    if full := full_test_set_per_class(record, data, test_images):
        bars["the full test set"], bar_intervals["the full test set"] = full
    return bars, bar_intervals


def full_test_set_mistakes(record: dict | None, data: str, test_images: int) -> str | None:
    """Quick profile: the full test set's largest mistakes (notebook 04's list), from the model's results record."""
    if not (test := full_test_set(record, data, test_images)):
        return None
    return "; ".join(f"{true} taken for {said} {n} times" for n, true, said in largest_mistakes(np.array(test["confusion_matrix"])))


def trained_on(record: dict) -> str:
    """How the model of a results record trained, in one sentence: its recipe, its images and which epoch's weights it kept."""
    name, split = get_recipe(record["recipe"]["name"]).name, record["data"]["split"]
    if split["validation"]:
        return (f"trained with the {name} recipe on {split['train']:,} images for {record['epochs_run']} epochs; the weights "
                f"kept are those of epoch {record['best_epoch']}, the best on validation accuracy")
    return (f"trained with the {name} recipe on all {split['train']:,} training images for {record['epochs_run']} epochs: "
            f"no validation images were left to choose an epoch with, so the weights are those of the last epoch")


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
