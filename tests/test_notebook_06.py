"""Notebook 06_lenet_mnist: executed in the quick profile, checked on what it printed and wrote."""

import math
import re

import nbformat
import pytest

from helpers.paths import ARTIFACTS_DIR
from lab import notebooks, references
from nbtools import reference, text_of


def _sources(prefix: str, kind: str) -> list[str]:
    path = notebooks.notebook_paths([prefix])[0]
    return [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == kind]


def _cells(prefix: str, kind: str) -> str:
    return "\n".join(_sources(prefix, kind))


def test_06_writes_the_training_out_in_keras():
    code = _cells("06", "code")
    for line in ("model.compile(", "keras.optimizers.SGD(learning_rate=recipe.learning_rate", "keras.losses.CategoricalCrossentropy()",
                 'metrics=["accuracy"]', "data.train_val_split(", "keras.utils.to_categorical(", "keras.callbacks.ModelCheckpoint(",
                 "model.fit(x_tr, one_hot(y_tr), batch_size=recipe.batch_size, epochs=recipe.epochs,",
                 "validation_data=(x_val, one_hot(y_val)), callbacks=[keep_best], verbose=2)",
                 "model.evaluate(x_val, one_hot(y_val)", "model.load_weights(run_dir / \"best.weights.h5\")"):
        assert line in code, line
    assert code.count("[..., None]") == 2 and "x_train, x_test = x_train[..., None], x_test[..., None]" in code, "the channel axis, added once"
    code_cells = _sources("06", "code")
    at_compile = next(i for i, s in enumerate(code_cells) if s.startswith("model.compile("))
    assert "one_hot = lambda" not in code and code_cells[at_compile - 1].startswith("def one_hot(labels):") and \
        len(code_cells[at_compile - 1].splitlines()) <= 5, "one_hot in its own small cell, right before the compile call"
    assert "def " not in code_cells[at_compile] and code_cells[at_compile].rstrip().endswith(")"), "the compile cell: only model.compile"
    assert "training.train(" not in code and "training.make_dataset(" not in code, "the lesson's training on the page; the library check is in the tests"
    assert "tf.data" not in code and "import tensorflow" not in code and "steps_per_epoch=" not in code, "plain model.fit on the arrays, no pipeline"
    assert "NBVAL" not in code and "assert " not in code and "np.ma.masked_where" not in code, "no figure plumbing or checks on the page"
    prose = _cells("06", "markdown")
    flat = " ".join(prose.split())
    # LeNet named for the variant it is, the filter explained, the original's differences in one place
    assert "the ReLU/max-pool *20-50-500* variant of LeCun's LeNet-5" in flat
    assert "`Conv2D(20, 5)`" in prose and "`Conv2D(50, 5)`" in flat and "`Dense(500)`" in flat, "the variant's numbers, as in the code"
    assert "which notebook 02 explains" in flat and "where MiniVGGNet stacks two 3x3 ones" in flat, "what 02 taught, pointed to"
    assert "`softmax` turns them into ten probabilities that sum to 1" in flat and "gives ten raw scores, one per class, called *logits*" in flat, "logits and softmax, in one sentence"
    assert "*ReLU* activations" not in flat and "*softmax*" not in prose and "A filter is a small square" not in flat, "no glossary repeating 02"
    assert "LeCun's original was smaller" not in flat and "(convolution, filter, channel" not in flat, "no history or glossary list"
    assert "*receptive field*" not in flat and "layer_table" not in code and "clear_session" not in code, "the net shown once: Keras' summary"
    assert "layer_configs" not in code and "models.lenet()" not in code, "the library equality lives in the tests, not on the page"
    assert "learning rate of 0.01" not in prose and "20 and 50 filters" not in prose, "settings read from the recipe's print"
    # compile, then one plain model.fit on the arrays, all on the page
    assert "plain.fit(" not in code and "clone_model(" not in code, "one training, the plain way: no one-epoch demo on a copy"
    assert code.count(".compile(") == 1 and "compile_sgd" not in code, "compiled once, inline"
    assert code.index("model.compile(") < code.index("model.evaluate(x_val") < code.index("model.fit(x_tr") < code.index(
        "model.evaluate(x_test"), "compile, the untrained check, the training, then the evaluation"
    fit_md = next(s for s in _sources("06", "markdown") if s.startswith("## `model.fit`"))
    assert len(fit_md) < 1400 and "every epoch it shuffles the training digits, cuts them into batches" in fit_md
    assert "`[..., None]`" in _sources("06", "markdown")[2] and "which `one_hot` makes with `keras.utils.to_categorical`" in flat
    assert "tf.data" not in prose and "python -m" not in prose and "pipeline" not in flat, "no pipeline on the page"
    assert "command line" not in flat and "profile" not in flat and "quick" not in flat, "markdown is profile-neutral, no plumbing aside"
    assert "`keras.datasets.mnist.load_data()`: uint8 pixels from 0 to 255, not yet scaled" in flat, "the plain Keras behind data.load"
    assert "# like fit's validation_split=0.1, but a random tenth of each class (Keras takes the last tenth, unshuffled)" in code \
        and "validation_split" not in prose and \
        "rounded to whole digits" not in flat, "the plain Keras behind the split; the output shows the rounding"
    assert "named for the filters of its two convolutions and the units of its hidden dense layer" in flat and "ReLU sets negative values to 0" in flat
    assert "one per digit" not in flat and "per digit" not in flat and "the digit it predicts" not in flat, "digit: an image; class: 0-9"
    assert "the same calls notebook 03 makes for MiniVGGNet" in flat, "the appendix tied to the series"
    assert flat.count("the same on every run of this notebook") == 1 and "every run." not in flat, "the seed's promise, as far as it goes"
    for gone in ("flat_map", "steps_per_epoch", "library's batches", "**Why the rest", "from the pipeline", "plain fit"):
        assert gone not in prose, gone
    assert 'name="lenet_scaled")' in code and "model.summary(expand_nested=True)" in code
    assert "in front of the network, so it, and the saved model, takes raw pixels" in flat and "nesterov" not in code
    assert "can itself be a layer" not in flat and '"image" input' not in flat, "the nested model in one plain sentence"
    assert "the cell counts the batches" in flat and "Which would a person misread too?" not in flat, "no question left unanswered"
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
    baseline, fit, kept = (cells[i].source for i in (fit_at - 2, fit_at, fit_at + 2))
    assert cells[fit_at - 1].cell_type == "markdown" and cells[fit_at - 3].cell_type == "markdown"
    assert "*callback*" in cells[fit_at - 1].source and cells[fit_at + 1].cell_type == "markdown", "what a callback is, before the fit"
    assert all(term in " ".join(cells[fit_at + 1].source.split()) for term in ("batches done / batches per epoch", "so validation can beat training, above all early on")), \
        "how to read the fit log: right after the fit prints it"
    assert "**ln 10" in cells[fit_at - 3].source and cells[fit_at - 3].source.startswith("## `model.fit`"), "the near-chance loss, before its check"
    # the training in three small cells: labels and the untrained check; the callback and fit; the best weights back
    assert baseline.startswith("untrained = model.evaluate(x_val") and "model.evaluate(x_val" in baseline and "model.fit(" not in baseline
    assert fit.startswith("run_dir = ") and "keras.callbacks.ModelCheckpoint(" in fit and "load_weights" not in fit and "one_hot =" not in fit
    assert kept.startswith("model.load_weights(") and 'print(f"kept epoch {best_epoch}' in kept
    assert all(len(cell.splitlines()) <= 5 for cell in (baseline, fit, kept)), "small cells"
    # side topics cut: provenance, hand-measured centring, the derived RF column, a home-made overfitting verdict
    assert "provenance." not in code and "git commit" not in prose, "no record-keeping on the page"
    assert "### Optional: the same as the library" not in prose and "def ends(" not in code and "jump(" not in code and "jumps =" not in code, "side topics moved out"
    assert "wobble" not in code and "noise" not in prose, "no home-made noise measure: the verdict reads the lowest epoch only"
    assert "*Overfitting*, a network learning its training digits at the expense of new ones, shows as validation loss rising" in flat
    assert prose.index("*Overfitting*") < prose.index("## From digits to CIFAR-10")
    assert "A gap alone is normal" in flat and flat.count("so validation can beat training, above all early on") == 1
    assert flat.count("averages over the epoch") == 1, "said once, where the log is read"
    markdown = _sources("06", "markdown")
    at = next(i for i, s in enumerate(markdown) if s.startswith("## `model.compile`"))
    compile_md = markdown[at] + "\n" + markdown[at + 1]  # the loss and one-hot; then the gradient, before the compile cell
    assert "*one-hot*" in markdown[at] and "*gradient*" in markdown[at + 1] and "−ln p(true class)" in markdown[at]
    assert "p = 0.1 gives ln 10, met again below" in " ".join(markdown[at].split()), "the loss tied to the untrained check"
    compile_flat = " ".join(compile_md.split())
    assert len(compile_md) < 1000 and "The recipe also sets *momentum*" in compile_flat and "exercise 3 tries it" in compile_flat
    assert "exercise 3 tries it): 0 turns it off." in compile_flat and "label_smoothing" not in flat and "label_smoothing" not in code
    assert "Rescaling" not in compile_md
    assert "schedule=constant" not in prose and "normalization=unit" not in prose, "the parameters' list: only what the reader sets"
    recount = next(s for s in _sources("06", "code") if s.startswith('net = model.get_layer("lenet")'))
    assert "next(" not in recount and "layer.kernel.shape" in recount, "plain counts from the trained model's own layers, no generator"
    curves = next(s for s in _sources("06", "code") if "plots.training_curves(" in s)
    assert "from_epoch" not in curves and "first =" not in curves and "Epoch 1 is left off" not in prose, "every epoch drawn: the log axis holds them"
    assert "log_loss=True" in curves and "(the two coincide when it is the same epoch)" not in flat
    assert flat.count("dotted") == 1 and "The dotted line is ln 10, the loss of a uniform guess" in flat, "one level: ln 10"
    assert 'marks={f"epoch kept, {best_epoch}": best_epoch}, levels={"a uniform guess, ln 10": np.log(10)})' in curves, \
        "one mark: the kept epoch (the lowest loss is printed); one level: ln 10"
    assert "the green line marks the epoch kept" in flat and "if it is the last, reloading its weights changed nothing" in flat
    assert "If the lowest (printed) is at the last epoch, validation loss is still falling: no overfitting yet, and more epochs might still help." in flat, "the reading, in words"
    drawing = curves[:curves.index("plots.save_figure(")]
    for plumbing in ("axvspan", "axvline", "get_legend", "yscale", "get_ydata"):
        assert plumbing not in curves, f"the library draws it: {plumbing}"
    assert len(drawing.splitlines()) <= 2 and "set_xticks" not in drawing, "the figure code stays short: the library's ticks"
    assert 'print(f"validation loss lowest at epoch {lowest} of {epochs_run}; last epoch: "' in curves, "the numbers, from its history"
    assert not any(" if " in line or " else " in line for line in curves.splitlines() if 'f"' in line), \
        "no verdict built inside an f-string: a named rule, then the printed line"
    for plumbing in ("reference", "DATA", "full_per_epoch", "rise"):
        assert plumbing not in curves, f"the comparison with the reference run is in its own cell: {plumbing}"
    assert "dashed curves" not in flat and "gold band" not in flat, "no sentence about the quick profile's curves in both copies"
    # evaluation and mistakes
    assert any(s.startswith("The *classification report* (as in notebook 04) gives") for s in _sources("06", "markdown"))
    assert "*f1*: one score from the two, low when either is low" in flat and "harmonic" not in flat and "*precision*" in prose and "*recall*" in prose
    assert "print(evaluation.report_text(y_test, probs, DIGIT_NAMES))" in _sources("06", "code"), "own cell"
    assert "mask_diagonal=True" in code and "(correct answers left blank)" in code and "matplotlib.patches" not in code
    assert "set_visible" not in code and "left blank, so every number shown counts mistakes; an off-diagonal cell with no number (and the palest colour) holds none" in flat \
        and "hide_zeros=True" in code, "the words say what the figure shows"
    assert "suptitle" not in code, "no title rewrites on the page"
    assert 'colorbar_label="mistakes (test images)"' in code and "test images (correct answers left blank)" in code and "most_frequent" not in code, "the heatmap shows the frequent mistakes"
    assert "The *confusion matrix* counts" in prose and "## The model's most confident mistakes" in prose
    assert "set_title" not in code and "shipped model's" not in flat, "the matrix and mistakes are this run's model's in both profiles"
    assert "dtype=\"float32\"" not in code and "mixed precision" not in code, "no mixed-precision note: this notebook never uses it"
    assert "used = (" not in code and "older code, another machine" not in prose
    assert "differs from it a little" not in flat and "for run_label, name in" in code
    # the evaluation scores the model trained above: no model switch
    main = next(s for s in _sources("06", "code") if s.startswith("test_scores = model.evaluate("))
    assert "pretrained" not in code and "MODEL" not in code and "evaluated" not in code and "describe_accuracy(accuracy" in main
    assert "scores the shipped model instead" not in flat and "then loads the shipped model" not in flat, "no sentence about one profile only"
    assert "DATA" not in main and "probs = model.predict(x_test, verbose=0)" in main, "evaluate, predict and the score: no profile branch"
    assert "`model.predict` returns each digit's ten probabilities" in flat
    assert "*Wilson's* interval, the usual formula for a share" in flat and "a range built to contain the true accuracy for 95% of test sets" in flat
    assert "inside" not in main and "confidence_interval(" not in main, "no CI verdict on another model: the two accuracies side by side"
    assert "reference = " not in code and "reference[" not in code and "reference_accuracy = references.get(" in code, "one name, one thing"
    # the quick profile and the reference run: one labelled section, after the lesson; the teaching cells hold no profile branch
    sources = _sources("06", "code")
    split_cell = next(s for s in sources if "\n(x_tr, y_tr), (x_val, y_val) = data.train_val_split(" in s)
    compare = next(s for s in sources if s.startswith('reference_accuracy = references.get("lenet_mnist").results()'))
    branches = [line for s in sources for line in s.splitlines() if "DATA ==" in line]
    assert len(branches) == 1 and all(line.startswith('if DATA == "sample":  # quick profile only: ') for line in branches), \
        "the profile branches: visible, labelled, one call each, in lab"
    assert split_cell.splitlines()[-1] == "    references.sample_steps(DATA, recipe, len(x_tr))", "the sample's steps, one line"
    assert next(s for s in sources if "plots.heatmap(confusion" in s).endswith("\nprint(references.reference_darkest(confusion))  # from results/, with this run's counts in those cells")
    chance = next(s for s in sources if "multinomial(off.sum()" in s)
    assert "np.percentile(throws.max(axis=1), 95)" in chance and "references." not in chance, "the chance test, on the page, in both profiles"
    assert [s for s in sources if "reference_accuracy" in s] == [compare], "the reference run, read where it is used"
    assert '.results()["test"]["accuracy"]' in compare and "epoch_seconds" not in compare, "the accuracy read from the record"
    assert compare.splitlines()[-1].startswith("references.beside_reference(history, ") and len(compare.splitlines()) <= 8, \
        "the table and plot beside the reference run in lab, one line, in both profiles"
    assert "keras.saving.load_model(references.get(\"lenet_mnist\").model_path)" in compare and "reference_model.predict(x_test" in compare, \
        "the reference model re-scored on the page"
    assert max(len(line) for line in compare.splitlines()) <= 120, "readable lines"
    assert "evaluation.confidence_interval(accuracy, len(x_test))" in compare, "the full profile reads the gap against this run's CI, printed"
    assert "environment.check(SEED, DATA, trains=True)" in code and "full_run" not in code, "the set-up cell: no reference run"
    setup = next(s for s in sources if s.startswith("environment.check("))
    assert 'recipe = recipes.get_recipe("original", "lenet", epochs=EPOCHS, batch_size=BATCH_SIZE)' in setup and "join(" not in setup
    cells = nbformat.read(notebooks.notebook_paths(["06"])[0], as_version=4).cells
    at = next(i for i, c in enumerate(cells) if c.source == compare)
    compare_md = " ".join(cells[at - 1].source.split())
    assert compare_md.startswith("## This run beside the reference run") and "The *reference run* is the series' own training" in compare_md
    assert "inside this run's 95% CI: if so, the test digits cannot tell the two runs apart" in compare_md, "what the cell prints, announced"
    assert "covers only which test digits were drawn, not the seed or the shuffling" in compare_md and "exercise" not in compare_md
    assert "The library's training code made it; it shuffles and batches the digits its own way" in compare_md, \
        "why the same seed and recipe give another accuracy"
    split_md = next(s for s in _sources("06", "markdown") if s.startswith("## Validation split and SGD steps"))
    assert "reference" not in split_md, "the reference run is read and defined where it is used"
    assert "stratified" not in split_md and "differs from it" not in split_md, "the split section: the split, the steps and the cost before fit"
    assert prose.index("## The model's most confident mistakes") < prose.index("## This run beside the reference run") < prose.index("## Saving")
    remember = next(s for s in _sources("06", "markdown") if s.startswith("## What to remember"))
    assert "this run" not in remember and "small sample" not in remember, "what to remember holds in both profiles"
    assert "scores about the loss of a uniform guess" in remember and "lowest at the last epoch: no overfitting seen" in " ".join(remember.split())
    assert remember.count("\n- ") == 5 and not any(ch.isdigit() for ch in remember), "five conceptual lines, no numbers"
    assert prose.index("## What to remember") < prose.index("## Exercises")
    assert "`evaluation.score` turns them into the confusion matrix" in flat
    # the exercises: how to score mirrored digits, exercise 4 as code with its imports
    exercises = next(s for s in _sources("06", "markdown") if s.startswith("## Exercises"))
    assert "`x_test[:, :, ::-1]` flips each digit left to right" in exercises
    assert "model.predict(x_test[:, :, ::-1], verbose=0), DIGIT_NAMES)" in exercises and "the `recipes.get_recipe(...)` line" in exercises
    assert "(built for 32x32 colour images)" not in exercises and "the LeNet above takes 28x28 grey digits" in " ".join(exercises.split())
    assert "```python" in exercises and "from helpers import training" in exercises and "from helpers.data import CLASS_NAMES" in exercises
    assert "training" not in re.sub(r"#.*", "", _sources("06", "code")[1]), "training imported by the exercise that uses it"
    assert code.count('references.get("lenet_mnist").results()') == 1, "the reference run's record, read once"
    assert code.count('references.get("lenet_mnist").model_path') == 1, "its trained model, loaded once"
    assert "The notebooks do not train LeNet on CIFAR-10; exercise 4 does." in flat
    assert "`RUN_NAME` names the files" in flat and '`"full"` uses all of MNIST' in flat and "`BATCH_SIZE`" in flat, "every parameter explained"
    assert "a long run on a CPU" in flat and "how far below the reference run's does the test accuracy fall" in flat
    assert 'title = f"Ten random training digits of each class' in code and "title=title)" in code


