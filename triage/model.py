"""The triage model: one feature space, linear heads for every label.

`TriageModel` is a scikit-learn style estimator (keyword-only constructor that
stores its parameters, ``fit`` that learns and returns ``self``, learned state
in attributes ending in ``_``, ``get_params``/``set_params`` so that
``sklearn.base.clone`` works). scikit-learn fits the heads; what the model
keeps is numpy arrays, so loading and predicting never import scikit-learn.

One segmentation pass feeds everything: a text is normalised, cut once by
jieba, turned into one TF-IDF vector, and a single matrix product gives the
logits of all heads:

============  =======  ==========================================
head          columns  output
============  =======  ==========================================
categories    6        P(category applies), one sigmoid each, averaged with
                       a naive-Bayes-weighted view (``nb_coef_``)
primary       6        P(primary = category), softmax
presence      5        P(emotion intensity >= 1), sigmoid each
strong        5        P(intensity = 2 | present), sigmoid each
priority      4        P(level), softmax; a signal for the engine
============  =======  ==========================================

With ``clause_stage``, which categories apply is decided by a second, small
stage over the category heads' scores of the text and of each of its clauses
(cut from its tokens), weighed by each clause's sentiment.
"""

from __future__ import annotations

import dataclasses
import hashlib
import inspect
import itertools
import logging
import os
import re
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple, Self

import numpy as np

from triage import text as _text
from triage._features import Doc, FeatureSpace, clauses, in_order, row_sums
from triage._words import counted, plural
from triage.exceptions import NotFittedError, ParameterError, TriageWarning, user_stacklevel
from triage.labeled import MAX_WEIGHT
from triage.labels import CATEGORIES, EMOTIONS, PRIORITIES, Category, Emotion, Priority

# imported with the model, not by its first analyze: a model is loaded under
# the lock a fork waits for (triage._default), and a thread importing the
# rules as the process forked held their import lock in the child for ever
from triage.priority import Context, Policy, _trigger_reasons, default_policy, prioritize
from triage.results import (
    Assessment,
    CategoryResult,
    EmotionResult,
    Evidence,
    Explanation,
    Explanations,
    LabelMap,
    PriorityResult,
    TermWeight,
)
from triage.sentiment import SentimentModel

if TYPE_CHECKING:
    import jieba
    import pandas as pd
    from scipy.sparse import csr_matrix

    from triage.vectors import WordVectors

__all__ = ["Predictions", "TriageModel"]

logger = logging.getLogger(__name__)

Array = np.ndarray[Any, np.dtype[Any]]

_NC, _NE, _NP = len(CATEGORIES), len(EMOTIONS), len(PRIORITIES)
_CAT = slice(0, _NC)
_PRIMARY = slice(_NC, 2 * _NC)
_PRESENT = slice(2 * _NC, 2 * _NC + _NE)
_STRONG = slice(2 * _NC + _NE, 2 * _NC + 2 * _NE)
_PRIO = slice(2 * _NC + 2 * _NE, 2 * _NC + 2 * _NE + _NP)
#: The complaint head: whether the text complains about anything at all.
_COMPLAINT = _PRIO.stop
_N_OUT = _COMPLAINT + 1
#: The complaint head's bias in a model saved without one: every text
#: complains, with a probability of exactly 1.0
_ALWAYS = 40.0
#: The heads that score each clause: the categories, then the complaint head.
_CLAUSE_HEADS = np.r_[np.arange(_CAT.start, _CAT.stop), _COMPLAINT]
#: The heads `explain` weighs: the categories, then the emotions' presence.
_EXPLAINED = np.r_[np.arange(_CAT.start, _CAT.stop), np.arange(_PRESENT.start, _PRESENT.stop)]

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


class _Naming(NamedTuple):
    """Texts that would keep a category by ``problem_cues`` were they left
    with none (`TriageModel.named_problems`): their rows, their category
    heads' probabilities (k, 6) and, when ``primary_complaint_weight`` or
    ``primary_order_weight`` choose the category, their scored clauses."""

    rows: Array
    cat_p: Array
    scored: _ClauseScores | None


class _ClauseScores(NamedTuple):
    """The clauses of many texts, in order (m clauses, n texts): the
    category heads' probabilities (m, 6), the polarity (m,), the row where
    each text's clauses start (n,) and the complaint head's probability (m,)."""

    proba: Array
    polarity: Array
    starts: Array
    complaint: Array


@dataclass(frozen=True, eq=False)
class Predictions:
    """Model outputs for many texts, one row per text, in input order.

    All arrays have ``n`` rows. Priority here is only the model's signal; the
    priority engine (`triage.prioritize`) decides the level.
    """

    texts: list[str]  # normalised
    tokens: list[list[str]]
    truncated: Array  # (n,) bool
    low_confidence: Array  # (n,) bool
    category_proba: Array  # (n, 6)
    category_labels: Array  # (n, 6) bool
    primary: Array  # (n,) int, -1 for none
    emotion_proba: Array  # (n, 5)
    intensity: Array  # (n, 5) int 0-2
    priority_proba: Array  # (n, 4); NaN without a priority head or for a low-confidence row
    sentiment: Array  # (n,)
    #: (n,) the complaint head's probability that the text complains about
    #: anything (1.0 throughout for a model saved without the head, format
    #: version 5 and older); None for a predictor without one (the lexicon)
    complaint_proba: Array | None = None
    #: With ``predict_many(texts, explain=top)``: per row, each category that
    #: applies (primary first) and each emotion present, to the `top` terms
    #: that raise its score most; else None.
    why: list[dict[str, list[str]]] | None = None
    #: Per row, the normalised text past `triage.MAX_CHARS` that was read
    #: (`triage.text.PreparedText.rest`, "" unless truncated): the priority
    #: rules read it after ``texts[i]``, so a threat at the end of a long text
    #: counts. None: nothing past the cut.
    rests: list[str] | None = None

    def __len__(self) -> int:
        return len(self.texts)

    def category_result(self, i: int) -> CategoryResult:
        proba = self.category_proba[i].tolist()
        primary = int(self.primary[i])
        order = label_order(self.category_labels[i].tolist(), proba, primary)
        return CategoryResult(
            LabelMap(CATEGORIES, tuple(proba)),
            tuple(CATEGORIES[j] for j in order),
            CATEGORIES[primary] if primary >= 0 else None,
        )

    def emotion_result(self, i: int) -> EmotionResult:
        return EmotionResult(
            LabelMap(EMOTIONS, tuple(float(p) for p in self.emotion_proba[i])),
            LabelMap(EMOTIONS, tuple(int(v) for v in self.intensity[i])),
            float(self.sentiment[i]),
        )

    def learned_priority(self, i: int) -> dict[str, float] | None:
        """The priority head's distribution for row `i`; None when there is no head (NaN)."""
        row = self.priority_proba[i]
        if np.isnan(row).any():
            return None
        return {str(p): float(v) for p, v in zip(PRIORITIES, row, strict=True)}

    def assessment(
        self, i: int, *, context: Context | None = None, policy: Policy | None = None
    ) -> Assessment:
        """The full triage of row `i`, with the priority engine applied."""
        cats = self.category_result(i)
        emotions = self.emotion_result(i)
        prio: PriorityResult = prioritize(
            self.texts[i] + self.rests[i] if self.rests is not None else self.texts[i],
            cats,
            emotions,
            learned=self.learned_priority(i),
            context=context,
            policy=policy,
        )
        return Assessment(
            text=self.texts[i],
            primary=cats.primary,
            categories=cats.labels,
            category_probabilities=cats.probabilities,
            emotions=emotions.intensities,
            emotion_probabilities=emotions.probabilities,
            sentiment=emotions.sentiment,
            priority=prio.level,
            reasons=prio.reasons,
            deadline_minutes=prio.deadline_minutes,
            route=prio.route,
            truncated=bool(self.truncated[i]),
            low_confidence=bool(self.low_confidence[i]),
            complaint_probability=(
                None if self.complaint_proba is None else float(self.complaint_proba[i])
            ),
        )


class OneText:
    """The calls on one complaint, from a model's `predict_one`: shared by
    `TriageModel` and the lexicon baseline, so either serves `triage.analyze`."""

    def predict_one(self, text: Any) -> Predictions:
        raise NotImplementedError

    def _staged(self) -> bool:
        """Whether a clause stage decides the categories (`TriageModel` may have one)."""
        return False

    def analyze(
        self, text: str, *, context: Context | None = None, policy: Policy | None = None
    ) -> Assessment:
        """The full triage of one complaint (see `triage.analyze`)."""
        return self.predict_one(text).assessment(0, context=context, policy=policy)

    def classify(self, text: str) -> CategoryResult:
        """Categories of one complaint (see `triage.classify`)."""
        return self.predict_one(text).category_result(0)

    def score_emotions(self, text: str) -> EmotionResult:
        """Emotions and polarity of one complaint (see `triage.score_emotions`)."""
        return self.predict_one(text).emotion_result(0)


