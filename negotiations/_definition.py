"""A process defined as data — its source document, parties, stages, rules and moves — and
checked when defined, every problem reported at once."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from attrs import Attribute, Converter, evolve, field, frozen

from negotiations._checks import COUNT, TEXT, check_each, check_text, instance_of, shorten
from negotiations._engine import Engine
from negotiations._errors import DefinitionError, InvalidType, InvalidValue
from negotiations._records import stage_name
from negotiations._stages import label
from negotiations._terms import ExchangeTerms
from negotiations.conditions import Condition, Custom
from negotiations.effects import Effect, Record
from negotiations.graph import problems

__all__ = ["Definition", "Move", "Rule", "Source", "shipped", "shipped_named", "shipped_names"]

T = TypeVar("T")


def _date(value: object, attribute: Attribute[Any]) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
        raise InvalidValue(
            f"date: {shorten(value)} is not an ISO date (such as 2025-05-16)", path="date"
        )
    raise InvalidType(f"date must be a date or ISO text, not {type(value).__name__}", path="date")


@frozen
class Source:
    """The document a process comes from: rules cite its lines and quote them.

    ``name`` is how a citation names it: ``article line 5: "..."``.
    """

    title: str = field(converter=TEXT)  # type: ignore[misc]  # attrs' mypy plugin cannot follow Converter objects
    date: datetime.date = field(converter=Converter(_date, takes_field=True))  # type: ignore[misc]  # attrs' mypy plugin cannot follow Converter objects
    origin: str = field(converter=TEXT)  # type: ignore[misc]  # attrs' mypy plugin cannot follow Converter objects
    text: str = field(converter=TEXT, repr=False)  # type: ignore[misc]  # attrs' mypy plugin cannot follow Converter objects
    name: str = field(default="source", converter=TEXT, kw_only=True)  # type: ignore[misc]  # attrs' mypy plugin cannot follow Converter objects

    @property
    def lines(self) -> tuple[str, ...]:
        """The text's lines; line 1 is ``lines[0]``."""
        return tuple(self.text.splitlines())

    def line(self, number: int) -> str:
        """Line ``number`` of the text, counted from 1."""
        lines = self.lines
        if not 1 <= number <= len(lines):
            raise IndexError(f"the {self.name} has lines 1 to {len(lines)}, not {number}")
        return lines[number - 1]

    def to_dict(self) -> dict[str, Any]:
        """The source as data for a process file."""
        return {
            "title": self.title,
            "date": self.date.isoformat(),
            "origin": self.origin,
            "name": self.name,
            "text": self.text,
        }


def _condition(value: object) -> Condition | None:
    if value is None or isinstance(value, Condition):
        return value
    if callable(value):
        return Custom(value)  # the escape hatch: a plain function of (state, arguments)
    raise InvalidType(
        "condition must be a condition of negotiations.conditions (or a function), "
        f"not {type(value).__name__}",
        path="condition",
    )


@frozen
class Rule:
    """A condition a party stated, with the line of the source it comes from.

    ``condition`` is what must hold (see :mod:`negotiations.conditions`); a rule
    without one is cited by the definition itself (the order of the moves).
    """

    id: str = field(converter=TEXT)  # type: ignore[misc]  # attrs' mypy plugin cannot follow Converter objects
    statement: str = field(converter=TEXT)  # type: ignore[misc]  # attrs' mypy plugin cannot follow Converter objects
    line: int = field(converter=COUNT)  # type: ignore[misc]  # attrs' mypy plugin cannot follow Converter objects
    quote: str = field(converter=TEXT)  # type: ignore[misc]  # attrs' mypy plugin cannot follow Converter objects
    condition: Condition | None = field(default=None, converter=_condition)
    #: How a citation names the document (a definition sets its source's name).
    document: str = field(default="source", converter=TEXT, kw_only=True, eq=False)  # type: ignore[misc]  # attrs' mypy plugin cannot follow Converter objects

    @property
    def source(self) -> str:
        """Where the rule comes from: ``article line 8: "..."``."""
        return f'{self.document} line {self.line}: "{self.quote}"'

    def __str__(self) -> str:
        return f"{self.id}: {self.statement} ({self.source})"

    def evaluate(self, arrays: Mapping[str, Any], process: Definition) -> Any:
        """Whether the rule is met for every row of ``arrays`` (see
        :func:`negotiations.conditions.state_arrays`): a boolean numpy array.

        A rule whose condition is a plain Python function is refused, naming the rule.
        """
        condition = self.condition
        if condition is None or isinstance(condition, Custom):
            what = "no condition" if condition is None else "a plain Python function"
            raise InvalidValue(
                f"rule {self.id}: its condition is {what}, which cannot be evaluated on "
                "arrays; write it with the conditions of negotiations.conditions",
                path="condition",
            )
        return condition.evaluate(arrays, process)


