"""Removing image files safely and off the caller's time: only regular files inside the image
root, never via links, deleted by a background thread from a journal.

Deleting a file costs 0.1–0.2 ms on this machine's disk (it discards freed blocks), so
100,000 files take tens of seconds. A delete therefore only writes the files' stored paths
to a journal beside the database (one small file) and returns; a background thread removes
the files, their emptied folders, then the journal. A journal left by a process that stopped
early is finished the next time the history is opened, so no file is forgotten.
"""

from __future__ import annotations

import logging
import os
import queue
import stat
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

log = logging.getLogger(__name__)


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
    for folder in sorted(
        {Path(os.path.realpath(f)) for f in folders}, key=lambda p: len(p.parts), reverse=True
    ):
        try:
            while folder != root and folder.is_relative_to(root) and not any(folder.iterdir()):
                folder.rmdir()
                folder = folder.parent
        except OSError:
            continue


class Trash:
    """Removes deleted jobs' files in one background thread, from journals in ``journals``."""

    def __init__(self, root: Path, journals: Path, resolve: Callable[[str], Path]):
        self.root = root.resolve()
        self.journals = journals
        self._resolve = resolve
        self._work: queue.Queue[Path] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def discard(self, stored_paths: list[str]) -> None:
        """Remove these files (paths as stored) in the background; only regular files in
        folders inside the root are touched."""
        if not stored_paths:
            return
        self.journals.mkdir(parents=True, exist_ok=True)
        journal = self.journals / f"{uuid.uuid4().hex}.paths"
        journal.write_bytes("\0".join(stored_paths).encode("utf-8", "surrogateescape"))
        self._submit(journal)

    def sweep(self) -> None:
        """Queue the journals an earlier process left unfinished."""
        if self.journals.is_dir():
            for journal in sorted(self.journals.glob("*.paths")):
                self._submit(journal)

    def wait(self) -> None:
        """Block until every queued removal is done."""
        self._work.join()

    def _submit(self, journal: Path) -> None:
        with self._lock:
            self._work.put(journal)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._drain, name="jobdash-trash", daemon=True
                )
                self._thread.start()

    def _drain(self) -> None:
        while True:
            with self._lock:
                try:
                    journal = self._work.get_nowait()
                except queue.Empty:
                    self._thread = None
                    return
            try:
                self._remove(journal)
            except Exception:  # a failed removal must not stop the next ones
                log.exception("could not finish the deletions listed in %s", journal)
            finally:
                self._work.task_done()

    def _remove(self, journal: Path) -> None:
        stored = journal.read_bytes().decode("utf-8", "surrogateescape").split("\0")
        folders = set()
        for target in _regular_files_inside(map(self._resolve, stored), self.root):
            folders.add(target.parent)
            try:
                os.unlink(target)
            except OSError:
                continue
        prune_empty_dirs(folders, self.root)
        journal.unlink(missing_ok=True)
        if not any(self.journals.iterdir()):
            self.journals.rmdir()
