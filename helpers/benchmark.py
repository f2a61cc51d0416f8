"""Training throughput: the original project's pipeline against ours, side by side in one run.

``python -m helpers.benchmark`` (or ``make bench``) trains MiniVGGNet for one epoch at a time on
the same images with each pipeline, interleaved (A, B, C, A, B, C, ...) so that a busy machine
slows all of them alike, and keeps the median images/s of each:

* ``original`` - what the Keras 2 project did: the images as a float64 numpy array scaled to
  [0, 1], one-hot labels, ``model.fit(x, y, batch_size=64)``.
* ``ours_b64`` - our uint8 ``tf.data`` pipeline at the same batch size (the pipeline alone).
* ``ours`` - our pipeline as the ``improved`` recipe trains (batch 128, augmentation).

It writes ``results/benchmark.json`` with the images/s of each, the ``speedup`` of ``ours`` over
``original``, the machine and the versions.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import keras
import numpy as np

from helpers import data as data_lib
from helpers import provenance, training
from helpers.paths import RESULTS_DIR
from helpers.recipes import get_recipe


def _original_fit(x: np.ndarray, y: np.ndarray, batch_size: int):
    """The original project's input: float64 arrays in [0, 1] and one-hot labels straight into fit."""
    x64 = x.astype("float64") / 255.0
    onehot = np.eye(10)[y]

    def fit(model):
        model.fit(x64, onehot, batch_size=batch_size, epochs=1, verbose=0)

    return fit, "unit"


def _ours_fit(x: np.ndarray, y: np.ndarray, batch_size: int, augment: bool):
    dataset = training.make_dataset(x, y, batch_size, training=True, augment=augment)

    def fit(model):
        model.fit(dataset, epochs=1, verbose=0, shuffle=False)

    return fit, "standardize"


def variants(x: np.ndarray, y: np.ndarray) -> dict:
    """The pipelines compared: name -> (fit function, normalisation, batch size)."""
    return {
        "original": (*_original_fit(x, y, 64), 64),
        "ours_b64": (*_ours_fit(x, y, 64, augment=False), 64),
        "ours": (*_ours_fit(x, y, 128, augment=True), 128),
    }


def run(images: int = 4096, repeats: int = 3, source: str = "full", verbose: bool = True) -> dict:
    """Measure every variant ``repeats`` times, interleaved, on ``images`` training images."""
    (x, y), _ = data_lib.load("cifar10", source)
    x, y = x[:images], y[:images]
    device = training.select_device(verbose=verbose)
    contenders = variants(x, y)
    models = {}
    for name, (fit, normalization, batch) in contenders.items():
        recipe = get_recipe("seed").with_overrides(normalization=normalization, batch_size=batch)
        model = training.build_model("minivggnet", recipe, x)
        training.compile_model(model, recipe, steps_per_epoch=int(np.ceil(len(x) / batch)))
        fit(model)  # warm-up: tracing and first-epoch allocations are not timed
        models[name] = model
    speeds = {name: [] for name in contenders}
    for repeat in range(repeats):
        for name, (fit, _, _) in contenders.items():
            start = time.perf_counter()
            fit(models[name])
            speeds[name].append(len(x) / (time.perf_counter() - start))
            if verbose:
                print(f"repeat {repeat + 1}/{repeats} {name:>9}: {speeds[name][-1]:7.1f} images/s", flush=True)
    medians = {name: statistics.median(values) for name, values in speeds.items()}
    return {
        "images_per_second": medians,
        "samples": speeds,
        "speedup": medians["ours"] / medians["original"],
        "speedup_same_batch": medians["ours_b64"] / medians["original"],
        "images": len(x),
        "repeats": repeats,
        "device": device.describe(),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--images", type=int, default=4096, help="training images per timed epoch")
    parser.add_argument("--repeats", type=int, default=3, help="timed epochs per pipeline (median kept)")
    parser.add_argument("--data", default="full", choices=["full", "sample"])
    parser.add_argument("--output", default=str(RESULTS_DIR / "benchmark.json"))
    args = parser.parse_args(argv)
    if args.images < 128 or args.repeats < 1:
        parser.error("--images must be >= 128 and --repeats >= 1")
    try:
        result = run(args.images, args.repeats, args.data)
    except (data_lib.DatasetNotFoundError, data_lib.DatasetError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    record = {"benchmark": "training throughput, MiniVGGNet on CIFAR-10", **result, **provenance.collect()}
    provenance.write_json(args.output, record)
    print(f"original {result['images_per_second']['original']:.0f} img/s, ours "
          f"{result['images_per_second']['ours']:.0f} img/s: {result['speedup']:.2f}x -> {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())


def images_per_second(arch: str, recipe, x: np.ndarray, y: np.ndarray, steps: int = 12) -> float:
    """Training speed of a fresh ``arch`` with ``recipe`` and our pipeline on this device: one
    untimed warm-up (tracing), then ``steps`` timed batches. Nothing trained elsewhere is touched."""
    model = training.compile_model(training.build_model(arch, recipe, x), recipe, steps_per_epoch=steps)
    dataset = training.make_dataset(x, y, recipe.batch_size, training=True, augment=recipe.augment).repeat()
    model.fit(dataset, epochs=1, steps_per_epoch=2, verbose=0, shuffle=False)
    start = time.perf_counter()
    model.fit(dataset, epochs=1, steps_per_epoch=steps, verbose=0, shuffle=False)
    return steps * recipe.batch_size / (time.perf_counter() - start)
