"""The values a negotiation is made of: sides, stages, counts, terms, tranches, ledgers, records.

Every refusal is checked twice: for its type (``InvalidValue`` is a ``ValueError``,
``InvalidType`` a ``TypeError``, both ``NegotiationError``) and for a message that
names the offending field.
"""

from __future__ import annotations

import enum
import json
import re
from typing import Any

import attrs
import pytest

import negotiations as ng
from negotiations import (
    ISTANBUL_TERMS,
    Blocker,
    Counts,
    Event,
    ExchangeTerms,
    InvalidType,
    InvalidValue,
    Ledger,
    Negotiation,
    Prisoner,
    Side,
    SideCounts,
    Stage,
    Tranche,
)

RUSSIA, UKRAINE = Side.RUSSIA, Side.UKRAINE


def wrong(value: object) -> Any:
    """``value``, hidden from the type checker: these tests pass wrong types on purpose."""
    return value


def kursk_civilians() -> list[Prisoner]:
    """The article's line 1: two civilians from Kursk Oblast, held by Ukraine, go home."""
    return [
        Prisoner(f"K-{i}", UKRAINE, age=60 + i, civilian=True, origin="Kursk Oblast")
        for i in (1, 2)
    ]


# -- the error tree ------------------------------------------------------------------------


def test_invalid_value_is_a_value_error_and_a_negotiation_error() -> None:
    assert issubclass(InvalidValue, ValueError)
    assert issubclass(InvalidValue, ng.NegotiationError)


def test_invalid_type_is_a_type_error_and_a_negotiation_error() -> None:
    assert issubclass(InvalidType, TypeError)
    assert issubclass(InvalidType, ng.NegotiationError)


def test_unknown_trigger_is_a_value_error_and_a_negotiation_error() -> None:
    assert issubclass(ng.UnknownTrigger, ValueError)
    assert issubclass(ng.UnknownTrigger, ng.NegotiationError)


def test_refused_moves_are_negotiation_errors() -> None:
    assert issubclass(ng.TransitionBlocked, ng.NegotiationError)
    assert issubclass(ng.TransitionNotAllowed, ng.NegotiationError)


# -- Side and Stage ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [Stage, Side])
def test_stage_and_side_are_str_enums_valued_by_their_lower_case_names(kind: type) -> None:
    assert issubclass(kind, enum.StrEnum)
    for member in kind:
        assert member.value == member.name.lower()
        assert member == member.name.lower()
        assert kind(member.name.lower()) is member


def test_stage_has_exactly_the_documented_members_in_process_order() -> None:
    assert [stage.name for stage in Stage] == [
        "TALKS",
        "EXCHANGE",
        "THIRD_ROUND",
        "LEADERS_MEETING",
        "SETTLEMENT",
        "SUSPENDED",
        "COLLAPSED",
    ]


def test_side_has_exactly_russia_and_ukraine() -> None:
    assert [side.name for side in Side] == ["RUSSIA", "UKRAINE"]


def test_each_side_knows_the_other_and_its_name_in_prose() -> None:
    assert RUSSIA.other is UKRAINE
    assert UKRAINE.other is RUSSIA
    assert (RUSSIA.label, UKRAINE.label) == ("Russia", "Ukraine")


def test_a_stage_reads_as_words() -> None:
    assert Stage.LEADERS_MEETING.label == "leaders meeting"


# -- SideCounts ----------------------------------------------------------------------------


def test_side_counts_count_a_missing_side_as_zero() -> None:
    counts = SideCounts.of({UKRAINE: 3}, "young")
    assert counts[RUSSIA] == 0
    assert counts[UKRAINE] == 3
    assert counts == {UKRAINE: 3}
    assert counts == {RUSSIA: 0, UKRAINE: 3}


def test_side_counts_accept_side_names_as_keys() -> None:
    assert SideCounts.of({"russia": 2, "ukraine": 1}, "released") == SideCounts(2, 1)


def test_side_counts_differ_from_a_mapping_with_other_counts_or_keys() -> None:
    assert SideCounts(2, 2) != {RUSSIA: 2, UKRAINE: 3}
    assert SideCounts(2, 2) != {RUSSIA: 2, UKRAINE: 2, "poland": 0}


def test_side_counts_are_immutable_and_hashable() -> None:
    counts = SideCounts(1, 2)
    with pytest.raises(AttributeError, match="immutable"):
        counts._russia = 5
    assert hash(counts) == hash(SideCounts(1, 2))
    assert {counts, SideCounts(1, 2)} == {counts}


def test_side_counts_add_side_by_side() -> None:
    assert SideCounts(1, 2) + SideCounts(10, 20) == SideCounts(11, 22)


