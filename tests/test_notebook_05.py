"""Notebook 05_shallow_vs_minivggnet: executed in the quick profile, checked on what it printed and wrote."""

import hashlib
import json
import re

import numpy as np
import nbformat

from helpers import data, evaluation, models, recipes
from helpers.paths import ROOT
from lab import notebooks, references
from nbtools import reference, text_of


def _markdown(prefix: str) -> str:
    path = notebooks.notebook_paths([prefix])[0]
    return "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown")


def _full_data_accuracies() -> dict:
    """results/shallow_vs_minivggnet.json, checked: it describes the shipped model files and agrees with their results files."""
    saved = json.loads((ROOT / "results" / "shallow_vs_minivggnet.json").read_text())
    assert set(saved) == {"shallownet_original", "minivggnet_original", "minivggnet_improved_val", "minivggnet_improved"}
    for name, full in saved.items():
        run = reference(name)
        assert full["sha256"] == hashlib.sha256(references.get(name).model_path.read_bytes()).hexdigest(), f"{name}: the shipped file"
        assert round(full["test"], 4) == run["test"]["accuracy"], f"{name}: its results file's test accuracy"
        if run["data"]["split"]["validation"]:
            assert abs(full["val"] - run["history"]["val_accuracy"][run["best_epoch"] - 1]) < 1e-4, f"{name}: its kept epoch's"
        else:
            assert "val" not in full, f"{name} trained on the validation images"
    return saved


def _weak_flag_right(low: float, high: float, flagged: bool) -> bool:
    """An interval beyond 0 with an end within 1 point of 0 is flagged as weak evidence; no other one is."""
    return flagged == ((low > 0 or high < 0) and min(abs(low), abs(high)) <= 1)


def _clearly(low: float, high: float) -> str:
    """A low end more than 1 point above the rival's high end is clear; by 1 point or less only just (weak evidence)."""
    return "clearly" if round(low - high, 1) > 1 else "only just, weak evidence" if low > high else "not clearly"


def test_05_prints_cost_and_the_loss_floor(executed):
    text = text_of(executed("05"))
    assert "shallownet:   328,586 parameters,   1.2 M multiply-adds per image" in text
    assert "MiniVGGNet: 6.6x the parameters, 22x the multiply-adds per image" in text
    assert "the classifier reads 32,768 values, each from a 3x3 window" in text, "what the prose says ShallowNet sees"
    assert "the classifier reads 4,096 values, each from a 16x16 window" in text, "what the prose says MiniVGGNet sees"
    layers = ", ".join(layer.name for layer in models.minivggnet().layers)
    assert f"MiniVGGNet's layers: {layers}" in text and text.index(layers) < text.index("the classifier reads"), "before its cost"
    assert "flatten, head_fc" in layers, "the classifier named in the prose starts at Flatten"
    assert "lowest possible loss with label smoothing 0.1: 0.500" in text
    assert "epochs: original recipe 40, improved recipe 30" in text, "why the improved curve stops early"


def test_05_prints_what_changes_in_each_step(executed):
    text = text_of(executed("05"))
    first = text.index("ShallowNet's original settings -> MiniVGGNet's:")
    second = text.index("MiniVGGNet's original recipe -> the improved one:")
    assert first < second
    for line in ("batch_size                     32 -> 64", "momentum                      0.0 -> 0.9",
                 "nesterov                    False -> True", "schedule                 constant -> inverse_time"):
        assert line in text[first:second], line
    for line in ("optimizer                     sgd -> adamw", "schedule             inverse_time -> warmup_cosine",
                 "weight_decay                  0.0 -> 0.01", "label_smoothing               0.0 -> 0.1",
                 "augment                     False -> True", "normalization                unit -> standardize",
                 "whiten_first_layer          False -> True"):
        assert line in text[second:], line
    assert "test images per class: [100, 100, 100, 100, 100, 100, 100, 100, 100, 100]" in text
    assert re.search(r"^  crop_padding +4 -> 2 \(no effect before\)$", text, flags=re.M), "inactive without augmentation"
    assert re.search(r"^  decay +0\.0 -> 0\.00025 \(no effect before\)$", text, flags=re.M), "inactive without inverse_time"
    assert re.search(r"^  nesterov +False -> True \(no effect before\)$", text, flags=re.M), "inactive without momentum"
    assert text.count("results files (10,000 test images, unpaired):") == 1, "the results files' steps printed once, first"
    for where, images, kind in (("here", "1,000", "paired"), ("the three steps, results files", "10,000", "unpaired")):
        block = re.search(rf"^{where} \({images} test images, {kind}\):\n((?:  .*\n?){{4}})", text, flags=re.M)
        assert block, f"the conclusion, {where}"
        for line in re.findall(r"^  (?:network|recipe|data) .*$", block.group(1), flags=re.M):
            found = re.fullmatch(r"  .+? {2,}(a gain|a loss|no difference beyond the noise) \(([+-]\d+\.\d) \+- (\d+\.\d) points: "
                                 r"interval ([+-]\d+\.\d) to ([+-]\d+\.\d)(; weak evidence: an end only just beyond 0)?\)", line)
            assert found, line
            gain, noise, low, high = (float(found.group(i)) for i in (2, 3, 4, 5))
            assert abs(low - (gain - noise)) < 0.01 and abs(high - (gain + noise)) < 0.01, "the printed ends add up"
            assert _weak_flag_right(low, high, bool(found.group(6))), line
            assert found.group(1) == ("a gain" if low > 0 else "a loss" if high < 0 else "no difference beyond the noise"), line
        found = re.search(r"^  largest step: (network|recipe|data) \((clearly|only just, weak evidence|not clearly): its interval's low "
                          r"end ([+-]\d+\.\d) is (above|not above) the next step's high end ([+-]\d+\.\d)\)$", block.group(1), flags=re.M)
        assert found, f"the largest step, {where}, with the threshold that decides it"
        low, high = float(found.group(3)), float(found.group(5))
        assert found.group(2) == _clearly(low, high), "the weak rule applied to 'clearly'"
        assert found.group(4) == ("above" if low > high else "not above")


