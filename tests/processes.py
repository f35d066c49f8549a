"""Processes the library was not written for, defined as data, for the generic tests.

Each has its own short source document; every rule quotes its cited line exactly
(the definition checks that when it is built). ``PROCESSES`` lists them with the
article's own ``negotiations.PROCESS``, so that a generic test runs on all three.

- :data:`CEASEFIRE`: three parties (two sides and a monitoring mission), items of its
  own kind (violations reported and closed), interests that *every* other party must
  acknowledge, a suspension that can be resumed, and two ends.
- :data:`HOSTAGE_EXCHANGE`: hostages for prisoners at one for thirty, with per-party
  quotas, priority prisoners, a mediator who releases nobody, a second phase guarded
  by the completed exchange, and remains of the dead as items of its own kind.
"""

from __future__ import annotations

import negotiations as ng
from negotiations import Definition, ExchangeTerms, Move, Rule, Source
from negotiations.conditions import (
    Acknowledged,
    AllOf,
    AtStage,
    ExchangeComplete,
    Priority,
    Proportion,
    Quota,
    Resolved,
)
from negotiations.effects import (
    Acknowledge,
    Agree,
    Close,
    Declare,
    End,
    Open,
    Record,
    Resume,
    Suspend,
    Transfer,
)

__all__ = [
    "CEASEFIRE",
    "CEASEFIRE_SOURCE",
    "HOSTAGE_EXCHANGE",
    "HOSTAGE_SOURCE",
    "HOSTAGE_TERMS",
    "PROCESSES",
]

# -- a three-party ceasefire -----------------------------------------------------------------

CEASEFIRE_SOURCE = Source(
    title="Joint communique on a ceasefire along the line of contact",
    date="2024-03-02",
    origin="a communique of the parties and the monitoring mission (written for the tests)",
    name="communique",
    text="\n".join(
        (
            "Joint communique on a ceasefire along the line of contact.",
            "East and West agree to an immediate cessation of hostilities, observed by the "
            "monitoring mission.",
            "Every reported violation shall be investigated by the monitor and closed, also "
            "while talks are suspended.",
            "Heavy weapons shall be withdrawn only once no reported violation remains open.",
            "An accord shall be signed only after the withdrawal, when no violation is open and "
            "each party's security concerns have been acknowledged by all the others.",
            "Any party may ask the monitor to suspend the process; it resumes where it stood.",
            "The steps follow in order: ceasefire, withdrawal, accord.",
        )
    ),
)

_ACTIVE = ("ceasefire", "withdrawal")

#: Three parties; a violation is an item of the process's own kind.
CEASEFIRE = Definition(
    name="ceasefire",
    source=CEASEFIRE_SOURCE,
    parties=("east", "west", "monitor"),
    labels={"east": "East", "west": "West", "monitor": "the monitoring mission"},
    stages=("ceasefire", "withdrawal", "accord", "suspended", "broken"),
    initial="ceasefire",
    finals=frozenset({"accord", "broken"}),
    order_rule="ceasefire.order",
    rules=(
        Rule(
            "withdrawal.violations_closed",
            "heavy weapons are withdrawn only once every reported violation is closed",
            4,
            "withdrawn only once no reported violation remains open",
            Resolved("violation", "reported violation(s)"),
        ),
        Rule(
            "accord.after_withdrawal",
            "the accord is signed only from the withdrawal, with no violation open",
            5,
            "signed only after the withdrawal, when no violation is open",
            AllOf(
                (
                    AtStage("withdrawal", "the accord is signed"),
                    Resolved("violation", "reported violation(s)"),
                )
            ),
        ),
        Rule(
            "accord.concerns",
            "the accord is signed only when every party's security concerns are acknowledged "
            "by all the others",
            5,
            "each party's security concerns have been acknowledged by all the others",
            Acknowledged(),
        ),
        Rule(
            "ceasefire.order",
            "the steps are taken in their order",
            7,
            "The steps follow in order: ceasefire, withdrawal, accord.",
        ),
    ),
    moves=(
        Move(
            "withdraw_weapons",
            ("ceasefire",),
            "withdrawal",
            guard=("withdrawal.violations_closed",),
            doc="heavy weapons are pulled back from the line",
        ),
        Move(
            "sign_accord",
            ("withdrawal",),
            "accord",
            guard=("accord.after_withdrawal", "accord.concerns"),
            doc="the parties sign a political accord",
        ),
        Move(
            "report_violation",
            _ACTIVE,
            effect=Open("violation", "violation"),
            doc="a violation of the ceasefire is reported",
        ),
        Move(
            "close_violation",
            (*_ACTIVE, "suspended"),
            effect=Close("violation", "violation"),
            doc="the monitor closes an investigated violation (also while suspended)",
        ),
        Move("raise_concern", _ACTIVE, effect=Declare(), doc="a party states a security concern"),
        Move(
            "acknowledge_concern",
            _ACTIVE,
            effect=Acknowledge(),
            doc="a party acknowledges another party's security concern",
        ),
        Move(
            "log",
            _ACTIVE,
            effect=Record(parameters=("note",)),
            doc="the monitor logs an observation (kept in the history only)",
        ),
        Move("suspend", _ACTIVE, "suspended", effect=Suspend(), doc="the process is put on hold"),
        Move("resume", ("suspended",), effect=Resume(), doc="the process resumes where it stood"),
        Move(
            "break_down",
            (*_ACTIVE, "suspended"),
            "broken",
            effect=End(),
            doc="the ceasefire breaks down",
        ),
    ),
)

# -- hostages for prisoners, one for thirty -----------------------------------------------------

