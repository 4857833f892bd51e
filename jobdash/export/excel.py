"""Excel workbooks of job history (openpyxl + a streaming row writer, written atomically).

``write_workbook(path, summary, jobs, images=None, status_counts=None)`` writes:

* **Summary** — a title row, one key/value row per ``summary`` item, then a small
  "Jobs by status" table from ``status_counts``.
* **Jobs** — every column of ``jobs`` in order, headed by human titles
  (``started_at`` → "Started At", ``job_id`` → "Job ID").
* **Images** — likewise for ``images``; the sheet is left out when ``images`` is None.

Data sheets get a styled, frozen header row, an auto-filter over the data range and column
widths from the longest value of the first rows. Datetimes become real Excel datetimes
(timezone-aware values in UTC, made naive), missing values empty cells, lists and dicts text,
timedeltas numbers of seconds.

How it is built, and why. openpyxl (write-only mode) builds the whole package: workbook,
styles, the Summary sheet and, for each data sheet, the header row, column widths, frozen pane
and auto-filter. Without lxml (not a dependency) openpyxl serialises each cell through
ElementTree, about 14 s for 10,000 jobs + 50,000 images, so the data rows themselves are
streamed by :func:`_sheet_rows` straight into the saved package's ``<sheetData>`` (the same
inline-string / number / styled-date cells openpyxl writes, with style ids that openpyxl
registered in styles.xml): about 2 s for the same export.

Safety: every string is written as a string cell (``t="inlineStr"``, read back with
``data_type == "s"``), never as a formula or error value — openpyxl would otherwise turn a
value starting with ``=`` into a formula and ``#N/A`` into an error. Strings starting with
``=``, ``+``, ``-``, ``@``, tab or carriage return additionally carry Excel's *quotePrefix*
style flag so that editing the cell in Excel keeps it text; the stored value is the original
string, unchanged (no apostrophe is added). Characters XML/Excel cannot hold (C0 control
characters other than tab/newline/carriage return, lone surrogates, U+FFFE/U+FFFF) are removed;
strings longer than Excel's cell limit (32,767 characters) are truncated.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import math
import os
import posixpath
import re
import secrets
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel

from .target import export_target, writing_into

__all__ = [
    "DATETIME_FORMAT",
    "DATE_FORMAT",
    "FORMULA_PREFIXES",
    "MAX_ROWS",
    "column_title",
    "write_workbook",
]

DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
DATE_FORMAT = "yyyy-mm-dd"
HEADER_FILL = "3B82F6"  # design token: primary blue
HEADER_FONT = "FFFFFF"

MIN_WIDTH = 8
MAX_WIDTH = 60
WIDTH_SAMPLE_ROWS = 200
MAX_CELL_CHARS = 32_767
MAX_ROWS = 1_048_576  # Excel's sheet limit, header row included
MAX_COLUMNS = 16_384
EXACT_INT = 2**53  # larger integers are written as text: a double cannot hold them

# Leading characters that make a spreadsheet treat typed text as a formula (formula
# injection): such strings are written as text cells carrying the quotePrefix flag.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

# Beyond openpyxl's ILLEGAL_CHARACTERS_RE: characters XML 1.0 cannot carry at all.
_XML_ILLEGAL_RE = re.compile("[\ud800-\udfff\ufffe\uffff]")

_ACRONYMS = {
    "id": "ID",
    "ids": "IDs",
    "qc": "QC",
    "url": "URL",
    "uri": "URI",
    "api": "API",
    "json": "JSON",
    "gpu": "GPU",
    "cpu": "CPU",
    "ui": "UI",
    "utc": "UTC",
}
_UNIT_SUFFIXES = {"s": "(s)", "ms": "(ms)", "px": "(px)", "pct": "(%)"}

_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_ROWS_PER_CHUNK = 2_000
_DATA_COMPRESSLEVEL = 1  # the sheet XML is repetitive: level 1 is ~2x faster overall, ~25% larger


def column_title(name: object) -> str:
    """A human column title: ``started_at`` → "Started At", ``job_id`` → "Job ID",
    ``duration_s`` → "Duration (s)". Words that already carry capitals are kept as they are."""
    words = [w for w in re.split(r"[_\s]+", str(name).strip()) if w]
    if not words:
        return str(name)
    out = []
    for i, word in enumerate(words):
        low = word.lower()
        if word != low:  # already cased by someone: keep it
            out.append(word)
        elif low in _ACRONYMS:
            out.append(_ACRONYMS[low])
        elif i == len(words) - 1 and i > 0 and low in _UNIT_SUFFIXES:
            out.append(_UNIT_SUFFIXES[low])
        else:
            out.append(word[:1].upper() + word[1:])
    return " ".join(out)


# -- value conversion ----------------------------------------------------------------------


def clean_text(text: str) -> str:
    """Remove characters Excel/XML reject and cut to Excel's cell limit."""
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    if not text.isascii():
        text = _XML_ILLEGAL_RE.sub("", text)
    return text[:MAX_CELL_CHARS]


