"""Training: the tf.data input pipeline, the input scaling, the optimiser and schedule from a recipe, and
a resumable ``model.fit``. Notebook 03 writes each piece out in Keras (tests/test_notebook_03.py runs its cells
against these); the pipeline here adds what the page leaves out: each epoch's order and augmentation come from
the seed and the epoch number alone (and :class:`EpochSeeds` does the same for dropout), so that a run killed
and resumed trains exactly as an uninterrupted one. The images stay uint8 until each batch is cast to float32;
the model scales the pixels (:func:`helpers.models.with_preprocessing`), so a saved model takes raw pixels.
"""

from __future__ import annotations

import csv
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from helpers import data as data_lib
from helpers import models
from helpers.devices import Device, choose_jit_compile, select_device
from helpers.paths import ensure_dir
from helpers.recipes import Recipe


# --------------------------------------------------------------------------- input pipeline

def augment_batch(images: tf.Tensor, seed: tf.Tensor, pad: int, flip: tf.Tensor | None = None, cutout: int = 0,
                  cutout_on: tf.Tensor | bool = True) -> tf.Tensor:
    """Pad each image by ``pad`` pixels (reflection), crop a random window of the original size and
    flip half of them (or those where the boolean ``flip`` is true); with ``cutout`` > 0, grey out a
    ``cutout`` x ``cutout`` square centred anywhere in each (square) image (DeVries & Taylor, 2017) while ``cutout_on``.

    Every example gets its own crop offset and flip (``layers.RandomCrop`` would crop a whole batch
    at one place). ``seed`` is a shape-(2,) int tensor for the stateless random ops, so the same
    seed gives the same augmentation. Works on uint8 batches ``(B, H, W, C)``.
    """
    shape = tf.shape(images)
    batch, height, width = shape[0], shape[1], shape[2]
    padded = tf.pad(images, [[0, 0], [pad, pad], [pad, pad], [0, 0]], mode="REFLECT")
    offsets = tf.random.stateless_uniform([batch, 2], seed, 0, 2 * pad + 1, dtype=tf.int32)
    rows = offsets[:, :1] + tf.range(height)[None, :]
    cols = offsets[:, 1:] + tf.range(width)[None, :]
    cropped = tf.gather(padded, rows, axis=1, batch_dims=1)
    cropped = tf.gather(cropped, cols, axis=2, batch_dims=1)
    flip = tf.random.stateless_uniform([batch], seed + 1) < 0.5 if flip is None else flip
    images = tf.where(flip[:, None, None, None], tf.reverse(cropped, axis=[2]), cropped)
    if not cutout:
        return images
    corner = tf.random.stateless_uniform([batch, 2], seed + 2, 0, height, dtype=tf.int32) - cutout // 2
    inside = [(0 <= d) & (d < cutout) for d in (tf.range(height) - corner[:, :1], tf.range(width) - corner[:, 1:])]
    hole = inside[0][:, :, None, None] & inside[1][:, None, :, None]
    return tf.where(hole & cutout_on, tf.constant(128, images.dtype), images)


def describe_augmentation(image: np.ndarray, augmented: np.ndarray, pad: int) -> str:
    """In words, what :func:`augment_batch` did to ``image`` to give ``augmented``: the shift (in
    pixels, as seen in the result) and whether it was mirrored, e.g. ``"1 right, 2 up, mirrored"``.

    Found by trying every crop of the reflect-padded image; used to title the augmentation figure.
    """
    padded = np.pad(image, ((pad, pad), (pad, pad), (0, 0)), mode="reflect")
    height, width = image.shape[:2]
    for row in range(2 * pad + 1):
        for col in range(2 * pad + 1):
            window = padded[row:row + height, col:col + width]
            for mirrored in (False, True):
                if np.array_equal(window[:, ::-1] if mirrored else window, augmented):
                    right, down = (pad - col) * (-1 if mirrored else 1), pad - row
                    words = [f"{abs(right)} {'right' if right > 0 else 'left'}"] if right else []
                    words += [f"{abs(down)} {'down' if down > 0 else 'up'}"] if down else []
                    words += ["mirrored"] if mirrored else []
                    return ", ".join(words) or "unchanged"
    raise ValueError("augmented is not a padded crop (or its mirror) of image with this padding.")


