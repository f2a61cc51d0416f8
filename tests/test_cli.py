"""python -m helpers.train: a real (short) run on the sample, its files, resuming, and bad arguments."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import keras
import numpy as np
import pytest

from helpers import data
from helpers.paths import ROOT

RESULT_KEYS = {"name", "arch", "recipe", "seed", "params", "data", "device", "epochs_run", "best_epoch", "history",
               "milestones", "timing", "test", "command", "created", "git_commit", "machine", "versions"}


def train_cli(*args, **kwargs):
    return subprocess.run([sys.executable, "-m", "helpers.train", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=600, **kwargs)


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory):
    """One real CLI run: ShallowNet, the fast recipe for 4 epochs on the committed sample (seconds).

    (MiniVGGNet needs more steps than 1,800 images give before its BN moving statistics settle;
    its training is exercised by test_training, the resume test below and notebook 03.)"""
    out = tmp_path_factory.mktemp("cli")
    result = train_cli("--output", out / "curves.png", "--model", out / "net.keras", "--results", out / "net.json",
                       "--run-dir", out / "run", "--arch", "shallownet", "--recipe", "fast", "--epochs", 4,
                       "--data", "sample")
    assert result.returncode == 0, result.stderr[-3000:]
    return out, result


def test_cli_run_beats_chance_and_prints_the_report(sample_run):
    out, result = sample_run
    record = json.loads((out / "net.json").read_text())
    assert record["test"]["accuracy"] > 0.25, "10 classes: chance is 0.1"
    assert "precision    recall  f1-score   support" in result.stdout and "airplane" in result.stdout
    assert (out / "curves.png").stat().st_size > 10_000


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
    assert record["command"].startswith("python -m helpers.train")
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
    history = tmp_path / "run" / "history.csv"
    process = subprocess.Popen([sys.executable, "-m", "helpers.train", *map(str, args)], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 300
    while time.time() < deadline and not (history.exists() and len(history.read_text().splitlines()) >= 3):
        time.sleep(0.2)
    time.sleep(1.0)  # let BackupAndRestore finish the epoch's backup
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert not (tmp_path / "m.keras").exists(), "a killed run leaves no model behind"
    done = len(history.read_text().splitlines()) - 1
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


def test_unwritable_output_is_refused_before_training(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    target = locked / "m.keras"
    target.write_bytes(b"old")
    target.chmod(0o444)
    if os.access(target, os.W_OK):
        pytest.skip("running as a user who can write read-only files (root)")
    result = train_cli("--output", tmp_path / "c.png", "--model", target, "--data", "sample")
    assert result.returncode == 2 and "read-only" in result.stderr


def test_model_path_that_is_a_folder_is_refused(tmp_path):
    (tmp_path / "m.keras").mkdir()
    result = train_cli("--output", tmp_path / "c.png", "--model", tmp_path / "m.keras", "--data", "sample")
    assert result.returncode == 2 and "it is a folder" in result.stderr
