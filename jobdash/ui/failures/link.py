"""The link that opens Job Management on its Failures view (``/jobs?view=failures``), for
the Dashboard and for the page reading its own URL."""

from __future__ import annotations

from collections.abc import Mapping

VIEW = "view"
"""The URL parameter naming the view Job Management opens on."""

FAILURES = "failures"
"""Its value for the Failures view."""


def failures_href(jobs_url: str) -> str:
    """``/jobs`` -> ``/jobs?view=failures`` (``?page=jobs`` -> ``?page=jobs&view=failures``)."""
    return f"{jobs_url}{'&' if '?' in jobs_url else '?'}{VIEW}={FAILURES}"


def asks_for_failures(search: Mapping[str, str]) -> bool:
    """Whether a page's URL parameters ask for the Failures view."""
    return search.get(VIEW) == FAILURES
