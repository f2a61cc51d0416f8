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
    for line in ("net.compile(", "compile_sgd(model)", "compile_sgd(evaluated)", "keras.optimizers.SGD(learning_rate=recipe.learning_rate", "keras.losses.CategoricalCrossentropy(",
                 'metrics=["accuracy"]', "data.train_val_split(", "keras.utils.to_categorical(", "keras.callbacks.ModelCheckpoint(",
                 "model.fit(x_tr[..., None], one_hot(y_tr), batch_size=recipe.batch_size, epochs=recipe.epochs,",
                 "validation_data=(x_val[..., None], one_hot(y_val)), callbacks=[keep_best], verbose=2)",
                 "model.evaluate(x_val[..., None], one_hot(y_val)", "model.load_weights(run_dir / \"best.weights.h5\")"):
        assert line in code, line
    assert "training.train(" not in code and "training.make_dataset(" not in code, "the lesson's training on the page; the library check is in the tests"
    assert "tf.data" not in code and "import tensorflow" not in code and "steps_per_epoch=" not in code, "plain model.fit on the arrays, no pipeline"
    assert "NBVAL" not in code and "assert " not in code and "np.ma.masked_where" not in code, "no figure plumbing or checks on the page"
    prose = _cells("06", "markdown")
    flat = " ".join(prose.split())
    # LeNet named for the variant it is, the filter explained, the original's differences in one place
    assert "the ReLU/max-pool *20-50-500* variant of LeCun's LeNet-5" in flat
    assert "`Conv2D(20, 5)`" in prose and "`Conv2D(50, 5)`" in flat and "`Dense(500)`" in flat, "the variant's numbers, as in the code"
    assert "which notebook 02 explains" in flat and "where MiniVGGNet stacks two 3x3 ones" in flat, "what 02 taught, pointed to"
    assert "*ReLU* activations" not in flat and "*softmax*" not in prose and "A filter is a small square" not in flat, "no glossary repeating 02"
    assert "LeCun's original was smaller (6 and 16 channels, then 120 and 84 dense units)" in flat and "*receptive field*" in flat
    assert "layer_configs" not in code and "models.lenet()" not in code, "the library equality lives in the tests, not on the page"
    assert "learning rate of 0.01" not in prose and "20 and 50 filters" not in prose, "settings read from the recipe's print"
    # compile, then one plain model.fit on the arrays, all on the page
    assert "plain.fit(" not in code and "clone_model(" not in code, "one training, the plain way: no one-epoch demo on a copy"
    assert code.count(".compile(") == 1 and code.count("compile_sgd(") == 3, "compiled in one small function, used twice"
    assert code.index("net.compile(") < code.index("compile_sgd(model)") < code.index("model.evaluate(x_val") < code.index(
        "model.fit(x_tr") < code.index("compile_sgd(evaluated)"), "compile, the untrained check, the training, then the evaluation"
    fit_md = next(s for s in _sources("06", "markdown") if s.startswith("## `model.fit`"))
    assert len(fit_md) < 1400 and "every epoch it shuffles the training digits, cuts them into batches" in fit_md and "`to_categorical`" in fit_md and "`[..., None]`" in fit_md
    assert "tf.data" not in prose and "python -m lab.train" not in prose and flat.count("pipeline") == 1, "no pipeline on the page"
    assert ("That run was trained from the command line (`python -m helpers.train`, named in `results/lenet_mnist.json`), "
            "another code path with its own input pipeline, so even a full-profile run differs from it a little; a quick run differs far more, because it trained far less") in flat, "why the same seed gives other numbers"
    assert flat.count("the same on every run of this notebook") == 2 and "every run." not in flat, "the seed's promise, as far as it goes"
    for gone in ("flat_map", "steps_per_epoch", "library's batches", "**Why the rest", "from the pipeline", "plain fit"):
        assert gone not in prose, gone
    assert 'name="lenet_scaled")' in code and "model.summary(expand_nested=True)" in code
    assert "A `Sequential` can itself be a layer" in flat and "nesterov" not in code
    # terms defined before use, and the intro defines nothing it does not use
    intro = _sources("06", "markdown")[0]
    assert "which the series calls the *recipe*" in intro and "*original project* (the Keras 2 code" in intro
    assert "*SGD*" not in intro and "*ReLU*" not in intro, "the intro defines nothing it does not use"
    for term in ("*epoch*", "*reference run*", "*SGD*", "*batch*", "*gradient*", "*learning rate*",
                 "*metric*", "*callback*", "*logarithmic*", "*confidence interval*", "*momentum*"):
        assert term in prose, term
    assert prose.index("*SGD*") < prose.index("*gradient*") < prose.index("## `model.fit`"), "defined where SGD first runs"
    cells = nbformat.read(notebooks.notebook_paths(["06"])[0], as_version=4).cells
    fit_at = next(i for i, c in enumerate(cells) if "model.fit(" in c.source and c.cell_type == "code")
    baseline, fit, kept = (cells[i].source for i in (fit_at - 2, fit_at, fit_at + 1))
    assert cells[fit_at - 1].cell_type == "markdown" and cells[fit_at - 3].cell_type == "markdown"
    assert all(term in cells[fit_at - 1].source for term in ("batches done / batches per epoch", "*callback*", "early on validation can even beat training")), \
        "how to read the fit log and what a callback is: just before the fit prints them"
    assert "**ln 10" in cells[fit_at - 3].source and cells[fit_at - 3].source.startswith("## `model.fit`"), "the near-chance loss, before its check"
    # the training in three small cells: labels and the untrained check; the callback and fit; the best weights back
    assert baseline.startswith("one_hot = ") and "model.evaluate(x_val" in baseline and "model.fit(" not in baseline
    assert fit.startswith("run_dir = ") and "keras.callbacks.ModelCheckpoint(" in fit and "load_weights" not in fit and "one_hot =" not in fit
    assert kept.startswith("model.load_weights(") and 'print(f"kept epoch {best_epoch}' in kept
    assert all(len(cell.splitlines()) <= 5 for cell in (baseline, fit, kept)), "small cells"
    # side topics cut: provenance, hand-measured centring, the derived RF column, a home-made overfitting verdict
    assert "provenance." not in code and "git commit" not in prose, "no record-keeping on the page"
    assert "### Optional: the same as the library" not in prose and "def ends(" not in code and "jump(" not in code and "jumps =" not in code, "side topics moved out"
    assert "wobble" not in code and "noise" not in prose, "no home-made noise measure: the verdict reads the lowest epoch only"
    assert "*Overfitting*, a network learning its training digits at the expense of new ones, shows as validation loss rising" in flat
    assert prose.index("*Overfitting*") < prose.index("## From digits to CIFAR-10")
    assert "A gap alone is normal" in flat and flat.count("early on validation can even beat training") == 1
    assert flat.count("averages over the epoch") == 1, "said once, where the log is read"
    compile_md = next(s for s in _sources("06", "markdown") if s.startswith("## The model and `model.compile`"))
    compile_flat = " ".join(compile_md.split())
    assert len(compile_md) < 1300 and "`label_smoothing` (which would soften the one-hot labels) and *momentum*" in compile_flat
    assert "are read from the recipe, like the learning rate; the cell prints all three, and a 0 turns a setting off." in compile_flat
    assert "schedule=constant" not in prose and "normalization=unit" not in prose, "the parameters' list: only what the reader sets"
    assert "next(" not in next(s for s in _sources("06", "code") if "models.layer_table(net)" in s), "plain counts, no generator"
    curves = next(s for s in _sources("06", "code") if "plots.training_curves(" in s)
    assert 'first = 2 if len(history["loss"]) > 2 and history["loss"][0] > 1.5 * history["loss"][1] else 1' in curves and "from_epoch=first" in curves, "epoch 1 left off, not clipped"
    assert "log_loss=True" in curves and "Epoch 1 is left off" in prose
    assert 'marks={f"epoch kept, {best_epoch}": best_epoch, f"lowest validation loss, epoch {lowest}": lowest}' in curves
    assert "The green line marks the epoch kept" in flat and "the dotted one the epoch of lowest validation loss" in flat
    for plumbing in ("axvspan", "axvline", "get_legend", "yscale", "fig.axes"):
        assert plumbing not in curves, f"the library draws it: {plumbing}"
    assert len(curves.split("plots.save_figure(")[0].splitlines()) <= 10 and len(curves.splitlines()) <= 14, "the figure code stays short"
    assert "get_ydata" not in curves and "rise = max(val_loss[lowest - 1:]) - val_loss[lowest - 1]" in curves, "the lowest point, in plain lines"
    assert 'reference_label=f"full run, {full_per_epoch} steps/epoch"' in code and 'if DATA == "sample" else None' in curves
    assert "dashed curves" not in flat and "gold band" not in flat, "no sentence about the quick profile's curves in both copies"
    # evaluation and mistakes
    assert any(s.startswith("The *classification report* (as in notebook 04) gives") for s in _sources("06", "markdown"))
    assert "*f1*: their harmonic mean, low when either of the two is low" in flat and "*precision*" in prose and "*recall*" in prose
    assert any(s.startswith('print(f"classification report of {label}:")') for s in _sources("06", "code")), "own cell"
    assert "mask_diagonal=True" in code and "(correct answers left blank)" in code and "matplotlib.patches" not in code
    assert "The *confusion matrix* counts" in prose and "## The model's most confident mistakes" in prose
    assert "set_title" not in code and "shipped model's" not in flat, "the matrix and mistakes are this run's model's in both profiles"
    assert "dtype=\"float32\"" not in code and "mixed precision" not in code, "no mixed-precision note: this notebook never uses it"
    assert "used = (" not in code and "older code, another machine" not in prose
    assert flat.count("differs from it a little") == 1 and "for run_label, name in" in code
    # the evaluation: the model choice in its own cell, before model.evaluate; one accuracy line
    choice = next(s for s in _sources("06", "code") if "pretrained.load_model(" in s)
    main = next(s for s in _sources("06", "code") if s.startswith("test_scores = evaluated.evaluate("))
    assert "pretrained" not in main and "MODEL" not in main and "describe_accuracy(accuracy" in main, "the branch out of the main path"
    assert "compile_sgd(evaluated)" in choice and code.index(choice) < code.index(main), "the choice, then the evaluation"
    assert len(choice.splitlines()) <= 4 and "train_if_missing" not in code and "print(" not in choice, "the MODEL branch, minimal"
    assert "scores the shipped model instead" not in flat and "then loads the shipped model" not in flat, "no sentence about one profile only"
    assert 'if DATA == "sample" and evaluated is model and accuracy < reference_run["test"]["accuracy"]' in main
    assert "inside" not in main and "confidence_interval(" not in main, "no CI verdict on another model: the two accuracies side by side"
    assert "reference = " not in code and "reference[" not in code and "reference_run = references.get(" in code, "one name, one thing"
    remember = next(s for s in _sources("06", "markdown") if s.startswith("## What to remember"))
    assert remember.count("\n- ") == 3 and not any(ch.isdigit() for ch in remember), "three conceptual lines, no numbers"
    assert prose.index("## What to remember") < prose.index("## Exercises")
    assert "`evaluation.score` turns them into the confusion matrix" in flat
    # the exercises: how to score mirrored digits, exercise 4 as code with its imports
    exercises = next(s for s in _sources("06", "markdown") if s.startswith("## Exercises"))
    assert "evaluation.predict(evaluated, x_test[:, :, ::-1]), DIGIT_NAMES)" in exercises
    assert "```python" in exercises and "from helpers import training" in exercises and "from helpers.data import CLASS_NAMES" in exercises
    assert "training" not in _sources("06", "code")[1], "training imported by the exercise that uses it"
    assert code.count('references.get("lenet_mnist")') == 1, "the reference run's record, read once"
    assert "This series does not train LeNet on CIFAR-10: exercise 4 does." in flat
    assert "a long run on a CPU" in flat and "what test accuracy does the 3-epoch model" in flat
    assert 'title = f"Ten random training digits of each class' in code and "title=title)" in code


