"""Training throughput: the original project's pipeline against ours, side by side in one run.

``python -m helpers.benchmark`` (or ``make bench``) trains MiniVGGNet on the CIFAR-10 training set
with each pipeline for the same number of images, interleaved (A, B, C, A, B, C, ...) so that a
busy machine slows all of them alike, and keeps the median images/s of each:

* ``original`` - what the Keras 2 project did: the images as a float64 numpy array scaled to
  [0, 1] (1.2 GB), one-hot labels, ``model.fit(x, y, batch_size=64)``.
* ``ours_b64`` - our uint8 ``tf.data`` pipeline at the same batch size (the pipeline alone changed).
* ``ours`` - our pipeline as the ``improved`` recipe trains: its batch size, per-example augmentation.

``ours_bf16`` is ``ours`` with Keras' ``mixed_bfloat16`` policy (bfloat16 arithmetic, float32
weights): a measured option, not our training default, and not counted in ``speedup`` because no
reference run has shown its accuracy yet.

Two more measurements say where the time goes (the profile): ``compute_only`` trains on one batch
already in memory, over and over (no input pipeline at all: the ceiling for any pipeline), and
``pipeline_only`` runs our input pipeline with no model (how fast it can feed one).

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
import tensorflow as tf

from helpers import data as data_lib
from helpers import provenance, report, training
from helpers.paths import RESULTS_DIR
from helpers.recipes import get_recipe


def _compiled(recipe, x, policy: str | None = None):
    """A fresh compiled MiniVGGNet; ``policy`` builds it under another Keras dtype policy."""
    previous = keras.mixed_precision.global_policy()
    if policy:
        keras.mixed_precision.set_global_policy(policy)
    try:
        model = training.build_model("minivggnet", recipe, x)
        return training.compile_model(model, recipe, steps_per_epoch=1000)
    finally:
        keras.mixed_precision.set_global_policy(previous)


def contenders(x: np.ndarray, y: np.ndarray, images: int) -> dict:
    """name -> a function that trains its own model on about ``images`` images."""
    seed = get_recipe("seed")
    improved = get_recipe("improved")
    x64, onehot = x.astype("float64") / 255.0, np.eye(10)[y]  # the original's arrays

    def original(model=_compiled(seed, x), batch=seed.batch_size):
        model.fit(x64, onehot, batch_size=batch, epochs=1, steps_per_epoch=images // batch, verbose=0)
        return images // batch * batch

    def ours(recipe, model):
        dataset = training.make_dataset(x, y, recipe.batch_size, training=True, augment=recipe.augment,
                                        crop_padding=recipe.crop_padding).repeat()

        def fit():
            model.fit(dataset, epochs=1, steps_per_epoch=images // recipe.batch_size, verbose=0, shuffle=False)
            return images // recipe.batch_size * recipe.batch_size
        return fit

    batch = next(iter(training.make_dataset(x, y, improved.batch_size)))
    constant = tf.data.Dataset.from_tensors(batch).repeat()

    def compute_only(model=_compiled(improved, x)):
        model.fit(constant, epochs=1, steps_per_epoch=images // improved.batch_size, verbose=0, shuffle=False)
        return images // improved.batch_size * improved.batch_size

    return {
        "original": original,
        "ours_b64": ours(seed.with_overrides(normalization="standardize"), _compiled(seed, x)),
        "ours": ours(improved, _compiled(improved, x)),
        "ours_bf16": ours(improved, _compiled(improved, x, policy="mixed_bfloat16")),
        "compute_only": compute_only,
    }


def batch_sizes() -> dict:
    """The batch size each contender trains with (what the record's numbers were measured at)."""
    original, improved = get_recipe("seed").batch_size, get_recipe("improved").batch_size
    return {"original": original, "ours_b64": original, "ours": improved, "ours_bf16": improved,
            "compute_only": improved}


def pipeline_only(x: np.ndarray, y: np.ndarray, images: int) -> float:
    """Images/s of our augmenting input pipeline alone (no model)."""
    dataset = training.make_dataset(x, y, 128, training=True, augment=True).repeat()
    iterator = iter(dataset)
    next(iterator)
    start = time.perf_counter()
    for _ in range(images // 128):
        next(iterator)
    return images // 128 * 128 / (time.perf_counter() - start)


def run(images: int = 6400, repeats: int = 3, source: str = "full", verbose: bool = True) -> dict:
    """Measure every contender ``repeats`` times, interleaved, ``images`` images each time."""
    (x, y), _ = data_lib.load("cifar10", source)
    images = min(images, len(x) // 128 * 128)  # the original's arrays hold no more than that
    device = training.select_device(verbose=verbose)
    fits = contenders(x, y, images)
    for fit in fits.values():
        fit()  # warm-up: tracing and first allocations are not timed
    speeds = {name: [] for name in fits}
    for repeat in range(repeats):
        for name, fit in fits.items():
            start = time.perf_counter()
            done = fit()
            speeds[name].append(done / (time.perf_counter() - start))
            if verbose:
                print(f"repeat {repeat + 1}/{repeats} {name:>12}: {speeds[name][-1]:7.1f} images/s", flush=True)
    medians = {name: statistics.median(values) for name, values in speeds.items()}
    medians["pipeline_only"] = pipeline_only(x, y, images * 4)
    return {
        "images_per_second": medians,
        "samples": speeds,
        "speedup": medians["ours"] / medians["original"],
        "speedup_same_batch": medians["ours_b64"] / medians["original"],
        "ceiling_speedup": medians["compute_only"] / medians["original"],
        "bf16_speedup": medians["ours_bf16"] / medians["original"],
        "batch_sizes": batch_sizes(),
        "images_per_measurement": images,
        "repeats": repeats,
        "device": device.describe(),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--images", type=int, default=6400, help="training images per timed measurement")
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
    record["finding"] = report.finding(record)
    provenance.write_json(args.output, record)
    ips = result["images_per_second"]
    print(f"original {ips['original']:.0f} img/s, ours {ips['ours']:.0f} img/s: {result['speedup']:.2f}x "
          f"(same batch {result['speedup_same_batch']:.2f}x; no-pipeline ceiling {ips['compute_only']:.0f} img/s, "
          f"pipeline alone {ips['pipeline_only']:.0f} img/s; bfloat16 {result['bf16_speedup']:.2f}x) -> {args.output}\n"
          f"{record['finding']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())


def images_per_second(arch: str, recipe, x: np.ndarray, y: np.ndarray, steps: int = 12) -> float:
    """Training speed of a fresh ``arch`` with ``recipe`` and our pipeline on this device: one
    untimed warm-up (tracing), then ``steps`` timed batches. Nothing trained elsewhere is touched."""
    model = training.compile_model(training.build_model(arch, recipe, x), recipe, steps_per_epoch=steps)
    dataset = training.make_dataset(x, y, recipe.batch_size, training=True, augment=recipe.augment,
                                    crop_padding=recipe.crop_padding).repeat()
    model.fit(dataset, epochs=1, steps_per_epoch=2, verbose=0, shuffle=False)
    start = time.perf_counter()
    model.fit(dataset, epochs=1, steps_per_epoch=steps, verbose=0, shuffle=False)
    return steps * recipe.batch_size / (time.perf_counter() - start)
