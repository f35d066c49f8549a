"""A process as the plain tables of a process file, and back: every field checked, and named
(``.path``) when it is wrong."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from typing import Any

from negotiations._definition import Definition, Move, Rule, Source
from negotiations._errors import InvalidType, InvalidValue, located
from negotiations._terms import ExchangeTerms
from negotiations.conditions import Condition, Custom, condition_from_dict
from negotiations.effects import Effect, Record, effect_from_dict

__all__ = ["FORMAT", "definition_from_data", "definition_to_data"]

#: The version of the process file's layout.
FORMAT = 1

_S, _NAMES, _TABLES = "a string", "an array of strings", "an array of tables"
# The fields of each table: name -> (the kind of TOML value it holds, whether it is required).
_PROCESS = {
    "format": ("an integer", False),
    "name": (_S, True),
    "parties": (_NAMES, True),
    "labels": ("a table", False),
    "stages": (_NAMES, True),
    "initial": (_S, True),
    "finals": (_NAMES, True),
    "order_rule": (_S, False),
    "source": ("a table", True),
    "terms": ("a table", False),
    "rules": (_TABLES, True),
    "moves": (_TABLES, True),
}
_SOURCE = {
    "title": (_S, True),
    "date": ("a date", True),
    "origin": (_S, True),
    "name": (_S, False),
    "text": (_S, False),
    "file": (_S, False),
}
_RULE = {
    "id": (_S, True),
    "statement": (_S, True),
    "line": ("an integer", True),
    "quote": (_S, True),
    "condition": ("a table", False),
}
_MOVE = {
    "trigger": (_S, True),
    "sources": (_NAMES, True),
    "dest": (_S, False),
    "guard": (_NAMES, False),
    "checks": (_NAMES, False),
    "effect": ("a table or a string", False),
    "doc": (_S, False),
}
_FITS: Mapping[str, Callable[[object], bool]] = {
    _S: lambda value: isinstance(value, str),
    "an integer": lambda value: isinstance(value, int) and not isinstance(value, bool),
    "a table": lambda value: isinstance(value, dict),
    "a date": lambda value: isinstance(value, str | datetime.date),
    "a table or a string": lambda value: isinstance(value, dict | str),
    _NAMES: lambda value: isinstance(value, list),
    _TABLES: lambda value: isinstance(value, list),
}
_ITEMS = {_NAMES: _S, _TABLES: "a table"}
_TYPES = (
    (bool, "a boolean"),
    (str, "a string"),
    (int, "an integer"),
    (float, "a float"),
    (datetime.datetime, "a date-time"),
    (datetime.date, "a date"),
    (datetime.time, "a time"),
    (list, "an array"),
    (dict, "a table"),
)


def toml_type(value: object) -> str:
    """What ``value`` is, in TOML's words: ``"an integer"``, ``"a table"``."""
    return next((name for kind, name in _TYPES if isinstance(value, kind)), type(value).__name__)


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _fields(data: object, where: str, schema: Mapping[str, tuple[str, bool]]) -> dict[str, Any]:
    """``data`` as a table with the fields of ``schema``, each of its kind."""
    prefix = f"{where}: " if where else ""
    if not isinstance(data, dict):
        raise InvalidValue(f"{where} must be a table, not {toml_type(data)}", path=where)
    unknown = sorted(key for key in data if key not in schema)
    if unknown:
        raise InvalidValue(
            f"{prefix}unknown field(s) {', '.join(unknown)}", path=_join(where, unknown[0])
        )
    for key, (kind, required) in schema.items():
        path = _join(where, key)
        if key not in data:
            if required:
                raise InvalidValue(f"{prefix}missing field {key}", path=path)
            continue
        value = data[key]
        if not _FITS[kind](value):
            raise InvalidValue(f"{path} must be {kind}, not {toml_type(value)}", path=path)
        item = _ITEMS.get(kind)
        for at, each in enumerate(value if item is not None else ()):
            if item is not None and not _FITS[item](each):
                raise InvalidValue(
                    f"{path}[{at}] must be {item}, not {toml_type(each)}", path=f"{path}[{at}]"
                )
    return data


