"""Removing image files safely and off the caller's time: only regular files inside the image
root, never via links, deleted by a background thread from a journal.

Deleting a file costs 0.1–0.2 ms on this machine's disk (it discards freed blocks), so
100,000 files take tens of seconds. A delete therefore only writes the files' stored paths
to a journal beside the database (one small file) and returns; a background thread removes
the files, their emptied folders, then the journal. A journal left by a process that stopped
early is finished the next time the history is opened, so no file is forgotten.

The same thread sweeps crash leftovers when a history is opened (:func:`sweep_orphans`):
files of the kinds the runner writes, in job folders, that no image row names — what a
process killed between saving a file and recording its row leaves behind.
"""

from __future__ import annotations

import logging
import os
import queue
import re
import stat
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from .store import JobStore, orphans

log = logging.getLogger(__name__)

SWEEP_CHUNK = 1000
"""Leftovers checked and removed per write transaction (other writes wait meanwhile)."""


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


def leads_out(path: str, root: Path) -> bool:
    """Whether an absolute ``path`` starts inside ``root`` (as written, or once the links of
    its folder are resolved) but its file resolves outside it: a link out of the image root,
    which is never followed."""
    real_root = Path(os.path.realpath(root))
    if Path(os.path.realpath(path)).is_relative_to(real_root):
        return False
    written = Path(os.path.normpath(path))
    return (
        written.is_relative_to(real_root)
        or written.is_relative_to(Path(root).absolute())
        or Path(os.path.realpath(written.parent)).is_relative_to(real_root)
    )


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


class Stopped(Exception):
    """The sweep was asked to end before a query it was about to run."""


class Stop:
    """Asks a sweep to end early: set, it also interrupts the query the sweep waits on."""

    def __init__(self) -> None:
        self._set = threading.Event()
        self._lock = threading.Lock()
        self._interrupt: Callable[[], None] | None = None

    def set(self) -> None:
        """End the sweep at its next step (now, if it waits on a query)."""
        with self._lock:
            self._set.set()
            if self._interrupt is not None:
                self._interrupt()

    def is_set(self) -> bool:
        """Whether the sweep was asked to end."""
        return self._set.is_set()

    @contextmanager
    def interrupting(self, interrupt: Callable[[], None]) -> Iterator[None]:
        """While the block runs, :meth:`set` calls ``interrupt`` too; raises
        :class:`Stopped` when already set."""
        with self._lock:
            if self._set.is_set():
                raise Stopped
            self._interrupt = interrupt
        try:
            yield
        finally:
            with self._lock:
                self._interrupt = None


@dataclass(frozen=True)
class Layout:
    """Where a writer puts image files below the image root: ``<job id>/<name>`` and
    ``<job id>/<subfolder>/<name>``, for names that ``names`` matches in full
    (:data:`jobdash.runner.layout.RUNNER_FILES`)."""

    subfolders: frozenset[str]
    names: re.Pattern[str]


_JOB_FOLDER = re.compile(r"[1-9][0-9]{0,17}")  # str(job_id), as the runner names it


def _job_files(root: Path, layout: Layout, stop: Stop) -> tuple[dict[int, list[str]], list[str]]:
    """The files of ``layout``'s kinds in the job folders below ``root`` (relative paths,
    by job id), and the relative paths of the links met on the way. Links are never
    followed; only the folders ``layout`` names are read."""
    found: dict[int, list[str]] = {}
    linked: list[str] = []

    def scan(folder: Path, prefix: str, into: list[str], depth: int) -> None:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_symlink():
                    linked.append(prefix + entry.name)
                elif entry.is_file(follow_symlinks=False):
                    if layout.names.fullmatch(entry.name):
                        into.append(prefix + entry.name)
                elif (
                    depth == 0
                    and entry.name in layout.subfolders
                    and entry.is_dir(follow_symlinks=False)
                ):
                    scan(Path(entry.path), f"{prefix}{entry.name}/", into, 1)

    with os.scandir(root) as entries:
        for entry in entries:
            if stop.is_set():
                break
            if entry.is_symlink():
                linked.append(entry.name)
            elif _JOB_FOLDER.fullmatch(entry.name) and entry.is_dir(follow_symlinks=False):
                files: list[str] = []
                try:
                    scan(Path(entry.path), entry.name + "/", files, 0)
                except OSError:
                    continue
                if files:
                    found[int(entry.name)] = files
    return found, linked


def _real(path: Path) -> str:
    """A path with its folder's links resolved, compared without case (as written when it
    cannot be resolved: a NUL in it, say)."""
    try:
        return os.path.join(os.path.realpath(path.parent), path.name).lower()
    except (OSError, ValueError):
        return str(path).lower()


