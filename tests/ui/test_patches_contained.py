"""jobdash's patches of Panel's and Bokeh's views stay on jobdash's own components: served in
one document with the JobManager, a stock Tabulator, a stock Tabs and a stock MultiChoice
draw and behave as stock while jobdash's keep their changes (Chromium)."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import panel as pn
import pytest
from factories import add_config, add_job
from playwright.sync_api import Page, expect
from ui_util import free_port, listening, stop_serving, wait_until

import jobdash
from jobdash.server import Access, start_server
from jobdash.service import JobService
from jobdash.ui.page.manager import JobManager

pytestmark = pytest.mark.browser

# Once a table's first row is there, counts the changes to its rows (window.rowChanges[cls]
# for the table whose element has class cls): a redraw renders every row again.
COUNT_ROW_CHANGES = """
window.rowChanges = {};
const watch = (cls) => {
  window.rowChanges[cls] = 0;
  const look = () => {
    const host = [...document.querySelectorAll('*')].map((el) => el.shadowRoot)
      .filter(Boolean).flatMap((root) => [...root.querySelectorAll('.' + cls)])
      .concat([...document.querySelectorAll('.' + cls)])[0];
    const row = host && host.shadowRoot && host.shadowRoot.querySelector('.tabulator-row');
    if (!row) { requestAnimationFrame(look); return; }
    new MutationObserver((records) => { window.rowChanges[cls] += records.length; })
      .observe(row.parentElement, {childList: true, subtree: true});
  };
  requestAnimationFrame(look);
};
watch('jd-table'); watch('stock-table');
"""
# Resolves once the table's rows have not changed for 500 ms (Panel redraws a stock table
# after its first render, replacing its rows and whatever had focus in them).
SETTLED = """(holder) => new Promise((resolve) => {
  let timer = setTimeout(resolve, 500);
  new MutationObserver(() => { clearTimeout(timer); timer = setTimeout(resolve, 500); })
    .observe(holder, {childList: true, subtree: true});
})"""
# The deepest focused element's row (its first cell's text), or null.
FOCUSED_ROW = """() => {
  let el = document.activeElement;
  while (el && el.shadowRoot && el.shadowRoot.activeElement) { el = el.shadowRoot.activeElement; }
  const row = el && el.closest && el.closest('.tabulator-row');
  return row ? row.textContent : null;
}"""


def stock_page(service: JobService) -> pn.Column:
    """The JobManager with stock components beside it."""
    frame = pd.DataFrame({"fruit": ["apple", "cherry", "banana"], "size": [3, 1, 2]})
    return pn.Column(
        JobManager(service),
        pn.widgets.Tabulator(
            frame, selectable="checkbox", show_index=False, css_classes=["stock-table"], width=400
        ),
        pn.Tabs(("One", "first panel"), ("Two", "second panel"), css_classes=["stock-tabs"]),
        pn.widgets.MultiChoice(
            label="Fruit", options=["apple", "banana"], css_classes=["stock-choice"]
        ),
    )


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    service = jobdash.open(tmp_path_factory.mktemp("stock") / "jobs.duckdb", runner=False)
    config = add_config(service, "Hero banners")
    for i in (1, 2, 3):
        add_job(service, label=f"Lake study {i}", config_id=config)
    port = free_port()
    server = start_server(
        service,
        access=Access(port=port),
        threaded=True,
        extra_routes={"stock": lambda: stock_page(service)},
    )
    try:
        wait_until(lambda: listening(port), timeout=20)
        yield f"http://127.0.0.1:{port}/stock"
    finally:
        stop_serving(server, service)


def opened(page: Page, url: str) -> None:
    page.set_viewport_size({"width": 1360, "height": 1200})
    page.goto(url)
    expect(page.locator(".stock-table .tabulator-row").first).to_be_visible(timeout=20_000)
    expect(page.locator(".jd-table .tabulator-row").first).to_be_visible(timeout=20_000)


def test_only_jobdash_tables_skip_panels_redraws(page: Page, url: str):
    page.add_init_script(COUNT_ROW_CHANGES)
    opened(page, url)
    page.wait_for_timeout(1500)  # Panel's redraws come within ~0.5 s of the first render
    changes = page.evaluate("() => window.rowChanges")
    assert changes["jd-table"] == 0
    assert changes["stock-table"] > 0  # Panel redraws a new table after its first render


def test_a_stock_tabulator_keeps_panels_columns_and_keys(page: Page, url: str):
    opened(page, url)
    stock = page.locator(".stock-table")
    stock.locator(".tabulator-tableholder").evaluate(SETTLED)
    expect(stock.locator("button.jd-sort")).to_have_count(0)
    expect(stock.get_by_label("Select all jobs on this page")).to_have_count(0)
    expect(page.locator(".jd-table").get_by_label("Select all jobs on this page")).to_have_count(1)
    # Its header sorts its rows in the browser (jobdash's keeps the server's order).
    stock.locator(".tabulator-col[tabulator-field=fruit] .tabulator-col-title").click()
    expect(stock.locator(".tabulator-row").first).to_contain_text("apple")
    expect(stock.locator(".tabulator-row").last).to_contain_text("cherry")
    # The job table's arrow keys leave a stock table's focused row where it is.
    stock.locator(".tabulator-row").first.evaluate("(row) => { row.tabIndex = -1; row.focus(); }")
    page.keyboard.press("ArrowDown")
    assert "apple" in page.evaluate(FOCUSED_ROW)


def test_stock_tabs_have_bokehs_headers(page: Page, url: str):
    opened(page, url)
    stock = page.locator(".stock-tabs")
    expect(stock.get_by_text("first panel")).to_be_visible()
    headers = stock.locator(".bk-tab")
    expect(headers).to_have_count(2)
    for i in range(2):
        expect(headers.nth(i)).not_to_have_attribute("role", "tab")
        expect(headers.nth(i)).not_to_have_attribute("aria-selected", "true")
        expect(headers.nth(i)).not_to_have_attribute("aria-selected", "false")
    expect(stock.locator("[role=tablist]")).to_have_count(0)
    expect(stock.locator("[role=tabpanel]")).to_have_count(0)
    headers.nth(0).focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    expect(stock.get_by_text("first panel")).to_be_visible()  # no keys on stock tabs
    # jobdash's own tabs are ARIA tabs.
    expect(page.get_by_role("tablist")).to_have_count(1)
    expect(page.get_by_role("tab", name="Jobs")).to_have_attribute("aria-selected", "true")


def test_a_stock_multichoice_keeps_bokehs_naming(page: Page, url: str):
    opened(page, url)
    stock = page.locator(".stock-choice")
    expect(stock.locator(".choices")).to_have_count(1)
    expect(stock.locator(".choices")).not_to_have_attribute("aria-labelledby", "title")
    expect(stock.locator("label")).to_have_attribute("for", "input")
    expect(page.locator(".jd-status .choices")).to_have_attribute("aria-labelledby", "title")


def test_outside_the_written_for_versions_the_whole_page_draws_as_stock(
    page: Page, url: str, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(pn, "__version__", "1.11.0")  # read as each page is built
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    opened(page, url)
    expect(page.locator(".jd-table .tabulator-row").filter(has_text="Lake study 2")).to_be_visible()
    expect(page.get_by_role("tablist")).to_have_count(0)  # jobdash's tabs are stock too
    expect(page.locator(".jd-status .choices")).not_to_have_attribute("aria-labelledby", "title")
    assert errors == []
