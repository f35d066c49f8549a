"""The stochastic model of how a negotiation of a process unfolds, day by day, for simulations.

A :class:`Dynamics` says, for each move of a process, how it comes about — at
random while it is possible (:class:`Hazard`, a rate per day), or a number of
days after it becomes possible (:class:`Delay`) — how a handover's people are
drawn (:class:`Handovers`), which pledges the parties make on day 0, and for
how many days a run lasts. It is checked against its process when it is made:
an error names the field, before any work starts.

Time is continuous and counted in days from day 0; an event that happens at
time ``t`` is dated ``start + floor(t)`` days. A move is *possible* when it is
a move from the current stage, its rules are all met, and the arguments the
dynamics would draw fit the state (a humanitarian issue to resolve is open, an
interest to acknowledge is waiting). Arguments are drawn as follows:

- an agreement (``agree``, ``agree_further``): the simulation's terms;
- a handover (``transfer``): by :class:`Handovers`;
- an item opened (``open``): named ``"<noun> <n>"``, the n-th of its kind; the
  item closed (``close``) is the oldest one open;
- a core interest declared (``declare``): the n-th, ``"interest <n>"``, by the
  parties in turn (the first party, then the second, ...); an acknowledgement
  (``acknowledge``) goes to the oldest interest still waiting, from the parties
  that have not yet acknowledged it, in party order;
- a ``reason`` or ``note``: ``"simulated"``.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING

from attrs import field, frozen
from immutables import Map

from negotiations._article import PROCESS
from negotiations._checks import shorten
from negotiations._dates import as_date
from negotiations._errors import InvalidType, InvalidValue, located
from negotiations._timings import Delay, Handovers, Hazard, Timing
from negotiations.effects import Transfer

if TYPE_CHECKING:
    from negotiations._definition import Definition

__all__ = ["MAX_HORIZON", "MOST_OFTEN", "Dynamics"]


def _moves(value: object) -> Map[str, Timing]:
    if not isinstance(value, Mapping):
        raise InvalidType(
            f"moves must be a mapping of trigger to Hazard or Delay, not {type(value).__name__}",
            path="moves",
        )
    for trigger, timing in value.items():
        if not isinstance(timing, Hazard | Delay):
            raise InvalidType(
                f"moves.{trigger} must be a Hazard or a Delay, not {type(timing).__name__}",
                path=f"moves.{trigger}",
            )
    return Map(value)


def _pledges(value: object) -> tuple[tuple[str, str], ...]:
    if isinstance(value, str | bytes) or not isinstance(value, tuple | list):
        raise InvalidType(
            f"pledges must be a sequence of (party, trigger) pairs, not {type(value).__name__}",
            path="pledges",
        )
    pairs = []
    for at, pair in enumerate(value):
        if not isinstance(pair, tuple | list) or len(pair) != 2:
            raise InvalidType(
                f"pledges[{at}] must be a (party, trigger) pair, not {pair!r}",
                path=f"pledges[{at}]",
            )
        party, trigger = pair  # a party's name in plain text (a Side is one)
        pairs.append(
            (
                str(party) if isinstance(party, str) else party,
                str(trigger) if isinstance(trigger, str) else trigger,
            )
        )
    return tuple(pairs)


#: The longest horizon, in days: a hundred years (a result keeps a count per day).
MAX_HORIZON = 36_500

#: The most times a timing may make its move in one run, at its rate or shortest
#: repetition, over the horizon.
MOST_OFTEN = 10_000


def _horizon(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidType(
            f"horizon must be a whole number of days, not {type(value).__name__}", path="horizon"
        )
    if value < 1:
        raise InvalidValue(f"horizon must be at least 1 day, not {value}", path="horizon")
    if value > MAX_HORIZON:
        raise InvalidValue(
            f"horizon must be at most {MAX_HORIZON:,} days (a hundred years), not {value:,}",
            path="horizon",
        )
    return value


def _start(value: object) -> datetime.date | None:
    return as_date(value, "start")


def _process(value: object) -> Definition:
    from negotiations._definition import Definition  # noqa: PLC0415  # the module imports this one's users

    if not isinstance(value, Definition):
        raise InvalidType(
            f"process must be a Definition, not {type(value).__name__}", path="process"
        )
    return value


def _show_process(process: Definition) -> str:
    return f"<process {shorten(process.name)}>"


@frozen(repr=False)
class Dynamics:
    """How a negotiation of ``process`` unfolds, as a stochastic model (see the module).

    Every field is checked against the process when the dynamics is made; an error
    names the field (``moves.fly``, ``moves.collapse.rate.settlement``,
    ``pledges[0]``), before any work starts; a :class:`Hazard`, :class:`Delay` or
    :class:`Handovers` checks its own fields when it is made (``rate``, ``high``,
    ``civilians``).
    """

    #: The process the dynamics is for (the article's by default).
    process: Definition = field(default=PROCESS, converter=_process)
    #: For each trigger that comes about by itself, how: a :class:`Hazard` (rate per day
    #: while possible) or a :class:`Delay` (days after it becomes possible). A move left
    #: out is never made, unless a pledge makes it.
    moves: Map[str, Timing] = field(factory=Map, converter=_moves)
    #: How a handover's people are drawn; needed when a handover move is timed.
    handovers: Handovers | None = None
    #: Pledges made on day 0, in order: (party, trigger); each pledged move is made the
    #: moment it is possible, as :meth:`negotiations.Negotiation.pledge` does.
    pledges: tuple[tuple[str, str], ...] = field(default=(), converter=_pledges)
    #: How long a run lasts, in days: one not finished by then ends where it stands.
    horizon: int = field(default=730, converter=_horizon)
    #: The date of day 0 (the process's source's date when not given).
    start: datetime.date | None = field(default=None, converter=_start)

    def __attrs_post_init__(self) -> None:
        _check(self)

    def __repr__(self) -> str:
        """The fields, the moves in the process's order."""
        triggers = self.process.triggers
        moves = ", ".join(
            f"{trigger!r}: {self.moves[trigger]!r}" for trigger in triggers if trigger in self.moves
        )
        return (
            f"Dynamics(process={_show_process(self.process)}, moves={{{moves}}}, "
            f"handovers={self.handovers!r}, pledges={self.pledges!r}, horizon={self.horizon!r}, "
            f"start={self.start!r})"
        )

    @property
    def first_day(self) -> datetime.date:
        """The date of day 0."""
        return self.start if self.start is not None else self.process.source.date


