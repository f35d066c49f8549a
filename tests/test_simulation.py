"""Simulations at scale: ``negotiations.simulate`` against the reference ``Negotiation``.

- Differential: for random dynamics (``negotiations.testing.dynamics``) and random
  seeds, runs sampled from a simulation and rebuilt by ``replay(i)`` as real
  negotiations agree with the engine's row (final stage, ledger, moves, the day each
  stage was first reached), and every replayed history obeys the rules, checked here
  event by event. For the article's process, for the two processes of
  :mod:`processes` written as data, and for drawn processes.
- Determinism: the same seed gives the same CSV, byte for byte, run serially, on a
  process pool and on a Dask cluster, over several chunks; another seed differs.
- Statistics: dynamics with a closed-form answer (a single hazard, two competing
  hazards, a uniform delay, handovers at a constant rate) give shares and means
  within four standard errors of the formula (fixed seeds: never flaky).
- The result: counts, days, the summary table, CSV, data frames, a plot, the
  ``keep="summary"`` mode, replay's bad indices, a silent progress bar off a terminal.

Bad input and missing extras are in ``test_simulation_errors``.
"""

from __future__ import annotations

import csv
import datetime
import io
import math
import multiprocessing
import subprocess
import sys
from collections import Counter, defaultdict
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pytest
from hypothesis import (
    HealthCheck,
    Phase,
    currently_in_test_context,
    find,
    given,
    note,
    settings,
)
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from processes import CEASEFIRE, HOSTAGE_EXCHANGE

import negotiations as ng
from negotiations import (
    ARTICLE_DYNAMICS,
    Delay,
    Dynamics,
    Handovers,
    Hazard,
    InvalidType,
    InvalidValue,
    Side,
    SimulationResult,
    Stage,
    simulate,
)
from negotiations._records import PLEDGE_TRIGGERS
from negotiations._simulate import CHUNK
from negotiations._state import State
from negotiations.effects import Agree, AgreeFurther, Close, Open, Transfer
from negotiations.testing import dynamics, exchange_terms, processes

#: Runs per simulation in the differential tests: one chunk, re-run by each replay.
RUNS = 300
#: Any seed a user may pass.
SEEDS = st.integers(min_value=0, max_value=2**64)


def differential(examples: int) -> settings:
    """Settings for a differential test: ``examples`` simulations, each with a few replays."""
    return settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# -- the reference: a replayed run, checked ---------------------------------------------------

#: Moves that the rules allow only once the exchange agreed so far is complete.
AFTER_THE_EXCHANGE = frozenset({"open_third_round", "begin_second_phase"})
#: Moves that the rules allow only once every item of a kind opened has been closed.
AFTER_CLOSING = {
    "convene_leaders": "humanitarian",
    "withdraw_weapons": "violation",
    "sign_accord": "violation",
}


def first_days(talks: ng.Negotiation, first_day: datetime.date) -> dict[str, float]:
    """The day (from ``first_day``) each stage was first reached in ``talks``' history; the
    initial stage on day 0; NaN for a stage never reached."""
    process = talks.process
    days = dict.fromkeys(process.stages, math.nan)
    days[process.initial] = 0.0
    for event in talks.history:
        if event.trigger in PLEDGE_TRIGGERS or not math.isnan(days[event.dest]):
            continue
        assert event.date is not None
        days[event.dest] = float((event.date - first_day).days)
    return days


class Kept:
    """What the rules wait for, added up from a history as it goes: each party's people
    released and the quotas agreed so far, and the items of each kind still open."""

    def __init__(self, process: ng.Definition) -> None:
        self.process = process
        self.released: Counter[str] = Counter()
        self.quotas: Counter[str] = Counter()
        self.opened: dict[str, Counter[str]] = defaultdict(Counter)

    def check(self, trigger: str, where: str) -> None:
        """No third round (second phase) before the exchange is complete; no move that
        waits for the items of a kind while one is open."""
        if trigger in AFTER_THE_EXCHANGE:
            released, quotas = self.released, self.quotas
            short = {
                p: quotas[p] - released[p] for p in self.process.parties if released[p] < quotas[p]
            }
            assert not short, f"{where}: before the exchange was complete (short by {short})"
        if trigger in AFTER_CLOSING:
            still = +self.opened[AFTER_CLOSING[trigger]]
            assert not still, f"{where}: with {dict(still)} still open"

    def add(self, effect: object, arguments: dict[str, Any]) -> None:
        if isinstance(effect, Transfer):
            self.released.update(arguments["tranche"].released)
        if isinstance(effect, Agree | AgreeFurther):
            for party in self.process.parties:
                self.quotas[party] += arguments["terms"].quota_for(party)
        if isinstance(effect, Open):
            self.opened[effect.kind_of_item][arguments["name"]] += 1
        if isinstance(effect, Close):
            self.opened[effect.kind_of_item][arguments["name"]] -= 1


