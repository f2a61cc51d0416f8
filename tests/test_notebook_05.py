"""Notebook 05_shallow_vs_minivggnet: executed in the quick profile, checked on what it printed and wrote."""

import ast
import hashlib
import json
import re

import numpy as np
import nbformat

from helpers import models, recipes
from helpers.paths import ROOT, read_results
from lab import notebooks, references
from nbtools import reference, text_of

def _page_steps() -> dict:
    """The step pairs as the page writes them (its ``STEPS = {...}``): the one source of truth, read here too."""
    path = notebooks.notebook_paths(["05"])[0]
    for cell in nbformat.read(path, as_version=4).cells:
        for node in ast.walk(ast.parse(cell.source)) if cell.cell_type == "code" and "STEPS = {" in cell.source else ():
            if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == "STEPS":
                return ast.literal_eval(node.value)
    raise AssertionError("notebook 05 writes its STEPS on the page")


STEPS = _page_steps()


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


def test_05_writes_shallownet_out_and_prints_the_cost(executed):
    text = text_of(executed("05"))
    plain = re.sub(r"\x1b\[[0-9;]*m", "", text)  # without the summary's terminal colour codes
    assert "the same network as models.shallownet(): True" in text
    assert re.search(rf"Total params: {models.shallownet().count_params():,}\b", plain), "Keras's own summary of ShallowNet"
    shallow, vgg = models.shallownet(), models.minivggnet()
    p_s, p_v = shallow.count_params(), vgg.count_params()
    m_s, m_v = (sum(row.macs for row in models.layer_table(net)) for net in (shallow, vgg))
    assert (f"MiniVGGNet: {p_v:,} parameters ({p_v / p_s:.1f}x ShallowNet's {p_s:,}), "
            f"{m_v / m_s:.0f}x ShallowNet's mult-adds per image ({m_v:,} against {m_s:,})") in text
    assert type(vgg.get_layer("head_bn")).__name__ == "BatchNormalization", "head_bn: the Dense layer's (what the prose says)"
    source = _source("05")
    assert re.search(rf"Total params: {p_v:,}\b", plain) and "block2_conv2 (Conv2D)" in plain, "Keras's own summary of MiniVGGNet"
    dense = vgg.get_layer("head_fc")
    assert type(dense).__name__ == "Dense" and dense.count_params() > p_v / 2, \
        "most of MiniVGGNet's parameters are in its first Dense layer (what the prose says)"
    assert plain.index(f"Total params: {p_v:,}") < plain.index("MiniVGGNet: "), "the summary, then the cost line"
    for keras_on_the_page in ('keras.layers.Conv2D(32, 3, padding="same", name="conv")', "shallow.summary()", "vgg.summary()",
                              "keras.saving.load_model(path)", 'model.predict(images.astype("float32"), batch_size=',
                              "probs.argmax(axis=1) == labels"):
        assert keras_on_the_page in source, keras_on_the_page


