"""Replaying recorded events: the fold from the definition alone, checking each event as it goes.

Live moves go through the ``transitions`` machine; replaying a saved history
does not need to ask it again. Each event is checked against the same
definition — the move exists from the stage it was made in, its arguments fit,
its guard gives exactly the recorded blockers, it leads where it says — and
folded into the state with :func:`negotiations.fold.apply`. The test suite
checks that both roads give equal negotiations.
"""

from __future__ import annotations

from negotiations._machine import Engine
from negotiations.definition import Move
from negotiations.errors import InvalidValue, NegotiationError
from negotiations.events import Event
from negotiations.fold import admit, apply, arguments
from negotiations.stages import Stage
from negotiations.state import State

__all__ = ["refold"]


def refold(engine: Engine, state: State, event: Event) -> State:
    """The state after ``event``, or :class:`InvalidValue` if it does not fit.

    The message starts with the part of the event at fault (``.dest: …``, or ``: …`` for the
    event as a whole): the caller puts the event's own name in front.
    """
    trigger = event.trigger
    if trigger not in engine.parameters:
        raise InvalidValue(f".trigger: unknown trigger {trigger!r}")
    if event.source is not state.stage:
        raise InvalidValue(
            f".source: recorded {event.source.value}, but the negotiation is in "
            f"{state.stage.value} at that point"
        )
    move = engine.move(trigger, state.stage)
    if move is None:
        raise InvalidValue(f": {trigger} is not a move from {state.stage.value}")
    # An Event's arguments were checked when it was made (types, no blank text); what is
    # left is that they are exactly the move's parameters, and that they fit the state.
    given = event.arguments
    if given.keys() != engine.parameter_names[trigger]:
        try:
            given = arguments(engine.parameters[trigger], given)  # says what is wrong
        except NegotiationError as error:
            raise InvalidValue(f".arguments: {error}") from None
    try:
        admit(state, trigger, given)
    except NegotiationError as error:
        raise InvalidValue(f".arguments: {error}") from None
    blockers = engine.evaluate(move.guard, state, given) if move.guard else ()
    if not event.accepted:
        if blockers != event.blockers:
            raise InvalidValue(
                f".blockers: recorded {[str(b) for b in event.blockers]}, but the rules "
                f"give {[str(b) for b in blockers]}"
            )
        return state
    if blockers:
        raise InvalidValue(
            ": recorded as accepted, but the rules refuse it: "
            + "; ".join(blocker.message for blocker in blockers)
        )
    dest = _destination(move, state)
    if dest is not event.dest:
        shown = "nowhere" if dest is None else dest.value
        raise InvalidValue(f".dest: recorded {event.dest.value}, but the move leads to {shown}")
    return apply(state, trigger, given, dest)


def _destination(move: Move, state: State) -> Stage | None:
    if move.returns:
        return state.suspended_from
    return state.stage if move.dest is None else move.dest
