"""Evaluate a model on labeled complaints: per-label figures as data."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from triage._words import counted
from triage.exceptions import ParameterError
from triage.labeled import model_texts, parse_labels
from triage.labels import CATEGORIES, EMOTIONS, PRIORITIES

if TYPE_CHECKING:
    import pandas as pd

    from triage.lexicon import LexiconModel
    from triage.model import Predictions, TriageModel
    from triage.priority import Policy

__all__ = ["Evaluation", "evaluate"]

Array = np.ndarray[Any, np.dtype[Any]]


@dataclass(frozen=True, eq=False)
class Evaluation:
    """Per-label quality of a model on one labeled frame.

    Attributes
    ----------
    categories : DataFrame
        Precision, recall, F1, support (rows labeled with the category) and
        predicted (rows the model gave it) of each category (presence), plus
        a ``macro`` row whose support and predicted are the totals.
    emotions : DataFrame
        The same for emotion presence (intensity >= 1), plus the exact
        intensity accuracy of each emotion.
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
    """

    categories: pd.DataFrame
    emotions: pd.DataFrame
    primary_accuracy: float
    primary_support: int
    priority: pd.DataFrame
    priority_accuracy: float
    priority_confusion: pd.DataFrame
    n_rows: int

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
        where the table's macro row shows 0.891.
        """

        def fig(value: Any) -> float:
            return _num(value) if places is None else round(_num(value), places)

        return {
            "category_macro_f1": fig(self.category_macro_f1),
            "primary_accuracy": fig(self.primary_accuracy),
            "emotion_macro_f1": fig(self.emotion_macro_f1),
            "priority_accuracy": fig(self.priority_accuracy),
            "p1_recall": fig(self.priority.loc["P1", "recall"]),
            "p1_precision": fig(self.priority.loc["P1", "precision"]),
            "p1_as_p4": self.p1_as_p4,
        }

    def to_dict(self) -> dict[str, Any]:
        """Everything as plain JSON-ready data (for model cards)."""

        def table(df: pd.DataFrame) -> dict[str, dict[str, float | None]]:
            return {
                str(i): {
                    str(k): (_figure(round(float(v), 4)) if k not in _COUNTS else int(v))
                    for k, v in row.items()
                }
                for i, row in df.iterrows()
            }

        return {
            "rows": self.n_rows,
            "summary": {k: _figure(v) for k, v in self.summary().items()},
            "categories": table(self.categories),
            "primary": {
                "accuracy": _figure(round(self.primary_accuracy, 4)),
                "support": self.primary_support,
            },
            "emotions": table(self.emotions),
            "priority": table(self.priority),
            "priority_confusion": {
                str(i): {str(k): int(v) for k, v in row.items()}
                for i, row in self.priority_confusion.iterrows()
            },
        }


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


def evaluate(
    model: TriageModel | LexiconModel | None,
    frame: pd.DataFrame,
    *,
    policy: Policy | None = None,
    predictions: Predictions | None = None,
) -> Evaluation:
    """Score `model` against a labeled frame.

    Parameters
    ----------
    model : TriageModel, LexiconModel or None
        A loaded or freshly trained model, or the lexicon baseline; None is
        the process default model (the shipped one unless
        `triage.set_default_model` was called), as in `triage.analyze`.
    frame : DataFrame
        Labeled complaints in the file format (validated first).
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
        `frame` is not a valid labeled frame (see `triage.validate_labels`).
    ParameterError
        `model` and `frame` are given the other way round, `model` is no
        model (the path of a saved one, say: load it first
        with `triage.load_model`), `predictions` are no `Predictions` (the
        rows of `triage.score_frame`, say), or not those of ``frame["text"]``,
        row for row (another number of rows, or other texts: those of the
        other half of a split, say); or `policy` is no `Policy` (a path:
        load it with `triage.load_policy`), before any row is predicted.
    """
    import pandas as pd

    from triage._default import resolve_model
    from triage.model import Predictions
    from triage.priority import check_policy

    check_policy(policy)
    if isinstance(model, pd.DataFrame) and not isinstance(frame, pd.DataFrame):
        # said "the labeled data must be a pandas DataFrame, got TriageModel"
        raise ParameterError(
            f"evaluate takes the model first, then the labeled frame: evaluate(model, frame); "
            f"got a DataFrame, then {type(frame).__name__}"
        )
    y = parse_labels(frame)
    given = predictions is not None
    if given and not isinstance(predictions, Predictions):
        raise ParameterError(
            "predictions must be the Predictions of a model's predict_many, got "
            f'{type(predictions).__name__}; pass model.predict_many(frame["text"].tolist())'
        )
    if predictions is None:
        resolved = resolve_model(model, needs="predict_many")
        predictions = resolved.predict_many(frame["text"].tolist())
    preds = predictions
    if len(preds) != len(frame):
        raise ParameterError(
            f"predictions holds {counted(len(preds), 'row')} for the {len(frame)} of frame; pass "
            'those of frame["text"], such as model.predict_many(frame["text"].tolist())'
        )
    if given:
        _check_rows(preds, frame["text"].tolist())

    cat_names = [str(c) for c in CATEGORIES]
    emo_names = [str(e) for e in EMOTIONS]
    categories = _prf(y.categories, preds.category_labels, cat_names)
    emotions = _prf(y.emotions >= 1, preds.intensity >= 1, emo_names)
    exact = (y.emotions == preds.intensity).mean(axis=0)
    emotions["intensity_accuracy"] = [*exact, exact.mean()]

    has_primary = y.primary >= 0
    support = int(has_primary.sum())
    primary_acc = (
        float((preds.primary[has_primary] == y.primary[has_primary]).mean())
        if support
        else math.nan
    )

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
    return Evaluation(
        categories=categories,
        emotions=emotions,
        primary_accuracy=primary_acc,
        primary_support=support,
        priority=priority,
        priority_accuracy=float((predicted == y.priority).mean()),
        priority_confusion=confusion,
        n_rows=len(frame),
    )
