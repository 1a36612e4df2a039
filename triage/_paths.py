"""Paths as a user writes them: a leading ``~`` is the home directory."""

from __future__ import annotations

import os

__all__ = ["user_path"]


def user_path(path: str | os.PathLike[str]) -> str | os.PathLike[str]:
    """`path` with a leading ``~`` or ``~user`` made that user's home directory.

    As a shell and pandas' readers take it: ``~/complaints.csv`` is
    ``complaints.csv`` in the home directory, also where no shell expanded it
    (``--policy=~/p.toml``, a path in a notebook or an environment variable).
    Any other path is returned as given.
    """
    expanded = os.path.expanduser(path)
    return path if expanded == os.fspath(path) else expanded