def test_05_prints_the_full_runs_numbers_beside_every_quick_effect(executed):
    text = text_of(executed("05"))
    assert ("Left, measured now: test accuracy on the 1,000-image test sample. Right, read from results/shallow_vs_minivggnet.json: "
            "the same models measured on the full data the last time this notebook ran on it.") in text, "where each column comes from"
    full_images = reference("minivggnet_improved")["test"]["images"]
    assert f"results files ({full_images:,} test images, unpaired):" in text
    split, everything = (reference(n)["data"]["split"]["train"] for n in ("minivggnet_improved_val", "minivggnet_improved"))
    assert f"data (improved recipe, {split:,} -> all {everything:,} training images):" in text, "the data step, from the results files"
    assert f"the data step adds {everything / split - 1:.0%} more training images ({split:,} -> {everything:,})" in text
    runs = [reference(n) for n in ("minivggnet_improved_val", "minivggnet_improved")]
    assert (f"kept epoch: {runs[0]['best_epoch']} of {runs[0]['epochs_run']} on the split (its best validation epoch), "
            f"{runs[1]['best_epoch']} of {runs[1]['epochs_run']} on all the images (its last)") in text, "what the prose says each run keeps"
    assert "results/shallow_vs_minivggnet.json holds the full data's accuracies of 4 of the 4 reference models" in text
    assert "accuracies in %; gap: train minus val accuracy, in points" in text, "one unit: %, gaps in points"
    for name, full in _full_data_accuracies().items():
        gap = round(100 * full["train"], 1) - round(100 * full["val"], 1) + 0.0 if "val" in full else None  # the printed ones
        val, gap = (f"{full['val']:.1%}", f"{gap:+.1f}") if "val" in full else ("seen", "")
        train, test = re.escape(f"{full['train']:.1%}"), re.escape(f"{full['test']:.1%}")
        assert re.search(rf"^\s*{name}\s+\d+\.\d%\s+\d+\.\d%-\d+\.\d%\s+{train}\s+{re.escape(val)}\s+{re.escape(gap)}\s+{test}$",
                         text, flags=re.M), f"{name}: sample test and CI, then the full data's train, val, gap, test"
    block = text[text.index(f"results files ({full_images:,} test images, unpaired):"):]
    effects = re.findall(r"^  (?:network|recipe|data) .*\):\s+(?:a gain|a loss|no difference beyond the noise) \(([+-]\d+\.\d) \+- \d+\.\d points",
                         block, flags=re.M)[:3]
    pairs = [("shallownet_original", "minivggnet_original"), ("minivggnet_original", "minivggnet_improved_val"),
             ("minivggnet_improved_val", "minivggnet_improved")]
    expected = [f"{100 * (reference(b)['test']['accuracy'] - reference(a)['test']['accuracy']):+.1f}" for a, b in pairs]
    assert effects == expected, "each paired effect on the sample with the full runs' difference beside it"
    before, after = reference("shallownet_original")["test"]["per_class"], reference("minivggnet_original")["test"]["per_class"]
    for kind, members in data.CIFAR10.groups.items():
        full = 100 * np.mean([after[c]["recall"] - before[c]["recall"] for c in members])
        assert re.search(rf"average gain, {kind}s: [+-]\d+\.\d \+- \d+\.\d points(?: \(noise\)|; weak evidence: an end only just beyond 0)? "
                         rf"\(results files: {re.escape(f'{full:+.1f}')}\)", text), kind
    found = re.search(r"^animals minus vehicles: ([+-]\d+\.\d) \+- (\d+\.\d) points \((animals gain more|vehicles gain more|"
                      r"no difference beyond the noise)(; weak evidence: an end only just beyond 0)?; results files: [+-]\d+\.\d\)$",
                      text, flags=re.M)
    assert found, "the groups' difference, read in words"
    gain, noise = float(found.group(1)), float(found.group(2))
    assert found.group(3) == ("no difference beyond the noise" if abs(gain) <= noise else
                              "animals gain more" if gain > 0 else "vehicles gain more")
    assert _weak_flag_right(gain - noise, gain + noise, bool(found.group(4))), "weak flag, as for the steps"
    for found in re.finditer(r"^\s*\w+ +\d+\.\d% -> +\d+\.\d% +([+-]\d+\.\d) \+- +(\d+\.\d) = +([+-]\d+\.\d) to +([+-]\d+\.\d)"
                             r"( \(noise\)| \(weak\))?", text, flags=re.M):
        gain, noise = float(found.group(1)), float(found.group(2))
        ends = float(found.group(3)), float(found.group(4))
        assert abs(ends[0] - (gain - noise)) < 0.01 and abs(ends[1] - (gain + noise)) < 0.01, "the printed ends add up"
        if abs(abs(gain) - noise) > 0.1 and abs(min(abs(gain - noise), abs(gain + noise)) - 1) > 0.1:  # rounding cannot decide it
            assert (found.group(5) == " (noise)") == (abs(gain) < noise), found.group(0)
            assert (found.group(5) == " (weak)") == _weak_flag_right(gain - noise, gain + noise, True), found.group(0)
        assert (found.group(5) == " (weak)") == _weak_flag_right(*ends, True), "the weak flag, checkable from the printed ends"
    assert len(re.findall(r"^\s*\w+ +\d+\.\d% -> +\d+\.\d% +[+-]\d+\.\d \+- +\d+\.\d.*\s[+-]\d+\.\d$", text, flags=re.M)) == 10
    rows = {m.group(1): [float(m.group(i)) for i in (2, 3, 4)] for m in re.finditer(
        r"^\s*(\w+) +\d+\.\d% -> +\d+\.\d% +([+-]\d+\.\d) \+- +\d+\.\d = +([+-]\d+\.\d) to +([+-]\d+\.\d)", text, flags=re.M)}
    found = re.search(r"^largest gain: (\w+) \((clearly|only just, weak evidence|not clearly): its low end ([+-]\d+\.\d) "
                      r"against the highest other high end, (\w+)'s ([+-]\d+\.\d)\)$", text, flags=re.M)
    assert found and len(rows) == 10, "the heading's question answered"
    top, rival = found.group(1), found.group(4)
    assert rows[top][0] == max(row[0] for row in rows.values()) and float(found.group(3)) == rows[top][1]
    assert float(found.group(5)) == max(row[2] for c, row in rows.items() if c != top) == rows[rival][2]
    assert found.group(2) == _clearly(rows[top][1], float(found.group(5))), "the weak rule applied to 'clearly'"


