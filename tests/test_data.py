"""helpers.data: where datasets are found, what is refused and why, the samples and the split."""

import hashlib
import os
import pickle
import time

import numpy as np
import pytest

from helpers import data
from helpers.data import DatasetError, DatasetNotFoundError
from lab import datasets


def write_npz(path, x_train, y_train, x_test, y_test):
    np.savez(path, x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
    return path


def tiny_cifar(n=20):
    rng = np.random.default_rng(0)
    return (rng.integers(0, 256, (n, 32, 32, 3), dtype=np.uint8), (np.arange(n) % 10).astype(np.uint8),
            rng.integers(0, 256, (n, 32, 32, 3), dtype=np.uint8), (np.arange(n) % 10).astype(np.uint8))


# --------------------------------------------------------------------------- resolution order

def test_path_argument_wins_over_environment(no_env, monkeypatch):
    arg = write_npz(no_env / "arg.npz", *tiny_cifar())
    env = write_npz(no_env / "env.npz", *tiny_cifar())
    monkeypatch.setenv("CIFAR10_PATH", str(env))
    with pytest.raises(DatasetError, match="arg.npz"):
        data.load("cifar10", "full", arg)


def test_environment_wins_over_data_folder(no_env, monkeypatch):
    (no_env / "data").mkdir()
    write_npz(no_env / "data" / "cifar10.npz", *tiny_cifar())
    env = write_npz(no_env / "env.npz", *tiny_cifar())
    monkeypatch.setenv("CIFAR10_PATH", str(env))
    with pytest.raises(DatasetError, match="env.npz"):
        data.load("cifar10", "full")


def test_data_folder_used_when_nothing_else_is_set(no_env):
    (no_env / "data").mkdir()
    write_npz(no_env / "data" / "cifar10.npz", *tiny_cifar())
    with pytest.raises(DatasetError, match=r"data/cifar10.npz"):
        data.load("cifar10", "full")


def test_download_is_the_last_resort_and_failure_explains_everything(no_env):
    with pytest.raises(DatasetNotFoundError) as caught:
        data.load("cifar10", "full")
    message = str(caught.value)
    assert "$CIFAR10_PATH: not set" in message
    assert "cifar10.npz (not found)" in message
    assert "Keras download: failed" in message and "network unreachable" in message
    assert "set CIFAR10_PATH=" in message and "make data" in message and "DATA='sample'" in message


def test_environment_pointing_nowhere_is_an_error_not_a_fallback(no_env, monkeypatch):
    monkeypatch.setenv("MNIST_PATH", str(no_env / "missing.npz"))
    with pytest.raises(DatasetNotFoundError, match=r"\$MNIST_PATH points to .*missing.npz, which does not exist"):
        data.load("mnist", "full")


# --------------------------------------------------------------------------- refusals

def test_truncated_file_is_refused_by_name(full_or_sample_bytes, no_env):
    path = no_env / "cut.npz"
    path.write_bytes(full_or_sample_bytes[: len(full_or_sample_bytes) // 2])
    with pytest.raises(DatasetError, match=r"cut.npz could not be read .* truncated or corrupted"):
        data.load("cifar10", "full", path)


@pytest.fixture
def full_or_sample_bytes():
    from helpers.paths import DATA_DIR  # the real data/ folder, whatever no_env patched

    return (DATA_DIR / "cifar10_sample.npz").read_bytes()


def test_missing_keys_are_named(no_env):
    path = no_env / "keys.npz"
    np.savez(path, x_train=np.zeros((1, 32, 32, 3), np.uint8))
    with pytest.raises(DatasetError, match=r"lacks the arrays \['y_train', 'x_test', 'y_test'\]"):
        data.load("cifar10", "full", path)


def test_wrong_image_shape_is_refused(no_env):
    x, y, xt, yt = tiny_cifar()
    path = write_npz(no_env / "shape.npz", x[:, :, :, 0], y, xt, yt)
    with pytest.raises(DatasetError, match=r"x_train has shape \(20, 32, 32\), expected \(N, 32, 32, 3\)"):
        data.load("cifar10", "full", path)


def test_wrong_dtype_is_refused(no_env):
    x, y, xt, yt = tiny_cifar()
    path = write_npz(no_env / "float.npz", x.astype(np.float32), y, xt, yt)
    with pytest.raises(DatasetError, match="expected uint8 arrays, got x_train float32"):
        data.load("cifar10", "full", path)


def test_label_out_of_range_is_refused(no_env):
    x, y, xt, yt = tiny_cifar()
    y[3] = 12
    path = write_npz(no_env / "labels.npz", x, y, xt, yt)
    with pytest.raises(DatasetError, match="y_train has label 12, but cifar10 has 10 classes"):
        data.load("cifar10", "full", path)


def test_partial_dataset_is_refused(no_env):
    path = write_npz(no_env / "partial.npz", *tiny_cifar())
    with pytest.raises(DatasetError, match="x_train has 20 images, the official cifar10 has 50000"):
        data.load("cifar10", "full", path)


def test_unknown_names_are_refused():
    with pytest.raises(ValueError, match="Unknown dataset 'svhn'"):
        data.load_sample("svhn")
    with pytest.raises(ValueError, match="DATA must be 'full' or 'sample'"):
        data.load("cifar10", "tiny")


# --------------------------------------------------------------------------- the full data

@pytest.mark.full_data
def test_full_cifar10_is_the_official_data_and_loads_quickly(full_cifar_path):
    start = time.perf_counter()
    (x_train, y_train), (x_test, y_test) = data.load("cifar10", "full", full_cifar_path)
    assert time.perf_counter() - start < 20
    assert x_train.shape == (50000, 32, 32, 3) and x_test.shape == (10000, 32, 32, 3)
    assert y_train.shape == (50000,) and x_train.dtype == np.uint8 and y_train.dtype == np.uint8
    assert hashlib.sha256(x_train.tobytes()).hexdigest() == data.CIFAR10.sha256["x_train"]
    assert x_train[0, 0, 0].tolist() == [59, 62, 63] and y_train[0] == 6  # the frog
    assert np.bincount(y_test).tolist() == [1000] * 10


@pytest.mark.full_data
def test_tampered_full_file_is_refused(full_cifar_path, tmp_path):
    arrays = dict(np.load(full_cifar_path))
    arrays["x_test"][17, 3, 3, 1] ^= 1  # one bit of one pixel
    path = tmp_path / "tampered.npz"
    np.savez(path, **arrays)
    with pytest.raises(DatasetError, match=r"tampered.npz: x_test does not match the official cifar10"):
        data.load("cifar10", "full", path)


@pytest.mark.full_data
def test_official_python_batches_folder_is_converted_by_make_data(full_cifar_path, tmp_path):
    arrays = np.load(full_cifar_path)
    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    x, y = arrays["x_train"], arrays["y_train"]
    names = [(f"data_batch_{i + 1}", slice(i * 10000, (i + 1) * 10000)) for i in range(5)]
    for name, part in names + [("test_batch", None)]:
        images, labels = (x[part], y[part]) if part else (arrays["x_test"], arrays["y_test"])
        batch = {b"data": images.transpose(0, 3, 1, 2).reshape(len(images), -1), b"labels": labels.tolist()}
        with open(folder / name, "wb") as handle:
            pickle.dump(batch, handle)
    with pytest.raises(DatasetError, match="is a folder; give an .npz file"):
        data.load("cifar10", "full", folder)
    converted = datasets.read_cifar_batches(folder)
    assert np.array_equal(converted["x_train"], x) and np.array_equal(converted["y_test"], arrays["y_test"])
    os.remove(folder / "test_batch")
    with pytest.raises(DatasetError, match="test_batch is missing"):
        datasets.read_cifar_batches(folder)


@pytest.mark.full_data
def test_full_mnist_is_the_official_data(full_mnist_path):
    (x_train, y_train), (x_test, y_test) = data.load("mnist", "full", full_mnist_path)
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert np.bincount(y_test).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


# --------------------------------------------------------------------------- samples and split

@pytest.mark.parametrize("name, shape", [("cifar10", (32, 32, 3)), ("mnist", (28, 28))])
def test_samples_are_small_balanced_and_official(name, shape):
    (x_train, y_train), (x_test, y_test) = data.load_sample(name)
    assert x_train.shape == (2000, *shape) and x_test.shape == (1000, *shape)
    assert np.bincount(y_train, minlength=10).tolist() == [200] * 10
    assert np.bincount(y_test, minlength=10).tolist() == [100] * 10
    assert (data.DATA_DIR / data.SPECS[name].sample_file).stat().st_size < 10_000_000


@pytest.mark.full_data
def test_sample_images_are_taken_from_the_official_data(full_cifar_path, cifar_sample):
    with np.load(data.DATA_DIR / "cifar10_sample.npz") as sample, np.load(full_cifar_path) as full:
        assert np.array_equal(full["x_train"][sample["train_index"]], sample["x_train"])
        assert np.array_equal(full["y_test"][sample["test_index"]], sample["y_test"])


def test_split_is_stratified_disjoint_complete_and_seeded():
    labels = np.repeat(np.arange(10, dtype=np.uint8), 500)
    train, val = data.split_indices(labels, 0.1, seed=3)
    assert len(val) == 500 and len(train) == 4500
    assert np.intersect1d(train, val).size == 0
    assert np.array_equal(np.sort(np.concatenate([train, val])), np.arange(5000))
    assert np.bincount(labels[val]).tolist() == [50] * 10
    again, _ = data.split_indices(labels, 0.1, seed=3)
    other, _ = data.split_indices(labels, 0.1, seed=4)
    assert np.array_equal(train, again) and not np.array_equal(train, other)


def test_train_val_split_returns_matching_arrays(cifar_sample):
    (x, y), _ = cifar_sample
    (x_tr, y_tr), (x_val, y_val) = data.train_val_split(x, y, 200, seed=0)
    assert x_tr.shape == (1800, 32, 32, 3) and x_val.shape == (200, 32, 32, 3)
    assert np.bincount(y_val).tolist() == [20] * 10
    with pytest.raises(ValueError, match="leaves no training or no validation data"):
        data.split_indices(y, 0.0)
