"""Journals: every move kept, every kind of damage named by its line, one writer at a time."""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import signal
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import pytest

import negotiations as ng

# A journal of 11 lines: the header, then accepted and refused moves.
LINES = 11
PRINTABLE = bytes(range(0x20, 0x7F))


def make_moves(talks: ng.Negotiation) -> None:
    """Ten moves, three of them refused by a guard (and so journaled too)."""
    talks.agree_exchange(ng.ExchangeTerms(quota=3))
    with pytest.raises(ng.TransitionBlocked):
        talks.open_third_round()
    talks.transfer(ng.Tranche.even(2, civilians=True))
    with pytest.raises(ng.TransitionBlocked):
        talks.open_third_round()
    talks.transfer(ng.Tranche.even(1, seriously_ill=1))
    talks.open_third_round()
    talks.raise_humanitarian_issue("missing persons")
    with pytest.raises(ng.TransitionBlocked):
        talks.convene_leaders()
    talks.resolve_humanitarian_issue("missing persons")
    talks.convene_leaders()


def write_journal(path: Path) -> ng.Negotiation:
    """Journal the ten moves at ``path``, close it, and return an unjournaled twin."""
    twin = ng.Negotiation()
    make_moves(twin)
    with ng.open(path) as talks:
        make_moves(talks)
    return twin


def reopen(path: Path) -> ng.Negotiation:
    """Open and close the journal at ``path``, turning any warning into an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with ng.open(path) as talks:
            return talks


def reopen_torn(path: Path) -> ng.Negotiation:
    """Open and close a journal expected to end in a torn line."""
    with pytest.warns(RuntimeWarning, match="torn last line"), ng.open(path) as talks:
        return talks


def corruption(path: Path) -> ng.JournalCorrupted | None:
    """The error opening the journal at ``path`` raises, or ``None`` if it opens."""
    try:
        reopen(path)
    except ng.JournalCorrupted as error:
        return error
    return None


def lines_of(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines(keepends=True)


def assert_corrupted_at(path: Path, number: int) -> None:
    with pytest.raises(ng.JournalCorrupted, match=rf": line {number}:"):
        reopen(path)


def child(script: str, path: Path) -> subprocess.Popen[str]:
    """A Python child process running ``script`` with ``PATH`` set to the journal's path."""
    code = f"import negotiations as ng\nPATH = {str(path)!r}\n" + textwrap.dedent(script)
    return subprocess.Popen(
        [sys.executable, "-c", code],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


HOLD = """
talks = ng.open(PATH)
talks.agree_exchange()
print("ready", flush=True)
import sys
sys.stdin.readline()
"""


# -- keeping every move -------------------------------------------------------------------


def test_a_reopened_journal_equals_the_negotiation_that_wrote_it(tmp_path: Path) -> None:
    path = tmp_path / "talks.jsonl"
    with ng.open(path) as talks:
        make_moves(talks)
        written = ng.Negotiation.from_json(talks.to_json())
    restored = reopen(path)
    assert restored == written
    assert restored.history == written.history
    assert restored.stage is ng.Stage.LEADERS_MEETING
    assert ng.Negotiation.from_json(restored.to_json()) == restored


def test_a_new_journal_holds_only_its_header_and_reopens_as_a_new_negotiation(
    tmp_path: Path,
) -> None:
    path = tmp_path / "talks.jsonl"
    with ng.open(path) as talks:
        assert talks == ng.Negotiation()
    (header,) = lines_of(path)
    assert json.loads(header)["journal"] == {"format": ng.FORMAT, "process": ng.PROCESS.name}
    assert reopen(path) == ng.Negotiation()


def test_accepted_and_guard_refused_moves_are_both_journaled_in_order(tmp_path: Path) -> None:
    path = tmp_path / "talks.jsonl"
    twin = write_journal(path)
    lines = lines_of(path)
    assert len(lines) == LINES
    events = [json.loads(line)["event"] for line in lines[1:]]
    assert events == twin.to_dict()["events"]  # the saved form, as in a saved file
    assert [event["accepted"] for event in events].count(False) == 3
    assert all(line.endswith(b"\n") for line in lines)


def test_a_journal_is_written_before_each_move_returns(tmp_path: Path) -> None:
    path = tmp_path / "talks.jsonl"
    with ng.open(path) as talks:
        talks.agree_exchange()
        assert len(lines_of(path)) == 2
        with pytest.raises(ng.TransitionBlocked):
            talks.open_third_round()
        assert len(lines_of(path)) == 3
        assert json.loads(lines_of(path)[-1])["event"]["accepted"] is False


def test_bad_values_and_moves_not_allowed_are_not_journaled(tmp_path: Path) -> None:
    path = tmp_path / "talks.jsonl"
    with ng.open(path) as talks:
        with pytest.raises(ng.TransitionNotAllowed):
            talks.transfer(ng.Tranche.even(1))
        with pytest.raises(ng.InvalidType):
            talks.agree_exchange("istanbul")  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="name"):
            talks.raise_humanitarian_issue("")
        with pytest.raises(ValueError, match="side"):
            talks.declare_interest("mars", "access to the sea")
        with pytest.raises(ValueError, match="missing persons"):
            talks.resolve_humanitarian_issue("missing persons")
        with pytest.raises(ng.UnknownTrigger):
            talks.send("sign_everything")
        before = path.read_bytes()
        talks.agree_exchange()
        with pytest.raises(ValueError, match="seriously_ill"):
            talks.transfer(ng.Tranche.even(1, seriously_ill=2))
        with pytest.raises(ng.TransitionNotAllowed):
            talks.resume()  # not suspended
        assert len(talks.history) == 1
    assert len(before.splitlines()) == 1  # the header only
    assert len(lines_of(path)) == 2
    assert reopen(path).history == talks.history