def test_counts_give_their_parties_and_numbers_in_the_same_order() -> None:
    counts = Counts({"israel": 30, "hamas": 1})
    assert counts.parties == ("israel", "hamas")
    assert counts.numbers == (30, 1)
    assert SideCounts(1, 2).parties == (RUSSIA, UKRAINE)
    assert SideCounts(1, 2).numbers == (1, 2)
    with pytest.raises(AttributeError):
        counts.numbers = (0, 0)  # type: ignore[misc]  # read-only, as the test shows


def test_side_counts_iterate_both_sides_in_order() -> None:
    assert list(SideCounts(1, 2).items()) == [(RUSSIA, 1), (UKRAINE, 2)]
    assert len(SideCounts()) == 2


def test_side_counts_print_and_serialise_by_side_name() -> None:
    assert repr(SideCounts(1, 2)) == "SideCounts(russia=1, ukraine=2)"
    assert SideCounts(1, 2).to_dict() == {"russia": 1, "ukraine": 2}


@pytest.mark.parametrize(
    ("build", "error", "field"),
    [
        (lambda: SideCounts(-1, 0), InvalidValue, "russia"),
        (lambda: SideCounts(0, -4), InvalidValue, "ukraine"),
        (lambda: SideCounts(True, 0), InvalidType, "russia"),
        (lambda: SideCounts(wrong(1.0), 0), InvalidType, "russia"),
        (lambda: SideCounts(0, wrong("1")), InvalidType, "ukraine"),
        (lambda: SideCounts.of({"poland": 1}, "released"), InvalidValue, "released"),
        (lambda: SideCounts.of({1: 1}, "released"), InvalidType, "released"),
        (lambda: SideCounts.of(3, "released"), InvalidType, "released"),
        (lambda: SideCounts.of({"russia": -2}, "young"), InvalidValue, r"young\[russia\]"),
        (lambda: SideCounts.of({UKRAINE: 2.5}, "young"), InvalidType, r"young\[ukraine\]"),
    ],
)
def test_side_counts_refuse_bad_counts_naming_the_field(
    build: Any, error: type[Exception], field: str
) -> None:
    with pytest.raises(error, match=field):
        build()


# -- ExchangeTerms -------------------------------------------------------------------------


def test_istanbul_terms_are_a_thousand_each_under_25_civilians_separate() -> None:
    assert ISTANBUL_TERMS.quota == 1000
    assert ISTANBUL_TERMS.age_limit == 25
    assert ISTANBUL_TERMS.civilians_separate is True
    assert ISTANBUL_TERMS.seriously_ill_held == {}
    assert ISTANBUL_TERMS.young_held == {}


def test_exchange_terms_default_to_the_istanbul_terms() -> None:
    assert ExchangeTerms() == ISTANBUL_TERMS


def test_exchange_terms_are_frozen() -> None:
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        ISTANBUL_TERMS.quota = 1  # type: ignore[misc]  # the point: it must refuse


def test_exchange_terms_held_counts_default_a_missing_side_to_zero() -> None:
    terms = ExchangeTerms(seriously_ill_held={"russia": 10}, young_held={UKRAINE: 4})
    assert terms.seriously_ill_held == SideCounts(10, 0)
    assert terms.young_held == SideCounts(0, 4)


@pytest.mark.parametrize(
    ("given", "error", "field"),
    [
        ({"quota": -1}, InvalidValue, "quota"),
        ({"quota": 1000.0}, InvalidType, "quota"),
        ({"quota": True}, InvalidType, "quota"),
        ({"quota": "1000"}, InvalidType, "quota"),
        ({"age_limit": 0}, InvalidValue, "age_limit"),
        ({"age_limit": -25}, InvalidValue, "age_limit"),
        ({"age_limit": 25.5}, InvalidType, "age_limit"),
        ({"civilians_separate": "yes"}, InvalidType, "civilians_separate"),
        ({"civilians_separate": 1}, InvalidType, "civilians_separate"),
        ({"seriously_ill_held": {"russia": -1}}, InvalidValue, r"seriously_ill_held\[russia\]"),
        ({"seriously_ill_held": {RUSSIA: 1.5}}, InvalidType, r"seriously_ill_held\[russia\]"),
        ({"young_held": [1, 2]}, InvalidType, "young_held"),
    ],
)
def test_exchange_terms_refuse_bad_values_naming_the_field(
    given: dict[str, Any], error: type[Exception], field: str
) -> None:
    with pytest.raises(error, match=field):
        ExchangeTerms(**given)


# -- Prisoner ------------------------------------------------------------------------------


