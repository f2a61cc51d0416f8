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


def test_01_ends_of_the_scale_verdicts_follow_the_printed_numbers(executed, cifar_sample):
    text = text_of(executed("01"))
    (x_train, y_train), _ = cifar_sample
    train_idx, _ = data.split_indices(y_train, VAL_FRACTION, seed=SEED)
    total = np.bincount(x_train[train_idx].ravel(), minlength=256)
    for v, near in ((0, total[3:7]), (255, total[240:247])):  # each end against the level stretch next to it
        ratio = total[v] / near.mean()
        wobble = np.max(np.abs(near / near.mean() - 1))
        assert wobble < 0.1  # the stretch runs about level, as the prose says (not on the rising slope)
        label = "strong pile-up" if ratio >= 2 else "mild pile-up" if ratio >= 1.2 else "no pile-up"  # the stated thresholds
        assert f"at {v}: {ratio:.2f}x the average of values" in text
        assert f"(which stay within {wobble:.0%} of it), {label}" in text
    assert "thresholds: STRONG = 2.0, MILD = 1.2" in text  # the thresholds the verdicts use, printed
    code = "\n".join(c.source for c in executed("01").cells if c.cell_type == "code")
    assert "NEAR = {0: np.arange(3, 7), 255: np.arange(240, 247)}" in code  # the stretches the test recomputes


def test_01_class_means_and_look_alikes(executed, cifar_sample):
    text = text_of(executed("01"))
    (x_train, y_train), _ = cifar_sample
    class_means = np.stack([x_train[y_train == c].mean(0) for c in range(10)])
    layout = class_means.mean(-1).std(axis=(1, 2))
    printed = re.findall(r"^ *(\w+): brightness spread over the grid", text, re.M)
    assert printed == [data.CLASS_NAMES[c] for c in np.argsort(-layout)]  # most layout first, every class once
    order = [data.CLASS_NAMES[c] for c in np.argsort(-layout)]
    kept = ", ".join(n for n in order if layout[data.CLASS_NAMES.index(n)] > 12) or "none"
    lost = ", ".join(n for n in order if layout[data.CLASS_NAMES.index(n)] <= 12) or "none"
    assert f"spread above 12, brightness varies strongly across the grid: {kept}" in text
    assert f"spread of 12 or less, a flatter average: {lost}" in text
    below, above = layout[layout <= 12], layout[layout > 12]
    if below.size and above.size:  # the threshold is shown sitting between the two nearest spreads
        lo, hi = data.CLASS_NAMES[int(np.argmax(np.where(layout <= 12, layout, -1)))], data.CLASS_NAMES[int(np.argmin(np.where(layout > 12, layout, np.inf)))]
        assert f"the threshold 12 sits between {lo} ({below.max():.1f}) and {hi} ({above.min():.1f})" in text
    top = class_means[:, :8].mean(axis=(1, 2))
    blue = top[:, 2] - top[:, 0]
    for c in range(10):
        assert f"{data.CLASS_NAMES[c]:>10}: brightness spread over the grid {layout[c]:4.1f}, top quarter blue minus red {blue[c]:+4.0f}" in text
    bluest = sorted(data.CLASS_NAMES[c] for c in np.argsort(-blue)[:2])
    sky = " (the classes photographed against sky or sea)" if set(bluest) == {"airplane", "ship"} else ""
    assert f"the two bluest top quarters: {', '.join(bluest)}{sky}\n" in text
    assert "closest pairs shown:" in text
    spans = re.search(r"each class's average spans (\d+) to (\d+) of the scale's 255 steps", text)
    assert spans and int(spans[2]) < 255  # only part of the scale: why each average is stretched for display
    code = "\n".join(c.source for c in executed("01").cells if c.cell_type == "code")
    assert 'set_title(f"Pixel values per channel ({len(x):,} training-split images' in code  # the histogram says what it counts
    assert "<Figure size 800x600 with 3 Axes>" in text
    assert code.count('ylabel="share of the channel\'s values"') == 1  # set on each enlarged panel, in the loop  # the histogram and its two enlarged ends, displayed
    for figure in ("01_examples_per_class", "01_pixel_histograms", "01_mean_images",
                   "01_class_mean_distance", "01_closest_pair_1", "01_closest_pair_2"):
        assert (BUILD_DIR / "figures" / f"{figure}.png").exists(), figure


def test_01_quick_run_prints_the_full_datas_numbers_beside_its_own(executed, cifar_sample):
    """The full run writes its key numbers to results/data_exploration.json; the quick copy's last cell prints
    them under its own, with the same verdicts, and marks "(same)" exactly where the two agree."""
    full = read_results("data_exploration")
    assert full is not None, "results/data_exploration.json is missing: run notebook 01 in the full profile"
    assert full["channels"]["images"] == read_results("minivggnet_improved_val")["data"]["split"]["train"]
    assert set(full["ends"]["ratios"]) == {"0", "255"}, "results/data_exploration.json predates the level stretches: rerun 01 on the full data"
    nb = executed("01")
    text = text_of(nb)
    assert "the same as training.channel_stats (to 1e-6): True" in text
    cell = next(c for c in nb.cells if c.source.startswith('if DATA == "full":'))  # the comparison, the last code cell
    last = text_of(nbformat.v4.new_notebook(cells=[cell]))
    train_idx, _ = data.split_indices(cifar_sample[0][1], VAL_FRACTION, seed=SEED)
    assert f"training-split images: sample {len(train_idx):,}, full data {full['channels']['images']:,}" in last
    order = sorted(full["layout"], key=full["layout"].get, reverse=True)
    pile_up = lambda r: "strong pile-up" if r >= 2 else "mild pile-up" if r >= 1.2 else "no pile-up"
    expected = {
        "mean R, G, B": np.round(full["channels"]["mean"], 1).tolist(),
        "std R, G, B": np.round(full["channels"]["std"], 1).tolist(),
        "darkest channel": ("red", "green", "blue")[int(np.argmin(full["channels"]["mean"]))],
        "at 0 and 255": ", ".join(f"{r:.2f}x" for r in full["ends"]["ratios"].values()),
        "verdicts at 0 and 255": ", ".join(pile_up(r) for r in full["ends"]["ratios"].values()),
        "from the largest to the smallest spread": ", ".join(order),
        "spread above 12": ", ".join(n for n in order if full["layout"][n] > 12) or "none",
        "two bluest top quarters": ", ".join(full["bluest"]),
        "closest pair": " - ".join(full["closest"][0][:2]),
        "four closest pairs": ", ".join(f"{a} - {b} {d:.1f}" for a, b, d in full["closest"]),
    }
    for label, theirs in expected.items():
        block = re.search(rf"^{re.escape(label)}:\n    sample     (.*)\n    full data  (.*)$", last, re.M)
        assert block, label
        same = block[2].endswith("   (same)")
        assert block[2].removesuffix("   (same)") == str(theirs), label
        assert same == (block[1] == str(theirs)), label  # "(same)" exactly where the sample agrees