def test_05_prints_the_recipes_side_by_side(executed):
    """Only the rows the prose uses, each a difference between the recipes, every value as the recipe holds it."""
    text = text_of(executed("05"))
    columns = [recipes.get_recipe("original", "shallownet"), recipes.get_recipe("original", "minivggnet"),
               recipes.get_recipe("improved", "minivggnet")]
    header = re.search(r"^ +ShallowNet +MiniVGGNet +MiniVGGNet\n +original +original +improved  meaning$", text, flags=re.M)
    assert header, "the three recipes as columns, then what each field means"
    rows, meanings = {}, {}
    for line in text[header.end():].splitlines()[1:]:
        found = re.fullmatch(r"(\w+) +(\S+) +(\S+) +(\S+)  (.+)", line)
        if not found:
            break
        rows[found.group(1)], meanings[found.group(1)] = list(found.group(2, 3, 4)), found.group(5)
    assert all(0 < len(meaning) < 50 for meaning in meanings.values()), "a short meaning per row"
    assert max(len(line) for line in text[header.start():].splitlines()[:len(rows) + 2]) <= 115, "the table fits a page"
    used = [{field: value for field, value, *_ in recipes.describe(r)} for r in columns]
    assert rows == {key: [str(u[key]) if key in u else "-" for u in used] for key in rows}, "each value as the recipe uses it, - if not"
    flat = " ".join(_markdown("05").split())
    network_rows = re.search(r"network: the two original settings also differ in (.*?)\. ", flat.lower())
    assert network_rows, "what else the network step changes, said where the table is printed"
    words = {"optimizer": "optimizer", "learning_rate": "learning rate", "epochs": "epoch", "batch_size": "batch",
             "schedule": "schedule", "momentum": "momentum", "nesterov": "nesterov", "weight_decay": "weight decay",
             "label_smoothing": "label smoothing", "augment": "augment", "normalization": "normali", "whiten_first_layer": "whiten"}
    differ = {key for key in used[0].keys() | used[1].keys() if used[0].get(key) != used[1].get(key)} - {"name", "decay"}  # decay: a schedule's
    assert {key for key, word in words.items() if word in network_rows.group(1)} == differ, \
        "exactly the fields where ShallowNet's original settings differ from MiniVGGNet's"
    differ_any = {key for u in used for key in u if len({str(v.get(key, "-")) for v in used}) > 1} - {"name"}
    assert list(rows)[0] == "optimizer" and set(rows) == differ_any | {"optimizer", "val_fraction"}, \
        "the table: the optimizer, every field that differs between two columns, and the held-out share"
    assert "every setting that differs between two columns, and `val_fraction`" in flat
    for step, (a, b) in (("network", (0, 1)), ("recipe", (1, 2))):  # what each step changes, printed from the table's recipes
        changed = {k for k in used[a].keys() | used[b].keys() if k != "name" and used[a].get(k, "-") != used[b].get(k, "-")}
        found = re.search(rf"^the {step} step changes (\d+) settings: (.+)$", text, flags=re.M)
        assert found and int(found.group(1)) == len(changed) and set(found.group(2).split(", ")) == changed, step
    assert "Steps 1 and 3 each change something else too" in flat and "The four runs use two recipes, original and improved" in flat
    assert "Several of its changes can lower the training accuracy: augmentation, label smoothing and weight decay" in flat
    assert used[2]["epochs"] < used[1]["epochs"], "the recipe step trains fewer epochs (what the prose says)"
    for key in ("weight_decay", "label_smoothing", "augment", "optimizer"):
        assert used[1].get(key) != used[2].get(key), f"{key}: the recipe step changes it (what the prose says)"
    assert sum(rows[k][1] != rows[k][2] for k in rows) > len(rows) / 2, "the recipe step changes most rows (what the prose says)"
    assert "The recipe step changes most rows at once (compare the last two columns), so it measures the whole bundle" in flat
    assert "data: the second run sets `val_fraction` to 0, so it keeps the last epoch instead of the one best on validation" in flat, \
        "the data step's other change"
    shares = [references.get(n).training_recipe().val_fraction for n in STEPS["data"]]
    assert shares[0] > 0 == shares[1], "the data step: a held-out share, then none"
    runs = [reference(n) for n in STEPS["data"]]
    kept = [f"{r['best_epoch']} of {r['epochs_run']}" for r in runs]
    for name, share, epoch in zip(STEPS["data"], shares, kept):  # the four runs' list shows both of the data step's changes
        assert re.search(rf"^  {name} +[\d,]+ training images, val_fraction {share}, epoch kept: {epoch}, ", text, flags=re.M), name
    assert runs[0]["data"]["split"]["validation"] and not runs[1]["data"]["split"]["validation"], "the data step drops the split"
    assert runs[1]["best_epoch"] == len(runs[1]["history"]["loss"]), "without validation, the last epoch is kept"


def test_05_steps_on_the_page_name_existing_reference_runs():
    """The page's STEPS: each pair two reference runs with their model and results files, and each step what its name says."""
    assert list(STEPS) == ["network", "recipe", "data"]
    for step, pair in STEPS.items():
        assert len(pair) == 2, step
        for name in pair:
            assert references.get(name).model_path.exists() and reference(name), f"{step}: {name} has its model and results files"
    runs = {step: [references.get(n) for n in pair] for step, pair in STEPS.items()}
    splits = {step: [reference(n)["data"]["split"] for n in pair] for step, pair in STEPS.items()}
    (a, b) = runs["network"]
    assert a.arch == "shallownet" and b.arch == "minivggnet" and a.recipe == b.recipe == "original", "network: each its original settings"
    assert splits["network"][0] == splits["network"][1]
    (a, b) = runs["recipe"]
    assert a.arch == b.arch == "minivggnet" and (a.recipe, b.recipe) == ("original", "improved") and splits["recipe"][0] == splits["recipe"][1]
    (a, b) = runs["data"]
    assert a.arch == b.arch and a.training_recipe().epochs == b.training_recipe().epochs and a.recipe == b.recipe == "improved"
    assert splits["data"][0]["train"] < splits["data"][1]["train"] and splits["data"][1]["validation"] == 0, "data: more images, no split"
    assert STEPS["network"][1] == STEPS["recipe"][0] and STEPS["recipe"][1] == STEPS["data"][0], "each step starts where the last ended"
    # the full profile remakes one split for every run that held images out: the share is the same for all of them
    held_out = {reference(n)["recipe"]["val_fraction"] for pair in STEPS.values() for n in pair if reference(n)["data"]["split"]["validation"]}
    assert held_out == {recipes.get_recipe("original").val_fraction}, "one held-out share, the one the page splits with"
    assert "comparison.print_steps(" in _source("05") and "STEPS, effects, verdicts," in _source("05"), "the page's pairs are what gets printed"
    assert '"a gain" if effect - half > 0 else "a loss" if effect + half < 0' in _source("05"), "the verdict's rule, on the page"


