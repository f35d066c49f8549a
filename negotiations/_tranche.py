"""Handovers: a :class:`Tranche` of people each party releases, and :class:`Prisoner` records."""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from attrs import Attribute, Converter, field, frozen

from negotiations._checks import (
    FLAG,
    OPTIONAL_TEXT,
    PARTY,
    TEXT,
    check_count,
    check_each,
    citing,
    instance_of,
    reader,
    shorten,
)
from negotiations._counts import ZERO, Counts, check_counted, each_side
from negotiations._errors import InvalidType, InvalidValue
from negotiations._fast import trusted
from negotiations._stages import Side, label  # noqa: F401  # the doctests here name Side
from negotiations._terms import ISTANBUL_TERMS, ExchangeTerms

__all__ = ["Prisoner", "Tranche", "mixed_message"]


def _optional_age(value: object) -> int | None:
    return None if value is None else check_count(value, "age")


@frozen
class Prisoner:
    """A named person held by one party, who may be released in a tranche.

    >>> Prisoner("K-1", Side.UKRAINE, age=67, civilian=True, origin="Kursk Oblast")
    Prisoner(id='K-1', held_by=<Side.UKRAINE: 'ukraine'>, age=67, civilian=True, \
origin='Kursk Oblast')
    """

    id: str = field(converter=TEXT)  # type: ignore[misc]  # attrs' mypy plugin cannot follow Converter objects
    held_by: str = field(converter=PARTY)  # type: ignore[misc]  # attrs' mypy plugin cannot follow Converter objects
    age: int | None = field(default=None, converter=_optional_age)
    seriously_ill: bool = field(default=False, kw_only=True, converter=FLAG)  # type: ignore[misc]  # attrs' mypy plugin cannot follow Converter objects
    civilian: bool = field(default=False, kw_only=True, converter=FLAG)  # type: ignore[misc]  # attrs' mypy plugin cannot follow Converter objects
    origin: str | None = field(default=None, kw_only=True, converter=OPTIONAL_TEXT)  # type: ignore[misc]  # attrs' mypy plugin cannot follow Converter objects

    def __repr__(self) -> str:
        """The fields given: an unknown age, no illness, not a civilian and no origin are
        left out; long text is shortened."""
        parts = [f"id={shorten(self.id)}", f"held_by={self.held_by!r}"]
        if self.age is not None:
            parts.append(f"age={self.age}")
        if self.seriously_ill:
            parts.append("seriously_ill=True")
        if self.civilian:
            parts.append("civilian=True")
        if self.origin is not None:
            parts.append(f"origin={shorten(self.origin)}")
        return f"Prisoner({', '.join(parts)})"

    def is_young(self, age_limit: int) -> bool:
        """Under ``age_limit`` years old (an unknown age is not young)."""
        return self.age is not None and self.age < age_limit

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        data: dict[str, Any] = {"id": self.id, "held_by": str(self.held_by)}
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
            read.get("id"),
            read.get("held_by"),
            read.get("age", None),
            seriously_ill=read.get("seriously_ill", False),
            civilian=read.get("civilian", False),
            origin=read.get("origin", None),
        )


_PRISONER_FIELDS = frozenset({"id", "held_by", "age", "seriously_ill", "civilian", "origin"})


def _prisoners(value: object) -> tuple[Prisoner, ...]:
    return check_each(value, "prisoners", "a sequence of Prisoner", _A_PRISONER)


_A_PRISONER = instance_of(Prisoner)


def _counts(value: object, attribute: Attribute[Any]) -> Counts:
    return Counts.of(value, (attribute.alias or attribute.name))


def _optional_counts(value: object, attribute: Attribute[Any]) -> Counts | None:
    return None if value is None else Counts.of(value, (attribute.alias or attribute.name))


_COUNTS = Converter(_counts, takes_field=True)
_RATIO = Converter(_optional_counts, takes_field=True)

#: How many named prisoners a tranche's repr lists (beyond that, it counts them).
_PRISONERS_SHOWN = 3

#: Civilians and soldiers in one tranche where the terms keep them apart.
_MIXED = "civilians and soldiers in one tranche"


