"""Every loader answers any input with a negotiation or an error that says what is wrong.

The loaders are ``Negotiation.from_json``, ``from_dict``, ``load``, ``replay`` and
``negotiations.open``. Their inputs here are arbitrary JSON values, arbitrary text and
bytes, and valid saved documents and journals damaged at random: fields deleted,
replaced or retyped, events swapped, text truncated, bytes injected. The only
acceptable exceptions are ``ValueError`` and ``NegotiationError`` subclasses with a
message. And ``from_dict``'s fast road accepts exactly what its careful road accepts.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import hashlib
import itertools
import json
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import negotiations as ng
from negotiations import NegotiationError
from negotiations import events as events_module
from negotiations import tranche as tranche_module
from negotiations.replay import with_citations
from negotiations.saved import migrate
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


# -- the fast road and the careful road -----------------------------------------------------

DATA = Path(__file__).resolve().parent / "data"

#: Each rule's citation: a saved blocker leaves its source out where it is this.
CITED = {rule.id: rule.source for rule in ng.PROCESS.rules}


def careful_load(document: object) -> ng.Negotiation:
    """``document`` loaded without the fast road (``refold_saved``).

    Migrated, then each event decoded by ``Event.from_dict`` with its blockers' citations
    put back, only once the events before it are folded (as ``from_dict`` does), and
    replayed; ``replay`` refuses a history that stops while a pledge is due. Last, the
    recorded stage must be the one the events lead to.
    """
    current = migrate(document, ng.PROCESS.name)
    events = (
        ng.Event.from_dict(with_citations(item, CITED), f"events[{number}]")
        for number, item in enumerate(current["events"])
    )
    talks = ng.Negotiation.replay(events)
    if current["stage"] != talks.stage.value:
        raise ng.InvalidValue(
            f"stage: recorded {current['stage']!r}, but the events lead to {talks.stage.value!r}"
        )
    return talks


@contextlib.contextmanager
def plain_decoders_off() -> Iterator[None]:
    """``Event.from_dict`` and ``Tranche.from_dict`` without their own fast paths for plain
    data, which the fast road shares: every field read by the general reader."""
    with (
        mock.patch.object(events_module, "_plain_event", return_value=None),
        mock.patch.object(tranche_module, "_plain_tranche", return_value=None),
    ):
        yield


def outcome(load: Callable[[object], ng.Negotiation], document: object) -> ng.Negotiation | str:
    """``load(document)``, or the message of its refusal (a ValueError or NegotiationError)."""
    try:
        return load(document)
    except (ValueError, NegotiationError) as error:
        refusal = str(error)
    assert refusal.strip(), "a refusal without a message"
    return refusal


def pledged_moves(talks: ng.Negotiation, variant: int) -> None:
    """Scripted histories with pledges made, waiting, carried out, withdrawn and dropped."""
    russia, ukraine = ng.Side.RUSSIA, ng.Side.UKRAINE
    if variant == 0:  # a chain: the last transfer lets two pledged moves through
        talks.agree_exchange(ng.ExchangeTerms(quota=3, young_held={"ukraine": 1}))
        talks.pledge(russia, "open_third_round", note="after a prisoner exchange")
        talks.pledge(ukraine, "convene_leaders")
        talks.transfer(ng.Tranche.even(2))
        talks.declare_interest(russia, "security guarantees")
        talks.transfer(ng.Tranche(released={"russia": 1, "ukraine": 1}, young={"ukraine": 1}))
        talks.pledge(ukraine, "sign_settlement")
        talks.acknowledge_interest(ukraine, "security guarantees")
    elif variant == 1:  # withdrawn, then dropped when the process breaks down
        first = talks.pledge(russia, "sign_settlement")
        talks.pledge(ukraine, "open_third_round")
        talks.withdraw(first)
        talks.suspend("a delegation walked out")
        talks.pledge(russia, "convene_leaders")
        talks.collapse("ceasefire broken")
    else:  # pledged while suspended, last move first; resuming runs the chain
        talks.suspend("consultations in capitals")
        for side, trigger in zip(
            (russia, ukraine, russia, ukraine),
            ("sign_settlement", "convene_leaders", "open_third_round", "agree_exchange"),
            strict=True,
        ):
            talks.pledge(side, trigger)
        talks.resume()
        with contextlib.suppress(ng.TransitionBlocked):
            talks.open_third_round()
        talks.transfer(ng.Tranche.even(999, seriously_ill=3))
        talks.transfer(ng.Tranche.even(1, civilians=True))


@functools.cache
def real_documents() -> tuple[dict[str, Any], ...]:
    """Saved documents of varied real histories: the frozen files of each format, the
    journals' scripted histories, and histories with pledges."""
    found = [
        json.loads((DATA / name).read_text(encoding="utf-8"))
        for name in ("v1-article.json", "v2-article.json", "v3-article.json")
    ]
    for script, variants in ((real_moves, 3), (pledged_moves, 3)):
        for variant in range(variants):
            talks = ng.Negotiation()
            script(talks, variant)
            found.append(talks.to_dict())
    return tuple(found)


