"""helpers.recipes and helpers.training: schedules, augmentation, pipeline, and real (short) training."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from helpers import models, recipes, training
from lab import artifacts


# --------------------------------------------------------------------------- recipes and schedules

def test_seed_recipe_is_the_original():
    seed = recipes.get_recipe("original")
    assert (seed.optimizer, seed.learning_rate, seed.momentum, seed.nesterov) == ("sgd", 0.01, 0.9, True)
    assert (seed.batch_size, seed.epochs, seed.augment, seed.normalization) == (64, 40, False, "unit")
    assert seed.decay == pytest.approx(0.01 / 40)
    lenet = recipes.get_recipe("original", "lenet")
    assert (lenet.learning_rate, lenet.epochs, lenet.batch_size, lenet.momentum) == (0.01, 20, 128, 0.0)


def test_original_decay_is_reproduced_per_iteration():
    recipe = recipes.get_recipe("original")
    schedule = training.learning_rate_schedule(recipe, steps_per_epoch=704)
    for step in (0, 1, 10, 703, 704 * 20, 704 * 40):
        expected = 0.01 / (1 + (0.01 / 40) * step)  # Keras 2: lr * 1 / (1 + decay * iterations)
        assert float(schedule(step)) == pytest.approx(expected, rel=1e-6)
    optimizer = training.make_optimizer(recipe, 704)
    assert isinstance(optimizer, keras.optimizers.SGD) and optimizer.nesterov and optimizer.momentum == 0.9


def test_warmup_cosine_rises_then_falls_to_zero():
    recipe = recipes.get_recipe("improved", epochs=10)
    schedule = training.learning_rate_schedule(recipe, steps_per_epoch=100)
    peak, warmup, total = recipe.learning_rate, 100, 1000
    assert float(schedule(0)) == pytest.approx(peak * recipe.warmup_start)
    assert float(schedule(warmup)) == pytest.approx(peak)
    assert float(schedule(warmup // 2)) < peak
    assert float(schedule(total)) == pytest.approx(0.0, abs=1e-9)
    tail = [float(schedule(s)) for s in range(warmup, total + 1, 50)]
    assert all(a >= b for a, b in zip(tail, tail[1:]))


def test_overrides_and_invalid_recipes():
    assert recipes.get_recipe("improved", epochs=3, batch_size=None).epochs == 3
    with pytest.raises(ValueError, match="epochs must be an integer >= 1"):
        recipes.get_recipe("improved", epochs=0)
    with pytest.raises(ValueError, match="Unknown recipe 'best'"):
        recipes.get_recipe("best")
    with pytest.raises(ValueError, match=r"crop_padding must be an integer in \[0, 8\]"):
        recipes.get_recipe("improved", crop_padding=12)
    with pytest.raises(ValueError, match=r"val_fraction must be in \[0, 1\)"):
        recipes.get_recipe("improved", val_fraction=1.0)
    with pytest.raises(ValueError, match="Unknown recipe fields"):
        recipes.get_recipe("fast").with_overrides(dropout=0.1)


def test_weight_decay_spares_bn_and_biases():
    optimizer = training.make_optimizer(recipes.get_recipe("improved"), 10)
    model = training.build_model("shallownet", recipes.get_recipe("improved"), np.zeros((4, 32, 32, 3), np.uint8))
    optimizer.build(model.trainable_variables)
    decayed = {v.path.split("/")[-1] for v in model.trainable_variables if optimizer._use_weight_decay(v)}
    assert decayed == {"kernel"}


@pytest.mark.parametrize("name", ["adamw", "sgd"])
def test_weight_averaging_replaces_the_weights_by_their_running_average_after_every_epoch(name):
    """ema_momentum keeps a running average of the weights; after each epoch's last step the weights become it."""
    assert not training.make_optimizer(recipes.get_recipe("improved"), 5).use_ema, "off unless a recipe asks"
    optimizer = training.make_optimizer(recipes.get_recipe("improved", optimizer=name, ema_momentum=0.5), 5)
    weight = keras.Variable(np.zeros(3, np.float32))
    optimizer.build([weight])
    expected, average = np.zeros(3), np.zeros(3)
    for step in range(5):  # one epoch of 5 steps, a constant gradient of -1
        optimizer.apply_gradients([(np.full(3, -1.0, np.float32), weight)])
        if step < 4:
            expected = weight.numpy()
    assert not np.allclose(weight.numpy(), expected), "the weights moved"
    average = optimizer._model_variables_moving_average[0].numpy()
    np.testing.assert_allclose(weight.numpy(), average, rtol=1e-6)  # replaced at the epoch's end
    assert 0 < average[0] < expected[0] + 1, "an average of the steps, behind the last one"


