"""Chunks of runs: what a worker is given (:class:`Job`), what it gives back (a
:class:`~negotiations._stepping.Chunk` and a :class:`Tally`), and how each chunk's random
generator comes from the seed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from attrs import frozen

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from negotiations._dynamics import Dynamics
    from negotiations._lockstep import Lockstep
    from negotiations._stepping import Chunk, Trace
    from negotiations._terms import ExchangeTerms

__all__ = ["CHUNK", "Job", "Tally", "compiled", "generator", "run_chunk", "trace_run"]

#: Runs per chunk. Fixed: it is part of what a seed means (a run's draws come from its
#: chunk's generator), and it bounds the memory a chunk takes while it runs.
CHUNK = 262_144


@frozen
class Job:
    """One chunk to simulate: everything a worker needs, and nothing it could not pickle."""

    dynamics: Dynamics
    terms: ExchangeTerms | None
    seed: int
    index: int
    runs: int
    keep: str


@frozen
class Tally:
    """What ``keep="summary"`` keeps of a chunk, and what every result adds up: how many
    runs ended in each stage, and for each stage how many first reached it on each day
    (a fixed-bin histogram, one bin per day of the horizon: exact, and added up over
    chunks in any order)."""

    final: NDArray[np.int64]
    reached: NDArray[np.int64]

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.final + other.final, self.reached + other.reached)


def compiled(dynamics: Dynamics, terms: ExchangeTerms | None) -> Lockstep:
    """The compiled engine for ``dynamics`` and ``terms``, built once per process (a
    worker keeps the last few it built)."""
    key = (dynamics, terms)
    found = _ENGINES.get(key)
    if found is None:
        from negotiations._lockstep import Lockstep  # noqa: PLC0415  # needs numpy

        found = Lockstep(dynamics, terms)
        if len(_ENGINES) >= 8:
            _ENGINES.pop(next(iter(_ENGINES)))
        _ENGINES[key] = found
    return found


_ENGINES: dict[tuple[Dynamics, ExchangeTerms | None], Lockstep] = {}


def generator(seed: int, index: int) -> np.random.Generator:
    """Chunk ``index``'s random generator for ``seed``."""
    import numpy as np  # noqa: PLC0415  # optional: simulations only

    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(index,))))


def run_chunk(job: Job) -> tuple[Chunk | None, Tally]:
    """Simulate one chunk: its runs (unless only the summary is kept) and its tally.
    A module-level function, so that any executor can run it."""
    import numpy as np  # noqa: PLC0415  # optional: simulations only

    engine = compiled(job.dynamics, job.terms)
    from negotiations._stepping import run as step  # noqa: PLC0415  # needs numpy

    chunk, _ = step(engine, job.runs, generator(job.seed, job.index))
    stages = len(engine.stages)
    days = job.dynamics.horizon + 1
    final = np.bincount(chunk.final_stage, minlength=stages).astype(np.int64)
    reached = np.zeros((stages, days), dtype=np.int64)
    for stage in range(stages):
        day = chunk.days_to[:, stage]
        reached[stage] = np.bincount(day[day >= 0], minlength=days)[:days]
    return (chunk if job.keep == "runs" else None), Tally(final, reached)


def trace_run(
    dynamics: Dynamics, terms: ExchangeTerms | None, seed: int, run: int, runs: int
) -> Trace:
    """Every move of run ``run`` of ``runs``: its chunk simulated again (the same size as
    it ran: the draws depend on it), tracing that run."""
    engine = compiled(dynamics, terms)
    index, row = divmod(run, CHUNK)
    from negotiations._stepping import run as step  # noqa: PLC0415  # needs numpy

    rows = min(CHUNK, runs - index * CHUNK)
    _, trace = step(engine, rows, generator(seed, index), trace=row)
    assert trace is not None  # asked for
    return trace
