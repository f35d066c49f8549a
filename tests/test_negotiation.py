"""A Negotiation, move by move: what each trigger does, what each refusal leaves, what is saved."""

from __future__ import annotations

import ast
import contextlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import negotiations as ng
from negotiations import (
    ISTANBUL_TERMS,
    Event,
    ExchangeTerms,
    Interest,
    InvalidType,
    InvalidValue,
    Negotiation,
    Prisoner,
    Side,
    Stage,
    Tranche,
    TransitionBlocked,
    TransitionNotAllowed,
)

RUSSIA, UKRAINE = Side.RUSSIA, Side.UKRAINE
ACTIVE = (Stage.TALKS, Stage.EXCHANGE, Stage.THIRD_ROUND, Stage.LEADERS_MEETING)


def wrong(value: object) -> Any:
    """``value``, hidden from the type checker: these tests pass wrong types on purpose."""
    return value


INTERNAL = (
    "raise_humanitarian_issue",
    "resolve_humanitarian_issue",
    "declare_interest",
    "acknowledge_interest",
)

#: Arguments each trigger is tried with: valid on their own, whatever the stage.
SAMPLE_ARGUMENTS: dict[str, tuple[Any, ...]] = {
    "agree_exchange": (),
    "transfer": (Tranche.even(1),),
    "amend_terms": (ExchangeTerms(quota=5),),
    "open_third_round": (),
    "convene_leaders": (),
    "sign_settlement": (),
    "raise_humanitarian_issue": ("missing persons",),
    "resolve_humanitarian_issue": ("missing persons",),
    "declare_interest": (RUSSIA, "security guarantees"),
    "acknowledge_interest": (UKRAINE, "security guarantees"),
    "suspend": ("consultations in capitals",),
    "resume": (),
    "collapse": ("the delegations walked out",),
}


def call(talks: Negotiation, trigger: str) -> Event:
    """Make ``trigger`` with its sample arguments."""
    method: Callable[..., Event] = getattr(talks, trigger)
    return method(*SAMPLE_ARGUMENTS[trigger])


_FORWARD: tuple[Callable[[Negotiation], object], ...] = (
    lambda talks: talks.agree_exchange(),
    lambda talks: (talks.transfer(Tranche.even(1000)), talks.open_third_round()),
    lambda talks: talks.convene_leaders(),
    lambda talks: talks.sign_settlement(),
)
_ORDER = (Stage.TALKS, Stage.EXCHANGE, Stage.THIRD_ROUND, Stage.LEADERS_MEETING, Stage.SETTLEMENT)


def reach(stage: Stage, *, suspended_from: Stage = Stage.EXCHANGE) -> Negotiation:
    """A negotiation brought to ``stage`` by accepted moves on the article's terms."""
    if stage is Stage.SUSPENDED:
        talks = reach(suspended_from)
        talks.suspend("consultations in capitals")
    elif stage is Stage.COLLAPSED:
        talks = Negotiation()
        talks.collapse("the delegations walked out")
    else:
        talks = Negotiation()
        for step in _FORWARD[: _ORDER.index(stage)]:
            step(talks)
    assert talks.stage is stage
    return talks


def _exchange_complete() -> Negotiation:
    talks = reach(Stage.EXCHANGE)
    talks.transfer(Tranche.even(1000))
    return talks


def _third_round_with_open_issue() -> Negotiation:
    talks = reach(Stage.THIRD_ROUND)
    talks.raise_humanitarian_issue("missing persons")
    return talks


def _leaders_with_pending_interest() -> Negotiation:
    talks = reach(Stage.LEADERS_MEETING)
    talks.declare_interest(RUSSIA, "security guarantees")
    return talks


def _collapsed_while_suspended() -> Negotiation:
    talks = reach(Stage.SUSPENDED, suspended_from=Stage.THIRD_ROUND)
    talks.collapse("the delegations walked out")
    return talks


def _suspended_from(origin: Stage) -> Callable[[], Negotiation]:
    return lambda: reach(Stage.SUSPENDED, suspended_from=origin)


#: Every kind of situation a negotiation can be in, by name.
SITUATIONS: dict[str, Callable[[], Negotiation]] = {
    "talks": Negotiation,
    "exchange": lambda: reach(Stage.EXCHANGE),
    "exchange-complete": _exchange_complete,
    "third_round": lambda: reach(Stage.THIRD_ROUND),
    "third_round-open-issue": _third_round_with_open_issue,
    "leaders_meeting": lambda: reach(Stage.LEADERS_MEETING),
    "leaders_meeting-pending-interest": _leaders_with_pending_interest,
    "settlement": lambda: reach(Stage.SETTLEMENT),
    **{f"suspended-from-{origin.value}": _suspended_from(origin) for origin in ACTIVE},
    "collapsed": lambda: reach(Stage.COLLAPSED),
    "collapsed-while-suspended": _collapsed_while_suspended,
}


def snapshot(talks: Negotiation) -> dict[str, object]:
    """Everything a caller can see of a negotiation."""
    return {
        "stage": talks.stage,
        "ledger": talks.ledger,
        "state": talks.state,
        "history": talks.history,
        "terms": talks.terms,
        "issues": talks.humanitarian_issues,
        "interests": talks.interests,
        "suspended_from": talks.suspended_from,
        "allowed": talks.allowed(),
        "saved": talks.to_json(),
    }


