"""Later agreements: further exchanges, amended terms, and handovers past the exchange stage.

The model: every exchange agreed is kept (``talks.agreements``) and their numbers add
up — ``talks.terms`` is the sum of the quotas and declared holdings, with the latest
agreement's age limit, civilians rule and ratio — while the ledger counts every
tranche. The exchange is complete when the ledger reaches the sum; the third round and
the leaders' meeting wait for it, and past the exchange stage a handover (or an
amendment) is a move only while it is not complete (``exchange.under_way``).
"""

from __future__ import annotations

import attrs
import pytest
from processes import HOSTAGE_EXCHANGE, HOSTAGE_TERMS

import negotiations as ng
from negotiations import ExchangeTerms, Negotiation, Side, Stage, Tranche
from negotiations._process_file import process_from_toml, process_to_toml
from negotiations.conditions import UnderWay
from negotiations.effects import AgreeFurther, Amend, Transfer

RUSSIA, UKRAINE = Side.RUSSIA, Side.UKRAINE
UNDER_WAY_SOURCE = 'article line 1: "have returned to Russia as part of a prisoner exchange"'


def third_round(quota: int = 2) -> Negotiation:
    """A negotiation in the third round after a completed exchange of ``quota`` each side."""
    talks = Negotiation()
    talks.agree_exchange(ExchangeTerms(quota=quota))
    talks.transfer(Tranche.even(quota))
    talks.open_third_round()
    return talks


def seen(talks: Negotiation) -> tuple[object, ...]:
    return talks.state, talks.history


# -- further agreements --------------------------------------------------------------------


def test_a_further_agreement_adds_its_numbers_to_those_agreed_before() -> None:
    talks = Negotiation()
    first = ExchangeTerms(quota=1000)
    second = ExchangeTerms(quota=1000, seriously_ill_held={RUSSIA: 5}, young_held={UKRAINE: 7})
    talks.agree_exchange(first)
    talks.transfer(Tranche.even(1000))
    assert talks.exchange_complete
    event = talks.agree_exchange(second)
    assert (event.source, event.dest) == (Stage.EXCHANGE, Stage.EXCHANGE)
    assert talks.agreements == (first, second)
    assert talks.terms == ExchangeTerms(
        quota=2000, seriously_ill_held={RUSSIA: 5}, young_held={UKRAINE: 7}
    )
    assert talks.ledger.released == {RUSSIA: 1000, UKRAINE: 1000}
    assert not talks.exchange_complete


def test_one_agreement_is_its_own_terms() -> None:
    talks = Negotiation()
    talks.agree_exchange()
    assert talks.agreements == (ng.ISTANBUL_TERMS,)
    assert talks.terms is ng.ISTANBUL_TERMS
    assert Negotiation().agreements == ()


def test_the_third_round_waits_for_every_exchange_agreed_so_far() -> None:
    talks = Negotiation()
    talks.agree_exchange(ExchangeTerms(quota=1000))
    talks.transfer(Tranche.even(1000))
    talks.agree_exchange(ExchangeTerms(quota=1000))
    talks.transfer(Tranche.even(390))
    with pytest.raises(ng.TransitionBlocked) as refused:
        talks.open_third_round()
    assert [(b.rule, b.message) for b in refused.value.blockers] == [
        ("talks.third_round_after_exchange", "the prisoner exchange is not complete yet"),
        ("exchange.quota", "1390 of 2000 released by Russia; 1390 of 2000 released by Ukraine"),
    ]
    assert talks.stage is Stage.EXCHANGE
    talks.transfer(Tranche.even(610))
    talks.open_third_round()
    assert talks.stage is Stage.THIRD_ROUND


def test_a_further_agreement_in_the_third_round_stays_there_and_leaders_wait_for_it() -> None:
    talks = third_round()
    event = talks.agree_exchange(ExchangeTerms(quota=1200))
    assert (event.source, event.dest) == (Stage.THIRD_ROUND, Stage.THIRD_ROUND)
    assert talks.terms is not None
    assert talks.terms.quota == 1202
    with pytest.raises(ng.TransitionBlocked) as refused:
        talks.convene_leaders()
    assert [(b.rule, b.message) for b in refused.value.blockers] == [
        (
            "leaders.after_humanitarian",
            "humanitarian issue(s) not yet resolved: the prisoner exchange",
        )
    ]
    talks.transfer(Tranche.even(1200))
    talks.convene_leaders()
    assert talks.stage is Stage.LEADERS_MEETING


