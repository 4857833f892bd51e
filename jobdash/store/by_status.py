"""Pages of a listing sorted by status, at any depth.

A job has one of a handful of statuses and ties within a status go by id. So a page is
found from how many matching jobs have each status, and read from the one or two statuses it
spans, each in id order: a scan the table's id order lets DuckDB cut short. Sorting the
whole listing by status instead would tie most of a million rows.
"""

from __future__ import annotations

from typing import Any

import duckdb

from ..query import JobQuery


def status_page(
    cur: duckdb.DuckDBPyConnection,
    query: JobQuery,
    where_sql: str,
    params: list[Any],
    limit: int,
    offset: int,
) -> tuple[list[int], int]:
    """Ids of the page at ``offset`` of the listing sorted by status (then id), in order, and
    the number of jobs the listing has."""
    counts = sorted(
        cur.execute(
            f"SELECT j.status, count(*) FROM job_executions j WHERE {where_sql} GROUP BY j.status",
            params,
        ).fetchall(),
        reverse=query.descending,
    )
    direction = "DESC" if query.descending else "ASC"
    parts: list[str] = []
    values: list[Any] = []
    start = 0
    for status, count in counts:
        first, end = max(offset, start), min(offset + limit, start + count)
        if first < end:
            parts.append(
                f"(SELECT {len(parts)} AS part, j.id FROM job_executions j "
                f"WHERE ({where_sql}) AND j.status = ? "
                f"ORDER BY j.id {direction} LIMIT ? OFFSET ?)"
            )
            values += [*params, status, end - first, first - start]
        start += count
    if not parts:
        return [], start
    rows = cur.execute(
        f"SELECT id FROM ({' UNION ALL '.join(parts)}) ORDER BY part, id {direction}", values
    ).fetchall()
    return [job_id for (job_id,) in rows], start
