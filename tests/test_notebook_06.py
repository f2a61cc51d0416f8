"""Notebook 06_lenet_mnist: executed in the quick profile, checked on what it printed and wrote."""

import math
import re

import nbformat
import pytest

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
    for line in ("net.compile(", "compile_sgd(model)", "compile_sgd(plain)", "keras.optimizers.SGD(learning_rate=recipe.learning_rate", "keras.losses.CategoricalCrossentropy(",
                 'metrics=["accuracy"]', "model.fit(train_ds, validation_data=val_ds", "data.train_val_split(",
                 "tf.data.Dataset.range(recipe.epochs).flat_map(one_epoch)", "tf.random.experimental.stateless_shuffle(", "steps_per_epoch=steps_per_epoch", "keras.callbacks.ModelCheckpoint("):
        assert line in code, line
    assert "training.train(" not in code and "training.make_dataset(" not in code, "the lesson's training and pipeline on the page; the library check is in the tests"
    assert "NBVAL" not in code and "assert " not in code and "np.ma.masked_where" not in code, "no figure plumbing or checks on the page"
    prose = _cells("06", "markdown")
    flat = " ".join(prose.split())
    # LeNet named for the variant it is, the filter explained, the original's differences in one place
    assert "the ReLU/max-pool *20-50-500* variant of LeCun's LeNet-5" in flat
    assert "`Conv2D(20, 5)`" in prose and "`Conv2D(50, 5)`" in flat and "`Dense(500)`" in flat, "the variant's numbers, as in the code"
    assert "A filter is a small square of weights" in flat and "a map of where that pattern appears" in flat
    assert "6 and 16 channels (he called them feature maps), then 120 and 84 dense units" in flat
    assert "*ReLU* activations: a *unit*" in flat and "*max-pooling* (each 2x2 patch" in flat and "*receptive field*" in flat
    assert "learning rate of 0.01" not in prose and "20 and 50 filters" not in prose, "settings read from the recipe's print"
    # compile, the plain fit, then the pipeline and the full training, all on the page
    assert "plain.fit(x_tr[..., None], one_hot(y_tr), batch_size=recipe.batch_size" in code, "the plain form, run first"
    assert "plain = keras.models.clone_model(model)" in code, "on a fresh copy: the model trained below starts untrained"
    assert code.count(".compile(") == 1, "compiled in one place, a small function"
    assert code.index("net.compile(") < code.index("plain.fit(") < code.index("flat_map(one_epoch)") < code.index(
        "model.fit(train_ds"), "compile, the plain fit, then the pipeline and the full training"
    aside = next(s for s in _sources("06", "markdown") if s.startswith("**Why the rest"))
    assert len(aside) < 700 and "from the seed and the epoch number alone" in " ".join(aside.split()), "the aside, kept to its essence"
    assert "So that this run draws exactly" in aside and "resumed" not in aside, "the aside answers its own heading"
    assert "(checked against the library by the tests)" in aside and "checked below" not in aside
    assert "Its epoch 1 differs" not in prose and "epoch 1 differs from epoch 1 of the full training below" in flat
    assert 'name="lenet_scaled")' in code and "model.summary(expand_nested=True)" in code
    assert "A `Sequential` can itself be a layer" in flat and "never shuffles a pipeline" in prose and "nesterov" not in code
    # terms defined before use, and the intro defines nothing it does not use
    intro = _sources("06", "markdown")[0]
    assert "which the series calls the *recipe*" in intro and "*original project* (the Keras 2 code" in intro
    assert "*SGD*" not in intro and "*ReLU*" not in intro, "the intro defines nothing it does not use"
    for term in ("*epoch*", "*reference run*", "*SGD*", "*batch*", "*gradient*", "*learning rate*", "*Momentum*", "*dense*",
                 "*channel*", "*metric*", "*logits*", "*softmax*", "*callback*", "*logarithmic*", "*confidence interval*"):
        assert term in prose, term
    assert prose.index("*SGD*") < prose.index("*gradient*") < prose.index("## `model.fit`"), "defined where SGD first runs"
    assert prose.index("batches done / batches per epoch") < prose.index("### The full training, from the pipeline"), "read before the first fit"
    assert prose.index("**ln 10") < prose.index("### The full training"), "what a near-chance loss means, before the first fit prints one"
    # side topics cut: provenance, hand-measured centring, the derived RF column, a home-made overfitting verdict
    assert "provenance." not in code and "git commit" not in prose, "no record-keeping on the page"
    assert "### Optional: the same as the library" not in prose and "def ends(" not in code and "jump(" not in code and "jumps =" not in code, "side topics moved out"
    assert "The cell's printed line applies this rule to this run, and says how much one validation digit weighs." in flat and "rise > wobble" in code, "the rule, applied"
    assert "*Overfitting* is a network learning its training images" in flat
    assert prose.index("*Overfitting*") < prose.index("## From digits to CIFAR-10")
    assert "A gap alone between training and validation is normal" in flat and "Early on, validation can beat training" in flat
    curves = next(s for s in _sources("06", "code") if "plots.training_curves(" in s)
    assert 'first = 2 if len(history["loss"]) > 2 and history["loss"][0] > 1.5 * history["loss"][1] else 1' in curves and "from_epoch=first" in curves, "epoch 1 left off, not clipped"
    assert 'yscale="log"' in curves and "Epoch 1 is left off" in prose
    assert "ax.axvspan(best_epoch - 0.4, best_epoch + 0.4" in curves and "gold band" in curves + prose, "the kept epoch, marked and named"
    assert len(curves.split("plots.save_figure(")[0].splitlines()) <= 13 and len(curves.splitlines()) <= 21, "the figure code stays short"
    assert "get_ydata" not in curves and "rise = val[lowest - 1:].max() - val[lowest - 1]" in curves, "the overfitting reading, in plain lines"
    assert 'ax.axvline(lowest, color="0.3", linestyle=":")' in curves and "dotted line: lowest validation loss" in curves
    assert 'reference_label=f"full run, {full_per_epoch} SGD steps per epoch"' in code
    # evaluation and mistakes
    assert any(s.startswith("The *classification report* (as in notebook 04) gives") for s in _sources("06", "markdown"))
    assert "*f1*: their harmonic mean, low when either of the two is low" in flat and "*precision*" in prose and "*recall*" in prose
    assert any(s.startswith('print(f"classification report of {label}:")') for s in _sources("06", "code")), "own cell"
    assert "mask_diagonal=True" in code and "(correct answers left blank)" in code and "matplotlib.patches" not in code
    assert "The *confusion matrix* counts" in prose and "## The model's most confident mistakes" in prose
    assert "set_title" not in code and "In the quick profile, this matrix and the mistakes below are the shipped model's" in flat
    assert prose.index("In the quick profile, this matrix") < prose.index("## The model's most confident mistakes")
    assert "dtype=\"float32\"" not in code and "mixed precision" not in code, "no mixed-precision note: this notebook never uses it"
    assert "used = (" not in code and "older code, another machine" not in prose
    assert "made by an earlier version of the series' code" in flat and "need not match bit for bit" in flat and "for run_label, name in" in code
    assert "This series does not train LeNet on CIFAR-10: exercise 4 does." in flat
    assert "a long run on a CPU" in flat and "what test accuracy does the 3-epoch model" in flat
    assert 'title = f"Ten random training digits of each class' in code and "title=title)" in code


