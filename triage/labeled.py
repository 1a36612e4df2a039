"""Labeled data in the file format of the label definitions: read, validate, parse.

A labeled file has the columns ``id, source, text, categories, primary, angry,
anxious, confused, humorous, aggrieved, priority`` (``id`` and ``source`` are
optional here). `validate_labels` reports every bad row; `parse_labels` turns a
valid frame into the arrays the models train on.
"""

from __future__ import annotations

import math
import os
import re
import sys
import unicodedata
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from triage._io import (
    FORMULA,
    Options,
    check_encoding,
    detect_encoding,
    is_missing,
    is_stream,
    missing_message,
    read_chunks,
    sniff_header,
    starts_as_jsonl,
    stream_error,
)
from triage._paths import user_path
from triage._words import counted, names_shown, plural
from triage._words import shown as _shown
from triage.exceptions import (
    InputFileError,
    LabelColumnError,
    LabelError,
    ParameterError,
    TriageWarning,
    user_stacklevel,
)
from triage.labels import CATEGORIES, EMOTION_COLUMNS, EMOTIONS, LABEL_COLUMNS, PRIORITIES

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "HEADS",
    "LabelArrays",
    "check_heads",
    "check_labels",
    "check_partial",
    "excluded_texts",
    "foreign_package",
    "frame_kind",
    "group_splits",
    "label_cells",
    "labeled_heads",
    "model_texts",
    "parse_labels",
    "problem_lines",
    "read_labeled",
    "read_labeled_lines",
    "require_frame",
    "validate_labels",
    "validate_partial",
]

_REQUIRED = ("text", "categories", "primary", *EMOTION_COLUMNS, "priority")
_FILE_COLUMNS = ("id", "source", *_REQUIRED)
_NO_ROWS = "no rows"
_NO_ROWS_SAID = f"{_NO_ROWS} in the labeled data: there is nothing to train or score on"
_MISSING = "missing column"
#: What the errors of reading a labeled file name: triage train, evaluate and
#: check take its encoding (--encoding) and read CSV and TSV alone
_OPTIONS = Options(input_format=None, only="a labeled file is CSV or TSV")
_NOT_READ = "column is not read as the ids: rename it to 'id'"
_LABEL_NAMES = frozenset(_REQUIRED[1:])
#: A row whose label cells are the names of the label columns (in any
#: order): the header of a file joined after another (cat a.csv b.csv).
_HEADER_AGAIN = (
    "the header line again, as where labeled files were joined one after another: delete the row"
)
_NOT_LABELED = "not labeled yet: every label cell is empty; label the row or leave it out"
#: The problem of a row whose five emotion cells are empty, where they are
#: rated on other rows: one of the row, not one a cell.
_NO_EMOTIONS = (
    "the five emotions are empty (angry, anxious, confused, humorous, aggrieved): "
    "rate each, 0 where absent (every one 0 is a calm text)"
)
#: The problem of a label column empty on every row where another is not (an
#: export labeled for some heads alone): one of the column, not one a cell.
_BLANK = "empty on every row"
_CATEGORY_SET = frozenset(str(c) for c in CATEGORIES)
_PRIORITY_SET = frozenset(str(p) for p in PRIORITIES)
#: The heads a labeled frame is evaluated on, each with the columns it reads.
HEADS: dict[str, tuple[str, ...]] = {
    "categories": ("categories",),
    "primary": ("primary",),
    "emotions": EMOTION_COLUMNS,
    "priority": ("priority",),
}
_ALL_HEADS = tuple(HEADS)


def _hint_key(label: str) -> str:
    """A label as the hints below look it up: in half-width, case-folded,
    without spaces (``\uff30 \uff11`` is ``p1``)."""
    return "".join(unicodedata.normalize("NFKC", label).casefold().split())


def _level_names(level: str, zh: str) -> tuple[str, ...]:
    """What a ticket system may write for a priority level (``P1``, ``紧急``):
    its number alone, with 级 (``P1级``, ``1级``, ``一级``), or beside its
    Chinese name (``P1紧急``, ``P1(紧急)``, ``紧急(P1)``, ``P1-紧急``).

    >>> _level_names("P2", "高")[:6]
    ('P2', '高', '2', 'P2级', '2级', '二级')
    """
    n = level[1:]
    return (
        level,
        zh,
        n,
        f"{level}级",
        f"{n}级",
        f"{'一二三四'[int(n) - 1]}级",
        f"{level}{zh}",
        f"{level}({zh})",
        f"{zh}({level})",
        f"{level}-{zh}",
        f"{level}:{zh}",
    )


# What a labeler may write for a label instead of its code: any case or
# width, spaces inside, the Chinese name of the label definitions, or a
# level's number alone or as a ticket system writes it. Only ever used to
# suggest the code.
_CATEGORY_HINTS = {_hint_key(k): str(c) for c in CATEGORIES for k in (str(c), c.zh)}
_PRIORITY_HINTS = {_hint_key(k): str(p) for p in PRIORITIES for k in _level_names(str(p), p.zh)}

# The apostrophe `triage.retrain.export_for_labeling` writes before a cell
# that Excel would run as a formula (`triage._io.FORMULA`: "=1+1", "-5元",
# "+86 138...", "@客服"), which `read_labeled` removes. A cell of apostrophes
# before one of these characters got one more, so every cell reads back as it was.
_GUARD = re.compile(rf"^'(?={FORMULA.pattern})")


def read_labeled(path: str | os.PathLike[str], *, encoding: str | None = None) -> pd.DataFrame:
    """Read a labeled CSV or TSV file as strings, keeping empty cells as empty strings.

    The encoding is detected unless given: UTF-8 with or without a BOM, UTF-16
    with or without a BOM, or GBK/GB18030 (what Excel's plain "CSV" gives on
    Chinese Windows); where detection cannot tell (UTF-16 without a BOM
    whose texts are mostly characters it does not count as text, say), the
    error names the encoding to pass. The delimiter is detected too, from
    the header line: commas, or tabs as in Excel's
    "Unicode Text" export (tab-separated UTF-16) and ``.tsv`` files, or
    semicolons as in the CSV of Excel where the decimal mark is a comma
    (a header that semicolons, and nothing else, split into its columns).
    A first line ``sep=;`` (or another delimiter after ``sep=``), which
    Excel reads as naming the delimiter, names it and is no row; lines are
    numbered in the file all the same, the ``sep=`` line being line 1.

    Empty ``categories`` and ``primary`` cells mean "not a complaint"; reading
    them as NaN (pandas' default) would lose that. Rows whose every cell is
    empty or only spaces, which Excel saves below the data, are dropped; a
    row with anything in any cell is kept (and `validate_labels` reports what
    it lacks).

    A cell that starts with an apostrophe followed by ``=``, ``+``, ``-``,
    ``@``, a tab or a carriage return (after any further apostrophes) loses
    that first apostrophe: `triage.retrain.export_for_labeling` adds it so
    that Excel shows such a text rather than run it as a formula, and the
    text reads back as it was (``'=1+1`` is ``=1+1``, ``''=)`` is ``'=)``).
    Any other apostrophe is kept (``'好评'都是假的`` stays as it is).

    Parameters
    ----------
    path : path-like
        The labeled file, compressed too (``.gz``, ``.bz2``, ``.xz``, or a
        ``.zip`` archive holding it alone).
    encoding : str, optional
        The file's encoding (CLI: ``--encoding``); detected when omitted. It
        is checked as `triage.score_file` checks its own: a name of no text
        codec is a `ParameterError`, and bytes of the file's first megabyte
        that are not of it are a warning. A byte-order mark of the encoding
        is skipped (``utf-8`` reads a file saved as ``utf-8-sig``).

    Returns
    -------
    DataFrame
        One string column per column of the file, named as in its header
        with spaces around the names dropped (``"text "`` is ``text``), one
        row per row that is not blank, with a fresh index ``0 .. n-1``.

    Raises
    ------
    FileNotFoundError
        There is no file at `path`.
    LabelError
        The header names a column of the labeled file format twice (pandas
        would read the second as ``text.1`` and ignore it; a
        `triage.exceptions.LabelColumnError`, so a `ColumnError` too), or
        lines are malformed, named by number: a row with more or fewer fields than the
        header, or a quote left open or followed by more than a delimiter
        (the file is read as strictly as `triage score` reads it, so no
        stray quote merges rows into one text).
    InputFileError
        `path` is a folder, a pipe or a device (read more than once), or the
        file is not text (a workbook or a Parquet file, say), is JSON Lines
        (a labeled file is CSV or TSV), is empty, is a broken compressed
        file, or is a zip archive of no file or several; or `encoding` is
        ``utf-16`` or ``utf-32`` for a file without a byte-order mark.
    ParameterError
        `path` is no path (None, bytes, a DataFrame), or `encoding` names no text encoding.

    Warns
    -----
    TriageWarning
        Lines holding bytes that are not of the file's encoding (a corrupt
        byte in a GBK file), named by number: they are read as U+FFFD; and
        a given `encoding` that the file's first megabyte is not in.
    """
    return read_labeled_lines(path, encoding=encoding)[0]


