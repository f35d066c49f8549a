"""A process as a TOML file, read and written, so that people can share a process without Python.

A process file holds a :class:`~negotiations.Definition` (see ``docs/process-files.md``)::

    format = 1                          # optional: the version of this layout
    name = "truce"
    parties = ["north", "south"]
    stages = ["ceasefire", "talks", "ended"]
    initial = "ceasefire"
    finals = ["ended"]
    order_rule = "order"                # optional: "process.order" when left out

    [labels]                            # optional: how messages name the parties
    north = "the North"

    [source]                            # the document the rules cite
    title = "A truce"
    date = 2020-01-01                   # a TOML date, or ISO text
    origin = "a test"
    name = "truce"                      # optional: how a citation names it ("source")
    file = "truce.txt"                  # its text beside this file, or text = "..." inside

    [terms]                             # optional: ExchangeTerms.to_dict(), the default terms
    quota = 10                          # ...

    [[rules]]                           # each rule: a condition and where it comes from
    id = "talks.after_violations"
    statement = "talks resume only once every violation is investigated"
    line = 2                            # the line of the source it cites, from 1
    quote = "investigated before talks resume"
    condition = { kind = "resolved", item = "violation", subject = "violation(s)" }

    [[moves]]                           # each move: a trigger, from where, to where
    trigger = "resume_talks"
    sources = ["ceasefire"]
    dest = "talks"                      # optional: stays in its stage when left out
    guard = ["talks.after_violations"]  # optional: rules that must be met
    checks = []                         # optional: rules on the move's arguments
    effect = "record"                   # optional: a kind, or a table such as
                                        # { kind = "open", item = "violation", noun = "violation" }
    doc = "talks resume"                # optional

A ``condition`` is a table of :mod:`negotiations.conditions` (``kind = "all"`` holds
``conditions``), an ``effect`` one of :mod:`negotiations.effects` (a kind alone may be
written as a string). Inline tables and sub-tables (``[rules.condition]``) are the
same to TOML. A source ``file`` is a path relative to the process file, in its
folder or below: a file shared with you cannot read anything else. Files are read
with :mod:`tomllib` and written with ``tomli-w``; nothing is evaluated.

Whatever is wrong with a file is an :class:`~negotiations.InvalidValue` naming the
file, the line where it can be found, and the field (also as ``.path``, such as
``moves[2].effect.kind``). A well-formed file whose process is unsound is a
:class:`~negotiations.DefinitionError` listing every problem at once.
"""

from __future__ import annotations

import errno
import os
import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import tomli_w

from negotiations._checks import shorten
from negotiations._definition import Definition
from negotiations._errors import DefinitionError, InvalidType, InvalidValue, StorageError
from negotiations._files import read_file
from negotiations._process_data import definition_from_data, definition_to_data
from negotiations._saved import write_atomically

__all__ = ["process_from_toml", "process_to_toml", "read_process", "write_process"]

_HEAD = "# A process of the Python library negotiations: negotiations.read_process(path)\n"
_WIDTH = 100
#: The top-level tables, written as sections ([source]) or arrays of them ([[rules]]).
_SECTIONS = ("labels", "source", "terms", "rules", "moves")


def _read(path: Path, shown: str, field: str = "") -> str:
    """The UTF-8 text of ``path``; anything in the way is an error naming ``shown``."""
    try:
        data = read_file(path)  # a regular file only, bounded: never a pipe or a device
    except StorageError as error:
        if error.errno == errno.ENOENT:
            reason = "no such file"
        elif error.errno == errno.EISDIR:
            reason = "a folder, not a file"
        else:
            reason = str(error).removeprefix(f"{path}: ")
    except ValueError:  # a path with a NUL character in it
        reason = "not a valid path"
    else:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as error:
            line = data.count(b"\n", 0, error.start) + 1
            reason = f"not UTF-8 text ({error.reason} on line {line})"
    raise InvalidValue(f"{shown}: {reason}", path=field)


def _beside(base: Path | None) -> Callable[[str], str]:
    """How a source ``file`` is read: relative to the folder ``base``, and only inside it."""

    def read(name: str) -> str:
        field = "source.file"
        if base is None:
            raise InvalidValue(
                f"{field}: {shorten(name)} is relative to the process file's folder; give base",
                path=field,
            )
        folder = base.resolve()
        try:
            path = (folder / name).resolve()
        except (OSError, ValueError):
            path = folder / name
        if Path(name).is_absolute() or not path.is_relative_to(folder):
            raise InvalidValue(
                f"{field}: {shorten(name)} is not in the process file's folder", path=field
            )
        return _read(path, f"{field}: {shorten(name)}", field)

    return read


_HEADER = re.compile(r"\s*\[(\[?)\s*([^\[\]]+?)\s*\]\]?\s*(?:#.*)?$")
_SYNTAX = re.compile(r"\s*\((?:at line (\d+), column (\d+)|at end of document)\)$")


def _line_of(text: str, path: str) -> int | None:
    """The line of ``text`` where the field at ``path`` is written (its table's, when the
    field is missing), found by scanning keys and table headers."""
    code: list[tuple[int, str]] = []  # the lines outside multi-line strings, counted from 1
    inside: str | None = None
    for number, line in enumerate(text.split("\n"), 1):
        if inside is None:
            code.append((number, line))
        for quote in ('"""', "'''"):
            if inside in (None, quote) and line.count(quote) % 2:
                inside = None if inside else quote
    headers = {at: found for at, (_, line) in enumerate(code) if (found := _HEADER.match(line))}
    table, start, stop, line_found = "", 0, len(code), None
    for key, index in re.findall(r"([^.\[\]]+)(?:\[(\d+)\])?", path):
        name = f"{table}.{key}" if table else key
        own = re.compile(rf"\s*[\"']?{re.escape(key)}[\"']?\s*[.=]")
        for at in range(start, stop):
            if at in headers:
                break
            if own.match(code[at][1]):
                return code[at][0]  # a value written in place: as near as a line gets
        heads = [
            at
            for at in range(start, stop)
            if at in headers
            and re.sub(r"\s", "", headers[at][2]) == name
            and (not index or headers[at][1])
        ]
        if len(heads) <= int(index or 0):
            break
        start = heads[int(index or 0)]
        line_found = code[start][0]
        later = (at for at in range(start + 1, stop) if at in headers)
        stop = next((at for at in later if not headers[at][2].startswith(f"{name}.")), stop)
        start, table = start + 1, name
    return line_found


