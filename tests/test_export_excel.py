"""The Excel writer, checked by reading the workbooks back with openpyxl (no database)."""

from __future__ import annotations

import datetime as dt
import math
import os

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from places import BAD_TARGETS, tree

from jobdash.errors import ValidationError
from jobdash.export import Summary, column_title, excel, formats, write_workbook
from jobdash.export.summary import Line, Section

FORMULAS = ['=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)", "\t=1+1", "\r=2+2", "=1", "#N/A"]
UTC = dt.UTC


def _jobs(n: int = 3) -> pd.DataFrame:
    start = pd.Timestamp("2026-11-01 09:00:00", tz="UTC") + pd.to_timedelta(range(n), unit="h")
    return pd.DataFrame(
        {
            "id": range(1, n + 1),
            "job_id": [f"JOB-{i:06d}" for i in range(1, n + 1)],
            "label": [f"Hero banners {i}" for i in range(n)],
            "status": (["completed", "failed", "running"] * n)[:n],
            "started_at": start,
            "duration_s": [60.5 + i for i in range(n)],
            "rerun_of": pd.array([None, *range(1, n)][:n], dtype="Int64"),
        }
    )


def _images(n: int = 4) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": range(n),
            "execution_id": [1 + i % 3 for i in range(n)],
            "qc_status": "approved",
            "tags": [["lake", "sunset"]] * n,
            "created_at": pd.Timestamp("2026-11-01 10:00:00") + pd.to_timedelta(range(n), unit="s"),
        }
    )


SUMMARY = {
    "Exported at": dt.datetime(2026, 11, 2, 8, 30, tzinfo=UTC),
    "Filters": "status = failed",
    "Jobs": 3,
}
JOBS_HEADER = ["Job ID", "Label", "Status", "Started At (UTC)", "Duration", "Rerun Of"]


def _write(tmp_path, jobs=None, images=None, summary=None, name="out.xlsx"):
    path = write_workbook(
        tmp_path / name,
        SUMMARY if summary is None else summary,
        _jobs() if jobs is None else jobs,
        images,
    )
    return path, load_workbook(path)


def _rows(ws):
    return [list(r) for r in ws.iter_rows(values_only=True)]


def _cells(wb):
    return [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]


# -- structure -----------------------------------------------------------------------------


def test_sheets_headers_and_row_counts(tmp_path):
    path, wb = _write(tmp_path, images=_images(4))
    assert path == (tmp_path / "out.xlsx").resolve() and path.is_file()
    assert wb.sheetnames == ["Summary", "Jobs", "Images"]

    jobs = wb["Jobs"]
    assert _rows(jobs)[0] == JOBS_HEADER  # the job's number is its JOB- id: shown once
    assert jobs.max_row == 1 + 3
    assert _rows(jobs)[1][:3] == ["JOB-000001", "Hero banners 0", "Completed"]
    assert [r[2] for r in _rows(jobs)[1:]] == ["Completed", "Failed", "Running"]  # by name

    images = wb["Images"]
    assert _rows(images)[0] == ["Job ID", "Image ID", "QC Status", "Tags", "Created At (UTC)"]
    assert images.max_row == 1 + 4
    assert _rows(images)[1][:4] == ["JOB-000001", 0, "Approved", "lake, sunset"]


def test_every_sheet_names_jobs_the_same_way(tmp_path):
    _, wb = _write(tmp_path, jobs=_jobs(3), images=_images(6))
    job_ids = {r[0] for r in _rows(wb["Jobs"])[1:]}
    image_jobs = [r[0] for r in _rows(wb["Images"])[1:]]
    assert image_jobs == ["JOB-000001", "JOB-000002", "JOB-000003"] * 2
    assert set(image_jobs) <= job_ids
    assert [r[5] for r in _rows(wb["Jobs"])[1:]] == [None, "JOB-000001", "JOB-000002"]


