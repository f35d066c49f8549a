"""Random sequences of triggers, derived from the definition, checked by invariants and a model.

One rule calls any trigger of ``PROCESS`` with arguments drawn by the move's
``parameters`` (now and then a bad one); a few targeted rules make progress
likely. After every step the invariants below are checked, and the
negotiation is compared with a small reference model written here from the
design's table of stages and rules, independently of the engine.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

import negotiations as ng
from negotiations import Side, Stage, testing

PARAMETERS: dict[str, tuple[str, ...]] = {
    move.trigger: move.parameters for move in ng.PROCESS.moves
}

NAMES = ("prisoners of war", "missing persons", "security guarantees")


@st.composite
def named_tranches(draw: st.DrawFn) -> ng.Tranche:
    """A tranche of named people, n for n, ids from a small pool so that some repeat later."""
    size = draw(st.integers(1, 3))
    people = []
    for side in Side:
        ids = draw(st.lists(st.integers(0, 8), min_size=size, max_size=size, unique=True))
        people.extend(
            ng.Prisoner(
                f"{side.value}-{number}",
                side,
                draw(st.none() | st.integers(15, 40)),
                seriously_ill=draw(st.booleans()),
                civilian=draw(st.booleans()),
            )
            for number in ids
        )
    # Built with lenient terms so that a mix or another age limit reaches transfer(),
    # which must then refuse it against the terms actually agreed.
    lenient = ng.ExchangeTerms(civilians_separate=False, age_limit=draw(st.sampled_from([25, 30])))
    return ng.Tranche.from_prisoners(people, lenient)


VALID: dict[str, st.SearchStrategy[Any]] = {
    "terms": st.none() | testing.exchange_terms(max_quota=12, max_held=4),
    "tranche": testing.tranches(max_size=12) | named_tranches(),
    "side": testing.sides() | st.sampled_from([side.value for side in Side]),
    "name": st.sampled_from(NAMES),
    "reason": st.sampled_from(testing.REASONS),
}

_BAD_TEXT = st.tuples(st.sampled_from(["", "   ", "\n"]), st.just(ng.InvalidValue)) | st.tuples(
    st.sampled_from([None, 7, b"bytes"]), st.just(ng.InvalidType)
)

#: A bad value for each parameter, with the error it must raise.
INVALID: dict[str, st.SearchStrategy[tuple[object, type[ng.NegotiationError]]]] = {
    "terms": st.tuples(st.sampled_from(["istanbul", 1000, {"quota": 3}]), st.just(ng.InvalidType)),
    "tranche": st.tuples(
        st.sampled_from([None, 5, "5 for 5", {"released": {"russia": 1, "ukraine": 1}}]),
        st.just(ng.InvalidType),
    ),
    "side": st.tuples(st.sampled_from(["atlantis", "russian"]), st.just(ng.InvalidValue))
    | st.tuples(st.sampled_from([None, 1, 0.5]), st.just(ng.InvalidType)),
    "name": _BAD_TEXT,
    "reason": _BAD_TEXT,
}


# -- the reference model -------------------------------------------------------------------

ACTIVE = (Stage.TALKS, Stage.EXCHANGE, Stage.THIRD_ROUND, Stage.LEADERS_MEETING)
FORWARD = {
    ("agree_exchange", Stage.TALKS): Stage.EXCHANGE,
    ("open_third_round", Stage.EXCHANGE): Stage.THIRD_ROUND,
    ("convene_leaders", Stage.THIRD_ROUND): Stage.LEADERS_MEETING,
    ("sign_settlement", Stage.LEADERS_MEETING): Stage.SETTLEMENT,
}
BOOKKEEPING = (
    "raise_humanitarian_issue",
    "resolve_humanitarian_issue",
    "declare_interest",
    "acknowledge_interest",
)
PAST_THE_EXCHANGE = (Stage.THIRD_ROUND, Stage.LEADERS_MEETING, Stage.SETTLEMENT)
#: The stages in which an exchange is agreed: a further one can be agreed, the one under
#: way amended, and (past the exchange stage, while one is under way) handed over.
AGREED = (Stage.EXCHANGE, Stage.THIRD_ROUND, Stage.LEADERS_MEETING)
#: The moves that stay in a stage where an exchange is agreed.
AGREEMENT = ("agree_exchange", "transfer", "amend_terms")


@dataclass
class Outcome:
    """What a call must do: raise ``error`` (with ``rules`` when blocked), or be accepted."""

    error: type[ng.NegotiationError] | None = None
    rules: frozenset[str] = frozenset()


@dataclass
class Model:
    """The process as DESIGN.md states it: a stage, counts, issues and interests in plain dicts."""

    stage: Stage = Stage.TALKS
    suspended_from: Stage | None = None
    agreements: list[ng.ExchangeTerms] = field(default_factory=list)
    released: dict[Side, int] = field(default_factory=lambda: dict.fromkeys(Side, 0))
    ill: dict[Side, int] = field(default_factory=lambda: dict.fromkeys(Side, 0))
    young: dict[Side, int] = field(default_factory=lambda: dict.fromkeys(Side, 0))
    ids: set[str] = field(default_factory=set)
    issues: list[str] = field(default_factory=list)
    interests: dict[tuple[Side, str], bool] = field(default_factory=dict)

    @property
    def terms(self) -> ng.ExchangeTerms | None:
        """What the agreements add up to: quotas and holdings summed, the latest's age limit
        and civilians rule (the strategies here draw one quota for both sides)."""
        if not self.agreements:
            return None
        latest = self.agreements[-1]
        return ng.ExchangeTerms(
            quota=sum(terms.quota_for(Side.RUSSIA) for terms in self.agreements),
            age_limit=latest.age_limit,
            civilians_separate=latest.civilians_separate,
            seriously_ill_held={
                side: sum(t.seriously_ill_held[side] for t in self.agreements) for side in Side
            },
            young_held={side: sum(t.young_held[side] for t in self.agreements) for side in Side},
        )

    def assert_matches(self, negotiation: ng.Negotiation) -> None:
        """The negotiation's stage, terms, agreements, counts, exchange, issues and interests
        are the model's."""
        assert negotiation.stage is self.stage
        assert negotiation.suspended_from is self.suspended_from
        assert negotiation.terms == self.terms
        assert negotiation.agreements == tuple(self.agreements)
        assert negotiation.ledger.released == self.released
        assert negotiation.ledger.seriously_ill == self.ill
        assert negotiation.ledger.young == self.young
        assert negotiation.ledger.prisoner_ids == self.ids
        assert negotiation.humanitarian_issues == tuple(self.issues)
        assert {(i.side, i.name): i.acknowledged for i in negotiation.interests} == self.interests
        assert negotiation.exchange_complete == self.exchange_complete()

    def destination(self, trigger: str) -> Stage | None:
        """Where ``trigger`` leads from here, or ``None`` when it is not a move from here."""
        stage = self.stage
        staying = {**dict.fromkeys(BOOKKEEPING, ACTIVE), **dict.fromkeys(AGREEMENT, AGREED)}
        if trigger in staying and (trigger != "agree_exchange" or stage in AGREED):
            return stage if stage in staying[trigger] else None
        if trigger == "suspend":
            return Stage.SUSPENDED if stage in ACTIVE else None
        if trigger == "resume":
            return self.suspended_from if stage is Stage.SUSPENDED else None
        if trigger == "collapse":
            return Stage.COLLAPSED if stage in (*ACTIVE, Stage.SUSPENDED) else None
        return FORWARD.get((trigger, stage))

    def shortfalls(self) -> set[str]:
        """The exchange rules not met yet (by every agreement so far, added up)."""
        terms = self.terms
        if terms is None:
            return {"exchange.quota"}
        missing = set()
        for side in Side:
            if self.released[side] < terms.quota_for(side):
                missing.add("exchange.quota")
            if self.ill[side] < terms.seriously_ill_held[side]:
                missing.add("exchange.seriously_ill")
            if self.young[side] < terms.young_held[side]:
                missing.add("exchange.young")
        return missing

    def exchange_complete(self) -> bool:
        """Whether terms are agreed and every one of them is met."""
        return self.terms is not None and not self.shortfalls()

    def unmet(self, trigger: str) -> frozenset[str]:
        """The guard rules of ``trigger`` that fail now, plus ``process.order`` when it is no
        move from here."""
        unmet: set[str] = set()
        missing = self.shortfalls()
        under_way = self.terms is not None and bool(missing)
        # amend_terms is guarded from every stage it is made from (so its guard is reported
        # from elsewhere too); transfer only past the exchange stage.
        if trigger == "amend_terms" and not under_way:
            unmet.add("exchange.under_way")
        past = self.stage in (Stage.THIRD_ROUND, Stage.LEADERS_MEETING)
        if trigger == "transfer" and past and not under_way:
            unmet.add("exchange.under_way")
        if trigger == "open_third_round" and missing:
            unmet |= {"talks.third_round_after_exchange", *missing}
        if trigger == "convene_leaders" and (
            missing or self.issues or self.stage is not Stage.THIRD_ROUND
        ):
            unmet.add("leaders.after_humanitarian")
        if trigger == "sign_settlement" and not all(self.interests.values()):
            unmet.add("settlement.interests")
        if self.destination(trigger) is None:
            unmet.add("process.order")
        return frozenset(unmet)

    def owner(self, side: Side, name: str) -> tuple[Side, str] | None:
        """The interest ``side`` acknowledges: the other side's, else its own of that name."""
        for key in ((side.other, name), (side, name)):
            if key in self.interests:
                return key
        return None

    def fits(self, trigger: str, arguments: Mapping[str, Any]) -> bool:
        """Whether the arguments fit the state (checked before the guard)."""
        if trigger == "transfer":
            return self._fits_transfer(arguments["tranche"])
        if trigger == "amend_terms":  # an amendment that changes nothing is refused
            return (arguments["terms"] or ng.ISTANBUL_TERMS) != self.agreements[-1]
        return self._fits_bookkeeping(trigger, arguments)

    def _fits_bookkeeping(self, trigger: str, arguments: Mapping[str, Any]) -> bool:
        name = arguments.get("name")
        if trigger == "raise_humanitarian_issue":
            return name not in self.issues
        if trigger == "resolve_humanitarian_issue":
            return name in self.issues
        if trigger == "declare_interest":
            return (Side(arguments["side"]), name) not in self.interests
        if trigger == "acknowledge_interest":
            owner = self.owner(Side(arguments["side"]), name)
            return owner is not None and not self.interests[owner]
        return True

    def _fits_transfer(self, tranche: ng.Tranche) -> bool:
        terms = self.terms
        assert terms is not None
        people = tranche.prisoners
        if not people:
            return True
        mixed = not tranche.civilians and any(person.civilian for person in people)
        young = {
            side: sum(
                1
                for p in people
                if p.held_by is side and p.age is not None and p.age < terms.age_limit
            )
            for side in Side
        }
        return (
            not (mixed and terms.civilians_separate)
            and not any(person.id in self.ids for person in people)
            and young == dict(tranche.young)
        )

    def expect(self, trigger: str, arguments: Mapping[str, Any]) -> Outcome:
        """What calling ``trigger`` with valid ``arguments`` must do."""
        if self.destination(trigger) is None:
            return Outcome(ng.TransitionNotAllowed)
        if not self.fits(trigger, arguments):
            return Outcome(ng.InvalidValue)
        unmet = self.unmet(trigger)
        if unmet:
            return Outcome(ng.TransitionBlocked, unmet)
        return Outcome()

    def apply(self, trigger: str, arguments: Mapping[str, Any]) -> None:
        """Make the accepted move (``agree_exchange`` without terms agrees the article's)."""
        dest = self.destination(trigger)
        assert dest is not None
        if trigger == "agree_exchange":
            self.agreements.append(arguments.get("terms") or ng.ISTANBUL_TERMS)
        elif trigger == "amend_terms":
            self.agreements[-1] = arguments.get("terms") or ng.ISTANBUL_TERMS
        elif trigger == "transfer":
            tranche = arguments["tranche"]
            for side in Side:
                self.released[side] += tranche.released[side]
                self.ill[side] += tranche.seriously_ill[side]
                self.young[side] += tranche.young[side]
            self.ids |= {person.id for person in tranche.prisoners}
        elif trigger == "suspend":
            self.suspended_from = self.stage
        elif trigger in ("resume", "collapse"):
            self.suspended_from = None
        elif trigger == "raise_humanitarian_issue":
            self.issues.append(arguments["name"])
        elif trigger == "resolve_humanitarian_issue":
            self.issues.remove(arguments["name"])
        elif trigger == "declare_interest":
            self.interests[Side(arguments["side"]), arguments["name"]] = False
        elif trigger == "acknowledge_interest":
            owner = self.owner(Side(arguments["side"]), arguments["name"])
            assert owner is not None
            self.interests[owner] = True
        self.stage = dest


