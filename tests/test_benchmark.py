"""helpers.benchmark: a tiny real run writes a complete benchmark record."""

import json
import subprocess
import sys

from helpers.paths import ROOT


def test_benchmark_measures_every_pipeline_and_writes_its_record(tmp_path):
    out = tmp_path / "bench.json"
    result = subprocess.run([sys.executable, "-m", "helpers.benchmark", "--data", "sample", "--images", "256",
                             "--repeats", "1", "--output", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    record = json.loads(out.read_text())
    speeds = record["images_per_second"]
    assert set(speeds) == {"original", "ours_b64", "ours", "ours_bf16", "compute_only", "pipeline_only"}
    assert record["batch_sizes"]["ours"] == record["batch_sizes"]["ours_bf16"] == 64
    assert record["bf16_speedup"] == speeds["ours_bf16"] / speeds["original"]
    assert all(value > 0 for value in speeds.values())
    assert record["speedup"] == speeds["ours"] / speeds["original"]
    assert record["images_per_measurement"] == 256 and record["versions"]["tensorflow"]
    assert "original" in result.stdout and "x" in result.stdout


def test_benchmark_refuses_nonsense():
    result = subprocess.run([sys.executable, "-m", "helpers.benchmark", "--images", "10"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 2 and "--images must be >= 128" in result.stderr
