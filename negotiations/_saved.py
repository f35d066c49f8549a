"""The saved format: versions and migration from older ones (``_files`` reads and writes it).

A saved negotiation is a JSON object::

    {"format": 4, "process": "article", "stage": "exchange", "events": [...]}

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
4        adds dates and citations: an event's ``date`` (``YYYY-MM-DD``)
         and ``citation`` (the report it comes from), each optional
=======  ============================================================
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from negotiations._checks import shorten
from negotiations._errors import InvalidValue
from negotiations._files import fsync_folder, read_text, write_atomically

__all__ = [
    "FORMAT",
    "dated_in",
    "fsync_folder",
    "migrate",
    "pledged_in",
    "read_text",
    "write_atomically",
]

#: The version of the saved format this library writes.
FORMAT = 4
#: The format that brought dates and citations.
_DATES_SINCE = 4

_FIELDS: dict[int, frozenset[str]] = {
    1: frozenset({"format", "stage", "events"}),
    2: frozenset({"format", "process", "stage", "events"}),
    3: frozenset({"format", "process", "stage", "events"}),
    4: frozenset({"format", "process", "stage", "events"}),
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


def _from_3(data: dict[str, Any]) -> dict[str, Any]:
    # Version 4 only adds dates and citations, which no older file has (migrate checks).
    return {**data, "format": 4}


def _check_undated(events: object, version: int) -> None:
    """A file older than format 4 holds no date or citation."""
    if isinstance(events, list):
        for number, event in enumerate(events):
            if dated_in(event):
                raise InvalidValue(
                    f"events[{number}]: a date or citation in a format {version} file (dates "
                    "came with format 4)",
                    path=f"events[{number}]",
                )


def dated_in(event: object) -> bool:
    """Whether saved ``event`` carries a date or a citation (which format 3 did not know)."""
    return isinstance(event, Mapping) and ("date" in event or "citation" in event)


_MIGRATIONS: Mapping[int, Callable[[dict[str, Any]], dict[str, Any]]] = {
    1: _from_1,
    2: _from_2,
    3: _from_3,
}


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
    if version < _DATES_SINCE:
        _check_undated(current["events"], version)
    while current["format"] != FORMAT:
        current = _MIGRATIONS[current["format"]](current)
    if current["process"] != process:
        raise InvalidValue(
            f"process: the file holds a {shorten(current['process'])} negotiation, not {process!r}"
        )
    if not isinstance(current["events"], list):
        raise InvalidValue(f"events must be a list, not {type(current['events']).__name__}")
    return current
