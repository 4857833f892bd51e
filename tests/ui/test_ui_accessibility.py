"""axe-core (via axe-playwright-python) over every view of the served pages — the Job
Management page with filters chosen, a row's menu, the confirmation, the toolbar, Help, the
Failures tab, each tab of the Single Job View, the Dashboard: no violation of any impact."""

from __future__ import annotations

import datetime as dt

import pytest
from axe_playwright_python.sync_playwright import Axe
from factories import T0, add_config, add_job
from playwright.sync_api import Page, expect
from ui_util import contrast_ratio

pytestmark = pytest.mark.browser


def build_history(service) -> dict:
    """A few jobs of every status, one with a long label and one running."""
    config = add_config(service, "Hero banners")
    for i, status in enumerate(["completed", "failed", "stopped", "running", "pending"] * 3):
        add_job(
            service,
            status=status,
            label=f"Accessible job {i} " + "long " * (i % 3),
            config_id=config,
            started_at=T0 + dt.timedelta(hours=i),
            error_message="timeout" if status == "failed" else None,
            images=[{"qc_status": "approved"}, {"qc_status": "qc_failed"}],
        )
    return {}


def violations(page: Page) -> list[str]:
    result = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {v['nodes'][0]['target']}: "
        f"{v['nodes'][0]['html'][:200]}"
        for v in result.response["violations"]
    ]


def test_job_management_page(page: Page, served):
    page.goto(served.url + "/jobs")
    expect(page.locator(".tabulator-row").first).to_be_visible()
    assert violations(page) == []
    # One main landmark holds the page (Panel's template has none of its own).
    expect(page.get_by_role("main")).to_have_count(1)
    expect(page.get_by_role("main").get_by_role("heading", name="Job Management")).to_be_visible()


def test_job_management_page_in_use(page: Page, served):
    page.goto(served.url + "/jobs")
    expect(page.locator(".tabulator-row").first).to_be_visible()
    status = page.get_by_role("combobox", name="Status")
    status.click()
    page.keyboard.type("Failed")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    expect(page.get_by_role("button", name="Remove item: 'Failed'")).to_be_visible()
    assert violations(page) == [], "a status chosen"
    page.get_by_role("button", name="Clear filters").click()
    expect(page.get_by_role("button", name="Remove item: 'Failed'")).to_have_count(0)

    page.get_by_role("button", name="Presets").click()
    expect(page.get_by_role("textbox", name="Preset name")).to_be_visible()
    assert violations(page) == [], "the presets menu open"
    page.get_by_role("button", name="Presets").click()

    page.get_by_role("button", name="Actions for JOB-000015").click()
    menu = page.get_by_role("menu", name="Actions for JOB-000015")
    expect(menu).to_be_visible()
    assert violations(page) == [], "a row's menu open"
    menu.get_by_role("menuitem", name="Delete").click()
    confirm = page.get_by_role("dialog", name="Delete JOB-000015")
    expect(confirm).to_be_visible()
    assert violations(page) == [], "the delete confirmation"
    confirm.get_by_role("button", name="Cancel").click()

    page.get_by_role("checkbox", name="Select JOB-000015").check()
    expect(page.get_by_role("button", name="Rerun selected")).to_be_visible()
    assert violations(page) == [], "the batch toolbar"

    page.get_by_role("tab", name="Failures", exact=True).click()
    expect(page.get_by_role("tabpanel", name="Failures")).to_be_visible()
    expect(page.locator(".tabulator-row").first).to_be_hidden()  # the Jobs tab's, hidden now
    assert violations(page) == [], "the Failures tab"


def test_job_management_dialogs(page: Page, served):
    page.goto(served.url + "/jobs")
    expect(page.locator(".tabulator-row").first).to_be_visible()
    page.get_by_role("button", name="Help", exact=True).click()
    expect(page.get_by_role("dialog", name="Job Management help")).to_be_visible()
    assert violations(page) == []
    page.keyboard.press("Escape")
    page.get_by_role("button", name="JOB-000002", exact=True).click()
    dialog = page.get_by_role("dialog", name="Job JOB-000002 details")
    expect(dialog).to_be_visible()
    assert violations(page) == [], "Information"
    for tab in ("Images", "Timeline", "Log"):
        dialog.get_by_role("tab", name=tab, exact=True).click()
        expect(dialog.get_by_role("tabpanel", name=tab)).to_be_visible()
        assert violations(page) == [], tab


def test_help_keys_are_readable(page: Page, served):
    # axe leaves this to people: Bootstrap's white <kbd> text stayed on our light key caps.
    page.goto(served.url + "/jobs")
    page.get_by_role("button", name="Help", exact=True).click()
    keys = page.get_by_role("dialog", name="Job Management help").locator("kbd")
    expect(keys.first).to_be_visible()
    colours = keys.evaluate_all(
        "ks => ks.map(k => [getComputedStyle(k).color, getComputedStyle(k).backgroundColor])"
    )
    assert len(colours) > 5
    assert min(contrast_ratio(fg, bg) for fg, bg in colours) >= 4.5


