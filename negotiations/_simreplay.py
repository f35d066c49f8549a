"""One simulated run rebuilt as a real, dated :class:`~negotiations.Negotiation` from its trace:
every move sent through the library's own one function, with the arguments the dynamics
drew (see :mod:`negotiations._dynamics` for how they are named)."""

from __future__ import annotations

import datetime
from collections import deque
from typing import TYPE_CHECKING, Any

import attrs

from negotiations._negotiation import Negotiation
from negotiations._stepping import NOT_PLEDGED, Trace, TracedEvent
from negotiations._tranche import Tranche
from negotiations.effects import (
    Acknowledge,
    Agree,
    AgreeFurther,
    Close,
    Declare,
    Open,
    Transfer,
)

if TYPE_CHECKING:
    from negotiations._definition import Definition, Move
    from negotiations._dynamics import Dynamics
    from negotiations._terms import ExchangeTerms

__all__ = ["SIMULATED", "rebuild"]

#: The reason or note a simulated move is made with, where it takes one.
SIMULATED = "simulated"


def with_terms(process: Definition, terms: ExchangeTerms | None) -> Definition:
    """``process`` with ``terms`` as its own (so that a pledged agreement, which carries no
    arguments, is made on them); ``process`` itself when they already are."""
    if terms is None or terms == process.terms:
        return process
    return attrs.evolve(process, terms=terms)


class _Drawn:
    """The arguments of a run's moves, named as the dynamics name them, counted as the
    run goes (items opened and closed oldest first; interests declared by the parties in
    turn and acknowledged oldest first, by each other party in turn)."""

    def __init__(self, process: Definition, terms: ExchangeTerms | None) -> None:
        self.process = process
        self.terms = terms
        self.opened: dict[str, int] = {}
        self.open: dict[str, deque[str]] = {}
        self.declared = 0
        self.acknowledged = 0
        self.agreed = False

    def arguments(self, move: Move, event: TracedEvent) -> dict[str, Any]:
        effect = move.effect
        parties = self.process.parties
        if isinstance(effect, Agree | AgreeFurther):
            self.agreed = True
            return {"terms": self.terms}
        if isinstance(effect, Transfer):
            return {"tranche": self._tranche(event)}
        if isinstance(effect, Open | Close):
            return {"name": self._item(effect)}
        if isinstance(effect, Declare):
            self.declared += 1
            return {
                "side": parties[(self.declared - 1) % len(parties)],
                "name": f"interest {self.declared}",
            }
        if isinstance(effect, Acknowledge):
            others = len(parties) - 1
            given = self.acknowledged
            self.acknowledged += 1
            interest = given // others
            owner = parties[interest % len(parties)]
            by = [party for party in parties if party != owner][given % others]
            return {"side": by, "name": f"interest {interest + 1}"}
        return dict.fromkeys(move.parameters, SIMULATED)  # a reason or a note

    def _item(self, effect: Open | Close) -> str:
        """The item opened (the next of its kind) or closed (the oldest open)."""
        if isinstance(effect, Close):
            return self.open[effect.item].popleft()
        count = self.opened[effect.item] = self.opened.get(effect.item, 0) + 1
        name = f"{effect.noun} {count}"
        self.open.setdefault(effect.item, deque()).append(name)
        return name

    def _tranche(self, event: TracedEvent) -> Tranche:
        assert event.released is not None  # a handover's trace has its tranche
        parties = self.process.parties

        def counts(numbers: tuple[int, ...] | None) -> dict[str, int]:
            return {p: n for p, n in zip(parties, numbers or (), strict=False) if n}

        return Tranche(
            released=counts(event.released),
            civilians=event.civilians,
            seriously_ill=counts(event.seriously_ill),
            young=counts(event.young),
            ratio=self.terms.ratio if self.agreed and self.terms is not None else None,
        )


def rebuild(
    trace: Trace, dynamics: Dynamics, terms: ExchangeTerms | None, run: int, seed: int
) -> Negotiation:
    """Run ``run`` of ``seed`` as a :class:`~negotiations.Negotiation`: the pledges of the
    dynamics made on day 0, then each move the run made by itself, dated ``first day +
    floor(time)`` and cited as simulated. Pledged moves are left to the library, which
    carries them out itself, as it would in a live negotiation."""
    process = with_terms(dynamics.process, terms)
    talks = Negotiation(process)
    start = dynamics.first_day
    citation = f"simulated: run {run} of seed {seed}"
    for party, trigger in dynamics.pledges:
        if talks.finished:  # an earlier pledge ended the process: no more can be made
            break
        talks.pledge(party, trigger, date=start, citation=citation)
    drawn = _Drawn(process, terms)
    for event in trace.events:
        move = process.moves[event.move]
        if event.pledge != NOT_PLEDGED:  # the library carries it out itself
            drawn.agreed = drawn.agreed or isinstance(move.effect, Agree | AgreeFurther)
            continue
        day = start + datetime.timedelta(days=int(event.time))
        talks.send(move.trigger, date=day, citation=citation, **drawn.arguments(move, event))
    return talks
