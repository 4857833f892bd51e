"""UI test fixtures: one served app per browser-test module, and a clean Panel state.

A browser-test module defines ``build_history(service) -> dict`` (it fills a fresh history
through the real store and returns whatever the tests need to know about it) and uses the
``served`` fixture; the app is served once for the whole module on a free loopback port.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from ui_util import free_port, listening, stop_serving, wait_until

import jobdash
from jobdash.server import Access, start_server
from jobdash.service import JobService


@dataclass
class Served:
    """A served app: its base URL, the service behind it and what build_history returned."""

    url: str
    service: JobService
    facts: dict[str, Any] = field(default_factory=dict)


@pytest.fixture(scope="module")
def served(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    """The module's history served at http://127.0.0.1:<free port> for every test in it."""
    build = request.module.build_history
    service = jobdash.open(tmp_path_factory.mktemp("served") / "jobs.duckdb", runner=False)
    facts = build(service) or {}
    port = free_port()
    server = start_server(service, access=Access(port=port), threaded=True)
    try:
        wait_until(lambda: listening(port), timeout=20)
        yield Served(f"http://127.0.0.1:{port}", service, facts)
    finally:
        stop_serving(server, service)
