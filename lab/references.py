"""The reference runs of the series, in one place.

A reference run is a full-data training run whose model ships in ``models/NAME.keras``, whose
results are ``results/NAME.json`` and whose curves are ``figures/NAME.png``. Everything that names
them reads this registry: ``make reference-*`` (``python -m lab.train --reference NAME``), the
README's results table (:mod:`lab.report`) and the notebooks.

    from lab import references
    ref = references.get("minivggnet_improved")
    ref.arch, ref.training_recipe(), ref.model_path, ref.results()

Each run has a ``role``, the reason it is in the registry (see :data:`ROLES`); the README's targets
and the notebooks find runs by role rather than by spelling out their names. The improved recipe
ships twice, as practitioners do (two-stage protocol): ``validation`` is the run on 45,000 images
that chose the recipe (its validation curves are meaningful), ``main`` the same recipe and epochs on
all 50,000 (no validation images left, so its last epoch is kept), the model the series evaluates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from helpers import data
from helpers.paths import FIGURES_DIR, MODELS_DIR, RESULTS_DIR, read_results
from helpers.recipes import Recipe, get_recipe
from lab import provenance

ROLES = {
    "main": "the series' model: MiniVGGNet, unchanged, with the modern recipe, trained on all 50,000 training "
            "images (notebooks 04 and 05 evaluate it; the README's headline)",
    "validation": "the main recipe on the 45,000/5,000 split, the run that chose it: its validation curves, and "
                  "the comparisons with other recipes on equal terms (notebooks 03 to 05)",
    "fast": "the CPU target: the original's 82% in as little wall time as possible",
    "original": "the original project's recipe, for comparison",
    "baseline": "the shallow baseline notebook 05 compares MiniVGGNet with",
    "appendix": "the original project's MNIST section (notebook 06)",
}


@dataclass(frozen=True)
class Reference:
    """One reference run: which network, which recipe (plus overrides), how the README names it."""

    name: str
    arch: str
    recipe: str
    """A recipe name of :mod:`helpers.recipes` (``original`` resolves to the architecture's own original recipe)."""
    label: str
    """How the README's results table names the run."""
    role: str
    """Why the run is a reference: a key of :data:`ROLES`."""
    overrides: dict = field(default_factory=dict)
    """Recipe fields changed for this run, as the train CLI's override flags would."""

    @property
    def dataset(self) -> data.DatasetSpec:
        """The dataset the run trains on (from its architecture)."""
        return data.spec_for_arch(self.arch)

    def training_recipe(self) -> Recipe:
        """The exact recipe the run trains with."""
        return get_recipe(self.recipe, self.arch, **self.overrides)

    @property
    def model_path(self) -> Path:
        return MODELS_DIR / f"{self.name}.keras"

    @property
    def figure_path(self) -> Path:
        return FIGURES_DIR / f"{self.name}.png"

    @property
    def results_path(self) -> Path:
        return RESULTS_DIR / f"{self.name}.json"

    def results(self) -> dict | None:
        """The run's results record, or None when the run has not been made yet."""
        return read_results(self.name)


REFERENCES = {ref.name: ref for ref in (  # in the order of the README's table
    Reference("minivggnet_improved", "minivggnet", "improved", "MiniVGGNet, improved recipe (all 50,000 images)", "main",
              {"val_fraction": 0.0}),
    Reference("minivggnet_improved_val", "minivggnet", "improved", "MiniVGGNet, improved recipe (45,000 + 5,000 validation)",
              "validation"),
    Reference("minivggnet_fast", "minivggnet", "fast", "MiniVGGNet, fast recipe (CPU)", "fast"),
    Reference("minivggnet_original", "minivggnet", "original", "MiniVGGNet, original recipe", "original"),
    Reference("shallownet_original", "shallownet", "original", "ShallowNet, original recipe", "baseline"),
    Reference("lenet_mnist", "lenet", "original", "LeNet on MNIST, original recipe", "appendix"),
)}
"""Every reference run by name."""


def get(name: str) -> Reference:
    """The reference run ``name``; a clear error lists the known names."""
    try:
        return REFERENCES[name]
    except KeyError:
        raise ValueError(f"Unknown reference run {name!r}; choose one of {', '.join(REFERENCES)}.") from None


def with_role(role: str) -> Reference:
    """The one reference run with ``role`` (``"main"``, ``"fast"``, ...; see :data:`ROLES`)."""
    found = [ref for ref in REFERENCES.values() if ref.role == role]
    if len(found) != 1:
        raise ValueError(f"{len(found)} reference runs have the role {role!r}; roles: {', '.join(ROLES)}.")
    return found[0]


def for_recipe(recipe: str, arch: str = "minivggnet") -> Reference | None:
    """The reference run a notebook training ``arch`` with ``recipe`` compares itself with: the one that
    held out a validation set, like the notebook (``minivggnet_improved_val`` for ``improved``), else the
    recipe's only run (``minivggnet_fast``); None when the recipe has no reference run."""
    runs = [ref for ref in REFERENCES.values() if ref.arch == arch and ref.recipe == recipe]
    validated = [ref for ref in runs if ref.training_recipe().val_fraction > 0]
    return (validated or runs or [None])[0]


def role_record(name: str) -> dict:
    """What a reference run's results file says of its role (``"role"``): the run, its role and what
    that role means (:data:`ROLES`)."""
    ref = get(name)
    return {"reference": ref.name, "role": ref.role, "meaning": ROLES[ref.role]}


def sample_steps(data: str, recipe: Recipe, train_digits: int) -> None:
    """Notebook 06's note on the SGD steps when ``data == "sample"`` and ``recipe`` changed the LeNet reference
    run's batch size (the quick profile does); prints nothing otherwise."""
    import math

    usual = get("lenet_mnist").training_recipe().batch_size
    if data == "sample" and recipe.batch_size != usual:
        steps, usual_steps = math.ceil(train_digits / recipe.batch_size), math.ceil(train_digits / usual)
        print(f"With batch size {recipe.batch_size} (BATCH_SIZE), an epoch on {train_digits:,} digits is {steps} SGD steps, "
              f"{steps * recipe.epochs:,} in the {recipe.epochs} epochs; the original recipe's {usual} would give {usual_steps}, "
              f"{usual_steps * recipe.epochs:,} in all.\nOn so few digits the smaller batch buys more steps: the fit log below "
              f"shows how far the network gets after each epoch of {steps} steps.")


def beside_reference(history: dict, recipe: Recipe, train_digits: int, validation_digits: int, test_digits: int,
                     accuracy: float, reference_here: float):
    """Notebook 06's run beside its reference run (``results/lenet_mnist.json``): a table of training digits, batch
    size, SGD steps, test mistakes and last validation accuracy; the lines reading it (a run on fewer digits or steps:
    ``reference_here``, the reference model's accuracy on this run's ``test_digits``, gives the gap those cost, or says
    its test digits are too few to tell, and the reference's validation accuracy at about this run's steps; the same
    digits and steps: the gap as a scale of run-to-run noise); both runs' validation curves against SGD steps
    (returned)."""
    import math

    import matplotlib.pyplot as plt
    import numpy as np

    from helpers import evaluation

    record, batch_size = get("lenet_mnist").results(), recipe.batch_size
    full_history, full_batch, full_test = record["history"], record["recipe"]["batch_size"], record["test"]
    full_train, mistakes = record["data"]["split"]["train"], round((1 - accuracy) * test_digits)
    per_epoch, full_per_epoch = math.ceil(train_digits / batch_size), math.ceil(full_train / full_batch)
    steps, full_steps = len(history["loss"]) * per_epoch, len(full_history["loss"]) * full_per_epoch
    full_mistakes = full_test["images"] - sum(row[i] for i, row in enumerate(full_test["confusion_matrix"]))
    rows = {"training digits": (f"{train_digits:,}", f"{full_train:,}"), "batch size": (batch_size, full_batch),
            "SGD steps": (f"{steps:,}", f"{full_steps:,}"),
            "digits seen in all epochs": (f"{len(history['loss']) * train_digits:,}",
                                          f"{len(full_history['loss']) * full_train:,}"),
            "test mistakes": (f"{mistakes} of {test_digits:,}", f"{full_mistakes} of {full_test['images']:,}"),
            "last validation accuracy": (f"{history['val_accuracy'][-1]:.2%}", f"{full_history['val_accuracy'][-1]:.2%}")}
    print("this run beside the reference run (the figure below draws both runs' curves):")
    print(f"{'':<26}{'this run':>14}{'reference run':>17}")
    for name, (ours, theirs) in rows.items():
        print(f"{name:<26}{ours:>14}{theirs:>17}")
    gap = 100 * (full_test["accuracy"] - accuracy)  # points: the reference run's test accuracy minus this run's
    print(f"on this run's {test_digits:,} test digits, the reference model scores {reference_here:.2%} (this run: {accuracy:.2%})")
    if (train_digits, steps) == (full_train, full_steps):
        print(f"the same training digits and SGD steps: the runs differ in their random draws (the reference run's code "
              f"shuffles its own way) and machine, and their test accuracies by {abs(gap):.2f} points: a scale of run-to-run noise")
        gaps = [abs(a - b) for a, b in zip(history["val_accuracy"], full_history["val_accuracy"])]
        print(f"their validation accuracies lie within {100 * max(gaps):.2f} points of each other at every epoch, within "
              f"{100 * max(gaps[1:]):.2f} after the first{': in the figure their curves nearly coincide' if max(gaps[1:]) < 0.01 else ''}")
    else:
        low_here, _ = evaluation.confidence_interval(reference_here, test_digits)  # the reference model, these digits
        reading = (f"this run scores {100 * (reference_here - accuracy):.1f} percentage points lower on the same test digits (the "
                   "next lines compare the runs at about equal steps)" if accuracy < low_here
                   else f"yet on its {test_digits:,} test digits the two cannot be told apart")
        smaller = f" of {full_batch / batch_size:.0f}x smaller batches" if batch_size < full_batch else ""
        print(f"this run learned from {full_train / train_digits:.0f}x fewer training digits in {full_steps / steps:.1f}x "
              f"fewer SGD steps ({steps:,} against {full_steps:,}){smaller}: {reading}")
        at = min(len(full_history["val_accuracy"]), math.ceil(steps / full_per_epoch))  # its first epoch at or past our steps
        low_val, high_val = evaluation.confidence_interval(history["val_accuracy"][-1], validation_digits)
        theirs = full_history["val_accuracy"][at - 1]
        held = low_val <= theirs <= high_val
        print(f"at about equal steps: the reference run, after {at * full_per_epoch:,} SGD steps (its epoch {at}, the first at or "
              f"past this run's {steps:,}), had a validation accuracy of {theirs:.2%} on its "
              f"{record['data']['split']['validation']:,} validation digits")
        print(f"this run's last validation accuracy, {history['val_accuracy'][-1]:.2%} on its own {validation_digits:,}, has a "
              f"95% CI of {low_val:.1%}-{high_val:.1%}, {'which holds' if held else 'which misses'} the reference's {theirs:.2%}")
        # earlier: each reference epoch that ends within this run's steps, against this run's curve at the same step
        done = np.arange(1, len(history["val_accuracy"]) + 1) * per_epoch  # this run's steps at its epochs' ends
        shared = [k for k in range(1, len(full_history["val_accuracy"]) + 1) if k * full_per_epoch <= steps]
        ahead = sum(full_history["val_accuracy"][k - 1] > evaluation.confidence_interval(
            float(np.interp(k * full_per_epoch, done, history["val_accuracy"])), validation_digits)[1] for k in shared)
        if shared:
            print(f"earlier, at the {len(shared)} reference epochs that end within this run's {steps:,} steps, the reference "
                  f"was above this run's 95% CI at {ahead} of them (this run's accuracy read off its curve at the same step)")
        if not held:
            print(f"so at about equal steps {'the reference run' if theirs > high_val else 'this run'} was already ahead")
        elif ahead:
            print(f"so at about equal steps the reference was ahead at {ahead} of those {len(shared)} epochs; at this run's "
                  f"last epoch (its {steps:,} steps against the reference's {at * full_per_epoch:,}) these {validation_digits:,} "
                  "validation digits are too few to tell the two runs apart")
        else:
            print("so at about equal steps these validation digits cannot tell the two runs apart")
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.6))
    # validation only: measured at an epoch's end, where its dot sits (a training point averages an epoch's steps, which
    # would misplace it between runs whose epochs differ in length)
    runs = ((history, per_epoch, "this run", "-o", "tab:blue"),  # drawn first, broad and pale: under the reference
            (full_history, full_per_epoch, "reference run", "--o", "black"))
    for run, per, name, style, color in runs:
        done = np.arange(1, len(run["loss"]) + 1) * per  # SGD steps at the end of each epoch
        for ax, key in zip(axes, ("val_loss", "val_accuracy")):
            ax.plot(done, run[key], style, color=color, markersize=3, **({"linewidth": 1.5} if name == "reference run"
                    else {"linewidth": 4, "alpha": 0.45}), label=f"validation, {name} ({per} steps per epoch)")
    uneven = max(steps, full_steps) > 3 * min(steps, full_steps)  # one run would fill a corner of a linear axis
    for ax, name in zip(axes, ("loss", "accuracy")):
        ax.set(title=f"Validation {name}", ylabel=f"validation {name}",
               xlabel="SGD steps" + (", logarithmic axis" if uneven else "") + " (a dot: the end of an epoch)")
        if uneven:
            ax.set_xscale("log")
            ax.xaxis.set_major_formatter(plt.matplotlib.ticker.FuncFormatter(lambda value, _: f"{value:,.0f}"))
        else:
            ax.set_xlim(left=0)
        ax.grid(alpha=0.3)
    axes[0].set_yscale("log")
    axes[0].set_ylabel("validation loss, logarithmic axis")
    ticks = [t for t in 2.0 ** np.arange(-7, 4) if axes[0].get_ylim()[0] <= t <= axes[0].get_ylim()[1]]  # each doubles the last
    axes[0].set_yticks(ticks, [f"{t:g}" for t in ticks])
    axes[0].yaxis.set_minor_formatter(plt.matplotlib.ticker.NullFormatter())
    axes[1].yaxis.set_major_formatter(plt.matplotlib.ticker.PercentFormatter(1.0))
    fig.legend(*axes[0].get_legend_handles_labels(), loc="lower center", ncol=2, fontsize=9, frameon=False)
    fig.suptitle("LeNet on MNIST: validation curves of this run and the reference run, against the SGD steps taken")
    fig.tight_layout(rect=(0, 0.12, 1, 1))
    return fig


