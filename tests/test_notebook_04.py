"""Notebook 04_evaluation: executed in the quick profile, checked on what it printed and wrote."""

import re

import numpy as np

from helpers import data
from helpers.paths import BUILD_DIR, ROOT, read_results
from nbtools import reference, text_of


def test_04_evaluates_with_confidence_intervals_and_puts_the_model_to_use(executed):
    text = text_of(executed("04"))
    assert "test images: 1,000 (the test sample)" in text
    assert "accuracy on the 1,000-image test sample:" in text and "(95% CI" in text
    improved = reference("minivggnet_improved")["test"]
    assert f"full test set: {improved['accuracy']:.2%} (95% CI" in text
    assert "precision    recall  f1-score   support" in text and "with flip TTA" in text
    shipped = reference("minivggnet_improved")
    assert shipped["data"]["split"] == {"train": 50000, "validation": 0}, "the shipped model trains on all 50,000 images"
    assert (f"recipe on all 50,000 training images for {shipped['epochs_run']} epochs: no validation images were left "
            f"to choose an epoch with, so the weights are those of the last epoch") in text
    assert "block2_relu2 heatmaps: 16x16 cells" in text and "sees a 14x14 window of the image, its receptive field" in text
    few = re.search(r"^bins with fewer than (\d+) predictions \(their dots labelled with the count\): (\d+) of (\d+)$", text, flags=re.M)
    assert few and int(few.group(2)) <= int(few.group(3))
    eces = [float(e) for e in re.findall(r"(?:as trained|temperature-scaled): ECE ([\d.]+),", text)]
    assert len(eces) == 2 and eces[1] < eces[0], "temperature scaling lowers the ECE on the half it was not fitted on"
    assert "every predicted class unchanged: True" in text
    # the claim about plain cross-entropy is shown: the original model's verdict follows its two printed numbers
    for verdict in re.finditer(r"\(label smoothing ([\d.]+)\): accuracy ([\d.]+)%, mean confidence ([\d.]+)%: (over|under)-confident "
                               r"by ([\d.]+) points$", text, flags=re.M):
        accuracy, confidence = float(verdict.group(2)), float(verdict.group(3))
        assert verdict.group(4) == ("over" if confidence > accuracy else "under")
        assert abs(float(verdict.group(5)) - abs(confidence - accuracy)) < 0.06
    assert re.search(r"^minivggnet_original \(label smoothing 0\): accuracy", text, flags=re.M), "the model without smoothing"
    # Grad-CAM: each shown image's peak is placed, and the verdict follows the printed cell
    peaks = re.findall(r"^(right|wrong) answer, true \w+, said \w+: the map peaks at cell \((\d+), (\d+)\) of (\d+)x(\d+), "
                       r"(in the central half|outside the central half)$", text, flags=re.M)
    assert len(peaks) == 8
    for _, r, c, rows, cols, where in peaks:
        r, c, rows, cols = int(r), int(c), int(rows), int(cols)
        central = rows // 4 <= r < rows - rows // 4 and cols // 4 <= c < cols - cols // 4
        assert where == ("in the central half" if central else "outside the central half")
    border = [k + 1 for k, (kind, *_, where) in enumerate(peaks) if kind == "right" and where == "outside the central half"]
    pointer = re.search(r"^to look at first: (.*)$", text, flags=re.M)
    assert pointer and (pointer.group(1) == "every right answer's map peaks in the central half" if not border else
                        re.findall(r"\(column (\d+)\)", pointer.group(1)) == [str(k) for k in border])
    top3 = re.findall(r"^\s+(\w+) (\d+\.\d)%$", text, flags=re.M)[-3:]
    assert len(top3) == 3 and top3[0][0] in data.CLASS_NAMES, "the own-photo cell prints a top-3"
    for figure in ("04_confusion_matrix", "04_per_class_accuracy", "04_confident_mistakes", "04_reliability",
                   "04_temperature", "04_grad_cam", "04_first_layer_filters", "04_feature_maps_trained", "04_your_photo"):
        assert (BUILD_DIR / "figures" / f"{figure}.png").exists(), figure


