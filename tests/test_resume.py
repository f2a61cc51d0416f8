"""A run killed after epoch 2 and started again trains epochs 3 and 4 exactly as an uninterrupted run does.

Before the fix, the resumed process replayed epoch 1's batches, augmentation and dropout masks as its
epoch 3 (the pipeline's reshuffling and the layers' seed generators counted the passes of *this*
process, and BackupAndRestore saves neither): training accuracy jumped and the weights diverged.
"""

import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest

from helpers import recipes, training
from helpers.paths import ROOT

EPOCHS, KILLED_AFTER = 4, 2
KEYS = ("loss", "accuracy", "val_loss", "val_accuracy", "lr")


class KeepFinalWeights(keras.callbacks.BackupAndRestore):
    """BackupAndRestore that keeps the last epoch's weights (train() returns the best epoch's)."""

    final_weights = None

    def on_train_end(self, logs=None):
        KeepFinalWeights.final_weights = [np.array(w) for w in self.model.get_weights()]
        super().on_train_end(logs)


LEVERS = {  # recipe overrides of each case
    "plain": {},
    "weight-average": {"ema_momentum": 0.9},
    "screened-levers": {"ema_momentum": 0.9, "ema_bn_stats": True, "bn_momentum": 0.6, "bn_shift_lr_factor": 4.0,
                        "optimizer": "sgd", "schedule": "warmup_linear", "end_fraction": 0.07, "cutout": 8, "cutout_start": 0.5},
}


def train_to_the_end(x, y, run_dir, monkeypatch, levers):
    monkeypatch.setattr(keras.callbacks, "BackupAndRestore", KeepFinalWeights)
    run = training.train("minivggnet", recipes.get_recipe("improved", epochs=EPOCHS, **LEVERS[levers]), (x, y),
                         run_dir, seed=42, verbose=0)
    return run.history, KeepFinalWeights.final_weights


@pytest.mark.parametrize("levers", LEVERS)
def test_killed_and_resumed_run_matches_the_uninterrupted_one(cifar_sample, tmp_path, monkeypatch, levers):
    """Also with a running average of the weights (``ema_momentum``): the optimizer keeps the average,
    and the backup must carry it over; or a callback keeps it (``ema_bn_stats``), with SGD's linear schedule and two optimizers (``bn_shift_lr_factor``)."""
    (x, y), _ = cifar_sample
    resumed_dir = tmp_path / "resumed"
    # the same training in another process, killed (SIGKILL) once epoch 2 is backed up
    script = textwrap.dedent(f"""
        import os, signal, keras
        from helpers import data, recipes, training

        class KillAfterBackup(keras.callbacks.BackupAndRestore):
            def on_epoch_end(self, epoch, logs=None):
                super().on_epoch_end(epoch, logs)
                if epoch + 1 == {KILLED_AFTER}:
                    os.kill(os.getpid(), signal.SIGKILL)

        keras.callbacks.BackupAndRestore = KillAfterBackup
        (x, y), _ = data.load_sample("cifar10")
        training.train("minivggnet", recipes.get_recipe("improved", epochs={EPOCHS}, **{LEVERS[levers]!r}), (x, y), {str(resumed_dir)!r},
                       seed=42, verbose=0)
    """)
    killed = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert killed.returncode == -9, killed.stderr[-3000:]
    assert (resumed_dir / "backup").exists(), "the killed run left its backup"
    assert len(training.read_history(resumed_dir / "history.csv")["loss"]) == KILLED_AFTER

    resumed, resumed_weights = train_to_the_end(x, y, resumed_dir, monkeypatch, levers)
    uninterrupted, uninterrupted_weights = train_to_the_end(x, y, tmp_path / "uninterrupted", monkeypatch, levers)

    for key in KEYS:
        assert len(resumed[key]) == len(uninterrupted[key]) == EPOCHS, key
        assert resumed[key] == pytest.approx(uninterrupted[key], rel=1e-4, abs=1e-6), key
    assert len(resumed_weights) == len(uninterrupted_weights)
    for resumed_w, uninterrupted_w in zip(resumed_weights, uninterrupted_weights):
        np.testing.assert_allclose(resumed_w, uninterrupted_w, rtol=1e-4, atol=1e-6)
