"""Checks shared by the value classes: each failure names the field it is about (``.path``)."""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from attrs import Attribute, Converter

from negotiations._errors import InvalidType, InvalidValue, located
from negotiations._stages import Side
from negotiations._text import shorten

__all__ = [
    "COUNT",
    "FLAG",
    "OPTIONAL_TEXT",
    "PARTY",
    "TEXT",
    "check_bool",
    "check_count",
    "check_each",
    "check_optional_text",
    "check_party",
    "check_text",
    "checked",
    "citing",
    "instance_of",
    "kind_of",
    "reader",
    "shorten",
]

T = TypeVar("T")


def check_text(value: object, field: str) -> str:
    """A non-blank string, else an error naming ``field``."""
    if not isinstance(value, str):
        raise InvalidType(f"{field} must be a string, not {type(value).__name__}", path=field)
    if not value.strip():
        raise InvalidValue(f"{field} must not be blank", path=field)
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidValue(
                f"{field} is not valid Unicode text (a lone surrogate?)", path=field
            ) from None
    return value


def check_optional_text(value: object, field: str) -> str | None:
    """``None`` or a non-blank string, else an error naming ``field``."""
    return None if value is None else check_text(value, field)


def check_bool(value: object, field: str) -> bool:
    """A real ``bool``, else an error naming ``field``."""
    if not isinstance(value, bool):
        raise InvalidType(f"{field} must be True or False, not {type(value).__name__}", path=field)
    return value


def check_count(value: object, field: str) -> int:
    """A whole number >= 0 (an ``int``, or anything with ``__index__`` such as numpy's),
    else an error naming ``field``."""
    if type(value) is not int:
        if isinstance(value, bool) or not hasattr(type(value), "__index__"):
            raise InvalidType(
                f"{field} must be a whole number, not {type(value).__name__}", path=field
            )
        value = operator.index(value)  # type: ignore[arg-type]  # it has __index__, checked above
    if value < 0:
        raise InvalidValue(f"{field} must not be negative, got {value}", path=field)
    return value


#: The article's sides by name (a side is its own name too).
_SIDES: dict[str, Side] = {side.value: side for side in Side}


def check_party(value: object, field: str, parties: tuple[str, ...] | None = None) -> str:
    """A party's name: one of ``parties`` in any case (the process's own spelling is
    returned), or, with no parties given, any name (a :class:`Side` where it is one).

    >>> check_party("Russia", "side")
    <Side.RUSSIA: 'russia'>
    >>> check_party("NATO", "side", ("israel", "hamas"))
    Traceback (most recent call last):
    ...
    negotiations.InvalidValue: side: unknown side 'NATO'; expected one of israel, hamas
    """
    if isinstance(value, str):
        if parties is None:
            side = _SIDES.get(value)
            if side is not None:
                return side
            side = _SIDES.get(value.lower())
            return side if side is not None else check_text(value, field)
        folded = value.lower()
        for party in parties:
            if party == value or party.lower() == folded:
                return party
        raise InvalidValue(
            f"{field}: unknown side {shorten(value)}; expected one of {', '.join(parties)}",
            path=field,
        )
    raise InvalidType(
        f"{field}: a party must be given by its name, not {type(value).__name__}", path=field
    )


def citing(said: str, rule: str, quote: str) -> str:
    """What is wrong, with the rule it breaks and its words: ``civilians and soldiers in one
    tranche (exchange.civilians_separate: the civilians were returned separately)``."""
    return f"{said} ({rule}: {quote[0].lower()}{quote[1:].rstrip('.')})"


def check_each(
    value: object, field: str, what: str, check_item: Callable[[object, str], T]
) -> tuple[T, ...]:
    """``value`` as a tuple, each item checked by ``check_item(item, "field[i]")``; text or
    anything not iterable is an error naming ``field`` (``field must be <what>, not int``)."""
    if type(value) is tuple and not value:  # nothing to check: the common default
        return value
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise InvalidType(f"{field} must be {what}, not {type(value).__name__}", path=field)
    return tuple(check_item(item, f"{field}[{at}]") for at, item in enumerate(value))


