"""The notebooks as a series: stripped in git, Colab cells in sync, every one executes headlessly in the
quick profile without log lines or warnings and says what its numbers are. Each notebook's own output
is checked in tests/test_notebook_NN.py; `make test` then re-runs the executed copies under nbval."""

import subprocess
import sys

import nbformat
import pytest

from helpers.paths import ROOT
from lab import notebooks
from nbtools import LOG_NOISE, reference, text_of

NOTEBOOKS = notebooks.notebook_paths()


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


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_notebook_ends_with_exercises(path):
    nb = nbformat.read(path, as_version=4)
    assert any(c.cell_type == "markdown" and "## Exercises" in c.source for c in nb.cells)


def test_executed_notebooks_show_no_log_lines_tracebacks_or_warnings(executed):
    for name, nb in ((path.stem, executed(path.name[:2])) for path in NOTEBOOKS):
        for i, cell in enumerate(nb.cells):
            for output in cell.get("outputs", []):
                assert output.get("name") != "stderr", f"{name} cell {i} wrote to stderr: {output.get('text', '')[:200]}"
                found = LOG_NOISE.search(output.get("text", "") + "".join(output.get("traceback", [])))
                assert not found, f"{name} cell {i}: {found.group(0)!r} in {output.get('text', '')[:200]!r}"


def test_quick_profile_says_so_with_the_full_runs_numbers(executed):
    for name, nb in ((path.stem, executed(path.name[:2])) for path in NOTEBOOKS):
        if name.startswith("02"):  # one committed image in both profiles: nothing to warn about, and it says so (in a comment)
            assert "QUICK PROFILE" not in text_of(nb) and "No number on this page depends on DATA" in "".join(
                cell.source for cell in nb.cells), name
            continue
        assert "QUICK PROFILE (DATA = \"sample\")" in text_of(nb), name
    assert f"reached {reference('minivggnet_improved')['test']['accuracy']:.2%} on all 10,000 test images" in text_of(executed("04"))
    assert "test images" not in text_of(executed("03")), "03 never uses the test set: its banner prints no test accuracy"


def test_readme_results_table_matches_the_results_files():
    result = subprocess.run([sys.executable, "-m", "lab.report", "--check"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
