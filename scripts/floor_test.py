"""Test the lowest versions pyproject.toml promises: ``make test-floor``.

Creates a separate environment (``build/venv-floor``), installs the project with every dependency
pinned at its floor (``name>=X`` becomes ``name==X``; pytest's floor comes from the ``dev`` extra),
runs the pytest suite there and records the outcome in ``results/floor_test.json``. The tests run
on a clean export of the committed code (``git archive HEAD``), so uncommitted edits never enter
the record. The notebook tests (``tests/test_notebooks.py``) are left out: they need the whole
Jupyter stack and take long; everything else runs (the full-data tests too when ``CIFAR10_PATH`` /
``MNIST_PATH`` are set). A floor that fails here must be raised in ``pyproject.toml``.

    python scripts/floor_test.py                 # install (if needed) and test
    python scripts/floor_test.py --install-only  # only prepare the environment
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / "build" / "venv-floor"
SOURCE = ROOT / "build" / "floor-src"
RESULT = ROOT / "results" / "floor_test.json"
PYTEST_ARGS = ["tests", "--ignore=tests/test_notebooks.py", "-p", "no:cacheprovider", "-q"]
SUBSET = "every test except tests/test_notebooks.py (the notebook runs need the Jupyter stack)"


def floors() -> dict[str, str]:
    """``{package: floor version}`` for the runtime dependencies and pytest, from pyproject.toml."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = project["dependencies"] + [d for d in project["optional-dependencies"]["dev"] if d.startswith("pytest")]
    found = {}
    for requirement in wanted:
        match = re.fullmatch(r"\s*([A-Za-z0-9_.-]+)\s*>=\s*([0-9][^,;\s]*)\s*", requirement)
        if not match:
            raise SystemExit(f"pyproject.toml: {requirement!r} has no plain '>=' floor; give it one to test it.")
        found[match.group(1)] = match.group(2)
    return found


def install(pins: dict[str, str]) -> None:
    """Create the environment and install the project with ``pins``; skipped when already done."""
    stamp = VENV / ".floors.json"
    if stamp.exists() and json.loads(stamp.read_text()) == pins:
        return
    if not (VENV / "bin" / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    pip = [str(VENV / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    subprocess.run(pip + ["--upgrade", "pip"], check=True)
    subprocess.run(pip + ["-e", str(ROOT)] + [f"{name}=={version}" for name, version in pins.items()], check=True)
    stamp.write_text(json.dumps(pins))


def installed_versions(names) -> dict[str, str]:
    """The versions actually installed in the floor environment (pip may pick patch releases only if asked)."""
    code = ("import importlib.metadata as m, json, sys; "
            "print(json.dumps({n: m.version(n) for n in sys.argv[1:]}))")
    out = subprocess.run([str(VENV / "bin" / "python"), "-c", code, *names], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def export_head() -> None:
    """A clean copy of the committed tree in ``build/floor-src`` (the tests import helpers from there)."""
    shutil.rmtree(SOURCE, ignore_errors=True)
    SOURCE.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", "HEAD"], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(SOURCE)], input=archive, check=True)


def run_tests() -> dict:
    """Run the suite in the floor environment on the committed code; return the counts from
    pytest's JUnit report."""
    export_head()
    report = VENV / "junit.xml"
    command = [str(VENV / "bin" / "python"), "-m", "pytest", *PYTEST_ARGS, f"--junitxml={report}"]
    start = time.perf_counter()
    completed = subprocess.run(command, cwd=SOURCE)
    seconds = time.perf_counter() - start
    suite = ET.parse(report).getroot()
    suite = suite if suite.tag == "testsuite" else suite.find("testsuite")
    counts = {key: int(suite.get(key, 0)) for key in ("tests", "failures", "errors", "skipped")}
    failed = [f"{case.get('classname')}::{case.get('name')}" for case in suite.iter("testcase")
              if case.find("failure") is not None or case.find("error") is not None]
    return {
        "exit_code": completed.returncode,
        "passed": counts["tests"] - counts["failures"] - counts["errors"] - counts["skipped"],
        "failed": counts["failures"] + counts["errors"],
        "skipped": counts["skipped"],
        "failed_tests": failed,
        "seconds": round(seconds, 1),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--install-only", action="store_true", help="prepare build/venv-floor, run no tests")
    args = parser.parse_args(argv)
    pins = floors()
    install(pins)
    if args.install_only:
        return 0
    outcome = run_tests()
    git = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    record = {
        "command": "make test-floor",
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "git_commit": git or None,
        "python": platform.python_version(),
        "floors": pins,
        "installed": installed_versions(list(pins) + ["scipy", "ml-dtypes", "h5py"]),
        "tests": " ".join(["pytest", *PYTEST_ARGS]),
        "subset": SUBSET,
        "environment": {key: os.environ[key] for key in ("CIFAR10_PATH", "MNIST_PATH") if key in os.environ},
        **outcome,
    }
    tmp = RESULT.with_suffix(".tmp")
    tmp.write_text(json.dumps(record, indent=2) + "\n")
    os.replace(tmp, RESULT)
    verdict = "passed" if outcome["exit_code"] == 0 else "FAILED"
    print(f"floor versions {verdict}: {outcome['passed']} passed, {outcome['failed']} failed, "
          f"{outcome['skipped']} skipped -> {RESULT.relative_to(ROOT)}")
    return 0 if outcome["exit_code"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
