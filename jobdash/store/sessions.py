"""Whether the process that had the history open before closed it: the process that opens a
history first (DuckDB lets one process at a time open the file) writes a small file beside
it, ``<history>.session.json``, and removes it when it closes the history cleanly. A file
still there when the next process opens the history is a process that ended without closing
it (killed, crashed, or its runner did not stop in time): its jobs may have left image files
that no row names. The database file itself is not written, so opening and closing a
history leaves it as it was."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from dataclasses import asdict, dataclass, replace
from pathlib import Path

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Session:
    """A process that had the history open."""

    pid: int
    opened_at: dt.datetime | None
    unswept: bool = False
    """What an earlier session left was not swept yet (this one's sweep did not finish)."""


def marker(db: Path) -> Path:
    """The session file of the history in ``db``."""
    return db.with_name(db.name + ".session.json")


SINCE_VERSION = 8
"""The schema version from which sessions are kept in this file: a history migrated to it
counts as left open by an unknown process once (earlier jobdash versions left no trace)."""


def begin(db: Path, now: dt.datetime, *, upgraded: bool) -> tuple[Session, Session | None]:
    """Record this process's session; returns it and the one left before, if any (a file
    that cannot be read, or ``upgraded``: the schema reached :data:`SINCE_VERSION` just now,
    counts as one left by an unknown process)."""
    path = marker(db)
    left = Session(0, None) if upgraded else None
    if path.exists():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            left = Session(
                int(data["pid"]),
                dt.datetime.fromisoformat(data["opened_at"]) if data["opened_at"] else None,
            )
        except (OSError, ValueError, KeyError, TypeError):
            left = Session(0, None)
    session = Session(os.getpid(), now, unswept=left is not None)
    _write(path, session)
    return session, left


def swept(db: Path, session: Session) -> Session:
    """What was left before ``session`` is dealt with; returns the session as recorded now."""
    session = replace(session, unswept=False)
    _write(marker(db), session)
    return session


def end(db: Path, session: Session) -> None:
    """``session`` closed the history cleanly: the next opener has nothing to look for,
    unless what an earlier session left was not swept yet."""
    if not session.unswept:
        marker(db).unlink(missing_ok=True)


def _write(path: Path, session: Session) -> None:
    """Write the session file; a folder that refuses it costs only the sweeps (logged)."""
    fields = {**asdict(session), "opened_at": session.opened_at and session.opened_at.isoformat()}
    partial = path.with_name(path.name + ".part")
    try:
        partial.write_text(json.dumps(fields), encoding="utf-8")
        partial.replace(path)
    except OSError as exc:
        log.warning("jobdash: cannot write %s (%s): a crash will leave its files", path, exc)