def test_06_trains_like_the_library_and_says_how_far_it_got(executed):
    text = text_of(executed("06"))
    assert "train per digit: [200, 200, 200, 200, 200, 200, 200, 200, 200, 200]" in text
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
    untrained = re.search(r"^before training, on the 200 validation digits: loss (\d\.\d+) \(ln 10 = 2\.303\), "
                          r"accuracy (\d+\.\d)%$", text, flags=re.M)
    assert untrained, "the untrained network's loss and accuracy, printed"
    found = re.search(r"^this run \(lenet_mnist_quick\): ([\d,]+) SGD steps \(15 per epoch\) on 1,800 digits; last epoch: "
                      r"training loss (\d\.\d+), validation accuracy ([\d.]+)%$", text, flags=re.M)
    assert found, "the run's last epoch, beside a uniform guess"
    assert "uniform guess (1/" not in text and "this run's last training loss is" not in text, "merged into the reference-run line"
    assert "one validation digit is 1/200 = 0.50% of the validation numbers" in text
    assert "validation share, recipe.val_fraction: 0.1\n" in text
    line = re.search(r"^most frequent mistakes \(true -> predicted: test digits\): (.*)$", text, flags=re.M)
    assert line, "the most frequent mistakes are printed"
    listed = [(int(n), t, p) for t, p, n in re.findall(r"(\d) -> (\d): (\d+)", line.group(1))]
    tie = re.search(r"then (\d+) pairs with (\d+) each", line.group(1))
    counts = [n for n, *_ in listed] + ([int(tie.group(2))] if tie else [])
    assert counts and counts == sorted(counts, reverse=True) and all(t != p for _, t, p in listed)
    assert len(listed) + (int(tie.group(1)) if tie else 0) >= min(3, len(listed) + 1), "at least three, ties counted"
    plain = next(c for c in executed("06").cells if "plain.fit(" in c.source)  # the plain model.fit: one epoch, printed
    plain_text = text_of(nbformat.from_dict({"cells": [plain]}))
    one_epoch = re.findall(r"^15/15 - .* - val_loss: (\d\.\d+)$", plain_text, flags=re.M)
    assert len(one_epoch) == 1 and float(one_epoch[0]) > 0.9 * math.log(10), "the prose: one quick epoch leaves the loss close to ln 10"
    # this run's last epoch beside the full reference run's
    full = reference("lenet_mnist")["history"]
    fit_cell = next(c for c in executed("06").cells if "model.fit(train_ds" in c.source)
    logged = re.findall(r"- loss: (\d\.\d+) - val_accuracy: (\d\.\d+)", text_of(nbformat.from_dict({"cells": [fit_cell]})))
    # model.fit's line for each epoch of the full training
    assert "not drawn" not in text and "epochs where validation loss rose" not in text, "three lines under the curves, no more"
    assert int(found.group(1).replace(",", "")) == 15 * len(logged), "SGD steps: epochs times batches per epoch"
    assert abs(float(found.group(2)) - float(logged[-1][0])) <= 6e-4 and abs(float(found.group(3)) / 100 - float(logged[-1][1])) <= 6e-4
    record = reference("lenet_mnist")
    per_epoch = -(-record["data"]["split"]["train"] // record["recipe"]["batch_size"])
    assert (f"the full reference run: {len(full['loss']) * per_epoch:,} SGD steps ({per_epoch} per epoch) on "
            f"{record['data']['split']['train']:,} digits; last epoch: training loss {full['loss'][-1]:.3f}, "
            f"validation accuracy {full['val_accuracy'][-1]:.1%}") in text, "beside the full run, from its results file"
    val = [float(v) for v in re.findall(r"- val_loss: (\d\.\d+)$", text_of(nbformat.from_dict({"cells": [fit_cell]})), flags=re.M)]
    lowest = val.index(min(val)) + 1
    rise, wobble = max(val[lowest - 1:]) - val[lowest - 1], max((abs(b - a) for a, b in zip(val[len(val) // 2:], val[len(val) // 2 + 1:])), default=0)
    reading = re.search(rf"^validation loss lowest at epoch {lowest} of {len(val)} \((\d\.\d+)\); largest rise after it (\d\.\d+), largest "
                        r"change between epochs in the second half (\d\.\d+): (overfitting|no overfitting \((?:a rise within the noise|no rise after it)\))$",
                        text, flags=re.M)
    assert reading and abs(float(reading.group(1)) - min(val)) <= 1e-4, "the lowest validation loss, as model.fit printed it"
    assert abs(rise - wobble) < 3e-4 or reading.group(4).startswith("overfitting" if rise > wobble else "no overfitting")
    assert (reading.group(4) == "no overfitting (no rise after it)") == (lowest == len(val)), "no rise only when lowest at the end"
    ours = [float(v) for _, v in logged]
    kept_line = re.search(r"^kept epoch (\d+) of (\d+): validation accuracy (\d+\.\d)%$", text, flags=re.M)
    assert kept_line and abs(float(kept_line.group(3)) - 100 * max(ours)) <= 0.06, "the kept epoch's accuracy, as a percentage"
    assert int(kept_line.group(1)) == ours.index(max(ours)) + 1 and int(kept_line.group(2)) == len(ours), "the kept epoch, as model.fit's lines show"
    assert "'seed'" not in text
    used = re.search(r"^the 'original' recipe, the settings used here: (.+)$", text, flags=re.M)
    assert used and "learning_rate=0.01" in used.group(1) and "label_smoothing=0.0" in used.group(1)
    assert "peak of the schedule" not in text and "nesterov=False" not in used.group(1)
    assert "one batch of ds" not in text and "_PrefetchDataset" not in text
    pixels = re.search(r"; its pixel values: from (\S+) to (\S+)$", text, flags=re.M)
    assert pixels and 0 <= float(pixels.group(1)) < float(pixels.group(2)) <= 255 and float(pixels.group(2)) > 1, "0..255, not yet scaled"
    assert "freeze_bn_scale" not in text and "warmup_start" not in text and "git commit" not in text, "no bookkeeping"


def test_06_says_which_model_it_evaluates_and_titles_the_mistakes_truthfully(executed):
    notebook = executed("06")
    text = text_of(notebook)
    for call in ("plots.heatmap(confusion", "plots.confident_mistakes(", "plots.training_curves("):  # the figures the prose reads are displayed
        cell = next(c for c in notebook.cells if call in c.source)
        assert any("image/png" in o.get("data", {}) for o in cell.outputs), call
    assert "evaluated (MODEL = 'reference'): models/lenet_mnist.keras" in text
    keras_line = re.search(r"^model\.evaluate on the 1,000 test digits: loss (\d\.\d+), accuracy (\d+\.\d+)%$", text, flags=re.M)
    assert keras_line and text.index(keras_line.group(0)) < text.index("95% CI"), "Keras' own test score, before the CI line"
    assert "(the quick profile scores the shipped model: the one trained above saw only the sample" in text
    assert "code (git commit)" not in text and "what differs" not in text
    assert "training split: 1,800 digits (15 batches per epoch); validation split: 200" in text
    assert re.search(r"^median confidence: \d+\.\d\d% when right, \d+\.\d\d% when wrong$", text, flags=re.M), "same decimals"
    accuracy = float(re.search(r"test accuracy on 1,000 test digits: (\d+\.\d+)%", text).group(1))
    assert abs(accuracy - float(keras_line.group(2))) < 0.006, "model.evaluate and the helper's score agree"
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
    assert "exact copies" not in text and "most alike" not in text
    assert (ARTIFACTS_DIR / "lenet_mnist_quick.keras").exists()



def test_06_page_training_equals_the_library(executed, mnist_sample, tmp_path):
    """The page writes the pipeline and the training out; helpers.training.train made the reference run.
    Same data, seed and recipe: the same history, epoch by epoch, so the two cannot drift apart."""
    from helpers import recipes, training

    fit_cell = next(c for c in executed("06").cells if "model.fit(train_ds" in c.source)
    logged = re.findall(r"- accuracy: (\d\.\d+) - loss: (\d\.\d+) - val_accuracy: (\d\.\d+) - val_loss: (\d\.\d+)$",
                        text_of(nbformat.from_dict({"cells": [fit_cell]})), flags=re.M)
    assert len(logged) == 20, "the quick profile's 20 epochs, as model.fit printed them"
    run = training.train("lenet", recipes.get_recipe("original", "lenet", epochs=len(logged)), mnist_sample[0], tmp_path / "library",
                         seed=42, precision="float32", verbose=0)
    for i, key in enumerate(("accuracy", "loss", "val_accuracy", "val_loss")):
        assert run.history[key] == pytest.approx([float(epoch[i]) for epoch in logged], abs=1e-3), key
