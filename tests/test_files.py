"""Saving and loading files that never surprise: regular files only, bounded, an open journal
never replaced, no key given twice, and every problem a StorageError naming the path."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import stat
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

import negotiations as ng

DEV_ZERO = Path("/dev/zero")
needs_dev_zero = pytest.mark.skipif(not DEV_ZERO.exists(), reason="no /dev/zero here")


def story() -> ng.Negotiation:
    talks = ng.Negotiation()
    talks.agree_exchange()
    talks.transfer(ng.Tranche.even(2, civilians=True))
    return talks


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe"
    os.mkfifo(path)
    return path


def returns_promptly(
    call: Callable[[], object], *, fifo: Path | None = None
) -> BaseException | None:
    """Run ``call`` in a thread; what it raised, or a failure if it is still running after
    a few seconds (a reader blocked on ``fifo`` is then let go)."""
    caught: list[BaseException | None] = []

    def run() -> None:
        try:
            call()
        except BaseException as error:  # handed to the test to check
            caught.append(error)
        else:
            caught.append(None)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(10)
    if thread.is_alive():
        if fifo is not None:  # let the blocked reader go before failing
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        pytest.fail("the call blocked")
    return caught[0]


# -- save onto an open journal -----------------------------------------------------------------


def test_save_onto_a_journal_open_here_is_refused_and_the_journal_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "talks.jsonl"
    with ng.open(path) as kept:
        kept.agree_exchange()
        before = path.read_bytes()
        with pytest.raises(ng.JournalLocked) as caught:
            story().save(path)
        assert str(caught.value) == (
            f"{path}: a journal open for writing (in this process or another) is at this path; "
            "saving would replace it and lose the moves made on it next: close it first, or "
            "save to another path"
        )
        assert path.read_bytes() == before
        kept.transfer(ng.Tranche.even(5))
    assert names(tmp_path) == ["talks.jsonl"]
    with ng.open(path) as again:
        assert again == kept
        assert len(again.history) == 2


def test_save_onto_a_journal_open_in_another_process_is_refused(tmp_path: Path) -> None:
    from tests.test_journal import HOLD, child

    path = tmp_path / "talks.jsonl"
    writer = child(HOLD, path)
    try:
        assert writer.stdout is not None
        assert writer.stdout.readline().strip() == "ready"
        before = path.read_bytes()
        with pytest.raises(ng.JournalLocked, match="a journal open for writing"):
            story().save(path)
        assert path.read_bytes() == before
    finally:
        writer.communicate("\n", timeout=30)
    assert writer.returncode == 0


def test_save_onto_a_closed_journal_replaces_it(tmp_path: Path) -> None:
    path = tmp_path / "talks.jsonl"
    with ng.open(path) as kept:
        kept.agree_exchange()
    story().save(path)
    assert ng.Negotiation.load(path) == story()


def test_a_journal_appearing_where_a_new_file_was_to_be_saved_is_not_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Between the check and the new name, a writer opens a journal there: it is kept."""
    path = tmp_path / "talks.jsonl"
    real_link = os.link
    opened: list[ng.Negotiation] = []

    def journal_first(source: str, target: str) -> None:
        if not opened:
            opened.append(ng.open(path))
            opened[0].agree_exchange()
        real_link(source, target)

    monkeypatch.setattr(os, "link", journal_first)
    with pytest.raises(ng.JournalLocked, match="a journal open for writing"):
        story().save(path)
    with opened[0] as kept:
        kept.transfer(ng.Tranche.even(1))
    with ng.open(path) as again:
        assert len(again.history) == 2
    assert names(tmp_path) == ["talks.jsonl"]


# -- save writes only a regular file ------------------------------------------------------


def test_save_through_a_link_to_a_file_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    ng.Negotiation().save(real)
    before = real.read_bytes()
    link = tmp_path / "link.json"
    link.symlink_to(real)
    with pytest.raises(ng.StorageError) as caught:
        story().save(link)
    assert str(caught.value) == (
        f"{link}: a symbolic link; save writes only regular files and never replaces what a "
        "link points to: save to the file itself, or remove the link first"
    )
    assert caught.value.filename == str(link)
    assert link.is_symlink()
    assert real.read_bytes() == before


def test_save_through_a_link_to_a_pipe_is_refused_and_the_pipe_stays(
    tmp_path: Path, fifo: Path
) -> None:
    """A link to something that is not a file (as /dev/null would be) is never followed."""
    link = tmp_path / "null.json"
    link.symlink_to(fifo)
    with pytest.raises(ng.StorageError, match="a symbolic link; save writes only regular files"):
        story().save(link)
    assert link.is_symlink()
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_save_through_a_dangling_link_is_refused(tmp_path: Path) -> None:
    link = tmp_path / "link.json"
    link.symlink_to(tmp_path / "nowhere.json")
    with pytest.raises(ng.StorageError, match="a symbolic link"):
        story().save(link)
    assert names(tmp_path) == ["link.json"]


