"""Handovers: a :class:`Tranche` of people each side releases, and the :class:`Prisoner` records."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from attrs import field, frozen

from negotiations._fields import (
    check_bool,
    check_count,
    check_optional_text,
    check_side,
    check_text,
    reader,
)
from negotiations._slots import slot_setters
from negotiations.counts import ZERO, SideCounts
from negotiations.errors import InvalidType, InvalidValue
from negotiations.stages import Side
from negotiations.terms import ISTANBUL_TERMS, ExchangeTerms

__all__ = ["Prisoner", "Tranche"]


def _optional_age(value: object) -> int | None:
    return None if value is None else check_count(value, "age")


def _id(value: object) -> str:
    return check_text(value, "id")


def _held_by(value: object) -> Side:
    return check_side(value, "held_by")


def _seriously_ill_flag(value: object) -> bool:
    return check_bool(value, "seriously_ill")


def _civilian(value: object) -> bool:
    return check_bool(value, "civilian")


def _origin(value: object) -> str | None:
    return check_optional_text(value, "origin")


def _released(value: object) -> SideCounts:
    return SideCounts.of(value, "released")


def _civilians(value: object) -> bool:
    return check_bool(value, "civilians")


def _seriously_ill(value: object) -> SideCounts:
    return SideCounts.of(value, "seriously_ill")


def _young(value: object) -> SideCounts:
    return SideCounts.of(value, "young")


@frozen
class Prisoner:
    """A named person held by one side, who may be released in a tranche.

    >>> Prisoner("K-1", Side.UKRAINE, age=67, civilian=True, origin="Kursk Oblast")
    Prisoner(id='K-1', held_by=<Side.UKRAINE: 'ukraine'>, age=67, seriously_ill=False, \
civilian=True, origin='Kursk Oblast')
    """

    id: str = field(converter=_id)
    held_by: Side = field(converter=_held_by)
    age: int | None = field(default=None, converter=_optional_age)
    seriously_ill: bool = field(default=False, kw_only=True, converter=_seriously_ill_flag)
    civilian: bool = field(default=False, kw_only=True, converter=_civilian)
    origin: str | None = field(default=None, kw_only=True, converter=_origin)

    def is_young(self, age_limit: int) -> bool:
        """Under ``age_limit`` years old (an unknown age is not young)."""
        return self.age is not None and self.age < age_limit

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        data: dict[str, Any] = {"id": self.id, "held_by": self.held_by.value}
        if self.age is not None:
            data["age"] = self.age
        if self.seriously_ill:
            data["seriously_ill"] = True
        if self.civilian:
            data["civilian"] = True
        if self.origin is not None:
            data["origin"] = self.origin
        return data

    @classmethod
    def from_dict(cls, data: object, where: str = "prisoner") -> Prisoner:
        """Rebuild from :meth:`to_dict`; a bad or missing field is an error naming it."""
        read = reader(data, where, _PRISONER_FIELDS)
        return read.build(
            cls,
            read.text("id"),
            read.side("held_by"),
            read.optional_count("age"),
            seriously_ill=read.flag("seriously_ill", False),
            civilian=read.flag("civilian", False),
            origin=read.optional_text("origin"),
        )


_PRISONER_FIELDS = frozenset({"id", "held_by", "age", "seriously_ill", "civilian", "origin"})


def _prisoners(value: object) -> tuple[Prisoner, ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise InvalidType(f"prisoners must be a sequence of Prisoner, not {type(value).__name__}")
    people = tuple(value)
    for index, person in enumerate(people):
        if not isinstance(person, Prisoner):
            raise InvalidType(f"prisoners[{index}] must be a Prisoner, not {type(person).__name__}")
    return people


@frozen
class Tranche:
    """One handover: how many people each side releases, and of whom how many are priority.

    Counts are by *releasing* side. Both sides must release the same number
    (``exchange.reciprocal``); ``seriously_ill`` and ``young`` are part of
    ``released`` (one person can be both); a tranche is all civilians or none.

    >>> Tranche.even(2, civilians=True)
    Tranche(released=SideCounts(russia=2, ukraine=2), civilians=True, \
seriously_ill=SideCounts(russia=0, ukraine=0), young=SideCounts(russia=0, ukraine=0), prisoners=())
    >>> Tranche(released={Side.RUSSIA: 3, Side.UKRAINE: 2})
    Traceback (most recent call last):
    ...
    negotiations.errors.InvalidValue: released: a tranche must be reciprocal \