def reference_darkest(confusion=None) -> str:
    """Notebook 06: the reference run's darkest confusion cells (``results/lenet_mnist.json``), as one printed line;
    with ``confusion``, this run's matrix, it adds this run's counts in those cells. On another number of test digits,
    it reads them against what the reference's share of mistakes would put there (a Poisson check: repeats, does not,
    or too few to tell); on as many, it adds the reference's counts in this run's darkest cells and the cells heavy in
    both runs."""
    import math

    import numpy as np

    test = get("lenet_mnist").results()["test"]
    full = np.array(test["confusion_matrix"])
    np.fill_diagonal(full, 0)
    cells = list(zip(*np.nonzero(full == full.max())))
    pairs = " and ".join(f"true {t} predicted {p}" for t, p in cells)
    line = f"the reference run's darkest cells ({full.max()} of its {full.sum()} mistakes each): {pairs}"
    if confusion is None:
        return line
    ours = np.array(confusion) * (1 - np.eye(len(full), dtype=int))
    held = " and ".join(str(ours[t][p]) for t, p in cells)  # this run's counts in the reference's darkest cells
    if np.sum(confusion) != test["images"]:
        expected = full.max() * ours.sum() / full.sum()
        # the chance of a count this low if the cell held `expected` on average (Poisson): below 5%, too low for chance
        low = [sum(math.exp(-expected) * expected ** i / math.factorial(i) for i in range(ours[t][p] + 1)) for t, p in cells]
        reading = ("it does not repeat the reference's confusions" if max(low) < 0.05 else
                   "it repeats the reference's confusions" if all(ours[t][p] >= expected for t, p in cells) else
                   "too few mistakes to tell whether it repeats the reference's confusions")
        return line + (f"; if this run's {ours.sum()} mistakes fell as the reference's did, each of those cells would hold "
                       f"about {expected:.1f}, and this run has {held}: {reading}")
    mine = list(zip(*np.nonzero(ours == ours.max())))  # this run's darkest cells
    shared = [f"true {t} predicted {p}" for t, p in cells if ours[t][p] >= full.max() / 2]  # heavy in both runs
    return (line + f"; this run holds {held} there, and the reference holds "
            f"{' and '.join(str(full[t][p]) for t, p in mine)} in this run's darkest "
            f"({' and '.join(f'true {t} predicted {p}' for t, p in mine)})"
            + (f"; heavy in both runs (at least half the reference's count here): {' and '.join(shared)}" if shared else ""))