def but_the_record(seen: dict[str, object]) -> dict[str, object]:
    """A snapshot without the history and the saved text that contains it."""
    return {name: value for name, value in seen.items() if name not in {"history", "saved"}}


def kursk_tranche(terms: ExchangeTerms = ISTANBUL_TERMS) -> Tranche:
    """Line 1 of the article: two civilians from Kursk Oblast, for two civilians."""
    people = [
        Prisoner("K-1", UKRAINE, age=61, civilian=True, origin="Kursk Oblast"),
        Prisoner("K-2", UKRAINE, age=58, civilian=True, origin="Kursk Oblast"),
        Prisoner("U-1", RUSSIA, age=22, civilian=True),
        Prisoner("U-2", RUSSIA, age=40, civilian=True),
    ]
    return Tranche.from_prisoners(people, terms)


def test_the_sample_arguments_cover_every_trigger_of_the_process() -> None:
    assert set(SAMPLE_ARGUMENTS) == set(ng.PROCESS.triggers)


# -- the documented example ----------------------------------------------------------------


def test_the_design_example_works_as_documented() -> None:
    talks = ng.Negotiation()  # starts in ng.Stage.TALKS
    started_in = talks.stage
    assert started_in is ng.Stage.TALKS
    talks.agree_exchange()  # ISTANBUL_TERMS unless terms are given
    assert talks.terms == ng.ISTANBUL_TERMS
    talks.transfer(ng.Tranche.even(2, civilians=True))  # 2 for 2, civilians
    talks.transfer(ng.Tranche.even(390))  # 390 for 390
    blockers = talks.blockers("open_third_round")
    assert isinstance(blockers, tuple)
    assert blockers
    assert all(isinstance(blocker, ng.Blocker) for blocker in blockers)
    with pytest.raises(ng.TransitionBlocked) as refused:
        talks.open_third_round()
    assert refused.value.blockers == blockers
    assert talks.stage == ng.Stage.EXCHANGE  # unchanged by a refused move
    assert isinstance(talks.history, tuple)
    assert all(isinstance(event, ng.Event) for event in talks.history)
    assert talks.history[-1].accepted is False
    restored = ng.Negotiation.from_json(talks.to_json())  # equal negotiation, same history
    assert restored == talks
    assert restored.history == talks.history


def test_a_new_negotiation_is_in_talks_with_nothing_agreed() -> None:
    talks = Negotiation()
    assert talks.stage is Stage.TALKS
    assert talks.terms is None
    assert talks.ledger == ng.Ledger()
    assert talks.history == ()
    assert talks.humanitarian_issues == ()
    assert talks.interests == ()
    assert talks.suspended_from is None
    assert not talks.finished
    assert not talks.exchange_complete


# -- accepted moves ------------------------------------------------------------------------

ACCEPTED_MOVES = [
    ("talks", "agree_exchange", Stage.EXCHANGE),
    ("exchange", "transfer", Stage.EXCHANGE),
    ("exchange-complete", "open_third_round", Stage.THIRD_ROUND),
    ("third_round", "convene_leaders", Stage.LEADERS_MEETING),
    ("leaders_meeting", "sign_settlement", Stage.SETTLEMENT),
    *[(stage.value, "suspend", Stage.SUSPENDED) for stage in ACTIVE],
    *[(stage.value, "collapse", Stage.COLLAPSED) for stage in ACTIVE],
    *[(stage.value, trigger, stage) for stage in ACTIVE for trigger in INTERNAL[::2]],
    *[(f"suspended-from-{stage.value}", "resume", stage) for stage in ACTIVE],
    ("suspended-from-exchange", "collapse", Stage.COLLAPSED),
]


@pytest.mark.parametrize(("situation", "trigger", "dest"), ACCEPTED_MOVES)
def test_each_accepted_move_leads_to_its_stage_and_is_recorded(
    situation: str, trigger: str, dest: Stage
) -> None:
    talks = SITUATIONS[situation]()
    source = talks.stage
    event = call(talks, trigger)
    assert talks.stage is dest
    assert (event.trigger, event.accepted, event.source, event.dest) == (
        trigger,
        True,
        source,
        dest,
    )
    assert event.blockers == ()
    assert talks.history[-1] == event


def test_agree_exchange_takes_the_given_terms() -> None:
    terms = ExchangeTerms(quota=500, age_limit=18, young_held={UKRAINE: 12})
    talks = Negotiation()
    event = talks.agree_exchange(terms)
    assert talks.terms == terms
    assert event.arguments == {"terms": terms}


def test_agree_exchange_without_terms_records_the_istanbul_terms() -> None:
    event = Negotiation().agree_exchange()
    assert event.arguments == {"terms": ISTANBUL_TERMS}


def test_transfer_adds_each_handover_to_the_ledger() -> None:
    talks = reach(Stage.EXCHANGE)
    talks.transfer(kursk_tranche())
    talks.transfer(Tranche.even(390, seriously_ill=12, young=30))
    ledger = talks.ledger
    assert ledger.released == {RUSSIA: 392, UKRAINE: 392}
    assert ledger.civilians == {RUSSIA: 2, UKRAINE: 2}
    assert ledger.seriously_ill == {RUSSIA: 12, UKRAINE: 12}
    assert ledger.young == {RUSSIA: 31, UKRAINE: 30}
    assert ledger.tranches == 2
    assert ledger.prisoner_ids == {"K-1", "K-2", "U-1", "U-2"}