def test_a_further_agreement_at_the_leaders_meeting_does_not_hold_the_settlement() -> None:
    talks = third_round()
    talks.convene_leaders()
    talks.agree_exchange(ExchangeTerms(quota=10))
    assert talks.stage is Stage.LEADERS_MEETING
    assert set(talks.allowed()) >= {"transfer", "amend_terms", "sign_settlement"}
    talks.transfer(Tranche.even(3))
    talks.sign_settlement()
    assert talks.stage is Stage.SETTLEMENT


def test_the_latest_agreement_sets_the_rules_of_a_handover() -> None:
    talks = Negotiation()
    talks.agree_exchange(ExchangeTerms(quota=1, age_limit=25))
    talks.agree_exchange(ExchangeTerms(quota=1, age_limit=18, civilians_separate=False))
    assert talks.terms is not None
    assert (talks.terms.age_limit, talks.terms.civilians_separate) == (18, False)
    people = [
        ng.Prisoner("R-1", RUSSIA, age=20, civilian=True),
        ng.Prisoner("U-1", UKRAINE, age=20),
    ]
    talks.transfer(Tranche(released={RUSSIA: 1, UKRAINE: 1}, prisoners=people))
    assert talks.ledger.young == {RUSSIA: 0, UKRAINE: 0}


# -- handovers past the exchange stage -----------------------------------------------------


def test_a_handover_in_the_third_round_is_blocked_by_under_way_while_nothing_is_due() -> None:
    talks = third_round()
    state, history = seen(talks)
    with pytest.raises(ng.TransitionBlocked) as refused:
        talks.transfer(Tranche.even(1))
    assert refused.value.blockers == (
        ng.Blocker(
            "exchange.under_way", "every exchange agreed so far is complete", UNDER_WAY_SOURCE
        ),
    )
    assert talks.state == state
    assert talks.history[:-1] == history
    assert (talks.history[-1].trigger, talks.history[-1].accepted) == ("transfer", False)
    assert talks.blockers("transfer") == refused.value.blockers
    assert "transfer" not in talks.allowed()


def test_a_handover_in_the_third_round_counts_while_an_exchange_is_under_way() -> None:
    talks = third_round()
    talks.agree_exchange(ExchangeTerms(quota=3))
    assert "transfer" in talks.allowed()
    event = talks.transfer(Tranche.even(2, civilians=True))
    assert (event.source, event.dest) == (Stage.THIRD_ROUND, Stage.THIRD_ROUND)
    assert talks.ledger.released == {RUSSIA: 4, UKRAINE: 4}
    assert talks.ledger.civilians == {RUSSIA: 2, UKRAINE: 2}
    assert talks.ledger.tranches == 2


def test_a_handover_past_the_exchange_stage_keeps_the_tranche_rules() -> None:
    talks = third_round()
    talks.agree_exchange(ExchangeTerms(quota=3))
    with pytest.raises(ng.InvalidValue, match=r"^tranche: .*exchange\.civilians_separate"):
        talks.transfer(
            Tranche(
                released={RUSSIA: 1, UKRAINE: 1},
                prisoners=[
                    ng.Prisoner("R-1", RUSSIA, civilian=True),
                    ng.Prisoner("U-1", UKRAINE),
                ],
            )
        )


def test_a_handover_in_talks_is_still_not_a_move() -> None:
    with pytest.raises(ng.TransitionNotAllowed):
        Negotiation().transfer(Tranche.even(1))


# -- amendments ----------------------------------------------------------------------------


def test_an_amendment_replaces_the_terms_of_the_latest_agreement() -> None:
    talks = Negotiation()
    first, second = ExchangeTerms(quota=1000), ExchangeTerms(quota=1000)
    talks.agree_exchange(first)
    talks.transfer(Tranche.even(1000))
    talks.agree_exchange(second)
    amended = ExchangeTerms(quota=1200, young_held={RUSSIA: 3})
    event = talks.amend_terms(amended)
    assert (event.trigger, event.source, event.dest) == (
        "amend_terms",
        Stage.EXCHANGE,
        Stage.EXCHANGE,
    )
    assert talks.agreements == (first, amended)
    assert talks.terms == ExchangeTerms(quota=2200, young_held={RUSSIA: 3})


def test_an_amendment_that_changes_nothing_is_refused_and_changes_nothing() -> None:
    talks = Negotiation()
    talks.agree_exchange(ExchangeTerms(quota=5))
    state, history = seen(talks)
    with pytest.raises(ng.InvalidValue) as refused:
        talks.amend_terms(ExchangeTerms(quota=5))
    assert str(refused.value) == (
        "terms: the amendment changes nothing: agreement 1 is already on these terms"
    )
    assert refused.value.path == "terms"
    assert seen(talks) == (state, history)


