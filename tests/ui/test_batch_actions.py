"""Selection and batch actions on the served Job Management page in Chromium: selection
across pages, "Select all N matching", Clear selection, Export selected (downloaded and read
back), Rerun selected (queue order), Delete selected (Cancel, running jobs refused, confirmed
delete of everything matching: rows, image rows and files gone, nothing else).

Tests run in file order on one served history; the destructive ones come last and touch
only their own jobs."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import openpyxl
import pytest
from factories import T0, add_config, add_job
from playwright.sync_api import Page, expect

from jobdash.vocab import format_job_id

pytestmark = pytest.mark.browser

FORMULA = '=HYPERLINK("http://x")'


def _add(service, label: str, hour: int, status: str, config: int, images: int) -> int:
    """One job with ``images`` image rows whose files exist on disk."""
    root = service.settings.image_root
    job_id = add_job(
        service,
        status=status,
        label=label,
        config_id=config,
        started_at=T0 + dt.timedelta(hours=hour),
        error_message="Generation timed out" if status == "failed" else None,
        images=[
            {
                "file_path": f"batch/{label.replace(' ', '_')}_{k}.png",
                "thumbnail_path": f"batch/thumbs/{label.replace(' ', '_')}_{k}.png",
            }
            for k in range(images)
        ],
    )
    for k in range(images):
        for stored in (
            f"batch/{label.replace(' ', '_')}_{k}.png",
            f"batch/thumbs/{label.replace(' ', '_')}_{k}.png",
        ):
            path = root / stored
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b"\x89PNG fake")
    return job_id


def build_history(service) -> dict:
    """Jobs 1-60 "Lake study i" (ids divisible by 5 failed, the rest completed; job 33 is
    labelled with a formula), jobs 61-90 "Doomed j" (newest), job 91 running; every job but
    the running one has one to three image rows with files on disk."""
    config = add_config(service, "Hero banners")
    for i in range(1, 61):
        _add(
            service,
            FORMULA if i == 33 else f"Lake study {i}",
            i,
            "failed" if i % 5 == 0 else "completed",
            config,
            1 + i % 3,
        )
    for j in range(61, 91):
        _add(service, f"Doomed {j}", j, "completed", config, 2)
    running = add_job(
        service,
        status="running",
        label="Busy one",
        config_id=config,
        started_at=T0 + dt.timedelta(hours=100),
    )
    return {"running": running}


def open_jobs(page: Page, url: str, search: str = "") -> None:
    page.goto(f"{url}/jobs")
    expect(page.locator(".tabulator-row").first).to_be_visible(timeout=20_000)
    if search:
        page.get_by_role("textbox", name="Search jobs").fill(search)


def expect_total(page: Page, n: int) -> None:
    expect(page.get_by_text(re.compile(r"^Total: "))).to_have_text(
        f"Total: {n:,} job{'s' if n != 1 else ''}"
    )


def checkbox(page: Page, job_id: int):
    row = page.locator(".tabulator-row").filter(has_text=format_job_id(job_id))
    return row.locator("input[type=checkbox]")


def counter(page: Page):
    return page.get_by_role("status").filter(has_text=re.compile(r"selected$"))


def test_selection_survives_pages_and_select_all_matching(page: Page, served):
    open_jobs(page, served.url, "Lake study")
    expect_total(page, 59)  # job 33 has no such label
    expect(page.get_by_role("button", name="Delete selected")).to_be_hidden()
    checkbox(page, 60).click()
    checkbox(page, 59).click()
    expect(counter(page)).to_have_text("2 jobs selected")
    page.get_by_role("button", name="Page 3").click()
    checkbox(page, 5).click()
    expect(counter(page)).to_have_text("3 jobs selected")
    page.get_by_role("button", name="Page 1").click()
    expect(checkbox(page, 60)).to_be_checked()
    expect(checkbox(page, 59)).to_be_checked()
    expect(checkbox(page, 58)).not_to_be_checked()

    header = page.locator(".tabulator-header input[type=checkbox]")
    header.click()  # part of the page checked: unchecks it
    expect(counter(page)).to_have_text("1 job selected")
    header.click()  # the whole page
    expect(counter(page)).to_have_text("26 jobs selected")
    page.get_by_role("button", name="Select all 59 matching").click()
    expect(counter(page)).to_have_text("59 jobs selected")
    expect(page.get_by_role("button", name="Select all 59 matching")).to_be_hidden()
    page.get_by_role("button", name="Clear selection").click()
    expect(counter(page)).to_have_text("No jobs selected")
    expect(checkbox(page, 60)).not_to_be_checked()
    expect(page.get_by_role("button", name="Rerun selected")).to_be_hidden()


def test_keyboard_moves_selects_and_asks_to_delete(page: Page, served):
    open_jobs(page, served.url, "Lake study")
    expect_total(page, 59)
    expect(page.locator(".tabulator-row").first).to_contain_text("JOB-000060")
    page.get_by_role("heading", name="Job Management", exact=True).click()
    page.keyboard.press("ArrowDown")  # the first row: 60
    page.keyboard.press("Space")
    expect(checkbox(page, 60)).to_be_checked()
    page.keyboard.press("Shift+ArrowDown")  # extends to 59
    expect(counter(page)).to_have_text("2 jobs selected")
    expect(checkbox(page, 59)).to_be_checked()
    page.keyboard.press("ArrowDown")  # 58: moves only
    page.keyboard.press("Space")
    expect(counter(page)).to_have_text("3 jobs selected")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Space")  # 59 off again
    expect(checkbox(page, 59)).not_to_be_checked()
    expect(counter(page)).to_have_text("2 jobs selected")

    page.keyboard.press("Delete")
    dialog = page.get_by_role("dialog", name="Delete 2 jobs")
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")  # closes the dialog only
    expect(dialog).to_be_hidden()
    expect(counter(page)).to_have_text("2 jobs selected")
    page.keyboard.press("Escape")  # clears the selection
    expect(counter(page)).to_have_text("No jobs selected")
    assert served.service.jobs([58, 60]).shape[0] == 2
    page.keyboard.press("?")
    expect(page.get_by_role("cell", name="Select or deselect the focused row")).to_be_visible()


def test_checkboxes_are_named_after_their_jobs(page: Page, served):
    open_jobs(page, served.url, "Lake study 7")
    expect_total(page, 1)
    expect(page.get_by_role("checkbox", name="Select Row")).to_have_count(0)
    box = page.get_by_role("checkbox", name="Select JOB-000007", exact=True)
    box.focus()
    page.keyboard.press("Space")  # the keyboard checks it
    expect(box).to_be_checked()
    expect(counter(page)).to_have_text("1 job selected")
    page.get_by_role("textbox", name="Search jobs").fill("Lake study 8")
    expect_total(page, 1)  # rows drawn anew: renamed
    expect(page.get_by_role("checkbox", name="Select JOB-000007")).to_have_count(0)
    page.get_by_role("checkbox", name="Select JOB-000008", exact=True).click()
    expect(counter(page)).to_have_text("2 jobs selected")
    page.get_by_role("checkbox", name="Select all jobs on this page", exact=True).click()
    expect(counter(page)).to_have_text("1 job selected")  # part checked: unchecks


def test_right_click_menu_runs_the_row_actions(page: Page, served):
    open_jobs(page, served.url, "Lake study 4")
    expect_total(page, 11)
    row = page.locator(".tabulator-row").filter(has_text=format_job_id(42))
    row.locator(".tabulator-cell[tabulator-field=date]").click(button="right")
    page.get_by_role("menu", name="Actions for JOB-000042").get_by_role(
        "menuitem", name="View"
    ).click()
    heading = page.get_by_role("heading", name="Job JOB-000042 — Lake study 42")
    expect(heading).to_be_visible()
    page.keyboard.press("Escape")
    expect(heading).to_be_hidden()
    row.locator(".tabulator-cell[tabulator-field=date]").click(button="right")
    page.get_by_role("menu", name="Actions for JOB-000042").get_by_role(
        "menuitem", name="Delete"
    ).click()
    dialog = page.get_by_role("dialog", name="Delete JOB-000042")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Cancel").click()
    assert served.service.jobs([42]).shape[0] == 1


def test_export_selected_downloads_a_workbook(page: Page, served, tmp_path):
    open_jobs(page, served.url, "study 4")  # 4 and 40-49
    expect_total(page, 11)
    page.locator(".tabulator-header input[type=checkbox]").click()
    page.get_by_role("textbox", name="Search jobs").fill("HYPERLINK")
    expect_total(page, 1)
    checkbox(page, 33).click()
    expect(counter(page)).to_have_text("12 jobs selected")
    with page.expect_download() as info:
        page.get_by_role("button", name="Export selected").click()
    saved = tmp_path / info.value.suggested_filename
    info.value.save_as(saved)
    expect(page.get_by_text(re.compile(r"^Exported 12 jobs to ")).first).to_be_visible()
    assert saved.suffix == ".xlsx"
    on_server = served.service.settings.export_dir / saved.name
    assert on_server.read_bytes() == saved.read_bytes()

    book = openpyxl.load_workbook(saved)
    jobs = book["Jobs"]
    header = [c.value for c in jobs[1]]
    rows = [dict(zip(header, row, strict=True)) for row in jobs.iter_rows(min_row=2)]
    assert sorted(r["Job ID"].value for r in rows) == [
        f"JOB-{i:06d}" for i in sorted([4, 33, *range(40, 50)])
    ]
    formula = next(r["Label"] for r in rows if r["Job ID"].value == "JOB-000033")
    assert formula.value == FORMULA and formula.data_type == "s"
    started = next(r["Started At (UTC)"] for r in rows if r["Job ID"].value == "JOB-000040")
    assert started.is_date and started.value == T0 + dt.timedelta(hours=40)
    images = book["Images"]
    assert images.max_row - 1 == sum(1 + i % 3 for i in [4, 33, *range(40, 50)])


def test_rerun_selected_queues_in_selection_order(page: Page, served):
    before = served.service.queue()
    open_jobs(page, served.url, "Lake study 5")  # 5, 50-59
    expect_total(page, 11)
    for job_id in (55, 50, 5):
        checkbox(page, job_id).click()
    expect(counter(page)).to_have_text("3 jobs selected")
    page.get_by_role("button", name="Rerun selected").click()
    expect(page.get_by_text(re.compile(r"^Queued 3 reruns")).first).to_be_visible()
    queue = served.service.queue()
    new = queue[len(before) :]
    assert queue[: len(before)] == before and len(new) == 3
    jobs = served.service.jobs(new).set_index("id")
    assert [int(jobs.at[i, "rerun_of"]) for i in new] == [55, 50, 5]
    assert set(jobs["status"]) == {"pending"}
    for job_id in new:  # shown at once
        expect(
            page.locator(".tabulator-row")
            .filter(has_text=format_job_id(job_id))
            .locator(".jd-badge")
        ).to_have_text("Pending")


def _on_disk(service) -> tuple[set[int], int, set[Path]]:
    """Job ids, image rows and image files there are now (deleted files removed from disk)."""
    service.trash.wait()
    ids = set(service.store.sql("SELECT id FROM job_executions").id.tolist())
    images = int(service.store.sql("SELECT count(*) AS n FROM generated_images").n[0])
    files = {p for p in service.settings.image_root.rglob("*") if p.is_file()}
    return ids, images, files


def test_delete_cancel_and_running_refusal_change_nothing(page: Page, served, recwarn):
    before = _on_disk(served.service)
    open_jobs(page, served.url, "Doomed 90")
    expect_total(page, 1)
    checkbox(page, 90).click()
    expect(counter(page)).to_have_text("1 job selected")
    page.get_by_role("button", name="Delete selected").click()
    dialog = page.get_by_role("dialog", name="Delete JOB-000090")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("image files")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    assert _on_disk(served.service) == before

    running = served.facts["running"]
    page.get_by_role("textbox", name="Search jobs").fill("Busy one")
    expect_total(page, 1)
    checkbox(page, running).click()
    expect(counter(page)).to_have_text("2 jobs selected")
    page.get_by_role("button", name="Delete selected").click()
    page.get_by_role("dialog", name="Delete 2 jobs").get_by_role("button", name="Delete").click()
    expect(
        page.get_by_text(
            f"Cannot delete running jobs: {format_job_id(running)}. Stop them first."
        ).first
    ).to_be_visible()
    assert _on_disk(served.service) == before
    # The dialog's buttons arrived after the page: their clicks name them by reference only
    # (docs/upstream/bokehjs-received-models-resent.md).
    assert not [w for w in recwarn if "reference already known" in str(w.message)]


def test_delete_all_matching_removes_exactly_those_jobs(page: Page, served):
    ids, images, files = _on_disk(served.service)
    doomed = set(range(61, 91))
    doomed_files = {p for p in files if p.name.startswith("Doomed_")}
    assert len(doomed_files) == 30 * 2 * 2
    open_jobs(page, served.url, "Doomed")
    expect_total(page, 30)
    page.locator(".tabulator-header input[type=checkbox]").click()
    page.get_by_role("button", name="Select all 30 matching").click()
    expect(counter(page)).to_have_text("30 jobs selected")
    page.get_by_role("button", name="Delete selected").click()
    dialog = page.get_by_role("dialog", name="Delete 30 jobs")
    expect(dialog).to_contain_text("image files")
    dialog.get_by_role("button", name="Delete").click()
    expect(page.get_by_text("Deleted 30 jobs").first).to_be_visible()
    expect_total(page, 0)
    expect(counter(page)).to_have_text("No jobs selected")

    after_ids, after_images, after_files = _on_disk(served.service)
    assert after_ids == ids - doomed
    assert after_images == images - 30 * 2
    assert after_files == files - doomed_files
