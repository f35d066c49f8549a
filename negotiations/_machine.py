"""The one module that imports ``transitions``: a single machine, built from the definition, shared
by every negotiation.

No negotiation is ever added to the machine as a model (``add_model`` scans a
list, so N negotiations would cost O(N²)); each attempt passes a small
:class:`Attempt` as the model instead, and ``transitions`` decides from it
whether the move exists, whether its guard passes, and where it leads.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, cast

from transitions import EventData, Machine, MachineError

from negotiations.definition import Definition, Move
from negotiations.errors import TransitionNotAllowed
from negotiations.events import Blocker
from negotiations.stages import Stage
from negotiations.state import State

__all__ = ["Attempt", "Engine"]


class Attempt:
    """One try at a move: the model ``transitions`` works on for the length of a call."""

    __slots__ = ("_stage", "arguments", "blockers", "state", "trigger")

    def __init__(self, state: State, trigger: str, arguments: Mapping[str, Any]) -> None:
        # The machine's model attribute, set to the destination on success. The machine
        # knows stages by their plain string values: enum states cost it a lookup per step.
        self._stage: str = state.stage._value_  # not .value: the enum property is slower
        self.state = state
        self.trigger = trigger
        self.arguments = arguments
        self.blockers: tuple[Blocker, ...] = ()

    @property
    def dest(self) -> Stage:
        """The stage the attempt ended in."""
        return _STAGES[self._stage]


class Engine:
    """Runs attempts on the one ``transitions`` machine derived from a :class:`Definition`."""

    def __init__(self, definition: Definition) -> None:
        self.definition = definition
        self._rules = {rule.id: rule for rule in definition.rules}
        self._sources = {rule.id: rule.source for rule in definition.rules}
        # Each guard's rules with their checks and sources, looked up once, not per attempt.
        # Each rule keeps the blockers it has given, by message: a long history or a
        # simulation refused again and again shares them instead of making new ones.
        self._given: dict[str, dict[str, Blocker]] = {rule.id: {} for rule in definition.rules}
        self._guards = {
            move.guard: tuple(
                (rule_id, definition.checks[rule_id], self._sources[rule_id], self._given[rule_id])
                for rule_id in move.guard
            )
            for move in definition.moves
        }
        self._moves: dict[tuple[str, Stage], Move] = {
            (move.trigger, source): move for move in definition.moves for source in move.sources
        }
        self._guard_of: dict[str, tuple[str, ...]] = {}
        for move in definition.moves:
            self._guard_of.setdefault(move.trigger, move.guard)
        self.parameters: dict[str, tuple[str, ...]] = {
            move.trigger: move.parameters for move in definition.moves
        }
        self.parameter_names: dict[str, frozenset[str]] = {
            trigger: frozenset(names) for trigger, names in self.parameters.items()
        }
        machine = Machine(
            model=None,
            states=[stage.value for stage in definition.stages],
            initial=definition.initial.value,
            auto_transitions=False,
            send_event=True,
            model_attribute="_stage",
            queued=False,
            ignore_invalid_triggers=False,
        )
        for move in definition.moves:
            conditions: list[str | Callable[..., bool | None]] = (
                [self._guard(move)] if move.guard else []
            )
            for source in move.sources:
                if move.returns:
                    for origin in definition.entered_from(source):
                        machine.add_transition(
                            move.trigger,
                            source.value,
                            origin.value,
                            conditions=[_came_from(origin)],
                        )
                else:
                    dest = None if move.dest is None else move.dest.value
                    machine.add_transition(move.trigger, source.value, dest, conditions=conditions)
        self._events = {name: machine.events[name] for name in definition.triggers}

    def move(self, trigger: str, stage: Stage) -> Move | None:
        """The move ``trigger`` makes from ``stage``, if any."""
        return self._moves.get((trigger, stage))

    def _guard(self, move: Move) -> Callable[[EventData], bool]:
        rules = move.guard

        def guard(event: EventData) -> bool:
            attempt = cast("Attempt", event.model)  # only Engine.run triggers this machine
            attempt.blockers = self.evaluate(rules, attempt.state, attempt.arguments)
            return not attempt.blockers

        return guard

    def evaluate(
        self, rules: tuple[str, ...], state: State, arguments: Mapping[str, Any]
    ) -> tuple[Blocker, ...]:
        """A blocker for every rule in ``rules`` that ``state`` does not meet."""
        found = []
        for rule_id, check, source, given in self._guards[rules]:
            message = check(state, arguments)
            if message is not None:
                blocker = given.get(message)
                if blocker is None:
                    if len(given) >= _GIVEN_LIMIT:
                        given.clear()
                    blocker = given[message] = Blocker._trusted(rule_id, message, source)
                found.append(blocker)
        return tuple(found)

    def blockers(self, state: State, trigger: str) -> tuple[Blocker, ...]:
        """Every reason ``trigger`` cannot be made from ``state`` now (empty: it can).

        For a trigger that is not a move from the current stage, the rules of its
        own guard that are unmet come first, then ``process.order``.
        """
        move = self._moves.get((trigger, state.stage))
        if move is None:
            unmet = self.evaluate(self._guard_of[trigger], state, {})
            return (*unmet, self._out_of_order(trigger, state.stage))
        return self.evaluate(move.guard, state, {})

    def allowed(self, state: State) -> tuple[str, ...]:
        """The triggers that are moves from ``state``'s stage with every guard rule met."""
        moves = self._moves
        stage = state.stage
        return tuple(
            trigger
            for trigger in self.definition.triggers
            if (move := moves.get((trigger, stage))) is not None
            and not self.evaluate(move.guard, state, {})
        )

    def _out_of_order(self, trigger: str, stage: Stage) -> Blocker:
        rule = self._rules[self.definition.order_rule]
        if stage in self.definition.finals:
            message = f"the process has ended in {stage.label}; no move is possible"
        else:
            sources = [s.label for (t, s) in self._moves if t == trigger]
            message = f"{trigger} is not a move from {stage.label}; it is made from " + (
                ", ".join(sources)
            )
        return Blocker._trusted(rule.id, message, rule.source)

    def run(self, attempt: Attempt) -> bool:
        """Let ``transitions`` make the attempt: True if the move was made, False if guarded."""
        try:
            return bool(self._events[attempt.trigger].trigger(attempt))
        except MachineError:  # the caller checks the source first; this is a safety net
            raise TransitionNotAllowed(attempt.trigger, attempt.state.stage, ()) from None


_STAGES = {stage.value: stage for stage in Stage}
_GIVEN_LIMIT = 4096  # blockers kept per rule; values are immutable, so dropping them is safe


def _came_from(origin: Stage) -> Callable[[EventData], bool]:
    def came_from(event: EventData) -> bool:
        attempt = cast("Attempt", event.model)  # only Engine.run triggers this machine
        return attempt.state.suspended_from == origin

    return came_from
