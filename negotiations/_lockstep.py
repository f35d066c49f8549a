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

:meth:`Lockstep.run` simulates one chunk of runs from its own random generator;
given the same generator it makes the same draws in the same order, so a run
can be simulated again with its events traced (:class:`Trace`) to rebuild it as
a real :class:`~negotiations.Negotiation`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
from attrs import frozen

from negotiations._arrays import Columns, evaluated
from negotiations._dynamics import Delay, Dynamics, Hazard
from negotiations._errors import InvalidValue
from negotiations.conditions import AllOf, Condition, Custom
from negotiations.effects import STAYS, Transfer

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from negotiations._definition import Definition, Move
    from negotiations._terms import ExchangeTerms

__all__ = ["Chunk", "Lockstep", "Trace", "TracedEvent"]

#: A run's moves are numbered by their place in ``process.moves``; a pledge's by its place
#: in ``dynamics.pledges``; ``NOT_PLEDGED`` marks a move that came about by itself.
NOT_PLEDGED = -1


@frozen
class TracedEvent:
    """One move of a traced run: when (in days from day 0), which (its index in
    ``process.moves``), the pledge that made it (or ``NOT_PLEDGED``), and the tranche
    drawn for a handover (counts in party order; ``None`` otherwise)."""

    time: float
    move: int
    pledge: int
    released: tuple[int, ...] | None = None
    seriously_ill: tuple[int, ...] | None = None
    young: tuple[int, ...] | None = None
    civilians: bool = False


@frozen
class Trace:
    """Every move of one run, in order, and the run's columns at its end."""

    events: tuple[TracedEvent, ...]
    final: Mapping[str, Any]


@frozen
class Chunk:
    """The outcome of one chunk of runs, one row per run: the final stage's index, the
    day each stage was first reached (``-1`` never), what each party released, how many
    handovers and moves."""

    final_stage: NDArray[np.signedinteger[Any]]
    days_to: NDArray[np.int32]
    released: NDArray[np.int32]
    tranches: NDArray[np.int32]
    moves: NDArray[np.int32]


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
        #: Whether each asked move (row) is made from each stage (column).
        self.from_stage = np.array(
            [[stage in moves[m].sources for stage in stages] for m in self.asked], dtype=bool
        ).reshape(len(self.asked), len(stages))
        #: Each hazard move's rate (row) in each stage (column), per day.
        self.rates = (
            np.array(
                [
                    [_timing(timings, moves[m], Hazard).at(stage) for stage in stages]
                    for m in hazards
                ],
                dtype=np.float64,
            ).reshape(len(hazards), len(stages))
            * self.from_stage[: len(hazards)]
        ).astype(np.float32)
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

    # -- a chunk ---------------------------------------------------------------------------

    def run(
        self, rows: int, rng: np.random.Generator, trace: int | None = None
    ) -> tuple[Chunk, Trace | None]:
        """Simulate ``rows`` runs with ``rng``; with ``trace``, also every move of that run."""
        return _Run(self, rows, rng, trace).finish()


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
    for m, move in enumerate(process.moves):
        if move.trigger == trigger and stage in move.sources:
            return m
    return -1


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


#: The most moves one run may make, a last guard against a run that never ends (each
#: timing is already bounded by ``negotiations._dynamics.MOST_OFTEN``).
MOST_MOVES = 1_000_000


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


def _groups(
    keys: NDArray[np.integer[Any]], rows: NDArray[np.intp]
) -> list[tuple[int, NDArray[np.intp]]]:
    """``rows`` grouped by their ``keys`` (small numbers), in increasing key order, each
    group in the order given."""
    first = keys[0]
    if (keys == first).all():
        return [(int(first), rows)]
    order = np.argsort(keys.astype(np.int16), kind="stable")  # a radix sort: 16-bit keys
    keys, rows = keys[order], rows[order]
    starts = np.flatnonzero(np.diff(keys)) + 1
    return [
        (int(keys[start]), group)
        for start, group in zip((0, *starts), np.split(rows, starts), strict=True)
    ]


def _rows(column: NDArray[Any], keep: NDArray[np.intp]) -> NDArray[Any]:
    """The rows ``keep`` of ``column``, in the same memory order (per-party columns stay
    party-major)."""
    if column.ndim == 2:
        return np.take(column.T, keep, axis=1).T
    return column[keep]


def _timing(timings: Mapping[str, Any], move: Move, kind: type[T]) -> T:
    timing = timings[move.trigger]
    assert isinstance(timing, kind)  # chosen by its type
    return timing


