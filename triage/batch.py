"""Score many complaints: DataFrames, files and Dask, in chunks and in parallel.

`score_frame` segments every text once, scores each chunk with one sparse
matrix product (`TriageModel.predict_many`) and applies the priority engine per
distinct text of the chunk. Rows without a usable text (None, NaN, numbers,
blank strings and strings that normalise to nothing, such as only zero-width
characters or tags) get an empty result and a message in ``error``; no row is
dropped or reordered, and the output keeps the input's index, duplicates
included.

Output columns, in this order (`OUTPUT_COLUMNS`):

==================================  =============================================
``categories``                      categories that apply, ``|``-joined, primary
                                    first (as in the labeled files); ``""`` none
``primary``                         the primary category or ``""``
``angry`` ... ``aggrieved``         emotion intensities 0-2 (nullable ``Int64``)
``priority``                        ``P1`` ... ``P4``
``prob_<category>`` (6)             probability that each category applies
``prob_<emotion>`` (5)              probability that each emotion is present
``prob_complaint``                  probability that the text complains about
                                    anything (NaN for the lexicon baseline);
                                    under the model's ``min_complaint_proba``
                                    it has no category, unless it names a
                                    concrete problem (``problem_cues``)
``sentiment``                       polarity in [0, 1]: near 0 negative,
                                    near 1 positive
``deadline_minutes``                first-response deadline (nullable ``Int64``)
``route``                           the team to route to
``reasons``                         reason codes, ``|``-joined, most urgent first
``truncated``, ``low_confidence``   flags of `triage.Assessment`
``error``                           ``""`` when the row was scored, else why not
==================================  =============================================

With ``explain=`` (``triage score --explain``) a column ``why`` follows
``reasons``: a JSON object from each category that applies (primary first)
and each emotion present to the terms of the text that raise its score most,
as `triage.explain` finds them (``{"logistics": ["快递", "还没到"], ...}``).
With ``summary=True`` (``triage score --summary``) a column ``summary``
comes first: the row's triage in one line of Chinese, as
`triage.Assessment.summary` says it, for an agent reading the file in a
spreadsheet.

Rows with an error have ``""`` in the string columns, NA in the numbers and
False in the flags. The evidence spans and descriptions of the reasons are not
in the table; `triage.analyze` gives them for any row worth a closer look.
"""

from __future__ import annotations

import atexit
import collections
import contextlib
import dataclasses
import errno
import hashlib
import importlib
import itertools
import json
import logging
import math
import operator
import os
import pickle
import queue
import re
import signal
import sys
import tempfile
import threading
import time
import traceback
import warnings
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TextIO, TypeVar, cast, overload

import numpy as np

from triage._default import resolve_model
from triage._io import SCORE, Options, Rows, is_missing
from triage._paths import user_path
from triage._words import SHOWN, counted, names_shown, plural
from triage._words import shown as _shown
from triage.exceptions import ColumnError, ParameterError, TriageWarning, user_stacklevel
from triage.labels import CATEGORIES, EMOTIONS, PRIORITIES
from triage.model import label_order
from triage.text import prepare

if TYPE_CHECKING:
    import pandas as pd

    from triage.lexicon import LexiconModel
    from triage.model import TriageModel
    from triage.priority import Context, Policy

__all__ = [
    "CONTEXT_FIELDS",
    "OUTPUT_COLUMNS",
    "OUTPUT_DTYPES",
    "OUTPUT_FORMAT_VERSION",
    "SCORED_BY_KEY",
    "SUMMARY_COLUMN",
    "WHY_COLUMN",
    "ProgressLine",
    "ScoreSummary",
    "score_file",
    "score_frame",
    "scored_by",
]

logger = logging.getLogger(__name__)

Array = np.ndarray[Any, np.dtype[Any]]
P = TypeVar("P")

OUTPUT_COLUMNS: tuple[str, ...] = (
    "categories",
    "primary",
    *(str(e) for e in EMOTIONS),
    "priority",
    *(f"prob_{c}" for c in CATEGORIES),
    *(f"prob_{e}" for e in EMOTIONS),
    "prob_complaint",
    "sentiment",
    "deadline_minutes",
    "route",
    "reasons",
    "truncated",
    "low_confidence",
    "error",
)

#: The dtype of each score column as `score_frame` gives it (``str``: the
#: dtype pandas gives text, ``str`` from pandas 3 and ``object`` before), to
#: read a CSV, TSV or JSON Lines output back with the types of a Parquet one,
#: whatever its rows (docs/batch.md, "Reading the output in pandas"): a JSON
#: Lines output read by pandas has float emotions where a row is unscored
#: and integers otherwise.
OUTPUT_DTYPES: dict[str, str] = {
    **dict.fromkeys(OUTPUT_COLUMNS, "str"),  # in their order
    **{str(e): "Int64" for e in EMOTIONS},
    **{c: "float64" for c in OUTPUT_COLUMNS if c.startswith("prob_")},
    "sentiment": "float64",
    "deadline_minutes": "Int64",
    "truncated": "bool",
    "low_confidence": "bool",
}

#: The version of the score columns: their names, order, types and how a
#: value is written in them (``|``-joined lists, ``""`` and NA for a row
#: with an error). Raised when any of these changes, and only then (a new
#: model or policy changes the scores, not their format): a file's
#: `scored_by` holds it, so that a consumer reading files written months
#: apart knows which columns to expect (docs/batch.md, "The output's
#: format").
OUTPUT_FORMAT_VERSION = 2

#: Each earlier version of the output's format whose bytes a run of this one
#: writes with the options it did not have at these values, which its
#: ``--resume`` checkpoint, holding none of them, is taken up with: a run
#: stopped under version 1 is finished without ``summary``, the bytes being
#: those of version 1, and refused with it, as a run of other options is.
_EARLIER_FORMATS: dict[int, dict[str, Any]] = {1: {"summary": False}}

#: The column ``explain=`` adds after ``reasons``.
WHY_COLUMN = "why"

#: The column ``summary=True`` adds before the others: `triage.Assessment.summary`.
SUMMARY_COLUMN = "summary"

#: The key of a Parquet output's schema metadata that says what scored it
#: (`scored_by`).
SCORED_BY_KEY = "triage"

#: Fields of `triage.Context` that `score_frame(context_columns=...)` fills.
CONTEXT_FIELDS: tuple[str, ...] = ("recent_complaints", "channel", "customer_tier")

_STR_COLUMNS = ("categories", "primary", "priority", "route", "reasons")

# -- one chunk -------------------------------------------------------------------


def _problem(value: Any) -> str:
    """Why a cell cannot be scored, or '' when it may be (a string that is not
    blank; `_score_chunk` finds those that normalise to nothing)."""
    if isinstance(value, str):
        return "" if value.strip() else "empty text"
    if is_missing(value):
        return "missing text"
    if isinstance(value, bytes | bytearray):  # a binary column (Impala, Hive, a driver)
        return f"not a string: {type(value).__name__}; decode the column first"
    return f"not a string: {type(value).__name__}"


def _score_chunk(
    texts: list[Any],
    model: Any,
    policy: Any,
    contexts: list[Context | str | None] | None = None,
    explain: int = 0,
    summary: bool = False,
) -> dict[str, Any]:
    """Score one chunk; the output columns as numpy arrays, row-aligned with `texts`,
    ``why`` among them with `explain`, ``summary`` with `summary`.

    Each distinct (text, context) is scored once: duplicates are common in
    complaint archives (templates, "默认好评") and their results are equal.
    """
    n = len(texts)
    errors = [_problem(t) for t in texts]
    if contexts is not None:
        for i, c in enumerate(contexts):
            if isinstance(c, str) and not errors[i]:
                # a text that normalises to nothing is reported first, as a blank one is
                errors[i] = "empty text" if not prepare(texts[i]).text else c
    slot = np.full(n, -1, dtype=np.intp)
    seen: dict[Any, int] = {}
    uniq: list[str] = []
    uniq_ctx: list[Context | None] = []
    for i, t in enumerate(texts):
        if errors[i]:
            continue
        ctx = None if contexts is None else cast("Context | None", contexts[i])
        key = t if ctx is None else (t, ctx)
        k = seen.get(key)
        if k is None:
            k = seen[key] = len(uniq)
            uniq.append(t)
            uniq_ctx.append(ctx)
        slot[i] = k
    m = len(uniq)
    # index m of every per-distinct-text array holds the value of an error row
    strs: dict[str, list[Any]] = {c: [] for c in _STR_COLUMNS}
    if summary:
        strs[SUMMARY_COLUMN] = []
    deadline = np.zeros(m + 1, dtype=np.int64)
    cat_p = np.full((m + 1, len(CATEGORIES)), np.nan)
    emo_p = np.full((m + 1, len(EMOTIONS)), np.nan)
    intensity = np.zeros((m + 1, len(EMOTIONS)), dtype=np.int64)
    senti = np.full(m + 1, np.nan)
    complains = np.full(m + 1, np.nan)
    flags = np.zeros((m + 1, 2), dtype=bool)
    why: list[str] = []
    if m:
        found = resolve_model(_resolve_shared(model))
        preds = found.predict_many(uniq, explain=explain) if explain else found.predict_many(uniq)
        # a text of only tags, control or zero-width characters normalises to
        # nothing: it is an empty text, like "" and "  "
        nothing = np.array([not t for t in preds.texts], dtype=bool)
        if nothing.any():
            gone = np.flatnonzero((slot >= 0) & nothing[np.maximum(slot, 0)])
            for i in gone.tolist():
                errors[i] = "empty text"
            slot[gone] = -1
        cat_p[:m] = preds.category_proba
        emo_p[:m] = preds.emotion_proba
        intensity[:m] = preds.intensity
        senti[:m] = preds.sentiment
        if preds.complaint_proba is not None:
            complains[:m] = preds.complaint_proba
        flags[:m, 0] = preds.truncated
        flags[:m, 1] = preds.low_confidence
        _prioritize_all(preds, uniq_ctx, _resolve_shared(policy), strs, deadline)
        if explain:
            assert preds.why is not None
            why = [json.dumps(w, ensure_ascii=False) for w in preds.why]
    for strings in strs.values():
        strings.append("")
    take = np.where(slot >= 0, slot, m)
    ok = slot >= 0
    cols: dict[str, Any] = {}
    if summary:
        cols[SUMMARY_COLUMN] = np.asarray(strs[SUMMARY_COLUMN], dtype=object)[take]
    for c in ("categories", "primary"):
        cols[c] = np.asarray(strs[c], dtype=object)[take]
    for j, e in enumerate(EMOTIONS):
        cols[str(e)] = (intensity[take, j], ~ok)
    cols["priority"] = np.asarray(strs["priority"], dtype=object)[take]
    for j, c in enumerate(CATEGORIES):
        cols[f"prob_{c}"] = cat_p[take, j]
    for j, e in enumerate(EMOTIONS):
        cols[f"prob_{e}"] = emo_p[take, j]
    cols["prob_complaint"] = complains[take]
    cols["sentiment"] = senti[take]
    cols["deadline_minutes"] = (deadline[take], ~ok)
    cols["route"] = np.asarray(strs["route"], dtype=object)[take]
    cols["reasons"] = np.asarray(strs["reasons"], dtype=object)[take]
    if explain:
        cols[WHY_COLUMN] = np.asarray([*why, ""], dtype=object)[take]
    cols["truncated"] = flags[take, 0]
    cols["low_confidence"] = flags[take, 1]
    cols["error"] = np.asarray(errors, dtype=object)
    return cols


def _prioritize_all(
    preds: Any,
    contexts: list[Context | None],
    policy: Policy | None,
    strs: dict[str, list[Any]],
    deadline: Array,
) -> None:
    """The priority engine on every row of `preds`, filling the string columns
    (``summary`` too when `strs` has it, by `triage.results.summary_line`).

    Gives the engine what `Predictions.assessment` gives `prioritize`
    (labels ordered by `triage.model.label_order`), from whole-chunk copies
    (`_rows`) rather than numpy scalars, and without the result objects and
    checks of a call of `prioritize` a row: the labels, intensities and
    probabilities by level go to its core (`_prioritize`) as they are. The
    level probabilities of a row are a softmax, so they lie in [0, 1].
    """
    from triage.priority import _prioritize, default_policy
    from triage.results import summary_line

    pol = default_policy() if policy is None else policy
    cat_p = _rows(preds.category_proba)
    labels = _rows(preds.category_labels)
    primary = preds.primary.tolist()
    inten = _rows(preds.intensity)
    prio_p = _rows(preds.priority_proba)
    # the rules read past the cut too (`Predictions.rests`)
    texts = preds.texts if preds.rests is None else list(map(str.__add__, preds.texts, preds.rests))
    out_cat, out_prim, out_prio = strs["categories"], strs["primary"], strs["priority"]
    out_route, out_reasons = strs["route"], strs["reasons"]
    out_summary = strs.get(SUMMARY_COLUMN)
    for k in range(len(texts)):
        p, prim = cat_p[k], primary[k]
        cats = tuple(CATEGORIES[j] for j in label_order(labels[k], p, prim))
        prim_label = CATEGORIES[prim] if prim >= 0 else None
        result = _prioritize(
            texts[k],
            cats,
            prim_label,
            dict(zip(EMOTIONS, inten[k], strict=True)),
            None  # a model without a priority head (NaN): rules alone
            if math.isnan(prio_p[k][0])
            else dict(zip(PRIORITIES, prio_p[k], strict=True)),
            contexts[k],
            pol,
        )
        out_cat.append("|".join(cats))
        out_prim.append(prim_label.value if prim_label is not None else "")
        out_prio.append(result.level.value)
        deadline[k] = result.deadline_minutes
        out_route.append(result.route)
        out_reasons.append("|".join([r.code for r in result.reasons]))
        if out_summary is not None:
            out_summary.append(
                summary_line(
                    result.level, result.deadline_minutes, result.route, prim_label, result.reasons
                )
            )


def _rows(a: Array) -> list[tuple[Any, ...]]:
    """The rows of a 2-d array as tuples of Python scalars.

    Copied a column at a time: a chunk's rows are held while the priority
    engine runs, and tuples of numbers, unlike lists, are nothing for the
    garbage collector to follow, so they cost it no full pass.
    """
    return list(zip(*a.T.tolist(), strict=True))


def _frame(cols: dict[str, Any], index: Any, *, copy: bool = True) -> pd.DataFrame:
    """The output frame of `_score_chunk` columns (a text column may be one
    made already, `_text_array`); without `copy`, the frame holds the arrays
    given, each a block of its own, rather than copies of them."""
    import pandas as pd

    data: dict[str, Any] = {}
    for name in _columns(WHY_COLUMN in cols, SUMMARY_COLUMN in cols):
        col = cols[name]
        if isinstance(col, tuple):  # (values, mask) of a nullable integer column
            values, mask = col
            data[name] = pd.arrays.IntegerArray(values, mask)
        elif isinstance(col, np.ndarray) and col.dtype == object:
            data[name] = _text_array(col)
        else:
            data[name] = col
    return pd.DataFrame(data, index=index, copy=copy)


def _text_array(strings: Any) -> Any:
    """`strings`, an object array, as a column of the dtype pandas gives text
    (``str`` from pandas 3, object before), also when there are no rows to
    infer it from: an empty result concatenates with the others, and is the
    right meta of a Dask frame."""
    import pandas as pd

    return pd.array(strings, dtype=pd.Series([""]).dtype)


class _Assembled:
    """The score columns of a frame of `rows` rows, filled in chunk by chunk
    (`add`), in order, as each is scored.

    A chunk's numbers are copied into arrays of the frame's length, which the
    result holds as they are (`frame`), and its texts are made the dtype pandas
    gives text at once, so that nothing of the chunk is kept: its Python
    strings (the categories, reasons and why of each row) are let go of as it
    arrives, rather than every chunk held to the end, concatenated, then
    copied into the frame, which made a frame's peak grow by some 900 bytes a
    row where the result holds 270 (docs/batch.md).
    """

    def __init__(self, rows: int) -> None:
        self.rows = rows
        self.done = 0
        self.numbers: dict[str, Any] = {}  # an array, or (values, mask), a column
        self.texts: dict[str, list[Any]] = {}  # the text arrays of each chunk

    def add(self, cols: dict[str, Any]) -> None:
        """Take in the columns of the next chunk (`_score_chunk`)."""
        at = slice(self.done, self.done + len(cols["error"]))
        for name, col in cols.items():
            if isinstance(col, tuple):  # (values, mask) of a nullable integer column
                if name not in self.numbers:
                    self.numbers[name] = tuple(self._empty(a) for a in col)
                for whole, part in zip(self.numbers[name], col, strict=True):
                    whole[at] = part
            elif col.dtype == object:
                self.texts.setdefault(name, []).append(_text_array(col))
            else:
                if name not in self.numbers:
                    self.numbers[name] = self._empty(col)
                self.numbers[name][at] = col
        self.done = at.stop

    def _empty(self, like: Array) -> Array:
        return np.empty(self.rows, dtype=like.dtype)

    def frame(self, index: Any) -> pd.DataFrame:
        """The scores of every row, with `index`; the arrays are the frame's now."""
        import pandas as pd

        assert self.done == self.rows, (self.done, self.rows)
        cols = dict(self.numbers)
        for name, parts in self.texts.items():
            if len(parts) == 1:
                cols[name] = parts[0]
            else:
                cols[name] = pd.concat([pd.Series(p) for p in parts], ignore_index=True).array
        self.numbers, self.texts = {}, {}
        return _frame(cols, index, copy=False)


def _empty_frame(index: Any = None, explain: int = 0, summary: bool = False) -> pd.DataFrame:
    return _frame(_score_chunk([], None, None, explain=explain, summary=summary), index)


def _columns(why: bool, summary: bool = False) -> tuple[str, ...]:
    """The output columns, ``why`` after ``reasons`` with `why`, ``summary``
    first with `summary`."""
    columns = OUTPUT_COLUMNS
    if why:
        at = OUTPUT_COLUMNS.index("reasons") + 1
        columns = (*OUTPUT_COLUMNS[:at], WHY_COLUMN, *OUTPUT_COLUMNS[at:])
    return (SUMMARY_COLUMN, *columns) if summary else columns


# -- sharing a model with worker processes ------------------------------------------

_worker_cache: dict[str, Any] = {}
_WORKER_CACHE_SIZE = 4


class _Shared:
    """An object sent to worker processes once, through a file, then cached by key.

    It pickles as its key and the path of a file holding the object; a worker
    loads the file the first time it meets the key and keeps the object, so a
    model is unpickled once per worker, not once per chunk.

    The file is written with cloudpickle, as joblib sends its tasks: a model
    of a class defined in a script or a notebook (``__main__``) is written
    with its class, which a worker could not import by name. The key is the
    file's SHA-256: the same model sent by call after call is loaded once by
    each worker, not once a call with each copy kept.
    """

    def __init__(self, obj: Any, directory: str) -> None:
        data = _cloudpickle().dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
        self.key = hashlib.sha256(data).hexdigest()
        self.path = os.path.join(directory, self.key + ".pickle")
        with open(self.path, "wb") as f:
            f.write(data)
        self.obj = obj

    def __reduce__(self) -> tuple[Any, ...]:
        return (_load_shared, (self.key, self.path))


def _cloudpickle() -> Any:
    """cloudpickle, a dependency of joblib (an older joblib carries its own)."""
    try:
        return importlib.import_module("cloudpickle")
    except ModuleNotFoundError:
        return importlib.import_module("joblib.externals.cloudpickle")