def test_dashboard_page(page: Page, served):
    page.goto(served.url + "/dashboard")
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    expect(page.get_by_role("progressbar")).to_be_visible()
    assert violations(page) == []


def test_focus_is_visible(page: Page, served):
    page.goto(served.url + "/jobs")
    expect(page.locator(".tabulator-row").first).to_be_visible()
    button = page.get_by_role("button", name="Refresh", exact=True)
    button.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")  # keyboard focus: :focus-visible
    outline = button.evaluate(
        "e => getComputedStyle(e).outlineStyle + ' ' + getComputedStyle(e).outlineWidth"
    )
    assert outline == "solid 3px"


def test_tabs_are_aria_tabs_that_the_keyboard_opens(page: Page, served):
    page.goto(served.url + "/jobs")
    expect(page.locator(".tabulator-row").first).to_be_visible()
    expect(page.get_by_role("tablist")).to_have_count(1)
    jobs, failures = (page.get_by_role("tab", name=n, exact=True) for n in ("Jobs", "Failures"))
    expect(jobs).to_have_attribute("aria-selected", "true")
    expect(failures).to_have_attribute("aria-selected", "false")
    expect(failures).to_have_attribute("tabindex", "-1")  # one tab stop: the selected tab
    jobs.focus()
    page.keyboard.press("ArrowRight")
    expect(failures).to_be_focused()
    page.keyboard.press("Enter")
    expect(failures).to_have_attribute("aria-selected", "true")
    expect(page.get_by_role("tabpanel", name="Failures")).to_be_visible()
    expect(page.locator(".tabulator-row").first).to_be_hidden()
    page.keyboard.press("Home")
    expect(jobs).to_be_focused()
    page.keyboard.press(" ")
    expect(jobs).to_have_attribute("aria-selected", "true")
    expect(page.locator(".tabulator-row").first).to_be_visible()

    # The Single Job View's tabs are drawn later, inside its dialog: the same roles and keys.
    page.get_by_role("button", name="JOB-000002", exact=True).click()
    dialog = page.get_by_role("dialog", name="Job JOB-000002 details")
    images, timeline = (
        dialog.get_by_role("tab", name=n, exact=True) for n in ("Images", "Timeline")
    )
    expect(dialog.get_by_role("tab", name="Information")).to_have_attribute("aria-selected", "true")
    images.click()
    expect(images).to_have_attribute("aria-selected", "true")
    page.keyboard.press("ArrowRight")
    expect(timeline).to_be_focused()
    page.keyboard.press("Enter")
    expect(timeline).to_have_attribute("aria-selected", "true")
    expect(dialog.get_by_role("tabpanel", name="Timeline")).to_be_visible()


# The focused element's accessible name, looking through the shadow roots Panel draws in.
FOCUSED = """() => {
  let el = document.activeElement;
  while (el && el.shadowRoot && el.shadowRoot.activeElement) { el = el.shadowRoot.activeElement; }
  return el ? (el.getAttribute('aria-label') || el.textContent || '').trim() : '';
}"""


def test_tab_order_meets_the_tabs_before_what_they_show(page: Page, served):
    page.goto(served.url + "/jobs")
    expect(page.locator(".tabulator-row").first).to_be_visible()
    seen = []  # from the top of the page
    for _ in range(40):
        page.keyboard.press("Tab")
        seen.append(page.evaluate(FOCUSED))
        if seen[-1] == "Jobs":
            break
    assert seen[-1] == "Jobs", seen
    assert not any(name.startswith(("JOB-", "Select", "Next", "Page")) for name in seen), seen


def test_a_dialog_taller_than_the_window_scrolls_from_the_keyboard(page: Page, served):
    page.set_viewport_size({"width": 1000, "height": 420})
    page.goto(served.url + "/jobs")
    expect(page.locator(".tabulator-row").first).to_be_visible()
    page.get_by_role("button", name="Help", exact=True).click()
    dialog = page.get_by_role("dialog", name="Job Management help")
    expect(dialog).to_be_visible()
    body = dialog.locator(".jd-dialog-body")
    assert body.evaluate("e => e.scrollHeight > e.clientHeight")  # it does overflow
    dialog.get_by_role("button", name="Close").focus()
    page.keyboard.press("Tab")
    expect(body).to_be_focused()
    page.keyboard.press("PageDown")
    page.wait_for_function("e => e.scrollTop > 0", arg=body.element_handle())
    assert violations(page) == []