def test_the_process_is_finished_only_in_settlement_or_collapse() -> None:
    for name, make in SITUATIONS.items():
        talks = make()
        assert talks.finished is (talks.stage in {Stage.SETTLEMENT, Stage.COLLAPSED}), name


# -- refusals: blocked, not allowed --------------------------------------------------------


def test_a_blocked_move_raises_with_trigger_stage_and_every_blocker() -> None:
    talks = reach(Stage.EXCHANGE)
    talks.transfer(Tranche.even(392))
    expected = talks.blockers("open_third_round")
    with pytest.raises(TransitionBlocked) as refused:
        talks.open_third_round()
    error = refused.value
    assert error.trigger == "open_third_round"
    assert error.stage is Stage.EXCHANGE
    assert error.blockers == expected
    assert len(expected) == 2


def test_a_blocked_move_explains_itself_listing_every_reason() -> None:
    talks = reach(Stage.EXCHANGE)
    talks.transfer(Tranche.even(392))
    with pytest.raises(TransitionBlocked) as refused:
        talks.open_third_round()
    text = str(refused.value)
    assert "open_third_round" in text
    assert "exchange" in text
    for blocker in refused.value.blockers:
        assert blocker.message in text
        assert blocker.rule in text
    assert "392 of 1000 released by Russia" in text


@pytest.mark.parametrize("situation", ["settlement", "collapsed", "collapsed-while-suspended"])
@pytest.mark.parametrize("trigger", SAMPLE_ARGUMENTS)
def test_nothing_is_allowed_after_the_process_has_ended(situation: str, trigger: str) -> None:
    talks = SITUATIONS[situation]()
    with pytest.raises(TransitionNotAllowed, match="ended") as refused:
        call(talks, trigger)
    assert refused.value.trigger == trigger
    assert refused.value.stage is talks.stage


@pytest.mark.parametrize(
    ("situation", "trigger"),
    [
        ("talks", "transfer"),
        ("talks", "open_third_round"),
        ("talks", "resume"),
        ("talks", "amend_terms"),
        ("exchange", "convene_leaders"),
        ("exchange-complete", "sign_settlement"),
        ("third_round", "open_third_round"),
        ("third_round", "sign_settlement"),
        ("leaders_meeting", "convene_leaders"),
        ("suspended-from-exchange", "suspend"),
        ("suspended-from-exchange", "transfer"),
        ("suspended-from-exchange", "agree_exchange"),
        ("suspended-from-exchange", "amend_terms"),
        ("suspended-from-third_round", "convene_leaders"),
    ],
)
def test_a_move_from_the_wrong_stage_is_not_allowed_and_says_what_is(
    situation: str, trigger: str
) -> None:
    talks = SITUATIONS[situation]()
    with pytest.raises(TransitionNotAllowed) as refused:
        call(talks, trigger)
    error = refused.value
    assert (error.trigger, error.stage) == (trigger, talks.stage)
    assert trigger in str(error)
    assert talks.stage.value in str(error)
    for possible in talks.allowed():
        assert possible in str(error)


def test_not_allowed_is_not_a_blocked_move() -> None:
    """Catching TransitionBlocked must not swallow a move that does not exist."""
    assert not issubclass(TransitionNotAllowed, TransitionBlocked)
    assert not issubclass(TransitionBlocked, TransitionNotAllowed)


# -- suspend, resume, collapse -------------------------------------------------------------


@pytest.mark.parametrize("stage", ACTIVE)
def test_resume_returns_to_the_exact_stage_suspended_from(stage: Stage) -> None:
    talks = reach(stage)
    talks.raise_humanitarian_issue("missing persons")
    before = talks.state
    talks.suspend("consultations in capitals")
    assert talks.stage is Stage.SUSPENDED
    assert talks.suspended_from is stage
    event = talks.resume()
    assert (event.source, event.dest) == (Stage.SUSPENDED, stage)
    assert talks.stage is stage
    assert talks.suspended_from is None
    assert talks.state == before


def test_a_suspended_process_cannot_be_suspended_again() -> None:
    talks = reach(Stage.SUSPENDED)
    with pytest.raises(TransitionNotAllowed):
        talks.suspend("still consulting")
    assert talks.suspended_from is Stage.EXCHANGE


def test_a_suspended_process_can_collapse_and_then_never_resume() -> None:
    talks = reach(Stage.SUSPENDED, suspended_from=Stage.THIRD_ROUND)
    talks.collapse("the delegations walked out")
    assert talks.stage is Stage.COLLAPSED
    assert talks.suspended_from is None
    with pytest.raises(TransitionNotAllowed):
        talks.resume()


def test_suspend_and_collapse_need_a_reason() -> None:
    talks = Negotiation()
    with pytest.raises(InvalidValue, match="reason"):
        talks.suspend("  ")
    with pytest.raises(InvalidType, match="reason"):
        talks.collapse(wrong(None))
    assert talks.stage is Stage.TALKS


# -- humanitarian issues and core interests ------------------------------------------------


def test_raised_issues_stay_open_until_resolved_in_the_order_raised() -> None:
    talks = Negotiation()
    talks.raise_humanitarian_issue("missing persons")
    talks.raise_humanitarian_issue("bodies of the fallen")
    assert list(talks.humanitarian_issues) == ["missing persons", "bodies of the fallen"]
    talks.resolve_humanitarian_issue("missing persons")
    assert list(talks.humanitarian_issues) == ["bodies of the fallen"]


