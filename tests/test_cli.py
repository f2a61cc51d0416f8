"""python -m lab.train: a real (short) run on the sample, its files, resuming, and bad arguments."""

import errno
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import keras
import numpy as np
import pytest

from helpers import data
from lab import train
from helpers.paths import ROOT
from helpers.recipes import Recipe

RESULT_KEYS = {"name", "arch", "recipe", "seed", "params", "data", "device", "epochs_run", "best_epoch", "history",
               "milestones", "timing", "test", "command", "created", "git_commit", "machine", "versions"}


def train_cli(*args, **kwargs):
    return subprocess.run([sys.executable, "-m", "lab.train", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=600, **kwargs)


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory):
    """One real CLI run: ShallowNet, the fast recipe for 4 epochs on the committed sample (seconds).

    (MiniVGGNet needs more steps than 1,800 images give before its BN moving statistics settle;
    its training is exercised by test_training, the resume test below and notebook 03.)"""
    out = tmp_path_factory.mktemp("cli")
    result = train_cli("--output", out / "curves.png", "--model", out / "net.keras", "--results", out / "net.json",
                       "--run-dir", out / "run", "--arch", "shallownet", "--recipe", "fast", "--epochs", 4,
                       "--val-fraction", 0.1, "--data", "sample")
    assert result.returncode == 0, result.stderr[-3000:]
    return out, result


def test_cli_run_beats_chance_and_prints_the_report(sample_run):
    out, result = sample_run
    record = json.loads((out / "net.json").read_text())
    assert record["test"]["accuracy"] > 0.25, "10 classes: chance is 0.1"
    assert "precision    recall  f1-score   support" in result.stdout and "airplane" in result.stdout
    assert (out / "curves.png").stat().st_size > 10_000


def test_cli_prints_no_tensorflow_start_up_lines(sample_run):
    import re

    _, result = sample_run
    found = re.search(r"I0000|E0000|W0000|oneDNN|cuda|absl", result.stdout + result.stderr)
    assert not found, (result.stdout + result.stderr)[:2000]


def test_results_file_has_the_documented_schema(sample_run):
    out, _ = sample_run
    record = json.loads((out / "net.json").read_text())
    assert RESULT_KEYS <= set(record)
    assert record["params"] == 328_586 and record["arch"] == "shallownet" and record["epochs_run"] == 4
    assert record["recipe"]["name"] == "fast" and record["recipe"]["epochs"] == 4
    assert len(record["history"]["val_accuracy"]) == 4 and len(record["history"]["lr"]) == 4
    assert record["timing"]["images_per_second"] > 0 and record["timing"]["train_seconds"] > 0
    assert record["data"]["sha256"]["x_test"] == data.data_sha256(
        dict(zip(data.KEYS, [a for split in data.load_sample() for a in split])))["x_test"]
    assert record["command"].startswith("python -m lab.train")
    assert set(record["versions"]) >= {"tensorflow", "keras", "python", "numpy"}
    assert 0 <= record["test"]["flip_tta_accuracy"] <= 1 and len(record["test"]["confusion_matrix"]) == 10


def test_saved_model_needs_no_project_code(sample_run):
    out, _ = sample_run
    record = json.loads((out / "net.json").read_text())
    script = (f"import keras, numpy as np\n"
              f"d = np.load({str(data.DATA_DIR / 'cifar10_sample.npz')!r})\n"
              f"m = keras.saving.load_model({str(out / 'net.keras')!r})\n"
              f"p = m.predict(d['x_test'], verbose=0)\n"
              f"print((p.argmax(1) == d['y_test']).mean())")
    clean_env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run([sys.executable, "-c", script], cwd="/", capture_output=True, text=True, env=clean_env)
    assert result.returncode == 0, result.stderr[-2000:]
    assert float(result.stdout.split()[-1]) == pytest.approx(record["test"]["accuracy"], abs=1e-9)
    assert (out / "net.keras").stat().st_size < 12_000_000


