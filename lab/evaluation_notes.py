"""Notebook 04's bookkeeping: the shipped model's numbers on the full test set, set beside a run on the sample.

A run on the full data with the shipped model keeps notebook 04's key numbers in ``results/evaluation.json``,
with the sha256 of the model file they describe. The quick profile (``DATA = "sample"``) sets its own numbers beside
them, and beside the test scores of the model's training run, in one table printed by the page's last cell::

    source, record = evaluation_notes.name_and_record(path)
    if DATA == "sample":
        evaluation_notes.sample_banner(len(x_test))
    evaluation_notes.bookkeeping(model, x_test, page, path, source, DATA, record=record)  # the last cell: the page's
    # values by name, checked against the library's copies; a full run of the shipped model rewrites
    # results/evaluation.json, a run on the sample prints the table (beside_full_test_set)
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Image, display

from helpers import data as datasets, evaluation, inspection, plots
from helpers.data import CLASS_NAMES
from helpers.paths import FIGURES_DIR, RESULTS_DIR, ROOT
from helpers.recipes import get_recipe
from lab import pretrained, references

FILE = RESULTS_DIR / "evaluation.json"
BINS, SURE = 15, 0.99  # the page's confidence bins, and the confidence from which a mistake's label is questioned


KEEP = {  # what is kept of this run's numbers, from the notebook's values (each entry once all its values are passed)
    ("scores", "confidence"): lambda v: {"accuracy": float(v["scores"]["accuracy"]), "ece": float(v["scores"]["ece"]),
                                         "mean_confidence": float(v["confidence"])},
    ("sure_text",): lambda v: {"sure": v["sure_text"]},
    ("temperature",): lambda v: {"temperature": v["temperature"]},
}


def saved_full(path: Path | None, data: str, file: Path = FILE) -> dict | None:
    """On the sample: the full run's numbers for this model file (results/evaluation.json, same sha256); else None."""
    saved = json.loads(file.read_text()) if data == "sample" and path is not None and file.exists() else None
    return saved if saved and saved["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest() else None


def largest_mistakes(confusion, count=5):
    """The table's list, as notebook 04's page finds it: the `count` largest off-diagonal cells as (count, true class,
    predicted class), largest first (tied cells in the table's order, row by row)."""
    cells = sorted(((confusion[i, j], CLASS_NAMES[i], CLASS_NAMES[j]) for i in range(10) for j in range(10) if i != j),
                   key=lambda cell: -cell[0])
    return cells[:count]


def find_model(model: str, data: str) -> Path:
    """The .keras file ``model`` names for notebook 04 (``"auto"``: notebook 03's, else the shipped one; or a path), as
    pretrained.model_file finds it; with none, a stand-in trained on the training images, which are loaded only then."""
    found = pretrained.locate_model(model, "minivggnet", "minivggnet_improved")
    train = None if found is not None else datasets.load("cifar10", data)[0]  # the training images: only for a stand-in
    return pretrained.model_file(model, "minivggnet", "minivggnet_improved", train_if_missing=train)[0]


def name_and_record(path: Path):
    """The model file ``path`` as notebook 04 prints it (relative to the repository when inside it), and its results
    record (None if it has none)."""
    path = Path(path)
    return str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path), pretrained.results_of(path)


def sample_banner(test_images: int):
    """Notebook 04 on the sample: one line saying what its numbers are and where the full test set's are set beside them."""
    shipped = (references.get("minivggnet_improved").results() or {}).get("test")
    note = f"QUICK PROFILE (DATA = \"sample\"): numbers on a {test_images:,}-image test sample"
    if shipped:
        note += f"; the shipped model reached {shipped['accuracy']:.2%} on all {shipped['images']:,} test images"
    print(note + "; the table at the end of the page sets this copy's numbers beside the full test set's")


def sample_note_confusions(confusion, record: dict | None, data: str):
    """On the sample only (else prints nothing): how far the largest mistake count of ``confusion`` could move on another
    sample (a count c scatters by about +-2*sqrt(c)), then the full test set's largest, from the results ``record``."""
    if data != "sample":
        return
    count = largest_mistakes(confusion)[0][0]
    low, high = count - 2 * np.sqrt(count), count + 2 * np.sqrt(count)
    full, on_full = full_test_set(record, data, int(confusion.sum())), ""
    if full:
        most, true, predicted = largest_mistakes(np.array(full["confusion_matrix"]))[0]
        on_full = f"; on all {full['images']:,} test images the largest is {true} taken for {predicted}, {most} times"
    print(f"on {confusion.sum():,} images the counts are small: the largest, {count}, could be {low:.0f} to {high:.0f} "
          f"on another sample, so this order may be luck{on_full}")


