"""Opening journals that never surprise: no writer ever loses its file to another, torn tails
are kept, readers read without a lock, and a journal can start from a negotiation."""

from __future__ import annotations

import errno
import json
import multiprocessing
import os
import threading
import warnings
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import negotiations as ng
import negotiations._journal as journal_module

DEV_ZERO = Path("/dev/zero")
needs_dev_zero = pytest.mark.skipif(not DEV_ZERO.exists(), reason="no /dev/zero here")


def quietly(call: Callable[[], ng.Negotiation]) -> ng.Negotiation:
    """``call()``, turning any warning into an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return call()


def journaled(path: Path) -> ng.Negotiation:
    """Journal two moves at ``path`` and close it; the negotiation it holds."""
    with ng.open(path) as kept:
        kept.agree_exchange()
        kept.transfer(ng.Tranche.even(2, civilians=True))
    return kept


def pledged() -> ng.Negotiation:
    """A negotiation where a transfer let a pledge open the third round by itself."""
    talks = ng.Negotiation()
    talks.agree_exchange(ng.ExchangeTerms(quota=5))
    talks.pledge("russia", "open_third_round")
    talks.transfer(ng.Tranche.even(5))
    talks.raise_humanitarian_issue("missing persons")
    return talks


# -- the creation race ----------------------------------------------------------------------


class _Standing(ModuleType):
    """A module that is ``real`` except for the names given."""

    def __init__(self, real: ModuleType, **given: object) -> None:
        super().__init__(real.__name__)
        self._real = real
        self.__dict__.update(given)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


def _modules_opening_journals() -> list[ModuleType]:
    """The modules that create and lock a journal's file (one or two, as the code is split)."""
    found = [journal_module]
    try:
        import negotiations._journal_files as files_module  # may not exist
    except ImportError:  # pragma: no cover - the code before the fix
        return found
    return [*found, files_module]


