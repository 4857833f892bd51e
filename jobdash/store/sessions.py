"""Who had the history open: a row per process that opened it first (DuckDB lets one process
at a time open the file), deleted when that process closes it cleanly. A row still there when
the next process opens the file is a process that ended without closing it (killed, crashed,
or its runner did not stop in time): its jobs may have left files that no row names."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb

from .rows import one


@dataclass(frozen=True)
class Session:
    """A process that had the history open."""

    id: int
    pid: int
    """0 for a file written before sessions were recorded (migration 7)."""
    opened_at: dt.datetime | None


def begin(cur: duckdb.DuckDBPyConnection, now: dt.datetime) -> tuple[int, list[Session]]:
    """Record this process's session (in a transaction); returns its id and the sessions
    left open before."""
    left = [
        Session(*row)
        for row in cur.execute(
            "SELECT id, pid, opened_at FROM open_sessions ORDER BY id"
        ).fetchall()
    ]
    (session,) = one(cur.execute("SELECT coalesce(max(id), 0) + 1 FROM open_sessions"))
    cur.execute("INSERT INTO open_sessions VALUES (?, ?, ?)", [session, os.getpid(), now])
    return session, left


def forget(cur: duckdb.DuckDBPyConnection, ids: Sequence[int]) -> None:
    """Delete these sessions (closed cleanly, or what they left dealt with), in a
    transaction."""
    cur.execute("DELETE FROM open_sessions WHERE id IN (SELECT unnest(?::BIGINT[]))", [list(ids)])