def sample_note_per_class(figure, per_class: dict, intervals: dict, record: dict | None, data: str):
    """On the sample only (else does nothing): how much wider the sample's per-class ``intervals`` are than the full
    test set's (from the results ``record``) and how many pairs overlap there; then, in place of the page's ``figure``,
    one figure with both: this sample's bars and intervals beside those of all the test images."""
    full = full_test_set(record, data, 0)
    if data != "sample" or not full:
        return
    matrix = np.array(full["confusion_matrix"])
    on_full = {name: matrix[i, i] / matrix[i].sum() for i, name in enumerate(CLASS_NAMES)}
    full_intervals = {name: evaluation.confidence_interval(on_full[name], int(matrix[i].sum()))
                      for i, name in enumerate(CLASS_NAMES)}
    ratio = (np.mean([high - low for low, high in intervals.values()])
             / np.mean([high - low for low, high in full_intervals.values()]))
    def overlaps(found):  # the pairs of intervals that overlap, as the page counts them
        return sum(a[0] <= b[1] and b[0] <= a[1] for k, a in enumerate(found) for b in found[k + 1:])
    luck = "so most of this ranking may be luck: " if overlaps(list(intervals.values())) > 45 / 2 else ""
    print(f"{luck}these intervals are {ratio:.1f} times as wide as on all {full['images']:,} test images, where "
          f"{overlaps(list(full_intervals.values()))} of 45 pairs overlap")
    sample, everything = "this sample", f"all {full['images']:,} test images (results/)"
    ax = figure.axes[0]
    print(f"the figure: the page's bars for this sample, and beside them the same model's on {everything}")
    plt.close(figure)  # replaced by the figure with both
    title = f"Accuracy per class, this sample beside all {full['images']:,} test images\n" + ax.get_title().split("\n")[-1]
    both = plots.per_class_accuracy({sample: per_class, everything: on_full}, title,
                                    intervals={sample: intervals, everything: full_intervals},
                                    colors={sample: "tab:blue", everything: "tab:gray"})
    start = min(ax.get_xlim()[0], np.floor(10 * min(low for low, _ in full_intervals.values())) / 10)
    both.axes[0].set(xlim=(start, 1), xlabel=both.axes[0].get_xlabel() + f"\nthe axis starts at {start:.0%}, not at 0")
    plt.show()


def sample_note_mistakes(path: Path | None, data: str, labels, probs):
    """On the sample only (else does nothing), after the page's figure, which it shows first: this sample's surest mistake,
    image 1 of that figure; the full test set's mistakes given SURE or more (results/evaluation.json) and how many this
    sample's size makes expected; then the full run's figure of the same model, figures/04_confident_mistakes.png."""
    if data != "sample":
        return
    plt.show()  # the sample's figure, above the notes
    predicted, top = probs.argmax(1), probs.max(1)
    wrong = np.flatnonzero(predicted != labels)
    i = wrong[np.argmax(top[wrong])]
    print(f"  image 1 of the figure, the surest: true {CLASS_NAMES[labels[i]]}, predicted {CLASS_NAMES[predicted[i]]} "
          f"{top[i]:.1%}")
    full = saved_full(path, data)  # None if results/ has none for this model file
    if full and full["sure"]:  # each sample image is one of the full test set's
        on_full = full["sure"].split("; ")
        expected = len(on_full) * len(labels) / full["test_images"]
        print(f"  on all {full['test_images']:,} test images: {len(on_full)} ({full['sure']}); in this sample "
              f"{np.sum(top[wrong] >= SURE)}, where a sample this size holds {expected:.1f} on average: too few to show one")
    figure = FIGURES_DIR / "04_confident_mistakes.png"
    if full and figure.exists():  # drawn by this notebook's run on all the test images, with this model file
        first = " (its image 1 is the full test set's mistake named just above)" if full["sure"] else ""
        print(f"below, {figure.relative_to(ROOT)}: the full test set's surest mistakes, drawn by this notebook's run on all "
              f"{full['test_images']:,} test images{first}")
        display(Image(filename=figure))


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