def read_labeled_lines(
    path: str | os.PathLike[str], *, encoding: str | None = None
) -> tuple[pd.DataFrame, list[int]]:
    """`read_labeled`'s frame, and the line of the file each of its rows starts on.

    A row's line is where the file has it, 1-based as an editor counts
    (the header is line 1 of a file that starts with it): a text holding a
    line break, or blank rows dropped, put it elsewhere than ``row + 2``.
    `encoding` is the file's, as `read_labeled` takes it.
    """
    kind = frame_kind(path)
    if kind is not None:
        raise ParameterError(
            f"path must be a path (str or os.PathLike), got {kind}: a frame of labeled "
            "rows is read already; check it with triage.validate_labels(frame)"
        )
    path = Path(user_path(path))
    if path.is_dir():
        raise InputFileError(f"{path} is a folder; name the labeled CSV or TSV file in it")
    if not path.is_file():
        if is_stream(path):
            raise stream_error(path, "labeled file")
        raise FileNotFoundError(missing_message(path, "labeled file"))
    if encoding is not None:  # checked as score_file checks its input's
        from triage.batch import _check_text_encoding

        _check_text_encoding(encoding, options=_OPTIONS)
        check_encoding(path, encoding, options=_OPTIONS)
    # Files exported for labeling start with a BOM so Excel shows the Chinese
    # (utf-8-sig; plain utf-8 would glue it to the first column name), and
    # Excel on Chinese Windows saves them back as GBK unless told otherwise.
    encoding = encoding or detect_encoding(path, options=_OPTIONS)
    sep, header = sniff_header(path, encoding=encoding, columns=_FILE_COLUMNS)
    if not set(_REQUIRED) <= set(header) and starts_as_jsonl(path, encoding):
        # its keys split at commas are no columns: say what it is
        raise InputFileError(
            f"{path} is JSONL (a JSON object a line), not CSV or TSV, which a labeled file "
            f"is: a header line naming its columns ({', '.join(_FILE_COLUMNS)}), then a row "
            "a line; save its records as CSV (pandas: read_json(path, lines=True, "
            "dtype=str).to_csv(..., index=False))"
        )
    twice = [
        f"column {c!r} is written {header.count(c)} times in the header (columns "
        + ", ".join(str(k + 1) for k, name in enumerate(header) if name == c)
        + ")"
        for c, _ in _repeated(header, _FILE_COLUMNS)
    ]
    if twice:
        raise LabelColumnError(f"{path}: {'; '.join(twice)}; keep one of each")
    # Read strictly, as for scoring: pandas would merge the rows between two
    # stray quotes into one text, or take a first row of one field too many as
    # the sign of an index column and shift every row's cells by one, silently.
    chunks = read_chunks(
        path,
        fmt="tsv" if sep == "\t" else "csv",
        chunk_size=sys.maxsize,
        encoding=encoding,
        delimiter=sep,
    )
    chunk = next(chunks)
    if chunk.malformed_lines:
        lines = chunk.malformed_lines
        shown = ", ".join(map(str, lines[:10])) + (
            f" and {len(lines) - 10} more" if len(lines) > 10 else ""
        )
        raise LabelError(
            f"{path}: {counted(len(lines), 'malformed line')}: {shown} (a quote left open or "
            "followed by more than a delimiter, or a row of other than the header's "
            f"{counted(chunk.frame.shape[1], 'field')}); quote each text that holds a delimiter, "
            "a quote or a line break"
        )
    if chunk.undecodable_lines:
        lines = chunk.undecodable_lines
        shown = ", ".join(map(str, lines[:10])) + (
            f" and {len(lines) - 10} more" if len(lines) > 10 else ""
        )
        warnings.warn(
            f"{path}: bytes that are not {encoding} on {counted(len(lines), 'line')}, read as "
            f"U+FFFD (\ufffd): {shown}; the texts there are damaged: fix them, or save the "
            "file again as UTF-8",
            TriageWarning,
            stacklevel=user_stacklevel(),
        )
    frame = chunk.frame.astype(str)
    lines = chunk.lines
    blank = frame.fillna("").apply(lambda column: column.str.strip().eq("")).all(axis=1)
    if blank.any():
        frame = frame[~blank].reset_index(drop=True)
        lines = [n for n, dropped in zip(lines, blank.tolist(), strict=True) if not dropped]
    for i in range(frame.shape[1]):  # the apostrophes export_for_labeling added
        frame.isetitem(i, frame.iloc[:, i].str.replace(_GUARD, "", regex=True).array)
    return frame, lines


def require_frame(value: Any, what: str = "the labeled data") -> None:
    """Raise `ParameterError` unless `value` is a DataFrame, saying how to make one.

    Labeled rows come as a frame: the path of a labeled file is read with
    `read_labeled` first, and rows built in code (a list of dicts, a dict of
    columns) become one with ``pandas.DataFrame``.

    >>> try:
    ...     require_frame("my_train.csv")
    ... except ParameterError as exc:
    ...     print(str(exc).split("; ")[1])
    read the file first: triage.read_labeled('my_train.csv')
    """
    import pandas as pd

    if isinstance(value, pd.DataFrame):
        if isinstance(value.columns, pd.MultiIndex):  # frame["text"] would be a frame
            raise ParameterError(
                f"{what} has columns on {value.columns.nlevels} levels (a MultiIndex); "
                "give it one level of column names, such as "
                "frame.columns = frame.columns.get_level_values(-1)"
            )
        return
    package = foreign_package(value)
    if isinstance(value, str) and "\n" in value:  # a file's text, not its path
        got = f"str of {counted(len(value.splitlines()), 'line')}"
        hint = (
            "save it as a file and read it with triage.read_labeled(path), which reads "
            "each cell as it is written"
        )
    elif isinstance(value, str | os.PathLike):
        got = f"{type(value).__name__} {str(value)!r}"
        hint = f"read the file first: triage.read_labeled({str(value)!r})"
    elif isinstance(value, pd.Series):
        got = "Series"
        if _is_row(value):
            hint = (
                "this one is a row of a frame (frame.iloc[i], its index the columns): "
                "pass frame.iloc[[i]], a frame of that row"
            )
        else:
            hint = "a Series is one column: pass the frame of the text and label columns"
    elif package is not None:
        # a Dask or polars DataFrame was "got DataFrame", as if pandas' were refused
        got = f"{package} {type(value).__name__}"
        if package in ("dask", "dask_expr") and callable(getattr(value, "compute", None)):
            hint = "compute it into pandas first with .compute()"
        elif callable(getattr(value, "to_pandas", None)):  # polars, pyarrow, cuDF
            hint = "convert it with .to_pandas()"
        else:
            hint = "make a pandas DataFrame of it"
    else:
        got = type(value).__name__
        hint = "make one with pandas.DataFrame(rows) (rows: a list of dicts or a dict of columns)"
    raise ParameterError(f"{what} must be a pandas DataFrame, got {got}; {hint}")


def _is_row(series: pd.Series[Any]) -> bool:
    """Whether `series` is a row of a labeled frame (``frame.iloc[i]``): its
    index holds ``text``."""
    try:
        return bool("text" in series.index)
    except (TypeError, ValueError):  # an index that cannot hold the name
        return False


def frame_kind(value: Any) -> str | None:
    """What `value` is when it is a frame: ``DataFrame`` for pandas', another
    library's named with its package (``dask DataFrame``); else None."""
    import pandas as pd

    if isinstance(value, pd.DataFrame):
        return type(value).__name__
    package = foreign_package(value)
    return None if package is None else f"{package} {type(value).__name__}"


def foreign_package(value: Any) -> str | None:
    """The package of `value` when it is another library's table (a Dask,
    polars or pyarrow frame: it has columns), else None."""
    package = type(value).__module__.split(".")[0]
    if package in ("builtins", "pandas", "numpy") or not hasattr(type(value), "columns"):
        return None
    return package


