"""Speed and memory of ``negotiations``, measured against the targets of the project's issue.

Run ``python benchmarks/run.py`` (a few minutes on two cores; ``--quick`` for a
short, noisier run; ``--json PATH`` to save the figures; ``--profile`` to add a
cProfile of transfer, of transfer with waiting pledges and of a refusal). It
prints one table -- measure, value, target, ratio (value / target: 1.00 is
exactly at the limit), PASS/FAIL -- and exits with status 1 if any target is
missed. It is not part of the pytest run.

How it measures
---------------
Only the standard library (plus ``transitions`` itself, for the baseline). A
timing is a ``timeit.Timer`` timed with ``number=1`` many times over: each
repeat first runs its own setup (not timed), then times one pass over a batch
of operations; the figure is the *minimum* over the repeats divided by the
batch size (the median is in the JSON too). ``timeit`` turns the garbage
collector off while it times; every measure runs once untimed first, as a
warm-up. Measures that are compared with one another (the sizes N; the moves,
with and without pledges, and their baseline; replay with and without a
pledge) take their repeats in turn, round after round, so that a slow spell
of a shared machine falls on all of them alike. Memory is ``tracemalloc``'s
traced total after minus before, divided by the count, with the collector off
and the list that holds the negotiations allocated before the "before"
reading: the figure is what the negotiations themselves cost (object headers
and the collector's own header included).

The figures
-----------
``create Negotiation(), N=...``
    Time per ``Negotiation()`` while building N of them, all kept alive.
    Target: <= 20 us, at N = 1k, 10k and 100k.
``memory per negotiation, terms agreed, N=...``
    Bytes per negotiation after ``Negotiation()`` then ``agree_exchange()``
    (the article's terms), N of them alive. Target: <= 2 KiB, at every N.
``memory per fresh negotiation (info)``
    The same right after ``Negotiation()``, for comparison.
``create: time/instance at 100k minus at 1k``
    Flatness of the creation time: how much more one creation costs among
    100k than among 1k. Target: <= 1 us (5% of the creation budget); the
    note gives the ratio. A cost that grows with N (a scan of every
    negotiation, say) would add far more; what remains is the operating
    system handing out fresh memory pages, which a ratio of a 0.2 us
    operation would magnify into noise.
``create: memory/instance 100k over 1k``
    Flatness of memory. Target: <= 1.10.
``create + agree_exchange, N=...`` (info)
    Time per ``Negotiation()`` + ``agree_exchange()``, N alive, and its ratio
    100k over 1k; no target of its own, reported beside the 20 us one.
``bare transitions trigger (a) / (b)``
    The baseline, measured in the same process: one ``transitions.Machine``
    built with ``model=None, auto_transitions=False, send_event=True,
    model_attribute="stage"`` and string states, shared by a pool of small
    slotted model objects; one transition from ``exchange`` with ``dest=None``
    (internal) and one condition callable reading a flag on the model; each
    call is ``machine.events["go"].trigger(model)``. (a) the condition passes:
    the baseline for ``transfer``, itself an internal move. (b) it fails: the
    baseline for a refused move. The "Stage enum states" rows (info) are the
    same with the library's ``Stage`` enum as the states.
``transfer``
    ``negotiation.transfer(Tranche.even(1))`` (the tranche built beforehand),
    once on each of a pool of negotiations in ``EXCHANGE`` under terms whose
    quota is never reached. Target: <= 3 x (a).
``refused open_third_round, same state``
    ``open_third_round()`` raising ``TransitionBlocked`` (exchange incomplete,
    2 blockers) on negotiations already refused once in the same state: the
    state's caches are warm, only the history grows. Target: <= 3 x (b).
``refused open_third_round, fresh state``
    The fair variant: a new pool for every repeat, each negotiation with a
    different ledger (one transfer of 1 to 999 people), each refused once, so
    every refusal meets a state never evaluated before. Target: <= 3 x (b).
``bare (b) right after (a)`` and ``refused right after a transfer`` (info)
    A cross-check by subtraction: a pool where each model is triggered with a
    passing then a failing condition, minus (a); and a pool where each
    negotiation makes a transfer then is refused, minus ``transfer``.
    Alternating two code paths costs more than repeating one, so these come
    out above the pool figures; the note compares like with like.
``transfer with 10 waiting pledges``
    ``transfer`` on a pool like its own, each negotiation with the ten
    :data:`WAITING_PLEDGES` waiting (made through ``talks.pledge``; each member
    of the pool is a replay of that history). Four are of ``open_third_round``,
    a move from ``EXCHANGE`` whose rules the terms never meet, so every
    transfer checks them (once: pledges of one move share a verdict); the
    others are of moves of later stages, from both sides, with notes: the
    realistic worst case. Target: <= 2 x ``transfer`` measured in the same
    rounds (the issue: "a move with 10 waiting pledges costs <= 2x a move
    with none"). That a negotiation with no pledge pays nothing is the rows
    above, whose targets are unchanged.
``refused open_third_round with 10 waiting pledges, same state`` (info)
    The same-state refusal on that pool (one transfer, one refusal first). A
    refused move does not settle pledges; the note compares it with the
    same-state refusal. Only the same-state variant is comparable: after any
    accepted move the pledges of ``open_third_round`` have already evaluated
    its rules in the new state, so no refusal with them meets a fresh state.

``replay / load / from_json / save, 100,000 events``
    One long negotiation built once (not timed) by :func:`play_history` with a
    fixed seed: ``agree_exchange`` on terms that are never met, then transfers
    of 1 to 500 a side (some civilian, some with seriously ill and young
    people), refused ``open_third_round`` attempts (4 blockers each),
    humanitarian issues raised and resolved, core interests declared and
    acknowledged, suspend/resume pairs. Each repeat times one whole
    ``Negotiation.replay(history)``, ``Negotiation.load(path)`` of the file
    ``save`` wrote, ``Negotiation.from_json(text)`` of the same text, or
    ``talks.save(path)`` (fsyncs included). Target: <= 1 s each. With
    ``--quick`` the history has 10,000 events and the time is multiplied by
    10, as the label says: a cost that grows faster than the history (a scan
    of every interest declared so far, say) shows far less there.
``replay with 1 pledge of open_third_round waiting`` (info)
    The same moves made on a second negotiation (built once, not timed), with
    Russia's pledge of ``open_third_round`` (:data:`HISTORY_PLEDGE`) made right
    after the terms and never met, so every later event checks it on replay;
    one whole ``Negotiation.replay``, in the same rounds as the plain replay.
    The note gives the time per event and what the pledge adds per event.
``reopen a journal`` (info)
    ``negotiations.open(path)`` then ``close()`` of a journal written once
    (not timed) through ``negotiations.open`` with the same kind of moves,
    each one appended and fsynced: 10,000 moves (2,000 with ``--quick``), and
    the time per event.

The loop around each operation (a ``for`` over the pool, a ``try`` for the
refusals) is inside the timed region for the library and the baseline alike;
it costs well under 0.1 us per operation.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import os
import platform
import pstats
import random
import shutil
import statistics
import sys
import tempfile
import timeit
import tracemalloc
from collections.abc import Callable
from dataclasses import asdict, dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

import transitions
from transitions import Machine

import negotiations as ng

US = 1e6
SIZES = (1_000, 10_000, 100_000)
CREATE_TARGET_US = 20.0
MEMORY_TARGET_BYTES = 2048
MOVE_FACTOR = 3.0
FLAT_TIME_US = 1.0  # 5% of the creation budget
FLAT_MEMORY = 1.10
#: Transfers never complete the exchange under these terms.
ENDLESS = ng.ExchangeTerms(quota=10**9)
ONE = ng.Tranche.even(1)
#: The long history: its size in the targets, its time budget, and the seed that makes it.
HISTORY_EVENTS = 100_000
HISTORY_TARGET_S = 1.0
HISTORY_SEED = 20250602
#: Terms the long history never meets: priority prisoners held beyond any transfer, so every
#: refusal of ``open_third_round`` names four rules.
UNREACHABLE = ng.ExchangeTerms(
    quota=10**9,
    seriously_ill_held={"russia": 10**8, "ukraine": 10**8},
    young_held={"russia": 10**8, "ukraine": 10**8},
)
#: A move with waiting pledges may cost at most this many times the same move with none.
PLEDGE_FACTOR = 2.0
#: Ten pledges that wait through every transfer under :data:`ENDLESS`, the realistic worst
#: case: four of ``open_third_round``, a move from ``EXCHANGE`` whose rules are not met, so
#: every accepted move checks them; six of moves of later stages; from both sides, with notes.
WAITING_PLEDGES: tuple[tuple[ng.Side, str, str], ...] = (
    (ng.Side.RUSSIA, "open_third_round", "the third round will take place after the exchange"),
    (ng.Side.UKRAINE, "convene_leaders", "leaders meet once humanitarian issues are resolved"),
    (ng.Side.UKRAINE, "open_third_round", "a third round once the prisoners are home"),
    (ng.Side.RUSSIA, "sign_settlement", "a memorandum once its core interests are acknowledged"),
    (ng.Side.RUSSIA, "convene_leaders", "a meeting of leaders at the final stage"),
    (ng.Side.UKRAINE, "sign_settlement", "a settlement with security guarantees"),
    (ng.Side.RUSSIA, "open_third_round", "talks go on in Istanbul after the exchange"),
    (ng.Side.UKRAINE, "convene_leaders", "the presidents meet after the third round"),
    (ng.Side.UKRAINE, "open_third_round", "the delegation returns after the exchange"),
    (ng.Side.RUSSIA, "sign_settlement", "a settlement once the causes are addressed"),
)
#: The pledge that waits through the whole of the pledged long history.
HISTORY_PLEDGE = (ng.Side.RUSSIA, "open_third_round", "the third round after the exchange")


@dataclass
class Settings:
    """How much work each measure does."""

    pool: int  # operations per timed batch for the moves
    move_rounds: int  # repeats of each move measure, interleaved
    create_rounds: int  # rounds of Negotiation() at every N, interleaved
    agree_rounds: int  # rounds of Negotiation() + agree_exchange() at every N, interleaved
    history: int  # events in the long history that is replayed, saved and loaded
    history_rounds: int  # repeats of each long-history measure, interleaved
    journal: int  # moves in the journal that is reopened
    journal_rounds: int  # repeats of the journal reopening


#: Repeats of each size within one round, so that every size takes about as long.
PER_ROUND = {
    "create": {1_000: 20, 10_000: 4, 100_000: 1},
    "agree": {1_000: 10, 10_000: 2, 100_000: 1},
}

FULL = Settings(
    pool=2_000,
    move_rounds=31,
    create_rounds=9,
    agree_rounds=7,
    history=100_000,
    history_rounds=7,
    journal=10_000,
    journal_rounds=5,
)
QUICK = Settings(
    pool=500,
    move_rounds=7,
    create_rounds=3,
    agree_rounds=2,
    history=10_000,
    history_rounds=2,
    journal=2_000,
    journal_rounds=2,
)


@dataclass
class Row:
    """One line of the table (and of the JSON)."""

    measure: str
    value: float
    unit: str
    target: float | None = None  # an upper limit, in ``unit``; None: reported only
    note: str = ""
    median: float | None = None

    @property
    def ratio(self) -> float | None:
        return None if self.target is None else self.value / self.target

    @property
    def passed(self) -> bool | None:
        return None if self.target is None else self.value <= self.target


@dataclass
class Timing:
    """Seconds per operation: every repeat, the best and the median."""

    times: list[float]

    @property
    def best(self) -> float:
        return min(self.times)

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    def __or__(self, other: Timing) -> Timing:
        """Both sets of repeats together."""
        return Timing(self.times + other.times)


# -- timing -------------------------------------------------------------------------------


@dataclass
class Bench:
    """One measure: ``run(setup())`` makes ``count`` operations, ``per_round`` times a round."""

    name: str
    run: Callable[[Any], Any]
    setup: Callable[[], Any]
    count: int
    per_round: int = 1


def interleaved(benches: list[Bench], rounds: int, *, warm_up: bool = True) -> dict[str, Timing]:
    """Per-operation times of every bench, their repeats taken in turn, round after round.

    Each repeat builds its own input with ``setup`` (not timed) and times one
    ``run``; its result is kept until the clock has stopped, so freeing it is
    not timed. Taking the measures in turn means a slow spell of a shared
    machine touches them all alike, not one of them. ``warm_up`` runs each once untimed
    first.
    """
    timers = {
        bench.name: timeit.Timer(
            stmt="kept = run(ctx)",
            setup="ctx = setup()",
            globals={"run": bench.run, "setup": bench.setup},
        )
        for bench in benches
    }
    if warm_up:  # a run of seconds needs none; its own first repeat warms what little there is
        for timer in timers.values():
            timer.timeit(number=1)
    gc.collect()
    times: dict[str, list[float]] = {bench.name: [] for bench in benches}
    for _ in range(rounds):
        for bench in benches:
            for _ in range(bench.per_round):
                times[bench.name].append(timers[bench.name].timeit(number=1) / bench.count)
    return {name: Timing(values) for name, values in times.items()}


# -- creation and memory ------------------------------------------------------------------


def _none() -> None:
    return None


def _create(count: int) -> Callable[[None], list[ng.Negotiation]]:
    def run(unused: None) -> list[ng.Negotiation]:
        return [ng.Negotiation() for _ in range(count)]

    return run


def _create_agreed(count: int) -> Callable[[None], list[ng.Negotiation]]:
    def run(unused: None) -> list[ng.Negotiation]:
        made: list[ng.Negotiation] = []
        append = made.append
        for _ in range(count):
            negotiation = ng.Negotiation()
            negotiation.agree_exchange()
            append(negotiation)
        return made

    return run


def memory_per_negotiation(count: int, *, agree: bool) -> float:
    """Bytes traced per negotiation while ``count`` of them are alive."""
    warm = ng.Negotiation()
    warm.agree_exchange()
    made: list[ng.Negotiation | None] = [None] * count
    gc.collect()
    collecting = gc.isenabled()
    gc.disable()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for index in range(count):
            negotiation = ng.Negotiation()
            if agree:
                negotiation.agree_exchange()
            made[index] = negotiation
        del negotiation
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
        if collecting:
            gc.enable()
    return (after - before) / count


# -- the baseline: a bare transitions trigger ---------------------------------------------


class _Model:
    """A small slotted model: the state attribute and the flag the condition reads."""

    __slots__ = ("ok", "stage")

    def __init__(self, stage: object, ok: bool) -> None:
        self.stage = stage
        self.ok = ok


def _condition(event: Any) -> bool:
    return bool(event.model.ok)


def bare_trigger(states: list[Any], initial: Any) -> Callable[..., bool]:
    """The ``trigger`` of the one guarded internal transition of a shared bare machine."""
    machine = Machine(
        model=None,
        states=states,
        initial=initial,
        auto_transitions=False,
        send_event=True,
        model_attribute="stage",
    )
    machine.add_transition("go", initial, None, conditions=[_condition])
    trigger: Callable[..., bool] = machine.events["go"].trigger
    return trigger


def _models(stage: object, *, ok: bool, count: int) -> Callable[[], list[_Model]]:
    def setup() -> list[_Model]:
        return [_Model(stage, ok) for _ in range(count)]

    return setup


def _fire_all(trigger: Callable[..., bool]) -> Callable[[list[_Model]], None]:
    def run(pool: list[_Model]) -> None:
        for model in pool:
            trigger(model)

    return run


def _fire_pairs(trigger: Callable[..., bool]) -> Callable[[list[_Model]], None]:
    def run(pool: list[_Model]) -> None:
        for passing, failing in zip(pool[::2], pool[1::2], strict=True):
            trigger(passing)
            trigger(failing)

    return run


def _alternating(count: int) -> Callable[[], list[_Model]]:
    def setup() -> list[_Model]:
        return [_Model("exchange", index % 2 == 0) for index in range(2 * count)]

    return setup


def baseline_benches(pool: int) -> list[Bench]:
    """The bare trigger: condition passing (a), failing (b), with enum states, (a) then (b)."""
    plain = bare_trigger(["talks", "exchange", "third_round"], "exchange")
    enum = bare_trigger(list(ng.Stage), ng.Stage.EXCHANGE)
    return [
        Bench("pass", _fire_all(plain), _models("exchange", ok=True, count=pool), pool),
        Bench("fail", _fire_all(plain), _models("exchange", ok=False, count=pool), pool),
        Bench("enum pass", _fire_all(enum), _models(ng.Stage.EXCHANGE, ok=True, count=pool), pool),
        Bench("enum fail", _fire_all(enum), _models(ng.Stage.EXCHANGE, ok=False, count=pool), pool),
        Bench("pass then fail", _fire_pairs(plain), _alternating(pool), pool),
    ]


# -- the moves ----------------------------------------------------------------------------


def _in_exchange(count: int) -> Callable[[], list[ng.Negotiation]]:
    def setup() -> list[ng.Negotiation]:
        pool = []
        for _ in range(count):
            negotiation = ng.Negotiation()
            negotiation.agree_exchange(ENDLESS)
            pool.append(negotiation)
        return pool

    return setup


def _transfer_all(pool: list[ng.Negotiation]) -> None:
    for negotiation in pool:
        negotiation.transfer(ONE)


def _refuse_all(pool: list[ng.Negotiation]) -> None:
    for negotiation in pool:
        try:  # noqa: SIM105  # contextlib.suppress would add its own cost to every refusal
            negotiation.open_third_round()
        except ng.TransitionBlocked:
            pass


def _transfer_then_refuse_all(pool: list[ng.Negotiation]) -> None:
    for negotiation in pool:
        negotiation.transfer(ONE)
        try:  # noqa: SIM105  # as in _refuse_all
            negotiation.open_third_round()
        except ng.TransitionBlocked:
            pass


def _pledged_template() -> ng.Negotiation:
    """A negotiation in EXCHANGE under :data:`ENDLESS` terms, with the ten
    :data:`WAITING_PLEDGES` made through ``talks.pledge``, all waiting."""
    talks = ng.Negotiation()
    talks.agree_exchange(ENDLESS)
    for side, trigger, note in WAITING_PLEDGES:
        talks.pledge(side, trigger, note=note)
    assert len(talks.pledges) == len(WAITING_PLEDGES), talks  # none was carried out
    return talks


def _in_exchange_pledged(count: int) -> Callable[[], list[ng.Negotiation]]:
    """Negotiations as :func:`_in_exchange` makes them, each with the ten waiting pledges.

    Each is its own replay of one template's history: the same state as ten
    ``talks.pledge`` calls, built in a third of the time (the setup is not timed, but it
    runs for every repeat).
    """
    events = _pledged_template().history

    def setup() -> list[ng.Negotiation]:
        replay = ng.Negotiation.replay
        return [replay(events) for _ in range(count)]

    return setup


def _refused_once(
    count: int, in_exchange: Callable[[int], Callable[[], list[ng.Negotiation]]] = _in_exchange
) -> Callable[[], list[ng.Negotiation]]:
    """Negotiations in EXCHANGE (made by ``in_exchange``), each already refused once in its
    current state."""

    def setup() -> list[ng.Negotiation]:
        pool = in_exchange(count)()
        for negotiation in pool:
            negotiation.transfer(ONE)
        _refuse_all(pool)
        return pool

    return setup


def _distinct_ledgers(count: int) -> Callable[[], list[ng.Negotiation]]:
    """Fresh negotiations under the article's terms, each with its own ledger, never refused."""

    def setup() -> list[ng.Negotiation]:
        pool = []
        for index in range(count):
            negotiation = ng.Negotiation()
            negotiation.agree_exchange()
            negotiation.transfer(ng.Tranche.even(index % 999 + 1))
            pool.append(negotiation)
        return pool

    return setup


