"""Colab setup, run by the first cell of every notebook (``%run -i``) from the clone in /content.

It installs the helpers from the clone without their dependencies, then only the light dependencies
(matplotlib, seaborn, ...) with TensorFlow, Keras and NumPy held at Colab's own versions (pip refuses
rather than touch them), and puts the clone on ``sys.path`` so that ``helpers`` imports at once, with
no restart. A failed step ends the cell with one line saying what went wrong and one saying what to do.
"""

import importlib.metadata
import re
import subprocess
import sys
import tomllib
from pathlib import Path

FOLDER = Path(__file__).resolve().parent.parent
KEPT = ("tensorflow", "keras", "numpy")
"""Colab's own versions of these are kept: this script never installs or upgrades them."""


class SetupFailed(Exception):
    def _render_traceback_(self):  # what IPython shows instead of a traceback
        return [f"Colab setup failed: {self}"]


def light_dependencies() -> list[str]:
    """The project's dependencies except :data:`KEPT` (pyproject.toml is their one source)."""
    with open(FOLDER / "pyproject.toml", "rb") as handle:
        dependencies = tomllib.load(handle)["project"]["dependencies"]
    return [spec for spec in dependencies if re.match(r"[A-Za-z0-9._-]+", spec).group().lower() not in KEPT]


def step(what: str, command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode:
        said = (done.stderr + done.stdout).strip().splitlines() or ["no message"]
        said = [line for line in said if line.startswith(("ERROR", "fatal"))] or said
        raise SetupFailed(f"could not {what}: {said[-1]}\nDelete the clone (!rm -rf {FOLDER}) and run this cell "
                          "again; if it fails again, Runtime > Disconnect and delete runtime.")


def main() -> None:
    kept = sorted({f"{d.name}=={d.version}" for d in importlib.metadata.distributions()
                   if (d.name or "").lower() in KEPT})
    pip = [sys.executable, "-m", "pip", "install", "-q"]
    step("install the helpers", [*pip, "--no-deps", "--no-build-isolation", "-e", str(FOLDER)])
    step("install the helpers' dependencies", [*pip, *light_dependencies(), *kept])
    if str(FOLDER) not in sys.path:
        sys.path.insert(0, str(FOLDER))  # importable now, without restarting the runtime


if __name__ == "__main__":
    main()
