"""A :class:`Negotiation`: one run of a process, step by step (the article's by default)."""

from __future__ import annotations

import datetime
import os
import threading
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from negotiations._article import PROCESS
from negotiations._checks import check_optional_text, check_party
from negotiations._dates import as_date, check_order, latest, stood
from negotiations._definition import Definition
from negotiations._display import Printer, html_report, markdown_report, pretty, summary
from negotiations._engine import make_move
from negotiations._errors import (
    InvalidType,
    InvalidValue,
    JournalClosed,
    TransitionBlocked,
    TransitionNotAllowed,
)
from negotiations._files import MAX_BYTES
from negotiations._history import History
from negotiations._ledger import Ledger
from negotiations._pledging import (
    by_itself,
    check_pledgeable,
    due,
    fate,
    pledgeable,
    with_pledge,
    without,
)
from negotiations._records import (
    DROP,
    PLEDGE,
    WITHDRAW,
    Blocker,
    Event,
    Pledge,
    make_event,
    make_pledge,
)
from negotiations._replay import fold
from negotiations._saved import FORMAT
from negotiations._saving import (
    json_text,
    load_file,
    read_json,
    restore_form,
    saved_form,
    write_form,
)
from negotiations._state import Interest, State
from negotiations._terms import ExchangeTerms
from negotiations._tranche import Tranche
from negotiations.conditions import exchange_complete

if TYPE_CHECKING:
    from negotiations._journal import Journal

__all__ = ["FORMAT", "Negotiation", "kept_in", "restored", "start"]

#: What a move's ``date`` may be: a day, an ISO date string, or nothing.
When = datetime.date | str | None
#: What a move's ``citation`` may be: the report it comes from, or nothing.
Cited = str | None


def _dated(date: object, citation: object) -> tuple[datetime.date | None, str | None]:
    """A move's ``date`` and ``citation``, checked (errors name the field)."""
    return as_date(date, "date"), check_optional_text(citation, "citation")


def _process(value: object) -> Definition:
    if not isinstance(value, Definition):
        raise InvalidType(
            f"process must be a Definition (such as negotiations.PROCESS), not "
            f"{type(value).__name__}",
            path="process",
        )
    return value