def test_a_prisoner_keeps_who_holds_them_and_where_they_come_from() -> None:
    person = Prisoner("K-1", "ukraine", age=67, civilian=True, origin="Kursk Oblast")
    assert person.held_by is UKRAINE
    assert (person.age, person.civilian, person.origin) == (67, True, "Kursk Oblast")
    assert person.seriously_ill is False


def test_a_prisoner_is_young_only_under_the_age_limit_and_with_a_known_age() -> None:
    assert Prisoner("a", RUSSIA, age=24).is_young(25)
    assert not Prisoner("b", RUSSIA, age=25).is_young(25)
    assert not Prisoner("c", RUSSIA).is_young(25)


@pytest.mark.parametrize(
    ("build", "error", "field"),
    [
        (lambda: Prisoner("", RUSSIA), InvalidValue, "id"),
        (lambda: Prisoner(5, RUSSIA), InvalidType, "id"),
        (lambda: Prisoner("a", 3), InvalidType, "held_by"),
        (lambda: Prisoner("a", RUSSIA, age=-1), InvalidValue, "age"),
        (lambda: Prisoner("a", RUSSIA, age=2.5), InvalidType, "age"),
        (lambda: Prisoner("a", RUSSIA, age=True), InvalidType, "age"),
        (lambda: Prisoner("a", RUSSIA, seriously_ill="no"), InvalidType, "seriously_ill"),
        (lambda: Prisoner("a", RUSSIA, civilian=1), InvalidType, "civilian"),
        (lambda: Prisoner("a", RUSSIA, origin=" "), InvalidValue, "origin"),
    ],
)
def test_a_prisoner_refuses_bad_values_naming_the_field(
    build: Any, error: type[Exception], field: str
) -> None:
    with pytest.raises(error, match=field):
        build()


# -- Tranche -------------------------------------------------------------------------------


def test_an_even_tranche_releases_n_each_side() -> None:
    tranche = Tranche.even(390)
    assert tranche.released == {RUSSIA: 390, UKRAINE: 390}
    assert tranche.size == 390
    assert tranche.civilians is False
    assert tranche.seriously_ill == {} == tranche.young


def test_an_even_tranche_carries_civilians_and_priority_counts_on_both_sides() -> None:
    tranche = Tranche.even(5, civilians=True, seriously_ill=2, young=3)
    assert tranche.civilians is True
    assert tranche.seriously_ill == SideCounts(2, 2)
    assert tranche.young == SideCounts(3, 3)


def test_one_person_can_be_both_seriously_ill_and_young() -> None:
    tranche = Tranche.even(1, seriously_ill=1, young=1)
    assert (tranche.seriously_ill, tranche.young) == (SideCounts(1, 1), SideCounts(1, 1))


def test_an_explicit_tranche_counts_priority_people_per_side() -> None:
    tranche = Tranche(
        released={RUSSIA: 5, "ukraine": 5}, seriously_ill={RUSSIA: 2}, young={"ukraine": 1}
    )
    assert tranche.released == SideCounts(5, 5)
    assert tranche.seriously_ill == SideCounts(2, 0)
    assert tranche.young == SideCounts(0, 1)


def test_a_tranche_prints_as_n_for_n() -> None:
    assert str(Tranche.even(2, civilians=True)) == "2 for 2 civilians"
    assert str(Tranche.even(390)) == "390 for 390 prisoners"
    assert "seriously ill 1/1" in str(Tranche.even(3, seriously_ill=1))


def test_a_tranche_from_named_prisoners_derives_its_counts() -> None:
    others = [
        Prisoner("R-1", RUSSIA, age=22, civilian=True),
        Prisoner("R-2", RUSSIA, age=25, civilian=True, seriously_ill=True),
    ]
    tranche = Tranche.from_prisoners(kursk_civilians() + others)
    assert tranche.released == SideCounts(2, 2)
    assert tranche.civilians is True
    assert tranche.seriously_ill == SideCounts(1, 0)
    assert tranche.young == SideCounts(1, 0), "25 is not under 25"
    assert [person.origin for person in tranche.prisoners[:2]] == ["Kursk Oblast"] * 2


def test_young_is_derived_from_the_terms_age_limit() -> None:
    people = [Prisoner("R-1", RUSSIA, age=27), Prisoner("U-1", UKRAINE, age=17)]
    assert Tranche.from_prisoners(people).young == SideCounts(0, 1)
    assert Tranche.from_prisoners(people, ExchangeTerms(age_limit=30)).young == SideCounts(1, 1)
    assert Tranche.from_prisoners(people, ExchangeTerms(age_limit=18)).young == SideCounts(0, 1)
    assert Tranche.from_prisoners(people, ExchangeTerms(age_limit=17)).young == SideCounts(0, 0)