def sweep_orphans(
    store: JobStore,
    root: Path,
    resolve: Callable[[str], Path],
    layout: Layout,
    before_ns: int,
    stop: Stop,
) -> int | None:
    """Remove what the process that ended with the history open (the store's ``left_open``)
    left behind; returns how many files, or None when ``stop`` ended it first.

    A leftover is a regular file of ``layout``'s kinds (images, thumbnails and the ``.part``
    files they are written to first) in the folder of a job no process writes to any more
    (finished or deleted), modified before ``before_ns`` (``time.time_ns()`` when the
    history was opened), that no image row names (``resolve`` turns a stored path into a
    file). Only regular files inside ``root`` are touched, never through a link; folders
    left empty go too. Each batch is checked again and removed inside a write transaction,
    so no row naming a file commits meanwhile. Once done, the next open sweeps only if a
    process ends with the history open again."""
    started = time.perf_counter()
    root = Path(os.path.realpath(root))
    found, linked = _job_files(root, layout, stop) if root.is_dir() else ({}, [])
    candidates = [path for files in found.values() for path in files]
    left: list[str] = []
    last_image = 0
    if candidates:
        try:
            answer = orphans.unnamed(store, candidates, linked, stop.interrupting)
        except Stopped:
            answer = None
        if answer is not None:  # else interrupted: stop is set
            named = {_real(resolve(p)) for p in answer.irregular}
            left = [p for p in answer.paths if _real(root / p) not in named]
            last_image = answer.last_image
    removed = 0
    folders: set[Path] = set()
    for start in range(0, len(left), SWEEP_CHUNK):
        if stop.is_set():
            break
        chunk = left[start : start + SWEEP_CHUNK]
        with store.transaction() as tx:
            settled = orphans.settled(tx, store, sorted({_job_of(p) for p in chunk}))
            named = {_real(resolve(p)) for p in orphans.stored_since(tx, last_image)}
            for path in chunk:
                target = root / path
                if (
                    _job_of(path) in settled
                    and _real(target) not in named
                    and _unlink_old(target, before_ns)
                ):
                    removed += 1
                    folders.add(target.parent)
    prune_empty_dirs(folders, root)
    if stop.is_set():
        log.info("jobdash: the sweep of %s ended early, %d file(s) removed", root, removed)
        return None
    store.swept()
    log.info(
        "jobdash: %d leftover image file(s) removed from %s (%d checked in %.2f s)",
        removed,
        root,
        len(candidates),
        time.perf_counter() - started,
    )
    return removed


def _job_of(path: str) -> int:
    return int(path.split("/", 1)[0])


def _unlink_old(target: Path, before_ns: int) -> bool:
    """Remove ``target`` if it is a regular file (not a link) modified before ``before_ns``."""
    try:
        info = os.lstat(target)
        if not stat.S_ISREG(info.st_mode) or info.st_mtime_ns >= before_ns:
            return False
        os.unlink(target)
    except OSError:
        return False
    return True


class Trash:
    """Removes files in one background thread: deleted jobs' files, from journals in
    ``journals``, and crash leftovers (:meth:`sweep_orphans`)."""

    def __init__(self, root: Path, journals: Path, resolve: Callable[[str], Path]):
        self.root = root.resolve()
        self.journals = journals
        self._resolve = resolve
        self._work: queue.Queue[tuple[str, Callable[[], object]]] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._stopping = Stop()

    def discard(self, stored_paths: list[str]) -> None:
        """Remove these files (paths as stored) in the background; only regular files in
        folders inside the root are touched."""
        if not stored_paths:
            return
        self.journals.mkdir(parents=True, exist_ok=True)
        journal = self.journals / f"{uuid.uuid4().hex}.paths"
        journal.write_bytes("\0".join(stored_paths).encode("utf-8", "surrogateescape"))
        self._submit_journal(journal)

    def sweep(self) -> None:
        """Queue the journals an earlier process left unfinished."""
        if self.journals.is_dir():
            for journal in sorted(self.journals.glob("*.paths")):
                self._submit_journal(journal)

    def sweep_orphans(self, store: JobStore, layout: Layout, before_ns: int) -> None:
        """Queue the sweep of what the store's ``left_open`` left below the root
        (:func:`sweep_orphans`): only the process that opened the history first may ask,
        before its runner starts."""
        self._submit(
            f"the sweep of leftover files in {self.root}",
            partial(
                sweep_orphans, store, self.root, self._resolve, layout, before_ns, self._stopping
            ),
        )

    def wait(self) -> None:
        """Block until every queued removal is done."""
        self._work.join()

    def close(self) -> None:
        """End a sweep of leftovers early (the next open sweeps again), then wait for the
        rest: deleted jobs' files are always removed."""
        self._stopping.set()
        self.wait()

    def _submit_journal(self, journal: Path) -> None:
        self._submit(f"the deletions listed in {journal}", partial(self._remove, journal))

    def _submit(self, what: str, task: Callable[[], object]) -> None:
        with self._lock:
            self._work.put((what, task))
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._drain, name="jobdash-trash", daemon=True
                )
                self._thread.start()

    def _drain(self) -> None:
        while True:
            with self._lock:
                try:
                    what, task = self._work.get_nowait()
                except queue.Empty:
                    self._thread = None
                    return
            try:
                task()
            except Exception:  # a failed removal must not stop the next ones
                log.exception("could not finish %s", what)
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
