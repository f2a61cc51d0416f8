"""Notebook 04_evaluation: executed in the quick profile, checked on what it printed and wrote."""

import re

import numpy as np

from helpers import data
from helpers.paths import BUILD_DIR, ROOT, read_results
from lab.evaluation_notes import FullRun
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
    assert re.search(r"^the original recipe's model \(label smoothing 0\): accuracy", text, flags=re.M), "the model without smoothing"
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
    found = dict(re.findall(r"^\w+ recipe, .*, (with|without) random mirroring: full test set \(results/\) .*; image and mirror "
                            r"disagree on ([\d.]+)% of the 1,000-image test sample$", text, flags=re.M))
    assert set(found) == {"with", "without"}, "both models' disagreement is measured"
    assert not reference("minivggnet_original")["recipe"]["augment"] and reference("minivggnet_improved_val")["recipe"]["augment"]
    rates = {"minivggnet_original": found["without"], "minivggnet_improved_val": found["with"]}
    less = re.search(r"^the model trained on mirror images disagrees with its mirror (less|no less) often than the one never shown "
                     r"one \(([\d.]+)% vs ([\d.]+)%\)$", text, flags=re.M)
    assert less and (less.group(2), less.group(3)) == (rates["minivggnet_improved_val"], rates["minivggnet_original"])
    assert less.group(1) == ("less" if float(less.group(2)) < float(less.group(3)) else "no less")
    # the first layer: the printed count matches the printed cosines, and the verdict the count
    cosines = [float(c) for line in re.findall(r"^  filters [ \d]+- ?\d+: (.*)$", text, flags=re.M) for c in line.split()]
    close = re.search(r"^(\d+) of (\d+) filters have a cosine above 0\.9 with their start: (.*)$", text, flags=re.M)
    assert len(cosines) == 32 and close and int(close.group(1)) == sum(c > 0.9 for c in cosines)
    assert close.group(3) == ("most of the first layer is still its starting point" if int(close.group(1)) > 16
                              else "most filters moved away from their start")
    pairs = re.search(r"filters i and i\+16 started as exact opposites; (\d+) of 16 pairs still are nearly so", text)
    assert pairs and int(pairs.group(1)) == _opposite_pairs_of_the_shipped_model()
    # the sizes: 32 ratios printed, and the count of smaller and larger filters follows them
    sizes = [float(g) for line in re.findall(r"^  sizes of [ \d]+- ?\d+: (.*)$", text, flags=re.M) for g in line.split()]
    shrank = re.search(r"^(\d+) of 32 filters are smaller than at the start, (\d+) larger$", text, flags=re.M)
    assert len(sizes) == 32 and all(g > 0 for g in sizes) and shrank
    assert int(shrank.group(1)) >= sum(g < 0.995 for g in sizes) and int(shrank.group(2)) >= sum(g >= 1.005 for g in sizes)
    assert int(shrank.group(1)) + int(shrank.group(2)) <= 32
    # the model evaluated above, set beside the two recorded runs: its disagreement is the one cell 40 printed
    mirror = re.search(r"^the image and its mirror get different answers for ([\d.]+)% of the test images$", text, flags=re.M)
    beside = re.search(r"^not one of these two: the model evaluated above \(improved recipe, \d+ epochs, batches of \d+, 50,000 "
                       r"training images\): the 1,000-image test sample ([\d.]+)% -> ([\d.]+)%; image and mirror disagree on "
                       r"([\d.]+)% of the 1,000-image test sample$", text, flags=re.M)
    assert mirror and beside and beside.group(3) == mirror.group(1)
    tta_line = re.search(r"^accuracy ([\d.]+)% -> ([\d.]+)% \(95% CI", text, flags=re.M)
    assert tta_line and (beside.group(1), beside.group(2)) == tta_line.groups()
    # the summary repeats what the cells above printed
    assert re.search(r"^accuracy on the 1,000-image test sample: .*\n(?:.*\n)*accuracy on the 1,000-image test sample: ", text, flags=re.M)
    top = re.search(r"^most frequent mistake: (\w+) taken for (\w+), (\d+) times", text, flags=re.M)
    first = re.search(r"^ *(\w+) taken for (\w+) +(\d+) times \(", text, flags=re.M)
    assert top and first and top.groups() == first.groups()
    summary_gap = re.search(r"^confidence: (under|over)-confident by ([\d.]+) points; temperature ([\d.]+) takes the held-out "
                            r"half's ECE from ([\d.]+) to ([\d.]+)$", text, flags=re.M)
    assert summary_gap and float(summary_gap.group(5)) < float(summary_gap.group(4))
    assert f"temperature {summary_gap.group(3)}, fitted on" in text
    assert f"on average {summary_gap.group(1)}-confident by {summary_gap.group(2)} points" in text
    gain = re.search(r"^flip TTA: ([+-][\d.]+) points of accuracy$", text, flags=re.M)
    assert gain and abs(float(gain.group(1)) - (float(tta_line.group(2)) - float(tta_line.group(1)))) < 0.006
    assert f"first layer: {close.group(1)} of 32 filters keep a cosine above 0.9 with their whitening start" in text
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
    assert re.search(r"^exceptions: ", text, flags=re.M) and re.search(r"^full test set: exceptions: ", text, flags=re.M)
    assert re.search(r"^full test set: mistakes within the animals \d+%, .*; \d+% within a group$", text, flags=re.M)
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
    # the calibration gap before and after flip TTA: each is the printed accuracy minus the printed mean confidence
    gaps = re.search(r"^calibration gap \(accuracy minus mean confidence\): ([+-][\d.]+) points without flip TTA, ([+-][\d.]+) with "
                     r"it$", text, flags=re.M)
    confident = re.search(r"^accuracy ([\d.]+)%, mean confidence ([\d.]+)%: on average (under|over)-confident", text, flags=re.M)
    assert gaps and confident and (float(gaps.group(1)) > 0) == (confident.group(3) == "under")
    assert abs(float(gaps.group(1)) - (float(confident.group(1)) - float(confident.group(2)))) < 0.011
    tta_accuracy = re.search(r"^accuracy [\d.]+% -> ([\d.]+)% .*with flip TTA$", text, flags=re.M)
    averaged = re.search(r"^mean confidence: image [\d.]+%, mirror [\d.]+%, averaged ([\d.]+)%;", text, flags=re.M)
    assert tta_accuracy and averaged
    assert abs(float(gaps.group(2)) - (float(tta_accuracy.group(1)) - float(averaged.group(1)))) < 0.011
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
    assert 'lines starting "full test set:" give this model\'s numbers on all 10,000 test images (from results/)' in text
    t, f = saved["temperature"], saved["flip"]
    for expected in (f"the compiled (smoothed) loss {saved['smoothed_loss']:.4f}",
                     f"{saved['mistakes']:,} mistakes",
                     f"mean confidence {saved['mean_confidence']:.2%}",
                     f"{saved['above_target'][0]:,} of {saved['above_target'][1]:,} above the target",
                     f"temperature {t['T']:.2f}, fitted on {t['fitted_on']:,} test images; on the other half, "
                     f"ECE {t['as trained']['ece']:.4f} -> {t['temperature-scaled']['ece']:.4f}",
                     f"averaged {f['mean_confidence'][2]:.2%}; ECE {f['ece'][0]:.4f} -> {f['ece'][1]:.4f}",
                     f"{saved['first_layer']['close']} of 32 filters above 0.9",
                     f"the original recipe's model: accuracy {saved['original'][0]:.2%}, mean confidence {saved['original'][1]:.2%}",
                     f"image and mirror disagree on {saved['mirror_runs']['without']:.1%} for the model trained without random "
                     f"mirroring, {saved['mirror_runs']['with']:.1%} for the model trained with random mirroring"):
        line = next((line for line in text.splitlines() if expected in line), None)
        assert line and line.startswith("full data: " if "filters" in expected else "full test set: "), expected
    assert "a run on the sample leaves results/evaluation.json" in text
    # the Wilson interval and the top-2 accuracy are computed on the page and agree with the library and Keras
    assert re.search(r"^Wilson interval on the page: [\d.]+% to [\d.]+%; same as evaluation.confidence_interval: True$", text, flags=re.M)
    assert "top-2 accuracy" in text and "(same as evaluation.score: True)" in text
    assert "same as the top-2 accuracy computed with numpy above: True" in text
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "TopKCategoricalAccuracy(k=2" in code and "np.sqrt(p * (1 - p) / n" in code


