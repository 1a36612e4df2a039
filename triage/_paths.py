"""Paths as a user writes them (a leading ``~`` is the home directory), and
the new files written beside them."""

from __future__ import annotations

import os
import secrets

from triage.exceptions import ParameterError

__all__ = ["new_file", "user_path"]


def user_path(path: str | os.PathLike[str], name: str = "path") -> str | os.PathLike[str]:
    """`path` with a leading ``~`` or ``~user`` made that user's home directory.

    As a shell and pandas' readers take it: ``~/complaints.csv`` is
    ``complaints.csv`` in the home directory, also where no shell expanded it
    (``--policy=~/p.toml``, a path in a notebook or an environment variable).
    Any other path is returned as given. What is no path of text (None, a
    number, bytes) is a `ParameterError` naming the parameter, `name`, where
    ``os.path`` said "expected str, bytes or os.PathLike object" of no
    parameter.
    """
    if not isinstance(path, str | os.PathLike) or not isinstance(os.fspath(path), str):
        raise ParameterError(
            f"{name} must be a path (str or os.PathLike), got {type(path).__name__}"
        )
    expanded = os.path.expanduser(path)
    return path if expanded == os.fspath(path) else expanded


def new_file(folder: str | os.PathLike[str], prefix: str, suffix: str) -> tuple[int, str]:
    """A new file ``<prefix><random hex><suffix>`` in `folder`, open, as
    `tempfile.mkstemp` makes one, but with the permissions `open` gives a new
    file (0o666 less the umask), which it keeps when renamed into place.

    mkstemp's are 0o600 whatever the umask; setting them to 0o644 made a file
    readable by everyone under a umask of 077, and reading the umask to widen
    them set it to 0 for a moment, for every thread of the process.
    """
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL
    flags |= getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    while True:
        path = os.path.join(folder, f"{prefix}{secrets.token_hex(8)}{suffix}")
        try:
            return os.open(path, flags, 0o666), path
        except FileExistsError:  # another writer's, by a chance of 2**-64
            continue
