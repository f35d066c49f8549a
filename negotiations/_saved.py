"""The saved format: versions, migration from older ones, and atomic files.

A saved negotiation is a JSON object::

    {"format": 3, "process": "article", "stage": "exchange", "events": [...]}

Only the events are authoritative: loading replays them and checks that they
lead to the recorded ``stage``. ``docs/schema/negotiation.schema.json``
describes the format; older versions are migrated as they are read.

=======  ============================================================
version  change
=======  ============================================================
1        first format: ``format``, ``stage``, ``events``
2        adds ``process``, the definition the events belong to
3        adds pledges: events ``pledge``, ``withdraw`` and ``drop``, and
         the ``pledge`` of a move a pledge made
=======  ============================================================
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from negotiations._checks import shorten
from negotiations._errors import InvalidType, InvalidValue

__all__ = ["FORMAT", "migrate", "pledged_in", "read_text", "write_atomically"]

#: The version of the saved format this library writes.
FORMAT = 3

_FIELDS: dict[int, frozenset[str]] = {
    1: frozenset({"format", "stage", "events"}),
    2: frozenset({"format", "process", "stage", "events"}),
    3: frozenset({"format", "process", "stage", "events"}),
}


def _from_1(data: dict[str, Any]) -> dict[str, Any]:
    # Version 1 was only ever written for the article's process.
    return {"format": 2, "process": "article", "stage": data["stage"], "events": data["events"]}


def _from_2(data: dict[str, Any]) -> dict[str, Any]:
    # Version 3 only adds pledges: a version 2 negotiation has none.
    events = data["events"]
    if isinstance(events, list):
        for number, event in enumerate(events):
            if pledged_in(event):
                raise InvalidValue(
                    f"events[{number}]: a pledge in a format 2 file (pledges came with format 3)"
                )
    return {**data, "format": 3}


def pledged_in(event: object) -> bool:
    """Whether saved ``event`` has to do with pledges (which format 2 did not know)."""
    if not isinstance(event, Mapping):
        return False
    trigger = event.get("trigger")
    return "pledge" in event or (isinstance(trigger, str) and trigger in _PLEDGE_TRIGGERS)


_PLEDGE_TRIGGERS = frozenset({"pledge", "withdraw", "drop"})


_MIGRATIONS: Mapping[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _from_1, 2: _from_2}


def migrate(data: object, process: str) -> dict[str, Any]:
    """``data`` as the current format, checked field by field; errors name the field."""
    if not isinstance(data, Mapping):
        raise InvalidValue(f"a saved negotiation must be a JSON object, not {type(data).__name__}")
    version = data.get("format")
    if type(version) is not int or version not in _FIELDS:
        known = ", ".join(str(v) for v in _FIELDS)
        raise InvalidValue(
            f"format: unsupported version {shorten(version)}; this library reads {known}"
        )
    fields = _FIELDS[version]
    unknown = sorted(str(key) for key in data if key not in fields)
    if unknown:
        raise InvalidValue(f"unknown field(s) {', '.join(unknown)} in format {version}")
    missing = sorted(fields - data.keys())
    if missing:
        raise InvalidValue(f"missing field(s) {', '.join(missing)}")
    current = dict(data)
    while current["format"] != FORMAT:
        current = _MIGRATIONS[current["format"]](current)
    if current["process"] != process:
        raise InvalidValue(
            f"process: the file holds a {shorten(current['process'])} negotiation, "
            f"not {process!r}"
        )
    if not isinstance(current["events"], list):
        raise InvalidValue(f"events must be a list, not {type(current['events']).__name__}")
    return current


def read_text(path: str | os.PathLike[str]) -> str:
    """The text of the file at ``path``; a file that is not UTF-8 is an :class:`InvalidValue`.

    Read as bytes and decoded in one step: JSON needs no newline translation, and a text
    stream would read a long history in pieces and join them (several times slower).
    """
    try:
        return Path(path).read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidValue(f"{os.fspath(path)}: not UTF-8 text ({error.reason})") from None


def write_atomically(path: str | os.PathLike[str], text: str) -> None:
    """Replace the file at ``path`` with ``text`` so that it is either all old or all new.

    The text goes to a temporary file in the same folder, is flushed and
    fsynced, replaces the target with :func:`os.replace`, and the folder is
    fsynced so the new name survives a crash.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise InvalidType(f"path must be a str or path, not {type(path).__name__}")
    target = Path(os.path.realpath(path))  # through a link, replace the file it points to
    folder = target.parent
    temporary = folder / f".{target.name}.{secrets.token_hex(8)}.tmp"
    # Created like any new file (0o666 less the umask); a file replaced keeps its mode.
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            with contextlib.suppress(FileNotFoundError):
                os.fchmod(file.fileno(), stat.S_IMODE(os.stat(target).st_mode))
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    fsync_folder(folder)


def fsync_folder(folder: Path) -> None:
    """Make a change of names in ``folder`` durable (where the platform allows it)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:  # some platforms cannot open a folder; nothing more can be done there
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
