"""Notebook 04_evaluation: executed in the quick profile, checked on what it printed and wrote."""

import re

import numpy as np

from helpers import data
from helpers.paths import BUILD_DIR, ROOT
from lab.evaluation_notes import FullRun, FullTestSet
from nbtools import reference, text_of


def test_04_evaluates_with_confidence_intervals_and_puts_the_model_to_use(executed):
    text = text_of(executed("04"))
    assert "test images: 1,000 (the test sample)" in text
    assert "accuracy on the 1,000-image test sample:" in text and "(95% CI" in text
    improved = reference("minivggnet_improved")["test"]
    assert f"full test set: accuracy {improved['accuracy']:.2%} (95% CI" in text
    assert "precision    recall  f1-score   support" in text and "flip TTA" not in text, "flip TTA is an exercise"
    shipped = reference("minivggnet_improved")
    assert shipped["data"]["split"] == {"train": 50000, "validation": 0}, "the shipped model trains on all 50,000 images"
    assert (f"recipe on all 50,000 training images for {shipped['epochs_run']} epochs: no validation images were left "
            f"to choose an epoch with, so the weights are those of the last epoch") in text
    # the page's Grad-CAM question answered once, from the maps: the right answers whose map peaks at the frame's edge
    edge = re.findall(r"^(?:right, but its map peaks at the edge of the frame: (the \w+ \(\d+%\)(?:, the \w+ \(\d+%\))*)"
                      r"|every right answer's map peaks at least 4 pixels inside the frame)$", text, flags=re.M)
    assert len(edge) == 1 and all(name in data.CLASS_NAMES for name in re.findall(r"the (\w+) \(", edge[0]))
    assert "block2_relu2 heatmaps: 16x16 cells for a 32x32 image, each covering 2x2 pixels" in text
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
    # the model's first layer standardizes: its scale and offset, and the mean and std they amount to
    assert re.search(r"^preprocess: mean \[\d+\.\d(, \d+\.\d){2}\], std \[\d+\.\d(, \d+\.\d){2}\] per channel \(raw pixels 0\.\.255\)$",
                     text, flags=re.M), "one decimal per value"
    top3 = re.findall(r"^\s+(\w+) (\d+\.\d)%$", text, flags=re.M)[-3:]
    assert len(top3) == 3 and top3[0][0] in data.CLASS_NAMES, "the own-photo cell prints a top-3"
    for figure in ("04_confusion_matrix", "04_per_class_accuracy", "04_confident_mistakes", "04_reliability",
                   "04_temperature", "04_grad_cam", "04_your_photo"):
        assert (BUILD_DIR / "figures" / f"{figure}.png").exists(), figure


def test_04_writes_the_lesson_out_and_shows_the_library_agrees(executed):
    """model.predict and Grad-CAM are on the page; each is shown equal to the library's copy."""
    text = text_of(executed("04"))
    copies = re.search(r"^the library's copies give the page's results: (True|False) \((.*)\)$", text, flags=re.M)
    assert copies and copies.group(1) == "True", "each library copy gives the result written out on the page"
    assert copies.group(2).split(", ") == ["evaluation.predict", "evaluation.confidence_interval", "evaluation.score",
                                           "evaluation.reliability_bins", "inspection.grad_cam"]
    assert "same as the library" not in text, "no library check in the teaching flow"
    # no bookkeeping in the lesson: the last cell is one library call, which checks and keeps the page's results
    code_cells = [c.source for c in executed("04").cells if c.cell_type == "code"]
    assert [i for i, source in enumerate(code_cells) if "evaluation_notes.bookkeeping(" in source] == [len(code_cells) - 1]
    assert len(code_cells[-1].splitlines()) <= 6, "the bookkeeping is one short call"
    assert re.search(r"^ECE over 15 bins \(\d+ of them hold predictions\): [\d.]+$", text, flags=re.M)
    code = "\n".join(c.source for c in executed("04").cells if c.cell_type == "code")
    assert "evaluation_notes.set_up(" in code and "keras.saving.load_model(path)" in code, "the model is loaded on the page"
    assert "predicted = probs.argmax(1)" in code and "np.mean(predicted == y_test)" in code, "the accuracy computed on the page"
    assert code.index("np.mean(predicted == y_test)") < code.index("evaluation_notes.bookkeeping("), "before the library's scores"
    assert "model.predict(x_test.astype(\"float32\"), batch_size=" in code
    prose = "\n".join(c.source for c in executed("04").cells if c.cell_type == "markdown")
    assert "x_test[:, :, ::-1]" in prose and ":, :, ::-1]" not in code and "FLIP_VIEWS" not in code, "Exercise 3's answer is not on the page"
    assert "tf.GradientTape()" in code and "tape.gradient(" in code, "Grad-CAM written out on the page"
    assert "tf.gather(" not in code and "tf.one_hot(classes, 10)" in code, "each image's class logit picked by plain arithmetic"
    assert "x_train" not in code, "the training images are loaded by set_up, and only for a stand-in"
    exercises = next(c.source for c in executed("04").cells if c.source.startswith("## Exercises"))
    assert re.findall(r"^(\d)\. \*\*", exercises, flags=re.M) == list("12345") and "filter" not in exercises
    assert set(re.findall(r"Exercise (\d)", prose)) == {"1", "4"} and "4. **Label smoothing" in exercises, "the pointers follow the numbers"
    assert "np.digitize(" in code and "bins=(BINS, count, bin_confidence, bin_accuracy)" in code, "the bins written out, then compared"