def test_a_journal_reopened_several_times_goes_on_where_it_stopped(tmp_path: Path) -> None:
    path = tmp_path / "talks.jsonl"
    twin = ng.Negotiation()
    with ng.open(path) as talks:
        talks.agree_exchange(ng.ExchangeTerms(quota=2))
    twin.agree_exchange(ng.ExchangeTerms(quota=2))
    for _ in range(2):
        with ng.open(path) as talks:
            talks.transfer(ng.Tranche.even(1))
        twin.transfer(ng.Tranche.even(1))
    with ng.open(path) as talks:
        talks.open_third_round()
    twin.open_third_round()
    assert reopen(path) == twin
    assert len(lines_of(path)) == 5


def test_the_journal_head_is_the_sha_of_the_last_line(tmp_path: Path) -> None:
    path = tmp_path / "talks.jsonl"
    with ng.open(path) as talks:
        journal = talks._journal
        assert journal is not None
        heads = [journal.head]
        make_moves(talks)
        last = lines_of(path)[-1]
        assert journal.head == json.loads(last)["sha"]
        assert journal.head == hashlib.sha256(last[len('{"sha":"') + 66 : -1]).hexdigest()
        heads.append(journal.head)
    with ng.open(path) as again:
        assert again._journal is not None
        assert again._journal.head == heads[-1]
        again.sign_settlement()
        assert again._journal.head == json.loads(lines_of(path)[-1])["sha"]
    assert heads[0] != heads[1]


def test_each_line_names_the_sha_of_the_line_before(tmp_path: Path) -> None:
    path = tmp_path / "talks.jsonl"
    write_journal(path)
    records = [json.loads(line) for line in lines_of(path)]
    assert records[0]["prev"] is None
    for before, after in itertools.pairwise(records):
        assert after["prev"] == before["sha"]


# -- damage -------------------------------------------------------------------------------


def test_changing_any_byte_of_any_line_is_named_by_its_line_number(tmp_path: Path) -> None:
    path = tmp_path / "talks.jsonl"
    write_journal(path)
    original = path.read_bytes()
    ends = []
    at = 0
    for line in lines_of(path):
        at += len(line)
        ends.append(at)
    assert len(ends) == LINES
    number = 1
    checked = 0
    for position in range(len(original) - 1):  # the last newline: see the torn-line tests
        while position >= ends[number - 1]:
            number += 1
        replacement = PRINTABLE[(position * 37) % len(PRINTABLE)]
        if replacement == original[position]:
            replacement = PRINTABLE[(position * 37 + 1) % len(PRINTABLE)]
        damaged = bytearray(original)
        damaged[position] = replacement
        path.write_bytes(damaged)
        error = corruption(path)
        assert error is not None, f"byte {position} (line {number}) -> {chr(replacement)!r} unseen"
        assert f": line {number}:" in str(error), (position, str(error))
        assert isinstance(error, ValueError)
        assert isinstance(error, ng.NegotiationError)
        checked += 1
    assert checked == len(original) - 1
    path.write_bytes(original)
    assert len(reopen(path).history) == LINES - 1


