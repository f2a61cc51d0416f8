"""Notebook 04_evaluation: executed in the quick profile, checked on what it printed and wrote."""

import re

import numpy as np

from helpers import data, evaluation
from helpers.paths import BUILD_DIR, FIGURES_DIR, ROOT
from lab.evaluation_notes import FullRun, beside_full_test_set, largest_mistakes
from nbtools import reference, text_of


def test_04_evaluates_with_confidence_intervals_and_puts_the_model_to_use(executed):
    text = text_of(executed("04"))
    assert "test images: 1,000 (the test sample)" in text
    assert "accuracy on 1,000 test images:" in text and "(95% CI" in text
    improved = reference("minivggnet_improved")["test"]
    assert re.search(rf"^accuracy +[\d.]+% +{improved['accuracy']:.2%}$", text, flags=re.M), "the table: sample, then full test set"
    assert "precision    recall  f1-score   support" in text and "flip TTA" not in text, "flip TTA is an exercise"
    shipped = reference("minivggnet_improved")
    assert shipped["data"]["split"] == {"train": 50000, "validation": 0}, "the shipped model trains on all 50,000 images"
    chose = reference("minivggnet_improved_val")["data"]["split"]
    assert (f"the improved recipe was chosen on validation accuracy (results/README.md); its run minivggnet_improved_val trained on "
            f"{chose['train']:,} images and validated on {chose['validation']:,};\nthis model was then trained with the improved recipe on all 50,000 training images "
            f"for {shipped['epochs_run']} epochs: no validation images were left to choose an epoch with, so the weights are "
            f"those of the last epoch") in text
    # the page's Grad-CAM question answered once, from the maps: the right answers whose map peaks at the frame's edge
    edge = re.findall(r"^(?:right, but its map peaks at the edge of the frame: (the \w+ \(\d+%\)(?:, the \w+ \(\d+%\))*)"
                      r"|every right answer's map peaks at least 4 pixels inside the frame)$", text, flags=re.M)
    assert len(edge) == 1 and all(name in data.CLASS_NAMES for name in re.findall(r"the (\w+) \(", edge[0]))
    nb = executed("04")
    prose = " ".join("\n".join(c.source for c in nb.cells if c.cell_type == "markdown").split())  # (cell ids: renumbered on commit)
    answer = re.search(r"With the shipped model it names the (\w+):", prose)
    assert answer and f"the {answer.group(1)} (" in edge[0], "the prose's answer is the one the cell prints"
    assert "block2_relu2 heatmaps: 16x16 cells for a 32x32 image, each covering 2x2 pixels" in text
    overlap = re.search(r"^pairs of classes whose intervals overlap: (\d+) of 45$", text, flags=re.M)
    assert overlap and int(overlap.group(1)) > 0, "on 100 images a class, some intervals overlap"
    eces = [float(e) for e in re.findall(r"(?:as trained|temperature-scaled): ECE ([\d.]+),", text)]
    assert len(eces) == 2 and eces[1] < eces[0], "temperature scaling lowers the ECE on the half it was not fitted on"
    payoff = re.search(r"^so the ECE goes from ([\d.]+) to ([\d.]+), and the mean confidence lies [\d.]+ points", text, flags=re.M)
    assert payoff and [float(e) for e in payoff.groups()] == eces, "the payoff repeats the two ECEs"
    assert "every predicted class unchanged: True" in text
    # the claim about plain cross-entropy is shown: the original model's verdict follows its two printed numbers
    gap = re.search(r"calibration gap ([+-][\d.]+) points \(the ECE", text).group(1)
    verdict = "over" if float(gap) < 0 else "under"
    assert f"label smoothing 0.1 (this model): {gap} points ({verdict}-confident)\n" in text, "the gap above, beside the original's"
    verdict = re.search(r"^calibration gap, label smoothing 0 \(the original recipe's model\): ([+-][\d.]+) points "
                        r"\((over|under)-confident\)$", text, flags=re.M)
    assert verdict and verdict.group(2) == ("over" if float(verdict.group(1)) < 0 else "under"), "the model without smoothing"
    top3 = re.findall(r"^\s+(\w+) (\d+\.\d)%$", text, flags=re.M)[-3:]
    assert len(top3) == 3 and top3[0][0] in data.CLASS_NAMES, "the own-photo cell prints a top-3"
    for figure in ("04_confusion_matrix", "04_per_class_accuracy", "04_confident_mistakes", "04_reliability",
                   "04_temperature", "04_grad_cam", "04_your_photo"):
        assert (BUILD_DIR / "figures" / f"{figure}.png").exists(), figure


