"""Notebook 05's quick/full bookkeeping: where the full data's accuracies come from and go, the recipe fields'
meanings, and how the accuracy table and the three steps are printed.

Nothing here trains or measures: the notebook does that on the page and passes its numbers in.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from helpers import paths, recipes
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


def saved_accuracies(used: dict) -> dict:
    """``{run: {part: accuracy}}`` that :data:`ACCURACIES_FILE` keeps for the shipped models (see
    :func:`lab.pretrained.shipped_accuracies`); ``used``: the model file each run loaded."""
    saved = pretrained.shipped_accuracies(ACCURACIES_FILE, used)
    if set(saved) != set(used):
        raise FileNotFoundError(f"results/{ACCURACIES_FILE.name} lacks {sorted(set(used) - set(saved))} (or an older model file's "
                                "numbers): run notebook 05 once with DATA = 'full' to write it")
    return saved


def save_accuracies(accuracy: dict, used: dict) -> None:
    """Write ``accuracy`` (``{run: {part: accuracy}}``, measured on the full data) to :data:`ACCURACIES_FILE`, if every
    file ``used`` is the shipped one (else say so and leave the file as it is)."""
    pretrained.shipped_accuracies(ACCURACIES_FILE, used, {name: {part: float(a) for part, a in parts.items()}
                                                         for name, parts in accuracy.items()})  # says so if it cannot
    if all(path == references.get(name).model_path for name, path in used.items()):
        print(f"saved the accuracies above to results/{ACCURACIES_FILE.name}, for the quick profile to read")


def print_accuracies(measured: dict, ci: dict, test_images: int, files: dict | None = None) -> None:
    """Notebook 05's accuracy table: per run its train, val and test accuracy, the gap (train minus val, in points) and
    the test accuracy's 95% interval ``ci`` ``{run: (low, high)}``; ``measured``: ``{run: {part: accuracy}}`` from the
    page. Given ``files`` (the quick profile; the model file each run loaded), two tables instead: the page's test
    accuracy on its ``test_images`` sample with its interval, then the full data's numbers (:func:`saved_accuracies`);
    then the pairs of runs whose order the sample and the full data swap."""
    saved = saved_accuracies(files) if files else None
    if saved:
        print(f"measured now, on the {test_images:,}-image sample:\n{'':23}  test    95% CI")
        for name in measured:
            print(f"{name:>23}  {measured[name]['test']:.1%}  {ci[name][0]:.1%}-{ci[name][1]:.1%}")
        print(f"\nthe full data's, read from results/{ACCURACIES_FILE.name} (saved by this notebook's full-profile run, "
              "measured as here on all the images):")
    print(f"{'':23}  train    val    gap   test" + ("" if saved else "     95% CI"))
    for name in measured:
        full = (saved or measured)[name]
        val, gap = "seen", ""
        if "val" in full:  # the gap from the accuracies as printed, so that it reads as their difference
            train_shown, val_shown = (float(f"{100 * full[part]:.1f}") for part in ("train", "val"))
            val, gap = f"{val_shown:.1f}%", f"{train_shown - val_shown:+.1f}"
        numbers = f"{full['train']:.1%} {val:>6} {gap:>6}  {full['test']:.1%}"
        print(f"{name:>23}  {numbers}" + ("" if saved else f"  {ci[name][0]:.1%}-{ci[name][1]:.1%}"))
    print("accuracies in %, gaps in points (train minus val, of the rounded values)\n"
          "train: the training split (the training images minus the validation split), for every run"
          + ("\nseen: trained on the validation images too, so no val" if any("val" not in (saved or measured)[name]
                                                                            for name in measured) else ""))
    names = list(measured)
    for first, second in ((a, b) for i, a in enumerate(names) for b in names[i + 1:]) if saved else ():
        if (measured[first]["test"] - measured[second]["test"]) * (saved[first]["test"] - saved[second]["test"]) < 0:
            print(f"{first} and {second} swap places: {measured[first]['test']:.1%} and {measured[second]['test']:.1%} on "
                  f"the sample, {saved[first]['test']:.1%} and {saved[second]['test']:.1%} on all the test images.\n  On "
                  f"{test_images:,} images, accuracies this close (within each other's CI) can come out in either order.")


def print_settings(settings: dict, also: tuple = ()) -> None:
    """One column per recipe of ``settings`` ``{"network, recipe": recipe}``, headed on two lines (``-``: unused): the
    optimizer, every field whose value differs between two columns, and last the fields in ``also``, each with its
    :data:`SETTING_MEANINGS` (and "same in all" columns where every column has one value)."""
    used = [{field: value for field, value, *_ in recipes.describe(r)} for r in settings.values()]
    shown = [f.name for f in dataclasses.fields(recipes.Recipe) if f.name != "name" and any(f.name in u for u in used)
             and (f.name in ("optimizer", *also) or len({str(u.get(f.name, "-")) for u in used}) > 1)]
    width = 2 + max(len(str(u.get(f, "-"))) for u in used for f in shown)  # the widest value, and two spaces
    headers = [name.split(", ", 1) + [""] for name in settings]  # "MiniVGGNet, original": two lines of header
    print(f"{'':<18}" + "".join(f"{first:>{width}}" for first, *_ in headers))
    print(f"{'':<18}" + "".join(f"{second:>{width}}" for _, second, *_ in headers) + "  meaning")
    for field in sorted(shown, key=lambda f: (f != "optimizer") + (f in also)):  # the optimizer first, ``also`` last
        same = len({str(u.get(field, "-")) for u in used}) == 1
        print(f"{field:<18}" + "".join(f"{str(u.get(field, '-')):>{width}}" for u in used)
              + f"  {SETTING_MEANINGS[field]}" + (f"; same in all {len(used)}" if same else ""))


SETTING_MEANINGS = {
    "optimizer": "sgd: rate x gradient; adamw: per-weight step", "epochs": "passes over the training images",
    "batch_size": "images per gradient step", "learning_rate": "step size (the start, or warmup's peak)",
    "schedule": "how the learning rate changes over training", "decay": "rate = start / (1 + decay x step)",
    "warmup_fraction": "share of the steps spent raising the rate", "warmup_start": "first rate = warmup_start x the peak",
    "end_fraction": "last rate = end_fraction x the peak",
    "momentum": "share of the last step carried into the next", "nesterov": "momentum that looks one step ahead",
    "weight_decay": "shrinks every weight a little at each step", "label_smoothing": "0.1: targets 0.91 true class, 0.01 others",
    "augment": "random crops and flips of training images", "crop_padding": "pixels padded before the random crop",
    "normalization": "unit: x/255; standardize: (x - mean) / std",
    "whiten_first_layer": "first conv starts from whitening filters",
    "val_fraction": "share held out for validation"}
"""A few words of meaning for each recipe field :func:`print_settings` may show (notebook 03 explains them)."""


def describe(step: str, pair: tuple, train_images: dict) -> str:
    """What a step changes, in words: ``pair`` is its (before, after) reference runs (notebook 05's ``STEPS``),
    ``train_images`` each run's count of training images."""
    before, after = (train_images[name] for name in pair)
    return {"network": "ShallowNet -> MiniVGGNet, each with its original settings",
            "recipe": "MiniVGGNet, original -> improved",
            "data": f"improved recipe, {before:,} -> all {after:,} training images, the last epoch kept, not the best"}[step]


def interval(gain: float, noise: float) -> tuple:
    """A 95% interval in points, rounded to 0.1 first so that the printed ends add up: (effect, half-width, low, high)."""
    effect, half = round(100 * gain, 1), round(100 * noise, 1)
    return effect, half, round(effect - half, 1) + 0.0, round(effect + half, 1) + 0.0


def weak(gain: float, noise: float) -> str:
    """The flag for an interval beyond 0 that has an end within 1 point of 0 (the printed ends), else ''."""
    _, _, low, high = interval(gain, noise)
    return "  (weak evidence: an end only just beyond 0)" if (low > 0 or high < 0) and min(abs(low), abs(high)) <= 1 else ""


def results_differences(pairs: dict) -> dict:
    """``{step: test accuracy after minus before}`` on all the test images for ``pairs`` ``{step: (before, after)}``,
    read from the two reference runs' results files."""
    return {step: references.get(after).results()["test"]["accuracy"] - references.get(before).results()["test"]["accuracy"]
            for step, (before, after) in pairs.items()}


def print_steps(pairs: dict, outcome: dict, verdicts: dict, test_images: int, sample: bool = False) -> None:
    """What each step changes, then one row per step ``{step: (gain, noise)}``: its verdict (``verdicts``, which the
    page decides from the interval) and 95% interval on the page's ``test_images``; ``pairs``:
    ``{step: (before, after)}``. With ``sample`` (the quick profile) a second column holds :func:`results_differences`;
    without, ``test_images`` are all of them."""
    on_all_test_images = results_differences(pairs) if sample else None
    train_images = {name: references.get(name).results()["data"]["split"]["train"] for pair in pairs.values() for name in pair}
    print("the three steps, test accuracy after minus before, in points:")
    for step in outcome:
        print(f"  {step + ':':<9}{describe(step, pairs[step], train_images)}")
    rows = {}
    for step, (gain, noise) in outcome.items():
        effect, half, low, high = interval(gain, noise)
        rows[step] = f"{verdicts[step]}: {effect:+.1f} +- {half:.1f} ({low:+.1f} to {high:+.1f})"
    where = f"{test_images:,}-image sample" if on_all_test_images else f"all {test_images:,} test images"
    header = f"{where}, paired: effect +- half-width (interval)"
    width = max(len(text) for text in [header, *rows.values()])
    print((f"\n{'':<9}{header:<{width}}" + ("  | all test images (results/)" if on_all_test_images else "")).rstrip())
    for step, (gain, noise) in outcome.items():
        print((f"{step:<9}{rows[step]:<{width}}" + (f"  | {100 * on_all_test_images[step]:+.1f}" if on_all_test_images else "")).rstrip()
              + weak(gain, noise))
    for step, (gain, noise) in outcome.items() if on_all_test_images else ():  # what the sample cannot tell
        _, _, low, high = interval(gain, noise)
        full = 100 * on_all_test_images[step]
        if low < 0 < high or not low <= full <= high:
            said = (f"includes 0: these {test_images:,} images cannot tell whether the step helped or hurt" if low < 0 < high
                    else "misses the full data's, as one 95% interval in twenty does")
            print(f"{step} on the sample: {low:+.1f} to {high:+.1f} {said};\n  on all the test images it is {full:+.1f} "
                  '(with DATA = "full" this notebook prints its interval)')


def mark_results_differences(ax, pairs: dict, rows) -> None:
    """On notebook 05's steps figure (quick profile), a red diamond per step at :func:`results_differences`, just above
    the step's blue interval (the axis is inverted: the first step on top)."""
    differences = [100 * d for d in results_differences(pairs).values()]
    ax.errorbar(differences, rows - 0.25, fmt="D", markeredgewidth=2,  # above its row
                color="white", markeredgecolor="tab:red", label="full data: all the test images (read from results/)")
    for difference, row in zip(differences, rows - 0.25):  # its value, left of the diamond
        ax.annotate(f"{difference:+.1f}", (difference, row), textcoords="offset points", xytext=(-8, 0), ha="right",
                    va="center", fontsize=8, color="tab:red")