def test_raising_an_open_issue_twice_is_refused_naming_it() -> None:
    talks = Negotiation()
    talks.raise_humanitarian_issue("missing persons")
    with pytest.raises(InvalidValue, match=r"name: .*'missing persons'.*already open"):
        talks.raise_humanitarian_issue("missing persons")


def test_a_resolved_issue_can_be_raised_again() -> None:
    talks = Negotiation()
    talks.raise_humanitarian_issue("missing persons")
    talks.resolve_humanitarian_issue("missing persons")
    talks.raise_humanitarian_issue("missing persons")
    assert talks.humanitarian_issues == ("missing persons",)


def test_resolving_an_issue_never_raised_is_refused_naming_it() -> None:
    talks = Negotiation()
    talks.raise_humanitarian_issue("missing persons")
    with pytest.raises(InvalidValue, match=r"name: .*'detained journalists'"):
        talks.resolve_humanitarian_issue("detained journalists")


def test_issue_names_must_be_text() -> None:
    talks = Negotiation()
    with pytest.raises(InvalidValue, match="name"):
        talks.raise_humanitarian_issue("")
    with pytest.raises(InvalidType, match="name"):
        talks.raise_humanitarian_issue(wrong(7))


def test_a_declared_interest_waits_for_the_other_side() -> None:
    talks = Negotiation()
    talks.declare_interest("russia", "security guarantees")
    assert talks.interests == (Interest(RUSSIA, "security guarantees"),)
    talks.acknowledge_interest(UKRAINE, "security guarantees")
    assert talks.interests == (Interest(RUSSIA, "security guarantees", acknowledged=True),)


def test_naming_the_declaring_side_when_acknowledging_is_also_accepted() -> None:
    talks = Negotiation()
    talks.declare_interest(RUSSIA, "security guarantees")
    talks.acknowledge_interest(RUSSIA, "security guarantees")
    assert talks.interests == (Interest(RUSSIA, "security guarantees", acknowledged=True),)


def test_acknowledging_a_name_both_sides_declared_acknowledges_the_other_sides() -> None:
    talks = Negotiation()
    talks.declare_interest(RUSSIA, "ceasefire")
    talks.declare_interest(UKRAINE, "ceasefire")
    talks.acknowledge_interest(RUSSIA, "ceasefire")
    assert talks.interests == (
        Interest(RUSSIA, "ceasefire"),
        Interest(UKRAINE, "ceasefire", acknowledged=True),
    )


def test_declaring_the_same_interest_twice_is_refused_naming_it() -> None:
    talks = Negotiation()
    talks.declare_interest(RUSSIA, "security guarantees")
    with pytest.raises(InvalidValue, match=r"name: Russia .*already declared.*security guarantees"):
        talks.declare_interest(RUSSIA, "security guarantees")


def test_each_side_may_declare_an_interest_of_the_same_name() -> None:
    talks = Negotiation()
    talks.declare_interest(RUSSIA, "ceasefire")
    talks.declare_interest(UKRAINE, "ceasefire")
    assert len(talks.interests) == 2


def test_acknowledging_an_interest_nobody_declared_is_refused_naming_it() -> None:
    talks = Negotiation()
    talks.declare_interest(RUSSIA, "security guarantees")
    with pytest.raises(InvalidValue, match=r"name: .*'neutrality'"):
        talks.acknowledge_interest(UKRAINE, "neutrality")


def test_acknowledging_an_interest_twice_is_refused_naming_it() -> None:
    talks = Negotiation()
    talks.declare_interest(RUSSIA, "security guarantees")
    talks.acknowledge_interest(UKRAINE, "security guarantees")
    with pytest.raises(InvalidValue, match=r"name: .*'security guarantees'.*already"):
        talks.acknowledge_interest(UKRAINE, "security guarantees")


@pytest.mark.parametrize("trigger", ["declare_interest", "acknowledge_interest"])
def test_interests_refuse_an_unknown_side_naming_the_field(trigger: str) -> None:
    talks = Negotiation()
    method = getattr(talks, trigger)
    with pytest.raises(InvalidValue, match="side: unknown side 'belarus'"):
        method("belarus", "security guarantees")
    with pytest.raises(InvalidType, match="side"):
        method(1, "security guarantees")


def _suspended_with_business() -> Negotiation:
    talks = Negotiation()
    talks.raise_humanitarian_issue("missing persons")
    talks.declare_interest(RUSSIA, "security guarantees")
    talks.suspend("consultations in capitals")
    return talks


def _collapsed_with_business() -> Negotiation:
    talks = _suspended_with_business()
    talks.collapse("the delegations walked out")
    return talks


@pytest.mark.parametrize(
    "make",
    [_suspended_with_business, _collapsed_with_business, lambda: reach(Stage.SETTLEMENT)],
    ids=["suspended", "collapsed", "settlement"],
)
@pytest.mark.parametrize("trigger", INTERNAL)
def test_issues_and_interests_are_not_moves_outside_the_active_stages(
    make: Callable[[], Negotiation], trigger: str
) -> None:
    talks = make()
    before = snapshot(talks)
    with pytest.raises(TransitionNotAllowed):
        call(talks, trigger)
    assert snapshot(talks) == before


# -- a refusal leaves the negotiation exactly as it was ------------------------------------


