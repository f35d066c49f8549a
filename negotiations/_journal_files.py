"""A journal's file: created without ever replacing or removing another writer's, locked for
one writer, checked to be the file its path names, and its torn tails kept beside it.

Two writers may race to create the same journal. Each tries to create the file
exclusively (``O_EXCL``); the one that finds it there opens it instead. Whoever then
takes the ``flock`` checks that the file it locked is still the one at the path: a
file removed or replaced before the lock was taken is let go and the open starts
again. A file is removed only by the writer that created it, while it holds the lock
and the file is still at the path (a new journal that could not be started): anyone
who opened it meanwhile finds, once it has the lock, that it is gone, and starts again.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from negotiations._errors import JournalError, JournalLocked, StorageError
from negotiations._files import check_regular, fsync_folder, storage_error, write_all

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None  # type: ignore[assignment]  # journals then refuse to open, saying why

__all__ = ["FAILED", "lock_journal", "release", "set_aside"]

#: How a journal's file that the system refuses is described.
FAILED = "cannot be opened as a journal"
_WRITE = os.O_RDWR | os.O_APPEND | os.O_CLOEXEC | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0)
#: How often an open starts again when the file at the path changes under it.
_ATTEMPTS = 10
#: How many ``<name>.torn-<n>`` files may stand beside one journal.
_ASIDE = 10_000


def lock_journal(target: Path, shown: str, *, exclusive: bool) -> tuple[int, bool]:
    """The journal's file at ``target``, opened to append and locked for this writer alone,
    and whether this call created it. ``exclusive``: only a new file is opened."""
    if fcntl is None:  # pragma: no cover - not POSIX
        raise JournalError("journals need POSIX file locks (fcntl), which this platform lacks")
    for _ in range(_ATTEMPTS):
        created = True
        try:
            descriptor = os.open(target, _WRITE | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            if exclusive:
                raise StorageError(
                    f"{shown}: a file already exists there, and exclusive=True opens only a "
                    "new journal; choose a new path, or leave out exclusive to go on with it",
                    filename=shown,
                    errno=errno.EEXIST,
                ) from None
            created = False
            found = _open_existing(target, shown)
            if found is None:
                continue  # removed since: start again
            descriptor = found
        except OSError as error:
            raise storage_error(error, shown, FAILED) from None
        try:
            check_regular(os.fstat(descriptor).st_mode, shown, "journals are")
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as error:
                if error.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    raise JournalLocked(
                        f"{shown}: the journal is open for writing elsewhere; close it there first"
                    ) from None
                raise storage_error(error, shown, FAILED) from None
            if _at_path(descriptor, target):
                return descriptor, created
        except BaseException:
            os.close(descriptor)
            raise
        os.close(descriptor)  # removed or replaced before the lock was ours: start again
    raise JournalError(
        f"{shown}: the file at this path kept being replaced or removed while it was opened; "
        "try again"
    )


def _open_existing(target: Path, shown: str) -> int | None:
    """The existing regular file at ``target`` opened to append, or ``None`` if it is gone."""
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        if os.path.islink(target):
            raise StorageError(
                f"{shown}: a symbolic link to a file that does not exist; give the path of "
                "the journal itself",
                filename=shown,
                errno=errno.ENOENT,
            ) from None
        return None
    except OSError as error:
        raise storage_error(error, shown, FAILED) from None
    check_regular(mode, shown, "journals are")  # before opening: a device is never opened
    try:
        return os.open(target, _WRITE)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise storage_error(error, shown, FAILED) from None


def _at_path(descriptor: int, target: Path) -> bool:
    """Whether the open file ``descriptor`` is the one ``target`` names now."""
    try:
        there = os.stat(target)
    except OSError:
        return False
    mine = os.fstat(descriptor)
    return (there.st_dev, there.st_ino) == (mine.st_dev, mine.st_ino)


def release(descriptor: int, target: Path, created: bool) -> None:
    """Let go of a journal that could not be opened; a file this writer ``created`` (and
    still holds the lock on) is removed if it is still the one at the path."""
    try:
        if created and _at_path(descriptor, target):
            os.unlink(target)
    except OSError:
        pass  # left behind as an empty or half-started journal, which opens as a new one
    finally:
        os.close(descriptor)


def set_aside(target: Path, shown: str, torn: bytes) -> Path:
    """Write ``torn`` to a new file beside ``target``, ``<name>.torn-<n>`` with the first
    ``n`` not taken (never replacing a file), fsynced; its path."""
    for number in range(1, _ASIDE + 1):
        aside = target.with_name(f"{target.name}.torn-{number}")
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC
        try:
            descriptor = os.open(aside, flags, stat.S_IMODE(os.stat(target).st_mode))
        except FileExistsError:
            continue
        except OSError as error:
            raise storage_error(error, str(aside), "cannot be written") from None
        try:
            write_all(descriptor, torn)
            os.fsync(descriptor)
        except BaseException as error:
            os.close(descriptor)
            os.unlink(aside)
            if isinstance(error, OSError):
                raise storage_error(error, str(aside), "cannot be written") from None
            raise
        os.close(descriptor)
        fsync_folder(aside.parent)
        return aside
    raise JournalError(
        f"{shown}: {_ASIDE} torn tails are already kept beside it ({target.name}.torn-1 and "
        "on); move them away to go on"
    )
