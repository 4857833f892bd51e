"""State of the Single Job View without a browser: settings diff, QC filter and sort, step
durations from events, log filter and text, the selection export and the slot's loading."""

from __future__ import annotations

import datetime as dt
import io
import logging
import zipfile

import openpyxl
import pytest
from factories import T0, add_config, add_job
from PIL import Image

from jobdash.ui.job.detail import JobDetailSlot
from jobdash.ui.job.gallery import gallery_items, large_view_html
from jobdash.ui.job.image_export import selection_zip
from jobdash.ui.job.info import detail_html
from jobdash.ui.job.state import (
    JobView,
    filter_log,
    gallery_images,
    log_text,
    qc_counts,
    settings_diff,
    shown_paths,
    timeline_steps,
)
from jobdash.ui.job.timeline import (
    log_html,
    step_duration,
    timeline_figure,
    timeline_html,
    timeline_rows,
)


def add_timeline(service, job_id: int, events: list[tuple]) -> None:
    """Append events ``(seconds after T0, level, step, message, data)`` to a job."""
    with service.store.transaction() as cur:
        for seconds, level, step, message, data in events:
            service.store.add_event(
                cur,
                job_id,
                level=level,
                step=step,
                message=message,
                data=data,
                at=T0 + dt.timedelta(seconds=seconds),
            )


def write_image(root, relative: str, colour: str = "red") -> str:
    """A small real PNG under the image root; returns its relative path."""
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (32, 32), colour).save(path)
    return relative


def _at(seconds: int) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


IMAGES = [
    {"qc_status": "approved", "quality_score": 0.9, "created_at": _at(0)},
    {
        "qc_status": "qc_failed",
        "quality_score": 0.2,
        "qc_reason": "watermark",
        "created_at": _at(5),
    },
    {"qc_status": "needs_review", "quality_score": None, "created_at": _at(9)},
    {
        "qc_status": "processing_failed",
        "qc_reason": "processing_failed:convert",
        "created_at": _at(3),
    },
    {"qc_status": "approved", "quality_score": 0.5, "created_at": _at(7)},
]


def test_settings_diff_marks_changed_added_and_removed_keys():
    run = {
        "prompt_template": "A {k}",
        "width": 64,
        "qc": {"min_score": 0.5, "on": True},
        "keywords": ["lake"],
        "gone": 1,
    }
    now = {
        "prompt_template": "A {k}",
        "width": 128,
        "qc": {"min_score": 0.5, "on": False},
        "keywords": ["lake"],
        "new": "x",
    }
    diffs = {d.key: d for d in settings_diff(run, now)}
    assert list(diffs) == sorted(diffs)
    assert {k for k, d in diffs.items() if d.changed} == {"width", "qc.on", "gone", "new"}
    assert (diffs["gone"].as_run, diffs["gone"].current) == (1, None)
    assert (diffs["new"].as_run, diffs["new"].current) == (None, "x")
    assert not diffs["keywords"].changed and not diffs["qc.min_score"].changed
    assert all(d.changed for d in settings_diff(run, None))


def test_gallery_filter_and_sort(service):
    job = add_job(service, images=IMAGES)
    images = service.get_by_id(job).images
    ids = list(images["id"])
    assert list(gallery_images(images, "QC failed")["id"]) == [ids[1]]
    assert list(gallery_images(images, "Processing failed")["id"]) == [ids[3]]
    assert list(gallery_images(images, "Approved", "Oldest first")["id"]) == [ids[0], ids[4]]
    assert list(gallery_images(images)["id"]) == [ids[2], ids[4], ids[1], ids[3], ids[0]]
    best = list(gallery_images(images, "All", "Best quality first")["id"])
    assert best == [ids[0], ids[4], ids[1], ids[2], ids[3]]  # unscored last
    assert list(gallery_images(images, "All", "Lowest quality first")["id"])[:3] == [
        ids[1],
        ids[4],
        ids[0],
    ]
    assert qc_counts(images) == {
        "All": 5,
        "Approved": 2,
        "Needs review": 1,
        "QC failed": 1,
        "Processing failed": 1,
    }
    with pytest.raises(ValueError):
        gallery_images(images, "Rejected")


