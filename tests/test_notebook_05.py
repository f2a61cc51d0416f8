"""Notebook 05_shallow_vs_minivggnet: executed in the quick profile, checked on what it printed and wrote."""

import hashlib
import json
import re

import numpy as np
import nbformat

from helpers import models, recipes
from helpers.paths import ROOT, read_results
from lab import notebooks, references
from nbtools import reference, text_of

STEPS = {"network": ("shallownet_original", "minivggnet_original"), "recipe": ("minivggnet_original", "minivggnet_improved_val"),
         "data": ("minivggnet_improved_val", "minivggnet_improved")}


def _markdown(prefix: str) -> str:
    path = notebooks.notebook_paths([prefix])[0]
    return "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown")


def _source(prefix: str) -> str:
    return "\n".join(c.source for c in nbformat.read(notebooks.notebook_paths([prefix])[0], as_version=4).cells)


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


def test_05_writes_shallownet_out_and_prints_the_cost(executed):
    text = text_of(executed("05"))
    plain = re.sub(r"\x1b\[[0-9;]*m", "", text)  # without the summary's terminal colour codes
    assert "the same network as models.shallownet(): True" in text
    assert re.search(rf"Total params: {models.shallownet().count_params():,}\b", plain), "Keras's own summary of ShallowNet"
    shallow, vgg = models.shallownet(), models.minivggnet()
    p_s, p_v = shallow.count_params(), vgg.count_params()
    m_s, m_v = (sum(row.macs for row in models.layer_table(net)) for net in (shallow, vgg))
    assert (f"MiniVGGNet: {p_v:,} parameters ({p_v / p_s:.1f}x ShallowNet's {p_s:,}), "
            f"{m_v / m_s:.0f}x ShallowNet's multiply-adds per image") in text
    source = _source("05")
    for keras_on_the_page in ('keras.layers.Conv2D(32, 3, padding="same", name="conv")', "shallow.summary()",
                              "keras.saving.load_model(path)", 'model.predict(images.astype("float32"), batch_size=',
                              "probs.argmax(axis=1) == labels"):
        assert keras_on_the_page in source, keras_on_the_page


def test_05_prints_the_recipes_side_by_side(executed):
    """One row per field that differs, a `-` where the recipe does not use the field; every value as the recipe holds it."""
    text = text_of(executed("05"))
    columns = [recipes.get_recipe("original", "shallownet"), recipes.get_recipe("original", "minivggnet"),
               recipes.get_recipe("improved", "minivggnet")]
    acts = {"decay": lambda r: r.schedule == "inverse_time", "warmup_fraction": lambda r: r.schedule == "warmup_cosine",
            "momentum": lambda r: r.optimizer == "sgd", "nesterov": lambda r: r.optimizer == "sgd",
            "warmup_start": lambda r: r.schedule == "warmup_cosine",
            "crop_padding": lambda r: r.augment}
    header = re.search(r"^ +ShallowNet, original +MiniVGGNet, original +MiniVGGNet, improved$", text, flags=re.M)
    assert header, "the three recipes as columns"
    rows = {}
    for line in text[header.end():].splitlines()[1:]:
        found = re.fullmatch(r"(\w+) +(\S+) +(\S+) +(\S+)", line)
        if not found:
            break
        rows[found.group(1)] = list(found.group(2, 3, 4))
    expected = {}
    for key in columns[0].to_dict():
        shown = [str(getattr(r, key)) if acts.get(key, lambda r: True)(r) else "-" for r in columns]
        if key != "name" and len(set(shown)) > 1:  # differs as shown: a value, or `-` beside a value
            expected[key] = shown
    assert rows == expected
    for key in ("optimizer", "schedule", "weight_decay", "label_smoothing", "augment", "normalization", "whiten_first_layer"):
        assert key in rows, f"{key}: the recipe step changes it"
    prose = _markdown("05")
    assert "Notebook 03 explains each field" in prose, "the other fields: where they are explained"
    for field in ("optimizer", "learning_rate", "schedule", "augment", "crop_padding", "normalization", "whiten_first_layer"):
        assert f"`{field}`" in prose, f"{field}: explained in the prose"
    assert "lambda" not in _source("05"), "which fields a recipe uses is recipes.describe's"


def test_05_loads_each_reference_model(executed):
    text = text_of(executed("05"))
    for name in STEPS["network"] + STEPS["data"]:
        assert re.search(rf"^{name}: models/{name}\.keras$", text, flags=re.M), f"{name}: the file it loaded"
    assert "not the reference model" not in text, "the quick profile loads the reference models"


