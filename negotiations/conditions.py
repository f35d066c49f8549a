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
                    two above)
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
arguments (:class:`Custom`): it works everywhere but in :meth:`evaluate`,
which refuses it by the rule's name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from attrs import field, frozen

from negotiations._checks import TEXT, reader
from negotiations._errors import InvalidType, InvalidValue
from negotiations._stages import label

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from negotiations._definition import Definition
    from negotiations._state import State

    Arrays = Mapping[str, NDArray[Any]]
    Mask = NDArray[np.bool_]

__all__ = [
    "CATEGORIES",
    "Acknowledged",
    "AllOf",
    "AtStage",
    "Condition",
    "Custom",
    "ExchangeComplete",
    "Priority",
    "Proportion",
    "Quota",
    "Resolved",
    "Separate",
    "condition_from_dict",
    "state_arrays",
]

#: The priority categories of prisoners an exchange can require, and how a message
#: names them (``{age_limit}`` is the agreed age limit).
CATEGORIES: Mapping[str, str] = {
    "seriously_ill": "seriously ill prisoners",
    "young": "prisoners under {age_limit}",
}


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

    def explain(
        self, state: State, arguments: Mapping[str, Any], process: Definition
    ) -> str | None:
        """What is missing, with the numbers; ``None`` when the condition is met."""
        raise NotImplementedError

    def met(self, state: State, arguments: Mapping[str, Any], process: Definition) -> bool:
        """Whether the condition is met (without writing what is missing)."""
        return self.explain(state, arguments, process) is None

    def evaluate(self, arrays: Arrays, process: Definition) -> Mask:
        """Whether the condition is met, for every row of :func:`state_arrays` at once."""
        raise NotImplementedError

    def to_dict(self) -> dict[str, Any]:
        """The condition as data for a process file: ``{"kind": ..., ...}``."""
        return {"kind": self.kind}


def _parties(process: Definition) -> tuple[str, ...]:
    return process.parties


@frozen
class Quota(Condition):
    """Each party has released at least the number the agreed terms require of it.

    Unmet: ``"392 of 1000 released by Russia; 392 of 1000 released by Ukraine"``, or
    ``"no exchange has been agreed yet"``.
    """

    kind: ClassVar[str] = "quota"

    @property
    def reads(self) -> frozenset[str]:  # documented on Condition
        return frozenset({"terms.quota", "ledger.released"})

    def explain(
        self, state: State, arguments: Mapping[str, Any], process: Definition
    ) -> str | None:
        terms = state.terms
        if terms is None:
            return "no exchange has been agreed yet"
        released = state.ledger.released
        short = [
            f"{got} of {need} released by {process.label(party)}"
            for party in process.parties
            if (got := released.get(party, 0)) < (need := terms.quota_for(party))
        ]
        return "; ".join(short) if short else None

    def met(self, state: State, arguments: Mapping[str, Any], process: Definition) -> bool:
        terms = state.terms
        if terms is None:
            return False
        released = state.ledger.released
        return all(released.get(p, 0) >= terms.quota_for(p) for p in process.parties)

    def evaluate(self, arrays: Arrays, process: Definition) -> Mask:
        return arrays["agreed"] & (arrays["released"] >= arrays["quota"]).all(axis=1)


