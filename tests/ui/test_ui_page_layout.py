"""The Job Management page's first impression (issue 21), in Chromium at 1280×900 on the demo
history: rows above the fold, the batch toolbar only while something is selected, a filter
bar on one baseline that never moves the page, dates typed as the table shows them, the ⋮
actions menu by keyboard and right-click, the table as one Tab stop with arrow keys inside,
the skip link and Tab count to the pager, focus rings whole at 3:1, and toasts that cover
no table control, and no colour off the design tokens."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Locator, Page, expect
from ui_util import contrast_ratio, wait_for_table_settled

from jobdash.demo import plan
from jobdash.query import JobQuery
from jobdash.store.bulk import load_history
from jobdash.tokens import COLORS, STATUS_TONES

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 1280, 900
JOBS = 2000  # as `jobdash demo` writes

# The element that has the keyboard focus, through the shadow roots Panel draws into.
FOCUSED_JS = """() => { let a = document.activeElement;
  while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
  return a; }"""


def build_history(service) -> dict:
    """The demo history (2,000 jobs, the newest pending), as `jobdash demo` writes it."""
    load_history(service.store, plan(JOBS, 7, 0, dt.datetime(2026, 11, 1)))
    page = service.get_all(JobQuery(page_size=25))
    return {"total": page.total, "ids": [int(i) for i in page.rows["id"]]}


@pytest.fixture
def jobs(page: Page, served) -> Page:
    page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    page.goto(f"{served.url}/jobs")
    expect(page.locator(".tabulator-row").first).to_be_visible(timeout=20_000)
    wait_for_table_settled(page)
    return page


def focused(page: Page) -> dict:
    """Tag, accessible label, text and classes of the focused element."""
    return page.evaluate(
        f"() => {{ const a = ({FOCUSED_JS})(); return {{tag: a.tagName, "
        "label: a.getAttribute('aria-label') || '', text: a.textContent.trim(), "
        "cls: a.className, role: a.getAttribute('role') || ''}; }"
    )


def box(locator: Locator) -> dict:
    found = locator.bounding_box()
    assert found is not None
    return found


def overlaps(a: dict, b: dict) -> bool:
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


def test_at_least_eight_rows_show_without_scrolling(jobs: Page, served):
    rows = jobs.locator(".tabulator-row")
    expect(rows).to_have_count(25)
    whole = [
        b for b in (r.bounding_box() for r in rows.all()) if b and b["y"] + b["height"] <= HEIGHT
    ]
    assert len(whole) >= 8, f"{len(whole)} rows above the fold"
    # One way back (the breadcrumb), no batch toolbar with nothing selected.
    expect(jobs.get_by_role("link", name=re.compile("Dashboard"))).to_have_count(1)
    expect(jobs.get_by_role("button", name="Delete selected")).to_be_hidden()
    counter = jobs.get_by_role("status").filter(has_text=re.compile(r"selected$"))
    expect(counter).to_have_text("No jobs selected")  # heard by screen readers, not shown
    room = "e => e.getRootNode().host.getBoundingClientRect().height"
    assert counter.evaluate(room) <= 1

    newest = served.facts["ids"][0]
    jobs.get_by_role("checkbox", name=f"Select JOB-{newest:06d}").check()
    expect(counter).to_have_text("1 job selected")  # the live region announces the toolbar
    assert counter.evaluate(room) > 10  # and is seen
    expect(jobs.get_by_role("button", name="Delete selected")).to_be_enabled()
    jobs.get_by_role("button", name="Clear selection").click()
    expect(jobs.get_by_role("button", name="Delete selected")).to_be_hidden()


def test_filter_bar_is_one_line_of_one_height_and_never_moves_the_page(jobs: Page, served):
    controls = [
        jobs.get_by_role("textbox", name="Search jobs"),
        jobs.locator(".jd-status .choices__inner"),
        jobs.get_by_role("combobox", name="Configuration"),
        jobs.get_by_role("textbox", name="From date"),
        jobs.get_by_role("textbox", name="To date"),
        jobs.get_by_role("button", name="Presets"),
        jobs.get_by_role("button", name="Clear filters"),
    ]
    boxes = [box(c) for c in controls]
    assert {round(b["height"]) for b in boxes} == {36}, boxes
    bottoms = [b["y"] + b["height"] for b in boxes]
    assert max(bottoms) - min(bottoms) <= 1, bottoms  # one baseline
    bar = jobs.locator(".jd-filters")
    before = box(bar)
    first_row = box(jobs.locator(".tabulator-row").first)

    jobs.get_by_label("Status", exact=True).click()
    for status in ("Failed", "Completed", "Pending", "Stopped"):
        jobs.get_by_role("option", name=status).click()
    jobs.keyboard.press("Escape")
    expect(jobs.get_by_text("1 filter active")).to_be_visible()
    wait_for_table_settled(jobs)  # the rows of the new filter are drawn (replaced ones have no box)
    assert box(bar)["height"] == before["height"]
    assert box(jobs.locator(".tabulator-row").first)["y"] == first_row["y"]
    assert box(jobs.locator(".jd-status .choices__inner"))["height"] == boxes[1]["height"]
    jobs.get_by_role("button", name="Clear filters").click()
    expect(jobs.get_by_text("No filters active")).to_be_visible()

    # Dates are typed and shown as the table shows them (YYYY-MM-DD), whatever the locale.
    start = jobs.get_by_role("textbox", name="From date")
    expect(start).to_have_attribute("placeholder", "YYYY-MM-DD")
    start.fill("11/02/2026")
    start.press("Enter")
    expect(
        jobs.locator(".notyf__toast").filter(has_text="From date: type a date as")
    ).to_be_visible()
    expect(start).to_have_value("")
    expect(jobs.get_by_text("No filters active")).to_be_visible()
    start.fill("2026-11-02")
    start.press("Enter")
    expect(jobs).to_have_url(re.compile(r"from=2026-11-02"))
    expect(jobs.get_by_text("1 filter active")).to_be_visible()
    jobs.reload()
    expect(jobs.get_by_role("textbox", name="From date")).to_have_value("2026-11-02")
    jobs.get_by_role("button", name="Clear filters").click()
    expect(jobs.get_by_text("No filters active")).to_be_visible()

    # Or chosen on the browser's calendar, from the button in the field (a mouse's way: the
    # keyboard types the date, so the button is no Tab stop). Headless Chromium draws no
    # picker: the day is chosen on the date input the picker belongs to, as the picker does.
    end = jobs.get_by_role("textbox", name="To date")
    calendar = jobs.get_by_role("button", name="Pick the last day on a calendar")
    expect(calendar).to_have_attribute("tabindex", "-1")
    expect(jobs.get_by_label("To date")).to_have_count(1)  # the label names the field alone
    calendar.click()
    picker = jobs.locator("input[type=date]").nth(1)
    picker.evaluate("p => { p.value = '2026-11-20'; p.dispatchEvent(new Event('change')); }")
    expect(end).to_have_value("2026-11-20")
    expect(jobs).to_have_url(re.compile(r"to=2026-11-20"))
    expect(jobs.get_by_text("1 filter active")).to_be_visible()
    jobs.get_by_role("button", name="Clear filters").click()
    expect(jobs.get_by_text("No filters active")).to_be_visible()


def test_presets_open_in_a_menu_over_the_page(jobs: Page):
    first_row = box(jobs.locator(".tabulator-row").first)
    expect(jobs.get_by_role("combobox", name="Preset")).to_be_hidden()
    jobs.get_by_role("button", name="Presets").click()
    expect(jobs.get_by_role("combobox", name="Preset")).to_be_visible()
    expect(jobs.get_by_role("textbox", name="Preset name")).to_be_visible()
    assert box(jobs.locator(".tabulator-row").first)["y"] == first_row["y"]  # nothing moved
    jobs.get_by_role("button", name="Presets").click()
    expect(jobs.get_by_role("combobox", name="Preset")).to_be_hidden()


def test_the_presets_menu_closes_on_escape_and_on_a_press_outside(jobs: Page):
    presets = jobs.get_by_role("button", name="Presets")
    presets.click()
    name = jobs.get_by_role("textbox", name="Preset name")
    name.fill("Kept while typing")
    expect(name).to_be_visible()  # a press inside leaves it open
    jobs.keyboard.press("Escape")
    expect(name).to_be_hidden()
    expect(presets).to_be_focused()  # where the menu came from
    presets.click()
    expect(name).to_be_visible()
    jobs.get_by_role("heading", name="Job Management").click()
    expect(name).to_be_hidden()
    presets.click()  # and it opens again
    expect(name).to_be_visible()
    presets.click()
    expect(name).to_be_hidden()


def test_row_actions_menu_by_keyboard_and_right_click(jobs: Page, served):
    expect(jobs.get_by_role("button", name="Label", exact=True)).to_be_visible()  # not "Name"
    expect(jobs.get_by_role("button", name=re.compile(r"^View JOB-"))).to_have_count(0)
    job = f"JOB-{served.facts['ids'][1]:06d}"
    more = jobs.get_by_role("button", name=f"Actions for {job}")
    more.focus()
    jobs.keyboard.press("Enter")
    menu = jobs.get_by_role("menu", name=f"Actions for {job}")
    expect(menu).to_be_visible()
    expect(menu.get_by_role("menuitem")).to_have_text(["View", "Export", "Rerun", "Delete"])
    expect(more).to_have_attribute("aria-expanded", "true")
    assert focused(jobs)["text"] == "View"
    jobs.keyboard.press("ArrowDown")
    assert focused(jobs)["text"] == "Export"
    jobs.keyboard.press("End")
    assert focused(jobs)["text"] == "Delete"
    jobs.keyboard.press("ArrowDown")  # wraps round
    assert focused(jobs)["text"] == "View"
    jobs.keyboard.press("Escape")
    expect(menu).to_be_hidden()
    assert focused(jobs)["label"] == f"Actions for {job}"  # back on its button
    expect(more).to_have_attribute("aria-expanded", "false")

    jobs.keyboard.press("Enter")
    jobs.keyboard.press("Enter")  # View
    dialog = jobs.get_by_role("dialog", name=re.compile(job))
    expect(dialog).to_be_visible()
    jobs.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    other = f"JOB-{served.facts['ids'][2]:06d}"
    row = jobs.locator(".tabulator-row").filter(has_text=other)
    row.locator("[tabulator-field=label]").click(button="right")
    menu = jobs.get_by_role("menu", name=f"Actions for {other}")
    expect(menu).to_be_visible()
    pointer = box(row.locator("[tabulator-field=label]"))
    assert box(menu)["y"] >= pointer["y"]  # at the pointer, not at the row's ⋮
    menu.get_by_role("menuitem", name="Delete").click()
    confirm = jobs.get_by_role("dialog", name=f"Delete {other}")
    expect(confirm).to_be_visible()
    confirm.get_by_role("button", name="Cancel").click()
    expect(confirm).to_be_hidden()
    expect(menu).to_be_hidden()
    assert served.service.get_all(JobQuery()).total == served.facts["total"]  # none deleted

    # The context-menu key (Shift+F10) on a focused cell opens its row's menu at the ⋮.
    jobs.get_by_role("button", name=other, exact=True).focus()
    jobs.keyboard.press("Shift+F10")
    expect(menu).to_be_visible()
    assert focused(jobs)["text"] == "View"
    jobs.keyboard.press("Escape")
    expect(menu).to_be_hidden()


def test_table_is_one_tab_stop_and_the_pager_is_near(jobs: Page, served):
    jobs.get_by_role("textbox", name="Search jobs").focus()
    stops = []
    for _ in range(15):
        jobs.keyboard.press("Tab")
        stops.append(focused(jobs))
        if stops[-1]["label"].startswith("Page "):
            break
    assert stops[-1]["label"] == "Page 1", stops  # the pager within 15 presses
    in_table = [s for s in stops if s["label"].startswith(("Select JOB", "Actions for", "JOB-"))]
    assert len(in_table) == 1, stops  # the table is one stop: its first row's checkbox
    newest = f"JOB-{served.facts['ids'][0]:06d}"
    assert in_table[0]["label"] == f"Select {newest}"
    assert "Skip to pager" in [s["text"] for s in stops]

    # Arrows move inside the table: right to the job id, down a row, back with Shift+Tab.
    jobs.keyboard.press("Shift+Tab")
    assert focused(jobs)["label"] == f"Select {newest}"
    jobs.keyboard.press("ArrowRight")
    assert focused(jobs)["text"] == newest
    jobs.keyboard.press("ArrowDown")
    second = f"JOB-{served.facts['ids'][1]:06d}"
    assert focused(jobs)["text"] == second
    jobs.keyboard.press("End")
    assert focused(jobs)["label"] == f"Actions for {second}"
    jobs.keyboard.press("Tab")  # out of the table at once
    assert focused(jobs)["label"] == "Page 1"
    jobs.keyboard.press("Shift+Tab")  # back where it was
    assert focused(jobs)["label"] == f"Actions for {second}"

    # The skip link, shown while focused, takes the keyboard to the pager.
    skip = jobs.get_by_role("link", name="Skip to pager")
    skip.focus()
    assert box(skip)["height"] > 10 and skip.evaluate("e => getComputedStyle(e).opacity") == "1"
    jobs.keyboard.press("Enter")
    assert focused(jobs)["label"] == "Page 1"


def ring(locator: Locator) -> dict:
    """The focused element's outline: width, offset and colour, and its background."""
    return locator.evaluate(
        "e => { const s = getComputedStyle(e); return {width: parseFloat(s.outlineWidth), "
        "offset: parseFloat(s.outlineOffset), color: s.outlineColor, style: s.outlineStyle}; }"
    )


