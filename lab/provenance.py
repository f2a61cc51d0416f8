"""Where a result came from (command, machine, versions, commit), and writing results safely.

Every results file of the series carries :func:`collect`'s fields, so a number in the README can
always be traced to the command and the machine that produced it.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

from helpers.devices import cpu_info
from helpers.paths import ROOT


def collect() -> dict:
    """Command line, time, git commit, machine and library versions of this process."""
    import keras
    import numpy
    import tensorflow as tf

    return {
        "command": command_line(),
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "git_commit": git_commit(),
        "machine": {
            "cpu": cpu_info()[0],
            "cpu_bf16": list(cpu_info()[1]),
            "cpu_cores": os.cpu_count(),
            "gpus": [d.name for d in tf.config.list_physical_devices("GPU")],
            "platform": platform.platform(),
        },
        "versions": {
            "python": platform.python_version(),
            "tensorflow": tf.__version__,
            "keras": keras.__version__,
            "numpy": numpy.__version__,
        },
    }


def command_line() -> str | None:
    """How this process was started, as one would type it (``python -m lab.train ...``)."""
    if not sys.argv or not sys.argv[0]:
        return None
    script = Path(sys.argv[0])
    try:
        module = ".".join(script.resolve().relative_to(ROOT).with_suffix("").parts)
        program = ["python", "-m", module]
    except ValueError:
        program = ["python", sys.argv[0]]
    return " ".join(program + sys.argv[1:])


def git_commit() -> str | None:
    """The repository's HEAD commit, with ``+dirty`` when the work tree has uncommitted changes."""
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True, check=True).stdout.strip()
        return commit + ("+dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return None


def write_json(path: str | os.PathLike, record: dict) -> Path:
    """Write ``record`` as JSON through a temporary file and a rename: never a half-written file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=path.parent, suffix=".tmp", delete=False) as handle:
        json.dump(record, handle, indent=2, sort_keys=False, default=_jsonable)
        handle.write("\n")
    os.chmod(handle.name, 0o644)  # temporary files are private; results are for everyone to read
    os.replace(handle.name, path)
    return path


def _jsonable(value):
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")

