"""Keyboard focus in the job table survives live updates (served page, Chromium).

While a job runs, every live-update tick patches its row and Panel's Tabulator re-renders
the rows, replacing their elements; the element the keyboard was on is focused again in its
new row (same job, same column), so arrows, Space and Enter go on working and the selection
stays as it was."""

from __future__ import annotations

import datetime as dt

import pytest
from factories import T0, add_config, add_job
from playwright.sync_api import Page, expect
from ui_util import wait_for_table_settled, wait_until

from jobdash.vocab import format_job_id

pytestmark = pytest.mark.browser


def build_history(service) -> dict:
    """Jobs 1-8 completed, one an hour, and job 9 running (the newest: the first row)."""
    config = add_config(service, "Hero banners")
    for i in range(1, 9):
        add_job(
            service,
            label=f"Lake study {i}",
            config_id=config,
            started_at=T0 + dt.timedelta(hours=i),
        )
    running = add_job(
        service,
        status="running",
        label="Busy one",
        config_id=config,
        started_at=T0 + dt.timedelta(hours=9),
    )
    return {"running": running, "config": config}


def row_of(page: Page, job_id: int):
    return page.locator(".tabulator-row").filter(has_text=format_job_id(job_id))


def advance(page: Page, served, job_id: int, progress: int) -> None:
    """Record progress the way the runner does and wait until the live update shows it."""
    served.service.record(job_id, progress=progress, step="generate")
    expect(row_of(page, job_id).locator(".jd-badge")).to_have_text(f"Running · {progress}%")


def test_focus_and_selection_survive_live_row_updates(page: Page, served):
    running = served.facts["running"]
    page.goto(f"{served.url}/jobs")
    expect(page.locator(".tabulator-row").first).to_contain_text(
        format_job_id(running), timeout=20_000
    )
    expect(page.locator(".tabulator-row").nth(1)).to_contain_text(format_job_id(8))
    wait_for_table_settled(page)

    page.get_by_role("heading", name="Job Management", exact=True).click()
    page.keyboard.press("ArrowDown")  # onto the first row (the running job)
    page.keyboard.press("Tab")  # its checkbox (the table's one Tab stop)
    page.keyboard.press("ArrowRight")  # its Job ID button
    button = row_of(page, running).locator("button.jd-jobid")
    expect(button).to_be_focused()

    advance(page, served, running, 10)  # two live patches of the row
    advance(page, served, running, 20)
    expect(button).to_be_focused()  # the new row's button

    page.keyboard.press("ArrowDown")  # job 8's Job ID button (the grid's next row)
    advance(page, served, running, 30)
    expect(row_of(page, 8).locator("button.jd-jobid")).to_be_focused()
    page.keyboard.press("ArrowLeft")  # its checkbox
    checkbox = row_of(page, 8).locator("input[type=checkbox]")
    expect(checkbox).to_be_focused()
    page.keyboard.press("Space")
    expect(checkbox).to_be_checked()
    advance(page, served, running, 40)
    expect(checkbox).to_be_checked()  # the selection is kept
    expect(row_of(page, running).locator("input[type=checkbox]")).not_to_be_checked()
    expect(page.get_by_text("1 job selected")).to_be_visible()

    search = page.get_by_role("textbox", name="Search jobs")
    search.focus()  # focus outside the table stays there
    advance(page, served, running, 50)
    expect(search).to_be_focused()


# A column of the page's table models (what Panel's view draws from), so a
# test can see a live update arrive while the table holds back drawing it.
_MODEL_JS = """(column) => [...window.Bokeh.documents].flatMap((doc) => [...doc.all_models])
  .filter((m) => m.constructor.__qualified__ === 'panel.models.tabulator.DataTabulator')
  .flatMap((m) => [...(m.source.data[column] ?? [])].map(String)).join('\\n')"""


def test_an_open_label_editor_survives_live_updates(page: Page, served, monkeypatch):
    running = served.facts["running"]
    renames = []
    rename = served.service.rename
    monkeypatch.setattr(
        served.service,
        "rename",
        lambda job_id, label: renames.append(job_id) or rename(job_id, label),
    )
    page.goto(f"{served.url}/jobs")
    cell = row_of(page, 8).locator(".tabulator-cell[tabulator-field=label]")
    expect(cell).to_be_visible(timeout=20_000)
    wait_for_table_settled(page)
    cell.click()
    editor = cell.locator("input")
    expect(editor).to_be_focused()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("Renamed while")
    for progress in (60, 70):  # two live patches reach the page
        served.service.record(running, progress=progress, step="generate")
        wait_until(lambda p=progress: f"{p}%" in page.evaluate(_MODEL_JS, "status"))
    page.keyboard.type(" it ran")
    expect(editor).to_be_focused()  # the same editor, text and caret kept
    expect(editor).to_have_value("Renamed while it ran")
    page.keyboard.press("Enter")
    expect(cell).to_have_text("Renamed while it ran")
    expect(row_of(page, running).locator(".jd-badge")).to_have_text("Running · 70%")
    assert served.service.get_by_id(8).job["label"] == "Renamed while it ran"
    assert renames == [8]

    cell.click()  # Escape still cancels, updates drawn
    page.keyboard.type(" and more")
    served.service.record(running, progress=80, step="generate")
    wait_until(lambda: "80%" in page.evaluate(_MODEL_JS, "status"))
    page.keyboard.press("Escape")
    expect(cell.locator("input")).to_have_count(0)
    expect(cell).to_have_text("Renamed while it ran")
    expect(row_of(page, running).locator(".jd-badge")).to_have_text("Running · 80%")
    assert renames == [8]


def test_a_label_edited_while_rows_move_renames_its_own_job(page: Page, served):
    page.goto(f"{served.url}/jobs")
    cell = row_of(page, 7).locator(".tabulator-cell[tabulator-field=label]")
    expect(cell).to_be_visible(timeout=20_000)
    wait_for_table_settled(page)
    cell.click()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("Still job 7")
    before = page.evaluate(_MODEL_JS, "id").split()
    newcomer = served.service.start(served.facts["config"], label="Newcomer")["id"]
    wait_until(lambda: str(newcomer) in page.evaluate(_MODEL_JS, "id").split())
    assert page.evaluate(_MODEL_JS, "id").split().index("7") != before.index("7")
    page.keyboard.press("Enter")  # reported at job 7's new position
    expect(cell).to_have_text("Still job 7")
    expect(row_of(page, newcomer)).to_contain_text("Newcomer")
    assert served.service.get_by_id(7).job["label"] == "Still job 7"
    assert served.service.get_by_id(newcomer).job["label"] == "Newcomer"
