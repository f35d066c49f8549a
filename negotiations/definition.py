"""A process defined as data — stages, moves, rules with provenance — and checked when defined."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from attrs import field, frozen

from negotiations.errors import DefinitionError
from negotiations.graph import problems
from negotiations.stages import Stage

if TYPE_CHECKING:
    from negotiations.state import State

__all__ = ["Check", "Definition", "Move", "Rule"]

#: A guard rule's test: given the state and the move's arguments, what is
#: missing (a sentence with the numbers), or ``None`` when the rule is met.
Check = Callable[["State", Mapping[str, Any]], "str | None"]


@frozen
class Rule:
    """A condition a party stated, with the sentence of the source it comes from."""

    id: str
    statement: str
    line: int
    quote: str

    @property
    def source(self) -> str:
        """Where the rule comes from: ``article line 8: "..."``."""
        return f'article line {self.line}: "{self.quote}"'

    def __str__(self) -> str:
        return f"{self.id}: {self.statement} ({self.source})"


@frozen
class Move:
    """A trigger and where it may be made from.

    ``dest`` is the stage it leads to; ``None`` for an internal move (the stage
    stays, the record changes). ``returns`` marks a move back to the stage the
    source stage was entered from (``resume``). Every rule in ``guard`` is
    evaluated and all unmet ones are reported.
    """

    trigger: str
    sources: tuple[Stage, ...]
    dest: Stage | None = None
    guard: tuple[str, ...] = ()
    parameters: tuple[str, ...] = ()
    returns: bool = False
    doc: str = ""

    @property
    def internal(self) -> bool:
        """Whether the move leaves the stage as it is."""
        return self.dest is None and not self.returns


@frozen
class Definition:
    """A whole process. Construction checks it and reports every problem at once."""

    stages: tuple[Stage, ...]
    initial: Stage
    finals: frozenset[Stage]
    moves: tuple[Move, ...]
    rules: tuple[Rule, ...]
    checks: Mapping[str, Check] = field(repr=False)
    #: The rule cited when a trigger is not a move from the current stage.
    order_rule: str = "process.order"

    def __attrs_post_init__(self) -> None:
        found = problems(self)
        if found:
            raise DefinitionError(found)

    def rule(self, rule_id: str) -> Rule:
        """The rule with id ``rule_id``."""
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)

    @property
    def triggers(self) -> tuple[str, ...]:
        """Every trigger, in definition order, once each."""
        return tuple(dict.fromkeys(move.trigger for move in self.moves))

    def move(self, trigger: str, stage: Stage) -> Move | None:
        """The move ``trigger`` makes from ``stage``, or ``None`` when there is none."""
        for move in self.moves:
            if move.trigger == trigger and stage in move.sources:
                return move
        return None

    def entered_from(self, stage: Stage) -> tuple[Stage, ...]:
        """The stages a non-returning move leads into ``stage`` from, in stage order."""
        origins = {
            source
            for move in self.moves
            if move.dest == stage and not move.returns
            for source in move.sources
            if source != stage
        }
        return tuple(s for s in self.stages if s in origins)
