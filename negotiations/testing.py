"""Hypothesis strategies for people who embed negotiations and want to property-test their code.

Every strategy builds only valid values (a :class:`~negotiations.Tranche` is
always reciprocal, an :class:`~negotiations.ExchangeTerms` always passes its
validators), except :func:`negotiations`, which drives a real negotiation
through valid *and* invalid attempts, as a user or a simulation would, and
swallows every refusal. It needs Hypothesis (``pip install 'negotiations[test]'``);
importing ``negotiations`` itself never imports this module.

>>> from hypothesis import given
>>> from negotiations import Negotiation
>>> from negotiations.testing import negotiations
>>> @given(negotiations(max_steps=5))
... def test_a_saved_negotiation_restores_equal(talks):
...     assert Negotiation.from_json(talks.to_json()) == talks
>>> test_a_saved_negotiation_restores_equal()
"""

from __future__ import annotations

import contextlib
import datetime
import string
from typing import Any

try:
    from hypothesis import strategies as st
except ImportError:  # pragma: no cover - exercised only without the test extra
    raise ImportError(
        "negotiations.testing needs Hypothesis: pip install 'negotiations[test]'"
    ) from None

from hypothesis.errors import InvalidArgument

from negotiations._article import PROCESS
from negotiations._definition import Definition
from negotiations._drawn import arguments as _arguments
from negotiations._drawn import definitions as _definitions
from negotiations._dynamics import MAX_HORIZON, Dynamics
from negotiations._errors import NegotiationError
from negotiations._negotiation import Negotiation
from negotiations._pledging import pledgeable
from negotiations._stages import Side
from negotiations._terms import ExchangeTerms
from negotiations._timings import Delay, Handovers, Hazard, Timing
from negotiations._tranche import Prisoner, Tranche
from negotiations.effects import Agree, AgreeFurther, Transfer

__all__ = [
    "CITATIONS",
    "ISSUE_NAMES",
    "REASONS",
    "arguments",
    "dynamics",
    "exchange_terms",
    "negotiations",
    "prisoners",
    "processes",
    "sides",
    "tranches",
    "triggers",
]

#: Names :func:`negotiations` raises, resolves, declares and acknowledges by
#: default: a small pool, so that a resolve or an acknowledgement often names
#: something that was raised or declared before.
ISSUE_NAMES: tuple[str, ...] = (
    "prisoners of war",
    "missing persons",
    "bodies of the fallen",
    "security guarantees",
)

#: Reasons :func:`negotiations` gives by default for ``suspend`` and ``collapse``.
REASONS: tuple[str, ...] = ("talks stalled", "ceasefire broken", "a delegation walked out")
#: Reports a dated step may cite.
CITATIONS: tuple[str, ...] = (
    "Reuters",
    "TASS, 23 May 2025",
    "Ukrinform: the coordination headquarters",
)

#: Moves a step that follows :meth:`Negotiation.allowed` leaves out, so that
#: the process often gets far before it is put on hold or breaks down.
_ENDINGS = frozenset({"suspend", "collapse"})


def processes(
    *, max_stages: int = 4, guarded_returns: bool = True
) -> st.SearchStrategy[Definition]:
    """Random valid processes drawn from the vocabulary, for code that must work for any.

    Two to four parties, a sound stage graph of up to ``max_stages`` stages besides the
    finals (and sometimes a holding stage with ``suspend`` and a ``resume`` that is
    guarded when ``guarded_returns``), rules from every kind of condition and moves of
    every kind of effect. Each drawn process is live: every guard can be passed, and each
    of its rules left unmet, from every stage its move is made from.

    >>> from hypothesis import given, settings
    >>> from negotiations import Negotiation
    >>> @settings(max_examples=5)
    ... @given(processes())
    ... def test_any_process_starts_where_it_says(process):
    ...     assert Negotiation(process).stage == process.initial
    >>> test_any_process_starts_where_it_says()
    """
    _at_least(max_stages, 1, "max_stages")
    return _definitions(max_stages=max_stages, guarded_returns=guarded_returns)


