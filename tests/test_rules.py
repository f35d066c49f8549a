"""Each rule the parties stated: where the article says it, and exactly when it blocks a move.

A guard rule blocks with the numbers still missing in its message and stops
blocking the moment it is met; ``blockers()`` reports every unmet rule at once.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import negotiations as ng
from negotiations import PROCESS as _PROCESS
from negotiations import (
    Blocker,
    ExchangeTerms,
    InvalidValue,
    Negotiation,
    Prisoner,
    Side,
    Stage,
    Tranche,
)

article_line = _PROCESS.source.line


def article_lines() -> tuple[str, ...]:
    return _PROCESS.source.lines


RUSSIA, UKRAINE = Side.RUSSIA, Side.UKRAINE


def wrong(value: object) -> Any:
    """``value``, hidden from the type checker: these tests pass wrong types on purpose."""
    return value


#: The rules table of DESIGN.md: id -> the article line it comes from.
DOCUMENTED_LINES = {
    "exchange.reciprocal": 2,
    "exchange.civilians_separate": 3,
    "exchange.quota": 5,
    "exchange.seriously_ill": 5,
    "exchange.young": 5,
    # Not in DESIGN.md's table: added with later agreements (docs/rules.md).
    "exchange.under_way": 1,
    "talks.third_round_after_exchange": 8,
    "leaders.after_humanitarian": 11,
    "settlement.interests": 14,
}

#: The article as the project received it, beside the clone (absent from a bare sdist).
SEED_ARTICLE = Path(__file__).resolve().parents[2] / "shared" / "seed" / "article.txt"

RULES = {rule.id: rule for rule in ng.RULES}


def rule_ids(blockers: tuple[Blocker, ...]) -> list[str]:
    return [blocker.rule for blocker in blockers]


def exchanging(terms: ExchangeTerms | None = None) -> Negotiation:
    """A negotiation that has agreed an exchange on ``terms`` (the article's by default)."""
    talks = Negotiation()
    talks.agree_exchange(terms)
    return talks


def third_round(talks: Negotiation | None = None) -> Negotiation:
    """``talks`` (a new negotiation by default) taken on through a one-for-one exchange."""
    talks = Negotiation() if talks is None else talks
    talks.agree_exchange(ExchangeTerms(quota=1))
    talks.transfer(Tranche.even(1))
    talks.open_third_round()
    return talks


def leaders_meeting() -> Negotiation:
    talks = third_round()
    talks.convene_leaders()
    return talks


# -- provenance ----------------------------------------------------------------------------


def test_every_documented_rule_exists_plus_the_order_rule() -> None:
    assert set(RULES) == {*DOCUMENTED_LINES, "process.order"}
    assert len(ng.RULES) == len(RULES), "rule ids are unique"


@pytest.mark.parametrize(("rule_id", "line"), DOCUMENTED_LINES.items())
def test_each_rule_cites_the_article_line_of_the_design_table(rule_id: str, line: int) -> None:
    assert RULES[rule_id].line == line


@pytest.mark.parametrize("rule", ng.RULES, ids=lambda rule: rule.id)
def test_each_rule_quote_stands_verbatim_on_its_article_line(rule: ng.Rule) -> None:
    assert rule.quote in article_line(rule.line)
    assert rule.statement.strip()


@pytest.mark.parametrize("rule", ng.RULES, ids=lambda rule: rule.id)
def test_each_rule_source_names_its_line_and_quotes_it(rule: ng.Rule) -> None:
    assert rule.source == f'article line {rule.line}: "{rule.quote}"'


@pytest.mark.skipif(not SEED_ARTICLE.exists(), reason="the shared seed article is not beside us")
def test_the_packaged_article_is_the_seed_article() -> None:
    assert article_lines() == tuple(SEED_ARTICLE.read_text(encoding="utf-8").splitlines())


@pytest.mark.skipif(not SEED_ARTICLE.exists(), reason="the shared seed article is not beside us")
@pytest.mark.parametrize("rule", ng.RULES, ids=lambda rule: rule.id)
def test_each_rule_quote_stands_on_its_line_of_the_seed_article(rule: ng.Rule) -> None:
    lines = SEED_ARTICLE.read_text(encoding="utf-8").splitlines()
    assert rule.quote in lines[rule.line - 1]


def test_article_lines_are_counted_from_one() -> None:
    assert article_line(3) == "The civilians were returned separately."
    with pytest.raises(IndexError):
        article_line(0)


def test_every_blocker_cites_its_rule_source() -> None:
    talks = exchanging(ExchangeTerms(seriously_ill_held={RUSSIA: 1}, young_held={UKRAINE: 1}))
    blockers = talks.blockers("open_third_round") + talks.blockers("convene_leaders")
    assert len(blockers) == 6  # four for the third round; leaders: its rule, then the order
    for blocker in blockers:
        assert blocker.source == RULES[blocker.rule].source


# -- exchange.reciprocal -------------------------------------------------------------------


def test_reciprocal_an_unbalanced_handover_is_refused_citing_the_rule() -> None:
    with pytest.raises(InvalidValue, match=r"released.*exchange\.reciprocal"):
        Tranche(released={RUSSIA: 392, UKRAINE: 391})


def test_reciprocal_every_accepted_handover_keeps_the_totals_equal() -> None:
    talks = exchanging()
    for size in (2, 390, 1, 607):
        talks.transfer(Tranche.even(size))
        assert talks.ledger.released.russia == talks.ledger.released.ukraine


# -- exchange.civilians_separate -----------------------------------------------------------


def _kursk_mix() -> Tranche:
    """A tranche built by hand that mixes two Kursk civilians with soldiers."""
    people = [
        Prisoner("K-1", UKRAINE, civilian=True, origin="Kursk Oblast"),
        Prisoner("K-2", UKRAINE, civilian=True, origin="Kursk Oblast"),
        Prisoner("R-1", RUSSIA),
        Prisoner("R-2", RUSSIA),
    ]
    return Tranche(released={RUSSIA: 2, UKRAINE: 2}, prisoners=people)


def test_civilians_separate_a_mixed_handover_is_refused_citing_the_rule() -> None:
    talks = exchanging()
    with pytest.raises(InvalidValue, match=r"tranche.*exchange\.civilians_separate"):
        talks.transfer(_kursk_mix())
    assert talks.ledger == ng.Ledger()


def test_civilians_separate_civilians_in_their_own_tranche_are_accepted() -> None:
    talks = exchanging()
    talks.transfer(Tranche.even(2, civilians=True))
    assert talks.ledger.civilians == {RUSSIA: 2, UKRAINE: 2}


def test_civilians_separate_is_a_term_that_can_be_waived() -> None:
    talks = exchanging(ExchangeTerms(civilians_separate=False))
    talks.transfer(_kursk_mix())
    assert talks.ledger.released == {RUSSIA: 2, UKRAINE: 2}


# -- exchange.quota ------------------------------------------------------------------------


def test_quota_blocks_with_how_many_each_side_has_released() -> None:
    talks = exchanging()
    talks.transfer(Tranche.even(2, civilians=True))
    talks.transfer(Tranche.even(390))
    (quota,) = [b for b in talks.blockers("open_third_round") if b.rule == "exchange.quota"]
    assert "392 of 1000 released by Russia" in quota.message
    assert "392 of 1000 released by Ukraine" in quota.message


def test_quota_still_blocks_at_999_and_is_met_at_1000() -> None:
    talks = exchanging()
    talks.transfer(Tranche.even(999))
    assert "exchange.quota" in rule_ids(talks.blockers("open_third_round"))
    assert "999 of 1000 released by Russia" in str(talks.blockers("open_third_round"))
    talks.transfer(Tranche.even(1))
    assert talks.blockers("open_third_round") == ()
    talks.open_third_round()
    assert talks.stage is Stage.THIRD_ROUND


def test_quota_is_the_agreed_number_not_a_constant() -> None:
    talks = exchanging(ExchangeTerms(quota=3))
    talks.transfer(Tranche.even(2))
    assert "2 of 3 released by Russia" in str(talks.blockers("open_third_round"))
    talks.transfer(Tranche.even(1))
    assert talks.blockers("open_third_round") == ()


def test_quota_counts_civilians() -> None:
    talks = exchanging(ExchangeTerms(quota=2))
    talks.transfer(Tranche.even(2, civilians=True))
    assert talks.exchange_complete


# -- exchange.seriously_ill ----------------------------------------------------------------


def test_seriously_ill_blocks_until_every_one_held_is_released() -> None:
    talks = exchanging(ExchangeTerms(seriously_ill_held={RUSSIA: 10}))
    talks.transfer(Tranche.even(1000, seriously_ill=9))
    blockers = talks.blockers("open_third_round")
    assert rule_ids(blockers) == ["talks.third_round_after_exchange", "exchange.seriously_ill"]
    assert blockers[1].message == "9 of the 10 seriously ill prisoners Russia holds released"
    talks.transfer(Tranche(released={RUSSIA: 1, UKRAINE: 1}, seriously_ill={RUSSIA: 1}))
    assert talks.blockers("open_third_round") == ()


def test_seriously_ill_counts_each_side_against_its_own_holding() -> None:
    """Ukraine's seriously ill releases do not make up for Russia's."""
    talks = exchanging(ExchangeTerms(quota=5, seriously_ill_held={RUSSIA: 2}))
    talks.transfer(Tranche(released={RUSSIA: 5, UKRAINE: 5}, seriously_ill={UKRAINE: 5}))
    assert "0 of the 2 seriously ill prisoners Russia holds released" in str(
        talks.blockers("open_third_round")
    )


# -- exchange.young ------------------------------------------------------------------------


def test_young_blocks_until_every_one_held_under_the_age_limit_is_released() -> None:
    terms = ExchangeTerms(quota=2, young_held={UKRAINE: 2})
    talks = exchanging(terms)
    first = [
        Prisoner("U-1", UKRAINE, age=24),
        Prisoner("U-2", UKRAINE, age=25),
        Prisoner("R-1", RUSSIA, age=40),
        Prisoner("R-2", RUSSIA, age=41),
    ]
    talks.transfer(Tranche.from_prisoners(first, terms))
    blockers = talks.blockers("open_third_round")
    assert rule_ids(blockers) == ["talks.third_round_after_exchange", "exchange.young"]
    assert blockers[1].message == "1 of the 2 prisoners under 25 Ukraine holds released"
    second = [Prisoner("U-3", UKRAINE, age=18), Prisoner("R-3", RUSSIA, age=30)]
    talks.transfer(Tranche.from_prisoners(second, terms))
    assert talks.blockers("open_third_round") == ()


def test_young_uses_the_agreed_age_limit() -> None:
    talks = exchanging(ExchangeTerms(quota=1, age_limit=18, young_held={RUSSIA: 1}))
    talks.transfer(Tranche.even(1))
    assert "0 of the 1 prisoners under 18 Russia holds released" in str(
        talks.blockers("open_third_round")
    )


def test_young_refuses_a_named_tranche_counted_under_another_age_limit() -> None:
    terms = ExchangeTerms(age_limit=18)
    talks = exchanging(terms)
    people = [Prisoner("U-1", UKRAINE, age=20), Prisoner("R-1", RUSSIA, age=20)]
    with pytest.raises(InvalidValue, match=r"tranche\.young"):
        talks.transfer(Tranche.from_prisoners(people))  # counted under 25, agreed 18
    talks.transfer(Tranche.from_prisoners(people, terms))
    assert talks.ledger.young == {}


# -- every unmet rule at once --------------------------------------------------------------


def test_blockers_lists_every_unmet_rule_not_just_the_first() -> None:
    talks = exchanging(ExchangeTerms(seriously_ill_held={RUSSIA: 1}, young_held={UKRAINE: 1}))
    talks.transfer(Tranche.even(10))
    assert rule_ids(talks.blockers("open_third_round")) == [
        "talks.third_round_after_exchange",
        "exchange.quota",
        "exchange.seriously_ill",
        "exchange.young",
    ]


def test_a_refusal_reports_the_same_blockers_as_blockers() -> None:
    talks = exchanging(ExchangeTerms(seriously_ill_held={RUSSIA: 1}))
    expected = talks.blockers("open_third_round")
    with pytest.raises(ng.TransitionBlocked) as refused:
        talks.open_third_round()
    assert refused.value.blockers == expected


# -- talks.third_round_after_exchange ------------------------------------------------------


def test_third_round_opens_only_after_the_exchange() -> None:
    talks = exchanging(ExchangeTerms(quota=4))
    talks.transfer(Tranche.even(3))
    (first, *_) = talks.blockers("open_third_round")
    assert first.rule == "talks.third_round_after_exchange"
    assert "exchange is not complete" in first.message
    talks.transfer(Tranche.even(1))
    talks.open_third_round()
    assert talks.stage is Stage.THIRD_ROUND


def test_the_third_round_is_not_a_move_before_an_exchange_is_agreed() -> None:
    """Before any agreement, Putin's condition is cited first, then the order of the process."""
    talks = Negotiation()
    blockers = talks.blockers("open_third_round")
    assert rule_ids(blockers) == [
        "talks.third_round_after_exchange",
        "exchange.quota",
        "process.order",
    ]
    assert blockers[0].message == "no exchange has been agreed yet"


# -- leaders.after_humanitarian ------------------------------------------------------------


def test_leaders_wait_for_every_open_humanitarian_issue_each_named() -> None:
    talks = Negotiation()
    talks.raise_humanitarian_issue("bodies of the fallen")
    talks = third_round(talks)
    talks.raise_humanitarian_issue("missing persons")
    (blocker,) = talks.blockers("convene_leaders")
    assert blocker.rule == "leaders.after_humanitarian"
    assert "'bodies of the fallen'" in blocker.message
    assert "'missing persons'" in blocker.message
    talks.resolve_humanitarian_issue("bodies of the fallen")
    (blocker,) = talks.blockers("convene_leaders")
    assert "'bodies of the fallen'" not in blocker.message
    assert "'missing persons'" in blocker.message
    talks.resolve_humanitarian_issue("missing persons")
    assert talks.blockers("convene_leaders") == ()
    talks.convene_leaders()
    assert talks.stage is Stage.LEADERS_MEETING


def test_leaders_are_convened_only_from_the_third_round() -> None:
    """The rule itself says "only from the third round": it is cited, then the order."""
    talks = exchanging(ExchangeTerms(quota=1))
    talks.transfer(Tranche.even(1))
    blockers = talks.blockers("convene_leaders")
    assert rule_ids(blockers) == ["leaders.after_humanitarian", "process.order"]
    assert "only from the third round, not from exchange" in blockers[0].message


# -- settlement.interests ------------------------------------------------------------------


def test_settlement_waits_for_every_declared_interest_each_named() -> None:
    talks = leaders_meeting()
    talks.declare_interest(RUSSIA, "security guarantees")
    talks.declare_interest(UKRAINE, "territorial integrity")
    (blocker,) = talks.blockers("sign_settlement")
    assert blocker.rule == "settlement.interests"
    assert "Russia's interest 'security guarantees'" in blocker.message
    assert "Ukraine's interest 'territorial integrity'" in blocker.message
    talks.acknowledge_interest(UKRAINE, "security guarantees")
    (blocker,) = talks.blockers("sign_settlement")
    assert "security guarantees" not in blocker.message
    assert "not acknowledged by Russia" in blocker.message
    talks.acknowledge_interest(RUSSIA, "territorial integrity")
    assert talks.blockers("sign_settlement") == ()
    talks.sign_settlement()
    assert talks.stage is Stage.SETTLEMENT


def test_settlement_needs_no_acknowledgement_when_no_interest_was_declared() -> None:
    assert leaders_meeting().blockers("sign_settlement") == ()


# -- process.order -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stage_of", "trigger", "made_from"),
    [
        (Negotiation, "transfer", "exchange"),
        (Negotiation, "sign_settlement", "leaders meeting"),
        (Negotiation, "amend_terms", "exchange, third round, leaders meeting"),
        (exchanging, "resume", "suspended"),
        (third_round, "open_third_round", "exchange"),
    ],
)
def test_a_trigger_that_is_not_a_move_from_the_stage_is_blocked_by_order(
    stage_of: Callable[[], Negotiation], trigger: str, made_from: str
) -> None:
    talks = stage_of()
    *_, blocker = talks.blockers(trigger)
    assert blocker.rule == "process.order"
    assert trigger in blocker.message
    assert made_from in blocker.message
    assert blocker.source == RULES["process.order"].source


def test_after_the_end_every_trigger_is_blocked_by_order() -> None:
    talks = Negotiation()
    talks.collapse("talks broke down")
    for trigger in ng.PROCESS.triggers:
        *_, blocker = talks.blockers(trigger)
        assert blocker.rule == "process.order"
        assert "ended" in blocker.message


# -- unknown triggers ----------------------------------------------------------------------


def test_an_unknown_trigger_name_raises_with_a_did_you_mean_hint() -> None:
    with pytest.raises(ng.UnknownTrigger, match="did you mean 'open_third_round'"):
        Negotiation().blockers("open_third")


def test_an_unknown_trigger_is_a_value_error_naming_it() -> None:
    with pytest.raises(ValueError, match="unknown trigger 'teleport'"):
        Negotiation().blockers("teleport")


def test_a_trigger_name_must_be_a_string() -> None:
    with pytest.raises(ng.InvalidType, match="trigger"):
        Negotiation().blockers(wrong(5))