def instance_of(kind: type[T]) -> Callable[[object, str], T]:
    """A check that an item is a ``kind``, naming where it stands (for :func:`check_each`)."""

    def check(item: object, where: str) -> T:
        if not isinstance(item, kind):
            raise InvalidType(
                f"{where} must be a {kind.__name__}, not {type(item).__name__}", path=where
            )
        return item

    return check


def checked(check: Callable[[object, str], T]) -> Converter[Any, T]:
    """An attrs converter that checks a field with ``check``, naming it by the field's name
    (attrs hands the converter the field)."""

    def convert(value: object, field: Attribute[Any]) -> T:
        return check(value, field.alias or field.name)

    return Converter(convert, takes_field=True)


#: attrs converters for the common kinds of field.
TEXT = checked(check_text)
OPTIONAL_TEXT = checked(check_optional_text)
COUNT = checked(check_count)
FLAG = checked(check_bool)
PARTY = checked(check_party)


class reader:  # noqa: N801  # used like a function: reader(data, "tranche")
    """Read a JSON object strictly: every field known, none missing, each error names the field."""

    def __init__(self, data: object, where: str, known: frozenset[str] | set[str]) -> None:
        if type(data) is not dict and not isinstance(data, Mapping):  # a dict: no ABC check
            raise InvalidType(
                f"{where} must be a JSON object, not {type(data).__name__}", path=where
            )
        if not known.issuperset(data):
            unknown = sorted(str(key) for key in data if key not in known)
            raise InvalidValue(f"{where}: unknown field(s) {', '.join(unknown)}", path=where)
        self._data: Mapping[str, Any] = data
        self._where = where

    def field(self, name: str) -> str:
        """The dotted name of a field, for messages."""
        return f"{self._where}.{name}"

    def get(self, name: str, default: Any = ...) -> Any:
        """The value of ``name``; without a default a missing field is an error naming it."""
        if name in self._data:
            return self._data[name]
        if default is ...:
            raise InvalidValue(f"{self._where}: missing field {name}", path=self.field(name))
        return default

    def has(self, name: str) -> bool:
        """Whether the field ``name`` is present."""
        return name in self._data

    def build(self, make: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``make(*args, **kwargs)``, its errors prefixed with where they come from."""
        try:
            return make(*args, **kwargs)
        except (InvalidType, InvalidValue) as error:
            raise located(error, self._where) from None

    def each(self, name: str, convert: Callable[[Any, str], T]) -> tuple[T, ...]:
        """Convert every item of the list ``name``, naming ``name[i]`` on error."""
        items = self.get(name)
        if not isinstance(items, list):
            raise InvalidType(
                f"{self.field(name)} must be a list, not {type(items).__name__}",
                path=self.field(name),
            )
        return tuple(convert(item, f"{self.field(name)}[{i}]") for i, item in enumerate(items))


def kind_of(
    data: object,
    where: str,
    kinds: Mapping[str, type[T]],
    fields: Mapping[type[T], tuple[str, ...]],
    what: str,
) -> tuple[type[T], reader, dict[str, Any]]:
    """The class a ``{"kind": ..., ...}`` table names among ``kinds``, a reader of the table,
    and the fields the class takes as given there; errors name the field."""
    if not isinstance(data, Mapping):
        raise InvalidType(f"{where} must be a table, not {type(data).__name__}", path=where)
    kind = data.get("kind")
    made = kinds.get(kind) if isinstance(kind, str) else None
    if made is None:
        raise InvalidValue(
            f"{where}.kind: unknown {what} {shorten(kind)}; expected one of {', '.join(kinds)}",
            path=f"{where}.kind",
        )
    names = fields.get(made, ())
    read = reader(data, where, {"kind", *names})
    return made, read, {name: read.get(name) for name in names if read.has(name)}
