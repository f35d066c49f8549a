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
flushed and fsynced before the move returns. On opening, a torn last line (a
crash mid-write) is moved to a file beside the journal with a warning naming it,
and a last line that is complete and checks out but lost its newline is kept;
any other damage raises :class:`JournalCorrupted` naming the line. One writer at
a time holds an ``flock`` on the file, which the system releases when the writer
exits or is killed; readers (``read_only=True``) take no lock and write nothing.
How the file is created, locked and read: :mod:`negotiations._journal_files`.

A hash chain cannot tell that lines were cut from the end; keep
:attr:`Journal.head` elsewhere to check that too.
"""

from __future__ import annotations

import contextlib
import copy
import errno
import hashlib
import json
import os
import threading
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path

from negotiations._article import PROCESS
from negotiations._checks import shorten
from negotiations._definition import Definition
from negotiations._errors import (
    InvalidType,
    InvalidValue,
    JournalClosed,
    JournalCorrupted,
    JournalError,
    JournalReadOnly,
    NegotiationError,
    StorageError,
)
from negotiations._files import (
    MAX_BYTES,
    check_max_bytes,
    check_path,
    read_descriptor,
    read_file,
    storage_error,
)
from negotiations._journal_files import FAILED, lock_journal, release, set_aside
from negotiations._json import loads
from negotiations._negotiation import Negotiation, kept_in, restored, start
from negotiations._pledging import by_itself
from negotiations._records import Event
from negotiations._replay import fold_saved
from negotiations._saved import FORMAT, dated_in, fsync_folder, pledged_in

__all__ = ["Journal", "open_journal"]

_PREFIX = b'{"sha":"'
_SHA_AT = len(_PREFIX)
_BODY_AT = _SHA_AT + 64 + 2  # the prefix, the hex digest, then '",'
_HEADER_FIELDS = frozenset({"sha", "prev", "journal"})
_EVENT_FIELDS = frozenset({"sha", "prev", "event"})
_EVENTS_FIELDS = frozenset({"sha", "prev", "events"})
#: The format that brought pledges, and lines of several events with them.
_PLEDGES_SINCE = 3
#: The format that brought dates and citations.
_DATES_SINCE = 4
#: The journal formats this library reads; it writes the newest.
_READS = frozenset({2, 3, FORMAT})


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
        "_closed",
        "_descriptor",
        "_format",
        "_head",
        "_lock",
        "_process",
        "_read_only",
        "path",
    )

    def __init__(
        self,
        path: Path,
        descriptor: int | None,
        head: str,
        format_: int = FORMAT,
        process: Definition = PROCESS,
        *,
        read_only: bool = False,
    ) -> None:
        self.path = path
        self._process = process
        self._cited = process.engine.citations
        self._descriptor = descriptor  # None when read-only: nothing is kept open
        self._head = head
        self._format = format_  # of the lines so far: an older one is marked on next write
        self._broken = False
        self._closed = False
        self._read_only = read_only
        self._lock = threading.Lock()

    @property
    def head(self) -> str:
        """The ``sha`` of the last line: record it elsewhere to detect lines cut from the end."""
        return self._head

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` has been called."""
        return self._closed

    @property
    def read_only(self) -> bool:
        """Whether the journal was opened with ``read_only=True``: it is only read, and moves
        on its negotiation are refused with :class:`JournalReadOnly`."""
        return self._read_only

    def append(self, events: Sequence[Event]) -> None:
        """Write the events of one call as the next line and fsync it; on failure the file is
        as it was. (A journal of an older format is first marked as going on in this one.)"""
        with self._lock:
            descriptor = self._descriptor
            if descriptor is None:
                if self._read_only and not self._closed:
                    raise JournalReadOnly(
                        f"{self.path}: the journal was opened read-only, so a move would not be "
                        "kept; open it without read_only=True to make moves (one writer at a time)"
                    )
                raise JournalClosed(f"{self.path}: the journal is closed; reopen it to go on")
            if self._broken:
                raise JournalError(
                    f"{self.path}: an earlier write failed and could not be undone; reopen it"
                )
            line, sha = b"", self._head
            if self._format != FORMAT:
                header = {"format": FORMAT, "process": self._process.name}
                line, sha = _line(sha, "journal", header)
            more, sha = _call_line(sha, events, self._cited)
            line += more
            size = os.lseek(descriptor, 0, os.SEEK_END)
            # Broken until the line is written, fsynced and the head moved on: whatever
            # interrupts this (an OSError, a KeyboardInterrupt) either undoes the write or
            # leaves the journal refusing appends, never a half line with more glued on.
            self._broken = True
            try:
                _write_all(descriptor, line)
                os.fsync(descriptor)
            except BaseException as error:
                shown = os.fspath(self.path)
                try:
                    os.ftruncate(descriptor, size)
                    os.fsync(descriptor)
                except OSError as undone:
                    raise storage_error(undone, shown, "cannot be written") from error
                else:
                    self._broken = False
                if isinstance(error, OSError) and not isinstance(error, StorageError):
                    raise storage_error(error, shown, "cannot be written") from None
                raise
            self._head = sha
            self._format = FORMAT
            self._broken = False

    def close(self) -> None:
        """Release the lock and close the file; later appends raise :class:`JournalClosed`."""
        with self._lock:
            self._closed = True
            if self._descriptor is not None:
                os.close(self._descriptor)  # closing releases the flock
                self._descriptor = None

    def __repr__(self) -> str:
        state = "closed" if self._closed else "read-only" if self._read_only else "open"
        head = f", head {self._head[:12]}" if self._head else ", empty"
        return f"<Journal {os.fspath(self.path)!r} {state}{head}>"