def _busy_exchange() -> Negotiation:
    talks = Negotiation()
    talks.raise_humanitarian_issue("missing persons")
    talks.declare_interest(UKRAINE, "territorial integrity")
    talks.agree_exchange()
    talks.transfer(kursk_tranche())
    talks.transfer(Tranche.even(390))
    return talks


def test_a_guard_refusal_records_one_refused_event_and_changes_nothing_else() -> None:
    talks = _busy_exchange()
    before = snapshot(talks)
    history = talks.history
    with pytest.raises(TransitionBlocked) as refused:
        talks.open_third_round()
    assert talks.history[:-1] == history
    refusal = talks.history[-1]
    assert refusal == Event(
        "open_third_round",
        False,
        Stage.EXCHANGE,
        Stage.EXCHANGE,
        blockers=refused.value.blockers,
    )
    assert but_the_record(snapshot(talks)) == but_the_record(before)


REFUSALS: dict[str, tuple[Callable[[Negotiation], object], type[Exception]]] = {
    "not-allowed": (lambda talks: talks.convene_leaders(), TransitionNotAllowed),
    "not-allowed-settlement": (
        lambda talks: talks.sign_settlement(),
        TransitionNotAllowed,
    ),
    "amendment-changing-nothing": (
        lambda talks: talks.amend_terms(ISTANBUL_TERMS),
        InvalidValue,
    ),
    "bad-value-blank-reason": (lambda talks: talks.suspend(" "), InvalidValue),
    "bad-value-unknown-issue": (
        lambda talks: talks.resolve_humanitarian_issue("detained journalists"),
        InvalidValue,
    ),
    "bad-value-issue-twice": (
        lambda talks: talks.raise_humanitarian_issue("missing persons"),
        InvalidValue,
    ),
    "bad-value-interest-twice": (
        lambda talks: talks.declare_interest(UKRAINE, "territorial integrity"),
        InvalidValue,
    ),
    "bad-value-unknown-side": (
        lambda talks: talks.declare_interest("poland", "x"),
        InvalidValue,
    ),
    "bad-type-tranche": (lambda talks: talks.transfer(wrong(5)), InvalidType),
    "bad-type-tranche-dict": (
        lambda talks: talks.transfer(wrong({"russia": 5, "ukraine": 5})),
        InvalidType,
    ),
    "bad-type-reason": (lambda talks: talks.collapse(wrong(3)), InvalidType),
    "duplicate-prisoner": (lambda talks: talks.transfer(kursk_tranche()), InvalidValue),
    "mixed-civilians-and-soldiers": (
        lambda talks: talks.transfer(
            Tranche(
                released={RUSSIA: 1, UKRAINE: 1},
                prisoners=[Prisoner("S-1", RUSSIA), Prisoner("C-1", UKRAINE, civilian=True)],
            )
        ),
        InvalidValue,
    ),
    "young-counted-under-other-terms": (
        lambda talks: talks.transfer(
            Tranche.from_prisoners(
                [Prisoner("Y-1", RUSSIA, age=20), Prisoner("Y-2", UKRAINE, age=20)],
                ExchangeTerms(age_limit=18),
            )
        ),
        InvalidValue,
    ),
}


@pytest.mark.parametrize("kind", REFUSALS)
def test_any_other_refusal_changes_nothing_at_all(kind: str) -> None:
    make_move, error = REFUSALS[kind]
    talks = _busy_exchange()
    before = snapshot(talks)
    with pytest.raises(error):
        make_move(talks)
    assert snapshot(talks) == before


def test_a_prisoner_already_released_is_refused_naming_them() -> None:
    talks = _busy_exchange()
    with pytest.raises(InvalidValue, match="tranche: already released: K-1, K-2, U-1, U-2"):
        talks.transfer(kursk_tranche())


def test_a_refused_move_can_be_made_once_its_conditions_are_met() -> None:
    talks = _busy_exchange()
    with pytest.raises(TransitionBlocked):
        talks.open_third_round()
    talks.transfer(Tranche.even(608))
    talks.open_third_round()
    assert talks.stage is Stage.THIRD_ROUND


# -- allowed() -----------------------------------------------------------------------------


@pytest.mark.parametrize("situation", SITUATIONS)
def test_allowed_names_exactly_the_triggers_without_blockers(situation: str) -> None:
    talks = SITUATIONS[situation]()
    allowed = talks.allowed()
    for trigger in ng.PROCESS.triggers:
        assert (trigger in allowed) is (talks.blockers(trigger) == ()), trigger


@pytest.mark.parametrize(
    ("situation", "allowed", "refused"),
    [
        ("talks", {"agree_exchange", "suspend", "collapse"}, {"transfer", "resume"}),
        ("exchange", {"transfer", "agree_exchange", "amend_terms"}, {"open_third_round"}),
        (
            "exchange-complete",
            {"transfer", "open_third_round", "agree_exchange"},
            {"convene_leaders", "amend_terms"},
        ),
        ("third_round", {"convene_leaders", "agree_exchange"}, {"transfer", "sign_settlement"}),
        ("third_round-open-issue", {"resolve_humanitarian_issue"}, {"convene_leaders"}),
        ("leaders_meeting", {"sign_settlement"}, {"convene_leaders"}),
        ("leaders_meeting-pending-interest", {"acknowledge_interest"}, {"sign_settlement"}),
        ("suspended-from-exchange", {"resume", "collapse"}, {"suspend", *INTERNAL}),
    ],
)
def test_allowed_moves_in_each_situation(
    situation: str, allowed: set[str], refused: set[str]
) -> None:
    now = set(SITUATIONS[situation]().allowed())
    assert allowed <= now
    assert not refused & now