def test_04_writes_the_lesson_out_and_shows_the_library_agrees(executed):
    """model.predict and Grad-CAM are on the page; each is shown equal to the library's copy."""
    text = text_of(executed("04"))
    copies = re.search(r"^the library functions later notebooks call give this page's numbers: (True|False) \((.*)\)$", text, flags=re.M)
    assert copies and copies.group(1) == "True", "each library copy gives the result written out on the page"
    assert copies.group(2).split(", ") == ["evaluation.predict", "evaluation.confidence_interval", "evaluation.score",
                                           "evaluation.reliability_bins", "inspection.grad_cam"]
    assert "same as the library" not in text, "no library check in the teaching flow"
    # no bookkeeping in the lesson: the last cell is one library call, which checks and keeps the page's results
    code_cells = [c.source for c in executed("04").cells if c.cell_type == "code"]
    assert [i for i, source in enumerate(code_cells) if "evaluation_notes.bookkeeping(" in source] == [len(code_cells) - 1]
    assert len(code_cells[-1].splitlines()) <= 5, "the bookkeeping: the page's values by name, then one call"
    assert "page = dict(" in code_cells[-1] and "page = dict(" not in "".join(code_cells[:-1]), "that plumbing only at the end"
    assert re.search(r"^ECE over 15 bins \(\d+ hold predictions, from 0\.\d\d up\): [\d.]+$", text, flags=re.M)
    code = "\n".join(c.source for c in executed("04").cells if c.cell_type == "code")
    assert "evaluation_notes.name_and_record(path)" in code and "keras.saving.load_model(path)" in code, "the model is loaded on the page"
    assert 'path = paths.MODELS_DIR / "minivggnet_improved.keras"' in code and "keras.utils.set_random_seed(SEED)" in code
    assert "predicted = probs.argmax(1)" in code and "np.mean(predicted == y_test)" in code, "the accuracy computed on the page"
    assert code.index("np.mean(predicted == y_test)") < code.index("evaluation_notes.bookkeeping("), "before the library's scores"
    assert "model.predict(x_test.astype(\"float32\"), batch_size=" in code
    prose = "\n".join(c.source for c in executed("04").cells if c.cell_type == "markdown")
    assert "x_test[:, :, ::-1]" in prose and ":, :, ::-1]" not in code and "FLIP_VIEWS" not in code, "Exercise 3's answer is not on the page"
    assert "tf.GradientTape()" in code and "tape.gradient(" in code, "Grad-CAM written out on the page"
    assert "classification_report(y_test, predicted" in code and "pretrained." not in code, "the real tools and plain paths"
    assert "tf.gather(" not in code and "tf.one_hot(classes, 10)" in code, "each image's class logit picked by plain arithmetic"
    assert "x_train" not in code, "the training images are loaded by find_model, and only for a stand-in"
    assert max(len(line) for c in code_cells[1:] for line in c.splitlines()) <= 100, "short lines (but the Colab cell's)"
    exercises = next(c.source for c in executed("04").cells if c.source.startswith("## Exercises"))
    assert re.findall(r"^(\d)\. \*\*", exercises, flags=re.M) == list("12345") and "filter" not in exercises
    assert set(re.findall(r"Exercise (\d)", prose)) == {"1", "4"} and "4. **Label smoothing" in exercises, "the pointers follow the numbers"
    assert "np.digitize(" in code and "bins=(BINS, count, bin_confidence, bin_accuracy)" in code, "the bins written out, then compared"


