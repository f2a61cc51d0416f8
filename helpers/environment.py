"""The setup check every notebook starts with: versions, Colab, GPU, reproducible seeds."""

from __future__ import annotations

import sys

MIN_VERSIONS = {"tensorflow": "2.16", "keras": "3.0"}


def on_colab() -> bool:
    return "google.colab" in sys.modules


def _version_tuple(version: str) -> tuple[int, ...]:
    parts = []
    for piece in version.split(".")[:3]:
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts)


def check(seed: int = 42) -> dict:
    """Assert the minimum versions, say which device will train, and seed every generator.

    Raises ``RuntimeError`` with the fix when TensorFlow or Keras is too old (Keras 2 code would
    silently train differently: ``SGD(decay=...)`` is ignored by Keras 3).
    """
    import keras
    import tensorflow as tf

    found = {"tensorflow": tf.__version__, "keras": keras.__version__}
    for package, minimum in MIN_VERSIONS.items():
        if _version_tuple(found[package]) < _version_tuple(minimum):
            raise RuntimeError(f"{package} {found[package]} is too old: this series needs {package} >= {minimum}. "
                               f"Upgrade with `pip install -U {package}` and restart the kernel.")
    gpus = tf.config.list_physical_devices("GPU")
    print(f"TensorFlow {found['tensorflow']}, Keras {found['keras']}, Python {sys.version.split()[0]}")
    if gpus:
        print(f"GPU: {', '.join(g.name for g in gpus)}")
    elif on_colab():
        print("No GPU: training will be slow. In Colab choose Runtime > Change runtime type > T4 GPU, then run again.")
    else:
        print("No GPU found: training runs on the CPU (the quick settings take minutes; full runs take hours).")
    keras.utils.set_random_seed(seed)
    return {**found, "gpus": len(gpus), "colab": on_colab()}
