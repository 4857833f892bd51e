"""What the Dashboard page shows, as a plain Parameterized kept current from the feed, and
its two actions (start a job, stop the running one): the page's only caller of the backend."""

from __future__ import annotations

from typing import Any

import param

from jobdash.contract import JobBackend
from jobdash.events import Change
from jobdash.query import JobQuery
from jobdash.records import Statistics
from jobdash.ui.shared.feed import FeedCursor, RunnerStatus, overview


class DashboardState(param.Parameterized):
    """What the Dashboard page shows: totals, the running job, the queue and the last
    jobs, kept current from the change feed."""

    service = param.Parameter(
        constant=True,
        instantiate=False,
        doc="""
        The job history shown (a :class:`jobdash.contract.JobBackend`).""",
    )

    stats = param.ClassSelector(
        class_=Statistics,
        default=None,
        allow_None=True,
        doc="""
        Statistics over the whole history.""",
    )

    runner = param.ClassSelector(
        class_=RunnerStatus,
        default=None,
        allow_None=True,
        doc="""
        The runner's state, with the running job's row.""",
    )

    recent = param.DataFrame(
        default=None,
        allow_None=True,
        doc="""
        The most recent jobs (listing rows, newest first).""",
    )

    configurations = param.DataFrame(
        default=None,
        allow_None=True,
        doc="""
        Configurations a new job can be started from (id, name, version).""",
    )

    recent_count = param.Integer(
        default=8,
        bounds=(1, 25),
        doc="""
        How many recent jobs to show.""",
    )

    def __init__(self, service: JobBackend, **params: Any):
        super().__init__(service=service, **params)
        self.cursor = FeedCursor(service)
        self.load()

    def load(self) -> None:
        """Read everything the page shows."""
        stats, runner = overview(self.service)
        recent = self.service.get_all(JobQuery(sort="started_at", descending=True)).rows
        configs = self.service.configurations()[["id", "name", "version"]]
        self.param.update(
            stats=stats,
            runner=runner,
            recent=recent.head(self.recent_count).reset_index(drop=True),
            configurations=configs,
        )

    def poll(self) -> list[Change]:
        """Reload when the feed moved; returns the changes (empty costs no query)."""
        changes = self.cursor.changes()
        if changes:
            self.load()
        return changes

    def start(self, configuration_id: int) -> dict[str, Any]:
        """Queue a job of a configuration and show it; returns the job. Refusals raise
        :class:`jobdash.errors.JobdashError`."""
        job = self.service.start(configuration_id)
        self.load()
        return job

    def stop_running(self) -> int | None:
        """Ask the runner to stop the running job; returns its id (None when nothing runs).
        Refusals raise :class:`jobdash.errors.JobdashError`."""
        job = self.runner.job if self.runner is not None else None
        if job is None:
            return None
        job_id = int(job["id"])
        self.service.stop(job_id)
        return job_id