def _names(value: object, attribute: Attribute[Any]) -> tuple[str, ...]:
    return check_each(value, attribute.alias or attribute.name, "a tuple of names", stage_name)


def _trigger(value: object) -> str:
    name = check_text(value, "trigger")
    if not name.isidentifier():
        raise InvalidValue(f"trigger: {shorten(name)} is not a valid method name", path="trigger")
    return name


def _dest(value: object) -> str | None:
    return None if value is None else stage_name(value, "dest")


def _rule_ids(value: object, attribute: Attribute[Any]) -> tuple[str, ...]:
    return check_each(value, attribute.alias or attribute.name, "a tuple of rule ids", check_text)


def _effect(value: object) -> Effect:
    if not isinstance(value, Effect):
        raise InvalidType(
            f"effect must be an effect of negotiations.effects, not {type(value).__name__}",
            path="effect",
        )
    return value


_NAMES = Converter(_names, takes_field=True)
_RULE_IDS = Converter(_rule_ids, takes_field=True)


@frozen
class Move:
    """A trigger, the stages it may be made from, where it leads, and what it does.

    ``dest`` is the stage it leads to; ``None`` for a move that stays (the record
    changes, the stage does not) or that goes back where the process was
    suspended from (its effect is :class:`~negotiations.effects.Resume`).
    ``guard`` names the rules that must all be met (every unmet one is reported);
    ``checks`` names rules on the move's arguments (a bad value when unmet).
    """

    trigger: str = field(converter=_trigger)
    sources: tuple[str, ...] = field(converter=_NAMES)  # type: ignore[misc]  # attrs' mypy plugin cannot follow Converter objects
    dest: str | None = field(default=None, converter=_dest)
    guard: tuple[str, ...] = field(default=(), converter=_RULE_IDS)  # type: ignore[misc]  # attrs' mypy plugin cannot follow Converter objects
    effect: Effect = field(default=Record(), converter=_effect)
    checks: tuple[str, ...] = field(default=(), converter=_RULE_IDS)  # type: ignore[misc]  # attrs' mypy plugin cannot follow Converter objects
    doc: str = ""

    @property
    def parameters(self) -> tuple[str, ...]:
        """The move's parameters, as its effect takes them."""
        return self.effect.parameters

    @property
    def returns(self) -> bool:
        """Whether the move goes back to the stage the process was suspended from."""
        return self.effect.returns

    @property
    def internal(self) -> bool:
        """Whether the move leaves the stage as it is."""
        return self.dest is None and not self.returns


def _parties(value: object, attribute: Attribute[Any]) -> tuple[str, ...]:
    return check_each(value, "parties", "a tuple of names", check_text)


def _items(kind: type[T], name: str) -> Callable[[object], tuple[T, ...]]:
    def convert(value: object) -> tuple[T, ...]:
        return check_each(value, name, f"a tuple of {kind.__name__}", instance_of(kind))

    return convert


def _labels(value: object) -> Mapping[str, str]:
    if not isinstance(value, Mapping):
        raise InvalidType(
            f"labels must be a mapping of party to name, not {type(value).__name__}",
            path="labels",
        )
    return {check_text(k, "labels"): check_text(v, f"labels[{k}]") for k, v in value.items()}


def _terms(value: object) -> ExchangeTerms | None:
    if value is None or isinstance(value, ExchangeTerms):
        return value
    raise InvalidType(f"terms must be ExchangeTerms or None, not {type(value).__name__}")


def _finals(value: object, attribute: Attribute[Any]) -> frozenset[str]:
    return frozenset(_names(value, attribute))


def _source(value: object) -> Source:
    if not isinstance(value, Source):
        raise InvalidType(f"source must be a Source, not {type(value).__name__}", path="source")
    return value


#: The processes the package ships (the article's), by name: pickled by name, and
#: unpickled as the very same object.
_SHIPPED: dict[str, Definition] = {}


def shipped(process: Definition) -> Definition:
    """Mark ``process`` as one the package ships (pickles refer to it by name)."""
    _SHIPPED[process.name] = process
    return process


def _shipped_process(name: str) -> Definition:
    return _SHIPPED[name]


def shipped_named(name: str) -> Definition | None:
    """The process the package ships under ``name``, if any."""
    return _SHIPPED.get(name)


def shipped_names() -> tuple[str, ...]:
    """The names of the processes the package ships."""
    return tuple(_SHIPPED)


def _rebuilt_definition(fields: dict[str, Any]) -> Definition:
    return Definition(**fields)