def _check(dynamics: Dynamics) -> None:
    """Refuse what ``dynamics.process`` does not have, naming the field."""
    _check_moves(dynamics)
    _check_handovers(dynamics)
    _check_pledges(dynamics)


def _check_moves(dynamics: Dynamics) -> None:
    process = dynamics.process
    triggers = process.triggers
    for trigger, timing in dynamics.moves.items():
        where = f"moves.{trigger}"
        moves = [move for move in process.moves if move.trigger == trigger]
        if not moves:
            raise InvalidValue(
                f"{where}: the process {shorten(process.name)} has no move "
                f"{shorten(str(trigger))}; its moves are {', '.join(triggers)}",
                path=where,
            )
        for move in moves:
            if not move.effect.by_default:
                raise InvalidValue(
                    f"{where}: {trigger} cannot be simulated: a move of kind "
                    f"{move.effect.kind!r} needs arguments the dynamics do not draw",
                    path=where,
                )
        _check_often(timing, where, dynamics.horizon)
        if isinstance(timing, Hazard) and not isinstance(timing.rate, float):
            sources = {stage for move in moves for stage in move.sources}
            made_from = ", ".join(stage for stage in process.stages if stage in sources)
            for stage in timing.rate:
                if stage not in sources:
                    raise InvalidValue(
                        f"{where}.rate.{stage}: {trigger} is not a move from "
                        f"{shorten(stage)}; it is made from {made_from}",
                        path=f"{where}.rate.{stage}",
                    )


def _check_often(timing: Timing, where: str, horizon: int) -> None:
    """Refuse a timing that could make its move more than :data:`MOST_OFTEN` times in a run
    (a run that long would take hours, and one with no time between moves, forever)."""
    if isinstance(timing, Hazard):
        rate = (
            timing.rate
            if isinstance(timing.rate, float)
            else max(timing.rate.values(), default=0.0)
        )
        if rate * horizon > MOST_OFTEN:
            raise InvalidValue(
                f"{where}: a rate of {rate:g} a day over a horizon of {horizon:,} days would "
                f"make the move about {rate * horizon:,.0f} times in a run; at most "
                f"{MOST_OFTEN:,}",
                path=where,
            )
    elif horizon / timing.high > MOST_OFTEN:
        raise InvalidValue(
            f"{where}: a delay of at most {timing.high:g} days over a horizon of {horizon:,} "
            f"days could make the move more than {MOST_OFTEN:,} times in a run; lengthen it",
            path=where,
        )


def _check_handovers(dynamics: Dynamics) -> None:
    process = dynamics.process
    if dynamics.handovers is not None and not isinstance(dynamics.handovers, Handovers):
        raise InvalidType(
            f"handovers must be Handovers, not {type(dynamics.handovers).__name__}",
            path="handovers",
        )
    hands_over = [m.trigger for m in process.moves if isinstance(m.effect, Transfer)]
    timed = [t for t in hands_over if t in dynamics.moves]
    if dynamics.handovers is not None and not hands_over:
        raise InvalidValue(
            f"handovers: the process {shorten(process.name)} has no move that hands people over",
            path="handovers",
        )
    if dynamics.handovers is None and timed:
        raise InvalidValue(
            f"handovers: {timed[0]} hands people over; say how with handovers=Handovers(...)",
            path="handovers",
        )


def _check_pledges(dynamics: Dynamics) -> None:
    process = dynamics.process
    for at, (party, trigger) in enumerate(dynamics.pledges):
        where = f"pledges[{at}]"
        if party not in process.parties:
            raise InvalidValue(
                f"{where}: {shorten(str(party))} is not a party of {shorten(process.name)}; "
                f"its parties are {', '.join(process.parties)}",
                path=where,
            )
        if trigger not in process.triggers:
            raise InvalidValue(
                f"{where}: the process {shorten(process.name)} has no move {shorten(str(trigger))}",
                path=where,
            )
        from negotiations._pledging import check_pledgeable  # noqa: PLC0415  # engine-level

        try:
            check_pledgeable(process.engine, trigger)
        except InvalidValue as error:
            raise located(error, where) from None
