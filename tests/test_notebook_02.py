"""Notebook 02_building_minivggnet: executed in the quick profile, checked on what it printed and wrote."""

import math
import re
import shutil

import nbformat

from helpers import models
from helpers.paths import BUILD_DIR
from lab import notebooks
import nbtools


def test_02_is_written_for_the_student_not_for_the_tests():
    nb = nbformat.read(notebooks.notebook_paths(["02"])[0], as_version=4)
    assert not any("NBVAL" in cell.source for cell in nb.cells)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    for layer in ("Conv2D", "Activation", "BatchNormalization", "MaxPooling2D", "Dropout", "Flatten", "Dense"):
        assert f"layers.{layer}(" in code, f"the notebook writes its {layer} layers out"
    assert "models.conv_block(" not in code and "models.classifier_head(" not in code  # their source is printed, the layers written out
    prose = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "modern" not in prose and "improved one" in prose  # the recipe goes by notebook 03's name
    assert "The *quick profile* is" in prose  # defined where first named, in both profiles' copies
    sources = [c.source for c in nb.cells]
    define = next(i for i, text in enumerate(sources) if "A layer is *built* when" in text)
    assert not any(word in text for text in sources[:define] for word in ("was built", "the built", "a built"))  # defined before use


def test_02_the_written_out_network_is_the_librarys(executed):
    text = nbtools.text_of(executed("02"))
    layers = len(models.minivggnet().layers)
    assert f"same layer configs as models.minivggnet(): True ({layers} layers compared)" in text
    assert "parameters: written out 2,171,178, models.minivggnet() 2,171,178" in text
    assert "block1_conv1 in this network is the object in the list block1: True" in text  # *block1 reuses the layers, weights included
    assert "total 2,171,178, trainable 2,169,770, non-trainable 1,408" in text
    assert "BN's moving means and variances: 1,408" in text


def test_02_the_seed_makes_the_build_repeatable(executed):
    text = nbtools.text_of(executed("02"))
    assert "built again from the same seed, all starting weights the same: True" in text
    assert "def minivggnet(" in text and 'conv_block(64, "block2")' in text  # the library's source, shown once
    assert "def conv_block(" in text and "def classifier_head(" in text  # with the two functions it calls


def test_02_sizes_receptive_fields_and_costs(executed):
    text = nbtools.text_of(executed("02"))
    for where, real in (("corner", 4), ("edge", 6), ("interior", 9)):  # each output's 3x3 window: real pixels, the rest padding
        assert f"{where:<8} output: {real} real pixels and {9 - real} padding zeros in its 9-pixel window" in text
    assert ("block1_conv2: 1,024 positions x 1,024 channel pairs x 9 = 9,437,184 multiply-adds\n"
            "block2_conv2: 256 positions x 4,096 channel pairs x 9 = 9,437,184 multiply-adds\nthe same work: True") in text
    assert ("2 stacked 3x3 convolutions see 5x5: 2 * 3 * 3 = 18 weights per channel pair; "
            "one 5x5 convolution: 5 * 5 = 25") in text  # the stack: fewer weights for the same window
    assert "same 5x5 view: 18 weights per channel pair instead of 25, fewer: True; and a ReLU between the two" in text  # the section's answer
    assert "3 stacked 3x3 convolutions see 7x7: 3 * 3 * 3 = 27 weights per channel pair; one 7x7 convolution: 7 * 7 = 49" in text
    assert ("32 channels throughout: two 3x3 convolutions 2 * 3 * 3 * 32 * 32 = 18,432 weights; "
            "one 5x5 convolution 5 * 5 * 32 * 32 = 25,600") in text  # whole layers, equal channel counts
    for name, field, step in (("block1_conv1", 3, 1), ("block1_pool", 6, 2), ("block2_conv1", 10, 2), ("block2_pool", 16, 4)):
        pixels = "pixel" if step == 1 else "pixels"  # the 1-D picture: a unit's window, then its neighbour's, one step along
        assert f"{name:<13} {'#' * field}   RF {field}\n{'':<13} {' ' * step}{'#' * field}   its neighbour, {step} {pixels} along" in text
    assert "the same as the RF column of models.layer_table: True" in text  # the rule applied by hand on the page
    assert "block2_conv1     RF 10  step 2" in text and "block2_pool      RF 16  step 4" in text
    assert "the last convolution (block2_conv2) sees 14x14 input pixels" in text
    assert "after the pooling (block2_pool) one unit sees 16x16: 50% of the image's width, 25% of its area" in text
    assert "head_fc holds 2,097,664 of 2,171,178 parameters (96.6%)" in text
    assert "multiply-adds per image: 26.6 M, 92.1% of them in the 4 convolutions" in text
    assert "after block 2: a grid of 8x8 positions with 64 channels" in text
    assert "flatten: (8, 8, 64) -> 4,096 numbers" in text
    assert "shapes: 32x32x3 -> 32x32x32 -> 16x16x32 -> 16x16x64 -> 8x8x64 -> 4096 -> 512 -> 10" in text
    assert "head_fc: a 4,096 x 512 kernel (2,097,152 weights) and 512 biases" in text