@frozen
class Priority(Condition):
    """Each party has released every prisoner of ``category`` it holds (as the terms declare).

    Unmet: ``"0 of the 3 prisoners under 25 Russia holds released"``. Met while no
    terms are agreed (nothing is declared held).
    """

    kind: ClassVar[str] = "priority"
    category: str = field(converter=TEXT)  # type: ignore[misc]  # attrs' mypy plugin cannot follow Converter objects

    def __attrs_post_init__(self) -> None:
        if self.category not in CATEGORIES:
            raise InvalidValue(
                f"category: unknown priority category {self.category!r}; expected one of "
                f"{', '.join(CATEGORIES)}",
                path="category",
            )

    @property
    def reads(self) -> frozenset[str]:
        return frozenset({f"terms.{self.category}_held", f"ledger.{self.category}"})

    def explain(
        self, state: State, arguments: Mapping[str, Any], process: Definition
    ) -> str | None:
        terms = state.terms
        if terms is None:
            return None
        held: Mapping[str, int] = getattr(terms, f"{self.category}_held")
        released: Mapping[str, int] = getattr(state.ledger, self.category)
        what = CATEGORIES[self.category].format(age_limit=terms.age_limit)
        short = [
            f"{got} of the {need} {what} {process.label(party)} holds released"
            for party in process.parties
            if (got := released.get(party, 0)) < (need := held.get(party, 0))
        ]
        return "; ".join(short) if short else None

    def met(self, state: State, arguments: Mapping[str, Any], process: Definition) -> bool:
        terms = state.terms
        if terms is None:
            return True
        held: Mapping[str, int] = getattr(terms, f"{self.category}_held")
        released: Mapping[str, int] = getattr(state.ledger, self.category)
        return all(released.get(p, 0) >= held.get(p, 0) for p in process.parties)

    def evaluate(self, arrays: Arrays, process: Definition) -> Mask:
        reached = arrays[self.category] >= arrays[f"{self.category}_held"]
        return ~arrays["agreed"] | reached.all(axis=1)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "category": self.category}


_COMPLETE = (Quota(), Priority("seriously_ill"), Priority("young"))


def exchange_complete(state: State, process: Definition) -> bool:
    """Whether terms are agreed and the exchange has met all of them."""
    return all(part.met(state, {}, process) for part in _COMPLETE)


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

    def explain(
        self, state: State, arguments: Mapping[str, Any], process: Definition
    ) -> str | None:
        if state.terms is None:
            return "no exchange has been agreed yet"
        if not exchange_complete(state, process):
            return "the prisoner exchange is not complete yet"
        return None

    def met(self, state: State, arguments: Mapping[str, Any], process: Definition) -> bool:
        return exchange_complete(state, process)

    def evaluate(self, arrays: Arrays, process: Definition) -> Mask:
        mask = arrays["agreed"].copy()
        for part in _COMPLETE:
            mask &= part.evaluate(arrays, process)
        return mask


@frozen
class AtStage(Condition):
    """The move is made from ``stage``.

    Unmet: ``"<subject> only from the third round, not from exchange"``.
    """

    kind: ClassVar[str] = "at_stage"
    stage: str = field(converter=TEXT)  # type: ignore[misc]  # attrs' mypy plugin cannot follow Converter objects
    #: What is done only from that stage, as the message says it.
    subject: str = field(default="the move is made", converter=TEXT)  # type: ignore[misc]  # attrs' mypy plugin cannot follow Converter objects

    @property
    def reads(self) -> frozenset[str]:
        return frozenset({"stage"})

    def explain(
        self, state: State, arguments: Mapping[str, Any], process: Definition
    ) -> str | None:
        if state.stage == self.stage:
            return None
        return f"{self.subject} only from the {label(self.stage)}, not from {label(state.stage)}"

    def met(self, state: State, arguments: Mapping[str, Any], process: Definition) -> bool:
        return state.stage == self.stage

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
    subject: str = field(converter=TEXT)  # type: ignore[misc]  # attrs' mypy plugin cannot follow Converter objects
    exchange: bool = False

    @property
    def reads(self) -> frozenset[str]:
        extra = ExchangeComplete().reads if self.exchange else frozenset()
        return frozenset({f"open.{self.item}"}) | extra

    def explain(
        self, state: State, arguments: Mapping[str, Any], process: Definition
    ) -> str | None:
        unresolved = []
        if self.exchange and not exchange_complete(state, process):
            unresolved.append("the prisoner exchange")
        if state.open_count(self.item):
            unresolved.extend(repr(name) for name in state.open_items(self.item))
        if unresolved:
            return f"{self.subject} not yet resolved: {', '.join(unresolved)}"
        return None

    def met(self, state: State, arguments: Mapping[str, Any], process: Definition) -> bool:
        if state.open_count(self.item):
            return False
        return not self.exchange or exchange_complete(state, process)

    def evaluate(self, arrays: Arrays, process: Definition) -> Mask:
        mask: Mask = arrays[f"open.{self.item}"] == 0
        if self.exchange:
            mask = mask & ExchangeComplete().evaluate(arrays, process)
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

    def explain(
        self, state: State, arguments: Mapping[str, Any], process: Definition
    ) -> str | None:
        if not state.pending_count:
            return None
        return "; ".join(
            f"{process.label(interest.side)}'s interest {interest.name!r} is not acknowledged "
            f"by {', '.join(process.label(p) for p in state.awaited(interest, process))}"
            for interest in state.pending_interests()
        )

    def met(self, state: State, arguments: Mapping[str, Any], process: Definition) -> bool:
        return not state.pending_count

    def evaluate(self, arrays: Arrays, process: Definition) -> Mask:
        result: Mask = arrays["pending_interests"] == 0
        return result