def _check_refusal() -> int:
    """The refused move really is refused by an incomplete exchange; returns its blockers."""
    negotiation = _distinct_ledgers(1)()[0]
    try:
        negotiation.open_third_round()
    except ng.TransitionBlocked as refused:
        rules = {blocker.rule for blocker in refused.blockers}
        assert "exchange.quota" in rules, rules
        return len(refused.blockers)
    raise AssertionError("open_third_round was not refused")


def _check_pledged() -> None:
    """A transfer with the ten pledges waiting is one event, and leaves them all waiting."""
    negotiation = _in_exchange_pledged(1)()[0]
    before = len(negotiation.history)
    negotiation.transfer(ONE)
    assert len(negotiation.history) == before + 1, negotiation.history[before:]
    assert len(negotiation.pledges) == len(WAITING_PLEDGES), negotiation
    blocked = [p for p in negotiation.pledges if p.trigger == "open_third_round"]
    assert blocked, negotiation
    assert all(p.blockers for p in blocked), blocked


# -- a long history: replay, save, load, journal ------------------------------------------


def _random_tranche(chance: random.Random) -> ng.Tranche:
    """1 to 500 a side: civilians (15 %), with seriously ill and young people (30 %), or plain."""
    size = chance.randint(1, 500)
    kind = chance.random()
    if kind < 0.15:
        return ng.Tranche.even(size, civilians=True)
    if kind < 0.45:
        return ng.Tranche.even(
            size, seriously_ill=chance.randint(0, size), young=chance.randint(0, size)
        )
    return ng.Tranche.even(size)


