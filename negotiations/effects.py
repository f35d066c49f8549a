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

Each effect also has an *array form* for simulations (:meth:`Effect.advance`):
the same change made to many negotiations at once, on the columns of
:func:`negotiations.conditions.state_arrays` and a few more (see
:data:`ENGINE_COLUMNS`), with the arguments a simulation draws. Only the
simulation engine calls it; it needs numpy.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, MutableMapping
from typing import TYPE_CHECKING, Any, ClassVar

from attrs import field, frozen

from negotiations._checks import TEXT, kind_of, shorten
from negotiations._errors import InvalidType, InvalidValue
from negotiations._state import Interest, State, evolve
from negotiations._terms import combined

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from negotiations._definition import Definition
    from negotiations._terms import ExchangeTerms

    Columns = MutableMapping[str, NDArray[Any]]
    Rows = NDArray[np.intp]

__all__ = [
    "ENGINE_COLUMNS",
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

#: The columns the array forms keep beside those of ``state_arrays``, one row per
#: negotiation: the stage suspended from (-1 when not suspended), how many exchanges
#: are agreed, the civilians released by each party (a column per party), how many
#: handovers, and how many interests were declared and acknowledgements given.
ENGINE_COLUMNS = (
    "suspended_from",
    "agreements",
    "civilians",
    "tranches",
    "interests.declared",
    "interests.acknowledged",
)

#: A move's destination in the array forms when it stays in its stage.
STAYS = -1

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

    # -- the array form ------------------------------------------------------------------

    def admissible(self, columns: Columns, process: Definition) -> NDArray[np.bool_] | None:
        """Where the arguments a simulation draws fit the state (the array form of
        :meth:`admit`), one row per negotiation; ``None`` when they fit everywhere."""
        return None

    def advance(
        self,
        columns: Columns,
        rows: Rows,
        arguments: Mapping[str, Any],
        dest: int,
        process: Definition,
    ) -> None:
        """Make the move in the negotiations at ``rows`` of ``columns`` (the array form of
        :meth:`apply`): ``dest`` is the index of the stage it leads to (``STAYS`` when
        it stays), ``arguments`` what the simulation drew, a value or one row per
        negotiation in ``rows``."""
        if dest != STAYS:
            columns["stage"][rows] = dest


def _add(column: NDArray[Any], rows: Rows, values: Any) -> None:
    """``column[rows] += values``; a column per party is added to one party at a time
    (indexing one dimension is several times faster than two)."""
    if column.ndim == 1:
        column[rows] += values
        return
    across = getattr(values, "ndim", 1) == 2
    for party in range(column.shape[1]):
        part = column[:, party]
        part[rows] += values[:, party] if across else values[party]


def _set(column: NDArray[Any], rows: Rows, values: Any) -> None:
    """``column[rows] = values`` for a column per party, one party at a time (see
    :func:`_add`); ``values`` has one number per party."""
    for party in range(column.shape[1]):
        part = column[:, party]
        part[rows] = values[party]


def _terms_into(
    columns: Columns, rows: Rows, terms: ExchangeTerms, process: Definition, *, add: bool
) -> None:
    """``terms`` agreed in the negotiations at ``rows``: in place of what was agreed, or,
    with ``add``, beside it (quotas and holdings add up; the rest is the latest's)."""
    parties = process.parties
    numbers = {
        "quota": terms.quotas(parties),
        "seriously_ill_held": terms.seriously_ill_held.over(parties),
        "young_held": terms.young_held.over(parties),
    }
    for name, values in numbers.items():
        if add:
            _add(columns[name], rows, values)
        else:
            _set(columns[name], rows, values)
    _set(columns["share"], rows, [terms.share(party) for party in parties])
    columns["civilians_separate"][rows] = terms.civilians_separate
    columns["agreed"][rows] = True
    if add:
        columns["agreements"][rows] += 1
    else:
        columns["agreements"][rows] = 1


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

    def advance(
        self,
        columns: Columns,
        rows: Rows,
        arguments: Mapping[str, Any],
        dest: int,
        process: Definition,
    ) -> None:
        super().advance(columns, rows, arguments, dest, process)
        _terms_into(columns, rows, arguments["terms"], process, add=False)
        columns["suspended_from"][rows] = STAYS


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

    def advance(
        self,
        columns: Columns,
        rows: Rows,
        arguments: Mapping[str, Any],
        dest: int,
        process: Definition,
    ) -> None:
        super().advance(columns, rows, arguments, dest, process)
        _terms_into(columns, rows, arguments["terms"], process, add=True)


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

    def advance(
        self,
        columns: Columns,
        rows: Rows,
        arguments: Mapping[str, Any],
        dest: int,
        process: Definition,
    ) -> None:
        raise InvalidValue(
            "an amendment cannot be simulated: it needs new terms, which a simulation does not draw"
        )


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

    def advance(
        self,
        columns: Columns,
        rows: Rows,
        arguments: Mapping[str, Any],
        dest: int,
        process: Definition,
    ) -> None:
        """``arguments`` are the tranche's columns: ``tranche.released``,
        ``tranche.seriously_ill`` and ``tranche.young`` (a column per party) and
        ``tranche.civilians`` (whether each is a handover of civilians)."""
        super().advance(columns, rows, arguments, dest, process)
        released = arguments["tranche.released"]
        _add(columns["released"], rows, released)
        _add(columns["seriously_ill"], rows, arguments["tranche.seriously_ill"])
        _add(columns["young"], rows, arguments["tranche.young"])
        civilians = arguments["tranche.civilians"]
        if civilians.any():
            _add(columns["civilians"], rows[civilians], released[civilians])
        columns["tranches"][rows] += 1


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

    def advance(
        self,
        columns: Columns,
        rows: Rows,
        arguments: Mapping[str, Any],
        dest: int,
        process: Definition,
    ) -> None:
        super().advance(columns, rows, arguments, dest, process)
        columns[f"open.{self.kind_of_item}"][rows] += 1


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

    def admissible(self, columns: Columns, process: Definition) -> NDArray[np.bool_] | None:
        """Where an item of the kind is open (a simulation closes the oldest)."""
        result: NDArray[np.bool_] = columns[f"open.{self.kind_of_item}"] > 0
        return result

    def advance(
        self,
        columns: Columns,
        rows: Rows,
        arguments: Mapping[str, Any],
        dest: int,
        process: Definition,
    ) -> None:
        super().advance(columns, rows, arguments, dest, process)
        columns[f"open.{self.kind_of_item}"][rows] -= 1


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

    def advance(
        self,
        columns: Columns,
        rows: Rows,
        arguments: Mapping[str, Any],
        dest: int,
        process: Definition,
    ) -> None:
        super().advance(columns, rows, arguments, dest, process)
        columns["interests.declared"][rows] += 1
        columns["pending_interests"][rows] += 1


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

    def admissible(self, columns: Columns, process: Definition) -> NDArray[np.bool_] | None:
        """Where some declared interest waits for an acknowledgement (a simulation
        acknowledges the oldest, each other party in turn)."""
        others = len(process.parties) - 1
        result: NDArray[np.bool_] = (
            columns["interests.declared"] * others > columns["interests.acknowledged"]
        )
        return result

    def advance(
        self,
        columns: Columns,
        rows: Rows,
        arguments: Mapping[str, Any],
        dest: int,
        process: Definition,
    ) -> None:
        super().advance(columns, rows, arguments, dest, process)
        others = len(process.parties) - 1
        given = columns["interests.acknowledged"][rows] + 1
        columns["interests.acknowledged"][rows] = given
        columns["pending_interests"][rows] = columns["interests.declared"][rows] - given // others


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

    def advance(
        self,
        columns: Columns,
        rows: Rows,
        arguments: Mapping[str, Any],
        dest: int,
        process: Definition,
    ) -> None:
        columns["suspended_from"][rows] = columns["stage"][rows]
        super().advance(columns, rows, arguments, dest, process)


@frozen
class Resume(Effect):
    """Back to the stage the process was suspended from."""

    kind: ClassVar[str] = "resume"
    returns: ClassVar[bool] = True

    def apply(
        self, state: State, arguments: Mapping[str, Any], dest: str, process: Definition
    ) -> State:
        return evolve(state, stage=dest, suspended_from=None)

    def admissible(self, columns: Columns, process: Definition) -> NDArray[np.bool_] | None:
        """Where there is a stage to go back to (a suspension not ended otherwise)."""
        result: NDArray[np.bool_] = columns["suspended_from"] != STAYS
        return result

    def advance(
        self,
        columns: Columns,
        rows: Rows,
        arguments: Mapping[str, Any],
        dest: int,
        process: Definition,
    ) -> None:
        """Back to the stage each negotiation was suspended from (``dest`` is not used)."""
        columns["stage"][rows] = columns["suspended_from"][rows]
        columns["suspended_from"][rows] = STAYS


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

    def advance(
        self,
        columns: Columns,
        rows: Rows,
        arguments: Mapping[str, Any],
        dest: int,
        process: Definition,
    ) -> None:
        super().advance(columns, rows, arguments, dest, process)
        columns["suspended_from"][rows] = STAYS


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
