"""Training recipes as plain data: every hyperparameter visible, every one overridable.

* ``original`` - the original project, faithfully: SGD 0.01, momentum 0.9, Nesterov, batch 64,
  40 epochs, no augmentation, inputs scaled to [0, 1], and Keras 2's per-iteration decay
  ``lr / (1 + decay * step)`` with ``decay = 0.01 / 40``.
* ``improved`` - the same network with a modern recipe: pad-2 crop + flip augmentation,
  per-channel standardisation, a patch-whitening start for the first convolution, AdamW with warmup
  and cosine decay, label smoothing 0.1, batch 64, 30 epochs.
* ``fast`` - the original's 82% in 5 epochs: the improved recipe with flips only and a peak rate of
  5e-3, trained on all 50,000 images.

The rule: a setting enters a recipe only when it scored higher on the *validation* split (never the
test set), and then trains once more on all the training images (two-stage protocol). Every attempt
and why each setting was kept are in ``results/README.md``. Some architectures have their own
``original`` (the original trained ShallowNet and LeNet with other settings); :func:`get_recipe`
returns the right one.
"""

from __future__ import annotations

from dataclasses import MISSING, asdict, dataclass, field, fields, replace

OPTIMIZERS = ("sgd", "adamw")
SCHEDULES = ("constant", "inverse_time", "warmup_cosine", "warmup_linear")
NORMALIZATIONS = ("unit", "standardize")


@dataclass(frozen=True)
class Recipe:
    """How to train a network. ``learning_rate`` is the peak rate of the schedule.

    Each field's ``help`` says what it means; the train CLI turns every field into an override
    flag (``batch_size`` -> ``--batch-size``), so a new field needs no other edit.
    """

    name: str
    epochs: int = field(metadata={"help": "passes over the training images"})
    batch_size: int = field(metadata={"help": "images per gradient step"})
    optimizer: str = field(default="sgd", metadata={"help": "how gradients update the weights", "choices": OPTIMIZERS})
    learning_rate: float = field(default=0.01, metadata={"help": "size of the update steps (the peak of the schedule)"})
    schedule: str = field(default="constant", metadata={
        "help": "how the learning rate changes during training", "choices": SCHEDULES})
    decay: float = field(default=0.0, metadata={
        "help": "how fast the inverse_time schedule lowers the rate: lr / (1 + decay * step)"})
    warmup_fraction: float = field(default=0.0, metadata={
        "help": "share of all steps spent raising the rate linearly to its peak (from warmup_start x peak)"})
    warmup_start: float = field(default=0.1, metadata={"help": "share of the peak rate the warmup starts at"})
    end_fraction: float = field(default=0.0, metadata={"help": "share of the peak rate the warmup_cosine or warmup_linear schedule ends at"})
    momentum: float = field(default=0.9, metadata={"help": "share of the previous SGD step each step carries on"})
    nesterov: bool = field(default=True, metadata={"help": "SGD takes the gradient where momentum carries the weights"})
    weight_decay: float = field(default=0.0, metadata={
        "help": "shrinks every weight a little at each step (a regulariser)"})
    label_smoothing: float = field(default=0.0, metadata={"help": "share of the target spread evenly over all classes"})
    augment: bool = field(default=False, metadata={
        "help": "each image padded (its border mirrored), cropped back at a random place, flipped half the time"})
    crop_padding: int = field(default=4, metadata={
        "help": "pixels of reflect padding before the random crop (augmentation strength; 0: flips only)"})
    alternate_flip: bool = field(default=False, metadata={
        "help": "flip a random half of the images in even epochs and the other half in odd ones (not at random)"})
    cutout: int = field(default=0, metadata={"help": "0: off; else the side in pixels of a grey square hidden at a random place in each training image"})
    cutout_start: float = field(default=0.0, metadata={"help": "share of the epochs trained before cutout begins (0: from the first)"})
    normalization: str = field(default="unit", metadata={
        "help": "unit: x / 255 as the original; standardize: per-channel (x - mean) / std of the train set",
        "choices": NORMALIZATIONS})
    val_fraction: float = field(default=0.1, metadata={
        "help": "share of the training set held out for validation, stratified (0: train on all of it)"})
    ema_momentum: float = field(default=0.0, metadata={
        "help": "0: off; else a running average of the weights (this momentum per step) replaces them after every epoch"})
    ema_bn_stats: bool = field(default=False, metadata={"help": "the running average of ema_momentum also covers batch "
                               "normalisation's moving mean and variance (a callback keeps it, not the optimizer)"})
    bn_shift_lr_factor: float = field(default=1.0, metadata={"help": "batch normalisation's shifts (beta) learn at this "
                                      "multiple of the learning rate (their own optimizer; airbench)"})
    bn_momentum: float = field(default=0.99, metadata={"help": "how slowly batch normalisation's moving mean and variance follow the batches"})
    whiten_first_layer: bool = field(default=False, metadata={"help": "start the first convolution from the training images' "
                                     "3x3 patch-whitening filters (and their negatives) instead of random ones; the architecture is unchanged"})
    dirac_init: bool = field(default=False, metadata={"help": "later 3x3 convolutions start as the identity on their first filters (airbench)"})
    freeze_bn_scale: bool = field(default=False, metadata={"help": "keep every batch normalisation's scale (gamma) at 1: "
                                  "only its shift learns; the parameter count is unchanged"})

    def __post_init__(self):
        rules = [
            (isinstance(self.epochs, int) and self.epochs >= 1, f"epochs must be an integer >= 1, got {self.epochs!r}"),
            (isinstance(self.batch_size, int) and self.batch_size >= 1,
             f"batch_size must be an integer >= 1, got {self.batch_size!r}"),
            (self.optimizer in OPTIMIZERS, f"optimizer must be one of {OPTIMIZERS}, got {self.optimizer!r}"),
            (self.schedule in SCHEDULES, f"schedule must be one of {SCHEDULES}, got {self.schedule!r}"),
            (self.normalization in NORMALIZATIONS, f"normalization must be one of {NORMALIZATIONS}, got {self.normalization!r}"),
            (self.learning_rate > 0, f"learning_rate must be > 0, got {self.learning_rate!r}"),
            (0 <= self.warmup_fraction < 1, f"warmup_fraction must be in [0, 1), got {self.warmup_fraction!r}"),
            (0 <= self.label_smoothing < 1, f"label_smoothing must be in [0, 1), got {self.label_smoothing!r}"),
            (self.weight_decay >= 0 and self.decay >= 0, "weight_decay and decay must be >= 0"),
            (isinstance(self.crop_padding, int) and 0 <= self.crop_padding <= 8,
             f"crop_padding must be an integer in [0, 8], got {self.crop_padding!r}"),
            (isinstance(self.cutout, int) and 0 <= self.cutout <= 16, f"cutout must be an integer in [0, 16], got {self.cutout!r}"),
            (0 <= self.val_fraction < 1, f"val_fraction must be in [0, 1), got {self.val_fraction!r}"),
            (0 <= self.ema_momentum < 1, f"ema_momentum must be in [0, 1), got {self.ema_momentum!r}"),
            (all(0 <= v < 1 for v in (self.end_fraction, self.bn_momentum, self.cutout_start)),
             "end_fraction, bn_momentum and cutout_start must be in [0, 1)"),
            (self.bn_shift_lr_factor > 0, f"bn_shift_lr_factor must be > 0, got {self.bn_shift_lr_factor!r}"),
            (self.ema_momentum or not self.ema_bn_stats, "ema_bn_stats needs an ema_momentum above 0"),
        ]
        problems = [message for ok, message in rules if not ok]
        if problems:
            raise ValueError(f"Invalid recipe {self.name!r}: " + "; ".join(problems) + ".")

    def with_overrides(self, **overrides) -> "Recipe":
        """A copy with some fields changed; ``None`` values are ignored (handy for CLI options)."""
        known = {f.name for f in fields(self)}
        unknown = set(overrides) - known
        if unknown:
            raise ValueError(f"Unknown recipe fields {sorted(unknown)}; known: {sorted(known)}.")
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def defaults(cls) -> dict:
        """The fields that have a default, with it (what a results file older than a field trained with)."""
        return {f.name: f.default for f in fields(cls) if f.default is not MISSING}