def test_04_writes_the_lesson_out_and_shows_the_library_agrees(executed):
    """model.predict, the mirror and Grad-CAM are on the page; each is shown equal to the library's copy."""
    text = text_of(executed("04"))
    assert "same probabilities as evaluation.predict(model, x_test): True" in text
    assert "same as evaluation.predict(model, x_test, views=evaluation.FLIP_VIEWS): True" in text
    assert "same heatmaps as inspection.grad_cam: True" in text
    assert re.search(r"ECE over 15 bins \(\d+ of them hold predictions\): [\d.]+; same as evaluation.score: True", text)
    assert "same bins as evaluation.reliability_bins: True" in text, "the reliability bins are computed on the page"
    code = "\n".join(c.source for c in executed("04").cells if c.cell_type == "code")
    assert "pretrained.locate_model(" in code and "keras.saving.load_model(path)" in code, "the model is loaded on the page"
    assert "model.predict(x_test.astype(\"float32\"), batch_size=" in code and "x_test[:, :, ::-1]" in code
    assert "tf.GradientTape()" in code and "tape.gradient(" in code, "Grad-CAM written out on the page"
    assert "np.digitize(" in code and "evaluation.reliability_bins(" in code, "the bins written out, then compared"


def test_04_sentences_follow_the_printed_numbers(executed):
    nb = executed("04")
    text = text_of(nb)
    # the mirror: the verdict follows the two recorded gains, whatever they are
    runs = {name: reference(name)["test"] for name in ("minivggnet_original", "minivggnet_improved_val")}
    gains = {name: 100 * (t["flip_tta_accuracy"] - t["accuracy"]) for name, t in runs.items()}
    verdict = re.search(r"the mirror added (more|no more) to the model never trained on mirror images "
                        r"\(([+-][\d.]+) vs ([+-][\d.]+) points\)", text)
    assert verdict, "the mirror's verdict is printed"
    never, seen = float(verdict.group(2)), float(verdict.group(3))
    assert (never, seen) == (round(gains["minivggnet_original"], 2), round(gains["minivggnet_improved_val"], 2))
    assert verdict.group(1) == ("more" if never > seen else "no more")
    rates = dict(re.findall(r"^ *(minivggnet_\w+): .*; image and mirror disagree on ([\d.]+)% of the 1,000-image test sample$",
                            text, flags=re.M))
    assert set(rates) == {"minivggnet_original", "minivggnet_improved_val"}, "both models' disagreement is measured"
    less = re.search(r"^the model trained on mirror images disagrees with its mirror (less|no less) often than the one never shown "
                     r"one \(([\d.]+)% vs ([\d.]+)%\)$", text, flags=re.M)
    assert less and (less.group(2), less.group(3)) == (rates["minivggnet_improved_val"], rates["minivggnet_original"])
    assert less.group(1) == ("less" if float(less.group(2)) < float(less.group(3)) else "no less")
    # the seeds: every run with the shipped model's settings is printed, seed by seed, with its test accuracy
    shipped = reference("minivggnet_improved")
    seeds = re.search(r"^the shipped model's settings, run by run: (.*) on the test set \(the shipped model is seed (\d+)\)$",
                      text, flags=re.M)
    assert seeds and int(seeds.group(2)) == shipped["seed"]
    assert f"seed {shipped['seed']} {shipped['test']['accuracy']:.2%}" in seeds.group(1)
    seed43 = read_results("minivggnet_improved_seed43")
    assert f"seed 43 {seed43['test']['accuracy']:.2%}" in seeds.group(1), "the repeat with another seed is shown, not hidden"
    # the first layer: the printed count matches the printed cosines, and the verdict the count
    cosines = [float(c) for line in re.findall(r"^  filters [ \d]+- ?\d+: (.*)$", text, flags=re.M) for c in line.split()]
    close = re.search(r"^(\d+) of (\d+) filters have a cosine above 0\.9 with their start: (.*)$", text, flags=re.M)
    assert len(cosines) == 32 and close and int(close.group(1)) == sum(c > 0.9 for c in cosines)
    assert close.group(3) == ("most of the first layer is still its starting point" if int(close.group(1)) > 16
                              else "most filters moved away from their start")
    pairs = re.search(r"filters i and i\+16 started as exact opposites; (\d+) of 16 pairs still are nearly so", text)
    assert pairs and int(pairs.group(1)) == _opposite_pairs_of_the_shipped_model()
    # no claim the output contradicts, no test talk, and the jargon defined before it is used
    prose = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for contradicted in ("cannot be told apart", "adds little", "before and after training", "past 95%",
                         "usually sit on the object", "what its first layer learned", "trains faster"):
        assert contradicted not in prose and contradicted not in text, contradicted
    assert "NBVAL" not in "\n".join(c.source for c in nb.cells)
    first_ci = next(i for i, c in enumerate(nb.cells) if re.search(r"\bCI\b", c.source + str(c.get("outputs", ""))))
    defined = next(i for i, c in enumerate(nb.cells) if c.cell_type == "markdown" and "confidence interval" in c.source)
    assert defined <= first_ci, "'confidence interval' is defined before 'CI' is used"


