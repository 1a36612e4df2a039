"""Word vectors learned from unlabeled complaints and reviews (PPMI + truncated SVD).

A few thousand labeled complaints leave most words rare; word vectors learned
from a hundred thousand unlabeled texts let the classifier treat ``快递员``
like ``骑手`` and ``污渍`` like ``脏``. The method is the classic count-based
one: window co-occurrence counts, positive pointwise mutual information with
context-distribution smoothing (``alpha = 0.75``), and a truncated SVD whose
left vectors, scaled by the square root of the singular values, are the word
vectors (Levy, Goldberg and Dagan, 2015). It needs numpy and scipy only.

`TriageModel(word_vectors=...)` adds the idf-weighted mean vector of a text's
words to its features.

>>> wv = fit_word_vectors(["快递太慢了", "物流太慢了", "客服态度差"] * 5, dim=2, min_count=1)
>>> wv.dim, "快递" in wv
(2, True)
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from triage import text as _text
from triage._pickle import freeze, thaw
from triage.exceptions import ParameterError

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["CORPUS_SOURCES", "WordVectors", "fit_word_vectors", "read_corpus"]

logger = logging.getLogger(__name__)

#: Unlabeled text of the public sets under ``raw/``: file and text column.
CORPUS_SOURCES: Mapping[str, tuple[str, str]] = {
    "waimai_10k": ("waimai_10k/waimai_10k.csv", "review"),
    "online_shopping": ("online_shopping_10_cats/online_shopping_10_cats.csv", "review"),
    "chnsenticorp_htl": ("ChnSentiCorp_htl_all/ChnSentiCorp_htl_all.csv", "review"),
    "ai_challenger_fsa": (
        "ai_challenger_2018_fsa/ai_challenger_2018_fsa_valid_2000.csv",
        "content",
    ),
    "asap": ("asap_meituan_samples/asap_samples.csv", "reviewbody"),
    "smp2020_ewect": ("smp2020_ewect_usual/smp2020_ewect_usual.csv", "text"),
    "nlpcc2013": ("nlpcc2013_weibo_emotion/nlpcc2013_weibo_emotion.csv", "text"),
    "bdci2018_car": ("bdci2018_car_subject_sentiment/bdci2018_car_train.csv", "content"),
}

#: Characters of a text used for co-occurrence counts (reviews rarely need more).
_CORPUS_CHARS = 500
#: Texts segmented together (in a worker, with `n_jobs`).
_CHUNK = 5000


@dataclass(frozen=True, eq=False, repr=False)
class WordVectors:
    """Unit-length word vectors and their vocabulary.

    Attributes
    ----------
    words : tuple of str
        The words, most frequent first.
    vectors : ndarray of shape (n_words, dim), float16
        One l2-normalised row per word (half precision keeps model files
        small; features are computed in float32).
    corpus_sha256 : str
        Fingerprint of the normalised corpus the vectors were learned from.
    params : dict
        How they were learned (window, dim, min_count, max_words, n_texts).
    """

    words: tuple[str, ...]
    vectors: np.ndarray[Any, np.dtype[np.floating[Any]]]
    corpus_sha256: str = ""
    params: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.vectors.ndim != 2 or self.vectors.shape[0] != len(self.words):
            raise ParameterError(
                f"{len(self.words)} words but vectors of shape {self.vectors.shape}"
            )

    @property
    def dim(self) -> int:
        return int(self.vectors.shape[1])

    @cached_property
    def index(self) -> dict[str, int]:
        """Word to row (built on first use, not pickled)."""
        return {w: i for i, w in enumerate(self.words)}

    def __getstate__(self) -> dict[str, Any]:
        state = {k: v for k, v in self.__dict__.items() if k != "index"}
        state["words"] = freeze(self.words)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state, words=thaw(state["words"]))

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: object) -> bool:
        """Whether `word`, normalised as texts are (`triage.text.normalize`:
        traditional to simplified, NFKC), has a vector."""
        return isinstance(word, str) and _text.normalize(word) in self.index

    def most_similar(self, word: str, n: int = 8) -> list[tuple[str, float]]:
        """The `n` nearest words by cosine similarity (for inspecting the vectors).

        `word` is normalised as texts are, so ``快遞`` finds ``快递``; a word
        not in the vocabulary is a `KeyError`.
        """
        row = self.index.get(_text.normalize(word))
        if row is None:
            raise KeyError(f"{word!r} is not in the vocabulary of these vectors")
        vec = np.asarray(self.vectors, dtype=np.float32)
        sims = vec @ vec[row]
        order = [i for i in np.argsort(-sims, kind="stable") if i != row]
        return [(self.words[i], float(sims[i])) for i in order[:n]]

    def describe(self) -> dict[str, Any]:
        """A JSON-able summary, for model cards."""
        return {
            "words": len(self.words),
            "dim": self.dim,
            "corpus_sha256": self.corpus_sha256,
            **self.params,
        }

    def __repr__(self) -> str:
        return f"WordVectors(words={len(self.words)}, dim={self.dim})"


def fit_word_vectors(
    texts: Iterable[str],
    *,
    dim: int = 200,
    window: int = 5,
    min_count: int = 3,
    max_words: int = 30_000,
    hmm: bool = False,
    words: Any = None,
    random_state: int = 0,
    n_jobs: int | None = 1,
) -> WordVectors:
    """Learn word vectors from unlabeled texts.

    Parameters
    ----------
    texts : iterable of str
        Raw texts; each is normalised and segmented like a complaint, and its
        first 500 characters are used. Non-strings and blanks are skipped.
    dim : int, default 200
        Dimensions (at most the vocabulary size minus one).
    window : int, default 5
        Words on each side that count as context.
    min_count : int, default 3
        Words seen fewer times are left out.
    max_words : int, default 30000
        The most frequent words kept.
    hmm : bool, default False
        jieba's HMM for unknown words (must match the model's `hmm`).
    words : path-like or list of str, optional
        Words of your domain for the segmenter, as the model's `words`
        (give the same), so that they get vectors of their own.
    random_state : int, default 0
        Seeds the SVD's start vector, so the same texts give the same vectors.
    n_jobs : int or None, default 1
        Processes that segment the texts, most of the time taken (joblib's
        convention, as for `TriageModel`: -1 uses every core, None is 1). The
        vectors are the same for any.
    """
    from joblib import Parallel, delayed, effective_n_jobs
    from scipy.sparse import coo_matrix, csr_matrix
    from scipy.sparse.linalg import svds

    if window < 1 or dim < 1 or min_count < 1 or max_words < 2:
        raise ParameterError("window, dim and min_count must be >= 1 and max_words >= 2")
    from triage.model import _is_int

    if n_jobs is not None and (not _is_int(n_jobs) or n_jobs == 0):
        raise ParameterError(f"n_jobs must be None or an int other than 0, got {n_jobs!r}")
    own = _text.read_words(words)
    kept = [t for t in texts if isinstance(t, str) and t.strip()]
    chunks = [kept[at : at + _CHUNK] for at in range(0, len(kept), _CHUNK)]
    parts: Iterable[tuple[list[str], list[list[str]]]]
    if effective_n_jobs(n_jobs) == 1:
        parts = (_segmented(chunk, hmm, own) for chunk in chunks)
    else:
        # in order, a chunk at a time as the workers finish them
        parts = Parallel(n_jobs=n_jobs, return_as="generator")(
            delayed(_segmented)(chunk, hmm, own) for chunk in chunks
        )
    digest = hashlib.sha256()
    docs: list[list[str]] = []
    # one string object per distinct word, not per occurrence: the corpus's
    # millions of tokens are held until they are counted
    pool: dict[str, str] = {}
    for norms, part in parts:
        for norm in norms:
            digest.update(norm.encode("utf-8") + b"\n")
        docs.extend(list(map(pool.setdefault, tokens, tokens)) for tokens in part)
    del pool, kept, chunks
    counts = Counter(w for d in docs for w in d)
    vocab = tuple(w for w, c in counts.most_common(max_words) if c >= min_count)
    if len(vocab) <= dim:
        raise ParameterError(
            f"{len(vocab)} words of at least {min_count} occurrences: too few for {dim} "
            "dimensions; give more text or lower dim"
        )
    index = {w: i for i, w in enumerate(vocab)}
    # One id stream for the corpus: -2 marks an unknown word (it keeps its
    # place), `window` -1s separate the texts, so no pair crosses two texts.
    sep = [-1] * window
    stream: list[int] = []
    for d in docs:
        stream.extend(index.get(w, -2) for w in d)
        stream.extend(sep)
    ids = np.asarray(stream, dtype=np.int32)
    del stream
    n = len(vocab)
    # The pairs `k` words apart are counted one distance at a time, into a
    # (words x words) matrix that stays as small as the distinct pairs: all
    # pairs at once (tens of millions for a hundred thousand texts) had taken
    # some 3 GB. Counts are whole numbers, so the sums are exact in any order.
    cooc = csr_matrix((n, n))
    for k in range(1, window + 1):
        a, b = ids[:-k], ids[k:]
        ok = (a >= 0) & (b >= 0)
        cooc += coo_matrix((np.ones(int(ok.sum())), (a[ok], b[ok])), shape=(n, n)).tocsr()
    cooc = (cooc + cooc.T).tocsr()  # a pair counts for both of its words
    cooc.sum_duplicates()
    total = cooc.sum()
    word_sum = np.asarray(cooc.sum(axis=1)).ravel()
    context = word_sum**0.75
    context /= context.sum()
    coo = cooc.tocoo()
    pmi = np.log(coo.data / total / (word_sum[coo.row] / total) / context[coo.col])
    keep = pmi > 0
    ppmi = csr_matrix((pmi[keep], (coo.row[keep], coo.col[keep])), shape=(n, n))
    v0 = np.random.RandomState(random_state).uniform(-1, 1, n)
    u, s, _ = svds(ppmi, k=dim, v0=v0)
    order = np.argsort(-s)
    vec = u[:, order] * np.sqrt(s[order])
    vec /= np.linalg.norm(vec, axis=1, keepdims=True) + 1e-12
    # the sign of a singular vector is arbitrary: fix it, for reproducibility
    vec *= np.sign(vec[np.abs(vec).argmax(axis=0), np.arange(dim)])
    logger.info("word vectors: %d texts, %d words x %d dims", len(docs), n, dim)
    return WordVectors(
        vocab,
        vec.astype(np.float16),
        corpus_sha256=digest.hexdigest(),
        params={
            "dim": dim,
            "window": window,
            "min_count": min_count,
            "max_words": max_words,
            "n_texts": len(docs),
            "own_words": len(own),
        },
    )


def _segmented(
    texts: Sequence[str], hmm: bool, words: _text.Words
) -> tuple[list[str], list[list[str]]]:
    """The normalised texts (their first `_CORPUS_CHARS` characters) and their
    tokens, one string object per distinct word (fewer to hold, and to send
    back from a worker)."""
    pool: dict[str, str] = {}
    norms: list[str] = []
    docs: list[list[str]] = []
    for raw in texts:
        norm = _text.normalize(raw)[:_CORPUS_CHARS]
        tokens = _text.tokenize(norm, hmm=hmm, words=words)
        norms.append(norm)
        docs.append(list(map(pool.setdefault, tokens, tokens)))
    return norms, docs


def read_corpus(
    data_dir: str | os.PathLike[str] | None = None,
    *,
    sources: Sequence[str] = tuple(CORPUS_SOURCES),
    exclude: Iterable[str] = (),
) -> list[str]:
    """The unlabeled texts of the public sets under ``<data_dir>/raw``.

    Parameters
    ----------
    data_dir : path-like, optional
        The shared data folder; ``$TRIAGE_DATA_DIR`` or ``../shared/data``
        beside the repository when omitted (`triage.weak.data_dir`).
    sources : sequence of str
        Keys of `CORPUS_SOURCES`; missing files are an error.
    exclude : iterable of str
        Texts to leave out, compared after normalisation: pass the labeled
        texts you will evaluate on, so no figure profits from having seen them.
    """
    from triage.weak import _read_raw
    from triage.weak import data_dir as _default_dir

    bad = [s for s in sources if s not in CORPUS_SOURCES]
    if bad or isinstance(sources, str):
        raise ParameterError(
            f"unknown source(s) {bad or sources!r}; allowed: {', '.join(CORPUS_SOURCES)}"
        )
    root: Path = _as_path(data_dir) if data_dir is not None else _default_dir()
    skip = {_text.normalize(t) for t in exclude if isinstance(t, str)}
    out: list[str] = []
    dropped = 0
    for name in sources:
        relative, column = CORPUS_SOURCES[name]
        for t in _read_raw(root, name, relative, [column])[column].tolist():
            if not t.strip():
                continue
            if skip and _text.normalize(t) in skip:
                dropped += 1
                continue
            out.append(t)
    logger.info("corpus: %d texts (%d excluded as labeled)", len(out), dropped)
    return out


def _as_path(value: str | os.PathLike[str]) -> Path:
    from pathlib import Path

    return Path(value)
