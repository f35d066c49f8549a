"""Reading and writing files safely: regular files only, bounded, atomic, with errors that name
the path and say what to do.

- A loader opens without blocking (a named pipe gives no data and is refused, it is not
  waited on), asks the open file what it is, reads only a regular file and only up to a
  bound the caller can raise (``/dev/zero`` is refused, not read until memory runs out).
- A save writes a regular file and nothing else: an existing symbolic link, pipe,
  device or folder at the path is refused, never replaced or followed; a journal that a
  writer holds open is refused (it would lose the moves made on it next); a new file
  takes its name with a link that never replaces anything that appeared meanwhile.
- Whatever the system refuses (no such file, no permission, no space) becomes a
  :class:`StorageError` naming the path, which is also an :class:`OSError` with its
  ``errno`` and ``filename``.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from collections.abc import Callable, Iterable
from pathlib import Path

from negotiations._checks import shorten
from negotiations._errors import InvalidType, InvalidValue, JournalLocked, StorageError

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None  # type: ignore[assignment]  # then nothing can hold a journal to be refused

__all__ = [
    "MAX_BYTES",
    "check_max_bytes",
    "check_path",
    "check_regular",
    "fsync_folder",
    "read_descriptor",
    "read_file",
    "read_text",
    "storage_error",
    "write_all",
    "write_atomically",
    "write_parts_atomically",
]

#: How many bytes a loader reads at most unless told otherwise (``max_bytes=``): 1 GiB,
#: about six million saved events, and far below what would exhaust a machine's memory.
MAX_BYTES = 1 << 30

_READ = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | getattr(os, "O_NOCTTY", 0)

#: What the system's refusals mean, in words, and what to do about each.
_REASONS: dict[int, tuple[str, str]] = {
    errno.ENOENT: ("no such file or folder", "check the path"),
    errno.EISDIR: ("a folder, not a file", "give the path of a file"),
    errno.ENOTDIR: ("a part of the path is not a folder", "check the path"),
    errno.EACCES: ("permission denied", "check the permissions of the file and its folder"),
    errno.EPERM: ("not permitted", "check the permissions of the file and its folder"),
    errno.ENOSPC: ("no space left on the device", "free some space and try again"),
    errno.EDQUOT: ("the disk quota is used up", "free some space and try again"),
    errno.EROFS: ("a read-only file system", "choose a place that can be written"),
    errno.ENAMETOOLONG: ("the name is too long", "choose a shorter name"),
    errno.ELOOP: ("too many symbolic links", "check the path"),
    errno.EEXIST: ("a file already exists there", "choose a new path"),
}


def check_path(path: object) -> str:
    """``path`` as text to show in messages, or :class:`InvalidType` if it is not a path."""
    if not isinstance(path, (str, os.PathLike)):
        raise InvalidType(f"path must be a str or path, not {type(path).__name__}", path="path")
    shown = os.fspath(path)
    if not isinstance(shown, str):
        raise InvalidType(f"path must be a str or path, not {type(shown).__name__}", path="path")
    if "\0" in shown:
        raise InvalidValue(
            f"path: {shorten(shown)} is not a valid path (it holds a NUL)", path="path"
        )
    return shown


def check_max_bytes(max_bytes: object) -> int:
    """``max_bytes`` checked: a whole number of bytes, at least 1."""
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int):
        raise InvalidType(
            f"max_bytes must be a whole number of bytes, not {type(max_bytes).__name__}",
            path="max_bytes",
        )
    if max_bytes < 1:
        raise InvalidValue(f"max_bytes: must be at least 1, not {max_bytes}", path="max_bytes")
    return max_bytes


def storage_error(error: OSError, shown: str, failed: str) -> StorageError:
    """``error`` (the system refusing) as a :class:`StorageError`: ``shown`` (the path), what
    ``failed`` ("cannot be read", ...), why in words, and what to do."""
    number = error.errno
    reason, advice = _REASONS.get(number or 0, ("", ""))
    if not reason:
        reason = (error.strerror or str(error)).lower()
        advice = "check the path and the device"
    if number == errno.ENOENT and failed == "cannot be saved":
        reason, advice = "its folder does not exist", "create the folder first"
    return StorageError(f"{shown}: {failed}: {reason}; {advice}", filename=shown, errno=number)


#: How each kind of file that is not a regular one is named.
_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISLNK, "a symbolic link"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def check_regular(mode: int, shown: str, what: str) -> None:
    """Refuse anything but a regular file: ``what`` says who reads only regular files."""
    if not stat.S_ISREG(mode):
        number = errno.EISDIR if stat.S_ISDIR(mode) else None
        raise StorageError(
            f"{shown}: {_kind(mode)}, not a regular file; {what} only regular files",
            filename=shown,
            errno=number,
        )


def _too_large(shown: str, size: str, max_bytes: int) -> StorageError:
    return StorageError(
        f"{shown}: {size} bytes, more than max_bytes={max_bytes}; pass a larger max_bytes "
        "to read it",
        filename=shown,
        errno=errno.EFBIG,
    )


def read_descriptor(descriptor: int, shown: str, max_bytes: int) -> bytes:
    """All of the open regular file ``descriptor``, from its start, at most ``max_bytes``."""
    try:
        status = os.fstat(descriptor)
        check_regular(status.st_mode, shown, "loaders read")
        size = status.st_size
        if size > max_bytes:
            raise _too_large(shown, f"{size:,}", max_bytes)
        os.lseek(descriptor, 0, os.SEEK_SET)
        chunks = []
        total = 0
        # One read of the size the file has, and one more to see its end (or that it grew).
        while chunk := os.read(descriptor, size - total + (1 << 16) if total <= size else 1 << 20):
            total += len(chunk)
            if total > max_bytes:
                raise _too_large(shown, f"more than {max_bytes:,}", max_bytes)
            chunks.append(chunk)
    except OSError as error:
        if isinstance(error, StorageError):
            raise
        raise storage_error(error, shown, "cannot be read") from None
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def read_file(path: str | os.PathLike[str], max_bytes: int = MAX_BYTES) -> bytes:
    """The bytes of the regular file at ``path`` (at most ``max_bytes``); anything else, or
    anything the system refuses, is a :class:`StorageError` naming the path."""
    shown = check_path(path)
    max_bytes = check_max_bytes(max_bytes)
    try:
        descriptor = os.open(path, _READ)
    except OSError as error:
        raise storage_error(error, shown, "cannot be read") from None
    try:
        return read_descriptor(descriptor, shown, max_bytes)
    finally:
        os.close(descriptor)


def read_text(path: str | os.PathLike[str], max_bytes: int = MAX_BYTES) -> str:
    """The text of the file at ``path``; a file that is not UTF-8 is an :class:`InvalidValue`.

    Read as bytes and decoded in one step: JSON needs no newline translation, and a text
    stream would read a long history in pieces and join them (several times slower).
    """
    data = read_file(path, max_bytes)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidValue(f"{os.fspath(path)}: not UTF-8 text ({error.reason})") from None


def write_all(descriptor: int, data: bytes) -> None:
    """Write all of ``data`` (``os.write`` may write only part of it)."""
    view = memoryview(data)
    while view:
        written = os.write(descriptor, view)
        view = view[written:]


#: How often a save starts again when the path changes under it (a file appearing
#: where there was none) before it gives up.
_ATTEMPTS = 5
#: What ``os.link`` raises on a file system that has no hard links: then a new file is
#: renamed into place instead.
_NO_LINKS = frozenset({errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK, errno.ENOSYS})


def write_atomically(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` to the regular file at ``path`` so that it is either all old or all new.

    The text goes to a temporary file in the same folder, is flushed and fsynced,
    takes the target's name, and the folder is fsynced so the name survives a crash.
    An existing file is replaced (:func:`os.replace`), keeping its permissions, while
    a shared lock on it is held, which a journal's writer would hold exclusively: a
    journal open for writing is refused with :class:`JournalLocked`. A new file is
    linked into place, which fails rather than replace a file that appeared in the
    meantime (that one is then checked like any existing file). Anything but a
    regular file at the path (a symbolic link, a pipe, a device, a folder) is
    refused with :class:`StorageError`; what a link points to is never replaced.
    """
    data = text.encode("utf-8")
    write_parts_atomically(path, lambda: (data,))