def arguments(negotiation: Negotiation, trigger: str) -> st.SearchStrategy[dict[str, object]]:
    """Arguments for ``trigger`` of ``negotiation``'s process (any process), from the move's
    parameters: mostly values it accepts, now and then one it refuses."""
    return _arguments(negotiation, trigger)


def _at_least(value: int, least: int, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise InvalidArgument(f"{name} must be a whole number >= {least}, not {value!r}")


def sides(process: Definition = PROCESS) -> st.SearchStrategy[str]:
    """Any party of ``process`` (either side of the article's); shrinks towards the first."""
    return st.sampled_from(process.parties)


def triggers(process: Definition = PROCESS) -> st.SearchStrategy[str]:
    """Any trigger of ``process``, whether it is possible now or not."""
    return st.sampled_from(process.triggers)


def exchange_terms(
    *, max_quota: int = 100, max_held: int | None = None
) -> st.SearchStrategy[ExchangeTerms]:
    """Agreed terms with a quota of at most ``max_quota`` people each side.

    Each side declares holding up to ``max_held`` seriously ill and up to
    ``max_held`` young prisoners (``max_quota`` when not given), so every drawn
    exchange can be completed with tranches of :func:`tranches`.
    """
    _at_least(max_quota, 0, "max_quota")
    held_limit = max_quota if max_held is None else max_held
    _at_least(held_limit, 0, "max_held")
    held = st.fixed_dictionaries({side: st.integers(0, held_limit) for side in Side})
    return st.builds(
        ExchangeTerms,
        quota=st.integers(0, max_quota),
        age_limit=st.integers(1, 100),
        civilians_separate=st.booleans(),
        seriously_ill_held=held,
        young_held=held,
    )


def tranches(
    *, max_size: int = 100, civilians: st.SearchStrategy[bool] | None = None
) -> st.SearchStrategy[Tranche]:
    """Reciprocal tranches of 1 to ``max_size`` people each side, counted (no named prisoners).

    Each side's seriously ill and young counts are drawn separately, up to the
    tranche's size. ``civilians`` draws whether the tranche is one of
    civilians (any bool by default; pass ``st.just(False)`` for soldiers only).

    >>> from hypothesis import given, strategies as st
    >>> @given(tranches(max_size=3, civilians=st.just(True)))
    ... def test_small_civilian_tranches(tranche):
    ...     assert 1 <= tranche.size <= 3 and tranche.civilians
    ...     assert tranche.released[Side.RUSSIA] == tranche.released[Side.UKRAINE]
    >>> test_small_civilian_tranches()
    """
    _at_least(max_size, 1, "max_size")
    civilian = st.booleans() if civilians is None else civilians

    @st.composite
    def tranche(draw: st.DrawFn) -> Tranche:
        size = draw(st.integers(1, max_size))
        priority = st.fixed_dictionaries({side: st.integers(0, size) for side in Side})
        return Tranche(
            released=dict.fromkeys(Side, size),
            civilians=draw(civilian),
            seriously_ill=draw(priority),
            young=draw(priority),
        )

    return tranche()


def prisoners(*, held_by: st.SearchStrategy[Side] | None = None) -> st.SearchStrategy[Prisoner]:
    """Named prisoners: an id, the side holding them, maybe an age, illness, civilian, origin."""
    return st.builds(
        Prisoner,
        st.text(string.ascii_uppercase + string.digits + "-", min_size=1, max_size=8).filter(
            lambda text: text.strip("-") != ""
        ),
        sides() if held_by is None else held_by,
        st.none() | st.integers(0, 100),
        seriously_ill=st.booleans(),
        civilian=st.booleans(),
        origin=st.none() | st.sampled_from(("Kursk Oblast", "Donetsk Oblast", "Kharkiv Oblast")),
    )


def negotiations(
    process: Definition = PROCESS,
    *,
    max_steps: int = 30,
    terms: st.SearchStrategy[ExchangeTerms | None] | None = None,
    tranche: st.SearchStrategy[Tranche] | None = None,
    names: st.SearchStrategy[str] | None = None,
    reasons: st.SearchStrategy[str] | None = None,
    dated: bool = False,
) -> st.SearchStrategy[Negotiation]:
    """A negotiation after up to ``max_steps`` attempted moves, refused ones included.

    Each step calls a trigger with drawn arguments: about half the time one
    that :meth:`Negotiation.allowed` names (other than ``suspend`` and
    ``collapse``), otherwise any trigger at all, so
    the history holds accepted moves, guard refusals, moves out of order and
    bad arguments alike; every refusal (a :class:`NegotiationError`) is
    swallowed, as it leaves the negotiation as it was. Resolving and
    acknowledging prefer what is open or pending, so the process often gets
    far. The default terms and tranches are small enough for the exchange to
    complete within a few steps.

    For a ``process`` other than the article's, each step's arguments are drawn by
    :func:`arguments` (the keyword strategies here are the article's).

    With ``dated``, most steps carry a ``date`` (a few days on from the day before,
    now and then a day back, which is refused) and some a ``citation``.
    """
    _at_least(max_steps, 0, "max_steps")
    agreed = exchange_terms(max_quota=20, max_held=5) if terms is None else terms
    handed = tranches(max_size=20) if tranche is None else tranche
    named = st.sampled_from(ISSUE_NAMES) if names is None else names
    told = st.sampled_from(REASONS) if reasons is None else reasons

    def name_for(negotiation: Negotiation, trigger: str) -> st.SearchStrategy[str]:
        if trigger == "resolve_humanitarian_issue" and negotiation.humanitarian_issues:
            return st.sampled_from(negotiation.humanitarian_issues) | named
        pending = [i.name for i in negotiation.interests if not i.acknowledged]
        if trigger == "acknowledge_interest" and pending:
            return st.sampled_from(pending) | named
        return named

    parameters = process.engine.parameters

    @st.composite
    def driven(draw: st.DrawFn) -> Negotiation:
        negotiation = Negotiation(process)
        day = datetime.date(2025, 5, 16)
        for _ in range(draw(st.integers(0, max_steps))):
            allowed = [t for t in negotiation.allowed() if t not in _ENDINGS]
            follow: bool = draw(st.booleans())
            choices = st.sampled_from(allowed) if allowed and follow else triggers(process)
            trigger = draw(choices)
            if process is not PROCESS:
                given: dict[str, Any] = draw(_arguments(negotiation, trigger))
            else:
                by_parameter: dict[str, st.SearchStrategy[object]] = {
                    "terms": agreed,
                    "tranche": handed,
                    "side": sides(),
                    "name": name_for(negotiation, trigger),
                    "reason": told,
                }
                given = {name: draw(by_parameter[name]) for name in parameters[trigger]}
            if dated:
                day += datetime.timedelta(days=draw(st.integers(-1, 3)))
                if draw(st.integers(0, 3)):  # undated now and then
                    given["date"] = day
                if draw(st.booleans()):
                    given["citation"] = draw(st.sampled_from(CITATIONS))
            with contextlib.suppress(NegotiationError):  # a refusal changes nothing
                negotiation.send(trigger, **given)
        return negotiation

    return driven()


def dynamics(
    process: Definition = PROCESS, *, max_horizon: int = 400
) -> st.SearchStrategy[Dynamics]:
    """Random valid :class:`~negotiations.Dynamics` for ``process`` (any process), for code
    that must work whatever the model of a simulation.

    Each trigger a simulation can make is left out, or timed by a
    :class:`~negotiations.Hazard` (one rate, or a rate for some of the stages it is made
    from) or by a :class:`~negotiations.Delay`. Left out always: a move whose arguments
    a simulation does not draw (an amendment), and an agreement when the process has no
    terms of its own (so that :func:`negotiations.simulate` needs no ``terms=``).
    :class:`~negotiations.Handovers` are drawn whenever a handover is timed (and now and
    then when the process has one that is not); up to three pledges of moves that can be
    pledged; a horizon of 30 to ``max_horizon`` days (fewer when ``max_horizon`` is
    under 30; ``max_horizon`` is at most 36,500, the longest horizon a dynamics takes);
    sometimes a start date.

    Rates and delays are bounded by the horizon so that a run stays short: each hazard
    comes about about three times over the horizon at most, and each delay is at least a
    fifth of it, so a run makes a few dozen moves at most.

    >>> from hypothesis import given, settings
    >>> from negotiations import simulate
    >>> @settings(max_examples=5, deadline=None)
    ... @given(dynamics(max_horizon=60))
    ... def test_every_run_ends_in_a_stage(model):
    ...     assert sum(simulate(20, seed=0, dynamics=model).stage_counts().values()) == 20
    >>> test_every_run_ends_in_a_stage()
    """
    _at_least(max_horizon, 1, "max_horizon")
    if max_horizon > MAX_HORIZON:
        raise InvalidArgument(
            f"max_horizon must be at most {MAX_HORIZON} days (the longest horizon), "
            f"not {max_horizon!r}"
        )
    agreeing = (Agree, AgreeFurther)
    timeable: list[tuple[str, tuple[str, ...]]] = []
    for trigger in process.triggers:
        moves = [move for move in process.moves if move.trigger == trigger]
        if not all(move.effect.by_default for move in moves):
            continue  # an amendment: its arguments are not drawn
        if process.terms is None and any(isinstance(m.effect, agreeing) for m in moves):
            continue  # an agreement would need terms= of the simulation
        sources = {stage for move in moves for stage in move.sources}
        timeable.append((trigger, tuple(s for s in process.stages if s in sources)))
    hands_over = {m.trigger for m in process.moves if isinstance(m.effect, Transfer)}
    can_pledge = [
        trigger
        for trigger in pledgeable(process.engine)
        if process.terms is not None
        or not any(isinstance(m.effect, agreeing) for m in process.moves if m.trigger == trigger)
    ]

    # Built once: a draw picks numbers (fractions of the horizon's bounds), never strategies.
    fraction = st.floats(0.0, 1.0)
    kinds = st.sampled_from(("rate", "per stage", "delay", "ranged delay"))
    stages_of = {
        trigger: st.lists(st.sampled_from(sources), min_size=1, unique=True)
        for trigger, sources in timeable
    }

    def timing(draw: st.DrawFn, trigger: str, horizon: int) -> Timing:
        kind = draw(kinds, label=f"moves.{trigger}")
        most = 3.0 / horizon  # about three times over the horizon at most
        if kind == "rate":
            return Hazard(most * draw(fraction))
        if kind == "per stage":
            return Hazard({stage: most * draw(fraction) for stage in draw(stages_of[trigger])})
        low = horizon * (0.2 + 0.8 * draw(fraction))  # a fifth of the horizon at least
        if kind == "delay":
            return Delay(low)
        return Delay(low, low * (1.0 + draw(fraction)))

    handovers = st.builds(
        Handovers,
        size=st.integers(1, 400)
        | st.lists(st.integers(1, 400), min_size=2, max_size=2).map(
            lambda ends: (min(ends), max(ends))
        ),
        civilians=st.floats(0.0, 1.0),
        seriously_ill=st.floats(0.0, 1.0),
        young=st.floats(0.0, 1.0),
    )
    horizons = st.integers(min(30, max_horizon), max_horizon)
    starts = st.none() | st.dates(datetime.date(2000, 1, 1), datetime.date(2030, 12, 31))
    pledges = (
        st.lists(
            st.tuples(st.sampled_from(process.parties), st.sampled_from(can_pledge)), max_size=3
        )
        if can_pledge
        else st.just([])
    )

    @st.composite
    def drawn(draw: st.DrawFn) -> Dynamics:
        horizon = draw(horizons, label="horizon")
        moves: dict[str, Timing] = {}
        for trigger, _ in timeable:
            if draw(st.booleans()):
                moves[trigger] = timing(draw, trigger, horizon)
        given: Handovers | None = None
        if hands_over & moves.keys() or (bool(hands_over) and draw(st.booleans())):
            given = draw(handovers, label="handovers")
        return Dynamics(
            process=process,
            moves=moves,
            handovers=given,
            pledges=draw(pledges, label="pledges"),
            horizon=horizon,
            start=draw(starts, label="start"),
        )

    return drawn()