def test_04_label_smoothing_is_judged_on_every_recorded_run(executed):
    """The recorded runs' test ECE, split by label smoothing, and whether the two ranges overlap, from the numbers printed."""
    text = text_of(executed("04"))
    records = [read_results(p.stem) for p in sorted((ROOT / "results").glob("minivggnet_*.json"))]
    groups = {kind: [r["test"]["ece"] for r in records if bool(r["recipe"]["label_smoothing"]) == (kind == "with")]
              for kind in ("without", "with")}
    assert all(groups.values()), "the page compares runs with and without smoothing"
    for kind, found in groups.items():
        assert re.search(rf"^  {kind} +{len(found)}   {min(found):.3f}    {max(found):.3f}$", text, flags=re.M), kind
    low, high = groups["without"], groups["with"]
    assert f"the two ranges overlap: {min(high) <= max(low) and min(low) <= max(high)}" in text
    assert not re.search(r"minivggnet_\w+_\w+", text), "runs are described in words, not by their file names"
    assert "the shipped model's settings, run by run" not in text and "Guo et al." in "\n".join(
        c.source for c in executed("04").cells if c.cell_type == "markdown")


def test_04_shows_the_nested_model_and_frames_the_filters_that_moved(executed):
    import json

    text = text_of(executed("04"))
    assert "model: models/minivggnet_improved.keras, a Sequential of 2 layers:\n  preprocess (Rescaling)\n" in text
    assert re.search(r"^  minivggnet \(Sequential\): a network of \d+ layers, block1_conv1 to softmax$", text, flags=re.M)
    cosines = [float(c) for line in re.findall(r"^  filters [ \d]+- ?\d+: (.*)$", text, flags=re.M) for c in line.split()]
    framed = re.search(r"^framed in red in both panels: the (\d+) filters with a cosine of 0\.9 or less( on the full data \(a start "
                       r"rebuilt from fewer images is only approximate\))?: (.*)$", text, flags=re.M)
    saved = json.loads((ROOT / "results" / "evaluation.json").read_text())["first_layer"]
    expected = saved["moved"] if framed and framed.group(2) else [k for k, c in enumerate(cosines) if c <= 0.9]
    assert framed and int(framed.group(1)) == len(expected) and framed.group(3) == (", ".join(map(str, expected)) or "none")
    assert framed.group(2), "the quick profile frames the full data's filters"
    assert f"full data: the start rebuilt from 50,000 images; {saved['close']} of 32 filters above 0.9" in text
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