class TriageModel(OneText):
    """Categories, emotions and a priority signal for Chinese complaints.

    Parameters
    ----------
    C : float, default 10.0
        Inverse regularisation strength of the binary heads (categories,
        emotion presence and strength).
    C_primary : float, default 10.0
        Inverse regularisation strength of the primary-category and priority
        heads (multinomial).
    C_nb : float or None, default 1.0
        Inverse regularisation strength of the second view of each category
        head: a logistic regression on which words and character n-grams a
        text holds (0/1), each scaled by its naive-Bayes log-count ratio for
        the category (NB-SVM, Wang and Manning 2012). A category's
        probability is the mean of this view's and the first head's; the two
        err on different texts, and the mean gains about a point of
        out-of-fold macro-F1. None keeps the first head alone. Without any
        term (n-grams switched off) there is no second view.
    class_weight : {"balanced", None}, default "balanced"
        Weighting of the binary heads; "balanced" helps the rare labels.
    word_ngrams, char_ngrams : tuple of (int, int), default (1, 1) and (1, 3)
        Word and character n-gram ranges; ``(0, 0)`` switches a kind off.
    cues : bool, default True
        Add dense emotion cue columns (hits of the lexicon's cue words,
        ``!``, ``?``, ellipses, emoji) for the emotion and priority heads.
    word_vectors : WordVectors, optional
        Word vectors learned from unlabeled text (`triage.vectors`); the
        idf-weighted mean vector of a text's words becomes a dense block of
        features for every head. The shipped model uses vectors learned from
        the public review and post sets.
    primary_blend : float, default 0.9
        The primary is the likeliest, among the categories that apply, of
        ``primary_blend * p(category) / sum(p) + (1 - primary_blend) * p(primary)``:
        the category probabilities, normalised, blended with the softmax head
        trained on the labeled primaries.
    primary_complaint_weight : float, default 0.5
        Where a text has several categories, the primary leans to the one
        whose evidence lies in the clauses that complain: the score above is
        multiplied by ``(share + 0.05) ** primary_complaint_weight``, with
        ``share`` the complaint head's probability of the text's clauses
        averaged with weights of how likely each is about the category
        (`primary_scores`). In 菜很好吃，但是送得太慢，汤都洒了 the food is
        praised and the delivery complained of. 0 leaves it out.
    primary_order_weight : float, default 0.5
        And to the one complained of first: the score is multiplied by
        ``exp(-primary_order_weight * first)``, with ``first`` where the first
        clause that complains and carries the category stands, from 0 (the
        first clause) to 1 (the last, or none does). 0 leaves it out. In
        5-fold cross-validation on the training set, over five fold seeds,
        the two weights at 0.5 raised primary accuracy by 0.009 (every seed
        gained, 0.006 to 0.011); neither alone gained more than 0.006. The
        categories, and so every other figure, are the same, but for the one
        category a text that names a problem keeps (``problem_cues``), which
        the two weights choose too.
    min_primary_proba : float or None, default 0.2
        When no category clears its threshold but the likeliest has at least
        this probability and the text is negative (sentiment below 0.5), it
        is kept as the one category: a complaint is rarely about nothing.
        So it is when the text names a concrete problem (``problem_cues``).
        None never does.
    min_complaint_proba : float or None, default 0.1
        A text whose complaint head (`Predictions.complaint_proba`: does it
        complain about anything at all?) is below this has no category and
        no primary, whatever the category heads say, and the priority head
        does not raise it: praise such as 快递很快，包装也很好 names a
        category's words without complaining about it. The head learns from
        the labeled texts (a text complains when it has a category) and from
        extra rows with a ``complaint`` label, such as the public sets' short
        positive reviews (`triage.weak.load_praise`, ``triage train
        --praise``), which labeled complaints hardly hold. None never gates.
    C_complaint : float, default 1.0
        Inverse regularisation strength of the complaint head. Out of fold,
        a head as free as the others (10.0) gave more labeled complaints
        probabilities near 0 for as much praise held out.
    problem_cues : bool, default True
        A text left with no category (by the thresholds, the clause stage or
        ``min_complaint_proba``) whose words name a concrete problem keeps
        one category as its primary, when its likeliest has at least
        ``min_primary_proba``: the likeliest, or with
        ``primary_complaint_weight`` or ``primary_order_weight`` the best by
        their scores among those of at least ``min_primary_proba``
        (`named_problems`). A text names a problem when a trigger at P1 to
        P3 of the default priority policy fires in it (吃了你们的蛋糕上吐下泻,
        打了12315, 用了两天就坏了), not negated, asked or supposed. A text that
        names a harm complains about something. It reads the default policy
        whatever policy the priority engine is given.
    clause_stage : bool, default True
        Re-decide each category from the evidence of the text's clauses (cut
        at punctuation and whitespace, see `triage._features.clauses`): each
        clause is scored by the category heads, the sentiment model and the
        complaint head (``clause_reads_complaint_``), and a small logistic
        regression per category, over the text's probability,
        the highest and summed clause probabilities (plain and weighted by
        how negative each clause is) and the polarities of the clauses that
        carry it, decides whether the category applies. It is trained on
        out-of-fold scores of the training texts, so it needs
        ``threshold_folds >= 2``; without it the thresholds alone decide. The
        heads' primary always applies, and is the primary unless
        ``primary_complaint_weight`` or ``primary_order_weight`` choose
        another of the categories that apply.
        Set to False on a fitted model, the heads alone decide until it is
        set back; True cannot add a stage the fit did not learn.
        In 5-fold cross-validation it gained about 0.007 of category
        macro-F1. It about doubles the time of a warm one-text call
        (`analyze`) and adds about a third to a batch's.
    min_df : int, default 2
        Drop terms seen in fewer documents.
    max_features : int or None, default 200_000
        Keep at most this many terms, the most frequent.
    threshold_folds : int, default 5
        Decision thresholds of the binary heads are chosen to maximise F1 on
        out-of-fold predictions of this many folds of the training data; 0 or 1
        keeps 0.5 and learns no clause stage (``clause_stage``).
    hmm : bool, default False
        Let jieba guess unknown words (slower, rarely better here). Read at
        fit (`hmm_`): predictions cut texts as the training texts were cut.
    words : path-like or list of str, optional
        Words of your domain for the segmenter to keep whole (product and
        service names, jargon: ``["花呗", "携号转网", "ETC卡 10"]``), as a
        jieba user dictionary file or its lines (see `triage.text.read_words`).
        They are added to a copy of the library's dictionary for this model
        alone, at fit and for every prediction; `triage.segment` and other
        models are left as they are. The model keeps the words it was fitted
        with (`words_`), so a saved model needs no file beside it, and holds
        that copy (some 15 MB) from its first prediction for as long as it
        lives, sharing it with models of the same words; it is not pickled.
    extra_weight : float, default 0.2
        Sample weight of rows passed as ``fit(..., extra=...)`` (partially or
        weakly labeled data) relative to the labeled rows, unless the extra
        frame has a ``weight`` column. Weights, and the C of every head,
        are at most `triage.labeled.MAX_WEIGHT` (1e12).
    random_state : int, default 0
        Seed of the folds and the solvers; the same rows, in the same order,
        and seed give identical models. The threshold folds are cut by row
        position, so shuffled rows give other thresholds (as another seed
        does).
    n_jobs : int or None, default None
        Parallel jobs for fitting the heads (joblib threads). Inside a
        scikit-learn search with ``n_jobs`` of its own, each of its
        processes runs this many more: keep the product at most the cores
        (see "Model selection with scikit-learn" in ``docs/retraining.md``).

    Attributes
    ----------
    features_ : FeatureSpace
    coef_ : ndarray of shape (n_features, 27)
        Weights of the linear heads, in column blocks: the six categories,
        the six-way primary, the presence and the strength of the five
        emotions, the four-way priority and the complaint head.
    intercept_ : ndarray of shape (27,)
        NaN in the priority block when every training row has one priority
        level: the model has no priority head then, and the rules alone
        decide (``priority_proba`` is NaN).
    nb_coef_ : ndarray of shape (n_terms, 6) or None
        Weights of the naive-Bayes view of the category heads over the
        presence of each term (the ratios folded in); None without it.
    nb_intercept_ : ndarray of shape (6,) or None
    thresholds_ : dict of str to ndarray
        ``"categories"`` (6,), ``"presence"`` (5,), ``"strong"`` (5,).
    clause_coef_ : ndarray of shape (6, 13) or None
        Weights of the clause stage per category over its 13 features
        (`clause_features`), standardisation folded in; None without it.
    clause_intercept_ : ndarray of shape (6,) or None
    clause_thresholds_ : ndarray of shape (6,) or None
        A category applies when the clause stage's probability reaches this;
        NaN where the stage could not be fitted (too few positive texts) and
        ``thresholds_["categories"]`` decides. When no category could, there
        is no stage: the three ``clause_*`` attributes are None.
    clause_reads_complaint_ : bool
        Whether the clause stage reads how positive each clause is as the
        mean of its sentiment and of 1 - the complaint head's probability (a
        clause of praise, 快递很快, is no complaint whatever snownlp makes of
        it), rather than its sentiment alone (models of format version 8
        and older, and models whose labeled texts all complain with no
        extra row of praise: the complaint head, scored out of fold for the
        stage to learn from, then has no other class).
    sentiment_ : SentimentModel
    n_train_ : int
    n_extra_ : int
        Rows of partially labeled data used.
    training_fingerprint_ : str
        SHA-256 of the training texts and labels, in order.
    label_counts_ : dict of str to dict of str to int
        How many labeled rows have each category, primary, emotion and
        priority level, zeros included (`triage.save_model` writes them in
        the card); absent from models trained before it was kept.
    extra_fingerprint_ : str or None
        SHA-256 of the partially labeled rows (texts, label cells and
        weights, in order); None without them.
    words_ : tuple
        The `words` read at fit: ``(word, frequency or None, tag or None)``;
        empty without them.
    hmm_ : bool
        ``hmm`` at fit: predictions cut texts as the training texts were cut,
        whatever ``hmm`` is set to since (it takes effect at the next fit).

    Examples
    --------
    >>> import triage
    >>> model = triage.TriageModel(threshold_folds=0)
    >>> model.get_params()["C"]
    10.0
    """

    features_: FeatureSpace
    coef_: Array
    intercept_: Array
    nb_coef_: Array | None
    nb_intercept_: Array | None
    thresholds_: dict[str, Array]
    clause_coef_: Array | None
    clause_intercept_: Array | None
    clause_thresholds_: Array | None
    clause_reads_complaint_: bool
    sentiment_: SentimentModel
    n_train_: int
    n_extra_: int
    training_fingerprint_: str
    extra_fingerprint_: str | None
    label_counts_: dict[str, dict[str, int]]
    words_: _text.Words
    hmm_: bool
    card_: dict[str, Any]
    threshold_source_: dict[str, Any]

    def __init__(
        self,
        *,
        C: float = 10.0,
        C_primary: float = 10.0,
        C_nb: float | None = 1.0,
        class_weight: str | None = "balanced",
        word_ngrams: tuple[int, int] = (1, 1),
        char_ngrams: tuple[int, int] = (1, 3),
        cues: bool = True,
        word_vectors: WordVectors | None = None,
        primary_blend: float = 0.9,
        primary_complaint_weight: float = 0.5,
        primary_order_weight: float = 0.5,
        min_primary_proba: float | None = 0.2,
        min_complaint_proba: float | None = 0.1,
        C_complaint: float = 1.0,
        problem_cues: bool = True,
        clause_stage: bool = True,
        min_df: int = 2,
        max_features: int | None = 200_000,
        threshold_folds: int = 5,
        hmm: bool = False,
        words: str | os.PathLike[str] | Sequence[str] | None = None,
        extra_weight: float = 0.2,
        random_state: int = 0,
        n_jobs: int | None = None,
    ) -> None:
        self.C = C
        self.C_primary = C_primary
        self.C_nb = C_nb
        self.class_weight = class_weight
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.cues = cues
        self.word_vectors = word_vectors
        self.primary_blend = primary_blend
        self.primary_complaint_weight = primary_complaint_weight
        self.primary_order_weight = primary_order_weight
        self.min_primary_proba = min_primary_proba
        self.min_complaint_proba = min_complaint_proba
        self.C_complaint = C_complaint
        self.problem_cues = problem_cues
        self.clause_stage = clause_stage
        self.min_df = min_df
        self.max_features = max_features
        self.threshold_folds = threshold_folds
        self.hmm = hmm
        self.words = words
        self.extra_weight = extra_weight
        self.random_state = random_state
        self.n_jobs = n_jobs

    # -- scikit-learn estimator protocol ---------------------------------------

    @classmethod
    def _param_names(cls) -> list[str]:
        sig = inspect.signature(cls.__init__)
        return [p for p in sig.parameters if p != "self"]

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The constructor's parameters by name, as `sklearn.base.clone` reads them
        (`deep` is taken for scikit-learn's sake: no parameter is an estimator)."""
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params: Any) -> Self:
        """Set constructor parameters by name and return the model.

        A name the constructor does not have is a `triage.ParameterError`
        listing the valid ones; a value is checked when the model is fitted
        or, for the parameters predictions read, when it predicts.
        """
        valid = self._param_names()
        for name, value in params.items():
            if name not in valid:
                raise ParameterError(
                    f"invalid parameter {name!r} for TriageModel; "
                    f"valid parameters: {', '.join(valid)}"
                )
            setattr(self, name, value)
        return self

    def __repr__(self, N_CHAR_MAX: int = 700) -> str:  # scikit-learn's name
        """The parameters that differ from their defaults, bounded as
        scikit-learn bounds an estimator's: a list or tuple shows its first
        30 items and ``...``, and a repr still longer than `N_CHAR_MAX`
        characters is cut to them, its start and end around ``...``. A model
        of 3,000 `words` is shown in some 300 characters, where its words'
        repr alone is 26,000.
        """
        defaults = type(self)().get_params()
        changed = {k: v for k, v in self.get_params().items() if _differs(v, defaults[k])}
        shown = ", ".join(f"{k}={_bounded_repr(v)}" for k, v in changed.items())
        return _cut(f"TriageModel({shown})", N_CHAR_MAX)

    @property
    def _repr_html_(self) -> Callable[[], str]:
        """scikit-learn's HTML display of the model, which a notebook shows
        as it shows an estimator of scikit-learn's, with the repr as its text.

        scikit-learn is imported when a notebook first shows a model, not
        when one is loaded. With ``sklearn.set_config(display="text")`` there
        is none (an AttributeError, as for scikit-learn's estimators) and a
        notebook shows the repr.
        """
        from sklearn import get_config

        if get_config()["display"] != "diagram":
            raise AttributeError("_repr_html_ is only defined when display='diagram'")
        return self._html

    def _html(self) -> str:
        from sklearn.utils import estimator_html_repr

        return str(estimator_html_repr(self))

    def __getstate__(self) -> dict[str, Any]:
        # not the tokenizer of its words (`_tokenizer`), a copy of jieba's
        # dictionary: a model unpickled asks for one again
        return {k: v for k, v in self.__dict__.items() if k != "_tokenizer_of_words"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        # models saved before the naive-Bayes view (format version 2 and
        # older) were trained without it
        if "C_nb" not in state:
            state = {"C_nb": None, **state}
            if "coef_" in state:
                state.update(nb_coef_=None, nb_intercept_=None)
        # and before words of their own (format version 3 and older)
        if "words" not in state:
            state = {"words": None, **state}
            if "coef_" in state:
                state.update(words_=())
        # and before the clause stage (format version 4 and older)
        if "clause_stage" not in state:
            state = {"clause_stage": False, **state}
            if "coef_" in state:
                state.update(clause_coef_=None, clause_intercept_=None, clause_thresholds_=None)
        # and before the complaint head (format version 5 and older): a head
        # that finds every text a complaint, and no gate
        if "min_complaint_proba" not in state:
            state = {"min_complaint_proba": None, "C_complaint": 1.0, **state}
            if "coef_" in state and state["coef_"].shape[1] == _COMPLAINT:
                state["coef_"] = np.column_stack([state["coef_"], np.zeros(len(state["coef_"]))])
                state["intercept_"] = np.append(state["intercept_"], _ALWAYS)
        # and before the rescue by problem cues (format version 6 and older)
        if "problem_cues" not in state:
            state = {"problem_cues": False, **state}
        # and before the primary read from the clauses (format version 7 and older)
        if "primary_complaint_weight" not in state:
            state = {"primary_complaint_weight": 0.0, "primary_order_weight": 0.0, **state}
        # and before the clause stage read the complaint head (format version 8 and older)
        if "coef_" in state and "clause_reads_complaint_" not in state:
            state = {**state, "clause_reads_complaint_": False}
        # and before the segmenter's guessing was kept at fit (format version 9
        # and older): it was read from ``hmm``, which no one can have changed
        # since the model was saved
        if "coef_" in state and "hmm_" not in state:
            state = {**state, "hmm_": bool(state.get("hmm", False))}
        self.__dict__.update(state)

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "coef_")

    def __sklearn_tags__(self) -> Any:
        """scikit-learn's estimator tags (read by ``check_is_fitted`` from scikit-learn 1.6).

        Defined here rather than inherited from ``BaseEstimator`` so that
        loading and predicting never import scikit-learn.
        """
        from sklearn.utils import InputTags, Tags, TargetTags

        return Tags(
            estimator_type=None,
            # the labels may come in X; the input is text, not a numeric array
            target_tags=TargetTags(required=False, multi_output=True, single_output=False),
            input_tags=InputTags(two_d_array=False, string=True),
            non_deterministic=False,
            requires_fit=True,
        )

    def _check_fitted(self) -> None:
        if not hasattr(self, "coef_"):
            raise NotFittedError(
                "this TriageModel is not fitted yet; call fit(frame) or use triage.load_model(path)"
            )

    def _check_predicting(self) -> None:
        """Refuse to predict unfitted, or with a parameter a prediction reads
        (`_PREDICT_PARAMS`) set to a value `fit` would have refused: it may
        have been set on the fitted model (`set_params`) since `fit` checked it."""
        self._check_fitted()
        self._check_params(_PREDICT_PARAMS)

    def _check_params(self, names: Sequence[str] | None = None) -> Self:
        """Refuse parameter values `fit` cannot use, naming each and what it allows.

        Called first thing by `fit`, so a bad value fails before the texts are
        segmented rather than deep inside scikit-learn, or not at all. With
        `names`, only those parameters are checked (the ones a prediction
        reads, which `set_params` may have changed since the fit).
        """
        from triage.vectors import WordVectors

        bad = [
            f"{name}={getattr(self, name)!r} (allowed: {allowed})"
            for name, ok, allowed in _PARAM_RULES
            if (names is None or name in names) and not ok(getattr(self, name))
        ]
        if names is None and not isinstance(self.word_vectors, WordVectors | None):
            bad.append(
                f"word_vectors={type(self.word_vectors).__name__} "
                "(allowed: None or a triage.vectors.WordVectors)"
            )
        if bad:
            raise ParameterError(
                f"invalid TriageModel {plural(len(bad), 'parameter')}: {'; '.join(bad)}"
            )
        return self

    def _check_vectors(self) -> None:
        """Warn when the word vectors cut their corpus otherwise than `fit`
        will cut the labeled texts: words the two cut apart find no vector."""
        vectors = self.word_vectors
        learned = None if vectors is None else vectors.params.get("hmm")
        if learned is not None and bool(learned) != bool(self.hmm):
            warnings.warn(
                f"the word vectors were learned with hmm={bool(learned)} and the model "
                f"segments with hmm={bool(self.hmm)}: words that only one of them cuts "
                "find no vector; learn the vectors with the model's hmm",
                TriageWarning,
                stacklevel=user_stacklevel(),
            )

    # -- fitting ---------------------------------------------------------------

    def fit(
        self,
        X: pd.DataFrame | Sequence[str],
        y: pd.DataFrame | None = None,
        *,
        extra: pd.DataFrame | None = None,
    ) -> Self:
        """Learn every head from labeled complaints.

        Parameters
        ----------
        X : DataFrame or sequence of str
            A frame in the labeled file format (``text``, ``categories``,
            ``primary``, the five emotions, ``priority``), or the texts alone
            when `y` holds the label columns: a list or Series of str, or a
            frame whose ``text`` column (or only column) holds them.
        y : DataFrame, optional
            The label columns, row-aligned with `X` by position (their
            indexes are not compared). scikit-learn's model selection
            (``GridSearchCV(model, grid).fit(frame)``, `score`) passes
            ``y=None`` with a labeled frame, or a slice of these labels.
        extra : DataFrame, optional
            Partially or weakly labeled rows: a ``text`` column and any of
            ``categories``, ``complaint`` (1 or 0: whether the text complains
            at all, for the complaint head of `min_complaint_proba`; a row
            that names a category complains) and the five emotion columns,
            an empty cell meaning unknown, and optionally a per-row ``weight`` (else
            `extra_weight`). Each head trains on the rows it has labels for,
            read in the features learned from the labeled texts (their
            vocabulary and term weights), so rows that label some heads
            leave the others as they are; decision thresholds are still
            chosen on the labeled rows only,
            and an extra row whose text (normalised) is a labeled one never
            trains the fold that scores that text.

        Returns
        -------
        self

        Raises
        ------
        LabelError
            A bad row of `X`/`y` or of `extra` (an unknown label, an
            intensity other than 0, 1 or 2, a weight that is not a number
            >= 0), named by row and column, before any fitting.
        ParameterError
            Without `y`: `X` is not a DataFrame (the path of a labeled
            file: read it with `triage.read_labeled` first; rows as a list of
            dicts: ``pandas.DataFrame(rows)``). `y` or `extra` is not a
            DataFrame (a Series or an array as `y`, one column of labels
            as scikit-learn's classifiers take it, is told that the labels
            are the columns of the frame). With `y`: `X` is one str, a frame
            of several columns none of them ``text``, or holds another
            number of texts than `y` rows.
            A parameter value that cannot be used (``C=-1``,
            ``class_weight="balance"``), checked before anything else; or
            n-gram ranges, `min_df` or `max_features` that leave no term to
            learn from. The message names the parameter and what works.

        Warns
        -----
        TriageWarning
            A category or emotion that no row has (or that every row has), or
            a category that is never primary: its head predicts a constant.
            A priority of one level on every row: there is no priority head,
            and the rules alone decide (a head of that level would raise
            every text to it). No row of the least urgent levels (no P4,
            of several levels): the head raises every text to the least
            urgent level labeled at least. With ``threshold_folds >= 2``, a category or
            emotion that fewer than 5 labeled rows have (or lack), copies of
            a text counted once as they share a fold: its threshold is tuned
            on these few alone, or stays 0.5 for one row, which no two folds
            share. Each is named with its count. Word vectors learned with
            another `hmm` than the model's. A ``primary`` or ``priority``
            column of `extra`: it is not read, the labeled rows alone training
            those heads.
        """
        from triage._learn import fit_model
        from triage.labeled import require_frame

        self._check_params()
        self._check_vectors()
        frame = _labeled_frame(X, y, "fit")
        if extra is not None:
            require_frame(extra, "the extra training data")
        fit_model(self, frame, extra)
        return self

    def score(self, X: pd.DataFrame | Sequence[str], y: pd.DataFrame | None = None) -> float:
        """One figure of quality on labeled complaints, higher is better.

        The mean of three figures of `triage.evaluate`: category macro-F1,
        primary accuracy on the complaint rows and emotion-presence
        macro-F1. It is what scikit-learn's model selection maximises when
        given no ``scoring`` (``GridSearchCV(TriageModel(), grid).fit(frame)``,
        ``cross_val_score(TriageModel(), frame)``). These are the figures of
        the labels the model learns, each in [0, 1] and weighing each label
        alike, rare ones too. Priority is left out: the rules of
        `triage.prioritize` decide it from the text and the other labels,
        the model's own priority signal only ever raising a level, so it
        measures the policy more than the parameters searched. "Model
        selection with scikit-learn" in ``docs/retraining.md`` shows a grid
        search, the folds to give it and its ``n_jobs``.

        Parameters
        ----------
        X, y
            Labeled complaints, as `fit` takes them: a frame in the labeled
            file format, or the texts and a frame of their label columns;
            of ``categories``, ``primary`` and the emotions at least, the
            priority being no part of the figure.

        Returns
        -------
        float
            The mean of the figures the rows define (primary accuracy is
            undefined without a complaint row, as in `triage.evaluate`);
            NaN when none is.

        Raises
        ------
        NotFittedError
            The model is not fitted.
        LabelError, ParameterError
            As `fit` and `triage.evaluate` raise them for bad rows. A frame
            that does not label ``categories``, ``primary`` and the five
            emotions, the heads of the three figures, is refused before any
            text is predicted, naming those it does label, which
            `triage.evaluate` takes (a `triage.exceptions.LabelColumnError`
            for columns missing); the ``priority`` column may be left out or
            empty on every row.
        """
        from triage.evaluation import evaluate_for

        self._check_fitted()
        # the three heads of its figures: one of some would be another figure
        figures = ("category_macro_f1", "primary_accuracy", "emotion_macro_f1")
        ev = evaluate_for(self, _labeled_frame(X, y, "score"), figures, "TriageModel.score")
        values = np.array([ev.category_macro_f1, ev.primary_accuracy, ev.emotion_macro_f1])
        defined = values[~np.isnan(values)]
        return float(defined.mean()) if defined.size else float("nan")

    # -- predicting ------------------------------------------------------------

    def _tokenizer(self) -> jieba.Tokenizer:
        """The tokenizer of the model's `words_` (`triage.text.tokenizer_for`),
        held by the model for as long as it lives, and not pickled: a
        service of many models of their own words builds each copy once,
        and frees it with the last model of those words."""
        held = self.__dict__.get("_tokenizer_of_words")
        if held is not None and held[0] is self.words_:
            tokenizer: jieba.Tokenizer = held[1]
            return tokenizer
        words = self.words_
        tokenizer = _text.tokenizer_for(words)
        self.__dict__["_tokenizer_of_words"] = (words, tokenizer)
        return tokenizer

    def _docs(
        self,
        texts: Iterable[Any],
        words: _text.Words | None = None,
        hmm: bool | None = None,
        rests: list[str] | None = None,
    ) -> tuple[list[str], list[list[str]], list[bool]]:
        """Normalised texts, their tokens and truncation flags; cut with the
        model's `words_` and `hmm_` unless `words` and `hmm` are given (as
        `fit` gives them). Each text's normalised rest past the cut goes to
        `rests`, when given."""
        # a fit's words are cut again (the sentiment model's corpus): kept
        tokenizer = self._tokenizer() if words is None else _text.tokenizer_for(words, keep=True)
        if hmm is None:
            hmm = self.hmm_
        norm: list[str] = []
        toks: list[list[str]] = []
        cut: list[bool] = []
        for t in texts:
            p = _text.prepare(t)
            norm.append(p.text)
            toks.append(_text.tokenize_with(tokenizer, p.text, hmm))
            cut.append(p.truncated)
            if rests is not None:
                rests.append(p.rest)
        return norm, toks, cut

    def logits(self, X: csr_matrix) -> Array:
        """Logits of all heads for a document-term matrix, shape (n, 27).

        The category probabilities also average in the naive-Bayes view
        (`nb_coef_`), which is not among these logits.
        """
        self._check_fitted()
        z: Array = np.asarray(X @ self.coef_) + self.intercept_
        return z

    def _nb_logits(self, X: csr_matrix) -> Array | None:
        """Logits of the naive-Bayes view of the category heads, (n, 6); None without it.

        `X` holds the term columns first, as `FeatureSpace.blocks` and
        `FeatureSpace.matrix` give them; the view sees only whether each is there.
        """
        if self.nb_coef_ is None or self.nb_intercept_ is None:
            return None
        z: Array = np.asarray(presence(X, self.nb_coef_.shape[0]) @ self.nb_coef_)
        return z + self.nb_intercept_

    def predict_many(self, texts: Iterable[Any], *, explain: int = 0) -> Predictions:
        """Predict every head for many texts in one vectorised pass.

        Each element must be a `str` (checked; see `triage.score_frame` for
        columns with missing values); one str or a DataFrame is refused
        (`ParameterError`), as each iterates as something else. With
        `explain`, `Predictions.why` holds each row's `explain` top terms of
        the labels that apply, as `TriageModel.explain` weighs them.
        """
        explain = check_top(explain, "explain")
        check_many(texts)
        self._check_predicting()
        rests: list[str] = []
        norm, toks, cut = self._docs(texts, rests=rests)
        X, dense, z, nnz = self._logits_of(norm, toks)
        pred = self._decode(z, norm, toks, np.asarray(cut, dtype=bool), nnz, self._nb_logits(X))
        if any(rests):
            pred = dataclasses.replace(pred, rests=rests)
        if not explain:
            return pred
        return dataclasses.replace(pred, why=self._why(pred, X, dense, explain))

    def _logits_of(
        self, norm: list[str], toks: list[list[str]]
    ) -> tuple[csr_matrix, Array | None, Array, Array]:
        """The feature blocks of normalised texts and their tokens (`FeatureSpace.blocks`),
        the logits of every head (n, 27) and the number of features each text has."""
        X, dense = self.features_.blocks(zip(norm, toks, strict=True))
        # the sparse and dense columns are multiplied apart: stacking the dense
        # ones into the sparse matrix costs more than the products
        z = X @ self.coef_[: X.shape[1]] + self.intercept_
        nnz = np.diff(X.indptr)
        if dense is not None:
            # einsum's own loop, not BLAS: a BLAS product rounds a row differently
            # with the number of rows beside it, so scores would depend on the
            # chunk size and n_jobs
            z += np.einsum("ij,jk->ik", dense, self.coef_[X.shape[1] :])
            nnz = nnz + np.count_nonzero(dense, axis=1)
        return X, dense, z, nnz

    def _why(self, pred: Predictions, X: csr_matrix, dense: Array | None, top: int) -> list[Any]:
        """`Predictions.why` of the rows of `X` (and `dense`, the word-vector and cue columns)."""
        space = self.features_
        first_cue = space.n_dims
        why = []
        for r in range(len(pred)):
            start, stop = X.indptr[r], X.indptr[r + 1]
            idx, val = X.indices[start:stop], X.data[start:stop]
            if space.cues and dense is not None:
                on = np.flatnonzero(dense[r, first_cue:])
                idx = np.concatenate([idx, space.n_text_features + on])
                val = np.concatenate([val, dense[r, first_cue + on]])
            text = pred.texts[r]
            terms, table = self._term_weights(text, idx, val)
            cats = label_order(
                pred.category_labels[r].tolist(),
                pred.category_proba[r].tolist(),
                int(pred.primary[r]),
            )
            heads = [(str(CATEGORIES[j]), j) for j in cats]
            heads += [(str(e), _NC + k) for k, e in enumerate(EMOTIONS) if pred.intensity[r, k]]
            row = {}
            for label, j in heads:
                row[label] = [str(terms[i]) for i in _top(terms, table[:, j], text, top)]
            why.append(row)
        return why

    def predict_one(self, text: Any) -> Predictions:
        """Predict one text; the cheap path behind `analyze`."""
        return self._one(text)[0]

    def _one(self, text: Any) -> tuple[Predictions, Array, Array]:
        """`predict_one` and the text's feature columns and values, which `explain` weighs."""
        self._check_predicting()
        p = _text.prepare(text)
        tokens = _text.tokenize_with(self._tokenizer(), p.text, self.hmm_)
        # the features and sums of the batch path, for one row: a BLAS
        # product rounds otherwise than they do, and otherwise on another
        # CPU, so the text's scores would differ from `predict_many`'s and
        # from machine to machine in their last bits
        idx, val, dense = self.features_.row(p.text, tokens)
        z = (in_order(val, self.coef_[idx]) + self.intercept_)[None, :]
        z_nb = None
        if self.nb_coef_ is not None and self.nb_intercept_ is not None:
            terms = idx[(idx < self.nb_coef_.shape[0]) & (val != 0)]
            nb = in_order(np.ones(terms.size), self.nb_coef_[terms]) + self.nb_intercept_
            z_nb = nb[None, :]
        if dense is not None:
            n_terms = self.features_.n_terms
            z += np.einsum("ij,jk->ik", dense, self.coef_[n_terms:])
            on = np.flatnonzero(dense[0])
            idx = np.concatenate([idx, n_terms + on])
            val = np.concatenate([val, dense[0, on]])
        pred = self._decode(
            z, [p.text], [tokens], np.array([p.truncated]), np.array([idx.size]), z_nb, one=True
        )
        if p.rest:
            pred = dataclasses.replace(pred, rests=[p.rest])
        return pred, idx, val

    def _decode(
        self,
        z: Array,
        norm: list[str],
        toks: list[list[str]],
        cut: Array,
        nnz: Array,
        z_nb: Array | None = None,
        one: bool = False,
    ) -> Predictions:
        n = z.shape[0]
        th = self.thresholds_
        low = low_confidence(norm, nnz)
        senti = np.fromiter((self.sentiment_.score(t) for t in toks), dtype=np.float64, count=n)
        cat_p = _category_proba(z, z_nb)
        prim_p = self._primary_proba(z, cat_p)
        scored = self._clause_scores(norm, toks, one) if self._staged() and n else None
        complaint_p = _sigmoid(z[:, _COMPLAINT])
        labels, primary, gated = self._decide_categories(
            cat_p, prim_p, senti, low, complaint_p, norm, scored
        )
        primary = self._primary_by_clauses(labels, primary, prim_p, norm, toks, scored, one)
        emo_p = _sigmoid(z[:, _PRESENT])
        present = (emo_p >= th["presence"]) & ~low[:, None]
        strong = _sigmoid(z[:, _STRONG]) >= th["strong"]
        intensity = present.astype(np.int64) * (1 + strong.astype(np.int64))
        prio_p = _softmax(z[:, _PRIO])
        # nothing learned applies to a low-confidence text: the rules alone
        # decide its priority, as they do its categories and emotions
        prio_p[low] = np.nan
        # nor does it raise a text that complains about nothing
        prio_p[gated] = np.nan
        return Predictions(
            norm,
            toks,
            cut,
            low,
            cat_p,
            labels,
            primary,
            emo_p,
            intensity,
            prio_p,
            senti,
            complaint_p,
        )

    def _primary_proba(self, z: Array, cat_p: Array) -> Array:
        """The blended primary probabilities (n, 6) of the logits `z` and the
        category heads' probabilities `cat_p`."""
        blend = self.primary_blend
        out: Array = blend * cat_p / cat_p.sum(axis=1, keepdims=True) + (1 - blend) * _softmax(
            z[:, _PRIMARY]
        )
        return out

    def _decide_categories(
        self,
        cat_p: Array,
        prim_p: Array,
        senti: Array,
        low: Array,
        complaint_p: Array,
        norm: list[str],
        scored: _ClauseScores | None,
        naming: _Naming | None = None,
        clause_p: Array | None = None,
    ) -> tuple[Array, Array, Array]:
        """The categories (n, 6), the primary before the clauses choose it
        again (`_primary_by_clauses`) and which texts the complaint gate
        leaves without a category, as the thresholds decide them.

        From the category heads' `cat_p`, the blended primary probabilities
        `prim_p`, the texts' polarity `senti`, which are of low confidence
        (`low`), the complaint head's `complaint_p`, the normalised texts
        `norm` and, with the clause stage, their `scored` clauses (None
        without it). Only this reads the category thresholds, so that
        `triage.retrain.tune_thresholds` can try them on what it computed
        once, `naming` (`_naming` of every text that is not of low
        confidence) and `clause_p` (the stage's `_clause_proba`) too: each
        is found here when None.
        """
        n = cat_p.shape[0]
        labels = self._categories(cat_p, self.thresholds_["categories"], cat_p, senti, low)
        # the primary is the likeliest primary among the categories that apply
        masked = np.where(labels, prim_p, -1.0)
        primary = np.where(labels.any(axis=1), masked.argmax(axis=1), -1)
        if scored is not None:
            labels, primary = self._clause_labels(
                cat_p, senti, scored, low, primary, prim_p, clause_p
            )
        gated = np.zeros(n, dtype=bool)
        if self.min_complaint_proba is not None:
            # praise and small talk: no category, whatever the heads found
            gated = complaint_p < self.min_complaint_proba
            labels[gated] = False
            primary = np.where(gated, -1, primary)
        # a text that names a concrete problem complains about something
        unlabeled = np.flatnonzero(~labels.any(axis=1) & ~low)
        if naming is None:
            named, best = self.named_problems(cat_p, norm, unlabeled)
        else:
            named, best = self._named(naming, unlabeled)
        if named.size:
            labels[named, best] = True
            primary[named] = best
            gated[named] = False
        return labels, primary, gated

    def _primary_by_clauses(
        self,
        labels: Array,
        primary: Array,
        prim_p: Array,
        norm: list[str],
        toks: list[list[str]],
        scored: _ClauseScores | None,
        one: bool,
    ) -> Array:
        """The primary of every text, chosen again among its categories
        where it has several, by ``primary_complaint_weight`` and
        ``primary_order_weight`` (see `primary_scores`). `scored` holds the
        clauses of all texts, or None: the clauses of the texts with several
        categories are then scored here."""
        a, b = self._primary_weights()
        many = np.flatnonzero(labels.sum(axis=1) > 1)
        if not (a or b) or not many.size:
            return primary
        th = self.thresholds_["categories"]
        if scored is None:
            scored = self._clause_scores([norm[i] for i in many], [toks[i] for i in many], one)
            score = primary_scores(prim_p[many], scored, th, a, b)
        else:
            score = primary_scores(prim_p, scored, th, a, b)[many]
        out = primary.copy()
        out[many] = np.where(labels[many], score, -np.inf).argmax(axis=1)
        return out

    def _primary_weights(self) -> tuple[float, float]:
        """``primary_complaint_weight`` and ``primary_order_weight`` as floats
        (checked by `_check_predicting`)."""
        return float(self.primary_complaint_weight), float(self.primary_order_weight)

    def named_problems(
        self, cat_p: Array, texts: Sequence[str] | Array, rows: Array
    ) -> tuple[Array, Array]:
        """Of the texts at `rows`, left with no category, those that keep
        one category by ``problem_cues``, and that category.

        `cat_p` holds the category heads' probabilities and `texts` the
        normalised texts, for all rows. A text is kept when its likeliest
        category has at least ``min_primary_proba`` and it names a problem
        (`names_a_problem`). With ``primary_complaint_weight`` or
        ``primary_order_weight``, the category is the best by `primary_scores`
        (the clause that names the problem complains; the praise before it
        does not) among those of at least ``min_primary_proba``: in
        快递很快，包装也很好，可惜是假货 logistics is the likeliest, and the
        product is what it complains of.
        """
        return self._named(self._naming(cat_p, texts, rows), rows)

    def _naming(self, cat_p: Array, texts: Sequence[str] | Array, rows: Array) -> _Naming:
        """Of the texts at `rows`, those that would keep a category by
        ``problem_cues`` were they left with none, and what chooses it
        (`_Naming`): none of it reads the thresholds."""
        self._check_predicting()
        nothing = np.empty(0, dtype=np.intp)
        if not self.problem_cues or self.min_primary_proba is None or not len(rows):
            return _Naming(nothing, cat_p[nothing], None)
        rows = rows[cat_p[rows].max(axis=1) >= self.min_primary_proba]
        named = np.array(
            [i for i in rows.tolist() if names_a_problem(str(texts[i]))], dtype=np.intp
        )
        scored = None
        a, b = self._primary_weights()
        if (a or b) and named.size:
            # A handful of texts: cut again rather than carried here from every
            # caller, and scored by the batch path whatever their number, so that
            # one text and a batch agree
            tokenizer = self._tokenizer()
            chosen = [str(texts[i]) for i in named]
            toks = [_text.tokenize_with(tokenizer, t, self.hmm_) for t in chosen]
            scored = self._clause_scores(chosen, toks)
        return _Naming(named, cat_p[named], scored)

    def _named(self, naming: _Naming, rows: Array) -> tuple[Array, Array]:
        """The texts of `naming` among `rows` (those left with no category)
        and the category each keeps, with the thresholds as they are."""
        keep = np.isin(naming.rows, rows)
        if not keep.any():
            nothing = np.empty(0, dtype=np.intp)
            return nothing, nothing
        return naming.rows[keep], self._named_best(naming)[keep]

    def _named_best(self, naming: _Naming) -> Array:
        """The category each text of `naming` keeps (see `named_problems`)."""
        cat_p = naming.cat_p
        a, b = self._primary_weights()
        if naming.scored is None or not (a or b):
            likeliest: Array = cat_p.argmax(axis=1)
            return likeliest
        # each text's score is of its own clauses, whatever the texts beside it
        prim_p = cat_p / cat_p.sum(axis=1, keepdims=True)
        score = primary_scores(prim_p, naming.scored, self.thresholds_["categories"], a, b)
        assert self.min_primary_proba is not None
        out: Array = np.where(cat_p >= self.min_primary_proba, score, -np.inf).argmax(axis=1)
        return out

    def _named_category(self, cat_p: Array, texts: list[str]) -> Array:
        """The category each text that names a problem keeps (see `named_problems`)."""
        a, b = self._primary_weights()
        scored = None
        if a or b:
            tokenizer = self._tokenizer()
            toks = [_text.tokenize_with(tokenizer, t, self.hmm_) for t in texts]
            scored = self._clause_scores(texts, toks)
        return self._named_best(_Naming(np.arange(len(texts)), cat_p, scored))

    def _staged(self) -> bool:
        """Whether the clause stage decides the categories: learned by `fit`
        and not switched off since (``set_params(clause_stage=False)``)."""
        return bool(self.clause_stage) and self.clause_coef_ is not None

    def _categories(
        self, score: Array, cut: Array, cat_p: Array, senti: Array, low: Array
    ) -> Array:
        """The categories whose `score` reaches its `cut`. A negative text
        (`senti` below 0.5) with none, whose heads' likeliest probability
        `cat_p` is at least `min_primary_proba`, keeps its best-scored one: it
        is rarely about nothing. A low-confidence text has none."""
        labels: Array = score >= cut
        if self.min_primary_proba is not None:
            best = score.argmax(axis=1)
            rescue = ~labels.any(axis=1) & (cat_p.max(axis=1) >= self.min_primary_proba)
            rescue &= senti < 0.5
            labels[rescue, best[rescue]] = True
        labels &= ~low[:, None]
        return labels

    def _clause_labels(
        self,
        cat_p: Array,
        senti: Array,
        scored: _ClauseScores,
        low: Array,
        primary: Array,
        prim_p: Array,
        score: Array | None = None,
    ) -> tuple[Array, Array]:
        """The categories (and primary) the clause stage gives, from the heads'
        `cat_p`, the texts' polarity `senti`, their `scored` clauses and
        primary, and the blended primary probabilities `prim_p`; `score`
        is the stage's probabilities (`_clause_proba`), computed here when None."""
        assert self.clause_thresholds_ is not None
        if score is None:
            score = self._clause_proba(cat_p, senti, scored=scored)
        staged = ~np.isnan(self.clause_thresholds_)
        cut = np.where(staged, self.clause_thresholds_, self.thresholds_["categories"])
        # A negative text the clauses give no category is rescued by their
        # best one, and the heads' primary joins it when it is another (in
        # under 0.2 % of texts). Rescuing by the heads' primary alone made no
        # difference out of fold (+0.0003 category macro-F1 over five fold seeds).
        labels = self._categories(score, cut, cat_p, senti, low)
        # the heads' primary stays, and applies; without one, the likeliest of
        # the categories the clauses gave
        has = primary >= 0
        labels[np.flatnonzero(has), primary[has]] = True
        masked = np.where(labels, prim_p, -1.0)
        primary = np.where(has, primary, np.where(labels.any(axis=1), masked.argmax(axis=1), -1))
        return labels, primary

    def _clause_proba(
        self,
        cat_p: Array,
        senti: Array,
        norm: list[str] | None = None,
        toks: list[list[str]] | None = None,
        *,
        scored: _ClauseScores | None = None,
    ) -> Array:
        """The clause stage's probability that each category applies, (n, 6),
        given the heads' `cat_p` and the texts' polarity `senti`; the heads'
        own where the stage has no model of a category. The clauses are cut
        from `norm` and `toks` and scored, unless they come `scored`."""
        assert self.clause_coef_ is not None and self.clause_intercept_ is not None
        assert self.clause_thresholds_ is not None
        if scored is None:
            assert norm is not None and toks is not None
            scored = self._clause_scores(norm, toks)
        polarity = scored.polarity
        if self.clause_reads_complaint_:
            polarity = clause_polarity(polarity, scored.complaint)
        F = clause_features(
            cat_p,
            senti,
            scored.proba,
            polarity,
            scored.starts,
            self.thresholds_["categories"],
        )
        # einsum's own loop, for scores that do not hang on the rows beside them
        score = _sigmoid(np.einsum("ncf,cf->nc", F, self.clause_coef_) + self.clause_intercept_)
        out: Array = np.where(np.isnan(self.clause_thresholds_), cat_p, score)
        return out

    def _clause_scores(
        self, norm: list[str], toks: list[list[str]], one: bool = False
    ) -> _ClauseScores:
        """The category and complaint heads' probabilities and the polarity
        of the clauses of every text, in order, and the row where each text's
        clauses start (`_ClauseScores`).

        With `one` (one text, from `predict_one`), each clause takes the
        one-text path of the features, as the text does: for a few clauses it
        costs a fraction of the batch path.
        """
        # the clauses' tokens as tuples: the many clauses of a chunk, held
        # until they are scored, are then nothing for the garbage collector to
        # follow (as lists, its full passes over them took some 8% of a batch)
        docs: list[tuple[str, tuple[str, ...]]] = []
        starts = np.empty(len(norm), dtype=np.intp)
        for i, (text, tokens) in enumerate(zip(norm, toks, strict=True)):
            starts[i] = len(docs)
            docs.extend(clauses(text, tuple(tokens)))
        pol = np.fromiter(
            (self.sentiment_.score(t) for _, t in docs), dtype=np.float64, count=len(docs)
        )
        if one:
            proba, complaint = self._clause_proba_one(docs)
            return _ClauseScores(proba, pol, starts, complaint)
        proba = np.empty((len(docs), _NC))
        complaint = np.empty(len(docs))
        # A chunk's texts have some ten times as many clauses: they are scored
        # a slice at a time, so that their dense block (a word-vector mean
        # each) is not held for all of them at once. Each row's score is its
        # own, whatever the slice.
        for at in range(0, len(docs), _CLAUSE_SLICE):
            part = docs[at : at + _CLAUSE_SLICE]
            # the category heads give the cue columns no weight
            X, dense = self.features_.blocks(part, cues=False)
            z = X @ self.coef_[: X.shape[1], _CAT] + self.intercept_[_CAT]
            if dense is not None:
                vectors = self.coef_[X.shape[1] : X.shape[1] + dense.shape[1], _CAT]
                z += np.einsum("ij,jk->ik", dense, vectors)
            proba[at : at + len(part)] = two_views(z, self._nb_logits(X))
            # the complaint head reads the clause as the category heads do
            zc = X @ self.coef_[: X.shape[1], _COMPLAINT] + self.intercept_[_COMPLAINT]
            if dense is not None:
                vector = self.coef_[X.shape[1] : X.shape[1] + dense.shape[1], _COMPLAINT]
                zc += np.einsum("ij,j->i", dense, vector)
            complaint[at : at + len(part)] = _sigmoid(zc)
        return _ClauseScores(proba, pol, starts, complaint)

    def _clause_proba_one(self, docs: Sequence[Doc]) -> tuple[Array, Array]:
        """Category (m, 6) and complaint (m,) probabilities of a few clauses
        (`FeatureSpace.few`), as the batch path gives them; the heads give
        the cue columns no weight."""
        m = len(docs)
        row, col, val, mean = self.features_.few(docs)
        # each clause's weighted sum of its terms' weights, the category heads'
        # and then the complaint head's
        z = row_sums(row, val, self.coef_[col][:, _CLAUSE_HEADS], m)
        z += self.intercept_[_CLAUSE_HEADS]
        if mean is not None:
            n_terms = self.features_.n_terms
            vectors = self.coef_[n_terms : n_terms + mean.shape[1]][:, _CLAUSE_HEADS]
            z += np.einsum("ij,jk->ik", mean, vectors)
        complaint = _sigmoid(z[:, _NC])
        z = z[:, :_NC]
        z_nb = None
        if self.nb_coef_ is not None and self.nb_intercept_ is not None:
            # the naive-Bayes view counts which terms are there
            on = (col < self.nb_coef_.shape[0]) & (val != 0)
            ones = np.ones(int(on.sum()))
            z_nb = row_sums(row[on], ones, self.nb_coef_[col[on]], m) + self.nb_intercept_
        return two_views(z, z_nb), complaint

    def explain(self, text: str, *, top: int = 5) -> Explanations:
        """Why each category and emotion applies to one complaint, or does not
        (see `triage.explain`)."""
        top = check_top(top)
        pred, idx, val = self._one(text)
        norm, tokens = pred.texts[0], pred.tokens[0]
        space = self.features_
        terms, table = self._term_weights(norm, idx, val)
        categories, emotions = pred.category_result(0), pred.emotion_result(0)
        labels: list[tuple[Category | Emotion, float, bool]] = [
            (c, categories.probabilities[c], c in categories.labels) for c in CATEGORIES
        ]
        labels += [(e, emotions.probabilities[e], emotions.intensities[e] > 0) for e in EMOTIONS]
        # a word n-gram's words may stand apart in the text, stopwords between
        # them ("太差了!" gives "太差 !"): its places are those of its tokens
        words = _word_places(norm, tokens, space.stopwords) if space.word_ngrams[1] > 1 else []

        def weighed(i: int, j: int) -> TermWeight:
            term, w = str(terms[i]), float(table[i, j])
            if " " in term and words:
                return TermWeight(term, w, _ngram_evidence(term, words, norm))
            return term_weight(term, w, norm)

        # rounded once for every label, up and down: _round(-x) is -_round(x)
        rounded = _round(table)
        out = Explanations()
        for j, (label, probability, applies) in enumerate(labels):
            up = _top(terms, table[:, j], norm, top, rounded[:, j])
            down = _top(terms, -table[:, j], norm, top, -rounded[:, j])
            out[label] = Explanation(
                label,
                probability,
                applies,
                tuple(weighed(i, j) for i in up),
                tuple(weighed(i, j) for i in down),
            )
        return out

    def _term_weights(self, norm: str, idx: Array, val: Array) -> tuple[Array, Array]:
        """The terms of one text and their shares of each explained head's
        log-odds: an array of terms (the vocabulary's as their strings sort,
        then what a cue counted that is no column's term, as met) and their
        weights, shape (terms, 11): the six categories (both views), then the
        five emotions' presence.

        A word and the same characters are one term to a reader; a cue column
        (the emotion heads' counts of cue words, "!", emoji) shares its weight
        among what it counted; the word-vector columns are no term.
        """
        space = self.features_
        weight = val[:, None] * self.coef_[idx][:, _EXPLAINED]
        if self.nb_coef_ is not None:  # over the terms present, as predict_one adds it
            seen = (idx < self.nb_coef_.shape[0]) & (val != 0)
            weight[seen, :_NC] += self.nb_coef_[idx[seen]]
        is_term = idx < space.n_terms
        known = space.term_ids()
        ids, parts = [known.of_column[idx[is_term]]], [weight[is_term]]
        others: dict[str, int] = {}  # what a cue counted that is no column's term

        def number(term: str) -> int:
            n = known.number.get(term)
            return others.setdefault(term, len(known.names) + len(others)) if n is None else n

        cue = np.flatnonzero(idx >= space.n_text_features)
        if cue.size:
            hits = space.cue_matches(norm)
            for k in cue.tolist():
                found = hits[idx[k] - space.n_text_features]
                ids.append(np.array([number(h) for h in found], dtype=np.intp))
                parts.append(np.repeat(weight[k : k + 1] / len(found), len(found), axis=0))
        every = np.concatenate(ids)
        if not every.size:
            return np.empty(0, dtype=object), np.zeros((0, len(_EXPLAINED)))
        numbers, where = np.unique(every, return_inverse=True)
        table = np.zeros((numbers.size, len(_EXPLAINED)))
        np.add.at(table, where, np.concatenate(parts))
        named = numbers < len(known.names)
        terms = np.empty(numbers.size, dtype=object)
        terms[named] = known.names[numbers[named]]
        terms[~named] = list(others)  # numbered in the order they were met
        return terms, table

    @property
    def labels_(self) -> dict[str, list[str]]:
        """The label sets this model predicts (a learned attribute: fitted models only)."""
        self._check_fitted()
        return {
            "categories": [str(c) for c in CATEGORIES],
            "emotions": [str(e) for e in EMOTIONS],
            "priorities": [str(p) for p in PRIORITIES],
        }