def test_04_sentences_follow_the_printed_numbers(executed):
    nb = executed("04")
    text = text_of(nb)
    # the three most confident mistakes, most confident first; exactly those given 99% or more ask about their label
    # the mistakes given 99% or more, each with its place in the figure (the surest first); the sample points to the table
    surest = re.search(r"^(\d[\d,]*) mistakes; of them, given with 99% or more confidence: (\d+)$", text, flags=re.M)
    listed = re.findall(r"^  image (\d+) of the figure: true \w+, predicted \w+ ([\d.]+)%: is the label right\?$", text, flags=re.M)
    assert surest, "the count of the surest mistakes"
    assert [int(place) for place, _ in listed] == list(range(1, min(12, int(surest.group(2))) + 1))
    confidences = [float(x) for _, x in listed]
    assert confidences == sorted(confidences, reverse=True) and all(x >= 99 for x in confidences)
    # the sample names its own figure's surest mistake, then the full test set's, read from results/evaluation.json
    import json
    kept = json.loads((ROOT / "results" / "evaluation.json").read_text())["sure"]
    own = re.search(r"^  image 1 of the figure, the surest: true \w+, predicted \w+ ([\d.]+)%$", text, flags=re.M)
    assert own and (float(own.group(1)) >= 99) == bool(listed), "the figure's surest, and whether the list above holds it"
    full = re.search(r"^  on all 10,000 test images: (\d+) \((.*)\); in this sample (\d+), where a sample this size holds ([\d.]+) "
                     r"on average: too few to show one$", text, flags=re.M)
    assert full and full.group(2) == kept and int(full.group(1)) == kept.count(";") + 1 and full.group(3) == surest.group(2)
    assert abs(float(full.group(4)) - int(full.group(1)) / 10) < 0.051 and float(full.group(4)) < 1, "fewer than one expected"
    first = re.match(r"true (\w+), predicted (\w+) ", kept)  # the full test set's surest mistake, as results/ keeps it
    answer = next(c.source for c in nb.cells if c.cell_type == "markdown" and c.source.startswith("**One answer.**"))
    assert f"labelled *{first.group(1)}* and predicted *{first.group(2)}*" in " ".join(answer.split()), "the answer names the recorded mistake"
    prose = " ".join("\n".join(c.source for c in nb.cells if c.cell_type == "markdown").split())
    for copy_talk in ("quick copy", "full copy", "quick profile", "On the full test set, the surest", "image 1 there"):
        assert copy_talk not in prose, "the markdown reads the same in both copies: " + copy_talk
    largest = re.search(r"^on 1,000 images the counts are small: the largest, (\d+), could be (\d+) to (\d+) on another sample, "
                        r"so this order may be luck; on all 10,000 test images the largest is (\w+) taken for (\w+), (\d+) times$",
                        text, flags=re.M)
    count = int(largest.group(1))
    full_largest = largest_mistakes(np.array(reference("minivggnet_improved")["test"]["confusion_matrix"]))[0]
    assert (largest.group(4), largest.group(5), int(largest.group(6))) == full_largest[1:] + full_largest[:1], "read from results/"
    assert abs(int(largest.group(2)) - (count - 2 * count ** 0.5)) <= 0.5 and abs(int(largest.group(3)) - (count + 2 * count ** 0.5)) <= 0.5
    # the sample has no such mistake to show: after its own figure, the full run's (figures/, same model), captioned
    shown = FIGURES_DIR / "04_confident_mistakes.png"
    cell = next(c for c in nb.cells if "sample_note_mistakes(" in c.source)
    kinds = ["image" if "image/png" in o.get("data", {}) else o.get("text", "") for o in cell.outputs]
    caption = ("below, figures/04_confident_mistakes.png: the full test set's surest mistakes, drawn by this notebook's run on "
               "all 10,000 test images (its image 1 is the full test set's mistake named just above)\n")
    assert shown.exists() and kinds[-1] == "image", "the full run's figure, last"
    images = [k for k, kind in enumerate(kinds) if kind == "image"]
    assert len(images) == 2 and caption in "".join(kinds[images[0] + 1:images[1]]), "the sample's figure, caption, full run's"
    import base64
    assert base64.b64decode(cell.outputs[images[1]]["data"]["image/png"]) == shown.read_bytes(), "the file itself"
    # the per-class figure: one figure, the sample's bars beside the full test set's, after a line from both sets of intervals
    cell = next(c for c in nb.cells if "sample_note_per_class(" in c.source)
    kinds = ["image" if "image/png" in o.get("data", {}) else o.get("text", "") for o in cell.outputs]
    images = [k for k, kind in enumerate(kinds) if kind == "image"]
    before = "".join(kind for kind in kinds[:images[0]] if kind != "image") if len(images) == 1 else ""
    matrix = np.array(reference("minivggnet_improved")["test"]["confusion_matrix"])
    on_full = [evaluation.confidence_interval(matrix[i, i] / matrix[i].sum(), int(matrix[i].sum())) for i in range(10)]
    full_overlap = sum(a[0] <= b[1] and b[0] <= a[1] for k, a in enumerate(on_full) for b in on_full[k + 1:])
    wider = re.search(rf"(so most of this ranking may be luck: )?these intervals are ([\d.]+) times as wide as on all 10,000 "
                      rf"test images, where {full_overlap} of 45 pairs overlap\nthe figure: the page's bars for this sample, "
                      rf"and beside them the same model's on all 10,000 test images \(results/\)\n$", before)
    sample_overlap = int(re.search(r"^pairs of classes whose intervals overlap: (\d+) of 45$", text, flags=re.M).group(1))
    assert len(images) == 1 and kinds[-1] == "image", "one figure: the page's, redrawn with both sets of bars"
    assert wider and bool(wider.group(1)) == (sample_overlap > 22.5) and 2.5 < float(wider.group(2)) < 4.5, "about sqrt(10)"
    # the quick profile's comparison: announced once, then one table, printed by the bookkeeping cell at the very end
    lines = text.splitlines()
    banner = [line for line in lines if line.startswith('QUICK PROFILE (DATA = "sample")')]
    assert len(banner) == 1 and "the table at the end of the page" in banner[0], "one line of preamble"
    assert not any("quick profile only" in c.source for c in nb.cells), "no section of its own, which a full copy would read"
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    tables = [i for i, c in enumerate(code_cells) if "\nmeasure " in "".join(o.get("text", "") for o in c.get("outputs", []))]
    assert tables == [len(code_cells) - 1] and "evaluation_notes.bookkeeping(" in code_cells[-1].source, "in the last cell"
    bookkeeping = next(c.source for c in nb.cells if c.source.startswith("## Bookkeeping"))
    assert "says what it does with the page's key numbers" in " ".join(bookkeeping.split()), "its code says which, not the markdown"
    code = "\n".join(c.source for c in code_cells)
    assert "full_test" not in code, "no quick-run-only calls in the lesson's cells"
    prose = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "quick profile's sample" not in prose and "table near the end" not in prose, "no quick-profile asides in the lesson"
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


