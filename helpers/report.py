"""The README's results table, generated from the results files (``make results``).

``python -m helpers.report`` rewrites the part of README.md between the ``results:start`` and
``results:end`` markers from ``results/*.json``; ``--check`` only compares (a test runs it), so the
README can never drift from what the runs measured.
"""

from __future__ import annotations

import argparse
import sys

from helpers import provenance
from helpers.paths import RESULTS_DIR, ROOT

README = ROOT / "README.md"
START, END = "<!-- results:start -->", "<!-- results:end -->"

RUNS = [  # (results file, what it is)
    ("minivggnet_improved", "MiniVGGNet, improved recipe"),
    ("minivggnet_fast", "MiniVGGNet, fast recipe (CPU)"),
    ("minivggnet_seed", "MiniVGGNet, original recipe"),
    ("shallownet_seed", "ShallowNet, original recipe"),
    ("lenet_mnist", "LeNet on MNIST, original recipe"),
]
ORIGINAL = [  # what the Keras 2 project's README reported; quoted, not measured here
    ("MiniVGGNet, Keras 2 original (reported)", "~82%", "40"),
    ("ShallowNet, Keras 2 original (reported)", "~60%", "40"),
]


def _minutes(seconds: float | None) -> str:
    return "n/a" if seconds is None else f"{seconds / 60:.1f} min"


def render() -> str:
    """The markdown between the markers, from whatever results files exist."""
    lines = ["| run | test accuracy | flip TTA | epochs | training time | hardware | results file |",
             "|---|---|---|---|---|---|---|"]
    found = 0
    for name, label in RUNS:
        path = RESULTS_DIR / f"{name}.json"
        if not path.exists():
            continue
        found += 1
        r = provenance.read_json(path)
        test = r["test"]
        device = "GPU: " + ", ".join(r["device"]["names"]) if r["device"]["kind"] != "cpu" else f"{r['machine']['cpu_cores']}-core CPU ({r['machine']['cpu']})"
        lines.append(f"| {label} | **{test['accuracy']:.2%}** | {test['flip_tta_accuracy']:.2%} | {r['epochs_run']} | "
                     f"{_minutes(r['timing']['train_seconds'])} | {device} | [`results/{name}.json`](results/{name}.json) |")
    for label, accuracy, epochs in ORIGINAL:
        lines.append(f"| {label} | {accuracy} | | {epochs} | | | original project's README |")
    if not found:
        lines.insert(0, "_No reference run has been recorded yet: the table fills in as `results/*.json` appear._\n")
    bench = RESULTS_DIR / "benchmark.json"
    if bench.exists():
        b = provenance.read_json(bench)
        ips = b["images_per_second"]
        lines += ["", f"Training throughput (`make bench`, {b['machine']['cpu_cores']}-core {b['machine']['cpu']}): "
                      f"original pipeline {ips['original']:.0f} images/s, ours {ips['ours']:.0f} images/s "
                      f"(**{b['speedup']:.2f}x**; {b['speedup_same_batch']:.2f}x at the original's batch size). "
                      f"See [`results/benchmark.json`](results/benchmark.json)."]
    return "\n".join(lines)


def update(check: bool = False) -> bool:
    """Rewrite (or, with ``check``, compare) the README's table; True when it is up to date."""
    text = README.read_text()
    if START not in text or END not in text:
        raise ValueError(f"{README} lacks the {START} ... {END} markers.")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    new = f"{head}{START}\n{render()}\n{END}{tail}"
    if check:
        return new == text
    README.write_text(new)
    return True


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if README.md differs from the results files")
    args = parser.parse_args(argv)
    ok = update(check=args.check)
    if args.check and not ok:
        print("README.md's results table is out of date: run `make results`.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
