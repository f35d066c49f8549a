"""What a negotiation records and explains: :class:`Blocker` and :class:`Event`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import Any

from attrs import field, frozen

from negotiations._fields import (
    _encodable,
    check_bool,
    check_count,
    check_optional_text,
    check_side,
    check_text,
    reader,
)
from negotiations._slots import slot_setters
from negotiations.errors import InvalidType, InvalidValue
from negotiations.stages import Side, Stage
from negotiations.terms import ExchangeTerms
from negotiations.tranche import Tranche, _plain_tranche

__all__ = ["DROP", "PLEDGE", "PLEDGE_TRIGGERS", "WITHDRAW", "Blocker", "Event", "Pledge"]


def _rule(value: object) -> str:
    return check_text(value, "rule")


def _message(value: object) -> str:
    return check_text(value, "message")


def _source_text(value: object) -> str:
    return check_text(value, "source")


def _trigger(value: object) -> str:
    return check_text(value, "trigger")


def _accepted(value: object) -> bool:
    return check_bool(value, "accepted")


@frozen
class Blocker:
    """One unmet condition: the rule's id, what is missing (with numbers), and the source.

    >>> print(Blocker("exchange.quota", "392 of 1000 released by Russia",
    ...               'article line 5: "with a minimum of 1,000 people on each side"'))
    392 of 1000 released by Russia [exchange.quota; article line 5: "with a minimum of 1,000 \
people on each side"]
    """

    rule: str = field(converter=_rule)
    message: str = field(converter=_message)
    source: str = field(converter=_source_text)

    @classmethod
    def _trusted(cls, rule: str, message: str, source: str) -> Blocker:
        """Build from values the library made itself (the hot path: no checks)."""
        made = _new(cls)
        _SET_RULE(made, rule)
        _SET_MESSAGE(made, message)
        _SET_SOURCE(made, source)
        return made

    def __str__(self) -> str:
        return f"{self.message} [{self.rule}; {self.source}]"

    def to_dict(self) -> dict[str, str]:
        """A JSON-ready dict."""
        return {"rule": self.rule, "message": self.message, "source": self.source}

    @classmethod
    def from_dict(cls, data: object, where: str = "blocker") -> Blocker:
        """Rebuild from :meth:`to_dict`; a bad or missing field is an error naming it."""
        read = reader(data, where, _BLOCKER_FIELDS)
        return read.build(cls, read.text("rule"), read.text("message"), read.text("source"))


_BLOCKER_FIELDS = frozenset({"rule", "message", "source"})

_new = object.__new__
_SET_RULE, _SET_MESSAGE, _SET_SOURCE = slot_setters(Blocker, "rule", "message", "source")

_NO_ARGUMENTS: Mapping[str, Any] = MappingProxyType({})
_CITING_NOTHING: Mapping[str, str] = MappingProxyType({})


def _arguments(value: object) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise InvalidType(f"arguments must be a mapping, not {type(value).__name__}")
    if not value:
        return _NO_ARGUMENTS
    for name, item in value.items():
        if name not in _CODECS:
            raise InvalidValue(f"arguments: unknown argument {name!r}")
        kind = _KINDS[name]
        if not isinstance(item, kind):
            raise InvalidType(
                f"arguments.{name} must be {kind.__name__}, not {type(item).__name__}"
            )
        if kind is str:
            check_text(item, f"arguments.{name}")  # a blank name or reason is no argument
    return MappingProxyType(dict(value))


def _blockers_of(value: Iterable[object]) -> tuple[Blocker, ...]:
    items = tuple(value)
    for index, item in enumerate(items):
        if not isinstance(item, Blocker):
            raise InvalidType(f"blockers[{index}] must be a Blocker, not {type(item).__name__}")
    return items  # type: ignore[return-value]  # every item was checked to be a Blocker above


def _stage(name: str) -> Callable[[object], Stage]:
    def convert(value: object) -> Stage:
        if isinstance(value, Stage):
            return value
        try:
            return Stage(value)  # type: ignore[arg-type]  # any value: a wrong one is reported below
        except ValueError:
            raise InvalidValue(
                f"{name}: unknown stage {value!r}; expected one of "
                f"{', '.join(stage.value for stage in Stage)}"
            ) from None

    return convert


def _source_stage(value: object) -> Stage:
    return _stage("source")(value)


def _dest_stage(value: object) -> Stage:
    return _stage("dest")(value)


#: The triggers of the events that keep pledges: made, withdrawn, dropped at the end.
PLEDGE, WITHDRAW, DROP = "pledge", "withdraw", "drop"
PLEDGE_TRIGGERS = frozenset({PLEDGE, WITHDRAW, DROP})


def _number(value: object) -> int:
    number = check_count(value, "number")
    if number < 1:
        raise InvalidValue("number: pledges are numbered from 1")
    return number


def _side(value: object) -> Side:
    return check_side(value, "side")


def _note(value: object) -> str | None:
    return check_optional_text(value, "note")


@frozen(repr=False)
class Pledge:
    """A party's stated intention to make a move as soon as it is possible.

    ``number`` counts the pledges of one negotiation from 1, in the order they
    were made; ``blockers`` are what stood in the way of the move when this
    value was made (empty once it has happened), the same blockers as
    ``blockers(trigger)`` gives. Two values of the same pledge are equal whatever
    their blockers.

    >>> print(Pledge(1, Side.RUSSIA, "open_third_round", note="after a prisoner exchange"))
    pledge 1: Russia will make open_third_round as soon as it is possible \