def test_step_durations_from_events(service):
    job = add_job(service)
    add_timeline(
        service,
        job,
        [
            (0, "info", "runner", "Job started", None),
            (1, "info", "initialise", "Settings loaded", None),
            (3, "info", "initialise", "Keywords", None),
            (4, "info", "generate", "Image 1/2", {"index": 1}),
            (6, "info", "generate", "Image 1/2 generated", {"index": 1}),
            (7, "info", "qc", "Image 1/2 approved", {"index": 1}),
            (8, "info", "generate", "Image 2/2", {"index": 2}),
            (12, "error", "convert", "Image 2/2: convert failed: disk full", {"index": 2}),
            (13, "info", "finalise", "Copied 1 approved image", None),
            (15, "info", "runner", "Completed", None),
        ],
    )
    steps = timeline_steps(service.get_by_id(job).events)
    assert [(s.step, s.image, s.duration_s, s.events) for s in steps] == [
        ("runner", None, 1.0, 1),
        ("initialise", None, 3.0, 2),
        ("generate", 1, 3.0, 2),
        ("qc", 1, 1.0, 1),
        ("generate", 2, 4.0, 1),
        ("convert", 2, 1.0, 1),
        ("finalise", None, 2.0, 1),
        ("runner", None, 0.0, 1),
    ]
    assert steps[5].level == "error" and steps[5].error.endswith("disk full")
    assert steps[1].start == T0 + dt.timedelta(seconds=1)
    running = timeline_steps(service.get_by_id(job).events, now=T0 + dt.timedelta(seconds=20))
    assert running[-1].duration_s == 5.0
    rows = timeline_rows(steps)
    assert [r["name"] for r in rows] == [
        "runner",
        "initialise",
        "Image 1",
        "Image 2",
        "finalise",
        "runner",
    ]
    assert rows[3]["level"] == "error" and rows[3]["duration_s"] == 5.0
    assert rows[2]["stages"] == [("generate", 3.0), ("qc", 1.0)]


def test_log_filter_search_and_text(service):
    job = add_job(service)
    add_timeline(
        service,
        job,
        [
            (0, "info", "runner", "Job started", None),
            (1, "debug", "generate", "Seed 7", None),
            (2, "warn", "qc", "Image 1 needs review", None),
            (3, "error", "convert", "Disk FULL", None),
        ],
    )
    events = service.get_by_id(job).events
    assert list(filter_log(events, ["error", "warn"])["message"]) == [
        "Image 1 needs review",
        "Disk FULL",
    ]
    assert list(filter_log(events, search="disk full")["message"]) == ["Disk FULL"]
    assert list(filter_log(events, search="QC")["message"]) == ["Image 1 needs review"]
    assert filter_log(events, ["info"], "disk").empty
    text = log_text(filter_log(events, ["error"]))
    assert text == "2026-11-01 09:00:03.000 ERROR convert  Disk FULL\n"


def test_gallery_items_use_urls_and_placeholders(service):
    root = service.settings.image_root
    thumb = write_image(root, "job 1/thumbs/a b.png")
    job = add_job(
        service,
        images=[
            {"thumbnail_path": thumb, "file_path": thumb},
            {"thumbnail_path": "job 1/thumbs/gone.png"},
            {"thumbnail_path": None},
        ],
    )
    images = service.get_by_id(job).images
    served = gallery_items(images, root, served=True)
    assert [i["src"] for i in served] == ["/images/job%201/thumbs/a%20b.png", "", ""]
    inline = gallery_items(images, root, served=False)
    assert inline[0]["src"].startswith("data:image/png;base64,") and inline[1]["src"] == ""


