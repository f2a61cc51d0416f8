"""Notebook 03_training: the Keras that trains is on the page, each piece equal to the library's, and
the run equals the command line's; checked on what the quick profile printed and wrote."""

import json
import re

import pytest

from helpers import recipes
from helpers.paths import ARTIFACTS_DIR, BUILD_DIR
from nbtools import text_of


def test_03_writes_the_training_out_and_each_piece_equals_the_library(executed):
    text = text_of(executed("03"))
    for line in ("same training batches as training.make_dataset: True",
                 "same validation batches as training.make_dataset: True",
                 "same model outputs as models.with_preprocessing: True",
                 "same whitening filters as training.whitening_filters: True",
                 "same learning rates as training.learning_rate_schedule: True",
                 "same dropout seeds as training.EpochSeeds: True",
                 "reloaded model gives the same predictions: True"):
        assert line in text, line
    assert re.search(r"\d+ batches per epoch; one batch: images \(64, 32, 32, 3\) float32 \(pixel values \d+ to \d+\), "
                     r"labels \(64, 10\)", text), "a batch of the pipeline, as the model receives it"
    assert "3 seed generators, one per Dropout layer" in text
    precision = re.search(r"Training on .* in (\w+) \(", text).group(1)  # what the device line says it chose
    compute = {"float32": "float32", "mixed_bfloat16": "bfloat16", "mixed_float16": "float16"}[precision]
    assert f"the model computes in {compute} (weights in float32)" in text, "clear_session() must not undo the choice"
    padding = recipes.get_recipe("improved").crop_padding
    assert f"crop_padding = {padding}: shifts of up to {padding} pixels" in text, "the demo shows the recipe's padding"
    assert re.search(r"images/s on \w+ \(median of 1 epoch\(s\); left out: epoch 1, which also traced the training step\)",
                     text), "the speed leaves out the epoch that traced the training step"
    from helpers.paths import read_results
    reference = read_results("minivggnet_improved_val")
    this = re.search(r"this run +\((\w+)\): best epoch (\d+) of 2, validation accuracy ([\d.]+)", text)
    ref = re.search(r"reference run \((\w+)\): best epoch (\d+) of (\d+), validation accuracy ([\d.]+)", text)
    assert this and ref and ref.group(1) == reference["device"]["precision"], "the two runs on parallel lines"
    assert float(ref.group(4)) == round(max(reference["history"]["val_accuracy"]), 4)
    difference = re.search(r"difference ([+-][\d.]+) points: a yardstick, not a copy", text)
    assert difference and float(difference.group(1)) == pytest.approx((float(this.group(3)) - float(ref.group(4))) * 100, abs=0.02)
    assert "rough margin for chance" not in text, "no margin beside a quick run: it differs from the reference in more than chance"
    minutes = sum(reference["history"]["epoch_seconds"]) / 60
    assert (f"it trained {reference['epochs_run']} epochs in {minutes:.0f} minutes on one CPU ({reference['machine']['cpu']}, "
            f"{reference['machine']['cpu_cores']} cores)") in text, "the time warning, from the results file"
    assert f'RECIPE = "fast" trains {recipes.get_recipe("fast").epochs} epochs instead' in text
    split = read_results("minivggnet_improved_val")["data"]["split"]
    assert (f"this recipe's reference run (results/minivggnet_improved_val.json): trained on {split['train']:,} images, "
            f"validated on {split['validation']:,}") in text, "the reference run's split, from its results file"
    assert "a uniform guess scores a loss of ln 10 = 2.303; with label smoothing 0.1 the lowest possible loss is 0.500" in text
    starts = dict((name, (float(low), float(high), float(corr))) for name, low, high, corr in re.findall(
        r"(random|whitened) start: output variances ([\d.]+) to ([\d.]+), largest correlation between two filters ([\d.]+)", text))
    assert set(starts) == {"random", "whitened"}, "03 shows both starts of the first convolution"
    low, high, corr = starts["whitened"]
    assert 0.8 <= low <= high <= 1.2 and corr < 0.1, "whitened filters give unit-variance, uncorrelated outputs"
    assert starts["random"][2] > 3 * corr, "the random start's outputs are correlated"
    record = json.loads((ARTIFACTS_DIR / "minivggnet_quick.json").read_text())
    assert record["epochs_run"] == 2 and record["params"] == 2_171_178
    assert (ARTIFACTS_DIR / "minivggnet_quick.keras").exists()
    fit_lines = [line for line in text.splitlines() if "val_accuracy:" in line]
    assert len(fit_lines) == 2 and not any("epoch_seconds" in line or "lr:" in line for line in fit_lines), \
        "compact model.fit lines"
    assert list((BUILD_DIR / "tensorboard" / "minivggnet_quick").rglob("events.out.tfevents.*")), "TensorBoard logs"
    gaps = re.findall(r"gap ([+-][\d.]+) \(training (above|below) validation\)", text)
    assert gaps and all((float(g) > 0) == (side == "above") for g, side in gaps), "the words follow the numbers"
    readings = re.findall(r"epochs (\d+) to (\d+): gap ([+-][\d.]+) -> ([+-][\d.]+), validation ([\d.]+) -> ([\d.]+); (.+)",
                          text)
    assert "too few epochs (2) to judge overfitting" in text, "no verdict on a two-epoch run"
    assert len(readings) == len(gaps) - 1, "the reference run's gap is read over the second half of the run"
    for first, last, gap_start, gap_end, val_start, val_end, reading in readings:
        assert int(first) == (int(last) - 1) // 2 + 1
        widened, rose = float(gap_end) > float(gap_start), float(val_end) > float(val_start)
        if gap_end != gap_start and val_end != val_start:  # printed numbers that round alike decide nothing
            assert reading == ("the gap widened while validation accuracy did not rise: overfitting is setting in"
                               if widened and not rose else "the gap widened but validation accuracy still rose: no harm yet"
                               if widened else "the gap did not widen: no sign of overfitting"), reading