def test_04_sets_the_full_run_beside_the_sample_and_scores_with_keras(executed):
    """Quick profile: each sample number with a full-run counterpart is printed beside the results file's."""
    nb = executed("04")
    text = text_of(nb)
    full = reference("minivggnet_improved")["test"]
    assert f"full test set: top-2 accuracy {full['top2_accuracy']:.2%}, loss {full['loss']:.4f}" in text
    assert re.search(rf"^full test set: accuracy {full['accuracy']:.2%}, mean confidence [\d.]+%: on average (under|over)-confident "
                     rf"by [\d.]+ points; ECE {full['ece']:.4f}$", text, flags=re.M)
    assert f"full test set: accuracy {full['accuracy']:.2%} -> {full['flip_tta_accuracy']:.2%} with flip TTA" in text
    assert re.search(r"^exceptions: .* \(full test set: .*\)$", text, flags=re.M)
    assert re.search(r"^full test set: \w+ taken for \w+ \d+ times", text, flags=re.M)
    # the top mistakes: every pair tied at the last place is listed, and the cut is said
    listed = [int(n) for n in re.findall(r"^ *\w+ taken for \w+ +(\d+) times \(", text, flags=re.M)]
    assert len(listed) >= 5 and listed == sorted(listed, reverse=True)
    if len(listed) > 5:
        assert f"pairs are tied at {listed[-1]} times: all are listed" in text
    # the confusion matrix counted on the page; model.evaluate agrees and shows the smoothed loss apart
    assert "same as evaluation.score's confusion matrix (scikit-learn): True" in text
    evaluated = re.search(r"^model\.evaluate: accuracy [\d.]+%, plain loss ([\d.]+); same as above: True$", text, flags=re.M)
    smoothed = re.search(r"^the compiled \(smoothed\) loss: ([\d.]+); its floor, the loss of predicting the smoothed target: "
                         r"([\d.]+)$", text, flags=re.M)
    assert evaluated and smoothed and float(smoothed.group(1)) > float(smoothed.group(2)) > 0
    # the TTA sentence: its direction words follow the changes it prints, and the gap's verdict the printed numbers
    moved = re.search(r"^flip TTA (raised|lowered|did not change) the accuracy \(([+-][\d.]+) points\) and (raised|lowered|did not "
                      r"change) the mean confidence \(([+-][\d.]+) points\), so (.*)$", text, flags=re.M)
    assert moved, "the TTA sentence is printed"
    for verb, change in ((moved.group(1), float(moved.group(2))), (moved.group(3), float(moved.group(4)))):
        assert verb == ("raised" if change > 0 else "lowered" if change < 0 else "did not change")
    gap = re.fullmatch(r"the (under|over)-confidence gap (grew|shrank): ([\d.]+) -> ([\d.]+) points", moved.group(5))
    assert gap and gap.group(2) == ("grew" if float(gap.group(4)) > float(gap.group(3)) else "shrank")
    confident = re.search(r"^accuracy ([\d.]+)%, mean confidence ([\d.]+)%: on average (under|over)-confident", text, flags=re.M)
    assert confident and gap.group(1) == confident.group(3)
    assert abs(float(gap.group(3)) - abs(float(confident.group(1)) - float(confident.group(2)))) < 0.011
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "model.evaluate(" in code and "np.add.at(confusion" in code and "einsum" not in code
    prose = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for typed in ("45,000", "5,000", "50,000", "0.91", "stop short of certainty", "climbs steeply"):
        assert typed not in prose, typed