def test_05_loads_each_reference_model(executed):
    text = text_of(executed("05"))
    for name in STEPS["network"] + STEPS["data"]:
        assert re.search(rf"^{name}: models/{name}\.keras; layers: preprocess \(Rescaling\), \w+ \(Sequential\)$", text,
                         flags=re.M), f"{name}: the file it loaded and its layers, the Rescaling layer first (what the prose says)"
    assert "not the reference model" not in text, "the quick profile loads the reference models"
    for name in STEPS["network"] + STEPS["data"]:
        assert re.search(rf"^{name}: scored 1,000 test images$", text, flags=re.M), "the scoring cell says what it scored"


def test_05_prints_the_full_datas_numbers_beside_the_sample(executed):
    text = text_of(executed("05"))
    tables = re.search(r"^measured now, on the 1,000-image sample:\n +test +95% CI\n((?:.+\n){4})\nthe full data's, read from "
                       r"results/shallow_vs_minivggnet\.json \(saved by this notebook's full-profile run, measured as here on all "
                       r"the images\):\n +train +val +gap +test\n((?:.+\n){4})", text, flags=re.M)
    assert tables, "two tables: what this copy measured, then the full data's numbers and the file they come from"
    assert "accuracies in %, gaps in points (train minus val, of the rounded values)" in text, "one unit: %, gaps in points"
    for name, full in _full_data_accuracies().items():
        train_shown, test_shown = f"{full['train']:.1%}", f"{full['test']:.1%}"
        val, gap = "seen", ""
        if "val" in full:  # the gap reads as the difference of the printed accuracies
            val = f"{full['val']:.1%}"
            gap = f"{float(train_shown[:-1]) - float(val[:-1]):+.1f}"
        train, test = re.escape(train_shown), re.escape(test_shown)
        assert re.search(rf"^\s*{name}\s+[\d.]+%\s+[\d.]+%-[\d.]+%$", tables.group(1), flags=re.M), f"{name}: test and CI"
        row = re.search(rf"^\s*{name}\s+{train}\s+{re.escape(val)}\s+{re.escape(gap)}\s+{test}$", tables.group(2), flags=re.M)
        assert row, f"{name}: the full data's train, val, gap, test"
    saved = _full_data_accuracies()  # what the prose says of the gap column
    before, after = (saved[name] for name in STEPS["recipe"])
    assert after["train"] < before["train"] and after["val"] > before["val"], "the recipe step: train down, val up"
    gaps = {name: saved[name]["train"] - saved[name]["val"] for name in STEPS["network"] + STEPS["recipe"][1:]}
    moves = [gaps[after] - gaps[before] for before, after in (STEPS["network"], STEPS["recipe"])]
    assert abs(moves[0]) < -moves[1] / 4, "the network step moves the gap far less than the recipe step, which shrinks it"
    flat = " ".join(_markdown("05").split())
    assert flat.index("The *gap* is training minus") < flat.index("In the gap column (on the full data: read from `results/` when run on the sample), the recipe step shrinks the gap"), \
        "defined, then read"
    assert ("The network step moves the gap far less, but ShallowNet's similar gap sits at a much lower training accuracy: "
            "besides its gap (it overfits), it underfits, scoring low even on its own training images.") in flat
    assert flat.index("*Underfitting* is") < flat.index("it underfits"), "defined before it is used"
    assert "make the training images harder to fit" in flat and "this notebook does not separate them" in flat
    shallow, vgg = (saved[name] for name in STEPS["network"])
    assert shallow["train"] < vgg["train"] - 0.1, "ShallowNet's training accuracy sits far below MiniVGGNet's"
    sample = _sample_accuracies(text)
    low, high = sample[STEPS["data"][0]][1:]
    assert abs(sample[STEPS["data"][1]][0] - sample[STEPS["data"][0]][0]) < (high - low) / 2, \
        "the last two rows differ by less than a CI's half-width on the sample (the printed example of either sign)"
    full_test = {name: 100 * a["test"] for name, a in _full_data_accuracies().items()}
    names = list(sample)
    swapped = [(a, b) for i, a in enumerate(names) for b in names[i + 1:]
               if (sample[a][0] - sample[b][0]) * (full_test[a] - full_test[b]) < 0]
    assert swapped == [STEPS["data"]], "the sample swaps the last two rows only"
    assert re.findall(r"^(\w+) and (\w+) swap places: ", text, flags=re.M) == swapped, "each swapped pair, named"
    assert "On 1,000 images, accuracies this close (within each other's CI) can come out in either order." in text
    source = _source("05")
    assert 'accuracy = {name: {part: r.mean() for part, r in parts.items()} for name, parts in right.items()}' in source
    assert 'evaluation.confidence_interval(a["test"], len(y_test))' in source, "the CI computed on the page, the table printed by lab"
    assert "round(" not in source and "hashlib" not in source, "the table computed plainly on the page"
    last = nbformat.read(notebooks.notebook_paths(["05"])[0], as_version=4).cells[-1]
    assert last.cell_type == "code" and "Bookkeeping" in last.source and "comparison.save_accuracies(accuracy, files)" in last.source, \
        "the results file written in a labelled cell at the end"
    assert "saved the accuracies" not in text, "the quick profile writes nothing"


