"""The errors a negotiation raises, all rooted in :class:`NegotiationError`.

::

    NegotiationError
    ├── TransitionBlocked          a guard refused the move; .blockers say why
    ├── TransitionNotAllowed       no such move from the current stage
    ├── UnknownTrigger             (also ValueError) a trigger name that does not exist
    ├── InvalidValue               (also ValueError) a bad value, named by its field
    │   └── DefinitionError        a process definition that is not sound
    ├── InvalidType                (also TypeError) a value of the wrong type, named by its field
    └── JournalError               a journal cannot be used
        ├── JournalCorrupted       (also ValueError) a line edited, removed or reordered
        ├── JournalLocked          the journal is open for writing elsewhere
        └── JournalClosed          a move after close(): it would not be kept

Every refusal leaves the negotiation exactly as it was. Callers who do not
want to import these classes can catch the builtins they already know:
``ValueError`` and ``TypeError``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from negotiations.events import Blocker
    from negotiations.stages import Stage

__all__ = [
    "DefinitionError",
    "InvalidType",
    "InvalidValue",
    "JournalClosed",
    "JournalCorrupted",
    "JournalError",
    "JournalLocked",
    "NegotiationError",
    "TransitionBlocked",
    "TransitionNotAllowed",
    "UnknownTrigger",
]


class NegotiationError(Exception):
    """The base of every error this library raises on purpose."""


class TransitionBlocked(NegotiationError):
    """A move exists from the current stage, but the parties' conditions are not met.

    ``blockers`` lists every unmet rule, each with its message and source.
    """

    def __init__(self, trigger: str, stage: Stage, blockers: Sequence[Blocker]) -> None:
        self.trigger = trigger
        self.stage = stage
        self.blockers: tuple[Blocker, ...] = tuple(blockers)
        super().__init__(trigger, stage, self.blockers)

    def __str__(self) -> str:
        # Built when read, not when raised: simulations refuse millions of moves unread.
        count = len(self.blockers)
        lines = [f"{self.trigger} refused in stage {self.stage.value}: {count} condition(s) unmet"]
        lines.extend(f"  - {blocker}" for blocker in self.blockers)
        return "\n".join(lines)


class TransitionNotAllowed(NegotiationError):
    """The move does not exist from the current stage (for example anything after a collapse)."""

    def __init__(self, trigger: str, stage: Stage, allowed: Sequence[str]) -> None:
        self.trigger = trigger
        self.stage = stage
        self.allowed: tuple[str, ...] = tuple(allowed)
        possible = ", ".join(self.allowed) if self.allowed else "nothing: the process has ended"
        super().__init__(
            f"{trigger} is not a move from stage {stage.value}; possible now: {possible}"
        )


class UnknownTrigger(NegotiationError, ValueError):
    """A trigger name that the process does not define."""


class InvalidValue(NegotiationError, ValueError):
    """A value that breaks a rule or a constraint; the message names the field."""


class InvalidType(NegotiationError, TypeError):
    """A value of the wrong type; the message names the field."""


class DefinitionError(InvalidValue):
    """A process definition that is not sound; the message lists every problem at once."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        listed = "\n".join(f"  - {problem}" for problem in self.problems)
        super().__init__(f"the process definition has {len(self.problems)} problem(s):\n{listed}")


class JournalError(NegotiationError):
    """A journal cannot be used as asked."""


class JournalCorrupted(JournalError, ValueError):
    """A journal whose lines do not chain: edited, removed or reordered; the message names
    the line."""


class JournalLocked(JournalError):
    """The journal is open for writing in another place (this process or another)."""


class JournalClosed(JournalError):
    """A move on a negotiation whose journal is closed: it would not be kept, so it is refused."""
