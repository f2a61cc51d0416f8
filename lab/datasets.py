"""``python -m lab.datasets [cifar10] [mnist]`` (``make data``): write ``data/NAME.npz`` from any source
:func:`helpers.data.load` reaches, or ``--from FOLDER``, the official ``cifar-10-batches-py`` release;
either way verified against the official sha256 before it is kept."""

from __future__ import annotations

import argparse
import os
import pickle
import sys
from pathlib import Path

import numpy as np

from helpers import data


def read_cifar_batches(folder: Path) -> dict[str, np.ndarray]:
    """Read the official python-pickle release (``data_batch_1..5`` and ``test_batch``)."""

    def read(name):
        file = folder / name
        if not file.exists():
            raise data.DatasetError(f"{folder} is not a complete cifar-10-batches-py folder: {name} is missing.")
        try:
            with open(file, "rb") as handle:
                batch = pickle.load(handle, encoding="bytes")  # the official format is a pickle
            images = np.asarray(batch[b"data"], dtype=np.uint8).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
            return images, np.asarray(batch[b"labels"], dtype=np.uint8)
        except Exception as error:
            raise data.DatasetError(f"{file} could not be read as a CIFAR-10 batch ({error}).") from None

    train = [read(f"data_batch_{i}") for i in range(1, 6)]
    x_test, y_test = read("test_batch")
    return {"x_train": np.concatenate([x for x, _ in train]), "y_train": np.concatenate([y for _, y in train]),
            "x_test": x_test, "y_test": y_test}


def write(spec: data.DatasetSpec, folder: Path | None = None) -> Path:
    """Write ``data/NAME.npz`` from ``folder`` (the official CIFAR-10 folder) or whatever
    :func:`helpers.data.load` finds; it is verified (loaded back through :func:`helpers.data.load`)
    under a temporary name before it replaces anything."""
    arrays = read_cifar_batches(folder) if folder else dict(zip(data.KEYS, sum(data.load(spec.name, "full"), ())))
    tmp = spec.local_file.with_name(f".{spec.name}.tmp.npz")
    np.savez_compressed(tmp, **arrays)
    try:
        data.load(spec.name, "full", tmp)
    except data.DatasetError:
        tmp.unlink()
        raise
    os.replace(tmp, spec.local_file)
    return spec.local_file


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lab.datasets", description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", default=["cifar10", "mnist"], help="datasets (default: both)")
    parser.add_argument("--from", dest="folder", type=Path, help="the official cifar-10-batches-py folder")
    args = parser.parse_args(argv)
    for name in args.names:
        try:
            spec = data.get_spec(name)
            if args.folder and name != "cifar10":
                raise ValueError("--from reads the official CIFAR-10 folder only: run it with `cifar10` alone.")
            if spec.local_file.exists():
                print(f"{spec.local_file} already exists (remove it first to write it again)")
                continue
            print(f"wrote {write(spec, args.folder)} (verified against the official sha256)")
        except (ValueError, data.DatasetNotFoundError, data.DatasetError) as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
