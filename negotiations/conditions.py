"""The vocabulary of conditions a rule can state: a small, closed set of values.

A rule of a process says *what* must hold with one of these conditions; the
definition says *where* it holds (the moves it guards, the arguments it
checks). Every condition can

- **explain itself**: :meth:`Condition.explain` gives what is missing, with the
  numbers (``"392 of 1000 released by Russia"``), or ``None`` when it is met;
- **say what it reads**: :attr:`Condition.reads` names the parts of a
  negotiation's state it looks at (``"ledger.released"``, ``"terms.quota"``);
- **evaluate for many negotiations at once**: :meth:`Condition.evaluate` takes
  the columns of :func:`state_arrays` (numpy arrays, one row per negotiation)
  and gives a boolean array, true where the condition is met. Only this needs
  numpy, imported when it is called.

==================  ===========================================================
kind                met when
==================  ===========================================================
``quota``           each party has released at least what the terms require
``priority``        each party has released every prisoner of a priority
                    category (``seriously_ill``, ``young``) it holds
``exchange``        terms are agreed and the exchange is complete (all of the
                    two above); with several agreements, every one agreed so far
``under_way``       an exchange is agreed and not complete yet (a handover of
                    it is still due)
``at_stage``        the move is made from the given stage
``resolved``        no item of a kind is open (and, if asked, the exchange is
                    complete too)
``acknowledged``    every declared interest is acknowledged by every other party
``all``             every one of several conditions
``proportion``      (a move's tranche) each party releases its share of the
                    agreed ratio, one for one by default
``separate``        (a move's tranche) civilians and soldiers are not mixed
                    where the terms keep them apart
==================  ===========================================================

A rule may also be a plain Python function of the state and the move's
arguments (:class:`Custom`): it works everywhere but on arrays, where
:meth:`negotiations.Rule.evaluate` refuses it by the rule's name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from attrs import field, frozen

from negotiations._arrays import evaluated, state_arrays
from negotiations._checks import TEXT, check_each, check_text, kind_of, shorten
from negotiations._errors import InvalidType, InvalidValue
from negotiations._stages import label

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from negotiations._counts import Counts
    from negotiations._definition import Definition
    from negotiations._state import State

    Arrays = Mapping[str, NDArray[Any]]
    Mask = NDArray[np.bool_]

__all__ = [
    "CATEGORIES",
    "Acknowledged",
    "AllOf",
    "AtStage",
    "Bound",
    "Condition",
    "Custom",
    "ExchangeComplete",
    "Priority",
    "Proportion",
    "Quota",
    "Resolved",
    "Separate",
    "UnderWay",
    "condition_from_dict",
    "exchange_complete",
    "state_arrays",
]

#: The priority categories of prisoners an exchange can require, and how a message
#: names them (``{age_limit}`` is the agreed age limit).
CATEGORIES: Mapping[str, str] = {
    "seriously_ill": "seriously ill prisoners",
    "young": "prisoners under {age_limit}",
}

#: A bound condition's two questions about a state and a move's arguments.
Explain = Callable[["State", Mapping[str, Any]], "str | None"]
Met = Callable[["State", Mapping[str, Any]], bool]


class Bound:
    """A condition bound to one process: its two questions, as functions of a state and a
    move's arguments, worked out once (labels looked up, parties put in order)."""

    __slots__ = ("explain", "met")

    def __init__(self, explain: Explain, met: Met | None = None) -> None:
        #: What is missing, or ``None`` when the condition is met.
        self.explain = explain
        #: Whether the condition is met, without writing what is missing.
        self.met: Met = met if met is not None else _met_by(explain)


def _met_by(explain: Explain) -> Met:
    def met(state: State, arguments: Mapping[str, Any]) -> bool:
        return explain(state, arguments) is None

    return met