def _naive_utc(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is not None and value.utcoffset() is not None:
        value = value.astimezone(dt.UTC)
    return value.replace(tzinfo=None)


def _json_default(value: Any) -> Any:
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    return str(value)


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    if isinstance(value, (float, np.floating)):
        return math.isnan(value)
    if isinstance(value, (np.datetime64, np.timedelta64)):
        return bool(np.isnat(value))
    return False


def _number(value: float) -> float | str:
    return value if math.isfinite(value) else str(value)  # Excel has no inf: keep it as text


def to_cell_value(value: Any) -> Any:
    """A value for one cell: None, bool, int, float, datetime (naive), date or str."""
    if _is_missing(value):
        return None
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating, Decimal)):
        return _number(float(value))
    if isinstance(value, pd.Timestamp):
        return _naive_utc(value.to_pydatetime())
    if isinstance(value, np.datetime64):
        return pd.Timestamp(value).to_pydatetime()
    if isinstance(value, dt.datetime):
        return _naive_utc(value)
    if isinstance(value, dt.date):
        return value
    if isinstance(value, dt.time):
        return value.replace(tzinfo=None).isoformat()
    if isinstance(value, (dt.timedelta, np.timedelta64)):
        return pd.Timedelta(value).total_seconds()  # durations are numbers of seconds
    if isinstance(value, (bytes, bytearray, memoryview)):
        return clean_text(bytes(value).decode("utf-8", errors="replace"))
    if isinstance(value, (list, tuple, set, frozenset, np.ndarray)):
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else list(value)
        if all(isinstance(i, (str, int, float, np.generic)) for i in items):
            return clean_text(
                ", ".join(str(i.item() if isinstance(i, np.generic) else i) for i in items)
            )
        return clean_text(json.dumps(items, ensure_ascii=False, default=_json_default))
    if isinstance(value, Mapping):
        return clean_text(json.dumps(dict(value), ensure_ascii=False, default=_json_default))
    return clean_text(str(value))


def _plain_numpy(dtype: Any) -> bool:
    return isinstance(dtype, np.dtype)


def _column_values(series: pd.Series) -> list[Any]:
    """Convert one DataFrame column to cell values, vectorised where the dtype allows."""
    dtype = series.dtype
    if isinstance(dtype, pd.DatetimeTZDtype):
        series = series.dt.tz_convert("UTC").dt.tz_localize(None)
        dtype = series.dtype
    if _plain_numpy(dtype) and dtype.kind == "M":
        mask = series.isna().tolist()
        values = list(series.dt.to_pydatetime()) if len(series) else []
        return [None if m else v for v, m in zip(values, mask, strict=True)]
    if _plain_numpy(dtype) and dtype.kind == "m":
        return [None if math.isnan(v) else v for v in series.dt.total_seconds().tolist()]
    if _plain_numpy(dtype) and dtype.kind in "biu":
        return series.tolist()
    if _plain_numpy(dtype) and dtype.kind == "f":
        return [
            v if math.isfinite(v) else (None if math.isnan(v) else str(v)) for v in series.tolist()
        ]
    return [to_cell_value(v) for v in series.tolist()]


# -- openpyxl cells (Summary sheet and header rows) ----------------------------------------

_HEADER_FONT = Font(bold=True, color=HEADER_FONT)
_HEADER_FILL = PatternFill(fill_type="solid", start_color=HEADER_FILL, end_color=HEADER_FILL)
_HEADER_ALIGN = Alignment(vertical="center")
_TITLE_FONT = Font(bold=True, size=14)
_BOLD = Font(bold=True)


def _text_cell(ws, text: str) -> WriteOnlyCell:
    """A string cell that can never become a formula or an error value."""
    cell = WriteOnlyCell(ws, text)
    cell.data_type = "s"  # openpyxl infers "f" for "=…" and "e" for "#N/A"-like strings
    if text.startswith(FORMULA_PREFIXES):
        cell.quotePrefix = True  # Excel keeps the cell text when someone edits it
    return cell