def test_a_constant_rate_is_a_plain_number_and_steps_as_a_schedule_of_no_decay_did():
    """make_optimizer passes a constant rate as a number, as notebooks 05 and 06 write it; the steps equal those of the
    InverseTimeDecay(decay_rate=0) the earlier reference runs used, bit for bit."""
    recipe = recipes.get_recipe("original", "shallownet")
    optimizer = training.make_optimizer(recipe, 10)
    assert isinstance(optimizer.get_config()["learning_rate"], float)
    assert optimizer.get_config()["learning_rate"] == pytest.approx(recipe.learning_rate)
    before = keras.optimizers.SGD(learning_rate=keras.optimizers.schedules.InverseTimeDecay(
        recipe.learning_rate, decay_steps=1, decay_rate=0.0), momentum=recipe.momentum)
    weights = [keras.Variable(np.linspace(-1, 1, 5, dtype=np.float32)) for _ in range(2)]
    for opt, weight in zip((optimizer, before), weights):
        for step in range(3):
            opt.apply_gradients([(np.full(5, 0.3 + step, np.float32), weight)])
    np.testing.assert_array_equal(weights[0].numpy(), weights[1].numpy())
    assert not np.allclose(weights[0].numpy(), np.linspace(-1, 1, 5)), "the weights moved"


def test_warmup_linear_rises_then_falls_in_straight_lines_to_the_end_fraction():
    recipe = recipes.get_recipe("improved", optimizer="sgd", learning_rate=0.05, schedule="warmup_linear", end_fraction=0.07,
                                epochs=10, warmup_fraction=0.2)
    schedule = training.learning_rate_schedule(recipe, steps_per_epoch=10)  # 100 steps, 20 of warmup
    at = [float(schedule(step)) for step in (0, 10, 20, 60, 100, 150)]
    assert at == pytest.approx([0.005, 0.0275, 0.05, 0.05 - 0.5 * (0.05 - 0.0035), 0.0035, 0.0035], rel=1e-5)
    again = keras.optimizers.schedules.deserialize(keras.optimizers.schedules.serialize(schedule))
    assert float(again(60)) == pytest.approx(at[3]), "saved with the model and loaded back"
    cosine = training.learning_rate_schedule(recipes.get_recipe("improved", end_fraction=0.07), 10)
    assert float(cosine(300)) == pytest.approx(0.07 * 3e-3, rel=1e-4), "the cosine ends at end_fraction too"


def test_bn_shift_lr_factor_gives_batch_norm_shifts_their_own_optimizer_at_a_multiple_of_the_rate():
    recipe = recipes.get_recipe("improved", bn_shift_lr_factor=8.0)
    optimizer = training.make_optimizer(recipe, 10)
    model = training.build_model("minivggnet", recipe, np.zeros((4, 32, 32, 3), np.uint8))
    optimizer.build(model.trainable_variables)
    shifts, plain = optimizer.optimizers
    assert {v.path.split("/")[-1] for v in shifts._trainable_variables} == {"beta"}
    assert "beta" not in {v.path.split("/")[-1] for v in plain._trainable_variables}
    assert float(shifts.learning_rate) == pytest.approx(8 * float(plain.learning_rate))
    assert not isinstance(training.make_optimizer(recipes.get_recipe("improved"), 10), keras.optimizers.MultiOptimizer)