def _sample_accuracies(text: str) -> dict:
    """{model: (test, CI low, CI high)} in points, the quick profile's table of the sample."""
    return {m.group(1): tuple(float(m.group(i)) for i in (2, 3, 4))
            for m in re.finditer(r"^\s*(\w+)\s+(\d+\.\d)%\s+(\d+\.\d)%-(\d+\.\d)%$", text, flags=re.M)}


def test_05_prints_each_step_paired_with_the_results_files_beside(executed):
    text = text_of(executed("05"))
    block = re.search(r"^the three steps, test accuracy after minus before, in points:\n((?:  .*\n){3})\n"
                      r" {9}1,000-image sample, paired: effect \+- half-width \(interval\) +\| all test images \(results/\)\n"
                      r"((?:\w+ .*\n?){3})", text, flags=re.M)
    assert block, "what each step changes, then the steps: the sample's column, then all the test images' column"
    split, everything = (reference(n)["data"]["split"]["train"] for n in ("minivggnet_improved_val", "minivggnet_improved"))
    assert f"  data:    improved recipe, {split:,} -> all {everything:,} training images, the last epoch kept, not the best" in block.group(1)
    assert max(len(line) for line in block.group(0).splitlines()) <= 100, "two readable columns"
    paired = {}
    for step, (a, b) in STEPS.items():
        line = re.search(rf"^{step} .*$", block.group(2), flags=re.M).group(0)
        found = re.fullmatch(rf"{step} +(a gain|a loss|no difference beyond the noise): ([+-]\d+\.\d) \+- (\d+\.\d) "
                             r"\(([+-]\d+\.\d) to ([+-]\d+\.\d)\) +\| ([+-]\d+\.\d)(  \(weak evidence: an end only just beyond 0\))?", line)
        assert found, line
        gain, noise, low, high = (float(found.group(i)) for i in (2, 3, 4, 5))
        assert abs(low - (gain - noise)) < 0.01 and abs(high - (gain + noise)) < 0.01, "the printed ends add up"
        assert _weak_flag_right(low, high, bool(found.group(7))), line
        assert found.group(1) == ("a gain" if low > 0 else "a loss" if high < 0 else "no difference beyond the noise"), line
        full = 100 * (reference(b)["test"]["accuracy"] - reference(a)["test"]["accuracy"])
        assert found.group(6) == f"{full:+.1f}", f"{step}: the results files' difference beside the paired one"
        paired[step] = gain, noise, low, high, found.group(1)
    counts = re.search(r"^network step, test images: both right ([\d,]+), only before ([\d,]+), only after ([\d,]+), "
                       r"both wrong ([\d,]+)$", text, flags=re.M)
    assert counts, "one step's pairing, counted"
    both, before, after, neither = (int(counts.group(i).replace(",", "")) for i in (1, 2, 3, 4))
    assert both + before + after + neither == 1000 and abs(100 * (after - before) / 1000 - paired["network"][0]) <= 0.051
    assert (f"so the network step's effect = (only after - only before) / images = ({after:,} - {before:,}) / 1,000 = "
            f"{100 * (after - before) / 1000:+.1f} points") in text, "the effect from the counts, on the page"
    moved, effect = (after + before) / 1000, (after - before) / 1000
    assert (f"and its half-width = 1.96 x sqrt((share moved - effect^2) / images) = 1.96 x sqrt(({moved:.3f} - {effect:.3f}^2) "
            f"/ 1,000) = +-{100 * 1.96 * ((moved - effect ** 2) / 1000) ** 0.5:.1f} points") in text, "the half-width from the counts"
    assert f"+{100 * effect:.1f} +- {100 * 1.96 * ((moved - effect ** 2) / 1000) ** 0.5:.1f}" in text, "the same as the table's"
    for step in STEPS:  # the steps cell prints each step's verdict once, and no later cell restates it
        assert len(re.findall(rf"^{step}\W.*(a gain|a loss|no difference beyond the noise)", text, flags=re.M)) == 1, step
    seeds = [read_results(run) for run in ("minivggnet_improved", "minivggnet_improved_seed43")]
    assert seeds[0]["recipe"] == seeds[1]["recipe"] and seeds[0]["data"] == seeds[1]["data"], "one recipe, the same images"
    assert ("read from results/, one recipe, two training seeds, on all the test images:\n"
            f"  minivggnet_improved (seed {seeds[0]['seed']}): {seeds[0]['test']['accuracy']:.2%}\n"
            f"  minivggnet_improved_seed43 (seed {seeds[1]['seed']}): {seeds[1]['test']['accuracy']:.2%}\na swing of "
            f"{100 * abs(seeds[1]['test']['accuracy'] - seeds[0]['test']['accuracy']):.2f} points (a net "
            f"{abs(seeds[1]['test']['accuracy'] - seeds[0]['test']['accuracy']) * seeds[1]['test']['images']:.0f} more right answers, of "
            f"{seeds[1]['test']['images']:,} test images)") in text
    # the verdict, under the seed swing it ends with: any step smaller on all the test images
    swing = abs(seeds[1]["test"]["accuracy"] - seeds[0]["test"]["accuracy"])
    for step, (before, after) in STEPS.items():
        full = reference(after)["test"]["accuracy"] - reference(before)["test"]["accuracy"]
        said = f"{step}: {100 * full:+.2f} points on all the test images, " + (
            "smaller than this swing" if abs(full) < swing else "larger than this swing")
        assert said in text, f"{step}: beside the seed swing, smaller said exactly when so"
    verdicts = [m.start() for m in re.finditer(r"^\w+: [+-]\d+\.\d\d points on all the test images, smaller than this swing", text, flags=re.M)]
    assert all(i > text.index("a swing of") for i in verdicts), "the verdict comes after the swing it is measured against"
    # the unpaired half-widths from the sample's accuracies, beside the paired ones
    sample = {name: values[0] / 100 for name, values in _sample_accuracies(text).items()}
    line = re.search(r"^unpaired half-widths \(as if on different images\): network \+-(\d+\.\d), recipe \+-(\d+\.\d), data \+-(\d+\.\d) points$",
                     text, flags=re.M)
    assert line, "the unpaired half-widths printed"
    for k, (step, (before, after)) in enumerate(STEPS.items()):
        a, b = sample[before], sample[after]
        unpaired = float(line.group(k + 1))
        assert abs(unpaired - 100 * 1.96 * np.sqrt((a * (1 - a) + b * (1 - b)) / 1000)) <= 0.15, f"{step}: the unpaired rule"
        assert unpaired >= paired[step][1], f"{step}: pairing does not widen the interval (what the prose says)"
    # what the quick-profile note says of the sample: the last two rows within the CIs, their difference of either sign
    gain, noise, low, high, kind = paired["data"]
    assert kind == "no difference beyond the noise" and low < 0 < high
    for step, (gain, noise, low, high, kind) in paired.items():  # a line under the table where the sample cannot tell the sign
        full = 100 * (reference(STEPS[step][1])["test"]["accuracy"] - reference(STEPS[step][0])["test"]["accuracy"])
        line = (f"{step} on the sample: {low:+.1f} to {high:+.1f} includes 0: these 1,000 images cannot tell whether the step "
                f"helped or hurt;\n  on all the test images it is {full:+.1f} (with DATA = \"full\" this notebook prints its interval)")
        assert (line in text) == (low < 0 < high), f"{step}: the sign caveat exactly when the sample's interval holds 0"
        assert (f"{step} on the sample:" in text) == (low < 0 < high or not low <= full <= high), step


