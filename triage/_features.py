"""The feature space shared by training and inference: numpy only.

A complaint becomes one sparse TF-IDF vector over two kinds of terms, jieba
words (stopwords dropped; prefixed with ``WORD``, a control character that
normalised text never contains) and character n-grams of the normalised text
(unprefixed: building a prefixed string for each of the many n-grams of a text
costs more than the rest of the feature extraction). Fitting is
`FeatureSpace.fit`, a plain function of the documents, over `FeatureSpace.terms`;
one text may be looked up term by term (`FeatureSpace.vector`), and a batch
with the vocabulary packed into integers, all its n-grams at once (`_Lookup`).
The tests hold the three paths equal. `TriageModel.predict_one` weighs its
one text with `FeatureSpace.row`, which sums in the batch's order, so that
its scores are the batch's to the last bit on every CPU.

The word block and the character block are l2-normalised separately, so the
many character n-grams of a long text do not drown its words. A few dense
*cue* columns follow the vocabulary: log-counts of emotion cue words and of
``!``, ``?``, ellipses and emoji, the signals of emotion that TF-IDF flattens.

With word vectors (`triage.vectors`), the idf-weighted mean vector of a text's
words, l2-normalised, follows the vocabulary as a dense block.

scipy is imported only by the many-texts path (`FeatureSpace.matrix`).
"""

from __future__ import annotations

import bisect
import functools
import itertools
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

import numpy as np

from triage._default import loading
from triage._pickle import freeze, thaw
from triage.exceptions import LabelError

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

    from triage.vectors import WordVectors

__all__ = ["WORD", "Cue", "FeatureSpace", "clauses", "guarded", "row_sums"]

#: Prefix of word terms; sorts before every character n-gram.
WORD = "\x01"

Doc = tuple[str, Sequence[str]]
#: The tokens of `clauses`: it cuts them into slices of their own type.
_Tokens = TypeVar("_Tokens", list[str], tuple[str, ...])
Array64 = np.ndarray[Any, np.dtype[np.int64]]

#: One cue column: a tuple of words whose occurrence counts are summed
#: (overlapping words each count), or a regular expression whose matches are
#: counted. A word is a literal string, or a compiled `guarded` word.
Cue = str | tuple[str | re.Pattern[str], ...]


def guarded(word: str, not_in: Iterable[str] = ()) -> str:
    """A regular expression of `word` that does not match inside any of the
    longer words `not_in`, nor, where it begins or ends with a Latin letter,
    inside a longer Latin word.

    A single character is many words' part: 操 (an oath) is also in 操作
    (operate), 贵 (dear) in 贵公司 (your company), tm in html.

    >>> p = re.compile(guarded("操", ["操作", "体操"]))
    >>> [len(p.findall(t)) for t in ["操，又坏了", "怎么操作", "做体操", "体操作"]]
    [1, 0, 0, 0]
    >>> [len(re.findall(guarded("tm"), t)) for t in ["tm的", "ATM坏了", "html"]]
    [1, 0, 0]
    """
    guards = []
    for longer in sorted(set(not_in)):
        at = longer.find(word)
        while at >= 0:
            before, after = longer[:at], longer[at + len(word) :]
            behind = f"(?<={re.escape(before)})" if before else ""
            guards.append(f"(?!{behind}{re.escape(word)}{re.escape(after)})")
            at = longer.find(word, at + 1)
    latin = re.compile("[A-Za-z]")
    head = "(?<![A-Za-z])" if latin.match(word[:1]) else ""
    tail = "(?![A-Za-z])" if latin.match(word[-1:]) else ""
    return head + "".join(guards) + re.escape(word) + tail


#: A cue column compiled: its literal words and its guarded words apart, or its
#: regular expression.
_Column = tuple[tuple[str, ...], tuple[re.Pattern[str], ...]] | re.Pattern[str]


def _count(word: str | re.Pattern[str], text: str) -> int:
    return text.count(word) if isinstance(word, str) else len(word.findall(text))


def _matches(word: str | re.Pattern[str], text: str) -> list[str]:
    return [word] * text.count(word) if isinstance(word, str) else word.findall(text)


def _text_of(word: str | re.Pattern[str]) -> str:
    return word if isinstance(word, str) else word.pattern


@functools.cache
def _literal(pattern: re.Pattern[str]) -> str | None:
    """The text every match of `pattern` is, when it is one word among
    lookarounds and no flag changes how it matches (as `guarded` makes it);
    None otherwise.

    >>> _literal(re.compile(guarded("操", ["操作"]))), _literal(re.compile(guarded("tm")))
    ('操', 'tm')
    >>> _literal(re.compile("[!?]")), _literal(re.compile("(?i)tm"))
    (None, None)
    """
    from re import _parser  # type: ignore[attr-defined]

    if pattern.flags & re.IGNORECASE:
        return None
    chars = []
    for op, av in _parser.parse(pattern.pattern, pattern.flags).data:
        name = str(op)
        if name == "LITERAL":
            chars.append(chr(av))
        elif name not in ("ASSERT", "ASSERT_NOT"):
            return None
    return "".join(chars) or None