def test_an_amendment_once_every_exchange_is_complete_is_blocked_by_under_way() -> None:
    talks = Negotiation()
    talks.agree_exchange(ExchangeTerms(quota=1))
    talks.transfer(Tranche.even(1))
    with pytest.raises(ng.TransitionBlocked) as refused:
        talks.amend_terms(ExchangeTerms(quota=2))
    assert [(b.rule, b.message) for b in refused.value.blockers] == [
        ("exchange.under_way", "every exchange agreed so far is complete")
    ]
    assert talks.agreements == (ExchangeTerms(quota=1),)


def test_an_amendment_before_any_agreement_is_not_a_move() -> None:
    talks = Negotiation()
    assert [b.rule for b in talks.blockers("amend_terms")] == [
        "exchange.under_way",
        "process.order",
    ]
    assert talks.blockers("amend_terms")[0].message == "no exchange has been agreed yet"
    with pytest.raises(ng.TransitionNotAllowed):
        talks.amend_terms(ExchangeTerms(quota=2))


def test_an_amendment_may_lower_the_quota_below_what_was_released() -> None:
    """The ledger keeps what happened; the exchange is then complete."""
    talks = Negotiation()
    talks.agree_exchange(ExchangeTerms(quota=10))
    talks.transfer(Tranche.even(6))
    talks.amend_terms(ExchangeTerms(quota=4))
    assert talks.ledger.released == {RUSSIA: 6, UKRAINE: 6}
    assert talks.exchange_complete
    assert "open_third_round" in talks.allowed()


def test_an_amendment_without_terms_is_a_type_error_naming_terms() -> None:
    talks = Negotiation()
    talks.agree_exchange(ExchangeTerms(quota=10))
    with pytest.raises(ng.InvalidType, match=r"^terms must be ExchangeTerms"):
        talks.amend_terms(attrs.asdict(ExchangeTerms()))  # type: ignore[arg-type]  # on purpose


# -- one history, every way of reading it --------------------------------------------------


def later_agreements() -> Negotiation:
    talks = Negotiation()
    talks.agree_exchange(ExchangeTerms(quota=3))
    talks.transfer(Tranche.even(3))
    talks.agree_exchange(ExchangeTerms(quota=2, young_held={UKRAINE: 1}))
    talks.amend_terms(ExchangeTerms(quota=1, young_held={UKRAINE: 1}))
    talks.transfer(Tranche(released={RUSSIA: 1, UKRAINE: 1}, young={UKRAINE: 1}))
    talks.open_third_round()
    talks.agree_exchange(ExchangeTerms(quota=4))
    talks.transfer(Tranche.even(2))
    return talks


def test_later_agreements_save_replay_and_look_back_equal() -> None:
    talks = later_agreements()
    assert Negotiation.from_json(talks.to_json()) == talks
    assert Negotiation.replay(talks.history) == talks
    assert talks.at(2).agreements == (ExchangeTerms(quota=3),)
    assert talks.at(4).agreements == (
        ExchangeTerms(quota=3),
        ExchangeTerms(quota=1, young_held={UKRAINE: 1}),
    )
    assert len(talks.agreements) == 3
    assert talks.terms == ExchangeTerms(quota=8, young_held={UKRAINE: 1})
    assert talks.at(-1).exchange_complete is False


# -- the vocabulary, on another process -----------------------------------------------------


def _later_phase(move: ng.Move) -> ng.Move:
    """The second phase adds to the first; the unguarded handover is the first phase's."""
    if move.trigger == "agree_second_phase":
        return attrs.evolve(move, effect=AgreeFurther())
    if move.trigger == "hand_over":
        return attrs.evolve(move, sources=("first_phase",))
    return move


#: The hostage exchange with a second phase that adds to the first (instead of replacing
#: it), an amendment, and a handover in the second phase only while the exchange is due.
LATER_PHASES = attrs.evolve(
    HOSTAGE_EXCHANGE,
    name="hostages-later",
    rules=(
        *HOSTAGE_EXCHANGE.rules,
        ng.Rule(
            "exchange.due",
            "in the second phase, handovers and amendments only while the exchange is due",
            2,
            "33 hostages shall be released",
            UnderWay(),
        ),
    ),
    moves=(
        *(_later_phase(move) for move in HOSTAGE_EXCHANGE.moves),
        ng.Move(
            "hand_over",
            ("second_phase",),
            effect=Transfer(),
            guard=("exchange.due",),
            checks=("exchange.ratio",),
        ),
        ng.Move("amend", ("first_phase", "second_phase"), effect=Amend(), guard=("exchange.due",)),
    ),
)


