"""Retraining on your own complaints: the library behind the notebooks.

A data scientist who retrains needs five things, each a plain function here so
that a notebook only calls them and shows the results:

- `cross_validate`: per-fold and mean per-label figures of a model trained on
  the labeled rows (stratified by primary category);
- `tune_thresholds`: a copy of a model whose per-label decision thresholds are
  re-chosen on labeled rows, stored in the model (they survive `save_model`);
- `compare_models`: two models on the same labeled rows, per-label deltas with
  bootstrap confidence intervals;
- `select_for_labeling` and `export_for_labeling`: which unlabeled complaints
  to label next (uncertainty and diversity sampling), as a CSV ready for
  labeling;
- `split_labeled`: a stratified split of a labeled frame (e.g. dev into a
  tuning half and a test half);
- `Folds`, `cv_splits` and `scorer`: the folds of `cross_validate` (as a
  splitter, or as the positions of one frame) and single figures of
  `triage.evaluate`, for scikit-learn's ``GridSearchCV`` and
  ``cross_val_score``.

Weakly labeled data for ``extra=`` comes from `triage.weak`; figures from
`triage.plots`.
"""

from __future__ import annotations

import copy
import logging
import math
import os
import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from triage._io import guard_formulas, is_missing
from triage._paths import user_path
from triage._words import counted, names_shown, plural
from triage.exceptions import (
    ColumnError,
    LabelColumnError,
    LabelError,
    ParameterError,
    TriageWarning,
    user_stacklevel,
)
from triage.labeled import (
    HEADS,
    _cell,
    _text_problem,
    check_heads,
    check_labels,
    check_partial,
    excluded_texts,
    group_splits,
    labeled_heads,
    model_texts,
    parse_labels,
    require_frame,
)
from triage.labels import CATEGORIES, EMOTION_COLUMNS, EMOTIONS, PRIORITIES

if TYPE_CHECKING:
    import pandas as pd

    from triage.evaluation import Evaluation
    from triage.lexicon import LexiconModel
    from triage.model import TriageModel
    from triage.priority import Policy

__all__ = [
    "LABELING_COLUMNS",
    "SCORER_NAMES",
    "STRATEGIES",
    "Comparison",
    "CrossValidation",
    "Folds",
    "compare_models",
    "cross_validate",
    "cv_splits",
    "export_for_labeling",
    "scorer",
    "select_for_labeling",
    "split_labeled",
    "tune_thresholds",
]

logger = logging.getLogger(__name__)

Array = np.ndarray[Any, np.dtype[Any]]

#: Columns of a file to label: the labeled-file format with empty label cells.
LABELING_COLUMNS: tuple[str, ...] = (
    "id",
    "source",
    "text",
    "categories",
    "primary",
    *EMOTION_COLUMNS,
    "priority",
)

#: Strategies of `select_for_labeling`.
STRATEGIES: tuple[str, ...] = ("uncertainty", "diversity", "mixed")

_HEADS = ("categories", "presence", "strong")
#: The head of the labels each head of thresholds is tuned on (`labeled_heads`).
_TUNED_ON = {"categories": "categories", "presence": "emotions", "strong": "emotions"}


def _check_tunable(
    frame: pd.DataFrame, heads: Sequence[str], labeled: Sequence[str], why: dict[str, str]
) -> None:
    """Refuse to tune `heads` of thresholds on a frame that does not label
    their labels (`labeled`, and `why` of the others, of `labeled_heads`),
    naming those it can tune, or `triage.evaluate` when none."""
    unmet = [h for h in heads if _TUNED_ON[h] not in labeled]
    if not unmet:
        return
    lacking = [h for h in HEADS if h in {_TUNED_ON[u] for u in unmet}]
    tunable = [h for h in _HEADS if _TUNED_ON[h] in labeled]
    names = {"categories": "categories", "emotions": "the five emotions"}
    said = "; ".join(
        f"{', '.join(u for u in unmet if _TUNED_ON[u] == h)} from {names[h]} ({why[h]})"
        for h in lacking
    )
    fix = (
        f"pass heads={tunable!r} to tune those of the labels it has"
        if tunable
        else f"evaluate the heads it labels ({', '.join(labeled)}) with triage.evaluate, "
        "which takes some heads alone"
    )
    error = LabelColumnError if all(why[h] == "no column" for h in lacking) else LabelError
    raise error(
        f"tune_thresholds tunes {said}, which the frame does not label: label "
        f"{'them' if lacking != ['categories'] else 'it'}, or {fix}; the columns are "
        f"{names_shown(frame.columns)}"
    )


def _require_int(name: str, value: Any, low: int, allowed: str) -> None:
    """Refuse a count argument that is not an int >= `low`, as `TriageModel`
    does its own: numpy integers are ints (``folds=np.int64(3)`` from a
    grid), True and False are not."""
    from triage.model import _is_int

    if not (_is_int(value) and value >= low):
        raise ParameterError(f"{name} must be {allowed}, got {value!r}")


def _is_number(value: Any) -> bool:
    """A finite number, numpy's too (``np.float32(0.3)``), as `TriageModel`
    takes its own; True and False are not numbers here."""
    from triage.model import _is_number as is_number

    return is_number(value)


def _require_seed(random_state: Any) -> None:
    from triage.model import check_seed

    check_seed(random_state)


# -- splitting -------------------------------------------------------------------


def _strata(frame: pd.DataFrame, folds: int, column: str = "primary") -> Array | None:
    """Primary category per row (or the cell of another `column`), rare strata
    merged; None when stratifying cannot work.

    A stratum of fewer rows than `folds` cannot be spread over them: the rare
    ones are pooled, and a pool still that small joins the largest stratum,
    so that three texts that are no complaint do not leave every category
    unstratified.
    """
    # an empty cell is "" however pandas holds it (NaN of plain read_csv, None,
    # pd.NA): spelt "nan", the rows of no complaint sorted among the categories
    # and drew other folds from the same seed
    primary = np.array([_cell(p) for p in frame[column].tolist()], dtype=object)
    values, counts = np.unique(primary, return_counts=True)
    small = counts < folds
    if small.any():
        into = "~rare"
        if counts[small].sum() < folds and not small.all():
            into = values[~small][np.argmax(counts[~small])]
        rare = set(values[small].tolist())
        primary = np.array([into if p in rare else p for p in primary], dtype=object)
        values, counts = np.unique(primary, return_counts=True)
    if counts.min() < folds or len(values) < 2:
        return None
    return primary


def _splits(frame: pd.DataFrame, folds: int, random_state: int) -> list[tuple[Array, Array]]:
    """Stratified folds of `frame` that keep every copy of a text in one fold."""
    from sklearn.model_selection import KFold, StratifiedKFold

    def split(rows: Array) -> Iterable[tuple[Array, Array]]:
        if folds > len(rows):
            raise ParameterError(
                f"folds={folds} is more than the {counted(len(rows), 'distinct text')} of the frame"
            )
        strata = _strata(frame.iloc[rows], folds)
        dummy = np.zeros(len(rows))
        if strata is None:
            return list(KFold(folds, shuffle=True, random_state=random_state).split(dummy))
        splitter = StratifiedKFold(folds, shuffle=True, random_state=random_state)
        return list(splitter.split(dummy, strata))

    return group_splits(model_texts(frame["text"]), split)


def cv_splits(
    frame: pd.DataFrame, folds: int = 5, *, random_state: int = 0
) -> list[tuple[Array, Array]]:
    """The folds of `cross_validate`, as ``cv=`` of scikit-learn's model selection.

    scikit-learn's own folds (``cv=5``) cut a labeled frame by position: a
    text labeled twice, or copied with other punctuation, is then trained on
    and tested on in one fold, which flatters the parameters that fit such
    copies best. These folds are stratified by primary category (rare ones
    pooled) and keep every copy of a text, equal once normalised, in one
    fold, as `cross_validate` and `split_labeled` do.

    They are positions in `frame`, for a search fitted on `frame` itself; a
    search fitted on other rows (inside `cross_val_score`, say) takes
    ``cv=Folds(folds)``, which cuts the frame it is given.

    Parameters
    ----------
    frame : DataFrame
        The labeled complaints the search is fitted on (validated first).
    folds : int, default 5
        Number of folds, at least 2 and at most the number of distinct texts.
    random_state : int, default 0
        Seed of the shuffle; the same frame and seed give the same folds.

    Returns
    -------
    list of (ndarray, ndarray)
        Per fold, the positions of the training rows and of the test rows.

    Examples
    --------
    >>> import pandas as pd
    >>> texts = ["快递太慢!", "快递太慢！", "三天还没发货", "物流一直不更新"]
    >>> frame = pd.DataFrame({"text": texts, "categories": "logistics",
    ...     "primary": "logistics", "angry": "1", "anxious": "0", "confused": "0",
    ...     "humorous": "0", "aggrieved": "0", "priority": "P3"})
    >>> sorted(test.tolist() for _, test in cv_splits(frame, folds=3))
    [[0, 1], [2], [3]]
    """
    splitter = Folds(folds, random_state=random_state)
    return _folds(frame, splitter.folds, splitter.random_state, "cv_splits")


def _folds(
    frame: pd.DataFrame, folds: int, random_state: int, use: str
) -> list[tuple[Array, Array]]:
    """`_splits` of a labeled frame, validated first: `use` (``cv_splits``,
    ``Folds.split``) gives the folds of a search, which trains on every head."""
    check_labels(frame, use=f"{use}, whose folds a search trains on,")
    if folds > len(frame):
        raise ParameterError(f"folds={folds} is more than the {counted(len(frame), 'labeled row')}")
    return _splits(frame, folds, random_state)


