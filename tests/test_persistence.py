"""History you can trust: saving, loading, migrating, journaling and time travel.

Every way of writing a negotiation down and reading it back (JSON, a saved
file, a replay of the history, a journal written move by move) must give back
the same negotiation: the same stage, ledger, history and answer to
``blockers`` for every trigger. The saved format is pinned by a JSON Schema and
by frozen files in ``tests/data``, so it cannot change by accident.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

import negotiations as ng
from negotiations import (
    PROCESS,
    InvalidValue,
    Negotiation,
    Side,
    Stage,
    Tranche,
    TransitionBlocked,
)
from negotiations._pledging import pledgeable
from negotiations._story import ARTICLE_STORY, play
from negotiations.testing import negotiations

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
V1_FIXTURE = DATA / "v1-article.json"
V2_FIXTURE = DATA / "v2-article.json"
V3_FIXTURE = DATA / "v3-article.json"
JOURNAL_FIXTURE = DATA / "journal-article.jsonl"
JOURNAL_V3_FIXTURE = DATA / "journal-article-v3.jsonl"
JOURNAL_V2_FIXTURE = DATA / "journal-article-v2.jsonl"
SCHEMA = ROOT / "docs" / "schema" / "negotiation.schema.json"
SCHEMA_V3 = ROOT / "docs" / "schema" / "negotiation-v3.schema.json"
SCHEMA_V2 = ROOT / "docs" / "schema" / "negotiation-v2.schema.json"
SCHEMA_V1 = ROOT / "docs" / "schema" / "negotiation-v1.schema.json"

#: Histories long enough to reach every stage, short enough to keep the suite quick.
histories = negotiations(max_steps=30, dated=True)


def validator(path: Path) -> jsonschema.Draft202012Validator:
    schema = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


VALIDATOR = validator(SCHEMA)  # the current format
V3_VALIDATOR = validator(SCHEMA_V3)
V2_VALIDATOR = validator(SCHEMA_V2)
V1_VALIDATOR = validator(SCHEMA_V1)


def assert_same(restored: Negotiation, original: Negotiation) -> None:
    """Equal in every way a user can observe: stage, ledger, history, every trigger's blockers."""
    assert restored.stage is original.stage
    assert restored.ledger == original.ledger
    assert restored.history == original.history
    for trigger in PROCESS.triggers:
        assert restored.blockers(trigger) == original.blockers(trigger), trigger
    assert restored.allowed() == original.allowed()
    assert restored == original


@contextlib.contextmanager
def scratch() -> Iterator[Path]:
    """A fresh folder per Hypothesis example (function-scoped fixtures are shared between them)."""
    with tempfile.TemporaryDirectory() as folder:
        yield Path(folder)


def write_move_by_move(journaled: Negotiation, history: tuple[ng.Event, ...]) -> None:
    """Make each recorded call again on ``journaled``, refusals included: moves, pledges and
    withdrawals (what pledges did by themselves happens by itself again)."""
    for event in history:
        pledge = event.pledge
        when = {"date": event.date, "citation": event.citation}
        if event.trigger == "pledge":
            assert pledge is not None
            journaled.pledge(pledge.side, pledge.trigger, note=pledge.note, **when)
        elif event.trigger == "withdraw":
            (waiting,) = (p for p in journaled.pledges if p == pledge)
            journaled.withdraw(waiting, **when)
        elif pledge is None:
            with contextlib.suppress(TransitionBlocked):
                journaled.send(event.trigger, **event.arguments, **when)