def test_02_counts_the_multiply_adds_by_hand(executed):
    text = nbtools.text_of(executed("02"))
    rows = models.layer_table(models.minivggnet())
    for row in rows:  # every convolution and dense layer, its formula and count printed on the page
        if row.kind in ("Conv2D", "Dense"):
            assert re.search(rf"^{row.name} +[\d *]+ = +{row.macs:,}$", text, flags=re.M), row.name
    assert "block1_conv2  32 * 32 * 3 * 3 * 32 * 32 =  9,437,184" in text  # H_out * W_out * k * k * C_in * C_out
    assert "head_fc       4096 * 512 =  2,097,152" in text  # in * out
    assert f"total: {sum(r.macs for r in rows):,} multiply-adds per image (26.6 M)" in text
    assert "same as the mult-adds column of models.layer_table: True" in text
    assert "the layers not counted output 226,826 values per image, 0.9% as many as the multiply-adds" in text


def summary_rows(plain, model_name):
    """(name, type, output shape without the batch, params) of each row of one model.summary() in the printed text."""
    table = plain.split(f'Model: "{model_name}"', 1)[1].split("Total params:", 1)[0]
    rows = re.findall(r"^│ (\S+) \((\w+)\) +│ \(None, ([\d, ]+)\) +│ +([\d,]+) │$", table, re.M)
    return [(name, kind, tuple(int(d) for d in shape.split(",")), int(params.replace(",", ""))) for name, kind, shape, params in rows]


def test_02_the_series_table_agrees_with_keras_summary(executed):
    """The page shows each table once; the agreement between the two kinds is checked here."""
    plain = re.sub(r"\x1b\[[\d;]*m", "", nbtools.text_of(executed("02")))
    assert plain.count('Model: "minivggnet"') == 1  # the whole network's summary appears once
    block1 = summary_rows(plain, "sequential")
    printed = re.findall(r"^(block1_\w+) +(\w+) +\(([\d, ]+)\) +([\d,]+) +[\d,]+ +\d+$", plain, re.M)[:len(block1)]
    assert len(block1) == 8 and block1 == [(n, k, tuple(int(d) for d in s.split(",")), int(p.replace(",", ""))) for n, k, s, p in printed]
    whole = summary_rows(plain, "minivggnet")
    rows = models.layer_table(models.minivggnet())
    assert whole == [(r.name, r.kind, tuple(r.output_shape), r.params) for r in rows]
    total, trainable, frozen = re.search(r"^total ([\d,]+), trainable ([\d,]+), non-trainable ([\d,]+)$", plain, re.M).groups()
    assert total == f"{sum(r.params for r in rows):,}"  # the counts the page adds up by hand are the summary's
    assert f"Total params: {total} " in plain and f"Trainable params: {trainable} " in plain and f"Non-trainable params: {frozen} " in plain
    assert "RF in input pixels (models.layer_table): block2_dropout 16, flatten 16, head_fc all, logits all" in plain


