"""Pledges: a party's stated intention that takes effect the moment its conditions are met.

A pledge names a move (``open_third_round`` …) that a side will make as soon as
it is possible. These tests pin down *when* it is made — right after the event
that lets it through, earliest pledge first, never while suspended, never twice,
dropped when the process ends — with a stateful machine checked after every step
against a small reference: test_stateful's model of the process, extended here with
the pledges as the issue states them, independently of the library's own
bookkeeping (``negotiations.pledging.due`` is never called). Then:
chains, every way of saving and restoring a negotiation with waiting pledges,
``at(k)``, bad input, and saved histories tampered with.
"""

from __future__ import annotations

import contextlib
import copy
import json
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from test_persistence import write_move_by_move
from test_stateful import AGREED, NAMES, PARAMETERS, Model

import negotiations as ng
from negotiations import (
    ExchangeTerms,
    InvalidType,
    InvalidValue,
    Negotiation,
    NegotiationError,
    Pledge,
    Side,
    Stage,
    Tranche,
    TransitionBlocked,
    TransitionNotAllowed,
    UnknownTrigger,
    testing,
)

#: The moves the issue says can be pledged: those that take no arguments, ``resume`` aside.
PLEDGEABLE = ("agree_exchange", "open_third_round", "convene_leaders", "sign_settlement")
#: The triggers of the events that keep pledges: made, withdrawn, dropped at the end.
KEEPING = frozenset({"pledge", "withdraw", "drop"})
NOTES = st.none() | st.sampled_from(
    ["after a prisoner exchange", "once humanitarian issues are resolved", "«обмін»"]
)

#: Arguments for ordinary moves: small terms and tranches, so exchanges complete in a few steps.
SMALL_TERMS = st.none() | testing.exchange_terms(max_quota=12, max_held=4)
VALID: dict[str, st.SearchStrategy[Any]] = {
    "terms": SMALL_TERMS,
    "tranche": testing.tranches(max_size=12),
    "side": testing.sides() | st.sampled_from([side.value for side in Side]),
    "name": st.sampled_from(NAMES),
    "reason": st.sampled_from(testing.REASONS),
}

#: Writing to a journal fsyncs every call: fewer examples for the tests that do.
journaled = settings(max_examples=min(settings().max_examples, 100))


# -- the reference ---------------------------------------------------------------------------

FINALS = (Stage.SETTLEMENT, Stage.COLLAPSED)


@dataclass(frozen=True)
class Promise:
    """The reference's pledge: who pledged what, in which order."""

    number: int
    side: Side
    trigger: str
    note: str | None

    def as_pledge(self) -> Pledge:
        return Pledge(self.number, self.side, self.trigger, note=self.note)


#: What the reference expects a call to record: (trigger, accepted, the pledge it keeps or made).
Expected = tuple[str, bool, Promise | None]


@dataclass
class PledgeModel(Model):
    """test_stateful's model of the process, with the pledges as the issue states them: those
    waiting, in the order made, and how many were made."""

    waiting: list[Promise] = field(default_factory=list)
    made: int = 0

    def ready(self, trigger: str) -> bool:
        """Whether a pledge of ``trigger`` is due now: a move from this stage, not suspended,
        every rule met."""
        return (
            self.stage is not Stage.SUSPENDED
            and self.stage not in FINALS
            and self.destination(trigger) is not None
            and not self.unmet(trigger)
        )

    def pledge(self, side: Side, trigger: str, note: str | None) -> Promise:
        """Record a pledge, numbered after all made before it, as waiting."""
        self.made += 1
        promise = Promise(self.made, side, trigger, note)
        self.waiting.append(promise)
        return promise

    def withdraw(self, number: int) -> Promise:
        """Take the waiting pledge numbered ``number`` off the list."""
        promise = next(p for p in self.waiting if p.number == number)
        self.waiting.remove(promise)
        return promise

    def settle(self) -> list[Expected]:
        """Carry out the earliest due pledge until none is; drop every waiting one at the end."""
        done: list[Expected] = []
        while True:
            if self.stage in FINALS:
                done.extend(("drop", True, promise) for promise in self.waiting)
                self.waiting.clear()
                return done
            promise = next((p for p in self.waiting if self.ready(p.trigger)), None)
            if promise is None:
                return done
            self.apply(promise.trigger, {})
            self.waiting.remove(promise)
            done.append((promise.trigger, True, promise))


# -- helpers ---------------------------------------------------------------------------------


def missing_tranche(talks: Negotiation) -> Tranche:
    """Exactly what the agreed terms still lack, priority prisoners included."""
    terms, ledger = talks.terms, talks.ledger
    assert terms is not None
    missing = {
        name: {side: max(0, need[side] - done[side]) for side in Side}
        for name, need, done in (
            ("released", dict.fromkeys(Side, terms.quota), ledger.released),
            ("seriously_ill", terms.seriously_ill_held, ledger.seriously_ill),
            ("young", terms.young_held, ledger.young),
        )
    }
    size = max(1, *(count for counts in missing.values() for count in counts.values()))
    return Tranche(
        released=dict.fromkeys(Side, size),
        seriously_ill=missing["seriously_ill"],
        young=missing["young"],
    )


def carry_on(talks: Negotiation) -> None:
    """One call that takes the process on, chosen from its state alone (so two equal
    negotiations make the same call): resume, agree, fill the exchange, resolve, acknowledge,
    or make the next move."""
    stage = talks.stage
    if stage is Stage.SUSPENDED:
        talks.resume()
    elif stage is Stage.TALKS:
        talks.agree_exchange(ExchangeTerms(quota=2))
    elif stage in AGREED and not talks.exchange_complete:  # a further agreement too
        talks.transfer(missing_tranche(talks))
    elif stage is Stage.EXCHANGE:
        talks.open_third_round()
    elif talks.humanitarian_issues:
        talks.resolve_humanitarian_issue(talks.humanitarian_issues[0])
    elif pending := talks.state.pending_interests():
        talks.acknowledge_interest(pending[0].side.other, pending[0].name)
    elif stage is Stage.THIRD_ROUND:
        talks.convene_leaders()
    else:
        talks.sign_settlement()


def carry_on_to_the_end(*both: Negotiation) -> None:
    """Make the same calls on each negotiation until the process is settled."""
    for _ in range(12):
        if all(talks.finished for talks in both):
            return
        for talks in both:
            carry_on(talks)
    raise AssertionError("the process did not end")


def assert_same(restored: Negotiation, original: Negotiation) -> None:
    """Equal in every way a user can observe, waiting pledges and what blocks them included."""
    assert restored == original
    assert restored.state == original.state
    assert restored.history == original.history
    assert restored.pledges == original.pledges
    assert [p.blockers for p in restored.pledges] == [p.blockers for p in original.pledges]
    assert [p.note for p in restored.pledges] == [p.note for p in original.pledges]
    for trigger in ng.PROCESS.triggers:
        assert restored.blockers(trigger) == original.blockers(trigger), trigger
    assert restored.allowed() == original.allowed()
    # the same line, but for where a journaled one is kept
    assert repr(restored).split("; journal ")[0].rstrip(">") == repr(original).split("; journal ")[
        0
    ].rstrip(">")


def unmarked(event: ng.Event) -> ng.Event:
    """``event`` as it is when made by hand: the same, without its pledge."""
    return ng.Event(
        event.trigger,
        event.accepted,
        event.source,
        event.dest,
        dict(event.arguments),
        event.blockers,
    )