def table_of(text: str) -> dict:
    """The quick profile's comparison table: {measure: (this copy's value, the full test set's)}."""
    start = text.index("\nmeasure ") + 1
    rows = text[start:].splitlines()[1:]
    rows = rows[:next(k for k, row in enumerate(rows) if row.startswith("the full test set's accuracy"))]
    found = {}
    for row in rows:
        measure, sample, full = re.fullmatch(r"(\S.*?|  \S.*?) {2,}(\S.*?) {2,}(\S.*)", row).groups()
        found[measure.strip()] = (sample, full)
    return found


def test_04_the_table_sets_the_samples_headline_numbers_beside_the_full_test_sets(executed):
    """The table's headline rows (accuracy and its interval, the top three confusions, the ECE, T), each the same as the page
    printed it, beside the full test set's from results/; the per-class rows are the per-class figure's."""
    import json

    text = text_of(executed("04"))
    table = table_of(text)
    full = reference("minivggnet_improved")["test"]
    saved = json.loads((ROOT / "results" / "evaluation.json").read_text())
    wilson = re.search(r"^the library's Wilson interval: ([\d.]+%) \(95% CI ([\d.]+%-[\d.]+%), 1,000 images\)$", text, flags=re.M)
    assert table["accuracy"] == (wilson.group(1), f"{full['accuracy']:.2%}")
    low, high = evaluation.confidence_interval(full["accuracy"], full["images"])
    assert table["its 95% CI (Wilson)"] == (wilson.group(2), f"{low:.2%}-{high:.2%}")
    largest = re.findall(r"^ *(\w+ taken for \w+) +(\d+) times \(", text, flags=re.M)
    assert [table[f"the {k} confusion"][0] for k in ("largest", "2nd", "3rd")] == [f"{pair} {n}" for pair, n in largest[:3]]
    ece = re.search(r"^ECE over 15 bins \(\d+ hold predictions, from [\d.]+ up\): ([\d.]+)$", text, flags=re.M).group(1)
    assert table["ECE (15 bins)"] == (ece, f"{full['ece']:.4f}")
    t = re.search(r"^temperature ([\d.]+), fitted on (\d+) test images", text, flags=re.M)
    found = saved["temperature"]
    assert table["temperature T"] == (f"{t.group(1)} (fitted on {t.group(2)})", f"{found['T']:.2f} (fitted on {found['fitted_on']:,})")
    assert len(table) == 2 + 3 + 2, "every row checked above"


