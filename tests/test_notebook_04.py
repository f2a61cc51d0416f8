"""Notebook 04_evaluation: executed in the quick profile, checked on what it printed and wrote."""

import json
import re

import pytest

from helpers import data, recipes
from helpers.paths import ARTIFACTS_DIR, BUILD_DIR
from nbtools import reference, text_of


def test_04_evaluates_with_confidence_intervals_and_puts_the_model_to_use(executed):
    text = text_of(executed("04"))
    assert "test images: 1,000 (the sample: 100 per class)" in text
    assert "accuracy on the 1,000-image test sample:" in text and "(95% CI" in text
    improved = reference("minivggnet_improved")["test"]
    assert f"the same model on the full test set (results file): {improved['accuracy']:.2%} (95% CI" in text
    assert "precision    recall  f1-score   support" in text and "with flip TTA" in text
    shipped = reference("minivggnet_improved")
    assert shipped["data"]["split"] == {"train": 50000, "validation": 0}, "the shipped model trains on all 50,000 images"
    assert (f"recipe on all 50,000 training images for {shipped['epochs_run']} epochs: no validation images were left "
            f"to choose an epoch with, so the weights are those of the last epoch") in text
    assert "block2_relu2 heatmaps: 16x16 cells" in text
    eces = [float(e) for e in re.findall(r"(?:as trained|temperature-scaled): ECE ([\d.]+),", text)]
    assert len(eces) == 2 and eces[1] < eces[0], "temperature scaling lowers the ECE on the half it was not fitted on"
    assert "every predicted class unchanged: True" in text
    top3 = re.findall(r"^\s+(\w+) (\d+\.\d)%$", text, flags=re.M)[-3:]
    assert len(top3) == 3 and top3[0][0] in data.CLASS_NAMES, "the own-photo cell prints a top-3"
    for figure in ("04_confusion_matrix", "04_grad_cam", "04_first_layer_filters", "04_feature_maps_trained", "04_your_photo"):
        assert (BUILD_DIR / "figures" / f"{figure}.png").exists(), figure