def test_05_shows_its_two_figures(executed):
    notebook = executed("05")
    figures = [cell for cell in notebook.cells if cell.cell_type == "code" and "plots.save_figure(" in cell.source]
    assert len(figures) == 2 and '"05_network_step_images"' in figures[0].source and '"05_steps"' in figures[1].source
    assert all(any("image/png" in output.get("data", {}) for output in figure.outputs) for figure in figures)
    assert "np.flatnonzero(~old & new)" in figures[0].source and "np.flatnonzero(old & ~new)" in figures[0].source, \
        "the images that move the network step's effect, both kinds"
    figures = figures[1:]
    assert any("image/png" in output.get("data", {}) for output in figures[0].outputs)
    assert 'color="white", markeredgecolor="tab:red"' in (ROOT / "lab" / "comparison.py").read_text(), "diamonds unlike the dots"
    source = figures[0].source
    assert source.index('label="unpaired') < source.index("comparison.mark_results_differences("), "the diamonds last in the legend"
    assert "xerr=[100 * half for half in unpaired.values()]" in figures[0].source, "the unpaired intervals drawn beside the paired"


def test_05_defines_its_terms_and_cites_what_it_does_not_measure():
    prose = _markdown("05")
    flat = " ".join(prose.split())  # line breaks in the markdown do not matter
    for term, definition in (
            ("recipe", "*recipe* (everything about training except the network itself"),
            ("CIFAR-10", "CIFAR-10, small colour photos of 32x32 pixels in ten classes"),
            ("training split", "the *training split* (the training images minus the validation split)"),
            ("validation split", "the share held out as a *validation split* (kept out of training to choose settings on"),
            ("reference runs", "two *reference runs*, trainings done beforehand"),
            ("results file", "*results file* in `results/<run>.json`"),
            ("profile", "`DATA = \"sample\"` uses the small sample stored in the repository: a random draw of the test "
                        "images, the same number from each class. It is enough to check that the code runs, not to judge a model."),
            ("validation split, in the outline", "*validation split*: training images held out of training, to choose settings and epochs on"),
            ("convolution", "A *convolution* slides small grids of weights, its *filters*"),
            ("feature map", "One filter's output over the whole image is a *feature map*, also called a *channel*"),
            ("ReLU", "a ReLU: it keeps positive values and sets negative ones to 0"),
            ("Dense", "each of its outputs is a weighted sum of all its inputs plus a learned constant, the *bias*"),
            ("softmax", "softmax turns the ten scores into probabilities"),
            ("pooling", "*pooling*: keeps the largest value of each 2x2 window"),
            ("batch normalisation", "*batch normalisation*, after each ReLU: shifts and scales each channel (or, after a `Dense` layer, each output) to mean 0"),
            ("batch", "over the *batch*, the images of one training step"),
            ("dropout", "*dropout*: during training, sets random values of a layer's output to 0"),
            ("parameters", "counts *parameters*: the numbers training adjusts, plus the averages batch normalisation keeps"),
            ("mult-adds", "*mult-adds*, the work for one image: one weight times one input value, added to a running sum"),
            ("None", "`None` in Output Shape is the number of images per call, left open"),
            ("CI", "**95% confidence interval (CI)**, Wilson's interval, is a range built to contain the *true* accuracy"),
            ("seen", "`seen`: the series' model trained on the validation images too, so it has no validation accuracy"),
            ("gap", "The *gap* is training minus validation accuracy, in *points* (percentage points)"),
            ("overfitting", "It measures *overfitting*: how much better a network does on the images it learned from"),
            ("one split", "The three runs that held images out all held out the same share (drawn with `SEED`); "
                          "the cell remakes that split"),
            ("train column", "its `train` column covers only the training split it shares with the others"),
            ("effect", "The differences' mean, the *effect*, is exactly accuracy(after) − accuracy(before)"),
            ("trains nothing", "This notebook trains nothing."),
            ("paired", "image by image: a *paired comparison*"),
            ("1.96", "A mean lies within 1.96 standard errors of its true value about 95% of the time (the normal approximation"),
            ("variance", "The *variance* of some numbers is the mean of their squared distances from their mean, and their "
                         "*standard deviation* its square root"),
            ("standard error", "a standard error is the typical size of a measurement's chance error"),
            ("standard error, worked out", "The standard error of a mean of n numbers is their standard deviation / sqrt(n)"),
            ("exactly one", "Only the images where exactly one of the two models is right tell the two apart; on all the others "
                            "both are right or both are wrong"),
            ("unpaired", "so they keep the noise the pairing cancels"),
            ("seed swing", "one recipe trained with two seeds: a single example of how far reseeding alone moves the accuracy"),
            ("inference mode", "in *inference mode* (`training=False`, what `predict` does by default): dropout off, and batch "
                               "normalisation using the averages"),
            ("confounds", "Steps 1 and 3 each change something else too"),
            ("constant", "`constant` keeps the rate fixed"),
            ("Rescaling", "The `Rescaling` layer, a scale and offset (per colour channel in the improved recipe), normalises "
                          "the raw pixels as its recipe says (notebook 03 builds it)")):
        assert " ".join(definition.split()) in flat, term
    for term in ("pooling", "points", "overfitting", "paired comparison"):
        assert flat.index(f"*{term}") - flat.lower().index(term.lower()) < 60, f"{term}: defined where first used"
    assert flat.index("*unpaired*") < flat.index("An effect is a *gain* when its whole interval is above 0"), "intervals, then verdicts"
    assert "The training accuracies the runs recorded in their own results files are not reused" in flat, "why the accuracies are measured again"
    assert ("on the full data also on the *training split*" in flat and "None if full_data else files)" in _source("05")), \
        "the quick profile's train/val columns: where they come from"
    assert recipes.get_recipe("improved").val_fraction == recipes.get_recipe("original").val_fraction, "what the prose says"
    assert "Wilson" not in flat.replace("Wilson's interval", ""), "one name for the interval"
    exercises = flat[flat.index("## Exercises"):]
    for cited in ("Ioffe & Szegedy (2015) report", "Srivastava et al. (2014) report"):
        assert cited in exercises, "claims the series does not test: attributed to the literature, in the exercise that tests them"
    assert "measures that randomness" not in flat, "the seed cell reads results files, it measures nothing"
    assert "train_if_missing" not in _source("05") and ".fit(" not in _source("05"), "trains nothing (what the intro says)"
    for typed in ("1,000", "10,000", "45,000", "50,000"):
        assert typed not in prose, f"{typed}: sizes are printed by the code, not typed into the prose"
    assert "shipped model" not in flat and "full runs" not in flat, "one name per kind of model"
    assert flat.index("## Accuracy on equal terms") < flat.index("## The three steps") < flat.index("## What we learned") < flat.index("## Exercises")
    learned = flat[flat.index("## What we learned"):flat.index("## The Keras calls used here")]
    assert not re.search(r"\d", learned), "what we learned: in words, the numbers printed by its cell"
    assert "compiled" not in flat