class Condition:
    """What a rule requires, as a value of the vocabulary."""

    #: The name of the condition's kind in a process file.
    kind: ClassVar[str]

    @property
    def reads(self) -> frozenset[str]:
        """The parts of the state (and of a move's arguments) the condition looks at."""
        raise NotImplementedError

    @property
    def on_arguments(self) -> bool:
        """Whether the condition checks a move's argument (a bad value) rather than the state
        (a blocked move)."""
        return False

    def bind(self, process: Definition) -> Bound:
        """The condition's questions for ``process`` (see :class:`Bound`). A process binds
        each condition once and keeps it for as long as it lives."""
        raise NotImplementedError

    def explain(
        self, state: State, arguments: Mapping[str, Any], process: Definition
    ) -> str | None:
        """What is missing, with the numbers; ``None`` when the condition is met."""
        return process.engine.bound(self).explain(state, arguments)

    def met(self, state: State, arguments: Mapping[str, Any], process: Definition) -> bool:
        """Whether the condition is met (without writing what is missing)."""
        return process.engine.bound(self).met(state, arguments)

    def evaluate(self, arrays: Arrays, process: Definition) -> Mask:
        """Whether the condition is met, for every row of :func:`state_arrays` at once."""
        raise NotImplementedError

    def to_dict(self) -> dict[str, Any]:
        """The condition as data for a process file: ``{"kind": ..., ...}``."""
        return {"kind": self.kind}


def _reached(got: tuple[int, ...], need: tuple[int, ...]) -> bool:
    """Whether every count in ``got`` reaches the one in ``need`` at the same place."""
    for have, must in zip(got, need):  # noqa: B905, SIM110  # party order; no generator here
        if have < must:
            return False
    return True


@frozen
class Quota(Condition):
    """Each party has released at least the number the agreed terms require of it.

    Unmet: ``"392 of 1000 released by Russia; 392 of 1000 released by Ukraine"``, or
    ``"no exchange has been agreed yet"``.
    """

    kind: ClassVar[str] = "quota"

    @property
    def reads(self) -> frozenset[str]:
        return frozenset({"terms.quota", "ledger.released"})

    def bind(self, process: Definition) -> Bound:
        parties = process.parties
        labels = tuple(process.label(party) for party in parties)

        def explain(state: State, arguments: Mapping[str, Any]) -> str | None:
            terms = state.terms
            if terms is None:
                return "no exchange has been agreed yet"
            got, need = state.ledger.released.over(parties), terms.quotas(parties)
            said = None
            for g, n, who in zip(got, need, labels):  # noqa: B905  # all in party order
                if g < n:
                    short = f"{g} of {n} released by {who}"
                    said = short if said is None else f"{said}; {short}"
            return said

        def met(state: State, arguments: Mapping[str, Any]) -> bool:
            terms = state.terms
            if terms is None:
                return False
            got, need = state.ledger.released.over(parties), terms.quotas(parties)
            return _reached(got, need)

        return Bound(explain, met)

    def evaluate(self, arrays: Arrays, process: Definition) -> Mask:
        return arrays["agreed"] & (arrays["released"] >= arrays["quota"]).all(axis=1)


def _category(value: object) -> str:
    category = check_text(value, "category")
    if category not in CATEGORIES:
        raise InvalidValue(
            f"category: unknown priority category {shorten(category)}; expected one of "
            f"{', '.join(CATEGORIES)}",
            path="category",
        )
    return category