def test_02_counts_a_layers_parameters_by_hand(executed):
    text = nbtools.text_of(executed("02"))
    assert "3*3*3*32 + 32 = 896, the layer's count_params() = 896" in text  # weights plus one bias per filter
    plain = re.sub(r"\x1b\[[\d;]*m", "", text)  # model.summary() colours its text with terminal codes
    assert 'Model: "sequential"' in plain and "Total params: 10,400" in plain  # Keras' own summary of block 1 first
    assert ("block1_bn1 gamma (32,), trained: True\nblock1_bn1 beta (32,), trained: True\nblock1_bn1 moving_mean (32,), trained: False\n"
            "block1_bn1 moving_variance (32,), trained: False\nblock1_bn1: 128 parameters") in text
    block1 = plain.split('Model: "sequential"', 1)[1].split("block1_conv1: kernel", 1)[0]  # Keras' summary of block 1, and the line explaining it
    assert "Non-trainable params: 128 " in block1
    assert ("block 1's non-trainable parameters: 2 BN layers x 32 channels x 2 moving statistics = 128, "
            "equal to Keras' 'Non-trainable params' above (128): True") in text
    assert "block1_conv1: kernel (3, 3, 3, 32) (3 x 3 window x 3 input channels x 32 filters), bias (32,)" in text
    counts = re.search(r"^of the 16 channels drawn: (\d+) zero everywhere on this image \(channels: ([\d, ]+|none)\), "
                       r"(\d+) more zero on at least 95% of its pixels \(channels: ([\d, ]+|none)\)$", text, re.M).groups()
    for count, named in ((counts[0], counts[1]), (counts[2], counts[3])):  # each count matches the channels it names
        assert int(count) == (0 if named == "none" else len(named.split(", "))), counts
    check, zero, edge, inside = re.search(r"^away from the border equal to the network's maps: (True|False); mean gap, edge line to the next: "
                                          r"zero padding ([\d.]+), edge padding ([\d.]+); neighbouring lines inside ([\d.]+)$", text, re.M).groups()
    assert check == "True"  # the control changes only the border
    assert float(edge) < float(zero) and float(inside) < float(zero)  # the lines come from the zeros
    verdict = re.search(r"^zero padding's gap above the inside gap, edge padding's not above it: (True|False)$", text, re.M)[1]
    assert verdict == str(float(zero) > float(inside) >= float(edge)) == "True"  # the outcome the page says to expect
    named = re.search(r"^panels whose largest value lies on the border: channels ([\d, ]+|none)$", text, re.M)[1]
    assert named != "none"  # the prose says some panels' colour scale is set by the border
    channel, row, col, spots, colours, size, lost, verdict = re.search(
        r"^channel (\d+), largest value at row (\d+), column (\d+): its filter's (\d+) window positions x (\d+) colours = (\d+) weights "
        r"off the image sum to (-?[\d.]+), (.+)$", text, re.M).groups()
    assert int(spots) * int(colours) == int(size) and colours == "3"
    assert channel == named.split(", ")[0] and (int(row) in (0, 31) or int(col) in (0, 31))  # the first border-lit panel, on its border
    corner = int(row) in (0, 31) and int(col) in (0, 31)
    assert int(size) == (5 if corner else 3) * 3  # the window's row or column (both at a corner) off the image, x 3 colours
    assert verdict == ("negative: losing them raises the output" if float(lost) < 0 else "positive: losing them lowers the output")
    assert "probe.output.shape: (None, 32, 32, 32)" in text  # the inner model stops at block1_relu1
    assert "probe's block1_conv1 is the network's: True" in text  # shared, not copied


