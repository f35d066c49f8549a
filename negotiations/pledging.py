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
import weakref
from collections.abc import Callable, Mapping
from typing import Any

from negotiations._machine import Engine
from negotiations.errors import InvalidValue, NegotiationError
from negotiations.events import DROP, PLEDGE, WITHDRAW, Event, Pledge
from negotiations.fold import admission as admitted
from negotiations.fold import arguments, replace_pledges
from negotiations.stages import Stage
from negotiations.state import PledgeBook, State

__all__ = [
    "FIRE",
    "Due",
    "by_itself",
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
    """The waiting pledge that must be carried out or dropped now, if any: the earliest.

    Asked before every event while pledges wait, so it does as little as it can: a move
    that does not exist from here is one lookup, and a move's rules are asked only until
    the first unmet one (several pledges of one move share the answer).
    """
    waiting = state._pledges.waiting
    if not waiting:
        return None
    stage = state.stage
    if stage in engine.definition.finals:
        return DROP, waiting[0]
    if state.suspended_from is not None:
        return None
    last = _LAST[0]  # a refusal leaves the state as it was: asked again, answered at once
    if last[0]() is state and last[1] is engine:
        return last[2]
    answer = _due(engine, state, waiting, stage)
    _LAST[0] = (weakref.ref(state), engine, answer)  # one tuple, replaced whole: thread-safe
    return answer


def _nothing() -> None:
    return None


#: The last state asked about (weakly: it is not kept alive for this), its engine, the answer.
_LAST: list[tuple[Callable[[], object], object, Due | None]] = [(_nothing, None, None)]


def _due(engine: Engine, state: State, waiting: tuple[Pledge, ...], stage: Stage) -> Due | None:
    ready = _readiness(engine)
    asked: dict[str, bool] = {}
    for pledge in waiting:
        trigger = pledge.trigger
        verdict = asked.get(trigger)
        if verdict is None:
            found = ready.get((trigger, stage))
            verdict = asked[trigger] = found is not None and found(state)
        if verdict:
            return FIRE, pledge
    return None


@functools.cache
def _readiness(engine: Engine) -> Mapping[tuple[str, Stage], Callable[[State], bool]]:
    """For each pledgeable move and each stage it is made from: whether a state allows it."""
    defaults = pledgeable(engine)
    found: dict[tuple[str, Stage], Callable[[State], bool]] = {}
    for move in engine.definition.moves:
        if move.trigger in defaults:
            for stage in move.sources:
                found[move.trigger, stage] = _asker(engine, move.trigger, move.guard)
    return found


def _asker(engine: Engine, trigger: str, guard: tuple[str, ...]) -> Callable[[State], bool]:
    given = pledgeable(engine)[trigger]
    checks = tuple(check for _, check, _, _ in engine._guards[guard])
    admission = admitted(trigger)

    def ready(state: State) -> bool:
        if admission is not None:
            try:
                admission(state, given)
            except NegotiationError:
                return False
        for check in checks:  # noqa: SIM110  # a loop, not all(): no generator on this path
            if check(state, given) is not None:
                return False
        return True

    return ready


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


def by_itself(event: Event) -> bool:
    """Whether a pledge made ``event`` by itself: a pledged move, or a drop."""
    return event.pledge is not None and event.trigger not in {PLEDGE, WITHDRAW}


def fulfils(found: Due, event: Event) -> bool:
    """Whether ``event`` is what ``found`` is due for."""
    kind, pledge = found
    if event.pledge != pledge:
        return False
    return event.trigger == DROP if kind == DROP else event.trigger == pledge.trigger
