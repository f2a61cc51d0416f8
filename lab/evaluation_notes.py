"""Notebook 04's bookkeeping: the shipped model's numbers on the full test set, set beside a run on the sample.

A run on the full data with the shipped model keeps notebook 04's key numbers in ``results/evaluation.json``,
with the sha256 of the model file they describe. The quick profile (``DATA = "sample"``) prints them beside its
own, with the test scores of the model's training run, on lines that start with "full test set:"::

    full_run = evaluation_notes.FullRun(path, source, record, DATA, len(x_test))
    full_run.note("smoothed_loss", globals())  # keeps this run's number (from the notebook's variables); prints the full run's
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


def _original(found):
    accuracy, mean_confidence = found
    return (f"the original recipe's model: accuracy {accuracy:.2%}, mean confidence {mean_confidence:.2%}: "
            f"{_confidence(accuracy, mean_confidence)}")


def _summary_confidence(scores, saved, here):
    if not saved or "temperature" not in saved:
        return None
    t, gap = saved["temperature"], saved["mean_confidence"] - saved["accuracy"]
    return (f"confidence: {'under' if gap < 0 else 'over'}-confident by {abs(gap) * 100:.1f} points; temperature {t['T']:.2f} "
            f"takes the held-out half's ECE from {t['as trained']['ece']:.4f} to {t['temperature-scaled']['ece']:.4f}")


LINES = {  # what each cell prints for the full run: a function of its test scores, results/evaluation.json, this run's values
    "accuracy": lambda scores, saved, here: scores and evaluation.describe_accuracy(scores["accuracy"], scores["images"]),
    "top2": lambda scores, saved, here: scores and f"top-2 accuracy {scores['top2_accuracy']:.2%}, loss {scores['loss']:.4f}",
    "f1": lambda scores, saved, here: scores and "F1 " + ", ".join(
        f"{c} {scores['per_class'][c]['f1-score']:.4f}" for c in CLASS_NAMES),
    "smoothed_loss": lambda scores, saved, here: saved and f"the compiled (smoothed) loss {saved['smoothed_loss']:.4f}",
    "mistakes": lambda scores, saved, here: saved and [
        f"{saved['mistakes']:,} mistakes; the {here['most_confident']} most confident gave the class they said "
        f"{saved['most_confident_mistakes'][0]:.1%} to {saved['most_confident_mistakes'][1]:.1%}"] + (
        [f"given {here['SURE']:.0%} or more: {saved['sure']}"] if "sure" in saved else []),
    "calibration": _calibration,
    "above_target": lambda scores, saved, here: saved and "above_target" in saved and (
        "{:,} of {:,} above the target (the largest: {:.2%})".format(*saved["above_target"])),
    "temperature": _kept("temperature", _temperature),
    "flip": _flip,
    "original": _kept("original", _original),
    "summary_confidence": _summary_confidence,
    "summary_flip": lambda scores, saved, here: scores and (
        f"flip TTA: {100 * (scores['flip_tta_accuracy'] - scores['accuracy']):+.2f} points of accuracy"),
}
SUMMARY = ["accuracy", "summary_confusion", "summary_confidence", "summary_flip"]  # the last cell's lines


def _confusion_lines(page, run):
    largest, shares = page["largest_mistakes"], page["group_shares"]  # the notebook's own functions
    confusion = np.array(run.scores["confusion_matrix"])
    return ["; ".join(f"{true} taken for {said} {n} times" for n, true, said in largest(confusion)), f"mistakes {shares(confusion)}"]


PAGE_LINES = {  # lines drawn from the full run's numbers with the notebook's own functions (`page`: its variables)
    "confusion": _confusion_lines,
    "per_class": lambda page, run: page["against_the_group"](*run.per_class()),
    "summary_confusion": lambda page, run: "most frequent mistake: {1} taken for {2}, {0} times".format(
        *page["largest_mistakes"](np.array(run.scores["confusion_matrix"]))[0]),
}


def _flip_kept(v):
    confidences = [v["confidence"], evaluation.mean_confidence(v["mirror_probs"]), evaluation.mean_confidence(v["tta_probs"])]
    return {"flip": {"different_answers": float(v["mirror_disagree"]), "mean_confidence": [float(c) for c in confidences],
                     "ece": [float(v["scores"]["ece"]), float(v["tta"]["ece"])]}}


KEEP = {  # what each cell keeps of this run's numbers, from the notebook's variables
    "smoothed_loss": lambda v: {"smoothed_loss": float(v["keras_scores"]["loss"])},
    "mistakes": lambda v: {"mistakes": len(v["mistaken"]), "most_confident": len(v["most_confident"]),
                           "most_confident_mistakes": [float(v["said"].min()), float(v["said"].max())], "SURE": v["SURE"],
                           "sure": v["sure_text"] or "none in this run"},
    "calibration": lambda v: {"accuracy": float(v["scores"]["accuracy"]), "mean_confidence": float(v["confidence"]),
                              "ece": float(v["ece"])},
    "original": lambda v: {"original": [float(np.mean(v["original_probs"].argmax(1) == v["y_test"])),
                                        float(v["original_probs"].max(1).mean())]},
    "above_target": lambda v: {"above_target": [int(np.sum(v["top"] > v["smoothed_target"][0])), len(v["top"]), float(v["top"].max())]},
    "temperature": lambda v: {"temperature": {"T": float(v["temperature"]), "fitted_on": len(v["fit_part"]), **{
        name: {"ece": c["ece"], "mean_confidence": c["mean_confidence"]} for name, c in v["checked"].items()}}},
    "flip": _flip_kept,
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
        else:  # the full data: nothing to set beside this run's numbers
            print("the full data: the numbers below are the full test set's own, so no \"full test set:\" lines follow")

    def note(self, line: str, page: dict | None = None):
        """Keep this run's numbers for `line`, taken from the notebook's variables `page` (its `globals()`); print the full
        run's `line` ("summary": the last cell's lines)."""
        self.measured.update(KEEP[line](page) if line in KEEP else {})
        for part in SUMMARY if line == "summary" else [line]:
            if part in PAGE_LINES:
                found = PAGE_LINES[part](page, self) if self.scores else None
            else:
                found = LINES[part](self.scores, self.saved, self.measured)
            for text in [found] if isinstance(found, str) else found or []:
                print(f"full test set: {text}")

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


def trained_on(record: dict) -> str:
    """How the model of a results record trained, in one sentence: its recipe, its images and which epoch's weights it kept."""
    name, split = get_recipe(record["recipe"]["name"]).name, record["data"]["split"]
    if split["validation"]:
        return (f"trained with the {name} recipe on {split['train']:,} images for {record['epochs_run']} epochs; the weights "
                f"kept are those of epoch {record['best_epoch']}, the best on validation accuracy")
    return (f"trained with the {name} recipe on all {split['train']:,} training images for {record['epochs_run']} epochs: "
            f"no validation images were left to choose an epoch with, so the weights are those of the last epoch")
