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
    ratios = {0: total[0] / total[3:7].mean(), 255: total[255] / total[249:253].mean()}
    assert f"0: {ratios[0]:.2f}x" in text and f"255: {ratios[255]:.2f}x" in text
    printed = re.search(r"the larger pile-up is at (\d+): ([\d.]+)x, against ([\d.]+)x at (\d+)", text)
    assert printed and float(printed[2]) >= float(printed[3])  # the verdict names the end with the larger printed ratio
    assert {printed[1], printed[4]} == {"0", "255"} and float(printed[2]) == round(ratios[int(printed[1])], 2)
    for v in (0, 255):  # each end labelled by the thresholds the cell states (2 and 1.2)
        label = "strong pile-up" if ratios[v] >= 2 else "mild pile-up" if ratios[v] >= 1.2 else "no pile-up"
        assert f"at {v}: {ratios[v]:.2f}x, {label}" in text
    # "too few to move the channel statistics much": a small share, and a small change when left out
    share = float(re.search(r"values at 0 or 255: ([\d.]+)% of all", text)[1]) / 100
    change = float(re.search(r"the largest change: ([\d.]+)% of the channel's standard deviation", text)[1]) / 100
    assert share < 0.05 and change < 0.05, (share, change)
    values = x_train[train_idx].reshape(-1, 3)
    kept_mean = [values[(values[:, c] > 0) & (values[:, c] < 255), c].mean() for c in range(3)]
    printed_mean = re.search(r"without them: mean R, G, B \[([^]]+)\]", text)[1]
    assert np.allclose([float(v) for v in printed_mean.split(",")], kept_mean, atol=0.006)  # the counts' arithmetic, checked directly


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
    assert f"spread above 12, a layout kept: {kept}" in text and f"spread of 12 or less, little layout left: {lost}" in text
    assert "the two bluest top quarters (blue minus red):" in text
    assert "closest pairs shown:" in text
    spans = re.search(r"each class's average spans (\d+) to (\d+) of the scale's 255 steps", text)
    assert spans and int(spans[2]) < 255  # only part of the scale: why each average is stretched for display
    code = "\n".join(c.source for c in executed("01").cells if c.cell_type == "code")
    assert 'set_title(f"Pixel values per channel ({len(x):,} training-split images' in code  # the histogram says what it counts
    for figure in ("01_examples_per_class", "01_pixel_histograms", "01_mean_images",
                   "01_class_mean_distance", "01_closest_pair_1", "01_closest_pair_2"):
        assert (BUILD_DIR / "figures" / f"{figure}.png").exists(), figure


def test_01_quick_run_prints_the_full_datas_numbers_beside_its_own(executed):
    """The full run writes its key numbers to results/data_exploration.json; the quick copy prints them."""
    full = read_results("data_exploration")
    assert full is not None, "results/data_exploration.json is missing: run notebook 01 in the full profile"
    assert full["channels"]["images"] == read_results("minivggnet_improved_val")["data"]["split"]["train"]
    text = text_of(executed("01"))
    assert "the same as training.channel_stats (to 1e-6): True" in text
    assert f"full data ({full['channels']['images']:,} images): mean R, G, B {np.round(full['channels']['mean'], 2).tolist()}" in text
    assert "full data: " + ", ".join(f"{v}: {r:.2f}x" for v, r in full["ends"]["ratios"].items()) in text
    assert f"the larger pile-up at {max(('0', '255'), key=full['ends']['ratios'].get)}" in text
    assert f"full data: values at 0 or 255 {full['ends']['share_at_an_end']:.2%} of all" in text
    order = sorted(full["layout"], key=full["layout"].get, reverse=True)
    assert "full data, from the most to the least layout: " + ", ".join(order) in text
    assert "full data, the two bluest top quarters: " + ", ".join(full["bluest"]) in text
    assert "full data's four closest: " + ", ".join(f"{a} - {b} {d:.1f}" for a, b, d in full["closest"]) in text
