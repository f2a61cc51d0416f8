"""Notebook 06_lenet_mnist: executed in the quick profile, checked on what it printed and wrote."""

import dataclasses
import math
import re

import nbformat

from helpers import recipes
from helpers.paths import ARTIFACTS_DIR
from lab import notebooks
from nbtools import reference, text_of


def _sources(prefix: str, kind: str) -> list[str]:
    path = notebooks.notebook_paths([prefix])[0]
    return [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == kind]


def _cells(prefix: str, kind: str) -> str:
    return "\n".join(_sources(prefix, kind))


def test_06_writes_the_training_out_in_keras():
    code = _cells("06", "code")
    for line in ("model.compile(", "keras.optimizers.SGD(learning_rate=recipe.learning_rate", "keras.losses.CategoricalCrossentropy(",
                 'metrics=["accuracy"]', "model.fit(train_ds, validation_data=val_ds", "data.train_val_split(",
                 "training.make_dataset(x_tr, y_tr, recipe.batch_size, classes, training=True, seed=SEED", "steps_per_epoch=steps_per_epoch", "keras.callbacks.ModelCheckpoint("):
        assert line in code, line
    assert "run = training.train(" not in code, "the library trains only the check, not the lesson"
    assert "NBVAL" not in code
    assert "exact copies" not in code and "most alike" not in code, "no pixel-difference side trip"
    prose = _cells("06", "markdown")
    assert "variant of LeNet-5" in prose and "6 and 16 feature maps, then 120 and 84 units" in prose
    assert prose.index("A *feature map* is") < prose.index("6 and 16 feature maps"), "defined before use"
    assert "half the digit's width" not in prose
    assert "keeps the 28x28 grid through each convolution" not in prose
    assert "28x28 for conv1" not in prose and "each pooling halves it (the output column of the table below)" in prose
    assert "learning rate of 0.01" not in prose and "20 and 50 filters" not in prose, "numbers read from the recipe and the code"
    assert "plain.fit(x_tr[..., None], one_hot(y_tr), batch_size=recipe.batch_size" in code, "the plain form, run first"
    assert "plain = keras.models.clone_model(model)" in code, "on a fresh copy: the model trained below starts untrained"
    assert code.index("model.compile(") < code.index("plain.fit(") < code.index("training.make_dataset(") < code.index(
        "model.fit(train_ds"), "compile, the plain fit, then the pipeline and the full training"
    assert "**Why the rest of this notebook feeds `model.fit` from a pipeline instead.**" in prose
    assert "*ReLU* activations (a unit passes" in prose and "*max-pooling* (each 2x2 patch" in prose
    assert "*validation split*: never trained on" in prose and "A tenth" not in prose, "the share is printed, not typed"
    assert "stateless_split" not in code + prose and "flat_map" not in code + prose, "the pipeline's plumbing stays in 03"
    assert "which the series calls the *recipe*" in prose and "*decision boundary*" not in prose
    intro = _sources("06", "markdown")[0]
    assert "*SGD*" not in intro and "*ReLU*" not in intro and "*feature map*" not in intro, "the intro defines nothing it does not use"
    for term in ("*epoch*", "*reference run*", "*SGD*", "*batch*", "*gradient*", "*learning rate*", "*Momentum*", "*dense*"):
        assert term in prose, term
    assert prose.index("*SGD*") < prose.index("*gradient*") < prose.index("## `model.fit`"), "defined where SGD first runs"
    assert "a few digits changing answer" not in prose and "CSV log" not in prose and "shuffled the digits another way" not in prose
    assert "20x20" not in prose and "*centre of\nmass* (the mean position of its ink" in prose, "the box and the centring measured"
    assert "**Optional: the box and the centring, measured.**" in prose
    assert "import tensorflow as tf" not in code or "tf." in code.replace("import tensorflow as tf", "")
    assert "*logits*: the raw scores" in prose and "harmonic\nmean, *f1* (a mean pulled towards" in prose
    aside = next(s for s in _sources("06", "markdown") if s.startswith("**Why the rest"))
    assert len(aside) < 700 and "from the seed and the epoch number alone" in " ".join(aside.split()), "the aside, kept to its essence"
    assert '95% *confidence interval*, printed as "95% CI"' in prose and "(CI)" not in prose
    assert any(s.startswith("The *classification report* gives") for s in _sources("06", "markdown"))
    assert any(s.startswith('print(f"classification report of {label}:")') for s in _sources("06", "code")), "own cell"
    assert 'if number.get_text() == "0":' in code and "(correct answers grey, zeros blank)" in code
    assert 'ax.tick_params(axis="y", rotation=0)' in code and "matplotlib.patches.Rectangle((d, d), 1, 1" in code
    assert "The *confusion matrix* counts" in prose
    assert "both counts are in the figure's title" not in prose and 'reference_label=f"full run, {full_per_epoch} SGD steps per epoch"' in code
    assert "not the number format" not in prose
    assert "same recipe)" not in prose and "each network trained with\nits own original project's settings" in prose
    assert "*mixed precision*" not in prose and "*XLA* (a compiler" in prose, "no mixed-precision aside; the XLA note, short"
    assert "`keras.Sequential` applies its layers in order" in prose and "`keras.Input` gives the shape of one input" in prose
    assert "A *unit* is one number of a layer's output" in prose and "a layer's *grid*, its output's height x width" in prose
    assert "A *filter* is a small window of weights" in prose and "a filter spans all its input's channels" in prose and "*channel*" in prose and "*metric*" in prose
    assert "Early on, validation can beat training" in prose and "half a *point* (percentage point)" in prose
    assert "calls at set points (e.g. the end of every epoch)" in prose and "chains all the epochs" in " ".join(prose.split())
    assert "the same epoch number is not the same amount of training" not in code, "the figure's legend says it"
    assert "In the quick profile the full reference run" not in prose and "quick profile's choice" not in prose
    assert "how they differ is in the optional *History* note below" in prose and prose.index("how they differ is in the optional *History*") < prose.index("*History.*")
    assert "`Conv2D(20, 5)` is a convolution with 20 filters, each 5x5, and `Dense(500)` a dense\nlayer of 500 units" in prose
    assert "A\n`Sequential` can itself be a layer" in prose, "the nested Sequential, said"
    optional = [s for s in _sources("06", "markdown") if "Optional:" in s]
    assert len(optional) == 2 and "*kernel* side is" in optional[1] and "*History.*" not in prose.split("## Validation split and SGD steps")[1]
    assert "one *hidden* dense layer" in prose and "`schedule` says how the *learning rate* (the size of each training step" in prose
    assert prose.index("batches done / batches per epoch") < prose.index("### The full training, from the pipeline"), "read before the first fit"
    assert "no sign of overfitting" not in prose and "A gap between the two curves alone does not count" in prose
    assert "this notebook uses its own rule of thumb\n(made for this series, not a standard test)" in prose
    assert prose.index("more than its *noise*") < prose.index("**Does this run overfit?**"), "the test stated before the verdict"
    curves = next(s for s in _sources("06", "code") if "plots.training_curves(" in s)
    assert 'first = 2 if len(history["loss"]) > 2 and history["loss"][0] > 1.5 * history["loss"][1] else 1' in curves and "from_epoch=first" in curves, "epoch 1 left off, not clipped"
    assert 'yscale="log"' in curves and "Epoch 1 is left off" in prose and "*logarithmic*" in prose
    assert "ax.axvspan(best_epoch - 0.4, best_epoch + 0.4" in curves and "gold band" in curves + prose, "the kept epoch, marked and named"
    assert len(curves.splitlines()) <= 17 and "get_ydata" not in curves, "the figure code stays short"
    assert 'ax.axvline(lowest, color="0.3", linestyle=":")' in curves and "dotted line: lowest validation loss" in curves
    assert 'set_major_formatter("{x:g}")' in curves and 'set_minor_formatter("{x:g}")' in curves, "plain numbers on the log axis"
    assert "ax.set_xticks(range(first, " in curves, "whole-epoch ticks from the first epoch drawn"
    assert "*Overfitting* is a network learning its\ntraining images" in prose, "defined where the curves show it"
    assert prose.index("*Overfitting*") < prose.index("## From digits to CIFAR-10")
    assert "This series does not\ntrain LeNet on CIFAR-10" in prose and "needs more on CIFAR-10" not in prose, "no unshown claim"
    assert "*softmax* turns them into\nprobabilities (each score's exponential" in prose
    assert "`clone_model` drew other initial weights" in prose and "batches done / batches per epoch" in prose
    assert "never shuffles a pipeline" in prose and "nesterov" not in code, "shuffle=False explained; Nesterov is off"
    assert "ds = ds.shuffle(len(x_tr))" in code and "ds = ds.batch(recipe.batch_size)" in code, "the plain tf.data idiom, run"
    assert code.index("ds = ds.batch(") < code.index("training.make_dataset("), "the plain pipeline before the library's"
    assert "*original project* (the Keras 2 code" in prose and "## Validation split and SGD steps" in prose
    assert 'name="lenet_scaled")' in code and "model.summary(expand_nested=True)" in code and "`lenet()` (not `net` above) built after the seed" in prose
    assert "*kernel* side is" in prose and "*stride* is" in prose and "*multiply-adds* per image (one multiplication" in prose
    assert "the epoch of lowest validation loss can differ" in prose and "what test accuracy\n   does the 3-epoch model" in prose
    assert "ends = lambda" not in code and "def ends(inked):" in code
    assert "np.ma.masked_where" not in code and "assert " not in code, "no figure plumbing or checks on the page"
    assert "the committed sample, whose size is printed above" in prose, "quick test numbers count into the sample"
    assert 'ax.set_title(f"test #{index}\\ntrue {y_test[index]}, predicted {predicted[index]}' in code
    assert "tiles = np.flatnonzero(wrong)[np.argsort(-confidence[wrong])][:12]" in code, "the tiles' order, checked below"
    assert "git commit" not in prose and "older\nversion of the code" in prose and code.count("provenance.") == 1, "one provenance call"
    assert "print(provenance.describe(reference))" in code and "FORMER_NAMES" not in code, "the record-keeping, in the library"
    assert "too large to hold in memory" not in prose and "only to show a batch" in prose and "for run_label, name in" in code
    assert "`NOISE_LIMIT` (set in the cell: 0.1" in prose and "NOISE_LIMIT = 0.1" in code and "noise > NOISE_LIMIT" in code
    assert "(for a convolution or pooling: height, width, filters)" in prose and "plus one *bias* per filter or unit" in prose
    assert "need not match bit for bit" in prose and "different code or on\ndifferent machines" not in prose
    assert "(`python -m lab.train`)" not in prose and "made with it by an older version of the code" in prose and "print its command in today's names" in prose
    assert "# training=True: shuffled, each epoch's order from (SEED, epoch)" in code
    assert "How much lower is the loss" not in prose and "Where does it land" not in prose
    assert "a long run on a\n   CPU" in prose
    assert 'title = f"Ten random training digits of each class' in code and "title=title)" in code


