"""Pages of long listings fast: checkpoints of the sort order, checked on every use.

``ORDER BY ... LIMIT 25 OFFSET 500000`` keeps half a million rows in its top-N heap: about
60 ms at a million jobs, and even the first page compares every row's key. So when a listing
(its filters and sort) with more than :data:`LONG` rows is first read, a background thread
numbers its rows once and notes the sort key and id of every :data:`STEP`-th row (about
100 ms). Any page is then read by counting the rows before the nearest checkpoint and sorting
only the few thousand rows between two checkpoints: key ranges DuckDB tests in the scan,
skipping row groups by their zone maps where the key follows the table's order (run date,
id). A read that finds no checkpoints (a listing not read before; a link straight to one of
its deep pages) starts the build and reads the band a sample of the history places the page
in (:mod:`.sample`), or failing that runs the top-N query from whichever end of the order is
nearer. The default listing's checkpoints are built when the store opens.

Neither checkpoints nor estimates are trusted: the count says exactly where the band
starts, so a page is returned only when the band really holds it. Jobs added or deleted
since shift positions; the shift measured on each read corrects the next one, and a band
that misses its page rebuilds the checkpoints (or the sample). A page is therefore always
exact, whatever changed meanwhile, and however it was written.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import duckdb

from ..query import JobQuery
from .listing import from_the_end, key_parts, keyed_order, order_by, page_ids, sort_key
from .rows import one
from .sample import Cursors, Frame, Point, Sample

log = logging.getLogger(__name__)

STEP = 1000
"""Rows between two checkpoints."""

LONG = 5000
"""Listings with more rows than this get checkpoints."""

DEEP = 10_000
"""A listing without checkpoints has a page estimated from the sample only this many rows
or more from either end: nearer, the top-N holds fewer rows than the band would."""

BUILD_DELAY_S = 0.5
"""Pause before building a listing's checkpoints, so the read that asked (and the rest of
its page) finishes first."""

KEPT = 16
"""Listings (filters + sort) whose checkpoints are kept, least recently used dropped."""


@dataclass
class _Checkpoints:
    """Sort key and id of rows ``0, STEP, 2·STEP, ...`` when taken; ``shift``: how many rows
    now come before them beyond that, as last measured."""

    keys: list[Point]
    shift: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class DeepPages:
    """Reads pages of long listings through checkpoints (one instance per store, whose
    ``cursor`` it is given for building checkpoints in the background)."""

    def __init__(self, cursor: Cursors) -> None:
        self._cursor = cursor
        self._kept: OrderedDict[str, _Checkpoints] = OrderedDict()
        self._building: dict[str, threading.Thread] = {}
        self._lock = threading.Lock()
        self._sample = Sample(cursor)

    def clear(self) -> None:
        """Forget every listing's checkpoints (the next deep read of each rebuilds them; the
        sample of the history stays)."""
        self.wait()
        with self._lock:
            self._kept.clear()

    def wait(self) -> None:
        """Block until the checkpoints being built are ready."""
        with self._lock:
            builds = list(self._building.values())
        for build in builds:
            build.join()
        self._sample.wait()

    def prepare(self, query: JobQuery, where_sql: str, params: list[Any], now: dt.datetime) -> None:
        """Build the checkpoints of a long listing in the background, unless there are some,
        and take the sample of the history if there is none (the store prepares its default
        listing so when it opens)."""
        self._sample.refresh()
        name = _name(query, where_sql, params)
        with self._lock:
            if name in self._kept:
                return
        self._build_later(name, query, where_sql, params, now)

    def page(
        self,
        cur: duckdb.DuckDBPyConnection,
        query: JobQuery,
        where_sql: str,
        params: list[Any],
        now: dt.datetime,
        limit: int,
        offset: int,
    ) -> tuple[list[int], int]:
        """Ids of the page at ``offset`` in order, and the number of rows the listing has."""
        name = _name(query, where_sql, params)
        with self._lock:
            points = self._kept.get(name)
            if points is not None:
                self._kept.move_to_end(name)
        if points is not None:
            found = _through(cur, points, query, where_sql, params, now, limit, offset)
            if found is not None:
                return found
            points = None  # they no longer frame the page: build them again
        (total,) = one(
            cur.execute(f"SELECT count(*) FROM job_executions j WHERE {where_sql}", params)
        )
        if offset >= total:
            return [], total
        if total > LONG:
            if points is None:
                self._build_later(name, query, where_sql, params, now)
            if min(offset, total - offset) >= DEEP:
                page = self._estimated(cur, query, where_sql, params, now, limit, offset, total)
                if page is not None:
                    return page, total
        if offset > total // 2:
            sql, values = from_the_end(query, where_sql, params, now, limit, offset, total)
            return [r[0] for r in cur.execute(sql, values).fetchall()][::-1], total
        sql, values = page_ids(query, where_sql, params, now, limit, offset)
        return [r[0] for r in cur.execute(sql, values).fetchall()], total

    def _estimated(
        self,
        cur: duckdb.DuckDBPyConnection,
        query: JobQuery,
        where_sql: str,
        params: list[Any],
        now: dt.datetime,
        limit: int,
        offset: int,
        total: int,
    ) -> list[int] | None:
        """The page read in the band the sample places it in, or None (no sample, or a band
        that misses the page: the sample is then taken again)."""
        frame = self._sample.around(cur, query, where_sql, params, limit, offset, total)
        if frame is None:
            return None
        _, _, page = _band(cur, query, where_sql, params, now, frame, limit, offset, total)
        if page is None:
            self._sample.refresh()
        return page

    def _build_later(
        self, name: str, query: JobQuery, where_sql: str, params: list[Any], now: dt.datetime
    ) -> None:
        with self._lock:
            if name in self._building:
                return
            build = threading.Thread(
                target=self._build,
                name="jobdash-checkpoints",
                args=(name, *_numbering(query, where_sql, params, now)),
                daemon=True,
            )
            self._building[name] = build
        build.start()

    def _build(self, name: str, sql: str, values: list[Any]) -> None:
        try:
            time.sleep(BUILD_DELAY_S)
            with self._cursor() as cur:
                points = _Checkpoints(cur.execute(sql, values).fetchall())
            with self._lock:
                self._kept[name] = points
                self._kept.move_to_end(name)
                while len(self._kept) > KEPT:
                    self._kept.popitem(last=False)
        except Exception:  # no checkpoints: reads stay exact, only slower
            log.debug("checkpoints of %s not built", name, exc_info=True)
        finally:
            with self._lock:
                del self._building[name]


def _name(query: JobQuery, where_sql: str, params: list[Any]) -> str:
    """What tells one listing's checkpoints from another's: its filters and its sort."""
    return repr((where_sql, params, query.sort, query.descending))


def _numbering(
    query: JobQuery, where_sql: str, params: list[Any], now: dt.datetime
) -> tuple[str, list[Any]]:
    """SQL and parameters numbering every matching row in order once and keeping the sort
    key and id of every :data:`STEP`-th."""
    key_sql, key_params = sort_key(query, now)
    order_sql, uses_now = order_by(query)
    return (
        f"""SELECT {key_sql} AS k, j.id FROM job_executions j WHERE {where_sql}
                QUALIFY (row_number() OVER (ORDER BY {order_sql}) - 1) % ? = 0
                ORDER BY {order_sql}""",
        [*key_params, *params, *([now] if uses_now else []), STEP, *([now] if uses_now else [])],
    )


def _through(
    cur: duckdb.DuckDBPyConnection,
    points: _Checkpoints,
    query: JobQuery,
    where_sql: str,
    params: list[Any],
    now: dt.datetime,
    limit: int,
    offset: int,
) -> tuple[list[int], int] | None:
    """The page read between two checkpoints and the listing's size, or None when the
    checkpoints no longer frame the page."""
    with points.lock:
        shift = points.shift
    lead = (offset - shift) // STEP - 1
    first, last = max(0, lead), (offset - shift + limit) // STEP + 2
    if first >= len(points.keys):
        return None
    since = points.keys[first] if lead >= 0 else None  # among the first rows: from the top
    until = points.keys[last] if last < len(points.keys) else None
    total, ahead, page = _band(
        cur, query, where_sql, params, now, Frame(since, until), limit, offset
    )
    if since is not None:
        with points.lock:
            points.shift = ahead - first * STEP
    return None if page is None else (page, total)


def _band(
    cur: duckdb.DuckDBPyConnection,
    query: JobQuery,
    where_sql: str,
    params: list[Any],
    now: dt.datetime,
    frame: Frame,
    limit: int,
    offset: int,
    total: int | None = None,
) -> tuple[int, int, list[int] | None]:
    """Read the rows of ``frame`` (see :meth:`_Order.between`): the listing's size (counted
    unless the caller gives it), how many rows come before the band (counted), and the page
    at ``offset`` when the band holds it (None when it does not)."""
    since, until = frame.since, frame.until
    scan = f"FROM job_executions j WHERE ({where_sql})"
    size_sql, size_params = (
        ("?::BIGINT", [total]) if total is not None else (f"(SELECT count(*) {scan})", params)
    )
    counts, bands, count_params, band_params = [], [], [], []
    # Each part of the key (the duration: stored and live) is tested on its own rows.
    for key_sql, key_params, rows in key_parts(query, now):
        order = _Order(key_sql, key_params, query.descending)
        band_sql, band_values = order.between(since, until)
        ahead_sql, ahead_params = order.before(since) if since is not None else ("FALSE", [])
        counts.append(f"(SELECT count(*) {scan} AND {rows} AND {ahead_sql})")
        count_params += [*params, *ahead_params]
        bands.append(f"SELECT j.id, {key_sql} AS k {scan} AND {rows} AND {band_sql}")
        band_params += [*key_params, *params, *band_values]
    # Independent scalar subqueries plan ~1 ms faster than cutting the page inside the
    # statement (an OFFSET computed from the count): the band's ids (a few hundred through
    # checkpoints or an unfiltered sample, up to tens of thousands by a filtered estimate)
    # are cut here.
    total, ahead, band = one(
        cur.execute(
            f"""SELECT {size_sql}, {" + ".join(counts)},
                   (SELECT list(id ORDER BY {keyed_order(query)})
                    FROM ({" UNION ALL ".join(bands)}))""",
            [*size_params, *count_params, *band_params],
        )
    )
    page = (band or [])[offset - ahead : offset - ahead + limit] if offset >= ahead else []
    holds = offset >= ahead and (len(page) == max(0, min(limit, total - offset)) or until is None)
    return total, ahead, page if holds else None


class _Order:
    """Tests that place rows against checkpoints in a listing's order: key, then id, both in
    the query's direction, NULL keys last. A non-NULL key is compared first on its own (a
    range DuckDB can push into the scan, skipping row groups by their zone maps), then the
    id breaks ties; a point without an id stands for all the rows with its key."""

    def __init__(self, key: str, key_params: list[Any], descending: bool) -> None:
        self.key, self.key_params = key, key_params
        self.op, self.rev = (">", "<") if descending else ("<", ">")

    def before(self, point: Point) -> tuple[str, list[Any]]:
        """Rows strictly before ``point`` (a WHERE test: NULL for rows it excludes)."""
        key, job_id = point
        if key is None:  # every row with a key, then the NULL keys in id order
            return f"({self.key} IS NOT NULL OR j.id {self.op} ?)", [*self.key_params, job_id]
        if job_id is None:
            return f"{self.key} {self.op} ?", [*self.key_params, key]
        return (
            f"{self.key} {self.op}= ? AND ({self.key} {self.op} ? OR j.id {self.op} ?)",
            [*self.key_params, key, *self.key_params, key, job_id],
        )

    def between(self, first: Point | None, last: Point | None) -> tuple[str, list[Any]]:
        """Rows from ``first`` (included; None: from the top) to ``last`` (excluded, or
        through the last row with its key when it has no id; None: to the end)."""
        tests: list[str] = []
        params: list[Any] = []
        if first is not None:
            test, values = self._from(first, reaches_nulls=last is None or last[0] is None)
            tests.append(test)
            params += values
        if last is not None:
            test, values = self._until(last)
            tests.append(test)
            params += values
        return " AND ".join(tests) or "TRUE", params

    def _from(self, point: Point, reaches_nulls: bool) -> tuple[str, list[Any]]:
        """Rows from ``point`` on (the NULL keys only when the band ``reaches_nulls``)."""
        key, job_id = point
        if key is None:
            return f"{self.key} IS NULL AND j.id {self.rev}= ?", [*self.key_params, job_id]
        if job_id is None:
            test, params = f"{self.key} {self.rev}= ?", [*self.key_params, key]
        else:
            test = f"{self.key} {self.rev}= ? AND ({self.key} {self.rev} ? OR j.id {self.rev}= ?)"
            params = [*self.key_params, key, *self.key_params, key, job_id]
        if reaches_nulls:
            return f"({test} OR {self.key} IS NULL)", [*params, *self.key_params]
        return test, params

    def _until(self, point: Point) -> tuple[str, list[Any]]:
        """Rows before ``point``, or through the last row with its key when it has no id."""
        key, job_id = point
        if job_id is None:
            return f"{self.key} {self.op}= ?", [*self.key_params, key]
        return self.before(point)
