"""The ``triage`` command: thin wrappers over the library's functions.

triage analyze "快递一周还没到，客服也不回"       one complaint, JSON out
triage score complaints.csv -o scored.parquet    a file, in chunks
triage score complaints.csv.xz -o scored.csv.gz  compressed, in and out
triage train train.csv --dev dev.csv -o models/mine
triage evaluate dev.csv --model models/mine
triage check train.csv dev.csv                   every problem of labeled files
"""

from __future__ import annotations

import argparse
import codecs
import contextlib
import csv
import errno
import functools
import io
import itertools
import json
import logging
import math
import os
import shlex
import signal
import stat
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, cast

from triage._words import counted
from triage.exceptions import TriageWarning

if TYPE_CHECKING:
    from types import TracebackType

    from triage._io import Options, PartWritten
    from triage.evaluation import Calibration, Evaluation

__all__ = ["main"]

logger = logging.getLogger("triage.cli")


def _fig(value: float) -> str:
    # imported here: evaluation imports numpy, which `triage --help` need not wait for
    from triage.evaluation import figure_text

    return figure_text(value)


def _model(path: str | None) -> Any:
    if path is None:
        return None
    from triage.persist import load_model

    return load_model(path)


def _policy(path: str | None) -> Any:
    if path is None:
        return None
    from triage.priority import load_policy

    return load_policy(path)


