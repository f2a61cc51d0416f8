"""Training throughput: the original project's pipeline against ours, side by side in one run, against
the machine's own arithmetic limit, and on a GPU under each precision and with XLA on and off.

``python -m lab.benchmark`` (or ``make bench``) trains MiniVGGNet on the CIFAR-10 training set
with each pipeline for the same number of images, in short bursts interleaved (A, B, C, A, B, C, ...).
Our machines switch speed for minutes at a time (``results/README.md``), so neither the fastest nor
the median burst of each contender measures a ratio fairly: a ratio is the **median of the ratios of
adjacent bursts** (A and B of the same round, measured seconds apart, in the same machine state),
reported with its range over the rounds (:func:`paired_ratio`). Absolute images/s are the fastest burst.

* ``original`` - what the Keras 2 project did: the images as a float64 numpy array scaled to
  [0, 1] (1.2 GB), one-hot labels, ``model.fit(x, y, batch_size=64)``.
* ``ours_b64`` - our uint8 ``tf.data`` pipeline at the same batch size (the pipeline alone changed).
* ``ours`` - our pipeline as the ``improved`` recipe trains: its batch size, per-example augmentation.

All three train in float32 without XLA, whatever the device. On a CPU, ``ours_bf16`` is ``ours`` under
Keras' ``mixed_bfloat16`` policy (bfloat16 arithmetic, float32 weights): a measured option, not counted
in ``speedup``.

Where the time goes: ``compute_only`` trains on one batch already in memory, over and over (no input
pipeline: the ceiling for any pipeline); ``pipeline_only`` runs our input pipeline with no model, at the
improved recipe's batch size and crop padding; ``matmul`` multiplies large float32 matrices on the same
device, interleaved with the rest: the arithmetic rate the hardware reaches at best. Training's own rate
is images/s x the FLOPs of one training step per image (:func:`training_flops_per_image`).

With a GPU (or ``--gpu-rows on``), the GPU rows follow: ``ours`` under float32, ``mixed_float16`` and
``mixed_bfloat16``, each with XLA on and off, and the ``fast`` recipe trained for real with the
device's automatic choices, timed to 82% validation accuracy. Without a GPU they are recorded as not
measured, with the reason.

It writes ``results/benchmark.json`` with every number, the machine and the versions.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from datetime import datetime
from pathlib import Path

import numpy as np

from helpers import data as data_lib
from helpers.devices import BFLOAT16_VERDICT, CPU_BFLOAT16_BY_DEFAULT, PRECISIONS, select_device
from helpers.paths import BUILD_DIR, RESULTS_DIR
from helpers.recipes import Recipe, get_recipe
from lab import provenance

# TensorFlow, Keras and helpers.training are imported inside the functions that measure, so that
# lab.report can render this module's text without loading TensorFlow.

TARGET = 0.82
"""The original project's accuracy: the ``fast`` recipe's GPU run is timed until validation reaches it."""


# --------------------------------------------------------------------------- what is measured

def _compiled(recipe: Recipe, x: np.ndarray, policy: str = "float32", jit_compile: bool = False):
    """A fresh compiled MiniVGGNet under the Keras dtype ``policy``, with or without XLA."""
    import keras

    from helpers import training

    previous = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy(policy)
    try:
        model = training.build_model("minivggnet", recipe, x)
        return training.compile_model(model, recipe, steps_per_epoch=1000, jit_compile=jit_compile)
    finally:
        keras.mixed_precision.set_global_policy(previous)


def _ours(recipe: Recipe, model, x: np.ndarray, y: np.ndarray, images: int):
    """A function that trains ``model`` on about ``images`` images from our pipeline; returns how many."""
    from helpers import training

    dataset = training.make_dataset(x, y, recipe.batch_size, training=True, augment=recipe.augment,
                                    crop_padding=recipe.crop_padding).repeat()
    steps = max(images // recipe.batch_size, 1)

    def fit():
        model.fit(dataset, epochs=1, steps_per_epoch=steps, verbose=0, shuffle=False)
        return steps * recipe.batch_size
    return fit


def contenders(x: np.ndarray, y: np.ndarray, images: int, bf16: bool = True) -> dict:
    """name -> a function that trains its own model on about ``images`` images and returns how many.
    ``bf16`` adds ``ours_bf16`` (measured on CPUs; on GPUs the GPU rows hold the precisions)."""
    import tensorflow as tf

    from helpers import training

    seed, improved = get_recipe("original"), get_recipe("improved")
    x64, onehot = x.astype("float64") / 255.0, np.eye(10)[y]  # the original's arrays

    def original(model=_compiled(seed, x), batch=seed.batch_size):
        model.fit(x64, onehot, batch_size=batch, epochs=1, steps_per_epoch=images // batch, verbose=0)
        return images // batch * batch

    batch = next(iter(training.make_dataset(x, y, improved.batch_size)))
    constant = tf.data.Dataset.from_tensors(batch).repeat()

    def compute_only(model=_compiled(improved, x)):
        model.fit(constant, epochs=1, steps_per_epoch=images // improved.batch_size, verbose=0, shuffle=False)
        return images // improved.batch_size * improved.batch_size

    fits = {
        "original": original,
        "ours_b64": _ours(seed.with_overrides(normalization="standardize"), _compiled(seed, x), x, y, images),
        "ours": _ours(improved, _compiled(improved, x), x, y, images),
        "ours_bf16": _ours(improved, _compiled(improved, x, policy="mixed_bfloat16"), x, y, images),
        "compute_only": compute_only,
    }
    if not bf16:
        del fits["ours_bf16"]
    return fits


def batch_sizes() -> dict:
    """The batch size each contender trains with (what the record's numbers were measured at)."""
    original, improved = get_recipe("original").batch_size, get_recipe("improved").batch_size
    return {"original": original, "ours_b64": original, "ours": improved, "ours_bf16": improved,
            "compute_only": improved, "pipeline_only": improved}


def gpu_contenders(x: np.ndarray, y: np.ndarray, images: int) -> dict:
    """The GPU rows: ``ours`` (the improved recipe's pipeline) under each of :data:`PRECISIONS`,
    with XLA on and off, named ``<precision>_xla_<on|off>``."""
    improved = get_recipe("improved")
    return {f"{policy}_xla_{'on' if jit else 'off'}": _ours(improved, _compiled(improved, x, policy, jit), x, y, images)
            for policy in PRECISIONS for jit in (False, True)}


def pipeline_only(x: np.ndarray, y: np.ndarray, images: int) -> float:
    """Images/s of our augmenting input pipeline alone (no model), as the improved recipe feeds it."""
    from helpers import training

    recipe = get_recipe("improved")
    dataset = training.make_dataset(x, y, recipe.batch_size, training=True, augment=recipe.augment,
                                    crop_padding=recipe.crop_padding).repeat()
    iterator = iter(dataset)
    next(iterator)
    steps = max(images // recipe.batch_size, 1)
    start = time.perf_counter()
    for _ in range(steps):
        next(iterator)
    return steps * recipe.batch_size / (time.perf_counter() - start)


def matmul(size: int = 2048, seconds: float = 1.0):
    """A function that multiplies two ``size`` x ``size`` float32 matrices on the default device for
    about ``seconds`` and returns the FLOPs it did (2 size^3 each): timed like the contenders, it gives
    the float32 matrix-multiply rate, the ceiling for training's arithmetic. (On GPUs from Ampere on,
    TensorFlow runs float32 matmuls on TF32 tensor cores unless told not to: the ceiling is that rate.)"""
    import tensorflow as tf

    a = tf.random.uniform((size, size), dtype=tf.float32)
    b = tf.random.uniform((size, size), dtype=tf.float32)

    def multiply():
        count, start = 0, time.perf_counter()
        while count == 0 or time.perf_counter() - start < seconds:
            for _ in range(4):
                c = tf.matmul(a, b)
            float(c[0, 0])  # wait for the device to finish
            count += 4
        return count * 2 * size ** 3
    return multiply


def training_flops_per_image() -> int:
    """FLOPs of one MiniVGGNet training step per CIFAR-10 image: 2 per multiply-add of the forward pass
    (convolutions and dense layers, from :func:`helpers.models.layer_table`), x3 for forward + backward."""
    from helpers import models

    return 3 * 2 * sum(row.macs for row in models.layer_table(models.build("minivggnet", (32, 32, 3))))


def paired_ratio(numerator: list[float], denominator: list[float]) -> dict:
    """The ratio of two contenders' speeds from interleaved bursts: the median of the per-round ratios
    ``numerator[r] / denominator[r]`` (adjacent bursts share the machine's state), with their range."""
    ratios = sorted(n / d for n, d in zip(numerator, denominator))
    return {"median": float(np.median(ratios)), "low": ratios[0], "high": ratios[-1], "rounds": len(ratios)}


def measure(fits: dict, repeats: int, verbose: bool = True, warm_up: bool = True) -> dict[str, list[float]]:
    """Time every function ``repeats`` times, interleaved, after one untimed warm-up each (tracing and
    first allocations; ``warm_up=False`` when the caller did it); returns name -> work done per second
    (images/s, or FLOP/s for ``matmul``)."""
    for fit in fits.values() if warm_up else ():
        fit()
    rates = {name: [] for name in fits}
    for repeat in range(repeats):
        for name, fit in fits.items():
            start = time.perf_counter()
            done = fit()
            rates[name].append(done / (time.perf_counter() - start))
            if verbose:
                unit = f"{rates[name][-1] / 1e9:7.1f} GFLOP/s" if name == "matmul" else f"{rates[name][-1]:7.1f} images/s"
                print(f"repeat {repeat + 1}/{repeats} {name:>22}: {unit}", flush=True)
    return rates


def time_to_accuracy(recipe: Recipe, x: np.ndarray, y: np.ndarray, run_dir: Path, target: float = TARGET,
                     device=None) -> dict:
    """Train ``recipe`` for real from scratch (``run_dir`` is emptied first, so nothing resumes) with the
    device's automatic choices, and report when validation accuracy first reached ``target``. A recipe
    that trains on all the images (the ``fast`` one) holds out the usual 10% here: the time to an
    accuracy needs images to measure it on."""
    from helpers import training
    from lab import artifacts

    recipe = recipe.with_overrides(val_fraction=recipe.val_fraction or 0.1)
    shutil.rmtree(run_dir, ignore_errors=True)
    run = training.train("minivggnet", recipe, (x, y), run_dir, device=device, verbose=2)
    reached = artifacts.milestones(run.history, (target,))[f"val_accuracy>={target:.2f}"]
    return {"recipe": recipe.to_dict(), "device": run.device.describe(), "target": target,
            "reached": reached, "best_val_accuracy": max(run.history.get("val_accuracy", [0.0])),
            "epochs": len(run.history.get("loss", [])), "train_seconds": run.train_seconds}


def gpu_rows(x: np.ndarray, y: np.ndarray, images: int, repeats: int, fast: Recipe | None = None,
             run_dir: Path | None = None, verbose: bool = True) -> dict:
    """The ``gpu`` section of the record: the GPU contenders' images/s (fastest repeat, interleaved), and the
    ``fast`` recipe's time to :data:`TARGET` (trained in ``run_dir``). Runs on whatever device TensorFlow
    uses: a CPU when forced (``on_gpu`` says which). A contender the device cannot run (bfloat16 needs
    compute capability 8.0 on GPUs) is recorded under ``failed`` with TensorFlow's message."""
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    fits, failed = gpu_contenders(x, y, images), {}
    for name, fit in list(fits.items()):
        try:
            fit()  # the warm-up, which also finds out whether the device can run it
        except (tf.errors.OpError, ValueError) as error:
            failed[name] = (str(error).strip().splitlines() or [type(error).__name__])[0][:300]
            del fits[name]
    rates = measure(fits, repeats, verbose, warm_up=False)
    return {
        "measured": True,
        "on_gpu": bool(gpus),
        "gpus": [tf.config.experimental.get_device_details(g).get("device_name", g.name) for g in gpus],
        "batch_size": get_recipe("improved").batch_size,
        "images_per_second": {name: max(values) for name, values in rates.items()},
        "samples": rates,
        "failed": failed,
        "fast_to_target": time_to_accuracy(fast or get_recipe("fast"), x, y,
                                           run_dir or BUILD_DIR / "runs" / "benchmark_fast"),
    }


def run(images: int = 1920, repeats: int = 11, source: str = "full", verbose: bool = True,
        gpu: str = "auto") -> dict:
    """Measure every contender ``repeats`` times, interleaved, ``images`` images each time; then the
    GPU rows when ``gpu`` is ``"on"``, or ``"auto"`` with a GPU present."""
    from helpers import environment

    environment.quiet_tensorflow()  # no start-up log lines
    import tensorflow as tf

    (x, y), _ = data_lib.load("cifar10", source)
    images = min(images, len(x) // 128 * 128)  # the original's arrays hold no more than that
    device = select_device(verbose=verbose)
    has_gpu = bool(tf.config.list_physical_devices("GPU"))
    fits = contenders(x, y, images, bf16=not has_gpu)
    fits["matmul"] = matmul()
    rates = measure(fits, repeats, verbose)
    best = {name: max(values) for name, values in rates.items()}  # the fastest repeat: see the module docstring
    matmul_gflops = best.pop("matmul") / 1e9
    best["pipeline_only"] = pipeline_only(x, y, images * 4)
    flops = training_flops_per_image()
    result = {
        "images_per_second": best,
        "samples": rates,
        "ratios": {name: paired_ratio(rates[name], rates["original"]) for name in rates if name not in ("original", "matmul")},
        "speedup": paired_ratio(rates["ours"], rates["original"])["median"],
        "speedup_same_batch": paired_ratio(rates["ours_b64"], rates["original"])["median"],
        "ceiling_speedup": paired_ratio(rates["compute_only"], rates["original"])["median"],
        "batch_sizes": batch_sizes(),
        "flops_per_image": flops,
        "matmul_gflops": matmul_gflops,
        "gflops": {name: ips * flops / 1e9 for name, ips in best.items() if name != "pipeline_only"},
        "images_per_measurement": images,
        "repeats": repeats,
        "device": device.describe(),
    }
    if "ours_bf16" in best:
        result["bf16_speedup"] = paired_ratio(rates["ours_bf16"], rates["original"])["median"]
        result["bf16_over_float32"] = paired_ratio(rates["ours_bf16"], rates["ours"])
    if gpu == "on" or (gpu == "auto" and has_gpu):
        result["gpu"] = gpu_rows(x, y, images, repeats, verbose=verbose)
    else:
        why = "skipped as asked (--gpu-rows off)" if gpu == "off" else "no GPU visible to TensorFlow on this machine"
        result["gpu"] = {"measured": False, "reason": why}
    return result


# --------------------------------------------------------------------------- what it means, in words

def finding(record: dict) -> str:
    """Where the training time goes, in words, from a benchmark record's numbers."""
    ips, share = record["images_per_second"], paired_ratio(record["samples"]["ours"], record["samples"]["compute_only"])
    return (f"Our pipeline trains at {share['median']:.0%} of the no-pipeline ceiling (one batch reused from memory; "
            f"median of {share['rounds']} adjacent-burst ratios, range {share['low']:.0%}-{share['high']:.0%}), "
            f"and the input pipeline alone "
            f"delivers {ips['pipeline_only']:.0f} images/s, {ips['pipeline_only'] / ips['ours']:.0f}x what training "
            f"consumes: the remaining time is the network's own forward and backward passes. Even a free input "
            f"pipeline would be {record['ceiling_speedup']:.2f}x the original here; more speed needs less arithmetic "
            f"per image (a GPU, or lower precision), not a faster pipeline.")


def hardware_line(record: dict) -> str | None:
    """Training's arithmetic rate against the float32 matrix-multiply rate measured in the same run."""
    if "matmul_gflops" not in record:
        return None
    flops, ours = record["flops_per_image"], record["gflops"]["ours"]
    return (f"Against the hardware: one training image costs {flops / 1e6:.0f} MFLOP (forward multiply-adds from "
            f"the layer table, x2 FLOPs, x3 with the backward pass), so ours computes {ours:.0f} GFLOP/s, "
            f"{ours / record['matmul_gflops']:.0%} of the {record['matmul_gflops']:.0f} GFLOP/s a large float32 "
            f"matrix multiply reaches on the same device in the same run.")


def gpu_line(record: dict) -> str:
    """The GPU rows in words, or why they are still to be measured."""
    gpu = record.get("gpu") or {"measured": False, "reason": "no GPU run of `make bench` has been recorded"}
    if not gpu["measured"]:
        return (f"GPU rows (images/s with XLA on and off in each precision, and the fast recipe's time to "
                f"{TARGET:.0%} validation accuracy): **still to be measured** ({gpu['reason']}); `make bench` "
                f"records them on a machine with a GPU.")
    where = ", ".join(gpu["gpus"]) if gpu["on_gpu"] else "no GPU (forced on the CPU: not GPU figures)"
    ips = gpu["images_per_second"]

    def speed(name):
        return f"{ips[name]:.0f}" if name in ips else "failed"
    rows = "; ".join(f"{policy} {speed(policy + '_xla_off')} (XLA off) / {speed(policy + '_xla_on')} (XLA on)"
                     for policy in PRECISIONS)
    fast = gpu["fast_to_target"]
    reached = (f"reached {TARGET:.0%} validation accuracy at epoch {fast['reached']['epoch']}, after "
               f"{fast['reached']['seconds'] / 60:.1f} min of training" if fast["reached"] else
               f"did not reach {TARGET:.0%} in {fast['epochs']} epochs (best {fast['best_val_accuracy']:.2%})")
    return (f"On {where}, ours at batch {gpu['batch_size']} trains at (images/s) {rows}. The fast recipe, "
            f"trained for real with the device's automatic choices, {reached}.")


def _ratio_words(record: dict, name: str, base: str = "original", versus: str = "the original") -> str:
    """``1.46x the original (median of 5 adjacent-burst ratios, range ...)``, from the record's bursts."""
    ratio = paired_ratio(record["samples"][name], record["samples"][base])
    return (f"**{ratio['median']:.2f}x** {versus} (median of {ratio['rounds']} adjacent-burst ratios, "
            f"range {ratio['low']:.2f}-{ratio['high']:.2f})")


def repeat_line(record: dict, repeat: dict) -> str:
    """Whether an earlier run's ratios (``repeat``) and this run's lie within each other's ranges."""
    agree = []
    for name in (n for n in ("ours", "ours_b64", "ours_bf16") if n in record["samples"] and n in repeat["samples"]):
        a, b = (paired_ratio(r["samples"][name], r["samples"]["original"]) for r in (record, repeat))
        agree.append(a["low"] <= b["median"] <= a["high"] and b["low"] <= a["median"] <= b["high"])
    return (f"Repeatability: the run just before this one, back to back on the same machine "
            f"([`results/benchmark_repeat.json`](results/benchmark_repeat.json), {repeat['machine']['cpu']}), "
            f"gave ours {_ratio_words(repeat, 'ours')}; {sum(agree)} of the {len(agree)} ratios to the original "
            f"agree between the two runs (each run's median inside the other run's range).")


def summary(record: dict, repeat: dict | None = None) -> list[str]:
    """The README's paragraphs about a benchmark record and, if given, the run repeated just before it
    (``lab.report`` places them)."""
    ips, machine = record["images_per_second"], record["machine"]
    bf16 = f", native bfloat16: {', '.join(machine['cpu_bf16'])}" if machine.get("cpu_bf16") else ""
    lines = [f"Training throughput (`make bench` on a {machine['cpu_cores']}-core {machine['cpu']}{bf16}): "
             f"original pipeline {ips['original']:.0f} images/s, ours {ips['ours']:.0f} images/s (fastest bursts); "
             f"ours is {_ratio_words(record, 'ours')}; "
             f"{paired_ratio(record['samples']['ours_b64'], record['samples']['original'])['median']:.2f}x for our "
             f"pipeline feeding the original's recipe, without augmentation. "
             f"See [`results/benchmark.json`](results/benchmark.json).", "", finding(record)]
    gap = (datetime.fromisoformat(record["created"]) - datetime.fromisoformat(repeat["created"])).total_seconds() \
        if repeat and "created" in record else None
    if gap is not None and 0 < gap < 3600:  # only a run made just before this one is a repeat of it
        lines += ["", repeat_line(record, repeat)]
    if hardware_line(record):
        lines += ["", hardware_line(record)]
    if "ours_bf16" in ips:
        lines += ["", f"With bfloat16 arithmetic (`mixed_bfloat16`, measured in the same run; "
                      f"{'the default on such CPUs' if CPU_BFLOAT16_BY_DEFAULT else 'not the default'}: "
                      f"{BFLOAT16_VERDICT}) ours trains at {ips['ours_bf16']:.0f} images/s, "
                      f"{_ratio_words(record, 'ours_bf16', 'ours', 'our float32')}."]
    return lines + ["", gpu_line(record)]


# --------------------------------------------------------------------------- command line

def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--images", type=int, default=1920, help="training images per timed burst")
    parser.add_argument("--repeats", type=int, default=11, help="rounds of bursts (ratios: the median over rounds)")
    parser.add_argument("--data", default="full", choices=["full", "sample"])
    parser.add_argument("--gpu-rows", default="auto", choices=["auto", "on", "off"],
                        help="the GPU rows (precisions x XLA, the fast recipe's time to 82%%): auto = when a GPU is present")
    parser.add_argument("--output", default=str(RESULTS_DIR / "benchmark.json"))
    args = parser.parse_args(argv)
    if args.images < 128 or args.repeats < 1:
        parser.error("--images must be >= 128 and --repeats >= 1")
    if args.gpu_rows == "on" and Path(args.output).resolve().is_relative_to(RESULTS_DIR.resolve()):
        import tensorflow as tf

        if not tf.config.list_physical_devices("GPU"):
            parser.error("--gpu-rows on without a GPU measures the CPU: write it outside results/ (--output)")
    try:
        result = run(args.images, args.repeats, args.data, gpu=args.gpu_rows)
    except (data_lib.DatasetNotFoundError, data_lib.DatasetError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    record = {"benchmark": "training throughput, MiniVGGNet on CIFAR-10", **result, **provenance.collect()}
    record["finding"] = finding(record)
    provenance.write_json(args.output, record)
    ips = result["images_per_second"]
    print(f"original {ips['original']:.0f} img/s, ours {ips['ours']:.0f} img/s: {result['speedup']:.2f}x "
          f"(same batch {result['speedup_same_batch']:.2f}x; no-pipeline ceiling {ips['compute_only']:.0f} img/s, "
          f"pipeline alone {ips['pipeline_only']:.0f} img/s) -> {args.output}\n" + "\n".join(summary(record)[2:]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