def test_focus_rings_in_the_table_are_whole_and_contrast(jobs: Page, served):
    newest = served.facts["ids"][0]
    cases = [
        (jobs.get_by_role("button", name="Label", exact=True), ".tabulator-col"),
        (jobs.get_by_role("checkbox", name=f"Select JOB-{newest:06d}"), ".tabulator-cell"),
        (jobs.get_by_role("button", name=f"JOB-{newest:06d}", exact=True), ".tabulator-cell"),
        (jobs.get_by_role("button", name=f"Actions for JOB-{newest:06d}"), ".tabulator-cell"),
    ]
    jobs.get_by_role("textbox", name="Search jobs").focus()
    for control, cell in cases:
        control.focus()
        jobs.keyboard.press("Shift")  # keyboard modality: :focus-visible
        outline = ring(control)
        assert outline["style"] == "solid" and outline["width"] >= 2, outline
        background = control.locator(f"xpath=ancestor::*[contains(@class, '{cell[1:]}')][1]")
        behind = background.evaluate("e => getComputedStyle(e).backgroundColor")
        if behind in ("rgba(0, 0, 0, 0)", "transparent"):
            behind = "rgb(255, 255, 255)"
        assert contrast_ratio(outline["color"], behind) >= 3, (outline, behind)
        reach = outline["width"] + max(outline["offset"], 0)
        own, around = box(control), box(background)
        assert own["x"] - reach >= around["x"] - 0.5, (control, own, around)
        assert own["y"] - reach >= around["y"] - 0.5, (control, own, around)
        assert own["x"] + own["width"] + reach <= around["x"] + around["width"] + 0.5
        assert own["y"] + own["height"] + reach <= around["y"] + around["height"] + 0.5


