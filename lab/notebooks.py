"""Execute the numbered notebooks headlessly with papermill (``make run``).

``python -m lab.notebooks [--profile quick|full] [NAME ...]`` runs ``notebooks/NN_*.ipynb`` in
order into ``build/executed/``. A profile is a parameter file in ``notebooks/params/``:

* ``quick`` - the committed sample and a few epochs: a few minutes anywhere, offline (CI, tests).
* ``full`` - the notebooks' own defaults on the full data (hours on a CPU, minutes on a GPU).

Without ``--profile`` the full profile is used when the full CIFAR-10 is reachable without a
download, otherwise the quick one, and the choice is announced.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

import yaml

from helpers import data
from helpers.paths import BUILD_DIR, ROOT

NOTEBOOKS_DIR = ROOT / "notebooks"
PARAMS_DIR = NOTEBOOKS_DIR / "params"
EXECUTED_DIR = BUILD_DIR / "executed"
PROFILES = ("quick", "full")


def full_data_available(dataset: str = "cifar10") -> bool:
    """True when the full dataset is reachable without a download (env var or ``data/``)."""
    spec = data.get_spec(dataset)
    env = os.environ.get(spec.env_var)
    return bool(env and Path(env).exists()) or spec.local_file.exists()


def notebook_paths(names=()) -> list[Path]:
    """The numbered notebooks in order, or those whose file name starts with one of ``names``."""
    paths = sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))
    if names:
        chosen = [p for p in paths if any(p.name.startswith(n) for n in names)]
        if not chosen:
            raise ValueError(f"No notebook matches {list(names)}; there are {[p.name for p in paths]}.")
        return chosen
    return paths


def default_profile() -> str:
    if full_data_available("cifar10"):
        return "full"
    print("*" * 78 + "\n* The full CIFAR-10 is not available (set CIFAR10_PATH or run `make data`):\n"
          "* running the QUICK profile on the committed sample.\n" + "*" * 78, flush=True)
    return "quick"


def profile_parameters(profile: str, notebook: Path) -> dict:
    """The parameters ``profile`` sets for ``notebook``: its ``defaults`` and its own section,
    restricted to what the notebook's ``parameters`` cell declares."""
    if profile not in PROFILES:
        raise ValueError(f"Unknown profile {profile!r}; choose one of {PROFILES}.")
    import papermill

    with open(PARAMS_DIR / f"{profile}.yml") as handle:
        settings = yaml.safe_load(handle) or {}
    wanted = {**settings.get("defaults", {}), **settings.get(notebook.stem, {})}
    declared = papermill.inspect_notebook(str(notebook))
    unknown = set(settings.get(notebook.stem, {})) - set(declared)
    if unknown:
        raise ValueError(f"{PARAMS_DIR / profile}.yml sets {sorted(unknown)} for {notebook.name}, "
                         f"which declares only {sorted(declared)}.")
    return {key: value for key, value in wanted.items() if key in declared}


def execute(notebook: Path, profile: str, output_dir: Path = EXECUTED_DIR, progress: bool = False) -> Path:
    """Run one notebook with the profile's parameters; return the executed copy's path.

    With ``progress`` papermill shows which cell is running (a progress bar) and streams every cell's
    output as it comes (epoch lines while a notebook trains), so a long run is never silent.
    """
    import papermill

    output_dir.mkdir(parents=True, exist_ok=True)
    output = output_dir / notebook.name
    parameters = profile_parameters(profile, notebook)
    print(f"--> {notebook.name} ({profile}: {parameters or 'notebook defaults'})", flush=True)
    papermill.execute_notebook(str(notebook), str(output), parameters=parameters, cwd=str(NOTEBOOKS_DIR),
                               kernel_name="python3", progress_bar=progress, log_output=progress)
    label_injected_parameters(output, profile)
    return output


def label_injected_parameters(path: Path, profile: str) -> None:
    """Say, in the cell papermill added after the ``parameters`` cell, what it is: a reader of the
    executed notebook otherwise sees two parameter cells and cannot tell which values ran."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if "injected-parameters" in cell.metadata.get("tags", []) and not cell.source.startswith("# The "):
            cell.source = (f"# The {profile} profile's values (notebooks/params/{profile}.yml), added when this copy was\n"
                           f"# executed: they override the parameters cell above.\n" + cell.source)
    nbformat.write(nb, path)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lab.notebooks", description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="notebooks to run (a prefix such as 03); default: all")
    parser.add_argument("--profile", choices=PROFILES, help="default: full if the full data is there, else quick")
    parser.add_argument("--output-dir", type=Path, default=EXECUTED_DIR)
    parser.add_argument("--quiet", action="store_true", help="no progress bar and no streamed cell output")
    args = parser.parse_args(argv)
    try:
        paths = notebook_paths(args.names)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if not args.quiet:  # papermill reports through the logging module: show its messages plainly
        logging.basicConfig(level=logging.INFO, format="%(message)s")
    profile = args.profile or default_profile()
    for path in paths:
        execute(path, profile, args.output_dir, progress=not args.quiet)
    print(f"executed {len(paths)} notebook(s) into {args.output_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
