"""UI test fixtures: one served app per browser-test module, and a clean Panel state.

A browser-test module defines ``build_history(service) -> dict`` (it fills a fresh history
through the real store and returns whatever the tests need to know about it) and uses the
``served`` fixture; the app is served once for the whole module on a free loopback port.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

import jobdash
from jobdash.service import JobService
from jobdash.ui.app import start_server


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


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@dataclass
class Served:
    """A served app: its base URL, the service behind it and what build_history returned."""

    url: str
    service: JobService
    facts: dict[str, Any] = field(default_factory=dict)


@pytest.fixture(scope="module")
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[Served]:
    """The module's history served at http://127.0.0.1:<free port> for every test in it."""
    build = getattr(request.module, "build_history")
    service = jobdash.open(tmp_path_factory.mktemp("served") / "jobs.duckdb", runner=False)
    facts = build(service) or {}
    port = free_port()
    server = start_server(service, port=port, threaded=True)
    try:
        wait_until(lambda: _listening(port), timeout=20)
        yield Served(f"http://127.0.0.1:{port}", service, facts)
    finally:
        server.stop()
        service.close()

