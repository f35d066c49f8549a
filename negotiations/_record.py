"""The reported 2025 record, shipped as data (``data/record-2025.toml``): its dated, sourced
events, and :func:`record_2025`, the article's process replayed from them."""

from __future__ import annotations

import datetime
import tomllib
from collections.abc import Mapping
from functools import cache
from importlib.resources import files
from typing import Any

from attrs import frozen

from negotiations._errors import InvalidValue
from negotiations._negotiation import Negotiation
from negotiations._terms import ExchangeTerms
from negotiations._tranche import Tranche

__all__ = ["ILLUSTRATIVE", "RECORD_FILE", "Reported", "record_2025", "reported_events"]

#: The record's file, inside the package.
RECORD_FILE = "data/record-2025.toml"

_FIELDS = frozenset(
    {
        "date",
        "trigger",
        "citation",
        "summary",
        "quota",
        "age_limit",
        "released",
        "civilians",
        "illustrative",
        "note",
    }
)


@frozen
class Reported:
    """One event of the record: when, which move with which arguments, the report it comes
    from, a one-line summary, and whether a figure in it is illustrative (not reported)."""

    date: datetime.date
    trigger: str
    arguments: Mapping[str, Any]
    citation: str
    summary: str
    illustrative: bool = False
    note: str | None = None

    @property
    def cited(self) -> str:
        """The citation as the negotiation's event carries it: the report, and whether its
        figure is illustrative, so that the history says so too."""
        if self.illustrative:
            return f"{self.citation}; {ILLUSTRATIVE}"
        return self.citation


#: What the citation of an event whose figure was not reported says.
ILLUSTRATIVE = "count illustrative: not made public"


def _reported(data: Mapping[str, Any], at: int) -> Reported:
    where = f"{RECORD_FILE}: events[{at}]"
    unknown = sorted(set(data) - _FIELDS)
    if unknown:
        raise InvalidValue(f"{where}: unknown field(s) {', '.join(unknown)}")
    for name in ("date", "trigger", "citation", "summary"):
        if name not in data:
            raise InvalidValue(f"{where}: missing {name}")
    arguments: dict[str, Any] = {}
    if "quota" in data:
        arguments["terms"] = ExchangeTerms(quota=data["quota"], age_limit=data["age_limit"])
    if "released" in data:
        arguments["tranche"] = Tranche.even(data["released"], civilians=data["civilians"])
    return Reported(
        data["date"],
        data["trigger"],
        arguments,
        data["citation"],
        data["summary"],
        data.get("illustrative", False),
        data.get("note"),
    )


@cache
def reported_events() -> tuple[Reported, ...]:
    """The record's events, in order, as the data file states them."""
    text = files("negotiations").joinpath(RECORD_FILE).read_text(encoding="utf-8")
    events = tomllib.loads(text)["events"]
    return tuple(_reported(event, at) for at, event in enumerate(events))


def record_2025() -> Negotiation:
    """The reported 2025 record of the Istanbul talks, replayed on the article's process.

    Each event carries its date and the report it comes from (``Event.date``,
    ``Event.citation``); look back with :meth:`Negotiation.as_of`. The first round
    (16 May) agrees 1,000 for 1,000; the exchange of 23-25 May hands over 390 (270
    servicemen, then 120 civilians separately), 307 and 303; the second round (2
    June) agrees a further exchange of at least 1,000 each side, handed over in
    tranches through June and July whose counts were not made public (illustrative
    in the data, and in those events' citations); the third round (23 July) opens
    and agrees 1,200 more each side.
    The record ends there: in the third round, that exchange under way.

    >>> talks = record_2025()
    >>> talks.stage, talks.ledger.released.russia, talks.terms.quota
    (<Stage.THIRD_ROUND: 'third_round'>, 2000, 3200)
    >>> talks.as_of("2025-05-25").exchange_complete
    True
    """
    talks = Negotiation()
    for event in reported_events():
        talks.send(event.trigger, date=event.date, citation=event.cited, **event.arguments)
    return talks
