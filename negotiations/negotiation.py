"""A :class:`Negotiation`: the article's process for one pair of parties, step by step."""

from __future__ import annotations

import difflib
import json
import os
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from negotiations._fields import check_optional_text, check_side
from negotiations._gc import collector_paused
from negotiations._machine import Attempt, Engine
from negotiations.errors import (
    InvalidType,
    InvalidValue,
    JournalClosed,
    TransitionBlocked,
    TransitionNotAllowed,
    UnknownTrigger,
)
from negotiations.events import DROP, PLEDGE, WITHDRAW, Blocker, Event, Pledge
from negotiations.fold import admit, apply, arguments
from negotiations.ledger import Ledger
from negotiations.pledging import (
    by_itself,
    check_pledgeable,
    describe,
    due,
    pledgeable,
    with_pledge,
    without,
)
from negotiations.process import PROCESS
from negotiations.replay import refold, refold_saved, with_citations
from negotiations.saved import FORMAT, migrate, read_text, write_atomically
from negotiations.stages import Side, Stage
from negotiations.state import Interest, State
from negotiations.terms import ExchangeTerms
from negotiations.tranche import Tranche

if TYPE_CHECKING:
    from negotiations.journal import Journal

__all__ = ["FORMAT", "Negotiation"]

_ENGINE = Engine(PROCESS)
_START = State(stage=PROCESS.initial)
#: Each rule's citation: saved events leave a blocker's source out where it is this.
_CITED = {rule.id: rule.source for rule in PROCESS.rules}


