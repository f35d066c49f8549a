"""Quoting what a user gave in a message: long values shortened, their real length said."""

from __future__ import annotations

__all__ = ["shorten"]


def shorten(value: object, limit: int = 80, *, quoted: bool = True) -> str:
    """``value`` as a message quotes it: its ``repr`` (or, unquoted, the text itself), cut
    in the middle when longer than ``limit`` characters, with the real length said.

    Messages quote what a user gave (a name, a reason, a trigger); a value of any size
    must not make a message of that size.

    >>> print(shorten("prisoners"))
    'prisoners'
    >>> print(shorten("a" * 50_000_000, 20))
    'aaaaaaaaaaaaa…aaaaaa' (50000000 characters)
    >>> print(shorten("a" * 50, 20, quoted=False))
    aaaaaaaaaaaaa…aaaaaa (50 characters)
    """
    if isinstance(value, str):
        text = value
        if len(text) <= limit:
            shown = repr(text) if quoted else text
            if len(shown) <= limit + 2:  # the quotes do not count
                return shown
    else:
        text = repr(value)  # a value that is not text is quoted as its repr
        if len(text) <= limit:
            return text
        quoted = False
    head = max(1, limit * 2 // 3)
    tail = max(1, limit - head - 1)
    cut = f"{text[:head]}…{text[-tail:]}"
    return f"{cut!r} ({len(text)} characters)" if quoted else f"{cut} ({len(text)} characters)"