def test_soldiers_only_make_a_military_tranche() -> None:
    tranche = Tranche.from_prisoners([Prisoner("R-1", RUSSIA), Prisoner("U-1", UKRAINE)])
    assert tranche.civilians is False


def test_a_civilian_and_soldier_mix_is_allowed_when_terms_do_not_separate_them() -> None:
    people = [Prisoner("R-1", RUSSIA), Prisoner("U-1", UKRAINE, civilian=True)]
    tranche = Tranche.from_prisoners(people, ExchangeTerms(civilians_separate=False))
    assert tranche.civilians is False
    assert tranche.mixed


def test_a_person_listed_twice_is_refused() -> None:
    russians = [Prisoner(f"R-{i}", RUSSIA, civilian=True) for i in (1, 2, 3)]
    people = [*kursk_civilians(), kursk_civilians()[0], *russians]  # three for three
    with pytest.raises(InvalidValue, match=r"prisoners: .*twice.*K-1"):
        Tranche.from_prisoners(people)


def test_a_person_listed_twice_is_reported_as_such_even_when_it_unbalances_the_list() -> None:
    """The duplicate is the mistake; reporting an unbalanced tranche instead misleads."""
    people = [*kursk_civilians(), kursk_civilians()[0]]
    people += [Prisoner("R-1", RUSSIA, civilian=True), Prisoner("R-2", RUSSIA, civilian=True)]
    with pytest.raises(InvalidValue, match=r"prisoners: .*twice.*K-1"):
        Tranche.from_prisoners(people)


def test_a_civilian_and_soldier_mix_is_refused_under_separate_civilians_terms() -> None:
    people = [*kursk_civilians(), Prisoner("R-1", RUSSIA), Prisoner("R-2", RUSSIA)]
    with pytest.raises(InvalidValue, match=r"prisoners.*exchange\.civilians_separate"):
        Tranche.from_prisoners(people)


def test_a_civilian_tranche_that_lists_a_soldier_is_refused() -> None:
    people = [Prisoner("R-1", RUSSIA), Prisoner("U-1", UKRAINE, civilian=True)]
    with pytest.raises(InvalidValue, match=r"prisoners.*exchange\.civilians_separate"):
        Tranche(released={RUSSIA: 1, UKRAINE: 1}, civilians=True, prisoners=people)


def test_an_unbalanced_list_of_prisoners_is_refused_citing_reciprocity() -> None:
    people = [*kursk_civilians(), Prisoner("R-1", RUSSIA, civilian=True)]
    with pytest.raises(InvalidValue, match=r"released.*exchange\.reciprocal"):
        Tranche.from_prisoners(people)


def test_counts_that_disagree_with_the_prisoners_listed_are_refused() -> None:
    people = [Prisoner("R-1", RUSSIA), Prisoner("U-1", UKRAINE)]
    with pytest.raises(InvalidValue, match=r"released.*does not match"):
        Tranche(released={RUSSIA: 2, UKRAINE: 2}, prisoners=people)
    with pytest.raises(InvalidValue, match=r"seriously_ill.*does not match"):
        Tranche(released={RUSSIA: 1, UKRAINE: 1}, seriously_ill={RUSSIA: 1}, prisoners=people)


@pytest.mark.parametrize(
    ("build", "error", "field"),
    [
        (lambda: Tranche.from_prisoners([]), InvalidValue, "prisoners"),
        (lambda: Tranche.from_prisoners(wrong("R-1")), InvalidType, "prisoners"),
        (
            lambda: Tranche.from_prisoners([Prisoner("a", RUSSIA), wrong(5)]),
            InvalidType,
            r"prisoners\[1\]",
        ),
        (
            lambda: Tranche.from_prisoners(
                [Prisoner("a", RUSSIA), Prisoner("b", UKRAINE)], wrong(5)
            ),
            InvalidType,
            "terms",
        ),
    ],
)
def test_from_prisoners_refuses_what_is_not_a_list_of_prisoners(
    build: Any, error: type[Exception], field: str
) -> None:
    with pytest.raises(error, match=field):
        build()