def _call_line(prev: str, events: Sequence[Event], cited: Mapping[str, str]) -> tuple[bytes, str]:
    """The line of one call's events: one ``"event"``, or several ``"events"``."""
    if len(events) == 1:
        return _line(prev, "event", events[0].saved(cited))
    return _line(prev, "events", [event.saved(cited) for event in events])


def _write_all(descriptor: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(descriptor, view)
        view = view[written:]


def open_journal(
    path: str | os.PathLike[str],
    process: Definition | None = None,
    *,
    read_only: bool = False,
    exclusive: bool = False,
    start: Negotiation | None = None,
    max_bytes: int = MAX_BYTES,
) -> Negotiation:
    """The negotiation of ``process`` kept in the journal at ``path`` (a new one if the file is
    new or empty).

    Every move made on it, accepted or refused, is appended to the file before
    the call returns. Use it as a context manager, or call ``close()``. A journal
    of another process is refused. ``process`` is the article's when left out (or
    ``start``'s).

    - ``read_only=True``: read the journal as it stands, beside a writer or without
      one; no lock is taken and nothing is written (a torn last line is left out
      with a warning, not moved). Moves on the result raise :class:`JournalReadOnly`.
    - ``exclusive=True``: open only a new journal; a file already at ``path`` is
      refused with :class:`StorageError`.
    - ``start=negotiation``: begin a new journal (the file must not exist or be
      empty) holding that negotiation's history, one line per call; the result
      equals it and goes on journaling.
    - ``max_bytes``: the largest file read (1 GiB unless raised).

    A file that is not a regular file, that the system refuses, or that is larger
    than ``max_bytes`` is refused with :class:`StorageError`, naming the path.
    """
    process = _chosen(process, start)
    shown = check_path(path)
    max_bytes = check_max_bytes(max_bytes)
    for name, flag in (("read_only", read_only), ("exclusive", exclusive)):
        if type(flag) is not bool:
            raise InvalidType(f"{name} must be True or False, not {type(flag).__name__}", path=name)
    if read_only and (exclusive or start is not None):
        raise InvalidValue(
            "read_only: a read-only open neither creates nor starts a journal; leave out "
            "exclusive and start",
            path="read_only",
        )
    target = Path(path)
    if read_only:
        data = read_file(target, max_bytes)
        negotiation, head, format_ = _kept(target, data, process, None)
        journal = Journal(target, None, head, format_, process, read_only=True)
        return kept_in(negotiation, journal)
    descriptor, created = lock_journal(target, shown, exclusive=exclusive)
    try:
        data = read_descriptor(descriptor, shown, max_bytes)
        if start is not None:
            if data:
                raise StorageError(
                    f"{shown}: start= begins a new journal, and this file is not empty; "
                    "choose a new path, or leave out start to go on with this journal",
                    filename=shown,
                    errno=errno.EEXIST,
                )
            negotiation, head = _begun(descriptor, shown, copy.copy(start), process)
            format_ = FORMAT
        else:
            negotiation, head, format_ = _kept(target, data, process, descriptor)
        if created:
            fsync_folder(target.parent)
    except BaseException as error:
        release(descriptor, target, created)  # removes only a file this call created
        if isinstance(error, OSError) and not isinstance(error, StorageError):
            raise storage_error(error, shown, FAILED) from None
        raise
    return kept_in(negotiation, Journal(target, descriptor, head, format_, process))


def _chosen(process: Definition | None, begun: Negotiation | None) -> Definition:
    """The process to open a journal of: ``process``, or ``begun``'s, or the article's."""
    if process is not None and not isinstance(process, Definition):
        raise InvalidType(
            f"process must be a Definition, not {type(process).__name__}", path="process"
        )
    if begun is None:
        return PROCESS if process is None else process
    if not isinstance(begun, Negotiation):
        raise InvalidType(f"start must be a Negotiation, not {type(begun).__name__}", path="start")
    if process is not None and process != begun.process:
        raise InvalidValue(
            f"process: start runs the {begun.process.name!r} process, not {process.name!r}; "
            "leave out process to journal it",
            path="process",
        )
    return begun.process


def _kept(
    target: Path, data: bytes, process: Definition, descriptor: int | None
) -> tuple[Negotiation, str, int]:
    """The negotiation the journal's ``data`` holds, its head and format; ``descriptor`` (the
    writer's, ``None`` for a reader) gets a header if the journal is new, and a torn
    last line is set aside from it (a reader leaves the file as it is)."""
    _check_not_saved(target, data)
    complete, torn = _split_torn_tail(data)
    if torn.startswith(_PREFIX):  # perhaps a whole line that only lost its newline
        try:
            found = _restore(target, data + b"\n", process)
        except JournalCorrupted:
            pass  # torn indeed: handled below, once the lines before it are checked
        else:
            if descriptor is None:
                said = "it is complete and checks out, so it is kept; the file is unchanged"
            else:
                _write_all(descriptor, b"\n")
                os.fsync(descriptor)
                said = "it is complete and checks out, so it is kept and its newline put back"
            _warn(f"{target}: the last line has no newline; {said}")
            return found
    if complete:
        negotiation, head, format_ = _restore(target, complete, process)  # checked first
        _check_torn(target, complete, torn)
    else:
        _check_torn(target, complete, torn)
        negotiation, head, format_ = Negotiation(process), "", FORMAT
    if torn:
        if descriptor is None:
            _warn(
                f"{target}: a torn last line ({len(torn)} bytes), from a write under way or "
                "interrupted, was left out; the file is unchanged"
            )
        else:
            aside = set_aside(target, os.fspath(target), torn)
            os.ftruncate(descriptor, len(complete))
            os.fsync(descriptor)
            _warn(
                f"{target}: a torn last line ({len(torn)} bytes) left by an interrupted write "
                f"was moved to {aside}; the journal goes on from the line before"
            )
    if not complete and descriptor is not None:  # a new journal: its header first
        header, head = _line(None, "journal", {"format": FORMAT, "process": process.name})
        _write_all(descriptor, header)
        os.fsync(descriptor)
    return negotiation, head, format_


def _warn(message: str) -> None:
    # Shown at the caller of negotiations.open: _warn, _kept, open_journal, the caller.
    warnings.warn(message, RuntimeWarning, stacklevel=4)


def _begun(
    descriptor: int, shown: str, negotiation: Negotiation, process: Definition
) -> tuple[Negotiation, str]:
    """``negotiation`` (a copy of ``start``) written to the empty journal at ``descriptor``:
    the header, then one line for each call and the moves its pledges made by themselves."""
    header, head = _line(None, "journal", {"format": FORMAT, "process": process.name})
    lines = [header]
    cited = process.engine.citations
    call: list[Event] = []
    for event in negotiation.history:
        if call and not by_itself(event):
            line, head = _call_line(head, call, cited)
            lines.append(line)
            call = []
        call.append(event)
    if call:
        line, head = _call_line(head, call, cited)
        lines.append(line)
    try:
        _write_all(descriptor, b"".join(lines))
        os.fsync(descriptor)
    except OSError as error:
        with contextlib.suppress(OSError):
            os.ftruncate(descriptor, 0)  # the file was empty: it is again
        raise storage_error(error, shown, FAILED) from None
    return negotiation, head


def _check_not_saved(target: Path, data: bytes) -> None:
    """Refuse a saved negotiation given as a journal, saying which function opens it."""
    if not data or data.startswith(_PREFIX) or _PREFIX.startswith(data):
        return
    try:
        document = loads(data)
    except (ValueError, RecursionError):
        return  # not JSON at all: named as "not a journal line" by the checks
    if isinstance(document, dict) and "events" in document and "format" in document:
        raise JournalCorrupted(
            f"{target}: this is a saved negotiation, not a journal; load it with "
            "Negotiation.load(path), or begin a journal holding it with "
            "negotiations.open(new_path, start=Negotiation.load(path))"
        )


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


def _restore(target: Path, data: bytes, process: Definition) -> tuple[Negotiation, str, int]:
    """The negotiation the journal's lines hold, the last line's sha, and the format.

    Every line's sha is checked first; then all lines are decoded in one JSON call (a
    call per line cost more than decoding a line). Only if that fails is each line
    decoded on its own, to name the one at fault.
    """
    lines = data.split(b"\n")
    del lines[-1]  # what follows the last newline: nothing (a torn tail was taken off)
    digest = hashlib.sha256
    for number, line in enumerate(lines, start=1):
        if (
            line[:_SHA_AT] != _PREFIX
            or line[_BODY_AT - 2 : _BODY_AT] != b'",'
            or digest(line[_BODY_AT:]).hexdigest().encode("ascii") != line[_SHA_AT : _BODY_AT - 2]
        ):
            _checked(f"{target}: line {number}", line, None)  # says which check failed
    records = _decoded_together(lines)
    head: str | None = None
    events: list[object] = []
    #: Where each event stands: its line, and its place in a line of several (-1: alone).
    at: list[tuple[int, int]] = []
    format_ = FORMAT
    for number, line in enumerate(lines, start=1):
        record = records[number - 1] if records is not None else None
        sha = line[_SHA_AT : _BODY_AT - 2].decode("ascii")
        if type(record) is not dict or record.get("prev") != head or record.get("sha") != sha:
            # Not this line's own, as it should be: a line of two values shifts the rest.
            # Each line up to here, decoded on its own, either holds up or is named with
            # what is wrong; from here on each line is decoded on its own.
            _check_each(target, lines[: number - 1])
            record = _checked(f"{target}: line {number}", line, head)
            records = None
        head = sha
        if number == 1 or "journal" in record:
            where = f"{target}: line {number}"
            format_ = _check_header(where, record, None if number == 1 else format_, process)
            continue
        if format_ < FORMAT:
            _check_older(f"{target}: line {number}", record, format_)
        if len(record) == 3 and "event" in record:  # the fields sha, prev and event
            events.append(record["event"])
            at.append((number, -1))
        elif record.keys() == _EVENTS_FIELDS and isinstance(record["events"], list):
            batch = record["events"]
            if len(batch) < 2:  # a single event is written as "event"
                raise JournalCorrupted(
                    f"{target}: line {number}: a line of events holds at least two"
                )
            events.extend(batch)
            at.extend((number, i) for i in range(len(batch)))
        else:
            raise JournalCorrupted(
                f"{target}: line {number}: expected the fields sha, prev and event(s)"
            )

    def name(i: int) -> str:
        if i >= len(at):
            return f"{target}: the end"
        number, place = at[i]
        return f"{target}: line {number}: " + ("event" if place < 0 else f"events[{place}]")

    try:
        state, history = fold_saved(process.engine, start(process), events, name)
    except NegotiationError as error:
        raise JournalCorrupted(str(error)) from None
    assert head is not None  # there was at least one line
    return restored(process, state, history), head, format_


def _check_each(target: Path, lines: list[bytes]) -> None:
    """Decode each of ``lines`` (the first of the journal) on its own, naming the first that
    does not hold up."""
    head: str | None = None
    for number, line in enumerate(lines, start=1):
        _checked(f"{target}: line {number}", line, head)
        head = line[_SHA_AT : _BODY_AT - 2].decode("ascii")


def _decoded_together(lines: list[bytes]) -> list[object] | None:
    """Every line decoded, in one JSON call; ``None`` if that fails (a line that is not JSON,
    or gives a key twice), so that each line is then decoded on its own and named."""
    try:
        decoded = loads(b"[" + b",".join(lines) + b"]")
    except (ValueError, RecursionError):  # InvalidValue (a key twice) is a ValueError too
        return None
    if type(decoded) is not list or len(decoded) != len(lines):  # a line of several values
        return None
    return decoded


def _check_older(where: str, record: Mapping[str, object], format_: int) -> None:
    """A line of an older format holds nothing that format did not know."""
    if format_ < _PLEDGES_SINCE and (
        "events" in record or pledged_in(record.get("event"))
    ):  # pledges came with format 3
        raise JournalCorrupted(f"{where}: a pledge in a format {format_} journal")
    if format_ < _DATES_SINCE and (
        dated_in(record.get("event"))
        or any(dated_in(event) for event in _listed(record.get("events")))
    ):  # dates came with format 4
        raise JournalCorrupted(f"{where}: a date or citation in a format {format_} journal")


def _listed(value: object) -> list[object]:
    return value if isinstance(value, list) else []


def _checked(where: str, line: bytes, prev: str | None) -> dict[str, object]:
    if not line.startswith(_PREFIX) or line[_BODY_AT - 2 : _BODY_AT] != b'",':
        raise JournalCorrupted(f"{where}: not a journal line")
    recorded = line[len(_PREFIX) : _BODY_AT - 2]
    if hashlib.sha256(line[_BODY_AT:]).hexdigest().encode("ascii") != recorded:
        raise JournalCorrupted(f"{where}: the line was changed (its sha does not match)")
    try:
        record = loads(line)
    except InvalidValue as error:  # a key given twice, named by where it stands
        raise JournalCorrupted(f"{where}: {error}") from None
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
            f"{where}: a journal of format {shorten(header.get('format'))} for process "
            f"{shorten(header.get('process'))}; this library keeps formats "
            f"{', '.join(map(str, sorted(_READS)))} for {process.name!r}"
        )
    if current is not None and found <= current:
        raise JournalCorrupted(f"{where}: a journal header in the middle of the journal")
    return found
