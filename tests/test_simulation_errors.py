"""Simulations refuse bad input before any work starts, each error naming its field.

Every message, ``.path`` and exception class is pinned: invalid :class:`Dynamics`
(and its :class:`Hazard`, :class:`Delay` and :class:`Handovers`), bad arguments of
``simulate``, a process it cannot run (a rule written as a plain Python function),
and an optional package that is not installed (:class:`MissingExtra`, naming the
extra to install).
"""

from __future__ import annotations

import datetime
import sys
from collections.abc import Callable
from concurrent.futures import Executor, Future
from pathlib import Path
from typing import Any

import attrs
import pytest
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
    MissingExtra,
    simulate,
)
from negotiations.conditions import Custom

#: The article's moves, as an error lists them.
ARTICLE_MOVES = (
    "agree_exchange, transfer, amend_terms, open_third_round, convene_leaders, "
    "sign_settlement, raise_humanitarian_issue, resolve_humanitarian_issue, declare_interest, "
    "acknowledge_interest, suspend, resume, collapse"
)
#: The article's moves that can be pledged, as an error lists them.
PLEDGEABLE = "agree_exchange, open_third_round, convene_leaders, sign_settlement"
#: The ceasefire's own dynamics: a monitor's log now and then.
LOGGING = Dynamics(process=CEASEFIRE, moves={"log": Hazard(0.1)}, horizon=30)


def assert_refused(
    call: Callable[[], object], error: type[Exception], path: str, message: str
) -> None:
    """``call`` raises exactly ``error`` with ``message``, naming ``path``."""
    with pytest.raises(error) as caught:
        call()
    assert type(caught.value) is error
    assert str(caught.value) == message
    assert caught.value.path == path  # type: ignore[attr-defined]


# -- the dynamics ---------------------------------------------------------------------------

