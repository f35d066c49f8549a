"""The one function that makes a move: state, trigger and arguments in; the event, and the new
state or a refusal, out. Live calls, pledges, replay, loading and ``at(k)`` all use it.

A move is checked in four steps, all before anything changes: its arguments on
their own (their kinds, :func:`~negotiations._parameters.check_arguments`), the
move's argument rules (a bad value), the move's effect against the state (a bad
value), then its guard rules (a refusal naming every unmet rule). Only a move
that passes all four is applied, by its effect.

The :class:`Engine` of a process is worked out once from its definition (and
dies with it): for each move and each stage it is made from, a :class:`Plan`
holding the rules with their citations, the effect and where the move leads.
"""

from __future__ import annotations

import datetime
import difflib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from negotiations._checks import citing, shorten
from negotiations._errors import (
    InvalidType,
    InvalidValue,
    TransitionNotAllowed,
    UnknownTrigger,
)
from negotiations._machine import Attempt, Machine
from negotiations._parameters import check_arguments
from negotiations._records import Blocker, Event, make_blocker, make_event
from negotiations._stages import label
from negotiations.effects import Effect

if TYPE_CHECKING:
    from negotiations._definition import Definition, Move
    from negotiations._records import Pledge
    from negotiations._state import State
    from negotiations.conditions import Bound, Condition

__all__ = ["Engine", "Plan", "make_move"]

#: A rule as a plan keeps it: its id, its condition bound to the process, and its citation.
Cited = tuple[str, "Bound", str]


class Plan:
    """One move from one stage, looked up once."""

    __slots__ = (
        "admits",
        "checks",
        "dest",
        "effect",
        "guard",
        "move",
        "process",
        "stage",
        "trigger",
    )

    def __init__(self, engine: Engine, move: Move, stage: str) -> None:
        process = engine.process
        self.process = process
        self.move = move
        self.trigger = move.trigger
        self.stage = stage
        self.effect = move.effect
        self.checks: tuple[Cited, ...] = _cited(engine, move.checks)
        self.guard: tuple[Cited, ...] = _cited(engine, move.guard)
        #: Where the move leads; ``None`` where it goes back to where the process was
        #: suspended from (known only then).
        self.dest: str | None = None if move.returns else (move.dest or stage)
        #: Whether :meth:`admit` has anything to refuse: argument rules, or an effect that
        #: looks at its arguments (one that does not keeps :meth:`Effect.admit`).
        self.admits = bool(self.checks) or type(self.effect).admit is not Effect.admit

    def evaluate(self, state: State, arguments: Mapping[str, Any]) -> tuple[Blocker, ...]:
        """A blocker for every guard rule ``state`` does not meet."""
        found = []
        for rule, bound, cited in self.guard:  # a loop: most guards hold one or two rules
            said = bound.explain(state, arguments)
            if said is not None:
                found.append(make_blocker(rule, said, cited))
        return tuple(found)

    def admit(self, state: State, arguments: Mapping[str, Any]) -> None:
        """Refuse arguments that break the move's argument rules or do not fit the state."""
        process = self.process
        for rule, bound, _ in self.checks:
            said = bound.explain(state, arguments)
            if said is not None:
                quote = process.rule(rule).quote
                raise InvalidValue(f"tranche: {citing(said, rule, quote)}", path="tranche")
        self.effect.admit(state, arguments, process)

    def possible(self, state: State) -> bool:
        """Whether the move can be made from ``state`` at all: a move that returns where the
        process was suspended from needs somewhere to return to."""
        return self.dest is not None or state.suspended_from is not None

    def met(self, state: State, arguments: Mapping[str, Any]) -> bool:
        """Whether every guard rule is met (no messages written)."""
        return all(bound.met(state, arguments) for _, bound, _ in self.guard)

    def ready(self, state: State, arguments: Mapping[str, Any]) -> bool:
        """Whether the move would be made now with ``arguments`` (no messages written)."""
        try:
            self.admit(state, arguments)
        except (InvalidValue, InvalidType):
            return False
        return self.met(state, arguments)


def _cited(engine: Engine, rule_ids: tuple[str, ...]) -> tuple[Cited, ...]:
    process = engine.process
    found = []
    for rule_id in rule_ids:
        condition = process.rule(rule_id).condition
        assert condition is not None  # a sound definition guards with conditions only
        found.append((rule_id, engine.bound(condition), process.citation(rule_id)))
    return tuple(found)