# Values a saved field must not be, or only just may be: numbers at and past the edges,
# booleans and floats that equal whole numbers, text that is blank, cased or not Unicode.
EDGE_COUNTS = (0, -1, 1, True, False, 1.0, 2**63, 2**70, None, "1")
COUNTS = st.sampled_from(EDGE_COUNTS) | st.integers(0, 12)
STAGE_NAMES = st.sampled_from([stage.value for stage in ng.Stage])
TRIGGERS = st.sampled_from((*ng.PROCESS.triggers, "pledge", "withdraw", "drop"))
TEXTS = st.sampled_from(
    ("", " ", "\t", "x", "missing persons", "security guarantees", "talks stalled", "é", "\ud800")
)
SIDE_NAMES = st.sampled_from(("russia", "ukraine", "Russia", "UKRAINE", "belarus", ""))
ODD: st.SearchStrategy[object] = (
    st.sampled_from((0, -1, 1, True, False, 1.0, 2**70, None, "", " ", "Talks", "transfer "))
    | st.builds(list)
    | st.builds(dict)
    | json_values
)


def plausible_or_odd(draw: st.DrawFn, plausible: st.SearchStrategy[Any]) -> object:
    """Mostly a value of the right kind (wrong, or right, where it is used), sometimes an odd
    one."""
    return draw(plausible) if draw(st.integers(0, 3)) else draw(ODD)


@st.composite
def side_counts(draw: st.DrawFn) -> dict[str, object]:
    """Side counts, often even, sometimes not, sometimes not counts at all."""
    russia = draw(COUNTS)
    return {"russia": russia, "ukraine": russia if draw(st.booleans()) else draw(COUNTS)}


FIELD_VALUES: dict[str, st.SearchStrategy[object]] = {
    "trigger": TRIGGERS,
    "accepted": st.sampled_from((True, False, 1, 0, "true")),
    "source": STAGE_NAMES,
    "dest": STAGE_NAMES,
    "arguments": st.builds(dict),
    "blockers": st.builds(list),
    "pledge": st.fixed_dictionaries(
        {"number": COUNTS, "side": SIDE_NAMES, "trigger": TRIGGERS},
        optional={"note": TEXTS | st.none()},
    ),
}
ARGUMENT_VALUES: dict[str, st.SearchStrategy[object]] = {
    "name": TEXTS,
    "reason": TEXTS,
    "note": TEXTS,
    "side": SIDE_NAMES,
    "terms": st.builds(dict),
    "tranche": st.fixed_dictionaries({"released": side_counts()}),
}


def index_into(draw: st.DrawFn, items: list[Any]) -> int:
    return draw(st.integers(0, len(items) - 1))


def aim_at_tranche(draw: st.DrawFn, tranche: dict[str, Any]) -> None:
    """A change to a saved tranche: a count of one side or of both, its flag, its shape; and
    maybe nothing left but how many each side releases, the commonest shape."""
    part = draw(
        st.sampled_from(
            ("released", "released", "released", "seriously_ill", "young", "civilians", "shape")
        )
    )
    if part == "civilians":
        flag = draw(st.sampled_from((True, False, 1, 0, None, "true", "absent")))
        if flag == "absent":
            tranche.pop("civilians", None)
        else:
            tranche["civilians"] = flag
    elif part == "shape":
        aim_at_tranche_shape(draw, tranche)
    else:
        held = tranche.get(part)
        if not isinstance(held, dict):
            held = tranche[part] = {"russia": 0, "ukraine": 0}
        value = draw(COUNTS)
        for side in draw(st.sampled_from((("russia",), ("ukraine",), ("russia", "ukraine")) * 2)):
            held[side] = value
    if part == "released" and draw(st.booleans()):
        for other in [key for key in tranche if key != "released"]:
            del tranche[other]


