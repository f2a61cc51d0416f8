"""The trained model a notebook works with: notebook 03's, or a shipped reference model, or (when
neither exists) a quick stand-in trained on the spot.

    model, source, record = pretrained.load_model(MODEL, "minivggnet_improved", train_if_missing=(x_train, y_train))

A reference run's results come from the registry: ``references.get("minivggnet_original").results()``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from helpers.paths import ARTIFACTS_DIR, BUILD_DIR, RESULTS_DIR, ROOT, read_results
from lab import provenance, references


def locate_model(choice: str, artifact: str, reference: str) -> Path | None:
    """Which saved model a notebook should use.

    ``choice`` is ``"auto"`` (what notebook 03 saved, ``build/artifacts/<artifact>.keras``, else the
    shipped ``models/<reference>.keras``), ``"reference"`` (only the shipped one) or a path.
    Returns None when none of them exists.
    """
    shipped = references.get(reference).model_path
    if choice == "auto":
        candidates = [ARTIFACTS_DIR / f"{artifact}.keras", shipped]
    elif choice == "reference":
        candidates = [shipped]
    else:
        path = Path(choice)
        candidates = [path if path.is_absolute() else ROOT / path]
        if not candidates[0].exists():
            raise FileNotFoundError(f"MODEL={choice!r}: {candidates[0]} does not exist. Use 'auto', 'reference' "
                                    f"or the path of a .keras file (notebook 03 saves to build/artifacts/).")
    return next((path for path in candidates if path.exists()), None)


def results_of(path: Path) -> dict | None:
    """The results record saved beside a model: ``build/artifacts/<name>.json`` for notebook 03's
    models, ``results/<name>.json`` for the shipped ones (None when there is none)."""
    return read_results(path.with_suffix(".json") if path.parent == ARTIFACTS_DIR else RESULTS_DIR / f"{path.stem}.json")


def model_file(choice: str, artifact: str, reference: str, train_if_missing=None) -> tuple[Path, str, dict | None]:
    """The file :func:`locate_model` finds, as ``(path, its name as printed, its results record or None)``. With no
    file and ``train_if_missing=(x_train, y_train)``: a quick stand-in (see :func:`load_model`), saved in build/artifacts/."""
    path = locate_model(choice, artifact, reference)
    if path is None:
        path = ARTIFACTS_DIR / f"{artifact}_stand_in.keras"
        path.parent.mkdir(parents=True, exist_ok=True)
        load_model(choice, reference, artifact, train_if_missing=train_if_missing)[0].save(path)
    return path, str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path), results_of(path)


def load_model(choice: str, reference: str, artifact: str | None = None, train_if_missing=None,
               fallback_epochs: int = 2, seed: int = 42):
    """Load the model :func:`locate_model` finds for the reference run ``reference`` (a name of
    :data:`lab.references.REFERENCES`). When there is none: with ``train_if_missing=(x_train, y_train)``
    train a stand-in of its architecture on them quickly (``fallback_epochs`` of the ``fast`` recipe)
    and say so; without it, raise ``FileNotFoundError`` saying how to get the model.

    ``artifact`` names what notebook 03 saved in ``build/artifacts/`` (default: the architecture,
    notebook 03's default ``RUN_NAME``). Returns ``(model, where it came from, its results record or None)``.
    """
    import keras  # imported here: the registry and the results need no TensorFlow

    from helpers import recipes, training

    ref = references.get(reference)
    artifact = artifact or ref.arch
    path = locate_model(choice, artifact, reference)
    if path is not None:
        return keras.saving.load_model(path), str(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path), results_of(path)
    if train_if_missing is None:
        raise FileNotFoundError(f"No trained {ref.arch} found ({artifact} from notebook 03, or models/{reference}.keras): "
                                f"run notebook 03, `python -m lab.train --reference {reference}` "
                                f"or restore the shipped models with `git checkout -- models/`.")
    print(f"No trained {ref.arch} found ({artifact} from notebook 03, or models/{reference}.keras): training one "
          f"quickly ({fallback_epochs} epochs of the fast recipe) so that this notebook can run. "
          f"Its numbers say little; run notebook 03 or `make train` for real ones.")
    recipe = recipes.get_recipe("fast", ref.arch, epochs=fallback_epochs)
    run = training.train(ref.arch, recipe, train_if_missing, BUILD_DIR / "runs" / f"{artifact}_fallback", seed=seed,
                         classes=ref.dataset.classes, verbose=0)
    return run.model, f"a {fallback_epochs}-epoch fallback model", None


def shipped_accuracies(file: Path, used: dict, measured: dict | None = None) -> dict:
    """The shipped models' accuracies on the full data, kept in ``file`` with each model file's sha256
    (a fingerprint of its bytes), so that numbers of an older or retrained file are never shown as its.

    ``used`` maps reference runs to the model files a notebook loaded. With ``measured``
    (``{run: {part: accuracy}}``), rewrite ``file`` first, if every file used is the shipped one.
    Returns ``{run: {part: accuracy}}`` for the runs whose shipped file still has the recorded sha256.
    """
    shipped = {name: references.get(name).model_path for name in used}
    fingerprints = {name: hashlib.sha256(path.read_bytes()).hexdigest() for name, path in shipped.items() if path.exists()}
    if measured is not None and all(used[name] == path for name, path in shipped.items()):
        file.write_text(json.dumps({name: {"sha256": fingerprints[name], **parts} for name, parts in measured.items()},
                                   indent=2) + "\n")
    elif measured is not None:
        print(f"not every model here is its shipped file: {file.relative_to(ROOT)} is left as it is")
    saved = json.loads(file.read_text()) if file.exists() else {}
    return {name: {part: value for part, value in saved[name].items() if part != "sha256"}
            for name in used if name in saved and saved[name]["sha256"] == fingerprints.get(name)}