def test_03_prints_the_fields_its_recipe_uses_and_where_each_is_explained(executed):
    """The recipe table has one row per field the improved recipe uses (recipes.describe), each with its
    meaning and a section of the page."""
    text = text_of(executed("03"))
    table = re.split(r"^Training on ", text.split("where it is explained", 1)[1], flags=re.M)[0]  # up to the device line
    rows = {name: where for name, _, where in re.findall(r"^ *(\w+)  (\S+) +(\S.*)$", table, flags=re.M)}
    described = recipes.describe(recipes.get_recipe("improved", epochs=2))
    assert list(rows) == [name for name, *_ in described] and "momentum" not in rows and "experimental" not in table
    for name, _, _, meaning in described:
        assert meaning in table, name
    assert "shrinks every weight a little at each step (a regulariser)" in table
    assert rows["optimizer"] == "The optimizer" and rows["crop_padding"] == "Augmentation"
    markdown = text_of_markdown(executed("03"))
    sections = re.findall(r"^#+ (.+)$", "\n".join(markdown), flags=re.M)
    for name, where in rows.items():
        assert any(where.strip("`") in section.replace("`", "") for section in sections) or \
            (where == "Recipes" and "**Recipes.**" in markdown[0]), (name, where)
    for advanced in ("Augmentation, written out (advanced)", "The input pipeline, written out (advanced)"):
        assert advanced in sections, advanced
    pipeline = next(cell for cell in markdown if cell.startswith("## The input pipeline"))
    assert rows["batch_size"] == "The input pipeline" and "`batch_size`" in pipeline, "batch size is explained where it points"


def text_of_markdown(notebook):
    return ["".join(cell.source) if isinstance(cell.source, list) else cell.source
            for cell in notebook.cells if cell.cell_type == "markdown"]


def test_03_and_the_command_line_train_alike(executed, cifar_sample, tmp_path):
    """The notebook writes the training out; helpers.training.train is what the CLI calls. Same seed,
    same data, same recipe: the same history, so the two cannot drift apart."""
    from helpers import training

    executed("03")
    notebook = training.read_history(BUILD_DIR / "runs" / "minivggnet_quick" / "history.csv")
    (x, y), _ = cifar_sample
    run = training.train("minivggnet", recipes.get_recipe("improved", epochs=2), (x, y), tmp_path / "cli", seed=42,
                         verbose=0)
    assert sorted(run.history) == sorted(notebook), "the notebook's HistoryLogger writes the library's columns"
    for key in ("loss", "accuracy", "val_loss", "val_accuracy", "lr"):
        assert run.history[key] == pytest.approx(notebook[key], rel=1e-3, abs=1e-3), key


def test_03_killed_during_training_and_run_again_from_the_top_equals_the_uninterrupted_run(executed, tmp_path):
    """What the notebook tells a reader whose kernel died: run it again from the top. Notebook 03 (quick
    profile, another RUN_NAME) is killed once epoch 1 is backed up, run again, and must give the
    uninterrupted quick run's history."""
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
    assert "starting at epoch 2 of 2 (resuming)" in resumed_text
    assert "epoch 1 ran in an earlier process of this notebook that stopped" in resumed_text, "the page says what resuming did"
    resumed = training.read_history(run_dir / "history.csv")
    uninterrupted = training.read_history(BUILD_DIR / "runs" / "minivggnet_quick" / "history.csv")
    for key in ("loss", "accuracy", "val_loss", "val_accuracy", "lr"):
        assert resumed[key] == pytest.approx(uninterrupted[key], rel=1e-4, abs=1e-6), key


def json_notebook(path):
    import nbformat

    return nbformat.read(path, as_version=4)