def test_05_defines_its_terms_and_cites_what_it_does_not_measure():
    prose = _markdown("05")
    flat = " ".join(prose.split())  # line breaks in the markdown do not matter

    def defined(definition: str) -> bool:
        return " ".join(definition.split()) in flat
    for term, definition in (("recipe", "*recipe* (everything about\ntraining except the network itself"),
                             ("CI", "**95% confidence interval (CI)**"),
                             ("paired", "*paired\ncomparison*")):
        assert defined(definition), term
    assert flat.index("## Train the two networks yourself") < flat.index("**How we compare.**") < flat.index("**Two checks on the short run.**"), \
        "the Keras lesson leads; the rules come just before the lead and its checks"
    assert "*Wilson's* 95% interval (`evaluation.confidence_interval`)" in flat and "it nears p ± 1.96·sqrt(p(1−p)/n)" in flat, \
        "Wilson's interval is the one-accuracy rule, the normal formula its large-sample approximation"
    assert defined("*clearly* the largest when its low end is more than 1 point above its rival's\n  high end: the next-largest step's, or, for the per-class gains, the highest other high end"), \
        "the rule names both rivals the code uses (print_steps and the per-class cell)"
    assert "1.96 is the normal (bell-shaped) curve's 95% point" in flat and flat.index("1.96") < flat.index("**Two checks on the short run.**"), "1.96 explained first"
    assert flat.index("(*unpaired*)") < flat.index("sqrt(a(1−a)/n + b(1−b)/n)"), "the unpaired rule in How we compare"
    for reference_ in ("Zeiler &\n  Fergus (2014", "Ioffe & Szegedy, 2015", "Srivastava et al., 2014"):
        assert reference_ in prose, "claims the series does not test are attributed to the literature"
    assert "not findings of this series" in prose
    for term, definition in (("batch normalisation", "*batch normalisation* (each channel's values are shifted and scaled to mean 0 and spread (standard\n"
                                                     "deviation) 1 over the *batch*, the images of one training step, then given a learned scale and shift)"),
                             ("ReLU", "a ReLU\n(it keeps positive values and sets negative ones to 0)"),
                             ("softmax", "softmax turns into probabilities (ten positive numbers that add up to 1"),
                             ("warmup", "a *warmup* (the rate rises in a straight line from a fraction of its peak"),
                             ("standardisation", "(*standardisation*) shifts and scales each colour channel to mean 0 and spread 1"),
                             ("whitening", "(*whitening*): the first convolution starts from filters computed from"),
                             ("dropout", "*dropout* (random *units*, the single values of a layer's output, set to 0 during training)"),
                             ("multiply-adds", "*multiply-adds* (the multiplications"),
                             ("stratified", "(*stratified*: every class keeps its share; the same share held out)"),
                             ("weight decay", "*weight decay*: every weight except biases and batch-normalisation parameters shrinks"),
                             ("channel", "(a feature map: one filter's output, one value per position of the image; also called a *channel*, like the input's colour channels)"),
                             ("momentum", "with *momentum* each step"), ("AdamW", "*AdamW* (`optimizer`) scales each weight's step"),
                             ("two-stage protocol", "the *two-stage protocol*: settings chosen on the validation\nsplit"),
                             ("loss", "*loss*, one number saying how wrong the network's probabilities are"),
                             ("gap", "The *gap*, training minus validation accuracy in points"),
                             ("profiles", "The quick profile measures only the test column, on the committed sample, and reads the full data's\n"
                                          "columns from `results/shallow_vs_minivggnet.json`, which the full profile writes"),
                             ("cross-entropy", "the *cross-entropy* (minus the sum, over the ten classes"),
                             ("gradient", "the *gradient* of the loss on one batch (for each weight, how fast the loss grows when that weight grows)"),
                             ("epoch", "*epochs* (passes over all the training images)"),
                             ("points", "in *points* (percentage points)"),
                             ("ImageNet", "ImageNet (a collection of photos far larger than CIFAR-10"),
                             ("validation split", "The validation split is kept out of training so that settings can be chosen"),
                             ("Rescaling", "behind a `Rescaling` layer, which computes `pixel x scale + offset`"),
                             ("pooling", "*pooling* (each 2x2 window of a feature map replaced by its largest"),
                             ("optimizer", "the *optimizer* is\nthe rule that changes the weights at each training step"),
                             ("learning rate", "the *learning rate* sets how large\nthose changes are"),
                             ("checkpoint", "a *checkpoint*"),
                             ("classifier", "*classifier* is its part from `Flatten` on"),
                             ("kept epoch", "each run's *kept epoch*: the epoch whose\nweights the run saved, its best validation epoch"),
                             ("profile", "A *profile* is a set of parameter\nvalues to run the notebook with"),
                             ("committed sample", "a small\nsample of it stored in the repository (the *committed sample*)"),
                             ("reference runs", "*reference runs* (trainings done beforehand,\nwhose models and *results files* the repository ships"),
                             ("results file", "a results file,\n`results/<run>.json`, holds a run's accuracies during training"),
                             ("Dense", "(each of its outputs a weighted sum of all its inputs plus a learned constant, the *bias*)"),
                             ("overfitting", "is not by itself *overfitting* (learning the\ntraining images themselves"),
                             ("CIFAR-10", "on CIFAR-10, small colour photos\nof 32x32 pixels in ten classes"),
                             ("training split", "*training split* (the training images minus a held-out validation split)"),
                             ("metric", "the *metric* (a number printed per epoch, here accuracy)"),
                             ("learning curve", "A *learning curve* is a metric drawn against the epoch"),
                             ("running averages", "It uses running\naverages kept during training")):
        assert defined(definition), term
    assert 0 < flat.index("*batch*") - flat.index("*batch normalisation*") < 200 < flat.index("batch_size"), "batch: defined at first use"
    for term in ("loss", "cross-entropy", "reference runs", "training split", "stratified", "points", "pooling",
                 "optimizer", "learning rate", "checkpoint"):
        verdicts = flat.replace("a loss (of accuracy, not the training loss) when below", "")  # the box's verdict word (accuracy lost), not the training loss
        assert verdicts.index(f"*{term}*") - verdicts.lower().index(term.lower()) < 50, f"{term}: defined where first used"
    for confounded in ("what depth buys", "both original recipe", "both trained with the original recipe", "separates them",
                       "as the architecture effect", "on equal terms, using", "measured\nthem on augmented images with dropout on",
                       "which are harder than plain ones", "both recipes measured them", "near chance", "too few steps even for that", "where does it land\n   between"):
        assert confounded not in prose, confounded
    assert defined("so it measures the\ntwo together, not the architecture alone")
    assert "shipped model" not in flat and "shipped run" not in flat and "full runs" not in flat, "one name per kind of model"
    assert "## The reference runs' validation curves side by side" in prose and defined("The series' model,\n`minivggnet_improved`, trained on the validation images")
    assert defined("The run on the split keeps the weights of its best validation epoch, the run on all the images those of its last")
    assert defined("the last lines set each paired half-width beside the unpaired one on\nthe same images, so only pairing differs")
    for typed in ("1,000", "10,000", "45,000", "50,000"):
        assert typed not in prose, f"{typed}: sizes are printed by the code, not typed into the prose"
    assert defined("with MiniVGGNet's dropout on and, for the improved recipe, on augmented images"), "why training accuracy is measured again"
    assert "with MiniVGGNet's dropout on), so early on" not in prose and defined("epoch while the weights still improve, so early on"), \
        "training below validation: the epoch average, for either network, not dropout"
    assert defined("the improved recipe also trains on augmented images") and defined("a higher loss need not mean a worse network"), \
        "both label smoothing and augmentation raise the improved recipe's training loss"
    assert defined("is no evidence against that: its running averages\n  lag behind in the first steps"), "the short run's slow start against the BN claim"
    assert 0 <= flat.index("*parameters* (the weights and biases that training adjusts") - flat.index("network's *parameters*") < 30, "parameters: defined at first use"
    assert flat.index("*epochs*") - flat.lower().index("epoch") < 80, "epoch: defined in the table row that first names the field"
    assert defined("The *training* accuracies that `fit` recorded in the reference runs' results files are not reused"), "only the training ones: fit's validation ones are checked"
    assert "random filters largely repeat" not in prose and defined("so that their outputs are uncorrelated (notebook 03)")
    assert 0 < flat.index("*cross-entropy*") - flat.index("*loss*") < 200, "defined next to the loss"
    assert defined("*feature maps*\n(a feature map: one filter's output") and "response map" not in prose
    assert defined("random *units*, the single values of a layer's output")
    assert defined("the two\nimproved models' means differ a little (each was standardised over the images it trained on)")
    assert flat.index("## Train the two networks yourself") < flat.index("## The trained models"), "compile and fit come early"
    cells = nbformat.read(notebooks.notebook_paths(["05"])[0], as_version=4).cells
    source = "\n".join(c.source for c in cells)
    assert source.count("COLOURS = {") == 1 and "`COLOURS`, the same in every figure below" in prose, "one colour per model"
    figures = [c.source for c in cells if "plots.save_figure(" in c.source]
    assert len(figures) == 3 and all("COLOURS" in c for c in figures), "every figure in those colours"
    assert "p_low, p_high = evaluation.confidence_interval(p, full_test_images)" in source, "one accuracy: Wilson's interval"
    assert "mixed precision" not in source, "no remark on a setting this notebook never uses"
    assert "rc_context" not in source, "a figure made inside plt.rc_context can stay undisplayed"
    assert "NBVAL" not in source
    assert 'model.predict(images.astype("float32"), batch_size=' in source, "the Keras scoring is on the page"
    assert "probs.argmax(axis=1) == labels" in source
    assert "evaluation.predict(" not in source and "evaluation.score(labels" not in source
    assert 'recipes.get_recipe("original", "shallownet")' in source
    assert "Gain per class, each network with its original project's settings" in source, "the per-class figure's title"
    assert "hashlib" not in source and "comparison.full_data_accuracies(SPLITS_FILE, files, measured_now, full_data)" in source, \
        "the file plumbing is in the lab"
    assert "comparison.print_accuracy_table(" in source and "def columns" not in source, "the table's two layouts are in the lab"
    for keras_on_the_page in ('keras.layers.Conv2D(32, 3, padding="same", name="conv")', "keras.saving.load_model(path)",
                              "network.compile(optimizer=keras.optimizers.SGD(",
                              "xerr=[100 * gain_noise[c] for c in order]", "ax.barh(rows, [100 * gains[c]",
                              "network.compile(optimizer=keras.optimizers.SGD(learning_rate=sgd.learning_rate",
                              'loss="sparse_categorical_crossentropy", metrics=["accuracy"])',
                              "history = network.fit(short_x, short_y, batch_size=sgd.batch_size, epochs=EPOCHS, "
                              "validation_data=(val_x, y_val)"):
        assert keras_on_the_page in source, keras_on_the_page