def test_06_trains_like_the_library_and_says_how_far_it_got(executed):
    text = text_of(executed("06"))
    assert "train per digit: [200, 200, 200, 200, 200, 200, 200, 200, 200, 200]" in text
    box = re.search(r"^longer side of the box holding a digit's ink: at most (\d+) pixels, exactly \1 for (\d+\.\d\d)% of the "
                    r"digits; centre of mass at most (\d\.\d) pixels from the image's centre \(13\.5, 13\.5\)$", text, flags=re.M)
    assert box and float(box.group(2)) > 50 and float(box.group(3)) <= 2, "a fixed box, centred: what the prose says"
    side = int(box.group(1))
    placed = re.search(r"^opposite margins differ by up to (\d+) lines, where a box centred in the image leaves at most 1: "
                       r"(.+)$", text, flags=re.M)
    assert placed and placed.group(2) == ("so the digits were placed by their centre of mass, not by their box" if int(placed.group(1)) > 1
                                          else "as if centred by their box")
    assert side == 20
    margins = re.search(r"^empty lines between the ink and each edge, fewest to most over the digits: top (\d+) to (\d+), "
                        r"bottom (\d+) to (\d+), left (\d+) to (\d+), right (\d+) to (\d+)$", text, flags=re.M)
    assert margins, "the margins, measured"
    low, high = [int(v) for v in margins.groups()[::2]], [int(v) for v in margins.groups()[1::2]]
    assert all(0 <= a <= b <= 28 - 1 for a, b in zip(low, high)), "fewest to most, inside the image"
    assert all(re.search(rf"└ {name} \(\S*?{kind}", text) for name, kind in (("conv1", "Conv2D"), ("softmax", "Activation"))), \
        "the nested summary lists LeNet's layers"
    assert "Model: \"lenet_scaled\"" in text and re.search(r"Total params: \S*?1,256,080", text), "Keras' own summary, after compile"
    assert "total                                                  1,256,080     6,522,000" in text
    assert "same input shape and layer configs as models.lenet(): True" in text
    first = re.search(r"^the first validation digit, a (\d), as a one-hot label: \[([01, ]+)\]$", text, flags=re.M)
    assert first and [int(v) for v in first.group(2).split(", ")] == [int(d == int(first.group(1))) for d in range(10)]
    assert "fc alone holds 1,225,500 of the 1,256,080 parameters (97.6%)" in text
    assert "conv1: kernel (5, 5, 1, 20): 500 weights + 20 biases = 520 params" in text
    assert "fc: kernel (2450, 500): 1,225,000 weights + 500 biases = 1,225,500 params" in text
    assert ("RF = previous RF + (kernel side - 1) x jump: conv1 1 + (5 - 1) x 1 = 5; pool1 5 + (2 - 1) x 1 = 6; "
            "conv2 6 + (5 - 1) x 2 = 14; pool2 14 + (2 - 1) x 2 = 16 (as in the RF column: True)") in text
    assert re.search(r"^training\.train, [12] epochs, same data and seed: same loss, accuracy, val_loss, val_accuracy as the "
                     r"first [12] epochs above: True", text, flags=re.M), "the page's model.fit and training.train agree"
    assert f"loss ln 10 = {math.log(10):.3f}" in text
    untrained = re.search(r"^before training, on the 200 validation digits: loss (\d\.\d+) \(ln 10 = 2\.303\), "
                          r"accuracy (\d+\.\d)%$", text, flags=re.M)
    assert untrained, "the untrained network's loss and accuracy, printed"
    found = re.search(r"this run, ([\d,]+) SGD steps \(15 per epoch\) on 1,800 digits: last training loss (\d\.\d+) "
                      r"\((.*)\); validation accuracy [\d.]+%, against 10% for a uniform guess", text)
    assert found, "the run's last epoch beside a uniform guess: the loss beside ln 10, the accuracy beside 10%"
    near_chance = float(found.group(2)) > 0.9 * math.log(10)
    assert found.group(3).startswith("still close to ln 10" if near_chance else "well below ln 10")
    assert "validation share, recipe.val_fraction: 0.1\n" in text
    line = re.search(r"^most frequent mistakes \(true -> predicted: test digits\): (.*)$", text, flags=re.M)
    assert line, "the most frequent mistakes are printed"
    listed = [(int(n), t, p) for t, p, n in re.findall(r"(\d) -> (\d): (\d+)", line.group(1))]
    tie = re.search(r"then (\d+) pairs with (\d+) each", line.group(1))
    counts = [n for n, *_ in listed] + ([int(tie.group(2))] if tie else [])
    assert counts and counts == sorted(counts, reverse=True) and all(t != p for _, t, p in listed)
    assert len(listed) + (int(tie.group(1)) if tie else 0) >= min(3, len(listed) + 1), "at least three, ties counted"
    assert "0.1 of each, rounded: [20, 20, 20, 20, 20, 20, 20, 20, 20, 20], 200 in all; 0.1 of all 2,000: 200\n" in text
    plain = next(c for c in executed("06").cells if "plain.fit(" in c.source)  # the plain model.fit: one epoch, printed
    plain_text = text_of(nbformat.from_dict({"cells": [plain]}))
    assert len(re.findall(r"^15/15 - .* - val_accuracy: \d\.\d+", plain_text, flags=re.M)) == 1
    # this run's epoch 1 and last epoch beside the full reference run's, one column each
    full = reference("lenet_mnist")["history"]
    fit_cell = next(c for c in executed("06").cells if "model.fit(train_ds" in c.source)
    logged = re.findall(r"- loss: (\d\.\d+) - val_accuracy: (\d\.\d+)", text_of(nbformat.from_dict({"cells": [fit_cell]})))
    # model.fit's line for each epoch of the full training
    assert "not drawn" not in text and "epochs where validation loss rose" not in text, "three lines under the curves, no more"
    table = {row: re.search(rf"^{row} +(\S+) +(\S+)$", text, flags=re.M).groups()
             for row in ("epoch 1: training loss", "epoch 1: validation accuracy", "last epoch",
                         "last epoch: training loss", "last epoch: validation accuracy", "SGD steps per epoch")}
    assert table["SGD steps per epoch"] == ("15", "422")
    assert table["last epoch"] == (str(len(logged)), str(len(full["loss"])))
    for epoch, row in ((0, "epoch 1"), (-1, "last epoch")):
        loss, val_accuracy = (float(v) for v in logged[epoch])
        assert abs(float(table[f"{row}: training loss"][0]) - loss) <= 6e-4
        assert abs(float(table[f"{row}: validation accuracy"][0].rstrip("%")) / 100 - val_accuracy) <= 6e-4
    assert table["epoch 1: training loss"][1] == f"{full['loss'][0]:.3f}"
    assert table["epoch 1: validation accuracy"][1] == f"{full['val_accuracy'][0]:.1%}"
    assert table["last epoch: validation accuracy"][1] == f"{full['val_accuracy'][-1]:.1%}"
    kept = {row: re.search(rf"^{row} +(\S+) +(\S+)$", text, flags=re.M).groups()
            for row in ("kept epoch", "kept epoch: validation accuracy")}
    best = max(range(len(full["val_accuracy"])), key=full["val_accuracy"].__getitem__)
    assert kept["kept epoch"][1] == str(best + 1) and kept["kept epoch: validation accuracy"][1] == f"{full['val_accuracy'][best]:.1%}"
    ours = [float(v) for _, v in logged]
    assert int(kept["kept epoch"][0]) == ours.index(max(ours)) + 1, "the run's kept epoch, as model.fit's lines show"
    # what to look for under the curves: recomputed from model.fit's lines
    losses = [(float(a), float(b)) for a, b in re.findall(r"- loss: (\d\.\d+) - val_accuracy: \d\.\d+ - val_loss: (\d\.\d+)",
                                                         text_of(nbformat.from_dict({"cells": [fit_cell]})))]
    assert len(losses) == len(logged)
    low = min(range(len(losses)), key=lambda e: losses[e][1])
    line = re.search(r"^lowest validation loss: epoch (\d+) of (\d+), (\d+) / 200 validation digits right$", text, flags=re.M)
    assert line and int(line.group(1)) == low + 1 and int(line.group(2)) == len(losses)
    assert abs(int(line.group(3)) - 200 * float(logged[low][1])) < 0.5, "digits right, counted"
    kept_count = re.search(r"^kept epoch \(best validation accuracy\): (\d+), (\d+) / 200 validation digits right$", text, flags=re.M)
    assert kept_count and int(kept_count.group(1)) == ours.index(max(ours)) + 1 and int(kept_count.group(2)) == round(200 * max(ours))
    # the overfitting verdict: recomputed from model.fit's lines
    vals = [v for _, v in losses]
    changes = sorted([abs(b / a - 1) for a, b in zip(vals, vals[1:])][-10:])  # the last ten epoch-to-epoch changes
    median = (changes[(len(changes) - 1) // 2] + changes[len(changes) // 2]) / 2
    verdict = re.search(r"^verdict: (.+)$", text, flags=re.M)
    since = f"since epoch {low + 1}, training loss fell another "
    noise, rise = median, vals[-1] / vals[low] - 1
    if True:  # the quick profile: 200 validation digits, one worth half a point
        printed = re.fullmatch(r"too noisy for a verdict: noise (\d+\.\d)%; one of 200 validation digits = 0\.5 points", verdict.group(1))
        assert printed and abs(float(printed.group(1)) - 100 * median) <= 0.2, "the noise, recomputed"
    elif low == len(losses) - 1:
        assert verdict.group(1).startswith(f"no sign of overfitting in these {len(losses)} epochs: validation loss is lowest at the last")
    elif losses[-1][0] < losses[low][0] and abs(rise - noise) > 2e-3:  # clear of rounding in model.fit's lines
        assert verdict.group(1).startswith(f"overfitting: {since}" if rise > noise else f"no clear sign of overfitting: {since}")
    elif losses[-1][0] < losses[low][0]:
        assert verdict.group(1).startswith(("overfitting: ", "no clear sign of overfitting: "))
    else:
        assert verdict.group(1).startswith("no overfitting shown")
    kept_line = re.search(r"^kept epoch (\d+) of (\d+): validation accuracy (\d+\.\d)%$", text, flags=re.M)
    assert kept_line and abs(float(kept_line.group(3)) - 100 * max(ours)) <= 0.06, "the kept epoch's accuracy, as a percentage"
    assert re.search(r"^filter sides: LeNet \[5\], MiniVGGNet \(notebook 02\) \[3\]$", text, flags=re.M)
    assert "'seed'" not in text
    record = reference("lenet_mnist")
    today = record["command"].replace("helpers.train", "lab.train").replace("--recipe seed ", "--recipe original ")
    assert f"the reference run, in today's names: {today}, at git commit {record['git_commit']} (here: " in text, "translated"
    assert "-m lab.train --arch lenet --recipe original " in today and recipes.FORMER_NAMES == {"seed": "original"}
    assert "'+dirty': with uncommitted changes)\n" in text
    assert re.search(r"^its CPU, cores, GPUs and library versions: (the same as here|\S.* \(here .+\))$", text, flags=re.M)
    used = re.search(r"^the 'original' recipe, the settings used here: (.+)$", text, flags=re.M)
    assert used and "learning_rate=0.01" in used.group(1) and "label_smoothing=0.0" in used.group(1)
    assert "peak of the schedule" not in text and "nesterov=False" not in used.group(1)
    batch = recipes.get_recipe("original", "lenet").batch_size
    assert f"one batch of ds: images ({batch}, 28, 28, 1) labels ({batch}, 10)\n" in text and "_PrefetchDataset" not in text
    pixels = re.search(r"; its pixel values: from (\S+) to (\S+)$", text, flags=re.M)
    assert pixels and 0 <= float(pixels.group(1)) < float(pixels.group(2)) <= 255 and float(pixels.group(2)) > 1, "0..255, not yet scaled"
    unused = re.search(r"^its other (\d+) fields serve the improved recipe of notebook 03 and are off or unused here$", text, flags=re.M)
    recipe = recipes.get_recipe("original", "lenet")
    shown = ("epochs", "batch_size", "optimizer", "learning_rate", "schedule", "momentum", "label_smoothing",
             "normalization", "val_fraction", "name")
    rest = [f.name for f in dataclasses.fields(recipes.Recipe) if f.name not in shown]
    assert unused and int(unused.group(1)) == len(rest), "the count matches the recipe's other fields"
    assert "freeze_bn_scale" not in text and "warmup_start" not in text, "the unused knobs, counted, not listed"


def test_06_says_which_model_it_evaluates_and_titles_the_mistakes_truthfully(executed):
    notebook = executed("06")
    text = text_of(notebook)
    for call in ("plots.heatmap(confusion", "plots.confident_mistakes(", "plots.training_curves("):  # the figures the prose reads are displayed
        cell = next(c for c in notebook.cells if call in c.source)
        assert any("image/png" in o.get("data", {}) for o in cell.outputs), call
    assert "evaluated (MODEL = 'reference'): models/lenet_mnist.keras" in text
    assert "(the quick profile scores the shipped model: the one trained above saw only the sample" in text
    full = reference("lenet_mnist")
    split = re.search(r"^training split \(digits\) +(\S+) +(\S+)$", text, flags=re.M)
    assert split and split.groups() == ("1,800", f"{full['data']['split']['train']:,}"), "the training splits, side by side"
    assert "code (git commit)" not in text and "what differs" not in text
    assert "all training digits per class (before the split) [200," in text and "training split: 1,800 digits (15 batches" in text
    assert re.search(r"^median confidence: \d+\.\d\d% when right, \d+\.\d\d% when wrong$", text, flags=re.M), "same decimals"
    accuracy = float(re.search(r"test accuracy on 1,000 test digits: (\d+\.\d+)%", text).group(1))
    assert accuracy > 98.0
    assert re.search(r"the model trained above \(lenet_mnist_quick, epoch \d+\) on the same digits: \d+\.\d+%", text)
    assert f"the full reference run on all 10,000 test digits: {reference('lenet_mnist')['test']['accuracy']:.2%}" in text
    ci = re.search(r"95% CI (\d+\.\d+)%-(\d+\.\d+)%, 1,000 images\)", text)
    inside = float(ci.group(1)) <= 100 * reference("lenet_mnist")["test"]["accuracy"] <= float(ci.group(2))
    assert f"(results/lenet_mnist.json), {'inside' if inside else 'outside'} the 95% CI above" in text, "the verdict, recomputed"
    assert "classification report of models/lenet_mnist.keras, not the model trained above:" in text
    assert "mistakes of models/lenet_mnist.keras, not the model trained above:" in text and "NOT" not in text
    mistakes = int(re.search(r"^(\d+) mistakes among 1,000 test digits", text, flags=re.M).group(1))
    assert mistakes == round((100 - accuracy) * 10)
    title = re.search(r"^(All \d+ mistakes|The 12 mistakes made with the highest confidence), most confident first: "
                      r"confidence from (\d+\.\d)% down to (\d+\.\d)%$", text, flags=re.M)
    assert title and float(title.group(2)) >= float(title.group(3))
    assert title.group(1).startswith("All") == (mistakes <= 12)
    assert "exact copies" not in text and "most alike" not in text
    assert (ARTIFACTS_DIR / "lenet_mnist_quick.keras").exists()


def test_06_tile_titles_name_the_digits_their_tiles_show():
    """The notebook titles confident_mistakes' tiles with test numbers computed by its own formula: they must agree."""
    import matplotlib
    import numpy as np

    from helpers import plots

    matplotlib.use("Agg")
    rng = np.random.default_rng(0)
    x_test, y_test = rng.integers(0, 256, (300, 28, 28), dtype=np.uint8), rng.integers(0, 10, 300)
    probs = rng.dirichlet(np.ones(10), 300)
    predicted, confidence = probs.argmax(1), probs.max(1)
    wrong = predicted != y_test
    tiles = np.flatnonzero(wrong)[np.argsort(-confidence[wrong])][:12]  # the notebook's line
    figure = plots.confident_mistakes(x_test, y_test, probs, [str(d) for d in range(10)])
    drawn = [ax for ax in figure.axes if ax.images]
    assert len(drawn) == len(tiles) == 12
    for ax, index in zip(drawn, tiles):
        assert np.array_equal(ax.images[0].get_array(), x_test[index])