def mixed_message(rule: str, quote: str) -> str:
    """What is wrong with a tranche that mixes civilians and soldiers, citing ``rule``."""
    return citing(_MIXED, rule, quote)


@frozen
class Tranche:
    """One handover: how many people each party releases, and of whom how many are priority.

    Counts are by *releasing* party. Every party releases the same number
    (``exchange.reciprocal``), unless the tranche is at a ``ratio`` (``{"hamas": 1,
    "israel": 30}``), when each releases its share of a multiple of it;
    ``seriously_ill`` and ``young`` are part of ``released`` (one person can be
    both); a tranche is all civilians or none.

    >>> Tranche.even(2, civilians=True)
    Tranche(released=SideCounts(russia=2, ukraine=2), civilians=True)
    >>> Tranche(released={Side.RUSSIA: 3, Side.UKRAINE: 2})
    Traceback (most recent call last):
    ...
    negotiations.InvalidValue: released: a tranche must be reciprocal \
(exchange.reciprocal), but Russia releases 3 and Ukraine 2
    """

    released: Counts = field(converter=_COUNTS)  # type: ignore[misc]  # attrs' mypy plugin cannot follow Converter objects
    civilians: bool = field(default=False, converter=FLAG)  # type: ignore[misc]  # attrs' mypy plugin cannot follow Converter objects
    seriously_ill: Counts = field(default=ZERO, converter=_COUNTS)  # type: ignore[misc]  # attrs' mypy plugin cannot follow Converter objects
    young: Counts = field(default=ZERO, converter=_COUNTS)  # type: ignore[misc]  # attrs' mypy plugin cannot follow Converter objects
    prisoners: tuple[Prisoner, ...] = field(default=(), converter=_prisoners)
    ratio: Counts | None = field(default=None, converter=_RATIO, kw_only=True, repr=False)  # type: ignore[misc]  # attrs' mypy plugin cannot follow Converter objects

    def __attrs_post_init__(self) -> None:
        prisoners = self.prisoners
        if prisoners:
            _check_listed_once(prisoners)
        released = self.released
        _check_proportion(released, self.ratio)
        ill, young = self.seriously_ill, self.young
        if ill is not ZERO and ill.any:  # ZERO: the default, no one to check
            _check_priority("seriously_ill", ill, released)
        if young is not ZERO and young.any:
            _check_priority("young", young, released)
        if prisoners:
            self._check_against_prisoners()

    def _check_against_prisoners(self) -> None:
        if not self.civilians and all(person.civilian for person in self.prisoners):
            raise InvalidValue(
                "civilians: every prisoner listed is a civilian, so this is a civilian tranche "
                "(civilians=True)",
                path="civilians",
            )
        if self.civilians and not all(person.civilian for person in self.prisoners):
            raise InvalidValue(
                "prisoners: a civilian tranche lists soldiers "
                "(exchange.civilians_separate: the civilians were returned separately)",
                path="prisoners",
            )
        for name, expected in (
            ("released", _count(self.prisoners, _anyone)),
            ("seriously_ill", _count(self.prisoners, _ill)),
        ):
            if getattr(self, name) != expected:
                raise InvalidValue(
                    f"{name}: {getattr(self, name)!r} does not match the prisoners listed "
                    f"({expected!r})",
                    path=name,
                )

    @classmethod
    def even(
        cls, n: int, *, civilians: bool = False, seriously_ill: int = 0, young: int = 0
    ) -> Tranche:
        """``n`` for ``n``: each side releases ``n``, of whom ``seriously_ill`` and ``young``."""
        n = check_count(n, "n")
        if n == 0:
            raise InvalidValue("n: a tranche releases at least one person each side", path="n")
        if not isinstance(civilians, bool):
            raise InvalidType(
                f"civilians must be True or False, not {type(civilians).__name__}",
                path="civilians",
            )
        # No one of a priority (an int 0, the default) needs no check: 0 is a count.
        if type(seriously_ill) is not int or seriously_ill:
            seriously_ill = check_count(seriously_ill, "seriously_ill")
        if type(young) is not int or young:
            young = check_count(young, "young")
        return _even(n, civilians, seriously_ill, young)

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
            raise InvalidValue(
                "prisoners: a tranche releases at least one person each side", path="prisoners"
            )
        _check_listed_once(people)
        if not isinstance(terms, ExchangeTerms):
            raise InvalidType(
                f"terms must be ExchangeTerms, not {type(terms).__name__}", path="terms"
            )
        kinds = {person.civilian for person in people}
        if len(kinds) > 1 and terms.civilians_separate:
            raise InvalidValue(
                "prisoners: "
                + mixed_message(
                    "exchange.civilians_separate", "The civilians were returned separately."
                ),
                path="prisoners",
            )
        limit = terms.age_limit
        return cls(
            released=_count(people, _anyone),
            civilians=kinds == {True},
            seriously_ill=_count(people, _ill),
            young=_count(people, lambda p: p.is_young(limit)),
            prisoners=people,
            ratio=terms.ratio,
        )

    @property
    def civilians_released(self) -> Counts:
        """How many civilians each party releases: all of them in a civilian tranche, and the
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

    def young_under(self, age_limit: int) -> Counts:
        """The young count the listed prisoners give under ``age_limit``."""
        return _count(self.prisoners, lambda p: p.is_young(age_limit))

    @property
    def size(self) -> int:
        """How many people the first party releases (each, in a tranche one for one)."""
        return next(iter(self.released.values()), 0)

    def __repr__(self) -> str:
        """The fields that say something: no one of a priority, no civilians, no named
        prisoners and one for one are left out; a long list of prisoners is counted."""
        parts = [f"released={self.released!r}"]
        if self.civilians:
            parts.append("civilians=True")
        if self.seriously_ill.any:
            parts.append(f"seriously_ill={self.seriously_ill!r}")
        if self.young.any:
            parts.append(f"young={self.young!r}")
        prisoners = self.prisoners
        if len(prisoners) > _PRISONERS_SHOWN:
            parts.append(f"prisoners=<{len(prisoners)} named>")
        elif prisoners:
            parts.append(f"prisoners={prisoners!r}")
        if self.ratio is not None:
            parts.append(f"ratio={self.ratio!r}")
        return f"Tranche({', '.join(parts)})"

    def __str__(self) -> str:
        kind = "civilians" if self.civilians else "prisoners"
        extras = []
        if any(self.seriously_ill.values()):
            extras.append("seriously ill " + "/".join(map(str, self.seriously_ill.values())))
        if any(self.young.values()):
            extras.append("young " + "/".join(map(str, self.young.values())))
        tail = f" ({', '.join(extras)})" if extras else ""
        counts = tuple(self.released.values())
        if len(set(counts)) == 1 and len(counts) == 2:  # "390 for 390"
            return f"{counts[0]} for {counts[1]} {kind}{tail}"
        shown = ", ".join(f"{n} by {label(party)}" for party, n in self.released.items())
        return f"{kind} released: {shown}{tail}"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; fields at their defaults (no civilians, no priority people, no
        named prisoners, one for one) are left out."""
        data: dict[str, Any] = {"released": self.released.to_dict()}
        if self.civilians:
            data["civilians"] = True
        if self.seriously_ill.any:
            data["seriously_ill"] = self.seriously_ill.to_dict()
        if self.young.any:
            data["young"] = self.young.to_dict()
        if self.prisoners:
            data["prisoners"] = [person.to_dict() for person in self.prisoners]
        if self.ratio is not None:
            data["ratio"] = self.ratio.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: object, where: str = "tranche") -> Tranche:
        """Rebuild from :meth:`to_dict`; a bad or missing field is an error naming it."""
        read = reader(data, where, _TRANCHE_FIELDS)
        return read.build(
            cls,
            released=read.get("released"),
            civilians=read.get("civilians", False),
            seriously_ill=read.get("seriously_ill", ZERO),
            young=read.get("young", ZERO),
            prisoners=read.each("prisoners", Prisoner.from_dict) if read.has("prisoners") else (),
            ratio=read.get("ratio", None),
        )


