"""JSON that names each key once: decoding refuses an object that gives a key twice, and says
where.

Python's :mod:`json` keeps the last of two equal keys and silently drops the first; in a
saved negotiation that could drop a whole list of events. Each object is checked as it
is decoded, by one C ``dict`` call and a comparison of lengths (about 0.1 µs an object);
only when a duplicate is found is the text decoded again, slowly, to say where it is.
"""

from __future__ import annotations

import json
from typing import Any

from negotiations._checks import shorten
from negotiations._errors import InvalidValue

__all__ = ["loads"]


class _Duplicate(Exception):
    """Raised by the hook, inside the decoder: caught at once by :func:`loads`."""


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):
        raise _Duplicate
    return found


_decode = json.JSONDecoder(object_pairs_hook=_unique).decode


def loads(text: str | bytes | bytearray) -> Any:
    """``text`` decoded as JSON, like :func:`json.loads`; an object giving a key twice is an
    :class:`InvalidValue` naming the key and where it stands (also as ``.path``)."""
    try:
        if isinstance(text, str):
            return _decode(text)
        return json.loads(text, object_pairs_hook=_unique)  # detects the bytes' encoding
    except _Duplicate:
        raise _where(text) from None


class _Pairs(list[tuple[str, Any]]):
    """An object's pairs as written, duplicates kept."""


def _where(text: str | bytes | bytearray) -> InvalidValue:
    try:
        found = _find(json.loads(text, object_pairs_hook=_Pairs), "")
    except RecursionError:  # pragma: no cover - the first decoding would have failed first
        found = None
    if found is None:  # pragma: no cover - the first decoding found one
        return InvalidValue("a key is given twice in one object; each key may appear once")
    key, path = found
    return InvalidValue(
        f"{shorten(path, quoted=False)}: the key {shorten(key)} is given twice in one object; "
        "each key may appear once "
        "(the later value would silently replace the earlier)",
        path=path,
    )


def _find(value: object, path: str) -> tuple[str, str] | None:
    """The first key given twice in ``value`` (decoded with :class:`_Pairs`), and its path."""
    if isinstance(value, _Pairs):
        seen: set[str] = set()
        for key, _ in value:
            if key in seen:
                return key, f"{path}.{key}" if path else key
            seen.add(key)
        items = [(f"{path}.{key}" if path else key, item) for key, item in value]
    elif isinstance(value, list):
        items = [(f"{path}[{number}]", item) for number, item in enumerate(value)]
    else:
        return None
    for where, item in items:
        found = _find(item, where)
        if found is not None:
            return found
    return None
