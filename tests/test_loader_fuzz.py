"""Every loader answers any input with a negotiation or an error that says what is wrong.

The loaders are ``Negotiation.from_json``, ``from_dict``, ``load``, ``replay`` and
``negotiations.open``. Their inputs here are arbitrary JSON values, arbitrary text and
bytes, and valid saved documents and journals damaged at random: fields deleted,
replaced or retyped, events swapped, text truncated, bytes injected. The only
acceptable exceptions are ``ValueError`` and ``NegotiationError`` subclasses with a
message.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import negotiations as ng
from negotiations import NegotiationError
from negotiations.testing import negotiations

# -- answers --------------------------------------------------------------------------------


def answer(load: Callable[..., ng.Negotiation], *arguments: object) -> ng.Negotiation | None:
    """``load(*arguments)``: a negotiation, or ``None`` for an acceptable refusal.

    Any exception other than a ``ValueError`` or ``NegotiationError`` propagates and
    fails the test.
    """
    refusal: ValueError | NegotiationError | None = None
    try:
        result = load(*arguments)
    except (ValueError, NegotiationError) as error:
        refusal = error
    if refusal is not None:
        assert isinstance(refusal, (ValueError, NegotiationError))
        assert str(refusal).strip(), f"{type(refusal).__name__} without a message"
        return None
    assert isinstance(result, ng.Negotiation)
    # Whatever was accepted is a negotiation like any other: it saves and restores.
    assert ng.Negotiation.from_json(result.to_json()) == result
    return result


@contextlib.contextmanager
def torn_lines_allowed() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*torn last line", category=RuntimeWarning)
        yield


def opened(path: Path) -> ng.Negotiation:
    """The journal at ``path``, opened and closed again (closing releases the lock)."""
    with torn_lines_allowed(), ng.open(path) as talks:
        return talks


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


_names = itertools.count()


def fresh(folder: Path, suffix: str) -> Path:
    return folder / f"{next(_names)}{suffix}"


# -- values ---------------------------------------------------------------------------------

# Field names and values the saved format uses, so that random values often get deep.
WORDS = (
    "format",
    "process",
    "stage",
    "events",
    "trigger",
    "accepted",
    "source",
    "dest",
    "arguments",
    "blockers",
    "rule",
    "message",
    "terms",
    "tranche",
    "released",
    "seriously_ill",
    "young",
    "civilians",
    "quota",
    "age_limit",
    "civilians_separate",
    "seriously_ill_held",
    "young_held",
    "side",
    "name",
    "reason",
    "russia",
    "ukraine",
    "article",
    "talks",
    "exchange",
    "transfer",
    "agree_exchange",
    "suspend",
    "collapse",
)

keys = st.sampled_from(WORDS) | st.text(max_size=8)
scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.integers(-3, 3)
    | st.floats()
    | st.sampled_from(WORDS)
    | st.text(max_size=12)
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=5),
    max_leaves=30,
)


RETYPES: tuple[tuple[type, Callable[[Any], object]], ...] = (
    (bool, int),
    (int, str),
    (float, lambda value: [value]),
    (str, lambda value: {value: value}),
    (list, lambda value: {str(index): item for index, item in enumerate(value)}),
    (dict, lambda value: list(value.values())),
)


def retyped(value: object) -> object:
    """``value`` as something of another JSON type."""
    for kind, change in RETYPES:
        if isinstance(value, kind):
            return change(value)
    return 0  # None


def slots(value: object, found: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """Every (container, key-or-index) in ``value``, depth first."""
    if isinstance(value, dict):
        for key, item in value.items():
            found.append((value, key))
            slots(item, found)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.append((value, index))
            slots(item, found)
    return found


@st.composite
def damaged(draw: st.DrawFn, document: object) -> object:
    """``document`` (JSON data, changed in place) after one to four random changes."""
    for _ in range(draw(st.integers(1, 4))):
        found = slots(document, [])
        if not found:
            return draw(json_values)
        container, key = draw(st.sampled_from(found))
        change = draw(st.sampled_from(("delete", "replace", "retype", "copy", "swap", "duplicate")))
        if change == "delete":
            del container[key]
        elif change == "replace":
            container[key] = draw(json_values)
        elif change == "retype":
            container[key] = retyped(container[key])
        elif change == "copy":  # a value from elsewhere in the document
            other, other_key = draw(st.sampled_from(found))
            container[key] = json.loads(json.dumps(other[other_key]))
        elif isinstance(container, list) and len(container) > 1:
            other = draw(st.integers(0, len(container) - 1))
            if change == "swap":
                container[key], container[other] = container[other], container[key]
            else:
                container.insert(other, json.loads(json.dumps(container[key])))
        else:
            container[key] = draw(json_values)
    return document


@st.composite
def mangled(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` after one to three byte-level changes: cut, injected, replaced, removed."""
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(data)))
        change = draw(st.sampled_from(("truncate", "inject", "replace", "remove")))
        if change == "truncate":
            data = data[:at]
        elif change == "inject":
            data = data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at:]
        elif change == "replace":
            data = data[:at] + draw(st.binary(min_size=1, max_size=4)) + data[at + 4 :]
        else:
            data = data[:at] + data[at + draw(st.integers(1, 40)) :]
    return data


