"""A negotiation's history as handed out: a read-only view of its events so far.

Events are only ever appended, so a view of the first ``n`` never changes: it is
handed out in O(1), however long the history, and stays what it was when the
negotiation goes on. It is a ``tuple`` (``isinstance(history, tuple)``) that
reads its events from the negotiation instead of copying them: it compares
equal to the tuple of those events, hashes alike, slices and adds to tuples.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from typing import Any, SupportsIndex, overload

from negotiations._display import TIMELINE_LIMIT, timeline
from negotiations._parameters import PARAMETERS, Parameter
from negotiations._records import Event

__all__ = ["History"]


class History(tuple[Event, ...]):
    """The first ``len(history)`` events of a negotiation, in order, accepted and refused.

    The tuple itself holds nothing: every way of reading it (index, slice, length,
    iteration, comparison, hashing, ``+``, pickling) is defined here over the
    negotiation's own list of events, which is only ever appended to.

    It prints as a numbered timeline, one line per event, numbered as it is indexed
    (``history[1]``); a date column appears once some event is dated, and a cited
    event ends with its citation. The ``repr`` of a long history shows its first and
    last few events; ``str()`` shows them all. :meth:`to_records` gives rows for a
    table.

    >>> from negotiations import Negotiation, Tranche
    >>> talks = Negotiation()
    >>> _ = talks.agree_exchange()
    >>> _ = talks.transfer(Tranche.even(2, civilians=True))
    >>> talks.history
      0  agree_exchange(terms=quota 1000, under 25): talks -> exchange
      1  transfer(tranche=2 for 2 civilians) in exchange
    """

    _events: list[Event]
    _length: int

    def __new__(cls, events: list[Event], length: int) -> History:
        made = super().__new__(cls)
        made._events = events
        made._length = length
        return made

    @overload
    def __getitem__(self, index: SupportsIndex) -> Event: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Event, ...]: ...

    def __getitem__(self, index: SupportsIndex | slice) -> Event | tuple[Event, ...]:
        events = self._events
        if isinstance(index, slice):
            return tuple(events[at] for at in range(*index.indices(self._length)))
        length = self._length
        at = index.__index__()
        if at < 0:
            at += length
        if not 0 <= at < length:
            raise IndexError("history index out of range")
        return events[at]

    def __len__(self) -> int:
        return self._length

    def __iter__(self) -> Iterator[Event]:
        return islice(self._events, self._length)

    def __reversed__(self) -> Iterator[Event]:
        events = self._events
        return (events[at] for at in range(self._length - 1, -1, -1))

    def __contains__(self, item: object) -> bool:
        return any(event == item for event in self)

    def index(self, value: Any, start: SupportsIndex = 0, stop: SupportsIndex = 2**62) -> int:
        """Where ``value`` first stands (between ``start`` and ``stop``)."""
        return tuple(self).index(value, start, stop)

    def count(self, value: Any) -> int:
        """How many events equal ``value``."""
        return sum(1 for event in self if event == value)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, History) and other._events is self._events:
            return other._length == self._length
        if isinstance(other, (tuple, list)):
            return len(other) == self._length and all(
                mine == theirs for mine, theirs in zip(self, other, strict=True)
            )
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __add__(self, other: tuple[Any, ...]) -> tuple[Any, ...]:
        return (*self, *other)

    def __radd__(self, other: tuple[Any, ...]) -> tuple[Any, ...]:
        return (*other, *self)

    def __mul__(self, times: SupportsIndex) -> tuple[Event, ...]:
        return tuple(self) * times

    __rmul__ = __mul__

    def __lt__(self, other: tuple[Any, ...]) -> bool:
        return tuple(self) < tuple(other)

    def __le__(self, other: tuple[Any, ...]) -> bool:
        return tuple(self) <= tuple(other)

    def __gt__(self, other: tuple[Any, ...]) -> bool:
        return tuple(self) > tuple(other)

    def __ge__(self, other: tuple[Any, ...]) -> bool:
        return tuple(self) >= tuple(other)

    def __repr__(self) -> str:
        if not self._length:
            return "<History: no events yet>"
        return timeline(self, limit=TIMELINE_LIMIT)

    def __str__(self) -> str:
        if not self._length:
            return "<History: no events yet>"
        return timeline(self)

    def to_records(self) -> list[dict[str, Any]]:
        """One plain dict per event, in order: rows a table takes as they are
        (``pandas.DataFrame(history.to_records())``).

        Every row has the same keys, and every value is a plain Python value:

        - ``index`` (int): where the event stands, as in ``history[index]``;
        - ``date`` (:class:`datetime.date` or ``None``) and ``citation`` (str or ``None``);
        - ``trigger`` (str) and ``accepted`` (bool);
        - ``source`` and ``dest`` (str): the stage before and after;
        - ``arguments`` (str): the arguments as ``str(event)`` shows them, such as
          ``"tranche=390 for 390 prisoners"``, except that text (a name, a reason) is
          given whole; ``""`` when there are none;
        - ``blockers`` (str or ``None``): the ids of the rules that refused the move,
          joined by ``", "``; ``reasons`` (str or ``None``): their messages, joined by ``"; "``;
        - ``pledge`` (int or ``None``): the number of the pledge that made or kept it;
        - ``text`` (str): the event in words, ``str(event)``.

        >>> from negotiations import Negotiation
        >>> talks = Negotiation()
        >>> _ = talks.agree_exchange(date="2025-05-16", citation="Reuters")
        >>> row = talks.history.to_records()[0]
        >>> row["index"], row["date"], row["trigger"], row["dest"], row["blockers"]
        (0, datetime.date(2025, 5, 16), 'agree_exchange', 'exchange', None)
        """
        return [_record(at, event) for at, event in enumerate(self)]

    def __reduce__(self) -> tuple[Any, ...]:
        return (tuple, (tuple(self),))

    def __copy__(self) -> History:
        return self

    def __deepcopy__(self, memo: dict[int, object]) -> History:
        return self


def _argument(parameter: Parameter, value: object) -> str:
    """An argument as a row shows it: text whole, anything else as ``str(event)`` does."""
    return (
        repr(value) if parameter.kind is str and parameter.name != "side" else parameter.show(value)
    )


def _record(index: int, event: Event) -> dict[str, Any]:
    """The row of ``to_records`` for ``event``, which stands at ``index``."""
    blockers = event.blockers
    pledge = event.pledge
    return {
        "index": index,
        "date": event.date,
        "citation": event.citation,
        "trigger": event.trigger,
        "accepted": event.accepted,
        "source": str(event.source),
        "dest": str(event.dest),
        "arguments": ", ".join(
            f"{name}={_argument(PARAMETERS[name], value)}"
            for name, value in event.arguments.items()
        ),
        "blockers": ", ".join(b.rule for b in blockers) if blockers else None,
        "reasons": "; ".join(b.message for b in blockers) if blockers else None,
        "pledge": pledge.number if pledge is not None else None,
        "text": str(event),
    }