#: (what is made, the error, its path, its message): each refused as it is made.
BAD_DYNAMICS = {
    "a negative rate": (
        lambda: Hazard(-1),
        InvalidValue,
        "rate",
        "rate must be a finite number of at least 0, not -1",
    ),
    "a negative rate in one stage": (
        lambda: Hazard({"talks": -0.5}),
        InvalidValue,
        "rate.talks",
        "rate.talks must be a finite number of at least 0, not -0.5",
    ),
    "an infinite rate": (
        lambda: Hazard(float("inf")),
        InvalidValue,
        "rate",
        "rate must be a finite number of at least 0, not inf",
    ),
    "a rate in words": (
        lambda: Hazard("fast"),
        InvalidType,
        "rate",
        "rate must be a number, not str",
    ),
    "a rate that is a bool": (
        lambda: Hazard(True),
        InvalidType,
        "rate",
        "rate must be a number, not bool",
    ),
    "a stage that is not named": (
        lambda: Hazard({1: 0.5}),
        InvalidType,
        "rate",
        "rate: a stage is named by a string, not int",
    ),
    "a negative delay": (
        lambda: Delay(-1),
        InvalidValue,
        "low",
        "low must be a finite number of at least 0, not -1",
    ),
    "a delay whose longest is shorter than its shortest": (
        lambda: Delay(10, 5),
        InvalidValue,
        "high",
        "high: the longest delay (5 days) is shorter than the shortest (10 days)",
    ),
    "a probability above 1": (
        lambda: Handovers(civilians=1.5),
        InvalidValue,
        "civilians",
        "civilians must be between 0 and 1, not 1.5",
    ),
    "a probability of 2 of the seriously ill": (
        lambda: Handovers(seriously_ill=2),
        InvalidValue,
        "seriously_ill",
        "seriously_ill must be between 0 and 1, not 2",
    ),
    "a negative probability": (
        lambda: Handovers(young=-0.1),
        InvalidValue,
        "young",
        "young must be a finite number of at least 0, not -0.1",
    ),
    "a handover of nobody": (
        lambda: Handovers(size=0),
        InvalidValue,
        "size",
        "size: a handover releases at least 1 person each side, and the most is at least "
        "the fewest; got (0, 0)",
    ),
    "a handover size range the wrong way round": (
        lambda: Handovers(size=(5, 2)),
        InvalidValue,
        "size",
        "size: a handover releases at least 1 person each side, and the most is at least "
        "the fewest; got (5, 2)",
    ),
    "a handover size in words": (
        lambda: Handovers(size="big"),
        InvalidType,
        "size",
        "size must be a number of people or a (fewest, most) pair of them, not 'big'",
    ),
    "a move the process does not have": (
        lambda: Dynamics(moves={"fly": Hazard(1)}),
        InvalidValue,
        "moves.fly",
        f"moves.fly: the process 'article' has no move 'fly'; its moves are {ARTICLE_MOVES}",
    ),
    "an amendment, whose arguments are not drawn": (
        lambda: Dynamics(moves={"amend_terms": Hazard(1)}),
        InvalidValue,
        "moves.amend_terms",
        "moves.amend_terms: amend_terms cannot be simulated: a move of kind 'amend' needs "
        "arguments the dynamics do not draw",
    ),
    "a rate in a stage the move is not made from": (
        lambda: Dynamics(moves={"collapse": Hazard({"settlement": 0.1})}),
        InvalidValue,
        "moves.collapse.rate.settlement",
        "moves.collapse.rate.settlement: collapse is not a move from 'settlement'; it is made "
        "from talks, exchange, third_round, leaders_meeting, suspended",
    ),
    "a rate in a stage the process does not have": (
        lambda: Dynamics(moves={"collapse": Hazard({"moon": 0.1})}),
        InvalidValue,
        "moves.collapse.rate.moon",
        "moves.collapse.rate.moon: collapse is not a move from 'moon'; it is made from talks, "
        "exchange, third_round, leaders_meeting, suspended",
    ),
    "a move of another process's dynamics": (
        lambda: Dynamics(process=CEASEFIRE, moves={"transfer": Hazard(1)}),
        InvalidValue,
        "moves.transfer",
        "moves.transfer: the process 'ceasefire' has no move 'transfer'; its moves are "
        "withdraw_weapons, sign_accord, report_violation, close_violation, raise_concern, "
        "acknowledge_concern, log, suspend, resume, break_down",
    ),
    "moves that are not a mapping": (
        lambda: Dynamics(moves=[("collapse", Hazard(1))]),
        InvalidType,
        "moves",
        "moves must be a mapping of trigger to Hazard or Delay, not list",
    ),
    "a move timed by a bare number": (
        lambda: Dynamics(moves={"collapse": 0.5}),
        InvalidType,
        "moves.collapse",
        "moves.collapse must be a Hazard or a Delay, not float",
    ),
    "a pledge by a party the process does not have": (
        lambda: Dynamics(pledges=(("france", "open_third_round"),)),
        InvalidValue,
        "pledges[0]",
        "pledges[0]: 'france' is not a party of 'article'; its parties are russia, ukraine",
    ),
    "a pledge of a move the process does not have": (
        lambda: Dynamics(pledges=(("russia", "open_third_round"), ("russia", "fly"))),
        InvalidValue,
        "pledges[1]",
        "pledges[1]: the process 'article' has no move 'fly'",
    ),
    "a pledge of a move that takes arguments": (
        lambda: Dynamics(pledges=(("russia", "transfer"),)),
        InvalidValue,
        "pledges[0].trigger",
        "pledges[0]: trigger: transfer cannot be pledged: it takes tranche, and a pledge "
        f"carries no arguments; moves that can: {PLEDGEABLE}",
    ),
    "a pledge of a move made only while suspended": (
        lambda: Dynamics(pledges=(("ukraine", "resume"),)),
        InvalidValue,
        "pledges[0].trigger",
        "pledges[0]: trigger: resume cannot be pledged: it is made only while the process is "
        f"suspended, when pledges wait; moves that can: {PLEDGEABLE}",
    ),
    "a pledge that is not a pair": (
        lambda: Dynamics(pledges=("russia",)),
        InvalidType,
        "pledges[0]",
        "pledges[0] must be a (party, trigger) pair, not 'russia'",
    ),
    "pledges in one string": (
        lambda: Dynamics(pledges="russia"),
        InvalidType,
        "pledges",
        "pledges must be a sequence of (party, trigger) pairs, not str",
    ),
    "a timed handover without handovers": (
        lambda: Dynamics(moves={"transfer": Hazard(1)}),
        InvalidValue,
        "handovers",
        "handovers: transfer hands people over; say how with handovers=Handovers(...)",
    ),
    "a timed handover of another process without handovers": (
        lambda: Dynamics(process=HOSTAGE_EXCHANGE, moves={"hand_over": Delay(3)}),
        InvalidValue,
        "handovers",
        "handovers: hand_over hands people over; say how with handovers=Handovers(...)",
    ),
    "handovers for a process with no handover": (
        lambda: Dynamics(process=CEASEFIRE, handovers=Handovers()),
        InvalidValue,
        "handovers",
        "handovers: the process 'ceasefire' has no move that hands people over",
    ),
    "handovers as a mapping": (
        lambda: Dynamics(handovers={"size": 3}),
        InvalidType,
        "handovers",
        "handovers must be Handovers, not dict",
    ),
    "a horizon of 0 days": (
        lambda: Dynamics(horizon=0),
        InvalidValue,
        "horizon",
        "horizon must be at least 1 day, not 0",
    ),
    "a horizon of a day and a half": (
        lambda: Dynamics(horizon=1.5),
        InvalidType,
        "horizon",
        "horizon must be a whole number of days, not float",
    ),
    "a horizon that is a bool": (
        lambda: Dynamics(horizon=True),
        InvalidType,
        "horizon",
        "horizon must be a whole number of days, not bool",
    ),
    "a start on the 13th month": (
        lambda: Dynamics(start="2025-13-01"),
        InvalidValue,
        "start",
        "start must be a day of the calendar, not '2025-13-01' (month must be in 1..12)",
    ),
    "a start in words": (
        lambda: Dynamics(start="yesterday"),
        InvalidValue,
        "start",
        "start must be an ISO date, YYYY-MM-DD such as '2025-05-23', not 'yesterday'",
    ),
    "a start with a time of day": (
        lambda: Dynamics(start=datetime.datetime(2025, 5, 16, 9, 0)),
        InvalidType,
        "start",
        "start must be a day, not a datetime with a time of day: give '2025-05-16' or value.date()",
    ),
    "a start as a number": (
        lambda: Dynamics(start=20250516),
        InvalidType,
        "start",
        "start must be a datetime.date or an ISO date string such as '2025-05-23', not int",
    ),
    "a process named, not given": (
        lambda: Dynamics(process="article"),
        InvalidType,
        "process",
        "process must be a Definition, not str",
    ),
}


