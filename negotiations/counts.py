"""Per-side counts: an immutable mapping from each :class:`Side` to a whole number."""

from __future__ import annotations

import operator
from collections.abc import Iterator, Mapping

from negotiations._slots import slot_setters
from negotiations.errors import InvalidType, InvalidValue
from negotiations.stages import Side

__all__ = ["SideCounts", "side_of"]

_RUSSIA = Side.RUSSIA
_UKRAINE = Side.UKRAINE
_SIDES = (_RUSSIA, _UKRAINE)


def side_of(value: object, field: str) -> Side:
    """``value`` as a :class:`Side`, or an error naming ``field``.

    Accepts a ``Side`` or its value in any case (``"russia"``, ``"Russia"``).
    """
    if isinstance(value, Side):
        return value
    if isinstance(value, str):
        try:
            return Side(value.lower())
        except ValueError:
            pass
        raise InvalidValue(
            f"{field}: unknown side {value!r}; expected one of {', '.join(s.value for s in Side)}"
        )
    raise InvalidType(f"{field}: a side must be a Side or its name, not {type(value).__name__}")


def count_of(value: object, field: str) -> int:
    """``value`` as a count (a whole number >= 0), or an error naming ``field``."""
    if type(value) is not int:
        if isinstance(value, bool) or not hasattr(type(value), "__index__"):
            raise InvalidType(f"{field} must be a whole number, not {type(value).__name__}")
        value = operator.index(value)  # type: ignore[arg-type]  # has __index__: an int subclass or numpy.int64
    if value < 0:
        raise InvalidValue(f"{field} must not be negative, got {value}")
    return value


class SideCounts(Mapping[Side, int]):
    """How many, for each side; a side that is not mentioned counts 0.

    Equal to any mapping with the same counts, a missing side counting 0:

    >>> SideCounts(2, 2) == {Side.RUSSIA: 2, Side.UKRAINE: 2}
    True
    >>> SideCounts(5, 0) == {Side.RUSSIA: 5}
    True
    >>> SideCounts.of({"ukraine": 3}, "young")
    SideCounts(russia=0, ukraine=3)
    """

    __slots__ = ("russia", "ukraine")

    #: The count for Russia.
    russia: int
    #: The count for Ukraine.
    ukraine: int

    def __init__(self, russia: int = 0, ukraine: int = 0) -> None:
        object.__setattr__(self, "russia", count_of(russia, "russia"))
        object.__setattr__(self, "ukraine", count_of(ukraine, "ukraine"))

    @classmethod
    def of(cls, value: object, field: str) -> SideCounts:
        """Validate ``value`` (a mapping of side to count) into ``SideCounts``, naming ``field``."""
        if isinstance(value, SideCounts):
            return value
        if not isinstance(value, Mapping):
            raise InvalidType(
                f"{field} must be a mapping of side to count, not {type(value).__name__}"
            )
        counts = {Side.RUSSIA: 0, Side.UKRAINE: 0}
        for key, number in value.items():
            side = side_of(key, field)
            counts[side] = count_of(number, f"{field}[{side.value}]")
        return cls._make(counts[Side.RUSSIA], counts[Side.UKRAINE])

    @classmethod
    def _make(cls, russia: int, ukraine: int) -> SideCounts:
        """Build from counts already known to be valid (the hot path: no checks)."""
        made = _new(cls)
        _SET_RUSSIA(made, russia)
        _SET_UKRAINE(made, ukraine)
        return made

    def __getitem__(self, key: Side) -> int:
        if key is _RUSSIA or key == "russia":
            return self.russia
        if key is _UKRAINE or key == "ukraine":
            return self.ukraine
        raise KeyError(key)

    def __iter__(self) -> Iterator[Side]:
        return iter(_SIDES)

    def __len__(self) -> int:
        return 2

    def __add__(self, other: SideCounts) -> SideCounts:
        if type(other) is not SideCounts and not isinstance(other, SideCounts):
            return NotImplemented
        return _plus(self, other)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, SideCounts):
            return self.russia == other.russia and self.ukraine == other.ukraine
        if isinstance(other, Mapping):
            if any(key not in _SIDES for key in other):
                return False
            russia: object = other.get(Side.RUSSIA, 0)
            ukraine: object = other.get(Side.UKRAINE, 0)
            return self.russia == russia and self.ukraine == ukraine
        return NotImplemented

    def __reduce__(self) -> tuple[object, tuple[int, int]]:
        # copy, deepcopy and pickle rebuild through the checked constructor
        return (SideCounts, (self.russia, self.ukraine))

    def __hash__(self) -> int:
        return hash((SideCounts, self.russia, self.ukraine))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"SideCounts is immutable; cannot set {name}")

    def __repr__(self) -> str:
        return f"SideCounts(russia={self.russia}, ukraine={self.ukraine})"

    def to_dict(self) -> dict[str, int]:
        """Plain ``{"russia": n, "ukraine": m}``, for JSON."""
        return {"russia": self.russia, "ukraine": self.ukraine}


_new = object.__new__
_SET_RUSSIA, _SET_UKRAINE = slot_setters(SideCounts, "russia", "ukraine")

ZERO = SideCounts._make(0, 0)


def _plus(one: SideCounts, other: SideCounts) -> SideCounts:
    """``one + other`` without the operator's dispatch (the ledger's hot path)."""
    made = _new(SideCounts)
    _SET_RUSSIA(made, one.russia + other.russia)
    _SET_UKRAINE(made, one.ukraine + other.ukraine)
    return made