def test_05_prints_the_full_datas_numbers_beside_the_sample(executed):
    text = text_of(executed("05"))
    assert ("Left, measured now: test accuracy on the 1,000-image test sample. Right, read from results/shallow_vs_minivggnet.json: "
            "the same models measured on the full data the last time this notebook ran on it.") in text, "where each column comes from"
    assert "results/shallow_vs_minivggnet.json holds" not in text and "wrote the shipped" not in text, "no bookkeeping lines"
    assert "accuracies in %; gap: train minus val accuracy, in points" in text, "one unit: %, gaps in points"
    for name, full in _full_data_accuracies().items():
        gap = round(100 * full["train"], 1) - round(100 * full["val"], 1) + 0.0 if "val" in full else None  # the printed ones
        val, gap = (f"{full['val']:.1%}", f"{gap:+.1f}") if "val" in full else ("seen", "")
        train, test = re.escape(f"{full['train']:.1%}"), re.escape(f"{full['test']:.1%}")
        assert re.search(rf"^\s*{name}\s+\d+\.\d%\s+\d+\.\d%-\d+\.\d%\s+{train}\s+{re.escape(val)}\s+{re.escape(gap)}\s+{test}$",
                         text, flags=re.M), f"{name}: sample test and CI, then the full data's train, val, gap, test"
    saved = _full_data_accuracies()
    for step in ("network", "recipe"):  # the table read step by step: train, val and gap before -> after
        b, a = (saved[name] for name in STEPS[step])
        gap = [round(100 * m["train"], 1) - round(100 * m["val"], 1) + 0.0 for m in (b, a)]
        assert (f"{step} step on the full data: train {b['train']:.1%} -> {a['train']:.1%}, val {b['val']:.1%} -> {a['val']:.1%}, "
                f"gap {gap[0]:+.1f} -> {gap[1]:+.1f} points") in text, f"{step}: the reading under the table"
    assert "data step on the full data" not in text, "the series' model has no validation accuracy to read"
    source = _source("05")
    assert "comparison.full_data_accuracies(SPLITS_FILE, files, measured_now, full_data)" in source and "hashlib" not in source
    assert "comparison.print_accuracy_table(" in source, "the table's two layouts are in the lab"


