"""Where the deep page of a listing nobody has read yet lies: a sample of the history.

Until a long listing has checkpoints (see :mod:`.deep`), its deep pages took DuckDB's top-N,
which holds every row before the page: ~25 ms at the middle of a million jobs sorted by
date, ~370 ms sorted by label. The sample — every :data:`STRIDE`-th job by id, every column
but the configuration snapshot — is kept in an in-memory database attached to the store's
connection. Filtered and sorted like the listing, it tells roughly which sort keys surround
a page; the band between them is then read exactly, and used only when the count of the
rows before it shows that it really holds the page. An estimate is never trusted, so a stale
sample costs time, not correctness: it is built in the background when a long history opens
and again when an estimate misses or the history has :data:`REGROWN` jobs more or fewer.

When it is taken the sample also notes each sampled row's exact place in the whole history in
every order a listing can take, and keeps each order's places and (key, id) pairs in memory.
An unfiltered listing's page is then framed by the sampled rows either side of it, a band of
a few hundred rows, with no query; a filtered one sorts the places of the sample rows that
pass its filters (small integers) rather than keys and ids. Either way the places only frame
the band: the read counts the rows before it (:func:`.deep._band`), so what changed since the
sample was taken costs time, never a wrong page.
"""

from __future__ import annotations

import bisect
import datetime as dt
import logging
import math
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, NamedTuple

import duckdb

from ..query import JobQuery
from ..vocab import SORT_KEYS
from .listing import sort_key
from .rows import one

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

SURE = 3.0
"""A filtered listing's estimate errs like a random sample's: the band reaches this many
standard deviations either side of the page."""

SORTS = tuple(sort for sort in SORT_KEYS if sort != "status")
"""The orders the sample places its rows in (pages sorted by status are read from the count
of each status, see :mod:`.by_status`)."""

REGROWN = 1000
"""The sample is taken again when an unfiltered listing finds this many more (or fewer)
jobs than it had: its places still frame pages, but the band widens by every job added."""

REBUILD_AFTER_S = 30.0
"""An estimate that missed rebuilds the sample, unless it is younger than this."""


class Frame(NamedTuple):
    """A band of a listing: from ``since`` to ``until`` (see :meth:`.deep._Order.between`)."""

    since: Point | None
    until: Point | None


@dataclass(frozen=True)
class _Placed:
    """The sampled rows in one order: their places in the whole history when the sample was
    taken (0 for the first row, ascending) and their (key, id) pairs, the i-th of each alike."""

    places: list[int]
    points: list[Point]

    def point(self, place: int) -> Point | None:
        """The sampled row at ``place`` (None for a place no sampled row had)."""
        i = bisect.bisect_left(self.places, place)
        return self.points[i] if i < len(self.places) and self.places[i] == place else None


class Sample:
    """The sample of one store's history (given the store's ``cursor`` to build it)."""

    def __init__(self, cursor: Cursors) -> None:
        self._cursor = cursor
        self._built_at: float | None = None
        self._total = 0
        self._orders: dict[tuple[str, bool], _Placed] = {}
        self._build: threading.Thread | None = None
        self._lock = threading.Lock()

    def refresh(self) -> None:
        """Take the sample again in the background (unless one is being taken, or was taken
        less than :data:`REBUILD_AFTER_S` ago)."""
        with self._lock:
            fresh = (
                self._built_at is not None and time.monotonic() - self._built_at < REBUILD_AFTER_S
            )
            if self._build is not None or fresh:
                return
            self._build = threading.Thread(target=self._take, name="jobdash-sample", daemon=True)
        self._build.start()

    def wait(self) -> None:
        """Block until the sample being taken is ready."""
        with self._lock:
            build = self._build
        if build is not None:
            build.join()

    def around(
        self,
        cur: duckdb.DuckDBPyConnection,
        query: JobQuery,
        where_sql: str,
        params: list[Any],
        limit: int,
        offset: int,
        total: int,
    ) -> Frame | None:
        """The band likely to hold the page at ``offset`` of a listing of ``total`` rows
        (edges None for the top or the end of the listing), or None without a usable sample
        or when the band would be the whole listing."""
        with self._lock:
            placed, taken_of = self._orders.get((query.sort, query.descending)), self._total
        if placed is None:
            if self._built_at is None:
                self.refresh()
            return None
        framed: Frame | None
        if where_sql == "TRUE":
            if abs(total - taken_of) > REGROWN:
                self.refresh()
            framed = _unfiltered(placed, limit, offset, total, taken_of)
        else:
            position = _position(query.sort, query.descending)
            places = cur.execute(
                f"SELECT j.{position} AS p FROM {DATABASE}.jobs j WHERE {where_sql} ORDER BY p",
                params,
            ).fetchnumpy()["p"]
            framed = _filtered(placed, places.tolist(), limit, offset, total)
        return None if framed is None or framed == (None, None) else framed

    def _take(self) -> None:
        try:
            now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
            with self._cursor() as cur:
                cur.execute(f"ATTACH IF NOT EXISTS ':memory:' AS {DATABASE}")
                cur.execute("BEGIN TRANSACTION")  # one snapshot of the history throughout
                try:
                    total, orders = _sampled(cur, now)
                except BaseException:
                    cur.execute("ROLLBACK")
                    raise
                cur.execute("COMMIT")
            with self._lock:
                self._orders, self._total = orders, total
                self._built_at = time.monotonic()
        except Exception:  # no sample: cold reads stay exact, only slower
            log.debug("the sample of the history was not taken", exc_info=True)
        finally:
            with self._lock:
                self._build = None


