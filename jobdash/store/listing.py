"""Compile a JobQuery into a parameterised SQL WHERE clause and ORDER BY (no values inlined)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..query import JobQuery
from ..vocab import parse_job_id
from .signature import error_signature_filter

# Run date of a job: when it started, or when it was queued if it has not started yet.
RUN_AT = "coalesce(j.started_at, j.queued_at)"
# Duration in seconds; running jobs count up to ``now`` (the first positional parameter).
DURATION = "date_diff('millisecond', j.started_at, coalesce(j.completed_at, ?::TIMESTAMP)) / 1000.0"

_SORT_SQL = {
    "id": "j.id",
    "label": "lower(j.label)",
    "status": "j.status",
    "started_at": RUN_AT,
    "duration": DURATION,
    "images": "j.total_images",
}


def where(query: JobQuery | None) -> tuple[str, list[Any]]:
    """``WHERE`` clause (without the keyword) over alias ``j`` and its parameters."""
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
    needle = query.search.strip().lower()
    if needle:
        # contains() matches literally: %, _, quotes and backslashes need no escaping.
        parts = [
            "contains(lower(coalesce(j.label, '')), ?)",
            "contains(lower(coalesce(j.error_message, '')), ?)",
            "j.configuration_id IN (SELECT id FROM configurations WHERE contains(lower(name), ?))",
        ]
        params.extend([needle] * 3)
        job_id = parse_job_id(needle)
        if job_id is not None:
            parts.insert(0, "j.id = ?")
            params.insert(len(params) - 3, job_id)
        clauses.append("(" + " OR ".join(parts) + ")")
    if query.image_qc:
        clauses.append("j.id IN (SELECT execution_id FROM generated_images WHERE qc_status = ?)")
        params.append(query.image_qc)
    if query.error_signature:
        clause, values = error_signature_filter(query.error_signature)
        clauses.append(clause)
        params.extend(values)
    return (" AND ".join(clauses) or "TRUE"), params


def order_by(query: JobQuery) -> tuple[str, bool]:
    """``ORDER BY`` body and whether it uses the ``now`` parameter (duration sort)."""
    direction = "DESC" if query.descending else "ASC"
    expr = _SORT_SQL[query.sort]
    return f"{expr} {direction} NULLS LAST, j.id {direction}", query.sort == "duration"