def unmet(
    move: ng.Move, state: State, arguments: dict[str, Any], process: ng.Definition
) -> list[str]:
    """The rules of ``move``'s guard that ``state`` does not meet, and of its checks that
    ``arguments`` do not, each condition asked directly."""
    asked = [(rule, {}) for rule in move.guard] + [(rule, arguments) for rule in move.checks]
    return [
        rule
        for rule, given in asked
        if not process.rule(rule).condition.met(state, given, process)  # type: ignore[union-attr]
    ]


def assert_obeys_the_rules(talks: ng.Negotiation, model: Dynamics) -> None:
    """Every event of a replayed run is one a live negotiation accepts by the rules, checked
    here from the history alone.

    The pledges are made on day 0, before any move comes about by itself; every event is
    accepted and dated, in order, within the horizon; each move is made from the stage it
    was in, with every rule of its guard met by the state before it (re-applied here by
    each move's effect, the rules asked directly) and every check of its arguments met,
    and lands where its move says; nothing but a dropped pledge follows a final stage; a
    pledge is carried out only while not suspended, once; the exchange agreed so far is
    complete (each party has released the quotas agreed so far) before the third round
    or the second phase; every humanitarian issue or violation opened is closed before
    the moves that wait for it.
    The history replays (``Negotiation.replay``) to an equal negotiation.
    """
    process = talks.process
    first = model.first_day
    last = first + datetime.timedelta(days=model.horizon)
    state = ng.Negotiation(process).state
    waiting: list[int] = []
    kept = Kept(process)
    day = first
    by_itself = False  # whether a move came about by itself (not by a pledge) yet
    for at, event in enumerate(talks.history):
        where = f"history[{at}]: {event}"
        assert event.accepted, where
        assert event.date is not None, where
        assert day <= event.date <= last, where
        day = event.date
        if event.trigger in PLEDGE_TRIGGERS:
            assert event.pledge is not None, where
            if event.trigger == "pledge":
                assert not by_itself, f"{where}: a pledge after a move that came about by itself"
                assert event.date == first, where
                waiting.append(event.pledge.number)
            else:
                assert event.trigger == "drop", where
                assert state.stage in process.finals, f"{where}: dropped before the end"
                waiting.remove(event.pledge.number)
            continue
        assert state.stage not in process.finals, f"{where}: a move after the end"
        move = process.move(event.trigger, state.stage)
        assert move is not None, f"{where}: not a move from {state.stage}"
        assert event.source == state.stage, where
        arguments = dict(event.arguments)
        broken = unmet(move, state, arguments, process)
        assert not broken, f"{where}: accepted with {broken} unmet"
        if event.pledge is not None:
            assert state.suspended_from is None, f"{where}: a pledge carried out while suspended"
            waiting.remove(event.pledge.number)
        else:
            by_itself = True
        kept.check(event.trigger, where)
        kept.add(move.effect, arguments)
        dest = state.suspended_from if move.returns else (move.dest or state.stage)
        assert event.dest == dest, where
        state = move.effect.apply(state, arguments, dest, process)
    assert state.stage == talks.stage
    assert state.ledger == talks.ledger
    assert waiting == [pledge.number for pledge in talks.state.pledges]
    assert ng.Negotiation.replay(talks.history, process) == talks


def assert_replay_agrees(result: SimulationResult, run: int) -> ng.Negotiation:
    """Run ``run`` of ``result`` replayed as a real negotiation: it obeys the rules, and ends
    where the engine says, with the same ledger, moves and first days of each stage."""
    talks = result.replay(run)
    if currently_in_test_context():  # a property test: show the run if it fails
        note(f"run {run}:\n{talks.history}")
    process = result.process
    assert talks.stage == result.final_stages()[run]
    assert process.stages.index(talks.stage) == result.final_stage[run]
    for party in process.parties:
        assert talks.ledger.released.get(party, 0) == result.released(party)[run], party
    assert talks.ledger.tranches == result.tranches()[run]
    made = sum(1 for event in talks.history if event.trigger not in PLEDGE_TRIGGERS)
    assert made == result.moves()[run]
    for stage, day in first_days(talks, result.dynamics.first_day).items():
        engine = result.days_to(stage)[run]
        assert (math.isnan(day) and math.isnan(engine)) or day == engine, (stage, day, engine)
    assert_obeys_the_rules(talks, result.dynamics)
    return talks


