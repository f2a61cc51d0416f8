"""Notebook 01_data_exploration: executed in the quick profile, checked on what it printed and wrote."""

import re

import nbformat
import numpy as np

from helpers import data, training
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
    assert "LeCun" in markdown and "backprop is the usual way" in " ".join(markdown.split())  # why standardise, with its source, defined
    assert "to rounding, they hold over the whole" in markdown and "Exactly" not in markdown
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
    keras_gap = re.search(r"^as a keras.layers.Rescaling layer, largest difference from the numpy result: (\S+) \(float32 rounding\)$", text, re.M)
    code = "\n".join(c.source for c in executed("01").cells if c.cell_type == "code")
    assert code.index("numpy *broadcasts* (repeats) them") < code.index("keepdims=True")  # broadcasting explained at its first use
    assert keras_gap and float(keras_gap[1]) < 1e-4 and "keras.layers.Rescaling(scale=1 / std, offset=-mean / std)" in markdown
    # exactly 0 and 1 over the whole training split, the images the statistics come from
    whole = (x_train[train_idx] - mean) / std
    assert np.allclose(whole.mean(axis=(0, 1, 2)), 0, atol=1e-6) and np.allclose(whole.std(axis=(0, 1, 2)), 1, atol=1e-6)
    assert f"whole training split ({len(train_idx):,} images), mean 0 and std 1 to 1e-6: True\n" in text
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
    assert "set_xlim(-4, 259)" in code  # the histogram's ends are off the frame lines
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
    assert f"the 4 largest: {', '.join(order[:4])}; exactly the vehicle classes: {set(order[:4]) == vehicles}\n" in text
    code = "\n".join(c.source for c in executed("01").cells if c.cell_type == "code")
    markdown = "\n".join(c.source for c in executed("01").cells if c.cell_type == "markdown")
    assert "Where the last line prints True, the vehicles vary most" in markdown  # the finding, stated for either verdict
    assert "brightness spread" not in text and "spread" not in markdown[markdown.index("*layout variation*"):markdown.index("## Classes whose")]
    assert "CLASS_NAMES * 2" in code and "bottom: all on the same 0..255 scale" in code  # the averages also on a shared scale
    assert "LAYOUT" not in code and "flatter" not in text  # no hand-picked split of the spreads
    for c in range(10):
        assert f"{data.CLASS_NAMES[c]:>10}: layout variation {layout[c]:4.1f}\n" in text
    assert "SKY" not in code  # no hand-typed label
    assert "closest pairs shown:" in text
    assert "darker = more alike" in code and "[1:, :9]" in code and 'fmt=".2f"' in code  # no empty row or column; 2 decimals
    means = class_means.reshape(10, -1)
    distance = np.sqrt(((means[:, None] - means[None]) ** 2).mean(-1))
    ranked = sorted((distance[i, j], i, j) for i in range(10) for j in range(i + 1, 10))
    nearest = np.where(np.eye(10, dtype=bool), np.inf, distance).argmin(axis=1)  # each class's nearest other class
    for a, b, shared in (("automobile", "truck", "shape"), ("airplane", "ship", "background")):  # one verdict line per pair
        i, j = data.CLASS_NAMES.index(a), data.CLASS_NAMES.index(b)
        rank = 1 + [(p, q) for _, p, q in ranked].index((i, j))
        mutual = nearest[i] == j and nearest[j] == i  # the verdict: each other's nearest
        line = (f"{a}/{b} (a shared {shared}): rank {rank} of {len(ranked)} (1 = closest), distance {distance[i, j]:.2f}, "
                f"among the 4 closest: {rank <= 4}\n    {a}'s nearest: {data.CLASS_NAMES[nearest[i]]} ({distance[i, nearest[i]]:.2f}); "
                f"{b}'s nearest: {data.CLASS_NAMES[nearest[j]]} ({distance[j, nearest[j]]:.2f}); mutually nearest: {mutual}")
        assert line + "\n" in text
        assert mutual == (a == "airplane") and (mutual or distance[i, nearest[i]] < distance[i, j])  # as the prose reads the two lines: the shape pair is not each other's nearest
    assert "nearest class: " not in text and "frozenset" not in code  # the two pairs' verdict lines only
    assert "rank far down (a large rank number)" in " ".join(markdown.split()) and "rank low" not in markdown  # 1 = closest: no "low"
    assert "Whatever its verdict" not in markdown and "for any closeness" not in markdown  # the verdict is printed, not hedged
    assert "In the mean-image figure's bottom row, where the averages share one scale" in " ".join(markdown.split())
    assert "a likely reason why automobile's nearest class, printed, need not be truck" in " ".join(markdown.split())  # hedged
    assert "overall colour and brightness weigh more" not in markdown and "a flat average sits close to many classes" in " ".join(markdown.split())
    assert layout.argmax() == data.CLASS_NAMES.index("truck")  # "as for truck": the strongest layout, in this copy
    assert "a likely reason they come out mutually nearest" in " ".join(markdown.split()) and "closeness" not in markdown
    vehicles_read = markdown[markdown.index("Where the last line prints True"):markdown.index("## Classes whose")]
    assert "road" not in vehicles_read and "most likely the vehicle's underside" in " ".join(vehicles_read.split())  # the dark band, hedged
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
        assert line + ("  <- the farthest pair, the baseline" if len(shares) == 5 else "") + "\n" in text
        assert 0 < shares[-1] < 0.5  # "part" of the images, fewer than a coin toss
    assert (a, b) == ("airplane", "frog") and ranked[-1][0] == distance.max()  # the baseline is the largest distance
    above = sum(share > shares[-1] for share in shares[:4])
    assert f"close pairs with a share above the baseline's: {above} of 4\n" in text  # the verdict, counted
    assert f"farthest pair airplane/frog: {shares[-1]:.0%} misplaced (a coin toss would misplace 50%, a perfect rule 0%)\n" in text
    assert "the share printed on its line" not in markdown  # the conclusion is printed with its number
    assert "the last line counts them" not in markdown and '"close pairs with a share above the baseline\'s" counts' in " ".join(markdown.split())
    assert "averages of raw pixels are a weak classifier" in " ".join(markdown.split())  # the baseline's finding, stated
    assert "scatter" not in text and "times the distance" not in text  # no ratio that 3072 dimensions make large anyway
    n = np.isin(y_val, ranked[-1][1:]).sum()
    assert (f"(on the sample, a coin toss over {n} images gives a share typically within "
            f"{100 * np.sqrt(0.25 / n):.0f} percentage points of 50%, so these shares are rough)\n") in text  # quick copy only
    assert 'if DATA == "sample":' in code  # the caveat is not printed on the full data
    assert "Sharing a shape alone" not in markdown and "a guess here: exercise 5 measures it" in " ".join(markdown.split())
    assert "played no part in choosing the pairs" in " ".join(markdown.split()) and "every loaded training image" not in markdown
    # why centre on 0: a toy with two weights that must move apart, fewest steps with non-negative and centred inputs
    raw = np.random.default_rng(SEED).uniform(0, 1, size=(100, 2))
    fewest = {}
    for kind, inputs in (("non-negative", raw), ("centred", raw - raw.mean(0))):
        for step in 2.0 ** np.arange(-2, 7):
            w = np.zeros(2)
            for n in range(1, 1001):
                w = w - step * (inputs * (inputs @ (w - [1, -1]))[:, None]).mean(0)
                if np.abs(w - [1, -1]).max() < 0.01 or np.abs(w).max() > 1e6:
                    break
            if np.abs(w - [1, -1]).max() < 0.01 and n < fewest.get(kind, (np.inf,))[0]:
                fewest[kind] = (n, step)
        assert f"{kind} inputs: {fewest[kind][0]} steps at best (step size {fewest[kind][1]:g})\n" in text
    ratio = fewest["non-negative"][0] / fewest["centred"][0]
    assert ratio > 2 and f"centred inputs needed {ratio:.1f} times fewer steps\n" in text  # a clear gap, not a borderline one
    assert "TARGET, CLOSE = np.array([1.0, -1.0]), 0.01" in code and "STEP = 0.1" not in code  # the toy replaces the old demo
    assert "averages over a *batch*" in markdown and "adds up a" not in markdown and "**Why a spread of 1?**" in markdown
    assert "the last section" not in code + markdown and "*On the sample and on the full data*" in markdown
    assert all(phrase in " ".join(markdown.split()) for phrase in ("*the gradient of the loss with respect to the sum*", "a tendency that slows training, not a rule"))
    assert "moves all the weights of a sum the same way, up together or down together" in " ".join(markdown.split())
    assert "convolutional layer" not in markdown[:markdown.index("*CNN*")]  # defined where the CNN is
    assert " ".join(markdown.split()).index("to lower the *loss*") < " ".join(markdown.split()).index("−(step size)")  # vocabulary before use
    assert "∂loss" not in markdown and "(Keras calls the step size the *learning rate*.)" in markdown  # tied to Keras's name
    assert "zigzag" not in markdown and "should give the output x1 − x2" in markdown and "plt.show()" in code  # the toy's paths, drawn
    assert "largest std over smallest: " in text and "mostly the centring" in markdown and "share less." in markdown
    assert "ranked[-1]  # the farthest pair" in code and "{a}/{b}: {shares[-1]" not in code  # no loop variables after the loop
    assert "runs offline" not in markdown
    assert 'plots.pairs(x, y, CLASS_NAMES' in code and "training-split images)" in code  # figures from the same averages
    assert "`model.fit` is Keras's training call" in markdown and "error signal" not in markdown  # vocabulary before use
    assert markdown.index("*layers*") < markdown.index("*CNN*")  # layer defined where first used
    assert "label=" not in code[code.index("plots.channel_histograms"):code.index("counts = sum")]  # a 3-entry legend, one per channel
    assert "vertical lines: each channel's mean, in its colour and line style" in code  # the mean lines explained in the title
    assert "random training-split images of each class" in code and "len(fig.axes) // 2" in code  # the count per class, computed
    assert "*epoch* (one pass over all of them)" in " ".join(markdown.split()) and "keepdims=True keeps" in code and "turns it into a numpy array" in code
    assert "subplots_adjust" not in code and "fontsize" not in code and "set_fontsize" not in code  # no styling that does not teach
    for cell in executed("01").cells:  # each cell's printed lines come in one block (a flush may split a print in two pieces)
        where = [i for i, o in enumerate(cell.get("outputs", [])) if o.get("name") == "stdout"]
        assert not where or where == list(range(where[0], where[-1] + 1)), cell.source[:60]
    assert "below both medians" not in text  # no count that the definitions decide
    spans = re.search(r"each class's average spans (\d+) to (\d+) of the scale's 255 steps", text)
    assert spans and int(spans[2]) < 255  # only part of the scale: why each average is stretched for display
    assert 'set_title(f"Pixel values per channel ({len(x):,} training-split images' in code  # the histogram says what it counts
    assert "<Figure size 800x350 with 1 Axes>" in text  # the histogram, displayed
    assert '("red", "-"), ("green", "--"), ("blue", ":")' in code and "ax.lines[c].set_linestyle(style)" in code  # curves and means told apart by style
    assert "mesh.norm" not in code and "(optional)" not in markdown  # no colour fiddling; every section is on the main path
    assert "axvline(mean[c]" in code  # the channel means marked on the histogram
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
    assert all(phrase in nb.cells[checks + 1].source for phrase in ("data.split_indices", "training.channel_stats", "CHUNK"))
    assert "the variance is the mean of the squares minus the square of the mean" in markdown  # the identity, explained
    assert sum("data.split_indices(" in c.source or "training.channel_stats(" in c.source for c in nb.cells) == 1  # one checks cell
    assert "*differ* means the full data gives\nanother answer for that line" in markdown  # what a verdict means, worded for both copies
    assert "On the sample, *differ*" not in markdown
    cell = next(c for c in nb.cells if c.source.startswith('if DATA == "full":'))  # the comparison, the last code cell
    last = text_of(nbformat.v4.new_notebook(cells=[cell]))
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
        return {"mean R, G, B": list(mean), "std R, G, B": list(std), "darkest channel": ("red", "green", "blue")[int(np.argmin(mean))],
                "most common value": common, "largest to smallest layout variation": sorted(layout, key=layout.get, reverse=True),
                "four closest pairs": [f"{a} - {b}" for a, b in closest]}

    ours = lines(mean, std, int(np.argmax(total)), layout, [(a, b) for _, a, b in closest])
    theirs = lines(full["channels"]["mean"], full["channels"]["std"], full["most common"], full["layout"],
                   [(a, b) for a, b, _ in full["closest"]])
    for label in ours:
        block = re.search(rf"^{re.escape(label)}: ((?:top \d )?(?:agree|differ)) \(rule: (.*)\)\n    sample     (.*)\n    full data  (.*)$", last, re.M)
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
        prefix = f"top {top} " if isinstance(ours[label], list) and "R, G, B" not in label else ""
        assert block[1] == prefix + ("agree" if agrees else "differ"), label  # the verdict follows the numbers