def validate_labels(frame: pd.DataFrame, *, heads: Sequence[str] | None = None) -> pd.DataFrame:
    """List every problem of a labeled frame, one row per problem.

    With `heads` (names of `HEADS`: ``categories``, ``primary``,
    ``emotions``, ``priority``), the frame is checked for those alone, as
    `triage.evaluate` checks a frame for the heads it labels
    (`labeled_heads`): the columns of the others are neither required nor
    read.

    A column of the file format that the frame holds twice (pandas allows
    it in a frame built in code) is reported, as a missing column is, with
    ``row`` -1 and before any row is looked at.

    The optional ``id`` column must not repeat an id (spaces around it
    ignored); blank ids are allowed and are not duplicates of each other.
    A column that is ``id`` spelt otherwise (``ID``, ``Id ``, or with the
    byte-order mark a file read without ``encoding="utf-8-sig"`` keeps) where
    there is no ``id`` is reported, as a missing column is: its ids would
    not be read.

    Where a column is missing, columns the header gives no name (``""``,
    or pandas' ``Unnamed: 2``) that hold cells, or a header on two lines
    whose first row names the missing columns (a spreadsheet's merged
    header cells), are reported with it (``row`` -1, an empty ``column``),
    with the names the file format's order gives them: their labels are
    there, their names lost. A column of no name whose cells are all
    empty, or an index saved with a frame, is no problem.

    An empty cell is empty however pandas holds it: ``""``, NaN, None, or
    ``pd.NA`` (a frame read with ``dtype="string"`` or made by
    ``convert_dtypes()``).

    A row whose every label cell is empty (a row of a file exported for
    labeling that was not labeled yet) is one problem, with an empty
    ``column``, not one per label cell; so is a row whose five emotion
    cells alone are empty, where other rows rate them (its emotions left
    for later): ``the five emotions are empty``, not five intensities.

    A column of an emotion or the priority that is empty on every row,
    where another label column is not (a file exported for labeling whose
    emotions and priorities were left empty, a support team's), is one
    problem, ``empty on every row``, with ``row`` -1, not one per cell
    (six a row, thousands of a team's export); its empty cells are then
    no problem, and a row of empty categories beside them no complaint,
    as in a file of the categories alone. `triage.evaluate` takes such a
    file for the heads it labels (`labeled_heads`). With `heads`, a column
    of a head asked for that is empty on every row is that one problem even
    where no other label column is filled (``heads=["priority"]`` of a file
    whose priorities were never rated), not each row not labeled yet.

    A row whose label cells are the names of the label columns, in any
    order (the header line of a file joined after another one), is one
    problem, with an empty ``column``, and its id no duplicate.

    A text that is empty once normalised (only spaces, zero-width characters
    or HTML tags) is reported as missing: the model would learn nothing
    from it. A text cell that is not a string (a number, say) is reported
    as not a string, naming its type.

    A text may appear more than once, but always with the same labels: a row
    whose text, as the model sees it (`model_texts`: normalised, so spaces,
    traditional characters and full-width marks aside), is that of an earlier row with
    other labels is reported, naming the earlier row and the columns that
    differ. Labels are compared by meaning, not spelling: ``1`` and
    ``1.0``, or ``logistics|service`` and ``service|logistics``, are equal.
    A text repeated with the same labels is not a problem; it weighs as
    many rows in training. A row not labeled yet is reported as that alone,
    not as a copy with other labels, and the labeled copies of its text
    are compared with each other.

    Returns
    -------
    DataFrame
        Columns ``row`` (position in `frame`), ``id``, ``column``, ``value`` and
        ``problem``; empty when the frame is valid.

    Raises
    ------
    ParameterError
        `frame` is not a DataFrame: a path (read it with `read_labeled`
        first) or rows built in code (a list of dicts: ``pandas.DataFrame(rows)``).
        So does every function that takes labeled rows. Or `heads` names
        no head, or one that is not of `HEADS`, or ``primary`` without
        ``categories``, which a primary is checked against.

    Examples
    --------
    >>> import pandas as pd
    >>> bad = pd.DataFrame({"text": ["房间很脏"], "categories": ["environment|hygiene"],
    ...     "primary": ["service"], "angry": ["3"], "anxious": ["0"], "confused": ["0"],
    ...     "humorous": ["0"], "aggrieved": ["0"], "priority": ["P3"]})
    >>> for problem in validate_labels(bad)["problem"]:
    ...     print(problem)
    unknown category 'hygiene'; allowed: product, service, logistics, pricing, process, environment
    primary 'service' is not among the categories
    intensity must be 0, 1 or 2
    """
    if heads is None:
        return _validate(frame)
    if isinstance(heads, str) or not heads or not set(heads) <= set(HEADS):
        raise ParameterError(f"heads must be a list of some of {', '.join(HEADS)}, got {heads!r}")
    if "primary" in heads and "categories" not in heads:
        # each primary was "not among the categories", none being read
        raise ParameterError(
            f"heads names primary without categories, got {heads!r}: a primary is the main "
            "one of a row's categories, checked against them (labeled_heads refuses a frame "
            "of primary alone); pass heads=['categories', 'primary']"
        )
    return _validate(frame, heads=tuple(h for h in _ALL_HEADS if h in heads))


def _required(heads: Sequence[str]) -> tuple[str, ...]:
    """The columns a frame labeled for `heads` must have: ``text`` and theirs."""
    return ("text", *(c for h in _ALL_HEADS if h in heads for c in HEADS[h]))


def _validate(
    frame: pd.DataFrame, lines: Sequence[int] | None = None, heads: Sequence[str] | None = None
) -> pd.DataFrame:
    """`validate_labels`; with `lines` (see `check_labels`), an earlier row that
    a text repeats is named by its line too. With `heads`, the columns of the
    others are neither required nor read (`labeled_heads`), and a column of
    theirs empty on every row is one problem (`_blank_columns`)."""
    import pandas as pd

    required = _required(_ALL_HEADS if heads is None else heads)
    names = frozenset(required[1:])

    require_frame(frame)
    problems: list[dict[str, Any]] = []
    repeated = _repeated(frame.columns, _FILE_COLUMNS)
    if repeated:  # frame[column] would be a frame, not a column
        return pd.DataFrame(
            [
                {"row": -1, "id": "", "column": c, "value": "", "problem": _twice(n)}
                for c, n in repeated
            ]
        )
    missing = [
        {"row": -1, "id": "", "column": c, "value": "", "problem": _MISSING}
        for c in required
        if c not in frame.columns
    ]
    # the optional id column spelt otherwise ('ID', ' Id', '\ufeffid') is not
    # read: its duplicates would go unreported and no problem would name an id
    misspelt = [
        {"row": -1, "id": "", "column": str(c), "value": "", "problem": _NOT_READ}
        for c in frame.columns
        if "id" not in frame.columns and _plain_name(c) == "id"
    ]
    if missing:  # its cells in a column of no name, or named on the next line
        missing += _unnamed(frame, [str(m["column"]) for m in missing])
    if missing or misspelt:
        return pd.DataFrame(missing + misspelt)
    if not len(frame):
        return pd.DataFrame([{"row": -1, "id": "", "column": "", "value": "", "problem": _NO_ROWS}])
    ids = [_cell(v) for v in frame["id"]] if "id" in frame.columns else [""] * len(frame)

    def add(i: int, column: str, value: Any, problem: str) -> None:
        problems.append(
            {"row": i, "id": ids[i], "column": column, "value": value, "problem": problem}
        )

    texts = model_texts(frame["text"].tolist())
    headers: set[int] = set()
    blank = _blank_columns(frame, required[1:], chosen=heads is not None)
    problems += [{"row": -1, "id": "", "column": c, "value": "", "problem": _BLANK} for c in blank]
    rated = names - set(blank)
    for i, row in enumerate(frame[list(required)].itertuples(index=False, name=None)):
        text = row[0]
        cell = {c: v for c, v in zip(required[1:], row[1:], strict=True) if c in rated}
        if not texts[i]:
            add(i, "text", text, _text_problem(text))
        if not any(map(_cell, cell.values())):
            if not rated <= {"categories", "primary"}:  # one problem, not one per label cell
                add(i, "", "", _NOT_LABELED)
            # of the categories alone, empty cells are a label: no complaint
            continue
        # (a header's priority cell is no level: the names are only read then)
        if (
            _cell(cell.get("priority")) not in _PRIORITY_SET
            and {_plain_name(_cell(v)) for v in row[1:]} == names
        ):
            add(i, "", "", _HEADER_AGAIN)  # one problem, not one per label cell
            headers.add(i)
            continue
        labels = _split(cell.get("categories"))
        if "categories" in cell:
            for problem in _category_problems(labels):
                add(i, "categories", cell["categories"], problem)
        primary = cell.get("primary")
        p = _cell(primary)
        if "primary" not in cell:  # not evaluated (`labeled_heads`): nothing to check
            pass
        elif p:
            if p not in _CATEGORY_SET:
                add(i, "primary", primary, _unknown("primary", p))
            elif p not in labels and p not in {c for label in labels for c in _meant(label)}:
                # a category written otherwise ('Logistics') is reported as that alone
                add(i, "primary", primary, f"primary {_shown(p)} is not among the categories")
        elif any(_hint_key(label) not in _NONE for label in labels):  # '无' is reported alone
            add(i, "primary", primary, "categories are set but primary is empty")
        if all(c in cell and not _cell(cell[c]) for c in EMOTION_COLUMNS):
            add(i, "", "", _NO_EMOTIONS)  # one problem, not one per emotion
        else:
            for column in EMOTION_COLUMNS:
                if column in cell and _intensity(value := cell[column]) is None:
                    add(i, column, value, f"intensity must be 0, 1 or 2{_intensity_hint(value)}")
        if "priority" in cell:
            priority = cell["priority"]
            level = _cell(priority)
            if level not in _PRIORITY_SET:
                hint = _PRIORITY_HINTS.get(_hint_key(level))
                fix = f" (write {hint!r} for {level!r})" if hint else ""
                add(i, "priority", priority, f"priority must be one of P1, P2, P3, P4{fix}")
    for i, j, differ in _conflicting_repeats(frame, texts, required[1:]):
        add(i, "text", frame["text"].iat[i], _conflict(j, ids[j], differ, lines))
    seen: set[str] = set()
    for i, id_ in enumerate(ids):
        if i in headers:  # its id is the name of the column
            continue
        if id_ in seen:
            add(i, "id", id_, "duplicate id")
        elif id_:  # a blank id is no id: blanks do not repeat each other
            seen.add(id_)
    columns = ["row", "id", "column", "value", "problem"]
    return pd.DataFrame(problems, columns=columns).sort_values(
        "row", kind="stable", ignore_index=True
    )