def test_05_prints_each_step_paired_with_the_results_files_beside(executed):
    text = text_of(executed("05"))
    block = re.search(r"^the three steps \(1,000 test images, paired\):\n((?:  .*\n?){4})", text, flags=re.M)
    assert block, "the three steps and the largest"
    split, everything = (reference(n)["data"]["split"]["train"] for n in ("minivggnet_improved_val", "minivggnet_improved"))
    assert f"  data (improved recipe, {split:,} -> all {everything:,} training images):" in block.group(1)
    paired = {}
    for step, (a, b) in STEPS.items():
        line = re.search(rf"^  {step} \(.*$", block.group(1), flags=re.M).group(0)
        found = re.fullmatch(r"  .+? {2,}(a gain|a loss|no difference beyond the noise) \(([+-]\d+\.\d) \+- (\d+\.\d) points: "
                             r"interval ([+-]\d+\.\d) to ([+-]\d+\.\d)(; weak evidence: an end only just beyond 0)?\); "
                             r"read from results/: ([+-]\d+\.\d)", line)
        assert found, line
        gain, noise, low, high = (float(found.group(i)) for i in (2, 3, 4, 5))
        assert abs(low - (gain - noise)) < 0.01 and abs(high - (gain + noise)) < 0.01, "the printed ends add up"
        assert _weak_flag_right(low, high, bool(found.group(6))), line
        assert found.group(1) == ("a gain" if low > 0 else "a loss" if high < 0 else "no difference beyond the noise"), line
        full = 100 * (reference(b)["test"]["accuracy"] - reference(a)["test"]["accuracy"])
        assert found.group(7) == f"{full:+.1f}", f"{step}: the results files' difference beside the paired one"
        paired[step] = gain, noise, low, high
    found = re.search(r"^  largest step: (network|recipe|data) \((clearly|only just, weak evidence|not clearly): its interval's low "
                      r"end ([+-]\d+\.\d) is (above|not above) the next step's high end ([+-]\d+\.\d)\)$", block.group(1), flags=re.M)
    assert found, "the largest step, with the threshold that decides it"
    top, runner_up = sorted(paired, key=lambda step: paired[step][0], reverse=True)[:2]
    assert found.group(1) == top and float(found.group(3)) == paired[top][2] and float(found.group(5)) == paired[runner_up][3]
    assert found.group(2) == _clearly(paired[top][2], paired[runner_up][3]), "the weak rule applied to 'clearly'"
    assert found.group(4) == ("above" if paired[top][2] > paired[runner_up][3] else "not above")
    for step, (gain, noise, low, high) in paired.items():  # a step on all test images inside the sample's noise: said so
        full = 100 * (reference(STEPS[step][1])["test"]["accuracy"] - reference(STEPS[step][0])["test"]["accuracy"])
        said = re.search(rf"^{step}: a step this small \({re.escape(f'{full:+.1f}')} on all the test images\) is within the noise "
                         rf"of 1,000 images \(\+-{re.escape(str(noise))}\), whatever its sign here$", text, flags=re.M)
        assert bool(said) == (abs(round(full, 1)) < noise), f"{step}: within the sample's noise, said exactly when so"
    seeds = [read_results(run) for run in ("minivggnet_improved", "minivggnet_improved_seed43")]
    assert seeds[0]["recipe"] == seeds[1]["recipe"] and seeds[0]["data"] == seeds[1]["data"], "one recipe, the same images"
    assert ("read from results/, one recipe on the same images, two training seeds: "
            f"minivggnet_improved (seed {seeds[0]['seed']}) {seeds[0]['test']['accuracy']:.2%}, "
            f"minivggnet_improved_seed43 (seed {seeds[1]['seed']}) {seeds[1]['test']['accuracy']:.2%} on all the test images: a swing of "
            f"{100 * abs(seeds[1]['test']['accuracy'] - seeds[0]['test']['accuracy']):.2f} points") in text
    # the takeaway: the steps beyond the noise largest first, then those within it; then any step under the seed swing
    ranked = sorted(paired, key=lambda step: paired[step][0], reverse=True)
    beyond = [step for step in ranked if paired[step][2] > 0 or paired[step][3] < 0]
    within = [f"{step} ({paired[step][0]:+.1f})" for step in ranked if step not in beyond]
    assert (f"in short, on 1,000 test images: " + ", then ".join(f"{step} {paired[step][0]:+.1f}" for step in beyond)
            + f" points; within the noise: {', '.join(within) or 'none'}") in text
    swing = abs(seeds[1]["test"]["accuracy"] - seeds[0]["test"]["accuracy"])
    for step, (before, after) in STEPS.items():
        full = reference(after)["test"]["accuracy"] - reference(before)["test"]["accuracy"]
        said = (f"{step}: {100 * full:+.1f} points on all the test images, less than the seed swing of {100 * swing:.2f}") in text
        assert said == (abs(full) < swing), f"{step}: under the seed swing, said exactly when so"
    # the unpaired half-widths from the sample's accuracies, beside the paired ones
    sample = {m.group(1): float(m.group(2)) / 100 for m in re.finditer(r"^\s*(\w+)\s+(\d+\.\d)%\s+\d+\.\d%-", text, flags=re.M)}
    line = re.search(r"^unpaired half-widths on the same images: network \+-(\d+\.\d), recipe \+-(\d+\.\d), data \+-(\d+\.\d) points$",
                     text, flags=re.M)
    assert line, "the unpaired half-widths printed"
    for k, (step, (before, after)) in enumerate(STEPS.items()):
        a, b = sample[before], sample[after]
        unpaired = float(line.group(k + 1))
        assert abs(unpaired - 100 * 1.96 * np.sqrt((a * (1 - a) + b * (1 - b)) / 1000)) <= 0.15, f"{step}: the unpaired rule"
        assert unpaired >= paired[step][1], f"{step}: pairing does not widen the interval (what the prose says)"


def test_05_shows_its_one_figure(executed):
    notebook = executed("05")
    figures = [cell for cell in notebook.cells if cell.cell_type == "code" and "plots.save_figure(" in cell.source]
    assert len(figures) == 1 and '"05_steps"' in figures[0].source
    assert any("image/png" in output.get("data", {}) for output in figures[0].outputs)
    assert 'color="white", markeredgecolor="tab:red"' in figures[0].source, "the results files' diamonds unlike the dots"


