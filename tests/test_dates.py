"""Dated, sourced events: every move, pledge and withdrawal can carry the day it happened and
the report it comes from; dates never go backwards; ``as_of(day)``; files, journals, pickles."""

from __future__ import annotations

import datetime
import json
import pickle
import shutil
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from processes import CEASEFIRE

import negotiations as ng
from negotiations import InvalidType, InvalidValue, Negotiation, Side, Tranche
from negotiations.testing import negotiations

DATA = Path(__file__).parent / "data"
DATED_FIXTURE = DATA / "v4-article-dated.json"
DAY = datetime.date(2025, 5, 23)


def dated_story(talks: Negotiation | None = None) -> Negotiation:
    """The reported May 2025 exchange, dated and cited, with a pledge that opens the third
    round the day the exchange completes. The frozen dated fixture holds this negotiation."""
    talks = Negotiation() if talks is None else talks
    talks.agree_exchange(date="2025-05-16", citation="Reuters, 16 May 2025")
    talks.pledge(
        Side.RUSSIA, "open_third_round", note="after a prisoner exchange", date="2025-05-16"
    )
    talks.transfer(Tranche.even(270), date="2025-05-23", citation="TASS, 23 May 2025")
    talks.transfer(Tranche.even(120, civilians=True), date="2025-05-23")
    talks.raise_humanitarian_issue("bodies of the fallen")  # undated
    talks.transfer(Tranche.even(307), date="2025-05-24", citation="TASS, 24 May 2025")
    talks.transfer(Tranche.even(303), date="2025-05-25", citation="TASS, 25 May 2025")
    return talks


# -- every move takes a date and a citation -------------------------------------------------


def test_every_move_keeps_its_date_and_citation_on_its_event() -> None:
    talks = Negotiation()
    calls: list[tuple[str, dict[str, Any]]] = [
        ("agree_exchange", {}),
        ("transfer", {"tranche": Tranche.even(1000)}),
        ("raise_humanitarian_issue", {"name": "the missing"}),
        ("resolve_humanitarian_issue", {"name": "the missing"}),
        ("declare_interest", {"side": Side.RUSSIA, "name": "security"}),
        ("acknowledge_interest", {"side": Side.UKRAINE, "name": "security"}),
        ("suspend", {"reason": "consultations"}),
        ("resume", {}),
        ("open_third_round", {}),
        ("convene_leaders", {}),
        ("sign_settlement", {}),
    ]
    for number, (trigger, arguments) in enumerate(calls, start=1):
        day = datetime.date(2025, 6, number)
        event = getattr(talks, trigger)(**arguments, date=day, citation=f"report {number}")
        assert (event.date, event.citation) == (day, f"report {number}")
        assert talks.history[-1] is event
    assert talks.stage is ng.Stage.SETTLEMENT


def test_send_takes_a_date_as_an_iso_string_and_a_citation() -> None:
    talks = Negotiation(CEASEFIRE)
    event = talks.send(CEASEFIRE.triggers[0], date="2015-02-12", citation="Minsk, 12 Feb 2015")
    assert event.date == datetime.date(2015, 2, 12)
    assert event.citation == "Minsk, 12 Feb 2015"


def test_a_dated_cited_event_prints_its_date_first_and_its_citation_last() -> None:
    talks = Negotiation()
    event = talks.agree_exchange(date="2025-05-16", citation="Reuters, 16 May 2025")
    assert str(event) == (
        "2025-05-16: agree_exchange(terms=quota 1000, under 25): talks -> exchange "
        "[Reuters, 16 May 2025]"
    )
    assert repr(event) == str(event)
    undated = talks.transfer(Tranche.even(2, civilians=True))
    assert str(undated) == "transfer(tranche=2 for 2 civilians) in exchange"
    assert (undated.date, undated.citation) == (None, None)


def test_a_refused_move_is_recorded_with_its_date_and_citation() -> None:
    talks = Negotiation()
    talks.agree_exchange()
    with pytest.raises(ng.TransitionBlocked):
        talks.open_third_round(date="2025-05-20", citation="a rumour")
    refused = talks.history[-1]
    assert not refused.accepted
    assert (refused.date, refused.citation) == (datetime.date(2025, 5, 20), "a rumour")


