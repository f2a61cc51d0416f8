"""Training recipes as plain data: every hyperparameter visible, every one overridable.

* ``seed`` - faithful to the original project: SGD 0.01, momentum 0.9, Nesterov, batch 64,
  40 epochs, no augmentation, inputs scaled to [0, 1], and Keras 2's per-iteration decay
  ``lr / (1 + decay * step)`` with ``decay = 0.01 / 40``.
* ``improved`` - the same network with a modern recipe: pad-2 crop + flip augmentation,
  per-channel standardisation, AdamW with warmup and cosine decay, label smoothing 0.1, batch 64,
  a patch-whitening start for the first convolution, 30 epochs. Chosen on validation accuracy only,
  among the attempts recorded in ``results/`` (the README's attempts table, ranked by validation):
  batch 64, then pad-2 crops with label smoothing, each scored slightly higher there (by 0.2 and 0.04
  points, 10 and 2 images of 5,000: ties within the noise), then the whitened start (the 45,000/5,000
  run ``minivggnet_improved_val``: 0.66 points, 33 images, above the same recipe without it, again a
  tie; at 5 epochs it led by 1.2 points, also inside that margin, so two ties in the same direction;
  batch 32 with it ranked below). Label smoothing costs calibration: the attempts' test ECE rose from
  about 0.013 to 0.08 (notebook 04 undoes most of that with temperature scaling). The shipped model trains on all
  50,000 images with the same settings (two-stage protocol; see :mod:`helpers.references`).
* ``fast`` - aims at the original's 82% in 5 epochs: the improved recipe with flips only (no crops:
  short runs learn faster from unshifted images) and a peak rate of 5e-3, trained on all 50,000
  images. Chosen on the validation split among the 5-epoch attempts in ``results/``
  (``minivggnet_improved_e5*``: the whitened start +1.2 points of validation accuracy, flips only and
  the higher rate less; all ties within the 5,000-image noise, kept because they ranked first), then
  trained on all the training images with the same settings (two-stage protocol).

Some architectures have their own ``seed`` (the original trained ShallowNet and LeNet with other
settings); :func:`get_recipe` returns the right one.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace

OPTIMIZERS = ("sgd", "adamw")
SCHEDULES = ("constant", "inverse_time", "warmup_cosine")
NORMALIZATIONS = ("unit", "standardize")


@dataclass(frozen=True)
class Recipe:
    """How to train a network. ``learning_rate`` is the peak rate of the schedule.

    Each field's ``help`` says what it means; the train CLI turns every field into an override
    flag (``batch_size`` -> ``--batch-size``), so a new field needs no other edit.
    """

    name: str
    epochs: int = field(metadata={"help": "number of epochs"})
    batch_size: int = field(metadata={"help": "batch size"})
    optimizer: str = field(default="sgd", metadata={"help": "optimizer", "choices": OPTIMIZERS})
    learning_rate: float = field(default=0.01, metadata={"help": "(peak) learning rate"})
    schedule: str = field(default="constant", metadata={"help": "learning-rate schedule", "choices": SCHEDULES})
    decay: float = field(default=0.0, metadata={
        "help": "Keras 2 decay= of the inverse_time schedule: lr / (1 + decay * iteration)"})
    warmup_fraction: float = field(default=0.0, metadata={
        "help": "share of all steps spent warming up linearly from warmup_start * learning_rate"})
    warmup_start: float = field(default=0.1, metadata={"help": "share of the peak rate the warmup starts at"})
    momentum: float = field(default=0.9, metadata={"help": "SGD momentum"})
    nesterov: bool = field(default=True, metadata={"help": "Nesterov momentum for SGD"})
    weight_decay: float = field(default=0.0, metadata={
        "help": "decoupled weight decay (AdamW / SGD weight_decay), not applied to BN or biases"})
    label_smoothing: float = field(default=0.0, metadata={"help": "label smoothing of the cross-entropy"})
    augment: bool = field(default=False, metadata={
        "help": "per-example reflect padding + random crop back to the input size + horizontal flip"})
    crop_padding: int = field(default=4, metadata={
        "help": "pixels of reflect padding before the random crop (augmentation strength; 0: flips only)"})
    normalization: str = field(default="unit", metadata={
        "help": "unit: x / 255 as the original; standardize: per-channel (x - mean) / std of the train set",
        "choices": NORMALIZATIONS})
    val_fraction: float = field(default=0.1, metadata={
        "help": "share of the training set held out for validation, stratified (0: train on all of it)"})
    whiten_first_layer: bool = field(default=False, metadata={
        "help": "start the first convolution from the training images' 3x3 patch-whitening filters "
                "(and their negatives) instead of random ones; the architecture is unchanged"})

    def __post_init__(self):
        problems = []
        if not isinstance(self.epochs, int) or self.epochs < 1:
            problems.append(f"epochs must be an integer >= 1, got {self.epochs!r}")
        if not isinstance(self.batch_size, int) or self.batch_size < 1:
            problems.append(f"batch_size must be an integer >= 1, got {self.batch_size!r}")
        if self.optimizer not in OPTIMIZERS:
            problems.append(f"optimizer must be one of {OPTIMIZERS}, got {self.optimizer!r}")
        if self.schedule not in SCHEDULES:
            problems.append(f"schedule must be one of {SCHEDULES}, got {self.schedule!r}")
        if self.normalization not in NORMALIZATIONS:
            problems.append(f"normalization must be one of {NORMALIZATIONS}, got {self.normalization!r}")
        if not self.learning_rate > 0:
            problems.append(f"learning_rate must be > 0, got {self.learning_rate!r}")
        if not 0 <= self.warmup_fraction < 1:
            problems.append(f"warmup_fraction must be in [0, 1), got {self.warmup_fraction!r}")
        if not 0 <= self.label_smoothing < 1:
            problems.append(f"label_smoothing must be in [0, 1), got {self.label_smoothing!r}")
        if self.weight_decay < 0 or self.decay < 0:
            problems.append("weight_decay and decay must be >= 0")
        if not isinstance(self.crop_padding, int) or not 0 <= self.crop_padding <= 8:
            problems.append(f"crop_padding must be an integer in [0, 8], got {self.crop_padding!r}")
        if not 0 <= self.val_fraction < 1:
            problems.append(f"val_fraction must be in [0, 1), got {self.val_fraction!r}")
        if problems:
            raise ValueError(f"Invalid recipe {self.name!r}: " + "; ".join(problems) + ".")

    def with_overrides(self, **overrides) -> "Recipe":
        """A copy with some fields changed; ``None`` values are ignored (handy for CLI options)."""
        known = {f.name for f in fields(self)}
        unknown = set(overrides) - known
        if unknown:
            raise ValueError(f"Unknown recipe fields {sorted(unknown)}; known: {sorted(known)}.")
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})

    def scaled_for_batch(self, batch_size: int) -> "Recipe":
        """The same training with ``batch_size`` images per step, for throughput on a big GPU (or
        several): the linear scaling rule (Goyal et al., 2017). The learning rate is multiplied by
        ``batch_size / self.batch_size``; so is Keras 2's per-iteration ``decay``, so that the decay per
        *epoch* is unchanged. Epochs stay, and the warmup stays the same *fraction* of all steps.
        The rule holds for moderate factors (up to ~8x); check validation accuracy beyond that.
        """
        if not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size must be an integer >= 1, got {batch_size!r}.")
        factor = batch_size / self.batch_size
        return replace(self, batch_size=batch_size, learning_rate=self.learning_rate * factor,
                       decay=self.decay * factor)

    def to_dict(self) -> dict:
        return asdict(self)


SEED = Recipe(
    name="seed", epochs=40, batch_size=64, optimizer="sgd", learning_rate=0.01,
    schedule="inverse_time", decay=0.01 / 40, momentum=0.9, nesterov=True,
)

IMPROVED = Recipe(
    name="improved", epochs=30, batch_size=64, optimizer="adamw", learning_rate=3e-3,
    schedule="warmup_cosine", warmup_fraction=0.1, weight_decay=0.01, label_smoothing=0.1,
    augment=True, crop_padding=2, normalization="standardize", whiten_first_layer=True,
)

FAST = Recipe(
    name="fast", epochs=5, batch_size=64, optimizer="adamw", learning_rate=5e-3,
    schedule="warmup_cosine", warmup_fraction=0.1, weight_decay=0.01, label_smoothing=0.1,
    augment=True, crop_padding=0, normalization="standardize", whiten_first_layer=True, val_fraction=0.0,
)

RECIPES = {r.name: r for r in (SEED, IMPROVED, FAST)}

ARCH_SEEDS = {
    # The original ShallowNet script: SGD 0.01 (no momentum), batch 32, 40 epochs.
    "shallownet": replace(SEED, batch_size=32, momentum=0.0, nesterov=False, schedule="constant", decay=0.0),
    # The original LeNet-on-MNIST section: SGD 0.01, 20 epochs, batch 128.
    "lenet": replace(SEED, epochs=20, batch_size=128, momentum=0.0, nesterov=False, schedule="constant", decay=0.0),
}


def get_recipe(name: str, arch: str = "minivggnet", **overrides) -> Recipe:
    """The recipe ``name`` for ``arch``, with ``overrides`` applied (``None`` values ignored)."""
    if name not in RECIPES:
        raise ValueError(f"Unknown recipe {name!r}; choose one of {', '.join(RECIPES)}.")
    recipe = ARCH_SEEDS.get(arch, SEED) if name == "seed" else RECIPES[name]
    return recipe.with_overrides(**overrides)