def test_changing_what_a_journaled_event_says_is_caught_by_its_sha(
    tmp_path: Path,
) -> None:
    path = tmp_path / "talks.jsonl"
    write_journal(path)
    lines = lines_of(path)
    assert b'"accepted":true' in lines[3]
    lines[3] = lines[3].replace(b'"accepted":true', b'"accepted":fals', 1)
    path.write_bytes(b"".join(lines))
    with pytest.raises(ng.JournalCorrupted, match="line 4: the line was changed"):
        reopen(path)


@pytest.mark.parametrize("removed", range(LINES - 1))
def test_removing_a_line_is_named_by_the_line_now_in_its_place(
    tmp_path: Path, removed: int
) -> None:
    path = tmp_path / "talks.jsonl"
    write_journal(path)
    lines = lines_of(path)
    del lines[removed]
    path.write_bytes(b"".join(lines))
    assert_corrupted_at(path, removed + 1)


@pytest.mark.parametrize("first", range(LINES - 1))
def test_swapping_two_neighbouring_lines_is_named_by_the_first_of_them(
    tmp_path: Path, first: int
) -> None:
    path = tmp_path / "talks.jsonl"
    write_journal(path)
    lines = lines_of(path)
    lines[first], lines[first + 1] = lines[first + 1], lines[first]
    path.write_bytes(b"".join(lines))
    assert_corrupted_at(path, first + 1)


def test_swapping_distant_lines_is_named_by_the_first_of_them(tmp_path: Path) -> None:
    path = tmp_path / "talks.jsonl"
    write_journal(path)
    lines = lines_of(path)
    lines[2], lines[8] = lines[8], lines[2]
    path.write_bytes(b"".join(lines))
    assert_corrupted_at(path, 3)


@pytest.mark.parametrize("copied", range(LINES))
def test_a_duplicated_line_is_named_by_the_copy(tmp_path: Path, copied: int) -> None:
    path = tmp_path / "talks.jsonl"
    write_journal(path)
    lines = lines_of(path)
    lines.insert(copied + 1, lines[copied])
    path.write_bytes(b"".join(lines))
    assert_corrupted_at(path, copied + 2)


def test_a_line_from_another_journal_is_named(tmp_path: Path) -> None:
    path, other = tmp_path / "talks.jsonl", tmp_path / "other.jsonl"
    write_journal(path)
    with ng.open(other) as talks:
        talks.agree_exchange(ng.ExchangeTerms(quota=4))  # line 2 differs, so line 3's prev does
        talks.suspend("talks stalled")
    lines = lines_of(path)
    lines[2] = lines_of(other)[2]
    path.write_bytes(b"".join(lines))
    assert_corrupted_at(path, 3)


def test_a_blank_line_is_named(tmp_path: Path) -> None:
    path = tmp_path / "talks.jsonl"
    write_journal(path)
    lines = lines_of(path)
    lines.insert(4, b"\n")
    path.write_bytes(b"".join(lines))
    assert_corrupted_at(path, 5)


def test_a_file_that_is_not_a_journal_is_corrupted_at_line_1(tmp_path: Path) -> None:
    path = tmp_path / "talks.jsonl"
    path.write_text('{"notes": "not a journal"}\n', encoding="utf-8")
    assert_corrupted_at(path, 1)
    assert path.read_text(encoding="utf-8") == '{"notes": "not a journal"}\n'


def test_a_failed_open_leaves_the_journal_unlocked(tmp_path: Path) -> None:
    path = tmp_path / "talks.jsonl"
    write_journal(path)
    original = path.read_bytes()
    lines = lines_of(path)
    del lines[3]
    path.write_bytes(b"".join(lines))
    assert_corrupted_at(path, 4)
    path.write_bytes(original)
    assert len(reopen(path).history) == LINES - 1


# -- torn last lines ----------------------------------------------------------------------


def test_a_complete_last_line_without_its_newline_is_kept_and_its_newline_put_back(
    tmp_path: Path,
) -> None:
    """A line whose move was fully written (and checks out) is never cut away."""
    path = tmp_path / "talks.jsonl"
    twin = write_journal(path)
    original = path.read_bytes()
    path.write_bytes(original[:-1])
    with pytest.warns(RuntimeWarning, match="the last line has no newline; it is complete"):
        restored = ng.open(path)
    restored.close()
    assert restored.history == twin.history
    assert path.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["talks.jsonl"]


