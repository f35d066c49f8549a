"""One chunk of runs stepped to its end by a compiled :class:`~negotiations._lockstep.Lockstep`:
the live runs' columns, compacted as runs end; pledges carried out first at every step;
the next move of every run drawn at once; and, for a replay, one run's every move traced.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
from attrs import frozen

from negotiations._arrays import Columns
from negotiations._errors import InvalidValue
from negotiations.effects import STAYS

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from negotiations._lockstep import Lockstep

__all__ = ["NOT_PLEDGED", "Chunk", "Trace", "TracedEvent", "run"]

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


#: The most moves one run may make, a last guard against a run that never ends (each
#: timing is already bounded by ``negotiations._dynamics.MOST_OFTEN``).
MOST_MOVES = 1_000_000


def run(
    engine: Lockstep, rows: int, rng: np.random.Generator, trace: int | None = None
) -> tuple[Chunk, Trace | None]:
    """Simulate ``rows`` runs with ``engine`` and ``rng``; with ``trace``, also every move of
    that run (its number in the chunk)."""
    return _Run(engine, rows, rng, trace).finish()


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
