"""The one row of a statement that always returns one (aggregates, scalar subqueries)."""

from __future__ import annotations

from typing import Any

import duckdb


def one(result: duckdb.DuckDBPyConnection) -> tuple[Any, ...]:
    """The row ``result`` (an executed statement) returns; a statement that returned none
    is a bug, raised as LookupError."""
    row = result.fetchone()
    if row is None:
        raise LookupError("the statement returned no row")
    return row
