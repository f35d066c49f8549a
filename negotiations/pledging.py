"""Pledges in the fold: which moves can be pledged, when a waiting pledge is due, and how
making, carrying out, withdrawing and dropping a pledge change the state.

Every function here is pure and derived from the definition, so a live negotiation and
a replayed history agree on exactly when each pledge fires:

- a waiting pledge is *due* when its move is a move from the current stage, the
  negotiation is not suspended, and the move's rules are all met (no blockers);
- the earliest pledge that is due fires first, and a move it makes can make a later
  one due in turn;
- when the process reaches a final stage, every waiting pledge is due to be dropped.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from negotiations._machine import Engine
from negotiations.errors import InvalidValue, NegotiationError
from negotiations.events import DROP, Event, Pledge
from negotiations.fold import admit, arguments, replace_pledges
from negotiations.state import PledgeBook, State

__all__ = [
    "FIRE",
    "Due",
    "check_pledgeable",
    "describe",
    "due",
    "fulfils",
    "pledgeable",
    "with_pledge",
    "without",
]

#: What a due pledge is due for: carrying out its move (``FIRE``), or being dropped (``DROP``).
FIRE = "fire"
Due = tuple[str, Pledge]


@functools.cache
def pledgeable(engine: Engine) -> Mapping[str, Mapping[str, Any]]:
    """The moves a pledge can name, each with the arguments it is made with.

    A pledge carries no arguments, so only moves that need none can be pledged (the
    exchange's terms default to the article's). A move made only while suspended
    (``resume``) cannot be: pledges wait while the process is suspended.
    """
    definition = engine.definition
    holding = {source for move in definition.moves if move.returns for source in move.sources}
    found: dict[str, Mapping[str, Any]] = {}
    for trigger in definition.triggers:
        parameters = engine.parameters[trigger]
        try:
            defaults = arguments(parameters, dict.fromkeys(parameters))
        except NegotiationError:
            continue  # needs an argument
        sources = {s for move in definition.moves if move.trigger == trigger for s in move.sources}
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
    raise InvalidValue(f"trigger: {trigger} cannot be pledged: {why}; moves that can: {can}")


def due(engine: Engine, state: State) -> Due | None:
    """The waiting pledge that must be carried out or dropped now, if any: the earliest."""
    waiting = state._pledges.waiting
    if not waiting:
        return None
    stage = state.stage
    if stage in engine.definition.finals:
        return DROP, waiting[0]
    if state.suspended_from is not None:
        return None
    defaults = pledgeable(engine)
    verdicts: dict[str, bool] = {}  # several pledges of one move: its rules checked once
    for pledge in waiting:
        trigger = pledge.trigger
        ready = verdicts.get(trigger)
        if ready is None:
            ready = verdicts[trigger] = _ready(engine, state, trigger, defaults[trigger])
        if ready:
            return FIRE, pledge
    return None


def _ready(engine: Engine, state: State, trigger: str, given: Mapping[str, Any]) -> bool:
    move = engine.move(trigger, state.stage)
    if move is None:
        return False
    try:
        admit(state, trigger, given)
    except NegotiationError:
        return False
    return engine.passes(move.guard, state, given)


def with_pledge(state: State, pledge: Pledge) -> State:
    """``state`` with ``pledge`` (numbered one more than those made) waiting last."""
    book = state._pledges
    return replace_pledges(state, PledgeBook(book.made + 1, (*book.waiting, pledge._record())))


def without(state: State, pledge: Pledge) -> State:
    """``state`` with ``pledge`` no longer waiting."""
    book = state._pledges
    waiting = tuple(p for p in book.waiting if p.number != pledge.number)
    return replace_pledges(state, PledgeBook(book.made, waiting))


def describe(found: Due) -> str:
    """What is due, in words: ``pledge 1 (Russia: open_third_round) to be carried out``."""
    kind, pledge = found
    what = "to be dropped" if kind == DROP else "to be carried out"
    return f"pledge {pledge.number} ({pledge.side.label}: {pledge.trigger}) {what}"


def fulfils(found: Due, event: Event) -> bool:
    """Whether ``event`` is what ``found`` is due for."""
    kind, pledge = found
    if event.pledge != pledge:
        return False
    return event.trigger == DROP if kind == DROP else event.trigger == pledge.trigger