def test_bookkeeping_columns_are_left_out(tmp_path):
    jobs = _jobs(2).assign(
        configuration_id=[3, 4],
        configuration_name=["Hero banners", "Icons"],
        configuration_version=[2, 1],
        progress=[100, 40],
        current_step=[None, "generate"],
        updated_at=pd.Timestamp("2026-11-01"),
    )
    images = _images(2).assign(file_path="a/1.png", thumbnail_path="a/1.thumb.webp")
    _, wb = _write(tmp_path, jobs=jobs, images=images)
    assert _rows(wb["Jobs"])[0] == [*JOBS_HEADER, "Configuration", "Version"]
    assert _rows(wb["Jobs"])[1][-2:] == ["Hero banners", 2]
    assert "Thumbnail Path" not in _rows(wb["Images"])[0]
    assert "File Path" in _rows(wb["Images"])[0]


def test_a_plain_summary(tmp_path):
    _, wb = _write(tmp_path)
    rows = [r for r in _rows(wb["Summary"]) if any(v is not None for v in r)]
    assert rows[0][0] == "jobdash export"
    assert wb["Summary"]["A1"].font.bold
    pairs = {r[0]: r[1] for r in rows[1:]}
    assert pairs == {
        "Exported at": dt.datetime(2026, 11, 2, 8, 30),  # UTC, naive
        "Filters": "status = failed",
        "Jobs": 3,
    }
    exported = next(c for c in wb["Summary"]["B"] if isinstance(c.value, dt.datetime))
    assert exported.number_format == "yyyy-mm-dd hh:mm:ss"


def test_a_summary_of_sections(tmp_path):
    summary = Summary(
        "Weekly report",
        (
            Section("About", (Line("Taken", dt.datetime(2026, 11, 2, 8, 30), "yyyy-mm-dd"),)),
            Section(
                "Counts",
                (
                    Line("Done", 3, formats.COUNT_FORMAT, share=0.75),
                    Line("Total", 4, formats.COUNT_FORMAT, share=1.0, strong=True),
                    Line("Run time", dt.timedelta(minutes=24, seconds=52), note="of 4 jobs"),
                ),
                columns=("Kind", "Jobs", "Share"),
            ),
        ),
        subtitle="4 jobs",
    )
    _, wb = _write(tmp_path, summary=summary)
    ws = wb["Summary"]
    assert _rows(ws) == [
        ["Weekly report", None, None, None],
        ["4 jobs", None, None, None],
        [None, None, None, None],
        ["About", None, None, None],
        ["Taken", dt.datetime(2026, 11, 2, 8, 30), None, None],
        [None, None, None, None],
        ["Counts", None, None, None],
        ["Kind", "Jobs", "Share", None],
        ["Done", 3, 0.75, None],
        ["Total", 4, 1, None],
        ["Run time", dt.timedelta(minutes=24, seconds=52), None, "of 4 jobs"],
    ]
    assert wb.properties.title == "Weekly report"
    assert ws["A1"].font.sz == formats.TITLE_SIZE and ws["A4"].font.sz == formats.SECTION_SIZE
    assert ws["A4"].border.bottom.style == "thin" and ws["D7"].border.bottom.style == "thin"
    assert ws["B5"].number_format == "yyyy-mm-dd"
    assert ws["B9"].number_format == "#,##0" and ws["C9"].number_format == "0.0%"
    assert ws["A10"].font.bold and ws["B10"].font.bold and not ws["A9"].font.bold
    assert ws["B11"].number_format == formats.DURATION_FORMAT
    assert ws["C8"].alignment.horizontal == "right"  # over a column of numbers
    assert ws.sheet_view.showGridLines is False


def test_images_sheet_omitted_without_images(tmp_path):
    _, wb = _write(tmp_path, images=None)
    assert wb.sheetnames == ["Summary", "Jobs"]


