"""Notebook 02_building_minivggnet: executed in the quick profile, checked on what it printed and wrote."""

import math
import re

import keras
import nbformat
import numpy as np

from helpers import data, models
from helpers.data import CLASS_NAMES
from helpers.paths import BUILD_DIR
from lab import notebooks
import nbtools


def sources_intro(nb):
    """The markdown before the first code cell."""
    first = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")
    return "\n".join(c.source for c in nb.cells[:first])


def test_02_is_written_for_the_student_not_for_the_tests():
    nb = nbformat.read(notebooks.notebook_paths(["02"])[0], as_version=4)
    assert not any("NBVAL" in cell.source for cell in nb.cells)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    for layer in ("Conv2D", "Activation", "BatchNormalization", "MaxPooling2D", "Dropout", "Flatten", "Dense"):
        assert f"layers.{layer}(" in code, f"the notebook writes its {layer} layers out"
    assert "models.conv_block(" not in code and "models.classifier_head(" not in code  # the layers are written out instead
    prose = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "modern" not in prose and "improved one" in prose  # the recipe goes by notebook 03's name
    parameters = next(c.source for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    assert "No number on this page depends on DATA" in parameters  # the profile's one mention, a comment
    assert "profile" not in prose  # nothing else about profiles: the page reads the same in both
    assert "fully connected" not in sources_intro(nb) and "*fully connected*" in prose  # defined with the head, not in the intro
    intro = sources_intro(nb)
    assert "`INPUT => ([CONV => RELU => BN] x2 => POOL => DROPOUT) x2 => FLATTEN => DENSE" in intro  # the layers in one line
    assert "each end in pooling and dropout" in intro and "Notebook 03 trains it." in intro  # the blocks' ends; built here, trained in 03
    assert "In block 1, each 3x3 convolution widens the RF by 2 pixels" in prose  # scoped: after a pooling, each adds 4
    assert "a 3x3 convolution adds (3 - 1)·2 = 4 pixels" in prose
    assert "Block 2 needs new layers: 64 filters, the first reading block 1's 32 channels (" in prose  # why new layers
    exercises = next(c.source for c in nb.cells if c.cell_type == "markdown" and c.source.startswith("## Exercises"))
    assert len(re.findall(r"^\d+\. \*\*", exercises, re.M)) in (4, 5)
    assert prose.count("after the head") <= 1  # one forward pointer to the dropout and BN demos
    assert "come from the zero padding" in prose  # the figure's edge lines, explained once
    bn = next(c.source for c in nb.cells if c.cell_type == "markdown" and c.source.startswith("**Batch normalisation.**"))
    assert "`gamma * (x - mean) / sqrt(var + epsilon) + beta`" in bn.split("\n\n")[1]  # BN opens with its formula
    assert "dropped at random" not in bn and ".macs" not in prose  # dropout's note sits under dropout; one name, mult-adds
    assert 'data.load("cifar10", "sample")' in code and "data.load(\"cifar10\", DATA)" not in code  # one image, the same in both profiles
    sources = [c.source for c in nb.cells]
    stack = next(c.source for c in nb.cells if c.cell_type == "markdown" and c.source.startswith("## Why two 3x3"))
    assert "**depth**" in stack and stack.index("**depth**") < stack.index("**weights**") and "per channel pair" not in stack  # depth first; weights per pair of input and output channels
    assert sources.index(stack) > next(i for i, text in enumerate(sources) if text.startswith("## Block 1"))  # after the block it explains
    headings = [text.split("\n", 1)[0] for text in sources if text.startswith("## ")]
    assert headings[-3:] == ["## What we learned", "## The Keras calls used here", "## Exercises"]  # ideas, then calls, then practice
    assert headings.index("## Layers that act differently in training") == headings.index("## The classifier head") + 1  # after the head: blocks, then head, unbroken
    sharing = [text for text in sources if "A layer object owns its weights" in " ".join(text.split())]
    assert "### Probe and feature maps" in sharing[0] and [t.split("\n")[0] for t in sharing[1:]] == ["## What we learned"]  # taught where the probe's assert checks it
    define = next(i for i, text in enumerate(sources) if "when the layer is *built*" in text)
    assert not any(word in text for text in sources[:define] for word in ("was built", "the built", "a built"))  # defined before use


def test_02_the_written_out_network_is_the_librarys(executed):
    text = nbtools.text_of(executed("02"))
    layers = len(models.minivggnet().layers)
    assert f"models.minivggnet(): {layers} layers, 2,171,178 parameters, as written out" in text
    code = "\n".join(c.source for c in executed("02").cells if c.cell_type == "code")
    assert "assert layer_configs(network) == layer_configs(model)" in code  # checked on the page; the print only reports


def test_02_sizes_receptive_fields_and_costs(executed):
    text = nbtools.text_of(executed("02"))
    assert "block1_conv1     RF  3  spacing 1" in text and "block1_pool      RF  6  spacing 2" in text
    for row in models.layer_table(models.minivggnet()):  # the rule applied by hand on the page gives the library's column
        if row.kind in ("Conv2D", "MaxPooling2D"):
            assert re.search(rf"^{row.name} +RF +{row.receptive_field}  spacing \d$", text, re.M), row.name
    assert "block2_conv1     RF 10  spacing 2" in text and "block2_pool      RF 16  spacing 4" in text
    assert "block2_relu1     RF" not in text  # only the layers that change the field are printed
    assert "one block2_dropout unit sees 16x16 pixels: 50% of the image's width, 25% of its area" in text
    assert "head_fc holds 2,097,664 of 2,171,178 parameters (96.6%)" in text
    assert "92.1% of the mult-adds are in the 4 convolutions" in text
    assert "flatten: (8, 8, 64) -> 4,096 numbers" in text
    assert "block 1 passes on: (None, 16, 16, 32)\nblock 2 passes on: (None, 8, 8, 64)" in text  # the grid halved, the filters doubled
    assert "shapes:" not in text  # the summary shows the shapes; no second chain
    assert "head_fc: a 4,096 x 512 kernel (2,097,152 weights), and 512 biases" in text


def test_02_shows_two_3x3_convolutions_see_a_5x5_patch(executed):
    """The receptive-field claim, checked on the page: one lit pixel reaches a 5x5 square through two 3x3 convolutions."""
    text = nbtools.text_of(executed("02"))
    assert "two 3x3 convolutions: the lit pixel reaches a 5x5 square of outputs\n" in text
    grid = re.search(r"of outputs\n(\[\[.*?\]\])\n", text, flags=re.S).group(1)
    rows = [[int(v) for v in re.findall(r"\d", line)] for line in grid.splitlines()]
    assert np.array_equal(np.array(rows), np.pad(np.ones((5, 5), int), 2)), "the square, centred on the lit pixel"


def test_02_counts_the_multiply_adds_by_hand(executed):
    text = nbtools.text_of(executed("02"))
    rows = models.layer_table(models.minivggnet())
    assert models.format_table(rows) in text  # the series' table of the whole network, as the library computes it
    assert text.count("mult-adds    RF") == 1  # shown once, where the column is explained
    code = "\n".join(c.source for c in executed("02").cells if c.cell_type == "code")
    assert "assert by_hand == [row.macs for row in rows]" in code  # the page's own formulas give the library's column
    assert f"{sum(r.macs for r in rows):,}" == "26,579,968" and "block1_conv2    Conv2D                  (32, 32, 32)       9,248     9,437,184" in text
    assert "block2_conv2    Conv2D                  (16, 16, 64)      36,928     9,437,184" in text  # the same work, as the sentence under the table says


def summary_rows(plain, model_name):
    """(name, type, output shape without the batch, params) of each row of one model.summary() in the printed text."""
    table = plain.split(f'Model: "{model_name}"', 1)[1].split("Total params:", 1)[0]
    rows = re.findall(r"^│ (\S+) \((\w+)\) +│ \(None, ([\d, ]+)\) +│ +([\d,]+) │$", table, re.M)
    return [(name, kind, tuple(int(d) for d in shape.split(",")), int(params.replace(",", ""))) for name, kind, shape, params in rows]


def test_02_the_series_table_agrees_with_keras_summary(executed):
    """The page shows each table once; the agreement between the two kinds is checked here."""
    plain = re.sub(r"\x1b\[[\d;]*m", "", nbtools.text_of(executed("02")))
    assert plain.count("Model: ") == 1 and 'Model: "minivggnet"' not in plain  # one Keras summary: block 1's
    block1 = summary_rows(plain, "sequential")
    rows = models.layer_table(models.minivggnet())
    assert len(block1) == 8 and block1 == [(r.name, r.kind, tuple(r.output_shape), r.params) for r in rows[:8]]
    assert len(re.findall(r"^block1_conv1 +Conv2D", plain, re.M)) == 1  # block 1 in the series' table once
    model = models.minivggnet()
    trainable = sum(math.prod(w.shape) for w in model.trainable_weights)
    total = sum(r.params for r in rows)  # the series' table adds up to Keras' counts
    assert total == model.count_params() and total - trainable == 1408  # BN's moving statistics, non-trainable
    assert f"Total params: {sum(r.params for r in rows[:8]):,} " in plain  # block 1's summary: the same parameters as its rows
    rf = {r.name: r.receptive_field for r in rows}  # the head's "RF all" of the prose: None, the whole image
    assert rf["block2_dropout"] == rf["flatten"] == 16 and rf["head_fc"] is None and rf["logits"] is None
    assert "one block2_dropout unit sees 16x16 pixels" in plain


def test_02_counts_a_layers_parameters_by_hand(executed):
    text = nbtools.text_of(executed("02"))
    assert "3*3*3*32 + 32 = 896, the layer's count_params() = 896" in text  # weights plus one bias per filter
    plain = re.sub(r"\x1b\[[\d;]*m", "", text)  # model.summary() colours its text with terminal codes
    assert 'Model: "sequential"' in plain and "Total params: 10,400" in plain  # Keras' own summary of block 1 first
    assert ("block1_bn1: gamma [1.], beta [0.], moving_mean [0.], moving_variance [1.]\n"
            "trainable: ['gamma', 'beta']\ninput: ") in text  # the starting values the BN demo's prose names
    block1 = plain.split('Model: "sequential"', 1)[1].split("block1_conv1 kernel:", 1)[0]  # Keras' summary of block 1, and the line explaining it
    assert "Non-trainable params: 128 " in block1
    assert "block1_conv1 kernel: (3, 3, 3, 32) (window height, width, input channels, filters)\nblock1_conv1 bias: (32,)" in text
    everywhere = re.search(r"^of the 16 drawn channels, zero everywhere on this image: \[([\d ]*)\]$", text, re.M)[1].split()
    assert all(int(channel) < 16 for channel in everywhere)  # named among the drawn channels
    assert re.search(rf"^the sample's first training image: ({'|'.join(CLASS_NAMES)})$", text, re.M)
    assert "probe.output.shape: (None, 32, 32, 32)" in text  # the inner model stops at block1_relu1
    code = "\n".join(c.source for c in executed("02").cells if c.cell_type == "code")
    assert 'assert probe.get_layer("block1_conv1") is model.get_layer("block1_conv1")' in code  # shared, not copied


def test_02_the_untrained_prediction_is_near_uniform_as_the_page_says(executed):
    text = nbtools.text_of(executed("02"))
    low, high = map(float, re.search(r"^logits from (-?[\d.]+) to (-?[\d.]+)$", text, re.M).groups())
    largest, smallest = map(float, re.search(r"^largest ([\d.]+), smallest ([\d.]+); uniform would be 0.100 each$", text, re.M).groups())
    assert high - low < 1  # "close to one another": within 1, so no probability is more than e times another
    code = "\n".join(c.source for c in executed("02").cells if c.cell_type == "code")
    assert "assert np.allclose(np.exp(logits) / np.exp(logits).sum(), probs)" in code  # softmax by hand, checked on the page
    assert all(re.search(rf"^  {name} +0\.\d{{3}}$", text, re.M) for name in CLASS_NAMES)  # one probability per class
    assert smallest <= 0.1 <= largest and largest - smallest < 0.1, (largest, smallest)


def test_02_exercise_2_has_the_answer_it_asks_for():
    """Exercise 2 asks when two 3x3 convolutions hold fewer weights than one 5x5: the answer changes with the input."""
    def params(channels, kernels):
        return keras.Sequential([keras.Input((32, 32, channels)), *(keras.layers.Conv2D(32, k, padding="same") for k in kernels)]).count_params()
    assert params(3, [3, 3]) > params(3, [5])  # block 1's 3 colour channels: the pair holds more
    assert params(32, [3, 3]) < params(32, [5])  # 32 channels in and out: fewer, as in the VGG paper
    nb = nbformat.read(notebooks.notebook_paths(["02"])[0], as_version=4)
    exercises = next(c.source for c in nb.cells if c.cell_type == "markdown" and c.source.startswith("## Exercises"))
    assert "32 channels instead of 3" in exercises and "exercise 2 checks" in "\n".join(c.source for c in nb.cells)


def test_02_leaves_shallownet_to_notebook_05():
    nb = nbformat.read(notebooks.notebook_paths(["02"])[0], as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "shallownet" not in code.lower(), "notebook 05 is where ShallowNet is first written out"


def test_02_dropout_demo_follows_the_rate(executed):
    text = nbtools.text_of(executed("02"))
    zeroed = float(re.search(r"^training=True: ([\d.]+)% of 10,000 values zeroed$", text, re.M)[1]) / 100
    assert abs(zeroed - 0.25) < 0.02, zeroed  # 10,000 draws: the share of zeros lies near the rate
    assert "  the survivors' values: [1.3333]\n  1 / (1 - 0.25) = 1.3333\n" in text
    code = "\n".join(c.source for c in executed("02").cells if c.cell_type == "code")
    assert "dropout(ones, training=False)), ones)" in code and "dropout(ones)), ones)" in code  # inference, with and without the flag


def stats_line(text, mode):
    means, stds = re.search(rf"^{mode}:? +means ([-\d. ]+); std ([\d. ]+)$", text, re.M).groups()
    return [float(v) for v in means.split()], [float(v) for v in stds.split()]


def test_02_batch_norm_demo_normalises_in_training_only(executed):
    text = nbtools.text_of(executed("02"))
    means_in, stds_in = stats_line(text, "input")
    means_inf, stds_inf = stats_line(text, "training=False")
    means_tr, stds_tr = stats_line(text, "training=True")
    assert len(means_in) == len(means_tr) == 3 and all(m > 1 for m in means_in)  # the batch is far from mean 0
    assert means_tr == [0.0] * 3 and stds_tr == [1.0] * 3  # training: each channel re-centred and re-scaled
    assert all(abs(a - b) < 0.05 for a, b in zip(means_in + stds_in, means_inf + stds_inf))  # inference: almost unchanged
    assert text.index("training=False: means") < text.index("training=True:  means")  # inference first, before training mode moves the statistics
    moved = re.search(r"^moving mean after the training call: \[([-\d. ]+)\] \(momentum 0\.99: a 1% step from 0 toward the batch's means\)$", text, re.M)[1]
    assert all(abs(float(m) - 0.01 * b) < 0.001 for m, b in zip(moved.split(), means_in))  # Keras' momentum 0.99: 1% of the way


def test_02_the_figure_reading_names_the_right_channels():
    """The caption names panels by channel: recompute block1_relu1 on the image and check each claim."""
    nb = nbformat.read(notebooks.notebook_paths(["02"])[0], as_version=4)
    caption = next(c.source for c in nb.cells if c.source.startswith("**Reading the figure.**"))
    edge = [int(c) for c in re.search(r"Channels (\d+), (\d+) and (\d+)\s+light up along one diagonal edge", caption).groups()]
    sky = int(re.search(r"channel (\d+) is brightest along the sky's lower edge", caption)[1])
    top, right = map(int, re.search(r"most panels' edges \(the top of channel (\d+), the right of channel (\d+)", caption).groups())
    seed = int(re.search(r"^SEED = (\d+)", next(c.source for c in nb.cells if "parameters" in c.metadata.get("tags", [])), re.M)[1])
    keras.utils.clear_session()
    keras.utils.set_random_seed(seed)  # as the notebook builds its copy
    model = models.minivggnet()
    probe = keras.Model(model.inputs[0], model.get_layer("block1_relu1").output)
    (x_train, _), _ = data.load("cifar10", "sample")
    maps = keras.ops.convert_to_numpy(probe(x_train[:1].astype("float32") / 255.0))[0][..., :16]
    peak = maps.max(axis=(0, 1))
    for channel in edge:  # a thin line: few bright inner pixels, on a diagonal, in the same place for all three
        rows, cols = np.nonzero(maps[1:-1, 1:-1, channel] > 0.3 * peak[channel])
        assert 5 <= len(rows) <= 40 and abs(np.corrcoef(rows, cols)[0, 1]) > 0.9, channel
        assert abs(rows.mean() - 10) < 4 and abs(cols.mean() - 18) < 4, channel  # the tipper's edge, mid-image
    top_share = [maps[:8, :, c].mean() / peak[c] if peak[c] else 0 for c in range(16)]
    assert int(np.argmax(top_share)) == sky  # the sky fills the image's top rows
    assert maps[0, :, top].mean() > 3 * maps[1, :, top].mean() + 1e-6  # padding lines: the border row or column
    assert maps[:, -1, right].mean() > 3 * maps[:, -2, right].mean() + 1e-6  # far brighter than the one next to it
    borders = [(maps[0], maps[1]), (maps[-1], maps[-2]), (maps[:, 0], maps[:, 1]), (maps[:, -1], maps[:, -2])]  # (edge, next), each (32, 16)
    lines = [any(edge[:, c].mean() > 3 * inner[:, c].mean() + 1e-6 for edge, inner in borders) for c in range(16)]
    assert sum(lines) > len(lines) / 2  # "most panels": a border row or column far brighter than its neighbour


def test_02_figures(executed):
    nb = executed("02")
    name = "02_feature_maps_untrained"
    assert (BUILD_DIR / "figures" / f"{name}.png").exists()
    cell = next(c for c in nb.cells if c.cell_type == "code" and f'"{name}"' in c.source)
    assert any("image/png" in o.get("data", {}) for o in cell.outputs)  # shown on the page, not only saved
    assert 'set_title(f"input: {CLASS_NAMES[y_train[0]]}"' in cell.source  # the input panel names its class
    assert "vmin" not in cell.source and "inner" not in cell.source  # each panel on imshow's own scale: its whole range
    assert 'ax.set_title(f"channel {channel}\\n{values.min():.2g} to {values.max():.2g}"' in cell.source  # each panel's title gives the range its colours span
    assert "get_title" not in cell.source  # titles written once, not parsed and rewritten
    after = nb.cells[nb.cells.index(cell) + 1]
    assert after.cell_type == "markdown" and "come from the zero padding" in after.source  # the edge lines, explained beside the figure
    assert len(after.source.split("\n\n")[1].split(". ")) == 1  # in one sentence: a side note for a first CNN
    assert "each panel on its own colour scale (title: its range)" in cell.source  # the suptitle says it
    assert not [c for c in nb.cells if c.cell_type == "markdown" and "colour scale" in c.source]  # so no prose repeats it
    assert "subplot_mosaic" in cell.source and '"input", "input"' in cell.source  # the input spans both rows: no empty slot
    assert not any(c.cell_type == "markdown" and "Going further" in c.source for c in nb.cells)  # cut: one main thread, then exercises
    recap = next(c.source for c in nb.cells if c.cell_type == "markdown" and c.source.startswith("## The Keras calls used here"))
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    for call in re.findall(r"`([^`]+)`", recap):  # every call the recap lists is one the page makes
        for name in re.findall(r"[A-Za-z_][\w.]*", call.replace("*layers", "")):
            assert name.split(".")[-1] in code, (call, name)
    assert "plot_model" not in code and not any("diagram" in c.source for c in nb.cells)  # block 1 shown twice (summary, table), not drawn too
    prose = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "default activation is `linear`, f(x) = x" in prose  # the one lesson the dropped diagram taught