def forward_moves(stage: Stage) -> list[str]:
    """The triggers that lead from ``stage`` to another stage, other than suspend and collapse."""
    return [
        move.trigger
        for move in ng.PROCESS.moves
        if stage in move.sources
        and (move.returns or move.dest not in (None, Stage.SUSPENDED, Stage.COLLAPSED))
    ]


# -- the machine ---------------------------------------------------------------------------


class NegotiationMachine(RuleBasedStateMachine):
    """A negotiation driven by random triggers, beside the reference model."""

    def __init__(self) -> None:
        super().__init__()
        self.negotiation = ng.Negotiation()
        self.model = Model()

    def call(
        self,
        trigger: str,
        arguments: dict[str, Any],
        bad: type[ng.NegotiationError] | None = None,
    ) -> None:
        """Call ``trigger``; accept exactly the outcome the model predicts.

        A refused call changes nothing: a guard refusal adds exactly one
        refused event (with the error's blockers) and nothing else; any other
        refusal leaves state and history exactly as they were.
        """
        negotiation = self.negotiation
        state, history = negotiation.state, negotiation.history
        expected = Outcome(bad) if bad is not None else self.model.expect(trigger, arguments)
        refusal: ng.NegotiationError | None = None
        try:
            event = getattr(negotiation, trigger)(**arguments)
        except ng.NegotiationError as error:
            refusal = error
        if refusal is None:
            assert expected.error is None, (expected, event)
            assert negotiation.history == (*history, event)
            assert event.accepted
            assert event.trigger == trigger
            assert (event.source, event.dest) == (state.stage, negotiation.stage)
            self.model.apply(trigger, arguments)
            return
        assert type(refusal) is expected.error, (expected, refusal)
        assert negotiation.state == state
        if isinstance(refusal, ng.TransitionBlocked):
            assert {blocker.rule for blocker in refusal.blockers} == expected.rules
            assert (refusal.trigger, refusal.stage) == (trigger, state.stage)
            assert negotiation.history[:-1] == history
            refused = negotiation.history[-1]
            assert (refused.trigger, refused.accepted) == (trigger, False)
            assert refused.source == refused.dest == state.stage
            assert refused.blockers == refusal.blockers
            return
        assert negotiation.history == history
        if isinstance(refusal, ng.TransitionNotAllowed):
            assert refusal.allowed == negotiation.allowed()
        else:  # a bad value: the message names the field
            assert any(parameter in str(refusal) for parameter in PARAMETERS[trigger])

    # -- the rule derived from the definition ------------------------------------------

    @rule(trigger=testing.triggers(), data=st.data())
    def attempt_any_trigger(self, trigger: str, data: st.DataObject) -> None:
        """Any trigger of the process, with arguments drawn by its parameters, one in ten bad."""
        arguments: dict[str, Any] = {}
        bad: type[ng.NegotiationError] | None = None
        for parameter in PARAMETERS[trigger]:
            if data.draw(st.integers(0, 9), label=f"{parameter} is bad") == 9:
                arguments[parameter], error = data.draw(INVALID[parameter], label=parameter)
                bad = bad or error  # arguments are checked in parameter order
            else:
                arguments[parameter] = data.draw(VALID[parameter], label=parameter)
        self.call(trigger, arguments, bad)

    # -- rules that make progress likely -----------------------------------------------

    @precondition(lambda self: self.negotiation.stage is Stage.TALKS)
    @rule(terms=testing.exchange_terms(max_quota=12, max_held=4))
    def agree_small_exchange(self, terms: ng.ExchangeTerms) -> None:
        """Small terms, so the exchange can complete within a few tranches."""
        self.call("agree_exchange", {"terms": terms})

    @precondition(lambda self: self.negotiation.stage is Stage.EXCHANGE)
    @rule(tranche=testing.tranches(max_size=40, civilians=st.just(False)))
    def transfer_large_tranche(self, tranche: ng.Tranche) -> None:
        """A large tranche: small quotas are reached at once."""
        self.call("transfer", {"tranche": tranche})

    @precondition(lambda self: self.negotiation.stage in AGREED)
    @rule(terms=testing.exchange_terms(max_quota=12, max_held=4))
    def agree_a_further_exchange(self, terms: ng.ExchangeTerms) -> None:
        """A further exchange, whose numbers add to those agreed before."""
        self.call("agree_exchange", {"terms": terms})

    @precondition(lambda self: self.negotiation.stage in AGREED)
    @rule(terms=testing.exchange_terms(max_quota=12, max_held=4))
    def amend_the_terms(self, terms: ng.ExchangeTerms) -> None:
        """New terms for the exchange under way (refused once it is complete)."""
        self.call("amend_terms", {"terms": terms})

    @precondition(
        lambda self: self.negotiation.stage in AGREED and not self.negotiation.exchange_complete
    )
    @rule()
    def hand_over_what_is_missing(self) -> None:
        """Exactly what the terms still lack, priority prisoners included."""
        model = self.model
        terms = model.terms
        assert terms is not None
        missing = {
            name: {side: max(0, need[side] - done[side]) for side in Side}
            for name, need, done in (
                ("released", {side: terms.quota_for(side) for side in Side}, model.released),
                ("seriously_ill", terms.seriously_ill_held, model.ill),
                ("young", terms.young_held, model.young),
            )
        }
        size = max(1, *(count for counts in missing.values() for count in counts.values()))
        tranche = ng.Tranche(
            released=dict.fromkeys(Side, size),
            seriously_ill=missing["seriously_ill"],
            young=missing["young"],
        )
        self.call("transfer", {"tranche": tranche})

    @precondition(
        lambda self: self.negotiation.stage in ACTIVE and self.negotiation.humanitarian_issues
    )
    @rule(data=st.data())
    def resolve_raised_issue(self, data: st.DataObject) -> None:
        """Resolve an issue that is open."""
        name = data.draw(st.sampled_from(self.negotiation.humanitarian_issues))
        self.call("resolve_humanitarian_issue", {"name": name})

    @precondition(
        lambda self: self.negotiation.stage in ACTIVE and self.negotiation.state.pending_interests()
    )
    @rule(data=st.data())
    def acknowledge_declared_interest(self, data: st.DataObject) -> None:
        """The other side acknowledges an interest that is pending."""
        interest = data.draw(st.sampled_from(self.negotiation.state.pending_interests()))
        self.call("acknowledge_interest", {"side": interest.side.other, "name": interest.name})

    @precondition(lambda self: forward_moves(self.negotiation.stage))
    @rule(data=st.data())
    def try_to_move_on(self, data: st.DataObject) -> None:
        """A move that leaves the stage for another (not suspend or collapse), ready or not."""
        trigger = data.draw(st.sampled_from(forward_moves(self.negotiation.stage)))
        arguments = {parameter: data.draw(VALID[parameter]) for parameter in PARAMETERS[trigger]}
        self.call(trigger, arguments)

    @precondition(lambda self: self.negotiation.stage in ACTIVE)
    @rule(
        trigger=st.sampled_from(["raise_humanitarian_issue", "declare_interest"]),
        side=testing.sides(),
        name=st.sampled_from(NAMES),
    )
    def make_a_demand(self, trigger: str, side: Side, name: str) -> None:
        """Raise an issue or declare an interest, which later moves must wait for."""
        arguments = (
            {"side": side, "name": name} if trigger == "declare_interest" else {"name": name}
        )
        self.call(trigger, arguments)

    @precondition(lambda self: self.negotiation.finished)
    @rule()
    def begin_again(self) -> None:
        """After a final stage (checked by the invariants), go on with a fresh negotiation."""
        self.negotiation = ng.Negotiation()
        self.model = Model()

    # -- invariants --------------------------------------------------------------------

    @invariant()
    def never_past_the_exchange_with_it_incomplete(self) -> None:
        """The third round and leaders' meetings are never entered while any exchange agreed
        so far is incomplete; past the exchange stage (or suspended from there), the exchange
        is incomplete only after a further exchange was agreed since the third round
        opened."""
        negotiation = self.negotiation
        history = negotiation.history
        opened = None
        for at, event in enumerate(history):
            if event.accepted and event.trigger in ("open_third_round", "convene_leaders"):
                assert negotiation.at(at + 1).exchange_complete, event
                opened = at if opened is None else opened
        where = negotiation.suspended_from or negotiation.stage
        if where in PAST_THE_EXCHANGE and not negotiation.exchange_complete:
            assert opened is not None
            assert any(
                event.accepted and event.trigger == "agree_exchange" for event in history[opened:]
            )

    @invariant()
    def released_totals_are_equal(self) -> None:
        """Both sides have always released the same number of people; while civilians go
        separately under every terms agreed or amended so far, the same number of civilians
        too (a mixed tranche, allowed only by terms that do not separate civilians, may carry
        different numbers of civilians each way)."""
        ledger = self.negotiation.ledger
        agreed = [
            event.arguments["terms"]
            for event in self.negotiation.history
            if event.accepted and event.trigger in ("agree_exchange", "amend_terms")
        ]
        assert ledger.released[Side.RUSSIA] == ledger.released[Side.UKRAINE]
        if all(terms.civilians_separate for terms in agreed):
            assert ledger.civilians[Side.RUSSIA] == ledger.civilians[Side.UKRAINE]

    @invariant()
    def allowed_names_exactly_the_unblocked_triggers(self) -> None:
        """A trigger is in allowed() if and only if nothing blocks it."""
        negotiation = self.negotiation
        allowed = set(negotiation.allowed())
        for trigger in ng.PROCESS.triggers:
            assert (trigger in allowed) == (negotiation.blockers(trigger) == ())

    @invariant()
    def history_is_consistent(self) -> None:
        """Accepted events chain (each starts where the previous accepted one ended, the first
        in talks, the last ends in the current stage); a refused event was made from the stage
        of the moment, stayed there and says why."""
        stage = ng.PROCESS.initial
        for event in self.negotiation.history:
            assert event.source == stage, event
            if event.accepted:
                assert event.blockers == ()
                stage = event.dest
            else:
                assert event.dest == event.source
                assert event.blockers
        assert stage == self.negotiation.stage

    @invariant()
    def history_replays_to_an_equal_negotiation(self) -> None:
        """Replaying the history makes an equal negotiation."""
        assert ng.Negotiation.replay(self.negotiation.history) == self.negotiation

    @invariant()
    def saved_and_restored_is_equal(self) -> None:
        """from_json(to_json()) restores an equal negotiation, same history."""
        restored = ng.Negotiation.from_json(self.negotiation.to_json())
        assert restored == self.negotiation
        assert restored.history == self.negotiation.history

    @invariant()
    def a_final_stage_allows_nothing(self) -> None:
        """In a final stage nothing is allowed and every trigger is refused as out of order."""
        negotiation = self.negotiation
        if negotiation.stage in ng.PROCESS.finals:
            assert negotiation.finished
            assert negotiation.allowed() == ()
            for trigger in ng.PROCESS.triggers:
                assert negotiation.blockers(trigger)[-1].rule == "process.order"

    @invariant()
    def matches_the_reference_model(self) -> None:
        """Stage, counts, issues, interests and every trigger's blockers agree with the model."""
        negotiation, model = self.negotiation, self.model
        model.assert_matches(negotiation)
        for trigger in ng.PROCESS.triggers:
            blockers = negotiation.blockers(trigger)
            assert {blocker.rule for blocker in blockers} == model.unmet(trigger), trigger
        assert set(negotiation.allowed()) == {
            trigger for trigger in ng.PROCESS.triggers if not model.unmet(trigger)
        }


