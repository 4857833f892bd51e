"""Where the deep page of a listing nobody has read yet lies: a sample of the history.

Until a long listing has checkpoints (see :mod:`.deep`), its deep pages took DuckDB's top-N,
which holds every row before the page: ~25 ms at the middle of a million jobs sorted by
date, ~370 ms sorted by label. The sample — every :data:`STRIDE`-th job by id, every column
but the configuration snapshot — is kept in an in-memory database attached to the store's
connection. Filtered and sorted like the listing, it tells roughly which sort keys surround
a page; the band between them is then read exactly, and used only when the count of the
rows before it shows that it really holds the page. An estimate is never trusted, so a stale
sample costs time, not correctness: it is built in the background when a long history opens
and again when an estimate misses.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import duckdb

from ..query import JobQuery
from .listing import order_by, sort_key

log = logging.getLogger(__name__)
Cursors = Callable[[], AbstractContextManager[duckdb.DuckDBPyConnection]]
Point = tuple[Any, int]
"""A row's place in a listing's order: its sort key and id."""

DATABASE = "jobdash_sample"
"""The in-memory database (attached to the store's connection) holding the sample."""

STRIDE = 128
"""One job in this many is sampled (7,800 rows at a million jobs)."""

FOLLOW_IDS = frozenset({"id", "started_at"})
"""Sort keys that follow the id: a job is numbered when it is queued and jobs run in queue
order. A sample taken every :data:`STRIDE`-th id places their ranks in the whole history
almost exactly."""

SURE = 3.0
"""Other estimates err like a random sample: the band reaches this many standard
deviations either side of the page."""

REBUILD_AFTER_S = 30.0
"""An estimate that missed rebuilds the sample, unless it is younger than this."""


class Sample:
    """The sample of one store's history (given the store's ``cursor`` to build it)."""

    def __init__(self, cursor: Cursors) -> None:
        self._cursor = cursor
        self._built_at: float | None = None
        self._build: threading.Thread | None = None
        self._lock = threading.Lock()

    def refresh(self) -> None:
        """Take the sample again in the background (unless one is being taken, or was taken
        less than :data:`REBUILD_AFTER_S` ago)."""
        with self._lock:
            fresh = (self._built_at is not None
                     and time.monotonic() - self._built_at < REBUILD_AFTER_S)
            if self._build is not None or fresh:
                return
            self._build = threading.Thread(target=self._take, name="jobdash-sample",
                                           daemon=True)
        self._build.start()

    def wait(self) -> None:
        """Block until the sample being taken is ready."""
        with self._lock:
            build = self._build
        if build is not None:
            build.join()

    def around(self, cur: duckdb.DuckDBPyConnection, query: JobQuery, where_sql: str,
               params: list[Any], now: dt.datetime, limit: int, offset: int,
               total: int) -> tuple[Point | None, Point | None] | None:
        """Two rows likely to frame the page at ``offset`` of a listing of ``total`` rows
        (None for the top or the end of the listing), or None without a usable sample."""
        if self._built_at is None:
            self.refresh()
            return None
        key_sql, key_params = sort_key(query, now)
        order_sql, uses_now = order_by(query)
        margin = _margin(query, offset, total)
        # The sample's rows in order, as (key, id) pairs; the pair at the page's estimated
        # start less the margin, and at its end plus the margin (NULL: past either end).
        n, first, until = cur.execute(
            f"""WITH s AS (SELECT list(({key_sql}, j.id) ORDER BY {order_sql}) AS l
                           FROM {DATABASE}.jobs j WHERE {where_sql})
                SELECT len(l), CASE WHEN ? >= 0 THEN l[floor(? * len(l) / ?)::BIGINT + 1] END,
                       l[ceil(? * len(l) / ?)::BIGINT + 1] FROM s""",
            [*key_params, *([now] if uses_now else []), *params, offset - margin,
             offset - margin, total, offset + limit + margin, total]).fetchone()
        if not n:
            return None
        return first, until

    def _take(self) -> None:
        try:
            with self._cursor() as cur:
                cur.execute(f"ATTACH IF NOT EXISTS ':memory:' AS {DATABASE}")
                cur.execute(f"CREATE OR REPLACE TABLE {DATABASE}.jobs AS "
                            "SELECT * EXCLUDE (configuration_snapshot) FROM job_executions "
                            "WHERE id % ? = 0", [STRIDE])
            with self._lock:
                self._built_at = time.monotonic()
        except Exception:  # noqa: BLE001 - no sample: cold reads stay exact, only slower
            log.debug("the sample of the history was not taken", exc_info=True)
        finally:
            with self._lock:
                self._build = None


def _margin(query: JobQuery, offset: int, total: int) -> int:
    """Rows of the listing the band takes in either side of the page: eight sampling steps
    when the listing is every job in an order that follows the id, else :data:`SURE`
    standard deviations of a random sample's count of the rows before the page."""
    if query.active_filters == 0 and query.sort in FOLLOW_IDS:
        return 8 * STRIDE
    share = offset / total
    return round(SURE * math.sqrt(total * share * (1 - share) * STRIDE)) + STRIDE
