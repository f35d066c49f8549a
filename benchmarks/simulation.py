"""Speed and memory of ``negotiations.simulate``, measured against the targets of the project's
issue on simulation at scale.

Run ``python benchmarks/simulation.py`` (about eight minutes on two cores; ``--quick``
for a noisier run of about three minutes, with 3,000,000 runs as its largest size;
``--json PATH`` to save the figures). It prints a sanity table (the three
implementations of the dynamics agree), then one table -- measure, value, target,
ratio (value / target: 1.00 is exactly at the limit), PASS/FAIL/info -- and exits with
status 1 if any target is missed. It is not part of the pytest run. It needs the
package's ``sim`` extra (numpy).

How it measures
---------------
As ``benchmarks/run.py`` does. A timing is a ``timeit.Timer`` timed with ``number=1``
many times over: each repeat first runs its own setup (not timed), then times one whole
batch of runs; the figure is the *minimum* over the repeats (divided by the runs in the
batch for a time per run; the median is in the JSON too). ``timeit`` turns the garbage
collector off while it times. The measures that are compared with one another -- the
engine at 1,000,000 runs (with the default executor and serial) and at 100,000, the
``Negotiation`` objects and the pure-Python loop -- take their repeats in turn, round
after round, in one process, so that a slow spell of a shared machine falls on all of
them alike. Each runs once untimed first, as a warm-up (the engine on one chunk, not a
whole million). Every repeat of one measure does the same work: the same seed.

*Serial* is :class:`Serial`, an executor that runs every chunk in the calling thread
when it is submitted: one core. Without an executor ``simulate`` runs the chunks on a
thread per core; the baselines run on one core, so the engine is compared with them
serially.

Growth is measured in a fresh process for every size and every ``keep`` (this script
run again with ``--child RUNS KEEP EXECUTOR``), serially, and once more at the largest
size with the default executor: after the imports and a warm-up simulation of 100 runs,
one ``simulate(RUNS, seed=1, keep=KEEP)``, timed by the wall clock and by the process's
CPU time (``time.process_time``). The peak resident size is the process's high-water
mark, ``VmHWM`` in ``/proc/self/status`` (``resource.getrusage(RUSAGE_SELF).ru_maxrss``
where there is no ``/proc``; both are in the JSON): on Linux ``ru_maxrss`` survives
``exec``, so a child of this script reports at least this script's own size (a million
runs held: about 200 MB), not its own. The resident size just before the simulation is
read from ``/proc/self/statm``. The sizes take their turns, the small ones repeated more
often (the best times and the largest peak are kept). Flatness of the time per run is
judged on CPU time, as ``run.py``'s growth rows are: a run a hundred times longer is far
more likely to wait while another process of a shared machine runs, which the wall clock
would count as its own cost.

The figures
-----------
``simulate(1,000,000, seed=1), default executor / serial``
    Wall time of one ``ng.simulate(1_000_000, seed=1)``: the article's process, its
    default dynamics (``ARTICLE_DYNAMICS``), ``keep="runs"``; with the default executor
    (a thread per core of this one process) and serially. Target: <= 5 s each (the
    issue: "one process, serial").
``runs that differ, default vs serial executor``
    The two results compared run by run (final stage, day each stage was reached): the
    same seed must give the same runs. Target: 0.
``Negotiation objects / pure-Python loop, per run`` (info)
    The two baselines, simulating the same stochastic model as the engine (see
    :func:`negotiation_runs` and :func:`pure_runs`), with Python's ``random``: 2,000 runs
    driven through ``negotiations.Negotiation`` objects, 20,000 runs of a lean loop over
    plain dict tables that uses nothing of the library (1,000 and 10,000 with
    ``--quick``).
``engine per run at N, serial, vs Negotiation objects / vs pure Python``
    The engine's time per run (serial ``simulate(N)``'s time over N) at N = 1,000,000 and
    100,000. Targets: at most 1/20 of the ``Negotiation`` objects' time per run (the
    engine >= 20x faster) and at most 1/5 of the pure-Python loop's (>= 5x faster); the
    note gives the speed-up.
``agreement of the three implementations``
    For each stage, the share of runs that reach it and the share that end there, and
    the mean moves and handovers per run, of each baseline against the engine's (the
    1,000,000 serial runs): the largest difference in standard errors (a z score).
    Target: <= 4 (sampling error; otherwise the speed comparison is not of one model).
``growth: keep=KEEP, N runs, serial / default`` (info)
    Wall time, CPU time per run, peak resident size and what ``simulate`` added to it
    for ``simulate(N, seed=1, keep=KEEP)`` in a fresh process, for N = 10,000, 100,000,
    1,000,000 and 10,000,000 (not the last with ``--quick``), serially; the largest N
    with the default executor too.
``keep='runs', 10,000,000 runs: peak resident size``
    The larger of the serial and the default executor's peaks. Target: <= 1,500 MB (1.5
    GB; MB are 10**6 bytes throughout). With ``--quick`` projected from 100,000 and
    1,000,000 runs (the peak at 1,000,000 plus nine times what 900,000 more runs added,
    serially), as the label says. The note gives the bytes each run adds.
``keep='summary': peak memory of simulate, largest N over 100,000, serial``
    What the simulation adds to the resident size (the peak during it minus the resident
    size just before) at the largest N, over the same at 100,000 runs (one full chunk and
    a part). Target: <= 1.25: bounded by the chunk size, not the number of runs (see
    :data:`SUMMARY_FLAT`).
``keep=KEEP: CPU time per run, largest N over 100,000, serial``
    Flatness of the time per run (a total linear in the runs). Target: <= 1.5 each.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import time
import timeit
from collections.abc import Callable
from concurrent.futures import Executor, Future
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

import negotiations as ng

US = 1e6
MB = 1e6
SEED = 1
#: The issue's size, its wall-time budget, and the engine's chunk (for the warm-up).
RUNS = 1_000_000
SIMULATE_TARGET_S = 5.0
SMALL_RUNS = 100_000
#: The engine must be at least this many times faster per run than each baseline.
OBJECT_FACTOR = 20.0
PURE_FACTOR = 5.0
#: The baselines and the engine must agree within this many standard errors.
AGREEMENT_Z = 4.0
#: keep="runs" at 10,000,000 runs: the largest peak resident size.
GROWTH_LARGEST = 10_000_000
RUNS_PEAK_TARGET_MB = 1_500.0
#: keep="summary": what simulate adds to the resident size at the largest N, at most this
#: many times what it adds at 100,000 runs (one full chunk and a part). After the first
#: few chunks the allocator holds about 8% more (freed heap reused, not returned), then no
#: more: a cost per run would show as 1 B/run = 10 MB at 10,000,000 runs, about 30%.
SUMMARY_FLAT = 1.25
#: The CPU time per run at the largest N at most this many times that at 100,000 runs.
TIME_FLAT = 1.5
KEEPS = ("runs", "summary")


@dataclass
class Settings:
    """How much work each measure does."""

    rounds: int  # rounds of the compared measures, their repeats in turn
    small_per_round: int  # repeats of simulate(100,000) in each round
    objects: int  # runs of the Negotiation objects per timed batch
    pure: int  # runs of the pure-Python loop per timed batch
    growth: dict[int, int] = field(default_factory=dict)  # runs -> repeats (fresh processes)


FULL = Settings(
    rounds=4,
    small_per_round=2,
    objects=2_000,
    pure=20_000,
    growth={10_000: 4, 100_000: 3, 1_000_000: 2, 10_000_000: 1},
)
QUICK = Settings(
    rounds=2,
    small_per_round=2,
    objects=1_000,
    pure=10_000,
    growth={10_000: 3, 100_000: 2, 1_000_000: 1, 3_000_000: 1},
)


@dataclass
class Row:
    """One line of the table (and of the JSON)."""

    measure: str
    value: float
    unit: str
    target: float | None = None  # an upper limit, in ``unit``; None: reported only
    note: str = ""
    median: float | None = None

    @property
    def ratio(self) -> float | None:
        if self.target is None:
            return None
        if self.target == 0:  # nothing allowed: exactly at the limit, or past it
            return 1.0 if self.value == 0 else math.inf
        return self.value / self.target

    @property
    def passed(self) -> bool | None:
        return None if self.target is None else self.value <= self.target


@dataclass
class Timing:
    """Seconds per run: every repeat, the best and the median."""

    times: list[float]

    @property
    def best(self) -> float:
        return min(self.times)

    @property
    def median(self) -> float:
        return statistics.median(self.times)


@dataclass
class Bench:
    """One measure: ``run()`` makes ``count`` runs, ``per_round`` times a round; the last
    repeat's outcome is kept in ``kept``."""

    name: str
    run: Callable[[], Any]
    count: int
    per_round: int = 1
    kept: list[Any] = field(default_factory=list)


