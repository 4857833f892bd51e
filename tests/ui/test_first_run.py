"""A fresh ``make serve``: ``jobdash demo``, then ``jobdash serve`` in its own process with its
runner. The demo leaves no job running (the first open would mark it interrupted) and its
queued reruns run on the open pages live, ending in the table without a toast: a page
announces only the jobs queued while it is open."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Page, expect
from ui_util import serving

from jobdash.demo import build_demo

pytestmark = pytest.mark.browser


def test_a_fresh_demo_served_shows_no_failure_nobody_caused_and_no_toasts(page: Page, tmp_path):
    db = tmp_path / "jobs.duckdb"
    build_demo(db, jobs=60, images_on_disk=4)
    with serving(db) as client:
        before = client.statistics()
        assert before.running + before.pending == 4  # the demo's reruns, queued or started
        dashboard = page.context.new_page()
        dashboard.goto(f"{client.url}/dashboard")
        page.goto(f"{client.url}/jobs")
        expect(page.locator(".tabulator-row").first).to_be_visible(timeout=30_000)
        toasts = 0
        deadline = time.monotonic() + 180
        while (stats := client.statistics()).pending + stats.running:
            assert time.monotonic() < deadline, stats.by_status
            toasts += page.locator(".notyf__toast").count()
            toasts += dashboard.locator(".notyf__toast").count()
            page.wait_for_timeout(500)
        page.wait_for_timeout(2000)  # a poll or two after the last rerun ended
        toasts += page.locator(".notyf__toast").count() + dashboard.locator(".notyf__toast").count()
        assert toasts == 0
        assert stats.by_status.get("failed", 0) == before.by_status.get("failed", 0)
        interrupted = client.sql(
            "SELECT count(*) AS n FROM job_executions WHERE error_message LIKE '%interrupted%'"
        )
        assert int(interrupted.n[0]) == 0
        newest = page.locator(".tabulator-row").first  # newest first: the last rerun
        expect(newest.locator(".jd-badge")).to_have_text("Completed", timeout=10_000)