def _top(
    terms: Array, weights: Array, text: str, top: int, rounded: Array | None = None
) -> list[int]:
    """Indices of the `top` largest positive `weights`, largest first.

    Equal weights (to 12 significant digits, past the rounding of one text's
    features against a batch's) rank by where their terms first stand in
    `text`, the longer of two at one place first, then in the order of
    `terms`: an order that does not hang on the order of the columns (one
    text's, or a sparse matrix's, sorted), so that `explain` and the batch's
    ``why`` agree. A term not found as it is spelt (a word n-gram, or
    characters across a space) comes after those found. `rounded` is
    ``_round(weights)``, for a caller that has it already.
    """
    if top == 0:
        return []
    pick = np.flatnonzero(weights > 0)
    if top < pick.size:  # the top, and every term that may be tied with the last
        last = np.partition(weights[pick], -top)[-top]
        pick = pick[weights[pick] >= last * (1 - 1e-11)]
    rounded = _round(weights[pick]) if rounded is None else rounded[pick]
    spelt = terms[pick].tolist()
    at = np.array([text.find(t) for t in spelt], dtype=np.intp).reshape(-1)
    at[at < 0] = len(text)
    size = np.array([len(t) for t in spelt], dtype=np.intp).reshape(-1)
    order = np.lexsort((pick, -size, at, -rounded))
    best: list[int] = pick[order][:top].tolist()
    return best


