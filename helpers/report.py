"""The README's results table, generated from the results files (``make results``).

``python -m helpers.report`` rewrites the part of README.md between the ``results:start`` and
``results:end`` markers from ``results/*.json``; ``--check`` only compares (a test runs it), so the
README can never drift from what the runs measured.
"""

from __future__ import annotations

import argparse
import sys

from helpers import benchmark, data, provenance, references
from helpers.paths import RESULTS_DIR, ROOT

README = ROOT / "README.md"
START, END = "<!-- results:start -->", "<!-- results:end -->"

ORIGINAL = [  # what the Keras 2 project's README reported; quoted, not measured here
    ("MiniVGGNet, Keras 2 original (reported)", "~82%", "40"),
    ("ShallowNet, Keras 2 original (reported)", "~60%", "40"),
]


def _tta(record: dict) -> str:
    """Flip TTA accuracy, only where a mirror image keeps its class (CIFAR-10, not digits)."""
    value = record["test"].get("flip_tta_accuracy")
    return "n/a" if value is None or not data.get_spec(record["data"]["dataset"]).mirror_keeps_class else f"{value:.2%}"


def _read(name: str) -> dict | None:
    """``RESULTS_DIR/<name>.json``, or None when that run has not been recorded."""
    path = RESULTS_DIR / f"{name}.json"
    return provenance.read_json(path) if path.exists() else None


def _minutes(seconds: float | None) -> str:
    return "n/a" if seconds is None else f"{seconds / 60:.1f} min"


