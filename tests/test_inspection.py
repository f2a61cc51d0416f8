"""Looking inside a network (Grad-CAM, activations, filters), reading a photo of your own, and the
evaluation numbers the notebooks print beside every accuracy."""

import keras
import numpy as np
import pytest

from helpers import environment, evaluation, inspection, models, photos
from lab import references
from helpers.paths import ROOT


@pytest.fixture(scope="module")
def tiny_model():
    keras.utils.set_random_seed(0)
    core = keras.Sequential([
        keras.Input((8, 8, 3)),
        keras.layers.Conv2D(4, 3, padding="same", name="conv"),
        keras.layers.Activation("relu", name="relu"),
        keras.layers.Flatten(),
        keras.layers.Dense(3, name="logits"),
        keras.layers.Activation("softmax", name="softmax"),
    ])
    return models.with_preprocessing(core, 0.0, 255.0)


def test_grad_cam_gives_one_map_per_image_on_the_layer_grid_in_0_1(tiny_model):
    images = np.random.default_rng(1).integers(0, 256, (5, 8, 8, 3)).astype("uint8")
    heatmaps = inspection.grad_cam(tiny_model, images, "relu")
    assert heatmaps.shape == (5, 8, 8)
    assert heatmaps.min() >= 0 and heatmaps.max() <= 1
    assert np.allclose(heatmaps.reshape(5, -1).max(1)[heatmaps.reshape(5, -1).max(1) > 0], 1.0), "each map peaks at 1"
    other = inspection.grad_cam(tiny_model, images, "relu", classes=[2] * 5)
    assert other.shape == heatmaps.shape


def test_grad_cam_refuses_an_unknown_layer(tiny_model):
    with pytest.raises(ValueError, match="No layer 'nope'"):
        inspection.grad_cam(tiny_model, np.zeros((1, 8, 8, 3), "uint8"), "nope")


def test_activations_see_the_scaled_input(tiny_model):
    images = np.full((1, 8, 8, 3), 255, "uint8")
    conv = inspection.activations(tiny_model, images, "conv")
    direct = inspection.activations(models.core_model(tiny_model), images / 255.0, "conv")
    assert conv.shape == (1, 8, 8, 4) and np.allclose(conv, direct, atol=1e-5)


def test_a_photo_becomes_a_32x32_image():
    photo = photos.shrink(photos.square_photo("data/examples/cat_chelsea.jpg"))
    assert photo.shape == (32, 32, 3) and photo.dtype == np.uint8
    square = photos.square_photo(ROOT / "data" / "examples" / "coffee_cup.jpg")
    assert square.shape[0] == square.shape[1] == 213


def test_a_flat_photo_averages_to_itself(tmp_path):
    from PIL import Image

    Image.new("RGB", (90, 60), (200, 100, 50)).save(tmp_path / "flat.png")
    assert (photos.shrink(photos.square_photo(tmp_path / "flat.png")) == [200, 100, 50]).all()


@pytest.mark.parametrize("name, error, message", [
    ("missing.jpg", FileNotFoundError, "no such image file"),
    ("README.md", ValueError, "not an image file"),
])
def test_bad_photos_get_one_clear_line(name, error, message):
    with pytest.raises(error, match=message) as raised:
        photos.shrink(photos.square_photo(ROOT / name))
    assert "\n" not in str(raised.value)


def test_confidence_interval_matches_the_binomial_rule_of_thumb():
    low, high = evaluation.confidence_interval(0.88, 10_000)
    assert high - low == pytest.approx(2 * 1.96 * np.sqrt(0.88 * 0.12 / 10_000), rel=0.01)
    low, high = evaluation.confidence_interval(0.88, 1_000)
    assert 0.035 < high - low < 0.045 and low < 0.88 < high
    assert evaluation.describe_accuracy(0.88, 10_000) == "88.00% (95% CI 87.35%-88.62%, 10,000 images)"


def test_reliability_bins_count_every_prediction_and_give_the_ece():
    rng = np.random.default_rng(0)
    probs = rng.dirichlet(np.ones(10), 500)
    labels = rng.integers(0, 10, 500)
    bins = evaluation.reliability_bins(labels, probs)
    assert sum(b["count"] for b in bins) == 500
    gap = sum(b["count"] / 500 * abs(b["accuracy"] - b["confidence"]) for b in bins)
    assert evaluation.expected_calibration_error(labels, probs) == pytest.approx(gap)
    assert evaluation.mean_confidence(probs) == pytest.approx(probs.max(1).mean())


def test_quick_profile_note_reads_the_full_runs_numbers():
    record = references.get("minivggnet_improved").results()
    assert environment.quick_profile_note("full", record) is None
    note = environment.quick_profile_note("sample", record, trains=True)
    assert "it trains on far fewer images (and steps)" in note
    assert f"reached {record['test']['accuracy']:.2%} on all 10,000 test images" in note
    assert "results/minivggnet_improved.json" in note and "train it yourself" in note
    measuring = environment.quick_profile_note("sample", record)  # 04 and 05 only measure: no promise of training
    assert "measures on all of them" in measuring and "train" not in measuring.split("json).")[-1]


def test_views_shift_with_reflection_and_mirror():
    images = np.arange(2 * 4 * 5 * 1).reshape(2, 4, 5, 1)
    assert (evaluation.view(images) == images).all()
    right = evaluation.view(images, 1)
    assert (right[:, :, 1:] == images[:, :, :-1]).all() and (right[:, :, 0] == images[:, :, 1]).all()
    left = evaluation.view(images, -1)
    assert (left[:, :, :-1] == images[:, :, 1:]).all()
    assert (evaluation.view(images, 0, True) == images[:, :, ::-1]).all()
    assert len(set(evaluation.FLIP_SHIFT_VIEWS)) == 6


def test_prediction_averages_over_the_views(tiny_model):
    images = np.random.default_rng(3).integers(0, 256, (4, 8, 8, 3)).astype("uint8")
    single = [evaluation.predict(tiny_model, evaluation.view(images, *v)) for v in evaluation.FLIP_SHIFT_VIEWS]
    assert np.allclose(evaluation.predict(tiny_model, images, views=evaluation.FLIP_SHIFT_VIEWS), np.mean(single, 0))
    assert np.allclose(evaluation.predict(tiny_model, images, views=evaluation.FLIP_VIEWS), np.mean(single[1::3][:1] + single[4:5], 0))


def test_the_version_check_uses_pyprojects_floors():
    import tomllib

    with open(ROOT / "pyproject.toml", "rb") as handle:
        declared = tomllib.load(handle)["project"]["dependencies"]
    floors = environment.minimum_versions()
    assert set(floors) == {"tensorflow", "keras"}
    for package, version in floors.items():
        assert f"{package}>={version}" in declared
