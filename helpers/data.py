"""Loading CIFAR-10 and MNIST as verified uint8 arrays (scaled later, inside the model), plus the
committed samples and the validation split.

The full data comes from, first match wins: the ``path`` argument, ``$CIFAR10_PATH`` / ``$MNIST_PATH``,
``data/cifar10.npz`` / ``data/mnist.npz`` (``make data`` writes them), the Keras download. A path is an
``.npz`` file with the keys ``x_train, y_train, x_test, y_test``. Whatever is loaded is checked against
the sha256 of the official arrays, so a truncated, corrupted or different file is refused by name.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from helpers.paths import DATA_DIR

KEYS = ("x_train", "y_train", "x_test", "y_test")


class DatasetError(ValueError):
    """A dataset file exists but is not what it should be (wrong shapes, corrupt, truncated)."""


class DatasetNotFoundError(FileNotFoundError):
    """No source of the dataset could be reached."""


@dataclass(frozen=True)
class DatasetSpec:
    """What a dataset is (its classes, the networks trained on it), what it must look like, and
    where to find it. Every dataset fact the series uses lives here."""

    name: str
    title: str
    """How prose and figures name it ("CIFAR-10")."""
    env_var: str
    image_shape: tuple[int, ...]
    n_train: int
    n_test: int
    class_names: tuple[str, ...]
    """Class names, indexed by label."""
    architectures: tuple[str, ...]
    """The networks of :mod:`helpers.models` (its ``BUILDERS``) that are trained on this dataset."""
    mirror_keeps_class: bool
    """Whether a left-right mirror image shows the same class (a mirrored car is a car, a mirrored
    digit may be no digit): decides whether flip test-time augmentation makes sense."""
    sha256: dict[str, str]
    sample_file: str
    groups: dict[str, tuple[str, ...]] = field(default_factory=dict, hash=False, compare=False)
    """Classes that belong together (CIFAR-10: animals and vehicles), by group name; empty for none."""

    @property
    def classes(self) -> int:
        return len(self.class_names)

    def group_of(self, class_name: str) -> str | None:
        """The group (a key of :attr:`groups`) that ``class_name`` belongs to, or None."""
        return next((group for group, members in self.groups.items() if class_name in members), None)

    @property
    def local_file(self) -> Path:
        return DATA_DIR / f"{self.name}.npz"


CIFAR10 = DatasetSpec(
    name="cifar10",
    title="CIFAR-10",
    env_var="CIFAR10_PATH",
    image_shape=(32, 32, 3),
    n_train=50_000,
    n_test=10_000,
    class_names=("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"),
    architectures=("minivggnet", "shallownet"),
    mirror_keeps_class=True,
    sha256={
        "x_train": "47af8b02cfcfb6cdf3dbbd1969ad7f1b70f4413f6f80f437b020ee4e5bc8304a",
        "y_train": "2b7cd2f24487317614016b72ffd53071c3062f592f0eb300c18a770d41ae1253",
        "x_test": "f9b1e2130bab680db56eb06d886f7f1ad0f1183907ceff4659d1735c890f5b04",
        "y_test": "cec8a24a1e92aa2ecaa0bbd3dbfa86bf6cd8759fbd209a832824c8cf0afca9d5",
    },
    sample_file="cifar10_sample.npz",
    groups={"animal": ("bird", "cat", "deer", "dog", "frog", "horse"),
            "vehicle": ("airplane", "automobile", "ship", "truck")},
)

MNIST = DatasetSpec(
    name="mnist",
    title="MNIST",
    env_var="MNIST_PATH",
    image_shape=(28, 28),
    n_train=60_000,
    n_test=10_000,
    class_names=tuple(str(d) for d in range(10)),
    architectures=("lenet",),
    mirror_keeps_class=False,
    sha256={
        "x_train": "741c988805d008ac6e4c904b69001ba184c24b2c540a4ef403f4c71b676cf757",
        "y_train": "1feba77c54802fa5339a11837ea4b2866434b83314ec45192930f1df69120c13",
        "x_test": "6d87418db22cc8025d05968bec9bd5c3932904b23485740db143a061a2c9d161",
        "y_test": "ddeff807876a9661a1110d45c266c86239a3a1b7d37da0c3716a7a683c852ff5",
    },
    sample_file="mnist_sample.npz",
)

SPECS = {spec.name: spec for spec in (CIFAR10, MNIST)}

CLASS_NAMES = CIFAR10.class_names
"""CIFAR-10 class names, indexed by label."""

DIGIT_NAMES = MNIST.class_names
"""MNIST class names, indexed by label."""

Split = tuple[np.ndarray, np.ndarray]


# --------------------------------------------------------------------------- public loaders

def load_sample(dataset: str = "cifar10") -> tuple[Split, Split]:
    """Return the small stratified sample committed in ``data/`` (see ``data/README.md``).

    Same dtypes and layout as the full loaders; used by quick runs, tests and CI, offline.
    """
    spec = get_spec(dataset)
    path = DATA_DIR / spec.sample_file
    if not path.exists():
        raise DatasetNotFoundError(f"The committed sample {path} is missing. It ships with the repository; restore it "
                                   f"with `git checkout -- data/{spec.sample_file}` or rebuild it with `make samples`.")
    arrays = _read_npz(path)
    _check_layout(spec, arrays, path, full=False)
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


def load(dataset: str = "cifar10", source: str = "full", path: str | os.PathLike | None = None) -> tuple[Split, Split]:
    """Load ``dataset`` (``"cifar10"`` or ``"mnist"``) from ``source``: ``"full"``, the official data,
    or ``"sample"``, the committed sample (what notebooks call with their ``DATA`` parameter).

    Returns ``(x_train, y_train), (x_test, y_test)`` in the official order: uint8 images, channels last
    (CIFAR-10 ``(N, 32, 32, 3)`` RGB, MNIST ``(N, 28, 28)``), and uint8 labels ``(N,)``. The full data
    is found as the module docstring says (``path`` first); raises :class:`DatasetNotFoundError` when no
    source is reachable and :class:`DatasetError` when a file is not the official data.
    """
    if source == "sample":
        return load_sample(dataset)
    if source == "full":
        return _load_full(get_spec(dataset), path)
    raise ValueError(f"DATA must be 'full' or 'sample', not {source!r}.")


def data_sha256(arrays: dict[str, np.ndarray]) -> dict[str, str]:
    """sha256 of each array's raw bytes, as recorded in results files."""
    return {key: hashlib.sha256(np.ascontiguousarray(arrays[key]).tobytes()).hexdigest() for key in KEYS}