def rebuilt_by_hand(history: tuple[ng.Event, ...]) -> Negotiation:
    """A negotiation without pledges: ``history``'s own calls made again, and each pledged move
    made by hand where the history says a pledge made it.

    On the way it checks, with the pledge-free negotiation's blockers (not the library's
    bookkeeping of pledges), that at every point the history holds next exactly what the
    pledges call for: the earliest waiting pledge whose move is unblocked is carried out
    before anything else, nothing is carried out while none is, and when the process ends
    every waiting pledge is dropped, in the order made.
    """
    talks = Negotiation()
    waiting: list[Pledge] = []
    for at, event in enumerate(history):
        due = what_is_due(talks, waiting)
        if due is not None:
            assert (event.trigger, event.pledge) == due, (at, event)
        else:
            assert event.pledge is None or event.trigger in {"pledge", "withdraw"}, (at, event)
        pledge = event.pledge
        if event.trigger == "pledge":
            assert pledge is not None
            waiting.append(pledge)
        elif event.trigger in {"withdraw", "drop"}:
            assert pledge in waiting, (at, event)
            waiting.remove(pledge)
        elif pledge is not None:  # the pledged move, made by hand: it must be accepted
            made = getattr(talks, event.trigger)()
            assert made == unmarked(event), (at, event)
            waiting.remove(pledge)
        elif event.accepted:
            assert talks.send(event.trigger, **event.arguments) == event
        else:
            with pytest.raises(TransitionBlocked):
                talks.send(event.trigger, **event.arguments)
            assert talks.history[-1] == event
    assert what_is_due(talks, waiting) is None  # a history never stops before a due pledge
    return talks


def what_is_due(talks: Negotiation, waiting: list[Pledge]) -> tuple[str, Pledge] | None:
    """What must come next in a history whose ``waiting`` pledges wait on ``talks`` (a
    negotiation without pledges): the earliest waiting pledge whose move nothing blocks is
    carried out (never while suspended: every move it could name is blocked then), or, once
    the process has ended, the earliest is dropped."""
    if talks.finished:
        return ("drop", waiting[0]) if waiting else None
    for pledge in waiting:
        if talks.blockers(pledge.trigger) == ():
            assert talks.stage is not Stage.SUSPENDED
            return pledge.trigger, pledge
    return None


def assert_made_by_hand_ends_the_same(talks: Negotiation) -> None:
    """The negotiation a history makes with its pledges is the one it makes with each pledged
    move made by hand at the moment the pledge made it."""
    by_hand = rebuilt_by_hand(talks.history)
    assert by_hand.stage is talks.stage
    assert by_hand.suspended_from is talks.suspended_from
    assert by_hand.terms == talks.terms
    assert by_hand.ledger == talks.ledger
    assert by_hand.exchange_complete == talks.exchange_complete
    assert by_hand.humanitarian_issues == talks.humanitarian_issues
    assert by_hand.interests == talks.interests
    assert by_hand.allowed() == talks.allowed()
    for trigger in ng.PROCESS.triggers:
        assert by_hand.blockers(trigger) == talks.blockers(trigger), trigger
    assert by_hand.history == tuple(
        unmarked(event) for event in talks.history if event.trigger not in KEEPING
    )
    assert by_hand.pledges == ()


# -- the stateful machine ----------------------------------------------------------------------


