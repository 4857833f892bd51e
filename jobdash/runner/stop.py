"""A stop request: who asked a running job to stop, and why. The queue records them; the
pipeline checks for one between images and stages."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StopRequest:
    """Who asked a running job to stop, and why (recorded in the job's timeline)."""

    by: str
    reason: str | None = None

    @property
    def who(self) -> str:
        """``user`` or ``user: reason``."""
        return self.by + (f": {self.reason}" if self.reason else "")

    def __str__(self) -> str:
        return f"stopped by {self.who}"


SHUTDOWN = StopRequest("shutdown", "the process running the queue is shutting down")