def write_parts_atomically(
    path: str | os.PathLike[str], parts: Callable[[], Iterable[bytes]]
) -> None:
    """:func:`write_atomically` for data written part by part: ``parts()`` gives the parts
    (called again if the save starts again), so that a large file is never held whole."""
    shown = check_path(path)
    target = Path(path)
    folder = target.parent
    for _ in range(_ATTEMPTS):
        held = _hold_existing(target, shown)
        try:
            if _write_beside(target, shown, parts, held):
                break
        finally:
            if held is not None:
                os.close(held[0])  # releases the shared lock
    else:
        raise StorageError(
            f"{shown}: cannot be saved: files kept appearing and disappearing at this path; "
            "try again",
            filename=shown,
        )
    fsync_folder(folder)


def _hold_existing(target: Path, shown: str) -> tuple[int, int] | None:
    """The file at ``target`` opened and share-locked, with its permission bits, or ``None``
    if there is none (or it cannot be opened to read, and so is no journal of ours)."""
    try:
        status = os.lstat(target)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise storage_error(error, shown, "cannot be saved") from None
    if stat.S_ISLNK(status.st_mode):
        raise StorageError(
            f"{shown}: a symbolic link; save writes only regular files and never replaces "
            "what a link points to: save to the file itself, or remove the link first",
            filename=shown,
        )
    check_regular(status.st_mode, shown, "save writes")
    try:
        descriptor = os.open(target, _READ | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        return None  # gone meanwhile: written as a new file
    except OSError:
        # Cannot be read (no permission) or became a link: replaced as is, never followed.
        return None
    try:
        status = os.fstat(descriptor)
        check_regular(status.st_mode, shown, "save writes")
        if fcntl is not None:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except OSError as error:
                if error.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    raise storage_error(error, shown, "cannot be saved") from None
                raise JournalLocked(
                    f"{shown}: a journal open for writing (in this process or another) is at "
                    "this path; saving would replace it and lose the moves made on it next: "
                    "close it first, or save to another path"
                ) from None
    except BaseException:
        os.close(descriptor)
        raise
    return descriptor, stat.S_IMODE(status.st_mode)


def _write_beside(
    target: Path, shown: str, parts: Callable[[], Iterable[bytes]], held: tuple[int, int] | None
) -> bool:
    """Write ``parts()`` to a temporary file beside ``target`` and give it the target's name;
    ``False`` if a file appeared at a path that had none (the caller starts again)."""
    temporary = target.parent / f".{target.name}.{secrets.token_hex(8)}.tmp"
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
    except OSError as error:
        raise storage_error(error, shown, "cannot be saved") from None
    try:
        try:
            # Created like any new file (0o666 less the umask); a file replaced keeps its mode.
            if held is not None:
                os.fchmod(descriptor, held[1])
            for part in parts():
                write_all(descriptor, part)
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        if held is not None:
            os.replace(temporary, target)
            return True
        try:
            os.link(temporary, target)
        except FileExistsError:
            os.unlink(temporary)
            return False
        except OSError as error:
            if error.errno not in _NO_LINKS:
                raise
            os.replace(temporary, target)  # no hard links here: the rename is still atomic
            return True
        with contextlib.suppress(OSError):  # saved: a temporary name left over is no failure
            os.unlink(temporary)
        return True
    except BaseException as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(error, OSError) and not isinstance(error, StorageError):
            raise storage_error(error, shown, "cannot be saved") from None
        raise


def fsync_folder(folder: Path) -> None:
    """Make a change of names in ``folder`` durable (where the platform allows it)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:  # some platforms cannot open a folder; nothing more can be done there
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