def _blank_columns(frame: pd.DataFrame, columns: Sequence[str], *, chosen: bool) -> list[str]:
    """The columns of an emotion or the priority, of `columns`, empty on every
    row of `frame` where another of `columns` is not: an export labeled for
    some heads alone, whose cells of the others are one problem a column, not
    one a cell (thousands of a support team's export). Where every column is
    empty, each row is not labeled yet, unless the heads of `columns` were
    `chosen` (``validate_labels(frame, heads=["priority"])``): a head asked
    for whose columns are empty on every row is unlabeled, not each of its
    rows. An empty categories cell is a label."""
    empty = [c for c in columns if not any(map(_cell, frame[c].tolist()))]
    if len(empty) == len(columns) and not chosen:
        return []
    return [c for c in empty if c not in ("categories", "primary")]


#: A column of no name: a header cell left empty (read as ""), or as pandas
#: names one ("Unnamed: 2", "Unnamed: 2_level_1" of a header on two lines).
_NO_NAME = re.compile(r"(?:Unnamed: \d+(?:_level_\d+)?)?")
#: The start of the problem of such columns that hold cells.
_UNNAMED = "the header gives no name to column"
#: The problem of a header that goes on in the first row (`_unnamed`).
_TWO_LINES = "the header is on two lines"


def _unnamed(frame: pd.DataFrame, missing: Sequence[str]) -> list[dict[str, Any]]:
    """The problems of a file whose `missing` columns are there, their name
    lost: a header of merged cells (a spreadsheet's) on two lines, whose
    first row names them; or columns of no name in the header that hold
    cells, each told the name the file format's order gives it when that
    fits. A column of no name whose cells are all empty (one a spreadsheet
    saves to the right of the data) or holding an index is no problem."""
    names = [str(c) for c in frame.columns]
    if len(frame):
        first = [_plain_name(_cell(v)) for v in frame.iloc[0].tolist()]
        renamed = [(j, first[j]) for j in range(len(names)) if first[j] in missing]
        if renamed:
            said = ", ".join(f"{names[j]!r} (column {j + 1}) to {c!r}" for j, c in renamed)
            problem = (
                f"{_TWO_LINES} (a header of merged cells, as a spreadsheet's): its first row "
                f"names {', '.join(repr(c) for _, c in renamed)}; rename {said} in the "
                "header line, and delete that row"
            )
            return [{"row": -1, "id": "", "column": "", "value": "", "problem": problem}]

    def holds(j: int) -> bool:  # cells, and no index (0 .. n-1) of a frame saved with it
        cells = [_cell(v) for v in frame.iloc[:, j].tolist()]
        return any(cells) and cells != [str(i) for i in range(len(frame))]

    unnamed = [j for j, c in enumerate(names) if _NO_NAME.fullmatch(c.strip()) and holds(j)]
    if not unnamed:
        return []
    # in the file format's order, the columns of no name (and any other name
    # a merged cell gave: 'emotions' over five) are the missing ones
    order = {c: k for k, c in enumerate(_FILE_COLUMNS)}
    others = [j for j, c in enumerate(names) if c not in order and holds(j)]
    guess = dict(zip(others, missing, strict=True)) if len(others) == len(missing) else {}
    ranks = [order[guess.get(j, c)] for j, c in enumerate(names) if guess.get(j, c) in order]
    one = len(guess) == 1
    fix = (
        "rename "
        + ", ".join(f"{names[j]!r} (column {j + 1}) to {c!r}" for j, c in guess.items())
        + f", as the file format's order has {'it' if one else 'them'}, if "
        + f"{'it holds' if one else 'they hold'} those"
        if guess and ranks == sorted(ranks)
        else "name each by what it holds"
    )
    problem = (
        f"{_UNNAMED}{'' if len(unnamed) == 1 else 's'} "
        + ", ".join(f"{j + 1} ({names[j]!r})" for j in unnamed)
        + f", which {'holds' if len(unnamed) == 1 else 'hold'} cells (a header cell left "
        f"empty, or merged over several in a spreadsheet): {fix}"
    )
    return [{"row": -1, "id": "", "column": "", "value": "", "problem": problem}]


def _repeated(columns: Iterable[Any], names: Iterable[str]) -> list[tuple[str, int]]:
    """Each of `names` that `columns` holds more than once, with its count."""
    counts = Counter(columns)
    return [(name, counts[name]) for name in names if counts[name] > 1]


def _twice(n: int) -> str:
    return f"column appears {n} times; keep one"


def model_texts(texts: Iterable[Any]) -> list[str]:
    """Each text as the model sees it (`triage.text.prepare`); "" for a text
    that is missing, not a string, or that normalises to nothing (only spaces,
    zero-width characters or tags).

    Copies of a text are equal here: validation, the splits of training and
    cross-validation, and the selection of texts to label compare these.
    """
    from triage.text import prepare

    return [prepare(t).text if isinstance(t, str) else "" for t in texts]


def excluded_texts(exclude: Iterable[Any] | None) -> set[str]:
    """The texts of an ``exclude=`` argument as the model sees them (`model_texts`).

    Missing texts (NaN, None) are ignored. One str is refused (its characters
    would be the texts left out), and so is a DataFrame or a Series among the
    texts, or a DataFrame for them (iterating one gives its column names):
    either would leave out nothing, silently.

    >>> sorted(excluded_texts(["快递太慢！", None, " 快递太慢! "]))
    ['快递太慢!']
    """
    import pandas as pd

    if exclude is None:
        return set()
    hint = "pass the texts, e.g. exclude=[*train['text'], *dev['text']]"
    if isinstance(exclude, str):
        raise ParameterError(f"exclude must be a collection of texts, not one str; {hint}")
    if isinstance(exclude, pd.DataFrame):
        raise ParameterError(f"exclude is a DataFrame (it iterates over its column names); {hint}")
    texts = list(exclude)
    frames = [type(t).__name__ for t in texts if isinstance(t, pd.DataFrame | pd.Series)]
    if frames:
        raise ParameterError(f"exclude holds a {frames[0]}, not texts; {hint}")
    return set(model_texts(texts)) - {""}


def _text_problem(value: Any) -> str:
    """Why a text the model sees as empty (`model_texts`) is of no use."""
    if isinstance(value, str) or is_missing(value):
        return "text is missing or empty"
    if isinstance(value, bytes | bytearray):  # a binary column, as the batch path says
        return f"text is not a string: {type(value).__name__}; decode the column first"
    return f"text is not a string: {type(value).__name__}"


