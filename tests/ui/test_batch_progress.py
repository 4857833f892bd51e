"""Long batch operations show progress and leave the page usable: while one runs the batch
buttons are disabled and a named progress indicator says what runs (state level, and on the
served page in Chromium with an export of about 3,000 jobs, ~2 s here); it ends with the
toast. A second operation is refused while one runs."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from factories import add_config, add_job
from playwright.sync_api import Page, expect

from jobdash.demo import plan
from jobdash.query import JobQuery
from jobdash.store.bulk import load_history
from jobdash.ui.page.actions import JobActions
from jobdash.ui.page.state import JobListing
from jobdash.ui.page.toolbar import BatchToolbar, busy_html
from jobdash.ui.shared.notify import Toaster

JOBS = 3000


def build_history(service) -> dict:
    """A demo history of 3,000 jobs (a few pending), ~32,000 image rows, and one job
    running (the demo leaves none)."""
    load_history(service.store, plan(JOBS, 7, 0, dt.datetime(2026, 11, 1)))
    add_job(service, status="running", label="Running now")
    return {"total": service.get_all(JobQuery()).total}


def test_buttons_are_disabled_and_other_operations_refused_while_one_runs(service):
    config = add_config(service)
    ids = [add_job(service, label=f"Job {i}", config_id=config) for i in range(3)]
    toaster = Toaster()
    listing = JobListing(service)
    actions = JobActions(listing=listing, toaster=toaster)
    toolbar = BatchToolbar(listing=listing, actions=actions)
    listing.selection.select(ids[:2])
    buttons = (toolbar._rerun, toolbar._export, toolbar._delete)
    seen = []

    def while_busy(event):
        seen.append((event.new, [b.disabled for b in buttons], toolbar._busy.object))
        if event.new:
            toolbar.run("rerun")  # ignored: one runs
            actions.run("rerun", ids[2])  # refused, with a toast
            seen.append(toaster.message)

    actions.param.watch(while_busy, "busy")
    assert [b.disabled for b in buttons] == [False] * 3
    toolbar.run("export")
    (text, during, shown), refused, (after, disabled_after, hidden) = seen
    assert text == "Exporting 2 jobs…" and during == [True] * 3
    assert 'role="progressbar" aria-label="Batch operation"' in shown and text in shown
    assert refused == "Please wait: Exporting 2 jobs…"
    assert after == "" and disabled_after == [False] * 3 and hidden == busy_html("")
    assert 'aria-live="polite"' in hidden and "progressbar" not in hidden
    assert toaster.message.startswith("Exported 2 jobs to ")
    assert service.queue() == []  # nothing was rerun


def test_busy_text_is_escaped():
    assert "&lt;b&gt;" in busy_html("Exporting <b>") and "<b>" not in busy_html("Exporting <b>")


def open_all_selected(page: Page, served) -> str:
    """Open the page and select every job (the whole page, then all matching)."""
    total = f"{served.facts['total']:,}"
    page.goto(f"{served.url}/jobs")
    expect(page.locator(".tabulator-row").first).to_be_visible(timeout=20_000)
    page.locator(".tabulator-header input[type=checkbox]").click()
    page.get_by_role("button", name=f"Select all {total} matching").click()
    expect(page.get_by_role("status").filter(has_text=re.compile("selected$"))).to_have_text(
        f"{total} jobs selected"
    )
    return total


@pytest.mark.browser
def test_export_of_thousands_shows_progress_and_the_page_stays_usable(page: Page, served):
    total = open_all_selected(page, served)
    export = page.get_by_role("button", name="Export selected")
    bar = page.get_by_role("progressbar", name="Batch operation")
    first = page.locator(".tabulator-row").first
    shown_first = first.inner_text()
    with page.expect_download(timeout=60_000) as download:
        export.click()
        expect(bar).to_be_visible()
        expect(bar).to_have_attribute("aria-valuetext", f"Exporting {total} jobs…")
        expect(page.get_by_role("status").filter(has=bar)).to_contain_text(
            f"Exporting {total} jobs…"
        )
        expect(export).to_be_disabled()
        expect(page.get_by_role("button", name="Delete selected")).to_be_disabled()
        page.get_by_role("button", name="Page 2").click()  # the page still answers
        expect(first).not_to_have_text(shown_first)
        expect(bar).to_be_visible()  # ... while it runs
    assert download.value.suggested_filename.endswith(".xlsx")
    expect(page.get_by_text(re.compile(f"^Exported {total} jobs to ")).first).to_be_visible()
    expect(bar).to_be_hidden()
    expect(export).to_be_enabled()


@pytest.mark.browser
def test_a_refused_delete_ends_the_progress_with_its_toast(page: Page, served):
    total = open_all_selected(page, served)
    page.get_by_role("button", name="Delete selected").click()
    page.get_by_role("dialog", name=f"Delete {total} jobs").get_by_role(
        "button", name="Delete"
    ).click()
    expect(page.get_by_text(re.compile(r"^Cannot delete running jobs: JOB-")).first).to_be_visible()
    expect(page.get_by_role("progressbar", name="Batch operation")).to_be_hidden()
    expect(page.get_by_role("button", name="Delete selected")).to_be_enabled()
    assert served.service.get_all(JobQuery()).total == served.facts["total"]
