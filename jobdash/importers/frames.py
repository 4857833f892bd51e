"""Rows an importer writes, as pandas frames whose columns DuckDB reads with the right types
(nullable integers, timestamps, text), whatever the first values of a column are."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

_INTEGER = "Int64"
_TIME = "datetime64[us]"
_TEXT = "string"
_TYPES = {
    **dict.fromkeys(
        (
            "id",
            "execution_id",
            "configuration_id",
            "seed",
            "width",
            "height",
            "progress",
            "total_images",
            "successful_images",
            "failed_images",
            "approved_images",
            "qc_failed_images",
            "needs_review_images",
            "original_id",
            "digest",
        ),
        _INTEGER,
    ),
    **dict.fromkeys(
        ("created_at", "updated_at", "queued_at", "started_at", "completed_at", "at"), _TIME
    ),
}
"""The type of each column that is not text."""


def frame(columns: dict[str, Sequence[Any]]) -> pd.DataFrame:
    """Columns (name -> values, None for NULL) as a frame."""
    return pd.DataFrame(
        {
            name: pd.Series(values, dtype=_TIME)
            if _TYPES.get(name) == _TIME
            else pd.array(values, dtype=_TYPES.get(name, _TEXT))
            for name, values in columns.items()
        }
    )


def rows_frame(rows: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """Rows (dicts with the same keys) as a frame."""
    return frame({name: [row[name] for row in rows] for name in rows[0]} if rows else {})
