"""Notebook 04_evaluation: executed in the quick profile, checked on what it printed and wrote."""

import re

import numpy as np

from helpers import data
from helpers.paths import BUILD_DIR, ROOT
from lab.evaluation_notes import FullRun
from nbtools import reference, text_of


def test_04_evaluates_with_confidence_intervals_and_puts_the_model_to_use(executed):
    text = text_of(executed("04"))
    assert "test images: 1,000 (the test sample)" in text
    assert "accuracy on the 1,000-image test sample:" in text and "(95% CI" in text
    improved = reference("minivggnet_improved")["test"]
    assert f"full test set: accuracy {improved['accuracy']:.2%} (95% CI" in text
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
    # Grad-CAM: the peaks of the 12 maps (4 right, 4 wrong, 4 true-class) counted in the outer ring of the 16x16 grid,
    # and each right answer named there has its peak in that ring
    ring = re.search(r"^peaks in the outer ring \(the (\d+) rows and columns nearest each edge\): (\d+) of 12 maps$", text, flags=re.M)
    assert ring and ring.group(1) == "2"
    named = re.findall(r"^a right answer with its peak in the outer ring: (\w+), at row (\d+), column (\d+)$", text, flags=re.M)
    assert len(named) <= min(4, int(ring.group(2)))
    for name, r, c in named:
        assert name in data.CLASS_NAMES and min(int(r), int(c), 15 - int(r), 15 - int(c)) < 2
    # the model's first layer standardizes: its scale and offset, and the mean and std they amount to
    assert re.search(r"^preprocess: scale \[.*\], offset \[.*\]: \(x - mean\) / std per channel, mean \[.*\], std \[.*\] "
                     r"\(raw pixels 0\.\.255\)$", text, flags=re.M)
    top3 = re.findall(r"^\s+(\w+) (\d+\.\d)%$", text, flags=re.M)[-3:]
    assert len(top3) == 3 and top3[0][0] in data.CLASS_NAMES, "the own-photo cell prints a top-3"
    for figure in ("04_confusion_matrix", "04_per_class_accuracy", "04_confident_mistakes", "04_reliability",
                   "04_temperature", "04_grad_cam", "04_feature_maps_trained", "04_your_photo"):
        assert (BUILD_DIR / "figures" / f"{figure}.png").exists(), figure


def test_04_writes_the_lesson_out_and_shows_the_library_agrees(executed):
    """model.predict, the mirror and Grad-CAM are on the page; each is shown equal to the library's copy."""
    text = text_of(executed("04"))
    copies = re.search(r"^the library's copies give the page's results: (True|False) \((.*)\)$", text, flags=re.M)
    assert copies and copies.group(1) == "True", "each library copy gives the result written out on the page"
    assert copies.group(2).split(", ") == ["evaluation.predict", "evaluation.confidence_interval", "evaluation.score",
                                           "evaluation.reliability_bins", "evaluation.predict with FLIP_VIEWS",
                                           "inspection.grad_cam", "evaluation_notes.largest_mistakes"]
    assert "same as the library" not in text, "no library check in the teaching flow"
    # no bookkeeping in the lesson: the full run's lines are all kept and printed by the last cell
    code_cells = [c.source for c in executed("04").cells if c.cell_type == "code"]
    assert [i for i, source in enumerate(code_cells) if "full_run." in source] == [len(code_cells) - 1]
    assert re.search(r"^ECE over 15 bins \(\d+ of them hold predictions\): [\d.]+$", text, flags=re.M)
    code = "\n".join(c.source for c in executed("04").cells if c.cell_type == "code")
    assert "pretrained.model_file(" in code and "keras.saving.load_model(path)" in code, "the model is loaded on the page"
    assert "model.predict(x_test.astype(\"float32\"), batch_size=" in code and "x_test[:, :, ::-1]" in code
    assert "tf.GradientTape()" in code and "tape.gradient(" in code, "Grad-CAM written out on the page"
    assert "np.digitize(" in code and "evaluation.reliability_bins(" in code, "the bins written out, then compared"


