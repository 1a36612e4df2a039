"""Evaluate a model on labeled complaints: per-label figures as data."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

import numpy as np

from triage._words import counted, names_shown
from triage.exceptions import LabelColumnError, LabelError, ParameterError
from triage.labeled import HEADS, LabelArrays, labeled_heads, model_texts, parse_labels
from triage.labels import CATEGORIES, EMOTIONS, PRIORITIES

if TYPE_CHECKING:
    from collections.abc import Sequence

    import pandas as pd

    from triage.lexicon import LexiconModel
    from triage.model import Predictions, TriageModel
    from triage.priority import Policy

__all__ = ["Calibration", "Evaluation", "calibration", "evaluate"]

Array = np.ndarray[Any, np.dtype[Any]]


@dataclass(frozen=True, eq=False, kw_only=True)
class Evaluation:
    """Per-label quality of a model on one labeled frame.

    The figures of each head the frame labels (`heads`): a frame may label
    some alone (``categories`` and ``primary``; the five emotions;
    ``priority``). The attributes of a head it does not label hold no value,
    not a 0 or a NaN that would pass for a figure: reading one raises an
    ``AttributeError`` that says why (`not_evaluated`), and ``hasattr(ev,
    "priority")`` is False, as for an attribute a scikit-learn estimator
    did not compute.

    Attributes
    ----------
    categories : DataFrame
        Precision, recall, F1, support (rows labeled with the category) and
        predicted (rows the model gave it) of each category (presence), plus
        a ``macro`` row whose support and predicted are the totals.
    emotions : DataFrame
        The same for emotion presence (intensity >= 1), plus the exact
        intensity accuracy of each emotion.
    intensity_confusion : DataFrame
        Rows counted by emotion and labeled intensity (a two-level index:
        ``ev.intensity_confusion.loc["angry"]`` is angry's table), columns
        by the predicted intensity 0, 1 and 2: how often a predicted 2 is
        labeled 2, and a labeled 2 found as 1, which the exact accuracy,
        mostly of rows 0 on both sides, does not tell.
    primary_accuracy : float
        Share of complaint rows (non-empty primary) whose primary is right;
        NaN when no row is a complaint.
    primary_support : int
        Complaint rows (non-empty primary).
    priority : DataFrame
        Precision, recall, F1, support and predicted of each priority level.
    priority_accuracy : float
    priority_confusion : DataFrame
        Rows are the labeled levels, columns the predicted ones.
    n_rows : int
    heads : tuple of str
        The heads evaluated, of ``categories``, ``primary``, ``emotions``
        and ``priority`` (`triage.labeled.labeled_heads`): all four for a
        fully labeled frame.
    not_evaluated : dict of str to str
        Each other head and why the frame does not label it: ``"no column"``
        or ``"empty on every row"``.

    A figure the rows cannot define is NaN, not 0: the recall of a label no
    row has, the precision of a label never predicted, the F1 of a label
    neither labeled nor predicted. Macro averages are over the labels where
    the figure is defined; `to_dict` gives NaN as None. These are the
    figures of scikit-learn's ``precision_recall_fscore_support`` and
    ``f1_score(..., average="macro")`` with ``zero_division=np.nan``; its
    default instead sets such a figure to 0, with an
    ``UndefinedMetricWarning``, and counts it in the macro mean, as though
    the model had missed every row of a label it made no error on.

    Two evaluations are equal only if they are the same object (their frames
    have no single truth value); compare their `to_dict` instead.

    An evaluation's fields (``dataclasses.fields(ev)``) are those it holds:
    ``dataclasses.asdict(ev)`` leaves out the heads not evaluated, as
    `to_dict` does, and ``dataclasses.replace(ev, n_rows=...)`` is a copy of
    the same heads. The fields are keyword-only; those of a head not
    evaluated are left out of ``Evaluation(...)``, as
    ``Evaluation(**dataclasses.asdict(ev))`` leaves them (one given is a
    `ParameterError`, as is one of a head evaluated left out).
    """

    categories: pd.DataFrame = None  # type: ignore[assignment]
    emotions: pd.DataFrame = None  # type: ignore[assignment]
    primary_accuracy: float = None  # type: ignore[assignment]
    primary_support: int = None  # type: ignore[assignment]
    priority: pd.DataFrame = None  # type: ignore[assignment]
    priority_accuracy: float = None  # type: ignore[assignment]
    priority_confusion: pd.DataFrame = None  # type: ignore[assignment]
    n_rows: int
    intensity_confusion: pd.DataFrame = None  # type: ignore[assignment]
    heads: tuple[str, ...] = tuple(HEADS)
    not_evaluated: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # the heads evaluated hold their figures and the others none
        # (dataclasses.replace(ev, priority=...) of an evaluation of no
        # priority would drop it, silently)
        for head, names in _ATTRIBUTES.items():
            given = [n for n in names if n in _FIELD_NAMES and self.__dict__[n] is not None]
            if head in self.not_evaluated and given:
                raise ParameterError(
                    f"{', '.join(given)} given, but {head} is not evaluated "
                    f"(not_evaluated: {self.not_evaluated[head]!r}); leave "
                    f"{'it' if len(given) == 1 else 'them'} out, or give heads and "
                    f"not_evaluated that evaluate {head}"
                )
            missing = [n for n in names if n in _FIELD_NAMES and self.__dict__[n] is None]
            if head not in self.not_evaluated and missing:
                raise ParameterError(
                    f"{', '.join(missing)} missing, but {head} is evaluated (not in "
                    f"not_evaluated, {self.not_evaluated!r}); give "
                    f"{'it' if len(missing) == 1 else 'them'}, or say why {head} is not "
                    "evaluated in not_evaluated"
                )
        # the attributes of a head not evaluated hold nothing: `__getattr__` says why
        for head in self.not_evaluated:
            for name in _ATTRIBUTES[head]:
                if name in self.__dict__:
                    object.__delattr__(self, name)

    def __getattr__(self, name: str) -> Any:
        """Say why an attribute of a head not evaluated has no value."""
        head = _HEAD_OF.get(name)
        if head is None or head not in self.not_evaluated:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        raise AttributeError(
            f"{name} is not evaluated: the labeled frame does not label {head} "
            f"({self.not_evaluated[head]}); it evaluated {', '.join(self.heads)} "
            "(Evaluation.heads)"
        )

    def __repr__(self) -> str:
        shown = [f"{f.name}={getattr(self, f.name)!r}" for f in fields(self)]
        return f"{type(self).__name__}({', '.join(shown)})"

    @property
    def category_macro_f1(self) -> float:
        return _num(self.categories.loc["macro", "f1"])

    @property
    def emotion_macro_f1(self) -> float:
        return _num(self.emotions.loc["macro", "f1"])

    @property
    def p1_as_p4(self) -> int:
        """Rows labeled P1 that came out P4: the costliest error."""
        return int(_num(self.priority_confusion.loc["P1", "P4"]))

    def summary(self, places: int | None = 4) -> dict[str, float]:
        """The headline figures, to `places` decimal places (None: as computed).

        A report that shows them to fewer places rounds them as computed:
        rounded twice, 0.89055 would show as 0.890 (0.8905 to three places),
        where the table's macro row shows 0.891. The figures of a head not
        evaluated are left out (see `heads`), not given as NaN, which is a
        figure the rows leave undefined.
        """

        def fig(value: Any) -> float:
            return _num(value) if places is None else round(_num(value), places)

        out: dict[str, float] = {}
        if "categories" in self.heads:
            out["category_macro_f1"] = fig(self.category_macro_f1)
        if "primary" in self.heads:
            out["primary_accuracy"] = fig(self.primary_accuracy)
        if "emotions" in self.heads:
            out["emotion_macro_f1"] = fig(self.emotion_macro_f1)
        if "priority" in self.heads:
            out["priority_accuracy"] = fig(self.priority_accuracy)
            out["p1_recall"] = fig(self.priority.loc["P1", "recall"])
            out["p1_precision"] = fig(self.priority.loc["P1", "precision"])
            out["p1_as_p4"] = self.p1_as_p4
        return out

    def to_dict(self) -> dict[str, Any]:
        """Everything as plain JSON-ready data (for model cards).

        ``evaluated`` lists the heads evaluated and ``not_evaluated`` gives
        each other one with why (``{}`` for a fully labeled frame); the
        figures of a head not evaluated are left out, those the rows leave
        undefined are None.
        """

        def table(df: pd.DataFrame) -> dict[str, dict[str, float | None]]:
            return {
                str(i): {
                    str(k): (_figure(round(float(v), 4)) if k not in _COUNTS else int(v))
                    for k, v in row.items()
                }
                for i, row in df.iterrows()
            }

        out: dict[str, Any] = {
            "rows": self.n_rows,
            "evaluated": list(self.heads),
            "not_evaluated": dict(self.not_evaluated),
            "summary": {k: _figure(v) for k, v in self.summary().items()},
        }
        if "categories" in self.heads:
            out["categories"] = table(self.categories)
        if "primary" in self.heads:
            out["primary"] = {
                "accuracy": _figure(round(self.primary_accuracy, 4)),
                "support": self.primary_support,
            }
        if "emotions" in self.heads:
            out["emotions"] = table(self.emotions)
            out["intensity_confusion"] = {
                str(e): {
                    str(k): {str(j): int(v) for j, v in row.items()}
                    for k, row in self.intensity_confusion.loc[str(e)].iterrows()
                }
                for e in EMOTIONS
            }
        if "priority" in self.heads:
            out["priority"] = table(self.priority)
            out["priority_confusion"] = {
                str(i): {str(k): int(v) for k, v in row.items()}
                for i, row in self.priority_confusion.iterrows()
            }
        return out


#: The attributes of `Evaluation` of each head, properties too.
_ATTRIBUTES = {
    "categories": ("categories", "category_macro_f1"),
    "primary": ("primary_accuracy", "primary_support"),
    "emotions": ("emotions", "intensity_confusion", "emotion_macro_f1"),
    "priority": ("priority", "priority_accuracy", "priority_confusion", "p1_as_p4"),
}
_HEAD_OF = {name: head for head, names in _ATTRIBUTES.items() for name in names}
_FIELD_NAMES = frozenset(f.name for f in fields(Evaluation))


class _HeldFields:
    """``Evaluation.__dataclass_fields__``: of the class, every field; of an
    evaluation, those it holds (`dataclasses.fields`, ``asdict`` and
    ``replace`` read them), the fields of a head not evaluated left out."""

    def __init__(self, every: dict[str, Any]) -> None:
        self.every = every

    def __get__(self, ev: Evaluation | None, owner: type | None = None) -> dict[str, Any]:
        if ev is None:
            return self.every
        # (not_evaluated is not set yet while __init__ runs)
        left_out = {n for h in ev.__dict__.get("not_evaluated", {}) for n in _ATTRIBUTES[h]}
        return {name: f for name, f in self.every.items() if name not in left_out}


def _hold_fields(cls: type[Evaluation]) -> None:
    """Give `cls` the fields of `_HeldFields`, and no class attribute for the
    defaults of a head's fields: one would be read for an attribute left out
    (hasattr True, its value None)."""
    type.__setattr__(cls, "__dataclass_fields__", _HeldFields(cls.__dataclass_fields__))
    for name in _FIELD_NAMES & _HEAD_OF.keys():
        type.__delattr__(cls, name)


_hold_fields(Evaluation)

#: Columns of the per-label tables that are counts of rows, not figures.
_COUNTS = ("support", "predicted")


def _num(value: Any) -> float:
    return float(value)


def _figure(value: float) -> float | None:
    """A figure for JSON: None where it is undefined (NaN)."""
    return None if math.isnan(value) else value


def figure_text(value: float) -> str:
    """A figure to three places; "n/a" where the rows leave it undefined (NaN).

    >>> figure_text(0.76434), figure_text(float("nan"))
    ('0.764', 'n/a')
    """
    return "n/a" if value != value else f"{value:.3f}"


def _mean(values: Array) -> float:
    """The mean of the defined values; NaN when there are none."""
    defined = values[~np.isnan(values)]
    return float(defined.mean()) if defined.size else math.nan


def _prf(truth: Array, pred: Array, names: list[str]) -> pd.DataFrame:
    import pandas as pd

    truth = truth.astype(bool)
    pred = pred.astype(bool)
    tp = (truth & pred).sum(axis=0).astype(float)
    npred = pred.sum(axis=0).astype(float)
    ntrue = truth.sum(axis=0).astype(float)
    nan = np.full_like(tp, np.nan)
    precision = np.divide(tp, npred, out=nan.copy(), where=npred > 0)
    recall = np.divide(tp, ntrue, out=nan.copy(), where=ntrue > 0)
    # 2 tp / (predicted + labeled): the harmonic mean, and 0 when only one side is empty
    f1 = np.divide(2 * tp, npred + ntrue, out=nan.copy(), where=npred + ntrue > 0)
    df = pd.DataFrame(
        {
            "precision": precision,
            "recall": recall,
            "f1": f1,
            "support": ntrue.astype(int),
            "predicted": npred.astype(int),
        },
        index=names,
    )
    df.loc["macro"] = [
        _mean(precision),
        _mean(recall),
        _mean(f1),
        int(ntrue.sum()),
        int(npred.sum()),
    ]
    df[list(_COUNTS)] = df[list(_COUNTS)].astype(int)
    return df


def _check_rows(preds: Predictions, texts: list[Any]) -> None:
    """Refuse predictions of other texts than `texts`, row for row.

    The predictions of the other half of a 50/50 split have as many rows as
    this half: only their texts tell them apart. A model keeps each text
    normalised (`triage.labeled.model_texts`), a model of one's own may keep
    it as given; either is the same text.
    """
    got = list(preds.texts)
    if got == texts:
        return
    norm = model_texts(texts)
    if got == norm:
        return
    i = next(i for i, (a, b) in enumerate(zip(got, norm, strict=True)) if a != b)
    raise ParameterError(
        f"predictions are not those of frame: row {i} holds the prediction of "
        f"{_short(got[i])}, where frame's text is {_short(texts[i])}; pass those of "
        'frame["text"], such as model.predict_many(frame["text"].tolist())'
    )


def _short(text: Any) -> str:
    s = str(text)
    return repr(s if len(s) <= 30 else s[:30] + "...")


def _labels_and_predictions(
    model: TriageModel | LexiconModel | None,
    frame: pd.DataFrame,
    predictions: Predictions | None,
    name: str,
    *,
    calibrated: bool = False,
) -> tuple[LabelArrays, Predictions, tuple[str, ...], dict[str, str]]:
    """The labels of `frame` and the predictions of its texts, checked row for
    row; and the heads `frame` labels, with why it does not label the others
    (`labeled_heads`). With `calibrated`, heads
    the model gives no probability of are refused before its predictions are
    made (`_check_calibrated`)."""
    import pandas as pd

    from triage._default import resolve_model
    from triage.model import Predictions

    if isinstance(model, pd.DataFrame) and not isinstance(frame, pd.DataFrame):
        # said "the labeled data must be a pandas DataFrame, got TriageModel"
        raise ParameterError(
            f"{name} takes the model first, then the labeled frame: {name}(model, frame); "
            f"got a DataFrame, then {type(frame).__name__}"
        )
    heads, why = labeled_heads(frame)
    y = parse_labels(frame, heads)
    given = predictions is not None
    if given and not isinstance(predictions, Predictions):
        raise ParameterError(
            "predictions must be the Predictions of a model's predict_many, got "
            f'{type(predictions).__name__}; pass model.predict_many(frame["text"].tolist())'
        )
    if predictions is None:
        resolved = resolve_model(model, needs="predict_many")
        if calibrated:
            _check_calibrated(resolved, heads)
        predictions = resolved.predict_many(frame["text"].tolist())
    preds = predictions
    if len(preds) != len(frame):
        raise ParameterError(
            f"predictions holds {counted(len(preds), 'row')} for the {len(frame)} of frame; pass "
            'those of frame["text"], such as model.predict_many(frame["text"].tolist())'
        )
    if given:
        _check_rows(preds, frame["text"].tolist())
    return y, preds, heads, why


def evaluate(
    model: TriageModel | LexiconModel | None,
    frame: pd.DataFrame,
    *,
    policy: Policy | None = None,
    predictions: Predictions | None = None,
) -> Evaluation:
    """Score `model` against a labeled frame, on each head it labels.

    A frame may label some heads alone (`triage.labeled.labeled_heads`):
    ``categories`` and ``primary`` (a support team's), the five emotions, or
    ``priority`` (an analyst's), leaving the columns of the others out or
    empty on every row. Each head it labels has its figures, the same as of
    a fully labeled frame of those rows, and the others none: the
    `Evaluation` says which were evaluated (`Evaluation.heads`) and why not
    the others (`Evaluation.not_evaluated`).

    Parameters
    ----------
    model : TriageModel, LexiconModel or None
        A loaded or freshly trained model, or the lexicon baseline; None is
        the process default model (the shipped one unless
        `triage.set_default_model` was called), as in `triage.analyze`.
    frame : DataFrame
        Labeled complaints in the file format, of every head or some
        (validated first, for those).
    policy : Policy, optional
        Priority policy; the default policy when omitted.
    predictions : Predictions, optional
        Reuse predictions already made for ``frame["text"]``.

    Returns
    -------
    Evaluation

    Raises
    ------
    LabelError
        `frame` is not a valid labeled frame for the heads it labels (see
        `triage.validate_labels`, and its ``heads=``): a row not labeled for
        one of them, say, of a full frame too, which the error tells to
        label, or to leave the head's columns empty on every row, and it is
        not evaluated. A `triage.exceptions.LabelColumnError` when it
        labels no head (no label column, or each empty on every row),
        ``primary`` without ``categories``, or some of the five emotions
        without the others (`triage.labeled.labeled_heads` says why).
    ParameterError
        `model` and `frame` are given the other way round, `model` is no
        model (the path of a saved one, say: load it first
        with `triage.load_model`), `predictions` are no `Predictions` (the
        rows of `triage.score_frame`, say), or not those of ``frame["text"]``,
        row for row (another number of rows, or other texts: those of the
        other half of a split, say); or `policy` is no `Policy` (a path:
        load it with `triage.load_policy`), before any row is predicted.
    """
    return _evaluate(model, frame, policy=policy, predictions=predictions)


#: The head each figure of `Evaluation.summary` is of.
FIGURE_HEADS = {
    "category_macro_f1": "categories",
    "primary_accuracy": "primary",
    "emotion_macro_f1": "emotions",
    "priority_accuracy": "priority",
    "p1_recall": "priority",
    "p1_precision": "priority",
    "p1_as_p4": "priority",
}


def evaluate_for(
    model: TriageModel | LexiconModel | None,
    frame: pd.DataFrame,
    figures: Sequence[str],
    call: str,
) -> Evaluation:
    """`evaluate` of a frame labeling the heads of `figures` (keys of
    `FIGURE_HEADS`), what `call` gives, and maybe others.

    A frame that does not label one of them (`labeled_heads`) is refused
    before any text is predicted, saying what `call` needs and that
    `evaluate` takes the heads it labels: a `LabelColumnError` when their
    columns are missing, else a `LabelError` (the columns empty on every row).
    """
    heads, why = labeled_heads(frame)
    needs = [h for h in HEADS if h in {FIGURE_HEADS[f] for f in figures}]
    unmet = [h for h in needs if h not in heads]
    if unmet:
        said = why[unmet[0]] if len(unmet) == 1 else "; ".join(f"{h}: {why[h]}" for h in unmet)
        error = LabelColumnError if all(why[h] == "no column" for h in unmet) else LabelError
        columns = [c for h in unmet for c in HEADS[h]]
        them = "it" if len(columns) == 1 else "them"
        raise error(
            f"{call} needs {_listed(needs)} labeled, for {_listed(list(figures))}: the frame "
            f"does not label {_listed(unmet)} ({said}); label {them}, or evaluate the heads "
            f"it labels ({', '.join(heads)}) with triage.evaluate, which takes some heads "
            f"alone; the columns are {names_shown(frame.columns)}"
        )
    return _evaluate(model, frame)


def _listed(names: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _evaluate(
    model: TriageModel | LexiconModel | None,
    frame: pd.DataFrame,
    *,
    policy: Policy | None = None,
    predictions: Predictions | None = None,
) -> Evaluation:
    """`evaluate`, for `evaluate_for` too."""
    import pandas as pd

    from triage.priority import check_policy

    check_policy(policy)
    y, preds, heads, why = _labels_and_predictions(model, frame, predictions, "evaluate")

    # a head not evaluated: no value (Evaluation.__post_init__ leaves it out)
    categories: Any = None
    emotions = intensity = priority = confusion = primary_acc = priority_acc = support = categories
    if "categories" in heads:
        categories = _prf(y.categories, preds.category_labels, [str(c) for c in CATEGORIES])
    if "emotions" in heads:
        emo_names = [str(e) for e in EMOTIONS]
        emotions = _prf(y.emotions >= 1, preds.intensity >= 1, emo_names)
        exact = (y.emotions == preds.intensity).mean(axis=0)
        emotions["intensity_accuracy"] = [*exact, exact.mean()]
        intensity = pd.DataFrame(
            [
                np.bincount(preds.intensity[y.emotions[:, k] == v, k], minlength=3)[:3]
                for k in range(len(EMOTIONS))
                for v in range(3)
            ],
            index=pd.MultiIndex.from_product([emo_names, range(3)], names=["emotion", "labeled"]),
            columns=pd.Index(range(3), name="predicted"),
        )
    if "primary" in heads:
        has_primary = y.primary >= 0
        support = int(has_primary.sum())
        primary_acc = (
            float((preds.primary[has_primary] == y.primary[has_primary]).mean())
            if support
            else math.nan
        )
    if "priority" in heads:
        levels = [str(p) for p in PRIORITIES]
        index = {lvl: j for j, lvl in enumerate(levels)}
        predicted = np.array(
            [index[str(preds.assessment(i, policy=policy).priority)] for i in range(len(preds))]
        )
        onehot_true = np.eye(len(levels), dtype=bool)[y.priority]
        onehot_pred = np.eye(len(levels), dtype=bool)[predicted]
        priority = _prf(onehot_true, onehot_pred, levels)
        confusion = pd.crosstab(
            pd.Categorical([levels[i] for i in y.priority], categories=levels),
            pd.Categorical([levels[i] for i in predicted], categories=levels),
            dropna=False,
        )
        confusion.index.name, confusion.columns.name = "labeled", "predicted"
        priority_acc = float((predicted == y.priority).mean())
    return Evaluation(
        categories=categories,
        emotions=emotions,
        primary_accuracy=primary_acc,
        primary_support=support,
        priority=priority,
        priority_accuracy=priority_acc,
        priority_confusion=confusion,
        n_rows=len(frame),
        intensity_confusion=intensity,
        heads=heads,
        not_evaluated=why,
    )


#: How `calibration` cuts the probabilities into bins, as scikit-learn's
#: ``calibration_curve`` takes `strategy`.
_STRATEGIES = ("quantile", "uniform")


@dataclass(frozen=True, eq=False)
class Calibration:
    """How far a model's probabilities are probabilities, on one labeled frame.

    Attributes
    ----------
    labels : DataFrame
        One row per label the model gives a probability of: each category,
        each emotion (present: intensity >= 1), ``complaint`` (a row with
        any category) when the model has a complaint head, and each priority
        level (one against the others) when it has a priority head; of the
        heads the frame labels alone (`triage.labeled.labeled_heads`). Columns:
        ``rows`` (those scored: a priority level leaves out the rows the head
        gave no distribution), ``rate`` (share of them labeled so),
        ``mean_proba``, ``ece`` (expected calibration error: the gap between
        mean probability and rate in each bin, weighed by its rows),
        ``brier`` (mean squared gap between probability and label, 0 is
        perfect) and ``brier_of_rate`` (that of giving every row the rate:
        a probability no better than it tells nothing).
    reliability : DataFrame
        The reliability table: one row per label and non-empty bin (index
        ``label``, ``bin``), with its ``rows``, ``mean_proba`` and
        ``observed`` (share labeled so): scikit-learn's
        ``calibration_curve(y, p, n_bins=n_bins, strategy=strategy)`` gives
        ``observed`` and ``mean_proba`` of each label.
    n_bins : int
    strategy : str
        ``"quantile"``: bins of about as many rows each (rows of one
        probability stay in one bin, so a label of few distinct
        probabilities has fewer bins); ``"uniform"``: bins of equal width.
    n_rows : int
    """

    labels: pd.DataFrame
    reliability: pd.DataFrame
    n_bins: int
    strategy: str
    n_rows: int

    def to_dict(self) -> dict[str, Any]:
        """Everything as plain JSON-ready data."""
        per_label: dict[str, dict[str, Any]] = {}
        bins = {
            str(label): [
                {
                    "rows": int(rows),
                    "mean_proba": round(float(mean_proba), 4),
                    "observed": round(float(observed), 4),
                }
                for rows, mean_proba, observed in table[
                    ["rows", "mean_proba", "observed"]
                ].itertuples(index=False)
            ]
            for label, table in self.reliability.groupby(level="label", sort=False)
        }
        for label, row in self.labels.iterrows():
            per_label[str(label)] = {
                str(k): int(v) if k == "rows" else round(float(v), 4) for k, v in row.items()
            }
            per_label[str(label)]["bins"] = bins[str(label)]
        return {
            "rows": self.n_rows,
            "n_bins": self.n_bins,
            "strategy": self.strategy,
            "labels": per_label,
        }


def _bins(proba: Array, n_bins: int, strategy: str) -> Array:
    """Each probability's bin, as scikit-learn's ``calibration_curve`` cuts them."""
    if strategy == "quantile":
        edges = np.percentile(proba, np.linspace(0, 1, n_bins + 1) * 100)
    else:
        edges = np.linspace(0.0, 1.0, n_bins + 1)
    return np.searchsorted(edges[1:-1], proba)


def _check_calibrated(model: Any, heads: Sequence[str]) -> None:
    """Raise `ParameterError` when `model` gives none of `heads` a probability.

    A frame of priorities alone (`labeled_heads`) has nothing to calibrate
    for a model of no priority head, the keyword baseline or a model trained
    on one level, whose rules alone decide: this says so before any text is
    predicted, where `calibration` would find it out after.
    """
    from triage.lexicon import LexiconModel
    from triage.model import _PRIO, TriageModel

    if tuple(heads) != ("priority",):
        return
    if isinstance(model, LexiconModel) or (
        isinstance(model, TriageModel) and bool(np.isnan(model.intercept_[_PRIO]).any())
    ):
        raise _nothing_to_calibrate(heads)


def _nothing_to_calibrate(heads: Sequence[str]) -> ParameterError:
    return ParameterError(
        f"nothing to calibrate: the frame labels {', '.join(heads)} alone, of which the "
        "model gives no probability (it has no priority head: the rules alone decide); "
        "evaluate it without calibration (CLI: leave out --calibration)"
    )


def calibration(
    model: TriageModel | LexiconModel | None,
    frame: pd.DataFrame,
    *,
    n_bins: int = 10,
    strategy: str = "quantile",
    predictions: Predictions | None = None,
) -> Calibration:
    """Measure how far `model`'s probabilities are probabilities on a labeled frame.

    For each label, of the rows given a probability near p, how many are
    labeled so: the reliability table, the expected calibration error and
    the Brier score. Measure it on rows the model did not learn from (dev,
    or your own held-out rows): on its training rows a model is surer than
    it should be.

    Parameters
    ----------
    model : TriageModel, LexiconModel or None
        As `evaluate` takes it; None is the process default model.
    frame : DataFrame
        Labeled complaints in the file format, of every head or some, as
        `evaluate` takes them.
    n_bins : int, default 10
        Bins of the reliability table and the calibration error.
    strategy : {"quantile", "uniform"}, default "quantile"
        Bins of about as many rows each, or of equal width; scikit-learn's
        ``calibration_curve`` defaults to "uniform", which leaves a rare
        label's high bins a handful of rows.
    predictions : Predictions, optional
        Reuse predictions already made for ``frame["text"]``.

    Returns
    -------
    Calibration

    Raises
    ------
    LabelError
        `frame` is not a valid labeled frame (see `triage.validate_labels`).
    ParameterError
        `n_bins` is not a whole number of at least 1, or `strategy` neither
        "quantile" nor "uniform"; or `frame` labels the priority alone and
        the model has no priority head, so no label has a probability (said
        before any text is predicted); or,
        as `evaluate` says, `model`, `frame` or `predictions` are not what
        it takes.
    """
    import pandas as pd

    if isinstance(n_bins, bool) or not isinstance(n_bins, int | np.integer) or n_bins < 1:
        raise ParameterError(f"n_bins must be a whole number of at least 1, got {n_bins!r}")
    if strategy not in _STRATEGIES:
        raise ParameterError(f'strategy must be "quantile" or "uniform", got {strategy!r}')
    y, preds, labeled, _ = _labels_and_predictions(
        model, frame, predictions, "calibration", calibrated=True
    )
    heads: list[tuple[str, Array, Array]] = []
    if "categories" in labeled:
        heads += [
            (str(c), y.categories[:, j].astype(bool), preds.category_proba[:, j])
            for j, c in enumerate(CATEGORIES)
        ]
    if "emotions" in labeled:
        heads += [
            (str(e), y.emotions[:, j] >= 1, preds.emotion_proba[:, j])
            for j, e in enumerate(EMOTIONS)
        ]
    if preds.complaint_proba is not None and "categories" in labeled:
        complains = np.asarray(y.categories.astype(bool).any(axis=1))
        heads.append(("complaint", complains, preds.complaint_proba))
    scored = ~np.isnan(preds.priority_proba).any(axis=1)
    if scored.any() and "priority" in labeled:
        heads += [
            (str(p), y.priority[scored] == j, preds.priority_proba[scored, j])
            for j, p in enumerate(PRIORITIES)
        ]
    if not heads:  # a frame of priorities alone, every row's left to the rules
        raise _nothing_to_calibrate(labeled)
    rows: list[dict[str, Any]] = []
    bins: list[dict[str, Any]] = []
    for label, truth, proba in heads:
        target = np.asarray(truth, dtype=float)
        p = np.asarray(proba, dtype=float)
        ids = _bins(p, int(n_bins), strategy)
        count = np.bincount(ids, minlength=n_bins)
        kept = count > 0
        mean_p = np.bincount(ids, weights=p, minlength=n_bins)[kept] / count[kept]
        observed = np.bincount(ids, weights=target, minlength=n_bins)[kept] / count[kept]
        share = count[kept] / len(p)
        rate = float(target.mean())
        rows.append(
            {
                "label": label,
                "rows": len(p),
                "rate": rate,
                "mean_proba": float(p.mean()),
                "ece": float((share * np.abs(mean_p - observed)).sum()),
                "brier": float(np.mean((p - target) ** 2)),
                "brier_of_rate": float(np.mean((rate - target) ** 2)),
            }
        )
        bins += [
            {"label": label, "bin": int(k), "rows": int(n), "mean_proba": m, "observed": o}
            for k, n, m, o in zip(np.flatnonzero(kept), count[kept], mean_p, observed, strict=True)
        ]
    return Calibration(
        labels=pd.DataFrame(rows).set_index("label"),
        reliability=pd.DataFrame(bins).set_index(["label", "bin"]),
        n_bins=int(n_bins),
        strategy=strategy,
        n_rows=len(frame),
    )
