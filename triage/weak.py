"""Weak labels from public emotion datasets, for ``fit(..., extra=...)``.

The public Chinese emotion sets label general Weibo posts, not complaints, and
their emotions are not ours. Some still say something about ours: a post
labeled ``angry`` shows anger, a ``neutral`` or ``happy`` post shows none.
`load_weak_emotions` turns such a set into a *partially* labeled frame: a
``text`` column, the emotion columns (``"1"`` present, ``"0"`` absent, ``""``
unknown, the row then left out of that emotion's heads) and a ``weight``.

The raw files are not part of the library (their terms are unclear: see
``raw/SOURCES.md`` of the shared data). They are read from `data_dir`,
the shared data folder: ``$TRIAGE_DATA_DIR``, else the first
``shared/data`` found from the working directory upwards (``../shared/data``
of a checkout, from it or a folder in it), else ``../shared/data`` beside
the source tree when the package runs from a checkout, or of the working
directory when it is installed.

Mapping (from "How these sets map to our labels" in SOURCES.md)
--------------------------------------------------------------

=====================  ===================  ==========================================
source label           sets                 known emotion columns
=====================  ===================  ==========================================
angry / anger/disgust  smp2020 / nlpcc2013  angry = 1
fear                   both                 anxious = 1 (fear is a proxy for anxiety)
sad / sadness          smp2020 / nlpcc2013  aggrieved = 1 (a proxy only)
surprise               both                 confused = 1 (weak)
neutral / none         smp2020 / nlpcc2013  angry, anxious, confused, aggrieved = 0
happy / happiness,like smp2020 / nlpcc2013  angry, anxious, aggrieved = 0
=====================  ===================  ==========================================

`load_calm_chats` gives the turns of customer-service chats as rows that
are neither angry, aggrieved nor humorous (``triage train --calm-chats``),
and `load_praise` short positive reviews as rows that complain about
nothing (``triage train --praise``).

No emotion set labels ``humorous``; it is always unknown. Only the columns
named in ``emotions=`` are kept (default ``angry`` and ``anxious``, the two
with the most direct mapping); the others are left unknown.

Weights
-------
A weak row counts `weight` times a labeled row (default 0.2): the labels are
about Weibo posts, not complaints, and the mapping is approximate. A present
emotion is written as intensity 1, so the "strong" head also learns from these
rows that the emotion is not strong; keep the weight low. Measure on dev,
with and without the extra rows (`triage.retrain.compare_models`), before
keeping them.

Always pass the texts of your labeled files as ``exclude=``: the shared
labeled complaints were partly drawn from these sets, and a dev text that is
also a weak training row makes dev figures too good.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from triage._paths import user_path
from triage._words import names_shown, plural, shown
from triage.exceptions import ColumnError, InputFileError, ParameterError
from triage.labeled import MAX_WEIGHT, excluded_texts, model_texts
from triage.labels import EMOTION_COLUMNS

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CHAT_SOURCE",
    "REVIEW_SOURCES",
    "WEAK_MAPPINGS",
    "WEAK_SOURCES",
    "data_dir",
    "load_calm_chats",
    "load_praise",
    "load_reviews",
    "load_weak_emotions",
]

logger = logging.getLogger(__name__)

#: File (under ``raw/``), text column and label column of each source.
WEAK_SOURCES: Mapping[str, tuple[str, str, str]] = {
    "smp2020": ("smp2020_ewect_usual/smp2020_ewect_usual.csv", "text", "label"),
    "nlpcc2013": ("nlpcc2013_weibo_emotion/nlpcc2013_weibo_emotion.csv", "text", "label"),
}

#: Review sets usable as a pool of unlabeled complaints: file under ``raw/``,
#: text column, and the name used in the ids of the shared labeled files.
REVIEW_SOURCES: Mapping[str, tuple[str, str, str]] = {
    "waimai_10k": ("waimai_10k/waimai_10k.csv", "review", "waimai_10k"),
    "chnsenticorp_htl": (
        "ChnSentiCorp_htl_all/ChnSentiCorp_htl_all.csv",
        "review",
        "chnsenticorp_htl",
    ),
    "online_shopping": (
        "online_shopping_10_cats/online_shopping_10_cats.csv",
        "review",
        "online_shopping",
    ),
}

#: The customer-service chats: file under ``raw/``, its columns of turns
#: (``context``, turns joined by `_TURNS`) and of the reply that ends them.
CHAT_SOURCE: tuple[str, str, str] = (
    "ecd_taobao_dialogue_sample/ecd_sample.csv",
    "context",
    "response",
)
_TURNS = " ||| "
#: The emotions a calm chat turn is known not to show (see `load_calm_chats`).
_CALM = ("angry", "aggrieved", "humorous")
#: Laughter and irony in a chat turn (我也是醉了, 好坑爹, 呵呵): its humour is unknown.
_IRONY = re.compile("呵呵|哈哈|嘿嘿|醉了|坑|服了|绝了|笑死|[😂🤣😅🙃]")

#: A positive review holding any of these may complain all the same (送餐有点慢,
#: 就是贵了点, 不太新鲜, 下次不会再来?): contrast, negation, hedges, questions
#: and the commonest complaint words. What is left is praise alone.
_NOT_PRAISE = re.compile(
    "但|不过|就是|可惜|只是|却|差|慢|贵|不|没|少|难|脏|吵|凉|冷|坏|退|投诉|问题|一般|还行|凑合"
    "|失望|[?？]|再也|垃圾|坑|骗|呵呵|无语|醉|晕|郁闷|烦|怪|破|旧|小|错|等|久|假|太"
)
#: The length of the reviews `load_praise` keeps, in characters: a long
#: review rarely praises alone.
_PRAISE_CHARS = (4, 60)

_NONE = {"angry": 0, "anxious": 0, "confused": 0, "aggrieved": 0}
_GLAD = {"angry": 0, "anxious": 0, "aggrieved": 0}

#: Source label -> known emotion intensities (others unknown), per source.
WEAK_MAPPINGS: Mapping[str, Mapping[str, Mapping[str, int]]] = {
    "smp2020": {
        "angry": {"angry": 1},
        "fear": {"anxious": 1},
        "sad": {"aggrieved": 1},
        "surprise": {"confused": 1},
        "neutral": _NONE,
        "happy": _GLAD,
    },
    "nlpcc2013": {
        "anger": {"angry": 1},
        "disgust": {"angry": 1},
        "fear": {"anxious": 1},
        "sadness": {"aggrieved": 1},
        "surprise": {"confused": 1},
        "none": _NONE,
        "happiness": _GLAD,
        "like": _GLAD,
    },
}

_REPO = Path(__file__).resolve().parent.parent


def _check_weight(weight: object) -> None:
    """Refuse a row weight that is not a positive number of at most
    `MAX_WEIGHT` (True is no weight)."""
    if not (
        isinstance(weight, float | int)
        and not isinstance(weight, bool)
        and 0 < weight <= MAX_WEIGHT
    ):
        raise ParameterError(
            f"weight must be a positive number, at most {MAX_WEIGHT:g}, got {weight!r}"
        )


def _check_limit(limit: object) -> None:
    """Refuse a `limit` that is neither None nor a positive int."""
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 1):
        raise ParameterError(f"limit must be a positive int or None, got {limit!r}")


def _check_chars(min_chars: Any, max_chars: Any) -> None:
    """Refuse text lengths that are not whole numbers >= 0, or that no text has."""
    for name, value in (("min_chars", min_chars), ("max_chars", max_chars)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ParameterError(f"{name} must be a whole number >= 0, got {value!r}")
    if min_chars > max_chars:
        raise ParameterError(
            f"min_chars={min_chars} is over max_chars={max_chars}: no text would be kept"
        )


def _check_sources(sources: Sequence[str], allowed: Mapping[str, object]) -> None:
    """Refuse `sources` that are not keys of `allowed`, one str, or that name
    a source twice (its rows would be read twice: ids repeated, texts counted
    twice)."""
    _check_names("sources", "source", sources, allowed)
    names = list(sources)
    twice = list(dict.fromkeys(s for i, s in enumerate(names) if s in names[:i]))
    if twice:
        raise ParameterError(
            f"{plural(len(twice), 'source')} named twice: {', '.join(twice)}; name each once"
        )


def _check_names(param: str, kind: str, given: object, allowed: Iterable[str]) -> None:
    """Refuse `given`, the value of `param`, unless it is a sequence of the
    names of `allowed`, each a `kind`."""
    allowed = list(allowed)
    if isinstance(given, str):  # not its letters, each an unknown name
        raise ParameterError(
            f"{param} must be a sequence of {kind} names, not one str: "
            f"{param}=[{shown(given)}]; allowed: {', '.join(allowed)}"
        )
    if not isinstance(given, Sequence):  # a generator would be used up here, None no names
        raise ParameterError(
            f"{param} must be a sequence of {kind} names, got {type(given).__name__}; "
            f"allowed: {', '.join(allowed)}"
        )
    bad = [name for name in given if name not in allowed]
    if bad:
        raise ParameterError(
            f"unknown {plural(len(bad), kind)} {names_shown(bad)}; allowed: {', '.join(allowed)}"
        )


def _check_seed(random_state: object) -> None:
    from triage.model import check_seed

    check_seed(random_state)


def _check_flag(name: str, value: object) -> None:
    """Refuse a flag that is not a bool: ``"no"`` would be true."""
    import numpy as np

    if not isinstance(value, bool | np.bool_):
        raise ParameterError(f"{name} must be True or False, got {value!r}")


def data_dir() -> Path:
    """The shared data folder.

    ``$TRIAGE_DATA_DIR`` if set; else the first ``shared/data`` folder found
    from the working directory upwards, so ``../shared/data`` beside a
    checkout is found from the checkout or any folder in it (``notebooks/``)
    whether the package is installed or run from source; else
    ``../shared/data`` beside the source tree when the package runs from a
    checkout, or of the working directory when it is installed (its source
    tree is then ``site-packages``, beside which no data is), the folder an
    error then names.

    >>> (data_dir() / "raw" / "SOURCES.md").name
    'SOURCES.md'
    """
    env = os.environ.get("TRIAGE_DATA_DIR")
    if env:
        return Path(user_path(env))
    try:
        here = Path.cwd()
    except OSError:  # a working directory removed since: none to search from
        bases: tuple[Path, ...] = ()
    else:
        bases = (here, *here.parents)
    for base in bases:
        found = base / "shared" / "data"
        if found.is_dir():
            return found
    if bases and not (_REPO / "pyproject.toml").is_file():
        # installed: the source tree is site-packages, beside which no data is
        return bases[0].parent / "shared" / "data"
    return _REPO.parent / "shared" / "data"


_data_dir = data_dir  # the parameter of load_weak_emotions shadows the name


def _read_raw(
    data_dir: str | os.PathLike[str] | None, name: str, relative: str, columns: Sequence[str]
) -> pd.DataFrame:
    """The columns `columns` of the raw file `relative` under ``<data_dir>/raw``
    (`data_dir()` when None), as strings.

    A missing file raises `FileNotFoundError`; a file that is not UTF-8 CSV
    with those columns raises `ValueError`. Both name the file, and the first
    says what to set: the folder given, ``$TRIAGE_DATA_DIR`` when it named the
    folder, or either.
    """
    import pandas as pd

    root = Path(user_path(data_dir, "data_dir")) if data_dir is not None else _data_dir()
    path = root / "raw" / relative
    if not path.is_file():
        shared = "the shared data folder, the one holding raw/"
        if data_dir is not None:  # TRIAGE_DATA_DIR is not read then: setting it would not help
            fix = f"data_dir= (CLI: --corpus) must be {shared}"
        elif os.environ.get("TRIAGE_DATA_DIR"):
            fix = (
                f"TRIAGE_DATA_DIR names {root}, which must be {shared} "
                "(or pass data_dir=; CLI: --corpus)"
            )
        else:
            fix = "set TRIAGE_DATA_DIR (or pass data_dir=; CLI: --corpus) to " + shared
        if (root / relative).is_file():
            fix += f"; {root} is the raw folder itself: give its parent"
        raise FileNotFoundError(f"no {name} file at {path}; {fix}")
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputFileError(f"the {name} file {path} is not UTF-8: {exc}") from exc
    except pd.errors.EmptyDataError as exc:
        raise InputFileError(f"the {name} file {path} is empty") from exc
    except pd.errors.ParserError as exc:
        raise InputFileError(f"the {name} file {path} is not a readable CSV: {exc}") from exc
    missing = [c for c in columns if c not in raw.columns]
    if missing:
        raise ColumnError(
            f"the {name} file {path} has no column {', '.join(map(repr, missing))}; "
            f"it has {', '.join(map(str, raw.columns))}"
        )
    return raw[list(columns)]


def load_weak_emotions(
    data_dir: str | os.PathLike[str] | None = None,
    *,
    source: str = "smp2020",
    emotions: Sequence[str] = ("angry", "anxious"),
    limit: int | None = None,
    weight: float = 0.2,
    exclude: Iterable[str] | None = None,
    min_chars: int = 4,
    max_chars: int = 400,
    random_state: int = 0,
) -> pd.DataFrame:
    """Weakly labeled emotion rows from a public Weibo emotion set.

    Parameters
    ----------
    data_dir : path-like, optional
        The shared data folder (holding ``raw/``); `data_dir()` when omitted.
    source : {"smp2020", "nlpcc2013"}, default "smp2020"
    emotions : sequence of str, default ("angry", "anxious")
        Emotion columns to fill from the mapping (see the module docstring);
        the other emotions stay unknown. Rows that end up with no known
        emotion are dropped.
    limit : int, optional
        At most this many rows per source label, drawn at random (keeps the
        big classes from swamping the small ones, and training fast).
    weight : float, default 0.2
        Sample weight of every row relative to a labeled row.
    exclude : iterable of str, optional
        Texts to leave out: pass the texts of your train and dev files. They
        are compared as the model sees them (`triage.labeled.model_texts`),
        so a copy written with other punctuation width, runs of spaces,
        invisible characters or traditional characters is left out too.
    min_chars, max_chars : int, default 4 and 400
        Keep texts of this length (after stripping): ints, 0 <= min_chars
        <= max_chars.
    random_state : int, default 0
        Seed of the `limit` draw.

    Returns
    -------
    DataFrame
        Columns ``text``, the five emotion columns (``"0"``, ``"1"`` or ``""``
        for unknown), ``weight``, ``source`` and ``source_label``; a text
        repeated (as the model reads it, `triage.labeled.model_texts`) appears
        once, and not at all if its copies have different labels.

    Raises
    ------
    FileNotFoundError
        The raw file is not there; the message says where it was looked for.
    triage.InputFileError, triage.ColumnError
        The raw file is not UTF-8 CSV, or lacks an expected column; the
        message names it (both are `ValueError`).
    triage.ParameterError
        An unknown source or emotion, `emotions` of which no source label
        says anything (``()``, ``["humorous"]``), a bad weight, limit or seed,
        `min_chars` or `max_chars` that are no whole numbers >= 0 or keep no
        length, an `exclude` that is no collection of texts (one str, a
        DataFrame: pass ``[*train["text"], *dev["text"]]``), or a `data_dir`
        that is no path (bytes, a number).
    """
    import pandas as pd

    if source not in WEAK_SOURCES:
        raise ParameterError(f"unknown source {source!r}; allowed: {', '.join(WEAK_SOURCES)}")
    _check_names("emotions", "emotion", emotions, EMOTION_COLUMNS)
    mapped = [e for e in EMOTION_COLUMNS if any(e in m for m in WEAK_MAPPINGS[source].values())]
    if not any(e in mapped for e in emotions):
        asked = list(emotions)
        raise ParameterError(
            f"no label of {source} says anything of the {plural(len(asked), 'emotion')} "
            f"{asked!r}, so no row would be kept; the ones it fills: {', '.join(mapped)}"
        )
    _check_weight(weight)
    _check_limit(limit)
    _check_seed(random_state)
    _check_chars(min_chars, max_chars)

    # compared normalised, as the model reads them: a labeled text written with
    # other punctuation width, spacing or traditional characters is the same
    skip = excluded_texts(exclude)

    relative, text_col, label_col = WEAK_SOURCES[source]
    raw = _read_raw(data_dir, source, relative, [text_col, label_col])
    texts = raw[text_col].str.strip()
    lengths = texts.str.len()
    mapping = WEAK_MAPPINGS[source]
    frame = pd.DataFrame({"text": texts, "source_label": raw[label_col].str.strip()})
    keep = (
        (lengths >= min_chars) & (lengths <= max_chars) & frame["source_label"].isin(list(mapping))
    )
    frame = frame[keep]
    # copies are compared as the model reads them (normalising only the rows
    # the other filters keep): 有木有啊！！ and 有木有啊!! are one text
    key = pd.Series(model_texts(frame["text"]), frame.index)
    wanted = ~key.isin(skip)
    frame, key = frame[wanted], key[wanted]
    # a text seen with two labels is ambiguous: drop all its copies
    labels_per_text = frame.groupby(key)["source_label"].transform("nunique")
    frame = frame[(labels_per_text == 1) & ~key.duplicated()]
    for e in EMOTION_COLUMNS:
        values = {lbl: str(m[e]) for lbl, m in mapping.items() if e in m and e in emotions}
        frame[e] = [values.get(lbl, "") for lbl in frame["source_label"].tolist()]
    known = (frame[list(EMOTION_COLUMNS)] != "").any(axis=1)
    frame = frame[known]
    if limit is not None:
        frame = frame.groupby("source_label", group_keys=False, sort=True).sample(
            frac=1.0, random_state=random_state
        )
        frame = frame.groupby("source_label", sort=True).head(limit)
    frame = frame.sort_index(kind="stable")
    out = frame[["text", *EMOTION_COLUMNS]].reset_index(drop=True)
    out["weight"] = float(weight)
    out["source"] = source
    out["source_label"] = frame["source_label"].to_numpy()
    logger.info("%d weakly labeled rows from %s", len(out), source)
    return out


def load_reviews(
    data_dir: str | os.PathLike[str] | None = None,
    *,
    sources: Sequence[str] = ("waimai_10k",),
    negative_only: bool = True,
    limit: int | None = None,
    random_state: int = 0,
) -> pd.DataFrame:
    """Unlabeled reviews from the public review sets, e.g. as a pool to label from.

    Parameters
    ----------
    data_dir : path-like, optional
        The shared data folder (holding ``raw/``); `data_dir()` when omitted.
    sources : sequence of str, default ("waimai_10k",)
        Any of `REVIEW_SOURCES`, each once.
    negative_only : bool, default True
        Keep the reviews labeled negative (``label == 0``), where the
        complaints are.
    limit : int, optional
        At most this many rows per source, drawn at random.
    random_state : int, default 0

    Returns
    -------
    DataFrame
        Columns ``id`` (``<source>-<row>``, as in the shared labeled files),
        ``source`` and ``text``; blank texts are dropped.
    """
    import pandas as pd

    _check_sources(sources, REVIEW_SOURCES)
    _check_flag("negative_only", negative_only)
    _check_limit(limit)
    _check_seed(random_state)
    parts = []
    for name in sources:
        relative, text_col, id_name = REVIEW_SOURCES[name]
        raw = _read_raw(data_dir, name, relative, [text_col, "label"])
        frame = pd.DataFrame(
            {
                "id": [f"{id_name}-{i}" for i in range(len(raw))],
                "source": id_name,
                "text": raw[text_col].str.strip(),
            }
        )
        keep = frame["text"] != ""
        if negative_only:
            keep &= raw["label"].str.strip() == "0"
        frame = frame[keep]
        if limit is not None and len(frame) > limit:
            frame = frame.sample(n=limit, random_state=random_state).sort_index()
        parts.append(frame)
    return pd.concat(parts, ignore_index=True)


def load_praise(
    data_dir: str | os.PathLike[str] | None = None,
    *,
    weight: float = 1.0,
    limit: int | None = 1500,
    exclude: Iterable[str] | None = None,
    random_state: int = 0,
) -> pd.DataFrame:
    """Short positive reviews, as weak rows of texts that complain about nothing.

    The labeled complaints hold almost no praise, so the category heads take
    a category's words for a complaint about it: 快递很快，包装也很好，好评
    read as logistics, and so did most short positive reviews of the public
    sets. The reviews their sets label positive (``label == 1`` in
    `REVIEW_SOURCES`) that are 4 to 60 characters long and hold no word of
    contrast, negation, hedging or complaint (但, 就是, 不, 没, 有点 ... see
    `_NOT_PRAISE`: 送餐有点慢 and 就是贵了点 are left out) are such praise.
    Each becomes a row with ``complaint`` 0: it trains the complaint head of
    `triage.TriageModel` (see ``min_complaint_proba``) and no other. Pass the
    frame as ``extra=`` to `triage.train` (``triage train --praise``).

    Parameters
    ----------
    data_dir : path-like, optional
        The shared data folder (holding ``raw/``); `data_dir()` when omitted.
    weight : float, default 1.0
        Sample weight of every row relative to a labeled row.
    limit : int or None, default 1500
        At most this many reviews per source, drawn at random: some 3,300 in
        all, as ``triage train --praise`` reads them (None: all of them,
        some 8,400).
    exclude : iterable of str, optional
        Texts to leave out, compared as the model sees them (pass the texts
        of your labeled files).
    random_state : int, default 0
        Seed of the draw.

    Returns
    -------
    DataFrame
        Columns ``text``, ``complaint`` (``"0"``), ``weight``, ``source``
        (the id name of its set, as in the shared labeled files) and
        ``source_label`` (``positive``); one row per review distinct as the
        model reads it (`triage.labeled.model_texts`), the
        sources in the order of `REVIEW_SOURCES` and each in the order of its file.

    Raises
    ------
    FileNotFoundError
        A raw file is not there; the message says where it was looked for.
    triage.InputFileError, triage.ColumnError
        A raw file is not UTF-8 CSV, or lacks its columns.
    triage.ParameterError
        A bad weight, limit or seed, or an `exclude` that is no collection of texts.
    """
    import pandas as pd

    _check_weight(weight)
    _check_limit(limit)
    _check_seed(random_state)
    skip = excluded_texts(exclude)
    lo, hi = _PRAISE_CHARS
    parts = []
    # copies are compared as the model reads them (很快，很好 is 很快,很好),
    # and a review in two sets is the first set's
    seen = set(skip)
    for name, (relative, text_col, id_name) in REVIEW_SOURCES.items():
        raw = _read_raw(data_dir, name, relative, [text_col, "label"])
        text = raw[text_col].str.strip()
        keep = (raw["label"].str.strip() == "1") & text.str.len().between(lo, hi)
        texts = text[keep & ~text.str.contains(_NOT_PRAISE)]
        key = pd.Series(model_texts(texts), texts.index)
        texts = texts[~key.duplicated() & ~key.isin(seen)]
        seen.update(key)
        if limit is not None and len(texts) > limit:
            texts = texts.sample(n=limit, random_state=random_state).sort_index()
        parts.append(pd.DataFrame({"text": texts.tolist(), "source": id_name}))
    out = pd.concat(parts, ignore_index=True)
    out.insert(1, "complaint", "0")
    out.insert(2, "weight", float(weight))
    out["source_label"] = "positive"
    logger.info("%d short positive reviews", len(out))
    return out


def load_calm_chats(
    data_dir: str | os.PathLike[str] | None = None,
    *,
    weight: float = 0.3,
    exclude: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Turns of customer-service chats, as weak rows that show no anger and no grievance.

    The labeled complaints are reviews and posts written to complain, so a
    plain message to customer service (请问发票怎么开, 能帮我改一下地址吗,
    谢谢，问题解决了) is unlike anything the emotion heads learned from: it
    read angry, and a thanks aggrieved. The turns of real Taobao chats
    between buyers and shop staff (the E-commerce Dialogue Corpus sample
    under ``raw/``: shipping, price changes, addresses, returns) are such
    messages. Almost all are calm, so each is a row with ``angry``,
    ``aggrieved`` and ``humorous`` absent, the other two unknown: a how-to
    question is confusion by the label definitions, and whether an asked
    date is anxiety the chats cannot say. A turn with laughter or irony in
    it (呵呵, 我也是醉了, 好坑爹) leaves ``humorous`` unknown too. Pass the
    frame as ``extra=`` to `triage.train` (``triage train --calm-chats``).

    Parameters
    ----------
    data_dir : path-like, optional
        The shared data folder (holding ``raw/``); `data_dir()` when omitted.
    weight : float, default 0.3
        Sample weight of every row relative to a labeled row.
    exclude : iterable of str, optional
        Texts to leave out, compared as the model sees them (pass the texts
        of your labeled files).

    Returns
    -------
    DataFrame
        Columns ``text``, the five emotion columns (``"0"`` for angry,
        aggrieved and humorous, ``""`` for the others and for the humour of
        a turn that laughs), ``weight``, ``source``
        (``ecd_taobao``) and ``source_label`` (``chat``); one row a turn of
        at least two characters, distinct as the model reads it
        (`triage.labeled.model_texts`), in the order of the file.
        The corpus's texts are cut into words by spaces; the spaces beside
        Chinese characters are taken out (``什么 时候 发货`` is
        ``什么时候发货``), those between Latin letters and digits kept.

    Raises
    ------
    FileNotFoundError
        The raw file is not there; the message says where it was looked for.
    triage.InputFileError, triage.ColumnError
        The raw file is not UTF-8 CSV, or lacks its columns.
    triage.ParameterError
        A bad weight, or an `exclude` that is no collection of texts.
    """

    import pandas as pd

    _check_weight(weight)
    skip = excluded_texts(exclude)
    relative, context, response = CHAT_SOURCE
    raw = _read_raw(data_dir, "customer-service chat", relative, [context, response])
    joined = re.compile(r"(?<=[^\x00-\x7f]) +| +(?=[^\x00-\x7f])")
    turns = []
    for chat, reply in zip(raw[context].tolist(), raw[response].tolist(), strict=True):
        for turn in [*chat.split(_TURNS), reply]:
            text = joined.sub("", turn.strip())
            if len(text) >= 2:
                turns.append(text)
    # in order, once each as the model reads them, and none of `exclude`
    texts: dict[str, str] = {}
    for text, key in zip(turns, model_texts(turns), strict=True):
        if key not in skip:
            texts.setdefault(key, text)
    out = pd.DataFrame({"text": list(texts.values())})
    for e in EMOTION_COLUMNS:
        out[e] = "0" if e in _CALM else ""
    out.loc[out["text"].str.contains(_IRONY), "humorous"] = ""
    out["weight"] = float(weight)
    out["source"] = "ecd_taobao"
    out["source_label"] = "chat"
    logger.info("%d calm chat turns", len(out))
    return out
