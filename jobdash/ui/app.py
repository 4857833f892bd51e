"""The served app's pages: Dashboard at ``/dashboard``, Job Management at ``/jobs`` (the
server around them, its images and its login: :mod:`jobdash.server`).

    jobdash serve --db data/jobs.duckdb            # jobdash.server.serve()
    panel serve jobdash/ui/app.py                  # JOBDASH_DB picks the history;
                                                   # ?page=dashboard shows the Dashboard

One process opens the history once (with its runner) and every browser session shares that
service; each session gets its own page objects and its own live-update callback. Panel
serves its JavaScript and CSS itself, so the pages need no internet access.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import panel as pn
from panel.io.state import state

# Absolute imports: ``panel serve`` runs this file as a script, outside the package.
from jobdash.config import default_db_path
from jobdash.opening import open_service
from jobdash.service import JobService
from jobdash.ui import assets
from jobdash.ui.dashboard.view import DashboardPage
from jobdash.ui.page.manager import JobManager
from jobdash.ui.shared import theme
from jobdash.ui.shared.landmark import MainLandmark

log = logging.getLogger(__name__)

TITLE = "jobdash"
PAGE_CSS = assets.css("app-page")

_services: dict[Path, JobService] = {}
_services_lock = threading.Lock()


def configure() -> None:
    """Load the Panel extensions the pages use (Tabulator, notifications) from the server."""
    pn.extension("tabulator", notifications=True)


def shared_service(db_path: str | os.PathLike | None = None, *, runner: bool = True) -> JobService:
    """The one service of this process for a history (opened on first use, closed at exit)."""
    path = Path(db_path) if db_path is not None else default_db_path()
    key = path.resolve()
    with _services_lock:
        if key not in _services:
            service = open_service(path, runner=runner)
            _services[key] = service
            atexit.register(service.close)
        return _services[key]


def page_template(content: Any) -> pn.template.BootstrapTemplate:
    """The app's template (header colour, page CSS) around ``content``, in the page's one
    ``<main>`` (inside the template's root, so that it takes the design's component
    stylesheet only, as the content does, and not Bootstrap whole as a root does).

    No busy indicator: it would flicker (and message the browser) on every live-update tick;
    the pages show their own status. Toasts appear at the top right, over the template's
    header bar and the page's own header, where they cover no control of the job table."""
    template = pn.template.BootstrapTemplate(
        title=TITLE,
        main=[pn.Column(MainLandmark(pn.panel(content)), sizing_mode="stretch_width", margin=0)],
        header_background=theme.COLORS["primary_strong"],
        main_max_width=f"{theme.MAX_WIDTH + 2 * theme.SPACE['page']}px",
        busy_indicator=None,
    )
    template.config.raw_css.append(PAGE_CSS)
    if pn.state.notifications is not None:
        pn.state.notifications.position = "top-right"
    return template


def jobs_page(
    service: JobService, *, dashboard_url: str | None = "/dashboard", refresh_ms: int = 1000
) -> pn.template.BootstrapTemplate:
    """The Job Management page of one session, in the app's template; filters, sort, page
    and open job live in the page URL (the JobManager's jobdash.ui.page.urlstate.UrlState).

    Served, the page's components are built once the HTML has left, off the server's event
    loop (see :func:`_build_after_response`), so the browser loads Bokeh's and Panel's
    scripts and styles while the server builds the page."""
    body = pn.Column(sizing_mode="stretch_width", margin=0)

    def build() -> list[Any]:
        try:
            manager = JobManager(service, refresh_ms, dashboard_url=dashboard_url)
        except Exception as exc:
            log.exception("the Job Management page could not be built")
            return [
                pn.pane.Alert(
                    f"Job Management could not load: {exc}. Reload the page; "
                    "if it persists, see the server log.",
                    alert_type="danger",
                )
            ]
        return [manager]

    _build_after_response(body, build)
    return page_template(body)


def _build_after_response(body: pn.Column, build: Callable[[], list[Any]]) -> None:
    """Fill ``body`` with what ``build`` returns: served, once the session's HTML is sent;
    now when not served.

    Served, ``build`` runs on a worker thread while the session's document stays locked: the
    event loop goes on sending the page's scripts and styles (building on it held them back
    0.3-0.9 s), and the browser's request for the document waits for the whole page (Bokeh
    answers it under the same lock; a page added after the browser has the document can
    reach it as a patch naming models it never got: see :func:`_changes_applied_now`).

    The components need no design of their own: drawn into the template's body, the
    template's design hook gives each Panel's bootstrap.css, not Bootstrap whole (none of the
    first render's 66 shadow roots links bootstrap.min.css on Panel 1.10)."""
    doc = pn.state.curdoc
    if doc is None or doc.session_context is None:
        body.objects = build()
        return

    async def run() -> None:
        objects = await asyncio.to_thread(build)  # the thread sees this session
        with _changes_applied_now(doc):
            body.objects = objects

    # Scheduled on the session's loop with the session current; the lock is held through
    # the await (pn.io.with_lock), so the document request waits for the page.
    pn.state.execute(pn.io.with_lock(run))


@contextmanager
def _changes_applied_now(doc: Any) -> Iterator[None]:
    """Panel applies the changes made inside to ``doc`` at once, even before its browser
    has connected.

    Panel defers changes to a session not connected yet to a later tick; after a build off
    the loop that tick would come after the browser's request for the document (waiting on
    the document's lock) and reach it as a patch naming models it never got ("reference
    isn't known"; the page stays empty). Panel decides by its (private, Panel 1.9 and 1.10)
    ``state._connected``, marked here for the changes inside only."""
    connected = state._connected.get(doc)
    state._connected[doc] = True
    try:
        yield
    finally:
        if connected is None:
            del state._connected[doc]
        else:
            state._connected[doc] = connected


def dashboard_page(
    service: JobService, *, jobs_url: str | None = "/jobs", refresh_ms: int = 1000
) -> pn.template.BootstrapTemplate:
    """The Dashboard page of one session, in the app's template."""
    return page_template(DashboardPage(service, refresh_ms=refresh_ms, jobs_url=jobs_url))


def routes(history: Callable[[], JobService]) -> dict[str, Any]:
    """``{"dashboard": ..., "jobs": ...}``: one page factory per route, each session's
    pages over the service ``history()`` returns."""
    return {
        "dashboard": lambda: dashboard_page(history()),
        "jobs": lambda: jobs_page(history()),
    }


def _servable() -> None:
    """What ``panel serve jobdash/ui/app.py`` shows: Job Management, or the Dashboard with
    ``?page=dashboard`` (the two link to each other through that argument)."""
    configure()
    service = shared_service()
    if pn.state.session_args.get("page", [b""])[0] == b"dashboard":
        dashboard_page(service, jobs_url="?page=jobs").servable()
    else:
        jobs_page(service, dashboard_url="?page=dashboard").servable()


if __name__.startswith("bokeh_app"):
    from jobdash.ui.app import _servable as _shared_servable  # module state lives there

    _shared_servable()
