"""What a negotiation records and explains: :class:`Blocker`, :class:`Pledge` and :class:`Event`."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from attrs import field, frozen

from negotiations._checks import (
    FLAG,
    OPTIONAL_TEXT,
    PARTY,
    TEXT,
    check_count,
    check_each,
    check_text,
    instance_of,
    reader,
    shorten,
)
from negotiations._dates import as_date
from negotiations._errors import InvalidType, InvalidValue
from negotiations._fast import trusted
from negotiations._parameters import PARAMETERS
from negotiations._stages import Stage, label

__all__ = [
    "DROP",
    "PLEDGE",
    "PLEDGE_TRIGGERS",
    "WITHDRAW",
    "Blocker",
    "Event",
    "Pledge",
    "make_blocker",
    "make_event",
    "make_pledge",
    "stage_name",
]


@frozen
class Blocker:
    """One unmet condition: the rule's id, what is missing (with numbers), and the source.

    >>> print(Blocker("exchange.quota", "392 of 1000 released by Russia",
    ...               'article line 5: "with a minimum of 1,000 people on each side"'))
    392 of 1000 released by Russia [exchange.quota; article line 5: "with a minimum of 1,000 \
people on each side"]
    """

    rule: str = field(converter=TEXT)  # type: ignore[misc]  # attrs' mypy plugin cannot follow Converter objects
    message: str = field(converter=TEXT)  # type: ignore[misc]  # attrs' mypy plugin cannot follow Converter objects
    source: str = field(converter=TEXT)  # type: ignore[misc]  # attrs' mypy plugin cannot follow Converter objects

    def __str__(self) -> str:
        return f"{self.message} [{self.rule}; {self.source}]"

    def to_dict(self) -> dict[str, str]:
        """A JSON-ready dict."""
        return {"rule": self.rule, "message": self.message, "source": self.source}

    @classmethod
    def from_dict(cls, data: object, where: str = "blocker") -> Blocker:
        """Rebuild from :meth:`to_dict`; a bad or missing field is an error naming it."""
        read = reader(data, where, _BLOCKER_FIELDS)
        return read.build(cls, read.get("rule"), read.get("message"), read.get("source"))


_BLOCKER_FIELDS = frozenset({"rule", "message", "source"})
_A_BLOCKER = instance_of(Blocker)
_NO_ARGUMENTS: Mapping[str, Any] = MappingProxyType({})

#: The triggers of the events that keep pledges: made, withdrawn, dropped at the end.
PLEDGE, WITHDRAW, DROP = "pledge", "withdraw", "drop"
PLEDGE_TRIGGERS = frozenset({PLEDGE, WITHDRAW, DROP})


def _arguments(value: object) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise InvalidType(
            f"arguments must be a mapping, not {type(value).__name__}", path="arguments"
        )
    if not value:
        return _NO_ARGUMENTS
    for name, item in value.items():
        parameter = PARAMETERS.get(name)
        if parameter is None:
            raise InvalidValue(f"arguments: unknown argument {shorten(name)}", path="arguments")
        if not isinstance(item, parameter.kind):
            raise InvalidType(
                f"arguments.{name} must be {parameter.kind.__name__}, not {type(item).__name__}",
                path=f"arguments.{name}",
            )
        if parameter.kind is str:
            check_text(item, f"arguments.{name}")  # no blank name or reason
    return MappingProxyType(dict(value))


def _blockers_of(value: object) -> tuple[Blocker, ...]:
    return check_each(value, "blockers", "a sequence of Blocker", _A_BLOCKER)


def stage_name(value: object, field: str) -> str:
    """A stage's name: one of the article's :class:`Stage` where it is one, else any
    non-blank name (the process it belongs to checks it)."""
    if isinstance(value, Stage):
        return value
    name = check_text(value, field)
    return _STAGES.get(name, name)


_STAGES = {stage.value: stage for stage in Stage}


def _source_stage(value: object) -> str:
    return stage_name(value, "source")


def _dest_stage(value: object) -> str:
    return stage_name(value, "dest")


def _number(value: object) -> int:
    number = check_count(value, "number")
    if number < 1:
        raise InvalidValue("number: pledges are numbered from 1", path="number")
    return number


@frozen(repr=False)
class Pledge:
    """A party's stated intention to make a move as soon as it is possible.

    ``number`` counts the pledges of one negotiation from 1, in the order they
    were made; ``blockers`` are what stood in the way of the move when this
    value was made (empty once it has happened), the same blockers as
    ``blockers(trigger)`` gives. Two values of the same pledge are equal whatever
    their blockers.

    >>> from negotiations import Side
    >>> print(Pledge(1, Side.RUSSIA, "open_third_round", note="after a prisoner exchange"))
    pledge 1: Russia will make open_third_round as soon as it is possible \