def interleaved(
    benches: list[Bench], rounds: int, progress: Callable[[str], None]
) -> dict[str, Timing]:
    """Per-run times of every bench, their repeats taken in turn, round after round.

    Each repeat's setup (not timed) drops the previous outcome and hands the bench's
    ``kept`` list to the timed statement, which appends the new outcome to it: freeing
    an outcome is never timed, and the last one is there afterwards for the sanity
    check. ``timeit`` turns the collector off while it times.
    """

    def setup_of(bench: Bench) -> Callable[[], list[Any]]:
        def setup() -> list[Any]:
            bench.kept.clear()
            return bench.kept

        return setup

    timers = {
        bench.name: timeit.Timer(
            stmt="kept.append(run())",
            setup="kept = setup()",
            globals={"run": bench.run, "setup": setup_of(bench)},
        )
        for bench in benches
    }
    gc.collect()
    times: dict[str, list[float]] = {bench.name: [] for bench in benches}
    for number in range(rounds):
        progress(f"round {number + 1} of {rounds}: " + ", ".join(b.name for b in benches))
        for bench in benches:
            for _ in range(bench.per_round):
                times[bench.name].append(timers[bench.name].timeit(number=1) / bench.count)
    return {name: Timing(values) for name, values in times.items()}


# -- the engine ---------------------------------------------------------------------------