class PledgeMachine(RuleBasedStateMachine):
    """A negotiation driven by ordinary moves, pledges and withdrawals, beside the reference."""

    def __init__(self) -> None:
        super().__init__()
        self.talks = Negotiation()
        self.reference = PledgeModel()
        #: Every pledge value handed out by ``talks`` (by pledge() and by pledges).
        self.handed: list[Pledge] = []

    # -- making calls and checking what they recorded -----------------------------------

    def recorded(self, since: int, expected: list[Expected]) -> None:
        """The call recorded exactly the events the reference expects: itself, then what the
        pledges it let through did by themselves, earliest pledge first, each accepted."""
        new = self.talks.history[since:]
        got = [(e.trigger, e.accepted, e.pledge) for e in new]
        want = [(t, a, None if p is None else p.as_pledge()) for t, a, p in expected]
        assert got == want
        for event in new:
            if event.pledge is not None and event.trigger not in KEEPING:  # a pledged move
                assert event.accepted
                assert event.source is not Stage.SUSPENDED
                assert event.pledge.trigger == event.trigger

    def refused(self, before: tuple[Any, ...], *, blocked: bool = False) -> None:
        """A refused call changed nothing (a guard refusal only recorded itself, and no
        pledge fired after it)."""
        state, history, pledges = before
        talks = self.talks
        assert talks.state == state
        assert talks.pledges == pledges
        assert [p.blockers for p in talks.pledges] == [p.blockers for p in pledges]
        if blocked:
            assert talks.history[:-1] == history
            assert talks.history[-1].accepted is False
        else:
            assert talks.history == history

    def snapshot(self) -> tuple[Any, ...]:
        talks = self.talks
        return talks.state, talks.history, talks.pledges

    def call(self, trigger: str, arguments: dict[str, Any]) -> None:
        """Make an ordinary move; accept exactly what the reference predicts, pledges carried
        out or dropped right after it included."""
        talks, reference = self.talks, self.reference
        before = self.snapshot()
        since = len(talks.history)
        outcome = reference.expect(trigger, arguments)
        expected = outcome.error
        if expected is not None:
            with pytest.raises(expected) as refusal:
                getattr(talks, trigger)(**arguments)
            assert type(refusal.value) is expected, (trigger, refusal.value)
            if isinstance(refusal.value, TransitionBlocked):
                assert {b.rule for b in refusal.value.blockers} == outcome.rules
            self.refused(before, blocked=expected is TransitionBlocked)
            return
        event = getattr(talks, trigger)(**arguments)
        assert event == talks.history[since]
        reference.apply(trigger, arguments)
        self.recorded(since, [(trigger, True, None), *reference.settle()])

    # -- ordinary moves ----------------------------------------------------------------------

    @rule(trigger=testing.triggers(), data=st.data())
    def attempt_any_trigger(self, trigger: str, data: st.DataObject) -> None:
        """Any trigger of the process, with valid arguments drawn by its parameters."""
        arguments = {p: data.draw(VALID[p], label=p) for p in PARAMETERS[trigger]}
        self.call(trigger, arguments)

    @precondition(lambda self: self.talks.stage is Stage.TALKS)
    @rule(terms=SMALL_TERMS)
    def agree_an_exchange(self, terms: ExchangeTerms | None) -> None:
        """Terms that can be met within a few tranches (or the article's)."""
        self.call("agree_exchange", {"terms": terms})

    @precondition(lambda self: self.talks.stage in AGREED and not self.talks.exchange_complete)
    @rule()
    def hand_over_what_is_missing(self) -> None:
        """Exactly what the terms still lack: the last transfer, which lets pledges through."""
        self.call("transfer", {"tranche": missing_tranche(self.talks)})

    @precondition(lambda self: bool(self.talks.humanitarian_issues))
    @rule(data=st.data())
    def resolve_a_raised_issue(self, data: st.DataObject) -> None:
        """Resolve an issue that is open."""
        name = data.draw(st.sampled_from(self.talks.humanitarian_issues))
        self.call("resolve_humanitarian_issue", {"name": name})

    @precondition(lambda self: bool(self.talks.state.pending_interests()))
    @rule(data=st.data())
    def acknowledge_a_declared_interest(self, data: st.DataObject) -> None:
        """The other side acknowledges an interest that is pending."""
        interest = data.draw(st.sampled_from(self.talks.state.pending_interests()))
        self.call("acknowledge_interest", {"side": interest.side.other, "name": interest.name})

    @rule(
        trigger=st.sampled_from(["raise_humanitarian_issue", "declare_interest"]),
        side=testing.sides(),
        name=st.sampled_from(NAMES),
    )
    def make_a_demand(self, trigger: str, side: Side, name: str) -> None:
        """Raise an issue or declare an interest, which pledged moves must then wait for."""
        arguments = (
            {"side": side, "name": name} if trigger == "declare_interest" else {"name": name}
        )
        self.call(trigger, arguments)

    @precondition(lambda self: self.talks.stage is Stage.SUSPENDED)
    @rule()
    def resume(self) -> None:
        """Resume, which lets pledges through that waited while suspended."""
        self.call("resume", {})

    @precondition(lambda self: self.talks.finished)
    @rule()
    def begin_again(self) -> None:
        """After a final stage, check the whole story and go on with a fresh negotiation."""
        self.check_the_whole_history()
        self.talks = Negotiation()
        self.reference = PledgeModel()
        self.handed = []

    # -- pledges -----------------------------------------------------------------------------

    @rule(
        side=testing.sides() | st.sampled_from([side.value for side in Side]),
        trigger=st.sampled_from(PLEDGEABLE) | testing.triggers(),
        note=NOTES,
    )
    def pledge(self, side: Side | str, trigger: str, note: str | None) -> None:
        """A side pledges a move (now and then one that cannot be pledged): it happens at once
        if it can, else it waits; the pledge handed back says what blocks it."""
        talks, reference = self.talks, self.reference
        before = self.snapshot()
        since = len(talks.history)
        if trigger not in PLEDGEABLE:
            with pytest.raises(InvalidValue, match="trigger"):
                talks.pledge(side, trigger, note=note)
            self.refused(before)
            return
        if reference.stage in FINALS:
            with pytest.raises(TransitionNotAllowed):
                talks.pledge(side, trigger, note=note)
            self.refused(before)
            return
        handed = talks.pledge(side, trigger, note=note)
        promise = reference.pledge(Side(side), trigger, note)
        self.recorded(since, [("pledge", True, promise), *reference.settle()])
        assert handed == promise.as_pledge()
        assert handed.note == note
        if promise in reference.waiting:
            assert handed.blockers == talks.blockers(trigger) != ()
        else:
            assert handed.blockers == ()
        self.handed.append(handed)

    @precondition(lambda self: bool(self.talks.state.pledges))
    @rule(data=st.data(), side=testing.sides(), note=NOTES)
    def pledge_a_waiting_move_again(
        self, data: st.DataObject, side: Side, note: str | None
    ) -> None:
        """A second pledge of a move already pledged: which of them goes first is tested."""
        trigger = data.draw(st.sampled_from([p.trigger for p in self.talks.state.pledges]))
        self.pledge(side, trigger, note)

    @precondition(lambda self: bool(self.talks.state.pledges))
    @rule(data=st.data())
    def withdraw_a_waiting_pledge(self, data: st.DataObject) -> None:
        """A waiting pledge (as pledges shows it, or as pledge() handed it out) is withdrawn,
        and the withdrawal recorded; nothing else happens."""
        talks, reference = self.talks, self.reference
        shown = talks.pledges
        self.handed.extend(shown)
        choices = [p for p in self.handed if p in shown]
        pledge = data.draw(st.sampled_from(choices))
        since = len(talks.history)
        event = talks.withdraw(pledge)
        promise = reference.withdraw(pledge.number)
        self.recorded(since, [("withdraw", True, promise)])
        assert event == talks.history[-1]
        assert pledge not in talks.pledges

    def gone(self) -> list[Pledge]:
        """The pledges handed out that no longer wait."""
        waiting = self.talks.state.pledges
        return [p for p in self.handed if p not in waiting]

    @precondition(lambda self: bool(self.gone()))
    @rule(data=st.data())
    def withdraw_a_pledge_no_longer_waiting(self, data: st.DataObject) -> None:
        """A pledge carried out, withdrawn or dropped cannot be withdrawn: InvalidValue naming
        ``pledge`` and what became of it, and nothing changes."""
        talks = self.talks
        gone = self.gone()
        pledge = data.draw(st.sampled_from(gone))
        before = self.snapshot()
        with pytest.raises(InvalidValue, match=r"^pledge: .* is not waiting: it was"):
            talks.withdraw(pledge)
        self.refused(before)

    @precondition(lambda self: bool(self.talks.state.pledges))
    @rule(data=st.data())
    def withdraw_a_pledge_of_a_branch(self, data: st.DataObject) -> None:
        """A branch (at the current point) has the same waiting pledges, but the values each
        hands out can be withdrawn only where they came from."""
        talks = self.talks
        branch = talks.at(len(talks.history))
        assert_same(branch, talks)
        index = data.draw(st.integers(0, len(talks.pledges) - 1))
        before = self.snapshot()
        with pytest.raises(InvalidValue, match=r"^pledge: .*another negotiation"):
            talks.withdraw(branch.pledges[index])
        with pytest.raises(InvalidValue, match=r"^pledge: .*another negotiation"):
            branch.withdraw(talks.pledges[index])
        branch.withdraw(branch.pledges[index])
        assert len(branch.pledges) == len(talks.pledges) - 1
        self.refused(before)  # the branch's withdrawal left this negotiation as it was

    # -- invariants ----------------------------------------------------------------------------

    @invariant()
    def matches_the_reference(self) -> None:
        """Stage, counts, exchange, issues, interests and the waiting pledges (who pledged what, in
        order, numbered from 1 however many were made) agree with the reference."""
        talks, reference = self.talks, self.reference
        reference.assert_matches(talks)
        waiting = talks.pledges
        assert waiting == tuple(p.as_pledge() for p in reference.waiting)
        assert [p.note for p in waiting] == [p.note for p in reference.waiting]
        assert waiting == talks.state.pledges
        assert talks.state.pledges_made == reference.made

    @invariant()
    def no_waiting_pledge_is_due(self) -> None:
        """Between calls no pledge is left waiting that could be carried out: a waiting
        pledge's move is blocked (its blockers, the same as blockers(trigger), are never
        empty), and a move is unblocked exactly when the reference says it is due."""
        talks, reference = self.talks, self.reference
        for pledge in talks.pledges:
            assert pledge.blockers == talks.blockers(pledge.trigger) != ()
        for trigger in PLEDGEABLE:
            assert (talks.blockers(trigger) == ()) == reference.ready(trigger), trigger
        if talks.finished:
            assert talks.pledges == ()

    @invariant()
    def each_pledge_has_one_fate(self) -> None:
        """Pledges are recorded numbered 1, 2, 3 … in order; each is carried out, withdrawn or
        dropped at most once, after it was made, and exactly the waiting ones are neither."""
        made: list[int] = []
        fates: dict[int, str] = {}
        for event in self.talks.history:
            pledge = event.pledge
            if pledge is None:
                continue
            if event.trigger == "pledge":
                made.append(pledge.number)
            else:
                assert pledge.number in made
                assert pledge.number not in fates, event
                fates[pledge.number] = event.trigger
        assert made == list(range(1, len(made) + 1))
        waiting = {p.number for p in self.talks.state.pledges}
        assert waiting == set(made) - fates.keys()

    @invariant()
    def history_chains(self) -> None:
        """Every event starts where the one accepted before it ended; pledge events change
        no stage and carry no arguments."""
        stage = Stage.TALKS
        for event in self.talks.history:
            assert event.source is stage, event
            if event.trigger in KEEPING:
                assert event.dest is event.source
                assert not event.arguments
            if event.accepted:
                stage = event.dest
        assert stage is self.talks.stage

    @invariant()
    def repr_names_the_waiting_pledges(self) -> None:
        """repr() lists who pledged what while pledges wait, and mentions none otherwise."""
        shown = repr(self.talks)
        pledges = self.talks.state.pledges
        if pledges:
            assert f"{len(pledges)} pledge(s) waiting: " in shown
            for pledge in pledges:
                assert f"{pledge.side.label} {pledge.trigger}" in shown
        else:
            assert "pledge" not in shown

    def check_the_whole_history(self) -> None:
        """The history restores and replays to the same negotiation, and making its pledged
        moves by hand at the moments they were made ends in the same place."""
        talks = self.talks
        assert_same(Negotiation.from_json(talks.to_json()), talks)
        assert_same(Negotiation.replay(talks.history), talks)
        assert_made_by_hand_ends_the_same(talks)

    def teardown(self) -> None:
        self.check_the_whole_history()


