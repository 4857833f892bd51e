"""The Single Job View in Chromium on the served app: opening from a Job ID and from View,
Escape and focus, the gallery's QC filter and large view, a running job's timeline growing,
the ``?job=`` deep link, placeholders for missing files, the log and axe-core."""

from __future__ import annotations

import datetime as dt
import logging
import re
import zipfile
from pathlib import Path
from urllib.parse import urlparse

import pytest
from axe_playwright_python.sync_playwright import Axe
from factories import T0, add_config, add_job
from playwright.sync_api import Page, expect
from test_detail_state import add_timeline, write_image
from tornado.iostream import StreamClosedError
from tornado.websocket import WebSocketClosedError
from ui_util import wait_for_table_settled

pytestmark = pytest.mark.browser

STATUSES = ["approved", "approved", "needs_review", "qc_failed", "processing_failed"]


def build_history(service) -> dict:
    """Job 1 completed with five real images (one of each QC outcome, approved twice) and a
    timeline; job 2 whose three image files were removed; job 3 running; job 4 failed; job 5 a
    rerun of job 1; job 6 a rerun of a job that no longer exists; job 7 to delete."""
    root = service.settings.image_root
    config = add_config(service, "Hero banners", width=128)
    snapshot = {**service.configuration(config)["settings"], "width": 64}
    images = []
    for i, status in enumerate(STATUSES, start=1):
        colour = ("red", "green", "blue", "gray", "black")[i - 1]
        file = write_image(root, f"job1/img{i}.png", colour)
        thumb = write_image(root, f"job1/thumbs/img{i}.png")
        images.append(
            {
                "qc_status": status,
                "file_path": file,
                "thumbnail_path": thumb,
                "prompt": f"A lake photo number {i}",
                "quality_score": i / 10,
                "qc_reason": "Watermark in the corner" if status == "qc_failed" else None,
                "created_at": T0 + dt.timedelta(seconds=i),
                "metadata": {
                    "title": f"Lake {i}",
                    "description": f"Calm lake {i}",
                    "tags": ["lake", f"tag{i}"],
                },
            }
        )
    done = add_job(service, label="Lake study", config_id=config, snapshot=snapshot, images=images)
    add_timeline(
        service,
        done,
        [
            (0, "info", "runner", "Job started", None),
            (1, "info", "initialise", "Settings loaded", None),
            (2, "info", "generate", "Image 1/2 generated", {"index": 1}),
            (4, "error", "convert", "Image 2/2: convert failed: disk full", {"index": 2}),
            (5, "debug", "finalise", f"Copied 1 approved image to {root}/job1/ok", None),
            (6, "info", "runner", "Completed", None),
        ],
    )
    gone = add_job(
        service,
        label="Removed files",
        config_id=config,
        images=[
            {
                "file_path": f"job2/img{i}.png",
                "thumbnail_path": f"job2/thumbs/img{i}.png",
                "prompt": "gone",
            }
            for i in range(3)
        ],
    )
    running = add_job(service, status="running", label="Still going", config_id=config)
    add_timeline(service, running, [(0, "info", "runner", "Job started", None)])
    failed = add_job(
        service,
        status="failed",
        label="Broken",
        config_id=config,
        error_message="Generator crashed",
    )
    rerun = add_job(service, label="Lake study again", config_id=config, rerun_of=done)
    orphan = add_job(service, label="Rerun of a deleted job", config_id=config, rerun_of=999)
    doomed = add_job(service, label="Deleted from its view", config_id=config)
    return {
        "done": done,
        "gone": gone,
        "running": running,
        "failed": failed,
        "rerun": rerun,
        "orphan": orphan,
        "doomed": doomed,
    }


def open_jobs(page: Page, url: str, query: str = "") -> None:
    page.goto(f"{url}/jobs{query}")
    expect(page.locator(".tabulator-row").first).to_be_visible(timeout=20_000)


def open_first_job(page: Page):
    """Click JOB-000001's Job ID; its dialog."""
    page.get_by_role("button", name="JOB-000001", exact=True).click()
    return page.get_by_role("dialog", name="Job JOB-000001 details")


def tab(page: Page, name: str):
    return page.locator(".bk-tab").filter(has_text=re.compile(f"^{name}$"))


