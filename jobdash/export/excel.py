"""Excel workbooks of job history (openpyxl + a streaming row writer, written atomically).

``write_workbook(path, summary, jobs, images=None)`` writes:

* **Summary** — a :class:`~jobdash.export.summary.Summary` (title, a line under it, sections
  of labelled values, shares and notes; :func:`~jobdash.export.summary.job_summary` makes the
  one of an export of job history), or plain label → value pairs.
* **Jobs** — every column of ``jobs`` in order as :func:`~jobdash.export.sheets.jobs_sheet`
  shows them (statuses by name, ``JOB-000042`` ids, the duration), headed by human titles
  (``started_at`` → "Started At (UTC)", ``job_id`` → "Job ID").
* **Images** — likewise for ``images`` (:func:`~jobdash.export.sheets.images_sheet`: its
  job first, as ``JOB-000042``); the sheet is left out when ``images`` is None.

Data sheets get a styled, frozen header row, an auto-filter over the data range and column
widths from the longest value of the first rows. Datetimes become real Excel datetimes
(timezone-aware values in UTC, made naive; their columns say "(UTC)"), missing values empty
cells, lists and dicts text. Durations (timedeltas) become real Excel durations of whole
seconds, shown as the page shows them ("45s", "24m 52s", "2h 15m"; :mod:`.formats`), so
they sort, filter and add up in the spreadsheet.

Every sheet prints landscape, fitted to the page width, with gridlines, the header row
repeated on every page and a footer naming the sheet and "Page 2 of 7". Every styled cell
names its font and size (Calibri 11, as the unstyled cells).

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
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet.properties import PageSetupProperties

from . import formats
from .formats import DATE_FORMAT, DATETIME_FORMAT, DURATION_FORMAT
from .sheets import images_sheet, jobs_sheet
from .summary import Section, Summary
from .target import export_target, writing_into

__all__ = [
    "FORMULA_PREFIXES",
    "MAX_ROWS",
    "column_title",
    "write_workbook",
]

MIN_WIDTH = 8
MAX_WIDTH = 40  # longer text is cut at the cell's edge (on screen and paper), kept whole
HEADER_ROW_HEIGHT = 30  # points: two lines of the header font
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


def _whole_seconds(value: Any) -> dt.timedelta:
    """A duration to the whole second (floored, as the page shows it)."""
    return dt.timedelta(seconds=math.floor(pd.Timedelta(value).total_seconds()))


def _days(value: dt.timedelta) -> float:
    """A duration as Excel holds it: a number of days."""
    return value.total_seconds() / 86_400


def _number(value: float) -> float | str:
    return value if math.isfinite(value) else str(value)  # Excel has no inf: keep it as text


def to_cell_value(value: Any) -> Any:
    """A value for one cell: None, bool, int, float, datetime (naive), date, timedelta (whole
    seconds) or str."""
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
        return _whole_seconds(value)
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
        return [
            None if math.isnan(v) else dt.timedelta(seconds=math.floor(v))
            for v in series.dt.total_seconds().tolist()
        ]
    if _plain_numpy(dtype) and dtype.kind in "biu":
        return series.tolist()
    if _plain_numpy(dtype) and dtype.kind == "f":
        return [
            v if math.isfinite(v) else (None if math.isnan(v) else str(v)) for v in series.tolist()
        ]
    return [to_cell_value(v) for v in series.tolist()]


# -- openpyxl cells (Summary sheet and header rows) ----------------------------------------


def _font(size: int = formats.FONT_SIZE, bold: bool = False, color: str = formats.TEXT) -> Font:
    """Every font names itself and its size (a font without them prints as a serif)."""
    return Font(name=formats.FONT_NAME, size=size, bold=bold, color=color)


_HEADER_FONT = _font(bold=True, color=formats.HEADER_TEXT)
_HEADER_FILL = PatternFill(
    fill_type="solid", start_color=formats.HEADER_FILL, end_color=formats.HEADER_FILL
)
_HEADER_ALIGN = Alignment(vertical="center", wrap_text=True)
_NUMBER_HEADER_ALIGN = Alignment(horizontal="right", vertical="center")
_TITLE_FONT = _font(size=formats.TITLE_SIZE, bold=True)
_SECTION_FONT = _font(size=formats.SECTION_SIZE, bold=True)
_SECTION_RULE = Border(bottom=Side(style="thin", color=formats.RULE))
_MUTED_FONT = _font(color=formats.MUTED)
_BOLD = _font(bold=True)
_PLAIN = _font()


def _text_cell(ws, text: str) -> WriteOnlyCell:
    """A string cell that can never become a formula or an error value."""
    cell = WriteOnlyCell(ws, text)
    cell.data_type = "s"  # openpyxl infers "f" for "=…" and "e" for "#N/A"-like strings
    if text.startswith(FORMULA_PREFIXES):
        cell.quotePrefix = True  # Excel keeps the cell text when someone edits it
    return cell


def _openpyxl_cell(
    ws, value: Any, number_format: str | None = None, font: Font = _PLAIN
) -> WriteOnlyCell | None:
    """A converted value as an openpyxl write-only cell (for the small Summary sheet), in
    ``font``; numbers, dates and durations shown with ``number_format`` when given."""
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > EXACT_INT:
        value = str(value)
    if isinstance(value, str):
        cell = _text_cell(ws, value)
    elif isinstance(value, dt.timedelta):
        cell = WriteOnlyCell(ws, _days(value))
        cell.number_format = number_format or DURATION_FORMAT
    else:
        cell = WriteOnlyCell(ws, value)
        if isinstance(value, (dt.datetime, dt.date)):
            default = DATETIME_FORMAT if isinstance(value, dt.datetime) else DATE_FORMAT
            cell.number_format = number_format or default
        elif number_format and not isinstance(value, bool):
            cell.number_format = number_format
    cell.font = font
    return cell


def _header_cell(ws, text: str, alignment: Alignment = _HEADER_ALIGN) -> WriteOnlyCell:
    cell = _text_cell(ws, clean_text(text))
    cell.font = _HEADER_FONT
    cell.fill = _HEADER_FILL
    cell.alignment = alignment
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
    if isinstance(value, dt.timedelta):
        return 8  # "24m 52s", "123h 4m"
    if isinstance(value, float):
        return min(len(f"{value:.6g}"), 15)
    return len(str(value))


def _header_width(header: str) -> int:
    """What a header needs on at most two lines (it wraps at spaces)."""
    longest_word = max((len(word) for word in header.split()), default=0)
    return max(longest_word, math.ceil(len(header) / 2))


def _width(header: str, values: Iterable[Any]) -> float:
    longest = max([_header_width(header), *(_display_width(v) for v in values)])
    return float(min(MAX_WIDTH, max(MIN_WIDTH, longest + 2)))


# -- the data rows, as sheet XML -----------------------------------------------------------


@dataclass
class _CellStyles:
    """Style ids (indexes into styles.xml cellXfs) registered through openpyxl."""

    datetime: int
    date: int
    duration: int
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
            duration=style_id(number_format=DURATION_FORMAT),
            quoted=style_id(quotePrefix=True),
        )


def _xml_text(text: str) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("\r", "&#13;")  # a raw CR would be read back as LF


_BASIC_TYPES = frozenset({type(None), str, int, float, bool, dt.datetime, dt.date, dt.timedelta})


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
        elif kind is dt.timedelta:
            append(f'<c r="{letter}{row}" s="{styles.duration}"><v>{_days(value)!r}</v></c>')
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
        series = [frame.iloc[:, i] for i in range(ncols)]
        columns = [_column_values(s) for s in series]
        headers = [
            column_title(name) + (" (UTC)" if _holds_times(s, values) else "")
            for name, s, values in zip(frame.columns, series, columns, strict=True)
        ]
        return cls(title, headers, columns, nrows)

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


def _holds_times(series: pd.Series, values: list[Any]) -> bool:
    """Whether a column holds date-times (shown in UTC): by its dtype, or else by its
    first converted values."""
    if isinstance(series.dtype, pd.DatetimeTZDtype) or series.dtype.kind == "M":
        return True
    return any(type(v) is dt.datetime for v in values[:WIDTH_SAMPLE_ROWS])


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


def _print_setup(ws, *, table: bool) -> None:
    """Landscape, fitted to the page width (as many pages down as it takes), a footer with
    the sheet's name and "Page 2 of 7"; a data sheet (``table``) also prints its gridlines
    and repeats its header row on every page. Before the sheet's first row is written."""
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.page_margins.left = ws.page_margins.right = formats.MARGIN_SIDE
    ws.page_margins.top = ws.page_margins.bottom = formats.MARGIN_END
    ws.page_margins.header = ws.page_margins.footer = formats.MARGIN_HEADER
    for part, text in (
        (ws.oddFooter.left, formats.FOOTER_LEFT),
        (ws.oddFooter.right, formats.FOOTER_RIGHT),
    ):
        part.text = text
        part.font = f"{formats.FONT_NAME},Regular"
        part.size = formats.FOOTER_SIZE
    if table:
        ws.print_options.gridLines = True
        ws.print_title_rows = "1:1"