#: A token that is only clause punctuation (Chinese or Western, as NFKC leaves
#: it) or whitespace ends a clause.
_CLAUSE_END = re.compile(r"[,.!?;:\u3002\uff01\uff1f\uff1b\uff0c\uff1a\u2026~\uff5e\s]+")
_END_MARKS = frozenset(",.!?;:\u3002\uff01\uff1f\uff1b\uff0c\uff1a\u2026~\uff5e")
#: A clause holds at least one Chinese character, Latin letter or digit.
_CONTENT = re.compile(r"[\u3400-\u9fff\uf900-\ufaffA-Za-z0-9]")


#: `row_sums` lays its documents out as one block while the block holds at
#: most this many cells per entry.
_MOST_PADDING = 4

#: `row_sums` adds at most this many documents one by one, never in a block.
_FEW = 16


def row_sums(
    row: np.ndarray[Any, np.dtype[np.intp]],
    weight: np.ndarray[Any, np.dtype[np.float64]],
    M: np.ndarray[Any, np.dtype[np.float64]],
    n: int,
) -> np.ndarray[Any, np.dtype[np.float64]]:
    """``weight[k] * M[k]`` summed over the k of each document ``row[k]``
    (in order: `row` does not decrease), shape (n, M.shape[1]), for an `M`
    of two columns or more.

    Each document's entries are added one after another, as `in_order` adds
    the text's, so its sum is the same on every CPU: laid out as a
    (documents, longest, columns) block, zeros past each document's end, and
    added along the middle axis; document by document when that block would
    hold mostly padding (one long clause among many short ones). Not as a
    product of a (documents, entries) matrix, nearly all zeros, by `M`:
    BLAS sums in an order of its own, and for the clauses of a long text
    (some hundreds of entries of the word vectors' 200 columns) it started
    threads that, on a busy host, took 27 ms of CPU time where the sums take
    half of one.

    At most `_FEW` documents (the clauses of a complaint of up to some 160
    characters) are added one by one, in no block: numpy lets go of the
    interpreter lock in `searchsorted`, `arange` and a fancy index whatever
    their size, and in an allocation of zeros over 1 KB, and each time, the
    threads calling `triage.analyze` together wake one another to take it,
    at a cost far above the sums' (the blocks of one analyze of a
    100-character complaint let go of it 26 times).
    """
    if not len(row):
        return np.zeros((n, M.shape[1]))
    terms = weight[:, None] * M
    if n <= _FEW:
        rows = row.tolist()
        bounds = [bisect.bisect_left(rows, d) for d in range(n + 1)]
    else:
        at = np.searchsorted(row, np.arange(n + 1))
        longest = int(np.diff(at).max())
        if n * longest <= _MOST_PADDING * len(row):
            out = np.zeros((n, M.shape[1]))
            block = np.zeros((n, longest, M.shape[1]))
            block[row, np.arange(len(row)) - at[row]] = terms
            np.add.reduce(block, axis=1, out=out)
            return out
        bounds = at.tolist()
    out = np.empty((n, M.shape[1]))
    for d, (start, stop) in enumerate(itertools.pairwise(bounds)):
        if start < stop:
            np.add.reduce(terms[start:stop], axis=0, out=out[d])
        else:
            out[d] = 0.0
    return out


def in_order(
    weight: np.ndarray[Any, np.dtype[np.float64]], M: np.ndarray[Any, np.dtype[np.float64]]
) -> np.ndarray[Any, np.dtype[np.float64]]:
    """``weight[k] * M[k]`` summed over k one after another, shape (M.shape[1],):
    as a sparse row times a dense matrix sums, not as BLAS, whose order
    differs from one CPU to another."""
    if not len(weight):
        return np.zeros(M.shape[1])
    out: np.ndarray[Any, np.dtype[np.float64]] = np.add.reduce(weight[:, None] * M, axis=0)
    return out


def _ends_clause(token: str) -> bool:
    """Whether `token` is only clause punctuation and whitespace (`_CLAUSE_END`)."""
    return bool(token) and all(c in _END_MARKS or c.isspace() for c in token)