class Negotiation:
    """A run of a process — the article's by default: talks, a prisoner exchange, a third
    round, leaders, a settlement.

    Every move is made by :meth:`send`, and the article's moves are methods too; a
    move the parties' conditions do not allow yet raises :class:`TransitionBlocked`
    naming every unmet rule and its source, and leaves the negotiation as it was
    (the refusal is recorded in :attr:`history`).

    >>> talks = Negotiation()
    >>> talks.agree_exchange()
    agree_exchange(terms=quota 1000, under 25): talks -> exchange
    >>> talks.stage
    <Stage.EXCHANGE: 'exchange'>
    """

    __slots__ = (
        "_clock",
        "_engine",
        "_history",
        "_journal",
        "_lock",
        "_process",
        "_state",
        "_token",
        "_view",
    )

    def __init__(self, process: Definition = PROCESS) -> None:
        self._process = _process(process)
        self._engine = process.engine
        self._state = start(process)
        self._history: list[Event] = []
        self._journal: Journal | None = None
        # One lock per negotiation, never one shared by all: every move is atomic.
        self._lock = threading.Lock()
        self._token: object | None = None  # made when a pledge is first handed out
        self._view = History(self._history, 0)
        #: The date of the latest dated event and its index: dates never go backwards.
        self._clock: tuple[datetime.date | None, int] = (None, -1)

    def __copy__(self) -> Negotiation:
        """An independent negotiation at the same point with the same history (events are
        immutable, so they are shared)."""
        twin = Negotiation(self._process)
        with self._lock:
            twin._state = self._state
            twin._history = list(self._history)
            twin._clock = self._clock
        return twin

    def __deepcopy__(self, memo: dict[int, object]) -> Negotiation:
        return self.__copy__()

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        """Pickle through the saved form (:meth:`to_dict`) and the process, never the lock or
        the journal: unpickling replays the events, checked like a loaded file. A
        journaled negotiation comes back as a detached copy that keeps no journal."""
        return (_unpickled, (self._process, self.to_dict()))

    # -- what it is now -------------------------------------------------------------------

    @property
    def process(self) -> Definition:
        """The process this negotiation runs."""
        return self._process

    @property
    def stage(self) -> str:
        """The current stage (a :class:`Stage` for the article's process)."""
        return self._state.stage

    @property
    def state(self) -> State:
        """Everything the history adds up to, as one frozen value."""
        return self._state

    @property
    def terms(self) -> ExchangeTerms | None:
        """The agreed exchange terms, or ``None`` before an exchange is agreed.

        After further agreements, what every exchange agreed so far adds up to (quotas
        and declared holdings summed; the latest agreement's age limit, civilians rule
        and ratio): what the ledger must reach. Each agreement is in :attr:`agreements`.
        """
        return self._state.terms

    @property
    def agreements(self) -> tuple[ExchangeTerms, ...]:
        """Every exchange agreed so far, in order, each on its terms as agreed or as last
        amended (empty before the first); :attr:`terms` is what they add up to."""
        return self._state.agreements

    @property
    def ledger(self) -> Ledger:
        """The exchange so far: released, seriously ill, young, civilians, tranches."""
        return self._state.ledger

    @property
    def exchange_complete(self) -> bool:
        """Whether an exchange is agreed and has met every term."""
        return exchange_complete(self._state, self._process)

    @property
    def suspended_from(self) -> str | None:
        """The stage :meth:`resume` returns to, while suspended."""
        return self._state.suspended_from

    @property
    def humanitarian_issues(self) -> tuple[str, ...]:
        """The humanitarian issues raised and not yet resolved, in the order raised."""
        return self._state.open_items("humanitarian")

    def open_items(self, kind: str) -> tuple[str, ...]:
        """The open items of ``kind`` (such as ``"humanitarian"``), in the order opened."""
        return self._state.open_items(kind)

    @property
    def interests(self) -> tuple[Interest, ...]:
        """Every core interest declared, with whether it has been acknowledged."""
        return self._state.interests

    @property
    def history(self) -> History:
        """Every attempted move in order, accepted and refused: a read-only sequence that
        compares equal to the tuple of its events (reading it costs O(1))."""
        view, events = self._view, self._history
        if len(view) != len(events) or view._events is not events:  # its own view
            view = self._view = History(events, len(events))
        return view

    @property
    def journal(self) -> Journal | None:
        """The journal this negotiation is kept in (see :func:`negotiations.open`), or ``None``."""
        return self._journal

    @property
    def finished(self) -> bool:
        """Whether the process has reached a final stage."""
        return self._state.stage in self._process.finals

    def blockers(self, trigger: str) -> tuple[Blocker, ...]:
        """Every unmet rule that stands in the way of ``trigger`` now; empty means allowed.

        A trigger that is not a move from the current stage is blocked by the
        process's order rule too; an unknown trigger name raises :class:`UnknownTrigger`.
        """
        engine = self._engine
        return engine.blockers(self._state, engine.known(trigger))

    def allowed(self) -> tuple[str, ...]:
        """The triggers that would be accepted now (given valid arguments), in process order."""
        return self._engine.allowed(self._state)

    # -- pledges --------------------------------------------------------------------------

    @property
    def pledges(self) -> tuple[Pledge, ...]:
        """The waiting pledges, in the order made, each with what blocks its move now."""
        with self._lock:
            state = self._state
            return tuple(self._shown(pledge, state) for pledge in state.pledges)

    def pledge(
        self,
        side: str,
        trigger: str,
        *,
        note: str | None = None,
        date: datetime.date | str | None = None,
        citation: str | None = None,
    ) -> Pledge:
        """Record that ``side`` will make the move ``trigger`` as soon as it is possible.

        If the move is possible now it is made at once; otherwise the pledge waits,
        and is carried out by itself right after the event that makes it possible
        (never while the process is suspended). A move made that way is marked in the
        history with its pledge. Waiting pledges are dropped, and the drop recorded,
        when the process ends. Only moves that take no arguments can be pledged.
        ``date`` and ``citation`` say when the pledge was made and where it was
        reported (see :meth:`send`).
        Returns the pledge, with what blocks it now (nothing if it was carried out).
        """
        side = check_party(side, "side", self._process.parties)
        engine = self._engine
        engine.known(trigger)
        check_pledgeable(engine, trigger)
        note = check_optional_text(note, "note")
        day, citation = _dated(date, citation)
        with self._lock:
            self._check_open()
            self._check_date(day)
            state = self._state
            if state.stage in self._process.finals:
                raise TransitionNotAllowed("pledge", state.stage, ())
            made = make_pledge(state.pledges_made + 1, side, trigger, note)
            event = make_event(PLEDGE, True, state.stage, state.stage, {}, (), made, day, citation)
            events, after = self._settle([event], with_pledge(state, made), day)
            self._commit(events, after)
            return self._shown(made, after)

    def withdraw(
        self,
        pledge: Pledge,
        *,
        date: datetime.date | str | None = None,
        citation: str | None = None,
    ) -> Event:
        """Withdraw a waiting pledge (one from :attr:`pledges` or :meth:`pledge`); the
        withdrawal is recorded in the history, with its ``date`` and ``citation`` if given."""
        if not isinstance(pledge, Pledge):
            raise InvalidType(
                f"withdraw takes a Pledge (from talks.pledges), not {type(pledge).__name__}"
            )
        day, citation = _dated(date, citation)
        with self._lock:
            self._check_open()
            self._check_date(day)
            if pledge.owner is not None and pledge.owner is not self._token:
                raise InvalidValue(
                    f"pledge: pledge {pledge.number} was handed out by another negotiation "
                    "(a copy or a branch made with at() is another); withdraw the one in this "
                    "negotiation's pledges",
                    path="pledge",
                )
            state = self._state
            kept = pledge.record()
            if kept not in state.pledges:
                raise InvalidValue(
                    f"pledge: pledge {pledge.number} ({self._process.label(pledge.side)}: "
                    f"{pledge.trigger}) is not waiting: {fate(kept, self._history)}",
                    path="pledge",
                )
            event = make_event(
                WITHDRAW, True, state.stage, state.stage, {}, (), kept, day, citation
            )
            self._commit([event], without(state, kept))
            return event

    def _shown(self, pledge: Pledge, state: State) -> Pledge:
        """``pledge`` as handed out: what blocks it in ``state``, and who handed it out."""
        if self._token is None:
            self._token = object()
        waiting = pledge in state.pledges
        blockers = self._engine.blockers(state, pledge.trigger) if waiting else ()
        return make_pledge(
            pledge.number, pledge.side, pledge.trigger, pledge.note, blockers, self._token
        )

    # -- the moves ------------------------------------------------------------------------

    def agree_exchange(
        self, terms: ExchangeTerms | None = None, *, date: When = None, citation: Cited = None
    ) -> Event:
        """The parties agree a prisoner exchange on ``terms`` (the article's by default)."""
        return self._fire("agree_exchange", {"terms": terms}, date, citation)

    def transfer(self, tranche: Tranche, *, date: When = None, citation: Cited = None) -> Event:
        """A reciprocal handover during the exchange; it updates the :attr:`ledger`."""
        return self._fire("transfer", {"tranche": tranche}, date, citation)

    def amend_terms(
        self, terms: ExchangeTerms, *, date: When = None, citation: Cited = None
    ) -> Event:
        """The terms of the exchange under way (the latest agreed) become ``terms``; only
        while an agreed exchange is not yet complete (``exchange.under_way``)."""
        return self._fire("amend_terms", {"terms": terms}, date, citation)

    def open_third_round(self, *, date: When = None, citation: Cited = None) -> Event:
        """The third round of talks opens; only once the exchange is complete."""
        return self._fire("open_third_round", {}, date, citation)

    def convene_leaders(self, *, date: When = None, citation: Cited = None) -> Event:
        """The leaders meet; only from the third round, every humanitarian issue resolved."""
        return self._fire("convene_leaders", {}, date, citation)

    def sign_settlement(self, *, date: When = None, citation: Cited = None) -> Event:
        """A settlement is signed; only once every declared interest is acknowledged."""
        return self._fire("sign_settlement", {}, date, citation)

    def raise_humanitarian_issue(
        self, name: str, *, date: When = None, citation: Cited = None
    ) -> Event:
        """A humanitarian issue beyond the exchange is raised; leaders wait until it is resolved."""
        return self._fire("raise_humanitarian_issue", {"name": name}, date, citation)

    def resolve_humanitarian_issue(
        self, name: str, *, date: When = None, citation: Cited = None
    ) -> Event:
        """A raised humanitarian issue is resolved."""
        return self._fire("resolve_humanitarian_issue", {"name": name}, date, citation)

    def declare_interest(
        self, side: str, name: str, *, date: When = None, citation: Cited = None
    ) -> Event:
        """``side`` declares a core interest; a settlement waits for the other side to
        acknowledge it."""
        return self._fire("declare_interest", {"side": side, "name": name}, date, citation)

    def acknowledge_interest(
        self, side: str, name: str, *, date: When = None, citation: Cited = None
    ) -> Event:
        """``side`` acknowledges the other side's core interest ``name``.

        Naming the declaring side instead is accepted where that leaves no doubt.
        """
        return self._fire("acknowledge_interest", {"side": side, "name": name}, date, citation)

    def suspend(self, reason: str, *, date: When = None, citation: Cited = None) -> Event:
        """The process is put on hold; :meth:`resume` returns to the current stage."""
        return self._fire("suspend", {"reason": reason}, date, citation)

    def resume(self, *, date: When = None, citation: Cited = None) -> Event:
        """The process resumes in the stage it was suspended from."""
        return self._fire("resume", {}, date, citation)

    def collapse(self, reason: str, *, date: When = None, citation: Cited = None) -> Event:
        """The process breaks down for good."""
        return self._fire("collapse", {"reason": reason}, date, citation)

    def send(
        self, trigger: str, /, *, date: When = None, citation: Cited = None, **arguments: object
    ) -> Event:
        """Make the move named ``trigger`` with keyword ``arguments``: any move of any process.

        ``talks.send("transfer", tranche=t)`` is ``talks.transfer(t)``. Every move
        takes two more keywords: ``date``, the day it happened (a
        :class:`datetime.date` or an ISO string such as ``"2025-05-23"``), and
        ``citation``, the report it comes from (free text). Both are kept in the
        history, saved and journaled. Dates never go backwards: a date before the
        latest date in the history is refused, naming both, and nothing changes.
        """
        return self._fire(trigger, arguments, date, citation)

    def _fire(
        self, trigger: str, given: Mapping[str, object], date: When, citation: Cited
    ) -> Event:
        engine = self._engine
        if type(trigger) is not str or trigger not in engine.parameters:
            engine.known(trigger)  # refuses it, naming it
        day: datetime.date | None = None
        if date is not None or citation is not None:
            day, citation = _dated(date, citation)
        with self._lock:
            if self._journal is not None:
                self._check_open()
            if day is not None:
                self._check_date(day)
            state = self._state
            event, after = make_move(engine, state, trigger, given, date=day, citation=citation)
            if after is None:
                self._commit([event], state)
                raise TransitionBlocked(trigger, state.stage, event.blockers)
            if after.pledges:  # only then can a pledge be due
                self._commit(*self._settle([event], after, day))
            else:
                self._commit([event], after)
            return event

    def _settle(
        self, events: list[Event], state: State, day: datetime.date | None = None
    ) -> tuple[list[Event], State]:
        """Carry out or drop every pledge that is due after ``events``, earliest first, until
        none is; the events made that way (on ``day``, the call's date) are added to
        ``events``."""
        engine = self._engine
        while (found := due(engine, state)) is not None:
            kind, pledge = found
            stage = state.stage
            if kind == DROP:
                events.append(make_event(DROP, True, stage, stage, {}, (), pledge, day))
                state = without(state, pledge)
                continue
            trigger = pledge.trigger
            event, after = make_move(
                engine, state, trigger, pledgeable(engine)[trigger], pledge=pledge, date=day
            )
            assert after is not None, event.blockers  # due: its rules are met, as asked
            events.append(event)
            state = without(after, pledge)
        return events, state

    def _check_open(self) -> None:
        if self._journal is not None and self._journal.closed:
            raise JournalClosed(f"{self._journal.path}: the journal is closed; reopen it")

    def _check_date(self, day: datetime.date | None) -> None:
        last, at = self._clock
        check_order(day, last, f"history[{at}]")

    def _commit(self, events: list[Event], state: State) -> None:
        """Record the events of one call (one journal line, all or nothing) and move on.

        A journal is written (and fsynced) first: if that fails, nothing has changed.
        """
        if self._journal is not None:
            self._journal.append(events)
        history = self._history
        history.extend(events)
        self._state = state
        day = events[0].date  # the events of one call share its date
        if day is not None:
            self._clock = (day, len(history) - 1)

    # -- history, saving and restoring (the work in negotiations._saving) ---------------

    @classmethod
    def replay(cls, events: Iterable[Event], process: Definition = PROCESS) -> Negotiation:
        """The negotiation these events make, each one checked against the rules as it is folded.

        Raises :class:`InvalidValue` naming the first event that does not fit
        (nothing is returned half-built).
        """
        if not isinstance(events, Iterable):
            raise InvalidType(f"replay takes an iterable of Event, not {type(events).__name__}")
        process = _process(process)
        state, history = fold(process.engine, start(process), events, "events[{}]".format)
        return cls._made(process, state, history)

    @classmethod
    def _made(cls, process: Definition, state: State, history: list[Event]) -> Negotiation:
        negotiation = cls(process)
        negotiation._state = state
        negotiation._history = history
        negotiation._clock = latest(history)
        return negotiation

    def at(self, k: int) -> Negotiation:
        """A new negotiation as this one stood after its first ``k`` events.

        Negative ``k`` counts from the end, as in slicing: ``at(-1)`` is the
        negotiation before its last event. The result is independent (and has
        no journal): use it to look back, or to branch a "what if".

        A call and the moves its pledges then made by themselves count as one step:
        if ``k`` falls among them, the result is the negotiation before that call.
        """
        if isinstance(k, bool) or not isinstance(k, int):
            raise InvalidType(f"k must be a whole number, not {type(k).__name__}", path="k")
        with self._lock:
            history = list(self._history)
        if not -len(history) <= k <= len(history):
            count = len(history)
            raise IndexError(
                f"k: the history has {count} event(s), so k must be from {-count} to {count}; "
                f"got {k}"
            )
        end = k if k >= 0 else len(history) + k
        process, engine = self._process, self._engine
        name = "events[{}]".format
        state, kept = fold(engine, start(process), history[:end], name, complete=False)
        if due(engine, state) is None:
            return Negotiation._made(process, state, kept)
        # k falls inside one call: among what the pledges it let through did by themselves.
        # The negotiation never stood there; it stood where it was before that call.
        while end > 0 and by_itself(history[end - 1]):
            end -= 1
        state, kept = fold(engine, start(process), history[: end - 1], name)
        return Negotiation._made(process, state, kept)

    def as_of(self, date: datetime.date | str) -> Negotiation:
        """A new negotiation as this one stood at the end of ``date`` (a day, or an ISO
        string such as ``"2025-05-25"``), like :meth:`at`.

        It holds every event before the first one dated after that day; an event
        with no date counts with the dated event before it. Before the first dated
        event, that is the events before it (possibly none). A history with events
        but no date at all is refused: it cannot say what happened when.
        """
        day = as_date(date, "date")
        if day is None:
            raise InvalidType("date: as_of needs a day, not None", path="date")
        with self._lock:
            history = self._history
            if history and self._clock[0] is None:
                raise InvalidValue(
                    f"as_of needs dated events, and none of the {len(history)} event(s) of "
                    "this negotiation has a date; at(k) goes by position"
                )
            k = stood(history, day)
        return self.at(k)

    def to_dict(self) -> dict[str, Any]:
        """The negotiation as JSON-ready data: format version, process, stage, every event."""
        with self._lock:  # the stage and the events of one moment
            stage, history = self._state.stage, list(self._history)
        return saved_form(self._process, stage, history)

    def to_json(self, *, indent: int | None = None) -> str:
        """The negotiation as JSON text; :meth:`from_json` restores an equal negotiation."""
        return json_text(self.to_dict(), indent)

    @classmethod
    def from_dict(cls, data: object, process: Definition = PROCESS) -> Negotiation:
        """Restore from :meth:`to_dict` (any supported format version) by replaying the events.

        Anything malformed raises :class:`InvalidValue` (a ``ValueError``) whose
        message names the field, such as ``events[3].arguments.tranche.released``
        (and whose ``.path`` is that field). A file of another process is refused.
        """
        process = _process(process)
        return cls._made(process, *restore_form(data, process, start(process)))

    @classmethod
    def from_json(cls, text: str | bytes, process: Definition = PROCESS) -> Negotiation:
        """Restore from :meth:`to_json`; malformed input raises :class:`InvalidValue`."""
        return cls.from_dict(read_json(text), process)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the negotiation to ``path`` atomically: the file is either the old one or the
        new one, never a mix, whatever happens mid-write.

        Only a regular file is written: a symbolic link, pipe, device or folder at
        ``path`` is refused with :class:`StorageError` (what a link points to is never
        replaced), and so is anything the system refuses (no space, no permission). A
        journal open for writing at ``path`` is refused with :class:`JournalLocked`.
        """
        write_form(path, self.to_dict())

    @classmethod
    def load(
        cls,
        path: str | os.PathLike[str],
        process: Definition = PROCESS,
        *,
        max_bytes: int = MAX_BYTES,
    ) -> Negotiation:
        """Restore a negotiation written by :meth:`save`; errors name the file and the field.

        Only a regular file of at most ``max_bytes`` (1 GiB unless raised) is read; a
        missing file, a folder, a pipe, a device or a larger file is refused with
        :class:`StorageError` (an ``OSError``), naming the path. A journal is refused
        with an :class:`InvalidValue` saying to open it with :func:`negotiations.open`.
        """
        return load_file(cls, path, _process(process), max_bytes)

    def close(self) -> None:
        """Close the journal, if the negotiation has one (see :func:`negotiations.open`).

        Moves after closing are refused with :class:`JournalClosed`, so nothing is
        made that the journal would not keep. Closing twice is harmless.
        """
        with self._lock:
            if self._journal is not None:
                self._journal.close()

    def __enter__(self) -> Negotiation:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- comparing and printing -----------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Negotiation):
            return NotImplemented
        with self._lock:
            mine = (self._process, self._state, list(self._history))
        if other is self:
            return True
        with other._lock:
            theirs = (other._process, other._state, list(other._history))
        return mine == theirs

    __hash__ = None  # type: ignore[assignment]  # mutable: equal negotiations may diverge

    def __repr__(self) -> str:
        """One line: the stage, the exchange, what is open and waiting, the moves allowed, how
        many events, and the journal (saying so when it is closed)."""
        return summary(self)

    def _repr_pretty_(self, printer: Printer, cycle: bool) -> None:
        """IPython's pretty display: the text report of :func:`negotiations._display.pretty`."""
        pretty(self, printer, cycle)

    def _repr_html_(self) -> str:
        """A notebook's display: stage, exchange per party, the moves possible now, what
        blocks the others (rule and message), and the diagram with the current stage marked."""
        return html_report(self)

    def _repr_markdown_(self) -> str:
        """The notebook display as Markdown, the diagram in a ``mermaid`` block."""
        return markdown_report(self)


def _unpickled(process: Definition, data: dict[str, Any]) -> Negotiation:
    # Here, not in _saving: a pickle names this function by its module and name.
    return Negotiation.from_dict(data, process)


def start(process: Definition) -> State:
    start = process.engine.memo.get("start")
    if start is None:
        start = process.engine.memo["start"] = State.initial(process)
    return start


def restored(process: Definition, state: State, history: list[Event]) -> Negotiation:
    """A negotiation of ``process`` at ``state`` with ``history`` (folded by the caller)."""
    return Negotiation._made(process, state, history)


def kept_in(negotiation: Negotiation, journal: Journal) -> Negotiation:
    """``negotiation``, from now on kept in ``journal``."""
    negotiation._journal = journal
    return negotiation