def test_weight_average_covers_the_batch_norm_statistics_and_replaces_the_weights_after_each_epoch():
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2), keras.layers.BatchNormalization()])
    average = training.WeightAverage(0.5, steps_per_epoch=2)
    average.set_model(model)
    average.on_epoch_begin(0)
    moving_mean = model.layers[1].moving_mean
    seen = []
    for step in range(2):
        moving_mean.assign(np.full(2, 4.0 * (step + 1), np.float32))  # what training moves: 4, then 8
        seen.append(moving_mean.numpy().copy())
        average.on_train_batch_end(step)
    np.testing.assert_allclose(moving_mean.numpy(), 0.25 * 0 + 0.25 * 4 + 0.5 * 8), "0.5 x (0.5 x 0 + 0.5 x 4) + 0.5 x 8"
    assert not np.allclose(seen[-1], moving_mean.numpy()), "replaced by the average after the epoch's last step"
    with pytest.raises(ValueError, match="ema_bn_stats needs an ema_momentum"):
        recipes.get_recipe("improved", ema_bn_stats=True)


# --------------------------------------------------------------------------- pipeline

def crops_of(image, pad=4):
    padded = np.pad(image, ((pad, pad), (pad, pad), (0, 0)), mode="reflect")
    windows = [padded[r:r + 32, c:c + 32] for r in range(2 * pad + 1) for c in range(2 * pad + 1)]
    return windows + [w[:, ::-1] for w in windows]


def test_augmentation_crops_and_flips_each_example_independently(cifar_sample):
    (x, _), _ = cifar_sample
    batch = x[:32]
    out = keras.ops.convert_to_numpy(training.augment_batch(tf.constant(batch), tf.constant([1, 2]), 4))
    assert out.shape == batch.shape and out.dtype == np.uint8
    positions = []
    for image, result in zip(batch, out):
        matches = [i for i, crop in enumerate(crops_of(image)) if np.array_equal(crop, result)]
        assert matches, "every output is a reflect-padded crop of its own image, maybe flipped"
        positions.append(matches[0])
    assert len(set(positions)) > 8, "examples get different crops (layers.RandomCrop would not)"
    again = keras.ops.convert_to_numpy(training.augment_batch(tf.constant(batch), tf.constant([1, 2]), 4))
    other = keras.ops.convert_to_numpy(training.augment_batch(tf.constant(batch), tf.constant([3, 4]), 4))
    assert np.array_equal(out, again) and not np.array_equal(out, other)


@pytest.mark.parametrize("pad", [0, 2])
def test_crop_padding_sets_the_augmentation_strength(cifar_sample, pad):
    (x, _), _ = cifar_sample
    batch = x[:32]
    out = keras.ops.convert_to_numpy(training.augment_batch(tf.constant(batch), tf.constant([5, 6]), pad))
    for image, result in zip(batch, out):
        assert any(np.array_equal(crop, result) for crop in crops_of(image, pad))
    unmoved = [np.array_equal(r, i) or np.array_equal(r, i[:, ::-1]) for i, r in zip(batch, out)]
    if pad == 0:
        assert all(unmoved), "pad 0 only flips"
        assert 4 < sum(np.array_equal(r, i[:, ::-1]) for i, r in zip(batch, out)) < 28, "about half are flipped"
    else:
        assert not all(unmoved), "pad 2 shifts most images"


def test_dataset_batches_are_float_images_and_one_hot_labels(cifar_sample):
    (x, y), _ = cifar_sample
    dataset = training.make_dataset(x[:300], y[:300], 128, training=True, augment=True, crop_padding=4)
    shapes = [(tuple(a.shape), tuple(b.shape)) for a, b in dataset]
    assert shapes == [((128, 32, 32, 3), (128, 10))] * 2 + [((44, 32, 32, 3), (44, 10))]
    images, labels = next(iter(training.make_dataset(x[:8], y[:8], 8)))
    assert images.dtype == tf.float32 and float(tf.reduce_max(images)) > 1.0  # raw 0..255: the model scales
    assert np.array_equal(np.argmax(labels, 1), y[:8])
    assert np.array_equal(images.numpy().astype(np.uint8), x[:8])  # evaluation keeps order and pixels
    mnist = training.make_dataset(np.zeros((4, 28, 28), np.uint8), np.zeros(4, np.uint8), 4)
    assert tuple(next(iter(mnist))[0].shape) == (4, 28, 28, 1)