def test_header_style_freeze_filter_and_widths(tmp_path):
    jobs = _jobs(3)
    jobs["label"] = ["x" * 500, "short", None]
    _, wb = _write(tmp_path, jobs=jobs, images=_images(2))
    for ws, last in ((wb["Jobs"], "F4"), (wb["Images"], "E3")):
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref == f"A1:{last}"
        for cell in ws[1]:
            assert cell.font.bold
            assert cell.font.color.rgb.endswith("FFFFFF")
            assert cell.fill.fgColor.rgb.endswith(formats.HEADER_FILL)
            assert cell.alignment.wrap_text  # long titles take two lines, not the width
            assert cell.data_type == "s"
    widths = {k: d.width for k, d in wb["Jobs"].column_dimensions.items()}
    assert widths["B"] == 40  # the 500-character label is clamped
    assert widths["E"] == 10  # "24m 52s"-sized durations under "Duration"
    assert 8 < widths["D"] <= 40  # a datetime column fits its value
    assert all(8 <= w <= 40 for w in widths.values())
    assert wb["Jobs"].row_dimensions[1].height is None  # every title fits on one line
    assert wb["Images"].row_dimensions[1].height == excel.HEADER_ROW_HEIGHT  # "Image ID"


def test_every_styled_cell_names_its_font_and_size(tmp_path):
    path, wb = _write(
        tmp_path, jobs=_jobs(3), images=_images(3), summary=Summary.of(SUMMARY, "Report")
    )
    styled = [c for c in _cells(wb) if c.has_style]
    assert len(styled) > 20
    for cell in styled:
        assert (cell.font.name, cell.font.sz) in {
            (formats.FONT_NAME, size)
            for size in (formats.FONT_SIZE, formats.TITLE_SIZE, formats.SECTION_SIZE)
        }, cell.coordinate
    import zipfile

    # and every font the workbook defines (styles.xml) says both, the default one too
    with zipfile.ZipFile(path) as package:
        styles = package.read("xl/styles.xml").decode()
    fonts = styles.split("<fonts")[1].split("</fonts>")[0].split("<font>")[1:]
    assert fonts and all("<name " in f and "<sz " in f for f in fonts)


@pytest.mark.parametrize("images", [None, 2])
def test_every_sheet_prints_landscape_fitted_to_the_width_with_page_numbers(tmp_path, images):
    _, wb = _write(tmp_path, jobs=_jobs(3), images=None if images is None else _images(images))
    for ws in wb.worksheets:
        setup = ws.page_setup
        assert setup.orientation == "landscape", ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert setup.fitToWidth == 1
        assert setup.fitToHeight == (1 if ws.title == "Summary" else 0)  # pages as needed
        assert ws.oddFooter.left.text == "&A"  # the sheet's name
        assert ws.oddFooter.right.text == "Page &P of &N"
        assert ws.oddFooter.right.font == "Calibri,Regular" and ws.oddFooter.right.size == 9
        assert ws.page_margins.left == formats.MARGIN_SIDE
        if ws.title == "Summary":
            assert ws.print_title_rows is None and not ws.print_options.gridLines
        else:
            assert ws.print_title_rows == "$1:$1"  # the header row on every page
            assert ws.print_options.gridLines


def test_empty_jobs_gives_a_header_only_sheet(tmp_path):
    _, wb = _write(tmp_path, jobs=_jobs(0), summary={})
    ws = wb["Jobs"]
    assert _rows(ws) == [JOBS_HEADER]  # a column of times says UTC, even with none in it
    assert ws.auto_filter.ref == "A1:F1"


def test_column_titles():
    assert column_title("started_at") == "Started At"
    assert column_title("job_id") == "Job ID"
    assert column_title("qc_status") == "QC Status"
    assert column_title("duration_s") == "Duration (s)"
    assert column_title("Job ID") == "Job ID"
    assert column_title(3) == "3"


# -- values --------------------------------------------------------------------------------


