"""Building frozen values fast: the setters of a slotted class's own slots."""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["slot_setters"]


def slot_setters(cls: type, *names: str) -> tuple[Callable[[object, object], None], ...]:
    """The slots' own setters for ``names`` of a frozen slotted class.

    The library's hot paths build values it has already checked through these: a
    frozen class's ``__setattr__`` refuses, and ``object.__setattr__`` costs a lookup
    per field.
    """
    return tuple(cls.__dict__[name].__set__ for name in names)
