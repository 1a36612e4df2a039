"""Model files: a joblib pickle with a JSON metadata sidecar, checked before loading.

A saved model is a directory::

    model.joblib   the pickled `TriageModel` (numpy arrays and dicts)
    model.json     the card: format version, library versions, label sets,
                   training-data fingerprint and rows of each label,
                   parameters, metrics and the SHA-256 and size of
                   model.joblib

`load_model` reads the card first and refuses, with `ModelFileError` and
before anything is unpickled, a directory without a card, a card of another
format or version, label sets other than this library's, and a pickle whose
size or SHA-256 differs from the card (modified, truncated or swapped). A
joblib file runs code when it is loaded: only load model files from a source
you trust; the checksum proves the file is the one its card describes, not
that the card is honest.

`save_model` replacing a model renames its new file into place and then its
new card, holding a lock on the directory, so that saves to one directory
at once do not mix their files; `load_model` meanwhile loads the old model
or the new one whole, each with its own card (see `load_model`).

Changing the format
-------------------
`FORMAT_VERSION` is bumped whenever a saved model would not load or would
predict differently with new code, or the code that wrote it could not read
what new code writes. A bump keeps the old version in `READABLE_VERSIONS`
(or refuses it clearly, naming the triage version that reads it) and comes
with a test that a file of the old version still loads.

- 1: the first format. Its first files, written before the character
  n-grams lost their ``c:`` prefix and the words their ``w:`` prefix, are
  refused: no term of theirs matches a text as terms are now cut.
- 2: the large string containers (vocabularies, the word list) are pickled in
  one piece (`triage._pickle`), which loads in under half the time. Version 1 files
  still load.
- 3: the naive-Bayes view of the category heads (parameter ``C_nb``,
  attributes ``nb_coef_`` and ``nb_intercept_``). Code of version 2 would
  load such a file and silently drop the view; files of versions 1 and 2
  load as models without it (``C_nb=None``) and predict as before.
- 4: the model's own words for the segmenter (parameter ``words``,
  attribute ``words_``; the card's ``words``). Code of version 3 would load
  such a file and cut its texts without them; files of versions 1 to 3 load
  as models without words.
- 5: the clause stage of the categories (parameter ``clause_stage``,
  attributes ``clause_coef_``, ``clause_intercept_`` and
  ``clause_thresholds_``). Code of version 4 would load such a file and
  decide the categories without it; files of versions 1 to 4 load as models
  without it (``clause_stage=False``) and predict as before.
- 6: the complaint head (parameters ``min_complaint_proba`` and
  ``C_complaint``, a 27th column of ``coef_`` and ``intercept_``). Code of
  version 5 would not read the wider ``coef_``; files of versions 1 to 5
  load as models without the gate (``min_complaint_proba=None``, a head
  that finds every text a complaint) and predict as before.
- 7: the rescue of a text that names a concrete problem (parameter
  ``problem_cues``). Code of version 6 would load such a file and leave
  such texts with no category; files of versions 1 to 6 load without it
  (``problem_cues=False``) and predict as before.
- 8: the primary read from the clauses (parameters
  ``primary_complaint_weight`` and ``primary_order_weight``). Code of
  version 7 would load such a file and choose the primary without them;
  files of versions 1 to 7 load with both at 0 and predict as before.
- 9: the clause stage reads each clause's complaint probability beside its
  sentiment (attribute ``clause_reads_complaint_``). Code of version 8
  would load such a file and feed the stage the sentiment alone, which it
  was not trained on; files of versions 1 to 8 load with it False and
  predict as before.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import io
import itertools
import json
import math
import os
import platform
import re
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from triage._paths import keep_permissions, new_file, user_path
from triage._resources import read_text
from triage.exceptions import ModelFileError, ParameterError, TriageWarning, user_stacklevel
from triage.labels import CATEGORIES, EMOTIONS, PRIORITIES

if sys.platform == "win32":
    import msvcrt
else:
    import fcntl

if TYPE_CHECKING:
    from triage.model import TriageModel

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "ModelVersionWarning",
    "check_destination",
    "load_model",
    "read_card",
    "save_model",
]

FORMAT_NAME = "triage-model"
FORMAT_VERSION = 9
#: The versions `load_model` reads.
READABLE_VERSIONS = frozenset({1, 2, 3, 4, 5, 6, 7, 8, 9})
MODEL_FILE = "model.joblib"
CARD_FILE = "model.json"

#: How a save names its files beside the model until it renames them into place.
_TEMP_PREFIX = ".model-"
#: The longest `load_model` waits for a save replacing the model to rename its
#: card into place (seconds): a save does it right after the model file.
_REPLACE_WAIT = 2.0
#: How `load_model` waits between two looks at the card, and `save_model`
#: between two tries of a rename Windows refused.
_pause: Callable[[float], None] = time.sleep
#: Windows refuses to rename a file over one that another process has open.
_WINDOWS = os.name == "nt"
#: The file a save locks beside the model on Windows, which cannot lock a
#: directory (elsewhere the directory itself is locked and no file is made).
#: Not a temporary of a save (``.model-*``), nor the model or its card.
LOCK_FILE = ".model.lock"

_LIBRARIES = ("triage", "numpy", "scipy", "scikit-learn", "jieba", "opencc", "snownlp", "joblib")
#: Those of them whose versions a model's load compares with its card's
#: (`_warn_versions`); only they are looked up then, some 5 ms less a load.
_COMPARED = ("triage", "jieba", "opencc")


class ModelVersionWarning(TriageWarning):
    """A model was saved with library versions other than the ones running now."""


def _labels() -> dict[str, list[str]]:
    return {
        "categories": [str(c) for c in CATEGORIES],
        "emotions": [str(e) for e in EMOTIONS],
        "priorities": [str(p) for p in PRIORITIES],
    }


def _versions(names: tuple[str, ...] = _LIBRARIES) -> dict[str, str]:
    """The running Python's version and those of the libraries `names`, as a
    model's card keeps them."""
    from triage import __version__

    out = {"python": platform.python_version(), "triage": __version__}
    for name in names:
        if name == "triage":  # the running code, installed or not
            continue
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def tokenizer_fingerprint() -> str:
    """SHA-256 of the user dictionary and stopwords the features depend on."""
    h = hashlib.sha256()
    for name in ("userdict.txt", "stopwords.txt"):
        h.update(read_text(name).encode("utf-8"))
    return h.hexdigest()