("after a prisoner exchange")
    """

    number: int = field(converter=_number)
    side: str = field(converter=PARTY)  # type: ignore[misc]  # attrs' mypy plugin cannot follow Converter objects
    trigger: str = field(converter=TEXT)  # type: ignore[misc]  # attrs' mypy plugin cannot follow Converter objects
    note: str | None = field(default=None, converter=OPTIONAL_TEXT)  # type: ignore[misc]  # attrs' mypy plugin cannot follow Converter objects
    blockers: tuple[Blocker, ...] = field(default=(), converter=_blockers_of, eq=False)
    #: The negotiation this value was handed out by, so that it cannot be withdrawn from
    #: another; ``None`` for a pledge read from a record.
    _owner: object = field(default=None, eq=False, repr=False, alias="owner")

    def __repr__(self) -> str:
        note = f", note={shorten(self.note)}" if self.note is not None else ""
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
        # copy and pickle: who handed it out does not travel; such a pledge is known by value
        return (_rebuilt_pledge, (self.number, self.side, self.trigger, self.note, self.blockers))

    @property
    def owner(self) -> object:
        """The token of the negotiation that handed this value out (``None``: a record)."""
        return self._owner

    def record(self) -> Pledge:
        """This pledge as the history and the state keep it: no blockers, no owner."""
        if not self.blockers and self._owner is None:
            return self
        return make_pledge(self.number, self.side, self.trigger, self.note, (), None)

    def __str__(self) -> str:
        note = f' ("{shorten(self.note, quoted=False)}")' if self.note else ""
        said = (
            f"pledge {self.number}: {label(self.side)} will make {self.trigger} "
            f"as soon as it is possible{note}"
        )
        if self.blockers:
            said += "; waiting for: " + "; ".join(blocker.message for blocker in self.blockers)
        return said

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (without the blockers, which depend on the moment)."""
        data: dict[str, Any] = {
            "number": self.number,
            "side": str(self.side),
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
            read.get("side"),
            read.get("trigger"),
            read.get("note", None),
        )


_PLEDGE_FIELDS = frozenset({"number", "side", "trigger", "note"})


def _rebuilt_pledge(
    number: int, side: str, trigger: str, note: str | None, blockers: tuple[Blocker, ...]
) -> Pledge:
    return make_pledge(number, side, trigger, note, blockers, None)


def _pledge(value: object) -> Pledge | None:
    if value is None or isinstance(value, Pledge):
        return None if value is None else value.record()
    raise InvalidType(f"pledge must be a Pledge or None, not {type(value).__name__}", path="pledge")