def test_open_from_job_id_escape_closes_and_focus_returns(page: Page, served):
    open_jobs(page, served.url)
    wait_for_table_settled(page)  # a click during the table's first redraws loses its focus
    job_button = page.get_by_role("button", name="JOB-000001", exact=True)
    job_button.click()
    dialog = page.get_by_role("dialog", name="Job JOB-000001 details")
    expect(dialog.get_by_role("heading", name="Job JOB-000001 — Lake study")).to_be_visible()
    expect(dialog.get_by_text("Hero banners v1")).to_be_visible()
    expect(dialog.get_by_text("1 setting changed since this run")).to_be_visible()
    expect(dialog.locator("tr.jd-changed")).to_contain_text("width")
    for action in ("Export", "Rerun", "Delete"):
        expect(dialog.get_by_role("button", name=action, exact=True)).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(job_button).to_be_focused()


def test_open_from_view_shows_the_error_and_the_close_button_closes(page: Page, served):
    open_jobs(page, served.url)
    page.get_by_role("button", name="JOB-000004", exact=True).click()
    dialog = page.get_by_role("dialog", name="Job JOB-000004 details")
    expect(dialog.get_by_text("Generator crashed")).to_be_visible()
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()


def test_gallery_filter_and_large_view(page: Page, served):
    open_jobs(page, served.url)
    dialog = open_first_job(page)
    tab(dialog, "Images").click()
    cards = dialog.locator(".jd-card")
    expect(cards).to_have_count(5)
    expect(dialog.locator(".jd-card img[loading=lazy]")).to_have_count(5)
    dialog.get_by_role("button", name="QC failed (1)").click()
    expect(cards).to_have_count(1)
    expect(cards.locator(".jd-qc")).to_have_text("QC failed")
    dialog.get_by_role("button", name="Approved (2)").click()
    expect(cards.locator(".jd-qc")).to_have_text(["Approved", "Approved"])
    dialog.get_by_role("button", name="All (5)").click()
    dialog.get_by_role("button", name="Open Lake 4 (QC failed)").click()
    large = dialog.locator(".jd-large-view")
    expect(large.get_by_role("heading", name="Lake 4")).to_be_visible()
    for text in (
        "Watermark in the corner",
        "A lake photo number 4",
        "Calm lake 4",
        "lake, tag4",
        "job1/img4.png",
    ):
        expect(large).to_contain_text(text)
    expect(large.locator("img.jd-large")).to_have_attribute("src", "/images/job1/img4.png")
    # decode() waits for the file to arrive (a loaded machine answered after the check)
    assert (
        large.locator("img.jd-large").evaluate("img => img.decode().then(() => img.naturalWidth)")
        == 32
    )
    dialog.get_by_role("button", name="Back to images").click()
    expect(cards).to_have_count(5)


def test_missing_files_show_placeholders(page: Page, served):
    open_jobs(page, served.url)
    page.get_by_role("button", name="JOB-000002", exact=True).click()
    dialog = page.get_by_role("dialog", name="Job JOB-000002 details")
    tab(dialog, "Images").click()
    expect(dialog.locator(".jd-card .jd-missing")).to_have_count(3)
    expect(dialog.locator(".jd-card img")).to_have_count(0)
    dialog.locator(".jd-thumb").first.click()
    expect(dialog.get_by_role("img", name="Image file missing")).to_be_visible()


def test_gallery_empties_on_a_filter_and_on_close_without_errors(page: Page, served, caplog):
    open_jobs(page, served.url)
    dialog = open_first_job(page)
    tab(dialog, "Images").click()
    expect(dialog.locator(".jd-card")).to_have_count(5)
    page.keyboard.press("Escape")  # the view empties its gallery
    expect(dialog).to_be_hidden()
    page.get_by_role("button", name="JOB-000002", exact=True).click()
    dialog = page.get_by_role("dialog", name="Job JOB-000002 details")
    expect(dialog.get_by_role("heading", name="Job JOB-000002 — Removed files")).to_be_visible()
    tab(dialog, "Images").click()
    expect(dialog.locator(".jd-card")).to_have_count(3)
    dialog.get_by_role("button", name="QC failed (0)").click()
    expect(dialog.get_by_text("No images match this filter.")).to_be_visible()
    expect(dialog.locator(".jd-card")).to_have_count(0)
    assert [
        r.getMessage()
        for r in caplog.records
        if r.levelname == "ERROR" and not _closed_connection(r)
    ] == []