class Serial(Executor):
    """An executor that runs every job in the calling thread, at once, when it is submitted:
    a simulation on one core, chunk after chunk (the issue's "one process, serial").

    It says it has one worker the way ``concurrent.futures``' pools do
    (``_max_workers``), which ``simulate`` reads to bound the chunks waiting at once
    (2 x workers + 2); an executor that does not say gets 16 (a cluster's).
    """

    _max_workers = 1

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as error:  # handed over, as any executor does
            future.set_exception(error)
        return future


#: The executors the engine is measured with: the default (``executor=None``) and serial.
EXECUTORS: dict[str, Callable[[], Executor | None]] = {"default": lambda: None, "serial": Serial}


def default_threads() -> int:
    """How many threads ``simulate`` uses without an executor (one per core it may use)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def engine_run(
    runs: int, executor: str = "serial", keep: str = "runs"
) -> Callable[[], ng.SimulationResult]:
    def run() -> ng.SimulationResult:
        chosen = EXECUTORS[executor]()
        return ng.simulate(runs, seed=SEED, keep=keep, executor=chosen)  # type: ignore[arg-type]  # a keep

    return run


# -- the baselines ------------------------------------------------------------------------
#
# Both simulate the engine's stochastic model (see negotiations/_dynamics.py): continuous
# time from day 0; the possible moves timed by a Hazard compete (one exponential waiting
# time for their total rate, then one in proportion to its rate); a move timed by a Delay
# is due a uniform number of days after it became possible, its wait cancelled when it
# stops being possible and started again the next time (also after it is made); the
# earliest event wins, a delay winning a tie; a run ends at a final stage or when the
# next event would come after the horizon. Russia's pledge of open_third_round (day 0) is
# carried out the moment its move is possible. A handover releases a uniform 200 to 400
# a side, of civilians with probability 0.1, with floor(size * 0.05 + U) seriously ill
# and floor(size * 0.1 + U) young a side. Each run's outcome: its final stage, the day
# it first reached each stage, its moves, its handovers and what each side released.

DYNAMICS = ng.ARTICLE_DYNAMICS
PROCESS = DYNAMICS.process
TERMS = PROCESS.terms
STAGES = tuple(str(stage) for stage in PROCESS.stages)
FINALS = frozenset(str(stage) for stage in PROCESS.finals)
RUSSIA, UKRAINE = PROCESS.parties


@dataclass
class Outcome:
    """What a baseline keeps of one run (what the engine keeps of it too)."""

    final: str
    days: dict[str, int]
    moves: int
    tranches: int
    released: int  # by each side: a handover is reciprocal


def negotiation_runs(count: int, seed: int = SEED) -> list[Outcome]:  # noqa: PLR0912, PLR0915  # one loop, read top to bottom
    """``count`` runs, each driven through a ``negotiations.Negotiation`` as a user of the
    library would: Russia's pledge made on day 0 (the library carries it out); at each
    step the moves it allows (``allowed()``) whose drawn arguments fit (an open issue to
    resolve, an interest to acknowledge), timed by the dynamics; the next event drawn
    with Python's ``random``; the move made with ``talks.send``."""
    chance = random.Random(seed)
    expovariate, uniform, randint, uniform01 = (
        chance.expovariate,
        chance.uniform,
        chance.randint,
        chance.random,
    )
    timings = DYNAMICS.moves
    handovers = DYNAMICS.handovers
    assert handovers is not None  # the article's dynamics hand people over
    low, high = handovers.size
    horizon = DYNAMICS.horizon
    sides = (RUSSIA, UKRAINE)
    outcomes: list[Outcome] = []
    for _ in range(count):
        talks = ng.Negotiation()
        talks.pledge(RUSSIA, "open_third_round")
        now = 0.0
        due: dict[str, float] = {}  # the delays waiting, and when each is due
        raised = declared = moves = 0
        days = {str(talks.stage): 0}
        while not talks.finished:
            stage = talks.stage
            hazards: list[tuple[str, float]] = []
            total = 0.0
            waiting: dict[str, float] = {}
            for trigger in talks.allowed():
                timing = timings.get(trigger)
                if timing is None:
                    continue
                if trigger == "resolve_humanitarian_issue" and not talks.humanitarian_issues:
                    continue
                if trigger == "acknowledge_interest" and all(
                    interest.acknowledged for interest in talks.interests
                ):
                    continue
                if isinstance(timing, ng.Delay):
                    waiting[trigger] = (
                        due[trigger] if trigger in due else now + uniform(timing.low, timing.high)
                    )
                elif rate := timing.at(stage):
                    hazards.append((trigger, rate))
                    total += rate
            due = waiting  # a delay no longer possible is cancelled
            when = now + expovariate(total) if total else math.inf
            chosen = None
            if due:
                first = min(due, key=due.__getitem__)
                if due[first] <= when:
                    when, chosen = due.pop(first), first
            if when > horizon:
                break
            now = when
            if chosen is None:
                pick = uniform01() * total
                for chosen, rate in hazards:  # noqa: B007  # the one picked is used below
                    pick -= rate
                    if pick < 0:
                        break
            if chosen == "transfer":
                size = randint(low, high)
                tranche = ng.Tranche(
                    released={RUSSIA: size, UKRAINE: size},
                    civilians=uniform01() < handovers.civilians,
                    seriously_ill={
                        side: int(size * handovers.seriously_ill + uniform01()) for side in sides
                    },
                    young={side: int(size * handovers.young + uniform01()) for side in sides},
                )
                talks.send("transfer", tranche=tranche)
            elif chosen == "agree_exchange":
                talks.send(chosen, terms=TERMS)
            elif chosen == "raise_humanitarian_issue":
                raised += 1
                talks.send(chosen, name=f"humanitarian issue {raised}")
            elif chosen == "resolve_humanitarian_issue":
                talks.send(chosen, name=talks.humanitarian_issues[0])
            elif chosen == "declare_interest":
                declared += 1
                talks.send(chosen, side=sides[(declared - 1) % 2], name=f"interest {declared}")
            elif chosen == "acknowledge_interest":
                interest = next(i for i in talks.interests if not i.acknowledged)
                by = UKRAINE if interest.side == RUSSIA else RUSSIA
                talks.send(chosen, side=by, name=interest.name)
            elif chosen in ("suspend", "collapse"):
                talks.send(chosen, reason="simulated")
            else:
                talks.send(chosen)
            moves += 1
            stage = str(talks.stage)
            if stage not in days:
                days[stage] = int(now)
        ledger = talks.ledger
        outcomes.append(
            Outcome(
                str(talks.stage),
                days,
                moves + ("third_round" in days),  # the pledged move, made by the library
                ledger.tranches,
                ledger.released[RUSSIA],
            )
        )
    return outcomes