def test_05_defines_its_terms_and_cites_what_it_does_not_measure():
    prose = _markdown("05")
    flat = " ".join(prose.split())  # line breaks in the markdown do not matter
    for term, definition in (
            ("recipe", "*recipe* (everything about training except the network itself"),
            ("CIFAR-10", "CIFAR-10, small colour photos of 32x32 pixels in ten classes"),
            ("training split", "The training split is the training images minus a held-out *validation split*"),
            ("validation split", "The validation split stays out of training, so that settings can be chosen"),
            ("reference runs", "the *reference runs*, trainings done beforehand"),
            ("results file", "*results file*, `results/<run>.json`"),
            ("committed sample", "(a small sample stored in the repository, the *committed sample*)"),
            ("profile", "A *profile* is a set of values for these settings"),
            ("convolution", "A *convolution* slides small grids of weights, its *filters*"),
            ("feature map", "One filter's output over the whole image is a *feature map*, also called a *channel*"),
            ("ReLU", "a ReLU: it keeps positive values and sets negative ones to 0"),
            ("Dense", "each of its outputs is a weighted sum of all its inputs plus a learned constant, the *bias*"),
            ("softmax", "softmax turns the ten scores into probabilities"),
            ("pooling", "*pooling*: each 2x2 window of a feature map is replaced by its largest value"),
            ("batch normalisation", "*batch normalisation*: each channel's values are shifted and scaled to mean 0"),
            ("batch", "over the *batch*, the images of one training step"),
            ("dropout", "*dropout*: during training, random *units* (the single values of a layer's output) are set to 0"),
            ("parameters", "*Parameters* are the weights and biases that training adjusts"),
            ("multiply-adds", "*Multiply-adds* are the multiplications"),
            ("optimizer", "`optimizer`: the rule that changes the weights at each training step"),
            ("None", "`None` in Output Shape is the number of images per call, left open"),
            ("CI", "**95% confidence interval (CI)** is a range built to contain the *true* accuracy"),
            ("seen", "so it has no validation accuracy: the table says `seen`"),
            ("gap", "The *gap* is training minus validation accuracy, in *points* (percentage points)"),
            ("overfitting", "It measures *overfitting*: how much better a network does on the images it learned from"),
            ("profiles", "The quick profile measures only the test column, on the committed sample. It reads the full data's "
                         "columns from `results/shallow_vs_minivggnet.json`, which the full profile writes"),
            ("paired", "image by image: a *paired comparison*"),
            ("1.96", "95% of a normal (bell-shaped) curve lies within 1.96 standard deviations of its mean"),
            ("unpaired", "*unpaired* one, which treats the two accuracies as independent"),
            ("two-stage protocol", "the *two-stage protocol*: settings chosen on the validation split"),
            ("Rescaling", "Each file is a `Rescaling` layer, which applies its recipe's `normalization` to the raw pixels (notebook 03 builds it), "
                          "followed by the network (so ShallowNet's summary above has none)"),
            ("ImageNet", "ImageNet, a collection of photos far larger than CIFAR-10")):
        assert " ".join(definition.split()) in flat, term
    for term in ("pooling", "batch", "points", "overfitting", "paired comparison"):
        assert flat.index(f"*{term}") - flat.lower().index(term.lower()) < 60, f"{term}: defined where first used"
    assert flat.index("*unpaired*") < flat.index("An effect is a *gain* when its whole interval is above 0"), "intervals, then verdicts"
    assert ("A step is *clearly* the largest only when its low end is more than 1 point above the next step's high end"
            in flat), "the rule for 'clearly', as print_steps applies it"
    assert "The training accuracies in the results files are not reused" in flat, "why the accuracies are measured again"
    for cited in ("Zeiler & Fergus (2014", "Ioffe & Szegedy, 2015", "Srivastava et al., 2014"):
        assert cited in flat, "claims the series does not test are attributed to the literature"
    assert "not findings of this series" in flat
    for typed in ("1,000", "10,000", "45,000", "50,000"):
        assert typed not in prose, f"{typed}: sizes are printed by the code, not typed into the prose"
    assert "shipped model" not in flat and "full runs" not in flat, "one name per kind of model"
    assert flat.index("## Accuracy on equal terms") < flat.index("## The three steps") < flat.index("## Exercises")
    cells = [c.source for c in nbformat.read(notebooks.notebook_paths(["05"])[0], as_version=4).cells if c.cell_type == "markdown"]
    assert not any("Zeiler & Fergus" in c and "## Exercises" in c for c in cells), "the literature and the exercises: two cells"
