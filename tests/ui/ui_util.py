"""Helpers of the UI tests: free ports, waiting for a condition, a served history, JupyterLab,
and what a page loads (requests to other hosts blocked)."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import ConsoleMessage, Page, Request, Route

import jobdash
from jobdash.client import JobClient, for_history

REPO = Path(jobdash.__file__).resolve().parents[1]


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition: Callable[[], Any], timeout: float = 10.0, interval: float = 0.05) -> Any:
    """Poll ``condition`` until it returns something truthy; fail after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(interval)


def listening(port: int) -> bool:
    """Whether something accepts connections on 127.0.0.1:port."""
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


# Resolves once the table's rows have not changed for 500 ms: Panel redraws the table right
# after its first render, replacing the row elements (and losing whatever had focus).
_SETTLED_JS = """(table) => new Promise((resolve) => {
  let timer = setTimeout(resolve, 500);
  new MutationObserver(() => { clearTimeout(timer); timer = setTimeout(resolve, 500); })
    .observe(table, {childList: true, subtree: true});
})"""


def wait_for_table_settled(page) -> None:
    """Wait until the job table has stopped redrawing (before tests that rely on focus)."""
    page.locator(".tabulator-tableholder").evaluate(_SETTLED_JS)


@contextmanager
def serving(db: Path) -> Iterator[JobClient]:
    """``python -m jobdash serve --db DB`` in its own process on a free loopback port, with
    its runner, until the block ends (then SIGTERM, as an operator stops it); yields the
    client its discovery file names. Its output goes to ``<db>.serve.log``."""
    log_path = db.with_name(db.name + ".serve.log")
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "jobdash", "serve", "--db", str(db), "--port", str(free_port())],
            env={**os.environ, "PYTHONPATH": str(REPO)},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until(lambda: for_history(db) or process.poll() is not None, timeout=60)
            assert process.poll() is None, log_path.read_text()
            client = for_history(db)
            assert client is not None
            yield client
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def stop_serving(server: Any, service: Any) -> None:
    """Stop a threaded Panel server and wait until its loop has ended (Panel cancels the
    sessions' pending callbacks), then close the service it served: closed first, a live
    update still due would end in StoreClosed."""
    server.stop()
    server.join(timeout=10)
    service.close()


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2.1 contrast ratio of two opaque CSS colours given as ``rgb(r, g, b)``."""

    def luminance(css: str) -> float:
        channels = [int(float(c)) / 255 for c in css[css.index("(") + 1 : -1].split(",")[:3]]
        r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@contextmanager
def jupyterlab(folder: Path, notebook: str) -> Iterator[str]:
    """JupyterLab serving ``folder`` on a free loopback port with a token and its own config,
    runtime, settings and workspace folders (nothing of the user's is read or written), until
    the block ends; yields the URL of ``notebook`` (a file in ``folder``) with its token.
    Its output goes to ``folder/lab.log``."""
    port, token = free_port(), secrets.token_hex(16)
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(folder / "config"),
        "JUPYTER_RUNTIME_DIR": str(folder / "runtime"),
        "JUPYTER_PLATFORM_DIRS": "1",
    }
    log_path = folder / "lab.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "jupyterlab",
                "--no-browser",
                "--ServerApp.ip=127.0.0.1",
                f"--ServerApp.port={port}",
                "--ServerApp.port_retries=0",
                f"--IdentityProvider.token={token}",
                f"--ServerApp.root_dir={folder}",
                f"--LabApp.user_settings_dir={folder / 'settings'}",
                f"--LabApp.workspaces_dir={folder / 'workspaces'}",
                "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
                "--LabApp.extension_manager=readonly",
                "--allow-root",
            ],
            cwd=folder,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until(lambda: listening(port) or server.poll() is not None, timeout=40)
            assert server.poll() is None, log_path.read_text()
            yield f"http://127.0.0.1:{port}/lab/tree/{notebook}?token={token}"
        finally:
            server.terminate()
            server.wait(timeout=20)


class Traffic:
    """What a page asked for: requests to other hosts (blocked), failed requests and
    console errors."""

    def __init__(self, page: Page, origin: str):
        self.origin = origin
        self.blocked: list[str] = []
        self.failed: list[str] = []
        self.errors: list[str] = []
        self.loaded: list[tuple[str, str]] = []  # (resource type, url) served by jobdash
        page.context.route("**/*", self._route)
        page.on("requestfailed", self._failed)
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.errors.append(f"uncaught: {exc}"))

    def _route(self, route: Route) -> None:
        request = route.request
        parts = urlsplit(request.url)
        if parts.scheme in ("data", "blob") or f"{parts.scheme}://{parts.netloc}" == self.origin:
            self.loaded.append((request.resource_type, request.url))
            route.continue_()
        else:
            self.blocked.append(request.url)
            route.abort("blockedbyclient")

    def _failed(self, request: Request) -> None:
        if request.url not in self.blocked and request.failure != "net::ERR_ABORTED":
            self.failed.append(f"{request.url}: {request.failure}")

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def assert_clean(self, view: str) -> None:
        assert (self.blocked, self.failed, self.errors) == ([], [], []), view