def _round(x: Array) -> Array:
    """`x` to 12 significant digits."""
    scale = 10.0 ** (11 - np.floor(np.log10(np.abs(np.where(x == 0, 1.0, x)))))
    rounded: Array = np.round(x * scale) / scale
    return rounded


def check_top(top: Any, name: str = "top") -> int:
    """A count of terms per label as a Python int, refused when it is not a
    whole number >= 0: the `top` of `explain`, or the `explain` of a batch
    (`name` says which). A numpy unsigned one is no longer unsigned, whose
    negation (``np.uint8(2)`` gives 254) would pick the wrong terms."""
    if not _is_int(top) or top < 0:
        raise ParameterError(f"{name} must be a whole number >= 0, got {top!r}")
    return int(top)


def term_weight(term: str, weight: float, text: str, places: int = 3) -> TermWeight:
    """`term` with its weight and its first `places` places in `text`.

    Character n-grams are taken from the text without its spaces, so one may
    stand across a space ("ow" of "hello world"). (A model's word n-grams,
    whose words may stand apart, are placed by its tokens instead.)
    """
    if " " not in text and " " not in term:  # no space to stand across: as spelt
        found: list[Evidence] = []
        at = text.find(term)
        while at >= 0 and len(found) < places:
            found.append(Evidence(term, at, at + len(term)))
            at = text.find(term, at + len(term))
        return TermWeight(term, weight, tuple(found))
    pattern = " ?".join(map(re.escape, term.replace(" ", "")))
    spans = itertools.islice(re.finditer(pattern, text), places)
    return TermWeight(term, weight, tuple(Evidence(m[0], m.start(), m.end()) for m in spans))