def test_pledges_withdrawals_and_what_pledges_do_carry_the_date_of_their_call() -> None:
    talks = Negotiation()
    talks.agree_exchange(date="2025-05-16")
    kept = talks.pledge(Side.RUSSIA, "open_third_round", date="2025-05-17", citation="Kremlin")
    withdrawn = talks.pledge(Side.UKRAINE, "convene_leaders", date="2025-05-18")
    talks.withdraw(withdrawn, date="2025-05-19", citation="Kyiv")
    talks.transfer(Tranche.even(1000), date="2025-05-25", citation="TASS")
    made = [(e.trigger, e.date, e.citation) for e in talks.history]
    assert made == [
        ("agree_exchange", datetime.date(2025, 5, 16), None),
        ("pledge", datetime.date(2025, 5, 17), "Kremlin"),
        ("pledge", datetime.date(2025, 5, 18), None),
        ("withdraw", datetime.date(2025, 5, 19), "Kyiv"),
        ("transfer", datetime.date(2025, 5, 25), "TASS"),
        # made by the pledge, on the day of the call that let it through; the report cited
        # was about that call, so it carries no citation of its own
        ("open_third_round", datetime.date(2025, 5, 25), None),
    ]
    assert talks.history[-1].pledge == kept


def test_a_pledge_dropped_at_the_end_carries_the_date_of_the_call_that_ended_the_process() -> None:
    talks = Negotiation()
    talks.pledge(Side.RUSSIA, "open_third_round", date="2025-05-17")
    talks.collapse("walked out", date="2025-06-01", citation="Reuters")
    dropped = talks.history[-1]
    assert (dropped.trigger, dropped.date, dropped.citation) == (
        "drop",
        datetime.date(2025, 6, 1),
        None,
    )


# -- bad dates and citations ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("date", "error", "message"),
    [
        (
            datetime.datetime(2025, 5, 23, 14, 30),
            InvalidType,
            "date must be a day, not a datetime with a time of day: give '2025-05-23' or "
            "value.date()",
        ),
        (
            20250523,
            InvalidType,
            "date must be a datetime.date or an ISO date string such as '2025-05-23', not int",
        ),
        (
            "23/05/2025",
            InvalidValue,
            "date must be an ISO date, YYYY-MM-DD such as '2025-05-23', not '23/05/2025'",
        ),
        (
            "20250523",
            InvalidValue,
            "date must be an ISO date, YYYY-MM-DD such as '2025-05-23', not '20250523'",
        ),
        (
            "2025-02-30",
            InvalidValue,
            "date must be a day of the calendar, not '2025-02-30' (day is out of range for month)",
        ),
        (
            "x" * 1000,
            InvalidValue,
            "date must be an ISO date, YYYY-MM-DD such as '2025-05-23', not "
            "'" + "x" * 26 + "…" + "x" * 13 + "' (1000 characters)",
        ),
    ],
)
def test_a_bad_date_is_refused_naming_the_field_and_nothing_changes(
    date: object, error: type[Exception], message: str
) -> None:
    talks = Negotiation()
    talks.agree_exchange(date="2025-05-16")
    before = (talks.state, tuple(talks.history))
    with pytest.raises(error) as raised:
        talks.transfer(Tranche.even(2, civilians=True), date=date)  # type: ignore[arg-type]  # wrong on purpose
    assert str(raised.value) == message
    assert raised.value.path == "date"  # type: ignore[attr-defined]  # both errors have a path
    assert (talks.state, tuple(talks.history)) == before


@pytest.mark.parametrize(
    ("citation", "error", "message"),
    [
        ("  ", InvalidValue, "citation must not be blank"),
        (7, InvalidType, "citation must be a string, not int"),
    ],
)
def test_a_bad_citation_is_refused_naming_the_field_and_nothing_changes(
    citation: object, error: type[Exception], message: str
) -> None:
    talks = Negotiation()
    with pytest.raises(error) as raised:
        talks.agree_exchange(citation=citation)  # type: ignore[arg-type]  # wrong on purpose
    assert str(raised.value) == message
    assert talks.history == ()
    assert talks.stage is ng.Stage.TALKS


