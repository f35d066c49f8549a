"""The article's process, as data: its rules with their sources, its stages and its moves."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from negotiations.definition import Check, Definition, Move, Rule
from negotiations.stages import Stage
from negotiations.state import State

__all__ = ["ACTIVE", "PROCESS", "RULES"]

#: The article's rules: each with a stable id, a one-line statement, and the
#: line of the article it comes from with the words quoted.
RULES: tuple[Rule, ...] = (
    Rule(
        "exchange.reciprocal",
        "every handover is reciprocal: both sides release the same number of people",
        2,
        "the exchange was reciprocal, meaning each side exchanged an equal number of prisoners",
    ),
    Rule(
        "exchange.civilians_separate",
        "civilians are handed over in their own tranches, never mixed with soldiers",
        3,
        "The civilians were returned separately.",
    ),
    Rule(
        "exchange.quota",
        "the exchange is complete only when each side has released at least the agreed number",
        5,
        "with a minimum of 1,000 people on each side",
    ),
    Rule(
        "exchange.seriously_ill",
        "the exchange is complete only when each side has released every seriously ill "
        "prisoner it holds",
        5,
        "return all seriously ill and young (under 25 years old) prisoners from each side",
    ),
    Rule(
        "exchange.young",
        "the exchange is complete only when each side has released every prisoner under "
        "the age limit it holds",
        5,
        "return all seriously ill and young (under 25 years old) prisoners from each side",
    ),
    Rule(
        "talks.third_round_after_exchange",
        "the third round of talks opens only after the exchange is complete",
        8,
        "the third round of negotiations with Kiev will take place after a prisoner exchange",
    ),
    Rule(
        "leaders.after_humanitarian",
        "leaders' meetings are convened only from the third round and only once every "
        "humanitarian issue is resolved",
        11,
        "move on to discussing leaders’ meetings during negotiations with Moscow once "
        "humanitarian issues are resolved",
    ),
    Rule(
        "settlement.interests",
        "a settlement is signed only when every core interest each side declared has been "
        "acknowledged by the other",
        14,
        "excluded the possibility of peace in Ukraine without taking into account "
        "Russia’s interests",
    ),
    Rule(
        "process.order",
        "each move is made only from the stages it belongs to: humanitarian steps first, "
        "political ones after",
        9,
        "resolving immediate humanitarian concerns before advancing to broader political "
        "discussions",
    ),
)


def _exchange_rule(rule_id: str) -> Check:
    def check(state: State, arguments: Mapping[str, Any]) -> str | None:
        missing = state.exchange_shortfalls().get(rule_id)
        return "; ".join(missing) if missing else None

    return check


def _third_round(state: State, arguments: Mapping[str, Any]) -> str | None:
    if state.terms is None:
        return "no exchange has been agreed yet"
    if not state.exchange_complete:
        return "the prisoner exchange is not complete yet"
    return None


def _leaders(state: State, arguments: Mapping[str, Any]) -> str | None:
    problems = []
    if state.stage is not Stage.THIRD_ROUND:
        problems.append(
            "leaders' meetings are convened only from the third round, "
            f"not from {state.stage.label}"
        )
    unresolved = []
    if not state.exchange_complete:
        unresolved.append("the prisoner exchange")
    unresolved.extend(repr(name) for name in state.open_issues)
    if unresolved:
        problems.append(f"humanitarian issue(s) not yet resolved: {', '.join(unresolved)}")
    return "; ".join(problems) if problems else None


def _interests(state: State, arguments: Mapping[str, Any]) -> str | None:
    pending = state.pending_interests()
    if pending:
        return "; ".join(
            f"{i.side.label}'s interest {i.name!r} is not acknowledged by {i.side.other.label}"
            for i in pending
        )
    return None


CHECKS: Mapping[str, Check] = {
    "exchange.quota": _exchange_rule("exchange.quota"),
    "exchange.seriously_ill": _exchange_rule("exchange.seriously_ill"),
    "exchange.young": _exchange_rule("exchange.young"),
    "talks.third_round_after_exchange": _third_round,
    "leaders.after_humanitarian": _leaders,
    "settlement.interests": _interests,
}

#: The stages in which the process is under way: humanitarian issues and
#: interests can be raised there, and the process suspended or collapsed.
ACTIVE = (Stage.TALKS, Stage.EXCHANGE, Stage.THIRD_ROUND, Stage.LEADERS_MEETING)

#: The article's process: talks, a prisoner exchange, a third round, leaders'
#: meetings, a settlement; suspension and collapse on the way.
PROCESS = Definition(
    name="article",
    stages=tuple(Stage),
    initial=Stage.TALKS,
    finals=frozenset({Stage.SETTLEMENT, Stage.COLLAPSED}),
    rules=RULES,
    checks=CHECKS,
    moves=(
        Move(
            "agree_exchange",
            (Stage.TALKS,),
            Stage.EXCHANGE,
            parameters=("terms",),
            doc="the parties agree the terms of a prisoner exchange",
        ),
        Move(
            "transfer",
            (Stage.EXCHANGE,),
            parameters=("tranche",),
            doc="a reciprocal handover of people",
        ),
        Move(
            "open_third_round",
            (Stage.EXCHANGE,),
            Stage.THIRD_ROUND,
            guard=(
                "talks.third_round_after_exchange",
                "exchange.quota",
                "exchange.seriously_ill",
                "exchange.young",
            ),
            doc="the third round of talks opens",
        ),
        Move(
            "convene_leaders",
            (Stage.THIRD_ROUND,),
            Stage.LEADERS_MEETING,
            guard=("leaders.after_humanitarian",),
            doc="the leaders meet",
        ),
        Move(
            "sign_settlement",
            (Stage.LEADERS_MEETING,),
            Stage.SETTLEMENT,
            guard=("settlement.interests",),
            doc="a settlement is signed",
        ),
        Move(
            "raise_humanitarian_issue",
            ACTIVE,
            parameters=("name",),
            doc="a humanitarian issue beyond the exchange is raised",
        ),
        Move(
            "resolve_humanitarian_issue",
            ACTIVE,
            parameters=("name",),
            doc="a raised humanitarian issue is resolved",
        ),
        Move(
            "declare_interest",
            ACTIVE,
            parameters=("side", "name"),
            doc="a side declares a core interest",
        ),
        Move(
            "acknowledge_interest",
            ACTIVE,
            parameters=("side", "name"),
            doc="a side acknowledges the other side's core interest",
        ),
        Move(
            "suspend",
            ACTIVE,
            Stage.SUSPENDED,
            parameters=("reason",),
            doc="the process is put on hold",
        ),
        Move(
            "resume",
            (Stage.SUSPENDED,),
            returns=True,
            doc="the process resumes where it was suspended",
        ),
        Move(
            "collapse",
            (*ACTIVE, Stage.SUSPENDED),
            Stage.COLLAPSED,
            parameters=("reason",),
            doc="the process breaks down for good",
        ),
    ),
)