def fixture_data(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def story() -> Negotiation:
    """The negotiation the frozen version 2 fixtures hold."""
    return Negotiation.load(V2_FIXTURE)


INTERESTS = "Russia's interests taken into account"


def pledged_story(talks: Negotiation | None = None) -> Negotiation:
    """The article's story with its two pledges, then the settlement with every kind of
    pledge event: one made and carried out at once, one withdrawn, one dropped at the end.
    The frozen version 3 fixtures hold this negotiation."""
    talks = Negotiation() if talks is None else talks
    for _ in play(ARTICLE_STORY, talks):
        pass
    talks.declare_interest(Side.RUSSIA, INTERESTS)
    talks.pledge(Side.UKRAINE, "sign_settlement", note="once Russia's interests are heard")
    withdrawn = talks.pledge(Side.RUSSIA, "sign_settlement")
    talks.withdraw(withdrawn)
    talks.pledge(Side.RUSSIA, "open_third_round", note="a move that can no longer be made")
    talks.suspend("consultations in capitals")
    talks.resume()
    talks.acknowledge_interest(Side.UKRAINE, INTERESTS)  # the settlement follows by itself
    return talks


# -- round trips ----------------------------------------------------------------------------


@given(histories)
def test_json_round_trip_restores_an_equal_negotiation(talks: Negotiation) -> None:
    """For any history, from_json(to_json(n)) is n in stage, ledger, history and blockers."""
    assert_same(Negotiation.from_json(talks.to_json()), talks)


@given(histories)
def test_save_then_load_restores_an_equal_negotiation(talks: Negotiation) -> None:
    """For any history, load(save(n)) is n, and saving leaves only the saved file behind."""
    with scratch() as folder:
        path = folder / "talks.json"
        talks.save(path)
        assert_same(Negotiation.load(path), talks)
        assert [p.name for p in folder.iterdir()] == ["talks.json"]


@given(histories)
def test_replaying_the_history_rebuilds_the_negotiation(talks: Negotiation) -> None:
    """For any history, replay(n.history) is n: the state is a fold over the events."""
    assert_same(Negotiation.replay(talks.history), talks)


@given(histories)
def test_a_journal_written_move_by_move_reopens_equal(talks: Negotiation) -> None:
    """Making n's moves one by one on a journaled negotiation, then reopening the file, gives n."""
    with scratch() as folder:
        path = folder / "talks.jsonl"
        with ng.open(path) as journaled:
            write_move_by_move(journaled, talks.history)
            assert_same(journaled, talks)
        with ng.open(path) as reopened:
            assert_same(reopened, talks)


# -- time travel ----------------------------------------------------------------------------


@given(histories)
def test_at_k_is_the_replay_of_the_first_k_events_and_index_error_beyond(
    talks: Negotiation,
) -> None:
    """For every k from -len to len, at(k) equals replay(history[:k]), as in slicing; for
    |k| > len it raises IndexError."""
    history = talks.history
    for k in range(-len(history), len(history) + 1):
        assert_same(talks.at(k), Negotiation.replay(history[:k]))
    assert_same(talks.at(len(history)), talks)
    assert talks.at(0) == Negotiation()
    with pytest.raises(IndexError, match="k"):
        talks.at(len(history) + 1)
    with pytest.raises(IndexError, match="k"):
        talks.at(-len(history) - 1)


@given(histories, st.data())
def test_branching_a_what_if_from_at_k_leaves_the_original_unchanged(
    talks: Negotiation, data: st.DataObject
) -> None:
    """Whatever moves are made on at(k), the negotiation it came from stays exactly as it was."""
    before = talks.to_dict()
    twin = Negotiation.from_dict(before)
    k = data.draw(st.integers(-len(talks.history), len(talks.history)), label="k")
    branch = talks.at(k)
    for trigger in data.draw(st.lists(st.sampled_from(PROCESS.triggers), max_size=3)):
        with contextlib.suppress(ng.NegotiationError):
            branch.send(trigger, **_arguments_for(trigger))
    if not branch.finished:
        branch.collapse("what if the talks broke down here")
        assert branch.stage is Stage.COLLAPSED
    assert talks.to_dict() == before
    assert_same(talks, twin)


def _arguments_for(trigger: str) -> dict[str, object]:
    simple: dict[str, object] = {
        "terms": ng.ExchangeTerms(quota=3),
        "tranche": Tranche.even(1),
        "side": ng.Side.RUSSIA,
        "name": "what if",
        "reason": "what if",
    }
    parameters = next(move.parameters for move in PROCESS.moves if move.trigger == trigger)
    return {name: simple[name] for name in parameters}


def test_at_of_a_journaled_negotiation_has_no_journal_and_never_writes_to_the_file(
    tmp_path: Path,
) -> None:
    path = tmp_path / "talks.jsonl"
    shutil.copyfile(JOURNAL_FIXTURE, path)
    with ng.open(path) as journaled:
        written = path.read_bytes()
        back = journaled.at(3)
        assert back.stage is Stage.EXCHANGE
        back.collapse("a what if")
        back.close()  # nothing to close: harmless
        assert path.read_bytes() == written
        assert journaled.stage is Stage.SETTLEMENT
    # The branch outlives the journal it came from: it was never tied to it.
    after = back.at(-1)
    after.collapse("another what if")
    assert path.read_bytes() == written


def test_at_refuses_a_k_that_is_not_a_whole_number() -> None:
    talks = story()
    with pytest.raises(TypeError, match="k"):
        talks.at(True)
    with pytest.raises(TypeError, match="k"):
        talks.at(1.0)  # type: ignore[arg-type]


# -- the schema -----------------------------------------------------------------------------


@given(histories)
def test_every_saved_negotiation_fits_the_schema(talks: Negotiation) -> None:
    """For any history, to_dict() validates against docs/schema/negotiation.schema.json."""
    VALIDATOR.validate(talks.to_dict())


def test_the_schemas_are_valid_draft_2020_12() -> None:
    for path in (SCHEMA, SCHEMA_V3, SCHEMA_V2, SCHEMA_V1):
        schema = fixture_data(path)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        jsonschema.Draft202012Validator.check_schema(schema)


def test_the_schema_names_every_trigger_stage_and_rule_of_the_process() -> None:
    definitions = fixture_data(SCHEMA)["$defs"]
    assert definitions["event"]["properties"]["trigger"]["enum"] == [
        *PROCESS.triggers,
        "pledge",
        "withdraw",
        "drop",
    ]
    assert definitions["pledge"]["properties"]["trigger"]["enum"] == [
        trigger for trigger in PROCESS.triggers if trigger in pledgeable(PROCESS.engine)
    ]
    assert definitions["stage"]["enum"] == [stage.value for stage in Stage]
    assert set(definitions["blocker"]["properties"]["rule"]["enum"]) == {
        rule.id for rule in ng.RULES
    }


def test_the_version_1_fixture_fits_the_version_1_schema_only() -> None:
    old = fixture_data(V1_FIXTURE)
    V1_VALIDATOR.validate(old)
    assert not V2_VALIDATOR.is_valid(old)
    assert not VALIDATOR.is_valid(old)
    assert not V1_VALIDATOR.is_valid(fixture_data(V2_FIXTURE))


def test_the_version_2_fixture_fits_the_version_2_schema_only() -> None:
    older = fixture_data(V2_FIXTURE)
    V2_VALIDATOR.validate(older)
    assert not VALIDATOR.is_valid(older)
    assert not V3_VALIDATOR.is_valid(older)


def test_the_version_3_fixture_fits_the_version_3_schema_only() -> None:
    older = fixture_data(V3_FIXTURE)
    V3_VALIDATOR.validate(older)
    assert not VALIDATOR.is_valid(older)
    assert not V2_VALIDATOR.is_valid(older)


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (lambda d: d.update(extra=1), "an unknown top-level field"),
        (lambda d: d.pop("process"), "no process"),
        (lambda d: d.update(process="other"), "another process"),
        (lambda d: d.update(stage="limbo"), "an unknown stage"),
        (lambda d: d["events"][0].update(trigger="surrender"), "an unknown trigger"),
        (lambda d: d["events"][0].update(note="x"), "an unknown event field"),
        (lambda d: d["events"][0]["arguments"].update(reason="x"), "an argument not taken"),
        (lambda d: d["events"][0]["arguments"].pop("name"), "a missing argument"),
        (lambda d: d["events"][0]["arguments"].update(side="belarus"), "an unknown side"),
        (lambda d: d["events"][0]["arguments"].update(name=" "), "a blank name"),
        (lambda d: d["events"][2]["arguments"]["terms"].update(age_limit=0), "age limit 0"),
        (
            lambda d: d["events"][4]["arguments"]["tranche"]["prisoners"][0].update(age=-1),
            "a negative age",
        ),
        (
            lambda d: d["events"][4]["arguments"]["tranche"]["prisoners"][0].pop("held_by"),
            "a prisoner without the side holding them",
        ),
        (
            lambda d: d["events"][5]["arguments"]["tranche"]["released"].update(russia=0),
            "an empty tranche",
        ),
        (lambda d: d["events"][7].pop("blockers"), "a refusal without blockers"),
        (lambda d: d["events"][7].update(blockers=[]), "a refusal with no blockers listed"),
        (lambda d: d["events"][7]["blockers"][0].update(rule="made.up"), "an unknown rule"),
        (lambda d: d["events"][7]["blockers"][0].pop("message"), "a blocker without message"),
        (
            lambda d: d["events"][0].update(blockers=d["events"][7]["blockers"]),
            "an accepted move with blockers",
        ),
    ],
)
def test_the_schema_refuses_a_malformed_file(change: Any, why: str) -> None:
    data = fixture_data(V2_FIXTURE)
    V2_VALIDATOR.validate(data)
    change(data)
    assert not V2_VALIDATOR.is_valid(data), why


