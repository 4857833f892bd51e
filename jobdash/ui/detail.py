"""The job detail slot: what opens from a Job ID or "View". For now the job's information;
the full Single Job View (gallery, timeline and logs) will render in the same slot."""

from __future__ import annotations

import html
from typing import Any

import panel as pn
import param

from ..errors import NotFound
from ..service import JobDetail, JobService
from ..vocab import format_job_id
from . import theme
from .format import date_text, duration_text, status_badge

DETAIL_CSS = theme.HTML_CSS + """
dl { display: grid; grid-template-columns: 180px 1fr; gap: 8px 16px; margin: 16px 0 0 0; }
dt { color: var(--jd-text-muted); font-weight: 600; }
dd { margin: 0; overflow-wrap: anywhere; }
.jd-error { color: var(--jd-error-strong); }
"""


def detail_title(job: dict[str, Any]) -> str:
    """``Job JOB-000123 — Hero banners`` (plain text)."""
    label = job.get("label")
    return f"Job {format_job_id(job['id'])}" + (f" — {label}" if label else "")


def detail_html(detail: JobDetail) -> str:
    """Job information as escaped HTML."""
    job = detail.job
    e = html.escape
    config = detail.configuration
    rows: list[tuple[str, str]] = [
        ("Status", status_badge(job["status"], job.get("progress"))),
        ("Configuration", e(f"{config['name']} v{config['version']}") if config else "—"),
        ("Queued", date_text(job.get("queued_at"))),
        ("Started", date_text(job.get("started_at"))),
        ("Completed", date_text(job.get("completed_at"))),
        ("Duration", duration_text(job.get("duration_s"))),
        ("Images", e(f"{job['total_images']:,} generated · {job['approved_images']:,} approved · "
                     f"{job['qc_failed_images']:,} failed QC · "
                     f"{max(job['failed_images'] - job['qc_failed_images'], 0):,} failed processing")),
    ]
    if job.get("current_step"):
        rows.append(("Current step", e(str(job["current_step"]))))
    if job.get("error_message"):
        step = f" (step: {e(str(job['error_step']))})" if job.get("error_step") else ""
        rows.append(("Error", f'<span class="jd-error">{e(str(job["error_message"]))}</span>{step}'))
    if job.get("rerun_of"):
        rows.append(("Rerun of", e(format_job_id(job["rerun_of"]))))
    items = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows)
    return f"<h2>{e(detail_title(job))}</h2><dl>{items}</dl>"


class JobDetailSlot(pn.viewable.Viewer):
    """Shows one job (or nothing) inside the page's detail dialog."""

    service = param.ClassSelector(class_=JobService, constant=True, instantiate=False, doc="""
        Where the job is read from.""")

    job_id = param.Integer(default=None, allow_None=True, doc="""
        The job shown, or None.""")

    def __init__(self, **params: Any):
        super().__init__(**params)
        self._body = pn.pane.HTML("", stylesheets=[DETAIL_CSS], width=720, margin=0)
        self.param.watch(self._show, "job_id")

    @property
    def title(self) -> str:
        """Name of the dialog showing this job."""
        if self.job_id is None:
            return "Job details"
        return f"Job {format_job_id(self.job_id)} details"

    def _show(self, *_: Any) -> None:
        if self.job_id is None:
            self._body.object = ""
            return
        try:
            self._body.object = detail_html(self.service.get_by_id(self.job_id))
        except NotFound as exc:
            self._body.object = f"<h2>{html.escape(format_job_id(self.job_id))}</h2><p>{html.escape(str(exc))}</p>"

    def __panel__(self) -> pn.pane.HTML:
        return self._body
