"""Notebook 05's quick/full bookkeeping: the short training run's budget, where the full data's
accuracies come from, and how the accuracy table is laid out in each profile.

Nothing here trains or measures: the notebook does that on the page and passes its numbers in.
"""

from __future__ import annotations

from pathlib import Path

from lab import pretrained

# (training images, epochs) of the short run: None takes all of the training split. On the full data
# a part of the split keeps MiniVGGNet's epochs to a few minutes on a laptop CPU.
SHORT_RUN = {"sample": (None, 5), "full": (10_000, 3)}


def short_run_budget(data: str, train_images: int) -> tuple[int, int]:
    """How many training images and epochs the short run uses in this profile."""
    images, epochs = SHORT_RUN[data]
    return min(images or train_images, train_images), epochs


def full_data_accuracies(file: Path, used: dict, measured: dict, full_data: bool) -> dict:
    """``{run: {part: accuracy}}`` on the full data: ``measured`` on the full data (and saved to ``file``),
    else what ``file`` keeps for the shipped models (see :func:`lab.pretrained.shipped_accuracies`)."""
    saved = pretrained.shipped_accuracies(file, used, measured if full_data else None)
    if full_data:
        return measured
    print(f"results/{file.name} holds the full data's accuracies of {len(saved)} of the {len(used)} reference models "
          "(this notebook writes them when it runs on the full data with the reference models)")
    return saved


def _columns(m: dict) -> str:
    """train, val, gap (in points) and test accuracy (in %) (`seen` where the model trained on the validation images)."""
    val, gap = (f"{m['val']:6.1%}", f"{100 * (m['train'] - m['val']):+6.1f}") if m.get("val") is not None else (f"{'seen':>6}", f"{'':>6}")
    return f"{m['train']:6.1%} {val} {gap} {m['test']:6.1%}"


def print_accuracy_table(test: dict, intervals: dict, full: dict, file: Path, full_data: bool, test_images: int) -> None:
    """One row per model. ``test``: its test accuracy measured now; ``intervals``: its 95% CI; ``full``: the
    full data's train/val/test accuracies. On the full data those are today's; on the sample they sit beside it."""
    header = f"{'train':>6} {'val':>6} {'gap':>6} {'test':>6}"
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
            print(f"{name:>23} {_columns(full[name])}  {low:.1%}-{high:.1%}")
        else:
            print(f"{name:>23} {accuracy:6.1%}  {low:.1%}-{high:.1%}   "
                  + (_columns(full[name]) if name in full else "(this model is not in the file)"))
    print("accuracies in %; gap: train minus val accuracy, in points")
