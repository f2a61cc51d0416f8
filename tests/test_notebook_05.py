"""Notebook 05_shallow_vs_minivggnet: executed in the quick profile, checked on what it printed and wrote."""

import dataclasses
import re

import numpy as np
import nbformat

from helpers import data, recipes
from lab import notebooks
from nbtools import reference, text_of


def _markdown(prefix: str) -> str:
    path = notebooks.notebook_paths([prefix])[0]
    return "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown")


def test_05_prints_cost_speed_and_the_loss_floor(executed):
    text = text_of(executed("05"))
    assert "shallownet:   328,586 parameters,   1.2 M multiply-adds per image" in text
    assert "MiniVGGNet: 6.6x the parameters, 22x the multiply-adds per image" in text
    assert "the classifier reads 32,768 values, each from a 3x3 window" in text, "what the prose says ShallowNet sees"
    assert "the classifier reads 4,096 values, each from a 16x16 window" in text, "what the prose says MiniVGGNet sees"
    assert "lowest possible loss with label smoothing 0.1: 0.500" in text
    assert "from 12 batches of 32 (its reference run, on its machine and day:" in text, "how the speed was measured"
    assert "from 12 batches of 64 (its reference run, on its machine and day:" in text
    assert "epochs: original recipe 40, improved recipe 30" in text, "why the improved curve stops early"


def test_05_prints_what_changes_in_each_step(executed):
    text = text_of(executed("05"))
    first = text.index("ShallowNet's original settings -> MiniVGGNet's:")
    second = text.index("MiniVGGNet's original recipe -> the improved one:")
    assert first < second
    for line in ("batch_size                     32 -> 64", "momentum                      0.0 -> 0.9",
                 "nesterov                    False -> True", "schedule                 constant -> inverse_time"):
        assert line in text[first:second], line
    for line in ("optimizer                     sgd -> adamw", "schedule             inverse_time -> warmup_cosine",
                 "weight_decay                  0.0 -> 0.01", "label_smoothing               0.0 -> 0.1",
                 "augment                     False -> True", "normalization                unit -> standardize",
                 "whiten_first_layer          False -> True"):
        assert line in text[second:], line
    assert "test images per class: [100, 100, 100, 100, 100, 100, 100, 100, 100, 100]" in text
    for where, images in (("here", "1,000"), ("full runs", "10,000")):
        block = re.search(rf"^{where} \({images} test images\):\n((?:  .*\n?){{4}})", text, flags=re.M)
        assert block, f"the conclusion, {where}"
        assert re.search(r"^  network \+ its original settings +(a gain|a loss|no difference beyond the noise) \([+-]\d+\.\d \+- ",
                         block.group(1), flags=re.M)
        assert re.search(r"^  largest step: (network \+ its original settings|recipe|data)$", block.group(1), flags=re.M)


def test_05_prints_the_full_runs_numbers_beside_every_quick_effect(executed):
    text = text_of(executed("05"))
    assert "only the test columns are measured here, on the 1,000-image test sample" in text, "says why no gap on the sample"
    for name in ("shallownet_original", "minivggnet_original", "minivggnet_improved_val", "minivggnet_improved"):
        run = reference(name)
        val = f"{run['history']['val_accuracy'][run['best_epoch'] - 1]:.3f}" if "val_accuracy" in run["history"] else " seen"
        assert re.search(rf"^\s*{name}\s+\d\.\d{{3}}\s+\d\.\d{{3}}-\d\.\d{{3}}\s+{run['test']['accuracy']:.3f}, {val}$", text,
                         flags=re.M), f"{name}: sample test accuracy, its CI, and the full run's test and validation accuracy"
    effects = re.findall(r"^(?:network|recipe|data) .*\):\s+[+-]\d+\.\d \+- \d+\.\d points(?: \(noise\))?\s+([+-]\d+\.\d) \+- \d+\.\d points",
                         text, flags=re.M)
    pairs = [("shallownet_original", "minivggnet_original"), ("minivggnet_original", "minivggnet_improved_val"),
             ("minivggnet_improved_val", "minivggnet_improved")]
    expected = [f"{100 * (reference(b)['test']['accuracy'] - reference(a)['test']['accuracy']):+.1f}" for a, b in pairs]
    assert effects == expected, "each paired effect on the sample with the full runs' difference beside it"
    before, after = reference("shallownet_original")["test"]["per_class"], reference("minivggnet_original")["test"]["per_class"]
    for kind, members in data.CIFAR10.groups.items():
        full = 100 * np.mean([after[c]["recall"] - before[c]["recall"] for c in members])
        assert re.search(rf"average gain, {kind}s: [+-]\d+\.\d \+- \d+\.\d points(?: \(noise\))? "
                         rf"\(full runs: {re.escape(f'{full:+.1f}')}\)", text), kind
    assert re.search(r"^animals minus vehicles: [+-]\d+\.\d \+- \d+\.\d points \((beyond|within) the noise; full runs: [+-]\d+\.\d\)$",
                     text, flags=re.M)
    assert len(re.findall(r"^\s*\w+ +\d+\.\d% -> +\d+\.\d% +[+-]\d+\.\d \+- +\d+\.\d.*\s[+-]\d+\.\d$", text, flags=re.M)) == 10