(exchange.reciprocal), but Russia releases 3 and Ukraine 2
    """

    released: SideCounts = field(converter=_released)
    civilians: bool = field(default=False, converter=_civilians)
    seriously_ill: SideCounts = field(default=ZERO, converter=_seriously_ill)
    young: SideCounts = field(default=ZERO, converter=_young)
    prisoners: tuple[Prisoner, ...] = field(default=(), converter=_prisoners)

    def __attrs_post_init__(self) -> None:
        if self.prisoners:
            _check_listed_once(self.prisoners)
        russia, ukraine = self.released.russia, self.released.ukraine
        if russia != ukraine:
            raise InvalidValue(
                "released: a tranche must be reciprocal (exchange.reciprocal), "
                f"but Russia releases {russia} and Ukraine {ukraine}"
            )
        if russia == 0:
            raise InvalidValue("released: a tranche releases at least one person each side")
        for name in ("seriously_ill", "young"):
            priority: SideCounts = getattr(self, name)
            for side in Side:
                if priority[side] > self.released[side]:
                    raise InvalidValue(
                        f"{name}[{side.value}]: {priority[side]} is more than the "
                        f"{self.released[side]} {side.label} releases"
                    )
        if self.prisoners:
            self._check_against_prisoners()

    def _check_against_prisoners(self) -> None:
        if not self.civilians and all(person.civilian for person in self.prisoners):
            raise InvalidValue(
                "civilians: every prisoner listed is a civilian, so this is a civilian tranche "
                "(civilians=True)"
            )
        if self.civilians and not all(person.civilian for person in self.prisoners):
            raise InvalidValue(
                "prisoners: a civilian tranche lists soldiers "
                "(exchange.civilians_separate: the civilians were returned separately)"
            )
        for name, expected in (
            ("released", _count(self.prisoners, lambda p: True)),
            ("seriously_ill", _count(self.prisoners, lambda p: p.seriously_ill)),
        ):
            if getattr(self, name) != expected:
                raise InvalidValue(
                    f"{name}: {getattr(self, name)!r} does not match the prisoners listed "
                    f"({expected!r})"
                )

    @classmethod
    def even(
        cls, n: int, *, civilians: bool = False, seriously_ill: int = 0, young: int = 0
    ) -> Tranche:
        """``n`` for ``n``: each side releases ``n``, of whom ``seriously_ill`` and ``young``."""
        n = check_count(n, "n")
        if n == 0:
            raise InvalidValue("n: a tranche releases at least one person each side")
        seriously_ill = check_count(seriously_ill, "seriously_ill")
        young = check_count(young, "young")
        return cls(
            released=SideCounts(n, n),
            civilians=civilians,
            seriously_ill=SideCounts(seriously_ill, seriously_ill),
            young=SideCounts(young, young),
        )

    @classmethod
    def from_prisoners(
        cls, prisoners: Iterable[Prisoner], terms: ExchangeTerms = ISTANBUL_TERMS
    ) -> Tranche:
        """A tranche of named people; counts are derived, "young" from ``terms.age_limit``.

        Refuses a person listed twice, an unbalanced list and, where the terms
        keep civilians separate, a mix of civilians and soldiers.

        >>> kursk = [Prisoner(f"K-{i}", Side.UKRAINE, civilian=True, origin="Kursk Oblast")
        ...          for i in (1, 2)]
        >>> others = [Prisoner(f"U-{i}", Side.RUSSIA, age=22, civilian=True) for i in (1, 2)]
        >>> tranche = Tranche.from_prisoners(kursk + others)
        >>> tranche.released, tranche.young, tranche.civilians
        (SideCounts(russia=2, ukraine=2), SideCounts(russia=2, ukraine=0), True)
        """
        people = _prisoners(prisoners)
        if not people:
            raise InvalidValue("prisoners: a tranche releases at least one person each side")
        _check_listed_once(people)
        if not isinstance(terms, ExchangeTerms):
            raise InvalidType(f"terms must be ExchangeTerms, not {type(terms).__name__}")
        kinds = {person.civilian for person in people}
        if len(kinds) > 1 and terms.civilians_separate:
            raise InvalidValue(_MIXED)
        limit = terms.age_limit
        return cls(
            released=_count(people, lambda p: True),
            civilians=kinds == {True},
            seriously_ill=_count(people, lambda p: p.seriously_ill),
            young=_count(people, lambda p: p.is_young(limit)),
            prisoners=people,
        )

    @property
    def civilians_released(self) -> SideCounts:
        """How many civilians each side releases: all of them in a civilian tranche, and the
        civilians listed in a mixed one."""
        if self.civilians:
            return self.released
        if self.prisoners:
            return _count(self.prisoners, lambda p: p.civilian)
        return ZERO

    @property
    def mixed(self) -> bool:
        """Whether the listed prisoners mix civilians and soldiers."""
        return len({person.civilian for person in self.prisoners}) > 1

    def young_under(self, age_limit: int) -> SideCounts:
        """The young count the listed prisoners give under ``age_limit``."""
        return _count(self.prisoners, lambda p: p.is_young(age_limit))

    @property
    def size(self) -> int:
        """How many people each side releases."""
        return self.released.russia

    def __str__(self) -> str:
        kind = "civilians" if self.civilians else "prisoners"
        extras = []
        if any(self.seriously_ill.values()):
            extras.append(f"seriously ill {self.seriously_ill.russia}/{self.seriously_ill.ukraine}")
        if any(self.young.values()):
            extras.append(f"young {self.young.russia}/{self.young.ukraine}")
        tail = f" ({', '.join(extras)})" if extras else ""
        return f"{self.size} for {self.size} {kind}{tail}"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; fields at their defaults (no civilians, no priority people, no
        named prisoners) are left out."""
        data: dict[str, Any] = {"released": self.released.to_dict()}
        if self.civilians:
            data["civilians"] = True
        ill, young = self.seriously_ill, self.young
        if ill.russia or ill.ukraine:
            data["seriously_ill"] = ill.to_dict()
        if young.russia or young.ukraine:
            data["young"] = young.to_dict()
        if self.prisoners:
            data["prisoners"] = [person.to_dict() for person in self.prisoners]
        return data

    @classmethod
    def from_dict(cls, data: object, where: str = "tranche") -> Tranche:
        """Rebuild from :meth:`to_dict`; a bad or missing field is an error naming it."""
        plain = _plain_tranche(data)
        if plain is not None:
            return plain
        read = reader(data, where, _TRANCHE_FIELDS)
        return read.build(
            cls,
            released=read.counts("released"),
            civilians=read.flag("civilians", False),
            seriously_ill=read.counts("seriously_ill", ZERO),
            young=read.counts("young", ZERO),
            prisoners=read.each("prisoners", Prisoner.from_dict) if read.has("prisoners") else (),
        )


