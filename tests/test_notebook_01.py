"""Notebook 01_data_exploration: executed in the quick profile, checked on what it printed and wrote."""

import inspect
import re

import nbformat
import numpy as np

from helpers import data, plots, training
from helpers.paths import BUILD_DIR, read_results
from lab import notebooks
from nbtools import text_of

VAL_FRACTION, SEED = 0.1, 42
"""The notebook's parameters (its `parameters` cell), which the quick profile leaves as they are."""


def test_01_is_written_for_the_student_not_for_the_tests():
    nb = nbformat.read(notebooks.notebook_paths(["01"])[0], as_version=4)
    assert not any("NBVAL" in cell.source for cell in nb.cells)
    parameters = next(c.source for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    assert f"SEED = {SEED}" in parameters and f"VAL_FRACTION = {VAL_FRACTION}" in parameters


def test_01_shapes_counts_and_the_split_on_the_page(executed, cifar_sample):
    text = text_of(executed("01"))
    (x_train, y_train), (x_test, y_test) = cifar_sample
    assert f"train: {x_train.shape} uint8" in text and f"test:  {x_test.shape} uint8" in text
    assert f"this run loaded {len(x_train):,} and {len(x_test):,}" in text
    assert f"train per class: {np.bincount(y_train).tolist()}" in text
    assert f"test per class:  {np.bincount(y_test).tolist()}" in text
    assert "balanced: True" in text
    # the split written out in numpy is the library's, index for index
    assert "same indices as data.split_indices: True" in text
    train_idx, val_idx = data.split_indices(y_train, VAL_FRACTION, seed=SEED)
    assert f"training split {len(train_idx)}, validation {len(val_idx)}, overlap 0" in text
    assert f"validation per class: {np.bincount(y_train[val_idx], minlength=10).tolist()}" in text
    assert len(set(np.bincount(y_train[val_idx], minlength=10))) == 1  # stratified: the same share of every class
    drawn = np.bincount(y_train[val_idx], minlength=10) / np.bincount(y_train, minlength=10)
    assert f"share of each class drawn: {drawn.min():.1%} to {drawn.max():.1%} (VAL_FRACTION = {VAL_FRACTION:.1%})" in text
    assert f"{drawn.min():.1%}" == f"{VAL_FRACTION:.1%}" == f"{drawn.max():.1%}"  # balanced classes: VAL_FRACTION of each
    assert f"take {x_train.nbytes / 1e6:.1f} MB as uint8, {x_train.size * 4 / 1e6:.1f} MB as float32" in text
    code = "\n".join(c.source for c in executed("01").cells if c.cell_type == "code")
    assert "round(VAL_FRACTION * len(members))" in code and "n_val" not in code  # each class's share, written directly
    assert 'if DATA == "full":' in code and "data.data_sha256(arrays) == spec.sha256" in code  # the sha256 check, printed on the full data
    assert "sha256 of the four arrays" not in text  # the sample has no official fingerprint to match


def test_01_statistics_are_those_of_the_training_split(executed, cifar_sample):
    text = text_of(executed("01"))
    (x_train, y_train), _ = cifar_sample
    train_idx, _ = data.split_indices(y_train, VAL_FRACTION, seed=SEED)
    mean, std = training.channel_stats(x_train[train_idx])
    assert f"computed on the {len(train_idx):,} training-split images" in text
    assert f"mean R, G, B: {np.round(mean, 2).tolist()}" in text
    assert f"std  R, G, B: {np.round(std, 2).tolist()}" in text
    x = x_train[train_idx]
    assert "float64 copy" not in text  # no memory side trip
    assert (f"divided by 255 instead (the original recipe): mean {np.round(np.divide(mean, 255), 3).tolist()} "
            f"std {np.round(np.divide(std, 255), 3).tolist()}\n") in text
    markdown = "\n".join(c.source for c in executed("01").cells if c.cell_type == "markdown")
    assert "LeCun, Bottou, Orr and Müller (*Efficient BackProp*, 1998) argue" in " ".join(markdown.split())  # why centre, as the source argues it
    assert "*update* (how much one training step changes it)" in " ".join(markdown.split())  # defined where the reason needs it
    assert "darkest channel" not in text  # nothing on the page reads it
    assert "give mean 0 and std 1 exactly, up to rounding" in " ".join(markdown.split()) and "mainly centres" not in markdown
    assert "non-negative" in markdown and "positive;" not in markdown  # 0 stays 0 after dividing by 255
    # standardisation shown on the page: float32, each channel close to mean 0 and standard deviation 1
    part = ((x_train[train_idx][:1000] - mean) / std).astype("float32")
    assert "1,000 images standardised, stored as float32 (Keras's default: float32)" in text
    part_mean, part_std = part.mean(axis=(0, 1, 2)), part.std(axis=(0, 1, 2))
    assert "mean R, G, B: " + ", ".join(f"{v:.4f}" for v in part_mean) in text
    assert "std  R, G, B: " + ", ".join(f"{v:.4f}" for v in part_std) in text
    gap = max(np.abs(part_mean).max(), np.abs(part_std - 1).max())
    assert f"largest gap from mean 0 or std 1 on the slice: {gap:.4f}\n" in text and 0 < gap  # "not exactly"
    # the same step as Keras's Rescaling layer, notebook 03's first layer
    keras_gap = re.search(r"^as a keras.layers.Rescaling layer, largest difference from the numpy result: (\S+); below 1e-5: (True|False)$", text, re.M)
    code = "\n".join(c.source for c in executed("01").cells if c.cell_type == "code")
    assert code.index("numpy *broadcasts* (repeats) them") < code.index("keepdims=True")  # broadcasting explained at its first use
    assert keras_gap and float(keras_gap[1]) < 1e-4 and keras_gap[2] == str(float(keras_gap[1]) < 1e-5) and "keras.layers.Rescaling(scale=1 / std, offset=-mean / std)" in markdown
    # exactly 0 and 1 over the whole training split, the images the statistics come from
    whole = (x_train[train_idx] - mean) / std
    assert np.allclose(whole.mean(axis=(0, 1, 2)), 0, atol=1e-6) and np.allclose(whole.std(axis=(0, 1, 2)), 1, atol=1e-6)
    assert "whole training split" not in text  # it would only repeat the algebra (a circular check)
    assert np.all(np.abs(part.mean(axis=(0, 1, 2))) < 0.05) and np.all(np.abs(part.std(axis=(0, 1, 2)) - 1) < 0.05)  # "close to"


def test_01_ends_of_the_scale_shares_follow_the_counts(executed, cifar_sample):
    text = text_of(executed("01"))
    (x_train, y_train), _ = cifar_sample
    train_idx, _ = data.split_indices(y_train, VAL_FRACTION, seed=SEED)
    x = x_train[train_idx]
    total = np.bincount(x.ravel(), minlength=256)
    share = total / total.sum()
    top = int(np.argmax(share))
    assert top == 255  # the spike at 255 the histogram shows
    assert (f"the most common value: {top} (the top of the scale: True), {share.max():.2%} of all values "
            f"(an even spread would give each level {1 / 256:.2%}), {share.max() / np.sort(share)[-2]:.1f} times as common as the second most common\n") in text
    code = "\n".join(c.source for c in executed("01").cells if c.cell_type == "code")
    markdown = "\n".join(c.source for c in executed("01").cells if c.cell_type == "markdown")
    assert "*clipping*" in markdown and "product photo's background" in markdown  # both sources of the values at 255
    assert "## Pure white pixels" not in markdown and "pure white:" not in text  # one line and one sentence, no section
    assert "Do the values at 0 and 255 matter?" not in markdown
    assert "WIDTH" not in code and "STRONG" not in code and "reach(" not in code  # no run-length statistic
    assert "beats in a row" not in text and "blue minus red" not in text and "median pair" not in text  # moved out of the main path
    assert "xlim=(-4, 259)" in inspect.getsource(plots.channel_histograms)  # the histogram's ends are off the frame lines
    assert "no large float copy" not in markdown and "library's copy, `training.channel_stats`" not in markdown


def test_01_class_means_and_look_alikes(executed, cifar_sample):
    text = text_of(executed("01"))
    (x_train, y_train), _ = cifar_sample
    train_idx, val_idx = data.split_indices(y_train, VAL_FRACTION, seed=SEED)
    x, y = x_train[train_idx], y_train[train_idx]
    class_means = np.stack([x[y == c].mean(0) for c in range(10)])  # one set of averages: the training split's
    layout = class_means.mean(-1).std(axis=(1, 2))
    printed = re.findall(r"^ *(\w+): layout variation", text, re.M)
    assert printed == [data.CLASS_NAMES[c] for c in np.argsort(-layout)]  # most layout first, every class once
    order = [data.CLASS_NAMES[c] for c in np.argsort(-layout)]
    assert f"the largest ({order[0]}) is {layout.max() / layout.min():.1f} times the smallest ({order[-1]})" in text
    vehicles = {"airplane", "automobile", "ship", "truck"}
    assert f"the 4 largest: {', '.join(order[:4])}\nso the vehicle classes vary most: {set(order[:4]) == vehicles}\n" in text
    code = "\n".join(c.source for c in executed("01").cells if c.cell_type == "code")
    markdown = "\n".join(c.source for c in executed("01").cells if c.cell_type == "markdown")
    assert "Vehicle photos tend to share a layout" in markdown and "Where the last line prints" not in markdown  # the verdict printed, the reason in prose
    assert "brightness spread" not in text and "spread" not in markdown[markdown.index("*layout variation*"):markdown.index("## Classes whose")]
    assert 'plots.mean_images([stretched, class_means / 255], CLASS_NAMES, row_labels=("stretched", "0..255 scale"))' in code  # the averages also on a shared scale, each row named
    assert "LAYOUT" not in code and "flatter" not in text  # no hand-picked split of the spreads
    for c in range(10):
        assert f"{data.CLASS_NAMES[c]:>10}: layout variation {layout[c]:4.1f}\n" in text
    assert "SKY" not in code  # no hand-typed label
    assert "closest pairs shown:" in text
    assert "row_names=CLASS_NAMES[1:]" in code and "set_yticklabels" not in code  # the row labels passed, not overwritten
    assert "darker = more alike" in code and "[1:, :9]" in code and 'fmt=".2f"' in code  # no empty row or column; 2 decimals
    means = class_means.reshape(10, -1)
    distance = np.sqrt(((means[:, None] - means[None]) ** 2).mean(-1))
    ranked = sorted((distance[i, j], i, j) for i in range(10) for j in range(i + 1, 10))
    nearest = np.where(np.eye(10, dtype=bool), np.inf, distance).argmin(axis=1)  # each class's nearest other class
    i, j = data.CLASS_NAMES.index("airplane"), data.CLASS_NAMES.index("ship")  # the background pair, the one pair checked
    rank = 1 + [(p, q) for _, p, q in ranked].index((i, j))
    mutual = nearest[i] == j and nearest[j] == i  # the verdict: each other's nearest
    assert (f"airplane/ship: rank {rank} of {len(ranked)} (1 = closest), distance {distance[i, j]:.2f}, among the 4 closest: {rank <= 4}\n"
            f"airplane's nearest: {data.CLASS_NAMES[nearest[i]]}; ship's nearest: {data.CLASS_NAMES[nearest[j]]}; mutually nearest: {mutual}\n") in text
    assert "automobile/truck" not in text and "share a *shape*" not in markdown  # no set-up left without its lesson
    assert "nearest class: " not in text and "frozenset" not in code  # the two pairs' verdict lines only
    assert "need not be among the closest overall to be mutually nearest" in " ".join(markdown.split())  # holds for any printed rank
    assert "rank far down" not in markdown and "rank low" not in markdown and "adds up differences" not in markdown
    assert "Whatever its verdict" not in markdown and "for any closeness" not in markdown  # the verdict is printed, not hedged
    assert "need not be truck" not in markdown  # no layout argument resting on a near-tie
    assert "The blue of sky or sea in both averages (lower rows) may pull them together" in " ".join(markdown.split()) and "closeness" not in markdown and "Where it prints" not in markdown
    assert "colour exaggerated: see the lower rows" in " ".join(markdown.split()) and "figure's 0..255 rows" in " ".join(markdown.split())  # colour read from the true scale
    assert "within one class's row and column" in " ".join(markdown.split()) and "the most-common-value line agrees when equal" in markdown
    vehicles_read = markdown[markdown.index("Vehicle photos tend to share"):markdown.index("## Classes whose")]
    assert "road" not in vehicles_read and "sky all round" not in vehicles_read and "most likely the vehicle's underside" in " ".join(vehicles_read.split())  # the dark band, hedged
    assert "What this means for the CNN" in markdown and "notebook 04" in markdown.lower()  # one takeaway for the network
    assert "top[:, 2] - top[:, 0]" in markdown  # the side measure is an exercise
    assert "Colour or layout" not in markdown and "colour_part" not in code + markdown  # no colour/layout decomposition
    assert "coarse layout and colour, not fine shapes" in " ".join(markdown.split())  # what a class average keeps, as the figure shows
    assert "*CNN* (convolutional neural network)" in markdown and "has to learn shape" not in markdown  # defined, not overclaimed
    assert "could not tell" not in markdown and "cannot rely on" not in markdown  # only what the printed shares show
    assert "the averages miss" not in text
    # single images against the averages, held out: averages of the training split, measured on the validation images
    x_val, y_val = x_train[val_idx], y_train[val_idx]
    shares = []
    for _, i, j in ranked[:4] + ranked[-1:]:  # the four closest pairs, then the farthest: the baseline
        a, b = data.CLASS_NAMES[i], data.CLASS_NAMES[j]
        d = distance[i, j]  # one distance per pair: the ranking's
        pair = np.isin(y_val, [i, j])
        to_i, to_j = (np.sqrt(((x_val[pair].astype(np.float32) - class_means[k]) ** 2).mean(axis=(1, 2, 3))) for k in (i, j))
        shares.append(((to_i < to_j) != (y_val[pair] == i)).mean())
        line = f"{a:>10} - {b:<10} distance {d:5.2f}; of {pair.sum():,} validation images, nearer the other average: {shares[-1]:.0%}"
        assert line + "\n" in text
        assert 0 < shares[-1] < 0.5  # "part" of the images, fewer than a coin toss
    assert (a, b) == ("airplane", "frog") and ranked[-1][0] == distance.max()  # the baseline is the largest distance
    close, far = shares[:4], shares[-1]
    assert (f"the closest pairs: {min(close):.0%} to {max(close):.0%} misplaced, the farthest pair {far:.0%}; "
            f"every close pair more often: True\n") in text and min(close) > far  # the finding the prose states
    assert "each of the closest pairs is misplaced more often than the farthest pair" in " ".join(markdown.split()) and "So closer averages" not in markdown and "coin toss (50%)" in " ".join(markdown.split())
    assert "band" not in markdown[markdown.index("**Averages against"):markdown.index("## Checks")] and "sqrt(0.5" not in code  # no coin-toss statistics
    assert "chooses between the pair's two averages only" in " ".join(markdown.split())  # a two-way choice
    assert "the share printed on its line" not in markdown  # the conclusion is printed with its number
    assert "averages of raw pixels are a weak classifier" in " ".join(markdown.split())  # the baseline's finding, stated
    assert "scatter" not in text and "times the distance" not in text  # no ratio that 3072 dimensions make large anyway
    assert 'if DATA == "sample":' not in code and "(on the sample, a coin toss" not in text
    assert "# misplaced: a class-i image nearer j's average" in code  # the key line, explained
    assert "Sharing a shape alone" not in markdown and "exercise 5 measures how blue their tops are" in " ".join(markdown.split())
    assert "played no part in choosing the pairs" in " ".join(markdown.split()) and "every loaded training image" not in markdown
    assert "A *nearest-class-mean classifier* puts an image in the class whose average is nearest" in " ".join(markdown.split())  # the rule, named
    assert "lines.append" not in code and "lines[-1]" not in code  # one plain print per pair
    assert "TARGET, CLOSE" not in code and "step sizes:" not in text and "a first read may skip" not in markdown  # no toy
    assert "**Why a spread of 1?** The same paper's rule for the starting weights assumes inputs of spread 1" in " ".join(markdown.split())
    assert "learning rate" not in markdown and "*improved*" not in markdown  # no unused word; no claim notebook 03 has to make
    assert "the last section" not in code + markdown and "*On the sample and on the full data*" in markdown
    assert "all of a sum's updates share a sign" in " ".join(markdown.split()) and "training zig-zags" in " ".join(markdown.split())
    assert "convolutional layer" not in markdown[:markdown.index("*CNN*")]  # defined where the CNN is
    assert "*loss*" not in markdown and "*error term* (how far" in " ".join(markdown.split())  # no unused word; the one the argument needs, defined
    assert "so it is a tendency, not a rule" in " ".join(markdown.split()) and "spread (standard deviation)" in " ".join(markdown.split())
    assert "mostly the centring" not in markdown and "share less." in markdown
    channel_std = np.array(training.channel_stats(x)[1])  # by how much standardising scales up the divided-by-255 spreads
    assert f"standardising multiplies those stds by {255 / channel_std.max():.1f} to {255 / channel_std.min():.1f}, depending on the channel\n" in text
    assert channel_std.max() / channel_std.min() < 1.2  # "already close" after dividing by 255, so "a similar factor"
    assert "ranked[-1]]:  # the four closest pairs, then the farthest" in code and "{a}/{b}: {shares[-1]" not in code  # no loop variables after the loop
    assert "runs offline" not in markdown
    assert 'plots.pairs(x, y, CLASS_NAMES' in code and "training-split images)" in code  # figures from the same averages
    assert "`model.fit`, Keras's training call, as `validation_data=(testX, testY)`" in " ".join(markdown.split()) and "error signal" not in markdown  # vocabulary before use
    assert markdown.index("*layers*") < markdown.index("*CNN*")  # layer defined where first used
    assert "label=" not in code[code.index("plots.channel_histograms"):code.index("counts = sum")]  # a 3-entry legend, one per channel
    assert "vertical lines: each channel's mean, in its colour and line style" in code  # the mean lines explained in the title
    assert "random training-split images of each class" in code and "len(fig.axes) // 2" in code  # the count per class, computed
    assert "*epoch* (one pass over the training arrays)" in " ".join(markdown.split()) and "keepdims=True keeps" in code and "turns it into a numpy array" in code
    assert "subplots_adjust" not in code and "fontsize" not in code and "set_fontsize" not in code  # no styling that does not teach
    for cell in executed("01").cells:  # each cell's printed lines come in one block (a flush may split a print in two pieces)
        where = [i for i, o in enumerate(cell.get("outputs", [])) if o.get("name") == "stdout"]
        assert not where or where == list(range(where[0], where[-1] + 1)), cell.source[:60]
    assert "below both medians" not in text  # no count that the definitions decide
    spans = re.search(r"each class's average spans (\d+) to (\d+) of the scale's 255 steps", text)
    assert spans and int(spans[2]) < 255  # only part of the scale: why each average is stretched for display
    assert 'plots.channel_histograms(x, means=mean, title=f"Pixel values per channel ({SOURCE}: {len(x):,} training-split images' in code  # which data, how many
    assert "<Figure size 800x350 with 1 Axes>" in text  # the histogram, displayed
    histogram = plots.channel_histograms(x_train[:50], means=[1, 2, 3]).axes[0]
    assert [line.get_linestyle() for line in histogram.lines] == ["-", "-", "--", "--", ":", ":"]  # each curve and its mean line share a style
    assert [line.get_xdata()[0] for line in histogram.lines[1::2]] == [1, 2, 3]  # the mean lines, at the means
    assert "set_linestyle" not in code and "ax.lines" not in code  # no restyling on the page
    assert histogram.get_ylim()[0] == 0 and "on a vertical axis that starts at 0%" in " ".join(markdown.split())
    heatmap = plots.heatmap(np.ones((2, 2)), ["a", "b"], "", row_names=["c", "d"]).axes[0]
    assert [t.get_text() for t in heatmap.get_yticklabels()] == ["c", "d"] and [t.get_text() for t in heatmap.get_xticklabels()] == ["a", "b"]
    assert "mesh.norm" not in code and "(optional)" not in markdown  # no colour fiddling; every section is on the main path
    assert "means=mean" in code  # the channel means marked on the histogram
    for figure in ("01_examples_per_class", "01_pixel_histograms", "01_mean_images",
                   "01_class_mean_distance", "01_closest_pair_1", "01_closest_pair_2"):
        assert (BUILD_DIR / "figures" / f"{figure}.png").exists(), figure


def test_01_quick_run_compares_with_the_full_data_in_one_section(executed, cifar_sample):
    """The full run writes what it found to results/data_exploration.json; the quick copy's last code cell prints
    each line of both and how far they agree (a tolerance for numbers, places from the top for rankings).
    The lesson cells print no comparison."""
    full = read_results("data_exploration")
    assert full is not None, "results/data_exploration.json is missing: run notebook 01 in the full profile"
    assert full["channels"]["images"] == read_results("minivggnet_improved_val")["data"]["split"]["train"]
    assert full.get("most common") == 255 and "ends" not in full, "results/data_exploration.json is stale: rerun 01 on the full data"
    nb = executed("01")
    text = text_of(nb)
    assert "the same as training.channel_stats (to 1e-6): True" in text
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    checks = next(i for i, c in enumerate(nb.cells) if c.source.startswith("## Checks for the series (skip on first read)"))
    assert any(c.source.startswith("## On the sample and on the full data (skip on first read)") for c in nb.cells)
    assert all(phrase in nb.cells[checks + 1].source for phrase in ("data.split_indices", "training.channel_stats"))
    assert "whole = " not in nb.cells[checks + 1].source  # no float copy of the whole split
    imports = [i for i, c in enumerate(nb.cells) if "import keras" in c.source]
    assert len(imports) == 1 and "import numpy as np" in nb.cells[imports[0]].source  # keras imported with the rest
    assert "CHUNK" not in nb.cells[checks + 1].source and "float copy stays small" not in markdown  # no chunking for a reason that does not hold
    assert sum("data.split_indices(" in c.source or "training.channel_stats(" in c.source for c in nb.cells) == 1  # one checks cell
    assert "*differ* means the full data gives another answer for that line" in " ".join(markdown.split())  # what a verdict means, worded for both copies
    assert "On the sample, *differ*" not in markdown
    cell = next(c for c in nb.cells if c.source.startswith('if DATA == "full":'))  # the comparison, the last code cell
    last = text_of(nbformat.v4.new_notebook(cells=[cell]))
    lesson = [c.source for c in nb.cells if c.cell_type == "code" and "found" in c.source]
    assert len(lesson) == 2 and "found = {" in lesson[0] and "TOP = " in lesson[0]  # the bookkeeping sits in the comparison section only
    assert "(the same)" not in text and "(not the same as here)" not in text  # the lesson cells compare nothing
    tolerance = float(re.search(r"^TOLERANCE = ([\d.]+)", "\n".join(c.source for c in nb.cells), re.M)[1])
    top = int(re.search(r"^TOP = (\d+)", "\n".join(c.source for c in nb.cells), re.M)[1])
    assert 1 < top <= 4  # a ranking is judged on a few entries at its top, at most the four closest pairs
    assert 0 < tolerance <= 0.1  # a gap of at most a tenth of a std can count as agreeing
    (x_train, y_train), _ = cifar_sample
    train_idx, _ = data.split_indices(y_train, VAL_FRACTION, seed=SEED)
    x = x_train[train_idx]
    assert f"training-split images: sample {len(train_idx):,}, full data {full['channels']['images']:,}" in last
    total = np.bincount(x.ravel(), minlength=256)
    class_means = np.stack([x[y_train[train_idx] == c].mean(0) for c in range(10)])  # the training split's averages
    layout = dict(zip(data.CLASS_NAMES, class_means.mean(-1).std(axis=(1, 2)).tolist()))
    means = class_means.reshape(10, -1)
    distance = np.sqrt(((means[:, None] - means[None]) ** 2).mean(-1))
    closest = sorted((distance[i, j], data.CLASS_NAMES[i], data.CLASS_NAMES[j]) for i in range(10) for j in range(i + 1, 10))[:4]
    mean, std = training.channel_stats(x)
    full_std = np.array(full["channels"]["std"])

    def lines(mean, std, common, layout, closest):
        return {"mean R, G, B": list(mean), "std R, G, B": list(std), "most common value": common, "largest to smallest layout variation": sorted(layout, key=layout.get, reverse=True),
                "four closest pairs": [f"{a} - {b}" for a, b in closest]}

    ours = lines(mean, std, int(np.argmax(total)), layout, [(a, b) for _, a, b in closest])
    theirs = lines(full["channels"]["mean"], full["channels"]["std"], full["most common"], full["layout"],
                   [(a, b) for a, b, _ in full["closest"]])
    for label in ours:
        block = re.search(rf"^{re.escape(label)}: ((?:agree|differ)(?:, \d of \d shared)?) \(rule: (.*)\)\n    sample     (.*)\n    full data  (.*)$", last, re.M)
        assert block, label
        if "R, G, B" in label:
            assert block[2] == f"every gap below {tolerance:.0%} of its channel's std", label  # the rule, printed
            assert [block[3], block[4]] == [", ".join(map(str, np.round(v, 1).tolist())) for v in (ours[label], theirs[label])], label
            agrees = (np.abs(np.subtract(ours[label], theirs[label])) / full_std).max() < tolerance
        elif isinstance(ours[label], list):  # a ranking: the first `top` entries, in any order
            assert block[2] == f"the same first {top}, in any order", label
            assert block[3] == ", ".join(ours[label]) and block[4] == ", ".join(theirs[label]), label
            agrees = set(ours[label][:top]) == set(theirs[label][:top])
        else:
            assert block[2] == "equal", label
            assert block[3] == str(ours[label]) and block[4] == str(theirs[label]), label
            agrees = ours[label] == theirs[label]
        shared = f", {len(set(ours[label][:top]) & set(theirs[label][:top]))} of {top} shared" if isinstance(ours[label], list) and "R, G, B" not in label else ""
        assert block[1] == ("agree" if agrees else "differ") + shared, label  # the verdict follows the numbers, with the overlap of a ranking's top
    assert "top 4" not in last  # no label that repeats the rule