def race(
    monkeypatch: pytest.MonkeyPatch, path: Path, winner: str
) -> dict[str, ng.Negotiation | BaseException]:
    """Two threads open the new journal at ``path`` at once, in lockstep: both look for the
    file before either creates it, "first" creates it before "second" opens it, both hold
    it open before either takes the lock, and ``winner`` takes the lock first."""
    looked, locking = threading.Barrier(2, timeout=10), threading.Barrier(2, timeout=10)
    opened, locked = threading.Event(), threading.Event()
    seen: set[tuple[str, str]] = set()
    real_open, real_flock = os.open, journal_module_fcntl().flock

    def once(step: str) -> bool:
        key = (threading.current_thread().name, step)
        if key in seen:
            return False
        seen.add(key)
        return True

    def opening(file: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if os.fspath(file) != os.fspath(path) or not once("open"):
            return real_open(file, flags, *args, **kwargs)
        looked.wait()
        if threading.current_thread().name == "second":
            opened.wait(10)
        try:
            return real_open(file, flags, *args, **kwargs)
        finally:
            opened.set()

    def flocking(descriptor: int, operation: int) -> Any:
        if not once("lock"):
            return real_flock(descriptor, operation)
        locking.wait()
        if threading.current_thread().name != winner:
            locked.wait(10)
        try:
            return real_flock(descriptor, operation)
        finally:
            if threading.current_thread().name == winner:
                locked.set()

    fake_os = _Standing(os, open=opening)
    fake_fcntl = _Standing(journal_module_fcntl(), flock=flocking)
    for module in _modules_opening_journals():
        monkeypatch.setattr(module, "os", fake_os)
        monkeypatch.setattr(module, "fcntl", fake_fcntl, raising=False)
    outcome: dict[str, ng.Negotiation | BaseException] = {}

    def run() -> None:
        try:
            outcome[threading.current_thread().name] = ng.open(path)
        except BaseException as error:  # handed to the test to check
            outcome[threading.current_thread().name] = error

    threads = [threading.Thread(target=run, name=name) for name in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    monkeypatch.undo()
    return outcome


def journal_module_fcntl() -> ModuleType:
    import fcntl  # POSIX only, like journals

    return fcntl


@pytest.mark.parametrize("winner", ["first", "second"], ids=["creator-locks", "opener-locks"])
def test_two_writers_creating_one_journal_never_delete_the_winners_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, winner: str
) -> None:
    """The race driven step by step: the one that loses the lock leaves the file alone."""
    path = tmp_path / "talks.jsonl"
    outcome = race(monkeypatch, path, winner)
    loser = "second" if winner == "first" else "first"
    assert isinstance(outcome[loser], ng.JournalLocked), outcome
    kept = outcome[winner]
    assert isinstance(kept, ng.Negotiation), outcome
    with kept:
        kept.agree_exchange()
        assert kept.journal is not None
        assert path.exists(), "the winner's journal was deleted"
        assert os.stat(path).st_ino == os.fstat(kept.journal._descriptor).st_ino  # type: ignore[arg-type]  # open
    assert names(tmp_path) == ["talks.jsonl"]
    again = quietly(lambda: ng.open(path))
    with again:
        assert again == kept
        assert len(again.history) == 1


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_a_writer_whose_file_was_removed_before_it_took_the_lock_starts_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It never locks, and writes to, a file that is no longer at the path."""
    path = tmp_path / "talks.jsonl"
    real_flock = journal_module_fcntl().flock
    removed: list[int] = []

    def remove_first(descriptor: int, operation: int) -> Any:
        if not removed:
            removed.append(os.fstat(descriptor).st_ino)
            path.unlink()  # as a creator that could not start it would
        return real_flock(descriptor, operation)

    fake_fcntl = _Standing(journal_module_fcntl(), flock=remove_first)
    for module in _modules_opening_journals():
        monkeypatch.setattr(module, "fcntl", fake_fcntl, raising=False)
    with ng.open(path) as kept:
        kept.agree_exchange()
    monkeypatch.undo()
    assert removed
    with ng.open(path) as again:
        assert again == kept


def _contend(path: str, start: Any, done: Any, results: Any) -> None:
    start.wait()
    try:
        kept = ng.open(path)
    except ng.JournalLocked:
        results.put("locked")
        done.wait()
        return
    except BaseException as error:  # reported to the parent
        results.put(f"error: {error!r}")
        done.wait()
        return
    try:
        kept.agree_exchange()
        results.put("wrote")
        done.wait()  # hold it while the others try
    finally:
        kept.close()


def test_writers_racing_in_real_processes_keep_exactly_one_journal(tmp_path: Path) -> None:
    """Three processes create the same new journal at once, 30 times: each time one writes,
    the others are refused, and the move written is in the file."""
    context = multiprocessing.get_context("fork")
    writers = 3
    for round_ in range(30):
        path = tmp_path / f"race-{round_}.jsonl"
        start, done = context.Barrier(writers), context.Barrier(writers)
        results = context.Queue()
        processes = [
            context.Process(target=_contend, args=(str(path), start, done, results))
            for _ in range(writers)
        ]
        for process in processes:
            process.start()
        said = sorted(results.get(timeout=30) for _ in range(writers))
        for process in processes:
            process.join(30)
            assert process.exitcode == 0
        assert said == ["locked"] * (writers - 1) + ["wrote"], (round_, said)
        with ng.open(path) as kept:
            assert len(kept.history) == 1, round_
    assert len(names(tmp_path)) == 30


def test_a_failed_start_of_a_new_journal_removes_only_the_file_it_created(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An empty file that was there before is not removed when the header cannot be written."""
    path = tmp_path / "talks.jsonl"
    path.write_bytes(b"")

    def full(descriptor: int, data: bytes) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(journal_module, "_write_all", full)
    with pytest.raises(ng.StorageError) as caught:
        ng.open(path)
    monkeypatch.undo()
    assert str(caught.value) == (
        f"{path}: cannot be opened as a journal: no space left on the device; free some space "
        "and try again"
    )
    assert path.read_bytes() == b""


# -- torn tails ---------------------------------------------------------------------------------


def test_a_torn_last_line_is_moved_beside_the_journal_and_the_warning_names_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "talks.jsonl"
    journaled(path)
    whole = path.read_bytes()
    complete = whole[: whole.rfind(b"\n", 0, len(whole) - 1) + 1]
    torn = whole[len(complete) : -20]
    path.write_bytes(complete + torn)
    aside = tmp_path / "talks.jsonl.torn-1"
    with pytest.warns(RuntimeWarning) as caught:
        kept = ng.open(path)
    kept.close()
    assert [str(w.message) for w in caught] == [
        f"{path}: a torn last line ({len(torn)} bytes) left by an interrupted write was moved "
        f"to {aside}; the journal goes on from the line before"
    ]
    assert aside.read_bytes() == torn
    assert path.read_bytes() == complete
    assert len(kept.history) == 1


def test_a_second_torn_tail_never_replaces_the_first(tmp_path: Path) -> None:
    path = tmp_path / "talks.jsonl"
    journaled(path)
    complete = path.read_bytes()
    (tmp_path / "talks.jsonl.torn-1").write_bytes(b"kept from before")
    path.write_bytes(complete + b'{"sha":"01')
    with pytest.warns(RuntimeWarning, match=r"moved to .*talks\.jsonl\.torn-2;"):
        ng.open(path).close()
    assert (tmp_path / "talks.jsonl.torn-1").read_bytes() == b"kept from before"
    assert (tmp_path / "talks.jsonl.torn-2").read_bytes() == b'{"sha":"01'
    assert path.read_bytes() == complete


def test_a_torn_tail_that_cannot_be_kept_leaves_the_journal_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "talks.jsonl"
    journaled(path)
    damaged = path.read_bytes() + b'{"sha":"01'
    path.write_bytes(damaged)
    real_fsync = os.fsync

    def full(descriptor: int) -> None:
        if os.fstat(descriptor).st_size == 10:  # the file of the torn tail
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(descriptor)

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(ng.StorageError, match=r"talks\.jsonl\.torn-1: cannot be written: no space"):
        ng.open(path)
    monkeypatch.undo()
    assert path.read_bytes() == damaged
    assert names(tmp_path) == ["talks.jsonl"]


# -- read-only ----------------------------------------------------------------------------------


def test_readers_read_while_a_writer_works_and_never_block_it(tmp_path: Path) -> None:
    path = tmp_path / "talks.jsonl"
    with ng.open(path) as writer:
        writer.agree_exchange()
        reader = quietly(lambda: ng.open(path, read_only=True))
        other = quietly(lambda: ng.open(path, read_only=True))
        writer.transfer(ng.Tranche.even(3))
        assert len(reader.history) == 1
        assert other == reader
        later = quietly(lambda: ng.open(path, read_only=True))
        assert later == writer
    reader.close()
    # a reader open first does not stop a writer either
    with quietly(lambda: ng.open(path, read_only=True)), ng.open(path) as again:
        again.transfer(ng.Tranche.even(1))


def test_moves_on_a_read_only_journal_are_refused_and_change_nothing(tmp_path: Path) -> None:
    path = tmp_path / "talks.jsonl"
    journaled(path)
    before = path.read_bytes()
    reader = quietly(lambda: ng.open(path, read_only=True))
    with pytest.raises(ng.JournalReadOnly) as caught:
        reader.transfer(ng.Tranche.even(1))
    assert str(caught.value) == (
        f"{path}: the journal was opened read-only, so a move would not be kept; open it "
        "without read_only=True to make moves (one writer at a time)"
    )
    assert isinstance(caught.value, ng.JournalClosed)
    with pytest.raises(ng.JournalReadOnly):
        reader.pledge("russia", "open_third_round")
    with pytest.raises(ng.JournalReadOnly):
        reader.open_third_round()  # a refusal would be journaled too
    assert len(reader.history) == 2
    assert path.read_bytes() == before
    assert reader.journal is not None
    assert reader.journal.read_only
    assert repr(reader.journal).startswith(f"<Journal {str(path)!r} read-only, head ")
    reader.close()
    assert repr(reader.journal).startswith(f"<Journal {str(path)!r} closed, head ")
    with pytest.raises(ng.JournalClosed):
        reader.transfer(ng.Tranche.even(1))


def test_a_read_only_open_leaves_a_torn_tail_where_it_is(tmp_path: Path) -> None:
    path = tmp_path / "talks.jsonl"
    journaled(path)
    damaged = path.read_bytes()[:-20]
    path.write_bytes(damaged)
    with pytest.warns(RuntimeWarning) as caught:
        reader = ng.open(path, read_only=True)
    torn = len(damaged) - damaged.rfind(b"\n") - 1
    assert [str(w.message) for w in caught] == [
        f"{path}: a torn last line ({torn} bytes), from a "
        "write under way or interrupted, was left out; the file is unchanged"
    ]
    assert len(reader.history) == 1
    assert path.read_bytes() == damaged
    assert names(tmp_path) == ["talks.jsonl"]


def test_a_read_only_open_keeps_a_complete_last_line_and_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "talks.jsonl"
    kept = journaled(path)
    path.write_bytes(path.read_bytes()[:-1])
    before = path.read_bytes()
    with pytest.warns(RuntimeWarning, match="it is complete and checks out, so it is kept; the"):
        reader = ng.open(path, read_only=True)
    assert reader == kept
    assert path.read_bytes() == before


def test_a_read_only_open_of_a_missing_file_creates_nothing(tmp_path: Path) -> None:
    path = tmp_path / "talks.jsonl"
    with pytest.raises(ng.StorageError, match="cannot be read: no such file or folder"):
        ng.open(path, read_only=True)
    assert names(tmp_path) == []


def test_read_only_with_exclusive_or_start_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "talks.jsonl"
    message = (
        "read_only: a read-only open neither creates nor starts a journal; leave out "
        "exclusive and start"
    )
    with pytest.raises(ng.InvalidValue) as caught:
        ng.open(path, read_only=True, exclusive=True)
    assert str(caught.value) == message
    with pytest.raises(ng.InvalidValue):
        ng.open(path, read_only=True, start=ng.Negotiation())
    with pytest.raises(ng.InvalidType, match="read_only must be True or False, not str"):
        ng.open(path, read_only="yes")  # type: ignore[arg-type]  # on purpose
    assert names(tmp_path) == []


# -- exclusive ----------------------------------------------------------------------------------


def test_exclusive_refuses_an_existing_file_and_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "talks.jsonl"
    journaled(path)
    before = path.read_bytes()
    with pytest.raises(ng.StorageError) as caught:
        ng.open(path, exclusive=True)
    assert str(caught.value) == (
        f"{path}: a file already exists there, and exclusive=True opens only a new journal; "
        "choose a new path, or leave out exclusive to go on with it"
    )
    assert caught.value.errno == errno.EEXIST
    assert path.read_bytes() == before
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    with pytest.raises(ng.StorageError, match="a file already exists there"):
        ng.open(empty, exclusive=True)


def test_exclusive_opens_a_new_journal(tmp_path: Path) -> None:
    path = tmp_path / "talks.jsonl"
    with ng.open(path, exclusive=True) as kept:
        kept.agree_exchange()
    with ng.open(path) as again:
        assert again == kept


# -- start from a negotiation -----------------------------------------------------------------


def test_a_journal_started_from_a_branch_equals_it_and_goes_on(tmp_path: Path) -> None:
    talks = pledged()
    branch = talks.at(-1)
    path = tmp_path / "branch.jsonl"
    with quietly(lambda: ng.open(path, start=branch)) as kept:
        assert kept == branch
        assert kept is not branch
        kept.collapse("a delegation walked out")
    branch.collapse("a delegation walked out")
    with quietly(lambda: ng.open(path)) as again:
        assert again == branch


def test_a_started_journal_keeps_a_call_and_what_its_pledges_did_on_one_line(
    tmp_path: Path,
) -> None:
    talks = pledged()
    path = tmp_path / "talks.jsonl"
    ng.open(path, start=talks).close()
    lines = [json.loads(line) for line in path.read_text("utf-8").splitlines()]
    shapes = [
        [e["trigger"] for e in line["events"]] if "events" in line else [line["event"]["trigger"]]
        for line in lines[1:]
    ]
    assert "journal" in lines[0]
    assert shapes == [
        ["agree_exchange"],
        ["pledge"],
        ["transfer", "open_third_round"],
        ["raise_humanitarian_issue"],
    ]
    assert quietly(lambda: ng.open(path, read_only=True)) == talks
    # the same lines as a journal that was kept move by move
    live = tmp_path / "live.jsonl"
    with ng.open(live) as kept:
        kept.agree_exchange(ng.ExchangeTerms(quota=5))
        kept.pledge("russia", "open_third_round")
        kept.transfer(ng.Tranche.even(5))
        kept.raise_humanitarian_issue("missing persons")
    assert live.read_bytes() == path.read_bytes()


def test_start_refuses_a_file_that_is_not_empty_and_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "talks.jsonl"
    journaled(path)
    before = path.read_bytes()
    with pytest.raises(ng.StorageError) as caught:
        ng.open(path, start=pledged())
    assert str(caught.value) == (
        f"{path}: start= begins a new journal, and this file is not empty; choose a new "
        "path, or leave out start to go on with this journal"
    )
    assert path.read_bytes() == before
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    with ng.open(empty, start=pledged()) as kept:
        assert kept == pledged()


def test_start_refuses_another_process_and_what_is_not_a_negotiation(tmp_path: Path) -> None:
    from tests.processes import CEASEFIRE  # a process of the tests

    path = tmp_path / "talks.jsonl"
    with pytest.raises(ng.InvalidValue) as caught:
        ng.open(path, CEASEFIRE, start=pledged())
    assert str(caught.value) == (
        f"process: start runs the 'article' process, not {CEASEFIRE.name!r}; leave out process "
        "to journal it"
    )
    with pytest.raises(ng.InvalidType, match="start must be a Negotiation, not list"):
        ng.open(path, start=[])  # type: ignore[arg-type]  # on purpose
    assert names(tmp_path) == []
    with ng.open(path, CEASEFIRE, start=ng.Negotiation(CEASEFIRE)) as kept:
        assert kept.process is CEASEFIRE


# -- the other kind of file, and files that are not journals ------------------------------------


def test_opening_a_saved_negotiation_says_to_load_it(tmp_path: Path) -> None:
    path = tmp_path / "talks.json"
    pledged().save(path)
    before = path.read_bytes()
    with pytest.raises(ng.JournalCorrupted) as caught:
        ng.open(path)
    assert str(caught.value) == (
        f"{path}: this is a saved negotiation, not a journal; load it with "
        "Negotiation.load(path), or begin a journal holding it with "
        "negotiations.open(new_path, start=Negotiation.load(path))"
    )
    assert path.read_bytes() == before
    path.write_text(pledged().to_json(), encoding="utf-8")  # one line, no newline
    with pytest.raises(ng.JournalCorrupted, match="this is a saved negotiation"):
        ng.open(path, read_only=True)


def test_opening_a_pipe_as_a_journal_returns_at_once(tmp_path: Path) -> None:
    from tests.test_files import returns_promptly  # shared helper

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for read_only in (False, True):
        error = returns_promptly(lambda flag=read_only: ng.open(fifo, read_only=flag), fifo=fifo)
        assert isinstance(error, ng.StorageError)
        assert str(error).startswith(f"{fifo}: a named pipe (FIFO), not a regular file; ")


@needs_dev_zero
@pytest.mark.parametrize("read_only", [False, True])
def test_opening_dev_zero_or_a_link_to_it_is_refused(tmp_path: Path, read_only: bool) -> None:
    from tests.test_files import returns_promptly  # shared helper

    link = tmp_path / "talks.jsonl"
    link.symlink_to(DEV_ZERO)
    for path in (DEV_ZERO, link):
        error = returns_promptly(lambda: ng.open(path, read_only=read_only))  # noqa: B023  # run at once
        assert isinstance(error, ng.StorageError)
        assert str(error).startswith(f"{path}: a character device, not a regular file; ")


def test_a_journal_larger_than_max_bytes_is_refused_and_left_unlocked(tmp_path: Path) -> None:
    path = tmp_path / "talks.jsonl"
    journaled(path)
    size = path.stat().st_size
    for read_only in (False, True):
        with pytest.raises(ng.StorageError) as caught:
            ng.open(path, read_only=read_only, max_bytes=size - 1)
        assert str(caught.value) == (
            f"{path}: {size:,} bytes, more than max_bytes={size - 1}; pass a larger "
            "max_bytes to read it"
        )
    with ng.open(path, max_bytes=size) as kept:
        assert len(kept.history) == 2


def test_opening_a_folder_as_a_journal_is_a_storage_error(tmp_path: Path) -> None:
    for read_only in (False, True):
        with pytest.raises(ng.StorageError, match="a folder, not a regular file") as caught:
            ng.open(tmp_path, read_only=read_only)
        assert caught.value.errno == errno.EISDIR


def test_a_full_disk_when_a_move_is_journaled_is_a_storage_error_and_nothing_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "talks.jsonl"
    with ng.open(path) as kept:
        kept.agree_exchange()
        before = path.read_bytes()

        def full(descriptor: int, data: bytes) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(os, "write", full)
        with pytest.raises(ng.StorageError) as caught:
            kept.transfer(ng.Tranche.even(1))
        monkeypatch.undo()
        assert str(caught.value) == (
            f"{path}: cannot be written: no space left on the device; free some space and try again"
        )
        assert path.read_bytes() == before
        assert len(kept.history) == 1
        kept.transfer(ng.Tranche.even(2))
    with ng.open(path) as again:
        assert again == kept
