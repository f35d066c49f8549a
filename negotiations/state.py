"""Where a negotiation stands at one moment: a frozen :class:`State`, folded from its events."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from attrs import field, frozen

from negotiations._fields import check_bool, check_side, check_text
from negotiations.ledger import Ledger
from negotiations.stages import Side, Stage
from negotiations.terms import ExchangeTerms

__all__ = ["Interest", "State"]

_EMPTY_LEDGER = Ledger()


def _side(value: object) -> Side:
    return check_side(value, "side")


def _name(value: object) -> str:
    return check_text(value, "name")


def _acknowledged(value: object) -> bool:
    return check_bool(value, "acknowledged")


@frozen
class Interest:
    """A core interest one side declared, and whether the other side has acknowledged it.

    >>> print(Interest(Side.RUSSIA, "security guarantees"))
    Russia's interest 'security guarantees' (not yet acknowledged by Ukraine)
    """

    side: Side = field(converter=_side)
    name: str = field(converter=_name)
    acknowledged: bool = field(default=False, converter=_acknowledged)

    def __str__(self) -> str:
        status = "acknowledged" if self.acknowledged else "not yet acknowledged"
        return f"{self.side.label}'s interest {self.name!r} ({status} by {self.side.other.label})"


@frozen
class State:
    """Everything a negotiation's events add up to (its history aside)."""

    stage: Stage = Stage.TALKS
    terms: ExchangeTerms | None = None
    ledger: Ledger = _EMPTY_LEDGER
    suspended_from: Stage | None = None
    open_issues: tuple[str, ...] = ()
    interests: tuple[Interest, ...] = ()
    #: Where each declared interest stands in ``interests``, by (side, name): built once and
    #: carried from state to state, so a long history never searches the tuple.
    _interest_index: Mapping[tuple[Side, str], int] | None = field(
        default=None, eq=False, repr=False, alias="interest_index"
    )

    _shortfalls: Mapping[str, tuple[str, ...]] | None = field(
        default=None, init=False, eq=False, repr=False
    )

    def exchange_shortfalls(self) -> Mapping[str, tuple[str, ...]]:
        """What the exchange still lacks, by rule id (``exchange.quota`` …); empty when complete.

        Worked out once per state (a state never changes).
        """
        cached = self._shortfalls
        if cached is None:
            cached = _shortfalls(self.terms, self.ledger)
            object.__setattr__(self, "_shortfalls", cached)
        return cached

    @property
    def exchange_complete(self) -> bool:
        """Whether the agreed exchange has met every term."""
        return not self.exchange_shortfalls()

    def interest_index(self) -> Mapping[tuple[Side, str], int]:
        """Positions of the declared interests in :attr:`interests`, by (side, name)."""
        index = self._interest_index
        if index is None:
            index = {(i.side, i.name): n for n, i in enumerate(self.interests)}
            object.__setattr__(self, "_interest_index", index)
        return index

    def pending_interests(self) -> tuple[Interest, ...]:
        """Declared interests the other side has not acknowledged yet."""
        return tuple(interest for interest in self.interests if not interest.acknowledged)


def _shortfalls(terms: ExchangeTerms | None, ledger: Ledger) -> Mapping[str, tuple[str, ...]]:
    if terms is None:
        return {"exchange.quota": ("no exchange has been agreed yet",)}
    quota, age_limit = terms.quota, terms.age_limit
    ill_held, young_held = terms.seriously_ill_held, terms.young_held
    released, ill, young = ledger.released, ledger.seriously_ill, ledger.young
    if (
        released.russia >= quota
        and released.ukraine >= quota
        and ill.russia >= ill_held.russia
        and ill.ukraine >= ill_held.ukraine
        and young.russia >= young_held.russia
        and young.ukraine >= young_held.ukraine
    ):
        return _NONE
    # Written out rather than looped: this runs for every refused move of a simulation.
    missing: dict[str, tuple[str, ...]] = {}
    short: tuple[str, ...] = ()
    if released.russia < quota:
        short += (f"{released.russia} of {quota} released by Russia",)
    if released.ukraine < quota:
        short += (f"{released.ukraine} of {quota} released by Ukraine",)
    if short:
        missing["exchange.quota"] = short
        short = ()
    if ill.russia < ill_held.russia:
        short += (
            f"{ill.russia} of the {ill_held.russia} seriously ill prisoners Russia holds released",
        )
    if ill.ukraine < ill_held.ukraine:
        short += (
            f"{ill.ukraine} of the {ill_held.ukraine} seriously ill prisoners "
            "Ukraine holds released",
        )
    if short:
        missing["exchange.seriously_ill"] = short
        short = ()
    if young.russia < young_held.russia:
        short += (
            f"{young.russia} of the {young_held.russia} prisoners under {age_limit} "
            "Russia holds released",
        )
    if young.ukraine < young_held.ukraine:
        short += (
            f"{young.ukraine} of the {young_held.ukraine} prisoners under {age_limit} "
            "Ukraine holds released",
        )
    if short:
        missing["exchange.young"] = short
    return missing


_NONE: Mapping[str, tuple[str, ...]] = MappingProxyType({})
