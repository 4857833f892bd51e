"""Removing image files safely and quickly: only regular files inside the image root, never
via links, moved aside at once and deleted in the background.

Deleting a file is slow on some disks (about 0.1–0.2 ms each here, where the file system
discards freed blocks), while renaming it within the same file system is not. So a delete
first moves the files into a fresh folder under ``<root>/.deleted/`` — the jobs' files are
gone from their places when the call returns — and a background thread removes that folder.
Folders left there by a process that stopped early are removed the next time one opens.
"""

from __future__ import annotations

import logging
import os
import queue
import shutil
import stat
import threading
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path

log = logging.getLogger(__name__)

TRASH = ".deleted"
"""Folder under the image root holding files moved aside until they are removed."""


def _regular_files_inside(paths: Iterable[Path], root: Path) -> Iterator[Path]:
    """Each path that is a regular file (not a link) in a folder inside ``root``, resolved.

    Folders are resolved once each (links and ``..`` included), so a path that climbs or
    links out of ``root`` is skipped."""
    folders: dict[Path, Path | None] = {}
    for path in paths:
        parent = path.parent
        if parent not in folders:
            real = Path(os.path.realpath(parent))
            folders[parent] = real if real.is_relative_to(root) else None
        real_parent = folders[parent]
        if real_parent is None:
            continue
        target = real_parent / path.name
        try:
            if stat.S_ISREG(os.lstat(target).st_mode):
                yield target
        except OSError:
            continue


def prune_empty_dirs(folders: Iterable[Path], root: Path) -> None:
    """Remove now-empty folders below ``root`` and their emptied parents (never ``root``)."""
    root = root.resolve()
    for folder in sorted({Path(os.path.realpath(f)) for f in folders},
                         key=lambda p: len(p.parts), reverse=True):
        try:
            while folder != root and folder.is_relative_to(root) and not any(folder.iterdir()):
                folder.rmdir()
                folder = folder.parent
        except OSError:
            continue


class Trash:
    """Moves files out of the way at once and removes them in one background thread."""

    def __init__(self, root: Path):
        self.root = root.resolve()
        self._work: queue.Queue[tuple[Path, set[Path]]] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def discard(self, paths: Iterable[Path]) -> int:
        """Take the regular files among ``paths`` that lie inside the root out of their
        folders now; they and their emptied folders are removed in the background. Returns
        how many files were taken."""
        bin_ = self.root / TRASH / uuid.uuid4().hex
        folders: set[Path] = set()
        taken = 0
        for taken, target in enumerate(_regular_files_inside(paths, self.root), start=1):
            if taken == 1:
                bin_.mkdir(parents=True)
            folders.add(target.parent)
            try:
                os.rename(target, bin_ / str(taken))
            except OSError:  # another file system below the root: remove it here
                _unlink(target)
        if taken:
            self._submit(bin_, folders)
        return taken

    def sweep(self) -> None:
        """Queue the removal of folders left in the trash by an earlier process."""
        trash = self.root / TRASH
        if trash.is_dir() and not trash.is_symlink():
            for leftover in trash.iterdir():
                self._submit(leftover, set())

    def wait(self) -> None:
        """Block until every queued removal is done."""
        self._work.join()

    def _submit(self, bin_: Path, folders: set[Path]) -> None:
        with self._lock:
            self._work.put((bin_, folders))
            if self._thread is None:
                self._thread = threading.Thread(target=self._drain, name="jobdash-trash",
                                                daemon=True)
                self._thread.start()

    def _drain(self) -> None:
        while True:
            with self._lock:
                try:
                    bin_, folders = self._work.get_nowait()
                except queue.Empty:
                    self._thread = None
                    return
            try:
                if bin_.is_symlink() or not bin_.is_dir():
                    _unlink(bin_)
                else:
                    shutil.rmtree(bin_, ignore_errors=True)
                prune_empty_dirs(folders | {bin_.parent}, self.root)
            except Exception:  # noqa: BLE001 - a failed removal must not stop the next ones
                log.exception("could not remove %s", bin_)
            finally:
                self._work.task_done()


def _unlink(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