class Engine:
    """Everything making a move of one process needs, worked out once from its definition."""

    def __init__(self, process: Definition) -> None:
        self.process = process
        self._bound: dict[Condition, Bound] = {}
        self.plans: dict[tuple[str, str], Plan] = {
            (move.trigger, stage): Plan(self, move, stage)
            for move in process.moves
            for stage in move.sources
        }
        self.parameters: dict[str, tuple[str, ...]] = {}
        self._guard_of: dict[str, Plan] = {}
        for (trigger, _), plan in self.plans.items():
            self.parameters.setdefault(trigger, plan.move.parameters)
            self._guard_of.setdefault(trigger, plan)
        #: Each rule's citation: saved events leave a blocker's source out where it is this.
        self.citations: dict[str, str] = {
            rule.id: process.citation(rule.id) for rule in process.rules
        }
        #: What other parts of the library work out once per process (pledges), kept here so
        #: that it dies with the process.
        self.memo: dict[str, Any] = {}
        #: The process's own stage values by name: ``transitions`` knows the names only.
        self.stage_of: dict[str, str] = {str(stage): stage for stage in process.stages}
        #: Each stage's plain name, as ``transitions`` knows it.
        self.name_of: dict[str, str] = {stage: str(stage) for stage in process.stages}
        plans = self.plans
        self.machine = Machine(process, lambda move, stage: plans[move.trigger, stage].evaluate)

    def bound(self, condition: Condition) -> Bound:
        """``condition`` bound to this process: worked out once, kept while the process lives."""
        found = self._bound.get(condition)
        if found is None:
            found = self._bound[condition] = condition.bind(self.process)
        return found

    def known(self, trigger: object) -> str:
        """``trigger`` if it is a move of the process, else an error (with a suggestion)."""
        if not isinstance(trigger, str):
            raise InvalidType(f"trigger must be a string, not {type(trigger).__name__}")
        if trigger not in self.parameters:
            close = difflib.get_close_matches(trigger, self.process.triggers, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise UnknownTrigger(f"unknown trigger {shorten(trigger)}{hint}")
        return trigger

    def blockers(self, state: State, trigger: str) -> tuple[Blocker, ...]:
        """Every reason ``trigger`` cannot be made from ``state`` now (empty: it can).

        For a trigger that is not a move from the current stage, the rules of its
        own guard that are unmet come first, then the process's order rule.
        """
        plan = self.plans.get((trigger, state.stage))
        if plan is None:
            unmet = self._guard_of[trigger].evaluate(state, {})
            return (*unmet, self._out_of_order(trigger, state.stage))
        return plan.evaluate(state, {})

    def allowed(self, state: State) -> tuple[str, ...]:
        """The triggers that are moves from ``state``'s stage with every guard rule met."""
        plans, stage = self.plans, state.stage
        return tuple(
            trigger
            for trigger in self.process.triggers
            if (plan := plans.get((trigger, stage))) is not None
            and plan.possible(state)
            and plan.met(state, {})
        )

    def _out_of_order(self, trigger: str, stage: str) -> Blocker:
        process = self.process
        rule = process.order_rule
        if stage in process.finals:
            message = f"the process has ended in {label(stage)}; no move is possible"
        else:
            sources = [label(s) for (t, s) in self.plans if t == trigger]
            message = f"{trigger} is not a move from {label(stage)}; it is made from " + (
                ", ".join(sources)
            )
        return make_blocker(rule, message, self.citations[rule])


def make_move(
    engine: Engine,
    state: State,
    trigger: str,
    given: Mapping[str, object],
    *,
    live: bool = True,
    pledge: Pledge | None = None,
    date: datetime.date | None = None,
    citation: str | None = None,
) -> tuple[Event, State | None]:
    """Make the move ``trigger`` with ``given`` arguments from ``state``.

    Returns the event to record and the state after it, or ``None`` for a move the
    rules refuse (the event then carries the blockers). A bad value raises
    :class:`InvalidValue` or :class:`InvalidType` naming the field, a move that
    does not exist from here :class:`TransitionNotAllowed`; nothing is recorded
    for those. ``live`` moves run through the ``transitions`` machine; replay asks
    the plan directly, which gives the same answer. ``pledge`` marks a move a
    pledge makes; ``date`` and ``citation`` (checked by the caller, which knows the
    history) go on the event as they are.
    """
    arguments = check_arguments(engine.process, engine.parameters[trigger], given)
    stage = state.stage
    plan = engine.plans.get((trigger, stage))
    if plan is None or not plan.possible(state):
        raise TransitionNotAllowed(trigger, stage, engine.allowed(state))
    if plan.admits:
        plan.admit(state, arguments)
    dest: str | None
    if live:
        attempt = Attempt(state, trigger, arguments, engine.name_of[stage])
        made = engine.machine.run(attempt)
        blockers, dest = attempt.blockers, attempt.stage
    else:
        blockers = plan.evaluate(state, arguments) if plan.guard else ()
        made, fixed = not blockers, plan.dest
        dest = state.suspended_from if fixed is None else fixed  # a return: where it was
        made = made and dest is not None
    if not made:
        return make_event(
            trigger, False, stage, stage, arguments, blockers, None, date, citation
        ), None
    assert dest is not None  # a move that was made leads somewhere
    after = plan.effect.apply(state, arguments, engine.stage_of[dest], engine.process)
    event = make_event(trigger, True, stage, after.stage, arguments, (), pledge, date, citation)
    return event, after