class Negotiation:
    """The article's process: talks, a prisoner exchange, a third round, leaders, a settlement.

    Every trigger is a method; a move the parties' conditions do not allow yet
    raises :class:`TransitionBlocked` naming every unmet rule and its source,
    and leaves the negotiation as it was (the refusal is recorded in
    :attr:`history`).

    >>> talks = Negotiation()
    >>> talks.agree_exchange()
    Event(trigger='agree_exchange', ...)
    >>> talks.stage
    <Stage.EXCHANGE: 'exchange'>
    """

    __slots__ = ("_history", "_history_view", "_journal", "_lock", "_state", "_token")

    _state: State
    _history: list[Event]
    _history_view: tuple[Event, ...]
    _journal: Journal | None
    _lock: threading.Lock
    _token: object | None

    def __init__(self) -> None:
        self._state = _START
        self._history = []
        self._history_view = ()
        self._journal = None
        # One lock per negotiation, never one shared by all: every move is atomic.
        self._lock = threading.Lock()
        self._token = None  # made when a pledge is first handed out (see _owner)

    def __copy__(self) -> Negotiation:
        """An independent negotiation at the same point with the same history (events are
        immutable, so they are shared)."""
        twin = Negotiation()
        with self._lock:
            twin._state = self._state
            twin._history = list(self._history)
        return twin

    def __deepcopy__(self, memo: dict[int, object]) -> Negotiation:
        return self.__copy__()

    # -- what it is now -------------------------------------------------------------------

    @property
    def stage(self) -> Stage:
        """The current stage."""
        return self._state.stage

    @property
    def state(self) -> State:
        """Everything the history adds up to, as one frozen value."""
        return self._state

    @property
    def terms(self) -> ExchangeTerms | None:
        """The agreed exchange terms, or ``None`` before :meth:`agree_exchange`."""
        return self._state.terms

    @property
    def ledger(self) -> Ledger:
        """The exchange so far: released, seriously ill, young, civilians, tranches."""
        return self._state.ledger

    @property
    def exchange_complete(self) -> bool:
        """Whether the agreed exchange has met every term."""
        return self._state.exchange_complete

    @property
    def suspended_from(self) -> Stage | None:
        """The stage :meth:`resume` returns to, while suspended."""
        return self._state.suspended_from

    @property
    def humanitarian_issues(self) -> tuple[str, ...]:
        """The humanitarian issues raised and not yet resolved, in the order raised."""
        return self._state.open_issues

    @property
    def interests(self) -> tuple[Interest, ...]:
        """Every core interest declared, with whether it has been acknowledged."""
        return self._state.interests

    @property
    def history(self) -> tuple[Event, ...]:
        """Every attempted move in order, accepted and refused."""
        # The history only ever grows, so a view of the right length is current.
        view = self._history_view
        if len(view) != len(self._history):
            view = tuple(self._history)  # a snapshot: returned even if another reader races
            self._history_view = view
        return view

    @property
    def journal(self) -> Journal | None:
        """The journal this negotiation is kept in (see :func:`negotiations.open`), or ``None``."""
        return self._journal

    @property
    def finished(self) -> bool:
        """Whether the process has reached a final stage."""
        return self._state.stage in PROCESS.finals

    def blockers(self, trigger: str) -> tuple[Blocker, ...]:
        """Every unmet rule that stands in the way of ``trigger`` now; empty means allowed.

        A trigger that is not a move from the current stage is blocked by
        ``process.order``; an unknown trigger name raises :class:`UnknownTrigger`.
        """
        _known(trigger)
        return _ENGINE.blockers(self._state, trigger)

    def allowed(self) -> tuple[str, ...]:
        """The triggers that would be accepted now (given valid arguments), in process order."""
        return _ENGINE.allowed(self._state)

    # -- pledges --------------------------------------------------------------------------

    @property
    def pledges(self) -> tuple[Pledge, ...]:
        """The waiting pledges, in the order made, each with what blocks its move now."""
        with self._lock:
            state = self._state
            return tuple(self._shown(pledge, state) for pledge in state.pledges)

    def pledge(self, side: Side | str, trigger: str, *, note: str | None = None) -> Pledge:
        """Record that ``side`` will make the move ``trigger`` as soon as it is possible.

        If the move is possible now it is made at once; otherwise the pledge waits,
        and is carried out by itself right after the event that makes it possible
        (never while the process is suspended). A move made that way is marked in the
        history with its pledge. Waiting pledges are dropped, and the drop recorded,
        when the process ends. Only moves that take no arguments can be pledged.
        Returns the pledge, with what blocks it now (nothing if it was carried out).
        """
        side = check_side(side, "side")
        _known(trigger)
        check_pledgeable(_ENGINE, trigger)
        note = check_optional_text(note, "note")
        with self._lock:
            self._check_open()
            state = self._state
            if state.stage in PROCESS.finals:
                raise TransitionNotAllowed("pledge", state.stage, ())
            made = Pledge._trusted(state.pledges_made + 1, side, trigger, note)
            event = Event._trusted(PLEDGE, True, state.stage, state.stage, {}, (), made)
            events, after = _settle([event], with_pledge(state, made))
            self._commit(events, after)
            return self._shown(made, after)

    def withdraw(self, pledge: Pledge) -> Event:
        """Withdraw a waiting pledge (one from :attr:`pledges` or :meth:`pledge`); the
        withdrawal is recorded in the history."""
        if not isinstance(pledge, Pledge):
            raise InvalidType(
                f"withdraw takes a Pledge (from talks.pledges), not {type(pledge).__name__}"
            )
        with self._lock:
            self._check_open()
            if pledge._owner is not None and pledge._owner is not self._token:
                raise InvalidValue(
                    f"pledge: pledge {pledge.number} was handed out by another negotiation "
                    "(a copy or a branch made with at() is another); withdraw the one in this "
                    "negotiation's pledges"
                )
            state = self._state
            kept = pledge._record()
            if kept not in state.pledges:
                raise InvalidValue(
                    f"pledge: pledge {pledge.number} ({pledge.side.label}: {pledge.trigger}) "
                    f"is not waiting: {self._fate(kept)}"
                )
            event = Event._trusted(WITHDRAW, True, state.stage, state.stage, {}, (), kept)
            self._commit([event], without(state, kept))
            return event

    def _shown(self, pledge: Pledge, state: State) -> Pledge:
        """``pledge`` as handed out: what blocks it in ``state``, and who handed it out."""
        if self._token is None:
            self._token = object()
        waiting = pledge in state.pledges
        blockers = _ENGINE.blockers(state, pledge.trigger) if waiting else ()
        return Pledge._trusted(
            pledge.number,
            pledge.side,
            pledge.trigger,
            pledge.note,
            blockers=blockers,
            owner=self._token,
        )

    def _fate(self, pledge: Pledge) -> str:
        """What became of a pledge that is not waiting, from the history."""
        for number, event in enumerate(reversed(self._history)):
            if event.pledge == pledge and event.trigger != PLEDGE:
                at = len(self._history) - number - 1
                if event.trigger == WITHDRAW:
                    return f"it was withdrawn (history[{at}])"
                if event.trigger == DROP:
                    return f"it was dropped when the process ended (history[{at}])"
                return f"it was carried out (history[{at}]: {event})"
        return "no such pledge was made in this negotiation"

    # -- the moves ------------------------------------------------------------------------

    def agree_exchange(self, terms: ExchangeTerms | None = None) -> Event:
        """The parties agree a prisoner exchange on ``terms`` (the article's by default)."""
        return self._fire("agree_exchange", {"terms": terms})

    def transfer(self, tranche: Tranche) -> Event:
        """A reciprocal handover during the exchange; it updates the :attr:`ledger`."""
        return self._fire("transfer", {"tranche": tranche})

    def open_third_round(self) -> Event:
        """The third round of talks opens; only once the exchange is complete."""
        return self._fire("open_third_round", {})

    def convene_leaders(self) -> Event:
        """The leaders meet; only from the third round, every humanitarian issue resolved."""
        return self._fire("convene_leaders", {})

    def sign_settlement(self) -> Event:
        """A settlement is signed; only once every declared interest is acknowledged."""
        return self._fire("sign_settlement", {})

    def raise_humanitarian_issue(self, name: str) -> Event:
        """A humanitarian issue beyond the exchange is raised; leaders wait until it is resolved."""
        return self._fire("raise_humanitarian_issue", {"name": name})

    def resolve_humanitarian_issue(self, name: str) -> Event:
        """A raised humanitarian issue is resolved."""
        return self._fire("resolve_humanitarian_issue", {"name": name})

    def declare_interest(self, side: Side | str, name: str) -> Event:
        """``side`` declares a core interest; a settlement waits for the other side to
        acknowledge it."""
        return self._fire("declare_interest", {"side": side, "name": name})

    def acknowledge_interest(self, side: Side | str, name: str) -> Event:
        """``side`` acknowledges the other side's core interest ``name``.

        Naming the declaring side instead is accepted where that leaves no doubt.
        """
        return self._fire("acknowledge_interest", {"side": side, "name": name})

    def suspend(self, reason: str) -> Event:
        """The process is put on hold; :meth:`resume` returns to the current stage."""
        return self._fire("suspend", {"reason": reason})

    def resume(self) -> Event:
        """The process resumes in the stage it was suspended from."""
        return self._fire("resume", {})

    def collapse(self, reason: str) -> Event:
        """The process breaks down for good."""
        return self._fire("collapse", {"reason": reason})

    def send(self, trigger: str, /, **arguments: object) -> Event:
        """Make the move named ``trigger`` with keyword ``arguments``: for scripts and simulations
        that choose moves by name.

        ``talks.send("transfer", tranche=t)`` is ``talks.transfer(t)``.
        """
        _known(trigger)
        return self._fire(trigger, arguments)

    def _fire(self, trigger: str, given: Mapping[str, object]) -> Event:
        with self._lock:
            self._check_open()
            args = arguments(_ENGINE.parameters[trigger], given)
            state = self._state
            if _ENGINE.move(trigger, state.stage) is None:
                raise TransitionNotAllowed(trigger, state.stage, self.allowed())
            admit(state, trigger, args)
            attempt = Attempt(state, trigger, args)
            if not _ENGINE.run(attempt):
                self._record(
                    Event._trusted(trigger, False, state.stage, state.stage, args, attempt.blockers)
                )
                raise TransitionBlocked(trigger, state.stage, attempt.blockers)
            after = apply(state, trigger, args, attempt.dest)
            event = Event._trusted(trigger, True, state.stage, after.stage, args)
            if after._pledges.waiting:  # only then can a pledge be due
                self._commit(*_settle([event], after))
            else:
                self._record(event)
                self._state = after
            return event

    def _check_open(self) -> None:
        if self._journal is not None and self._journal.closed:
            raise JournalClosed(f"{self._journal.path}: the journal is closed; reopen it")

    def _record(self, event: Event) -> None:
        # A journal is written (and fsynced) first: if that fails, nothing has changed.
        if self._journal is not None:
            self._journal.append((event,))
        self._history.append(event)

    def _commit(self, events: list[Event], state: State) -> None:
        """Record the events of one call (one journal line, all or nothing) and move on."""
        if self._journal is not None:
            self._journal.append(events)
        self._history.extend(events)
        self._state = state

    # -- history, saving and restoring ----------------------------------------------------

    @classmethod
    def replay(cls, events: Iterable[Event]) -> Negotiation:
        """The negotiation these events make, each one checked against the rules as it is folded.

        Raises :class:`InvalidValue` naming the first event that does not fit
        (nothing is returned half-built).
        """
        if not isinstance(events, Iterable):
            raise InvalidType(f"replay takes an iterable of Event, not {type(events).__name__}")
        return cls._fold(events, "events[{}]", 0)

    @classmethod
    def _fold(
        cls, events: Iterable[object], name: str, first: int, *, complete: bool = True
    ) -> Negotiation:
        """Fold events; an event that does not fit is named by ``name.format(number)``
        (``events[3]``, ``line 5``), counting from ``first``. Unless ``complete`` is false,
        a history that stops before a pledge that was due is refused."""
        state = _START
        history: list[Event] = []
        with collector_paused():
            for number, event in enumerate(events, start=first):
                if not isinstance(event, Event):
                    where = name.format(number)
                    raise InvalidType(f"{where} must be an Event, not {type(event).__name__}")
                try:
                    state = refold(_ENGINE, state, event)
                except InvalidValue as error:
                    raise InvalidValue(f"{name.format(number)}{error}") from None
                history.append(event)
        if complete:
            _check_settled(state, name.format(first + len(history)))
        return cls._made(state, history)

    @classmethod
    def _fold_saved(cls, items: Iterable[object], name: Callable[[int], str]) -> Negotiation:
        """Fold events as saved (``Event.to_dict`` data), decoding and checking each in one
        pass; the item at ``i`` that does not fit is named by ``name(i)``."""
        state = _START
        history: list[Event] = []
        append = history.append
        with collector_paused():
            for number, item in enumerate(items):
                after = refold_saved(_ENGINE, state, item, append)
                if after is None:  # unusual or wrong: the careful road decodes it, or says why not
                    where = name(number)
                    event = Event.from_dict(with_citations(item, _CITED), where)
                    try:
                        state = refold(_ENGINE, state, event)
                    except InvalidValue as error:
                        raise InvalidValue(f"{where}{error}") from None
                    append(event)
                else:
                    state = after
        _check_settled(state, name(len(history)))
        return cls._made(state, history)

    @classmethod
    def _made(cls, state: State, history: list[Event]) -> Negotiation:
        negotiation = cls()
        negotiation._state = state
        negotiation._history = history
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
            raise InvalidType(f"k must be a whole number, not {type(k).__name__}")
        with self._lock:
            history = list(self._history)
        if not -len(history) <= k <= len(history):
            raise IndexError(f"k: the history has {len(history)} event(s), so k is at most that")
        end = k if k >= 0 else len(history) + k
        talks = Negotiation._fold(history[:end], "events[{}]", 0, complete=False)
        if due(_ENGINE, talks._state) is None:
            return talks
        # k falls inside one call: among what the pledges it let through did by themselves.
        # The negotiation never stood there; it stood where it was before that call.
        while end > 0 and by_itself(history[end - 1]):
            end -= 1
        return Negotiation._fold(history[: end - 1], "events[{}]", 0)

    def to_dict(self) -> dict[str, Any]:
        """The negotiation as JSON-ready data: format version, process, stage, every event."""
        with self._lock:
            stage, history = self._state.stage, list(self._history)
        return {
            "format": FORMAT,
            "process": PROCESS.name,
            "stage": stage.value,
            "events": [event._saved(_CITED) for event in history],
        }

    def to_json(self, *, indent: int | None = None) -> str:
        """The negotiation as JSON text; :meth:`from_json` restores an equal negotiation."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    @classmethod
    def from_dict(cls, data: object) -> Negotiation:
        """Restore from :meth:`to_dict` (any supported format version) by replaying the events.

        Anything malformed raises :class:`InvalidValue` (a ``ValueError``) whose
        message names the field, such as ``events[3].arguments.tranche.released``.
        """
        try:
            current = migrate(data, PROCESS.name)
            negotiation = cls._fold_saved(current["events"], "events[{}]".format)
        except InvalidType as error:  # malformed content is a bad value, whatever its shape
            raise InvalidValue(str(error)) from None
        if current["stage"] != negotiation.stage.value:
            raise InvalidValue(
                f"stage: recorded {current['stage']!r}, but the events lead to "
                f"{negotiation.stage.value!r}"
            )
        return negotiation

    @classmethod
    def from_json(cls, text: str | bytes) -> Negotiation:
        """Restore from :meth:`to_json`; malformed input raises :class:`InvalidValue`."""
        if not isinstance(text, (str, bytes, bytearray)):
            raise InvalidType(f"from_json takes JSON text, not {type(text).__name__}")
        with collector_paused():  # parsing builds as many objects as folding
            try:
                data = json.loads(text)
            except (ValueError, RecursionError) as error:
                raise InvalidValue(f"not valid JSON: {error}") from None
            return cls.from_dict(data)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the negotiation to ``path`` atomically: the file is either the old one or the
        new one, never a mix, whatever happens mid-write."""
        document = self.to_dict()
        events = document.pop("events")
        # One event per line: readable and diff-friendly, and written by the fast C encoder
        # (an indent would switch json to its pure-Python one).
        encode = json.JSONEncoder(ensure_ascii=False).encode  # one encoder for every line
        lines = ",\n".join(map(encode, events))
        head = encode(document)[:-1]
        write_atomically(path, f'{head}, "events": [\n{lines}\n]}}\n')

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Negotiation:
        """Restore a negotiation written by :meth:`save`; errors name the file and the field."""
        try:
            return cls.from_json(read_text(path))
        except InvalidValue as error:
            raise InvalidValue(f"{os.fspath(path)}: {error}") from None

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
            mine = (self._state, list(self._history))
        if other is self:
            return True
        with other._lock:
            theirs = (other._state, list(other._history))
        return mine == theirs

    __hash__ = None  # type: ignore[assignment]  # mutable: equal negotiations may diverge

    def __repr__(self) -> str:
        state = self._state
        parts = [f"stage={state.stage.value}"]
        if state.suspended_from is not None:
            parts.append(f"suspended from {state.suspended_from.value}")
        if state.terms is not None:
            released = state.ledger.released
            quota = state.terms.quota
            parts.append(
                f"exchange: Russia {released.russia}/{quota}, Ukraine {released.ukraine}/{quota}"
                + (" (complete)" if state.exchange_complete else "")
            )
        if state.open_issues:
            parts.append("open issues: " + ", ".join(repr(n) for n in state.open_issues))
        pending = state.pending_interests()
        if pending:
            parts.append(f"{len(pending)} interest(s) awaiting acknowledgement")
        if state.pledges:
            parts.append(
                f"{len(state.pledges)} pledge(s) waiting: "
                + ", ".join(f"{p.side.label} {p.trigger}" for p in state.pledges)
            )
        allowed = self.allowed()
        parts.append("allowed: " + (", ".join(allowed) if allowed else "nothing (final)"))
        parts.append(f"{len(self._history)} event(s)")
        return f"<Negotiation {'; '.join(parts)}>"


