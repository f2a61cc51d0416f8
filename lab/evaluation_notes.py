"""Notebook 04's bookkeeping: the shipped model's numbers on the full test set, set beside a run on the sample.

A run on the full data with the shipped model keeps notebook 04's key numbers in ``results/evaluation.json``,
with the sha256 of the model file they describe. The quick profile (``DATA = "sample"``) prints them beside its
own, with the test scores of the model's training run, on lines that start with "full test set:"::

    full_run = evaluation_notes.FullRun(path, source, record, DATA, len(x_test))
    full_run.note("smoothed_loss", smoothed_loss=0.81)  # keeps this run's number; prints the full run's
    full_run.write()  # the last cell: a full run of the shipped model rewrites results/evaluation.json
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

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


def _calibration(scores, saved, here):
    if not scores:
        return None
    middle = (f", mean confidence {saved['mean_confidence']:.2%}: {_confidence(saved['accuracy'], saved['mean_confidence'])}"
              if saved else "")
    return f"accuracy {scores['accuracy']:.2%}{middle}; ECE {scores['ece']:.4f}"


def _flip(scores, saved, here):
    lines = [f"accuracy {scores['accuracy']:.2%} -> {scores['flip_tta_accuracy']:.2%} with flip TTA"] if scores else []
    if saved and "flip" in saved:
        f = saved["flip"]
        lines.append(f"the image and its mirror get different answers for {f['different_answers']:.1%}; mean confidence: "
                     f"image {f['mean_confidence'][0]:.2%}, mirror {f['mean_confidence'][1]:.2%}, averaged "
                     f"{f['mean_confidence'][2]:.2%}; ECE {f['ece'][0]:.4f} -> {f['ece'][1]:.4f}")
    return lines


def _kept(key, show):
    """A line from what the full run kept under `key` in results/evaluation.json; None when it kept nothing there."""
    return lambda scores, saved, here: show(saved[key]) if saved and key in saved else None


def _temperature(t):
    return (f"temperature {t['T']:.2f}, fitted on {t['fitted_on']:,} test images; on the other half, ECE "
            f"{t['as trained']['ece']:.4f} -> {t['temperature-scaled']['ece']:.4f}, mean confidence "
            f"{t['as trained']['mean_confidence']:.2%} -> {t['temperature-scaled']['mean_confidence']:.2%}")


def _first_layer(f):
    return (f"the start rebuilt from {f['start_from']:,} images; {f['close']} of {f['filters']} filters above 0.9; "
            f"{f['opposite_pairs']} of {f['filters'] // 2} pairs still nearly opposite"
            + (f"; 0.9 or less: {', '.join(map(str, f['moved'])) or 'none'}" if "moved" in f else ""))


def _original(found):
    accuracy, mean_confidence = found
    return (f"the original recipe's model: accuracy {accuracy:.2%}, mean confidence {mean_confidence:.2%}: "
            f"{_confidence(accuracy, mean_confidence)}")


def _mirror_runs(rates):
    return "image and mirror disagree on " + ", ".join(
        f"{rate:.1%} for the model trained {kind} random mirroring" for kind, rate in rates.items())


LINES = {  # what each cell prints for the full run: a function of its test scores, results/evaluation.json, this run's values
    "accuracy": lambda scores, saved, here: scores and evaluation.describe_accuracy(scores["accuracy"], scores["images"]),
    "top2": lambda scores, saved, here: scores and f"top-2 accuracy {scores['top2_accuracy']:.2%}, loss {scores['loss']:.4f}",
    "f1": lambda scores, saved, here: scores and "F1 " + ", ".join(
        f"{c} {scores['per_class'][c]['f1-score']:.4f}" for c in CLASS_NAMES),
    "smoothed_loss": lambda scores, saved, here: saved and f"the compiled (smoothed) loss {saved['smoothed_loss']:.4f}",
    "mistakes": lambda scores, saved, here: saved and (
        f"{saved['mistakes']:,} mistakes; the {here['most_confident']} most confident gave the class they said "
        f"{saved['most_confident_mistakes'][0]:.1%} to {saved['most_confident_mistakes'][1]:.1%}"),
    "calibration": _calibration,
    "above_target": lambda scores, saved, here: saved and "above_target" in saved and (
        "{:,} of {:,} above the target (the largest: {:.2%})".format(*saved["above_target"])),
    "temperature": _kept("temperature", _temperature),
    "flip": _flip,
    "first_layer": _kept("first_layer", _first_layer),
    "original": _kept("original", _original),
    "mirror_runs": _kept("mirror_runs", _mirror_runs),
}


class FullRun:
    """This run's key numbers, kept cell by cell, and (in the quick profile) the full run's printed beside them."""

    def __init__(self, path: Path | None, source: str, record: dict | None, data: str, test_images: int, file: Path = FILE):
        self.file, self.source, self.data = file, source, data
        self.shipped = str(references.get("minivggnet_improved").model_path.relative_to(ROOT))
        fingerprint = hashlib.sha256(path.read_bytes()).hexdigest() if path is not None else None  # the file, byte for byte
        self.measured = {"model": source, "sha256": fingerprint, "test_images": test_images}
        saved = json.loads(file.read_text()) if file.exists() else None
        sample = data == "sample"
        test = (record or {}).get("test", {})
        self.scores = test if sample and test.get("images", 0) > test_images else None  # from the training run's results
        self.saved = saved if sample and saved and saved["sha256"] == fingerprint else None  # from results/evaluation.json
        if sample and (self.scores or self.saved):
            images = self.scores["images"] if self.scores else self.saved["test_images"]
            print(f"lines starting \"full test set:\" give this model's numbers on all {images:,} test images (from results/)")
        elif sample:
            print("no numbers on the full test set for this model yet: no \"full test set:\" lines below")

    def note(self, line: str, show=None, **values):
        """Keep `values` as this run's; print the full run's `line`. `show` is a function of the page, applied to the
        full run's confusion matrix ("confusion") or to its per-class accuracies and their intervals ("per_class")."""
        self.measured.update(values)
        if line == "confusion":
            found = show(np.array(self.scores["confusion_matrix"])) if self.scores else None
        elif line == "per_class":
            found = show(*self.per_class()) if self.scores else None
        else:
            found = LINES[line](self.scores, self.saved, values)
        for text in [found] if isinstance(found, str) else found or []:
            print(f"{'full data' if line == 'first_layer' else 'full test set'}: {text}")

    def value(self, line: str, key: str, default=None):
        """The full run's `key` of what it kept for `line` (in the quick profile, when kept); else `default`."""
        return (self.saved or {}).get(line, {}).get(key, default)

    def per_class(self) -> tuple[dict, dict] | None:
        """The full run's accuracy per class (its recall) and their 95% intervals; None outside the quick profile."""
        if not self.scores:
            return None
        found = self.scores["per_class"]
        accuracy = {c: found[c]["recall"] for c in CLASS_NAMES}
        return accuracy, {c: evaluation.confidence_interval(accuracy[c], int(found[c]["support"])) for c in CLASS_NAMES}

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


def in_words(record: dict) -> str:
    """A recorded run in plain words: its recipe, its epochs and batch size, and the images it trained on."""
    recipe = record["recipe"]
    try:
        name = get_recipe(recipe["name"]).name
    except (ValueError, KeyError):
        name = recipe["name"]
    return (f"{name} recipe, {record['epochs_run']} epochs, batches of {recipe['batch_size']}, "
            f"{record['data']['split']['train']:,} training images")


def trained_on(record: dict) -> str:
    """How the model of a results record trained, in one sentence: its recipe, its images and which epoch's weights it kept."""
    name, split = get_recipe(record["recipe"]["name"]).name, record["data"]["split"]
    if split["validation"]:
        return (f"trained with the {name} recipe on {split['train']:,} images for {record['epochs_run']} epochs; the weights "
                f"kept are those of epoch {record['best_epoch']}, the best on validation accuracy")
    return (f"trained with the {name} recipe on all {split['train']:,} training images for {record['epochs_run']} epochs: "
            f"no validation images were left to choose an epoch with, so the weights are those of the last epoch")
