"""Replaying recorded events: each one made again by the one function that makes moves, and
checked to come out exactly as recorded.

The message of every refusal starts with the part of the event at fault
(``.dest: …``, or ``: …`` for the event as a whole); the caller puts the event's
own name in front.
"""

from __future__ import annotations

import marshal
import os
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any, cast

from negotiations._checks import check_optional_text, shorten
from negotiations._dates import as_date, check_order, latest
from negotiations._engine import Engine, make_move
from negotiations._errors import InvalidType, InvalidValue, TransitionNotAllowed
from negotiations._parameters import PARAMETERS
from negotiations._pledging import (
    by_itself,
    check_pledgeable,
    describe,
    due,
    fulfils,
    pledgeable,
    with_pledge,
    without,
)
from negotiations._records import DROP, PLEDGE, PLEDGE_TRIGGERS, Event
from negotiations._state import State

__all__ = ["check_settled", "fold", "fold_saved", "refold"]


def refold(engine: Engine, state: State, event: Event) -> tuple[State, Event]:
    """The state after ``event`` and the event as the history keeps it, or
    :class:`InvalidValue` if it does not fit."""
    trigger = event.trigger
    if trigger not in engine.parameters and trigger not in PLEDGE_TRIGGERS:
        raise InvalidValue(f".trigger: unknown trigger {shorten(trigger)}", path="trigger")
    if event.source != state.stage:
        raise InvalidValue(
            f".source: recorded {event.source}, but the negotiation is in "
            f"{state.stage} at that point",
            path="source",
        )
    found = due(engine, state) if state.pledges else None
    if found is not None:
        if not fulfils(found, event):
            raise InvalidValue(f": {describe(found)} comes first here, before anything else")
    elif by_itself(event):
        assert event.pledge is not None  # by_itself says so
        verb = "dropped" if trigger == DROP else "carried out"
        raise InvalidValue(
            f".pledge: pledge {event.pledge.number} cannot be {verb} at this point",
            path="pledge",
        )
    if trigger in PLEDGE_TRIGGERS:
        return _refold_kept(engine, state, event), event
    if event.pledge is not None and dict(event.arguments) != pledgeable(engine)[trigger]:
        raise InvalidValue(
            ".arguments: a pledged move is made with its default arguments", path="arguments"
        )
    after, kept = _refold_move(engine, state, event)
    if event.pledge is not None:
        after = without(after, event.pledge)
    return after, kept


def _refold_kept(engine: Engine, state: State, event: Event) -> State:
    """The state after an event that keeps a pledge (made, withdrawn or dropped)."""
    pledge = event.pledge
    if pledge is None:  # an Event refuses this when made; a record could still say so
        raise InvalidValue(f".pledge: a {event.trigger} event names its pledge", path="pledge")
    if event.trigger == PLEDGE:
        if state.stage in engine.process.finals:
            raise InvalidValue(": a pledge made after the process ended")
        expected = state.pledges_made + 1
        if pledge.number != expected:
            raise InvalidValue(
                f".pledge.number: recorded {pledge.number}, but this is pledge {expected}",
                path="pledge.number",
            )
        if pledge.trigger not in engine.parameters:
            raise InvalidValue(
                f".pledge.trigger: unknown trigger {shorten(pledge.trigger)}",
                path="pledge.trigger",
            )
        if pledge.side not in engine.process.parties:
            raise InvalidValue(
                f".pledge.side: {shorten(pledge.side)} is not a party to this process",
                path="pledge.side",
            )
        try:
            check_pledgeable(engine, pledge.trigger)
        except InvalidValue as error:
            raise InvalidValue(f".pledge.{error}", path=f"pledge.{error.path}") from None
        return with_pledge(state, pledge)
    if pledge not in state.pledges:  # withdrawn (a drop that is due was checked above)
        raise InvalidValue(
            f".pledge: pledge {pledge.number} is not waiting at this point", path="pledge"
        )
    return without(state, pledge)


def _refold_move(engine: Engine, state: State, event: Event) -> tuple[State, Event]:
    trigger = event.trigger
    if (trigger, state.stage) not in engine.plans:
        raise InvalidValue(f": {trigger} is not a move from {state.stage}")
    try:
        made, after = make_move(
            engine,
            state,
            trigger,
            event.arguments,
            live=False,
            pledge=event.pledge,
            date=event.date,
            citation=event.citation,
        )
    except (InvalidValue, InvalidType) as error:
        path = f"arguments.{error.path}" if error.path else "arguments"
        raise InvalidValue(f".arguments: {error}", path=path) from None
    if not event.accepted:
        if made.blockers != event.blockers:
            raise InvalidValue(
                f".blockers: recorded {[str(b) for b in event.blockers]}, but the rules "
                f"give {[str(b) for b in made.blockers]}",
                path="blockers",
            )
        return state, made
    if after is None:
        if not made.blockers:  # a return with nowhere to return to
            raise InvalidValue(f".dest: recorded {event.dest}, but the move leads to nowhere")
        raise InvalidValue(
            ": recorded as accepted, but the rules refuse it: "
            + "; ".join(blocker.message for blocker in made.blockers)
        )
    if after.stage != event.dest:
        raise InvalidValue(
            f".dest: recorded {event.dest}, but the move leads to {after.stage}", path="dest"
        )
    return after, made


