"""JobManager: the Job Management page as a Panel Viewer.

    import jobdash, panel as pn
    pn.extension("tabulator", notifications=True, inline=True)   # inline: no CDN needed
    svc = jobdash.open("data/jobs.duckdb")
    jobdash.JobManager(svc)          # renders inline in a notebook, with live updates

Served (``jobdash serve``) the same component sits in a template (see jobdash.ui.app) and
keeps its view in the page URL (jobdash.ui.page.urlstate).
"""

from __future__ import annotations

import logging
import time
from typing import Any

import panel as pn
import param

from jobdash.contract import JobBackend
from jobdash.query import JobQuery
from jobdash.ui.failures.link import asks_for_failures
from jobdash.ui.failures.view import FailuresPanel
from jobdash.ui.job.detail import JobDetailSlot
from jobdash.ui.page.actions import JobActions
from jobdash.ui.page.filters import FilterBar
from jobdash.ui.page.header import Header
from jobdash.ui.page.pager import Pager
from jobdash.ui.page.redraws import TableRedraws
from jobdash.ui.page.state import JobListing, Selection
from jobdash.ui.page.stats import StatsBar
from jobdash.ui.page.table import JobTable
from jobdash.ui.page.toolbar import BatchToolbar
from jobdash.ui.page.urlstate import UrlState, session_search
from jobdash.ui.shared import theme
from jobdash.ui.shared.choices import NamedChoices
from jobdash.ui.shared.dialog import Dialog
from jobdash.ui.shared.feed import ANNOUNCED_STATUSES
from jobdash.ui.shared.hidden import OWN, patches
from jobdash.ui.shared.keys import Shortcuts
from jobdash.ui.shared.live import News, Ticker, is_served
from jobdash.ui.shared.notify import DURATION_MS, Toaster
from jobdash.ui.shared.tabs import AccessibleTabs
from jobdash.vocab import format_job_id

log = logging.getLogger(__name__)

# How long after the page is on screen the dialogs build their contents: their models then
# reach the browser once the job table has drawn, instead of competing with its first render.
PREPARE_DELAY_MS = 1500


