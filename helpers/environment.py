"""The setup every notebook starts with: a quiet TensorFlow, the minimum versions asserted, Colab and
GPU detected, reproducible seeds, and (in the quick profile) a sentence on what the numbers below are."""

from __future__ import annotations

import contextlib
import os
import sys

from packaging.version import Version  # a dependency of Keras

from helpers import paths

CHECKED = ("tensorflow", "keras")
"""The packages whose floors :func:`check` asserts (the floors themselves are pyproject.toml's)."""


def minimum_versions() -> dict[str, str]:
    """The floors of :data:`CHECKED` as pyproject.toml declares them (read from the installed
    package's metadata, so there is one source of truth: ``make test-floor`` tests those floors)."""
    import re
    from importlib import metadata

    try:
        requirements = metadata.requires("minivggnet-keras") or []
    except metadata.PackageNotFoundError:
        raise RuntimeError("The project is not installed: run `make install` (or `pip install -e .`) "
                           "and restart the kernel.") from None
    matches = (re.fullmatch(r"([A-Za-z0-9_.-]+)>=([0-9.]+)", requirement.strip()) for requirement in requirements)
    return {match.group(1).lower(): match.group(2) for match in matches if match and match.group(1).lower() in CHECKED}


def on_colab() -> bool:
    return "google.colab" in sys.modules


@contextlib.contextmanager
def _stderr_silenced():
    """Send the process's file descriptor 2 to /dev/null for a moment (C++ code writes there directly,
    bypassing ``sys.stderr``), then put it back."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def quiet_tensorflow() -> None:
    """Import TensorFlow without its start-up log lines and keep its INFO/WARNING logs out of the outputs.

    TensorFlow's C++ core prints several lines when it loads and first looks for GPUs (oneDNN notes,
    "Could not find cuda drivers", a failed ``cuInit`` on machines without a GPU). They are not
    errors, and a reader cannot act on them. Call this before ``import keras``; errors still show
    (importing :mod:`helpers` sets ``TF_CPP_MIN_LOG_LEVEL=2``; set the variable yourself to see everything).
    """
    if "tensorflow" in sys.modules:
        return
    with _stderr_silenced():
        import tensorflow as tf

        tf.config.list_physical_devices("GPU")  # the CUDA probe happens here, once


def quick_profile_note(data: str, full_run: dict | None = None, trains: bool = False) -> str | None:
    """One sentence for ``DATA = "sample"``: what the numbers below are and, given the results record of
    the full run they stand in for (``full_run``), what that run gave. None for the full data.
    ``trains``: the notebook trains."""
    if data != "sample":
        return None
    note = ("QUICK PROFILE (DATA = \"sample\"): this copy computes on the small sample in data/, so its numbers may differ "
            "from the full data's" + ("; it trains on far fewer images (and steps), so it shows how training goes, not what "
                                      "the full dataset gives." if trains else "."))
    if full_run:
        test = full_run["test"]
        note += (f"\nNumbers marked as read from results/ are the full data's. For scale: {full_run['name']} "
                 f"({full_run['data']['split']['train']:,} training images, {full_run['epochs_run']} epochs) reached "
                 f"{test['accuracy']:.2%} on all {test['images']:,} test images (results/{full_run['name']}.json). "
                 + ("Set DATA = \"full\" to train it yourself." if trains else
                    "With DATA = \"full\" this notebook measures on all of them."))
    return note


def check(seed: int = 42, data: str | None = None, full_run: dict | None = None, trains: bool = False) -> dict:
    """Assert the minimum versions, print them, seed every generator and, for the quick profile, say
    what its numbers are (see :func:`quick_profile_note`). A notebook that ``trains`` also says whether
    a GPU was found.

    Raises ``RuntimeError`` with the fix when TensorFlow or Keras is too old (Keras 2 code would
    silently train differently: ``SGD(decay=...)`` is ignored by Keras 3).
    """
    quiet_tensorflow()
    import keras
    import tensorflow as tf

    found = {"tensorflow": tf.__version__, "keras": keras.__version__}
    for package, minimum in minimum_versions().items():
        if Version(found[package]) < Version(minimum):
            raise RuntimeError(f"{package} {found[package]} is too old: this series needs {package} >= {minimum} "
                               f"(older versions cannot load the shipped models or train differently). "
                               f"Upgrade with `pip install -U {package}` and restart the kernel.")
    gpus = tf.config.list_physical_devices("GPU")
    print(f"TensorFlow {found['tensorflow']}, Keras {found['keras']}, Python {sys.version.split()[0]}")
    if trains and gpus:
        print(f"GPU: {', '.join(g.name for g in gpus)}")
    elif trains and on_colab():
        print("No GPU: training will be slow. In Colab choose Runtime > Change runtime type > T4 GPU, then run again.")
    elif trains:
        print("No GPU found: training runs on the CPU (slower; see the README's results table for times).")
    note = quick_profile_note(data, full_run, trains) if data else None
    if note:
        print("\n" + note)
    keras.utils.set_random_seed(seed)
    return {**found, "gpus": len(gpus), "colab": on_colab()}
