"""Train a network from the command line, like the original project's ``minivggnet_cifar10.py``.

Examples::

    python -m lab.train --reference minivggnet_improved    # a reference run of lab/references.py
    python -m lab.train --output build/try.png --model build/try.keras --recipe fast --epochs 5

It trains (resuming a killed run of the same name), saves the model (raw-pixel input, no optimizer
state), draws the "Training Loss and Accuracy" figure, prints the classification report on the
test set and writes ``results/NAME.json``. Bad arguments give one clear message and change nothing:
every output folder is tried with a real file before training starts, and a save that still fails
afterwards (a full disk) keeps the trained model in the run folder and says where.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import typing
from dataclasses import fields, replace
from pathlib import Path

# Only light modules here: TensorFlow (seconds to import) waits until the arguments are known to be good.
from helpers import data as data_lib
from helpers.devices import PRECISIONS
from helpers.paths import BUILD_DIR, RESULTS_DIR
from helpers.recipes import RECIPES, Recipe, get_recipe
from lab import references

OVERRIDABLE = [f for f in fields(Recipe) if f.name != "name"]
"""The recipe fields the CLI can override, one ``--field-name`` flag each."""


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m lab.train", description=__doc__.split("\n\n")[0],
                                     usage="%(prog)s (--reference NAME | --model PATH.keras --output PATH.png) [options]")
    parser.add_argument("--reference", choices=references.REFERENCES,
                        help="train a reference run of lab/references.py: its architecture, recipe and "
                             "overrides, saved to models/NAME.keras, figures/NAME.png, results/NAME.json")
    parser.add_argument("-o", "--output", help="path of the training-curves figure (.png)")
    parser.add_argument("-m", "--model", help="path of the saved model (.keras)")
    parser.add_argument("--arch", choices=data_lib.architectures(), help="network (default: minivggnet)")
    parser.add_argument("--recipe", choices=sorted(RECIPES), help="training recipe (default: improved)")
    overrides = parser.add_argument_group("recipe overrides", "each changes one field of the chosen recipe "
                                          "(helpers/recipes.py); unset ones keep the recipe's value")
    types = typing.get_type_hints(Recipe)
    for field in OVERRIDABLE:
        flag, help_text = "--" + field.name.replace("_", "-"), field.metadata["help"]
        if types[field.name] is bool:
            overrides.add_argument(flag, action=argparse.BooleanOptionalAction, help=help_text)
        else:
            overrides.add_argument(flag, type=types[field.name], choices=field.metadata.get("choices"), help=help_text)
    parser.add_argument("--data", default=None,
                        help="dataset file or folder, or 'sample' for the committed sample "
                             "(default: $CIFAR10_PATH / $MNIST_PATH, then data/, then the Keras download)")
    parser.add_argument("--results", help="results JSON path (default: results/<model name>.json)")
    parser.add_argument("--run-dir", help="working folder for checkpoints and logs (default: build/runs/<model name>)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--precision", choices=["auto", *PRECISIONS], default="auto",
                        help="dtype policy (auto: mixed_float16 on tensor-core GPUs, mixed_bfloat16 on CPUs with native bfloat16, float32 otherwise)")
    parser.add_argument("--jit-compile", choices=["auto", "on", "off"], default="auto",
                        help="XLA compilation (auto: on for GPUs, off on CPUs)")
    parser.add_argument("--scale-batch", type=int, metavar="N",
                        help="train with N images per step and the learning rate scaled linearly to match "
                             "(for throughput on big GPUs; see lab.train.scaled_for_batch)")
    return parser.parse_args(argv)


def _resolve_reference(args: argparse.Namespace) -> argparse.Namespace:
    """Fill in what ``--reference`` fixes (or the defaults without it); refuse contradictions."""
    if args.reference:
        ref = references.get(args.reference)
        if args.arch or args.recipe:
            raise ValueError(f"--reference {ref.name} trains {ref.arch} with the {ref.recipe} recipe; "
                             f"drop --arch/--recipe (or drop --reference).")
        args.arch, args.recipe = ref.arch, ref.recipe
        args.model = args.model or str(ref.model_path)
        args.output = args.output or str(ref.figure_path)
        for name, value in ref.overrides.items():
            if getattr(args, name) is None:
                setattr(args, name, value)
    elif not (args.model and args.output):
        raise ValueError("give --model PATH.keras and --output PATH.png (or --reference NAME).")
    args.arch, args.recipe = args.arch or "minivggnet", args.recipe or "improved"
    return args


def check_args(args: argparse.Namespace):
    """Validate everything before any work starts (filling in what ``--reference`` fixes); return
    the recipe. Raises ValueError."""
    _resolve_reference(args)
    recipe = get_recipe(args.recipe, args.arch, **{field.name: getattr(args, field.name) for field in OVERRIDABLE})
    model_path, figure_path = Path(args.model), Path(args.output)
    if model_path.suffix != ".keras":
        raise ValueError(f"--model {model_path}: use the .keras extension (Keras 3 saves models in that format).")
    if figure_path.suffix != ".png":
        raise ValueError(f"--output {figure_path}: the figure is written as PNG; use the .png extension.")
    for path in (model_path, figure_path, results_path(args), run_dir(args) / "history.csv"):
        _check_writable(path)
    return recipe


def scaled_for_batch(recipe: Recipe, batch_size: int) -> Recipe:
    """The same training with ``batch_size`` images per step, for throughput on a big GPU (or several):
    the linear scaling rule (Goyal et al., 2017). The learning rate is multiplied by
    ``batch_size / recipe.batch_size``; so is Keras 2's per-iteration ``decay``, so that the decay per
    *epoch* is unchanged. Epochs stay, and the warmup stays the same *fraction* of all steps. The rule
    holds for moderate factors (up to ~8x); check validation accuracy beyond that.
    """
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be an integer >= 1, got {batch_size!r}.")
    factor = batch_size / recipe.batch_size
    return replace(recipe, batch_size=batch_size, learning_rate=recipe.learning_rate * factor,
                   decay=recipe.decay * factor)


def results_path(args) -> Path:
    return Path(args.results) if args.results else RESULTS_DIR / f"{Path(args.model).stem}.json"


def run_dir(args) -> Path:
    """The run's working folder (checkpoints, history, backups for resuming)."""
    return Path(args.run_dir) if args.run_dir else BUILD_DIR / "runs" / Path(args.model).stem