def save_model(
    model: TriageModel,
    path: str | os.PathLike[str],
    *,
    metrics: dict[str, Any] | None = None,
    notes: dict[str, Any] | None = None,
    overwrite: bool = False,
) -> Path:
    """Write `model` and its card to the directory `path`.

    Parameters
    ----------
    model : TriageModel
        A fitted model.
    path : path-like
        Directory to write (created if needed).
    metrics : dict, optional
        Evaluation figures to keep in the card, e.g. ``evaluate(...).to_dict()``.
    notes : dict, optional
        Anything else worth keeping (training command, data names). In both,
        numpy values are written as plain JSON, and NaN or an infinity (a
        figure the rows cannot define) as ``null``, so the card stays strict
        JSON.
    overwrite : bool, default False
        Replace an existing model in `path`.

    Returns
    -------
    Path
        The directory written.

    Notes
    -----
    The model file and the card are written beside their places under
    temporary names (``.model-*``) and renamed into place, the model file
    first, so no reader ever finds half a file, and a save that fails leaves
    the directory as it was. `load_model` running while a save replaces the
    model loads the old model or the new one, each with its own card, not a
    mix of the two: a service may reload its model while a job retrains it.
    Windows refuses to rename over a file that another process has open, as
    a load has for a moment: there a refused rename is tried again for up
    to two seconds.

    A model file or card replaced keeps its permissions and group (a model
    made private with ``chmod 600`` stays private: its terms are words of
    the texts it learned from), as `triage.batch.score_file` keeps an
    output's; new files have those the umask gives.

    Saves to one directory at once, from processes or threads (two notebooks,
    a scheduled job overlapping the last), rename their files one save at a
    time, under a lock on the directory that the system releases if the
    process dies: the directory holds the model of the save that renamed
    last, with its own card. Only the renames wait for the lock, not the
    writing. With ``overwrite=False`` the directory is checked again under
    the lock, so of saves racing to an empty directory the first to rename
    wins and the others raise `FileExistsError`, as saves one after the
    other would. On Windows the lock is a file, ``.model.lock``, removed
    after the renames unless another save has it open; where the file
    system cannot lock a directory (some network file systems) the renames
    are not serialised.
    """
    import joblib

    from triage.model import TriageModel

    if not isinstance(model, TriageModel):
        raise ParameterError(f"save_model expects a TriageModel, got {type(model).__name__}")
    model._check_fitted()
    folder = check_destination(path, overwrite=overwrite)
    # fail on data JSON cannot hold before anything is written
    try:
        kept = _finite(
            json.loads(
                json.dumps({"metrics": metrics or {}, "notes": notes or {}}, default=_json_default)
            )
        )
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"metrics and notes must be JSON data: {exc}") from None
    # the directories made for the model, deepest first: removed again if it fails
    made = list(itertools.takewhile(lambda p: not p.exists(), (folder, *folder.parents)))
    folder.mkdir(parents=True, exist_ok=True)
    # Write beside the targets, under names of their own (another save may be
    # writing too), and rename, so a crash never leaves a half file under a
    # final name; a failure leaves nothing behind.
    temps: list[str] = []
    saved = False
    try:
        fd, tmp = new_file(folder, _TEMP_PREFIX, ".joblib")
        os.close(fd)
        temps.append(tmp)
        joblib.dump(model, tmp, compress=3)
        tmp_path = Path(tmp)
        card = {
            "format": FORMAT_NAME,
            "format_version": FORMAT_VERSION,
            "created": _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat(),
            "library_versions": _versions(),
            "labels": _labels(),
            "params": {k: _jsonable(v) for k, v in model.get_params().items()},
            "training_data": {
                "rows": model.n_train_,
                "fingerprint_sha256": model.training_fingerprint_,
                # rows of each label: a label the rows never gave shows as 0
                "label_counts": getattr(model, "label_counts_", None),
                # partially labeled rows (``fit(..., extra=...)``, ``--calm-chats``)
                "extra_rows": model.n_extra_,
                "extra_fingerprint_sha256": getattr(model, "extra_fingerprint_", None),
            },
            "tokenizer_sha256": tokenizer_fingerprint(),
            "words": _words_summary(model),
            "n_features": model.features_.n_features,
            "metrics": kept["metrics"],
            "notes": kept["notes"],
            "threshold_source": getattr(model, "threshold_source_", _fitted_thresholds(model)),
            "file": {
                "name": MODEL_FILE,
                "bytes": tmp_path.stat().st_size,
                "sha256": _sha256(tmp_path),
            },
        }
        fd, card_tmp = new_file(folder, _TEMP_PREFIX, ".json")
        temps.append(card_tmp)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            # parameters may be numpy numbers too (a grid over np.arange gives them)
            f.write(json.dumps(card, ensure_ascii=False, indent=2, default=_json_default) + "\n")
        # one save's two renames at a time, so that the model file and the
        # card in place are always those of one save
        with _commit_lock(folder):
            # another save may have put a model here since the check above
            check_destination(folder, overwrite=overwrite)
            # a model made private (its terms are words of the texts) stays so
            _keep_permissions(tmp, folder / MODEL_FILE)
            _keep_permissions(card_tmp, folder / CARD_FILE)
            _replace(tmp, folder / MODEL_FILE)
            _replace(card_tmp, folder / CARD_FILE)
        saved = True
    finally:
        for name in temps:
            if os.path.exists(name):
                os.unlink(name)
        if not saved:
            for made_dir in made:
                try:
                    made_dir.rmdir()
                except OSError:  # something else was put in it meanwhile
                    break
    return folder


