"""jobdash: the job history of an AI image factory in DuckDB, its runner and its dashboard.

import jobdash
svc = jobdash.open("data/jobs.duckdb")
page = svc.get_all(jobdash.JobQuery(statuses=["failed"]))
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .client import JobClient, connect
from .contract import JobBackend
from .errors import Conflict, NotFound, SchemaTooNew, StoreLocked, ValidationError
from .histories import open_history as open  # the public name is jobdash.open
from .query import JobQuery
from .records import JobDetail, Page, Statistics
from .service import JobService

if TYPE_CHECKING:
    from .ui.page.manager import JobManager

__all__ = [
    "Conflict",
    "JobBackend",
    "JobClient",
    "JobDetail",
    "JobManager",
    "JobQuery",
    "JobService",
    "NotFound",
    "Page",
    "SchemaTooNew",
    "Statistics",
    "StoreLocked",
    "ValidationError",
    "connect",
    "open",
]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    # The UI pulls in Panel; import it only when asked for.
    if name == "JobManager":
        from .ui.page.manager import JobManager

        return JobManager
    raise AttributeError(f"module 'jobdash' has no attribute {name!r}")
