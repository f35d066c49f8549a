"""Conditions evaluated on arrays agree with the same conditions asked one state at a time.

States come from real negotiations of every named process and of drawn ones:
every state :class:`~test_any_process.Explorer` reaches with canonical moves
(complete exchanges, open items, half-acknowledged interests, suspensions), and
the states a run of random moves with random arguments passes through. For each
state a tranche is drawn as the move's argument (at the agreed ratio or not, of
named people who may mix civilians and soldiers). Then, for every condition of
every rule of the process, ``AllOf`` children included,
``condition.evaluate(state_arrays(process, states, arguments), process)`` must
equal ``condition.met(state, arguments, process)`` row by row.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from processes import CEASEFIRE, PROCESSES
from test_any_process import Explorer

import negotiations as ng
from negotiations import Definition, Rule
from negotiations._drawn import arguments, definitions, describe, tranches, walk_conditions
from negotiations._state import State
from negotiations.conditions import Custom, Proportion, Separate, state_arrays

#: Fewer examples for the tests that search a whole drawn process (as in test_any_process).
SEARCHING = settings(
    max_examples=max(5, settings().max_examples // 4),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
_EXPLORED: dict[str, list[State]] = {}


def explored(process: Definition) -> list[State]:
    """Every state the search reaches (kept for the named processes, which do not change)."""
    if process in PROCESSES:
        if process.name not in _EXPLORED:
            _EXPLORED[process.name] = list(Explorer(process, limit=1500).states.values())
        return _EXPLORED[process.name]
    return list(Explorer(process, limit=1500).states.values())


@st.composite
def driven_states(draw: st.DrawFn, process: Definition, max_steps: int = 25) -> list[State]:
    """The states a negotiation of ``process`` passes through under random moves."""
    talks = ng.Negotiation(process)
    states = [talks.state]
    for _ in range(draw(st.integers(0, max_steps), label="steps")):
        allowed = talks.allowed()
        follow = bool(allowed) and draw(st.booleans())
        trigger = draw(st.sampled_from(allowed if follow else process.triggers))
        given = draw(arguments(talks, trigger))
        with contextlib.suppress(ng.NegotiationError):  # a refusal changes nothing
            talks.send(trigger, **given)
        states.append(talks.state)
    return states


@st.composite
def rows(draw: st.DrawFn, process: Definition) -> tuple[list[State], list[dict[str, Any]]]:
    """States of ``process`` (searched and driven), each with a tranche argument: a few
    tranches are drawn for each of the terms the states hold, and handed out in turn."""
    states = explored(process) + draw(driven_states(process), label="driven")
    pools: dict[str, list[ng.Tranche]] = {}
    given = []
    for at, state in enumerate(states):
        key = repr(state.terms)
        if key not in pools:
            pools[key] = draw(
                st.lists(tranches(process.parties, state.terms), min_size=1, max_size=3),
                label="tranches",
            )
        pool = pools[key]
        given.append({"tranche": pool[at % len(pool)]})
    return states, given


def conditions_of(process: Definition) -> list[tuple[str, Any]]:
    """Every condition of every rule of ``process`` (``AllOf`` children too), with its rule."""
    return [(rule.id, part) for rule in process.rules for part in walk_conditions(rule.condition)]


def assert_agrees(
    process: Definition,
    states: Sequence[State],
    given: Sequence[Mapping[str, Any]] | None,
) -> int:
    """Every condition of ``process`` evaluated on the arrays of ``states`` equals ``met`` on
    each state; returns how many conditions were compared."""
    arrays = state_arrays(process, states, given)
    compared = 0
    for rule_id, condition in conditions_of(process):
        if given is None and condition.on_arguments:
            continue
        mask = condition.evaluate(arrays, process)
        assert mask.shape == (len(states),), (rule_id, mask)
        assert mask.dtype == np.bool_, (rule_id, mask)
        arguments_of = given if given is not None else [{}] * len(states)
        expected = [condition.met(s, a, process) for s, a in zip(states, arguments_of, strict=True)]
        wrong = [row for row in range(len(states)) if bool(mask[row]) != expected[row]]
        assert not wrong, (
            f"{rule_id}: {condition!r} on arrays gives {bool(mask[wrong[0]])} but met() gives "
            f"{expected[wrong[0]]} for {states[wrong[0]]!r} with {dict(arguments_of[wrong[0]])!r}"
            f" ({len(wrong)} of {len(states)} rows differ)"
        )
        compared += 1
    return compared


@pytest.mark.parametrize("process", PROCESSES, ids=lambda p: p.name)
@given(data=st.data())
def test_arrays_agree_with_met_for_named_processes(
    process: Definition, data: st.DataObject
) -> None:
    """For every condition of every rule of a named process, evaluating on arrays agrees with
    ``met`` row by row: with a tranche argument for every state, and (conditions of the
    state alone) with no arguments at all."""
    states, given = data.draw(rows(process), label="rows")
    assert assert_agrees(process, states, given) == len(conditions_of(process))
    assert_agrees(process, states, None)


@SEARCHING
@given(process=definitions(), data=st.data())
def test_arrays_agree_with_met_for_drawn_processes(
    process: Definition, data: st.DataObject
) -> None:
    """The same for a drawn process."""
    note(describe(process))
    states, given = data.draw(rows(process), label="rows")
    assert_agrees(process, states, given)
    assert_agrees(process, states, None)


@pytest.mark.parametrize("condition", [Proportion(), Separate()], ids=repr)
@pytest.mark.parametrize("process", PROCESSES, ids=lambda p: p.name)
def test_an_argument_condition_without_a_tranche_agrees_on_arrays(
    process: Definition, condition: Any
) -> None:
    """A row whose move takes no tranche (arguments ``{}``, as for every move but a handover)
    meets an argument condition in ``met`` — there is nothing to check — and so on arrays
    too; also in a state whose terms are agreed."""
    states = [s for s in explored(process) if s.terms is not None][:5] or explored(process)[:5]
    given: list[dict[str, Any]] = [{} for _ in states]
    expected = [condition.met(s, {}, process) for s in states]
    assert all(expected)
    mask = condition.evaluate(state_arrays(process, states, given), process)
    assert mask.tolist() == expected


def test_a_custom_condition_works_but_not_on_arrays() -> None:
    """A rule written as a plain function guards moves like any other, but evaluating it on
    arrays is refused with an InvalidValue that says to use the vocabulary."""
    ceiling = 2

    def few_violations(state: State, arguments: Mapping[str, Any]) -> str | None:
        opened = state.open_count("violation")
        return None if opened <= ceiling else f"{opened} violations open, at most {ceiling}"

    rules = (
        *CEASEFIRE.rules,
        Rule(
            "log.calm",
            "the monitor logs only while few violations are open",
            2,
            "observed by the monitoring mission",
            few_violations,
        ),
    )
    moves = tuple(
        ng.Move(m.trigger, m.sources, m.dest, guard=("log.calm",), effect=m.effect)
        if m.trigger == "log"
        else m
        for m in CEASEFIRE.moves
    )
    process = Definition(
        name="ceasefire-with-a-function",
        source=CEASEFIRE.source,
        parties=CEASEFIRE.parties,
        stages=CEASEFIRE.stages,
        initial=CEASEFIRE.initial,
        finals=CEASEFIRE.finals,
        rules=rules,
        moves=moves,
        order_rule=CEASEFIRE.order_rule,
    )
    condition = process.rule("log.calm").condition
    assert isinstance(condition, Custom)
    talks = ng.Negotiation(process)
    for name in ("a", "b", "c"):
        talks.send("report_violation", name=name)
    assert [b.rule for b in talks.blockers("log")] == ["log.calm"]
    assert not condition.met(talks.state, {}, process)
    with pytest.raises(ng.TransitionBlocked, match="3 violations open, at most 2"):
        talks.send("log", note="quiet day")
    arrays = state_arrays(process, [talks.state])
    with pytest.raises(ng.InvalidValue) as refused:
        condition.evaluate(arrays, process)
    assert str(refused.value) == (
        "a plain Python function cannot be evaluated on arrays; write the rule with the "
        "conditions of negotiations.conditions"
    )


@pytest.mark.parametrize("process", PROCESSES, ids=lambda p: p.name)
def test_every_condition_of_a_named_process_is_seen_met_and_unmet(process: Definition) -> None:
    """Among the states the search reaches, every condition of the state (``AllOf`` children
    too) is met in some and unmet in others, and the arrays agree on all of them: the
    comparison above is not made only where everything is true, or false."""
    states = explored(process)
    assert_agrees(process, states, None)
    for rule_id, condition in conditions_of(process):
        if condition.on_arguments:
            continue
        seen = {condition.met(state, {}, process) for state in states}
        assert seen == {True, False}, (rule_id, condition, seen)


def test_evaluating_a_ratio_on_rows_without_terms_warns_nothing() -> None:
    """Rows of negotiations that have agreed no terms (every share 0) are met by
    ``Proportion`` on arrays without a numpy warning (no division by zero is made)."""
    process = PROCESSES[0]
    state = ng.Negotiation(process).state
    arrays = state_arrays(process, [state], [{"tranche": ng.Tranche.even(1)}])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert Proportion().evaluate(arrays, process).tolist() == [True]
