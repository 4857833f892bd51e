"""The served Job Management page in Chromium: filters, search, sort, pages, stats cards, a
hostile label, the detail dialog, keyboard shortcuts and live updates."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from factories import T0, add_config, add_job
from playwright.sync_api import Page, expect

from jobdash.vocab import format_job_id

pytestmark = pytest.mark.browser

HOSTILE = "<img src=x onerror=alert(1)>"


def build_history(service) -> dict:
    """60 jobs, one an hour (id 1 oldest): ids divisible by 5 failed, by 7 stopped, the rest
    completed; odd ids use "Hero banners", even ids "Pet portraits"; job 33 has a hostile
    label; job 60 is pending (the newest)."""
    hero = add_config(service, "Hero banners")
    pets = add_config(service, "Pet portraits")
    statuses = {}
    for i in range(1, 61):
        status = (
            "pending"
            if i == 60
            else "failed"
            if i % 5 == 0
            else "stopped"
            if i % 7 == 0
            else "completed"
        )
        statuses[i] = status
        add_job(
            service,
            status=status,
            label=HOSTILE if i == 33 else f"Lake study {i}",
            config_id=hero if i % 2 else pets,
            started_at=T0 + dt.timedelta(hours=i),
            duration_s=60 * i,
            error_message="Generation timed out" if status == "failed" else None,
            images=[{"qc_status": "approved"}] * (i % 4),
        )
    return {"statuses": statuses}


def open_jobs(page: Page, url: str) -> None:
    page.goto(f"{url}/jobs")
    expect(page.locator(".tabulator-row").first).to_be_visible(timeout=20_000)


def shown_ids(page: Page) -> list[int]:
    texts = page.locator(".tabulator-row .tabulator-cell[tabulator-field=job]").all_inner_texts()
    return [int(t.strip().removeprefix("JOB-")) for t in texts]


def expect_total(page: Page, n: int) -> None:
    expect(page.get_by_text(re.compile(r"^Total: "))).to_have_text(
        f"Total: {n:,} job{'s' if n != 1 else ''}"
    )


def expect_ids(page: Page, ids: list[int]) -> None:
    expect(page.locator(".tabulator-row .tabulator-cell[tabulator-field=job]")).to_have_text(
        [format_job_id(i) for i in ids]
    )


def test_filter_search_sort_and_paginate(page: Page, served):
    open_jobs(page, served.url)
    expect_total(page, 60)
    expect_ids(page, list(range(60, 35, -1)))  # newest first, 25 a page

    page.get_by_role("button", name="Next", exact=True).click()
    expect_ids(page, list(range(35, 10, -1)))
    page.get_by_role("button", name="Page 3").click()
    expect_ids(page, list(range(10, 0, -1)))
    expect(page.get_by_role("button", name="Page 3")).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("button", name="Next", exact=True)).to_be_disabled()

    page.get_by_role("combobox", name="Configuration").select_option(label="Pet portraits v1")
    expect_total(page, 30)  # filters reset the page
    expect_ids(page, list(range(60, 10, -2)))

    search = page.get_by_role("textbox", name="Search jobs")
    search.fill("study 4")  # 4, 40-49; even: 4, 40..48
    expect_total(page, 6)
    expect_ids(page, [48, 46, 44, 42, 40, 4])
    expect(page.locator(".tabulator-row mark").first).to_have_text("study 4")
    expect(page.get_by_text("2 filters active")).to_be_visible()

    page.get_by_role("button", name="Job ID", exact=True).click()  # server-side sort
    expect_ids(page, [4, 40, 42, 44, 46, 48])
    page.get_by_role("button", name="Job ID", exact=True).click()
    expect_ids(page, [48, 46, 44, 42, 40, 4])

    page.get_by_role("button", name="Clear filters").click()
    expect_total(page, 60)
    expect(search).to_have_value("")
    expect_ids(page, list(range(60, 35, -1)))  # sort by Job ID kept

    page.get_by_role("combobox", name="Jobs per page").select_option("50")
    expect(page.locator(".tabulator-row")).to_have_count(50)
    jump = page.get_by_role("textbox", name="Go to page")
    jump.fill("2")
    jump.press("Enter")
    expect_ids(page, list(range(10, 0, -1)))


def test_status_multi_select_and_date_range_combine(page: Page, served):
    open_jobs(page, served.url)
    statuses = served.facts["statuses"]
    page.get_by_label("Status", exact=True).click()
    page.get_by_role("option", name="Failed").click()
    page.keyboard.press("Escape")
    expect_total(page, sum(s == "failed" for s in statuses.values()))
    page.get_by_label("From date").fill("2026-11-02")  # T0 + 15 h on: ids ≥ 15
    page.get_by_label("From date").press("Enter")  # typed as the table shows dates
    expect_ids(page, [55, 50, 45, 40, 35, 30, 25, 20, 15])
    page.get_by_label("To date").fill("2026-11-02")  # ids 15..38
    page.get_by_label("To date").press("Enter")
    expect_ids(page, [35, 30, 25, 20, 15])
    expect(page.get_by_text("3 filters active")).to_be_visible()


def test_stats_card_filters_the_table(page: Page, served):
    open_jobs(page, served.url)
    failed = sum(s == "failed" for s in served.facts["statuses"].values())
    card = page.get_by_role("button", name=re.compile(r"^Failed"))
    expect(card).to_contain_text(f"{failed}")
    card.click()
    expect_total(page, failed)
    expect(card).to_have_attribute("aria-pressed", "true")
    expect(page.locator(".tabulator-row .jd-badge")).to_have_text(["Failed"] * failed)
    page.get_by_role("button", name=re.compile(r"^Total")).click()
    expect_total(page, 60)
    expect(card).to_have_attribute("aria-pressed", "false")


def test_hostile_label_is_shown_literally_and_runs_nothing(page: Page, served):
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    open_jobs(page, served.url)
    page.get_by_role("textbox", name="Search jobs").fill("onerror")
    expect_ids(page, [33])
    cell = page.locator(".tabulator-row .tabulator-cell[tabulator-field=label]")
    expect(cell).to_have_text(HOSTILE)
    expect(cell.locator("img")).to_have_count(0)
    expect(cell.locator("mark")).to_have_text("onerror")
    page.get_by_role("button", name="JOB-000033", exact=True).click()  # the detail dialog too
    expect(page.get_by_role("heading", name=f"Job JOB-000033 — {HOSTILE}")).to_be_visible()
    expect(page.locator("img[src=x]")).to_have_count(0)
    assert dialogs == []


def test_view_opens_the_job_and_escape_closes_it(page: Page, served):
    open_jobs(page, served.url)
    page.get_by_role("button", name="JOB-000055", exact=True).click()
    heading = page.get_by_role("heading", name="Job JOB-000055 — Lake study 55")
    expect(heading).to_be_visible()
    expect(page.get_by_text("Generation timed out")).to_be_visible()
    page.keyboard.press("Escape")
    expect(heading).to_be_hidden()


def test_keyboard_shortcuts_and_help(page: Page, served):
    open_jobs(page, served.url)
    page.keyboard.press("?")
    help_title = page.get_by_role("heading", name="Job Management help")
    expect(help_title).to_be_visible()
    expect(page.get_by_role("cell", name="Focus the search box")).to_be_visible()
    page.keyboard.press("Escape")
    expect(help_title).to_be_hidden()
    page.keyboard.press("/")
    expect(page.get_by_role("textbox", name="Search jobs")).to_be_focused()
    page.keyboard.type("r")  # typed, not a shortcut
    expect(page.get_by_role("textbox", name="Search jobs")).to_have_value("r")
    page.get_by_role("heading", name="Job Management", exact=True).click()
    page.keyboard.press("r")
    expect(page.get_by_text("Refreshed.").first).to_be_visible()
    page.get_by_role("button", name="Help", exact=True).click()
    expect(help_title).to_be_visible()


def test_header_links_to_the_dashboard(page: Page, served):
    open_jobs(page, served.url)
    expect(page.get_by_role("heading", name="Job Management", level=1)).to_be_visible()
    crumbs = page.get_by_role("navigation", name="Breadcrumb")
    expect(crumbs.get_by_role("link", name="Dashboard")).to_have_attribute("href", "/dashboard")
    expect(crumbs.get_by_role("listitem").last).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("status").filter(has_text="queued")).to_contain_text(
        "Runner off · 1 queued"
    )
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Dashboard").click()
    expect(page).to_have_url(f"{served.url}/dashboard")
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()


def test_a_status_change_appears_without_reload(page: Page, served):
    open_jobs(page, served.url)
    page.get_by_role("button", name="Job ID", exact=True).click()  # ascending: 60 on page 3
    page.get_by_role("button", name="Page 3").click()
    expect_ids(page, list(range(51, 61)))
    row = page.locator(".tabulator-row").filter(has_text="JOB-000060")
    expect(row.locator(".jd-badge")).to_have_text("Pending")
    running_card = page.get_by_role("button", name=re.compile(r"^Running"))

    job = served.service.claim_next()
    assert job["id"] == 60
    expect(row.locator(".jd-badge")).to_have_text("Running · 0%")
    expect(running_card).to_contain_text("1")
    served.service.record(60, progress=45, step="generate")
    expect(row.locator(".jd-badge")).to_have_text("Running · 45%")
    served.service.finish(60, "failed", message="boom", error_message="GPU fell over")
    expect(row.locator(".jd-badge")).to_have_text("Failed")
    # queued before the page opened: the table says so, without a toast
    expect(page.get_by_text("JOB-000060 “Lake study 60” failed")).to_have_count(0)
    expect_ids(page, list(range(51, 61)))  # same page, same sort
    expect(page.get_by_role("button", name="Page 3")).to_have_attribute("aria-current", "page")


def test_batch_buttons_show_only_once_jobs_are_selected(page: Page, served):
    open_jobs(page, served.url)
    look = "e => [getComputedStyle(e).color, getComputedStyle(e).backgroundColor]"
    enabled = page.get_by_role("button", name="Refresh", exact=True).evaluate(look)
    for name in ("Rerun selected", "Export selected", "Delete selected"):
        expect(page.get_by_role("button", name=name)).to_be_hidden()  # no toolbar yet
    page.locator(".tabulator-row input[type=checkbox]").first.check()
    rerun = page.get_by_role("button", name="Rerun selected")
    expect(rerun).to_be_enabled()
    assert rerun.evaluate(look) == enabled
