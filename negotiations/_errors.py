"""The errors a negotiation raises, all rooted in :class:`NegotiationError`.

::

    NegotiationError
    ├── TransitionBlocked          a guard refused the move; .blockers say why
    ├── TransitionNotAllowed       no such move from the current stage
    ├── UnknownTrigger             (also ValueError) a trigger name that does not exist
    ├── InvalidValue               (also ValueError) a bad value, named by its field (.path)
    │   └── DefinitionError        a process definition that is not sound
    ├── InvalidType                (also TypeError) a value of the wrong type, named by its field
    ├── JournalError               a journal cannot be used
    │   ├── JournalCorrupted       (also ValueError) a line edited, removed or reordered
    │   ├── JournalLocked          the journal is open for writing elsewhere
    │   └── JournalClosed          a move after close(): it would not be kept
    │       └── JournalReadOnly    a move on a journal opened with read_only=True
    ├── StorageError               (also OSError) a file that cannot be read or written as
    │                              asked: missing, not a regular file, too large, no space
    └── MissingExtra               (also ImportError) an optional part needs a package that
                                   is not installed; the message names the extra to install

Every refusal leaves the negotiation exactly as it was. Callers who do not
want to import these classes can catch the builtins they already know:
``ValueError``, ``TypeError``, ``OSError`` and ``ImportError``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from negotiations._records import Blocker

__all__ = [
    "DefinitionError",
    "InvalidType",
    "InvalidValue",
    "JournalClosed",
    "JournalCorrupted",
    "JournalError",
    "JournalLocked",
    "JournalReadOnly",
    "MissingExtra",
    "NegotiationError",
    "StorageError",
    "TransitionBlocked",
    "TransitionNotAllowed",
    "UnknownTrigger",
    "located",
    "need",
]


class NegotiationError(Exception):
    """The base of every error this library raises on purpose."""


class TransitionBlocked(NegotiationError):
    """A move exists from the current stage, but the parties' conditions are not met.

    ``blockers`` lists every unmet rule, each with its message and source.
    """

    def __init__(self, trigger: str, stage: str, blockers: Sequence[Blocker]) -> None:
        self.trigger = trigger
        self.stage = stage
        self.blockers: tuple[Blocker, ...] = (
            blockers if type(blockers) is tuple else tuple(blockers)
        )
        super().__init__(trigger, stage, self.blockers)

    def __str__(self) -> str:
        # Built when read, not when raised: simulations refuse millions of moves unread.
        count = len(self.blockers)
        lines = [f"{self.trigger} refused in stage {self.stage}: {count} condition(s) unmet"]
        lines.extend(f"  - {blocker}" for blocker in self.blockers)
        return "\n".join(lines)


class TransitionNotAllowed(NegotiationError):
    """The move does not exist from the current stage (for example anything after a collapse)."""

    def __init__(self, trigger: str, stage: str, allowed: Sequence[str]) -> None:
        self.trigger = trigger
        self.stage = stage
        self.allowed: tuple[str, ...] = tuple(allowed)
        possible = ", ".join(self.allowed) if self.allowed else "nothing: the process has ended"
        super().__init__(f"{trigger} is not a move from stage {stage}; possible now: {possible}")


class MissingExtra(NegotiationError, ImportError):
    """An optional part of the library needs a package that is not installed:
    ``"simulate needs numpy: pip install 'negotiations[sim]'"``."""

    def __init__(self, what: str, package: str, extra: str) -> None:
        super().__init__(f"{what} needs {package}: pip install 'negotiations[{extra}]'")
        self.name = package  # ImportError's field: the module that is missing


def need(module: str, what: str, extra: str) -> Any:
    """The module ``module``, imported; :class:`MissingExtra` naming ``extra`` when it is
    not installed."""
    import importlib  # noqa: PLC0415  # only optional parts import this way

    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingExtra(what, module.partition(".")[0], extra) from None


class UnknownTrigger(NegotiationError, ValueError):
    """A trigger name that the process does not define."""


class _Located(NegotiationError):
    """An error about one value: its message, and where the value stands (``.path``)."""

    def __init__(self, message: str, *, path: str = "") -> None:
        super().__init__(message)
        #: Where the bad value stands, such as ``events[7].arguments.tranche.released``;
        #: empty when the error is about the whole input.
        self.path = path


class InvalidValue(_Located, ValueError):
    """A value that breaks a rule or a constraint; the message names the field, and ``.path``
    says where it stands."""


class InvalidType(_Located, TypeError):
    """A value of the wrong type; the message names the field, and ``.path`` says where it
    stands."""


def located(error: InvalidValue | InvalidType, where: str) -> InvalidValue | InvalidType:
    """``error`` seen from further out: ``where`` put in front of its message and its path.

    >>> inner = InvalidValue("released: must not be negative", path="released")
    >>> outer = located(inner, "events[7].arguments.tranche")
    >>> str(outer), outer.path
    ('events[7].arguments.tranche: released: must not be negative', \
'events[7].arguments.tranche.released')
    """
    path = error.path
    if not path:
        joined = where
    elif path.startswith("["):
        joined = where + path
    else:
        joined = f"{where}.{path}"
    message = str(error)
    if not where:
        return type(error)(message, path=joined)
    if path and message.startswith(path + " "):  # "trigger must be ...": one dotted name
        return type(error)(f"{where}{'' if path.startswith('[') else '.'}{message}", path=joined)
    return type(error)(f"{where}: {message}", path=joined)


class DefinitionError(InvalidValue):
    """A process definition that is not sound; the message lists every problem at once."""

    def __init__(self, problems: Sequence[str], *, path: str = "") -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        listed = "\n".join(f"  - {problem}" for problem in self.problems)
        super().__init__(
            f"the process definition has {len(self.problems)} problem(s):\n{listed}", path=path
        )


class JournalError(NegotiationError):
    """A journal cannot be used as asked."""


class JournalCorrupted(JournalError, ValueError):
    """A journal whose lines do not chain: edited, removed or reordered; the message names
    the line."""


class JournalLocked(JournalError):
    """The journal is open for writing in another place (this process or another)."""


class JournalClosed(JournalError):
    """A move on a negotiation whose journal is closed: it would not be kept, so it is refused."""


class JournalReadOnly(JournalClosed):
    """A move on a negotiation opened with ``negotiations.open(path, read_only=True)``: the
    journal is only read, so the move would not be kept, and it is refused."""


class StorageError(NegotiationError, OSError):
    """A file that cannot be read or written as asked: missing, a folder, not a regular
    file, larger than the bound a loader was given, not permitted, or no space left.

    The message names the path and says what to do. ``filename`` is the path, and
    ``errno`` the system's error number when the system refused (``None`` when the
    library did).
    """

    def __init__(self, message: str, *, filename: str, errno: int | None = None) -> None:
        super().__init__(message)
        self.errno = errno
        self.filename = filename
        self.strerror = message

    def __str__(self) -> str:
        # The message, not OSError's "[Errno n] strerror: filename".
        return str(self.args[0])

    def __reduce__(self) -> tuple[object, ...]:
        return _storage_error, (str(self.args[0]), self.filename, self.errno)


def _storage_error(message: str, filename: str, errno: int | None) -> StorageError:
    return StorageError(message, filename=filename, errno=errno)


for _error in (
    NegotiationError,
    TransitionBlocked,
    TransitionNotAllowed,
    UnknownTrigger,
    InvalidValue,
    InvalidType,
    DefinitionError,
    JournalError,
    JournalCorrupted,
    JournalLocked,
    JournalClosed,
    JournalReadOnly,
    StorageError,
):
    _error.__module__ = "negotiations"  # shown, and found, where users import them from