def _opposite_pairs_of_the_shipped_model() -> int:
    """How many of the shipped model's first-layer filters i are still close to minus filter i+16."""
    import keras

    from helpers import inspection

    model = keras.saving.load_model(ROOT / "models" / "minivggnet_improved.keras")
    conv = next(layer for layer in inspection.flat_layers(model) if isinstance(layer, keras.layers.Conv2D))
    kernel = keras.ops.convert_to_numpy(conv.kernel).reshape(-1, conv.kernel.shape[-1])
    a, b = kernel[:, :16], -kernel[:, 16:]
    return int(np.sum((a * b).sum(0) / (np.linalg.norm(a, axis=0) * np.linalg.norm(b, axis=0)) > 0.9))


def test_04_prints_the_full_test_sets_numbers_from_its_file(executed):
    """Quick profile: results/evaluation.json describes the shipped model, and its numbers are printed beside the sample's."""
    import hashlib
    import json

    saved = json.loads((ROOT / "results" / "evaluation.json").read_text())
    shipped = ROOT / "models" / "minivggnet_improved.keras"
    assert saved["model"] == "models/minivggnet_improved.keras" and saved["test_images"] == 10000
    assert saved["sha256"] == hashlib.sha256(shipped.read_bytes()).hexdigest(), "the file describes the shipped model file"
    assert saved["accuracy"] == reference("minivggnet_improved")["test"]["accuracy"], "and agrees with its results file"
    nb = executed("04")
    text = text_of(nb)
    assert "the model evaluated here, so they are printed beside this run's" in text
    t, f = saved["temperature"], saved["flip"]
    for expected in (f"the compiled (smoothed) loss {saved['smoothed_loss']:.4f}",
                     f"{saved['mistakes']:,} mistakes",
                     f"mean confidence {saved['mean_confidence']:.2%}",
                     f"{saved['above_target'][0]:,} of {saved['above_target'][1]:,} above the target",
                     f"temperature {t['T']:.2f}, fitted on {t['fitted_on']:,} test images; on the other half, "
                     f"ECE {t['as trained']['ece']:.4f} -> {t['temperature-scaled']['ece']:.4f}",
                     f"averaged {f['mean_confidence'][2]:.2%}; ECE {f['ece'][0]:.4f} -> {f['ece'][1]:.4f}",
                     f"{saved['first_layer']['close']} of 32 filters above 0.9"):
        line = next((line for line in text.splitlines() if expected in line), None)
        assert line and line.startswith("full data: " if "filters" in expected else "full test set: "), expected
    assert "a run on the sample leaves results/evaluation.json" in text
    # the Wilson interval and the top-2 accuracy are computed on the page and agree with the library and Keras
    assert re.search(r"^Wilson interval on the page: [\d.]+% to [\d.]+%; same as evaluation.confidence_interval: True$", text, flags=re.M)
    assert "top-2 accuracy" in text and "(same as evaluation.score: True)" in text
    assert "same as the top-2 accuracy computed with numpy above: True" in text
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "TopKCategoricalAccuracy(k=2" in code and "np.sqrt(p * (1 - p) / n" in code