def _word_places(
    text: str, tokens: Sequence[str], stopwords: frozenset[str]
) -> list[tuple[str, int, int]]:
    """The tokens of `text` but its stopwords, as the word terms take them,
    each with its start and end in `text`."""
    places, at = [], 0
    for token in tokens:
        start = text.find(token, at)
        if start < 0:  # pragma: no cover - the tokens are cut from the text
            continue
        at = start + len(token)
        if token not in stopwords:
            places.append((token, start, at))
    return places


def _ngram_evidence(
    term: str, words: list[tuple[str, int, int]], text: str, places: int = 3
) -> tuple[Evidence, ...]:
    """The first `places` places of a word n-gram `term` ("太差 !") in `text`:
    from its first word to its last, with what stands between them."""
    parts = term.split(" ")
    n = len(parts)
    found = []
    for i in range(len(words) - n + 1):
        if all(words[i + k][0] == parts[k] for k in range(n)):
            start, end = words[i][1], words[i + n - 1][2]
            found.append(Evidence(text[start:end], start, end))
            if len(found) == places:
                break
    return tuple(found)


def _labeled_frame(X: Any, y: Any, call: str) -> pd.DataFrame:
    """The labeled frame of ``fit(X, y)`` or ``score(X, y)`` (`call` names which):
    `X` itself without `y`, else `y`'s label columns with `X`'s texts."""
    import pandas as pd

    from triage.labeled import _is_row, foreign_package, require_frame
    from triage.labels import LABEL_COLUMNS

    if y is None:
        if not isinstance(X, pd.DataFrame):
            if (
                isinstance(X, str | os.PathLike | Mapping)
                or (isinstance(X, list) and X and isinstance(X[0], Mapping))
                or foreign_package(X) is not None
                or (isinstance(X, pd.Series) and _is_row(X))
            ):  # a labeled file's path, its rows built in code, a Dask or polars frame, a row
                require_frame(X)
            raise ParameterError(
                f"{call}(X) needs a DataFrame with a 'text' column and the label columns, "
                f"got {type(X).__name__}; or pass the labels as {call}(texts, labels)"
            )
        return X
    if isinstance(y, pd.Series) and _is_row(y):
        require_frame(y, "y, the labels,")
    if isinstance(y, pd.Series | np.ndarray):
        raise ParameterError(
            f"y is a {type(y).__name__}, but the labels are columns of the frame "
            f"({', '.join(LABEL_COLUMNS)}); pass {call}(frame) with them, "
            f"or {call}(texts, labels) with labels a DataFrame of those columns"
        )
    require_frame(y, "y, the labels,")
    frame: pd.DataFrame = y.reset_index(drop=True).assign(text=_texts_of(X, len(y)))
    return frame


