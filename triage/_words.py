"""Counts in the messages a user reads: ``1 row``, ``2 rows``."""

from __future__ import annotations

__all__ = ["counted", "plural"]


def plural(n: int, noun: str) -> str:
    """`noun` as `n` of it is said: ``row`` for 1, ``rows`` for 0 and 2."""
    return noun if n == 1 else noun + "s"


def counted(n: int, noun: str) -> str:
    """``1 row``, ``2 rows``, ``1,000 rows``.

    >>> counted(1, "row"), counted(0, "malformed line"), counted(1000, "text")
    ('1 row', '0 malformed lines', '1,000 texts')
    """
    return f"{n:,} {plural(n, noun)}"
