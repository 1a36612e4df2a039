"""A keyword-lexicon baseline that every trained model must beat.

`LexiconModel` marks a category or an emotion when one of its words (package
data, ``triage/resources/lexicon.toml``) occurs in the normalised text, the
words normalised as the text is, except inside the longer words the lexicon's
``not_in`` table lists for it (贵 is dear, but not in 贵公司) and, for a Latin
word, inside a longer Latin word (tm is not in html). A Latin word counts in
any case (APP, App and app alike). It has the same prediction interface as
`TriageModel`, so `triage.evaluate` scores both the same way.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any, Self

import numpy as np

from triage import text as _text
from triage._features import guarded
from triage._resources import read_toml
from triage.exceptions import ParameterError
from triage.labels import CATEGORIES, EMOTIONS, PRIORITIES, Category, Emotion
from triage.model import OneText, Predictions, check_many, check_top
from triage.results import Evidence, Explanation, Explanations, TermWeight

__all__ = ["LexiconModel"]

#: The pattern of a label without words: it occurs nowhere.
_NOTHING = re.compile(r"(?!)")
# a pattern for each category, then one for each emotion
_Patterns = tuple[list[re.Pattern[str]], list[re.Pattern[str]]]


class LexiconModel(OneText):
    """Keyword-lexicon baseline.

    It answers `triage.analyze`, `classify`, `score_emotions` and `explain`
    (``model=LexiconModel()``) as a trained model does. A label's
    probability is ``1 - exp(-hits)`` for the times its words occur, and an
    emotion's intensity those times, at most 2. It has no sentiment model
    (the polarity is 0.5 for every text), no complaint head
    (`Assessment.complaint_probability` is None) and no priority head: the
    priority rules alone set the level.

    Parameters
    ----------
    lexicon : dict, optional
        The words of each label, as ``lexicon.toml`` holds them: a table
        ``categories`` and a table ``emotions``, each giving every label of
        its kind a list of words, and optionally a table ``not_in`` giving a
        word the longer words it does not count in (``{"贵": ["贵公司"]}``).
        The package lexicon when omitted. A lexicon assigned to the model
        later is read from its next prediction on; a dict changed in place
        after a prediction is not read again: assign it anew.

    Raises
    ------
    ParameterError
        `lexicon` lacks a table or a label, a label's words are no list
        of strings (a string alone would be read as its characters), or a
        ``not_in`` word is not in a longer word listed for it, or is listed
        for itself (it would never count), both as the texts are normalised.
        A lexicon assigned later is checked at the next prediction.

    Examples
    --------
    >>> m = LexiconModel()
    >>> p = m.predict_many(["快递一周还没到，客服也不回"])
    >>> [str(c) for c in p.category_result(0).labels]
    ['service', 'logistics']
    >>> [t.term for t in m.explain("快递一周还没到，客服也不回")["logistics"].terms]
    ['快递', '还没到']
    """

    def __init__(self, lexicon: dict[str, Any] | None = None) -> None:
        if lexicon is not None:
            _check_lexicon(lexicon)
        self.lexicon = lexicon

    # -- scikit-learn estimator protocol: sklearn.base.clone copies it -----------

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """``{"lexicon": ...}``, as `sklearn.base.clone` reads it."""
        return {"lexicon": self.lexicon}

    def set_params(self, **params: Any) -> Self:
        """Set ``lexicon`` (checked at once) and return the model; any other
        name is a `triage.ParameterError`."""
        for name, value in params.items():
            if name != "lexicon":
                raise ParameterError(
                    f"invalid parameter {name!r} for LexiconModel; valid parameters: lexicon"
                )
            if value is not None:
                _check_lexicon(value)
            self.lexicon = value
        return self

    def __repr__(self) -> str:
        if self.lexicon is None:
            return "LexiconModel()"
        tables = ", ".join(map(str, self.lexicon))
        return f"LexiconModel(lexicon=<dict of the tables {tables}>)"

    @property
    def _patterns(self) -> _Patterns:
        # built on first use, and again once `lexicon` is another object than
        # the one they were built from (assigned since, or by set_params); not
        # functools.cached_property, whose lock (one for every instance on
        # Python 3.11) a process forked while a thread of its parent built
        # them found held for ever
        lexicon = self.lexicon
        built: tuple[Any, _Patterns] | None = self.__dict__.get("_compiled")
        if built is None or built[0] is not lexicon:
            built = self.__dict__["_compiled"] = (lexicon, self._compile(lexicon))
        return built[1]

    @staticmethod
    def _compile(lexicon: dict[str, Any] | None) -> _Patterns:
        if lexicon is not None:  # checked again: it may have been assigned since
            _check_lexicon(lexicon)
        lex = lexicon or read_toml("lexicon.toml")
        not_in: dict[str, list[str]] = {}
        for word, longer in lex.get("not_in", {}).items():
            # a Latin word in any case (App, Tm), its longer words as well
            not_in.setdefault(_text.normalize(word).lower(), []).extend(
                map(_text.normalize, longer)
            )

        def alt(words: list[str]) -> re.Pattern[str]:
            # each word normalised as the texts are, or a traditional or
            # full-width one (氣死, ！！) would occur in none; an empty word
            # would occur everywhere, and an empty list is the empty pattern:
            # either would mark the label on every text
            words = [w for w in map(_text.normalize, words) if w]
            if not words:
                return _NOTHING
            return re.compile(
                "|".join(
                    guarded(w, not_in.get(w.lower(), ()))
                    for w in sorted(words, key=len, reverse=True)
                ),
                re.IGNORECASE,
            )

        cats = [alt(lex["categories"][str(c)]) for c in CATEGORIES]
        emos = [alt(lex["emotions"][str(e)]) for e in EMOTIONS]
        return cats, emos

    def predict_many(self, texts: Iterable[Any], *, explain: int = 0) -> Predictions:
        """Predict many texts; with `explain`, `Predictions.why` holds each
        row's `explain` commonest lexicon words of the labels that apply.

        Each element must be a `str`; one str or a DataFrame is refused
        (`ParameterError`), as each iterates as something else.
        """
        explain = check_top(explain, "explain")
        check_many(texts)
        cat_pats, emo_pats = self._patterns
        norm = [_text.prepare(t) for t in texts]
        n = len(norm)
        # shaped by the patterns, not by -1: no texts is a (0, k) array, not an error
        cat_hits = np.array(
            [[len(p.findall(d.text)) for p in cat_pats] for d in norm], dtype=np.int64
        ).reshape(n, len(cat_pats))
        emo_hits = np.array(
            [[len(p.findall(d.text)) for p in emo_pats] for d in norm], dtype=np.int64
        ).reshape(n, len(emo_pats))
        labels = cat_hits > 0
        primary = np.where(labels.any(axis=1), cat_hits.argmax(axis=1), -1)
        intensity = np.minimum(emo_hits, 2)
        pred = Predictions(
            texts=[d.text for d in norm],
            tokens=[[] for _ in norm],
            truncated=np.array([d.truncated for d in norm], dtype=bool),
            # nothing of the lexicon applies: no category word and no emotion word
            low_confidence=np.asarray(~labels.any(axis=1) & (emo_hits == 0).all(axis=1)),
            category_proba=1.0 - np.exp(-cat_hits.astype(float)),
            category_labels=labels,
            primary=primary,
            emotion_proba=1.0 - np.exp(-emo_hits.astype(float)),
            intensity=intensity,
            # no priority head: the engine's rules alone decide
            priority_proba=np.full((n, len(PRIORITIES)), np.nan),
            sentiment=np.full(n, 0.5),
            rests=[d.rest for d in norm] if any(d.rest for d in norm) else None,
        )
        if not explain:
            return pred
        why = []
        for i, d in enumerate(norm):
            heads: list[tuple[Category | Emotion, re.Pattern[str]]] = [
                (c, cat_pats[CATEGORIES.index(c)]) for c in pred.category_result(i).labels
            ]
            heads += [(e, emo_pats[k]) for k, e in enumerate(EMOTIONS) if intensity[i, k]]
            why.append(
                {str(label): [w for w, _ in _found(pat, d.text, explain)] for label, pat in heads}
            )
        return dataclasses.replace(pred, why=why)

    def predict_one(self, text: Any) -> Predictions:
        """Predict one text; the path behind `triage.analyze`."""
        return self.predict_many([text])

    def explain(self, text: str, *, top: int = 5) -> Explanations:
        """The lexicon's words of each category and emotion found in the text,
        each weighing the times it occurs (see `triage.explain`); nothing is against."""
        top = check_top(top)
        pred = self.predict_one(text)
        norm = pred.texts[0]
        categories, emotions = pred.category_result(0), pred.emotion_result(0)
        cat_patterns, emo_patterns = self._patterns
        labels: list[tuple[Category | Emotion, re.Pattern[str], float, bool]] = [
            (c, pat, categories.probabilities[c], c in categories.labels)
            for c, pat in zip(CATEGORIES, cat_patterns, strict=True)
        ]
        labels += [
            (e, pat, emotions.probabilities[e], emotions.intensities[e] > 0)
            for e, pat in zip(EMOTIONS, emo_patterns, strict=True)
        ]
        out = Explanations()
        for label, pattern, probability, applies in labels:
            terms = tuple(
                TermWeight(w, float(n), places) for w, n, places in _placed(pattern, norm, top)
            )
            out[label] = Explanation(label, probability, applies, terms, ())
        return out


def _check_lexicon(lexicon: Any) -> None:
    """Raise `ParameterError` naming the first entry of `lexicon` that is not
    the list of words of a label."""
    if not isinstance(lexicon, Mapping):
        raise ParameterError(
            "lexicon must be a dict of the tables 'categories' and 'emotions', "
            f"not {type(lexicon).__name__}"
        )
    for section, labels in (("categories", CATEGORIES), ("emotions", EMOTIONS)):
        table = lexicon.get(section)
        if not isinstance(table, Mapping):
            raise ParameterError(f"lexicon has no table {section!r} of the words of each label")
        for label in labels:
            words = table.get(str(label))
            if words is None:
                raise ParameterError(f"lexicon.{section} has no words of {str(label)!r}")
            if not isinstance(words, list | tuple) or not all(isinstance(w, str) for w in words):
                raise ParameterError(
                    f"lexicon.{section}.{label} must be a list of words (str), not {words!r:.60}"
                )
    not_in = lexicon.get("not_in", {})
    if not isinstance(not_in, Mapping):
        raise ParameterError(
            "lexicon.not_in must be a table of the longer words each word does not "
            f"count in, not {type(not_in).__name__}"
        )
    for word, longer in not_in.items():
        if not isinstance(longer, list | tuple) or not all(isinstance(w, str) for w in longer):
            raise ParameterError(
                f"lexicon.not_in.{word} must be a list of words (str), not {longer!r:.60}"
            )
        # compared as the texts are normalised, as the words are matched:
        # 貴 is held in 贵公司, full-width TM is TM itself, and so is tm
        norm = _text.normalize(word).lower() if isinstance(word, str) else ""
        for w in longer:
            if not norm or norm not in _text.normalize(w).lower():
                raise ParameterError(
                    f"lexicon.not_in.{word} lists {w!r}, which does not hold {word!r}"
                )
            if _text.normalize(w).lower() == norm:  # it would never count
                raise ParameterError(
                    f"lexicon.not_in.{word} lists {w!r}, the word itself: list the longer "
                    "words it does not count in, or leave the word out of the labels' lists"
                )


def _found(pattern: re.Pattern[str], text: str, top: int) -> list[tuple[str, int]]:
    """The `top` commonest matches of `pattern` in `text` and their counts, the
    first found first of equals (`_placed` without the places)."""
    return [(w, n) for w, n, _ in _placed(pattern, text, top, places=0)]


def _placed(
    pattern: re.Pattern[str], text: str, top: int, places: int = 3
) -> list[tuple[str, int, tuple[Evidence, ...]]]:
    """The `top` commonest matches of `pattern` in `text`, their counts and
    their first `places` places where `pattern` matched them: not where their
    characters merely stand, inside a longer word that does not count (贵 in
    贵公司) or a longer word that matched instead (慢 in 太慢).

    The lexicon matches Latin words in any case, so App, APP and app are one
    word, shown as first written (each place keeps its own spelling).
    """
    counts: Counter[str] = Counter()
    shown: dict[str, str] = {}
    at: dict[str, list[Evidence]] = {}
    for m in pattern.finditer(text):
        key = m[0].casefold()
        shown.setdefault(key, m[0])
        counts[key] += 1
        spans = at.setdefault(key, [])
        if len(spans) < places:
            spans.append(Evidence(m[0], m.start(), m.end()))
    return [(shown[k], n, tuple(at[k])) for k, n in counts.most_common(top)]