@pytest.mark.parametrize(
    ("make", "error", "path", "message"), BAD_DYNAMICS.values(), ids=BAD_DYNAMICS.keys()
)
def test_invalid_dynamics_are_refused_as_they_are_made_naming_the_field(
    make: Callable[[], object], error: type[Exception], path: str, message: str
) -> None:
    """Each part of a model a process cannot follow is refused when it is made, with the
    exception class, message and path of the field pinned."""
    assert_refused(make, error, path, message)


def test_good_dynamics_are_made_as_given() -> None:
    """What the refusals above leave through is kept: rates per stage, a delay's range, a
    fixed delay, handovers, pledges, horizon and start (text read as a date)."""
    model = Dynamics(
        moves={"transfer": Hazard({"exchange": 1}), "convene_leaders": Delay(5)},
        handovers=Handovers(size=3, civilians=1),
        pledges=[["russia", "open_third_round"]],
        horizon=1,
        start="2025-05-16",
    )
    assert model.moves["transfer"].at("exchange") == 1.0
    assert model.moves["transfer"].at("third_round") == 0.0
    assert model.moves["convene_leaders"] == Delay(5, 5)
    assert model.handovers == Handovers(size=(3, 3), civilians=1.0)
    assert model.pledges == (("russia", "open_third_round"),)
    assert model.first_day == datetime.date(2025, 5, 16)
    assert Dynamics().first_day == ng.PROCESS.source.date


# -- simulate's arguments -------------------------------------------------------------------


class Recording(Executor):
    """An executor that records what is submitted to it, and runs it."""

    def __init__(self) -> None:
        self.submitted: list[object] = []

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        self.submitted.append(args)
        future: Future[Any] = Future()
        future.set_result(fn(*args, **kwargs))
        return future


#: A process whose rule of the withdrawal is a plain Python function.
CUSTOM = attrs.evolve(
    CEASEFIRE,
    rules=tuple(
        attrs.evolve(rule, condition=Custom(lambda state, arguments: None))
        if rule.id == "withdrawal.violations_closed"
        else rule
        for rule in CEASEFIRE.rules
    ),
)