@contextlib.contextmanager
def _commit_lock(folder: Path) -> Iterator[None]:
    """Hold the lock of the model directory `folder` against other saves.

    An exclusive ``flock`` of the directory itself, or on Windows a lock of
    `LOCK_FILE` in it; either is released when its descriptor is closed or
    its process dies, so no lock is ever left behind. Each call opens its
    own descriptor, which excludes the threads of one process as it does
    other processes. Where the directory cannot be locked (a network file
    system without locks), the renames go on unlocked rather than the save
    failing.
    """
    if sys.platform == "win32":
        with _locked_file(folder / LOCK_FILE):
            yield
    else:
        try:
            fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        except OSError:  # a directory that may not be read
            fd = -1
        try:
            if fd >= 0:
                with contextlib.suppress(OSError):  # a file system that does not lock
                    fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            if fd >= 0:
                os.close(fd)  # releases the lock


if sys.platform == "win32":

    @contextlib.contextmanager
    def _locked_file(path: Path) -> Iterator[None]:
        """Hold a lock on the first byte of `path`, made if need be, and remove
        it afterwards unless another save has it open.

        Python opens files without ``FILE_SHARE_DELETE``, so the file is
        only removed when no other save holds or waits for it: one that
        opens it afterwards makes a new one, which no other save has open.
        Where the file system leaves a removed file's name taken until the
        remover closes it, opening it is tried again for up to
        `_REPLACE_WAIT` seconds.
        """
        waited = 0.0
        while True:
            try:
                fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
                break
            except PermissionError:  # being removed by the save before
                if waited >= _REPLACE_WAIT:
                    raise
            time.sleep(0.005)
            waited += 0.005
        try:
            while True:
                try:
                    msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
                    break
                except PermissionError:  # another save holds it
                    time.sleep(0.005)
            try:
                yield
            finally:
                msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        finally:
            os.close(fd)
            with contextlib.suppress(OSError):  # open in another save
                path.unlink()


