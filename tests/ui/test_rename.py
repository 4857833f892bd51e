"""Inline rename of a job's label on the served page in Chromium: a click or Enter on the
focused label cell edits it (reaching it with Tab does not), Enter saves, Escape cancels, a
label the service refuses (empty, control characters) is rolled back with an error toast."""

from __future__ import annotations

import pytest
from factories import add_config, add_job
from playwright.sync_api import Page, expect
from ui_util import wait_for_table_settled

from jobdash.vocab import format_job_id

pytestmark = pytest.mark.browser


def build_history(service) -> dict:
    """Three completed jobs labelled "Lake study 1".."Lake study 3"."""
    config = add_config(service, "Hero banners")
    return {"ids": [add_job(service, label=f"Lake study {i}", config_id=config) for i in (1, 2, 3)]}


def label_cell(page: Page, job_id: int):
    row = page.locator(".tabulator-row").filter(has_text=format_job_id(job_id))
    return row.locator(".tabulator-cell[tabulator-field=label]")


def tab_to_label(page: Page, served, job_id: int):
    """Open the jobs page and move from the job's Job ID onto its label cell (focused): the
    table is one Tab stop, its cells reached with the arrow keys."""
    page.goto(f"{served.url}/jobs")
    cell = label_cell(page, job_id)
    expect(cell).to_be_visible(timeout=20_000)
    wait_for_table_settled(page)
    row = page.locator(".tabulator-row").filter(has_text=format_job_id(job_id))
    row.locator("button.jd-jobid").focus()
    page.keyboard.press("ArrowRight")
    expect(cell).to_be_focused()
    return cell


def label_of(served, job_id: int) -> str:
    return served.service.jobs([job_id])["label"].iloc[0]


def start_editing(page: Page, served, job_id: int):
    page.goto(f"{served.url}/jobs")
    cell = label_cell(page, job_id)
    expect(cell).to_be_visible(timeout=20_000)
    cell.click()
    editor = cell.locator("input")
    expect(editor).to_be_focused()
    return cell, editor


def test_enter_saves_the_new_label(page: Page, served):
    cell, editor = start_editing(page, served, 2)
    expect(editor).to_have_value("Lake study 2")
    editor.fill("  Sunset shoot  ")
    editor.press("Enter")
    expect(cell).to_have_text("Sunset shoot")
    expect(page.get_by_text("Renamed JOB-000002 to “Sunset shoot”").first).to_be_visible()
    assert label_of(served, 2) == "Sunset shoot"


def test_escape_cancels(page: Page, served):
    cell, editor = start_editing(page, served, 1)
    editor.fill("Never saved")
    editor.press("Escape")
    expect(cell).to_have_text("Lake study 1")
    expect(cell.locator("input")).to_have_count(0)
    assert label_of(served, 1) == "Lake study 1"


@pytest.mark.parametrize(
    "typed, why", [("", "cannot be empty"), ("bad\u0007bell", "control characters")]
)
def test_a_refused_label_is_rolled_back(page: Page, served, typed, why):
    cell, editor = start_editing(page, served, 3)
    editor.fill(typed)
    editor.press("Enter")
    expect(page.get_by_text("JOB-000003 was not renamed").first).to_contain_text(why)
    expect(cell).to_have_text("Lake study 3")
    assert label_of(served, 3) == "Lake study 3"


def test_keyboard_enter_on_the_focused_label_edits_it(page: Page, served):
    cell = tab_to_label(page, served, 1)  # not editing yet
    expect(cell.locator("input")).to_have_count(0)
    page.keyboard.press("Enter")  # edits
    editor = cell.locator("input")
    expect(editor).to_be_focused()
    expect(editor).to_have_value("Lake study 1")
    page.keyboard.press("Escape")  # cancels
    expect(editor).to_have_count(0)
    assert label_of(served, 1) == "Lake study 1"

    cell.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("Typed by keyboard")
    page.keyboard.press("Enter")  # saves
    expect(cell).to_have_text("Typed by keyboard")
    expect(page.get_by_text("Renamed JOB-000001 to “Typed by keyboard”").first).to_be_visible()
    assert label_of(served, 1) == "Typed by keyboard"


OUTLINE_JS = "e => getComputedStyle(e).outlineStyle + ' ' + getComputedStyle(e).outlineWidth"


def test_the_focused_label_cell_shows_a_focus_ring(page: Page, served):
    cell = tab_to_label(page, served, 2)  # keyboard focus: :focus-visible
    assert cell.evaluate(OUTLINE_JS) == "solid 3px"
    page.keyboard.press("Enter")  # editing: the cell keeps a ring
    expect(cell.locator("input")).to_be_focused()
    assert cell.evaluate(OUTLINE_JS) == "solid 3px"
    page.keyboard.press("Escape")
