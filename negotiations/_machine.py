"""The one module that imports ``transitions``: a single machine per process, built from its
definition and shared by every negotiation of that process.

No negotiation is ever added to the machine as a model (``add_model`` scans a
list, so N negotiations would cost O(N²)); each live attempt passes a small
:class:`Attempt` as the model instead, and ``transitions`` decides from it
whether the move exists, whether its guard passes (asking the engine, which
asks the rules), and where it leads.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, cast

from transitions import EventData, MachineError
from transitions import Machine as _Transitions

from negotiations._errors import TransitionNotAllowed

if TYPE_CHECKING:
    from negotiations._definition import Definition, Move
    from negotiations._records import Blocker
    from negotiations._state import State

__all__ = ["Attempt", "Machine"]

#: What a guard asks: the blockers of a move's rules for a state and arguments.
Evaluate = Callable[["State", Mapping[str, Any]], "tuple[Blocker, ...]"]


class Attempt:
    """One try at a move: the model ``transitions`` works on for the length of a call."""

    __slots__ = ("arguments", "blockers", "stage", "state", "trigger")

    def __init__(
        self, state: State, trigger: str, arguments: Mapping[str, Any], stage: str
    ) -> None:
        # The machine's model attribute: the stage's plain name (``transitions`` reads an
        # enum by its member name), set to the destination's on success.
        self.stage: str = stage
        self.state = state
        self.trigger = trigger
        self.arguments = arguments
        self.blockers: tuple[Blocker, ...] = ()


class Machine:
    """The ``transitions`` machine of one process."""

    def __init__(self, definition: Definition, guard: Callable[[Move, str], Evaluate]) -> None:
        """``guard(move, source)`` is what evaluates the guard of ``move`` from ``source``."""
        machine = _Transitions(
            model=None,
            states=[str(stage) for stage in definition.stages],
            initial=str(definition.initial),
            auto_transitions=False,
            send_event=True,
            model_attribute="stage",
            queued=False,
            ignore_invalid_triggers=False,
        )
        for move in definition.moves:
            for source in move.sources:
                conditions: list[str | Callable[..., bool | None]] = (
                    [_guard(guard(move, source))] if move.guard else []
                )
                if move.returns:
                    for origin in definition.entered_from(source):
                        machine.add_transition(
                            move.trigger,
                            str(source),
                            str(origin),
                            conditions=[_came_from(origin), *conditions],
                        )
                else:
                    dest = None if move.dest is None else str(move.dest)
                    machine.add_transition(move.trigger, str(source), dest, conditions=conditions)
        self._events = {name: machine.events[name] for name in definition.triggers}

    def run(self, attempt: Attempt) -> bool:
        """Let ``transitions`` make the attempt: True if the move was made, False if guarded."""
        try:
            return bool(self._events[attempt.trigger].trigger(attempt))
        except MachineError:  # the caller checks the source first; this is a safety net
            raise TransitionNotAllowed(attempt.trigger, attempt.state.stage, ()) from None


def _guard(evaluate: Evaluate) -> Callable[[EventData], bool]:
    def guard(event: EventData) -> bool:
        attempt = cast("Attempt", event.model)  # only Machine.run triggers this machine
        attempt.blockers = evaluate(attempt.state, attempt.arguments)
        return not attempt.blockers

    return guard


def _came_from(origin: str) -> Callable[[EventData], bool]:
    def came_from(event: EventData) -> bool:
        attempt = cast("Attempt", event.model)  # only Machine.run triggers this machine
        return attempt.state.suspended_from == origin

    return came_from
