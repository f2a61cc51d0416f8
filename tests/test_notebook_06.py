"""Notebook 06_lenet_mnist: executed in the quick profile, checked on what it printed and wrote."""

import json
import re

import pytest

from helpers import data, recipes
from helpers.paths import ARTIFACTS_DIR, BUILD_DIR
from nbtools import reference, text_of


def test_06_evaluates_the_shipped_lenet_in_the_quick_profile(executed):
    text = text_of(executed("06"))
    assert "train per digit: [200, 200, 200, 200, 200, 200, 200, 200, 200, 200]" in text
    assert "total                                                  1,256,080     6,522,000" in text
    accuracy = float(re.search(r"test accuracy on the 1,000-digit test sample: (\d+\.\d+)%", text).group(1))
    assert "model: models/lenet_mnist.keras" in text and accuracy > 98.0
    assert (ARTIFACTS_DIR / "lenet_mnist_quick.keras").exists()