def bookkeeping(model, x_test, page: dict, path: Path | None, source: str, data: str, *, record: dict | None = None):
    """Notebook 04's last cell. Checks that each library copy gives the result the page wrote out (one printed line):
    ``page`` holds the page's values by name (as :func:`page_values` makes them, with ``interval``, the interval p +- z*se
    by hand that Wilson's refines, and ``grad_cam``, (layer, the images' indices, their heatmaps)). Then keeps the full run's
    numbers with FullRun, which a full run of the shipped model writes to results/evaluation.json. On the sample, then
    prints the table of :func:`beside_full_test_set` (``record``: the model's results record)."""
    logging.getLogger("tensorflow").setLevel(logging.ERROR)  # the library's predict retraces: no warning about it on the page
    y_test, probs, keras_scores, ece, confusion = (page[k] for k in ("y_test", "probs", "keras_scores", "ece", "confusion"))
    scores = evaluation.score(y_test, probs, CLASS_NAMES)  # the library's scores, for results/
    accuracy, (layer, picks, heatmaps), interval = keras_scores["accuracy"], page["grad_cam"], page["interval"]
    bins, count, bin_confidence, bin_accuracy = page["bins"]
    library_bins = [[b[key] for b in evaluation.reliability_bins(y_test, probs, bins)] for key in ("count", "confidence", "accuracy")]
    copies = {  # each library function, and whether it gives the result written out on the page
        "evaluation.predict": np.allclose(probs, evaluation.predict(model, x_test), atol=1e-6),
        "evaluation.confidence_interval": np.allclose(interval, evaluation.confidence_interval(accuracy, len(y_test)),
                                                      atol=1.96**2 / len(y_test)),  # Wilson's ends: within z^2/n of p +- z*se
        "evaluation.score": np.allclose([accuracy, keras_scores["top2_accuracy"], keras_scores["loss"], ece],
                                        [scores[k] for k in ("accuracy", "top2_accuracy", "loss", "ece")], atol=1e-4)
                            and np.array_equal(confusion, scores["confusion_matrix"]),
        "evaluation.reliability_bins": np.allclose([count, bin_confidence, bin_accuracy], library_bins),
        "inspection.grad_cam": np.allclose(heatmaps, inspection.grad_cam(model, x_test[picks], layer), atol=1e-4),
    }
    print("the library functions later notebooks call give this page's numbers:", all(copies.values()), f"({', '.join(copies)})")
    predicted = probs.argmax(1)
    sure_text = "; ".join(f"true {CLASS_NAMES[y_test[i]]}, predicted {CLASS_NAMES[predicted[i]]} {probs[i].max():.1%}"
                          for i in page["sure"])  # the surest mistakes
    full_run = FullRun(path, source, data, len(x_test))
    full_run.keep(scores=scores, confidence=page["confidence"], sure_text=sure_text, temperature=temperature_found(page))
    full_run.write()
    if data == "sample":  # the quick profile's table: this copy's numbers beside the full test set's
        beside_full_test_set(y_test, probs, keras_scores, page["temperature"], path, record, data)


def temperature_found(page: dict) -> dict:
    """The page's temperature (T, the indices it was fitted on, those it was checked on, the probabilities at T), as kept in
    results/evaluation.json: T, the images it was fitted on, and the ECE on the other half as trained and temperature-scaled."""
    t, fit_part, check_part, scaled = page["temperature"]
    labels = page["y_test"][check_part]
    checked = {name: {"ece": float(evaluation.expected_calibration_error(labels, found[check_part], bins=page["bins"][0]))}
               for name, found in (("as trained", page["probs"]), ("temperature-scaled", scaled))}
    return {"T": float(t), "fitted_on": len(fit_part), **checked}


def full_test_set(record: dict | None, data: str, test_images: int) -> dict | None:
    """Quick profile: the test scores of the model's results record, when they cover more images than this run's."""
    test = (record or {}).get("test", {})
    return test if data == "sample" and test.get("images", 0) > test_images else None


def sample_and_full(page: dict, record: dict | None, saved: dict) -> list[tuple[str, str, str]]:
    """The table's headline rows, (measure, this copy's value, the full test set's): ``page`` the page's values by name,
    ``record`` the training run's test scores on the full test set, ``saved`` notebook 04's full run (evaluation.json)."""
    confusion = page["confusion"]
    full_confusion = np.array(record["confusion_matrix"]) if record else None
    missing = "(not in results/)"

    def row(name, sample, full, show):  # a measure, its two values and how each is written
        return name, show(sample), missing if full is None else show(full)

    def accuracy(matrix):
        return np.trace(matrix) / matrix.sum()

    def interval(matrix):
        return "{:.2%}-{:.2%}".format(*evaluation.confidence_interval(accuracy(matrix), int(matrix.sum())))

    def mistakes(matrix, k):
        count, true, predicted = largest_mistakes(matrix)[k]
        return f"{true} taken for {predicted} {count}"

    t_saved = saved.get("temperature")
    rows = [row("accuracy", confusion, full_confusion, lambda m: f"{accuracy(m):.2%}"),
            row("  its 95% CI (Wilson)", confusion, full_confusion, interval)]
    rows += [row(f"the {('largest', '2nd', '3rd')[k]} confusion", confusion, full_confusion, lambda m, k=k: mistakes(m, k))
             for k in range(3)]
    rows += [row(f"ECE ({page['bins'][0]} bins)", page["ece"], record and record.get("ece"), "{:.4f}".format),
             row("temperature T", temperature_found(page), t_saved, lambda t: f"{t['T']:.2f} (fitted on {t['fitted_on']:,})")]
    return rows