def check_many(texts: Any) -> None:
    """Refuse as the texts of a model's `predict_many` what iterates as
    something else: one str (its characters) or a DataFrame (its column names)."""
    if isinstance(texts, str | bytes):
        raise ParameterError(
            f"texts is one {type(texts).__name__}; pass a list of texts "
            "(predict_one and triage.analyze take one)"
        )
    if type(texts).__name__ == "DataFrame":
        raise ParameterError(
            "texts is a DataFrame, which iterates over its column names; pass its "
            "column of texts (frame['text']), or score the frame with triage.score_frame"
        )


def _texts_of(X: Any, n: int) -> list[Any]:
    """The texts of `fit(X, y)`, one per row of `y` (`n` rows), as a list.

    `X` is a sequence of texts, or a frame of them as scikit-learn passes a
    column: its ``text`` column, or its only one.
    """
    import pandas as pd

    if isinstance(X, str):
        raise ParameterError(
            f"X is one str; pass the texts, one per row of y ({counted(n, 'row')})"
        )
    if isinstance(X, pd.DataFrame):
        if "text" in X.columns:
            X = X["text"]
        elif X.shape[1] == 1:
            X = X.iloc[:, 0]
        else:
            names = ", ".join(map(str, X.columns))
            raise ParameterError(
                f"X has no 'text' column (columns: {names}); pass the texts as a list, "
                "a Series or a frame of one column"
            )
    texts = list(X)
    if len(texts) != n:
        raise ParameterError(
            f"X holds {counted(len(texts), 'text')} but y has {counted(n, 'row')}; pass one text "
            "per row of y"
        )
    return texts