def test_05_sums_up_what_it_learned(executed):
    """The bullets close the page (before the exercises) after the seed cell, with no cell restating the steps;
    they hold in both profiles, since they rest on the results files."""
    notebook = executed("05")
    text = text_of(notebook)
    full = {step: 100 * (reference(after)["test"]["accuracy"] - reference(before)["test"]["accuracy"])
            for step, (before, after) in STEPS.items()}
    assert full["network"] > full["recipe"] > 0, "the network step is the largest, the recipe step a clear gain"
    verdicts = {step: re.search(rf"^{step} +(a gain|a loss|no difference beyond the noise):", text, flags=re.M).group(1) for step in STEPS}
    assert verdicts["network"] == verdicts["recipe"] == "a gain" and verdicts["data"] == "no difference beyond the noise"
    seeds = [read_results(run)["test"]["accuracy"] for run in ("minivggnet_improved", "minivggnet_improved_seed43")]
    assert abs(full["data"]) < 100 * abs(seeds[1] - seeds[0]), "the data step: less than another seed moved the accuracy"
    cells = notebook.cells
    learned = next(i for i, c in enumerate(cells) if c.cell_type == "markdown" and "## What we learned" in c.source)
    seed_cell = next(i for i, c in enumerate(cells) if c.cell_type == "code" and "minivggnet_improved_seed43" in c.source)
    assert learned == seed_cell + 1, "the seed cell is the one follow-up of the steps, then the bullets"
    assert cells[learned + 1].source.startswith("## The Keras calls used here"), "the ideas, then the calls (as in 02)"
    assert "## Exercises" in cells[learned + 2].source, "the bullets and the calls close the page, before the exercises"
    appendices = [c.source.split("\n")[0] for c in cells[learned + 3:] if c.cell_type == "markdown" and c.source.startswith("## ")]
    assert [h.split(":")[0] for h in appendices] == ["## Appendix A", "## Appendix B"] and \
        all(h.endswith("(optional)") or "(optional:" in h for h in appendices), "after the exercises only the optional appendices"
    assert cells[-1].source.startswith("# Bookkeeping"), "and the bookkeeping cell last"
    bullets = [line for line in cells[learned].source.splitlines() if line.startswith("- ")]
    assert 3 <= len([b for b in bullets if "network step" in b or "recipe" in b or "training images" in b or "paired" in b]) <= 6


