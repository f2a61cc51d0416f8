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


def test_01_statistics_are_those_of_the_training_split(executed, cifar_sample):
    text = text_of(executed("01"))
    (x_train, y_train), _ = cifar_sample
    train_idx, _ = data.split_indices(y_train, VAL_FRACTION, seed=SEED)
    mean, std = training.channel_stats(x_train[train_idx])
    assert f"computed on the {len(train_idx):,} training-split images" in text
    assert f"mean R, G, B: {np.round(mean, 2).tolist()}" in text
    assert f"std  R, G, B: {np.round(std, 2).tolist()}" in text
    x = x_train[train_idx]
    assert f"numpy's std worked on a float64 copy of {x.size * 8 / 1e6:,.1f} MB (the images: {x.nbytes / 1e6:,.1f} MB as uint8)" in text
    assert (f"divided by 255 instead (the original recipe): mean {np.round(np.divide(mean, 255), 3).tolist()} "
            f"std {np.round(np.divide(std, 255), 3).tolist()}\n") in text
    assert "LeCun" in "\n".join(c.source for c in executed("01").cells if c.cell_type == "markdown")  # why standardise, with its source
    # standardisation shown on the page: float32, each channel close to mean 0 and standard deviation 1
    part = ((x_train[train_idx][:1000] - mean) / std).astype("float32")
    assert "1,000 images standardised, stored as float32 (Keras's default: float32)" in text
    part_mean, part_std = part.mean(axis=(0, 1, 2)), part.std(axis=(0, 1, 2))
    assert "mean R, G, B: " + ", ".join(f"{v:.4f}" for v in part_mean) in text
    assert "std  R, G, B: " + ", ".join(f"{v:.4f}" for v in part_std) in text
    gap = max(np.abs(part_mean).max(), np.abs(part_std - 1).max())
    assert f"largest gap from mean 0 or std 1 on the slice: {gap:.4f}\n" in text and 0 < gap  # "not exactly"
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
    levels = np.arange(245, 250)  # levels a few steps below 255
    ratio = share[255] / share[levels].mean()
    assert (f"255: {share[255]:.3%} of all values, {ratio:.1f} times the mean share of levels "
            f"{levels[0]}..{levels[-1]} ({share[levels].mean():.3%})\n") in text
    assert ratio > 1  # 255 is raised above its inner levels, as the histogram shows
    assert not re.search(r"^0: .* of all values", text, re.M)  # the 0 end is trimmed
    top = int(np.argmax(share))
    assert top == 255  # the spike at 255 the histogram shows
    assert f"the most common value: {top}, {share.max() / np.sort(share)[-2]:.1f} times as common as the second most common\n" in text
    # white areas, not only clipping: the images at least a tenth pure white hold part of the values at 255
    white = (x.min(-1) == 255).mean(axis=(1, 2))
    at_255 = (x == 255).sum(axis=(1, 2, 3))
    held = at_255[white >= 0.1].sum() / at_255.sum()
    assert f"images at least a tenth pure white: {np.sum(white >= 0.1):,} of {len(x):,}, holding {held:.0%} of all values at 255\n" in text
    assert 0 < held < 1  # both sources put values at 255
    assert "leaving 0 and 255 out" not in text and "no recipe in this series" not in text  # trimmed to the finding
    code = "\n".join(c.source for c in executed("01").cells if c.cell_type == "code")
    markdown = "\n".join(c.source for c in executed("01").cells if c.cell_type == "markdown")
    assert "PILE_UP" not in code and "piles up" not in text and "raised:" not in text  # no threshold flags
    assert "clipping" in markdown and "white background" in markdown  # both sources of the values at 255
    assert "Do the values at 0 and 255 matter?" not in markdown  # printed in the section, no longer an exercise
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
    printed = re.findall(r"^ *(\w+): brightness spread over the grid", text, re.M)
    assert printed == [data.CLASS_NAMES[c] for c in np.argsort(-layout)]  # most layout first, every class once
    order = [data.CLASS_NAMES[c] for c in np.argsort(-layout)]
    assert f"the largest spread ({order[0]}) is {layout.max() / layout.min():.1f} times the smallest ({order[-1]})" in text
    code = "\n".join(c.source for c in executed("01").cells if c.cell_type == "code")
    markdown = "\n".join(c.source for c in executed("01").cells if c.cell_type == "markdown")
    assert "CLASS_NAMES * 2" in code and "bottom: all on the same 0..255 scale" in code  # the averages also on a shared scale
    assert "LAYOUT" not in code and "flatter" not in text  # no hand-picked split of the spreads
    for c in range(10):
        assert f"{data.CLASS_NAMES[c]:>10}: brightness spread over the grid {layout[c]:4.1f}\n" in text
    assert "SKY" not in code  # no hand-typed label
    assert "closest pairs shown:" in text
    assert "darker = more alike" in code and "[1:, :9]" in code  # the heatmap has no empty row or column
    means = class_means.reshape(10, -1)
    distance = np.sqrt(((means[:, None] - means[None]) ** 2).mean(-1))
    ranked = sorted((distance[i, j], i, j) for i in range(10) for j in range(i + 1, 10))
    shape_ranks = {}
    for a, b in (("automobile", "truck"), ("airplane", "ship")):  # where the pairs that share shapes rank
        i, j = data.CLASS_NAMES.index(a), data.CLASS_NAMES.index(b)
        shape_ranks[f"{a}/{b}"] = rank = 1 + [(p, q) for _, p, q in ranked].index((i, j))
        assert f"{a} - {b}: distance {distance[i, j]:.1f}, rank {rank} of 45 pairs (1 = closest)" in text
    nearest = np.where(np.eye(10, dtype=bool), np.inf, distance).argmin(axis=1)  # each class's nearest other class
    assert "nearest class: " + ", ".join(f"{name} -> {data.CLASS_NAMES[n]}" for name, n in zip(data.CLASS_NAMES, nearest)) + "\n" in text
    mutual = [f"{data.CLASS_NAMES[c]}/{data.CLASS_NAMES[n]}" for c, n in enumerate(nearest) if c < n and nearest[n] == c]
    rank_of = {frozenset((p, q)): r for r, (_, p, q) in enumerate(ranked, start=1)}
    assert mutual and "each other's nearest: " + ", ".join(
        f"{pair} (rank {rank_of[frozenset(data.CLASS_NAMES.index(n) for n in pair.split('/'))]})" for pair in mutual) + "\n" in text
    assert "far down" not in markdown
    assert "What this means for the CNN" in markdown and "notebook 04" in markdown  # one takeaway for the network
    assert "top[:, 2] - top[:, 0]" in markdown  # the side measure is an exercise
    assert "Colour or layout" not in markdown and "colour_part" not in code + markdown  # no colour/layout decomposition
    assert "coarse layout and colour, not fine shapes" in markdown  # what a class average keeps, as the figure shows
    assert "*CNN* (convolutional neural network)" in markdown and "has to learn shape" not in markdown  # defined, not overclaimed
    assert "could not tell" not in markdown and "cannot rely on" not in markdown  # only what the printed shares show
    among = [pair for pair, rank in shape_ranks.items() if rank <= 4]  # the verdict on the pairs that share shapes
    assert f"among the 4 closest pairs: {', '.join(among) or 'neither'}\n" in text  # no verdict beyond the ranks
    assert "the averages miss" not in text
    # single images against the averages, held out: averages of the training split, measured on the validation images
    x_val, y_val = x_train[val_idx], y_train[val_idx]
    scatter = np.array([np.sqrt(((x_val[y_val == c] - class_means[c]) ** 2).mean(axis=(1, 2, 3))).mean() for c in range(10)])
    for _, i, j in ranked[:4]:
        a, b = data.CLASS_NAMES[i], data.CLASS_NAMES[j]
        d = distance[i, j]  # one distance per pair: the ranking's
        pair = np.isin(y_val, [i, j])
        to_i, to_j = (np.sqrt(((x_val[pair].astype(np.float32) - class_means[k]) ** 2).mean(axis=(1, 2, 3))) for k in (i, j))
        wrong = ((to_i < to_j) != (y_val[pair] == i)).mean()
        assert (f"{a:>10} - {b:<10} distance {d:4.1f}, scatter {scatter[[i, j]].mean():4.1f} "
                f"({scatter[[i, j]].mean() / d:.1f} times the distance); "
                f"of {pair.sum():,} validation images, nearer the other average: {wrong:.0%}\n") in text
        assert 0 < wrong < 0.5 and scatter[[i, j]].mean() > d  # "part" of the images, and images scatter beyond the distance
    n = np.isin(y_val, ranked[3][1:]).sum()
    assert (f"(on the sample, a coin toss over {n} images gives a share typically within "
            f"{100 * np.sqrt(0.25 / n):.0f} percentage points of 50%, so these shares are rough)\n") in text  # quick copy only
    assert 'if DATA == "sample":' in code  # the caveat is not printed on the full data
    for a, b in (("automobile", "truck"), ("airplane", "ship")):  # the shape-sharing classes' nearest, read in the prose
        i, j = data.CLASS_NAMES.index(a), data.CLASS_NAMES.index(b)
        assert f"{a}'s nearest: {data.CLASS_NAMES[nearest[i]]}; {b}'s nearest: {data.CLASS_NAMES[nearest[j]]}\n" in text
    assert "Sharing a shape alone" not in markdown and "a guess here: exercise 5 measures it" in markdown
    assert "played\nno part in choosing the pairs" in markdown and "every loaded training image" not in markdown
    assert "gradient of +1 (the loss grows\nas the sum grows), both weights go down; with −1, both go up" in markdown  # the sign
    assert markdown.index("The *loss* (the error)") < markdown.index("−(learning rate) × its input × the *gradient*")
    assert "## Pure white pixels" in markdown and "runs offline" not in markdown
    assert 'plots.pairs(x, y, CLASS_NAMES' in code and "training-split images)" in code  # figures from the same averages
    assert "`model.fit` is Keras's training call" in markdown and "error signal" not in markdown  # vocabulary before use
    assert markdown.index("*layers*") < markdown.index("*CNN*")  # layer defined where first used
    assert 'label=f"{color} mean"' in code and "vertical lines: each channel's mean" in code  # the mean lines in the legend
    assert '"0..255 as is"' in code and 'ax.set_title("")' in code  # the mean images' rows labelled, names once
    for cell in executed("01").cells:  # each cell's printed lines come in one block
        assert sum(o.get("name") == "stdout" for o in cell.get("outputs", [])) <= 1, cell.source[:60]
    assert "below both medians" not in text  # no count that the definitions decide
    spans = re.search(r"each class's average spans (\d+) to (\d+) of the scale's 255 steps", text)
    assert spans and int(spans[2]) < 255  # only part of the scale: why each average is stretched for display
    assert 'set_title(f"Pixel values per channel ({len(x):,} training-split images' in code  # the histogram says what it counts
    assert "<Figure size 800x350 with 1 Axes>" in text  # the histogram, displayed
    assert '("red", "--"), ("green", ":"), ("blue", "-.")' in code  # the three mean lines are told apart by their dashes
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
                "most common value": common, "largest to smallest spread": sorted(layout, key=layout.get, reverse=True),
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