("after a prisoner exchange")
    """

    number: int = field(converter=_number)
    side: Side = field(converter=_side)
    trigger: str = field(converter=_trigger)
    note: str | None = field(default=None, converter=_note)
    blockers: tuple[Blocker, ...] = field(default=(), converter=_blockers_of, eq=False)
    #: The negotiation this value was handed out by, so that it cannot be withdrawn from
    #: another; ``None`` for a pledge read from a record.
    _owner: object = field(default=None, eq=False, repr=False, alias="owner")

    @classmethod
    def _trusted(
        cls,
        number: int,
        side: Side,
        trigger: str,
        note: str | None,
        *,
        blockers: tuple[Blocker, ...] = (),
        owner: object = None,
    ) -> Pledge:
        """Build from values the library checked itself."""
        made = _new(cls)
        _SET_NUMBER(made, number)
        _SET_SIDE(made, side)
        _SET_PLEDGED(made, trigger)
        _SET_NOTE(made, note)
        _SET_PLEDGE_BLOCKERS(made, blockers)
        _SET_OWNER(made, owner)
        return made

    def __repr__(self) -> str:
        note = f", note={self.note!r}" if self.note is not None else ""
        blocked = ""
        if self.blockers:
            rules = ", ".join(blocker.rule for blocker in self.blockers)
            blocked = f", blockers=<{len(self.blockers)}: {rules}>"
        return (
            f"Pledge(number={self.number}, side={self.side!r}, trigger={self.trigger!r}"
            f"{note}{blocked})"
        )

    def __copy__(self) -> Pledge:
        return self  # immutable: a copy is the same pledge, still withdrawable where handed out

    def __deepcopy__(self, memo: dict[int, object]) -> Pledge:
        return self

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        # pickle: who handed it out does not travel; such a pledge is known by its value
        return (_rebuilt_pledge, (self.number, self.side, self.trigger, self.note, self.blockers))

    def _record(self) -> Pledge:
        """This pledge as the history and the state keep it: no blockers, no owner."""
        if not self.blockers and self._owner is None:
            return self
        return Pledge._trusted(self.number, self.side, self.trigger, self.note)

    def __str__(self) -> str:
        note = f' ("{self.note}")' if self.note else ""
        said = (
            f"pledge {self.number}: {self.side.label} will make {self.trigger} "
            f"as soon as it is possible{note}"
        )
        if self.blockers:
            said += "; waiting for: " + "; ".join(blocker.message for blocker in self.blockers)
        return said

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (without the blockers, which depend on the moment)."""
        data: dict[str, Any] = {
            "number": self.number,
            "side": self.side.value,
            "trigger": self.trigger,
        }
        if self.note is not None:
            data["note"] = self.note
        return data

    @classmethod
    def from_dict(cls, data: object, where: str = "pledge") -> Pledge:
        """Rebuild from :meth:`to_dict`; a bad or missing field is an error naming it."""
        read = reader(data, where, _PLEDGE_FIELDS)
        return read.build(
            cls,
            read.get("number"),
            read.side("side"),
            read.text("trigger"),
            read.optional_text("note"),
        )