def _sampled(
    cur: duckdb.DuckDBPyConnection, now: dt.datetime
) -> tuple[int, dict[tuple[str, bool], _Placed]]:
    """Take the sample: every :data:`STRIDE`-th job by id with its place in the whole history
    in each order of :data:`SORTS`, both ways. Returns the number of jobs and :func:`_orders`.

    Each order is sorted once, ascending (one statement each: ~60-120 ms at a million jobs,
    against ~0.7 s for all of them in one). Read backwards, an order is its own reverse,
    the keys first and the NULL keys after them, so a descending place follows from the
    ascending one and the number of keys."""
    positions = [_position(sort, descending) for sort in SORTS for descending in (False, True)]
    cur.execute(
        f"""CREATE OR REPLACE TABLE {DATABASE}.jobs AS
                    SELECT * EXCLUDE (configuration_snapshot),
                           {", ".join(f"NULL::BIGINT AS {p}" for p in positions)}
                    FROM job_executions WHERE id % ? = 0""",
        [STRIDE],
    )
    keys = [sort_key(JobQuery(sort=sort), now) for sort in SORTS]
    total, *keyed = one(
        cur.execute(
            f"SELECT count(*), {', '.join(f'count({sql})' for sql, _ in keys)} "
            "FROM job_executions j",
            [value for _, params in keys for value in params],
        )
    )
    for sort, (key_sql, key_params), with_key in zip(SORTS, keys, keyed, strict=True):
        asc, desc = _position(sort, False), _position(sort, True)
        cur.execute(
            f"""UPDATE {DATABASE}.jobs s SET {asc} = p.place FROM (
                            SELECT j.id, row_number() OVER (
                                ORDER BY {key_sql} ASC NULLS LAST, j.id ASC) - 1 AS place
                            FROM job_executions j QUALIFY j.id % ? = 0) p
                        WHERE s.id = p.id""",
            [*key_params, STRIDE],
        )
        cur.execute(
            f"""UPDATE {DATABASE}.jobs j SET {desc} = CASE WHEN {key_sql} IS NULL
                            THEN ? - 1 - {asc} + ? ELSE ? - 1 - {asc} END""",
            [*key_params, total, with_key, with_key],
        )
    return total, _orders(cur, now)


def _orders(cur: duckdb.DuckDBPyConnection, now: dt.datetime) -> dict[tuple[str, bool], _Placed]:
    """The sampled rows' places and (key, id) pairs in each order."""
    orders = {}
    for sort in SORTS:
        key_sql, key_params = sort_key(JobQuery(sort=sort), now)
        for descending in (False, True):
            rows = cur.execute(
                f"SELECT j.{_position(sort, descending)} AS p, {key_sql}, j.id "
                f"FROM {DATABASE}.jobs j ORDER BY p",
                key_params,
            ).fetchall()
            orders[sort, descending] = _Placed(
                [place for place, _, _ in rows], [(key, job_id) for _, key, job_id in rows]
            )
    return orders


def _position(sort: str, descending: bool) -> str:
    """The sample's column placing its rows in one order."""
    return f"{sort}_{'desc' if descending else 'asc'}"


def _unfiltered(placed: _Placed, limit: int, offset: int, total: int, taken_of: int) -> Frame:
    """The band round the page of the whole history: from the last sampled row before it to
    the first after it, as placed when the sample was taken of ``taken_of`` jobs, widened by
    the jobs added or deleted since and one sampling step more (rows that moved without
    changing the count: a rename, a running job's duration)."""
    margin = abs(total - taken_of) + STRIDE
    points = placed.points
    return _framed(
        lambda i: points[i] if 0 <= i < len(points) else None,
        bisect.bisect_right(placed.places, offset - margin) - 1,
        bisect.bisect_left(placed.places, offset + limit + margin),
    )


def _filtered(
    placed: _Placed, places: list[int], limit: int, offset: int, total: int
) -> Frame | None:
    """The band round the page of a filtered listing whose sampled rows have ``places`` (in
    order): the sampled rows at the page's estimated start less :func:`_margin` and at its
    end plus the margin (None when no sampled row passes the filters)."""
    n = len(places)
    if not n:
        return None

    def row(i: int) -> Point | None:
        """The listing's ``i``-th sampled row (from 0; None past either end). A sample taken
        meanwhile may place its rows otherwise: a wrong guess, still checked."""
        return placed.point(places[i]) if 0 <= i < n else None

    margin = _margin(offset, total)
    return _framed(
        row,
        math.floor((offset - margin) * n / total),
        math.ceil((offset + limit + margin) * n / total),
    )


def _framed(row: Callable[[int], Point | None], start: int, end: int) -> Frame:
    """The band from a listing's ``start``-th sampled row to its ``end``-th (``row(i)``:
    None past either end), each edge by :func:`_edge` against its neighbour outside."""
    return Frame(_edge(row(start), row(start - 1)), _edge(row(end), row(end + 1)))


def _margin(offset: int, total: int) -> int:
    """Rows of a filtered listing the band takes in either side of the page: :data:`SURE`
    standard deviations of a random sample's count of the rows before the page."""
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
