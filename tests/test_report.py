"""lab.report: the README table and target lines come from the results files, and only from them."""

import json

from lab import report


def fake_record(accuracy, epochs=30, process_seconds=600.0, name="improved", val=0.83):
    return {
        "arch": "minivggnet", "epochs_run": epochs,
        "recipe": {"name": name, "optimizer": "adamw", "learning_rate": 0.003, "weight_decay": 0.01,
                   "label_smoothing": 0.0, "augment": True, "batch_size": 128},
        "history": {"val_accuracy": [0.5, val]},
        "milestones": {"val_accuracy>=0.82": {"epoch": 2, "seconds": 120.0}},
        "timing": {"train_seconds": 500.0, "process_seconds": process_seconds},
        "test": {"accuracy": accuracy, "flip_tta_accuracy": accuracy + 0.005, "ece": 0.02},
        "device": {"kind": "cpu", "names": ["cpu"], "precision": "float32"}, "data": {"dataset": "cifar10", "split": {"train": 45000, "validation": 5000}}, "machine": {"cpu_cores": 2, "cpu": "Test CPU"},
    }


def test_targets_follow_the_numbers(tmp_path, monkeypatch):
    monkeypatch.setattr(report, "RESULTS_DIR", tmp_path)
    (tmp_path / "minivggnet_improved.json").write_text(json.dumps(fake_record(0.8851)))
    (tmp_path / "minivggnet_fast.json").write_text(json.dumps(fake_record(0.8210, 12, 1260.0, "fast")))
    lines = report.targets()
    assert "**not met yet** (`minivggnet_improved`: 88.51% in 30 epochs, 89.01% with flip TTA" in lines[0]
    assert "**not met yet** (`minivggnet_fast`: 82.10% in 12 epochs); its wall time <= 4 min" in lines[1]
    assert "**not met yet** (21.0 min)" in lines[1]
    (tmp_path / "minivggnet_improved.json").write_text(json.dumps(fake_record(0.8910)))
    (tmp_path / "minivggnet_fast.json").write_text(json.dumps(fake_record(0.8210, 5, 200.0, "fast")))
    lines = report.targets()
    assert "**met** (`minivggnet_improved`: 89.10%" in lines[0] and "**met** (`minivggnet_fast`: 82.10% in 5 epochs" in lines[1]
    assert "**met** (3.3 min)" in lines[1]
    table = report.render()
    assert "| MiniVGGNet, improved recipe (all 50,000 images) | **89.10%** | 89.60% | 30 | 8.3 min / 10.0 min | epoch 2, 2.0 min |" in table
    assert "- `minivggnet_improved`: the series' model" in table, "each reference run's role is spelled out"


def test_seed_repeats_give_the_mean_and_spread_of_the_main_recipe(tmp_path, monkeypatch):
    monkeypatch.setattr(report, "RESULTS_DIR", tmp_path)
    runs = {"minivggnet_improved": (42, 0.8900), "minivggnet_improved_seed43": (43, 0.8860),
            "minivggnet_other": (44, 0.8000)}
    for name, (seed, accuracy) in runs.items():
        record = {**fake_record(accuracy), "name": name, "seed": seed}
        if name == "minivggnet_other":
            record["recipe"] = {**record["recipe"], "learning_rate": 0.001}  # another experiment, not a repeat
        (tmp_path / f"{name}.json").write_text(json.dumps(record))
    assert list(report.seed_repeats(json.loads((tmp_path / "minivggnet_improved.json").read_text()))) == [42, 43]
    line = report.targets()[1]
    assert line.startswith("  - the same recipe over 2 seeds (42, 43: `minivggnet_improved`, `minivggnet_improved_seed43`)")
    assert "mean 88.80% (from 88.60% to 89.00%), with flip TTA mean 89.30% (from 89.10% to 89.50%)" in line


def test_attempts_are_ranked_by_validation_never_by_test(tmp_path, monkeypatch):
    monkeypatch.setattr(report, "RESULTS_DIR", tmp_path)
    (tmp_path / "minivggnet_a.json").write_text(json.dumps(fake_record(0.90, val=0.850)))  # best test, worst val
    (tmp_path / "minivggnet_b.json").write_text(json.dumps(fake_record(0.86, val=0.875)))
    (tmp_path / "minivggnet_c.json").write_text(json.dumps(fake_record(0.87, val=0.873)))
    rows = [line for line in report.attempts_table() if line.startswith("| minivggnet |")]
    assert [row.split(" | ")[1] for row in rows] == ["**minivggnet_b**", "minivggnet_c", "minivggnet_a"]
    assert "| 0.8750 | first |" in rows[0] and "| 0.8730 | tie |" in rows[1] and "| 0.8500 | -2.50 pts |" in rows[2]


def test_tie_margin_is_the_noise_of_a_difference():
    assert 0.012 < report.tie_margin(0.87, 5000) < 0.014
    assert report.tie_margin(0.87, 500) > 3 * report.tie_margin(0.87, 5000)


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
    assert "| 30 | 8.3 min / 10.0 min | n/a (no validation set held out) |" in report.render()
    assert ("| crop (pad 2) + flip | 128 | float32 | 30 | 50000 / 0 | none held out | n/a | 0.8851 |"
            in report.render_results_readme())