def test_save_onto_a_pipe_is_refused_and_the_pipe_stays(fifo: Path) -> None:
    with pytest.raises(ng.StorageError) as caught:
        story().save(fifo)
    assert str(caught.value) == (
        f"{fifo}: a named pipe (FIFO), not a regular file; save writes only regular files"
    )
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert names(fifo.parent) == ["pipe"]


def test_save_onto_a_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "talks.json"
    folder.mkdir()
    with pytest.raises(ng.StorageError) as caught:
        story().save(folder)
    assert str(caught.value) == (
        f"{folder}: a folder, not a regular file; save writes only regular files"
    )
    assert caught.value.errno == errno.EISDIR
    assert isinstance(caught.value, OSError)
    assert folder.is_dir()
    assert names(tmp_path) == ["talks.json"]


def test_save_into_a_folder_that_does_not_exist_names_it(tmp_path: Path) -> None:
    path = tmp_path / "missing" / "talks.json"
    with pytest.raises(ng.StorageError) as caught:
        story().save(path)
    assert str(caught.value) == (
        f"{path}: cannot be saved: its folder does not exist; create the folder first"
    )
    assert caught.value.errno == errno.ENOENT
    assert caught.value.filename == str(path)


@pytest.mark.parametrize("where", ["write", "fsync"])
def test_a_full_disk_during_save_is_a_storage_error_and_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    path = tmp_path / "talks.json"
    ng.Negotiation().save(path)
    before = path.read_bytes()

    def full(*args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, where, full)
    with pytest.raises(ng.StorageError) as caught:
        story().save(path)
    monkeypatch.undo()
    assert str(caught.value) == (
        f"{path}: cannot be saved: no space left on the device; free some space and try again"
    )
    assert caught.value.errno == errno.ENOSPC
    assert isinstance(caught.value, ng.NegotiationError)
    assert path.read_bytes() == before
    assert names(tmp_path) == ["talks.json"]


def test_a_save_the_system_does_not_permit_names_the_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def denied(*args: object, **kwargs: object) -> int:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(os, "open", denied)
    path = tmp_path / "talks.json"
    with pytest.raises(ng.StorageError) as caught:
        story().save(path)
    monkeypatch.undo()
    assert str(caught.value) == (
        f"{path}: cannot be saved: permission denied; check the permissions of the file and "
        "its folder"
    )
    assert names(tmp_path) == []


# -- loaders read only regular files, within a bound -----------------------------------------


def test_loading_a_pipe_returns_at_once_with_a_storage_error(fifo: Path) -> None:
    error = returns_promptly(lambda: ng.Negotiation.load(fifo), fifo=fifo)
    assert isinstance(error, ng.StorageError)
    assert str(error) == (
        f"{fifo}: a named pipe (FIFO), not a regular file; loaders read only regular files"
    )


@needs_dev_zero
def test_loading_dev_zero_is_refused_without_reading_it() -> None:
    error = returns_promptly(lambda: ng.Negotiation.load(DEV_ZERO))
    assert isinstance(error, ng.StorageError)
    assert str(error) == (
        "/dev/zero: a character device, not a regular file; loaders read only regular files"
    )


@needs_dev_zero
def test_loading_a_link_to_dev_zero_is_refused_naming_the_link(tmp_path: Path) -> None:
    link = tmp_path / "talks.json"
    link.symlink_to(DEV_ZERO)
    error = returns_promptly(lambda: ng.Negotiation.load(link))
    assert isinstance(error, ng.StorageError)
    assert str(error).startswith(f"{link}: a character device, not a regular file")


def test_a_file_larger_than_max_bytes_is_refused_and_a_larger_bound_reads_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "talks.json"
    story().save(path)
    size = path.stat().st_size
    with pytest.raises(ng.StorageError) as caught:
        ng.Negotiation.load(path, max_bytes=100)
    assert str(caught.value) == (
        f"{path}: {size:,} bytes, more than max_bytes=100; pass a larger max_bytes to read it"
    )
    assert caught.value.errno == errno.EFBIG
    assert ng.Negotiation.load(path, max_bytes=size) == story()


@pytest.mark.parametrize(
    ("bound", "error", "message"),
    [
        (0, ng.InvalidValue, "max_bytes: must be at least 1, not 0"),
        (1.5, ng.InvalidType, "max_bytes must be a whole number of bytes, not float"),
        (True, ng.InvalidType, "max_bytes must be a whole number of bytes, not bool"),
    ],
)
def test_a_bad_bound_is_refused_naming_max_bytes(
    tmp_path: Path, bound: object, error: type[Exception], message: str
) -> None:
    path = tmp_path / "talks.json"
    story().save(path)
    with pytest.raises(error) as caught:
        ng.Negotiation.load(path, max_bytes=bound)  # type: ignore[arg-type]  # on purpose
    assert str(caught.value) == message


