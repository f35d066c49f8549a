"""negotiations: a staged diplomatic process as a guarded state machine that explains every refusal.

>>> import negotiations as ng
>>> talks = ng.Negotiation()
>>> _ = talks.agree_exchange()
>>> _ = talks.transfer(ng.Tranche.even(2, civilians=True))
>>> [blocker.rule for blocker in talks.blockers("open_third_round")]
['talks.third_round_after_exchange', 'exchange.quota']
"""

from negotiations._article import PROCESS, RULES
from negotiations._article_dynamics import ARTICLE_DYNAMICS
from negotiations._counts import Counts, SideCounts
from negotiations._definition import Definition, Move, Rule, Source
from negotiations._dynamics import Dynamics
from negotiations._errors import (
    DefinitionError,
    InvalidType,
    InvalidValue,
    JournalClosed,
    JournalCorrupted,
    JournalError,
    JournalLocked,
    JournalReadOnly,
    MissingExtra,
    NegotiationError,
    StorageError,
    TransitionBlocked,
    TransitionNotAllowed,
    UnknownTrigger,
)
from negotiations._history import History
from negotiations._journal import Journal
from negotiations._journal import (
    open_journal as open,  # noqa: F401  # negotiations.open(path) is API, kept out of __all__
)
from negotiations._ledger import Ledger
from negotiations._negotiation import FORMAT, Negotiation
from negotiations._process_file import read_process, write_process
from negotiations._record import record_2025
from negotiations._records import Blocker, Event, Pledge
from negotiations._simresult import SimulationResult
from negotiations._simulate import simulate
from negotiations._stages import Side, Stage
from negotiations._state import Interest, State
from negotiations._summary import StageSummary, Summary
from negotiations._terms import ISTANBUL_TERMS, ExchangeTerms
from negotiations._timings import Delay, Handovers, Hazard
from negotiations._tranche import Prisoner, Tranche

__version__ = "0.1.0"

__all__ = [
    "ARTICLE_DYNAMICS",
    "FORMAT",
    "ISTANBUL_TERMS",
    "PROCESS",
    "RULES",
    "Blocker",
    "Counts",
    "Definition",
    "DefinitionError",
    "Delay",
    "Dynamics",
    "Event",
    "ExchangeTerms",
    "Handovers",
    "Hazard",
    "History",
    "Interest",
    "InvalidType",
    "InvalidValue",
    "Journal",
    "JournalClosed",
    "JournalCorrupted",
    "JournalError",
    "JournalLocked",
    "JournalReadOnly",
    "Ledger",
    "MissingExtra",
    "Move",
    "Negotiation",
    "NegotiationError",
    "Pledge",
    "Prisoner",
    "Rule",
    "Side",
    "SideCounts",
    "SimulationResult",
    "Source",
    "Stage",
    "StageSummary",
    "State",
    "StorageError",
    "Summary",
    "Tranche",
    "TransitionBlocked",
    "TransitionNotAllowed",
    "UnknownTrigger",
    "read_process",
    "record_2025",
    "simulate",
    "write_process",
]
# ``open`` is API (``negotiations.open(path)``) but stays out of ``__all__``: a star import
# must not shadow the builtin ``open``.