# The pure-Python loop's moves, numbered, and its dict tables (read from the dynamics once,
# so that they follow it): each stage's moves timed by a Hazard and their rates.
AGREE, TRANSFER, SIGN, RAISE, RESOLVE, DECLARE, ACKNOWLEDGE, SUSPEND, COLLAPSE = range(9)
CODES = {
    "agree_exchange": AGREE,
    "transfer": TRANSFER,
    "sign_settlement": SIGN,
    "raise_humanitarian_issue": RAISE,
    "resolve_humanitarian_issue": RESOLVE,
    "declare_interest": DECLARE,
    "acknowledge_interest": ACKNOWLEDGE,
    "suspend": SUSPEND,
    "collapse": COLLAPSE,
}


def hazard_table() -> dict[str, tuple[tuple[int, float], ...]]:
    """Each stage's hazard moves (numbered) and their rates per day, in the process's order,
    leaving out a rate of 0; checked to be the moves the pure loop knows."""
    table: dict[str, dict[int, float]] = {stage: {} for stage in STAGES}
    for move in PROCESS.moves:
        timing = DYNAMICS.moves.get(move.trigger)
        if isinstance(timing, ng.Hazard):
            for stage in move.sources:
                if rate := timing.at(stage):
                    table[str(stage)][CODES[move.trigger]] = rate
    delays = {t for t, timing in DYNAMICS.moves.items() if isinstance(timing, ng.Delay)}
    assert delays == {"convene_leaders", "resume"}, delays  # the pure loop's two delays
    assert DYNAMICS.pledges == ((RUSSIA, "open_third_round"),), DYNAMICS.pledges
    return {stage: tuple(moves.items()) for stage, moves in table.items()}


HAZARDS = hazard_table()


