"""No request leaves the server: every other host is blocked, and every view of the served
app (the Job Management page, the job view and each of its tabs, Failures, Help, the
Dashboard) loads with zero blocked or failed requests and zero console errors."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Page, expect
from ui_util import Traffic

from jobdash.demo import plan
from jobdash.query import JobQuery
from jobdash.store.bulk import load_history
from jobdash.vocab import format_job_id

pytestmark = pytest.mark.browser

NOW = dt.datetime(2026, 11, 28, 12, 0, 0)


def build_history(service) -> dict:
    """A 200-job demo history (its rows only, no image files); ``failed``: its newest failed
    job."""
    load_history(service.store, plan(200, 7, 0, NOW), draw=lambda rows: {})
    failed = service.get_all(JobQuery(statuses=["failed"], sort="id", descending=True))
    return {"failed": int(failed.rows["id"].iloc[0])}


@pytest.fixture
def traffic(page: Page, served) -> Traffic:
    page.set_viewport_size({"width": 1280, "height": 900})
    return Traffic(page, served.url)


def test_every_view_of_the_page_loads_only_from_the_server(page: Page, served, traffic):
    page.goto(served.url + "/jobs")
    expect(page.locator(".tabulator-row").first).to_be_visible(timeout=30_000)  # cold start
    page.wait_for_load_state("networkidle")
    traffic.assert_clean("Job Management page")
    kinds = {kind for kind, _ in traffic.loaded}
    assert {"script", "stylesheet"} <= kinds  # the page's own files were seen, and served here

    page.get_by_role("button", name="Help", exact=True).click()
    expect(page.get_by_role("dialog", name="Job Management help")).to_be_visible()
    page.wait_for_load_state("networkidle")
    traffic.assert_clean("Help")
    page.keyboard.press("Escape")

    page.get_by_role("tab", name="Failures").click()
    expect(page.get_by_text("Generation timed out").first).to_be_visible(timeout=20_000)
    page.wait_for_load_state("networkidle")
    traffic.assert_clean("Failures")

    page.goto(f"{served.url}/jobs?job={format_job_id(served.facts['failed'])}")
    dialog = page.get_by_role("dialog", name="details")
    expect(dialog).to_be_visible()
    tabs = dialog.get_by_role("tab")
    expect(tabs.first).to_be_visible()
    names = tabs.all_inner_texts()
    assert len(names) >= 3, names
    for name in names:
        dialog.get_by_role("tab", name=name).click()
        expect(dialog.get_by_role("tab", name=name)).to_have_attribute("aria-selected", "true")
        page.wait_for_timeout(300)  # the tab's models arrive after the click
        page.wait_for_load_state("networkidle")
        traffic.assert_clean(f"job view, {name} tab")


def test_the_dashboard_loads_only_from_the_server(page: Page, served, traffic):
    page.goto(served.url + "/dashboard")
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    page.wait_for_load_state("networkidle")
    traffic.assert_clean("Dashboard")
    assert any(kind == "stylesheet" for kind, _ in traffic.loaded)