def _conflicting_repeats(
    frame: pd.DataFrame, texts: list[str], columns: Sequence[str] = LABEL_COLUMNS
) -> list[tuple[int, int, list[str]]]:
    """``(row, earlier row, label columns that differ)`` for each row whose
    normalised text is that of an earlier row and whose labels (those of
    `columns`) are not."""
    # a row not labeled yet is reported as that alone: it has no labels to
    # differ, and the first labeled copy of its text is the one to agree with
    rows = frame[list(columns)].itertuples(index=False, name=None)
    labeled = [any(map(_cell, row)) for row in rows]
    first: dict[str, int] = {}
    repeats: list[tuple[int, int]] = []
    for i, text in enumerate(texts):
        if text and labeled[i]:
            j = first.setdefault(text, i)
            if j != i:
                repeats.append((i, j))
    if not repeats:
        return []
    cells = [
        ["|".join(sorted(_split(v))) for v in frame[c].tolist()]
        if c == "categories"
        else _column_cells(frame, c)
        for c in columns
    ]
    out = []
    for i, j in repeats:
        differ = [c for c, col in zip(columns, cells, strict=True) if col[i] != col[j]]
        if differ:
            out.append((i, j, differ))
    return out


def _conflict(row: int, id_: str, columns: list[str], lines: Sequence[int] | None) -> str:
    said = ([f"line {lines[row]}"] if lines else []) + ([f"id {_shown(id_)}"] if id_ else [])
    where = f"row {row} ({', '.join(said)})" if said else f"row {row}"
    return f"same text as {where} with other labels: {', '.join(columns)}"


def validate_partial(frame: pd.DataFrame) -> pd.DataFrame:
    """List every problem of partially labeled rows, as given to ``fit(..., extra=...)``.

    Such a frame has a ``text`` column and at least one of ``categories``,
    ``complaint`` and the five emotion columns; an empty cell means unknown,
    but a filled one must be valid. ``complaint`` is 1 (or True) for a text
    that complains about something and 0 (or False) for one that does not
    (praise, small talk), which then names no category; a text that names
    one complains. An optional ``weight`` column holds numbers from 0 to
    `MAX_WEIGHT` (1e12). None of these columns may appear twice, nor be
    spelt another way (``Complaint``, ``angry ``) where it is missing: it
    would not be read.

    Returns
    -------
    DataFrame
        As `validate_labels`: ``row``, ``id``, ``column``, ``value``, ``problem``.

    Examples
    --------
    >>> import pandas as pd
    >>> weak = pd.DataFrame({"text": ["快递太慢", "客服不理人"], "categories": ["Logistics", ""],
    ...     "angry": ["", "3"], "weight": [0.5, -1]})
    >>> for r in validate_partial(weak).itertuples():
    ...     print(r.row, r.column, r.problem.split(";")[0])
    0 categories unknown category 'Logistics' (write 'logistics')
    1 angry intensity must be 0, 1 or 2 (or empty for unknown)
    1 weight weight must be a number >= 0, at most 1e+12
    """
    import pandas as pd

    require_frame(frame, "the extra training data")
    columns = ["row", "id", "column", "value", "problem"]
    labels = ("categories", "complaint", *EMOTION_COLUMNS)
    repeated = _repeated(frame.columns, ("id", "text", *labels, "weight"))
    if repeated:
        return pd.DataFrame([(-1, "", c, "", _twice(n)) for c, n in repeated], columns=columns)
    # an optional column under another spelling would be left out unread
    misspelt = [
        (-1, "", str(col), "", f"column is not read: rename it to {name!r}")
        for name in (*labels, "weight")
        if name not in frame.columns
        for col in frame.columns
        if _plain_name(col) == name
    ]
    if misspelt:
        return pd.DataFrame(misspelt, columns=columns)
    known = [c for c in labels if c in frame.columns]
    if "text" not in frame.columns or not known:
        problems = [] if "text" in frame.columns else [(-1, "", "text", "", _MISSING)]
        if not known:
            wanted = ", ".join(labels)
            problems.append((-1, "", "categories", "", f"no label column; give any of {wanted}"))
        return pd.DataFrame(problems, columns=columns)
    # as validate_labels names them: an empty id is "", however pandas holds it
    ids = [_cell(v) for v in frame["id"].tolist()] if "id" in frame.columns else [""] * len(frame)
    rows: list[tuple[int, str, str, Any, str]] = []
    for column in ("text", *known, *(["weight"] if "weight" in frame.columns else [])):
        for i, value in enumerate(frame[column].tolist()):
            for problem in _partial_problems(column, value):
                rows.append((i, ids[i], column, value, problem))
    if "complaint" in known and "categories" in known:
        cells = zip(frame["complaint"].tolist(), frame["categories"].tolist(), strict=True)
        for i, (flag, cats) in enumerate(cells):
            if _flag(flag) == 0 and _cell(cats):
                problem = (
                    "complaint is 0 but the row names a category: "
                    "a text that complains about nothing has none"
                )
                rows.append((i, ids[i], "complaint", flag, problem))
    return pd.DataFrame(rows, columns=columns).sort_values("row", kind="stable", ignore_index=True)


def _plain_name(column: Any) -> str:
    """A column name as it was meant: without spaces around it, case,
    full-width letters or the byte-order mark of a file read without
    ``encoding="utf-8-sig"``."""
    return unicodedata.normalize("NFKC", str(column).replace("\ufeff", "")).strip().casefold()


#: What a ticket system's export, or a labeler, names a column of the file
#: format in Chinese: the names of the label definitions (LABELS.md: 愤怒 ...
#: 委屈) and the usual ones of a text, its categories and its priority. Only
#: ever used to say what to rename a column to.
_COLUMN_HINTS = {
    _plain_name(name): column
    for column, names in {
        "text": ("文本", "内容", "正文", "投诉内容", "工单内容", "问题描述", "反馈内容", "评论"),
        "categories": ("类别", "分类", "投诉类别", "投诉分类", "问题类型", "问题分类"),
        "primary": ("主类别", "主要类别", "主分类", "首要类别"),
        **{e.value: (e.zh,) for e in EMOTIONS},
        "confused": ("迷茫", "困惑", "疑惑"),
        "priority": ("优先级", "紧急程度", "紧急度", "优先等级", "投诉等级"),
    }.items()
    for name in names
}


def _partial_problems(column: str, value: Any) -> list[str]:
    if column == "text":
        return [] if model_texts([value])[0] else [_text_problem(value)]
    if column == "weight":
        if _weight(value) is not None:
            return []
        return [f"weight must be a number >= 0, at most {MAX_WEIGHT:g}"]
    if not _cell(value):
        return []  # unknown
    if column == "categories":
        return _category_problems(_split(value))
    if column == "complaint":
        if _flag(value) is not None:
            return []
        return [f"complaint must be 0 or 1 (or empty for unknown){_intensity_hint(value, _flag)}"]
    return (
        []
        if _intensity(value) is not None
        else [f"intensity must be 0, 1 or 2 (or empty for unknown){_intensity_hint(value)}"]
    )


def check_labels(
    frame: pd.DataFrame, lines: Sequence[int] | None = None, *, use: str | None = None
) -> None:
    """Raise `LabelError` listing the first problems if `frame` is not valid.

    With `lines`, the line of a file each row starts on (`read_labeled_lines`),
    each row is named by its line too. With `use`, what takes every head and
    learns from none (``"cross_validate"``, ``"triage train --dev"``), a frame
    that labels some heads alone (`labeled_heads`) is told that `use` takes
    every label column and that ``triage.evaluate`` (``triage evaluate``, for
    a `use` of the command line) takes it, rather than how to train on it.
    """
    problems = _validate(frame, lines)
    if problems["problem"].tolist() == [_NO_ROWS]:
        raise LabelError(_NO_ROWS_SAID)
    alone = None if use is None or not len(problems) else _heads_alone(frame)
    advice = None
    note = _some_heads_alone(problems)
    blank = _blank_of(problems)
    if blank and len(blank) < len(problems) and not note:  # said once, among rows' problems
        note = (
            f"\n{_blank_said(blank)}: label them, or train on the rows as extra rows beside "
            "fully labeled ones, triage.train(labeled, extra=rows), where an empty cell is "
            "unknown (see TriageModel.fit)"
        )
    if use is not None and alone is not None:
        evaluator = "triage evaluate" if use.startswith("triage ") else "triage.evaluate"
        advice = (
            f"{use} takes every label column: label the missing ones, or evaluate the heads "
            f"labeled ({', '.join(alone)}) with {evaluator}, which takes some heads alone"
        )
        if note:  # the columns there, empty on every row
            empty = [c for h in HEADS if h not in alone for c in HEADS[h] if c in frame.columns]
            note = (
                f"\n{', '.join(empty)} {'is' if len(empty) == 1 else 'are'} empty on every "
                f"row; {advice.replace('the missing ones', 'them')}"
            )
    _raise_problems(
        problems,
        "the labeled data",
        "triage.validate_labels",
        frame.columns,
        lines,
        note=note,
        advice=advice,
    )


