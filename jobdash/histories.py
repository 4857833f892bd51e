"""``jobdash.open``: a job history, wherever it is held.

A history no process holds is opened here (:func:`jobdash.opening.open_service`: the store,
the service and, unless ``runner=False``, the runner). A history a running ``jobdash serve``
holds is reached through that server instead (found by its discovery file): the answer is a
:class:`~jobdash.client.JobClient` with the same methods, results and typed errors, so a
notebook or a script works beside the open page. ``remote=False`` never connects (a second
opener then gets StoreLocked); ``remote=True`` only connects."""

from __future__ import annotations

import os
from pathlib import Path

from .client import JobClient, for_history
from .config import default_db_path
from .errors import NotFound, StoreLocked
from .opening import open_service
from .service import JobService


def open_history(
    path: str | os.PathLike | None = None,
    *,
    runner: bool = True,
    executor: str = "thread",
    scheduler: str | None = None,
    remote: bool | None = None,
) -> JobService | JobClient:
    """The history at ``path`` (default ``$JOBDASH_DB`` or data/jobs.duckdb): opened here,
    or, while a ``jobdash serve`` holds it, a client of that server (``remote``: None
    decides by itself, False only opens here, True only connects). ``runner``,
    ``executor`` and ``scheduler`` apply to a history opened here (a server runs its own
    queue)."""
    db = Path(path) if path is not None else default_db_path()
    if remote is not False:
        served = for_history(db)
        if served is not None:
            return served
        if remote:
            raise NotFound(
                f"No jobdash serve holds {db} (start one with: jobdash serve --db {db})."
            )
    try:
        return open_service(db, runner=runner, executor=executor, scheduler=scheduler)
    except StoreLocked:
        served = for_history(db) if remote is None else None  # a server that just started
        if served is None:
            raise
        return served