def clauses(text: str, tokens: _Tokens) -> list[tuple[str, _Tokens]]:
    """The clauses of a normalised text, each with its share of the text's tokens.

    The token list is cut at tokens of clause punctuation (``，。！？；：…~``
    and their half-width forms) and where whitespace stands between two
    tokens (`triage.text.tokenize` drops whitespace tokens); a clause's text
    is the stretch of `text` from its first token to its last. Clauses
    without a Chinese character, letter or digit are dropped; a text with
    none is one clause of all its tokens. Taking the tokens of the whole
    text, rather than cutting each clause again, keeps the call cheap and fit
    and prediction the same.

    A clause's tokens are a slice of `tokens`: a list of a list, a tuple of a
    tuple (which the garbage collector need not follow, for the many clauses
    of a batch).

    >>> clauses("太慢了, 客服 很好!", ["太慢", "了", ",", "客服", "很", "好", "!"])
    [('太慢了', ['太慢', '了']), ('客服', ['客服']), ('很好', ['很', '好'])]
    >>> clauses("!!!", ["!!!"])
    [('!!!', ['!!!'])]
    """
    # Where the tokens spell the text but for its spaces, each stands where
    # the one before it ends or one space on: cut there and at the tokens of
    # clause punctuation, which are those that lie within a run of it. So the
    # text's few runs and spaces are looked at, not each of its many tokens.
    spelt = text.replace(" ", "")
    spaced = len(spelt) < len(text)
    if "".join(tokens) != spelt or (spaced and "" in tokens):
        return _clauses_by_place(text, tokens)
    ends: list[int] = list(itertools.accumulate(map(len, tokens)))
    starts = [0, *ends[:-1]]
    n = len(tokens)
    # (where a clause stops, where the next may start): a punctuation token
    # is left out, a token after a space starts the next clause
    bounds: list[tuple[int, int]] = []
    for run in _CLAUSE_END.finditer(spelt):
        i = bisect.bisect_left(starts, run.start())
        while i < n and ends[i] <= run.end():
            if starts[i] < ends[i]:
                bounds.append((i, i + 1))
            i += 1
    if spaced:
        at, before = text.find(" "), 0
        while at >= 0:
            gap = at - before  # where the space stands among the tokens' characters
            i = bisect.bisect_left(starts, gap)
            if i < n and starts[i] == gap:
                bounds.append((i, i))
            elif gap < len(spelt):  # within a token: it does not spell the text
                return _clauses_by_place(text, tokens)
            at, before = text.find(" ", at + 1), before + 1
        bounds.sort()
    bounds.append((n, n))
    out: list[tuple[str, _Tokens]] = []
    content = _CONTENT.search
    first = 0
    for stop, resume in bounds:
        if first < stop:
            # a clause's tokens stand side by side: its text is theirs
            start, end = starts[first], ends[stop - 1]
            if content(spelt, start, end):
                out.append((spelt[start:end], tokens[first:stop]))
        first = resume
    return out or [(text, tokens[:])]


def _clauses_by_place(text: str, tokens: _Tokens) -> list[tuple[str, _Tokens]]:
    """`clauses` of tokens that do not spell `text` but for its spaces (other
    whitespace was dropped, or a token holds a space): each token's place is
    searched for, from where the one before it ends."""
    out: list[tuple[str, _Tokens]] = []
    first = -1  # the clause being read starts at token `first`, text `start`
    start = end = at = 0
    content = _CONTENT.search
    for k, token in enumerate(tokens):
        place = text.find(token, at)
        if place < 0:  # pragma: no cover - the tokens are cut from the text
            place = at
        lead = token[:1]  # most tokens are told by their first character
        end_mark = (lead in _END_MARKS or lead.isspace()) and _ends_clause(token)
        if first >= 0 and (place > at or end_mark):
            # a clause's tokens stand side by side: its text is theirs
            if content(text, start, end):
                out.append((text[start:end], tokens[first:k]))
            first = -1
        if not end_mark:
            if first < 0:
                first, start = k, place
            end = place + len(token)
        at = place + len(token)
    if first >= 0 and content(text, start, end):
        out.append((text[start:end], tokens[first:]))
    return out or [(text, tokens[:])]