def test_04_label_smoothing_is_judged_on_two_controlled_pairs(executed):
    """One line per pair of runs that step the label smoothing up, with what else they differ in; the runs without
    smoothing listed with and without augmentation; each verdict follows the numbers it prints."""
    text = text_of(executed("04"))
    pair = ("minivggnet_improved_e10_bf16_s44", "minivggnet_improved_e10_ls02_s44")
    none_vs = ("minivggnet_improved_b64", "minivggnet_improved_b64_pad2_ls")  # smoothing 0 and 0.1; crop padding 4 and 2
    a, b = (read_results(name) for name in pair)
    assert {**a["recipe"], "label_smoothing": 0} == {**b["recipe"], "label_smoothing": 0} and a["seed"] == b["seed"]
    assert a["data"] == b["data"] and a["device"]["precision"] == b["device"]["precision"]
    c, d = (read_results(name) for name in none_vs)
    assert (c["recipe"]["label_smoothing"], d["recipe"]["label_smoothing"]) == (0, 0.1) and c["seed"] == d["seed"]
    assert c["data"] == d["data"] and c["device"]["precision"] == d["device"]["precision"] and c["epochs_run"] == d["epochs_run"]
    assert "crop_padding" not in c["recipe"] and d["recipe"]["crop_padding"] == 2, "the older file trained with the default, 4"
    assert (f"label smoothing 0 -> 0.1: test ECE {c['test']['ece']:.3f} -> {d['test']['ece']:.3f} "
            "(also differ in: crop padding)") in text
    assert (f"label smoothing {a['recipe']['label_smoothing']:g} -> {b['recipe']['label_smoothing']:g}: test ECE "
            f"{a['test']['ece']:.3f} -> {b['test']['ece']:.3f} (nothing else differs)") in text
    records = {p.stem: read_results(p.stem) for p in sorted((ROOT / "results").glob("minivggnet_*.json"))}
    smoothed = [r["test"]["ece"] for r in records.values() if r["recipe"]["label_smoothing"]]
    plain = {n: r for n, r in records.items() if not r["recipe"]["label_smoothing"]}
    assert (f"all {len(records)} recorded runs: test ECE {min(smoothed):.3f} to {max(smoothed):.3f} for the {len(smoothed)} with "
            f"label smoothing, {min(r['test']['ece'] for r in plain.values()):.3f} to "
            f"{max(r['test']['ece'] for r in plain.values()):.3f} for the {len(plain)} without") in text
    assert "results file trained on epochs" not in text, "one line per pair, not a table of every setting"
    # the runs without smoothing, split by augmentation, and the verdict on them
    bare = {n: r["test"]["ece"] for n, r in plain.items() if not r["recipe"]["augment"]}
    augmented = {n: r["test"]["ece"] for n, r in plain.items() if r["recipe"]["augment"]}
    assert bare and augmented, "the page compares runs without smoothing, with and without augmentation"
    for label, found in (("without augmentation", bare), ("with augmentation", augmented)):
        assert (f"recorded runs without label smoothing, {label}: test ECE on the full test set "
                + ", ".join(f"{n} {e:.3f}" for n, e in found.items())) in text
    assert (f"every run with augmentation has a lower test ECE than every run without: "
            f"{max(augmented.values()) < min(bare.values())}") in text


def test_04_shows_the_nested_model_and_frames_the_filters_that_moved(executed):
    text = text_of(executed("04"))
    assert "model: models/minivggnet_improved.keras, a Sequential of 2 layers:\n  preprocess (Rescaling)\n" in text
    assert re.search(r"^  minivggnet \(Sequential\): a network of \d+ layers, block1_conv1 to softmax$", text, flags=re.M)
    cosines = [float(c) for line in re.findall(r"^  filters [ \d]+- ?\d+: (.*)$", text, flags=re.M) for c in line.split()]
    framed = re.search(r"^framed in red in both panels: the (\d+) filters with a cosine of 0\.9 or less: (.*)$", text, flags=re.M)
    expected = [k for k, c in enumerate(cosines) if c <= 0.9]
    assert framed and int(framed.group(1)) == len(expected) and framed.group(2) == (", ".join(map(str, expected)) or "none")
    assert ("filters 0-15 at the start, from the pattern the patches vary in most to the least: their weights grow in that "
            "order, filter 0 the faintest: True") in text
    assert (BUILD_DIR / "figures" / "04_first_layer_moved.png").exists(), "the framed filters drawn again on their own scales"
    layers = re.search(r"^the layers, in order: (.*)$", text, flags=re.M)
    assert layers and "logits" in layers.group(1).split(", ") and "block2_relu2" in layers.group(1).split(", ")


def test_04_shows_a_photo_of_none_of_the_ten_classes_still_named_as_one(executed):
    """The softmax has no "none of these": the coffee cup gets three of the ten classes, printed in order."""
    text = text_of(executed("04"))
    found = re.search(r"a coffee cup, which is none of the ten classes: (\w+) ([\d.]+)%, (\w+) ([\d.]+)%, (\w+) ([\d.]+)%", text)
    assert found, "the coffee cup's top 3 is printed"
    shares = [float(found.group(k)) for k in (2, 4, 6)]
    assert shares == sorted(shares, reverse=True) and all(found.group(k) in data.CLASS_NAMES for k in (1, 3, 5))
    assert "its ten probabilities add up to 1: True" in text
    placed = re.search(r"^its top probability, ([\d.]+)%, is higher than the top probability of (\d+)% of the test images "
                       r"\(their mean: ([\d.]+)%\)$", text, flags=re.M)
    assert placed and float(placed.group(1)) == shares[0] and 0 <= int(placed.group(2)) <= 100
    assert (BUILD_DIR / "figures" / "04_coffee_cup.png").exists(), "the cup is drawn"
