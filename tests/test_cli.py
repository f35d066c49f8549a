"""The `negotiations` command: the demo a new user runs first, and the printed views."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

import negotiations as ng
from negotiations._cli import main
from negotiations._story import ARTICLE_STORY, play
from negotiations.diagram import mermaid, rules_table, stages_table


def test_demo_walks_the_article_one_line_per_step(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    step_lines = [line for line in out.splitlines() if line[:3].strip().rstrip(".").isdigit()]
    assert len(step_lines) == len(ARTICLE_STORY)
    assert "Kursk Oblast" in out
    assert "Putin" in step_lines[1]
    assert "Umerov" in step_lines[2]
    assert "REFUSED" in step_lines[6]
    assert "392 of 1000 released by Russia" in step_lines[6]
    assert "(line 8)" in step_lines[6]
    pledged = [line.strip() for line in out.splitlines() if "— pledged by" in line]
    assert len(pledged) == 2
    assert "exchange -> third round — pledged by Russia — when the last tranche" in pledged[0]
    assert "third round -> leaders meeting — pledged by Ukraine" in pledged[1]
    assert out.index(pledged[0]) > out.index(step_lines[8])  # right after the last tranche


def test_the_story_ends_at_the_leaders_meeting_with_the_exchange_complete() -> None:
    talks = ng.Negotiation()
    steps = list(play(ARTICLE_STORY, talks))
    outcomes = [events[0].accepted for _, events in steps]
    assert talks.stage is ng.Stage.LEADERS_MEETING
    assert talks.exchange_complete
    assert talks.ledger.released == {ng.Side.RUSSIA: 1000, ng.Side.UKRAINE: 1000}
    assert talks.ledger.civilians == {ng.Side.RUSSIA: 2, ng.Side.UKRAINE: 2}
    assert outcomes.count(False) == 2  # the premature third round and leaders' meeting
    made_by_pledges = [(e.trigger, e.pledge.side) for _, es in steps for e in es if e.pledge]
    assert made_by_pledges == [
        ("pledge", ng.Side.RUSSIA),
        ("pledge", ng.Side.UKRAINE),
        ("open_third_round", ng.Side.RUSSIA),
        ("convene_leaders", ng.Side.UKRAINE),
    ]
    assert talks.pledges == ()


def test_demo_runs_in_well_under_a_second(capsys: pytest.CaptureFixture[str]) -> None:
    started = time.perf_counter()
    assert main(["demo"]) == 0
    assert time.perf_counter() - started < 1  # about 0.01 s: a tenfold margin and more
    assert "the leaders meet" in capsys.readouterr().out


def test_demo_runs_offline_as_a_command() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "negotiations", "demo"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert "the leaders meet" in done.stdout
    assert done.stderr == ""


@pytest.mark.parametrize(
    ("command", "view"), [("rules", rules_table), ("stages", stages_table), ("diagram", mermaid)]
)
def test_views_print_what_the_definition_renders(
    command: str, view: Callable[[], str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([command]) == 0
    assert capsys.readouterr().out == f"{view()}\n"


def test_no_command_prints_help_and_fails(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "demo" in capsys.readouterr().err


def test_an_unknown_command_is_an_argparse_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["dance"])
    assert exit_info.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_simulate_prints_the_summary_and_writes_the_files(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    csv, png = tmp_path / "runs.csv", tmp_path / "runs.png"
    assert main(["simulate", "500", "--seed", "4", "--csv", str(csv), "--plot", str(png)]) == 0
    out = capsys.readouterr().out
    expected = str(ng.simulate(500, seed=4).summary())
    assert out.startswith(expected + "\n")
    assert f"one row per run written to {csv}" in out
    assert f"plot written to {png}" in out
    assert len(csv.read_text().splitlines()) == 501
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_simulate_refuses_bad_input_with_the_library_s_message(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["simulate", "0"]) == 1
    assert capsys.readouterr().err == "negotiations simulate: runs must be at least 1, not 0\n"
    assert main(["simulate", "10", "--seed", "-3"]) == 1
    assert capsys.readouterr().err == "negotiations simulate: seed must be at least 0, not -3\n"