def _openpyxl_cell(ws, value: Any) -> Any:
    """A converted value as an openpyxl write-only cell (for the small Summary sheet)."""
    if value is None:
        return None
    if isinstance(value, str):
        return _text_cell(ws, value) if value else None
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > EXACT_INT:
        return _text_cell(ws, str(value))
    if isinstance(value, (dt.datetime, dt.date)):
        cell = WriteOnlyCell(ws, value)
        cell.number_format = DATETIME_FORMAT if isinstance(value, dt.datetime) else DATE_FORMAT
        return cell
    return value


def _header_cell(ws, text: str) -> WriteOnlyCell:
    cell = _text_cell(ws, clean_text(text))
    cell.font = _HEADER_FONT
    cell.fill = _HEADER_FILL
    cell.alignment = _HEADER_ALIGN
    return cell


def _display_width(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, str):
        return max((len(line) for line in value.splitlines()), default=0)
    if isinstance(value, dt.datetime):
        return 19
    if isinstance(value, dt.date):
        return 10
    if isinstance(value, float):
        return min(len(f"{value:.6g}"), 15)
    return len(str(value))


def _width(header: str, values: Iterable[Any]) -> float:
    longest = max([len(header), *(_display_width(v) for v in values)])
    return float(min(MAX_WIDTH, max(MIN_WIDTH, longest + 2)))


# -- the data rows, as sheet XML -----------------------------------------------------------


@dataclass
class _CellStyles:
    """Style ids (indexes into styles.xml cellXfs) registered through openpyxl."""

    datetime: int
    date: int
    quoted: int

    @classmethod
    def register(cls, ws) -> _CellStyles:
        def style_id(**attrs: Any) -> int:
            cell = WriteOnlyCell(ws)
            for name, value in attrs.items():
                setattr(cell, name, value)
            return cell.style_id  # adds the style to the workbook's cellXfs

        return cls(
            datetime=style_id(number_format=DATETIME_FORMAT),
            date=style_id(number_format=DATE_FORMAT),
            quoted=style_id(quotePrefix=True),
        )


def _xml_text(text: str) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("\r", "&#13;")  # a raw CR would be read back as LF


_BASIC_TYPES = frozenset({type(None), str, int, float, bool, dt.datetime, dt.date})


def _coerce(value: Any) -> Any:
    """Anything the column converters did not already turn into a basic cell value."""
    value = to_cell_value(value)
    return value if type(value) in _BASIC_TYPES else clean_text(str(value))


def _column_cells(
    letter: str, values: list[Any], styles: _CellStyles, first_row: int = 2
) -> list[str]:
    """The ``<c>`` elements of one column from ``first_row`` down; "" where there is no cell."""
    out: list[str] = []
    append = out.append
    quoted = f' s="{styles.quoted}"'
    for row, value in enumerate(values, start=first_row):
        kind = type(value)
        if kind not in _BASIC_TYPES:
            value = _coerce(value)
            kind = type(value)
        if value is None or value == "":
            append("")
        elif kind is float or (kind is int and -EXACT_INT <= value <= EXACT_INT):
            append(f'<c r="{letter}{row}"><v>{value!r}</v></c>')
        elif kind is str or kind is int:  # huge integers too: a double would round them
            text = value if kind is str else str(value)
            style = quoted if text.startswith(FORMULA_PREFIXES) else ""
            space = ' xml:space="preserve"' if text[0].isspace() or text[-1].isspace() else ""
            append(
                f'<c r="{letter}{row}"{style} t="inlineStr"><is><t{space}>'
                f"{_xml_text(text)}</t></is></c>"
            )
        elif kind is bool:
            append(f'<c r="{letter}{row}" t="b"><v>{int(value)}</v></c>')
        elif kind is dt.datetime:
            append(f'<c r="{letter}{row}" s="{styles.datetime}"><v>{to_excel(value)!r}</v></c>')
        else:  # dt.date
            append(f'<c r="{letter}{row}" s="{styles.date}"><v>{to_excel(value)!r}</v></c>')
    return out