_PLEDGE_FIELDS = frozenset({"number", "side", "trigger", "note"})
(
    _SET_NUMBER,
    _SET_SIDE,
    _SET_PLEDGED,
    _SET_NOTE,
    _SET_PLEDGE_BLOCKERS,
    _SET_OWNER,
) = slot_setters(Pledge, "number", "side", "trigger", "note", "blockers", "_owner")


def _rebuilt_pledge(
    number: int, side: Side, trigger: str, note: str | None, blockers: tuple[Blocker, ...]
) -> Pledge:
    return Pledge._trusted(number, side, trigger, note, blockers=blockers)


def _pledge(value: object) -> Pledge | None:
    if value is None or isinstance(value, Pledge):
        return None if value is None else value._record()
    raise InvalidType(f"pledge must be a Pledge or None, not {type(value).__name__}")


@frozen(unsafe_hash=False)
class Event:
    """One attempted move, as recorded in a negotiation's history.

    ``accepted`` moves changed the negotiation (``dest`` is the stage after
    it); refused ones (``accepted=False``) carry the ``blockers`` that refused
    them and left it where it was (``dest == source``). ``arguments`` are the
    values the trigger was called with, by parameter name.

    ``pledge`` is set on a move a :class:`Pledge` made by itself, and on the
    events that keep pledges, whose triggers are ``"pledge"`` (made),
    ``"withdraw"`` and ``"drop"`` (dropped when the process ended).
    """

    trigger: str = field(converter=_trigger)
    accepted: bool = field(converter=_accepted)
    source: Stage = field(converter=_source_stage)
    dest: Stage = field(converter=_dest_stage)
    arguments: Mapping[str, Any] = field(default=_NO_ARGUMENTS, converter=_arguments)
    blockers: tuple[Blocker, ...] = field(default=(), converter=_blockers_of)
    pledge: Pledge | None = field(default=None, converter=_pledge)

    def __hash__(self) -> int:
        return hash(
            (
                self.trigger,
                self.accepted,
                self.source,
                self.dest,
                *self.arguments.items(),
                self.blockers,
                self.pledge,
            )
        )

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        # copy, deepcopy and pickle: the read-only view of the arguments is rebuilt
        return (
            Event._trusted,
            (
                self.trigger,
                self.accepted,
                self.source,
                self.dest,
                dict(self.arguments),
                self.blockers,
                self.pledge,
            ),
        )

    def __repr__(self) -> str:
        tail = f", blockers={self.blockers!r}" if self.blockers else ""
        if self.pledge is not None:
            tail += f", pledge={self.pledge!r}"
        return (
            f"Event(trigger={self.trigger!r}, accepted={self.accepted!r}, "
            f"source={self.source!r}, dest={self.dest!r}, "
            f"arguments={dict(self.arguments)!r}{tail})"
        )

    def __attrs_post_init__(self) -> None:
        if self.accepted and self.blockers:
            raise InvalidValue("blockers: an accepted event has no blockers")
        if not self.accepted and not self.blockers:
            raise InvalidValue("blockers: a refused event names the rules that refused it")
        if not self.accepted and self.dest != self.source:
            raise InvalidValue("dest: a refused event leaves the stage as it was")
        if self.trigger in PLEDGE_TRIGGERS:
            if self.pledge is None:
                raise InvalidValue(f"pledge: a {self.trigger} event names its pledge")
            if not self.accepted or self.dest != self.source or self.arguments:
                raise InvalidValue(
                    f"trigger: a {self.trigger} event is accepted, changes no stage and "
                    "takes no arguments"
                )
        elif self.pledge is not None:
            if not self.accepted:
                raise InvalidValue("pledge: a pledge makes only moves that are accepted")
            if self.pledge.trigger != self.trigger:
                raise InvalidValue(
                    f"pledge: pledge {self.pledge.number} is for {self.pledge.trigger}, "
                    f"not {self.trigger}"
                )

    @classmethod
    def _trusted(  # noqa: PLR0917  # private hot-path constructor: the fields, in order
        cls,
        trigger: str,
        accepted: bool,
        source: Stage,
        dest: Stage,
        arguments: Mapping[str, Any],
        blockers: tuple[Blocker, ...] = (),
        pledge: Pledge | None = None,
    ) -> Event:
        """Build from values the library checked itself (the hot path: no second check)."""
        made = _new(cls)
        _SET_TRIGGER(made, trigger)
        _SET_ACCEPTED(made, accepted)
        _SET_EVENT_SOURCE(made, source)
        _SET_DEST(made, dest)
        _SET_ARGUMENTS(made, MappingProxyType(arguments) if arguments else _NO_ARGUMENTS)
        _SET_BLOCKERS(made, blockers)
        _SET_PLEDGE(made, pledge)
        return made

    @property
    def args(self) -> Mapping[str, Any]:
        """Alias of :attr:`arguments`."""
        return self.arguments

    def __str__(self) -> str:
        pledge = self.pledge
        if pledge is not None and self.trigger in PLEDGE_TRIGGERS:
            return _kept(self.trigger, pledge, self.source)
        shown = ", ".join(f"{name}={_show(value)}" for name, value in self.arguments.items())
        call = f"{self.trigger}({shown})"
        if self.accepted:
            by = (
                ""
                if pledge is None
                else f" — pledged by {pledge.side.label} (pledge {pledge.number})"
            )
            if self.dest == self.source:
                return f"{call} in {self.source.label}{by}"
            return f"{call}: {self.source.label} -> {self.dest.label}{by}"
        reasons = "; ".join(blocker.message for blocker in self.blockers)
        return f"{call} refused in {self.source.label}: {reasons}"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return self._saved(_CITING_NOTHING)

    def _saved(self, cited: Mapping[str, str]) -> dict[str, Any]:
        """:meth:`to_dict`, leaving out each blocker's ``source`` where it is ``cited[rule]``:
        the form a saved negotiation keeps, which puts the rule's citation back on load."""
        data: dict[str, Any] = {
            "trigger": self.trigger,
            "accepted": self.accepted,
            "source": _VALUES[self.source],
            "dest": _VALUES[self.dest],
        }
        if self.arguments:
            data["arguments"] = {
                name: _CODECS[name][0](value) for name, value in self.arguments.items()
            }
        if self.blockers:
            data["blockers"] = [
                {"rule": blocker.rule, "message": blocker.message}
                if cited.get(blocker.rule) == blocker.source
                else blocker.to_dict()
                for blocker in self.blockers
            ]
        if self.pledge is not None:
            data["pledge"] = self.pledge.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: object, where: str = "event") -> Event:
        """Rebuild from :meth:`to_dict`; a bad or missing field is an error naming it."""
        plain = _plain_event(data)
        if plain is not None:
            return plain
        read = reader(data, where, _EVENT_FIELDS)
        raw = read.get("arguments", {})
        if not isinstance(raw, Mapping):
            raise InvalidType(f"{read.field('arguments')} must be a JSON object")
        arguments = {}
        for name, value in raw.items():
            if name not in _CODECS:
                raise InvalidValue(f"{read.field('arguments')}: unknown argument {name!r}")
            arguments[name] = _CODECS[name][1](value, f"{read.field('arguments')}.{name}")
        return read.build(
            cls,
            trigger=read.text("trigger"),
            accepted=read.flag("accepted"),
            source=_stage(read.field("source"))(read.get("source")),
            dest=_stage(read.field("dest"))(read.get("dest")),
            arguments=arguments,
            blockers=read.each("blockers", Blocker.from_dict) if read.has("blockers") else (),
            pledge=Pledge.from_dict(read.get("pledge"), read.field("pledge"))
            if read.has("pledge")
            else None,
        )