def _add_table(wb: Workbook, sheet: _DataSheet) -> None:
    """A data sheet's frame: styled frozen header, auto-filter, widths and print setup;
    rows come later."""
    ws = wb.create_sheet(sheet.title)
    _print_setup(ws, table=True)
    wraps = False
    for i, (header, values) in enumerate(zip(sheet.headers, sheet.columns, strict=True), start=1):
        width = _width(header, values[:WIDTH_SAMPLE_ROWS])
        ws.column_dimensions[get_column_letter(i)].width = width
        wraps = wraps or len(header) + 2 > width
    if wraps:  # Excel does not grow a row to its wrapped text by itself
        ws.row_dimensions[1].height = HEADER_ROW_HEIGHT
    ws.freeze_panes = "A2"
    if sheet.headers:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(sheet.headers))}{sheet.nrows + 1}"
    ws.append([_header_cell(ws, h) for h in sheet.headers])
    sheet.styles = _CellStyles.register(ws)


def _clean_summary(summary: Summary | Mapping[str, object]) -> Summary:
    """The Summary with every text cleaned and every value converted for a cell."""
    if not isinstance(summary, Summary):
        summary = Summary.of(summary or {})
    return Summary(
        clean_text(summary.title),
        tuple(
            Section(
                clean_text(section.title),
                tuple(
                    replace(
                        line,
                        label=clean_text(str(line.label)),
                        value=to_cell_value(line.value),
                        note=clean_text(line.note),
                    )
                    for line in section.lines
                ),
                tuple(clean_text(c) for c in section.columns),
            )
            for section in summary.sections
        ),
        clean_text(summary.subtitle),
    )


