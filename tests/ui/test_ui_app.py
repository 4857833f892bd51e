"""The served app in Chromium: routes, the Dashboard (start a job, the running job live),
the image folder, and no request leaving the machine."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlparse

import pytest
from factories import T0, add_config, add_job
from playwright.sync_api import Page, expect

from jobdash.vocab import format_job_id

pytestmark = pytest.mark.browser


def build_history(service) -> dict:
    """Twelve finished jobs of "Hero banners" (the first with an image on disk), one pending
    job."""
    config = add_config(service, "Hero banners")
    for i in range(1, 13):
        add_job(
            service,
            status="failed" if i % 4 == 0 else "completed",
            label=f"Banner {i}",
            config_id=config,
            started_at=T0 + dt.timedelta(hours=i),
            images=[{"file_path": "job-1/a.png"}] if i == 1 else None,
        )
    pending = add_job(
        service,
        status="pending",
        label="Queued banner",
        config_id=config,
        started_at=T0 + dt.timedelta(hours=13),
    )
    image = service.settings.image_root / "job-1" / "a.png"
    image.parent.mkdir(parents=True, exist_ok=True)
    image.write_bytes(b"\x89PNG\r\n\x1a\n fake but served as is")
    return {"pending": pending, "config": config}


def test_root_leads_to_the_dashboard_and_it_links_to_job_management(page: Page, served):
    page.goto(served.url + "/")
    expect(page).to_have_url(served.url + "/dashboard")
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    expect(page.get_by_role("group", name="Total")).to_contain_text("13")
    recent = page.get_by_role("table")
    expect(recent.get_by_role("row").nth(1)).to_contain_text("Queued banner")
    page.get_by_role("link", name="Open Job Management").click()
    expect(page).to_have_url(served.url + "/jobs")
    expect(page.get_by_role("heading", name="Job Management", level=1)).to_be_visible()


def test_a_job_id_on_the_dashboard_opens_that_job(page: Page, served):
    job_id = format_job_id(served.facts["pending"])
    page.goto(served.url + "/dashboard")
    page.get_by_role("table").get_by_role("link", name=job_id, exact=True).click()
    expect(page).to_have_url(f"{served.url}/jobs?job={job_id}")
    expect(page.get_by_role("dialog", name=f"Job {job_id} details")).to_be_visible()


def test_dashboard_starts_a_job_and_follows_the_running_one(page: Page, served):
    page.goto(served.url + "/dashboard")
    pending = page.get_by_role("group", name="Pending")
    expect(pending).to_contain_text("1")
    expect(page.get_by_text("Nothing is running")).to_be_visible()
    expect(page.get_by_role("button", name="Stop")).to_be_disabled()

    page.get_by_role("combobox", name="Configuration").select_option(label="Hero banners v1")
    page.get_by_role("button", name="Start job").click()
    queued = page.get_by_text(re.compile(r"Queued JOB-0000\d\d \(Hero banners\)"))
    expect(queued.first).to_be_visible()
    expect(pending).to_contain_text("2")

    old = served.service.claim_next()  # what the runner would do: the job queued before
    served.service.finish(old["id"], "completed", message="done")  # ends without a toast
    job = served.service.claim_next()  # the one this page started
    job_id = format_job_id(job["id"])
    progress = page.get_by_role("progressbar", name=f"Progress of {job_id}")
    expect(progress).to_have_attribute("aria-valuenow", "0")
    served.service.record(job["id"], progress=60, step="generate")
    expect(progress).to_have_attribute("aria-valuenow", "60")
    page.get_by_role("button", name="Stop").click()  # no runner in this process
    expect(page.get_by_text("No runner in this process").first).to_be_visible()
    served.service.finish(job["id"], "completed", message="done")
    expect(page.get_by_text(f"{job_id} completed").first).to_be_visible()
    expect(page.get_by_text("Nothing is running")).to_be_visible()
    # a page announces the jobs queued while it is open, not those queued before
    expect(page.get_by_text(f"{format_job_id(old['id'])} completed")).to_have_count(0)


def test_image_files_the_history_names_are_served(page: Page, served):
    response = page.request.get(served.url + "/images/job-1/a.png")
    assert response.status == 200 and response.body().startswith(b"\x89PNG")
    assert page.request.get(served.url + "/images/../jobs.duckdb").status == 404


def test_pages_load_nothing_from_the_internet(page: Page, served):
    hosts = set()
    page.on(
        "request",
        lambda request: (
            hosts.add(urlparse(request.url).hostname)
            if request.url.startswith(("http:", "https:", "ws:", "wss:"))
            else None
        ),
    )
    for route in ("/dashboard", "/jobs"):
        page.goto(served.url + route)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        page.wait_for_load_state("networkidle")
    assert hosts == {"127.0.0.1"}


def test_an_idle_page_sends_nothing(page: Page, served):
    frames = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda frame: frames.append(frame)))
    page.goto(served.url + "/jobs")
    expect(page.locator(".tabulator-row").first).to_be_visible()
    # The dialogs build their contents a moment after the table has drawn; then all is quiet.
    expect(page.locator("dialog.jd-dialog")).to_have_count(4)  # job, help, delete, preset
    expect(page.locator("dialog.jd-dialog:not(:has(.jd-dialog-body > div))")).to_have_count(
        0, timeout=10_000
    )
    page.wait_for_timeout(1000)
    frames.clear()
    page.wait_for_timeout(3000)  # three live-update ticks
    assert frames == []