def _conditions(value: object) -> tuple[Condition, ...]:
    if isinstance(value, Condition) or not isinstance(value, Iterable):
        raise InvalidType(
            f"conditions must be a sequence of conditions, not {type(value).__name__}",
            path="conditions",
        )
    items = tuple(value)
    for at, item in enumerate(items):
        if not isinstance(item, Condition) or isinstance(item, Custom):
            raise InvalidType(
                f"conditions[{at}] must be a condition of the vocabulary, not "
                f"{type(item).__name__}",
                path=f"conditions[{at}]",
            )
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

    def explain(
        self, state: State, arguments: Mapping[str, Any], process: Definition
    ) -> str | None:
        found = [
            said
            for part in self.conditions
            if (said := part.explain(state, arguments, process)) is not None
        ]
        return "; ".join(found) if found else None

    def met(self, state: State, arguments: Mapping[str, Any], process: Definition) -> bool:
        return all(part.met(state, arguments, process) for part in self.conditions)

    def evaluate(self, arrays: Arrays, process: Definition) -> Mask:
        mask = self.conditions[0].evaluate(arrays, process)
        for part in self.conditions[1:]:
            mask = mask & part.evaluate(arrays, process)
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

    def explain(
        self, state: State, arguments: Mapping[str, Any], process: Definition
    ) -> str | None:
        tranche = arguments.get("tranche")
        if tranche is None or state.terms is None:
            return None
        released = tranche.released
        terms = state.terms
        if terms.ratio is None and tranche.ratio is None and released.parties == process.parties:
            return None  # one for one, and a tranche is one for one among its own parties
        exchanging = tuple(terms.ratio) if terms.ratio is not None else process.parties
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

    def explain(
        self, state: State, arguments: Mapping[str, Any], process: Definition
    ) -> str | None:
        tranche = arguments.get("tranche")
        terms = state.terms
        if tranche is None or terms is None or not terms.civilians_separate:
            return None
        return "civilians and soldiers in one tranche" if tranche.mixed else None

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

    def explain(
        self, state: State, arguments: Mapping[str, Any], process: Definition
    ) -> str | None:
        said = self.check(state, arguments)
        if said is not None and not isinstance(said, str):
            raise InvalidType(
                f"a custom check returns a message or None, not {type(said).__name__}"
            )
        return said

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
        AtStage,
        Resolved,
        Acknowledged,
        AllOf,
        Proportion,
        Separate,
    )
}


def condition_from_dict(data: object, where: str = "condition") -> Condition:
    """A condition from :meth:`Condition.to_dict` data; errors name the field."""
    if not isinstance(data, Mapping):
        raise InvalidType(f"{where} must be a table, not {type(data).__name__}", path=where)
    kind = data.get("kind")
    made = _KINDS.get(kind) if isinstance(kind, str) else None
    if made is None:
        raise InvalidValue(
            f"{where}.kind: unknown condition {kind!r}; expected one of {', '.join(_KINDS)}",
            path=f"{where}.kind",
        )
    fields = {*_FIELDS[made], "kind"}
    read = reader(data, where, fields)
    given = {name: read.get(name) for name in _FIELDS[made] if read.has(name)}
    if made is AllOf:
        given["conditions"] = read.each("conditions", condition_from_dict)
    return read.build(made, **given)


