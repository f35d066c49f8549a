"""Journals: a negotiation whose every move is appended to a hash-chained JSON Lines file.

Each line is one JSON object. The first is a header; every other holds what
one call recorded, in order: one event, accepted or refused, or the events of
a move together with those its pledges made at once::

    {"sha":"<64 hex>","prev":null,"journal":{"format":3,"process":"article"}}
    {"sha":"<64 hex>","prev":"<sha of the line before>","event":{...}}
    {"sha":"<64 hex>","prev":"<sha of the line before>","events":[{...},{...}]}

A journal begun by an older version of the library goes on in the current
format after a line that says so: a header of the newer format.

``sha`` is the SHA-256 of the line's bytes after the ``"sha":"…",`` prefix, so
changing any byte of a line shows; ``prev`` is the ``sha`` of the line before,
so removing or reordering lines shows. A line is written with one ``write``,
flushed and fsynced before the move returns. On opening, a last line without
its newline (a crash mid-write) is dropped with a warning; any other damage
raises :class:`JournalCorrupted` naming the line. One writer at a time holds an
``flock`` on the file, which the system releases when the writer exits or is
killed.

A hash chain cannot tell that lines were cut from the end; keep
:attr:`Journal.head` elsewhere to check that too.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import threading
import warnings
from collections.abc import Sequence
from pathlib import Path

from negotiations._article import PROCESS
from negotiations._definition import Definition
from negotiations._errors import (
    InvalidType,
    JournalClosed,
    JournalCorrupted,
    JournalError,
    JournalLocked,
    NegotiationError,
)
from negotiations._negotiation import Negotiation, kept_in, restored, start
from negotiations._records import Event
from negotiations._replay import fold_saved
from negotiations._saved import FORMAT, fsync_folder, pledged_in

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None  # type: ignore[assignment]  # journals then refuse to open, saying why

__all__ = ["Journal", "open_journal"]

_PREFIX = b'{"sha":"'
_BODY_AT = len(_PREFIX) + 64 + 2  # the prefix, the hex digest, then '",'
_HEADER_FIELDS = frozenset({"sha", "prev", "journal"})
_EVENT_FIELDS = frozenset({"sha", "prev", "event"})
_EVENTS_FIELDS = frozenset({"sha", "prev", "events"})
#: The format that brought pledges, and lines of several events with them.
_PLEDGES_SINCE = 3
#: The journal formats this library reads; it writes the newest.
_READS = frozenset({2, FORMAT})


def _line(prev: str | None, key: str, value: object) -> tuple[bytes, str]:
    body = (
        json.dumps({"prev": prev, key: value}, ensure_ascii=False, separators=(",", ":")).encode(
            "utf-8"
        )[1:]  # without the opening brace: the prefix supplies it
    )
    sha = hashlib.sha256(body).hexdigest()
    return _PREFIX + sha.encode("ascii") + b'",' + body + b"\n", sha


class Journal:
    """The file behind a journaled negotiation: appends, fsyncs, and holds the writer's lock."""

    __slots__ = (
        "_broken",
        "_cited",
        "_descriptor",
        "_format",
        "_head",
        "_lock",
        "_process",
        "path",
    )

    def __init__(
        self,
        path: Path,
        descriptor: int,
        head: str,
        format_: int = FORMAT,
        process: Definition = PROCESS,
    ) -> None:
        self.path = path
        self._process = process
        self._cited = process.engine.citations
        self._descriptor: int | None = descriptor
        self._head = head
        self._format = format_  # of the lines so far: an older one is marked on next write
        self._broken = False
        self._lock = threading.Lock()

    @property
    def head(self) -> str:
        """The ``sha`` of the last line: record it elsewhere to detect lines cut from the end."""
        return self._head

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` has been called."""
        return self._descriptor is None

    def append(self, events: Sequence[Event]) -> None:
        """Write the events of one call as the next line and fsync it; on failure the file is
        as it was. (A journal of an older format is first marked as going on in this one.)"""
        with self._lock:
            descriptor = self._descriptor
            if descriptor is None:
                raise JournalClosed(f"{self.path}: the journal is closed; reopen it to go on")
            if self._broken:
                raise JournalError(
                    f"{self.path}: an earlier write failed and could not be undone; reopen it"
                )
            line, sha = b"", self._head
            if self._format != FORMAT:
                header = {"format": FORMAT, "process": self._process.name}
                line, sha = _line(sha, "journal", header)
            if len(events) == 1:
                more, sha = _line(sha, "event", events[0].saved(self._cited))
            else:
                more, sha = _line(sha, "events", [event.saved(self._cited) for event in events])
            line += more
            size = os.lseek(descriptor, 0, os.SEEK_END)
            # Broken until the line is written, fsynced and the head moved on: whatever
            # interrupts this (an OSError, a KeyboardInterrupt) either undoes the write or
            # leaves the journal refusing appends, never a half line with more glued on.
            self._broken = True
            try:
                _write_all(descriptor, line)
                os.fsync(descriptor)
            except BaseException:
                try:
                    os.ftruncate(descriptor, size)
                    os.fsync(descriptor)
                except OSError:
                    raise
                else:
                    self._broken = False
                raise
            self._head = sha
            self._format = FORMAT
            self._broken = False

    def close(self) -> None:
        """Release the lock and close the file; later appends raise :class:`JournalClosed`."""
        with self._lock:
            if self._descriptor is not None:
                os.close(self._descriptor)  # closing releases the flock
                self._descriptor = None

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        return f"<Journal {os.fspath(self.path)!r} {state}, head {self._head[:12]}>"


def _write_all(descriptor: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(descriptor, view)
        view = view[written:]


def open_journal(path: str | os.PathLike[str], process: Definition = PROCESS) -> Negotiation:
    """The negotiation of ``process`` kept in the journal at ``path`` (a new one if the file is
    new or empty).

    Every move made on it, accepted or refused, is appended to the file before
    the call returns. Use it as a context manager, or call ``close()``. A journal
    of another process is refused.
    """
    if not isinstance(process, Definition):
        raise InvalidType(f"process must be a Definition, not {type(process).__name__}")
    if not isinstance(path, (str, os.PathLike)):
        raise InvalidType(f"path must be a str or path, not {type(path).__name__}")
    if fcntl is None:  # pragma: no cover - not POSIX
        raise JournalError("journals need POSIX file locks (fcntl), which this platform lacks")
    target = Path(path)
    created = not target.exists()
    descriptor = os.open(target, os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o644)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            if error.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise JournalLocked(
                    f"{target}: the journal is open for writing elsewhere; close it there first"
                ) from None
            raise
        data = _read_all(descriptor)
        complete, torn = _split_torn_tail(data)
        if not complete:
            _check_torn(target, complete, torn)
            header, head = _line(None, "journal", {"format": FORMAT, "process": process.name})
            if torn:
                _drop_torn_tail(target, descriptor, torn, 0)
            _write_all(descriptor, header)
            os.fsync(descriptor)
            if created:
                fsync_folder(target.parent)
            negotiation = Negotiation(process)
            format_ = FORMAT
        else:
            negotiation, head, format_ = _restore(target, complete, process)  # checked first
            _check_torn(target, complete, torn)
            if torn:
                _drop_torn_tail(target, descriptor, torn, len(complete))
    except BaseException:
        os.close(descriptor)
        if created:  # a journal that could not even be started leaves no file behind
            with contextlib.suppress(OSError):
                target.unlink()
        raise
    return kept_in(negotiation, Journal(target, descriptor, head, format_, process))


def _read_all(descriptor: int) -> bytes:
    os.lseek(descriptor, 0, os.SEEK_SET)
    chunks = []
    while chunk := os.read(descriptor, 1 << 20):
        chunks.append(chunk)
    return b"".join(chunks)


def _split_torn_tail(data: bytes) -> tuple[bytes, bytes]:
    """The complete lines, and what follows the last newline (a torn line, or nothing)."""
    keep = data.rfind(b"\n") + 1
    return data[:keep], data[keep:]


def _check_torn(target: Path, complete: bytes, tail: bytes) -> None:
    """Only the start of a journal line counts as torn: any other unfinished last line means
    the file is not a journal, and nothing of it is touched."""
    if tail and not (tail.startswith(_PREFIX) or _PREFIX.startswith(tail)):
        number = complete.count(b"\n") + 1
        raise JournalCorrupted(f"{target}: line {number}: not a journal line")


def _drop_torn_tail(target: Path, descriptor: int, torn: bytes, keep: int) -> None:
    warnings.warn(
        f"{target}: dropped a torn last line ({len(torn)} bytes) left by an interrupted write",
        RuntimeWarning,
        stacklevel=4,
    )
    os.ftruncate(descriptor, keep)
    os.fsync(descriptor)


def _restore(target: Path, data: bytes, process: Definition) -> tuple[Negotiation, str, int]:
    """The negotiation the journal's lines hold, the last line's sha, and the format."""
    lines = data.split(b"\n")[:-1]
    head: str | None = None
    events: list[object] = []
    names: list[str] = []
    format_ = FORMAT
    for number, line in enumerate(lines, start=1):
        where = f"{target}: line {number}"
        record = _checked(where, line, head)
        head = line[len(_PREFIX) : len(_PREFIX) + 64].decode("ascii")
        if number == 1 or "journal" in record:
            format_ = _check_header(where, record, None if number == 1 else format_, process)
            continue
        if format_ < _PLEDGES_SINCE and (
            "events" in record or pledged_in(record.get("event"))
        ):  # pledges came with format 3
            raise JournalCorrupted(f"{where}: a pledge in a format {format_} journal")
        if record.keys() == _EVENT_FIELDS:
            events.append(record["event"])
            names.append(f"{where}: event")
        elif record.keys() == _EVENTS_FIELDS and isinstance(record["events"], list):
            batch = record["events"]
            if len(batch) < 2:  # a single event is written as "event"
                raise JournalCorrupted(f"{where}: a line of events holds at least two")
            events.extend(batch)
            names.extend(f"{where}: events[{i}]" for i in range(len(batch)))
        else:
            raise JournalCorrupted(f"{where}: expected the fields sha, prev and event(s)")
    try:
        state, history = fold_saved(
            process.engine,
            start(process),
            events,
            lambda i: names[i] if i < len(names) else f"{target}: the end",
        )
    except NegotiationError as error:
        raise JournalCorrupted(str(error)) from None
    assert head is not None  # there was at least one line
    return restored(process, state, history), head, format_


def _checked(where: str, line: bytes, prev: str | None) -> dict[str, object]:
    if not line.startswith(_PREFIX) or line[_BODY_AT - 2 : _BODY_AT] != b'",':
        raise JournalCorrupted(f"{where}: not a journal line")
    recorded = line[len(_PREFIX) : _BODY_AT - 2]
    if hashlib.sha256(line[_BODY_AT:]).hexdigest().encode("ascii") != recorded:
        raise JournalCorrupted(f"{where}: the line was changed (its sha does not match)")
    try:
        record = json.loads(line)
    except (ValueError, RecursionError) as error:
        raise JournalCorrupted(f"{where}: not JSON ({error})") from None
    if not isinstance(record, dict):
        raise JournalCorrupted(f"{where}: not a JSON object")
    if record.get("prev") != prev:
        raise JournalCorrupted(
            f"{where}: does not follow the line before (a line was removed, added or moved)"
        )
    return record


def _check_header(
    where: str, record: dict[str, object], current: int | None, process: Definition
) -> int:
    """The format a header starts the journal in (``current`` is None: the first line), or
    moves it on to (a later line)."""
    header = record.get("journal")
    if record.keys() != _HEADER_FIELDS or not isinstance(header, dict):
        raise JournalCorrupted(f"{where}: the first line is not a journal header")
    found = header.get("format")
    if (
        type(found) is not int
        or found not in _READS
        or header.keys() != {"format", "process"}
        or header.get("process") != process.name
    ):
        raise JournalCorrupted(
            f"{where}: a journal of format {header.get('format')!r} for process "
            f"{header.get('process')!r}; this library keeps formats "
            f"{', '.join(map(str, sorted(_READS)))} for {process.name!r}"
        )
    if current is not None and found <= current:
        raise JournalCorrupted(f"{where}: a journal header in the middle of the journal")
    return found