@pytest.mark.parametrize(
    ("build", "error", "field"),
    [
        # unbalanced
        (lambda: Tranche(released={RUSSIA: 3, UKRAINE: 2}), InvalidValue, "released"),
        (lambda: Tranche(released={RUSSIA: 3}), InvalidValue, "released"),
        (lambda: Tranche.even(0), InvalidValue, "n: "),
        # priority counts larger than released
        (lambda: Tranche.even(2, seriously_ill=3), InvalidValue, r"seriously_ill\[russia\]"),
        (lambda: Tranche.even(2, young=3), InvalidValue, r"young\[russia\]"),
        (
            lambda: Tranche(released={RUSSIA: 3, UKRAINE: 3}, young={UKRAINE: 4}),
            InvalidValue,
            r"young\[ukraine\]",
        ),
        # negative counts
        (lambda: Tranche.even(-1), InvalidValue, "n"),
        (lambda: Tranche.even(2, seriously_ill=-1), InvalidValue, "seriously_ill"),
        (lambda: Tranche.even(2, young=-1), InvalidValue, "young"),
        (
            lambda: Tranche(released={RUSSIA: -1, UKRAINE: -1}),
            InvalidValue,
            r"released\[russia\]",
        ),
        # bools, floats and strings where whole numbers are wanted
        (lambda: Tranche.even(True), InvalidType, "n"),
        (lambda: Tranche.even(wrong(2.0)), InvalidType, "n"),
        (lambda: Tranche.even(wrong("2")), InvalidType, "n"),
        (lambda: Tranche.even(2, young=wrong(1.0)), InvalidType, "young"),
        (lambda: Tranche.even(2, seriously_ill=False), InvalidType, "seriously_ill"),
        (
            lambda: Tranche(released={RUSSIA: 2.0, UKRAINE: 2.0}),
            InvalidType,
            r"released\[russia\]",
        ),
        (
            lambda: Tranche(released={RUSSIA: True, UKRAINE: True}),
            InvalidType,
            r"released\[russia\]",
        ),
        (lambda: Tranche(released=5), InvalidType, "released"),
        (lambda: Tranche.even(2, civilians=wrong(1)), InvalidType, "civilians"),
        (lambda: Tranche.even(2, civilians=wrong("yes")), InvalidType, "civilians"),
        # unknown sides
        (
            lambda: Tranche(released={RUSSIA: 2, UKRAINE: 2}, seriously_ill={"belarus": 1}),
            InvalidValue,
            "seriously_ill: unknown side 'belarus'",
        ),
        (lambda: Tranche(released={1: 2}), InvalidType, "released"),
        (
            lambda: Tranche(released={RUSSIA: 2, UKRAINE: 2}, prisoners="R-1"),
            InvalidType,
            "prisoners",
        ),
    ],
)
def test_a_tranche_refuses_bad_values_naming_the_field(
    build: Any, error: type[Exception], field: str
) -> None:
    with pytest.raises(error, match=field):
        build()


def test_an_unbalanced_tranche_names_the_rule_and_both_numbers() -> None:
    with pytest.raises(
        InvalidValue, match=r"exchange\.reciprocal.*Russia releases 3 and Ukraine 2"
    ):
        Tranche(released={RUSSIA: 3, UKRAINE: 2})


def test_a_tranche_is_frozen() -> None:
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        Tranche.even(2).civilians = True  # type: ignore[misc]  # the point: it must refuse


# -- Ledger --------------------------------------------------------------------------------


def test_an_empty_ledger_has_released_nobody() -> None:
    ledger = Ledger()
    assert ledger.released == ledger.seriously_ill == ledger.young == ledger.civilians == {}
    assert ledger.tranches == 0
    assert ledger.prisoner_ids == frozenset()


def test_ledger_add_returns_the_ledger_after_the_tranche_and_keeps_the_old_one() -> None:
    before = Ledger()
    after = before.add(Tranche.even(2, civilians=True)).add(Tranche.even(390, young=7))
    assert before == Ledger()
    assert after.released == SideCounts(392, 392)
    assert after.civilians == SideCounts(2, 2)
    assert after.young == SideCounts(7, 7)
    assert after.seriously_ill == SideCounts(0, 0)
    assert after.tranches == 2


def test_ledger_add_remembers_the_named_people_released() -> None:
    others = [Prisoner(f"R-{i}", RUSSIA, civilian=True) for i in (1, 2)]
    ledger = Ledger().add(Tranche.from_prisoners(kursk_civilians() + others))
    assert ledger.prisoner_ids == {"K-1", "K-2", "R-1", "R-2"}
    assert ledger.civilians == SideCounts(2, 2)


def test_ledger_counts_priority_people_by_releasing_side() -> None:
    tranche = Tranche(
        released={RUSSIA: 4, UKRAINE: 4}, seriously_ill={UKRAINE: 3}, young={RUSSIA: 1}
    )
    ledger = Ledger().add(tranche)
    assert ledger.seriously_ill == SideCounts(0, 3)
    assert ledger.young == SideCounts(1, 0)


def test_a_ledger_reads_as_a_sentence() -> None:
    ledger = Ledger().add(Tranche.even(2, civilians=True)).add(Tranche.even(390))
    assert str(ledger) == "392 released by Russia, 392 by Ukraine in 2 tranche(s)"


