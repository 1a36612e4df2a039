"""The process-wide default model: found, loaded once on first need, shared.

Lookup order: a model set with `set_default_model`; the directory named by the
``TRIAGE_MODEL`` environment variable; the model shipped inside the installed
package (``triage/_models/default``); ``models/default`` of a source checkout.
"""

from __future__ import annotations

import contextlib
import copy
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from triage._paths import user_path
from triage.exceptions import ModelFileError, ParameterError

if TYPE_CHECKING:
    from triage.lexicon import LexiconModel
    from triage.model import TriageModel

__all__ = [
    "default_model_path",
    "get_default_model",
    "loading",
    "resolve_model",
    "set_default_model",
]

# Held while the default model loads, and by `triage.warm_up` throughout. A
# fork waits for it, as for the logging module's lock: a thread of the parent
# importing a module at the fork (load_model imports scikit-learn, the first
# analyze the priority rules) holds that module's import lock, which no
# thread of the child releases, and the child's first import of the module
# waited for ever. Reentrant, so that the thread holding it may fork.
_lock = threading.RLock()


def _before_fork() -> None:
    _lock.acquire()


def _after_fork_in_parent() -> None:
    _lock.release()


def _new_lock() -> None:
    """A forked child's own lock: its parent's was held at the fork, by the
    thread that forked."""
    global _lock
    _lock = threading.RLock()


if hasattr(os, "register_at_fork"):  # not on Windows, which does not fork
    # called before text's (registered at `import triage`, before this
    # module's), so a fork takes this lock, then the tokenizer's, as
    # `triage.warm_up` does
    os.register_at_fork(
        before=_before_fork, after_in_parent=_after_fork_in_parent, after_in_child=_new_lock
    )


@contextlib.contextmanager
def loading() -> Iterator[None]:
    """Hold the lock a fork waits for while doing what is done once a
    process (`triage.warm_up`)."""
    with _lock:
        yield


_model: TriageModel | None = None
# whether `_model` came from `set_default_model` rather than from the lookup
# order, which worker processes follow by themselves
_user_set = False
# where the lookup order found `_model`, resolved when it was loaded
_source: Path | None = None
# how many loads of the default model have failed, and the last one's error:
# the calls that waited for a load share its failure rather than each try
# again in turn, while a call made after it tries again
_failures = 0
_failure: Exception | None = None


def default_model_path() -> Path:
    """Where the default model is read from (see the module docstring)."""
    env = os.environ.get("TRIAGE_MODEL")
    if env:
        return Path(user_path(env))
    here = Path(__file__).resolve().parent
    for candidate in (here / "_models" / "default", here.parent / "models" / "default"):
        if (candidate / "model.json").is_file():
            return candidate
    raise ModelFileError(
        "no default model found: the installed package has no triage/_models/default and "
        f"there is no {here.parent / 'models' / 'default'}; reinstall triage, set TRIAGE_MODEL "
        "to a model directory, or pass model=triage.load_model(path)"
    )


@contextlib.contextmanager
def _naming_the_variable() -> Iterator[None]:
    """A model ``TRIAGE_MODEL`` names that does not load says so: set in a
    service's environment, the path is in no call that fails."""
    try:
        yield
    except ModelFileError as exc:
        if not os.environ.get("TRIAGE_MODEL"):
            raise
        raise ModelFileError(
            f"{exc}; it is the model the TRIAGE_MODEL environment variable names: set it to "
            "the directory of a saved model, or unset it to use the shipped one"
        ) from None


def get_default_model() -> TriageModel:
    """The default model, loaded on the first call (thread-safe) and then shared.

    Calls that wait while the load fails raise its error, as the call that
    loaded does, rather than each load it again in turn; a later call loads
    it again.
    """
    global _model, _source, _failures, _failure
    model = _model
    if model is None:
        failures = _failures  # before waiting: a load that fails meanwhile is shared
        with _lock:
            if _model is None:
                if _failures != failures and _failure is not None:
                    again = _anew(_failure)
                    if again is None:
                        raise _failure
                    raise again from _failure
                from triage.persist import load_model

                try:
                    path = default_model_path().resolve()
                    with _naming_the_variable():
                        _model, _source = load_model(path), path
                except Exception as exc:
                    _failures, _failure = _failures + 1, exc
                    raise
                _failure = None
            model = _model
    return model