def test_datetimes_are_real_excel_dates(tmp_path):
    jobs = pd.DataFrame(
        {
            "aware": pd.to_datetime(["2026-11-01 10:00:00+01:00", None], utc=True).tz_convert(
                "Europe/Paris"
            ),
            "naive": [pd.Timestamp("2026-11-01 09:30:15"), pd.NaT],
            "mixed": [
                dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=2))),
                None,
            ],
            "day": [dt.date(2026, 11, 1), None],
        }
    )
    assert str(jobs["aware"].dtype).startswith("datetime64")
    _, wb = _write(tmp_path, jobs=jobs)
    ws = wb["Jobs"]
    assert _rows(ws)[0] == ["Aware (UTC)", "Naive (UTC)", "Mixed (UTC)", "Day"]
    aware, naive, mixed, day = ws[2]
    assert aware.value == dt.datetime(2026, 11, 1, 9, 0)  # converted to UTC, made naive
    assert naive.value == dt.datetime(2026, 11, 1, 9, 30, 15)
    assert mixed.value == dt.datetime(2026, 11, 1, 10, 0)
    for cell in (aware, naive, mixed):
        assert cell.data_type == "d" and cell.is_date
        assert cell.number_format == "yyyy-mm-dd hh:mm:ss"
    assert day.is_date and day.number_format == "yyyy-mm-dd"
    assert day.value == dt.datetime(2026, 11, 1)
    assert [c.value for c in ws[3]] == [None, None, None, None]  # NaT / None: empty cells


def test_durations_are_excel_durations_shown_as_the_page_shows_them(tmp_path):
    seconds = [1492.992, 45.4, 59.7, 3599.6, 3725.0, 93784.0, np.nan, 0.4]
    jobs = pd.DataFrame({"job_id": [f"JOB-{i:06d}" for i in range(8)], "duration_s": seconds})
    jobs["elapsed"] = pd.to_timedelta(jobs["duration_s"], unit="s")
    jobs["mixed"] = [dt.timedelta(minutes=2, seconds=3.9), *[None] * 7]
    path, wb = _write(tmp_path, jobs=jobs)
    ws = wb["Jobs"]
    assert _rows(ws)[0] == ["Job ID", "Duration", "Elapsed", "Mixed"]
    whole = [None if math.isnan(s) else dt.timedelta(seconds=math.floor(s)) for s in seconds]
    assert [c.value for c in ws["B"][1:]] == whole  # whole seconds, floored like the page
    assert [c.value for c in ws["C"][1:]] == whole
    assert ws["D2"].value == dt.timedelta(minutes=2, seconds=3)
    for cell in (ws["B2"], ws["C2"], ws["D2"]):
        assert cell.number_format == formats.DURATION_FORMAT
    # stored as Excel stores durations: a number of days
    import zipfile

    with zipfile.ZipFile(path) as package:
        sheet = package.read("xl/worksheets/sheet2.xml").decode()
    assert f"<v>{1492 / 86400!r}</v>" in sheet


def test_numbers_missing_values_and_structured_text(tmp_path):
    jobs = pd.DataFrame(
        {
            "duration_s": [61.25, np.nan, 3.0],
            "count": pd.array([5, None, 7], dtype="Int64"),
            "ok": [True, False, None],
            "note": ["a", None, float("nan")],
            "tags": [["lake", "sunset"], [], None],
            "meta": [{"title": "Lake", "n": 2}, None, {"nested": [1, 2]}],
            "score": [0.5, float("-inf"), 2.0],
        }
    )
    _, wb = _write(tmp_path, jobs=jobs)
    ws = wb["Jobs"]
    assert [c.value for c in ws[2]] == [
        dt.timedelta(seconds=61),
        5,
        True,
        "a",
        "lake, sunset",
        '{"title": "Lake", "n": 2}',
        0.5,
    ]
    assert ws["B2"].data_type == "n" and ws["G2"].data_type == "n"
    assert [c.value for c in ws[3]] == [None, None, False, None, None, None, "-inf"]
    assert [c.value for c in ws[4]][:4] == [dt.timedelta(seconds=3), 7, None, None]
    assert ws["F4"].value == '{"nested": [1, 2]}'


