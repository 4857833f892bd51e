"""Where a session is in the change feed, and what the runner is doing: read once per
change-feed version and shared by every session showing the same history."""

from __future__ import annotations

import datetime as dt
import threading
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from jobdash import events
from jobdash.contract import JobBackend
from jobdash.errors import JobdashError
from jobdash.events import Change
from jobdash.query import JobQuery
from jobdash.records import Statistics
from jobdash.vocab import format_job_id

ANNOUNCED_STATUSES = ("completed", "failed")


class FeedCursor:
    """A reader's position in the service's change feed. Asking costs O(1) when nothing
    changed: only ``service.version`` is read (through a client, one small request).

    A feed that cannot be read (the history closed, the server behind a client stopped)
    gives no changes, and ``lost`` says why. Once it answers again, or when it is another feed
    (``feed_id``: a restarted server), the answer is one ``resync`` change: the reader
    reloads what it shows, and nothing read for the old feed's versions is reused."""

    def __init__(self, service: JobBackend):
        self.service = service
        self.seq = service.version
        self.feed = service.feed_id
        self.lost = ""

    def changes(self) -> list[Change]:
        """Changes since the last call (empty, without any query, when nothing changed)."""
        try:
            version = self.service.version
            feed = self.service.feed_id
            if self.lost or feed != self.feed or version < self.seq:
                self.feed = feed
                return self._resync(version)
            if version == self.seq:
                return []
            changes = self.service.changes_since(self.seq)
        except JobdashError as exc:
            self.lost = str(exc)
            return []
        if changes:
            self.seq = max(self.seq, changes[-1].seq)
        return changes

    def _resync(self, version: int) -> list[Change]:
        self.seq, self.lost = version, ""
        with _shared_lock:
            _shared.pop(self.service, None)
        return [Change(version, "resync", (), dt.datetime.now(dt.UTC).replace(tzinfo=None))]


def finished_jobs(changes: Iterable[Change]) -> list[tuple[int, str]]:
    """``(job_id, status)`` of each job that completed or failed in ``changes``."""
    return [
        (job_id, c.data.get("status"))
        for c in changes
        if c.kind == events.COMPLETION and c.data.get("status") in ANNOUNCED_STATUSES
        for job_id in c.job_ids
    ]


@dataclass(frozen=True)
class RunnerStatus:
    """What the runner is doing, for the status indicators."""

    state: str  # "off", "idle" or "running"
    job: dict[str, Any] | None  # the running job's listing row
    queued: int

    @property
    def text(self) -> str:
        """One line: ``Running JOB-000042 (40%) · 3 queued``, ``Runner idle · 0 queued``."""
        if self.state == "running" and self.job is not None:
            head = f"Running {format_job_id(self.job['id'])} ({int(self.job['progress'])}%)"
        else:
            head = {"off": "Runner off", "idle": "Runner idle"}.get(self.state, "Running")
        return f"{head} · {self.queued:,} queued"


def runner_status(service: JobBackend, stats: Statistics) -> RunnerStatus:
    """Runner state from the statistics (and one small query when a job runs)."""
    job = None
    if stats.running:
        rows = service.get_all(JobQuery(statuses=["running"], sort="started_at")).rows
        job = rows.iloc[0].to_dict() if len(rows) else None
    if job is not None:
        state = "running"
    elif not service.has_runner:
        state = "off"
    else:
        state = "idle"
    return RunnerStatus(state=state, job=job, queued=stats.pending)


_shared: weakref.WeakKeyDictionary[JobBackend, dict[str, tuple[tuple[int, str], Any]]] = (
    weakref.WeakKeyDictionary()
)


_shared_lock = threading.Lock()


def _shared_read(service: JobBackend, key: str, read: Callable[[], Any]) -> Any:
    """``read()`` once per change-feed version and process: every session showing the
    same history reuses it until something changes (N open pages cost one query, not N)."""
    version = (service.version, service.feed_id)
    with _shared_lock:
        cached = _shared.setdefault(service, {}).get(key)
    if cached is not None and cached[0] == version:
        return cached[1]
    value = read()
    with _shared_lock:
        _shared[service][key] = (version, value)
    return value


def overview(service: JobBackend) -> tuple[Statistics, RunnerStatus]:
    """Statistics of the whole history and the runner's state (shared across sessions)."""

    def read() -> tuple[Statistics, RunnerStatus]:
        stats = service.statistics()
        return stats, runner_status(service, stats)

    return _shared_read(service, "overview", read)


def current_runner(service: JobBackend, stats: Statistics) -> RunnerStatus:
    """The runner's state after progress-only changes (statistics kept; shared)."""
    return _shared_read(service, "runner", lambda: runner_status(service, stats))
