"""The view in the URL of the served Job Management page, in Chromium: a deep link restores
filters, sort, page and the open job; Back / Forward move between views; each tab keeps
its own."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from jobdash.vocab import format_job_id
from factories import T0, add_config, add_job

pytestmark = pytest.mark.browser


def build_history(service) -> dict:
    """60 jobs "Lake study i", one an hour (id 1 oldest); ids divisible by 5 failed."""
    config = add_config(service, "Hero banners")
    for i in range(1, 61):
        add_job(service, status="failed" if i % 5 == 0 else "completed",
                label=f"Lake study {i}", config_id=config,
                started_at=T0 + dt.timedelta(hours=i),
                error_message="Generation timed out" if i % 5 == 0 else None)
    return {}


def expect_ids(page: Page, ids: list[int]) -> None:
    expect(page.locator(".tabulator-row .tabulator-cell[tabulator-field=job]")).to_have_text(
        [format_job_id(i) for i in ids], timeout=20_000)


def current_page(page: Page, n: int) -> None:
    expect(page.get_by_role("button", name=f"Page {n}")).to_have_attribute(
        "aria-current", "page")


COMPLETED = [i for i in range(1, 61) if i % 5]          # 48 jobs


def test_a_deep_link_restores_filters_sort_page_and_the_open_job(page: Page, served):
    page.goto(f"{served.url}/jobs?status=completed&q=Lake&sort=id&desc=0&page=2"
              "&job=JOB-000007")
    expect(page.get_by_role("heading", name="Job JOB-000007 — Lake study 7")).to_be_visible(
        timeout=20_000)
    page.keyboard.press("Escape")
    expect_ids(page, COMPLETED[25:])
    current_page(page, 2)
    expect(page.get_by_role("textbox", name="Search jobs")).to_have_value("Lake")
    expect(page.get_by_text("2 filters active")).to_be_visible()
    expect(page).to_have_url(re.compile(r"page=2"))
    expect(page).not_to_have_url(re.compile(r"job="))          # closing the job left the URL


def test_back_and_forward_move_between_views(page: Page, served):
    page.goto(f"{served.url}/jobs")
    expect_ids(page, list(range(60, 35, -1)))
    page.get_by_role("button", name="Page 2").click()
    expect_ids(page, list(range(35, 10, -1)))
    expect(page).to_have_url(re.compile(r"\?page=2$"))
    page.get_by_role("button", name=re.compile(r"^Failed")).click()
    expect_ids(page, list(range(60, 0, -5)))
    expect(page).to_have_url(re.compile(r"\?status=failed$"))

    page.go_back()
    expect_ids(page, list(range(35, 10, -1)))
    current_page(page, 2)
    page.go_back()
    expect_ids(page, list(range(60, 35, -1)))
    current_page(page, 1)
    page.go_forward()
    expect_ids(page, list(range(35, 10, -1)))
    page.go_forward()
    expect_ids(page, list(range(60, 0, -5)))


def test_each_tab_keeps_its_own_view(page: Page, served):
    other = page.context.new_page()
    page.goto(f"{served.url}/jobs?status=failed")
    other.goto(f"{served.url}/jobs?sort=id&desc=0")
    expect_ids(page, list(range(60, 0, -5)))
    expect_ids(other, list(range(1, 26)))
    other.get_by_role("button", name="Page 3").click()
    expect_ids(other, list(range(51, 61)))
    expect_ids(page, list(range(60, 0, -5)))
    expect(page).to_have_url(re.compile(r"\?status=failed$"))
    other.close()


def test_a_saved_preset_restores_its_filters_and_the_url_follows(page: Page, served):
    page.goto(f"{served.url}/jobs?status=failed&q=Lake")
    expect_ids(page, list(range(60, 0, -5)))
    page.get_by_role("textbox", name="Preset name").fill("Failed lakes")
    page.get_by_role("button", name="Save preset").click()
    expect(page.get_by_text("Saved preset “Failed lakes”")).to_be_visible()
    assert [p["name"] for p in served.service.presets()] == ["Failed lakes"]
    page.get_by_role("button", name="Clear filters").click()
    expect_ids(page, list(range(60, 35, -1)))
    expect(page).not_to_have_url(re.compile(r"status="))

    page.get_by_role("combobox", name="Preset").select_option("Failed lakes")
    expect_ids(page, list(range(60, 0, -5)))
    expect(page).to_have_url(re.compile(r"\?status=failed&q=Lake$"))
    page.get_by_role("button", name="Delete preset").click()
    expect(page.get_by_text("Deleted preset “Failed lakes”")).to_be_visible()
    assert served.service.presets() == []