def test_05_writes_shallownet_out_and_explains_the_recipe_fields(executed):
    text = text_of(executed("05"))
    assert "328,586 parameters; the same network as models.shallownet(): True" in text
    assert "shallownet_original: models/shallownet_original.keras; first layer: Rescaling, (pixel - [0.0]) / [255.0]" in text, \
        "the unit recipe's scaling, read from the model's first layer"
    assert re.search(r"^minivggnet_improved: models/minivggnet_improved.keras; first layer: Rescaling, "
                     r"\(pixel - \[\d+\.\d, \d+\.\d, \d+\.\d\]\) / \[\d+\.\d, \d+\.\d, \d+\.\d\]$", text, flags=re.M), "per channel"
    assert "What these fields mean" not in text, "the fields explained once, in the prose"
    prose = _markdown("05")
    assert "Terms used in both steps:" in prose and "The first step's fields" not in prose
    for field in ("batch_size", "epochs", "optimizer", "learning_rate", "momentum", "nesterov", "schedule", "decay",
                  "label_smoothing", "augment", "crop_padding", "normalization", "whiten_first_layer"):
        assert f"`{field}`" in prose, f"{field}: explained in the prose"


def test_05_shows_every_figure_it_saves(executed):
    notebook = executed("05")
    figures = [cell for cell in notebook.cells if cell.cell_type == "code" and "plots.save_figure(" in cell.source]
    assert len(figures) == 3
    for cell in figures:
        assert any("image/png" in output.get("data", {}) for output in cell.outputs), cell.source.splitlines()[0]
    source = "\n".join(c.source for c in notebook.cells)
    assert "histories = {LABELS[name]:" in source and '"ShallowNet, its original settings (' in source, "plain names in the legends"