def _heads_alone(frame: pd.DataFrame) -> tuple[str, ...] | None:
    """The heads `frame` labels when it labels some alone, as `triage.evaluate`
    takes it (`labeled_heads`); None when it labels every head, or none it
    could be evaluated on (no text, no label column, or refused).

    >>> import pandas as pd
    >>> _heads_alone(pd.DataFrame({"text": ["充电器冒烟了"], "priority": ["P1"]}))
    ('priority',)
    """
    if "text" not in frame.columns or not set(LABEL_COLUMNS) & set(frame.columns):
        return None  # (labeled_heads would check the labels of such a frame)
    try:
        heads, why = labeled_heads(frame)
    except LabelError:
        return None
    return heads if why else None


def labeled_heads(frame: pd.DataFrame) -> tuple[tuple[str, ...], dict[str, str]]:
    """The heads `frame` labels, in the order of `HEADS`, and why each other is not.

    A head is labeled when its columns are there and not empty on every row
    (an empty emotion or priority cell is no label; an export for labeling
    has every column, and a team may fill some of them alone). An empty
    ``categories`` cell is a label, no complaint, as in a fully labeled
    file, and so is an empty ``primary`` beside it; a ``primary`` empty on
    every row of a frame where some row has a category is not labeled. The
    reason of a head not labeled is ``"no column"`` or ``"empty on every row"``.

    Raises
    ------
    LabelColumnError
        `frame` labels no head (no label column, or each one empty on
        every row); or labels ``primary`` without ``categories``, which the
        label definitions make the main one of a row's categories, and whose
        empty cell says "no complaint" only beside an empty ``categories``;
        or some of the five emotions and not the others, which are rated
        together (every one 0 is a calm text). Columns repeated or a frame
        that is no frame are left to `check_heads` (`validate_labels`).

    Examples
    --------
    >>> import pandas as pd
    >>> support = pd.DataFrame({"text": ["快递三天还没到", "客服一直不回消息"],
    ...     "categories": ["logistics", "service"], "primary": ["logistics", "service"],
    ...     "priority": ["", ""]})
    >>> labeled_heads(support)
    (('categories', 'primary'), {'emotions': 'no column', 'priority': 'empty on every row'})
    """
    require_frame(frame)
    if _repeated(frame.columns, _FILE_COLUMNS):  # named by check_heads
        return _ALL_HEADS, {}
    there = set(frame.columns)

    def empty(column: str) -> bool:  # (a frame of no rows is said to be so by check_heads)
        return len(frame) > 0 and all(not _cell(v) for v in frame[column].tolist())

    why: dict[str, str] = {}
    for head, columns in HEADS.items():
        present = [c for c in columns if c in there]
        if not present:
            why[head] = "no column"
        elif (
            all(empty(c) for c in present)
            and head != "categories"
            # a primary empty beside categories empty on every row: none complains
            and not (head == "primary" and "categories" in there and empty("categories"))
        ):
            why[head] = "empty on every row"
    if "primary" not in why and "categories" in why:
        raise LabelColumnError(
            "primary is labeled without categories: a primary is the main one of a row's "
            "categories, and its empty cell says the text complains about nothing only beside "
            "an empty categories cell (LABELS.md); add the categories column (every category "
            "the text complains about, the primary among them), or leave primary out; the "
            f"columns are {names_shown(frame.columns)}"
        )
    if "emotions" not in why:
        rated = [c for c in EMOTION_COLUMNS if c in there and not empty(c)]
        if len(rated) < len(EMOTION_COLUMNS):
            others = [c for c in EMOTION_COLUMNS if c not in rated]
            said = ", ".join(
                f"{c} ({'no column' if c not in there else 'empty on every row'})" for c in others
            )
            raise LabelColumnError(
                f"the five emotions are rated together (0 where absent, every one 0 a calm "
                f"text), but {', '.join(rated)} {'is' if len(rated) == 1 else 'are'} rated "
                f"and not {said}: rate every row for all five, or leave all five out to "
                f"evaluate the other heads; the columns are {names_shown(frame.columns)}"
            )
    heads = tuple(h for h in _ALL_HEADS if h not in why)
    if set(why.values()) == {"no column"} and len(why) == len(HEADS):
        check_labels(frame)  # said as for any file of texts with no label
    # categories (and primary) empty on every row, no other head: no row is labeled
    empty_ones = [h for h in _ALL_HEADS if why.get(h, "") != "no column"]
    if len(frame) and all(empty(c) for h in empty_ones for c in HEADS[h] if c in there):
        raise LabelColumnError(
            f"nothing to evaluate: {', '.join(empty_ones)} "
            f"{'is' if len(empty_ones) == 1 else 'are'} empty on every row and no other label "
            "column is there; label the rows for a head (categories, with primary; the five "
            f"emotions; priority) to evaluate it; the columns are {names_shown(frame.columns)}"
        )
    return heads, why


def check_heads(
    frame: pd.DataFrame, heads: Sequence[str], lines: Sequence[int] | None = None
) -> None:
    """Raise `LabelError` listing the first problems of `frame` labeled for `heads`.

    As `check_labels`, but the columns of the other heads are neither
    required nor read; every row must be labeled for each of `heads`.
    """
    problems = _validate(frame, lines, heads)
    if problems["problem"].tolist() == [_NO_ROWS]:
        raise LabelError(_NO_ROWS_SAID)
    unrated = _unrated_rows(
        problems, [c for h in heads for c in HEADS[h] if c not in ("categories", "primary")]
    )
    note = ""
    if unrated:
        shown = ", ".join(map(str, unrated[:5])) + (", ..." if len(unrated) > 5 else "")
        note = (
            f"\n{plural(len(unrated), 'row')} {shown} {'is' if len(unrated) == 1 else 'are'} "
            f"not labeled for every head evaluated ({', '.join(heads)}): label each row of a "
            "head, or leave its columns empty on every row, and it is not evaluated"
        )
    _raise_problems(
        problems,
        "the labeled data",
        "triage.validate_labels"
        + ("" if tuple(heads) == _ALL_HEADS else f"(frame, heads={list(heads)!r})"),
        frame.columns,
        lines,
        note=note,
        # evaluated, not trained: no extra rows
        advice=(
            f"each head checked ({', '.join(heads)}) is labeled on every row: label the "
            "missing ones, or check the heads the frame labels, "
            "triage.labeled.labeled_heads(frame)[0], as triage.evaluate does"
        ),
    )


def _some_heads_alone(problems: pd.DataFrame) -> str:
    """What to do with the rows of `problems` labeled for some heads alone
    (an emotion or the priority left empty, another label set); "" for none."""
    rows = _unrated_rows(problems, [*EMOTION_COLUMNS, "priority"])
    if not rows:
        return ""
    shown = ", ".join(map(str, rows[:5])) + (", ..." if len(rows) > 5 else "")
    return (
        f"\n{plural(len(rows), 'row')} {shown} {'is' if len(rows) == 1 else 'are'} labeled for "
        "some heads alone (an emotion or the priority left empty): label every cell, or "
        "train on such rows as extra rows beside fully labeled ones, "
        "triage.train(labeled, extra=rows), where an empty cell is unknown (see TriageModel.fit)"
    )


def _unrated_rows(problems: pd.DataFrame, columns: Sequence[str]) -> list[int]:
    """The rows of `problems` whose cell of one of `columns` (emotions or the
    priority) is empty, or whose five emotions are, with emotions among them."""
    emotions = set(EMOTION_COLUMNS) <= set(columns)
    return sorted(
        {
            row
            for row, column, value, problem in zip(
                *(problems[c].tolist() for c in ("row", "column", "value", "problem")),
                strict=True,
            )
            if row >= 0
            and ((column in columns and not _cell(value)) or (emotions and problem == _NO_EMOTIONS))
        }
    )


def problem_lines(frame: pd.DataFrame, lines: Sequence[int] | None = None) -> list[str]:
    """Every problem of a labeled frame, a line of text each, as `check_labels`
    shows the first ones; empty when the frame is valid.

    Columns that are wrong (missing, repeated) are one line, as is a frame
    of no rows: its rows are not looked at. With `lines` (see `check_labels`),
    each row is named by its line too.
    """
    problems = _validate(frame, lines)
    if problems["problem"].tolist() == [_NO_ROWS]:
        return [_NO_ROWS_SAID]
    columns = _columns_problem(problems, "the labeled data", frame.columns)
    if columns is not None:
        return [columns]
    return _problem_texts(problems, lines)


def _problem_texts(problems: pd.DataFrame, lines: Sequence[int] | None) -> list[str]:
    """A line of each problem of rows, after one of the columns empty on every row."""
    blank = _blank_of(problems)
    rows = problems[problems["row"] >= 0]
    return ([_blank_said(blank)] if blank else []) + [
        _problem_line(row, id_, column, value, problem, lines)
        for row, id_, column, value, problem in zip(
            *(rows[c].tolist() for c in ("row", "id", "column", "value", "problem")),
            strict=True,
        )
    ]