def aim_at_tranche_shape(draw: st.DrawFn, tranche: dict[str, Any]) -> None:
    """A saved tranche with a count or a field missing, or one too many, or of another type."""
    part = draw(st.sampled_from(("released", "seriously_ill", "young")))
    held = tranche.get(part)
    change = draw(st.sampled_from(("no side", "other side", "retype", "missing", "extra")))
    if change == "no side" and isinstance(held, dict):
        held.pop(draw(st.sampled_from(("russia", "ukraine"))), None)
    elif change == "other side" and isinstance(held, dict):
        held[draw(st.sampled_from(("belarus", "Russia", "UKRAINE", "", "russia ")))] = draw(COUNTS)
    elif change == "retype" and part in tranche:
        tranche[part] = retyped(held)
    elif change == "missing":
        tranche.pop(part, None)
    else:
        key, value = draw(
            st.sampled_from(
                (
                    ("prisoners", []),
                    ("prisoners", [{"id": "K-1", "held_by": "russia"}]),
                    ("note", "x"),
                    (part, {}),
                )
            )
        )
        tranche[key] = copy.deepcopy(value)


def aim_at_blockers(draw: st.DrawFn, event: dict[str, Any], blockers: list[Any]) -> None:
    """A change to a refused event's saved blockers: one blocker in it, or the list."""
    change = draw(st.sampled_from(("reverse", "duplicate", "drop", "empty", "remove", "accepted")))
    if draw(st.integers(0, 3)) and blockers:
        aim_at_blocker(draw, blockers, index_into(draw, blockers))
    elif change == "reverse":
        blockers.reverse()
    elif change == "duplicate" and blockers:
        blockers.append(copy.deepcopy(blockers[index_into(draw, blockers)]))
    elif change == "drop" and blockers:
        del blockers[index_into(draw, blockers)]
    elif change == "empty":
        blockers.clear()
    elif change == "remove":
        del event["blockers"]
    else:  # a refusal recorded as accepted, blockers and all
        event["accepted"] = True


def aim_at_blocker(draw: st.DrawFn, blockers: list[Any], at: int) -> None:
    """A change to one saved blocker: its rule, its message, its citation, its shape."""
    item = blockers[at]
    change = draw(
        st.sampled_from(("rule", "message", "source", "source", "missing", "extra", "retype"))
    )
    if not isinstance(item, dict):
        blockers[at] = draw(ODD)
    elif change == "rule":
        item["rule"] = plausible_or_odd(draw, st.sampled_from(sorted(CITED)))
    elif change == "message":
        message = item.get("message")
        if isinstance(message, str):  # another number, or a word more
            tweaks = st.sampled_from((message.replace("0", "1"), message + ".", message + " "))
            item["message"] = plausible_or_odd(draw, tweaks | TEXTS)
        else:
            item["message"] = draw(TEXTS)
    elif change == "source":  # spelled out: its own rule's citation, another's, or another text
        rule = item.get("rule")
        own = CITED[rule] if isinstance(rule, str) and rule in CITED else "article line 9"
        sources = st.sampled_from((own, *CITED.values(), "article line 1")) | TEXTS
        item["source"] = plausible_or_odd(draw, sources)
    elif change == "missing":
        item.pop(draw(st.sampled_from(("source", "rule", "message"))), None)
    elif change == "extra":
        item[draw(st.sampled_from(("note", "Rule", "")))] = draw(TEXTS)
    else:
        blockers[at] = retyped(item)


def aim_at_arguments(draw: st.DrawFn, arguments: dict[str, Any]) -> None:
    """A change to a saved event's arguments: a value, one taken away, one added."""
    change = draw(st.sampled_from(("value", "value", "remove", "add", "terms")))
    names = sorted(arguments)
    if change == "terms" and isinstance(arguments.get("terms"), dict):
        terms = arguments["terms"]
        key = draw(st.sampled_from((*sorted(terms), "quota", "extra")))
        if key in terms and draw(st.booleans()):
            del terms[key]
        else:
            terms[key] = draw(side_counts()) if key.endswith("held") else draw(COUNTS)
    elif change == "remove" and names:
        del arguments[draw(st.sampled_from(names))]
    elif change == "add" or not names:
        name = draw(st.sampled_from(sorted(ARGUMENT_VALUES)))
        arguments[name] = draw(ARGUMENT_VALUES[name])
    else:
        name = draw(st.sampled_from(names))
        arguments[name] = plausible_or_odd(draw, ARGUMENT_VALUES.get(name, ODD))


