"""Opening a job history: the one place that puts the parts together.

It opens the store, builds the service over it and, unless asked not to, builds the runner,
gives it to the service and starts it. The service never imports the runner; the runner
only works through the service it is given.

The process that opens a history first (DuckDB lets one process at a time open the file;
``JobStore.sole_opener``) is its next writer: it marks the jobs a dead process left
``running`` as interrupted, whether it runs the queue or not, and, when a process ended with
the history open (``JobStore.left_open``), sweeps the files it may have left below the image
root, in the background (:func:`jobdash.files.sweep_orphans`). A service not closed by the
time the interpreter exits is closed then, as :meth:`JobService.close` does."""

from __future__ import annotations

import atexit
import logging
import os
import time
import weakref
from pathlib import Path

from .config import Settings, default_db_path
from .runner import Runner
from .runner.layout import RUNNER_FILES
from .service import JobService
from .store import JobStore

log = logging.getLogger(__name__)

_left_open: weakref.WeakSet[JobService] = weakref.WeakSet()


def open_service(
    path: str | os.PathLike | None = None,
    *,
    runner: bool = True,
    executor: str = "thread",
    scheduler: str | None = None,
) -> JobService:
    """Open (creating if needed) a job history. ``runner=False`` opens it without executing
    the queue; ``executor="dask"`` with ``scheduler`` sends image work to a Dask cluster."""
    opened_ns = time.time_ns()
    db = Path(path) if path is not None else default_db_path()
    settings = Settings.for_database(db)  # refused before any file is created
    store = JobStore(db, engine=settings.engine)
    service = JobService(store, settings)
    try:
        if store.sole_opener:
            service.recover_interrupted()
        left = store.left_open
        if left is not None:
            log.info(
                "jobdash: %s was left open by %s: sweeping what it may have left",
                db,
                f"process {left.pid} (opened {left.opened_at:%Y-%m-%d %H:%M:%S} UTC)"
                if left.opened_at
                else "a process",
            )
            service.trash.sweep_orphans(store, RUNNER_FILES, opened_ns)
        if runner:
            worker = Runner(service, executor=executor, scheduler=scheduler)
            service.attach_runner(worker)
            worker.start()
    except BaseException:
        service.close()
        raise
    _close_at_exit(service)
    return service


def _close_at_exit(service: JobService) -> None:
    """Have ``service`` closed at interpreter exit unless it is closed (or gone) before.

    Exit hooks run last registered first, so registering again puts ours before those of
    libraries imported since (Dask's client closes itself at exit): the runner stops its job
    while everything it uses still works, and before the interpreter stops the threads
    still inside DuckDB, which aborts the process."""
    _left_open.add(service)
    atexit.unregister(_close_left_open)
    atexit.register(_close_left_open)


def _close_left_open() -> None:
    for service in list(_left_open):
        try:
            service.close()
        except Exception:
            log.exception("jobdash: could not close %s at exit", service.store.path)