def test_06_trains_and_says_how_far_it_got(executed):
    text = text_of(executed("06"))
    assert "train per class: [200, 200, 200, 200, 200, 200, 200, 200, 200, 200] (the same count for every class)" in text and "train: (2000, 28, 28, 1) uint8" in text
    assert all(re.search(rf"└ {name} \(\S*?{kind}", text) for name, kind in (("conv1", "Conv2D"), ("softmax", "Activation"))), \
        "the nested summary lists LeNet's layers"
    assert "Model: \"lenet_scaled\"" in text and re.search(r"Total params: \S*?1,256,080", text), "Keras' own summary"
    assert "mult-adds" not in text, "one table of the net: Keras' summary"
    first = re.search(r"^the label (\d), one-hot: \[([01, ]+)\]$", text, flags=re.M)
    assert first and [int(v) for v in first.group(2).split(", ")] == [int(d == int(first.group(1))) for d in range(10)]
    assert "fc alone holds 1,225,500 of the 1,256,080 parameters (97.6%)" in text
    assert "conv1: kernel (5, 5, 1, 20): 500 weights + 20 biases = 520 params" in text
    assert "fc: kernel (2450, 500): 1,225,000 weights + 500 biases = 1,225,500 params" in text
    untrained = re.search(r"^before training, on the 200 validation digits: loss (\d\.\d+) \(ln 10 = 2\.303\), "
                          r"accuracy (\d+\.\d)%$", text, flags=re.M)
    assert untrained and abs(float(untrained.group(1)) - math.log(10)) < 0.05, "the untrained network's loss, near ln 10 as the prose says"
    assert "last epoch, this run vs" not in text and "uniform guess (1/" not in text, "the comparisons, in their own section"
    assert "one validation digit is" not in text and "between epochs in the second half" not in text, "no noise measure"
    assert "validation share" not in text, "val_fraction printed once, with the settings"
    assert "min on a" not in text and "the full MNIST has" not in text, "no cost line; the sizes in the shapes and the table"
    assert SAMPLE_STEPS in text, "why the sample's batch size, from the numbers"
    assert "validation digits per class: [20, 20, 20, 20, 20, 20, 20, 20, 20, 20]" in text, "a tenth of each class"
    assert "most frequent mistakes" not in text, "the heatmap shows them"
    fit_cell = next(c for c in executed("06").cells if "model.fit(x_tr" in c.source)
    fit_text = text_of(nbformat.from_dict({"cells": [fit_cell]}))
    assert len(re.findall(r"^57/57 - ", fit_text, flags=re.M)) == 20, "20 epochs of 57 batches (batch size 32 on 1,800 digits)"
    logged = re.findall(r"- loss: (\d\.\d+) - val_accuracy: (\d\.\d+)", fit_text)
    losses = [float(v) for v, _ in logged]
    assert losses[-1] < 0.5 < math.log(10) - 0.1 < losses[0], "the quick run gets well past the ln 10 plateau"
    assert "not drawn" not in text and "epochs where validation loss rose" not in text, "one line under the curves, no more"
    val = [float(v) for v in re.findall(r"- val_loss: (\d\.\d+)$", fit_text, flags=re.M)]
    lowest = val.index(min(val)) + 1
    last = re.search(rf"^validation loss lowest at epoch {lowest} of {len(val)}; last epoch: "
                     r"training loss (\d\.\d+), validation loss (\d\.\d+)$", text, flags=re.M)
    assert last and abs(float(last.group(2)) - val[-1]) < 0.0015 and abs(float(last.group(1)) - losses[-1]) < 0.0015
    ours = [float(v) for _, v in logged]
    kept_line = re.search(r"^kept epoch (\d+) of (\d+): validation accuracy (\d+\.\d\d)%$", text, flags=re.M)
    assert kept_line and abs(float(kept_line.group(3)) - 100 * max(ours)) <= 0.006, "the kept epoch's accuracy, as model.fit's line gives it"
    assert int(kept_line.group(1)) == ours.index(max(ours)) + 1 and int(kept_line.group(2)) == len(ours), "the kept epoch, as model.fit's lines show"
    assert "'seed'" not in text
    used = re.search(r"^settings used here \(the 'original' recipe, with EPOCHS and BATCH_SIZE applied\): (.+)$", text, flags=re.M)
    assert used and used.group(1) == "epochs 20, batch_size 32, learning_rate 0.01, momentum 0.0, val_fraction 0.1", "the quick profile's settings"
    assert "label_smoothing" not in text and "peak of the schedule" not in text and "nesterov" not in text
    assert "one batch of val_ds" not in text and "_PrefetchDataset" not in text
    assert "freeze_bn_scale" not in text and "warmup_start" not in text and "git commit" not in text, "no bookkeeping"
    # this run beside the reference run: each number read from results/lenet_mnist.json
    record = reference("lenet_mnist")
    full, split, test = record["history"], record["data"]["split"], record["test"]
    import numpy as np
    assert "this run beside the reference run (the figure below draws both runs' curves):\n" in text, "the table, announced"
    cell = r"(\S+(?: of \S+)?)"
    table = {name: f"{a}  {b}" for name, a, b in re.findall(rf"^([A-Za-z ]+?) {{2,}}{cell} +{cell}$", text, flags=re.M)}
    rows = {"training digits": ("1,800", f"{split['train']:,}"), "batch size": ("32", f"{record['recipe']['batch_size']}"),
            "SGD steps": (f"{57 * len(logged):,}", f"{len(full['loss']) * -(-split['train'] // record['recipe']['batch_size']):,}"),
            "test mistakes": (re.search(r"^(\d+) mistakes among 1,000 test digits", text, flags=re.M).group(1) + " of 1,000",
                              f"{test['images'] - int(np.trace(test['confusion_matrix'])):,} of {test['images']:,}"),
            "last validation accuracy": (f"{100 * ours[-1]:.2f}%", f"{full['val_accuracy'][-1]:.2%}"),
            "digits seen in all epochs": (f"{1800 * len(logged):,}", f"{len(full['loss']) * split['train']:,}")}
    for name, (mine, theirs) in rows.items():
        assert table.get(name, "").split("  ") == [mine, theirs], (name, table.get(name))
    gap = 100 * test["accuracy"] - float(re.search(r"^test accuracy, this run vs the reference run: (\d+\.\d+)%", text, flags=re.M).group(1))
    steps = len(full["loss"]) * -(-split["train"] // record["recipe"]["batch_size"]) / (57 * len(logged))
    # the reference model scored on this run's own 1,000 test digits: the gap on the same digits
    import keras
    from helpers import data
    _, (x_t, y_t) = data.load("mnist", "sample")
    model = keras.saving.load_model(references.get("lenet_mnist").model_path)
    ref_here = float(np.mean(model.predict(x_t[..., None], verbose=0).argmax(1) == y_t))
    ours_here = test["accuracy"] - gap / 100
    assert f"on this run's 1,000 test digits, the reference model scores {ref_here:.2%} (this run: {ours_here:.2%})\n" in text
    from helpers.evaluation import confidence_interval
    reading = (f"this run scores {100 * (ref_here - ours_here):.1f} percentage points lower on the same test digits (the next "
               "lines compare the runs at about equal steps)"
               if ours_here < confidence_interval(ref_here, 1000)[0] else "yet on its 1,000 test digits the two cannot be told apart")
    assert re.search(rf"^this run learned from {split['train'] / 1800:.0f}x fewer training digits in {steps:.1f}x fewer SGD steps "
                     rf"\([\d,]+ against [\d,]+\) of 4x smaller batches: {re.escape(reading)}$", text, flags=re.M), \
        "why the sample run scores lower, measured on the same test digits"
    from helpers.evaluation import confidence_interval
    low, high = confidence_interval(test["accuracy"] - gap / 100, 1000)  # this run's accuracy, as printed
    assert ("inside this run's 95% CI\n" in text) == (low <= test["accuracy"] <= high), "the verdict, a word the markdown reads"
    assert ("outside this run's 95% CI\n" in text) == (test["accuracy"] > high), "the verdict follows this run's CI"
    assert "QUICK PROFILE (DATA = \"sample\")" in text and "Numbers marked as read from results/" not in text, "the banner, without the reference run"
    sparse = re.search(r"^If (\d+) mistakes fell at random over the 90 cells, the fullest cell would hold at most (\d+) in 95% "
                       r"of the throws\.\nThe darkest cell here holds (\d+): (.+)\.$", text, flags=re.M)
    assert sparse and sparse.group(1) == re.search(r"^(\d+) mistakes among 1,000", text, flags=re.M).group(1), "the sample's matrix, read"
    margin = int(sparse.group(3)) - int(sparse.group(2))
    assert sparse.group(4) == ("within what chance alone gives, so no cell stands out" if margin <= 0 else
                               f"above chance, but only by {margin}: a weak pattern" if margin <= 2 else
                               f"it stands out, by {margin}"), "the verdict follows the numbers"
    read = re.search(r"^last epoch: training accuracy ([\d.]+)%, validation ([\d.]+)%: a gap of .+\nvalidation's 95% CI on its 200 "
                     r"digits: ([\d.]+)%-([\d.]+)%; training accuracy ([\d.]+)% lies (.+)$", text, flags=re.M)
    assert read and float(read.group(3)) <= float(read.group(2)) <= float(read.group(4)), "the gap read against validation's CI"
    assert read.group(5) == read.group(1), "training accuracy beside validation's CI, for the markdown's rule"
    train, low, high = (float(read.group(k)) for k in (5, 3, 4))
    assert read.group(6) == ("above it: the gap is more than chance" if train > high else
                             "inside it: the gap may be chance" if train >= low else "below it"), "the verdict follows the CI"
    assert re.search(rf"; if this run's {sparse.group(1)} mistakes fell as the reference's did, each of those cells would hold "
                     r"about \d+\.\d, and this run has \d+( and \d+)*: (it does not repeat|it repeats|too few mistakes to tell whether it "
                     r"repeats) the reference's confusions$",
                     text, flags=re.M), \
        "this run's counts in the reference's cells, on its own number of test digits"


def test_06_reads_its_confusion_matrix_and_counts_validation_ahead_of_training(executed):
    text = text_of(executed("06"))
    logged = re.findall(r" - accuracy: ([\d.]+) - loss: [\d.]+ - val_accuracy: ([\d.]+) - ", text)
    assert len(logged) == 20, "one log line per epoch"
    ahead = [str(k + 1) for k, (t, v) in enumerate(logged) if float(v) > float(t)]
    assert f"validation accuracy above training accuracy in {len(ahead)} of 20 epochs: {', '.join(ahead) or 'none'}\n" in text, \
        "the epochs the markdown announces"
    read = re.search(r"^darkest cells? \((\d+) of (\d+) mistakes(?: each)?\): (true \d predicted \d(?: and true \d predicted \d)*); "
                     r"digit with the most mistakes: (\d \((\d+) of its (\d+)\)(?: and \d \(\d+ of its \d+\))*)$", text, flags=re.M)
    assert read and all(t != p for t, p in re.findall(r"true (\d) predicted (\d)", read.group(3))), "off-diagonal cells"
    darkest, mistakes, most, row = (int(read.group(k)) for k in (1, 2, 5, 6))
    assert f"{mistakes} mistakes among 1,000 test digits" in text, "the same mistakes as the count below the figure"
    assert 0 < darkest <= most <= row == 100 and mistakes >= most, "a cell within its row, a row within all mistakes"


SAMPLE_STEPS = ("With batch size 32 (BATCH_SIZE), an epoch on 1,800 digits is 57 SGD steps, 1,140 in the 20 epochs; the original "
                "recipe's 128 would give 15, 300 in all.\nOn so few digits the smaller batch buys more steps: the fit log below shows "
                "how far the network gets after each epoch of 57 steps.\n")


def test_06_reference_notes_read_no_gap_inside_the_ci_and_sample_notes_stay_silent_on_the_full_data(capsys):
    """The comparison with the reference run reads a gap only when this run's CI excludes the reference run's
    accuracy, and reads the same digits and steps as noise; the sample's notes print nothing on the full data."""
    import matplotlib.pyplot as plt

    from helpers import recipes
    import numpy as np

    from helpers.evaluation import confidence_interval
    from lab.references import beside_reference, reference_darkest, sample_steps

    record = reference("lenet_mnist")
    history = {key: values[:3] for key, values in record["history"].items()}
    quick, usual = recipes.get_recipe("original", "lenet", batch_size=32), recipes.get_recipe("original", "lenet")
    import keras
    from helpers import data
    _, (x_t, y_t) = data.load("mnist", "sample")
    x_t = x_t[..., None]
    model = keras.saving.load_model(references.get("lenet_mnist").model_path)
    ref_here = float(np.mean(model.predict(x_t, verbose=0).argmax(1) == y_t))
    for accuracy, verdict in ((ref_here - 0.005, "the two cannot be told apart"), (ref_here - 0.05, "points lower on the same test digits")):
        plt.close(beside_reference(history, quick, 1800, 200, 1000, accuracy, ref_here))
        out = capsys.readouterr().out
        assert verdict in out.splitlines()[-4], verdict
        per, at = -(-record["data"]["split"]["train"] // record["recipe"]["batch_size"]), -(-3 * 57 // 422)
        low, high = confidence_interval(history["val_accuracy"][-1], 200)
        theirs = record["history"]["val_accuracy"][at - 1]
        lines = out.splitlines()
        assert lines[-3] == (f"at about equal steps: the reference run, after {at * per:,} SGD steps (its epoch {at}, the first at "
                             f"or past this run's 171), had a validation accuracy of {theirs:.2%} on its "
                             f"{record['data']['split']['validation']:,} validation digits"), "at about equal steps"
        held = low <= theirs <= high
        assert lines[-2] == (f"this run's last validation accuracy, {history['val_accuracy'][-1]:.2%} on its own 200, has a 95% CI "
                             f"of {low:.1%}-{high:.1%}, {'which holds' if held else 'which misses'} the reference's {theirs:.2%}")
        assert lines[-1] == ((f"so at about equal steps {'the reference run' if theirs > high else 'this run'} was already ahead")
                             if not held else "so at about equal steps these validation digits cannot tell the two runs apart"), \
            "171 steps: no reference epoch ends within them, so no earlier comparison"
        assert f"test mistakes{'':<13}{f'{round((1 - accuracy) * 1000)} of 1,000':>14}" in out, "mistakes from the accuracy"
    # 20 epochs of 57 steps: the reference's epochs 1 and 2 end within them, and it is above this run's curve there
    slow = {key: [0.5] * 19 + [0.94] if key.startswith("val_acc") or key == "accuracy" else [1.0] * 20 for key in history}
    plt.close(beside_reference(slow, quick, 1800, 200, 1000, ref_here - 0.05, ref_here))
    lines = capsys.readouterr().out.splitlines()
    first_two = record["history"]["val_accuracy"][:2]
    assert all(v > confidence_interval(0.5, 200)[1] for v in first_two), "the reference's first epochs beat 50% beyond its CI"
    assert lines[-2] == ("earlier, at the 2 reference epochs that end within this run's 1,140 steps, the reference was above "
                         "this run's 95% CI at 2 of them (this run's accuracy read off its curve at the same step)")
    assert lines[-1] == ("so at about equal steps the reference was ahead at 2 of those 2 epochs; at this run's last epoch (its "
                         "1,140 steps against the reference's 1,266) these 200 validation digits are too few to tell the two "
                         "runs apart"), "held at the end, ahead before"
    sample_steps("sample", quick, 1800)
    assert capsys.readouterr().out == SAMPLE_STEPS
    full = np.array(record["test"]["confusion_matrix"]) * (1 - np.eye(10, dtype=int))
    assert reference_darkest().startswith(f"the reference run's darkest cells ({full.max()} of its {full.sum()} mistakes each): true ")
    tied = int((full == full.max()).sum())  # the reference's own matrix holds its darkest count in each of its darkest cells
    cells = " and ".join(f"true {t} predicted {p}" for t, p in zip(*np.nonzero(full == full.max())))
    counts = " and ".join([str(full.max())] * tied)
    assert reference_darkest(record["test"]["confusion_matrix"]).endswith(
        f"; this run holds {counts} there, and the reference holds {counts} in this run's darkest ({cells}); heavy in both runs "
        f"(at least half the reference's count here): {cells}")
    darkest = list(zip(*np.nonzero(full == full.max())))
    for other, count, said in ((300, 0, "it does not repeat the reference's confusions"),
                               (300, 20, "it repeats the reference's confusions"),
                               (30, 1, "too few mistakes to tell whether it repeats the reference's confusions")):
        some = np.eye(10, dtype=int) * 100  # 1,000 right, `other` mistakes elsewhere and `count` in each of the reference's darkest
        some[1][2] = other
        for t, p in darkest:
            some[t][p] = count
        expected = full.max() * some.sum(where=~np.eye(10, dtype=bool)) / full.sum()
        assert reference_darkest(some).endswith(
            f"; if this run's {other + count * tied} mistakes fell as the reference's did, each of those cells would hold about "
            f"{expected:.1f}, and this run has {' and '.join([str(count)] * tied)}: {said}"), \
            "on another number of test digits: this run's counts against the reference's share"
    sample_steps("sample", quick, 1800)
    assert capsys.readouterr().out == SAMPLE_STEPS
    full_run = {key: values for key, values in record["history"].items()}  # the reference's own digits and steps
    plt.close(beside_reference(full_run, usual, record["data"]["split"]["train"], record["data"]["split"]["validation"], 10000,
                               record["test"]["accuracy"] - 0.0011,
                               record["test"]["accuracy"]))
    reading, curves = capsys.readouterr().out.splitlines()[-2:]
    assert reading == (
        "the same training digits and SGD steps: the runs differ in their random draws (the reference run's code shuffles "
        "its own way) and machine, and their test accuracies by 0.11 points: a scale of run-to-run noise"), "the full data's reading"
    assert curves == ("their validation accuracies lie within 0.00 points of each other at every epoch, within 0.00 after the "
                      "first: in the figure their curves nearly coincide"), "how close the curves are, measured"
    sample_steps("full", quick, 54001), sample_steps("sample", usual, 1800)
    assert capsys.readouterr().out == "", "nothing printed outside the sample, nor with the recipe's batch size"


def test_06_says_which_model_it_evaluates_and_titles_the_mistakes_truthfully(executed):
    notebook = executed("06")
    text = text_of(notebook)
    for call in ("plots.heatmap(confusion", "plots.confident_mistakes(", "plots.training_curves(history, f\"LeNet on MNIST ({RUN_NAME})",
                 "references.beside_reference("):  # the figures the prose reads are displayed (the last: the comparison)
        cell = next(c for c in notebook.cells if call in c.source)
        assert any("image/png" in o.get("data", {}) for o in cell.outputs), call
    assert "PosixPath" not in text, "save_figure's return value not shown"
    keras_line = re.search(r"^model\.evaluate on the 1,000 test digits: loss (\d\.\d+), accuracy (\d+\.\d+)% \(95% CI ", text, flags=re.M)
    assert keras_line and len(re.findall(r"95% CI \d", text)) == 1, "Keras' own test score of the model trained above, with its CI, once"
    assert "models/lenet_mnist.keras" not in text and "evaluated (MODEL" not in text, "the quick profile scores its own model"
    assert "code (git commit)" not in text and "what differs" not in text
    assert "training split: 1,800 digits (57 batches per epoch); validation split: 200" in text
    assert re.search(r"^median confidence: \d+\.\d\d% when right, \d+\.\d\d% when wrong$", text, flags=re.M), "same decimals"
    accuracy = float(keras_line.group(2))
    report_accuracy = float(re.search(r"^\s+accuracy\s+(\d\.\d+)\s+1000$", text, flags=re.M).group(1))
    assert abs(accuracy - 100 * report_accuracy) < 0.006, "model.evaluate and the helper's score agree"
    assert 85 < accuracy < 100 * reference("lenet_mnist")["test"]["accuracy"], "short, but trained past the plateau (chance is 10%)"
    assert (f"test accuracy, this run vs the reference run: {keras_line.group(2)}% vs {reference('lenet_mnist')['test']['accuracy']:.2%}"
            in text), "the two accuracies, side by side, the reference run's read from results/"
    assert "the 95% CI above" not in text, "no verdict on another model"
    assert "weakest:" not in text, "the classification report names the weakest digit"
    assert "classification report of" not in text and "mistakes of the model" not in text and "NOT" not in text
    mistakes = int(re.search(r"^(\d+) mistakes among 1,000 test digits", text, flags=re.M).group(1))
    assert mistakes == round((100 - accuracy) * 10)
    assert "exact copies" not in text and "most alike" not in text
    assert (ARTIFACTS_DIR / "lenet_mnist_quick.keras").exists()



@pytest.mark.parametrize("overrides", [{}, {"learning_rate": 0.05, "momentum": 0.9, "batch_size": 32}])
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
    exec(next(s for s in code if 'name="lenet_scaled")' in s), namespace)  # noqa: S102
    exec(next(s for s in code if s.startswith("model.compile(")), namespace)  # noqa: S102
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
    assert page.loss.get_config()["label_smoothing"] == library.loss.get_config()["label_smoothing"] == recipe.label_smoothing == 0, \
        "the page's loss has no label smoothing: the LeNet recipe must not set one"


def test_the_confusion_heatmap_prints_no_zero_and_keeps_every_other_count():
    """hide_zeros (notebook 06's matrix): the empty cells print nothing, every other off-diagonal cell its count."""
    import matplotlib.pyplot as plt
    import numpy as np

    from helpers import plots

    matrix = np.array([[5, 0, 2], [0, 7, 11], [3, 0, 9]])
    fig = plots.heatmap(matrix, ["a", "b", "c"], "t", fmt="d", mask_diagonal=True, hide_zeros=True)
    shown = sorted(t.get_text() for t in fig.axes[0].texts if t.get_text())
    plt.close(fig)
    assert shown == sorted(["2", "11", "3"]), shown
    fig = plots.heatmap(matrix, ["a", "b", "c"], "t", fmt="d", mask_diagonal=True)
    assert sorted(t.get_text() for t in fig.axes[0].texts) == sorted(["0", "2", "0", "11", "3", "0"])
    plt.close(fig)