def test_loading_a_missing_file_is_a_storage_error_that_is_an_os_error(tmp_path: Path) -> None:
    path = tmp_path / "missing.json"
    with pytest.raises(ng.StorageError) as caught:
        ng.Negotiation.load(path)
    assert str(caught.value) == f"{path}: cannot be read: no such file or folder; check the path"
    assert isinstance(caught.value, OSError)
    assert caught.value.errno == errno.ENOENT
    assert caught.value.filename == str(path)


def test_loading_a_folder_is_a_storage_error(tmp_path: Path) -> None:
    with pytest.raises(ng.StorageError) as caught:
        ng.Negotiation.load(tmp_path)
    assert str(caught.value) == (
        f"{tmp_path}: a folder, not a regular file; loaders read only regular files"
    )
    assert caught.value.errno == errno.EISDIR


@pytest.mark.parametrize(
    ("where", "number", "said"),
    [
        (
            "open",
            errno.EACCES,
            "permission denied; check the permissions of the file and its folder",
        ),
        ("read", errno.EINVAL, "invalid argument; check the path and the device"),
    ],
)
def test_what_the_system_refuses_when_loading_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str, number: int, said: str
) -> None:
    path = tmp_path / "talks.json"
    story().save(path)

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError(number, os.strerror(number))

    monkeypatch.setattr(os, where, refuse)
    with pytest.raises(ng.StorageError) as caught:
        ng.Negotiation.load(path)
    monkeypatch.undo()
    assert str(caught.value) == f"{path}: cannot be read: {said}"
    assert caught.value.errno == number


def test_a_path_that_is_not_a_path_is_refused_naming_it() -> None:
    with pytest.raises(ng.InvalidType, match="path must be a str or path, not int"):
        ng.Negotiation.load(3)  # type: ignore[arg-type]  # on purpose
    with pytest.raises(ng.InvalidValue, match="it holds a NUL"):
        ng.Negotiation.load("talks\0.json")


# -- the other kind of file ---------------------------------------------------------------


def test_loading_a_journal_says_to_open_it(tmp_path: Path) -> None:
    path = tmp_path / "talks.jsonl"
    with ng.open(path) as kept:
        kept.agree_exchange()
    with pytest.raises(ng.InvalidValue) as caught:
        ng.Negotiation.load(path)
    assert str(caught.value) == (
        f"{path}: this is a journal, not a saved negotiation; open it with negotiations.open(path)"
    )
    with pytest.raises(ng.InvalidValue, match="this is a journal"):
        ng.Negotiation.from_json(path.read_bytes())


# -- keys given twice ---------------------------------------------------------------------


def test_a_saved_file_naming_events_twice_is_refused_naming_the_key(tmp_path: Path) -> None:
    text = story().to_json()
    doubled = text.replace('"events": [', '"events": [], "events": [', 1)
    with pytest.raises(ng.InvalidValue) as caught:
        ng.Negotiation.from_json(doubled)
    assert str(caught.value) == (
        "events: the key 'events' is given twice in one object; each key may appear once "
        "(the later value would silently replace the earlier)"
    )
    assert caught.value.path == "events"
    path = tmp_path / "talks.json"
    path.write_text(doubled, encoding="utf-8")
    with pytest.raises(ng.InvalidValue, match=rf"^{path}: events: the key 'events' is given"):
        ng.Negotiation.load(path)


def test_a_count_given_twice_is_refused_naming_where_it_stands() -> None:
    data = story().to_dict()
    text = json.dumps(data)
    doubled = text.replace(
        '{"russia": 2, "ukraine": 2}', '{"russia": 7, "ukraine": 2, "russia": 2}'
    )
    assert doubled != text
    with pytest.raises(ng.InvalidValue) as caught:
        ng.Negotiation.from_json(doubled)
    where = "events[1].arguments.tranche.released.russia"
    assert caught.value.path == where
    assert str(caught.value).startswith(f"{where}: the key 'russia' is given twice")


def test_a_journal_line_giving_a_key_twice_is_corrupted_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "talks.jsonl"
    with ng.open(path) as kept:
        kept.agree_exchange()
    header, line = path.read_bytes().splitlines(keepends=True)
    body = line[line.index(b'"prev"') :].replace(
        b'"accepted":true', b'"accepted":false,"accepted":true'
    )
    sha = hashlib.sha256(body.rstrip(b"\n")).hexdigest().encode()
    path.write_bytes(header + b'{"sha":"' + sha + b'",' + body)
    with pytest.raises(ng.JournalCorrupted) as caught:
        ng.open(path)
    assert str(caught.value).startswith(
        f"{path}: line 2: event.accepted: the key 'accepted' is given twice in one object"
    )


def test_reading_a_process_from_a_pipe_returns_at_once(fifo: Path) -> None:
    error = returns_promptly(lambda: ng.read_process(fifo), fifo=fifo)
    assert isinstance(error, ng.InvalidValue)
    assert str(error) == (
        f"{fifo}: a named pipe (FIFO), not a regular file; loaders read only regular files"
    )