def _keep_permissions(tmp: str, replaced: Path) -> None:
    """Give the new file `tmp` the permissions of `replaced`, the user's own
    file it is to be renamed over (`triage._paths.keep_permissions`)."""
    fd = os.open(tmp, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0))
    try:
        keep_permissions(fd, replaced)
    finally:
        os.close(fd)


def _replace(src: str, dst: Path) -> None:
    """`os.replace`, tried again for up to `_REPLACE_WAIT` seconds where Windows
    refuses it because a reader has the file open.

    POSIX renames over a file being read; Windows refuses while any process
    holds it open (Python opens files without ``FILE_SHARE_DELETE``), as a
    `load_model` of the model being replaced does for a moment. A refused
    card left the new model file beside the old card, a directory no load
    accepts.
    """
    pause, waited = 0.001, 0.0
    while True:
        try:
            os.replace(src, dst)
            return
        except PermissionError:
            if not _WINDOWS or waited >= _REPLACE_WAIT:
                raise
        _pause(pause)
        waited += pause
        pause = min(2 * pause, 0.05)


def _check_writable(there: Path, folder: Path) -> None:
    """Raise PermissionError unless a directory can be made in `there`, the
    directory `folder` is, or the first of its ancestors that is there.

    Tried, not judged by the permission bits: root passes those, and still
    cannot write to an immutable directory or to /proc.
    """
    try:
        os.rmdir(tempfile.mkdtemp(prefix=_TEMP_PREFIX, dir=there))
    except OSError as exc:
        where = "" if there == folder else f" (where {folder} would be made)"
        raise PermissionError(
            f"cannot write to {there}{where}: {exc.strerror or exc}; save the model elsewhere"
        ) from None


def check_destination(path: str | os.PathLike[str], *, overwrite: bool = False) -> Path:
    """Raise unless `save_model` could write a model to the directory `path`.

    For callers that want to know before spending minutes on training.

    Raises
    ------
    FileExistsError
        `path` holds a model file or a card and `overwrite` is false, is a
        file, lies inside a file or is a link to nothing; or its model file or
        card is a directory.
    PermissionError
        Nothing can be written where the directory is, or would be made (a
        read-only or immutable directory, /proc).
    ParameterError
        `path` is no path (None, bytes) or is empty (an unset shell variable,
        which would save into the working directory), or `overwrite` is no
        bool (``"False"`` is true).
    """
    import numpy as np

    if not isinstance(overwrite, bool | np.bool_):  # "False" is true: a model would be replaced
        raise ParameterError(f"overwrite must be True or False, got {overwrite!r}")
    _check_path(path)
    if not os.fspath(path).strip():
        raise ParameterError(
            "the model directory is empty; name it (a model saved to '' would fill "
            "the working directory)"
        )
    folder = Path(user_path(path))
    # the directory or its first ancestor that is there: what mkdir meets
    for there in (folder, *folder.parents):
        if there.is_symlink() and not there.exists():
            from triage._io import link_loop

            if link_loop(there):
                raise FileExistsError(
                    f"{there} is a symbolic link in a loop of links, leading to no directory; "
                    "save the model elsewhere"
                )
            raise FileExistsError(
                f"{there} is a link to {os.readlink(there)}, which does not exist; "
                "make that directory or save the model elsewhere"
            )
        if there.exists():
            if not there.is_dir():
                inside = "" if there == folder else f" (it would hold {folder})"
                raise FileExistsError(f"{there} is a file{inside}; a model is saved to a directory")
            _check_writable(there, folder)
            break
    for name in (MODEL_FILE, CARD_FILE):  # a card alone is someone's too
        target = folder / name
        if target.is_dir():
            raise FileExistsError(f"{target} is a directory; it cannot be replaced by a file")
        if target.exists() and not overwrite:
            raise FileExistsError(
                f"{target} exists; pass overwrite=True (CLI: --overwrite) to replace it"
            )
    return folder