class TermIds(NamedTuple):
    """`FeatureSpace.term_ids`: the term number of each column, the terms by
    number, and each term's number."""

    of_column: np.ndarray[Any, np.dtype[np.intp]]
    names: np.ndarray[Any, np.dtype[np.object_]]
    number: dict[str, int]


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
        counts of a tuple of words (literal, or compiled `guarded` words that
        do not count inside longer ones), or of the matches of a regular
        expression (kept in the model, so the package lexicon can change
        without changing a trained model).
    """

    __slots__ = (
        "_compiled",
        "_lookup",
        "_names",
        "_term_ids",
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
        self._vec_cache: (
            tuple[dict[str, int], np.ndarray[Any, np.dtype[np.floating[Any]]]] | None
        ) = None
        # terms are sorted, so the word columns come first, then the characters
        self.split = next(
            (i for t, i in vocabulary.items() if not t.startswith(WORD)), len(vocabulary)
        )
        self._compiled: list[_Column] | None = None
        self._lookup: _Lookup | bool | None = False  # False: not built yet
        self._names: np.ndarray[Any, np.dtype[np.object_]] | None = None
        self._term_ids: TermIds | None = None

    @property
    def n_terms(self) -> int:
        """Columns of the vocabulary; the cue columns follow them."""
        return len(self.vocabulary)

    def term_names(self) -> np.ndarray[Any, np.dtype[np.object_]]:
        """The term of each vocabulary column, as text (words without their
        prefix), built on first use."""
        if self._names is None:
            with loading():  # once, whichever threads ask at once (see `_find`)
                if self._names is None:
                    names = np.empty(len(self.vocabulary), dtype=object)
                    names[list(self.vocabulary.values())] = [
                        t.removeprefix(WORD) for t in self.vocabulary
                    ]
                    self._names = names
        return self._names

    def term_ids(self) -> TermIds:
        """Each vocabulary column's term as a number, a word and the same
        characters one (``太差`` the word and the character bigram), numbered
        in the order of the terms' text; built on first use."""
        if self._term_ids is None:
            with loading():  # once, whichever threads ask at once (see `_find`)
                if self._term_ids is None:
                    names, ids = np.unique(self.term_names(), return_inverse=True)
                    number = {name: i for i, name in enumerate(names.tolist())}
                    self._term_ids = TermIds(ids.astype(np.intp), names, number)
        return self._term_ids

    @property
    def n_dims(self) -> int:
        """Columns of the mean word vector, after the vocabulary (0 without vectors)."""
        return 0 if self.vec_source is None else self.vec_source.dim

    def _vectors(self) -> tuple[dict[str, int], np.ndarray[Any, np.dtype[np.floating[Any]]]]:
        """Word -> row and the vectors, built on first use (not pickled).

        Half-precision vectors, as `WordVectors` keeps them, are read as they
        are: each use widens the rows it takes, exactly. Widening the whole
        table first (the shipped model's 6 million values, 24 MB as float32)
        cost every process some 0.07 s before its first answer, for the few
        rows a text has. Vectors of another precision are read as float32.
        """
        if self._vec_cache is None:
            assert self.vec_source is not None
            vectors = self.vec_source.vectors
            if vectors.dtype != np.float16:
                vectors = np.asarray(vectors, dtype=np.float32)
            self._vec_cache = (self.vec_source.index, vectors)
        return self._vec_cache

    @property
    def n_text_features(self) -> int:
        """Columns before the cue columns: the vocabulary and the word vector."""
        return len(self.vocabulary) + self.n_dims

    @property
    def n_features(self) -> int:
        return len(self.vocabulary) + self.n_dims + len(self.cues)

    def _compile(self) -> list[_Column]:
        if self._compiled is None:
            self._compiled = [
                (
                    tuple(w for w in c if isinstance(w, str)),
                    tuple(w for w in c if not isinstance(w, str)),
                )
                if isinstance(c, tuple)
                else re.compile(c)
                for c in self.cues
            ]
        return self._compiled

    def _cue_counts(self, text: str) -> list[float]:
        return [
            math.log1p(
                sum(map(text.count, c[0])) + sum(len(p.findall(text)) for p in c[1])
                if isinstance(c, tuple)
                else len(c.findall(text))
            )
            for c in self._compile()
        ]

    def cue_matches(self, text: str) -> list[list[str]]:
        """What each cue column counts in `text`: a list per column of the
        strings found, one per occurrence, as `_cue_counts` counts them."""
        found: list[list[str]] = []
        for cue, compiled in zip(self.cues, self._compile(), strict=True):
            if isinstance(compiled, re.Pattern):
                found.append(compiled.findall(text))
            else:
                found.append([m for w in cue for m in _matches(w, text)])
        return found

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
            raise LabelError("no labeled text to learn from: the frame has no rows")
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

    def row(
        self, text: str, tokens: Sequence[str]
    ) -> tuple[
        np.ndarray[Any, np.dtype[np.intp]],
        np.ndarray[Any, np.dtype[np.float64]],
        np.ndarray[Any, np.dtype[np.float64]] | None,
    ]:
        """One document as `blocks` gives it, to the last bit and without
        scipy: its term columns in increasing order, their weights, and its
        dense columns (None without any).

        `vector` rounds otherwise: BLAS dot products, whose order of
        summation differs with the CPU, where `blocks` sums in order.
        """
        counts = self._counts(text, tokens)
        idx = np.fromiter(sorted(counts), dtype=np.intp, count=len(counts))
        tf = np.fromiter(map(counts.__getitem__, idx.tolist()), dtype=np.float64, count=idx.size)
        if self.sublinear_tf:
            np.log(tf, out=tf)
            tf += 1.0
        tf *= self.idf[idx]
        cell = (idx >= self.split).astype(np.intp)
        norms = np.sqrt(np.bincount(cell, weights=tf * tf, minlength=2))
        norms[norms == 0.0] = 1.0
        tf /= norms[cell]
        parts = []
        if self.vec_source is not None:
            assert self.vec_weight is not None
            index, table = self._vectors()
            rows = np.fromiter((r for r in map(index.get, tokens) if r is not None), dtype=np.intp)
            used, at = np.unique(rows, return_inverse=True)
            # a word's weight summed over its repeats, then the rows in order
            summed = np.bincount(at, weights=self.vec_weight[rows], minlength=used.size)
            weight = np.asarray(summed, dtype=np.float64)
            mean = in_order(weight, table[used].astype(np.float64))[None, :]
            norm = np.linalg.norm(mean, axis=1, keepdims=True)
            norm[norm == 0.0] = 1.0
            parts.append(mean / norm)
        if self.cues:
            parts.append(self._cue_matrix([text]))
        dense = np.hstack(parts) if parts else None
        return idx, tf, dense

    def few(
        self, docs: Sequence[Doc]
    ) -> tuple[
        np.ndarray[Any, np.dtype[np.intp]],
        np.ndarray[Any, np.dtype[np.intp]],
        np.ndarray[Any, np.dtype[np.float64]],
        np.ndarray[Any, np.dtype[np.float64]] | None,
    ]:
        """The features of a few documents (the clauses of one text), as
        `vector` weighs them one by one, without the cue columns, in one pass:
        the document, column and weight of every term that is there, and the
        unit mean word vectors, (n, dim), or None without vectors.

        For a few short documents this costs less than `blocks`, whose
        lookup is built for thousands, and than `vector` once per document.
        """
        vocab = self.vocabulary
        rows: list[int] = []
        cols: list[int] = []
        tfs: list[int] = []
        index = self._vectors()[0] if self.vec_source is not None else None
        vec_doc: list[int] = []
        vec_rows: list[int] = []
        for k, (text, tokens) in enumerate(docs):
            for term, count in Counter(self.terms(text, tokens)).items():
                j = vocab.get(term)
                if j is not None:
                    rows.append(k)
                    cols.append(j)
                    tfs.append(count)
            if index is not None:
                for token in tokens:
                    r = index.get(token)
                    if r is not None:
                        vec_doc.append(k)
                        vec_rows.append(r)
        n = len(docs)
        row = np.asarray(rows, dtype=np.intp)
        col = np.asarray(cols, dtype=np.intp)
        tf = np.asarray(tfs, dtype=np.float64)
        if self.sublinear_tf:
            tf = 1.0 + np.log(tf)
        w = tf * self.idf[col]
        # one l2 norm per (document, block): block 0 is words, 1 is characters
        cell = 2 * row + (col >= self.split)
        norms = np.sqrt(np.bincount(cell, weights=w * w, minlength=2 * n))
        norms[norms == 0.0] = 1.0
        w /= norms[cell]
        if index is None:
            return row, col, w, None
        assert self.vec_weight is not None
        table = self._vectors()[1]
        at = np.asarray(vec_rows, dtype=np.intp)
        # each document's weighted sum of its words' vectors
        mean = row_sums(
            np.asarray(vec_doc, dtype=np.intp), self.vec_weight[at], table[at].astype(np.float64), n
        )
        length = np.sqrt(np.einsum("ij,ij->i", mean, mean))
        length[length == 0.0] = 1.0
        mean /= length[:, None]
        return row, col, w, mean

    def _mean_vectors(
        self, doc: Array64, rows: Array64, n: int
    ) -> np.ndarray[Any, np.dtype[np.float64]]:
        """Unit-length idf-weighted mean word vectors of `n` documents.

        ``(doc[k], rows[k])`` says document ``doc[k]`` holds the word of
        vector row ``rows[k]``; a document without known words gets zeros.
        """
        from scipy.sparse import csr_matrix

        assert self.vec_weight is not None
        _, table = self._vectors()
        r = np.asarray(rows, dtype=np.intp)
        # only the rows the batch uses, as float64: handed the whole float32
        # table, scipy would copy and upcast all of it on every call
        used, col = np.unique(r, return_inverse=True)
        weights = csr_matrix(
            (self.vec_weight[r], (np.asarray(doc, dtype=np.intp), col)),
            shape=(n, used.size),
        )
        mean: np.ndarray[Any, np.dtype[np.float64]] = np.asarray(
            weights @ table[used].astype(np.float64), dtype=np.float64
        )
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
        self, docs: Iterable[Doc], *, cues: bool = True
    ) -> tuple[csr_matrix, np.ndarray[Any, np.dtype[np.float64]] | None]:
        """The sparse term columns and the dense columns (None without any) of many documents;
        without the cue columns when `cues` is false (for heads that ignore them).

        The terms of the whole batch are found at once (`_Lookup`) and counted
        by scipy as the repeats of (row, column) pairs, rather than with a
        string, a dict lookup and a counter per term.
        """
        from scipy.sparse import csr_matrix

        texts: list[str] = []
        tokens: list[Sequence[str]] = []
        for text, toks in docs:
            texts.append(text)
            tokens.append(toks)
        n = len(texts)
        row, col, vec_doc, vec_row = self._find(texts, tokens)
        # scipy sums the repeats of a (row, column) pair: the term counts
        X = csr_matrix((np.ones(row.size), (row, col)), shape=(n, self.n_terms))
        X.sum_duplicates()
        tf = X.data
        if self.sublinear_tf:
            np.log(tf, out=tf)
            tf += 1.0
        tf *= self.idf[X.indices]
        # one l2 norm per (row, block): block 0 is words, 1 is characters
        cell = 2 * np.repeat(np.arange(n), np.diff(X.indptr)) + (X.indices >= self.split)
        norms = np.sqrt(np.bincount(cell, weights=tf * tf, minlength=2 * n))
        norms[norms == 0.0] = 1.0
        tf /= norms[cell]
        parts = []
        if self.vec_source is not None:
            parts.append(self._mean_vectors(vec_doc, vec_row, n))
        if self.cues and cues:
            parts.append(self._cue_matrix(texts))
        dense = np.hstack(parts) if parts else None
        return X, dense

    def _find(
        self, texts: Sequence[str], tokens: Sequence[Sequence[str]]
    ) -> tuple[Array64, Array64, Array64, Array64]:
        """``(row, column)`` of every term occurrence in the documents, and
        ``(row, vector row)`` of every token with a word vector."""
        if self._lookup is False:
            # once, under the lock a fork waits for: the threads of a service
            # that first met a text taking this path together (a batch, or one
            # text that names a problem after praise) each built the tables,
            # 16 of 32 threads, some 140 ms and 14 MB each
            with loading():
                if self._lookup is False:
                    self._lookup = _Lookup.build(self)
        if isinstance(self._lookup, _Lookup):
            return self._lookup.find(self, texts, tokens)
        # n-gram ranges too wide to pack into integers: one string per term
        get = self.vocabulary.get
        vget = self._vectors()[0].get if self.vec_source is not None else None
        cols: list[int] = []
        lengths: list[int] = []
        vec_doc: list[int] = []
        vec_rows: list[int] = []
        for d, (text, toks) in enumerate(zip(texts, tokens, strict=True)):
            ids = [j for j in map(get, self.terms(text, toks)) if j is not None]
            cols.extend(ids)
            lengths.append(len(ids))
            if vget is not None:
                known = [r for r in map(vget, toks) if r is not None]
                vec_rows.extend(known)
                vec_doc.extend([d] * len(known))
        row = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)
        return (
            row,
            np.asarray(cols, dtype=np.int64),
            np.asarray(vec_doc, dtype=np.int64),
            np.asarray(vec_rows, dtype=np.int64),
        )

    def _cue_matrix(self, texts: Sequence[str]) -> np.ndarray[Any, np.dtype[np.float64]]:
        """The cue columns of many texts, shape (n, n_cues).

        A word is searched for in all texts at once, joined by a character
        no word holds, so one `str.find` scan (or, for a guarded word, one
        regular-expression scan) serves the batch. A guard's longer words
        hold no such character either, so it cannot see across two texts.
        """
        n = len(texts)
        out = np.zeros((n, len(self.cues)), dtype=np.float64)
        sep = "\x00"
        joined = sep.join(texts)
        starts = np.cumsum([0] + [len(t) + 1 for t in texts[:-1]])
        for j, (cue, compiled) in enumerate(zip(self.cues, self._compile(), strict=True)):
            if isinstance(compiled, re.Pattern):
                out[:, j] = [len(compiled.findall(t)) for t in texts]
            elif all(w and sep not in _text_of(w) for w in cue):
                where: list[int] = []
                for word in cue:
                    find = joined.find
                    if isinstance(word, str):
                        at, step = find(word), len(word)
                        while at >= 0:
                            where.append(at)
                            at = find(word, at + step)
                        continue
                    literal = _literal(word)
                    if literal is None:
                        where += [m.start() for m in word.finditer(joined)]
                        continue
                    # a guarded word matches where its word stands and its
                    # guards hold: its guards are tried there alone, not at
                    # every place of the batch (they come before the word, so
                    # a scan cannot skip to where it stands)
                    match, at, step = word.match, find(literal), len(literal)
                    while at >= 0:
                        if match(joined, at):
                            where.append(at)
                            at = find(literal, at + step)
                        else:
                            at = find(literal, at + 1)
                if n == 1:
                    # one text's (`row`): searchsorted and bincount let go of
                    # the interpreter lock, which threads then hand round
                    out[0, j] = len(where)
                elif where:
                    doc = np.searchsorted(starts, where, side="right") - 1
                    out[:, j] = np.bincount(doc, minlength=n)
            else:
                out[:, j] = [sum(_count(w, t) for w in cue) for t in texts]
        return np.log1p(out)

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
        state = {name: getattr(self, name) for name in self.__slots__ if not name.startswith("_")}
        state["vocabulary"] = freeze(self.vocabulary)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        state.setdefault("vec_source", None)  # models saved before word vectors
        state.setdefault("vec_weight", None)
        state["vocabulary"] = thaw(state["vocabulary"])
        for name, value in state.items():
            object.__setattr__(self, name, value)
        self._compiled = None
        self._lookup = False
        self._vec_cache = None
        self._names = None
        self._term_ids = None


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


