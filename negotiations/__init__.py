"""negotiations: a staged diplomatic process as a guarded state machine that explains every refusal.

>>> import negotiations as ng
>>> talks = ng.Negotiation()
>>> _ = talks.agree_exchange()
>>> _ = talks.transfer(ng.Tranche.even(2, civilians=True))
>>> [blocker.rule for blocker in talks.blockers("open_third_round")]
['talks.third_round_after_exchange', 'exchange.quota']
"""

from negotiations.counts import SideCounts
from negotiations.definition import Definition, Move, Rule
from negotiations.errors import (
    DefinitionError,
    InvalidType,
    InvalidValue,
    JournalClosed,
    JournalCorrupted,
    JournalError,
    JournalLocked,
    NegotiationError,
    TransitionBlocked,
    TransitionNotAllowed,
    UnknownTrigger,
)
from negotiations.events import Blocker, Event, Pledge
from negotiations.journal import Journal
from negotiations.journal import (
    open_journal as open,  # negotiations.open(path) is the documented API
)
from negotiations.ledger import Ledger
from negotiations.negotiation import FORMAT, Negotiation
from negotiations.process import PROCESS, RULES
from negotiations.stages import Side, Stage
from negotiations.state import Interest, State
from negotiations.terms import ISTANBUL_TERMS, ExchangeTerms
from negotiations.tranche import Prisoner, Tranche

__version__ = "0.1.0"

__all__ = [
    "FORMAT",
    "ISTANBUL_TERMS",
    "PROCESS",
    "RULES",
    "Blocker",
    "Definition",
    "DefinitionError",
    "Event",
    "ExchangeTerms",
    "Interest",
    "InvalidType",
    "InvalidValue",
    "Journal",
    "JournalClosed",
    "JournalCorrupted",
    "JournalError",
    "JournalLocked",
    "Ledger",
    "Move",
    "Negotiation",
    "NegotiationError",
    "Pledge",
    "Prisoner",
    "Rule",
    "Side",
    "SideCounts",
    "Stage",
    "State",
    "Tranche",
    "TransitionBlocked",
    "TransitionNotAllowed",
    "UnknownTrigger",
    "open",
]