def _json_default(value: Any) -> Any:
    """numpy scalars and arrays (what evaluation figures and grids of parameters often
    are) as plain JSON values."""
    import numpy as np

    if isinstance(value, np.generic | np.ndarray):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} {value!r} is not JSON serialisable")


def _finite(value: Any) -> Any:
    """`value` with NaN and infinities (undefined figures) as None: JSON has no
    NaN, and strict readers (jq, JavaScript) refuse a card that holds one."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def _fitted_thresholds(model: TriageModel) -> str:
    if model.threshold_folds and model.threshold_folds > 1:
        return f"out-of-fold on training data ({model.threshold_folds} folds)"
    return "0.5, not tuned (threshold_folds below 2)"


def _check_path(path: object) -> None:
    """Raise unless `path` is a path: not None (``os.environ.get`` of an unset
    variable), a number or bytes."""
    if not isinstance(path, str | os.PathLike) or not isinstance(os.fspath(path), str):
        raise ParameterError(
            f"the model directory must be a path (str or os.PathLike), got {type(path).__name__}"
        )


def _locate(path: str | os.PathLike[str]) -> tuple[Path, Path]:
    _check_path(path)
    if not os.fspath(path).strip():  # as check_destination refuses it
        raise ModelFileError(
            "the model directory is empty; name it (a model read from '' would be the "
            "one the working directory holds)"
        )
    p = Path(user_path(path))
    if not p.exists():
        if p.is_symlink():  # where the link leads, or that it leads back to itself
            from triage._io import missing_message

            raise ModelFileError(missing_message(p, "model"))
        raise ModelFileError(f"no model at {p}: the path does not exist")
    if p.is_dir():
        return p / MODEL_FILE, p / CARD_FILE
    if p.suffix == ".json":
        return p.with_name(MODEL_FILE), p
    card = p.with_name(CARD_FILE)
    if p.name != MODEL_FILE and not card.is_file():  # a CSV given for a model, say
        raise ModelFileError(
            f"{p} is not a saved model: there is no {CARD_FILE} beside it; pass the "
            f"directory triage.save_model wrote (holding {MODEL_FILE} and {CARD_FILE})"
        )
    return p, card


def read_card(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read and check the card of a saved model, without loading the model.

    The card is the one in place when it is read, whole: a save renames a
    new one into place at once. While a save replaces the model it may be
    the card of another model than the one `load_model` gives just before or
    after; a loaded model's own card is its ``card_``.

    Raises
    ------
    ModelFileError
        No card, not JSON, another format, an unsupported version or label
        sets that differ from this library's.
    """
    _, card_path = _locate(path)
    return _read_card(card_path)


