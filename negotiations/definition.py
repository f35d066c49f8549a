"""A process defined as data — stages, moves, rules with provenance — and checked when defined."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import field, frozen

from negotiations._fields import check_bool, check_count, check_text
from negotiations.errors import DefinitionError, InvalidType, InvalidValue
from negotiations.graph import problems
from negotiations.stages import Stage

if TYPE_CHECKING:
    from negotiations.state import State

__all__ = ["Check", "Definition", "Move", "Rule"]

T = TypeVar("T")

#: A guard rule's test: given the state and the move's arguments, what is
#: missing (a sentence with the numbers), or ``None`` when the rule is met.
Check = Callable[["State", Mapping[str, Any]], "str | None"]


def _stage(value: object, field: str) -> Stage:
    if not isinstance(value, Stage):
        raise InvalidType(f"{field} must be a Stage, not {type(value).__name__}")
    return value


def _stage_tuple(value: object, field: str) -> tuple[Stage, ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise InvalidType(f"{field} must be a tuple of Stage, not {type(value).__name__}")
    return tuple(_stage(item, f"{field}[{i}]") for i, item in enumerate(value))


def _texts(value: object, field: str) -> tuple[str, ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise InvalidType(f"{field} must be a tuple of strings, not {type(value).__name__}")
    return tuple(check_text(item, f"{field}[{i}]") for i, item in enumerate(value))


def _items(kind: type[T], value: object, field: str) -> tuple[T, ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise InvalidType(f"{field} must be a tuple of {kind.__name__}, not {type(value).__name__}")
    items = tuple(value)
    for i, item in enumerate(items):
        if not isinstance(item, kind):
            raise InvalidType(f"{field}[{i}] must be a {kind.__name__}, not {type(item).__name__}")
    return items


def _rule_id(value: object) -> str:
    return check_text(value, "id")


def _statement(value: object) -> str:
    return check_text(value, "statement")


def _line(value: object) -> int:
    return check_count(value, "line")


def _quote(value: object) -> str:
    return check_text(value, "quote")


def _trigger(value: object) -> str:
    name = check_text(value, "trigger")
    if not name.isidentifier():
        raise InvalidValue(f"trigger: {name!r} is not a valid method name")
    return name


def _sources(value: object) -> tuple[Stage, ...]:
    return _stage_tuple(value, "sources")


def _dest(value: object) -> Stage | None:
    return None if value is None else _stage(value, "dest")


def _guard(value: object) -> tuple[str, ...]:
    return _texts(value, "guard")


def _parameters(value: object) -> tuple[str, ...]:
    return _texts(value, "parameters")


def _returns(value: object) -> bool:
    return check_bool(value, "returns")


def _stages(value: object) -> tuple[Stage, ...]:
    return _stage_tuple(value, "stages")


def _initial(value: object) -> Stage:
    return _stage(value, "initial")


def _finals(value: object) -> frozenset[Stage]:
    return frozenset(_stage_tuple(value, "finals"))


def _moves(value: object) -> tuple[Move, ...]:
    return _items(Move, value, "moves")


def _rules(value: object) -> tuple[Rule, ...]:
    return _items(Rule, value, "rules")


def _checks(value: object) -> Mapping[str, Check]:
    if not isinstance(value, Mapping):
        raise InvalidType(
            f"checks must be a mapping of rule id to check, not {type(value).__name__}"
        )
    for rule_id, check in value.items():
        if not callable(check):
            raise InvalidType(f"checks[{rule_id!r}] must be callable")
    return value


@frozen
class Rule:
    """A condition a party stated, with the sentence of the source it comes from."""

    id: str = field(converter=_rule_id)
    statement: str = field(converter=_statement)
    line: int = field(converter=_line)
    quote: str = field(converter=_quote)

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

    trigger: str = field(converter=_trigger)
    sources: tuple[Stage, ...] = field(converter=_sources)
    dest: Stage | None = field(default=None, converter=_dest)
    guard: tuple[str, ...] = field(default=(), converter=_guard)
    parameters: tuple[str, ...] = field(default=(), converter=_parameters)
    returns: bool = field(default=False, converter=_returns)
    doc: str = ""

    @property
    def internal(self) -> bool:
        """Whether the move leaves the stage as it is."""
        return self.dest is None and not self.returns


@frozen
class Definition:
    """A whole process. Construction checks it and reports every problem at once."""

    stages: tuple[Stage, ...] = field(converter=_stages)
    initial: Stage = field(converter=_initial)
    finals: frozenset[Stage] = field(converter=_finals)
    moves: tuple[Move, ...] = field(converter=_moves)
    rules: tuple[Rule, ...] = field(converter=_rules)
    checks: Mapping[str, Check] = field(repr=False, converter=_checks)
    #: The rule cited when a trigger is not a move from the current stage.
    order_rule: str = "process.order"
    #: The name saved files carry, so a file of one process is never replayed on another.
    name: str = "custom"

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