def test_04_scores_with_keras_and_lists_the_largest_mistakes(executed):
    nb = executed("04")
    text = text_of(nb)
    # the calibration gap under its name: the accuracy minus the mean confidence
    gap = re.search(r"^accuracy ([\d.]+)%, mean confidence ([\d.]+)%: calibration gap ([+-][\d.]+) points \(the ECE in points: "
                    r"[\d.]+\)$", text, flags=re.M)
    assert gap and abs(float(gap.group(1)) - float(gap.group(2)) - float(gap.group(3))) < 0.06
    # the five largest mistakes, largest first
    listed = [int(n) for n in re.findall(r"^ *\w+ taken for \w+ +(\d+) times \(", text, flags=re.M)]
    assert len(listed) == 5 and listed == sorted(listed, reverse=True)
    shares = [float(x) for x in re.findall(r"^ *\w+ taken for \w+ +\d+ times \(([\d.]+)% of all \w+ images\)$", text, flags=re.M)]
    assert len(shares) == 5 and all(abs(x - n) < 0.06 for x, n in zip(shares, listed)), "100 images per class: % = count"
    assert "tied, left out" not in text and "no tie left out" not in text, "no tie bookkeeping on the page"
    pair = re.search(r"^mistaken for each other most often: (\w+) and (\w+), (\d+) of ([\d,]+) mistakes \((\d+)%\)$", text, flags=re.M)
    assert pair and pair.group(1) != pair.group(2) and int(pair.group(3)) >= listed[0], "both directions: at least the largest cell"
    assert abs(100 * int(pair.group(3)) / int(pair.group(4).replace(",", "")) - int(pair.group(5))) <= 0.5
    # the Keras scores stay the Keras lesson: no label-smoothing floor before the smoothed target is explained
    prose = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "lowest possible training loss" not in text and not re.search(r"(?<!cross-)\bentropy", prose), "entropy: undefined"
    # model.evaluate agrees with the scores computed from model.predict
    evaluated = re.search(r"^model\.evaluate: accuracy ([\d.]+)%, top-2 accuracy ([\d.]+)%, loss ([\d.]+)$", text, flags=re.M)
    accuracy = re.search(r"^accuracy on 1,000 test images: ([\d.]+)%", text, flags=re.M)
    assert evaluated and accuracy and "the same accuracy as from model.predict above: True" in text
    assert evaluated.group(1) == accuracy.group(1) and float(evaluated.group(1)) <= float(evaluated.group(2))
    assert 0 < float(evaluated.group(3)) < np.log(10), "a loss below a uniform guess's"
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "model.evaluate(" in code and "np.add.at(confusion" in code and "einsum" not in code
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
    assert "flip" not in saved, "flip TTA left the page, and the file"
    found = saved["temperature"]  # the temperature fitted on half the full test set, checked on the other half
    assert found["fitted_on"] == 5000 and found["temperature-scaled"]["ece"] < found["as trained"]["ece"]
    nb = executed("04")
    text = text_of(nb)
    assert (f'QUICK PROFILE (DATA = "sample"): numbers on a 1,000-image test sample; the shipped model reached {saved["accuracy"]:.2%} on '
            "all 10,000 test images; the table at the end of the page sets this copy's numbers beside the full test set's") in text
    assert "a run on the sample leaves results/evaluation.json" in text
    assert re.search(r"^measure +this copy \(1,000 images\) +the full test set \(10,000 images, from results/\)$", text, flags=re.M)
    # the interval p +- z*se by hand, then the library's Wilson interval: on 1,000 images within z^2/n = 0.38 points of it
    by_hand = re.search(r"^accuracy on 1,000 test images: ([\d.]+)%, 95% CI by hand ([\d.]+)% to ([\d.]+)%$", text, flags=re.M)
    wilson = re.search(r"^the library's Wilson interval: ([\d.]+)% \(95% CI ([\d.]+)%-([\d.]+)%, 1,000 images\)$", text, flags=re.M)
    assert by_hand and wilson and by_hand.group(1) == wilson.group(1)
    assert all(abs(float(by_hand.group(k)) - float(wilson.group(k))) < 0.39 for k in (2, 3))
    low, high = float(wilson.group(2)), float(wilson.group(3))  # the sample's (Wilson) interval
    # the full test set's accuracy (from its results file) set against the sample's interval, with the right verdict
    full_accuracy = reference("minivggnet_improved")["test"]["accuracy"]
    inside = re.search(rf"^the full test set's accuracy, {full_accuracy:.2%}, lies (inside|outside) this copy's 95% CI$", text, flags=re.M)
    assert inside and inside.group(1) == ("inside" if low <= 100 * full_accuracy <= high else "outside")
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "TopKCategoricalAccuracy(k=2" in code and "np.sqrt(p * (1 - p) / n" in code


def test_04_quick_profile_sets_the_full_test_sets_list_beside_the_samples(executed):
    """The quick profile's table sets the full test set's largest mistakes beside the sample's, from the model's results file."""
    from lab.evaluation_notes import largest_mistakes

    nb = executed("04")
    table = table_of(text_of(nb))
    confusion = np.array(reference("minivggnet_improved")["test"]["confusion_matrix"])
    assert [table[f"the {k} confusion"][1] for k in ("largest", "2nd", "3rd")] == [
        f"{true} taken for {said} {n}" for n, true, said in largest_mistakes(confusion)[:3]]
    assert "Guo et al." in "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "Label smoothing across the recorded runs" in nb.cells[-3].source, "the recorded runs: an exercise"