def test_killed_run_resumes_at_the_next_epoch(tmp_path):
    args = ["--output", tmp_path / "c.png", "--model", tmp_path / "m.keras", "--run-dir", tmp_path / "run",
            "--results", tmp_path / "r.json", "--recipe", "fast", "--epochs", 4, "--data", "sample"]
    backed_up = tmp_path / "run" / "backup" / "training_metadata.json"  # written after the weights: {"epoch": epochs done}

    def epochs_backed_up():
        try:
            return json.loads(backed_up.read_text())["epoch"]
        except (OSError, ValueError, KeyError):  # not there yet, or being written
            return 0

    process = subprocess.Popen([sys.executable, "-m", "lab.train", *map(str, args)], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 300
    while time.time() < deadline and epochs_backed_up() < 2:  # a loaded machine may take long: poll, never guess
        time.sleep(0.2)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert not (tmp_path / "m.keras").exists(), "a killed run leaves no model behind"
    done = epochs_backed_up()
    assert 2 <= done < 4
    result = train_cli(*args)
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"Epoch {done + 1}/4" in result.stdout and "Epoch 1/4" not in result.stdout
    record = json.loads((tmp_path / "r.json").read_text())
    assert record["epochs_run"] == 4 and len(record["history"]["loss"]) == 4


@pytest.mark.parametrize("extra, message", [
    (["--epochs", "0"], "epochs must be an integer >= 1"),
    (["--batch-size", "-5"], "batch_size must be an integer >= 1"),
    (["--crop-padding", "9"], "crop_padding must be an integer in [0, 8]"),
    (["--val-fraction", "1"], "val_fraction must be in [0, 1)"),
    (["--data", "/nowhere/cifar.npz"], "the path argument points to /nowhere/cifar.npz, which does not exist"),
])
def test_bad_arguments_fail_clearly_and_change_nothing(tmp_path, extra, message):
    model = tmp_path / "keep.keras"
    model.write_bytes(b"a good model")
    result = train_cli("--output", tmp_path / "c.png", "--model", model, "--results", tmp_path / "r.json", *extra)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert model.read_bytes() == b"a good model" and not (tmp_path / "r.json").exists()


def test_argparse_refusals(tmp_path):
    result = train_cli("--output", tmp_path / "c.png", "--model", tmp_path / "m.keras", "--arch", "resnet")
    assert result.returncode == 2 and "invalid choice: 'resnet'" in result.stderr
    result = train_cli("--output", tmp_path / "c.png", "--model", tmp_path / "m.h5")
    assert result.returncode == 2 and "use the .keras extension" in result.stderr


def test_read_only_model_is_refused_even_as_root(tmp_path):
    target = tmp_path / "m.keras"
    target.write_bytes(b"old")
    target.chmod(0o444)
    result = train_cli("--output", tmp_path / "c.png", "--model", target, "--data", "sample")
    assert result.returncode == 2 and "the file exists and is read-only" in result.stderr
    assert target.read_bytes() == b"old"


@pytest.mark.parametrize("model, output, run_dir, message", [
    # root may write anywhere os.access looks, but not into /proc: only a real attempt tells
    ("/proc/forbidden/x.keras", "/proc/forbidden/x.png", "{tmp}/run", "cannot create the folder /proc/forbidden"),
    ("{tmp}/m.keras", "/proc/x.png", "{tmp}/run", "cannot create a file in /proc"),
    ("{tmp}/a_file/m.keras", "{tmp}/c.png", "{tmp}/run", "a_file is a file, not a folder"),
    ("{tmp}/m.keras", "{tmp}/c.png", "/proc/run", "cannot write /proc/run/history.csv"),
])
def test_unwritable_outputs_are_refused_before_training(tmp_path, model, output, run_dir, message):
    (tmp_path / "a_file").write_text("not a folder")
    model, output, run_dir = (Path(p.format(tmp=tmp_path)) for p in (model, output, run_dir))
    start = time.perf_counter()
    result = train_cli("--output", output, "--model", model, "--results", tmp_path / "r.json", "--run-dir", run_dir,
                       "--epochs", 1, "--data", "sample")
    assert result.returncode == 2 and message in result.stderr
    assert result.stderr.strip().count("\n") == 0 and result.stderr.startswith("error: cannot write ")
    assert "Epoch" not in result.stdout and time.perf_counter() - start < 20, "refused before any training"
    assert not (tmp_path / "r.json").exists() and not list(tmp_path.glob("**/*.tmp"))


@pytest.mark.parametrize("failure", ["disk full", "folder replaced"])
def test_a_failed_save_after_training_keeps_the_model(tmp_path, monkeypatch, capsys, failure):
    from helpers import training
    from lab import artifacts

    target = tmp_path / "out" / "m.keras"
    if failure == "disk full":
        real_save = artifacts.save_model

        def save_model(model, path):
            if Path(path) == target:
                raise OSError(errno.ENOSPC, "No space left on device", str(path))
            return real_save(model, path)

        monkeypatch.setattr(artifacts, "save_model", save_model)
    else:  # the output folder is replaced by a file while training runs
        real_train = training.train

        def train_then_break(*args, **kwargs):
            run = real_train(*args, **kwargs)
            (tmp_path / "out").rmdir()
            (tmp_path / "out").write_text("in the way")
            return run

        monkeypatch.setattr(training, "train", train_then_break)
    code = train.main([str(arg) for arg in (
        "--output", tmp_path / "c.png", "--model", target, "--results", tmp_path / "r.json", "--run-dir",
        tmp_path / "run", "--arch", "shallownet", "--recipe", "fast", "--epochs", 1, "--data", "sample")])
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]
    assert code == 1 and len(errors) == 1
    kept = tmp_path / "run" / "model.keras"
    assert f"the trained model is in {kept}" in errors[0] and str(tmp_path / "run" / "results.json") in errors[0]
    assert keras.saving.load_model(kept).count_params() == 328_586
    assert json.loads((tmp_path / "run" / "results.json").read_text())["arch"] == "shallownet"
    assert not target.exists()


