"""Helpers for the runner tests: small fast settings, a history with a live runner, polling."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import jobdash
from jobdash.service import JobService

FAST: dict[str, Any] = {
    "prompt_template": "A {keyword} at dawn",
    "keywords": ["red lake", "blue forest"],
    "count": 2,
    "variations": 2,
    "width": 96,
    "height": 96,
    "format": "png",
    "seed": 11,
    "generator": {"name": "procedural"},
}


def settings(**overrides: Any) -> dict[str, Any]:
    """FAST settings with some keys replaced (``generator`` merged, not replaced)."""
    out = {**FAST, **overrides}
    out["generator"] = {**FAST["generator"], **overrides.get("generator", {})}
    return out


def wait_until(predicate: Callable[[], Any], timeout: float = 20.0, every: float = 0.02) -> Any:
    """Poll ``predicate`` until it returns something truthy; fail after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(every)


@contextmanager
def running(path: Path, **kwargs: Any) -> Iterator[JobService]:
    """A JobService with its runner executing the queue; closed (runner shut down) after."""
    svc = jobdash.open(path, **kwargs)
    try:
        yield svc
    finally:
        svc.close()


def finished(svc: JobService, job_id: int, timeout: float = 30.0) -> dict[str, Any]:
    """Wait for a job to reach a final status and return its row."""
    status = svc.runner.wait(job_id, timeout)
    assert status in ("completed", "failed", "stopped"), f"job {job_id} still {status}"
    return svc.get_by_id(job_id).job


def steps(svc: JobService, job_id: int) -> list[tuple[str, str | None]]:
    """(step, sub_step) of a job's events in order."""
    events = svc.get_by_id(job_id).events
    return [
        (s, None if not isinstance(ss, str) else ss)
        for s, ss in zip(events["step"], events["sub_step"], strict=True)
    ]