TestPledges = PledgeMachine.TestCase


# -- the moves that can be pledged -------------------------------------------------------------


def test_exactly_the_moves_without_arguments_can_be_pledged_and_resume_cannot() -> None:
    """The issue's list: agree_exchange, open_third_round, convene_leaders, sign_settlement;
    every other trigger is refused naming ``trigger`` and saying why."""
    talks = Negotiation()
    for trigger in ng.PROCESS.triggers:
        if trigger in PLEDGEABLE:
            continue
        with pytest.raises(InvalidValue, match=f"^trigger: {trigger} cannot be pledged") as error:
            talks.pledge(Side.RUSSIA, trigger)
        parameters = PARAMETERS[trigger]
        if parameters:
            assert all(parameter in str(error.value) for parameter in parameters)
        else:
            assert trigger == "resume"
            assert "suspended" in str(error.value)
    assert talks.history == ()
    for trigger in PLEDGEABLE:
        talks.pledge(Side.UKRAINE, trigger)
    assert talks.state.pledges_made == len(PLEDGEABLE)
    assert talks.stage is Stage.EXCHANGE  # the agreement was made at once; the rest wait


def test_a_pledge_of_a_move_possible_now_is_carried_out_at_once() -> None:
    talks = Negotiation()
    pledge = talks.pledge(Side.RUSSIA, "agree_exchange", note="on the article's terms")
    assert pledge == Pledge(1, Side.RUSSIA, "agree_exchange", note="on the article's terms")
    assert pledge.blockers == ()
    assert talks.pledges == ()
    assert talks.stage is Stage.EXCHANGE
    assert talks.terms == ng.ISTANBUL_TERMS  # a pledge carries no arguments: the defaults
    made, moved = talks.history
    assert (made.trigger, made.pledge, made.source, made.dest) == (
        "pledge",
        pledge,
        Stage.TALKS,
        Stage.TALKS,
    )
    assert (moved.trigger, moved.accepted, moved.pledge) == ("agree_exchange", True, pledge)
    assert moved.pledge is not None
    assert (moved.pledge.number, moved.pledge.side) == (1, Side.RUSSIA)
    assert moved.arguments == {"terms": ng.ISTANBUL_TERMS}
    assert str(moved) == "agree_exchange(terms=quota 1000, under 25): talks -> exchange — " + (
        "pledged by Russia (pledge 1)"
    )


def test_a_pledge_of_a_later_move_waits_saying_what_blocks_it() -> None:
    talks = Negotiation()
    pledge = talks.pledge("ukraine", "convene_leaders")
    assert talks.stage is Stage.TALKS
    assert talks.pledges == (pledge,)
    assert pledge.blockers == talks.blockers("convene_leaders") == talks.pledges[0].blockers
    assert {b.rule for b in pledge.blockers} == {"leaders.after_humanitarian", "process.order"}
    assert str(pledge).startswith(
        "pledge 1: Ukraine will make convene_leaders as soon as it is possible; waiting for: "
    )
    assert talks.history[-1].trigger == "pledge"


def test_a_pledge_never_fires_while_suspended_and_fires_on_resume() -> None:
    """Suspended, every pledged move is blocked (``process.order``), even one whose rules are
    met in the stage the process was suspended from; resuming carries it out in the same call."""
    talks = Negotiation()
    talks.agree_exchange(ExchangeTerms(quota=1))
    talks.transfer(Tranche.even(1))
    talks.suspend("consultations in capitals")
    pledge = talks.pledge(Side.RUSSIA, "open_third_round")
    assert [b.rule for b in pledge.blockers] == ["process.order"]
    assert talks.pledges == (pledge,)
    with pytest.raises(TransitionNotAllowed):
        talks.raise_humanitarian_issue("missing persons")
    assert talks.stage is Stage.SUSPENDED
    resumed = talks.resume()
    assert resumed.dest is Stage.EXCHANGE
    assert [(e.trigger, e.pledge) for e in talks.history[-2:]] == [
        ("resume", None),
        ("open_third_round", pledge),
    ]
    assert talks.stage is Stage.THIRD_ROUND
    assert talks.pledges == ()


def test_pledges_are_dropped_in_order_when_the_process_ends_and_the_drops_recorded() -> None:
    talks = Negotiation()
    first = talks.pledge(Side.RUSSIA, "sign_settlement")
    second = talks.pledge(Side.UKRAINE, "open_third_round")
    talks.suspend("a delegation walked out")
    talks.collapse("ceasefire broken")
    assert talks.pledges == ()
    assert [(e.trigger, e.pledge, e.source, e.dest) for e in talks.history[-3:]] == [
        ("collapse", None, Stage.SUSPENDED, Stage.COLLAPSED),
        ("drop", first, Stage.COLLAPSED, Stage.COLLAPSED),
        ("drop", second, Stage.COLLAPSED, Stage.COLLAPSED),
    ]
    assert str(talks.history[-1]) == (
        "pledge 2 (Ukraine: open_third_round) dropped: the process ended in collapsed"
    )
    with pytest.raises(TransitionNotAllowed):
        talks.pledge(Side.RUSSIA, "sign_settlement")


# -- chains ----------------------------------------------------------------------------------


def test_one_pledged_move_lets_the_next_through_in_the_same_step() -> None:
    """The last transfer completes the exchange: the pledged third round opens, and that lets
    the pledged leaders' meeting through, all in the transfer's call."""
    talks = Negotiation()
    talks.agree_exchange(ExchangeTerms(quota=3))
    third = talks.pledge(Side.RUSSIA, "open_third_round", note="after a prisoner exchange")
    leaders = talks.pledge(Side.UKRAINE, "convene_leaders")
    talks.transfer(Tranche.even(2))
    assert talks.stage is Stage.EXCHANGE
    assert talks.pledges == (third, leaders)
    transfer = talks.transfer(Tranche.even(1))
    assert talks.history[-3] == transfer
    assert [(e.trigger, e.pledge, e.source, e.dest) for e in talks.history[-2:]] == [
        ("open_third_round", third, Stage.EXCHANGE, Stage.THIRD_ROUND),
        ("convene_leaders", leaders, Stage.THIRD_ROUND, Stage.LEADERS_MEETING),
    ]
    assert talks.stage is Stage.LEADERS_MEETING
    assert talks.pledges == ()


def test_a_chain_pledged_in_reverse_order_still_runs_to_the_settlement() -> None:
    """Pledged last-move-first, the moves still happen in the process's order, each as soon as
    the one before it lets it; the chain stops where a condition is unmet and goes on later."""
    talks = Negotiation()
    talks.suspend("so that nothing happens yet")
    pledges = [
        talks.pledge(side, trigger)
        for side, trigger in zip(
            [Side.RUSSIA, Side.UKRAINE, Side.RUSSIA, Side.UKRAINE],
            reversed(PLEDGEABLE),
            strict=True,
        )
    ]
    assert talks.pledges == tuple(pledges)
    talks.resume()
    assert talks.stage is Stage.EXCHANGE  # agreed by pledge 4; the exchange waits
    assert talks.history[-1].pledge == pledges[3]
    assert talks.pledges == tuple(pledges[:3])
    talks.transfer(Tranche.even(1000))
    assert [(e.trigger, e.pledge) for e in talks.history[-4:]] == [
        ("transfer", None),
        ("open_third_round", pledges[2]),
        ("convene_leaders", pledges[1]),
        ("sign_settlement", pledges[0]),
    ]
    assert talks.stage is Stage.SETTLEMENT


