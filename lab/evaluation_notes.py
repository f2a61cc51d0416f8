"""Notebook 04's bookkeeping: the shipped model's numbers on the full test set, set beside a run on the sample.

A run on the full data with the shipped model keeps notebook 04's key numbers in ``results/evaluation.json``,
with the sha256 of the model file they describe. The quick profile (``DATA = "sample"``) prints them beside its
own, with the test scores of the model's training run, on lines that start with "full test set:"::

    full_run = evaluation_notes.FullRun(path, source, record, DATA, len(x_test))
    full_run.note("smoothed_loss", keras_scores=keras_scores)  # keeps this run's number (the values passed); prints the full run's
    full_run.write()  # the last cell: a full run of the shipped model rewrites results/evaluation.json
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

from helpers import evaluation
from helpers.data import CIFAR10, CLASS_NAMES
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
        f"flip TTA: {100 * (scores['flip_tta_accuracy'] - scores['accuracy']):+.2f} points of accuracy"
        + (f" (coin-toss probability {saved['flip']['coin']:.2g})" if saved and "coin" in saved.get("flip", {}) else "")
        + ("; ECE {:.4f} -> {:.4f}".format(*saved["flip"]["ece"]) if saved and "flip" in saved else "")),
}
SUMMARY = ["accuracy", "summary_confusion", "summary_confidence", "summary_flip"]  # the last cell's lines


def largest_mistakes(confusion, count=5):
    """Notebook 04's list: the off-diagonal cells as (count, true class, predicted class), largest first, down to the
    `count`-th largest and every cell tied with it."""
    cells = sorted(((confusion[i, j], CLASS_NAMES[i], CLASS_NAMES[j]) for i in range(10) for j in range(10) if i != j),
                   key=lambda cell: -cell[0])
    return [cell for cell in cells if cell[0] >= cells[count - 1][0]]


def group_shares(confusion):
    """Notebook 04's line: the share of all mistakes within the animals, within the vehicles, and across the two groups."""
    cells = [(confusion[i, j], CIFAR10.group_of(CLASS_NAMES[i]), CIFAR10.group_of(CLASS_NAMES[j]))
             for i in range(10) for j in range(10) if i != j]
    total = sum(c for c, _, _ in cells)
    within = {kind: sum(c for c, t, p in cells if t == p == kind) / total for kind in ("animal", "vehicle")}
    return (f"within the animals {within['animal']:.0%}, within the vehicles {within['vehicle']:.0%}, "
            f"across the two groups {1 - sum(within.values()):.0%}; {sum(within.values()):.0%} within a group")


def against_the_group(per_class, intervals):
    """Notebook 04's lines: each group's average accuracy, the classes on the wrong side of the other group's average,
    the per-class intervals' half-widths."""
    group = CIFAR10.group_of
    averages = {kind: np.mean([a for c, a in per_class.items() if group(c) == kind]) for kind in ("animal", "vehicle")}
    exceptions = [c for c, a in per_class.items()
                  if (group(c) == "animal" and a > averages["vehicle"]) or (group(c) == "vehicle" and a < averages["animal"])]
    halves = [100 * (high - low) / 2 for low, high in intervals.values()]
    return [f"average accuracy: animals {averages['animal']:.1%}, vehicles {averages['vehicle']:.1%}",
            "exceptions: " + (", ".join(f"{c} {per_class[c]:.1%}" for c in exceptions) or "none"),
            f"per-class 95% intervals: +-{min(halves):.1f} to +-{max(halves):.1f} points"]


def _confusion_lines(run):
    confusion = np.array(run.scores["confusion_matrix"])
    return ["; ".join(f"{true} taken for {said} {n} times" for n, true, said in largest_mistakes(confusion)),
            f"mistakes {group_shares(confusion)}"]


PAGE_LINES = {  # lines drawn from the full run's numbers with the copies above of the notebook's code
    "confusion": _confusion_lines,
    "per_class": lambda run: against_the_group(*run.per_class()),
    "summary_confusion": lambda run: "most frequent mistake: {1} taken for {2}, {0} times".format(
        *largest_mistakes(np.array(run.scores["confusion_matrix"]))[0]),
}


def _flip_kept(v):
    confidences = [v["confidence"], evaluation.mean_confidence(v["mirror_probs"]), evaluation.mean_confidence(v["tta_probs"])]
    return {"flip": {"different_answers": float(v["mirror_disagree"]), "mean_confidence": [float(c) for c in confidences],
                     "ece": [float(v["scores"]["ece"]), float(v["tta"]["ece"])], "coin": float(v["coin"])}}