@frozen
class Priority(Condition):
    """Each party has released every prisoner of ``category`` it holds (as the terms declare).

    Unmet: ``"0 of the 3 prisoners under 25 Russia holds released"``. Met while no
    terms are agreed (nothing is declared held).
    """

    kind: ClassVar[str] = "priority"
    category: str = field(converter=_category)

    @property
    def reads(self) -> frozenset[str]:
        return frozenset({f"terms.{self.category}_held", f"ledger.{self.category}"})

    def bind(self, process: Definition) -> Bound:
        parties = process.parties
        labels = tuple(process.label(party) for party in parties)
        category, held_by = self.category, f"{self.category}_held"
        what = CATEGORIES[category]

        def numbers(state: State) -> tuple[tuple[int, ...], tuple[int, ...]]:
            released: Counts = getattr(state.ledger, category)
            held: Counts = getattr(state.terms, held_by)
            return released.over(parties), held.over(parties)

        def explain(state: State, arguments: Mapping[str, Any]) -> str | None:
            terms = state.terms
            if terms is None or not getattr(terms, held_by).any:  # none held: none to release
                return None
            got, need = numbers(state)
            if _reached(got, need):
                return None
            named = what.format(age_limit=terms.age_limit)
            return "; ".join(
                f"{g} of the {n} {named} {who} holds released"
                for g, n, who in zip(got, need, labels, strict=True)
                if g < n
            )

        def met(state: State, arguments: Mapping[str, Any]) -> bool:
            terms = state.terms
            if terms is None or not getattr(terms, held_by).any:
                return True
            got, need = numbers(state)
            return _reached(got, need)

        return Bound(explain, met)

    def evaluate(self, arrays: Arrays, process: Definition) -> Mask:
        reached = arrays[self.category] >= arrays[f"{self.category}_held"]
        return ~arrays["agreed"] | reached.all(axis=1)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "category": self.category}


_COMPLETE = (Quota(), Priority("seriously_ill"), Priority("young"))


@frozen
class ExchangeComplete(Condition):
    """Terms are agreed and the exchange is complete (quota and every priority category).

    Unmet: ``"no exchange has been agreed yet"`` or
    ``"the prisoner exchange is not complete yet"``.
    """

    kind: ClassVar[str] = "exchange"

    @property
    def reads(self) -> frozenset[str]:
        return frozenset().union(*(part.reads for part in _COMPLETE))

    def bind(self, process: Definition) -> Bound:
        parts = tuple(part.bind(process).met for part in _COMPLETE)

        def met(state: State, arguments: Mapping[str, Any]) -> bool:
            for part in parts:  # noqa: SIM110  # a loop, not all(): no generator on this path
                if not part(state, arguments):
                    return False
            return True

        def explain(state: State, arguments: Mapping[str, Any]) -> str | None:
            if state.terms is None:
                return "no exchange has been agreed yet"
            return None if met(state, arguments) else "the prisoner exchange is not complete yet"

        return Bound(explain, met)

    def evaluate(self, arrays: Arrays, process: Definition) -> Mask:
        mask = arrays["agreed"].copy()
        for part in _COMPLETE:
            mask &= evaluated(part, arrays, process)
        return mask


@frozen
class UnderWay(Condition):
    """An exchange is agreed and not complete yet: a handover of it is still due.

    Where several exchanges were agreed, their numbers add up (see
    :class:`~negotiations.effects.AgreeFurther`), so one is under way while the sum of
    them is not reached. Unmet: ``"no exchange has been agreed yet"`` or ``"every
    exchange agreed so far is complete"``.
    """

    kind: ClassVar[str] = "under_way"

    @property
    def reads(self) -> frozenset[str]:
        return ExchangeComplete().reads

    def bind(self, process: Definition) -> Bound:
        complete = ExchangeComplete().bind(process).met

        def explain(state: State, arguments: Mapping[str, Any]) -> str | None:
            if state.terms is None:
                return "no exchange has been agreed yet"
            if complete(state, arguments):
                return "every exchange agreed so far is complete"
            return None

        def met(state: State, arguments: Mapping[str, Any]) -> bool:
            return state.terms is not None and not complete(state, arguments)

        return Bound(explain, met)

    def evaluate(self, arrays: Arrays, process: Definition) -> Mask:
        result: Mask = arrays["agreed"] & ~evaluated(ExchangeComplete(), arrays, process)
        return result


def exchange_complete(state: State, process: Definition) -> bool:
    """Whether terms are agreed and the exchange has met all of them."""
    return ExchangeComplete().met(state, {}, process)