def test_04_sentences_follow_the_printed_numbers(executed):
    nb = executed("04")
    text = text_of(nb)
    # the surest mistakes: listed when the most confident reaches 99%, else "none in this run"
    surest = re.search(r"^\d[\d,]* mistakes; the \d+ most confident gave the class they said [\d.]+% to ([\d.]+)%$", text, flags=re.M)
    listed = re.search(r"^given 99% or more: (.*)$", text, flags=re.M)
    assert surest and listed and (listed.group(1) == "none in this run") == (float(surest.group(1)) < 99)
    assert ("may be a wrong label, not a wrong answer" in text) == (listed.group(1) != "none in this run")
    tta_line = re.search(r"^accuracy ([\d.]+)% -> ([\d.]+)% \(95% CI", text, flags=re.M)
    assert tta_line
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
    gain = re.search(r"^flip TTA: ([+-][\d.]+) points of accuracy \(coin-toss probability ([\d.e-]+)\); ECE ([\d.]+) -> ([\d.]+)$",
                     text, flags=re.M)
    assert gain and abs(float(gain.group(1)) - (float(tta_line.group(2)) - float(tta_line.group(1)))) < 0.006
    assert f"a split at least this uneven would have probability {gain.group(2)}" in text
    assert f"ECE {gain.group(3)} -> {gain.group(4)}" in text, "the summary's ECE change is the flip cell's"
    # in the quick profile, the summary's four lines, then (in the last cell) the full test set's
    summary = [line for line in text[text.rindex("accuracy on the 1,000-image test sample:"):].splitlines()[:11]
               if not line.startswith("  full test set: ")][:8]  # each line, then its lesson (the full test set's lines left out)
    assert [line.split(": ")[0] for line in summary[::2]] == ["accuracy on the 1,000-image test sample", "most frequent mistake",
                                                              "confidence", "flip TTA"]
    assert all(line.startswith("  lesson: ") for line in summary[1::2])
    full_lines = text[text.index('lines starting "full test set:"'):].splitlines()[1:6]
    heads = ("accuracy ", "mean confidence ", "the original recipe's model: ", "temperature ", "flip TTA: ")
    assert len(full_lines) == len(heads) and all(line.startswith("full test set: " + head) for line, head in zip(full_lines, heads))
    # no claim the output contradicts, no test talk, and the jargon defined before it is used
    prose = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for contradicted in ("cannot be told apart", "adds little", "before and after training", "past 95%",
                         "usually sit on the object", "what its first layer learned", "trains faster", "central half",
                         "cosine", "unless the accuracy rises as much", "does no harm", "usually have their object",
                         "each responding in fewer places", "here the smoothing pulled"):
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
    assert re.search(rf"^full test set: mean confidence [\d.]+%: on average (under|over)-confident by [\d.]+ points; "
                     rf"ECE {full['ece']:.4f}$", text, flags=re.M)
    assert re.search(rf"^full test set: flip TTA: accuracy {full['accuracy']:.2%} -> {full['flip_tta_accuracy']:.2%} ", text, flags=re.M)
    # the group averages (drawn as lines): each the mean of its classes' recall in the classification report
    averages = re.search(r"^average accuracy on the 1,000-image test sample: animals ([\d.]+)%, vehicles ([\d.]+)%$", text, flags=re.M)
    recall = {name: float(r) for name, r in re.findall(r"^ *(\w+) +[\d.]+ +([\d.]+) +[\d.]+ +\d+$", text, flags=re.M)
              if name in data.CLASS_NAMES}
    assert averages and len(recall) == 10
    for kind, average in zip(("animal", "vehicle"), averages.groups()):
        assert abs(float(average) - 100 * np.mean([r for c, r in recall.items() if data.CIFAR10.group_of(c) == kind])) < 0.06
    # the top mistakes: every pair tied at the last place is listed, and the cut is said
    listed = [int(n) for n in re.findall(r"^ *\w+ taken for \w+ +(\d+) times \(", text, flags=re.M)]
    assert len(listed) >= 5 and listed == sorted(listed, reverse=True)
    if len(listed) > 5:
        assert f"pairs are tied at {listed[-1]} times: all are listed" in text
    # the confusion matrix counted on the page; model.evaluate agrees with the numpy scores
    evaluated = re.search(r"^model\.evaluate: accuracy ([\d.]+)%, top-2 accuracy ([\d.]+)%, plain loss ([\d.]+)$", text, flags=re.M)
    numpy_scores = re.search(r"^top-2 accuracy ([\d.]+)%, loss ([\d.]+)$", text, flags=re.M)
    accuracy = re.search(r"^accuracy on the 1,000-image test sample: ([\d.]+)%", text, flags=re.M)
    assert evaluated and numpy_scores and accuracy and "same as the numpy scores above: True" in text
    assert abs(float(evaluated.group(3)) - float(numpy_scores.group(2))) < 2e-4
    assert evaluated.group(1) == accuracy.group(1) and evaluated.group(2) == numpy_scores.group(1)
    smoothed = re.search(r"^smoothed target \(0.1\): 0.91 for the true class, 0.01 for each other; model.evaluate's loss against it "
                         r"([\d.]+), its lowest possible ([\d.]+)$", text, flags=re.M)
    assert smoothed and float(smoothed.group(1)) > float(smoothed.group(2)) > 0, "the smoothed loss stays above its floor"
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
    # the paired count: fixes minus breaks is the printed accuracy gain
    before = re.search(r"^accuracy ([\d.]+)% -> [\d.]+% .*with flip TTA$", text, flags=re.M)
    paired = re.search(r"^flip TTA fixes (\d+) answers and breaks (\d+) \(net ([+-][\d.]+) points\); "
                       r"were each a coin toss, a split at least this uneven would have probability ([\d.e-]+)$", text, flags=re.M)
    assert paired
    fixed, broken = int(paired.group(1)), int(paired.group(2))
    assert float(paired.group(3)) == round(100 * (fixed - broken) / 1000, 2)
    assert abs(float(paired.group(3)) - (float(tta_accuracy.group(1)) - float(before.group(1)))) < 0.006
    assert 0 <= float(paired.group(4)) <= 1
    # the feature maps: each network's share of positions above 0, with no comparison drawn between inputs of other scales
    assert len(re.findall(r"^ *(untrained|trained): share of the 32x32 positions above 0 in channels 0-7: (\d+% ){7}\d+%$", text,
                          flags=re.M)) == 2
    assert "fewer positions" not in text and "pattern is absent" not in "\n".join(c.source for c in nb.cells)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "model.evaluate(" in code and "np.add.at(confusion" in code and "einsum" not in code
    prose = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for typed in ("45,000", "5,000", "50,000", "0.91", "stop short of certainty", "climbs steeply"):
        assert typed not in prose, typed


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
    assert 'lines starting "full test set:" give numbers on all 10,000 test images (from results/): this model\'s, unless the line names another' in text
    t, f = saved["temperature"], saved["flip"]
    for expected in (f"mean confidence {saved['mean_confidence']:.2%}",
                     f"temperature {t['T']:.2f}, fitted on {t['fitted_on']:,} test images; on the other half, "
                     f"ECE {t['as trained']['ece']:.4f} -> {t['temperature-scaled']['ece']:.4f}",
                     f"(coin-toss probability {f['coin']:.2g}); ECE {f['ece'][0]:.4f} -> {f['ece'][1]:.4f}",
                     f"the original recipe's model: accuracy {saved['original'][0]:.2%}, mean confidence {saved['original'][1]:.2%}"):
        assert any(line.startswith("full test set: ") and expected in line for line in text.splitlines()), expected
    assert "a run on the sample leaves results/evaluation.json" in text
    # the full test set's values beside the sample's lessons: the surest mistakes, the flip split, the most frequent mistake
    assert f"full test set: given 99% or more: {saved['sure'] or 'none'}" in text
    assert f"full test set: flip TTA fixes {f['fixed']} and breaks {f['broken']}, probability {f['coin']:.2g}" in text
    from lab.evaluation_notes import largest_mistakes
    n, true, said = largest_mistakes(np.array(reference("minivggnet_improved")["test"]["confusion_matrix"]))[0]
    assert re.search(rf"^most frequent mistake: .*\n  full test set: {true} taken for {said}, {n} times$", text, flags=re.M)
    full_verdict = "is unlikely to be luck" if f["coin"] < 0.05 else "could be luck"
    assert f"  full test set: coin-toss probability {f['coin']:.2g}: the change {full_verdict}" in text
    # the Wilson interval and the top-2 accuracy are computed on the page and agree with the library
    wilson = re.search(r"^Wilson interval computed by hand: ([\d.]+)% to ([\d.]+)%$", text, flags=re.M)
    assert wilson and f"(95% CI {wilson.group(1)}%-{wilson.group(2)}%, 1,000 images)" in text
    # the full test set's accuracy (from its results file) set against the sample's interval, with the right verdict
    full_accuracy = reference("minivggnet_improved")["test"]["accuracy"]
    inside = re.search(rf"^the full test set's accuracy, {full_accuracy:.2%}, lies (inside|outside) this sample's interval$", text,
                       flags=re.M)
    in_interval = float(wilson.group(1)) <= 100 * full_accuracy <= float(wilson.group(2))
    assert inside and inside.group(1) == ("inside" if in_interval else "outside")
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "TopKCategoricalAccuracy(k=2" in code and "np.sqrt(p * (1 - p) / n" in code


