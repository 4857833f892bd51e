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
from jobdash.export import column_title, excel, write_workbook

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


def _write(tmp_path, jobs=None, images=None, summary=None, status_counts=None, name="out.xlsx"):
    path = write_workbook(
        tmp_path / name,
        SUMMARY if summary is None else summary,
        _jobs() if jobs is None else jobs,
        images,
        status_counts,
    )
    return path, load_workbook(path)


def _rows(ws):
    return [list(r) for r in ws.iter_rows(values_only=True)]


# -- structure -----------------------------------------------------------------------------


def test_sheets_headers_and_row_counts(tmp_path):
    path, wb = _write(tmp_path, images=_images(4), status_counts={"completed": 2, "failed": 1})
    assert path == (tmp_path / "out.xlsx").resolve() and path.is_file()
    assert wb.sheetnames == ["Summary", "Jobs", "Images"]

    jobs = wb["Jobs"]
    assert _rows(jobs)[0] == ["ID", "Job ID", "Label", "Status", "Started At", "Duration (s)"]
    assert jobs.max_row == 1 + 3
    assert _rows(jobs)[1][:4] == [1, "JOB-000001", "Hero banners 0", "completed"]

    images = wb["Images"]
    assert _rows(images)[0] == ["ID", "Execution ID", "QC Status", "Tags", "Created At"]
    assert images.max_row == 1 + 4
    assert _rows(images)[1][3] == "lake, sunset"  # lists become joined text


def test_summary_sheet(tmp_path):
    _, wb = _write(tmp_path, status_counts={"completed": 2, "failed": np.int64(1)})
    rows = [r for r in _rows(wb["Summary"]) if any(v is not None for v in r)]
    assert rows[0][0] == "jobdash export"
    assert wb["Summary"]["A1"].font.bold
    pairs = {r[0]: r[1] for r in rows[1:4]}
    assert pairs["Exported at"] == dt.datetime(2026, 11, 2, 8, 30)  # UTC, naive
    assert pairs["Filters"] == "status = failed"
    assert pairs["Jobs"] == 3
    assert ["Jobs by status", None] in rows
    table = rows[rows.index(["Status", "Jobs"]) + 1 :]
    assert table == [["completed", 2], ["failed", 1], ["Total", 3]]
    exported = next(c for c in wb["Summary"]["B"] if isinstance(c.value, dt.datetime))
    assert exported.number_format == "yyyy-mm-dd hh:mm:ss"


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
            assert cell.fill.fgColor.rgb.endswith("3B82F6")
            assert cell.data_type == "s"
    widths = {k: d.width for k, d in wb["Jobs"].column_dimensions.items()}
    assert widths["C"] == 60  # the 500-character label is clamped
    assert widths["A"] == 8  # "ID" and small numbers: the minimum
    assert 8 < widths["E"] <= 60  # a datetime column fits its value
    assert all(8 <= w <= 60 for w in widths.values())


def test_empty_jobs_gives_a_header_only_sheet(tmp_path):
    _, wb = _write(tmp_path, jobs=_jobs(0), summary={})
    ws = wb["Jobs"]
    assert _rows(ws) == [["ID", "Job ID", "Label", "Status", "Started At", "Duration (s)"]]
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


def test_numbers_missing_values_and_structured_text(tmp_path):
    jobs = pd.DataFrame(
        {
            "duration_s": [61.25, np.nan, 3.0],
            "count": pd.array([5, None, 7], dtype="Int64"),
            "ok": [True, False, None],
            "note": ["a", None, float("nan")],
            "tags": [["lake", "sunset"], [], None],
            "meta": [{"title": "Lake", "n": 2}, None, {"nested": [1, 2]}],
            "elapsed": pd.to_timedelta([90, None, 1.5], unit="s"),
        }
    )
    _, wb = _write(tmp_path, jobs=jobs)
    ws = wb["Jobs"]
    assert [c.value for c in ws[2]] == [
        61.25,
        5,
        True,
        "a",
        "lake, sunset",
        '{"title": "Lake", "n": 2}',
        90.0,
    ]
    assert ws["A2"].data_type == "n" and ws["G2"].data_type == "n"  # durations stay numbers
    assert [c.value for c in ws[3]] == [None, None, False, None, None, None, None]
    assert [c.value for c in ws[4]][:4] == [3.0, 7, None, None]
    assert ws["F4"].value == '{"nested": [1, 2]}'


def test_formula_like_strings_are_stored_as_text(tmp_path):
    jobs = pd.DataFrame({"label": FORMULAS, "=danger": ["x"] * len(FORMULAS)})
    summary = {"Filters": '=HYPERLINK("http://x")', "Search": "@SUM(A1)"}
    path, wb = _write(tmp_path, jobs=jobs, summary=summary, status_counts={"+1": 1})
    ws = wb["Jobs"]
    assert ws["B1"].value == "=danger" and ws["B1"].data_type == "s"
    for row, text in enumerate(FORMULAS, start=2):
        cell = ws.cell(row=row, column=1)
        assert cell.data_type == "s", text
        assert cell.value == text  # the literal string: no apostrophe, nothing dropped
        if text[0] in "=+-@\t\r":
            assert cell.quotePrefix, text  # Excel keeps it text even when edited
    summary_cells = [c for row in wb["Summary"].iter_rows() for c in row if c.value]
    for text in ('=HYPERLINK("http://x")', "@SUM(A1)", "+1"):
        cell = next(c for c in summary_cells if c.value == text)
        assert cell.data_type == "s"
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
    _, wb = _write(tmp_path, jobs=jobs)
    values = [c.value for c in wb["Jobs"]["A"][1:]]
    assert values[0] == "inf"  # Excel has no infinity
    assert values[1] == str(2**60)  # too big for a double: kept exact as text
    assert values[2] == "bytes"
    assert values[3] == "  padded  "
    assert len(values[4]) == 32_767  # Excel's cell limit
    assert values[5:] == ["a & b < c > d", "é ✓ 漢字"]


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
    assert last[:3] == [n - 1, (n - 1) % 100, f"A lake {n - 1}"]
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