@frozen
class AtStage(Condition):
    """The move is made from ``stage``.

    Unmet: ``"<subject> only from the third round, not from exchange"``.
    """

    kind: ClassVar[str] = "at_stage"
    stage: str = field(converter=TEXT)  # type: ignore[misc]  # attrs' mypy plugin cannot follow Converter objects
    #: What is done only from that stage, as the message says it.
    subject: str = field(default="the move is made", converter=TEXT)  # type: ignore[misc]  # as above

    @property
    def reads(self) -> frozenset[str]:
        return frozenset({"stage"})

    def bind(self, process: Definition) -> Bound:
        stage, subject, where = self.stage, self.subject, label(self.stage)

        def explain(state: State, arguments: Mapping[str, Any]) -> str | None:
            if state.stage == stage:
                return None
            return f"{subject} only from the {where}, not from {label(state.stage)}"

        def met(state: State, arguments: Mapping[str, Any]) -> bool:
            return state.stage == stage

        return Bound(explain, met)

    def evaluate(self, arrays: Arrays, process: Definition) -> Mask:
        result: Mask = arrays["stage"] == process.stages.index(self.stage)
        return result

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "stage": str(self.stage), "subject": self.subject}


@frozen
class Resolved(Condition):
    """No item of ``item`` kind is open; with ``exchange``, the exchange counts as one such
    item until it is complete.

    Unmet: ``"humanitarian issue(s) not yet resolved: the prisoner exchange, 'missing
    persons'"``.
    """

    kind: ClassVar[str] = "resolved"
    item: str = field(converter=TEXT)  # type: ignore[misc]  # attrs' mypy plugin cannot follow Converter objects
    #: How the message names the items: ``"humanitarian issue(s)"``.
    subject: str = field(converter=TEXT)  # type: ignore[misc]  # as above
    exchange: bool = False

    @property
    def reads(self) -> frozenset[str]:
        extra = ExchangeComplete().reads if self.exchange else frozenset()
        return frozenset({f"open.{self.item}"}) | extra

    def bind(self, process: Definition) -> Bound:
        item, subject = self.item, self.subject
        complete = ExchangeComplete().bind(process).met if self.exchange else None

        def explain(state: State, arguments: Mapping[str, Any]) -> str | None:
            unresolved = []
            if complete is not None and not complete(state, arguments):
                unresolved.append("the prisoner exchange")
            if state.open_count(item):
                unresolved.extend(map(shorten, state.open_items(item)))
            if unresolved:
                return f"{subject} not yet resolved: {', '.join(unresolved)}"
            return None

        def met(state: State, arguments: Mapping[str, Any]) -> bool:
            if state.open_count(item):
                return False
            return complete is None or complete(state, arguments)

        return Bound(explain, met)

    def evaluate(self, arrays: Arrays, process: Definition) -> Mask:
        mask: Mask = arrays[f"open.{self.item}"] == 0
        if self.exchange:
            mask = mask & evaluated(ExchangeComplete(), arrays, process)
        return mask

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind, "item": self.item, "subject": self.subject}
        if self.exchange:
            data["exchange"] = True
        return data


@frozen
class Acknowledged(Condition):
    """Every core interest a party declared is acknowledged by every other party.

    Unmet: ``"Russia's interest 'security guarantees' is not acknowledged by Ukraine"``.
    """

    kind: ClassVar[str] = "acknowledged"

    @property
    def reads(self) -> frozenset[str]:
        return frozenset({"interests"})

    def bind(self, process: Definition) -> Bound:
        def explain(state: State, arguments: Mapping[str, Any]) -> str | None:
            if not state.pending_count:
                return None
            return "; ".join(
                f"{process.label(interest.side)}'s interest {shorten(interest.name)} is not "
                "acknowledged by "
                + ", ".join(process.label(p) for p in state.awaited(interest, process))
                for interest in state.pending_interests()
            )

        def met(state: State, arguments: Mapping[str, Any]) -> bool:
            return not state.pending_count

        return Bound(explain, met)

    def evaluate(self, arrays: Arrays, process: Definition) -> Mask:
        result: Mask = arrays["pending_interests"] == 0
        return result