# -- migration and golden files -------------------------------------------------------------


def test_saved_blockers_leave_out_the_rules_citation_and_loading_puts_it_back() -> None:
    talks = story()
    refused = [event for event in talks.to_dict()["events"] if not event["accepted"]]
    assert refused
    assert all(blocker.keys() == {"rule", "message"} for e in refused for blocker in e["blockers"])
    assert Negotiation.from_dict(talks.to_dict()).history == talks.history
    assert all(
        blocker.source == ng.PROCESS.rule(blocker.rule).source
        for event in talks.history
        for blocker in event.blockers
    )


def test_a_blocker_citing_other_words_than_its_rule_is_refused() -> None:
    data = story().to_dict()
    refusal = next(event for event in data["events"] if not event["accepted"])
    refusal["blockers"][0]["source"] = 'article line 1: "something else"'
    with pytest.raises(ng.InvalidValue, match=r"events\[\d+\]\.blockers"):
        Negotiation.from_dict(data)


def test_a_version_1_file_loads_as_the_same_negotiation_as_version_2() -> None:
    old = Negotiation.load(V1_FIXTURE)
    assert_same(old, story())
    assert old.stage is Stage.SETTLEMENT


def test_a_migrated_version_1_file_is_written_back_in_the_current_format() -> None:
    data = Negotiation.load(V1_FIXTURE).to_dict()
    assert data["format"] == 4 == ng.FORMAT
    assert data["process"] == "article"
    old = fixture_data(V1_FIXTURE)
    assert data["events"] == fixture_data(V2_FIXTURE)["events"]  # same story, compact form
    assert len(data["events"]) == len(old["events"])
    assert data["stage"] == old["stage"]


