"""Counts in the messages a user reads: ``1 row``, ``2 rows``; and the
names of columns, which a file of texts without a header makes texts."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

__all__ = ["counted", "names_shown", "plural", "shown"]

#: How many characters of a long value a message shows.
SHOWN = 50

#: How many column names a message lists.
NAMES_SHOWN = 30


def plural(n: int, noun: str) -> str:
    """`noun` as `n` of it is said: ``row`` for 1, ``rows`` for 0 and 2."""
    return noun if n == 1 else noun + "s"


def counted(n: int, noun: str) -> str:
    """``1 row``, ``2 rows``, ``1,000 rows``.

    >>> counted(1, "row"), counted(0, "malformed line"), counted(1000, "text")
    ('1 row', '0 malformed lines', '1,000 texts')
    """
    return f"{n:,} {plural(n, noun)}"


def shown(value: Any) -> str:
    """The repr of a value for a message; a long string (a text pasted into
    the wrong cell, or read as a column's name) is its first `SHOWN`
    characters and its length.

    >>> shown("物流"), shown("快" * 60)[-21:]
    ("'物流'", "快'... (60 characters)")
    """
    if isinstance(value, str) and len(value) > SHOWN:
        return f"{value[:SHOWN]!r}... ({len(value):,} characters)"
    return repr(value)


def names_shown(names: Iterable[Any]) -> str:
    """Column names listed for a message, as their list's repr (``['id',
    'body']``), but for a long name, cut as `shown` cuts it, and for names
    past the first `NAMES_SHOWN`, counted: the first line of a file of
    texts without a header is its header, and a message that named its
    columns held the whole of a customer's text.

    >>> names_shown(["id", "快" * 60])[-22:]
    "快'... (60 characters)]"
    >>> names_shown(range(40))[-16:]
    '29, ... 10 more]'
    """
    listed = list(names)
    more = len(listed) - NAMES_SHOWN
    return (
        "["
        + ", ".join(shown(n) for n in listed[:NAMES_SHOWN])
        + (f", ... {more:,} more" if more > 0 else "")
        + "]"
    )
