"""The article's process, as data: its source, its rules with their conditions, its stages and
its moves with their effects."""

from __future__ import annotations

from importlib.resources import files

from negotiations._definition import Definition, Move, Rule, Source, shipped
from negotiations._stages import Side, Stage
from negotiations._terms import ISTANBUL_TERMS
from negotiations.conditions import (
    Acknowledged,
    AllOf,
    AtStage,
    ExchangeComplete,
    Priority,
    Proportion,
    Quota,
    Resolved,
    Separate,
    UnderWay,
)
from negotiations.effects import (
    Acknowledge,
    Agree,
    AgreeFurther,
    Amend,
    Close,
    Declare,
    End,
    Open,
    Resume,
    Suspend,
    Transfer,
)

__all__ = ["ACTIVE", "ARTICLE", "PROCESS", "RULES"]

#: The news article the process comes from, shipped with the package.
ARTICLE = Source(
    title="Kursk civilians return in a reciprocal prisoner exchange; talks to follow",
    # The text carries no date of its own; this is the first day of the exchange it reports.
    date="2025-05-23",
    origin="a news report citing the TASS agency (seed/article.txt)",
    text=files("negotiations").joinpath("data/article.txt").read_text(encoding="utf-8"),
    name="article",
)

#: The article's rules: each with a stable id, a one-line statement, and the
#: line of the article it comes from with the words quoted.
_RULES: tuple[Rule, ...] = (
    Rule(
        "exchange.reciprocal",
        "every handover is reciprocal: both sides release the same number of people",
        2,
        "the exchange was reciprocal, meaning each side exchanged an equal number of prisoners",
        Proportion(),
    ),
    Rule(
        "exchange.civilians_separate",
        "civilians are handed over in their own tranches, never mixed with soldiers",
        3,
        "The civilians were returned separately.",
        Separate(),
    ),
    Rule(
        "exchange.quota",
        "the exchange is complete only when each side has released at least the agreed number",
        5,
        "with a minimum of 1,000 people on each side",
        Quota(),
    ),
    Rule(
        "exchange.seriously_ill",
        "the exchange is complete only when each side has released every seriously ill "
        "prisoner it holds",
        5,
        "return all seriously ill and young (under 25 years old) prisoners from each side",
        Priority("seriously_ill"),
    ),
    Rule(
        "exchange.young",
        "the exchange is complete only when each side has released every prisoner under "
        "the age limit it holds",
        5,
        "return all seriously ill and young (under 25 years old) prisoners from each side",
        Priority("young"),
    ),
    Rule(
        "exchange.under_way",
        "after the exchange stage, people are handed over (and the terms amended) only while "
        "an agreed exchange is not yet complete",
        1,
        "have returned to Russia as part of a prisoner exchange",
        UnderWay(),
    ),
    Rule(
        "talks.third_round_after_exchange",
        "the third round of talks opens only after the exchange is complete",
        8,
        "the third round of negotiations with Kiev will take place after a prisoner exchange",
        ExchangeComplete(),
    ),
    Rule(
        "leaders.after_humanitarian",
        "leaders' meetings are convened only from the third round and only once every "
        "humanitarian issue is resolved",
        11,
        "move on to discussing leaders’ meetings during negotiations with Moscow once "
        "humanitarian issues are resolved",
        AllOf(
            (
                AtStage(Stage.THIRD_ROUND, "leaders' meetings are convened"),
                Resolved("humanitarian", "humanitarian issue(s)", exchange=True),
            )
        ),
    ),
    Rule(
        "settlement.interests",
        "a settlement is signed only when every core interest each side declared has been "
        "acknowledged by the other",
        14,
        "excluded the possibility of peace in Ukraine without taking into account "
        "Russia’s interests",
        Acknowledged(),
    ),
    Rule(
        "process.order",
        "each move is made only from the stages it belongs to: humanitarian steps first, "
        "political ones after",
        9,
        "resolving immediate humanitarian concerns before advancing to broader political "
        "discussions",
    ),
)


#: The stages in which the process is under way: humanitarian issues and
#: interests can be raised there, and the process suspended or collapsed.
ACTIVE = (Stage.TALKS, Stage.EXCHANGE, Stage.THIRD_ROUND, Stage.LEADERS_MEETING)

