"""lab.benchmark: a tiny real run writes a complete benchmark record; the GPU rows run (forced) on
the CPU without ever reaching results/; the README text follows the record."""

import json
import subprocess
import sys

import keras
import pytest

from lab import benchmark
from helpers.paths import ROOT
from helpers.recipes import get_recipe


def test_benchmark_measures_every_pipeline_and_writes_its_record(tmp_path):
    out = tmp_path / "bench.json"
    result = subprocess.run([sys.executable, "-m", "lab.benchmark", "--data", "sample", "--images", "256",
                             "--repeats", "1", "--output", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    record = json.loads(out.read_text())
    speeds = record["images_per_second"]
    assert set(speeds) == {"original", "ours_b64", "ours", "ours_bf16", "compute_only", "pipeline_only"}
    assert record["batch_sizes"]["ours"] == record["batch_sizes"]["ours_bf16"] == record["batch_sizes"]["pipeline_only"] == 64
    assert record["bf16_speedup"] == record["ratios"]["ours_bf16"]["median"]
    assert all(value > 0 for value in speeds.values())
    assert record["speedup"] == record["ratios"]["ours"]["median"]  # the median of adjacent-burst ratios
    assert record["machine"]["cpu"] and "cpu_bf16" in record["machine"]
    assert record["images_per_measurement"] == 256 and record["versions"]["tensorflow"]
    # against the hardware: 26,579,968 multiply-adds forward (the layer table), x2 FLOPs, x3 with backward
    assert record["flops_per_image"] == 6 * 26_579_968
    assert record["matmul_gflops"] > 0 and len(record["samples"]["matmul"]) == 1
    assert record["gflops"]["ours"] == pytest.approx(speeds["ours"] * record["flops_per_image"] / 1e9)
    assert record["gpu"] == {"measured": False, "reason": "no GPU visible to TensorFlow on this machine"}
    share = record["samples"]["ours"][0] / record["samples"]["compute_only"][0]  # one round: the ratio of its two bursts
    assert f"Our pipeline trains at {share:.0%} of the no-pipeline ceiling" in record["finding"], "a paired ratio, not fastest-of"
    assert "original" in result.stdout and "GFLOP/s" in result.stdout and "still to be measured" in result.stdout


def test_gpu_rows_run_forced_on_the_cpu(cifar_sample, tmp_path):
    (x, y), _ = cifar_sample
    try:
        section = benchmark.gpu_rows(x[:320], y[:320], images=64, repeats=1, verbose=False,
                                     fast=get_recipe("fast", epochs=1, batch_size=64), run_dir=tmp_path / "fast")
    finally:
        keras.mixed_precision.set_global_policy("float32")
    expected = {f"{p}_xla_{s}" for p in benchmark.PRECISIONS for s in ("on", "off")}
    assert set(section["images_per_second"]) | set(section["failed"]) == expected
    assert section["failed"] == {}, "every precision and XLA setting runs on a CPU"
    assert all(v > 0 for v in section["images_per_second"].values()) and section["on_gpu"] is False
    fast = section["fast_to_target"]
    assert fast["epochs"] == 1 and fast["recipe"]["name"] == "fast" and 0 < fast["best_val_accuracy"] <= 1
    assert fast["recipe"]["val_fraction"] > 0, "the time to a validation accuracy needs a validation set"
    assert fast["reached"] is None or fast["reached"]["epoch"] == 1
    assert "forced on the CPU: not GPU figures" in benchmark.gpu_line({"gpu": section})


def test_gpu_rows_forced_without_a_gpu_never_reach_results():
    result = subprocess.run([sys.executable, "-m", "lab.benchmark", "--gpu-rows", "on", "--data", "sample"],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 2 and "--gpu-rows on without a GPU measures the CPU" in result.stderr


def test_the_text_says_what_was_measured():
    record = {"images_per_second": {"original": 500.0, "ours_b64": 600.0, "ours": 650.0, "compute_only": 700.0,
                                    "pipeline_only": 40000.0},
              "samples": {"original": [500.0], "ours_b64": [600.0], "ours": [650.0], "compute_only": [700.0]},
              "speedup": 1.3, "speedup_same_batch": 1.2, "ceiling_speedup": 1.4,
              "machine": {"cpu_cores": 2, "cpu": "Test CPU"},
              "flops_per_image": 160_000_000, "matmul_gflops": 200.0, "gflops": {"ours": 104.0}}
    text = "\n".join(benchmark.summary(record))
    assert "160 MFLOP" in text and "104 GFLOP/s, 52% of the 200 GFLOP/s" in text
    assert "ours is **1.30x** the original (median of 1 adjacent-burst ratios" in text
    assert "**still to be measured** (no GPU run of `make bench` has been recorded)" in text
    assert "Repeatability" not in text
    record["created"] = "2026-12-01T13:00:00+00:00"
    repeat = {**record, "created": "2026-12-01T12:55:00+00:00", "samples": {**record["samples"], "ours": [1000.0]}}
    text = "\n".join(benchmark.summary(record, repeat))
    assert "gave ours **2.00x** the original" in text and "1 of the 2 ratios to the original agree" in text
    stale = {**repeat, "created": "2026-11-01T12:55:00+00:00"}
    assert "Repeatability" not in "\n".join(benchmark.summary(record, stale)), "an old run is no repeat of this one"
    rows = {f"{p}_xla_{s}": 1000.0 for p in benchmark.PRECISIONS for s in ("on", "off")}
    del rows["mixed_bfloat16_xla_on"]
    record["gpu"] = {"measured": True, "on_gpu": True, "gpus": ["Test GPU"], "batch_size": 64,
                     "images_per_second": rows, "failed": {"mixed_bfloat16_xla_on": "unsupported"},
                     "fast_to_target": {"reached": {"epoch": 5, "seconds": 90.0}, "epochs": 12, "best_val_accuracy": 0.85}}
    line = benchmark.gpu_line(record)
    assert line.startswith("On Test GPU, ours at batch 64") and "mixed_bfloat16 1000 (XLA off) / failed (XLA on)" in line
    assert "at epoch 5, after 1.5 min" in line


def test_benchmark_refuses_nonsense():
    result = subprocess.run([sys.executable, "-m", "lab.benchmark", "--images", "10"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 2 and "--images must be >= 128" in result.stderr


def test_paired_ratio_recovers_a_known_ratio_through_speed_switches():
    """The machine halves a process's speed for minutes at a time. Contender A is truly 1.5x B. Here the
    machine is slow for six rounds, switches to full speed between A's and B's bursts of the seventh,
    and stays fast for B's burst only: the fastest burst of each gives 0.75x; the median of the ratios
    of adjacent bursts (same round, same machine state) gives 1.5x."""
    speed = {"fast": 100.0, "slow": 50.0}  # B's images/s in each state
    rounds = [("slow", "slow")] * 6 + [("slow", "fast")]
    a = [1.5 * speed[state_a] for state_a, _ in rounds]
    b = [speed[state_b] for _, state_b in rounds]
    assert max(a) / max(b) == pytest.approx(0.75), "the fastest-of-each estimate is fooled"
    ratio = benchmark.paired_ratio(a, b)
    assert ratio["median"] == pytest.approx(1.5) and ratio["rounds"] == 7
    assert (ratio["low"], ratio["high"]) == (pytest.approx(0.75), pytest.approx(1.5))
