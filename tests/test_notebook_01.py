"""Notebook 01_data_exploration: executed in the quick profile, checked on what it printed and wrote."""

import json
import re

import pytest

from helpers import data, recipes
from helpers.paths import ARTIFACTS_DIR, BUILD_DIR
from nbtools import reference, text_of


def test_01_explores_the_sample(executed):
    text = text_of(executed("01"))
    assert "train: (2000, 32, 32, 3) uint8" in text
    assert "train per class: [200, 200, 200, 200, 200, 200, 200, 200, 200, 200]" in text
    assert "overlap 0" in text and "validation per class: [20, 20" in text
    assert "computed on the 1800 training-split images" in text
    assert "closest pairs shown:" in text
    assert (BUILD_DIR / "figures" / "01_examples_per_class.png").exists()
