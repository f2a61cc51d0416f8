"""Saving what a training run produced: the model, its results JSON and its figure.

Every file is written under a temporary name and renamed into place, so a crash or a bad argument
never leaves half a file or replaces a good one.
"""

from __future__ import annotations

import os
from pathlib import Path

import keras
import numpy as np

from helpers import provenance
from helpers.paths import ARTIFACTS_DIR, BUILD_DIR, MODELS_DIR, RESULTS_DIR, ROOT
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


def locate_model(choice: str, artifact: str, reference: str) -> Path | None:
    """Which saved model a notebook should use.

    ``choice`` is ``"auto"`` (what notebook 03 saved, ``build/artifacts/<artifact>.keras``, else the
    shipped ``models/<reference>.keras``), ``"reference"`` (only the shipped one) or a path.
    Returns None when none of them exists.
    """
    if choice == "auto":
        candidates = [ARTIFACTS_DIR / f"{artifact}.keras", MODELS_DIR / f"{reference}.keras"]
    elif choice == "reference":
        candidates = [MODELS_DIR / f"{reference}.keras"]
    else:
        path = Path(choice)
        candidates = [path if path.is_absolute() else ROOT / path]
        if not candidates[0].exists():
            raise FileNotFoundError(f"MODEL={choice!r}: {candidates[0]} does not exist. Use 'auto', 'reference' "
                                    f"or the path of a .keras file (notebook 03 saves to build/artifacts/).")
    return next((path for path in candidates if path.exists()), None)


def load_or_train(choice: str, arch: str, artifact: str, reference: str, train_data, data_name: str = "cifar10",
                  fallback_epochs: int = 2, seed: int = 42):
    """Load the model :func:`locate_model` finds, or, when there is none, train one quickly with the
    ``fast`` recipe and say so. Returns ``(model, where it came from, its results record or None)``."""
    from helpers import recipes, training

    path = locate_model(choice, artifact, reference)
    if path is not None:
        record_path = path.with_suffix(".json") if path.parent == ARTIFACTS_DIR else RESULTS_DIR / f"{path.stem}.json"
        record = provenance.read_json(record_path) if record_path.exists() else None
        return keras.saving.load_model(path), str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path), record
    print(f"No trained {arch} found ({artifact} from notebook 03, or models/{reference}.keras): training one "
          f"quickly ({fallback_epochs} epochs of the fast recipe) so that this notebook can run. "
          f"Its numbers say little; run notebook 03 or `make train` for real ones.")
    recipe = recipes.get_recipe("fast", arch, epochs=fallback_epochs)
    run = training.train(arch, recipe, train_data, BUILD_DIR / "runs" / f"{artifact}_fallback", seed=seed, verbose=0)
    return run.model, f"a {fallback_epochs}-epoch fallback model", None


def read_results(name: str) -> dict | None:
    """The reference results ``results/<name>.json``, or None when that run has not been made."""
    path = RESULTS_DIR / f"{name}.json"
    return provenance.read_json(path) if path.exists() else None
