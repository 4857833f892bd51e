"""The backend contract as a type: what UI state classes and the analysis call.

:class:`JobBackend` lists exactly the methods, arguments and return types that the UI's state
classes (``jobdash/ui/*/state.py`` and the shared feed) and :mod:`jobdash.analysis` use.
They type their backend against it, never against :class:`jobdash.service.JobService`, so
anything that satisfies it can stand behind the page: the in-process JobService and the
HTTP client (:class:`jobdash.client.JobClient`) do (a test compares every member of both).
Viewers do not call it; they talk to state classes.

The protocol is runtime-checkable, so a Parameterized state class can declare its backend as
``param.ClassSelector(class_=JobBackend)``: ``isinstance`` then checks that every member is
present (the signatures are checked by mypy and by tests/test_contract.py).

Bad input raises the typed errors of :mod:`jobdash.errors` (NotFound, ValidationError,
Conflict) and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import pandas as pd

from .events import Change
from .query import JobQuery
from .records import IdsOrQuery, JobDetail, Page, Statistics


@runtime_checkable
class JobBackend(Protocol):
    """A job history and its operations, as the UI and the analysis see it."""

    # -- change feed ------------------------------------------------------------------------

    @property
    def version(self) -> int:
        """Monotonic change counter; poll it, then call :meth:`changes_since`."""

    def changes_since(self, seq: int) -> list[Change]:
        """Changes after sequence number ``seq`` (status, progress, completion, edits)."""

    @property
    def feed_id(self) -> str:
        """Which change feed ``version`` counts in: another id means the history was opened
        again (a restarted server) and sequence numbers started over."""

    # -- where files live and who runs the queue --------------------------------------------

    @property
    def image_root(self) -> Path:
        """Folder the stored image paths are relative to."""

    @property
    def export_dir(self) -> Path:
        """Default folder for exported workbooks."""

    @property
    def has_runner(self) -> bool:
        """Whether a runner executes this history's queue."""

    # -- reading ----------------------------------------------------------------------------

    def get_all(self, query: JobQuery | None = None) -> Page:
        """One page of jobs matching ``query``."""

    def get_by_id(self, job_id: int) -> JobDetail:
        """Job, configuration, as-run settings, images and events of one job."""

    def jobs(self, ids: Sequence[int]) -> pd.DataFrame:
        """Listing rows of the given jobs (missing ones left out)."""

    def statistics(self, query: JobQuery | None = None) -> Statistics:
        """Totals, per-status counts, rates, trend, durations and image counts."""

    def configurations(self) -> pd.DataFrame:
        """Every configuration with id, name, version and settings."""

    def queue(self) -> list[int]:
        """Ids of pending jobs in the order they will run."""

    # -- editing, export and the queue -------------------------------------------------------

    def rename(self, job_id: int, label: str) -> dict[str, Any]:
        """Give a job a new label; returns the job."""

    def bulk_delete(self, target: IdsOrQuery) -> dict[int, str]:
        """Delete jobs; ``{id: "deleted" | "not_found"}``."""

    def bulk_rerun(self, target: IdsOrQuery) -> pd.DataFrame:
        """Queue a rerun of each job; the new jobs' listing rows."""

    def bulk_export(
        self, target: IdsOrQuery, path: str | os.PathLike, include_images: bool | None = None
    ) -> Path:
        """Write the jobs (and their images) to an Excel workbook at ``path``."""

    def export(self, job_id: int, path: str | os.PathLike) -> Path:
        """Write one job with its images to an Excel workbook at ``path``."""

    def start(self, configuration_id: int | str, label: str | None = None) -> dict[str, Any]:
        """Queue a new job of a configuration; returns the job."""

    def stop(self, job_id: int, by: str = "user", reason: str | None = None) -> None:
        """Stop a running job at its next checkpoint (a pending one is cancelled)."""

    def cancel(self, job_id: int) -> None:
        """Remove a pending job from the queue."""

    # -- filter presets ---------------------------------------------------------------------

    def presets(self) -> list[dict[str, Any]]:
        """Saved presets: name, query (dict of filters) and created_at."""

    def save_preset(self, name: str, query: JobQuery) -> None:
        """Save the filters of ``query`` under ``name``."""

    def apply_preset(self, name: str, base: JobQuery | None = None) -> JobQuery:
        """A query with the preset's filters (sort and page size kept from ``base``)."""

    def delete_preset(self, name: str) -> None:
        """Delete a preset."""

    # -- failure analysis -------------------------------------------------------------------

    def signature_of(self, message: str | None) -> str:
        """The signature of one error message."""

    def error_signatures(
        self, query: JobQuery | None = None, *, limit: int = 50, examples: int = 3
    ) -> pd.DataFrame:
        """Jobs grouped by the signature of their error message, most frequent first."""

    def signature_daily_counts(
        self,
        signatures: list[str] | None = None,
        *,
        days: int = 30,
        end: dt.date | None = None,
        top: int = 10,
        query: JobQuery | None = None,
    ) -> pd.DataFrame:
        """Jobs per signature per day, zeros included."""

    def failure_rate(
        self, bucket: str = "day", by: str | None = None, query: JobQuery | None = None
    ) -> pd.DataFrame:
        """Failed share of finished jobs per time bucket."""

    def qc_rejection_rate(
        self, bucket: str = "day", by: str | None = None, query: JobQuery | None = None
    ) -> pd.DataFrame:
        """Rejected share of judged images per time bucket."""

    def duration_percentiles(
        self, by: str | None = "configuration", query: JobQuery | None = None
    ) -> pd.DataFrame:
        """Run time percentiles per status and configuration."""

    def qc_reasons(self, query: JobQuery | None = None) -> pd.DataFrame:
        """Lost and held images by cause."""