def test_05_prints_the_gain_per_class_and_the_warmup(executed):
    text = text_of(executed("05"))
    improved = recipes.get_recipe("improved", "minivggnet")
    assert (f"the improved recipe's warmup: from warmup_start = {improved.warmup_start} x the peak rate {improved.learning_rate}, "
            f"rising over the first {improved.warmup_fraction:.0%} of the steps") in text, "warmup_start printed where it is explained"
    source = "\n".join(c.source for c in executed("05").cells)
    assert '"05_per_class_gain"' in source and "per_class_accuracy(" not in source, "the gain chart replaced the accuracy bars"


def test_05_concludes_with_the_gap_from_the_full_data(executed):
    text = text_of(executed("05"))
    full = _full_data_accuracies()
    block = text[text.index("train-validation gap on the full data:"):]
    assert "change in the gap, after minus before (negative: it shrank;" in block, "the sign of a change said"
    gaps = {}
    for name, label in (("shallownet_original", "ShallowNet, its original settings"),
                        ("minivggnet_original", "MiniVGGNet, its original settings"),
                        ("minivggnet_improved_val", "MiniVGGNet, improved recipe (")):
        gaps[name] = round(100 * full[name]["train"], 1) - round(100 * full[name]["val"], 1)  # as the table prints them
        assert re.search(rf"^  {re.escape(label)}.*:\s+{re.escape(f'{gaps[name]:+.1f}')} \+- \d+\.\d points$",
                         block, flags=re.M), f"{name}: its gap, from results/shallow_vs_minivggnet.json"
    for step, (a, b) in (("network", ("shallownet_original", "minivggnet_original")),
                         ("recipe", ("minivggnet_original", "minivggnet_improved_val"))):
        found = re.search(rf"^  {re.escape(step)}:\s+([+-]\d+\.\d) \+- (\d+\.\d) points \((it shrank|it grew|no change beyond the noise)\)$",
                          block, flags=re.M)
        assert found, step
        change, noise = float(found.group(1)), float(found.group(2))
        assert abs(change - (gaps[b] - gaps[a])) <= 0.11, f"{step}: the difference of the two gaps"
        if abs(change) > noise + 0.1:  # rounding to 0.1 cannot decide the verdict
            assert found.group(3) == ("it shrank" if change < 0 else "it grew"), step
        elif abs(change) < noise - 0.1:
            assert found.group(3) == "no change beyond the noise", step
    assert re.search(r"^on the full data, the step with the largest accuracy gain: (network|recipe|data)$",
                     block, flags=re.M)
    drops = {step: gaps[a] - gaps[b] for step, (a, b) in (("network", ("shallownet_original", "minivggnet_original")),
                                                          ("recipe", ("minivggnet_original", "minivggnet_improved_val")))}
    largest = max(drops, key=drops.get)
    assert (f"the step with the largest drop in the gap: {largest}" if drops[largest] > 0 else "neither step lowered the gap") in block