def _of_the_vocabulary(item: object, where: str) -> Condition:
    if not isinstance(item, Condition) or isinstance(item, Custom):
        raise InvalidType(
            f"{where} must be a condition of the vocabulary, not {type(item).__name__}",
            path=where,
        )
    return item


def _conditions(value: object) -> tuple[Condition, ...]:
    items = check_each(value, "conditions", "a sequence of conditions", _of_the_vocabulary)
    if not items:
        raise InvalidValue("conditions: at least one", path="conditions")
    return items


@frozen
class AllOf(Condition):
    """Every one of ``conditions``; what is missing of each, joined by ``"; "``."""

    kind: ClassVar[str] = "all"
    conditions: tuple[Condition, ...] = field(converter=_conditions)

    @property
    def reads(self) -> frozenset[str]:
        return frozenset().union(*(part.reads for part in self.conditions))

    @property
    def on_arguments(self) -> bool:
        return any(part.on_arguments for part in self.conditions)

    def bind(self, process: Definition) -> Bound:
        parts = tuple(part.bind(process) for part in self.conditions)

        def explain(state: State, arguments: Mapping[str, Any]) -> str | None:
            found = [said for part in parts if (said := part.explain(state, arguments)) is not None]
            return "; ".join(found) if found else None

        def met(state: State, arguments: Mapping[str, Any]) -> bool:
            return all(part.met(state, arguments) for part in parts)

        return Bound(explain, met)

    def evaluate(self, arrays: Arrays, process: Definition) -> Mask:
        mask = evaluated(self.conditions[0], arrays, process)
        for part in self.conditions[1:]:
            mask = mask & evaluated(part, arrays, process)
        return mask

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "conditions": [part.to_dict() for part in self.conditions]}


@frozen
class Proportion(Condition):
    """(On a move's ``tranche``.) Each party releases its share of the agreed ratio: the same
    number as every other where the exchange is one for one.

    Unmet: ``"a tranche must be at the agreed ratio 1:30 (Hamas, Israel), but Hamas
    releases 2 and Israel 30"``.
    """

    kind: ClassVar[str] = "proportion"

    @property
    def reads(self) -> frozenset[str]:
        return frozenset({"terms.ratio", "arguments.tranche.released"})

    @property
    def on_arguments(self) -> bool:
        return True

    def bind(self, process: Definition) -> Bound:
        parties = process.parties

        def explain(state: State, arguments: Mapping[str, Any]) -> str | None:
            tranche = arguments.get("tranche")
            terms = state.terms
            if tranche is None or terms is None:
                return None
            released = tranche.released
            if terms.ratio is None and tranche.ratio is None and released.parties == parties:
                return None  # one for one, and a tranche is one for one among its parties
            exchanging = tuple(terms.ratio) if terms.ratio is not None else parties
            first = exchanging[0]
            multiple, left = divmod(released.get(first, 0), terms.share(first))
            if (
                multiple
                and not left
                and all(released.get(p, 0) == multiple * terms.share(p) for p in exchanging)
                and all(p in exchanging or not n for p, n in released.items())
            ):
                return None
            agreed = ":".join(str(terms.share(p)) for p in exchanging)
            names = ", ".join(process.label(p) for p in exchanging)
            (one, *rest) = exchanging
            told = f"{process.label(one)} releases {released.get(one, 0)}" + "".join(
                f" and {process.label(p)} {released.get(p, 0)}" for p in rest
            )
            return f"a tranche must be at the agreed ratio {agreed} ({names}), but {told}"

        return Bound(explain)

    def evaluate(self, arrays: Arrays, process: Definition) -> Mask:
        released, share = arrays["tranche.released"], arrays["share"]
        exchanging = share > 0
        first = exchanging.argmax(axis=1)
        rows = range(len(released))
        divisor = share[rows, first]
        # Rows without terms have no shares: divide by 1 there (their answer is "met" anyway).
        multiple = released[rows, first] // (divisor + (divisor == 0))
        exact = (released == multiple[:, None] * share).all(axis=1)
        result: Mask = ~arrays["tranche.given"] | ~arrays["agreed"] | ((multiple >= 1) & exact)
        return result