def check_sampled_runs(result: SimulationResult, data: st.DataObject) -> None:
    """Replay a few runs drawn at random and the run that made the most moves."""
    runs = data.draw(
        st.lists(st.integers(0, result.runs - 1), min_size=1, max_size=3, unique=True),
        label="runs",
    )
    busiest = int(np.argmax(result.moves()))
    for run in {*runs, busiest}:
        assert_replay_agrees(result, run)


# -- differential ---------------------------------------------------------------------------


@differential(30)
@given(
    model=dynamics() | st.just(ARTICLE_DYNAMICS),
    terms=st.none() | exchange_terms(max_quota=2000),
    seed=SEEDS,
    data=st.data(),
)
def test_replayed_runs_of_the_article_agree_with_the_engine_and_obey_the_rules(
    model: Dynamics, terms: ng.ExchangeTerms | None, seed: int, data: st.DataObject
) -> None:
    """For any dynamics of the article's process (the illustrative ones among them), on its
    own terms or any others, and any seed, every sampled run rebuilt by ``replay(i)``
    ends in the stage the engine says,
    with the same ledger (released by each party, handovers), the same number of moves
    and the same first day in each stage (NaN where never reached); and its history
    obeys the rules (see :func:`assert_obeys_the_rules`): no third round before the
    exchange is complete, no leaders' meeting while a humanitarian issue is open, ..."""
    note(repr(model))
    check_sampled_runs(simulate(RUNS, seed=seed, dynamics=model, terms=terms), data)


@pytest.mark.parametrize("process", [CEASEFIRE, HOSTAGE_EXCHANGE], ids=lambda p: p.name)
@differential(25)
@given(seed=SEEDS, data=st.data())
def test_replayed_runs_of_a_process_written_as_data_agree_with_the_engine_and_obey_the_rules(
    process: ng.Definition, seed: int, data: st.DataObject
) -> None:
    """As for the article's process, for a three-party ceasefire (violations as items, a
    suspension, interests every other party acknowledges) and a hostages-for-prisoners
    exchange at one for thirty (quotas per party, a mediator who releases nobody): any
    dynamics, any seed, each sampled run replayed agrees with the engine and obeys the
    rules (no second phase before the first is complete, no withdrawal while a violation
    is open, ...)."""
    model = data.draw(dynamics(process), label="dynamics")
    note(repr(model))
    check_sampled_runs(simulate(RUNS, seed=seed, dynamics=model), data)


@differential(15)
@given(seed=SEEDS, data=st.data())
def test_replayed_runs_of_a_drawn_process_agree_with_the_engine_and_obey_the_rules(
    seed: int, data: st.DataObject
) -> None:
    """For a process the library was not written for (drawn at random), any dynamics and
    any seed, each sampled run replayed agrees with the engine and obeys the rules."""
    process = data.draw(processes(), label="process")
    model = data.draw(dynamics(process), label="dynamics")
    note(repr(model))
    check_sampled_runs(simulate(200, seed=seed, dynamics=model), data)


def test_a_run_whose_pledges_end_the_process_on_day_0_replays() -> None:
    """Pledges that end the process on day 0 (the ceasefire's weapons withdrawn, then the
    accord signed, with nothing open) leave the pledges after them never made: the engine
    drops them, and the replayed run must be the same run, ended in the accord."""
    model = Dynamics(
        process=CEASEFIRE,
        pledges=(("east", "withdraw_weapons"), ("east", "sign_accord"), ("west", "sign_accord")),
        horizon=30,
    )
    result = simulate(1, seed=0, dynamics=model)
    assert result.stage_counts()["accord"] == 1
    assert_replay_agrees(result, 0)


#: A zero delay on a move that is possible again as soon as it is made, simulated in a
#: process of its own (a loop that never ends cannot be stopped from inside: the chunks
#: run on worker threads). It prints what became of it.
ZERO_DELAY = """
import negotiations as ng
try:
    model = ng.Dynamics(moves={"raise_humanitarian_issue": ng.Delay(0)}, horizon=10)
    result = ng.simulate(3, seed=1, dynamics=model)
except ng.InvalidValue as error:
    print("refused", error.path)
else:
    print("finished", result.runs)
"""