@pytest.mark.parametrize("kept", [1, 8, 40, 75, 76, 100, -2])
def test_a_torn_last_line_is_cut_off_so_that_later_moves_chain(tmp_path: Path, kept: int) -> None:
    path = tmp_path / "talks.jsonl"
    twin = write_journal(path)
    complete = path.read_bytes()
    with ng.open(path) as talks:
        talks.suspend("talks stalled")
    torn = path.read_bytes()[len(complete) :]
    assert torn.endswith(b"\n")
    path.write_bytes(complete + torn[:kept])  # a crash in the middle of writing the line
    with pytest.warns(RuntimeWarning, match="torn last line"):
        talks = ng.open(path)
    with talks:
        assert path.read_bytes() == complete
        assert talks.history == twin.history
        talks.collapse("a delegation walked out")
    twin.collapse("a delegation walked out")
    assert reopen(path) == twin
    assert len(lines_of(path)) == LINES + 1


def test_a_torn_header_leaves_a_new_journal(tmp_path: Path) -> None:
    path = tmp_path / "talks.jsonl"
    with ng.open(path):
        pass
    header = path.read_bytes()
    path.write_bytes(header[:30])
    with pytest.warns(RuntimeWarning, match="torn last line"):
        talks = ng.open(path)
    with talks:
        assert talks == ng.Negotiation()
        talks.agree_exchange()
    assert len(reopen(path).history) == 1
    assert lines_of(path)[0] == header


# -- closing ------------------------------------------------------------------------------


def test_moves_after_close_raise_journal_closed_and_leave_the_file_unchanged(
    tmp_path: Path,
) -> None:
    path = tmp_path / "talks.jsonl"
    talks = ng.open(path)
    talks.agree_exchange(ng.ExchangeTerms(quota=3))
    talks.close()
    before = path.read_bytes()
    history = talks.history
    with pytest.raises(ng.JournalClosed, match="closed"):
        talks.transfer(ng.Tranche.even(1))
    with pytest.raises(ng.JournalClosed):
        talks.open_third_round()  # would be refused by a guard: still not made
    with pytest.raises(ng.JournalClosed):
        talks.send("suspend", reason="talks stalled")
    assert isinstance(ng.JournalClosed("x"), ng.JournalError)
    assert path.read_bytes() == before
    assert talks.history == history
    assert talks.stage is ng.Stage.EXCHANGE
    talks.close()  # closing twice is harmless
    assert path.read_bytes() == before


def test_a_closed_journal_can_still_be_read(tmp_path: Path) -> None:
    path = tmp_path / "talks.jsonl"
    with ng.open(path) as talks:
        make_moves(talks)
    assert talks.blockers("sign_settlement") == ()
    assert "sign_settlement" in talks.allowed()
    assert ng.Negotiation.from_json(talks.to_json()) == talks
    assert talks.at(-1).stage is ng.Stage.THIRD_ROUND


def test_the_context_manager_closes_the_journal(tmp_path: Path) -> None:
    path = tmp_path / "talks.jsonl"
    with ng.open(path) as talks:
        talks.agree_exchange()
    assert talks._journal is not None
    assert talks._journal.closed
    with pytest.raises(ng.JournalClosed):
        talks.suspend("talks stalled")
    assert len(reopen(path).history) == 1


def test_the_context_manager_closes_the_journal_when_the_block_raises(tmp_path: Path) -> None:
    path = tmp_path / "talks.jsonl"
    talks = ng.open(path)

    def use() -> None:
        with talks:
            talks.agree_exchange()
            talks.open_third_round()  # refused: the error leaves the block

    with pytest.raises(ng.TransitionBlocked):
        use()
    with pytest.raises(ng.JournalClosed):
        talks.resume()
    assert [event.accepted for event in reopen(path).history] == [True, False]


# -- one writer at a time -----------------------------------------------------------------


def test_a_journal_open_in_this_process_cannot_be_opened_again(tmp_path: Path) -> None:
    path = tmp_path / "talks.jsonl"
    with ng.open(path) as talks:
        talks.agree_exchange()
        before = path.read_bytes()
        with pytest.raises(ng.JournalLocked, match="open for writing elsewhere"):
            ng.open(path)
        with pytest.raises(ng.JournalLocked):
            ng.open(str(path))
        assert path.read_bytes() == before
        talks.suspend("talks stalled")  # the first writer is unaffected
    assert len(reopen(path).history) == 2