TestNegotiation = NegotiationMachine.TestCase


def test_every_trigger_takes_the_same_parameters_from_every_stage() -> None:
    """The derived rule draws arguments by trigger, so a trigger's parameters must not vary."""
    for move in ng.PROCESS.moves:
        assert PARAMETERS[move.trigger] == move.parameters


def test_every_parameter_has_valid_and_invalid_values() -> None:
    """A new parameter in the definition must be given strategies here before it is tested."""
    used = {parameter for parameters in PARAMETERS.values() for parameter in parameters}
    assert used <= VALID.keys()
    assert used <= INVALID.keys()


@given(testing.negotiations())
def test_negotiations_users_generate_keep_the_invariants(negotiation: ng.Negotiation) -> None:
    """Any negotiation the public strategy builds keeps the machine's invariants (the model
    aside): the exchange is complete past it, totals are equal, the history chains, and
    replaying or restoring it gives an equal negotiation."""
    machine = NegotiationMachine()
    machine.negotiation = negotiation
    machine.never_past_the_exchange_with_it_incomplete()
    machine.released_totals_are_equal()
    machine.allowed_names_exactly_the_unblocked_triggers()
    machine.history_is_consistent()
    machine.history_replays_to_an_equal_negotiation()
    machine.saved_and_restored_is_equal()
    machine.a_final_stage_allows_nothing()