def test_toasts_cover_no_table_control(jobs: Page):
    jobs.get_by_role("button", name="Refresh").click()
    toast = jobs.locator(".notyf__toast").filter(has_text="Refreshed.")
    expect(toast).to_be_visible()
    shown = box(toast)
    for control in (
        jobs.locator(".tabulator").first,
        jobs.locator(".jd-filters"),
        jobs.locator(".jd-pager"),
        jobs.get_by_role("tab", name="Jobs"),
    ):
        assert not overlaps(shown, box(control))


# Every colour drawn on the page, through the shadow roots: text, backgrounds and the borders
# that have a width ({colour: some elements showing it}).
COLOURS_JS = """() => { const out = {}; const seen = (v, el) => {
  if (v && v !== 'rgba(0, 0, 0, 0)') (out[v] = out[v] || []).push(el.tagName + '.' + el.className);
  };
  const walk = (root) => { for (const el of root.querySelectorAll('*')) {
    const s = getComputedStyle(el), r = el.getBoundingClientRect();
    if (r.width && r.height && s.visibility !== 'hidden') {
      seen(s.color, el); seen(s.backgroundColor, el);
      for (const side of ['Top', 'Right', 'Bottom', 'Left'])
        if (parseFloat(s[`border${side}Width`])) seen(s[`border${side}Color`], el); }
    if (el.shadowRoot) walk(el.shadowRoot); } };
  walk(document);
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.slice(0, 3)])); }"""


def rgb(hex_colour: str) -> str:
    value = hex_colour.lstrip("#")
    return "rgb({}, {}, {})".format(*(int(value[i : i + 2], 16) for i in (0, 2, 4)))


def test_every_colour_on_the_page_comes_from_the_design_tokens(jobs: Page):
    tokens = {*COLORS.values(), *(c for tone in STATUS_TONES.values() for c in tone), "#FFFFFF"}
    allowed = {rgb(t) for t in tokens}
    drawn = jobs.evaluate(COLOURS_JS)
    # Translucent colours (shadows, overlays) are token colours with an alpha.
    opaque = {re.sub(r"rgba\((\d+), (\d+), (\d+), [\d.]+\)", r"rgb(\1, \2, \3)", c) for c in drawn}
    stray = {c: drawn.get(c, []) for c in opaque - allowed}
    assert not stray, stray
