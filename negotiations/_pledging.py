"""Pledges in the fold: which moves can be pledged, when a waiting pledge is due, and how
making, carrying out, withdrawing and dropping a pledge change the state.

Every function here is pure and derived from the definition, so a live negotiation and
a replayed history agree on exactly when each pledge fires:

- a waiting pledge is *due* when its move is a move from the current stage, the
  negotiation is not suspended, and the move would be made (its arguments fit and its
  rules are all met);
- the earliest pledge that is due fires first, and a move it makes can make a later
  one due in turn;
- when the process reaches a final stage, every waiting pledge is due to be dropped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from negotiations._engine import Engine
from negotiations._errors import InvalidType, InvalidValue
from negotiations._parameters import check_arguments
from negotiations._records import DROP, PLEDGE, WITHDRAW, Event, Pledge
from negotiations._stages import label
from negotiations._state import PledgeBook, State, evolve

__all__ = [
    "FIRE",
    "Due",
    "by_itself",
    "check_pledgeable",
    "describe",
    "due",
    "fate",
    "fulfils",
    "pledgeable",
    "with_pledge",
    "without",
]

#: What a due pledge is due for: carrying out its move (``FIRE``), or being dropped (``DROP``).
FIRE = "fire"
Due = tuple[str, Pledge]


def pledgeable(engine: Engine) -> Mapping[str, Mapping[str, Any]]:
    """The moves a pledge can name, each with the arguments it is made with.

    A pledge carries no arguments, so only moves that need none can be pledged (an
    exchange's terms default to the process's own). A move made only while suspended
    (``resume``) cannot be: pledges wait while the process is suspended.
    """
    found = engine.memo.get("pledgeable")
    if found is None:
        found = engine.memo["pledgeable"] = _pledgeable(engine)
    return found


def _pledgeable(engine: Engine) -> Mapping[str, Mapping[str, Any]]:
    process = engine.process
    holding = {source for move in process.moves if move.returns for source in move.sources}
    found: dict[str, Mapping[str, Any]] = {}
    for trigger in process.triggers:
        parameters = engine.parameters[trigger]
        moves = [move for move in process.moves if move.trigger == trigger]
        if not all(move.effect.by_default for move in moves):
            continue  # needs its arguments, whatever their defaults (an amendment)
        try:
            defaults = check_arguments(process, parameters, dict.fromkeys(parameters))
        except (InvalidValue, InvalidType):
            continue  # needs an argument
        sources = {s for move in moves for s in move.sources}
        if sources - holding:
            found[trigger] = defaults
    return found


def check_pledgeable(engine: Engine, trigger: str) -> Mapping[str, Any]:
    """The arguments a pledge of ``trigger`` is made with, or an error saying why it cannot be
    pledged (``trigger`` is known to be a trigger)."""
    defaults = pledgeable(engine).get(trigger)
    if defaults is not None:
        return defaults
    can = ", ".join(pledgeable(engine))
    parameters = engine.parameters[trigger]
    if parameters:
        why = f"it takes {', '.join(parameters)}, and a pledge carries no arguments"
    else:
        why = "it is made only while the process is suspended, when pledges wait"
    raise InvalidValue(
        f"trigger: {trigger} cannot be pledged: {why}; moves that can: {can}", path="trigger"
    )


def due(engine: Engine, state: State) -> Due | None:
    """The waiting pledge that must be carried out or dropped now, if any: the earliest.

    Asked after every event while pledges wait, so it writes no message: a move that
    does not exist from here is one lookup, and the rules are asked whether they are
    met (several pledges of one move share the answer).
    """
    waiting = state.pledges
    if not waiting:
        return None
    stage = state.stage
    if stage in engine.process.finals:
        return DROP, waiting[0]
    if state.suspended_from is not None:
        return None
    defaults = pledgeable(engine)
    plans = engine.plans
    asked: dict[str, bool] = {}
    for pledge in waiting:
        trigger = pledge.trigger
        verdict = asked.get(trigger)
        if verdict is None:
            plan = plans.get((trigger, stage))
            verdict = asked[trigger] = plan is not None and plan.ready(state, defaults[trigger])
        if verdict:
            return FIRE, pledge
    return None


def with_pledge(state: State, pledge: Pledge) -> State:
    """``state`` with ``pledge`` (numbered one more than those made) waiting last."""
    book = state.pledge_book
    return evolve(state, pledges=PledgeBook(book.made + 1, (*book.waiting, pledge.record())))


def without(state: State, pledge: Pledge) -> State:
    """``state`` with ``pledge`` no longer waiting."""
    book = state.pledge_book
    waiting = tuple(p for p in book.waiting if p.number != pledge.number)
    return evolve(state, pledges=PledgeBook(book.made, waiting))


def describe(found: Due) -> str:
    """What is due, in words: ``pledge 1 (Russia: open_third_round) to be carried out``."""
    kind, pledge = found
    what = "to be dropped" if kind == DROP else "to be carried out"
    return f"pledge {pledge.number} ({_who(pledge)}: {pledge.trigger}) {what}"


def fate(pledge: Pledge, history: Sequence[Event]) -> str:
    """What became of a pledge that is not waiting, from the ``history`` it was made in."""
    for number, event in enumerate(reversed(history)):
        if event.pledge == pledge and event.trigger != PLEDGE:
            at = len(history) - number - 1
            if event.trigger == WITHDRAW:
                return f"it was withdrawn (history[{at}])"
            if event.trigger == DROP:
                return f"it was dropped when the process ended (history[{at}])"
            return f"it was carried out (history[{at}]: {event})"
    return "no such pledge was made in this negotiation"


def _who(pledge: Pledge) -> str:
    return label(pledge.side)


def by_itself(event: Event) -> bool:
    """Whether a pledge made ``event`` by itself: a pledged move, or a drop."""
    return event.pledge is not None and event.trigger not in {PLEDGE, WITHDRAW}


def fulfils(found: Due, event: Event) -> bool:
    """Whether ``event`` is what ``found`` is due for."""
    kind, pledge = found
    if event.pledge != pledge:
        return False
    return event.trigger == DROP if kind == DROP else event.trigger == pledge.trigger
