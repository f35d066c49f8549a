"""The vocabulary of a move's parameters: each with its check, and its codec for saved files."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from attrs import frozen

from negotiations._checks import check_party, check_text, shorten
from negotiations._errors import InvalidType, InvalidValue
from negotiations._stages import label
from negotiations._terms import ExchangeTerms
from negotiations._tranche import Tranche

if TYPE_CHECKING:
    from negotiations._definition import Definition

__all__ = ["PARAMETERS", "Parameter", "check_arguments"]


@frozen
class Parameter:
    """One parameter a move can take: what it must be, and how it is saved."""

    name: str
    #: What a checked value is an instance of.
    kind: type
    #: A value given to a move of ``process``, checked (and made canonical), naming the field.
    check: Callable[[object, str, Definition], Any]
    #: The value as JSON-ready data.
    encode: Callable[[Any], object]
    #: A value from saved data, checked, naming the field.
    decode: Callable[[object, str], Any]
    #: The value in a sentence (``str(event)``): text is quoted, and shortened when long
    #: (the event keeps the whole value).
    show: Callable[[Any], str] = shorten


def _terms(value: object, field: str, process: Definition) -> ExchangeTerms:
    if value is None:
        if process.terms is None:
            raise InvalidValue(
                f"{field}: the process has no default terms; give ExchangeTerms", path=field
            )
        return process.terms
    if not isinstance(value, ExchangeTerms):
        raise InvalidType(
            f"{field} must be ExchangeTerms (or None), not {type(value).__name__}", path=field
        )
    quota = value.quota
    for name, counts in (
        ("quota", None if isinstance(quota, int) else quota),
        ("seriously_ill_held", value.seriously_ill_held),
        ("young_held", value.young_held),
        ("ratio", value.ratio),
    ):
        for party, number in (counts or {}).items():
            if number and party not in process.parties:
                where = f"{field}.{name}"
                raise InvalidValue(
                    f"{where}: unknown side {shorten(party)}; expected one of "
                    f"{', '.join(map(str, process.parties))}",
                    path=where,
                )
    return value


def _tranche(value: object, field: str, process: Definition) -> Tranche:
    if not isinstance(value, Tranche):
        raise InvalidType(
            f"{field} must be a Tranche (for example Tranche.even(10)), not {type(value).__name__}",
            path=field,
        )
    released = value.released
    if released.parties == process.parties:  # the common case: nothing to look into
        return value
    strangers = [str(p) for p, n in released.items() if n and p not in process.parties]
    if strangers:
        where = f"{field}.released"
        raise InvalidValue(
            f"{where}: unknown side {shorten(strangers[0])}; expected one of "
            f"{', '.join(map(str, process.parties))}",
            path=where,
        )
    return value


def _party(value: object, field: str, process: Definition) -> str:
    return check_party(value, field, process.parties)


def _text(value: object, field: str, process: Definition) -> str:
    return check_text(value, field)


def _show_terms(terms: ExchangeTerms) -> str:
    quota = terms.quota if isinstance(terms.quota, int) else terms.quota.to_dict()
    return f"quota {quota}, under {terms.age_limit}"


def _decode_party(value: object, field: str) -> str:
    return check_party(value, field)


#: Every parameter a move can take, by name.
PARAMETERS: Mapping[str, Parameter] = {
    "terms": Parameter(
        "terms", ExchangeTerms, _terms, ExchangeTerms.to_dict, ExchangeTerms.from_dict, _show_terms
    ),
    "tranche": Parameter("tranche", Tranche, _tranche, Tranche.to_dict, Tranche.from_dict, str),
    "side": Parameter("side", str, _party, str, _decode_party, label),
    "name": Parameter("name", str, _text, str, check_text),
    "reason": Parameter("reason", str, _text, str, check_text),
    "note": Parameter("note", str, _text, str, check_text),
}


def check_arguments(
    process: Definition, parameters: tuple[str, ...], given: Mapping[str, object]
) -> dict[str, Any]:
    """A move's arguments checked on their own: exactly its parameters, each of the right
    kind (made canonical, such as a party's name in the process's spelling)."""
    if not parameters and not given:
        return {}
    if len(given) == len(parameters):
        for name in parameters:  # a loop: most moves take one argument
            if name not in given:
                break
        else:
            checked = {}
            for name in parameters:
                checked[name] = PARAMETERS[name].check(given[name], name, process)
            return checked
    missing = sorted(set(parameters) - given.keys())
    extra = sorted(shorten(str(name), quoted=False) for name in given.keys() - set(parameters))
    problems = [f"missing {', '.join(missing)}"] if missing else []
    problems += [f"unexpected {', '.join(extra)}"] if extra else []
    raise InvalidValue(f"arguments: {'; '.join(problems)}", path="arguments")
