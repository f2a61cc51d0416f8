"""Notebook 01_data_exploration: executed in the quick profile, checked on what it printed and wrote."""

import inspect
import re

import nbformat
import numpy as np

from helpers import data, environment, training
from helpers.paths import BUILD_DIR, read_results
from lab import notebooks
from nbtools import text_of

VAL_FRACTION, SEED = 0.1, 42
"""The notebook's parameters (its `parameters` cell), which the quick profile leaves as they are."""


def _sources(nb, kind):
    return "\n".join(c.source for c in nb.cells if c.cell_type == kind)


def _prose(nb):
    return " ".join(_sources(nb, "markdown").split())


def _cell(nb, start):
    return next(c.source for c in nb.cells if c.cell_type == "code" and c.source.startswith(start))


def test_01_is_written_for_the_student_not_for_the_tests():
    nb = nbformat.read(notebooks.notebook_paths(["01"])[0], as_version=4)
    assert not any("NBVAL" in cell.source for cell in nb.cells)
    parameters = next(c.source for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    assert f"SEED = {SEED}" in parameters and f"VAL_FRACTION = {VAL_FRACTION}" in parameters
    assert "## Checks for the series" not in _sources(nb, "markdown") and "## On the sample and on the full data" not in _sources(nb, "markdown")


def test_01_the_split_and_the_statistics_on_the_page_are_the_librarys(cifar_sample):
    """The page writes the split and the channel statistics out in numpy; later notebooks call data.split_indices and
    training.channel_stats. Run the page's own cells on the sample: both must give the library's result."""
    nb = nbformat.read(notebooks.notebook_paths(["01"])[0], as_version=4)
    (x_train, y_train), _ = cifar_sample
    scope = {"np": np, "data": data, "x_train": x_train, "y_train": y_train, "SEED": SEED, "VAL_FRACTION": VAL_FRACTION, "print": lambda *a, **k: None}
    exec(_cell(nb, "rng = np.random.default_rng(SEED)"), scope)
    exec(_cell(nb, "x = x_train[train_idx]"), scope)
    assert np.array_equal(scope["y"], y_train[data.split_indices(y_train, VAL_FRACTION, seed=SEED)[0]])  # y beside x
    train_idx, val_idx = data.split_indices(y_train, VAL_FRACTION, seed=SEED)
    assert np.array_equal(scope["train_idx"], train_idx) and np.array_equal(scope["val_idx"], val_idx)
    mean, std = training.channel_stats(x_train[train_idx])
    assert np.allclose(scope["mean"], mean, rtol=0, atol=1e-6) and np.allclose(scope["std"], std, rtol=0, atol=1e-6)
    assert "data.split_indices" in _prose(nb)  # the library function notebook 03 names


def test_01_shapes_counts_and_the_split_on_the_page(executed, cifar_sample):
    nb = executed("01")
    text = text_of(nb)
    (x_train, y_train), (x_test, y_test) = cifar_sample
    assert f"train: {x_train.shape} uint8" in text and f"test:  {x_test.shape} uint8" in text
    assert f"labels {y_train.shape} uint8" in text and "the labels are `uint8` integers 0..9" in _prose(nb)
    # what the page says data.load and environment.check do underneath
    arrays = " ".join(next(c.source for c in nb.cells if c.source.startswith("## What the arrays hold")).split())
    assert "`data.load` gives the same arrays, with the labels flattened from (N, 1) to (N,)" in arrays and "quick profile: a small sample" not in arrays
    # the order it looks in, as _load_full does: $CIFAR10_PATH, then data/cifar10.npz, then the Keras download
    assert ("the path in the environment variable `CIFAR10_PATH`, else `data/cifar10.npz`) and downloads with that Keras call only when "
            "there is none") in arrays and data.CIFAR10.env_var == "CIFAR10_PATH" and str(data.CIFAR10.local_file).endswith("data/cifar10.npz")
    source = inspect.getsource(data._load_full)
    assert source.index("spec.env_var") < source.index("spec.local_file") < source.index("_download(")
    assert 'With `DATA = "sample"` it loads the small sample committed in `data/`' in arrays and "load_sample(" in inspect.getsource(data.load)
    assert "# the Keras call, or the sample" in _cell(nb, "(x_train, y_train), (x_test, y_test) = data.load(")
    assert "This notebook trains nothing (notebook 02 starts the model)" in nb.cells[0].source
    assert "`x_train[i, row, col]`" in arrays and "`x[i, row, col]`" not in arrays  # x is defined only later
    assert ".load_data()" in inspect.getsource(data._download)
    assert "data.get_spec" not in _sources(nb, "code")  # no unexplained library object on the page
    setup = _cell(nb, "# Set-up (no lesson here): versions, seeds, where the figures go\nenvironment.check(SEED, DATA)  # prints versions, seeds")
    assert len(setup.splitlines()) <= 4 and "keras.utils.set_random_seed" in setup and "keras.utils.set_random_seed(seed)" in inspect.getsource(environment.check)
    assert "environment.quiet_tensorflow()" in _cell(nb, "# Set-up (no lesson here): the imports\n")  # both set-up cells say so on their first line
    assert "quick profile" not in _prose(nb).lower() and "quick copy" not in _prose(nb).lower()  # the prose holds in either profile
    assert f"train per class: {np.bincount(y_train).tolist()}" in text
    assert f"test per class:  {np.bincount(y_test).tolist()}" in text
    assert "balanced: True" in text
    train_idx, val_idx = data.split_indices(y_train, VAL_FRACTION, seed=SEED)
    assert f"training split {len(train_idx)}, validation {len(val_idx)}, overlap 0" in text
    assert f"validation per class: {np.bincount(y_train[val_idx], minlength=10).tolist()}" in text
    assert len(set(np.bincount(y_train[val_idx], minlength=10))) == 1  # stratified: the same share of every class
    assert "data.split_indices draws the same: True\n" in text  # "later notebooks draw this same split", shown
    assert "# it returns (train_idx, val_idx)" in _cell(nb, "rng = np.random.default_rng(SEED)")
    code = _sources(nb, "code")
    assert "round(VAL_FRACTION * len(members))" in code  # each class's share, written directly
    prose = _prose(nb)  # what validation is for, then how it is drawn, then the original project as an aside
    assert "validates on the test set itself (`validation_data=(testX, testY)`" in prose
    assert prose.index("A *validation set* is kept out of training") < prose.index("* *stratified*: every class") < prose.index(
        "* *seeded*: a random generator") < prose.index("> *Aside.* The original project validates on the test set")
    assert "Adrian Rosebrock's book" in nb.cells[0].source  # the book named where MiniVGGNet is introduced
    assert "cluttered or plain backgrounds" in _prose(nb)  # the grid shows both


def test_01_statistics_why_they_help_and_standardisation(executed, cifar_sample):
    nb = executed("01")
    text, prose, code = text_of(nb), _prose(nb), _sources(nb, "code")
    (x_train, y_train), _ = cifar_sample
    train_idx, _ = data.split_indices(y_train, VAL_FRACTION, seed=SEED)
    x = x_train[train_idx]
    mean, std = np.array(training.channel_stats(x)[0]), np.array(training.channel_stats(x)[1])
    assert f"computed on the {len(train_idx):,} training-split images" in text
    assert f"mean R, G, B: {np.round(mean, 2).tolist()}" in text
    assert f"std  R, G, B: {np.round(std, 2).tolist()}" in text
    assert (f"divided by 255 instead, as the original project does: mean {np.round(mean / 255, 3).tolist()} "
            f"std {np.round(std / 255, 3).tolist()}\n") in text
    # why centre on 0, in a few plain sentences (no error terms, no demo unit) and one computed check
    assert "**Why centre on 0?**" in prose and "LeCun and colleagues (*Efficient BackProp*, 1998)" in prose
    assert "recipe" not in prose and "The series *standardises* them instead" in prose and "notebook 03 can also" not in prose  # not defined here
    assert "*error term*" not in prose and "*dense* unit" not in prose and "error = " not in code
    assert "and check the standardised values" in nb.cells[0].source and "see what it changes" not in nb.cells[0].source
    # standardisation on the page: float32, each channel close to (not exactly) mean 0 and std 1
    part = ((x[:1000] - mean) / std).astype("float32")
    part_mean, part_std = part.mean(axis=(0, 1, 2)), part.std(axis=(0, 1, 2))
    assert "1,000 images standardised, stored as float32\n" in text
    assert "mean R, G, B: " + ", ".join(f"{v:.4f}" for v in part_mean) + "\n" in text
    assert "std  R, G, B: " + ", ".join(f"{v:.4f}" for v in part_std) + "\n" in text
    assert 0 < max(np.abs(part_mean).max(), np.abs(part_std - 1).max()) < 0.05  # "close to ..., not exactly"
    assert f"range: {part.min():.2f}..{part.max():.2f}\n" in text
    assert part.min() < -1 and part.max() > 1  # "standardised values take both signs"
    assert "**Why centre on 0?** Divided by 255, no input is negative" in prose
    gap = re.search(r"^keras.layers.Rescaling gives float32 \(1000, 32, 32, 3\); against numpy, largest difference: (\S+); "
                    r"below 1e-5: (True|False)$", text, re.M)
    assert gap and float(gap[1]) < 1e-4 and gap[2] == str(float(gap[1]) < 1e-5)
    assert "keras.layers.Rescaling(scale=1 / std, offset=-mean / std)" in prose
    norm = re.search(r"^keras.layers.Normalization: against numpy, largest difference: (\S+); below 1e-5: True$", text, re.M)
    assert norm and float(norm[1]) < 1e-5, "Keras's Normalization layer, given the same statistics, standardises alike"
    assert "`(x - mean) / std` is `x * (1 / std) + (-mean / std)`" in prose  # the algebra behind scale and offset
    layer_cell = _cell(nb, "as_layer = keras.layers.Rescaling(")  # the layer in its own small cell
    assert len(layer_cell.splitlines()) <= 5 and "standardised = " not in layer_cell
    assert code.index("numpy *broadcasts* (repeats) mean and std") < code.index("keepdims=True")  # broadcasting explained at its first use


def test_01_histogram_in_plain_matplotlib(executed, cifar_sample):
    nb = executed("01")
    text, prose, code = text_of(nb), _prose(nb), _sources(nb, "code")
    (x_train, y_train), _ = cifar_sample
    train_idx, _ = data.split_indices(y_train, VAL_FRACTION, seed=SEED)
    assert int(np.argmax(np.bincount(x_train[train_idx].ravel(), minlength=256))) == 255  # "the spike at 255"
    assert "The spike at 255" in prose and "*clipping*" in prose
    histogram = _cell(nb, "fig, ax = plt.subplots(figsize=(8, 3.5))")
    assert "np.bincount(x[..., c].ravel(), minlength=256)" in histogram and "ax.axvline(mean[c]" in histogram
    assert "ylim=(0, None)" in histogram  # a small bump is no tower
    sources = [c.source for c in nb.cells]  # the raw values are drawn before they are standardised
    assert sources.index(histogram) < next(i for i, c in enumerate(sources) if "standardised = ((part - mean) / std)" in c)
    assert "seaborn" not in code and "sns." not in code
    assert "<Figure size 800x350 with 1 Axes>" in text


def test_01_class_means_and_look_alikes(executed, cifar_sample):
    nb = executed("01")
    text, prose, code = text_of(nb), _prose(nb), _sources(nb, "code")
    (x_train, y_train), _ = cifar_sample
    train_idx, val_idx = data.split_indices(y_train, VAL_FRACTION, seed=SEED)
    x, y = x_train[train_idx], y_train[train_idx]
    class_means = np.stack([x[y == c].mean(0) for c in range(10)])  # the training split's averages
    spans = class_means.max(axis=(1, 2, 3)) - class_means.min(axis=(1, 2, 3))
    assert spans.max() < 255  # only part of the scale: stretching each average changes what the figure shows
    assert "The figure *stretches* each average: its darkest value becomes 0 and its brightest 1" in prose
    assert "Automobile, truck and ship photos tend to agree on a layout within their class" in prose and "most likely the vehicle's underside" in prose
    assert "`class_means.mean(-1).std(axis=(1, 2))`" in prose  # the measure behind it, an exercise
    layout = class_means.mean(-1).std(axis=(1, 2))  # that measure, on the sample: the vehicles share a layout most
    assert {data.CLASS_NAMES[c] for c in np.argsort(-layout)[:4]} == {"airplane", "automobile", "ship", "truck"}
    flat_means = class_means.reshape(10, -1)
    distance = np.sqrt(((flat_means[:, None] - flat_means[None]) ** 2).mean(-1))
    ranked = sorted((distance[i, j], i, j) for i in range(10) for j in range(i + 1, 10))
    for d, i, j in ranked[:4]:
        assert f"{data.CLASS_NAMES[i]:>10} - {data.CLASS_NAMES[j]:<10} {d:5.2f}\n" in text
    assert text.index(f"{data.CLASS_NAMES[ranked[3][2]]:<10} {ranked[3][0]:5.2f}\n(on the sample, {len(x) // 10} images a class: a noisy ranking; "
                      "the full data's is printed by the bookkeeping cell below)\n") < text.index("the full data: four closest pairs")
    full = read_results("data_exploration")  # the full run's numbers, which the quick run prints beside the sample's
    reading = "the squares pairing two of the six animals (bird, cat, deer, dog, frog, horse) are mostly darker"
    assert reading in prose
    where = next(k for k, c in enumerate(nb.cells) if " ".join(reading.split()) in " ".join(c.source.split()))
    assert nb.cells[where - 1].source.startswith("each_pair = ")  # read right after the heatmap, not before it
    animals = [data.CLASS_NAMES.index(n) for n in ("bird", "cat", "deer", "dog", "frog", "horse")]
    assert tuple(data.CIFAR10.groups["animal"]) == ("bird", "cat", "deer", "dog", "frog", "horse")  # the six the page names
    others = [c for c in range(10) if c not in animals]
    within = [distance[i, j] for i in animals for j in animals if i < j]
    across = [distance[i, j] for i in animals for j in others]  # an animal against a vehicle
    assert np.mean(np.array(within) < min(across)) > 0.5  # "mostly darker", on the sample too (the full data: 13 of 15)
    assert (f"median distance: {np.median(within):.1f} between two animals, {np.median(across):.1f} between an animal "
            "and a vehicle\n") in text and np.median(within) < np.median(across)  # the number behind "mostly darker"
    assert "plots.pairs" not in code and "\nmeans = " not in code  # no image strip; flat_means is not confused with mean
    heatmap = _cell(nb, "each_pair = np.where(np.triu(np.ones((10, 10), dtype=bool)), np.nan, distance)")
    assert "ax.imshow(each_pair" in heatmap and "darker = more alike" in heatmap
    assert len(heatmap.splitlines()) <= 16 and 'ax.text(j, i - 1, f"{distance[i, j]:.1f}"' in heatmap  # plain matplotlib, each value written
    assert "for _, i, j in ranked[:4]:" in heatmap and "plt.Rectangle(" in heatmap, "the four closest pairs, outlined"
    # the nearest-class-mean classifier on the held-out images: the four closest pairs, then the farthest
    x_val, y_val = x_train[val_idx], y_train[val_idx]
    shares = []
    for d, i, j in ranked[:4] + ranked[-1:]:
        pair = np.isin(y_val, [i, j])
        to_i, to_j = (np.sqrt(((x_val[pair] - class_means[k]) ** 2).mean(axis=(1, 2, 3))) for k in (i, j))
        shares.append(((to_i < to_j) != (y_val[pair] == i)).mean())
        assert (y_val[pair] == i).sum() == (y_val[pair] == j).sum()  # "equally many validation images": 50% is a coin toss
        assert (f"{data.CLASS_NAMES[i]:>10} - {data.CLASS_NAMES[j]:<10} distance {d:5.2f}: {shares[-1]:.0%} of {pair.sum():,} "
                f"in the wrong class, ± {100 / pair.sum() ** 0.5:.0f} points\n") in text
        assert 0 < shares[-1] < 0.5  # between a perfect rule and a coin toss
    assert shares[-1] > 0.1  # "Even the farthest pair's share is well above 0%"
    # each share's margin, from its count of images (a 95% interval, at most about 100/sqrt(n) points); a close pair is
    # clearly above the farthest when their ranges (share +- margin) do not overlap
    margin = 100 / pair.sum() ** 0.5
    assert 1.96 * 50 / pair.sum() ** 0.5 <= margin
    clear = [f"{data.CLASS_NAMES[i]} - {data.CLASS_NAMES[j]}" for (_, i, j), share in zip(ranked, shares[:4])
             if 100 * (share - shares[4]) > 2 * margin]
    assert (f"close pairs whose range lies wholly above the farthest pair's: {len(clear)} of 4 ({', '.join(clear) or 'none'})\n"
            in text)
    assert "told apart" not in prose and "√2" not in prose, "one plain rule: ranges that do not overlap"
    for v in (i for i, name in enumerate(data.CLASS_NAMES) if name in data.CIFAR10.groups["vehicle"]):  # each vehicle's nearest average
        nearest = min((j for j in range(10) if j != v), key=lambda j: distance[v, j])
        kind = "an animal" if data.CLASS_NAMES[nearest] in data.CIFAR10.groups["animal"] else "a vehicle"
        assert f"{data.CLASS_NAMES[v]:>10}: nearest is {data.CLASS_NAMES[nearest]} ({kind}), {distance[v, nearest]:.1f}\n" in text
    assert "and the farthest pair for contrast" in prose and "*baseline*" not in prose  # not the 50% reference of the next cell
    wrong = full["nearest_mean"]["wrong"]  # ... and on the full data, printed beside it in the bookkeeping cell
    assert (f"{'':<15}nearest class mean, {full['nearest_mean']['images']:,} validation images per pair of classes: close pairs {min(wrong[:4]):.0%} to "
            f"{max(wrong[:4]):.0%} wrong; farthest pair {wrong[4]:.0%} (each ±{100 / full['nearest_mean']['images'] ** 0.5:.0f} points)\n") in text
    assert min(wrong[:4]) - wrong[4] > 2 / full["nearest_mean"]["images"] ** 0.5  # on the full data the gap is wider than both widths
    assert ("the full data: four closest pairs " + ", ".join(f"{a} - {b} {d:.2f}" for d, a, b in full["closest"]) + "\n") in text
    assert (f"the sample:    four closest pairs " + ", ".join(f"{data.CLASS_NAMES[i]} - {data.CLASS_NAMES[j]} {d:.2f}" for d, i, j in ranked[:4])
            + f"\n{'':<15}nearest class mean, {pair.sum():,} validation images per pair of classes: close pairs {min(shares[:4]):.0%} to "
            f"{max(shares[:4]):.0%} wrong; farthest pair {shares[4]:.0%} (each ±{margin:.0f} points)\n") in text  # the sample's, beside the full run's
    assert text.index(" in the wrong class, ± ") < text.index("the sample:    four closest pairs") < text.index("the full data: four closest pairs")
    assert ("On the full data (the line starting `the full data:` just above, printed whatever `DATA` is), the close pairs come out nearer 50% "
            "than the farthest, and even the farthest is well above 0%") in prose  # the sample is too small to say it
    assert "a coin toss, or always answering one class, about 50% (each pair's two classes have equally many validation images)" in prose
    assert "misplaced more often than the farthest pair" not in prose and "standard error" not in prose and "$" not in prose
    assert ".astype(np.float32)" not in code and "the saved model takes raw 0..255 pixels, with no separate preprocessing step to forget" in prose
    assert "averages of raw pixels are a weak classifier" in prose and "A CNN learns local features instead" in prose
    assert "A *nearest-class-mean classifier* puts an image in the class whose average is nearest" in prose
    assert "*convolutional neural network* (CNN)" in prose.split("What the arrays hold")[0] and "notebook 04" in prose.lower()
    exercises = next(c.source for c in nb.cells if c.source.startswith("## Exercises"))
    assert len(re.findall(r"^\d+\. ", exercises, re.M)) <= 4  # a few, not a project list
    assert "guess = np.where(to_i < to_j, i, j)" in code  # the nearest-class-mean rule, written plainly
    assert "return np.sqrt(((a - b) ** 2).mean(axis))" in code  # the RMS distance, written once on the page
    assert "the model converts them" not in prose and "Hint: the mean cancels in `a - b`; only dividing by `std` changes a difference" in prose
    for cell in nb.cells:  # each cell's printed lines come in one block
        where = [k for k, o in enumerate(cell.get("outputs", [])) if o.get("name") == "stdout"]
        assert not where or where == list(range(where[0], where[-1] + 1)), cell.source[:60]
    for figure in ("01_examples_per_class", "01_pixel_histograms", "01_mean_images",
                   "01_class_mean_distance"):
        assert (BUILD_DIR / "figures" / f"{figure}.png").exists(), figure


def test_01_keeps_the_full_datas_statistics_for_notebook_03(executed):
    """The full run writes its channel statistics to results/data_exploration.json, which notebook 03 prints in a quick run,
    and its closest pairs and nearest-class-mean shares, which this page's quick run prints; the quick run writes nothing there."""
    full = read_results("data_exploration")
    assert full is not None, "results/data_exploration.json is missing: run notebook 01 in the full profile"
    assert full["channels"]["images"] == read_results("minivggnet_improved_val")["data"]["split"]["train"]
    assert len(full["channels"]["mean"]) == len(full["channels"]["std"]) == 3
    assert 100 < min(full["channels"]["mean"]) and max(full["channels"]["std"]) < 80  # 0..255 pixels, not rescaled ones
    distances = [d for d, _, _ in full["closest"]]
    assert len(distances) == 4 and distances == sorted(distances) and all(a in data.CLASS_NAMES and b in data.CLASS_NAMES for _, a, b in full["closest"])
    wrong = full["nearest_mean"]["wrong"]  # the page's reading holds on the full data too: close pairs nearer 50% than the farthest
    assert len(wrong) == 5 and all(0.1 < w < 0.5 for w in wrong) and min(wrong[:4]) > wrong[4]
    assert full["nearest_mean"]["images"] == 2 * round(VAL_FRACTION * 5000)  # a pair's validation images: a tenth of 5,000 a class, twice
    nb = executed("01")
    assert "wrote results/data_exploration.json" not in text_of(nb)
    # the images count above is the full split's, not the sample's: the quick run did not write the file
    # the bookkeeping (saving the numbers, reading the full run's) is one helper call, right after the shares, under a
    # one-line label, so that the reading below it has the full data's numbers above it in either profile
    save_cell = next(c for c in nb.cells if c.cell_type == "code" and "paths.record_exploration(DATA, " in c.source)
    where = nb.cells.index(save_cell)
    assert "shares.append((guess != labels).mean())" in nb.cells[where - 2].source
    assert nb.cells[where - 1].source.startswith("**Bookkeeping** (no lesson): the full data's numbers are kept in `results/`")
    assert nb.cells[where + 1].source.startswith("A perfect rule would put 0%") and "bookkeeping" not in nb.cells[where + 1].source
    assert nb.cells[where + 2].source.startswith("## Exercises")
    lesson = [c.source for c in nb.cells if c.cell_type == "code" and c is not save_cell]
    assert not any("read_results" in s or "json" in s or "record_exploration" in s for s in lesson)
    save = save_cell.source  # one plain call: the numbers computed on the page, by name
    assert save == "paths.record_exploration(DATA, images=len(x), mean=mean, std=std, closest=closest, wrong=shares, y_val=y_val)"
    assert [o.get("name") for o in save_cell.outputs] == ["stdout"] and save_cell.outputs[0]["text"].startswith("the sample:    four closest pairs")


def test_01_record_exploration_saves_on_the_full_data_and_compares_on_the_sample(monkeypatch, tmp_path, capsys):
    """The bookkeeping helper: the full run writes the file (and says so, so the full copy's cell is not silent);
    a run on the sample writes nothing and prints its numbers, then the saved ones, or how to make them."""
    from helpers import paths
    monkeypatch.setattr(paths, "RESULTS_DIR", tmp_path)
    found = dict(images=9, mean=np.array([1.0, 2.0, 3.0]), std=np.array([4.0, 5.0, 6.0]), y_val=np.repeat(np.arange(10), 500),
                 closest=[(1.5, "cat", "dog"), (2.0, "a", "b"), (3.0, "c", "d"), (4.0, "e", "f")], wrong=[0.4, 0.35, 0.3, 0.45, 0.2])
    paths.record_exploration("sample", **found)
    assert not list(tmp_path.iterdir())  # the sample never writes
    assert capsys.readouterr().out.splitlines()[-1] == 'no results/data_exploration.json: run this notebook with DATA = "full" to write it'
    paths.record_exploration("full", **found)
    printed = capsys.readouterr().out.splitlines()  # saved, then the full data's numbers (the full copy's cell shows them too)
    assert printed[0] == "the full data's numbers are saved in results/data_exploration.json" and len(printed) == 3
    assert printed[1].startswith("the full data: four closest pairs cat - dog 1.50") and "each ±3 points" in printed[2]
    assert paths.read_results("data_exploration")["channels"] == {"images": 9, "mean": [1.0, 2.0, 3.0], "std": [4.0, 5.0, 6.0]}
    assert paths.read_results("data_exploration")["nearest_mean"] == {"images": 1000, "wrong": found["wrong"]}  # a pair: 2 of 10 equal classes
    paths.record_exploration("sample", **found)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("the sample:    four closest pairs cat - dog 1.50") and lines[2].startswith("the full data: four closest pairs cat - dog 1.50")
    assert lines[3] == f"{'':<15}nearest class mean, 1,000 validation images per pair of classes: close pairs 30% to 45% wrong; farthest pair 20% (each ±3 points)"
