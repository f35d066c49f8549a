"""The article's story as data: the steps ``negotiations demo`` walks through, one line each."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from attrs import frozen

from negotiations._article import PROCESS
from negotiations._errors import TransitionBlocked
from negotiations._negotiation import Negotiation
from negotiations._records import DROP, PLEDGE, Event
from negotiations._stages import Side, label
from negotiations._terms import ISTANBUL_TERMS
from negotiations._tranche import Prisoner, Tranche

__all__ = ["ARTICLE_STORY", "Step", "play", "render", "render_pledged"]


@frozen
class Step:
    """One step of a story: what happens, in words, and the move that makes it happen."""

    narration: str
    trigger: str
    arguments: Mapping[str, Any]
    line: int | None = None  # the article line the step comes from, if any
    #: What the step brings about, for the moves pledges make by themselves after it.
    then: str = "as soon as it was possible"


_KURSK = (
    Prisoner("kursk-civilian-1", Side.UKRAINE, civilian=True, origin="Kursk Oblast"),
    Prisoner("kursk-civilian-2", Side.UKRAINE, civilian=True, origin="Kursk Oblast"),
    Prisoner("ukrainian-civilian-1", Side.RUSSIA, civilian=True),
    Prisoner("ukrainian-civilian-2", Side.RUSSIA, civilian=True),
)

#: The process in the article, from the agreement in Istanbul to the leaders'
#: meeting. Putin's and Umerov's conditional statements are pledges: the third
#: round and the leaders' meeting happen by themselves the moment their
#: conditions are met. Tranche sizes after the first are illustrative: the
#: article gives only the agreed minimum.
ARTICLE_STORY: tuple[Step, ...] = (
    Step(
        "In Istanbul the parties agree 'a thousand for a thousand'",
        "agree_exchange",
        {"terms": ISTANBUL_TERMS},
        5,
    ),
    Step(
        "Putin: the third round will take place after a prisoner exchange",
        PLEDGE,
        {
            "side": Side.RUSSIA,
            "trigger": "open_third_round",
            "note": "the third round of negotiations with Kiev will take place after a "
            "prisoner exchange",
        },
        8,
    ),
    Step(
        "Umerov: leaders' meetings once humanitarian issues are resolved",
        PLEDGE,
        {
            "side": Side.UKRAINE,
            "trigger": "convene_leaders",
            "note": "Ukraine intends to move on to discussing leaders' meetings once "
            "humanitarian issues are resolved",
        },
        11,
    ),
    Step(
        "Two civilians from Kursk Oblast return to Russia, two go to Ukraine",
        "transfer",
        {"tranche": Tranche.from_prisoners(_KURSK, ISTANBUL_TERMS)},
        1,
    ),
    Step("Military tranche, 390 for 390", "transfer", {"tranche": Tranche.even(390)}, 2),
    Step(
        "A further humanitarian issue is raised (illustrative)",
        "raise_humanitarian_issue",
        {"name": "missing persons"},
        11,
    ),
    Step("The third round is called before the exchange is done", "open_third_round", {}, 8),
    Step(
        "Military tranche, 307 for 307, seriously ill first",
        "transfer",
        {"tranche": Tranche.even(307, seriously_ill=41)},
        5,
    ),
    Step(
        "Military tranche, 301 for 301, the young among them",
        "transfer",
        {"tranche": Tranche.even(301, young=118)},
        5,
        then="when the last tranche completed the exchange",
    ),
    Step("A leaders' meeting is proposed too soon", "convene_leaders", {}, 11),
    Step(
        "The further humanitarian issue is resolved",
        "resolve_humanitarian_issue",
        {"name": "missing persons"},
        11,
        then="when the last humanitarian issue was resolved",
    ),
)


def play(
    steps: tuple[Step, ...] = ARTICLE_STORY, negotiation: Negotiation | None = None
) -> Iterator[tuple[Step, tuple[Event, ...]]]:
    """Take each step on ``negotiation`` (a new one by default); yield what it recorded.

    A step's events are its own (refused or accepted) and those the pledges it let
    through made by themselves. A refused step yields its refused event and the
    story goes on, as the news does.
    """
    talks = Negotiation() if negotiation is None else negotiation
    for step in steps:
        before = len(talks.history)
        try:
            if step.trigger == PLEDGE:
                talks.pledge(**step.arguments)
            else:
                talks.send(step.trigger, **step.arguments)
        except TransitionBlocked:
            pass
        yield step, talks.history[before:]


def render(step: Step, event: Event, progress: str) -> str:
    """One line for a step's own event: what happened, and what it did to the process."""
    if event.trigger == PLEDGE:
        outcome = "pledged: waits until it is possible"
    elif event.accepted:
        if event.dest != event.source:
            outcome = f"{label(event.source)} -> {label(event.dest)}"
        else:
            outcome = f"{event.trigger}: {progress}" if event.trigger == "transfer" else "recorded"
    else:
        reasons = "; ".join(
            f"{blocker.message} (line {PROCESS.rule(blocker.rule).line})"
            for blocker in event.blockers
        )
        outcome = f"REFUSED: {reasons}"
    return f"{step.narration:<68} {outcome}"


def render_pledged(event: Event, step: Step) -> str:
    """One line for a move a pledge made by itself after ``step``, or a pledge dropped.

    ``the third round of talks opens: exchange -> third round — pledged by Russia — when
    the last tranche completed the exchange``
    """
    pledge = event.pledge
    assert pledge is not None  # only events a pledge made come here
    if event.trigger == DROP:
        return (
            f"pledge {pledge.number} ({label(pledge.side)}: {pledge.trigger}) dropped: "
            f"the process ended in {label(event.source)}"
        )
    move = PROCESS.move(event.trigger, event.source)
    what = move.doc if move is not None and move.doc else event.trigger
    return (
        f"{what}: {label(event.source)} -> {label(event.dest)} "
        f"— pledged by {label(pledge.side)} — {step.then}"
    )