def test_06_trains_and_says_how_far_it_got(executed):
    text = text_of(executed("06"))
    assert "train per digit: [200, 200, 200, 200, 200, 200, 200, 200, 200, 200]" in text
    assert all(re.search(rf"└ {name} \(\S*?{kind}", text) for name, kind in (("conv1", "Conv2D"), ("softmax", "Activation"))), \
        "the nested summary lists LeNet's layers"
    assert "Model: \"lenet_scaled\"" in text and re.search(r"Total params: \S*?1,256,080", text), "Keras' own summary, after compile"
    assert "total                                                  1,256,080     6,522,000" in text
    first = re.search(r"^the first validation digit, a (\d), as a one-hot label: \[([01, ]+)\]$", text, flags=re.M)
    assert first and [int(v) for v in first.group(2).split(", ")] == [int(d == int(first.group(1))) for d in range(10)]
    assert "fc alone holds 1,225,500 of the 1,256,080 parameters (97.6%)" in text
    assert "conv1: kernel (5, 5, 1, 20): 500 weights + 20 biases = 520 params" in text
    assert "fc: kernel (2450, 500): 1,225,000 weights + 500 biases = 1,225,500 params" in text
    untrained = re.search(r"^before training, on the 200 validation digits: loss (\d\.\d+) \(ln 10 = 2\.303\), "
                          r"accuracy (\d+\.\d)%$", text, flags=re.M)
    assert untrained and abs(float(untrained.group(1)) - math.log(10)) < 0.05, "the untrained network's loss, near ln 10 as the prose says"
    found = re.search(r"^last epoch, this run vs the full reference run: training loss (\d\.\d+) vs (\d\.\d+), "
                      r"validation accuracy ([\d.]+)% vs ([\d.]+)%$", text, flags=re.M)
    assert found, "the run's last epoch, beside the full reference run's"
    assert "uniform guess (1/" not in text and "this run's last training loss is" not in text, "merged into the reference-run line"
    assert "one validation digit is" not in text and "between epochs in the second half" not in text, "no noise measure"
    assert "validation share, recipe.val_fraction: 0.1\n" in text
    line = re.search(r"^most frequent mistakes, up to five \(true -> predicted: test digits\): (.*)$", text, flags=re.M)
    assert line or "no mistake appears twice: too few mistakes to rank" in text, "the most frequent mistakes, or why not"
    listed = [(int(n), t, p) for t, p, n in re.findall(r"(\d) -> (\d): (\d+)", line.group(1))] if line else []
    counts = [n for n, *_ in listed]
    assert counts == sorted(counts, reverse=True) and all(n >= 2 for n in counts) and len(listed) <= 5 and all(t != p for _, t, p in listed)
    # this run's last epoch beside the full reference run's
    full = reference("lenet_mnist")["history"]
    fit_cell = next(c for c in executed("06").cells if "model.fit(x_tr" in c.source)
    assert len(re.findall(r"^15/15 - ", text_of(nbformat.from_dict({"cells": [fit_cell]})), flags=re.M)) == 20, "20 epochs of 15 batches"
    logged = re.findall(r"- loss: (\d\.\d+) - val_accuracy: (\d\.\d+)", text_of(nbformat.from_dict({"cells": [fit_cell]})))
    # model.fit's line for each epoch of the full training
    assert "not drawn" not in text and "epochs where validation loss rose" not in text, "three lines under the curves, no more"
    assert abs(float(found.group(1)) - float(logged[-1][0])) <= 6e-4 and abs(float(found.group(3)) / 100 - float(logged[-1][1])) <= 6e-4
    assert found.group(2) == f"{full['loss'][-1]:.3f}" and found.group(4) == f"{100 * full['val_accuracy'][-1]:.1f}", "from its results file"
    record = reference("lenet_mnist")
    per_epoch = -(-record["data"]["split"]["train"] // record["recipe"]["batch_size"])
    steps, full_steps = 15 * len(logged), len(full["loss"]) * per_epoch  # SGD steps: epochs times batches per epoch
    assert (f"this model is lower: its {steps:,} SGD steps on 1,800 digits are {steps / full_steps:.0%} of the reference run's "
            f"{full_steps:,} on {record['data']['split']['train']:,}") in text, "why the quick model is lower, computed"
    val = [float(v) for v in re.findall(r"- val_loss: (\d\.\d+)$", text_of(nbformat.from_dict({"cells": [fit_cell]})), flags=re.M)]
    lowest = val.index(min(val)) + 1
    if lowest == len(val):
        assert "validation loss still falling at the last epoch: no sign of overfitting" in text, "the verdict, as model.fit's lines show"
    else:
        reading = re.search(rf"^validation loss lowest at epoch {lowest} of {len(val)}, then rose by (\d\.\d+)$", text, flags=re.M)
        assert reading and abs(float(reading.group(1)) - (max(val[lowest - 1:]) - min(val))) <= 2e-4, "how far it rose after its lowest"
    assert ("still falling at the last epoch" in text) == (lowest == len(val)), "one verdict, the right one"
    losses = [float(v) for v, _ in logged]
    slow = re.search(r"^the quick run's training loss stayed within 0\.1 of ln 10 for (\d+) of its 20 epochs: each is only 15 plain-SGD "
                     r"steps \(momentum 0\.0\) of learning rate 0\.01; the full run's 422 steps per epoch brought its epoch-1 training "
                     rf"loss down to {full['loss'][0]:.2f}$", text, flags=re.M)
    assert slow and abs(int(slow.group(1)) - sum(v > math.log(10) - 0.1 for v in losses)) <= 1, "why the quick loss barely moves at first"
    ours = [float(v) for _, v in logged]
    kept_line = re.search(r"^kept epoch (\d+) of (\d+): validation accuracy (\d+\.\d)%$", text, flags=re.M)
    assert kept_line and abs(float(kept_line.group(3)) - 100 * max(ours)) <= 0.06, "the kept epoch's accuracy, as a percentage"
    assert int(kept_line.group(1)) == ours.index(max(ours)) + 1 and int(kept_line.group(2)) == len(ours), "the kept epoch, as model.fit's lines show"
    assert "'seed'" not in text
    used = re.search(r"^the 'original' recipe, the settings used here: (.+)$", text, flags=re.M)
    assert used and "learning_rate=0.01" in used.group(1) and "label_smoothing=0.0" in used.group(1)
    assert "SGD: learning rate 0.01, momentum 0.0; loss: label_smoothing 0.0\n" in text, "the three settings the compile prose names"
    assert "peak of the schedule" not in text and "nesterov=False" not in used.group(1)
    assert "one batch of val_ds" not in text and "_PrefetchDataset" not in text
    assert "freeze_bn_scale" not in text and "warmup_start" not in text and "git commit" not in text, "no bookkeeping"


def test_06_says_which_model_it_evaluates_and_titles_the_mistakes_truthfully(executed):
    notebook = executed("06")
    text = text_of(notebook)
    for call in ("plots.heatmap(confusion", "plots.confident_mistakes(", "plots.training_curves("):  # the figures the prose reads are displayed
        cell = next(c for c in notebook.cells if call in c.source)
        assert any("image/png" in o.get("data", {}) for o in cell.outputs), call
    kept = re.search(r"^kept epoch (\d+) of", text, flags=re.M).group(1)
    label = f"the model trained above (lenet_mnist_quick, epoch {kept})"
    keras_line = re.search(rf"^{re.escape(label)}, model\.evaluate on the 1,000 test digits: loss (\d\.\d+), accuracy (\d+\.\d+)% \(95% CI ",
                           text, flags=re.M)
    assert keras_line and len(re.findall(r"95% CI \d", text)) == 1, "Keras' own test score of the model trained above, with its CI, once"
    assert "models/lenet_mnist.keras" not in text and "evaluated (MODEL" not in text, "the quick profile scores its own model"
    assert "code (git commit)" not in text and "what differs" not in text
    assert "training split: 1,800 digits (15 batches per epoch); validation split: 200" in text
    assert re.search(r"^median confidence: \d+\.\d\d% when right, \d+\.\d\d% when wrong$", text, flags=re.M), "same decimals"
    accuracy = float(keras_line.group(2))
    report_accuracy = float(re.search(r"^\s+accuracy\s+(\d\.\d+)\s+1000$", text, flags=re.M).group(1))
    assert abs(accuracy - 100 * report_accuracy) < 0.006, "model.evaluate and the helper's score agree"
    assert 50 < accuracy < 100 * reference("lenet_mnist")["test"]["accuracy"], "weak, but learned (chance is 10%)"
    assert (f"test accuracy, this model on 1,000 digits vs the full reference run on 10,000 (results/lenet_mnist.json): "
            f"{keras_line.group(2)}% vs {reference('lenet_mnist')['test']['accuracy']:.2%}") in text, "the two accuracies, side by side"
    assert "the 95% CI above" not in text, "no verdict on another model"
    # the weakest digit by recall, as the classification report gives it
    recalls = {int(d): float(r) for d, r in re.findall(r"^\s+(\d)\s+\d\.\d+\s+(\d\.\d+)\s+\d\.\d+\s+\d+$", text, flags=re.M)}
    assert sorted(recalls) == list(range(10)), "the report's ten rows"
    weakest = re.search(r"^weakest: digit (\d), recall (\d+\.\d)%, most often taken for (\d(?: or \d)*) \((\d+) times( each)?\)$", text, flags=re.M)
    digit, taken_for, times = int(weakest.group(1)), [int(p) for p in weakest.group(3).split(" or ")], int(weakest.group(4))
    assert recalls[digit] == min(recalls.values()) and abs(float(weakest.group(2)) - 100 * recalls[digit]) <= 0.06
    assert digit not in taken_for and (len(taken_for) > 1) == bool(weakest.group(5)), "its own mistakes, every digit of a tie"
    assert 1 <= times * len(taken_for) <= round((1 - recalls[digit]) * 100), "real mistakes, at most the digit's misses (100 per digit)"
    line = re.search(r"^most frequent mistakes, up to five \(true -> predicted: test digits\): (.*)$", text, flags=re.M)
    from_weakest = [int(n) for t, _, n in re.findall(r"(\d) -> (\d): (\d+)", line.group(1) if line else "") if int(t) == digit]
    assert all(n <= times for n in from_weakest) and (not from_weakest or max(from_weakest) == times), "the same count as the ranking"
    assert f"classification report of {label}:" in text and f"mistakes of {label}:" in text and "NOT" not in text
    mistakes = int(re.search(r"^(\d+) mistakes among 1,000 test digits", text, flags=re.M).group(1))
    assert mistakes == round((100 - accuracy) * 10)
    assert "exact copies" not in text and "most alike" not in text
    assert (ARTIFACTS_DIR / "lenet_mnist_quick.keras").exists()



@pytest.mark.parametrize("overrides", [{}, {"learning_rate": 0.05, "momentum": 0.9, "label_smoothing": 0.1}])
def test_06_page_model_and_compile_equal_the_library(overrides):
    """The page builds and compiles its LeNet itself; helpers.training built and compiled the reference run's.
    The same recipe gives the same layers and parameter count, optimizer and loss (also with settings the page must read)."""
    import keras
    import numpy as np
    from keras import layers

    from helpers import models, recipes, training

    recipe = recipes.get_recipe("original", "lenet", **overrides)
    code = _sources("06", "code")
    namespace = {"keras": keras, "layers": layers, "models": models, "np": np, "recipe": recipe, "SEED": 42}
    exec(next(s for s in code if s.startswith("def lenet():")), namespace)  # noqa: S102 - the page's own code
    page_lenet, library_lenet = namespace["lenet"](), models.lenet()
    assert page_lenet.input_shape == library_lenet.input_shape, "models.lenet(): input shape"
    assert [layer.get_config() for layer in page_lenet.layers] == [layer.get_config() for layer in library_lenet.layers], "models.lenet(): layers"
    exec(next(s for s in code if 'name="lenet_scaled")' in s and "compile_sgd(model)" in s), namespace)  # noqa: S102
    page = namespace["model"]
    library = training.compile_model(training.build_model("lenet", recipe, np.zeros((2, 28, 28), np.uint8)), recipe, 15)
    assert page.input_shape == library.input_shape and page.count_params() == library.count_params() == 1_256_080, "input and parameters"
    configs = [[layer.get_config() for layer in (sub.layers if isinstance(sub, keras.Model) else [sub])] for sub in page.layers]
    assert configs == [[layer.get_config() for layer in (sub.layers if isinstance(sub, keras.Model) else [sub])] for sub in library.layers], "layer configs"
    assert type(page.optimizer) is type(library.optimizer) is keras.optimizers.SGD, "optimizer class"
    for name in ("learning_rate", "momentum", "nesterov"):
        value = getattr(page.optimizer, name)
        assert np.asarray(value) == pytest.approx(np.asarray(getattr(library.optimizer, name))), name
        assert np.asarray(value) == pytest.approx(getattr(recipe, name)), name
    assert type(page.loss) is type(library.loss) is keras.losses.CategoricalCrossentropy, "loss class"
    assert page.loss.get_config()["label_smoothing"] == library.loss.get_config()["label_smoothing"] == recipe.label_smoothing, "label_smoothing"