def _open_history(talks: ng.Negotiation, *, pledged: bool) -> int:
    """Agree the terms of the long history, then, if ``pledged``, make :data:`HISTORY_PLEDGE`;
    returns how many events that made."""
    talks.agree_exchange(UNREACHABLE)
    if not pledged:
        return 1
    side, trigger, note = HISTORY_PLEDGE
    talks.pledge(side, trigger, note=note)
    return 2


def play_history(
    talks: ng.Negotiation, count: int, seed: int = HISTORY_SEED, *, pledged: bool = False
) -> ng.Negotiation:
    """Make moves on ``talks`` (a new negotiation, or a new journal) until it has ``count`` events.

    Terms that are never met (:data:`UNREACHABLE`), then, at random: transfers (50 %, see
    :func:`_random_tranche`), refused ``open_third_round`` attempts (20 %), humanitarian
    issues raised and later resolved (10 %, at most six open), core interests declared and
    later acknowledged by the other side (10 %, at most six pending), suspend/resume pairs
    (10 %). The same ``count`` and ``seed`` always give the same events. With ``pledged``,
    :data:`HISTORY_PLEDGE` is made right after the terms (one of the ``count`` events); the
    terms are never met, so it waits to the end and every later move checks it.
    """
    chance = random.Random(seed)
    sides = list(ng.Side)
    made = _open_history(talks, pledged=pledged)
    issues: list[str] = []
    declared: list[tuple[ng.Side, str]] = []
    while made < count:
        roll = chance.random()
        if roll < 0.5:
            talks.transfer(_random_tranche(chance))
        elif roll < 0.7:
            try:  # noqa: SIM105  # as in _refuse_all
                talks.open_third_round()
            except ng.TransitionBlocked:
                pass
        elif roll < 0.8:
            if issues and (len(issues) > 5 or chance.random() < 0.5):
                talks.resolve_humanitarian_issue(issues.pop(chance.randrange(len(issues))))
            else:
                issues.append(f"humanitarian issue {made}")
                talks.raise_humanitarian_issue(issues[-1])
        elif roll < 0.9:
            if declared and (len(declared) > 5 or chance.random() < 0.5):
                side, name = declared.pop(chance.randrange(len(declared)))
                talks.acknowledge_interest(side.other, name)
            else:
                declared.append((chance.choice(sides), f"core interest {made}"))
                talks.declare_interest(*declared[-1])
        elif made + 2 <= count:
            talks.suspend(f"consultations, round {chance.randint(1, 99)}")
            talks.resume()
            made += 1
        else:
            continue
        made += 1
    return talks


