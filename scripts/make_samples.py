"""Write the small committed samples data/cifar10_sample.npz and data/mnist_sample.npz.

Each holds a stratified draw from the official data with a fixed seed: 200 training and 100 test
images per class (2,000 + 1,000), in their official order. Run with the full datasets reachable
(CIFAR10_PATH / MNIST_PATH, data/, or the Keras download): `make samples`.
"""

import sys

import numpy as np

from helpers import data
from helpers.paths import DATA_DIR

PER_CLASS = {"train": 200, "test": 100}
SEED = 2024


def stratified(labels: np.ndarray, per_class: int, rng: np.random.Generator) -> np.ndarray:
    picks = [rng.choice(np.flatnonzero(labels == c), per_class, replace=False) for c in np.unique(labels)]
    return np.sort(np.concatenate(picks))


def main() -> int:
    for name in ("cifar10", "mnist"):
        (x_train, y_train), (x_test, y_test) = data.load(name, "full")
        rng = np.random.default_rng(SEED)
        train = stratified(y_train, PER_CLASS["train"], rng)
        test = stratified(y_test, PER_CLASS["test"], rng)
        path = DATA_DIR / data.SPECS[name].sample_file
        np.savez_compressed(path, x_train=x_train[train], y_train=y_train[train],
                            x_test=x_test[test], y_test=y_test[test],
                            train_index=train, test_index=test)
        print(f"{path}: {len(train)} train + {len(test)} test images, {path.stat().st_size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