class _SharedHandle:
    """What a worker unpickles a `_Shared` into: the key, the object on demand."""

    __slots__ = ("key", "path")

    def __init__(self, key: str, path: str) -> None:
        self.key = key
        self.path = path


def _load_shared(key: str, path: str) -> _SharedHandle:
    return _SharedHandle(key, path)


@dataclass(frozen=True)
class _DefaultAt:
    """The default model for workers to load: its directory and the SHA-256 of
    its model file, which the one they load must have."""

    path: str
    sha256: str


def _resolve_shared(obj: Any) -> Any:
    if isinstance(obj, _Shared):
        return obj.obj
    if isinstance(obj, _DefaultAt):
        return _load_default(obj)
    if not isinstance(obj, _SharedHandle):
        return obj
    got = _worker_cache.get(obj.key)
    if got is None:
        with open(obj.path, "rb") as f:
            data = f.read()
        # a file this process's parent wrote for its own workers, in a folder
        # only its user may enter; its name is the SHA-256 it was written with,
        # checked before it is unpickled, as a model's card is
        if hashlib.sha256(data).hexdigest() != obj.key:
            from triage.exceptions import ModelFileError

            raise ModelFileError(
                f"{obj.path}, written for the worker processes of this call, was changed "
                "before they read it; score again"
            )
        got = pickle.loads(data)
        while len(_worker_cache) >= _WORKER_CACHE_SIZE:
            _worker_cache.pop(next(iter(_worker_cache)))
        _worker_cache[obj.key] = got
    return got


def _load_default(at: _DefaultAt) -> Any:
    """The model at `at`, loaded once per worker; an error if its file is no
    longer the one the parent process found there."""
    from triage.exceptions import ModelFileError
    from triage.persist import load_model

    key = f"default:{at.sha256}:{at.path}"
    got = _worker_cache.get(key)
    if got is None:
        got = load_model(at.path)
        if str(got.card_["file"]["sha256"]) != at.sha256:
            raise ModelFileError(
                f"the default model at {at.path} was replaced while it was being used "
                "to score; score again"
            )
        while len(_worker_cache) >= _WORKER_CACHE_SIZE:
            _worker_cache.pop(next(iter(_worker_cache)))
        _worker_cache[key] = got
    return got


# seconds between a worker's looks at whether the process that started it lives
_PARENT_CHECK_SECONDS = 1.0


def _exit_with(parent: int) -> None:
    """End this worker once `parent`, the process that started it, is gone.

    Killed (the kernel's OOM killer, ``kill -9``), the parent left its workers
    running, each with its model and dictionary (some 450 MB for the shipped
    model), waiting forever for chunks: they held the output of a scheduled
    run's ``triage score`` open, so the scheduler waited on it too. A worker
    is adopted by another process when its parent dies.
    """
    while os.getppid() == parent:
        time.sleep(_PARENT_CHECK_SECONDS)
    os._exit(1)


def _init_worker(jieba_level: int, parent: int | None = None, unblock: bool = False) -> None:
    # Ctrl-C reaches every process of the terminal's foreground group, the
    # workers too: each printed the traceback of where it was (waiting for a
    # chunk, reading one) under the command's one line. The parent stops the
    # batch; a worker ends quietly, as on SIGTERM (one SIGINT'd alone is
    # replaced, its chunk scored again). It started with SIGINT blocked
    # (`_workers_start`), so that a Ctrl-C while it imported (loky's bootstrap, a
    # second or more) is taken now, ending it quietly too; `unblock` unless
    # the parent had it blocked itself
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
    if unblock:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    if parent is not None and os.name == "posix":  # Windows' parent id does not change
        threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()
    # jieba logs its dictionary load at DEBUG through its own handler and sets
    # that level when imported: import it as the library does, then keep the
    # parent's level, so workers are as quiet as the parent
    import warnings

    from triage.persist import ModelVersionWarning
    from triage.text import _import_jieba

    _import_jieba()
    logging.getLogger("jieba").setLevel(jieba_level)
    # the parent has warned of the default model's versions, under the
    # caller's warning filters, which do not reach this process
    warnings.filterwarnings("ignore", category=ModelVersionWarning)


# the thread pools of numpy's and scikit-learn's native libraries
_THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "BLIS_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)


def _thread_limits(n_jobs: int) -> dict[str, str]:
    """Worker environment sharing the cores among `n_jobs` processes.

    As joblib's ``Parallel`` does for its loky workers: without it each worker's
    BLAS and OpenMP pools start a thread per core and the workers fight over
    them. A limit the user has set in the environment is kept.
    """
    from joblib import cpu_count

    per_worker = str(max(1, int(cpu_count()) // n_jobs))
    return {name: os.environ.get(name, per_worker) for name in _THREAD_VARIABLES}


def _jieba_level() -> int:
    return logging.getLogger("jieba").getEffectiveLevel()


# This module's own worker pools, by (n_jobs, jieba level), one a level. Not
# loky's process-wide reusable executor: joblib.Parallel (and scikit-learn's
# n_jobs) keeps its own pool there and breaks on finding one of a different kind.
_pools: dict[tuple[int, int], Any] = {}
# reentrant: a batch takes a pool (`_pool`) and counts itself its user under it
_pools_lock = threading.RLock()
# how many batches (`_InFlight`) score in each pool now
_users: dict[Any, int] = {}
# idle workers exit after this many seconds; the next batch starts new ones
_IDLE_SECONDS = 300
# In a forked child, the pools of the process it was forked from: their
# managing threads and workers are the parent's. Kept and never used:
# collected in the child, a pool would signal its manager in the parent.
_inherited: list[Any] = []


def _forget_pools() -> None:
    """Start a forked child without its parent's pools (a pre-forking server
    that scored a batch before forking its workers): a batch sent to one
    waited forever, as no thread of the child reads its results."""
    global _pools_lock
    _pools_lock = threading.RLock()
    _inherited.extend(_pools.values())
    _pools.clear()
    _users.clear()


if hasattr(os, "register_at_fork"):  # not on Windows, which does not fork
    os.register_at_fork(after_in_child=_forget_pools)


def _pool(n_jobs: int) -> Any:
    """A pool of `n_jobs` workers or more, started on first use and kept for the next batch.

    One pool is kept: a batch of fewer chunks is sent to a larger pool
    started already, and one of more replaces a smaller pool, whose batches
    still in flight get the chunks they sent it back and send the rest to the
    new one (`_InFlight.submit`). A pool kept for each number of chunks ran a
    worker for each chunk of every batch size seen, 2 + 3 + ... + n_jobs of them.
    """
    from joblib.externals.loky import ProcessPoolExecutor

    level = _jieba_level()
    retired = []
    with _pools_lock:
        for key, pool in list(_pools.items()):
            if key[1] != level:
                continue
            if key[0] >= n_jobs:
                return pool
            retired.append(_pools.pop(key))
        if _SIGMASK:
            # started now, if not yet: loky starts it with the first worker,
            # inside `_workers_start`, and its start unblocks SIGINT there
            from multiprocessing import resource_tracker

            resource_tracker.ensure_running()
        pool = _pools[(n_jobs, level)] = ProcessPoolExecutor(
            max_workers=n_jobs,
            timeout=_IDLE_SECONDS,
            initializer=_init_worker,
            initargs=(level, os.getpid(), _SIGMASK and not _sigint_blocked()),
            env=_thread_limits(n_jobs),
        )
    for old in retired:
        old.shutdown(wait=False)  # its workers finish what was sent to them, then exit
    return pool


# whether a thread's signals can be blocked (not on Windows)
_SIGMASK = hasattr(signal, "pthread_sigmask")


def _sigint_blocked() -> bool:
    """Whether SIGINT is blocked in this thread (a runner may start a process so)."""
    return signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, ())


@contextlib.contextmanager
def _workers_start() -> Iterator[None]:
    """A block that may start worker processes (``executor.submit``): SIGINT
    blocked in this thread, and in the main thread the handlers of the
    signals that stop a run deferred to its end.

    loky starts the workers it lacks in `submit` (and its managing thread,
    started there too, those it replaces): each starts with the signal mask
    of the thread that starts it, so with SIGINT blocked until `_init_worker`.
    A Ctrl-C in the first second or two of a batch reached workers still
    importing loky's bootstrap (numpy, psutil), and each printed its
    traceback under the command's one line. Raised in the parent inside
    `submit`, a `KeyboardInterrupt` (or the CLI's SIGTERM) could cut a
    worker's start short, between its process and the data sent to it, and
    the worker printed an `EOFError` on stdout: the handler runs at the end
    of the block, the future submitted kept.
    """
    if not _SIGMASK:
        yield
        return
    held: list[tuple[int, Any]] = []
    handlers: dict[int, Any] = {}
    if threading.current_thread() is threading.main_thread():
        for signum in _STOPPING:
            handler = signal.getsignal(signum)
            if callable(handler):
                handlers[signum] = handler
                signal.signal(signum, lambda n, frame: held.append((n, frame)))
    before = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)
        for signum, handler in handlers.items():
            signal.signal(signum, handler)
        for signum, frame in held[:1]:  # raises, as it would have
            handlers[signum](signum, frame)


# the signals whose handlers `_workers_start` defers: Ctrl-C, and the SIGTERM and
# SIGHUP that ``triage score`` handles
_STOPPING = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)


@atexit.register
def _shutdown_pools() -> None:
    """Stop every pool at interpreter exit (one left to the garbage collector
    makes loky print a traceback then)."""
    with _pools_lock:
        pools = list(_pools.values())
        _pools.clear()
    for pool in pools:
        pool.shutdown(wait=True)


def _drop_pool(pool: Any) -> None:
    """Forget a pool that a dead worker broke, so the next batch starts a new one."""
    with _pools_lock:
        for key, known in list(_pools.items()):
            if known is pool:
                del _pools[key]
    pool.shutdown(wait=False)


# times one batch replaces its pool after a worker died before it gives up
_MAX_RESTARTS = 2


def _stop_workers(executor: Any) -> None:
    """Shut `executor` down, its workers killed and every chunk it holds failed.

    loky's ``shutdown(kill_workers=True)``, with the chunks still waiting for
    a worker taken back from its queue first. Its managing thread sets an
    error on each chunk it holds, then moves the chunks queued into the
    workers' queue when that has room (a worker took one before it was
    killed): it met one whose entry it had just deleted (`KeyError`), as it
    met one cancelled already (`InvalidStateError`), and died with the
    workers alive, the process hanging at its end. The workers are left to
    that thread, which reads no result after it has killed them: killed from
    here, one killed as it sent its chunk's result left part of it in the
    pipe, and the thread waited for the rest forever.
    """
    # loky's own (joblib 1.3 to 1.6); a loky without them is shut down as it is
    lock, queued = getattr(executor, "_shutdown_lock", None), getattr(executor, "_work_ids", None)
    if lock is not None and queued is not None:
        with lock:  # held by `submit`: nothing is queued meanwhile
            while True:
                try:
                    queued.get_nowait()
                except queue.Empty:
                    break
    executor.shutdown(wait=False, kill_workers=True)


class _InFlight:
    """Chunks submitted to a worker pool and not yet collected, oldest first.

    When a worker dies (killed, out of memory), whether mid-batch or while the
    pool sat idle between batches, the pool is replaced and the chunks still
    in flight are submitted again: scoring is pure, so a chunk scored twice
    gives the same columns. A batch whose workers keep dying fails with
    `BrokenProcessPool` after `_MAX_RESTARTS` new pools.
    """

    def __init__(self, n_jobs: int, work: Callable[..., dict[str, Any]] | None = None) -> None:
        self.n_jobs = n_jobs
        # what a worker does with a chunk's arguments (`_Workers`)
        self.work = _score_rows if work is None else work
        self.executor: Any = None
        self._take_pool()
        self.pending: deque[list[Any]] = deque()  # [payload, args, future]
        self.restarts = 0

    def _take_pool(self) -> None:
        """Score in the pool `_pool` gives, counted among its users, no longer
        among those of the pool this batch scored in before."""
        with _pools_lock:
            executor = _pool(self.n_jobs)
            self._let_go()
            _users[executor] = _users.get(executor, 0) + 1
            self.executor = executor

    def _let_go(self) -> bool:
        """No longer count this batch among its pool's users; whether it was the last."""
        with _pools_lock:
            executor, self.executor = self.executor, None
            if executor is None:
                return False
            left = _users.pop(executor, 1) - 1
            if left:
                _users[executor] = left
            return not left

    def __len__(self) -> int:
        return len(self.pending)

    def submit(self, payload: Any, args: tuple[Any, ...]) -> None:
        from concurrent.futures.process import BrokenProcessPool

        entry = [payload, args, None]
        self.pending.append(entry)
        try:
            with _workers_start():
                entry[2] = self.executor.submit(_score_sent_chunk, self.work, *args)
        except BrokenProcessPool as exc:
            self._restart(exc)
        except RuntimeError:
            if self.executor in _pools.values():
                raise
            # a batch of more chunks replaced the pool by a larger one (`_pool`)
            self._take_pool()
            with _workers_start():
                entry[2] = self.executor.submit(_score_sent_chunk, self.work, *args)

    def pop(self) -> tuple[Any, dict[str, Any]]:
        """The oldest chunk's payload and columns, waiting for it."""
        from concurrent.futures.process import BrokenProcessPool

        while True:
            payload, _, future = self.pending[0]
            try:
                columns = future.result()
            except BrokenProcessPool as exc:
                self._restart(exc)
                continue
            self.pending.popleft()
            return payload, columns

    def cancel(self) -> None:
        """Let go of the chunks not collected, and of the pool.

        When the batch stopped before its end (Ctrl-C, SIGTERM, an exception)
        with chunks not scored yet and no other batch scores in the pool, its
        workers are stopped, rather than left to score chunks no one will
        read. Waited for, they kept a process that was to end running for as
        long as a chunk takes (a SIGTERM'd ``triage score`` ended 15 seconds
        later, past ``docker stop``'s 10), and the next batch, in a notebook,
        waited behind them. A pool other batches score in is left to score
        the few chunks sent (``2 * n_jobs`` at most).

        The chunks waiting for a worker are taken back from loky's queue
        first (`_stop_workers`), and none is cancelled one by one.
        """
        unfinished = any(future is not None and not future.done() for _, _, future in self.pending)
        self.pending.clear()
        with _pools_lock:
            executor = self.executor
            stop = self._let_go() and unfinished
            if stop:
                for key, known in list(_pools.items()):
                    if known is executor:
                        del _pools[key]
        if stop:
            _stop_workers(executor)

    def _restart(self, exc: BaseException) -> None:
        from concurrent.futures.process import BrokenProcessPool

        while True:
            _drop_pool(self.executor)
            if self.restarts >= _MAX_RESTARTS:
                # loky's message names exit codes only; say what to do about them
                codes = re.search(r"exit codes of the workers are (\{.*?\})", str(exc))
                raise BrokenProcessPool(
                    f"worker processes died {self.restarts + 1} times in this batch "
                    "(killed, or out of memory?); try fewer jobs or a smaller chunk size"
                    + (f" (exit codes {codes[1]})" if codes else "")
                ) from exc
            self.restarts += 1
            self._take_pool()
            try:
                for entry in self.pending:
                    done = entry[2]
                    if done is None or not done.done() or done.cancelled() or done.exception():
                        with _workers_start():
                            entry[2] = self.executor.submit(_score_sent_chunk, self.work, *entry[1])
                return
            except BrokenProcessPool as again:
                exc = again


# ``errors=`` of `score_frame` and `score_file`
_ERRORS = ("flag", "raise")

# the key under which `_score_rows` returns the rows it flagged: their places
# in the chunk, and the first exception's traceback, as text
_RAISED = "raised"

# a complaint every model and policy scores: when it raises too, an exception
# raised scoring a chunk is the model's or the policy's, not a row's
_PLAIN = "快递一周还没到"


def _score_rows(
    texts: list[Any],
    model: Any,
    policy: Any,
    contexts: list[Context | str | None] | None = None,
    explain: int = 0,
    errors: str = "raise",
    summary: bool = False,
) -> dict[str, Any]:
    """`_score_chunk`; with ``errors="flag"``, the rows whose scoring raises an
    `Exception` are found and flagged in ``error``, the others scored.

    The chunk is scored again in halves, each half that raises in halves
    again, down to the rows that raise alone: a few scorings of a chunk for
    each such row, none on the happy path, and the same result for every
    other row (none depends on the rest of its chunk). Raised as it is: a
    `MemoryError`, and the exception of a chunk when `_PLAIN` raises too
    (a broken model or policy, which every row would raise) or when no row
    raises alone.
    """
    try:
        return _score_chunk(texts, model, policy, contexts, explain, summary)
    except MemoryError:
        raise
    except Exception as exc:
        if errors == "raise" or not _scores(model, policy, explain, summary):
            raise
        first = exc
    parts: list[dict[str, Any]] = []
    raised: list[int] = []
    shown: list[str] = []  # the traceback of the first row that raised

    def halves(lo: int, hi: int, exc: Exception) -> None:
        # texts[lo:hi] raised `exc`: a row is flagged, a half scored or split again
        if hi - lo == 1:
            row = _score_chunk([None], None, None, explain=explain, summary=summary)
            row["error"] = np.asarray([_raised_error(exc)], dtype=object)
            parts.append(row)
            raised.append(lo)
            shown[:] = shown or [_traceback(exc)]
            return
        mid = (lo + hi) // 2
        for a, b in ((lo, mid), (mid, hi)):
            try:
                part = _score_chunk(
                    texts[a:b], model, policy, _slice(contexts, a, b - a), explain, summary
                )
            except MemoryError:
                raise
            except Exception as again:
                halves(a, b, again)
            else:
                parts.append(part)

    halves(0, len(texts), first)
    if not raised:  # no row raises alone: the exception is not a row's
        raise first
    cols = {k: _concat([p[k] for p in parts]) for k in parts[0]}
    cols[_RAISED] = (raised, shown[0])
    return cols


def _raised_error(exc: Exception) -> str:
    """The ``error`` of a row whose scoring raised `exc`: its class and the
    first `SHOWN` characters of its message, on one line."""
    message = " ".join(str(exc).split())
    if len(message) > SHOWN:
        message = f"{message[:SHOWN]}... ({len(message):,} characters)"
    return f"scoring raised {type(exc).__name__}" + (f": {message}" if message else "")


def _traceback(exc: Exception) -> str:
    """The last frames of `exc`'s traceback and its message, as Python prints them."""
    return "".join(traceback.format_exception(exc, limit=-_FRAMES, chain=False)).rstrip()


# frames of a traceback a warning shows: where the bug is, not the batch's own
_FRAMES = 6


def _scores(model: Any, policy: Any, explain: int, summary: bool = False) -> bool:
    """Whether `model` and `policy` score `_PLAIN`."""
    try:
        _score_chunk([_PLAIN], model, policy, None, explain, summary)
    except MemoryError:
        raise
    except Exception:
        return False
    return True