def test_bad_arguments_are_refused_without_importing_tensorflow():
    script = ("import sys\n"
              "from lab import train\n"
              "code = train.main(['--model', 'x.txt', '--output', 'y.png'])\n"
              "args = train.parse_args(['--reference', 'shallownet_original', '--model', sys.argv[1], '--output', sys.argv[2]])\n"
              "train.check_args(args)\n"
              "train.load_data(args.arch, 'sample')\n"
              "print(code, 'tensorflow' in sys.modules, 'keras' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", script, "/tmp/never/m.keras", "/tmp/never/c.png"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["2", "False", "False"]
    assert "--model x.txt: use the .keras extension" in result.stderr


def test_reference_fixes_architecture_recipe_and_paths(tmp_path):
    args = train.parse_args(["--reference", "lenet_mnist", "--epochs", "3"])
    recipe = train.check_args(args)
    assert (args.arch, args.recipe, recipe.epochs, recipe.batch_size) == ("lenet", "original", 3, 128)
    assert args.model == str(ROOT / "models" / "lenet_mnist.keras")
    assert args.output == str(ROOT / "figures" / "lenet_mnist.png")
    assert train.results_path(args) == ROOT / "results" / "lenet_mnist.json"
    result = train_cli("--reference", "lenet_mnist", "--arch", "minivggnet")
    assert result.returncode == 2 and "drop --arch/--recipe" in result.stderr
    result = train_cli("--epochs", 2)
    assert result.returncode == 2 and "give --model PATH.keras and --output PATH.png (or --reference NAME)" in result.stderr


def test_every_recipe_field_is_a_flag_and_the_recorded_flags_still_work(tmp_path, capsys):
    recorded = ["--epochs", "7", "--batch-size", "32", "--learning-rate", "0.02", "--weight-decay", "0.001",
                "--label-smoothing", "0.2", "--optimizer", "sgd", "--warmup-fraction", "0.05", "--crop-padding", "3",
                "--val-fraction", "0.2"]  # the flags results/*.json's commands use
    args = train.parse_args(["--model", str(tmp_path / "m.keras"), "--output", str(tmp_path / "c.png"),
                             "--recipe", "fast", "--no-augment", "--schedule", "constant", *recorded])
    recipe = train.check_args(args)
    assert (recipe.epochs, recipe.batch_size, recipe.learning_rate, recipe.weight_decay, recipe.label_smoothing,
            recipe.optimizer, recipe.warmup_fraction, recipe.crop_padding, recipe.val_fraction) == (
        7, 32, 0.02, 0.001, 0.2, "sgd", 0.05, 3, 0.2)
    assert recipe.augment is False and recipe.schedule == "constant" and recipe.name == "fast"
    with pytest.raises(SystemExit):
        train.parse_args(["--help"])
    help_text = capsys.readouterr().out
    for name in Recipe.__dataclass_fields__:
        assert bool(re.search(f"--{name.replace('_', '-')}[ ,]", help_text)) == (name != "name"), name


def test_model_path_that_is_a_folder_is_refused(tmp_path):
    (tmp_path / "m.keras").mkdir()
    result = train_cli("--output", tmp_path / "c.png", "--model", tmp_path / "m.keras", "--data", "sample")
    assert result.returncode == 2 and "it is a folder" in result.stderr