def test_a_date_before_the_latest_is_refused_naming_both_dates_and_nothing_changes() -> None:
    talks = Negotiation()
    talks.agree_exchange(date="2025-05-16")
    talks.transfer(Tranche.even(270), date="2025-05-23")
    talks.transfer(Tranche.even(120, civilians=True))  # undated: counts with the 23rd
    before = (talks.state, tuple(talks.history))
    with pytest.raises(InvalidValue) as raised:
        talks.transfer(Tranche.even(307), date="2025-05-22")
    assert str(raised.value) == (
        "date: 2025-05-22 is before 2025-05-23, the date of history[1]; dates never go backwards"
    )
    assert raised.value.path == "date"
    with pytest.raises(InvalidValue, match="dates never go backwards"):
        talks.pledge(Side.RUSSIA, "open_third_round", date="2025-05-01")
    with pytest.raises(InvalidValue, match="dates never go backwards"):
        talks.open_third_round(date=datetime.date(2024, 1, 1))  # before the guard is asked
    assert (talks.state, tuple(talks.history)) == before
    talks.transfer(Tranche.even(307), date="2025-05-23")  # the same day is fine
    assert talks.history[-1].date == DAY


def test_a_refused_move_moves_the_clock_on_as_well() -> None:
    """A refusal is recorded with its date, so a later event cannot be dated before it."""
    talks = Negotiation()
    talks.agree_exchange()
    with pytest.raises(ng.TransitionBlocked):
        talks.open_third_round(date="2025-05-20")
    with pytest.raises(InvalidValue, match="2025-05-19 is before 2025-05-20, the date of history"):
        talks.transfer(Tranche.even(2, civilians=True), date="2025-05-19")


DAYS = st.dates(min_value=datetime.date(2025, 1, 1), max_value=datetime.date(2025, 12, 31))


@given(st.lists(st.none() | DAYS, max_size=25))
def test_dates_in_any_order_are_accepted_in_order_or_refused_with_nothing_changed(
    days: list[datetime.date | None],
) -> None:
    """For any sequence of dates (or none) given to moves that are always possible, a move is
    accepted exactly when its date is not before the latest date so far; a refused one
    changes neither the state nor the history; the accepted dates never go backwards."""
    talks = Negotiation()
    latest: datetime.date | None = None
    for number, day in enumerate(days):
        before = (talks.state, tuple(talks.history))
        if day is not None and latest is not None and day < latest:
            with pytest.raises(InvalidValue, match="dates never go backwards"):
                talks.raise_humanitarian_issue(f"issue {number}", date=day)
            assert (talks.state, tuple(talks.history)) == before
        else:
            talks.raise_humanitarian_issue(f"issue {number}", date=day)
            latest = day if day is not None else latest
    kept = [e.date for e in talks.history if e.date is not None]
    assert kept == sorted(kept)


# -- as_of -----------------------------------------------------------------------------------


def test_as_of_is_the_negotiation_at_the_end_of_that_day() -> None:
    talks = dated_story()
    assert talks.as_of("2025-05-15").history == ()
    assert talks.as_of("2025-05-16").stage is ng.Stage.EXCHANGE
    assert talks.as_of("2025-05-16").pledges == talks.at(2).pledges
    on_23 = talks.as_of(DAY)
    # the undated issue raised after the 23rd's handovers counts with them
    assert [e.trigger for e in on_23.history][-3:] == [
        "transfer",
        "transfer",
        "raise_humanitarian_issue",
    ]
    assert on_23.ledger.released == ng.SideCounts(russia=390, ukraine=390)
    assert talks.as_of("2025-05-24").ledger.released == ng.SideCounts(russia=697, ukraine=697)
    assert talks.as_of("2025-05-25") == talks
    assert talks.as_of("2025-05-25").stage is ng.Stage.THIRD_ROUND
    assert talks.as_of("2030-01-01") == talks


def test_as_of_is_independent_and_keeps_no_journal(tmp_path: Path) -> None:
    with ng.open(tmp_path / "j.jsonl") as kept:
        dated_story(kept)
        earlier = kept.as_of("2025-05-23")
        assert earlier.journal is None
        earlier.transfer(Tranche.even(5), date="2025-05-24")  # a branch, in the exchange
        assert len(kept.history) == len(dated_story().history)