def _plain_tranche(data: object) -> Tranche | None:  # noqa: PLR0911  # one bail-out per check
    """The tranche for a saved one without named prisoners, from a cache of values already
    built and checked; ``None`` when the data is anything else (the careful path decides)."""
    if type(data) is not dict:
        return None
    if len(data) == 1 and (even := _even_tranche(data.get("released"))) is not None:
        return even  # the commonest shape: how many, and nothing else
    if not data.keys() <= _PLAIN_FIELDS:
        return None
    try:  # subscripts, not .get(): a missing count is a KeyError, and the careful path's job
        released = data["released"]
        civilians = data.get("civilians", False)
        ill = data.get("seriously_ill", _ZERO_DICT)
        young = data.get("young", _ZERO_DICT)
        if type(released) is not dict or type(ill) is not dict or type(young) is not dict:
            return None
        key: tuple[Any, ...] = (
            released["russia"],
            released["ukraine"],
            ill["russia"],
            ill["ukraine"],
            young["russia"],
            young["ukraine"],
            civilians,
        )
    except KeyError:
        return None
    # Counts must be exactly int and the flag exactly bool (1.0 or True would find the
    # same key); with each count present and two per mapping, no other key can hide.
    if (
        type(key[0]) is not int
        or type(key[1]) is not int
        or type(key[2]) is not int
        or type(key[3]) is not int
        or type(key[4]) is not int
        or type(key[5]) is not int
        or type(civilians) is not bool
        or not len(released) == len(ill) == len(young) == _SIDE_COUNT
    ):
        return None
    found = _PLAIN.get(key)
    if found is not None:
        return found
    found = _checked_plain(*key)
    if found is not None:  # else something is wrong: the careful path says what, and where
        if len(_PLAIN) >= _PLAIN_LIMIT:
            _PLAIN.clear()
        _PLAIN[key] = found
    return found


