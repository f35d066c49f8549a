"""The fold: how each accepted move changes a :class:`State`, and what arguments it accepts.

Every function here is pure. A move is checked in three steps, all before
anything changes: its arguments on their own (:func:`arguments`), then
against the state (:func:`admit`), then the guard rules of the definition;
only a move that passes all three is applied (:func:`apply`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from negotiations._fields import check_side, check_text
from negotiations.errors import InvalidType, InvalidValue
from negotiations.stages import Side, Stage
from negotiations.state import Interest, PledgeBook, State
from negotiations.terms import ISTANBUL_TERMS, ExchangeTerms
from negotiations.tranche import Tranche

__all__ = ["admission", "admit", "apply", "arguments", "change", "replace_pledges"]


def _terms(value: object, field: str) -> ExchangeTerms:
    if value is None:
        return ISTANBUL_TERMS
    if not isinstance(value, ExchangeTerms):
        raise InvalidType(f"{field} must be ExchangeTerms (or None), not {type(value).__name__}")
    return value


def _tranche(value: object, field: str) -> Tranche:
    if not isinstance(value, Tranche):
        raise InvalidType(
            f"{field} must be a Tranche (for example Tranche.even(10)), not {type(value).__name__}"
        )
    return value


_PARAMETERS: Mapping[str, Callable[[object, str], object]] = {
    "terms": _terms,
    "tranche": _tranche,
    "side": check_side,
    "name": check_text,
    "reason": check_text,
    "note": check_text,
}


def arguments(parameters: tuple[str, ...], given: Mapping[str, object]) -> dict[str, Any]:
    """Check a move's arguments on their own; the result is what the history records."""
    if not parameters and not given:
        return {}
    if len(given) != len(parameters) or any(name not in given for name in parameters):
        missing = sorted(set(parameters) - given.keys())
        extra = sorted(str(name) for name in given.keys() - set(parameters))
        problems = [f"missing {', '.join(missing)}"] if missing else []
        problems += [f"unexpected {', '.join(extra)}"] if extra else []
        raise InvalidValue(f"arguments: {'; '.join(problems)}")
    return {name: _PARAMETERS[name](given[name], name) for name in parameters}


def _owner(state: State, side: Side, name: str) -> Interest:
    """The interest ``side`` acknowledges: the other side's named ``name``.

    Naming the declaring side instead is accepted where it leaves no doubt.
    """
    return state._interest_at(_owned_at(state, side, name))


def _owned_at(state: State, side: Side, name: str) -> int:
    for owner in (side.other, side):
        position = state._interest_position(owner, name)
        if position is not None:
            return position
    raise InvalidValue(
        f"name: no core interest {name!r} has been declared for {side.label} to acknowledge"
    )


def admit(state: State, trigger: str, args: Mapping[str, Any]) -> None:
    """Refuse arguments that do not fit the state, with an error naming the field."""
    check = _ADMIT.get(trigger)
    if check is not None:
        check(state, args)


def admission(trigger: str) -> Callable[[State, Mapping[str, Any]], None] | None:
    """The check :func:`admit` makes for ``trigger``, or ``None`` if it makes none."""
    return _ADMIT.get(trigger)


def _admit_transfer(state: State, args: Mapping[str, Any]) -> None:
    tranche: Tranche = args["tranche"]
    terms = state.terms
    assert terms is not None  # transfer is a move only once terms are agreed
    if tranche.prisoners:
        if tranche.mixed and terms.civilians_separate:
            raise InvalidValue(
                "tranche: civilians and soldiers in one tranche "
                "(exchange.civilians_separate: the civilians were returned separately)"
            )
        again = sorted(p.id for p in tranche.prisoners if p.id in state.ledger.prisoner_ids)
        if again:
            raise InvalidValue(f"tranche: already released: {', '.join(again)}")
        young = tranche.young_under(terms.age_limit)
        if young != tranche.young:
            raise InvalidValue(
                f"tranche.young: {tranche.young!r} does not match the prisoners under the "
                f"agreed age limit {terms.age_limit} ({young!r})"
            )


def _admit_raise(state: State, args: Mapping[str, Any]) -> None:
    if args["name"] in state.open_issues:
        raise InvalidValue(f"name: humanitarian issue {args['name']!r} is already open")


def _admit_resolve(state: State, args: Mapping[str, Any]) -> None:
    if args["name"] not in state.open_issues:
        open_now = ", ".join(repr(n) for n in state.open_issues) or "none"
        raise InvalidValue(f"name: no open humanitarian issue {args['name']!r} (open: {open_now})")


