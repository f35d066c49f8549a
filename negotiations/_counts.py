"""Per-party counts: an immutable mapping from each party's name to a whole number."""

from __future__ import annotations

import operator
from collections.abc import ItemsView, Iterable, Iterator, KeysView, Mapping, ValuesView
from typing import Any, cast

from negotiations._checks import check_count, check_party, shorten
from negotiations._errors import InvalidType, InvalidValue
from negotiations._stages import Side

__all__ = ["ZERO", "Counts", "SideCounts", "check_counted", "each_side"]

_SIDES = (Side.RUSSIA, Side.UKRAINE)


class Counts(Mapping[str, int]):
    """How many, for each party; a party that is not mentioned counts 0.

    Equal to any mapping with the same counts, a missing party counting 0:

    >>> Counts({"israel": 30, "hamas": 1}) == {"hamas": 1, "israel": 30}
    True
    >>> Counts({"israel": 30, "hamas": 1})["hamas"]
    1
    """

    __slots__ = ("_parties", "_values")

    _parties: tuple[str, ...]
    _values: tuple[int, ...]

    def __init__(self, counts: Mapping[str, int] | None = None, /) -> None:
        made = Counts.of({} if counts is None else counts, "counts")
        object.__setattr__(self, "_parties", made._parties)
        object.__setattr__(self, "_values", made._values)

    @classmethod
    def of(cls, value: object, field: str, parties: tuple[str, ...] | None = None) -> Counts:
        """Check ``value`` (a mapping of party to count) into counts, naming ``field``.

        With ``parties``, every key must be one of them (in any case) and the counts
        come in their order; without, the keys are kept in the order given. Counts
        keyed by the article's two sides are :class:`SideCounts`.
        """
        if type(value) is not dict:  # a dict needs no ABC checks (isinstance on Mapping)
            if isinstance(value, Counts) and (parties is None or value._parties == parties):
                return value
            if not isinstance(value, Mapping):
                raise InvalidType(
                    f"{field} must be a mapping of party to count, not {type(value).__name__}",
                    path=field,
                )
        counts: dict[str, int] = dict.fromkeys(parties, 0) if parties is not None else {}
        spelled: dict[str, object] = {}  # each party's key as given: one key a party
        for key, number in value.items():
            party = check_party(key, field, parties)
            if party in spelled:
                raise InvalidValue(
                    f"{field}: {shorten(str(party))} is named twice ({shorten(spelled[party])} "
                    f"and {shorten(key)})",
                    path=field,
                )
            spelled[party] = key
            if type(number) is int and number >= 0:  # the common case, with no message to write
                counts[party] = number
            else:
                counts[party] = check_count(number, f"{field}[{party}]")
        named = tuple(counts)
        if parties is None and named != _SIDES and all(isinstance(p, Side) for p in named):
            # The article's sides alone: both, in their order (other parties may be named
            # with them in a process of more parties; the process checks its own).
            return _made(_SIDES, (counts.get(_SIDES[0], 0), counts.get(_SIDES[1], 0)))
        return _made(named, tuple(counts.values()))

    @classmethod
    def zero(cls, parties: Iterable[str]) -> Counts:
        """0 for each of ``parties``."""
        names = tuple(parties)
        return _made(names, (0,) * len(names))

    # Read on every move: C getters, with no Python frame.
    parties: tuple[str, ...] = property(  # type: ignore[assignment]  # a property, typed as what it gives
        operator.attrgetter("_parties"), doc="The parties counted, in order."
    )
    numbers: tuple[int, ...] = property(  # type: ignore[assignment]  # as above
        operator.attrgetter("_values"), doc="The counts, in the parties' order."
    )

    @property
    def total(self) -> int:
        """The sum over every party."""
        return sum(self._values)

    def __getitem__(self, key: str) -> int:
        parties = self._parties
        if key in parties:
            return self._values[parties.index(key)]
        raise KeyError(key)

    def get(self, key: str, default: Any = 0) -> Any:
        """The count for ``key``, ``default`` (0) when it is not counted."""
        parties = self._parties
        return self._values[parties.index(key)] if key in parties else default

    def __iter__(self) -> Iterator[str]:
        return iter(self._parties)

    def __contains__(self, key: object) -> bool:
        return key in self._parties

    def keys(self) -> KeysView[str]:
        """The parties counted, in order."""
        return dict.fromkeys(self._parties).keys()

    def values(self) -> ValuesView[int]:
        """The counts, in the parties' order."""
        return dict(zip(self._parties, self._values, strict=True)).values()

    def items(self) -> ItemsView[str, int]:
        """(party, count) pairs, in the parties' order."""
        return dict(zip(self._parties, self._values, strict=True)).items()

    def over(self, parties: tuple[str, ...]) -> tuple[int, ...]:
        """The counts of ``parties``, in their order (0 for a party not counted)."""
        if parties == self._parties:
            return self._values
        return tuple(self.get(party, 0) for party in parties)

    @property
    def any(self) -> bool:
        """Whether anyone is counted at all."""
        return any(self._values)

    def __len__(self) -> int:
        return len(self._parties)

    def __add__(self, other: Counts) -> Counts:
        if type(other) not in _KINDS and not isinstance(other, Counts):
            return NotImplemented
        if self._parties == other._parties:
            mine, theirs = self._values, other._values
            if len(mine) == 2:  # two parties, the common case: no loop
                return _made(self._parties, (mine[0] + theirs[0], mine[1] + theirs[1]))
            return _made(self._parties, tuple(a + b for a, b in zip(mine, theirs, strict=True)))
        summed = dict(self.items())
        for party, number in other.items():
            summed[party] = summed.get(party, 0) + number
        return _made(tuple(summed), tuple(summed.values()))

    def __eq__(self, other: object) -> bool:
        if type(other) in _KINDS or isinstance(other, Counts):
            counts = cast("Counts", other)  # _KINDS are Counts: no second isinstance
            if self._parties == counts._parties:
                return self._values == counts._values
            return self._nonzero() == counts._nonzero()
        if isinstance(other, Mapping):
            parties = self._parties
            if any(key not in parties for key in other):  # counted parties only
                return False
            return all(other.get(party, 0) == n for party, n in self.items())
        return NotImplemented

    def _nonzero(self) -> dict[str, int]:
        return {party: n for party, n in zip(self._parties, self._values, strict=True) if n}

    def __hash__(self) -> int:
        return hash(frozenset(self._nonzero().items()))

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        # copy, deepcopy and pickle rebuild through the checked constructor
        return (Counts, (dict(self.items()),))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable; cannot set {name}")

    def __repr__(self) -> str:
        shown = ", ".join(f"{shorten(str(party), quoted=False)}={n}" for party, n in self.items())
        return f"Counts({shown})"

    def to_dict(self) -> dict[str, int]:
        """Plain ``{"party": n, ...}``, for JSON."""
        return dict(zip(map(str, self._parties), self._values))  # noqa: B905  # equal lengths