def _decode(data: bytes) -> str:
    """A complaint's bytes as text, told as a file's are (`detect_encoding`).

    A byte-order mark names UTF-8, UTF-16 or UTF-32 (a text saved as
    "Unicode" by Notepad); else UTF-8, also with a few corrupt bytes (a paste
    cut inside a character), which are read as U+FFFD with a warning; else
    GB18030 (a GBK terminal or pipe) or Big5 (a terminal of Taiwan's
    Windows), rather than undecodable surrogates.
    """
    from triage._io import _BOMS, gb_or_big5, mostly_utf8

    encoding = next((e for bom, e in _BOMS if data.startswith(bom)), None)
    if encoding is not None:
        return data.decode(encoding, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("utf-8", errors="replace")
    if mostly_utf8(text):  # as a file is told
        # a U+FFFD the text held, as UTF-8, is no byte read as one
        bad = text.count("\ufffd") - data.count("\ufffd".encode())
        verb = "is" if bad == 1 else "are"
        warnings.warn(
            f"{counted(bad, 'byte sequence')} of the text {verb} not UTF-8 and {verb} "
            "read as U+FFFD",
            TriageWarning,
            stacklevel=2,
        )
        return text
    if gb_or_big5(data) == "cp950":
        return data.decode("cp950", errors="replace")
    return data.decode("gb18030", errors="triage.replace")  # 0x80 as Excel's €


def _read_stdin() -> bytes:
    """The bytes of a text piped to ``triage analyze -``: enough of them for
    every character the analysis reads (`triage.text.prepare`: four bytes a
    character at most, in UTF-8, GB18030 or UTF-32), the rest read and
    dropped, so that memory stays flat however much is piped in."""
    from triage.text import _MARKUP_CAP

    keep = 4 * (_MARKUP_CAP + 2)
    data = sys.stdin.buffer.read(keep)
    if len(data) < keep:
        return data
    while sys.stdin.buffer.read(1 << 20):
        pass
    # a UTF-8 character the cut split is dropped whole, not read as U+FFFD
    # with a warning: its continuation bytes, then the byte that starts it
    end = len(data)
    while end > keep - 3 and data[end - 1] & 0xC0 == 0x80:
        end -= 1
    return data[: end - 1] if data[end - 1] >= 0xC0 else data[:end]


def cmd_analyze(args: argparse.Namespace) -> int:
    from triage.api import analyze
    from triage.priority import Context
    from triage.results import duration

    # a channel or tier typed in GBK (微博 in a script saved as GBK), its bytes
    # held by Python as surrogates, is read as the text is: it raised a
    # UnicodeEncodeError in the normaliser; a byte no encoding reads is U+FFFD
    with warnings.catch_warnings():  # the warning would speak of the text
        warnings.simplefilter("ignore", TriageWarning)
        channel, tier = (
            None if v is None else _decode(os.fsencode(v)) for v in (args.channel, args.tier)
        )
    context = Context(recent_complaints=args.recent, channel=channel, customer_tier=tier)
    # before stdin is read: a bad policy or model is named at once, not after
    # a pipe is drained
    policy = _policy(args.policy)
    _warn_unmatched(context, policy)
    model = _model(args.model)
    raw = _read_stdin() if args.text == "-" else os.fsencode(args.text)
    text = _decode(raw)
    result = analyze(text, model=model, context=context, policy=policy)
    why = []
    if args.explain:
        from triage.api import explain
        from triage.labels import Emotion

        # the categories that apply, primary first, then the emotions present
        explained = explain(text, model=model, top=5 if args.terms is None else args.terms)
        why = [explained[c] for c in result.categories]
        why += [e for e in explained.values() if isinstance(e.label, Emotion) and e.applies]
    if args.format == "json":
        out = result.to_dict()
        if args.explain:
            out["explanation"] = [e.to_dict() for e in why]
        print(_json_text(out))
        return 0
    cats = (
        ", ".join(f"{c}({result.category_probabilities[c]:.2f})" for c in result.categories) or "-"
    )
    emos = ", ".join(f"{e}={v}" for e, v in result.emotions.items() if v) or "-"
    print(
        f"priority   {result.priority} ({result.priority.zh})  "
        f"respond within {duration(result.deadline_minutes, english=True)}"
    )
    print(f"route      {result.route}")
    print(f"primary    {result.primary or '-'}")
    print(f"categories {cats}")
    if result.complaint_probability is not None:  # a predictor without the head has none
        print(f"complaint  {result.complaint_probability:.2f}")
    print(f"emotions   {emos}")
    print(f"sentiment  {result.sentiment:.2f}")
    # the flags of the JSON output, when set: what the lines above rest on
    if result.low_confidence:
        print(
            "flag       low_confidence: nothing the model learned applies, so no category "
            "or emotion; the priority is the rules' alone"
        )
    if result.truncated:
        from triage.text import _RAW_CAP

        # the rules read on past the model's cut, but not past the text's
        # first _RAW_CAP characters: a threat at the end of a pasted page is unread
        print(
            f"flag       truncated: the model read the first {len(result.text)} characters "
            f"of the normalised text; the priority rules read on, up to {_RAW_CAP:,} "
            "characters (markup and blank padding not counted)"
        )
    for r in result.reasons:
        spans = "; ".join(f"'{e.text}'@{e.start}" for e in r.evidence)
        print(
            f"reason     [{r.level}] {r.code}: {r.zh} / {r.en}" + (f"  ({spans})" if spans else "")
        )
    for e in why:
        # quoted, as the reasons' evidence is: a term may hold a comma ("到,")
        terms = ", ".join(f"'{t.term}' {t.weight:+.2f}" for t in e.terms) or "-"
        print(f"why        {e.label}: {terms}")
    if args.explain and not why:  # asked for, and said: nothing applies to explain
        print("why        -")
    return 0


def _warn_unmatched(context: Any, policy: Any) -> None:
    """Warn of a --channel or --tier that matches no key of the policy: it
    sets no floor, rightly for a channel the policy does not rank (电话), while
    金卡 where the policy says vip would miss its floor unsaid. Said here, by
    its option, before stdin is read; `triage.analyze` says it no more."""
    from triage.priority import _warn_unmatched, default_policy

    _warn_unmatched(
        context, policy if policy is not None else default_policy(), named=("--channel", "--tier")
    )


def _json_text(data: Any) -> str:
    """`data` as JSON for stdout: its characters as they are, or, when the
    encoding of stdout cannot write them all (PYTHONIOENCODING=ascii, a
    latin-1 locale), \\u escapes, which are strict JSON too."""
    text = json.dumps(data, ensure_ascii=False, indent=2)
    try:
        text.encode(getattr(sys.stdout, "encoding", None) or "utf-8")
    except (UnicodeEncodeError, LookupError):
        return json.dumps(data, indent=2)
    return text


def render_evaluation(ev: Evaluation, title: str = "") -> str:
    """A plain-text per-label report of an evaluation: the tables and figures
    of the heads evaluated, then the heads that were not, and why."""
    lines = [title] if title else []
    fmt = "{:<13}{:>10}{:>8}{:>8}{:>9}"
    for name, table in (
        ("category", getattr(ev, "categories", None)),
        ("emotion", getattr(ev, "emotions", None)),
        ("priority", getattr(ev, "priority", None)),
    ):
        if table is None:  # a head the labeled file does not label
            continue
        # emotions also show how often the intensity 0, 1 or 2 is exactly right
        exact = "intensity_accuracy" in table.columns
        head = fmt.format(name, "precision", "recall", "f1", "support")
        lines.append(f"{head}{'intensity':>11}" if exact else head)
        for label, row in table.iterrows():
            line = fmt.format(
                str(label),
                _fig(row["precision"]),
                _fig(row["recall"]),
                _fig(row["f1"]),
                int(row["support"]),
            )
            lines.append(f"{line}{_fig(row['intensity_accuracy']):>11}" if exact else line)
        lines.append("")
    s = ev.summary(places=None)  # each figure rounded once, as the tables' are
    figures = [
        f"category macro-F1 {_fig(s['category_macro_f1'])}" if "category_macro_f1" in s else "",
        f"primary accuracy {_fig(s['primary_accuracy'])} (n={ev.primary_support})"
        if "primary_accuracy" in s
        else "",
        f"emotion macro-F1 {_fig(s['emotion_macro_f1'])}" if "emotion_macro_f1" in s else "",
    ]
    if any(figures):
        lines.append("   ".join(part for part in figures if part))
    if "priority_accuracy" in s:
        lines.append(
            f"priority accuracy {_fig(s['priority_accuracy'])}   "
            f"P1 recall {_fig(s['p1_recall'])}   P1 precision {_fig(s['p1_precision'])}   "
            f"P1 labeled, predicted P4: {int(s['p1_as_p4'])}"
        )
    if ev.not_evaluated:  # no figure, rather than a 0 or an n/a
        lines.append(
            "not evaluated: "
            + "; ".join(f"{head} ({why})" for head, why in ev.not_evaluated.items())
        )
    lines.extend(_undefined_notes(ev))
    return "\n".join(lines)


def render_calibration(cal: Calibration) -> str:
    """A plain-text table of how far each of a model's probabilities is one."""
    fmt = "{:<13}{:>6}{:>8}{:>8}{:>8}{:>8}{:>10}"
    lines = [fmt.format("probability", "rows", "rate", "mean", "ECE", "Brier", "of rate")]
    for label, row in cal.labels.iterrows():
        lines.append(
            fmt.format(
                str(label),
                int(row["rows"]),
                *(f"{row[k]:.3f}" for k in ("rate", "mean_proba", "ece", "brier", "brier_of_rate")),
            )
        )
    lines.append(
        f"ECE: expected calibration error over {cal.n_bins} bins of "
        + ("about as many rows each" if cal.strategy == "quantile" else "equal width")
        + ";\nBrier: the mean squared gap to the label, beside that of giving every row the rate"
    )
    return "\n".join(lines)


def _undefined_notes(ev: Evaluation) -> list[str]:
    """What each n/a of the tables stands for, by label: a model that never
    predicts a label (its head given one class by the training labels, say)
    shows n/a for its precision, and the macro precision leaves it out; so
    for the recall of a label no row has, and the F1 of a label neither
    labeled nor predicted (which scikit-learn's default scores 0)."""
    never: list[str] = []
    unlabeled: list[str] = []
    neither: list[str] = []
    for name, table in (
        ("category", getattr(ev, "categories", None)),
        ("emotion", getattr(ev, "emotions", None)),
        ("priority", getattr(ev, "priority", None)),
    ):
        if table is None:
            continue
        labels = table.drop(index="macro")
        for out, column in ((never, "precision"), (unlabeled, "recall"), (neither, "f1")):
            missing = [str(label) for label in labels.index[labels[column].isna()]]
            if missing:
                out.append(f"{name} {', '.join(missing)}")
    notes = []
    if never:
        notes.append(
            f"precision n/a: never predicted on these rows ({'; '.join(never)}), "
            "left out of the macro precision"
        )
    if unlabeled:
        notes.append(
            f"recall n/a: no row labeled so ({'; '.join(unlabeled)}), left out of the macro recall"
        )
    if neither:
        notes.append(
            f"F1 n/a: neither labeled nor predicted ({'; '.join(neither)}), "
            "left out of the macro F1"
        )
    return notes


def _check_words_file(words: str) -> None:
    """``--words`` names a file: said by the option, where `read_words` named
    ``words=`` and offered a Python list of words, which a command line cannot give."""
    from triage._paths import user_path
    from triage.exceptions import ParameterError

    path = Path(user_path(words))
    if path.is_dir():
        raise ParameterError(f"--words {words} is a folder; name the user dictionary file in it")
    if not path.is_file():
        raise ParameterError(
            f"--words {words} names no file; give the path of a user dictionary, "
            "one 'word [freq] [tag]' a line"
        )


def cmd_train(args: argparse.Namespace) -> int:
    from triage.evaluation import evaluate
    from triage.exceptions import ParameterError
    from triage.lexicon import LexiconModel
    from triage.model import TriageModel
    from triage.persist import check_destination, save_model
    from triage.text import read_words
    from triage.training import train

    # everything that can be wrong with the input is found before minutes of
    # training: the output and the options first, before the labeled files are read
    check_destination(args.output, overwrite=args.overwrite)
    _check_encoding(args.encoding)
    if args.corpus_encoding is not None:  # its error names it, as read_texts's do
        from triage.vectors import _OPTIONS

        _check_encoding(args.corpus_encoding, _OPTIONS)
    params: dict[str, Any] = {"n_jobs": args.jobs}
    if args.C is not None:
        params["C"] = args.C
    if args.words is not None:
        params["words"] = args.words
        _check_words_file(args.words)
        with warnings.catch_warnings():  # said once, by the fit
            warnings.simplefilter("ignore")
            read_words(args.words)  # a bad entry fails now, not after the word vectors
    TriageModel(random_state=args.seed, **params)._check_params()
    frame = _read_valid(args.train, args.encoding)
    dev = _read_valid(args.dev, args.encoding, use="triage train --dev") if args.dev else None
    if dev is not None:
        from triage.labeled import model_texts

        trained = set(model_texts(frame["text"].tolist()))
        _warn_shared_texts(args.dev, model_texts(dev["text"].tolist()), args.train, trained)
    extra = None
    weak_rows: list[Any] = []
    said: list[str] = []
    labeled = frame["text"].tolist() + ([] if dev is None else dev["text"].tolist())
    # read now: a missing file fails before minutes of training
    if args.calm_chats:
        from triage.weak import load_calm_chats

        weak_rows.append(load_calm_chats(args.corpus, exclude=labeled))
        said.append(counted(len(weak_rows[-1]), "calm chat turn"))
    if args.praise:
        from triage.weak import load_praise

        weak_rows.append(load_praise(args.corpus, exclude=labeled))
        said.append(counted(len(weak_rows[-1]), "short positive review"))
    if weak_rows:
        import pandas as pd

        extra = pd.concat(weak_rows, ignore_index=True)
    started = time.perf_counter()
    if args.corpus or args.corpus_file:
        from triage.vectors import fit_word_vectors, read_corpus, read_texts

        # the labeled texts stay out of the corpus, so the dev figures are clean
        held_out = frame["text"].tolist()
        if dev is not None:
            held_out += dev["text"].tolist()
        own: Iterable[str] = ()
        if args.corpus_file:  # read as it is learned from: it may hold millions
            texts = functools.partial(
                read_texts,
                args.corpus_file,
                text_column=args.corpus_column or "text",
                encoding=args.corpus_encoding,
                exclude=held_out,
            )
            # a file without the column fails now, not minutes in; its
            # warnings are given once, by the reading that learns from it
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                first = next(texts(), None)
                # none at all, or only labeled ones
                labeled_only = first is None and next(texts(exclude=()), None) is not None
            if labeled_only:
                raise ParameterError(
                    f"the corpus file {args.corpus_file} holds no text but those of the "
                    "labeled files, which are left out of the word vectors so that the dev "
                    "figures stay clean; give a file of other, unlabeled texts"
                )
            if first is None:
                raise ParameterError(
                    f"the corpus file {args.corpus_file} holds no text: its column "
                    f"{args.corpus_column or 'text'!r} is empty in every row; give a file of "
                    "unlabeled texts (--corpus-column names the column holding them)"
                )
            own = texts()
        public = read_corpus(args.corpus, exclude=held_out) if args.corpus else []
        with warnings.catch_warnings():  # words jieba cannot keep whole: said by the fit
            warnings.filterwarnings("ignore", ".*can never be cut whole", UserWarning)
            vectors = fit_word_vectors(
                # a list alone: an iterator that gives no text is told to be read again
                itertools.chain(public, own) if args.corpus_file else public,
                words=args.words,
                random_state=args.seed,
                n_jobs=args.jobs,
            )
        params["word_vectors"] = vectors
        of = " and ".join(p for p in (args.corpus, args.corpus_file) if p)
        print(
            _visible(
                f"word vectors from {counted(vectors.params['n_texts'], 'unlabeled text')} of {of} "
                f"in {time.perf_counter() - started:.1f} s"
            ),
            file=sys.stderr,
        )
    model = train(frame, random_state=args.seed, extra=extra, **params)
    seconds = time.perf_counter() - started
    also = "".join(f" and {x}" for x in said)
    print(
        _visible(
            f"trained on {counted(len(frame), 'row')} of {args.train}{also} in {seconds:.1f} s"
        ),
        file=sys.stderr,
    )
    metrics: dict[str, Any] = {}
    if dev is not None:
        from triage.sentiment import compare_with_snownlp

        preds = model.predict_many(dev["text"].tolist())
        ev = evaluate(model, dev, predictions=preds)
        base = evaluate(LexiconModel(), dev)
        metrics = {
            "dev": ev.to_dict(),
            "lexicon_baseline_dev": base.to_dict(),
            "sentiment_vs_snownlp_dev": compare_with_snownlp(
                dev["text"].tolist(), preds.sentiment.tolist()
            ),
            "dev_file": Path(args.dev).name,
        }
    notes = {
        "train_file": Path(args.train).name,
        "seed": args.seed,
        "train_seconds": round(seconds, 1),
    }
    # where the word vectors came from (their card entry has the corpus's fingerprint)
    if args.corpus:
        notes["corpus"] = Path(args.corpus).name
    if args.corpus_file:
        notes["corpus_file"] = Path(args.corpus_file).name
        notes["corpus_column"] = args.corpus_column or "text"
    # the card's training_data has the extra rows' count and fingerprint
    if args.calm_chats:
        notes["calm_chats"] = True
    if args.praise:
        notes["praise"] = True
    # saved before the report is printed: a reader of stdout that went away
    # (| head) or a full disk must not cost the trained model
    out = save_model(model, args.output, metrics=metrics, notes=notes, overwrite=args.overwrite)
    if dev is not None:
        print(render_evaluation(ev, f"model on {args.dev}"))
        print()
        b = base.summary(places=None)
        print(
            f"lexicon baseline on {args.dev}: category macro-F1 {_fig(b['category_macro_f1'])}   "
            f"primary accuracy {_fig(b['primary_accuracy'])}   "
            f"emotion macro-F1 {_fig(b['emotion_macro_f1'])}"
        )
    print(_visible(f"saved to {out}"), file=sys.stderr)
    return 0


def _warn_shared_texts(
    path: str, texts: list[str], other: str, theirs: set[str], lines: list[int] | None = None
) -> None:
    """Warn of the texts of `path` (as the model reads them, `model_texts`)
    that `other` holds too (`theirs`), naming their `lines` where given: a
    model trained on one file and measured on the other is flattered by them
    (a training file's texts in its dev file)."""
    shared = [i for i, t in enumerate(texts) if t and t in theirs]
    if not shared:
        return
    where = ""
    if lines is not None:
        shown = ", ".join(str(lines[i]) for i in shared[:10])
        if len(shared) > 10:
            shown += f" and {len(shared) - 10} more"
        where = f", on {'line' if len(shared) == 1 else 'lines'} {shown}"
    warnings.warn(
        f"{path}: {len(shared)} of its {counted(len(texts), 'text')} "
        f"{'is' if len(shared) == 1 else 'are'} in {other} too (compared as the model reads "
        f"them){where}: a model trained on one file and measured on the other is flattered by "
        "them; keep each text in one file",
        TriageWarning,
        stacklevel=2,
    )


def _own_stream(path: str) -> bool:
    """Whether `path` names one of the process's own streams (``/dev/stdin``,
    ``/dev/stdout``, ``/dev/stderr``, ``/dev/fd/1``), which may be redirected
    to a file."""
    return path in ("/dev/stdin", "/dev/stdout", "/dev/stderr") or path.startswith(
        ("/dev/fd/", "/proc/self/fd/")
    )


def _check_encoding(encoding: str | None, options: Options | None = None) -> None:
    """An ``--encoding`` option, checked before any file is read; the error
    names the encoding option of `options` (default: ``--encoding``)."""
    if encoding is not None:
        from triage._io import SCORE
        from triage.batch import _check_text_encoding

        _check_text_encoding(encoding, options=options or SCORE)


def _read_valid(
    path: str, encoding: str | None = None, *, partial: bool = False, use: str | None = None
) -> Any:
    """A labeled file, checked; the error names the file. With `partial`
    (triage evaluate), a file may label some heads alone (`labeled_heads`);
    with `use`, what takes every head and learns from none, the error of such
    a file names it (`check_labels`)."""
    from triage.exceptions import LabelError
    from triage.labeled import check_heads, check_labels, labeled_heads, read_labeled_lines

    frame, lines = read_labeled_lines(path, encoding=encoding)
    heads = None
    try:
        heads = labeled_heads(frame)[0] if partial else None
        if heads is None:
            check_labels(frame, lines, use=use)  # each row named by its line of the file too
        else:  # evaluated, not trained on: what to do is said so
            check_heads(frame, heads, lines)
    except LabelError as exc:  # of its class: a missing column is a ColumnError too
        # the command that lists them all, rather than a Python function
        message = str(exc).replace(
            "see triage.validate_labels for all",
            f"triage check {shlex.quote(path)} lists them all",
        )
        if heads is not None:  # triage check reads every head
            message = message.replace(
                "see triage.validate_labels(frame, ",
                f"triage.validate_labels(triage.read_labeled({path!r}), ",
            ).replace(") for all)", ") lists them all)")
        raise type(exc)(f"{path}: {message}") from None
    return frame


def cmd_check(args: argparse.Namespace) -> int:
    from triage.labeled import (
        _heads_alone,
        model_texts,
        problem_lines,
        read_labeled_lines,
        validate_labels,
    )
    from triage.labels import LABEL_COLUMNS

    _check_encoding(args.encoding)
    found = unreadable = 0
    earlier: list[tuple[str, set[str]]] = []  # the texts of each file read, as the model reads them
    for path in args.files:
        try:
            frame, lines = read_labeled_lines(path, encoding=args.encoding)
        except Exception as exc:
            # said as the other commands say it, and the files after it checked
            if args.verbose or not _bad_input(exc):
                raise
            print(f"triage check: error: {_said(exc)}", file=sys.stderr)
            unreadable += 1
            continue
        problems = problem_lines(frame, lines)
        for problem in problems:
            print(_visible(f"{path}: {problem}"))
        rows = counted(len(frame), "row")
        said = (
            f"{counted(len(problems), 'problem')} in {rows}" if problems else f"{rows}, no problem"
        )
        alone = _heads_alone(frame) if problems else None
        if alone is not None:  # what it is good for: triage evaluate takes it
            own = len(validate_labels(frame, heads=alone))
            fix = (
                f" once {counted(own, 'problem')} of theirs {'is' if own == 1 else 'are'} fixed "
                f"(triage.validate_labels(triage.read_labeled({path!r}), heads={list(alone)!r}) "
                f"lists {'it' if own == 1 else 'them'})"
                if own
                else ""
            )
            said += (
                ", for training, which takes every label column; triage evaluate takes the "
                f"file for the heads it labels ({', '.join(alone)}){fix}"
            )
        print(_visible(f"{path}: {said}"), file=sys.stderr)
        found += len(problems)
        if "text" in frame.columns and set(LABEL_COLUMNS) & set(frame.columns):  # labeled
            texts = model_texts(frame["text"].tolist())
            for other, theirs in earlier:
                if os.path.realpath(other) != os.path.realpath(path):  # not the same file again
                    _warn_shared_texts(path, texts, other, theirs, lines)
            earlier.append((path, set(texts)))
    return 2 if unreadable else 1 if found else 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from triage._default import resolve_model
    from triage.evaluation import _check_calibrated, calibration, evaluate
    from triage.labeled import labeled_heads
    from triage.lexicon import LexiconModel

    # before the data is read: a bad policy or --model is named at once (the
    # default model, no option of the user's, is loaded once the data is read)
    _check_encoding(args.encoding)
    policy = _policy(args.policy)
    given = None if args.baseline else _model(args.model)
    frame = _read_valid(args.data, args.encoding, partial=True)
    model = LexiconModel() if args.baseline else resolve_model(given)
    if args.calibration:  # a frame of priorities alone, a model of no priority head
        _check_calibrated(model, labeled_heads(frame)[0])
    preds = model.predict_many(frame["text"].tolist())
    ev = evaluate(model, frame, policy=policy, predictions=preds)
    cal = calibration(model, frame, predictions=preds) if args.calibration else None
    if args.json:
        data = ev.to_dict()
        if cal is not None:
            data["calibration"] = cal.to_dict()
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        title = f"{'lexicon baseline' if args.baseline else 'model'} on {args.data}"
        print(render_evaluation(ev, title))
        if cal is not None:
            print(f"\n{render_calibration(cal)}")
    return 0


def cmd_score(args: argparse.Namespace) -> int:
    import contextlib
    import dataclasses
    import shutil

    from triage._io import FORMATS, PartWritten, _format_extension, compression_of, is_stream
    from triage._paths import user_path
    from triage.batch import ProgressLine, _record_path, _write_record, score_file

    # before a pipe is spooled: a malformed policy, a model that is none, an
    # option out of range or an output that cannot be written is named at once
    # (the policy before the model, which takes longer to load)
    policy = _policy(args.policy)
    model = _model(args.model)
    explain = (3 if args.terms is None else args.terms) if args.explain else 0
    # a named pipe or a device given as the output (a shell's >(gzip > x.gz),
    # /dev/null), or a name of the process's own output, whatever it was
    # redirected to (/dev/stdout > scored.csv), says no format: CSV, as for -
    if (
        args.output_format is None
        and args.output != "-"
        and (is_stream(user_path(args.output)) or _own_stream(args.output))
        and _format_extension(args.output) not in FORMATS
    ):
        args.output_format = "csv"
    _check_score_options(args, explain)
    progress = None if args.quiet else ProgressLine(sys.stderr)
    if args.stream:
        return _score_stream(args, model, policy, explain, progress)
    # "-" is a pipe, and so is a named pipe or a device given as the input (a
    # shell's <(zcat complaints.csv.gz), /dev/stdin). The reader looks at a
    # file more than once (its encoding, then its delimiter, then the rows)
    # and the writer renames a finished file into place, so a pipe is spooled
    # to a file in a private directory: memory stays flat, and the output
    # reaches stdout only once it is whole. Files need no such directory (a
    # read-only root filesystem may have none).
    if _own_stream(args.input) and os.path.isfile(args.input):
        # /dev/stdin a shell redirected from a file (< complaints.jsonl) is that
        # file, whose name says its format
        args.input = os.path.realpath(args.input)
    piped_input = args.input == "-" or is_stream(user_path(args.input))
    # found before the output replaces the file a link names (/dev/stdout's)
    record_at = _record_path(user_path(args.output)) if args.record and piped_input else None
    pipes = piped_input or args.output == "-"
    with _spool() if pipes else contextlib.nullcontext("") as spool:
        source, target = args.input, args.output
        piped: dict[str, str] = {}  # spool file: what the user calls it
        if piped_input:
            # a named pipe's name may say its format (mkfifo complaints.jsonl)
            by_name = None if source == "-" else FORMATS.get(_format_extension(source))
            source = Path(spool, f"stdin.{args.input_format or by_name or 'csv'}")
            with contextlib.ExitStack() as stack:
                data = (
                    sys.stdin.buffer
                    if args.input == "-"
                    else stack.enter_context(open(user_path(args.input), "rb"))
                )
                f = stack.enter_context(source.open("wb"))
                try:
                    shutil.copyfileobj(data, f, 1 << 20)
                except OSError as exc:
                    if exc.errno not in _NO_ROOM:
                        raise
                    shown = "stdin" if args.input == "-" else args.input
                    raise _no_room(exc, f"cannot copy {shown} to", spool, "give a file") from None
            # compressed data has no name to say so: its first bytes do. A
            # zip archive names its file, whose format is then the file's
            compression = compression_of(source)
            if compression == ".zip" and args.input_format is None:
                source = source.rename(Path(spool, "stdin.zip"))
            elif compression is not None:
                source = source.rename(Path(spool, source.name + compression))
            piped[str(source)] = "<stdin>" if args.input == "-" else args.input
        if target == "-":
            target = Path(spool, f"stdout.{args.output_format or 'csv'}")
            piped[str(target)] = "<stdout>"

        def named(text: str) -> str:  # the pipe, not the spool file, in what the user reads
            for path, shown in piped.items():
                text = text.replace(path, shown)
            return text

        show = warnings.showwarning
        warnings.showwarning = lambda message, *rest: show(named(str(message)), *rest)
        try:
            summary = score_file(
                source,
                target,
                text_column=args.text_column,
                id_column=args.id_column,
                n_jobs=args.jobs,
                chunk_size=args.chunk_size,
                model=model,
                policy=policy,
                encoding=args.encoding,
                input_format=args.input_format,
                output_format=args.output_format,
                progress=progress,
                explain=explain,
                output_encoding=args.output_encoding,
                context_columns=dict(args.context) if args.context else None,
                escape_formulas=args.escape_formulas,
                errors=args.errors,
                record=args.record and not piped_input,
                resume=args.resume,
                summary=args.summary,
            )
        except (ValueError, KeyError) as exc:
            exc.args = tuple(named(a) if isinstance(a, str) else a for a in exc.args)
            raise
        except OSError as exc:
            if args.output != "-" or exc.errno not in _NO_ROOM:
                raise
            doing = "cannot write the rows for stdout to"
            raise _no_room(exc, doing, spool, "name a file") from None
        finally:
            warnings.showwarning = show
        if progress is not None:
            progress.close()
        if args.output == "-":
            try:
                with Path(target).open("rb") as scored:
                    shutil.copyfileobj(scored, sys.stdout.buffer, 1 << 20)
                sys.stdout.buffer.flush()
            except KeyboardInterrupt as exc:
                # the reader has had part of the output, which cannot be taken back
                raise PartWritten("stdout", exc) from None
            except OSError as exc:
                if exc.errno not in _NO_ROOM:
                    raise  # a reader gone (| head) is told apart by the caller
                raise type(exc)(
                    exc.errno, f"cannot write to stdout: {os.strerror(exc.errno)}"
                ) from None
            summary = dataclasses.replace(summary, output=Path("<stdout>"))
        if record_at is not None:  # the pipe's name, not its spool file's
            _write_record(summary, "<stdin>" if args.input == "-" else args.input, record_at)
    # the model and policy named as given too, which a scheduled run's log then keeps
    said = summary._said(args.model or "default", args.policy or "default")
    print(_visible(said), file=sys.stderr)
    return 0


# a full disk, a quota, a file-size limit
_NO_ROOM = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


def _score_stream(
    args: argparse.Namespace, model: Any, policy: Any, explain: int, progress: Any
) -> int:
    """``triage score - -o - --stream``: each row of stdin scored and written
    to stdout as soon as it is read (`triage.batch._score_stream`)."""
    from triage.batch import ProgressLine, _score_stream

    if progress is not None and not _a_file(sys.stdout):
        # the rows reach a terminal, at once or through the commands after
        # (| jq, | grep), where a line drawn over with \r had the next row
        # written after it, on it: each progress line is written whole
        progress = ProgressLine(sys.stderr, redraw=False)
    # read by a thread that, waiting for the next row, holds the lock of the
    # file it reads: a file of its own, which the interpreter's exit leaves
    # alone, where sys.stdin's lock made it abort (a SIGTERM, a reader gone);
    # without a buffer, so that whether more has arrived is told by the pipe
    source = os.fdopen(os.dup(sys.stdin.fileno()), "rb", buffering=0)
    summary = _score_stream(
        source,
        sys.stdout.buffer,
        input_format=args.input_format or "csv",
        output_format=args.output_format or "csv",
        text_column=args.text_column,
        id_column=args.id_column,
        model=model,
        policy=policy,
        encoding=args.encoding,
        progress=progress,
        explain=explain,
        output_encoding=args.output_encoding,
        escape_formulas=args.escape_formulas,
        context_columns=dict(args.context) if args.context else None,
        errors=args.errors,
        chunk_size=args.chunk_size,
        summary=args.summary,
    )
    if progress is not None:
        progress.close()
    said = summary._said(args.model or "default", args.policy or "default")
    print(_visible(said), file=sys.stderr)
    return 0


def _a_file(stream: Any) -> bool:
    """Whether `stream` writes into a regular file (not a terminal, a pipe or a device)."""
    try:
        return stat.S_ISREG(os.fstat(stream.fileno()).st_mode)
    except (AttributeError, OSError, ValueError):  # no descriptor: a stream of Python's own
        return False


def _no_room(exc: OSError, doing: str, spool: str, instead: str) -> OSError:
    """`exc`, a pipe's temporary file that found no room, said with the
    folder it was in and what to do."""
    folder = os.path.dirname(spool)
    return type(exc)(
        exc.errno,
        f"{doing} a temporary file in {folder}: {os.strerror(exc.errno or errno.ENOSPC)}; "
        f"set TMPDIR to a folder with room, or {instead} instead of a pipe",
    )


def _spool() -> contextlib.AbstractContextManager[str]:
    """The private directory a pipe of ``triage score`` is spooled through;
    when tempfile finds no writable directory, the error says what to do."""
    import tempfile

    try:
        return tempfile.TemporaryDirectory(prefix="triage-score-")
    except FileNotFoundError as exc:
        raise FileNotFoundError(
            exc.errno,
            f"{exc.strerror}: a pipe (-, or a named pipe) is copied to a temporary file to be "
            "read or written whole; set TMPDIR to a writable directory, or give files instead "
            "of pipes",
        ) from None


def _resume_said(output: str) -> str:
    """What an interrupted ``triage score --resume`` kept: the rows its checkpoint holds."""
    import json

    if "triage._io" not in sys.modules:
        # stopped before it was imported, or as it was (see `_part_written`):
        # a checkpoint an earlier run left is there as it was, and unsaid
        return ""
    from triage._io import resume_file
    from triage._paths import user_path

    try:
        path = resume_file(user_path(output))
        rows = json.loads(path.with_name(path.name + ".json").read_text(encoding="utf-8"))["rows"]
    except (OSError, ValueError, KeyError, TypeError):
        return ""
    return (
        f", but the first {rows:,} rows are kept in {path}: the same command continues after them"
    )


def _check_score_options(args: argparse.Namespace, explain: int) -> None:
    """The options of ``triage score`` that `score_file` checks, checked as it
    checks them but before stdin is spooled to a file."""
    from triage._io import (
        check_escape_formulas,
        check_output_encoding,
        check_resumable,
        is_stream,
        target_format,
    )
    from triage._paths import user_path
    from triage.batch import (
        _check_context_columns,
        _check_record,
        _check_text_encoding,
        _chunk_size,
        _explain,
        _jobs,
    )
    from triage.exceptions import ParameterError

    _chunk_size(args.chunk_size)
    _explain(explain)
    if args.stream:
        # a row is written once scored: there is no file to read through first
        # (its encoding, a Parquet footer, a compression) or to write whole
        if args.input != "-" or args.output != "-":
            raise ParameterError(
                "--stream reads stdin and writes stdout: pass - as the input and -o -"
            )
        if "parquet" in (args.input_format, args.output_format):
            raise ParameterError(
                "--stream reads and writes CSV, TSV or JSONL rows, one at a time; Parquet "
                "is written and read whole: leave out --stream"
            )
        if args.jobs != 1:
            raise ParameterError(
                "--stream scores each row as it arrives, in one process; leave out --jobs, "
                "or leave out --stream to score what is piped in chunks over several"
            )
    _jobs(args.jobs)
    if args.encoding is not None:
        _check_text_encoding(args.encoding)
    fmt = args.output_format or "csv"
    if args.output != "-":
        fmt = target_format(user_path(args.output), args.output_format)
    check_output_encoding(args.output_encoding, fmt)
    check_escape_formulas(args.escape_formulas, fmt)
    if args.record:
        _check_record(True, args.output if args.output == "-" else user_path(args.output))
    if args.resume:
        if args.input == "-" or is_stream(user_path(args.input)):
            raise ParameterError(
                "--resume cannot take up a run from stdin or a pipe, read once and gone: "
                "give the input as a file"
            )
        check_resumable(args.output if args.output == "-" else user_path(args.output), fmt)
    fields = [f for f, _ in args.context or ()]
    twice = next((f for f in fields if fields.count(f) > 1), None)
    if twice is not None:
        raise ParameterError(f"--context gives {twice} twice; name one column for it")
    _check_context_columns(dict(args.context) if args.context else None)


class _Parser(argparse.ArgumentParser):
    """A subcommand's parser, which tells how to pass a text that starts with a dash.

    argparse reads ``-_-快递又晚了`` or ``-1分都不想给`` as an option it does not
    know and then misses the text: "the following arguments are required".
    """

    _given: Sequence[str] = ()

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> Any:
        self._given = list(args) if args is not None else []
        return super().parse_known_args(args, namespace)

    def error(self, message: str) -> NoReturn:
        options = list(self._option_string_actions)
        dashed = [
            arg
            for arg in self._given
            if arg.startswith("-")
            and arg not in ("-", "--")
            and not any(o.startswith(arg.partition("=")[0]) for o in options)
        ]
        if dashed and "arguments are required" in message:
            message += (
                f"; an argument that starts with '-' goes after '--': "
                f"{self.prog} -- {shlex.quote(dashed[0])}"
            )
        super().error(message)


class _Top(argparse.ArgumentParser):
    """The parser of ``triage`` itself, which tells where an option of a
    command goes: ``triage --model mine analyze ...`` was "invalid choice:
    'mine'", and ``triage --bogus`` "the following arguments are required"."""

    _given: Sequence[str] = ()

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> Any:
        self._given = list(args) if args is not None else sys.argv[1:]
        return super().parse_known_args(args, namespace)

    def error(self, message: str) -> NoReturn:
        commands = _commands(self)
        before = itertools.takewhile(lambda arg: arg not in commands, self._given)
        unknown = [
            arg
            for arg in before
            if arg.startswith("-")
            and arg not in ("-", "--")
            and arg.partition("=")[0] not in self._option_string_actions
        ]
        if unknown:
            message = (
                f"{unknown[0]} is no option of triage itself; an option of a command goes "
                f"after the command: triage COMMAND {unknown[0]} ..."
            )
        super().error(message)


def _whole(ok: Callable[[int], bool], want: str) -> Callable[[str], int]:
    """An argparse ``type`` of a whole-number option that `ok` accepts, refused
    by argparse with the option's name and the value as typed (``argument
    --jobs: ..., not '0'``), where the library's check named its parameter
    (``n_jobs``, ``chunk_size``, ``random_state``)."""

    def whole(value: str) -> int:
        try:
            n = int(value)
        except ValueError:
            n = None
        if n is None or not ok(n):
            raise argparse.ArgumentTypeError(f"{want}, not {value!r}")
        return n

    return whole


# ``--jobs`` by joblib's convention, as `score_file`, `train` and
# `fit_word_vectors` take it; ``--chunk-size``; ``--seed``, a `TriageModel` seed
_jobs_option = _whole(
    lambda n: n != 0, "a whole number other than 0 (-1: all cores, -2: all but one)"
)
_positive = _whole(lambda n: n >= 1, "a whole number >= 1")
_seed = _whole(lambda n: 0 <= n < 2**32, "a whole number in [0, 2**32 - 1]")


def _C_option(value: str) -> float:
    """``--C``: the model's ``C``, refused by argparse as typed (``-1``, not ``C=-1.0``)."""
    from triage.model import _C, _is_C

    try:
        c = float(value)
    except ValueError:
        c = math.nan
    if not _is_C(c):
        raise argparse.ArgumentTypeError(f"{_C}, not {value!r}")
    return c


def _count(value: str) -> int:
    """A count of the command line (``--recent``): a whole number >= 0,
    written ``3`` or ``3.0`` as a count cell of `triage.score_frame` may be,
    refused by argparse with the option's name."""
    try:
        n = int(value)
    except ValueError:
        try:
            number = float(value)
        except ValueError:
            number = -1.0
        n = int(number) if number >= 0 and number.is_integer() else -1
    if n < 0:
        raise argparse.ArgumentTypeError(f"a whole number >= 0, not {value!r}")
    return n


def _context_column(value: str) -> tuple[str, str]:
    """A ``FIELD=COLUMN`` of ``triage score --context``."""
    field, eq, column = value.partition("=")
    if not eq or not field.strip() or not column:
        raise argparse.ArgumentTypeError(f"FIELD=COLUMN, e.g. channel=source, not {value!r}")
    from triage.batch import CONTEXT_FIELDS

    if field.strip() not in CONTEXT_FIELDS:
        raise argparse.ArgumentTypeError(
            f"{field.strip()!r} is no field of the context; FIELD is one of "
            f"{', '.join(CONTEXT_FIELDS)}"
        )
    return field.strip(), column


def _model_options(p: argparse.ArgumentParser) -> None:
    """--model and --policy, of every command that triages texts."""
    p.add_argument("--model", help="model directory (default: the shipped model)")
    p.add_argument(
        "--policy",
        help="priority policy file, .toml or .json "
        "(default: the built-in policy, triage/resources/policy.toml)",
    )


def build_parser() -> argparse.ArgumentParser:
    from triage import __version__

    parser = _Top(
        prog="triage",
        description="Triage Chinese customer complaints.",
        epilog=(
            "exit status: 0 done; 1 check found problems in a labeled file, or memory ran "
            "out, said in one line, or a bug in triage, shown as its traceback to report; "
            "2 bad input or usage, said in one line on stderr "
            "(-v for the traceback); 129, 130 or 143 stopped by SIGHUP, Ctrl-C or "
            "SIGTERM, with no partial output file left (--resume keeps its checkpoint); "
            "141 the reader of stdout went away (| head)"
        ),
    )
    parser.add_argument("--version", action="version", version=f"triage {__version__}")
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="log progress; show tracebacks"
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("analyze", help="triage one complaint and print the result")
    p.add_argument(
        "text",
        help=(
            "the complaint text (after -- if it starts with -, the options before --), "
            "or - to read it from stdin"
        ),
    )
    _model_options(p)
    p.add_argument(
        "--recent",
        type=_count,
        default=0,
        help="complaints by this customer recently (default: 0)",
    )
    p.add_argument(
        "--channel",
        help="channel the complaint came in through, e.g. 12315, weibo (default: none); "
        "one the policy does not list sets no floor, and a warning says so",
    )
    p.add_argument(
        "--tier",
        help="customer tier, e.g. vip (default: none); one the policy does not list sets "
        "no floor, and a warning says so",
    )
    p.add_argument(
        "--format",
        choices=("json", "text"),
        default="json",
        help="json: every field of the result (default: json); text: a summary to read, "
        "with a line for each flag set (low_confidence, truncated)",
    )
    p.add_argument(
        "--explain",
        action="store_true",
        help="add the terms behind each category that applies and each emotion present, "
        "with their weights",
    )
    p.add_argument(
        "--terms",
        type=int,
        metavar="N",
        help="terms per label of --explain, for and against it (default 5)",
    )
    p.set_defaults(func=cmd_analyze)

    p = sub.add_parser(
        "score",
        help="score a CSV, TSV, JSONL or Parquet file",
        description="Score a CSV, TSV, JSONL or Parquet file, chunk by chunk. Text files "
        "may be compressed: .gz, .bz2 or .xz in and out (complaints.csv.xz), or a .zip "
        "holding one file in.",
    )
    p.add_argument(
        "input",
        help="input file, format from its extension (.csv.gz, .csv.bz2, .csv.xz and a .zip "
        "of one file are decompressed); a folder of Parquet files (a partitioned dataset, "
        "as Spark, Hive or pandas write it) or of CSV, TSV or JSONL files (monthly exports), "
        "read as one input; - for stdin (CSV unless --input-format; "
        "compressed data is told by its first bytes)",
    )
    p.add_argument(
        "-o",
        "--output",
        required=True,
        help="output file, format from its extension (.gz, .bz2 or .xz after it compresses "
        "CSV, TSV or JSONL; JSON Lines are named .jsonl, a .json name is refused unless "
        "--output-format); - for stdout, and a pipe, a device or /dev/stdout whose name says "
        "no format, CSV unless --output-format",
    )
    p.add_argument("--text-column", default="text", help="column of the texts (default: text)")
    p.add_argument(
        "--id-column", help="a column that must be present, e.g. a ticket id (checked first)"
    )
    p.add_argument(
        "--context",
        action="append",
        type=_context_column,
        metavar="FIELD=COLUMN",
        help="a column of the priority context, for a field of recent_complaints, channel "
        "and customer_tier (--context channel=source; once per field; default: none)",
    )
    p.add_argument(
        "--jobs",
        type=_jobs_option,
        default=1,
        help="worker processes (-1: all cores, -2: all but one; default: 1)",
    )
    p.add_argument(
        "--chunk-size",
        type=_positive,
        default=10_000,
        help="rows read and scored at a time (default: 10000)",
    )
    p.add_argument("--encoding", help="input encoding (default: detected)")
    p.add_argument(
        "--output-encoding",
        default="utf-8",
        help="encoding of a CSV or TSV output: utf-8 (default), utf-8-sig for a CSV that "
        "Excel on Chinese Windows opens with a double-click, gb18030, or utf-16 and utf-32 "
        "(with a BOM; their -le and -be without); JSON Lines and Parquet are UTF-8",
    )
    p.add_argument(
        "--escape-formulas",
        action="store_true",
        help="for a CSV or TSV output opened in Excel or WPS: write a text cell that starts "
        "with =, +, -, @, a tab or a carriage return after an apostrophe ('), so that it is "
        "shown as text rather than run as a formula (numbers are written as they are; "
        "default: every text as it was read)",
    )
    p.add_argument(
        "--errors",
        choices=("flag", "raise"),
        default="flag",
        help="a row whose scoring raises an exception (a bug a text brings out): flag writes "
        "it unscored, its error saying so, and warns with the traceback (default); raise "
        "stops at the first",
    )
    p.add_argument(
        "--record",
        action="store_true",
        help="once the output is in place, write beside it _<its name>.triage.json: the "
        "model's and policy's hashes, the input, the output's size, the counts of the "
        "summary and the time (default: none; an earlier run's record is deleted)",
    )
    p.add_argument(
        "--resume",
        action="store_true",
        help="keep a checkpoint (.<output's name>.resume and .resume.json beside it) after "
        "each chunk, and continue the run that left one with the same input and options at "
        "its next chunk: the output is that of a run never stopped (CSV, TSV or JSONL, "
        "uncompressed; default: an interrupted run leaves nothing)",
    )
    formats = ("csv", "tsv", "jsonl", "parquet")
    p.add_argument("--input-format", choices=formats, help="default: from the extension")
    p.add_argument("--output-format", choices=formats, help="default: from the extension")
    _model_options(p)
    p.add_argument(
        "--explain",
        action="store_true",
        help="add a column 'why': for each category that applies and each emotion present, "
        "the terms of the text that raise its score most, as JSON",
    )
    p.add_argument(
        "--terms", type=int, metavar="N", help="terms per label of --explain (default 3)"
    )
    p.add_argument(
        "--summary",
        action="store_true",
        help="add a first score column 'summary': each row's triage in one line of Chinese "
        "(level, deadline, team, primary category and the reasons that set the level, with "
        "the words that made each fire), for an agent reading the file in a spreadsheet",
    )
    p.add_argument(
        "--stream",
        action="store_true",
        help="score each row of stdin (-) as soon as it is read and write it to stdout (-o -) "
        "at once, for a live pipe (tail -f complaints.jsonl | triage score - -o - --stream "
        "--input-format jsonl): CSV, TSV or JSONL in and out, UTF-8 unless --encoding, one "
        "row at a time in one process (default: stdin read whole first, then scored in "
        "chunks)",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_score)

    p = sub.add_parser("train", help="train a model on a labeled CSV and save it")
    p.add_argument("train", help="labeled CSV in the format of the label definitions (LABELS.md)")
    p.add_argument("--dev", help="labeled CSV to report per-label figures on")
    p.add_argument(
        "--encoding",
        help="encoding of TRAIN and --dev, e.g. utf-16-le or gbk (default: detected)",
    )
    p.add_argument("-o", "--output", required=True, help="model directory to write")
    p.add_argument("--seed", type=_seed, default=0, help="random state (default: 0)")
    p.add_argument(
        "--C", type=_C_option, help="inverse regularisation of the binary heads (default: 10)"
    )
    p.add_argument(
        "--corpus",
        metavar="DATA_DIR",
        help="learn word vectors from the unlabeled public sets under DATA_DIR/raw "
        "(the labeled texts of TRAIN and --dev are left out)",
    )
    p.add_argument(
        "--corpus-file",
        metavar="FILE",
        help="learn word vectors from your own unlabeled texts, alone or with --corpus: a CSV, "
        "TSV, JSONL or Parquet file, or a folder of them, read a chunk at a time (the labeled "
        "texts of TRAIN and --dev are left out)",
    )
    p.add_argument(
        "--corpus-column",
        metavar="NAME",
        help="the column of --corpus-file holding the texts (default: text)",
    )
    p.add_argument(
        "--corpus-encoding",
        metavar="ENCODING",
        help="encoding of --corpus-file, e.g. utf-16-le or gbk (default: detected)",
    )
    p.add_argument(
        "--calm-chats",
        action="store_true",
        help="train the emotion heads on the turns of the public customer-service chats under "
        "DATA_DIR/raw of --corpus (else the shared data folder) too, as weak rows that are "
        "neither angry, aggrieved nor humorous, so that plain questions and thanks read calm",
    )
    p.add_argument(
        "--praise",
        action="store_true",
        help="train the complaint head on some 3,300 short positive reviews of the public "
        "review sets under DATA_DIR/raw of --corpus (else the shared data folder) too, as "
        "texts that complain about nothing, so that praise (快递很快，包装也很好) gets no category",
    )
    p.add_argument(
        "--words",
        metavar="FILE",
        help="words of your domain for the segmenter to keep whole: a jieba user "
        "dictionary, one 'word [freq] [tag]' a line, UTF-8 (kept in the model)",
    )
    p.add_argument(
        "--jobs",
        type=_jobs_option,
        default=1,
        help=(
            "parallel jobs for fitting, and processes that segment the texts of --corpus and "
            "--corpus-file (-1: all cores, -2: all but one; default: 1)"
        ),
    )
    p.add_argument("--overwrite", action="store_true", help="replace a model already at -o")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("evaluate", help="per-label figures of a model on a labeled CSV")
    p.add_argument("data", help="labeled CSV to evaluate on")
    p.add_argument("--encoding", help="encoding of DATA, e.g. utf-16-le or gbk (default: detected)")
    _model_options(p)
    p.add_argument("--baseline", action="store_true", help="evaluate the keyword-lexicon baseline")
    p.add_argument("--json", action="store_true", help="all figures as JSON")
    p.add_argument(
        "--calibration",
        action="store_true",
        help="also how far each probability is one: rate, mean probability, expected "
        "calibration error over 10 bins of as many rows, Brier score (JSON: and the bins)",
    )
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser(
        "check",
        help="list every problem of labeled CSVs, each with its line",
        description="List every problem of labeled files, as train and evaluate refuse them "
        "(they show the first 10), one a line on stdout, each with its row, its line in the "
        "file and its id; then a count per file on stderr, which says of a file that labels "
        "some heads alone that triage evaluate takes it for those, and a warning names the lines "
        "of texts an earlier file holds too (a training file's in a dev file). A file that "
        "cannot be read is said so on stderr, and the files after it are checked. Exit "
        "status 0 when every "
        "file is valid, 1 when one has problems, 2 when one cannot be read.",
    )
    p.add_argument(
        "files",
        nargs="+",
        metavar="FILE",
        help="labeled CSV in the format of the label definitions (LABELS.md)",
    )
    p.add_argument(
        "--encoding",
        help="encoding of every FILE, e.g. utf-16-le or gbk (default: detected for each)",
    )
    p.set_defaults(func=cmd_check)
    for p in sub.choices.values():
        # after the command too (triage score ... -v), where an error line
        # sends the user; not given, it leaves the value of the one before it
        p.add_argument(
            "-v",
            "--verbose",
            action="store_true",
            default=argparse.SUPPRESS,
            help="log progress; show tracebacks",
        )
    return parser


def _bad_input(exc: BaseException) -> bool:
    """Whether `exc` is an error of bad input, which a command reports in a
    line (exit status 2), rather than a bug, which is raised as it is: a
    traceback and status 1, noted as a bug (`_note_bug`).

    Bad input is what the library raises on purpose, a `TriageError`, and
    what the system or the data raise whatever reads them: an `OSError`
    (missing, existing, a directory, unreadable, a full disk), a truncated
    compressed file (`EOFError`), malformed CSV (`csv.Error`), undecodable
    bytes (`UnicodeDecodeError`), an optional package missing or too old
    (`ImportError`) and workers that kept dying (the message says what to
    try). A builtin the library did not mean (a `KeyError` of a label, a
    `ValueError` of numpy or scikit-learn, an `ImportError` of triage
    itself) is a bug: said in a line, it read as a fault of the input.
    """
    from concurrent.futures.process import BrokenProcessPool

    from triage.exceptions import TriageError

    if isinstance(exc, ImportError):  # of a part of triage: the package is broken
        return exc.name != "triage" and not (exc.name or "").startswith("triage.")
    return isinstance(
        exc,
        TriageError | OSError | EOFError | csv.Error | UnicodeDecodeError | BrokenProcessPool,
    )


def _note_bug(exc: BaseException, command: str) -> None:
    """Note under `exc`'s traceback that it is a bug of triage, not the input's."""
    from triage import __version__

    exc.add_note(
        f"triage {command}: this is a bug in triage {__version__}, not an error of the "
        "input; please report it with the traceback above"
    )


def _out_of_memory(args: argparse.Namespace) -> str:
    """The line of a `MemoryError`: what ran out, and the options that use
    less of it that the command has (``--jobs``, ``--chunk-size``)."""
    tries = []
    jobs = getattr(args, "jobs", None)
    if jobs is not None and jobs != 1:
        tries.append(f"fewer --jobs (each worker holds a model; now {jobs})")
    chunk_size = getattr(args, "chunk_size", None)
    if chunk_size is not None:
        tries.append(f"a smaller --chunk-size (now {chunk_size})")
    message = "out of memory"
    if args.command == "score":
        message += "; no output written"
    if tries:
        message += ": try " + " or ".join(tries)
    return message


def _closed_stream(args: argparse.Namespace) -> str | None:
    """What is wrong when a shell's ``<&-`` or ``>&-`` closed the stdin or
    stdout the command reads or writes (Python holds such a stream as None)."""
    if sys.stdin is None and "-" in (getattr(args, "text", None), getattr(args, "input", None)):
        instead = "pass the text itself" if args.command == "analyze" else "give the file's path"
        return f"stdin is closed (<&-), so there is no text to read from -; pipe it in or {instead}"
    if sys.stdout is None and (
        args.command in ("analyze", "evaluate") or getattr(args, "output", None) == "-"
    ):
        instead = ", or name a file with -o" if args.command == "score" else ""
        return (
            "stdout is closed (>&-), so the result has nowhere to go; redirect it to a file "
            f"(or /dev/null to drop it){instead}"
        )
    return None


def _said(exc: BaseException) -> str:
    """What a line reporting `exc` says (a KeyError's message unquoted), `_visible`."""
    return _visible(exc.args[0] if isinstance(exc, KeyError) and exc.args else exc)


# The control characters that a terminal acts on (ESC starting a sequence
# that moves the cursor, clears the screen or sets the window's title; CR,
# backspace, the C1 controls), each written as an escape: a file's name, or
# a text quoted by a message, cannot rewrite what the terminal shows. A line
# feed and a tab are kept: the lines of a message are laid out with them.
_CONTROLS = {
    c: f"\\x{c:02x}"
    for c in itertools.chain(range(0x20), range(0x7F, 0xA0))
    if chr(c) not in "\n\t"
}


def _visible(message: object) -> str:
    """`message` as text, its control characters but LF and tab as ``\\x1b`` escapes."""
    return str(message).translate(_CONTROLS)


class _Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP, raised where the program is, so that it cleans up
    as on Ctrl-C."""

    def __init__(self, signum: int = signal.SIGTERM) -> None:
        super().__init__()
        self.signum = signal.Signals(signum)


def _terminate(signum: int, frame: object) -> None:
    raise _Terminated(signum)


# SIGHUP: the terminal closed, an ssh session dropped. Left as it is when
# ignored (nohup triage score ...), and where there is none (Windows)
_HANGUP = getattr(signal, "SIGHUP", None)


def _part_written(exc: BaseException) -> bool:
    """Whether `exc` is a `triage._io.PartWritten`: the command was stopped
    while it wrote the output into stdout or another pipe.

    Told without importing `triage._io`, which a Ctrl-C may have cut short
    as it imported numpy, and numpy cannot be imported twice in a process:
    imported again to tell, it raised ImportError, a traceback and status 1
    in place of the one line. No such exception is raised before it is."""
    written = getattr(sys.modules.get("triage._io"), "PartWritten", None)
    return written is not None and isinstance(exc, written)


def _signum(exc: KeyboardInterrupt) -> signal.Signals:
    """The signal that stopped the command: SIGTERM or SIGINT (Ctrl-C), also
    while it wrote the output into stdout or another pipe (`PartWritten`)."""
    if _part_written(exc):
        exc = cast("PartWritten", exc).interrupt
    return exc.signum if isinstance(exc, _Terminated) else signal.SIGINT


def _end_by_sigint() -> NoReturn:
    """End the program as Python ends on a Ctrl-C it does not catch, with no
    traceback: cleaned up, then by SIGINT itself, which a shell reports as
    status 130.

    A shell running a script (``for f in *.csv; do triage score ...; done``)
    gets the Ctrl-C too, waits for the command, and stops the script only
    when the command died of SIGINT: one that exits with status 130 handled
    the Ctrl-C itself, and the script went on to the next file.
    """
    interrupt = KeyboardInterrupt()
    hook = sys.excepthook

    def quiet(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        if value is not interrupt:
            hook(kind, value, tb)

    sys.excepthook = quiet
    raise interrupt


_ESCAPE = "triage.stdout"


class _Escapes:
    """The error handler of a stdout whose encoding cannot write every
    character (Chinese in PYTHONIOENCODING=ascii, an emoji in GBK): the
    stream's own handler first (surrogateescape's bytes), else \\u escapes,
    as Python writes to stderr; `used` says whether one was written."""

    def __init__(self, errors: str) -> None:
        self.errors = errors
        self.used = False

    def __call__(self, exc: UnicodeError) -> tuple[str | bytes, int]:
        try:
            return codecs.lookup_error(self.errors)(exc)
        except UnicodeEncodeError:
            self.used = True
            return codecs.backslashreplace_errors(exc)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``triage`` console script: the exit status of `argv`.

    Run as the program (no `argv`: ``sys.argv``), a Ctrl-C ends it by SIGINT
    once it has cleaned up, as Python ends on one (`KeyboardInterrupt` is
    raised, its traceback not shown), so a shell script running it stops too;
    one while the program's modules are imported, before this runs, too
    (`triage.__main__.run`, the console script's entry point).
    """
    # a traceback, or a line of no use ("'ascii' codec can't encode ..."),
    # where the output or the help holds a character stdout cannot write
    stdout = sys.stdout
    escapes = None
    if isinstance(stdout, io.TextIOWrapper):
        try:
            "中😀".encode(stdout.encoding)
        except (UnicodeEncodeError, LookupError):
            escapes = _Escapes(stdout.errors or "strict")
            codecs.register_error(_ESCAPE, escapes)
            stdout.reconfigure(errors=_ESCAPE)
    status = None
    with contextlib.ExitStack() as stack:
        if sys.stderr is None:
            # a shell's 2>&- (a daemon's closed descriptors) leaves it None: the
            # progress line raised an AttributeError, and a line printed to None
            # went to stdout, into the output. Said to nothing instead, as by a shell
            sys.stderr = stack.enter_context(open(os.devnull, "w", encoding="utf-8"))
            stack.callback(setattr, sys, "stderr", None)
        try:
            status = _main(argv)
            return status
        except SystemExit:
            # --help, --version and usage errors, which argparse prints and exits on
            try:
                _flush_stdout()
            except BrokenPipeError:
                _drop_stdout()
                raise SystemExit(141) from None
            except OSError as exc:
                print(f"triage: error: {_said(exc)}", file=sys.stderr)
                raise SystemExit(2) from None
            raise
        finally:
            if escapes is not None and isinstance(stdout, io.TextIOWrapper):
                with contextlib.suppress(OSError, ValueError):  # a reader gone, a stream closed
                    stdout.reconfigure(errors=escapes.errors)
                if escapes.used and status != 141:  # not once the reader has gone (| head)
                    print(
                        f"triage: warning: stdout's encoding, {stdout.encoding}, cannot write "
                        "characters of the output (Chinese, say), which are written as \\u "
                        "escapes; run in a UTF-8 locale (LANG=C.UTF-8) or set "
                        "PYTHONIOENCODING=utf-8",
                        file=sys.stderr,
                    )