@pytest.mark.parametrize("situation", ["settlement", "collapsed"])
def test_nothing_is_allowed_once_the_process_has_ended(situation: str) -> None:
    assert SITUATIONS[situation]().allowed() == ()


def test_allowed_moves_are_listed_in_process_order() -> None:
    allowed = reach(Stage.EXCHANGE).allowed()
    assert list(allowed) == [t for t in ng.PROCESS.triggers if t in allowed]


# -- history -------------------------------------------------------------------------------


def test_history_records_accepted_and_guard_refused_moves_in_order() -> None:
    talks = Negotiation()
    talks.agree_exchange(ExchangeTerms(quota=2))
    tranche = Tranche.even(1)
    talks.transfer(tranche)
    with pytest.raises(TransitionBlocked) as refused:
        talks.open_third_round()
    with pytest.raises(TransitionNotAllowed):
        talks.convene_leaders()
    with pytest.raises(InvalidType):
        talks.transfer(wrong(1))
    talks.declare_interest("russia", "security guarantees")
    talks.suspend("consultations in capitals")
    talks.resume()
    rows = [(e.trigger, e.accepted, e.source, e.dest) for e in talks.history]
    assert rows == [
        ("agree_exchange", True, Stage.TALKS, Stage.EXCHANGE),
        ("transfer", True, Stage.EXCHANGE, Stage.EXCHANGE),
        ("open_third_round", False, Stage.EXCHANGE, Stage.EXCHANGE),
        ("declare_interest", True, Stage.EXCHANGE, Stage.EXCHANGE),
        ("suspend", True, Stage.EXCHANGE, Stage.SUSPENDED),
        ("resume", True, Stage.SUSPENDED, Stage.EXCHANGE),
    ]
    agree, transfer, refusal, declare, suspend, resume = talks.history
    assert agree.arguments == {"terms": ExchangeTerms(quota=2)}
    assert transfer.arguments == {"tranche": tranche}
    assert refusal.arguments == {}
    assert refusal.blockers == refused.value.blockers
    assert declare.arguments == {"side": RUSSIA, "name": "security guarantees"}
    assert declare.arguments["side"] is RUSSIA, "a side given by name is recorded as a Side"
    assert suspend.arguments == {"reason": "consultations in capitals"}
    assert resume.arguments == {}
    assert all(event.blockers == () for event in talks.history if event.accepted)


def test_history_cannot_be_changed_through_what_it_returns() -> None:
    talks = reach(Stage.EXCHANGE)
    history = talks.history
    assert isinstance(history, tuple)
    with pytest.raises(TypeError):
        history[0].arguments["terms"] = None  # type: ignore[index]  # the point: it must refuse
    assert talks.history == history


def test_each_move_returns_the_event_it_records() -> None:
    talks = Negotiation()
    event = talks.raise_humanitarian_issue("missing persons")
    assert talks.history == (event,)
    assert str(event) == "raise_humanitarian_issue(name='missing persons') in talks"


# -- printing ------------------------------------------------------------------------------


def test_repr_shows_stage_exchange_progress_per_side_and_allowed_moves() -> None:
    talks = reach(Stage.EXCHANGE)
    talks.transfer(Tranche.even(2, civilians=True))
    talks.transfer(Tranche.even(390))
    text = repr(talks)
    assert "exchange" in text
    assert "Russia 392/1000" in text
    assert "Ukraine 392/1000" in text
    for trigger in talks.allowed():
        assert trigger in text


def test_repr_shows_a_move_once_it_becomes_allowed() -> None:
    talks = _exchange_complete()
    assert "open_third_round" in repr(talks)
    assert "1000/1000" in repr(talks)


def test_repr_of_new_talks_names_the_stage() -> None:
    assert "talks" in repr(Negotiation())


def test_repr_shows_where_a_suspended_process_would_resume() -> None:
    assert "third_round" in repr(reach(Stage.SUSPENDED, suspended_from=Stage.THIRD_ROUND))


# -- the transitions library stays inside ---------------------------------------------------


@pytest.mark.parametrize("situation", SITUATIONS)
def test_no_trigger_from_any_situation_leaks_a_foreign_error(situation: str) -> None:
    """Every outcome is a returned Event or a NegotiationError; transitions.MachineError never."""
    for trigger in SAMPLE_ARGUMENTS:
        talks = SITUATIONS[situation]()
        with contextlib.suppress(ng.NegotiationError):  # anything else fails the test
            call(talks, trigger)


def test_only_the_machine_module_imports_transitions() -> None:
    package = Path(ng.__file__).parent
    importers = set()
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            else:
                continue
            if any(name == "transitions" or name.startswith("transitions.") for name in names):
                importers.add(path.relative_to(package).as_posix())
    assert importers == {"_machine.py"}


def test_a_negotiation_has_no_machine_generated_methods() -> None:
    """No ``to_<stage>`` shortcut that bypasses every guard, no ``may_`` or ``trigger``."""
    names = set(dir(Negotiation()))
    assert {name for name in names if name.startswith("to_")} == {"to_dict", "to_json"}
    assert not {name for name in names if name.startswith("may_")}
    assert "trigger" not in names
    assert "state" in names  # the frozen State, not a machine attribute


# -- independence --------------------------------------------------------------------------


