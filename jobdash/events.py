"""The change feed: an in-memory, monotonic sequence of what changed, for cheap polling."""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections import deque
from dataclasses import dataclass, field
from typing import Any

STATUS_UPDATE = "status-update"
PROGRESS_UPDATE = "progress-update"
COMPLETION = "completion"
CREATED = "created"
RENAMED = "renamed"
DELETED = "deleted"


@dataclass(frozen=True)
class Change:
    """One change: its sequence number, kind, the jobs it touched and details."""

    seq: int
    kind: str
    job_ids: tuple[int, ...]
    at: dt.datetime
    data: dict[str, Any] = field(default_factory=dict)


class ChangeFeed:
    """Thread-safe bounded log of changes. Reading ``version`` costs O(1)."""

    def __init__(self, maxlen: int = 10_000):
        self.id = uuid.uuid4().hex  # this feed, as opposed to one of an earlier opening
        self._lock = threading.Lock()
        self._changes: deque[Change] = deque(maxlen=maxlen)
        self._version = 0

    @property
    def version(self) -> int:
        """Sequence number of the latest change (0 before any)."""
        return self._version

    def publish(self, kind: str, job_ids: int | tuple[int, ...] | list[int], **data: Any) -> Change:
        """Record a change and return it."""
        ids = (job_ids,) if isinstance(job_ids, int) else tuple(job_ids)
        with self._lock:
            self._version += 1
            change = Change(
                self._version, kind, ids, dt.datetime.now(dt.UTC).replace(tzinfo=None), data
            )
            self._changes.append(change)
        return change

    def since(self, seq: int) -> list[Change]:
        """Changes after ``seq``, oldest first. When older ones were dropped, the list starts
        with a ``resync`` change telling the reader to reload everything."""
        with self._lock:
            if seq >= self._version:
                return []
            changes = [c for c in self._changes if c.seq > seq]
            if changes and changes[0].seq > seq + 1:
                changes.insert(0, Change(seq + 1, "resync", (), changes[0].at))
            return changes