def fold(
    engine: Engine,
    start: State,
    events: Iterable[object],
    name: Callable[[int], str],
    *,
    complete: bool = True,
) -> tuple[State, list[Event]]:
    """Fold ``events`` from ``start``; the one at ``i`` that does not fit is named by
    ``name(i)``. Unless ``complete`` is false, a history that stops before a pledge
    that was due is refused."""
    state = start
    history: list[Event] = []
    last: date | None = None
    for number, event in enumerate(events):
        if not isinstance(event, Event):
            where = name(number)
            raise InvalidType(f"{where} must be an Event, not {type(event).__name__}", path=where)
        try:
            last = _timed(event, last, history, name, number)
            state, kept = refold(engine, state, event)
        except InvalidValue as error:
            raise _named(error, name(number)) from None
        history.append(kept)
    if complete:
        check_settled(engine, state, name(len(history)))
    return state, history


def fold_saved(
    engine: Engine, start: State, items: Iterable[object], name: Callable[[int], str]
) -> tuple[State, list[Event]]:
    """Fold events as saved (``Event.to_dict`` data): each one made again, and checked to be
    exactly what was saved.

    Each saved move is made by the one function that makes moves, from its trigger and
    its arguments decoded (each distinct argument decoded once per load); when the event
    it makes saves to exactly the saved data, it is the event. Anything else — a pledge
    due, an event of pledges, a field spelled otherwise than this library writes it, or
    an event that does not fit — takes the careful road: the event is decoded field by
    field (:meth:`Event.from_dict`) and folded (:func:`refold`), which either accepts it
    or says what is wrong, and where.
    """
    loading = _Loading(engine)
    state = start
    history: list[Event] = []
    append = history.append
    last: date | None = None
    for number, item in enumerate(items):
        made = loading.event(state, item)
        if made is None:
            where = name(number)
            event = Event.from_dict(item, where, engine.citations)
            try:
                last = _timed(event, last, history, name, number)
                state, kept = refold(engine, state, event)
            except InvalidValue as error:
                raise _named(error, where) from None
            append(kept)
        else:
            state, kept = made
            if kept.date is not None:
                try:
                    last = _in_order(kept.date, last, history, name, number)
                except InvalidValue as error:
                    raise _named(error, name(number)) from None
            append(kept)
    check_settled(engine, state, name(len(history)))
    return state, history


class _Loading:
    """What one load keeps so that each distinct thing is worked out once: each argument
    decoded, by its saved form (``decoded``), and what :meth:`Event.saved` gave for an
    accepted event, by its trigger, stages and arguments — all it depends on for a move
    no pledge made (``forms``). Both die with the load."""

    __slots__ = ("cited", "decoded", "engine", "forms")

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.cited = engine.citations
        self.decoded: dict[object, object] = {}
        self.forms: dict[tuple[object, ...], dict[str, object]] = {}

    def event(  # noqa: PLR0911  # one way out per field not as this library saves it
        self, state: State, item: object
    ) -> tuple[State, Event] | None:
        """The state after saved event ``item`` and the event, if making its move from
        ``state`` gives an event that saves to exactly ``item``; ``None`` otherwise (the
        careful road then decides)."""
        engine = self.engine
        if type(item) is not dict:
            return None
        trigger = item.get("trigger")
        if type(trigger) is not str or trigger not in engine.parameters or "pledge" in item:
            return None  # unknown, or about pledges: the careful road
        if state.pledges and due(engine, state) is not None:
            return None
        found = self._arguments(engine.parameters[trigger], item.get("arguments", _NOTHING))
        if found is None:
            return None
        arguments, keys = found
        day = citation = None
        dated = "date" in item or "citation" in item
        if dated:
            when = _when(item)
            if when is None:
                return None
            day, citation = when
        try:
            made, after = make_move(
                engine, state, trigger, arguments, live=False, date=day, citation=citation
            )
        except (InvalidValue, InvalidType, TransitionNotAllowed):
            return None
        if made.accepted:
            shape = (trigger, made.source, made.dest, *keys)
            form = self.forms.get(shape)
            if form is None:  # kept without the date and citation, which vary by event
                form = made.saved(self.cited)
                form.pop("date", None)
                form.pop("citation", None)
                self.forms[shape] = form
            if dated:  # the shape's form, with this event's date and citation as saved
                form = {**form, **made.when_saved()}
        else:
            form = made.saved(self.cited)
        if form != item:  # the event as this library saves it, and nothing else
            return None
        return (state if after is None else after), made

    def _arguments(
        self, parameters: tuple[str, ...], raw: object
    ) -> tuple[dict[str, object], list[object]] | None:
        """The saved arguments ``raw`` decoded, and the key of each; ``None`` if they are not
        exactly the move's ``parameters`` or one does not decode."""
        if type(raw) is not dict or len(raw) != len(parameters):
            return None
        decoded = self.decoded
        arguments = {}
        keys: list[object] = []
        for parameter in parameters:
            if parameter not in raw:
                return None
            value = raw[parameter]
            key = (parameter, value if type(value) is str else _frozen(value))
            keys.append(key)
            found = decoded.get(key, _NOTHING)
            if found is _NOTHING:
                try:
                    found = PARAMETERS[parameter].decode(value, parameter)
                except (InvalidValue, InvalidType):
                    return None
                decoded[key] = found
            arguments[parameter] = found
        return arguments, keys