class JobManager(pn.viewable.Viewer):
    """Statistics, filters, the job table and the pager over one job history, kept live."""

    service = param.Parameter(
        constant=True,
        instantiate=False,
        doc="""
        The job history shown and acted on (a :class:`jobdash.contract.JobBackend`, e.g.
        what ``jobdash.open`` returns).""",
    )

    refresh_ms = param.Integer(
        default=1000,
        bounds=(0, None),
        doc="""
        How often (milliseconds) each open page asks whether anything changed; 0 stops
        live updates.""",
    )

    dashboard_url = param.String(
        default=None,
        allow_None=True,
        doc="""
        Where the breadcrumb's "Dashboard" leads; None (the default, e.g. in notebooks)
        hides the breadcrumb.""",
    )

    query = param.ClassSelector(
        class_=JobQuery,
        constant=True,
        instantiate=False,
        doc="""
        Filters, sort and page shared by every component of the page.""",
    )

    selection = param.ClassSelector(
        class_=Selection,
        constant=True,
        instantiate=False,
        doc="""
        The selected jobs, shared by the table and batch actions.""",
    )

    def __init__(
        self,
        service: JobBackend,
        refresh_ms: int = 1000,
        *,
        query: JobQuery | None = None,
        selection: Selection | None = None,
        **params: Any,
    ):
        super().__init__(
            service=service,
            refresh_ms=refresh_ms,
            query=query or JobQuery(),
            selection=selection or Selection(),
            **params,
        )
        self.listing = JobListing(service, self.query, self.selection)
        self.toaster = Toaster()
        self.header = Header(listing=self.listing, dashboard_url=self.dashboard_url)
        self.stats = StatsBar(listing=self.listing)
        self.filters = FilterBar(listing=self.listing, toaster=self.toaster)
        self.actions = JobActions(listing=self.listing, toaster=self.toaster)
        self.table = JobTable(
            listing=self.listing, on_action=self.actions.run, on_rename=self.actions.rename
        )
        self.toolbar = BatchToolbar(listing=self.listing, actions=self.actions)
        self.pager = Pager(listing=self.listing)
        self._detail: JobDetailSlot | None = None
        self._finished: list[tuple[float, str]] = []  # (when, status) of announced jobs
        self.detail_dialog = Dialog(title="Job details", factory=lambda: [self.detail])
        self.shortcuts = Shortcuts()
        self.ticker = Ticker(self.poll, self.refresh_ms)
        self.news = News()  # the jobs whose completion this page announces
        self._paused: list[pn.widgets.Widget] = []  # controls disabled while unreachable
        self.failures: FailuresPanel | None = None  # built when its tab is first opened
        self.tabs = pn.Tabs(
            (
                "Jobs",
                pn.Column(
                    self.pager.skip,
                    self.toolbar,
                    self.table,
                    self.pager,
                    sizing_mode="stretch_width",
                    styles={"position": "relative"},
                ),
            ),
            ("Failures", pn.Column(sizing_mode="stretch_width")),
            dynamic=True,
            stylesheets=[theme.SECTION_CSS],
            sizing_mode="stretch_width",
            margin=(12, 0, 0, 0),
            tags=[OWN],
        )
        self._init_callbacks()
        # Served, the view lives in the page URL (a notebook has none).
        self.url = UrlState(self.listing, toaster=self.toaster) if is_served() else None
        if self.url is not None and asks_for_failures(session_search()):
            self.show_failures()  # a link from the Dashboard: /jobs?view=failures
        self._layout = pn.Column(
            self.header,
            self.stats,
            self.filters,
            self.tabs,
            self.toaster,
            self.shortcuts,
            self.actions,
            self.detail_dialog,
            *([] if self.url is None else [self.url]),
            *patches(TableRedraws, AccessibleTabs, NamedChoices),
            sizing_mode="stretch_width",
            max_width=theme.MAX_WIDTH,
            styles={**theme.CSS_VARIABLES, "margin": "0 auto"},
            css_classes=["jd-page"],
        )

    def _init_callbacks(self) -> None:
        pn.bind(self._refused, self.listing.param.error, watch=True)
        pn.bind(self._reachable, self.listing.param.reachable, watch=True)
        pn.bind(self._open_job, self.listing.param.open_job, watch=True)
        pn.bind(self._dialog_toggled, self.detail_dialog.param.open, watch=True)
        self.shortcuts.param.watch(lambda _: self.refresh(), "refresh")
        self.shortcuts.param.watch(lambda _: self.header.help.show(), "help")
        self.header.refresh_button.on_click(lambda _: self.toaster.show("info", "Refreshed."))
        pn.bind(self._tab_changed, self.tabs.param.active, watch=True)
        self.stats.param.watch(lambda _: self.show_failures(), "causes")

    # -- public -----------------------------------------------------------------------------

    def refresh(self) -> None:
        """Re-read the page and the statistics now (as the "Refresh" button does)."""
        self.header.refresh_button.clicks += 1

    def show_failures(self) -> None:
        """Bring the Failures view (failed jobs by cause) forward."""
        self.tabs.active = 1

    def poll(self) -> None:
        """One live-update tick: apply what changed and announce finished jobs."""
        try:
            changes = self.listing.poll()
        except Exception as exc:
            log.exception("live update failed")
            self.toaster.show("error", f"Live update failed: {exc}")
            return
        finished = self.news.finished(changes)
        if finished:
            self._announce(finished)
        detail = self._detail
        if (
            detail is not None
            and detail.job_id is not None
            and any(detail.job_id in c.job_ids for c in changes)
        ):
            detail.param.trigger("job_id")

    def _announce(self, finished: list[tuple[int, str]]) -> None:
        """One toast for the jobs that finished while the last one is on screen: the latest
        by name, the others counted (a batch of reruns is not a stack of toasts)."""
        now = time.monotonic()
        self._finished = [
            (at, status) for at, status in self._finished if now - at < DURATION_MS / 1000
        ] + [(now, s) for _, s in finished]
        job_id, status = finished[-1]
        label = self.listing.labels([job_id]).get(job_id)
        text = f"{format_job_id(job_id)}{f' “{label}”' if label else ''} {status}"
        statuses = [s for _, s in self._finished]
        if len(statuses) > 1:
            counts = ", ".join(
                f"{statuses.count(s)} {s}" for s in ANNOUNCED_STATUSES if s in statuses
            )
            text += f" · {len(statuses)} jobs finished just now: {counts}"
        self.toaster.show("error" if "failed" in statuses else "success", text, slot="finished")

    # -- callbacks --------------------------------------------------------------------------

    def _refused(self, message: str) -> None:
        if message:
            self.toaster.show("error", message)
            self.listing.error = ""

    def _reachable(self, reachable: bool) -> None:
        """While the history cannot be read (closed, or the server behind a client stopped;
        the toaster says which), the page's controls are disabled; they come back with it."""
        if not reachable:
            self._paused = [w for w in self._layout.select(pn.widgets.Widget) if not w.disabled]
        for widget in self._paused:
            widget.disabled = not reachable
        self.table.menu.disabled = not reachable
        if reachable:
            self._paused = []

    @property
    def detail(self) -> JobDetailSlot:
        """The Single Job View, built once the page is on screen (or a job is opened)."""
        if self._detail is None:
            self._detail = JobDetailSlot(service=self.service, on_action=self.actions.run)
        return self._detail

    def _open_job(self, job_id: int | None) -> None:
        if job_id is None and self._detail is None:
            return
        self.detail.job_id = job_id
        self.detail_dialog.title = self.detail.title
        if job_id is None:
            self.detail_dialog.hide()
        else:
            self.detail_dialog.show()

    def _tab_changed(self, active: int) -> None:
        if active != 1 or self.failures is not None:
            return
        self.failures = FailuresPanel(
            self.service, self.query, toaster=self.toaster, refresh_ms=self.refresh_ms
        )
        # "Show jobs failing with ..." brings the filtered job table forward.
        self.failures.state.param.watch(lambda _: setattr(self.tabs, "active", 0), "shown")
        self.tabs[1].objects = [self.failures]

    @param.depends("refresh_ms", watch=True)
    def _period_changed(self) -> None:
        self.ticker.set_period(self.refresh_ms)

    def _dialog_toggled(self, is_open: bool) -> None:
        if not is_open:
            self.listing.open_job = None

    def _prepare_dialogs(self) -> None:
        self.detail_dialog.prepare()
        self.header.help.prepare()
        self.actions.dialog.prepare()
        self.filters.presets.dialog.prepare()

    def _prepare_dialogs_later(self) -> None:
        pn.state.add_periodic_callback(self._prepare_dialogs, period=PREPARE_DELAY_MS, count=1)

    def __panel__(self) -> pn.Column:
        self.ticker.start()
        pn.state.onload(self._prepare_dialogs_later)  # after the first render, not before it
        return self._layout
