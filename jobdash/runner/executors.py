"""Where an image's generation and processing run: in the runner's own thread (the default)
or on a Dask distributed cluster. Either way the owning process keeps every database write;
an executor only computes pure, picklable tasks and hands their results back."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from ..errors import ValidationError

EXECUTORS = ("thread", "dask")


class Handle(Protocol):
    """A submitted task: its result (re-raising what the task raised) or its cancellation."""

    def result(self) -> Any:
        """Block until the task is done and return its value."""

    def cancel(self) -> Any:
        """Drop the task if it has not run yet."""


class Executor(Protocol):
    """Runs tasks for the pipeline; ``window`` is how many images may be in flight at once."""

    name: str
    window: int

    def submit(self, fn: Callable[..., Any], /, *args: Any) -> Handle:
        """Schedule ``fn(*args)``."""

    def close(self) -> None:
        """Release the executor's resources (idempotent)."""


class _Deferred:
    """A task computed in the caller's thread the first time its result is asked for."""

    def __init__(self, fn: Callable[..., Any], args: tuple[Any, ...]):
        self._fn, self._args = fn, args

    def result(self) -> Any:
        return self._fn(*self._args)

    def cancel(self) -> None:
        self._fn = None


class ThreadExecutor:
    """The default: each task runs in the runner's worker thread, one image at a time, so a
    stop request is honoured between any two stages."""

    name = "thread"
    window = 1

    def submit(self, fn: Callable[..., Any], /, *args: Any) -> _Deferred:
        """Defer ``fn(*args)`` until its result is needed."""
        return _Deferred(fn, args)

    def close(self) -> None:
        """Nothing to release."""


class DaskExecutor:
    """Sends tasks to a Dask distributed scheduler; up to ``window`` images are computed ahead
    on the cluster while the owning process saves, checks and records them in order."""

    name = "dask"

    def __init__(self, scheduler: str, *, window: int | None = None, timeout_s: float = 10.0):
        try:
            from distributed import Client
        except ImportError:
            raise ValidationError(
                "executor='dask' needs the distributed package: pip install 'jobdash[dask]'",
                "executor",
            ) from None
        try:
            self.client = Client(scheduler, set_as_default=False, timeout=f"{timeout_s}s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise ValidationError(
                f"Cannot reach the Dask scheduler at {scheduler!r}: {exc}. "
                "Start one (dask scheduler) or use executor='thread'.",
                "scheduler",
            ) from None
        threads = sum(self.client.nthreads().values())
        self.window = window or max(2, 2 * threads)

    def submit(self, fn: Callable[..., Any], /, *args: Any) -> Any:
        """Schedule ``fn(*args)`` on the cluster (never cached: every image is new work)."""
        return self.client.submit(fn, *args, pure=False)

    def close(self) -> None:
        """Disconnect from the scheduler (the cluster itself keeps running)."""
        self.client.close()


def make_executor(kind: str | Executor, scheduler: str | None = None) -> Executor:
    """The executor called ``kind`` ("thread" or "dask" with a scheduler address), or
    ``kind`` itself when it already is an executor."""
    if not isinstance(kind, str):
        return kind
    if kind == "thread":
        return ThreadExecutor()
    if kind == "dask":
        if not scheduler:
            raise ValidationError(
                "executor='dask' needs a scheduler address, e.g. scheduler='tcp://127.0.0.1:8786'",
                "scheduler",
            )
        return DaskExecutor(scheduler)
    raise ValidationError(f"executor: {kind!r} is not one of {', '.join(EXECUTORS)}", "executor")