_FIELDS: Mapping[type[Condition], tuple[str, ...]] = {
    Priority: ("category",),
    AtStage: ("stage", "subject"),
    Resolved: ("item", "subject", "exchange"),
    AllOf: ("conditions",),
}
_FIELDS = {kind: _FIELDS.get(kind, ()) for kind in _KINDS.values()}


def state_arrays(
    process: Definition,
    states: Sequence[State],
    arguments: Sequence[Mapping[str, Any]] | None = None,
) -> dict[str, NDArray[Any]]:
    """The columns :meth:`Condition.evaluate` reads, one row per state (numpy arrays).

    ``stage`` (the stage's index in ``process.stages``), ``agreed`` (terms agreed),
    per-party columns in the order of ``process.parties`` (``quota``, ``released``,
    ``seriously_ill``, ``young``, ``seriously_ill_held``, ``young_held``, ``share``),
    ``civilians_separate``, ``open.<item>`` for each kind of item the process opens,
    ``pending_interests``; with ``arguments`` (one mapping per state), the columns of
    a ``tranche`` argument (``tranche.given``, ``tranche.released``, ``tranche.mixed``).
    """
    try:
        import numpy as np  # noqa: PLC0415  # optional: only arrays need numpy
    except ImportError:  # pragma: no cover - numpy comes with the test extra
        raise ImportError(
            "evaluating conditions on arrays needs numpy: pip install 'negotiations[test]'"
        ) from None
    parties = process.parties
    rows = len(states)

    def per_party(read: Callable[[State], Mapping[str, int] | None]) -> NDArray[Any]:
        table = np.zeros((rows, len(parties)), dtype=np.int64)
        for row, state in enumerate(states):
            counts = read(state)
            if counts is not None:
                table[row] = [counts.get(p, 0) for p in parties]
        return table

    def from_terms(name: str) -> Callable[[State], Mapping[str, int] | None]:
        return lambda s: None if s.terms is None else getattr(s.terms, name)

    columns: dict[str, NDArray[Any]] = {
        "stage": np.array([process.stages.index(s.stage) for s in states], dtype=np.int64),
        "agreed": np.array([s.terms is not None for s in states], dtype=bool),
        "quota": per_party(
            lambda s: None if s.terms is None else {p: s.terms.quota_for(p) for p in parties}
        ),
        "share": per_party(
            lambda s: None if s.terms is None else {p: s.terms.share(p) for p in parties}
        ),
        "released": per_party(lambda s: s.ledger.released),
        "seriously_ill": per_party(lambda s: s.ledger.seriously_ill),
        "young": per_party(lambda s: s.ledger.young),
        "seriously_ill_held": per_party(from_terms("seriously_ill_held")),
        "young_held": per_party(from_terms("young_held")),
        "civilians_separate": np.array(
            [s.terms is not None and s.terms.civilians_separate for s in states], dtype=bool
        ),
        "pending_interests": np.array([s.pending_count for s in states], dtype=np.int64),
    }
    for item in process.items:
        columns[f"open.{item}"] = np.array([s.open_count(item) for s in states], dtype=np.int64)
    if arguments is not None:
        tranches = [given.get("tranche") for given in arguments]
        columns["tranche.released"] = per_party(
            lambda s: None  # filled below, by row
        )
        for row, tranche in enumerate(tranches):
            if tranche is not None:
                columns["tranche.released"][row] = [tranche.released.get(p, 0) for p in parties]
        columns["tranche.given"] = np.array([t is not None for t in tranches], dtype=bool)
        columns["tranche.mixed"] = np.array(
            [tranche is not None and tranche.mixed for tranche in tranches], dtype=bool
        )
    return columns