def _flush_stdout() -> None:
    """Write what waits in stdout's buffer; a full disk raises an OSError
    saying stdout, and the output is then dropped (`_drop_stdout`)."""
    if sys.stdout is None:
        return
    try:
        sys.stdout.flush()
    except OSError as exc:
        if isinstance(exc, BrokenPipeError):  # the reader gone: the caller's to tell
            raise
        _drop_stdout()
        reason = os.strerror(exc.errno) if exc.errno is not None else exc
        raise type(exc)(exc.errno, f"cannot write to stdout: {reason}") from None


def _drop_stdout() -> None:
    """Send stdout to devnull, so that the interpreter's final flush of what
    could not be written cannot fail again."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """The parsers of `parser`'s commands (`build_parser`), by name."""
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def _configure_logging(verbose: bool) -> Callable[[], None]:
    """Log lines of INFO (`verbose`) or WARNING on stderr, jieba's too, unless
    the process has configured logging; returns what puts it back as it was,
    for a program that calls `main` in its own process."""
    root, log = logging.getLogger(), logging.getLogger("jieba")
    handlers, level = list(root.handlers), root.level
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
    )
    # jieba sets its logger to DEBUG with a handler of its own, and warns, when
    # it is imported: import it as the library does, then set its level.
    from triage.text import _import_jieba

    _import_jieba()
    jieba_level = log.level
    log.setLevel(logging.INFO if verbose else logging.WARNING)

    def restore() -> None:
        log.setLevel(jieba_level)
        for handler in root.handlers[:]:
            if handler not in handlers:
                root.removeHandler(handler)
        root.setLevel(level)

    return restore