@pytest.mark.parametrize(
    ("given", "error", "field"),
    [
        ({"tranches": -1}, InvalidValue, "tranches"),
        ({"tranches": 1.5}, InvalidType, "tranches"),
        ({"released": {"russia": -1}}, InvalidValue, r"released\[russia\]"),
        ({"civilians": {"mars": 1}}, InvalidValue, "civilians: unknown side 'mars'"),
    ],
)
def test_a_ledger_refuses_bad_values_naming_the_field(
    given: dict[str, Any], error: type[Exception], field: str
) -> None:
    with pytest.raises(error, match=field):
        Ledger(**given)


# -- Blocker and Event ---------------------------------------------------------------------

QUOTA_BLOCKER = Blocker(
    "exchange.quota",
    "392 of 1000 released by Russia",
    'article line 5: "with a minimum of 1,000 people on each side"',
)


def test_a_blocker_reads_as_its_message_then_rule_and_source() -> None:
    assert str(QUOTA_BLOCKER) == (
        "392 of 1000 released by Russia "
        '[exchange.quota; article line 5: "with a minimum of 1,000 people on each side"]'
    )


def test_a_blocker_repr_shows_each_field() -> None:
    assert repr(QUOTA_BLOCKER) == (
        "Blocker(rule='exchange.quota', message='392 of 1000 released by Russia', "
        "source='article line 5: \"with a minimum of 1,000 people on each side\"')"
    )


@pytest.mark.parametrize(
    ("fields", "error", "field"),
    [
        (("", "m", "s"), InvalidValue, "rule"),
        (("r", 5, "s"), InvalidType, "message"),
        (("r", "m", None), InvalidType, "source"),
    ],
)
def test_a_blocker_refuses_bad_values_naming_the_field(
    fields: tuple[Any, ...], error: type[Exception], field: str
) -> None:
    with pytest.raises(error, match=field):
        Blocker(*fields)


def test_an_event_takes_stage_names_and_reads_as_a_move() -> None:
    event = Event("open_third_round", True, "exchange", "third_round")
    assert (event.source, event.dest) == (Stage.EXCHANGE, Stage.THIRD_ROUND)
    assert str(event) == "open_third_round(): exchange -> third round"


def test_an_internal_event_reads_as_the_call_and_where_it_happened() -> None:
    tranche = Tranche.even(2, civilians=True)
    event = Event("transfer", True, Stage.EXCHANGE, Stage.EXCHANGE, {"tranche": tranche})
    assert str(event) == "transfer(tranche=2 for 2 civilians) in exchange"
    assert event.args == event.arguments == {"tranche": tranche}


def test_a_refused_event_reads_with_its_reasons() -> None:
    event = Event(
        "open_third_round", False, Stage.EXCHANGE, Stage.EXCHANGE, blockers=[QUOTA_BLOCKER]
    )
    assert str(event) == "open_third_round() refused in exchange: 392 of 1000 released by Russia"
    assert event.blockers == (QUOTA_BLOCKER,)


def test_an_event_echoed_at_the_prompt_is_its_one_line() -> None:
    """A move's event echoed at >>> reads as the line the history shows, not every field."""
    event = Event("suspend", True, "talks", "suspended", {"reason": "elections"})
    assert repr(event) == str(event) == "suspend(reason='elections'): talks -> suspended"
    dated = Event(
        "suspend",
        True,
        "talks",
        "suspended",
        {"reason": "elections"},
        date="2025-06-01",
        citation="Reuters",
    )
    assert repr(dated) == "2025-06-01: suspend(reason='elections'): talks -> suspended [Reuters]"


@pytest.mark.parametrize(
    ("given", "error", "field"),
    [
        ({"trigger": ""}, InvalidValue, "trigger"),
        ({"accepted": "yes"}, InvalidType, "accepted"),
        ({"source": ""}, InvalidValue, "source"),
        ({"dest": 3}, InvalidType, "dest"),
        (
            {"accepted": False, "dest": Stage.SUSPENDED, "blockers": [QUOTA_BLOCKER]},
            InvalidValue,
            "dest",
        ),
        ({"accepted": False}, InvalidValue, "blockers"),
        ({"blockers": [QUOTA_BLOCKER]}, InvalidValue, "blockers"),
        ({"accepted": False, "blockers": [5]}, InvalidType, r"blockers\[0\]"),
        ({"arguments": {"bogus": 1}}, InvalidValue, "arguments"),
        ({"arguments": [("reason", "x")]}, InvalidType, "arguments"),
        ({"arguments": {"tranche": 5}}, InvalidType, "tranche"),
    ],
)
def test_an_event_refuses_bad_values_naming_the_field(
    given: dict[str, Any], error: type[Exception], field: str
) -> None:
    fields: dict[str, Any] = {
        "trigger": "transfer",
        "accepted": True,
        "source": Stage.EXCHANGE,
        "dest": Stage.EXCHANGE,
        **given,
    }
    with pytest.raises(error, match=field):
        Event(**fields)


