"""Checks shared by the value classes: each failure names the field it is about."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from negotiations.counts import SideCounts, count_of, side_of
from negotiations.errors import InvalidType, InvalidValue
from negotiations.stages import Side

__all__ = [
    "check_bool",
    "check_count",
    "check_optional_text",
    "check_side",
    "check_text",
    "reader",
]

T = TypeVar("T")


def check_optional_text(value: object, field: str) -> str | None:
    """``None`` or a non-blank string, else an error naming ``field``."""
    return None if value is None else check_text(value, field)


def check_text(value: object, field: str) -> str:
    """A non-blank string, else an error naming ``field``."""
    if not isinstance(value, str):
        raise InvalidType(f"{field} must be a string, not {type(value).__name__}")
    if not value.strip():
        raise InvalidValue(f"{field} must not be blank")
    if not value.isascii() and not _encodable(value):
        raise InvalidValue(f"{field} is not valid Unicode text (a lone surrogate?)")
    return value


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def check_bool(value: object, field: str) -> bool:
    """A real ``bool``, else an error naming ``field``."""
    if not isinstance(value, bool):
        raise InvalidType(f"{field} must be True or False, not {type(value).__name__}")
    return value


def check_count(value: object, field: str) -> int:
    """A whole number >= 0, else an error naming ``field``."""
    return count_of(value, field)


def check_side(value: object, field: str) -> Side:
    """A :class:`Side` (or its value in any case), else an error naming ``field``."""
    return side_of(value, field)


class reader:  # noqa: N801  # used like a function: reader(data, "tranche")
    """Read a JSON object strictly: every field known, none missing, each error names the field."""

    def __init__(self, data: object, where: str, known: frozenset[str] | set[str]) -> None:
        if not isinstance(data, Mapping):
            raise InvalidType(f"{where} must be a JSON object, not {type(data).__name__}")
        unknown = sorted(str(key) for key in data if key not in known)
        if unknown:
            raise InvalidValue(f"{where}: unknown field(s) {', '.join(unknown)}")
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
            raise InvalidValue(f"{self._where}: missing field {name}")
        return default

    def has(self, name: str) -> bool:
        """Whether the field ``name`` is present."""
        return name in self._data

    def flag(self, name: str, default: Any = ...) -> bool:
        """The field ``name`` as a ``bool``."""
        return check_bool(self.get(name, default), self.field(name))

    def count(self, name: str) -> int:
        """The field ``name`` as a count (a whole number >= 0)."""
        return count_of(self.get(name), self.field(name))

    def optional_count(self, name: str) -> int | None:
        """The field ``name`` as a count, or ``None``."""
        value = self.get(name, None)
        return None if value is None else count_of(value, self.field(name))

    def text(self, name: str) -> str:
        """The field ``name`` as a non-blank string."""
        return check_text(self.get(name), self.field(name))

    def optional_text(self, name: str) -> str | None:
        """The field ``name`` as a non-blank string, or ``None``."""
        return check_optional_text(self.get(name, None), self.field(name))

    def side(self, name: str) -> Side:
        """The field ``name`` as a :class:`Side`."""
        return side_of(self.get(name), self.field(name))

    def counts(self, name: str, default: Any = ...) -> SideCounts:
        """The field ``name`` as :class:`SideCounts`."""
        return SideCounts.of(self.get(name, default), self.field(name))

    def build(self, make: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``make(*args, **kwargs)``, its errors prefixed with where they come from."""
        try:
            return make(*args, **kwargs)
        except InvalidType as error:
            raise InvalidType(f"{self._where}: {error}") from None
        except InvalidValue as error:
            raise InvalidValue(f"{self._where}: {error}") from None

    def each(self, name: str, convert: Callable[[Any, str], T]) -> tuple[T, ...]:
        """Convert every item of the list ``name``, naming ``name[i]`` on error."""
        items = self.get(name)
        if not isinstance(items, list):
            raise InvalidType(f"{self.field(name)} must be a list, not {type(items).__name__}")
        return tuple(convert(item, f"{self.field(name)}[{i}]") for i, item in enumerate(items))
