"""Rows that came from another history (schema 9), and the importers' bulk writes.

Each configuration, job and image an importer writes remembers where it came from:
``import_sources`` holds one row per source (its kind, e.g. ``gen-image-factory``, and its
location, the file it was read from), ``imported_rows`` the source's id of each row with the
row it became here and a digest of what was imported. Importing the same source again then
adds only what is new and rewrites only what changed; a row deleted here since keeps its
``imported_rows`` entry, so it is not brought back.

The writes take the caller's :class:`~jobdash.store.store.Transaction` and rows as pandas
frames, which DuckDB appends or joins in one statement each (a row at a time cost 5-9 ms).
Jobs get their derived columns (:mod:`.derived`) as the store's own writes do; call
:func:`place_labels` before the transaction ends.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import NamedTuple

import duckdb
import pandas as pd

from . import derived, label_rank
from .rows import one
from .store import JobStore, Transaction

TABLES = ("configurations", "job_executions", "generated_images")
"""The tables whose rows remember their source."""

_ID_LIST = "(SELECT unnest(?::BIGINT[]))"
_names = itertools.count()


class Known(NamedTuple):
    """What ``imported_rows`` says of one source row."""

    id: int
    """The row it became here."""
    digest: int
    """Digest of what was imported (the importer's)."""
    present: bool
    """Whether that row is still here (not deleted since)."""


@contextmanager
def _staged(cur: duckdb.DuckDBPyConnection, rows: pd.DataFrame) -> Iterator[str]:
    """``rows`` as a view of the cursor for the statements run inside the block."""
    name = f"import_stage_{next(_names)}"
    cur.register(name, rows)
    try:
        yield name
    finally:
        cur.unregister(name)


def _table(table: str) -> str:
    if table not in TABLES:
        raise ValueError(f"not an importable table: {table!r}")
    return table


def source_id(tx: Transaction, kind: str, location: str, now: dt.datetime) -> int:
    """The id of the source ``kind`` at ``location``, recorded now if it is new; its last
    import is now."""
    cur = tx._cur
    found = cur.execute(
        "SELECT id FROM import_sources WHERE kind = ? AND location = ?", [kind, location]
    ).fetchone()
    if found is not None:
        cur.execute("UPDATE import_sources SET last_imported_at = ? WHERE id = ?", [now, found[0]])
        return int(found[0])
    (new_id,) = one(cur.execute("SELECT coalesce(max(id), 0) + 1 FROM import_sources"))
    cur.execute(
        "INSERT INTO import_sources VALUES (?, ?, ?, ?, ?)", [new_id, kind, location, now, now]
    )
    return int(new_id)


def known(
    tx: Transaction, source: int, table: str, original_ids: Sequence[int] | None = None
) -> dict[int, Known]:
    """What was imported before from ``source`` into ``table`` (only ``original_ids``, when
    given), by the source's id."""
    table = _table(table)
    sql = (
        f"SELECT p.original_id, p.id, p.digest, t.id IS NOT NULL FROM imported_rows p "
        f"LEFT JOIN {table} t ON t.id = p.id WHERE p.source_id = ? AND p.table_name = ?"
    )
    params: list[object] = [source, table]
    if original_ids is not None:
        if not original_ids:
            return {}
        # the range first: row groups of other chunks of the source are skipped
        sql += f" AND p.original_id BETWEEN ? AND ? AND p.original_id IN {_ID_LIST}"
        params += [min(original_ids), max(original_ids), list(original_ids)]
    rows = tx._cur.execute(sql, params).fetchall()
    return {original: Known(row_id, digest, present) for original, row_id, digest, present in rows}


def remember(tx: Transaction, source: int, table: str, rows: pd.DataFrame) -> None:
    """Record where rows came from: ``rows`` holds original_id, id and digest (an entry
    already there is replaced)."""
    if rows.empty:
        return
    with _staged(tx._cur, rows[["original_id", "id", "digest"]]) as stage:
        tx._cur.execute(
            f"""INSERT INTO imported_rows
                SELECT ?, ?, original_id, id, digest FROM {stage}
                ON CONFLICT (source_id, table_name, original_id)
                DO UPDATE SET id = excluded.id, digest = excluded.digest""",
            [source, _table(table)],
        )


def image_places(tx: Transaction, ids: Sequence[int]) -> dict[int, tuple[str | None, str | None]]:
    """``(file_path, thumbnail_path)`` of the given image rows."""
    rows = tx._cur.execute(
        f"SELECT id, file_path, thumbnail_path FROM generated_images WHERE id IN {_ID_LIST}",
        [list(ids)],
    ).fetchall()
    return {image_id: (file, thumb) for image_id, file, thumb in rows}


def add_configurations(tx: Transaction, rows: pd.DataFrame) -> None:
    """Append configurations (id, name, settings, created_at, updated_at); each is the next
    version of its name."""
    if rows.empty:
        return
    with _staged(tx._cur, rows) as stage:
        tx._cur.execute(
            f"""INSERT INTO configurations BY NAME
                SELECT s.id, s.name, s.settings, s.created_at, s.updated_at,
                       coalesce(v.version, 0)
                           + row_number() OVER (PARTITION BY s.name ORDER BY s.id) AS version
                FROM {stage} s
                LEFT JOIN (SELECT name, max(version) AS version FROM configurations
                           GROUP BY name) v ON v.name = s.name"""
        )


def add_jobs(tx: Transaction, rows: pd.DataFrame) -> None:
    """Append jobs: ``rows`` has job_executions columns by name (not the derived ones, which
    are computed here)."""
    if rows.empty:
        return
    derived_columns = ", ".join(f"{sql} AS {name}" for name, sql in derived.EXPRESSIONS.items())
    with _staged(tx._cur, rows) as stage:
        tx._cur.execute(
            f"INSERT INTO job_executions BY NAME SELECT *, {derived_columns} FROM {stage}"
        )


def update_jobs(tx: Transaction, rows: pd.DataFrame) -> None:
    """Rewrite jobs with ``rows`` (id and job_executions columns by name), then their
    derived columns. A job keeps its configuration version when the new one has the same
    name (another version of the same configuration)."""
    if rows.empty:
        return
    columns = [c for c in rows.columns if c not in ("id", "configuration_id")]
    assignments = ", ".join(f"{c} = u.{c}" for c in columns)
    with _staged(tx._cur, rows) as stage:
        tx._cur.execute(
            f"""UPDATE job_executions SET {assignments}, configuration_id = u.kept_configuration
                FROM (SELECT s.*, CASE WHEN old.name = new.name THEN j.configuration_id
                                       ELSE s.configuration_id END AS kept_configuration
                      FROM {stage} s JOIN job_executions j ON j.id = s.id
                      LEFT JOIN configurations old ON old.id = j.configuration_id
                      LEFT JOIN configurations new ON new.id = s.configuration_id) u
                WHERE job_executions.id = u.id"""
        )
        tx._cur.execute(
            derived.backfill_sql(list(derived.EXPRESSIONS))
            + f" WHERE id IN (SELECT id FROM {stage})"
        )


def add_images(tx: Transaction, rows: pd.DataFrame) -> None:
    """Append image rows (generated_images columns by name)."""
    if rows.empty:
        return
    with _staged(tx._cur, rows) as stage:
        tx._cur.execute(f"INSERT INTO generated_images BY NAME SELECT * FROM {stage}")


def update_images(tx: Transaction, rows: pd.DataFrame) -> None:
    """Rewrite image rows with ``rows`` (id and generated_images columns by name)."""
    if rows.empty:
        return
    assignments = ", ".join(f"{c} = s.{c}" for c in rows.columns if c != "id")
    with _staged(tx._cur, rows) as stage:
        tx._cur.execute(
            f"UPDATE generated_images SET {assignments} FROM {stage} s "
            "WHERE generated_images.id = s.id"
        )


def add_events(tx: Transaction, rows: pd.DataFrame) -> None:
    """Append timeline events (job_events columns by name)."""
    if rows.empty:
        return
    with _staged(tx._cur, rows) as stage:
        tx._cur.execute(f"INSERT INTO job_events BY NAME SELECT * FROM {stage}")


def place_labels(tx: Transaction) -> None:
    """Give the labels written by :func:`add_jobs` and :func:`update_jobs` their ranks
    (:mod:`.label_rank`)."""
    label_rank.place(tx._cur)


def imported_file(store: JobStore, path: str) -> bool:
    """Whether an imported image row stores ``path`` (as written) as its file or its
    thumbnail."""
    with store._cursor() as cur:
        return (
            cur.execute(
                """SELECT 1 FROM generated_images g
                   WHERE (g.file_path = ? OR g.thumbnail_path = ?)
                     AND g.id IN (SELECT id FROM imported_rows
                                  WHERE table_name = 'generated_images')
                   LIMIT 1""",
                [path, path],
            ).fetchone()
            is not None
        )
