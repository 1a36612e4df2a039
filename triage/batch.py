"""Score many complaints: DataFrames, files and Dask, in chunks and in parallel.

`score_frame` segments every text once, scores each chunk with one sparse
matrix product (`TriageModel.predict_many`) and applies the priority engine per
row. Rows without a usable text (None, NaN, numbers, blank strings) get an
empty result and a message in ``error``; no row is dropped or reordered, and
the output keeps the input's index, duplicates included.

Output columns, after the input's own columns (file scoring) or alone
(`score_frame`): the labeled-file columns ``categories`` (``|``-joined),
``primary``, ``angry`` ... ``aggrieved`` (intensities 0-2) and ``priority``; then
``prob_<category>`` and ``prob_<emotion>``, ``sentiment``,
``deadline_minutes``, ``route``, ``reasons`` (reason codes, ``|``-joined),
``truncated``, ``low_confidence`` and ``error`` (empty when the row was scored).
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import numpy as np

from triage._default import resolve_model
from triage.labels import CATEGORIES, EMOTIONS

if TYPE_CHECKING:
    import pandas as pd

    from triage.model import TriageModel
    from triage.priority import Policy

__all__ = ["OUTPUT_COLUMNS", "ProgressLine", "ScoreSummary", "score_file", "score_frame"]

OUTPUT_COLUMNS: tuple[str, ...] = (
    "categories",
    "primary",
    *(str(e) for e in EMOTIONS),
    "priority",
    *(f"prob_{c}" for c in CATEGORIES),
    *(f"prob_{e}" for e in EMOTIONS),
    "sentiment",
    "deadline_minutes",
    "route",
    "reasons",
    "truncated",
    "low_confidence",
    "error",
)


def _problem(value: Any) -> str:
    """Why a cell cannot be scored, or '' when it can."""
    if isinstance(value, str):
        return "" if value.strip() else "empty text"
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "missing text"
    try:
        import pandas as pd

        if value is pd.NA or value is pd.NaT:
            return "missing text"
    except ImportError:  # pragma: no cover
        pass
    return f"not a string: {type(value).__name__}"


def _score_texts(
    texts: list[Any], model: TriageModel | None, policy: Policy | None
) -> dict[str, Any]:
    """Score one chunk; returns the output columns as lists, in order."""
    model = resolve_model(model)
    n = len(texts)
    errors = [_problem(t) for t in texts]
    ok = [i for i, e in enumerate(errors) if not e]
    cols: dict[str, Any] = {
        "categories": [""] * n,
        "primary": [""] * n,
        **{str(e): [None] * n for e in EMOTIONS},
        "priority": [""] * n,
        **{f"prob_{c}": np.full(n, np.nan) for c in CATEGORIES},
        **{f"prob_{e}": np.full(n, np.nan) for e in EMOTIONS},
        "sentiment": np.full(n, np.nan),
        "deadline_minutes": [None] * n,
        "route": [""] * n,
        "reasons": [""] * n,
        "truncated": [False] * n,
        "low_confidence": [False] * n,
        "error": errors,
    }
    if not ok:
        return cols
    preds = model.predict_many([texts[i] for i in ok])
    rows = np.asarray(ok)
    for j, c in enumerate(CATEGORIES):
        cols[f"prob_{c}"][rows] = preds.category_proba[:, j]
    for j, e in enumerate(EMOTIONS):
        cols[f"prob_{e}"][rows] = preds.emotion_proba[:, j]
    cols["sentiment"][rows] = preds.sentiment
    for k, i in enumerate(ok):
        a = preds.assessment(k, policy=policy)
        cols["categories"][i] = "|".join(a.categories)
        cols["primary"][i] = a.primary or ""
        for j, e in enumerate(EMOTIONS):
            cols[str(e)][i] = int(preds.intensity[k, j])
        cols["priority"][i] = str(a.priority)
        cols["deadline_minutes"][i] = a.deadline_minutes
        cols["route"][i] = a.route
        cols["reasons"][i] = "|".join(r.code for r in a.reasons)
        cols["truncated"][i] = a.truncated
        cols["low_confidence"][i] = a.low_confidence
    return cols


def _frame(cols: dict[str, Any], index: Any) -> pd.DataFrame:
    import pandas as pd

    out = pd.DataFrame({k: cols[k] for k in OUTPUT_COLUMNS}, index=index)
    for e in EMOTIONS:
        out[str(e)] = out[str(e)].astype("Int8")
    out["deadline_minutes"] = out["deadline_minutes"].astype("Int32")
    return out


def _chunks(n: int, size: int) -> list[slice]:
    return [slice(i, min(i + size, n)) for i in range(0, n, size)]


def _parallel_map(
    texts_chunks: Iterable[list[Any]],
    *,
    n_jobs: int,
    model: TriageModel | None,
    policy: Policy | None,
) -> Iterator[dict[str, Any]]:
    """Score chunks in order: in this process, or in joblib worker processes.

    Workers load the default model once each (it is a per-process singleton);
    a model passed in is sent with every chunk.
    """
    if n_jobs == 1:
        for texts in texts_chunks:
            yield _score_texts(texts, model, policy)
        return
    from joblib import Parallel, delayed

    parallel = Parallel(n_jobs=n_jobs, backend="loky", return_as="generator", pre_dispatch="2*n_jobs")
    yield from parallel(delayed(_score_texts)(texts, model, policy) for texts in texts_chunks)


def score_frame(
    frame: Any,
    *,
    text_column: str = "text",
    n_jobs: int = 1,
    chunk_size: int = 5000,
    model: TriageModel | None = None,
    policy: Policy | None = None,
) -> Any:
    """Score every row of a DataFrame; the result keeps its index and order.

    Parameters
    ----------
    frame : pandas.DataFrame or dask.dataframe.DataFrame
        Complaints, one per row.
    text_column : str, default "text"
        The column holding the complaint text.
    n_jobs : int, default 1
        Worker processes (joblib); -1 uses every core. Results are identical
        to a serial run.
    chunk_size : int, default 5000
        Rows scored together (one matrix product each).
    model : TriageModel, optional
        The shipped default when omitted.
    policy : Policy, optional
        Priority policy; the default when omitted.

    Returns
    -------
    DataFrame
        The columns listed in `OUTPUT_COLUMNS`, with `frame`'s index. For a
        Dask frame, a Dask frame scored partition by partition.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"text": ["快递一周还没到", None, "房间很脏"]}, index=[7, 7, 3])
    >>> out = score_frame(df)
    >>> out.index.tolist(), out["primary"].tolist(), out["error"].tolist()
    ([7, 7, 3], ['logistics', '', 'environment'], ['', 'missing text', ''])
    """
    if _is_dask(frame):
        return _score_dask(frame, text_column=text_column, model=model, policy=policy)
    import pandas as pd

    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"score_frame expects a pandas or Dask DataFrame, got {type(frame).__name__}")
    if text_column not in frame.columns:
        raise KeyError(
            f"no column {text_column!r} in the frame; columns are {list(frame.columns)}; "
            "pass text_column=..."
        )
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be at least 1, got {chunk_size}")
    n_jobs = _jobs(n_jobs)
    texts = frame[text_column].tolist()
    parts = [texts[s] for s in _chunks(len(texts), chunk_size)]
    scored = list(_parallel_map(parts, n_jobs=n_jobs, model=model, policy=policy))
    if not scored:
        return _frame(_score_texts([], model, policy), frame.index)
    merged = {k: _concat([c[k] for c in scored]) for k in OUTPUT_COLUMNS}
    return _frame(merged, frame.index)


def _concat(parts: list[Any]) -> Any:
    if isinstance(parts[0], np.ndarray):
        return np.concatenate(parts)
    out: list[Any] = []
    for p in parts:
        out.extend(p)
    return out


def _jobs(n_jobs: int) -> int:
    if n_jobs == -1:
        return os.cpu_count() or 1
    if not isinstance(n_jobs, int) or n_jobs < 1:
        raise ValueError(f"n_jobs must be a positive integer or -1, got {n_jobs!r}")
    return n_jobs


def _is_dask(frame: Any) -> bool:
    return type(frame).__module__.startswith("dask")


def _score_partition(part: pd.DataFrame, text_column: str, model: Any, policy: Any) -> pd.DataFrame:
    return score_frame(part, text_column=text_column, model=model, policy=policy)


def _score_dask(frame: Any, *, text_column: str, model: Any, policy: Any) -> Any:
    import pandas as pd

    if text_column not in frame.columns:
        raise KeyError(f"no column {text_column!r} in the frame; columns are {list(frame.columns)}")
    meta = _frame(_score_texts([], None, None), pd.Index([], dtype=frame.index.dtype))
    return frame.map_partitions(_score_partition, text_column, model, policy, meta=meta)


# -- files ---------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreSummary:
    """What `score_file` did."""

    rows: int
    errors: int
    seconds: float
    output: Path
    malformed_lines: list[int] = field(default_factory=list)

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0


class ProgressLine:
    """A one-line progress display (rows and rows per second) on a stream."""

    def __init__(self, stream: TextIO | None = None, *, every: float = 0.5) -> None:
        self.stream = stream or sys.stderr
        self.every = every
        self._last = 0.0
        self._shown = False

    def __call__(self, rows: int, seconds: float) -> None:
        now = time.monotonic()
        if now - self._last < self.every:
            return
        self._last = now
        rate = rows / seconds if seconds > 0 else 0.0
        self.stream.write(f"\rscored {rows:,} rows  {rate:,.0f} rows/s  {seconds:,.0f} s ")
        self.stream.flush()
        self._shown = True

    def close(self) -> None:
        if self._shown:
            self.stream.write("\n")
            self.stream.flush()


def score_file(
    input: str | os.PathLike[str],
    output: str | os.PathLike[str],
    *,
    text_column: str = "text",
    id_column: str | None = None,
    n_jobs: int = 1,
    chunk_size: int = 10_000,
    model: TriageModel | None = None,
    policy: Policy | None = None,
    encoding: str | None = None,
    input_format: str | None = None,
    output_format: str | None = None,
    progress: Callable[[int, float], None] | None = None,
) -> ScoreSummary:
    """Score a CSV, TSV, JSONL or Parquet file into another, chunk by chunk.

    Memory stays flat whatever the file size. The input's columns are carried
    through, followed by the scores (an input column with the name of a score
    column is kept and the score column is prefixed ``triage_``). The input
    encoding is detected (UTF-8, UTF-8 with BOM, GBK/GB18030) unless given.
    Malformed CSV and JSONL lines are skipped and reported by line number;
    the rest is scored. The output appears only when complete.

    Parameters
    ----------
    input, output : path-like
        Files; formats from their extensions unless `input_format` /
        `output_format` say otherwise.
    text_column : str, default "text"
    id_column : str, optional
        A column that must be present (checked up front), e.g. a ticket id.
    n_jobs, chunk_size, model, policy
        As for `score_frame`.
    encoding : str, optional
        Input encoding; detected when omitted.
    progress : callable, optional
        Called as ``progress(rows_done, seconds)`` after each chunk.

    Returns
    -------
    ScoreSummary
    """
    from triage._io import AtomicWriter, file_format, read_chunks

    src_fmt = file_format(input, input_format)
    dst_fmt = file_format(output, output_format)
    if not Path(input).is_file():
        raise FileNotFoundError(f"no input file at {input}")
    if Path(input).resolve() == Path(output).resolve():
        raise ValueError("output must not be the input file")
    n_jobs = _jobs(n_jobs)
    started = time.perf_counter()
    rows = errors = 0
    malformed: list[int] = []

    chunks = read_chunks(input, fmt=src_fmt, chunk_size=chunk_size, encoding=encoding)

    def frames() -> Iterator[pd.DataFrame]:
        for chunk in chunks:
            malformed.extend(chunk.malformed_lines)
            frame = chunk.frame
            if text_column not in frame.columns:
                raise KeyError(
                    f"no column {text_column!r} in {input}; columns are {list(frame.columns)}; "
                    "pass --text-column"
                )
            if id_column is not None and id_column not in frame.columns:
                raise KeyError(f"no id column {id_column!r} in {input}; columns are {list(frame.columns)}")
            yield frame

    pending = frames()
    buffered: list[pd.DataFrame] = []

    def texts_iter() -> Iterator[list[Any]]:
        for frame in pending:
            buffered.append(frame)
            yield frame[text_column].tolist()

    with AtomicWriter(output, fmt=dst_fmt) as writer:
        for cols in _parallel_map(texts_iter(), n_jobs=n_jobs, model=model, policy=policy):
            frame = buffered.pop(0)
            scores = _frame(cols, frame.index)
            clash = [c for c in scores.columns if c in frame.columns]
            scores = scores.rename(columns={c: f"triage_{c}" for c in clash})
            out = frame.join(scores) if len(frame.columns) else scores
            writer.write(out)
            rows += len(out)
            errors += int((scores["triage_error" if "error" in clash else "error"] != "").sum())
            if progress is not None:
                progress(rows, time.perf_counter() - started)
        if rows == 0:
            writer.write(_frame(_score_texts([], model, policy), None))
        path = writer.commit()
    return ScoreSummary(rows, errors, time.perf_counter() - started, path, malformed)
