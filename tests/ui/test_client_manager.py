"""The Job Management page over a running server's history, through the HTTP client instead
of an open history: what it reads costs little over HTTP, it says once that its server
stopped and reloads when the server is back (restarted or not)."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from factories import add_config, add_job
from ui_util import free_port, listening, stop_serving, wait_until

import jobdash
from jobdash.client import JobClient
from jobdash.server import Access, start_server
from jobdash.service import JobService
from jobdash.ui.job.state import JobView
from jobdash.ui.page.state import JobListing
from jobdash.ui.shared.feed import runner_status

TOKEN = "client-manager-test-token"
QUICK = {"count": 10, "generator": {"name": "procedural", "delay_s": 0.4}}  # about 5 s


def small_history(db: Path) -> None:
    """Three finished jobs and a configuration ("Quick") whose run lasts a few seconds."""
    with jobdash.open(db, runner=False) as svc:
        config = add_config(svc, "Quick", **QUICK)
        for i in range(3):
            add_job(svc, label=f"Earlier job {i}", config_id=config)


@contextmanager
def served_here(db: Path, port: int) -> Iterator[tuple[JobService, JobClient]]:
    """The history served by a server thread of this process (no runner) on ``port``; the
    server stops, and the history closes, when the block ends."""
    svc = jobdash.open(db, runner=False)
    server = start_server(svc, access=Access(port=port, token=TOKEN), threaded=True)
    try:
        wait_until(lambda: listening(port), timeout=20)
        yield svc, JobClient(f"http://127.0.0.1:{port}", TOKEN)
    finally:
        stop_serving(server, svc)


def requests(caplog: pytest.LogCaptureFixture) -> list[str]:
    """``GET /api/...`` of each request the server answered (its access log), once no more
    arrive: a request is logged just after its answer."""
    logged: list[str] = []
    while True:
        time.sleep(0.2)
        found = (
            re.search(r"(GET|POST|PUT|PATCH|DELETE) (\S+)", r.getMessage()) for r in caplog.records
        )
        now = [f"{m[1]} {m[2].split('?')[0]}" for m in found if m and m[2].startswith("/api/")]
        if now == logged:
            return now
        logged = now


def test_what_the_page_reads_over_http_is_small(tmp_path, caplog):
    db = tmp_path / "jobs.duckdb"
    small_history(db)
    with (
        served_here(db, free_port()) as (svc, client),
        caplog.at_level(logging.INFO, logger="tornado.access"),
    ):
        listing = JobListing(client)
        requests(caplog)
        caplog.clear()
        for _ in range(5):
            assert listing.poll() == []  # nothing changed
        idle = requests(caplog)
        # The gallery reads the image root for each view of its images, the runner status
        # asks who runs the queue: a new client reads the server's folders once.
        other = JobClient(client.url, TOKEN)
        view = JobView(other)
        caplog.clear()
        roots = {view.image_root for _ in range(20)}
        runners = {runner_status(other, listing.stats).state for _ in range(5)}
        folders = requests(caplog)
    assert idle == ["GET /api/changes"] * 5  # one small request per live-update tick
    assert roots == {svc.image_root} and runners == {"off"}
    assert folders == ["GET /api/status"]


def test_a_page_over_a_client_says_once_that_its_server_stopped_and_reloads_when_it_is_back(
    tmp_path,
):
    db, port = tmp_path / "jobs.duckdb", free_port()
    small_history(db)
    with served_here(db, port) as (_, client):
        listing = JobListing(client)
        for i in range(5):
            client.rename(1, f"Renamed {i}")
        listing.poll()
        assert listing.rows.set_index("id").at[1, "label"] == "Renamed 4"

    assert listing.poll() == []  # the server is gone: the page says so once
    assert not listing.reachable
    assert listing.error.startswith("Live updates paused: No jobdash server answers at")
    listing.error = ""  # shown (the manager's toast clears it)
    assert listing.poll() == [] and listing.error == ""

    with served_here(db, port) as (_, client):  # back, with a new feed (from 0)
        client.rename(2, "Renamed after the restart")
        assert [c.kind for c in listing.poll()] == ["resync"]
        assert listing.reachable
        assert listing.rows.set_index("id").at[2, "label"] == "Renamed after the restart"
        for i in range(3):
            client.rename(3, f"Renamed again {i}")
        listing.poll()

    with served_here(db, port) as (_, client):  # restarted between two polls: none failed
        client.rename(1, "Renamed after the second restart")  # the feed is behind the page
        assert [c.kind for c in listing.poll()] == ["resync"]
        assert listing.rows.set_index("id").at[1, "label"] == "Renamed after the second restart"
        assert listing.error == ""
