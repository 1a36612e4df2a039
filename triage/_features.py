"""The feature space shared by training and inference: numpy only.

A complaint becomes one sparse TF-IDF vector over two kinds of terms, jieba
words (stopwords dropped; prefixed with ``WORD``, a control character that
normalised text never contains) and character n-grams of the normalised text
(unprefixed: building a prefixed string for each of the many n-grams of a text
costs more than the rest of the feature extraction). Training and inference go
through the same `FeatureSpace.terms`, so the two cannot drift apart; fitting
it is `FeatureSpace.fit`, a plain function of the documents.

The word block and the character block are l2-normalised separately, so the
many character n-grams of a long text do not drown its words. A few dense
*cue* columns follow the vocabulary: log-counts of emotion-lexicon hits and of
``!``, ``?``, ellipses and emoji, the signals of emotion that TF-IDF flattens.

scipy is imported only by the many-texts path (`FeatureSpace.matrix`).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

__all__ = ["WORD", "FeatureSpace"]

#: Prefix of word terms; sorts before every character n-gram.
WORD = "\x01"

Doc = tuple[str, Sequence[str]]


class FeatureSpace:
    """A fitted vocabulary with inverse document frequencies.

    Parameters
    ----------
    vocabulary : dict of str to int
        Term to column index.
    idf : ndarray of shape (n_features,)
    word_ngrams, char_ngrams : tuple of (int, int)
        Inclusive n-gram ranges; ``(0, 0)`` switches a kind off.
    stopwords : frozenset of str
        Words left out of the word terms (frozen into the model, so a later
        change of the package list does not change a trained model).
    sublinear_tf : bool
        Use ``1 + log(tf)`` instead of raw counts.
    cues : tuple of str
        Regular expressions whose match counts become the dense cue columns,
        after the vocabulary (kept in the model, so the package lexicon can
        change without changing a trained model).
    """

    __slots__ = (
        "_compiled",
        "char_ngrams",
        "cues",
        "idf",
        "split",
        "stopwords",
        "sublinear_tf",
        "vocabulary",
        "word_ngrams",
    )

    def __init__(
        self,
        vocabulary: dict[str, int],
        idf: np.ndarray[Any, np.dtype[np.float64]],
        *,
        word_ngrams: tuple[int, int],
        char_ngrams: tuple[int, int],
        stopwords: frozenset[str],
        sublinear_tf: bool,
        cues: tuple[str, ...] = (),
    ) -> None:
        self.vocabulary = vocabulary
        self.idf = idf
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.stopwords = stopwords
        self.sublinear_tf = sublinear_tf
        self.cues = cues
        # terms are sorted, so the word columns come first, then the characters
        self.split = next(
            (i for t, i in vocabulary.items() if not t.startswith(WORD)), len(vocabulary)
        )
        self._compiled: list[re.Pattern[str]] | None = None

    @property
    def n_terms(self) -> int:
        """Columns of the vocabulary; the cue columns follow them."""
        return len(self.vocabulary)

    @property
    def n_features(self) -> int:
        return len(self.vocabulary) + len(self.cues)

    def _cue_counts(self, text: str) -> list[float]:
        if self._compiled is None:
            self._compiled = [re.compile(c) for c in self.cues]
        return [math.log1p(len(p.findall(text))) for p in self._compiled]

    # -- terms ---------------------------------------------------------------

    def terms(self, text: str, tokens: Sequence[str]) -> list[str]:
        """All terms of one normalised text and its tokens, with repeats."""
        return _terms(text, tokens, self.word_ngrams, self.char_ngrams, self.stopwords)

    # -- fitting -------------------------------------------------------------

    @classmethod
    def fit(
        cls,
        docs: Iterable[Doc],
        *,
        word_ngrams: tuple[int, int] = (1, 2),
        char_ngrams: tuple[int, int] = (1, 3),
        stopwords: frozenset[str] = frozenset(),
        min_df: int = 2,
        max_df: float = 1.0,
        max_features: int | None = None,
        sublinear_tf: bool = True,
        cues: tuple[str, ...] = (),
    ) -> FeatureSpace:
        """Learn the vocabulary and idf from ``(normalised text, tokens)`` pairs.

        Terms in fewer than `min_df` documents or in more than a `max_df`
        fraction of them are dropped; `max_features` keeps the most frequent.
        Columns are sorted by term, so the result does not depend on the order
        of the documents.
        """
        df: Counter[str] = Counter()
        n_docs = 0
        for text, tokens in docs:
            df.update(set(_terms(text, tokens, word_ngrams, char_ngrams, stopwords)))
            n_docs += 1
        if n_docs == 0:
            raise ValueError("cannot fit a feature space on zero documents")
        upper = max_df * n_docs
        kept = [(t, c) for t, c in df.items() if min_df <= c <= upper]
        if max_features is not None and len(kept) > max_features:
            kept.sort(key=lambda tc: (-tc[1], tc[0]))
            kept = kept[:max_features]
        kept.sort()
        vocabulary = {t: i for i, (t, _) in enumerate(kept)}
        counts = np.array([c for _, c in kept], dtype=np.float64)
        idf = np.log((1.0 + n_docs) / (1.0 + counts)) + 1.0
        return cls(
            vocabulary,
            idf,
            word_ngrams=word_ngrams,
            char_ngrams=char_ngrams,
            stopwords=stopwords,
            sublinear_tf=sublinear_tf,
            cues=cues,
        )

    # -- transforming ----------------------------------------------------------

    def vector(
        self, text: str, tokens: Sequence[str]
    ) -> tuple[np.ndarray[Any, np.dtype[np.intp]], np.ndarray[Any, np.dtype[np.float64]]]:
        """Column indices and weights of one document (blocks l2-normalised)."""
        counts = self._counts(text, tokens)
        idx = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
        tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        w = self._weigh(idx, tf)
        if self.cues:
            cue = np.asarray(self._cue_counts(text))
            on = np.flatnonzero(cue)
            idx = np.concatenate([idx, self.n_terms + on])
            w = np.concatenate([w, cue[on]])
        return idx, w

    def matrix(self, docs: Iterable[Doc]) -> csr_matrix:
        """The document-term matrix of many documents, one row each, in order.

        Term ids of the whole batch are looked up in one pass and counted with
        one `numpy.unique` over ``row * n_terms + column``, rather than a
        counter per document.
        """
        from scipy.sparse import csr_matrix

        get = self.vocabulary.get
        cols: list[int] = []
        lengths: list[int] = []
        cue_rows: list[list[float]] = []
        for text, tokens in docs:
            ids = [j for j in map(get, self.terms(text, tokens)) if j is not None]
            cols.extend(ids)
            lengths.append(len(ids))
            if self.cues:
                cue_rows.append(self._cue_counts(text))
        n = len(lengths)
        rows = np.repeat(np.arange(n, dtype=np.int64), lengths)
        keys = rows * self.n_terms + np.asarray(cols, dtype=np.int64)
        unique, counts = np.unique(keys, return_counts=True)
        row = unique // self.n_terms
        col = (unique % self.n_terms).astype(np.intp)
        tf = counts.astype(np.float64)
        if self.sublinear_tf:
            tf = 1.0 + np.log(tf)
        data = tf * self.idf[col]
        # one l2 norm per (row, block): block 0 is words, 1 is characters
        cell = 2 * row + (col >= self.split)
        norms = np.sqrt(np.bincount(cell, weights=data * data, minlength=2 * n))
        norms[norms == 0.0] = 1.0
        data /= norms[cell]
        ptr = np.zeros(n + 1, dtype=np.intp)
        np.cumsum(np.bincount(row, minlength=n), out=ptr[1:])
        X = csr_matrix((data, col, ptr), shape=(n, self.n_terms))
        if self.cues:
            from scipy.sparse import hstack

            dense = np.asarray(cue_rows, dtype=np.float64).reshape(n, len(self.cues))
            X = hstack([X, csr_matrix(dense)], format="csr")
        return X

    def _counts(self, text: str, tokens: Sequence[str]) -> dict[int, int]:
        vocab = self.vocabulary
        # Counter counts in C; each distinct term is then looked up once
        return {vocab[t]: c for t, c in Counter(self.terms(text, tokens)).items() if t in vocab}

    def _weigh(
        self, idx: np.ndarray[Any, np.dtype[np.intp]], tf: np.ndarray[Any, np.dtype[np.float64]]
    ) -> np.ndarray[Any, np.dtype[np.float64]]:
        if self.sublinear_tf:
            tf = 1.0 + np.log(tf)
        w: np.ndarray[Any, np.dtype[np.float64]] = tf * self.idf[idx]
        chars = idx >= self.split
        for block in (~chars, chars):
            sq = float(w[block] @ w[block])
            if sq > 0:
                w[block] /= math.sqrt(sq)
        return w

    def __getstate__(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__ if name != "_compiled"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, value in state.items():
            object.__setattr__(self, name, value)
        self._compiled = None


def _terms(
    text: str,
    tokens: Sequence[str],
    word_ngrams: tuple[int, int],
    char_ngrams: tuple[int, int],
    stopwords: frozenset[str],
) -> list[str]:
    out: list[str] = []
    lo, hi = word_ngrams
    if hi > 0:
        words = [t for t in tokens if t not in stopwords]
        for n in range(max(lo, 1), hi + 1):
            if n == 1:
                out.extend(WORD + w for w in words)
            else:
                out.extend(WORD + " ".join(words[i : i + n]) for i in range(len(words) - n + 1))
    lo, hi = char_ngrams
    if hi > 0:
        chars = text.replace(" ", "")
        for n in range(max(lo, 1), hi + 1):
            out.extend(chars[i : i + n] for i in range(len(chars) - n + 1))
    return out
