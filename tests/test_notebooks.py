"""The notebooks run top to bottom on small data, and are committed without outputs."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
NAMES = ["01_quickstart.ipynb", "02_retrain.ipynb", "03_label_next.ipynb"]
MISSING = [
    m
    for m in ("nbclient", "nbformat", "ipykernel", "matplotlib")
    if not importlib.util.find_spec(m)
]


@pytest.mark.parametrize("name", NAMES)
def test_notebook_is_committed_without_outputs(name: str) -> None:
    import json

    nb = json.loads((NOTEBOOKS / name).read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None


@pytest.mark.slow
@pytest.mark.skipif(bool(MISSING), reason=f"needs {', '.join(MISSING)}: pip install '.[notebook]'")
@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_top_to_bottom(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import nbformat
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
    from nbclient import NotebookClient

    try:
        KernelSpecManager().get_kernel_spec("python3")
    except NoSuchKernel:
        pytest.skip("no 'python3' Jupyter kernel: python -m ipykernel install --sys-prefix")
    # The kernel inherits this environment: small-data mode, the checkout on
    # the path (in case triage is not installed), outputs written under tmp.
    repo = str(NOTEBOOKS.parent)
    monkeypatch.delenv("TRIAGE_NOTEBOOK_FULL", raising=False)
    monkeypatch.setenv("TRIAGE_NOTEBOOK_OUT", str(tmp_path))
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join(filter(None, [repo, os.environ.get("PYTHONPATH")]))
    )
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = NotebookClient(
        nb,
        timeout=300,  # per cell
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    client.execute()  # raises CellExecutionError, naming the cell, if any cell fails
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors


def test_retrain_notebook_shows_each_problem_its_broken_rows_are_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The cells up to the broken-rows example, run as the notebook runs them
    # (small mode, from notebooks/): each row shows the problem its comment names.
    import json

    pytest.importorskip("matplotlib")
    monkeypatch.delenv("TRIAGE_NOTEBOOK_FULL", raising=False)
    monkeypatch.setenv("TRIAGE_NOTEBOOK_OUT", str(tmp_path))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.chdir(NOTEBOOKS)
    nb = json.loads((NOTEBOOKS / "02_retrain.ipynb").read_text(encoding="utf-8"))
    code = [
        "".join(line for line in c["source"] if not line.startswith("%"))
        for c in nb["cells"]
        if c["cell_type"] == "code"
    ]
    last = next(i for i, source in enumerate(code) if "broken = train.head(4)" in source)
    namespace: dict[str, object] = {}
    for source in code[:last]:
        exec(source, namespace)
    *setup, shown = code[last].rstrip().splitlines()
    exec("\n".join(setup), namespace)
    problems = eval(shown, namespace)
    assert problems["row"].tolist() == [0, 1, 2, 3]
    expected = [
        "unknown category 'hygiene'",
        "intensity must be 0, 1 or 2",
        "primary 'environment' is not among the categories",
        "duplicate id",
    ]
    for problem, want in zip(problems["problem"], expected, strict=True):
        assert problem.startswith(want)
