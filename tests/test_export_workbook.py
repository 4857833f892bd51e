"""The workbook of an export from a real history (a DuckDB file, the service, the command
line), read back with openpyxl: its Summary as a manager would forward it, and
``jobdash export --no-images``."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from factories import T0, add_config, add_job

import jobdash
from jobdash.cli import main
from jobdash.export import formats
from jobdash.export.summary import selection_lines
from jobdash.query import JobQuery

IMAGES = [
    {"qc_status": "approved"},
    {"qc_status": "approved"},
    {"qc_status": "qc_failed"},
    {"qc_status": "processing_failed"},
]


@pytest.fixture
def history(tmp_path):
    """A closed history: three completed jobs with images, one failed, one stopped, one
    pending; the second completed job is a rerun of the first."""
    db = tmp_path / "jobs.duckdb"
    with jobdash.open(db, runner=False) as svc:
        config = add_config(svc, "Hero banners")
        first = add_job(svc, label="Lake 1", config_id=config, images=IMAGES, duration_s=1492.9)
        add_job(svc, label="Lake 2", config_id=config, images=IMAGES[:2], rerun_of=first)
        add_job(svc, label="Lake 3", config_id=config, started_at=T0 + dt.timedelta(days=2))
        add_job(svc, status="failed", label="Lake 4", config_id=config, error_message="boom")
        add_job(svc, status="stopped", label="Lake 5", config_id=config)
        add_job(svc, status="pending", label="Lake 6", config_id=config)
    return db


def summary_lines(book) -> dict[str, dict[str, tuple]]:
    """Section title → label → (value, share, note) of the Summary sheet (a table's header
    row left out)."""
    sections: dict[str, dict[str, tuple]] = {}
    current: dict[str, tuple] = {}
    for row in book["Summary"].iter_rows(min_row=3):
        label, value, share, note = (c.value for c in row[:4])
        if label and row[0].font.sz == formats.SECTION_SIZE:
            current = sections.setdefault(label, {})
        elif label and not row[0].fill.fgColor.rgb.endswith(formats.HEADER_FILL):
            current[label] = (value, share, note)
    return sections


def test_the_summary_says_what_was_exported_in_words(history, tmp_path):
    query = JobQuery(
        statuses=["completed", "failed", "stopped"], search="lake", date_from="2026-11-01"
    )
    with jobdash.open(history, runner=False) as svc:
        config = int(svc.configurations()["id"].iloc[0])
        query = query.copy(configuration_ids=[config])
        stats = svc.statistics(query)
        before = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
        path = svc.bulk_export(query, tmp_path / "lakes.xlsx")
    book = openpyxl.load_workbook(path)
    sheet = book["Summary"]
    assert sheet["A1"].value == "Job history export"
    assert sheet["A2"].value.startswith("5 jobs from jobs.duckdb, exported ")
    assert sheet["A2"].value.endswith(" UTC")
    lines = summary_lines(book)

    export = lines["Export"]
    exported = export["Exported at"][0]
    assert before <= exported <= dt.datetime.now(dt.UTC).replace(tzinfo=None)
    cell = next(c for c in sheet["B"] if c.value == exported)
    assert cell.number_format == formats.UTC_DATETIME_FORMAT  # shown as "… 13:45:02 UTC"
    assert export["History"][0] == str(history.resolve())
    assert export["Jobs"][0] == 5
    assert export["Sheets"][0] == "Summary, Jobs and Images (6 images)"
    assert export["Times"][0] == "All dates and times are UTC"

    assert {k: v[0] for k, v in lines["Selection"].items()} == {
        "Status": "Completed, Failed or Stopped",
        "Run date": "2026-11-01 or later (UTC)",
        "Configuration": "Hero banners v1",
        "Search": "“lake” in the job id, label, configuration or error message",
    }
    path_text = str(history.resolve())  # the one value that may hold anything
    text = " ".join(
        str(c.value) for row in sheet.iter_rows() for c in row if c.value not in (None, path_text)
    )
    for python in ("{", "[", "statuses", "date_from", "None", "_"):
        assert python not in text  # no Python values or field names

    assert {k: v[:2] for k, v in lines["Jobs by status"].items()} == {
        "Pending": (0, 0),
        "Running": (0, 0),
        "Completed": (3, 0.6),
        "Failed": (1, 0.2),
        "Stopped": (1, 0.2),
        "Total": (5, 1),
    }
    rates = lines["Finished jobs"]
    assert rates["Success rate"] == (
        pytest.approx(stats.success_rate),
        None,
        "3 of 5 finished jobs completed",
    )
    assert rates["Failure rate"] == (
        pytest.approx(stats.failure_rate),
        None,
        "1 of 5 finished jobs failed",
    )
    assert rates["Stopped"][0] == 0.2

    images = {k: v[:2] for k, v in lines["Images"].items()}
    assert images == {  # the page's statistics of the same jobs
        "Produced": (stats.images_total, 1),
        "Approved": (stats.images_approved, pytest.approx(4 / 6)),
        "QC failed": (stats.images_qc_failed, pytest.approx(1 / 6)),
        "Processing failed": (stats.images_processing_failed, pytest.approx(1 / 6)),
    }
    assert stats.images_total == 6
    run_time = lines["Run time"]
    assert run_time["Total"][0] == dt.timedelta(seconds=1492 + 4 * 60)  # whole seconds
    assert run_time["Longest"] == (dt.timedelta(minutes=24, seconds=52), None, "JOB-000001")

    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
                assert cell.number_format != "General", cell.coordinate  # 1,234 / 12.5%


def test_every_sheet_shows_times_in_utc_and_jobs_as_job_ids(history, tmp_path):
    with jobdash.open(history, runner=False) as svc:
        path = svc.bulk_export([1, 2], tmp_path / "two.xlsx")
    book = openpyxl.load_workbook(path)
    lines = summary_lines(book)
    assert lines["Selection"] == {"Chosen jobs": ("JOB-000001, JOB-000002", None, None)}
    jobs, images = book["Jobs"], book["Images"]
    header = [c.value for c in jobs[1]]
    rows = [dict(zip(header, (c.value for c in row), strict=True)) for row in jobs.iter_rows(2)]
    assert [r["Job ID"] for r in rows] == ["JOB-000001", "JOB-000002"]
    assert [r["Rerun Of"] for r in rows] == [None, "JOB-000001"]
    durations = [dt.timedelta(minutes=24, seconds=52), dt.timedelta(minutes=1)]
    assert [r["Duration"] for r in rows] == durations  # floored: 1492.9 s reads 24m 52s
    assert {r["Status"] for r in rows} == {"Completed"}
    times = [h for h in header if h.endswith("At (UTC)")]
    assert times == ["Queued At (UTC)", "Started At (UTC)", "Completed At (UTC)"]
    image_jobs = [row[0].value for row in images.iter_rows(min_row=2)]
    assert image_jobs == ["JOB-000001"] * 4 + ["JOB-000002"] * 2
    assert [c.value for c in images[1]][:2] == ["Job ID", "Image ID"]


def test_jobdash_export_no_images_leaves_the_images_sheet_out(history, tmp_path, capsys):
    full, bare = tmp_path / "full.xlsx", tmp_path / "bare.xlsx"
    assert main(["export", str(full), "--db", str(history)]) == 0
    asked = ["export", str(bare), "--no-images", "--status", "completed", "--db", str(history)]
    assert main(asked) == 0
    assert capsys.readouterr().out == f"Wrote {full}\nWrote {bare}\n"
    assert openpyxl.load_workbook(full).sheetnames == ["Summary", "Jobs", "Images"]
    book = openpyxl.load_workbook(bare)
    assert book.sheetnames == ["Summary", "Jobs"]
    lines = summary_lines(book)
    assert lines["Export"]["Sheets"][0] == "Summary and Jobs (images left out)"
    assert lines["Selection"] == {"Status": ("Completed", None, None)}
    assert lines["Images"]["Produced"][0] == 6  # the totals are the jobs' own counts


def test_selection_in_words():
    names = {3: "Hero banners v2"}
    assert selection_lines({}, names)[0].value == "All jobs (no filters)"
    assert selection_lines({"statuses": [], "search": "", "image_qc": None}, names)[0].value == (
        "All jobs (no filters)"
    )
    lines = selection_lines(
        {
            "statuses": ["failed"],
            "date_to": "2026-11-30",
            "configuration_ids": [3, 9],
            "image_qc": "qc_failed",
            "error_signature": "timeout after <n>s",
        },
        names,
    )
    assert [(line.label, line.value) for line in lines] == [
        ("Status", "Failed"),
        ("Run date", "2026-11-30 or earlier (UTC)"),
        ("Configuration", "Hero banners v2 or configuration 9"),
        ("Images", "At least one image “QC failed”"),
        (
            "Error",
            "Like “timeout after <n>s” (numbers, ids, paths and quoted values may differ)",
        ),
    ]
    both = selection_lines({"date_from": "2026-11-01", "date_to": "2026-11-30"}, names)
    assert both[0].value == "2026-11-01 to 2026-11-30, both days included (UTC)"
    many = selection_lines(list(range(1, 61)), names)[0].value
    assert many.startswith("JOB-000001, JOB-000002") and many.endswith("JOB-000050 and 10 more")