def _blank_of(problems: pd.DataFrame) -> list[str]:
    """The columns `problems` finds empty on every row (`_blank_columns`)."""
    return [
        c
        for c, p, r in zip(problems["column"], problems["problem"], problems["row"], strict=True)
        if r == -1 and p == _BLANK
    ]


def _blank_said(blank: Sequence[str]) -> str:
    return f"{', '.join(blank)} {'is' if len(blank) == 1 else 'are'} {_BLANK}"


def check_partial(frame: pd.DataFrame) -> None:
    """Raise `LabelError` listing the first problems if partially labeled rows are not valid."""
    _raise_problems(
        validate_partial(frame),
        "the extra training data",
        "triage.labeled.validate_partial",
        frame.columns,
    )


def _raise_problems(
    problems: pd.DataFrame,
    what: str,
    validator: str,
    columns: Iterable[Any],
    lines: Sequence[int] | None = None,
    *,
    note: str = "",
    advice: str | None = None,
) -> None:
    columns_problem = _columns_problem(problems, what, columns, advice)
    if columns_problem is not None:
        if len(_blank_of(problems)) == len(problems):  # the columns are there, their cells empty
            raise LabelError(columns_problem)
        raise LabelColumnError(columns_problem)
    if len(problems):
        # a problem of the whole row (not labeled yet) names no cell; the
        # columns empty on every row are one
        texts = _problem_texts(problems, lines)
        shown = "\n".join(f"  {text}" for text in texts[:10])
        more = f"\n  ... and {len(texts) - 10} more" if len(texts) > 10 else ""
        raise LabelError(
            f"{counted(len(texts), 'problem')} in {what} (see {validator} for all):\n"
            f"{shown}{more}{note}"
        )


def _columns_problem(
    problems: pd.DataFrame, what: str, columns: Iterable[Any], advice: str | None = None
) -> str | None:
    """The one line that says what is wrong with the columns, when they are
    (all `problems` are then of row -1); None when they are right. `advice`
    is what to do with columns of some heads alone, said for training
    without it."""
    if len(problems) and problems["row"].eq(-1).all():
        # the columns are wrong (a file of texts given for a labeled one, say):
        # one line, naming the columns there, not a row -1 per column
        missing = [
            c for c, p in zip(problems["column"], problems["problem"], strict=True) if p == _MISSING
        ]
        blank = _blank_of(problems)
        said = [f"no column {', '.join(map(repr, missing))}"] if missing else []
        if blank:
            said.append(_blank_said(blank))
        # what to do: label the missing columns, or those empty on every row
        them = "the missing ones" if missing else "them"
        # a column there all the same, named with spaces, another case, in
        # full-width letters (an input method's full-width mode) or with the
        # byte-order mark that pandas.read_csv keeps without encoding="utf-8-sig"
        # or by its Chinese name, as a ticket system's export names it (类别, 优先级)
        near = [
            f"{col!r} to {c!r}"
            for c in missing
            for col in columns
            if c in (_plain_name(col), _COLUMN_HINTS.get(_plain_name(col)))
        ]
        # a file without its header line (to_csv(header=False), rows pasted
        # into a new sheet): its first row, a priority among its cells, was
        # read as the names
        level = [c for c in map(_cell, columns) if c in _PRIORITY_SET]
        if near:
            said.append(f"rename {', '.join(near)}")
        elif any(p.startswith((_UNNAMED, _TWO_LINES)) for p in problems["problem"]):
            pass  # its columns are there, their names lost: said below, not to label them
        elif {"text", "categories"} <= set(missing) and level:
            said.append(
                f"the names are the cells of a labeled row (priority {level[0]!r}): the first "
                "line is a row, not the header; add a header line above it naming each "
                f"cell's column, as {','.join(_FILE_COLUMNS)} (id and source are optional)"
            )
        elif {"text", "categories"} <= set(missing):  # its own names (内容, 类别)
            said.append(
                "a labeled file names its columns as the file format of the label "
                "definitions does (text, categories, primary, angry ... aggrieved, priority): "
                "rename yours to them"
            )
        elif set(missing) == _LABEL_NAMES:
            # a file of texts: as extra rows too, it would have no label to learn from
            said.append(
                "these are texts with no label: add the label columns of the label "
                "definitions' file format (LABELS.md) and label each row"
            )
        elif (missing or blank) and "text" not in missing and advice is not None:
            said.append(advice.replace("the missing ones", them))
        elif (missing or blank) and "text" not in missing:
            # texts labeled for some heads alone (categories but no emotions,
            # say): each head of a model learns from its own column
            unrated = (
                " (for priorities not rated, one level in every row: the rules alone decide)"
                if "priority" in missing + blank
                else ""
            )
            # extra rows teach the heads of these columns alone (validate_partial)
            extra = (
                ", or train on the rows as extra rows beside fully labeled ones, "
                "triage.train(labeled, extra=rows), where an empty cell is unknown "
                "(complaint=0 marks no complaint; see TriageModel.fit)"
                if any(c in ("categories", "complaint", *EMOTION_COLUMNS) for c in columns)
                else ""
            )
            said.append(f"each head learns from its own column: label {them}{unrated}{extra}")
        said += [
            f"column {c!r} {p.removeprefix('column ')}" if p.startswith("column ") else p
            for c, p in zip(problems["column"], problems["problem"], strict=True)
            if p not in (_MISSING, _BLANK)
        ]
        return f"bad columns in {what}: {'; '.join(said)}; the columns are {names_shown(columns)}"
    return None


def _problem_line(
    row: int, id_: str, column: str, value: Any, problem: str, lines: Sequence[int] | None
) -> str:
    """A problem of a row, its line with `lines`; of a cell, with its value."""
    return (
        f"row {row} ({f'line {lines[row]}, ' if lines else ''}id {_shown(id_)}) "
        f"{_cell_shown(column, value)}{problem}"
    )


def _cell_shown(column: Any, value: Any) -> str:
    """``column=value: `` of a problem in a cell; "" for one of the whole row."""
    return f"{column}={_shown(value)}: " if column else ""


@dataclass(frozen=True)
class LabelArrays:
    """Targets parsed from a labeled frame, row-aligned with it."""

    categories: np.ndarray[Any, np.dtype[np.int8]]  # (n, 6) presence
    primary: np.ndarray[Any, np.dtype[np.int64]]  # (n,) index into CATEGORIES, -1 if none
    emotions: np.ndarray[Any, np.dtype[np.int8]]  # (n, 5) intensity 0-2
    priority: np.ndarray[Any, np.dtype[np.int64]]  # (n,) index into PRIORITIES


def parse_labels(
    frame: pd.DataFrame, heads: Sequence[str] | None = None, *, use: str | None = None
) -> LabelArrays:
    """Validate `frame` and return its labels as arrays.

    With `heads` (of `labeled_heads`: the frame is evaluated, not trained
    on), the frame is checked for those alone (`check_heads`), and the
    arrays of the others are placeholders, no labels: no category, no
    primary, intensity 0, ``P1``. Without, it is checked for every head by
    `check_labels`, which `use` is passed to.
    """
    if heads is None:
        heads = _ALL_HEADS
        check_labels(frame, use=use)
    else:
        check_heads(frame, heads)
    cat_index = {str(c): j for j, c in enumerate(CATEGORIES)}
    n = len(frame)
    cats = np.zeros((n, len(CATEGORIES)), dtype=np.int8)
    primary = np.full(n, -1, dtype=np.int64)
    emotions = np.zeros((n, len(EMOTION_COLUMNS)), dtype=np.int8)
    priority = np.zeros(n, dtype=np.int64)
    if "categories" in heads:
        for i, value in enumerate(frame["categories"].tolist()):
            for label in _split(value):
                cats[i, cat_index[label]] = 1
    if "primary" in heads:
        primary = np.array(
            [cat_index.get(_cell(p), -1) for p in frame["primary"].tolist()], dtype=np.int64
        )
    if "emotions" in heads:
        emotions = np.array(
            [[_intensity(v) for v in frame[c].tolist()] for c in EMOTION_COLUMNS], dtype=np.int8
        ).T.reshape(n, len(EMOTION_COLUMNS))
    if "priority" in heads:
        prio_index = {str(p): j for j, p in enumerate(PRIORITIES)}
        priority = np.array(
            [prio_index[_cell(p)] for p in frame["priority"].tolist()], dtype=np.int64
        )
    return LabelArrays(cats, primary, emotions, priority)