class Folds:
    """The folds of `cross_validate` as a scikit-learn splitter, for ``cv=``.

    As `cv_splits`, but cut from the frame scikit-learn is fitting, whatever
    it is: a search inside `cross_val_score` (nested cross-validation) is
    fitted on each outer fold's training rows, whose positions the folds
    `cv_splits` gave for the whole frame do not fit (an ``IndexError``, or
    rows of another frame taken as folds of this one).

    Parameters
    ----------
    folds : int, default 5
        Number of folds, at least 2 and at most the number of distinct texts
        of the frame split.
    random_state : int, default 0
        Seed of the shuffle; the same frame and seed give the same folds.

    Examples
    --------
    >>> import pandas as pd
    >>> texts = ["快递太慢!", "快递太慢！", "三天还没发货", "物流一直不更新"]
    >>> frame = pd.DataFrame({"text": texts, "categories": "logistics",
    ...     "primary": "logistics", "angry": "1", "anxious": "0", "confused": "0",
    ...     "humorous": "0", "aggrieved": "0", "priority": "P3"})
    >>> splitter = Folds(3)
    >>> splitter.get_n_splits(), sorted(test.tolist() for _, test in splitter.split(frame))
    (3, [[0, 1], [2], [3]])
    """

    def __init__(self, folds: int = 5, *, random_state: int = 0) -> None:
        _require_int("folds", folds, 2, "an int of at least 2")
        _require_seed(random_state)
        self.folds = folds
        self.random_state = random_state

    def split(
        self, X: pd.DataFrame | Sequence[str], y: pd.DataFrame | None = None, groups: Any = None
    ) -> Iterable[tuple[Array, Array]]:
        """Per fold, the positions in `X` of the training rows and of the test rows.

        Parameters
        ----------
        X, y
            Labeled complaints, as `TriageModel.fit` takes them: a frame in
            the labeled file format, or the texts and a frame of their label
            columns (validated first).
        groups : ignored
            Copies of a text, equal once normalised, are the groups.

        Returns
        -------
        iterable of (ndarray, ndarray)

        Raises
        ------
        LabelError
            The rows are not valid labeled data.
        ParameterError
            `folds` is more than the rows, or `X` and `y` are not labeled
            complaints (as `TriageModel.fit` refuses them).
        """
        from triage.model import _labeled_frame

        return _folds(_labeled_frame(X, y, "split"), self.folds, self.random_state, "Folds.split")

    def get_n_splits(self, X: Any = None, y: Any = None, groups: Any = None) -> int:
        """The number of folds (scikit-learn's splitter protocol; the arguments are ignored)."""
        return int(self.folds)

    def __repr__(self) -> str:
        return f"Folds({self.folds!r}, random_state={self.random_state!r})"