HOSTAGE_SOURCE = Source(
    title="Agreement on the release of hostages and prisoners in two phases",
    date="2025-01-15",
    origin="a mediated agreement (written for the tests)",
    name="agreement",
    text="\n".join(
        (
            "Agreement on the release of hostages and prisoners in two phases.",
            "In the first phase 33 hostages shall be released, in exchange for thirty prisoners "
            "for each hostage.",
            "Every handover keeps the proportion of one hostage for thirty prisoners.",
            "All sick hostages and all hostages under 19 held by either side are released in "
            "the first phase.",
            "Talks on the second phase begin only once the first phase is complete.",
            "The remains of deceased hostages are returned before a permanent ceasefire, and "
            "every demand of a party must be accepted by the others.",
            "The mediators guarantee that the phases follow each other in order.",
        )
    ),
)

#: One hostage for thirty prisoners: 33 hostages, 990 prisoners; priority people on both
#: sides; the mediators release nobody (they are not part of the ratio).
HOSTAGE_TERMS = ExchangeTerms(
    quota={"hamas": 33, "israel": 990},
    age_limit=19,
    civilians_separate=False,
    seriously_ill_held={"hamas": 4, "israel": 30},
    young_held={"hamas": 2},
    ratio={"hamas": 1, "israel": 30},
)

_PHASES = ("first_phase", "second_phase")

#: Three parties, two of whom exchange at 1:30; remains are an item of the process's own kind.
HOSTAGE_EXCHANGE = Definition(
    name="hostages",
    source=HOSTAGE_SOURCE,
    parties=("hamas", "israel", "mediators"),
    labels={"hamas": "Hamas", "israel": "Israel", "mediators": "the mediators"},
    stages=("talks", *_PHASES, "permanent_ceasefire", "suspended", "collapsed"),
    initial="talks",
    finals=frozenset({"permanent_ceasefire", "collapsed"}),
    order_rule="hostages.order",
    terms=HOSTAGE_TERMS,
    rules=(
        Rule(
            "exchange.ratio",
            "every handover keeps the agreed ratio, one hostage for thirty prisoners",
            3,
            "Every handover keeps the proportion of one hostage for thirty prisoners.",
            Proportion(),
        ),
        Rule(
            "exchange.quota",
            "the first phase is complete only when each side has released its quota",
            2,
            "In the first phase 33 hostages shall be released",
            Quota(),
        ),
        Rule(
            "exchange.sick",
            "the first phase is complete only when every sick hostage or prisoner is released",
            4,
            "All sick hostages",
            Priority("seriously_ill"),
        ),
        Rule(
            "exchange.minors",
            "the first phase is complete only when everyone under the age limit is released",
            4,
            "all hostages under 19 held by either side are released in the first phase",
            Priority("young"),
        ),
        Rule(
            "phase_two.after_phase_one",
            "talks on the second phase begin only once the first phase is complete",
            5,
            "Talks on the second phase begin only once the first phase is complete.",
            ExchangeComplete(),
        ),
        Rule(
            "ceasefire.remains",
            "a permanent ceasefire only from the second phase, once every remains case is "
            "closed and the exchange agreed for it is complete",
            6,
            "The remains of deceased hostages are returned before a permanent ceasefire",
            AllOf(
                (
                    AtStage("second_phase", "a permanent ceasefire is declared"),
                    Resolved("remains", "remains case(s)", exchange=True),
                )
            ),
        ),
        Rule(
            "ceasefire.demands",
            "a permanent ceasefire only when every demand is accepted by the other parties",
            6,
            "every demand of a party must be accepted by the others",
            Acknowledged(),
        ),
        Rule(
            "hostages.order",
            "the phases follow each other in order",
            7,
            "The mediators guarantee that the phases follow each other in order.",
        ),
    ),
    moves=(
        Move(
            "agree_first_phase",
            ("talks",),
            "first_phase",
            effect=Agree(),
            doc="the terms of the first phase are agreed",
        ),
        Move(
            "hand_over",
            _PHASES,
            effect=Transfer(),
            checks=("exchange.ratio",),
            doc="hostages and prisoners are handed over at the agreed ratio",
        ),
        Move(
            "begin_second_phase",
            ("first_phase",),
            "second_phase",
            guard=(
                "phase_two.after_phase_one",
                "exchange.quota",
                "exchange.sick",
                "exchange.minors",
            ),
            doc="talks on the second phase begin",
        ),
        Move(
            "agree_second_phase",
            ("second_phase",),
            effect=Agree(),
            doc="the terms of the second phase are agreed (they replace the first's)",
        ),
        Move(
            "declare_permanent_ceasefire",
            ("second_phase",),
            "permanent_ceasefire",
            guard=("ceasefire.remains", "ceasefire.demands"),
            doc="the war ends",
        ),
        Move(
            "report_missing_remains",
            _PHASES,
            effect=Open("remains", "remains case"),
            doc="the remains of a deceased hostage are reported held",
        ),
        Move(
            "return_remains",
            _PHASES,
            effect=Close("remains", "remains case"),
            doc="the remains are returned",
        ),
        Move("make_demand", ("talks", *_PHASES), effect=Declare(), doc="a party makes a demand"),
        Move(
            "accept_demand",
            ("talks", *_PHASES),
            effect=Acknowledge(),
            doc="a party accepts another party's demand",
        ),
        Move("suspend", ("talks", *_PHASES), "suspended", effect=Suspend(), doc="talks pause"),
        Move("resume", ("suspended",), effect=Resume(), doc="talks resume"),
        Move(
            "collapse",
            ("talks", *_PHASES, "suspended"),
            "collapsed",
            effect=End(),
            doc="the agreement collapses",
        ),
    ),
)

#: Every named process: the article's and the two above.
PROCESSES: tuple[Definition, ...] = (ng.PROCESS, CEASEFIRE, HOSTAGE_EXCHANGE)