def test_channel_stats_match_numpy(cifar_sample):
    (x, _), _ = cifar_sample
    mean, std = training.channel_stats(x)
    np.testing.assert_allclose(mean, x.reshape(-1, 3).mean(0), rtol=1e-9)
    np.testing.assert_allclose(std, x.reshape(-1, 3).std(0), rtol=1e-9)


# --------------------------------------------------------------------------- training

def test_same_seed_gives_the_same_history(cifar_sample, tmp_path):
    (x, y), _ = cifar_sample
    recipe = recipes.get_recipe("fast", epochs=1, batch_size=64, val_fraction=0.1)
    runs = [training.train("minivggnet", recipe, (x[:640], y[:640]), tmp_path / str(i), seed=7, verbose=0)
            for i in range(2)]
    assert runs[0].history["loss"] == runs[1].history["loss"]
    assert runs[0].history["val_accuracy"] == runs[1].history["val_accuracy"]
    split = runs[0].split  # stratified per class, so the 10% is rounded class by class
    assert split["train"] + split["validation"] == 640 and abs(split["validation"] - 64) <= 5


def test_without_validation_the_whole_set_trains_and_the_last_epoch_is_kept(cifar_sample, tmp_path):
    (x, y), _ = cifar_sample
    recipe = recipes.get_recipe("fast", epochs=2, batch_size=64, val_fraction=0.0)
    run = training.train("shallownet", recipe, (x[:320], y[:320]), tmp_path, seed=3, verbose=0)
    assert run.split == {"train": 320, "validation": 0}
    assert run.best_epoch == 2 and "val_accuracy" not in run.history and len(run.history["loss"]) == 2
    assert not (tmp_path / "best.keras").exists(), "no validation, so no 'best' epoch is picked on training data"


def test_milestones_report_the_first_epoch_over_each_threshold():
    history = {"val_accuracy": [0.4, 0.61, 0.7, 0.83], "epoch_seconds": [10.0, 10.0, 10.0, 10.0]}
    found = artifacts.milestones(history)
    assert found["val_accuracy>=0.60"] == {"epoch": 2, "seconds": 20.0}
    assert found["val_accuracy>=0.82"] == {"epoch": 4, "seconds": 40.0}
    assert artifacts.milestones({"val_accuracy": [0.5], "epoch_seconds": [1.0]})["val_accuracy>=0.60"] is None


def test_augmenting_needs_the_recipes_crop_padding(cifar_sample):
    (x, y), _ = cifar_sample
    with pytest.raises(ValueError, match="crop_padding"):
        training.make_dataset(x[:8], y[:8], 8, training=True, augment=True)


@pytest.mark.parametrize("pad", [0, 2, 4])
def test_describe_augmentation_names_the_shift_and_flip(cifar_sample, pad):
    (x, _), _ = cifar_sample
    out = keras.ops.convert_to_numpy(training.augment_batch(tf.constant(x[:16]), tf.constant([7, 8]), pad))
    for image, result in zip(x[:16], out):
        words = training.describe_augmentation(image, result, pad)
        shifts = [int(w.split()[0]) for w in words.split(", ") if w[0].isdigit()]
        assert all(s <= pad for s in shifts), words