def get_spec(dataset: str) -> DatasetSpec:
    """The :class:`DatasetSpec` named ``dataset`` (``"cifar10"`` or ``"mnist"``)."""
    if dataset not in SPECS:
        raise ValueError(f"Unknown dataset {dataset!r}; choose one of {sorted(SPECS)}.")
    return SPECS[dataset]


def spec_for_arch(arch: str) -> DatasetSpec:
    """The dataset the network ``arch`` is trained on."""
    if spec := next((candidate for candidate in SPECS.values() if arch in candidate.architectures), None):
        return spec
    raise ValueError(f"Unknown architecture {arch!r}; choose one of {', '.join(architectures())}.")


def architectures() -> tuple[str, ...]:
    """Every network some dataset is trained with, in the order the specs list them."""
    return tuple(arch for candidate in SPECS.values() for arch in candidate.architectures)


# --------------------------------------------------------------------------- validation split

def split_indices(labels: np.ndarray, val_size: int | float = 0.1, seed: int = 42) -> tuple[np.ndarray, np.ndarray]:
    """Stratified, seeded split of ``range(len(labels))`` into sorted train and validation indices.

    ``val_size`` is a count or a fraction of the data. Every class gives the same share to
    validation, so both parts keep the class balance; the two index sets are disjoint and together
    cover every example.
    """
    labels = np.asarray(labels).reshape(-1)
    n = len(labels)
    n_val = int(round(val_size * n)) if isinstance(val_size, float) else int(val_size)
    if not 0 < n_val < n:
        raise ValueError(f"val_size={val_size!r} leaves no training or no validation data for {n} examples.")
    rng = np.random.default_rng(seed)
    val = []
    for cls in np.unique(labels):
        members = np.flatnonzero(labels == cls)
        take = int(round(n_val * len(members) / n))
        val.append(rng.choice(members, size=take, replace=False))
    val_idx = np.sort(np.concatenate(val))
    train_idx = np.setdiff1d(np.arange(n), val_idx, assume_unique=True)
    return train_idx, val_idx


def train_val_split(x: np.ndarray, y: np.ndarray, val_size: int | float = 0.1, seed: int = 42) -> tuple[Split, Split]:
    """Carve a stratified validation set out of the *training* data: ``(x_tr, y_tr), (x_val, y_val)``.

    The test set is never touched here: it is kept for the one final evaluation.
    """
    train_idx, val_idx = split_indices(y, val_size, seed)
    return (x[train_idx], y[train_idx]), (x[val_idx], y[val_idx])


# --------------------------------------------------------------------------- resolution

def _load_full(spec: DatasetSpec, path) -> tuple[Split, Split]:
    tried = []
    for origin, candidate in (("the path argument", path), (f"${spec.env_var}", os.environ.get(spec.env_var) or None),
                              ("default location", spec.local_file)):
        if candidate is None:
            tried += [f"{origin}: not set"] if origin.startswith("$") else []
            continue
        candidate = Path(candidate).expanduser()
        if origin != "default location" or candidate.exists():
            if not candidate.exists():
                raise DatasetNotFoundError(f"{spec.name}: {origin} points to {candidate}, which does not exist. "
                                           f"Fix the path, or unset it to use the other sources.")
            arrays = _read_source(spec, candidate)
            _verify(spec, arrays, candidate)
            return _as_splits(arrays)
        tried.append(f"{origin}: {candidate} (not found)")
    arrays = _download(spec, tried)
    _verify(spec, arrays, Path("~/.keras/datasets").expanduser() / spec.name)
    return _as_splits(arrays)