@pytest.mark.parametrize(
    ("day", "error", "message"),
    [
        (None, InvalidType, "date: as_of needs a day, not None"),
        ("May 23", InvalidValue, "date must be an ISO date, YYYY-MM-DD such as"),
        (5, InvalidType, "date must be a datetime.date or an ISO date string"),
    ],
)
def test_as_of_refuses_what_is_not_a_day(day: object, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        dated_story().as_of(day)  # type: ignore[arg-type]  # wrong on purpose


@given(negotiations(max_steps=25, dated=True), DAYS)
def test_as_of_agrees_with_at_on_every_dated_history(
    talks: Negotiation, day: datetime.date
) -> None:
    """For any dated history and any day, as_of(day) is at(k) for the k events it holds; none
    of them is dated after the day, and the event after them (if any) is."""
    assume(any(event.date is not None for event in talks.history) or not talks.history)
    seen = talks.as_of(day)
    k = len(seen.history)
    assert seen == talks.at(k)
    assert all(e.date is None or e.date <= day for e in seen.history)
    if k < len(talks.history):
        following = talks.history[k]
        assert following.date is not None
        assert following.date > day


# -- replay, files and journals --------------------------------------------------------------


def test_dated_events_round_trip_through_json_save_and_replay(tmp_path: Path) -> None:
    talks = dated_story()
    data = talks.to_dict()
    assert data["format"] == 4 == ng.FORMAT
    assert data["events"][0]["date"] == "2025-05-16"
    assert data["events"][0]["citation"] == "Reuters, 16 May 2025"
    undated = next(e for e in data["events"] if e["trigger"] == "raise_humanitarian_issue")
    assert "date" not in undated
    assert "citation" not in undated
    assert Negotiation.from_json(talks.to_json()) == talks
    talks.save(tmp_path / "talks.json")
    assert Negotiation.load(tmp_path / "talks.json") == talks
    assert Negotiation.replay(talks.history) == talks


def test_the_golden_dated_file_is_the_dated_story_and_is_written_back_unchanged(
    tmp_path: Path,
) -> None:
    talks = Negotiation.load(DATED_FIXTURE)
    assert talks == dated_story()
    talks.save(tmp_path / "again.json")
    assert (tmp_path / "again.json").read_bytes() == DATED_FIXTURE.read_bytes()


def test_a_file_whose_dates_go_backwards_is_refused_naming_the_event() -> None:
    data = dated_story().to_dict()
    data["events"][3]["date"] = "2025-05-10"
    with pytest.raises(InvalidValue) as raised:
        Negotiation.from_dict(data)
    assert str(raised.value) == (
        "events[3].date: 2025-05-10 is before 2025-05-23, the date of events[2]; dates never "
        "go backwards"
    )
    assert raised.value.path == "events[3].date"


def test_a_file_with_a_date_that_is_not_one_is_refused_naming_the_event() -> None:
    data = dated_story().to_dict()
    data["events"][2]["date"] = "23 May"
    with pytest.raises(InvalidValue) as raised:
        Negotiation.from_dict(data)
    assert str(raised.value) == (
        "events[2].date must be an ISO date, YYYY-MM-DD such as '2025-05-23', not '23 May'"
    )
    assert raised.value.path == "events[2].date"


def test_replayed_events_whose_dates_go_backwards_are_refused_naming_the_event() -> None:
    events = list(dated_story().history)
    events[2], events[3] = events[3], events[2]  # the civilians (undated) before the 23rd
    shuffled = [*events[:5], events[6], events[5], *events[7:]]
    with pytest.raises(InvalidValue) as raised:
        Negotiation.replay(shuffled)
    assert str(raised.value) == (
        "events[6].date: 2025-05-24 is before 2025-05-25, the date of events[5]; dates never "
        "go backwards"
    )


@pytest.mark.parametrize("version", [1, 2, 3])
def test_a_date_in_a_file_older_than_format_4_is_refused(version: int) -> None:
    data = json.loads((DATA / "v2-article.json").read_text(encoding="utf-8"))
    data["format"] = version
    if version == 1:
        del data["process"]
    data["events"][1]["date"] = "2025-05-23"
    with pytest.raises(InvalidValue) as raised:
        Negotiation.from_dict(data)
    assert str(raised.value) == (
        f"events[1]: a date or citation in a format {version} file (dates came with format 4)"
    )


def test_older_files_load_with_no_dates() -> None:
    talks = Negotiation.load(DATA / "v3-article.json")
    assert all(e.date is None and e.citation is None for e in talks.history)


def test_a_journal_keeps_dates_and_citations_and_refuses_going_back(tmp_path: Path) -> None:
    path = tmp_path / "talks.jsonl"
    with ng.open(path) as kept:
        dated_story(kept)
        size = path.stat().st_size
        with pytest.raises(InvalidValue, match="dates never go backwards"):
            kept.raise_humanitarian_issue("the missing", date="2025-05-24")
        assert path.stat().st_size == size  # nothing written for a refused date
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert lines[0]["journal"] == {"format": 4, "process": "article"}
    assert lines[1]["event"]["date"] == "2025-05-16"
    with ng.open(path) as again:
        assert again == dated_story()
        again.raise_humanitarian_issue(
            "the missing", date="2025-05-26"
        )  # goes on from the latest date
        with pytest.raises(InvalidValue, match="the date of history"):
            again.transfer(Tranche.even(5), date="2025-05-25")


def test_a_dated_line_in_a_format_3_journal_is_refused(tmp_path: Path) -> None:
    from negotiations._journal import _line  # the one way a journal line is written

    path = tmp_path / "old.jsonl"
    shutil.copyfile(DATA / "journal-article-v3.jsonl", path)
    text = path.read_bytes()
    head = json.loads(text.splitlines()[-1])["sha"]
    event = {"trigger": "raise_humanitarian_issue", "accepted": False, "source": "settlement"}
    line, _ = _line(head, "event", {**event, "dest": "settlement", "date": "2025-05-23"})
    path.write_bytes(text + line)
    with pytest.raises(ng.JournalCorrupted) as raised:
        ng.open(path)
    lines = text.count(b"\n") + 1
    assert str(raised.value) == (f"{path}: line {lines}: a date or citation in a format 3 journal")


# -- pickle ----------------------------------------------------------------------------------


def test_a_negotiation_pickles_through_its_saved_form() -> None:
    talks = dated_story()
    again = pickle.loads(pickle.dumps(talks))
    assert again == talks
    assert again.process is ng.PROCESS
    assert again.pledges == talks.pledges or not talks.pledges
    again.raise_humanitarian_issue("the missing", date="2025-05-26")  # an independent negotiation
    assert len(again.history) == len(talks.history) + 1


def test_a_negotiation_of_another_process_pickles_with_its_process() -> None:
    talks = Negotiation(CEASEFIRE)
    talks.send(CEASEFIRE.triggers[0], date="2015-02-12")
    again = pickle.loads(pickle.dumps(talks))
    assert again == talks
    assert again.process == CEASEFIRE


def test_a_journaled_negotiation_pickles_as_a_detached_copy(tmp_path: Path) -> None:
    path = tmp_path / "talks.jsonl"
    with ng.open(path) as kept:
        dated_story(kept)
        copy = pickle.loads(pickle.dumps(kept))
    assert copy.journal is None
    assert copy == dated_story()
    size = path.stat().st_size
    copy.raise_humanitarian_issue(
        "the missing", date="2025-05-26"
    )  # kept nowhere: the journal is unchanged
    assert path.stat().st_size == size


def test_a_pickled_negotiation_crosses_a_process_pool() -> None:
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        back = pool.apply(_played, ())
    assert back == dated_story()


def _played() -> Negotiation:
    return dated_story()


def test_as_of_refuses_a_history_with_events_but_no_date() -> None:
    """An analyst who forgot to date the events gets told, not a plausible answer."""
    talks = Negotiation()
    assert talks.as_of("2025-05-01").history == ()  # nothing happened: nothing to date
    talks.agree_exchange()
    with pytest.raises(InvalidValue) as raised:
        talks.as_of("2025-05-01")
    assert str(raised.value) == (
        "as_of needs dated events, and none of the 1 event(s) of this negotiation has a date; "
        "at(k) goes by position"
    )


def test_a_long_or_broken_citation_prints_on_one_short_line_and_is_kept_whole() -> None:
    talks = Negotiation()
    citation = "Reuters,\n23 May 2025: " + "a very long report " * 40
    event = talks.agree_exchange(citation=citation)
    line = str(event)
    assert "\n" not in line
    assert line.endswith(f"({len(' '.join(citation.split()))} characters)]")
    assert len(line) < 200
    assert event.citation == citation
    assert Negotiation.from_json(talks.to_json()).history[0].citation == citation


# -- what pledges do by themselves is dated by its call --------------------------------------


def _pledged_then_fired(talks: Negotiation | None = None) -> Negotiation:
    talks = Negotiation() if talks is None else talks
    talks.agree_exchange(date="2025-05-16")
    talks.pledge(Side.RUSSIA, "open_third_round", date="2025-05-16")
    talks.transfer(Tranche.even(1000), date="2025-05-23")  # the pledge fires in this call
    return talks


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"date": "2025-05-25"},
            "events[3].date: a move a pledge made by itself carries the date of the call that "
            "let it through (dated 2025-05-23), not 2025-05-25",
        ),
        (
            {"citation": "TASS"},
            "events[3].citation: a move a pledge made by itself carries no citation (the "
            "call's report covers it)",
        ),
    ],
)
def test_a_pledged_move_dated_or_cited_apart_from_its_call_is_refused_on_load_and_replay(
    change: dict[str, str], message: str
) -> None:
    """Loading and replay refuse what the library never writes: a move a pledge made, dated
    other than its call (as_of would then cut the call in two), or cited."""
    talks = _pledged_then_fired()
    data = talks.to_dict()
    data["events"][3].update(change)
    with pytest.raises(InvalidValue) as raised:
        Negotiation.from_dict(data)
    assert str(raised.value) == message
    events = list(talks.history)
    events[3] = attrs.evolve(events[3], **change)
    with pytest.raises(InvalidValue) as replayed:
        Negotiation.replay(events)
    assert str(replayed.value) == message