def test_04_quick_profile_sets_the_full_test_sets_list_beside_the_samples(executed):
    """The quick profile prints the full test set's largest mistakes under the sample's, from the model's results file."""
    from lab.evaluation_notes import largest_mistakes

    nb = executed("04")
    text = text_of(nb)
    confusion = np.array(reference("minivggnet_improved")["test"]["confusion_matrix"])
    listed = "; ".join(f"{true} taken for {said} {n} times" for n, true, said in largest_mistakes(confusion))
    assert f"on the full test set (from results/): {listed}" in text
    assert "Guo et al." in "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "Label smoothing across the recorded runs" in nb.cells[-3].source, "the recorded runs: an exercise"


def test_04_flip_tta_says_which_way_the_ece_moved(executed):
    """The words after the TTA numbers follow them: raised or lowered."""
    text = text_of(executed("04"))
    numbers = re.search(r"^mean confidence: image ([\d.]+)%, mirror [\d.]+%, averaged ([\d.]+)%; ECE ([\d.]+) -> ([\d.]+)$",
                        text, flags=re.M)
    verdict = re.search(r"^flip TTA (raised|lowered|left unchanged) the ECE$", text, flags=re.M)
    assert numbers and verdict
    before, after = float(numbers.group(3)), float(numbers.group(4))
    assert verdict.group(1) == ("raised" if after > before else "lowered" if after < before else "left unchanged")


