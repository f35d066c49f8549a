"""Simulations at the edges: what no run may do (hang, wrap a count, write through a link),
and processes whose rules or moves the engine must follow exactly as the library does."""

from __future__ import annotations

import os
from pathlib import Path

import attrs
import pytest
from processes import CEASEFIRE, HOSTAGE_EXCHANGE, HOSTAGE_TERMS
from test_simulation import assert_replay_agrees

import negotiations as ng
from negotiations import (
    Definition,
    Delay,
    Dynamics,
    Handovers,
    Hazard,
    InvalidValue,
    Move,
    Rule,
    Source,
    StorageError,
)
from negotiations._cli import main
from negotiations.conditions import AllOf, Proportion, UnderWay
from negotiations.effects import End


def test_terms_of_another_process_are_refused_as_a_live_agreement_refuses_them() -> None:
    with pytest.raises(InvalidValue) as caught:
        ng.simulate(10, seed=1, terms=HOSTAGE_TERMS)
    assert caught.value.path == "terms.quota"
    assert str(caught.value) == "terms.quota: unknown side 'hamas'; expected one of russia, ukraine"


@pytest.mark.parametrize(
    ("timing", "message"),
    [
        (
            Hazard(20.0),
            "moves.log: a rate of 20 a day over a horizon of 730 days would make the move "
            "about 14,600 times in a run; at most 10,000",
        ),
        (
            Hazard({"ceasefire": 1.0, "withdrawal": 14.0}),
            "moves.log: a rate of 14 a day over a horizon of 730 days would make the move "
            "about 10,220 times in a run; at most 10,000",
        ),
        (
            Delay(0, 0.05),
            "moves.log: a delay of at most 0.05 days over a horizon of 730 days could make "
            "the move more than 10,000 times in a run; lengthen it",
        ),
    ],
)
def test_a_timing_that_would_repeat_a_move_without_end_is_refused(
    timing: Hazard | Delay, message: str
) -> None:
    """A run whose time stops moving on (a rate of 1e20, a delay of a nanosecond) would never
    end; every timing is bounded, so no simulation can hang."""
    with pytest.raises(InvalidValue) as caught:
        Dynamics(process=CEASEFIRE, moves={"log": timing})
    assert caught.value.path == "moves.log"
    assert str(caught.value) == message


def test_the_bounds_leave_room_for_a_busy_but_finite_run() -> None:
    model = Dynamics(process=CEASEFIRE, moves={"log": Hazard(10.0)}, horizon=1000)
    result = ng.simulate(3, seed=1, dynamics=model)
    assert result.moves().min() > 9000  # ten thousand expected: the run goes on to the end


def test_a_horizon_past_a_hundred_years_and_a_handover_past_a_million_are_refused() -> None:
    with pytest.raises(InvalidValue) as horizon:
        Dynamics(horizon=36_501)
    assert horizon.value.path == "horizon"
    assert str(horizon.value) == (
        "horizon must be at most 36,500 days (a hundred years), not 36,501"
    )
    with pytest.raises(InvalidValue) as size:
        Handovers(size=(1, 1_000_001))
    assert size.value.path == "size"
    assert (
        str(size.value)
        == "size: a handover releases at most 1,000,000 people each side, not 1,000,001"
    )


def test_a_zero_delay_is_refused_naming_the_field_given() -> None:
    with pytest.raises(InvalidValue) as low:
        Delay(0)
    assert low.value.path == "low"
    assert str(low.value).startswith("low: a delay is longer than 0 days: ")
    with pytest.raises(InvalidValue) as high:
        Delay(0, 0)
    assert high.value.path == "high"


