"""When events happened: the dates a history carries, read the one way and kept in order.

An event may carry the day it happened (a :class:`datetime.date`) and the report it
comes from (a citation, free text). Dates are optional, but a history's dates never
go backwards: a dated event comes on or after the latest dated event before it.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from negotiations._errors import InvalidType, InvalidValue
from negotiations._text import shorten

if TYPE_CHECKING:
    from negotiations._records import Event

__all__ = ["as_date", "check_order", "latest", "stood"]

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def as_date(value: object, field: str = "date") -> datetime.date | None:
    """``value`` as a day: a :class:`datetime.date`, an ISO date string (``"2025-05-23"``) or
    ``None``. Anything else — a ``datetime`` (which has a time of day), another spelling of
    a date, a day that does not exist — is an error naming ``field``."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        raise InvalidType(
            f"{field} must be a day, not a datetime with a time of day: give "
            f"{value.date().isoformat()!r} or value.date()",
            path=field,
        )
    if isinstance(value, datetime.date):  # a subclass of date keeps only its day
        return (
            value if type(value) is datetime.date else datetime.date.fromordinal(value.toordinal())
        )
    if not isinstance(value, str):
        raise InvalidType(
            f"{field} must be a datetime.date or an ISO date string such as '2025-05-23', "
            f"not {type(value).__name__}",
            path=field,
        )
    if _ISO_DAY.fullmatch(value) is None:
        raise InvalidValue(
            f"{field} must be an ISO date, YYYY-MM-DD such as '2025-05-23', not "
            f"{shorten(value, 40)}",
            path=field,
        )
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise InvalidValue(
            f"{field} must be a day of the calendar, not {value!r} ({error})", path=field
        ) from None


def check_order(
    date: datetime.date | None, last: datetime.date | None, last_at: str, field: str = "date"
) -> None:
    """Refuse ``date`` if it comes before ``last``, the date of the latest dated event
    (``last_at`` names it): a history's dates never go backwards."""
    if date is not None and last is not None and date < last:
        raise InvalidValue(
            f"{field}: {date.isoformat()} is before {last.isoformat()}, the date of "
            f"{last_at}; dates never go backwards",
            path=field,
        )


def latest(events: Sequence[Event]) -> tuple[datetime.date | None, int]:
    """The date of the latest dated event of ``events`` and its index (``None, -1``: none is
    dated). Looks back from the end: the dated event is usually the last."""
    for at in range(len(events) - 1, -1, -1):
        date = events[at].date
        if date is not None:
            return date, at
    return None, -1


def stood(events: Sequence[Event], day: datetime.date) -> int:
    """How many of ``events`` had happened by the end of ``day``: those before the first
    event dated after it. An undated event counts with the dated one before it."""
    for at, event in enumerate(events):
        date = event.date
        if date is not None and date > day:
            return at
    return len(events)