def pure_runs(count: int, seed: int = SEED) -> list[Outcome]:  # noqa: PLR0912, PLR0915  # one tight loop, on purpose
    """``count`` runs of a lean hand-written loop: no library, plain dict tables and local
    variables, the same model (the module's comment above), drawn with Python's
    ``random``."""
    uniform01 = random.Random(seed).random
    log, inf = math.log, math.inf
    handovers = DYNAMICS.handovers
    assert handovers is not None  # the article's dynamics hand people over
    low, span = handovers.size[0], handovers.size[1] - handovers.size[0] + 1
    ill, young, civilians = handovers.seriously_ill, handovers.young, handovers.civilians
    convene, resume = DYNAMICS.moves["convene_leaders"], DYNAMICS.moves["resume"]
    assert isinstance(convene, ng.Delay)
    assert isinstance(resume, ng.Delay)
    convene_low, convene_span = convene.low, convene.high - convene.low
    resume_low, resume_span = resume.low, resume.high - resume.low
    assert TERMS is not None  # the article's process has terms of its own
    quota_each = TERMS.quota
    assert isinstance(quota_each, int)  # the same for each side
    horizon = float(DYNAMICS.horizon)
    table = HAZARDS
    outcomes: list[Outcome] = []
    append = outcomes.append
    for _ in range(count):
        now = 0.0
        stage, back = "talks", ""
        agreed, quota, released_r, released_u = False, 0, 0, 0
        ill_r = ill_u = young_r = young_u = civilians_released = 0
        issues = declared = acknowledged = 0
        pledge = True
        convene_due = resume_due = inf
        moves = tranches = 0
        days = {"talks": 0}
        while stage != "settlement" and stage != "collapsed":  # noqa: PLR1714  # faster
            complete = agreed and released_r >= quota and released_u >= quota
            if pledge and complete and stage == "exchange":  # Russia's pledge, at once
                pledge, stage, moves = False, "third_round", moves + 1
                if stage not in days:
                    days[stage] = int(now)
                continue
            if stage == "third_round" and complete and not issues:
                if convene_due == inf:
                    convene_due = now + convene_low + convene_span * uniform01()
            else:
                convene_due = inf
            if stage == "suspended":
                if resume_due == inf:
                    resume_due = now + resume_low + resume_span * uniform01()
            else:
                resume_due = inf
            total = 0.0
            possible = []
            for code, rate in table[stage]:
                if code == TRANSFER:
                    if stage != "exchange" and (not agreed or complete):
                        continue
                elif code == RESOLVE:
                    if not issues:
                        continue
                elif code == ACKNOWLEDGE:
                    if declared <= acknowledged:
                        continue
                elif code == SIGN and declared != acknowledged:
                    continue
                total += rate
                possible.append((code, rate))
            when = now - log(1.0 - uniform01()) / total if total else inf
            due = min(convene_due, resume_due)
            if due <= when:  # a delay wins a tie
                if due > horizon:
                    break
                now, moves = due, moves + 1
                if due == convene_due:
                    stage, convene_due = "leaders_meeting", inf
                else:
                    stage, back, resume_due = back, "", inf
                if stage not in days:
                    days[stage] = int(now)
                continue
            if when > horizon:
                break
            now, moves = when, moves + 1
            pick = uniform01() * total
            for code, rate in possible:  # noqa: B007  # the one picked is used below
                pick -= rate
                if pick < 0:
                    break
            if code == TRANSFER:
                size = low + int(span * uniform01())
                released_r += size
                released_u += size
                ill_r += int(size * ill + uniform01())
                ill_u += int(size * ill + uniform01())
                young_r += int(size * young + uniform01())
                young_u += int(size * young + uniform01())
                if uniform01() < civilians:
                    civilians_released += size
                tranches += 1
                continue
            if code == AGREE:
                if stage == "talks":
                    stage, agreed, quota = "exchange", True, quota_each
                else:  # a further exchange: its quota adds up
                    quota += quota_each
            elif code == RAISE:
                issues += 1
            elif code == RESOLVE:
                issues -= 1
            elif code == DECLARE:
                declared += 1
            elif code == ACKNOWLEDGE:
                acknowledged += 1
            elif code == SUSPEND:
                stage, back = "suspended", stage
            elif code == COLLAPSE:
                stage = "collapsed"
            else:
                stage = "settlement"
            if stage not in days:
                days[stage] = int(now)
        append(Outcome(stage, days, moves, tranches, released_r))
    return outcomes


# -- the sanity check ---------------------------------------------------------------------


@dataclass
class Figures:
    """What is compared of one implementation: per stage, the share of runs reaching it
    and ending there; the mean and variance of moves and handovers per run."""

    runs: int
    reached: dict[str, float]
    ended: dict[str, float]
    means: dict[str, tuple[float, float]]


def engine_figures(result: ng.SimulationResult) -> Figures:
    runs = result.runs
    counts = result.stage_counts()
    reached = {stage: result.reached(stage) / runs for stage in STAGES}
    ended = {str(stage): count / runs for stage, count in counts.items()}
    means = {
        name: (float(values.mean()), float(values.var()))
        for name, values in (("moves", result.moves()), ("handovers", result.tranches()))
    }
    return Figures(runs, reached, ended, means)


def baseline_figures(outcomes: list[Outcome]) -> Figures:
    runs = len(outcomes)
    reached = {stage: sum(stage in o.days for o in outcomes) / runs for stage in STAGES}
    ended = {stage: sum(o.final == stage for o in outcomes) / runs for stage in STAGES}
    means = {}
    for name, values in (
        ("moves", [o.moves for o in outcomes]),
        ("handovers", [o.tranches for o in outcomes]),
    ):
        means[name] = (statistics.fmean(values), statistics.pvariance(values))
    return Figures(runs, reached, ended, means)


def _z_share(mine: float, runs: int, theirs: float, their_runs: int) -> float:
    pooled = (mine * runs + theirs * their_runs) / (runs + their_runs)
    error = math.sqrt(pooled * (1 - pooled) * (1 / runs + 1 / their_runs))
    if error == 0:
        return 0.0 if mine == theirs else math.inf
    return (theirs - mine) / error


def agreement(engine: Figures, others: dict[str, Figures]) -> tuple[list[list[str]], float, str]:
    """The sanity table's lines, the largest |z| of a baseline against the engine, and what
    it was."""
    lines = [["", f"engine ({engine.runs:,})", *(f"{k} ({f.runs:,})" for k, f in others.items())]]
    worst, where = 0.0, ""
    for what in ("reached", "ended"):
        for stage in STAGES:
            mine = getattr(engine, what)[stage]
            line = [f"{what} {stage}", f"{mine:.2%}"]
            for name, figures in others.items():
                theirs = getattr(figures, what)[stage]
                z = _z_share(mine, engine.runs, theirs, figures.runs)
                line.append(f"{theirs:.2%} ({z:+.1f})")
                if abs(z) > worst:
                    worst, where = abs(z), f"{name}: {what} {stage}"
            lines.append(line)
    for name in ("moves", "handovers"):
        mean, variance = engine.means[name]
        line = [f"mean {name} per run", f"{mean:.3f}"]
        for other, figures in others.items():
            their_mean, their_variance = figures.means[name]
            error = math.sqrt(variance / engine.runs + their_variance / figures.runs)
            z = (their_mean - mean) / error if error else 0.0
            line.append(f"{their_mean:.3f} ({z:+.1f})")
            if abs(z) > worst:
                worst, where = abs(z), f"{other}: mean {name}"
        lines.append(line)
    return lines, worst, where


