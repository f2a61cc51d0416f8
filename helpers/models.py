"""The networks of the series, built with Keras 3, plus a layer-by-layer cost table.

Builders return *uncompiled* models that take float images already scaled (compiling belongs to
:mod:`helpers.training`; :func:`with_preprocessing` puts the scaling inside the model so that a
saved model accepts raw 0..255 pixels).

* :func:`minivggnet` - two VGG blocks (CONV=>RELU=>BN x2 => POOL => DROPOUT) and an FC head;
  2,171,178 parameters on CIFAR-10.
* :func:`shallownet` - INPUT => CONV => RELU => FC, the original project's baseline; 328,586.
* :func:`lenet` - the classic LeNet of the original project's MNIST section.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import keras
import numpy as np
from keras import layers

# --------------------------------------------------------------------------- building blocks

def conv_block(filters: int, name: str, dropout: float = 0.25) -> list[layers.Layer]:
    """One VGG block: [CONV 3x3 same => RELU => BN] x2 => MAXPOOL 2x2 => DROPOUT.

    Returned as a list of layers so that blocks can be stacked into one flat ``Sequential``
    (and shown one at a time in notebook 02).
    """
    stack = []
    for i in (1, 2):
        stack += [
            layers.Conv2D(filters, 3, padding="same", name=f"{name}_conv{i}"),
            layers.Activation("relu", name=f"{name}_relu{i}"),
            layers.BatchNormalization(name=f"{name}_bn{i}"),
        ]
    return stack + [
        layers.MaxPooling2D(2, name=f"{name}_pool"),
        layers.Dropout(dropout, name=f"{name}_dropout"),
    ]


def classifier_head(units: int, classes: int, name: str = "head", dropout: float = 0.5) -> list[layers.Layer]:
    """FLATTEN => DENSE => RELU => BN => DROPOUT => DENSE => SOFTMAX (kept in float32 so that mixed
    precision never computes probabilities in float16)."""
    return [
        layers.Flatten(name="flatten"),
        layers.Dense(units, name=f"{name}_fc"),
        layers.Activation("relu", name=f"{name}_relu"),
        layers.BatchNormalization(name=f"{name}_bn"),
        layers.Dropout(dropout, name=f"{name}_dropout"),
        *output_layers(classes),
    ]


def output_layers(classes: int) -> list[layers.Layer]:
    """The final DENSE(classes) => SOFTMAX shared by every network here."""
    return [
        layers.Dense(classes, name="logits"),
        layers.Activation("softmax", dtype="float32", name="softmax"),
    ]


# --------------------------------------------------------------------------- the networks

def minivggnet(input_shape: tuple[int, int, int] = (32, 32, 3), classes: int = 10) -> keras.Sequential:
    """MiniVGGNet exactly as in the original project (channels last)."""
    _check_arguments(input_shape, classes, min_side=4, reason="two 2x2 poolings")
    return keras.Sequential(
        [keras.Input(input_shape, name="image"),
         *conv_block(32, "block1"),
         *conv_block(64, "block2"),
         *classifier_head(512, classes)],
        name="minivggnet",
    )


def shallownet(input_shape: tuple[int, int, int] = (32, 32, 3), classes: int = 10) -> keras.Sequential:
    """ShallowNet: INPUT => CONV 32 3x3 same => RELU => FLATTEN => DENSE => SOFTMAX."""
    _check_arguments(input_shape, classes, min_side=1, reason="a 3x3 'same' convolution")
    return keras.Sequential(
        [keras.Input(input_shape, name="image"),
         layers.Conv2D(32, 3, padding="same", name="conv"),
         layers.Activation("relu", name="relu"),
         layers.Flatten(name="flatten"),
         *output_layers(classes)],
        name="shallownet",
    )


def lenet(input_shape: tuple[int, int, int] = (28, 28, 1), classes: int = 10) -> keras.Sequential:
    """LeNet: CONV 20 5x5 => RELU => POOL => CONV 50 5x5 => RELU => POOL => FC 500 => RELU => SOFTMAX."""
    _check_arguments(input_shape, classes, min_side=4, reason="two 2x2 poolings")
    return keras.Sequential(
        [keras.Input(input_shape, name="image"),
         layers.Conv2D(20, 5, padding="same", name="conv1"),
         layers.Activation("relu", name="relu1"),
         layers.MaxPooling2D(2, name="pool1"),
         layers.Conv2D(50, 5, padding="same", name="conv2"),
         layers.Activation("relu", name="relu2"),
         layers.MaxPooling2D(2, name="pool2"),
         layers.Flatten(name="flatten"),
         layers.Dense(500, name="fc"),
         layers.Activation("relu", name="fc_relu"),
         *output_layers(classes)],
        name="lenet",
    )


BUILDERS = {builder.__name__: builder for builder in (minivggnet, shallownet, lenet)}
"""Every network of the series by name: the one list of architecture names."""


def build(arch: str, input_shape: tuple[int, int, int], classes: int = 10) -> keras.Sequential:
    """Build an architecture by name (a key of :data:`BUILDERS`)."""
    if arch not in BUILDERS:
        raise ValueError(f"Unknown architecture {arch!r}; choose one of {', '.join(BUILDERS)}.")
    return BUILDERS[arch](input_shape, classes)


def with_preprocessing(model: keras.Model, mean, std, name: str | None = None) -> keras.Sequential:
    """Wrap ``model`` so that it takes raw pixels 0..255 and computes ``(x - mean) / std`` itself.

    ``mean`` and ``std`` are numbers or per-channel sequences on the 0..255 scale (``mean=0,
    std=255`` is the original's scaling to [0, 1]). The scaling is a :class:`keras.layers.Rescaling`
    layer, so it adds no weights and the saved model needs no project code to be used.
    """
    mean, std = [float(m) for m in np.atleast_1d(mean)], [float(s) for s in np.atleast_1d(std)]
    if min(std) <= 0:
        raise ValueError(f"std must be positive, got {std}.")
    scale = [1.0 / s for s in std]
    offset = [-m / s for m, s in zip(mean, std)] if len(mean) == len(std) else [-m / std[0] for m in mean]
    return keras.Sequential(
        [keras.Input(model.input_shape[1:], name="pixels"),
         layers.Rescaling(scale if len(scale) > 1 else scale[0], offset=offset if len(offset) > 1 else offset[0],
                          name="preprocess"),
         model],
        name=name or model.name,
    )


def core_model(model: keras.Model) -> keras.Model:
    """The network inside a :func:`with_preprocessing` wrapper (or ``model`` itself)."""
    inner = [layer for layer in model.layers if isinstance(layer, keras.Model)]
    return inner[0] if inner else model


# --------------------------------------------------------------------------- cost table

@dataclass(frozen=True)
class LayerRow:
    """One row of :func:`layer_table`."""

    name: str
    kind: str
    output_shape: tuple[int, ...]
    params: int
    macs: int
    receptive_field: int | None
    """Side, in input pixels, of the input window that one output unit sees (None after Flatten:
    a dense unit sees the whole image)."""


def layer_table(model: keras.Model) -> list[LayerRow]:
    """Per-layer output shape, parameters, multiply-adds per image and receptive field.

    Multiply-adds count the convolutions and dense layers (``out_h * out_w * out_c * k_h * k_w *
    in_c`` and ``in * out``); BN, activations and pooling are cheap element-wise work, counted as 0.
    """
    model = core_model(model)
    rows = []
    field, jump = 1, 1  # receptive field side and the stride between neighbouring units, in pixels
    shape = tuple(model.input_shape[1:])
    for layer in model.layers:
        out_shape = tuple(layer.compute_output_shape((1, *shape))[1:])
        macs = 0
        if isinstance(layer, layers.Conv2D):
            kh, kw = layer.kernel_size
            macs = math.prod(out_shape) * kh * kw * shape[-1]
            field, jump = field + (kh - 1) * jump, jump * layer.strides[0]
        elif isinstance(layer, layers.MaxPooling2D):
            field, jump = field + (layer.pool_size[0] - 1) * jump, jump * layer.strides[0]
        elif isinstance(layer, layers.Dense):  # each unit reads every input (Flatten only reshapes): the whole image
            macs, field = shape[-1] * layer.units, None
        rows.append(LayerRow(layer.name, type(layer).__name__, out_shape, layer.count_params(), macs, field))
        shape = out_shape
    return rows


def format_table(rows: list[LayerRow]) -> str:
    """A plain-text rendering of :func:`layer_table` with totals, for notebooks and terminals."""
    header = f"{'layer':<16}{'type':<20}{'output':>16}{'params':>12}{'mult-adds':>14}{'RF':>6}"
    lines = [header, "-" * len(header)]
    for r in rows:
        rf = "all" if r.receptive_field is None else str(r.receptive_field)
        lines.append(f"{r.name:<16}{r.kind:<20}{str(r.output_shape):>16}{r.params:>12,}{r.macs:>14,}{rf:>6}")
    lines.append("-" * len(header))
    lines.append(f"{'total':<52}{sum(r.params for r in rows):>12,}{sum(r.macs for r in rows):>14,}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- argument checks

def _check_arguments(input_shape, classes, min_side: int, reason: str) -> None:
    if not isinstance(classes, int) or classes < 2:
        raise ValueError(f"classes must be an integer >= 2 (a classifier needs two classes), got {classes!r}.")
    if len(input_shape) != 3 or any(not isinstance(d, int) or d < 1 for d in input_shape):
        raise ValueError(f"input_shape must be (height, width, channels) with positive integers, got {input_shape!r}.")
    if min(input_shape[:2]) < min_side:
        raise ValueError(
            f"input_shape {input_shape} is too small: {reason} need images of at least {min_side}x{min_side}."
        )
