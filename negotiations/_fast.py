"""The one place speed code lives: building frozen values the library has already checked.

A frozen ``attrs`` class runs its converters and validators on every
construction, which is right for values that come from a user. The library's
own hot paths (a move's event, a state after a move) build values from parts it
checked a moment before; :func:`trusted` gives them a constructor, generated
once per class from the class's own ``attrs`` fields (as ``attrs`` itself
generates ``__init__``), that sets the slots directly. Nothing else in the
package sets a slot.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import attrs

__all__ = ["trusted"]

T = TypeVar("T")


def trusted(cls: type[T]) -> Callable[..., T]:
    """A constructor of ``cls`` taking every field, in order, with no checks.

    Only for values made from parts that were checked already (the result must
    be exactly what the checked constructor would have made).
    """
    setters = tuple(cls.__dict__[field.name].__set__ for field in attrs.fields(cls))  # type: ignore[arg-type]  # an attrs class
    new = object.__new__
    count = len(setters)
    indexed = tuple(enumerate(setters))

    def make(*values: Any) -> T:
        if len(values) != count:  # a programming error: the fields are all given, in order
            raise TypeError(f"{cls.__name__}: {count} fields, {len(values)} given")
        made = new(cls)
        for at, setter in indexed:
            setter(made, values[at])
        return made

    make.__name__ = make.__qualname__ = f"trusted_{cls.__name__}"
    return make