# -- to_dict / from_dict -------------------------------------------------------------------


def _mixed_tranche() -> Tranche:
    others = [Prisoner("R-1", RUSSIA, age=19, civilian=True, seriously_ill=True)]
    others.append(Prisoner("R-2", RUSSIA, civilian=True))
    return Tranche.from_prisoners(kursk_civilians() + others)


ROUND_TRIPS = [
    pytest.param(Prisoner, kursk_civilians()[0], id="prisoner"),
    pytest.param(Prisoner, Prisoner("R-9", RUSSIA), id="prisoner-unknown-age"),
    pytest.param(Tranche, Tranche.even(3, seriously_ill=1, young=2), id="tranche-even"),
    pytest.param(Tranche, _mixed_tranche(), id="tranche-with-prisoners"),
    pytest.param(
        ExchangeTerms,
        ExchangeTerms(
            quota=5, age_limit=18, seriously_ill_held={RUSSIA: 2}, young_held={UKRAINE: 1}
        ),
        id="terms",
    ),
    pytest.param(ExchangeTerms, ISTANBUL_TERMS, id="istanbul-terms"),
    pytest.param(Blocker, QUOTA_BLOCKER, id="blocker"),
    pytest.param(Ledger, Ledger().add(_mixed_tranche()).add(Tranche.even(7)), id="ledger"),
    pytest.param(
        Event,
        Event("transfer", True, "exchange", "exchange", {"tranche": _mixed_tranche()}),
        id="event-transfer",
    ),
    pytest.param(
        Event,
        Event("agree_exchange", True, "talks", "exchange", {"terms": ISTANBUL_TERMS}),
        id="event-terms",
    ),
    pytest.param(
        Event,
        Event("declare_interest", True, "talks", "talks", {"side": RUSSIA, "name": "security"}),
        id="event-side",
    ),
    pytest.param(
        Event,
        Event("open_third_round", False, "exchange", "exchange", blockers=[QUOTA_BLOCKER]),
        id="event-refused",
    ),
]


@pytest.mark.parametrize(("kind", "value"), ROUND_TRIPS)
def test_to_dict_and_from_dict_round_trip_through_json(kind: Any, value: Any) -> None:
    data = json.loads(json.dumps(value.to_dict()))
    restored = kind.from_dict(data)
    assert restored == value
    assert restored.to_dict() == value.to_dict()


@pytest.mark.parametrize(("kind", "value"), ROUND_TRIPS)
def test_from_dict_refuses_an_unknown_field_naming_it(kind: Any, value: Any) -> None:
    data = {**value.to_dict(), "colour": "blue"}
    with pytest.raises(InvalidValue, match=r"unknown field.*colour"):
        kind.from_dict(data)


@pytest.mark.parametrize(("kind", "value"), ROUND_TRIPS)
def test_from_dict_refuses_a_missing_field_naming_it(kind: Any, value: Any) -> None:
    """Required fields must be there; fields saved only when not at their default may not."""
    full = value.to_dict()
    for name in full:
        data = {key: item for key, item in full.items() if key != name}
        if name in OPTIONAL.get(kind, ()):
            continue
        with pytest.raises(InvalidValue, match=f"missing field {name}"):
            kind.from_dict(data)


#: Fields a saved value leaves out when they are at their default.
OPTIONAL: dict[Any, frozenset[str]] = {
    Prisoner: frozenset({"age", "seriously_ill", "civilian", "origin"}),
    Tranche: frozenset({"civilians", "seriously_ill", "young", "prisoners"}),
    Event: frozenset({"arguments", "blockers"}),
}


def test_fields_at_their_default_are_left_out_and_read_back() -> None:
    plain = Tranche.even(3)
    assert plain.to_dict() == {"released": {"russia": 3, "ukraine": 3}}
    assert Tranche.from_dict(plain.to_dict()) == plain
    person = Prisoner("P-1", RUSSIA)
    assert person.to_dict() == {"id": "P-1", "held_by": "russia"}
    assert Prisoner.from_dict(person.to_dict()) == person


@pytest.mark.parametrize("kind", [Prisoner, Tranche, ExchangeTerms, Blocker, Ledger, Event])
def test_from_dict_refuses_what_is_not_an_object(kind: Any) -> None:
    with pytest.raises(InvalidType, match="JSON object"):
        kind.from_dict([1, 2])