def _add_summary(wb: Workbook, summary: Summary) -> None:
    """The Summary sheet: title, the line under it, then each section (a ruled title, a
    header row over a table's lines, the lines: label, value, share, note). Text values and
    notes run on over the empty cells to their right."""
    ws = wb.create_sheet("Summary")
    _print_setup(ws, table=False)
    ws.page_setup.fitToHeight = 1  # one page
    ws.sheet_view.showGridLines = False
    lines = [line for section in summary.sections for line in section.lines]
    heads = [section.columns for section in summary.sections]
    for index, values in enumerate(
        (
            [line.label for line in lines],
            [line.value for line in lines if not isinstance(line.value, str)],
            ["100.0%" for line in lines if line.share is not None],
        )
    ):
        titles = [head[index] for head in heads if len(head) > index]
        ws.column_dimensions["ABC"[index]].width = _width("", [*values, *titles])
    ws.column_dimensions["D"].width = _width("", [line.note for line in lines])

    def text(value: str, font: Font) -> WriteOnlyCell | None:
        return _openpyxl_cell(ws, value, font=font)

    ws.append([text(summary.title, _TITLE_FONT)])
    if summary.subtitle:
        ws.append([text(summary.subtitle, _MUTED_FONT)])
    for section in summary.sections:
        ws.append([])
        if section.title:
            ruled = [_text_cell(ws, section.title), *(WriteOnlyCell(ws) for _ in "BCD")]
            for cell in ruled:
                cell.font = _SECTION_FONT
                cell.border = _SECTION_RULE
            ws.append(ruled)
        if section.columns:
            first, *numbers = section.columns  # a label, then columns of numbers
            ws.append(
                [
                    _header_cell(ws, first),
                    *(_header_cell(ws, c, _NUMBER_HEADER_ALIGN) for c in numbers),
                ]
            )
        for line in section.lines:
            font = _BOLD if line.strong else _PLAIN
            ws.append(
                [
                    text(line.label, font),
                    _openpyxl_cell(ws, line.value, line.number_format, font),
                    _openpyxl_cell(ws, line.share, formats.PERCENT_FORMAT, font),
                    text(line.note, _MUTED_FONT),
                ]
            )


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
    summary: Summary | Mapping[str, object],
    jobs: pd.DataFrame,
    images: pd.DataFrame | None = None,
) -> Path:
    """Write an ``.xlsx`` workbook (Summary, Jobs and, when given, Images) to ``path``.

    ``summary`` is a :class:`~jobdash.export.summary.Summary` or plain label → value
    pairs; ``jobs`` are listing rows (``JobService.jobs``) and ``images`` image rows, laid
    out by :mod:`jobdash.export.sheets` (any other frame is written as it is).

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
    report = _clean_summary(summary)
    sheets = [_DataSheet.from_frame("Jobs", jobs_sheet(jobs))]
    if images is not None:
        sheets.append(_DataSheet.from_frame("Images", images_sheet(images)))

    wb = Workbook(write_only=True)
    wb.properties.creator = "jobdash"
    wb.properties.title = report.title
    skeleton = io.BytesIO()
    try:
        _add_summary(wb, report)
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