def test_large_view_shows_a_dash_for_what_an_image_lacks(service):
    # The images come as a frame: a missing reason or prompt is NaN there, not None.
    job = add_job(
        service,
        images=[
            {"qc_status": "approved", "prompt": None},
            {
                "qc_status": "qc_failed",
                "qc_reason": "watermark",
                "prompt": "a lake",
                "file_path": "job/a.png",
            },
        ],
    )
    image = service.get_by_id(job).images.iloc[0].to_dict()
    view = large_view_html(image, service.settings.image_root, served=True)
    assert "nan" not in view.lower()
    for field in ("QC reason", "Prompt", "File"):
        assert field in view
    assert view.count("—") >= 4  # QC reason, prompt, description, tags, file


def test_selection_zip_holds_a_sheet_and_the_present_files(service):
    root = service.settings.image_root
    present = write_image(root, "job/a.png")
    job = add_job(
        service,
        images=[
            {"file_path": present, "prompt": "a lake"},
            {"file_path": "job/missing.png", "prompt": "a hill"},
            {"file_path": present, "prompt": "not chosen"},
        ],
    )
    detail = service.get_by_id(job)
    ids = list(detail.images["id"])[:2]
    with zipfile.ZipFile(io.BytesIO(selection_zip(detail, ids, root))) as package:
        names = package.namelist()
        book = openpyxl.load_workbook(io.BytesIO(package.read(f"JOB-{job:06d}-images.xlsx")))
    assert sorted(names) == sorted([f"JOB-{job:06d}-images.xlsx", "images/a.png"])
    header = [c.value for c in book["Images"][1]]
    column = header.index("Prompt")
    prompts = [row[column].value for row in book["Images"].iter_rows(min_row=2)]
    assert prompts == ["a lake", "a hill"]


def test_slot_loads_nothing_until_opened_and_keeps_state_on_refresh(service):
    config = add_config(service, width=128)
    snapshot = {**service.configuration(config)["settings"], "width": 64}
    job = add_job(service, config_id=config, snapshot=snapshot, images=IMAGES)
    slot = JobDetailSlot(service=service)
    assert slot.detail is None
    slot.job_id = job
    assert slot.detail.job["id"] == job
    assert "Changed" in slot._info.content and "1 setting changed" in slot._info.content
    slot.qc_filter = "QC failed"
    assert [i["status"] for i in slot.gallery.items] == ["qc_failed"]
    slot.gallery.opened = int(slot.gallery.items[0]["id"])
    assert "watermark" in slot.gallery.view.object
    slot.param.trigger("job_id")  # a live refresh
    assert slot.qc_filter == "QC failed" and slot.gallery.opened is not None
    slot.job_id = None
    assert slot.detail is None and slot.qc_filter == "All" and slot.gallery.opened is None
    slot.job_id = 999
    assert slot.detail is None and "No job JOB-000999" in slot._head.object


def test_the_gallery_says_whether_the_job_has_no_images_or_the_filter_hides_them(service):
    slot = JobDetailSlot(service=service, job_id=add_job(service, status="failed"))
    slot._tabs.active = 1  # the Images tab
    assert slot.gallery.shown == {"items": [], "empty": "This job has no images."}
    slot.job_id = add_job(service, images=IMAGES[:1])  # one approved image
    slot._tabs.active = 1
    slot.qc_filter = "QC failed"
    assert slot.gallery.shown == {"items": [], "empty": "No images match this filter."}


def test_a_missing_job_shows_its_message_alone(service):
    job = add_job(service, images=IMAGES)
    slot = JobDetailSlot(service=service, job_id=999)
    assert slot._head.object == "<p>No job JOB-000999 (it may have been deleted).</p>"
    assert not slot._tabs.visible and not slot._actions.visible
    slot.job_id = job
    assert slot._tabs.visible and "Job ID" in slot._info.content