def test_the_golden_version_2_file_loads_and_is_written_back_as_format_4_unchanged() -> None:
    golden = fixture_data(V2_FIXTURE)
    talks = Negotiation.load(V2_FIXTURE)
    assert talks.to_dict() == {**golden, "format": 4}
    assert json.loads(talks.to_json()) == {**golden, "format": 4}
    assert Negotiation.from_json(V2_FIXTURE.read_bytes()) == talks


def test_the_golden_file_holds_the_whole_article_story() -> None:
    talks = story()
    assert talks.stage is Stage.SETTLEMENT
    assert talks.ledger.released == {ng.Side.RUSSIA: 1000, ng.Side.UKRAINE: 1000}
    assert talks.ledger.civilians == {ng.Side.RUSSIA: 3, ng.Side.UKRAINE: 3}
    assert talks.ledger.tranches == 4
    kursk = talks.history[4].arguments["tranche"].prisoners
    assert {p.origin for p in kursk if p.held_by is ng.Side.UKRAINE} == {"Kursk Oblast"}
    refused = [(e.trigger, e.source) for e in talks.history if not e.accepted]
    assert refused == [
        ("open_third_round", Stage.EXCHANGE),
        ("convene_leaders", Stage.THIRD_ROUND),
        ("sign_settlement", Stage.LEADERS_MEETING),
    ]
    triggers = {e.trigger for e in talks.history}
    assert {"suspend", "resume", "raise_humanitarian_issue", "resolve_humanitarian_issue"} <= (
        triggers
    )
    assert all(interest.acknowledged for interest in talks.interests)


