"""Replaying recorded events: the fold from the definition alone, checking each event as it goes.

Live moves go through the ``transitions`` machine; replaying a saved history
does not need to ask it again. Each event is checked against the same
definition — the move exists from the stage it was made in, its arguments fit,
its guard gives exactly the recorded blockers, it leads where it says — and
folded into the state with :func:`negotiations.fold.apply`. The test suite
checks that both roads give equal negotiations.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from negotiations._machine import Engine
from negotiations.definition import Move
from negotiations.errors import InvalidValue, NegotiationError
from negotiations.events import (
    _PLAIN_DECODERS,
    DROP,
    PLEDGE,
    PLEDGE_TRIGGERS,
    Blocker,
    Event,
    _plain_arguments,
)
from negotiations.fold import admission, admit, apply, arguments, change
from negotiations.pledging import (
    by_itself,
    check_pledgeable,
    describe,
    due,
    fulfils,
    pledgeable,
    with_pledge,
    without,
)
from negotiations.stages import Stage
from negotiations.state import State

__all__ = ["refold", "refold_saved", "with_citations"]


def refold(engine: Engine, state: State, event: Event) -> State:
    """The state after ``event``, or :class:`InvalidValue` if it does not fit.

    The message starts with the part of the event at fault (``.dest: …``, or ``: …`` for the
    event as a whole): the caller puts the event's own name in front.
    """
    trigger = event.trigger
    if trigger not in engine.parameters and trigger not in PLEDGE_TRIGGERS:
        raise InvalidValue(f".trigger: unknown trigger {trigger!r}")
    if event.source is not state.stage:
        raise InvalidValue(
            f".source: recorded {event.source.value}, but the negotiation is in "
            f"{state.stage.value} at that point"
        )
    found = due(engine, state) if state._pledges.waiting else None
    if found is not None:
        if not fulfils(found, event):
            raise InvalidValue(f": {describe(found)} comes first here, before anything else")
    elif by_itself(event):
        assert event.pledge is not None  # by_itself says so
        verb = "dropped" if trigger == DROP else "carried out"
        raise InvalidValue(f".pledge: pledge {event.pledge.number} cannot be {verb} at this point")
    if trigger in PLEDGE_TRIGGERS:
        return _refold_kept(engine, state, event)
    after = _refold_move(engine, state, event)
    if event.pledge is not None:  # a pledged move: made with the pledge's arguments, and kept
        if dict(event.arguments) != pledgeable(engine)[trigger]:
            raise InvalidValue(".arguments: a pledged move is made with its default arguments")
        after = without(after, event.pledge)
    return after


def _refold_kept(engine: Engine, state: State, event: Event) -> State:
    """The state after an event that keeps a pledge (made, withdrawn or dropped)."""
    pledge = event.pledge
    if pledge is None:  # an Event refuses this when made; a record could still say so
        raise InvalidValue(f".pledge: a {event.trigger} event names its pledge")
    if event.trigger == PLEDGE:
        if state.stage in engine.definition.finals:
            raise InvalidValue(": a pledge made after the process ended")
        expected = state.pledges_made + 1
        if pledge.number != expected:
            raise InvalidValue(
                f".pledge.number: recorded {pledge.number}, but this is pledge {expected}"
            )
        if pledge.trigger not in engine.parameters:
            raise InvalidValue(f".pledge.trigger: unknown trigger {pledge.trigger!r}")
        try:
            check_pledgeable(engine, pledge.trigger)
        except InvalidValue as error:
            raise InvalidValue(f".pledge.{error}") from None
        return with_pledge(state, pledge)
    if pledge not in state.pledges:  # withdrawn (a drop that is due was checked above)
        raise InvalidValue(f".pledge: pledge {pledge.number} is not waiting at this point")
    return without(state, pledge)


def _refold_move(engine: Engine, state: State, event: Event) -> State:
    trigger = event.trigger
    move = engine.move(trigger, state.stage)
    if move is None:
        raise InvalidValue(f": {trigger} is not a move from {state.stage.value}")
    # An Event's arguments were checked when it was made (types, no blank text); what is
    # left is that they are exactly the move's parameters, and that they fit the state.
    given = event.arguments
    if given.keys() != engine.parameter_names[trigger]:
        try:
            given = arguments(engine.parameters[trigger], given)  # says what is wrong
        except NegotiationError as error:
            raise InvalidValue(f".arguments: {error}") from None
    try:
        admit(state, trigger, given)
    except NegotiationError as error:
        raise InvalidValue(f".arguments: {error}") from None
    blockers = engine.evaluate(move.guard, state, given) if move.guard else ()
    if not event.accepted:
        if blockers != event.blockers:
            raise InvalidValue(
                f".blockers: recorded {[str(b) for b in event.blockers]}, but the rules "
                f"give {[str(b) for b in blockers]}"
            )
        return state
    if blockers:
        raise InvalidValue(
            ": recorded as accepted, but the rules refuse it: "
            + "; ".join(blocker.message for blocker in blockers)
        )
    dest = _destination(move, state)
    if dest is not event.dest:
        shown = "nowhere" if dest is None else dest.value
        raise InvalidValue(f".dest: recorded {event.dest.value}, but the move leads to {shown}")
    return apply(state, trigger, given, dest)


def _destination(move: Move, state: State) -> Stage | None:
    if move.returns:
        return state.suspended_from
    return state.stage if move.dest is None else move.dest


def refold_saved(  # noqa: PLR0911, PLR0912  # one bail-out per field, in one pass
    engine: Engine, state: State, data: object, keep: Callable[[Event], object]
) -> State | None:
    """The state after the event saved as ``data``, which is decoded and handed to ``keep``,
    in one pass; ``None`` (and nothing kept) for anything unusual or wrong, which
    :meth:`Event.from_dict` and :func:`refold` then explain.

    This is what loading a long history spends its time on. Each (move, stage) has a
    plan worked out once from the definition (its checks, its change, where it leads,
    how its argument is read), each field is checked once, and a refusal's recorded
    blockers are compared as plain data with those the rules give. It accepts exactly
    what the careful road accepts, and builds an equal event.
    """
    if type(data) is not dict:
        return None
    if state._pledges.waiting and due(engine, state) is not None:
        return None  # a pledge comes first: the careful road checks it
    stage = state.stage
    try:  # subscripts, not .get(): a missing field is a KeyError, and the careful road's job
        plan = (_PLANS.get(engine) or _plans(engine))[data["trigger"]][stage]
        accepted = data["accepted"]
        if type(accepted) is not bool or data["source"] != plan.here:
            return None
        # Exactly the fields an event has: four always, arguments when the move takes any,
        # blockers when refused.
        single = plan.single
        if single is not None:
            raw = data["arguments"]
            if type(raw) is not dict or len(raw) != 1 or len(data) + accepted != _WITH_ARGUMENTS:
                return None
            value = plan.read(raw[single])
            if value is None:
                return None
            given = {single: value}
        elif plan.bare:
            if len(data) + accepted != _WITHOUT_ARGUMENTS:
                return None
            given = {}
        else:
            raw = data["arguments"]
            if type(raw) is not dict or len(data) + accepted != _WITH_ARGUMENTS:
                return None
            given = _plain_arguments(raw)  # type: ignore[assignment]  # None: bail out below
            if given is None or given.keys() != plan.parameters:
                return None
        recorded = data["dest"]
    except (KeyError, TypeError):  # a field missing, or a name that is not even hashable
        return None
    if plan.admit is not None:
        try:
            plan.admit(state, given)
        except NegotiationError:
            return None
    blockers = engine.evaluate(plan.guard, state, given) if plan.guard else ()
    if not accepted:
        if not blockers or recorded != plan.here or not _same_blockers(data, blockers):
            return None
        keep(Event._trusted(plan.trigger, False, stage, stage, given, blockers))
        return state
    if blockers:
        return None
    dest = plan.dest
    if dest is None:  # back to where the process was suspended
        dest = state.suspended_from
        if dest is None:
            return None
    if recorded != _VALUES[dest]:
        return None
    if single is None or plan.dest is None:
        keep(Event._trusted(plan.trigger, True, stage, dest, given))
        return plan.change(state, given, dest)
    # One argument, read from a cache or interned: equal events are shared. A value that
    # is not text is known by its id, which the kept event keeps from being reused.
    shared = plan.shared
    key = value if type(value) is str else id(value)
    event = shared.get(key)
    if event is None:
        if _KEPT[0] >= _KEPT_LIMIT:
            _forget_shared()
        _KEPT[0] += 1
        event = shared[key] = Event._trusted(plan.trigger, True, stage, dest, given)
    keep(event)
    return plan.change(state, given, dest)


class _Plan:
    """What replaying one move from one stage needs, looked up once."""

    __slots__ = (
        "admit",
        "bare",
        "change",
        "dest",
        "guard",
        "here",
        "parameters",
        "read",
        "shared",
        "single",
        "trigger",
    )

    def __init__(self, move: Move, stage: Stage) -> None:
        self.trigger = move.trigger
        self.here = _VALUES[stage]
        self.guard = move.guard
        self.admit = admission(move.trigger)
        self.change = change(move.trigger)
        # None where the move returns to the stage it was suspended from (known only then)
        self.dest: Stage | None = None if move.returns else (move.dest or stage)
        self.parameters = frozenset(move.parameters)
        self.bare = not move.parameters
        reader = _PLAIN_DECODERS.get(move.parameters[0]) if len(move.parameters) == 1 else None
        # One argument read directly; moves whose argument has no plain reader (the
        # terms) and moves with several take the general road.
        self.single = move.parameters[0] if reader is not None else None
        self.read: Callable[[object], Any] = reader or _nothing
        #: Accepted events of this move already built, by their argument (see refold_saved).
        self.shared: dict[object, Event] = {}


def _nothing(value: object) -> None:
    return None


def _plans(engine: Engine) -> dict[str, dict[Stage, _Plan]]:
    plans = _PLANS[engine] = {
        move.trigger: {stage: _Plan(move, stage) for stage in move.sources}
        for move in engine.definition.moves
    }
    return plans


#: The plans of each engine by trigger and stage, worked out on first use (an engine is one
#: per definition).
_PLANS: dict[Engine, dict[str, dict[Stage, _Plan]]] = {}


def _same_blockers(data: dict[str, Any], blockers: tuple[Blocker, ...]) -> bool:
    """Whether saved event ``data`` records exactly ``blockers`` (each with its rule's
    own source left out, or spelled out)."""
    recorded = data.get("blockers")
    if type(recorded) is not list or len(recorded) != len(blockers):
        return False
    try:
        for item, blocker in zip(recorded, blockers):  # noqa: B905  # lengths are equal
            if (
                type(item) is not dict
                or item["rule"] != blocker.rule
                or item["message"] != blocker.message
                or (
                    len(item) != _BLOCKER_SIZE - 1  # with its source, which must be the rule's
                    and (len(item) != _BLOCKER_SIZE or item["source"] != blocker.source)
                )
            ):
                return False
    except KeyError:
        return False
    return True


_BLOCKER_SIZE = 3  # rule, message, source
_WITHOUT_ARGUMENTS = 5  # trigger, accepted, source, dest, and blockers unless accepted
_WITH_ARGUMENTS = 6
_VALUES = {stage: stage.value for stage in Stage}


def with_citations(data: object, cited: Mapping[str, str]) -> object:
    """Saved event ``data`` with each blocker's left-out ``source`` put back: the citation
    of the rule it names (see :meth:`Event._saved`). Anything else is left as it is."""
    if type(data) is not dict or type(data.get("blockers")) is not list:
        return data
    blockers = [
        {**item, "source": cited[item["rule"]]}
        if type(item) is dict
        and "source" not in item
        and isinstance(item.get("rule"), str)
        and item["rule"] in cited
        else item
        for item in data["blockers"]
    ]
    return {**data, "blockers": blockers}


def _forget_shared() -> None:
    for plans in list(_PLANS.values()):  # a copy: another thread may add an engine meanwhile
        for by_stage in plans.values():
            for plan in by_stage.values():
                plan.shared.clear()
    _KEPT[0] = 0


#: How many events the plans share in all, and the most they may (then they start again).
_KEPT = [0]
_KEPT_LIMIT = 65_536
