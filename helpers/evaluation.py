"""Scoring a trained model on the untouched test set.

Only glue around the libraries that already do the work: Keras for predictions, scikit-learn for
the classification report and the confusion matrix. The class names always come from the caller
(``data.CLASS_NAMES``, ``data.DIGIT_NAMES`` or a :class:`helpers.data.DatasetSpec`): nothing here
assumes CIFAR-10.
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import classification_report, confusion_matrix

from helpers.data import DatasetSpec


def _names(class_names) -> list[str]:
    """The class names as a list, from a sequence of names or a :class:`DatasetSpec`."""
    return list(class_names.class_names if isinstance(class_names, DatasetSpec) else class_names)


def predict(model, images: np.ndarray, batch_size: int = 500, flip_tta: bool = False) -> np.ndarray:
    """Class probabilities for uint8 ``images`` (the model takes raw pixels).

    With ``flip_tta`` the prediction is the mean of the image and its mirror image
    (test-time augmentation).
    """
    images = images if images.ndim == 4 else images[..., None]
    probs = model.predict(images.astype("float32"), batch_size=batch_size, verbose=0)
    if flip_tta:
        probs = (probs + model.predict(images[:, :, ::-1].astype("float32"), batch_size=batch_size, verbose=0)) / 2
    return np.asarray(probs, dtype=np.float64)


def top_k_accuracy(labels: np.ndarray, probs: np.ndarray, k: int = 2) -> float:
    """Share of images whose true class is among the ``k`` most probable."""
    top = np.argsort(probs, axis=1)[:, -k:]
    return float(np.mean(np.any(top == np.asarray(labels)[:, None], axis=1)))


def expected_calibration_error(labels: np.ndarray, probs: np.ndarray, bins: int = 15) -> float:
    """ECE: the gap between confidence and accuracy, averaged over equal-width confidence bins,
    weighted by how many predictions fall in each."""
    confidence, correct = probs.max(1), probs.argmax(1) == labels
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1]), 0, bins - 1)
    gap = 0.0
    for b in range(bins):
        members = which == b
        if members.any():
            gap += members.mean() * abs(correct[members].mean() - confidence[members].mean())
    return float(gap)


def score(labels: np.ndarray, probs: np.ndarray, class_names) -> dict:
    """Accuracy, loss, top-2 accuracy, ECE, per-class report and confusion matrix of ``probs``.

    ``class_names``: the names indexed by label, or the dataset's :class:`DatasetSpec`."""
    class_names = _names(class_names)
    labels = np.asarray(labels).reshape(-1)
    predicted = probs.argmax(1)
    report = classification_report(labels, predicted, labels=range(len(class_names)),
                                   target_names=class_names, output_dict=True, zero_division=0)
    return {
        "accuracy": float(np.mean(predicted == labels)),
        "loss": float(-np.mean(np.log(np.clip(probs[np.arange(len(labels)), labels], 1e-12, 1.0)))),
        "top2_accuracy": top_k_accuracy(labels, probs, 2),
        "ece": expected_calibration_error(labels, probs),
        "per_class": {name: report[name] for name in class_names},
        "confusion_matrix": confusion_matrix(labels, predicted, labels=range(len(class_names))).tolist(),
        "images": int(len(labels)),
    }


def evaluate(model, images: np.ndarray, labels: np.ndarray, spec: DatasetSpec) -> dict:
    """Score ``model`` on ``images`` of the dataset ``spec``; where a mirror image keeps its class
    (``spec.mirror_keeps_class``) also report flip test-time augmentation."""
    result = score(labels, predict(model, images), spec)
    if spec.mirror_keeps_class:
        result["flip_tta_accuracy"] = score(labels, predict(model, images, flip_tta=True), spec)["accuracy"]
    return result


def report_text(labels: np.ndarray, probs: np.ndarray, class_names) -> str:
    """The classification report as the original project printed it (``class_names``: the names
    indexed by label, or the dataset's :class:`DatasetSpec`)."""
    class_names = _names(class_names)
    return classification_report(np.asarray(labels).reshape(-1), probs.argmax(1), labels=range(len(class_names)),
                                 target_names=class_names, digits=4, zero_division=0)