def _closed_connection(record: logging.LogRecord) -> bool:
    """Whether a logged error is a message to a page that had already closed (an earlier
    test's, whose delayed dialog contents arrived after it left): not this test's concern."""
    error = record.exc_info[1] if record.exc_info else None
    return isinstance(error, (WebSocketClosedError, StreamClosedError))


def test_running_job_timeline_grows(page: Page, served):
    job = served.facts["running"]
    open_jobs(page, served.url)
    page.get_by_role("button", name=f"JOB-{job:06d}", exact=True).click()
    dialog = page.get_by_role("dialog", name=f"Job JOB-{job:06d} details")
    tab(dialog, "Timeline").click()
    rows = dialog.locator("table[aria-label=Timeline] tbody tr")
    expect(rows).to_have_count(1)
    served.service.record(
        job,
        progress=40,
        step="generate",
        event=dict(level="info", step="generate", message="Image 1/3 generated", data={"index": 1}),
    )
    expect(rows).to_have_count(2)
    expect(rows.last).to_contain_text("Image 1")
    expect(dialog.get_by_role("progressbar", name="Job progress")).to_have_attribute(
        "aria-valuenow", "40"
    )
    served.service.record(
        job,
        progress=60,
        step="convert",
        event=dict(
            level="error", step="convert", message="Image 2/3: convert failed", data={"index": 2}
        ),
    )
    expect(rows).to_have_count(3)
    expect(rows.last).to_have_class(re.compile("jd-level-error"))
    expect(rows.last).to_contain_text("Image 2/3: convert failed")
    expect(tab(dialog, "Timeline")).to_have_class(re.compile("bk-active"))


def test_log_level_filter_search_and_download(page: Page, served):
    open_jobs(page, served.url)
    dialog = open_first_job(page)
    tab(dialog, "Log").click()
    log = dialog.locator("pre.jd-log")
    expect(log).to_contain_text("Copied 1 approved image")
    dialog.get_by_role("button", name="debug", exact=True).click()  # debug off
    expect(log).not_to_contain_text("Copied 1 approved image")
    dialog.get_by_role("textbox", name="Search the log").fill("disk")
    dialog.get_by_role("textbox", name="Search the log").press("Enter")
    expect(log.locator("span")).to_have_count(1)
    expect(log).to_contain_text("convert failed: disk full")
    with page.expect_download() as info:
        dialog.get_by_role("button", name="Download log").click()
    text = Path(info.value.path()).read_text(encoding="utf-8")
    assert text.splitlines() == [
        "2026-11-01 09:00:04.000 ERROR convert  Image 2/2: convert failed: disk full"
    ]


def test_parent_job_opens_from_the_keyboard_and_a_deleted_one_is_plain_text(page: Page, served):
    open_jobs(page, served.url)
    page.get_by_role("button", name="JOB-000005", exact=True).click()
    dialog = page.get_by_role("dialog", name="Job JOB-000005 details")
    parent = dialog.get_by_role("button", name="Open parent job JOB-000001")
    expect(parent).to_have_text("JOB-000001")
    parent.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Job JOB-000001 details")
    expect(dialog.get_by_role("heading", name="Job JOB-000001 — Lake study")).to_be_visible()
    expect(page).to_have_url(re.compile(r"job=JOB-000001"))
    open_jobs(page, served.url, "?job=JOB-000006")
    dialog = page.get_by_role("dialog", name="Job JOB-000006 details")
    expect(dialog.get_by_text("(no longer exists)")).to_contain_text("JOB-000999")
    expect(dialog.get_by_role("button", name=re.compile("parent"))).to_have_count(0)


def test_deep_link_opens_the_job_and_closing_clears_the_url(page: Page, served):
    open_jobs(page, served.url, "?job=JOB-000001")
    dialog = page.get_by_role("dialog", name="Job JOB-000001 details")
    expect(dialog.get_by_role("heading", name="Job JOB-000001 — Lake study")).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(page).not_to_have_url(re.compile(r"job="))
    page.get_by_role("button", name="JOB-000002", exact=True).click()
    expect(page).to_have_url(re.compile(r"job=JOB-000002"))