THIRTY, TEN = {"hamas": 1, "israel": 30}, {"hamas": 1, "israel": 10}


def hostage_second_phase() -> Negotiation:
    talks = Negotiation(LATER_PHASES)
    talks.send("agree_first_phase", terms=HOSTAGE_TERMS)
    talks.send(
        "hand_over",
        tranche=Tranche(
            released={"hamas": 33, "israel": 990},
            seriously_ill={"hamas": 4, "israel": 30},
            young={"hamas": 2},
            ratio=HOSTAGE_TERMS.ratio,
        ),
    )
    talks.send("begin_second_phase")
    return talks


def test_another_process_adds_per_party_quotas_and_keeps_the_latest_ratio() -> None:
    talks = hostage_second_phase()
    second = ExchangeTerms(quota={"hamas": 10, "israel": 100}, ratio=TEN)
    talks.send("agree_second_phase", terms=second)
    assert talks.agreements == (HOSTAGE_TERMS, second)
    assert talks.terms is not None
    assert talks.terms.quota == {"hamas": 43, "israel": 1090, "mediators": 0}
    assert talks.terms.ratio == {"hamas": 1, "israel": 10}
    assert talks.terms.seriously_ill_held == HOSTAGE_TERMS.seriously_ill_held
    with pytest.raises(ng.InvalidValue, match="agreed ratio 1:10"):
        talks.send("hand_over", tranche=Tranche(released={"hamas": 1, "israel": 30}, ratio=THIRTY))
    talks.send("hand_over", tranche=Tranche(released={"hamas": 10, "israel": 100}, ratio=TEN))
    assert talks.exchange_complete
    with pytest.raises(ng.TransitionBlocked) as refused:
        talks.send("hand_over", tranche=Tranche(released={"hamas": 1, "israel": 10}, ratio=TEN))
    assert [(b.rule, b.message) for b in refused.value.blockers] == [
        ("exchange.due", "every exchange agreed so far is complete")
    ]
    assert refused.value.blockers[0].source == 'agreement line 2: "33 hostages shall be released"'


def test_another_process_amends_the_phase_under_way() -> None:
    talks = hostage_second_phase()
    talks.send("agree_second_phase", terms=ExchangeTerms(quota={"hamas": 10, "israel": 300}))
    talks.send("amend", terms=ExchangeTerms(quota={"hamas": 5, "israel": 150}))
    assert talks.terms is not None
    assert talks.terms.quota == {"hamas": 38, "israel": 1140, "mediators": 0}
    assert Negotiation.from_json(talks.to_json(), LATER_PHASES) == talks


def test_the_replacing_agreement_of_another_process_still_replaces() -> None:
    talks = Negotiation(HOSTAGE_EXCHANGE)
    talks.send("agree_first_phase", terms=HOSTAGE_TERMS)
    talks.send(
        "hand_over",
        tranche=Tranche(
            released={"hamas": 33, "israel": 990},
            seriously_ill={"hamas": 4, "israel": 30},
            young={"hamas": 2},
            ratio=HOSTAGE_TERMS.ratio,
        ),
    )
    talks.send("begin_second_phase")
    second = ExchangeTerms(quota={"hamas": 10, "israel": 300})
    talks.send("agree_second_phase", terms=second)
    assert talks.agreements == (second,)
    assert talks.terms == second


@pytest.mark.parametrize("process", [ng.PROCESS, LATER_PHASES], ids=lambda p: p.name)
def test_the_new_moves_round_trip_through_a_process_file(process: ng.Definition) -> None:
    text = process_to_toml(process)
    assert 'effect = "agree_further"' in text
    assert 'effect = "amend"' in text
    assert 'condition = { kind = "under_way" }' in text
    assert process_from_toml(text) == process


def test_an_amendment_cannot_be_pledged_it_needs_its_terms() -> None:
    talks = Negotiation()
    with pytest.raises(ng.InvalidValue) as refused:
        talks.pledge(RUSSIA, "amend_terms")
    assert str(refused.value) == (
        "trigger: amend_terms cannot be pledged: it takes terms, and a pledge carries no "
        "arguments; moves that can: agree_exchange, open_third_round, convene_leaders, "
        "sign_settlement"
    )
    assert talks.history == ()
