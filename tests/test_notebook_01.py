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
    assert f"train {len(train_idx)}, validation {len(val_idx)}, overlap 0" in text
    assert f"validation per class: {np.bincount(y_train[val_idx], minlength=10).tolist()}" in text
    assert len(set(np.bincount(y_train[val_idx], minlength=10))) == 1  # stratified: the same share of every class


def test_01_statistics_are_those_of_the_training_split(executed, cifar_sample):
    text = text_of(executed("01"))
    (x_train, y_train), _ = cifar_sample
    train_idx, _ = data.split_indices(y_train, VAL_FRACTION, seed=SEED)
    mean, std = training.channel_stats(x_train[train_idx])
    assert f"computed on the {len(train_idx):,} training-split images" in text
    assert f"mean R, G, B: {np.round(mean, 2).tolist()}" in text
    assert f"std  R, G, B: {np.round(std, 2).tolist()}" in text
    # standardisation shown on the page: float32, each channel close to mean 0 and standard deviation 1
    part = ((x_train[train_idx][:1000] - mean) / std).astype("float32")
    assert "1,000 images standardised, stored as float32 (Keras's default: float32)" in text
    assert "mean R, G, B: " + ", ".join(f"{v:.3f}" for v in part.mean(axis=(0, 1, 2))) in text
    assert "std  R, G, B: " + ", ".join(f"{v:.3f}" for v in part.std(axis=(0, 1, 2))) in text
    assert np.all(np.abs(part.mean(axis=(0, 1, 2))) < 0.05) and np.all(np.abs(part.std(axis=(0, 1, 2)) - 1) < 0.05)  # "close to"


def test_01_ends_of_the_scale_shares_follow_the_counts(executed, cifar_sample):
    text = text_of(executed("01"))
    (x_train, y_train), _ = cifar_sample
    train_idx, _ = data.split_indices(y_train, VAL_FRACTION, seed=SEED)
    total = np.bincount(x_train[train_idx].ravel(), minlength=256)
    share = total / total.sum()
    ratio = {}
    for end, levels in ((0, np.arange(3, 8)), (255, np.arange(245, 250))):  # each end beside levels a few steps in
        ratio[end] = share[end] / share[levels].mean()
        assert (f"{end}: {share[end]:.3%} of all values, {ratio[end]:.1f} times the mean share of levels "
                f"{levels[0]}..{levels[-1]} ({share[levels].mean():.3%})\n") in text
    more, less = sorted(ratio, key=ratio.get, reverse=True)  # the verdict in words follows the ratios
    assert f"the end that piles up more: {more} ({ratio[more]:.1f} times its inner levels, against {ratio[less]:.1f} for {less})\n" in text
    assert ratio[255] > 1 and ratio[0] > 1  # both ends are raised above their inner levels, as the histogram shows
    top = int(np.argmax(share))
    assert top == 255  # the spike at 255 the prose and the histogram point to
    assert f"the most common value: {top}, {share.max() / np.sort(share)[-2]:.1f} times as common as the second most common\n" in text
    code = "\n".join(c.source for c in executed("01").cells if c.cell_type == "code")
    assert "WIDTH" not in code and "STRONG" not in code and "reach(" not in code  # no run-length statistic
    assert "beats in a row" not in text and "blue minus red" not in text and "median pair" not in text  # moved out of the main path
    assert "set_xlim(-4, 259)" in code  # the histogram's ends are off the frame lines


