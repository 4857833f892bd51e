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

The sample numbers its rows in every order a listing can take when it is taken, and keeps
each order's (key, id) pairs in memory: placing a page then sorts small integers (the
positions of the sample rows that pass the listing's filters) rather than keys and ids.
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
from ..vocab import SORT_KEYS
from .listing import order_by, sort_key

log = logging.getLogger(__name__)
Cursors = Callable[[], AbstractContextManager[duckdb.DuckDBPyConnection]]
Point = tuple[Any, int | None]
"""A row's place in a listing's order: its sort key and id. An id of None stands for all the
rows with that key: a band starting there starts at the first of them, a band ending there
ends after the last (a range of the key alone, cheaper to test than key and id)."""

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

SORTS = tuple(sort for sort in SORT_KEYS if sort != "status")
"""The orders the sample numbers its rows in (pages sorted by status are read from the count
of each status, see :mod:`.by_status`)."""

REBUILD_AFTER_S = 30.0
"""An estimate that missed rebuilds the sample, unless it is younger than this."""


class Sample:
    """The sample of one store's history (given the store's ``cursor`` to build it)."""

    def __init__(self, cursor: Cursors) -> None:
        self._cursor = cursor
        self._built_at: float | None = None
        self._orders: dict[tuple[str, bool], list[Point]] = {}
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
               params: list[Any], limit: int, offset: int,
               total: int) -> tuple[Point | None, Point | None] | None:
        """Two rows likely to frame the page at ``offset`` of a listing of ``total`` rows
        (None for the top or the end of the listing), or None without a usable sample."""
        with self._lock:
            points = self._orders.get((query.sort, query.descending))
        if points is None:
            if self._built_at is None:
                self.refresh()
            return None
        if where_sql == "TRUE":     # every sampled job is in the listing: the i-th is i + 1
            numbers, n = None, len(points)
        else:
            position = _position(query.sort, query.descending)
            numbers = cur.execute(f"SELECT j.{position} AS p FROM {DATABASE}.jobs j "
                                  f"WHERE {where_sql} ORDER BY p", params).fetchnumpy()["p"]
            n = len(numbers)
        if not n:
            return None

        def row(i: int) -> Point | None:
            """The listing's ``i``-th sampled row (from 0; None past either end). A sample
            taken meanwhile may number its rows otherwise: a wrong guess, still checked."""
            if not 0 <= i < n:
                return None
            number = i + 1 if numbers is None else int(numbers[i])
            return points[number - 1] if number <= len(points) else None

        # The sampled rows at the page's estimated start less the margin and at its end plus
        # the margin, each with its neighbour outside the band.
        margin = _margin(query, offset, total)
        start = math.floor((offset - margin) * n / total)
        end = math.ceil((offset + limit + margin) * n / total)
        first = _edge(row(start), row(start - 1)) if offset >= margin else None
        return first, _edge(row(end), row(end + 1))

    def _take(self) -> None:
        try:
            now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
            numbered, values = _numbered(now)
            with self._cursor() as cur:
                cur.execute(f"ATTACH IF NOT EXISTS ':memory:' AS {DATABASE}")
                cur.execute(f"CREATE OR REPLACE TABLE {DATABASE}.jobs AS "
                            f"SELECT * EXCLUDE (configuration_snapshot), {numbered} "
                            "FROM job_executions j WHERE id % ? = 0", [*values, STRIDE])
                orders = _orders(cur, now)
            with self._lock:
                self._orders = orders
                self._built_at = time.monotonic()
        except Exception:  # noqa: BLE001 - no sample: cold reads stay exact, only slower
            log.debug("the sample of the history was not taken", exc_info=True)
        finally:
            with self._lock:
                self._build = None


def _numbered(now: dt.datetime) -> tuple[str, list[Any]]:
    """Columns numbering the sampled rows from 1 in each order of :data:`SORTS`, both ways,
    and their parameters."""
    columns, values = [], []
    for sort in SORTS:
        for descending in (False, True):
            order_sql, uses_now = order_by(JobQuery(sort=sort, descending=descending))
            columns.append(f"row_number() OVER (ORDER BY {order_sql}) "
                           f"AS {_position(sort, descending)}")
            values += [now] if uses_now else []
    return ", ".join(columns), values


def _orders(cur: duckdb.DuckDBPyConnection, now: dt.datetime) -> dict[tuple[str, bool],
                                                                      list[Point]]:
    """The sample's (key, id) pairs in each order, the pair numbered ``p`` at ``p - 1``."""
    orders = {}
    for sort in SORTS:
        key_sql, key_params = sort_key(JobQuery(sort=sort), now)
        point = dict(cur.execute(f"SELECT j.id, ({key_sql}, j.id) FROM {DATABASE}.jobs j",
                                 key_params).fetchall())
        for descending in (False, True):
            ids = cur.execute(f"SELECT id FROM {DATABASE}.jobs "
                              f"ORDER BY {_position(sort, descending)}").fetchall()
            orders[sort, descending] = [point[job_id] for (job_id,) in ids]
    return orders


def _position(sort: str, descending: bool) -> str:
    """The sample's column numbering its rows in one order."""
    return f"{sort}_{'desc' if descending else 'asc'}"


def _margin(query: JobQuery, offset: int, total: int) -> int:
    """Rows of the listing the band takes in either side of the page: eight sampling steps
    when the listing is every job in an order that follows the id, else :data:`SURE`
    standard deviations of a random sample's count of the rows before the page."""
    if query.active_filters == 0 and query.sort in FOLLOW_IDS:
        return 8 * STRIDE
    share = offset / total
    return round(SURE * math.sqrt(total * share * (1 - share) * STRIDE)) + STRIDE


def _edge(point: Point | None, neighbour: Point | None) -> Point | None:
    """A band's edge from the sampled row there and its neighbour outside the band: the key
    alone unless the neighbour shares it (a key many rows share: the id then keeps the band
    from taking in all of them)."""
    if point is None:
        return None
    key, job_id = point
    if key is None or (neighbour is not None and neighbour[0] == key):
        return key, job_id
    return key, None