ORIGINAL = Recipe(
    name="original", epochs=40, batch_size=64, optimizer="sgd", learning_rate=0.01,
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

RECIPES = {r.name: r for r in (ORIGINAL, IMPROVED, FAST)}

ORIGINAL_BY_ARCH = {
    # The original ShallowNet script: SGD 0.01 (no momentum), batch 32, 40 epochs.
    "shallownet": replace(ORIGINAL, batch_size=32, momentum=0.0, nesterov=False, schedule="constant", decay=0.0),
    # The original LeNet-on-MNIST section: SGD 0.01, 20 epochs, batch 128.
    "lenet": replace(ORIGINAL, epochs=20, batch_size=128, momentum=0.0, nesterov=False, schedule="constant", decay=0.0),
}


SECTIONS = {  # notebook 03's section that explains each field
    "Recipes": "name epochs",
    "The data, and a validation split": "val_fraction",
    "The input pipeline": "batch_size",
    "Augmentation": "augment crop_padding",
    "The model": "normalization",
    "A data-dependent start": "whiten_first_layer",
    "The learning-rate schedule": "learning_rate schedule decay warmup_fraction warmup_start end_fraction",
    "The optimizer": "optimizer momentum nesterov weight_decay",
    "model.compile": "label_smoothing",
}


def describe(recipe: Recipe) -> list:
    """(field, value, where notebook 03 explains it, meaning) for each field ``recipe`` uses (switches off: left out)."""
    where = {name: section for section, names in SECTIONS.items() for name in names.split()}
    sgd, cosine = recipe.optimizer == "sgd", recipe.schedule.startswith("warmup")
    used = {"decay": recipe.schedule == "inverse_time", "crop_padding": recipe.augment,
            "momentum": sgd, "nesterov": sgd, "warmup_fraction": cosine, "warmup_start": cosine, "end_fraction": cosine,
            "bn_momentum": recipe.bn_momentum != Recipe.defaults()["bn_momentum"], "bn_shift_lr_factor": recipe.bn_shift_lr_factor != 1}
    return [(f.name, getattr(recipe, f.name), where.get(f.name, "results/README.md"), f.metadata.get("help", ""))
            for f in fields(recipe) if used.get(f.name, True) and (f.name in where or getattr(recipe, f.name))]


FORMER_NAMES = {"seed": "original"}
"""Recipe names older results files use (the ``original`` recipe was called ``seed`` until December 2026)."""


def get_recipe(name: str, arch: str = "minivggnet", **overrides) -> Recipe:
    """The recipe ``name`` for ``arch``, with ``overrides`` applied (``None`` values ignored)."""
    name = FORMER_NAMES.get(name, name)
    if name not in RECIPES:
        raise ValueError(f"Unknown recipe {name!r}; choose one of {', '.join(RECIPES)}.")
    recipe = ORIGINAL_BY_ARCH.get(arch, ORIGINAL) if name == "original" else RECIPES[name]
    return recipe.with_overrides(**overrides)
