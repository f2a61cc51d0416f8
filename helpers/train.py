"""Train a network from the command line, like the original project's ``minivggnet_cifar10.py``.

Example::

    python -m helpers.train --output figures/minivggnet_improved.png \\
        --model models/minivggnet_improved.keras --recipe improved

It trains (resuming a killed run of the same name), saves the model (raw-pixel input, no optimizer
state), draws the "Training Loss and Accuracy" figure, prints the classification report on the
test set and writes ``results/NAME.json``. Bad arguments give one clear message and change nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from helpers import data as data_lib
from helpers.models import ARCHITECTURES
from helpers.paths import BUILD_DIR, RESULTS_DIR
from helpers.recipes import OPTIMIZERS, RECIPES, get_recipe

DATASET_OF_ARCH = {"minivggnet": "cifar10", "shallownet": "cifar10", "lenet": "mnist"}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m helpers.train", description=__doc__.split("\n\n")[0])
    parser.add_argument("-o", "--output", required=True, help="path of the training-curves figure (.png)")
    parser.add_argument("-m", "--model", required=True, help="path of the saved model (.keras)")
    parser.add_argument("--arch", default="minivggnet", choices=ARCHITECTURES)
    parser.add_argument("--recipe", default="improved", choices=sorted(RECIPES))
    parser.add_argument("--epochs", type=int, help="override the recipe's number of epochs")
    parser.add_argument("--batch-size", type=int, help="override the recipe's batch size")
    parser.add_argument("--learning-rate", type=float, help="override the recipe's (peak) learning rate")
    parser.add_argument("--weight-decay", type=float, help="override the recipe's weight decay")
    parser.add_argument("--label-smoothing", type=float, help="override the recipe's label smoothing")
    parser.add_argument("--optimizer", choices=OPTIMIZERS, help="override the recipe's optimizer")
    parser.add_argument("--warmup-fraction", type=float, help="override the share of steps spent warming up")
    parser.add_argument("--crop-padding", type=int,
                        help="override the augmentation's reflect padding in pixels (0: flips only)")
    parser.add_argument("--val-fraction", type=float,
                        help="override the share of the training set held out for validation (0: train on all)")
    parser.add_argument("--data", default=None,
                        help="dataset file or folder, or 'sample' for the committed sample "
                             "(default: $CIFAR10_PATH / $MNIST_PATH, then data/, then the Keras download)")
    parser.add_argument("--results", help="results JSON path (default: results/<model name>.json)")
    parser.add_argument("--run-dir", help="working folder for checkpoints and logs (default: build/runs/<model name>)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--precision", choices=["auto", "float32", "mixed_float16", "mixed_bfloat16"], default="auto",
                        help="dtype policy (auto: mixed_float16 on tensor-core GPUs, float32 otherwise)")
    parser.add_argument("--jit-compile", choices=["auto", "on", "off"], default="auto",
                        help="XLA compilation (auto: on for GPUs, off on CPU where it was slower)")
    parser.add_argument("--scale-batch", type=int, metavar="N",
                        help="train with N images per step and the learning rate scaled linearly to match "
                             "(for throughput on big GPUs; see Recipe.scaled_for_batch)")
    return parser.parse_args(argv)


def check_args(args: argparse.Namespace):
    """Validate everything before any work starts; return the recipe. Raises ValueError."""
    recipe = get_recipe(args.recipe, args.arch, epochs=args.epochs, batch_size=args.batch_size,
                        learning_rate=args.learning_rate, weight_decay=args.weight_decay,
                        label_smoothing=args.label_smoothing, optimizer=args.optimizer,
                        warmup_fraction=args.warmup_fraction, crop_padding=args.crop_padding,
                        val_fraction=args.val_fraction)
    model_path, figure_path = Path(args.model), Path(args.output)
    if model_path.suffix != ".keras":
        raise ValueError(f"--model {model_path}: use the .keras extension (Keras 3 saves models in that format).")
    if figure_path.suffix != ".png":
        raise ValueError(f"--output {figure_path}: the figure is written as PNG; use the .png extension.")
    for path in (model_path, figure_path, Path(results_path(args))):
        _check_writable(path)
    return recipe


def results_path(args) -> Path:
    return Path(args.results) if args.results else RESULTS_DIR / f"{Path(args.model).stem}.json"


def _check_writable(path: Path) -> None:
    folder = path.parent
    while not folder.exists():
        folder = folder.parent
    if not os.access(folder, os.W_OK):
        raise ValueError(f"cannot write {path}: {folder} is not writable.")
    if path.exists() and not os.access(path, os.W_OK):
        raise ValueError(f"cannot write {path}: the file exists and is read-only.")
    if path.is_dir():
        raise ValueError(f"cannot write {path}: it is a folder.")


def load_data(arch: str, source: str | None):
    dataset = DATASET_OF_ARCH[arch]
    if source == "sample":
        return dataset, "sample", data_lib.load_sample(dataset)
    return dataset, source or "default", data_lib.load(dataset, "full", source)


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        recipe = check_args(args)
        if args.scale_batch is not None:
            recipe = recipe.scaled_for_batch(args.scale_batch)
        dataset, source, ((x_train, y_train), (x_test, y_test)) = load_data(args.arch, args.data)
    except (ValueError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2

    # TensorFlow is imported only once the arguments are known to be good (it takes seconds).
    from helpers import artifacts, evaluation, plots, provenance, training

    commit = provenance.git_commit()  # the code this run starts with, whatever is edited meanwhile

    names = data_lib.CLASS_NAMES if dataset == "cifar10" else data_lib.DIGIT_NAMES
    name = Path(args.model).stem
    run_dir = Path(args.run_dir) if args.run_dir else BUILD_DIR / "runs" / name
    start = time.perf_counter()
    run = training.train(args.arch, recipe, (x_train, y_train), run_dir, seed=args.seed,
                         precision=args.precision, jit_compile=args.jit_compile,
                         verbose=1 if sys.stdout.isatty() else 2)
    probs = evaluation.predict(run.model, x_test)
    # a mirrored photo is still the same object; a mirrored digit is not, so no flip TTA on MNIST
    test = evaluation.evaluate(run.model, x_test, y_test, names, flip_tta=dataset == "cifar10")
    total_seconds = time.perf_counter() - start
    print(evaluation.report_text(y_test, probs, names))
    tta = f" (flip TTA {test['flip_tta_accuracy']:.4f})" if "flip_tta_accuracy" in test else ""
    print(f"test accuracy {test['accuracy']:.4f}{tta}, {total_seconds / 60:.1f} min in this process")

    data_info = {"dataset": dataset, "source": source, "sha256": data_lib.data_sha256(
        {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test})}
    record = artifacts.run_record(run, test, data_info, name)
    record["timing"]["process_seconds"] = total_seconds
    record["git_commit"] = commit
    artifacts.save_model(run.model, args.model)
    plots.save_figure(plots.training_curves(run.history, f"Training Loss and Accuracy ({name})"), args.output)
    artifacts.write_results(results_path(args), record)
    print(f"saved {args.model}, {args.output}, {results_path(args)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