def test_a_journal_is_unlocked_by_close(tmp_path: Path) -> None:
    path = tmp_path / "talks.jsonl"
    talks = ng.open(path)
    with pytest.raises(ng.JournalLocked):
        ng.open(path)
    talks.close()
    with ng.open(path) as again:
        again.agree_exchange()
    assert len(reopen(path).history) == 1


def test_a_journal_open_in_another_process_is_locked_here(tmp_path: Path) -> None:
    path = tmp_path / "talks.jsonl"
    holder = child(HOLD, path)
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline() == "ready\n"
        with pytest.raises(ng.JournalLocked):
            ng.open(path)
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.flush()
        assert holder.wait(timeout=30) == 0
    finally:
        if holder.poll() is None:
            holder.kill()
        holder.communicate(timeout=30)
    assert len(reopen(path).history) == 1


def test_a_journal_open_here_is_locked_in_another_process(tmp_path: Path) -> None:
    path = tmp_path / "talks.jsonl"
    script = """
    try:
        ng.open(PATH)
    except ng.JournalLocked as error:
        print("locked", type(error).__name__)
    else:
        print("opened")
    """
    with ng.open(path) as talks:
        talks.agree_exchange()
        other = child(script, path)
        out, err = other.communicate(timeout=30)
        assert other.returncode == 0, err
        assert out == "locked JournalLocked\n"
    other = child(script, path)
    out, err = other.communicate(timeout=30)
    assert other.returncode == 0, err
    assert out == "opened\n"


def test_a_killed_writer_leaves_the_journal_unlocked(tmp_path: Path) -> None:
    path = tmp_path / "talks.jsonl"
    holder = child(HOLD, path)
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline() == "ready\n"
        with pytest.raises(ng.JournalLocked):
            ng.open(path)
        holder.send_signal(signal.SIGKILL)
        assert holder.wait(timeout=30) == -signal.SIGKILL
    finally:
        if holder.poll() is None:
            holder.kill()
        holder.communicate(timeout=30)
    with ng.open(path) as talks:
        assert talks.stage is ng.Stage.EXCHANGE
        talks.suspend("talks stalled")
    assert len(reopen(path).history) == 2


# -- files that are not journals, and interrupted writes ---------------------------------