def test_from_dict_names_a_nested_field_by_its_path() -> None:
    data = _mixed_tranche().to_dict()
    data["released"] = {"russia": -1, "ukraine": 1}
    with pytest.raises(InvalidValue, match=r"tranche\.released\[russia\]"):
        Tranche.from_dict(data)
    data = _mixed_tranche().to_dict()
    data["prisoners"][0]["age"] = -3
    with pytest.raises(InvalidValue, match=r"^tranche\.prisoners\[0\]\.age must not be") as error:
        Tranche.from_dict(data)
    assert error.value.path == "tranche.prisoners[0].age"
    event = Event("transfer", True, "exchange", "exchange", {"tranche": Tranche.even(1)})
    data = event.to_dict()
    del data["arguments"]["tranche"]["released"]
    with pytest.raises(InvalidValue, match=r"event\.arguments\.tranche: missing field released"):
        Event.from_dict(data)


def test_from_dict_still_validates_the_values() -> None:
    data = Tranche.even(2).to_dict()
    data["released"] = {"russia": 2, "ukraine": 1}
    with pytest.raises(InvalidValue, match=r"exchange\.reciprocal"):
        Tranche.from_dict(data)
    data = ISTANBUL_TERMS.to_dict()
    data["age_limit"] = 0
    with pytest.raises(InvalidValue, match="age_limit"):
        ExchangeTerms.from_dict(data)


def test_a_process_refuses_values_of_parties_that_are_not_its_own() -> None:
    """Free-standing values may name any party (a process of Russia, Ukraine and Turkey counts
    all three); the article's process refuses what is not its own when a move is made, naming
    the field, and nothing is recorded."""
    assert Tranche(released={RUSSIA: 2, "turkey": 2}).released == {RUSSIA: 2, "turkey": 2}
    people = [Prisoner("a", RUSSIA), Prisoner("b", "turkey")]
    assert Tranche.from_prisoners(people).released == {RUSSIA: 1, "turkey": 1}
    talks = ng.Negotiation()
    with pytest.raises(InvalidValue, match=r"^terms\.young_held: unknown side 'mars'") as refused:
        talks.agree_exchange(ExchangeTerms(young_held={"mars": 1}))
    assert refused.value.path == "terms.young_held"
    assert talks.history == ()
    talks.agree_exchange()
    foreign = Tranche(released={"mars": 3, "venus": 3})
    with pytest.raises(
        InvalidValue,
        match=r"^tranche\.released: unknown side 'mars'; expected one of russia, ukraine$",
    ):
        talks.transfer(foreign)
    with pytest.raises(InvalidValue, match=r"^tranche\.released: unknown side 'turkey'") as bad:
        talks.transfer(Tranche(released={RUSSIA: 2, "turkey": 2}))
    assert bad.value.path == "tranche.released"
    assert len(talks.history) == 1
    stray = Event("agree_exchange", True, "mars", "exchange", {"terms": ISTANBUL_TERMS})
    with pytest.raises(InvalidValue, match=r"^events\[0\]\.source: recorded mars"):
        ng.Negotiation.replay([stray])


@pytest.mark.parametrize(
    ("given", "parties", "message"),
    [
        (
            {"russia": 7, "ukraine": 5, "Russia": 5},
            None,
            "released: 'russia' is named twice ('russia' and 'Russia')",
        ),
        (
            {"Israel": 30, "hamas": 1, "ISRAEL": 30},
            ("israel", "hamas"),
            "released: 'israel' is named twice ('Israel' and 'ISRAEL')",
        ),
    ],
)
def test_a_party_named_twice_in_counts_is_refused(
    given: dict[str, int], parties: tuple[str, ...] | None, message: str
) -> None:
    """Counts never keep one spelling of a party and drop another's number."""
    with pytest.raises(InvalidValue, match=f"^{re.escape(message)}$") as caught:
        Counts.of(given, "released", parties)
    assert caught.value.path == "released"


def test_a_saved_tranche_naming_a_side_twice_is_refused_naming_the_event() -> None:
    talks = Negotiation()
    talks.agree_exchange()
    talks.transfer(Tranche.even(5))
    data = talks.to_dict()
    data["events"][1]["arguments"]["tranche"]["released"] = {"russia": 7, "ukraine": 5, "Russia": 5}
    with pytest.raises(
        InvalidValue,
        match=re.escape("events[1].arguments.tranche: released: 'russia' is named twice"),
    ) as caught:
        Negotiation.from_dict(data)
    assert caught.value.path == "events[1].arguments.tranche.released"