KEEP = {  # what each cell keeps of this run's numbers, from the notebook's variables
    "smoothed_loss": lambda v: {"smoothed_loss": float(v["keras_scores"]["loss"])},
    "mistakes": lambda v: {"mistakes": len(v["mistaken"]), "most_confident": len(v["said"]),
                           "most_confident_mistakes": [float(v["said"].min()), float(v["said"].max())], "SURE": v["SURE"],
                           "sure": v["sure_text"] or "none in this run"},
    "calibration": lambda v: {"accuracy": float(v["scores"]["accuracy"]), "mean_confidence": float(v["confidence"]),
                              "ece": float(v["ece"])},
    "original": lambda v: {"original": [float(np.mean(v["original_probs"].argmax(1) == v["y_test"])),
                                        float(v["original_probs"].max(1).mean())]},
    "above_target": lambda v: {"above_target": [int(np.sum(v["top_prob"] > v["smoothed_target"][0])), len(v["top_prob"]),
                                                   float(v["top_prob"].max())]},
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
            print(f"lines starting \"full test set:\" give numbers on all {images:,} test images (from results/): this model's, "
                  "unless the line names another")
        elif sample:
            print("no numbers on the full test set for this model yet: no \"full test set:\" lines below")
        else:  # the full data: nothing to set beside this run's numbers
            print("the full data: the numbers above are the full test set's own, so no \"full test set:\" lines follow")

    def note(self, line: str, **page):
        """Keep this run's numbers for `line`, taken from the values `page` the notebook passes by name; print the full
        run's `line` ("summary": the last cell's lines)."""
        self.measured.update(KEEP[line](page) if line in KEEP else {})
        for part in SUMMARY if line == "summary" else [line]:
            if part in PAGE_LINES:
                found = PAGE_LINES[part](self) if self.scores else None
            else:
                found = LINES[part](self.scores, self.saved, self.measured)
            for text in [found] if isinstance(found, str) else found or []:
                print(f"full test set: {text}")

    def per_class(self) -> tuple[dict, dict] | None:
        """The full run's accuracy per class (its recall) and their 95% intervals; None outside the quick profile."""
        return full_per_class(self.scores)

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


def _full_test_set(record: dict | None, data: str, test_images: int) -> dict | None:
    """Quick profile: the test scores of the model's results record, when they cover more images than this run's."""
    test = (record or {}).get("test", {})
    return test if data == "sample" and test.get("images", 0) > test_images else None


def full_test_set_per_class(record: dict | None, data: str, test_images: int) -> tuple[dict, dict] | None:
    """Quick profile: the full test set's accuracy per class and their intervals, from the model's results record."""
    return full_per_class(_full_test_set(record, data, test_images))


def bars_with_full_test_set(which: str, per_class: dict, intervals: dict, record: dict | None, data: str, test_images: int):
    """The per-class bars to draw, {label: accuracies} and {label: intervals}: this run's, and in the quick profile the
    full test set's too (from the model's results record)."""
    bars, bar_intervals = {which: per_class}, {which: intervals}
    if full := full_test_set_per_class(record, data, test_images):
        bars["the full test set"], bar_intervals["the full test set"] = full
    return bars, bar_intervals


def full_test_set_mistakes(record: dict | None, data: str, test_images: int) -> str | None:
    """Quick profile: the full test set's largest mistakes (notebook 04's list), from the model's results record."""
    if not (test := _full_test_set(record, data, test_images)):
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


def grad_cam_places(maps, peaks, share, even, shown, n_right, y_true, predicted) -> list[str]:
    """Notebook 04's Grad-CAM lines: each map's peak cell and central-square share, the maps peaking in the outer
    ring (the eighth of the grid nearest an edge), and, for the wrong answers, whether the maps of the class said
    and of the true class peak at the same cell. ``maps`` in the figure's order: right, wrong, wrong (true class)."""
    rows, cols = maps.shape[1:]
    n_wrong = (len(maps) - n_right) // 2
    kinds = ["right"] * n_right + ["wrong"] * 2 * n_wrong
    for_class = ["class said"] * (n_right + n_wrong) + ["true class"] * n_wrong
    lines = [f"{kind} answer, true {CLASS_NAMES[y_true[i]]}, said {CLASS_NAMES[predicted[i]]}, map of the {c}: "
             f"the map peaks at cell ({r}, {col}) of {rows}x{cols}; {part:.0%} of its heat in the central square"
             for i, kind, c, (r, col), part in zip(shown, kinds, for_class, peaks, share)]
    lines.append(f"an evenly spread map would put {even:.0%} of its heat in the central square")
    ring = rows // 8
    outer = [f"{CLASS_NAMES[y_true[i]]} ({kind}, map of the {c})" for i, kind, c, (r, col) in zip(shown, kinds, for_class, peaks)
             if min(r, col, rows - 1 - r, cols - 1 - col) < ring]
    lines.append(f"maps peaking in the outer ring (the {ring} rows and columns nearest each edge): " + ("; ".join(outer) or "none"))
    same = sum(peaks[n_right + n_wrong + k] == peaks[n_right + k] for k in range(n_wrong))
    lines.append(f"what to notice: {np.sum(np.asarray(share) > even)} of {len(maps)} maps put more heat in the central square than "
                 f"an even spread; for the wrong answers, the maps of the class said and of the true class peak at the same cell in "
                 f"{same} of {n_wrong}")
    return lines
