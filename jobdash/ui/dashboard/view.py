"""The Dashboard page: totals, the running job (with "Stop"), "Start job", the last jobs
and the way into Job Management. Small, live, and built from the same parts."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

import pandas as pd
import panel as pn
import param
from markupsafe import Markup

from jobdash.contract import JobBackend
from jobdash.errors import JobdashError
from jobdash.ui import assets
from jobdash.ui.dashboard.state import DashboardState
from jobdash.ui.failures.link import failures_href
from jobdash.ui.page.urlstate import JOB
from jobdash.ui.shared import theme
from jobdash.ui.shared.cards import CARD_CSS, static_cards_html
from jobdash.ui.shared.feed import RunnerStatus
from jobdash.ui.shared.format import date_text, duration_text, label_html, status_badge
from jobdash.ui.shared.live import News, Ticker
from jobdash.ui.shared.notify import Toaster
from jobdash.ui.shared.runner_status import STATUS_CSS, runner_html
from jobdash.vocab import format_job_id

log = logging.getLogger(__name__)

LIST_CSS = theme.HTML_CSS + assets.css("dashboard")


def job_href(job_id: int, jobs_url: str | None) -> str | None:
    """Where a job's id links to (its Single Job View), or None when Job Management has no
    URL."""
    return f"{jobs_url}?{urlencode({JOB: format_job_id(job_id)})}" if jobs_url else None


def recent_html(rows: pd.DataFrame | None, jobs_url: str | None) -> str:
    """The last jobs as an escaped HTML table, each id a link to the job, with a link to
    the full list."""
    shown = (
        []
        if rows is None
        else [
            {
                "name": format_job_id(r.id),
                "href": job_href(r.id, jobs_url),
                "label": Markup(label_html(r.label, "")),
                "status": Markup(status_badge(r.status, r.progress)),
                "date": date_text(r.started_at if not pd.isna(r.started_at) else r.queued_at),
                "duration": duration_text(r.duration_s),
            }
            for r in rows.itertuples()
        ]
    )
    return assets.render("dashboard-recent", rows=shown, jobs_url=jobs_url)


def current_html(runner: RunnerStatus | None, jobs_url: str | None = None) -> str:
    """The running job (its id a link to it) with its step and an accessible progress bar."""
    job = runner.job if runner is not None else None
    shown = (
        None
        if job is None
        else {
            "name": format_job_id(job["id"]),
            "href": job_href(job["id"], jobs_url),
            "label": Markup(label_html(job.get("label"), "")),
            "step": str(job.get("current_step") or "starting"),
            "duration": duration_text(job.get("duration_s")),
            "progress": int(job.get("progress") or 0),
        }
    )
    return assets.render(
        "dashboard-current", job=shown, queued=runner.queued if runner is not None else 0
    )


class DashboardPage(pn.viewable.Viewer):
    """The Dashboard: what runs now, what ran last, and starting a new job."""

    service = param.Parameter(
        constant=True,
        instantiate=False,
        doc="""
        The job history shown (a :class:`jobdash.contract.JobBackend`), handed to the
        page's state.""",
    )

    state = param.ClassSelector(
        class_=DashboardState,
        constant=True,
        doc="""
        What the page shows, and its actions (made from the service given).""",
    )

    refresh_ms = param.Integer(
        default=1000,
        bounds=(0, None),
        doc="""
        How often (milliseconds) the page asks whether anything changed; 0 stops it.""",
    )

    jobs_url = param.String(
        default="/jobs",
        allow_None=True,
        doc="""
        Where the links to Job Management lead.""",
    )

    def __init__(self, service: JobBackend, **params: Any):
        super().__init__(service=service, state=DashboardState(service), **params)
        self.toaster = Toaster()
        css = [theme.WIDGET_CSS]
        self._stop = pn.widgets.Button(
            label="Stop", color="danger", width=96, margin=(8, 0, 0, 0), stylesheets=css
        )
        self._config = pn.widgets.Select(
            label="Configuration", width=260, margin=(5, 12, 5, 0), stylesheets=css
        )
        self._start = pn.widgets.Button(
            label="Start job", color="primary", width=110, align="end", stylesheets=css
        )
        self._cards = pn.pane.HTML(
            "", stylesheets=[CARD_CSS], sizing_mode="stretch_width", margin=0
        )
        self._current = pn.pane.HTML(
            "", stylesheets=[LIST_CSS], sizing_mode="stretch_width", margin=0
        )
        self._recent = pn.pane.HTML(
            "", stylesheets=[LIST_CSS], sizing_mode="stretch_width", margin=0
        )
        self._status = pn.pane.HTML("", stylesheets=[STATUS_CSS], align="end", margin=0)
        self._stop.on_click(lambda _: self.stop_current())
        self._start.on_click(lambda _: self.start_job())
        self.ticker = Ticker(self.poll, self.refresh_ms)
        self.news = News()  # the jobs whose completion this page announces
        self._update()
        title = pn.pane.HTML(
            assets.render(
                "dashboard-title",
                jobs_url=self.jobs_url,
                failures_url=failures_href(self.jobs_url) if self.jobs_url else None,
            ),
            stylesheets=[theme.HTML_CSS],
            margin=0,
            sizing_mode="stretch_width",
        )
        gap = (theme.SPACE["lg"], 0, 0, 0)
        self._layout = pn.Column(
            pn.Row(title, self._status, sizing_mode="stretch_width", margin=(0, 0, 16, 0)),
            self._cards,
            pn.Row(
                pn.Column(
                    self._current,
                    self._stop,
                    stylesheets=[theme.SECTION_CSS],
                    sizing_mode="stretch_width",
                    margin=(0, 12, 0, 0),
                ),
                pn.Column(
                    pn.pane.HTML(
                        "<h2>Start a job</h2><p>Queue a new run of a saved "
                        "configuration with its current settings.</p>",
                        stylesheets=[theme.HTML_CSS],
                        margin=0,
                    ),
                    pn.Row(self._config, self._start),
                    stylesheets=[theme.SECTION_CSS],
                    sizing_mode="stretch_width",
                    margin=(0, 0, 0, 12),
                ),
                sizing_mode="stretch_width",
                margin=gap,
            ),
            pn.Column(
                self._recent,
                stylesheets=[theme.SECTION_CSS],
                sizing_mode="stretch_width",
                margin=gap,
            ),
            self.toaster,
            sizing_mode="stretch_width",
            max_width=theme.MAX_WIDTH,
            styles={**theme.CSS_VARIABLES, "margin": "0 auto"},
            css_classes=["jd-page"],
        )

    def start_job(self) -> None:
        """Queue a job of the chosen configuration."""
        if self._config.value is None:
            self.toaster.show("warning", "Choose a configuration first.")
            return
        try:
            job = self.state.start(int(self._config.value))
        except JobdashError as exc:
            self.toaster.show("error", str(exc))
            return
        self.toaster.show("success", f"Queued {job['job_id']} ({job['label']})")

    def stop_current(self) -> None:
        """Ask the runner to stop the running job."""
        try:
            job_id = self.state.stop_running()
        except JobdashError as exc:
            self.toaster.show("error", str(exc))
            return
        if job_id is not None:
            self.toaster.show("info", f"Stopping {format_job_id(job_id)}…")

    def poll(self) -> None:
        """One live-update tick."""
        try:
            changes = self.state.poll()
        except Exception as exc:  # reported, polling goes on
            log.exception("live update failed")
            self.toaster.show("error", f"Live update failed: {exc}")
            return
        for job_id, status in self.news.finished(changes):
            self.toaster.show(
                "success" if status == "completed" else "error", f"{format_job_id(job_id)} {status}"
            )

    @param.depends("refresh_ms", watch=True)
    def _pace(self) -> None:
        self.ticker.set_period(self.refresh_ms)

    @param.depends(
        "state.stats", "state.runner", "state.recent", "state.configurations", watch=True
    )
    def _update(self) -> None:
        state = self.state
        self._cards.object = static_cards_html(state.stats)
        self._current.object = current_html(state.runner, self.jobs_url)
        self._stop.disabled = state.runner is None or state.runner.job is None
        self._recent.object = recent_html(state.recent, self.jobs_url)
        self._status.object = runner_html(state.runner)
        configs = state.configurations
        options = {
            f"{n} v{v}": int(i)
            for i, n, v in zip(configs["id"], configs["name"], configs["version"], strict=True)
        }
        if options != self._config.options:
            self._config.param.update(options=options, value=next(iter(options.values()), None))
        self._start.disabled = not options

    def __panel__(self) -> pn.Column:
        self.ticker.start()
        return self._layout