def split_labeled(
    frame: pd.DataFrame, *, test_size: float = 0.5, random_state: int = 0
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split a labeled frame in two, stratified by primary category.

    Use it to keep rows apart for an honest check, e.g. tune thresholds on one
    half of dev and measure on the other. Copies of a text (equal once
    normalised) stay together, so `test_size` is a share of the distinct
    texts.

    A frame may label some heads alone, as `triage.evaluate` takes it
    (`triage.labeled.labeled_heads`): a support team's categories and
    primary are split as the full frame of those rows is; an analyst's
    priorities, stratified by priority (each half keeps its share of P1);
    the five emotions alone, or the categories without a primary, not
    stratified.

    Parameters
    ----------
    frame : DataFrame
        Labeled complaints, of every head or some (validated first, for those).
    test_size : float, default 0.5
        Share of rows in the second frame, strictly between 0 and 1.
    random_state : int, default 0

    Returns
    -------
    (DataFrame, DataFrame)
        The first and second part, each with a fresh index.

    Examples
    --------
    >>> import pandas as pd
    >>> texts = ["快递太慢", "三天还没发货", "物流一直不更新", "包裹送错地址"]
    >>> frame = pd.DataFrame({"text": texts, "categories": ["logistics"] * 4,
    ...     "primary": ["logistics"] * 4, "angry": "0", "anxious": "0", "confused": "0",
    ...     "humorous": "0", "aggrieved": "0", "priority": "P3"})
    >>> a, b = split_labeled(frame, test_size=0.25)
    >>> len(a), len(b)
    (3, 1)
    """
    from sklearn.model_selection import train_test_split

    if not (_is_number(test_size) and 0 < test_size < 1):
        raise ParameterError(f"test_size must be strictly between 0 and 1, got {test_size!r}")
    _require_seed(random_state)
    heads, why = labeled_heads(frame)
    if why:  # checked for the heads it labels, as evaluate checks it
        check_heads(frame, heads)
    else:
        check_labels(frame)
    by = "primary" if "primary" in heads else "priority" if "priority" in heads else None

    def split(rows: Array) -> list[tuple[Array, Array]]:
        n_test = max(1, round(len(rows) * test_size))
        if n_test >= len(rows):
            raise ParameterError(
                f"cannot split {counted(len(frame), 'row')} "
                f"({counted(len(rows), 'distinct text')}) with test_size={test_size}"
            )
        strata = None if by is None else _strata(frame.iloc[rows], 2, by)
        if strata is not None and min(n_test, len(rows) - n_test) < len(set(strata.tolist())):
            strata = None
        first, second = train_test_split(
            np.arange(len(rows)), test_size=n_test, random_state=random_state, stratify=strata
        )
        return [(first, second)]

    [(first, second)] = group_splits(model_texts(frame["text"]), split)
    return (
        frame.iloc[np.sort(first)].reset_index(drop=True),
        frame.iloc[np.sort(second)].reset_index(drop=True),
    )


# -- cross-validation ----------------------------------------------------------------


def _json_figure(value: float) -> float | None:
    """A figure for JSON, to four places: None where it is undefined (NaN), as in
    `Evaluation.to_dict`."""
    return None if math.isnan(value) else round(float(value), 4)


@dataclass(frozen=True, eq=False)
class CrossValidation:
    """Per-label figures of a model trained and tested on k folds of one frame.

    Attributes
    ----------
    per_fold : DataFrame
        One row per fold and label: ``fold``, ``group`` (``category``,
        ``emotion`` or ``priority``), ``label`` (including ``macro``),
        ``precision``, ``recall``, ``f1``, ``support``.
    per_label : DataFrame
        Indexed by (``group``, ``label``): mean ``precision``, ``recall``,
        ``f1`` over the folds, ``f1_std`` and the total ``support``.
    summary : DataFrame
        The headline figures (`Evaluation.summary`) of each fold as
        computed, unrounded, plus a ``mean`` row.
    evaluations : tuple of Evaluation
        The full evaluation of each fold, in fold order.
    """

    per_fold: pd.DataFrame
    per_label: pd.DataFrame
    summary: pd.DataFrame
    evaluations: tuple[Evaluation, ...]

    @property
    def folds(self) -> int:
        return len(self.evaluations)

    def to_dict(self) -> dict[str, Any]:
        """The mean figures as plain JSON-ready data (e.g. for a model card).

        A figure no fold could define (NaN) is None, as in `Evaluation.to_dict`.
        """
        values = self.summary.loc["mean"].to_numpy(dtype=float)
        mean = dict(zip(self.summary.columns, values.tolist(), strict=True))
        per_label: dict[str, Any] = {}
        for key, row in zip(self.per_label.index, self.per_label.to_dict("records"), strict=True):
            group, label = key
            per_label[f"{group}:{label}"] = {
                str(k): int(v) if k == "support" else _json_figure(float(v)) for k, v in row.items()
            }
        return {
            "folds": self.folds,
            "summary": {str(k): _json_figure(float(v)) for k, v in mean.items()},
            "per_label": per_label,
        }


def cross_validate(
    frame: pd.DataFrame,
    *,
    folds: int = 5,
    extra: pd.DataFrame | None = None,
    threshold_folds: int = 0,
    random_state: int = 0,
    policy: Policy | None = None,
    **params: Any,
) -> CrossValidation:
    """Train and test a `TriageModel` on k folds of a labeled frame.

    Folds are stratified by primary category (rare ones pooled), and copies
    of a text (equal once normalised) share a fold, so no fold is tested on a
    text it was trained on. Each fold trains on the other folds (plus all of
    `extra`, if given) and is scored with `triage.evaluate`.

    Parameters
    ----------
    frame : DataFrame
        Labeled complaints in the file format (validated first; every bad row
        is reported).
    folds : int, default 5
        Number of folds, at least 2 and at most the number of rows.
    extra : DataFrame, optional
        Partially or weakly labeled rows added to every training fold (see
        `TriageModel.fit`); they are never tested on, and a row whose text
        (normalised) is one a fold is tested on is left out of that fold's
        training.
    threshold_folds : int, default 0
        Passed to each fold's model. 0 keeps thresholds at 0.5 and leaves the
        models without their clause stage (``clause_stage``, learned from
        out-of-fold scores), which is much faster; pass 5 to measure exactly
        what `triage.train` would produce.
    random_state : int, default 0
        Seed of the folds and the models.
    policy : Policy, optional
        The priority policy each fold's priorities are read with (as
        `triage.evaluate` takes it); the default when omitted.
    **params
        Any other `TriageModel` parameter, e.g. ``C=2.0`` or ``n_jobs=2``.

    Returns
    -------
    CrossValidation

    Raises
    ------
    ParameterError
        A parameter that cannot work, or a `policy` that is no `Policy`,
        before any fold trains; or one that
        leaves a fold nothing to learn from (a ``min_df`` above the number of
        the fold's texts any term is in), naming the fold and its rows.

    Warns
    -----
    TriageWarning
        A fold whose training rows give a head a single class, no row of
        the least urgent priority or, with ``threshold_folds >= 2``, too few
        rows of a label to tune its threshold on (as `TriageModel.fit`
        warns), naming the fold.
    """
    import pandas as pd

    from triage._learn import FEW, FLOOR, ONE_CLASS
    from triage.evaluation import evaluate
    from triage.model import TriageModel
    from triage.priority import check_policy

    _require_int("folds", folds, 2, "an int of at least 2")
    check_policy(policy)
    check_labels(frame, use="cross_validate")
    if folds > len(frame):
        raise ParameterError(f"folds={folds} is more than the {counted(len(frame), 'labeled row')}")
    extra_texts: list[str] = []
    if extra is not None:
        require_frame(extra, "the extra training data")
        if len(extra):  # checked before any fold trains; none is no extra data, as in fit
            check_partial(extra)
            extra_texts = model_texts(extra["text"])
    texts = model_texts(frame["text"])
    # a typo or a bad value fails here, before any training
    TriageModel(threshold_folds=threshold_folds, random_state=random_state).set_params(
        **params
    )._check_params()
    rows: list[dict[str, Any]] = []
    summaries: list[dict[str, float]] = []
    evaluations: list[Evaluation] = []
    for k, (train_idx, test_idx) in enumerate(_splits(frame, folds, random_state)):
        model = TriageModel(threshold_folds=threshold_folds, random_state=random_state, **params)
        fold_extra = extra
        if extra is not None and extra_texts:  # none of the texts it is tested on
            held_out = {texts[i] for i in test_idx}
            keep = np.array([t not in held_out for t in extra_texts], dtype=bool)
            if not keep.all():
                fold_extra = extra[keep].reset_index(drop=True)
        fold = f"cross-validation fold {k + 1} of {folds}, trained on {len(train_idx)} of the"
        with warnings.catch_warnings(record=True) as caught:
            for start in (ONE_CLASS, FEW, FLOOR):
                warnings.filterwarnings("always", message=start, category=UserWarning)
            try:
                model.fit(frame.iloc[train_idx].reset_index(drop=True), extra=fold_extra)
            except ParameterError as exc:  # of what a fold holds (min_df), not of the frame
                raise ParameterError(f"{exc} ({fold} {len(frame)} rows)") from None
        for w in caught:
            if str(w.message).startswith((ONE_CLASS, FEW, FLOOR)):  # said again, naming the fold
                warnings.warn(
                    f"{w.message} ({fold} {len(frame)} rows)",
                    TriageWarning,
                    stacklevel=user_stacklevel(),
                )
            else:  # any other as it was, where it was
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        ev = evaluate(model, frame.iloc[test_idx].reset_index(drop=True), policy=policy)
        logger.info("fold %d/%d: %s", k + 1, folds, ev.summary())
        evaluations.append(ev)
        summaries.append(ev.summary(None))  # rounded once, where shown
        for group, table in (
            ("category", ev.categories),
            ("emotion", ev.emotions),
            ("priority", ev.priority),
        ):
            for label, r in table.iterrows():
                rows.append(
                    {
                        "fold": k,
                        "group": group,
                        "label": str(label),
                        "precision": float(r["precision"]),
                        "recall": float(r["recall"]),
                        "f1": float(r["f1"]),
                        "support": int(r["support"]),
                    }
                )
    per_fold = pd.DataFrame(rows)
    grouped = per_fold.groupby(["group", "label"], sort=False)
    per_label = grouped[["precision", "recall", "f1"]].mean()
    per_label["f1_std"] = grouped["f1"].std(ddof=1)
    per_label["support"] = grouped["support"].sum()
    summary = pd.DataFrame(
        summaries, index=pd.Index(range(len(summaries)), name="fold"), dtype=float
    )
    summary.loc["mean"] = summary.mean(axis=0)
    return CrossValidation(per_fold, per_label, summary, tuple(evaluations))


#: Figures of `Evaluation.summary` a `scorer` may give: all but the count
#: ``p1_as_p4``, which is better lower.
SCORER_NAMES: tuple[str, ...] = (
    "category_macro_f1",
    "primary_accuracy",
    "emotion_macro_f1",
    "priority_accuracy",
    "p1_recall",
    "p1_precision",
)


def scorer(name: str) -> _Scorer:
    """One figure of `triage.evaluate` as a scikit-learn scorer, for ``scoring=``.

    ``GridSearchCV(TriageModel(), grid)`` with no ``scoring`` ranks by
    `TriageModel.score`, a mean of three figures; ``scoring=scorer(name)``
    ranks by one. Several at once: ``scoring={"cat": scorer("category_macro_f1"),
    "p1": scorer("p1_recall")}, refit="cat"`` (each evaluates the fold
    again). scikit-learn's own names (``"f1_macro"``) do not apply: the
    labels are columns of the frame, not one ``y``.

    Parameters
    ----------
    name : str
        One of `SCORER_NAMES`, keys of `Evaluation.summary`. A figure a
        fold's rows cannot define (P1 recall without a P1 row) is NaN, which
        scikit-learn warns of and ranks last.

    Returns
    -------
    callable
        ``scorer(model, X, y=None) -> float``, X and y as
        `TriageModel.fit` takes them; it pickles, for ``n_jobs``. Its rows
        need label the head of its figure alone, as `triage.evaluate` takes
        them (a support team's categories and primary, for
        ``category_macro_f1``; an analyst's priorities, for ``p1_recall``):
        rows that do not are refused before any text is predicted, naming
        the heads they label (a `triage.exceptions.LabelColumnError` for the
        columns missing).

    Examples
    --------
    >>> scorer("p1_recall")
    scorer('p1_recall')
    """
    if name not in SCORER_NAMES:
        hint = " (a count, better lower)" if name == "p1_as_p4" else ""
        raise ParameterError(f"no scorer {name!r}{hint}; choose one of {', '.join(SCORER_NAMES)}")
    return _Scorer(name)


class _Scorer:
    """A `scorer`: a class of the module's, so that it pickles to workers."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, model: Any, X: Any, y: Any = None) -> float:
        from triage.evaluation import evaluate_for
        from triage.model import _labeled_frame

        frame = _labeled_frame(X, y, "score")
        figures = evaluate_for(model, frame, [self.name], repr(self)).summary(None)
        return float(figures[self.name])

    def __repr__(self) -> str:
        return f"scorer({self.name!r})"


# -- thresholds --------------------------------------------------------------------


def _gate(model: TriageModel, proba: dict[str, Array]) -> None:
    """Set the category probabilities (`_probabilities`) of the texts under
    the complaint gate to what the model decides for them, in place, and
    every probability of the texts it cannot read.

    The gate, not a threshold, takes their categories: tuned as though they
    applied, praise would raise every threshold it passed. Such a text has
    none (0.0), or, when it names a problem (``problem_cues``), its
    likeliest alone (1.0), whatever the thresholds. A text nothing learned
    applies to (``"low"``: no Chinese, no known term) has no category and
    no emotion whatever the thresholds (0.0): tuned as though it had, six
    English complaints labeled angry would lower angry's threshold to the
    probability every such text gets.
    """
    low = proba["low"]
    for head in ("categories", "presence", "strong"):
        proba[head][low] = 0.0
    if model.min_complaint_proba is None:
        return
    gated = np.flatnonzero(proba["complaint"] < model.min_complaint_proba)
    proba["categories"][gated] = 0.0
    kept = gated[~proba["low"][gated]]
    named, best = model.named_problems(proba["heads"], proba["texts"], kept)
    proba["categories"][named, best] = 1.0


def _probabilities(model: TriageModel, texts: Sequence[str]) -> dict[str, Array]:
    """Raw probabilities of the binary heads (categories, presence, strong,
    complaint) and texts (`_read`)."""
    return _read(model, texts)[0]


@dataclass(frozen=True, eq=False)
class _Decider:
    """What a model's category decision reads of some texts, computed once
    (`_read`), so that each set of thresholds tried costs the decision alone:
    the category heads' probabilities, the blended primary ones, the texts'
    polarity, which are of low confidence, the complaint head's probability,
    the normalised texts, their scored clauses (with the clause stage) and
    those that may keep a category by ``problem_cues`` (`TriageModel._naming`)."""

    cat_p: Array
    prim_p: Array
    senti: Array
    low: Array
    complaint_p: Array
    norm: list[str]
    scored: Any
    naming: Any
    # the clause stage's probabilities, by the thresholds they read
    staged: dict[bytes, Array] = field(default_factory=dict)

    def categories(self, model: TriageModel) -> Array:
        """The categories (n, 6) `model` gives the texts with its thresholds
        as they are now, the rescue of a negative text, the complaint gate
        and ``problem_cues`` included: those `predict_many` gives."""
        clause_p = None
        if self.scored is not None:
            # they read the heads' thresholds (and which categories the stage
            # has), not its own, which tuning moves
            assert model.clause_thresholds_ is not None
            key = model.thresholds_["categories"].tobytes()
            key += np.isnan(model.clause_thresholds_).tobytes()
            if key not in self.staged:
                self.staged[key] = model._clause_proba(self.cat_p, self.senti, scored=self.scored)
            clause_p = self.staged[key]
        labels: Array = model._decide_categories(
            self.cat_p,
            self.prim_p,
            self.senti,
            self.low,
            self.complaint_p,
            self.norm,
            self.scored,
            self.naming,
            clause_p,
        )[0]
        return labels


@dataclass(frozen=True, eq=False)
class _Pass:
    """What `predict_many` computes of some texts before it decides, each
    part once (`_pass`): the normalised texts and their tokens, the sparse
    term columns and the dense ones (`FeatureSpace.blocks`), the logits of
    every head, the category heads' probabilities, the texts' polarity,
    which are of low confidence, the scored clauses (with the clause stage,
    else None) and the probabilities that decide the categories (the clause
    stage's, with it)."""

    norm: list[str]
    toks: list[list[str]]
    X: Any
    dense: Array | None
    z: Array
    cat_p: Array
    senti: Array
    low: Array
    scored: Any
    categories: Array


def _pass(model: TriageModel, texts: Sequence[str]) -> _Pass:
    """`_Pass` of `texts`: the clause stage scores each text's clauses once."""
    from triage.model import _category_proba, low_confidence

    model._check_predicting()
    norm, toks, _ = model._docs(texts)
    X, dense, z, nnz = model._logits_of(norm, toks)
    cat_p = _category_proba(z, model._nb_logits(X))
    senti = np.fromiter(
        (model.sentiment_.score(t) for t in toks), dtype=np.float64, count=len(toks)
    )
    categories, scored = cat_p, None
    if model._staged() and len(norm):
        scored = model._clause_scores(norm, toks)
        categories = model._clause_proba(cat_p, senti, scored=scored)
    low = low_confidence(norm, nnz)
    return _Pass(norm, toks, X, dense, z, cat_p, senti, low, scored, categories)


def _read(model: TriageModel, texts: Sequence[str]) -> tuple[dict[str, Array], _Decider]:
    """The raw probabilities of the binary heads of `texts`, as `predict_many`
    computes them, and what the category decision reads of them (`_Decider`).

    ``"categories"`` are what decides the categories (the clause stage's,
    when the model has one), ``"heads"`` the category heads' own;
    ``"texts"`` holds the normalised texts, as an object array, and
    ``"low"`` which of them are of low confidence.
    """
    from triage.model import _COMPLAINT, _PRESENT, _STRONG, _sigmoid

    p = _pass(model, texts)
    complaint = _sigmoid(p.z[:, _COMPLAINT])
    proba = {
        "categories": p.categories.copy(),
        "presence": _sigmoid(p.z[:, _PRESENT]),
        "strong": _sigmoid(p.z[:, _STRONG]),
        "complaint": complaint,
        "texts": np.array(p.norm, dtype=object),
        # what the complaint gate and problem_cues read (`_gate`)
        "heads": p.cat_p,
        "low": p.low,
    }
    # the texts that may keep a category by problem_cues, found once
    naming = model._naming(p.cat_p, p.norm, np.flatnonzero(~p.low))
    prim_p = model._primary_proba(p.z, p.cat_p)
    decider = _Decider(p.cat_p, prim_p, p.senti, p.low, complaint, p.norm, p.scored, naming)
    return proba, decider


def _best_threshold(target: Array, proba: Array, beta: float) -> float:
    """The grid threshold maximising F-beta (ties: closest to 0.5)."""
    from triage._learn import _GRID, best_f1_threshold

    if beta == 1.0:
        return best_f1_threshold(target, proba)
    truth = np.asarray(target).astype(bool)
    b2 = beta * beta
    best, best_f = 0.5, -1.0
    for t in _GRID:
        pred = proba >= t
        tp = float(np.sum(pred & truth))
        fp = float(np.sum(pred & ~truth))
        fn = float(np.sum(~pred & truth))
        denom = (1 + b2) * tp + b2 * fn + fp
        f = (1 + b2) * tp / denom if denom else 0.0
        if f > best_f + 1e-12 or (abs(f - best_f) <= 1e-12 and abs(t - 0.5) < abs(best - 0.5)):
            best, best_f = float(t), f
    return best


def _f_beta(truth: Array, pred: Array, b2: float) -> float:
    """F-beta of the predictions `pred` of `truth` (both bool), ``b2`` beta squared; 0 when
    neither has a positive."""
    tp = float(np.sum(pred & truth))
    denom = (1 + b2) * tp + b2 * float(np.sum(~pred & truth)) + float(np.sum(pred & ~truth))
    return (1 + b2) * tp / denom if denom else 0.0


#: Most rounds of `_tune_decided` over the categories; each stops it when no threshold moves.
_ROUNDS = 5


def _tune_decided(
    model: TriageModel,
    decider: _Decider,
    truth: Array,
    labels: Sequence[int],
    staged: Array,
    beta: float,
) -> None:
    """Choose again the thresholds of the categories `labels` of `model`, in
    place, each the grid value that maximises the F-beta of the categories
    the model gives (`_Decider.categories`) with the others' thresholds as
    they are, round after round until none moves (`_ROUNDS` at most).

    A threshold decides its category with the others: a negative text that
    no threshold gives a category keeps its likeliest (the rescue of
    `TriageModel.min_primary_proba`), and one that names a problem its
    named one. Each category's threshold maximised F-beta of its
    probabilities alone, so lowering the others' took from a frequent
    category the texts that the rescue gave it: its F1 fell on the very
    rows it was tuned on (product's by 0.0011, a model of 600 rows tuned on
    300 others).
    """
    from triage._learn import _GRID

    b2 = beta * beta
    for r in range(_ROUNDS):
        moved = False
        for j in labels:
            cuts = model.clause_thresholds_ if staged[j] else model.thresholds_["categories"]
            assert cuts is not None
            was = float(cuts[j])
            best, best_f = was, -1.0
            for t in _GRID:
                cuts[j] = t
                f = _f_beta(truth[:, j], decider.categories(model)[:, j], b2)
                if f > best_f + 1e-12 or (
                    abs(f - best_f) <= 1e-12 and abs(t - 0.5) < abs(best - 0.5)
                ):
                    best, best_f = float(t), f
            cuts[j] = best
            moved = moved or best != was
        if not moved:
            logger.debug("category thresholds settled in %d rounds", r + 1)
            return


def tune_thresholds(
    model: TriageModel,
    frame: pd.DataFrame,
    *,
    beta: float = 1.0,
    min_positives: int = 5,
    heads: Sequence[str] = _HEADS,
) -> TriageModel:
    """A copy of `model` with per-label decision thresholds chosen on `frame`.

    For each binary head, the threshold on the grid 0.05, 0.06 ... 0.95 that
    maximises F-beta on `frame` is kept (ties go to the value closest to 0.5).
    Strength heads ("intensity 2") are tuned on the rows where the emotion is
    present. A category's F-beta is that of the categories the model gives
    the rows, which its threshold decides with the others': a negative text
    that no threshold gives a category keeps its likeliest, so lowering the
    others' thresholds takes texts from the categories that this rescue gave
    them. Each category's threshold is chosen again, the others' as tuned,
    until none moves (five rounds at most). A category may still end a little below its F-beta
    before, when the others' gains took the rescued texts it cannot win
    back with its own threshold (logistics, -0.004 of F1, for a model of
    500 rows tuned on 568 others, where the mean rose by 0.061).

    A label with fewer than `min_positives` positive rows keeps its
    threshold: a handful of examples would only fit noise. So does a label
    whose probability is the same for every row of `frame`, which no
    threshold can tell apart (the constant head of a label the training
    labels gave a single class), with a `TriageWarning` naming it.

    For a model with the clause stage (``clause_stage``), a category's
    threshold is the stage's (``clause_thresholds_``), tuned on its
    probabilities, which decide the category; ``thresholds_["categories"]``
    then only feeds the stage and is kept. A text under the model's
    ``min_complaint_proba`` has no category whatever the thresholds: it is
    tuned on as one the model gives none, as is a text the model cannot
    read (no Chinese, or no term it knows), which has no emotion either.

    The thresholds live in ``thresholds_`` (and ``clause_thresholds_``) of
    the returned model, so `save_model` keeps them; ``threshold_source_`` records the rows they were
    tuned on (count and fingerprint), `beta`, which labels changed and the
    previous values. `model` itself is not modified. The copy has no
    ``card_``: the card of the file `model` was loaded from describes that
    file, not the copy (`triage.batch.scored_by` would name the file).

    Tuning on a frame and then measuring on the same frame flatters the model:
    measure on other rows (see `split_labeled`).

    Parameters
    ----------
    model : TriageModel
        A fitted model.
    frame : DataFrame
        Labeled complaints (validated first), of every head or some, as
        `triage.evaluate` takes them (`triage.labeled.labeled_heads`): the
        category thresholds are tuned on ``categories`` alone (a support
        team's categories and primary), those of ``presence`` and
        ``strong`` on the five emotions; ``threshold_source_`` then names
        the heads the frame labels (``labeled``), its fingerprint being of
        their columns.
    beta : float, default 1.0
        F-beta to maximise; above 1 favours recall, below 1 precision.
    min_positives : int, default 5
        Fewest positive rows a label needs to be tuned.
    heads : sequence of str, default ("categories", "presence", "strong")
        Which heads to tune; of a frame of some heads, those of its labels
        (``heads=["categories"]`` for a support team's).

    Returns
    -------
    TriageModel

    Raises
    ------
    LabelError
        `frame` is not valid labeled data for the heads it labels, or does
        not label those of `heads`: the error names the heads it can tune
        (or, for an analyst's priorities, ``triage.evaluate``), before any
        text is read; a `triage.exceptions.LabelColumnError` for columns
        missing.
    ParameterError
        `model` is no fitted `TriageModel`, or `beta`, `min_positives` or
        `heads` are not what it takes.
    """
    from triage.model import TriageModel, fingerprint

    if not isinstance(model, TriageModel):
        raise ParameterError(f"tune_thresholds needs a TriageModel, got {type(model).__name__}")
    model._check_fitted()
    if not (_is_number(beta) and beta > 0):
        raise ParameterError(f"beta must be a positive number, got {beta!r}")
    _require_int("min_positives", min_positives, 1, "a positive int")
    if isinstance(heads, str):  # not its letters, each an unknown head
        raise ParameterError(
            f"heads must be a sequence of head names, not one str: heads=[{heads!r}]; "
            f"allowed: {', '.join(_HEADS)}"
        )
    try:  # read once: a generator checked here would be empty below, tuning nothing
        heads = tuple(heads)
    except TypeError:
        raise ParameterError(
            f"heads must be a sequence of head names, got {heads!r}; allowed: {', '.join(_HEADS)}"
        ) from None
    unknown = [h for h in heads if h not in _HEADS]
    if unknown:
        raise ParameterError(
            f"unknown {plural(len(unknown), 'head')} {names_shown(unknown)}; "
            f"allowed: {', '.join(_HEADS)}"
        )
    labeled, why = labeled_heads(frame)
    if why:  # a frame of some heads: the thresholds of theirs alone
        _check_tunable(frame, heads, labeled, why)
    y = parse_labels(frame, labeled)
    texts = frame["text"].tolist()
    proba, decider = _read(model, texts)
    _gate(model, proba)
    emotion_truth = y.emotions.astype(np.int64)
    targets: dict[str, tuple[Array, Array]] = {}
    for j, c in enumerate(CATEGORIES):
        targets[f"categories:{c}"] = (y.categories[:, j].astype(bool), proba["categories"][:, j])
    for j, e in enumerate(EMOTIONS):
        targets[f"presence:{e}"] = (emotion_truth[:, j] >= 1, proba["presence"][:, j])
        present = emotion_truth[:, j] >= 1
        targets[f"strong:{e}"] = (emotion_truth[present, j] == 2, proba["strong"][present, j])

    new = copy.deepcopy(model)
    # the card of a loaded model is its file's, which the copy is not
    new.__dict__.pop("card_", None)
    new.thresholds_ = {k: np.array(v, dtype=np.float64) for k, v in model.thresholds_.items()}
    # with the clause stage, its thresholds decide the categories it has a model of
    staged = np.zeros(len(CATEGORIES), dtype=bool)
    if model._staged() and model.clause_thresholds_ is not None:
        new.clause_thresholds_ = np.array(model.clause_thresholds_, dtype=np.float64)
        staged = ~np.isnan(new.clause_thresholds_)
    tuned: list[str] = []
    kept: list[str] = []
    alike: list[str] = []
    names = {"categories": CATEGORIES, "presence": EMOTIONS, "strong": EMOTIONS}
    for head in _HEADS:
        for j, label in enumerate(names[head]):
            key = f"{head}:{label}"
            truth, p = targets[key]
            if head not in heads:
                continue
            if int(truth.sum()) < min_positives:
                kept.append(key)
                continue
            if int(truth.sum()) < len(p) and float(np.ptp(p)) == 0.0:
                # positive and negative rows alike: each threshold gives all or none
                kept.append(key)
                alike.append(f"{key} ({float(p[0]):.3g}, {int(truth.sum())} of {len(p)} positive)")
                continue
            cut = _best_threshold(truth, p, float(beta))
            if head == "categories" and staged[j]:
                assert new.clause_thresholds_ is not None
                new.clause_thresholds_[j] = cut
            else:
                new.thresholds_[head][j] = cut
            tuned.append(key)
    moved = [j for j, c in enumerate(CATEGORIES) if f"categories:{c}" in tuned]
    if moved:
        _tune_decided(new, decider, y.categories.astype(bool), moved, staged, float(beta))
    if alike:
        warnings.warn(
            f"the model gives every row of frame one probability of these labels, so no "
            f"threshold tells their rows apart and they keep the model's: {'; '.join(alike)}. "
            "A head the training labels gave a single class predicts a constant: label rows "
            "of the missing class and train again.",
            TriageWarning,
            stacklevel=user_stacklevel(),
        )
    norm = [str(t) for t in proba["texts"]]  # normalised, as in training_fingerprint_
    previous: dict[str, list[float | None]] = {
        k: [round(float(x), 4) for x in v] for k, v in model.thresholds_.items()
    }
    if model.clause_thresholds_ is not None:
        previous["clause"] = [
            None if math.isnan(x) else round(float(x), 4) for x in model.clause_thresholds_
        ]
    columns = [c for h in labeled for c in HEADS[h]]
    source = {
        "rows": len(frame),
        # of the label columns of the heads the frame labels (all of them, as a rule)
        **({"labeled": list(labeled)} if why else {}),
        "fingerprint_sha256": fingerprint(norm, frame, columns if why else None),
        "beta": float(beta),
        "min_positives": min_positives,
        "tuned": tuned,
        "kept": kept,
        "previous": previous,
    }
    # not a declared attribute of TriageModel yet; pickled with the model all the same
    new.threshold_source_ = source
    logger.info("tuned %d thresholds on %d rows; kept %d", len(tuned), len(frame), len(kept))
    return new


# -- comparison --------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Comparison:
    """Two models on the same labeled rows, per label, with bootstrap intervals.

    Attributes
    ----------
    table : DataFrame
        One row per figure: ``group`` (``category``, ``emotion``,
        ``intensity``, ``primary``, ``priority``), ``label``, ``metric``
        (``f1``, ``accuracy`` or ``recall``), ``baseline``, ``candidate``,
        ``delta`` (candidate minus baseline), ``ci_low`` and ``ci_high`` (the
        95 % bootstrap interval of the delta), ``p_not_better`` (share of
        bootstrap resamples where the delta is <= 0, a one-sided p-value-like
        figure), ``support`` and ``verdict`` (``better`` or ``worse`` when the
        interval excludes 0, else empty). As in `triage.evaluate`, a figure
        the rows cannot define is NaN, not 0 (P1 recall without P1 rows, the
        F1 of a label neither labeled nor predicted), macro means are over
        the defined labels, and the bootstrap figures of a row are over the
        resamples where it is defined for both models.
    baseline, candidate : Evaluation
        The full evaluation of each model on the rows.
    names : (str, str)
        Display names of the baseline and the candidate.
    n_rows, n_boot : int
    """

    table: pd.DataFrame
    baseline: Evaluation
    candidate: Evaluation
    names: tuple[str, str]
    n_rows: int
    n_boot: int

    def to_frame(self) -> pd.DataFrame:
        """The table, indexed by (group, label)."""
        return self.table.set_index(["group", "label"])

    def summary(self) -> pd.DataFrame:
        """The headline rows: macro F1s, primary and priority accuracy, P1 recall."""
        keep = self.table["label"].isin(["macro", "accuracy", "P1"])
        return self.table[keep].set_index(["group", "label"])

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (e.g. notes of a model card); NaN becomes None."""
        return {
            "names": list(self.names),
            "rows": self.n_rows,
            "n_boot": self.n_boot,
            "table": [
                {k: (_json_figure(v) if isinstance(v, float) else v) for k, v in r.items()}
                for r in self.table.to_dict(orient="records")
            ],
        }


def _defined_mean(values: Array) -> Array:
    """Mean of each row over its defined (non-NaN) values, shape (n, 1); NaN when none."""
    defined = ~np.isnan(values)
    total = np.where(defined, values, 0.0).sum(axis=1, keepdims=True)
    count = defined.sum(axis=1, keepdims=True)
    out: Array = np.divide(total, count, out=np.full_like(total, np.nan), where=count > 0)
    return out


def _row_priorities(preds: Any, policy: Policy | None) -> Array:
    index = {str(p): j for j, p in enumerate(PRIORITIES)}
    return np.array(
        [index[str(preds.assessment(i, policy=policy).priority)] for i in range(len(preds))],
        dtype=np.int64,
    )


def _bootstrap_weights(n: int, n_boot: int, rng: np.random.Generator) -> Iterable[Array]:
    """Resample counts, (block, n) per block, so memory stays bounded."""
    block = max(1, min(n_boot, 4_000_000 // max(n, 1)))
    done = 0
    while done < n_boot:
        b = min(block, n_boot - done)
        idx = rng.integers(0, n, size=(b, n))
        offsets = (np.arange(b) * n)[:, None]
        counts = np.bincount((idx + offsets).ravel(), minlength=b * n).reshape(b, n)
        yield counts.astype(np.float64)
        done += b


def compare_models(
    baseline: TriageModel | LexiconModel | None,
    candidate: TriageModel | LexiconModel,
    frame: pd.DataFrame,
    *,
    n_boot: int = 1000,
    random_state: int = 0,
    names: tuple[str, str] = ("baseline", "candidate"),
    policy: Policy | None = None,
) -> Comparison:
    """Compare two models on one labeled frame, per label, with a bootstrap.

    Each model predicts the rows once; the rows are then resampled with
    replacement `n_boot` times (the same resamples for both models), and each
    figure is recomputed on every resample. The delta is candidate minus
    baseline: positive means the candidate is better.

    Figures: F1 of each category and emotion presence and their macro means,
    exact intensity accuracy of each emotion, primary accuracy (rows with a
    primary), priority accuracy and P1 recall (the priority engine applied).

    Parameters
    ----------
    baseline : TriageModel, LexiconModel or None
        The reference; None is the process default model (the shipped one
        unless `triage.set_default_model` was called).
    candidate : TriageModel or LexiconModel
        The model under test.
    frame : DataFrame
        Labeled complaints neither model was trained or tuned on.
    n_boot : int, default 1000
        Bootstrap resamples; 0 skips the intervals (NaN).
    random_state : int, default 0
    names : (str, str), default ("baseline", "candidate")
        Display names, used by `triage.plots` and `Comparison.to_dict`; the
        table columns stay ``baseline`` and ``candidate`` whatever the names.
    policy : Policy, optional
        Priority policy; the default when omitted.

    Returns
    -------
    Comparison

    Raises
    ------
    LabelError
        `frame` is not a valid labeled frame (see `triage.validate_labels`).
    ParameterError
        A model is no model (the path of a saved one, say: load it first
        with `triage.load_model`), or `policy` is no `Policy` (a path: load
        it with `triage.load_policy`), before any row is predicted.
    """
    import pandas as pd

    from triage._default import resolve_model
    from triage.evaluation import evaluate
    from triage.priority import check_policy

    _require_int("n_boot", n_boot, 0, "a non-negative int")
    check_policy(policy)
    _require_seed(random_state)
    if isinstance(names, str) or not isinstance(names, Sequence) or len(names) != 2:
        raise ParameterError(
            f"names must be two display names, (baseline, candidate), got {names!r}"
        )
    # the labels before the models: a baseline of None loads the default model
    y = parse_labels(frame, use="compare_models")
    baseline = resolve_model(baseline, needs="predict_many")
    candidate = resolve_model(candidate, needs="predict_many")
    texts = frame["text"].tolist()
    n = len(texts)
    if n == 0:
        raise ParameterError("compare_models needs at least one labeled row")
    same = candidate is baseline  # a model against itself (a check of the interval): once
    pa = baseline.predict_many(texts)
    pb = pa if same else candidate.predict_many(texts)
    ev_a = evaluate(baseline, frame, predictions=pa, policy=policy)
    ev_b = ev_a if same else evaluate(candidate, frame, predictions=pb, policy=policy)
    prio_a = _row_priorities(pa, policy)
    prio_b = prio_a if same else _row_priorities(pb, policy)

    # Each figure is a ratio of per-row sums: F1 = 2tp / (2tp + fp + fn),
    # accuracy = correct / counted. Stack the per-row numerators and
    # denominators of every figure, for both models, in one matrix.
    specs: list[tuple[str, str, str, int]] = []  # group, label, metric, support
    num_a: list[Array] = []
    num_b: list[Array] = []
    den_a: list[Array] = []
    den_b: list[Array] = []

    def f1_columns(group: str, labels: Sequence[Any], truth: Array, a: Array, b: Array) -> None:
        for j, label in enumerate(labels):
            t = truth[:, j]
            for pred, num, den in ((a[:, j], num_a, den_a), (b[:, j], num_b, den_b)):
                tp = (t & pred).astype(np.float64)
                num.append(2 * tp)
                den.append(2 * tp + (pred & ~t) + (~pred & t))
            specs.append((group, str(label), "f1", int(t.sum())))

    def accuracy_column(
        group: str, label: str, metric: str, mask: Array, a: Array, b: Array
    ) -> None:
        m = mask.astype(np.float64)
        num_a.append(a.astype(np.float64) * m)
        num_b.append(b.astype(np.float64) * m)
        den_a.append(m)
        den_b.append(m)
        specs.append((group, label, metric, int(mask.sum())))

    cat_truth = y.categories.astype(bool)
    emo_truth = y.emotions >= 1
    f1_columns("category", CATEGORIES, cat_truth, pa.category_labels, pb.category_labels)
    f1_columns("emotion", EMOTIONS, emo_truth, pa.intensity >= 1, pb.intensity >= 1)
    everyone = np.ones(n, dtype=bool)
    for j, e in enumerate(EMOTIONS):
        accuracy_column(
            "intensity",
            str(e),
            "accuracy",
            everyone,
            pa.intensity[:, j] == y.emotions[:, j],
            pb.intensity[:, j] == y.emotions[:, j],
        )
    has_primary = y.primary >= 0
    accuracy_column(
        "primary",
        "accuracy",
        "accuracy",
        has_primary,
        pa.primary == y.primary,
        pb.primary == y.primary,
    )
    accuracy_column(
        "priority", "accuracy", "accuracy", everyone, prio_a == y.priority, prio_b == y.priority
    )
    accuracy_column("priority", "P1", "recall", y.priority == 0, prio_a == 0, prio_b == 0)

    NA, NB = np.column_stack(num_a), np.column_stack(num_b)
    DA, DB = np.column_stack(den_a), np.column_stack(den_b)
    n_cat, n_emo = len(CATEGORIES), len(EMOTIONS)
    macro_blocks = {"category": slice(0, n_cat), "emotion": slice(n_cat, n_cat + n_emo)}

    def figures(w: Array) -> tuple[Array, Array]:
        """Every figure (columns) for every weight row, plus the two macro F1s.

        As in `triage.evaluate`, a figure without rows to define it (F1 of a
        label neither labeled nor predicted, P1 recall without P1 rows) is
        NaN, and a macro mean is over the defined labels.
        """
        out = []
        for num, den in ((NA, DA), (NB, DB)):
            top, bottom = w @ num, w @ den
            ratio = np.divide(top, bottom, out=np.full_like(top, np.nan), where=bottom > 0)
            macros = [_defined_mean(ratio[:, s]) for s in macro_blocks.values()]
            out.append(np.concatenate([ratio, *macros], axis=1))
        return out[0], out[1]

    point_a, point_b = (f[0] for f in figures(np.ones((1, n))))
    for group, s in macro_blocks.items():
        support = sum(sp[3] for sp in specs[s])
        specs.append((group, "macro", "f1", support))

    deltas: list[Array] = []
    rng = np.random.default_rng(random_state)
    for w in _bootstrap_weights(n, n_boot, rng):
        fa, fb = figures(w)
        deltas.append(fb - fa)
    low, high, p_not_better = (np.full(len(specs), np.nan) for _ in range(3))
    if deltas:
        # a resample where a figure is undefined for either model gives it no delta
        boot = np.concatenate(deltas, axis=0)
        for j in range(boot.shape[1]):
            defined = boot[:, j][~np.isnan(boot[:, j])]
            if defined.size:
                low[j], high[j] = np.percentile(defined, [2.5, 97.5])
                p_not_better[j] = float(np.mean(defined <= 1e-12))

    delta = point_b - point_a
    verdict = np.where(low > 0, "better", np.where(high < 0, "worse", ""))
    table = pd.DataFrame(
        {
            "group": [s[0] for s in specs],
            "label": [s[1] for s in specs],
            "metric": [s[2] for s in specs],
            "baseline": point_a,
            "candidate": point_b,
            "delta": delta,
            "ci_low": low,
            "ci_high": high,
            "p_not_better": p_not_better,
            "support": [s[3] for s in specs],
            "verdict": verdict,
        }
    )
    order = {"category": 0, "emotion": 1, "intensity": 2, "primary": 3, "priority": 4}
    table = table.sort_values("group", key=lambda s: s.map(order), kind="stable", ignore_index=True)
    return Comparison(table, ev_a, ev_b, (str(names[0]), str(names[1])), n, n_boot)


# -- what to label next --------------------------------------------------------------


def _uncertainty(model: TriageModel, p: _Pass) -> tuple[Array, Array]:
    """Mean closeness to the decision threshold over the category and presence heads.

    Per head ``1 - |p - t| / max(t, 1 - t)``: 1 on the threshold, 0 at 0 or 1.
    With the clause stage, a category's p and t are the stage's, which decide
    it. Returns the score per row and the index of the most uncertain head.
    """
    from triage.model import _PRESENT, _sigmoid

    cat_t = model.thresholds_["categories"]
    if model._staged():
        staged = model.clause_thresholds_
        assert staged is not None
        cat_t = np.where(np.isnan(staged), cat_t, staged)
    prob = np.concatenate([p.categories, _sigmoid(p.z[:, _PRESENT])], axis=1)
    t = np.concatenate([cat_t, model.thresholds_["presence"]])
    close = 1.0 - np.abs(prob - t) / np.maximum(t, 1.0 - t)
    close = np.clip(close, 0.0, 1.0)
    return close.mean(axis=1), close.argmax(axis=1)


#: Dimensions of the latent space the rows to choose from are clustered in.
_LSA_DIMS = 100


def _latent(X: Any, random_state: int) -> Array:
    """The rows of the TF-IDF matrix `X` as unit vectors of at most
    `_LSA_DIMS` dimensions (latent semantic analysis, scikit-learn's
    ``TruncatedSVD``), which k-means clusters.

    k-means on the TF-IDF vectors themselves held each centre as a dense row
    of every term of the model (some 50,000) and compared every row with
    every centre in them: choosing 500 of 2,500 uncertain rows took 90 s,
    against 6 s in the latent space, its own reduction included.
    """
    from sklearn.decomposition import TruncatedSVD
    from sklearn.preprocessing import normalize

    # k-means runs on more rows than clusters, so on two rows at least
    dims = max(1, min(_LSA_DIMS, X.shape[0] - 1, X.shape[1] - 1))
    svd = TruncatedSVD(dims, random_state=random_state)
    # `X` is the caller's to give up: its rows are scaled where they are, not
    # copied (the whole pool's TF-IDF rows, 72 MB for 20,000 texts)
    latent: Array = normalize(svd.fit_transform(normalize(X, copy=False)))
    return latent


#: Texts predicted at once when choosing: as many as a chunk of `triage.score_frame`.
_CHUNK = 5000


def _doubts(
    model: TriageModel, texts: list[str], *, features: bool, n_jobs: int = 1, sent: Any = None
) -> tuple[Array, Array, Any]:
    """`_uncertainty` of every text and the most uncertain head (0 and -1
    for a text of no confidence: no Chinese, no features), and with `features`
    the texts' TF-IDF rows (`_tfidf`), else None.

    The texts are read `_CHUNK` at a time, as `triage.score_frame` predicts
    a file's: reading a pool at once held every row's tokens, features and
    clauses together, 1.15 GB above a warmed-up process for 100,000 texts
    (some 12 GB for a year's million), where a chunk's are let go once its
    doubts (and TF-IDF rows) are kept (0.21 GB for the same texts). Each
    chunk is read once (`_pass`): the features and the clause stage's
    scores that `predict_many` computed were computed again for the
    doubts, and the features once more for the rows to cluster.

    With `n_jobs` above 1, the chunks (smaller, so that each worker has
    several) are read in `triage.score_frame`'s worker processes, which load
    `sent`: the model as the caller gave it (None: the default, which each
    worker loads itself).
    """
    from functools import partial

    size = _CHUNK if n_jobs == 1 else min(_CHUNK, max(256, -(-len(texts) // (4 * n_jobs))))
    starts = range(0, len(texts), size)
    work = partial(_doubt_rows, features=features)
    if n_jobs == 1:
        parts: Iterable[dict[str, Any]] = (work(texts[at : at + size], model) for at in starts)
    else:
        from triage.batch import _Workers

        tasks = ((None, texts[at : at + size], None) for at in starts)
        parts = (cols for _, cols in _Workers(n_jobs, sent, None, work=work).map(tasks))
    scores, heads, blocks = [], [], []
    for cols in parts:
        scores.append(cols["score"])
        heads.append(cols["head"])
        if features:
            blocks.append(cols["X"])
    from scipy.sparse import vstack

    X = vstack(blocks, format="csr") if blocks else None
    return np.concatenate(scores), np.concatenate(heads), X


def _doubt_rows(texts: list[str], model: Any, *_: Any, features: bool) -> dict[str, Any]:
    """`_doubts` of one chunk, as the workers of `triage.batch` do their work
    (`_Workers`): `model` as sent (or None, the default), the other
    arguments, a scoring's, ignored."""
    from triage._default import resolve_model
    from triage.batch import _resolve_shared

    resolved = cast("TriageModel", resolve_model(_resolve_shared(model), needs="thresholds_"))
    p = _pass(resolved, texts)
    score, head = _uncertainty(resolved, p)
    # a text the model cannot read has no head in doubt, nor a doubt
    cols = {"score": np.where(p.low, 0.0, score), "head": np.where(p.low, -1, head)}
    if features:
        cols["X"] = _tfidf(resolved, p.X, p.dense)
    return cols


def _tfidf(model: TriageModel, X: Any, dense: Array | None) -> Any:
    """The TF-IDF rows (term columns alone: the vocabulary's and the word
    vector's, not the cues) of the sparse and dense columns of some texts
    (`FeatureSpace.blocks`), which k-means clusters."""
    from scipy.sparse import csr_matrix, hstack

    dims = model.features_.n_dims
    if not dims or dense is None:
        return X
    return hstack([X, csr_matrix(dense[:, :dims])], format="csr")


def _kmeans_pick(
    Xn: Array, score: Array, n: int, *, prefer_uncertain: bool, random_state: int
) -> tuple[Array, Array]:
    """One row per k-means cluster of the rows `Xn` (TF-IDF rows in their
    latent space, `_latent`): the most uncertain, or the one nearest the
    centre; and each row's cluster.

    Clusters that k-means leaves empty (rows that share a point: texts of
    the same words, or none the model knows) are made up with the most
    uncertain rows left, whose cluster is -1: each is nearest a centre
    another row was taken for, which a repeated cluster would claim twice.
    """
    from sklearn.cluster import MiniBatchKMeans

    k = min(n, Xn.shape[0])
    km = MiniBatchKMeans(
        n_clusters=k, n_init=3, random_state=random_state, batch_size=max(1024, 3 * k)
    )
    labels = km.fit_predict(Xn)
    rows = np.arange(Xn.shape[0])
    if prefer_uncertain:
        key = -score
    else:
        # each row's distance to its own centre, `_CHUNK` rows at a time: the
        # distances to every centre were held for all rows at once, 8 bytes
        # a row and centre (400 MB for 500 centres of 100,000 rows)
        key = np.empty(len(rows))
        for at in range(0, len(rows), _CHUNK):
            part = rows[at : at + _CHUNK]
            key[part] = km.transform(Xn[part])[np.arange(len(part)), labels[part]]
    # by cluster, then key, then row: the first of each cluster is its pick
    order = np.lexsort((rows, key, labels))
    first = np.ones(len(order), dtype=bool)
    first[1:] = labels[order[1:]] != labels[order[:-1]]
    picked = order[first].astype(np.intp)
    groups = labels[picked].astype(np.intp)
    if picked.size < n:  # empty clusters: fill with the most uncertain rest
        rest = np.setdiff1d(np.arange(Xn.shape[0]), picked)
        rest = rest[np.lexsort((rest, -score[rest]))][: n - picked.size]
        picked = np.concatenate([picked, rest])
        groups = np.concatenate([groups, np.full(rest.size, -1, dtype=np.intp)])
    return picked, groups


def select_for_labeling(
    model: TriageModel | None,
    data: pd.DataFrame | Iterable[str | None],
    *,
    n: int = 100,
    strategy: str = "mixed",
    text_column: str = "text",
    exclude: Iterable[str] | None = None,
    pool_factor: int = 5,
    id_prefix: str = "unlabeled",
    random_state: int = 0,
    n_jobs: int | None = 1,
) -> pd.DataFrame:
    """Choose which unlabeled complaints to label next.

    Strategies:

    - ``"uncertainty"``: the `n` rows whose probabilities sit closest to the
      decision thresholds of the category and emotion heads (mean over the 11
      heads of ``1 - |p - t| / max(t, 1 - t)``; for the categories, those of
      the clause stage where the model has one);
    - ``"diversity"``: k-means with `n` clusters on the model's TF-IDF vectors
      of all rows (reduced to their 100 main latent dimensions, as latent
      semantic analysis does), and the row nearest each centre (covers the
      kinds of complaints you have);
    - ``"mixed"`` (default): the ``pool_factor * n`` most uncertain rows,
      clustered into `n` groups, and the most uncertain row of each (uncertain
      rows that are not near-duplicates of each other).

    Rows of no text (missing, blank, nothing once normalised, or not a str:
    a number, bytes) are left out with a `TriageWarning` that counts them and
    names their first positions; a pool of no text at all is refused. Texts
    in `exclude` (e.g. those already labeled) and repeated texts are left
    out silently, the first of each text kept;
    texts are compared by their words alone, once normalised as the model
    reads them, so a copy that differs only in punctuation (its width too),
    emoji, spaces, digits, markup or traditional characters counts as the
    same text (``订单123没发货！！`` is ``订单456没发货``).

    Parameters
    ----------
    model : TriageModel or None
        The model whose doubts guide the choice; None is the process default.
    data : DataFrame or iterable of str
        Unlabeled complaints: a frame, which needs `text_column` and may
        have ``id`` and ``source`` columns, or the texts themselves (a list,
        a Series, a generator read once).
    n : int, default 100
        Rows to choose (fewer if fewer are usable).
    strategy : {"uncertainty", "diversity", "mixed"}, default "mixed"
    text_column : str, default "text"
    exclude : iterable of str, optional
        Texts never to choose, e.g. ``[*train["text"], *dev["text"]]`` (one
        str or a DataFrame is refused: either would leave out nothing).
        Texts alone are compared: a pool's ``id`` that a labeled row has on
        another text is kept, and the two files, put together, repeat it.
    pool_factor : int, default 5
        Size of the uncertain pool of ``"mixed"``, in multiples of `n`.
    id_prefix : str, default "unlabeled"
        Ids are ``<id_prefix>-<position>`` when the input has no ``id``
        column, the position counted from 0 in `data` as given (not its
        index labels). Another pool gives the same ids to other texts: give
        each pool its own prefix, or the labeled files of two pools, put
        together, repeat ids.
    random_state : int, default 0
        Seeds the reduction and k-means of ``diversity`` and ``mixed``, which
        run on one thread: the same pool, model and seed choose the same rows
        on any machine.
    n_jobs : int or None, default 1
        Processes that read the texts (segment them and weigh the model's
        doubts), as `triage.score_frame` takes them: -1 for every core. The
        rows chosen are the same.

    Returns
    -------
    DataFrame
        The columns of a labeled file (`LABELING_COLUMNS`) with empty label
        cells, then the model's suggestions (``suggested_categories``,
        ``suggested_primary``, ``suggested_<emotion>``,
        ``suggested_priority``), ``uncertainty`` (0-1), ``most_uncertain``
        (the head closest to its threshold; empty, with an uncertainty of
        0, for a text the model cannot read: no Chinese, no features) and
        ``cluster`` (the k-means cluster a row was chosen for, each once; -1
        for ``"uncertainty"``, for any strategy when there are no more than
        `n` texts to choose from, all of them taken unclustered, and for the
        rows that make up clusters k-means left empty); most
        uncertain first. Its index is that of the chosen rows in `data`: a
        frame's or Series' own labels (so ``pool.loc[chosen.index]`` gives
        them back from a filtered or re-indexed pool, its index name kept),
        the positions of other texts. Write it with `export_for_labeling`.

    Raises
    ------
    ParameterError
        `data` is no frame or sequence of texts (one str, a path, a dict),
        none of its rows holds a text (a column of numbers, say), or two
        rows to choose from (distinct texts, not excluded) have one ``id``:
        the labeled file would repeat it.
    ColumnError
        A frame lacks `text_column`, or holds it, ``id`` or ``source`` twice.
    """
    import pandas as pd

    from triage._default import resolve_model

    if strategy not in STRATEGIES:
        raise ParameterError(f"unknown strategy {strategy!r}; allowed: {', '.join(STRATEGIES)}")
    _require_int("n", n, 1, "a positive int")
    _require_int("pool_factor", pool_factor, 1, "a positive int")
    _require_seed(random_state)
    from triage.batch import _jobs, _processes_allowed

    jobs = _processes_allowed(_jobs(n_jobs, "n_jobs"))
    # the lexicon has no doubts to weigh
    resolved = cast("TriageModel", resolve_model(model, needs="thresholds_"))

    if isinstance(data, pd.DataFrame):
        if text_column not in data.columns:
            raise ColumnError(
                f"no column {text_column!r} in the frame; columns are {names_shown(data.columns)}; "
                "pass text_column=..."
            )
        have = list(data.columns)
        for name in dict.fromkeys((text_column, "id", "source")):
            if have.count(name) > 1:
                raise ColumnError(
                    f"column {name!r} appears {have.count(name)} times in the frame; "
                    "rename the copies so that one column holds the "
                    + ("texts" if name == text_column else f"{name}s")
                )
        where = data.index
        frame = data.reset_index(drop=True)
        texts_in = frame[text_column].tolist()
        ids = (
            [_as_text(v) for v in frame["id"].tolist()]
            if "id" in frame.columns
            else [f"{id_prefix}-{i}" for i in range(len(frame))]
        )
        sources = (
            [_as_text(v) for v in frame["source"].tolist()] if "source" in frame.columns else None
        )
    elif isinstance(data, str):
        raise ParameterError("data must be a DataFrame or a sequence of texts, not one str")
    elif isinstance(data, os.PathLike):
        raise ParameterError(
            f"data is a path, not texts: read the file first, e.g. pd.read_csv({str(data)!r})"
        )
    elif isinstance(data, Mapping):  # its keys, column names, would be the texts
        raise ParameterError(
            f"data is a {type(data).__name__}, whose keys are no texts; "
            "pass pd.DataFrame(data) or the texts themselves"
        )
    elif isinstance(data, bytes | bytearray) or not isinstance(data, Iterable):
        raise ParameterError(
            f"data must be a DataFrame or a sequence of texts, got {type(data).__name__}"
        )
    else:
        texts_in = list(data)
        # a Series is the column of a frame, whose rows its labels name
        where = data.index if isinstance(data, pd.Series) else pd.RangeIndex(len(texts_in))
        ids = [f"{id_prefix}-{i}" for i in range(len(texts_in))]
        sources = None
    if sources is None:
        sources = [""] * len(texts_in)

    # texts are compared as the model reads them: normalised (width,
    # traditional characters, runs of spaces, markup), as copies are in
    # training, and then by their words alone (`_skeleton`)
    skip = {_skeleton(t) for t in excluded_texts(exclude)}
    seen: set[str] = set()
    keep: list[int] = []
    unusable: dict[str, list[int]] = {}
    for i, key in enumerate(model_texts(texts_in)):
        if not key:
            unusable.setdefault(_text_problem(texts_in[i]), []).append(i)
            continue
        shape = _skeleton(key)
        if shape in skip or shape in seen:
            continue
        seen.add(shape)
        keep.append(i)
    first_of: dict[str, int] = {}
    for i in keep:
        name = ids[i].strip()  # as the label checks compare ids
        if name and name in first_of:
            raise ParameterError(
                f"data repeats the id {name!r} (rows {first_of[name]} and {i}), which the "
                "labeled file could not hold twice; give the rows distinct ids, or drop "
                "the id column for ids made from id_prefix"
            )
        first_of.setdefault(name, i)
    if unusable:
        said = f"{_unusable(unusable)}; rows counted from 0 in data as given"
        left = sum(map(len, unusable.values()))
        if left == len(texts_in):
            column = f" (column {text_column!r})" if isinstance(data, pd.DataFrame) else ""
            raise ParameterError(f"no row of data{column} holds a text to choose: {said}")
        warnings.warn(
            f"select_for_labeling left out {counted(left, 'row')} of {len(texts_in):,}, "
            f"with no text to label: {said}",
            TriageWarning,
            stacklevel=user_stacklevel(),
        )
    if not keep:
        return pd.DataFrame(columns=list(_selection_columns()), index=where[:0])
    texts = [texts_in[i] for i in keep]
    score, head, X_all = _doubts(
        resolved, texts, features=strategy == "diversity", n_jobs=jobs, sent=model
    )

    order = np.lexsort((np.arange(len(texts)), -score))
    cluster = np.full(len(texts), -1)
    if strategy == "uncertainty" or len(texts) <= n:
        picked = order[:n]
    else:
        pool = order if strategy == "diversity" else order[: n * pool_factor]
        if len(pool) <= n:
            picked = pool
        else:
            if X_all is None:  # the rows to cluster alone: their features, not their doubts
                norm, toks, _ = resolved._docs([texts[i] for i in pool])
                X, dense = resolved.features_.blocks(zip(norm, toks, strict=True))
                X = _tfidf(resolved, X, dense)
            else:
                # the rows in the pool's order, a copy: the rows as read are let go
                X, X_all = X_all[pool], None
            # and the TF-IDF rows once in their latent space, which k-means
            # clusters: on one BLAS and OpenMP thread, as `fit_model` fits,
            # so that the rows chosen are those of any machine (their sums on
            # more threads differed in the last bits, enough to tip a tie of
            # k-means: 2 of 300 rows chose otherwise), and no thread spins
            # beside a busy one
            import sklearn.cluster  # noqa: F401  (loads the OpenMP runtime to limit)
            from threadpoolctl import threadpool_limits

            with threadpool_limits(limits=1):
                latent, X = _latent(X, random_state), None
                local, groups = _kmeans_pick(
                    latent,
                    score[pool],
                    n,
                    prefer_uncertain=strategy == "mixed",
                    random_state=random_state,
                )
            picked = pool[local]
            cluster[picked] = groups
        picked = picked[np.lexsort((picked, -score[picked]))]
    # a row's predictions are its own, whatever the rows predicted beside it
    preds = resolved.predict_many([texts[i] for i in picked])

    heads = [*(f"category:{c}" for c in CATEGORIES), *(f"emotion:{e}" for e in EMOTIONS)]
    rows = []
    chosen: list[int] = []
    for j, i in enumerate(picked):
        a = preds.assessment(j)
        src = keep[int(i)]
        chosen.append(src)
        row: dict[str, Any] = {
            "id": ids[src],
            "source": sources[src],
            "text": texts_in[src],
            "categories": "",
            "primary": "",
            **dict.fromkeys(EMOTION_COLUMNS, ""),
            "priority": "",
            "suggested_categories": "|".join(str(c) for c in a.categories),
            "suggested_primary": str(a.primary) if a.primary is not None else "",
            **{f"suggested_{e}": int(a.emotions[e]) for e in EMOTION_COLUMNS},
            "suggested_priority": str(a.priority),
            "uncertainty": round(float(score[i]), 4),
            "most_uncertain": heads[int(head[i])] if head[i] >= 0 else "",
            "cluster": int(cluster[i]),
        }
        rows.append(row)
    return pd.DataFrame(rows, columns=list(_selection_columns()), index=where.take(chosen))


def _unusable(rows: Mapping[str, list[int]]) -> str:
    """Why `select_for_labeling` leaves out rows for their text: each problem
    (`rows` maps it to its positions) with the first positions of it.

    >>> _unusable({"text is missing or empty": [2, 5], "text is not a string: int": [7]})
    'text is missing or empty (rows 2, 5), text is not a string: int (row 7)'
    """
    shown = 5
    parts = []
    for problem, where in rows.items():
        places = ", ".join(str(i) for i in where[:shown])
        more = ", ..." if len(where) > shown else ""
        parts.append(f"{problem} ({plural(len(where), 'row')} {places}{more})")
    return ", ".join(parts)


#: What `_skeleton` leaves out: punctuation, symbols, emoji, spaces, and digits
#: unless the text has nothing else.
_NO_WORD = re.compile(r"[\W\d_]+")
_NO_ALNUM = re.compile(r"[\W_]+")


def _skeleton(text: str) -> str:
    """A normalised text's words alone, which two copies of one complaint to
    label share: its letters and Chinese characters, lower-cased, without
    punctuation, symbols, emoji, spaces or digits (its digits when it has
    nothing else, the text itself when it has no digits either).

    A complaint pasted again with more exclamation marks, or a template
    filled with another order number, amount or date, is one complaint to
    label: offered as many times as it was written, such copies took 61 of
    500 rows chosen from 100,000 reviews.

    >>> _skeleton("订单123456没发货！！") == _skeleton("订单654321没发货。") == "订单没发货"
    True
    >>> _skeleton("Wi-Fi连不上😡"), _skeleton("12315!"), _skeleton("😡")
    ('wifi连不上', '12315', '😡')
    """
    return _NO_WORD.sub("", text).lower() or _NO_ALNUM.sub("", text) or text


def _selection_columns() -> tuple[str, ...]:
    return (
        *LABELING_COLUMNS,
        "suggested_categories",
        "suggested_primary",
        *(f"suggested_{e}" for e in EMOTION_COLUMNS),
        "suggested_priority",
        "uncertainty",
        "most_uncertain",
        "cluster",
    )


def _as_text(value: Any) -> str:
    """An id or source cell as it was written: "" for a missing one (NaN,
    None, ``pd.NA``), 1001 for the 1001.0 that pandas reads from an integer
    column with a gap."""
    if is_missing(value):
        return ""
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value)


#: Suffixes of formats other than CSV: a CSV named so is a file Excel refuses
#: (``.xlsx``) or a reader misreads.
_NOT_CSV = frozenset(
    {".xlsx", ".xlsm", ".xlsb", ".xls", ".ods", ".tsv", ".tab", ".parquet", ".json", ".jsonl"}
    | {".feather", ".pkl", ".pickle", ".joblib"}
    # compressed: the reader decompresses by the name, and this file is plain CSV
    | {".gz", ".bz2", ".xz", ".zip", ".zst", ".7z"}
)


def export_for_labeling(
    frame: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    bom: bool = True,
    overwrite: bool = False,
) -> Path:
    """Write rows to label as CSV, UTF-8 with a BOM so that Excel shows the Chinese.

    A text cell that Excel would run as a formula, one that starts with
    ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (``=1+1``,
    ``-5元``, ``+86 138...``, ``@客服``), is written after an apostrophe, as
    OWASP recommends against CSV injection: Excel shows it as text. So is a
    cell of apostrophes before one of these characters (``'=)`` is written
    ``''=)``), so that `triage.read_labeled`, which removes the apostrophe
    added before them, gives back every text as it was. Numbers are written
    as they are.

    Parameters
    ----------
    frame : DataFrame
        Usually the output of `select_for_labeling`; it must hold the columns
        of a labeled file (`LABELING_COLUMNS`), which come first in the file.
    path : path-like
        The CSV to write; a name ending in another format's suffix
        (``.xlsx``, ``.xls``, ``.ods``, ``.tsv``, ``.parquet``, ``.json`` ...)
        is refused, as Excel would not open comma-separated text named so.
    bom : bool, default True
        Start the file with a byte-order mark (Excel needs it to detect UTF-8;
        `triage.read_labeled` reads it back, also once Excel has saved
        it as GBK).
    overwrite : bool, default False
        Replace an existing file.

    Returns
    -------
    Path

    Raises
    ------
    ParameterError
        `frame` is no DataFrame or holds a cell UTF-8 cannot (half of a
        surrogate pair), `path` is no path (None, bytes), is a directory or
        names another format than CSV, or `bom` or `overwrite` is no bool.
    ColumnError
        `frame` lacks a column of `LABELING_COLUMNS` or holds one twice.
    """
    require_frame(frame, "the rows to label")
    for name, flag in (("bom", bom), ("overwrite", overwrite)):
        if not isinstance(flag, bool | np.bool_):  # "False" is true: a file would be replaced
            raise ParameterError(f"{name} must be True or False, got {flag!r}")
    target = Path(user_path(path, "path"))
    if target.suffix.lower() in _NOT_CSV:
        raise ParameterError(
            f"export_for_labeling cannot write {target.name!r} as {target.suffix}: it writes "
            "CSV, which Excel opens with the Chinese shown; name the file .csv"
        )
    missing = [c for c in LABELING_COLUMNS if c not in frame.columns]
    if missing:
        raise ColumnError(
            f"the frame lacks the labeled-file {plural(len(missing), 'column')} {missing}; "
            "use the output of select_for_labeling"
        )
    have = list(frame.columns)
    for name in LABELING_COLUMNS:
        if have.count(name) > 1:  # the labeled file would be refused for its header
            raise ColumnError(
                f"column {name!r} appears {have.count(name)} times in the frame; "
                "a labeled file holds each of its columns once: rename the copies"
            )
    unwritable = _unwritable(frame)
    if unwritable is not None:
        raise unwritable
    if target.is_dir():
        raise ParameterError(
            f"{target} is a directory; give the CSV file to write, e.g. {target / 'to_label.csv'}"
        )
    if target.exists() and not overwrite:
        raise FileExistsError(f"{target} exists; pass overwrite=True to replace it")
    rest = [c for c in frame.columns if c not in LABELING_COLUMNS]
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    # a categorical column's values are strings as well (a source, a Parquet text)
    out = guard_formulas(frame[[*LABELING_COLUMNS, *rest]])
    out.to_csv(tmp, index=False, encoding="utf-8-sig" if bom else "utf-8", lineterminator="\r\n")
    os.replace(tmp, target)
    return target


def _unwritable(frame: pd.DataFrame) -> ParameterError | None:
    """The error naming the first cell of `frame` that UTF-8 cannot hold: one
    with half of a surrogate pair (as ``errors="surrogateescape"`` reads bytes
    that are no UTF-8)."""
    for j, name in enumerate(frame.columns):
        for i, value in enumerate(frame.iloc[:, j].tolist()):
            if isinstance(value, str):
                try:
                    value.encode("utf-8")
                except UnicodeEncodeError as exc:
                    bad = value[exc.start : exc.end]
                    return ParameterError(
                        f"row {i}, column {name!r}: {value[:50]!r} cannot be written as "
                        f"UTF-8: {bad!r} is half of a surrogate pair; mend or drop the cell"
                    )
    return None