@dataclass
class LongHistory:
    """One long negotiation, and everything the history measures start from."""

    talks: ng.Negotiation
    events: tuple[ng.Event, ...]
    text: str  # what ``save`` wrote, which from_json reads
    folder: Path  # a temporary folder: the saved file, the save target, the journal
    saved: Path
    pledged: tuple[ng.Event, ...]  # the same moves with HISTORY_PLEDGE waiting throughout

    def kinds(self) -> str:
        """How many events of each kind, for the table."""
        tally: dict[str, int] = {}
        for event in self.events:
            key = event.trigger if event.accepted else f"refused {event.trigger}"
            tally[key] = tally.get(key, 0) + 1
        return ", ".join(f"{count:,} {key}" for key, count in sorted(tally.items()))


def long_history(count: int) -> LongHistory:
    """Build the history once (not timed), save it once, and check every road restores it."""
    talks = play_history(ng.Negotiation(), count)
    events = talks.history
    assert len(events) == count, len(events)
    folder = Path(tempfile.mkdtemp(prefix="negotiations-bench-"))
    saved = folder / "saved.json"
    talks.save(saved)
    pledged = play_history(ng.Negotiation(), count, pledged=True)
    assert len(pledged.history) == count, len(pledged.history)
    assert len(pledged.pledges) == 1, pledged
    history = LongHistory(
        talks, events, saved.read_text(encoding="utf-8"), folder, saved, pledged.history
    )
    assert ng.Negotiation.replay(events) == talks
    assert ng.Negotiation.load(saved) == talks
    assert ng.Negotiation.from_json(talks.to_json()) == talks
    assert ng.Negotiation.replay(history.pledged) == pledged
    return history