def test_a_zero_delay_on_a_move_possible_again_at_once_does_not_hang() -> None:
    """``Delay(0)`` is a valid delay; on a move that stays possible once made (raising a
    humanitarian issue), the simulation either refuses the dynamics, naming the move, or
    ends: it must not make the move again and again at the same instant, forever."""
    try:
        done = subprocess.run(
            [sys.executable, "-c", ZERO_DELAY],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("simulate with Delay(0) on raise_humanitarian_issue ran 10 s without ending")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[0] in {"refused", "finished"}, done.stdout


# -- determinism ----------------------------------------------------------------------------

#: More than two chunks: the last one short.
MANY = 2 * CHUNK + 17
#: The illustrative dynamics over four months (enough to reach every stage, and quick).
QUICK = attrs.evolve(ARTICLE_DYNAMICS, horizon=120)


class Serial(Executor):
    """Runs each job on the calling thread as it is submitted, one after the other."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        future.set_result(fn(*args, **kwargs))
        return future


@pytest.fixture(scope="module")
def serial(tmp_path_factory: pytest.TempPathFactory) -> tuple[SimulationResult, bytes]:
    """:data:`MANY` runs of :data:`QUICK` on the calling thread, and their CSV."""
    result = simulate(MANY, seed=2025, dynamics=QUICK, executor=Serial())
    path = tmp_path_factory.mktemp("serial") / "runs.csv"
    result.to_csv(path)
    return result, path.read_bytes()


def csv_of(result: SimulationResult, path: Path) -> bytes:
    result.to_csv(path)
    return path.read_bytes()


def test_the_same_seed_gives_the_same_csv_serially_on_a_process_pool_and_on_dask(
    serial: tuple[SimulationResult, bytes], tmp_path: Path
) -> None:
    """Three chunks of runs give byte-identical CSV whether run one after the other on the
    calling thread, on the default threads, on a ``ProcessPoolExecutor`` of two workers,
    or on a Dask ``LocalCluster`` through its client's executor: a run depends only on
    the seed, its number and the number of runs."""
    from distributed import Client, LocalCluster  # the dask extra: imported only here

    _, expected = serial
    assert expected.count(b"\n") == MANY + 1
    threaded = simulate(MANY, seed=2025, dynamics=QUICK)
    assert csv_of(threaded, tmp_path / "threads.csv") == expected
    spawn = multiprocessing.get_context("spawn")  # no fork of a process with threads
    with ProcessPoolExecutor(2, mp_context=spawn) as pool:
        pooled = simulate(MANY, seed=2025, dynamics=QUICK, executor=pool)
    assert csv_of(pooled, tmp_path / "pool.csv") == expected
    with (
        LocalCluster(
            processes=False, n_workers=1, threads_per_worker=2, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        clustered = simulate(MANY, seed=2025, dynamics=QUICK, executor=client.get_executor())
    assert csv_of(clustered, tmp_path / "dask.csv") == expected
    assert str(clustered.summary()) == str(pooled.summary())


def test_another_seed_gives_other_runs(
    serial: tuple[SimulationResult, bytes], tmp_path: Path
) -> None:
    """Seeds next to each other give different runs, in every chunk."""
    result, expected = serial
    other = simulate(MANY, seed=2026, dynamics=QUICK)
    assert csv_of(other, tmp_path / "other.csv") != expected
    for first in range(0, MANY, CHUNK):
        rows = slice(first, min(first + CHUNK, MANY))
        assert (other.moves()[rows] != result.moves()[rows]).any(), first


def test_runs_of_later_chunks_replay_as_the_engine_ran_them(
    serial: tuple[SimulationResult, bytes],
) -> None:
    """A run of the second chunk and one of the short last chunk, replayed, agree with the
    engine: each is simulated again in its own chunk, of the size it ran in."""
    result, _ = serial
    for run in (CHUNK + 1, MANY - 1):
        assert_replay_agrees(result, run)


# -- statistics -----------------------------------------------------------------------------

#: Runs in each statistical test: a standard error of at most 0.0036 on a share.
MEASURED = 20_000
#: How many standard errors a measured value may stray from the formula.
TOLERANCE = 4.0


def assert_share(measured: float, expected: float, runs: int = MEASURED) -> None:
    """``measured`` (a share of ``runs``) within :data:`TOLERANCE` standard errors of the
    ``expected`` probability."""
    error = math.sqrt(expected * (1 - expected) / runs)
    assert abs(measured - expected) <= TOLERANCE * max(error, 1 / runs), (measured, expected)


def test_a_single_hazard_agrees_an_exchange_within_the_horizon_as_often_as_the_formula() -> None:
    """With one move, agreeing an exchange at rate ``r`` per day, the share of runs that
    agree one within the horizon ``h`` is ``1 - exp(-r h)``; and by the end of day ``d``
    (the event dated ``floor(t)``), ``1 - exp(-r (d + 1))``."""
    rate, horizon = 0.01, 100
    model = Dynamics(moves={"agree_exchange": Hazard(rate)}, horizon=horizon)
    result = simulate(MEASURED, seed=101, dynamics=model)
    assert_share(result.reached(Stage.EXCHANGE) / MEASURED, 1 - math.exp(-rate * horizon))
    assert result.stage_counts()[Stage.EXCHANGE] == result.reached(Stage.EXCHANGE)
    by_day = result.reached_by_day()[Stage.EXCHANGE]
    for day in (0, 9, 49, 98):
        assert_share(float(by_day[day]), 1 - math.exp(-rate * (day + 1)))
    days = result.days_to(Stage.EXCHANGE)
    for day in (0, 9, 49, 98):  # the rows and the histogram count the same runs
        assert np.sum(days <= day) / MEASURED == by_day[day]
    reached = days[~np.isnan(days)]
    assert reached.min() >= 0
    assert reached.max() <= horizon


def test_competing_hazards_share_the_runs_in_proportion_to_their_rates() -> None:
    """Agreeing an exchange at rate ``a`` and collapsing at rate ``c``, both from the talks:
    a run agrees first with probability ``a / (a + c) (1 - exp(-(a + c) h))`` and collapses
    first with ``c / (a + c) (1 - exp(-(a + c) h))``; the rest are still talking."""
    agree, collapse, horizon = 0.02, 0.01, 50
    model = Dynamics(
        moves={"agree_exchange": Hazard({"talks": agree}), "collapse": Hazard({"talks": collapse})},
        horizon=horizon,
    )
    counts = simulate(MEASURED, seed=202, dynamics=model).stage_counts()
    either = 1 - math.exp(-(agree + collapse) * horizon)
    assert_share(counts[Stage.EXCHANGE] / MEASURED, agree / (agree + collapse) * either)
    assert_share(counts[Stage.COLLAPSED] / MEASURED, collapse / (agree + collapse) * either)
    assert_share(counts[Stage.TALKS] / MEASURED, 1 - either)


def test_a_hazard_of_another_process_breaks_it_down_as_often_as_the_formula() -> None:
    """The ceasefire breaks down at rate ``r`` per day while in force (a rate for that one
    stage): within the horizon ``h`` in a share ``1 - exp(-r h)`` of the runs."""
    rate, horizon = 0.02, 50
    model = Dynamics(
        process=CEASEFIRE, moves={"break_down": Hazard({"ceasefire": rate})}, horizon=horizon
    )
    counts = simulate(MEASURED, seed=303, dynamics=model).stage_counts()
    assert_share(counts["broken"] / MEASURED, 1 - math.exp(-rate * horizon))
    assert counts["broken"] + counts["ceasefire"] == MEASURED


def test_a_delay_is_drawn_uniformly_between_its_bounds() -> None:
    """An exchange agreed ``Delay(10, 50)`` days after the talks start: never before day 10,
    always by day 50, and by the end of day ``d`` in a share ``(d + 1 - 10) / 40``; a fixed
    delay, on its day exactly."""
    model = Dynamics(moves={"agree_exchange": Delay(10, 50)}, horizon=100)
    result = simulate(MEASURED, seed=404, dynamics=model)
    days = result.days_to(Stage.EXCHANGE)
    assert not np.isnan(days).any()
    assert days.min() >= 10
    assert days.max() <= 50
    for day in (14, 29, 44):
        assert_share(float(np.mean(days <= day)), (day + 1 - 10) / 40)
    fixed = Dynamics(moves={"agree_exchange": Delay(20)}, horizon=100)
    assert set(simulate(500, seed=405, dynamics=fixed).days_to(Stage.EXCHANGE)) == {20.0}


def test_handovers_at_a_constant_rate_are_poisson_and_the_pledge_fires_on_day_0() -> None:
    """With the exchange pledged (agreed on day 0) and one person each side handed over at
    rate ``r`` per day, the handovers in a run are Poisson with mean and variance ``r h``
    (the chance does not build up), and each side releases one person per handover."""
    rate, horizon = 0.05, 200
    model = Dynamics(
        moves={"transfer": Hazard(rate)},
        handovers=Handovers(size=1),
        pledges=((Side.UKRAINE, "agree_exchange"),),
        horizon=horizon,
    )
    result = simulate(MEASURED, seed=505, dynamics=model)
    assert set(result.days_to(Stage.EXCHANGE)) == {0.0}
    handovers = result.tranches().astype(np.float64)
    mean = rate * horizon
    assert abs(handovers.mean() - mean) <= TOLERANCE * math.sqrt(mean / MEASURED)
    spread = math.sqrt((mean + 2 * mean**2) / MEASURED)  # the variance's standard error
    assert abs(handovers.var(ddof=1) - mean) <= TOLERANCE * spread
    assert (result.released(Side.RUSSIA) == result.tranches()).all()
    assert (result.released(Side.UKRAINE) == result.tranches()).all()
    assert (result.moves() == result.tranches() + 1).all()


# -- the result -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def article() -> SimulationResult:
    """500 runs of the illustrative dynamics."""
    return simulate(500, seed=5)


def test_a_result_says_what_it_holds(article: SimulationResult) -> None:
    """The runs, seed, kept rows, dynamics and process it was made with."""
    assert (article.runs, article.seed, article.keep) == (500, 5, "runs")
    assert article.dynamics is ARTICLE_DYNAMICS
    assert article.process is ng.PROCESS
    assert repr(article).startswith("<SimulationResult: 500 runs of 'article' (seed 5, ")


def test_stage_counts_list_every_stage_in_order_and_add_up_to_the_runs(
    article: SimulationResult,
) -> None:
    """Every stage of the process, in its order, even one no run ended in; the counts are
    the final stages of the rows, and add up to the runs."""
    counts = article.stage_counts()
    assert list(counts) == list(ng.PROCESS.stages)
    assert sum(counts.values()) == article.runs
    assert counts[Stage.TALKS] == 0
    assert counts == {s: int(np.sum(article.final_stages() == s)) for s in ng.PROCESS.stages}


def test_days_to_a_stage_is_nan_exactly_where_it_was_never_reached(
    article: SimulationResult,
) -> None:
    """``days_to(stage)`` has a day for each run that reached the stage (as many as
    ``reached`` counts) and NaN for the others; the first stage is day 0 for all; and a
    replayed run's first date in the stage, less the first day, is that day."""
    assert (article.days_to(Stage.TALKS) == 0).all()
    first_day = ARTICLE_DYNAMICS.first_day
    for stage in ng.PROCESS.stages:
        days = article.days_to(stage)
        assert int(np.sum(~np.isnan(days))) == article.reached(stage), stage
    settled = article.days_to(Stage.SETTLEMENT)
    some = int(np.flatnonzero(~np.isnan(settled))[0])
    never = int(np.flatnonzero(np.isnan(settled))[0])
    talks = article.replay(some)
    dates = [e.date for e in talks.history if e.dest == Stage.SETTLEMENT and e.date is not None]
    assert settled[some] == (dates[0] - first_day).days
    assert all(e.dest != Stage.SETTLEMENT for e in article.replay(never).history)


def test_the_summary_is_a_table_of_every_stage(article: SimulationResult) -> None:
    """The summary prints the runs and horizon, a header, and a row per stage; each row's
    counts are the result's, and its percentiles the first day by which that share of
    the runs that reached the stage had reached it."""
    summary = article.summary()
    lines = str(summary).splitlines()
    assert lines[0] == "500 runs over 730 days"
    assert lines[1] == ("stage            reached   share  ended  p10 days  median days  p90 days")
    assert [line.split()[0] for line in lines[2:]] == list(ng.PROCESS.stages)
    assert repr(summary) == str(summary)
    counts = article.stage_counts()
    for row in summary.rows:
        assert row.reached == article.reached(row.stage)
        assert row.ended == counts[row.stage]
        assert row.share == row.reached / 500
        days = np.sort(article.days_to(row.stage))[: row.reached]
        for quantile, found in zip((0.1, 0.5, 0.9), (row.p10, row.p50, row.p90), strict=True):
            if not row.reached:
                assert found is None
            else:
                assert found == days[max(1, math.ceil(quantile * row.reached)) - 1]
    talks = next(row for row in summary.rows if row.stage == Stage.TALKS)
    assert (talks.reached, talks.share, talks.p10, talks.p90) == (500, 1.0, 0, 0)


def test_the_csv_has_a_header_and_one_row_per_run_in_run_order(
    article: SimulationResult, tmp_path: Path
) -> None:
    """The header starts ``run,final_stage`` and names every column; then one row per run,
    numbered in order, with its final stage, its days (empty where never reached), what
    each party released, its handovers and its moves."""
    path = tmp_path / "runs.csv"
    article.to_csv(path)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("run,final_stage,days_to_talks,")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == article.header()
    assert article.header()[-2:] == ["tranches", "moves"]
    assert len(rows) == 501
    columns = {name: [row[i] for row in rows[1:]] for i, name in enumerate(rows[0])}
    assert columns["run"] == [str(run) for run in range(500)]
    assert columns["final_stage"] == [str(stage) for stage in article.final_stages()]
    for stage in ng.PROCESS.stages:
        days = article.days_to(stage)
        assert columns[f"days_to_{stage}"] == ["" if math.isnan(d) else str(int(d)) for d in days]
    assert columns["released_russia"] == [str(n) for n in article.released(Side.RUSSIA)]
    assert columns["moves"] == [str(n) for n in article.moves()]


def test_data_frames_have_the_csv_columns(article: SimulationResult) -> None:
    """``to_pandas`` and ``to_arrow`` have the CSV's columns, a row per run, and the days as
    floats with NaN where never reached."""
    frame = article.to_pandas()
    assert list(frame.columns) == article.header()
    assert len(frame) == 500
    assert list(frame["run"]) == list(range(500))
    days = frame["days_to_settlement"].to_numpy()
    np.testing.assert_array_equal(days, article.days_to(Stage.SETTLEMENT))
    table = article.to_arrow()
    assert table.column_names == article.header()
    assert table.num_rows == 500
    assert table.column("final_stage").to_pylist() == list(article.final_stages())


def test_plot_writes_a_png(article: SimulationResult, tmp_path: Path) -> None:
    """``plot(path)`` draws the share of runs that reached each stage by each day as a PNG."""
    path = tmp_path / "reached.png"
    article.plot(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_keep_summary_gives_the_same_aggregates_and_refuses_rows(tmp_path: Path) -> None:
    """With ``keep="summary"`` the same seed gives the same stage counts, summary, days
    histogram, plot and replays as with every row kept; each per-run method says that
    only the summary was kept."""
    model = attrs.evolve(ARTICLE_DYNAMICS, horizon=200)
    rows = simulate(3000, seed=9, dynamics=model)
    summary = simulate(3000, seed=9, dynamics=model, keep="summary")
    assert summary.keep == "summary"
    assert summary.stage_counts() == rows.stage_counts()
    assert str(summary.summary()) == str(rows.summary())
    for stage, shares in rows.reached_by_day().items():
        np.testing.assert_array_equal(summary.reached_by_day()[stage], shares)
    assert summary.replay(7).history == rows.replay(7).history
    summary.plot(tmp_path / "summary.png")
    assert (tmp_path / "summary.png").read_bytes()[:4] == b"\x89PNG"
    refused: list[tuple[str, Callable[[], object]]] = [  # the name each message gives
        ("final_stage", lambda: summary.final_stage),
        ("final_stages", summary.final_stages),
        ("days_to", lambda: summary.days_to(Stage.EXCHANGE)),
        ("released", lambda: summary.released(Side.RUSSIA)),
        ("tranches", summary.tranches),
        ("moves", summary.moves),
        ("to_csv", lambda: summary.to_csv(tmp_path / "no.csv")),
        ("to_pandas", summary.to_pandas),
        ("to_arrow", summary.to_arrow),
    ]
    for what, call in refused:
        with pytest.raises(InvalidValue) as caught:
            call()
        assert caught.value.path == "keep"
        assert str(caught.value) == (
            f"{what}: this result kept only the summary (keep='summary'); simulate "
            "with keep='runs' for a row per run"
        )
    assert not (tmp_path / "no.csv").exists()


@pytest.mark.parametrize(
    ("run", "error", "message"),
    [
        (-1, InvalidValue, "run: -1 is not one of the runs 0 to 499"),
        (500, InvalidValue, "run: 500 is not one of the runs 0 to 499"),
        (1.0, InvalidType, "run must be an int, not float"),
        (True, InvalidType, "run must be an int, not bool"),
        ("3", InvalidType, "run must be an int, not str"),
    ],
)
def test_replay_refuses_a_run_that_is_not_one(
    article: SimulationResult, run: object, error: type[Exception], message: str
) -> None:
    """A run number outside 0 to runs - 1, or not an int, is refused naming ``run``."""
    with pytest.raises(error) as caught:
        article.replay(run)  # type: ignore[arg-type]
    assert str(caught.value) == message
    assert caught.value.path == "run"  # type: ignore[attr-defined]


def test_a_stage_or_party_the_process_does_not_have_is_refused(article: SimulationResult) -> None:
    """``days_to`` and ``reached`` name the stages, ``released`` the parties."""
    with pytest.raises(InvalidValue) as caught:
        article.days_to("moon")
    assert caught.value.path == "stage"
    assert str(caught.value) == (
        "stage: the process 'article' has no stage 'moon'; its stages are talks, exchange, "
        "third_round, leaders_meeting, settlement, suspended, collapsed"
    )
    with pytest.raises(InvalidType, match=r"^stage must be a string, not int$"):
        article.reached(3)  # type: ignore[arg-type]
    with pytest.raises(InvalidValue) as refused:
        article.released("france")
    assert refused.value.path == "party"
    assert str(refused.value) == (
        "party: the process 'article' has no party 'france'; its parties are russia, ukraine"
    )


def test_progress_is_silent_off_a_terminal_and_a_bar_on_one(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``progress=True`` writes nothing when the output is not a terminal (a log, CI), and
    a bar counting the runs when it is."""
    quiet = simulate(2000, seed=3, progress=True)
    assert capsys.readouterr() == ("", "")
    assert quiet.stage_counts() == simulate(2000, seed=3).stage_counts()

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    monkeypatch.setattr(sys, "stderr", screen)
    simulate(2000, seed=3, progress=True)
    assert "simulate: 100%" in screen.getvalue()
    assert "2.00k/2.00k" in screen.getvalue()


# -- the strategy ---------------------------------------------------------------------------


@pytest.mark.parametrize("process", [ng.PROCESS, CEASEFIRE, HOSTAGE_EXCHANGE], ids=lambda p: p.name)
@settings(max_examples=20, deadline=None)
@given(data=st.data())
def test_drawn_dynamics_keep_runs_short(process: ng.Definition, data: st.DataObject) -> None:
    """A drawn dynamics is for the process asked for and within its horizon bounds, and a
    run makes a few dozen moves at most: on average no more than about three per hazard
    (four, for sampling noise), five per delay and one per pledge."""
    model = data.draw(dynamics(process, max_horizon=200))
    assert model.process is process
    assert 30 <= model.horizon <= 200
    result = simulate(200, seed=1, dynamics=model)
    hazards = sum(isinstance(timing, Hazard) for timing in model.moves.values())
    delays = len(model.moves) - hazards
    bound = 4 * hazards + 5 * delays + len(model.pledges)
    assert result.moves().mean() <= bound, (result.moves().mean(), bound)


#: Up to 300 drawn values, none stored, the first that fits kept as drawn (not shrunk).
SEARCH = settings(database=None, max_examples=300, phases=[Phase.generate])


def test_drawn_dynamics_reach_every_kind_of_timing_handovers_and_pledges() -> None:
    """The strategy draws per-stage hazards, ranged delays (of a handover too), several
    pledges with handovers, and start dates."""

    def per_stage(model: Dynamics) -> bool:
        timing = model.moves.get("collapse")
        return isinstance(timing, Hazard) and not isinstance(timing.rate, float)

    def ranged(model: Dynamics) -> bool:
        timing = model.moves.get("transfer")
        return isinstance(timing, Delay) and timing.high > timing.low

    for wanted in (
        per_stage,
        ranged,
        lambda model: model.handovers is not None and len(model.pledges) >= 2,
        lambda model: model.start is not None,
    ):
        assert wanted(find(dynamics(), wanted, settings=SEARCH))


def test_drawn_dynamics_refuse_a_bad_horizon_bound() -> None:
    """``max_horizon`` must be a whole number of days, from 1 to the longest horizon a
    dynamics takes (a hundred years)."""
    with pytest.raises(InvalidArgument, match=r"^max_horizon must be a whole number >= 1, not 0$"):
        dynamics(max_horizon=0)
    with pytest.raises(
        InvalidArgument,
        match=r"^max_horizon must be at most 36500 days \(the longest horizon\), not 36501$",
    ):
        dynamics(max_horizon=36_501)
