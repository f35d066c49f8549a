"""The vocabulary of what a move does to a negotiation's state: a small, closed set of values.

A :class:`~negotiations.Move` carries one effect. The effect names the
parameters the move takes, refuses arguments that do not fit the state (an
``InvalidValue`` naming the field, before anything changes), and gives the
state after the move.

=================  ============================================================
kind               what the move does
=================  ============================================================
``record``         nothing but its change of stage (optionally taking a
                   ``reason`` or a ``note``, kept in the history)
``agree``          the parties agree the terms of an exchange (``terms``); they
                   replace any agreed before
``agree_further``  the parties agree a further exchange (``terms``) beside
                   those agreed before: the numbers add up
``amend``          the terms of the exchange under way (the latest agreed) are
                   amended (``terms``)
``transfer``       a handover (``tranche``): the ledger counts it
``open``           an item of a kind is opened (``name``): a humanitarian issue
``close``          an open item of that kind is closed (``name``)
``declare``        a party declares a core interest (``side``, ``name``)
``acknowledge``    a party acknowledges another party's interest (``side``,
                   ``name``)
``suspend``        the process is put on hold (``reason``); ``resume`` returns
``resume``         back to the stage the process was suspended from
``end``            the process ends (``reason``); a suspension is over
=================  ============================================================
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from attrs import field, frozen

from negotiations._checks import TEXT, kind_of, shorten
from negotiations._errors import InvalidType, InvalidValue
from negotiations._state import Interest, State, evolve
from negotiations._terms import combined

if TYPE_CHECKING:
    from negotiations._definition import Definition
    from negotiations._terms import ExchangeTerms

__all__ = [
    "Acknowledge",
    "Agree",
    "AgreeFurther",
    "Amend",
    "Close",
    "Declare",
    "Effect",
    "End",
    "Open",
    "Record",
    "Resume",
    "Suspend",
    "Transfer",
    "effect_from_dict",
]

#: Parameters a move may take only to keep them in the history.
_RECORDED = frozenset({"reason", "note"})


def _recorded(value: object) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise InvalidType(
            f"parameters must be a tuple of names, not {type(value).__name__}", path="parameters"
        )
    names = tuple(value)
    for at, name in enumerate(names):
        if name not in _RECORDED:
            raise InvalidValue(
                f"parameters[{at}]: {shorten(name)} is not a parameter this effect keeps; it keeps "
                f"{', '.join(sorted(_RECORDED))}",
                path=f"parameters[{at}]",
            )
    return names


class Effect:
    """What a move does to the state."""

    #: The name of the effect's kind in a process file.
    kind: ClassVar[str]
    #: Whether the move goes back to the stage the process was suspended from.
    returns: ClassVar[bool] = False
    #: Whether the move can be made with its parameters' defaults, as a pledge makes it
    #: (it carries no arguments); an amendment cannot: there is no default amendment.
    by_default: ClassVar[bool] = True

    @property
    def parameters(self) -> tuple[str, ...]:
        """The parameters the move takes, in order."""
        return ()

    @property
    def item(self) -> str | None:
        """The kind of item the effect opens or closes, if any."""
        return None

    def admit(self, state: State, arguments: Mapping[str, Any], process: Definition) -> None:
        """Refuse arguments that do not fit ``state``, with an error naming the field."""

    def apply(
        self, state: State, arguments: Mapping[str, Any], dest: str, process: Definition
    ) -> State:
        """The state after the move, which took the process to ``dest``."""
        return evolve(state, stage=dest)

    def to_dict(self) -> dict[str, Any]:
        """The effect as data for a process file."""
        return {"kind": self.kind}


@frozen
class Record(Effect):
    """Nothing but the change of stage; ``parameters`` (``reason``, ``note``) are kept."""

    kind: ClassVar[str] = "record"
    kept: tuple[str, ...] = field(default=(), converter=_recorded, alias="parameters")

    @property
    def parameters(self) -> tuple[str, ...]:  # documented on Effect
        return self.kept

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind}
        if self.kept:
            data["parameters"] = list(self.kept)
        return data


@frozen
class Agree(Effect):
    """The parties agree the terms of an exchange (``terms``; the process's own by default).

    They replace whatever was agreed before: the exchange is this one alone (the ledger
    keeps counting every tranche). :class:`AgreeFurther` adds an exchange instead.
    """

    kind: ClassVar[str] = "agree"

    @property
    def parameters(self) -> tuple[str, ...]:
        return ("terms",)

    def apply(
        self, state: State, arguments: Mapping[str, Any], dest: str, process: Definition
    ) -> State:
        terms = arguments["terms"]
        return evolve(state, stage=dest, terms=terms, suspended_from=None, agreements=(terms,))


@frozen
class AgreeFurther(Effect):
    """The parties agree a further exchange (``terms``) beside every one agreed before.

    The numbers add up: the exchange is complete when the ledger, which counts
    every tranche, reaches the sum of the agreements' quotas and declared
    holdings; tranches from now on are handed over by these terms' age limit,
    civilians rule and ratio. The state keeps every agreement
    (:attr:`~negotiations.State.agreements`) and, as its ``terms``, what they add up to.
    With nothing agreed before, it is the first agreement.
    """

    kind: ClassVar[str] = "agree_further"

    @property
    def parameters(self) -> tuple[str, ...]:
        return ("terms",)

    def apply(
        self, state: State, arguments: Mapping[str, Any], dest: str, process: Definition
    ) -> State:
        return _agreed(state, (*state.agreements, arguments["terms"]), dest, process)


def _agreed(
    state: State, agreements: tuple[ExchangeTerms, ...], dest: str, process: Definition
) -> State:
    """``state`` in ``dest`` with ``agreements`` in force, and as its terms what they add up
    to."""
    terms = combined(agreements, process.parties)
    return evolve(state, stage=dest, terms=terms, agreements=agreements)


@frozen
class Amend(Effect):
    """The terms of the exchange under way — the latest agreed — become ``terms``.

    Refused (a bad value naming ``terms``) when no exchange has been agreed, or when
    the amendment changes nothing. A quota lower than what was already released is
    accepted: the ledger keeps what happened, and the exchange may then be complete.
    """

    kind: ClassVar[str] = "amend"
    by_default: ClassVar[bool] = False

    @property
    def parameters(self) -> tuple[str, ...]:
        return ("terms",)

    def admit(self, state: State, arguments: Mapping[str, Any], process: Definition) -> None:
        agreements = state.agreements
        if not agreements:
            raise InvalidValue(
                "terms: no exchange has been agreed yet, so there are no terms to amend",
                path="terms",
            )
        if arguments["terms"] == agreements[-1]:
            raise InvalidValue(
                f"terms: the amendment changes nothing: agreement {len(agreements)} is already "
                "on these terms",
                path="terms",
            )

    def apply(
        self, state: State, arguments: Mapping[str, Any], dest: str, process: Definition
    ) -> State:
        return _agreed(state, (*state.agreements[:-1], arguments["terms"]), dest, process)


@frozen
class Transfer(Effect):
    """A handover (``tranche``), counted in the ledger; named people are released once."""

    kind: ClassVar[str] = "transfer"

    @property
    def parameters(self) -> tuple[str, ...]:
        return ("tranche",)

    def admit(self, state: State, arguments: Mapping[str, Any], process: Definition) -> None:
        tranche = arguments["tranche"]
        if not tranche.prisoners:
            return
        again = sorted(p.id for p in tranche.prisoners if p.id in state.ledger.prisoner_ids)
        if again:
            raise InvalidValue(f"tranche: already released: {', '.join(again)}", path="tranche")
        terms = state.terms
        if terms is not None:
            young = tranche.young_under(terms.age_limit)
            if young != tranche.young:
                raise InvalidValue(
                    f"tranche.young: {tranche.young!r} does not match the prisoners under the "
                    f"agreed age limit {terms.age_limit} ({young!r})",
                    path="tranche.young",
                )

    def apply(
        self, state: State, arguments: Mapping[str, Any], dest: str, process: Definition
    ) -> State:
        return evolve(state, stage=dest, ledger=state.ledger.add(arguments["tranche"]))


@frozen
class _OfItems(Effect):
    """An effect on the items of kind ``item`` (``name``); ``noun`` is how messages call one."""

    kind_of_item: str = field(converter=TEXT, alias="item")  # type: ignore[misc]  # attrs' mypy plugin cannot follow Converter objects
    noun: str = field(converter=TEXT)  # type: ignore[misc]  # attrs' mypy plugin cannot follow Converter objects

    @property
    def item(self) -> str:
        return self.kind_of_item

    @property
    def parameters(self) -> tuple[str, ...]:
        return ("name",)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "item": self.kind_of_item, "noun": self.noun}


@frozen
class Open(_OfItems):
    """An item of kind ``item`` is opened (``name``); ``noun`` is how messages call one."""

    kind: ClassVar[str] = "open"

    def admit(self, state: State, arguments: Mapping[str, Any], process: Definition) -> None:
        name = arguments["name"]
        if state.is_open(self.kind_of_item, name):
            raise InvalidValue(f"name: {self.noun} {shorten(name)} is already open", path="name")

    def apply(
        self, state: State, arguments: Mapping[str, Any], dest: str, process: Definition
    ) -> State:
        return state.with_item(self.kind_of_item, arguments["name"], dest)


@frozen
class Close(_OfItems):
    """An open item of kind ``item`` is closed (``name``)."""

    kind: ClassVar[str] = "close"

    def admit(self, state: State, arguments: Mapping[str, Any], process: Definition) -> None:
        name = arguments["name"]
        if not state.is_open(self.kind_of_item, name):
            opened = state.open_items(self.kind_of_item)
            open_now = ", ".join(map(shorten, opened)) or "none"
            raise InvalidValue(
                f"name: no open {self.noun} {shorten(name)} (open: {open_now})", path="name"
            )

    def apply(
        self, state: State, arguments: Mapping[str, Any], dest: str, process: Definition
    ) -> State:
        return state.without_item(self.kind_of_item, arguments["name"], dest)


@frozen
class Declare(Effect):
    """A party (``side``) declares a core interest (``name``)."""

    kind: ClassVar[str] = "declare"

    @property
    def parameters(self) -> tuple[str, ...]:
        return ("side", "name")

    def admit(self, state: State, arguments: Mapping[str, Any], process: Definition) -> None:
        side, name = arguments["side"], arguments["name"]
        if state.declared(side, name):
            raise InvalidValue(
                f"name: {process.label(side)} has already declared interest {shorten(name)}",
                path="name",
            )

    def apply(
        self, state: State, arguments: Mapping[str, Any], dest: str, process: Definition
    ) -> State:
        return state.with_interest(arguments["side"], arguments["name"], dest)


@frozen
class Acknowledge(Effect):
    """A party (``side``) acknowledges another party's core interest ``name``.

    Naming the declaring party instead is accepted where that leaves no doubt (two
    parties: the other one acknowledges).
    """

    kind: ClassVar[str] = "acknowledge"

    @property
    def parameters(self) -> tuple[str, ...]:
        return ("side", "name")

    def admit(self, state: State, arguments: Mapping[str, Any], process: Definition) -> None:
        owner, by = _owner(state, arguments["side"], arguments["name"], process)
        name = arguments["name"]
        if by in state.acknowledged_by(owner, name):
            if len(process.parties) == 2:  # the article's wording
                raise InvalidValue(f"name: {Interest(owner, name, True)} already", path="name")
            raise InvalidValue(
                f"name: {process.label(by)} has already acknowledged "
                f"{process.label(owner)}'s interest {shorten(name)}",
                path="name",
            )

    def apply(
        self, state: State, arguments: Mapping[str, Any], dest: str, process: Definition
    ) -> State:
        owner, by = _owner(state, arguments["side"], arguments["name"], process)
        return state.with_acknowledgement(owner, arguments["name"], by, process, dest)


def _owner(state: State, side: str, name: str, process: Definition) -> tuple[str, str]:
    """Whose interest ``name`` is acknowledged, and by whom, when ``side`` is named."""
    for party in process.parties:
        if party != side and state.declared(party, name):
            return party, side
    if state.declared(side, name) and len(process.parties) == 2:  # no doubt
        other = next(p for p in process.parties if p != side)
        return side, other
    raise InvalidValue(
        f"name: no core interest {shorten(name)} has been declared for {process.label(side)} "
        "to acknowledge",
        path="name",
    )


@frozen
class Suspend(Effect):
    """The process is put on hold (``reason``): :class:`Resume` returns to the stage it is in."""

    kind: ClassVar[str] = "suspend"

    @property
    def parameters(self) -> tuple[str, ...]:
        return ("reason",)

    def apply(
        self, state: State, arguments: Mapping[str, Any], dest: str, process: Definition
    ) -> State:
        return evolve(state, stage=dest, suspended_from=state.stage)


@frozen
class Resume(Effect):
    """Back to the stage the process was suspended from."""

    kind: ClassVar[str] = "resume"
    returns: ClassVar[bool] = True

    def apply(
        self, state: State, arguments: Mapping[str, Any], dest: str, process: Definition
    ) -> State:
        return evolve(state, stage=dest, suspended_from=None)


@frozen
class End(Effect):
    """The process ends (``reason``); a suspension it ends is over."""

    kind: ClassVar[str] = "end"

    @property
    def parameters(self) -> tuple[str, ...]:
        return ("reason",)

    def apply(
        self, state: State, arguments: Mapping[str, Any], dest: str, process: Definition
    ) -> State:
        return evolve(state, stage=dest, suspended_from=None)


_KINDS: Mapping[str, type[Effect]] = {
    kind.kind: kind
    for kind in (
        Record,
        Agree,
        AgreeFurther,
        Amend,
        Transfer,
        Open,
        Close,
        Declare,
        Acknowledge,
        Suspend,
        Resume,
        End,
    )
}
_FIELDS: Mapping[type[Effect], tuple[str, ...]] = {
    Record: ("parameters",),
    Open: ("item", "noun"),
    Close: ("item", "noun"),
}


def effect_from_dict(data: object, where: str = "effect") -> Effect:
    """An effect from :meth:`Effect.to_dict` data; errors name the field."""
    if isinstance(data, str):
        data = {"kind": data}
    made, read, given = kind_of(data, where, _KINDS, _FIELDS, "effect")
    return read.build(made, **given)