def aligned(lines: list[list[str]]) -> str:
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    return "\n".join(
        "  ".join(
            cell.ljust(width) if i == 0 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(line, widths, strict=True))
        ).rstrip()
        for line in lines
    )


# -- growth: a fresh process per size ------------------------------------------------------


def _resident_mb() -> float | None:
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            pages = int(statm.read().split()[1])
    except OSError:
        return None
    return pages * os.sysconf("SC_PAGE_SIZE") / MB


def _maxrss_mb() -> float:
    """``ru_maxrss`` of this process, in MB (kilobytes on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / MB if sys.platform == "darwin" else peak * 1024 / MB


def _peak_mb() -> float:
    """The peak resident size of this process image, in MB: ``VmHWM`` of
    ``/proc/self/status`` where there is one, else ``ru_maxrss``.

    On Linux ``ru_maxrss`` is not reset by ``exec``: a child started by ``subprocess``
    (by vfork, or by fork) reports at least the parent's own peak (or its size when it
    forked), which is this script's, holding a million runs, not the child's. ``VmHWM``
    belongs to the address space the child's ``exec`` made, so it is the child's alone.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024 / MB
    except OSError:
        pass
    return _maxrss_mb()


def child(runs: int, keep: str, executor: str) -> None:
    """One simulation in this fresh process; its figures as one JSON line on stdout."""
    engine_run(100, executor, keep)()  # warm-up: the imports, the compiled engine
    gc.collect()
    before = _resident_mb()
    gc.disable()
    wall, cpu = time.perf_counter(), time.process_time()
    result = engine_run(runs, executor, keep)()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    peak, maxrss = _peak_mb(), _maxrss_mb()
    assert sum(result.stage_counts().values()) == runs
    figures = {"wall": wall, "cpu": cpu, "before": before, "peak": peak, "maxrss": maxrss}
    print(json.dumps(figures))


@dataclass
class Grown:
    """One size, ``keep`` and executor over its repeats: the best times, the largest peak."""

    runs: int
    keep: str
    executor: str
    wall: float
    cpu: float
    peak: float  # MB
    before: float  # MB, the resident size just before simulate (of the largest peak)
    maxrss: float  # MB, ru_maxrss of the largest peak (see _peak_mb)

    @property
    def added(self) -> float:
        """What simulate added to the resident size at its peak, in MB."""
        return self.peak - self.before


def in_child(runs: int, keep: str, executor: str) -> Grown:
    """``simulate(runs, keep=keep)`` with ``executor`` in a fresh process."""
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(runs), keep, executor],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"simulate({runs:,}, keep={keep!r}) failed:\n{done.stderr}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    before = figures["before"] if figures["before"] is not None else 0.0
    return Grown(
        runs,
        keep,
        executor,
        figures["wall"],
        figures["cpu"],
        figures["peak"],
        before,
        figures["maxrss"],
    )


def best(had: Grown | None, seen: Grown) -> Grown:
    """The best times of both, and the larger peak (with its resident size before)."""
    if had is None:
        return seen
    kept = had if had.peak >= seen.peak else seen
    return Grown(
        seen.runs,
        seen.keep,
        seen.executor,
        min(had.wall, seen.wall),
        min(had.cpu, seen.cpu),
        kept.peak,
        kept.before,
        kept.maxrss,
    )


def grow(settings: Settings, progress: Callable[[str], None]) -> dict[tuple[int, str, str], Grown]:
    """Every size and ``keep`` with the serial executor, each repeat in a fresh process, the
    sizes in turn; then the largest size with the default executor, once."""
    left = dict(settings.growth)
    found: dict[tuple[int, str, str], Grown] = {}
    while any(left.values()):
        for runs in sorted(left):
            if not left[runs]:
                continue
            left[runs] -= 1
            for keep in KEEPS:
                progress(f"growth: simulate({runs:,}, keep={keep!r}), serial, in a fresh process")
                key = (runs, keep, "serial")
                found[key] = best(found.get(key), in_child(runs, keep, "serial"))
    largest = max(settings.growth)
    for keep in KEEPS:
        progress(f"growth: simulate({largest:,}, keep={keep!r}), default executor, fresh process")
        found[(largest, keep, "default")] = in_child(largest, keep, "default")
    return found