@frozen
class Separate(Condition):
    """(On a move's ``tranche``.) Civilians and soldiers are not handed over together where
    the agreed terms keep civilians separate.

    Unmet: ``"civilians and soldiers in one tranche"``.
    """

    kind: ClassVar[str] = "separate"

    @property
    def reads(self) -> frozenset[str]:
        return frozenset({"terms.civilians_separate", "arguments.tranche.prisoners"})

    @property
    def on_arguments(self) -> bool:
        return True

    def bind(self, process: Definition) -> Bound:
        def explain(state: State, arguments: Mapping[str, Any]) -> str | None:
            tranche = arguments.get("tranche")
            terms = state.terms
            if tranche is None or terms is None or not terms.civilians_separate:
                return None
            return "civilians and soldiers in one tranche" if tranche.mixed else None

        return Bound(explain)

    def evaluate(self, arrays: Arrays, process: Definition) -> Mask:
        result: Mask = ~(arrays["agreed"] & arrays["civilians_separate"] & arrays["tranche.mixed"])
        return result


Check = Callable[["State", Mapping[str, Any]], "str | None"]


@frozen
class Custom(Condition):
    """A plain Python function as a condition: ``check(state, arguments)`` gives what is
    missing, or ``None``. It works everywhere except :meth:`evaluate` on arrays, and
    cannot be written to a process file."""

    kind: ClassVar[str] = "custom"
    check: Check = field()
    #: The parts of the state the function reads, as the function's author says.
    declared: frozenset[str] = field(default=frozenset(), converter=frozenset)

    @check.validator
    def _callable(self, attribute: object, value: object) -> None:
        if not callable(value):
            raise InvalidType(f"check must be callable, not {type(value).__name__}", path="check")

    @property
    def reads(self) -> frozenset[str]:
        return self.declared

    def bind(self, process: Definition) -> Bound:
        check = self.check

        def explain(state: State, arguments: Mapping[str, Any]) -> str | None:
            said = check(state, arguments)
            if said is not None and not isinstance(said, str):
                raise InvalidType(
                    f"a custom check returns a message or None, not {type(said).__name__}"
                )
            return said

        return Bound(explain)

    def evaluate(self, arrays: Arrays, process: Definition) -> Mask:
        raise InvalidValue(
            "a plain Python function cannot be evaluated on arrays; write the rule with "
            "the conditions of negotiations.conditions"
        )

    def to_dict(self) -> dict[str, Any]:
        raise InvalidValue(
            "a plain Python function cannot be written to a process file; write the rule "
            "with the conditions of negotiations.conditions"
        )


_KINDS: Mapping[str, type[Condition]] = {
    kind.kind: kind
    for kind in (
        Quota,
        Priority,
        ExchangeComplete,
        UnderWay,
        AtStage,
        Resolved,
        Acknowledged,
        AllOf,
        Proportion,
        Separate,
    )
}
_FIELDS: Mapping[type[Condition], tuple[str, ...]] = {
    Priority: ("category",),
    AtStage: ("stage", "subject"),
    Resolved: ("item", "subject", "exchange"),
    AllOf: ("conditions",),
}


def condition_from_dict(data: object, where: str = "condition") -> Condition:
    """A condition from :meth:`Condition.to_dict` data; errors name the field."""
    made, read, given = kind_of(data, where, _KINDS, _FIELDS, "condition")
    if made is AllOf:
        given["conditions"] = read.each("conditions", condition_from_dict)
    return read.build(made, **given)
