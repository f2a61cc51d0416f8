"""Where things live in the repository, whatever the current working directory.

Notebooks run from ``notebooks/`` in JupyterLab, from a temporary folder under papermill and from
``/content`` on Colab; every path the series uses therefore comes from here, anchored on the
location of this package rather than on ``os.getcwd()``.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
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