def label_cells(frame: pd.DataFrame) -> list[list[str]]:
    """The label columns of a valid frame as normalised strings, one list per column.

    Equal labels give equal strings however the frame was read: an empty cell
    read as NaN is ``""``, an intensity read as ``1``, ``1.0`` or ``"1.0"`` is
    ``"1"``, and spaces around a cell or a category are dropped. Categories
    keep the order they were written in.

    >>> import pandas as pd
    >>> f = pd.DataFrame({"categories": [" logistics | service ", float("nan")],
    ...     "primary": ["logistics", None], "angry": [1.0, 0], "anxious": ["0", "2"],
    ...     "confused": [0, 0], "humorous": [0, 0], "aggrieved": [1, 0],
    ...     "priority": ["P3 ", "P4"]})
    >>> label_cells(f)[:3]
    [['logistics|service', ''], ['logistics', ''], ['1', '0']]
    """
    return [_column_cells(frame, c) for c in LABEL_COLUMNS]


def _column_cells(frame: pd.DataFrame, column: str) -> list[str]:
    """The cells of one label column of `frame`, as `label_cells` gives them."""
    values = frame[column].tolist()
    if column == "categories":
        return ["|".join(_split(v)) for v in values]
    if column in EMOTION_COLUMNS:
        return [_intensity_cell(v) for v in values]
    return [_cell(v) for v in values]


def _intensity_cell(value: Any) -> str:
    level = _intensity(value)
    return _cell(value) if level is None else str(level)


_ALLOWED_CATEGORIES = ", ".join(str(c) for c in CATEGORIES)

#: What a labeler may write for "no category" instead of an empty cell
#: (`_hint_key` of it), and ``nan``, the string ``astype(str)`` makes of an
#: empty cell pandas read as NaN.
_NONE = frozenset(("无", "没有", "空", "none", "null", "nan", "na", "n/a", "-", "/", "0"))


#: What a labeler may separate categories with instead of ``|``.
_OTHER_SEPARATORS = re.compile(r"[,，、\uff5c;；/\s]+")  # \uff5c: a full-width |


def _meant(label: str) -> list[str]:
    """The category codes a label stands for: itself when it is one; the code
    of its other case or Chinese name; the codes of several joined by another
    separator than ``|`` (``logistics, service``, ``物流、服务``); else none.

    >>> _meant("Logistics"), _meant("物流、服务"), _meant("logistics,hygiene")
    (['logistics'], ['logistics', 'service'], [])
    """
    if label in _CATEGORY_SET:
        return [label]
    hint = _CATEGORY_HINTS.get(_hint_key(label))
    if hint:
        return [hint]
    parts = [part for part in _OTHER_SEPARATORS.split(label) if part]
    codes = [_CATEGORY_HINTS.get(_hint_key(part)) for part in parts]
    return [c for c in codes if c] if len(parts) > 1 and all(codes) else []


def _unknown(what: str, label: str) -> str:
    """The problem of an unknown category label, naming the code it may stand for.

    >>> _unknown("category", "物流").split(";")[0]
    "unknown category '物流' (write 'logistics')"
    >>> _unknown("category", "物流，服务").split(";")[0]
    "unknown category '物流，服务' (write 'logistics|service': separate categories with |)"
    >>> _unknown("primary", "无").split(";")[0]
    "unknown primary '无' (leave the cell empty when the text complains about nothing)"
    """
    meant = _meant(label) if what == "category" else []
    # a primary of several categories ('logistics|service', '物流、服务')
    several = [] if meant else [c for p in label.split("|") if p.strip() for c in _meant(p.strip())]
    if len(meant) > 1:
        fix = f" (write {'|'.join(meant)!r}: separate categories with |)"
    elif len(several) > 1:
        *others, last = map(repr, dict.fromkeys(several))
        fix = f" (primary is one category: write the main one, {', '.join(others)} or {last})"
    elif _hint_key(label) in _NONE:
        why = "; 'nan' is what astype(str) makes of an empty cell read as NaN"
        fix = " (leave the cell empty when the text complains about nothing"
        fix += (why if label == "nan" else "") + ")"
    else:
        hint = _CATEGORY_HINTS.get(_hint_key(label))
        fix = f" (write {hint!r})" if hint else ""
    return f"unknown {what} {_shown(label)}{fix}; allowed: {_ALLOWED_CATEGORIES}"


def _category_problems(labels: list[str]) -> list[str]:
    problems = [_unknown("category", label) for label in labels if label not in _CATEGORY_SET]
    if len(set(labels)) != len(labels):
        problems.append("a category is repeated")
    return problems


#: The largest row weight, and C of a head, that `TriageModel.fit` takes.
#: liblinear's solver never returns once C times a row's weight (times its
#: class weight) nears 1e150, and no weight or C a model can use comes near.
MAX_WEIGHT = 1e12


def _weight(value: Any) -> float | None:
    """A row weight: a number >= 0 and at most `MAX_WEIGHT`, else None."""
    w = _nonnegative(value)
    return w if w is not None and w <= MAX_WEIGHT else None


def _nonnegative(value: Any) -> float | None:
    """A finite number >= 0 written any usual way (2, 2.0, "2", " 2.0 "), else None.

    Sample weights are read with it (`_weight`), and so are the complaint
    counts of batch context columns.
    """
    if isinstance(value, bool | np.bool_):
        return None
    try:
        w = float(_cell(value)) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        return None
    return w if math.isfinite(w) and w >= 0 else None


def group_splits(
    texts: Sequence[str],
    split: Callable[[np.ndarray], Iterable[tuple[np.ndarray, np.ndarray]]],
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Splits that keep every copy of a text on the same side.

    A text written twice (a template, a pasted complaint) that lands in both
    the training and the test side of a split is scored on rows the model was
    trained on, and the figures come out too good. `split` is called with the
    row indices of the first copy of each text, and returns pairs of positions
    into that array (as a scikit-learn splitter does); each row then goes
    where its first copy went.

    Parameters
    ----------
    texts : sequence of str
        One text per row, compared exactly (normalise them first).
    split : callable
        ``split(rows) -> iterable of (train positions, test positions)``.

    Returns
    -------
    list of (ndarray, ndarray)
        Sorted row indices of each side. When every text is distinct this is
        exactly ``split(arange(n))``.

    Examples
    --------
    >>> halves = lambda rows: [(np.arange(len(rows))[::2], np.arange(len(rows))[1::2])]
    >>> [(a.tolist(), b.tolist()) for a, b in group_splits(["甲", "乙", "甲", "丙"], halves)]
    [([0, 2, 3], [1])]
    """
    code: dict[str, int] = {}
    first_rows: list[int] = []
    codes = np.empty(len(texts), dtype=np.intp)
    for i, t in enumerate(texts):
        k = code.setdefault(t, len(code))
        if k == len(first_rows):
            first_rows.append(i)
        codes[i] = k
    rows = np.array(first_rows, dtype=np.intp)
    if len(rows) == len(codes):
        return [(np.asarray(a), np.asarray(b)) for a, b in split(rows)]
    # codes number the texts in order of first appearance: code k is rows[k]
    return [
        (np.flatnonzero(np.isin(codes, a)), np.flatnonzero(np.isin(codes, b)))
        for a, b in split(rows)
    ]


def _cell(value: Any) -> str:
    """A label or id cell as a stripped string; "" for an empty cell, whichever
    missing value pandas holds it as (NaN, None, or ``pd.NA`` in a column read
    with ``dtype="string"`` or made by ``convert_dtypes()``)."""
    if isinstance(value, str):
        return value.strip()
    if is_missing(value):
        return ""
    return str(value).strip()


def _split(value: Any) -> list[str]:
    return [s.strip() for s in _cell(value).split("|") if s.strip()]


def _intensity_hint(value: Any, read: Callable[[Any], int | None] | None = None) -> str:
    """`` (write '1' for '\uff11')`` for an intensity (or, with `read`
    `_flag`, a complaint flag) typed in full-width digits or with a space
    inside, which `read` does not read; else ""."""
    level = (read or _intensity)(_hint_key(_cell(value)))
    return f" (write '{level}' for {_cell(value)!r})" if level is not None else ""


def _intensity(value: Any) -> int | None:
    s = _cell(value)
    if s.endswith(".0"):  # integers that passed through a float column
        s = s[:-2]
    return int(s) if s in ("0", "1", "2") else None


def _flag(value: Any) -> int | None:
    """A ``complaint`` cell of extra rows: 0 or 1 (False or True too), else
    None (empty: unknown)."""
    if isinstance(value, bool | np.bool_):  # a column of comparisons, frame["x"] > 0
        return int(value)
    level = _intensity(value)
    return level if level in (0, 1) else None
