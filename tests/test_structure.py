"""The shape of the code: a small teaching library (helpers) and the results machinery beside it (lab),
with imports going one way only, and the facts both need written once."""

import ast
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import data, models, recipes
from helpers.paths import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def imported_packages(source: str) -> set[str]:
    """The top-level packages a piece of Python imports (``from lab import x`` and ``import lab.y`` -> lab)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module.split(".")[0])
    return found


def import_graph() -> dict[str, set[str]]:
    """Which of the project's packages each package imports."""
    return {package: set().union(*(imported_packages(path.read_text()) for path in (ROOT / package).glob("*.py")))
            & {"helpers", "lab"} - {package} for package in ("helpers", "lab")}


def notebook_code(path: Path) -> str:
    cells = json.loads(path.read_text())["cells"]
    lines = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    return "\n".join(line if not line.lstrip().startswith(("!", "%")) else line[:len(line) - len(line.lstrip())] + "pass"
                     for cell in lines for line in cell.splitlines())  # IPython's ! and % lines read as `pass`


def test_imports_go_from_lab_to_helpers_only():
    assert import_graph() == {"helpers": set(), "lab": {"helpers"}}


@pytest.mark.parametrize("path", NOTEBOOKS[:3], ids=lambda p: p.stem)
def test_the_first_notebooks_use_the_teaching_library_only(path):
    assert "lab" not in imported_packages(notebook_code(path)), f"{path.name} imports the lab"


def test_the_teaching_library_stays_small():
    lines = sum(len(path.read_text().splitlines()) for path in (ROOT / "helpers").glob("*.py"))
    assert lines < 2000, f"helpers/ has {lines} lines: move what no notebook teaches into lab/"


def test_architecture_names_come_from_the_builders():
    assert set(models.BUILDERS) == set(data.architectures())
    assert all(name == builder.__name__ for name, builder in models.BUILDERS.items())


def test_notebook_03_compares_with_the_registered_full_run_of_each_recipe():
    """Notebook 03 may not import the lab's registry, so it names each recipe's full run itself: the two agree."""
    from lab import references

    tree = ast.parse(notebook_code(ROOT / "notebooks" / "03_training.ipynb"))
    assignment = next(node for node in ast.walk(tree) if isinstance(node, ast.Assign)
                      and getattr(node.targets[0], "id", None) == "FULL_RUN")
    full_runs = ast.literal_eval(assignment.value.value)  # FULL_RUN = {...}[RECIPE]
    assert set(full_runs) == set(recipes.RECIPES)
    for recipe, name in full_runs.items():
        assert references.for_recipe(recipe).name == name, recipe


def test_former_recipe_names_still_read():
    assert recipes.get_recipe("seed") == recipes.get_recipe("original")
    assert not any("seed" in name for name in recipes.RECIPES)


def test_outside_a_clone_helpers_refuses_with_one_line_unless_told_where_the_clone_is(tmp_path):
    """`pip install .` copies the package away from data/, models/ and results/: it must say so, once."""
    shutil.copytree(ROOT / "helpers", tmp_path / "site" / "helpers")
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tmp_path / "site")}
    refused = subprocess.run([sys.executable, "-c", "import helpers.paths"], cwd=tmp_path, env=env,
                             capture_output=True, text=True)
    last = refused.stderr.strip().splitlines()[-1]
    assert refused.returncode != 0 and last.startswith("ImportError: helpers cannot find the repository")
    told = subprocess.run([sys.executable, "-c", "import helpers.paths as p; print(p.DATA_DIR)"], cwd=tmp_path,
                          env={**env, "MINIVGGNET_ROOT": str(ROOT)}, capture_output=True, text=True)
    assert told.stdout.strip() == str(ROOT / "data"), told.stderr
