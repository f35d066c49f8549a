"""Speed and memory of ``negotiations``, measured against the targets of the project's issue.

Run ``python benchmarks/run.py`` (about a minute on two cores; ``--quick`` for a
short, noisier run; ``--json PATH`` to save the figures; ``--profile`` to add a
cProfile of transfer and of a refusal). It prints one table -- measure, value,
target, ratio (value / target: 1.00 is exactly at the limit), PASS/FAIL -- and
exits with status 1 if any target is missed. It is not part of the pytest run.

How it measures
---------------
Only the standard library (plus ``transitions`` itself, for the baseline). A
timing is a ``timeit.Timer`` timed with ``number=1`` many times over: each
repeat first runs its own setup (not timed), then times one pass over a batch
of operations; the figure is the *minimum* over the repeats divided by the
batch size (the median is in the JSON too). ``timeit`` turns the garbage
collector off while it times; every measure runs once untimed first, as a
warm-up. Measures that are compared with one another (the sizes N; the moves
and their baseline) take their repeats in turn, round after round, so that a
slow spell of a shared machine falls on all of them alike. Memory is
``tracemalloc``'s traced total after minus before, divided by the count, with
the collector off and the list that holds the negotiations allocated before
the "before" reading: the figure is what the negotiations themselves cost
(object headers and the collector's own header included).

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
import statistics
import sys
import timeit
import tracemalloc
from collections.abc import Callable
from dataclasses import asdict, dataclass
from importlib.metadata import version
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


@dataclass
class Settings:
    """How much work each measure does."""

    pool: int  # operations per timed batch for the moves
    move_rounds: int  # repeats of each move measure, interleaved
    create_rounds: int  # rounds of Negotiation() at every N, interleaved
    agree_rounds: int  # rounds of Negotiation() + agree_exchange() at every N, interleaved


#: Repeats of each size within one round, so that every size takes about as long.
PER_ROUND = {
    "create": {1_000: 20, 10_000: 4, 100_000: 1},
    "agree": {1_000: 10, 10_000: 2, 100_000: 1},
}

FULL = Settings(pool=2_000, move_rounds=31, create_rounds=9, agree_rounds=7)
QUICK = Settings(pool=500, move_rounds=7, create_rounds=3, agree_rounds=2)


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


def interleaved(benches: list[Bench], rounds: int) -> dict[str, Timing]:
    """Per-operation times of every bench, their repeats taken in turn, round after round.

    Each repeat builds its own input with ``setup`` (not timed) and times one
    ``run``; its result is kept until the clock has stopped, so freeing it is
    not timed. Taking the measures in turn means a slow spell of a shared
    machine touches them all alike, not one of them.
    """
    timers = {
        bench.name: timeit.Timer(
            stmt="kept = run(ctx)",
            setup="ctx = setup()",
            globals={"run": bench.run, "setup": bench.setup},
        )
        for bench in benches
    }
    for timer in timers.values():
        timer.timeit(number=1)  # warm-up
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


def _refused_once(count: int) -> Callable[[], list[ng.Negotiation]]:
    """Negotiations in EXCHANGE, each already refused once in its current state."""

    def setup() -> list[ng.Negotiation]:
        pool = _in_exchange(count)()
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
    pool = settings.pool
    moves = interleaved(
        [
            *baseline_benches(pool),
            Bench("transfer", _transfer_all, _in_exchange(pool), pool),
            Bench("refused, same state", _refuse_all, _refused_once(pool), pool),
            Bench("refused, fresh state", _refuse_all, _distinct_ledgers(pool), pool),
            Bench(
                "transfer then refused", _transfer_then_refuse_all, _distinct_ledgers(pool), pool
            ),
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
    return rows


def _show(value: float, unit: str) -> str:
    if unit == "us":
        return f"{value:.2f} µs"
    if unit == "B":
        return f"{value:,.0f} B"
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
    """cProfile of transfer and of a fresh refusal: the top functions by own time."""
    report = io.StringIO()
    for label, run, setup in (
        ("transfer", _transfer_all, _in_exchange(settings.pool)),
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
        "--profile", action="store_true", help="append a cProfile of transfer and refusal"
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
