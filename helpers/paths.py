"""Where things live in the repository, whatever the current working directory.

Notebooks run from ``notebooks/`` in JupyterLab, from a temporary folder under papermill and from
``/content`` on Colab; every path the series uses therefore comes from here. The repository is found
from ``$MINIVGGNET_ROOT`` when set, else next to this package (a clone installed with ``pip install -e``),
else in the current folder or above it (a plain ``pip install .`` run from inside a clone).
"""

from __future__ import annotations

import json
import os
from pathlib import Path


def _find_root() -> Path:
    if os.environ.get("MINIVGGNET_ROOT"):
        root = Path(os.environ["MINIVGGNET_ROOT"]).expanduser().resolve()
        if not (root / "pyproject.toml").is_file():
            raise ImportError(f"MINIVGGNET_ROOT={root} is not a clone of the repository (no pyproject.toml there): "
                              f"point it at the folder holding notebooks/, data/ and models/.")
        return root
    here = Path(__file__).resolve().parent.parent
    for candidate in (here, Path.cwd(), *Path.cwd().parents):
        if (candidate / "pyproject.toml").is_file() and (candidate / "notebooks").is_dir():
            return candidate
    raise ImportError("helpers cannot find the repository it belongs to (notebooks/, data/, models/): run from "
                      "inside a clone, install the clone with `pip install -e .`, or set MINIVGGNET_ROOT to it.")


ROOT = _find_root()
"""The repository root (the folder holding ``pyproject.toml``)."""

DATA_DIR = ROOT / "data"
FIGURES_DIR = ROOT / "figures"
MODELS_DIR = ROOT / "models"
RESULTS_DIR = ROOT / "results"
BUILD_DIR = ROOT / "build"
"""Build products (executed notebooks, scratch runs); ignored by git."""
ARTIFACTS_DIR = BUILD_DIR / "artifacts"
"""Models and results that notebooks hand to each other (03 trains, 04 and 05 load)."""


def ensure_dir(path: Path) -> Path:
    """Create ``path`` (and its parents) if needed and return it."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    return path


def figures_dir(data: str) -> Path:
    """Where a notebook saves its figures: ``figures/`` for runs on the full data (the reference
    figures the README shows), ``build/figures/`` otherwise, so quick runs never replace them."""
    return FIGURES_DIR if data == "full" else BUILD_DIR / "figures"


def read_results(name: str | os.PathLike) -> dict | None:
    """The results record of a run: ``results/NAME.json`` for a name, or the JSON file at a path; None
    when it does not exist. Every results file is read through this one function."""
    path = Path(name)
    path = path if path.suffix == ".json" else RESULTS_DIR / f"{path}.json"
    return json.loads(path.read_text()) if path.exists() else None


def record_exploration(data: str, *, images: int, mean, std, closest: list, wrong: list, y_val) -> None:
    """Notebook 01's bookkeeping: the full run saves its numbers for notebook 03; every run prints the full data's (a sample run its own first)."""
    found = {"channels": {"images": images, "mean": list(map(float, mean)), "std": list(map(float, std))}, "closest": closest,
             "nearest_mean": {"images": 2 * len(y_val) // 10, "wrong": wrong}}  # a pair: two of the ten equal classes
    if data == "full":
        (RESULTS_DIR / "data_exploration.json").write_text(json.dumps(found, indent=2) + "\n")
        print("the full data's numbers are saved in results/data_exploration.json")
    for source, numbers in {**({} if data == "full" else {"the sample": found}),
                            "the full data": read_results("data_exploration")}.items():
        if numbers is None:  # the file is missing
            return print('no results/data_exploration.json: run this notebook with DATA = "full" to write it')
        n, w, pairs = numbers["nearest_mean"]["images"], numbers["nearest_mean"]["wrong"], ", ".join(f"{a} - {b} {d:.2f}" for d, a, b in numbers["closest"])
        print(f"{source + ':':<15}four closest pairs {pairs}\n{'':<15}nearest class mean, {n:,} validation images per pair of classes: "
              f"close pairs {min(w[:4]):.0%} to {max(w[:4]):.0%} wrong; farthest pair {w[4]:.0%} (each ±{100 / n ** 0.5:.0f} points)")