def _replay(events: tuple[ng.Event, ...]) -> ng.Negotiation:
    return ng.Negotiation.replay(events)


def _from_json(text: str) -> ng.Negotiation:
    return ng.Negotiation.from_json(text)


def _load(path: Path) -> ng.Negotiation:
    return ng.Negotiation.load(path)


def _save(target: tuple[ng.Negotiation, Path]) -> None:
    talks, path = target
    talks.save(path)


def _reopen(path: Path) -> ng.Negotiation:
    talks = ng.open(path)
    talks.close()  # the writer's lock: the next repeat opens it again
    return talks


def write_journal(folder: Path, count: int) -> tuple[Path, ng.Negotiation]:
    """A journal of ``count`` moves, made one by one through ``negotiations.open`` (each
    appended and fsynced as in real use); not timed."""
    path = folder / "journal.jsonl"
    with ng.open(path) as talks:
        play_history(talks, count)
    return path, talks


def history_benches(history: LongHistory) -> list[Bench]:
    """Replay, from_json, load and save of the long history, and replay of the same moves with
    a pledge waiting: one operation per repeat."""
    events, text, saved = history.events, history.text, history.saved
    target = (history.talks, history.folder / "save-target.json")
    pledged = history.pledged
    return [
        Bench("replay", _replay, lambda: events, 1),
        Bench("replay, 1 pledge", _replay, lambda: pledged, 1),
        Bench("from_json", _from_json, lambda: text, 1),
        Bench("load", _load, lambda: saved, 1),
        Bench("save", _save, lambda: target, 1),
    ]