def test_01_class_means_and_look_alikes(executed, cifar_sample):
    text = text_of(executed("01"))
    (x_train, y_train), _ = cifar_sample
    class_means = np.stack([x_train[y_train == c].mean(0) for c in range(10)])
    layout = class_means.mean(-1).std(axis=(1, 2))
    printed = re.findall(r"^ *(\w+): brightness spread over the grid", text, re.M)
    assert printed == [data.CLASS_NAMES[c] for c in np.argsort(-layout)]  # most layout first, every class once
    order = [data.CLASS_NAMES[c] for c in np.argsort(-layout)]
    assert f"the largest spread ({order[0]}) is {layout.max() / layout.min():.1f} times the smallest ({order[-1]})" in text
    code = "\n".join(c.source for c in executed("01").cells if c.cell_type == "code")
    assert "LAYOUT" not in code and "flatter" not in text  # no hand-picked split of the spreads
    for c in range(10):
        assert f"{data.CLASS_NAMES[c]:>10}: brightness spread over the grid {layout[c]:4.1f}\n" in text
    assert "SKY" not in code  # no hand-typed label
    assert "closest pairs shown:" in text
    assert "darker = more alike" in code and "[1:, :9]" in code  # the heatmap has no empty row or column
    means = class_means.reshape(10, -1)
    distance = np.sqrt(((means[:, None] - means[None]) ** 2).mean(-1))
    ranked = sorted((distance[i, j], i, j) for i in range(10) for j in range(i + 1, 10))
    for a, b in (("automobile", "truck"), ("airplane", "ship")):  # where the pairs that share shapes rank
        i, j = data.CLASS_NAMES.index(a), data.CLASS_NAMES.index(b)
        rank = 1 + [(p, q) for _, p, q in ranked].index((i, j))
        assert f"{a} - {b}: distance {distance[i, j]:.1f}, rank {rank} of 45 pairs (1 = closest)" in text
    markdown = "\n".join(c.source for c in executed("01").cells if c.cell_type == "markdown")
    assert "What this means for the CNN" in markdown and "notebook 04" in markdown  # one takeaway for the network
    assert "top[:, 2] - top[:, 0]" in markdown and "smallest colour gap" in markdown  # the side measures are exercises
    assert "*CNN* (convolutional neural network)" in markdown and "has to learn shape" not in markdown  # defined, not overclaimed
    # the closest pairs' colour and layout gaps, beside the median over all pairs
    colour = class_means.mean(axis=(1, 2))
    pairs = [(i, j) for i in range(10) for j in range(i + 1, 10)]
    colour_gap = {p: np.abs(colour[p[0]] - colour[p[1]]).max() for p in pairs}
    layout_gap = {p: abs(layout[p[0]] - layout[p[1]]) for p in pairs}
    median_colour, median_layout = np.median(list(colour_gap.values())), np.median(list(layout_gap.values()))
    assert f"median over all 45 pairs: colour gap {median_colour:4.1f}, layout gap {median_layout:4.1f}\n" in text
    below = 0
    for _, i, j in ranked[:4]:
        a, b = data.CLASS_NAMES[i], data.CLASS_NAMES[j]
        assert f"{a:>10} - {b:<10} colour gap {colour_gap[i, j]:4.1f}, layout gap {layout_gap[i, j]:4.1f}\n" in text
        below += colour_gap[i, j] < median_colour and layout_gap[i, j] < median_layout
    assert f"closest pairs below both medians: {below} of 4\n" in text
    spans = re.search(r"each class's average spans (\d+) to (\d+) of the scale's 255 steps", text)
    assert spans and int(spans[2]) < 255  # only part of the scale: why each average is stretched for display
    assert 'set_title(f"Pixel values per channel ({len(x):,} training-split images' in code  # the histogram says what it counts
    assert "<Figure size 800x350 with 1 Axes>" in text  # the histogram, displayed
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
    class_means = np.stack([x_train[y_train == c].mean(0) for c in range(10)])
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
    agree = []
    for label in ours:
        block = re.search(rf"^{re.escape(label)}:\n    sample     (.*)\n    full data  (.*)\n    (.*) \(counts as (agreeing|differing)\)$", last, re.M)
        assert block, label
        if "R, G, B" in label:
            assert block[1] == ", ".join(f"{v:.1f}" for v in ours[label]) and block[2] == ", ".join(f"{v:.1f}" for v in theirs[label]), label
            gap = np.abs(np.subtract(ours[label], theirs[label]))
            assert block[3] == f"largest difference {gap.max():.1f} levels, {(gap / full_std).max():.3f} of a std", label
            agrees = (gap / full_std).max() < tolerance
        elif isinstance(ours[label], list):  # a ranking: places that agree from the top, then the overlap of the first `top`
            assert block[1] == ", ".join(ours[label]) and block[2] == ", ".join(theirs[label]), label
            k = 0
            while k < len(ours[label]) and ours[label][k] == theirs[label][k]:
                k += 1
            common = len(set(ours[label][:top]) & set(theirs[label][:top]))
            assert block[3] == f"first {k} of {len(ours[label])} places agree; in common among the first {top}: {common} of {top}", label
            agrees = common == top
        else:
            assert block[1] == str(ours[label]) and block[2] == str(theirs[label]), label
            agrees = ours[label] == theirs[label]
            assert block[3] == ("equal" if agrees else "not equal"), label
        assert block[4] == ("agreeing" if agrees else "differing"), label  # the verdict follows the numbers
        if agrees:
            agree.append(label)
    assert f"agree: {len(agree)} of {len(ours)} lines ({'; '.join(agree) or 'none'})" in last
