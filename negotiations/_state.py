"""Where a negotiation stands at one moment: a frozen :class:`State`, folded from its events.

A state keeps what grows with a long history — open items, declared interests —
in persistent maps (``immutables.Map``): a move copies a path of a small tree,
not everything before it, so every move costs the same however long the
history, and every earlier state stays as it was.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from attrs import field, frozen
from immutables import Map

from negotiations._checks import FLAG, PARTY, TEXT, shorten
from negotiations._fast import trusted
from negotiations._ledger import Ledger
from negotiations._records import Pledge
from negotiations._stages import Side, label
from negotiations._terms import ExchangeTerms

if TYPE_CHECKING:
    from negotiations._definition import Definition

__all__ = ["Interest", "PledgeBook", "State", "evolve"]


@frozen
class Interest:
    """A core interest one party declared, and whether every other party has acknowledged it.

    >>> print(Interest(Side.RUSSIA, "security guarantees"))
    Russia's interest 'security guarantees' (not yet acknowledged by Ukraine)
    """

    side: str = field(converter=PARTY)  # type: ignore[misc]  # attrs' mypy plugin cannot follow Converter objects
    name: str = field(converter=TEXT)  # type: ignore[misc]  # attrs' mypy plugin cannot follow Converter objects
    acknowledged: bool = field(default=False, converter=FLAG)  # type: ignore[misc]  # attrs' mypy plugin cannot follow Converter objects

    def __str__(self) -> str:
        status = "acknowledged" if self.acknowledged else "not yet acknowledged"
        by = f" by {self.side.other.label}" if isinstance(self.side, Side) else ""
        return f"{label(self.side)}'s interest {shorten(self.name)} ({status}{by})"


@frozen
class PledgeBook:
    """The pledges of a negotiation as its state keeps them: how many were ever made (the
    next is numbered one more), and those still waiting, in the order made."""

    made: int = 0
    waiting: tuple[Pledge, ...] = ()


NO_PLEDGES = PledgeBook()
EMPTY_LEDGER = Ledger()
_EMPTY: Map[Any, Any] = Map()


@frozen(repr=False)
class State:
    """Everything a negotiation's events add up to (its history aside)."""

    stage: str
    terms: ExchangeTerms | None = None
    ledger: Ledger = EMPTY_LEDGER
    suspended_from: str | None = None
    #: Open items by kind: each a map of name to the serial number it was opened with.
    _items: Map[str, Map[str, int]] = field(default=_EMPTY, alias="items")
    #: Declared interests: (party, name) to (serial number, the parties that acknowledged,
    #: whether every other party has).
    _interests: Map[tuple[str, str], tuple[int, frozenset[str], bool]] = field(
        default=_EMPTY, alias="interests"
    )
    #: How many declared interests some other party has still to acknowledge.
    pending_count: int = 0
    #: Serial numbers handed out so far (items and interests keep the order they came in).
    serial: int = 0
    _pledges: PledgeBook = field(default=NO_PLEDGES, alias="pledge_book")
    #: Every exchange agreed, in order, each with its terms as agreed or last amended;
    #: ``terms`` is what they add up to (see :func:`negotiations._terms.combined`).
    _agreements: tuple[ExchangeTerms, ...] = field(default=(), alias="agreements")

    @classmethod
    def initial(cls, process: Definition) -> State:
        """Where a negotiation of ``process`` starts."""
        return cls(process.initial, ledger=Ledger.empty(process.parties))

    def __repr__(self) -> str:
        """The parts that say something: the stage, then terms, ledger, suspension, open
        items, interests and pledges only where there are some; names are shortened."""
        parts = [f"stage={str(self.stage)!r}"]
        if self.terms is not None:
            parts.append(f"terms={self.terms!r}")
        agreements = self.agreements
        if len(agreements) > 1:
            parts.append(f"agreements=<{len(agreements)} agreed>")
        if self.ledger.tranches:
            parts.append(f"ledger={self.ledger!r}")
        if self.suspended_from is not None:
            parts.append(f"suspended_from={str(self.suspended_from)!r}")
        items = {
            kind: ", ".join(map(shorten, self.open_items(kind)))
            for kind in self._items
            if self.open_count(kind)
        }
        if items:
            shown = "; ".join(f"{kind}: {names}" for kind, names in items.items())
            parts.append(f"open_items=<{shown}>")
        if self.interests:
            parts.append(f"interests=<{'; '.join(map(str, self.interests))}>")
        if self.pledges:
            parts.append(f"pledges={self.pledges!r}")
        return f"State({', '.join(parts)})"

    @property
    def agreements(self) -> tuple[ExchangeTerms, ...]:
        """Every exchange agreed so far, in order, each with its terms as agreed or as last
        amended (empty before the first). :attr:`terms` is what they add up to."""
        agreements = self._agreements
        if agreements or self.terms is None:
            return agreements
        return (self.terms,)  # a state made by hand with terms alone: one agreement

    # -- open items ------------------------------------------------------------------------

    def open_items(self, kind: str) -> tuple[str, ...]:
        """The open items of ``kind``, in the order they were opened."""
        opened = self._items.get(kind)
        if not opened:
            return ()
        return tuple(name for name, _ in sorted(opened.items(), key=_by_serial))

    def open_count(self, kind: str) -> int:
        """How many items of ``kind`` are open."""
        opened = self._items.get(kind)
        return len(opened) if opened is not None else 0

    def is_open(self, kind: str, name: str) -> bool:
        """Whether the item ``name`` of ``kind`` is open."""
        opened = self._items.get(kind)
        return opened is not None and name in opened

    @property
    def open_issues(self) -> tuple[str, ...]:
        """The humanitarian issues open, in the order raised (the article's kind of item)."""
        return self.open_items("humanitarian")

    def with_item(self, kind: str, name: str, stage: str | None = None) -> State:
        """This state with item ``name`` of ``kind`` opened (and in ``stage``, if given)."""
        opened = self._items.get(kind, _EMPTY).set(name, self.serial)
        return evolve(
            self,
            stage=self.stage if stage is None else stage,
            items=self._items.set(kind, opened),
            serial=self.serial + 1,
        )

    def without_item(self, kind: str, name: str, stage: str | None = None) -> State:
        """This state with item ``name`` of ``kind`` closed (and in ``stage``, if given)."""
        return evolve(
            self,
            stage=self.stage if stage is None else stage,
            items=self._items.set(kind, self._items[kind].delete(name)),
        )

    # -- interests -------------------------------------------------------------------------

    @property
    def interests(self) -> tuple[Interest, ...]:
        """Every core interest declared, in order, with whether it has been acknowledged."""
        return tuple(interest for _, interest in self._listed())

    def pending_interests(self) -> tuple[Interest, ...]:
        """Declared interests some other party has not acknowledged yet, in order."""
        if not self.pending_count:
            return ()
        return tuple(interest for _, interest in self._listed() if not interest.acknowledged)

    def _listed(self) -> list[tuple[int, Interest]]:
        listed = []
        for (party, name), (serial, _, done) in self._interests.items():
            listed.append((serial, Interest(party, name, done)))
        listed.sort(key=_first)
        return listed

    def declared(self, party: str, name: str) -> bool:
        """Whether ``party`` has declared the interest ``name``."""
        return (party, name) in self._interests

    def acknowledged_by(self, party: str, name: str) -> frozenset[str]:
        """The parties that have acknowledged ``party``'s interest ``name``."""
        return self._interests[party, name][1]

    def awaited(self, interest: Interest, process: Definition) -> tuple[str, ...]:
        """The parties that have still to acknowledge ``interest``, in party order."""
        by = self._interests[interest.side, interest.name][1]
        return tuple(p for p in process.parties if p != interest.side and p not in by)

    def with_interest(self, party: str, name: str, stage: str | None = None) -> State:
        """This state with ``party``'s interest ``name`` declared (and in ``stage``, if
        given)."""
        interests = self._interests.set((party, name), (self.serial, frozenset(), False))
        return evolve(
            self,
            stage=self.stage if stage is None else stage,
            interests=interests,
            pending_count=self.pending_count + 1,
            serial=self.serial + 1,
        )

    def with_acknowledgement(
        self, party: str, name: str, by: str, process: Definition, stage: str | None = None
    ) -> State:
        """This state with ``by`` acknowledging ``party``'s interest ``name`` (and in
        ``stage``, if given)."""
        serial, before, was_done = self._interests[party, name]
        after = before | {by}
        done = len(after - {party}) >= len(process.parties) - 1
        return evolve(
            self,
            stage=self.stage if stage is None else stage,
            interests=self._interests.set((party, name), (serial, after, done)),
            pending_count=self.pending_count - (done and not was_done),
        )

    # -- pledges ---------------------------------------------------------------------------

    @property
    def pledges(self) -> tuple[Pledge, ...]:
        """The pledges still waiting, in the order they were made."""
        return self._pledges.waiting

    @property
    def pledges_made(self) -> int:
        """How many pledges have been made in all (waiting, carried out, withdrawn, dropped)."""
        return self._pledges.made

    @property
    def pledge_book(self) -> PledgeBook:
        """The pledges made and those waiting, as one value."""
        return self._pledges


def _by_serial(entry: tuple[str, int]) -> int:
    return entry[1]


def _first(entry: tuple[int, Interest]) -> int:
    return entry[0]


_MAKE = trusted(State)
_SAME: Any = object()


def evolve(  # every part of a state can change
    state: State,
    *,
    stage: Any = _SAME,
    terms: Any = _SAME,
    ledger: Any = _SAME,
    suspended_from: Any = _SAME,
    items: Any = _SAME,
    interests: Any = _SAME,
    pending_count: Any = _SAME,
    serial: Any = _SAME,
    pledges: Any = _SAME,
    agreements: Any = _SAME,
) -> State:
    """``state`` with the given parts changed (each made by the library from checked parts)."""
    return _MAKE(
        state.stage if stage is _SAME else stage,
        state.terms if terms is _SAME else terms,
        state.ledger if ledger is _SAME else ledger,
        state.suspended_from if suspended_from is _SAME else suspended_from,
        state._items if items is _SAME else items,
        state._interests if interests is _SAME else interests,
        state.pending_count if pending_count is _SAME else pending_count,
        state.serial if serial is _SAME else serial,
        state._pledges if pledges is _SAME else pledges,
        state._agreements if agreements is _SAME else agreements,
    )