def test_02_the_untrained_prediction_is_near_uniform_as_the_page_says(executed):
    text = nbtools.text_of(executed("02"))
    low, high = map(float, re.search(r"^logits from (-?[\d.]+) to (-?[\d.]+)$", text, re.M).groups())
    ten = [float(v) for v in re.search(r"^logits: (.+)$", text, re.M)[1].split()]
    assert len(ten) == 10 and min(ten) == low and max(ten) == high  # all ten printed, and the range is theirs
    largest, smallest = map(float, re.search(r"^largest ([\d.]+), smallest ([\d.]+); uniform would be 0.100 each$", text, re.M).groups())
    assert high - low < 1  # "close to one another": within 1, so no probability is more than e times another
    assert "softmax by hand, np.exp(logits) / np.exp(logits).sum(), equals the network's probabilities: True" in text
    assert smallest <= 0.1 <= largest and largest - smallest < 0.1, (largest, smallest)
    ratio, spread, exp = map(float, re.search(r"^largest over smallest probability ([\d.]+); exp\(largest logit - smallest\) = "
                                             r"exp\(([\d.]+)\) = ([\d.]+)$", text, re.M).groups())
    assert abs(spread - (high - low)) < 0.0015 and abs(ratio - exp) < 0.0015 and abs(exp - math.exp(spread)) < 0.0015  # softmax: a ratio is exp of a gap
    image_rms = re.search(r"^image +RMS ([\d.]+)$", text, re.M)[1]
    rows = re.findall(r"^(\w+) +RMS ([\d.]+) +ratio to the line above ([\d.]+)$", text, re.M)
    block1 = ["block1_conv1", "block1_relu1", "block1_bn1", "block1_conv2", "block1_relu2", "block1_bn2"]
    assert [name for name, _, _ in rows] == block1 + ["block2_bn2", "head_bn", "logits"]  # one line per stage
    stages = {name: size for name, size, _ in rows}
    ratios = {name: ratio for name, _, ratio in rows}
    sizes = [float(image_rms)] + [float(v) for v in stages.values()]
    assert all(abs(float(r) - b / a) < 0.06 * b / a + 0.01 for r, a, b in zip(ratios.values(), sizes, sizes[1:]))  # each over the line above
    assert float(ratios["block1_bn1"]) == float(ratios["block1_bn2"]) == 1.0  # each BN layer alone keeps the size
    own = dict(re.findall(r"^(\w+) +output RMS / input RMS ([\d.]+)$", text, re.M))
    bn_line = re.search(r"^1 / sqrt\(1 \+ epsilon\) = ([\d.]+); every BN layer within 1% of 1: (True|False)$", text, re.M)
    assert list(own) == ["block1_bn1", "block1_bn2", "block2_bn1", "block2_bn2", "head_bn"] and bn_line[1] == f"{1 / math.sqrt(1.001):.4f}"
    assert all(abs(float(r) - float(bn_line[1])) < 2e-4 for r in own.values()) and bn_line[2] == "True"  # at inference BN only divides by sqrt(1 + eps)
    assert float(ratios["block1_conv1"]) < 1  # the first convolution shrinks, the case the next subsection explains
    assert "block1_conv1: fan_in 3 * 3 * 3 = 27, fan_out 3 * 3 * 32 = 288" in text  # window times input, times output channels
    assert re.search(r"^Glorot limit sqrt\(6 / \(27 \+ 288\)\) = 0\.138; its largest starting weight 0\.1[0-3]\d$", text, re.M)
    factor, first, pixels, ratio, both = re.search(r"^RMS factor sqrt\(fan_in \* limit\*\*2 / 3\) = ([\d.]+); measured here ([\d.]+) / "
                                                  r"([\d.]+) \(image\) = ([\d.]+); both below 1: (\w+)$", text, re.M).groups()
    assert factor == f"{(2 * 27 / (27 + 288)) ** 0.5:.3f}"  # 27 * limit**2 / 3 = 2 * fan_in / (fan_in + fan_out)
    assert pixels == image_rms and first == stages["block1_conv1"]  # the same measure as the stages' line
    assert abs(float(first) / float(pixels) - float(ratio)) < 0.01 and both == str(float(factor) < 1 and float(ratio) < 1)
    assert both == "True"  # the one-sentence summary starts from a shrinking first convolution
    assert abs(float(ratios["block1_conv1"]) - float(ratio)) < 0.01  # the first ratio is the one this subsection explains
    interior, above = re.search(r"^the same ratio away from the border, where no window holds padding: ([\d.]+); above the whole grid's: (True|False)$",
                                text, re.M).groups()
    assert above == str(float(interior) > float(ratio)) or abs(float(interior) - float(ratio)) < 0.001  # the verdict follows the numbers
    assert f"factor sqrt(2 * 27 / (27 + 288)) = {factor}, the same as sqrt(fan_in * limit**2 / 3): True; below 1 because fan_out is larger than fan_in: True" in text
    moved_from, moved_to, share, rest = re.search(r"^padding moves the ratio ([\d.]+) -> ([\d.]+), (-?\d+)% of the gap to the factor; "
                                                  r"the other (-?\d+)% is this draw of the weights$", text, re.M).groups()
    assert (moved_from, moved_to) == (ratio, interior) and abs(int(share) + int(rest) - 100) <= 1
    assert abs(int(share) / 100 - abs(float(interior) - float(ratio)) / abs(float(factor) - float(ratio))) < 0.02
    mean, sd, low_draw, high_draw, factor_again = re.search(r"^20 other draws: interior ratio mean ([\d.]+), sd ([\d.]+), from ([\d.]+) to ([\d.]+); "
                                                            r"the factor ([\d.]+)$", text, re.M).groups()
    assert factor_again == factor and float(low_draw) <= float(mean) <= float(high_draw) and float(sd) > 0
    near, own_draw, lower_than = re.search(r"^mean within one sd of the factor: (True|False); the network's draw, ([\d.]+), lower than (\d+) of the 20$",
                                           text, re.M).groups()
    assert near == str(abs(float(mean) - float(factor)) <= float(sd) + 0.001) and own_draw == interior and 0 <= int(lower_than) <= 20
    assert "sd: standard deviation, the typical distance of a draw from the mean" in text
    away, side = re.search(r"^the network's draw is ([\d.]+) sd (below|above) the other draws' mean$", text, re.M).groups()
    assert side == ("below" if float(own_draw) < float(mean) else "above")
    assert abs(float(away) - abs(float(mean) - float(own_draw)) / float(sd)) < 0.1  # from the rounded printed numbers
    trained, inferred = map(float, re.search(r"^block1_bn2 with training=True: RMS ([\d.]+) \(at inference ([\d.]+)\)$", text, re.M).groups())
    assert inferred == float(stages["block1_bn2"]) and trained > 0.5 > inferred  # training mode rescales towards std 1
    copy, own = map(float, re.search(r"^block1_bn2's moving mean, largest size: the copy's ([\d.]+), model's ([\d.]+)$", text, re.M).groups())
    assert copy > 0 and own == 0  # training mode moved the copy's statistics, not model's
    assert "momentum 0.99: the copy's moving mean = 0.99 * 0 (its start) + 0.01 * the image's mean: True" in text  # the moving average
    below = all(float(v) < float(image_rms) for v in stages.values())
    assert below and f"every stage's RMS smaller than the image's: {below}" in text  # the verdict follows the numbers
    scaled, low255, high255, top, top_class, bottom, times, scaled_top = re.search(
        r"^pixels 0\.\.255: logits 255 times as large: (True|False), from (-?[\d.]+) to (-?[\d.]+)\nsoftmax: largest ([\d.]+) "
        r"\((\w+)\), smallest ([\d.e-]+); ([\d.]+) times the scaled image's largest, ([\d.]+)$", text, re.M).groups()
    assert float(scaled_top) == largest and abs(float(times) - float(top) / largest) < 0.1
    assert float(times) > 3  # "a far larger probability": the page's reason to scale the pixels
    assert scaled == "True"  # zero biases, ReLU, pooling and BN at inference: the logits scale with the pixels
    assert abs(float(low255) - 255 * low) < 0.5 and abs(float(high255) - 255 * high) < 0.5  # 255 times the printed logits
    assert float(top) > largest and float(bottom) < smallest  # larger logits, a less even softmax
    p, loss = map(float, re.search(r"^cross-entropy on this image \(\w+\): -log\(([\d.]+)\) = ([\d.]+); with exactly 1/10: -np.log\(0.1\) = 2.303$", text, re.M).groups())
    assert smallest <= p <= largest and abs(loss - 2.303) < 0.1  # near 1/10, so near -log(0.1)
    inference, training, higher = re.search(r"^mean cross-entropy over the first 64 training images: at inference ([\d.]+), "
                                            r"in training mode \(the copy\) ([\d.]+); higher in training mode: (True|False)$", text, re.M).groups()
    assert abs(float(inference) - 2.303) < 0.1  # at inference the batch's loss is near -log(0.1) too
    assert higher == str(float(training) > float(inference))  # the verdict follows the two numbers
    assert higher == "True"  # the page explains why training mode costs more
    spread_inf, spread_tr, wider = re.search(r"^mean logit spread: at inference ([\d.]+), in training mode ([\d.]+); "
                                             r"wider in training mode: (True|False)$", text, re.M).groups()
    assert wider == str(float(spread_tr) > float(spread_inf)) == "True"  # the verdict follows the numbers, as the page explains
    spread_bn, wider_bn = re.search(r"^mean logit spread with BN alone in training mode \(dropout off\): ([\d.]+); wider than at inference: (True|False)$",
                                    text, re.M).groups()
    assert wider_bn == str(float(spread_bn) > float(spread_inf))  # BN's part, separated from dropout's
    top_inf, top_tr, right = re.search(r"^mean largest probability: at inference ([\d.]+), in training mode ([\d.]+); "
                                       r"training mode's top class right on (\d+) of 64 images$", text, re.M).groups()
    assert float(top_inf) < float(top_tr) and int(right) < 32  # confident guesses, mostly wrong


