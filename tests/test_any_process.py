"""Everything the library promises for the article's process holds for any process.

Each test runs over the named processes of :mod:`processes` (the article's, a
three-party ceasefire, a hostages-for-prisoners exchange at 1:30) and over random
valid processes drawn by :func:`drawn.definitions`, which the code was not
written for:

- random sequences of moves with random arguments keep the invariants stated in
  :class:`Driven`'s docstring after every step;
- every edge of :func:`negotiations.graph.edges` is walked on a live negotiation
  with its guard passing, and with each rule of its guard unmet in turn; the test
  fails if an edge or a guard rule is never exercised;
- a pledge fires right after the event that makes its move possible, never while
  the process is suspended;
- a file or journal of one process opened as another is refused, naming both.

The walks come from :class:`Explorer`, a breadth-first search over the states a
negotiation reaches with a few canonical arguments per move: it finds, for each
edge, the shortest history after which the move passes, and the shortest after
which each of its rules is unmet; the test then replays that history live.
"""

from __future__ import annotations

import itertools
import shutil
import tempfile
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from processes import CEASEFIRE, PROCESSES

import negotiations as ng
from negotiations import Definition, ExchangeTerms, Tranche, diagram
from negotiations._drawn import arguments, definitions, describe, walk_conditions
from negotiations._engine import make_move
from negotiations._pledging import pledgeable
from negotiations._records import PLEDGE_TRIGGERS
from negotiations._stages import label
from negotiations._state import State
from negotiations.conditions import Resolved
from negotiations.effects import Acknowledge, Declare, End, Resume, Suspend
from negotiations.graph import Edge, Node, edges, nodes, problems, walks

