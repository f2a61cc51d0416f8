"""Keep every notebook's "Open in Colab" badge and Colab setup cell in line with the repository URL.

The URL lives in one place, ``[project.urls] Repository`` in pyproject.toml. This script writes
the badge (a line of the first markdown cell) and the setup cell (the first code cell, marked
``# Colab setup``; the setup itself is ``scripts/colab_setup.py``) of each numbered notebook from it. ``--check`` changes nothing and exits 1 when
a notebook is out of date (the tests run it).
"""

import argparse
import sys
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python < 3.11: below the project's requires-python
    sys.exit("scripts/sync_colab.py needs Python 3.11 or newer (tomllib), as pyproject.toml's requires-python says.")

import nbformat

ROOT = Path(__file__).resolve().parent.parent
MARKER = "# Colab setup"
BADGE = "[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]"


def repository_url() -> str:
    with open(ROOT / "pyproject.toml", "rb") as handle:
        return tomllib.load(handle)["project"]["urls"]["Repository"].rstrip("/")


def badge(url: str, notebook: Path) -> str:
    slug = url.removeprefix("https://github.com/")
    return f"{BADGE}(https://colab.research.google.com/github/{slug}/blob/main/notebooks/{notebook.name})"


def setup_cell(url: str, folder: str | None = None) -> str:
    """The first code cell: on Colab only, clone ``url`` into ``folder`` (``/content/<name>``) unless it
    is there already, then run ``scripts/colab_setup.py`` from the clone in the notebook's own kernel."""
    folder = folder or "/content/" + url.rsplit("/", 1)[-1]
    return "\n".join([
        "import sys",
        f'if "google.colab" in sys.modules:  {MARKER} (nothing happens elsewhere): clone the repository once, '
        "then run its setup script",
        f"    !test -d {folder} || git clone -q --depth 1 {url} {folder} || echo 'Could not download the "
        "project: check that this Colab runtime is connected, then run this cell again.'",
        f"    %run -i {folder}/scripts/colab_setup.py",
    ])


def synced(notebook: Path, url: str):
    nb = nbformat.read(notebook, as_version=4)
    title = nb.cells[0]
    lines = [line for line in title.source.splitlines() if not line.startswith(BADGE)]
    title.source = "\n".join([lines[0], "", badge(url, notebook), *lines[1:]]).replace("\n\n\n", "\n\n").rstrip()
    code = next(cell for cell in nb.cells if cell.cell_type == "code")
    if MARKER in code.source:
        code.source = setup_cell(url)
    else:
        nb.cells.insert(nb.cells.index(code), nbformat.v4.new_code_cell(setup_cell(url)))
    return nb


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only report notebooks that are out of date")
    args = parser.parse_args(argv)
    url, stale = repository_url(), []
    for notebook in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        new = synced(notebook, url)
        old = nbformat.read(notebook, as_version=4)
        if [c.source for c in new.cells] != [c.source for c in old.cells]:
            stale.append(notebook.name)
            if not args.check:
                nbformat.write(new, notebook)
    if stale:
        print(("out of date: " if args.check else "updated: ") + ", ".join(stale))
    return 1 if stale and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