def test_02_leaves_shallownet_to_notebook_05():
    nb = nbformat.read(notebooks.notebook_paths(["02"])[0], as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "shallownet" not in code.lower(), "notebook 05 is where ShallowNet is first written out"


def test_02_dropout_demo_follows_the_rate(executed):
    text = nbtools.text_of(executed("02"))
    line = next(line for line in text.splitlines() if line.startswith("training=True:"))
    zeroed = float(line.split("%")[0].split()[-1]) / 100
    assert abs(zeroed - 0.25) < 0.02, line  # 10,000 draws: the share of zeros lies near the rate
    assert "the others set to 1.3333 (1 / (1 - 0.25) = 1.3333)" in line
    assert "training=False: 0.00% zeroed, output equal to the input: True" in text
    assert "no training= argument: output equal to the input: True" in text  # no flag: inference too


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
    assert "  gamma [1.] beta [0.] moving mean [0.] moving variance [1.] epsilon 0.001" in text  # the starting values the page names


def test_02_figures(executed):
    nb = executed("02")
    for name in ("02_feature_maps_untrained", "02_feature_maps_edge_padded"):  # the network's maps, then the edge-padded control
        assert (BUILD_DIR / "figures" / f"{name}.png").exists()
        cell = next(c for c in nb.cells if c.cell_type == "code" and f'"{name}"' in c.source)
        assert any("image/png" in o.get("data", {}) for o in cell.outputs)  # shown on the page, not only saved
    untrained_cell = next(c for c in nb.cells if c.cell_type == "code" and '"02_feature_maps_untrained"' in c.source)
    assert 'set_title(f"input: {CLASS_NAMES[y_train[0]]}"' in untrained_cell.source  # the input panel names its class
    assert "get_title" not in untrained_cell.source  # titles written once, not parsed and rewritten
    recap = next(c.source for c in nb.cells if c.cell_type == "markdown" and c.source.startswith("## The Keras calls used here"))
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    for call in re.findall(r"`([^`]+)`", recap):  # every call the recap lists is one the page makes
        for name in re.findall(r"[A-Za-z_][\w.]*", call.replace("*layers", "")):
            assert name.split(".")[-1] in code, (call, name)
    edge_cell = next(c for c in nb.cells if c.cell_type == "code" and '"02_feature_maps_edge_padded"' in c.source)
    assert "[shown, difference]" in edge_cell.source and "figsize=(8, " in edge_cell.source  # the network's maps and the change, small
    assert 'set_title(f"channel {channel}\\n{title}", fontsize=10)' in edge_cell.source  # both rows name their channel
    further = next(i for i, c in enumerate(nb.cells) if c.cell_type == "markdown" and c.source.startswith("## Going further (optional)"))
    recap_at = next(i for i, c in enumerate(nb.cells) if c.cell_type == "markdown" and c.source.startswith("## The Keras calls used here"))
    side_trips = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and ('mode="edge"' in c.source or "on_border" in c.source)]
    assert len(side_trips) == 2 and recap_at < further < min(side_trips)  # the main thread reads straight to the recap; the side trips after it
    plot_cells = [c for c in nb.cells if c.cell_type == "code" and "plot_model" in c.source]
    assert len(plot_cells) == 2  # block 1, then the head
    assert ("block 2 has block 1's layer classes in the same order: True; configs differ (names aside) in: "
            "block2_conv1 filters 32 -> 64; block2_conv2 filters 32 -> 64") in nbtools.text_of(nb)  # why block 2 is not drawn
    layers = len(models.minivggnet().layers)
    assert f"the whole network: {layers} layers, one box each; drawn below: block 1, 8 layers" in nbtools.text_of(nb)  # why it is drawn in parts
    if shutil.which("dot"):  # Graphviz installed: block 1 and the head drawn, saved and shown
        for name in ("02_block1_diagram", "02_head_diagram"):
            assert (BUILD_DIR / "figures" / f"{name}.png").exists()
        assert all(any("image/png" in o.get("data", {}) for o in cell.outputs) for cell in plot_cells)
    else:  # without it each cell prints Keras' line saying what to install, and goes on
        assert "You must install" in nbtools.text_of(nb)
        assert not any(o.get("output_type") == "error" for cell in plot_cells for o in cell.outputs)


def test_02_diagram_cells_say_what_to_install_without_graphviz(monkeypatch, capsys, tmp_path):
    import keras

    def missing(*args, **kwargs):  # what keras.utils.plot_model does outside IPython's magics without Graphviz
        raise ImportError("You must install graphviz for `plot_model` to work.")

    monkeypatch.setattr(keras.utils, "plot_model", missing)
    nb = nbformat.read(notebooks.notebook_paths(["02"])[0], as_version=4)
    cell = next(c for c in nb.cells if c.cell_type == "code" and "plot_model" in c.source)
    scope = {"keras": keras, "block1": [keras.layers.Dense(2)], "FIGURES": tmp_path, "model": keras.Sequential([keras.layers.Dense(2)])}
    exec(cell.source, scope)  # no error: the message is printed and nothing is drawn
    assert scope["diagram"] is None and "You must install graphviz" in capsys.readouterr().out