def test_05_lists_each_runs_training_images_and_kept_epoch(executed):
    """The line under the settings table the markdown reads (a run that kept its best epoch chose it on validation):
    each run's training images and kept epoch, as its results file records them."""
    text = text_of(executed("05"))
    for run in ("shallownet_original", "minivggnet_original", "minivggnet_improved_val", "minivggnet_improved"):
        r = reference(run)
        assert (f"  {run:<24} {r['data']['split']['train']:>6,} training images, val_fraction "
                f"{references.get(run).training_recipe().val_fraction}, epoch kept: {r['best_epoch']} of {r['epochs_run']}, test accuracy "
                f"{r['test']['accuracy']:.2%} on all {r['test']['images']:,} test images\n") in text, run


def test_05_writes_each_original_optimizer_out_and_checks_it_against_the_library(executed):
    """The two SGD columns in literal Keras (a fixed rate as a plain number; Keras 2's inverse-time decay with Nesterov momentum), each
    equal in settings to training.make_optimizer's; the page's check tells different settings apart."""
    import keras

    from helpers import training

    text = text_of(executed("05"))
    source = _source("05")
    assert source.count("keras.optimizers.SGD(") == 2 and source.count("keras.optimizers.schedules.InverseTimeDecay(") == 1
    assert "keras_call" not in source, "written out, not formatted from a config"
    for column in ("ShallowNet, original", "MiniVGGNet, original"):
        assert f"{column}: the library's optimizer has the same settings: True\n" in text, column
    cell = next(c.source for c in nbformat.read(notebooks.notebook_paths(["05"])[0], as_version=4).cells
                if c.cell_type == "code" and c.source.startswith("def same_settings("))
    settings = {"ShallowNet, original": recipes.get_recipe("original", "shallownet"),
                "MiniVGGNet, original": recipes.get_recipe("original", "minivggnet")}
    scope = {"keras": keras, "training": training, "settings": settings, "print": lambda *a, **k: None}
    exec(cell, scope)
    assert all(scope["same_settings"](scope["written"][c], training.make_optimizer(r, 1)) for c, r in settings.items())
    assert not scope["same_settings"](scope["written"]["ShallowNet, original"], scope["written"]["MiniVGGNet, original"])
    saved = read_results("shallow_vs_minivggnet")["minivggnet_improved_val"]
    assert saved["val"] < saved["test"], "the markdown's example: a best-epoch run whose val lies below its test"