# -- the run ------------------------------------------------------------------------------


def measure(settings: Settings, progress: Callable[[str], None]) -> list[Row]:
    """Every figure, in table order."""
    rows: list[Row] = []
    small, large = SIZES[0], SIZES[-1]

    progress("create Negotiation()")
    create = interleaved(
        [Bench(str(size), _create(size), _none, size, PER_ROUND["create"][size]) for size in SIZES],
        settings.create_rounds,
    )
    for size in SIZES:
        timing = create[str(size)]
        rows.append(
            Row(
                f"create Negotiation(), N={size:,}",
                timing.best * US,
                "us",
                CREATE_TARGET_US,
                median=timing.median * US,
            )
        )
    per_instance_bytes: dict[int, float] = {}
    for size in SIZES:
        progress(f"memory, N={size:,}")
        per_instance_bytes[size] = memory_per_negotiation(size, agree=True)
        rows.append(
            Row(
                f"memory per negotiation, terms agreed, N={size:,}",
                per_instance_bytes[size],
                "B",
                MEMORY_TARGET_BYTES,
            )
        )
    fresh = memory_per_negotiation(large, agree=False)
    rows.append(Row(f"memory per fresh negotiation, N={large:,} (info)", fresh, "B"))
    growth = create[str(large)].best - create[str(small)].best
    rows.append(
        Row(
            "create: time/instance at 100k minus at 1k",
            growth * US,
            "us",
            FLAT_TIME_US,
            note=f"{create[str(large)].best / create[str(small)].best:.2f}x",
        )
    )
    rows.append(
        Row(
            "create: memory/instance 100k over 1k",
            per_instance_bytes[large] / per_instance_bytes[small],
            "x",
            FLAT_MEMORY,
        )
    )

    progress("create + agree_exchange")
    agreed = interleaved(
        [
            Bench(str(size), _create_agreed(size), _none, size, PER_ROUND["agree"][size])
            for size in SIZES
        ],
        settings.agree_rounds,
    )
    for size in SIZES:
        timing = agreed[str(size)]
        rows.append(
            Row(
                f"create + agree_exchange, N={size:,} (info)",
                timing.best * US,
                "us",
                median=timing.median * US,
            )
        )
    rows.append(
        Row(
            "create + agree: time/instance 100k over 1k (info)",
            agreed[str(large)].best / agreed[str(small)].best,
            "x",
        )
    )

    progress("moves and the bare transitions baseline")
    blockers = _check_refusal()
    _check_pledged()
    pool = settings.pool
    waiting = len(WAITING_PLEDGES)
    moves = interleaved(
        [
            *baseline_benches(pool),
            Bench("transfer", _transfer_all, _in_exchange(pool), pool),
            Bench("refused, same state", _refuse_all, _refused_once(pool), pool),
            Bench("refused, fresh state", _refuse_all, _distinct_ledgers(pool), pool),
            Bench(
                "transfer then refused", _transfer_then_refuse_all, _distinct_ledgers(pool), pool
            ),
            Bench("transfer, pledges", _transfer_all, _in_exchange_pledged(pool), pool),
            Bench("refused, pledges", _refuse_all, _refused_once(pool, _in_exchange_pledged), pool),
        ],
        settings.move_rounds,
    )
    base_pass, base_fail = moves["pass"], moves["fail"]
    for label, name in (
        ("bare transitions trigger, condition passes (a)", "pass"),
        ("bare transitions trigger, condition fails (b)", "fail"),
        ("bare trigger (a), Stage enum states (info)", "enum pass"),
        ("bare trigger (b), Stage enum states (info)", "enum fail"),
    ):
        timing = moves[name]
        rows.append(Row(label, timing.best * US, "us", median=timing.median * US))
    transfer = moves["transfer"]
    rows.append(
        Row(
            "transfer",
            transfer.best * US,
            "us",
            MOVE_FACTOR * base_pass.best * US,
            note=f"{transfer.best / base_pass.best:.2f}x (a)",
            median=transfer.median * US,
        )
    )
    for label, name in (
        (f"refused open_third_round, same state ({blockers} blockers)", "refused, same state"),
        (f"refused open_third_round, fresh state ({blockers} blockers)", "refused, fresh state"),
    ):
        timing = moves[name]
        rows.append(
            Row(
                label,
                timing.best * US,
                "us",
                MOVE_FACTOR * base_fail.best * US,
                note=f"{timing.best / base_fail.best:.2f}x (b)",
                median=timing.median * US,
            )
        )
    bare_after = moves["pass then fail"].best - base_pass.best
    refused_after = moves["transfer then refused"].best - transfer.best
    rows.append(Row("bare (b) right after (a), (a) subtracted (info)", bare_after * US, "us"))
    rows.append(
        Row(
            "refused right after a transfer, transfer subtracted (info)",
            refused_after * US,
            "us",
            note=f"{refused_after / bare_after:.2f}x the line above",
        )
    )
    pledged = moves["transfer, pledges"]
    rows.append(
        Row(
            f"transfer with {waiting} waiting pledges",
            pledged.best * US,
            "us",
            PLEDGE_FACTOR * transfer.best * US,
            note=f"{pledged.best / transfer.best:.2f}x transfer",
            median=pledged.median * US,
        )
    )
    refused, same = moves["refused, pledges"], moves["refused, same state"]
    rows.append(
        Row(
            f"refused open_third_round with {waiting} waiting pledges, same state (info)",
            refused.best * US,
            "us",
            note=f"{refused.best / same.best:.2f}x the same-state refusal",
            median=refused.median * US,
        )
    )
    rows.extend(measure_history(settings, progress))
    return rows


