"""The Single Job View's job information: title, status, configuration, times, image counts,
error, the parent of a rerun (a button that opens it) and the as-run settings beside the
configuration's current ones."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import panel as pn
import param
from markupsafe import Markup
from panel.reactive import ReactiveHTML

from jobdash.records import JobDetail
from jobdash.ui import assets
from jobdash.ui.job.state import setting_text, settings_diff, shown_paths
from jobdash.ui.shared import theme
from jobdash.ui.shared.format import date_text, duration_text, status_badge
from jobdash.vocab import format_job_id

DETAIL_CSS = theme.HTML_CSS + assets.css("info")

# The moment the status line names after the badge: (word, column). The word is not the
# status again ("Completed completed ..." read twice) but what happened at that time.
STATUS_TIME = {
    "pending": ("queued", "queued_at"),
    "running": ("started", "started_at"),
    "completed": ("ended", "completed_at"),
    "failed": ("ended", "completed_at"),
    "stopped": ("ended", "completed_at"),
}


# The name of the row of a job's end time: what the end was (a failed job did not
# complete); "Ended" while it has not ended.
END_ROW = {"completed": "Completed", "failed": "Failed", "stopped": "Stopped"}


def detail_title(job: dict[str, Any]) -> str:
    """``Job JOB-000123 — Hero banners`` (plain text)."""
    label = job.get("label")
    return f"Job {format_job_id(job['id'])}" + (f" — {label}" if label else "")


def settings_rows(detail: JobDetail) -> tuple[list[dict[str, Any]], str]:
    """The as-run settings beside the configuration's current ones (as text, differences
    marked), and the note above them."""
    current = detail.configuration["settings"] if detail.configuration else None
    diffs = settings_diff(detail.snapshot, current)
    rows = [
        {
            "key": d.key,
            "as_run": setting_text(d.as_run),
            "current": setting_text(d.current),
            "changed": d.changed,
        }
        for d in diffs
    ]
    changed = sum(d.changed for d in diffs)
    note = (
        f"{changed} setting{'s' if changed != 1 else ''} changed since this run"
        if current is not None
        else "The configuration no longer exists"
    )
    return rows, note


def status_html(job: dict[str, Any]) -> str:
    """The status badge and when it came about: ``Completed · ended 2026-12-01 20:13``
    (the badge alone when that time is unknown)."""
    word, column = STATUS_TIME.get(job["status"], ("updated", "updated_at"))
    badge = status_badge(job["status"], job.get("progress"))
    when = date_text(job.get(column))
    return badge if when == "—" else f"{badge} · {word} {when}"


def detail_html(detail: JobDetail, parent_known: bool = False, root: Path | None = None) -> str:
    """Job information as escaped HTML; ``parent_known`` says whether the parent of a rerun
    still exists (then it is a button that opens it); paths under the image folder ``root``
    are shown from its folder."""
    job = detail.job
    config = detail.configuration
    technical = max(job["failed_images"] - job["qc_failed_images"], 0)
    rows = [
        ("Configuration", f"{config['name']} v{config['version']}" if config else "—"),
        ("Queued", date_text(job.get("queued_at"))),
        ("Started", date_text(job.get("started_at"))),
        (END_ROW.get(job["status"], "Ended"), date_text(job.get("completed_at"))),
        ("Duration", duration_text(job.get("duration_s"))),
        (
            "Images",
            f"{job['total_images']:,} generated · {job['approved_images']:,} approved · "
            f"{job['qc_failed_images']:,} failed QC · {technical:,} failed processing",
        ),
    ]
    settings, note = settings_rows(detail)
    parent, error = job.get("rerun_of"), job.get("error_message")
    return assets.render(
        "info",
        job_id=format_job_id(job["id"]),
        status=Markup(status_html(job)),
        rows=rows,
        current_step=job.get("current_step"),
        error_message=shown_paths(error, root) if error and root is not None else error,
        error_step=job.get("error_step"),
        parent_id=int(parent) if parent else None,
        parent_name=format_job_id(parent) if parent else "",
        parent_known=parent_known,
        settings=settings,
        note=note,
    )


class JobInfo(ReactiveHTML):
    """The job information (an HTML pane); a click (or Enter/Space) on the parent job's
    button sets ``requested`` to that job's id."""

    content = param.String(
        default="",
        precedence=-1,
        doc="""
        The information, from :func:`detail_html`. (Negative precedence: stays in Python;
        it is shown through ``pane``, which keeps its markup as is.)""",
    )

    pane = param.ClassSelector(class_=pn.pane.HTML, doc="""The pane showing ``content``.""")

    requested = param.Integer(
        default=None,
        allow_None=True,
        doc="""
        The job whose button was pressed (the parent of a rerun), until the owner handles it
        and sets it back to None.""",
    )

    # A region of its own that scrolls inside the view's fixed size: a tab stop, so the
    # keyboard scrolls it too.
    _template = (
        '<div id="info" class="jd-info" tabindex="0" role="region" '
        'aria-label="Job information">${pane}</div>'
    )

    _scripts = assets.scripts("info")

    def __init__(self, **params: Any):
        params.setdefault(
            "pane",
            pn.pane.HTML("", stylesheets=[DETAIL_CSS], sizing_mode="stretch_width", margin=0),
        )
        params.setdefault("sizing_mode", "stretch_width")
        params.setdefault("margin", 0)
        params.setdefault("stylesheets", [DETAIL_CSS])
        super().__init__(**params)

    @param.depends("content", watch=True, on_init=True)
    def _show(self) -> None:
        self.pane.object = self.content
