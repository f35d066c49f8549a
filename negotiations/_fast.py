"""The one place speed code lives: building frozen values the library has already checked.

A frozen ``attrs`` class runs its converters and validators on every
construction, which is right for values that come from a user. The library's
own hot paths (a move's event, a state after a move) build values from parts it
checked a moment before; :func:`trusted` gives them a constructor, made once
per class from the class's own ``attrs`` fields, that sets the slots directly
(as the ``__init__`` ``attrs`` generates would, without the checks). Nothing
else in the package sets a slot.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import attrs

__all__ = ["trusted"]

T = TypeVar("T")
Setter = Callable[[object, object], None]


def trusted(cls: type[T]) -> Callable[..., T]:
    """A constructor of ``cls`` taking every field, in order, with no checks.

    Only for values made from parts that were checked already (the result must
    be exactly what the checked constructor would have made).
    """
    setters: tuple[Setter, ...] = tuple(
        cls.__dict__[field.name].__set__
        for field in attrs.fields(cls)  # type: ignore[arg-type]  # an attrs class
    )
    build: Callable[[type[T], tuple[Setter, ...]], Callable[..., T]] = _BY_COUNT.get(
        len(setters), _any_count
    )
    make = build(cls, setters)
    make.__name__ = make.__qualname__ = f"trusted_{cls.__name__}"
    return make


def _three(cls: type[T], setters: tuple[Setter, ...]) -> Callable[..., T]:
    new = object.__new__
    a, b, c = setters

    def make(x: Any, y: Any, z: Any) -> T:
        made = new(cls)
        a(made, x)
        b(made, y)
        c(made, z)
        return made

    return make


def _six(cls: type[T], setters: tuple[Setter, ...]) -> Callable[..., T]:
    new = object.__new__
    a, b, c, d, e, f = setters

    def make(u: Any, v: Any, w: Any, x: Any, y: Any, z: Any) -> T:  # noqa: PLR0917  # the fields
        made = new(cls)
        a(made, u)
        b(made, v)
        c(made, w)
        d(made, x)
        e(made, y)
        f(made, z)
        return made

    return make


def _seven(cls: type[T], setters: tuple[Setter, ...]) -> Callable[..., T]:
    new = object.__new__
    a, b, c, d, e, f, g = setters

    def make(t: Any, u: Any, v: Any, w: Any, x: Any, y: Any, z: Any) -> T:  # noqa: PLR0917  # as above
        made = new(cls)
        a(made, t)
        b(made, u)
        c(made, v)
        d(made, w)
        e(made, x)
        f(made, y)
        g(made, z)
        return made

    return make


def _nine(cls: type[T], setters: tuple[Setter, ...]) -> Callable[..., T]:
    new = object.__new__
    a, b, c, d, e, f, g, h, i = setters

    def make(  # noqa: PLR0917  # the fields, in order
        r: Any, s: Any, t: Any, u: Any, v: Any, w: Any, x: Any, y: Any, z: Any
    ) -> T:
        made = new(cls)
        a(made, r)
        b(made, s)
        c(made, t)
        d(made, u)
        e(made, v)
        f(made, w)
        g(made, x)
        h(made, y)
        i(made, z)
        return made

    return make


def _ten(cls: type[T], setters: tuple[Setter, ...]) -> Callable[..., T]:
    new = object.__new__
    a, b, c, d, e, f, g, h, i, j = setters

    def make(  # noqa: PLR0917  # the fields, in order
        q: Any, r: Any, s: Any, t: Any, u: Any, v: Any, w: Any, x: Any, y: Any, z: Any
    ) -> T:
        made = new(cls)
        a(made, q)
        b(made, r)
        c(made, s)
        d(made, t)
        e(made, u)
        f(made, v)
        g(made, w)
        h(made, x)
        i(made, y)
        j(made, z)
        return made

    return make


def _any_count(cls: type[T], setters: tuple[Setter, ...]) -> Callable[..., T]:
    new = object.__new__
    indexed = tuple(enumerate(setters))

    def make(*values: Any) -> T:
        if len(values) != len(indexed):  # a programming error: every field, in order
            raise TypeError(f"{cls.__name__}: {len(indexed)} fields, {len(values)} given")
        made = new(cls)
        for at, setter in indexed:
            setter(made, values[at])
        return made

    return make


#: The shapes of the library's hot values: a blocker (3 fields), a ledger and a pledge
#: (6), an event (7, 9 with its date and citation), a state (10); any other count takes the
#: general loop.
_BY_COUNT: dict[int, Callable[[Any, tuple[Setter, ...]], Callable[..., Any]]] = {
    3: _three,
    6: _six,
    7: _seven,
    9: _nine,
    10: _ten,
}