def measure_history(settings: Settings, progress: Callable[[str], None]) -> list[Row]:
    """Replay, from_json, load and save of a long history, and reopening a journal."""
    rows: list[Row] = []
    size = settings.history
    scale = HISTORY_EVENTS / size
    progress(f"a {size:,}-event history, and one with a pledge: building them (not timed)")
    history = long_history(size)
    try:
        progress(f"a {size:,}-event history: replay, from_json, load, save; pledged replay")
        timings = interleaved(history_benches(history), settings.history_rounds, warm_up=False)
        if scale == 1:
            suffix = f"{size:,} events"
        else:  # --quick: a smaller history, its time scaled up linearly to the target's size
            suffix = f"{size:,} events scaled x{scale:g} to {HISTORY_EVENTS:,} (quick)"
        for label, name in (
            ("replay (Negotiation.replay)", "replay"),
            ("load (Negotiation.load of a saved file)", "load"),
            ("from_json (Negotiation.from_json)", "from_json"),
            ("save (talks.save)", "save"),
        ):
            timing = timings[name]
            rows.append(
                Row(
                    f"{label}, {suffix}",
                    timing.best * scale,
                    "s",
                    HISTORY_TARGET_S,
                    note=f"{timing.best / size * US:.1f} µs/event",
                    median=timing.median * scale,
                )
            )
        timing, plain = timings["replay, 1 pledge"], timings["replay"]
        rows.append(
            Row(
                f"replay with 1 pledge of open_third_round waiting, {suffix} (info)",
                timing.best * scale,
                "s",
                note=f"{timing.best / size * US:.1f} µs/event, "
                f"+{(timing.best - plain.best) / size * US:.1f} over replay",
                median=timing.median * scale,
            )
        )
        refused = sum(not event.accepted for event in history.events)
        rows.append(
            Row(
                f"saved file, {size:,} events (info)",
                len(history.text.encode("utf-8")) / 1e6,
                "MB",
                note=f"{refused:,} refused",
            )
        )
        journal = settings.journal
        progress(f"a journal of {journal:,} moves: writing it once (fsync per move, not timed)")
        path, written = write_journal(history.folder, journal)
        reopened = ng.open(path)
        reopened.close()
        assert reopened == written
        progress(f"a journal of {journal:,} moves: reopening it")
        timing = interleaved(
            [Bench("reopen", _reopen, lambda: path, 1)], settings.journal_rounds, warm_up=False
        )["reopen"]
        rows.append(
            Row(
                f"reopen a journal of {journal:,} moves (negotiations.open) (info)",
                timing.best,
                "s",
                note=f"{path.stat().st_size / 1e6:.1f} MB",
                median=timing.median,
            )
        )
        rows.append(
            Row(
                "reopen a journal: time per event (info)",
                timing.best / journal * US,
                "us",
                note=f"x{HISTORY_EVENTS:,} = {timing.best / journal * HISTORY_EVENTS:.1f} s",
                median=timing.median / journal * US,
            )
        )
    finally:
        shutil.rmtree(history.folder, ignore_errors=True)
    return rows