def stage_name_of(field_name: str) -> Callable[[object], str]:
    """An attrs converter: a stage's name, naming ``field_name``."""

    def convert(value: object) -> str:
        return stage_name(value, field_name)

    return convert


@frozen(cache_hash=True)
class Definition:
    """A whole process. Construction checks it and reports every problem at once."""

    name: str = field(converter=TEXT)  # type: ignore[misc]  # attrs' mypy plugin cannot follow Converter objects
    source: Source = field(converter=_source)
    parties: tuple[str, ...] = field(converter=Converter(_parties, takes_field=True))  # type: ignore[misc]  # attrs' mypy plugin cannot follow Converter objects
    stages: tuple[str, ...] = field(converter=_NAMES)  # type: ignore[misc]  # attrs' mypy plugin cannot follow Converter objects
    initial: str = field(converter=stage_name_of("initial"))  # type: ignore[misc]  # attrs' mypy plugin cannot follow Converter objects
    finals: frozenset[str] = field(converter=Converter(_finals, takes_field=True))  # type: ignore[misc]  # attrs' mypy plugin cannot follow Converter objects
    rules: tuple[Rule, ...] = field(converter=_items(Rule, "rules"))  # type: ignore[misc]  # attrs' mypy plugin cannot follow Converter objects
    moves: tuple[Move, ...] = field(converter=_items(Move, "moves"))  # type: ignore[misc]  # attrs' mypy plugin cannot follow Converter objects
    #: The rule cited when a trigger is not a move from the current stage.
    order_rule: str = field(default="process.order", converter=TEXT, kw_only=True)  # type: ignore[misc]  # attrs' mypy plugin cannot follow Converter objects
    #: The terms a move agreeing an exchange takes when given none.
    terms: ExchangeTerms | None = field(default=None, converter=_terms, kw_only=True)
    #: How messages name each party (``{"russia": "Russia"}``); the name itself otherwise.
    labels: Mapping[str, str] = field(
        factory=dict, converter=_labels, kw_only=True, eq=False, hash=False
    )
    _engine: list[Engine] = field(factory=list, init=False, eq=False, hash=False, repr=False)

    def __attrs_post_init__(self) -> None:
        # Each rule cites this definition's source by its name.
        named = self.source.name
        cited = tuple(evolve(rule, document=named) for rule in self.rules)
        object.__setattr__(self, "rules", cited)  # frozen: set once, while being built
        found = problems(self)
        if found:
            raise DefinitionError(found)

    @property
    def engine(self) -> Engine:
        """The machinery that makes this process's moves, built once on first use."""
        if not self._engine:
            self._engine.append(Engine(self))
        return self._engine[0]

    def rule(self, rule_id: str) -> Rule:
        """The rule with id ``rule_id``."""
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)

    def citation(self, rule_id: str) -> str:
        """Where the rule comes from: ``article line 8: "..."``."""
        return self.rule(rule_id).source

    def label(self, party: str) -> str:
        """How messages name ``party``."""
        return self.labels.get(party) or label(party)

    @property
    def triggers(self) -> tuple[str, ...]:
        """Every trigger, in definition order, once each."""
        return tuple(dict.fromkeys(move.trigger for move in self.moves))

    @property
    def items(self) -> tuple[str, ...]:
        """The kinds of item the process's moves open and close, in order."""
        return tuple(dict.fromkeys(m.effect.item for m in self.moves if m.effect.item))

    def move(self, trigger: str, stage: str) -> Move | None:
        """The move ``trigger`` makes from ``stage``, or ``None`` when there is none."""
        for move in self.moves:
            if move.trigger == trigger and stage in move.sources:
                return move
        return None

    def entered_from(self, stage: str) -> tuple[str, ...]:
        """The stages a non-returning move leads into ``stage`` from, in stage order."""
        origins = {
            source
            for move in self.moves
            if move.dest == stage and not move.returns
            for source in move.sources
            if source != stage
        }
        return tuple(s for s in self.stages if s in origins)

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        # pickle and copy: the definition's fields, never its engine (rebuilt on first use);
        # a process the package ships comes back as the very same object.
        if _SHIPPED.get(self.name) is self:
            return (_shipped_process, (self.name,))
        fields = {a.alias: getattr(self, a.name) for a in self.__attrs_attrs__ if a.init}
        return (_rebuilt_definition, (fields,))

    def __repr__(self) -> str:
        return (
            f"<Definition {shorten(self.name)}: {len(self.parties)} parties, {len(self.stages)} "
            f"stages, {len(self.moves)} moves, {len(self.rules)} rules; source "
            f"{shorten(self.source.title)}>"
        )