def test_the_earlier_pledge_goes_first_and_the_later_one_of_the_same_move_never_fires() -> None:
    """Two pledges of one move: the earlier is carried out; the move is then no longer possible,
    so the later one waits until the end and is dropped, never carried out."""
    talks = Negotiation()
    talks.agree_exchange(ExchangeTerms(quota=1))
    talks.raise_humanitarian_issue("missing persons")
    first = talks.pledge(Side.UKRAINE, "convene_leaders")
    second = talks.pledge(Side.RUSSIA, "convene_leaders")
    talks.transfer(Tranche.even(1))
    talks.open_third_round()
    talks.resolve_humanitarian_issue("missing persons")
    assert [(e.trigger, e.pledge) for e in talks.history[-2:]] == [
        ("resolve_humanitarian_issue", None),
        ("convene_leaders", first),
    ]
    assert talks.pledges == (second,)
    talks.sign_settlement()
    assert [(e.trigger, e.pledge) for e in talks.history[-2:]] == [
        ("sign_settlement", None),
        ("drop", second),
    ]


def test_a_pledge_made_when_possible_lets_earlier_pledges_through_after_it() -> None:
    talks = Negotiation()
    talks.agree_exchange(ExchangeTerms(quota=1))
    talks.transfer(Tranche.even(1))
    leaders = talks.pledge(Side.UKRAINE, "convene_leaders")
    third = talks.pledge(Side.RUSSIA, "open_third_round")
    assert [(e.trigger, e.pledge) for e in talks.history[-4:]] == [
        ("pledge", leaders),
        ("pledge", third),
        ("open_third_round", third),
        ("convene_leaders", leaders),
    ]


def test_a_chain_is_one_journal_line(tmp_path: Path) -> None:
    """A call and every move its pledges made by themselves share one journal line."""
    path = tmp_path / "talks.jsonl"
    with ng.open(path) as talks:
        talks.agree_exchange(ExchangeTerms(quota=1))
        talks.pledge(Side.RUSSIA, "open_third_round")
        talks.pledge(Side.UKRAINE, "convene_leaders")
        talks.pledge(Side.RUSSIA, "open_third_round")  # dropped at the end
        talks.declare_interest(Side.RUSSIA, "interests taken into account")
        talks.pledge(Side.UKRAINE, "sign_settlement")
        talks.transfer(Tranche.even(1))
        talks.acknowledge_interest(Side.UKRAINE, "interests taken into account")
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 1 + 8  # the header, then one line per call
    assert [e["trigger"] for e in lines[-2]["events"]] == [
        "transfer",
        "open_third_round",
        "convene_leaders",
    ]
    assert [e["trigger"] for e in lines[-1]["events"]] == [
        "acknowledge_interest",
        "sign_settlement",
        "drop",
    ]
    assert lines[-1]["events"][-1]["pledge"] == {
        "number": 3,
        "side": "russia",
        "trigger": "open_third_round",
    }


def test_a_torn_journal_line_takes_the_whole_call_with_it(tmp_path: Path) -> None:
    """A call and what its pledges did are one line, kept or lost whole: a line torn by a crash
    leaves the journal before the call, with its pledges waiting to fire again."""
    path = tmp_path / "talks.jsonl"
    with ng.open(path) as talks:
        talks.agree_exchange(ExchangeTerms(quota=1))
        talks.pledge(Side.RUSSIA, "open_third_round")
        talks.pledge(Side.UKRAINE, "convene_leaders")
        before = copy.copy(talks)
        talks.transfer(Tranche.even(1))
        assert talks.stage is Stage.LEADERS_MEETING
    written = path.read_bytes()
    path.write_bytes(written[: written.rstrip(b"\n").rfind(b"\n") + 40])
    with pytest.warns(RuntimeWarning, match="torn last line"):
        reopened = ng.open(path)
    with reopened:
        assert_same(reopened, before)
        reopened.transfer(Tranche.even(1))
        assert_same(reopened, talks)


# -- histories with pledges --------------------------------------------------------------------


@dataclass
class Driven:
    """A negotiation, and a copy of it after each call that recorded something."""

    talks: Negotiation
    steps: list[Negotiation]

    def before(self, k: int) -> Negotiation:
        """The negotiation after the last call that ended at or before event ``k``."""
        return max(
            (step for step in self.steps if len(step.history) <= k),
            key=lambda step: len(step.history),
        )


ACTIONS = ("move", "move", "move", "pledge", "pledge", "withdraw", "fill", "suspend")


@st.composite
def pledged_negotiations(draw: st.DrawFn, max_steps: int = 24) -> Driven:
    """A negotiation after up to ``max_steps`` calls: moves (valid, refused or out of order),
    pledges of any pledgeable move, withdrawals, and exchanges filled to the terms."""
    talks = Negotiation()
    steps = [copy.copy(talks)]
    for _ in range(draw(st.integers(0, max_steps), label="steps")):
        action = draw(st.sampled_from(ACTIONS))
        since = len(talks.history)
        with contextlib.suppress(NegotiationError):  # a refusal changes nothing
            if action == "pledge":
                trigger = draw(st.sampled_from(PLEDGEABLE))
                talks.pledge(draw(testing.sides()), trigger, note=draw(NOTES))
            elif action == "withdraw" and talks.pledges:
                talks.withdraw(draw(st.sampled_from(talks.pledges)))
            elif action == "fill" and talks.stage is Stage.EXCHANGE:
                talks.transfer(missing_tranche(talks))
            elif action == "suspend":
                if talks.stage is Stage.SUSPENDED:
                    talks.resume()
                else:
                    talks.suspend("talks stalled")
            else:
                allowed = [t for t in talks.allowed() if t not in {"suspend", "collapse"}]
                follow = allowed and draw(st.integers(0, 3)) > 0
                trigger = draw(st.sampled_from(allowed) if follow else testing.triggers())
                arguments = {p: draw(VALID[p]) for p in PARAMETERS[trigger]}
                talks.send(trigger, **arguments)
        if len(talks.history) != since:
            steps.append(copy.copy(talks))
    return Driven(talks, steps)


@contextlib.contextmanager
def scratch_folder() -> Iterator[Path]:
    """A fresh folder per Hypothesis example (function-scoped fixtures are shared between them)."""
    with tempfile.TemporaryDirectory() as folder:
        yield Path(folder)


def assert_restored_keeps_its_pledges(restored: Negotiation, talks: Negotiation) -> None:
    """``restored`` is ``talks``, and its waiting pledges are carried out or dropped exactly as
    those of ``talks`` when both go on with the same calls to the end. A pledge value handed
    out by one cannot be withdrawn from the other; each withdraws its own."""
    assert_same(restored, talks)
    if talks.pledges:
        with pytest.raises(InvalidValue, match="another negotiation"):
            restored.withdraw(talks.pledges[-1])
        assert_same(restored, talks)
    if len(talks.pledges) > 1:  # the earlier ones stay, to be seen firing
        restored.withdraw(restored.pledges[-1])
        talks.withdraw(talks.pledges[-1])
    carry_on_to_the_end(restored, talks)
    assert_same(restored, talks)