def test_formula_like_strings_are_stored_as_text(tmp_path):
    jobs = pd.DataFrame({"label": FORMULAS, "=danger": ["x"] * len(FORMULAS)})
    summary = Summary(
        "=1+1",
        (
            Section(
                "+2",
                (
                    Line("Filters", '=HYPERLINK("http://x")'),
                    Line("Search", "@SUM(A1)", note="-3"),
                ),
                columns=("=A1", "+1", "-1"),
            ),
        ),
        subtitle="@x",
    )
    path, wb = _write(tmp_path, jobs=jobs, summary=summary)
    ws = wb["Jobs"]
    assert ws["B1"].value == "=danger" and ws["B1"].data_type == "s"
    for row, text in enumerate(FORMULAS, start=2):
        cell = ws.cell(row=row, column=1)
        assert cell.data_type == "s", text
        assert cell.value == text  # the literal string: no apostrophe, nothing dropped
        if text[0] in "=+-@\t\r":
            assert cell.quotePrefix, text  # Excel keeps it text even when edited
    summary_cells = [c for row in wb["Summary"].iter_rows() for c in row if c.value]
    texts = ("=1+1", "@x", "+2", "=A1", "+1", "-1", '=HYPERLINK("http://x")', "@SUM(A1)", "-3")
    for text in texts:
        cell = next(c for c in summary_cells if c.value == text)
        assert cell.data_type == "s" and cell.quotePrefix, text
    # and nothing in the package is a formula
    import zipfile

    with zipfile.ZipFile(path) as package:
        for name in package.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in package.read(name) and b"<f " not in package.read(name)


def test_control_characters_are_removed(tmp_path):
    jobs = pd.DataFrame(
        {
            "error_message": [
                "bad\x00\x07\x1bchars",
                "tab\tand\nnewline",
                "=\x01cmd",
                "lone \ud800 surrogate",
            ],
            "bell\x07": [1, 2, 3, 4],
        }
    )
    _, wb = _write(tmp_path, jobs=jobs, summary={"Filters": "a\x0bb"})
    ws = wb["Jobs"]
    assert [ws.cell(row=r, column=1).value for r in range(2, 6)] == [
        "badchars",
        "tab\tand\nnewline",
        "=cmd",
        "lone  surrogate",
    ]
    assert ws["A4"].data_type == "s"
    assert ws["B1"].value == "Bell"
    assert any(c.value == "ab" for c in wb["Summary"]["B"])


def test_other_odd_values(tmp_path):
    jobs = pd.DataFrame(
        {
            "v": [
                float("inf"),
                2**60,
                b"bytes",
                "  padded  ",
                "x" * 40_000,
                "a & b < c > d",
                "é ✓ 漢字",
            ]
        }
    )
    _, wb = _write(tmp_path, jobs=jobs, summary={"Big": 2**60})
    values = [c.value for c in wb["Jobs"]["A"][1:]]
    assert values[0] == "inf"  # Excel has no infinity
    assert values[1] == str(2**60)  # too big for a double: kept exact as text
    assert values[2] == "bytes"
    assert values[3] == "  padded  "
    assert len(values[4]) == 32_767  # Excel's cell limit
    assert values[5:] == ["a & b < c > d", "é ✓ 漢字"]
    assert wb["Summary"]["B3"].value == str(2**60)


# -- the file ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["out.xls", "out.csv", "out", "out.xlsx.tmp"])
def test_bad_suffix_rejected(tmp_path, name):
    with pytest.raises(ValidationError, match=r"\.xlsx") as refused:
        write_workbook(tmp_path / name, SUMMARY, _jobs())
    assert refused.value.field == "path"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("kind", BAD_TARGETS)
def test_a_target_that_cannot_take_a_workbook_is_refused_and_nothing_is_written(tmp_path, kind):
    target = BAD_TARGETS[kind](tmp_path)
    before = tree(tmp_path)
    with pytest.raises(ValidationError) as refused:
        write_workbook(target, SUMMARY, _jobs())
    assert refused.value.field == "path"
    assert str(refused.value).startswith("path: ") and "\n" not in str(refused.value)
    assert tree(tmp_path) == before
    assert not os.path.lexists(target) or os.path.isdir(target)