def warn_if_stale(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Check a saved model's card and warn of its library versions as `load_model`
    would, without loading the model: for processes that will load it themselves.
    Returns the card."""
    _, card_path = _locate(path)
    card = _read_card(card_path)
    _warn_versions(card, card_path)
    return card


def _read_card(card_path: Path) -> dict[str, Any]:
    if not card_path.is_file():
        raise ModelFileError(
            f"no model card at {card_path}; a model file is only loaded with the {CARD_FILE} "
            "written beside it by triage.save_model (refusing to unpickle an unchecked file)"
        )
    try:
        # utf-8-sig: a card edited and saved as "UTF-8 with BOM" (Windows editors)
        card = json.loads(card_path.read_text(encoding="utf-8-sig"))
    except RecursionError:
        raise ModelFileError(
            f"model card {card_path} is nested too deeply to be read; it is no model card"
        ) from None
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, a number of 5000 digits
        raise ModelFileError(f"model card {card_path} is not valid JSON: {exc}") from None
    if not isinstance(card, dict) or card.get("format") != FORMAT_NAME:
        raise ModelFileError(
            f"{card_path} is not a triage model card (format {card.get('format')!r})"
            if isinstance(card, dict)
            else f"{card_path} is not a triage model card"
        )
    for key in ("file", "library_versions", "training_data"):
        if key in card and not isinstance(card[key], dict):
            raise ModelFileError(
                f"{card_path}: {key!r} must be an object, got {type(card[key]).__name__}; "
                "the card is damaged"
            )
    version = card.get("format_version")
    # a list would not hash, and True would pass as 1
    if type(version) is not int or version not in READABLE_VERSIONS:
        from triage import __version__

        readable = ", ".join(map(str, sorted(READABLE_VERSIONS)))
        writer = card.get("library_versions", {}).get("triage", "unknown")
        if type(version) is int and version > FORMAT_VERSION:
            # the triage that wrote it is newer, though its version may read the
            # same as this one's (a build between two releases)
            newer = f"a later build of triage {writer}" if writer == __version__ else writer
            raise ModelFileError(
                f"{card_path}: model format version {version} is not supported by this "
                f"triage {__version__} (reads versions {readable}); it was saved by a newer "
                f"triage ({newer}): upgrade triage to load it, or retrain the model with "
                "this one"
            )
        raise ModelFileError(
            f"{card_path}: model format version {version!r} is not supported by this triage "
            f"(reads versions {readable}); retrain the model or use the triage version "
            f"recorded in the card ({writer})"
        )
    if card.get("labels") != _labels():
        raise ModelFileError(
            f"{card_path}: the model's label sets {card.get('labels')!r} differ from this "
            f"library's {_labels()!r}; it was trained for another label definition"
        )
    return card


def load_model(path: str | os.PathLike[str]) -> TriageModel:
    """Load a model saved by `save_model`, checking it before unpickling.

    Parameters
    ----------
    path : path-like
        The model directory (or its ``model.joblib`` / ``model.json``).

    Returns
    -------
    TriageModel

    Raises
    ------
    ParameterError
        `path` is no path (None, bytes).
    ModelFileError
        `path` is empty (an unset shell variable, which would load the model
        in the working directory); nothing at `path`, a file that is no saved
        model (no card beside it), a missing or foreign card, an unsupported
        format version, other label sets, or a model file whose size or
        SHA-256 does not match its card; or a checked file that does not
        unpickle (saved with libraries this environment lacks) or holds no
        fitted model; or a file of version 1 from before its terms lost their
        ``c:`` and ``w:`` prefixes, whose terms no text would match.

    Warns
    -----
    ModelVersionWarning
        The model was saved with another minor version of triage, jieba or
        OpenCC, or other word lists.

    Notes
    -----
    A model that `save_model` replaces while it loads is loaded whole: the
    old model with its card or the new one with its card (``card_``). The
    save renames its model file into place and then its card, so for a moment
    the file is not the one the card describes, and a card read before a save
    does not describe the file read after it. Where they disagree, the card
    is read again: a card that changed is checked against the file again,
    and a save's card still under its temporary name that describes the file
    in place is waited for, at most two seconds. A file no save is putting in
    place fails at once, with the error it always did: the file is checked
    against its card as strictly, and the bytes unpickled are the bytes
    checked. A normal load reads the card and the file once, as before.
    """
    model_path, card_path = _locate(path)
    card, data = _read_matching(model_path, card_path, _read_card(card_path))
    _warn_versions(card, card_path)

    import joblib

    from triage.model import TriageModel

    try:
        model = joblib.load(io.BytesIO(data))
    except (Warning, MemoryError):  # -W error on scikit-learn's version warning, say
        raise
    except Exception as exc:  # whatever a pickle fails with, named
        saved = card.get("library_versions", {})
        # what the pickle is made of: triage's classes, numpy's arrays in
        # joblib's wrappers, under Python's pickle (no scikit-learn object)
        writer = ", ".join(
            f"{name} {saved.get(name)}" for name in ("triage", "numpy", "joblib", "python")
        )
        raise ModelFileError(
            f"{model_path} could not be unpickled ({type(exc).__name__}: {exc}); it matches "
            f"its card, which says it was saved with {writer}: load it where those are "
            "installed, or retrain it"
        ) from exc
    del data
    if not isinstance(model, TriageModel) or not model.__sklearn_is_fitted__():
        raise ModelFileError(f"{model_path} does not hold a fitted TriageModel")
    if card["format_version"] == 1 and _prefixed_terms(model):
        raise ModelFileError(
            f"{model_path} is a model of format version 1 from before its terms lost their "
            "'c:' and 'w:' prefixes, which this triage does not read: none of its terms would "
            "match a text, and every text would get wrong labels; retrain the model with this "
            "triage"
        )
    model.card_ = card
    return model


def _prefixed_terms(model: TriageModel) -> bool:
    """Whether `model`'s vocabulary is of the first files of version 1, whose
    character n-grams were prefixed ``c:`` and words ``w:`` (the words are now
    prefixed `WORD`, the character n-grams not at all)."""
    vocabulary = model.features_.vocabulary
    # a character n-gram of the text may start with c: or w:, but not all of them
    return bool(vocabulary) and all(term[:2] in ("c:", "w:") for term in vocabulary)


def _described(card: dict[str, Any], card_path: Path) -> tuple[int, str]:
    """The size and SHA-256 of the model file that `card` gives."""
    expected = card.get("file", {})
    sha256 = expected.get("sha256")
    # what the file is checked against; a size of True would pass as 1, and a
    # checksum of no 64 hex digits would call the file modified
    if (
        type(expected.get("bytes")) is not int
        or not isinstance(sha256, str)
        or not re.fullmatch(r"[0-9a-fA-F]{64}", sha256)
    ):
        raise ModelFileError(
            f"{card_path}: 'file' gives no size and SHA-256 of {MODEL_FILE}; the card is "
            "damaged (refusing to unpickle an unchecked file): save the model again with "
            "triage.save_model"
        )
    # in capitals as some tools print it (PowerShell's Get-FileHash), it is the same
    return expected["bytes"], sha256.lower()


def _read_checked(model_path: Path, size: int, sha256: str) -> tuple[bytes, ModelFileError | None]:
    """The bytes of the model file, and why they are not the ones of `size` and
    `sha256` (None if they are)."""
    # Read the file once and unpickle exactly the bytes that were checked:
    # hashing the path and then loading it again would leave a window in
    # which the file could be replaced.
    # a file of another name beside a card may be no model at all (notes.txt)
    other = (
        ""
        if model_path.name == MODEL_FILE
        else f", or is no model file (the card beside it describes its {MODEL_FILE}: "
        "pass the model directory)"
    )
    with model_path.open("rb") as f:
        got = os.fstat(f.fileno()).st_size
        if got != size:
            return b"", ModelFileError(
                f"{model_path} has {got} bytes but its card says {size}: "
                f"the file is truncated or was replaced{other}; refusing to unpickle it"
            )
        data = f.read()
    if len(data) != got:
        return b"", ModelFileError(f"{model_path} changed while it was being read; refusing it")
    digest = hashlib.sha256(data).hexdigest()
    if digest != sha256:
        return b"", ModelFileError(
            f"{model_path} does not match the SHA-256 in its card ({digest[:12]}... vs "
            f"{sha256[:12]}...): the file was modified{other}; refusing to unpickle it"
        )
    return data, None


def _read_matching(
    model_path: Path, card_path: Path, card: dict[str, Any]
) -> tuple[dict[str, Any], bytes]:
    """`card`, or the card that replaced it, and the model file's bytes, which
    it describes.

    `save_model` replacing a model renames its new model file into place and
    then its new card. A reader between the two renames finds the new file
    beside the old card, and one that read the card before a save and the
    file after it, the old card and the new file: neither is a modified
    file. So where the file is not the one the card describes, the card is
    read again. A card that changed meanwhile is checked against the file
    again; while the card of a save describing the file there waits, under
    its temporary name, to be renamed into place, the card is read again
    until it is, for at most `_REPLACE_WAIT` seconds. A card that reads as
    it did has the file read once more before the folder fails, as a
    modified file: a save of another model, then one of the model first read
    with a card of the same content (made in the same second), may have
    replaced both meanwhile, the file now the one the card describes.
    Anything else fails at once.
    """
    deadline: float | None = None
    last = False
    while True:
        if not model_path.is_file():
            raise ModelFileError(f"no model file at {model_path} (its card is {card_path})")
        data, failure = _read_checked(model_path, *_described(card, card_path))
        if failure is None:
            return card, data
        if last:
            raise failure
        if deadline is None:
            deadline = time.monotonic() + _REPLACE_WAIT
        # the save looked for before the card is read again: one that renames
        # its card in between has changed the card
        pending = _pending_card(model_path)
        again = _read_card(card_path)
        pause = 0.001
        while again == card and pending is not None and time.monotonic() < deadline:
            _pause(pause)
            pause = min(2 * pause, 0.05)
            if not pending.exists():  # renamed, or the save failed and removed it
                pending = None
            again = _read_card(card_path)
        if time.monotonic() >= deadline:
            raise failure
        last = again == card  # the file is read once more, the card not again
        card = again


def _pending_card(model_path: Path) -> Path | None:
    """The card a save wrote beside `model_path` and has not yet renamed into
    place, if it describes the model file there now."""
    try:
        size = model_path.stat().st_size
        temps = list(model_path.parent.glob(f"{_TEMP_PREFIX}*.json"))
    except OSError:
        return None
    digest = None
    for temp in temps:
        try:
            described = json.loads(temp.read_text(encoding="utf-8")).get("file")
        except (OSError, ValueError, RecursionError, AttributeError):
            continue  # being written, gone already, or no card
        if not isinstance(described, dict) or described.get("bytes") != size:
            continue
        if digest is None:
            try:
                digest = _sha256(model_path)
            except OSError:
                return None
        if described.get("sha256") == digest:
            return temp
    return None


def _warn_versions(card: dict[str, Any], where: Path) -> None:
    saved = card.get("library_versions", {})
    now = _versions(_COMPARED)
    differ = [
        f"{name} {saved.get(name)} (now {now[name]})"
        for name in _COMPARED
        if _major_minor(saved.get(name)) != _major_minor(now[name])
    ]
    if card.get("tokenizer_sha256") not in (None, tokenizer_fingerprint()):
        differ.append("the user dictionary or stopwords changed since")
    if differ:
        warnings.warn(
            f"model {where} was saved with {', '.join(differ)}; predictions may differ. "
            "Retrain it with this version to be sure.",
            ModelVersionWarning,
            stacklevel=user_stacklevel(),
        )


# A minor release of triage, jieba or OpenCC may change the features, the
# segmentation or the conversion, so a model warns of one. numpy's version is
# kept in the card but not compared: the file holds plain numeric arrays,
# which numpy 1.26 and 2.x read alike (a model saved with numpy 1.26 scores
# the 2268 train texts bit for bit as the same model saved with 2.4), and
# what numpy computes with them is the code's to keep equal across the
# versions it supports (under numpy 1.26 and 2.4 the shipped model gives the
# train texts the same labels, its probabilities differing in the last bits,
# as they do between machines). Warning of numpy made the shipped model,
# saved with numpy 2, warn at every start where numpy 1.26 is installed, and
# fail under -W error.


def _major_minor(version: Any) -> tuple[str, ...]:
    return tuple(str(version).split(".")[:2])


def _words_summary(model: TriageModel) -> dict[str, Any]:
    """How many words of its own a model segments with, and their SHA-256."""
    h = hashlib.sha256(json.dumps(model.words_, ensure_ascii=False).encode("utf-8"))
    return {"count": len(model.words_), "sha256": h.hexdigest()}


def _jsonable(value: Any) -> Any:
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, tuple):
        return list(value)
    if hasattr(value, "describe"):  # WordVectors: a summary, not the matrix
        return value.describe()
    return value