def test_04_names_the_empty_reliability_bins_and_why(executed):
    nb = executed("04")
    text = text_of(nb)
    held = re.search(r"^ECE over (\d+) bins \((\d+) of them hold predictions\)", text, flags=re.M)
    found = re.findall(r"^empty bin ([\d.]+) to ([\d.]+): (it ends at or below 1/10|no prediction that unsure in this run)$", text,
                       flags=re.M)
    assert held and len(found) == int(held.group(1)) - int(held.group(2))
    for low, high, why in found:
        assert (why == "it ends at or below 1/10") == (float(high) <= 0.1)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "globals()" not in code, "the notebook passes the values it keeps by name"
    assert re.search(r"^recipe settings: label_smoothing [\d.]+, augment (True|False), crop_padding \d+, whiten_first_layer (True|False)$", text,
                     flags=re.M)


def test_04_shows_the_nested_model_and_its_layers_in_order(executed):
    text = text_of(executed("04"))
    # (under load, one cell's printed text can come in two parts, which text_of joins with a newline)
    assert re.search(r"^model: models/minivggnet_improved\.keras, a Sequential of 2 layers:\n+  preprocess \(Rescaling\)\n", text, flags=re.M)
    assert re.search(r"^  minivggnet \(Sequential\): a network of \d+ layers, block1_conv1 to softmax$", text, flags=re.M)
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
    saved = {"model": "m", "sha256": hashlib.sha256(b"weights").hexdigest(), "test_images": 10000, "mean_confidence": 0.8,
             "temperature": {"T": 0.66, "fitted_on": 5000, "as trained": {"ece": 0.09}, "temperature-scaled": {"ece": 0.01}}}
    (tmp_path / "evaluation.json").write_text(json.dumps(saved))
    record = {"test": {"images": 10000, "accuracy": 0.9, "ece": 0.1}}
    run = FullRun(model, "m", record, "sample", 1000, file=tmp_path / "evaluation.json")
    run.keep(scores={"accuracy": 0.85, "ece": 0.05}, confidence=0.8)  # the values the notebook passes
    run.keep(temperature=0.7, fit_part=[1, 2])  # not kept until "checked" comes too
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == 'lines starting "full test set:" give numbers on all 10,000 test images (from results/): this model\'s, unless the line names another'
    assert printed[1].startswith("full test set: accuracy 90.00% (95% CI")
    assert printed[2:] == ["full test set: mean confidence 80.00%: on average under-confident by 10.0 points; ECE 0.1000",
                           "full test set: temperature 0.66, fitted on 5,000 test images; on the other half, ECE 0.0900 -> 0.0100"]
    assert run.measured["mean_confidence"] == 0.8 and run.measured["test_images"] == 1000 and "temperature" not in run.measured
    run.write()  # a run on the sample leaves the file as it is
    assert capsys.readouterr().out.startswith("a run on the sample leaves results/evaluation.json")
    assert json.loads((tmp_path / "evaluation.json").read_text()) == saved
    other = FullRun(model, "m", record, "full", 10000, file=tmp_path / "evaluation.json")  # not the shipped model: no lines
    other.write()
    assert capsys.readouterr().out.splitlines() == ['the full data: the numbers above are the full test set\'s own, so no "full test set:" lines follow',
                                                    "this run evaluated m, not the shipped model: results/evaluation.json is left as it is"]
    assert json.loads((tmp_path / "evaluation.json").read_text()) == saved
    from lab.evaluation_notes import saved_full  # the full run's numbers, read only on the sample
    assert saved_full(model, "sample", tmp_path / "evaluation.json") == saved
    assert saved_full(model, "full", tmp_path / "evaluation.json") is None


