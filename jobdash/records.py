"""What the backend contract returns: a page of jobs, one job's detail, statistics.

Plain values (dataclasses over pandas frames and dicts) with no tie to the store, so the
service, the UI state and a remote client can all build or read them."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from .query import JobQuery

IdsOrQuery = Iterable[int] | JobQuery
"""The jobs a bulk action applies to: their ids, or every job matching a query."""


@dataclass(frozen=True)
class Page:
    """One page of a job listing."""

    rows: pd.DataFrame
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        """Number of pages (at least 1, so an empty listing still has page 1)."""
        return max(1, math.ceil(self.total / self.page_size))


@dataclass(frozen=True)
class Statistics:
    """Aggregates over the jobs matching a query."""

    total: int
    by_status: dict[str, int]
    success_rate: float
    failure_rate: float
    running: int
    pending: int
    trend: dict[str, Any]
    avg_duration_s: float | None
    images_total: int
    images_approved: int
    images_qc_failed: int
    images_processing_failed: int


@dataclass(frozen=True)
class JobDetail:
    """Everything about one job."""

    job: dict[str, Any]
    configuration: dict[str, Any] | None
    snapshot: dict[str, Any] | None
    images: pd.DataFrame
    events: pd.DataFrame
