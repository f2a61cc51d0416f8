"""One source of truth: the registry of reference runs drives the Makefile, the report and the shipped
files; dataset facts come from the DatasetSpecs; notebooks find their models through lab.pretrained."""

import re

import numpy as np
import pytest

from helpers import data, evaluation, models, recipes
from lab import pretrained, references, report
from helpers.paths import ROOT


def makefile_targets() -> dict[str, str]:
    """Each Makefile target with its recipe lines."""
    targets, current = {}, None
    for line in (ROOT / "Makefile").read_text().splitlines():
        if line.startswith("\t") and current:
            targets[current] += line + "\n"
        elif re.match(r"^[\w-]+:", line):
            current, _, prerequisites = line.partition(":")
            targets[current] = prerequisites + "\n"
    return targets


def test_makefile_report_and_registry_agree():
    targets = makefile_targets()
    trained = {t: re.search(r"--reference (\w+)", body) for t, body in targets.items() if t.startswith("reference-")}
    assert all(trained.values()), f"a reference-* target bypasses the registry: {trained}"
    assert sorted(match.group(1) for match in trained.values()) == sorted(references.REFERENCES)
    assert set(trained) <= set(targets["reference"].split()), "make reference runs every reference-* target"
    assert "--arch" not in "".join(targets.values()), "the Makefile names no architecture itself"
    table = report.render()
    for ref in references.REFERENCES.values():
        assert f"| {ref.label} | **" in table and f"[`results/{ref.name}.json`]" in table
    assert not hasattr(report, "RUNS")


@pytest.mark.parametrize("ref", references.REFERENCES.values(), ids=list(references.REFERENCES))
def test_shipped_files_match_the_registry(ref):
    record = ref.results()
    assert record is not None and ref.model_path.exists() and ref.figure_path.exists()
    assert record["role"] == references.role_record(ref.name), f"results/{ref.name}.json states its role"
    recipe = recipes.FORMER_NAMES.get(record["recipe"]["name"], record["recipe"]["name"])  # 'seed' until December 2026
    assert (record["arch"], recipe, record["data"]["dataset"]) == (ref.arch, ref.recipe, ref.dataset.name)
    recipe = ref.training_recipe().to_dict()
    recorded = {**record["recipe"], "name": ref.recipe}  # its name checked above, under its former name too
    assert {k: v for k, v in recorded.items() if k in recipe} == {k: recipe[k] for k in recorded}, \
        f"results/{ref.name}.json was trained with another recipe than the registry's"


def test_roles_and_lookups():
    assert {ref.role for ref in references.REFERENCES.values()} == set(references.ROLES)
    assert references.with_role("main").name == "minivggnet_improved"
    main, validation = references.with_role("main"), references.with_role("validation")
    assert main.training_recipe().val_fraction == 0 and validation.training_recipe().val_fraction > 0
    assert main.training_recipe().with_overrides(val_fraction=validation.training_recipe().val_fraction) == \
        validation.training_recipe(), "two-stage: the shipped run repeats the validation run's recipe on all images"
    assert references.for_recipe("improved") is validation, "a notebook with a validation split compares with it"
    assert references.for_recipe("fast").name == "minivggnet_fast" and references.for_recipe("fast", "lenet") is None
    assert references.get("lenet_mnist").dataset is data.MNIST
    with pytest.raises(ValueError, match="Unknown reference run 'resnet'; choose one of minivggnet_improved"):
        references.get("resnet")
    with pytest.raises(ValueError, match="0 reference runs have the role 'nope'"):
        references.with_role("nope")


def test_dataset_specs_hold_the_dataset_facts():
    assert sorted(data.architectures()) == sorted(models.BUILDERS), "each network trains on exactly one dataset"
    assert data.spec_for_arch("shallownet") is data.CIFAR10 and data.spec_for_arch("lenet") is data.MNIST
    assert data.CLASS_NAMES == data.CIFAR10.class_names and data.CLASS_NAMES[0] == "airplane"
    assert data.DIGIT_NAMES == data.MNIST.class_names == tuple("0123456789")
    assert data.CIFAR10.mirror_keeps_class and not data.MNIST.mirror_keeps_class
    with pytest.raises(ValueError, match="Unknown architecture 'resnet'"):
        data.spec_for_arch("resnet")


class FixedModel:
    """Stands in for a Keras model: right (60% sure) on the images, confidently wrong on their mirrors."""

    def __init__(self, labels):
        self.labels = labels

    def predict(self, images, batch_size=None, verbose=0):
        if images[0, 0, 0, 0] == 1.0:  # a mirror image
            return np.eye(10)[(self.labels + 1) % 10]
        return 0.6 * np.eye(10)[self.labels] + 0.4 * np.eye(10)[(self.labels + 5) % 10]


def test_evaluation_takes_names_or_a_spec_and_flips_only_where_a_mirror_keeps_the_class():
    labels = np.arange(20) % 10
    images = np.zeros((20, 4, 4, 1), np.uint8)
    images[:, :, -1] = 1  # the mirror image starts with a 1
    probs = np.eye(10)[labels]
    assert evaluation.score(labels, probs, data.MNIST) == evaluation.score(labels, probs, data.DIGIT_NAMES)
    assert "deer" in evaluation.report_text(labels, probs, data.CIFAR10)
    digits, _ = evaluation.evaluate(FixedModel(labels), images, labels, data.MNIST)
    photos, probs = evaluation.evaluate(FixedModel(labels), images, labels, data.CIFAR10)
    assert "flip_tta_accuracy" not in digits and digits["accuracy"] == 1.0
    assert photos["accuracy"] == 1.0 and photos["flip_tta_accuracy"] == 0.0  # averaged with the mirror's answers
    assert np.array_equal(probs, FixedModel(labels).predict(images))
    with pytest.raises(TypeError):
        evaluation.score(labels, probs)  # no default class names: CIFAR-10 is not assumed


def test_pretrained_finds_the_shipped_model_or_says_what_is_missing(tmp_path, monkeypatch):
    monkeypatch.setattr(pretrained, "ARTIFACTS_DIR", tmp_path)
    shipped = references.get("minivggnet_improved").model_path
    assert pretrained.locate_model("auto", "minivggnet", "minivggnet_improved") == shipped
    (tmp_path / "minivggnet.keras").write_bytes(b"from notebook 03")
    assert pretrained.locate_model("auto", "minivggnet", "minivggnet_improved") == tmp_path / "minivggnet.keras"
    assert pretrained.locate_model("reference", "minivggnet", "minivggnet_improved") == shipped
    with pytest.raises(FileNotFoundError, match="MODEL='nowhere.keras'"):
        pretrained.locate_model("nowhere.keras", "minivggnet", "minivggnet_improved")
    with pytest.raises(ValueError, match="Unknown reference run"):
        pretrained.locate_model("auto", "minivggnet", "minivggnet_best")
