"""JobService: the backend contract over one DuckDB file. The UI, notebooks, CLI and runner
all go through it; what the UI and the analysis call is typed by
:class:`jobdash.contract.JobBackend`, which it satisfies. It is given its runner
(:class:`QueueRunner`) by :mod:`jobdash.opening` and never imports one."""

from __future__ import annotations

import datetime as dt
import os
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from . import events
from .config import Settings
from .errors import Conflict, NotFound, ValidationError
from .events import Change, ChangeFeed
from .files import Trash, leads_out
from .query import JobQuery
from .records import IdsOrQuery, JobDetail, Page, Statistics
from .scope import failed_jobs, scope, whole_number
from .store import JobStore, analytics, imported, utcnow
from .store.image_paths import set_file_paths
from .text import storable
from .vocab import JOB_STATUSES, LABEL_MAX, format_job_id, parse_job_id

__all__ = ["IdsOrQuery", "JobDetail", "JobService", "Page", "QueueRunner", "Statistics"]

RERUN_SUFFIX = " (Rerun)"
IMAGE_SUFFIXES = frozenset(
    {".png", ".jpg", ".jpeg", ".webp", ".gif", ".avif", ".tif", ".tiff", ".bmp"}
)
"""What a file kept outside the image root may be to be served (raster images: no SVG,
which can carry scripts)."""
INTERRUPTED = "interrupted: the process running this job stopped"
FINAL_STATUSES = ("completed", "failed", "stopped")


class QueueRunner(Protocol):
    """What the service asks of the runner given to it (:class:`jobdash.runner.Runner`):
    look at the queue, stop a running job, shut down; and what callers of
    ``service.runner`` may rely on (``jobdash run`` waits for its job)."""

    def wake(self) -> None:
        """Look at the queue now (jobs were queued)."""

    def request_stop(self, job_id: int, by: str = "user", reason: str | None = None) -> None:
        """Ask a running job to stop at its next checkpoint."""

    def shutdown(self) -> bool:
        """Stop working; False when the worker did not finish in time."""

    def wait(self, job_id: int, timeout: float | None = None) -> str:
        """Block until a job reaches a final status (or ``timeout``); its status then."""