def _differs(value: Any, default: Any) -> bool:
    """Whether a parameter's `value` is not its `default`, for the repr: a
    value that compares as an array (``words=frame["word"]``, which `fit`
    refuses by name) is shown, rather than the repr raising."""
    if value is default:
        return False
    try:
        return bool(value != default)
    except (TypeError, ValueError):
        return True


#: Items of a list or tuple parameter the repr shows, as scikit-learn's
#: (``sklearn.utils._pprint``, whose printer needs scikit-learn imported,
#: which loading and predicting never do).
_REPR_ITEMS = 30


def _bounded_repr(value: Any) -> str:
    """`value`'s repr, a list or tuple of more than `_REPR_ITEMS` items
    shown by its first ones and ``...``, as scikit-learn shows them."""
    if isinstance(value, list | tuple) and len(value) > _REPR_ITEMS:
        items = ", ".join(map(repr, value[:_REPR_ITEMS]))
        return f"[{items}, ...]" if isinstance(value, list) else f"({items}, ...)"
    return repr(value)


def _cut(text: str, limit: int) -> str:
    """`text` of more than `limit` characters cut to `limit`: its start and
    end around ``...``, as ``BaseEstimator.__repr__`` cuts a long repr."""
    if len(text) <= limit:
        return text
    half = (limit - 3) // 2
    return f"{text[:half]}...{text[len(text) - half :]}"


def _is_int(v: Any) -> bool:
    return isinstance(v, int | np.integer) and not isinstance(v, bool | np.bool_)


def _is_seed(v: Any) -> bool:
    """A `random_state` scikit-learn and numpy take: None or an int in [0, 2**32)."""
    return v is None or (_is_int(v) and 0 <= v < 2**32)


def check_seed(random_state: Any) -> None:
    """Refuse a seed `TriageModel` would refuse, before any work rather than
    deep inside scikit-learn or numpy (whose "Seed must be between 0 and
    2**32 - 1" names no parameter)."""
    if not _is_seed(random_state):
        raise ParameterError(
            f"random_state must be None or an int in [0, 2**32 - 1], got {random_state!r}"
        )


def low_confidence(texts: Sequence[str], nnz: Array) -> Array:
    """Which normalised `texts` nothing learned applies to: no Chinese, or
    no known term (`nnz`, each row's count of nonzero feature columns)."""
    no_cjk = np.fromiter((_CJK.search(t) is None for t in texts), dtype=bool, count=len(texts))
    out: Array = (np.asarray(nnz) == 0) | no_cjk
    return out


def names_a_problem(text: str) -> bool:
    """Whether a trigger at P1 to P3 of the default priority policy fires in
    the normalised `text` (not negated, asked, supposed or quoted)."""
    reasons, _, _ = _trigger_reasons(text, default_policy(), True)
    return any(r.level in _PROBLEMS for r in reasons)


#: The levels of the triggers that name a concrete problem (`names_a_problem`).
_PROBLEMS = frozenset((Priority.P1, Priority.P2, Priority.P3))


def _is_number(v: Any) -> bool:
    return (
        isinstance(v, int | float | np.integer | np.floating)
        and not isinstance(v, bool | np.bool_)
        and bool(np.isfinite(v))
    )


def _is_ngram_range(v: Any) -> bool:
    if not isinstance(v, tuple | list) or len(v) != 2 or not all(map(_is_int, v)):
        return False
    lo, hi = v
    return bool(lo == hi == 0 or 1 <= lo <= hi)


_NGRAMS = "(low, high) with 1 <= low <= high, or (0, 0) for none"


def _is_C(v: Any) -> bool:
    return _is_number(v) and 0 < v <= MAX_WEIGHT


def _is_weight(v: Any) -> bool:
    return _is_number(v) and 0 <= v <= MAX_WEIGHT


# Weights and C are bounded (`MAX_WEIGHT`): liblinear never returns once C
# times a row's weight nears 1e150, and a primary weight past 6e307
# overflows the scores.
_C = f"a number > 0, at most {MAX_WEIGHT:g}"
_WEIGHT = f"a number >= 0, at most {MAX_WEIGHT:g}"

#: (parameter, check, what is allowed) for every `TriageModel` parameter but
#: ``word_vectors``, whose class is imported only when it is checked.
_PARAM_RULES: tuple[tuple[str, Any, str], ...] = (
    ("C", _is_C, _C),
    ("C_primary", _is_C, _C),
    ("C_nb", lambda v: v is None or _is_C(v), f"None or {_C}"),
    ("class_weight", lambda v: v is None or v == "balanced", "'balanced' or None"),
    ("word_ngrams", _is_ngram_range, _NGRAMS),
    ("char_ngrams", _is_ngram_range, _NGRAMS),
    ("cues", lambda v: isinstance(v, bool | np.bool_), "True or False"),
    ("primary_blend", lambda v: _is_number(v) and 0 <= v <= 1, "a number in [0, 1]"),
    ("primary_complaint_weight", _is_weight, _WEIGHT),
    ("primary_order_weight", _is_weight, _WEIGHT),
    (
        "min_primary_proba",
        lambda v: v is None or (_is_number(v) and 0 <= v <= 1),
        "None or a number in [0, 1]",
    ),
    ("C_complaint", _is_C, _C),
    ("problem_cues", lambda v: isinstance(v, bool | np.bool_), "True or False"),
    (
        "min_complaint_proba",
        lambda v: v is None or (_is_number(v) and 0 <= v <= 1),
        "None or a number in [0, 1]",
    ),
    ("clause_stage", lambda v: isinstance(v, bool | np.bool_), "True or False"),
    ("min_df", lambda v: _is_int(v) and v >= 1, "an int >= 1"),
    ("max_features", lambda v: v is None or (_is_int(v) and v >= 1), "None or an int >= 1"),
    ("threshold_folds", lambda v: _is_int(v) and v >= 0, "an int >= 0; 0 or 1 keeps 0.5"),
    ("hmm", lambda v: isinstance(v, bool | np.bool_), "True or False"),
    ("extra_weight", _is_weight, _WEIGHT),
    ("random_state", _is_seed, "None or an int in [0, 2**32 - 1]"),
    ("n_jobs", lambda v: v is None or (_is_int(v) and v != 0), "None or an int other than 0"),
)