def _settle(events: list[Event], state: State) -> tuple[list[Event], State]:
    """Carry out or drop every pledge that is due after ``events``, earliest first, until
    none is; the events made that way are added to ``events``."""
    while (found := due(_ENGINE, state)) is not None:
        kind, pledge = found
        stage = state.stage
        if kind == DROP:
            events.append(Event._trusted(DROP, True, stage, stage, {}, (), pledge))
            state = without(state, pledge)
            continue
        trigger = pledge.trigger
        given = pledgeable(_ENGINE)[trigger]
        attempt = Attempt(state, trigger, given)
        made = _ENGINE.run(attempt)
        assert made, attempt.blockers  # due: its rules are met, and the machine agrees
        after = apply(state, trigger, given, attempt.dest)
        events.append(Event._trusted(trigger, True, stage, after.stage, given, (), pledge))
        state = without(after, pledge)
    return events, state


def _check_settled(state: State, where: str) -> None:
    """A recorded history never stops right before a pledge that was due."""
    if state.pledges:
        found = due(_ENGINE, state)
        if found is not None:
            raise InvalidValue(f"{where}: missing: the events stop before {describe(found)}")


def _known(trigger: object) -> None:
    if not isinstance(trigger, str):
        raise InvalidType(f"trigger must be a string, not {type(trigger).__name__}")
    if trigger not in _ENGINE.parameters:
        close = difflib.get_close_matches(trigger, PROCESS.triggers, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise UnknownTrigger(f"unknown trigger {trigger!r}{hint}")