def test_05_checks_fits_validation_accuracy_against_the_measured_one(executed):
    text = text_of(executed("05"))
    block = text[text.index("validation accuracy, as fit printed it and as measured on the full data:"):]
    full = _full_data_accuracies()
    for name in ("shallownet_original", "minivggnet_original", "minivggnet_improved_val"):
        run = reference(name)
        by_fit = run["history"]["val_accuracy"][run["best_epoch"] - 1]
        fit_, again = re.escape(f"{by_fit:.2%}"), re.escape(f"{full[name]['val']:.2%}")
        assert re.search(rf"^\s+{name}: fit {fit_}, measured {again} \(the same\)$",
                         block, flags=re.M), name
    assert not re.search(r"^\s+minivggnet_improved: fit", block, flags=re.M), "the shipped model trained on the validation images"


def test_05_figure_tells_the_intervals_from_the_full_runs():
    source = "\n".join(c.source for c in nbformat.read(notebooks.notebook_paths(["05"])[0], as_version=4).cells)
    assert 'error_kw={"ecolor": "dimgrey"}' in source and "centred on the end of each bar" in source, "barh's xerr is drawn around the value"
    assert 'color="white", markeredgecolor="tab:red"' in source, "the full runs' diamonds unlike the interval lines"
    assert "ax.set_yticks(rows, [c + flags[c] for c in order])" in source, "weak and noise classes flagged on the chart"
    assert 'linewidth=2.5, zorder=4' in source, "the group averages solid, above the bars, unlike the dashed overall line"


def test_05_shows_keras_summary_and_the_short_runs_settings(executed):
    text = text_of(executed("05"))
    plain = re.sub(r"\x1b\[[0-9;]*m", "", text)  # without the summary's terminal colour codes
    assert re.search(rf"Total params: {models.shallownet().count_params():,}\b", plain), "Keras's own summary of ShallowNet"
    source = "\n".join(c.source for c in nbformat.read(notebooks.notebook_paths(["05"])[0], as_version=4).cells)
    assert "shallow.summary()" in source and "fig.suptitle(f\"Short run: the same SGD settings for both, {EPOCHS} epochs" in source


def test_05_short_run_budget_per_profile():
    from lab import comparison
    assert comparison.short_run_budget("sample", 1800) == (1800, comparison.SHORT_RUN["sample"][1]), "all of the sample's split"
    images, epochs = comparison.short_run_budget("full", 45_000)
    assert (images, epochs) == comparison.SHORT_RUN["full"] and images < 45_000, "a part of the full split"