class _Run:
    """One chunk being simulated: the live negotiations' columns, compacted as runs end."""

    def __init__(
        self, engine: Lockstep, rows: int, rng: np.random.Generator, trace: int | None
    ) -> None:
        self.engine = engine
        self.rng = rng
        stages, parties = len(engine.stages), len(engine.parties)
        self.out = Chunk(
            final_stage=np.zeros(rows, dtype=engine.stage_type),
            days_to=np.full((rows, stages), -1, dtype=np.int32),
            released=np.zeros((rows, parties), dtype=np.int32),
            tranches=np.zeros(rows, dtype=np.int32),
            moves=np.zeros(rows, dtype=np.int32),
        )
        self.ids = np.arange(rows, dtype=np.intp)
        self.alive = np.ones(rows, dtype=bool)
        self.columns = engine.initial(rows)
        self.time = np.zeros(rows, dtype=np.float64)
        self.days_to = np.full((rows, stages), -1, dtype=np.int32)
        self.days_to[:, engine.initial_stage] = 0
        self.moves = np.zeros(rows, dtype=np.int32)
        #: When each delay move (row) is due in each run (column); infinite: not waiting.
        self.scheduled = np.full((engine.delays, rows), np.inf)
        #: Whether each pledge (row) still waits in each run (column).
        self.waiting = np.ones((len(engine.pledged), rows), dtype=bool)
        self.trace = trace
        self.traced: list[TracedEvent] = []
        self.final: dict[str, Any] = {}

    # -- bookkeeping -----------------------------------------------------------------------

    def _record(
        self, m: int, rows: NDArray[np.intp], drawn: Mapping[str, Any], pledge: int
    ) -> None:
        """After move ``m`` at ``rows``: count it, note stages first reached, trace it."""
        self.moves[rows] += 1
        delay = self.engine.delay_of.get(m)
        if delay is not None:  # made: a new wait starts the next time it is possible
            self.scheduled[delay, rows] = np.inf
        if self.engine.dest[m] != STAYS or self.engine.moves[m].returns:
            stage = self.columns["stage"][rows]
            first = self.days_to[rows, stage] < 0
            if first.any():
                reached = rows[first]
                self.days_to[reached, stage[first]] = self.time[reached].astype(np.int32)
        if self.trace is not None:
            at = np.flatnonzero(self.ids[rows] == self.trace)
            if len(at):
                self._trace(m, int(rows[at[0]]), int(at[0]), drawn, pledge)

    def _trace(self, m: int, row: int, at: int, drawn: Mapping[str, Any], pledge: int) -> None:
        when = float(self.time[row])
        if "tranche.released" in drawn:
            event = TracedEvent(
                when,
                m,
                pledge,
                tuple(int(n) for n in drawn["tranche.released"][at]),
                tuple(int(n) for n in drawn["tranche.seriously_ill"][at]),
                tuple(int(n) for n in drawn["tranche.young"][at]),
                bool(drawn["tranche.civilians"][at]),
            )
        else:
            event = TracedEvent(when, m, pledge)
        self.traced.append(event)

    def _end(self, ended: NDArray[np.bool_]) -> None:
        """Write out the runs that have ``ended``; compact once a quarter are over."""
        rows = np.flatnonzero(ended & self.alive)
        if len(rows):
            ids = self.ids[rows]
            out, columns = self.out, self.columns
            out.final_stage[ids] = columns["stage"][rows]
            out.days_to[ids] = self.days_to[rows]
            out.released[ids] = columns["released"][rows]
            out.tranches[ids] = columns["tranches"][rows]
            out.moves[ids] = self.moves[rows]
            if self.trace is not None:
                at = np.flatnonzero(ids == self.trace)
                if len(at):
                    row = rows[at[0]]
                    self.final = {name: col[row].copy() for name, col in columns.items()}
            self.alive[rows] = False
        alive = self.alive
        if np.count_nonzero(alive) * 4 < len(alive) * 3:
            keep = np.flatnonzero(alive)
            self.ids = self.ids[keep]
            self.columns = Columns({name: _rows(col, keep) for name, col in self.columns.items()})
            self.time = self.time[keep]
            self.days_to = self.days_to[keep]
            self.moves = self.moves[keep]
            self.scheduled = np.take(self.scheduled, keep, axis=1)
            self.waiting = np.take(self.waiting, keep, axis=1)
            self.alive = np.ones(len(keep), dtype=bool)

    # -- pledges ---------------------------------------------------------------------------

    def _pledges(self, possible: NDArray[np.bool_]) -> NDArray[np.bool_]:
        """Carry out the earliest pledge due in each run (given what is ``possible``, and
        never while suspended); returns where one was carried out. (Where the process
        has ended the run is over: its waiting pledges go with it.)"""
        engine = self.engine
        waiting = self.waiting
        columns = self.columns
        stage = columns["stage"]
        ready = engine.pledged[:, stage]  # the move each pledge makes from each run's stage
        every = np.arange(len(stage))
        due = (
            waiting
            & (ready >= 0)
            & (columns["suspended_from"] == STAYS)
            & possible[engine.place[ready], every]
        )
        fired: NDArray[np.bool_] = due.any(axis=0)
        if not fired.any():
            return fired
        unserved = fired.copy()
        for k in range(len(engine.pledged)):  # the earliest due pledge in each run
            rows = np.flatnonzero(due[k] & unserved)
            if not len(rows):
                continue
            unserved[rows] = False
            waiting[k, rows] = False
            for m, these in _groups(ready[k, rows], rows):
                drawn = engine.make(m, columns, these, self.rng)
                self._record(m, these, drawn, k)
        return fired

    # -- the loop --------------------------------------------------------------------------

    def _next(self, possible: NDArray[np.bool_]) -> tuple[NDArray[np.float64], NDArray[np.int16]]:
        """When each run's next move comes about, and which (its row among the asked
        moves), given what is ``possible`` now."""
        engine, rng = self.engine, self.rng
        hazards, delays = engine.hazards, engine.delays
        n, now = len(self.ids), self.time
        # Hazards: one waiting time for their total rate, then one in proportion to it.
        rates = np.empty((hazards, n), dtype=np.float32)
        stage = self.columns["stage"]
        for j, rate in enumerate(engine.rate_alone):
            if rate is not None:
                np.multiply(possible[j], np.float32(rate), out=rates[j])
            else:
                np.multiply(np.take(engine.rates[j], stage), possible[j], out=rates[j])
        for j in range(1, hazards):  # cumulative, added in order: a move of rate 0 adds 0.0
            rates[j] += rates[j - 1]
        total = rates[-1] if hazards else np.zeros(n, dtype=np.float32)
        wait = rng.standard_exponential(n)
        pick = (1.0 - rng.random(n, dtype=np.float32)) * total  # in (0, total]
        with np.errstate(divide="ignore"):
            when = now + wait / total
        # The first move whose cumulative rate reaches the pick: never one of rate 0, whose
        # cumulative rate equals the one before it.
        chosen = np.zeros(n, dtype=np.int16)
        for cumulative in rates[:-1]:
            chosen += cumulative < pick
        if not delays:
            return when, chosen
        # Delays: due when the wait drawn as each became possible is over.
        scheduled = self.scheduled
        possible_now = possible[hazards : hazards + delays]
        scheduled[~possible_now] = np.inf
        fresh = possible_now & np.isinf(scheduled)
        for d in range(delays):
            starting = np.flatnonzero(fresh[d])
            if len(starting):
                scheduled[d, starting] = now[starting] + rng.uniform(
                    engine.delay_low[d], engine.delay_high[d], len(starting)
                )
        soonest = np.zeros(n, dtype=np.int16)
        due = scheduled[0].copy()
        for d in range(1, delays):
            soonest[scheduled[d] < due] = d
            np.minimum(due, scheduled[d], out=due)
        by_delay = due <= when
        when = np.where(by_delay, due, when)
        chosen = np.where(by_delay, soonest + hazards, chosen).astype(np.int16)
        return when, chosen

    def finish(self) -> tuple[Chunk, Trace | None]:
        """Run the chunk to its end: every run finished or past the horizon."""
        engine = self.engine
        horizon = float(engine.dynamics.horizon)
        steps = 0
        while len(self.ids):
            steps += 1  # a run makes one move a step at most: a step count bounds its moves
            if steps > MOST_MOVES:
                raise InvalidValue(
                    f"dynamics: a run made {MOST_MOVES:,} moves without ending, by day "
                    f"{int(self.time.max()):,}: its delays are too short or its rates too high "
                    "for time to move on",
                    path="dynamics",
                )
            self._end(engine.finals[self.columns["stage"]])
            if not len(self.ids):
                break
            alive, n = self.alive, len(self.ids)
            possible = engine.possible(self.columns)
            # Pledges first: a run that carried one out asks again before anything else.
            settling = self._pledges(possible) if self.waiting.any() else None
            when, chosen = self._next(possible)
            going = alive if settling is None else alive & ~settling
            self._end(going & (when > horizon))  # updates ``alive`` in place
            if not len(self.ids):
                break
            going = alive if settling is None else alive & ~settling
            if len(self.ids) != n:  # compacted: follow the runs still going
                when, chosen, going = when[alive], chosen[alive], going[alive]
            moving = np.flatnonzero(going)
            if not len(moving):
                continue
            self.time[moving] = when[moving]
            for j, rows in _groups(chosen[moving], moving):
                m = engine.asked[j]
                drawn = engine.make(m, self.columns, rows, self.rng)
                self._record(m, rows, drawn, NOT_PLEDGED)
        trace = Trace(tuple(self.traced), self.final) if self.trace is not None else None
        return self.out, trace
