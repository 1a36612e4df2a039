"""Package-data files (word lists, lexicons, the default policy), read lazily."""

from __future__ import annotations

import functools
import tomllib
from importlib import resources
from typing import Any

__all__ = ["read_text", "read_toml", "resource_path", "word_list"]

_PACKAGE = "triage.resources"


def resource_path(name: str) -> str:
    """Filesystem path of a resource file (package data is never zipped here)."""
    return str(resources.files(_PACKAGE).joinpath(name))


def read_text(name: str) -> str:
    return resources.files(_PACKAGE).joinpath(name).read_text(encoding="utf-8")


@functools.cache
def read_toml(name: str) -> dict[str, Any]:
    return tomllib.loads(read_text(name))


@functools.cache
def word_list(name: str) -> frozenset[str]:
    """A one-word-per-line list; ``#`` starts a comment, blank lines are skipped."""
    words = set()
    for line in read_text(name).splitlines():
        word = line.split("#", 1)[0].strip()
        if word:
            words.add(word)
    return frozenset(words)