def test_whitening_filters_decorrelate_patches_and_start_the_first_convolution(cifar_sample):
    (x, _), _ = cifar_sample
    mean, std = training.channel_stats(x)
    kernel = training.whitening_filters(x, mean, std, (3, 3, 3, 32))
    assert kernel.shape == (3, 3, 3, 32) and np.allclose(kernel[..., 16:], -kernel[..., :16])
    scaled = (x[:300].astype(np.float32) - np.asarray(mean, np.float32)) / np.asarray(std, np.float32)
    patches = np.lib.stride_tricks.sliding_window_view(scaled, (3, 3), axis=(1, 2)).transpose(0, 1, 2, 4, 5, 3).reshape(-1, 27)
    covariance = np.cov(patches @ kernel.reshape(27, 32)[:, :16], rowvar=False)
    assert np.allclose(np.diag(covariance), 1.0, atol=0.3), "unit variance along each whitened direction"
    assert np.abs(covariance - np.diag(np.diag(covariance))).max() < 0.2, "decorrelated"
    model = training.build_model("minivggnet", recipes.get_recipe("fast"), x)
    conv = next(l for l in models.core_model(model).layers if isinstance(l, keras.layers.Conv2D))
    assert np.allclose(keras.ops.convert_to_numpy(conv.kernel), kernel)
    with pytest.raises(ValueError, match="even number of filters"):
        training.whitening_filters(x, mean, std, (3, 3, 3, 31))


def test_alternate_flip_mirrors_each_image_in_every_other_epoch_and_resumes_alike(cifar_sample):
    (x, y), _ = cifar_sample
    x, y = x[:64], np.arange(64)  # the label says which image it is

    def flipped_by_epoch(first_epoch, epochs):
        batches = training.make_dataset(x, y, 64, classes=64, training=True, augment=True, crop_padding=0, seed=3,
                                        epochs=epochs, first_epoch=first_epoch, alternate_flip=True)
        rows = []
        for images, labels in batches:
            order = np.argmax(labels.numpy(), 1)
            rows.append([np.array_equal(image, x[i][:, ::-1]) for i, image in zip(order, images.numpy().astype(np.uint8))])
            rows[-1] = [flip for _, flip in sorted(zip(order, rows[-1]))]
        return np.array(rows)

    flips = flipped_by_epoch(0, 3)
    assert 16 < flips[0].sum() < 48, "a random half is mirrored in the first epoch"
    assert np.array_equal(flips[1], ~flips[0]) and np.array_equal(flips[2], flips[0]), "then each image alternates"
    assert np.array_equal(flipped_by_epoch(1, 2), flips[1:]), "a run resumed at epoch 1 flips as the uninterrupted one"


def test_training_curves_can_leave_off_the_first_epochs():
    from helpers import plots

    history = {"loss": [3.0, 1.0, 0.5], "val_loss": [2.0, 1.0, 0.6], "accuracy": [0.1, 0.5, 0.7], "val_accuracy": [0.2, 0.5, 0.6]}
    figure = plots.training_curves(history, from_epoch=2)
    assert [line.get_xdata().tolist() for line in figure.axes[0].lines] == [[2, 3], [2, 3]]
    assert [line.get_ydata().tolist() for line in figure.axes[1].lines] == [[0.5, 0.7], [0.5, 0.6]]
    plots.plt.close(figure)


def test_training_curves_draw_every_level_and_mark_on_a_doubling_log_axis():
    from helpers import plots

    history = {"loss": [3.0, 1.0, 0.6], "val_loss": [2.0, 1.0, 0.7], "accuracy": [0.1, 0.5, 0.7], "val_accuracy": [0.2, 0.5, 0.6]}
    levels = {"floor": 0.5, "ln 10": 2.3, "third": 1.5}
    figure = plots.training_curves(history, log_loss=True, levels=levels, marks={"best": 3, "resumed": 1.5})
    loss, accuracy = figure.axes
    assert loss.get_yscale() == "log" and [t for t in loss.get_yticks() if 0.4 < t <= 4] == [0.5, 1, 2, 4], "up to a doubling above 3.0"
    for ax, expected in ((loss, [*levels, "best", "resumed"]), (accuracy, ["best", "resumed"])):
        labels = [text.get_text() for text in ax.get_legend().get_texts()]
        assert all(name in labels for name in expected), (labels, expected)
    assert [line.get_color() for line in loss.lines if line.get_label() in levels] == ["black", "grey", "grey"]
    plots.plt.close(figure)