def make_dataset(x: np.ndarray, y: np.ndarray, batch_size: int, classes: int = 10,
                 training: bool = False, augment: bool = False, seed: int = 42,
                 crop_padding: int | None = None, epochs: int = 1, first_epoch: int = 0,
                 alternate_flip: bool = False, cutout: int = 0, cutout_from: int = 0) -> tf.data.Dataset:
    """A ``tf.data`` pipeline of ``(float32 images 0..255, one-hot labels)`` batches from uint8 arrays.

    Training pipelines shuffle (indices, not images: cheap) and may augment (``augment=True`` with the
    recipe's ``crop_padding``, see :func:`augment_batch`); evaluation pipelines keep the order.
    Nothing is copied to float64: the cast to float32 happens per batch in the graph.

    A training pipeline holds ``epochs`` epochs one after the other, epoch ``first_epoch`` first
    (``model.fit`` it with ``steps_per_epoch``), and epoch k's order and augmentation depend only on
    ``seed`` and k, so that a resumed run trains its epochs exactly as an uninterrupted one. With
    ``alternate_flip`` a random half of the images is flipped in even epochs and the other half in odd ones;
    ``cutout``: see :func:`augment_batch`, from epoch ``cutout_from`` (0-based) on.
    """
    if len(x) != len(y):
        raise ValueError(f"x has {len(x)} images but y has {len(y)} labels.")
    if augment and crop_padding is None:
        raise ValueError("augment=True needs crop_padding (the recipe's crop_padding: pixels of padding before the crop).")
    with tf.device("/CPU:0"):  # the arrays stay in host memory: never placed on or copied through a GPU
        images = tf.constant(x if x.ndim == 4 else x[..., None])  # MNIST (N, 28, 28) -> (N, 28, 28, 1)
        labels = tf.constant(np.asarray(y).reshape(-1))
        flipped_in_even_epochs = tf.random.stateless_uniform([len(x)], [seed, 1]) < 0.5

    def one_epoch(epoch):  # stateless: this epoch's order and per-batch augmentation seeds from (seed, epoch)
        order_seed, augment_seed = tf.unstack(tf.random.experimental.stateless_split(
            tf.stack([tf.constant(seed, tf.int64), epoch]), num=2))
        order = tf.random.experimental.stateless_shuffle(tf.range(len(x), dtype=tf.int64), order_seed)
        batches = tf.data.Dataset.from_tensor_slices(order).batch(batch_size)
        if augment:
            seeds = tf.random.stateless_uniform([-(-len(x) // batch_size), 2], augment_seed,
                                                minval=None, maxval=None, dtype=tf.int64)
            batches = tf.data.Dataset.zip(batches, tf.data.Dataset.from_tensor_slices(seeds),
                                          tf.data.Dataset.from_tensors(epoch).repeat())
        return batches

    if training:
        batches = tf.data.Dataset.range(first_epoch, first_epoch + epochs).flat_map(one_epoch)
    else:
        batches = tf.data.Dataset.range(len(x)).batch(batch_size)

    def gather(idx, batch_seed=None, epoch=None):
        batch_images = tf.gather(images, idx)
        if augment:
            flip = tf.gather(flipped_in_even_epochs, idx) != (epoch % 2 == 1) if alternate_flip else None
            batch_images = augment_batch(batch_images, batch_seed, crop_padding, flip, cutout, epoch >= cutout_from)
        return tf.cast(batch_images, tf.float32), tf.one_hot(tf.gather(labels, idx), classes)
    return batches.map(gather, num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE)


def channel_stats(x: np.ndarray) -> tuple[list[float], list[float]]:
    """Per-channel mean and standard deviation of uint8 images on the 0..255 scale, exact: from each
    channel's histogram of the 256 values (no float copy of the images is made)."""
    flat = x.reshape(-1, x.shape[-1] if x.ndim == 4 else 1)
    counts = np.stack([np.bincount(flat[:, c], minlength=256) for c in range(flat.shape[1])]).astype(np.float64)
    values = np.arange(256, dtype=np.float64)
    mean = counts @ values / len(flat)
    return mean.tolist(), np.sqrt(counts @ values ** 2 / len(flat) - mean ** 2).tolist()


# --------------------------------------------------------------------------- optimiser

def learning_rate_schedule(recipe: Recipe, steps_per_epoch: int):
    """The learning rate as a function of the iteration, as the recipe describes it.

    ``inverse_time`` reproduces Keras 2's ``SGD(decay=...)``: lr / (1 + decay * iteration), updated
    every batch (Keras 3 ignores ``decay=``). ``warmup_cosine`` rises linearly from
    ``warmup_start * learning_rate`` to ``learning_rate``, then follows a cosine down to
    ``end_fraction * learning_rate``; ``warmup_linear`` goes down a straight line instead (airbench).
    """
    if recipe.schedule == "constant":
        return keras.optimizers.schedules.InverseTimeDecay(recipe.learning_rate, decay_steps=1, decay_rate=0.0)
    if recipe.schedule == "inverse_time":
        return keras.optimizers.schedules.InverseTimeDecay(recipe.learning_rate, decay_steps=1, decay_rate=recipe.decay)
    total = recipe.epochs * steps_per_epoch
    warmup = int(round(recipe.warmup_fraction * total))
    if recipe.schedule == "warmup_linear":
        return WarmupLinearDecay(recipe.learning_rate * recipe.warmup_start, recipe.learning_rate,
                                 recipe.learning_rate * recipe.end_fraction, warmup, total)
    return keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=recipe.learning_rate * (recipe.warmup_start if warmup else 1.0), decay_steps=max(total - warmup, 1),
        alpha=recipe.end_fraction, warmup_target=recipe.learning_rate if warmup else None, warmup_steps=warmup)


@keras.saving.register_keras_serializable(package="helpers")
class WarmupLinearDecay(keras.optimizers.schedules.LearningRateSchedule):
    """A straight line from ``start`` up to ``peak`` over ``warmup_steps``, then down to ``end`` at ``total_steps``."""

    def __init__(self, start: float, peak: float, end: float, warmup_steps: int, total_steps: int):
        self.start, self.peak, self.end, self.warmup_steps, self.total_steps = start, peak, end, warmup_steps, total_steps

    def __call__(self, step):
        step = keras.ops.cast(step, "float32")
        rise = self.start + (self.peak - self.start) * step / max(self.warmup_steps, 1)
        done = keras.ops.minimum((step - self.warmup_steps) / max(self.total_steps - self.warmup_steps, 1), 1.0)
        return keras.ops.where(step < self.warmup_steps, rise, self.peak + (self.end - self.peak) * done)

    def get_config(self):
        return dict(start=self.start, peak=self.peak, end=self.end, warmup_steps=self.warmup_steps, total_steps=self.total_steps)


def make_optimizer(recipe: Recipe, steps_per_epoch: int) -> keras.optimizers.Optimizer:
    """SGD (momentum, Nesterov) or AdamW with the recipe's schedule; weight decay spares BN and biases;
    with ``ema_momentum`` the weights' running average replaces them after every epoch."""
    if recipe.bn_shift_lr_factor != 1:  # batch normalisation's shifts get an optimizer of their own, at a multiple of the rate
        plain, shifts = (recipe.with_overrides(learning_rate=recipe.learning_rate * k, bn_shift_lr_factor=1.0)
                         for k in (1.0, recipe.bn_shift_lr_factor))
        return keras.optimizers.MultiOptimizer(keras.optimizers.OptimizerMap(
            make_optimizer(plain, steps_per_epoch), {".*/beta": make_optimizer(shifts, steps_per_epoch)}))
    # a constant rate is a plain number, as one writes it in Keras (notebooks 05 and 06); a schedule otherwise
    schedule = recipe.learning_rate if recipe.schedule == "constant" else learning_rate_schedule(recipe, steps_per_epoch)
    decay = recipe.weight_decay or None
    ema = dict(use_ema=True, ema_momentum=recipe.ema_momentum, ema_overwrite_frequency=steps_per_epoch) if (
        recipe.ema_momentum and not recipe.ema_bn_stats) else {}  # with BN statistics: WeightAverage instead
    if recipe.optimizer == "adamw":
        optimizer = keras.optimizers.AdamW(learning_rate=schedule, weight_decay=decay or 0.0, **ema)
    else:
        optimizer = keras.optimizers.SGD(learning_rate=schedule, momentum=recipe.momentum,
                                         nesterov=recipe.nesterov, weight_decay=decay, **ema)
    if decay:
        optimizer.exclude_from_weight_decay(var_names=["bias", "gamma", "beta"])
    return optimizer


def compile_model(model: keras.Model, recipe: Recipe, steps_per_epoch: int,
                  jit_compile: bool | None = None) -> keras.Model:
    """Compile with the recipe's optimiser and loss (categorical cross-entropy with optional label
    smoothing) and the accuracy metric. ``jit_compile`` is the device's XLA choice
    (``Device.jit_compile``); ``None`` takes the automatic one for this machine (on with a GPU, off on CPU)."""
    if jit_compile is None:
        jit_compile = choose_jit_compile("auto", bool(tf.config.list_physical_devices("GPU")))[0]
    model.compile(
        optimizer=make_optimizer(recipe, steps_per_epoch),
        loss=keras.losses.CategoricalCrossentropy(label_smoothing=recipe.label_smoothing),
        metrics=["accuracy"],
        jit_compile=jit_compile,
    )
    return model


def input_scaling(x_train: np.ndarray, normalization: str) -> tuple:
    """The ``(mean, std)`` the model's first layer scales raw pixels with (see
    :func:`helpers.models.with_preprocessing`): ``"standardize"``, the training images' per-channel mean
    and standard deviation (a std below 1 grey level raised to 1: a constant channel would divide by
    zero); ``"unit"``, ``x / 255`` as the original."""
    if normalization == "standardize":
        mean, std = channel_stats(x_train)
        return mean, [max(s, 1.0) for s in std]
    return 0.0, 255.0


def build_model(arch: str, recipe: Recipe, x_train: np.ndarray, classes: int = 10) -> keras.Model:
    """The named network wrapped with its input scaling, so that it takes raw 0..255 pixels."""
    shape = x_train.shape[1:] if x_train.ndim == 4 else (*x_train.shape[1:], 1)
    mean, std = input_scaling(x_train, recipe.normalization)
    model = models.with_preprocessing(models.build(arch, tuple(int(d) for d in shape), classes), mean, std)
    layers = models.core_model(model).layers
    convs = [layer for layer in layers if isinstance(layer, keras.layers.Conv2D)]
    if recipe.whiten_first_layer:
        convs[0].kernel.assign(whitening_filters(x_train, mean, std, convs[0].kernel.shape))
    for conv in convs[1:] if recipe.dirac_init else []:  # identity on the first n filters, the others left random
        kernel, n = keras.ops.convert_to_numpy(conv.kernel).copy(), min(conv.kernel.shape[2:])
        kernel[..., :n] = 0
        kernel[kernel.shape[0] // 2, kernel.shape[1] // 2, np.arange(n), np.arange(n)] = 1  # the centre tap passes channel i on
        conv.kernel.assign(kernel)
    for bn in (layer for layer in layers if isinstance(layer, keras.layers.BatchNormalization)):
        bn.gamma.trainable = not recipe.freeze_bn_scale  # frozen: only the shift learns; the parameter count is unchanged
        bn.momentum = recipe.bn_momentum
    return model


def whitening_filters(x_train: np.ndarray, mean, std, shape: tuple[int, int, int, int], patches: int = 200_000,
                      epsilon: float = 5e-4, seed: int = 0) -> np.ndarray:
    """First-layer filters that whiten the images' patches (the data-dependent start of Keller Jordan's
    airbench): the eigenvectors of the covariance of ``shape[0] x shape[1]`` patches of the scaled
    training images, each divided by the square root of its eigenvalue (plus ``epsilon``), the
    strongest ``filters / 2`` of them and their negatives (so that a ReLU after them loses nothing).
    Returns a kernel of ``shape`` ``(height, width, channels, filters)``.
    """
    height, width, channels, filters = (int(d) for d in shape)
    if filters % 2 or filters // 2 > height * width * channels:
        raise ValueError(f"whitening needs an even number of filters <= 2 x {height * width * channels}, got {filters}.")
    rng = np.random.default_rng(seed)
    images = x_train if x_train.ndim == 4 else x_train[..., None]
    picks = rng.choice(len(images), min(len(images), 5000), replace=False)
    scaled = (images[picks].astype(np.float32) - np.asarray(mean, np.float32)) / np.asarray(std, np.float32)
    windows = np.lib.stride_tricks.sliding_window_view(scaled, (height, width), axis=(1, 2))  # (N, H', W', C, h, w)
    flat = windows.transpose(0, 1, 2, 4, 5, 3).reshape(-1, height * width * channels)  # (h, w, c) order, as the kernel
    flat = flat[rng.choice(len(flat), min(len(flat), patches), replace=False)].astype(np.float64)
    values, vectors = np.linalg.eigh(np.cov(flat, rowvar=False))
    strongest = np.argsort(values)[::-1][:filters // 2]
    kernel = vectors[:, strongest] / np.sqrt(values[strongest] + epsilon)
    return np.concatenate([kernel, -kernel], axis=1).reshape(height, width, channels, filters).astype(np.float32)


# --------------------------------------------------------------------------- fitting

class HistoryLogger(keras.callbacks.CSVLogger):
    """Keras' ``CSVLogger`` that also records each epoch's learning rate, wall time and images/s (in the
    CSV file only, so that the lines ``model.fit`` prints stay short)."""

    def __init__(self, filename, images_per_epoch: int, append: bool = True):
        super().__init__(str(filename), append=append)
        self.images_per_epoch = images_per_epoch

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        seconds = time.perf_counter() - self._start
        optimizer = getattr(self.model.optimizer, "optimizers", [self.model.optimizer])[-1]  # a MultiOptimizer's default: its last
        learning_rate = float(keras.ops.convert_to_numpy(optimizer.learning_rate))
        super().on_epoch_end(epoch, {**(logs or {}), "lr": learning_rate, "epoch_seconds": seconds,
                                     "images_per_second": self.images_per_epoch / seconds})


class EpochSeeds(keras.callbacks.Callback):
    """Starts every epoch's random draws of the model's layers (dropout masks) at a point that depends
    only on the epoch, as :func:`make_dataset` does for the data: ``BackupAndRestore`` does not save the
    layers' ``SeedGenerator`` states, so without this a run resumed at epoch 3 drew epoch 1's masks
    again. Also checks that ``model.fit`` starts at ``first_epoch``, where the data pipeline starts."""

    STRIDE = 1 << 20
    """Draws an epoch may make per seed generator before running into the next epoch's."""

    def __init__(self, first_epoch: int = 0):
        super().__init__()
        self.first_epoch = first_epoch

    def on_epoch_begin(self, epoch, logs=None):
        if self.first_epoch is not None and epoch != self.first_epoch:
            raise RuntimeError(f"model.fit starts at epoch {epoch + 1}, the data pipeline at {self.first_epoch + 1}.")
        self.first_epoch = None
        for state in (v for v in self.model.variables if v.name == "seed_generator_state"):
            state.assign([state.numpy()[0], epoch * self.STRIDE])  # [seed, counter]: the seed stays


class WeightAverage(keras.callbacks.Callback):
    """A running average of every weight, batch normalisation's moving statistics included (the optimizer's
    ``use_ema`` averages the trained weights only), that replaces the weights after each epoch's last step,
    before validation. The average starts each epoch equal to the weights (as it ends the one before), so a
    run resumed from an epoch's backup trains as the uninterrupted one."""

    def __init__(self, momentum: float, steps_per_epoch: int):
        super().__init__()
        self.momentum, self.steps_per_epoch = momentum, steps_per_epoch

    def on_epoch_begin(self, epoch, logs=None):
        if not hasattr(self, "_pairs"):
            weights = [w.value for w in self.model.weights if "float" in str(w.dtype)]
            self._pairs = [(tf.Variable(w, trainable=False), w) for w in weights]
            self._step = tf.function(lambda: [a.assign(self.momentum * a + (1 - self.momentum) * w) for a, w in self._pairs])
        for average, weight in self._pairs:
            average.assign(weight)

    def on_train_batch_end(self, batch, logs=None):
        self._step()
        if batch + 1 == self.steps_per_epoch:
            for average, weight in self._pairs:
                weight.assign(average)


@dataclass
class Run:
    """The outcome of :func:`train`: the model to keep and what happened on the way."""

    model: keras.Model
    history: dict[str, list[float]]
    recipe: Recipe
    arch: str
    seed: int
    device: Device
    split: dict[str, int]
    best_epoch: int
    train_seconds: float
    run_dir: Path


def train(arch: str, recipe: Recipe, train_data: tuple[np.ndarray, np.ndarray], run_dir: str | Path,
          seed: int = 42, classes: int = 10, verbose: int | str = "auto",
          precision: str = "auto", jit_compile: str | bool = "auto", device: Device | None = None) -> Run:
    """Train ``arch`` with ``recipe`` on ``train_data`` (the official *training* split).

    A stratified validation set is carved from it (``recipe.val_fraction``). ``run_dir`` holds
    ``backup/`` (a killed run started again with the same ``run_dir`` resumes where it stopped, and
    trains as if it never had), ``best.keras`` and ``history.csv``. Returns the best model on validation
    (the last one without validation) and the whole history. ``precision`` and ``jit_compile`` go to
    :func:`helpers.devices.select_device` unless a ``device`` is given. Under a multi-device strategy the
    recipe's batch is the global batch, split across the devices.
    """
    run_dir = ensure_dir(Path(run_dir))
    keras.utils.set_random_seed(seed)
    device = device or select_device(precision, jit_compile)
    x, y = train_data
    if recipe.val_fraction:
        (x_tr, y_tr), (x_val, y_val) = data_lib.train_val_split(x, y, recipe.val_fraction, seed)
    else:
        (x_tr, y_tr), (x_val, y_val) = (x, y), (x[:0], y[:0])
    batch = recipe.batch_size
    steps = int(np.ceil(len(x_tr) / batch))
    history_csv, best_path = run_dir / "history.csv", run_dir / "best.keras"
    best_so_far, first_epoch = prepare_run(run_dir)
    # the epochs still to train (at least one: fit reads a batch before it finds that none are left)
    train_ds = make_dataset(x_tr, y_tr, batch, classes, training=True, augment=recipe.augment, seed=seed,
                            crop_padding=recipe.crop_padding, epochs=max(recipe.epochs - first_epoch, 1),
                            first_epoch=first_epoch, alternate_flip=recipe.alternate_flip, cutout=recipe.cutout,
                            cutout_from=round(recipe.cutout_start * recipe.epochs))
    val_ds = make_dataset(x_val, y_val, batch, classes) if len(x_val) else None

    with device.strategy.scope():
        model = compile_model(build_model(arch, recipe, x_tr, classes), recipe, steps, device.jit_compile)

    # in this order: an epoch is logged before it is backed up (see read_history)
    callbacks = [HistoryLogger(history_csv, images_per_epoch=len(x_tr))]
    if val_ds is not None:  # keep the best epoch on validation; without validation the last one is kept
        callbacks.append(keras.callbacks.ModelCheckpoint(
            best_path, monitor="val_accuracy", mode="max", save_best_only=True, initial_value_threshold=best_so_far))
    callbacks += [keras.callbacks.BackupAndRestore(run_dir / "backup"), EpochSeeds(first_epoch)]
    if recipe.ema_bn_stats:
        callbacks.insert(0, WeightAverage(recipe.ema_momentum, steps))  # first: validation and the backup see the average
    start = time.perf_counter()
    model.fit(train_ds, validation_data=val_ds, epochs=recipe.epochs, steps_per_epoch=steps, callbacks=callbacks,
              verbose=verbose, shuffle=False)  # the pipeline shuffles; it holds all the epochs, hence steps_per_epoch
    history = read_history(history_csv)
    if best_path.exists():  # the epoch with the best validation accuracy, as ModelCheckpoint kept it
        model.set_weights(keras.saving.load_model(best_path, compile=False).get_weights())
    scores = history.get("val_accuracy", []) if val_ds is not None else []
    return Run(
        model=model, history=history, recipe=recipe, arch=arch, seed=seed, device=device,
        split={"train": len(x_tr), "validation": len(x_val)},
        best_epoch=int(np.argmax(scores)) + 1 if scores else recipe.epochs,
        train_seconds=float(sum(history.get("epoch_seconds", []))) or time.perf_counter() - start,
        run_dir=run_dir,
    )


def prepare_run(run_dir: str | Path) -> tuple[float | None, int]:
    """Prepare ``run_dir`` for ``model.fit``: return the best validation accuracy so far (``ModelCheckpoint``'s
    ``initial_value_threshold``, or None) and the epoch (0-based) ``BackupAndRestore`` resumes at: 0 for a fresh
    run, which removes an earlier run's ``history.csv`` and ``best.keras`` (an interrupted one left ``backup/``)."""
    run_dir = ensure_dir(Path(run_dir))
    metadata = run_dir / "backup" / "training_metadata.json"
    if not (run_dir / "backup").exists():
        (run_dir / "history.csv").unlink(missing_ok=True)
        (run_dir / "best.keras").unlink(missing_ok=True)
    scores = read_history(run_dir / "history.csv").get("val_accuracy")
    first_epoch = int(json.loads(metadata.read_text())["epoch"]) if metadata.exists() else 0
    return (max(scores) if scores else None), first_epoch


def read_history(path: str | Path) -> dict[str, list[float]]:
    """Per-epoch metrics from a CSVLogger file; an epoch logged twice (a resumed run) keeps its last row."""
    path = Path(path)
    if not path.exists():
        return {}
    by_epoch = {}
    with open(path, newline="") as handle:
        for row in csv.DictReader(handle):
            if row.get("epoch", "").isdigit():
                by_epoch[int(row["epoch"])] = row
    history: dict[str, list[float]] = {}
    for epoch in sorted(by_epoch):
        for key, value in by_epoch[epoch].items():
            if key != "epoch" and value not in ("", "NA", None):  # CSVLogger writes NA for val_* without validation
                history.setdefault(key, []).append(float(value))
    return history