def test_negotiations_never_share_state() -> None:
    many = [Negotiation() for _ in range(200)]
    first = many[0]
    first.agree_exchange()
    first.transfer(Tranche.even(1000))
    first.raise_humanitarian_issue("missing persons")
    first.open_third_round()
    for other in many[1:]:
        assert other.stage is Stage.TALKS
        assert other.history == ()
        assert other.ledger == ng.Ledger()
        assert other.humanitarian_issues == ()
    assert len(first.history) == 4


def test_each_suspended_negotiation_resumes_to_its_own_stage() -> None:
    pairs = [(reach(Stage.SUSPENDED, suspended_from=stage), stage) for stage in ACTIVE]
    for talks, stage in reversed(pairs):
        talks.resume()
        assert talks.stage is stage


def test_a_restored_negotiation_goes_its_own_way() -> None:
    talks = reach(Stage.EXCHANGE)
    copy = Negotiation.from_json(talks.to_json())
    copy.transfer(Tranche.even(5))
    assert talks.ledger == ng.Ledger()
    assert copy != talks


def test_negotiations_are_equal_only_with_the_same_history() -> None:
    one, two = Negotiation(), Negotiation()
    assert one == two
    one.suspend("elections")
    one.resume()
    assert one.stage == two.stage
    assert one != two


# -- saving and restoring ------------------------------------------------------------------


def eventful() -> Negotiation:
    """A negotiation with every kind of event: refusals, named prisoners, issues, interests."""
    terms = ExchangeTerms(quota=4, seriously_ill_held={RUSSIA: 1}, young_held={UKRAINE: 1})
    talks = Negotiation()
    talks.declare_interest("russia", "security guarantees")  # 0
    talks.raise_humanitarian_issue("missing persons")  # 1
    talks.agree_exchange(terms)  # 2
    talks.transfer(kursk_tranche(terms))  # 3
    with pytest.raises(TransitionBlocked):
        talks.open_third_round()  # 4
    talks.suspend("consultations in capitals")  # 5
    talks.resume()  # 6
    talks.transfer(
        Tranche(released={RUSSIA: 2, UKRAINE: 2}, seriously_ill={RUSSIA: 1}, young={UKRAINE: 1})
    )  # 7
    talks.open_third_round()  # 8
    with pytest.raises(TransitionBlocked):
        talks.convene_leaders()  # 9
    talks.resolve_humanitarian_issue("missing persons")  # 10
    talks.convene_leaders()  # 11
    with pytest.raises(TransitionBlocked):
        talks.sign_settlement()  # 12
    talks.acknowledge_interest("ukraine", "security guarantees")  # 13
    return talks


def test_to_json_and_from_json_restore_an_equal_negotiation_with_the_same_history() -> None:
    talks = eventful()
    restored = Negotiation.from_json(talks.to_json())
    assert restored == talks
    assert restored.history == talks.history
    assert restored.state == talks.state
    assert restored.to_json() == talks.to_json()
    restored.sign_settlement()
    assert restored.stage is Stage.SETTLEMENT
    assert talks.stage is Stage.LEADERS_MEETING


@pytest.mark.parametrize("situation", SITUATIONS)
def test_every_situation_survives_a_round_trip(situation: str) -> None:
    talks = SITUATIONS[situation]()
    restored = Negotiation.from_json(talks.to_json(indent=2))
    assert restored == talks
    assert restored.history == talks.history
    assert restored.allowed() == talks.allowed()


def test_from_json_accepts_bytes() -> None:
    talks = eventful()
    assert Negotiation.from_json(talks.to_json().encode("utf-8")) == talks


def test_the_saved_form_is_plain_json_with_a_format_version() -> None:
    data = json.loads(reach(Stage.EXCHANGE).to_json())
    assert data["format"] == ng.FORMAT
    assert data["stage"] == "exchange"
    assert [event["trigger"] for event in data["events"]] == ["agree_exchange"]


def _saved() -> dict[str, Any]:
    return json.loads(eventful().to_json())  # type: ignore[no-any-return]  # a JSON object


def _tamper(change: Callable[[dict[str, Any]], object]) -> Callable[[], str]:
    """The saved text of :func:`eventful`, changed by ``change`` (made when the test runs)."""

    def text() -> str:
        data = _saved()
        change(data)
        return json.dumps(data)

    return text


def _as_text(text: str) -> Callable[[], str]:
    return lambda: text


def _drop(data: dict[str, Any], name: str) -> None:
    del data[name]


def _set(where: dict[str, Any], name: str, value: object) -> None:
    where[name] = value


def _event(data: dict[str, Any], index: int) -> dict[str, Any]:
    return data["events"][index]  # type: ignore[no-any-return]  # a JSON object


def _accept(event: dict[str, Any]) -> None:
    """Turn a recorded refusal into an acceptance that never happened."""
    event["accepted"] = True
    del event["blockers"]