#: (the keyword arguments besides runs=10**12, the error, its path, its message).
BAD_CALLS = {
    "no runs": (
        {"runs": 0, "seed": 1},
        InvalidValue,
        "runs",
        "runs must be at least 1, not 0",
    ),
    "negative runs": (
        {"runs": -3, "seed": 1},
        InvalidValue,
        "runs",
        "runs must be at least 1, not -3",
    ),
    "runs as a float": (
        {"runs": 1e6, "seed": 1},
        InvalidType,
        "runs",
        "runs must be an int, not float",
    ),
    "a seed as a float": (
        {"seed": 1.0},
        InvalidType,
        "seed",
        "seed must be an int, not float",
    ),
    "a seed that is a bool": (
        {"seed": True},
        InvalidType,
        "seed",
        "seed must be an int, not bool",
    ),
    "a seed in text": (
        {"seed": "1"},
        InvalidType,
        "seed",
        "seed must be an int, not str",
    ),
    "no seed": (
        {"seed": None},
        InvalidType,
        "seed",
        "seed must be an int, not NoneType",
    ),
    "a negative seed": (
        {"seed": -1},
        InvalidValue,
        "seed",
        "seed must be at least 0, not -1",
    ),
    "an unknown process": (
        {"seed": 1, "process": "nope"},
        InvalidValue,
        "process",
        "process: unknown process 'nope'; the package ships 'article', or pass a Definition",
    ),
    "a process that is neither named nor defined": (
        {"seed": 1, "process": 3},
        InvalidType,
        "process",
        "process must be a Definition or the name of one the package ships, not int",
    ),
    "the article's dynamics for another process": (
        {"seed": 1, "process": CEASEFIRE, "dynamics": ARTICLE_DYNAMICS},
        InvalidValue,
        "dynamics",
        "dynamics: it is for the process 'article', not 'ceasefire'",
    ),
    "another process's dynamics for the article": (
        {"seed": 1, "process": "article", "dynamics": LOGGING},
        InvalidValue,
        "dynamics",
        "dynamics: it is for the process 'ceasefire', not 'article'",
    ),
    "a process with no default dynamics": (
        {"seed": 1, "process": CEASEFIRE},
        InvalidValue,
        "dynamics",
        "dynamics: the process 'ceasefire' has no default dynamics; pass "
        "dynamics=Dynamics(process=..., moves=...)",
    ),
    "dynamics as a mapping": (
        {"seed": 1, "dynamics": {"moves": {}}},
        InvalidType,
        "dynamics",
        "dynamics must be a Dynamics, not dict",
    ),
    "terms as a mapping": (
        {"seed": 1, "terms": {"quota": 3}},
        InvalidType,
        "terms",
        "terms must be ExchangeTerms or None, not dict",
    ),
    "a keep that is not one of the two": (
        {"seed": 1, "keep": "all"},
        InvalidValue,
        "keep",
        "keep must be 'runs' (every run's row) or 'summary' (aggregates only), not 'all'",
    ),
    "no keep": (
        {"seed": 1, "keep": None},
        InvalidValue,
        "keep",
        "keep must be 'runs' (every run's row) or 'summary' (aggregates only), not None",
    ),
    "an executor that is not one": (
        {"seed": 1, "executor": map},
        InvalidType,
        "executor",
        "executor must be a concurrent.futures.Executor, not type",
    ),
    "progress in words": (
        {"seed": 1, "progress": "yes"},
        InvalidType,
        "progress",
        "progress must be a bool, not str",
    ),
    "a rule that is a plain Python function": (
        {"seed": 1, "dynamics": Dynamics(process=CUSTOM, moves={"log": Hazard(0.1)})},
        InvalidValue,
        "process",
        "process: rule withdrawal.violations_closed is a plain Python function, which a "
        "simulation cannot evaluate on arrays; write it with the conditions of "
        "negotiations.conditions",
    ),
}


@pytest.mark.parametrize(
    ("arguments", "error", "path", "message"), BAD_CALLS.values(), ids=BAD_CALLS.keys()
)
def test_bad_arguments_are_refused_before_any_work_starts(
    arguments: dict[str, Any], error: type[Exception], path: str, message: str
) -> None:
    """Each bad argument of ``simulate`` is refused with its exception class, message and
    path pinned, before any chunk is simulated: nothing is submitted to the executor, and
    a trillion runs (which no memory holds) are refused as fast as ten."""
    recording = Recording()
    given = {"runs": 10**12, "executor": recording, **arguments}
    assert_refused(lambda: simulate(**given), error, path, message)
    assert recording.submitted == []


