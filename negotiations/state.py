"""Where a negotiation stands at one moment: a frozen :class:`State`, folded from its events."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterable, Mapping
from types import MappingProxyType

from attrs import field, frozen

from negotiations._fields import check_bool, check_side, check_text
from negotiations._slots import slot_setters
from negotiations.errors import InvalidType
from negotiations.events import Pledge
from negotiations.ledger import Ledger
from negotiations.stages import Side, Stage
from negotiations.terms import ExchangeTerms

__all__ = ["Interest", "PledgeBook", "State"]

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

    @classmethod
    def _trusted(cls, side: Side, name: str, acknowledged: bool) -> Interest:
        """Build from values the fold checked itself (no second check)."""
        made = _new(cls)
        _SET_SIDE(made, side)
        _SET_NAME(made, name)
        _SET_ACKNOWLEDGED(made, acknowledged)
        return made

    def __str__(self) -> str:
        status = "acknowledged" if self.acknowledged else "not yet acknowledged"
        return f"{self.side.label}'s interest {self.name!r} ({status} by {self.side.other.label})"


def _chunked(value: object) -> tuple[tuple[Interest, ...], ...]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise InvalidType(f"interests must be a tuple of Interest, not {type(value).__name__}")
    items = tuple(value)
    for at, item in enumerate(items):
        if not isinstance(item, Interest):
            raise InvalidType(f"interests[{at}] must be an Interest, not {type(item).__name__}")
    return tuple(items[at : at + _CHUNK] for at in range(0, len(items), _CHUNK))


#: Interests are kept in chunks of this many: declaring or acknowledging one copies a chunk
#: and the short tuple of chunks, not every interest, so a long history stays linear.
_CHUNK = 64


@frozen
class PledgeBook:
    """The pledges of a negotiation as its state keeps them: how many were ever made (the
    next is numbered one more), and those still waiting, in the order made."""

    made: int = 0
    waiting: tuple[Pledge, ...] = ()


_NO_PLEDGES = PledgeBook()


@frozen(repr=False)
class State:
    """Everything a negotiation's events add up to (its history aside)."""

    stage: Stage = Stage.TALKS
    terms: ExchangeTerms | None = None
    ledger: Ledger = _EMPTY_LEDGER
    suspended_from: Stage | None = None
    open_issues: tuple[str, ...] = ()
    #: The interests, in canonical chunks (see ``_CHUNK``): equal interests, equal chunks.
    _chunks: tuple[tuple[Interest, ...], ...] = field(
        default=(), converter=_chunked, alias="interests"
    )
    #: Where each declared interest stands in ``interests``, by (side, name): built once and
    #: carried from state to state, so a long history never searches the tuple.
    _interest_index: dict[tuple[Side, str], int] | None = field(
        default=None, eq=False, alias="interest_index"
    )
    #: The pledges made and those waiting.
    _pledges: PledgeBook = field(default=_NO_PLEDGES, alias="pledge_book")
    _shortfalls: Mapping[str, tuple[str, ...]] | None = field(default=None, init=False, eq=False)

    @classmethod
    def _trusted(  # noqa: PLR0917  # private hot-path constructor: the fields, in order
        cls,
        stage: Stage,
        terms: ExchangeTerms | None,
        ledger: Ledger,
        suspended_from: Stage | None,
        open_issues: tuple[str, ...],
        chunks: tuple[tuple[Interest, ...], ...],
        interest_index: dict[tuple[Side, str], int] | None,
        pledges: PledgeBook,
        shortfalls: Mapping[str, tuple[str, ...]] | None = None,
    ) -> State:
        """Build from parts the fold made itself (the hot path of replaying: no checks);
        ``shortfalls`` is what the exchange lacks, if known (it depends on terms and ledger
        alone, so a state that keeps both keeps it)."""
        made = _new(cls)
        _SET_STAGE(made, stage)
        _SET_TERMS(made, terms)
        _SET_LEDGER(made, ledger)
        _SET_SUSPENDED_FROM(made, suspended_from)
        _SET_OPEN_ISSUES(made, open_issues)
        _SET_CHUNKS(made, chunks)
        _SET_INTEREST_INDEX(made, interest_index)
        _SET_PLEDGES(made, pledges)
        _SET_SHORTFALLS(made, shortfalls)
        return made

    def __repr__(self) -> str:
        return (
            f"State(stage={self.stage!r}, terms={self.terms!r}, ledger={self.ledger!r}, "
            f"suspended_from={self.suspended_from!r}, open_issues={self.open_issues!r}, "
            f"interests={self.interests!r}, pledges={self.pledges!r})"
        )

    @property
    def interests(self) -> tuple[Interest, ...]:
        """Every core interest declared, in order, with whether it has been acknowledged."""
        chunks = self._chunks  # joined when asked: the fold itself reads the chunks
        return chunks[0] if len(chunks) == 1 else tuple(itertools.chain.from_iterable(chunks))

    @property
    def pledges(self) -> tuple[Pledge, ...]:
        """The pledges still waiting, in the order they were made."""
        return self._pledges.waiting

    @property
    def pledges_made(self) -> int:
        """How many pledges have been made in all (waiting, carried out, withdrawn, dropped)."""
        return self._pledges.made

    def exchange_shortfalls(self) -> Mapping[str, tuple[str, ...]]:
        """What the exchange still lacks, by rule id (``exchange.quota`` …); empty when complete.

        Worked out once per state (a state never changes).
        """
        cached = self._shortfalls
        if cached is None:
            cached = _shortfalls(self.terms, self.ledger)
            _SET_SHORTFALLS(self, cached)
        return cached

    @property
    def exchange_complete(self) -> bool:
        """Whether the agreed exchange has met every term."""
        cached = self._shortfalls
        if cached is not None:
            return not cached
        return _complete(self.terms, self.ledger)  # the numbers alone: no messages to write

    def pending_interests(self) -> tuple[Interest, ...]:
        """Declared interests the other side has not acknowledged yet."""
        return tuple(interest for interest in self.interests if not interest.acknowledged)

    # -- the fold's view of the interests: each step O(1) in the number declared -----------

    def _interest_count(self) -> int:
        chunks = self._chunks
        return (len(chunks) - 1) * _CHUNK + len(chunks[-1]) if chunks else 0

    def _interest_at(self, at: int) -> Interest:
        return self._chunks[at // _CHUNK][at % _CHUNK]

    def _interest_position(self, side: Side, name: str) -> int | None:
        """Where ``side``'s interest ``name`` stands in :attr:`interests`, or ``None``."""
        at = self._interests_by_key().get((side, name))
        if at is None or at >= self._interest_count():
            return None
        found = self._interest_at(at)
        # The index may be shared with states further along (see _with_interest): an entry
        # counts only where it names this state's own interest.
        return at if found.side is side and found.name == name else None

    def _interests_by_key(self) -> dict[tuple[Side, str], int]:
        index = self._interest_index
        if index is None:
            index = _index(self.interests)
            _SET_INTEREST_INDEX(self, index)
        return index

    def _with_interest(
        self, interest: Interest
    ) -> tuple[tuple[tuple[Interest, ...], ...], dict[tuple[Side, str], int]]:
        """The interest chunks and their index once ``interest`` (not declared yet) is added.

        Interests are only ever appended, so the state at the end of a line of states
        adds to the index it was handed instead of copying it (declaring stays O(1) in a
        long history); earlier states see only the entries below their own count. A
        state whose index another line has added to copies its own entries first.
        """
        count = self._interest_count()
        with _APPENDING:  # one line of states at a time, whichever negotiations share it
            index = self._interests_by_key()
            if not count or len(index) != count:  # never add to the empty index all share
                index = _index(self.interests)
            index[interest.side, interest.name] = count
        chunks = self._chunks
        if count % _CHUNK:  # room in the last chunk
            return (*chunks[:-1], chunks[-1] + (interest,)), index
        return (*chunks, (interest,)), index

    def _with_interest_at(self, at: int, interest: Interest) -> tuple[tuple[Interest, ...], ...]:
        """The interest chunks with the one at ``at`` replaced by ``interest`` (same key)."""
        chunks = self._chunks
        number, offset = divmod(at, _CHUNK)
        chunk = chunks[number]
        changed = (*chunk[:offset], interest, *chunk[offset + 1 :])
        return (*chunks[:number], changed, *chunks[number + 1 :])


#: Held while an interest is added to an index a line of states shares: the check that this
#: state is at the end of the line and the addition must not be split by another thread.
_APPENDING = threading.Lock()


def _index(interests: tuple[Interest, ...]) -> dict[tuple[Side, str], int]:
    return {(interest.side, interest.name): at for at, interest in enumerate(interests)}


_new = object.__new__
_SET_SIDE, _SET_NAME, _SET_ACKNOWLEDGED = slot_setters(Interest, "side", "name", "acknowledged")
(
    _SET_STAGE,
    _SET_TERMS,
    _SET_LEDGER,
    _SET_SUSPENDED_FROM,
    _SET_OPEN_ISSUES,
    _SET_CHUNKS,
    _SET_INTEREST_INDEX,
    _SET_PLEDGES,
    _SET_SHORTFALLS,
) = slot_setters(
    State,
    "stage",
    "terms",
    "ledger",
    "suspended_from",
    "open_issues",
    "_chunks",
    "_interest_index",
    "_pledges",
    "_shortfalls",
)


def _complete(terms: ExchangeTerms | None, ledger: Ledger) -> bool:
    if terms is None:
        return False
    quota, ill_held, young_held = terms.quota, terms.seriously_ill_held, terms.young_held
    released, ill, young = ledger.released, ledger.seriously_ill, ledger.young
    return (
        released.russia >= quota
        and released.ukraine >= quota
        and ill.russia >= ill_held.russia
        and ill.ukraine >= ill_held.ukraine
        and young.russia >= young_held.russia
        and young.ukraine >= young_held.ukraine
    )


def _shortfalls(terms: ExchangeTerms | None, ledger: Ledger) -> Mapping[str, tuple[str, ...]]:
    if terms is None:
        return {"exchange.quota": ("no exchange has been agreed yet",)}
    if _complete(terms, ledger):
        return _NONE
    quota, age_limit = terms.quota, terms.age_limit
    ill_held, young_held = terms.seriously_ill_held, terms.young_held
    released, ill, young = ledger.released, ledger.seriously_ill, ledger.young
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