def _download(spec: DatasetSpec, tried: list[str]) -> dict[str, np.ndarray]:
    import keras  # imported here: loading from files must not need TensorFlow

    loader = getattr(keras.datasets, spec.name)
    try:
        (x_train, y_train), (x_test, y_test) = loader.load_data()
    except Exception as error:  # network down, proxy, checksum mismatch ...
        tried.append(f"the Keras download: failed ({type(error).__name__}: {error})")
        raise DatasetNotFoundError(_not_found_message(spec, tried)) from None
    return {"x_train": x_train, "y_train": y_train.reshape(-1), "x_test": x_test, "y_test": y_test.reshape(-1)}


def _not_found_message(spec: DatasetSpec, tried: list[str]) -> str:
    lines = "\n".join(f"  - {t}" for t in tried)
    return (
        f"Could not find the full {spec.name} dataset. Looked at:\n{lines}\n"
        f"Provide it in one of these ways:\n"
        f"  - set {spec.env_var}=/path/to/{spec.name}.npz (keys x_train, y_train, x_test, y_test)"
        + f",\n  - copy the file to {spec.local_file},\n"
        f"  - or run `make data` with internet access (Keras downloads it once).\n"
        f"For a quick offline run use the committed sample instead: DATA='sample'."
    )


def _read_source(spec: DatasetSpec, path: Path) -> dict[str, np.ndarray]:
    if path.is_dir():
        raise DatasetError(f"{path} is a folder; give an .npz file (`python -m lab.datasets {spec.name} --from "
                           f"{path}` converts the official cifar-10-batches-py folder into {spec.local_file}).")
    return _read_npz(path)


def _read_npz(path: Path) -> dict[str, np.ndarray]:
    try:
        with np.load(path, allow_pickle=False) as npz:
            files, arrays = npz.files, {key: npz[key] for key in KEYS if key in npz.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, KeyError) as error:
        raise DatasetError(f"{path} could not be read as an .npz archive ({type(error).__name__}: {error}). "
                           f"The file is probably truncated or corrupted: download or copy it again.") from None
    if missing := [key for key in KEYS if key not in arrays]:
        raise DatasetError(f"{path} lacks the arrays {missing}; an .npz dataset needs the keys {list(KEYS)} (it has {files}).")
    return arrays


# --------------------------------------------------------------------------- verification

def _check_layout(spec: DatasetSpec, arrays: dict[str, np.ndarray], path: Path, full: bool) -> None:
    for part in ("train", "test"):
        x, y = arrays[f"x_{part}"], arrays[f"y_{part}"]
        if y.ndim == 2 and y.shape[1] == 1:  # keras' (N, 1) labels
            y = arrays[f"y_{part}"] = y.reshape(-1)
        if x.shape[1:] != spec.image_shape or x.ndim != len(spec.image_shape) + 1:
            raise DatasetError(f"{path}: x_{part} has shape {x.shape}, expected "
                               f"(N, {', '.join(map(str, spec.image_shape))}) for {spec.name} (channels last).")
        if y.shape != (len(x),):
            raise DatasetError(f"{path}: y_{part} has shape {y.shape}, expected ({len(x)},) to match x_{part}.")
        if x.dtype != np.uint8 or y.dtype != np.uint8:
            raise DatasetError(f"{path}: expected uint8 arrays, got x_{part} {x.dtype} and y_{part} {y.dtype}.")
        if len(y) and y.max() >= spec.classes:
            raise DatasetError(f"{path}: y_{part} has label {y.max()}, but {spec.name} has {spec.classes} classes (0..{spec.classes - 1}).")
        if full:
            if len(x) != (expected := spec.n_train if part == "train" else spec.n_test):
                raise DatasetError(f"{path}: x_{part} has {len(x)} images, the official {spec.name} has "
                                   f"{expected}. The file is partial or not the official release.")


def _verify(spec: DatasetSpec, arrays: dict[str, np.ndarray], path: Path) -> None:
    _check_layout(spec, arrays, path, full=True)
    for key, digest in data_sha256(arrays).items():
        if digest != spec.sha256[key]:
            raise DatasetError(f"{path}: {key} does not match the official {spec.name} data (sha256 "
                               f"{digest[:12]}..., expected {spec.sha256[key][:12]}...). The file is corrupted, "
                               f"modified or in another order: get the official release again.")


def _as_splits(arrays: dict[str, np.ndarray]) -> tuple[Split, Split]:
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])
