"""Notebook 05_shallow_vs_minivggnet: executed in the quick profile, checked on what it printed and wrote."""

import re

import numpy as np
import nbformat

from helpers import data
from lab import notebooks
from nbtools import reference, text_of


def _markdown(prefix: str) -> str:
    path = notebooks.notebook_paths([prefix])[0]
    return "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown")


def test_05_separates_architecture_from_recipe(executed):
    text = text_of(executed("05"))
    assert "shallownet:   328,586 parameters,   1.2 M multiply-adds per image" in text
    assert "MiniVGGNet: 6.6x the parameters, 22x the multiply-adds per image" in text
    assert "the classifier reads 32,768 values, each from a 3x3 window" in text, "what the prose says ShallowNet sees"
    assert "the classifier reads 4,096 values, each from a 16x16 window" in text, "what the prose says MiniVGGNet sees"
    assert "lowest possible loss with label smoothing 0.1: 0.500" in text


def test_05_prints_the_full_runs_numbers_beside_every_quick_effect(executed):
    text = text_of(executed("05"))
    assert "only the test columns are measured here, on the 1,000-image test sample" in text, "says why no gap on the sample"
    for name in ("shallownet_original", "minivggnet_original", "minivggnet_improved_val", "minivggnet_improved"):
        run = reference(name)
        val = f"{run['history']['val_accuracy'][run['best_epoch'] - 1]:.3f}" if "val_accuracy" in run["history"] else " seen"
        assert re.search(rf"^\s*{name}\s+\d\.\d{{3}}\s+\d\.\d{{3}}-\d\.\d{{3}}\s+{run['test']['accuracy']:.3f}, {val}$", text,
                         flags=re.M), f"{name}: sample test accuracy, its CI, and the full run's test and validation accuracy"
    effects = re.findall(r"^\w+ \(.*\):\s+[+-]\d+\.\d \+- \d+\.\d points(?: \(noise\))?\s+([+-]\d+\.\d) \+- \d+\.\d points",
                         text, flags=re.M)
    pairs = [("shallownet_original", "minivggnet_original"), ("minivggnet_original", "minivggnet_improved_val"),
             ("minivggnet_improved_val", "minivggnet_improved")]
    expected = [f"{100 * (reference(b)['test']['accuracy'] - reference(a)['test']['accuracy']):+.1f}" for a, b in pairs]
    assert effects == expected, "each paired effect on the sample with the full runs' difference beside it"
    before, after = reference("shallownet_original")["test"]["per_class"], reference("minivggnet_original")["test"]["per_class"]
    for kind, members in data.CIFAR10.groups.items():
        full = 100 * np.mean([after[c]["recall"] - before[c]["recall"] for c in members])
        assert re.search(rf"average gain, {kind}s: [+-]\d+\.\d points \(full runs: {re.escape(f'{full:+.1f}')}\)", text), kind
    assert len(re.findall(r"^\s*\w+ +\d+\.\d% -> +\d+\.\d% +[+-]\d+\.\d \+- +\d+\.\d.*\s[+-]\d+\.\d$", text, flags=re.M)) == 10


def test_05_defines_its_terms_and_cites_what_it_does_not_measure():
    prose = _markdown("05")
    for term, definition in (("recipe", "*recipe* (everything about training except the network itself"),
                             ("CI", "**95% confidence interval (CI)**"),
                             ("paired", "*paired\ncomparison*")):
        assert definition in prose, term
    assert prose.index("**95% confidence interval (CI)**") < prose.index("CI comes from their"), "CI defined before use"
    for reference_ in ("Zeiler &\n  Fergus (2014", "Ioffe & Szegedy, 2015", "Srivastava et al., 2014"):
        assert reference_ in prose, "claims the series does not test are attributed to the literature"
    assert "not findings of this series" in prose
    source = "\n".join(c.source for c in nbformat.read(notebooks.notebook_paths(["05"])[0], as_version=4).cells)
    assert "NBVAL" not in source