def test_05_trains_both_networks_briefly_and_prints_the_lead(executed):
    text = text_of(executed("05"))
    from lab import comparison
    images, epochs = comparison.short_run_budget("sample", 1800)  # the committed sample's training split: 90% of its 2,000 images
    steps = epochs * -(-images // 64)
    assert f"budget: {epochs} epochs on {images:,} training images, batches of 64 ({steps:,} gradient steps); " \
           "validation after each epoch on 200 images" in text
    decay = recipes.get_recipe("original", "minivggnet").decay
    assert f"left out: the decay {decay}, which would have lowered the rate to {1 / (1 + decay * steps):.0%} of its start" in text
    for arch in ("shallownet", "minivggnet"):
        assert re.search(rf"^\s*{arch}: +\d+ s; validation accuracy per epoch (\d+\.\d%, ){{{epochs - 1}}}\d+\.\d%$", text, flags=re.M), arch
    assert f"after {steps:,} gradient steps the starting values still weigh {0.99 ** steps:.0%}" in text
    for arch in ("shallownet", "minivggnet"):  # each validation point's uncertainty, from the validation images' count
        found = re.search(rf"^\s*{arch}: last validation accuracy (\d+\.\d)%, 95% interval (\d+\.\d)%-(\d+\.\d)% "
                          r"on 200 images$", text, flags=re.M)
        assert found, f"{arch}: the last validation point's interval, as its two ends"
        value, low, high = (float(found.group(i)) for i in (1, 2, 3))
        assert low <= value <= high
    rows = {}
    for arch, shipped in (("shallownet", "shallownet_original"), ("minivggnet", "minivggnet_original")):
        run = reference(shipped)
        found = re.search(rf"^  {arch} +(\d+\.\d)% \({epochs} epochs on {images:,} images\) +{run['test']['accuracy']:.1%} "
                          rf"\(kept epoch {run['best_epoch']} of {run['epochs_run']}, {run['data']['split']['train']:,} images\)$", text, flags=re.M)
        assert found, f"{arch}: the short run beside the shipped run's full-length numbers"
        rows[arch] = float(found.group(1))
    shipped = 100 * (reference("minivggnet_original")["test"]["accuracy"] - reference("shallownet_original")["test"]["accuracy"])
    assert re.search(r"^  +short run here, 1,000 test images +reference run, [\d,]+ test images$", text, flags=re.M), "which images it scores"
    found = re.search(r"^MiniVGGNet's lead at the end: ([+-]\d+\.\d) \+- (\d+\.\d) points, interval ([+-]\d+\.\d) to ([+-]\d+\.\d) "
                      r"\((MiniVGGNet ahead|ShallowNet ahead|no difference beyond the noise)(; weak evidence: an end only just beyond 0)?\); "
                      rf"the reference runs: {re.escape(f'{shipped:+.1f}')} points$", text, flags=re.M)
    assert found, "the lead at the end with its interval and verdict, beside the shipped runs'"
    lead, noise, low, high = (float(found.group(i)) for i in (1, 2, 3, 4))
    assert abs(lead - (rows["minivggnet"] - rows["shallownet"])) <= 0.11
    assert abs(low - (lead - noise)) < 0.01 and abs(high - (lead + noise)) < 0.01, "the printed ends add up"
    assert found.group(5) == ("MiniVGGNet ahead" if low > 0 else "ShallowNet ahead" if high < 0 else "no difference beyond the noise")
    assert _weak_flag_right(low, high, bool(found.group(6))), "weak exactly when an end beyond 0 is within a point of it"
    order = re.search(r"^order against the reference runs': (.*)$", text, flags=re.M).group(1)
    assert order == ("not decided (no difference beyond the noise)" if found.group(5) == "no difference beyond the noise"
                     else "the same" if (lead > 0) == (shipped > 0) else "reversed")
    ref_split = reference("minivggnet_original")["data"]["split"]
    assert (f"split: 1,800 training + 200 validation images (10% held out, stratified); "
            f"the reference runs: {ref_split['train']:,} + {ref_split['validation']:,}") in text, "split the same way"
    assert "shallownet's original settings -> this run's: batch_size 32 -> 64, momentum 0.0 -> 0.9, nesterov False -> True" in text
    assert "minivggnet's original settings -> this run's: schedule inverse_time -> constant, decay 0.00025 -> 0.0" in text


def test_05_tests_the_short_runs_two_explanations(executed):
    text = text_of(executed("05"))
    assert "accuracy on the 1,800 training images (training mode, inference mode), then on the 1,000 test images:" in text
    modes = {}
    for arch in ("shallownet", "minivggnet"):
        found = re.search(rf"^ *{arch} +(\d+\.\d)% +(\d+\.\d)% +(\d+\.\d)%$", text, flags=re.M)
        assert found, f"{arch}: training mode, inference mode, test"
        modes[arch] = [float(found.group(i)) for i in (1, 2, 3)]
    block = text[text.index("MiniVGGNet minus ShallowNet:"):]
    rows = {}
    for key, label in (("fit", "training images, training mode (unpaired)"), ("train", "training images, inference mode (paired)"),
                       ("test", "test images (paired)"), ("lag", "lag: training minus inference mode"),
                       ("overfit", "overfitting: training minus test images")):
        found = re.search(rf"^  {re.escape(label)} +([+-]\d+\.\d) \+- (\d+\.\d) points \((MiniVGGNet's larger|ShallowNet's larger|"
                          r"no difference beyond the noise)(; weak evidence: an end only just beyond 0)?\)$", block, flags=re.M)
        assert found, label
        value, noise = float(found.group(1)), float(found.group(2))
        low, high = round(value - noise, 1), round(value + noise, 1)  # the printed ends decide
        assert found.group(3) == ("MiniVGGNet's larger" if low > 0 else "ShallowNet's larger" if high < 0
                                  else "no difference beyond the noise"), label
        assert _weak_flag_right(low, high, bool(found.group(4))), label
        rows[key] = value, noise
    for key, column in (("fit", 0), ("train", 1), ("test", 2)):  # each row: MiniVGGNet's column minus ShallowNet's
        assert abs(rows[key][0] - (modes["minivggnet"][column] - modes["shallownet"][column])) <= 0.11, key
    assert abs(rows["lag"][0] - (rows["fit"][0] - rows["train"][0])) <= 0.11, "lag: training mode's row minus inference mode's"
    assert abs(rows["overfit"][0] - (rows["train"][0] - rows["test"][0])) <= 0.11, "overfitting: training images' row minus test images'"
    assert abs(rows["lag"][1] - np.hypot(rows["fit"][1], rows["train"][1])) <= 0.11, "half-widths combined by the unpaired rule"
    assert abs(rows["overfit"][1] - np.hypot(rows["train"][1], rows["test"][1])) <= 0.11
    ends = {key: (round(value - noise, 1), round(value + noise, 1)) for key, (value, noise) in rows.items()}  # as printed
    explains = [(key, check) for key, check in (("lag", "lag"), ("overfit", "overfitting")) if ends[key][0] > 0]
    if ends["test"][1] >= 0:
        conclusions = ["MiniVGGNet does not trail on test, so the checks have nothing to explain"]
    elif explains:  # all of the deficit when the check is at least as large (0.11: both sides rounded)
        conclusions = []
        for key, check in explains:
            found = re.search(rf"^conclusion: MiniVGGNet trails on test by (\d+\.\d) points; {check} could account for "
                              r"(all of it|part of it)( \(weak evidence\))?$", block, flags=re.M)
            assert found, check
            assert abs(float(found.group(1)) + rows["test"][0]) <= 0.11, "the deficit is the test row"
            if abs(rows[key][0] + rows["test"][0]) > 0.11:
                assert found.group(2) == ("all of it" if rows[key][0] > -rows["test"][0] else "part of it"), check
            assert bool(found.group(3)) == (ends[key][0] <= 1), check
            conclusions.append(found.group(0)[len("conclusion: "):])
    else:
        conclusions = ["MiniVGGNet trails on test; neither check explains it"]
    assert [line for line in block.splitlines() if line.startswith("conclusion: ")] == [f"conclusion: {c}" for c in conclusions], \
        "the checks read by the page's rules"
    assert "If MiniVGGNet trails on test, two things could hold it back" in " ".join(_markdown("05").split())
    lead = re.search(r"^MiniVGGNet's lead at the end: ([+-]\d+\.\d) \+- (\d+\.\d) points", text, flags=re.M)
    assert rows["test"] == (float(lead.group(1)), float(lead.group(2))), "the test row is the paired lead"
    source = "\n".join(c.source for c in executed("05").cells)
    assert "network.predict(short_x, batch_size=500, verbose=0).argmax(axis=1) == short_y" in source, "inference mode, per image"
    assert "def paired(right_a, right_b):" in source and "np.hypot(in_fit[1], on_train[1])" in source, "the interval arithmetic on the page"
    assert 'keras.saving.load_model(paths.ROOT / "models" / "minivggnet_original.keras")' in source, "a plain load leads"
    prose = _markdown("05")
    flat = " ".join(prose.split())
    assert "unpaired (`fit` gives no per-image answers): an approximation, as the images are the same" in flat, "the unpairable training mode said plainly"
    assert "training-mode minus inference-mode accuracy on the same training images, minus ShallowNet's" in flat, "lag: the printed difference of differences"
    assert "combines\nthe half-widths of two independent measurements" not in prose
    assert "likely causes" not in source and "same split as" not in prose, "explanations tested, splits split the same way"
    assert "MiniVGGNet's *lead* is its test accuracy minus ShallowNet's" in prose and "gap at the end" not in source, \
        "lead: the networks' difference; gap: training minus validation"
    assert text.index("MiniVGGNet's lead at the end:") < text.index("MiniVGGNet minus ShallowNet:")
    assert re.search(r"^each step on these test images: network: (a gain|a loss|no difference beyond the noise); "
                     r"recipe: (a gain|a loss|no difference beyond the noise); data: (a gain|a loss|no difference beyond the noise)$",
                     text, flags=re.M), "the closing section repeats each step's verdict"


def test_05_gives_the_answer_first_from_the_results_files(executed):
    text = text_of(executed("05"))
    full_images = reference("minivggnet_improved")["test"]["images"]
    header = f"the three steps, results files ({full_images:,} test images, unpaired):"
    assert header in text and text.index(header) < text.index("first layer: Rescaling; then the network"), "before the details"
    block = text[text.index(header):]
    pairs = {"network": ("shallownet_original", "minivggnet_original"), "recipe": ("minivggnet_original", "minivggnet_improved_val"),
             "data": ("minivggnet_improved_val", "minivggnet_improved")}
    effects = {}
    for step, (a, b) in pairs.items():
        found = re.search(rf"^  {step} \(.*\):\s+(a gain|a loss|no difference beyond the noise) \(([+-]\d+\.\d) \+- ", block, flags=re.M)
        expected = 100 * (reference(b)["test"]["accuracy"] - reference(a)["test"]["accuracy"])
        assert found and found.group(2) == f"{expected:+.1f}", step
        effects[step] = expected
    assert re.search(rf"^  largest step: {max(effects, key=effects.get)} \(", block, flags=re.M)
    p = reference("minivggnet_improved")["test"]["accuracy"]
    low, high = evaluation.confidence_interval(p, full_images)
    assert f"one accuracy: the series' model, {p:.1%}, 95% interval {low:.1%}-{high:.1%}" in text
    prose = " ".join(_markdown("05").split())
    assert prose.index("## The answer first") < prose.index("## ShallowNet, written out") and "Before the details" not in prose
    assert 'passes `loss="sparse_categorical_crossentropy"`' in prose and \
        "`keras.losses.CategoricalCrossentropy(label_smoothing=recipe.label_smoothing)` with *one-hot* labels" in prose, \
        "which loss the short run and the reference runs use"
    assert "mark each run's kept epoch" not in prose and "trained on the validation images, hence no curve" in prose
    assert "on the network's own training images" not in prose and "the two panels share one y-axis" in prose


def test_05_sets_paired_beside_unpaired_on_the_same_images(executed):
    text = text_of(executed("05"))
    here = re.search(r"^here \(1,000 test images, paired\):\n((?:  .*\n?){4})", text, flags=re.M).group(1)
    paired = dict(re.findall(r"^  (network|recipe|data) .* \+- (\d+\.\d) points: interval", here, flags=re.M))
    sample = {m.group(1): float(m.group(2)) / 100 for m in re.finditer(r"^\s*(\w+)\s+(\d+\.\d)%\s+\d+\.\d%-", text, flags=re.M)}
    block = re.search(r"^half-widths on the same 1,000 test images, paired and unpaired:\n((?:  .*\n?){3})", text, flags=re.M)
    assert block, "paired and unpaired half-widths side by side"
    for step, (before, after) in {"network": ("shallownet_original", "minivggnet_original"),
                                  "recipe": ("minivggnet_original", "minivggnet_improved_val"),
                                  "data": ("minivggnet_improved_val", "minivggnet_improved")}.items():
        found = re.search(rf"^  {step}: paired \+-(\d+\.\d), unpaired \+-(\d+\.\d) points$", block.group(1), flags=re.M)
        assert found and found.group(1) == paired[step], f"{step}: the paired half-width printed with its step"
        a, b = sample[before], sample[after]
        assert abs(float(found.group(2)) - 100 * 1.96 * np.sqrt((a * (1 - a) + b * (1 - b)) / 1000)) <= 0.15, f"{step}: the unpaired rule"
