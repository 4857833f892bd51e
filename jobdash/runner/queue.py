"""The Runner: one worker thread per owning process that executes pending jobs strictly one
at a time, in queue order. The queue is the ``pending`` rows themselves, so it survives a
restart; jobs a dead process left ``running`` are marked interrupted by the next process
that opens the history (``jobdash.open``), before its runner starts.

Shutting down (:meth:`Runner.shutdown`, which ``JobService.close`` calls, also at
interpreter exit) stops the running job at its next checkpoint: it ends ``stopped`` by
"shutdown", with the images it produced, and is not queued again; pending jobs stay
queued."""

from __future__ import annotations

import logging
import threading
import time
import traceback
from typing import TYPE_CHECKING, Any

from ..errors import Conflict
from ..vocab import format_job_id
from .executors import Executor, make_executor
from .pipeline import Pipeline
from .stop import SHUTDOWN, StopRequest

if TYPE_CHECKING:
    from ..service import JobService

log = logging.getLogger(__name__)

FINAL = ("completed", "failed", "stopped")


class Runner:
    """Executes the queue of one JobService in a background thread.

    ``executor`` is "thread" (in-process, the default), "dask" with ``scheduler`` (an
    address such as ``tcp://127.0.0.1:8786``) or an executor object; ``poll_s`` is how often
    an idle runner looks for pending rows written by something that did not wake it."""

    def __init__(
        self,
        service: JobService,
        *,
        executor: str | Executor = "thread",
        scheduler: str | None = None,
        poll_s: float = 1.0,
    ):
        self.service = service
        self.executor = make_executor(executor, scheduler)
        self.poll_s = poll_s
        self._wake = threading.Event()
        self._closing = threading.Event()
        self._lock = threading.Lock()
        self._finished = threading.Condition(self._lock)
        self._stops: dict[int, StopRequest] = {}
        self._current: int | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self) -> None:
        """Start the worker thread (jobs a dead process left running were marked
        interrupted when the history was opened)."""
        if self._thread is not None:
            raise RuntimeError("this runner was already started")
        self._thread = threading.Thread(target=self._loop, name="jobdash-runner", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Look at the queue now (called when jobs are queued)."""
        self._wake.set()

    def shutdown(self, timeout: float = 10.0) -> bool:
        """Stop the running job at its next checkpoint, stop the worker and release the
        executor. The job ends ``stopped`` (error "stopped by shutdown: the process running
        the queue is shutting down") with the images it produced, and is not queued again;
        pending jobs stay queued for the next start. Returns False when the worker did not
        finish within ``timeout`` seconds (its job is then marked interrupted by the next
        process that opens the history)."""
        self._closing.set()
        current = self._current
        if current is not None:
            self.request_stop(current, SHUTDOWN.by, SHUTDOWN.reason)
        self._wake.set()
        done = True
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)
            done = not self._thread.is_alive()
            if not done:
                log.warning(
                    "jobdash runner: still busy %.0f s after shutdown was asked; "
                    "its job will be recovered as interrupted",
                    timeout,
                )
        if done:
            self.executor.close()
        return done

    @property
    def alive(self) -> bool:
        """Whether the worker thread is running."""
        return self._thread is not None and self._thread.is_alive()

    @property
    def current_job(self) -> int | None:
        """Id of the job being executed, or None when idle."""
        return self._current

    # -- stopping and waiting -----------------------------------------------------------------

    def request_stop(self, job_id: int, by: str = "user", reason: str | None = None) -> None:
        """Ask a running job to stop at its next checkpoint (between images or stages)."""
        with self._lock:
            if job_id in self._stops:
                return
            self._stops[job_id] = request = StopRequest(by, reason)
        self.service.record(
            job_id,
            event=dict(
                level="warn",
                step="runner",
                message=f"Stop requested by {request.who}",
                data={"by": by, "reason": reason},
            ),
        )

    def stop_requested(self, job_id: int) -> StopRequest | None:
        """The pending stop request of a job, if any (every job stops when shutting down)."""
        with self._lock:
            request = self._stops.get(job_id)
        if request is None and self._closing.is_set():
            return SHUTDOWN
        return request

    def wait(self, job_id: int, timeout: float | None = None) -> str:
        """Block until a job reaches a final status (or ``timeout`` passes, or the runner
        stops); returns its status then ("deleted" when it no longer exists)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._finished:
            while True:
                status = self.service.job_statuses([job_id]).get(job_id, "deleted")
                left = None if deadline is None else deadline - time.monotonic()
                if (
                    status in FINAL
                    or status == "deleted"
                    or not self.alive
                    or (left is not None and left <= 0)
                ):
                    return status
                # Re-check now and then: a cancel or delete does not go through the runner.
                self._finished.wait(0.25 if left is None else min(0.25, left))

    # -- the worker ---------------------------------------------------------------------------

    def _loop(self) -> None:
        while not self._closing.is_set():
            self._wake.clear()
            try:
                job = self.service.claim_next()
            except Exception:
                if self._closing.is_set():
                    break
                log.exception("jobdash runner: cannot read the queue; retrying")
                self._closing.wait(self.poll_s)
                continue
            if job is None:
                self._wake.wait(self.poll_s)
                continue
            self._run(job)

    def _run(self, job: dict[str, Any]) -> None:
        job_id = job["id"]
        with self._lock:
            self._current = job_id
        pipeline = Pipeline(
            self.service, job, self.executor, stop=lambda: self.stop_requested(job_id)
        )
        try:
            outcome = pipeline.run()
            self.service.finish(
                job_id,
                outcome.status,
                message=outcome.message,
                error_message=outcome.error_message,
                error_step=outcome.error_step,
            )
        except Exception as exc:
            self._crashed(job_id, pipeline.stage, exc)
        finally:
            with self._finished:
                self._stops.pop(job_id, None)
                self._current = None
                self._finished.notify_all()

    def _crashed(self, job_id: int, stage: str, exc: Exception) -> None:
        """An exception escaped the pipeline: the job fails at the stage it was in."""
        log.exception("jobdash runner: %s failed in %s", format_job_id(job_id), stage)
        message = f"{type(exc).__name__}: {exc}"
        try:
            self.service.record(
                job_id,
                event=dict(
                    level="error",
                    step=stage,
                    message=f"Unexpected error: {message}",
                    data={
                        "exception": type(exc).__name__,
                        "traceback": traceback.format_exc(limit=8)[-4000:],
                    },
                ),
            )
            self.service.finish(
                job_id,
                "failed",
                message=f"Failed in {stage}: {message}",
                error_message=message,
                error_step=stage,
            )
        except Exception:
            # The store itself is gone (closing): the next start marks the job interrupted.
            log.exception(
                "jobdash runner: could not record the failure of %s", format_job_id(job_id)
            )


def run_job(
    service: JobService,
    config: int | str,
    label: str | None = None,
    wait: bool = True,
    timeout: float | None = None,
) -> dict[str, Any]:
    """Queue a job of configuration ``config`` (name or id) and, when ``wait``, block until
    it (and every job queued before it) has finished. Returns the job as it is then."""
    runner = service.runner
    if wait and runner is None:
        raise Conflict(
            "This history was opened without a runner (runner=False): nothing "
            "would execute the job."
        )
    job = service.start(config, label)
    if wait and runner is not None:
        runner.wait(job["id"], timeout)
    return service.get_by_id(job["id"]).job