def test_04_grad_cam_maps_peak_red_with_their_peak_marked():
    """Each enlarged map is drawn on its own scale, so its peak is red (1), and a + marks the peak."""
    from lab.evaluation_notes import grad_cam_sections

    heat = np.zeros((32, 32))
    heat[5, 20] = 0.4  # a lone peak, lowered by the enlargement
    section = (np.zeros((1, 32, 32, 3), "uint8"), ["c"], {"map": heat[None]})
    drawn = grad_cam_sections({"a": section, "b": section}).subfigs[0].axes[1]  # the first map, under its image
    assert drawn.images[-1].get_array().max() == 1
    assert [tuple(line.get_xydata()[0]) for line in drawn.lines] == [(20, 5)]


def test_04_trained_on_says_which_epoch_the_weights_come_from():
    from lab.evaluation_notes import trained_on

    record = {"recipe": {"name": "improved"}, "epochs_run": 30, "best_epoch": 27, "data": {"split": {"train": 45000, "validation": 5000}}}
    assert trained_on(record).endswith("on 45,000 images for 30 epochs; the weights kept are those of epoch 27, the best on "
                                       "validation accuracy")
    record["data"]["split"] = {"train": 50000, "validation": 0}
    assert trained_on(record).endswith("on all 50,000 training images for 30 epochs: no validation images were left to choose "
                                       "an epoch with, so the weights are those of the last epoch")


def test_04_model_file_names_the_shipped_model_and_its_record():
    from lab.pretrained import model_file

    path, source, record = model_file("reference", "minivggnet", "minivggnet_improved")
    assert path.exists() and source == "models/minivggnet_improved.keras" and record == reference("minivggnet_improved")


def test_04_what_to_remember_states_each_lesson_from_its_numbers(executed):
    """Each lesson line under "What to remember" follows the numbers printed above it; the side claims are printed."""
    text = text_of(executed("04"))
    assert re.search(r"^compiled as loaded: False$", text, flags=re.M), "the file came uncompiled, as the prose says"
    widths = re.search(r"^  lesson: on [\d,]+ images the accuracy is known to \+-([\d.]+) points, on a tenth as many to \+-([\d.]+)$",
                       text, flags=re.M)
    assert widths and float(widths.group(1)) < float(widths.group(2))
    shares = re.search(r"^mistakes within the animals (\d+)%.*; (\d+)% within a group$", text, flags=re.M)
    chance = int(re.search(r"^mistakes spread at random would put (\d+)% within a group$", text, flags=re.M).group(1))
    assert (f"  lesson: {shares.group(2)}% of the mistakes stay within a group (animals, vehicles); mistakes spread at random would "
            f"put {chance}% there") in text
    conf = re.search(r"^confidence: (under|over)-confident by .*temperature ([\d.]+) takes the held-out half's ECE from ([\d.]+) to ([\d.]+)$",
                     text, flags=re.M)
    lowers = "lowers" if float(conf.group(4)) < float(conf.group(3)) else "does not lower"
    assert re.search(rf"^  lesson: this model \(label smoothing 0.1\) is {conf.group(1)}-confident; T = {conf.group(2)} {lowers} the "
                     rf"held-out ECE and changes no answer$", text, flags=re.M)
    coin = float(re.search(r"^flip TTA: .*\(coin-toss probability ([\d.e-]+)\)", text, flags=re.M).group(1))
    moved = re.search(r"^flip TTA (raised|lowered|left unchanged) the ECE$", text, flags=re.M).group(1)
    verdict = "is unlikely to be luck" if coin < 0.05 else "could be luck (too few answers changed to tell)"
    assert (f"  lesson: by the sign test (below 0.05 counts as unlikely), flip TTA's gain on these images {verdict}; it {moved} "
            "the ECE") in text
    # the two intervals' overlap is computed
    assert re.search(r"^the two accuracy intervals (overlap|do not overlap); the paired sign test is the comparison to trust$", text, flags=re.M)