_TRANCHE_FIELDS = frozenset(
    {"released", "civilians", "seriously_ill", "young", "prisoners", "ratio"}
)


@functools.lru_cache(maxsize=1024)  # values of a fixed, small size: a bound in bytes too
def _even(n: int, civilians: bool, seriously_ill: int, young: int) -> Tranche:
    """The even tranche, made once and then shared (values are immutable); the caller has
    checked the types, so equal keys mean equal tranches.

    Its parts are already what the converters would make of them (counts of the two
    sides, a flag, no prisoners, no ratio), so it is built as trusted (see
    :mod:`negotiations._fast`) and then checked by the class's own
    ``__attrs_post_init__``: the same checks as ``Tranche(...)``, without converting
    parts that need no converting.
    """
    made = _TRANCHE(
        each_side(n),
        civilians,
        each_side(seriously_ill) if seriously_ill else ZERO,
        each_side(young) if young else ZERO,
        (),
        None,
    )
    made.__attrs_post_init__()
    return made


def _check_proportion(released: Counts, ratio: Counts | None) -> None:
    """Every party releases the same number, or its share of one multiple of ``ratio``."""
    if ratio is None:
        same = released.numbers
        if same and same[0] and same.count(same[0]) == len(same):
            return  # the common case: reciprocal, with no message to write
    counts = list(released.items())
    if ratio is None:
        numbers = {n for _, n in counts}
        if len(numbers) > 1:
            (first, one), *others = counts
            rest = " and ".join(f"{label(party)} {n}" for party, n in others)
            raise InvalidValue(
                "released: a tranche must be reciprocal (exchange.reciprocal), "
                f"but {label(first)} releases {one} and {rest}"
                if len(others) == 1
                else "released: a tranche must be reciprocal (exchange.reciprocal), "
                f"but {label(first)} releases {one}, "
                + ", ".join(f"{label(party)} {n}" for party, n in others),
                path="released",
            )
        if not counts or counts[0][1] == 0:
            raise InvalidValue(
                "released: a tranche releases at least one person each side", path="released"
            )
        return
    parties = list(ratio)
    first = parties[0]
    multiple, left = divmod(released.get(first, 0), ratio[first])
    if (
        multiple == 0
        or left
        or any(released.get(party, 0) != multiple * ratio[party] for party in parties)
        or any(party not in ratio and n for party, n in counts)
    ):
        agreed = ":".join(str(n) for n in ratio.values())
        who = ", ".join(f"{label(party)} {released.get(party, 0)}" for party in parties)
        raise InvalidValue(
            f"released: a tranche at the ratio {agreed} ({', '.join(map(label, parties))}) "
            f"releases a whole multiple of it, at least once; got {who}",
            path="released",
        )