def _date(value: object) -> datetime.date | None:
    return as_date(value, "date")


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

    ``date`` is the day it happened (a :class:`datetime.date`; an ISO string such
    as ``"2025-05-23"`` is read as one) and ``citation`` the report it comes from
    (free text, such as ``"Reuters, 23 May 2025"``); both are ``None`` unless given.
    The moves a pledge makes by itself, and the pledges a call drops, carry the
    date of the call that let them through.
    """

    trigger: str = field(converter=TEXT)  # type: ignore[misc]  # attrs' mypy plugin cannot follow Converter objects
    accepted: bool = field(converter=FLAG)  # type: ignore[misc]  # attrs' mypy plugin cannot follow Converter objects
    source: str = field(converter=_source_stage)
    dest: str = field(converter=_dest_stage)
    arguments: Mapping[str, Any] = field(default=_NO_ARGUMENTS, converter=_arguments)
    blockers: tuple[Blocker, ...] = field(default=(), converter=_blockers_of)
    pledge: Pledge | None = field(default=None, converter=_pledge)
    date: datetime.date | None = field(default=None, converter=_date)
    citation: str | None = field(default=None, converter=OPTIONAL_TEXT)  # type: ignore[misc]  # attrs' mypy plugin cannot follow Converter objects

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
                self.date,
                self.citation,
            )
        )

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        # copy, deepcopy and pickle: the read-only view of the arguments is rebuilt
        return (
            make_event,
            (
                self.trigger,
                self.accepted,
                self.source,
                self.dest,
                dict(self.arguments),
                self.blockers,
                self.pledge,
                self.date,
                self.citation,
            ),
        )

    def __repr__(self) -> str:
        # Echoed at the prompt after every move: the one line that says what happened, not
        # every field (they are attributes; to_dict gives them all).
        return self.__str__()

    def __attrs_post_init__(self) -> None:
        if self.accepted and self.blockers:
            raise InvalidValue("blockers: an accepted event has no blockers", path="blockers")
        if not self.accepted and not self.blockers:
            raise InvalidValue(
                "blockers: a refused event names the rules that refused it", path="blockers"
            )
        if not self.accepted and self.dest != self.source:
            raise InvalidValue("dest: a refused event leaves the stage as it was", path="dest")
        if self.trigger in PLEDGE_TRIGGERS:
            if self.pledge is None:
                raise InvalidValue(
                    f"pledge: a {self.trigger} event names its pledge", path="pledge"
                )
            if not self.accepted or self.dest != self.source or self.arguments:
                raise InvalidValue(
                    f"trigger: a {self.trigger} event is accepted, changes no stage and "
                    "takes no arguments",
                    path="trigger",
                )
        elif self.pledge is not None:
            if not self.accepted:
                raise InvalidValue(
                    "pledge: a pledge makes only moves that are accepted", path="pledge"
                )
            if self.pledge.trigger != self.trigger:
                raise InvalidValue(
                    f"pledge: pledge {self.pledge.number} is for {self.pledge.trigger}, "
                    f"not {self.trigger}",
                    path="pledge",
                )

    @property
    def args(self) -> Mapping[str, Any]:
        """Alias of :attr:`arguments`."""
        return self.arguments

    def __str__(self) -> str:
        said = self._said()
        if self.date is not None:
            said = f"{self.date.isoformat()}: {said}"
        if self.citation is not None:  # one line, however long or broken the citation
            said = f"{said} [{shorten(' '.join(self.citation.split()), quoted=False)}]"
        return said

    def _said(self) -> str:
        """What happened, in words, without the date and the citation."""
        pledge = self.pledge
        if pledge is not None and self.trigger in PLEDGE_TRIGGERS:
            return _kept(self.trigger, pledge, self.source)
        shown = ", ".join(
            f"{name}={PARAMETERS[name].show(value)}" for name, value in self.arguments.items()
        )
        call = f"{self.trigger}({shown})"
        if self.accepted:
            by = (
                ""
                if pledge is None
                else f" — pledged by {label(pledge.side)} (pledge {pledge.number})"
            )
            if self.dest == self.source:
                return f"{call} in {label(self.source)}{by}"
            return f"{call}: {label(self.source)} -> {label(self.dest)}{by}"
        reasons = "; ".join(blocker.message for blocker in self.blockers)
        return f"{call} refused in {label(self.source)}: {reasons}"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return self.saved({})

    def saved(self, cited: Mapping[str, str]) -> dict[str, Any]:
        """:meth:`to_dict`, leaving out each blocker's ``source`` where it is ``cited[rule]``:
        the form a saved negotiation keeps, which puts the rule's citation back on load."""
        data: dict[str, Any] = {
            "trigger": self.trigger,
            "accepted": self.accepted,
            "source": str(self.source),
            "dest": str(self.dest),
        }
        if self.arguments:
            data["arguments"] = {
                name: PARAMETERS[name].encode(value) for name, value in self.arguments.items()
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
        if self.date is not None or self.citation is not None:
            data.update(self.when_saved())
        return data

    def when_saved(self) -> dict[str, str]:
        """The ``date`` and ``citation`` fields of :meth:`saved`, each only if there is one."""
        when = {}
        if self.date is not None:
            when["date"] = self.date.isoformat()
        if self.citation is not None:
            when["citation"] = self.citation
        return when

    @classmethod
    def from_dict(
        cls, data: object, where: str = "event", cited: Mapping[str, str] | None = None
    ) -> Event:
        """Rebuild from :meth:`to_dict`; a bad or missing field is an error naming it.

        ``cited`` gives each rule's citation, for blockers saved without their source.
        """
        read = reader(data, where, _EVENT_FIELDS)
        raw = read.get("arguments", {})
        if not isinstance(raw, Mapping):
            field_name = read.field("arguments")
            raise InvalidType(f"{field_name} must be a JSON object", path=field_name)
        arguments = {}
        for name, value in raw.items():
            parameter = PARAMETERS.get(name)
            if parameter is None:
                raise InvalidValue(
                    f"{read.field('arguments')}: unknown argument {shorten(name)}",
                    path=read.field("arguments"),
                )
            arguments[name] = parameter.decode(value, f"{read.field('arguments')}.{name}")
        blockers: tuple[Blocker, ...] = ()
        if read.has("blockers"):
            blockers = read.each("blockers", _blocker_reader(cited or {}))
        return read.build(
            cls,
            trigger=read.get("trigger"),
            accepted=read.get("accepted"),
            source=read.get("source"),
            dest=read.get("dest"),
            arguments=arguments,
            blockers=blockers,
            pledge=Pledge.from_dict(read.get("pledge"), read.field("pledge"))
            if read.has("pledge")
            else None,
            date=_not_null(read, "date", "an ISO date string"),
            citation=_not_null(read, "citation", "a string"),
        )


def _not_null(read: Any, name: str, kind: str) -> object:
    """Field ``name`` if present (``None`` if not): written only when there is one, so a
    ``null`` is no way to say there is none."""
    if not read.has(name):
        return None
    value = read.get(name)
    if value is None:
        where = read.field(name)
        raise InvalidType(f"{where} must be {kind}, not null", path=where)
    return value


def _blocker_reader(cited: Mapping[str, str]) -> Any:
    def read(data: object, where: str) -> Blocker:
        if (
            isinstance(data, Mapping)
            and "source" not in data
            and isinstance(data.get("rule"), str)
            and data["rule"] in cited
        ):
            data = {**data, "source": cited[data["rule"]]}
        return Blocker.from_dict(data, where)

    return read


_EVENT_FIELDS = frozenset(
    {
        "trigger",
        "accepted",
        "source",
        "dest",
        "arguments",
        "blockers",
        "pledge",
        "date",
        "citation",
    }
)

make_blocker = trusted(Blocker)
_make_pledge = trusted(Pledge)
_make_event = trusted(Event)


def make_pledge(  # noqa: PLR0917  # the fields, in order
    number: int,
    side: str,
    trigger: str,
    note: str | None,
    blockers: tuple[Blocker, ...] = (),
    owner: object = None,
) -> Pledge:
    """A pledge from parts the library checked itself."""
    return _make_pledge(number, side, trigger, note, blockers, owner)


def make_event(  # noqa: PLR0917  # the fields, in order
    trigger: str,
    accepted: bool,
    source: str,
    dest: str,
    arguments: Mapping[str, Any],
    blockers: tuple[Blocker, ...] = (),
    pledge: Pledge | None = None,
    date: datetime.date | None = None,
    citation: str | None = None,
) -> Event:
    """An event from parts the library checked itself (the hot path: no second check)."""
    shown = MappingProxyType(arguments) if arguments else _NO_ARGUMENTS
    return _make_event(trigger, accepted, source, dest, shown, blockers, pledge, date, citation)


def _kept(trigger: str, pledge: Pledge, stage: str) -> str:
    """An event that keeps a pledge, in words."""
    who = label(pledge.side)
    where = label(stage)
    if trigger == PLEDGE:
        note = f": {shorten(pledge.note)}" if pledge.note else ""
        return f"{who} pledged {pledge.trigger} (pledge {pledge.number}{note}) in {where}"
    if trigger == WITHDRAW:
        return f"{who} withdrew pledge {pledge.number} ({pledge.trigger}) in {where}"
    return f"pledge {pledge.number} ({who}: {pledge.trigger}) dropped: the process ended in {where}"