def test_04_sentences_follow_the_printed_numbers(executed):
    nb = executed("04")
    text = text_of(nb)
    # the surest mistakes: each listed, as many as counted, and some exactly when the most confident reaches 99%
    surest = re.search(r"^\d[\d,]* mistakes; the most confident gave the class it predicted ([\d.]+)%; given 99% or more: (\d+)$", text,
                       flags=re.M)
    listed = [float(x) for x in re.findall(r"^  true \w+, predicted \w+ ([\d.]+)%: is the label right\?$", text, flags=re.M)]
    assert surest and len(listed) == int(surest.group(2)) and bool(listed) == (float(surest.group(1)) >= 99)
    assert all(x >= 99 for x in listed) and listed == sorted(listed, reverse=True)
    # with none in this run, the full test set's line names the surest mistakes there, labelled as read from results/
    full_sure = re.search(r"^full test set: given 99% or more: (.*)$", text, flags=re.M)
    assert full_sure and (full_sure.group(1) == "none" or re.search(r"\(its (most confident mistake|\d+ most confident mistakes), read from "
                                                                   r"results/\)$", full_sure.group(1)))
    assert "full run's figure" not in text, "no pointer to a figure the quick copy does not show"
    # the full test set's lines: announced once, then each printed once, beside its lesson, never by the last cell
    lines = text.splitlines()
    full_lines = [line for line in lines if line.startswith("full test set: ")]
    heads = ("accuracy ", " taken for ", "given 99% or more: ", "accuracy ")
    assert len(full_lines) == len(heads) and all(head in line for line, head in zip(full_lines, heads)), full_lines
    banner = [line for line in lines if line.startswith('QUICK PROFILE (DATA = "sample")')]
    assert len(banner) == 1 and 'lines starting "full test set:"' in banner[0], "one line of preamble, naming the marker"
    assert lines.index(full_lines[0]) > lines.index(banner[0])
    assert "marked as read from results/" not in text, "one marker: the 'full test set:' lines"
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    assert "full test set: " not in "".join(o.get("text", "") for o in code_cells[-1].get("outputs", [])), "not printed twice"
    # each lesson the sample draws is printed with the full test set's value in the same cell
    for cell in code_cells:
        printed = "".join(o.get("text", "") for o in cell.get("outputs", []))
        for lesson in ("Wilson interval computed by hand", " taken for ", "given 99% or more", "calibration gap"):
            if lesson in printed:
                assert "full test set: " in printed, f"no full test set's value beside {lesson!r}"
        if "full test set: " in printed:  # one line, the cell's last (the lesson's lines on top)
            text_lines = [line for line in printed.splitlines() if line.strip()]
            assert [line.startswith("full test set: ") for line in text_lines].count(True) == 1, text_lines
            assert text_lines[-1].startswith("full test set: "), text_lines
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
    assert re.search(rf"^full test set: accuracy {full['accuracy']:.2%}, mean confidence [\d.]+%: calibration gap [+-][\d.]+ points; "
                     rf"ECE {full['ece']:.4f}$", text, flags=re.M)
    # the calibration gap under its name: the accuracy minus the mean confidence
    gap = re.search(r"^accuracy ([\d.]+)%, mean confidence ([\d.]+)%: calibration gap ([+-][\d.]+) points$", text, flags=re.M)
    assert gap and abs(float(gap.group(1)) - float(gap.group(2)) - float(gap.group(3))) < 0.06
    # the five largest mistakes, largest first
    listed = [int(n) for n in re.findall(r"^ *\w+ taken for \w+ +(\d+) times \(", text, flags=re.M)]
    assert len(listed) == 5 and listed == sorted(listed, reverse=True)
    shares = [float(x) for x in re.findall(r"^ *\w+ taken for \w+ +\d+ times \(([\d.]+)% of all \w+ images\)$", text, flags=re.M)]
    assert len(shares) == 5 and all(abs(x - n) < 0.06 for x, n in zip(shares, listed)), "100 images per class: % = count"
    assert "tied, left out" not in text and "no tie left out" not in text, "no tie bookkeeping on the page"
    # the Keras scores stay the Keras lesson: no label-smoothing floor before the smoothed target is explained
    prose = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "lowest possible training loss" not in text and not re.search(r"(?<!cross-)\bentropy", prose), "entropy: undefined"
    # model.evaluate agrees with the scores computed from model.predict
    evaluated = re.search(r"^model\.evaluate: accuracy ([\d.]+)%, top-2 accuracy ([\d.]+)%, loss ([\d.]+)$", text, flags=re.M)
    accuracy = re.search(r"^accuracy on the 1,000-image test sample: ([\d.]+)%", text, flags=re.M)
    assert evaluated and accuracy and "the same accuracy as from model.predict above: True" in text
    assert evaluated.group(1) == accuracy.group(1) and float(evaluated.group(1)) <= float(evaluated.group(2))
    assert 0 < float(evaluated.group(3)) < np.log(10), "a loss below a uniform guess's"
    # the smoothed target the calibration prose points to
    assert re.search(r"^this model's training target \(label smoothing 0.1\): 0.91 for the true class, 0.01 for each other$", text, flags=re.M)
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
    assert (f'QUICK PROFILE (DATA = "sample"): numbers on a 1,000-image test sample; the shipped model reached {saved["accuracy"]:.2%} on '
            'all 10,000 test images, and lines starting "full test set:" give this model\'s numbers on all 10,000 (from results/)') in text
    expected = f"mean confidence {saved['mean_confidence']:.2%}"
    assert any(line.startswith("full test set: ") and expected in line for line in text.splitlines()), expected
    assert "a run on the sample leaves results/evaluation.json" in text
    # the full test set's values beside the sample's lessons: the surest mistakes, the calibration
    assert f"full test set: given 99% or more: {saved['sure'] or 'none'}" in text
    assert re.search(rf"^full test set: accuracy {saved['accuracy']:.2%}, mean confidence {saved['mean_confidence']:.2%}: calibration "
                     rf"gap [+-][\d.]+ points; ECE {saved['ece']:.4f}$", text, flags=re.M)
    assert "flip" not in saved, "flip TTA left the page, and the file"
    # the Wilson interval and the top-2 accuracy are computed on the page and agree with the library
    wilson = re.search(r"^Wilson interval computed by hand: ([\d.]+)% to ([\d.]+)%$", text, flags=re.M)
    assert wilson and f"(95% CI {wilson.group(1)}%-{wilson.group(2)}%, 1,000 images)" in text
    # the full test set's accuracy (from its results file) set against the sample's interval, with the right verdict
    full_accuracy = reference("minivggnet_improved")["test"]["accuracy"]
    inside = re.search(rf"^full test set: accuracy {full_accuracy:.2%} \(95% CI [^)]*\): (inside|outside) this sample's interval$", text,
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
    assert f"full test set: {listed}" in text
    assert "Guo et al." in "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "Label smoothing across the recorded runs" in nb.cells[-3].source, "the recorded runs: an exercise"


def test_04_the_first_bin_is_empty_and_the_plumbing_is_marked(executed):
    """The prose says the first confidence bin is always empty (no confidence is below 1/10); each call that prints only on a
    quick run says so; the page says "predicted", not "said"."""
    nb = executed("04")
    text = text_of(nb)
    held = re.search(r"^ECE over (\d+) bins \((\d+) of them hold predictions\)", text, flags=re.M)
    assert held and int(held.group(2)) < int(held.group(1)) and 1 / int(held.group(1)) <= 1 / 10, "the first bin lies below 1/10"
    prose = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "The first bin is always empty" in prose and "empty bins:" not in text
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    calls = [line for line in code.splitlines() if "full_test.show(" in line or "full_test.bars(" in line]
    assert len(calls) == 5 and all(line.endswith("# quick run only: the full test set's numbers") for line in calls)
    assert not re.search(r"\bsaid\b", prose + code + text), "one word: predicted"
    assert "bilinear" in code, "the enlargement's smoothing is named"
    assert "globals()" not in code, "the notebook passes the values it keeps by name"
    assert "recipe settings:" not in text, "the recipe's settings are notebook 03's; this page prints only the smoothing it uses"


def test_04_shows_the_nested_model_and_its_layers_in_order(executed):
    text = text_of(executed("04"))
    # (under load, one cell's printed text can come in two parts, which text_of joins with a newline)
    assert re.search(r"^model: models/minivggnet_improved\.keras: preprocess \(Rescaling\), minivggnet \(Sequential\)$", text, flags=re.M)
    layers = re.search(r"^the layers, in order: (.*)$", text, flags=re.M)
    assert layers and "logits" in layers.group(1).split(", ") and "block2_relu2" in layers.group(1).split(", ")


def test_04_full_test_set_lines_and_the_full_run_bookkeeping(tmp_path, capsys):
    """lab.evaluation_notes: FullTestSet prints the file's numbers on the sample when the model file matches; FullRun writes
    the file only for a full run of the shipped model."""
    import hashlib
    import json

    model = tmp_path / "model.keras"
    model.write_bytes(b"weights")
    saved = {"model": "m", "sha256": hashlib.sha256(b"weights").hexdigest(), "test_images": 10000, "mean_confidence": 0.8, "sure": "",
             "temperature": {"T": 0.66, "fitted_on": 5000, "as trained": {"ece": 0.09}, "temperature-scaled": {"ece": 0.01}}}
    (tmp_path / "evaluation.json").write_text(json.dumps(saved))
    record = {"test": {"images": 10000, "accuracy": 0.9, "ece": 0.1}}
    full_test = FullTestSet(model, record, "sample", 1000, file=tmp_path / "evaluation.json")
    for topic, interval in (("accuracy", (0.85, 0.95)), ("accuracy", (0.8, 0.85)), ("sure", None), ("calibration", None),
                            ("original", None), ("temperature", None)):
        full_test.show(topic, interval)
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith('QUICK PROFILE (DATA = "sample"): numbers on a 1,000-image test sample; the shipped model reached ')
    assert printed[0].endswith(', and lines starting "full test set:" give this model\'s numbers on all 10,000 (from results/)')
    assert printed[1].startswith("full test set: accuracy 90.00% (95% CI") and printed[1].endswith(": inside this sample's interval")
    assert printed[2].endswith(": outside this sample's interval")
    assert printed[3:] == ["full test set: given 99% or more: none",
                           "full test set: accuracy 90.00%, mean confidence 80.00%: calibration gap +10.0 points; ECE 0.1000"]
    # the surest mistakes of the full run, labelled as such; with no record for the model, a hint
    (tmp_path / "evaluation.json").write_text(json.dumps({**saved, "sure": "true cat, predicted frog 99.6%"}))
    assert FullTestSet(model, record, "sample", 1000, file=tmp_path / "evaluation.json").line("sure") == (
        "given 99% or more: true cat, predicted frog 99.6% (its most confident mistake, read from results/)")
    (tmp_path / "evaluation.json").write_text(json.dumps({**saved, "sure": "true cat, predicted frog 99.6%; true dog, predicted cat 99.1%"}))
    assert FullTestSet(model, record, "sample", 1000, file=tmp_path / "evaluation.json").line("sure").endswith(
        "(its 2 most confident mistakes, read from results/)")
    assert "DATA = \"full\"" in FullTestSet(model, record, "sample", 1000, file=tmp_path / "none.json").line("sure")
    (tmp_path / "evaluation.json").write_text(json.dumps(saved))
    capsys.readouterr()
    FullTestSet(model, record, "full", 10000, file=tmp_path / "evaluation.json").show("accuracy")  # the full data: no lines
    assert capsys.readouterr().out == ""
    run = FullRun(model, "m", "sample", 1000, file=tmp_path / "evaluation.json")
    run.keep(scores={"accuracy": 0.85, "ece": 0.05}, confidence=0.8)  # the values the notebook passes
    run.keep(temperature=0.7, fit_part=[1, 2])  # not kept until "checked" comes too
    assert run.measured["mean_confidence"] == 0.8 and run.measured["test_images"] == 1000 and "temperature" not in run.measured
    run.write()  # a run on the sample leaves the file as it is
    assert capsys.readouterr().out.startswith("a run on the sample leaves results/evaluation.json")
    assert json.loads((tmp_path / "evaluation.json").read_text()) == saved
    FullRun(model, "m", "full", 10000, file=tmp_path / "evaluation.json").write()  # not the shipped model
    assert capsys.readouterr().out == "this run evaluated m, not the shipped model: results/evaluation.json is left as it is\n"
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
    # the page's call: the right answers first, then the wrong ones with a second row, the true class's map
    from lab.evaluation_notes import grad_cam_figure, zoom_to_intervals
    images, maps = np.zeros((3, 32, 32, 3), "uint8"), np.zeros((3, 32, 32))
    figure = grad_cam_figure(images, ["a", "b", "c"], maps, maps[2:], "block2_relu2")
    assert [len(sub.axes) for sub in figure.subfigs] == [2 * 2, 2 * 3 + 1]  # 2 right (image, map); 1 wrong (image, 2 maps); colour bar
    assert figure.subfigs[0]._suptitle.get_text() == "Grad-CAM of block2_relu2: the first 2 test images the network gets right"
    sample = grad_cam_figure(images, ["a", "b", "c"], maps, maps[2:], "block2_relu2", "sample")
    assert sample.subfigs[0]._suptitle.get_text().endswith("the first 2 images of the test sample the network gets right")
    # the per-class bars' axis starts at the lowest interval end, rounded down to 10%
    import matplotlib.pyplot as plt
    _, ax = plt.subplots()
    assert zoom_to_intervals(ax, {"run": {"cat": (0.73, 0.9), "dog": (0.81, 0.95)}}) == 0.7 and ax.get_xlim()[0] == 0.7


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


def test_04_what_to_remember_is_a_few_bullets_that_hold_for_any_output(executed):
    """The summary is short markdown; its one quantitative claim (a tenth the images: ~3x the interval) holds."""
    nb = executed("04")
    text = text_of(nb)
    assert re.search(r"^compiled as loaded: False$", text, flags=re.M), "the file came uncompiled, as the prose says"
    summary = next(c.source for c in nb.cells if c.source.startswith("## What to remember"))
    assert 3 <= summary.count("\n- ") <= 5 and len(summary.split()) < 150
    assert "at the same accuracy, a tenth as many images make it about three times as wide" in " ".join(summary.split())
    from helpers import evaluation
    for accuracy in (0.6, 0.87, 0.95):
        (low, high), (tenth_low, tenth_high) = (evaluation.confidence_interval(accuracy, n) for n in (1000, 100))
        assert 2.5 < (tenth_high - tenth_low) / (high - low) < 3.5


def test_04_set_up_loads_the_training_images_only_for_a_stand_in(monkeypatch, capsys):
    from lab import evaluation_notes

    loaded, passed = [], []
    monkeypatch.setattr(evaluation_notes.datasets, "load", lambda *args: loaded.append(args) or (("x", "y"), ("xt", "yt")))
    monkeypatch.setattr(evaluation_notes.pretrained, "model_file",
                        lambda *args, train_if_missing=None: passed.append(train_if_missing) or (None, "m", None))
    evaluation_notes.set_up("reference", "sample", 42, 1000)  # the shipped model is there: no training images
    assert loaded == [] and passed == [None]
    monkeypatch.setattr(evaluation_notes.pretrained, "locate_model", lambda *args: None)
    evaluation_notes.set_up("reference", "sample", 42, 1000)  # no model file: the stand-in trains on them
    assert loaded == [("cifar10", "sample")] and passed[-1] == ("x", "y")
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith("TensorFlow ") and printed[1].startswith('QUICK PROFILE (DATA = "sample"): numbers on a 1,000-image')