@given(pledged_negotiations())
def test_json_round_trip_keeps_waiting_pledges(driven: Driven) -> None:
    """from_json(to_json(n)) is n, waiting pledges and what blocks them included, in format 4;
    the restored pledges then fire exactly when the original's do."""
    talks = driven.talks
    data = talks.to_dict()
    assert data["format"] == 4
    restored = Negotiation.from_json(talks.to_json())
    assert_restored_keeps_its_pledges(restored, talks)


@given(pledged_negotiations())
def test_replaying_the_history_keeps_waiting_pledges(driven: Driven) -> None:
    """replay(n.history) is n, waiting pledges included; the replayed ones fire as n's do."""
    talks = driven.talks
    assert_restored_keeps_its_pledges(Negotiation.replay(talks.history), talks)


@journaled
@given(pledged_negotiations())
def test_save_then_load_keeps_waiting_pledges(driven: Driven) -> None:
    """load(save(n)) is n, waiting pledges included; the loaded ones fire as n's do."""
    talks = driven.talks
    with scratch_folder() as folder:
        path = folder / "talks.json"
        talks.save(path)
        assert_restored_keeps_its_pledges(Negotiation.load(path), talks)


@journaled
@given(pledged_negotiations())
def test_a_journal_reopens_with_its_waiting_pledges(driven: Driven) -> None:
    """Making n's calls one by one on a journaled negotiation writes one line per call;
    reopening the file gives n back, waiting pledges included, and they fire as n's do (and the
    journal keeps what they do)."""
    talks = driven.talks
    with scratch_folder() as folder:
        path = folder / "talks.jsonl"
        with ng.open(path) as journal:
            write_move_by_move(journal, talks.history)
            assert_same(journal, talks)
        lines = path.read_text(encoding="utf-8").splitlines()
        assert len(lines) == len(driven.steps)  # the header, then one line per call
        with ng.open(path) as reopened:
            assert_restored_keeps_its_pledges(reopened, talks)
        with ng.open(path) as again:
            assert_same(again, talks)


@given(pledged_negotiations())
def test_made_by_hand_at_those_moments_ends_the_same(driven: Driven) -> None:
    """Every pledged move happened right when the earliest waiting pledge's move became
    unblocked, and making those moves by hand at those moments, without pledges, ends in the
    same state."""
    assert_made_by_hand_ends_the_same(driven.talks)


@given(pledged_negotiations())
def test_at_k_counts_a_call_and_what_its_pledges_did_as_one_step(driven: Driven) -> None:
    """at(k) is the negotiation as it stood after the last call that ended at or before event
    k (waiting pledges included): if k falls among the moves a call's pledges made by
    themselves, it is the negotiation before that call. Negative k counts from the end."""
    talks = driven.talks
    history = talks.history
    for k in range(len(history) + 1):
        expected = driven.before(k)
        assert_same(talks.at(k), expected)
        if k < len(history):
            assert_same(talks.at(k - len(history)), expected)


def test_at_before_and_after_pledges_fired() -> None:
    """Among the moves a transfer's pledges made, at(k) is the negotiation before the transfer,
    with both pledges waiting; a history cut there is no negotiation that ever stood."""
    talks = Negotiation()
    talks.agree_exchange(ExchangeTerms(quota=3))  # history[0]
    third = talks.pledge(Side.RUSSIA, "open_third_round")  # history[1]
    talks.pledge(Side.UKRAINE, "convene_leaders")  # history[2]
    talks.transfer(Tranche.even(3))  # history[3], then the two pledged moves: 4 and 5
    assert len(talks.history) == 6
    before = talks.at(3)
    assert before.stage is Stage.EXCHANGE
    assert before.pledges == (*talks.at(2).pledges, Pledge(2, Side.UKRAINE, "convene_leaders"))
    assert [p.blockers for p in before.pledges] == [
        before.blockers("open_third_round"),
        before.blockers("convene_leaders"),
    ]
    for inside in (4, 5, -1, -2, -3):
        assert_same(talks.at(inside), before)
    assert_same(talks.at(6), talks)
    assert talks.at(6).pledges == ()
    assert talks.at(2).pledges == (third,)
    assert talks.at(1).pledges == ()
    # The negotiation never stood among them, so a history cut there is refused.
    with pytest.raises(InvalidValue, match=r"events\[4\]: missing: .*pledge 1"):
        Negotiation.replay(talks.history[:4])
    # A branch goes on with the pledges it had: the transfer lets them through again.
    before.transfer(Tranche.even(3))
    assert_same(before, talks)


def test_at_inside_a_pledge_carried_out_at_once_is_before_the_pledge() -> None:
    talks = Negotiation()
    talks.pledge(Side.RUSSIA, "agree_exchange")
    assert_same(talks.at(1), Negotiation())
    assert talks.at(1).pledges == ()
    assert_same(talks.at(2), talks)


# -- bad input ---------------------------------------------------------------------------------


INTEREST = "interests taken into account"


def waiting_story(talks: Negotiation) -> tuple[Pledge, Pledge, Pledge]:
    """In the exchange, 400 of 1000 handed over, with two pledges waiting; returns a pledge
    carried out at once, then the two waiting."""
    done = talks.pledge(Side.RUSSIA, "agree_exchange")
    talks.transfer(Tranche.even(400))
    talks.declare_interest(Side.RUSSIA, INTEREST)
    third = talks.pledge(Side.RUSSIA, "open_third_round", note="after a prisoner exchange")
    settle = talks.pledge(Side.UKRAINE, "sign_settlement")
    return done, third, settle


Story = tuple[Pledge, Pledge, Pledge]
Call = Callable[[Negotiation, Story], object]


def _pledge(side: Any, trigger: Any, **keywords: Any) -> Call:
    return lambda talks, story: talks.pledge(side, trigger, **keywords)


def _withdraw(choose: Callable[[Negotiation, Story], Any]) -> Call:
    return lambda talks, story: talks.withdraw(choose(talks, story))


#: Bad calls, each with the error it must raise and what its message must say.
BAD_CALLS: dict[str, tuple[Call, type[NegotiationError], str]] = {
    "an unknown trigger": (_pledge(Side.RUSSIA, "surrender"), UnknownTrigger, "'surrender'"),
    "a misspelt trigger": (
        _pledge(Side.RUSSIA, "open_third_rnd"),
        UnknownTrigger,
        "did you mean 'open_third_round'",
    ),
    "the name of a pledge event": (_pledge(Side.RUSSIA, "pledge"), UnknownTrigger, "'pledge'"),
    "a drop": (_pledge(Side.RUSSIA, "drop"), UnknownTrigger, "'drop'"),
    "a trigger that is no text": (_pledge(Side.RUSSIA, 3), InvalidType, "trigger"),
    "an unknown side": (_pledge("atlantis", "sign_settlement"), InvalidValue, "side"),
    "a side that is no side": (_pledge(None, "sign_settlement"), InvalidType, "side"),
    "a move with arguments": (
        _pledge("russia", "transfer"),
        InvalidValue,
        "^trigger: transfer cannot be pledged: it takes tranche",
    ),
    "a move with a reason": (_pledge(Side.UKRAINE, "collapse"), InvalidValue, "reason"),
    "resume": (_pledge(Side.UKRAINE, "resume"), InvalidValue, "^trigger: resume"),
    "a blank note": (_pledge(Side.RUSSIA, "sign_settlement", note=" "), InvalidValue, "note"),
    "a note that is no text": (
        _pledge(Side.RUSSIA, "sign_settlement", note=1),
        InvalidType,
        "note",
    ),
    "withdrawing a pledge carried out": (
        _withdraw(lambda talks, story: story[0]),
        InvalidValue,
        r"^pledge: pledge 1 .* is not waiting: it was carried out \(history\[1\]",
    ),
    "withdrawing a pledge never made": (
        _withdraw(lambda talks, story: Pledge(9, Side.RUSSIA, "convene_leaders")),
        InvalidValue,
        "^pledge: .*no such pledge was made",
    ),
    "withdrawing a pledge with another note": (
        _withdraw(lambda talks, story: Pledge(2, Side.RUSSIA, "open_third_round")),
        InvalidValue,
        "^pledge: pledge 2",
    ),
    "withdrawing a pledge of another negotiation": (
        _withdraw(lambda talks, story: Negotiation().pledge(Side.UKRAINE, "sign_settlement")),
        InvalidValue,
        "^pledge: .*another negotiation",
    ),
    "withdrawing an equal pledge of another negotiation": (
        _withdraw(lambda talks, story: Negotiation.replay(talks.history).pledges[0]),
        InvalidValue,
        "^pledge: pledge 2 was handed out by another negotiation",
    ),
    "withdrawing text": (_withdraw(lambda talks, story: "pledge 2"), InvalidType, "Pledge"),
    "withdrawing None": (_withdraw(lambda talks, story: None), InvalidType, "Pledge"),
    "withdrawing an event": (
        _withdraw(lambda talks, story: talks.history[-1]),
        InvalidType,
        "Pledge",
    ),
}