def _main(argv: Sequence[str] | None) -> int:
    try:
        parser = build_parser()
        args, extra = parser.parse_known_args(argv)
    except KeyboardInterrupt:
        # a Ctrl-C before the command is known ends it as one later does, by
        # SIGINT, with no traceback and nothing done to say
        if argv is None and os.name == "posix":
            _end_by_sigint()
        raise
    if extra:  # as parse_args says it, and how to pass a text the shell cut at its spaces
        message = f"unrecognized arguments: {' '.join(extra)}"
        if (
            args.command == "analyze"
            and args.text != "-"
            and not any(e.startswith("-") for e in extra)
        ):
            text = " ".join([args.text, *extra])
            text = ("-- " if text.startswith("-") else "") + shlex.quote(text)
            message += (
                f"; analyze takes one text: quote it as one argument (triage analyze {text}), "
                "or score a file of many texts with triage score"
            )
        given = list(sys.argv[1:] if argv is None else argv)
        options = _commands(parser)[args.command]._option_string_actions
        late = [e for e in extra if e.partition("=")[0] in options]
        options_end = len(given) - len(extra)  # argparse leaves the extras last
        if late and "--" in given[:options_end] and given[options_end:] == extra:
            # the help says a text that starts with a dash goes after '--', and
            # `triage analyze -- '-5元' --format text` then took --format for text
            at = given.index("--")
            fixed = shlex.join([*given[:at], *extra, *given[at:options_end]])
            message += (
                f"; '--' ends the options, so {late[0]} after it is none: give the options "
                f"before '--' (triage {fixed})"
            )
        parser.error(message)
    # the rest as the command's own errors are: "triage score: error: ..." and its usage
    fail = _commands(parser)[args.command].error
    if getattr(args, "terms", None) is not None and not args.explain:
        fail("--terms counts the terms of --explain; pass --explain too")
    terms = getattr(args, "terms", None)
    # 0 is the library's "no explanation", which --explain is not asked for
    if terms is not None and terms < 1:
        shown = "no 'why' column" if args.command == "score" else "no explanation"
        fail(f"--terms must be at least 1; leave out --explain for {shown}")
    if getattr(args, "corpus_column", None) is not None and not args.corpus_file:
        fail("--corpus-column names the column of --corpus-file; pass --corpus-file too")
    if getattr(args, "corpus_encoding", None) is not None and not args.corpus_file:
        fail(
            "--corpus-encoding is the encoding of --corpus-file; pass --corpus-file too "
            "(--encoding is that of the labeled files)"
        )
    if args.command == "train" and args.output == "-":
        fail("-o names the model directory to write, which stdout (-) cannot hold")
    # labeled files are read more than once (encoding, header, rows), and a
    # pipe's data only once: saved to a file, they are read as any other
    piped = [
        option
        for option, value in (
            ("the labeled file", getattr(args, "train", None)),
            ("--dev", getattr(args, "dev", None)),
            ("--corpus-file", getattr(args, "corpus_file", None)),
            ("the labeled file", getattr(args, "data", None)),
            *(("the labeled file", f) for f in getattr(args, "files", None) or ()),
        )
        if value == "-"
    ]
    if piped:
        fail(
            f"{piped[0]} cannot be stdin (-): it is read more than once; save the data to a "
            "file and pass its path"
        )
    if getattr(args, "baseline", False) and args.model is not None:
        # the lexicon is evaluated in place of the model: --model would be passed over
        fail("--baseline evaluates the keyword lexicon, not a model; leave out --model")
    closed = _closed_stream(args)
    if closed is not None:  # said before any work, not an AttributeError or a result lost
        print(f"triage {args.command}: error: {closed}", file=sys.stderr)
        return 2
    restore_logging: Callable[[], None] | None = None

    def show_warning(message: Warning | str, *_: object, **__: object) -> None:
        print(f"triage {args.command}: warning: {_visible(message)}", file=sys.stderr)

    # A scheduler's timeout or kill sends SIGTERM, which would end the process
    # on the spot: the partial output left behind, the workers left running.
    # Raised as an exception instead, it unwinds like Ctrl-C.
    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _terminate) if in_main else None
    hangup = None
    if in_main and _HANGUP is not None and signal.getsignal(_HANGUP) is signal.SIG_DFL:
        hangup = signal.signal(_HANGUP, _terminate)
    try:
        # jieba imported: a Ctrl-C meanwhile is the command's, as in what follows
        restore_logging = _configure_logging(args.verbose)
        with warnings.catch_warnings():
            warnings.filterwarnings("default", category=UserWarning)
            warnings.showwarning = show_warning
            status = int(args.func(args))
        # what waits in stdout's buffer, written now rather than at exit, where
        # a reader gone (| head) or a full disk was "Exception ignored", status 120
        _flush_stdout()
        return status
    except KeyboardInterrupt as exc:
        if args.verbose:
            raise
        signum = _signum(exc)
        done = "; no output written" if args.command == "score" else ""
        if args.command == "score" and args.resume:
            done += _resume_said(args.output)
        if getattr(args, "stream", False):  # each row was written once scored
            done = "; the rows scored before it are on stdout"
        if _part_written(exc):  # -o - or /dev/stdout: the reader has had part
            done = f"; {exc}"
        with contextlib.suppress(OSError):  # on SIGHUP, a terminal that is gone
            print(f"triage {args.command}: interrupted by {signum.name}{done}", file=sys.stderr)
        if signum == signal.SIGINT and argv is None and os.name == "posix":
            _end_by_sigint()
        return 128 + signum
    except BrokenPipeError:
        # the reader went away (triage ... | head): stop quietly, as cat does
        _drop_stdout()
        return 141
    except MemoryError:
        # what the traceback said was that memory ran out: said, with what to try
        if args.verbose:
            raise
        with contextlib.suppress(OSError):
            print(f"triage {args.command}: error: {_out_of_memory(args)}", file=sys.stderr)
        return 1
    except Exception as exc:
        if not _bad_input(exc):  # a bug: its traceback, status 1, as Python's own
            _note_bug(exc, args.command)
            raise
        # bad input: the message says what to do (--verbose: the traceback)
        if args.verbose:
            raise
        print(f"triage {args.command}: error: {_said(exc)}", file=sys.stderr)
        return 2
    finally:
        if in_main and previous is not None:
            signal.signal(signal.SIGTERM, previous)
        if hangup is not None and _HANGUP is not None:
            signal.signal(_HANGUP, hangup)
        if restore_logging is not None:
            restore_logging()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
