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
    # a reader sees values, not the reprs of their types: 0.708, not
    # np.float64(0.7083333333333334); service, not <Category.SERVICE: 'service'>
    shown = [
        str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", ""))
        for c in nb.cells
        for o in c.get("outputs", [])
    ]
    for kind in ("np.float64(", "np.int64(", "<Category.", "<Emotion.", "<Priority."):
        assert not [s for s in shown if kind in s], kind


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


def test_retrain_notebook_shows_the_thresholds_tuning_set(
    clause_model: object, train_frame: object
) -> None:
    # A model trained as `triage train` trains (threshold_folds >= 2) has the
    # clause stage, whose thresholds decide the categories: tune_thresholds sets
    # those and keeps the heads'. The notebook's table of thresholds, before and
    # after tuning, shows the ones that decide.
    import ast
    import json

    import numpy as np
    import pandas as pd

    import triage
    from triage.retrain import tune_thresholds

    nb = json.loads((NOTEBOOKS / "02_retrain.ipynb").read_text(encoding="utf-8"))
    (cell,) = [c for c in nb["cells"] if c["id"] == "cell-19"]
    tuned = tune_thresholds(clause_model, train_frame.iloc[600:900])  # type: ignore[arg-type, attr-defined]
    namespace: dict[str, object] = {
        "np": np,
        "pd": pd,
        "triage": triage,
        "model": clause_model,
        "tuned_half": tuned,
    }
    *setup, shown = ast.parse("".join(cell["source"])).body
    exec(compile(ast.Module(body=setup, type_ignores=[]), "cell-19", "exec"), namespace)
    assert isinstance(shown, ast.Expr)
    table = eval(compile(ast.Expression(shown.value), "cell-19", "eval"), namespace)
    for m, column in ((clause_model, "categories (train)"), (tuned, "categories (tuned)")):
        staged = m.clause_thresholds_  # type: ignore[attr-defined]
        deciding = np.where(np.isnan(staged), m.thresholds_["categories"], staged)  # type: ignore[attr-defined]
        np.testing.assert_array_equal(table[column].to_numpy(), deciding)
    assert (table["categories (train)"] != table["categories (tuned)"]).any()


@pytest.mark.parametrize("name", ["02_retrain.ipynb"])
@pytest.mark.parametrize(
    "column",
    [
        # the interval of a bootstrap comparison: one bound next to 0 turned the
        # column to scientific notation, -4.440e-02 beside 6.757e-04
        [-0.0444, 0.0, -0.0608, 0.000676, -0.0388, -0.0068, -0.000125],
        [0.0004, 0.2, 0.01],  # 4.000e-04
    ],
)
def test_notebook_tables_show_figures_as_decimals(name: str, column: list[float]) -> None:
    import json

    import pandas as pd

    nb = json.loads((NOTEBOOKS / name).read_text(encoding="utf-8"))
    setup = [
        line
        for c in nb["cells"]
        if c["cell_type"] == "code"
        for line in c["source"]
        if line.startswith("pd.set_option(")
    ]
    assert setup
    frame = pd.DataFrame({"ci_low": column})
    with pd.option_context("display.precision", 6, "display.float_format", None):
        exec("".join(setup), {"pd": pd})
        shown = frame.to_html() + frame.to_string()
    assert "e-0" not in shown


@pytest.mark.parametrize(
    ("name", "loading"), [("02_retrain.ipynb", "read_labeled"), ("03_label_next.ipynb", "pool =")]
)
def test_a_notebook_without_the_shared_data_says_where_to_name_it(
    name: str,
    loading: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # A newcomer's checkout with no shared/data beside it: the notebook falls
    # back to the demo rows and says to set TRIAGE_DATA_DIR or DATA, the folder
    # it reads (03 had printed only a loader's "data_dir= (CLI: --corpus) must
    # be ...", a parameter the notebook's reader never sees).
    import json

    pytest.importorskip("matplotlib")
    monkeypatch.setenv("TRIAGE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TRIAGE_NOTEBOOK_OUT", str(tmp_path))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.chdir(NOTEBOOKS)
    nb = json.loads((NOTEBOOKS / name).read_text(encoding="utf-8"))
    code = [
        "".join(line for line in c["source"] if not line.startswith("%"))
        for c in nb["cells"]
        if c["cell_type"] == "code"
    ]
    last = next(i for i, source in enumerate(code) if loading in source)
    namespace: dict[str, object] = {}
    for source in code[: last + 1]:
        exec(source, namespace)
    said = capsys.readouterr().out
    assert str(tmp_path / "data") in said
    assert "set triage_data_dir, or data above, to the folder holding labeled/ and raw/" in (
        said.lower()
    )
    assert "demo" in said


def test_retrain_notebook_says_how_the_shipped_model_it_compares_with_was_made() -> None:
    # Its comparison with the shipped model named --corpus alone, and a reader
    # took the gap for the word vectors' while --calm-chats and --praise are in it.
    import json
    import re

    made = (NOTEBOOKS.parent / "models" / "README.md").read_text(encoding="utf-8")
    command = re.search(r"```bash\n(triage train .*?)```", made, re.S)
    assert command
    options = set(re.findall(r"--(?:corpus|calm-chats|praise|words|corpus-file)\b", command[1]))
    assert options
    nb = json.loads((NOTEBOOKS / "02_retrain.ipynb").read_text(encoding="utf-8"))
    (section,) = [
        "".join(c["source"])
        for c in nb["cells"]
        if c["cell_type"] == "markdown" and "".join(c["source"]).startswith("## 4.")
    ]
    for option in options:
        assert option in section, option


def test_quickstart_scores_an_export_in_gbk_as_it_scores_the_frame(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A CSV that Excel saves on Chinese Windows is GBK, which the quickstart's
    # pd.read_csv stops at: it shows score_file reading one, and its scores
    # are those score_frame gives the same texts.
    import json

    pytest.importorskip("matplotlib")
    monkeypatch.setenv("TRIAGE_NOTEBOOK_OUT", str(tmp_path))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.chdir(NOTEBOOKS)
    nb = json.loads((NOTEBOOKS / "01_quickstart.ipynb").read_text(encoding="utf-8"))
    namespace: dict[str, object] = {"display": lambda *shown: None}
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            exec("".join(line for line in cell["source"] if not line.startswith("%")), namespace)
    with pytest.raises(UnicodeDecodeError):
        (tmp_path / "export.csv").read_bytes().decode("utf-8")
    back, scored = namespace["back"], namespace["scored"]
    for column in ("primary", "categories", "priority"):
        assert back[column].tolist() == scored[column].tolist(), column  # type: ignore[index]