def test_another_job_starts_the_view_over(service):
    first = add_job(service, images=IMAGES)
    second = add_job(service, images=IMAGES[:2])
    slot = JobDetailSlot(service=service, job_id=first)
    slot.param.update(qc_filter="Approved", image_sort="Best quality first")
    slot.gallery.chosen = [int(slot.gallery.items[0]["id"])]
    assert slot._export.label == "Export selected (1)" and not slot._export.disabled
    slot.job_id = second
    assert (slot.qc_filter, slot.image_sort, slot._sort.value) == (
        "All",
        "Newest first",
        "Newest first",
    )
    assert slot.gallery.chosen == [] and slot._export.disabled and slot.gallery.items == []
    slot._tabs.active = 1  # the Images tab fills now
    assert sorted(i["id"] for i in slot.gallery.items) == sorted(
        service.get_by_id(second).images["id"]
    )


def test_parent_of_a_rerun_opens_in_the_view_and_a_deleted_one_is_plain_text(service):
    parent = add_job(service, label="Original")
    rerun = add_job(service, label="Again", rerun_of=parent)
    slot = JobDetailSlot(service=service, job_id=rerun)
    button = (
        '<button type="button" class="jd-parent" data-job="1" '
        'aria-label="Open parent job JOB-000001">JOB-000001</button>'
    )
    assert f"<dt>Rerun of</dt><dd>{button}</dd>" in slot._info.content
    slot._info.requested = parent  # what a click (or Enter) on it sends
    assert slot.job_id == parent and slot._info.requested is None
    assert slot.detail.job["label"] == "Original" and "Rerun of" not in slot._info.content

    asked = []  # on the page, the page opens it (URL, title)
    page_slot = JobDetailSlot(
        service=service, job_id=rerun, on_action=lambda action, job: asked.append((action, job))
    )
    page_slot._info.requested = parent
    assert asked == [("view", parent)] and page_slot.job_id == rerun

    service.bulk_delete([parent])
    slot.job_id = rerun
    assert (
        '<dt>Rerun of</dt><dd><span class="jd-mono">JOB-000001</span> (no longer exists)'
        in slot._info.content
    )
    assert "jd-parent" not in slot._info.content


def test_status_line_names_the_status_once_then_when_it_came_about(service):
    done = add_job(service)
    failed = add_job(service, status="failed")
    pending = add_job(service, status="pending")
    running = add_job(service, status="running")
    line = {
        job: detail_html(service.get_by_id(job)).split("<dt>Status</dt>")[1].split("</dd>")[0]
        for job in (done, failed, pending, running)
    }
    assert line[done].endswith("Completed</span> · ended 2026-11-01 09:01")
    assert line[failed].endswith("Failed</span> · ended 2026-11-01 09:01")
    assert line[pending].endswith("Pending</span> · queued 2026-11-01 09:00")
    assert line[running].endswith("</span> · started 2026-11-01 09:00")
    assert "completed 2026" not in line[done] and "failed 2026" not in line[failed]


HOSTILE = "<img src=x onerror=alert(1)>"


def test_the_job_views_templates_show_hostile_text_as_text(service):
    # Configuration names, settings, error messages, image metadata and log lines are user
    # or model data: the templates escape them (none of it may become markup).
    config = add_config(service, name=HOSTILE, prompt_template=HOSTILE)
    job = add_job(
        service,
        status="failed",
        config_id=config,
        error_message=HOSTILE,
        label=HOSTILE,
        snapshot={"prompt_template": "x", HOSTILE: HOSTILE},
        images=[{"qc_status": "qc_failed", "qc_reason": HOSTILE, "prompt": HOSTILE}],
    )
    add_timeline(service, job, [(0, "error", HOSTILE, HOSTILE, None)])
    detail = service.get_by_id(job)
    image = detail.images.iloc[0].to_dict()
    views = {
        "information": detail_html(detail),
        "large view": large_view_html(image, service.settings.image_root, served=True),
        "timeline": timeline_html(timeline_steps(detail.events)),
        "log": log_html(detail.events),
    }
    for name, view in views.items():
        assert "<img" not in view, name
        assert "&lt;img src=x onerror=alert(1)&gt;" in view, name


