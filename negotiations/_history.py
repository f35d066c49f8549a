"""A negotiation's history as handed out: a read-only view of its events so far.

Events are only ever appended, so a view of the first ``n`` never changes: it is
handed out in O(1), however long the history, and stays what it was when the
negotiation goes on. It behaves as the tuple of those events (compares equal to
it, slices to tuples, hashes alike).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import islice
from typing import Any, overload

from negotiations._records import Event

__all__ = ["History"]


class History(Sequence[Event]):
    """The first ``len(history)`` events of a negotiation, in order, accepted and refused."""

    __slots__ = ("_events", "_length")

    def __init__(self, events: list[Event], length: int) -> None:
        self._events = events  # appended to by the negotiation, never changed otherwise
        self._length = length

    @overload
    def __getitem__(self, index: int) -> Event: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Event, ...]: ...

    def __getitem__(self, index: int | slice) -> Event | tuple[Event, ...]:
        if isinstance(index, slice):
            events = self._events
            return tuple(events[at] for at in range(*index.indices(self._length)))
        length = self._length
        at = index.__index__()
        if at < 0:
            at += length
        if not 0 <= at < length:
            raise IndexError("history index out of range")
        return self._events[at]

    def __len__(self) -> int:
        return self._length

    def __iter__(self) -> Iterator[Event]:
        return islice(self._events, self._length)

    def __reversed__(self) -> Iterator[Event]:
        events = self._events
        return (events[at] for at in range(self._length - 1, -1, -1))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, History) and other._events is self._events:
            return other._length == self._length
        if isinstance(other, (tuple, list, History)):
            return len(other) == self._length and all(
                mine == theirs for mine, theirs in zip(self, other, strict=True)
            )
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __add__(self, other: Sequence[Event]) -> tuple[Event, ...]:
        return (*self, *other)

    def __radd__(self, other: Sequence[Event]) -> tuple[Event, ...]:
        return (*other, *self)

    def __repr__(self) -> str:
        return repr(tuple(self))

    def __reduce__(self) -> tuple[Any, ...]:
        return (tuple, (tuple(self),))