def _build(where: str, make: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    try:
        return make(*args, **kwargs)
    except (InvalidType, InvalidValue) as error:
        raise located(error, where) from None


def _source(data: object, read_beside: Callable[[str], str]) -> Source:
    table = _fields(data, "source", _SOURCE)
    if ("text" in table) == ("file" in table):
        raise InvalidValue(
            "source: give either text (the source inside) or file (the source beside)",
            path="source",
        )
    text = table["text"] if "text" in table else read_beside(table["file"])
    named = {"name": table["name"]} if "name" in table else {}
    made: Source = _build(
        "source", Source, table["title"], table["date"], table["origin"], text, **named
    )
    return made


def _rule(data: object, where: str) -> Rule:
    table = _fields(data, where, _RULE)
    condition = table.get("condition")
    if condition is not None:
        condition = condition_from_dict(condition, f"{where}.condition")
    given = (table["id"], table["statement"], table["line"], table["quote"], condition)
    made: Rule = _build(where, Rule, *given)
    return made


def _move(data: object, where: str) -> Move:
    table = _fields(data, where, _MOVE)
    effect = effect_from_dict(table["effect"], f"{where}.effect") if "effect" in table else Record()
    given = {key: table[key] for key in ("dest", "guard", "checks", "doc") if key in table}
    made: Move = _build(where, Move, table["trigger"], table["sources"], effect=effect, **given)
    return made


def definition_from_data(data: object, read_beside: Callable[[str], str]) -> Definition:
    """The process in the tables ``data``; ``read_beside(name)`` is the text of a source
    ``file``. Errors name the field; an unsound process is a ``DefinitionError``."""
    top = _fields(data, "", _PROCESS)
    if top.get("format", FORMAT) != FORMAT:
        raise InvalidValue(
            f"format: this library reads process files of format {FORMAT}, not {top['format']}",
            path="format",
        )
    labels = top.get("labels", {})
    for party, label in labels.items():
        if not isinstance(label, str):
            path = f"labels.{party}"
            raise InvalidValue(f"{path} must be a string, not {toml_type(label)}", path=path)
    optional = {key: top[key] for key in ("order_rule",) if key in top}
    return Definition(
        name=top["name"],
        source=_source(top["source"], read_beside),
        parties=top["parties"],
        stages=top["stages"],
        initial=top["initial"],
        finals=top["finals"],
        rules=tuple(_rule(item, f"rules[{at}]") for at, item in enumerate(top["rules"])),
        moves=tuple(_move(item, f"moves[{at}]") for at, item in enumerate(top["moves"])),
        terms=ExchangeTerms.from_dict(top["terms"], "terms") if "terms" in top else None,
        labels=labels,
        **optional,
    )


def _written(value: Condition | Effect, where: str, owner: str) -> dict[str, Any]:
    """``value.to_dict()``, when reading it back gives ``value``; else an error naming
    ``owner``."""
    read = condition_from_dict if isinstance(value, Condition) else effect_from_dict
    try:
        data = value.to_dict()
        if read(data) == value:
            return data
    except (InvalidType, InvalidValue):
        pass
    what = "a plain Python function" if isinstance(value, Custom) else type(value).__name__
    raise InvalidValue(
        f"{where}: {owner} is {what}, which a process file cannot hold; use the vocabulary "
        f"of {read.__module__}",
        path=where,
    )


def _rule_data(rule: Rule, at: int) -> dict[str, Any]:
    data: dict[str, Any] = {"id": rule.id, "statement": rule.statement, "line": rule.line}
    data["quote"] = rule.quote
    if rule.condition is not None:
        owner = f"the condition of rule {rule.id}"
        data["condition"] = _written(rule.condition, f"rules[{at}].condition", owner)
    return data


def _move_data(move: Move, at: int) -> dict[str, Any]:
    data: dict[str, Any] = {"trigger": move.trigger, "sources": move.sources}
    given = {"dest": move.dest, "guard": move.guard, "checks": move.checks}
    data.update((key, value) for key, value in given.items() if value)  # defaults left out
    effect = _written(move.effect, f"moves[{at}].effect", f"the effect of move {move.trigger}")
    if effect != {"kind": Record.kind}:
        data["effect"] = effect["kind"] if len(effect) == 1 else effect
    if move.doc:
        data["doc"] = move.doc
    return data


def definition_to_data(process: Definition, file: str | None = None) -> dict[str, Any]:
    """``process`` as the tables of a process file: its source text inside, or, with
    ``file``, named as that file beside it. A condition or effect outside the vocabulary
    is an error naming it."""
    if not isinstance(process, Definition):
        raise InvalidType(f"process must be a Definition, not {type(process).__name__}")
    source: dict[str, Any] = {**process.source.to_dict(), "date": process.source.date}
    if file is not None:
        del source["text"]
        source["file"] = file
    document = {
        "format": FORMAT,
        "name": process.name,
        "parties": process.parties,
        "stages": process.stages,
        "initial": process.initial,
        "finals": [stage for stage in process.stages if stage in process.finals],
        "order_rule": process.order_rule,
        "labels": dict(process.labels) or None,
        "source": source,
        "terms": None if process.terms is None else process.terms.to_dict(),
        "rules": [_rule_data(rule, at) for at, rule in enumerate(process.rules)],
        "moves": [_move_data(move, at) for at, move in enumerate(process.moves)],
    }
    data: dict[str, Any] = _plain({k: v for k, v in document.items() if v is not None})
    return data


def _plain(value: Any) -> Any:
    """Plain TOML values: enumerations as their text, tuples as lists."""
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return str(value) if isinstance(value, str) else value
