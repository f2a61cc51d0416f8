"""helpers.models: the exact architectures, their costs, and refusals of impossible arguments."""

import keras
import numpy as np
import pytest

from helpers import models


def trainable(model):
    return sum(int(np.prod(w.shape)) for w in model.trainable_weights)


def test_minivggnet_matches_the_original_parameter_counts():
    model = models.minivggnet()
    assert model.count_params() == 2_171_178
    assert trainable(model) == 2_169_770
    assert model.output_shape == (None, 10)
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds.count("Conv2D") == 4 and kinds.count("BatchNormalization") == 5 and kinds.count("Dropout") == 3
    assert [model.get_layer(f"block{b}_conv1").filters for b in (1, 2)] == [32, 64]
    assert [model.get_layer(n).rate for n in ("block1_dropout", "block2_dropout", "head_dropout")] == [0.25, 0.25, 0.5]


def test_bn_follows_relu_as_in_the_original():
    names = [layer.name for layer in models.minivggnet().layers]
    assert names[:6] == ["block1_conv1", "block1_relu1", "block1_bn1", "block1_conv2", "block1_relu2", "block1_bn2"]


def test_shallownet_and_lenet_parameter_counts():
    assert models.shallownet().count_params() == 328_586
    lenet = models.lenet()
    assert lenet.count_params() == 1_256_080
    assert lenet.output_shape == (None, 10)


def test_builders_accept_other_shapes_and_class_counts():
    model = models.minivggnet((64, 48, 1), classes=3)
    assert model.output_shape == (None, 3)
    out = model(np.zeros((2, 64, 48, 1), np.float32), training=False)
    assert out.shape == (2, 3)
    assert np.allclose(keras.ops.convert_to_numpy(out).sum(1), 1.0, atol=1e-5)


@pytest.mark.parametrize("kwargs, message", [
    ({"classes": 1}, "classes must be an integer >= 2"),
    ({"input_shape": (3, 3, 3)}, "too small: two 2x2 poolings need images of at least 4x4"),
    ({"input_shape": (32, 32)}, r"input_shape must be \(height, width, channels\)"),
])
def test_impossible_arguments_fail_clearly(kwargs, message):
    with pytest.raises(ValueError, match=message):
        models.minivggnet(**kwargs)


def test_unknown_architecture():
    with pytest.raises(ValueError, match="Unknown architecture 'resnet'"):
        models.build("resnet", (32, 32, 3))


def test_layer_table_matches_hand_computed_values():
    rows = {row.name: row for row in models.layer_table(models.minivggnet())}
    conv = rows["block1_conv1"]  # 3x3x3 kernels, 32 filters, on a 32x32 grid
    assert conv.params == 3 * 3 * 3 * 32 + 32 == 896
    assert conv.macs == 32 * 32 * 32 * (3 * 3 * 3) == 884_736
    assert conv.receptive_field == 3 and conv.output_shape == (32, 32, 32)
    assert rows["block1_conv2"].receptive_field == 5
    assert rows["block1_pool"].receptive_field == 6
    assert rows["block2_conv1"].receptive_field == 10  # 6 + 2 * 2 (the pool doubled the step)
    assert rows["block2_pool"].receptive_field == 16 and rows["block2_pool"].output_shape == (8, 8, 64)
    assert rows["flatten"].receptive_field == 16  # Flatten only reshapes; the dense layer after it sees everything
    dense = rows["head_fc"]
    assert dense.params == 4096 * 512 + 512 and dense.macs == 4096 * 512
    assert dense.receptive_field is None
    assert sum(r.params for r in rows.values()) == 2_171_178
    table = models.format_table(models.layer_table(models.minivggnet()))
    assert "2,171,178" in table and "26,579,968" in table


def test_preprocessing_wrapper_takes_raw_pixels_and_adds_no_weights():
    core = models.shallownet()
    wrapped = models.with_preprocessing(core, mean=[120.0, 110.0, 100.0], std=[60.0, 50.0, 40.0])
    assert wrapped.count_params() == core.count_params()
    assert models.core_model(wrapped) is core
    pixels = np.random.default_rng(0).integers(0, 256, (4, 32, 32, 3)).astype(np.float32)
    scaled = (pixels - np.array([120.0, 110.0, 100.0])) / np.array([60.0, 50.0, 40.0])
    np.testing.assert_allclose(keras.ops.convert_to_numpy(wrapped(pixels)),
                               keras.ops.convert_to_numpy(core(scaled.astype(np.float32))), atol=1e-5)
    with pytest.raises(ValueError, match="std must be positive"):
        models.with_preprocessing(core, 0.0, 0.0)