def test_04_the_first_bin_is_empty_and_the_ece_is_near_the_gap(executed):
    """The prose says the lowest confidence bin is always empty (no confidence is below 1/10), and why the ECE and the
    calibration gap nearly agree; the page says "predicted", not "said"."""
    nb = executed("04")
    text = text_of(nb)
    held = re.search(r"^ECE over (\d+) bins \((\d+) hold predictions, from ([\d.]+) up\)", text, flags=re.M)
    bins, filled, start = int(held.group(1)), int(held.group(2)), float(held.group(3))
    assert filled < bins and 1 / bins <= 1 / 10 and start >= 1 / bins, "the lowest bin lies below 1/10"
    assert abs(start * bins - round(start * bins)) < 0.1 and filled <= bins - round(start * bins), "the filled bins start at an edge"
    prose = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    said = ("With ten classes the top probability is at least 1/10, so the lowest bin (0 to 1/15) is always empty; the next "
            "(1/15 to 2/15) could hold only near-uniform outputs (top probability 0.10 to 0.13), so it is nearly always empty too.")
    assert said in " ".join(prose.split()) and "empty bins:" not in text and "first printed edge" not in prose
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    # the ECE and the calibration gap nearly agree, as the prose says, because nearly every prediction is in an under-confident bin
    ece = float(re.search(r"^ECE over \d+ bins \(.*\): ([\d.]+)$", text, flags=re.M).group(1))
    gap, in_points = map(float, re.search(r"calibration gap ([+-][\d.]+) points \(the ECE in points: ([\d.]+)\)$", text,
                                          flags=re.M).groups())
    assert abs(in_points - 100 * ece) < 0.051, "the ECE, in the gap's units"
    under = re.search(r"^under-confident bins: (\d+) of (\d+), with ([\d.]+)% of the predictions$", text, flags=re.M)
    assert under and int(under.group(1)) <= int(under.group(2)) == filled and float(under.group(3)) >= 95 and gap > 0
    assert 100 * ece >= abs(gap) - 0.05 and 100 * ece - abs(gap) < 1, "ECE >= |gap|, close here"
    assert "here both say about the same, as nearly every prediction sits in an under-confident bin" in " ".join(prose.split())
    assert not re.search(r"\bsaid\b", prose + code + text), "one word: predicted"
    assert "bilinear" in code, "the enlargement's smoothing is named"
    assert "globals()" not in code, "the notebook passes the values it keeps by name"
    assert "recipe settings:" not in text, "the recipe's settings are notebook 03's; this page prints only the smoothing it uses"


def test_04_shows_the_nested_model_and_its_layers_in_order(executed):
    text = re.sub(r"\x1b\[[\d;]*m", "", text_of(executed("04")))  # model.summary's table, its colour codes removed
    assert re.search(r"^model: models/minivggnet_improved\.keras$", text, flags=re.M)
    rows = re.findall(r"^│ +(└ )?(\w+) \((\w+)\) +│ \(None, ([\d, ]+)\) +│", text[:text.index("probabilities: (")], flags=re.M)
    assert [row[1:3] for row in rows[:2]] == [("preprocess", "Rescaling"), ("minivggnet", "Sequential")] and not rows[1][0]
    inner = {name: shape for nested, name, _, shape in rows if nested}  # the nested network's layers, opened
    assert list(inner)[-2:] == ["logits", "softmax"] and inner["logits"] == "10", "the logits, listed at load before they are used"
    assert inner["block2_relu2"] == "16, 16, 64", "Grad-CAM's layer, and the grid its maps have"


