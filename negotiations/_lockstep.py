"""The simulation engine: many negotiations of one process advanced in lockstep on numpy arrays.

:class:`Lockstep` is compiled from a process definition and a
:class:`~negotiations.Dynamics`: which moves are made from which stage and where
they lead come from the moves; whether a move is possible comes from its rules'
conditions evaluated on arrays (:meth:`negotiations.Rule.evaluate`) and its
effect's :meth:`~negotiations.effects.Effect.admissible`; what a move does comes
from its effect's :meth:`~negotiations.effects.Effect.advance`. Nothing here
restates a rule or the graph.

Time jumps from event to event. While a negotiation waits, the moves timed by a
:class:`~negotiations.Hazard` compete (one exponential waiting time for their
total rate, then one of them in proportion to its rate), and each move timed by
a :class:`~negotiations.Delay` has its due time from when it became possible;
the earliest wins. After every move, waiting pledges are carried out the way
:meth:`negotiations.Negotiation.pledge` carries them out: the earliest due one
first, never while suspended, until none is due.

:func:`negotiations._stepping.run` steps one chunk of runs with it, from the chunk's
own random generator; given the same generator it makes the same draws in the same
order, so a run can be simulated again with its events traced to rebuild it as a
real :class:`~negotiations.Negotiation`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from negotiations._arrays import Columns, evaluated
from negotiations._dynamics import Dynamics
from negotiations._errors import InvalidValue
from negotiations._timings import Delay, Hazard
from negotiations.conditions import AllOf, Condition, Custom
from negotiations.effects import STAYS, Transfer

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from negotiations._definition import Definition, Move
    from negotiations._terms import ExchangeTerms

__all__ = ["Lockstep"]


def _refuse_custom(process: Definition) -> None:
    for rule in process.rules:
        if isinstance(rule.condition, Custom):
            raise InvalidValue(
                f"process: rule {rule.id} is a plain Python function, which a simulation "
                "cannot evaluate on arrays; write it with the conditions of "
                "negotiations.conditions",
                path="process",
            )


class Lockstep:
    """A process and its dynamics compiled for simulation (see the module)."""

    def __init__(self, dynamics: Dynamics, terms: ExchangeTerms | None) -> None:
        process = dynamics.process
        _refuse_custom(process)
        self.process = process
        self.dynamics = dynamics
        self.terms = terms
        stages = process.stages
        self.stages = stages
        self.parties = process.parties
        self.initial_stage = stages.index(process.initial)
        self.finals = np.array([stage in process.finals for stage in stages], dtype=bool)
        moves = process.moves
        self.moves: tuple[Move, ...] = moves
        self.dest = [
            STAYS if move.dest is None or move.returns else stages.index(move.dest)
            for move in moves
        ]
        timings = dynamics.moves
        hazards = [
            m for m, move in enumerate(moves) if isinstance(timings.get(move.trigger), Hazard)
        ]
        delays = [m for m, move in enumerate(moves) if isinstance(timings.get(move.trigger), Delay)]
        #: For each pledge (row), the move its trigger makes from each stage (-1: none).
        self.pledged = np.array(
            [
                [_move_index(process, trigger, stage) for stage in stages]
                for _, trigger in dynamics.pledges
            ],
            dtype=np.intp,
        ).reshape(len(dynamics.pledges), len(stages))
        pledged = sorted({int(m) for m in self.pledged.ravel() if m >= 0} - {*hazards, *delays})
        #: The moves whose possibility is asked at every step, in this order: the hazards,
        #: the delays, then the moves only pledges make.
        self.asked = [*hazards, *delays, *pledged]
        self.hazards = len(hazards)
        self.delays = len(delays)
        #: Where each asked move is among them.
        self.place = np.zeros(len(moves), dtype=np.intp)
        self.place[self.asked] = np.arange(len(self.asked))
        #: Each hazard move's rate (row) in each stage (column), per day; 0 from a stage the
        #: move is not made from.
        self.rates = np.array(
            [
                [
                    _timing(timings, moves[m], Hazard).at(stage)
                    if stage in moves[m].sources
                    else 0.0
                    for stage in stages
                ]
                for m in hazards
            ],
            dtype=np.float32,
        ).reshape(len(hazards), len(stages))
        #: For each hazard move, its rate if it is the same from every stage it is made
        #: from (then a multiplication gives each run's rate); ``None`` if it depends on
        #: the stage (then it is looked up by each run's stage).
        self.rate_alone: list[float | None] = []
        for j, m in enumerate(hazards):
            found = {float(self.rates[j, stages.index(stage)]) for stage in moves[m].sources}
            self.rate_alone.append(found.pop() if len(found) == 1 else None)
        #: The stages each asked move is made from, by index.
        self.sources = [
            tuple(stages.index(stage) for stage in moves[m].sources) for m in self.asked
        ]
        self.delay_low = [_timing(timings, moves[m], Delay).low for m in delays]
        self.delay_high = [_timing(timings, moves[m], Delay).high for m in delays]
        #: Each delay move's row among the delays.
        self.delay_of = {m: d for d, m in enumerate(delays)}
        #: What each asked move needs met: its guard's rules, and the parts of its checks
        #: that read the state. (A check's conditions on the tranche itself always hold: a
        #: handover drawn by the dynamics is at the agreed ratio and never mixes civilians
        #: and soldiers.)
        self.guards = [
            (
                *(process.rule(r).condition for r in moves[m].guard),
                *(part for r in moves[m].checks for part in _on_state(process.rule(r).condition)),
            )
            for m in self.asked
        ]
        #: A stage's index fits in 8 bits for any process of fewer than 128 stages.
        self.stage_type = np.int8 if len(stages) < 128 else np.int16
        self.transfers = frozenset(
            m for m, move in enumerate(moves) if isinstance(move.effect, Transfer)
        )
        self.handovers = dynamics.handovers

    # -- state -----------------------------------------------------------------------------

    def initial(self, rows: int) -> Columns:
        """The columns of ``rows`` negotiations at their start."""
        parties = len(self.parties)
        columns = Columns(
            stage=np.full(rows, self.initial_stage, dtype=self.stage_type),
            agreed=np.zeros(rows, dtype=bool),
            civilians_separate=np.zeros(rows, dtype=bool),
            pending_interests=np.zeros(rows, dtype=np.int32),
            suspended_from=np.full(rows, STAYS, dtype=self.stage_type),
            agreements=np.zeros(rows, dtype=np.int32),
            tranches=np.zeros(rows, dtype=np.int32),
        )
        columns["interests.declared"] = np.zeros(rows, dtype=np.int32)
        columns["interests.acknowledged"] = np.zeros(rows, dtype=np.int32)
        for name in _PER_PARTY:
            # Party-major in memory (Fortran order): a condition's test over every party of
            # a row, ``.all(axis=1)``, then runs along whole columns.
            columns[name] = np.zeros((rows, parties), dtype=np.int32, order="F")
        for item in self.process.items:
            columns[f"open.{item}"] = np.zeros(rows, dtype=np.int32)
        return columns

    def possible(self, columns: Columns) -> NDArray[np.bool_]:
        """Whether each asked move (row) is possible in each negotiation (column): a move
        from its stage, its rules met, the arguments a simulation draws fitting."""
        process = self.process
        columns.memo.clear()
        stage = columns["stage"]
        at = [stage == index for index in range(len(self.stages))]  # a few stages: cheap
        result = np.empty((len(self.asked), len(stage)), dtype=bool)
        for j, m in enumerate(self.asked):
            row = result[j]
            first, *others = self.sources[j]
            np.copyto(row, at[first])
            for index in others:
                row |= at[index]
            for condition in self.guards[j]:
                row &= evaluated(condition, columns, process)
            fits = self.moves[m].effect.admissible(columns, process)
            if fits is not None:
                row &= fits
        return result

    # -- moves -----------------------------------------------------------------------------

    def arguments(
        self,
        m: int,
        columns: Columns,
        rows: NDArray[np.intp],
        rng: np.random.Generator,
    ) -> dict[str, Any]:
        """What the simulation draws for move ``m`` in the negotiations at ``rows``."""
        if m not in self.transfers:
            return {"terms": self.terms}
        handovers = self.handovers
        assert handovers is not None  # Dynamics refuses a timed handover without
        low, high = handovers.size
        size = rng.integers(low, high + 1, size=len(rows), dtype=np.int32)
        share = np.take(columns["share"].T, rows, axis=1).T
        agreed = columns["agreed"][rows]
        if not agreed.all():  # nothing agreed: one for one
            share = np.where(agreed[:, None], share, 1)
        released = size[:, None] * share
        return {
            "tranche.released": released,
            "tranche.seriously_ill": _share_of(released, handovers.seriously_ill, rng),
            "tranche.young": _share_of(released, handovers.young, rng),
            "tranche.civilians": rng.random(len(rows)) < handovers.civilians,
        }

    def make(
        self, m: int, columns: Columns, rows: NDArray[np.intp], rng: np.random.Generator
    ) -> dict[str, Any]:
        """Make move ``m`` in the negotiations at ``rows``; returns the arguments drawn."""
        drawn = self.arguments(m, columns, rows, rng)
        if "tranche.released" in drawn:
            _check_room(columns["released"], rows, drawn["tranche.released"])
        self.moves[m].effect.advance(columns, rows, drawn, self.dest[m], self.process)
        return drawn


#: The columns with one value per party.
_PER_PARTY = (
    "quota",
    "share",
    "released",
    "seriously_ill",
    "young",
    "seriously_ill_held",
    "young_held",
    "civilians",
)


def _on_state(condition: Condition | None) -> tuple[Condition, ...]:
    """The parts of a check's ``condition`` that read the state, not the move's arguments."""
    if isinstance(condition, AllOf):
        return tuple(part for inner in condition.conditions for part in _on_state(inner))
    if condition is None or condition.on_arguments:
        return ()
    return (condition,)


def _move_index(process: Definition, trigger: str, stage: str) -> int:
    """The index in ``process.moves`` of the move ``trigger`` makes from ``stage`` (the
    definition's own lookup), or -1 when there is none."""
    move = process.move(trigger, stage)
    return -1 if move is None else process.moves.index(move)


#: The most one party may have released in one run: counts are kept in 32 bits.
MOST_RELEASED = 2**31 - 1


def _check_room(
    released: NDArray[np.int32], rows: NDArray[np.intp], more: NDArray[np.int32]
) -> None:
    """Refuse a handover that would take a run's count past :data:`MOST_RELEASED`."""
    if len(rows) and int(released[rows].max()) + int(more.max()) > MOST_RELEASED:
        raise InvalidValue(
            f"handovers: a run would release more than {MOST_RELEASED:,} people; draw smaller "
            "handovers or fewer of them",
            path="handovers",
        )


def _share_of(
    released: NDArray[np.int32], share: float, rng: np.random.Generator
) -> NDArray[np.int32]:
    """``share`` of each count in ``released``, rounded down or up at random so that the
    expected count is exactly ``share`` of it."""
    if not share:
        return np.zeros_like(released)
    counts: NDArray[np.int32] = np.floor(released * share + rng.random(released.shape)).astype(
        np.int32
    )
    return counts


T = TypeVar("T")


def _timing(timings: Mapping[str, Any], move: Move, kind: type[T]) -> T:
    timing = timings[move.trigger]
    assert isinstance(timing, kind)  # chosen by its type
    return timing
