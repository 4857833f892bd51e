"""The Single Job View's job information: title, status, configuration, times, image counts,
error, the parent of a rerun (a button that opens it) and the as-run settings beside the
configuration's current ones."""

from __future__ import annotations

import html
from typing import Any

import panel as pn
import param
from panel.reactive import ReactiveHTML

from jobdash.service import JobDetail
from jobdash.ui.job.state import setting_text, settings_diff
from jobdash.ui.shared import theme
from jobdash.ui.shared.format import date_text, duration_text, status_badge
from jobdash.vocab import format_job_id

DETAIL_CSS = theme.HTML_CSS + """
dl { display: grid; grid-template-columns: 180px 1fr; gap: 8px 16px; margin: 16px 0 0 0; }
dt { color: var(--jd-text-muted); font-weight: 600; }
dd { margin: 0; overflow-wrap: anywhere; }
.jd-error { color: var(--jd-error-strong); }
table { border-collapse: collapse; width: 100%; font-size: 13px; margin-top: 8px; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--jd-border);
  vertical-align: top; overflow-wrap: anywhere; }
th { color: var(--jd-text-muted); }
tr.jd-changed td { background: #FFFBEB; }
.jd-changed-mark { color: #92400E; font-weight: 600; }
/* A setting's name and the Difference column keep their words whole: the values wrap. */
table.jd-settings td:first-child { overflow-wrap: break-word; }
table.jd-settings th:last-child, table.jd-settings td:last-child { white-space: nowrap; }
h3 { margin-top: 20px; }
button.jd-parent { all: unset; cursor: pointer; font-family: var(--jd-mono);
  color: var(--jd-primary-strong); text-decoration: underline; text-underline-offset: 2px; }
button.jd-parent:focus-visible { outline: 3px solid var(--jd-primary); outline-offset: 2px; }
"""

# The moment the status line names after the badge: (word, column). The word is not the
# status again ("Completed completed ..." read twice) but what happened at that time.
STATUS_TIME = {"pending": ("queued", "queued_at"), "running": ("started", "started_at"),
               "completed": ("ended", "completed_at"), "failed": ("ended", "completed_at"),
               "stopped": ("ended", "completed_at")}


def detail_title(job: dict[str, Any]) -> str:
    """``Job JOB-000123 — Hero banners`` (plain text)."""
    label = job.get("label")
    return f"Job {format_job_id(job['id'])}" + (f" — {label}" if label else "")


def settings_html(detail: JobDetail) -> str:
    """As-run settings beside the configuration's current ones, differences marked."""
    e = html.escape
    current = detail.configuration["settings"] if detail.configuration else None
    diffs = settings_diff(detail.snapshot, current)
    if not diffs:
        return "<h3>Settings</h3><p>No settings recorded.</p>"
    changed = sum(d.changed for d in diffs)
    rows = "".join(
        f'<tr class="{"jd-changed" if d.changed else ""}"><td class="jd-mono">{e(d.key)}</td>'
        f"<td>{e(setting_text(d.as_run))}</td><td>{e(setting_text(d.current))}</td>"
        f'<td>{"<span class=jd-changed-mark>Changed</span>" if d.changed else ""}</td></tr>'
        for d in diffs)
    note = (f"{changed} setting{'s' if changed != 1 else ''} changed since this run"
            if current is not None else "The configuration no longer exists")
    return (f'<h3>Settings</h3><p class="jd-caption">{e(note)}</p>'
            '<table class="jd-settings" aria-label="Settings">'
            "<thead><tr><th>Setting</th><th>As run</th><th>Current</th><th>Difference</th>"
            f"</tr></thead><tbody>{rows}</tbody></table>")


def parent_html(parent_id: int, known: bool) -> str:
    """The parent of a rerun: a button that opens it, or plain text when it is gone."""
    name = html.escape(format_job_id(parent_id))
    if not known:
        return f'<span class="jd-mono">{name}</span> (no longer exists)'
    return (f'<button type="button" class="jd-parent" data-job="{int(parent_id)}" '
            f'aria-label="Open parent job {name}">{name}</button>')


def status_html(job: dict[str, Any]) -> str:
    """The status badge and when it came about: ``Completed · ended 2026-12-01 20:13``
    (the badge alone when that time is unknown)."""
    word, column = STATUS_TIME.get(job["status"], ("updated", "updated_at"))
    badge = status_badge(job["status"], job.get("progress"))
    when = date_text(job.get(column))
    return badge if when == "—" else f"{badge} · {word} {when}"


def detail_html(detail: JobDetail, parent_known: bool = False) -> str:
    """Job information as escaped HTML; ``parent_known`` says whether the parent of a rerun
    still exists (then it is a button that opens it)."""
    job = detail.job
    e = html.escape
    config = detail.configuration
    technical = max(job["failed_images"] - job["qc_failed_images"], 0)
    rows: list[tuple[str, str]] = [
        ("Job ID", e(format_job_id(job["id"]))),
        ("Status", status_html(job)),
        ("Configuration", e(f"{config['name']} v{config['version']}") if config else "—"),
        ("Queued", date_text(job.get("queued_at"))),
        ("Started", date_text(job.get("started_at"))),
        ("Completed", date_text(job.get("completed_at"))),
        ("Duration", duration_text(job.get("duration_s"))),
        ("Images", e(f"{job['total_images']:,} generated · {job['approved_images']:,} approved · "
                     f"{job['qc_failed_images']:,} failed QC · "
                     f"{technical:,} failed processing")),
    ]
    if job.get("current_step"):
        rows.append(("Current step", e(str(job["current_step"]))))
    if job.get("error_message"):
        step = f" (step: {e(str(job['error_step']))})" if job.get("error_step") else ""
        message = e(str(job["error_message"]))
        rows.append(("Error", f'<span class="jd-error">{message}</span>{step}'))
    if job.get("rerun_of"):
        rows.append(("Rerun of", parent_html(job["rerun_of"], parent_known)))
    items = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows)
    return f"<dl>{items}</dl>{settings_html(detail)}"


class JobInfo(ReactiveHTML):
    """The job information (an HTML pane); a click (or Enter/Space) on the parent job's
    button sets ``requested`` to that job's id."""

    content = param.String(default="", precedence=-1, doc="""
        The information, from :func:`detail_html`. (Negative precedence: stays in Python;
        it is shown through ``pane``, which keeps its markup as is.)""")

    pane = param.ClassSelector(class_=pn.pane.HTML, doc="""The pane showing ``content``.""")

    requested = param.Integer(default=None, allow_None=True, doc="""
        The job whose button was pressed (the parent of a rerun), until the owner handles it
        and sets it back to None.""")

    _template = """<div id="info" class="jd-info">${pane}</div>"""

    # The button sits in the pane's shadow root: the click's composed path still names it.
    _scripts = {
        "render": """
info.addEventListener('click', (event) => {
  const button = event.composedPath().find((el) => el.dataset && el.dataset.job);
  if (button) { data.requested = Number(button.dataset.job); }
});
""",
    }

    def __init__(self, **params: Any):
        params.setdefault("pane", pn.pane.HTML("", stylesheets=[DETAIL_CSS],
                                               sizing_mode="stretch_width", margin=0))
        params.setdefault("sizing_mode", "stretch_width")
        params.setdefault("margin", 0)
        super().__init__(**params)
        self.pane.object = self.content
        self.param.watch(lambda event: setattr(self.pane, "object", event.new), "content")