saved = negotiations(max_steps=10)

# Tests that draw whole negotiations or write files run fewer examples than the profile
# asks for (a quarter of the ci profile's 400), to keep the suite quick.
heavy = settings(max_examples=min(settings.default.max_examples, 100))


@st.composite
def damaged_documents(draw: st.DrawFn) -> object:
    return draw(damaged(draw(saved).to_dict()))


@st.composite
def mangled_texts(draw: st.DrawFn) -> bytes:
    text = draw(saved).to_json(indent=draw(st.sampled_from((None, 1))))
    return draw(mangled(text.encode("utf-8")))


# -- journals in the documented format ------------------------------------------------------

PREFIX = b'{"sha":"'
HEADER = {"format": ng.FORMAT, "process": ng.PROCESS.name}


def journal_line(prev: str | None, key: str, value: object) -> tuple[bytes, str]:
    """One journal line as the journal module documents it, and its sha."""
    whole = json.dumps({"prev": prev, key: value}, ensure_ascii=False, separators=(",", ":"))
    body = whole.encode("utf-8")[1:]
    sha = hashlib.sha256(body).hexdigest()
    return PREFIX + sha.encode("ascii") + b'",' + body + b"\n", sha


def journal_of(events: list[object], header: object = HEADER) -> bytes:
    """A correctly chained journal whose lines hold ``events`` (whatever they are)."""
    line, sha = journal_line(None, "journal", header)
    lines = [line]
    for event in events:
        line, sha = journal_line(sha, "event", event)
        lines.append(line)
    return b"".join(lines)


def journal_lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True)