#: Fewer examples for the tests that search a whole drawn process (a quarter of the
#: profile's: 15 in dev, 100 in ci).
SEARCHING = settings(
    max_examples=max(5, settings().max_examples // 4),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
NAMED = pytest.mark.parametrize("process", PROCESSES, ids=lambda p: p.name)

# -- canonical arguments and the search ------------------------------------------------------


@dataclass(frozen=True)
class Canon:
    """The few arguments the search makes moves with: terms that one ``tranche`` completes
    (``small``), and terms that the tranches the search tells apart never complete
    (``big``), so that a rule of the exchange can be left unmet wherever terms can be
    agreed, however much was handed over before."""

    small: ExchangeTerms
    big: ExchangeTerms
    tranche: Tranche


def canon(process: Definition) -> Canon:
    """Canonical terms and tranche for ``process`` (its own terms where it has them)."""
    parties = process.parties
    small = process.terms or ExchangeTerms(
        quota=2, seriously_ill_held=dict.fromkeys(parties, 1), young_held=dict.fromkeys(parties, 1)
    )
    exchanging = tuple(small.ratio) if small.ratio is not None else parties
    need = 1
    for party in exchanging:
        most = max(
            small.quota_for(party),
            small.seriously_ill_held.get(party, 0),
            small.young_held.get(party, 0),
        )
        need = max(need, -(-most // small.share(party)))
    released = {party: need * small.share(party) for party in exchanging}
    tranche = Tranche(
        released=released,
        seriously_ill={p: small.seriously_ill_held.get(p, 0) for p in exchanging},
        young={p: small.young_held.get(p, 0) for p in exchanging},
        ratio=small.ratio,
    )
    big = attrs.evolve(
        small,
        quota={p: _TRANCHES * released.get(p, 0) + 1 for p in parties},
        seriously_ill_held={p: _TRANCHES * small.seriously_ill_held.get(p, 0) + 1 for p in parties},
        young_held={p: _TRANCHES * small.young_held.get(p, 0) + 1 for p in parties},
    )
    return Canon(small, big, tranche)


#: How many tranches of the canonical one the search tells apart (two complete ``big``
#: where it can be completed; more change nothing a condition reads).
_TRANCHES = 2


def node_of(process: Definition, state: State) -> Node:
    """The graph node ``state`` is at."""
    remembering = {s for move in process.moves if move.returns for s in move.sources}
    return Node(state.stage, state.suspended_from if state.stage in remembering else None)


def unmet(process: Definition, trigger: str, state: State) -> set[str]:
    """The guard rules of ``trigger`` from ``state``'s stage that ``state`` does not meet,
    asked of each condition directly."""
    move = process.move(trigger, state.stage)
    assert move is not None
    return {
        rule_id
        for rule_id in move.guard
        if not process.rule(rule_id).condition.met(state, {}, process)  # type: ignore[union-attr]
    }


def ready(process: Definition, trigger: str, state: State) -> bool:
    """Whether a pledge of ``trigger`` is due in ``state``: not suspended, not ended, a move
    from here, its arguments fit and every rule of its guard met."""
    if state.suspended_from is not None or state.stage in process.finals:
        return False
    if process.move(trigger, state.stage) is None or unmet(process, trigger, state):
        return False
    plan = process.engine.plans[trigger, state.stage]
    try:
        plan.admit(state, pledgeable(process.engine)[trigger])
    except (ng.InvalidValue, ng.InvalidType):
        return False
    return True


Step = tuple[str, Mapping[str, Any]]
Key = tuple[Any, ...]


class Explorer:
    """Every state (up to what conditions read) a negotiation of ``process`` reaches with
    canonical arguments, found breadth first, each with the shortest history to it."""

    def __init__(self, process: Definition, limit: int = 6000) -> None:
        self.process = process
        self.canon = canon(process)
        engine = process.engine
        start = ng.Negotiation(process).state
        self.states: dict[Key, State] = {self.key(start): start}
        self.came: dict[Key, tuple[Key, Step] | None] = {self.key(start): None}
        #: Accepted moves: (state, trigger, arguments, state after).
        self.accepted: list[tuple[Key, Step, Key]] = []
        #: Guard refusals: (state, trigger, arguments).
        self.refused: list[tuple[Key, Step]] = []
        self.out: dict[Key, list[tuple[Step, Key]]] = {}
        from_stage: dict[str, list[str]] = {}
        for trigger, stage in engine.plans:
            from_stage.setdefault(stage, []).append(trigger)
        queue = deque([self.key(start)])
        while queue and len(self.states) < limit:
            here = queue.popleft()
            state = self.states[here]
            self.out[here] = []
            for trigger in from_stage.get(state.stage, ()):
                for offered in self.choices(trigger, state):
                    try:
                        _, after = make_move(engine, state, trigger, offered, live=False)
                    except (ng.InvalidValue, ng.InvalidType):
                        continue
                    step = (trigger, offered)
                    if after is None:
                        self.refused.append((here, step))
                        continue
                    there = self.key(after)
                    self.accepted.append((here, step, there))
                    self.out[here].append((step, there))
                    if there not in self.states:
                        self.states[there] = after
                        self.came[there] = (here, step)
                        queue.append(there)

    def key(self, state: State) -> Key:
        """What tells two states apart for the conditions (and the moves' arguments)."""
        process = self.process
        return (
            state.stage,
            state.suspended_from,
            repr(state.terms),
            min(state.ledger.tranches, _TRANCHES),
            tuple(state.open_items(kind) for kind in process.items),
            tuple(
                (i.side, i.name, frozenset(state.acknowledged_by(i.side, i.name)))
                for i in state.interests
            ),
        )

    def choices(self, trigger: str, state: State) -> Iterator[dict[str, Any]]:
        """The canonical arguments of ``trigger`` in ``state``."""
        process = self.process
        effect = process.engine.plans[trigger, state.stage].effect
        parties = process.parties
        sides: list[str] = list(parties)
        if isinstance(effect, Declare):
            sides = [parties[0]]
        elif isinstance(effect, Acknowledge):  # the next to acknowledge, and the declarer
            sides = [parties[0]]
            for interest in state.pending_interests():
                waiting = state.awaited(interest, process)
                sides = [waiting[0], interest.side] if waiting else sides
                break
        values: dict[str, list[Any]] = {
            "terms": [self.canon.small, self.canon.big],
            "tranche": [self.canon.tranche],
            "side": sides,
            "name": ["n1"],
            "reason": ["walked"],
            "note": ["walked"],
        }
        parameters = process.engine.parameters[trigger]
        for combination in itertools.product(*(values[name] for name in parameters)):
            yield dict(zip(parameters, combination, strict=True))

    def path(self, key: Key) -> list[Step]:
        """The shortest history (canonical moves) to the state ``key``."""
        steps: list[Step] = []
        while (came := self.came[key]) is not None:
            key, step = came
            steps.append(step)
        return steps[::-1]

    def node(self, key: Key) -> Node:
        """The graph node of the state ``key``."""
        return node_of(self.process, self.states[key])

    def search(self, start: Key, goal: Any, expand: Any = lambda key: True) -> list[Step] | None:
        """The shortest canonical history from ``start`` to a state where ``goal(key)``,
        going on only from states where ``expand(key)``."""
        came: dict[Key, tuple[Key, Step] | None] = {start: None}
        queue = deque([start])
        while queue:
            here = queue.popleft()
            if not expand(here):
                continue
            for step, there in self.out.get(here, ()):
                if there in came:
                    continue
                came[there] = (here, step)
                if goal(there):
                    steps = [step]
                    while (back := came[here]) is not None:
                        here, earlier = back
                        steps.append(earlier)
                    return steps[::-1]
                queue.append(there)
        return None


def replay(process: Definition, steps: list[Step]) -> ng.Negotiation:
    """A live negotiation after ``steps``, each of which must be accepted."""
    talks = ng.Negotiation(process)
    for at, (trigger, offered) in enumerate(steps):
        try:
            talks.send(trigger, **offered)
        except ng.NegotiationError as error:  # pragma: no cover - reported with the path
            raise AssertionError(f"step {at} of {steps}: {error!r}") from error
    return talks


# -- drawn definitions are valid and sound --------------------------------------------------


def _reachable(start: str, out: Mapping[str, set[str]]) -> set[str]:
    seen, queue = {start}, deque([start])
    while queue:
        for there in out.get(queue.popleft(), ()):
            if there not in seen:
                seen.add(there)
                queue.append(there)
    return seen


@given(definitions())
def test_drawn_definitions_are_valid_and_sound(process: Definition) -> None:
    """A drawn definition constructs without DefinitionError (drawing it constructed it) and
    is sound by a check written here: every stage is reachable from the initial one and
    every non-final stage can reach a final one (a returning move leads back to where its
    stage was entered from), every condition names stages and kinds of item that exist,
    every rule quotes its line, and 2 to 4 parties take part."""
    assert problems(process) == []
    assert 2 <= len(process.parties) <= 4  # the strategy's range
    out: dict[str, set[str]] = {}
    for move in process.moves:
        for source in move.sources:
            if move.returns:
                out.setdefault(source, set()).update(process.entered_from(source))
            else:
                out.setdefault(source, set()).add(move.dest or source)
    assert _reachable(process.initial, out) == set(process.stages)
    for stage in process.stages:
        if stage not in process.finals:
            assert _reachable(stage, out) & process.finals, stage
    for move in process.moves:
        if isinstance(move.effect, Suspend):  # only a suspension leads into a held stage
            assert move.dest in {s for m in process.moves if m.returns for s in m.sources}
    for each in process.rules:
        assert each.quote in process.source.line(each.line)
        for part in walk_conditions(each.condition):
            if isinstance(part, Resolved):
                assert part.item in process.items
            named = getattr(part, "stage", None)
            assert named is None or named in process.stages


# -- random moves keep every invariant ------------------------------------------------------


def _snapshot(talks: ng.Negotiation) -> tuple[Any, ...]:
    return (talks.state, len(talks.history), talks.state.pledges)


def _kept(state: State, process: Definition) -> tuple[Any, ...]:
    """What conditions and moves read of a state (pledges and serial numbers aside)."""
    return (
        state.stage,
        state.suspended_from,
        state.terms,
        state.ledger,
        tuple(state.open_items(kind) for kind in process.items),
        state.interests,
    )


class Driven(RuleBasedStateMachine):
    """A live, journaled negotiation of any process, driven by random moves, pledges and
    withdrawals with random arguments.

    After every step:

    - a refused call changes nothing: a guard refusal adds exactly the recorded refusal
      (naming every unmet rule) to the history, any other refusal adds nothing, and the
      state and the waiting pledges are as they were;
    - the stage is always a stage of the process;
    - a trigger is allowed exactly when ``blockers`` names nothing, and the negotiation,
      its events and its blockers print;
    - no move guarded by a rule is ever accepted while that rule's condition is unmet in
      the state it was made from (each accepted event is re-applied here by its effect,
      and the rules are asked directly), and each lands where its move says;
    - no waiting pledge is due, and every move a pledge made came right after the event
      that made it possible, never while suspended;
    - the history round-trips through ``to_json`` / ``from_json(text, process)``.

    Now and then, and at the end: ``save`` / ``load(path, process)`` and the journal
    reopened with ``negotiations.open(path, process)`` give an equal negotiation (the
    run goes on with the reopened one), and ``at(k)`` for every ``k`` gives the
    negotiation as it stood after the last whole call within the first ``k`` events.
    """

    processes: st.SearchStrategy[Definition] = st.sampled_from(PROCESSES)

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="any-process-"))
        self.talks: ng.Negotiation | None = None
        self.process: Definition = ng.PROCESS
        #: The history's length and the state after every call so far.
        self.calls: list[tuple[int, State]] = []

    @initialize(data=st.data())
    def begin(self, data: st.DataObject) -> None:
        process = data.draw(type(self).processes, label="process")
        note(describe(process))
        self.process = process
        self.talks = ng.open(self.folder / "journal.jsonl", process)
        self.calls = [(0, self.talks.state)]

    def teardown(self) -> None:
        try:
            if self.talks is not None:
                self.check_whole_history()
                self.talks.close()
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    # -- the steps ---------------------------------------------------------------------------

    @rule(data=st.data())
    def make_progress(self, data: st.DataObject) -> None:
        """A move the rules allow now that neither suspends nor ends the process (so that runs
        get far and linger in each stage; ``attempt_a_move`` ends them)."""
        talks, process = self.negotiation, self.process
        onward = []
        for trigger in talks.allowed():
            move = process.move(trigger, talks.stage)
            assert move is not None
            if not isinstance(move.effect, (End, Suspend)) and move.dest not in process.finals:
                onward.append(trigger)
        trigger = data.draw(st.sampled_from(onward or list(process.triggers)), label="onward")
        self.send(data, trigger)

    @rule(data=st.data())
    def attempt_a_move(self, data: st.DataObject) -> None:
        """Any move: one from this stage (allowed or not), one leaving it, or any at all."""
        talks, process = self.negotiation, self.process
        here = [t for t in process.triggers if process.move(t, talks.stage) is not None]
        leaving = [t for t in here if not process.move(t, talks.stage).internal]  # type: ignore[union-attr]
        pools = [here, leaving, list(process.triggers), ["no_such_move"]]
        pool = data.draw(st.sampled_from([p for p in pools if p]), label="pool")
        self.send(data, data.draw(st.sampled_from(pool), label="trigger"))

    @rule(data=st.data())
    def attempt_a_guarded_move(self, data: st.DataObject) -> None:
        """A move from this stage that a guard may refuse, whether it is allowed now or not."""
        talks, process = self.negotiation, self.process
        guarded = [
            t
            for t in process.triggers
            if (move := process.move(t, talks.stage)) is not None and move.guard
        ]
        if guarded:
            self.send(data, data.draw(st.sampled_from(guarded), label="guarded"))

    def send(self, data: st.DataObject, trigger: str) -> None:
        talks = self.negotiation
        given: dict[str, object] = {}
        if trigger in self.process.triggers:
            given = data.draw(arguments(talks, trigger), label="arguments")
        self.call(lambda: talks.send(trigger, **given), trigger)

    @rule(data=st.data())
    def pledge(self, data: st.DataObject) -> None:
        talks = self.negotiation
        side = data.draw(st.sampled_from(self.process.parties) | st.just("nobody"), label="side")
        can = list(pledgeable(self.process.engine))
        anything = st.sampled_from(self.process.triggers)
        trigger = data.draw(st.sampled_from(can) | anything if can else anything, label="pledged")
        self.call(lambda: talks.pledge(side, trigger, note="drawn"), "pledge")

    @precondition(lambda self: self.talks is not None and bool(self.talks.pledges))
    @rule(data=st.data())
    def withdraw(self, data: st.DataObject) -> None:
        talks = self.negotiation
        pledge = data.draw(st.sampled_from(talks.pledges), label="withdrawn")
        self.call(lambda: talks.withdraw(pledge), "withdraw")

    @rule(reopen=st.booleans())
    def keep(self, reopen: bool) -> None:
        """Reopen the journal (and go on with the reopened negotiation), or save and load."""
        if reopen:
            self.reopen_the_journal()
        else:
            self.save_and_load()

    def reopen_the_journal(self) -> None:
        talks = self.negotiation
        talks.close()
        again = ng.open(self.folder / "journal.jsonl", self.process)
        assert again == talks
        self.talks = again

    def save_and_load(self) -> None:
        path = self.folder / "saved.json"
        self.negotiation.save(path)
        assert ng.Negotiation.load(path, self.process) == self.negotiation

    # -- the checks --------------------------------------------------------------------------

    @property
    def negotiation(self) -> ng.Negotiation:
        assert self.talks is not None
        return self.talks

    def call(self, make: Any, trigger: str) -> None:
        """Make one call and check what it did (or that a refusal did nothing)."""
        talks = self.negotiation
        before = _snapshot(talks)
        try:
            make()
        except ng.TransitionBlocked as error:
            state, length, pledges = before
            assert talks.state == state
            assert talks.state.pledges == pledges
            assert len(talks.history) == length + 1
            refusal = talks.history[-1]
            assert not refusal.accepted
            assert refusal.trigger == trigger
            assert refusal.blockers == error.blockers  # noqa: PT017  # the refusal is checked against the state it left
            assert error.blockers  # noqa: PT017  # the refusal is checked against the state it left
            if trigger in self.process.triggers and self.process.move(trigger, state.stage):
                assert {b.rule for b in error.blockers} == unmet(self.process, trigger, state)  # noqa: PT017  # the refusal is checked against the state it left
        except (ng.InvalidValue, ng.InvalidType, ng.TransitionNotAllowed, ng.UnknownTrigger):
            assert _snapshot(talks) == before
        else:
            self.check_call(before[0], before[1])
        self.calls.append((len(talks.history), talks.state))

    def check_call(self, state: State, since: int) -> None:
        """Each accepted move of the call was allowed in the state it was made from and landed
        where its move says; a pledge made a move only when it was the earliest waiting pledge
        due, not while suspended, and only after an event that made it due (the one event
        that was not made by a pledge, or a run of pledged moves right after it)."""
        process, talks = self.process, self.negotiation
        events = talks.history[since:]
        waiting = list(state.pledges)
        due_before_cause: set[int] = set()
        for at, event in enumerate(events):
            due_now = [p for p in waiting if ready(process, p.trigger, state)]
            if event.pledge is None or event.trigger in ("pledge", "withdraw"):
                due_before_cause = {p.number for p in due_now}
            if event.trigger in PLEDGE_TRIGGERS:
                assert event.pledge is not None
                if event.trigger == "pledge":
                    waiting.append(event.pledge)
                else:
                    waiting.remove(event.pledge)
                if event.trigger == "drop":
                    assert state.stage in process.finals
                continue
            assert event.accepted
            move = process.move(event.trigger, state.stage)
            assert move is not None
            assert event.source == state.stage
            missing = unmet(process, event.trigger, state)
            assert not missing, f"{event} accepted with {missing} unmet"
            if event.pledge is not None:
                assert at > 0, "a pledge fired before anything happened"
                assert state.suspended_from is None, "a pledge fired while suspended"
                assert due_now, event.pledge
                assert due_now[0] == event.pledge, (due_now, event.pledge)
                assert event.pledge.number not in due_before_cause, "it was due before"
                waiting.remove(event.pledge)
            dest = state.suspended_from if move.returns else (move.dest or state.stage)
            assert event.dest == dest
            state = move.effect.apply(state, dict(event.arguments), dest, process)
        assert waiting == list(talks.state.pledges)
        assert _kept(state, process) == _kept(talks.state, process)

    @invariant()
    def the_stage_is_a_stage_of_the_process(self) -> None:
        if self.talks is not None:
            assert self.talks.stage in self.process.stages

    @invariant()
    def blockers_and_allowed_agree(self) -> None:
        """A trigger is allowed exactly when nothing blocks it; everything prints."""
        if self.talks is not None:
            talks = self.talks
            allowed = set(talks.allowed())
            for trigger in self.process.triggers:
                blockers = talks.blockers(trigger)
                assert (not blockers) == (trigger in allowed), (trigger, blockers)
                assert all(str(blocker) for blocker in blockers)
            assert repr(talks)
            assert all(str(event) for event in talks.history[-3:])

    @invariant()
    def no_waiting_pledge_is_due(self) -> None:
        if self.talks is not None:
            state = self.talks.state
            assert not [p for p in state.pledges if ready(self.process, p.trigger, state)]

    @invariant()
    def the_history_round_trips_through_json(self) -> None:
        if self.talks is not None:
            text = self.talks.to_json()
            assert ng.Negotiation.from_json(text, self.process) == self.talks

    def check_whole_history(self) -> None:
        """Saved, journaled and looked back at, the negotiation is the same."""
        self.save_and_load()
        self.reopen_the_journal()
        talks = self.negotiation
        boundaries = dict(self.calls)
        ends = sorted(boundaries)
        for k in range(len(talks.history) + 1):
            back = talks.at(k)
            stood = max(end for end in ends if end <= k)
            assert len(back.history) == stood, (k, stood)
            assert back.history == talks.history[:stood]
            assert back.state == boundaries[stood]


def _driven(strategy: st.SearchStrategy[Definition]) -> type[Driven]:
    return type("DrivenProcess", (Driven,), {"processes": strategy})


@NAMED
def test_random_moves_keep_every_invariant(process: Definition) -> None:
    """See :class:`Driven`: a named process."""
    run_state_machine_as_test(
        _driven(st.just(process)),
        settings=settings(settings.default, stateful_step_count=30),
    )


def test_random_moves_keep_every_invariant_in_drawn_processes() -> None:
    """See :class:`Driven`: a drawn process."""
    run_state_machine_as_test(
        _driven(definitions()),
        settings=settings(
            settings.default,
            stateful_step_count=25,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        ),
    )


# -- every edge, both ways ------------------------------------------------------------------


def walk_every_edge(process: Definition) -> None:
    """Walk every edge live with its guard passing, and with each of its rules unmet; fail
    naming whatever was never exercised."""
    explorer = Explorer(process)
    passed: set[Edge] = set()
    for here, step, there in explorer.accepted:
        edge = Edge(explorer.node(here), step[0], explorer.node(there))
        if edge in passed:
            continue
        passed.add(edge)
        talks = replay(process, explorer.path(here))
        event = talks.send(step[0], **step[1])
        assert event.accepted
        assert (
            Edge(node_of(process, explorer.states[here]), step[0], node_of(process, talks.state))
            == edge
        )
    every = set(edges(process))
    assert passed <= every, f"moves the graph does not know: {passed - every}"
    assert not every - passed, f"edges never walked: {sorted(map(str, every - passed))}"
    refused: set[tuple[Edge, str]] = set()
    for here, (trigger, offered) in explorer.refused:
        state = explorer.states[here]
        missing = unmet(process, trigger, state)
        for edge in (e for e in every if e.source == explorer.node(here) and e.trigger == trigger):
            new = {(edge, rule_id) for rule_id in missing} - refused
            if not new:
                continue
            refused |= new
            talks = replay(process, explorer.path(here))
            length = len(talks.history)
            with pytest.raises(ng.TransitionBlocked) as blocked:
                talks.send(trigger, **offered)
            assert {blocker.rule for blocker in blocked.value.blockers} == missing
            assert talks.state == state
            assert len(talks.history) == length + 1
    wanted = {(edge, rule_id) for edge in every for rule_id in _guard(process, edge)}
    assert not wanted - refused, (
        f"guard rules never refused: {sorted((str(e), r) for e, r in wanted - refused)}"
    )


def _guard(process: Definition, edge: Edge) -> tuple[str, ...]:
    move = process.move(edge.trigger, edge.source.stage)
    assert move is not None
    return move.guard


@NAMED
def test_every_edge_is_walked_both_ways(process: Definition) -> None:
    """Every edge of a named process is walked with its guard passing and with each rule of
    its guard unmet (the refusal names exactly the unmet rules); none is left out."""
    walk_every_edge(process)


@SEARCHING
@given(definitions())
def test_every_edge_of_a_drawn_process_is_walked_both_ways(process: Definition) -> None:
    """As for the named processes, for a drawn one."""
    note(describe(process))
    walk_every_edge(process)


@given(definitions())
def test_every_view_of_a_drawn_process_renders(process: Definition) -> None:
    """The diagram names every stage and every move; the tables name every rule and stage."""
    text = diagram.mermaid(process)
    for stage in process.stages:
        assert str(stage) in text
    for trigger in process.triggers:
        assert trigger in text
    rules, stages = diagram.rules_table(process), diagram.stages_table(process)
    assert all(rule.id in rules for rule in process.rules)
    assert all(label(stage) in stages or str(stage) in stages for stage in process.stages)


@NAMED
def test_the_graphs_walks_are_walks(process: Definition) -> None:
    """Each of ``graph.walks`` goes from the initial stage through connected edges to a final
    one, and together they cover every edge."""
    every = set(edges(process))
    covered: set[Edge] = set()
    for walk in walks(process):
        assert walk[0].source == Node(process.initial)
        assert walk[-1].dest.stage in process.finals
        for first, second in itertools.pairwise(walk):
            assert first.dest == second.source
        covered.update(walk)
    assert covered == every
    assert set(nodes(process)) >= {edge.source for edge in every}


# -- pledges fire exactly when possible ----------------------------------------------------

#: (process name, trigger) of every pledge seen firing right after a resume.
FIRED_ON_RESUME: set[tuple[str, str]] = set()


def keep_pledges(process: Definition) -> int:
    """For every guarded move a pledge can name, from every stage it is made from: pledge it
    where its guard is unmet, then make the shortest run of moves after which it is possible,
    and check it fires right after the last of them and not before; and where it can be made
    possible while suspended, that it waits for the resume. Returns how many were checked."""
    explorer = Explorer(process)
    side = process.parties[0]
    checked = 0
    for trigger in pledgeable(process.engine):
        for move in (m for m in process.moves if m.trigger == trigger and m.guard):
            for stage in move.sources:
                start = next(
                    (
                        key
                        for key, state in explorer.states.items()
                        if state.stage == stage
                        and state.suspended_from is None
                        and unmet(process, trigger, state)
                    ),
                    None,
                )
                if start is None:
                    continue

                def due(key: Key) -> bool:
                    return ready(process, trigger, explorer.states[key])  # noqa: B023  # used within this turn of the loop

                run = explorer.search(start, due, expand=lambda key: not due(key))
                if run is not None:
                    check_pledge(process, explorer.path(start), run, side, trigger)
                    checked += 1

                held = _held_run(explorer, start, trigger)
                if held is not None:
                    check_pledge(process, explorer.path(start), held, side, trigger)
                    FIRED_ON_RESUME.add((process.name, trigger))
                    checked += 1
    return checked


def _held_run(explorer: Explorer, start: Key, trigger: str) -> list[Step] | None:
    """The shortest run from ``start`` that makes ``trigger`` possible while the process is
    suspended, then resumes it (nothing possible before the resume)."""
    process = explorer.process
    resumes = {m.trigger for m in process.moves if isinstance(m.effect, Resume)}
    for key, state in explorer.states.items():
        if state.suspended_from is None:
            continue
        back = attrs.evolve(state, stage=state.suspended_from, suspended_from=None)
        if not ready(process, trigger, back):
            continue
        for step, _there in explorer.out.get(key, ()):
            if step[0] not in resumes:
                continue
            first = explorer.search(
                start,
                lambda k, key=key: k == key,
                expand=lambda k: not ready(process, trigger, explorer.states[k]),
            )
            if first is not None:
                return [*first, step]
    return None


def check_pledge(
    process: Definition, prefix: list[Step], run: list[Step], side: str, trigger: str
) -> None:
    """Pledge ``trigger`` after ``prefix``; it waits through ``run`` and fires right after its
    last step."""
    talks = replay(process, prefix)
    pledge = talks.pledge(side, trigger, note="as soon as possible")
    assert pledge in talks.pledges, "a pledge of a blocked move waits"
    assert pledge.blockers
    for at, (made, offered) in enumerate(run):
        since = len(talks.history)
        talks.send(made, **offered)
        events = talks.history[since:]
        if at < len(run) - 1:
            assert len(events) == 1, f"the pledge fired early, after {made}: {events}"
            assert pledge in talks.pledges
            continue
        assert len(events) == 2, f"the pledge did not fire right after {made}: {events}"
        fired = events[1]
        assert fired.trigger == trigger
        assert fired.accepted
        assert fired.pledge == pledge
        assert fired.source == events[0].dest
        assert pledge not in talks.pledges


@NAMED
def test_pledges_fire_exactly_when_possible(process: Definition) -> None:
    """A pledge of a guarded move fires right after the event that makes its guard pass, and
    not before; made possible while suspended, it fires right after the resume."""
    checked = keep_pledges(process)
    assert checked >= len(
        [
            t
            for t in pledgeable(process.engine)
            if any(m.guard for m in process.moves if m.trigger == t)
        ]
    )
    if process is CEASEFIRE:  # a violation can be closed while suspended
        assert (CEASEFIRE.name, "withdraw_weapons") in FIRED_ON_RESUME


@SEARCHING
@given(definitions())
def test_pledges_fire_exactly_when_possible_in_drawn_processes(process: Definition) -> None:
    """As for the named processes, for a drawn one."""
    note(describe(process))
    keep_pledges(process)


# -- a file of one process opened as another --------------------------------------------------


def _some_history(process: Definition) -> ng.Negotiation:
    talks = ng.Negotiation(process)
    plain = [t for t in talks.allowed() if not process.engine.parameters[t]]
    if plain:
        talks.send(plain[0])
    return talks


def assert_refused_as(path: Path, saved: Definition, opened: Definition) -> None:
    """A file and a journal of ``saved`` opened as ``opened``: refused, naming both."""
    talks = _some_history(saved)
    file = path / "saved.json"
    talks.save(file)
    with pytest.raises(ng.InvalidValue) as raised:
        ng.Negotiation.load(file, opened)
    assert str(raised.value) == (
        f"{file}: process: the file holds a {saved.name!r} negotiation, not {opened.name!r}"
    )
    with pytest.raises(ng.InvalidValue, match="the file holds a"):
        ng.Negotiation.from_json(talks.to_json(), opened)
    journal = path / "journal.jsonl"
    with ng.open(journal, saved) as kept:
        for event in talks.history:
            kept.send(event.trigger, **dict(event.arguments))
    with pytest.raises(ng.JournalCorrupted) as corrupted:
        ng.open(journal, opened)
    assert str(corrupted.value) == (
        f"{journal}: line 1: a journal of format {ng.FORMAT} for process {saved.name!r}; "
        f"this library keeps formats 2, 3, {ng.FORMAT} for {opened.name!r}"
    )
    ng.open(journal, saved).close()  # the refused opening left the journal intact


@pytest.mark.parametrize(
    ("saved", "opened"),
    [(a, b) for a in PROCESSES for b in PROCESSES if a is not b],
    ids=lambda p: p.name,
)
def test_a_file_of_one_process_is_refused_as_another(
    tmp_path: Path, saved: Definition, opened: Definition
) -> None:
    """A saved file or a journal of one named process, opened as another, is a clear error
    naming both processes."""
    assert_refused_as(tmp_path, saved, opened)


@SEARCHING
@given(process=definitions(), other=st.sampled_from(PROCESSES))
def test_a_file_of_a_drawn_process_is_refused_as_a_named_one(
    process: Definition, other: Definition
) -> None:
    """The same for a drawn process and a named one, both ways."""
    folder = Path(tempfile.mkdtemp(prefix="refused-"))
    try:
        assert_refused_as(folder, process, other)
        shutil.rmtree(folder)
        folder.mkdir()
        assert_refused_as(folder, other, process)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# -- found by the tests above: each pinned on its own -----------------------------------------


def _held_process(*, guarded_resume: bool, wander: bool) -> Definition:
    """A small process with a holding stage: ``suspend`` into it, ``resume`` out of it;
    with ``wander``, a plain move into it too."""
    from negotiations import Move, Rule, Source
    from negotiations.effects import Close, End, Open

    source = Source(
        "A note", "2024-01-01", "the tests", "A note.\nNo issue may stay open.\nIn order."
    )
    rules = (
        Rule(
            "issues.closed",
            "no issue is open",
            2,
            "No issue may stay open.",
            Resolved("issue", "issue(s)"),
        ),
        Rule("order", "in order", 3, "In order."),
    )
    moves = [
        Move("open_issue", ("s0", "hold"), effect=Open("issue", "issue")),
        Move("close_issue", ("s0", "hold"), effect=Close("issue", "issue")),
        Move("suspend", ("s0",), "hold", effect=Suspend()),
        Move(
            "resume", ("hold",), effect=Resume(), guard=("issues.closed",) if guarded_resume else ()
        ),
        Move("finish", ("s0", "hold"), "end", effect=End()),
    ]
    if wander:
        moves.append(Move("wander", ("s0",), "hold"))
    return Definition(
        "held",
        source,
        ("a", "b"),
        ("s0", "hold", "end"),
        "s0",
        {"end"},
        rules,
        tuple(moves),
        order_rule="order",
    )


def test_a_guarded_resume_is_refused_while_its_rule_is_unmet() -> None:
    """A returning move's guard holds for live calls as it does on replay: ``resume``
    guarded by "no issue open" is refused while an issue is open, and the negotiation
    saved after that still loads."""
    process = _held_process(guarded_resume=True, wander=False)
    talks = ng.Negotiation(process)
    talks.send("suspend", reason="a pause")
    talks.send("open_issue", name="late")
    assert [b.rule for b in talks.blockers("resume")] == ["issues.closed"]
    with pytest.raises(ng.TransitionBlocked):
        talks.send("resume")
    assert talks.stage == "hold"
    assert ng.Negotiation.from_json(talks.to_json(), process) == talks


def test_every_edge_of_a_definition_with_a_plain_move_into_a_held_stage_can_be_walked() -> None:
    """A definition is refused, or every edge ``graph.edges`` lists can be walked: a plain
    move into the stage ``resume`` leaves gives the edge ``hold (from s0) --resume--> s0``,
    so resuming after it must lead back to ``s0``."""
    try:
        process = _held_process(guarded_resume=False, wander=True)
    except ng.DefinitionError:
        return
    assert Edge(Node("hold", "s0"), "resume", Node("s0")) in edges(process)
    talks = ng.Negotiation(process)
    talks.send("wander")
    talks.send("resume")
    assert talks.stage == "s0"


def test_a_process_may_name_the_articles_sides_beside_another_party() -> None:
    """Party names are plain strings in a process of one's own, even the article's: talks
    between Russia and Ukraine hosted by Turkey agree terms naming all three, hand over
    one for one for one (by counts and by named people), and save and load."""
    from negotiations import Move, Prisoner, Rule, Source
    from negotiations.conditions import Quota
    from negotiations.effects import Agree, Transfer

    parties = ("russia", "ukraine", "turkey")
    source = Source(
        "Istanbul, hosted",
        "2025-06-02",
        "the tests",
        "Talks hosted in Istanbul.\nQuotas met.\nIn order.",
    )
    process = Definition(
        "hosted",
        source,
        parties,
        ("talks", "exchange", "done"),
        "talks",
        {"done"},
        (
            Rule("quota", "quotas met", 2, "Quotas met.", Quota()),
            Rule("order", "in order", 3, "In order."),
        ),
        (
            Move("agree", ("talks",), "exchange", effect=Agree()),
            Move("transfer", ("exchange",), effect=Transfer()),
            Move("finish", ("exchange",), "done", guard=("quota",)),
        ),
        order_rule="order",
    )
    talks = ng.Negotiation(process)
    talks.send(
        "agree",
        terms=ExchangeTerms(quota=dict.fromkeys(parties, 2), seriously_ill_held={"turkey": 1}),
    )
    talks.send(
        "transfer", tranche=Tranche(released=dict.fromkeys(parties, 1), seriously_ill={"turkey": 1})
    )
    people = [Prisoner(f"{party}-1", party) for party in parties]
    lenient = ExchangeTerms(quota=0, civilians_separate=False)
    talks.send("transfer", tranche=Tranche.from_prisoners(people, lenient))
    talks.send("finish")
    assert talks.stage == "done"
    assert dict(talks.ledger.released) == dict.fromkeys(parties, 2)
    assert ng.Negotiation.from_json(talks.to_json(), process) == talks
