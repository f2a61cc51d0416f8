"""Notebook 05's quick/full bookkeeping: where the full data's accuracies come from, how the accuracy
table is laid out in each profile, and how the three steps are printed.

Nothing here trains or measures: the notebook does that on the page and passes its numbers in.
"""

from __future__ import annotations

from pathlib import Path

from helpers import paths
from lab import pretrained, references


def model_file(name: str, choice: str) -> tuple[Path, str]:
    """The file a ``*_MODEL`` setting ``choice`` names for the reference run ``name`` (see
    :func:`lab.pretrained.locate_model`), and where it came from, as printed. ``"auto"`` looks for notebook 03's
    model, which notebook 03 saves as ``build/artifacts/minivggnet``. Nothing is trained: with no file,
    :func:`lab.pretrained.load_model` raises an error that says how to get one."""
    artifact = "minivggnet" if name == "minivggnet_improved_val" else name
    path, source, _ = pretrained.model_file(choice, artifact, name)
    if path != references.get(name).model_path:
        source += " (not the reference model: the numbers read from results/ below are the reference run's)"
    return path, source


ACCURACIES_FILE = paths.RESULTS_DIR / "shallow_vs_minivggnet.json"
"""The shipped models' accuracies on the full data, which the full profile writes and the quick profile reads."""


def full_data_accuracies(right: dict, used: dict, full_data: bool) -> dict:
    """``{run: {part: accuracy}}`` on the full data. ``right``: ``{run: {part: True or False per image}}``
    measured now; ``used``: the model file each run loaded. On the full data: ``right``'s accuracies (saved to
    :data:`ACCURACIES_FILE`); else what that file keeps for the shipped models (see :func:`lab.pretrained.shipped_accuracies`)."""
    measured = {name: {part: float(r.mean()) for part, r in parts.items()} for name, parts in right.items()}
    saved = pretrained.shipped_accuracies(ACCURACIES_FILE, used, measured if full_data else None)
    return measured if full_data else saved


def _columns(m: dict, gap: float | None) -> str:
    """train, val, gap (in points) and test accuracy (in %) (`seen` where the model trained on the validation images)."""
    val, gap = (f"{m['val']:6.1%}", f"{gap + 0.0:+6.1f}") if gap is not None else (f"{'seen':>6}", f"{'':>6}")
    return f"{m['train']:6.1%} {val} {gap} {m['test']:6.1%}"


def print_accuracy_table(test: dict, intervals: dict, full: dict, gap: dict, full_data: bool, test_images: int) -> None:
    """One row per model. ``test``: its test accuracy measured now; ``intervals``: its 95% CI; ``full``: the
    full data's train/val/test accuracies; ``gap``: ``{model: train minus val, in points}`` (absent: `seen`).
    On the full data those are today's; on the sample they sit beside it."""
    file, header = ACCURACIES_FILE, f"{'train':>6} {'val':>6} {'gap':>6} {'test':>6}"
    if full_data:
        print(f"{'':>23} {header}  {'95% CI':^13}")
    else:
        print(f"Left, measured now: test accuracy on the {test_images:,}-image test sample. Right, read from "
              f"results/{file.name}: the same models measured on the full data the last time this notebook ran on it.\n")
        print(f"{'':>23} {'sample':^22}   full data (results/{file.name})")
        print(f"{'':>23} {'test':>6}  {'95% CI':^13}   {header}")
    for name, accuracy in test.items():
        low, high = intervals[name]
        if full_data:
            print(f"{name:>23} {_columns(full[name], gap.get(name))}  {low:.1%}-{high:.1%}")
        else:
            print(f"{name:>23} {accuracy:6.1%}  {low:.1%}-{high:.1%}   "
                  + (_columns(full[name], gap.get(name)) if name in full else "(this model is not in the file)"))
    print("accuracies in %, gaps in points")


def describe(step: str, pair: tuple, train_images: dict) -> str:
    """What a step changes, in words: ``pair`` is its (before, after) reference runs (notebook 05's ``STEPS``),
    ``train_images`` each run's count of training images."""
    before, after = (train_images[name] for name in pair)
    return {"network": "ShallowNet -> MiniVGGNet, each with its original settings",
            "recipe": "MiniVGGNet, original -> improved",
            "data": f"improved recipe, {before:,} -> all {after:,} training images, the last epoch kept"}[step]


def interval(gain: float, noise: float) -> tuple:
    """A 95% interval in points, rounded to 0.1 first so that the printed ends add up: (effect, half-width, low, high)."""
    effect, half = round(100 * gain, 1), round(100 * noise, 1)
    return effect, half, round(effect - half, 1) + 0.0, round(effect + half, 1) + 0.0


def weak(gain: float, noise: float) -> str:
    """The flag for an interval beyond 0 that has an end within 1 point of 0 (the printed ends), else ''."""
    _, _, low, high = interval(gain, noise)
    return "  (weak evidence: an end only just beyond 0)" if (low > 0 or high < 0) and min(abs(low), abs(high)) <= 1 else ""


def verdict(gain: float, noise: float) -> str:
    """A step's kind from its 95% interval: a gain if the low end is above 0, a loss if the high end is below 0."""
    _, _, low, high = interval(gain, noise)  # the printed ends decide
    return "a gain" if low > 0 else "a loss" if high < 0 else "no difference beyond the noise"


def results_differences(pairs: dict) -> dict:
    """``{step: test accuracy after minus before}`` on all the test images for ``pairs`` ``{step: (before, after)}``,
    read from the two reference runs' results files."""
    return {step: references.get(after).results()["test"]["accuracy"] - references.get(before).results()["test"]["accuracy"]
            for step, (before, after) in pairs.items()}


def print_steps(pairs: dict, outcome: dict, test_images: int, on_all_test_images: dict | None = None) -> None:
    """What each step changes, then one row per step ``{step: (gain, noise)}``: its kind and 95% interval on the page's
    ``test_images``; ``pairs``: ``{step: (before, after)}``. With ``on_all_test_images`` (the quick profile:
    ``{step: difference}`` read from the results files) a second column holds those; without, ``test_images`` are all of them."""
    train_images = {name: references.get(name).results()["data"]["split"]["train"] for pair in pairs.values() for name in pair}
    print("the three steps, test accuracy after minus before, in points:")
    for step in outcome:
        print(f"  {step + ':':<9}{describe(step, pairs[step], train_images)}")
    rows = {}
    for step, (gain, noise) in outcome.items():
        effect, half, low, high = interval(gain, noise)
        rows[step] = f"{verdict(gain, noise)}: {effect:+.1f} +- {half:.1f} ({low:+.1f} to {high:+.1f})"
    where = f"{test_images:,}-image sample" if on_all_test_images else f"all {test_images:,} test images"
    header = f"{where}, paired: effect +- half-width (interval)"
    width = max(len(text) for text in [header, *rows.values()])
    print((f"\n{'':<9}{header:<{width}}" + ("  | all test images (results/)" if on_all_test_images else "")).rstrip())
    for step, (gain, noise) in outcome.items():
        print((f"{step:<9}{rows[step]:<{width}}" + (f"  | {100 * on_all_test_images[step]:+.1f}" if on_all_test_images else "")).rstrip()
              + weak(gain, noise))
