"""Helpers for the runner tests: small fast settings, a history with a live runner, polling."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
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


REPO = Path(jobdash.__file__).resolve().parents[1]

# The owning process: opens the history with its runner, reports once the job has saved two
# images, then keeps running until it is killed.
KILLED_CHILD = """
import sys, time
import jobdash
svc = jobdash.open(sys.argv[1])
job_id = int(sys.argv[2])
deadline = time.monotonic() + 30
while len(svc.get_by_id(job_id).images) < 2:
    if time.monotonic() > deadline:
        sys.exit("the job made no progress")
    time.sleep(0.02)
print("READY", flush=True)
time.sleep(120)
"""


def child_env() -> dict[str, str]:
    """The environment of a child Python process that imports this jobdash."""
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])]),
    }


def kill_mid_job(db: Path, job_id: int) -> None:
    """Run the queue of ``db`` in a child process with its runner and SIGKILL it once job
    ``job_id`` has saved two images."""
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED_CHILD, str(db), str(job_id)],
        env=child_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = child.stdout.readline()
        assert line.strip() == "READY", child.stderr.read()
    finally:
        child.kill()
        child.wait(10)
    assert child.returncode == -signal.SIGKILL