@dataclass
class _DataSheet:
    """A data sheet whose rows are streamed into the package after openpyxl saved it."""

    title: str
    headers: list[str]
    columns: list[list[Any]]
    nrows: int
    styles: _CellStyles | None = None  # registered when the sheet is added to a workbook

    @classmethod
    def from_frame(cls, title: str, frame: pd.DataFrame) -> _DataSheet:
        nrows, ncols = frame.shape
        if nrows + 1 > MAX_ROWS or ncols > MAX_COLUMNS:
            raise ValueError(
                f"The {title} sheet would have {nrows:,} rows and {ncols:,} columns; Excel "
                f"holds at most {MAX_ROWS - 1:,} data rows and {MAX_COLUMNS:,} columns. "
                "Export fewer jobs (narrow the filter) or leave the images out."
            )
        return cls(
            title,
            [column_title(c) for c in frame.columns],
            [_column_values(frame.iloc[:, i]) for i in range(ncols)],
            nrows,
        )

    def size_bound(self) -> int:
        """A generous upper bound of the rows' encoded size in bytes (for the zip64 choice)."""
        text = sum(len(v) for column in self.columns for v in column if type(v) is str)
        return 100 * self.nrows * (len(self.columns) + 1) + 6 * text

    def xml_chunks(self) -> Iterator[bytes]:
        """The data rows (row 2 onwards) as UTF-8 ``<row>`` elements, a few thousand a time."""
        letters = [get_column_letter(i) for i in range(1, len(self.columns) + 1)]
        for start in range(0, self.nrows, _ROWS_PER_CHUNK):
            stop = min(start + _ROWS_PER_CHUNK, self.nrows)
            cells = [
                _column_cells(letter, values[start:stop], self.styles, first_row=start + 2)
                for letter, values in zip(letters, self.columns, strict=False)
            ]
            yield "".join(
                f'<row r="{number}">{"".join(row)}</row>'
                for number, row in enumerate(zip(*cells, strict=True), start=start + 2)
            ).encode("utf-8")


def _sheet_parts(package: zipfile.ZipFile) -> dict[str, str]:
    """Sheet title → part name inside the package, from workbook.xml and its rels."""
    workbook = ElementTree.fromstring(package.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(package.read("xl/_rels/workbook.xml.rels"))
    targets = {
        rel.get("Id"): rel.get("Target") for rel in rels.iter(f"{{{_PKG_REL_NS}}}Relationship")
    }
    parts = {}
    for sheet in workbook.iter(f"{{{_MAIN_NS}}}sheet"):
        target = targets[sheet.get(f"{{{_REL_NS}}}id")]
        parts[sheet.get("name")] = (
            target.lstrip("/")
            if target.startswith("/")
            else posixpath.normpath(posixpath.join("xl", target))
        )
    return parts


def _write_package(skeleton: bytes, out: io.BufferedIOBase, sheets: list[_DataSheet]) -> None:
    """Copy openpyxl's package to ``out``, streaming each data sheet's rows into it."""
    with (
        zipfile.ZipFile(io.BytesIO(skeleton)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=_DATA_COMPRESSLEVEL) as dst,
    ):
        parts = _sheet_parts(src)
        streamed = {parts[sheet.title]: sheet for sheet in sheets}
        for info in src.infolist():
            data = src.read(info.filename)
            sheet = streamed.get(info.filename)
            if sheet is None:
                dst.writestr(info, data)  # keeps openpyxl's own compression settings
                continue
            cut = data.rfind(b"</sheetData>")
            if cut < 0 or data.count(b"</sheetData>") != 1:
                raise RuntimeError(f"Unexpected worksheet XML from openpyxl in {info.filename}")
            big = sheet.size_bound() + len(data) > zipfile.ZIP64_LIMIT
            with dst.open(info.filename, "w", force_zip64=big) as handle:
                handle.write(data[:cut])
                for chunk in sheet.xml_chunks():
                    handle.write(chunk)
                handle.write(data[cut:])


# -- sheets --------------------------------------------------------------------------------


def _add_table(wb: Workbook, sheet: _DataSheet) -> None:
    """A data sheet's frame: styled frozen header, auto-filter and widths; rows come later."""
    ws = wb.create_sheet(sheet.title)
    for i, (header, values) in enumerate(zip(sheet.headers, sheet.columns, strict=True), start=1):
        ws.column_dimensions[get_column_letter(i)].width = _width(
            header, values[:WIDTH_SAMPLE_ROWS]
        )
    ws.freeze_panes = "A2"
    if sheet.headers:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(sheet.headers))}{sheet.nrows + 1}"
    ws.append([_header_cell(ws, h) for h in sheet.headers])
    sheet.styles = _CellStyles.register(ws)