def test_benchmark_lines_include_bfloat16_only_when_measured(tmp_path, monkeypatch):
    monkeypatch.setattr(report, "RESULTS_DIR", tmp_path)
    bench = {"images_per_second": {"original": 500.0, "ours_b64": 700.0, "ours": 600.0, "compute_only": 610.0,
                                   "pipeline_only": 40000.0},
             "samples": {"original": [500.0, 250.0, 500.0], "ours_b64": [700.0, 350.0, 700.0], "ours": [600.0, 300.0, 300.0],
                         "compute_only": [610.0, 305.0, 610.0]},
             "speedup": 1.2, "speedup_same_batch": 1.4, "ceiling_speedup": 1.22,
             "machine": {"cpu_cores": 2, "cpu": "Test CPU", "cpu_bf16": ["avx512_bf16"]}}
    (tmp_path / "benchmark.json").write_text(json.dumps(bench))
    text = report.render()
    assert "ours is **1.20x** the original (median of 3 adjacent-burst ratios, range 0.60-1.20)" in text
    assert "2-core Test CPU, native bfloat16: avx512_bf16" in text and "With bfloat16 arithmetic" not in text
    bench["images_per_second"]["ours_bf16"] = 1300.0
    bench["samples"]["ours_bf16"] = [1300.0, 650.0, 650.0]
    (tmp_path / "benchmark.json").write_text(json.dumps(bench))
    assert "ours trains at 1300 images/s, **2.17x** our float32 (median of 3 adjacent-burst ratios" in report.render()


def test_the_bfloat16_switch_follows_the_recorded_validation_comparison():
    """CPU_BFLOAT16_BY_DEFAULT is on exactly when the recorded 10-epoch comparison, over the seeds the rule
    asks for, puts bfloat16 within the rule of float32 on validation (off while it is not decided)."""
    from helpers import devices

    found = report.bfloat16_comparison()
    assert devices.CPU_BFLOAT16_BY_DEFAULT == bool(found and found["decided"] and found["within_rule"])


def test_a_screening_run_is_kept_apart_from_the_recipe_and_compared_seed_by_seed(tmp_path, monkeypatch):
    """A run that changes one setting of the improved recipe is a lever on the screening table, never a
    run of the recipe itself (the bfloat16 comparison must not take it for one)."""
    from helpers.recipes import get_recipe

    monkeypatch.setattr(report, "RESULTS_DIR", tmp_path)
    recipe = get_recipe("improved", epochs=10).to_dict()

    def run(name, val, test, **changes):
        record = {**fake_record(test, epochs=10, val=val), "name": name, "seed": 44, "recipe": {**recipe, **changes}}
        record["device"]["precision"] = "mixed_bfloat16"
        (tmp_path / f"{name}.json").write_text(json.dumps(record))

    monkeypatch.setattr(report, "SCREENS", {"label smoothing 0.2": ("with_ls",)})
    run("without", 0.8500, 0.8450)
    run("with_ls", 0.8560, 0.8470, label_smoothing=0.2)
    (tmp_path / "float32.json").write_text(json.dumps({**fake_record(0.8400, epochs=10, val=0.8480), "name": "float32",
                                                       "seed": 44, "recipe": recipe}))
    found = report.bfloat16_comparison()
    assert [r["name"] for r in found["runs"]["mixed_bfloat16"]] == ["without"], "the lever's run is not the recipe's"
    section = "\n".join(report.screens_section())
    assert "| label smoothing 0.2 | 44 | `with_ls` | 0.8560 | 0.8470 | `without` | 0.8500 | 0.8450 | +0.60 pts |" in section
    assert "- label smoothing 0.2: mean gap on validation +0.60 points over 1 seed. Verdict: a second seed is needed" in section
    run("without", 0.8600, 0.8450)
    assert "-0.40 pts |" in "\n".join(report.screens_section()) and "dropped: it did not gain on every seed" in "\n".join(report.screens_section())
    assert "a tie below about 1.4 points" in section
    assert "1 lever screened, 0 carried on to 30 epochs: the improved recipe stays as it is" in "\n".join(report.screens_section())
    run("with_ls_s45", 0.8620, 0.8470, label_smoothing=0.2)  # a second seed (same twin here), both gaining: carried on
    monkeypatch.setattr(report, "SCREENS", {"label smoothing 0.2": ("with_ls_s45", "with_ls_s45")})
    assert "1 lever screened, 1 carried on to 30 epochs.\n" in "\n".join(report.screens_section()) + "\n"
    monkeypatch.setattr(report, "SCREENS", {"label smoothing 0.2": ("with_ls",)})
    other = {**fake_record(0.8450, epochs=10, val=0.8300), "name": "other_cpu", "seed": 44, "recipe": recipe}
    other["device"]["precision"], other["machine"] = "mixed_bfloat16", {**other["machine"], "cpu": "Another CPU"}
    (tmp_path / "other_cpu.json").write_text(json.dumps(other))
    assert report.unchanged_twin(report._read("with_ls"))["name"] == "without", "the twin on the same kind of CPU"
    other["machine"]["cpu"] = report._read("with_ls")["machine"]["cpu"]
    (tmp_path / "without.json").unlink()
    (tmp_path / "other_cpu.json").write_text(json.dumps(other))
    assert report.unchanged_twin(report._read("with_ls"))["name"] == "other_cpu"