def test_a_drop_dated_apart_from_the_call_that_ended_the_process_is_refused() -> None:
    talks = Negotiation()
    talks.pledge(Side.RUSSIA, "open_third_round", date="2025-05-17")
    talks.collapse("walked out", date="2025-06-01")
    data = talks.to_dict()
    del data["events"][2]["date"]
    with pytest.raises(InvalidValue) as raised:
        Negotiation.from_dict(data)
    assert str(raised.value) == (
        "events[2].date: a drop by itself carries the date of the call that let it through "
        "(dated 2025-06-01), not none"
    )


def test_a_journal_line_whose_pledged_move_is_dated_apart_is_refused(tmp_path: Path) -> None:
    from negotiations._journal import _line  # the one way a journal line is written

    path = tmp_path / "talks.jsonl"
    with ng.open(path) as kept:
        _pledged_then_fired(kept)
    lines = path.read_bytes().splitlines(keepends=True)
    record = json.loads(lines[-1])
    record["events"][1]["date"] = "2025-05-25"
    line, _ = _line(record["prev"], "events", record["events"])
    path.write_bytes(b"".join(lines[:-1]) + line)
    with pytest.raises(ng.JournalCorrupted) as raised:
        ng.open(path)
    assert str(raised.value) == (
        f"{path}: line {len(lines)}: events[1].date: a move a pledge made by itself carries "
        "the date of the call that let it through (dated 2025-05-23), not 2025-05-25"
    )


