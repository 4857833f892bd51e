"""The Job Management page over a running server's history, through the HTTP client instead
of an open history: what it reads costs little over HTTP, it says once that its server
stopped and reloads when the server is back (restarted or not); and, with the page open in
Chromium, a job queued by ``jobdash run`` in a terminal appears on it live and runs to
Completed on the server's runner.

(``jobdash.JobManager(client)`` inline in a notebook, following the server's runner, is
tests/test_notebooks.py's notebook 04.)"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from factories import add_config, add_job
from playwright.sync_api import Page, expect
from ui_util import REPO, free_port, listening, serving, stop_serving, wait_until

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
    assert idle == ["GET /api/version"] * 5  # one small request per live-update tick
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


# -- in Chromium, the page served by `jobdash serve` -----------------------------------------


@pytest.fixture(scope="module")
def beside(tmp_path_factory) -> Iterator[tuple[Path, JobClient]]:
    """``jobdash serve`` of a small history, in its own process with its runner: the
    history's path and a client of it."""
    db = tmp_path_factory.mktemp("beside") / "jobs.duckdb"
    small_history(db)
    with serving(db) as client:
        yield db, client


def queue_beside_the_page(db: Path, label: str) -> str:
    """``jobdash run Quick --no-wait`` in a terminal beside the open page: the command goes
    through the server holding the history; returns what it printed."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "jobdash",
            "run",
            "Quick",
            "--db",
            str(db),
            "--label",
            label,
            "--no-wait",
        ],
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.browser
def test_a_job_queued_by_jobdash_run_appears_live_on_the_open_page_and_completes(
    page: Page, beside
):
    db, client = beside
    page.goto(f"{client.url}/jobs")
    expect(page.locator(".tabulator-row")).to_have_count(3, timeout=30_000)

    said = queue_beside_the_page(db, "Queued beside the page")
    assert re.fullmatch(r"JOB-000004 (pending|running): .*\n", said)
    row = page.locator(".tabulator-row").filter(has_text="Queued beside the page")
    expect(row).to_be_visible()  # no reload: the page's live updates brought it
    expect(page.locator(".tabulator-row")).to_have_count(4)
    expect(row.locator(".jd-badge")).to_have_text(re.compile(r"^Running · \d+%"))
    expect(row.locator(".jd-badge")).to_have_text("Completed", timeout=30_000)
    toast = "JOB-000004 “Queued beside the page” completed"
    expect(page.get_by_text(toast).first).to_be_visible()
    assert client.get_all().total == 4
