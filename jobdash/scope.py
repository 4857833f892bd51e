"""Argument checks shared by the service's analysis reads and :mod:`jobdash.analysis`: the
query a read covers, and bounded whole numbers."""

from __future__ import annotations

from typing import Any

from .errors import ValidationError
from .query import JobQuery


def failed_jobs() -> JobQuery:
    """The default scope of the signature reads: every failed job."""
    return JobQuery(statuses=["failed"])


def scope(query: JobQuery | None, default: JobQuery | None = None) -> JobQuery:
    """The query a read covers: ``query``, else ``default``, else every job. Anything but a
    JobQuery is refused with ValidationError."""
    if query is None:
        return default or JobQuery()
    if not isinstance(query, JobQuery):
        raise ValidationError(f"query: expected a JobQuery, not {type(query).__name__}", "query")
    return query


def whole_number(field: str, value: Any, low: int, high: int) -> int:
    """``value`` when it is an int from ``low`` to ``high``; else ValidationError."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationError(
            f"{field}: {value!r} is not a whole number from {low} to {high}", field
        )
    return value