@pytest.mark.parametrize(
    ("name", "kind"), [("date", "an ISO date string"), ("citation", "a string")]
)
def test_a_null_date_or_citation_in_a_file_is_refused(name: str, kind: str) -> None:
    """Both are written only when there is one, so a null is no way to say there is none."""
    data = dated_story().to_dict()
    for at in (0, 4):  # an event that has one, and one that has none
        changed = json.loads(json.dumps(data))
        changed["events"][at][name] = None
        with pytest.raises(InvalidValue) as raised:
            Negotiation.from_dict(changed)
        assert str(raised.value) == f"events[{at}].{name} must be {kind}, not null"
        assert raised.value.path == f"events[{at}].{name}"


def test_a_backwards_date_in_a_journal_names_the_earlier_line_without_the_file_again(
    tmp_path: Path,
) -> None:
    from negotiations._journal import _line  # the one way a journal line is written

    path = tmp_path / "talks.jsonl"
    with ng.open(path) as kept:
        kept.agree_exchange(date="2025-05-30")
    record = json.loads(path.read_bytes().splitlines()[-1])
    event = {
        "trigger": "suspend",
        "accepted": True,
        "source": "exchange",
        "dest": "suspended",
        "arguments": {"reason": "consultations"},
        "date": "2025-05-17",
    }
    line, _ = _line(record["sha"], "event", event)
    path.write_bytes(path.read_bytes() + line)
    with pytest.raises(ng.JournalCorrupted) as raised:
        ng.open(path)
    assert str(raised.value) == (
        f"{path}: line 3: event.date: 2025-05-17 is before 2025-05-30, the date of line 2: "
        "event; dates never go backwards"
    )