def _show(value: float, unit: str) -> str:
    if unit == "us":
        return f"{value:.2f} µs"
    if unit == "B":
        return f"{value:,.0f} B"
    if unit == "s":
        return f"{value:.2f} s"
    if unit == "MB":
        return f"{value:.1f} MB"
    return f"{value:.2f}x"


def table(rows: list[Row]) -> str:
    """The rows as an aligned text table."""
    lines = [("measure", "value", "target", "ratio", "result")]
    for row in rows:
        value = _show(row.value, row.unit) + (f" ({row.note})" if row.note else "")
        if row.target is None:
            lines.append((row.measure, value, "-", "-", "info"))
        else:
            lines.append(
                (
                    row.measure,
                    value,
                    "<= " + _show(row.target, row.unit),
                    f"{row.ratio:.2f}",
                    "PASS" if row.passed else "FAIL",
                )
            )
    widths = [max(len(line[i]) for line in lines) for i in range(5)]
    out = []
    for number, line in enumerate(lines):
        out.append(
            "  ".join(
                cell.ljust(width) if i == 0 else cell.rjust(width)
                for i, (cell, width) in enumerate(zip(line, widths, strict=True))
            ).rstrip()
        )
        if number == 0:
            out.append("  ".join("-" * width for width in widths))
    return "\n".join(out)


def profile(settings: Settings) -> str:
    """cProfile of transfer (without and with waiting pledges) and of a fresh refusal: the top
    functions by own time."""
    report = io.StringIO()
    for label, run, setup in (
        ("transfer", _transfer_all, _in_exchange(settings.pool)),
        (
            f"transfer with {len(WAITING_PLEDGES)} waiting pledges",
            _transfer_all,
            _in_exchange_pledged(settings.pool),
        ),
        ("refused open_third_round, fresh state", _refuse_all, _distinct_ledgers(settings.pool)),
    ):
        pools = [setup() for _ in range(5)]
        profiler = cProfile.Profile()
        profiler.enable()
        for pool in pools:
            run(pool)
        profiler.disable()
        report.write(f"\n== cProfile: {label}, {5 * settings.pool:,} calls ==\n")
        pstats.Stats(profiler, stream=report).sort_stats("tottime").print_stats(25)
    return report.getvalue()


def environment(quick: bool) -> dict[str, Any]:
    """Where the figures come from."""
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "negotiations": ng.__version__,
        "transitions": getattr(transitions, "__version__", None) or version("transitions"),
        "quick": quick,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short, noisier run")
    parser.add_argument("--json", metavar="PATH", help="also write the figures to PATH as JSON")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="append a cProfile of transfer (with and without pledges) and refusal",
    )
    options = parser.parse_args(argv)
    settings = QUICK if options.quick else FULL
    env = environment(options.quick)

    def progress(step: str) -> None:
        print(f"  ... {step}", file=sys.stderr, flush=True)

    rows = measure(settings, progress)
    print(
        f"negotiations {env['negotiations']}, transitions {env['transitions']}, "
        f"Python {env['python']} on {env['platform']} ({env['cpus']} CPUs)"
        + (" [quick]" if options.quick else "")
    )
    print(table(rows))
    missed = [row.measure for row in rows if row.passed is False]
    print(f"\n{len(missed)} target(s) missed" + (": " + "; ".join(missed) if missed else ""))
    if options.profile:
        print(profile(settings))
    if options.json:
        figures = {
            "environment": env,
            "settings": asdict(settings),
            "rows": [{**asdict(row), "ratio": row.ratio, "passed": row.passed} for row in rows],
            "missed": missed,
        }
        with open(options.json, "w", encoding="utf-8") as out:
            json.dump(figures, out, indent=2, ensure_ascii=False)
            out.write("\n")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
