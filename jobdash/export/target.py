"""Where a workbook may be written, checked before anything is read or written.

A target is refused with :class:`~jobdash.errors.ValidationError` (``field="path"``) when it
is empty, is a folder, does not end in ``.xlsx``, has a name or a length the file system
cannot hold, lies under a file, or lies in a folder that cannot be written. Missing folders
on the way are created when the workbook is written (the export folder of a new history does
not exist yet), and removed again if the write fails: a refused or failed export leaves the
disk as it was."""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Iterator
from pathlib import Path

from ..errors import ValidationError

SUFFIX = ".xlsx"
FALLBACK_NAME_MAX = 255
"""Bytes in one file name where the file system cannot be asked (most allow 255)."""
FALLBACK_PATH_MAX = 4096
"""Bytes in a whole path where the file system cannot be asked (Linux allows 4096)."""

WRITE_ERRORS = frozenset(
    {
        errno.EACCES,
        errno.EPERM,
        errno.EROFS,
        errno.ENAMETOOLONG,
        errno.ENOTDIR,
        errno.EISDIR,
        errno.ENOENT,
        errno.EEXIST,
    }
)
"""What writing the workbook can fail with because of where it was asked to go (as opposed
to the machine: a full disk, an I/O error). Those become ValidationError naming the path."""


def _refused(message: str) -> ValidationError:
    """The error of a refused target, naming the ``path`` field."""
    return ValidationError(f"path: {message}", "path")


def export_target(path: str | os.PathLike[str]) -> Path:
    """The absolute path a workbook asked for at ``path`` is written to (``~`` expanded,
    links resolved), or the ValidationError of the first check it fails (see the module);
    nothing on disk is touched."""
    text = _text(path)
    try:
        target = Path(text).expanduser().resolve()
    except (OSError, RuntimeError) as exc:  # a link loop; no home folder for ~user
        raise _refused(f"{text!r} cannot be resolved ({exc})") from None
    folder = _existing_folder(target)
    _check_lengths(target, folder)
    # os.path's tests, unlike pathlib's, answer False for any path the system refuses.
    if os.path.isdir(target) or text.endswith((os.sep, os.altsep or os.sep)):
        raise _refused(
            f"{text} names a folder; name the workbook to write in it, e.g. {target / 'jobs.xlsx'}"
        )
    if target.suffix.lower() != SUFFIX:
        raise _refused(
            f"Excel exports must be .xlsx files, not {_shortened(target.name)}: "
            "choose a file name ending in .xlsx"
        )
    if os.path.lexists(target) and not os.path.isfile(target):
        raise _refused(f"{target} exists and is not a regular file; choose another name")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise _refused(f"cannot write in {folder} (no permission, or a read-only file system)")
    return target


@contextlib.contextmanager
def writing_into(target: Path) -> Iterator[None]:
    """Create the folders missing above ``target`` for the block that writes it; when the
    block fails, remove them again, and a failure caused by the place (no permission, a
    read-only file system, a name too long...) becomes ValidationError naming the path."""
    created: list[Path] = []
    try:
        missing = [p for p in (target.parent, *target.parent.parents) if not p.exists()]
        for folder in reversed(missing):
            try:
                folder.mkdir()
            except FileExistsError:  # made meanwhile by someone else: not ours to remove
                if not folder.is_dir():
                    raise
                continue
            created.append(folder)
        yield
    except BaseException as exc:
        for folder in reversed(created):
            with contextlib.suppress(OSError):
                folder.rmdir()
        if isinstance(exc, OSError) and exc.errno in WRITE_ERRORS:
            reason = "the folder takes no new files" if exc.errno == errno.ENOENT else exc.strerror
            raise _refused(f"cannot write {target} ({reason})") from exc
        raise


def _text(path: str | os.PathLike[str]) -> str:
    """``path`` as text the file system can take."""
    if not isinstance(path, str | os.PathLike):
        raise _refused(f"give a file path, not {type(path).__name__}")
    text = os.fspath(path)
    if isinstance(text, bytes):
        text = os.fsdecode(text)
    if not text.strip():
        raise _refused("give the file to write, ending in .xlsx")
    if "\0" in text:
        raise _refused("a file path cannot hold a NUL character")
    try:
        os.fsencode(text)
    except UnicodeEncodeError as exc:
        raise _refused(
            f"character {exc.start + 1} (U+{ord(text[exc.start]):04X}) cannot be part of a "
            "file name on this system"
        ) from None
    return text


def _existing_folder(target: Path) -> Path:
    """The nearest folder above ``target`` that exists (the folders below it are created
    when the workbook is written); refused when that is a file."""
    for parent in target.parents:
        if os.path.exists(parent):
            if not os.path.isdir(parent):
                raise _refused(f"{parent} is a file, not a folder; choose another place")
            return parent
    raise _refused(f"no folder above {target} exists")  # not even the root: unreachable on POSIX


def _check_lengths(target: Path, folder: Path) -> None:
    name_max = _limit(folder, "PC_NAME_MAX", FALLBACK_NAME_MAX)
    for name in target.relative_to(folder).parts:  # the folders to create, and the file
        size = len(os.fsencode(name))
        if size > name_max:
            raise _refused(
                f"the name {_shortened(name)} is {size} bytes long; this file system holds "
                f"at most {name_max}: choose a shorter name"
            )
    path_max = _limit(folder, "PC_PATH_MAX", FALLBACK_PATH_MAX)
    size = len(os.fsencode(str(target)))
    if size >= path_max:
        raise _refused(
            f"the path is {size} bytes long; this system holds at most {path_max - 1}: "
            "choose a shorter one"
        )


def _limit(folder: Path, name: str, fallback: int) -> int:
    with contextlib.suppress(AttributeError, OSError, ValueError):  # no pathconf (Windows)
        value = os.pathconf(folder, name)
        if value > 0:
            return value
    return fallback


def _shortened(name: str, keep: int = 40) -> str:
    return repr(name if len(name) <= keep else f"{name[:keep]}…")
