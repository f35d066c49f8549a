"""Threads: every call on a negotiation is atomic, and each negotiation has its own lock."""

from __future__ import annotations

import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import negotiations as ng

WRITERS = 8
TRANSFERS = 500
QUOTA = 1_000_000


@pytest.fixture(autouse=True)
def frequent_thread_switches() -> Iterator[None]:
    """Switch threads far more often than usual, so that races show."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(interval)


def run_together(
    work: Callable[[int], None], count: int, *, readers: list[Callable[[], None]] = ()
) -> list[str]:
    """Run ``work(i)`` for ``i < count`` in threads started together; readers loop while
    they run. Returns every exception raised anywhere, with its traceback."""
    errors: list[BaseException] = []
    start = threading.Barrier(count + len(readers))
    done = threading.Event()

    def writer(index: int) -> None:
        try:
            start.wait()
            work(index)
        except BaseException as error:  # collected, so that the test reports it
            errors.append(error)

    def reader(read: Callable[[], None]) -> None:
        try:
            start.wait()
            while not done.is_set():
                read()
            read()  # once more after every writer has finished
        except BaseException as error:
            errors.append(error)

    writing = [threading.Thread(target=writer, args=(i,)) for i in range(count)]
    reading = [threading.Thread(target=reader, args=(read,)) for read in readers]
    for thread in writing + reading:
        thread.start()
    for thread in writing:
        thread.join(timeout=120)
    done.set()
    for thread in reading:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in writing + reading)
    return ["".join(traceback.format_exception(error)) for error in errors]


def exchange(quota: int = QUOTA) -> ng.Negotiation:
    talks = ng.Negotiation()
    talks.agree_exchange(ng.ExchangeTerms(quota=quota))
    return talks


def assert_consistent(talks: ng.Negotiation) -> None:
    """A negotiation in the exchange whose history is its agreement and then transfers."""
    history = talks.history
    transfers = len(history) - 1
    assert history[0].trigger == "agree_exchange"
    assert all(event.trigger == "transfer" and event.accepted for event in history[1:])
    assert talks.ledger.tranches == transfers
    assert talks.ledger.released[ng.Side.RUSSIA] == transfers
    assert talks.ledger.released[ng.Side.UKRAINE] == transfers


def test_eight_threads_transferring_at_once_lose_no_transfer() -> None:
    talks = exchange()
    returned: list[list[ng.Event]] = [[] for _ in range(WRITERS)]

    def work(index: int) -> None:
        for _ in range(TRANSFERS):
            returned[index].append(talks.transfer(ng.Tranche.even(1)))

    assert run_together(work, WRITERS) == []
    total = WRITERS * TRANSFERS
    assert talks.ledger.tranches == total
    assert talks.ledger.released[ng.Side.RUSSIA] == total
    assert talks.ledger.released[ng.Side.UKRAINE] == total
    transfers = [event for event in talks.history if event.trigger == "transfer"]
    assert len(transfers) == total
    assert len(talks.history) == total + 1
    assert all(len(events) == TRANSFERS for events in returned)
    assert all(event.accepted for events in returned for event in events)
    assert talks.stage is ng.Stage.EXCHANGE
    assert ng.Negotiation.replay(talks.history) == talks
    assert_consistent(talks)


def test_readers_see_a_consistent_negotiation_while_threads_transfer() -> None:
    talks = exchange()
    talks.transfer(ng.Tranche.even(1))  # so that at(-1) is in the exchange too
    seen: dict[str, list[int]] = {"json": [], "at": [], "history": []}

    def work(_: int) -> None:
        for _ in range(150):
            talks.transfer(ng.Tranche.even(1))

    def read_json() -> None:
        snapshot = ng.Negotiation.from_json(talks.to_json())
        assert_consistent(snapshot)
        seen["json"].append(len(snapshot.history))

    def read_at() -> None:
        before = talks.at(-1)
        assert_consistent(before)
        seen["at"].append(len(before.history))

    def read_moves() -> None:
        assert talks.allowed() == talks.allowed()
        assert "transfer" in talks.allowed()
        assert "open_third_round" not in talks.allowed()
        assert [blocker.rule for blocker in talks.blockers("open_third_round")] == [
            "talks.third_round_after_exchange",
            "exchange.quota",
        ]
        assert talks.blockers("transfer") == ()

    def read_history() -> None:
        history = talks.history
        assert history[0].trigger == "agree_exchange"
        assert all(event.trigger == "transfer" for event in history[1:])
        assert history == talks.history[: len(history)]
        seen["history"].append(len(history))

    readers = [read_json, read_at, read_moves, read_history]
    assert run_together(work, 4, readers=readers) == []
    assert_consistent(talks)
    assert len(talks.history) == 4 * 150 + 2
    for lengths in seen.values():
        assert lengths == sorted(lengths)  # a reader never sees the history shrink
    assert seen["json"][-1] == len(talks.history)
    assert seen["at"][-1] == len(talks.history) - 1


def test_refused_moves_from_many_threads_are_each_recorded_once() -> None:
    talks = exchange(quota=1)

    def work(_: int) -> None:
        for _ in range(100):
            with pytest.raises(ng.TransitionBlocked):
                talks.open_third_round()

    assert run_together(work, 4) == []
    assert len(talks.history) == 401
    assert sum(not event.accepted for event in talks.history) == 400
    assert talks.stage is ng.Stage.EXCHANGE
    assert ng.Negotiation.replay(talks.history) == talks


def test_threads_racing_for_a_one_way_move_make_it_exactly_once() -> None:
    for _ in range(20):
        talks = exchange(quota=1)
        talks.transfer(ng.Tranche.even(1))
        results: list[str] = []

        def work(_: int, talks: ng.Negotiation = talks, results: list[str] = results) -> None:
            try:
                talks.open_third_round()
            except ng.TransitionNotAllowed:
                results.append("not allowed")
            else:
                results.append("opened")

        assert run_together(work, 4) == []
        assert sorted(results) == ["not allowed"] * 3 + ["opened"]
        assert talks.stage is ng.Stage.THIRD_ROUND
        assert [event.trigger for event in talks.history].count("open_third_round") == 1


def test_threads_transferring_on_a_journaled_negotiation_leave_a_journal_that_reopens_equal(
    tmp_path: Path,
) -> None:
    path = tmp_path / "talks.jsonl"
    with ng.open(path) as talks:
        talks.agree_exchange(ng.ExchangeTerms(quota=QUOTA))

        def work(index: int) -> None:
            for step in range(100):
                if index == 0 and step % 10 == 0:
                    with pytest.raises(ng.TransitionBlocked):
                        talks.open_third_round()
                else:
                    talks.transfer(ng.Tranche.even(1))

        assert run_together(work, 4) == []
        written = ng.Negotiation.from_json(talks.to_json())
    with ng.open(path) as reopened:
        assert reopened == written
        assert reopened.history == written.history
    assert len(written.history) == 401
    assert written.ledger.tranches == 390
    assert len(path.read_bytes().splitlines()) == 402


def test_two_negotiations_do_not_share_a_lock() -> None:
    first, second = ng.Negotiation(), ng.Negotiation()
    assert first._lock is not second._lock
    assert ng.Negotiation()._lock is not ng.Negotiation()._lock


def test_a_move_waits_for_its_own_negotiation_only() -> None:
    first, second = exchange(), exchange()
    moved = {"first": threading.Event(), "second": threading.Event()}

    def move(name: str, talks: ng.Negotiation) -> threading.Thread:
        def run() -> None:
            talks.transfer(ng.Tranche.even(1))
            moved[name].set()

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        return thread

    with first._lock:  # as if another thread were in the middle of a move on ``first``
        waiting = move("first", first)
        free = move("second", second)
        assert moved["second"].wait(30)  # not held up by ``first``'s move
        assert not moved["first"].wait(0.2)  # ``first`` waits for the move in progress
        assert first.ledger.tranches == 0
    for thread in (waiting, free):
        thread.join(timeout=30)
    assert moved["first"].is_set()
    assert first.ledger.tranches == 1
    assert second.ledger.tranches == 1
