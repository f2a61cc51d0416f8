"""Reading executed notebooks in tests."""

import re

LOG_NOISE = re.compile(r"cuInit|E0000|W0000|I0000|absl::|oneDNN|cuda_|Traceback|Warning|WARNING")
"""What must never reach a reader: TensorFlow's start-up log lines, tracebacks and warnings."""


def text_of(notebook) -> str:
    """All text a notebook printed (stream and plain-text results). A cell's consecutive pieces of one stream
    are joined back as printed: a busy machine can deliver one printed line in two pieces."""
    parts = []
    for cell in notebook.cells:
        previous = None
        for output in cell.get("outputs", []):
            stream = output.get("name") if output.get("output_type") == "stream" else None
            text = output.get("text", "") or output.get("data", {}).get("text/plain", "")
            if stream and stream == previous:
                parts[-1] += text
            else:
                parts.append(text)
            previous = stream
    return "\n".join(parts)


def reference(name: str) -> dict | None:
    """The results record of the reference run ``name`` (``lab/references.py``)."""
    from lab import references

    return references.get(name).results()