@contextlib.contextmanager
def nothing_changes(talks: Negotiation, path: Path) -> Iterator[None]:
    """Whatever happens inside, the negotiation, its waiting pledges and its journal file are
    as they were."""
    state, history, pledges, shown = talks.state, talks.history, talks.pledges, repr(talks)
    blockers = [p.blockers for p in pledges]
    written = path.read_bytes()
    yield
    assert talks.state == state
    assert talks.history == history
    assert talks.pledges == pledges
    assert [p.blockers for p in talks.pledges] == blockers
    assert repr(talks) == shown
    assert path.read_bytes() == written


@pytest.mark.parametrize("case", BAD_CALLS)
def test_bad_input_is_refused_clearly_and_changes_nothing(case: str, tmp_path: Path) -> None:
    """Each bad pledge or withdrawal raises the documented error, whose message names what is
    wrong; history, state, waiting pledges and the journal's bytes are unchanged, and the
    negotiation goes on as if it had not been made."""
    call, error, message = BAD_CALLS[case]
    path = tmp_path / "talks.jsonl"
    with ng.open(path) as talks:
        story = waiting_story(talks)
        with nothing_changes(talks, path), pytest.raises(error, match=message):
            call(talks, story)
        talks.withdraw(story[1])
        talks.transfer(Tranche.even(600))
        assert talks.stage is Stage.EXCHANGE  # the third round was withdrawn
    twin = Negotiation()
    waiting_story(twin)
    twin.withdraw(twin.pledges[0])
    twin.transfer(Tranche.even(600))
    with ng.open(path) as reopened:
        assert_same(reopened, twin)


def test_withdrawing_a_pledge_twice_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "talks.jsonl"
    with ng.open(path) as talks:
        _, third, _ = waiting_story(talks)
        withdrawn = talks.withdraw(third)
        assert (withdrawn.trigger, withdrawn.pledge) == ("withdraw", third)
        assert str(withdrawn) == "Russia withdrew pledge 2 (open_third_round) in exchange"
        with (
            nothing_changes(talks, path),
            pytest.raises(InvalidValue, match=r"^pledge: pledge 2 .* it was withdrawn \(history"),
        ):
            talks.withdraw(third)
        with nothing_changes(talks, path), pytest.raises(InvalidValue, match=r"^pledge"):
            talks.withdraw(Pledge(2, Side.RUSSIA, "open_third_round", note=third.note))


def test_a_dropped_pledge_cannot_be_withdrawn_nor_a_pledge_made_after_the_end(
    tmp_path: Path,
) -> None:
    path = tmp_path / "talks.jsonl"
    with ng.open(path) as talks:
        _, third, settle = waiting_story(talks)
        talks.collapse("ceasefire broken")
        for pledge in (third, settle):
            with nothing_changes(talks, path), pytest.raises(InvalidValue, match="dropped"):
                talks.withdraw(pledge)
        for trigger in PLEDGEABLE:
            with nothing_changes(talks, path), pytest.raises(TransitionNotAllowed):
                talks.pledge(Side.RUSSIA, trigger)


def test_no_pledge_is_made_on_a_closed_journal(tmp_path: Path) -> None:
    path = tmp_path / "talks.jsonl"
    talks = ng.open(path)
    _, third, _ = waiting_story(talks)
    talks.close()
    with nothing_changes(talks, path), pytest.raises(ng.JournalClosed):
        talks.pledge(Side.RUSSIA, "convene_leaders")
    with nothing_changes(talks, path), pytest.raises(ng.JournalClosed):
        talks.withdraw(third)


def test_a_withdrawn_pledge_never_fires_and_numbers_go_on() -> None:
    talks = Negotiation()
    talks.agree_exchange(ExchangeTerms(quota=1))
    first = talks.pledge(Side.RUSSIA, "open_third_round")
    talks.withdraw(first)
    talks.transfer(Tranche.even(1))
    assert talks.stage is Stage.EXCHANGE
    assert talks.pledges == ()
    again = talks.pledge(Side.RUSSIA, "open_third_round")
    assert again.number == 2
    assert talks.history[-1].pledge == again
    assert talks.stage is Stage.THIRD_ROUND


def test_repr_mentions_the_waiting_pledges() -> None:
    talks = Negotiation()
    assert "pledge" not in repr(talks)
    talks.pledge(Side.RUSSIA, "open_third_round")
    talks.pledge(Side.UKRAINE, "convene_leaders")
    assert "2 pledge(s) waiting: Russia open_third_round, Ukraine convene_leaders" in repr(talks)


# -- tampered histories ------------------------------------------------------------------------


def tampering_story() -> Negotiation:
    """Two pledges carried out in one chain, one withdrawn, two dropped at the end."""
    talks = Negotiation()
    talks.agree_exchange(ExchangeTerms(quota=2))  # 0
    talks.pledge(Side.RUSSIA, "open_third_round")  # 1: pledge 1
    talks.pledge(Side.UKRAINE, "convene_leaders")  # 2: pledge 2
    withdrawn = talks.pledge(Side.RUSSIA, "sign_settlement")  # 3: pledge 3
    talks.withdraw(withdrawn)  # 4
    talks.pledge(Side.UKRAINE, "open_third_round")  # 5: pledge 4, dropped at the end
    talks.pledge(Side.RUSSIA, "convene_leaders")  # 6: pledge 5, dropped at the end
    talks.transfer(Tranche.even(1))  # 7
    talks.transfer(Tranche.even(1))  # 8, then 9: open_third_round, 10: convene_leaders
    talks.collapse("a delegation walked out")  # 11, then 12, 13: drops
    assert [e.trigger for e in talks.history[9:]] == [
        "open_third_round",
        "convene_leaders",
        "collapse",
        "drop",
        "drop",
    ]
    return talks


def _moved(items: list[Any], source: int, target: int) -> list[Any]:
    moved = items.copy()
    moved.insert(target, moved.pop(source))
    return moved


Saved = dict[str, Any]


def _edited(index: int, change: Callable[[Saved], Saved]) -> Callable[[list[Saved]], list[Saved]]:
    return lambda e: [*e[:index], change(e[index]), *e[index + 1 :]]


def _pledged_by(pledge: Saved | None) -> Callable[[Saved], Saved]:
    def edit(event: Saved) -> Saved:
        edited = {key: value for key, value in event.items() if key != "pledge"}
        return edited if pledge is None else {**edited, "pledge": pledge}

    return edit


