"""The notebooks: stripped in git, Colab cells in sync, and every one executes headlessly (papermill,
quick profile) with assertions on what it printed and wrote. `make test` then re-runs the executed
copies under nbval, checking the cells marked NBVAL_CHECK_OUTPUT."""

import json
import subprocess
import sys

import nbformat
import pytest

from helpers import notebooks
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


def test_01_explores_the_sample(executed):
    text = text_of(executed["01_data_exploration"])
    assert "train: (2000, 32, 32, 3) uint8" in text
    assert "train per class: [200, 200, 200, 200, 200, 200, 200, 200, 200, 200]" in text
    assert "overlap 0" in text and "validation per class: [20, 20" in text
    assert (BUILD_DIR / "figures" / "01_examples_per_class.png").exists()


def test_02_builds_the_exact_network(executed):
    text = text_of(executed["02_building_minivggnet"])
    assert "total 2,171,178, trainable 2,169,770, non-trainable 1,408" in text
    assert "head_fc holds 2,097,664 of 2,171,178 parameters (96.6%)" in text
    assert "shallownet: 2 weight layers,   328,586 parameters" in text


def test_03_trains_and_hands_over_a_model(executed):
    text = text_of(executed["03_training"])
    assert "reloaded model gives the same predictions: True" in text
    record = json.loads((ARTIFACTS_DIR / "minivggnet_quick.json").read_text())
    assert record["epochs_run"] == 2 and record["params"] == 2_171_178
    assert (ARTIFACTS_DIR / "minivggnet_quick.keras").exists()


def test_04_evaluates_a_model_on_the_test_sample(executed):
    text = text_of(executed["04_evaluation"])
    assert "test images: 1000" in text and "precision    recall  f1-score   support" in text
    assert "with flip TTA" in text and "expected calibration error" in text
    assert (BUILD_DIR / "figures" / "04_confusion_matrix.png").exists()


def test_05_compares_the_two_networks(executed):
    text = text_of(executed["05_shallow_vs_minivggnet"])
    assert "shallownet:   328,586 parameters,   1.2 M multiply-adds per image" in text
    assert "minivggnet: 2,171,178 parameters,  26.6 M multiply-adds per image" in text
    assert "accuracy gained by MiniVGGNet:" in text


def test_06_trains_lenet_on_mnist(executed):
    text = text_of(executed["06_lenet_mnist"])
    assert "train per digit: [200, 200, 200, 200, 200, 200, 200, 200, 200, 200]" in text
    assert "total                                                  1,256,080     6,522,000" in text
    assert "test accuracy" in text and (ARTIFACTS_DIR / "lenet_mnist_quick.keras").exists()


def test_readme_results_table_matches_the_results_files():
    result = subprocess.run([sys.executable, "-m", "helpers.report", "--check"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