def aim_at_event(draw: st.DrawFn, event: dict[str, Any], events: list[Any]) -> None:
    """A change to one field of a saved event: replaced, taken from another event, taken
    away, or added where the event has none."""
    key = draw(st.sampled_from(sorted(FIELD_VALUES)))
    change = draw(st.sampled_from(("replace", "replace", "copy", "delete")))
    if change == "delete":
        event.pop(key, None)
    elif change == "copy":  # a value that is right somewhere else in the history
        other = events[index_into(draw, events)]
        if isinstance(other, dict) and key in other:
            event[key] = copy.deepcopy(other[key])
    else:
        event[key] = plausible_or_odd(draw, FIELD_VALUES[key])


def respell_counts(draw: st.DrawFn, held: dict[str, Any]) -> None:
    """The same side counts spelled otherwise: a side's name in capitals, a zero left out."""
    for side in [key for key in held if key in ("russia", "ukraine")]:
        number = held.pop(side)
        if number != 0 or draw(st.booleans()):
            held[draw(st.sampled_from((side, side.capitalize(), side.upper())))] = number


def respell_tranche(draw: st.DrawFn, tranche: dict[str, Any]) -> None:
    """The same tranche spelled otherwise: defaults written out, counts respelled."""
    if "civilians" not in tranche and draw(st.booleans()):
        tranche["civilians"] = False
    for part in ("seriously_ill", "young"):
        if part not in tranche and draw(st.booleans()):
            tranche[part] = {"russia": 0, "ukraine": 0}
    for part in ("released", "seriously_ill", "young"):
        if isinstance(tranche.get(part), dict) and draw(st.booleans()):
            respell_counts(draw, tranche[part])


def respell_event(draw: st.DrawFn, event: dict[str, Any]) -> None:
    """The same event spelled otherwise: what a saved event leaves out written out (its
    blockers' citations, no arguments, no blockers), arguments' sides and counts respelled."""
    if isinstance(event.get("blockers"), list):
        for blocker in event["blockers"]:
            if isinstance(blocker, dict) and blocker.get("rule") in CITED and draw(st.booleans()):
                blocker["source"] = CITED[blocker["rule"]]
    elif event.get("accepted") is True and draw(st.booleans()):
        event["blockers"] = []
    arguments = event.setdefault("arguments", {}) if draw(st.booleans()) else event.get("arguments")
    if not isinstance(arguments, dict):
        return
    if isinstance(arguments.get("side"), str) and draw(st.booleans()):
        arguments["side"] = draw(st.sampled_from((str.capitalize, str.upper)))(arguments["side"])
    if isinstance(arguments.get("tranche"), dict):
        respell_tranche(draw, arguments["tranche"])
    terms = arguments.get("terms")
    if isinstance(terms, dict):
        for held in ("seriously_ill_held", "young_held"):
            if isinstance(terms.get(held), dict) and draw(st.booleans()):
                respell_counts(draw, terms[held])


@st.composite
def respelled(draw: st.DrawFn, document: dict[str, Any]) -> dict[str, Any]:
    """``document`` (changed in place) with some of its events spelled otherwise, as a
    person or another program might write them: every loader reads the same negotiation."""
    for event in document["events"]:
        if draw(st.integers(0, 2)) == 0:
            respell_event(draw, event)
    return document


@st.composite
def aimed(draw: st.DrawFn, document: dict[str, Any]) -> dict[str, Any]:
    """``document`` (changed in place) after a change or a few aimed at its events' fields:
    tranche counts and flags, blockers, arguments, trigger, stages, pledges."""
    for _ in range(draw(st.sampled_from((1, 1, 2, 3)))):
        events = document.get("events")
        if not isinstance(events, list) or not events:
            return document
        if draw(st.integers(0, 9)) == 0:
            document["stage"] = draw(STAGE_NAMES)
            continue
        tranches = [
            event["arguments"]["tranche"]
            for event in events
            if isinstance(event, dict)
            and isinstance(event.get("arguments"), dict)
            and isinstance(event["arguments"].get("tranche"), dict)
        ]
        refused = [
            event
            for event in events
            if isinstance(event, dict) and isinstance(event.get("blockers"), list)
        ]
        aims = ["event", "event", "arguments"]
        aims += ["tranche"] * 5 if tranches else []
        aims += ["blockers"] * 3 if refused else []
        aim = draw(st.sampled_from(aims))
        if aim == "tranche":
            aim_at_tranche(draw, tranches[index_into(draw, tranches)])
        elif aim == "blockers":
            event = refused[index_into(draw, refused)]
            aim_at_blockers(draw, event, event["blockers"])
        else:
            event = events[index_into(draw, events)]
            if aim == "arguments" and isinstance(event, dict):
                if not isinstance(event.get("arguments"), dict):
                    event["arguments"] = {}
                aim_at_arguments(draw, event["arguments"])
            elif isinstance(event, dict):
                aim_at_event(draw, event, events)
    return document


