"""Shared fixtures: the committed samples, the full datasets when $CIFAR10_PATH / $MNIST_PATH point
at them (tests that need them are skipped otherwise, with the reason), and scratch folders."""

import os
from pathlib import Path

import pytest

from helpers import data


@pytest.fixture(autouse=True)
def float32_policy():
    """Every test starts and ends in float32: a test that selects a device (select_device, the train CLI) sets
    Keras' global mixed-precision policy, which would otherwise leak bfloat16 into the tests after it."""
    import keras
    keras.mixed_precision.set_global_policy("float32")
    yield
    keras.mixed_precision.set_global_policy("float32")


@pytest.fixture(scope="session")
def cifar_sample():
    return data.load_sample("cifar10")


@pytest.fixture(scope="session")
def mnist_sample():
    return data.load_sample("mnist")


def _full_path(env_var: str) -> Path:
    value = os.environ.get(env_var)
    if not value or not Path(value).exists():
        pytest.skip(f"{env_var} does not point at the full dataset (set it to run this test)")
    return Path(value)


@pytest.fixture(scope="session")
def full_cifar_path():
    return _full_path("CIFAR10_PATH")


@pytest.fixture(scope="session")
def full_mnist_path():
    return _full_path("MNIST_PATH")


@pytest.fixture
def no_env(monkeypatch, tmp_path):
    """No dataset environment variables, an empty data/ folder and no network download."""
    monkeypatch.delenv("CIFAR10_PATH", raising=False)
    monkeypatch.delenv("MNIST_PATH", raising=False)
    monkeypatch.setattr(data, "DATA_DIR", tmp_path / "data")

    def offline():
        raise OSError("network unreachable (test)")

    import keras

    monkeypatch.setattr(keras.datasets.cifar10, "load_data", offline)
    monkeypatch.setattr(keras.datasets.mnist, "load_data", offline)
    return tmp_path


_EXECUTED = {}


@pytest.fixture(scope="session")
def executed():
    """``executed("03")``: notebook 03 run in the quick profile into build/executed/ (once per session)."""
    import nbformat

    from helpers.paths import BUILD_DIR
    from lab import notebooks

    def run(prefix: str):
        if prefix not in _EXECUTED:
            path = notebooks.notebook_paths([prefix])[0]
            _EXECUTED[prefix] = nbformat.read(notebooks.execute(path, "quick", BUILD_DIR / "executed"), as_version=4)
        return _EXECUTED[prefix]
    return run