def test_a_handover_check_that_reads_the_state_gates_the_handover() -> None:
    """A check rule may also read the state ("every handover keeps the ratio *and* belongs to
    an exchange under way"): the engine hands over only where the library would accept
    the handover, so every replay agrees."""
    rules = tuple(
        attrs.evolve(rule, condition=AllOf((Proportion(), UnderWay())))
        if rule.id == "exchange.ratio"
        else rule
        for rule in HOSTAGE_EXCHANGE.rules
    )
    process = attrs.evolve(HOSTAGE_EXCHANGE, name="hostages under way", rules=rules)
    model = Dynamics(
        process=process,
        moves={"agree_first_phase": Delay(1), "hand_over": Hazard(1.0)},
        handovers=Handovers(size=(10, 20), seriously_ill=0.5, young=0.5),
        horizon=60,
    )
    result = ng.simulate(20, seed=0, dynamics=model)
    assert (result.released("hamas") < 33 + 20).all()  # nothing after the quota is met
    for run in range(0, 20, 5):
        assert_replay_agrees(result, run)


def test_resume_waits_for_a_stage_to_go_back_to() -> None:
    """A move that ends a suspension without leaving the held stage leaves nothing to
    resume: the library refuses ``resume`` there, and so does the engine."""
    process = attrs.evolve(
        CEASEFIRE,
        name="ceasefire with a stand-down",
        moves=(*CEASEFIRE.moves, Move("stand_down", ("suspended",), effect=End(), doc="x")),
    )
    model = Dynamics(
        process=process,
        moves={"suspend": Delay(1), "stand_down": Delay(1), "resume": Delay(2)},
        horizon=10,
    )
    result = ng.simulate(3, seed=0, dynamics=model)
    assert result.stage_counts()["suspended"] == 3
    assert_replay_agrees(result, 0)


def test_a_process_of_many_stages_runs_to_its_end() -> None:
    stages = tuple(f"s{i}" for i in range(130))
    source = Source(title="t", date="2024-01-01", origin="o", name="s", text="Steps in order.")
    process = Definition(
        name="long",
        source=source,
        parties=("a", "b"),
        stages=stages,
        initial="s0",
        finals=frozenset({"s129"}),
        order_rule="o",
        rules=(Rule("o", "in order", 1, "Steps in order."),),
        moves=tuple(Move(f"m{i}", (f"s{i}",), f"s{i + 1}", doc="step") for i in range(129)),
    )
    model = Dynamics(process=process, moves={f"m{i}": Delay(1) for i in range(129)}, horizon=200)
    result = ng.simulate(2, seed=0, dynamics=model)
    assert list(result.final_stages()) == ["s129", "s129"]
    assert result.days_to("s129")[0] == 129


@pytest.fixture
def small() -> ng.SimulationResult:
    return ng.simulate(50, seed=2)


def test_to_csv_never_writes_through_a_symbolic_link(
    small: ng.SimulationResult, tmp_path: Path
) -> None:
    target = tmp_path / "target.txt"
    target.write_text("kept")
    link = tmp_path / "runs.csv"
    os.symlink(target, link)
    with pytest.raises(StorageError) as caught:
        small.to_csv(link)
    assert "a symbolic link" in str(caught.value)
    assert target.read_text() == "kept"


def test_to_csv_and_plot_into_a_missing_folder_are_storage_errors(
    small: ng.SimulationResult, tmp_path: Path
) -> None:
    for write in (small.to_csv, small.plot):
        path = tmp_path / "missing" / "out"
        with pytest.raises(StorageError) as caught:
            write(path)
        assert str(caught.value) == (
            f"{path}: cannot be saved: its folder does not exist; create the folder first"
        )
    assert list(tmp_path.iterdir()) == []


def test_to_csv_replaces_a_file_whole(small: ng.SimulationResult, tmp_path: Path) -> None:
    path = tmp_path / "runs.csv"
    path.write_text("old\n")
    small.to_csv(path)
    lines = path.read_text().splitlines()
    assert lines[0].startswith("run,final_stage,")
    assert len(lines) == 51
    assert [p.name for p in tmp_path.iterdir()] == ["runs.csv"]  # no temporary left


def test_the_command_refuses_a_missing_folder_before_it_simulates(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    missing = tmp_path / "no" / "runs.csv"
    assert main(["simulate", "10", "--csv", str(missing)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""  # no summary: nothing was simulated
    assert captured.err == f"negotiations simulate: --csv: no folder {missing.parent}\n"