MALFORMED = {
    "not-json": (_as_text("{'format': 1"), "JSON"),
    "empty": (_as_text(""), "JSON"),
    "format-version": (_tamper(lambda d: _set(d, "format", 99)), "format"),
    "format-as-text": (_tamper(lambda d: _set(d, "format", "1")), "format"),
    "format-as-bool": (_tamper(lambda d: _set(d, "format", True)), "format"),
    "missing-format": (_tamper(lambda d: _drop(d, "format")), "format"),
    "missing-stage": (_tamper(lambda d: _drop(d, "stage")), "stage"),
    "missing-events": (_tamper(lambda d: _drop(d, "events")), "events"),
    "unknown-field": (_tamper(lambda d: _set(d, "colour", "blue")), "colour"),
    "stage-disagrees": (_tamper(lambda d: _set(d, "stage", "settlement")), "stage"),
    "stage-unknown": (_tamper(lambda d: _set(d, "stage", "armistice")), "stage"),
    "event-unknown-field": (
        _tamper(lambda d: _set(_event(d, 2), "colour", "blue")),
        r"events\[2\]: unknown field.*colour",
    ),
    "event-missing-field": (
        _tamper(lambda d: _drop(_event(d, 2), "dest")),
        r"events\[2\]: missing field dest",
    ),
    "event-unknown-trigger": (
        _tamper(lambda d: _set(_event(d, 0), "trigger", "teleport")),
        r"events\[0\]\.trigger",
    ),
    "event-source-disagrees": (
        _tamper(lambda d: _set(_event(d, 6), "source", "talks")),
        r"events\[6\]\.source",
    ),
    "event-accepted-flipped": (
        _tamper(lambda d: _set(_event(d, 3), "accepted", False)),
        r"events\[3\]",
    ),
    "event-dest-changed": (
        _tamper(lambda d: _set(_event(d, 8), "dest", "leaders_meeting")),
        r"events\[8\]",
    ),
    "event-refusal-reason-changed": (
        _tamper(lambda d: _set(_event(d, 4)["blockers"][0], "message", "all is well")),
        r"events\[4\]",
    ),
    "event-refusal-turned-acceptance": (
        _tamper(lambda d: _accept(_event(d, 12))),
        r"events\[12\]",
    ),
    "event-removed": (
        _tamper(lambda d: d["events"].pop(7)),
        r"events\[7\]",
    ),
    "event-arguments-missing": (
        _tamper(lambda d: _set(_event(d, 5), "arguments", {})),
        r"events\[5\].*reason",
    ),
    "event-unknown-argument": (
        _tamper(lambda d: _set(_event(d, 5)["arguments"], "mood", "grim")),
        r"events\[5\]\.arguments.*mood",
    ),
    "prisoners-released-twice": (
        _tamper(lambda d: _set(_event(d, 7), "arguments", _event(d, 3)["arguments"])),
        r"events\[7\].*already released",
    ),
    "unbalanced-tranche": (
        _tamper(lambda d: _set(_event(d, 7)["arguments"]["tranche"], "released", {"russia": 3})),
        r"exchange\.reciprocal",
    ),
}


@pytest.mark.parametrize("kind", MALFORMED)
def test_from_json_refuses_malformed_input_naming_the_problem(kind: str) -> None:
    text, problem = MALFORMED[kind]
    saved = text()
    with pytest.raises(InvalidValue, match=problem) as refused:
        Negotiation.from_json(saved)
    assert isinstance(refused.value, ValueError)


WRONGLY_TYPED = {
    "a-list": (_as_text("[]"), "JSON object"),
    "events-not-a-list": (_tamper(lambda d: _set(d, "events", {})), "events"),
    "event-not-an-object": (_tamper(lambda d: d["events"].insert(0, 5)), r"events\[0\]"),
    "accepted-not-a-bool": (
        _tamper(lambda d: _set(_event(d, 0), "accepted", "yes")),
        "accepted",
    ),
    "count-as-text": (
        _tamper(lambda d: _set(_event(d, 7)["arguments"]["tranche"]["released"], "russia", "2")),
        "russia",
    ),
}


@pytest.mark.parametrize("kind", WRONGLY_TYPED)
def test_from_json_refuses_wrongly_typed_content_as_a_value_error(kind: str) -> None:
    """``from_json`` promises ``InvalidValue`` for malformed text: a loader that catches
    ``ValueError`` (as it would for ``json.JSONDecodeError``) must catch these too."""
    text, problem = WRONGLY_TYPED[kind]
    saved = text()
    with pytest.raises(ValueError, match=problem):
        Negotiation.from_json(saved)


def test_from_json_takes_text_only() -> None:
    with pytest.raises(InvalidType, match="JSON text"):
        Negotiation.from_json(wrong(5))


def test_a_copy_is_independent_of_the_original() -> None:
    """Copying (shallow or deep) gives an equal negotiation that moves on its own."""
    import copy

    talks = Negotiation()
    talks.agree_exchange()
    for twin in (copy.copy(talks), copy.deepcopy(talks)):
        assert twin == talks
        twin.transfer(Tranche.even(5))
        assert len(talks.history) == 1
        assert talks.ledger.released == {Side.RUSSIA: 0, Side.UKRAINE: 0}
        assert Negotiation.from_json(talks.to_json()) == talks


def test_values_copy_deeply_and_events_hash() -> None:
    import copy

    talks = Negotiation()
    talks.agree_exchange()
    talks.transfer(Tranche.even(3, young=1))
    for value in (ng.ISTANBUL_TERMS, talks.ledger, talks.state, *talks.history):
        assert copy.deepcopy(value) == value
        assert copy.copy(value) == value
    assert len(set(talks.history)) == 2


def test_the_history_view_follows_new_events() -> None:
    talks = Negotiation()
    before = talks.history
    talks.agree_exchange()
    assert before == ()
    assert len(talks.history) == 1
    assert talks.history is talks.history  # cached between moves
