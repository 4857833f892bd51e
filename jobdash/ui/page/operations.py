"""What the page's actions do to the history: count, export, rerun, delete and rename jobs,
for one job, a list of ids or "every job matching a query" (resolved by the backend when the
action runs). Plain state, no widgets: :class:`jobdash.ui.page.actions.JobActions` asks it and
shows the outcome."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import param

from jobdash.contract import JobBackend
from jobdash.query import JobQuery
from jobdash.vocab import format_job_id

Target = int | list[int] | JobQuery


def target_ids(target: Target) -> list[int] | JobQuery:
    """What a backend bulk method takes: a list of ids, or the query itself."""
    return [target] if isinstance(target, int) else target


class JobOperations(param.Parameterized):
    """The page's writes to the job history (and the counts its questions need). Export,
    rerun and delete may take long: callers may run them off the event loop."""

    service = param.Parameter(
        constant=True,
        instantiate=False,
        doc="""
        The job history acted on (a :class:`jobdash.contract.JobBackend`).""",
    )

    def __init__(self, service: JobBackend, **params: Any):
        super().__init__(service=service, **params)

    def count(self, target: Target) -> int:
        """How many jobs ``target`` names (for a query: how many match it now)."""
        ids = target_ids(target)
        if isinstance(ids, list):
            return len(ids)
        return self.service.get_all(
            ids.copy(page=1, page_size=min(ids.param.page_size.objects))
        ).total

    def export(self, target: Target) -> Path:
        """Write the jobs' workbook into the export folder (settings file; created when
        missing): ``JOB-….xlsx`` for one job, ``jobs-<time>.xlsx`` for more; returns its
        path."""
        folder = self.service.export_dir
        ids = target_ids(target)
        if isinstance(ids, list) and len(ids) == 1:
            return self.service.export(ids[0], folder / f"{format_job_id(ids[0])}.xlsx")
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        return self.service.bulk_export(ids, folder / f"jobs-{stamp}.xlsx")

    def rerun(self, target: Target) -> tuple[list[int], list[int]]:
        """Queue a rerun of each job with its as-run settings; returns the new jobs' ids and
        the whole queue (ids in the order they will run)."""
        new = [int(i) for i in self.service.bulk_rerun(target_ids(target))["id"]]
        return new, self.service.queue()

    def delete(self, target: Target) -> dict[int, str]:
        """Delete the jobs; ``{id: "deleted" | "not_found"}``."""
        return self.service.bulk_delete(target_ids(target))

    def rename(self, job_id: int, label: str) -> str:
        """Give one job a new label; returns the label saved (refusals raise)."""
        return self.service.rename(job_id, label)["label"]
