"""What the sweep of crash leftovers (:func:`jobdash.files.sweep_orphans`) asks the history:
which files found below the image root no image row names, and which jobs' folders no job
can write to any more."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass

import duckdb

from .rows import one
from .store import JobStore, Transaction

# Every stored path, file and thumbnail.
_PATHS = (
    "(SELECT file_path AS p FROM generated_images WHERE file_path IS NOT NULL "
    "UNION ALL SELECT thumbnail_path FROM generated_images WHERE thumbnail_path IS NOT NULL)"
)
LINK_DEPTH = 3
"""Links are looked for this deep below the root (job folder, subfolder, file)."""
# Stored paths that may name a file other than their own text below the root: absolute, with
# ``.``/``..``/empty parts or backslashes, or through a link the caller found (``?``).
_IRREGULAR = (
    "starts_with(p, '/') OR contains(p, '..') OR contains(p, './') OR contains(p, '//') "
    "OR contains(p, '\\') OR "
    + " OR ".join(
        f"array_to_string(string_split(p, '/')[1:{depth}], '/') IN (SELECT unnest(?::VARCHAR[]))"
        for depth in range(1, LINK_DEPTH + 1)
    )
)


@dataclass(frozen=True)
class Unnamed:
    """The answer of :func:`unnamed`."""

    paths: list[str]
    """The candidates that no row stores as such (compared without case)."""
    irregular: list[str]
    """Stored paths that are not plain ``folder/.../name`` text below the root, as stored:
    the caller resolves them."""
    last_image: int
    """The highest image id then: rows added later are above it (:func:`stored_since`)."""


def unnamed(
    store: JobStore,
    candidates: Sequence[str],
    linked: Sequence[str],
    watch: Callable[[Callable[[], None]], AbstractContextManager[object]],
) -> Unnamed | None:
    """Which of ``candidates`` (relative paths below the root, as the runner stores them) no
    row stores, compared without case; ``linked`` are the relative paths of links below the
    root (stored paths through them are returned as irregular). One consistent read, whose
    query ``watch`` may interrupt (it is given the cursor's interrupt): None then."""
    with store._cursor() as cur, watch(cur.interrupt):
        cur.execute("BEGIN TRANSACTION")
        try:
            paths = [
                r[0]
                for r in cur.execute(
                    "SELECT c FROM (SELECT unnest(?::VARCHAR[]) AS c) "
                    f"WHERE lower(c) NOT IN (SELECT lower(p) FROM {_PATHS})",
                    [list(candidates)],
                ).fetchall()
            ]
            irregular = [
                r[0]
                for r in cur.execute(
                    f"SELECT DISTINCT p FROM {_PATHS} WHERE {_IRREGULAR}",
                    [list(linked)] * LINK_DEPTH,
                ).fetchall()
            ]
            (last_image,) = one(cur.execute("SELECT coalesce(max(id), 0) FROM generated_images"))
        except duckdb.InterruptException:
            return None
        finally:
            cur.execute("ROLLBACK")
    return Unnamed(paths, irregular, last_image)


def stored_since(tx: Transaction, last_image: int) -> list[str]:
    """Paths stored by image rows added after ``last_image``, inside a transaction."""
    rows = tx._cur.execute(
        "SELECT file_path, thumbnail_path FROM generated_images WHERE id > ?", [last_image]
    ).fetchall()
    return [p for row in rows for p in row if p]


def settled(tx: Transaction, store: JobStore, folders: Sequence[int]) -> set[int]:
    """Those of the job ids ``folders`` whose folder no job writes to any more, inside a
    transaction: jobs in a final status, and ids given once to a job since deleted (ids are
    never given twice). Pending and running jobs, and ids not given yet, are left out."""
    given = store.reserve_ids("job_executions", 0)
    statuses = dict(
        tx._cur.execute(
            "SELECT id, status FROM job_executions WHERE id IN (SELECT unnest(?::BIGINT[]))",
            [list(folders)],
        ).fetchall()
    )
    return {i for i in folders if i < given and statuses.get(i) not in ("pending", "running")}