(
    _SET_TRIGGER,
    _SET_ACCEPTED,
    _SET_EVENT_SOURCE,
    _SET_DEST,
    _SET_ARGUMENTS,
    _SET_BLOCKERS,
    _SET_PLEDGE,
) = slot_setters(Event, "trigger", "accepted", "source", "dest", "arguments", "blockers", "pledge")


def _plain_event(data: object) -> Event | None:  # noqa: PLR0911  # one bail-out per field
    """An event from well-formed saved data, checked field by field without the general
    reader; ``None`` for anything unusual, which the careful path then explains."""
    if type(data) is not dict or not data.keys() <= _EVENT_FIELDS or "pledge" in data:
        return None
    trigger, accepted = _plain_text(data.get("trigger")), data.get("accepted")
    if trigger in PLEDGE_TRIGGERS:  # events of pledges: the constructor checks them
        return None
    source, dest = data.get("source"), data.get("dest")
    if trigger is None or type(accepted) is not bool:
        return None
    if type(source) is not str or type(dest) is not str:
        return None
    source_stage, dest_stage = _STAGES.get(source), _STAGES.get(dest)
    if source_stage is None or dest_stage is None:
        return None
    arguments = _plain_arguments(data.get("arguments", _NO_ARGUMENTS))
    blockers = _plain_blockers(data["blockers"]) if "blockers" in data else ()
    if arguments is None or blockers is None:
        return None
    if accepted == bool(blockers) or (not accepted and dest_stage is not source_stage):
        return None
    return Event._trusted(trigger, accepted, source_stage, dest_stage, arguments, blockers)