def growth_rows(found: dict[tuple[int, str, str], Grown], sizes: list[int]) -> list[Row]:
    rows = []
    largest, before_largest = sizes[-1], sizes[-2]
    for keep in KEEPS:
        for runs, executor in [(runs, "serial") for runs in sizes] + [(largest, "default")]:
            grown = found[(runs, keep, executor)]
            rows.append(
                Row(
                    f"growth: keep={keep!r}, {runs:,} runs, {executor} (info)",
                    grown.wall,
                    "s",
                    note=f"CPU {grown.cpu / runs * US:.2f} µs/run; peak RSS {grown.peak:,.0f} MB, "
                    f"+{grown.added:,.0f} MB during simulate",
                )
            )
    serial, default = found[(largest, "runs", "serial")], found[(largest, "runs", "default")]
    middle = found[(before_largest, "runs", "serial")]
    per_run = (serial.peak - middle.peak) / (largest - before_largest)
    peak = max(serial.peak, default.peak)
    note = f"serial {serial.peak:,.0f} MB, default {default.peak:,.0f} MB; {per_run * MB:.0f} B/run"
    if largest >= GROWTH_LARGEST:
        label = f"keep='runs', {largest:,} runs: peak resident size"
    else:  # --quick: the peak at the largest size plus what the runs beyond it would add
        peak += per_run * (GROWTH_LARGEST - largest)
        label = (
            f"keep='runs', {GROWTH_LARGEST:,} runs: peak resident size, projected from "
            f"{before_largest:,} and {largest:,} (quick)"
        )
    rows.append(Row(label, peak, "MB", RUNS_PEAK_TARGET_MB, note=note))
    # Against the size before the largest: both are several whole chunks, so both hold a
    # whole chunk's working set (a smaller size holds less, being one short chunk).
    small = found[(before_largest, "summary", "serial")]
    large = found[(largest, "summary", "serial")]
    rows.append(
        Row(
            f"keep='summary': peak memory of simulate, {largest:,} over {before_largest:,}, serial",
            large.added / small.added,
            "x",
            SUMMARY_FLAT,
            note=f"+{large.added:.1f} MB vs +{small.added:.1f} MB; peak RSS "
            f"{large.peak:,.0f} vs {small.peak:,.0f} MB",
        )
    )
    for keep in KEEPS:
        small, large = found[(SMALL_RUNS, keep, "serial")], found[(largest, keep, "serial")]
        per_small, per_large = small.cpu / SMALL_RUNS, large.cpu / largest
        rows.append(
            Row(
                f"keep={keep!r}: CPU time per run, {largest:,} over {SMALL_RUNS:,}, serial",
                per_large / per_small,
                "x",
                TIME_FLAT,
                note=f"{per_large * US:.2f} vs {per_small * US:.2f} µs/run",
            )
        )
    return rows


# -- the run ------------------------------------------------------------------------------


def differing(mine: ng.SimulationResult, theirs: ng.SimulationResult) -> int:
    """How many runs differ (final stage or a day a stage was reached) between two results."""
    days = np.stack([mine.days_to(stage) for stage in STAGES], axis=1)
    other = np.stack([theirs.days_to(stage) for stage in STAGES], axis=1)
    same_days = ((days == other) | (np.isnan(days) & np.isnan(other))).all(axis=1)
    return int(np.count_nonzero(~same_days | (mine.final_stage != theirs.final_stage)))


def measure(
    settings: Settings, progress: Callable[[str], None]
) -> tuple[list[Row], str, dict[tuple[int, str, str], Grown]]:
    """Every figure, in table order; the sanity table; the growth figures."""
    progress("warm-up: the engine on one chunk, each baseline once (their outcomes kept)")
    ng.simulate(262_144, seed=SEED)
    ng.simulate(262_144, seed=SEED, executor=Serial())
    negotiation_runs(settings.objects)
    pure = pure_runs(settings.pure)
    benches = [
        Bench("engine 1M default", engine_run(RUNS, "default"), RUNS),
        Bench("engine 1M serial", engine_run(RUNS, "serial"), RUNS),
        Bench(
            "engine 100k serial",
            engine_run(SMALL_RUNS, "serial"),
            SMALL_RUNS,
            settings.small_per_round,
        ),
        Bench("Negotiation objects", lambda: negotiation_runs(settings.objects), settings.objects),
        Bench("pure Python", lambda: pure_runs(settings.pure), settings.pure),
    ]
    timings = interleaved(benches, settings.rounds, progress)
    by_name = {bench.name: bench.kept[0] for bench in benches}
    result = by_name["engine 1M serial"]
    assert [o.days for o in by_name["pure Python"]] == [o.days for o in pure]  # the same work
    lines, worst, where = agreement(
        engine_figures(result),
        {
            "objects": baseline_figures(by_name["Negotiation objects"]),
            "pure": baseline_figures(by_name["pure Python"]),
        },
    )
    sanity = aligned(lines)
    changed = differing(result, by_name["engine 1M default"])
    for bench in benches:
        bench.kept.clear()
    del result, by_name

    rows: list[Row] = []
    threads = default_threads()
    # The issue's target is for one process on this machine: the default executor, a
    # thread per core of the process. One thread doing all the work is reported beside it.
    for name, label, target in (
        (
            "engine 1M default",
            f"default executor ({threads} thread(s), one process)",
            SIMULATE_TARGET_S,
        ),
        ("engine 1M serial", "serial, every chunk in the calling thread (info)", None),
    ):
        timing = timings[name]
        rows.append(
            Row(
                f"simulate({RUNS:,}, seed={SEED}), {label}",
                timing.best * RUNS,
                "s",
                target,
                note=f"{timing.best * US:.2f} µs/run",
                median=timing.median * RUNS,
            )
        )
    small = timings["engine 100k serial"]
    rows.append(
        Row(
            f"simulate({SMALL_RUNS:,}, seed={SEED}), serial (info)",
            small.best * SMALL_RUNS,
            "s",
            note=f"{small.best * US:.2f} µs/run",
            median=small.median * SMALL_RUNS,
        )
    )
    rows.append(
        Row(
            f"runs of simulate({RUNS:,}, seed={SEED}) that differ, default vs serial executor",
            changed,
            "runs",
            0,
        )
    )
    baselines = (
        ("Negotiation objects", "Negotiation objects through the dynamics", settings.objects),
        ("pure Python", "lean pure-Python loop of the dynamics", settings.pure),
    )
    for name, label, runs in baselines:
        timing = timings[name]
        rows.append(
            Row(
                f"{label}, {runs:,} runs, per run (info)",
                timing.best * US,
                "us",
                median=timing.median * US,
            )
        )
    for name, factor in (("Negotiation objects", OBJECT_FACTOR), ("pure Python", PURE_FACTOR)):
        theirs = timings[name].best
        for size, mine in ((RUNS, timings["engine 1M serial"]), (SMALL_RUNS, small)):
            rows.append(
                Row(
                    f"engine per run at {size:,} runs, serial, vs {name} (>= {factor:g}x faster)",
                    mine.best * US,
                    "us",
                    theirs / factor * US,
                    note=f"{theirs / mine.best:.1f}x faster",
                    median=mine.median * US,
                )
            )
    rows.append(
        Row(
            "agreement of the three implementations: largest |z| against the engine",
            worst,
            "z",
            AGREEMENT_Z,
            note=where,
        )
    )

    found = grow(settings, progress)
    rows += growth_rows(found, sorted(settings.growth))
    return rows, sanity, found