def _anew(exc: Exception) -> Exception | None:
    """A copy of `exc` for another thread to raise, None if it does not copy
    whole: one exception raised in two threads at once gets the frames of
    both in its traceback."""
    try:
        again = copy.copy(exc)
    except Exception:
        return None
    return again if type(again) is type(exc) and str(again) == str(exc) else None


def default_model_file(*, warn: bool = True) -> tuple[Path, str]:
    """The directory of the model the lookup order gives this process and the
    SHA-256 of its model file: the one loaded already, else the one it would
    load now (its card checked, not the model).

    For worker processes, which load the default model themselves: given the
    same file, they score as this process does, even after ``TRIAGE_MODEL``
    or the working directory changed. Its card's library versions are warned
    of, as `load_model` warns, unless `warn` is False.
    """
    from triage.persist import read_card, warn_if_stale

    with _lock:
        model, source = _model, _source
    if model is not None and source is not None and not _user_set:
        return source, str(model.card_["file"]["sha256"])
    path = default_model_path().resolve()
    with _naming_the_variable():
        card = warn_if_stale(path) if warn else read_card(path)
    return path, str(card.get("file", {}).get("sha256", ""))


def model_set() -> TriageModel | None:
    """The model `set_default_model` made this process's default, else None
    (the default is the lookup order's, which other processes follow too)."""
    with _lock:
        return _model if _user_set else None


def set_default_model(model: TriageModel | LexiconModel | str | os.PathLike[str] | None) -> None:
    """Make `model` (a `TriageModel`, a `triage.LexiconModel`, or the model saved
    at a path) the process default.

    ``None`` goes back to the shipped default, loaded again on next use.
    Anything else (a number, bytes, a model's class) is a
    `triage.ParameterError`, and so is a `TriageModel` with a parameter
    that predictions read set to a value they cannot use (``set_params``);
    one not fitted yet is a `triage.NotFittedError`.
    """
    global _model
    _refuse_class(model)
    if model is not None and not hasattr(model, "predict_one"):
        if not isinstance(model, str | os.PathLike):
            raise ParameterError(
                "model must be the path of a model directory (str or os.PathLike), a model "
                f"(from triage.load_model or triage.train) or None, got {type(model).__name__}"
            )
        from triage.persist import load_model

        model = load_model(model)
    if model is not None:
        from triage.model import TriageModel

        if isinstance(model, TriageModel):
            # here, not at the next call of some other thread: unfitted, or a
            # parameter a prediction reads set to what it cannot use
            model._check_predicting()
    global _user_set, _source
    with _lock:
        _model = model  # type: ignore[assignment]
        _user_set = model is not None
        _source = None


def _refuse_class(model: object) -> None:
    """Refuse a model's class given for a model (``LexiconModel`` for
    ``LexiconModel()``): it has the methods of one, and fails only when called."""
    if isinstance(model, type):
        raise ParameterError(
            f"model is the class {model.__name__}, not a model: pass a model, such as a "
            "TriageModel from triage.train or triage.load_model, or LexiconModel()"
        )


def resolve_model(
    model: TriageModel | LexiconModel | None, *, needs: str = "predict_one"
) -> TriageModel | LexiconModel:
    """`model`, or the default model for None.

    Raises `triage.ParameterError` (a `TypeError`) for anything without the
    method `needs`, such as the path of a saved model, naming what to call
    instead. The default model is checked too: `set_default_model` takes any
    model of one text, such as a `triage.LexiconModel`.
    """
    _refuse_class(model)
    if model is None:
        model = get_default_model()
        if hasattr(model, needs):
            return model
        raise ParameterError(
            f"the default model is a {type(model).__name__}, which has no {needs}; pass a "
            "TriageModel (from triage.train or triage.load_model) as model="
        )
    from triage.model import TriageModel

    if isinstance(model, TriageModel):
        model._check_fitted()  # an unfitted one lacks `needs` too: say what it lacks
    if not hasattr(model, needs):
        given = type(model).__name__
        hint = ""
        if isinstance(model, str | os.PathLike):
            path = os.fspath(model)
            given += f" {path!r}"
            hint = f"; load a saved model with triage.load_model({path!r})"
        raise ParameterError(
            f"model must be a TriageModel (from triage.train or triage.load_model), "
            f"got {given}{hint}"
        )
    return model