def test_04_full_run_bookkeeping_prints_the_full_runs_lines_and_writes_only_for_the_shipped_model(tmp_path, capsys):
    """lab.evaluation_notes.FullRun: in the quick profile it prints the file's numbers when the model file matches."""
    import hashlib
    import json

    model = tmp_path / "model.keras"
    model.write_bytes(b"weights")
    saved = {"model": "m", "sha256": hashlib.sha256(b"weights").hexdigest(), "test_images": 10000, "smoothed_loss": 0.5}
    (tmp_path / "evaluation.json").write_text(json.dumps(saved))
    record = {"test": {"images": 10000, "accuracy": 0.9, "top2_accuracy": 0.95, "loss": 0.3}}
    run = FullRun(model, "m", record, "sample", 1000, file=tmp_path / "evaluation.json")
    run.note("accuracy")
    run.note("top2")
    run.note("smoothed_loss", smoothed_loss=0.7)
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == 'lines starting "full test set:" give this model\'s numbers on all 10,000 test images (from results/)'
    assert printed[1].startswith("full test set: 90.00% (95% CI")
    assert printed[2:] == ["full test set: top-2 accuracy 95.00%, loss 0.3000", "full test set: the compiled (smoothed) loss 0.5000"]
    assert run.measured["smoothed_loss"] == 0.7 and run.measured["test_images"] == 1000
    assert run.value("first_layer", "moved", "none kept") == "none kept", "a value the file does not keep: the default"
    run.write()  # a run on the sample leaves the file as it is
    assert capsys.readouterr().out.startswith("a run on the sample leaves results/evaluation.json")
    assert json.loads((tmp_path / "evaluation.json").read_text()) == saved
    other = FullRun(model, "m", record, "full", 10000, file=tmp_path / "evaluation.json")  # not the shipped model: no lines
    other.note("accuracy")
    other.write()
    assert capsys.readouterr().out.splitlines() == ["this run evaluated m, not the shipped model: results/evaluation.json is left as it is"]
    assert json.loads((tmp_path / "evaluation.json").read_text()) == saved


def test_04_trained_on_says_which_epoch_the_weights_come_from():
    from lab.evaluation_notes import trained_on

    record = {"recipe": {"name": "improved"}, "epochs_run": 30, "best_epoch": 27, "data": {"split": {"train": 45000, "validation": 5000}}}
    assert trained_on(record).endswith("on 45,000 images for 30 epochs; the weights kept are those of epoch 27, the best on "
                                       "validation accuracy")
    record["data"]["split"] = {"train": 50000, "validation": 0}
    assert trained_on(record).endswith("on all 50,000 training images for 30 epochs: no validation images were left to choose "
                                       "an epoch with, so the weights are those of the last epoch")
