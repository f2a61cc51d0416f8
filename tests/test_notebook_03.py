"""Notebook 03_training: the Keras that trains is on the page, each piece equal to the library's (run from the
page's own cells), and what the quick profile printed and wrote is what the page says."""

import json
import re

import pytest

from helpers import recipes
from helpers.paths import ARTIFACTS_DIR, BUILD_DIR
from nbtools import text_of


def quick_epochs():
    """EPOCHS of notebook 03's quick profile (notebooks/params/quick.yml)."""
    from lab import notebooks

    return notebooks.profile_parameters("quick", notebooks.notebook_paths(["03"])[0])["EPOCHS"]


def test_03_writes_the_training_out_and_each_piece_equals_the_library(executed):
    text = text_of(executed("03"))
    assert "reloaded model gives the same predictions: True" in text
    assert re.search(r"\d+ batches per epoch; one batch: images \(64, 32, 32, 3\) float32 \(pixel values \d+ to \d+\), "
                     r"labels \(64, 10\)", text), "a batch of the pipeline, as the model receives it"
    last = re.search(r"^the last batch of an epoch holds the (\d+) images left over: ([\d,]+) = (\d+) x 64 \+ \1$", text, flags=re.M)
    assert last and 0 < int(last.group(1)) <= 64 and int(last.group(2).replace(",", "")) == int(last.group(3)) * 64 + int(last.group(1))
    precision = re.search(r"Training on .* in (\w+), XLA", text).group(1)  # what the device line says it chose
    compute = {"float32": "float32", "mixed_bfloat16": "bfloat16", "mixed_float16": "float16"}[precision]
    assert f"the model computes in {compute} (weights in float32)" in text, "clear_session() must not undo the choice"
    padding = recipes.get_recipe("improved").crop_padding
    assert f"crop_padding = {padding}: shifts of up to {padding} pixels" in text, "the demo shows the recipe's padding"
    assert re.search(r"this run: [\d.]+ minutes of training, a median \d+ images/s on the CPU in \w+", text)
    from helpers.paths import read_results
    reference = read_results("minivggnet_improved_val")
    epochs = quick_epochs()
    this = re.search(rf"this run: best epoch (\d+) of {epochs}, validation accuracy ([\d.]+)", text)
    ref = re.search(r"reference run: best epoch (\d+) of (\d+), validation accuracy ([\d.]+) "
                    r"\(results/minivggnet_improved_val.json\)", text)
    assert this and ref, "this run and the reference, their best epochs on parallel lines"
    assert "this run minus the reference run" not in text, "the sample differs from the reference in data: no difference"
    history = reference["history"]["val_accuracy"]
    assert float(ref.group(3)) == round(max(history), 4) and f"after {epochs} epochs" not in text, "no partial reference"
    assert int(ref.group(1)) == reference["best_epoch"] and int(ref.group(2)) == reference["epochs_run"]
    assert float(this.group(2)) > 0.3, "the quick run learns: validation accuracy well above chance (10%)"
    assert f"validation accuracy {this.group(2)} (a guess among 10 classes scores 0.1000)" in text, "chance beside it"
    assert "margin" not in text, "both runs are scored on the same validation images: no two-sample margin"
    whitening = re.search(r"the (\d+) whitening filters' outputs have variances ([\d.]+) to ([\d.]+); the largest "
                          r"correlation between two of them is ([\d.]+)", text)
    assert "these filters are the library's (training.whitening_filters): True" in text
    assert whitening and whitening.group(1) == "16" and 0.7 <= float(whitening.group(2)) <= float(whitening.group(3)) <= 1.3
    assert float(whitening.group(4)) < 0.15, "what the page says of the whitened filters: variance about 1, uncorrelated"
    split = reference["data"]["split"]
    assert (f"reference run (results/minivggnet_improved_val.json): {reference['epochs_run']} epochs on "
            f"{split['train']:,} images ({split['validation']:,} held out for validation)") in text, "from its results file"
    assert not re.search(r"^reference run: [\d.]+ minutes", text, flags=re.M), \
        "no speed of another session beside this run's: the only speed comparison is the benchmark's, timed in turn"
    bench = read_results("benchmark")
    precisions = re.search(r"^results/benchmark.json, both precisions timed in turn, (\d+) rounds on one (.+): mixed_bfloat16 "
                           r"trained at a median ([\d.]+)x float32's speed \(its rounds: ([\d.]+)x to ([\d.]+)x\)$", text, flags=re.M)
    assert precisions, "the precisions' speeds, timed in turn, beside the runs' own"
    ratio = bench["bf16_over_float32"]
    assert precisions.groups() == (str(ratio["rounds"]), bench["machine"]["cpu"], f"{ratio['median']:.2f}",
                                   f"{ratio['low']:.2f}", f"{ratio['high']:.2f}"), "the median and its spread, on the page"
    seconds = [float(v) for v in re.search(r"^epoch 1 took (\d+) s, the tracing included; the later epochs (\d+) to (\d+) s$",
                                           text, flags=re.M).groups()]
    logged = json.loads((ARTIFACTS_DIR / "minivggnet_quick.json").read_text())["history"]["epoch_seconds"]
    assert seconds == [round(logged[0]), round(min(logged[1:])), round(max(logged[1:]))], "the epochs' times, as recorded"
    assert (f"({split['validation']:,} held out for validation), in {reference['device']['precision']} on one "
            f"{reference['machine']['cpu']}\n") in text, "the reference's arithmetic, which the markdown names"
    assert re.search(r"computed from ([\d,]+) of the \1 training images \(at most 5,000 are used\)", text), "the sample: all"
    speed_at = re.search(r"this run: [\d.]+ minutes of training", text).start()
    assert text.index("this run: best epoch") < text.index("the two differ in data, so their difference says nothing") < \
        speed_at, "the result and its caveat first, then (advanced) the speeds"
    yardstick = re.findall(r"(?:unfiltered|glorot_uniform\)): variances ([\d.]+) to ([\d.]+); the largest correlation "
                           r"between two of them is ([\d.]+)", text)
    assert len(yardstick) == 2 and all(float(c) > float(whitening.group(4)) for *_, c in yardstick), "whitening decorrelates"
    kept = re.search(r"^model.fit returned a History: fit_history.history holds (.+), one value per epoch this process "
                     r"trained \((\d+)\)$", text, flags=re.M)
    assert kept and set(kept.group(1).split(", ")) >= {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert int(kept.group(2)) == epochs, "a run from the start: fit's History holds every epoch"
    assert "test images" not in text, "the page never uses the test set: its quick banner prints no test accuracy"
    assert "a uniform guess scores a loss of ln 10 = 2.303; with label smoothing 0.1 the lowest possible loss is 0.500" in text
    record = json.loads((ARTIFACTS_DIR / "minivggnet_quick.json").read_text())
    assert record["epochs_run"] == epochs and record["params"] == 2_171_178
    assert (ARTIFACTS_DIR / "minivggnet_quick.keras").exists()
    fit_lines = [line for line in text.splitlines() if "val_accuracy:" in line]
    assert len(fit_lines) == epochs and not any("epoch_seconds" in line or "lr:" in line for line in fit_lines), \
        "compact model.fit lines"
    assert list((BUILD_DIR / "tensorboard" / "minivggnet_quick").rglob("events.out.tfevents.*")), "TensorBoard logs"
    gaps = re.findall(r"^(this run|reference run, full data): (.+)\n  epochs (\d+) to (\d+): gap ([+-][\d.]+) -> ([+-][\d.]+), "
                      r"validation ([\d.]+) -> ([\d.]+) \(last epoch's training accuracy ([\d.]+)\)$", text, flags=re.M)
    assert [name for name, *_ in gaps] == ["this run", "reference run, full data"], "this run, then the whole reference"
    assert all(abs(float(train) - float(val) - float(gap)) < 2e-4 for *_, gap, _, val, train in gaps), "train - val = gap"
    assert float(gaps[1][7]) == round(history[-1], 4), "the reference's last epoch"
    readings = [(first, last, *numbers, reading) for _, reading, first, last, *numbers, _ in gaps]  # the verdict first
    worked = re.findall(r"^  noise = 2 \* sqrt\(2 \* ([\d.]+) \* ([\d.]+) / ([\d,]+)\) = ([\d.]+)$", text, flags=re.M)
    assert len(worked) == 2 and all(abs(2 * (2 * float(p) * float(q) / int(n.replace(",", ""))) ** 0.5 - float(noise)) < 2e-4
                                    and float(p) == float(val) for (p, q, n, noise), (*_, val, _) in zip(worked, gaps)), \
        "each run's noise worked out from its last validation accuracy"
    assert epochs >= 6, "both runs' gaps are read from their middle epoch to their last"
    trained = re.search(r"^training on ([\d,]+) images", text, flags=re.M).group(1)
    assert f"this run trained on a sample ({trained} images, the reference {split['train']:,}): " in text, "rule B"
    images = [int(re.search(r"validating on ([\d,]+)", text).group(1).replace(",", "")), split["validation"]]
    for (first, last, gap_start, gap_end, val_start, val_end, reading), length, n in zip(
            readings, (epochs, reference["epochs_run"]), images):
        assert int(last) == length and int(first) == (length - 1) // 2 + 1
        noise = 2 * (2 * float(val_end) * (1 - float(val_end)) / n) ** 0.5  # two standard errors of a change on n images
        widened, rose = float(gap_end) - float(gap_start), float(val_end) - float(val_start)
        if min(abs(abs(widened) - noise), abs(abs(rose) - noise)) < 0.002:  # too close to call from printed numbers
            continue
        if abs(widened) < noise or (widened > 0 and abs(rose) < noise):  # the sample's noise: no verdict
            hidden = [(what, value) for what, value in (("the gap's", widened), ("validation's", rose)) if abs(value) < noise]
            printed = re.fullmatch(r"too few validation images to tell: (.+) (?:is|are) under the noise, ([\d.]+) on "
                                   + f"{n:,}" + r" images", reading)
            assert printed and abs(float(printed.group(2)) - noise) < 2e-4, reading
            named = re.findall(r"(the gap's|validation's) change ([+-][\d.]+)", printed.group(1))
            assert [what for what, _ in named] == [what for what, _ in hidden], ("every change under the noise, named", reading)
            assert all(abs(float(shown) - value) < 2e-4 for (_, shown), (_, value) in zip(named, hidden))
            continue
        assert reading == ("training gained on validation, which did not rise: overfitting is setting in"
                           if widened > 0 and rose < 0 else "training gained on validation, which still rose: no harm yet"
                           if widened > 0 else "training did not gain on validation: no sign of overfitting"), reading


def test_03_prints_the_fields_its_recipe_uses_with_their_sections(executed):
    """The recipe table has one row per field the improved recipe uses (recipes.describe), each with its
    value (an overridden one beside the recipe's own) and the section of the page that explains it."""
    text = text_of(executed("03"))
    table = re.split(r"^Training on ", text.split("value            the section that explains it", 1)[1], flags=re.M)[0]
    rows = {name: (value, rest) for name, value, rest in re.findall(r"^ *(\w+)  (\S+(?: \(recipe: \S+\))?) +(.*)$",
                                                                    table, flags=re.M)}
    described = recipes.describe(recipes.get_recipe("improved", epochs=quick_epochs()))
    assert list(rows) == [name for name, *_ in described] and "momentum" not in rows and "experimental" not in table
    for name, value, where, meaning in described:
        assert rows[name][1] == where, (name, rows[name])
    own = recipes.get_recipe("improved").epochs
    assert rows["epochs"][0] == (f"{quick_epochs()} (recipe: {own})" if quick_epochs() != own else str(own))
    assert rows["batch_size"][0] == "64" and "(recipe:" not in "".join(v for v, _ in rows.values() if v != rows["epochs"][0])
    rows = {name: rest for name, (_, rest) in rows.items()}
    assert rows["optimizer"] == "The optimizer" and rows["crop_padding"] == "Augmentation"
    markdown = text_of_markdown(executed("03"))
    sections = re.findall(r"^#+ (.+)$", "\n".join(markdown), flags=re.M)
    for name, where in rows.items():
        assert any(section.replace("`", "").startswith(where) for section in sections), (name, where)
    assert "Augmentation, written out (advanced)" in sections and "The input pipeline, written out" in sections
    pipeline = next(cell for cell in markdown if cell.startswith("## The input pipeline"))
    assert rows["batch_size"] == "The input pipeline" and "`batch_size`" in pipeline, "batch size is explained where it points"


def text_of_markdown(notebook):
    return ["".join(cell.source) if isinstance(cell.source, list) else cell.source
            for cell in notebook.cells if cell.cell_type == "markdown"]


PAGE_CELLS = {  # the page's code cells the tests run, each found by a line only it has (cell ids are renumbered on commit)
    "imports": "from helpers import data, devices, models, paths, plots, recipes, training",
    "augment": "def augment(images, seed, pad):",
    "pipelines": "def training_pipeline(",
    "model": "keras.utils.set_random_seed(SEED)  # the same initial weights on every run",
    "start": "first_conv.kernel.assign(training.whitening_filters(",
    "whitening": "def whitening_filters(",
    "schedule": 'if recipe.schedule == "warmup_cosine":',
    "optimizer": 'if recipe.optimizer == "adamw":',
    "logger": "class HistoryLogger(keras.callbacks.CSVLogger):",
}


def _run_page(scope, *names):
    """Run notebook 03's code cells named in PAGE_CELLS, in this order, in ``scope``."""
    import nbformat
    from lab import notebooks

    cells = [c.source for c in nbformat.read(notebooks.notebook_paths(["03"])[0], as_version=4).cells if c.cell_type == "code"]
    for name in names:
        matches = [source for source in cells if PAGE_CELLS[name] in source]
        assert len(matches) == 1, f"notebook 03 has {len(matches)} code cells with {PAGE_CELLS[name]!r}"
        exec(matches[0], scope)
    return scope


def test_03_each_piece_written_on_the_page_equals_the_librarys(cifar_sample):
    """The page writes out augmentation, the pipelines, the model wrapper, the whitening start, the schedule,
    the optimizer and a callback; the command line (helpers.training) trains with the library's copies. Run
    the page's own cells: each must give what the library gives."""
    import keras
    import numpy as np
    import tensorflow as tf

    from helpers import devices, models, training

    (x, y), _ = cifar_sample
    (x_train, y_train), (x_val, y_val) = (x[:900], y[:900]), (x[900:1000], y[900:1000])
    recipe = recipes.get_recipe("improved", epochs=2)
    scope = _run_page({"print": lambda *a, **k: None}, "imports")  # the page's imports
    scope.update(recipe=recipe, SEED=42, DATA="sample", x_train=x_train, y_train=y_train, x_val=x_val, y_val=y_val,
                 device=devices.select_device("float32", False))
    _run_page(scope, "augment", "pipelines")  # augment, the two pipelines (train_ds, val_ds)

    seed = tf.constant([7, 11], tf.int64)
    assert np.array_equal(scope["augment"](x_train[:64], seed, 4), training.augment_batch(x_train[:64], seed, 4))
    page_val = [(i.numpy(), l.numpy()) for i, l in scope["val_ds"]]
    library_val = [(i.numpy(), l.numpy()) for i, l in training.make_dataset(x_val, y_val, recipe.batch_size)]
    assert len(page_val) == len(library_val) and all(
        np.array_equal(a, b) for pa, pb in zip(page_val, library_val) for a, b in zip(pa, pb)), "validation batches"
    plain = scope["training_pipeline"](x_train, y_train, recipe.batch_size, 42, augment_images=False)
    orders = []
    for _ in range(2):  # two epochs: every image once each, with its own label, in a new order
        batches = [(i.numpy(), l.numpy().argmax(1)) for i, l in plain]  # one pass: one epoch
        images, labels = np.concatenate([i for i, _ in batches]), np.concatenate([l for _, l in batches])
        order = [int(np.flatnonzero((x_train.reshape(len(x_train), -1) == image.reshape(-1)).all(1))[0]) for image in images]
        assert sorted(order) == list(range(len(x_train))) and np.array_equal(labels, y_train[order])
        orders.append(order)
    assert orders[0] != orders[1], "a new order every epoch"
    epochs = [[i.numpy() for i, _ in scope["train_ds"].take(2)] for _ in range(2)]
    assert not np.array_equal(epochs[0][0], epochs[1][0]) and epochs[0][0].dtype == np.float32

    scope["steps_per_epoch"] = steps = len(scope["train_ds"])
    assert steps == -(-len(x_train) // recipe.batch_size)
    _run_page(scope, "model", "start", "whitening")  # the model with its scaling, the whitened start, the appendix
    mean, std = training.input_scaling(x_train, recipe.normalization)
    sample = x_val[:16].astype("float32")
    assert np.allclose(scope["model"].predict(sample, verbose=0),
                       models.with_preprocessing(scope["network"], mean, std).predict(sample, verbose=0), atol=1e-6)
    kernel = scope["first_conv"].kernel
    assert np.allclose(scope["whitened"], training.whitening_filters(x_train, mean, std, kernel.shape))
    assert np.array_equal(kernel.numpy(), scope["whitened"]), "the improved recipe starts from the whitened filters"
    patches = scope["patches_of"]((x_train[:300].astype("float32") - np.float32(mean)) / np.float32(std))
    outputs = patches @ scope["whitened"].reshape(27, 32)[:, :16]  # the other 16 are their negatives
    correlations = np.corrcoef(outputs, rowvar=False) - np.eye(16)
    assert 0.7 <= outputs.var(axis=0).min() <= outputs.var(axis=0).max() <= 1.3 and np.abs(correlations).max() < 0.15, \
        "what the page says of the whitened filters: outputs of variance about 1, uncorrelated"

    for name in ("improved", "fast", "original"):  # the schedule and the optimizer of every recipe
        scope["recipe"] = r = recipes.get_recipe(name)
        _run_page(scope, "schedule", "optimizer")
        library = training.make_optimizer(r, steps)
        assert type(scope["optimizer"]) is type(library), name
        page_config, library_config = scope["optimizer"].get_config(), library.get_config()
        page_rate, library_rate = page_config.pop("learning_rate"), library_config.pop("learning_rate")
        page_config.pop("name"), library_config.pop("name")  # Keras numbers a second optimizer of a kind
        assert page_config == library_config and page_rate == library_rate, name
        points = np.linspace(0, r.epochs * steps, 50).astype(int)
        assert np.allclose([float(scope["schedule"](s)) for s in points],
                           [float(training.learning_rate_schedule(r, steps)(s)) for s in points], rtol=1e-6), name


def test_03_history_logger_writes_what_the_librarys_writes(tmp_path):
    import keras
    import numpy as np

    from helpers import training

    scope = _run_page({"print": lambda *a, **k: None}, "imports", "logger")
    written = {}
    for name, logger in (("page", scope["HistoryLogger"]), ("library", training.HistoryLogger)):
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation="softmax")])
        model.compile(optimizer=keras.optimizers.SGD(0.1), loss="categorical_crossentropy", metrics=["accuracy"])
        x, y = np.random.default_rng(0).normal(size=(32, 3)), np.eye(2)[np.arange(32) % 2]
        model.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0,
                  callbacks=[logger(tmp_path / f"{name}.csv", images_per_epoch=32)])
        written[name] = training.read_history(tmp_path / f"{name}.csv")
    assert sorted(written["page"]) == sorted(written["library"]) and "lr" in written["page"]
    for key in ("loss", "accuracy", "lr"):
        assert written["page"][key] == pytest.approx(written["library"][key]), key