@pytest.mark.parametrize(
    "content",
    [b"line one\nimportant last line", b"precious", b"line one\n"],
    ids=["unfinished-last-line", "no-newline-at-all", "plain-text"],
)
def test_a_file_that_is_not_a_journal_is_refused_and_left_untouched(
    tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(content)
    with pytest.raises(ng.JournalCorrupted, match="line 1"):
        ng.open(path)
    assert path.read_bytes() == content


def test_a_saved_negotiation_opened_as_a_journal_is_refused_and_kept(tmp_path: Path) -> None:
    talks = ng.Negotiation()
    talks.agree_exchange()
    path = tmp_path / "talks.json"
    path.write_text(talks.to_json(), encoding="utf-8")  # no newline at the end
    before = path.read_bytes()
    with pytest.raises(ng.JournalCorrupted):
        ng.open(path)
    assert path.read_bytes() == before
    assert ng.Negotiation.load(path) == talks


def test_an_interrupted_append_never_leaves_half_a_line_to_build_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A KeyboardInterrupt in the middle of writing a line is undone; later moves are kept."""
    import negotiations._journal as journal_module

    path = tmp_path / "talks.jsonl"
    real_write = os.write

    def write_30_then_interrupt(descriptor: int, data: bytes | memoryview) -> int:
        real_write(descriptor, bytes(data)[:30])
        raise KeyboardInterrupt

    with ng.open(path) as talks:
        talks.agree_exchange()
        monkeypatch.setattr(journal_module.os, "write", write_30_then_interrupt)
        with pytest.raises(KeyboardInterrupt):
            talks.transfer(ng.Tranche.even(1))
        monkeypatch.setattr(journal_module.os, "write", real_write)
        talks.transfer(ng.Tranche.even(2))
        assert talks.ledger.released[ng.Side.RUSSIA] == 2
    assert reopen(path) == talks


def test_a_line_nested_too_deep_for_json_is_corruption_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "talks.jsonl"
    with ng.open(path) as talks:
        talks.agree_exchange()
    body = b'"prev":null,"journal":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    import hashlib

    line = b'{"sha":"' + hashlib.sha256(body).hexdigest().encode() + b'",' + body + b"\n"
    path.write_bytes(line)
    with pytest.raises(ng.JournalCorrupted, match="line 1"):
        ng.open(path)


def test_a_new_journal_that_cannot_be_started_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import negotiations._journal as journal_module

    def disk_full(descriptor: int, data: bytes) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(journal_module, "_write_all", disk_full)
    path = tmp_path / "new.jsonl"
    with pytest.raises(ng.StorageError, match="no space left on the device") as caught:
        ng.open(path)
    assert isinstance(caught.value, OSError)
    assert caught.value.errno == 28
    assert not path.exists()


def _resealed(body: bytes) -> bytes:
    """A journal line holding ``body`` (what follows the sha), with the sha of that body: a
    line whose seal checks out, whatever it says."""
    return b'{"sha":"' + hashlib.sha256(body).hexdigest().encode("ascii") + b'",' + body


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (b'"prev":"x","event":{"trigger":', "not JSON (Expecting value: line 1 column"),
        (b'"prev":"x","event":1} 2', "not JSON (Extra data: line 1 column"),
    ],
)
def test_a_sealed_line_that_is_not_json_is_named_among_good_lines(
    tmp_path: Path, body: bytes, why: str
) -> None:
    """All lines are decoded together when they can be; a line that is not JSON, though its
    sha checks out, is still named by its own number, and nothing is written."""
    path = tmp_path / "talks.jsonl"
    with ng.open(path) as talks:
        talks.agree_exchange()
        talks.transfer(ng.Tranche.even(2, civilians=True))
        talks.raise_humanitarian_issue("missing persons")
    lines = path.read_bytes().splitlines(keepends=True)
    lines[2] = _resealed(body) + b"\n"
    path.write_bytes(b"".join(lines))
    before = path.read_bytes()
    with pytest.raises(ng.JournalCorrupted) as raised:
        ng.open(path)
    assert str(raised.value).startswith(f"{path}: line 3: {why}")
    assert path.read_bytes() == before


def test_a_sealed_line_without_its_event_is_named(tmp_path: Path) -> None:
    """A line that follows the one before and checks out, but holds no event, is named."""
    path = tmp_path / "talks.jsonl"
    with ng.open(path) as talks:
        talks.agree_exchange()
    header, first = path.read_bytes().splitlines()
    sealed = _resealed(b'"prev":' + json.dumps(json.loads(first)["sha"]).encode() + b"}")
    path.write_bytes(header + b"\n" + first + b"\n" + sealed + b"\n")
    with pytest.raises(ng.JournalCorrupted) as raised:
        ng.open(path)
    assert str(raised.value) == f"{path}: line 3: expected the fields sha, prev and event(s)"


def test_a_sealed_line_of_two_values_is_named_though_the_lines_after_it_mend_the_count(
    tmp_path: Path,
) -> None:
    """A line holding two JSON values, and a later line left open that the next one closes,
    keep the count of values decoded together equal to the count of lines: the first line
    that does not hold up on its own is still the one named."""
    path = tmp_path / "talks.jsonl"
    with ng.open(path) as talks:
        talks.agree_exchange()
        talks.transfer(ng.Tranche.even(2, civilians=True))
        talks.raise_humanitarian_issue("missing persons")
        talks.resolve_humanitarian_issue("missing persons")
    lines = path.read_bytes().split(b"\n")[:-1]

    def body(record: dict[str, object]) -> bytes:
        return json.dumps(record, separators=(",", ":")).encode()[1:]

    def sha(line: bytes) -> str:
        return line[8:72].decode()

    lines[1] = _resealed(lines[1][74:] + b"," + lines[2])  # line 2: two values
    third = json.loads(lines[2])
    del third["sha"]
    lines[2] = _resealed(body({**third, "prev": sha(lines[1])})[:-1] + b',"x":[1')  # left open
    fourth = json.loads(lines[3])
    del fourth["sha"]
    lines[3] = _resealed(body({**fourth, "prev": sha(lines[2])})[:-1] + b"]}")  # closes it
    fifth = json.loads(lines[4])
    del fifth["sha"]
    lines[4] = _resealed(body({**fifth, "prev": sha(lines[3])}))
    path.write_bytes(b"\n".join(lines) + b"\n")
    with pytest.raises(ng.JournalCorrupted) as raised:
        ng.open(path, read_only=True)
    assert str(raised.value).startswith(f"{path}: line 2: not JSON (Extra data")
