"""The Colab setup cell, run as written off Colab: in a real IPython kernel with ``google.colab``
simulated, in a fresh environment that has TensorFlow but not this project, cloning from a local clone.

The fresh environment stands in for a Colab runtime: a new venv whose only "preinstalled" packages are
those of the test environment minus this project (a folder of links to them, added to the venv's path
the way a system site-packages folder is), so TensorFlow is there and ``helpers`` is not.
"""

import importlib.util
import json
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from helpers.paths import ROOT

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
sys.path.insert(0, str(ROOT / "scripts"))
import sync_colab  # noqa: E402

PROBE = ("import importlib.metadata, importlib.util, json, tensorflow as tf; "
         "print(json.dumps({'tf': tf.__version__, 'tf_file': tf.__file__, "
         "'tf_dist': importlib.metadata.version('tensorflow'), 'helpers': importlib.util.find_spec('helpers') is not None}))")


@pytest.fixture(scope="module")
def runtime(tmp_path_factory):
    """A fresh 'Colab runtime': its python, a kernel spec for it, and the project published at a local URL."""
    root = tmp_path_factory.mktemp("colab")
    preinstalled = root / "preinstalled"
    preinstalled.mkdir()
    for entry in Path(sysconfig.get_paths()["purelib"]).iterdir():
        if not entry.name.startswith(("__editable__", "minivggnet_keras")) and entry.suffix != ".pth":
            (preinstalled / entry.name).symlink_to(entry)
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    Path(site, "preinstalled.pth").write_text(f"{preinstalled}\n")
    kernel = root / "jupyter" / "kernels" / "colab-sim"
    kernel.mkdir(parents=True)
    (kernel / "kernel.json").write_text(json.dumps({
        "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "simulated Colab", "language": "python"}))
    published = root / "minivggnet-keras"  # where the project is "published": a clone of this repository
    subprocess.run(["git", "clone", "-q", str(ROOT), str(published)], check=True)
    (root / "content").mkdir()
    return {"root": root, "python": python, "site": Path(site), "url": f"file://{published}",
            "jupyter": root / "jupyter"}


def run_cells(runtime, monkeypatch, *sources):
    """Execute ``sources`` in a new kernel of the runtime (from its /content) after simulating Colab."""
    monkeypatch.setenv("JUPYTER_PATH", str(runtime["jupyter"]))
    monkeypatch.setenv("PIP_NO_INDEX", "1")  # nothing may come from the network: all is preinstalled
    monkeypatch.setenv("PIP_DISABLE_PIP_VERSION_CHECK", "1")
    monkeypatch.delenv("PYTHONPATH", raising=False)
    colab = 'import sys, types\nsys.modules["google.colab"] = types.ModuleType("google.colab")  # as on Colab'
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in (colab, *sources)])
    client = nbclient.NotebookClient(nb, kernel_name="colab-sim", timeout=600, allow_errors=True,
                                     resources={"metadata": {"path": str(runtime["root"] / "content")}})
    client.execute()
    return nb.cells[1:]


def probe(python) -> dict:
    result = subprocess.run([python, "-c", PROBE], capture_output=True, text=True, cwd="/", timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(importlib.util.find_spec("ipykernel") is None, reason="needs ipykernel")
def test_setup_cell_installs_the_helpers_and_keeps_tensorflow(runtime, monkeypatch):
    before = probe(runtime["python"])
    assert before["helpers"] is False, "the simulated runtime must not have the project yet"
    folder = runtime["root"] / "content" / "minivggnet-keras"
    check = ("import importlib.metadata, json, helpers, helpers.paths, tensorflow as tf\n"
             "print(json.dumps({'root': str(helpers.paths.ROOT), 'tf': tf.__version__, 'tf_file': tf.__file__,"
             " 'tf_dist': importlib.metadata.version('tensorflow')}))")
    setup, after = run_cells(runtime, monkeypatch, sync_colab.setup_cell(runtime["url"], str(folder)), check)
    assert [o for o in setup.outputs if o.output_type == "error"] == [], setup.outputs
    assert after.outputs and after.outputs[-1].output_type == "stream", after.outputs
    seen = json.loads(after.outputs[-1].text.strip().splitlines()[-1])
    assert Path(seen["root"]) == folder.resolve()
    assert (seen["tf"], seen["tf_file"], seen["tf_dist"]) == (before["tf"], before["tf_file"], before["tf_dist"])
    assert not any(p.name.startswith(("tensorflow", "keras", "numpy")) for p in runtime["site"].iterdir()), \
        "nothing of TensorFlow, Keras or NumPy may be installed by the cell"
    assert probe(runtime["python"])["helpers"] is True, "a restarted runtime imports the helpers too"


@pytest.mark.skipif(importlib.util.find_spec("ipykernel") is None, reason="needs ipykernel")
def test_setup_cell_says_what_to_do_when_the_clone_fails(runtime, monkeypatch):
    bad = f"file://{runtime['root']}/no-such-repository"
    (setup,) = run_cells(runtime, monkeypatch, sync_colab.setup_cell(bad, str(runtime["root"] / "content" / "nope")))
    shown = "".join(o.get("text", "") for o in setup.outputs)
    assert "fatal:" in shown and "Could not download the project" in shown and "run this cell again" in shown, shown
    errors = [o for o in setup.outputs if o.output_type == "error"]  # only %run's one line: the script is not there
    assert all("colab_setup.py" in o.evalue and "not found" in o.evalue for o in errors), errors


def test_setup_cell_is_four_lines_and_does_nothing_off_colab():
    from IPython.core.inputtransformer2 import TransformerManager

    cell = sync_colab.setup_cell("https://example.invalid/x")
    assert len(cell.splitlines()) <= 4 and sync_colab.MARKER in cell
    namespace = {}
    exec(TransformerManager().transform_cell(cell), namespace)  # google.colab is not imported here
    assert "FOLDER" not in namespace


def test_the_setup_keeps_tensorflow_keras_and_numpy_out_of_pip():
    sys.path.insert(0, str(ROOT / "scripts"))
    import colab_setup

    light = colab_setup.light_dependencies()
    assert light and not any(spec.split(">")[0].split("=")[0] in colab_setup.KEPT for spec in light)
    assert '"/content/project"' not in sync_colab.setup_cell("https://github.com/someone/project")
    assert "/content/project/scripts/colab_setup.py" in sync_colab.setup_cell("https://github.com/someone/project")


def _older_python() -> str | None:
    """A Python below the project's floor (3.11) on this machine, if any."""
    candidates = [shutil.which("python3.10"), *map(str, Path.home().glob(".pyenv/versions/3.10*/bin/python3.10"))]
    for candidate in filter(None, candidates):
        probe_run = subprocess.run([candidate, "-c", "import sys; print(sys.version_info < (3, 11))"],
                                   capture_output=True, text=True)
        if probe_run.returncode == 0 and probe_run.stdout.strip() == "True":
            return candidate
    return None


def test_sync_colab_on_an_older_python_says_so_in_one_line():
    python = _older_python()
    if python is None:
        pytest.skip("no Python 3.10 on this machine")
    result = subprocess.run([python, str(ROOT / "scripts" / "sync_colab.py"), "--check"], capture_output=True, text=True)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.strip() == ("scripts/sync_colab.py needs Python 3.11 or newer (tomllib), "
                                     "as pyproject.toml's requires-python says.")
