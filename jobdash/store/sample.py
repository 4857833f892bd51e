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
pass its filters (small integers) rather than keys and ids.

The sample also notes the store's count of writes when it was taken. While no write has begun
since, its places are still exact, so an unfiltered band need not count the rows before it:
the sampled row it starts at says how many there are. Only the duration of running jobs moves
without a write: the sample notes when each started, so a duration band that none of them
falls in reads the stored durations alone (see :func:`.listing.key_parts`).
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
from .listing import LIVE_ROWS, key_parts, live_duration, sort_key

log = logging.getLogger(__name__)
Cursors = Callable[[], AbstractContextManager[duckdb.DuckDBPyConnection]]
Writes = Callable[[], int]
"""The store's count of write transactions begun plus ended (odd while one is open)."""
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
    known: int | None = None
    """How many rows of the first part of the listing's key (:func:`.listing.key_parts`)
    come before ``since``, when the sample knows it exactly (None: the band counts them);
    with :attr:`first_part_only`, how many rows of the listing do."""
    first_part_only: bool = False
    """The band reads the first part of the key alone: the sample knows that no row of the
    others lies in it."""
    exact_at: int | None = None
    """The store's count of writes at which :attr:`known` holds (see :meth:`Sample.holds`)."""


@dataclass(frozen=True)
class _Placed:
    """The sampled rows in one order: their places in the whole history when the sample was
    taken (0 for the first row, ascending), their (key, id) pairs and their places among the
    rows of the first part of the order's key (None for a row of another part), the i-th of
    each alike."""

    places: list[int]
    points: list[Point]
    part_places: list[int | None]

    def point(self, place: int) -> Point | None:
        """The sampled row at ``place`` (None for a place no sampled row had)."""
        i = bisect.bisect_left(self.places, place)
        return self.points[i] if i < len(self.places) and self.places[i] == place else None


class Sample:
    """The sample of one store's history (given the store's ``cursor`` to build it)."""

    def __init__(self, cursor: Cursors, writes: Writes) -> None:
        self._cursor = cursor
        self._writes = writes
        self._built_at: float | None = None
        self._total = 0
        self._writes_at: int | None = None   # the store's writes when taken (None: one was open)
        self._running: list[tuple[int, dt.datetime]] = []    # (id, started_at) then
        self._orders: dict[tuple[str, bool], _Placed] = {}
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

    def holds(self, frame: Frame) -> bool:
        """Whether what ``frame`` knows still holds: no write has begun since the sample that
        placed it was taken (a frame that knows nothing always holds)."""
        return frame.known is None or self._writes() == frame.exact_at

    def around(self, cur: duckdb.DuckDBPyConnection, query: JobQuery, where_sql: str,
               params: list[Any], now: dt.datetime, limit: int, offset: int,
               total: int) -> Frame | None:
        """The band likely to hold the page at ``offset`` of a listing of ``total`` rows
        (edges None for the top or the end of the listing), or None without a usable sample
        or when the band would be the whole listing."""
        with self._lock:
            placed, taken_of = self._orders.get((query.sort, query.descending)), self._total
            running, taken_at = self._running, self._writes_at
        if placed is None:
            if self._built_at is None:
                self.refresh()
            return None
        if where_sql == "TRUE":
            if abs(total - taken_of) > REGROWN:
                self.refresh()
            unchanged = taken_at is not None and self._writes() == taken_at
            framed = _unfiltered(placed, limit, offset, total, taken_of, unchanged)
            if framed.known is not None:
                framed = framed._replace(exact_at=taken_at)
                if query.sort == "duration":
                    framed = _clear_of(framed, [(live_duration(started, now), job_id)
                                                for job_id, started in running],
                                       query.descending)
        else:
            position = _position(query.sort, query.descending)
            places = cur.execute(f"SELECT j.{position} AS p FROM {DATABASE}.jobs j "
                                 f"WHERE {where_sql} ORDER BY p", params).fetchnumpy()["p"]
            framed = _filtered(placed, places.tolist(), limit, offset, total)
        return None if framed is None or framed[:2] == (None, None) else framed

    def _take(self) -> None:
        try:
            now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
            writes = self._writes()     # before the snapshot: a write after it tells
            with self._cursor() as cur:
                cur.execute(f"ATTACH IF NOT EXISTS ':memory:' AS {DATABASE}")
                cur.execute("BEGIN TRANSACTION")   # one snapshot of the history throughout
                try:
                    total, orders = _sampled(cur, now)
                    running = cur.execute(
                        f"SELECT j.id, j.started_at FROM job_executions j WHERE {LIVE_ROWS}"
                    ).fetchall()
                except BaseException:
                    cur.execute("ROLLBACK")
                    raise
                cur.execute("COMMIT")
            with self._lock:
                self._orders, self._total, self._running = orders, total, running
                self._writes_at = None if writes % 2 else writes
                self._built_at = time.monotonic()
        except Exception:  # noqa: BLE001 - no sample: cold reads stay exact, only slower
            log.debug("the sample of the history was not taken", exc_info=True)
        finally:
            with self._lock:
                self._build = None