# -- the many-texts path ----------------------------------------------------------

#: Bits per code point when a character n-gram is packed into one integer.
_CP_BITS = 21
_MAX_INT = 2**63 - 1


#: Slot marker of `_Table`; packed keys are never negative.
_EMPTY = -1
#: Fibonacci hashing: 2**64 / golden ratio, odd.
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


class _Table:
    """Packed n-gram keys and the column of each: a vectorised hash table.

    Open addressing with linear probing over a power-of-two array at most half
    full, slots chosen by Fibonacci hashing. Built in rounds (each free slot
    goes to the first key that asks for it, the others move one slot on), so
    `max_probe` is the longest probe sequence; a batch of look-ups is then a
    few numpy passes over the keys still unresolved. As fast as a
    `pandas.Index` here, without importing pandas into every batch worker.
    """

    __slots__ = ("cols", "keys", "mask", "max_probe", "shift")

    def __init__(self, pairs: dict[int, int]) -> None:
        n = len(pairs)
        bits = max(3, (2 * n - 1).bit_length())
        self.mask = (1 << bits) - 1
        self.shift = np.uint64(64 - bits)
        self.keys = np.full(1 << bits, _EMPTY, dtype=np.int64)
        self.cols = np.full(1 << bits, -1, dtype=np.int64)
        keys = np.fromiter(pairs.keys(), dtype=np.int64, count=n)
        cols = np.fromiter(pairs.values(), dtype=np.int64, count=n)
        slot = self._slot(keys)
        todo = np.arange(n)
        self.max_probe = 0
        while todo.size:
            self.max_probe += 1
            s = slot[todo]
            free = self.keys[s] == _EMPTY
            taken, first = np.unique(s[free], return_index=True)
            placed = todo[free][first]
            self.keys[taken] = keys[placed]
            self.cols[taken] = cols[placed]
            left = np.ones(todo.size, dtype=bool)
            left[np.flatnonzero(free)[first]] = False
            todo = todo[left]
            slot[todo] = (slot[todo] + 1) & self.mask

    def _slot(self, keys: Array64) -> Array64:
        h = keys.view(np.uint64) * _GOLDEN
        h >>= self.shift
        return h.view(np.int64)

    def find(self, keys: Array64, rows: Array64) -> tuple[Array64, Array64]:
        """The (row, column) pairs of the `keys` that are in the table."""
        keys = np.ascontiguousarray(keys, dtype=np.int64)
        slot = self._slot(keys)
        k = self.keys[slot]
        found = k == keys
        col = np.where(found, self.cols[slot], -1)
        todo = np.flatnonzero(~found & (k != _EMPTY))
        for _ in range(1, self.max_probe):
            if not todo.size:
                break
            s = (slot[todo] + 1) & self.mask
            slot[todo] = s
            k = self.keys[s]
            found = k == keys[todo]
            col[todo[found]] = self.cols[s[found]]
            todo = todo[~found & (k != _EMPTY)]
        hit = col >= 0
        return rows[hit], col[hit]


