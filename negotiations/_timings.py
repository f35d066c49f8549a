"""How one move of a simulated negotiation comes about — :class:`Hazard` (a rate per day
while it is possible) or :class:`Delay` (days after it becomes possible) — and how a
handover's people are drawn (:class:`Handovers`). Each checks its own fields when made."""

from __future__ import annotations

import math
from collections.abc import Mapping

from attrs import field, frozen
from immutables import Map

from negotiations._errors import InvalidType, InvalidValue

__all__ = ["MAX_HANDOVER", "Delay", "Handovers", "Hazard", "Timing"]

#: The most people one party releases in one handover (a ratio's multiple, where there is
#: one): the engine counts in 32 bits.
MAX_HANDOVER = 1_000_000


def _number(value: object, where: str, *, at_most: float | None = None) -> float:
    """A finite, non-negative real number (at most ``at_most``), else an error naming
    ``where``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidType(f"{where} must be a number, not {type(value).__name__}", path=where)
    number = float(value)
    if not math.isfinite(number) or number < 0:
        raise InvalidValue(
            f"{where} must be a finite number of at least 0, not {value!r}", path=where
        )
    if at_most is not None and number > at_most:
        raise InvalidValue(f"{where} must be between 0 and {at_most:g}, not {value!r}", path=where)
    return number


def _rate(value: object) -> float | Map[str, float]:
    if isinstance(value, Mapping):
        rates: dict[str, float] = {}
        for stage, rate in value.items():
            if not isinstance(stage, str):
                raise InvalidType(
                    f"rate: a stage is named by a string, not {type(stage).__name__}", path="rate"
                )
            rates[str(stage)] = _number(rate, f"rate.{stage}")
        return Map(rates)
    return _number(value, "rate")


def _show_rate(rate: float | Map[str, float]) -> str:
    if isinstance(rate, float):
        return repr(rate)
    return "{" + ", ".join(f"{stage!r}: {rate[stage]!r}" for stage in sorted(rate)) + "}"


@frozen
class Hazard:
    """A move that comes about at random while it is possible.

    ``rate`` is in events per day: the move is made after a waiting time drawn
    from an exponential distribution with this rate (mean ``1 / rate`` days),
    counted from the moment it is possible, and redrawn after every event (the
    chance does not build up). A mapping gives a rate per stage the move is made
    from (``{"talks": 0.2}``); a stage it leaves out has rate 0.

    >>> Hazard(0.5)
    Hazard(rate=0.5)
    """

    #: Events per day while the move is possible; or a mapping of stage to that rate.
    rate: float | Map[str, float] = field(converter=_rate, repr=_show_rate)

    def at(self, stage: str) -> float:
        """The rate (per day) while the process is in ``stage``."""
        rate = self.rate
        return rate if isinstance(rate, float) else rate.get(stage, 0.0)


def _days(value: object) -> float:
    return _number(value, "low")


@frozen
class Delay:
    """A move made a number of days after it becomes possible.

    The delay is drawn uniformly between ``low`` and ``high`` days (exactly
    ``low`` when ``high`` is not given) when the move becomes possible; if it
    stops being possible first, the wait starts again the next time it is. The
    longest delay is more than 0 days (a pledge makes a move the moment it is
    possible).

    >>> Delay(30, 120)
    Delay(low=30.0, high=120.0)
    """

    #: The shortest delay, in days.
    low: float = field(converter=_days)
    #: The longest delay, in days (``low`` when not given: a fixed delay).
    high: float = field(default=None)

    def __attrs_post_init__(self) -> None:
        high = self.low if self.high is None else _number(self.high, "high")
        if high == 0:
            named = "low" if self.high is None else "high"
            raise InvalidValue(
                f"{named}: a delay is longer than 0 days: a move made the very instant it is "
                "possible would be made again and again at that instant; pledge the move to "
                "have it made once, as soon as it is possible",
                path=named,
            )
        if high < self.low:
            raise InvalidValue(
                f"high: the longest delay ({high:g} days) is shorter than the shortest "
                f"({self.low:g} days)",
                path="high",
            )
        object.__setattr__(self, "high", high)  # frozen: set once, while being built


#: How one move comes about.
Timing = Hazard | Delay


def _size(value: object) -> tuple[int, int]:
    if isinstance(value, int) and not isinstance(value, bool):
        value = (value, value)
    if (
        not isinstance(value, tuple | list)
        or len(value) != 2
        or not all(isinstance(n, int) and not isinstance(n, bool) for n in value)
    ):
        raise InvalidType(
            f"size must be a number of people or a (fewest, most) pair of them, not {value!r}",
            path="size",
        )
    low, high = value
    if low < 1 or high < low:
        raise InvalidValue(
            f"size: a handover releases at least 1 person each side, and the most is at "
            f"least the fewest; got ({low}, {high})",
            path="size",
        )
    if high > MAX_HANDOVER:
        raise InvalidValue(
            f"size: a handover releases at most {MAX_HANDOVER:,} people each side, not {high:,}",
            path="size",
        )
    return (low, high)


def _civilians(value: object) -> float:
    return _number(value, "civilians", at_most=1.0)


def _seriously_ill(value: object) -> float:
    return _number(value, "seriously_ill", at_most=1.0)


def _young(value: object) -> float:
    return _number(value, "young", at_most=1.0)


@frozen
class Handovers:
    """How a handover (a ``transfer`` move) is drawn.

    >>> Handovers(size=(100, 400), civilians=0.1)
    Handovers(size=(100, 400), civilians=0.1, seriously_ill=0.0, young=0.0)
    """

    #: People each party releases in one handover, drawn uniformly from this (fewest, most)
    #: range, both ends included. Where the terms set a ratio (one for thirty), it is the
    #: number of times the ratio is handed over, each party releasing its share of each.
    size: tuple[int, int] = field(default=(100, 400), converter=_size)
    #: The probability (0 to 1) that a handover is of civilians (all of them civilians).
    civilians: float = field(default=0.0, converter=_civilians)
    #: The share (0 to 1) of each party's people in a handover who are seriously ill: the
    #: count is that share of the number, rounded down or up at random so that its
    #: expected value is exact.
    seriously_ill: float = field(default=0.0, converter=_seriously_ill)
    #: The share (0 to 1) of each party's people in a handover who are under the agreed
    #: age limit, rounded the same way.
    young: float = field(default=0.0, converter=_young)
