"""Saving what a training run produced: the model and its results JSON (input/output only).

Every file is written under a temporary name and renamed into place, so a crash or a bad argument
never leaves half a file or replaces a good one. Loading a model for a notebook is
:mod:`helpers.pretrained`'s job; the reference runs' results come from :mod:`helpers.references`.
"""

from __future__ import annotations

import os
from pathlib import Path

import keras
import numpy as np

from helpers import provenance
from helpers.training import Run, milestones


def save_model(model: keras.Model, path: str | Path) -> Path:
    """Save ``model`` as ``.keras`` without optimizer state (a small file that takes raw pixels)."""
    path = Path(path)
    if path.suffix != ".keras":
        raise ValueError(f"{path}: models are saved in the Keras format and need the .keras extension.")
    path.parent.mkdir(parents=True, exist_ok=True)
    clean = type(model).from_config(model.get_config())  # uncompiled: no optimizer state is saved
    clean.set_weights(model.get_weights())
    tmp = path.with_name(f".{path.stem}.tmp.keras")
    clean.save(tmp)
    os.replace(tmp, path)
    return path


def run_record(run: Run, test: dict | None, data: dict, name: str) -> dict:
    """Everything a results file holds about ``run``: recipe, history, timing, test metrics, provenance."""
    history = run.history
    seconds = history.get("epoch_seconds", [])
    return {
        "name": name,
        "arch": run.arch,
        "recipe": run.recipe.to_dict(),
        "seed": run.seed,
        "params": int(run.model.count_params()),
        "data": {**data, "split": run.split},
        "device": {"kind": run.device.kind, "names": run.device.names, "precision": run.device.precision},
        "epochs_run": len(history.get("loss", [])),
        "best_epoch": run.best_epoch,
        "history": history,
        "milestones": milestones(history),
        "timing": {
            "train_seconds": float(np.sum(seconds)),
            "images_per_second": float(np.median(history["images_per_second"])) if history.get("images_per_second") else None,
        },
        "test": test,
        **provenance.collect(),
    }


def write_results(path: str | Path, record: dict) -> Path:
    """Write a results JSON atomically (see :func:`helpers.provenance.write_json`)."""
    return provenance.write_json(path, record)

