"""Notebook 05_shallow_vs_minivggnet: executed in the quick profile, checked on what it printed and wrote."""

import json
import re

import pytest

from helpers import data, recipes
from helpers.paths import ARTIFACTS_DIR, BUILD_DIR
from nbtools import reference, text_of


def test_05_separates_architecture_from_recipe(executed):
    text = text_of(executed("05"))
    assert "shallownet:   328,586 parameters,   1.2 M multiply-adds per image" in text
    assert "MiniVGGNet: 6.6x the parameters, 22x the multiply-adds per image" in text
    assert "architecture (ShallowNet -> MiniVGGNet, both original recipe):" in text
    assert "recipe (MiniVGGNet original -> improved):" in text
    assert "data (improved recipe, 45,000 -> all 50,000 training images):" in text
    assert len(re.findall(r"^\w+ \(.*\):\s+[+-]\d+\.\d \+- \d+\.\d points", text, flags=re.M)) == 3, "each effect with its paired noise"
    assert re.search(r"^\s+minivggnet_improved\s+\d\.\d{3}\s+seen\s+\d\.\d{3}", text, flags=re.M), "no validation for the 50k model"
    assert "lowest possible loss with label smoothing 0.1: 0.500" in text