class JobService:
    """The job history and its operations over one DuckDB file."""

    def __init__(self, store: JobStore, settings: Settings):
        self.store = store
        self.settings = settings
        self.feed = ChangeFeed()
        self.trash = Trash(settings.image_root, Path(f"{store.path}.deleting"), settings.image_path)
        self.trash.sweep()
        self.runner: QueueRunner | None = None

    def attach_runner(self, runner: QueueRunner) -> None:
        """Give the queue to ``runner`` (``jobdash.open`` does unless ``runner=False``): it
        is woken when jobs are queued, asked to stop running jobs and shut down on close."""
        if self.runner is not None:
            raise Conflict("This history already has a runner: one process runs its queue.")
        self.runner = runner

    @property
    def has_runner(self) -> bool:
        """Whether a runner executes this history's queue (in this process)."""
        return self.runner is not None

    @property
    def image_root(self) -> Path:
        """Folder the stored image paths are relative to (``settings.json``: image_root)."""
        return self.settings.image_root

    def image_file(self, path: str) -> Path:
        """The file an image row names as ``path`` (its file or its thumbnail, exactly as
        stored): served because a row names it, never because of where it lies.

        - A path relative to the image root (what the runner writes, and an import's
          thumbnails and copies) must resolve, links followed, to a regular file inside it.
        - An absolute path (a file an import kept where it was, outside the image root)
          must be named by an imported image row and resolve to a regular file of an image
          type (:data:`IMAGE_SUFFIXES`); one inside the image root must not lead out of it.

        Anything else raises NotFound. The served app answers ``/images/<path>`` and
        ``/images/by-id/<image id>/file|thumbnail`` with it."""
        root = Path(os.path.realpath(self.image_root))
        if path and os.path.isabs(path):
            target = Path(os.path.realpath(path))
            named = (
                target.suffix.lower() in IMAGE_SUFFIXES
                and not leads_out(path, self.image_root)
                and target.is_file()
                and imported.imported_file(self.store, path)
            )
        else:
            target = Path(os.path.realpath(root / path))
            named = (
                bool(path)
                and target.is_relative_to(root)
                and target.is_file()
                and self.store.names_image_file(path)
            )
        if not named:
            raise NotFound(f"image file: no image of this history is stored as {path!r}")
        return target

    def image_of(self, image_id: int, thumbnail: bool = False) -> Path:
        """The file (or the thumbnail) of one image, as :meth:`image_file` finds it; NotFound
        when the image, its file or its thumbnail does not exist."""
        found = self.store.image_paths(self._int_id(image_id))
        if found is None:
            raise NotFound(f"No image {image_id} (its job may have been deleted).")
        stored = found[1] if thumbnail else found[0]
        if not stored:
            kind = "thumbnail" if thumbnail else "file"
            raise NotFound(f"Image {image_id} has no {kind}.")
        return self.image_file(stored)

    @property
    def export_dir(self) -> Path:
        """Default folder for exported workbooks (``settings.json``: export.folder)."""
        return self.settings.export_dir

    # -- change feed ------------------------------------------------------------------------

    @property
    def version(self) -> int:
        """Monotonic change counter; poll it, then call :meth:`changes_since`. Raises
        ``StoreClosed`` once the history is closed, so a page polling it says so."""
        self.store.check_open()
        return self.feed.version

    @property
    def feed_id(self) -> str:
        """Which change feed ``version`` counts in (new each time the history is opened)."""
        return self.feed.id

    def changes_since(self, seq: int) -> list[Change]:
        """Changes after sequence number ``seq`` (status, progress, completion, edits)."""
        return self.feed.since(seq)

    # -- reading ----------------------------------------------------------------------------

    def get_all(self, query: JobQuery | None = None) -> Page:
        """One page of jobs matching ``query``, paged, filtered and sorted in SQL."""
        query = query or JobQuery()
        rows, total = self.store.page(query, utcnow())
        rows.insert(1, "job_id", rows["id"].map(format_job_id))
        return Page(rows=rows, total=int(total), page=query.page, page_size=query.page_size)

    def get_by_id(self, job_id: int) -> JobDetail:
        """Job, configuration, as-run settings, images and events of one job."""
        job = self.store.job(self._int_id(job_id))
        if job is None:
            raise NotFound(f"No job {format_job_id(job_id)} (it may have been deleted).")
        snapshot = job.pop("configuration_snapshot")
        job["job_id"] = format_job_id(job["id"])
        configuration = (
            self.store.configuration(job["configuration_id"])
            if job["configuration_id"] is not None
            else None
        )
        return JobDetail(
            job=job,
            configuration=configuration,
            snapshot=snapshot,
            images=self.store.images(job["id"]),
            events=self.store.events(job["id"]),
        )

    def jobs(self, ids: Sequence[int]) -> pd.DataFrame:
        """Listing rows of the given jobs (e.g. to patch visible rows after a change)."""
        rows = self.store.jobs([self._int_id(i) for i in ids], utcnow())
        rows.insert(1, "job_id", rows["id"].map(format_job_id))
        return rows

    def statistics(self, query: JobQuery | None = None) -> Statistics:
        """Totals, per-status counts, rates, 7-day trend, durations and image counts."""
        s = self.store.statistics(query, utcnow())
        total = int(s["total"])
        finished = s["completed"] + s["failed"] + s["stopped"]
        last, prev = int(s["last_7d"]), int(s["prev_7d"])
        return Statistics(
            total=total,
            by_status={k: int(s[k]) for k in JOB_STATUSES},
            success_rate=s["completed"] / finished if finished else 0.0,
            failure_rate=s["failed"] / finished if finished else 0.0,
            running=int(s["running"]),
            pending=int(s["pending"]),
            trend={
                "last_7d": last,
                "previous_7d": prev,
                "change": (last - prev) / prev if prev else None,
            },
            avg_duration_s=None if s["avg_duration_s"] is None else float(s["avg_duration_s"]),
            images_total=int(s["images_total"]),
            images_approved=int(s["images_approved"]),
            images_qc_failed=int(s["images_qc_failed"]),
            images_processing_failed=int(s["images_processing_failed"]),
        )

    def job_statuses(self, ids: Sequence[int]) -> dict[int, str]:
        """``{id: status}`` of those of the given jobs that exist."""
        return self.store.existing_ids([self._int_id(i) for i in ids])

    def configurations(self) -> pd.DataFrame:
        """Every configuration with id, name, version and settings (JSON text)."""
        return self.store.configurations()

    def configuration(self, name_or_id: str | int) -> dict[str, Any]:
        """A configuration by id, or the newest version of one by name."""
        text = storable("configuration", str(name_or_id).strip())
        found = (
            self.store.configuration(int(text))
            if text.isdigit()
            else self.store.configuration_by_name(text)
        )
        if found is None:
            raise NotFound(
                f"No configuration {name_or_id!r}. Known: "
                + ", ".join(sorted(set(self.configurations()["name"]))[:20])
            )
        return found

    def add_configuration(self, name: str, settings: dict[str, Any]) -> int:
        """Save settings as the next version of configuration ``name``; returns its id."""
        name = _clean_text(name, "name", 200)
        if not isinstance(settings, dict):
            raise ValidationError("settings: must be a mapping", "settings")
        return self.store.add_configuration(name, settings)

    # -- editing ----------------------------------------------------------------------------

    def rename(self, job_id: int, label: str) -> dict[str, Any]:
        """Give a job a new label (trimmed, 1-200 characters, no control characters)."""
        job_id = self._int_id(job_id)
        label = _clean_text(label, "label", LABEL_MAX)
        with self.store.transaction() as cur:
            if not self.store.existing_ids([job_id]):
                raise NotFound(f"No job {format_job_id(job_id)} (it may have been deleted).")
            self.store.update_job(cur, job_id, label=label)
        self.feed.publish(events.RENAMED, job_id, label=label)
        return self.get_by_id(job_id).job

    def bulk_delete(self, target: IdsOrQuery) -> dict[int, str]:
        """Delete jobs, their image rows, events and image files, in one transaction.

        Returns ``{id: "deleted" | "not_found"}``. Running jobs refuse the whole call with
        Conflict; an empty list of ids with ValidationError (a query matching nothing
        deletes nothing). After the commit, the files inside the image root (only those)
        are removed in the background, from a journal that survives a crash (:meth:`close`
        waits)."""
        ids = self._resolve(target)
        with self.store.transaction() as cur:
            statuses = self.store.existing_ids(ids)
            running = [i for i in ids if statuses.get(i) == "running"]
            if running:
                raise Conflict(
                    "Cannot delete running jobs: "
                    + ", ".join(format_job_id(i) for i in running)
                    + ". Stop them first."
                )
            present = [i for i in ids if i in statuses]
            files = self.store.image_files(cur, present)
            self.store.delete_jobs(cur, present)
        self.trash.discard(files)
        if present:
            self.feed.publish(events.DELETED, present)
        return {i: ("deleted" if i in statuses else "not_found") for i in ids}

    def bulk_rerun(self, target: IdsOrQuery) -> pd.DataFrame:
        """Queue a pending rerun of each job, in the given order, with its as-run settings.

        Unknown ids refuse the whole call with NotFound, an empty list of ids with
        ValidationError. Returns the new jobs' rows."""
        ids = self._resolve(target)
        details = {}
        for job_id in ids:
            job = self.store.job(job_id)
            if job is None:
                raise NotFound(f"No job {format_job_id(job_id)}: nothing was queued.")
            details[job_id] = job
        new_ids = []
        with self.store.transaction() as cur:
            for job_id in ids:
                job = details[job_id]
                snapshot = job["configuration_snapshot"]
                if snapshot is None and job["configuration_id"] is not None:
                    config = self.store.configuration(job["configuration_id"])
                    snapshot = config["settings"] if config else None
                base = (job["label"] or format_job_id(job_id)).removesuffix(RERUN_SUFFIX)
                label = base[: LABEL_MAX - len(RERUN_SUFFIX)] + RERUN_SUFFIX
                new_id = self.store.insert_job(
                    cur,
                    label=label,
                    status="pending",
                    configuration_id=job["configuration_id"],
                    snapshot=snapshot,
                    rerun_of=job_id,
                    queued_at=utcnow(),
                )
                self.store.add_event(
                    cur,
                    new_id,
                    level="info",
                    step="queue",
                    message=f"Queued as a rerun of {format_job_id(job_id)}",
                    data={"rerun_of": job_id},
                )
                new_ids.append(new_id)
        self._queued(new_ids)
        return self.jobs(new_ids)

    # -- export -----------------------------------------------------------------------------

    def bulk_export(
        self, target: IdsOrQuery, path: str | os.PathLike, include_images: bool | None = None
    ) -> Path:
        """Write the jobs (and their images) to an Excel workbook; returns its path.

        The Summary sheet says when (UTC) and from which history, the selection in words,
        the jobs per status, the rates and the image totals (``job_summary``). A ``path``
        that cannot take a workbook (a folder, not ``.xlsx``, a name too long, under a file,
        no permission) raises ValidationError (field ``path``) before anything is read or
        written. Missing folders are created."""
        from .export import export_target, job_summary, write_workbook

        path = export_target(path)
        ids = self._resolve(target)
        include = self.settings.export_include_images if include_images is None else include_images
        jobs = self.jobs(ids)
        if len(jobs) != len(set(ids)):
            missing = sorted(set(ids) - set(jobs["id"]))
            raise NotFound(
                "No job "
                + ", ".join(format_job_id(i) for i in missing[:10])
                + ": nothing was exported."
            )
        images = self.store.images_for_jobs(ids) if include else None
        summary = job_summary(
            jobs,
            target.filters() if isinstance(target, JobQuery) else ids,
            history=self.store.path.resolve(),
            exported_at=utcnow(),
            images=images,
            configurations=self.configurations(),
        )
        return write_workbook(path, summary, jobs, images)

    def export(self, job_id: int, path: str | os.PathLike) -> Path:
        """Write one job with its images to an Excel workbook; returns its path."""
        return self.bulk_export([self._int_id(job_id)], path, include_images=True)

    # -- presets ----------------------------------------------------------------------------

    def save_preset(self, name: str, query: JobQuery) -> None:
        """Save the filters of ``query`` under ``name`` (replacing one of that name)."""
        self.store.save_preset(_clean_text(name, "name", 100), query.filters())

    def presets(self) -> list[dict[str, Any]]:
        """Saved presets: name, query (dict of filters) and created_at."""
        return self.store.presets()

    def apply_preset(self, name: str, base: JobQuery | None = None) -> JobQuery:
        """A query with the preset's filters (sort and page size kept from ``base``)."""
        filters = self.store.preset(_clean_text(name, "name", 100))
        keep = (
            {}
            if base is None
            else {"sort": base.sort, "descending": base.descending, "page_size": base.page_size}
        )
        return JobQuery.from_dict({**keep, **filters, "page": 1})

    def delete_preset(self, name: str) -> None:
        """Delete a preset; NotFound when there is none of that name."""
        self.store.delete_preset(_clean_text(name, "name", 100))

    # -- failure analysis (jobdash.analysis draws these) --------------------------------------
    # The scope of each read is a JobQuery's filters (sort and page are ignored). Signature
    # reads default to the failed jobs; the others to every job.

    def signature_of(self, message: str | None) -> str:
        """The signature of one error message, e.g. ``Generation timed out after <n>s``."""
        return analytics.signature_of(
            self.store, message if message is None else storable("message", message)
        )

    def error_signatures(
        self, query: JobQuery | None = None, *, limit: int = 50, examples: int = 3
    ) -> pd.DataFrame:
        """Jobs grouped by the signature of their error message, most frequent first.

        ``query`` sets the scope (default: every failed job). Columns: signature, jobs, share,
        first_seen, last_seen, steps, configurations (``name vN``), configuration_ids,
        example_ids (the ``examples`` most recent), example_message (the latest as written).
        ``jobdash.analysis.signature_query`` turns a row into the jobs behind it."""
        return analytics.error_signatures(
            self.store,
            scope(query, failed_jobs()),
            limit=whole_number("limit", limit, 1, 10_000),
            examples=whole_number("examples", examples, 1, 100),
        )

    def signature_daily_counts(
        self,
        signatures: list[str] | None = None,
        *,
        days: int = 30,
        end: dt.date | None = None,
        top: int = 10,
        query: JobQuery | None = None,
    ) -> pd.DataFrame:
        """Jobs per signature per day over the ``days`` days up to ``end`` (default today,
        UTC), zeros included: one sparkline per signature.

        ``signatures`` keeps their order; without them, the ``top`` most frequent signatures
        of the scope (default: failed jobs) in the order of :meth:`error_signatures`.
        Columns: signature, day, jobs."""
        days = whole_number("days", days, 1, 366)
        if signatures is not None:
            if isinstance(signatures, str) or not all(isinstance(s, str) for s in signatures):
                raise ValidationError("signatures: give a list of signatures", "signatures")
            signatures = list(dict.fromkeys(signatures))
        last = pd.Timestamp(end or utcnow()).date()
        return analytics.signature_daily_counts(
            self.store,
            scope(query, failed_jobs()),
            signatures=signatures,
            top=whole_number("top", top, 1, 1000),
            first_day=last - dt.timedelta(days=days - 1),
            last_day=last,
        )

    def failure_rate(
        self, bucket: str = "day", by: str | None = None, query: JobQuery | None = None
    ) -> pd.DataFrame:
        """Failed share of finished jobs per hour, day or week of run time.

        ``by``: None, ``"configuration"`` (all versions of a name; with configuration_ids),
        ``"version"`` (one row per configuration id) or ``"step"`` (error_step of the failed
        jobs). Columns: bucket, group columns, jobs, failed, failure_rate."""
        return analytics.failure_rate(self.store, scope(query), bucket=bucket, by=by)

    def qc_rejection_rate(
        self, bucket: str = "day", by: str | None = None, query: JobQuery | None = None
    ) -> pd.DataFrame:
        """Rejected share (qc_failed + processing_failed) of judged images per hour, day or
        week of image creation, for the images of the jobs in scope.

        ``by``: None, ``"configuration"``, ``"version"`` or ``"stage"`` (the failing
        processing stage, or ``qc_verdict``). Columns: bucket, group columns, images, the
        count per QC status and rejection_rate; by stage: bucket, stage, rejected, images,
        rejection_rate."""
        return analytics.qc_rejection_rate(self.store, scope(query), bucket=bucket, by=by)

    def duration_percentiles(
        self, by: str | None = "configuration", query: JobQuery | None = None
    ) -> pd.DataFrame:
        """p50 / p90 / p99 and max run time (seconds) per status and configuration (``by``:
        ``"configuration"``, ``"version"`` or None). Running jobs count their time so far.

        Columns: group columns (as in :meth:`failure_rate`), status, jobs, p50_s, p90_s,
        p99_s, max_s."""
        return analytics.duration_percentiles(self.store, scope(query), by=by, now=utcnow())

    def qc_reasons(self, query: JobQuery | None = None) -> pd.DataFrame:
        """Lost and held images by cause: ``technical`` failures by processing stage, then
        ``qc_verdict`` (qc_failed, needs_review) by the signature of the QC reason.

        Columns: kind, qc_status, reason, images, jobs, share (of all images in scope),
        example. ``query.copy(image_qc=row.qc_status)`` lists the jobs having such images."""
        return analytics.qc_reasons(self.store, scope(query))

    def sql(
        self,
        statement: str,
        params: Sequence[Any] = (),
        *,
        max_rows: int | None = None,
        timeout_s: float | None = None,
    ) -> pd.DataFrame:
        """Your own read-only query over the history (tables ``job_executions``,
        ``generated_images``, ``job_events``, ``configurations``), as a DataFrame. Only what
        DuckDB's parser calls one SELECT runs, reaching no file outside the history; anything
        else, more than ``max_rows`` rows, or a query running past ``timeout_s`` seconds
        raises ValidationError (field ``statement``) and changes nothing."""
        return self.store.sql(statement, params, max_rows=max_rows, timeout_s=timeout_s)

    # -- queue ------------------------------------------------------------------------------

    def start(self, configuration_id: int | str, label: str | None = None) -> dict[str, Any]:
        """Queue a new job of a configuration (by id or name) with its current settings."""
        config = self.configuration(configuration_id)
        label = _clean_text(label, "label", LABEL_MAX) if label is not None else config["name"]
        with self.store.transaction() as cur:
            job_id = self.store.insert_job(
                cur,
                label=label,
                status="pending",
                configuration_id=config["id"],
                snapshot=config["settings"],
                rerun_of=None,
                queued_at=utcnow(),
            )
            self.store.add_event(
                cur,
                job_id,
                level="info",
                step="queue",
                message=f"Queued from configuration {config['name']} v{config['version']}",
            )
        self._queued([job_id])
        return self.get_by_id(job_id).job

    def queue(self) -> list[int]:
        """Ids of pending jobs in the order they will run."""
        return self.store.pending_queue()

    def cancel(self, job_id: int) -> None:
        """Remove a pending job from the queue (status ``stopped``)."""
        job_id = self._int_id(job_id)
        now = utcnow()
        with self.store.transaction() as cur:
            status = self.store.existing_ids([job_id]).get(job_id)
            if status is None:
                raise NotFound(f"No job {format_job_id(job_id)}.")
            if status != "pending":
                raise Conflict(
                    f"{format_job_id(job_id)} is {status}, not pending: only queued "
                    "jobs can be cancelled (use stop for a running job)."
                )
            self.store.update_job(
                cur,
                job_id,
                status="stopped",
                completed_at=now,
                current_step=None,
                error_message="cancelled before it started",
            )
            self.store.add_event(
                cur,
                job_id,
                level="warn",
                step="queue",
                message="Cancelled by the user before it started",
                at=now,
            )
        self.feed.publish(events.STATUS_UPDATE, job_id, status="stopped")

    def stop(self, job_id: int, by: str = "user", reason: str | None = None) -> None:
        """Ask the runner to stop a running job between images or stages; ``by`` and
        ``reason`` go into the job's timeline. A pending job is cancelled instead."""
        job_id = self._int_id(job_id)
        by = _clean_text(by, "by", 100)
        reason = None if reason is None else _clean_text(reason, "reason", 500)
        status = self.store.existing_ids([job_id]).get(job_id)
        if status is None:
            raise NotFound(f"No job {format_job_id(job_id)}.")
        if status == "pending":
            return self.cancel(job_id)
        if status != "running":
            raise Conflict(f"{format_job_id(job_id)} is {status}, not running.")
        if self.runner is None:
            raise Conflict(
                "No runner in this process: open the store with runner=True "
                "(the default) in the process that runs jobs."
            )
        self.runner.request_stop(job_id, by, reason)

    def _queued(self, ids: list[int]) -> None:
        if ids:
            self.feed.publish(events.CREATED, ids, status="pending")
        if self.runner is not None:
            self.runner.wake()

    # -- runner-facing writes ---------------------------------------------------------------

    def claim_next(self) -> dict[str, Any] | None:
        """Mark the first pending job running and return it (with its snapshot), or None."""
        now = utcnow()
        with self.store.transaction() as cur:
            queue = self.store.pending_queue()
            if not queue:
                return None
            job_id = queue[0]
            self.store.update_job(
                cur,
                job_id,
                status="running",
                started_at=now,
                progress=0,
                current_step="initialise",
                updated_at=now,
            )
            self.store.add_event(
                cur, job_id, level="info", step="runner", message="Job started", at=now
            )
        self.feed.publish(events.STATUS_UPDATE, job_id, status="running")
        return self.store.job(job_id)

    def record(
        self,
        job_id: int,
        *,
        progress: int | None = None,
        step: str | None = None,
        event: dict[str, Any] | None = None,
        image: dict[str, Any] | None = None,
        counts: dict[str, int] | None = None,
        image_paths: dict[int, str] | None = None,
    ) -> int | None:
        """Runner progress in one transaction: optional event, image row, progress/step,
        counters and new file paths of finalised images (``{image_id: path}``, relative to
        the image root). Returns the new image id when an image was added."""
        image_id = None
        fields: dict[str, Any] = dict(counts or {})
        if progress is not None:
            fields["progress"] = int(max(0, min(100, progress)))
        if step is not None:
            fields["current_step"] = step
        with self.store.transaction() as cur:
            if event:
                self.store.add_event(cur, job_id, **event)
            if image:
                image_id = self.store.add_image(cur, job_id, **image)
            if image_paths:
                set_file_paths(cur, image_paths)
            if fields:
                self.store.update_job(cur, job_id, **fields)
        if fields:
            self.feed.publish(
                events.PROGRESS_UPDATE, job_id, progress=fields.get("progress"), step=step
            )
        return image_id

    def finish(
        self,
        job_id: int,
        status: str,
        *,
        message: str,
        error_message: str | None = None,
        error_step: str | None = None,
    ) -> None:
        """Close a run with a final status and a last timeline event."""
        if status not in FINAL_STATUSES:
            raise ValueError(f"not a final status: {status}")
        now = utcnow()
        with self.store.transaction() as cur:
            fields: dict[str, Any] = dict(
                status=status,
                completed_at=now,
                current_step=None,
                error_message=error_message,
                error_step=error_step,
            )
            if status == "completed":
                fields["progress"] = 100
            self.store.update_job(cur, job_id, **fields)
            self.store.add_event(
                cur,
                job_id,
                level="error" if status == "failed" else "info",
                step="runner",
                message=message,
                at=now,
                data={"status": status},
            )
        self.feed.publish(events.COMPLETION, job_id, status=status)

    def recover_interrupted(self) -> list[int]:
        """Mark jobs left running by a dead process as failed, with the error
        :data:`INTERRUPTED`; returns their ids. ``jobdash.open`` calls it in the process
        that opens the history first, with or without a runner, so no reader sees such a
        job as running."""
        ids = self.store.mark_interrupted(INTERRUPTED, utcnow())
        for job_id in ids:
            self.feed.publish(events.COMPLETION, job_id, status="failed")
        return ids

    # -- lifecycle --------------------------------------------------------------------------

    def close(self) -> None:
        """Stop the runner (if any), finish removing deleted files, close the database.

        A running job is stopped at its next checkpoint (between images or stages): it ends
        ``stopped``, its error "stopped by shutdown: the process running the queue is shutting
        down", keeping the images it produced. It is not queued again (rerun it to run it
        anew); pending jobs stay queued for the next runner. A sweep of leftover files still
        going is ended early (the next open sweeps again). A runner still busy after its
        timeout leaves the history as a killed process would: the next open marks its job
        interrupted and sweeps. Idempotent; a history ``jobdash.open`` returned is closed so
        at interpreter exit if nothing closed it."""
        stopped = True
        if self.runner is not None:
            stopped = self.runner.shutdown()
            self.runner = None
        self.trash.close()
        self.store.close(clean=stopped)

    def __enter__(self) -> JobService:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- helpers ----------------------------------------------------------------------------

    def _resolve(self, target: IdsOrQuery) -> list[int]:
        if isinstance(target, JobQuery):
            return self.store.matching_ids(target)
        if isinstance(target, str | bytes | dict) or not isinstance(target, Iterable):
            raise ValidationError("ids: give a list of job ids or a JobQuery", "ids")
        ids = list(dict.fromkeys(self._int_id(i) for i in target))
        if not ids:
            raise ValidationError(
                "ids: the list is empty; give at least one job id (or a JobQuery)", "ids"
            )
        return ids

    @staticmethod
    def _int_id(value: Any) -> int:
        if isinstance(value, bool):
            raise ValidationError(f"id: {value!r} is not a job id", "id")
        job_id: int | None
        try:
            job_id = int(value)
        except (TypeError, ValueError):
            job_id = parse_job_id(value) if isinstance(value, str) else None
        if job_id is None:
            raise ValidationError(f"id: {value!r} is not a job id", "id")
        if job_id < 1 or job_id > 2**62:
            raise ValidationError(f"id: {value!r} is not a job id", "id")
        return job_id


def _clean_text(value: Any, field: str, max_len: int) -> str:
    if not isinstance(value, str):
        raise ValidationError(f"{field}: must be text, not {type(value).__name__}", field)
    text = value.strip()
    if not text:
        raise ValidationError(f"{field}: cannot be empty", field)
    if len(text) > max_len:
        raise ValidationError(f"{field}: {len(text)} characters, at most {max_len} allowed", field)
    if any(unicodedata.category(ch) == "Cc" for ch in text):
        raise ValidationError(
            f"{field}: control characters (tabs, newlines…) are not allowed", field
        )
    return storable(field, text)
