"""How a client finds the server that holds a history: ``jobdash serve`` writes
``<history>.server.json`` beside the DuckDB file (its URL, its API token and its process id),
readable by its owner only, and removes it on a clean exit. A file whose process is gone is
stale and ignored."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class Served:
    """A running server of a history: where it answers and the token it asks for."""

    url: str
    token: str
    pid: int


def discovery_path(db_path: str | os.PathLike) -> Path:
    """Where the discovery file of a history lies."""
    db = Path(db_path)
    return db.with_name(db.name + ".server.json")


def announce(db_path: str | os.PathLike, served: Served) -> Path:
    """Write the discovery file (owner-only from its creation)."""
    path = discovery_path(db_path)
    partial = path.with_name(path.name + ".part")
    partial.unlink(missing_ok=True)
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(asdict(served), out)
    partial.replace(path)
    return path


def withdraw(db_path: str | os.PathLike, served: Served) -> None:
    """Remove the discovery file if it is still this server's."""
    if find(db_path) == served:
        discovery_path(db_path).unlink(missing_ok=True)


def find(db_path: str | os.PathLike) -> Served | None:
    """The live server of a history, or None (no file, a stale or unreadable one)."""
    try:
        data = json.loads(discovery_path(db_path).read_text(encoding="utf-8"))
        served = Served(url=str(data["url"]), token=str(data["token"]), pid=int(data["pid"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return served if _alive(served.pid) else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return pid > 0
