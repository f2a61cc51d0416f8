"""Saving what a training run produced: the model (raw-pixel input, no optimizer state) and its results
record (written with :func:`lab.provenance.write_json`).

Every file is written under a temporary name and renamed into place, so a crash or a bad argument
never leaves half a file or replaces a good one. Loading a model for a notebook is
:mod:`lab.pretrained`'s job; the reference runs' results come from :mod:`lab.references`.
"""

from __future__ import annotations

import os
from pathlib import Path

import keras
import numpy as np

from helpers.training import Run
from lab import provenance


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


def milestones(history: dict[str, list[float]], thresholds=(0.60, 0.82), key: str = "val_accuracy") -> dict:
    """First epoch (and cumulative training seconds) at which ``history[key]`` reached each threshold."""
    scores, seconds = history.get(key, []), np.cumsum(history.get("epoch_seconds", [0.0] * len(history.get(key, []))))
    found = {}
    for threshold in thresholds:
        hit = next((i for i, s in enumerate(scores) if s >= threshold), None)
        found[f"{key}>={threshold:.2f}"] = None if hit is None else {"epoch": hit + 1, "seconds": float(seconds[hit])}
    return found