def test_freeze_bn_scale_keeps_every_gamma_at_one_and_the_parameter_count(cifar_sample, tmp_path):
    (x, y), _ = cifar_sample
    recipe = recipes.get_recipe("fast", epochs=1, val_fraction=0.0, freeze_bn_scale=True)
    run = training.train("minivggnet", recipe, (x[:256], y[:256]), tmp_path, seed=5, verbose=0)
    bns = [layer for layer in run.model.layers[-1].layers if isinstance(layer, keras.layers.BatchNormalization)]
    assert len(bns) == 5 and all(np.all(bn.gamma.numpy() == 1) for bn in bns), "no scale moved"
    assert any(np.any(bn.beta.numpy() != 0) for bn in bns), "the shifts still learn"
    assert run.model.count_params() == training.build_model("minivggnet", recipes.get_recipe("fast"), x[:256]).count_params()


def test_cutout_greys_one_square_per_image_in_the_training_pipeline_only(cifar_sample):
    (x, y), _ = cifar_sample
    x = np.full((200, 32, 32, 3), 200, np.uint8)
    batches = training.make_dataset(x, y[:200], 200, training=True, augment=True, crop_padding=0, seed=1, cutout=8)
    images = next(iter(batches))[0].numpy()
    grey = (images == 128).all(-1)
    sizes = grey.sum((1, 2))
    assert sizes.max() == 64 and sizes.min() >= 16, "an 8x8 square, cut by the border when centred near it"
    assert np.mean(sizes == 64) > 0.4, "most squares lie inside the image"
    assert all(g[np.ix_(g.any(1), g.any(0))].all() for g in grey), "each hole is one rectangle"
    assert np.all(images[~grey] == 200), "nothing else changes"
    plain = next(iter(training.make_dataset(x, y[:200], 200, training=True, augment=True, crop_padding=0, seed=1)))[0]
    assert np.all(plain.numpy() == 200), "off by default"
    with pytest.raises(ValueError, match="cutout must be an integer in"):
        recipes.get_recipe("improved", cutout=40)


def test_cutout_can_start_in_a_later_epoch_and_a_resumed_pipeline_keeps_that_epoch(cifar_sample):
    (_, y), _ = cifar_sample
    x = np.full((200, 32, 32, 3), 200, np.uint8)

    def holes(**kwargs):  # per epoch (one batch each): how many images have a grey square
        batches = training.make_dataset(x, y[:200], 200, training=True, augment=True, crop_padding=0, seed=1, cutout=8, **kwargs)
        return [int((images.numpy() == 128).all(-1).any((1, 2)).sum()) for images, _ in batches]
    assert holes(epochs=4, cutout_from=2) == [0, 0, 200, 200]
    assert holes(epochs=2, first_epoch=2, cutout_from=2) == [200, 200], "a run resumed at epoch 3 still cuts out"
    assert holes(epochs=2, first_epoch=1, cutout_from=2) == [0, 200]
    with pytest.raises(ValueError, match="cutout_start must be in"):
        recipes.get_recipe("improved", cutout_start=1.0)


def test_dirac_init_starts_each_later_convolution_as_the_identity_on_its_first_filters(cifar_sample):
    (x, _), _ = cifar_sample
    model = training.build_model("minivggnet", recipes.get_recipe("improved", dirac_init=True), x[:256])
    plain = training.build_model("minivggnet", recipes.get_recipe("improved"), x[:256])
    convs = [[l for l in models.core_model(m).layers if isinstance(l, keras.layers.Conv2D)] for m in (model, plain)]
    assert np.array_equal(convs[0][0].kernel.numpy(), convs[1][0].kernel.numpy()), "the first (whitened) layer is untouched"
    for conv in convs[0][1:]:  # read the kernels, not a forward pass: a dtype policy left by another test would round it
        kernel, n = keras.ops.convert_to_numpy(conv.kernel), min(conv.kernel.shape[2:])
        identity = np.zeros(kernel.shape[:3] + (n,), np.float32)
        identity[1, 1, np.arange(n), np.arange(n)] = 1  # output channel i = input channel i at the centre tap
        assert np.array_equal(kernel[..., :n], identity), f"{conv.name} passes its first {n} channels on"
        assert n == conv.filters or np.abs(kernel[..., n:]).mean() > 0.01, f"{conv.name}'s other filters keep a random start"
    assert model.count_params() == plain.count_params()
