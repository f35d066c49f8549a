"""The ``negotiations`` command: ``demo`` walks the article's story (``demo --record`` the
reported 2025 record); ``rules`` and ``diagram`` print the definition; ``simulate``
runs the article's process many times by its illustrative dynamics."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from negotiations import __version__
from negotiations._negotiation import Negotiation
from negotiations._record import reported_events
from negotiations._story import ARTICLE_STORY, play, render, render_pledged
from negotiations.diagram import mermaid, rules_table, stages_table

__all__ = ["main"]


def _progress(talks: Negotiation) -> str:
    released, terms, process = talks.ledger.released, talks.terms, talks.process
    return ", ".join(
        f"{process.label(p)} {released.get(p, 0)}/{terms.quota_for(p) if terms else 0}"
        for p in process.parties
    )


def _record() -> int:
    talks = Negotiation()
    print("The reported 2025 record, event by event (* an illustrative figure):")
    print()
    for event in reported_events():
        talks.send(event.trigger, date=event.date, citation=event.citation, **event.arguments)
        mark = "*" if event.illustrative else " "
        print(f"{event.date.isoformat()} {mark} {event.summary} ({event.citation})")
        print(f"             -> {talks.stage}; exchange {_progress(talks)}")
    print()
    print("* The count was not made public; the figure is illustrative (see the data's notes).")
    print(f"Now: {talks!r}")
    return 0


def _demo() -> int:
    talks = Negotiation()
    print("The process in the article, step by step (article lines in brackets):")
    print()
    for number, (step, events) in enumerate(play(ARTICLE_STORY, talks), start=1):
        released, terms, process = talks.ledger.released, talks.terms, talks.process
        progress = ", ".join(
            f"{process.label(p)} {released.get(p, 0)}/{terms.quota_for(p) if terms else 0}"
            for p in process.parties
        )
        cited = f"[{step.line}]" if step.line else ""
        own, *pledged = events
        print(f"{number:>2}. {cited:<5}{render(step, own, progress)}")
        for event in pledged:
            print(f"           -> {render_pledged(event, step)}")
    print()
    print(f"Now: {talks!r}")
    return 0


def _simulate(runs: int, seed: int, csv: str | None, plot: str | None) -> int:
    from negotiations._errors import NegotiationError  # noqa: PLC0415  # this command only
    from negotiations._simulate import simulate  # noqa: PLC0415  # as above

    for option, path in (("--csv", csv), ("--plot", plot)):
        folder = os.path.dirname(path or "") or "."
        if path and not os.path.isdir(folder):
            # Before the work, not after it: a long simulation is not thrown away.
            print(f"negotiations simulate: {option}: no folder {folder}", file=sys.stderr)
            return 1
    try:
        result = simulate(runs, seed=seed, progress=True, keep="runs" if csv else "summary")
        print(result.summary())
        if csv:
            result.to_csv(csv)
            print(f"one row per run written to {csv}")
        if plot:
            result.plot(plot)
            print(f"plot written to {plot}")
    except (NegotiationError, OSError) as error:
        print(f"negotiations simulate: {error}", file=sys.stderr)
        return 1
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="negotiations",
        description="A staged diplomatic process as a guarded state machine.",
    )
    parser.add_argument("--version", action="version", version=f"negotiations {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo = commands.add_parser("demo", help="walk through the article's process, one line per step")
    demo.add_argument(
        "--record",
        action="store_true",
        help="walk through the reported 2025 record instead, every event dated and cited",
    )
    commands.add_parser("rules", help="print the rules and the sentences they come from")
    commands.add_parser("stages", help="print the stages and the moves from each")
    commands.add_parser("diagram", help="print the process as a Mermaid state diagram")
    simulate = commands.add_parser(
        "simulate",
        help="simulate the article's process many times (illustrative dynamics; needs "
        "negotiations[sim])",
    )
    simulate.add_argument("runs", type=int, help="how many negotiations to simulate")
    simulate.add_argument("--seed", type=int, default=0, help="the seed (default 0)")
    simulate.add_argument("--csv", metavar="PATH", help="also write one row per run to PATH")
    simulate.add_argument(
        "--plot", metavar="PATH", help="also draw a PNG (needs negotiations[plot])"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    try:
        return _run(argv)
    except BrokenPipeError:  # `negotiations demo | head`: the reader left, which is fine
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _run(argv: Sequence[str] | None) -> int:
    parser = _parser()
    options = parser.parse_args(argv)
    if options.command == "demo":
        return _record() if options.record else _demo()
    if options.command == "rules":
        print(rules_table())
        return 0
    if options.command == "stages":
        print(stages_table())
        return 0
    if options.command == "diagram":
        print(mermaid())
        return 0
    if options.command == "simulate":
        return _simulate(options.runs, options.seed, options.csv, options.plot)
    parser.print_help(sys.stderr)
    return 2