def test_04_the_table_and_the_full_run_bookkeeping(tmp_path, capsys):
    """lab.evaluation_notes: the table sets the sample's numbers beside the file's when the model file matches (a full run: one
    line); FullRun writes the file only for a full run of the shipped model."""
    import hashlib
    import json

    model = tmp_path / "model.keras"
    model.write_bytes(b"weights")
    saved = {"model": "m", "sha256": hashlib.sha256(b"weights").hexdigest(), "test_images": 10000, "mean_confidence": 0.8,
             "sure": "true cat, predicted frog 99.6%",
             "temperature": {"T": 0.66, "fitted_on": 5000, "as trained": {"ece": 0.09}, "temperature-scaled": {"ece": 0.01}}}
    (tmp_path / "evaluation.json").write_text(json.dumps(saved))
    record = {"test": {"images": 10000, "accuracy": 0.9, "top2_accuracy": 0.95, "loss": 0.4, "ece": 0.1,
                       "confusion_matrix": (900 * np.eye(10, dtype=int) + 100 * np.eye(10, k=1, dtype=int)
                                            + 100 * np.eye(10, k=-9, dtype=int)).tolist()}}
    labels = np.repeat(np.arange(10), 10)[:-9]  # 91 images: 10 per class except the last, with 1
    probs = np.full((len(labels), 10), 0.05)
    probs[np.arange(len(labels)), labels] = 0.55
    probs[30, [3, 5]] = 0.05, 0.55  # one cat taken for a dog
    page = (labels, probs, {"top2_accuracy": 0.97, "loss": 0.5}, (0.7, np.arange(45), np.arange(45, 91), probs))
    from lab.evaluation_notes import page_values  # the rest of the page's values, recomputed as the page does
    assert np.array_equal(np.flatnonzero(page_values(*page)["confusion"] != 10 * np.eye(10)), [33, 35, 99])
    surer = probs.copy()
    surer[30, 5] = 0.995
    assert list(page_values(labels, surer, *page[2:])["sure"]) == [30] and list(page_values(*page)["sure"]) == []
    path = tmp_path / "evaluation.json"
    beside_full_test_set(*page, model, record, "sample", file=path)
    printed = capsys.readouterr().out
    assert printed.startswith("measure") and printed.splitlines()[0].split()[1:] == [
        "this", "copy", "(91", "images)", "the", "full", "test", "set", "(10,000", "images,", "from", "results/)"]
    table = table_of("\n" + printed)
    assert table["accuracy"] == ("98.90%", "90.00%") and table["the largest confusion"] == (
        "cat taken for dog 1", "airplane taken for automobile 100")
    assert table["temperature T"] == ("0.70 (fitted on 45)", "0.66 (fitted on 5,000)") and table["ECE (15 bins)"][1] == "0.1000"
    assert len(table) == 7 and "accuracy of cat" not in table, "the headline rows only: the per-class rows are the figure's"
    assert printed.splitlines()[-1] == "the full test set's accuracy, 90.00%, lies outside this copy's 95% CI"
    beside_full_test_set(*page, model, record, "full", file=path)  # the full data: one line, nothing to compare
    assert capsys.readouterr().out == "this copy measured all 91 test images: nothing to set beside them\n"
    beside_full_test_set(*page, model, None, "sample", file=path)  # no record for this model
    assert capsys.readouterr().out == "results/ holds no numbers on the full test set for this model: nothing to compare\n"
    (tmp_path / "evaluation.json").write_text(json.dumps({**saved, "sha256": "another model"}))
    beside_full_test_set(*page, model, record, "sample", file=path)  # the file describes another model: its rows say so
    assert "temperature T" in (out := capsys.readouterr().out) and out.count("(not in results/)") == 1
    (tmp_path / "evaluation.json").write_text(json.dumps(saved))
    run = FullRun(model, "m", "sample", 1000, file=tmp_path / "evaluation.json")
    run.keep(scores={"accuracy": 0.85, "ece": 0.05}, confidence=0.8)  # the values the notebook passes
    assert run.measured["mean_confidence"] == 0.8 and run.measured["test_images"] == 1000 and "temperature" not in run.measured
    run.keep(temperature={"T": 0.7, "fitted_on": 500})
    assert run.measured["temperature"] == {"T": 0.7, "fitted_on": 500}
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
    from lab.evaluation_notes import grad_cam_figure
    images, maps = np.zeros((3, 32, 32, 3), "uint8"), np.zeros((3, 32, 32))
    figure = grad_cam_figure(images, ["a", "b", "c"], maps, maps[2:], "block2_relu2")
    assert [len(sub.axes) for sub in figure.subfigs] == [2 * 2, 2 * 3 + 1]  # 2 right (image, map); 1 wrong (image, 2 maps); colour bar
    assert figure.subfigs[0]._suptitle.get_text() == "Grad-CAM of block2_relu2: the first 2 test images the network gets right"
    sample = grad_cam_figure(images, ["a", "b", "c"], maps, maps[2:], "block2_relu2", "sample")
    assert sample.subfigs[0]._suptitle.get_text().endswith("the first 2 images of the test sample the network gets right")