def test_05_prints_each_rescaling_as_the_mean_and_std_it_stands_for(executed):
    """The original recipe's scaling divides by 255; the improved runs' are per-channel statistics of their own
    training images, which differ between the two (what the markdown says)."""
    text = text_of(executed("05"))
    assert len(re.findall(r"^  its Rescaling, x \* scale \+ offset = x / 255$", text, flags=re.M)) == 2, "the original recipe's"
    found = re.findall(r"^  its Rescaling, x \* scale \+ offset = \(x - mean\) / std, in pixel values 0\.\.255, with mean (.+) and std (.+)$", text, flags=re.M)
    assert len(found) == 2, found
    for mean, std in found:  # three channels each, on the 0..255 scale
        assert all(100 < float(v) < 140 for v in mean.split(", ")) and all(50 < float(v) < 80 for v in std.split(", "))
    assert found[0] != found[1], "the two improved runs' statistics differ slightly"


def test_05_writes_the_improved_optimizer_out_and_checks_it_against_the_library(executed):
    """The improved column in literal Keras (CosineDecay with warmup, AdamW, the weight-decay exclusion), equal in
    settings to training.make_optimizer's."""
    text = text_of(executed("05"))
    source = _source("05")
    assert "keras.optimizers.AdamW(" in source and "keras.optimizers.schedules.CosineDecay(" in source
    assert 'adamw.exclude_from_weight_decay(var_names=["bias", "gamma", "beta"])' in source
    improved = recipes.get_recipe("improved", "minivggnet")
    steps = improved.epochs * -(-reference("minivggnet_improved_val")["data"]["split"]["train"] // improved.batch_size)
    warmup = round(improved.warmup_fraction * steps)
    assert f"warmup: {warmup:,} of {steps:,} gradient steps; the library's optimizer has the same settings: True" in text
    per_epoch = steps // recipes.get_recipe("improved").epochs
    assert (f"{per_epoch} gradient steps per epoch (a batch of {recipes.get_recipe('improved').batch_size} each) x "
            f"{recipes.get_recipe('improved').epochs} epochs = {steps:,}\n") in text, "where the total comes from"
    assert re.search(r"epochs = [\d,]+\nwarmup: .*the library's optimizer has the same settings: True\n", text) and \
        "The second printed line checks the optimizer against the library's" in " ".join(_source("05").split()), \
        "the markdown names the line that holds the check"