def test_job_view_reads_the_job_its_parent_and_why_it_is_missing(service):
    # The view's only reader of the backend: what the slot shows comes from here.
    parent = add_job(service, label="Original")
    rerun = add_job(service, label="Again", rerun_of=parent)
    view = JobView(service)
    view.load(rerun)
    assert (view.job_id, view.detail.job["label"], view.parent_known, view.missing) == (
        rerun,
        "Again",
        True,
        "",
    )
    assert view.image_root == service.image_root
    service.bulk_delete([parent])
    view.load(rerun)  # read again: the parent is gone
    assert not view.parent_known
    view.load(parent)
    assert view.detail is None and view.missing.startswith("No job JOB-000001")
    view.load(None)
    assert (view.job_id, view.detail, view.missing) == (None, None, "")


def test_the_view_builds_without_layout_warnings(service, caplog):
    # Panel warns (on every job view) about a fixed width beside a stretching sizing mode.
    with caplog.at_level(logging.WARNING):
        JobDetailSlot(service=service, job_id=add_job(service, images=IMAGES))
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []


def test_the_end_row_says_how_the_job_ended(service):
    ended = {
        status: detail_html(service.get_by_id(add_job(service, status=status)))
        for status in ("completed", "failed", "stopped", "running")
    }
    assert "<dt>Completed</dt><dd>2026-11-01 09:01</dd>" in ended["completed"]
    assert "<dt>Failed</dt><dd>2026-11-01 09:01</dd>" in ended["failed"]
    assert "<dt>Completed</dt>" not in ended["failed"]  # a failed job did not complete
    assert "<dt>Stopped</dt>" in ended["stopped"]
    assert "<dt>Ended</dt><dd>—</dd>" in ended["running"]


def test_paths_under_the_image_root_show_from_its_folder(service, tmp_path):
    root = tmp_path / "srv" / "images"
    assert shown_paths(f"Images go to {root}/12 and {root}", root) == (
        "Images go to images/12 and images"
    )
    assert shown_paths(f"{root}2/x and /elsewhere/a.png", root) == f"{root}2/x and /elsewhere/a.png"
    job = add_job(service, status="failed", error_message=f"cannot write {root}/3/a.png")
    add_timeline(service, job, [(0, "error", "save", f"cannot write {root}/3/a.png", None)])
    detail = service.get_by_id(job)
    for view in (
        detail_html(detail, root=root),
        log_html(detail.events, root),
        timeline_html(timeline_steps(detail.events), root=root),
    ):
        assert "cannot write images/3/a.png" in view and str(root) not in view


def test_the_timeline_chart_draws_steps_as_bars_and_marks_errors(service):
    job = add_job(service)
    add_timeline(
        service,
        job,
        [
            (0, "info", "queue", "Queued", None),
            (60, "info", "runner", "Job started", None),
            (61, "info", "generate", "Image 1/2", {"index": 1}),
            (65, "error", "convert", "Image 1/2: convert failed", {"index": 1}),
            (66, "info", "generate", "Image 2/2", {"index": 2}),
            (190, "info", "runner", "Completed", None),
        ],
    )
    steps = timeline_steps(service.get_by_id(job).events)
    fig = timeline_figure(steps)
    bars = fig.select_one({"name": "jd-timeline-bars"}).data_source.data
    marks = fig.select_one({"name": "jd-timeline-errors"}).data_source.data
    # the wait in the queue is left out; image 1's steps are one bar, marked as failed
    assert bars["name"] == ["runner", "Image 1", "Image 2", "runner"]
    assert bars["duration"] == ["1s", "5s", "2m 4s", "0s"]
    assert marks["name"] == ["Image 1"] and marks["error"] == ["Image 1/2: convert failed"]
    assert fig.xaxis[0].__class__.__name__ == "DatetimeAxis"
    assert fig.yaxis[0].major_label_overrides == {
        0: "runner",
        1: "Image 1",
        2: "Image 2",
        3: "runner",
    }
    assert timeline_figure([]) is None
    assert step_duration(0.3) == "<1s" and step_duration(106) == "1m 46s"
    table = timeline_html(steps)
    assert "5 steps, 1 with an error: show as a table" in table and " s<" not in table