#: The parameters a prediction reads, checked at every one (`TriageModel._check_predicting`).
_PREDICT_PARAMS = (
    "primary_blend",
    "primary_complaint_weight",
    "primary_order_weight",
    "min_primary_proba",
    "min_complaint_proba",
    "problem_cues",
    "clause_stage",
)


def label_order(flags: Sequence[bool], proba: Sequence[float], primary: int) -> list[int]:
    """Indices of the categories that apply: the primary first, then by falling probability.

    The one ordering of `CategoryResult.labels`, for the one-text and batch paths.

    >>> label_order([True, False, True, True], [0.9, 0.1, 0.6, 0.7], primary=2)
    [2, 0, 3]
    """
    on = [j for j, flag in enumerate(flags) if flag]
    if len(on) > 1:
        on.sort(key=lambda j: (j != primary, -proba[j], j))
    return on


def presence(X: csr_matrix, n_terms: int) -> csr_matrix:
    """1.0 where each of the first `n_terms` columns of `X` holds a non-zero, else 0."""
    from scipy.sparse import csr_matrix

    terms = csr_matrix(X)
    if terms.shape[1] != n_terms:
        terms = terms[:, :n_terms]
    # an explicit zero counts as absent
    out: csr_matrix = csr_matrix(
        ((terms.data != 0).astype(np.float64), terms.indices, terms.indptr), shape=terms.shape
    )
    return out


#: Clauses scored together by the batch path of the clause stage.
_CLAUSE_SLICE = 4096

#: Number of features of the clause stage per category (`clause_features`).
N_CLAUSE_FEATURES = 13
_EPS = 1e-4


def _logit(p: Array) -> Array:
    q = np.clip(p, _EPS, 1 - _EPS)
    out: Array = np.log(q / (1 - q))
    return out


def clause_polarity(sentiment: Array, complaint: Array) -> Array:
    """How positive each clause is, as the clause stage reads it: the mean of
    its sentiment and of 1 - the complaint head's probability.

    snownlp finds a short clause of praise only mildly positive (客服态度很好
    0.34); the complaint head, which learned praise from reviews, finds it
    no complaint (0.06). In 5-fold cross-validation on the training set the
    mean raised category macro-F1 by 0.003 over the sentiment alone (five
    fold seeds, each gaining), and the complaint probability alone as much
    (three fold seeds).
    """
    out: Array = 0.5 * (sentiment + 1.0 - complaint)
    return out


#: What a category's complaining share adds to in `primary_scores`, so that
#: a category carried only by praise is not ruled out.
_SHARE_FLOOR = 0.05


def primary_scores(prim_p: Array, scored: _ClauseScores, th: Array, a: float, b: float) -> Array:
    """Scores (n, 6) of the categories as the primary of n texts, from their
    blended primary probabilities `prim_p` (n, 6) and their `scored` clauses:

    ``log prim_p + a * log(share + 0.05) - b * first``

    where `share` is the complaint head's mean probability over the text's
    clauses, weighted by how likely each is about the category (how much of
    the category's evidence lies in clauses that complain), and `first` is
    where the first clause that complains (the complaint head's probability
    at least 0.5) and whose category probability reaches its threshold `th`
    stands, from 0 (the first clause) to 1 (the last, or none does).

    >>> scored = _ClauseScores(
    ...     proba=np.array([[0.9, 0.1], [0.1, 0.9]]), polarity=np.array([0.9, 0.1]),
    ...     starts=np.array([0]), complaint=np.array([0.05, 0.95]))
    >>> s = primary_scores(np.array([[0.6, 0.4]]), scored, np.array([0.5, 0.5]), 0.5, 0.5)
    >>> s.argmax(axis=1)  # the praised first category yields to the complained-of one
    array([1])
    """
    clause_p, complaint, starts = scored.proba, scored.complaint, scored.starts
    m = len(complaint)
    counts = np.diff(np.append(starts, m))
    owner = np.repeat(np.arange(len(starts)), counts)
    total = np.add.reduceat(clause_p, starts, axis=0)
    complaining = np.add.reduceat(clause_p * complaint[:, None], starts, axis=0)
    share = complaining / np.maximum(total, 1e-300)
    # the place of each clause in its text, where it complains and carries the category
    place = np.arange(m) - starts[owner]
    complains = (complaint >= 0.5)[:, None]
    carried = np.where((clause_p >= th) & complains, place[:, None], m)
    first = np.minimum.reduceat(carried, starts, axis=0).astype(np.float64)
    first = np.where(first < m, first / np.maximum(counts - 1, 1)[:, None], 1.0)
    out: Array = np.log(np.maximum(prim_p, 1e-300)) + a * np.log(share + _SHARE_FLOOR) - b * first
    return out


def clause_features(
    text_p: Array, text_pol: Array, clause_p: Array, clause_pol: Array, starts: Array, th: Array
) -> Array:
    """The clause stage's features, shape (n, 6, 13): per text and category.

    `text_p` (n, 6) and `text_pol` (n,) are the texts' category probabilities
    and polarity (sentiment, 1 positive); `clause_p` (m, 6) and `clause_pol`
    (m,) the same of their clauses, text by text, text i's from row
    ``starts[i]`` (every text has at least one); `th` (6,) the category
    thresholds. With p a clause's probability and q = 1 - its polarity, the
    features are: the logit of the text's probability; the logit of the
    highest p*q; the log of the sum of p*q; the logit of the highest p; the
    log of the sum of p; the share sum(p*q) / sum(p); the logits of the
    highest p among the negative clauses (polarity below 0.5) and among the
    others (0 when there is none); the lowest polarity of the clauses whose p
    reaches the threshold (of the likeliest clause when none does); the
    p-weighted mean polarity; the text's polarity; the log of the number of
    clauses; the text's logit times its polarity.
    """
    n, m = len(starts), len(clause_pol)
    owner = np.repeat(np.arange(n), np.diff(np.append(starts, m)))
    negative = (clause_pol < 0.5)[:, None]
    weighted = clause_p * (1 - clause_pol)[:, None]
    top = np.maximum.reduceat(clause_p, starts, axis=0)
    total = np.add.reduceat(clause_p, starts, axis=0)
    weighted_sum = np.add.reduceat(weighted, starts, axis=0)
    # the polarity of the clauses that carry each category
    carries = np.where(clause_p >= th, clause_pol[:, None], np.inf)
    lowest = np.minimum.reduceat(carries, starts, axis=0)
    rows = np.where(clause_p == top[owner], np.arange(m)[:, None], m)
    likeliest = clause_pol[np.minimum.reduceat(rows, starts, axis=0)]
    lowest = np.where(np.isinf(lowest), likeliest, lowest)
    pol = np.repeat(text_pol[:, None], text_p.shape[1], axis=1)
    count = np.diff(np.append(starts, m)).astype(np.float64)
    logit = _logit(text_p)
    out: Array = np.stack(
        [
            logit,
            _logit(np.maximum.reduceat(weighted, starts, axis=0)),
            np.log(weighted_sum + _EPS),
            _logit(top),
            np.log(np.maximum(total, _EPS)),
            weighted_sum / np.maximum(total, 1e-300),
            _logit(np.maximum.reduceat(np.where(negative, clause_p, 0.0), starts, axis=0)),
            _logit(np.maximum.reduceat(np.where(negative, 0.0, clause_p), starts, axis=0)),
            lowest,
            np.add.reduceat(clause_p * clause_pol[:, None], starts, axis=0)
            / np.maximum(total, 1e-300),
            pol,
            np.repeat(np.log(count)[:, None], text_p.shape[1], axis=1),
            logit * pol,
        ],
        axis=-1,
    )
    return out


def _category_proba(z: Array, z_nb: Array | None) -> Array:
    """Category probabilities from the logits of all heads and of the naive-Bayes view."""
    return two_views(z[:, _CAT], z_nb)


def two_views(z_head: Array, z_nb: Array | None) -> Array:
    """The mean of the probabilities of a category head and of its naive-Bayes
    view, given their logits; the head's alone when there is no view."""
    p = _sigmoid(z_head)
    if z_nb is not None:
        p = 0.5 * (p + _sigmoid(z_nb))
    return p


def _sigmoid(z: Array) -> Array:
    out: Array = 0.5 * (1.0 + np.tanh(0.5 * z))  # stable for large |z|
    return out


def _softmax(z: Array) -> Array:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    out: Array = e / e.sum(axis=1, keepdims=True)
    return out


def extra_fingerprint(texts: Sequence[str], extra: pd.DataFrame, weights: Sequence[float]) -> str:
    """SHA-256 over partially labeled rows: each (normalised) text, its
    category, complaint and emotion cells as the fit reads them (an empty or
    missing cell is unknown) and its weight, in order.

    A cell is hashed as the label it gives, so the same labels as strings,
    as numbers of a column pandas read with gaps (``1.0``, NaN), as a
    nullable column (``pd.NA``) or, for ``complaint``, as booleans give the
    same fingerprint, as `fingerprint` does for the labeled rows.
    """
    from triage.labeled import _flag, _intensity, _split
    from triage.labels import EMOTION_COLUMNS

    def label(name: str, value: Any) -> str:
        if name == "categories":
            if not (isinstance(value, str) and value.strip()):
                return ""
            # a cell of separators alone is read: a row that names no category
            return "|".join(_split(value)) or "|"
        read = _flag(value) if name == "complaint" else _intensity(value)
        return "" if read is None else str(read)

    h = hashlib.sha256()
    columns = [c for c in ("categories", "complaint", *EMOTION_COLUMNS) if c in extra.columns]
    cells = [[label(c, v) for v in extra[c].tolist()] for c in columns]
    for i, t in enumerate(texts):
        h.update(t.encode("utf-8"))
        for name, column in zip(columns, cells, strict=True):
            h.update(b"\x1f" + name.encode("utf-8") + b"=" + column[i].encode("utf-8"))
        h.update(b"\x1f" + repr(float(weights[i])).encode("ascii") + b"\x1e")
    return h.hexdigest()


def fingerprint(
    texts: Sequence[str], frame: pd.DataFrame, columns: Sequence[str] | None = None
) -> str:
    """SHA-256 over the texts and label columns, row by row, in order.

    The label cells are hashed as `triage.labeled.label_cells` normalises
    them, so the same labels read with `read_labeled` or plain `pandas.read_csv`
    (empty cells as NaN, intensities as numbers) give the same fingerprint.
    With `columns`, of the label columns, those alone (of a frame of some
    heads); every one when omitted.
    """
    from triage.labeled import _column_cells, label_cells

    h = hashlib.sha256()
    cols = label_cells(frame) if columns is None else [_column_cells(frame, c) for c in columns]
    for i, t in enumerate(texts):
        h.update(t.encode("utf-8"))
        for c in cols:
            h.update(b"\x1f" + c[i].encode("utf-8"))
        h.update(b"\x1e")
    return h.hexdigest()
