"""One error tree: everything the library raises on purpose is a `TriageError`.

Concrete errors also subclass the matching builtin, so callers can catch either
``triage.ModelFileError`` or plain ``ValueError``. Some builtins are raised
as they are, as `open`, a mapping or an import raise them: `FileNotFoundError`
for an input that is not there, `FileExistsError` for an output that would be
replaced without ``overwrite``, `KeyError` for a key a mapping does not hold
(a label of a `triage.LabelMap`, a word of `triage.vectors.WordVectors`), and
`ImportError` for an optional dependency that is not installed (pyarrow for
Parquet, matplotlib for plots).
"""

from __future__ import annotations

import os
import sys
from types import FrameType

__all__ = [
    "ColumnError",
    "InputFileError",
    "InvalidTextError",
    "LabelColumnError",
    "LabelError",
    "ModelFileError",
    "NotFittedError",
    "ParameterError",
    "PolicyError",
    "TriageError",
    "TriageWarning",
]


class TriageError(Exception):
    """Root of the errors `triage` raises on purpose.

    Python's own are raised as they are (see `triage.exceptions`):
    `FileNotFoundError` for an input that is not there, `FileExistsError` for
    an output that would be replaced without ``overwrite``, `ImportError` for
    an optional package that is not installed.
    """


class TriageWarning(UserWarning):
    """Root of every warning `triage` gives, so an application can filter them
    as one (``warnings.filterwarnings("ignore", category=triage.TriageWarning)``).

    A `UserWarning`, as they all were. Each points at the application's line
    that called the library, so that filtering by module cannot single them out.
    """


class InputFileError(TriageError, ValueError):
    """An input file cannot be read as a table; the message names the file.

    It is empty or blank, with no header (almost always a failed export; a
    file with a header and no rows is a table, and is read), or it is not
    what its name says: a workbook, binary or compressed data given as
    text, a broken ``.gz``, ``.bz2``, ``.xz`` or ``.zip``, a zip archive of
    no file or several, a malformed header, a file that is not Parquet.
    """


class ColumnError(TriageError, KeyError, ValueError):
    """A frame or file lacks a column the call needs, or holds one name twice;
    the message names the column and the columns there.

    A `KeyError`, as pandas raises for a missing column, and a `ValueError`.
    """

    def __str__(self) -> str:  # the message, not KeyError's repr of it
        return str(self.args[0]) if self.args else ""


class InvalidTextError(TriageError, TypeError):
    """A text argument is not a `str` (None, NaN, a number, bytes ...)."""


class LabelError(TriageError, ValueError):
    """A labeled frame does not follow the label definitions."""


class LabelColumnError(LabelError, ColumnError):
    """A labeled frame or file lacks a column of the label definitions
    (``primary``, say), or holds one twice: a `LabelError` as every bad
    labeled frame is, and a `ColumnError` (so a `KeyError`) as every missing
    column is. The message names the columns.
    """


class ModelFileError(TriageError, ValueError):
    """A model file is missing, modified, truncated, foreign or incompatible.

    Raised before anything in the file is unpickled, but for a file that
    matches its card and still does not unpickle to a fitted model.
    """


class ParameterError(TriageError, ValueError, TypeError):
    """A parameter has a value the library cannot use: a model parameter
    `fit` cannot use or one that leaves nothing to learn from the data given
    (a ``min_df`` that keeps no term, say), a `triage.Context` field of the
    wrong type, a ``policy=`` that is not a `triage.Policy`; the message
    names the parameter and what it allows.

    Like scikit-learn's ``InvalidParameterError`` it is both a `ValueError`
    and a `TypeError`, since a bad value may be of the wrong type or out of
    range.
    """


class PolicyError(TriageError, ValueError):
    """A priority policy is malformed; the message names the bad entry."""


class NotFittedError(TriageError, ValueError, AttributeError):
    """An estimator was used before `fit`.

    Like scikit-learn's ``NotFittedError``, it is both a `ValueError` and an
    `AttributeError`.
    """


_PACKAGE = os.path.dirname(os.path.abspath(__file__)) + os.sep


def user_stacklevel() -> int:
    """The `warnings.warn` stacklevel of the first caller outside this package,
    so a warning points at the user's line however deep inside it was raised."""
    level = 1
    frame: FrameType | None = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame = frame.f_back
        level += 1
    return level