def test_04_trained_on_says_which_epoch_the_weights_come_from():
    from lab.evaluation_notes import trained_on

    record = {"recipe": {"name": "improved"}, "epochs_run": 30, "best_epoch": 27, "data": {"split": {"train": 45000, "validation": 5000}}}
    assert trained_on(record).endswith("on 45,000 images for 30 epochs; the weights kept are those of epoch 27, the best on "
                                       "validation accuracy")
    record["data"]["split"] = {"train": 50000, "validation": 0}
    assert trained_on(record).endswith("on all 50,000 training images for 30 epochs: no validation images were left to choose "
                                       "an epoch with, so the weights are those of the last epoch")
    chose = reference("minivggnet_improved_val")["data"]["split"]  # the run that chose the recipe, read from results/
    assert trained_on(record).startswith(f"the improved recipe was chosen on validation accuracy (results/README.md); its run "
                                         f"minivggnet_improved_val trained on {chose['train']:,} images and validated on "
                                         f"{chose['validation']:,};\nthis model was then trained")


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
    assert "at the same accuracy, a tenth as many images make it about √10 times as wide, a little over three" in " ".join(summary.split())
    from helpers import evaluation
    for accuracy in (0.6, 0.87, 0.95):
        (low, high), (tenth_low, tenth_high) = (evaluation.confidence_interval(accuracy, n) for n in (1000, 100))
        assert 2.5 < (tenth_high - tenth_low) / (high - low) < 3.5


def test_04_find_model_loads_the_training_images_only_for_a_stand_in(monkeypatch, capsys):
    from lab import evaluation_notes

    loaded, passed = [], []
    monkeypatch.setattr(evaluation_notes.datasets, "load", lambda *args: loaded.append(args) or (("x", "y"), ("xt", "yt")))
    monkeypatch.setattr(evaluation_notes.pretrained, "model_file",
                        lambda *args, train_if_missing=None: passed.append(train_if_missing) or (ROOT / "m.keras", "m", None))
    assert evaluation_notes.find_model("auto", "sample") == ROOT / "m.keras"  # a model is found: no training images
    assert loaded == [] and passed == [None]
    monkeypatch.setattr(evaluation_notes.pretrained, "locate_model", lambda *args: None)
    evaluation_notes.find_model("auto", "sample")  # no model file: the stand-in trains on them
    assert loaded == [("cifar10", "sample")] and passed[-1] == ("x", "y")
    shipped = ROOT / "models" / "minivggnet_improved.keras"
    source, record = evaluation_notes.name_and_record(shipped)
    assert source == "models/minivggnet_improved.keras" and record == reference("minivggnet_improved"), "its name and record"
    assert capsys.readouterr().out == "", "finding the name prints nothing"
    evaluation_notes.sample_banner(1000)
    assert capsys.readouterr().out.startswith('QUICK PROFILE (DATA = "sample"): numbers on a 1,000-image')
    evaluation_notes.sample_note_confusions(np.eye(10, dtype=int), record, "full")
    evaluation_notes.sample_note_mistakes(shipped, "full", np.array([0, 1]), np.full((2, 10), 0.1))
    evaluation_notes.sample_note_per_class(None, {"cat": 0.55}, {"cat": (0.5, 0.6)}, record, "full")
    assert capsys.readouterr().out == "", "the sample's notes print nothing in a full run"


def test_04_the_pages_layer_list_is_the_librarys():
    """layer_outputs on the page lists the saved model's layers as [Rescaling, *the nested network's]: inspection.flat_layers."""
    import keras
    import nbformat

    from helpers import inspection

    page = next(c.source for c in nbformat.read(ROOT / "notebooks" / "04_evaluation.ipynb", 4).cells
                if c.source.startswith("def layer_outputs("))
    assert "layers = [model.layers[0], *model.layers[1].layers]" in page
    model = keras.saving.load_model(ROOT / "models" / "minivggnet_improved.keras")
    assert [model.layers[0], *model.layers[1].layers] == inspection.flat_layers(model)


def test_04_names_a_class_over_called_only_beyond_luck(executed):
    """The report's reading lists a class as over-called only when its excess of calls over its own images passes
    twice the square root of wrongly-called plus missed: recomputed here from the printed report."""
    text = text_of(executed("04"))
    rows = {name: re.search(rf"^\s+{name}\s+([\d.]+)\s+([\d.]+)\s+[\d.]+\s+(\d+)$", text, flags=re.M)
            for name in data.CLASS_NAMES}
    over = []
    for name, row in rows.items():
        precision, recall, support = float(row.group(1)), float(row.group(2)), int(row.group(3))
        hits = round(recall * support)
        wrongly, missed = (round(hits / precision) - hits if precision else 0), support - hits
        if wrongly - missed > 2 * np.sqrt(wrongly + missed):
            over.append(name)
    line = re.search(r"^lowest recall: .*; over-called beyond luck: (.+)$", text, flags=re.M)
    assert line and line.group(1) == (", ".join(over) or "none"), "the listed classes follow the report's counts"
