"""helpers.report: the README table and target lines come from the results files, and only from them."""

import json

from helpers import report


def fake_record(accuracy, epochs=30, process_seconds=600.0, name="improved"):
    return {
        "arch": "minivggnet", "epochs_run": epochs,
        "recipe": {"name": name, "optimizer": "adamw", "learning_rate": 0.003, "weight_decay": 0.01,
                   "label_smoothing": 0.0, "augment": True, "batch_size": 128},
        "history": {"val_accuracy": [0.5, 0.83]},
        "milestones": {"val_accuracy>=0.82": {"epoch": 2, "seconds": 120.0}},
        "timing": {"train_seconds": 500.0, "process_seconds": process_seconds},
        "test": {"accuracy": accuracy, "flip_tta_accuracy": accuracy + 0.005},
        "device": {"kind": "cpu", "names": ["cpu"]}, "data": {"dataset": "cifar10", "split": {"train": 45000, "validation": 5000}}, "machine": {"cpu_cores": 2, "cpu": "Test CPU"},
    }


def test_targets_follow_the_numbers(tmp_path, monkeypatch):
    monkeypatch.setattr(report, "RESULTS_DIR", tmp_path)
    (tmp_path / "minivggnet_improved.json").write_text(json.dumps(fake_record(0.8851)))
    (tmp_path / "minivggnet_fast.json").write_text(json.dumps(fake_record(0.8210, 12, 1260.0, "fast")))
    lines = report.targets()
    assert "**met** (88.51% in 30 epochs" in lines[0]
    assert "**not met yet** (82.10% after 21.0 min)" in lines[1]
    table = report.render()
    assert "| MiniVGGNet, improved recipe | **88.51%** | 89.01% | 30 | 8.3 min / 10.0 min | epoch 2, 2.0 min |" in table
    assert "| minivggnet_fast | minivggnet | fast | adamw | 0.003 |" in table and "| 0.8210 | 82.60% |" in table


def test_empty_results_say_so(tmp_path, monkeypatch):
    monkeypatch.setattr(report, "RESULTS_DIR", tmp_path)
    assert report.targets() == []
    assert "No reference run has been recorded yet" in report.render()


def test_a_run_without_validation_is_labelled_not_failed(tmp_path, monkeypatch):
    monkeypatch.setattr(report, "RESULTS_DIR", tmp_path)
    record = fake_record(0.8851)
    record["history"] = {"accuracy": [0.5, 0.8]}
    record["milestones"] = {"val_accuracy>=0.82": None}
    record["data"]["split"] = {"train": 50000, "validation": 0}
    record["recipe"]["crop_padding"] = 2
    (tmp_path / "minivggnet_improved.json").write_text(json.dumps(record))
    table = report.render()
    assert "| 30 | 8.3 min / 10.0 min | n/a (no validation set held out) |" in table
    assert "| crop (pad 2) + flip | 128 | 30 | 50000 / 0 | none held out | 0.8851 |" in table


def test_a_better_attempt_is_named_beside_the_reference(tmp_path, monkeypatch):
    monkeypatch.setattr(report, "RESULTS_DIR", tmp_path)
    (tmp_path / "minivggnet_improved.json").write_text(json.dumps(fake_record(0.8750)))
    (tmp_path / "minivggnet_trial.json").write_text(json.dumps(fake_record(0.8790)))
    (tmp_path / "minivggnet_long.json").write_text(json.dumps(fake_record(0.8990, epochs=70)))
    line = report.targets()[0]
    assert "**not met yet** (87.50% in 30 epochs; 88.00% with flip TTA; best recorded attempt `minivggnet_trial`: 87.90%" in line
    assert report.best_attempt() == ("minivggnet_trial", json.loads((tmp_path / "minivggnet_trial.json").read_text()))


def test_benchmark_lines_include_bfloat16_only_when_measured(tmp_path, monkeypatch):
    monkeypatch.setattr(report, "RESULTS_DIR", tmp_path)
    bench = {"images_per_second": {"original": 500.0, "ours_b64": 700.0, "ours": 600.0, "compute_only": 610.0,
                                   "pipeline_only": 40000.0},
             "speedup": 1.2, "speedup_same_batch": 1.4, "ceiling_speedup": 1.22,
             "machine": {"cpu_cores": 2, "cpu": "Test CPU"}}
    (tmp_path / "benchmark.json").write_text(json.dumps(bench))
    assert "**1.20x**" in report.render() and "bfloat16" not in report.render()
    bench["images_per_second"]["ours_bf16"] = 1300.0
    bench["bf16_speedup"] = 2.6
    (tmp_path / "benchmark.json").write_text(json.dumps(bench))
    assert "ours trains at 1300 images/s, 2.60x the original." in report.render()
    bench["images_per_second"]["ours_bf16"] = 610.0
    (tmp_path / "benchmark.json").write_text(json.dumps(bench))
    assert "610 images/s" in report.render() and "no faster than float32 on this CPU" in report.render()
