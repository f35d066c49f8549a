"""Saving a negotiation and restoring it: its saved form, JSON text and files.

:class:`~negotiations.Negotiation` keeps its public methods (``to_dict``, ``from_dict``,
``to_json``, ``from_json``, ``save``, ``load``) and hands the work to the functions here.
They take what they need as plain values (the process, the stage and events of one
moment, the class to restore with), so the layering stays one way: ``_negotiation``
imports ``_saving``, which names ``Negotiation`` only for type checking.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from negotiations._checks import shorten
from negotiations._errors import InvalidType, InvalidValue
from negotiations._json import loads
from negotiations._replay import fold_saved
from negotiations._saved import FORMAT, migrate, read_text, write_atomically

if TYPE_CHECKING:
    from negotiations._definition import Definition
    from negotiations._negotiation import Negotiation
    from negotiations._records import Event
    from negotiations._state import State

__all__ = ["json_text", "load_file", "read_json", "restore_form", "saved_form", "write_form"]

#: How every line of a journal begins (see ``negotiations._journal``).
_JOURNAL_LINE = '{"sha":"'


def saved_form(process: Definition, stage: str, history: Sequence[Event]) -> dict[str, Any]:
    """The saved form of a negotiation of ``process`` at ``stage`` with ``history``."""
    cited = process.engine.citations
    return {
        "format": FORMAT,
        "process": process.name,
        "stage": str(stage),
        "events": [event.saved(cited) for event in history],
    }


def json_text(document: dict[str, Any], indent: int | None) -> str:
    """A saved form (from :func:`saved_form`) as JSON text."""
    return json.dumps(document, ensure_ascii=False, indent=indent)


def restore_form(data: object, process: Definition, first: State) -> tuple[State, list[Event]]:
    """The state and history a saved form (any supported format version) replays to from
    ``first``, the start of ``process``; anything malformed raises :class:`InvalidValue`
    naming the field, and so does a recorded stage the events do not lead to."""
    try:
        current = migrate(data, process.name)
        state, history = fold_saved(process.engine, first, current["events"], "events[{}]".format)
    except InvalidType as error:  # malformed content is a bad value, whatever its shape
        raise InvalidValue(str(error), path=error.path) from None
    if current["stage"] != str(state.stage):
        raise InvalidValue(
            f"stage: recorded {shorten(current['stage'])}, but the events lead to "
            f"{str(state.stage)!r}",
            path="stage",
        )
    return state, history


def read_json(text: str | bytes) -> object:
    """The data of saved JSON ``text``; a journal, or text that is not JSON, is refused."""
    if isinstance(text, str):
        journal = text.startswith(_JOURNAL_LINE)
    elif isinstance(text, (bytes, bytearray)):
        journal = text.startswith(_JOURNAL_LINE.encode("ascii"))
    else:
        raise InvalidType(f"from_json takes JSON text, not {type(text).__name__}")
    if journal:  # the other kind of file: say which function opens it
        raise InvalidValue(
            "this is a journal, not a saved negotiation; open it with negotiations.open(path)"
        )
    try:
        return loads(text)  # a key given twice is refused, named by where it stands
    except InvalidValue:
        raise
    except (ValueError, RecursionError) as error:
        raise InvalidValue(f"not valid JSON: {error}") from None


def write_form(path: str | os.PathLike[str], document: dict[str, Any]) -> None:
    """Write a saved form (from :func:`saved_form`) to ``path`` atomically, one event a line."""
    events = document.pop("events")
    # One event per line: readable and diff-friendly, and written by the fast C encoder
    # (an indent would switch json to its pure-Python one).
    encode = json.JSONEncoder(ensure_ascii=False).encode
    lines = ",\n".join(map(encode, events))
    head = encode(document)[:-1]
    write_atomically(path, f'{head}, "events": [\n{lines}\n]}}\n')


def load_file(
    cls: type[Negotiation], path: str | os.PathLike[str], process: Definition, max_bytes: int
) -> Negotiation:
    """The negotiation ``cls.from_json`` restores from the file at ``path``; an error in
    its content names the file (an error reading it already does)."""
    text = read_text(path, max_bytes)
    try:
        return cls.from_json(text, process)
    except InvalidValue as error:
        raise InvalidValue(f"{os.fspath(path)}: {error}", path=error.path) from None