def _check_writable(path: Path) -> None:
    """Refuse ``path`` unless a file can really be written there, by creating its folder and a
    temporary file in it (removed again). ``os.access`` is no such test: root passes it everywhere,
    and it knows nothing of read-only or special file systems."""
    if path.is_dir():
        raise ValueError(f"cannot write {path}: it is a folder.")
    if path.exists() and not path.stat().st_mode & 0o222:
        raise ValueError(f"cannot write {path}: the file exists and is read-only (make it writable or choose another path).")
    folder = path.parent
    existing = next(parent for parent in (folder, *folder.parents) if parent.exists())
    if not existing.is_dir():
        raise ValueError(f"cannot write {path}: {existing} is a file, not a folder.")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ValueError(f"cannot write {path}: cannot create the folder {folder} ({error.strerror or error}).") from None
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=f".{path.stem}.", suffix=".tmp"):
            pass
    except OSError as error:
        raise ValueError(f"cannot write {path}: cannot create a file in {folder} ({error.strerror or error}).") from None


def load_data(arch: str, source: str | None):
    """The dataset ``arch`` trains on: its spec, where it came from, and its arrays."""
    spec = data_lib.spec_for_arch(arch)
    if source == "sample":
        return spec, "sample", data_lib.load_sample(spec.name)
    return spec, source or "default", data_lib.load(spec.name, "full", source)


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        recipe = check_args(args)
        if args.scale_batch is not None:
            recipe = scaled_for_batch(recipe, args.scale_batch)
        spec, source, ((x_train, y_train), (x_test, y_test)) = load_data(args.arch, args.data)
    except (ValueError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2

    # TensorFlow is imported only once the arguments are known to be good (it takes seconds), and
    # without its start-up log lines.
    from helpers import environment

    environment.quiet_tensorflow()
    from helpers import evaluation, plots, training
    from lab import artifacts, provenance

    commit = provenance.git_commit()  # the code this run starts with, whatever is edited meanwhile

    name = Path(args.model).stem
    start = time.perf_counter()
    run = training.train(args.arch, recipe, (x_train, y_train), run_dir(args), seed=args.seed, classes=spec.classes,
                         precision=args.precision, jit_compile=args.jit_compile,
                         verbose=1 if sys.stdout.isatty() else 2)
    test, probs = evaluation.evaluate(run.model, x_test, y_test, spec)  # flip TTA only where a mirror image keeps its class
    total_seconds = time.perf_counter() - start
    print(evaluation.report_text(y_test, probs, spec))
    tta = f" (flip TTA {test['flip_tta_accuracy']:.4f})" if "flip_tta_accuracy" in test else ""
    print(f"test accuracy {test['accuracy']:.4f}{tta}, {total_seconds / 60:.1f} min in this process")

    data_info = {"dataset": spec.name, "source": source, "sha256": data_lib.data_sha256(
        {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test})}
    record = artifacts.run_record(run, test, data_info, name)
    record["timing"]["process_seconds"] = total_seconds
    record["git_commit"] = commit
    if args.reference:  # why the run exists, in its own file (the README lists the same)
        record["role"] = references.role_record(args.reference)
    try:
        artifacts.save_model(run.model, args.model)
        plots.save_figure(plots.training_curves(run.history, f"Training Loss and Accuracy ({name})"), args.output)
        provenance.write_json(results_path(args), record)
    except OSError as error:  # disk full, a folder removed meanwhile ...: keep the trained model
        print(f"error: saving failed ({error}); {_keep_in_run_dir(run, record, artifacts)}", file=sys.stderr)
        return 1
    print(f"saved {args.model}, {args.output}, {results_path(args)}")
    return 0


def _keep_in_run_dir(run, record: dict, artifacts) -> str:
    """After a failed save, keep the trained model and its results in the run folder; say where they are."""
    from lab import provenance

    model, results = run.run_dir / "model.keras", run.run_dir / "results.json"
    try:
        artifacts.save_model(run.model, model)
        provenance.write_json(results, record)
    except OSError as error:
        best = run.run_dir / "best.keras"
        if best.exists():
            return f"the best epoch's model is kept in {best} (a copy failed too: {error})"
        return f"a copy in {run.run_dir} failed too ({error}): free some space and run the same command again"
    return f"nothing is lost: the trained model is in {model} and its results in {results}; copy them into place"


if __name__ == "__main__":
    sys.exit(main())