def test_deleting_the_open_job_closes_its_view(page: Page, served):
    job = f"JOB-{served.facts['doomed']:06d}"
    open_jobs(page, served.url, f"?job={job}")
    dialog = page.get_by_role("dialog", name=f"Job {job} details")
    dialog.get_by_role("button", name="Delete", exact=True).click()
    confirm = page.get_by_role("dialog", name=f"Delete {job}")
    confirm.get_by_role("button", name="Delete", exact=True).click()
    expect(page.get_by_text(f"Deleted {job}").first).to_be_visible()
    expect(dialog).to_be_hidden()
    expect(page).not_to_have_url(re.compile(r"job="))
    expect(page.get_by_role("button", name=job, exact=True)).to_have_count(0)


# Where the dialog's host element sits among its siblings (axe names it by that position).
_HOST_JS = (
    "d => { const h = d.getRootNode().host; return [...h.parentNode.children].indexOf(h) + 1; }"
)


def test_open_modal_has_no_accessibility_violation_on_any_tab(page: Page, served):
    open_jobs(page, served.url)
    dialog = open_first_job(page)
    expect(dialog.get_by_text("1 setting changed since this run")).to_be_visible()
    host = f"ReactiveHTML:nth-child({dialog.evaluate(_HOST_JS)})"
    for name, ready in (
        ("Information", "dl"),
        ("Images", ".jd-card"),
        ("Timeline", "summary"),
        ("Log", "pre.jd-log"),
    ):
        tab(dialog, name).click()
        expect(dialog.locator(ready).first).to_be_visible()
        found = [  # any impact, inside the dialog (the page is test_ui_accessibility's)
            f"{v['id']} ({v['impact']}): {v['help']} at {node['target']}"
            for v in Axe().run(page).response["violations"]
            for node in v["nodes"]
            if host in str(node["target"])
        ]
        assert found == [], f"{name}: {found}"


def test_selected_images_export_as_a_zip(page: Page, served):
    open_jobs(page, served.url)
    dialog = open_first_job(page)
    tab(dialog, "Images").click()
    expect(dialog.get_by_role("button", name="Export selected (0)")).to_be_disabled()
    dialog.get_by_role("checkbox", name=re.compile(r"^Select image ")).first.check()
    dialog.get_by_role("checkbox", name=re.compile(r"^Select image ")).last.check()
    with page.expect_download() as info:
        dialog.get_by_role("button", name="Export selected (2)").click()
    with zipfile.ZipFile(info.value.path()) as package:
        names = sorted(package.namelist())
    assert names == ["JOB-000001-images.xlsx", "images/img1.png", "images/img5.png"]


def test_modal_actions_reuse_the_tables_confirmation(page: Page, served):
    open_jobs(page, served.url)
    page.get_by_role("button", name="JOB-000004", exact=True).click()
    dialog = page.get_by_role("dialog", name="Job JOB-000004 details")
    dialog.get_by_role("button", name="Delete", exact=True).click()
    confirm = page.get_by_role("dialog", name="Delete job")
    expect(confirm.get_by_role("heading", name="Delete JOB-000004?")).to_be_visible()
    confirm.get_by_role("button", name="Cancel").click()
    expect(confirm).to_be_hidden()
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Export", exact=True).click()
    expect(page.get_by_text(re.compile(r"^Exported JOB-000004 to ")).first).to_be_visible()
    assert served.service.get_by_id(4).job["label"] == "Broken"


def test_escape_in_the_large_view_returns_to_the_card_and_a_second_closes(page: Page, served):
    open_jobs(page, served.url)
    dialog = open_first_job(page)
    tab(dialog, "Images").click()
    card = dialog.get_by_role("button", name="Open Lake 4 (QC failed)")
    large = dialog.locator(".jd-large-view")
    card.click()
    expect(large.get_by_role("heading", name="Lake 4")).to_be_visible()
    expect(dialog.get_by_role("button", name="Back to images")).to_be_focused()
    page.keyboard.press("Escape")
    expect(card).to_be_focused()
    expect(large).to_be_hidden()
    expect(dialog).to_be_visible()
    card.click()  # a click on its text keeps Escape there too
    large.get_by_text("Calm lake 4").click()
    page.keyboard.press("Escape")
    expect(card).to_be_focused()
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()


