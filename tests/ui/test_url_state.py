"""The view in the URL of the served Job Management page, in Chromium: a deep link restores
filters, sort, page and the open job; Back / Forward move between views; each tab keeps
its own."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from factories import T0, add_config, add_job
from playwright.sync_api import Page, expect
from ui_util import free_port, listening, wait_for_table_settled, wait_until

from jobdash.server import Access, start_server
from jobdash.ui.page.manager import JobManager
from jobdash.vocab import format_job_id

pytestmark = pytest.mark.browser


def build_history(service) -> dict:
    """60 jobs "Lake study i", one an hour (id 1 oldest); ids divisible by 5 failed."""
    config = add_config(service, "Hero banners")
    for i in range(1, 61):
        add_job(
            service,
            status="failed" if i % 5 == 0 else "completed",
            label=f"Lake study {i}",
            config_id=config,
            started_at=T0 + dt.timedelta(hours=i),
            error_message="Generation timed out" if i % 5 == 0 else None,
        )
    return {}


def expect_ids(page: Page, ids: list[int]) -> None:
    expect(page.locator(".tabulator-row .tabulator-cell[tabulator-field=job]")).to_have_text(
        [format_job_id(i) for i in ids], timeout=20_000
    )


def current_page(page: Page, n: int) -> None:
    expect(page.get_by_role("button", name=f"Page {n}")).to_have_attribute("aria-current", "page")


COMPLETED = [i for i in range(1, 61) if i % 5]  # 48 jobs


def test_a_deep_link_restores_filters_sort_page_and_the_open_job(page: Page, served):
    page.goto(f"{served.url}/jobs?status=completed&q=Lake&sort=id&desc=0&page=2&job=JOB-000007")
    expect(page.get_by_role("heading", name="Job JOB-000007 — Lake study 7")).to_be_visible(
        timeout=20_000
    )
    page.keyboard.press("Escape")
    expect_ids(page, COMPLETED[25:])
    current_page(page, 2)
    expect(page.get_by_role("textbox", name="Search jobs")).to_have_value("Lake")
    expect(page.get_by_text("2 filters active")).to_be_visible()
    expect(page).to_have_url(re.compile(r"page=2"))
    expect(page).not_to_have_url(re.compile(r"job="))  # closing the job left the URL


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
    page.get_by_role("button", name="Presets").click()  # the menu on the filter bar
    page.get_by_role("textbox", name="Preset name").fill("Failed lakes")
    page.get_by_role("button", name="Save preset").click()
    expect(page.get_by_text("Saved preset “Failed lakes”").first).to_be_visible()
    assert [p["name"] for p in served.service.presets()] == ["Failed lakes"]
    page.get_by_role("button", name="Clear filters").click()
    expect_ids(page, list(range(60, 35, -1)))
    expect(page).not_to_have_url(re.compile(r"status="))

    page.get_by_role("button", name="Presets").click()  # closed by the press outside it
    page.get_by_role("combobox", name="Preset").select_option("Failed lakes")
    expect_ids(page, list(range(60, 0, -5)))
    expect(page).to_have_url(re.compile(r"\?status=failed&q=Lake$"))
    page.get_by_role("button", name="Delete preset").click()
    page.get_by_role("dialog", name="Delete preset").get_by_role("button", name="Delete").click()
    expect(page.get_by_text("Deleted preset “Failed lakes”").first).to_be_visible()
    assert served.service.presets() == []


# History entries: loading a URL (a link, the address bar, a reload) adds none of its own;
# each change of the view made on the page (a filter, a page, opening or closing a job)
# pushes exactly one; Back / Forward add none.


def history_length(page: Page) -> int:
    return page.evaluate("history.length")


def settle(page: Page) -> None:
    """Wait until the served page is built and its table has stopped redrawing, then a
    little longer: the page's first URL write (and the deep link's job opening) are done."""
    expect(page.locator(".tabulator-row").first).to_be_visible(timeout=20_000)
    wait_for_table_settled(page)
    page.wait_for_timeout(500)


def dialog_heading(page: Page, job: int):
    return page.get_by_role("heading", name=re.compile(rf"^Job {format_job_id(job)} — "))


def back_until(page: Page, path: str, limit: int = 6) -> list[str]:
    """Press Back until the address bar shows ``path``; the path and query seen after each
    press (the last one ends with ``path``)."""
    seen: list[str] = []
    while not seen or not seen[-1].endswith(path):
        assert len(seen) < limit, f"still not at {path} after {limit} presses: {seen}"
        page.go_back()
        page.wait_for_timeout(300)  # a same-document entry: let popstate run
        seen.append(page.evaluate("location.pathname + location.search"))
    return seen


def test_a_job_opened_from_the_dashboard_adds_one_entry_and_back_returns(page: Page, served):
    page.goto(served.url + "/dashboard")
    before = history_length(page)
    link = page.get_by_role("table").get_by_role("link", name=format_job_id(60), exact=True)
    link.click()
    expect(dialog_heading(page, 60)).to_be_visible(timeout=20_000)
    settle(page)
    assert history_length(page) == before + 1  # the link's own entry only
    page.keyboard.press("Escape")
    expect(dialog_heading(page, 60)).to_be_hidden()
    expect(page).to_have_url(f"{served.url}/jobs")
    assert history_length(page) == before + 2  # closing pushed one entry

    seen = back_until(page, "/dashboard")
    assert seen == ["/jobs?job=JOB-000060", "/dashboard"]  # the job once, then home


def test_loading_a_deep_link_adds_no_history_entry(page: Page, served):
    page.goto(served.url + "/jobs")
    settle(page)
    plain = history_length(page)
    page.goto(served.url + "/jobs?status=failed&job=JOB-000010")
    expect(dialog_heading(page, 10)).to_be_visible(timeout=20_000)
    settle(page)
    assert history_length(page) == plain + 1  # as for a plain page load
    expect(page).to_have_url(f"{served.url}/jobs?status=failed&job=JOB-000010")
    page.keyboard.press("Escape")
    expect(dialog_heading(page, 10)).to_be_hidden()
    expect(page).to_have_url(f"{served.url}/jobs?status=failed")

    assert back_until(page, "/jobs") == ["/jobs?status=failed&job=JOB-000010", "/jobs"]
    expect(page.get_by_role("dialog")).to_be_hidden()


def test_a_filter_change_after_a_deep_link_goes_back_to_the_linked_filter(page: Page, served):
    page.goto(served.url + "/dashboard")
    before = history_length(page)
    page.goto(served.url + "/jobs?status=completed&job=JOB-000007")
    expect(dialog_heading(page, 7)).to_be_visible(timeout=20_000)
    settle(page)
    page.keyboard.press("Escape")
    expect(dialog_heading(page, 7)).to_be_hidden()
    latest = sorted(COMPLETED, reverse=True)[:25]
    expect_ids(page, latest)
    page.get_by_role("button", name=re.compile(r"^Failed")).click()
    expect_ids(page, list(range(60, 0, -5)))
    expect(page).to_have_url(f"{served.url}/jobs?status=failed")
    assert history_length(page) == before + 3  # the link, closing, the filter

    assert back_until(page, "/dashboard") == [
        "/jobs?status=completed",
        "/jobs?status=completed&job=JOB-000007",
        "/dashboard",
    ]
    page.go_forward()
    expect(dialog_heading(page, 7)).to_be_visible(timeout=20_000)
    expect(page).to_have_url(f"{served.url}/jobs?status=completed&job=JOB-000007")
    page.go_forward()
    expect(dialog_heading(page, 7)).to_be_hidden()
    expect_ids(page, latest)
    page.go_forward()
    expect_ids(page, list(range(60, 0, -5)))
    expect(page).to_have_url(f"{served.url}/jobs?status=failed")
    assert history_length(page) == before + 3  # Back / Forward added none


def test_a_link_not_in_canonical_form_is_corrected_in_place(page: Page, served):
    page.goto(served.url + "/dashboard")
    before = history_length(page)
    page.goto(served.url + "/jobs?page=abc&job=10")
    expect(dialog_heading(page, 10)).to_be_visible(timeout=20_000)
    expect(page).to_have_url(f"{served.url}/jobs?job=JOB-000010")
    settle(page)
    assert history_length(page) == before + 1  # replaced, not pushed


def toast(page: Page, text: str):
    """The toast saying ``text`` (Panel's notification; the live region says it too)."""
    return page.locator(".notyf__message").filter(has_text=text)


def test_a_link_with_invalid_values_applies_the_rest_and_says_what_it_ignored(page: Page, served):
    page.goto(served.url + "/jobs?status=failed,,,%00&desc=maybe&page=-3")
    expect_ids(page, list(range(60, 0, -5)))  # failed jobs, newest first: the defaults
    current_page(page, 1)
    expect(
        toast(page, "Ignored in this link (not valid): status=%00, desc=maybe, page=-3")
    ).to_be_visible(timeout=20_000)
    expect(page).to_have_url(f"{served.url}/jobs?status=failed")


def test_a_link_with_a_bad_date_sort_size_and_job_keeps_its_search(page: Page, served):
    page.goto(
        served.url + "/jobs?q=Lake+study+1&from=2026-13-45&sort=bogus&size=33&job=nope&config=1,x"
    )
    expect_ids(page, [19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 1])
    expect(
        toast(
            page,
            "Ignored in this link (not valid): from=2026-13-45, config=x, sort=bogus, "
            "size=33, job=nope",
        )
    ).to_be_visible(timeout=20_000)
    expect(page.get_by_role("dialog")).to_be_hidden()
    expect(page).to_have_url(f"{served.url}/jobs?config=1&q=Lake+study+1")


def test_back_closes_a_job_opened_from_the_table_and_forward_reopens_it(page: Page, served):
    page.goto(served.url + "/jobs")
    settle(page)
    before = history_length(page)
    page.get_by_role("button", name="JOB-000060", exact=True).click()
    expect(dialog_heading(page, 60)).to_be_visible(timeout=20_000)
    expect(page).to_have_url(f"{served.url}/jobs?job=JOB-000060")
    assert history_length(page) == before + 1  # opening pushed one entry

    page.go_back()  # to the URL the page loaded
    expect(page).to_have_url(f"{served.url}/jobs")
    expect(dialog_heading(page, 60)).to_be_hidden()
    page.go_forward()
    expect(dialog_heading(page, 60)).to_be_visible()
    assert history_length(page) == before + 1


def test_a_job_manager_served_on_its_own_keeps_its_view_in_the_url(page: Page, served):
    """Not only the app's /jobs page: any served JobManager has the one URL writer."""
    port = free_port()
    server = start_server(
        served.service,
        access=Access(port=port),
        threaded=True,
        extra_routes={"own": lambda: JobManager(served.service)},
    )
    try:
        wait_until(lambda: listening(port), timeout=20)
        own = f"http://127.0.0.1:{port}/own"
        page.goto(own + "?status=failed&job=JOB-000010")
        expect(dialog_heading(page, 10)).to_be_visible(timeout=20_000)
        page.keyboard.press("Escape")
        expect(page).to_have_url(own + "?status=failed")
        page.get_by_role("button", name="Page 1").wait_for()
        page.get_by_role("button", name=re.compile("^Completed")).click()
        expect(page).to_have_url(own + "?status=completed")
        page.go_back()
        expect(page).to_have_url(own + "?status=failed")
    finally:
        server.stop()
        server.join(timeout=10)
