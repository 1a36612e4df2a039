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
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import TYPE_CHECKING, Any

import numpy as np

from triage import text as _text
from triage._io import Options
from triage._paths import user_path
from triage._pickle import freeze, thaw
from triage._words import counted
from triage.exceptions import ParameterError, TriageWarning, user_stacklevel

if TYPE_CHECKING:
    from pathlib import Path

    from triage.batch import _Source

__all__ = ["CORPUS_SOURCES", "WordVectors", "fit_word_vectors", "read_corpus", "read_texts"]

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
#: What names `read_texts`'s column, for the messages of a file without it.
_OPTION = "text_column= (CLI: --corpus-column)"
#: The options of ``triage train --corpus-file``, which `read_texts`'s errors
#: and warnings name: its own encoding option (``--encoding`` is that of the
#: labeled files), and none for the format, which the file's name tells.
_OPTIONS = Options(encoding="--corpus-encoding", input_format=None)
#: Texts segmented together (in a worker, with `n_jobs`).
_CHUNK = 5000
#: Word positions paired at once (bounds the memory of a large corpus).
_PAIRS = 1 << 22


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
        How they were learned (window, dim, min_count, max_words, n_texts,
        own_words, hmm, random_state; vectors of older model files lack
        the last two).
    """

    words: tuple[str, ...]
    vectors: np.ndarray[Any, np.dtype[np.floating[Any]]]
    corpus_sha256: str = ""
    params: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.vectors.ndim != 2 or self.vectors.shape[0] != len(self.words):
            raise ParameterError(
                f"{counted(len(self.words), 'word')} but vectors of shape {self.vectors.shape}"
            )

    @property
    def dim(self) -> int:
        return int(self.vectors.shape[1])

    @property
    def index(self) -> dict[str, int]:
        """Word to row (built on first use, not pickled)."""
        # not functools.cached_property: on Python 3.11 it builds under one lock
        # for every instance, which a process forked while a thread of its
        # parent built the index found held for ever
        index: dict[str, int] | None = self.__dict__.get("_index")
        if index is None:
            index = self.__dict__["_index"] = {w: i for i, w in enumerate(self.words)}
        return index

    def __getstate__(self) -> dict[str, Any]:
        state = {k: v for k, v in self.__dict__.items() if k != "_index"}
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
        not in the vocabulary is a `KeyError`. `n` is an int >= 0 (all the
        other words when they are fewer).
        """
        from triage.model import _is_int

        if not _is_int(n) or n < 0:
            raise ParameterError(f"n must be an int >= 0, got {n!r}")
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
        They are taken a few thousand at a time as they are segmented, and
        the corpus is then held as 4 bytes a word: pass a generator (such as
        `read_texts` of a file) and millions of texts need not fit in memory.
        One str (a file's path, say) or a DataFrame is a `ParameterError`:
        they iterate over characters and column names. Too few words because
        the items were no str (bytes, say) is an error that says so, and so
        is an iterator that gives no text (one read before: call `read_texts`
        again for each fit).
    dim : int, default 200
        Dimensions (at most the vocabulary size minus one).
    window : int, default 5
        Words on each side that count as context.
    min_count : int, default 3
        Words seen fewer times are left out, and so are words seen beside
        no other more often than by chance (one only ever a text of its
        own, such as ``好评``): they have nothing to learn a vector from.
        Too few words left for `dim` is a `ParameterError`.
    max_words : int, default 30000
        The most frequent words kept; more than `dim` (a `ParameterError`
        before any text is read otherwise).
    hmm : bool, default False
        jieba's HMM for unknown words (must match the model's `hmm`).
    words : path-like or list of str, optional
        Words of your domain for the segmenter, as the model's `words`
        (give the same), so that they get vectors of their own.
    random_state : int, default 0
        Seeds the SVD's start vector, so the same texts give the same vectors.
    n_jobs : int or None, default 1
        Processes that segment the texts, the time that grows with the corpus
        (the SVD, on one thread, takes some 30 s of CPU for the 30,000 words
        of `max_words` and 1 s for 3,000, whatever the number of texts)
        (joblib's convention, as for `TriageModel`: -1 uses every core, None
        is 1). The vectors are the same for any.
    """
    from joblib import Parallel, delayed, effective_n_jobs
    from scipy.sparse import coo_matrix, csr_matrix
    from scipy.sparse.linalg import svds
    from threadpoolctl import threadpool_limits

    from triage.model import _is_int, check_seed

    counts_given = {"dim": dim, "window": window, "min_count": min_count, "max_words": max_words}
    for name, value in counts_given.items():
        if not _is_int(value):
            raise ParameterError(f"{name} must be an int, got {value!r}")
    for name, value in counts_given.items():
        least = 2 if name == "max_words" else 1
        if value < least:
            raise ParameterError(f"{name} must be an int >= {least}, got {value!r}")
    # plain ints in `params`, the model card's record of them
    dim, window, min_count, max_words = int(dim), int(window), int(min_count), int(max_words)
    if max_words <= dim:  # no corpus could give more words than kept: said before reading it
        raise ParameterError(
            f"max_words={max_words} keeps too few words for dim={dim}: the vectors of n words "
            "have at most n - 1 dimensions; give a max_words above dim, or a lower dim"
        )
    check_seed(random_state)
    if not isinstance(hmm, bool | np.bool_):
        raise ParameterError(f"hmm must be True or False, got {hmm!r}")
    if n_jobs is not None and (not _is_int(n_jobs) or n_jobs == 0):
        raise ParameterError(f"n_jobs must be None or an int other than 0, got {n_jobs!r}")
    _check_texts(texts)
    once = iter(texts) is texts  # an iterator (read_texts's, a generator): read once
    own = _text.read_words(words)
    # The texts are taken a chunk at a time, as they are segmented: an
    # iterator over a file of millions is never held whole.
    not_str: list[str] = []  # the types of the items that are neither texts nor missing
    kept = _kept(texts, not_str)
    chunks = iter(lambda: list(islice(kept, _CHUNK)), [])
    parts: Iterable[tuple[list[str], list[str], np.ndarray[Any, np.dtype[np.int32]]]]
    if effective_n_jobs(n_jobs) == 1:
        parts = (_segmented(chunk, hmm, own, window) for chunk in chunks)
    else:
        # in order, a chunk at a time as the workers finish them
        parts = Parallel(n_jobs=n_jobs, return_as="generator")(
            delayed(_segmented)(chunk, hmm, own, window) for chunk in chunks
        )
    digest = hashlib.sha256()
    # Every distinct word gets an id in the order it is first seen, and the
    # corpus is held as one int32 id a word: 4 bytes a word, not a string
    # reference in a list (with a list per text), which had taken some 50.
    ids_of: dict[str, int] = {}
    streams: list[np.ndarray[Any, np.dtype[np.int32]]] = []
    n_texts = 0
    for norms, seen, local in parts:
        for norm in norms:
            digest.update(norm.encode("utf-8") + b"\n")
        n_texts += len(norms)
        known = np.fromiter(
            (ids_of.setdefault(w, len(ids_of)) for w in seen), dtype=np.int32, count=len(seen)
        )
        streams.append(_mapped(local, known))
    counts = np.zeros(len(ids_of), dtype=np.int64)
    for part in streams:
        counts += np.bincount(part[part >= 0], minlength=len(ids_of))
    # the most frequent words; ties in the order first seen (as Counter.most_common)
    top = np.argsort(-counts, kind="stable")[:max_words]
    top = top[counts[top] >= min_count]
    words_by_id = list(ids_of)
    vocab = tuple(words_by_id[i] for i in top)
    del ids_of, words_by_id
    if n_texts == 0 and not not_str and once:
        raise ParameterError(
            "texts gave no text (none, or only blanks and missing ones); an iterator, such as "
            "read_texts(path), gives its texts once: if a fit or a loop read it before, call "
            "read_texts again (or pass a list)"
        )
    if len(vocab) <= dim:
        skipped = ""
        if not_str:
            skipped = (
                f" ({counted(len(not_str), 'item')} that "
                f"{'is' if len(not_str) == 1 else 'are'} no str skipped, such as a "
                f"{not_str[0]}: texts must be str, decoded)"
            )
        raise ParameterError(
            f"{counted(len(vocab), 'word')} of at least {counted(min_count, 'occurrence')} in "
            f"{counted(n_texts, 'text')}{skipped}: too few for {counted(dim, 'dimension')}; give "
            "more text, ideally 100,000 texts "
            "or more (or, in Python, a lower dim=)"
        )
    # -2 marks a word out of the vocabulary (it keeps its place); the
    # `window` -1s after each text stay, so no pair crosses two texts
    index = np.full(len(counts), -2, dtype=np.int32)
    index[top] = np.arange(len(top), dtype=np.int32)
    for part in streams:
        _mapped(part, index)
    n = len(vocab)
    # The pairs `k` words apart are counted one distance at a time, into a
    # (words x words) matrix that stays as small as the distinct pairs: all
    # pairs at once (tens of millions for a hundred thousand texts) had taken
    # some 3 GB. A few million words are paired at a time, so a corpus of
    # millions needs no more. Counts are whole numbers: the sums are exact in
    # any order.
    cooc = csr_matrix((n, n))
    for ids in _joined(streams, _PAIRS):
        for k in range(1, window + 1):
            a, b = ids[:-k], ids[k:]
            ok = (a >= 0) & (b >= 0)
            cooc += coo_matrix((np.ones(int(ok.sum())), (a[ok], b[ok])), shape=(n, n)).tocsr()
    cooc = (cooc + cooc.T).tocsr()  # a pair counts for both of its words
    cooc.sum_duplicates()
    # before the PMI, whose sums are 0 when too few words have any pair; the
    # check after it (words above chance) is the stricter one
    _check_contexts(np.diff(cooc.indptr) > 0, vocab, n_texts, window, dim)
    total = cooc.sum()
    word_sum = np.asarray(cooc.sum(axis=1)).ravel()
    context = word_sum**0.75
    context /= context.sum()
    coo = cooc.tocoo()
    pmi = np.log(coo.data / total / (word_sum[coo.row] / total) / context[coo.col])
    keep = pmi > 0
    ppmi = csr_matrix((pmi[keep], (coo.row[keep], coo.col[keep])), shape=(n, n))
    # A word seen beside no word of the vocabulary more often than by chance
    # (one only ever a text of its own, as 好评 may be) has nothing to learn
    # a vector from: its row would be rounding noise, scaled to unit length.
    # It is left out, after the SVD, so the other words' vectors are the same.
    has = np.diff(ppmi.indptr) > 0
    _check_contexts(has, vocab, n_texts, window, dim)
    v0 = np.random.RandomState(random_state).uniform(-1, 1, n)
    # BLAS on one thread, as fit_model runs it: ARPACK's vector operations are
    # too small to gain from more, and the spare threads spin while they wait.
    # On two cores beside other jobs they took 20 s of CPU (and 2 to 3 minutes)
    # for 2,700 words, where one thread takes 1.3 s, and 69 s for 30,000 (34)
    with threadpool_limits(limits=1):
        u, s, _ = svds(ppmi, k=dim, v0=v0)
    order = np.argsort(-s)
    vec = u[:, order] * np.sqrt(s[order])
    vec /= np.linalg.norm(vec, axis=1, keepdims=True) + 1e-12
    # the sign of a singular vector is arbitrary: fix it, for reproducibility
    vec *= np.sign(vec[np.abs(vec).argmax(axis=0), np.arange(dim)])
    if not has.all():
        logger.info("word vectors: %d words without a context left out", n - int(has.sum()))
        vocab = tuple(w for w, kept in zip(vocab, has, strict=True) if kept)
        vec = vec[has]
    logger.info("word vectors: %d texts, %d words x %d dims", n_texts, len(vocab), dim)
    return WordVectors(
        vocab,
        vec.astype(np.float16),
        corpus_sha256=digest.hexdigest(),
        params={
            "dim": dim,
            "window": window,
            "min_count": min_count,
            "max_words": max_words,
            "n_texts": n_texts,
            "own_words": len(own),
            "hmm": bool(hmm),
            "random_state": None if random_state is None else int(random_state),
        },
    )


def _kept(texts: Iterable[Any], not_str: list[str]) -> Iterator[str]:
    """The texts that are not blank; the type of each item that is neither a
    str nor missing (NaN, None) is appended to `not_str`."""
    from triage._io import is_missing

    for t in texts:
        if isinstance(t, str):
            if t.strip():
                yield t
        elif not is_missing(t):
            not_str.append(type(t).__name__)


def _check_texts(texts: object) -> None:
    """Refuse what iterates over something other than texts: one str (its
    characters, or a file's path), or a DataFrame (its column names)."""
    import pandas as pd

    if isinstance(texts, str | bytes | os.PathLike):
        raise ParameterError(
            f"texts must be an iterable of texts, not one {type(texts).__name__} ({texts!r:.60}); "
            "for a file, pass read_texts(path)"
        )
    if isinstance(texts, pd.DataFrame):
        raise ParameterError(
            "texts is a DataFrame (it iterates over its column names); pass its text column, "
            "e.g. frame['text']"
        )


def _check_contexts(
    has: np.ndarray[Any, np.dtype[np.bool_]],
    vocab: Sequence[str],
    n_texts: int,
    window: int,
    dim: int,
) -> None:
    """Refuse a corpus in which too few words (`has`) have a context to learn from."""
    if int(has.sum()) > dim:
        return
    alone = [repr(w) for w, kept in zip(vocab, has, strict=True) if not kept]
    some = ", ".join(alone[:3] + ["..."] * (len(alone) > 3))
    raise ParameterError(
        f"{int(has.sum())} of the {counted(len(vocab), 'word')} kept of {counted(n_texts, 'text')} "
        f"{'has' if int(has.sum()) == 1 else 'have'} a context (another word within "
        f"{counted(window, 'word')} of them, more often than by chance): too few for "
        f"{counted(dim, 'dimension')}; texts of one word each ({some}) teach nothing: give "
        "texts of several words (or, in Python, a lower dim=)"
    )


def _mapped(
    ids: np.ndarray[Any, np.dtype[np.int32]], table: np.ndarray[Any, np.dtype[np.int32]]
) -> np.ndarray[Any, np.dtype[np.int32]]:
    """`ids` looked up in `table` in place, the negative marks kept as they are."""
    word = ids >= 0
    ids[word] = table[ids[word]]
    return ids


def _joined(
    parts: list[np.ndarray[Any, np.dtype[np.int32]]], size: int
) -> Iterator[np.ndarray[Any, np.dtype[np.int32]]]:
    """Consecutive `parts` joined into arrays of about `size` (each part whole)."""
    at = 0
    while at < len(parts):
        end, length = at, 0
        while end < len(parts) and (end == at or length + len(parts[end]) <= size):
            length += len(parts[end])
            end += 1
        yield np.concatenate(parts[at:end])
        at = end


def _segmented(
    texts: Sequence[str], hmm: bool, words: _text.Words, window: int
) -> tuple[list[str], list[str], np.ndarray[Any, np.dtype[np.int32]]]:
    """The normalised texts (their first `_CORPUS_CHARS` characters), the
    distinct words of their tokens in the order first seen, and the tokens as
    indices into those words, each text followed by `window` -1s (little to
    send back from a worker)."""
    ids_of: dict[str, int] = {}
    norms: list[str] = []
    stream: list[int] = []
    sep = [-1] * window
    for raw in texts:
        norm = _text.normalize(raw)[:_CORPUS_CHARS]
        norms.append(norm)
        stream.extend(
            ids_of.setdefault(w, len(ids_of)) for w in _text.tokenize(norm, hmm=hmm, words=words)
        )
        stream.extend(sep)
    return norms, list(ids_of), np.asarray(stream, dtype=np.int32)


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
        The shared data folder; when omitted, `triage.weak.data_dir`:
        ``$TRIAGE_DATA_DIR``, else the first ``shared/data`` found from the
        working directory upwards, else ``../shared/data`` beside the source
        tree when the package runs from a checkout, or of the working
        directory when it is installed.
    sources : sequence of str
        Keys of `CORPUS_SOURCES`, each once; missing files are an error.
    exclude : iterable of str
        Texts to leave out, compared as the model reads them (normalised):
        pass the labeled texts you will evaluate on, so no figure profits
        from having seen them, e.g. ``[*train["text"], *dev["text"]]`` (one
        str or a DataFrame is a `ParameterError`: either would leave out
        nothing).
    """
    from triage.labeled import excluded_texts
    from triage.weak import _check_sources, _read_raw

    _check_sources(sources, CORPUS_SOURCES)
    skip = excluded_texts(exclude)
    out: list[str] = []
    dropped = 0
    for name in sources:
        relative, column = CORPUS_SOURCES[name]
        for t in _read_raw(data_dir, name, relative, [column])[column].tolist():
            if not t.strip():
                continue
            if skip and _text.prepare(t).text in skip:
                dropped += 1
                continue
            out.append(t)
    logger.info("corpus: %d texts (%d excluded as labeled)", len(out), dropped)
    return out


def read_texts(
    path: str | os.PathLike[str],
    *,
    text_column: str = "text",
    input_format: str | None = None,
    encoding: str | None = None,
    exclude: Iterable[str] = (),
) -> Iterator[str]:
    """The texts of a file or folder of your own, read a chunk at a time.

    For word vectors from your own history: ``fit_word_vectors(read_texts(
    "complaints.parquet"))`` holds a few thousand texts at a time, however
    many millions the file has. Files are read as `triage.batch.score_file`
    reads them: CSV, TSV, JSONL or Parquet (by extension, or
    `input_format`), compressed or not, or a folder of them; text files in
    any encoding it detects. Malformed lines are skipped with a warning at
    the end; missing and blank texts are skipped. Its errors and warnings
    name, for the command line, the options of ``triage train --corpus-file``,
    which reads a file so: ``--corpus-column``, ``--corpus-encoding``, and
    the file's extension for its format.

    Parameters
    ----------
    path : path-like
        The file, or a folder of files (a Parquet dataset, or CSV, TSV or JSONL
        files).
    text_column : str, default "text"
        The column (JSONL: key) holding the texts.
    input_format : {"csv", "tsv", "jsonl", "parquet"}, optional
        The format, when the name does not tell it.
    encoding : str, optional
        Of a text file; detected when omitted.
    exclude : iterable of str
        Texts to leave out, compared as the model reads them (normalised):
        the labeled texts you will evaluate on, as for `read_corpus`.

    Raises
    ------
    FileNotFoundError
        Nothing at `path`.
    triage.ColumnError
        A file without `text_column`, raised as it is reached.
    triage.InputFileError, triage.ParameterError
        As `score_file` raises them for its input; a `ParameterError` for a
        `path` that is no path (None, bytes) or an `exclude` that is one str
        or a DataFrame.

    Examples
    --------
    >>> import pandas as pd, tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "history.csv")
    >>> pd.DataFrame({"text": ["快递太慢了", None, "客服态度差"]}).to_csv(path, index=False)
    >>> list(read_texts(path))
    ['快递太慢了', '客服态度差']
    """
    from pathlib import Path

    from triage._io import file_format, is_stream, missing_message, stream_error
    from triage.batch import _check_text_encoding, _sources
    from triage.labeled import excluded_texts

    path = user_path(path)
    if not (Path(path).is_file() or Path(path).is_dir()):
        if is_stream(path):
            raise stream_error(path, "corpus file")
        raise FileNotFoundError(missing_message(path, "corpus file"))
    if encoding is not None:
        _check_text_encoding(encoding, options=_OPTIONS)
    wanted = {text_column: _OPTION}
    fmt = file_format(path, input_format, options=_OPTIONS)
    sources = _sources(path, fmt, input_format, encoding, wanted, options=_OPTIONS)
    skip = excluded_texts(exclude)
    return _texts(path, sources, text_column, skip)


def _texts(
    path: str | os.PathLike[str], sources: list[_Source], text_column: str, skip: set[str]
) -> Iterator[str]:
    """`read_texts`'s texts, once its arguments are checked."""
    from pathlib import Path

    from triage._io import read_chunks
    from triage.batch import _check_columns, _places

    malformed: dict[Path, list[int]] = {}
    read = dropped = 0
    for source in sources:
        for i, chunk in enumerate(
            read_chunks(
                source.path,
                fmt=source.fmt,
                chunk_size=_CHUNK,
                encoding=source.encoding,
                text_column=text_column,
                delimiter=source.delimiter,
            )
        ):
            if chunk.malformed_lines:
                malformed.setdefault(Path(source.path), []).extend(chunk.malformed_lines)
            if i == 0:  # as triage score checks them: missing, or written twice
                _check_columns(chunk.frame.columns, text_column, None, str(source.path), _OPTION)
            elif text_column not in chunk.frame.columns:
                continue  # a later JSONL chunk without the key: no text there
            for text in chunk.frame[text_column].tolist():
                if not isinstance(text, str) or not text.strip():
                    continue
                if skip and _text.prepare(text).text in skip:
                    dropped += 1
                    continue
                read += 1
                yield text
    if malformed:
        lines = [n for found in malformed.values() for n in found]
        places = _places(lines, malformed if len(sources) > 1 else {})
        warnings.warn(
            f"{path}: skipped {counted(len(lines), 'malformed line')}: {places}",
            TriageWarning,
            stacklevel=user_stacklevel(),
        )
    logger.info("corpus: %d texts of %s (%d excluded as labeled)", read, path, dropped)
