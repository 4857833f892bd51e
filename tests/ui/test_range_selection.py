"""Shift+click selects a range of the page (Selection.select_range, and on the served page
in Chromium): the rows between the last clicked one and the Shift+clicked one join the
selection; plain clicks still toggle one row and clear nothing; the selection survives
moving between pages."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from factories import T0, add_config, add_job
from playwright.sync_api import Page, expect

from jobdash.ui.page.state import Selection
from jobdash.vocab import format_job_id

browser = pytest.mark.browser


def build_history(service) -> dict:
    """Jobs 1-60 "Job i", job i started i hours after T0: page 1 (25 rows, newest first)
    shows jobs 60 down to 36, page 2 jobs 35 down to 11."""
    config = add_config(service, "Hero banners")
    for i in range(1, 61):
        add_job(service, label=f"Job {i}", config_id=config, started_at=T0 + dt.timedelta(hours=i))
    return {}


def test_select_range_takes_the_rows_between_anchor_and_click_either_way():
    page = [60, 59, 58, 57, 56, 55]
    selection = Selection()
    selection.select([11])
    selection.select_range(page, 59, 56)
    assert selection.ids == [11, 59, 58, 57, 56]
    selection.select_range(page, 55, 58)  # upwards, overlapping
    assert selection.ids == [11, 59, 58, 57, 56, 55]
    selection.clear()
    selection.select_range(page, 3, 57)  # anchor on another page
    assert selection.ids == [57]
    selection.select_range(page, 60, 3)  # click off the page
    assert selection.ids == [57]
    with pytest.raises(Exception, match="not a job id"):
        selection.select_range(page, 60, "x")


def open_jobs(page: Page, url: str) -> None:
    page.goto(f"{url}/jobs")
    expect(page.locator(".tabulator-row").first).to_contain_text("JOB-000060", timeout=20_000)


def row(page: Page, position: int):
    """The row at ``position`` (1-based) of the visible page."""
    return page.locator(".tabulator-row").nth(position - 1)


def checkbox_of(page: Page, job_id: int):
    return (
        page.locator(".tabulator-row")
        .filter(has_text=format_job_id(job_id))
        .locator("input[type=checkbox]")
    )


def counter(page: Page):
    return page.get_by_role("status").filter(has_text=re.compile(r"selected$"))


def expect_checked(page: Page, checked: set[int], among: range) -> None:
    for job_id in among:
        box = checkbox_of(page, job_id)
        if job_id in checked:
            expect(box).to_be_checked()
        else:
            expect(box).not_to_be_checked()


@browser
def test_shift_click_selects_the_rows_between_and_they_survive_paging(page: Page, served):
    open_jobs(page, served.url)
    row(page, 2).locator("input[type=checkbox]").click()  # job 59
    expect(counter(page)).to_have_text("1 job selected")
    row(page, 6).locator("input[type=checkbox]").click(modifiers=["Shift"])  # job 55
    expect(counter(page)).to_have_text("5 jobs selected")
    expect_checked(page, {59, 58, 57, 56, 55}, range(54, 61))

    page.get_by_role("button", name="Page 2").click()
    expect(row(page, 1)).to_contain_text("JOB-000035")
    expect(counter(page)).to_have_text("5 jobs selected")
    page.get_by_role("button", name="Page 1").click()
    expect(row(page, 1)).to_contain_text("JOB-000060")
    expect_checked(page, {59, 58, 57, 56, 55}, range(54, 61))
    assert served.service.jobs([55]).shape[0] == 1  # selecting changes nothing


@browser
def test_plain_clicks_keep_others_and_shift_click_on_a_row_goes_upwards(page: Page, served):
    open_jobs(page, served.url)
    checkbox_of(page, 51).click()
    checkbox_of(page, 49).click()  # plain: 51 stays
    expect(counter(page)).to_have_text("2 jobs selected")
    label = row(page, 8).locator(".tabulator-cell[tabulator-field=label]")  # job 53
    label.click(modifiers=["Shift"])  # from 49 up to 53
    expect(counter(page)).to_have_text("5 jobs selected")
    expect_checked(page, {53, 52, 51, 50, 49}, range(47, 56))
    expect(label.locator("input")).to_have_count(0)  # no editor opened
    checkbox_of(page, 51).click()  # plain: toggles one off
    expect(counter(page)).to_have_text("4 jobs selected")
    expect_checked(page, {53, 52, 50, 49}, range(47, 56))


@browser
def test_an_anchor_on_another_page_selects_only_the_clicked_row(page: Page, served):
    open_jobs(page, served.url)
    checkbox_of(page, 60).click()
    page.get_by_role("button", name="Page 2").click()
    expect(row(page, 1)).to_contain_text("JOB-000035")
    row(page, 3).locator("input[type=checkbox]").click(modifiers=["Shift"])  # job 33
    expect(counter(page)).to_have_text("2 jobs selected")
    expect_checked(page, {33}, range(30, 36))