def _score_sent_chunk(work: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
    """`work` (`_score_rows`, or the other work of `_Workers`) in a worker,
    raising what the parent process can read.

    An exception goes back to the parent pickled. One whose class takes other
    arguments than it keeps (``def __init__(self, code, detail)``) cannot be
    rebuilt there: loky took it for a dead worker, and the batch failed three
    pools later saying workers had died. It is raised as the nearest builtin
    exception class it has, naming its own, its traceback below.
    """
    try:
        return work(*args)
    except Exception as exc:
        try:
            # as loky sends it back
            pickle.loads(_cloudpickle().dumps(exc, protocol=pickle.HIGHEST_PROTOCOL))
        except Exception:
            raise _readable(exc) from exc
        raise


def _readable(exc: Exception) -> Exception:
    """`exc` as an instance of its nearest builtin class that takes a message."""
    message = f"{type(exc).__module__}.{type(exc).__qualname__}: {exc}"
    for kind in type(exc).__mro__:
        if kind.__module__ == "builtins" and issubclass(kind, Exception):
            try:
                return kind(message)
            except TypeError:  # one of several arguments: UnicodeDecodeError
                continue
    return Exception(message)


def _note_rows(exc: Exception, first: int, count: int) -> None:
    """Add to `exc`, raised scoring a chunk, the rows of the chunk: an error
    (a text no scoring foresaw, a worker out of memory) an hour into a file
    said nothing of where it was."""
    exc.add_note(
        f"raised scoring rows {first + 1:,} to {first + count:,} of the input (counted "
        "from 1, a file's header and malformed lines not counted)"
    )


def _load(model: Any, policy: Any, explain: int = 0, summary: bool = False) -> None:
    """Load what scoring a chunk in this process needs, which its first chunk
    would: the model (the default one from its file), jieba's dictionary,
    the term tables and the policy's patterns, by scoring a complaint of its
    own as a chunk is scored, so that a file's run times the load apart from
    its rows, as a stream's does (`triage.warm_up`, which loads more, for
    text `score_file` may never see). A model or policy that fails is left
    for the first chunk to raise, naming its rows, as before."""
    with contextlib.suppress(Exception):
        _score_chunk(["快递还没到"], model, policy, None, explain, summary)


def _after(first: deque[P], rest: Iterator[P]) -> Iterator[P]:
    """The items of `first`, each let go of as it is taken, then those of `rest`."""
    while first:
        yield first.popleft()
    yield from rest


class _Workers:
    """Scores chunks in order: in this process or in joblib's loky processes.

    At most ``2 * n_jobs`` chunks are in flight, so memory does not grow with
    the input. A model or policy passed in is written once to a temporary file
    that each worker loads once (`_Shared`); with neither, each worker loads the
    default model once, like the parent would.

    `work` is what is done with a chunk: `_score_rows` by default, called
    with the chunk's texts, the model and policy (as sent: resolve them with
    `_resolve_shared`), its contexts, `explain`, `errors` and `summary`; it
    returns the chunk's columns. A function at the top of its module, which
    pickles to the workers by name (as does a ``functools.partial`` of one):
    `triage.retrain.select_for_labeling` reads a pool's doubts so.
    """

    def __init__(
        self,
        n_jobs: int,
        model: TriageModel | LexiconModel | None,
        policy: Policy | None,
        explain: int = 0,
        errors: str = "raise",
        summary: bool = False,
        work: Callable[..., dict[str, Any]] | None = None,
        load: bool = False,
    ) -> None:
        self.n_jobs = n_jobs
        self.work = _score_rows if work is None else work
        # a file's run: the model loaded before the first chunk is scored in
        # this process, and timed apart (`_load`); worker processes each load
        # their own as they take their first chunk, the run's rows meanwhile
        # read and sent, which no one times apart (`pooled`)
        self.load = load
        self.loading_seconds = 0.0
        self.pooled = False
        self.explain = explain
        self.errors = errors
        self.summary = summary
        self.raised = 0  # rows flagged as their scoring raised
        self._raised_rows: list[int] = []  # the first of them, counted from 1
        self._first = ""  # the first one's traceback
        # what this process scores with when the input is one chunk
        self._here = (model, policy)
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        if n_jobs == 1:
            self.model: Any = model
            self.policy: Any = policy
            return
        from triage import _default

        default: _DefaultAt | None = None
        if model is None:
            # a default set in this process (set_default_model) must reach the
            # workers: read with whether it was set, under the lock that sets
            # both, so a set_default_model(None) between the two reads cannot
            # leave no model at all
            model = _default.model_set()
        if model is None:
            # the one the lookup order gives, the workers load themselves,
            # once each, rather than unpickle a copy sent on every call: from
            # the file this process has or would have loaded, whatever
            # TRIAGE_MODEL says in a worker started before it changed. Its
            # card is checked here, so a missing or foreign model fails before
            # any worker starts, and a version warning reaches the caller once
            default = _DefaultAt(*map(str, _default.default_model_file()))
        if model is None and policy is None:
            self.model, self.policy = default, None
            return  # nothing to send: no directory needed (there may be none usable)
        self._tmp = tempfile.TemporaryDirectory(prefix="triage-batch-")
        self.model = default if model is None else _Shared(model, self._tmp.name)
        self.policy = None if policy is None else _Shared(policy, self._tmp.name)

    def map(
        self,
        tasks: Iterable[tuple[P, list[Any], list[Context | str | None] | None]],
        start: int = 0,
    ) -> Iterator[tuple[P, dict[str, Any]]]:
        """Yield ``(payload, columns)`` for each ``(payload, texts, contexts)``, in order.

        No more workers start than there are chunks (each is a process that
        loads jieba's dictionary and a model), and one chunk is scored in this
        process. `start` is the rows before the first task (those a resumed
        run took up after), for the rows that messages name.
        """
        try:
            tasks = iter(tasks)
            ahead = deque(itertools.islice(tasks, self.n_jobs))
            jobs = len(ahead)
            tasks = _after(ahead, tasks)
            done = start  # rows sent to be scored
            if jobs <= 1:
                model, policy = self._here if self.n_jobs > 1 else (self.model, self.policy)
                if self.load and jobs:
                    loading = time.perf_counter()
                    _load(model, policy, self.explain, self.summary)
                    self.loading_seconds = time.perf_counter() - loading
                for payload, texts, contexts in tasks:
                    try:
                        cols = self.work(
                            texts, model, policy, contexts, self.explain, self.errors, self.summary
                        )
                    except Exception as exc:
                        _note_rows(exc, done, len(texts))
                        raise
                    self._tally(cols, done)
                    done += len(texts)
                    yield payload, cols
                self._warn()
                return
            from concurrent.futures.process import BrokenProcessPool

            self.pooled = True
            flight = _InFlight(jobs, self.work)
            rows: deque[tuple[int, int]] = deque()  # (first, count) of each chunk in flight

            def pop() -> tuple[P, dict[str, Any]]:
                try:
                    got = flight.pop()
                except Exception as exc:
                    if not isinstance(exc, BrokenProcessPool):  # workers dead, not a chunk
                        _note_rows(exc, *rows[0])
                    raise
                self._tally(got[1], rows.popleft()[0])
                return got

            try:
                for payload, texts, contexts in tasks:
                    args = (
                        texts,
                        self.model,
                        self.policy,
                        contexts,
                        self.explain,
                        self.errors,
                        self.summary,
                    )
                    flight.submit(payload, args)
                    rows.append((done, len(texts)))
                    done += len(texts)
                    if len(flight) >= 2 * flight.n_jobs:
                        yield pop()
                while len(flight):
                    yield pop()
                self._warn()
            finally:
                flight.cancel()
        finally:
            if self._tmp is not None:
                self._tmp.cleanup()
                self._tmp = None

    def _tally(self, cols: dict[str, Any], first: int) -> None:
        """Count the rows of a chunk that `_score_rows` flagged, its first row `first`."""
        raised = cols.pop(_RAISED, None)
        if raised is None:
            return
        rows, shown = raised
        self.raised += len(rows)
        self._first = self._first or shown
        self._raised_rows.extend(first + r + 1 for r in rows[: 10 - len(self._raised_rows)])

    def _warn(self) -> None:
        """Name the rows flagged, and the first exception, once the batch is scored."""
        if not self.raised:
            return
        places = ", ".join(f"{r:,}" for r in self._raised_rows)
        warnings.warn(
            f"scoring raised an exception on {counted(self.raised, 'row')}, left unscored, "
            f"its error saying so: {plural(self.raised, 'row')} {places}"
            f"{', ...' if self.raised > len(self._raised_rows) else ''} (counted from 1, "
            "a file's header and malformed lines not counted); errors='raise' (CLI: "
            f"--errors raise) stops at the first. The first raised:\n{self._first}",
            TriageWarning,
            stacklevel=user_stacklevel(),
        )


# -- frames ----------------------------------------------------------------------


# a pandas frame gives a pandas frame; a Dask frame (untyped) a Dask frame
@overload
def score_frame(
    frame: pd.DataFrame,
    *,
    text_column: str = ...,
    n_jobs: int | None = ...,
    chunk_size: int = ...,
    model: TriageModel | LexiconModel | None = ...,
    policy: Policy | None = ...,
    context_columns: Mapping[str, str] | None = ...,
    keep_input: bool = ...,
    explain: int = ...,
    errors: str = ...,
    summary: bool = ...,
) -> pd.DataFrame: ...


@overload
def score_frame(
    frame: Any,
    *,
    text_column: str = ...,
    n_jobs: int | None = ...,
    chunk_size: int = ...,
    model: TriageModel | LexiconModel | None = ...,
    policy: Policy | None = ...,
    context_columns: Mapping[str, str] | None = ...,
    keep_input: bool = ...,
    explain: int = ...,
    errors: str = ...,
    summary: bool = ...,
) -> Any: ...


def score_frame(
    frame: Any,
    *,
    text_column: str = "text",
    n_jobs: int | None = 1,
    chunk_size: int = 5000,
    model: TriageModel | LexiconModel | None = None,
    policy: Policy | None = None,
    context_columns: Mapping[str, str] | None = None,
    keep_input: bool = False,
    explain: int = 0,
    errors: str = "flag",
    summary: bool = False,
) -> Any:
    """Score every row of a DataFrame; the result keeps its index and order.

    Parameters
    ----------
    frame : pandas.DataFrame or dask.dataframe.DataFrame
        Complaints, one per row. Any index, duplicates included.
    text_column : str, default "text"
        The name (not the position) of the column holding the complaint text.
    n_jobs : int or None, default 1
        Worker processes (joblib's loky), by joblib's convention, as for
        `TriageModel`: None is 1, -1 uses every core, -2 all but one, and
        so on; 0 is refused. No more start than there are chunks. Results
        are identical to a serial run.
        Ignored for a Dask frame, which runs on the Dask scheduler (a bad
        value is refused all the same), and, with
        a warning, in a daemonic process (a ``multiprocessing.Pool`` worker),
        which cannot start processes.
    chunk_size : int, default 5000
        Rows scored together (one segmentation pass and one matrix product
        each); parallel runs may use smaller chunks to balance the workers.
    model : TriageModel or LexiconModel, optional
        A loaded or freshly trained model, or the lexicon baseline; the
        default model (see `triage.set_default_model`) when omitted:
        with `n_jobs`, the workers score with the one this process has
        loaded, or would load now, whatever ``TRIAGE_MODEL`` said when they
        started.
    policy : Policy, optional
        Priority policy; the default when omitted.
    context_columns : mapping of str to str, optional
        Columns holding the priority context of each row, by `triage.Context`
        field: ``{"recent_complaints": "n_before", "channel": "channel",
        "customer_tier": "tier"}`` (any subset). Missing values mean no
        context. Channels and tiers match whatever their case, their width, their
        script (traditional or simplified) and the spaces around them, and a
        code read as a float (``12315.0``) is the whole number's (``"12315"``).
        A count that is no whole number >= 0, or a channel or tier of bytes
        (decode the column first), leaves its row unscored, ``error`` saying
        why by the field and its column.
        A channel or tier that matches no key of the policy sets no floor,
        nor does a column empty in every row: one `triage.TriageWarning` a
        call names them, each value with its rows (not for a Dask frame).
    keep_input : bool, default False
        Return `frame`'s columns, unchanged, followed by the score columns,
        row by row (as `score_file` writes them): a score column whose name
        `frame` already has, in any letter case (a labeled frame's
        ``priority``, say, or a CRM's ``Priority``), is named
        ``triage_<name>`` (``triage_triage_<name>`` when that is taken too).
        Beside columns of several levels, a score column is
        ``(name, "", ...)``, as pandas names a column added to them.
    explain : int, default 0
        Add a column ``why`` after ``reasons``: a JSON object from each
        category that applies (primary first) and each emotion present to
        its `explain` terms that raise its score most, as `triage.explain`
        ranks them (``""`` for a row with an error). Scoring takes about
        twice as long with it.
    errors : {"flag", "raise"}, default "flag"
        What an exception raised scoring a row does (a bug of a rule, of the
        model or of the segmenter that one text brings out; not a
        `MemoryError`). ``"flag"``: the row is left unscored, ``error``
        saying ``scoring raised <class>: <message>``, every other row is
        scored, and a `triage.TriageWarning` names the rows and shows the
        first exception's traceback; but when a plain complaint
        (快递一周还没到) raises too, the model or the policy fails on any
        text, and its exception is raised. ``"raise"``: the first exception
        stops the call.
    summary : bool, default False
        Add a column ``summary`` before the others: each row's triage in one
        line of Chinese, the string `triage.Assessment.summary` gives of
        ``triage.analyze`` of its text and context (the level, the deadline,
        the team, the primary category and the reasons that set the level,
        with the words that made each fire), for an agent who reads the
        scores in a spreadsheet; ``""`` for a row with an error.

    Returns
    -------
    DataFrame
        The columns `OUTPUT_COLUMNS` (see the module docstring) with
        `frame`'s index, preceded by `frame`'s columns with `keep_input`. For
        a Dask frame, a Dask frame scored partition by partition.

        ``frame.join(scored)`` aligns on the index: it fails when `frame` has
        a column named like a score column, and pairs every copy of a
        repeated index value with every copy (more rows than `frame` has).
        `keep_input` has neither problem.

    Raises
    ------
    triage.ColumnError
        `text_column` or a context column is not in the frame, or is in it
        twice (a `KeyError` and a `ValueError`).
    triage.ParameterError
        A bad `n_jobs`, `chunk_size`, `explain` or `context_columns` key, a
        `keep_input` or `summary` that is not True or False, a `policy` that is no
        `triage.Policy` (a path: load it with `triage.load_policy`) or a
        `model` that is no model (a path: load it with `triage.load_model`),
        before any row is scored, also of a frame of no rows or a lazy Dask
        frame (a `ValueError` and a `TypeError`).
    triage.NotFittedError
        `model` is a `triage.TriageModel` not fitted yet, as early.
    concurrent.futures.process.BrokenProcessPool
        Worker processes died three times in this call (a dead worker is
        otherwise replaced and its chunks scored again).
    Exception
        Raised scoring a chunk, with ``errors="raise"``, or when the model
        or the policy fails on any text; a note (``exc.__notes__``) names
        the rows of the chunk.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"text": ["快递一周还没到", None, "房间很脏"]}, index=[7, 7, 3])
    >>> out = score_frame(df)
    >>> out.index.tolist(), out["primary"].tolist(), out["error"].tolist()
    ([7, 7, 3], ['logistics', '', 'environment'], ['', 'missing text', ''])
    """
    import pandas as pd

    from triage.priority import check_policy, default_policy

    # here, not in the first chunk of a batch, scored or sent to workers
    check_policy(policy)
    if model is not None:
        resolve_model(model)
    _check_context_columns(context_columns)
    chunk_size = _chunk_size(chunk_size)
    explain = _explain(explain)
    _errors(errors)
    # a Dask frame ignores it, but a typo ("2", 0) is refused all the same
    jobs = _jobs(n_jobs)
    if not isinstance(keep_input, bool | np.bool_):  # "no" is true: the input would be kept
        raise ParameterError(f"keep_input must be True or False, got {keep_input!r}")
    summary = _summary(summary)
    # a Dask Series has columns too (its name): refused here, as a pandas one
    # is, not in every partition once the graph runs
    if not isinstance(getattr(frame, "_meta", frame) if _is_dask(frame) else frame, pd.DataFrame):
        raise ParameterError(_not_a_frame(frame, text_column))
    if _is_dask(frame):
        return _score_dask(
            frame,
            text_column=text_column,
            chunk_size=chunk_size,
            model=model,
            policy=policy,
            context_columns=context_columns,
            keep_input=keep_input,
            explain=explain,
            errors=errors,
            summary=summary,
        )
    _check_columns(frame.columns, text_column, context_columns, "the frame")
    scored = _score_pandas(
        frame,
        text_column=text_column,
        n_jobs=_processes_allowed(jobs),
        chunk_size=chunk_size,
        model=model,
        policy=policy,
        context_columns=context_columns,
        keep_input=keep_input,
        explain=explain,
        errors=errors,
        summary=summary,
        tally=_ContextTally(
            policy if policy is not None or not context_columns else default_policy(),
            context_columns,
        ),
    )
    return scored


def _score_pandas(
    frame: pd.DataFrame,
    *,
    text_column: str,
    n_jobs: int,
    chunk_size: int,
    model: TriageModel | LexiconModel | None,
    policy: Policy | None,
    context_columns: Mapping[str, str] | None,
    keep_input: bool,
    explain: int,
    errors: str,
    summary: bool = False,
    tally: _ContextTally | None = None,
) -> pd.DataFrame:
    """`score_frame` of a pandas `frame`, its options checked; with `tally`,
    one `triage.TriageWarning` of what its context columns gave no floor."""
    n = len(frame)
    if n_jobs > 1:
        # several chunks per worker keep both busy to the end
        chunk_size = min(chunk_size, max(256, -(-n // (4 * n_jobs))))
    contexts = _contexts(frame, context_columns)
    if tally is not None:
        tally.add(frame, contexts)
        said = tally.said()
        if said:  # once, of every row: the contexts are all read here
            warnings.warn(said, TriageWarning, stacklevel=user_stacklevel())
    # each chunk's texts as Python strings when it is sent, not the frame's all at once
    texts = frame[text_column]
    tasks = (
        (None, texts.iloc[i : i + chunk_size].tolist(), _slice(contexts, i, chunk_size))
        for i in range(0, n, chunk_size)
    )
    scored = _Assembled(n)
    for _, cols in _Workers(n_jobs, model, policy, explain, errors, summary).map(tasks):
        scored.add(cols)
    # a new Index object on the same values: naming the output's index in place
    # (``scored.index.name = ...``) must not rename the input's
    index = frame.index.copy()
    scores = scored.frame(index) if n else _empty_frame(index, explain, summary)
    if keep_input:
        return _with_scores(frame.set_axis(index), scores)
    return scores


def _not_a_frame(frame: Any, text_column: Any) -> str:
    """What `score_frame` says of a `frame` that is no pandas or Dask DataFrame.

    Another library's frame is named with its package: a polars DataFrame was
    "got DataFrame", as if pandas' were refused. A Series is told to become a
    frame of its own rows: ``pd.DataFrame({'text': texts})`` of a Dask Series
    computes all of it into this process; a row of a frame (``frame.iloc[i]``), whose
    cells that would make texts, to become a frame of that row.
    """
    import pandas as pd

    kind = type(frame)
    package = kind.__module__.split(".")[0]
    name = kind.__name__
    if package not in ("builtins", "pandas", "dask", "dask_expr"):
        name = f"{package} {name}"
    if callable(getattr(frame, "to_pandas", None)):  # polars, pyarrow, cuDF
        fix = "convert it with .to_pandas()"
    elif isinstance(frame, pd.Series) and _holds(frame.index, text_column):
        # frame.iloc[i]: to_frame() of it would score each of its cells as a text
        fix = (
            f"this one is a row of a frame (frame.iloc[i], its index the columns, "
            f"{text_column!r} among them): pass frame.iloc[[i]], a frame of that row"
        )
    elif name == "Series" and callable(getattr(frame, "to_frame", None)):
        fix = f"pass series.to_frame({text_column!r}), which keeps its index"
    else:
        fix = "for a list of texts use pd.DataFrame({'text': texts})"
    return f"score_frame expects a pandas or Dask DataFrame, got {name}; {fix}"


def _holds(index: Any, label: Any) -> bool:
    """Whether pandas `index` holds `label` (False for one it cannot hold)."""
    try:
        return bool(label in index)
    except (TypeError, ValueError):
        return False


def _slice(items: list[P] | None, start: int, size: int) -> list[P] | None:
    return None if items is None else items[start : start + size]


def _concat(parts: list[Any]) -> Any:
    if isinstance(parts[0], tuple):
        return (np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]))
    return np.concatenate(parts)


def _integer(value: Any) -> int | None:
    """`value` as an int when it is an integer (numpy's too), not a bool; else None."""
    if isinstance(value, bool | np.bool_):
        return None
    try:
        return operator.index(value)
    except TypeError:
        return None


def _summary(summary: Any) -> bool:
    """`summary` checked: True or False, not a string that is true ("no")."""
    if not isinstance(summary, bool | np.bool_):
        raise ParameterError(f"summary must be True or False, got {summary!r}")
    return bool(summary)


def _explain(explain: Any) -> int:
    """`explain` checked: terms per label, 0 for no ``why`` column."""
    from triage.model import check_top

    return check_top(explain, "explain (terms per label; CLI: --terms)")


def _check_text_encoding(encoding: Any, *, options: Options = SCORE) -> None:
    """Refuse an `encoding` that names no codec of text (``rot13`` and
    ``base64`` are codecs of str or bytes alone, which the reader would fail
    on mid-file, with the codec's own error); the error names the encoding
    option of `options`."""
    import codecs

    try:
        text = isinstance(encoding, str) and codecs.lookup(encoding)._is_text_encoding
    except LookupError:
        text = False
    if not text:
        raise ParameterError(
            f"encoding={encoding!r} is not a text encoding (CLI: {options.encoding}); give one "
            "such as utf-8, gb18030 or utf-16, or leave it out to have it detected"
        )


def _errors(errors: Any) -> None:
    if not isinstance(errors, str) or errors not in _ERRORS:
        raise ParameterError(
            f"errors must be one of {', '.join(map(repr, _ERRORS))}, got {_shown(errors)}"
        )


def _chunk_size(chunk_size: Any) -> int:
    size = _integer(chunk_size)
    name = "chunk_size (CLI: --chunk-size)"
    if size is None:
        raise ParameterError(f"{name} must be an integer, got {chunk_size!r}")
    if size < 1:
        raise ParameterError(f"{name} must be at least 1, got {chunk_size!r}")
    return size


#: What `n_jobs` may be, as joblib, `TriageModel` and `train_vectors` take it.
_JOBS = "None (1), a positive integer or a negative one (-1: all cores, -2: all but one)"


def _jobs(n_jobs: Any, name: str = "n_jobs (CLI: --jobs)") -> int:
    """`n_jobs` as a number of processes, by joblib's convention."""
    if n_jobs is None:
        return 1
    jobs = _integer(n_jobs)
    if jobs is None or jobs == 0:
        raise ParameterError(f"{name} must be {_JOBS}, got {n_jobs!r}")
    if jobs < 0:
        from joblib import cpu_count

        # the cores this process may use, cgroup quotas included
        return max(int(cpu_count()) + 1 + jobs, 1)
    return jobs


def _processes_allowed(n_jobs: int) -> int:
    """`n_jobs`, or 1 in a daemonic process, which Python lets start no process.

    A ``multiprocessing.Pool`` worker is one: a batch scored with ``n_jobs``
    in it failed with a bare ``AssertionError`` (``daemonic processes are not
    allowed to have children``). It is scored in the process, with a warning,
    as joblib does.
    """
    import multiprocessing

    if n_jobs > 1 and multiprocessing.current_process().daemon:
        warnings.warn(
            f"n_jobs={n_jobs} ignored: a daemonic process (a multiprocessing.Pool "
            "worker, say) cannot start worker processes; scoring in this one",
            TriageWarning,
            stacklevel=user_stacklevel(),
        )
        return 1
    return n_jobs


def _check_context_columns(context_columns: Mapping[str, str] | None) -> None:
    if context_columns is None:
        return
    if not isinstance(context_columns, Mapping):
        # the fields' names alone (columns named like them), or (field, column) pairs
        given: Any = context_columns
        items = [given] if isinstance(given, str) else given
        try:
            meant = dict((i, i) if isinstance(i, str) else i for i in items)
        except (TypeError, ValueError):
            meant = {"channel": "<column of channels>"}
        raise ParameterError(
            f"context_columns must map Context fields to columns, got {type(given).__name__} "
            f"{given!r}: pass {meant!r} (fields: {list(CONTEXT_FIELDS)})"
        )
    bad = [k for k in context_columns if k not in CONTEXT_FIELDS]
    if bad:
        raise ParameterError(
            f"context_columns: {bad} are not Context fields; use any of {list(CONTEXT_FIELDS)}"
        )


def _check_columns(
    columns: Iterable[Any],
    text_column: str,
    context_columns: Mapping[str, str] | None,
    where: str,
    option: str = "text_column= (CLI: --text-column)",
    *,
    header: bool = False,
) -> None:
    have = list(columns)
    if text_column not in have:
        # a header of one name holding semicolons, tabs or commas: the file
        # is split at them when the text column is among the names they give
        split = next((d for d in (";", "\t", ",") if len(have) == 1 and d in str(have[0])), None)
        names = (
            names_shown(have)
            if split is None
            else (
                f"{names_shown(have)}, or {names_shown(str(have[0]).split(split))} "
                f"if it is separated by {split!r}"
            )
        )
        # a file of texts alone, one a line (yes 快递太慢了 | triage score -):
        # naming its first text as the column would drop that text
        name = str(have[0]) if len(have) == 1 else ""
        alone = (
            f", or, if that first line is a text rather than a header, put a line "
            f"{text_column!r} before it: a file of texts alone needs one"
            if header and name and split is None and not (name.isascii() and name.isidentifier())
            else ""
        )
        raise ColumnError(
            f"no column {_shown(text_column)} in {where}; columns are {names}"
            f"{_near(text_column, have)}; {_name_wanted(text_column, have, option)}{alone}"
        )
    for name, col in (context_columns or {}).items():
        if col not in have:
            raise ColumnError(
                f"context column {name}={col!r} is not in {where}; columns are "
                f"{names_shown(have)}{_near(col, have)}"
            )
    # what each column holds, the texts first: a column of both holds the texts
    holds = {text_column: "the texts"}
    for name, col in (context_columns or {}).items():
        holds.setdefault(col, f"the {name} of each row")
    for col, what in holds.items():
        if have.count(col) > 1:
            raise ColumnError(
                f"column {col!r} appears {have.count(col)} times in {where}; "
                f"rename the copies so that one column holds {what}"
            )


def _near(name: Any, have: list[Any]) -> str:
    """``; the column 'tier' differs from it only in case, width or spaces``,
    for a column of `have` that the `name` asked for would be, those aside
    (``Tier``, ``渠道 `` with a space from a spreadsheet's header); else ""."""
    import unicodedata

    def folded(text: str) -> str:
        return unicodedata.normalize("NFKC", text).strip().casefold()

    if not isinstance(name, str):
        return ""
    near = [c for c in have if isinstance(c, str) and folded(c) == folded(name)]
    if not near:
        return ""
    return f"; the column {_shown(near[0])} differs from it only in case, width or spaces"


def _name_wanted(text_column: Any, have: list[Any], option: str) -> str:
    """What to do of a `text_column` that is none of the columns `have`: of
    another type than every column's name (None, a list, an int where the
    names are str), what it takes, and the name at an int's position."""
    if isinstance(text_column, str) or any(type(c) is type(text_column) for c in have):
        return f"name the text column with {option}"
    if (
        isinstance(text_column, int | np.integer)
        and not isinstance(text_column, bool | np.bool_)
        and -len(have) <= text_column < len(have)
    ):
        return (
            f"text_column= takes the name of a column, not its position: for the column "
            f"at {text_column}, pass text_column={_shown(have[text_column])}"
        )
    kind = " (a str)" if have and all(isinstance(c, str) for c in have) else ""
    return f"text_column= takes the name of a column{kind}, got {type(text_column).__name__}"


def _check_unique(columns: Iterable[Any], where: str, fmt: str) -> None:
    """A JSONL record or a Parquet file holds each column name once: a name that
    `columns` repeat (a CSV header may) is an error before anything is scored."""
    have = list(columns)
    twice = [c for c in dict.fromkeys(have) if have.count(c) > 1]
    if twice:
        names = "; ".join(f"column {c!r} appears {have.count(c)} times" for c in twice)
        raise ColumnError(
            f"{names} in {where}; a {'JSONL' if fmt == 'jsonl' else 'Parquet'} output "
            "holds each column name once: rename the copies, or write CSV or TSV"
        )


def _contexts(
    frame: pd.DataFrame, context_columns: Mapping[str, str] | None
) -> list[Context | str | None] | None:
    """Each row's `Context`, None when it has none, or why its context is unusable."""
    if not context_columns:
        return None
    n = len(frame)
    values = {k: frame[c].tolist() for k, c in context_columns.items()}
    # a CRM's column 次数 or 渠道 is named beside the field it gives
    named = {k: k if c == k else f"{k} (column {c!r})" for k, c in context_columns.items()}
    recent = values.get("recent_complaints", [None] * n)
    channel = values.get("channel", [None] * n)
    tier = values.get("customer_tier", [None] * n)
    out: list[Context | str | None] = []
    # a column of contexts repeats a few cells: each row of them is read once
    # (each read took some 20 us, a fifth of a row's time in a 2-job batch),
    # where every cell equal to one is written as it is
    read: dict[tuple[Any, ...], Context | str | None] = {}
    for cells in zip(recent, channel, tier, strict=True):
        key = tuple(map(_cell_key, cells))
        if None in key:
            out.append(_context(*cells, named))
        else:
            if key not in read:
                read[key] = _context(*cells, named)
            out.append(read[key])
    return out


def _cell_key(value: Any) -> tuple[Any, Any] | None:
    """`value` as a key every cell read alike shares, a missing one (None,
    NaN, ``pd.NA``) the same, or None when an equal cell of its type may be
    written otherwise (0.0 and -0.0, Decimal("1.5") and Decimal("1.50"))."""
    kind = type(value)
    if kind is str or kind is int:
        return (kind, value)
    if value is None or kind.__name__ == "NAType" or (kind is float and value != value):
        return (None, None)
    if kind is float and value:
        return (kind, value)
    return None


def _context(r: Any, ch: Any, t: Any, named: Mapping[str, str]) -> Context | str | None:
    """The `Context` of a row's cells of recent complaints, channel and tier,
    None when it has none, or why it is unusable, its fields `named`."""
    from triage.priority import Context

    r_ok, ch_ok, t_ok = _present(r), _given(ch), _given(t)
    if not (r_ok or ch_ok or t_ok):
        return None
    count = _count(r) if r_ok else 0
    if count is None:
        return f"{named['recent_complaints']} is not a count: {str(r)[:40]!r}"
    # str(b"12315") is "b'12315'", which no policy key matches: the row
    # would miss the 12315 floor without a word; a binary column's cells
    # are refused, as its texts are, rather than decoded by a guess
    binary = [(f, v) for f, v in (("channel", ch), ("customer_tier", t)) if _is_bytes(v)]
    if binary:
        f, v = binary[0]
        return f"{named[f]} is not a string: {type(v).__name__}; decode the column first"
    return Context(
        recent_complaints=count,
        channel=_key(ch) if ch_ok else None,
        customer_tier=_key(t) if t_ok else None,
    )


#: How many distinct unmatched channels (tiers) `ScoreSummary` keeps the rows of.
_UNMATCHED_KEPT = 100


class _ContextTally:
    """What the context columns of a batch gave no floor, for its summary or
    its one warning: the channels and tiers that matched no key of `policy`,
    by value (the first `_UNMATCHED_KEPT` of each), and the fields whose
    column held no value in any row (a column named by mistake, or a CRM
    export that left it blank). Each chunk's channels and tiers are counted
    first, so that a value is looked up once a chunk, not once a row."""

    def __init__(self, policy: Policy | None, context_columns: Mapping[str, Any] | None) -> None:
        self.policy = policy
        self.columns = dict(context_columns or {})
        self.values: tuple[dict[str, int], dict[str, int]] = ({}, {})
        self.rows = [0, 0]
        self.seen = 0  # rows counted
        self._filled: set[str] = set()  # fields with a value in some row

    def add(self, chunk: pd.DataFrame, contexts: list[Context | str | None] | None) -> None:
        if contexts is None or self.policy is None:
            return
        from triage.priority import Context, _unmatched

        self.seen += len(contexts)
        for name, col in self.columns.items():
            if name not in self._filled and _filled(chunk[col], name != "recent_complaints"):
                self._filled.add(name)
        # the rows of equal cells share their Context: counted by object, in C
        counts = collections.Counter(map(id, contexts))
        by_id = dict(zip(map(id, contexts), contexts, strict=True))
        values: tuple[collections.Counter[str], collections.Counter[str]] = (
            collections.Counter(),
            collections.Counter(),
        )
        for i, n in counts.items():
            c = by_id[i]
            if isinstance(c, Context):
                for j, value in enumerate((c.channel, c.customer_tier)):
                    if value is not None:
                        values[j][value] += n
        for j, found in enumerate(values):
            for value, n in found.items():
                probe = Context(channel=value) if j == 0 else Context(customer_tier=value)
                if _unmatched(probe, self.policy)[j] is None:
                    continue
                self.rows[j] += n
                seen = self.values[j]
                if value in seen or len(seen) < _UNMATCHED_KEPT:
                    seen[value] = seen.get(value, 0) + n

    @property
    def empty(self) -> dict[str, Any]:
        """The fields whose column held no value in any row, to their columns."""
        if not self.seen:
            return {}
        return {k: c for k, c in self.columns.items() if k not in self._filled}

    def said(self) -> str:
        """What the batch ignored, in lines, the columns named (``""`` for nothing)."""
        fields = ("channel", "customer_tier")
        lines = [
            _unmatched_line(self._named(f), self.values[j], self.rows[j], self.seen)
            for j, f in enumerate(fields)
            if self.rows[j]
        ]
        lines += [_empty_line(self._named(f)) for f in self.empty]
        return "\n".join(lines)

    def _named(self, name: str) -> str:
        return _field(name, self.columns[name])


def _field(name: str, column: Any) -> str:
    """A context field as a summary names it, with its column when another."""
    return name if column == name else f"{name} (column {_shown(column)})"


def _filled(column: pd.Series, named: bool = False) -> bool:
    """Whether a cell of `column` holds a value, neither missing nor blank,
    nor, for a column of `named` values (channels, tiers), a stand-in for
    none (`_given`): its cells that pandas finds missing are passed over at
    once, and the others read a thousand at a time, as a filled column's
    first one is most often a value."""
    given = column[column.notna().to_numpy(dtype=bool)]
    has = _given if named else _present
    return any(any(map(has, given.iloc[i : i + 1000].tolist())) for i in range(0, len(given), 1000))


def _unmatched_line(name: str, values: Mapping[str, int], rows: int, of: int = 0) -> str:
    """The rows whose `name` (channel, customer_tier) matched no key of the
    policy, and the commonest five of their `values`; `of` the batch's rows."""
    common = sorted(values.items(), key=lambda kv: -kv[1])
    shown = ", ".join(f"{_shown(v)} ({k:,})" for v, k in common[:5])
    more = ", ..." if rows > sum(k for _, k in common[:5]) else ""
    among = f"{rows:,} of {counted(of, 'row')}" if of else counted(rows, "row")
    return f"{name} matched no key of the policy, so set no floor, on {among}: {shown}{more}"


def _empty_line(name: str) -> str:
    return f"{name} was empty in every row, so set no floor on any"


def _is_bytes(value: Any) -> bool:
    return isinstance(value, bytes | bytearray)


def _key(value: Any) -> str:
    """A channel or tier cell as text. The policy matches it as
    `triage.priority` matches any value: whatever its case, width and spaces,
    and a code written as a float is its whole number, so a column of codes
    pandas read as floats (12315.0) or a database's DECIMAL is the code."""
    return str(value)


def _count(value: Any) -> int | None:
    """`value` as a number of complaints (3, 3.0, "3", " 3.0 "), else None."""
    from triage.labeled import _nonnegative

    number = _nonnegative(value)
    return int(number) if number is not None and number.is_integer() else None


def _present(value: Any) -> bool:
    return not (is_missing(value) or (isinstance(value, str) and not value.strip()))


def _given(value: Any) -> bool:
    """Whether a channel or tier cell holds a value: neither missing nor blank, nor
    what an export writes for none (``"nan"``, ``"None"``, ``"NULL"``,
    ``"N/A"``, ``"-"``: the strings `pandas.read_csv` reads as missing, which
    a reader keeping every string, as `score_file`'s does, leaves as they are)."""
    from triage.priority import _no_value

    return _present(value) and not (isinstance(value, str) and _no_value(value))


# -- Dask ------------------------------------------------------------------------


def _is_dask(frame: Any) -> bool:
    return type(frame).__module__.split(".")[0] in ("dask", "dask_expr")


def _score_partition(
    part: pd.DataFrame,
    text_column: str,
    chunk_size: int,
    model: Any,
    policy: Any,
    context_columns: Mapping[str, str] | None,
    keep_input: bool,
    explain: int = 0,
    errors: str = "flag",
    summary: bool = False,
) -> pd.DataFrame:
    # without the warning of context values that set no floor: one a
    # partition, in the workers' logs, would say nothing of the whole
    return _score_pandas(
        part,
        text_column=text_column,
        n_jobs=1,
        chunk_size=chunk_size,
        model=model,
        policy=policy,
        context_columns=context_columns,
        keep_input=keep_input,
        explain=explain,
        errors=errors,
        summary=summary,
    )


def _score_dask(
    frame: Any,
    *,
    text_column: str,
    chunk_size: int,
    model: TriageModel | LexiconModel | None,
    policy: Policy | None,
    context_columns: Mapping[str, str] | None,
    keep_input: bool,
    explain: int,
    errors: str,
    summary: bool = False,
) -> Any:
    """Score a Dask frame lazily, one `score_frame` per partition.

    A model passed in, or made this process's default with
    `triage.set_default_model`, travels with the task graph as one task of its
    own, which every partition's task depends on: a worker receives it once and
    its partitions share it, rather than each partition's task carrying and
    unpickling a copy of it. Otherwise each Dask worker process uses its own
    default model (``TRIAGE_MODEL`` or the shipped one), loaded once per
    process.
    """
    from dask.delayed import delayed

    from triage._default import model_set

    _check_columns(frame.columns, text_column, context_columns, "the Dask frame")
    if model is None:
        # a default set here is this process's alone: a worker process, of a
        # cluster or of Dask's "processes" scheduler, would load its own
        model = model_set()
    # the frame's own empty index, of its type (a RangeIndex stays one), so
    # that Dask's stand-in rows line up and `frame.join(scored)` keeps dtypes
    meta = _empty_frame(frame._meta.index, explain, summary)
    if keep_input:
        meta = _with_scores(frame._meta, meta)
    return frame.map_partitions(
        _score_partition,
        text_column,
        chunk_size,
        None if model is None else delayed(model, pure=True),
        policy,
        dict(context_columns) if context_columns else None,
        keep_input,
        explain,
        errors,
        summary,
        meta=meta,
        align_dataframes=False,
    )


# -- files -----------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreSummary:
    """What `score_file` did.

    Attributes
    ----------
    rows : int
        Rows written (malformed lines excluded).
    errors : int
        Rows written with a non-empty ``error`` (no usable text, or `raised`).
    seconds : float
        Wall time of the whole run, reading and writing included.
    waiting_seconds : float
        Of `seconds`, the time a live stream (``triage score - -o - --stream``)
        waited for its rows to arrive, which `rows_per_second` leaves out; 0
        for a file, read as fast as it is scored.
    loading_seconds : float
        Of `seconds`, the time the run took to load the model (its
        dictionary and the policy too) before it scored a row, which
        `rows_per_second` leaves out too: a stream's before its first row
        was read, a file's once its first chunk was read. 0 for a file
        scored by worker processes (`n_jobs`, more than one chunk), each of
        which loads its own as it takes its first chunk, meanwhile the rows
        are read: their loads are in the rate.
    output : Path
        The file written.
    malformed_lines : list of int
        1-based line numbers of the input lines skipped as malformed (for a
        folder, each in its own file: see `malformed_files`).
    malformed_files : dict of Path to list of int
        For a folder of CSV, TSV or JSONL files, the malformed lines of each
        file that has any; empty otherwise.
    undecodable_lines : list of int
        1-based line numbers of the input lines holding bytes that are not
        of the file's encoding (a GBK file with a corrupt byte, say), read as
        U+FFFD: their rows are scored and written in their places, with the
        U+FFFD in their text (for a folder, see `undecodable_files`). For a
        Parquet input, the 1-based rows of a binary text column that are not
        UTF-8.
    undecodable_files : dict of Path to list of int
        For a folder of CSV, TSV or JSONL files, the undecodable lines of
        each file that has any; empty otherwise.
    unmatched_channels, unmatched_tiers : dict of str to int
        With `context_columns`, each channel (tier) that matched no key of
        the policy's ``[context]``, so set no floor, and the number of rows
        that gave it: ``{"金卡": 120}`` where the policy says ``vip``. The
        first 100 such values of the run; the rows of all of them are
        `unmatched_channel_rows` (`unmatched_tier_rows`).
    unmatched_channel_rows, unmatched_tier_rows : int
        Rows whose channel (tier) matched no key of the policy.
    empty_context_columns : dict of str to str
        With `context_columns`, each field whose column was empty (missing
        or blank) in every row, so set no floor on any, to its column: a
        column named by mistake, or one an export left blank.
    context_columns : dict of str to str
        The `context_columns` of the run, each field to its column, by which
        the summary names the fields it speaks of.
    raised : int
        Rows among `errors` whose scoring raised an exception (a bug a text
        brings out), ``error`` saying ``scoring raised ...``; a
        `triage.TriageWarning` names them and shows the first traceback.
    scored_by : dict
        What scored the rows, `scored_by` of the run's model and policy: the
        record of a CSV, TSV or JSON Lines output, whose file holds none.
        The summary's first line names them, before the output.
    """

    rows: int
    errors: int
    seconds: float
    output: Path
    malformed_lines: list[int] = field(default_factory=list)
    malformed_files: dict[Path, list[int]] = field(default_factory=dict)
    undecodable_lines: list[int] = field(default_factory=list)
    undecodable_files: dict[Path, list[int]] = field(default_factory=dict)
    unmatched_channels: dict[str, int] = field(default_factory=dict)
    unmatched_tiers: dict[str, int] = field(default_factory=dict)
    unmatched_channel_rows: int = 0
    unmatched_tier_rows: int = 0
    raised: int = 0
    scored_by: dict[str, str | int | None] = field(default_factory=dict)
    empty_context_columns: dict[str, str] = field(default_factory=dict)
    context_columns: dict[str, str] = field(default_factory=dict)
    waiting_seconds: float = 0.0
    loading_seconds: float = 0.0

    @property
    def rows_per_second(self) -> float:
        """Rows scored and written a second, the time waiting for rows to
        arrive, and the time loading the model, left out."""
        busy = self.seconds - self.waiting_seconds - self.loading_seconds
        return self.rows / busy if busy > 0 else 0.0

    def __str__(self) -> str:
        return self._said()

    def _said(self, model: str = "", policy: str = "") -> str:
        """The summary, naming where `model` and `policy` were loaded from
        when given (as the CLI was given them)."""
        # what scored the rows before the output, which ends the line as it did
        by = f", {_scored_by_text(self.scored_by, model, policy)}" if self.scored_by else ""
        # a stream's rows/s, of the time it was neither waiting nor loading, said so
        waited = _said_apart(self.waiting_seconds, self.loading_seconds, ".1f")
        rest = " in the rest" if waited else ""
        text = (
            f"{counted(self.rows, 'row')}, {counted(self.errors, 'error')}, "
            f"{self.seconds:.1f} s{waited}, {self.rows_per_second:,.0f} rows/s{rest}{by} "
            f"-> {self.output}"
        )
        if self.raised:
            text += f"\nscoring raised an exception on {counted(self.raised, 'row')}, left unscored"
        if self.malformed_lines:
            skipped = counted(len(self.malformed_lines), "malformed line")
            shown = _places(self.malformed_lines, self.malformed_files)
            text += f"\nskipped {skipped}: {shown}"
        if self.undecodable_lines:
            read = counted(len(self.undecodable_lines), "line")
            shown = _places(self.undecodable_lines, self.undecodable_files)
            text += f"\nread undecodable bytes as U+FFFD on {read}: {shown}"
        unmatched = (
            ("channel", self.unmatched_channels, self.unmatched_channel_rows),
            ("customer_tier", self.unmatched_tiers, self.unmatched_tier_rows),
        )
        for name, values, n in unmatched:
            if n:
                col = self.context_columns.get(name, name)
                text += "\n" + _unmatched_line(_field(name, col), values, n, self.rows)
        for name, col in self.empty_context_columns.items():
            text += "\n" + _empty_line(_field(name, col))
        return text


def _said_apart(waiting: float, loading: float, spec: str) -> str:
    """The seconds of a run spent `waiting` for rows (a stream's) and
    `loading` the model, each formatted by `spec`, as its summary and its
    progress line give them apart (``, 3580.0 s of it waiting for input, 2.1 s
    loading the model``); a time too short to say (under 0.05 s) left out."""
    said = [
        f"{seconds:{spec}} s {what}"
        for seconds, what in ((waiting, "waiting for input"), (loading, "loading the model"))
        if round(seconds, 1)
    ]
    if said:
        said[0] = said[0].replace(" s ", " s of it ", 1)
    return "".join(f", {part}" for part in said)


def _scored_by_text(by: Mapping[str, str | int | None], model: str = "", policy: str = "") -> str:
    """`scored_by` said in words, each hash cut to 12 digits, with where the
    `model` and `policy` were loaded from when given."""
    sha = by.get("model_sha256")
    line = f"model {str(sha)[:12] if sha else '(no file)'}"
    line += f" ({model})" if model else ""
    line += f", policy {str(by.get('policy_sha256'))[:12]}"
    line += f" ({policy})" if policy else ""
    return line + f", triage {by.get('triage_version')}"


def _places(lines: list[int], files: dict[Path, list[int]]) -> str:
    """The first ten of `lines`, as ``file:line`` (as compilers and grep say
    it) when they are of the `files` of a folder."""
    places = [str(n) for n in lines[:10]]
    if files:
        top = os.path.commonpath([f.parent for f in files])
        places = [f"{os.path.relpath(f, top)}:{n}" for f in files for n in files[f][:10]]
    return ", ".join(places[:10]) + (", ..." if len(lines) > 10 else "")


class ProgressLine:
    """A progress line on a stream: rows done, rows per second, elapsed time.

    Pass an instance as ``score_file(..., progress=ProgressLine())``; it
    redraws at most every `every` seconds (with ``\\r`` on a terminal, a new
    line otherwise) and `close` ends the line. By default that is every half
    second on a terminal, and every 30 seconds into a file or a pipe, so that
    the log of a scheduled run stays readable. ``redraw=False`` writes each
    line whole on a terminal too (every 30 seconds unless `every` says
    otherwise), for a terminal that other lines reach meanwhile: those of
    ``triage score - -o - --stream``, or of the commands after it, which
    were written after the line drawn and on it.

    `score_file` gives it the seconds it took to load the model before its
    first row was scored (`loading`), and a live stream (``triage score -
    -o - --stream``) those it has waited for rows to arrive (`waiting`)
    too: its rows per second are those of the rest of the time, as in the
    run's `ScoreSummary`, and the line says each apart (``scored 1,000 rows
    | 50 rows/s | 3,600.0 s, 3,580.0 s of it waiting for input, 2.1 s
    loading the model``).
    """

    def __init__(
        self,
        stream: TextIO | None = None,
        *,
        every: float | None = None,
        redraw: bool | None = None,
    ) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self._last = -math.inf
        self._shown = False
        isatty = getattr(self.stream, "isatty", None)
        tty = bool(isatty()) if isatty is not None else False
        self._tty = tty if redraw is None else bool(redraw) and tty
        self.every = every if every is not None else (0.5 if self._tty else 30.0)

    def __call__(
        self, rows: int, seconds: float, *, waiting: float = 0.0, loading: float = 0.0
    ) -> None:
        """Show `rows` done in `seconds`, `waiting` of them spent waiting for
        rows to arrive and `loading` loading the model, which the rows per
        second leave out."""
        now = time.monotonic()
        if now - self._last < self.every:
            return
        self._last = now
        busy = seconds - waiting - loading
        rate = rows / busy if busy > 0 else 0.0
        noun = plural(rows, "row")
        line = f"scored {rows:>12,} {noun:4} | {rate:>8,.0f} rows/s | {seconds:>7,.1f} s"
        line += _said_apart(waiting, loading, ",.1f")  # as the summary says them
        self.stream.write(("\r" + line) if self._tty else line + "\n")
        self.stream.flush()
        self._shown = True

    def close(self) -> None:
        """End the line on a terminal, once something was drawn on it."""
        if self._shown and self._tty:
            self.stream.write("\n")
            self.stream.flush()


def score_file(
    input: str | os.PathLike[str],
    output: str | os.PathLike[str],
    *,
    text_column: str = "text",
    id_column: str | None = None,
    n_jobs: int | None = 1,
    chunk_size: int = 10_000,
    model: TriageModel | LexiconModel | None = None,
    policy: Policy | None = None,
    encoding: str | None = None,
    input_format: str | None = None,
    output_format: str | None = None,
    progress: Callable[[int, float], None] | None = None,
    explain: int = 0,
    output_encoding: str = "utf-8",
    escape_formulas: bool = False,
    context_columns: Mapping[str, str] | None = None,
    errors: str = "flag",
    record: bool = False,
    resume: bool = False,
    summary: bool = False,
) -> ScoreSummary:
    """Score a CSV, TSV, JSONL or Parquet file into another, chunk by chunk.

    Text files may be compressed, in and out: ``complaints.csv.xz`` in,
    ``scored.csv.gz`` out.

    Memory stays flat whatever the file size: at most ``2 * n_jobs + 1``
    chunks are held at once. The input's columns are carried through (read as
    text from CSV and TSV, as JSON values from JSONL, as typed from Parquet,
    but for a binary text column, read as UTF-8), followed by
    `OUTPUT_COLUMNS`; an input column that has the name of an output column,
    in any letter case (``Priority``), is kept, and that output column is
    written as ``triage_<name>``. A name
    the input repeats (a CSV header may) is a `triage.ColumnError` before
    anything is scored when the output is JSONL or Parquet, which hold each
    name once. The input encoding is detected (UTF-8, UTF-8 with BOM, UTF-16
    with or without BOM, else GB18030, the superset of GBK) unless given;
    output text files are UTF-8 unless `output_encoding` says otherwise.
    Malformed CSV, TSV and JSONL lines are skipped and reported by line
    number; the rest is scored.
    A file with a header and no rows gives an output with no rows; a file
    with no header at all (0 bytes, only a byte-order mark or blank lines)
    raises `triage.InputFileError`.
    The output is written to a hidden ``.<name>.<random>.partial`` file
    beside it and renamed into place only when complete, so an interrupted
    run leaves no output. An exception (`KeyboardInterrupt` included) deletes
    the partial file; a process killed outright (``kill -9``, the OOM
    killer, a power cut) leaves it, as large as what was written, and the
    next run to the same output removes it. A run holds a lock
    (`fcntl.flock`) on its partial file while it lives, so the partial file
    of a run still going, in another process or, over NFS with locking, on
    another machine, is never removed (an NFS mount with ``nolock`` keeps
    each machine's locks to itself). On Windows, which has no such lock,
    none is removed: a `triage.TriageWarning` names them.
    A pipe or a device (``/dev/stdout``) is written into once the output is
    complete; interrupted then, its reader has had part of it, which the
    `KeyboardInterrupt` raised says.

    A Parquet output column has one type. From a JSONL input it is decided by
    all the column's values, read once before any row is scored
    (`triage._io.json_types`): bool, int64 or float64 when they all are
    such, else string, each value that is no string its JSON text (ids that
    are numbers in one file and strings in another: ``"1"``, ``"A-7"``), so
    no chunk or file can stop the run. From other inputs it is the type of
    the first rows written (text from CSV and TSV, the file's from Parquet;
    a column empty at first is a string column), later chunks cast to it.
    A JSONL key named like a partition folder above its file is found in
    the same reading, and is an InputFileError before any row is scored.
    A Parquet output's schema metadata says, as JSON under `SCORED_BY_KEY`,
    which model and policy scored it (`scored_by`).

    Parameters
    ----------
    input, output : path-like
        Files; formats from their extensions (``.csv``, ``.tsv``, ``.jsonl``,
        ``.parquet``) unless `input_format` / `output_format` say otherwise.
        An input named ``.json`` is read as JSON Lines; an output so named
        is refused unless `output_format` is given, the name saying one
        JSON document that JSON Lines are not: name it ``.jsonl``.
        An input folder is read as one input: the files below it in the
        natural order of their paths, partition folders (``month=10``) as
        columns (see `triage._io.dataset_files`). It is a Parquet dataset
        unless all its files are CSV, TSV or JSONL files (monthly exports,
        compressed or not), each then read with its own encoding and
        delimiter; see `triage._io.folder_format`. The columns of the first
        file are the output's: a column a later file adds is dropped, one it
        lacks empty, each with a warning; every CSV and TSV file's header is
        checked before a row is scored.
        A ``.csv``, ``.tsv`` or ``.txt`` input may be separated by commas or
        tabs: the delimiter that splits its header into `text_column` (and
        `id_column`) is used, `input_format` or else the extension deciding
        a tie (a tab-separated file given as ``csv`` is read at its tabs).
        So are semicolons, as Excel writes CSV where the decimal mark is a comma
        (``id;text``), when they alone split the header into those columns.
        A first line ``sep=;`` (``sep=,``, ``sep=|`` ...), which Excel reads
        as naming the delimiter, names it and is no row; malformed lines
        are still numbered in the file (the header is line 2). A text file may
        be compressed, its format from the extension before: gzip
        (``.gz``), bzip2 (``.bz2``) or xz (``.xz``), in and out; an input
        may also be a ``.zip`` archive holding one file, whose format is
        that of the archive's name (``complaints.csv.zip``) or, when that
        names none, of the file's. An output so named is compressed as it
        is written. Parquet is never compressed so, nor written as a zip.
    text_column : str, default "text"
    id_column : str, optional
        A column that must be present (checked on the first chunk), e.g. a
        ticket id; it is carried through like every input column.
    n_jobs, model, policy
        As for `score_frame`.
    chunk_size : int, default 10000
        Rows read, scored and written at a time (CLI: ``--chunk-size``); the
        chunks of the memory bound above. A JSONL input's columns are the
        keys of its first chunk's records: a key first seen later is dropped,
        with a warning.
    encoding : str, optional
        Input encoding of text formats; detected when omitted. A given
        encoding the first megabyte of the file does not decode in is a
        `triage.TriageWarning`; ``utf-16`` or ``utf-32`` for a file without the
        byte-order mark they read the byte order from is an `InputFileError`.
        Bytes that are
        not of the file's encoding, given or detected, are read as U+FFFD;
        the lines holding them are reported in
        `ScoreSummary.undecodable_lines` and in a `triage.TriageWarning` naming the
        file and the lines, and their rows are scored in their places.
    input_format, output_format : {"csv", "tsv", "jsonl", "parquet"}, optional
        The format of `input` and of `output`, when the name does not tell
        it or tells another (CLI: ``--input-format``, ``--output-format``).
    progress : callable, optional
        Called as ``progress(rows_done, seconds)`` after each chunk;
        `ProgressLine` draws it, and is given the seconds of them spent
        loading the model too (``loading=``, `ScoreSummary.loading_seconds`),
        which its rows per second leave out.
    explain : int, default 0
        Write a column ``why`` after ``reasons``, as `score_frame` does.
    summary : bool, default False
        Write a column ``summary`` first, each row's triage in one line of
        Chinese, as `score_frame` does (CLI: ``--summary``).
    context_columns : mapping of str to str, optional
        Columns holding the priority context of each row, by `triage.Context`
        field, read as `score_frame` reads them (CLI: ``--context
        channel=source``).
    output_encoding : str, default "utf-8"
        Encoding of a CSV or TSV output, compressed or not: ``utf-8-sig``
        (UTF-8 after a byte-order mark) for a file that Excel on Chinese
        Windows opens with a double-click, ``utf-16`` (with a byte-order
        mark), ``utf-16-le``, ``utf-16-be``, the ``utf-32`` ones or
        ``gb18030``, as `codecs.lookup` knows them (``UTF8`` is ``utf-8``):
        each holds every character, and is read back by this function
        (``utf-32-le`` and ``utf-32-be``, which carry no byte-order mark,
        given as `encoding`). Another (``gbk``, ``big5``, ``latin-1``) has
        no room for an emoji or a rare han character and is refused before
        any row is scored. JSON Lines and Parquet outputs are UTF-8 alone.
    escape_formulas : bool, default False
        For a CSV or TSV output that analysts open in Excel or WPS, whose
        texts a customer wrote: a text cell that starts with ``=``, ``+``,
        ``-``, ``@``, a tab or a carriage return, which the spreadsheet would
        run as a formula (``=HYPERLINK("http://x","点我")``,
        ``+cmd|' /C calc'!A0``, ``@SUM(1+1)``), is written after an
        apostrophe (``'=HYPERLINK(...``), as OWASP recommends against CSV
        injection and as `triage.retrain.export_for_labeling` writes it;
        so is a cell of apostrophes before one of these characters (``'=x``
        is written ``''=x``), so that removing the first apostrophe of each
        such cell, as `triage.read_labeled` does, gives every text back.
        Every text is checked: the input's columns, the score columns
        (``reasons``, ``why``, a policy's team in ``route``) and the
        header's names. Numbers are not: a column of numbers, from a JSONL
        or Parquet input or a score's, is written as it is, ``-5`` and
        all; a CSV or TSV input's columns are text, so its ``-5`` is
        written ``'-5``. A text that starts with a full-width sign
        (``\uff1d``, ``\uff0b``, ``\uff0d``, ``\uff20``) is written as it
        is: that Excel or WPS runs one as a formula on opening a CSV is not
        known (docs/batch.md). Off by default, so that a scored file holds
        every text as it was read, for code that reads it back. Refused for
        a JSON Lines or Parquet output, which no spreadsheet opens as cells.
    errors : {"flag", "raise"}, default "flag"
        As for `score_frame` (CLI: ``--errors raise``): a row whose scoring
        raises is written unscored, counted in `ScoreSummary.raised`.
    record : bool, default False
        Once the output is in place, write beside it, as JSON, the record of
        the run (CLI: ``--record``): `scored_by`, the input's absolute path,
        the output's size in bytes, the counts of the summary (and its
        `empty_context_columns`) and the time
        it finished, in ``_<output's name>.triage.json`` (``scored.csv`` has
        ``_scored.csv.triage.json``; beside the file a symbolic link, or
        ``/dev/stdout`` redirected to a file, names), so that a folder of outputs read
        as one input, by this function, pyarrow or Spark, passes over it.
        It is written to a temporary file and renamed into place. A run to
        an output, recording or not, first deletes the record an earlier
        run left beside it, which would no longer describe it, so an output
        without its record was written by a run not asked to record, or one
        stopped between the two renames. Refused for an output that is a
        pipe or a device, beside which there is no file to write.
    resume : bool, default False
        Keep a checkpoint of the run, and take up the one a run stopped
        before its end left (CLI: ``--resume``), for an input of millions
        of rows. The partial output is then ``.<output's name>.resume``
        beside the output, which an exception (`KeyboardInterrupt` too)
        leaves, as does a process killed outright; after each chunk its
        rows are made durable (`os.fsync`) and the progress written beside
        it, in ``.<output's name>.resume.json``: the input's files (path,
        inode, size, modification time), the options that shape the output
        (columns, `chunk_size`, `explain`, `summary`, encodings, formats,
        `escape_formulas`, `context_columns`, `errors`), `scored_by`, and
        the rows and bytes written. A run with `resume` to an output that
        has them reads the input from its start, scoring none of the rows
        written, and writes on after them, so that the output is, byte for
        byte, that of a run never stopped, and the summary counts every
        row; the output is renamed into place only when complete, as
        always, and the checkpoint is gone with it. `n_jobs`, `progress`
        and `record` may differ from run to run. A checkpoint of another
        input, or of the same file since changed, is a
        `triage.InputFileError`; of other options, another version of
        triage, model or policy a `triage.ParameterError`, naming what
        differs: delete the two files to start over. One of version 1 of
        the output's format is taken up without `summary`, whose bytes are
        version 1's. A run without `resume` leaves them alone, with a
        warning naming them. For an
        uncompressed CSV, TSV or JSONL output file alone, scored with a
        model loaded from its file (or the default one), whose
        ``model_sha256`` tells it again: a Parquet file is readable only
        once closed, a compressed stream cannot be taken up as one, and an
        unsaved model cannot be known for the same.

    Returns
    -------
    ScoreSummary

    Raises
    ------
    FileNotFoundError
        There is no file or folder at `input` (the message says where a
        link there leads, or that it leads back to itself).
    PermissionError
        `output` is, or leads through, a symbolic link that another user
        made in a folder anyone may write to (``/tmp``), which the system
        would not open a file through, before anything is read.
    OSError
        `output` is a symbolic link in a loop of links, or cannot be
        written (a read-only or full disk).
    triage.ParameterError
        An `input` or `output` that is no path (None, bytes, a DataFrame), a format that
        is unknown or cannot be told from a name, a workbook,
        a ``.json`` `output` without `output_format`, an `output` that is
        the input, inside an input folder, a folder or a zip archive, an
        unknown `encoding`, an `output_encoding` other than those it lists
        (or than UTF-8, for JSONL or Parquet), a bad `n_jobs`, `chunk_size`
        or `explain`, a `progress` that is not callable, an `escape_formulas`
        that is no bool or is True for a
        JSONL or Parquet output, a `policy` that is no `triage.Policy` or a
        `model` that is no model, before any row is read (a `ValueError` and
        a `TypeError`; a `triage.NotFittedError` for a model not fitted), a
        `record` that is no bool or is True for an output that is a pipe or
        a device.
        With `resume`: a `resume` that is no bool, an output that is
        Parquet, compressed, a pipe or a device, a model never saved and
        loaded (``model_sha256`` None), a checkpoint of other options,
        another version of triage or of the output's format, model or
        policy, or one another run is writing.
    triage.ColumnError
        The input lacks `text_column` or `id_column`, or repeats one, or
        repeats any name for a JSONL or Parquet output (a `KeyError` and a
        `ValueError`).
    triage.InputFileError
        The input cannot be read as a table (see `triage.InputFileError`),
        is JSONL read as CSV or TSV (a ``.csv`` name, or `input_format`),
        is a pipe or a device (read more than once; the CLI spools one to a
        file), or a Parquet output column cannot hold a later chunk's values;
        or a file of the input changed while it was read (cut short, added
        to, written again or replaced), no output then written; with
        `resume`, the checkpoint is of another input, or one since changed.
    concurrent.futures.process.BrokenProcessPool, Exception
        As for `score_frame`.
    """
    import pandas as pd

    from triage._io import (
        AtomicWriter,
        as_json_types,
        check_escape_formulas,
        check_output_encoding,
        check_resumable,
        column_labels,
        file_format,
        is_stream,
        link_loop,
        missing_message,
        read_chunks,
        stream_error,
        target_format,
        with_columns,
    )
    from triage.labeled import frame_kind
    from triage.priority import check_policy, default_policy

    kind = frame_kind(input)
    if kind is not None:  # a notebook's frame: score_frame scores it
        raise ParameterError(
            f"input must be a path (str or os.PathLike), got {kind}: score_file reads "
            "a file; score a DataFrame with triage.score_frame(frame)"
        )
    input, output = user_path(input, "input"), user_path(output, "output")
    if not (Path(input).is_file() or Path(input).is_dir()):
        if is_stream(input):
            raise stream_error(input, "input")
        raise FileNotFoundError(missing_message(input, "input file"))
    check_policy(policy)  # not in the first chunk, once read and scored
    if model is not None:
        resolve_model(model)
    # a zip archive named for no format has that of the file inside
    src_fmt = file_format(input, input_format)
    dst_fmt = target_format(output, output_format)
    if link_loop(output):
        raise OSError(
            errno.ELOOP,
            f"cannot write the output {output}: it is a symbolic link in a loop of links, "
            "leading to no file",
        )
    if _same_file(input, output):
        raise ParameterError(f"output {output} is the input file; write to another file")
    if Path(input).is_dir() and Path(output).resolve().is_relative_to(Path(input).resolve()):
        raise ParameterError(
            f"output {output} is inside the input folder {input}, whose every file is read "
            "as part of the input; write it elsewhere"
        )
    chunk_size = _chunk_size(chunk_size)
    explain = _explain(explain)
    summary = _summary(summary)
    _errors(errors)
    _check_context_columns(context_columns)
    if progress is not None and not callable(progress):  # failed once a chunk was scored
        raise ParameterError(
            f"progress must be None or a callable, progress(rows_done, seconds), got "
            f"{type(progress).__name__}; a progress line on stderr is ProgressLine()"
        )
    # before the input is read through to find its encoding
    n_jobs = _processes_allowed(_jobs(n_jobs))
    if encoding is not None:
        _check_text_encoding(encoding)
    output_encoding = check_output_encoding(output_encoding, dst_fmt)
    escape_formulas = check_escape_formulas(escape_formulas, dst_fmt)
    _check_record(record, output)
    if not isinstance(resume, bool):
        raise ParameterError(f"resume must be True or False, got {type(resume).__name__}")
    if resume:
        check_resumable(output, dst_fmt)
    elif not is_stream(output):
        _warn_of_checkpoint(output)
    # found before the output replaces the file a link names (/dev/stdout's)
    record_at = None if is_stream(output) else _record_path(output)
    # each column the input must have, with the parameter that names it
    wanted = {text_column: "text_column= (CLI: --text-column)"}
    if id_column is not None:
        wanted.setdefault(id_column, "id_column= (CLI: --id-column)")
    for name, col in (context_columns or {}).items():
        wanted.setdefault(col, f"context_columns= (CLI: --context {name}=COLUMN)")
    # before the input is first read (through, to find its encoding): a file
    # that changes while it is read, cut short, added to or written anew by
    # an export still running, gave part of it, complete-looking, status 0
    stamps = _stamps(input)
    # before the input is read: a checkpoint of another input or other options is refused
    checkpoint: _Checkpoint | None = None
    by = scored_by(model, policy) if resume else None
    if by is not None:
        options = {
            "text_column": text_column,
            "id_column": id_column,
            "chunk_size": chunk_size,
            "explain": explain,
            "summary": summary,
            "encoding": encoding,
            "input_format": src_fmt,
            "output_format": dst_fmt,
            "output_encoding": output_encoding,
            "escape_formulas": escape_formulas,
            "context_columns": dict(context_columns or {}),
            "errors": errors,
        }
        checkpoint = _Checkpoint(output, dst_fmt, stamps, options, by)
    sources = _sources(input, src_fmt, input_format, encoding, wanted)
    # The Parquet output's types of the input's columns. From JSONL they are
    # read here, before any row is scored, as are the keys that would stop
    # the run: one named like a partition folder, or one whose values are of
    # several kinds (ints and strings) for a Parquet column of one type. From
    # a Parquet input they are its own, filled in as its first chunk is read.
    types: dict[str, Any] = {}
    if src_fmt == "jsonl" and (dst_fmt == "parquet" or any(s.partition for s in sources)):
        types.update(_check_jsonl(sources, dst_fmt == "parquet") or {})
    started = time.perf_counter()
    rows = unscored = 0
    malformed: list[int] = []
    malformed_files: dict[Path, list[int]] = {}
    undecodable: list[int] = []
    undecodable_files: dict[Path, list[int]] = {}
    # channels and tiers that set no floor, for the summary
    tally = _ContextTally(
        policy if policy is not None or not context_columns else default_policy(),
        context_columns,
    )
    by_file = src_fmt != "parquet" and Path(input).is_dir()  # lines of many files

    # the input's columns, from its first chunk: a file without rows still has them
    columns: list[Any] | None = None
    first: Any = None  # the file they are from
    dropped: set[Any] = set()  # columns of later records or files, each warned of once

    def frames() -> Iterator[pd.DataFrame]:
        nonlocal columns, first
        for source in sources:
            missing: set[Any] = set()
            damaged: list[int] = []  # its undecodable lines
            # checked once read, and when reading fails: a file cut short while
            # read ends in a broken character or stream, said to have changed
            for chunk in _unchanged_while(
                read_chunks(
                    source.path,
                    fmt=source.fmt,
                    chunk_size=chunk_size,
                    encoding=source.encoding,
                    text_column=text_column,
                    delimiter=source.delimiter,
                ),
                {p: s for p, s in stamps.items() if p == Path(source.path)},
            ):
                if chunk.malformed_lines:
                    malformed.extend(chunk.malformed_lines)
                    if by_file:
                        lines = malformed_files.setdefault(Path(source.path), [])
                        lines.extend(chunk.malformed_lines)
                if chunk.undecodable_lines:
                    undecodable.extend(chunk.undecodable_lines)
                    damaged.extend(chunk.undecodable_lines)
                if chunk.types and not types:
                    types.update(chunk.types)
                frame = _with_partition(chunk.frame, source)
                if columns is None and (len(frame) or len(frame.columns)):
                    if source.fmt == "jsonl":
                        frame = _with_later_keys(frame, sources, list(wanted))
                    _check_columns(
                        frame.columns,
                        text_column,
                        context_columns,
                        str(source.path),
                        header=source.fmt in ("csv", "tsv"),
                    )
                    if id_column is not None and id_column not in frame.columns:
                        raise ColumnError(
                            f"no id column {id_column!r} in {source.path}; columns are "
                            f"{names_shown(frame.columns)}; pass id_column= (CLI: --id-column)"
                        )
                    if dst_fmt in ("jsonl", "parquet"):
                        _check_unique(frame.columns, str(source.path), dst_fmt)
                    columns, first = list(frame.columns), source.path
                if not len(frame) or columns is None:  # no rows, so far
                    continue
                if list(frame.columns) != columns:
                    # JSONL records may differ in their keys, and the files of a
                    # folder in their columns: every chunk gets the first
                    # chunk's columns, so the output has one header
                    extra = [c for c in frame.columns if c not in columns and c not in dropped]
                    if extra:
                        dropped.update(extra)
                        warnings.warn(
                            _dropping(source.path, extra, first, chunk_size),
                            TriageWarning,
                            stacklevel=user_stacklevel(),
                        )
                    lacking = [c for c in columns if c not in frame.columns and c not in missing]
                    if lacking and source.fmt != "jsonl":  # a JSONL record may omit keys
                        missing.update(lacking)
                        warnings.warn(
                            f"{source.path} has no column {', '.join(map(repr, lacking))} "
                            f"of {first}: empty in its rows",
                            TriageWarning,
                            stacklevel=user_stacklevel(),
                        )
                    frame = with_columns(frame, columns)
                yield frame
            if damaged:
                if by_file:
                    undecodable_files[Path(source.path)] = damaged
                warnings.warn(
                    _undecodable_warning(source, damaged),
                    TriageWarning,
                    stacklevel=user_stacklevel(),
                )

    def tasks() -> Iterator[tuple[pd.DataFrame, list[Any], list[Context | str | None] | None]]:
        # a file's last chunk ends with it: rows are held until a chunk is
        # whole, so that the small files of a folder are scored in chunks as
        # large as one file's (and a text repeated across them is scored once)
        held: list[pd.DataFrame] = []
        count = 0
        for frame in frames():
            held.append(frame)
            count += len(frame)
            while count >= chunk_size:
                whole = pd.concat(held, ignore_index=True) if len(held) > 1 else held[0]
                chunk, rest = whole.iloc[:chunk_size], whole.iloc[chunk_size:]
                contexts = _contexts(chunk, context_columns)
                tally.add(chunk, contexts)
                yield chunk, chunk[text_column].tolist(), contexts
                held, count = [rest] if len(rest) else [], len(rest)
        if count:
            whole = pd.concat(held, ignore_index=True) if len(held) > 1 else held[0]
            contexts = _contexts(whole, context_columns)
            tally.add(whole, contexts)
            yield whole, whole[text_column].tolist(), contexts

    loaded = 0.0  # seconds of loading (the policy's and the model's) before any row is scored
    if by is None:
        loaded = time.perf_counter()
        by = scored_by(model, policy)  # the default policy built
        loaded = time.perf_counter() - loaded
    done = checkpoint.rows if checkpoint is not None else 0
    skip = done  # rows the stopped run wrote, in whole chunks: read, not scored

    def fresh() -> Iterator[tuple[pd.DataFrame, list[Any], list[Context | str | None] | None]]:
        nonlocal skip
        for task in tasks():
            if skip > 0:  # its contexts are counted all the same, for the summary
                skip -= len(task[0])
                continue
            yield task

    if checkpoint is not None:  # the summary's counts and time are of the whole output
        rows, unscored, started = done, checkpoint.unscored, started - checkpoint.seconds
    with AtomicWriter(
        output,
        fmt=dst_fmt,
        types=types,
        encoding=output_encoding,
        escape_formulas=escape_formulas,
        metadata={SCORED_BY_KEY: json.dumps(by)} if dst_fmt == "parquet" else None,
        resume=None if checkpoint is None else checkpoint.bytes,
    ) as writer:
        workers = _Workers(n_jobs, model, policy, explain, errors, summary, load=True)
        if checkpoint is not None:
            writer.infinite.update(checkpoint.infinite)
            workers.raised = checkpoint.raised
            workers._raised_rows = list(checkpoint.raised_rows)
            workers._first = checkpoint.first_raised
        for frame, cols in workers.map(fresh(), start=done):
            if src_fmt == "jsonl" and types:
                frame = as_json_types(frame, types)
            out = _with_scores(frame, _frame(cols, frame.index))
            writer.write(out)
            rows += len(out)
            unscored += int(np.count_nonzero(cols["error"] != ""))
            if checkpoint is not None:
                checkpoint.save(writer, rows, unscored, workers, time.perf_counter() - started)
            if isinstance(progress, ProgressLine):  # which says the load apart
                progress(rows, time.perf_counter() - started, loading=_loading(loaded, workers))
            elif progress is not None:
                progress(rows, time.perf_counter() - started)
        if rows == 0:
            empty = pd.DataFrame(columns=column_labels(columns or []))
            writer.write(_with_scores(empty, _empty_frame(explain=explain, summary=summary)))
        _check_unchanged(stamps)
        if record_at is not None:  # the earlier run's record would not describe this output
            record_at.unlink(missing_ok=True)
        if checkpoint is not None:  # first: no progress of a file no longer there
            checkpoint.path.unlink(missing_ok=True)
        path = writer.commit()
    seconds = time.perf_counter() - started
    result = ScoreSummary(
        rows,
        unscored,
        seconds,
        path,
        malformed,
        malformed_files,
        undecodable,
        undecodable_files,
        *tally.values,
        unmatched_channel_rows=tally.rows[0],
        unmatched_tier_rows=tally.rows[1],
        raised=workers.raised,
        scored_by=by,
        empty_context_columns=tally.empty,
        context_columns=tally.columns,
        loading_seconds=_loading(loaded, workers),
    )
    if record_at is not None and record:
        _write_record(result, os.path.abspath(input), record_at)
    return result


def _loading(loaded: float, workers: _Workers) -> float:
    """The seconds a file's run spent loading the policy (`loaded`, for
    `scored_by`) and the model before it scored a row in this process; 0 for
    a run of worker processes, whose loads are theirs, counted in its rate."""
    return 0.0 if workers.pooled else loaded + workers.loading_seconds


class _Checkpoint:
    """The progress of a `score_file(resume=True)` run to `output`, beside
    its partial output `triage._io.resume_file` as ``<that name>.json``:
    what the run is (`identity`) and how far it got. Made, it holds what
    an earlier run of the same identity recorded (nothing for a first run,
    or a record whose partial output is lost, which a warning says), and
    raises when the earlier run was of another input or other options."""

    VERSION = 1

    def __init__(
        self,
        output: str | os.PathLike[str],
        fmt: str,
        stamps: Mapping[Path, tuple[int, int, int, int]],
        options: Mapping[str, Any],
        by: Mapping[str, Any],
    ) -> None:
        from triage._io import check_resumable, resume_file
        from triage.exceptions import InputFileError

        check_resumable(output, fmt)
        if by.get("model_sha256") is None:
            raise ParameterError(
                "resume=True (CLI: --resume) needs a model loaded from its file (or the "
                "default one), whose SHA-256 tells a later run it scores with the same: save "
                "the model (triage.save_model) and load it"
            )
        self.partial = resume_file(output)
        self.path = self.partial.with_name(self.partial.name + ".json")
        # the device number is left out: a reboot may give a disk another
        self.identity: dict[str, Any] = {
            "files": [
                [os.path.abspath(p), ino, size, mtime]
                for p, (_, ino, size, mtime) in stamps.items()
            ],
            "options": dict(options),
            "scored_by": dict(by),
        }
        self.rows = self.bytes = self.unscored = self.raised = 0
        self.raised_rows: list[int] = []
        self.first_raised = ""
        self.infinite: dict[str, int] = {}
        self.seconds = 0.0
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return
        try:
            saved = json.loads(text)
            got = {k: saved[k] for k in ("files", "options", "scored_by")}
            progress = [saved[k] for k in ("rows", "bytes", "unscored", "raised")]
            # of this version, with counts that are counts
            readable = saved.get("version") == self.VERSION and all(
                isinstance(n, int) and n >= 0 for n in progress
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            readable = False
        if not readable:
            warnings.warn(
                f"the checkpoint {self.path} is unreadable: scoring {output} from its first row",
                TriageWarning,
                stacklevel=user_stacklevel(),
            )
            return
        where = (
            f"the checkpoint of a run to {output} that stopped at row {progress[0]:,} "
            f"({self.path} and {self.partial})"
        )
        again = f"; delete {self.path} and {self.partial} to score it from the first row"
        if got["files"] != self.identity["files"]:
            then = ", ".join(f"{f[0]} ({f[2]:,} bytes)" for f in got["files"])
            raise InputFileError(
                f"{where} is of the input {then}, which is not this input as it is now (moved, "
                f"written to or replaced): its rows are not this input's{again}"
            )
        written = got["scored_by"].get("output_format_version")
        if written != OUTPUT_FORMAT_VERSION:
            # an earlier version whose bytes this one writes with its options
            # at those values continues, whose options then were those values
            same = _EARLIER_FORMATS.get(written) if type(written) is int else None
            if same is None:  # its options were other ones, or named otherwise
                raise ParameterError(
                    f"{where} was written in version {written} of the output's format, which "
                    f"this library, writing version {OUTPUT_FORMAT_VERSION}, does not continue"
                    f"{again}"
                )
            got["options"] = {**same, **got["options"]}
            got["scored_by"] = {**got["scored_by"], "output_format_version": OUTPUT_FORMAT_VERSION}
        for key, name in (
            ("options", "other options"),
            ("scored_by", "another version of triage, model or policy"),
        ):
            differ = [
                f"{k} {got[key].get(k)!r} then, {v!r} now"
                for k, v in self.identity[key].items()
                if got[key].get(k) != v
            ]
            if differ:
                raise ParameterError(
                    f"{where} was written with {name}: {'; '.join(differ)}. Run "
                    f"with those of the stopped run to continue{again}"
                )
        size = self.partial.stat().st_size if self.partial.is_file() else -1
        if size < progress[1]:
            warnings.warn(
                f"the partial output {self.partial} of {where} is gone or cut short: scoring "
                f"{output} from its first row",
                TriageWarning,
                stacklevel=user_stacklevel(),
            )
            return
        self.rows, self.bytes, self.unscored, self.raised = progress
        self.raised_rows = [int(r) for r in saved.get("raised_rows", [])]
        self.first_raised = str(saved.get("first_raised", ""))
        self.infinite = {str(k): int(v) for k, v in saved.get("infinite", {}).items()}
        self.seconds = float(saved.get("seconds", 0.0))

    def save(
        self, writer: Any, rows: int, unscored: int, workers: _Workers, seconds: float
    ) -> None:
        """Record that `rows` are written, once `writer` has made them durable:
        a run stopped before the record is replaced takes up the last one."""
        saved = {
            "version": self.VERSION,
            **self.identity,
            "rows": rows,
            "bytes": writer.checkpoint(),
            "unscored": unscored,
            "raised": workers.raised,
            "raised_rows": workers._raised_rows,
            "first_raised": workers._first,
            "infinite": writer.infinite,
            "seconds": seconds,
        }
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(json.dumps(saved, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, self.path)


def _score_stream(
    source: IO[bytes],
    target: IO[bytes],
    *,
    input_format: str,
    output_format: str,
    text_column: str = "text",
    id_column: str | None = None,
    model: TriageModel | LexiconModel | None = None,
    policy: Policy | None = None,
    encoding: str | None = None,
    progress: ProgressLine | None = None,
    explain: int = 0,
    output_encoding: str = "utf-8",
    escape_formulas: bool = False,
    context_columns: Mapping[str, str] | None = None,
    errors: str = "flag",
    chunk_size: int = 10_000,
    summary: bool = False,
) -> ScoreSummary:
    """Score the CSV, TSV or JSONL rows of a pipe as they arrive (``triage
    score - -o - --stream``): each row is read, scored and written into
    `target`, flushed, before the next is read, so that a live stream
    (``tail -f``) gets each row's scores within the time one row takes.

    The input is read in `encoding`, UTF-8 unless given (a byte-order mark
    skipped): there is no file to read through to detect it. Its columns are
    those of its first row (a CSV header, the first JSONL record's keys); a
    later record's other keys are dropped, with a warning naming each once
    (`score_file` keeps a key of any record of its first chunk). A text, id
    or context key the first record leaves out (a null, as Spark writes it)
    is added from the first record that has it, the records before held
    until then, each then a row flagged; none among the first
    `_STREAM_HELD_RECORDS`, or by the end, is a `ColumnError`. The output
    is written as `score_file` writes a CSV, TSV or JSONL file, row for row
    the same bytes. The rows are read in a thread of their own, and scored
    together as they have arrived (`_arrived`): one by one from a live
    stream, up to `chunk_size` at a time from a pipe that holds many, those
    of a time made into one frame (`triage._io.rows_frame`), in this
    process, loaded (`triage.warm_up`) before the first row is read; a pipe
    that has ended by then with no row, nothing but a byte-order mark or
    blank lines, is said empty (`InputFileError`) before the load.
    """
    import io

    import pandas as pd

    from triage._io import (
        _WRITTEN_BOMS,
        column_labels,
        first_arrived,
        read_rows,
        rows_frame,
        unless_binary,
        with_columns,
        write_text,
    )
    from triage.priority import default_policy

    name = "<stdin>"
    started = time.perf_counter()
    rows = unscored = 0
    malformed: list[int] = []
    undecodable: list[int] = []
    tally = _ContextTally(
        policy if policy is not None or not context_columns else default_policy(),
        context_columns,
    )
    columns: list[Any] | None = None
    added: list[Any] = []  # of `columns`, the keys the first record left out
    dropped: set[Any] = set()
    # the columns a row must have: a JSONL record may leave them out (a null)
    wanted = [text_column, *([] if id_column is None else [id_column])]
    wanted += [c for c in (context_columns or {}).values() if c not in wanted]
    held: list[Rows] = []  # JSONL records before one has each of `wanted`
    waiting = _Waited()
    head, ended = first_arrived(source, encoding)
    ended_with: list[Rows] | None = None  # the rows of a pipe ended so, read before the load

    def parts() -> Iterator[Rows]:
        # told by its first bytes, which a reader of rows would take for a header
        raw = unless_binary(
            source,
            name,
            "decompress it first (zcat | triage score - -o - --stream), or leave out "
            "--stream, which reads it whole, decompressed",
            head=head,
        )
        yield from read_rows(name, fmt=input_format, chunk_size=1, encoding=encoding, raw=raw)

    def frames() -> Iterator[pd.DataFrame]:
        nonlocal columns
        # the rows that have arrived together built into one frame, as a
        # file's chunk is: a frame a row cost more than scoring it
        rows_of = parts() if ended_with is None else iter(ended_with)
        for arrived in _arrived(rows_of, chunk_size, waiting):
            if arrived.malformed_lines and not malformed:
                # said as it arrives, as bytes of another encoding are
                warnings.warn(
                    _malformed_in_stream(arrived.malformed_lines[0], input_format),
                    TriageWarning,
                    stacklevel=user_stacklevel(),
                )
            malformed.extend(arrived.malformed_lines)
            if arrived.undecodable_lines and not undecodable:
                # said as it arrives: the summary comes once the input ends,
                # never for a stream followed by tail -f, which meanwhile
                # scores every row of another encoding as U+FFFD
                warnings.warn(
                    _undecodable_in_stream(arrived.undecodable_lines[0], encoding),
                    TriageWarning,
                    stacklevel=user_stacklevel(),
                )
            undecodable.extend(arrived.undecodable_lines)
            if columns is None:
                # a CSV header; the first JSONL record's keys, wherever it arrived
                first = arrived.header
                where = name
                if first is None and arrived.rows:
                    # with the text, id and context keys of the first records
                    # that have them, its records held until then
                    held.append(arrived)
                    first, where = _held_keys(held, wanted, name)
                    if first is None:
                        continue
                    added[:] = [k for k in first if k not in held[0].rows[0]]
                    arrived = _joined(held)
                    held.clear()
                if first is not None:
                    _check_columns(
                        first,
                        text_column,
                        context_columns,
                        where,
                        header=input_format in ("csv", "tsv"),
                    )
                    if id_column is not None and id_column not in first:
                        raise ColumnError(
                            f"no id column {id_column!r} in {name}; columns are "
                            f"{names_shown(first)}; pass id_column= (CLI: --id-column)"
                        )
                    if output_format == "jsonl":
                        _check_unique(first, name, output_format)
                    columns = first
            if columns is None or not arrived.rows:
                continue
            frame = rows_frame([arrived])
            if list(frame.columns) != columns:
                extra = [c for c in frame.columns if c not in columns and c not in dropped]
                if extra:
                    dropped.update(extra)
                    warnings.warn(
                        _dropping_in_stream(name, extra, added),
                        TriageWarning,
                        stacklevel=user_stacklevel(),
                    )
                frame = with_columns(frame, columns)
            yield frame
        if columns is None and held:
            # the stream ended before a record had them all: refused as a file
            # none of whose records has one is
            keys = _keys_seen(held)
            _check_columns(keys, text_column, context_columns, name)
            raise ColumnError(
                f"no id column {id_column!r} in {name}; columns are "
                f"{names_shown(keys)}; pass id_column= (CLI: --id-column)"
            )

    def tasks() -> Iterator[tuple[pd.DataFrame, list[Any], list[Context | str | None] | None]]:
        for frame in frames():
            contexts = _contexts(frame, context_columns)
            tally.add(frame, contexts)
            yield frame, frame[text_column].tolist(), contexts

    if ended:
        # a pipe that ended with no row (no byte, a byte-order mark, blank
        # lines) is said empty now, by its reader, not after the model's load
        # and with no byte written; what it read else is scored as read
        ended_with = list(parts())
    bom = _WRITTEN_BOMS.get(output_encoding)
    if bom is not None:  # as `AtomicWriter` writes it
        target.write(bom)
        output_encoding += "-le" if sys.byteorder == "little" else "-be"
    text = io.TextIOWrapper(
        target,
        encoding=output_encoding,
        newline="" if output_format in ("csv", "tsv") else None,
        write_through=True,
    )
    infinite: dict[str, int] = {}
    workers = _Workers(1, model, policy, explain, errors, summary)
    # loaded before the first row is read, not once it has arrived: its
    # scores then wait for no model, dictionary or term table
    from triage.api import warm_up

    loading = time.perf_counter()
    warm_up(model=model)
    # no row is read meanwhile: neither scoring nor waiting, and said apart
    loading = time.perf_counter() - loading
    try:
        for frame, cols in workers.map(tasks()):
            out = _with_scores(frame, _frame(cols, frame.index))
            write_text(
                text,
                out,
                output_format,
                header=rows == 0,
                escape_formulas=escape_formulas,
                infinite=infinite,
            )
            target.flush()
            rows += len(out)
            unscored += int(np.count_nonzero(cols["error"] != ""))
            if progress is not None:
                progress(
                    rows,
                    time.perf_counter() - started,
                    waiting=waiting.seconds,
                    loading=loading,
                )
        if rows == 0:
            empty = pd.DataFrame(columns=column_labels(columns or []))
            out = _with_scores(empty, _empty_frame(explain=explain, summary=summary))
            write_text(text, out, output_format, header=True, escape_formulas=escape_formulas)
            target.flush()
    finally:
        text.detach()  # the target stays open, the caller's
    if infinite:
        from triage._io import infinity_warning

        warnings.warn(
            infinity_warning("<stdout>", infinite), TriageWarning, stacklevel=user_stacklevel()
        )
    return ScoreSummary(
        rows,
        unscored,
        time.perf_counter() - started,
        Path("<stdout>"),
        malformed,
        {},
        undecodable,
        {},
        *tally.values,
        unmatched_channel_rows=tally.rows[0],
        unmatched_tier_rows=tally.rows[1],
        raised=workers.raised,
        scored_by=scored_by(model, policy),
        empty_context_columns=tally.empty,
        context_columns=tally.columns,
        waiting_seconds=waiting.seconds,
        loading_seconds=loading,
    )


# The most JSONL records `triage score --stream` holds for the text key (or
# the id or a context key) that its first record left out, as a null: one
# none of them has is a name mistyped, and the stream is refused
_STREAM_HELD_RECORDS = 100


def _held_keys(held: list[Rows], wanted: list[str], name: str) -> tuple[list[Any] | None, str]:
    """The columns of a stream whose JSONL records are `held` (those read so
    far), and where they are from, for a message: the first record's keys,
    with each of `wanted` it left out that a later record has, in the order
    first found, as a file's first chunk has them (`_with_later_keys`);
    None while one of `wanted` is in no record, up to `_STREAM_HELD_RECORDS`
    records, after which every key seen is given, to be refused by name."""
    # those past the limit that arrived together with it are not looked at,
    # so that a stream is refused, or not, however its records arrive
    records = [r for part in held for r in part.rows][:_STREAM_HELD_RECORDS]
    columns = list(records[0])
    lacking = [k for k in wanted if k not in columns]
    if not lacking:
        return columns, name
    later: list[Any] = []
    for record in records[1:]:
        later += [k for k in record if k in lacking and k not in later]
        if len(later) == len(lacking):
            return [*columns, *later], name
    if len(records) < _STREAM_HELD_RECORDS:
        return None, name
    return _keys_seen(held), f"the first {len(records):,} records of {name}"


def _keys_seen(held: list[Rows]) -> list[Any]:
    """Every key of the first `_STREAM_HELD_RECORDS` JSONL records `held`, in
    the order first found."""
    records = [r for part in held for r in part.rows][:_STREAM_HELD_RECORDS]
    return list(dict.fromkeys(k for r in records for k in r))


def _joined(held: list[Rows]) -> Rows:
    """The records `held` as one `Rows`, their lines as `frames` took them."""
    return Rows(None, [r for part in held for r in part.rows])


class _Waited:
    """The seconds `_arrived` has waited for an item (a stream's row) to be read."""

    seconds = 0.0


class _Pending:
    """What `_arrived`'s reader has read and its taker not yet taken: the
    rows joined into one `Rows` as they are read, under `lock`, and taken
    whole; an event each sets only when the other waits on it."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.rows: Rows | None = None
        self.count = 0  # the rows of `rows`
        self.end: list[BaseException | None] = []  # once read to the end: what it raised
        self.arrived = threading.Event()  # rows, or the end, for a taker waiting
        self.taking = False  # whether the taker waits for `arrived`
        self.room = threading.Event()  # room under the limit, for a reader waiting
        self.full = False  # whether the reader waits for `room`


def _arrived(parts: Iterator[Rows], limit: int, waited: _Waited | None = None) -> Iterator[Rows]:
    """The rows of `parts`, read ahead in a thread of their own (a pipe's
    rows, which may come one a second), joined into one `Rows` of those
    read by the time each is taken, `limit` rows at most: one by one as
    they come slowly, many at a time as they wait. What `parts` raises is
    raised here, after the rows before it. The time spent waiting for a
    row, none having been read, is added to `waited`.

    The rows are joined as they are read, not held a `Rows` each until
    taken: a pipe that holds many would keep thousands of small lists
    alive at a time, each a new one for the garbage collector, which then
    went through every object of the process (the model's too) three
    times as often as a file's run of the same rows does."""
    shared = _Pending()

    def read() -> None:
        try:
            for part in parts:
                with shared.lock:
                    held = shared.rows
                    if held is None:
                        shared.rows = Rows(
                            part.header,
                            [*part.rows],
                            [*part.malformed_lines],
                            [*part.undecodable_lines],
                            [*part.lines],
                        )
                    else:
                        held.rows.extend(part.rows)
                        held.malformed_lines.extend(part.malformed_lines)
                        held.undecodable_lines.extend(part.undecodable_lines)
                        held.lines.extend(part.lines)
                    shared.count += len(part.rows)
                if shared.taking:
                    shared.arrived.set()
                if shared.count >= limit:
                    shared.room.clear()
                    shared.full = True
                    if shared.count >= limit:  # unless taken since
                        shared.room.wait()
                    shared.full = False
        except BaseException as exc:  # the caller's to raise, after the rows before it
            shared.end.append(exc)
        else:
            shared.end.append(None)
        shared.arrived.set()

    threading.Thread(target=read, name="triage-arrived", daemon=True).start()
    while True:
        if shared.rows is None and not shared.end:
            shared.arrived.clear()
            shared.taking = True
            if shared.rows is None and not shared.end:  # unless some arrived since
                began = time.perf_counter()
                shared.arrived.wait()
                if waited is not None:
                    waited.seconds += time.perf_counter() - began
            shared.taking = False
        ended = bool(shared.end)  # before the last rows are taken: none comes after
        with shared.lock:
            taken, shared.rows, shared.count = shared.rows, None, 0
        if shared.full:
            shared.room.set()
        if taken is not None:
            yield taken
        elif ended:
            if shared.end[0] is not None:
                raise shared.end[0]
            return


def _warn_of_checkpoint(output: str | os.PathLike[str]) -> None:
    """Warn that a run with ``resume=True`` to `output` left its checkpoint
    (stopped, or still going), which a run without `resume` leaves alone:
    a hidden file that may be as large as the output, and a run to take up."""
    from triage._io import resume_file

    try:
        partial = resume_file(output)
        size = partial.stat().st_size if partial.is_file() else None
        progress = partial.with_name(partial.name + ".json")
        if size is None and not progress.is_file():
            return
    except OSError:  # a link that leads nowhere: no checkpoint told
        return
    try:
        rows = json.loads(progress.read_text(encoding="utf-8"))["rows"]
        held = f" holding its first {rows:,} rows" if isinstance(rows, int) else ""
    except (OSError, ValueError, KeyError, TypeError):
        held = ""
    files = [f"{partial} ({size:,} bytes)" if size is not None else None]
    files.append(str(progress) if progress.is_file() else None)
    warnings.warn(
        f"a run to {output} with resume=True (CLI: --resume) left its checkpoint{held}: "
        f"{' and '.join(f for f in files if f)}. This run, without resume, scores from the "
        "first row and leaves it; to take that run up instead, pass resume=True (CLI: "
        f"--resume), else delete {'them' if None not in files else 'it'}",
        TriageWarning,
        stacklevel=user_stacklevel(),
    )


def _record_path(output: str | os.PathLike[str]) -> Path:
    """The record `score_file(record=True)` writes beside `output`: beside
    the file it names when it is a symbolic link (``/dev/stdout`` redirected
    to a file is one), whose contents it describes."""
    from triage._paths import follow_links

    real = Path(follow_links(output, "the output"))
    return real.with_name(f"_{real.name}.triage.json")


def _check_record(record: Any, output: str | os.PathLike[str]) -> None:
    from triage._io import is_stream

    if not isinstance(record, bool):
        raise ParameterError(f"record must be True or False, got {type(record).__name__}")
    if record and (output == "-" or is_stream(output)):
        raise ParameterError(
            "record=True (CLI: --record) writes a file beside the output, and "
            f"{'stdout (-)' if output == '-' else output} is a pipe or a device, beside which "
            "there is none; name an output file"
        )


def _write_record(summary: ScoreSummary, input: str, target: Path) -> None:
    """Write the record of the run `summary` tells of at `target`, the
    `_record_path` of its output, for `score_file(record=True)`; `input` as
    the user would name it."""
    from datetime import UTC, datetime

    from triage._paths import new_file

    name = target.name[1 : -len(".triage.json")]  # the file's, not a link's
    record = {
        "scored_by": summary.scored_by,
        "input": input,
        "output": name,
        "output_bytes": (target.parent / name).stat().st_size,
        "rows": summary.rows,
        "errors": summary.errors,
        "raised": summary.raised,
        "malformed_lines": len(summary.malformed_lines),
        "undecodable_lines": len(summary.undecodable_lines),
        "unmatched_channel_rows": summary.unmatched_channel_rows,
        "unmatched_tier_rows": summary.unmatched_tier_rows,
        "context_columns": summary.context_columns,
        "empty_context_columns": summary.empty_context_columns,
        "seconds": round(summary.seconds, 3),
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    fd, tmp = new_file(target.parent, f".{target.name}.", ".partial")
    try:
        text = json.dumps(record, ensure_ascii=False, indent=2)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # a name of bytes no UTF-8 (surrogates): \u escapes
            text = json.dumps(record, indent=2)
        with open(fd, "w", encoding="utf-8") as f:
            f.write(text + "\n")
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def scored_by(
    model: TriageModel | LexiconModel | None = None, policy: Policy | None = None
) -> dict[str, str | int | None]:
    """What scores with `model` and `policy`, as `score_file` records it in a
    Parquet output's schema metadata, as JSON under `SCORED_BY_KEY`, so that
    results of two models or policies are not mixed unknowingly.

    Parameters
    ----------
    model : TriageModel or LexiconModel, optional
        The model that scores; the default model when omitted.
    policy : Policy, optional
        The priority policy; the default policy when omitted.

    Returns
    -------
    dict
        ``triage_version``, the library's version;
        ``output_format_version``, `OUTPUT_FORMAT_VERSION`, the version of
        the score columns written; ``model_sha256``, the
        SHA-256 of the model's file (``file.sha256`` of its card; of the
        default model's when `model` is None), None for a model never saved
        and loaded (a refit or `triage.tune_thresholds` copy of one) and for
        the lexicon baseline (a loaded model whose thresholds were then set by
        hand still names its file); ``policy_sha256``, the
        SHA-256 of the policy's `triage.Policy.to_dict` as JSON with sorted
        keys (of the default policy when `policy` is None).

    Raises
    ------
    triage.ParameterError
        `policy` is no `triage.Policy`, or `model` no model.

    Examples
    --------
    >>> import triage
    >>> by = scored_by()
    >>> sorted(by)
    ['model_sha256', 'output_format_version', 'policy_sha256', 'triage_version']
    >>> scored_by(triage.LexiconModel())["model_sha256"] is None
    True
    """
    from triage import __version__, _default
    from triage.priority import check_policy, default_policy

    check_policy(policy)
    found = model if model is not None else _default.model_set()
    if found is None:
        # the scoring that follows warns of its library versions, once
        sha: Any = _default.default_model_file(warn=False)[1] or None
    else:
        card = getattr(resolve_model(found), "card_", None)
        sha = card.get("file", {}).get("sha256") if isinstance(card, dict) else None
    rules = json.dumps(
        (default_policy() if policy is None else policy).to_dict(),
        sort_keys=True,
        ensure_ascii=False,
    )
    return {
        "triage_version": __version__,
        "output_format_version": OUTPUT_FORMAT_VERSION,
        "model_sha256": None if sha is None else str(sha),
        "policy_sha256": hashlib.sha256(rules.encode("utf-8")).hexdigest(),
    }


def _stamps(input: str | os.PathLike[str]) -> dict[Path, tuple[int, int, int, int]]:
    """The device, inode, size and modification time of each file of `input`
    (the files of a folder), by path, for `_check_unchanged`."""
    from triage._io import dataset_files

    files = dataset_files(input) if Path(input).is_dir() else [Path(input)]
    stamps = {}
    for path in files:
        st = path.stat()
        stamps[path] = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
    return stamps


def _unchanged_while(
    chunks: Iterator[P], stamps: Mapping[Path, tuple[int, int, int, int]]
) -> Iterator[P]:
    """The items of `chunks`, read from the files of `stamps`; once they are
    read, or when reading them fails, `_check_unchanged`."""
    try:
        yield from chunks
    except Exception as exc:
        _check_unchanged(stamps, exc)
        raise
    _check_unchanged(stamps)


def _check_unchanged(
    stamps: Mapping[Path, tuple[int, int, int, int]], cause: Exception | None = None
) -> None:
    """Raise `triage.InputFileError` when a file of `stamps` is not as it was
    (`_stamps`), written to or replaced: its rows read may be part of one
    version and part of another, or stop short. `cause` is what reading it
    raised, if anything: a stream cut short, a character cut in two."""
    from triage.exceptions import InputFileError

    for path, (dev, ino, size, mtime) in stamps.items():
        try:
            st = path.stat()
        except FileNotFoundError:
            # deleted or moved once read: the file still open was read whole
            # (one deleted before it was opened stopped the run then)
            continue
        if (st.st_dev, st.st_ino) != (dev, ino):
            what = "another file is in its place now"
        elif (st.st_size, st.st_mtime_ns) != (size, mtime):
            what = f"{size:,} bytes when the run started, {st.st_size:,} now"
        else:
            continue
        raise InputFileError(
            f"{path} changed while it was read ({what}): the rows read may be part of it, or "
            "of two versions of it; no output was written. Score it again once nothing "
            "writes to it (an export still running?), or score a copy"
        ) from cause


def _same_file(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    """Whether `a` and `b` name one file: one path once links are followed,
    or another name of it (a hard link, or a name in other letter case
    where the file system ignores case, as macOS and Windows do), which
    the output's rename would put in the input's place."""
    if Path(a).resolve() == Path(b).resolve():
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:  # no output yet
        return False


@dataclass(frozen=True)
class _Source:
    """One file `score_file` reads (or a Parquet dataset folder), its format, its
    encoding when known (given, or found to tell its delimiter), the
    partition folders above it (``month=10``: ``{"month": "10"}``; None for
    Hive's null) and the
    delimiter of a CSV or TSV file that is not its format's own (``";"``,
    a tab in a file given as CSV, what a ``sep=`` line names; None for the
    format's own)."""

    path: str | os.PathLike[str]
    fmt: str
    encoding: str | None = None
    partition: dict[str, str | None] = field(default_factory=dict)
    delimiter: str | None = None


def _sources(
    input: str | os.PathLike[str],
    fmt: str,
    given: str | None,
    encoding: str | None,
    wanted: Mapping[str, str],
    *,
    options: Options = SCORE,
) -> list[_Source]:
    """What to read for a file or folder of format `fmt` (`triage._io.file_format`),
    the columns it must have being the keys of `wanted` (each with the
    parameter that names it, for the message when a file lacks it); the
    errors and warnings name the options of the caller, `options`."""
    if fmt == "parquet":  # a file, or a dataset folder read as one
        return [_Source(input, "parquet")]
    if Path(input).is_dir():
        return _text_sources(input, given, encoding, wanted, options=options)
    return [_text_source(input, fmt, given, encoding, tuple(wanted), options=options)[0]]


def _text_source(
    path: str | os.PathLike[str],
    fmt: str,
    given: str | None,
    encoding: str | None,
    wanted: tuple[str, ...],
    *,
    options: Options = SCORE,
) -> tuple[_Source, list[str] | None]:
    """A CSV, TSV or JSONL file to read, CSV and TSV by the delimiter of their
    header, and that header (None for JSONL)."""
    from triage._io import check_encoding, detect_encoding, sniff_header, starts_as_jsonl
    from triage.exceptions import InputFileError

    if encoding is not None:
        check_encoding(path, encoding, options=options)
    # the whole file is read to find its encoding: once, here
    encoding = encoding or detect_encoding(path, options=options)
    if fmt not in ("csv", "tsv"):
        return _Source(path, fmt, encoding), None
    # Commas or tabs, whatever the name or a given format says: Excel's
    # "Unicode Text" export is tab-separated, and such files are often
    # renamed .csv or read as CSV; a tie is the given format's. Semicolons
    # are the CSV of Excel where the decimal mark is a comma.
    delimiter, header = sniff_header(path, encoding=encoding, columns=wanted, fmt=given)
    if not set(wanted) <= set(header) and starts_as_jsonl(path, encoding):
        # its keys split at commas are no columns: say what it is
        raise InputFileError(
            f"{path} is JSONL (a JSON object a line), not {fmt.upper()}: its header would "
            f"be {header}; {options.pass_format('jsonl')}"
        )
    if given is None:
        fmt = "tsv" if delimiter == "\t" else "csv"
    own = "," if fmt == "csv" else "\t"
    return _Source(path, fmt, encoding, delimiter=None if delimiter == own else delimiter), header


def _text_sources(
    folder: str | os.PathLike[str],
    given: str | None,
    encoding: str | None,
    wanted: Mapping[str, str],
    *,
    options: Options = SCORE,
) -> list[_Source]:
    """The text files of a folder, in the natural order of their paths, each
    checked before a row is read: a CSV or TSV file that is empty, or lacks a
    `wanted` column (the message names the parameter to give) or has one
    named like a partition folder above it, or a JSONL file of no record,
    stops the run before it starts rather than hours in."""
    from triage._io import dataset_files, file_format, partition_values
    from triage.exceptions import InputFileError

    files = dataset_files(folder)
    if not files:
        raise InputFileError(
            f"{folder} is a folder with no data file in it: every file below it is read "
            "but those whose names start with '.' or '_'"
        )
    sources = []
    first: tuple[Path, list[str]] | None = None  # the first CSV or TSV file's columns
    for path in files:
        found, header = _text_source(
            path, given or file_format(path), given, encoding, tuple(wanted), options=options
        )
        source = dataclasses.replace(found, partition=partition_values(folder, path))
        if header is not None:
            if not any(header):
                raise InputFileError(
                    f"{path} in {folder} is empty: no header and no rows (a failed export?)"
                )
            lacking = [c for c in wanted if c not in header]
            if lacking:
                raise InputFileError(
                    f"{path} in {folder} has no column {', '.join(map(repr, lacking))}; "
                    f"its header is {names_shown(header)}; name the column with "
                    f"{wanted[lacking[0]]}"
                )
            clash = [k for k in source.partition if k in header]
            if clash:
                raise _clash(path, clash[0])
            # the files' columns are matched by name, which a name written
            # twice does not give: such headers must be the first file's
            columns = [*header, *source.partition]
            if first is None:
                first = (path, columns)
            elif columns != first[1]:
                for where, names in ((path, columns), first):
                    twice = next((c for c in names if names.count(c) > 1), None)
                    if twice is not None:
                        raise InputFileError(
                            f"{where} in {folder} names column {twice!r} twice, and {path} "
                            f"has not the columns of {first[0]}, the first file read, in "
                            "their order: the files' columns are matched by name; rename "
                            "the copies"
                        )
        elif source.fmt == "jsonl" and _blank(path, source.encoding):
            raise InputFileError(f"{path} in {folder} is empty: no records (a failed export?)")
        sources.append(source)
    return sources


def _check_jsonl(sources: list[_Source], want_types: bool) -> dict[str, str] | None:
    """Read the records of JSONL `sources` before any row is scored.

    A key named like a partition folder above its file is an InputFileError,
    as a CSV column is. With `want_types`, the Parquet type of each key from
    the values of all the files (`triage._io.json_types`), so that a column
    has one type however its values fall into chunks and files.
    """
    from triage._io import json_types, scan_jsonl

    kinds: dict[str, set[str]] = {}
    for source in sources:
        if not (want_types or source.partition):
            continue
        found = scan_jsonl(source.path, source.encoding)
        clash = [k for k in source.partition if k in found.kinds]
        if clash:
            raise _clash(source.path, clash[0], found.lines[clash[0]])
        for key, seen in found.kinds.items():
            kinds.setdefault(key, set()).update(seen)
    return json_types(kinds) if want_types else None


def _blank(path: str | os.PathLike[str], encoding: str | None) -> bool:
    """Whether a text file holds no line but blank ones (read up to the first that is not)."""
    from triage._io import _open_text

    with _open_text(path, encoding) as f:
        return not any(line.strip() for line in f)


def _with_later_keys(frame: pd.DataFrame, sources: list[_Source], keys: list[str]) -> pd.DataFrame:
    """`frame`, the first chunk of JSONL records, with an empty column for each
    of `keys` (the text and id columns) that none of its records has and a
    later record of `sources` has.

    An exporter may leave a null out of its record (Spark writes JSON so): a
    file whose first records have no text is read whatever the chunk size,
    rather than stop the run as if no record had one.
    """
    from triage._io import scan_jsonl, with_columns

    lacking = [k for k in keys if k not in frame.columns]
    # each key found, by where its first record is: the order of a larger chunk's columns
    found: dict[str, tuple[int, int]] = {}
    for n, source in enumerate(sources):
        if len(found) == len(lacking):
            break
        if source.fmt == "jsonl":
            lines = scan_jsonl(source.path, source.encoding).lines
            found.update({k: (n, lines[k]) for k in lacking if k in lines and k not in found})
    later = sorted(found, key=found.__getitem__)
    return with_columns(frame, [*frame.columns, *later]) if later else frame


def _with_partition(frame: pd.DataFrame, source: _Source) -> pd.DataFrame:
    """`frame` with a column for each partition folder above its file (a
    string, as every column of a CSV file is)."""
    if not source.partition:
        return frame
    clash = [k for k in source.partition if k in frame.columns]
    if clash:
        raise _clash(source.path, clash[0])
    return frame.assign(**source.partition)


def _clash(path: str | os.PathLike[str], key: str, line: int | None = None) -> Exception:
    """The error of a partition folder `key` that a file's header (or, from
    `line` on, its JSONL records) names too."""
    from triage.exceptions import InputFileError

    where = "a column of the file" if line is None else f"a key of its records (line {line})"
    return InputFileError(
        f"{path}: {key!r} is both a partition folder ({key}=...) and {where}; rename the "
        "folder or the column"
    )


def _undecodable_warning(source: _Source, lines: list[int]) -> str:
    """The warning that `lines` of `source` (rows of a Parquet binary text
    column) hold bytes not of its encoding."""
    shown = ", ".join(map(str, lines[:10])) + (", ..." if len(lines) > 10 else "")
    if source.fmt == "parquet":
        return (
            f"{source.path}: texts that are not UTF-8 in {counted(len(lines), 'row')} "
            f"({shown}) of its binary text column, read with U+FFFD; their rows are "
            "scored as read (ScoreSummary.undecodable_lines). Decode the column from "
            "its own encoding first (GBK?)"
        )
    encoding = source.encoding or "of its encoding"
    return (
        f"{source.path}: bytes that are not {encoding} on {counted(len(lines), 'line')} "
        f"({shown}), read as U+FFFD; their rows are scored as read "
        "(ScoreSummary.undecodable_lines). Pass the file's encoding if it is another "
        "(CLI: --encoding)"
    )


def _undecodable_in_stream(line: int, encoding: str | None) -> str:
    """The warning that `line` of a stream (``triage score - -o - --stream``),
    the first so, holds bytes not of `encoding` (UTF-8 if None)."""
    return (
        f"<stdin>: bytes that are not {encoding or 'UTF-8'} on line {line:,}, read as "
        "U+FFFD, as they are on each line after it that holds some: the rows are scored "
        "as read, and the summary counts those lines once the input ends "
        "(ScoreSummary.undecodable_lines). A stream is read as UTF-8 unless --encoding "
        "names its own (--encoding gb18030 for GBK, the CSV of Excel on Chinese Windows)"
    )


def _malformed_in_stream(line: int, fmt: str) -> str:
    """The warning that `line` of a stream (``triage score - -o - --stream``),
    the first so, is malformed in format `fmt`."""
    what = (
        "no JSON object"
        if fmt == "jsonl"
        else "a record of another number of fields than the header, or one a quote broke"
    )
    return (
        f"<stdin>: line {line:,} is malformed ({what}) and skipped, as is each such line "
        "after it: the summary lists them once the input ends (ScoreSummary.malformed_lines)"
    )


def _dropping(path: str | os.PathLike[str], extra: list[Any], first: Any, chunk_size: int) -> str:
    """The warning that `extra` columns of `path` are dropped."""
    names = ", ".join(map(_shown, extra))
    if Path(path) != Path(first):
        return (
            f"{path}: dropping {plural(len(extra), 'column')} {names}, not in {first}, the "
            "first file read, whose columns every row gets"
        )
    return (
        f"{path}: dropping {plural(len(extra), 'key')} {names}, not in the first chunk of "
        f"{counted(chunk_size, 'record')}, "
        "whose columns every row gets; a larger --chunk-size (chunk_size=) keeps them"
    )


def _dropping_in_stream(name: str, extra: list[Any], added: list[Any]) -> str:
    """The warning that a stream's `extra` JSONL keys are dropped: its
    columns are the first record's keys, with the text, id and context keys
    it left out (`added`) from the first records that have them."""
    said = (
        f"{name}: dropping {plural(len(extra), 'key')} {', '.join(map(_shown, extra))}, "
        "not in the first record, whose keys every row gets"
    )
    if added:
        later = (
            "the first record that has it"
            if len(added) == 1
            else "the first records that have them"
        )
        said += f", with {', '.join(map(_shown, added))}, which it left out, from {later}"
    return said


def _with_scores(frame: pd.DataFrame, scores: pd.DataFrame) -> pd.DataFrame:
    """The input rows with their scores beside them; a score column whose name an
    input column already has, in any letter case, is written as ``triage_<name>``.

    Names are compared as SQL engines, Spark, Hive and BigQuery read them,
    whatever their case: a CRM's ``Priority`` beside the score's ``priority``
    would be one column to them, or the score renamed ``priority_1``.

    Beside columns of several levels (a pivot's, or a spreadsheet's header
    of two rows), a score column is ``(name, "", ...)``, as pandas names a
    column added to them, so that ``out["priority"]`` is the scores' and the
    input's columns stay levels (``out["meta"]``); its name is compared with
    their first level. A flat index of tuples and names held neither. The
    names of the levels (``frame.columns.names``) are kept.
    """
    import pandas as pd

    levels = frame.columns.nlevels
    first = frame.columns.get_level_values(0) if levels > 1 else frame.columns
    taken = {c.casefold() if isinstance(c, str) else c for c in first}
    clash = {}
    for c in scores.columns:
        if c.casefold() in taken:
            name = f"triage_{c}"
            while name.casefold() in taken:  # a file scored before holds triage_<name> too
                name = f"triage_{name}"
            clash[c] = name
            taken.add(name.casefold())
    if clash:
        scores = scores.rename(columns=clash)
    names = frame.columns.names  # the levels' names, kept by the columns added to them
    if levels > 1:
        padded = [(c, *[""] * (levels - 1)) for c in scores.columns]
        scores = scores.set_axis(pd.MultiIndex.from_tuples(padded, names=names), axis=1)
    else:
        scores = scores.set_axis(scores.columns.rename(frame.columns.name), axis=1)
    return _side_by_side(frame, scores)


def _side_by_side(left: pd.DataFrame, right: pd.DataFrame) -> pd.DataFrame:
    """``left`` and ``right`` side by side, row by row (same length, `left`'s index)."""
    import pandas as pd

    if not len(left.columns):
        return right
    right.index = left.index
    out: pd.DataFrame = pd.concat([left, right], axis=1)
    return out
