"""``simulate``: many negotiations of a process run by its dynamics, in chunks seeded from one
seed, on one core or any executor.

The runs are cut into chunks of :data:`CHUNK` runs (the last one shorter). Chunk
``c`` draws from its own generator, ``numpy.random.SeedSequence(seed,
spawn_key=(c,))``, so what a run does depends only on the seed, its number and
how many runs were asked for (a chunk's draws are made for all its runs at once:
the last chunk's size counts): the same call gives the same runs whatever the
executor and however many workers share the chunks.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Literal, cast

from negotiations._article import PROCESS
from negotiations._article_dynamics import ARTICLE_DYNAMICS
from negotiations._checks import shorten
from negotiations._chunks import CHUNK, Job, Tally, compiled, run_chunk
from negotiations._definition import Definition, shipped_named, shipped_names
from negotiations._dynamics import Dynamics
from negotiations._errors import InvalidType, InvalidValue, need
from negotiations._parameters import PARAMETERS
from negotiations._terms import ExchangeTerms
from negotiations.effects import Agree, AgreeFurther

if TYPE_CHECKING:
    from negotiations._simresult import SimulationResult
    from negotiations._stepping import Chunk

__all__ = ["CHUNK", "simulate"]

Keep = Literal["runs", "summary"]


def _count(value: object, name: str, least: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidType(f"{name} must be an int, not {type(value).__name__}", path=name)
    if value < least:
        raise InvalidValue(f"{name} must be at least {least}, not {value}", path=name)
    return value


def _process(value: object) -> Definition:
    if isinstance(value, Definition):
        return value
    if isinstance(value, str):
        found = shipped_named(value)
        if found is None:
            raise InvalidValue(
                f"process: unknown process {shorten(value)}; the package ships "
                f"{', '.join(map(repr, shipped_names()))}, or pass a Definition",
                path="process",
            )
        return found
    raise InvalidType(
        f"process must be a Definition or the name of one the package ships, not "
        f"{type(value).__name__}",
        path="process",
    )


def _dynamics(process: Definition | None, dynamics: object) -> Dynamics:
    if dynamics is None:
        if process is None or process is PROCESS:
            return ARTICLE_DYNAMICS
        raise InvalidValue(
            f"dynamics: the process {shorten(process.name)} has no default dynamics; pass "
            "dynamics=Dynamics(process=..., moves=...)",
            path="dynamics",
        )
    if not isinstance(dynamics, Dynamics):
        raise InvalidType(
            f"dynamics must be a Dynamics, not {type(dynamics).__name__}", path="dynamics"
        )
    if process is not None and dynamics.process != process:
        raise InvalidValue(
            f"dynamics: it is for the process {shorten(dynamics.process.name)}, not "
            f"{shorten(process.name)}",
            path="dynamics",
        )
    return dynamics


def _terms(dynamics: Dynamics, terms: object) -> ExchangeTerms | None:
    if terms is not None and not isinstance(terms, ExchangeTerms):
        raise InvalidType(
            f"terms must be ExchangeTerms or None, not {type(terms).__name__}", path="terms"
        )
    process = dynamics.process
    if terms is not None:
        # The check a live agreement makes: parties of the process, and so on.
        terms = cast("ExchangeTerms", PARAMETERS["terms"].check(terms, "terms", process))
    chosen = terms if terms is not None else process.terms
    agreeing = [
        move.trigger
        for move in process.moves
        # (A pledged agreement needs no check here: without terms of the process's own,
        # an agreement takes an argument, and Dynamics refuses to pledge it.)
        if isinstance(move.effect, Agree | AgreeFurther) and move.trigger in dynamics.moves
    ]
    if chosen is None and agreeing:
        raise InvalidValue(
            f"terms: {agreeing[0]} agrees an exchange, and the process "
            f"{shorten(process.name)} has no terms of its own; pass terms=ExchangeTerms(...)",
            path="terms",
        )
    return chosen


def _keep(value: object) -> str:
    if value not in ("runs", "summary"):
        raise InvalidValue(
            f"keep must be 'runs' (every run's row) or 'summary' (aggregates only), not "
            f"{shorten(value) if isinstance(value, str) else repr(value)[:40]}",
            path="keep",
        )
    return str(value)


def simulate(
    runs: int,
    *,
    seed: int,
    process: Definition | str | None = None,
    dynamics: Dynamics | None = None,
    terms: ExchangeTerms | None = None,
    executor: Executor | None = None,
    progress: bool = False,
    keep: Keep = "runs",
) -> SimulationResult:
    """Simulate ``runs`` negotiations of ``process`` unfolding by ``dynamics``.

    ``process`` is a :class:`~negotiations.Definition` or the name of one the package
    ships (the article's by default, or the dynamics' own); ``dynamics`` defaults to
    :data:`~negotiations.ARTICLE_DYNAMICS` for the article's process; ``terms`` are the
    terms every agreement is made on (the process's own by default). The same
    ``seed`` (an int, 0 or more) gives the same runs, byte for byte, whatever the
    ``executor`` (any :class:`concurrent.futures.Executor`: a process pool, a Dask
    client's ``get_executor()``, ...; when ``None``, a thread per core of this process).
    ``progress``
    shows a progress bar on a terminal (tqdm). ``keep="summary"`` keeps only the
    aggregates (stage counts and day histograms), in memory that does not grow with
    ``runs``.

    Everything is checked before any work starts; an error names the argument.
    Needs numpy: ``pip install 'negotiations[sim]'``.
    """
    runs = _count(runs, "runs", 1)
    seed = _count(seed, "seed", 0)
    chosen = None if process is None else _process(process)
    dynamics = _dynamics(chosen, dynamics)
    agreed_on = _terms(dynamics, terms)
    keep = _keep(keep)  # type: ignore[assignment]  # checked: one of the two
    if executor is not None and not isinstance(executor, Executor):
        raise InvalidType(
            f"executor must be a concurrent.futures.Executor, not {type(executor).__name__}",
            path="executor",
        )
    if not isinstance(progress, bool):
        raise InvalidType(
            f"progress must be a bool, not {type(progress).__name__}", path="progress"
        )
    need("numpy", "simulate", "sim")
    bar = _bar(runs) if progress else None
    compiled(dynamics, agreed_on)  # compiled here: a process it cannot run is refused now
    from negotiations._simresult import Collector  # noqa: PLC0415  # needs numpy

    collector = Collector(dynamics, agreed_on, seed, runs, keep)
    jobs = (
        Job(dynamics, agreed_on, seed, index, min(CHUNK, runs - start), keep)
        for index, start in enumerate(range(0, runs, CHUNK))
    )
    try:
        for job, (chunk, tally) in _results(jobs, executor):
            collector.add(job.index * CHUNK, chunk, tally)
            if bar is not None:
                bar.update(job.runs)
    finally:
        if bar is not None:
            bar.close()
    return collector.result()


def _results(
    jobs: Iterator[Job], executor: Executor | None
) -> Iterator[tuple[Job, tuple[Chunk | None, Tally]]]:
    """Each job with its outcome, in order, a bounded number at once (so that memory holds
    only a few chunks beyond the results). Without an executor, the jobs run on a
    thread per core of this process: numpy lets go of the interpreter while it works
    on arrays, so the threads run at once."""
    if executor is None:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        with ThreadPoolExecutor(max(1, cores or 1), thread_name_prefix="simulate") as threads:
            yield from _results(jobs, threads)
        return
    # Enough to keep every worker busy: a pool says how many it has; a cluster's executor
    # does not, so up to 16 chunks wait at once (about 12 MB of rows each).
    workers = getattr(executor, "_max_workers", None)
    limit = 2 * workers + 2 if isinstance(workers, int) else 16
    pending: deque[tuple[Job, Future[tuple[Chunk | None, Tally]]]] = deque()
    try:
        for job in jobs:
            pending.append((job, executor.submit(run_chunk, job)))
            if len(pending) >= limit:
                done, future = pending.popleft()
                yield done, future.result()
        while pending:
            done, future = pending.popleft()
            yield done, future.result()
    finally:
        for _, future in pending:
            future.cancel()


def _bar(runs: int) -> Any:
    tqdm: Callable[..., Any] = need("tqdm", "progress=True", "sim").tqdm
    # disable=None: shown on a terminal, silent otherwise (a log, a notebook's captured output).
    return tqdm(total=runs, unit="run", unit_scale=True, disable=None, desc="simulate")