class _Lookup:
    """The vocabulary as numbers, for looking up the terms of a whole batch at once.

    Words become ids (one dict lookup per token; word n-grams are packed ids),
    character n-grams packed code points; both are found in vectorised hash
    tables (`_Table`), instead of a string and a dict lookup per term. Built
    from the vocabulary on first use and not pickled. ``None`` from `build`
    means the n-gram ranges cannot be packed into 64 bits (the string path is
    used then).
    """

    __slots__ = ("chars", "n_words", "stop", "uni", "vec", "word_id", "words")

    def __init__(self) -> None:
        self.word_id: dict[str, int] = {}
        self.words: dict[int, _Table] = {}  # word n >= 2
        self.chars: dict[int, _Table] = {}
        self.uni = np.empty(0, dtype=np.int64)
        self.vec = np.empty(0, dtype=np.int64)
        self.stop = np.empty(0, dtype=bool)
        self.n_words = 0

    @classmethod
    def build(cls, fs: FeatureSpace) -> _Lookup | None:
        wlo, whi = fs.word_ngrams
        clo, chi = fs.char_ngrams
        if chi > _MAX_INT.bit_length() // _CP_BITS:
            return None
        self = cls()
        ids = self.word_id
        for w in fs.stopwords:
            ids.setdefault(w, len(ids))
        vec_index = fs._vectors()[0] if fs.vec_source is not None else {}
        for w in vec_index:
            ids.setdefault(w, len(ids))
        unigram: dict[int, int] = {}
        grams: dict[int, dict[tuple[int, ...], int]] = {}
        chars: dict[int, dict[int, int]] = {}
        for term, col in fs.vocabulary.items():
            if not term.startswith(WORD):
                if clo <= len(term) <= chi:
                    key = 0
                    for ch in term:
                        key = (key << _CP_BITS) | ord(ch)
                    chars.setdefault(len(term), {})[key] = col
                continue
            body = term[len(WORD) :]
            if wlo <= 1 <= whi:
                unigram[ids.setdefault(body, len(ids))] = col
            # an n-gram is its words joined by spaces; a word may hold a space
            # itself, so every split into n parts names the term
            spaces = [i for i, ch in enumerate(body) if ch == " "]
            for n in range(max(wlo, 2), min(whi, len(spaces) + 1) + 1):
                for cut in itertools.combinations(spaces, n - 1):
                    bounds = (-1, *cut, len(body))
                    parts = [body[a + 1 : b] for a, b in itertools.pairwise(bounds)]
                    key_ids = tuple(ids.setdefault(p, len(ids)) for p in parts)
                    grams.setdefault(n, {})[key_ids] = col
        self.n_words = n_words = len(ids)
        if whi >= 2 and (n_words + 1) ** whi > _MAX_INT:
            return None
        # index n_words stands for every word outside the vocabulary
        self.uni = np.full(n_words + 1, -1, dtype=np.int64)
        for wid, col in unigram.items():
            self.uni[wid] = col
        self.vec = np.full(n_words + 1, -1, dtype=np.int64)
        for w, row in vec_index.items():
            self.vec[ids[w]] = row
        self.stop = np.zeros(n_words + 1, dtype=bool)
        for w in fs.stopwords:
            self.stop[ids[w]] = True
        base = n_words + 1
        for n, table in grams.items():
            packed = {}
            for key_ids, col in table.items():
                key = 0
                for wid in key_ids:
                    key = key * base + wid
                packed[key] = col
            self.words[n] = _Table(packed)
        self.chars = {n: _Table(table) for n, table in chars.items()}
        return self

    def find(
        self, fs: FeatureSpace, texts: Sequence[str], tokens: Sequence[Sequence[str]]
    ) -> tuple[Array64, Array64, Array64, Array64]:
        """``(row, column)`` of every vocabulary term occurrence, and ``(row, vector row)``
        of every token with a word vector."""
        n = len(texts)
        rows: list[Array64] = []
        cols: list[Array64] = []
        # words
        lengths = np.fromiter(map(len, tokens), dtype=np.int64, count=n)
        flat = itertools.chain.from_iterable(tokens)
        wid = np.fromiter(
            map(self.word_id.get, flat, itertools.repeat(self.n_words)),
            dtype=np.int64,
            count=int(lengths.sum()),
        )
        doc = np.repeat(np.arange(n, dtype=np.int64), lengths)
        vrow = self.vec[wid]
        has = vrow >= 0
        vec_doc, vec_row = doc[has], vrow[has]
        keep = ~self.stop[wid]
        wid, doc = wid[keep], doc[keep]
        lo, hi = fs.word_ngrams
        if lo <= 1 <= hi:
            col = self.uni[wid]
            hit = col >= 0
            rows.append(doc[hit])
            cols.append(col[hit])
        base = self.n_words + 1
        for k, table in self.words.items():
            m = wid.size - k + 1
            if m <= 0:
                continue
            same = doc[:m] == doc[k - 1 :]
            key = np.zeros(m, dtype=np.int64)
            known = np.ones(m, dtype=bool)
            for j in range(k):
                part = wid[j : j + m]
                known &= part < self.n_words
                key = key * base + part
            r, c = table.find(key[same & known], doc[:m][same & known])
            rows.append(r)
            cols.append(c)
        # characters: all texts as one array of code points, spaces dropped
        if self.chars:
            lengths = np.fromiter(map(len, texts), dtype=np.int64, count=n)
            cps = np.frombuffer(
                "".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32
            ).astype(np.int64)
            doc = np.repeat(np.arange(n, dtype=np.int64), lengths)
            keep = cps != ord(" ")
            cps, doc = cps[keep], doc[keep]
            for k, table in self.chars.items():
                m = cps.size - k + 1
                if m <= 0:
                    continue
                key = cps[:m].copy()
                for j in range(1, k):
                    key <<= _CP_BITS
                    key |= cps[j : j + m]
                same = doc[:m] == doc[k - 1 :]
                r, c = table.find(key[same], doc[:m][same])
                rows.append(r)
                cols.append(c)
        empty = np.empty(0, dtype=np.int64)
        return (
            np.concatenate(rows) if rows else empty,
            np.concatenate(cols) if cols else empty,
            vec_doc,
            vec_row,
        )
