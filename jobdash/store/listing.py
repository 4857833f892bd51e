"""Compile a JobQuery into parameterised SQL: the WHERE clause, the ORDER BY and the queries
that read one page fast at a million jobs (no values inlined)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..query import JobQuery
from ..vocab import parse_job_id
from .derived import image_qc_test

# Run date of a job: when it started, or when it was queued if it has not started yet
# (a stored column, see .derived).
RUN_AT = "j.run_at"
# Duration in seconds; running jobs count up to ``now`` (the first positional parameter). A
# finished job without an end (imported so) has none: it never grows with the clock.
_LIVE_END = "CASE WHEN j.status = 'running' THEN ?::TIMESTAMP END"
DURATION = f"date_diff('millisecond', j.started_at, coalesce(j.completed_at, {_LIVE_END})) / 1000.0"

# The same order in milliseconds, from the stored duration of finished jobs (one parameter);
# only the running jobs' is counted up to ``now``.
STORED_DURATION = "j.duration_ms"
LIVE_DURATION = f"date_diff('millisecond', j.started_at, {_LIVE_END})"
DURATION_KEY = f"coalesce({STORED_DURATION}, {LIVE_DURATION})"

_SORT_SQL = {
    "id": "j.id",
    "label": "j.label_rank",  # orders like j.label_key, compared as integers
    "status": "j.status",
    "started_at": RUN_AT,
    "duration": DURATION_KEY,
    "images": "j.total_images",
}

# Configurations whose name contains the search text (lower case): looked up first, so the
# listing scan tests a short list of ids instead of joining configurations row by row.
CONFIGURATIONS_NAMED = "SELECT id FROM configurations WHERE contains(lower(name), ?)"


def search_text(query: JobQuery | None) -> str:
    """The search text of ``query`` as matched: trimmed and lower case ('' for none)."""
    return query.search.strip().lower() if query is not None else ""


def where(query: JobQuery | None, named: list[int] | None = None) -> tuple[str, list[Any]]:
    """``WHERE`` clause (without the keyword) over alias ``j`` and its parameters.

    ``named`` are the ids of the configurations whose name contains the search text, when
    the caller looked them up with :data:`CONFIGURATIONS_NAMED` (faster at scale); without
    it the clause finds them with a subquery."""
    if query is None:
        return "TRUE", []
    query.validate()
    clauses: list[str] = []
    params: list[Any] = []
    if query.statuses:
        clauses.append(f"j.status IN ({', '.join('?' * len(query.statuses))})")
        params.extend(query.statuses)
    if query.date_from:
        clauses.append(f"{RUN_AT} >= ?")
        params.append(dt.datetime.combine(query.date_from, dt.time()))
    if query.date_to:
        clauses.append(f"{RUN_AT} < ?")
        params.append(dt.datetime.combine(query.date_to + dt.timedelta(days=1), dt.time()))
    if query.configuration_ids:
        clauses.append(f"j.configuration_id IN ({', '.join('?' * len(query.configuration_ids))})")
        params.extend(query.configuration_ids)
    needle = search_text(query)
    if needle:
        # Cheap tests first. contains() matches literally: %, _, quotes and backslashes need
        # no escaping; a NULL label or message is simply no match.
        parts: list[str] = []
        job_id = parse_job_id(needle)
        if job_id is not None:
            parts.append("j.id = ?")
            params.append(job_id)
        if named is None:
            parts.append(
                "j.configuration_id IN (SELECT id FROM configurations "
                "WHERE contains(lower(name), ?))"
            )
            params.append(needle)
        elif named:
            parts.append("list_contains(?::BIGINT[], j.configuration_id)")
            params.append(list(named))
        parts += ["contains(j.label_key, ?)", "contains(j.error_key, ?)"]
        params += [needle, needle]
        clauses.append("(" + " OR ".join(parts) + ")")
    if query.image_qc:
        clauses.append(image_qc_test(query.image_qc))
    if query.error_signature:
        clauses.append("j.error_signature = ?")
        params.append(query.error_signature)
    return (" AND ".join(clauses) or "TRUE"), params


def sort_key(query: JobQuery, now: dt.datetime) -> tuple[str, list[Any]]:
    """The sort key of ``query`` as SQL over alias ``j``, and its parameters."""
    return _SORT_SQL[query.sort], ([now] if query.sort == "duration" else [])


def key_parts(query: JobQuery, now: dt.datetime) -> list[tuple[str, list[Any], str]]:
    """The sort key of ``query`` split by where it comes from: each part's SQL, parameters
    and the test of the rows it is the key of. A stored key is one part. The duration is two:
    the stored duration of finished jobs, a column DuckDB tests inside the scan (~2 ms a
    million rows against ~5 ms for the whole key), and the live one of the others (few)."""
    if query.sort == "duration":
        return [
            (STORED_DURATION, [], f"{STORED_DURATION} IS NOT NULL"),
            (LIVE_DURATION, [now], f"{STORED_DURATION} IS NULL"),
        ]
    key_sql, key_params = sort_key(query, now)
    return [(key_sql, key_params, "TRUE")]


def order_by(query: JobQuery) -> tuple[str, bool]:
    """``ORDER BY`` body and whether it uses the ``now`` parameter (duration sort)."""
    direction = "DESC" if query.descending else "ASC"
    expr = _SORT_SQL[query.sort]
    return f"{expr} {direction} NULLS LAST, j.id {direction}", query.sort == "duration"


def keyed_order(query: JobQuery) -> str:
    """The listing's order over columns named ``k`` (the sort key) and ``id``, for rows a
    subquery selected with their key."""
    d = "DESC" if query.descending else "ASC"
    return f"k {d} NULLS LAST, id {d}"


def costly(query: JobQuery) -> bool:
    """Whether the filters of ``query`` are expensive to test (text search; image QC and error
    signature are stored columns): its page is then read with :func:`counted_page`, testing
    them only once."""
    return bool(search_text(query))


def page_ids(
    query: JobQuery, where_sql: str, params: list[Any], now: dt.datetime, limit: int, offset: int
) -> tuple[str, list[Any]]:
    """SQL and parameters selecting the ids of one page, in order (cheap filters)."""
    order_sql, uses_now = order_by(query)
    return (
        f"SELECT j.id FROM job_executions j WHERE {where_sql} ORDER BY {order_sql} "
        "LIMIT ? OFFSET ?",
        [*params, *([now] if uses_now else []), limit, offset],
    )


def from_the_end(
    query: JobQuery,
    where_sql: str,
    params: list[Any],
    now: dt.datetime,
    limit: int,
    offset: int,
    total: int,
) -> tuple[str, list[Any]]:
    """SQL and parameters selecting the ids of the page at ``offset`` of ``total`` rows,
    read backwards from the end of the order (the caller reverses them): for a page in the
    second half, the top-N keeps fewer rows than reading forwards would."""
    d = "ASC" if query.descending else "DESC"  # the exact mirror of order_by's order
    key_sql, key_params = sort_key(query, now)
    start = max(0, total - offset - limit)
    return (
        f"SELECT j.id FROM job_executions j WHERE {where_sql} "
        f"ORDER BY {key_sql} {d} NULLS FIRST, j.id {d} LIMIT ? OFFSET ?",
        [*params, *key_params, total - offset - start, start],
    )


def counted_page(
    query: JobQuery, where_sql: str, params: list[Any], now: dt.datetime, limit: int, offset: int
) -> tuple[str, list[Any]]:
    """SQL and parameters of one row: the number of matching jobs and the ids of one page
    in order (a list, NULL when the page is empty). The filters run once: the matching ids
    and sort keys are kept, then counted and sorted."""
    key = _SORT_SQL[query.sort]
    order = keyed_order(query)
    sql = f"""
        WITH m AS MATERIALIZED (SELECT j.id, {key} AS k FROM job_executions j WHERE {where_sql})
        SELECT (SELECT count(*) FROM m),
               (SELECT list(id ORDER BY {order})
                FROM (SELECT id, k FROM m ORDER BY {order} LIMIT ? OFFSET ?))"""
    return sql, [*([now] if query.sort == "duration" else []), *params, limit, offset]