_ISSUE = "humanitarian issue"

#: The stages in which an exchange has been agreed: a further one can be agreed there,
#: and the terms of the one under way amended.
_UNDER_TERMS = (Stage.EXCHANGE, Stage.THIRD_ROUND, Stage.LEADERS_MEETING)

#: The rules every handover's tranche is checked by.
_HANDOVER = ("exchange.reciprocal", "exchange.civilians_separate")

#: The article's process: talks, a prisoner exchange, a third round, leaders'
#: meetings, a settlement; suspension and collapse on the way.
PROCESS = Definition(
    name="article",
    source=ARTICLE,
    parties=(Side.RUSSIA, Side.UKRAINE),
    stages=tuple(Stage),
    initial=Stage.TALKS,
    finals=frozenset({Stage.SETTLEMENT, Stage.COLLAPSED}),
    rules=_RULES,
    terms=ISTANBUL_TERMS,
    moves=(
        Move(
            "agree_exchange",
            (Stage.TALKS,),
            Stage.EXCHANGE,
            effect=Agree(),
            doc="the parties agree the terms of a prisoner exchange",
        ),
        Move(
            "agree_exchange",
            _UNDER_TERMS,
            effect=AgreeFurther(),
            doc="the parties agree a further exchange; its numbers add to those agreed before",
        ),
        Move(
            "transfer",
            (Stage.EXCHANGE,),
            effect=Transfer(),
            checks=_HANDOVER,
            doc="a reciprocal handover of people",
        ),
        Move(
            "transfer",
            (Stage.THIRD_ROUND, Stage.LEADERS_MEETING),
            effect=Transfer(),
            guard=("exchange.under_way",),
            checks=_HANDOVER,
            doc="a handover of an exchange agreed and not yet complete",
        ),
        Move(
            "amend_terms",
            _UNDER_TERMS,
            effect=Amend(),
            guard=("exchange.under_way",),
            doc="the terms of the exchange under way (the latest agreed) are amended",
        ),
        Move(
            "open_third_round",
            (Stage.EXCHANGE,),
            Stage.THIRD_ROUND,
            guard=(
                "talks.third_round_after_exchange",
                "exchange.quota",
                "exchange.seriously_ill",
                "exchange.young",
            ),
            doc="the third round of talks opens",
        ),
        Move(
            "convene_leaders",
            (Stage.THIRD_ROUND,),
            Stage.LEADERS_MEETING,
            guard=("leaders.after_humanitarian",),
            doc="the leaders meet",
        ),
        Move(
            "sign_settlement",
            (Stage.LEADERS_MEETING,),
            Stage.SETTLEMENT,
            guard=("settlement.interests",),
            doc="a settlement is signed",
        ),
        Move(
            "raise_humanitarian_issue",
            ACTIVE,
            effect=Open("humanitarian", _ISSUE),
            doc="a humanitarian issue beyond the exchange is raised",
        ),
        Move(
            "resolve_humanitarian_issue",
            ACTIVE,
            effect=Close("humanitarian", _ISSUE),
            doc="a raised humanitarian issue is resolved",
        ),
        Move(
            "declare_interest",
            ACTIVE,
            effect=Declare(),
            doc="a side declares a core interest",
        ),
        Move(
            "acknowledge_interest",
            ACTIVE,
            effect=Acknowledge(),
            doc="a side acknowledges the other side's core interest",
        ),
        Move(
            "suspend",
            ACTIVE,
            Stage.SUSPENDED,
            effect=Suspend(),
            doc="the process is put on hold",
        ),
        Move(
            "resume",
            (Stage.SUSPENDED,),
            effect=Resume(),
            doc="the process resumes where it was suspended",
        ),
        Move(
            "collapse",
            (*ACTIVE, Stage.SUSPENDED),
            Stage.COLLAPSED,
            effect=End(),
            doc="the process breaks down for good",
        ),
    ),
)

shipped(PROCESS)

#: The article's rules as the process cites them (``article line 5: "..."``).
RULES = PROCESS.rules
