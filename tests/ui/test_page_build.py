"""How the served Job Management page is built and first drawn, in Chromium: a build slower
than the browser's request for the document still ends in the whole page; the job table is
drawn once (no redraw renders its rows again after the first render), yet still relays
itself out when the window narrows."""

from __future__ import annotations

import time

import pytest
from factories import add_config, add_job
from playwright.sync_api import Page, expect
from ui_util import wait_until

from jobdash.ui import app

pytestmark = pytest.mark.browser

FIRST_ROW = ".tabulator-row"
# Once the table's first row is there, counts the changes to the table's rows and cells
# (window.jdRowChanges): a redraw renders every row again.
COUNT_ROW_CHANGES = """
window.jdRowChanges = 0;
const deepFirst = (root) => {
  const hit = root.querySelector('.tabulator-row');
  if (hit) { return hit; }
  for (const el of root.querySelectorAll('*')) {
    if (el.shadowRoot) { const found = deepFirst(el.shadowRoot); if (found) { return found; } }
  }
  return null;
};
const look = () => {
  const row = deepFirst(document);
  if (row === null) { requestAnimationFrame(look); return; }
  new MutationObserver((records) => { window.jdRowChanges += records.length; })
    .observe(row.parentElement, {childList: true, subtree: true});
};
requestAnimationFrame(look);
"""
HIDDEN_HEADERS = """(table) => [...table.querySelectorAll('.tabulator-col')]
  .filter((col) => col.style.display === 'none').length"""


def build_history(service) -> dict:
    """Three completed jobs labelled "Lake study 1".."Lake study 3"."""
    config = add_config(service, "Hero banners")
    return {"ids": [add_job(service, label=f"Lake study {i}", config_id=config) for i in (1, 2, 3)]}


def test_a_build_slower_than_the_browser_still_shows_the_whole_page(
    page: Page, served, monkeypatch
):
    built = app.JobManager

    def slow_manager(*args, **kwargs):
        time.sleep(3)  # the browser has its scripts and asks for the document meanwhile
        return built(*args, **kwargs)

    monkeypatch.setattr(app, "JobManager", slow_manager)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{served.url}/jobs")
    expect(page.locator(FIRST_ROW).filter(has_text="Lake study 2")).to_be_visible(timeout=20_000)
    expect(page.get_by_role("heading", name="Job Management")).to_be_visible()
    assert errors == []


def test_the_table_is_not_redrawn_after_its_first_render(page: Page, served):
    page.set_viewport_size({"width": 1360, "height": 1000})
    page.add_init_script(COUNT_ROW_CHANGES)
    page.goto(f"{served.url}/jobs")
    expect(page.locator(FIRST_ROW).first).to_be_visible(timeout=20_000)
    page.wait_for_timeout(1500)  # Panel's redraws came within ~0.5 s of the first render
    assert page.evaluate("() => window.jdRowChanges") == 0


def test_a_narrower_window_still_relays_the_table_out(page: Page, served):
    page.set_viewport_size({"width": 1360, "height": 1000})
    page.goto(f"{served.url}/jobs")
    expect(page.locator(FIRST_ROW).first).to_be_visible(timeout=20_000)
    table = page.locator(".tabulator").first
    wide = table.evaluate(HIDDEN_HEADERS)
    page.set_viewport_size({"width": 900, "height": 1000})
    wait_until(lambda: table.evaluate(HIDDEN_HEADERS) > wide, timeout=10)