@st.composite
def changed(draw: st.DrawFn, document: dict[str, Any]) -> object:
    """``document`` (changed in place) as it is, with changes aimed at its events' fields,
    with one event or the whole damaged at random, or aimed at and damaged."""
    how = draw(st.sampled_from(("as is", *["aimed"] * 4, "one event", "damaged", "aimed+damaged")))
    if how.startswith("aimed"):
        document = draw(aimed(document))
    events = document.get("events")
    if how == "one event" and isinstance(events, list) and events:
        at = index_into(draw, events)
        events[at] = draw(damaged(events[at]))
    elif how.endswith("damaged"):
        return draw(damaged(document))
    return document


@st.composite
def documents_to_load(draw: st.DrawFn) -> list[object]:
    """Saved documents of one history, real or drawn, maybe with its events spelled
    otherwise, each changed its own way (or not at all)."""
    if draw(st.booleans()):
        document: dict[str, Any] = draw(st.sampled_from(real_documents()))
    else:
        document = draw(saved).to_dict()
    if draw(st.booleans()):
        document = draw(respelled(copy.deepcopy(document)))
    return [draw(changed(copy.deepcopy(document))) for _ in range(draw(st.integers(1, 8)))]


@settings(max_examples=settings.default.max_examples * 2)
@given(documents_to_load())
def test_the_fast_loader_accepts_exactly_what_the_careful_loader_accepts(
    documents: list[object],
) -> None:
    """The fast loader accepts exactly what the careful loader accepts, and builds an equal
    negotiation.

    ``from_dict`` folds each saved event by the fast road (``refold_saved``) and hands what
    that finds unusual to the careful one; the careful loader here never takes the fast
    road: it decodes every event with ``Event.from_dict`` (also with that method's and
    ``Tranche.from_dict``'s own shortcuts for plain data switched off) and replays the
    events. Both accept with equal negotiations (state and history), or both refuse with
    the same message.
    """
    for document in documents:
        assert_both_roads_agree(document)


def assert_both_roads_agree(document: object) -> None:
    """``from_dict`` and the careful loader (with and without its plain decoders) give equal
    negotiations, or the same refusal; and none of them changes ``document``."""
    before = copy.deepcopy(document)
    fast = outcome(ng.Negotiation.from_dict, document)
    careful = outcome(careful_load, document)
    with plain_decoders_off():
        slow = outcome(careful_load, document)
    assert document == before, "loading changed the document"
    for road, other in (("careful", careful), ("careful, no plain decoders", slow)):
        if isinstance(fast, str) or isinstance(other, str):
            assert fast == other, f"from_dict gave {fast!r}; the {road} road {other!r}"
            continue
        assert fast.history == other.history, f"the {road} road decodes another history"
        assert fast.state == other.state, f"the {road} road folds to another state"
        assert fast == other
        assert fast.to_json() == other.to_json()


@pytest.mark.parametrize(
    "released",
    [
        {"russia": 3, "ukraine": 3},
        {"russia": 2**70, "ukraine": 2**70},
        {"russia": 0, "ukraine": 0},
        {"russia": -1, "ukraine": -1},
        {"russia": 3, "ukraine": 2},
        {"russia": True, "ukraine": 1},
        {"russia": 1, "ukraine": True},
        {"russia": 1.0, "ukraine": 1.0},
        {"russia": "1", "ukraine": "1"},
        {"russia": None, "ukraine": None},
        {"russia": 3},
        {"russia": 3, "ukraine": 3, "belarus": 3},
        {"RUSSIA": 3, "Ukraine": 3},
        [3, 3],
        3,
    ],
    ids=repr,
)
def test_a_tranche_of_nothing_but_a_number_loads_as_the_careful_loader_says(
    released: object,
) -> None:
    """The shortcut for the commonest saved tranche, ``{"released": ...}`` alone, answers
    every edge of it (booleans, floats, zero, unequal or missing sides) as the careful
    loader does, the first time it meets a number and again once it has kept it."""
    talks = ng.Negotiation()
    talks.agree_exchange()
    talks.transfer(ng.Tranche.even(5))
    document = talks.to_dict()
    document["events"][-1]["arguments"]["tranche"] = {"released": released}
    assert_both_roads_agree(document)
    assert_both_roads_agree(document)  # the second time, from what the first one kept