def _even_tranche(released: object) -> Tranche | None:
    """The tranche saved as ``{"released": released}`` alone, if that is an even count."""
    if type(released) is not dict or len(released) != _SIDE_COUNT:
        return None
    russia, ukraine = released.get("russia"), released.get("ukraine")
    if type(russia) is not int or type(ukraine) is not int or russia != ukraine:
        return None
    found = _EVEN.get(russia)
    if found is None:
        found = _checked_plain(russia, russia, 0, 0, 0, 0, False)  # None below one person
        if found is not None:
            if len(_EVEN) >= _PLAIN_LIMIT:
                _EVEN.clear()
            _EVEN[russia] = found
    return found


def _checked_plain(  # noqa: PLR0917  # the seven numbers of a plain tranche, in order
    russia: int,
    ukraine: int,
    ill_russia: int,
    ill_ukraine: int,
    young_russia: int,
    young_ukraine: int,
    civilians: bool,
) -> Tranche | None:
    """A tranche without named prisoners from counts known to be ints, if they make a valid
    one (what the constructor checks for such a tranche: reciprocal, at least one person,
    no negative count, no more priority people than released); ``None`` otherwise."""
    if not (
        russia == ukraine > 0
        and 0 <= ill_russia <= russia
        and 0 <= ill_ukraine <= ukraine
        and 0 <= young_russia <= russia
        and 0 <= young_ukraine <= ukraine
    ):
        return None
    made = _new(Tranche)
    _SET_RELEASED(made, SideCounts._make(russia, ukraine))
    _SET_CIVILIANS(made, civilians)
    _SET_SERIOUSLY_ILL(
        made, SideCounts._make(ill_russia, ill_ukraine) if ill_russia or ill_ukraine else ZERO
    )
    _SET_YOUNG(
        made,
        SideCounts._make(young_russia, young_ukraine) if young_russia or young_ukraine else ZERO,
    )
    _SET_PRISONERS(made, ())
    return made


_PLAIN_FIELDS = frozenset({"released", "civilians", "seriously_ill", "young"})
_SIDE_NAMES = frozenset({"russia", "ukraine"})
_SIDE_COUNT = len(_SIDE_NAMES)
_ZERO_DICT = {"russia": 0, "ukraine": 0}
#: Tranches already built from saved data, by their counts: loading a long history
#: meets the same few shapes again and again. Bounded; values are immutable.
_PLAIN: dict[tuple[Any, ...], Tranche] = {}
#: The same for the commonest shape, an even tranche of nothing but a number, by that number.
_EVEN: dict[int, Tranche] = {}
_PLAIN_LIMIT = 65_536
_MIXED = (
    "prisoners: civilians and soldiers in one tranche "
    "(exchange.civilians_separate: the civilians were returned separately)"
)

_TRANCHE_FIELDS = frozenset({"released", "civilians", "seriously_ill", "young", "prisoners"})
_new = object.__new__
(
    _SET_RELEASED,
    _SET_CIVILIANS,
    _SET_SERIOUSLY_ILL,
    _SET_YOUNG,
    _SET_PRISONERS,
) = slot_setters(Tranche, "released", "civilians", "seriously_ill", "young", "prisoners")


def _check_listed_once(people: tuple[Prisoner, ...]) -> None:
    ids = Counter(person.id for person in people)
    twice = sorted(pid for pid, seen in ids.items() if seen > 1)
    if twice:
        raise InvalidValue(f"prisoners: listed twice: {', '.join(twice)}")


def _count(people: Iterable[Prisoner], keep: Any) -> SideCounts:
    tally = Counter(person.held_by for person in people if keep(person))
    return SideCounts._make(tally[Side.RUSSIA], tally[Side.UKRAINE])
