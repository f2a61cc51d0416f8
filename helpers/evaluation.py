"""Scoring a trained model on the untouched test set: predictions with test-time augmentation,
accuracy with its confidence interval, the classification report and confusion matrix (scikit-learn),
and calibration (reliability bins, ECE; temperature scaling is written out in notebook 04). The class names always come from the caller
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


FLIP_VIEWS = ((0, False), (0, True))
"""Flip test-time augmentation: the image and its mirror image."""
FLIP_SHIFT_VIEWS = tuple((shift, mirrored) for mirrored in (False, True) for shift in (-1, 0, 1))
"""Six views: the image and its mirror, each shifted by -1, 0 and +1 pixel horizontally."""


def view(images: np.ndarray, shift: int = 0, mirrored: bool = False) -> np.ndarray:
    """``images`` (N, H, W, C) shifted ``shift`` pixels to the right (reflecting at the border, as the
    training crops do) and optionally mirrored left-right."""
    if shift:
        padded = np.pad(images, ((0, 0), (0, 0), (abs(shift), abs(shift)), (0, 0)), mode="reflect")
        start = abs(shift) - shift
        images = padded[:, :, start:start + images.shape[2]]
    return images[:, :, ::-1] if mirrored else images


def predict(model, images: np.ndarray, batch_size: int = 500, views=((0, False),)) -> np.ndarray:
    """Class probabilities for uint8 ``images`` (the model takes raw pixels).

    Test-time augmentation averages the predictions over several ``views`` (``(shift, mirrored)``
    pairs, see :func:`view`), e.g. :data:`FLIP_VIEWS`; the default is the image alone.
    """
    images = images if images.ndim == 4 else images[..., None]
    return _average({v: _predict_view(model, images, v, batch_size) for v in views}, views)


def _predict_view(model, images: np.ndarray, v: tuple[int, bool], batch_size: int = 500) -> np.ndarray:
    """The model's float32 probabilities for one view ``(shift, mirrored)`` of ``images``."""
    return model.predict(view(images, *v).astype("float32"), batch_size=batch_size, verbose=0)


def _average(each: dict, views) -> np.ndarray:
    """The mean of the views' probabilities (summed in float32 in the order of ``views``, as always)."""
    return np.asarray(sum(each[v] for v in views), dtype=np.float64) / len(views)


def top_k_accuracy(labels: np.ndarray, probs: np.ndarray, k: int = 2) -> float:
    """Share of images whose true class is among the ``k`` most probable."""
    top = np.argsort(probs, axis=1)[:, -k:]
    return float(np.mean(np.any(top == np.asarray(labels)[:, None], axis=1)))


def reliability_bins(labels: np.ndarray, probs: np.ndarray, bins: int = 15) -> list[dict]:
    """Predictions sorted into ``bins`` equal-width confidence bins: for each non-empty bin its
    ``count``, mean ``confidence`` and ``accuracy`` (the numbers behind ECE and the reliability diagram)."""
    confidence, correct = probs.max(1), probs.argmax(1) == np.asarray(labels).reshape(-1)
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1]), 0, bins - 1)
    return [{"low": float(edges[b]), "high": float(edges[b + 1]), "count": int(members.sum()),
             "confidence": float(confidence[members].mean()), "accuracy": float(correct[members].mean())}
            for b in range(bins) if (members := which == b).any()]


def expected_calibration_error(labels: np.ndarray, probs: np.ndarray, bins: int = 15) -> float:
    """ECE: the gap between confidence and accuracy, averaged over equal-width confidence bins,
    weighted by how many predictions fall in each."""
    total = len(probs)
    return float(sum(b["count"] / total * abs(b["accuracy"] - b["confidence"])
                     for b in reliability_bins(labels, probs, bins)))


def mean_confidence(probs: np.ndarray) -> float:
    """The average probability of the predicted class: compare it with the accuracy (above it:
    over-confident; below it: under-confident)."""
    return float(np.mean(probs.max(1)))


def confidence_interval(accuracy: float, images: int, z: float = 1.96) -> tuple[float, float]:
    """The 95% (Wilson) confidence interval of an accuracy measured on ``images`` test images.

    The test set is a sample: on 10,000 images an accuracy near 88% is known to about +-0.65
    points, on 1,000 to about +-2. Differences smaller than that are noise.
    """
    centre = (accuracy + z * z / (2 * images)) / (1 + z * z / images)
    half = z * np.sqrt(accuracy * (1 - accuracy) / images + z * z / (4 * images * images)) / (1 + z * z / images)
    return float(centre - half), float(centre + half)


def describe_accuracy(accuracy: float, images: int) -> str:
    """An accuracy with its uncertainty, e.g. '88.00% (95% CI 87.35%-88.62%, 10,000 images)'."""
    low, high = confidence_interval(accuracy, images)
    return f"{accuracy:.2%} (95% CI {low:.2%}-{high:.2%}, {images:,} images)"


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


def evaluate(model, images: np.ndarray, labels: np.ndarray, spec: DatasetSpec) -> tuple[dict, np.ndarray]:
    """Score ``model`` on ``images`` of the dataset ``spec``; where a mirror image keeps its class
    (``spec.mirror_keeps_class``) also report test-time augmentation: flips (2 views) and flips with
    shifts (6 views, :data:`FLIP_SHIFT_VIEWS`). Each view is predicted once (6 passes, not 9).
    Returns the scores and the plain predictions."""
    each = {v: _predict_view(model, images, v) for v in (FLIP_SHIFT_VIEWS if spec.mirror_keeps_class else ((0, False),))}
    probs = _average(each, ((0, False),))
    result = score(labels, probs, spec)
    if spec.mirror_keeps_class:
        result["flip_tta_accuracy"] = score(labels, _average(each, FLIP_VIEWS), spec)["accuracy"]
        result["flip_shift_tta_accuracy"] = score(labels, _average(each, FLIP_SHIFT_VIEWS), spec)["accuracy"]
    return result, probs


def report_text(labels: np.ndarray, probs: np.ndarray, class_names) -> str:
    """The classification report as the original project printed it (``class_names``: the names
    indexed by label, or the dataset's :class:`DatasetSpec`)."""
    class_names = _names(class_names)
    return classification_report(np.asarray(labels).reshape(-1), probs.argmax(1), labels=range(len(class_names)),
                                 target_names=class_names, digits=4, zero_division=0)