def test_a_trailing_separator_names_a_folder(tmp_path):
    with pytest.raises(ValidationError, match="names a folder"):
        write_workbook(f"{tmp_path / 'out.xlsx'}{os.sep}", SUMMARY, _jobs())
    assert list(tmp_path.iterdir()) == []


def test_a_long_name_the_file_system_holds_is_written(tmp_path):
    name = "x" * (255 - len(".xlsx")) + ".xlsx"  # the temp file's name is short whatever this is
    path, wb = _write(tmp_path, name=name)
    assert path.name == name and wb["Jobs"].max_row == 4
    assert [p.name for p in tmp_path.iterdir()] == [name]


def test_creates_folder_and_leaves_no_temp_file(tmp_path):
    target = tmp_path / "new" / "deeper" / "Export.XLSX"
    path = write_workbook(str(target), SUMMARY, _jobs())
    assert path == target.resolve()
    assert sorted(p.name for p in target.parent.iterdir()) == ["Export.XLSX"]


def test_replaces_an_existing_file(tmp_path):
    _write(tmp_path, jobs=_jobs(5))
    _, wb = _write(tmp_path, jobs=_jobs(2))
    assert wb["Jobs"].max_row == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.xlsx"]


def test_a_failed_write_removes_the_folders_it_made(tmp_path, monkeypatch):
    (tmp_path / "kept").mkdir()

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(excel, "_write_package", boom)
    with pytest.raises(OSError, match="disk full"):
        write_workbook(tmp_path / "kept" / "new" / "deeper" / "out.xlsx", SUMMARY, _jobs())
    assert [p.name for p in tmp_path.rglob("*")] == ["kept"]


def test_failed_write_keeps_the_old_file_and_cleans_up(tmp_path, monkeypatch):
    path, _ = _write(tmp_path, jobs=_jobs(5))
    before = path.read_bytes()

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(excel, "_write_package", boom)
    with pytest.raises(OSError, match="disk full"):
        write_workbook(path, SUMMARY, _jobs(2))
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.xlsx"]


def test_too_many_rows_for_excel_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(excel, "MAX_ROWS", 3)
    with pytest.raises(ValueError, match="at most 2 data rows"):
        write_workbook(tmp_path / "big.xlsx", SUMMARY, _jobs(3))
    assert not (tmp_path / "big.xlsx").exists()


def test_larger_export_round_trips(tmp_path):
    n = 3_000
    images = pd.DataFrame(
        {
            "id": np.arange(n),
            "execution_id": np.arange(n) % 100,
            "prompt": [f"A lake {i}" for i in range(n)],
            "quality_score": np.linspace(0, 1, n),
            "created_at": pd.Timestamp("2026-11-01") + pd.to_timedelta(np.arange(n), unit="s"),
        }
    )
    path, wb = _write(tmp_path, jobs=_jobs(100), images=images)
    ws = wb["Images"]
    assert ws.max_row == n + 1 and ws.auto_filter.ref == f"A1:E{n + 1}"
    last = [c.value for c in ws[n + 1]]
    assert last[:3] == [f"JOB-{(n - 1) % 100:06d}", n - 1, f"A lake {n - 1}"]
    assert math.isclose(last[3], 1.0)
    assert last[4] == dt.datetime(2026, 11, 1) + dt.timedelta(seconds=n - 1)
    assert os.path.getsize(path) > 0


def test_failure_while_building_leaves_no_openpyxl_temp_files(tmp_path, monkeypatch):
    import tempfile

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))

    def boom(*args, **kwargs):
        raise RuntimeError("broken sheet")

    monkeypatch.setattr(excel, "_add_table", boom)
    with pytest.raises(RuntimeError, match="broken sheet"):
        write_workbook(tmp_path / "out.xlsx", SUMMARY, _jobs())
    assert list(scratch.iterdir()) == []
    assert not (tmp_path / "out.xlsx").exists()