def test_an_agreement_with_no_terms_to_agree_on_is_refused() -> None:
    """Dynamics that agree an exchange for a process without terms of its own need terms=
    (and cannot pledge one); with them, the simulation runs."""
    process = attrs.evolve(HOSTAGE_EXCHANGE, terms=None)
    model = Dynamics(process=process, moves={"agree_first_phase": Hazard(0.1)}, horizon=10)
    assert_refused(
        lambda: simulate(10, seed=1, dynamics=model),
        InvalidValue,
        "terms",
        "terms: agree_first_phase agrees an exchange, and the process 'hostages' has no terms "
        "of its own; pass terms=ExchangeTerms(...)",
    )
    assert_refused(  # and no pledge can agree one: a pledge carries no terms
        lambda: Dynamics(process=process, pledges=(("israel", "agree_first_phase"),)),
        InvalidValue,
        "pledges[0].trigger",
        "pledges[0]: trigger: agree_first_phase cannot be pledged: it takes terms, and a "
        "pledge carries no arguments; moves that can: begin_second_phase, "
        "declare_permanent_ceasefire",
    )
    result = simulate(10, seed=1, dynamics=model, terms=HOSTAGE_EXCHANGE.terms)
    assert result.terms == HOSTAGE_EXCHANGE.terms


def test_a_recording_executor_runs_every_chunk_once() -> None:
    """The executor the refusals above leave untouched is used when all is well: one job per
    chunk, and the same runs as on the calling thread."""
    recording = Recording()
    result = simulate(1000, seed=4, executor=recording)
    assert len(recording.submitted) == 1
    assert result.stage_counts() == simulate(1000, seed=4).stage_counts()


# -- missing extras -------------------------------------------------------------------------


def hide(monkeypatch: pytest.MonkeyPatch, *modules: str) -> None:
    """Make importing each of ``modules`` fail, as if it were not installed."""
    for module in modules:
        monkeypatch.setitem(sys.modules, module, None)


@pytest.fixture(scope="module")
def result() -> ng.SimulationResult:
    return simulate(50, seed=1)


def test_simulate_without_numpy_names_the_sim_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without numpy, ``simulate`` says to install the ``sim`` extra (an ImportError naming
    numpy), after checking its arguments."""
    hide(monkeypatch, "numpy")
    with pytest.raises(MissingExtra) as caught:
        simulate(10, seed=1)
    assert str(caught.value) == "simulate needs numpy: pip install 'negotiations[sim]'"
    assert isinstance(caught.value, ImportError)
    assert caught.value.name == "numpy"
    assert_refused(
        lambda: simulate(10, seed=-1),
        InvalidValue,
        "seed",
        "seed must be at least 0, not -1",
    )


@pytest.mark.parametrize(
    ("module", "call", "message"),
    [
        (
            "tqdm",
            lambda result, path: simulate(10, seed=1, progress=True),
            "progress=True needs tqdm: pip install 'negotiations[sim]'",
        ),
        (
            "matplotlib",
            lambda result, path: result.plot(path),
            "plot needs matplotlib: pip install 'negotiations[plot]'",
        ),
        (
            "pandas",
            lambda result, path: result.to_pandas(),
            "to_pandas needs pandas: pip install 'negotiations[frames]'",
        ),
        (
            "pyarrow",
            lambda result, path: result.to_arrow(),
            "to_arrow needs pyarrow: pip install 'negotiations[frames]'",
        ),
    ],
    ids=["tqdm", "matplotlib", "pandas", "pyarrow"],
)
def test_an_optional_part_without_its_package_names_its_extra(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    result: ng.SimulationResult,
    *,
    module: str,
    call: Callable[[ng.SimulationResult, Path], object],
    message: str,
) -> None:
    """A progress bar without tqdm, a plot without matplotlib, data frames without pandas or
    pyarrow: each says which extra to install, and writes nothing."""
    hide(monkeypatch, module)
    with pytest.raises(MissingExtra) as caught:
        call(result, tmp_path / "plot.png")
    assert str(caught.value) == message
    assert caught.value.name == module
    assert not (tmp_path / "plot.png").exists()
