"""Serving a history: the pages, the image files and the login on one Panel server, started
and stopped in the right order.

``serve`` binds its port first, then opens the history and starts its runner, so a port in
use changes nothing. SIGTERM and SIGINT stop it gracefully: the server stops taking
requests, the runner stops the running job at its next checkpoint (recorded as stopped by
"shutdown"; it is not queued again), pending jobs stay queued for the next start, and the
history is closed. A second signal exits at once; a job still running then is marked
interrupted by the next process that opens the history.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import secrets
import signal
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import panel as pn
from bokeh.settings import settings as bokeh_settings
from tornado.iostream import StreamClosedError
from tornado.web import RedirectHandler, StaticFileHandler
from tornado.websocket import WebSocketClosedError

from ..discovery import Served, announce, withdraw
from ..errors import Conflict
from ..service import JobService
from ..ui import assets
from ..ui.app import TITLE, configure, routes, shared_service
from .access import COOKIE_SECRET_ENV, Access
from .api import api_routes
from .handlers import AuthProvider, ImageByIdHandler, ImageHandler

log = logging.getLogger(__name__)

Opener = Callable[[], JobService]


def start_server(
    service: JobService | Opener,
    *,
    access: Access | None = None,
    show: bool = False,
    threaded: bool = False,
    start: bool = True,
    extra_routes: Mapping[str, Callable[[], Any]] | None = None,
    dedicated: bool = False,
    **kwargs: Any,
) -> Any:
    """Serve the pages of a history: ``service``, or a function returning it (called per
    session and per image request, so the history can be opened after the port is bound).

    Blocks unless ``threaded`` (then returns the server thread, whose ``stop()`` ends it)
    or ``start=False`` (then returns the bound, not yet started, server). ``access`` says
    where it listens and who may use it (default: loopback port 5006, no login); a
    non-loopback address without credentials is refused (ValidationError). A port in use
    raises Conflict. ``extra_routes`` adds pages beside the app's own (the page
    benchmark's bare page).

    ``dedicated`` (a process that only serves, as ``jobdash serve``) tunes the process for
    page builds: everything loaded so far leaves the garbage collector's reach (a full
    collection during a page build then scans the sessions' objects only, not all of Panel,
    Bokeh and pandas: up to ~0.4 s each), and Bokeh no longer validates each new page
    (checks that only log warnings: ~30 ms of CPU per page)."""
    access = access or Access()
    access.check()
    history: Opener = service if callable(service) else (lambda: service)
    configure()
    if dedicated:
        gc.collect()
        gc.freeze()
        bokeh_settings.perform_document_validation.set_value(False)
    if access.insecure and not access.loopback and access.credentials is None:
        log.warning(
            "serving %s:%s to other machines WITHOUT a login (--insecure): anyone who can "
            "reach it can delete and rerun jobs",
            access.address,
            access.port,
        )
    origins = access.origins()
    if access.credentials is not None:
        kwargs["auth_provider"] = AuthProvider(
            access.credentials, origins, str(assets.ROOT / "html" / "login.html")
        )
        kwargs.setdefault(
            "cookie_secret", os.environ.get(COOKIE_SECRET_ENV) or secrets.token_hex(32)
        )
    pages = {**routes(history), **(extra_routes or {})}
    titles = {"dashboard": f"Dashboard · {TITLE}", "jobs": f"Job Management · {TITLE}"}
    patterns = [
        (r"/?", RedirectHandler, {"url": "/dashboard"}),
        (r"/images/by-id/([0-9]+/(?:file|thumbnail))", ImageByIdHandler, {"history": history}),
        (r"/images/(.*)", ImageHandler, {"history": history}),
        (r"/jobdash-assets/css/(.*)", StaticFileHandler, {"path": str(assets.ROOT / "css")}),
        *api_routes(history, access.token, access.credentials, origins),
    ]
    try:
        return pn.serve(
            pages,
            port=access.port,
            address=access.address,
            websocket_origin=origins,
            show=show,
            threaded=threaded,
            start=start,
            title={slug: titles.get(slug, TITLE) for slug in pages},
            extra_patterns=patterns,
            **kwargs,
        )
    except OSError as exc:
        raise Conflict(
            f"port: {access.address}:{access.port} cannot be bound ({exc.strerror}); "
            "is another server using it? Choose another with --port."
        ) from None


def serve(
    db_path: str | os.PathLike | None = None,
    access: Access | None = None,
    *,
    show: bool = False,
    runner: bool = True,
) -> None:
    """Serve the history at ``db_path`` (default ``$JOBDASH_DB`` or data/jobs.duckdb) with
    its runner until SIGTERM or SIGINT: the port is bound first, then the history opened.
    ``access`` (default: loopback port 5006, no login, the API token ``$JOBDASH_TOKEN`` or
    a new one) says where and for whom. While it serves, ``<history>.server.json`` (owner
    only) tells clients its URL and API token (:mod:`jobdash.discovery`)."""
    path = Path(db_path) if db_path is not None else None

    def history() -> JobService:
        return shared_service(path, runner=runner)

    access = access or Access()
    server = start_server(history, access=access, show=show, start=False, dedicated=True)
    try:
        service = history()
    except BaseException:
        server.stop()
        raise
    _stop_gracefully_on_signals(server)
    _quiet_disconnects(server.io_loop.asyncio_loop)
    host = "127.0.0.1" if server.address in (None, "", "0.0.0.0", "::") else server.address
    served = Served(f"http://{host}:{server.port}", access.token, os.getpid())
    announce(service.store.path, served)
    log.info("serving %s at %s", service.store.path, served.url)
    server.start()
    try:
        server.io_loop.start()
    finally:
        withdraw(service.store.path, served)
        server.stop()
        service.close()


def _stop_gracefully_on_signals(server: Any) -> None:
    """SIGTERM and SIGINT stop the server's loop (``serve`` then closes the history); a
    second one exits at once."""

    def at_once(signum: int, frame: Any) -> None:
        log.warning("second %s: exiting now", signal.Signals(signum).name)
        sys.stderr.flush()
        os._exit(128 + signum)

    def gracefully(signum: int, frame: Any) -> None:
        log.warning(
            "%s: stopping (the running job stops at its next checkpoint; send it again to "
            "exit at once)",
            signal.Signals(signum).name,
        )
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, at_once)
        server.io_loop.asyncio_loop.call_soon_threadsafe(server.io_loop.stop)

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, gracefully)


def _quiet_disconnects(loop: asyncio.AbstractEventLoop) -> None:
    """Log a message Bokeh could not send to a closed browser tab at debug level, without a
    traceback (Bokeh does not await those writes, so asyncio would report each as a "Task
    exception was never retrieved" with two tracebacks); anything else as asyncio does."""

    def handle(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        if isinstance(context.get("exception"), WebSocketClosedError | StreamClosedError):
            log.debug("a browser tab went away before a message reached it")
        else:
            loop.default_exception_handler(context)

    loop.set_exception_handler(handle)