def _plain_arguments(raw: object) -> dict[str, Any] | None:
    if type(raw) is not dict:
        return {} if raw is _NO_ARGUMENTS else None
    if len(raw) == 1:  # the common case: one argument
        ((name, value),) = raw.items()
        decode = _PLAIN_DECODERS.get(name)
        decoded = None if decode is None else decode(value)
        return None if decoded is None else {name: decoded}
    arguments: dict[str, Any] = {}
    for name, value in raw.items():
        decode = _PLAIN_DECODERS.get(name)
        decoded = None if decode is None else decode(value)
        if decoded is None:
            return None
        arguments[name] = decoded
    return arguments


def _plain_blockers(items: object) -> tuple[Blocker, ...] | None:
    if type(items) is not list:
        return None
    found = []
    for item in items:
        if type(item) is not dict or item.keys() != _BLOCKER_FIELDS:
            return None
        rule, message, cited = item["rule"], item["message"], item["source"]
        if not (_plain_text(rule) and _plain_text(message) and _plain_text(cited)):
            return None
        found.append(Blocker._trusted(rule, message, cited))
    return tuple(found)


def _plain_text(value: object) -> str | None:
    # not blank: what check_text asks, without building a stripped copy
    if type(value) is not str or not value or value.isspace():
        return None
    return value if value.isascii() or _encodable(value) else None


def _plain_side(value: object) -> Side | None:
    return _SIDES.get(value) if type(value) is str else None


_STAGES = {stage.value: stage for stage in Stage}
_VALUES = {stage: stage.value for stage in Stage}
_SIDES = {side.value: side for side in Side}
_PLAIN_DECODERS: dict[str, Callable[[object], Any]] = {
    "tranche": _plain_tranche,
    "name": _plain_text,
    "reason": _plain_text,
    "note": _plain_text,
    "side": _plain_side,
}


def _kept(trigger: str, pledge: Pledge, stage: Stage) -> str:
    """An event that keeps a pledge, in words."""
    who = pledge.side.label
    if trigger == PLEDGE:
        note = f": {pledge.note!r}" if pledge.note else ""
        return f"{who} pledged {pledge.trigger} (pledge {pledge.number}{note}) in {stage.label}"
    if trigger == WITHDRAW:
        return f"{who} withdrew pledge {pledge.number} ({pledge.trigger}) in {stage.label}"
    return (
        f"pledge {pledge.number} ({who}: {pledge.trigger}) dropped: "
        f"the process ended in {stage.label}"
    )


def _show(value: object) -> str:
    if isinstance(value, Side):
        return value.label
    if isinstance(value, Tranche):
        return str(value)
    if isinstance(value, ExchangeTerms):
        return f"quota {value.quota}, under {value.age_limit}"
    return repr(value)


_CODECS: dict[str, tuple[Callable[[Any], Any], Callable[[Any, str], Any]]] = {
    "terms": (ExchangeTerms.to_dict, ExchangeTerms.from_dict),
    "tranche": (Tranche.to_dict, Tranche.from_dict),
    "side": (lambda side: side.value, check_side),
    "name": (str, check_text),
    "reason": (str, check_text),
    "note": (str, check_text),
}

#: What each argument must be, once loaded.
_KINDS: dict[str, type] = {
    "terms": ExchangeTerms,
    "tranche": Tranche,
    "side": Side,
    "name": str,
    "reason": str,
    "note": str,
}

_EVENT_FIELDS = frozenset(
    {"trigger", "accepted", "source", "dest", "arguments", "blockers", "pledge"}
)
