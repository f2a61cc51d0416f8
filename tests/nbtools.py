"""Reading executed notebooks in tests."""

import re

LOG_NOISE = re.compile(r"cuInit|E0000|W0000|I0000|absl::|oneDNN|cuda_|Traceback|Warning|WARNING")
"""What must never reach a reader: TensorFlow's start-up log lines, tracebacks and warnings."""


def text_of(notebook) -> str:
    """All text a notebook printed (stream and plain-text results)."""
    parts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            parts.append(output.get("text", "") or output.get("data", {}).get("text/plain", ""))
    return "\n".join(parts)


def reference(name: str) -> dict | None:
    """The results record of the reference run ``name`` (``lab/references.py``)."""
    from lab import references

    return references.get(name).results()