def _check_priority(name: str, priority: Counts, released: Counts) -> None:
    """Each party's ``priority`` people (field ``name``) are among those it releases."""
    check_counted(priority, released, name)
    for party, number in zip(priority.parties, priority.numbers):  # noqa: B905  # one party each
        if number > released.get(party, 0):
            raise InvalidValue(
                f"{name}[{party}]: {number} is more than the "
                f"{released.get(party, 0)} {label(party)} releases",
                path=f"{name}[{party}]",
            )


def _check_listed_once(people: tuple[Prisoner, ...]) -> None:
    ids = Counter(person.id for person in people)
    twice = sorted(pid for pid, seen in ids.items() if seen > 1)
    if twice:
        raise InvalidValue(f"prisoners: listed twice: {', '.join(twice)}", path="prisoners")


def _anyone(person: Prisoner) -> bool:
    return True


def _ill(person: Prisoner) -> bool:
    return person.seriously_ill


def _count(people: Iterable[Prisoner], keep: Callable[[Prisoner], bool]) -> Counts:
    people = tuple(people)
    tally = Counter(person.held_by for person in people if keep(person))
    holders = dict.fromkeys(person.held_by for person in people)
    return Counts.of({party: tally[party] for party in holders}, "counts")


_TRANCHE = trusted(Tranche)
