"""The feature space shared by training and inference: numpy only.

A complaint becomes one sparse TF-IDF vector over two kinds of terms, jieba
words (``w:`` prefix, unigrams and bigrams, stopwords dropped) and character
n-grams of the normalised text (``c:`` prefix). Training and inference go
through the same `FeatureSpace.terms`, so the two cannot drift apart; fitting
it is `FeatureSpace.fit`, a plain function of the documents.

scipy is imported only by the many-texts path (`FeatureSpace.matrix`).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

__all__ = ["FeatureSpace"]

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
    """

    __slots__ = ("char_ngrams", "idf", "stopwords", "sublinear_tf", "vocabulary", "word_ngrams")

    def __init__(
        self,
        vocabulary: dict[str, int],
        idf: np.ndarray[Any, np.dtype[np.float64]],
        *,
        word_ngrams: tuple[int, int],
        char_ngrams: tuple[int, int],
        stopwords: frozenset[str],
        sublinear_tf: bool,
    ) -> None:
        self.vocabulary = vocabulary
        self.idf = idf
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.stopwords = stopwords
        self.sublinear_tf = sublinear_tf

    @property
    def n_features(self) -> int:
        return len(self.vocabulary)

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
        )

    # -- transforming ----------------------------------------------------------

    def vector(
        self, text: str, tokens: Sequence[str]
    ) -> tuple[np.ndarray[Any, np.dtype[np.intp]], np.ndarray[Any, np.dtype[np.float64]]]:
        """Column indices and l2-normalised weights of one document."""
        counts = self._counts(text, tokens)
        if not counts:
            return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.float64)
        idx = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
        tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        return idx, self._weigh(idx, tf)

    def matrix(self, docs: Iterable[Doc]) -> csr_matrix:
        """The document-term matrix of many documents, one row each, in order."""
        from scipy.sparse import csr_matrix

        indptr = [0]
        indices: list[int] = []
        tfs: list[float] = []
        for text, tokens in docs:
            counts = self._counts(text, tokens)
            indices.extend(counts.keys())
            tfs.extend(counts.values())
            indptr.append(len(indices))
        idx = np.asarray(indices, dtype=np.intp)
        tf = np.asarray(tfs, dtype=np.float64)
        if self.sublinear_tf:
            tf = 1.0 + np.log(tf)
        data = tf * self.idf[idx]
        ptr = np.asarray(indptr, dtype=np.intp)
        row_sq = np.add.reduceat(data * data, ptr[:-1]) if data.size else np.zeros(len(ptr) - 1)
        row_sq[ptr[1:] == ptr[:-1]] = 0.0  # reduceat repeats a value for empty rows
        norms = np.sqrt(row_sq)
        norms[norms == 0.0] = 1.0
        data /= np.repeat(norms, np.diff(ptr))
        return csr_matrix((data, idx, ptr), shape=(len(ptr) - 1, self.n_features))

    def _counts(self, text: str, tokens: Sequence[str]) -> dict[int, int]:
        vocab = self.vocabulary
        counts: dict[int, int] = {}
        for term in self.terms(text, tokens):
            j = vocab.get(term)
            if j is not None:
                counts[j] = counts.get(j, 0) + 1
        return counts

    def _weigh(
        self, idx: np.ndarray[Any, np.dtype[np.intp]], tf: np.ndarray[Any, np.dtype[np.float64]]
    ) -> np.ndarray[Any, np.dtype[np.float64]]:
        if self.sublinear_tf:
            tf = 1.0 + np.log(tf)
        w = tf * self.idf[idx]
        norm = math.sqrt(float(w @ w))
        return w / norm if norm > 0 else w

    def __getstate__(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, value in state.items():
            object.__setattr__(self, name, value)


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
                out.extend("w:" + w for w in words)
            else:
                out.extend("w:" + " ".join(words[i : i + n]) for i in range(len(words) - n + 1))
    lo, hi = char_ngrams
    if hi > 0:
        chars = text.replace(" ", "")
        for n in range(max(lo, 1), hi + 1):
            out.extend("c:" + chars[i : i + n] for i in range(len(chars) - n + 1))
    return out
