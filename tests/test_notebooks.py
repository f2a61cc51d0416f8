"""The notebooks: stripped in git, Colab cells in sync, and every one executes headlessly (papermill,
quick profile) with assertions on what it printed and wrote. `make test` then re-runs the executed
copies under nbval, checking the cells marked NBVAL_CHECK_OUTPUT."""

import json
import re
import subprocess
import sys

import nbformat
import pytest

from helpers import data, notebooks, recipes, references
from helpers.paths import ARTIFACTS_DIR, BUILD_DIR, ROOT

NOTEBOOKS = notebooks.notebook_paths()


def text_of(notebook) -> str:
    """All text a notebook printed (stream and plain-text results)."""
    parts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            parts.append(output.get("text", "") or output.get("data", {}).get("text/plain", ""))
    return "\n".join(parts)


def test_there_is_a_numbered_series():
    names = [p.name for p in NOTEBOOKS]
    assert names[:3] == ["01_data_exploration.ipynb", "02_building_minivggnet.ipynb", "03_training.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_stripped_and_has_a_parameters_cell(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code), "strip outputs (nbstripout)"
    tagged = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, "one cell tagged 'parameters'"
    for line in tagged[0].source.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition(" = ")
            assert name.isupper() and value, f"parameters are UPPER_CASE literals: {line!r}"


def test_colab_badges_and_setup_cells_match_the_repository_url():
    result = subprocess.run([sys.executable, "scripts/sync_colab.py", "--check"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="module")
def executed():
    """Run every notebook once in the quick profile, in order, into build/executed/."""
    out = BUILD_DIR / "executed"
    return {path.stem: nbformat.read(notebooks.execute(path, "quick", out), as_version=4) for path in NOTEBOOKS}


LOG_NOISE = re.compile(r"cuInit|E0000|W0000|I0000|absl::|oneDNN|cuda_|Traceback|Warning|WARNING")


def reference(name: str) -> dict:
    return references.get(name).results()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_notebook_ends_with_exercises(path):
    nb = nbformat.read(path, as_version=4)
    assert any(c.cell_type == "markdown" and "## Exercises" in c.source for c in nb.cells)


def test_executed_notebooks_show_no_log_lines_tracebacks_or_warnings(executed):
    for name, nb in executed.items():
        for i, cell in enumerate(nb.cells):
            for output in cell.get("outputs", []):
                assert output.get("name") != "stderr", f"{name} cell {i} wrote to stderr: {output.get('text', '')[:200]}"
                found = LOG_NOISE.search(output.get("text", "") + "".join(output.get("traceback", [])))
                assert not found, f"{name} cell {i}: {found.group(0)!r} in {output.get('text', '')[:200]!r}"


def test_quick_profile_says_so_with_the_full_runs_numbers(executed):
    for name, nb in executed.items():
        assert "QUICK PROFILE (DATA = \"sample\")" in text_of(nb), name
    for notebook, run in (("03_training", "minivggnet_improved_val"), ("04_evaluation", "minivggnet_improved"),
                          ("06_lenet_mnist", "lenet_mnist")):
        assert f"reached {reference(run)['test']['accuracy']:.2%} on all 10,000 test images" in text_of(executed[notebook])


def test_01_explores_the_sample(executed):
    text = text_of(executed["01_data_exploration"])
    assert "train: (2000, 32, 32, 3) uint8" in text
    assert "train per class: [200, 200, 200, 200, 200, 200, 200, 200, 200, 200]" in text
    assert "overlap 0" in text and "validation per class: [20, 20" in text
    assert "computed on the 1800 training-split images" in text
    assert "closest pairs shown:" in text
    assert (BUILD_DIR / "figures" / "01_examples_per_class.png").exists()


def test_02_builds_the_exact_network(executed):
    text = text_of(executed["02_building_minivggnet"])
    assert "total 2,171,178, trainable 2,169,770, non-trainable 1,408" in text
    assert "head_fc holds 2,097,664 of 2,171,178 parameters (96.6%)" in text
    assert "3x3 windows containing a pixel: corner 4, edge 6, interior 9" in text
    assert "the last convolution (block2_conv2) sees 14x14 input pixels" in text
    assert "widest convolution receptive field 14x14" in text


def test_03_trains_with_the_keras_on_the_page_and_hands_over_a_model(executed):
    text = text_of(executed["03_training"])
    padding = recipes.get_recipe("improved").crop_padding
    assert f"crop_padding = {padding}: shifts of up to {padding} pixels" in text, "the demo shows the recipe's padding"
    assert "history keys: ['accuracy', 'epoch_seconds', 'images_per_second', 'loss', 'lr', 'val_accuracy', 'val_loss']" in text
    assert "reloaded model gives the same predictions: True" in text
    starts = dict((name, (float(low), float(high), float(corr))) for name, low, high, corr in re.findall(
        r"(random|whitened) start: output variances ([\d.]+) to ([\d.]+), largest correlation between two filters ([\d.]+)", text))
    assert set(starts) == {"random", "whitened"}, "03 shows both starts of the first convolution"
    low, high, corr = starts["whitened"]
    assert 0.8 <= low <= high <= 1.2 and corr < 0.1, "whitened filters give unit-variance, uncorrelated outputs"
    assert starts["random"][2] > 3 * corr, "the random start's outputs are correlated"
    record = json.loads((ARTIFACTS_DIR / "minivggnet_quick.json").read_text())
    assert record["epochs_run"] == 2 and record["params"] == 2_171_178
    assert (ARTIFACTS_DIR / "minivggnet_quick.keras").exists()
    fit_lines = [line for line in text.splitlines() if "val_accuracy:" in line]
    assert len(fit_lines) == 2 and not any("epoch_seconds" in line or "lr:" in line for line in fit_lines), \
        "compact model.fit lines"


def test_03_and_the_command_line_train_alike(executed, cifar_sample, tmp_path):
    """The notebook writes the training out; helpers.training.train is what the CLI calls. Same seed,
    same data, same recipe: the same history, so the two cannot drift apart."""
    from helpers import training

    notebook = training.read_history(BUILD_DIR / "runs" / "minivggnet_quick" / "history.csv")
    (x, y), _ = cifar_sample
    run = training.train("minivggnet", recipes.get_recipe("improved", epochs=2), (x, y), tmp_path / "cli", seed=42,
                         verbose=0)
    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
        assert run.history[key] == pytest.approx(notebook[key], rel=1e-3, abs=1e-3), key


def test_04_evaluates_with_confidence_intervals_and_puts_the_model_to_use(executed):
    text = text_of(executed["04_evaluation"])
    assert "test images: 1,000 (the sample: 100 per class)" in text
    assert "accuracy on the 1,000-image test sample:" in text and "(95% CI" in text
    improved = reference("minivggnet_improved")["test"]
    assert f"the same model on the full test set (results file): {improved['accuracy']:.2%} (95% CI" in text
    assert "precision    recall  f1-score   support" in text and "with flip TTA" in text
    shipped = reference("minivggnet_improved")
    assert shipped["data"]["split"] == {"train": 50000, "validation": 0}, "the shipped model trains on all 50,000 images"
    assert (f"recipe on all 50,000 training images for {shipped['epochs_run']} epochs: no validation images were left "
            f"to choose an epoch with, so the weights are those of the last epoch") in text
    assert "block2_relu2 heatmaps: 16x16 cells" in text
    eces = [float(e) for e in re.findall(r"(?:as trained|temperature-scaled): ECE ([\d.]+),", text)]
    assert len(eces) == 2 and eces[1] < eces[0], "temperature scaling lowers the ECE on the half it was not fitted on"
    assert "every predicted class unchanged: True" in text
    top3 = re.findall(r"^\s+(\w+) (\d+\.\d)%$", text, flags=re.M)[-3:]
    assert len(top3) == 3 and top3[0][0] in data.CLASS_NAMES, "the own-photo cell prints a top-3"
    for figure in ("04_confusion_matrix", "04_grad_cam", "04_first_layer_filters", "04_feature_maps_trained", "04_your_photo"):
        assert (BUILD_DIR / "figures" / f"{figure}.png").exists(), figure


def test_05_separates_architecture_from_recipe(executed):
    text = text_of(executed["05_shallow_vs_minivggnet"])
    assert "shallownet:   328,586 parameters,   1.2 M multiply-adds per image" in text
    assert "MiniVGGNet: 6.6x the parameters, 22x the multiply-adds per image" in text
    assert "architecture (ShallowNet -> MiniVGGNet, both original recipe):" in text
    assert "recipe (MiniVGGNet original -> improved):" in text
    assert "data (improved recipe, 45,000 -> all 50,000 training images):" in text
    assert len(re.findall(r"^\w+ \(.*\):\s+[+-]\d+\.\d \+- \d+\.\d points", text, flags=re.M)) == 3, "each effect with its paired noise"
    assert re.search(r"^\s+minivggnet_improved\s+\d\.\d{3}\s+seen\s+\d\.\d{3}", text, flags=re.M), "no validation for the 50k model"
    assert "lowest possible loss with label smoothing 0.1: 0.500" in text


def test_06_evaluates_the_shipped_lenet_in_the_quick_profile(executed):
    text = text_of(executed["06_lenet_mnist"])
    assert "train per digit: [200, 200, 200, 200, 200, 200, 200, 200, 200, 200]" in text
    assert "total                                                  1,256,080     6,522,000" in text
    accuracy = float(re.search(r"test accuracy on the 1,000-digit test sample: (\d+\.\d+)%", text).group(1))
    assert "model: models/lenet_mnist.keras" in text and accuracy > 98.0
    assert (ARTIFACTS_DIR / "lenet_mnist_quick.keras").exists()


def test_readme_results_table_matches_the_results_files():
    result = subprocess.run([sys.executable, "-m", "helpers.report", "--check"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
