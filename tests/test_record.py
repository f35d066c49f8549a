"""The reported 2025 record ships as data and replays to the documented stages and ledger on
its dates; every event is dated and cited, and every figure not reported is marked."""

from __future__ import annotations

import datetime
import tomllib
from importlib.resources import files

import pytest

import negotiations as ng
from negotiations import ExchangeTerms, Side, Stage
from negotiations._cli import main
from negotiations._record import RECORD_FILE, reported_events

#: On each day: the stage, how many each side had released, how many tranches, the quota
#: every exchange agreed so far adds up to, and whether that exchange was complete.
ON = {
    "2025-05-15": (Stage.TALKS, 0, 0, None, False),
    "2025-05-16": (Stage.EXCHANGE, 0, 0, 1000, False),
    "2025-05-23": (Stage.EXCHANGE, 390, 2, 1000, False),
    "2025-05-24": (Stage.EXCHANGE, 697, 3, 1000, False),
    "2025-05-25": (Stage.EXCHANGE, 1000, 4, 1000, True),
    "2025-06-02": (Stage.EXCHANGE, 1000, 4, 2000, False),
    "2025-07-22": (Stage.EXCHANGE, 2000, 12, 2000, True),
    "2025-07-23": (Stage.THIRD_ROUND, 2000, 12, 3200, False),
    "2025-12-31": (Stage.THIRD_ROUND, 2000, 12, 3200, False),
}


def raw_events() -> list[dict[str, object]]:
    text = files("negotiations").joinpath(RECORD_FILE).read_text(encoding="utf-8")
    events: list[dict[str, object]] = tomllib.loads(text)["events"]
    return events


@pytest.mark.parametrize("day", ON)
def test_the_record_stands_as_documented_on_each_day(day: str) -> None:
    stage, released, tranches, quota, complete = ON[day]
    talks = ng.record_2025().as_of(day)
    assert talks.stage is stage
    assert talks.ledger.released == {Side.RUSSIA: released, Side.UKRAINE: released}
    assert talks.ledger.tranches == tranches
    assert (talks.terms.quota if talks.terms else None) == quota
    assert talks.exchange_complete is complete


def test_the_exchange_of_23_may_hands_civilians_over_separately() -> None:
    day = ng.record_2025().as_of("2025-05-23")
    assert day.ledger.civilians == {Side.RUSSIA: 120, Side.UKRAINE: 120}
    soldiers, civilians = (e.arguments["tranche"] for e in day.history[1:3])
    assert (soldiers.size, soldiers.civilians) == (270, False)
    assert (civilians.size, civilians.civilians) == (120, True)


def test_the_record_ends_in_the_third_round_with_three_agreements() -> None:
    talks = ng.record_2025()
    assert talks.agreements == (
        ExchangeTerms(quota=1000),
        ExchangeTerms(quota=1000),
        ExchangeTerms(quota=1200),
    )
    assert talks.pledges == ()
    assert all(event.accepted for event in talks.history)
    assert [e.trigger for e in talks.history if e.trigger != "transfer"] == [
        "agree_exchange",
        "agree_exchange",
        "open_third_round",
        "agree_exchange",
    ]
    assert talks.history[-2].date == datetime.date(2025, 7, 23)


def test_every_event_has_a_date_and_a_citation() -> None:
    talks = ng.record_2025()
    assert len(talks.history) == len(reported_events()) == 16
    for event, reported in zip(talks.history, reported_events(), strict=True):
        assert event.date == reported.date
        assert event.citation == reported.cited
        marked = event.citation.endswith("; count illustrative: not made public")
        assert marked is reported.illustrative  # the history says which counts are not reported
        assert event.citation.startswith("Reuters, ")
        assert str(event.date.day) in event.citation
    dates = [event.date for event in talks.history]
    assert dates == sorted(dates)


def test_every_figure_not_reported_is_marked_illustrative_in_the_data() -> None:
    """The tranches of the further exchange, June to July, had no published counts."""
    for event in raw_events():
        day = event["date"]
        assert isinstance(day, datetime.date)
        unreported = event["trigger"] == "transfer" and day > datetime.date(2025, 5, 25)
        assert event.get("illustrative", False) is unreported, event
        if unreported:
            assert "illustrative" in str(event["note"])
    marked = [e for e in reported_events() if e.illustrative]
    assert len(marked) == 8
    assert all(e.note for e in marked)


def test_the_record_holds_no_pledge() -> None:
    """Putin's pledge would open the third round on 25 May; the third round met in July."""
    assert all(event["trigger"] in ng.PROCESS.triggers for event in raw_events())
    assert ng.record_2025().as_of("2025-05-25").stage is Stage.EXCHANGE


def test_each_call_replays_a_new_equal_negotiation() -> None:
    first, second = ng.record_2025(), ng.record_2025()
    assert first == second
    assert first is not second
    assert ng.Negotiation.from_json(first.to_json()) == first


def test_the_demo_shows_the_record(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--record"]) == 0
    out = capsys.readouterr().out
    assert "2025-05-23   First day of the exchange: 120 civilians for 120" in out
    assert "2025-06-09 * The further exchange begins" in out
    assert "(Reuters, 23 July 2025)" in out
    assert "-> third_round; exchange Russia 2000/3200, Ukraine 2000/3200" in out