_NOTHING: dict[str, object] = {}


def _when(item: dict[str, object]) -> tuple[date | None, str | None] | None:
    """The date and citation of saved event ``item``, or ``None`` where either is not as this
    library writes it (the careful road then says what is wrong)."""
    try:
        return as_date(item.get("date")), check_optional_text(item.get("citation"), "citation")
    except (InvalidValue, InvalidType):
        return None


def _frozen(value: object) -> object:
    """``value`` (JSON data) as a hashable key: its ``marshal`` bytes (version 0, which has
    no back-references, so equal data of equal types gives equal bytes). They tell ``1``,
    ``1.0``, ``true`` and ``"1"`` apart and keep the order of keys, as a decoder must (a
    ``true`` where a count belongs is refused, though ``True == 1``). Only a key in memory
    for one load; nothing is kept or read back. Data marshal cannot write (nested too
    deeply) gets a key of its own, shared with nothing."""
    try:
        return marshal.dumps(cast("Any", value), 0)  # JSON data: marshal writes all of it
    except ValueError:  # nested deeper than marshal goes
        return object()  # no key to share


def _timed(
    event: Event,
    last: date | None,
    history: list[Event],
    name: Callable[[int], str],
    number: int,
) -> date | None:
    """The latest date once ``event`` (the one at ``number``) follows ``history``, whose latest
    date is ``last``: its date must not go back before ``last``, and a move a pledge made by
    itself (or a drop) is dated as the call that let it through, with no citation of its own."""
    if by_itself(event):
        call = _call_of(history)
        said = "a drop" if event.trigger == DROP else "a move a pledge made"
        if event.date != call:
            shown = "undated" if call is None else f"dated {call.isoformat()}"
            raise InvalidValue(
                f".date: {said} by itself carries the date of the call that let it through "
                f"({shown}), not {'none' if event.date is None else event.date.isoformat()}",
                path="date",
            )
        if event.citation is not None:
            raise InvalidValue(
                f".citation: {said} by itself carries no citation (the call's report covers it)",
                path="citation",
            )
    if event.date is None:
        return last
    return _in_order(event.date, last, history, name, number)


def _call_of(history: list[Event]) -> date | None:
    """The date of the call the last events of ``history`` belong to (its first event)."""
    for at in range(len(history) - 1, -1, -1):
        if not by_itself(history[at]):
            return history[at].date
    return None  # pragma: no cover - a pledged move or a drop never comes first


def _in_order(
    day: date, last: date | None, history: list[Event], name: Callable[[int], str], number: int
) -> date:
    """``day``, the date of the event at ``number``, after ``history``, if it does not go back
    before ``last`` (the latest date in ``history``)."""
    if last is not None and day < last:
        _, at = latest(history)
        try:
            check_order(day, last, _relative(name(at), name(number)), "date")
        except InvalidValue as error:
            raise InvalidValue(f".{error}", path="date") from None
    return day


def _relative(earlier: str, current: str) -> str:
    """``earlier``'s name, less what it shares with ``current`` up to a ``": "`` (the file)."""
    shared = os.path.commonprefix([earlier, current])  # noqa: RUF071  # names, not paths: a prefix of characters is meant
    cut = shared.rfind(": ")
    return earlier[cut + 2 :] if cut >= 0 else earlier


def check_settled(engine: Engine, state: State, where: str) -> None:
    """A recorded history never stops right before a pledge that was due."""
    if state.pledges:
        found = due(engine, state)
        if found is not None:
            raise InvalidValue(
                f"{where}: missing: the events stop before {describe(found)}", path=where
            )


def _named(error: InvalidValue, where: str) -> InvalidValue:
    """``error`` (whose message starts with ``.field:`` or ``:``) named by ``where``."""
    path = f"{where}.{error.path}" if error.path else where
    return InvalidValue(f"{where}{error}", path=path)