def _sampled(cur: duckdb.DuckDBPyConnection,
             now: dt.datetime) -> tuple[int, dict[tuple[str, bool], _Placed]]:
    """Take the sample: every :data:`STRIDE`-th job by id with its place in the whole history
    in each order of :data:`SORTS`, both ways, and where the order's key has parts, its place
    among the rows of the first part. Returns the number of jobs and :func:`_orders`.

    Each placing is sorted once, ascending (one statement each: ~60-120 ms at a million jobs,
    against ~0.7 s for all of them in one). Read backwards, an order is its own reverse,
    the keys first and the NULL keys after them, so a descending place follows from the
    ascending one, the number of rows placed and how many of them have a key."""
    placings = _placings(now)
    positions = [_position(name, descending) for name, *_ in placings
                 for descending in (False, True)]
    cur.execute(f"""CREATE OR REPLACE TABLE {DATABASE}.jobs AS
                    SELECT * EXCLUDE (configuration_snapshot),
                           {', '.join(f'NULL::BIGINT AS {p}' for p in positions)}
                    FROM job_executions WHERE id % ? = 0""", [STRIDE])
    total, *counts = cur.execute(
        "SELECT count(*), " + ", ".join(
            f"count(*) FILTER (WHERE {rows}), count({key}) FILTER (WHERE {rows})"
            for _, key, _, rows in placings)
        + " FROM job_executions j",
        [value for _, _, key_params, _ in placings for value in key_params]).fetchone()
    for (name, key_sql, key_params, rows), placed, with_key in zip(placings, counts[::2],
                                                                    counts[1::2]):
        asc, desc = _position(name, False), _position(name, True)
        cur.execute(f"""UPDATE {DATABASE}.jobs s SET {asc} = p.place FROM (
                            SELECT j.id, row_number() OVER (
                                ORDER BY {key_sql} ASC NULLS LAST, j.id ASC) - 1 AS place
                            FROM job_executions j WHERE {rows} QUALIFY j.id % ? = 0) p
                        WHERE s.id = p.id""", [*key_params, STRIDE])
        cur.execute(f"""UPDATE {DATABASE}.jobs j SET {desc} = CASE WHEN {key_sql} IS NULL
                            THEN ? - 1 - {asc} + ? ELSE ? - 1 - {asc} END""",
                    [*key_params, placed, with_key, with_key])
    return total, _orders(cur, now)


def _placings(now: dt.datetime) -> list[tuple[str, str, list[Any], str]]:
    """What the sample places its rows in: for each order of :data:`SORTS`, the whole
    history by its sort key, and where the key has parts (:func:`.listing.key_parts`), the
    rows of the first part by theirs. Each as (column name, key SQL, its parameters, the
    rows placed; a test without parameters)."""
    placings = []
    for sort in SORTS:
        query = JobQuery(sort=sort)
        placings.append((sort, *sort_key(query, now), "TRUE"))
        parts = key_parts(query, now)
        if len(parts) > 1:
            placings.append((_first_part(sort), *parts[0]))
    return placings


def _orders(cur: duckdb.DuckDBPyConnection, now: dt.datetime) -> dict[tuple[str, bool], _Placed]:
    """The sampled rows' places, (key, id) pairs and places in the first part of the key, in
    each order."""
    orders = {}
    names = {name for name, *_ in _placings(now)}
    for sort in SORTS:
        key_sql, key_params = sort_key(JobQuery(sort=sort), now)
        for descending in (False, True):
            place = _position(sort, descending)
            part = (_position(_first_part(sort), descending) if _first_part(sort) in names
                    else place)
            rows = cur.execute(f"SELECT j.{place} AS p, j.{part}, {key_sql}, j.id "
                               f"FROM {DATABASE}.jobs j ORDER BY p", key_params).fetchall()
            orders[sort, descending] = _Placed([row[0] for row in rows],
                                               [(key, job_id) for *_, key, job_id in rows],
                                               [row[1] for row in rows])
    return orders


def _first_part(sort: str) -> str:
    """The name of the placing of an order's rows of the first part of its key."""
    return f"{sort}_part"


def _position(sort: str, descending: bool) -> str:
    """The sample's column placing its rows in one order."""
    return f"{sort}_{'desc' if descending else 'asc'}"


def _unfiltered(placed: _Placed, limit: int, offset: int, total: int, taken_of: int,
                unchanged: bool = False) -> Frame:
    """The band round the page of the whole history: from the last sampled row before it to
    the first after it, as placed when the sample was taken of ``taken_of`` jobs, widened by
    the jobs added or deleted since and one sampling step more (rows that moved without
    changing the count: a rename, a running job's duration). When the history is
    ``unchanged`` since, the band starts at that sampled row itself, whose place is known."""
    margin = abs(total - taken_of) + STRIDE
    points = placed.points
    start = bisect.bisect_right(placed.places, offset - margin) - 1
    frame = _framed(lambda i: points[i] if 0 <= i < len(points) else None, start,
                    bisect.bisect_left(placed.places, offset + limit + margin))
    if unchanged and start >= 0 and placed.part_places[start] is not None:
        return frame._replace(since=points[start], known=placed.part_places[start])
    return frame


def _clear_of(frame: Frame, running: list[Point], descending: bool) -> Frame:
    """The frame of a duration band of an unchanged history reading the stored durations
    alone, when none of the ``running`` jobs (their duration now, and id) lies in it: they
    are the other part of the key but for the jobs with no duration, which come last. The
    frame as it was when one does, or when the band reaches the end."""
    since, until = frame.since, frame.until
    if since is None or until is None or until[0] is None:
        return frame
    sign = -1 if descending else 1
    before = 0
    for key, job_id in running:
        if (sign * key, sign * job_id) < (sign * since[0], sign * since[1]):
            before += 1
        elif (sign * key <= sign * until[0] if until[1] is None
              else (sign * key, sign * job_id) < (sign * until[0], sign * until[1])):
            return frame
    return frame._replace(known=frame.known + before, first_part_only=True)


def _filtered(placed: _Placed, places: list[int], limit: int, offset: int,
              total: int) -> Frame | None:
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
    return _framed(row, math.floor((offset - margin) * n / total),
                   math.ceil((offset + limit + margin) * n / total))


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
