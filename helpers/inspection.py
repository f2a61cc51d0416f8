"""Looking inside a trained network: a layer's activations, Grad-CAM heatmaps and first-layer filters. The
saved models are a ``Rescaling`` layer followed by the network (:func:`helpers.models.with_preprocessing`):
these functions walk through their layers in order, so raw-pixel models and bare networks both work."""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf


def flat_layers(model: keras.Model) -> list[keras.layers.Layer]:
    """The layers in order, nested models opened (notebook 04: ``[model.layers[0], *model.layers[1].layers]``)."""
    found = []
    for layer in model.layers:
        found.extend(flat_layers(layer) if isinstance(layer, keras.Model) else [layer])
    return found


def _forward(model: keras.Model, images, layer_name: str):
    """Run ``images`` through ``model`` in inference mode; return the output of ``layer_name`` and
    the class scores before the final softmax (the logits; the output itself if it has no softmax layer)."""
    layers = flat_layers(model)
    if layer_name not in [layer.name for layer in layers]:
        raise ValueError(f"No layer {layer_name!r} in {model.name}; its layers: {', '.join(l.name for l in layers)}.")
    if isinstance(layers[-1], keras.layers.Activation):
        layers = layers[:-1]  # the softmax saturates; Grad-CAM differentiates the score before it
    x, captured = tf.convert_to_tensor(images, tf.float32), None
    for layer in layers:
        x = layer(x, training=False)
        if layer.name == layer_name:
            captured = x
    return captured, x


def activations(model: keras.Model, images: np.ndarray, layer_name: str) -> np.ndarray:
    """What layer ``layer_name`` outputs for ``images`` (raw pixels if the model scales them itself)."""
    return keras.ops.convert_to_numpy(_forward(model, images, layer_name)[0])


def grad_cam(model: keras.Model, images: np.ndarray, layer_name: str, classes=None) -> np.ndarray:
    """Grad-CAM heatmaps (Selvaraju et al., 2017) of ``layer_name`` for raw-pixel ``images``, as notebook 04
    writes them out: the gradient of each image's logit for class ``classes[i]`` (default: the predicted
    class), averaged over the grid, weighs the channels; the heatmap is the ReLU of their weighted sum,
    scaled to peak at 1. Returns ``(N, H, W)`` floats in [0, 1] on the layer's grid (coarser than the image)."""
    with tf.GradientTape() as tape:
        maps, logits = _forward(model, images, layer_name)
        chosen = (tf.argmax(logits, axis=-1) if classes is None
                  else tf.convert_to_tensor(np.asarray(classes), tf.int64))
        scores = tf.gather(logits, chosen, axis=1, batch_dims=1)
    gradients = tape.gradient(scores, maps)
    weights = tf.reduce_mean(gradients, axis=(1, 2), keepdims=True)
    heatmaps = tf.nn.relu(tf.reduce_sum(weights * maps, axis=-1)).numpy()
    peaks = heatmaps.reshape(len(heatmaps), -1).max(axis=1)
    return heatmaps / np.where(peaks > 0, peaks, 1.0)[:, None, None]
