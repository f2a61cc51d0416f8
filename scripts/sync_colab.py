"""Keep every notebook's "Open in Colab" badge and Colab setup cell in line with the repository URL.

The URL lives in one place, ``[project.urls] Repository`` in pyproject.toml. This script writes
the badge (a line of the first markdown cell) and the setup cell (the first code cell, marked
``# Colab setup``) of each numbered notebook from it. ``--check`` changes nothing and exits 1 when
a notebook is out of date (the tests run it).
"""

import argparse
import re
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


KEPT = ("tensorflow", "keras", "numpy")
"""Colab's own versions of these are kept: the setup cell never installs or upgrades them."""


def _pyproject() -> dict:
    with open(ROOT / "pyproject.toml", "rb") as handle:
        return tomllib.load(handle)


def repository_url() -> str:
    return _pyproject()["project"]["urls"]["Repository"].rstrip("/")


def light_dependencies() -> list[str]:
    """The project's dependencies except :data:`KEPT` (what the setup cell may install when missing)."""
    return [spec for spec in _pyproject()["project"]["dependencies"]
            if re.match(r"[A-Za-z0-9._-]+", spec).group().lower() not in KEPT]


def badge(url: str, notebook: Path) -> str:
    slug = url.removeprefix("https://github.com/")
    return f"{BADGE}(https://colab.research.google.com/github/{slug}/blob/main/notebooks/{notebook.name})"


def setup_cell(url: str, folder: str | None = None) -> str:
    """The first code cell: on Colab only, clone ``url`` into ``folder`` (``/content/<name>``), install
    the helpers without their dependencies, then the light dependencies with :data:`KEPT` held at the
    installed versions (pip refuses rather than touch them), and put the clone on ``sys.path`` so that
    ``helpers`` imports at once. A failed step ends the cell with one line saying what to do."""
    folder = folder or "/content/" + url.rsplit("/", 1)[-1]
    light = ", ".join(f'"{spec}"' for spec in light_dependencies())
    kept = "(" + ", ".join(f'"{name}"' for name in KEPT) + ")"
    return "\n".join([
        f"{MARKER}: on Colab only, fetch the repository and install its helpers (TensorFlow stays as it is).",
        "import sys",
        'if "google.colab" in sys.modules:',
        "    import importlib.metadata, os, subprocess",
        f'    REPOSITORY, FOLDER = "{url}", "{folder}"',
        "",
        "    class SetupFailed(Exception):",
        "        def _render_traceback_(self):  # what the notebook shows instead of a traceback",
        '            return [f"Colab setup failed: {self}"]',
        "",
        "    def step(what, command, advice):",
        "        done = subprocess.run(command, capture_output=True, text=True)",
        "        if done.returncode:",
        '            said = (done.stderr + done.stdout).strip().splitlines() or ["no message"]',
        '            said = [line for line in said if line.startswith(("ERROR", "fatal"))] or said',
        '            raise SetupFailed(f"could not {what}: {said[-1]}\\n{advice}")',
        "",
        "    if not os.path.isdir(FOLDER):",
        '        step(f"clone {REPOSITORY}", ["git", "clone", "-q", "--depth", "1", REPOSITORY, FOLDER],',
        '             "Check that this address is where the project is published (pyproject.toml, [project.urls]) "',
        '             "and that the runtime is online, then run this cell again.")',
        "    # the helpers alone, then their light dependencies with TensorFlow, Keras and NumPy held where they are",
        "    kept = sorted({f\"{d.name}=={d.version}\" for d in importlib.metadata.distributions()",
        f"                   if (d.name or \"\").lower() in {kept}}})",
        "    advice = (f\"Delete the clone (!rm -rf {FOLDER}) and run this cell again; if it fails again, \"",
        '              "Runtime > Disconnect and delete runtime.")',
        '    step("install the helpers", [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",',
        '                                 "-e", FOLDER], advice)',
        f"    light = [{light}]",
        '    step("install the helpers\' dependencies", [sys.executable, "-m", "pip", "install", "-q", *light, *kept], advice)',
        "    sys.path.insert(0, FOLDER)  # importable now, without restarting the runtime",
    ])


def synced(notebook: Path, url: str):
    nb = nbformat.read(notebook, as_version=4)
    title = nb.cells[0]
    lines = [line for line in title.source.splitlines() if not line.startswith(BADGE)]
    title.source = "\n".join([lines[0], "", badge(url, notebook), *lines[1:]]).replace("\n\n\n", "\n\n").rstrip()
    code = next(cell for cell in nb.cells if cell.cell_type == "code")
    if code.source.startswith(MARKER):
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
