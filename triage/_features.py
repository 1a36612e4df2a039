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
*cue* columns follow the vocabulary: log-counts of emotion cue words and of
``!``, ``?``, ellipses and emoji, the signals of emotion that TF-IDF flattens.

With word vectors (`triage.vectors`), the idf-weighted mean vector of a text's
words, l2-normalised, follows the vocabulary as a dense block.

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

    from triage.vectors import WordVectors

__all__ = ["WORD", "Cue", "FeatureSpace"]

#: Prefix of word terms; sorts before every character n-gram.
WORD = "\x01"

Doc = tuple[str, Sequence[str]]

#: One cue column: a tuple of literal strings whose occurrence counts are summed
#: (overlapping words each count), or a regular expression whose matches are counted.
Cue = str | tuple[str, ...]


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
    cues : tuple of Cue
        The dense cue columns, after the vocabulary: ``log1p`` of the summed
        counts of a tuple of literal words, or of the matches of a regular
        expression (kept in the model, so the package lexicon can change
        without changing a trained model).
    """

    __slots__ = (
        "_compiled",
        "_vec_cache",
        "char_ngrams",
        "cues",
        "idf",
        "split",
        "stopwords",
        "sublinear_tf",
        "vec_source",
        "vec_weight",
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
        cues: tuple[Cue, ...] = (),
        vectors: tuple[WordVectors, np.ndarray[Any, np.dtype[np.float64]]] | None = None,
    ) -> None:
        self.vocabulary = vocabulary
        self.idf = idf
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.stopwords = stopwords
        self.sublinear_tf = sublinear_tf
        self.cues = cues
        # the word vectors (shared with the model's parameter, so pickled once)
        # and one idf weight per word
        self.vec_source: WordVectors | None = vectors[0] if vectors else None
        self.vec_weight: np.ndarray[Any, np.dtype[np.float64]] | None = (
            vectors[1] if vectors else None
        )
        self._vec_cache: tuple[dict[str, int], np.ndarray[Any, np.dtype[np.float32]]] | None = None
        # terms are sorted, so the word columns come first, then the characters
        self.split = next(
            (i for t, i in vocabulary.items() if not t.startswith(WORD)), len(vocabulary)
        )
        self._compiled: list[re.Pattern[str] | tuple[str, ...]] | None = None

    @property
    def n_terms(self) -> int:
        """Columns of the vocabulary; the cue columns follow them."""
        return len(self.vocabulary)

    @property
    def n_dims(self) -> int:
        """Columns of the mean word vector, after the vocabulary (0 without vectors)."""
        return 0 if self.vec_source is None else self.vec_source.dim

    def _vectors(self) -> tuple[dict[str, int], np.ndarray[Any, np.dtype[np.float32]]]:
        """Word -> row and the float32 vectors, built on first use (not pickled)."""
        if self._vec_cache is None:
            assert self.vec_source is not None
            self._vec_cache = (
                self.vec_source.index,
                np.asarray(self.vec_source.vectors, dtype=np.float32),
            )
        return self._vec_cache

    @property
    def n_text_features(self) -> int:
        """Columns before the cue columns: the vocabulary and the word vector."""
        return len(self.vocabulary) + self.n_dims

    @property
    def n_features(self) -> int:
        return len(self.vocabulary) + self.n_dims + len(self.cues)

    def _cue_counts(self, text: str) -> list[float]:
        if self._compiled is None:
            self._compiled = [c if isinstance(c, tuple) else re.compile(c) for c in self.cues]
        return [
            math.log1p(sum(map(text.count, c)) if isinstance(c, tuple) else len(c.findall(text)))
            for c in self._compiled
        ]

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
        cues: tuple[Cue, ...] = (),
        word_vectors: WordVectors | None = None,
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
        vectors = None
        if word_vectors is not None:
            # a word's weight in the mean vector is its idf; unseen words get
            # the idf of a word seen once, stopwords none
            unseen = math.log((1.0 + n_docs) / 2.0) + 1.0
            weight = np.array(
                [
                    0.0
                    if w in stopwords
                    else (idf[vocabulary[WORD + w]] if WORD + w in vocabulary else unseen)
                    for w in word_vectors.words
                ]
            )
            vectors = (word_vectors, weight)
        return cls(
            vocabulary,
            idf,
            word_ngrams=word_ngrams,
            char_ngrams=char_ngrams,
            stopwords=stopwords,
            sublinear_tf=sublinear_tf,
            cues=cues,
            vectors=vectors,
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
        if self.vec_source is not None:
            index, table = self._vectors()
            get = index.get
            rows = np.fromiter((r for r in map(get, tokens) if r is not None), dtype=np.intp)
            assert self.vec_weight is not None
            mean = np.asarray(self.vec_weight[rows] @ table[rows], dtype=np.float64)
            sq = float(mean @ mean)
            if sq > 0:
                mean /= math.sqrt(sq)
            on = np.flatnonzero(mean)
            idx = np.concatenate([idx, self.n_terms + on])
            w = np.concatenate([w, mean[on]])
        if self.cues:
            cue = np.asarray(self._cue_counts(text))
            on = np.flatnonzero(cue)
            idx = np.concatenate([idx, self.n_text_features + on])
            w = np.concatenate([w, cue[on]])
        return idx, w

    def _mean_vectors(
        self, doc: Sequence[int], rows: Sequence[int], n: int
    ) -> np.ndarray[Any, np.dtype[np.float64]]:
        """Unit-length idf-weighted mean word vectors of `n` documents.

        ``(doc[k], rows[k])`` says document ``doc[k]`` holds the word of
        vector row ``rows[k]``; a document without known words gets zeros.
        """
        from scipy.sparse import csr_matrix

        assert self.vec_weight is not None
        _, table = self._vectors()
        r = np.asarray(rows, dtype=np.intp)
        weights = csr_matrix(
            (self.vec_weight[r], (np.asarray(doc, dtype=np.intp), r)),
            shape=(n, table.shape[0]),
        )
        mean: np.ndarray[Any, np.dtype[np.float64]] = np.asarray(weights @ table, dtype=np.float64)
        norm = np.linalg.norm(mean, axis=1, keepdims=True)
        norm[norm == 0.0] = 1.0
        mean /= norm
        return mean

    def matrix(self, docs: Iterable[Doc]) -> csr_matrix:
        """The document-term matrix of many documents, one row each, in order.

        The sparse term block and the dense block (word vector, cues) of
        `blocks`, side by side.
        """
        X, dense = self.blocks(docs)
        if dense is None:
            return X
        from scipy.sparse import csr_matrix, hstack

        out: csr_matrix = hstack([X, csr_matrix(dense)], format="csr")
        return out

    def blocks(
        self, docs: Iterable[Doc]
    ) -> tuple[csr_matrix, np.ndarray[Any, np.dtype[np.float64]] | None]:
        """The sparse term columns and the dense columns (None without any) of many documents.

        Term ids of the whole batch are looked up in one pass and counted with
        one `numpy.unique` over ``row * n_terms + column``, rather than a
        counter per document.
        """
        from scipy.sparse import csr_matrix

        get = self.vocabulary.get
        use_vectors = self.vec_source is not None
        vget = self._vectors()[0].get if use_vectors else None
        cols: list[int] = []
        lengths: list[int] = []
        cue_rows: list[list[float]] = []
        vec_doc: list[int] = []
        vec_rows: list[int] = []
        for d, (text, tokens) in enumerate(docs):
            ids = [j for j in map(get, self.terms(text, tokens)) if j is not None]
            cols.extend(ids)
            lengths.append(len(ids))
            if vget is not None:
                known = [r for r in map(vget, tokens) if r is not None]
                vec_rows.extend(known)
                vec_doc.extend([d] * len(known))
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
        parts = []
        if use_vectors:
            parts.append(self._mean_vectors(vec_doc, vec_rows, n))
        if self.cues:
            parts.append(np.asarray(cue_rows, dtype=np.float64).reshape(n, len(self.cues)))
        dense = np.hstack(parts) if parts else None
        return X, dense

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
        return {name: getattr(self, name) for name in self.__slots__ if not name.startswith("_")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        state.setdefault("vec_source", None)  # models saved before word vectors
        state.setdefault("vec_weight", None)
        for name, value in state.items():
            object.__setattr__(self, name, value)
        self._compiled = None
        self._vec_cache = None


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