def render() -> str:
    """The markdown between the markers, from whatever results files exist."""
    lines = ["| run | test accuracy | flip TTA | epochs | training / whole run | 82% validation accuracy reached | hardware | results file |",
             "|---|---|---|---|---|---|---|---|"]
    found = 0
    for name, ref in references.REFERENCES.items():
        r, label = _read(name), ref.label
        if r is None:
            continue
        found += 1
        test = r["test"]
        device = "GPU: " + ", ".join(r["device"]["names"]) if r["device"]["kind"] != "cpu" else f"{r['machine']['cpu_cores']}-core CPU ({r['machine']['cpu']})"
        hit = r["milestones"].get("val_accuracy>=0.82")
        reached = (f"epoch {hit['epoch']}, {_minutes(hit['seconds'])}" if hit
                   else "no" if r["history"].get("val_accuracy") else "n/a (no validation set held out)")
        lines.append(f"| {label} | **{test['accuracy']:.2%}** | {_tta(r)} | {r['epochs_run']} | "
                     f"{_minutes(r['timing']['train_seconds'])} / {_minutes(r['timing'].get('process_seconds'))} | {reached} | {device} | [`results/{name}.json`](results/{name}.json) |")
    for label, accuracy, epochs in ORIGINAL:
        lines.append(f"| {label} | {accuracy} | | {epochs} | | | | original project's README |")
    goals = targets()
    if goals:
        lines = ["Targets:", "", *goals, "", *lines]
    if not found:
        lines.insert(0, "_No reference run has been recorded yet: the table fills in as `results/*.json` appear._\n")
    lines += ["", "Every recorded run with its recipe (the log of attempts; `results/*.json` hold the full histories "
                  "and the exact commands; only the runs in the table above ship their models in `models/`):", "",
              "| results file | network | recipe | optimizer | peak lr | weight decay | label smoothing | augment | batch "
              "| epochs | train / val images | best val | test | flip TTA |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for path in sorted(RESULTS_DIR.glob("*.json")):
        r = provenance.read_json(path)
        if "recipe" not in r:
            continue
        c, h = r["recipe"], r["history"]
        augment = f"crop (pad {c.get('crop_padding', 4)}) + flip" if c["augment"] else "no"
        best_val = f"{max(h['val_accuracy']):.4f}" if h.get("val_accuracy") else "none held out"
        lines.append(f"| {path.stem} | {r['arch']} | {c['name']} | {c['optimizer']} | {c['learning_rate']:g} | "
                     f"{c['weight_decay']:g} | {c['label_smoothing']:g} | {augment} | "
                     f"{c['batch_size']} | {r['epochs_run']} | {r['data']['split']['train']} / {r['data']['split']['validation']} | "
                     f"{best_val} | {r['test']['accuracy']:.4f} | {_tta(r)} |")
    bench = RESULTS_DIR / "benchmark.json"
    if bench.exists():  # the benchmark words its own findings
        lines += ["", *benchmark.summary(provenance.read_json(bench))]
    return "\n".join(lines)


def best_attempt(arch: str | None = None, max_epochs: int = 30) -> tuple[str | None, dict | None]:
    """The recorded run of ``arch`` (default: the main reference run's) with the highest test accuracy
    in at most ``max_epochs`` epochs."""
    arch = arch or references.with_role("main").arch
    best_name, best = None, None
    for path in sorted(RESULTS_DIR.glob("*.json")):
        record = provenance.read_json(path)
        if record.get("arch") == arch and record.get("epochs_run", max_epochs + 1) <= max_epochs:
            if best is None or record["test"]["accuracy"] > best["test"]["accuracy"]:
                best_name, best = path.stem, record
    return best_name, best


def targets() -> list[str]:
    """The series' targets, each marked met or not from the results files (absent ones are pending)."""
    lines = []
    main = references.with_role("main")
    improved, fast, bench = _read(main.name), _read(references.with_role("fast").name), _read("benchmark")
    if improved:
        acc, epochs = improved["test"]["accuracy"], improved["epochs_run"]
        ok = acc >= 0.885 and epochs <= 30
        best_name, best = best_attempt(main.arch)
        other = (f"; best recorded attempt `{best_name}`: {best['test']['accuracy']:.2%}, "
                 f"{best['test']['flip_tta_accuracy']:.2%} with flip TTA" if best_name != main.name else "")
        lines.append(f"- MiniVGGNet, unchanged, >= 88.5% test accuracy in <= 30 epochs: **{'met' if ok else 'not met yet'}** "
                     f"({acc:.2%} in {epochs} epochs; {improved['test']['flip_tta_accuracy']:.2%} with flip TTA{other})")
    if fast:
        acc, minutes = fast["test"]["accuracy"], fast["timing"]["process_seconds"] / 60
        ok = acc >= 0.82 and minutes <= 20
        lines.append(f"- The original's 82% in <= 20 minutes on {fast['machine']['cpu_cores']} CPU cores, training and "
                     f"evaluation included: **{'met' if ok else 'not met yet'}** ({acc:.2%} after {minutes:.1f} min)")
    if bench:
        lines.append(f"- Training pipeline >= 2.5x the original's images/s on the same machine: "
                     f"**{'met' if bench['speedup'] >= 2.5 else 'not met'}** ({bench['speedup']:.2f}x)")
    return lines


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


def comparison_figure(path=None):
    """figures/results_comparison.png: validation accuracy per epoch of every reference run on the main
    run's dataset (CIFAR-10), and their test accuracy beside the original project's reported numbers.
    Returns the path, or None without runs."""
    from helpers import plots
    from helpers.paths import FIGURES_DIR

    dataset = references.with_role("main").dataset
    runs = [(ref.label, _read(ref.name)) for ref in references.REFERENCES.values() if ref.dataset == dataset]
    runs = [(label, r) for label, r in runs if r]
    if not runs:
        return None
    fig, (curves, bars) = plots.plt.subplots(1, 2, figsize=(13, 4.5), gridspec_kw={"width_ratios": [3, 2]})
    for label, r in runs:
        values = r["history"]["val_accuracy"]
        curves.plot(range(1, len(values) + 1), values, label=label)
    curves.set(title=f"Validation accuracy ({dataset.title})", xlabel="epoch", ylabel="accuracy")
    curves.grid(alpha=0.3)
    curves.legend(fontsize=8)
    labels = [label for label, _ in runs] + [label for label, _, _ in ORIGINAL]
    values = [r["test"]["accuracy"] for _, r in runs] + [float(a.strip("~%")) / 100 for _, a, _ in ORIGINAL]
    colors = ["tab:blue"] * len(runs) + ["lightgray"] * len(ORIGINAL)
    bars.barh(labels[::-1], values[::-1], color=colors[::-1])
    texts = [f"{r['test']['accuracy']:.1%}" for _, r in runs] + [a for _, a, _ in ORIGINAL]
    for y, (v, text) in enumerate(zip(values[::-1], texts[::-1])):
        bars.text(v + 0.005, y, text, va="center", fontsize=8)
    bars.set(title="Test accuracy (grey: the original project, as reported)", xlim=(0, 1))
    bars.tick_params(axis="y", labelsize=8)
    return plots.save_figure(fig, path or FIGURES_DIR / "results_comparison.png")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if README.md differs from the results files")
    args = parser.parse_args(argv)
    ok = update(check=args.check)
    if not args.check:
        comparison_figure()
    if args.check and not ok:
        print("README.md's results table is out of date: run `make results`.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