@st.composite
def reshuffled_lines(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` with lines removed, swapped, duplicated or cut short."""
    lines = journal_lines(data)
    for _ in range(draw(st.integers(1, 3))):
        if not lines:
            break
        at = draw(st.integers(0, len(lines) - 1))
        change = draw(st.sampled_from(("remove", "swap", "duplicate", "cut")))
        if change == "remove":
            del lines[at]
        elif change == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[at], lines[other] = lines[other], lines[at]
        elif change == "duplicate":
            lines.insert(draw(st.integers(0, len(lines))), lines[at])
        else:
            lines[at] = lines[at][: draw(st.integers(0, len(lines[at])))]
    return b"".join(lines)


def real_moves(talks: ng.Negotiation, variant: int) -> None:
    """Scripted moves, accepted and refused, for the real journals."""
    talks.agree_exchange(ng.ExchangeTerms(quota=4, seriously_ill_held={ng.Side.RUSSIA: 1}))
    with contextlib.suppress(ng.TransitionBlocked):
        talks.open_third_round()
    talks.transfer(ng.Tranche.even(2, civilians=True))
    talks.transfer(ng.Tranche.even(2, seriously_ill=1, young=2))
    talks.declare_interest("russia", "security guarantees")
    if variant == 1:
        talks.suspend("talks stalled")
        talks.resume()
    talks.open_third_round()
    talks.raise_humanitarian_issue("missing persons")
    with contextlib.suppress(ng.TransitionBlocked):
        talks.convene_leaders()
    if variant == 2:
        talks.collapse("a delegation walked out")
        return
    talks.resolve_humanitarian_issue("missing persons")
    talks.convene_leaders()
    with contextlib.suppress(ng.TransitionBlocked):
        talks.sign_settlement()
    talks.acknowledge_interest("ukraine", "security guarantees")
    talks.sign_settlement()


@pytest.fixture(scope="module")
def real_journals(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[bytes, ng.Negotiation]]:
    """Journals written by ``negotiations.open`` itself, with the negotiations they hold."""
    folder = tmp_path_factory.mktemp("journals")
    made = []
    for variant in range(3):
        path = folder / f"{variant}.jsonl"
        with ng.open(path) as talks:
            real_moves(talks, variant)
        made.append((path.read_bytes(), ng.Negotiation.from_json(talks.to_json())))
    with ng.open(folder / "empty.jsonl") as talks:
        made.append(((folder / "empty.jsonl").read_bytes(), ng.Negotiation()))
    return made


# -- from_dict and from_json ----------------------------------------------------------------


@given(json_values)
def test_from_dict_answers_any_json_value(value: object) -> None:
    answer(ng.Negotiation.from_dict, value)


@given(json_values)
def test_from_json_answers_any_json_text(value: object) -> None:
    text = json.dumps(value, ensure_ascii=False)
    answer(ng.Negotiation.from_json, text)
    answer(ng.Negotiation.from_json, text.encode("utf-8"))


@given(st.text() | st.binary())
def test_from_json_answers_any_text_or_bytes(text: str | bytes) -> None:
    answer(ng.Negotiation.from_json, text)


@given(st.dictionaries(keys, json_values, max_size=4), json_values)
def test_from_dict_answers_any_value_in_a_saved_shape(extra: dict[str, Any], events: Any) -> None:
    document = {"format": ng.FORMAT, "process": ng.PROCESS.name, "stage": "talks", **extra}
    answer(ng.Negotiation.from_dict, document)
    answer(ng.Negotiation.from_dict, {**document, "events": events})
    answer(ng.Negotiation.from_dict, {**document, "events": [events]})


@pytest.mark.parametrize(
    "value",
    [
        None,
        42,
        3.5,
        ["format"],
        {1: 2},
        {("format",): 2},
        {"format": True},
        {"format": 2.0},
        {"format": 2, "process": "article", "stage": "talks", "events": ()},
        {"format": 2, "process": "article", "stage": "talks", "events": "[]"},
        {"format": 2, "process": ["article"], "stage": "talks", "events": []},
        {"format": 2, "process": "article", "stage": ["talks"], "events": []},
        {"format": 2, "process": "article", "stage": None, "events": []},
        {"format": 1, "stage": {}, "events": []},
        {"format": 2, "process": "article", "stage": "talks", "events": [{"trigger": 1}]},
        {"format": 2, "process": "article", "stage": "talks", "events": [[]]},
        {"format": 2, "process": "article", "stage": "talks", "events": [{}]},
        {"format": 2, "process": "article", "stage": "talks", "events": {0: {}}},
        {"format": 2, "process": "article", "stage": "talks", "events": [None]},
        {"format": 2, "process": "article", "stage": "talks", "events": [float("nan")]},
        {"format": 2, "process": "article", "stage": "talks", "events": [{"format"}]},
        {"format": 2, "process": "article", "stage": "talks", "events": [b"event"]},
        {"format": 2, "process": "article", "stage": "talks", "events": [ng.Negotiation()]},
        {"format": 2, "process": "article", "stage": "talks", "events": [object()]},
        {"format": 2, "process": "article", "stage": float("nan"), "events": []},
        b"{}",
        "{}",
        object(),
        {"format", "stage"},
        ng.Negotiation(),
    ],
    ids=repr,
)
def test_from_dict_answers_odd_python_values(value: object) -> None:
    answer(ng.Negotiation.from_dict, value)


@pytest.mark.parametrize("value", [None, 42, 3.5, [], {}, object(), ng.Negotiation(), Path("x")])
def test_from_json_refuses_what_is_not_text_with_a_message(value: object) -> None:
    with pytest.raises(ng.InvalidType, match="JSON text"):
        ng.Negotiation.from_json(value)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text",
    ["", " ", "[" * 100_000, '{"a":' * 100_000, "NaN", "Infinity", "\ufeff{}", "\x00", "1e999"],
    ids=lambda text: repr(text[:12]),
)
def test_from_json_answers_deep_odd_and_empty_text(text: str) -> None:
    answer(ng.Negotiation.from_json, text)
    answer(ng.Negotiation.from_json, text.encode("utf-8"))


@heavy
@given(damaged_documents())
def test_from_dict_from_json_and_load_answer_damaged_saved_documents(
    folder: Path, document: object
) -> None:
    answer(ng.Negotiation.from_dict, document)
    text = json.dumps(document, ensure_ascii=False)
    answer(ng.Negotiation.from_json, text)
    path = fresh(folder, ".json")
    path.write_text(text, encoding="utf-8")
    loaded = answer(ng.Negotiation.load, path)
    if loaded is None:
        with pytest.raises((ValueError, NegotiationError)) as raised:
            ng.Negotiation.load(path)
        assert str(path) in str(raised.value), "the error names the file"
    else:
        assert loaded == ng.Negotiation.from_dict(document)


@heavy
@given(saved, st.data())
def test_from_dict_answers_documents_with_swapped_or_dropped_events(
    talks: ng.Negotiation, data: st.DataObject
) -> None:
    document = talks.to_dict()
    document["events"] = data.draw(st.permutations(document["events"]))
    if document["events"]:
        drop = data.draw(st.integers(0, len(document["events"]) - 1))
        answer(ng.Negotiation.from_dict, document)
        del document["events"][drop]
    answer(ng.Negotiation.from_dict, document)


@heavy
@given(mangled_texts())
def test_from_json_answers_damaged_saved_text(data: bytes) -> None:
    answer(ng.Negotiation.from_json, data)
    with contextlib.suppress(UnicodeDecodeError):
        answer(ng.Negotiation.from_json, data.decode("utf-8"))


# -- load -----------------------------------------------------------------------------------


@heavy
@given(mangled_texts() | st.binary(max_size=64))
def test_load_answers_any_file_contents(folder: Path, data: bytes) -> None:
    path = fresh(folder, ".json")
    path.write_bytes(data)
    answer(ng.Negotiation.load, path)
    answer(ng.Negotiation.load, str(path))


def test_load_names_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "talks.json"
    path.write_bytes(b'{"format": 2, "stage": "\xff"}')
    with pytest.raises(ng.InvalidValue, match="not UTF-8") as raised:
        ng.Negotiation.load(path)
    assert str(path) in str(raised.value)


# -- open -----------------------------------------------------------------------------------


def opened_answer(path: Path) -> ng.Negotiation | None:
    with torn_lines_allowed():
        result = answer(opened, path)
    if result is not None:
        assert result._journal is not None
        assert result._journal.closed
        assert opened(path) == result  # it opens again, unlocked and the same
    return result


@heavy
@given(saved)
def test_a_saved_file_and_a_journal_in_the_documented_format_restore_equal(
    folder: Path, talks: ng.Negotiation
) -> None:
    path = fresh(folder, ".json")
    talks.save(path)
    assert answer(ng.Negotiation.load, path) == talks
    path = fresh(folder, ".jsonl")
    path.write_bytes(journal_of([event.to_dict() for event in talks.history]))
    assert opened_answer(path) == talks


@heavy
@given(st.data())
def test_open_answers_real_journals_with_damaged_bytes(
    folder: Path, real_journals: list[tuple[bytes, ng.Negotiation]], data: st.DataObject
) -> None:
    original, _ = data.draw(st.sampled_from(real_journals))
    path = fresh(folder, ".jsonl")
    path.write_bytes(data.draw(mangled(original)))
    opened_answer(path)


@heavy
@given(st.data())
def test_open_answers_real_journals_with_lines_moved(
    folder: Path, real_journals: list[tuple[bytes, ng.Negotiation]], data: st.DataObject
) -> None:
    original, talks = data.draw(st.sampled_from(real_journals))
    path = fresh(folder, ".jsonl")
    changed = data.draw(reshuffled_lines(original))
    path.write_bytes(changed)
    result = opened_answer(path)
    if result is not None and changed != original:
        # Only a cut at the end (which a chain cannot see) may leave a journal that opens.
        assert talks.history[: len(result.history)] == result.history


@heavy
@given(damaged_documents())
def test_open_answers_correctly_chained_journals_of_damaged_events(
    folder: Path, document: object
) -> None:
    events = document.get("events") if isinstance(document, dict) else None
    lines = events if isinstance(events, list) else [document]
    path = fresh(folder, ".jsonl")
    path.write_bytes(journal_of(lines))
    opened_answer(path)


@heavy
@given(json_values, st.lists(json_values, max_size=3))
def test_open_answers_correctly_chained_journals_of_any_values(
    folder: Path, header: object, events: list[object]
) -> None:
    for data in (journal_of(events), journal_of(events, header)):
        path = fresh(folder, ".jsonl")
        path.write_bytes(data)
        opened_answer(path)


@heavy
@given(st.binary(max_size=200))
def test_open_answers_any_file_contents(folder: Path, data: bytes) -> None:
    path = fresh(folder, ".jsonl")
    path.write_bytes(data)
    opened_answer(path)


@pytest.mark.parametrize("path", [None, 3, b"x".decode, ["talks.jsonl"]], ids=repr)
def test_open_refuses_what_is_not_a_path_with_a_message(path: object) -> None:
    with pytest.raises(ng.InvalidType, match="path"):
        ng.open(path)  # type: ignore[arg-type]


# -- replay ---------------------------------------------------------------------------------

some_events = st.builds(
    lambda talks, index: talks.history[index % len(talks.history)] if talks.history else None,
    saved,
    st.integers(0, 100),
)
objects = (
    json_values
    | some_events
    | st.builds(ng.Negotiation)
    | st.builds(lambda: ng.Tranche.even(1))
    | st.builds(lambda: ng.Blocker("exchange.quota", "1 of 2 released", "article line 5"))
    | st.sampled_from(list(ng.Stage))
)


@given(st.lists(objects, max_size=6))
def test_replay_answers_lists_of_anything(items: list[object]) -> None:
    answer(ng.Negotiation.replay, items)
    answer(ng.Negotiation.replay, tuple(items))
    answer(ng.Negotiation.replay, iter(items))


@heavy
@given(saved, st.data())
def test_replay_answers_real_events_shuffled(talks: ng.Negotiation, data: st.DataObject) -> None:
    assert answer(ng.Negotiation.replay, talks.history) == talks
    events = data.draw(st.permutations(talks.history))
    replayed = answer(ng.Negotiation.replay, events)
    if events == list(talks.history):
        assert replayed == talks


@heavy
@given(st.lists(saved, min_size=1, max_size=3), st.data())
def test_replay_answers_events_of_several_negotiations_mixed(
    many: list[ng.Negotiation], data: st.DataObject
) -> None:
    pool = [event for talks in many for event in talks.history]
    events = data.draw(st.lists(st.sampled_from(pool), max_size=12)) if pool else []
    answer(ng.Negotiation.replay, events)


@pytest.mark.parametrize("events", [None, 3, 2.5, object(), ng.Negotiation()], ids=repr)
def test_replay_refuses_what_is_not_iterable_with_a_message(events: object) -> None:
    answer(ng.Negotiation.replay, events)