def _show(value: float, unit: str) -> str:
    if unit == "us":
        return f"{value:.2f} µs"
    if unit == "s":
        return f"{value:.2f} s"
    if unit == "MB":
        return f"{value:,.0f} MB"
    if unit == "z":
        return f"{value:.1f} SE"
    if unit == "runs":
        return f"{value:,.0f} runs"
    return f"{value:.2f}x"


def table(rows: list[Row]) -> str:
    """The rows as an aligned text table."""
    lines = [["measure", "value", "target", "ratio", "result"]]
    for row in rows:
        value = _show(row.value, row.unit) + (f" ({row.note})" if row.note else "")
        if row.target is None:
            lines.append([row.measure, value, "-", "-", "info"])
        else:
            lines.append(
                [
                    row.measure,
                    value,
                    "<= " + _show(row.target, row.unit),
                    f"{row.ratio:.2f}",
                    "PASS" if row.passed else "FAIL",
                ]
            )
    text = aligned(lines).splitlines()
    widths = [max(len(line[i]) for line in lines) for i in range(5)]
    return "\n".join([text[0], "  ".join("-" * width for width in widths), *text[1:]])


def environment(quick: bool) -> dict[str, Any]:
    """Where the figures come from."""
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "negotiations": ng.__version__,
        "numpy": np.__version__,
        "default threads": default_threads(),
        "quick": quick,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a shorter, noisier run, up to 1M")
    parser.add_argument("--json", metavar="PATH", help="also write the figures to PATH as JSON")
    parser.add_argument(
        "--child", nargs=3, metavar=("RUNS", "KEEP", "EXECUTOR"), help=argparse.SUPPRESS
    )
    options = parser.parse_args(argv)
    if options.child:
        child(int(options.child[0]), options.child[1], options.child[2])
        return 0
    settings = QUICK if options.quick else FULL
    env = environment(options.quick)

    def progress(step: str) -> None:
        print(f"  ... {step}", file=sys.stderr, flush=True)

    rows, sanity, found = measure(settings, progress)
    print(
        f"negotiations {env['negotiations']}, numpy {env['numpy']}, Python {env['python']} on "
        f"{env['platform']} ({env['cpus']} CPUs)" + (" [quick]" if options.quick else "")
    )
    print("\nsanity: each baseline's figures against the engine's (z: differences in SE)")
    print(sanity)
    print()
    print(table(rows))
    missed = [row.measure for row in rows if row.passed is False]
    print(f"\n{len(missed)} target(s) missed" + (": " + "; ".join(missed) if missed else ""))
    if options.json:
        figures = {
            "environment": env,
            "settings": {
                **asdict(settings),
                "growth": {str(k): v for k, v in settings.growth.items()},
            },
            "rows": [{**asdict(row), "ratio": row.ratio, "passed": row.passed} for row in rows],
            "sanity": sanity,
            "growth": [asdict(grown) for grown in found.values()],
            "missed": missed,
        }
        with open(options.json, "w", encoding="utf-8") as out:
            json.dump(figures, out, indent=2, ensure_ascii=False)
            out.write("\n")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