class SideCounts(Counts):
    """Counts for the article's two sides, Russia then Ukraine.

    >>> SideCounts(2, 2) == {Side.RUSSIA: 2, Side.UKRAINE: 2}
    True
    >>> SideCounts(5, 0) == {Side.RUSSIA: 5}
    True
    >>> SideCounts.of({"ukraine": 3}, "young")
    SideCounts(russia=0, ukraine=3)
    """

    __slots__ = ()

    def __init__(self, russia: int = 0, ukraine: int = 0) -> None:
        object.__setattr__(self, "_parties", _SIDES)
        object.__setattr__(
            self, "_values", (check_count(russia, "russia"), check_count(ukraine, "ukraine"))
        )

    @classmethod
    def of(cls, value: object, field: str, parties: tuple[str, ...] | None = None) -> SideCounts:
        """Check ``value`` (a mapping of side to count) into ``SideCounts``, naming ``field``."""
        made = Counts.of(value, field, _SIDES)
        assert isinstance(made, SideCounts)  # counts of the two sides are SideCounts
        return made

    @property
    def russia(self) -> int:
        """The count for Russia."""
        return self._values[0]

    @property
    def ukraine(self) -> int:
        """The count for Ukraine."""
        return self._values[1]

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        return (SideCounts, self._values)

    def __repr__(self) -> str:
        return f"SideCounts(russia={self._values[0]}, ukraine={self._values[1]})"


#: The classes of counts, known without asking ``isinstance`` (which goes through the
#: ``Mapping`` ABC for a subclass: slow on the paths every move takes).
_KINDS = (Counts, SideCounts)
_new = object.__new__
_SET_PARTIES = Counts.__dict__["_parties"].__set__
_SET_VALUES = Counts.__dict__["_values"].__set__


def _made(parties: tuple[str, ...], values: tuple[int, ...]) -> Counts:
    """Counts from parts already checked."""
    made = _new(SideCounts if parties == _SIDES else Counts)
    _SET_PARTIES(made, parties)
    _SET_VALUES(made, values)
    return made


def each_side(number: int) -> SideCounts:
    """``number`` for each of the article's sides (a count the caller has checked)."""
    return cast("SideCounts", _made(_SIDES, (number, number)))  # counts of the two sides


#: No one released, for the article's sides.
ZERO: SideCounts = SideCounts(0, 0)


def check_counted(part: Counts, whole: Counts, field: str) -> None:
    """Every party ``part`` counts someone for is a party of ``whole``, else an error naming
    ``field`` (``seriously_ill: unknown side 'belarus'; expected one of russia, ukraine``)."""
    if part._parties == whole._parties:
        return
    for party, number in zip(part._parties, part._values):  # noqa: B905  # equal lengths
        if number and party not in whole._parties:
            raise InvalidValue(
                f"{field}: unknown side {shorten(party)}; expected one of "
                f"{', '.join(map(str, whole.parties))}",
                path=field,
            )