def process_from_toml(
    text: str, *, where: str = "<string>", base: str | os.PathLike[str] | None = None
) -> Definition:
    """The process in the TOML ``text``; errors name ``where`` it comes from, the line and
    the field. A source ``file`` is read relative to the folder ``base``."""
    if not isinstance(text, str):
        raise InvalidType(f"text must be a str, not {type(text).__name__}", path="text")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        said = str(error)
        at = _SYNTAX.search(said)
        place = "" if at is None else f", line {at[1]}, column {at[2]}" if at[1] else ", at the end"
        reason = said if at is None else said[: at.start()]
        raise InvalidValue(f"{where}{place}: not valid TOML: {reason}") from None
    except RecursionError:
        raise InvalidValue(f"{where}: not valid TOML: nested too deeply") from None
    try:
        return definition_from_data(data, _beside(None if base is None else Path(base)))
    except DefinitionError as error:
        unsound = DefinitionError(error.problems, path=error.path)
        unsound.args = (f"{where}: {unsound}",)  # the same problems, naming the file
        raise unsound from None
    except (InvalidType, InvalidValue) as error:
        line = _line_of(text, error.path)
        place = where if line is None else f"{where}, line {line}"
        raise InvalidValue(f"{place}: {error}", path=error.path) from None
    except RecursionError:
        raise InvalidValue(f"{where}: conditions nested too deeply") from None


def read_process(path: str | os.PathLike[str]) -> Definition:
    """The process in the TOML file at ``path``; a source ``file`` is read beside it."""
    if not isinstance(path, str | os.PathLike):
        raise InvalidType(f"path must be a str or path, not {type(path).__name__}", path="path")
    where = os.fspath(path)
    text = _read(Path(path), where).removeprefix("\ufeff")  # the mark some editors put first
    return process_from_toml(text, where=where, base=Path(path).parent)


def _key(name: str) -> str:
    return tomli_w.dumps({name: 0})[: -len(" = 0\n")]


def _value(value: Any, indent: str, multiline: bool) -> str:
    """``value`` in TOML: tomli-w spells each scalar; tables go inline, a long array over
    several lines."""
    if isinstance(value, dict):
        pairs = ", ".join(f"{_key(k)} = {_value(v, indent, multiline)}" for k, v in value.items())
        return f"{{ {pairs} }}" if pairs else "{}"
    if isinstance(value, list):
        line = f"[{', '.join(_value(item, indent, multiline) for item in value)}]"
        if len(indent) + len(line) <= _WIDTH - 20 and "\n" not in line:
            return line
        deeper = indent + "    "
        items = "".join(f"{deeper}{_value(item, deeper, multiline)},\n" for item in value)
        return f"[\n{items}{indent}]"
    return tomli_w.dumps({"v": value}, multiline_strings=multiline)[len("v = ") : -1]


def _toml(document: dict[str, Any], multiline: bool) -> str:
    """The text of a process file: plain values first, then one section per table."""
    lines = [_HEAD]

    def section(values: dict[str, Any], header: str) -> None:
        lines.append(header)
        lines.extend(f"{_key(k)} = {_value(v, '', multiline)}\n" for k, v in values.items())

    sections = {k: v for k, v in document.items() if k in _SECTIONS and v}
    section({k: v for k, v in document.items() if k not in sections}, "\n")
    for name, value in sections.items():
        for table in [value] if isinstance(value, dict) else value:
            section(table, f"\n[{name}]\n" if table is value else f"\n[[{name}]]\n")
    return "".join(lines)


def _render(document: dict[str, Any]) -> str:
    # Multi-line strings read best, but tomli-w writes "\r\n" in them as "\n": if that (or
    # anything) would not read back the same, every string is written on one line.
    text = _toml(document, multiline=True)
    return text if tomllib.loads(text) == document else _toml(document, multiline=False)


def process_to_toml(process: Definition) -> str:
    """``process`` as the text of a process file, its source text inside.

    A rule whose condition (or a move whose effect) is not of the vocabulary, such as
    a plain Python function, cannot be written: an ``InvalidValue`` names it.
    """
    return _render(definition_to_data(process))


def write_process(
    process: Definition,
    path: str | os.PathLike[str],
    *,
    text: Literal["inside", "beside"] = "inside",
) -> None:
    """Write ``process`` to the TOML file at ``path``, atomically.

    With ``text="beside"`` its source text goes to a file of its own next to it
    (``truce.toml`` and ``truce.txt``), which the process file names.
    """
    if text not in ("inside", "beside"):
        raise InvalidValue(f"text: 'inside' or 'beside', not {shorten(text)}", path="text")
    if text == "inside":
        write_atomically(path, process_to_toml(process))
        return
    target = Path(path)
    beside = target.with_suffix(".txt")
    if beside.name == target.name:
        raise InvalidValue(
            f"path: {target.name!r} would be both the process and its text", path="path"
        )
    rendered = _render(definition_to_data(process, beside.name))
    write_atomically(beside, process.source.text)
    write_atomically(target, rendered)
