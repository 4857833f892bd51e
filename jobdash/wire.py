"""The JSON form of the contract's values, shared by the HTTP API (which writes it) and the
client (which reads it back into the same types the service returns).

- A DataFrame is ``{"columns": [...], "dtypes": {column: dtype}, "data": [[row], ...]}``:
  the dtypes travel with it, so the client rebuilds the frame the service made (int32,
  datetime64[us], object columns with None) and compares equal to it.
- A record (a job, a configuration) is a JSON object; a ``*_at`` key holds an ISO 8601 time.
- Page, JobDetail and Statistics are objects of their fields (frames as above).
- A large SQL answer may travel as a Parquet file instead (:mod:`jobdash.parquet`).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import asdict
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import pandas_dtype

from .events import Change
from .records import JobDetail, Page, Statistics


def plain(value: Any) -> Any:
    """A JSON-ready copy of ``value``: times as ISO text, numpy scalars as Python ones,
    NaN and NaT as None, frames as above."""
    if isinstance(value, pd.DataFrame):
        return frame_to_json(value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, pd.Timestamp | dt.datetime | dt.date):
        return None if pd.isna(value) else value.isoformat()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NaT:
        return None
    return value


def frame_to_json(frame: pd.DataFrame) -> dict[str, Any]:
    """A DataFrame with its column types. Numbers, text and naive times are converted a
    whole column at a time with numpy (pandas' JSON writer, then reading its text back, took
    4-5 times as long on 10,000 rows); any other column (objects, nullable and time-zone
    aware types) goes through pandas' JSON writer."""
    cells = [_cells(frame.iloc[:, i]) for i in range(frame.shape[1])]
    return {
        "columns": [str(c) for c in frame.columns],
        "dtypes": {str(c): str(t) for c, t in frame.dtypes.items()},
        "data": [list(row) for row in zip(*cells, strict=True)]
        if cells
        else [[] for _ in frame.index],
    }


def _cells(column: pd.Series) -> list[Any]:
    """One column's values as JSON-ready Python values (None for a missing one)."""
    dtype = column.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "iub":
        return column.tolist()
    if isinstance(dtype, np.dtype) and dtype.kind in "fM":
        values = column.to_numpy()
        missing = np.isnat(values) if dtype.kind == "M" else ~np.isfinite(values)
        if dtype.kind == "M":
            values = np.datetime_as_string(values, unit="us")
        out = values.astype(object)
        out[missing] = None
        return out.tolist()
    if isinstance(dtype, pd.StringDtype):
        return column.to_numpy(dtype=object, na_value=None).tolist()
    text = column.to_json(orient="values", date_format="iso", date_unit="us")
    return list(json.loads(text))


def frame_from_json(data: dict[str, Any]) -> pd.DataFrame:
    """The DataFrame :func:`frame_to_json` wrote, with its column types. Each column is built
    whole (numbers and naive times by numpy) and the frame once: converting the columns of
    a built frame one by one took ~5 ms of a 25-row page, 1 ms now."""
    columns = data["columns"]
    cells = list(zip(*data["data"], strict=True)) or [() for _ in columns]
    frame = pd.DataFrame(
        {i: _column(cells[i], data["dtypes"][name]) for i, name in enumerate(columns)},
        index=pd.RangeIndex(len(data["data"])),
    )
    frame.columns = pd.Index(columns)
    return frame


def _column(values: tuple[Any, ...], name: str) -> Any:
    """One column of the given dtype (its name) from its JSON values."""
    dtype = pandas_dtype(name)
    if isinstance(dtype, np.dtype) and dtype.kind in "iubfM":
        return np.array(values, dtype=dtype)  # times from ISO text; None as NaN or NaT
    if isinstance(dtype, pd.StringDtype):
        return pd.array(values, dtype=dtype)
    if isinstance(dtype, pd.DatetimeTZDtype):
        return pd.to_datetime(list(values), format="ISO8601").astype(dtype)
    return pd.Series(list(values), dtype=object).astype(dtype)


def record_from_json(data: dict[str, Any]) -> dict[str, Any]:
    """A record with its ``*_at`` times back as datetimes."""
    return {
        k: dt.datetime.fromisoformat(v) if k.endswith("_at") and isinstance(v, str) else v
        for k, v in data.items()
    }


def page_to_json(page: Page) -> dict[str, Any]:
    return {
        "rows": frame_to_json(page.rows),
        "total": page.total,
        "page": page.page,
        "page_size": page.page_size,
        "pages": page.pages,
    }


def page_from_json(data: dict[str, Any]) -> Page:
    return Page(
        rows=frame_from_json(data["rows"]),
        total=data["total"],
        page=data["page"],
        page_size=data["page_size"],
    )


def detail_to_json(detail: JobDetail) -> dict[str, Any]:
    return {
        "job": plain(detail.job),
        "configuration": plain(detail.configuration),
        "snapshot": plain(detail.snapshot),
        "images": frame_to_json(detail.images),
        "events": frame_to_json(detail.events),
    }


def detail_from_json(data: dict[str, Any]) -> JobDetail:
    configuration = data["configuration"]
    return JobDetail(
        job=record_from_json(data["job"]),
        configuration=record_from_json(configuration) if configuration else None,
        snapshot=data["snapshot"],
        images=frame_from_json(data["images"]),
        events=frame_from_json(data["events"]),
    )


def statistics_to_json(stats: Statistics) -> dict[str, Any]:
    return plain(asdict(stats))


def statistics_from_json(data: dict[str, Any]) -> Statistics:
    return Statistics(**data)


def change_to_json(change: Change) -> dict[str, Any]:
    return plain(asdict(change))


def change_from_json(data: dict[str, Any]) -> Change:
    return Change(
        seq=data["seq"],
        kind=data["kind"],
        job_ids=tuple(data["job_ids"]),
        at=dt.datetime.fromisoformat(data["at"]),
        data=data.get("data") or {},
    )