def _add_summary(
    wb: Workbook, rows: list[tuple[str, Any]], counts: list[tuple[Any, Any]] | None
) -> None:
    """The Summary sheet from converted key/value rows and (status, count) pairs."""
    ws = wb.create_sheet("Summary")
    keys = [
        "jobdash export",
        "Jobs by status",
        "Status",
        *(k for k, _ in rows),
        *(k for k, _ in counts or []),
    ]
    ws.column_dimensions["A"].width = _width("", keys)
    ws.column_dimensions["B"].width = _width("Jobs", [v for _, v in rows + (counts or [])])

    def bold(text: str, font: Font = _BOLD) -> WriteOnlyCell:
        cell = _text_cell(ws, text)
        cell.font = font
        return cell

    ws.append([bold("jobdash export", _TITLE_FONT)])
    ws.append([])
    for key, value in rows:
        ws.append([bold(key), _openpyxl_cell(ws, value)])

    if counts is not None:
        ws.append([])
        ws.append([bold("Jobs by status")])
        ws.append([_header_cell(ws, "Status"), _header_cell(ws, "Jobs")])
        for status, count in counts:
            ws.append([_openpyxl_cell(ws, status), _openpyxl_cell(ws, count)])
        if counts and all(type(c) is int for _, c in counts):
            total = WriteOnlyCell(ws, sum(c for _, c in counts))
            total.font = _BOLD
            ws.append([bold("Total"), total])


# -- the public function -------------------------------------------------------------------


def _open_temp(target: Path) -> tuple[Path, int]:
    """Create an empty, exclusive temp file next to ``target`` (its mode honours the umask).
    Its name is short whatever the target's: a name the file system holds stays writable."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        candidate = target.with_name(f".jobdash-export-{secrets.token_hex(6)}.tmp")
        try:
            return candidate, os.open(candidate, flags, 0o666)
        except FileExistsError:
            continue


def _discard(wb: Workbook) -> None:
    """Let openpyxl close (and delete) the temporary files of an abandoned workbook."""
    with contextlib.suppress(Exception):
        wb.save(io.BytesIO())


def write_workbook(
    path: str | os.PathLike,
    summary: Mapping[str, object],
    jobs: pd.DataFrame,
    images: pd.DataFrame | None = None,
    status_counts: Mapping[str, int] | None = None,
) -> Path:
    """Write an ``.xlsx`` workbook (Summary, Jobs and, when given, Images) to ``path``.

    The file appears atomically: the workbook is written to a temporary file in the same
    folder and moved onto ``path`` with ``os.replace``; missing folders are created (and
    removed again if the write fails). Returns the resolved path. A target that cannot be
    written (see :func:`jobdash.export.target.export_target`: a folder, not ``.xlsx``, a name
    too long, under a file, no permission) raises
    :class:`~jobdash.errors.ValidationError` with ``field="path"`` and leaves the disk as it
    was; ``ValueError`` when a sheet would exceed Excel's row/column limits.
    """
    target = export_target(path)
    if jobs is None:
        jobs = pd.DataFrame()
    if not isinstance(jobs, pd.DataFrame):
        raise TypeError(f"jobs must be a pandas DataFrame, not {type(jobs).__name__}")
    if images is not None and not isinstance(images, pd.DataFrame):
        raise TypeError(f"images must be a pandas DataFrame or None, not {type(images).__name__}")

    # Convert and check everything first: nothing touches openpyxl or the disk before that.
    rows = [(clean_text(str(k)), to_cell_value(v)) for k, v in (summary or {}).items()]
    counts = (
        None
        if status_counts is None
        else [(to_cell_value(k), to_cell_value(v)) for k, v in status_counts.items()]
    )
    sheets = [_DataSheet.from_frame("Jobs", jobs)]
    if images is not None:
        sheets.append(_DataSheet.from_frame("Images", images))

    wb = Workbook(write_only=True)
    wb.properties.creator = "jobdash"
    wb.properties.title = "jobdash export"
    skeleton = io.BytesIO()
    try:
        _add_summary(wb, rows, counts)
        for sheet in sheets:
            _add_table(wb, sheet)
        wb.save(skeleton)
    except BaseException:
        _discard(wb)
        raise

    with writing_into(target):
        tmp, fd = _open_temp(target)
        try:
            with os.fdopen(fd, "wb") as handle:
                _write_package(skeleton.getvalue(), handle, sheets)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
            raise
    return target