def test_toggle_buttons_expose_whether_they_are_pressed(page: Page, served):
    open_jobs(page, served.url)
    dialog = open_first_job(page)
    tab(dialog, "Images").click()
    qc = dialog.get_by_role("group", name="QC status")
    expect(qc.get_by_role("button", name="All (5)")).to_have_attribute("aria-pressed", "true")
    expect(qc.get_by_role("button", name="QC failed (1)")).to_have_attribute(
        "aria-pressed", "false"
    )
    qc.get_by_role("button", name="QC failed (1)").click()
    expect(qc.get_by_role("button", name="QC failed (1)", pressed=True)).to_be_visible()
    expect(qc.get_by_role("button", name="All (5)")).to_have_attribute("aria-pressed", "false")
    expect(dialog.locator(".jd-card")).to_have_count(1)
    tab(dialog, "Log").click()
    levels = dialog.get_by_role("group", name="Log levels")
    expect(levels.get_by_role("button", pressed=True)).to_have_count(4)
    levels.get_by_role("button", name="debug", exact=True).click()
    expect(levels.get_by_role("button", name="debug", exact=True)).to_have_attribute(
        "aria-pressed", "false"
    )
    expect(levels.get_by_role("button", name="info", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )


def test_a_missing_job_shows_only_its_message(page: Page, served):
    open_jobs(page, served.url, "?job=JOB-999999")
    dialog = page.get_by_role("dialog", name="Job JOB-999999 details")
    expect(dialog.get_by_text("No job JOB-999999 (it may have been deleted).")).to_be_visible()
    expect(dialog.get_by_role("tab")).to_have_count(0)
    expect(dialog.get_by_role("button")).to_have_count(1)
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()


def test_status_reads_once_with_its_time(page: Page, served):
    open_jobs(page, served.url)
    dialog = open_first_job(page)
    expect(dialog.locator("dt:text-is('Status') + dd")).to_have_text(
        "Completed · ended 2026-11-01 09:01"
    )
    expect(dialog.locator("dt:text-is('Completed') + dd")).to_have_text("2026-11-01 09:01")
    page.keyboard.press("Escape")
    page.get_by_role("button", name="JOB-000004", exact=True).click()
    dialog = page.get_by_role("dialog", name="Job JOB-000004 details")
    expect(dialog.locator("dt:text-is('Status') + dd")).to_have_text(
        "Failed · ended 2026-11-01 09:01"
    )
    expect(dialog.locator("dt:text-is('Failed') + dd")).to_have_text("2026-11-01 09:01")
    expect(dialog.locator("dt:text-is('Completed')")).to_have_count(0)  # it did not complete


def test_the_view_keeps_its_size_and_place_across_tabs(page: Page, served):
    page.set_viewport_size({"width": 1280, "height": 900})
    open_jobs(page, served.url)
    dialog = open_first_job(page)
    expect(dialog.get_by_text("1 setting changed since this run")).to_be_visible()
    boxes = {}
    for name, ready in (
        ("Images", ".jd-card"),
        ("Timeline", "summary"),
        ("Log", "pre.jd-log"),
        ("Information", "dl"),
    ):
        tab(dialog, name).click()
        expect(dialog.locator(ready).first).to_be_visible()
        page.wait_for_timeout(300)  # a resize would follow the tab's contents
        boxes[name] = dialog.bounding_box()
    assert len({tuple(b.values()) for b in boxes.values()}) == 1, boxes
    box = boxes["Information"]
    assert (round(box["width"]), round(box["height"])) == (900, 700)
    assert round(box["x"]) == (1280 - 900) // 2


# The timeline chart's glyphs (Bokeh models named in jobdash.ui.job.timeline): name -> how
# many steps (bars) or errors (marks) they draw.
_GLYPHS_JS = """() => Object.fromEntries([...Bokeh.documents].flatMap((doc) => [...doc.all_models])
  .filter((m) => typeof m.name === "string" && m.name.startsWith("jd-timeline"))
  .map((m) => [m.name, m.data_source.data.y.length]))"""


def test_the_timeline_draws_steps_as_bars_on_a_time_axis_and_marks_errors(page: Page, served):
    open_jobs(page, served.url)
    dialog = open_first_job(page)
    tab(dialog, "Timeline").click()
    expect(dialog.locator("canvas").first).to_be_visible()
    # runner, initialise, Image 1, Image 2 (its convert failed), finalise, runner
    page.wait_for_function(
        "() => window.Bokeh && [...Bokeh.documents].some((d) => [...d.all_models].some("
        "(m) => m.name === 'jd-timeline-errors'))"
    )
    assert page.evaluate(_GLYPHS_JS) == {"jd-timeline-bars": 6, "jd-timeline-errors": 1}
    summary = dialog.get_by_text("6 steps, 1 with an error: show as a table")
    summary.click()
    rows = dialog.locator("table[aria-label=Timeline] tbody tr")
    expect(rows).to_have_count(6)
    expect(rows.nth(3)).to_contain_text("Image 2")
    expect(rows.nth(3)).to_contain_text("convert failed: disk full")
    expect(rows.nth(0)).to_contain_text("1s")  # one duration format: 1s, 2m 5s, never 1.0 s
    assert " s" not in rows.all_inner_texts()[0]


def test_the_log_shows_paths_from_the_image_folder_and_no_tooltip(page: Page, served):
    root = served.service.settings.image_root
    open_jobs(page, served.url)
    dialog = open_first_job(page)
    tab(dialog, "Log").click()
    log = dialog.locator("pre.jd-log")
    expect(log).to_contain_text(f"Copied 1 approved image to {root.name}/job1/ok")
    expect(log).not_to_contain_text(str(root))
    expect(dialog.get_by_role("textbox", name="Search the log")).to_be_visible()
    expect(dialog.locator(".bk-description")).to_have_count(0)  # no "?" over a label


# Per card: how far the checkbox sits from the middle of the QC badge's row (px), whether
# it stays inside the card and whether the badge shows its whole text.
# (The text's own width, from a range: scrollWidth misses an overflow of a fraction of a px.)
_FOOT_JS = """cards => cards.map((card) => {
  const qc = card.querySelector('.jd-qc'), badge = qc.getBoundingClientRect();
  const tick = card.querySelector('input').getBoundingClientRect();
  const text = document.createRange(), style = getComputedStyle(qc);
  text.selectNodeContents(qc);
  const needed = text.getBoundingClientRect().width + parseFloat(style.paddingLeft)
    + parseFloat(style.paddingRight);
  return [Math.abs((badge.top + badge.bottom) / 2 - (tick.top + tick.bottom) / 2),
          tick.right <= card.getBoundingClientRect().right, needed <= badge.width];
})"""


def test_every_card_keeps_badge_and_checkbox_on_one_row(page: Page, served):
    open_jobs(page, served.url)
    dialog = open_first_job(page)
    tab(dialog, "Images").click()
    cards = dialog.locator(".jd-card")
    expect(cards.locator(".jd-qc-processing_failed")).to_have_text("Processing failed")
    feet = cards.evaluate_all(_FOOT_JS)
    assert len(feet) == 5 and all(
        offset < 2 and inside and whole for offset, inside, whole in feet
    ), feet


def test_nothing_is_requested_from_outside_the_server(page: Page, served):
    # Offline at run time: no stylesheet, script or font from a CDN. (With dynamic tabs, the
    # log's pane updated as the view closed had no document, so Panel turned its shared
    # loading.css into a CDN URL, fetched as soon as the Failures tab drew.)
    outside: list[str] = []
    page.on(
        "request",
        lambda request: (
            outside.append(request.url)
            if urlparse(request.url).hostname not in ("127.0.0.1", None)
            else None
        ),
    )
    open_jobs(page, served.url)
    dialog = open_first_job(page)
    for name in ("Images", "Timeline", "Log"):
        tab(page, name).click()
        expect(tab(page, name)).to_have_class(re.compile(r"\bbk-active\b"))
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    page.locator(".bk-tab", has_text="Failures").click()
    expect(page.get_by_role("img", name=re.compile("^Failures per day"))).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert outside == []