def _pledge_edited(**fields: object) -> Callable[[Saved], Saved]:
    return lambda event: {**event, "pledge": {**event["pledge"], **fields}}


RUSSIA_THIRD_ROUND = {"number": 1, "side": "russia", "trigger": "open_third_round"}
UKRAINE_THIRD_ROUND = {"number": 4, "side": "ukraine", "trigger": "open_third_round"}
PLEDGE_AFTER_THE_END = {
    "trigger": "pledge",
    "accepted": True,
    "source": "collapsed",
    "dest": "collapsed",
    "pledge": {"number": 6, "side": "russia", "trigger": "sign_settlement"},
}

#: Edits of tampering_story()'s saved events, each with the refusal it must meet: the event
#: named first, then what is wrong there.
TAMPERINGS: dict[str, tuple[Callable[[list[Saved]], list[Saved]], str]] = {
    "the history cut before the pledged moves": (
        lambda e: e[:9],
        r"^events\[9\]: missing: .*pledge 1 \(Russia: open_third_round\) to be carried out",
    ),
    "the history cut inside the chain": (
        lambda e: e[:10],
        r"^events\[10\]: missing: .*pledge 2 \(Ukraine: convene_leaders\) to be carried out",
    ),
    "a pledged move removed": (lambda e: e[:9] + e[10:], r"^events\[9\]\.source"),
    "a pledged move moved earlier": (
        lambda e: _moved(e, 9, 8),
        r"^events\[8\]\.pledge: pledge 1 cannot be carried out at this point",
    ),
    "a pledged move moved before its pledge": (lambda e: _moved(e, 9, 0), r"^events\[0\]"),
    "a pledged move moved later": (lambda e: _moved(e, 9, 10), r"^events\[9\]\.source"),
    "a pledged move duplicated": (lambda e: [*e[:10], e[9], *e[10:]], r"^events\[10\]"),
    "a pledged move duplicated at the end": (lambda e: [*e, e[9]], r"^events\[14\]"),
    "a pledged move not marked as pledged": (
        _edited(9, _pledged_by(None)),
        r"^events\[9\]: pledge 1 .* to be carried out comes first here",
    ),
    "a pledged move credited to a later pledge of the same move": (
        _edited(9, _pledged_by(UKRAINE_THIRD_ROUND)),
        r"^events\[9\]: pledge 1 .* to be carried out comes first here",
    ),
    "a pledged move credited to the other side": (
        _edited(9, _pledge_edited(side="ukraine")),
        r"^events\[9\]: pledge 1 .* comes first here",
    ),
    "a move of its own credited to a pledge": (
        _edited(8, _pledged_by({**RUSSIA_THIRD_ROUND, "trigger": "transfer"})),
        r"^events\[8\]\.pledge: pledge 1 cannot be carried out at this point",
    ),
    "a drop missing": (
        lambda e: e[:12] + e[13:],
        r"^events\[12\]: pledge 4 .* to be dropped comes first here",
    ),
    "the last drop missing": (
        lambda e: e[:-1],
        r"^events\[13\]: missing: .*pledge 5 \(Russia: convene_leaders\) to be dropped",
    ),
    "every drop missing": (lambda e: e[:-2], r"^events\[12\]: missing: .*pledge 4"),
    "the drops swapped": (
        lambda e: [*e[:12], e[13], e[12]],
        r"^events\[12\]: pledge 4 .* to be dropped comes first here",
    ),
    "a drop duplicated": (
        lambda e: [*e, e[-1]],
        r"^events\[14\]\.pledge: pledge 5 cannot be dropped at this point",
    ),
    "a drop of a pledge carried out": (
        _edited(12, _pledged_by(RUSSIA_THIRD_ROUND)),
        r"^events\[12\]: pledge 4 .* to be dropped comes first here",
    ),
    "a drop before the end": (lambda e: _moved(e, 12, 11), r"^events\[11\]"),
    "a pledge removed": (
        lambda e: e[:2] + e[3:],
        r"^events\[2\]\.pledge\.number: recorded 3, but this is pledge 2",
    ),
    "a pledge renumbered": (
        _edited(2, _pledge_edited(number=7)),
        r"^events\[2\]\.pledge\.number: recorded 7, but this is pledge 2",
    ),
    "a pledge of a move with arguments": (
        _edited(2, _pledge_edited(trigger="transfer")),
        r"^events\[2\]\.pledge\.trigger: transfer cannot be pledged",
    ),
    "a pledge made after the end": (
        lambda e: [*e, PLEDGE_AFTER_THE_END],
        r"^events\[14\]: a pledge made after the process ended",
    ),
    "a withdrawal removed": (
        lambda e: e[:4] + e[5:],
        r"^events\[10\]: pledge 3 \(Russia: sign_settlement\) to be carried out comes first",
    ),
    "a withdrawal duplicated": (
        lambda e: [*e[:5], e[4], *e[5:]],
        r"^events\[5\]\.pledge: pledge 3 is not waiting at this point",
    ),
    "a withdrawal of a pledge never made": (
        _edited(4, _pledge_edited(number=8)),
        r"^events\[4\]\.pledge: pledge 8 is not waiting at this point",
    ),
}


@pytest.mark.parametrize("tampering", TAMPERINGS)
def test_a_tampered_history_is_refused_naming_the_event(tampering: str) -> None:
    """A history whose pledged moves, drops, pledges or withdrawals were removed, moved,
    duplicated, reordered or credited to another pledge is refused, by replay as by from_dict
    and from_json, with InvalidValue naming the first event that does not fit (or the end,
    where something is missing) — never restored as some other negotiation."""
    talks = tampering_story()
    change, refusal = TAMPERINGS[tampering]
    events = [ng.Event.from_dict(data) for data in change([e.to_dict() for e in talks.history])]
    with pytest.raises(InvalidValue, match=refusal):
        Negotiation.replay(events)
    data = talks.to_dict()
    data["events"] = change(data["events"])
    with pytest.raises(InvalidValue, match=refusal):
        Negotiation.from_dict(data)
    with pytest.raises(InvalidValue, match=refusal):
        Negotiation.from_json(json.dumps(data))


def test_the_story_tampered_with_is_itself_sound() -> None:
    """The story the tamperings start from restores (so each refusal is the edit's)."""
    talks = tampering_story()
    assert_same(Negotiation.replay(talks.history), talks)
    assert_same(Negotiation.from_dict(talks.to_dict()), talks)
    events = [ng.Event.from_dict(e.to_dict()) for e in talks.history]
    assert_same(Negotiation.replay(events), talks)
    assert_made_by_hand_ends_the_same(talks)


def test_a_version_2_file_holding_pledges_is_refused() -> None:
    """Pledges came with format 3: a file that calls itself format 2 and holds pledge events is
    malformed (docs/schema/negotiation-v2.schema.json refuses it too) and is refused naming the
    event."""
    data = tampering_story().to_dict()
    data["format"] = 2
    with pytest.raises(InvalidValue, match=r"^events\[1\]"):
        Negotiation.from_dict(data)


# -- copies of a pledge --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "duplicate",
    [
        pytest.param(copy.copy, id="copy"),
        pytest.param(copy.deepcopy, id="deepcopy"),
    ],
)
def test_a_copy_of_a_pledge_withdraws_where_it_was_handed_out(
    duplicate: Callable[[Pledge], Pledge],
) -> None:
    """A pledge is an immutable value: a copy of one (equal to it) is withdrawn from the
    negotiation that handed it out, like the original."""
    talks = Negotiation()
    pledge = talks.pledge(Side.RUSSIA, "open_third_round")
    copied = duplicate(pledge)
    assert copied == pledge
    talks.withdraw(copied)
    assert talks.pledges == ()
    assert talks.history[-1].pledge == pledge