def page_values(labels, probs, keras_scores: dict, temperature: tuple) -> dict:
    """The page's values by name (see :func:`bookkeeping`), from its labels, probabilities, Keras scores and temperature
    (T, the indices it was fitted on, those it was checked on, the probabilities at T); the rest recomputed as the page does."""
    predicted, top = probs.argmax(1), probs.max(1)
    confusion = np.zeros((10, 10), dtype=int)
    np.add.at(confusion, (labels, predicted), 1)
    return dict(y_test=labels, probs=probs, keras_scores=keras_scores, confusion=confusion, temperature=temperature,
                sure=np.flatnonzero((predicted != labels) & (top >= SURE)), confidence=float(top.mean()),
                ece=evaluation.expected_calibration_error(labels, probs, bins=BINS), bins=(BINS,))


def beside_full_test_set(labels, probs, keras_scores: dict, temperature: tuple, path: Path | None, record: dict | None,
                         data: str, file: Path = FILE):
    """Notebook 04's comparison: on the sample, a table of this copy's numbers (see :func:`page_values`) beside the full
    test set's (from the model's results record and results/evaluation.json), then whether the full test set's accuracy
    lies inside the sample's interval. A run on the full data, or with no numbers for this model in results/, prints one
    line instead."""
    full, saved = full_test_set(record, data, len(labels)), saved_full(path, data, file) or {}
    if data != "sample":
        print(f"this copy measured all {len(labels):,} test images: nothing to set beside them")
        return
    if not full:
        print("results/ holds no numbers on the full test set for this model: nothing to compare")
        return
    page = page_values(labels, probs, keras_scores, temperature)
    rows = sample_and_full(page, full, saved)
    heads = ("measure", f"this copy ({len(labels):,} images)", f"the full test set ({full['images']:,} images, from results/)")
    widths = [max(len(r[k]) for r in [heads, *rows]) + 2 for k in range(2)]
    for measure, sample, on_full in [heads, *rows]:
        print(f"{measure:<{widths[0]}}{sample:<{widths[1]}}{on_full}")
    low, high = evaluation.confidence_interval(np.trace(page["confusion"]) / len(labels), len(labels))
    where = "inside" if low <= full["accuracy"] <= high else "outside"
    print(f"the full test set's accuracy, {full['accuracy']:.2%}, lies {where} this copy's 95% CI")


def trained_on(record: dict) -> str:
    """How the model of a results record trained: its recipe, its images and which epoch's weights it kept. A model that
    kept no validation images first gets a line on the run that chose its recipe on validation (notebook 03's)."""
    name, split = get_recipe(record["recipe"]["name"]).name, record["data"]["split"]
    if split["validation"]:
        return (f"trained with the {name} recipe on {split['train']:,} images for {record['epochs_run']} epochs; the weights "
                f"kept are those of epoch {record['best_epoch']}, the best on validation accuracy")
    chosen = references.for_recipe(record["recipe"]["name"], record.get("arch", "minivggnet"))  # the run that chose it
    held = ((chosen.results() or {}) if chosen else {}).get("data", {}).get("split", {})
    first = (f"the {name} recipe was chosen on validation accuracy (results/README.md); its run {chosen.name} trained on "
             f"{held['train']:,} images and validated on {held['validation']:,};\nthis model was then " if held.get("validation") else "")
    return first + (f"trained with the {name} recipe on all {split['train']:,} training images for {record['epochs_run']} "
                    f"epochs: no validation images were left to choose an epoch with, so the weights are those of the last epoch")


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
        axes[0, 0].set_ylabel("image")
        for col, (image, caption) in enumerate(zip(images, captions)):
            axes[0, col].imshow(image)
            axes[0, col].set_title(caption, fontsize=9)
        for r, (label, maps) in enumerate(rows.items(), start=1):
            axes[r, 0].set_ylabel(label)
            for col, heat in enumerate(maps):
                axes[r, col].imshow(images[col])  # each enlarged map scaled to its own peak, marked with a white +
                shown = axes[r, col].imshow(heat / max(heat.max(), 1e-12), cmap="jet", alpha=0.4, vmin=0, vmax=1)
                axes[r, col].plot(*np.unravel_index(heat.argmax(), heat.shape)[::-1], "w+", markersize=10, mew=2, clip_on=False)  # not clipped at the border
        plt.setp(axes, xticks=[], yticks=[])
        sub.suptitle(title, fontsize=11, fontweight="bold")
    full_colours = plt.cm.ScalarMappable(norm=shown.norm, cmap=shown.cmap)  # the bar in full colour, not at 40%
    sub.colorbar(full_colours, ax=axes[-1, :], orientation="horizontal", shrink=0.6, aspect=40,
                 label="Grad-CAM (0: no positive evidence for the class; 1: the map's peak)")
    return fig
