"""Deep pages fast: checkpoints of the sort order, checked on every use.

``ORDER BY ... LIMIT 25 OFFSET 500000`` keeps half a million rows in its top-N heap: about
60 ms at a million jobs whatever the filters. Instead, the first deep read of a listing (its
filters and sort) also notes the sort key and id of every :data:`STEP`-th row; later reads of
any deep page count the rows before the nearest checkpoint and sort only the few thousand
rows between two checkpoints, one scan together.

The checkpoints are never trusted: the count says exactly where the band starts, so a page
is returned only when the band really holds it. Jobs added or deleted since shift positions;
the shift measured on each read corrects the next one, and a band that misses its page
rebuilds the checkpoints. A page is therefore always exact, whatever changed meanwhile.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import duckdb

from ..query import JobQuery
from .listing import order_by, sort_key

STEP = 1000
"""Rows between two checkpoints."""

DEEP_OFFSET = 5000
"""First offset read through checkpoints; shallower pages sort less than this many rows."""

KEPT = 16
"""Listings (filters + sort) whose checkpoints are kept, least recently used dropped."""


@dataclass
class _Checkpoints:
    """Sort key and id of rows ``0, STEP, 2·STEP, ...`` when taken; ``shift``: how many rows
    now come before them beyond that, as last measured."""

    keys: list[tuple[Any, int]]
    shift: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class DeepPages:
    """Reads deep pages of listings through checkpoints (one instance per store)."""

    def __init__(self) -> None:
        self._kept: OrderedDict[str, _Checkpoints] = OrderedDict()
        self._lock = threading.Lock()

    def clear(self) -> None:
        """Forget every listing's checkpoints (the next deep read of each rebuilds them)."""
        with self._lock:
            self._kept.clear()

    def ids(self, cur: duckdb.DuckDBPyConnection, query: JobQuery, where_sql: str,
            params: list[Any], now: dt.datetime, limit: int, offset: int) -> list[int]:
        """Ids of the page at ``offset`` (at least :data:`DEEP_OFFSET`), in order."""
        name = repr((where_sql, params, query.sort, query.descending))
        with self._lock:
            points = self._kept.get(name)
            if points is not None:
                self._kept.move_to_end(name)
        if points is not None:
            ids = _through(cur, points, query, where_sql, params, now, limit, offset)
            if ids is not None:
                return ids
        points, ids = _rebuild(cur, query, where_sql, params, now, limit, offset)
        with self._lock:
            self._kept[name] = points
            self._kept.move_to_end(name)
            while len(self._kept) > KEPT:
                self._kept.popitem(last=False)
        return ids


def _rebuild(cur: duckdb.DuckDBPyConnection, query: JobQuery, where_sql: str,
             params: list[Any], now: dt.datetime, limit: int,
             offset: int) -> tuple[_Checkpoints, list[int]]:
    """Number every matching row in order once: the checkpoints and the page itself."""
    key_sql, key_params = sort_key(query, now)
    order_sql, uses_now = order_by(query)
    rows = cur.execute(
        f"""SELECT {key_sql} AS k, j.id,
                   row_number() OVER (ORDER BY {order_sql}) - 1 AS rn
            FROM job_executions j WHERE {where_sql}
            QUALIFY rn % ? = 0 OR rn BETWEEN ? AND ?
            ORDER BY rn""",
        [*key_params, *([now] if uses_now else []), *params, STEP, offset,
         offset + limit - 1]).fetchall()
    keys = [(k, job_id) for k, job_id, rn in rows if rn % STEP == 0]
    page = [job_id for _, job_id, rn in rows if offset <= rn < offset + limit]
    return _Checkpoints(keys), page


def _through(cur: duckdb.DuckDBPyConnection, points: _Checkpoints, query: JobQuery,
             where_sql: str, params: list[Any], now: dt.datetime, limit: int,
             offset: int) -> list[int] | None:
    """The page read between two checkpoints, or None when they no longer frame it."""
    with points.lock:
        shift = points.shift
    first = max(0, (offset - shift) // STEP - 1)
    last = (offset - shift + limit) // STEP + 2
    if first >= len(points.keys):
        return None
    key_sql, key_params = sort_key(query, now)
    before_first, before_first_params = _precedes(query, key_sql, key_params,
                                                  points.keys[first])
    if last < len(points.keys):
        before_last, before_last_params = _precedes(query, key_sql, key_params,
                                                    points.keys[last])
    else:
        before_last, before_last_params = "TRUE", []
    order_sql, uses_now = order_by(query)
    ahead, band = cur.execute(
        f"""SELECT count(*) FILTER (WHERE {before_first}),
                   list(j.id ORDER BY {order_sql})
                       FILTER (WHERE NOT {before_first} AND {before_last})
            FROM job_executions j WHERE {where_sql}""",
        [*before_first_params, *([now] if uses_now else []), *before_first_params,
         *before_last_params, *params]).fetchone()
    band = band or []
    with points.lock:
        points.shift = ahead - first * STEP
    start = offset - ahead
    if start < 0 or (start + limit > len(band) and before_last != "TRUE"):
        return None
    return band[start:start + limit]


def _precedes(query: JobQuery, key_sql: str, key_params: list[Any],
              point: tuple[Any, int]) -> tuple[str, list[Any]]:
    """A test (never NULL) that a row comes strictly before ``point`` in the listing's order
    (key, then id, both in the query's direction, NULL keys last)."""
    key, job_id = point
    op = ">" if query.descending else "<"
    if key is None:  # every row with a key comes first, then the NULL keys in id order
        return f"({key_sql} IS NOT NULL OR j.id {op} ?)", [*key_params, job_id]
    return (f"coalesce({key_sql} {op} ? OR ({key_sql} = ? AND j.id {op} ?), FALSE)",
            [*key_params, key, *key_params, key, job_id])
