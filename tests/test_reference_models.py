"""The shipped reference models: plain Keras loads them, and they score what their results files say."""

import json

import keras
import numpy as np
import pytest

from helpers import data
from helpers.paths import MODELS_DIR, RESULTS_DIR

REFERENCES = sorted(p.stem for p in MODELS_DIR.glob("*.keras") if (RESULTS_DIR / f"{p.stem}.json").exists())


def dataset_of(record):
    return record["data"]["dataset"]


def accuracy(model, images, labels):
    images = images if images.ndim == 4 else images[..., None]
    return float(np.mean(model.predict(images, batch_size=500, verbose=0).argmax(1) == labels))


def test_every_shipped_model_has_its_results_file():
    for model in MODELS_DIR.glob("*.keras"):
        assert (RESULTS_DIR / f"{model.stem}.json").exists(), f"{model.name} has no results/{model.stem}.json"


@pytest.mark.skipif(not REFERENCES, reason="no reference model has been shipped yet (models/*.keras)")
@pytest.mark.parametrize("name", REFERENCES)
def test_reference_scores_within_its_band_on_the_test_sample(name):
    record = json.loads((RESULTS_DIR / f"{name}.json").read_text())
    model = keras.saving.load_model(MODELS_DIR / f"{name}.keras")
    _, (x_test, y_test) = data.load_sample(dataset_of(record))
    published = record["test"]["accuracy"]
    band = 3.5 * np.sqrt(published * (1 - published) / len(y_test)) + 0.005  # 1,000 of the 10,000 test images
    assert abs(accuracy(model, x_test, y_test) - published) <= band


@pytest.mark.full_data
@pytest.mark.skipif(not REFERENCES, reason="no reference model has been shipped yet (models/*.keras)")
@pytest.mark.parametrize("name", REFERENCES)
def test_reference_reproduces_its_published_test_accuracy(name, full_cifar_path, full_mnist_path):
    record = json.loads((RESULTS_DIR / f"{name}.json").read_text())
    model = keras.saving.load_model(MODELS_DIR / f"{name}.keras")
    _, (x_test, y_test) = data.load(dataset_of(record), "full")
    assert accuracy(model, x_test, y_test) == pytest.approx(record["test"]["accuracy"], abs=2e-4)
