"""The Failures panel in Chromium, the tab beside the job table of the Job Management page: the
Failed card's "Causes" and ``?view=failures`` bring it forward, its signatures read as
sentences and name its buttons, "Show jobs" filters the table, "Rerun N jobs" asks first, a
hostile error message stays text, and axe finds nothing."""

from __future__ import annotations

import datetime as dt
import re

import panel as pn
import pytest
from factories import add_config, add_job
from playwright.sync_api import Page, expect
from test_failures_links import failures_findings
from ui_util import free_port, stop_serving

import jobdash
from jobdash.store import utcnow

pytestmark = pytest.mark.browser

TIMEOUT = "Generation timed out after …s"  # the signature "... after <n>s", as it reads
HOSTILE = "<img src=x onerror=alert(…)>"


def failures_page(service: jobdash.JobService) -> jobdash.JobManager:
    """The Job Management page, whose Failures tab sits beside the job table."""
    return jobdash.JobManager(service)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    service = jobdash.open(tmp_path_factory.mktemp("failures") / "jobs.duckdb", runner=False)
    config = add_config(service, "Hero banners")
    day = utcnow().replace(microsecond=0) - dt.timedelta(days=1)
    for n, seconds in enumerate((60, 45, 120)):
        add_job(
            service,
            status="failed",
            label=f"slow {n}",
            config_id=config,
            started_at=day,
            error_message=f"Generation timed out after {seconds}s",
        )
    add_job(
        service,
        status="failed",
        label="hostile",
        config_id=config,
        started_at=day,
        error_message="<img src=x onerror=alert(1)>",
    )
    for n in range(4):
        add_job(service, status="completed", label=f"fine {n}", config_id=config, started_at=day)
    port = free_port()
    pn.extension("tabulator", notifications=True)
    server = pn.serve(
        {"failures": lambda: failures_page(service)},
        port=port,
        address="127.0.0.1",
        show=False,
        threaded=True,
    )
    try:
        yield f"http://127.0.0.1:{port}/failures", service
    finally:
        stop_serving(server, service)


def open_failures(page: Page, url: str) -> None:
    page.goto(url)
    page.locator(".bk-tab", has_text="Failures").click()
    expect(page.get_by_role("button", name=f"Show jobs failing with: {TIMEOUT}")).to_be_visible(
        timeout=20_000
    )


def test_show_jobs_filters_the_table_beside_it(page: Page, served):
    url, _ = served
    open_failures(page, url)
    spark = page.get_by_role("img", name=re.compile("^Failures per day over the last 30 days"))
    expect(spark.first).to_have_attribute("aria-label", re.compile("3 in all, at most 3 on"))
    page.get_by_role("button", name=f"Show jobs failing with: {TIMEOUT}").click()
    jobs_tab = page.locator(".bk-tab").filter(has_text=re.compile(r"^Jobs$"))
    expect(jobs_tab).to_have_class(re.compile(r"\bbk-active\b"))  # brought forward
    expect(page.get_by_text(re.compile(r"^Total: "))).to_have_text("Total: 3 jobs")
    expect(page.locator(".tabulator-row")).to_have_count(3)
    page.locator(".bk-tab", has_text="Failures").click()
    expect(page.get_by_text("Shown in the job table")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="The job table shows")).to_have_text(
        f"The job table shows the failed jobs with {TIMEOUT}Show all jobs"
    )
    page.get_by_role("button", name="Show all jobs").click()
    expect(page.get_by_text("Shown in the job table")).to_have_count(0)


def test_rerun_asks_then_queues(page: Page, served):
    url, service = served
    open_failures(page, url)
    rerun = page.get_by_role("button", name=f"Rerun 3 jobs failing with: {TIMEOUT}")
    expect(rerun).to_have_text("Rerun 3 jobs")  # says how many
    rerun.click()
    expect(page.get_by_text("Rerun 3 failed jobs?")).to_be_visible()
    page.get_by_role("button", name="Rerun 3 failed jobs").click()
    expect(
        page.get_by_text(f"Queued 3 reruns of jobs failing with: {TIMEOUT}").first
    ).to_be_attached()
    assert len(service.queue()) == 3


def test_hostile_message_is_shown_as_text(page: Page, served):
    url, _ = served
    alerts: list[str] = []
    page.on("dialog", lambda d: (alerts.append(d.message), d.dismiss()))
    open_failures(page, url)
    expect(page.get_by_text(HOSTILE, exact=True)).to_be_visible()
    page.get_by_role("button", name=f"Show jobs failing with: {HOSTILE}").click()
    expect(page.get_by_text(re.compile(r"^Total: "))).to_have_text("Total: 1 job")
    expect(page.get_by_role("gridcell", name="hostile")).to_be_visible()
    assert alerts == []


def test_no_accessibility_violations(page: Page, served):
    url, _ = served
    open_failures(page, url)
    for step in ("list", "dialog"):
        if step == "dialog":
            page.get_by_role("button", name=f"Rerun 3 jobs failing with: {TIMEOUT}").click()
            expect(page.get_by_role("dialog", name="Rerun 3 failed jobs")).to_be_visible()
        assert failures_findings(page) == [], step  # of any impact
    page.get_by_role("button", name="Cancel").click()
    expect(page.get_by_role("dialog")).to_have_count(0)


def test_the_failed_card_and_a_link_lead_to_the_failures_view(page: Page, served):
    url, _ = served
    failures_tab = page.locator(".bk-tab").filter(has_text=re.compile(r"^Failures$"))
    page.goto(url)
    page.get_by_role("button", name="Causes of failed jobs").click()  # one click
    expect(failures_tab).to_have_class(re.compile(r"\bbk-active\b"))
    expect(page.get_by_role("cell", name=re.compile(f"^{re.escape(TIMEOUT)}"))).to_be_visible()
    expect(page.get_by_text("e.g. Generation timed out after ")).to_be_visible()
    page.goto(f"{url}?view=failures")  # the Dashboard's link
    expect(failures_tab).to_have_class(re.compile(r"\bbk-active\b"))
    expect(page.get_by_role("button", name=f"Show jobs failing with: {TIMEOUT}")).to_be_visible()
