"""Crashes: a journaling writer killed at any moment loses no move whose call had returned."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import negotiations as ng

KILLS = 50

# Opens the journal named on the command line and makes moves for ever, printing the
# length of the history after every call that returned (accepted or refused alike).
WRITER = """
import sys
import negotiations as ng

talks = ng.open(sys.argv[1])
if talks.stage is ng.Stage.TALKS:
    talks.agree_exchange(ng.ExchangeTerms(quota=10**9))
    print(len(talks.history), flush=True)
while True:
    talks.transfer(ng.Tranche.even(1))
    print(len(talks.history), flush=True)
    try:
        talks.open_third_round()
    except ng.TransitionBlocked:
        pass
    print(len(talks.history), flush=True)
"""


def reopen(path: Path) -> ng.Negotiation:
    """Open and close the journal, allowing only the torn-line warning a crash can leave."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.filterwarnings("ignore", message=".*torn last line", category=RuntimeWarning)
        with ng.open(path) as talks:
            return talks


def run_and_kill(path: Path, lines: int, pause: float) -> int:
    """Start a writer, read ``lines`` of its output, wait ``pause`` s, SIGKILL it.

    Returns the last history length it printed (0 if none): every call up to that
    one had returned before the kill.
    """
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout is not None
        printed = [writer.stdout.readline() for _ in range(lines)]
        if pause:
            time.sleep(pause)
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=30)
        # Read the rest through the same buffered reader readline() used: communicate() would
        # read the pipe underneath it and lose what readline() had already read ahead.
        rest = writer.stdout.read()
        assert writer.stderr is not None
        err = writer.stderr.read()
    finally:
        if writer.poll() is None:
            writer.kill()
            writer.communicate(timeout=30)
    assert writer.returncode == -signal.SIGKILL, err
    assert "Traceback" not in err, err
    printed.extend(rest.splitlines())
    counts = [int(line) for line in printed if line.strip()]
    assert counts == sorted(counts)
    return counts[-1] if counts else 0


def test_a_writer_killed_at_random_moments_loses_no_returned_move(tmp_path: Path) -> None:
    path = tmp_path / "talks.jsonl"
    chooser = random.Random(20250516)
    before: tuple[ng.Event, ...] = ()
    for kill in range(KILLS):
        lines = chooser.choice([0, 0, 1, 2, 3, 5, 8, 13, 21, 34])
        pause = chooser.choice([0.0, 0.0, 0.0, 0.001, 0.003, 0.01, 0.03])
        returned = run_and_kill(path, lines, pause)
        talks = reopen(path)  # the lock was released by the kill: opening succeeds
        history = talks.history
        assert len(history) >= returned, (kill, lines, pause)
        assert len(history) <= max(returned, len(before)) + 1, (kill, lines, pause)
        assert history[: len(before)] == before, kill
        assert ng.Negotiation.replay(history) == talks
        assert talks.stage is (ng.Stage.EXCHANGE if history else ng.Stage.TALKS)
        before = history
    assert len(before) > KILLS  # the writers got somewhere


def test_a_journal_left_by_a_killed_writer_can_be_written_and_reopened(tmp_path: Path) -> None:
    path = tmp_path / "talks.jsonl"
    returned = run_and_kill(path, 10, 0.005)
    assert returned >= 9
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*torn last line", category=RuntimeWarning)
        with ng.open(path) as talks:
            count = len(talks.history)
            talks.transfer(ng.Tranche.even(2))
            talks.suspend("talks stalled")
    again = reopen(path)
    assert len(again.history) == count + 2
    assert again.stage is ng.Stage.SUSPENDED
    assert again == talks