def test_03_killed_during_training_and_run_again_from_the_top_resumes_after_the_last_epoch(executed, tmp_path):
    """What the notebook tells a reader whose kernel died: run it again from the top, and model.fit resumes after
    the last finished epoch; the epochs after the restart repeat the first epochs' random draws, so the run ends a
    little differently. Notebook 03 (quick profile, another RUN_NAME) is killed once epoch 1 is backed up and run
    again: its epoch 1 is the uninterrupted run's, its epoch 2 is not."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from helpers import training
    from lab import notebooks

    executed("03")
    notebook = notebooks.notebook_paths(["03"])[0]
    run_dir = BUILD_DIR / "runs" / "minivggnet_resume_test"
    for leftover in sorted(run_dir.rglob("*"), reverse=True) if run_dir.exists() else []:
        leftover.unlink() if leftover.is_file() else leftover.rmdir()
    parameters = {**notebooks.profile_parameters("quick", notebook), "RUN_NAME": "minivggnet_resume_test"}
    command = [sys.executable, "-m", "papermill", str(notebook), str(tmp_path / "out.ipynb"), "--cwd",
               str(notebook.parent), "-y", json.dumps(parameters), "--no-progress-bar"]
    figures = {path: path.read_bytes() for path in (BUILD_DIR / "figures").glob("03_*.png")}  # the quick run's
    killed = subprocess.Popen(command, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    metadata = run_dir / "backup" / "training_metadata.json"
    deadline = time.time() + 900
    while not (metadata.exists() and json.loads(metadata.read_text() or "{}").get("epoch", 0) >= 1):
        assert killed.poll() is None and time.time() < deadline, "the run ended before epoch 1 was backed up"
        time.sleep(0.5)
    os.killpg(killed.pid, signal.SIGKILL)  # the kernel dies with it
    killed.wait()
    again = subprocess.run(command, capture_output=True, text=True, timeout=900)
    for path, picture in figures.items():  # this run drew over them: put the quick run's back
        path.write_bytes(picture)
    assert again.returncode == 0, again.stderr[-3000:]
    resumed_text = text_of(json_notebook(tmp_path / "out.ipynb"))
    assert f"resuming after epoch 1 of {quick_epochs()}: BackupAndRestore loads that run's weights when fit starts" in resumed_text
    resumed = training.read_history(run_dir / "history.csv")
    uninterrupted = training.read_history(BUILD_DIR / "runs" / "minivggnet_quick" / "history.csv")
    assert len(resumed["loss"]) == quick_epochs() and resumed["lr"] == pytest.approx(uninterrupted["lr"]), "the schedule resumes too"
    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
        assert resumed[key][0] == pytest.approx(uninterrupted[key][0], rel=1e-4, abs=1e-6), key
    assert resumed["loss"][1] != pytest.approx(uninterrupted["loss"][1], rel=1e-4), "the page says the run ends differently"
    assert abs(resumed["accuracy"][1] - uninterrupted["accuracy"][1]) < 0.1, \
        "no replay: a resumed epoch that re-draws the first epoch's exact batches scores far above an uninterrupted one"


def json_notebook(path):
    import nbformat

    return nbformat.read(path, as_version=4)


def test_03_quick_copy_shows_the_full_runs_curves_under_its_own(executed):
    """The sample's curves say little: the quick copy shows, right after them, the curves the full profile's run of
    this notebook saved in figures/ (committed); on the full data the cell says the curves above are the run's own."""
    from helpers.paths import FIGURES_DIR

    nb = executed("03")
    sources = [c.source for c in nb.cells]
    shown = next(i for i, s in enumerate(sources) if "03_training_curves.png" in s and "display(Image(" in s)
    assert "plots.save_figure(figure, \"03_training_curves\", FIGURES)" in sources[shown - 1]  # right under its own
    assert sources[shown].startswith('if DATA == "sample":')  # on the full data, one line instead
    outputs = nb.cells[shown].outputs
    assert any("image/png" in o.get("data", {}) for o in outputs)
    assert "the corresponding curves from this notebook's run on the full data (figures/03_training_curves.png); the reference run" in text_of(nb)
    assert (FIGURES_DIR / "03_training_curves.png").exists()