def _admit_declare(state: State, args: Mapping[str, Any]) -> None:
    if state._interest_position(args["side"], args["name"]) is not None:
        raise InvalidValue(
            f"name: {args['side'].label} has already declared interest {args['name']!r}"
        )


def _admit_acknowledge(state: State, args: Mapping[str, Any]) -> None:
    interest = _owner(state, args["side"], args["name"])
    if interest.acknowledged:
        raise InvalidValue(f"name: {interest} already")


_ADMIT: Mapping[str, Callable[[State, Mapping[str, Any]], None]] = {
    "transfer": _admit_transfer,
    "raise_humanitarian_issue": _admit_raise,
    "resolve_humanitarian_issue": _admit_resolve,
    "declare_interest": _admit_declare,
    "acknowledge_interest": _admit_acknowledge,
}


def apply(state: State, trigger: str, args: Mapping[str, Any], dest: Stage) -> State:
    """The state after an accepted move that took the process to ``dest``."""
    change = _APPLY.get(trigger)
    if change is not None:
        return change(state, args, dest)
    return _evolve(state, dest)  # a move of stage alone


def change(trigger: str) -> Callable[[State, Mapping[str, Any], Stage], State]:
    """What :func:`apply` does for ``trigger``, to call directly."""
    return _APPLY.get(trigger, _stage_only)


def _stage_only(state: State, args: Mapping[str, Any], dest: Stage) -> State:
    return _evolve(state, dest)


def _transfer(state: State, args: Mapping[str, Any], dest: Stage) -> State:
    return State._trusted(
        dest,
        state.terms,
        state.ledger.add(args["tranche"]),
        state.suspended_from,
        state.open_issues,
        state._chunks,
        state._interest_index,
        state._pledges,
    )


_SAME: Any = object()  # "unchanged", for _evolve


def _evolve(
    state: State,
    dest: Stage,
    *,
    terms: Any = _SAME,
    suspended_from: Any = _SAME,
    issues: Any = _SAME,
    chunks: Any = _SAME,
    index: Any = _SAME,
    pledges: Any = _SAME,
) -> State:
    """``state`` moved to ``dest`` with the given parts changed; the interest index, and what
    the exchange lacks if it is known, are carried."""
    return State._trusted(
        dest,
        state.terms if terms is _SAME else terms,
        state.ledger,
        state.suspended_from if suspended_from is _SAME else suspended_from,
        state.open_issues if issues is _SAME else issues,
        state._chunks if chunks is _SAME else chunks,
        state._interest_index if index is _SAME else index,
        state._pledges if pledges is _SAME else pledges,
        state._shortfalls if terms is _SAME else None,  # the same ledger, and the same terms
    )


def replace_pledges(state: State, book: PledgeBook) -> State:
    """``state`` with its pledges as ``book`` says."""
    return _evolve(state, state.stage, pledges=book)


def _agree(state: State, args: Mapping[str, Any], dest: Stage) -> State:
    return _evolve(state, dest, terms=args["terms"], suspended_from=None)


def _suspend(state: State, args: Mapping[str, Any], dest: Stage) -> State:
    return _evolve(state, dest, suspended_from=state.stage)


def _leave_suspension(state: State, args: Mapping[str, Any], dest: Stage) -> State:
    return _evolve(state, dest, suspended_from=None)


def _raise(state: State, args: Mapping[str, Any], dest: Stage) -> State:
    return _evolve(state, dest, issues=(*state.open_issues, args["name"]))


def _resolve(state: State, args: Mapping[str, Any], dest: Stage) -> State:
    issues = tuple(name for name in state.open_issues if name != args["name"])
    return _evolve(state, dest, issues=issues)


def _declare(state: State, args: Mapping[str, Any], dest: Stage) -> State:
    chunks, index = state._with_interest(Interest._trusted(args["side"], args["name"], False))
    return _evolve(state, dest, chunks=chunks, index=index)


def _acknowledge(state: State, args: Mapping[str, Any], dest: Stage) -> State:
    at = _owned_at(state, args["side"], args["name"])
    interest = state._interest_at(at)
    acknowledged = Interest._trusted(interest.side, interest.name, True)
    return _evolve(
        state,
        dest,
        chunks=state._with_interest_at(at, acknowledged),
        index=state._interest_index,  # the same keys at the same places
    )


_APPLY: Mapping[str, Callable[[State, Mapping[str, Any], Stage], State]] = {
    "transfer": _transfer,
    "agree_exchange": _agree,
    "suspend": _suspend,
    "resume": _leave_suspension,
    "collapse": _leave_suspension,
    "raise_humanitarian_issue": _raise,
    "resolve_humanitarian_issue": _resolve,
    "declare_interest": _declare,
    "acknowledge_interest": _acknowledge,
}
