"""Notebook 02_building_minivggnet: executed in the quick profile, checked on what it printed and wrote."""

import json
import re

import pytest

from helpers import data, recipes
from helpers.paths import ARTIFACTS_DIR, BUILD_DIR
from nbtools import reference, text_of


def test_02_builds_the_exact_network(executed):
    text = text_of(executed("02"))
    assert "total 2,171,178, trainable 2,169,770, non-trainable 1,408" in text
    assert "head_fc holds 2,097,664 of 2,171,178 parameters (96.6%)" in text
    assert "3x3 windows containing a pixel: corner 4, edge 6, interior 9" in text
    assert "the last convolution (block2_conv2) sees 14x14 input pixels" in text
    assert "widest convolution receptive field 14x14" in text