def test_05_defines_its_terms_and_cites_what_it_does_not_measure():
    prose = _markdown("05")
    for term, definition in (("recipe", "*recipe* (everything about\ntraining except the network itself"),
                             ("CI", "**95% confidence interval (CI)**"),
                             ("paired", "*paired\ncomparison*")):
        assert definition in prose, term
    assert prose.index("**95% confidence interval (CI)**") < prose.index("CI comes from their"), "CI defined before use"
    for reference_ in ("Zeiler &\n  Fergus (2014", "Ioffe & Szegedy, 2015", "Srivastava et al., 2014"):
        assert reference_ in prose, "claims the series does not test are attributed to the literature"
    assert "not findings of this series" in prose
    for term, definition in (("batch normalisation", "*batch normalisation* (each channel of a layer's\noutput, the next layer's input, rescaled over the batch)"),
                             ("dropout", "*dropout* (random units switched off during training)"),
                             ("multiply-adds", "*multiply-adds* (the multiplications"),
                             ("stratified", "*stratified*: every class keeps its share"),
                             ("weight decay", "*weight decay* (shrinking every weight"),
                             ("momentum", "With *momentum* each step"), ("AdamW", "*AdamW* scales each weight's step"),
                             ("two-stage protocol", "(the *two-stage protocol*)"),
                             ("Wilson", "the range of true accuracies p for which the\nmeasured accuracy lies within 1.96 standard errors")):
        assert definition in prose, term
    for confounded in ("what depth buys", "both original recipe", "both trained with the original recipe", "separates them",
                       "as the architecture effect", "on equal terms, using", "measured\nthem on augmented images with dropout on",
                       "which are harder than plain ones", "near chance", "too few steps even for that", "where does it land\n   between"):
        assert confounded not in prose, confounded
    assert "so it measures the two together, not the architecture alone" in prose
    assert "it rests on ten times as many images" in prose, "why the full runs' unpaired interval is narrower"
    source = "\n".join(c.source for c in nbformat.read(notebooks.notebook_paths(["05"])[0], as_version=4).cells)
    assert "NBVAL" not in source
    assert 'model.predict(images.astype("float32"), batch_size=' in source, "the Keras scoring is on the page"
    assert "probs.argmax(axis=1) == labels" in source
    assert "evaluation.predict(" not in source and "evaluation.score(labels" not in source
    assert 'recipes.get_recipe("original", "shallownet")' in source
    assert "each network with its original project's settings" in source, "the per-class figure's title"
    for keras_on_the_page in ('keras.layers.Conv2D(32, 3, padding="same", name="conv")', "keras.saving.load_model(path)",
                              "network.compile(optimizer=keras.optimizers.SGD(", "network.fit(inputs, labels[:size]",
                              "intervals=intervals"):
        assert keras_on_the_page in source, keras_on_the_page


def test_05_writes_shallownet_out_and_explains_the_recipe_fields(executed):
    text = text_of(executed("05"))
    assert "328,586 parameters; the same network as models.shallownet(): True" in text
    glossary = text[text.index("What these fields mean (recipes.Recipe):"):]
    for field in dataclasses.fields(recipes.Recipe):
        if field.name in ("batch_size", "momentum", "label_smoothing", "whiten_first_layer"):
            assert f"  {field.name:<20} {field.metadata['help']}" in glossary, field.name