@pytest.mark.parametrize("golden", [JOURNAL_FIXTURE, JOURNAL_V3_FIXTURE])
def test_the_golden_journal_reopens_as_the_same_negotiation(tmp_path: Path, golden: Path) -> None:
    """The journal of the pledged story, in this format and in format 3, reopens as that
    negotiation, and opening it changes no byte."""
    path = tmp_path / "journal.jsonl"
    shutil.copyfile(golden, path)
    with ng.open(path) as journaled:
        assert_same(journaled, pledged_story())
    assert path.read_bytes() == golden.read_bytes()


def test_the_golden_journal_is_what_a_journal_of_the_same_moves_writes(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    with ng.open(path) as journaled:
        pledged_story(journaled)
    assert path.read_bytes() == JOURNAL_FIXTURE.read_bytes()
    lines = [json.loads(line) for line in JOURNAL_FIXTURE.read_text(encoding="utf-8").splitlines()]
    assert lines[0]["journal"] == {"format": 4, "process": "article"}
    # A call and what its pledges did at once share a line: all kept, or none.
    batches = [[e["trigger"] for e in line["events"]] for line in lines if "events" in line]
    assert batches == [
        ["transfer", "open_third_round"],
        ["resolve_humanitarian_issue", "convene_leaders"],
        ["acknowledge_interest", "sign_settlement", "drop"],
    ]


def test_the_golden_version_3_file_is_the_pledged_story_and_is_written_back_as_format_4(
    tmp_path: Path,
) -> None:
    """A format 3 file loads as the same negotiation; saved again, only its format changes."""
    golden = fixture_data(V3_FIXTURE)
    V3_VALIDATOR.validate(golden)
    talks = Negotiation.load(V3_FIXTURE)
    assert_same(talks, pledged_story())
    assert talks.to_dict() == {**golden, "format": 4}
    talks.save(tmp_path / "again.json")
    assert (tmp_path / "again.json").read_bytes() == V3_FIXTURE.read_bytes().replace(
        b'{"format": 3,', b'{"format": 4,', 1
    )


def test_a_version_2_journal_reopens_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    shutil.copyfile(JOURNAL_V2_FIXTURE, path)
    with ng.open(path) as journaled:
        assert_same(journaled, story())
    assert path.read_bytes() == JOURNAL_V2_FIXTURE.read_bytes()  # opening changes nothing
    with ng.open(path) as journaled, pytest.raises(ng.TransitionNotAllowed):
        journaled.pledge(Side.RUSSIA, "sign_settlement")  # the settlement is signed
    assert path.read_bytes() == JOURNAL_V2_FIXTURE.read_bytes()  # nor does a refusal


def test_a_version_2_journal_marks_where_format_4_begins(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    shutil.copyfile(JOURNAL_V2_FIXTURE, path)
    old = path.read_bytes()
    # Cut the last line (the settlement), so that moves can still be made.
    cut = old[: old.rstrip(b"\n").rfind(b"\n") + 1]
    path.write_bytes(cut)
    with ng.open(path) as journaled:
        journaled.pledge(Side.UKRAINE, "sign_settlement")  # possible now: made at once
        assert journaled.stage is Stage.SETTLEMENT
    added = path.read_bytes()[len(cut) :].splitlines()
    assert len(added) == 2
    assert json.loads(added[0])["journal"] == {"format": 4, "process": "article"}
    assert [e["trigger"] for e in json.loads(added[1])["events"]] == ["pledge", "sign_settlement"]
    with ng.open(path) as again:
        assert again.stage is Stage.SETTLEMENT
        assert again.history[-1].pledge == ng.Pledge(1, Side.UKRAINE, "sign_settlement")


def test_a_move_refused_as_not_allowed_is_not_written_to_a_reopened_journal(
    tmp_path: Path,
) -> None:
    path = tmp_path / "journal.jsonl"
    shutil.copyfile(JOURNAL_FIXTURE, path)
    with ng.open(path) as journaled, pytest.raises(ng.TransitionNotAllowed):
        journaled.collapse("too late: the settlement is signed")
    assert path.read_bytes() == JOURNAL_FIXTURE.read_bytes()


# -- atomic saving --------------------------------------------------------------------------


def test_save_overwrites_an_existing_file_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "talks.json"
    Negotiation().save(path)
    talks = story()
    talks.save(path)
    assert Negotiation.load(path) == talks
    assert [p.name for p in tmp_path.iterdir()] == ["talks.json"]


def test_a_failed_save_leaves_the_old_file_intact_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "talks.json"
    story().save(path)
    old = path.read_bytes()

    def refuse(src: object, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError, match="disk full"):
        Negotiation().save(path)
    monkeypatch.undo()
    assert path.read_bytes() == old
    assert [p.name for p in tmp_path.iterdir()] == ["talks.json"]


def test_a_failed_first_save_leaves_no_file_at_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(src: object, dst: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    monkeypatch.setattr(os, "link", refuse)  # a new file is linked into place
    with pytest.raises(ng.StorageError, match="no space left on the device"):
        story().save(tmp_path / "talks.json")
    monkeypatch.undo()
    assert list(tmp_path.iterdir()) == []


def test_a_new_saved_file_gets_the_usual_permissions_for_the_umask(tmp_path: Path) -> None:
    path = tmp_path / "talks.json"
    old = os.umask(0o022)
    try:
        story().save(path)
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_save_keeps_the_permissions_of_the_file_it_replaces(tmp_path: Path) -> None:
    path = tmp_path / "talks.json"
    Negotiation().save(path)
    path.chmod(0o644)
    story().save(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


# -- what is refused --------------------------------------------------------------------------


def test_a_file_of_another_process_is_refused_naming_process(tmp_path: Path) -> None:
    data = fixture_data(V2_FIXTURE)
    data["process"] = "minsk"
    with pytest.raises(InvalidValue, match="process"):
        Negotiation.from_dict(data)
    path = tmp_path / "minsk.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(InvalidValue, match=r"minsk\.json: process"):
        Negotiation.load(path)


@pytest.mark.parametrize("version", [99, 0, 5, "2", None, True])
def test_an_unknown_format_version_is_refused_naming_format(version: object) -> None:
    data = fixture_data(V2_FIXTURE)
    data["format"] = version
    with pytest.raises(InvalidValue, match="format"):
        Negotiation.from_dict(data)


def test_a_version_1_file_with_a_process_field_is_refused_naming_it() -> None:
    data = fixture_data(V1_FIXTURE)
    data["process"] = "article"
    with pytest.raises(InvalidValue, match="process"):
        Negotiation.from_dict(data)


def test_a_recorded_stage_the_events_do_not_reach_is_refused_naming_stage() -> None:
    data = fixture_data(V2_FIXTURE)
    data["stage"] = "collapsed"
    with pytest.raises(InvalidValue, match="stage"):
        Negotiation.from_dict(data)


def test_an_edited_history_is_refused_naming_the_event() -> None:
    data = fixture_data(V2_FIXTURE)
    data["events"][7]["accepted"] = True  # the refused third round, claimed as opened
    data["events"][7]["dest"] = "third_round"
    del data["events"][7]["blockers"]
    with pytest.raises(InvalidValue, match=r"events\[7\]"):
        Negotiation.from_dict(data)


def test_saving_the_loaded_file_is_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "talks.json"
    story().save(path)
    first = path.read_bytes()
    Negotiation.load(path).save(path)
    assert path.read_bytes() == first


def test_saving_through_a_link_is_refused_and_the_file_it_points_to_is_unchanged(
    tmp_path: Path,
) -> None:
    """Save writes only a regular file: a link is neither followed nor replaced."""
    talks = Negotiation()
    talks.agree_exchange()
    real = tmp_path / "real.json"
    Negotiation().save(real)
    before = real.read_bytes()
    link = tmp_path / "link.json"
    link.symlink_to(real)
    with pytest.raises(ng.StorageError, match="a symbolic link; save writes only regular"):
        talks.save(link)
    assert link.is_symlink()
    assert real.read_bytes() == before


def test_text_that_cannot_be_saved_is_refused_when_given() -> None:
    """A lone surrogate is no text: refused at once, not when the negotiation is saved."""
    talks = Negotiation()
    with pytest.raises(ng.InvalidValue, match="name"):
        talks.raise_humanitarian_issue("missing \ud800 persons")
    assert talks.history == ()
    bad = (  # nor can it come in through a saved file
        '{"format": 2, "process": "article", "stage": "talks", "events": [{"trigger": '
        '"raise_humanitarian_issue", "accepted": true, "source": "talks", "dest": "talks", '
        '"arguments": {"name": "a\\ud800"}}]}'
    )
    with pytest.raises(ng.InvalidValue, match="name"):
        Negotiation.from_json(bad)


def test_a_version_2_journal_holding_a_pledge_is_corrupt(tmp_path: Path) -> None:
    """Pledges came with format 3: a pledge in a journal that is still format 2 (no header
    line moved it on) was not written by this library, and is refused naming the line."""
    from negotiations._journal import _line  # the writer's own line format

    old = JOURNAL_V2_FIXTURE.read_bytes()
    cut = old[: old.rstrip(b"\n").rfind(b"\n") + 1]  # before the settlement: moves possible
    head = json.loads(cut.splitlines()[-1])["sha"]
    pledge = {"number": 1, "side": "ukraine", "trigger": "sign_settlement"}
    event = {
        "trigger": "pledge",
        "accepted": True,
        "source": "leaders_meeting",
        "dest": "leaders_meeting",
        "pledge": pledge,
    }
    line, _ = _line(head, "event", event)
    path = tmp_path / "journal.jsonl"
    path.write_bytes(cut + line)
    number = len(cut.splitlines()) + 1
    with pytest.raises(ng.JournalCorrupted, match=rf"line {number}: a pledge in a format 2"):
        ng.open(path)
    assert path.read_bytes() == cut + line


@pytest.mark.parametrize("trigger", ["pledge", "withdraw", "drop"])
def test_an_event_of_pledges_that_names_no_pledge_is_refused_naming_it(trigger: str) -> None:
    data = {
        "format": 3,
        "process": "article",
        "stage": "talks",
        "events": [{"trigger": trigger, "accepted": True, "source": "talks", "dest": "talks"}],
    }
    with pytest.raises(InvalidValue, match=rf"^events\[0\]: pledge: a {trigger} event names"):
        Negotiation.from_dict(data)


def test_a_version_2_file_with_a_trigger_that_is_not_text_is_refused_naming_it() -> None:
    data = fixture_data(V2_FIXTURE)
    data["events"][3]["trigger"] = ["transfer"]
    with pytest.raises(InvalidValue, match=r"^events\[3\]\.trigger must be a string"):
        Negotiation.from_dict(data)


def test_a_bad_saved_tranche_is_named_by_where_it_stands() -> None:
    data = pledged_story().to_dict()
    at = next(i for i, e in enumerate(data["events"]) if e["trigger"] == "transfer")
    data["events"][at]["arguments"]["tranche"] = {"released": {"russia": 3, "ukraine": 2}}
    with pytest.raises(
        InvalidValue, match=rf"^events\[{at}\]\.arguments\.tranche: released: .*reciprocal"
    ):
        Negotiation.from_dict(data)


@pytest.mark.parametrize(
    ("respelled", "kind"),
    [(True, "bool"), (1.0, "float"), ("1", "str")],
)
def test_a_count_respelled_after_the_same_tranche_was_read_is_refused(
    respelled: object, kind: str
) -> None:
    """Loading decodes each distinct argument once; ``true``, ``1.0`` and ``"1"`` are not the
    same argument as ``1`` (though ``True == 1 == 1.0``), so a later tranche spelled so is
    decoded, and refused, on its own."""
    talks = Negotiation()
    talks.agree_exchange()
    talks.transfer(ng.Tranche.even(1))
    talks.transfer(ng.Tranche.even(1))
    data = json.loads(talks.to_json())
    data["events"][2]["arguments"]["tranche"]["released"]["russia"] = respelled
    with pytest.raises(
        InvalidValue,
        match=rf"^events\[2\]\.arguments\.tranche\.released\[russia\] "
        rf"must be a whole number, not {kind}$",
    ) as caught:
        Negotiation.from_json(json.dumps(data))
    assert caught.value.path == "events[2].arguments.tranche.released[russia]"


@pytest.mark.parametrize("k", [-100, 100])
def test_at_beyond_the_history_names_the_real_bounds(k: int) -> None:
    talks = Negotiation()
    talks.agree_exchange()
    talks.transfer(ng.Tranche.even(5))
    with pytest.raises(
        IndexError, match=rf"^k: the history has 2 event\(s\), so k must be from -2 to 2; got {k}$"
    ):
        talks.at(k)
