"""Every simple path and every edge of the definition, walked on a real negotiation.

The paths come from :mod:`negotiations.graph`, never from a list written here.
Walking an edge first sets up what its guard needs and asserts the move lands
on the edge's destination; for a guarded edge it also tries the move, on a
copy, in a state where each rule of the guard in turn is unmet, and asserts
the refusal names that rule and changes nothing but the history. The edges
walked and the rules refused are recorded, and the last test fails if any
edge or guard rule of the definition was never exercised.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import attrs
import pytest

import negotiations as ng
from negotiations import Side
from negotiations.graph import Edge, Node, edges, nodes, simple_paths, walks

PROCESS = ng.PROCESS

#: Small terms with priority prisoners, so that each exchange rule can be left unmet alone.
TERMS = ng.ExchangeTerms(
    quota=5,
    seriously_ill_held={Side.RUSSIA: 1, Side.UKRAINE: 1},
    young_held={Side.RUSSIA: 1, Side.UKRAINE: 2},
)
REASON = "walked in a test"

#: Every edge walked (and asserted to land where the definition says), measured.
EXERCISED: set[Edge] = set()
#: Every (guarded edge, rule) whose refusal was checked with that rule unmet, measured.
REFUSED: set[tuple[Edge, str]] = set()


def node_of(negotiation: ng.Negotiation) -> Node:
    """The graph node a negotiation is at: its stage, and the stage resume returns to."""
    node = Node(negotiation.stage, negotiation.suspended_from)
    assert node in nodes(PROCESS), node
    return node


# -- setting up what a move needs --------------------------------------------------------


def missing(negotiation: ng.Negotiation) -> dict[str, dict[Side, int]]:
    """What the exchange still lacks per side: people, seriously ill, young."""
    terms, ledger = negotiation.terms, negotiation.ledger
    assert terms is not None
    return {
        "released": {side: max(0, terms.quota - ledger.released[side]) for side in Side},
        "seriously_ill": {
            side: max(0, terms.seriously_ill_held[side] - ledger.seriously_ill[side])
            for side in Side
        },
        "young": {side: max(0, terms.young_held[side] - ledger.young[side]) for side in Side},
    }


def hand_over(
    negotiation: ng.Negotiation,
    *,
    quota: bool = True,
    seriously_ill: bool = True,
    young: bool = True,
) -> None:
    """Hand over what the exchange lacks, except what a ``False`` flag leaves missing."""
    lacking = missing(negotiation)
    ill = lacking["seriously_ill"] if seriously_ill else dict.fromkeys(Side, 0)
    under_age = lacking["young"] if young else dict.fromkeys(Side, 0)
    size = max(*ill.values(), *under_age.values())
    if quota:
        size = max(size, *lacking["released"].values())
    else:
        assert size < min(lacking["released"].values()), "the quota cannot be left unmet here"
    if size:
        negotiation.transfer(
            ng.Tranche(released=dict.fromkeys(Side, size), seriously_ill=ill, young=under_age)
        )


def fresh_name(negotiation: ng.Negotiation) -> str:
    """A name no issue or interest of this negotiation has had."""
    return f"matter {len(negotiation.history)}"


def resolve_every_issue(negotiation: ng.Negotiation) -> None:
    for issue in negotiation.humanitarian_issues:
        negotiation.resolve_humanitarian_issue(issue)


def acknowledge_every_interest(negotiation: ng.Negotiation) -> None:
    for interest in negotiation.state.pending_interests():
        negotiation.acknowledge_interest(interest.side.other, interest.name)


def leave_an_issue_open(negotiation: ng.Negotiation) -> None:
    if not negotiation.humanitarian_issues:
        negotiation.raise_humanitarian_issue(fresh_name(negotiation))


def leave_an_interest_pending(negotiation: ng.Negotiation) -> None:
    if not negotiation.state.pending_interests():
        negotiation.declare_interest(Side.RUSSIA, fresh_name(negotiation))


def put_an_exchange_under_way(negotiation: ng.Negotiation) -> None:
    """Agree a further exchange unless one agreed is still under way."""
    if negotiation.exchange_complete:
        negotiation.agree_exchange(TERMS)


def resolve_every_issue_and_hand_over(negotiation: ng.Negotiation) -> None:
    """Resolve every humanitarian issue, the exchange (every agreement of it) included."""
    resolve_every_issue(negotiation)
    hand_over(negotiation)


#: For each guard rule, how to meet it.
SATISFY: dict[str, Callable[[ng.Negotiation], None]] = {
    "talks.third_round_after_exchange": hand_over,
    "exchange.quota": hand_over,
    "exchange.seriously_ill": hand_over,
    "exchange.young": hand_over,
    "exchange.under_way": put_an_exchange_under_way,
    "leaders.after_humanitarian": resolve_every_issue_and_hand_over,
    "settlement.interests": acknowledge_every_interest,
}

EXCHANGE_RULES = frozenset({"exchange.quota", "exchange.seriously_ill", "exchange.young"})
THIRD_ROUND = "talks.third_round_after_exchange"


@dataclass(frozen=True)
class Spoiler:
    """How to meet a guard except for one rule, and the rules then unmet."""

    set_up: Callable[[ng.Negotiation], None]
    unmet: frozenset[str]


def _nothing(negotiation: ng.Negotiation) -> None:
    """Hand over nothing more."""


#: For each guard rule, a state where exactly that rule (and what it implies) is unmet.
#: An unmet exchange rule implies the third round's; the third round's is unmet exactly
#: when some exchange rule is, so its state is the one where nothing more is handed over.
SPOILERS: dict[str, Spoiler] = {
    THIRD_ROUND: Spoiler(_nothing, frozenset({THIRD_ROUND, *EXCHANGE_RULES})),
    "exchange.quota": Spoiler(
        lambda n: hand_over(n, quota=False), frozenset({"exchange.quota", THIRD_ROUND})
    ),
    "exchange.seriously_ill": Spoiler(
        lambda n: hand_over(n, seriously_ill=False),
        frozenset({"exchange.seriously_ill", THIRD_ROUND}),
    ),
    "exchange.young": Spoiler(
        lambda n: hand_over(n, young=False), frozenset({"exchange.young", THIRD_ROUND})
    ),
    "exchange.under_way": Spoiler(hand_over, frozenset({"exchange.under_way"})),
    "leaders.after_humanitarian": Spoiler(
        leave_an_issue_open, frozenset({"leaders.after_humanitarian"})
    ),
    "settlement.interests": Spoiler(leave_an_interest_pending, frozenset({"settlement.interests"})),
}


def _resolvable(negotiation: ng.Negotiation) -> dict[str, Any]:
    leave_an_issue_open(negotiation)
    return {"name": negotiation.humanitarian_issues[0]}


def _acknowledgeable(negotiation: ng.Negotiation) -> dict[str, Any]:
    leave_an_interest_pending(negotiation)
    interest = negotiation.state.pending_interests()[0]
    return {"side": interest.side.other, "name": interest.name}


#: For each trigger, arguments that fit the state (setting up what they refer to).
ARGUMENTS: dict[str, Callable[[ng.Negotiation], dict[str, Any]]] = {
    "agree_exchange": lambda n: {"terms": TERMS},
    "transfer": lambda n: {"tranche": ng.Tranche.even(1)},
    "amend_terms": lambda n: {
        "terms": attrs.evolve(n.agreements[-1], quota=n.agreements[-1].quota_for(Side.RUSSIA) + 1)
    },
    "open_third_round": lambda n: {},
    "convene_leaders": lambda n: {},
    "sign_settlement": lambda n: {},
    "raise_humanitarian_issue": lambda n: {"name": fresh_name(n)},
    "resolve_humanitarian_issue": _resolvable,
    "declare_interest": lambda n: {"side": Side.UKRAINE, "name": fresh_name(n)},
    "acknowledge_interest": _acknowledgeable,
    "suspend": lambda n: {"reason": REASON},
    "resume": lambda n: {},
    "collapse": lambda n: {"reason": REASON},
}

#: Arguments that are valid on their own, for moves that are not possible anyway.
PLAIN_ARGUMENTS: dict[str, object] = {
    "terms": TERMS,
    "tranche": ng.Tranche.even(1),
    "side": Side.RUSSIA,
    "name": "anything",
    "reason": REASON,
}


# -- the driver ----------------------------------------------------------------------------


def guard_of(edge: Edge) -> tuple[str, ...]:
    """The rules of the move an edge stands for."""
    move = PROCESS.move(edge.trigger, edge.source.stage)
    assert move is not None, edge
    return move.guard


def call(negotiation: ng.Negotiation, trigger: str, arguments: dict[str, Any]) -> ng.Event:
    result: ng.Event = getattr(negotiation, trigger)(**arguments)
    return result


def check_moves_not_from_here_are_refused(negotiation: ng.Negotiation) -> None:
    """A trigger with no edge out of the current node is blocked by ``process.order`` (after
    any unmet rule of its own guard) and raises TransitionNotAllowed, changing nothing at all."""
    here = node_of(negotiation)
    leaving = {edge.trigger for edge in edges(PROCESS) if edge.source == here}
    for trigger in PROCESS.triggers:
        if trigger in leaving:
            continue
        rules = [b.rule for b in negotiation.blockers(trigger)]
        assert rules[-1] == PROCESS.order_rule
        guard = next(m.guard for m in PROCESS.moves if m.trigger == trigger)
        assert set(rules[:-1]) <= set(guard)
        state, history = negotiation.state, negotiation.history
        move = PROCESS.move(trigger, here.stage)
        assert move is None, move
        parameters = next(m.parameters for m in PROCESS.moves if m.trigger == trigger)
        with pytest.raises(ng.TransitionNotAllowed):
            call(negotiation, trigger, {p: PLAIN_ARGUMENTS[p] for p in parameters})
        assert (negotiation.state, negotiation.history) == (state, history)


def check_refused_when_unmet(negotiation: ng.Negotiation, edge: Edge, rule: str) -> None:
    """With ``rule`` unmet (and the rest of the guard met), the move is refused citing it;
    the stage stays, and the only change is one refused event."""
    copy = ng.Negotiation.replay(negotiation.history)
    spoiler = SPOILERS[rule]
    spoiler.set_up(copy)
    arguments = ARGUMENTS[edge.trigger](copy)
    assert {b.rule for b in copy.blockers(edge.trigger)} == spoiler.unmet
    assert edge.trigger not in copy.allowed()
    state, history = copy.state, copy.history
    with pytest.raises(ng.TransitionBlocked) as refusal:
        call(copy, edge.trigger, arguments)
    assert rule in {b.rule for b in refusal.value.blockers}
    assert {b.rule for b in refusal.value.blockers} == spoiler.unmet
    assert refusal.value.blockers == copy.blockers(edge.trigger)
    assert node_of(copy) == edge.source
    assert copy.state == state
    assert copy.history[:-1] == history
    refused = copy.history[-1]
    assert (refused.trigger, refused.accepted, refused.source, refused.dest) == (
        edge.trigger,
        False,
        edge.source.stage,
        edge.source.stage,
    )
    assert refused.blockers == refusal.value.blockers
    REFUSED.add((edge, rule))


def walk(path: tuple[Edge, ...]) -> ng.Negotiation:
    """Make every move of ``path`` on a new negotiation, checking each edge on the way."""
    negotiation = ng.Negotiation()
    for edge in path:
        assert node_of(negotiation) == edge.source
        check_moves_not_from_here_are_refused(negotiation)
        for rule in guard_of(edge):
            check_refused_when_unmet(negotiation, edge, rule)
        for rule in guard_of(edge):
            SATISFY[rule](negotiation)
        arguments = ARGUMENTS[edge.trigger](negotiation)
        assert negotiation.blockers(edge.trigger) == ()
        assert edge.trigger in negotiation.allowed()
        history = negotiation.history
        event = call(negotiation, edge.trigger, arguments)
        assert event.accepted
        assert (event.source, event.dest) == (edge.source.stage, edge.dest.stage)
        assert negotiation.history == (*history, event)
        assert node_of(negotiation) == edge.dest, f"{edge} landed on {node_of(negotiation)}"
        EXERCISED.add(edge)
    check_moves_not_from_here_are_refused(negotiation)
    assert ng.Negotiation.replay(negotiation.history) == negotiation
    return negotiation


def _ids(path: tuple[Edge, ...]) -> str:
    return " ; ".join(str(edge) for edge in path)


SIMPLE_PATHS = tuple(simple_paths(PROCESS))
WALKS = tuple(dict.fromkeys(walks(PROCESS)))


# -- the tests -----------------------------------------------------------------------------


def test_every_trigger_has_arguments_and_every_guard_rule_a_spoiler() -> None:
    """The driver knows every trigger and rule of the definition: a new one fails here first."""
    guarded = {rule for move in PROCESS.moves for rule in move.guard}
    assert set(ARGUMENTS) == set(PROCESS.triggers)
    assert guarded == set(SATISFY) == set(SPOILERS)


def test_simple_paths_reach_every_final_stage() -> None:
    """Every final stage ends some simple path, and every simple path ends in a final stage."""
    ends = {path[-1].dest.stage for path in SIMPLE_PATHS}
    assert ends == PROCESS.finals
    assert all(path[0].source == Node(PROCESS.initial) for path in SIMPLE_PATHS)


@pytest.mark.parametrize("path", SIMPLE_PATHS, ids=_ids)
def test_simple_path(path: tuple[Edge, ...]) -> None:
    """A simple path from talks is walked edge by edge and ends in a final stage."""
    negotiation = walk(path)
    assert negotiation.finished
    assert negotiation.allowed() == ()


@pytest.mark.parametrize("path", WALKS, ids=_ids)
def test_walk_through_edge(path: tuple[Edge, ...]) -> None:
    """A shortest walk through an edge (self-loops and resumes included) is walked to its end."""
    negotiation = walk(path)
    assert negotiation.finished


def test_every_edge_and_every_guard_rule_is_exercised() -> None:
    """Walking all the paths takes every edge of the definition and refuses every guarded edge
    once for each of its rules: measured from what the walks did, not assumed."""
    for path in (*SIMPLE_PATHS, *WALKS):
        walk(path)
    never_taken = [str(edge) for edge in edges(PROCESS) if edge not in EXERCISED]
    assert never_taken == []
    never_refused = [
        f"{edge} [{rule}]"
        for edge in edges(PROCESS)
        for rule in guard_of(edge)
        if (edge, rule) not in REFUSED
    ]
    assert never_refused == []
