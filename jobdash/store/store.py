"""JobStore: owns the DuckDB connection. Every SQL statement of jobdash lives in this package.

Cursors never leave it. Readers call its read methods, or :meth:`JobStore.sql` for a query of
their own, which runs only what DuckDB's parser calls one SELECT. Writers call its write
methods inside :meth:`JobStore.transaction`, passing the :class:`Transaction` it yields: a
handle, not a cursor, so every write is one of the store's own statements and keeps the
derived columns and label ranks it maintains (:mod:`.derived`, :mod:`.label_rank`)."""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from ..config import EngineSettings, Settings
from ..errors import NotFound, SchemaTooNew, StoreClosed, StoreLocked, ValidationError
from ..query import JobQuery
from . import by_status, deep, derived, label_rank, listing, sessions
from .frames import frame
from .migrations import LATEST_VERSION, MIGRATIONS
from .rows import one

# A list of ids passed as one parameter: ``... IN {_ID_LIST}`` with ``[list_of_ids]``.
_ID_LIST = "(SELECT unnest(?::BIGINT[]))"
ID_TABLES = ("configurations", "job_executions", "generated_images", "job_events")
"""Tables whose ids the store gives; ``id_marks`` keeps the highest ever given of each, so a
deleted row's id is never given again."""

# How many JobStores of this process have each file open (by real path): DuckDB lets one
# process open a file read-write, and connections of that process share one database.
_openers: Counter[str] = Counter()
_openers_lock = threading.Lock()

JOB_COLUMNS = f"""
    j.id, j.label, j.status, j.configuration_id,
    c.name AS configuration_name, c.version AS configuration_version,
    j.rerun_of, j.queued_at, j.started_at, j.completed_at,
    {listing.DURATION} AS duration_s,
    j.progress, j.current_step, j.total_images, j.successful_images, j.failed_images,
    j.approved_images, j.qc_failed_images, j.error_message, j.error_step, j.updated_at
"""
JOB_FROM = "job_executions j LEFT JOIN configurations c ON c.id = j.configuration_id"
UPDATABLE_JOB_FIELDS = frozenset(
    {
        "label",
        "status",
        "started_at",
        "completed_at",
        "progress",
        "current_step",
        "total_images",
        "successful_images",
        "failed_images",
        "approved_images",
        "qc_failed_images",
        "error_message",
        "error_step",
        "configuration_snapshot",
        "updated_at",
    }
)


def utcnow() -> dt.datetime:
    """Naive UTC now, the only kind of timestamp the store keeps."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, default=str)


class Transaction:
    """An open write transaction of a :class:`JobStore` (see :meth:`JobStore.transaction`):
    pass it to the store's write methods. Its cursor is the store package's alone."""

    __slots__ = ("_cur",)

    def __init__(self, cur: duckdb.DuckDBPyConnection) -> None:
        self._cur = cur


class JobStore:
    """One DuckDB file: one connection, a cursor per call, writes serialised by a lock.

    DuckDB's memory limit and threads are ``engine``'s, by default those of the settings.json
    beside the file (:class:`~jobdash.config.EngineSettings`).

    Ids are given by the store and never given twice: a delete writes the highest id given
    of each table to ``id_marks`` in its own transaction, so the ids of deleted jobs (and of
    their images and events) stay unused across restarts, imports and demo loads. (Other
    writes need no mark: their rows hold the highest ids. Marking every insert cost 3-6 ms
    per runner write on this machine, as much as the write itself.)"""

    def __init__(self, path: str | Path, *, engine: EngineSettings | None = None):
        self.path = Path(path)
        engine = engine or Settings.for_database(self.path).engine
        self._write_lock = threading.RLock()
        self._idle = threading.Condition()  # guards the two fields below
        self._open_cursors = 0
        self._closed = False
        self._labels_set = False  # in the open transaction (under the write lock)
        self._deep = deep.DeepPages(self._cursor)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._con = duckdb.connect(
                str(self.path),
                config={
                    "memory_limit": engine.memory_limit,
                    "threads": engine.threads,
                    # No query reaches a file, a URL or an extension outside the history.
                    "enable_external_access": False,
                    "autoload_known_extensions": False,
                    "autoinstall_known_extensions": False,
                },
            )
        except duckdb.IOException as exc:
            if "lock" in str(exc).lower():
                raise StoreLocked(
                    f"{self.path} is open in another process ({_holder(exc)}), which does "
                    "not share it. Close that notebook kernel or script; to work on a history "
                    f"from several places at once, serve it (jobdash serve --db {self.path}): "
                    "jobdash.open, jobdash run and jobdash export then go through the server."
                ) from None
            raise
        applied = self.migrate()
        self._next_ids = self._load_next_ids()
        self._prepare_default_listing()
        # sole_opener: whether no other JobStore of this process had the file open when this
        # one opened it. DuckDB keeps other processes out, so jobs then left ``running`` have
        # no owner any more and no job is writing below the image root. left_open: the
        # process that had it open before and ended without closing it (killed, crashed, its
        # runner still busy), as the sole opener finds it (:mod:`.sessions`).
        self._opener = os.path.realpath(self.path)
        with _openers_lock:
            self.sole_opener = not _openers[self._opener]
            _openers[self._opener] += 1
        self._session: sessions.Session | None = None
        self.left_open: sessions.Session | None = None
        if self.sole_opener:
            try:
                self._session, self.left_open = sessions.begin(
                    self.path, utcnow(), upgraded=sessions.SINCE_VERSION in applied
                )
            except BaseException:
                self.close(clean=False)
                raise

    # -- plumbing ---------------------------------------------------------------------------

    def close(self, timeout: float = 10.0, *, clean: bool = True) -> None:
        """Refuse new cursors, let running calls (other threads) finish, then close the
        connection (idempotent). ``clean=False`` says something of this process may still be
        writing (a runner that did not stop): the next opener then treats this session as
        one that ended without closing (:attr:`left_open`)."""
        with self._idle:
            was_closed, self._closed = self._closed, True
            self._idle.wait_for(lambda: self._open_cursors == 0, timeout)
        self._con.close()
        if not was_closed:
            with _openers_lock:
                _openers[self._opener] -= 1
            if clean and self._session is not None:
                sessions.end(self.path, self._session)

    def check_open(self) -> None:
        """Raise ``StoreClosed`` once :meth:`close` was called."""
        if self._closed:
            raise StoreClosed(f"{self.path} is closed: open it again with jobdash.open().")

    @contextmanager
    def _cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor of its own for one call; safe from any thread. Private to the store
        package: what runs on it is the package's SQL."""
        with self._idle:
            self.check_open()
            self._open_cursors += 1
        try:
            cur = self._con.cursor()
            try:
                yield cur
            finally:
                cur.close()
        finally:
            with self._idle:
                self._open_cursors -= 1
                self._idle.notify_all()

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """Serialised write transaction, for the write methods that take it: commits on
        success, rolls back on any error. Labels set in it get their ranks
        (:mod:`.label_rank`) before it commits."""
        with self._write_lock, self._cursor() as cur:
            ids_before = dict(self._next_ids)
            self._labels_set = False
            cur.execute("BEGIN TRANSACTION")
            try:
                yield Transaction(cur)
                if self._labels_set:
                    label_rank.place(cur)
            except BaseException:
                cur.execute("ROLLBACK")
                self._next_ids = ids_before
                raise
            cur.execute("COMMIT")

    def _new_ids(self, table: str, n: int = 1) -> list[int]:
        start = self._next_ids[table]
        self._next_ids[table] = start + n
        return list(range(start, start + n))

    def _mark_ids(self, tx: Transaction) -> None:
        """Write the highest id given of each table to ``id_marks``, in the transaction
        that deletes rows (perhaps those holding them)."""
        tx._cur.execute(
            "UPDATE id_marks SET last_id = greatest(last_id, m.next_id - 1) FROM (SELECT "
            "unnest(?::VARCHAR[]) AS name, unnest(?::BIGINT[]) AS next_id) m "
            "WHERE id_marks.table_name = m.name",
            [list(self._next_ids), list(self._next_ids.values())],
        )

    def _load_next_ids(self) -> dict[str, int]:
        """The next id of each table: above both its rows and its mark."""
        with self._cursor() as cur:
            return {
                t: one(
                    cur.execute(
                        f"SELECT greatest(coalesce(max(id), 0), (SELECT last_id FROM id_marks "
                        f"WHERE table_name = ?)) + 1 FROM {t}",
                        [t],
                    )
                )[0]
                for t in ID_TABLES
            }

    def _prepare_default_listing(self) -> None:
        """Start building the checkpoints of the default listing (every job, newest first)
        of a long history, so a link straight to one of its deep pages is fast at once."""
        query = JobQuery()
        where_sql, params = listing.where(query)
        with self._cursor() as cur:
            (total,) = one(cur.execute("SELECT count(*) FROM job_executions"))
        if total > deep.LONG:
            self._deep.prepare(query, where_sql, params, utcnow())

    def swept(self) -> None:
        """What :attr:`left_open` left is dealt with: the next opener looks for nothing unless
        this process, too, ends without closing the history."""
        if self._session is not None:
            self._session = sessions.swept(self.path, self._session)

    def reserve_ids(self, table: str, n: int) -> int:
        """Reserve ``n`` consecutive ids of ``table`` for a bulk load; returns the first
        (with ``n=0``, the id the table gives next)."""
        with self._write_lock:
            return self._new_ids(table, n)[0] if n else self._next_ids[table]

    # -- schema -----------------------------------------------------------------------------

    def schema_version(self) -> int:
        """Highest applied migration (0 for an empty file)."""
        with self._cursor() as cur:
            (exists,) = one(
                cur.execute(
                    "SELECT count(*) FROM information_schema.tables "
                    "WHERE table_name = 'schema_migrations'"
                )
            )
            if not exists:
                return 0
            (version,) = one(cur.execute("SELECT coalesce(max(version), 0) FROM schema_migrations"))
            return version

    def migrate(self) -> list[int]:
        """Apply pending migrations in order, each in its own transaction; returns those applied."""
        current = self.schema_version()
        if current > LATEST_VERSION:
            raise SchemaTooNew(
                f"{self.path} has schema version {current}, but this jobdash knows only up to "
                f"{LATEST_VERSION}. Upgrade jobdash (pip install -U jobdash) to open it."
            )
        applied = []
        with self._write_lock, self._cursor() as cur:
            cur.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                "version INTEGER PRIMARY KEY, description VARCHAR, applied_at TIMESTAMP)"
            )
            for version, description, statements in MIGRATIONS:
                if version <= current:
                    continue
                cur.execute("BEGIN TRANSACTION")
                try:
                    for statement in statements:
                        cur.execute(statement)
                    cur.execute(
                        "INSERT INTO schema_migrations VALUES (?, ?, ?)",
                        [version, description, utcnow()],
                    )
                except BaseException:
                    cur.execute("ROLLBACK")
                    raise
                cur.execute("COMMIT")
                applied.append(version)
        return applied

    def applied_migrations(self) -> list[int]:
        """Versions recorded in ``schema_migrations``, in order."""
        with self._cursor() as cur:
            return [
                r[0]
                for r in cur.execute(
                    "SELECT version FROM schema_migrations ORDER BY version"
                ).fetchall()
            ]

    # -- configurations ---------------------------------------------------------------------

    def configurations(self) -> pd.DataFrame:
        """Every configuration (small table), newest version last per name."""
        with self._cursor() as cur:
            return cur.execute(
                "SELECT id, name, version, settings, created_at, updated_at FROM configurations "
                "ORDER BY name, version"
            ).df()

    def configuration(self, config_id: int) -> dict | None:
        """One configuration as a dict with parsed settings, or None."""
        with self._cursor() as cur:
            row = cur.execute(
                "SELECT id, name, version, settings, created_at, updated_at "
                "FROM configurations WHERE id = ?",
                [config_id],
            ).fetchone()
        if row is None:
            return None
        keys = ("id", "name", "version", "settings", "created_at", "updated_at")
        out = dict(zip(keys, row, strict=True))
        out["settings"] = json.loads(out["settings"])
        return out

    def configuration_by_name(self, name: str) -> dict | None:
        """The newest version of the configuration called ``name``, or None."""
        with self._cursor() as cur:
            row = cur.execute(
                "SELECT id FROM configurations WHERE name = ? ORDER BY version DESC LIMIT 1", [name]
            ).fetchone()
        return self.configuration(row[0]) if row else None

    def add_configuration(self, name: str, settings: dict, *, at: dt.datetime | None = None) -> int:
        """Insert the next version of configuration ``name``; returns its id."""
        with self.transaction() as tx:
            return self.insert_configuration(tx, name=name, settings=settings, at=at)

    def insert_configuration(
        self, tx: Transaction, *, name: str, settings: dict, at: dt.datetime | None = None
    ) -> int:
        """Insert the next version of configuration ``name`` inside a transaction."""
        cur = tx._cur
        at = at or utcnow()
        (version,) = one(
            cur.execute(
                "SELECT coalesce(max(version), 0) + 1 FROM configurations WHERE name = ?", [name]
            )
        )
        (config_id,) = self._new_ids("configurations")
        cur.execute(
            "INSERT INTO configurations VALUES (?, ?, ?, ?, ?, ?)",
            [config_id, name, version, _json(settings), at, at],
        )
        return config_id

    # -- reading jobs -----------------------------------------------------------------------

    def page(self, query: JobQuery, now: dt.datetime) -> tuple[pd.DataFrame, int]:
        """One page of jobs matching ``query`` and the total that match."""
        offset = (query.page - 1) * query.page_size
        with self._cursor() as cur:
            where_sql, params = listing.where(query, self._named(cur, query))
            if listing.costly(query):
                sql, values = listing.counted_page(
                    query, where_sql, params, now, query.page_size, offset
                )
                total, ids = one(cur.execute(sql, values))
                ids = ids or []
            elif query.sort == "status":
                ids, total = by_status.status_page(
                    cur, query, where_sql, params, query.page_size, offset
                )
            else:
                ids, total = self._deep.page(
                    cur, query, where_sql, params, now, query.page_size, offset
                )
            rows = self._jobs_by_ids(cur, ids, now)
        return rows, total

    @staticmethod
    def _named(cur: duckdb.DuckDBPyConnection, query: JobQuery | None) -> list[int] | None:
        """Ids of the configurations whose name contains the search text (None: no search)."""
        needle = listing.search_text(query)
        if not needle:
            return None
        return [r[0] for r in cur.execute(listing.CONFIGURATIONS_NAMED, [needle]).fetchall()]

    def _jobs_by_ids(
        self, cur: duckdb.DuckDBPyConnection, ids: Sequence[int], now: dt.datetime
    ) -> pd.DataFrame:
        rows = cur.execute(
            f"SELECT {JOB_COLUMNS} FROM {JOB_FROM} WHERE j.id IN {_ID_LIST}", [now, list(ids)]
        ).fetchall()
        order = {job_id: i for i, job_id in enumerate(ids)}
        rows.sort(key=lambda row: order[row[0]])  # JOB_COLUMNS starts with the id
        return frame(cur, rows)

    def jobs(self, ids: Sequence[int], now: dt.datetime) -> pd.DataFrame:
        """The listing columns of the given jobs, in the given order (unknown ids absent)."""
        with self._cursor() as cur:
            return self._jobs_by_ids(cur, list(ids), now)

    def matching_ids(self, query: JobQuery | None, limit: int | None = None) -> list[int]:
        """Ids of every job matching ``query`` in its sort order (server-side "all matching")."""
        where_sql, params = listing.where(query)
        order_sql, uses_now = listing.order_by(query or JobQuery())
        sql = f"SELECT j.id FROM job_executions j WHERE {where_sql} ORDER BY {order_sql}"
        extra: list[Any] = [utcnow()] if uses_now else []
        if limit is not None:
            sql += " LIMIT ?"
            extra.append(limit)
        with self._cursor() as cur:
            return [r[0] for r in cur.execute(sql, [*params, *extra]).fetchall()]

    def existing_ids(self, ids: Sequence[int]) -> dict[int, str]:
        """Status of each of ``ids`` that exists."""
        with self._cursor() as cur:
            return dict(
                cur.execute(
                    f"SELECT id, status FROM job_executions WHERE id IN {_ID_LIST}", [list(ids)]
                ).fetchall()
            )

    def job(self, job_id: int) -> dict | None:
        """Every column of one job (snapshot parsed), with configuration name/version."""
        with self._cursor() as cur:
            cur.execute(
                f"SELECT {JOB_COLUMNS}, j.configuration_snapshot FROM {JOB_FROM} WHERE j.id = ?",
                [utcnow(), job_id],
            )
            row = cur.fetchone()
            if row is None:
                return None
            out = dict(zip([d[0] for d in cur.description], row, strict=True))
        snapshot = out.pop("configuration_snapshot")
        out["configuration_snapshot"] = json.loads(snapshot) if snapshot else None
        return out

    def images(self, job_id: int) -> pd.DataFrame:
        """Every image row of one job, oldest first."""
        with self._cursor() as cur:
            return cur.execute(
                "SELECT * FROM generated_images WHERE execution_id = ? ORDER BY id", [job_id]
            ).df()

    def names_image_file(self, path: str) -> bool:
        """Whether some image row stores ``path`` as its file or its thumbnail."""
        with self._cursor() as cur:
            return (
                cur.execute(
                    "SELECT 1 FROM generated_images WHERE file_path = ? OR thumbnail_path = ? "
                    "LIMIT 1",
                    [path, path],
                ).fetchone()
                is not None
            )

    def image_paths(self, image_id: int) -> tuple[str | None, str | None] | None:
        """``(file_path, thumbnail_path)`` of one image row, or None when there is none."""
        with self._cursor() as cur:
            row = cur.execute(
                "SELECT file_path, thumbnail_path FROM generated_images WHERE id = ?", [image_id]
            ).fetchone()
        return None if row is None else (row[0], row[1])

    def images_for_jobs(self, ids: Sequence[int]) -> pd.DataFrame:
        """Image rows of many jobs (for exports), ordered by job then image."""
        with self._cursor() as cur:
            return cur.execute(
                f"SELECT * FROM generated_images WHERE execution_id IN {_ID_LIST} "
                "ORDER BY execution_id, id",
                [list(ids)],
            ).df()

    def events(self, job_id: int, after_id: int = 0) -> pd.DataFrame:
        """Timeline of one job (optionally only events after ``after_id``), in order."""
        with self._cursor() as cur:
            return cur.execute(
                "SELECT * FROM job_events WHERE execution_id = ? AND id > ? ORDER BY id",
                [job_id, after_id],
            ).df()

    def statistics(self, query: JobQuery | None, now: dt.datetime) -> dict[str, Any]:
        """Aggregates over the jobs matching ``query`` in one scan."""
        week, fortnight = now - dt.timedelta(days=7), now - dt.timedelta(days=14)
        with self._cursor() as cur:
            where_sql, params = listing.where(query, self._named(cur, query))
            row = one(
                cur.execute(
                    f"""
                SELECT count(*) AS total,
                       count(*) FILTER (j.status = 'pending') AS pending,
                       count(*) FILTER (j.status = 'running') AS running,
                       count(*) FILTER (j.status = 'completed') AS completed,
                       count(*) FILTER (j.status = 'failed') AS failed,
                       count(*) FILTER (j.status = 'stopped') AS stopped,
                       count(*) FILTER ({listing.RUN_AT} >= ?) AS last_7d,
                       count(*) FILTER ({listing.RUN_AT} >= ? AND {listing.RUN_AT} < ?)
                           AS prev_7d,
                       avg(j.duration_ms) / 1000.0 AS avg_duration_s,
                       coalesce(sum(j.total_images), 0) AS images_total,
                       coalesce(sum(j.approved_images), 0) AS images_approved,
                       coalesce(sum(j.qc_failed_images), 0) AS images_qc_failed,
                       coalesce(sum(j.failed_images - j.qc_failed_images), 0)
                           AS images_processing_failed
                FROM job_executions j WHERE {where_sql}""",
                    [week, fortnight, week, *params],
                )
            )
            return dict(zip([d[0] for d in cur.description], row, strict=True))

    def pending_queue(self) -> list[int]:
        """Ids of pending jobs in queue order."""
        with self._cursor() as cur:
            return [
                r[0]
                for r in cur.execute(
                    "SELECT id FROM job_executions WHERE status = 'pending' ORDER BY queued_at, id"
                ).fetchall()
            ]

    def ids_with_status(self, status: str) -> list[int]:
        """Ids of every job in one status."""
        with self._cursor() as cur:
            return [
                r[0]
                for r in cur.execute(
                    "SELECT id FROM job_executions WHERE status = ? ORDER BY id", [status]
                ).fetchall()
            ]

    # -- writing jobs -----------------------------------------------------------------------

    def insert_job(
        self,
        tx: Transaction,
        *,
        label: str | None,
        status: str,
        configuration_id: int | None,
        snapshot: dict | None,
        rerun_of: int | None,
        queued_at: dt.datetime | None,
    ) -> int:
        """Insert one job inside a transaction; returns its id."""
        (job_id,) = self._new_ids("job_executions")
        tx._cur.execute(
            "INSERT INTO job_executions (id, label, status, configuration_id, "
            "configuration_snapshot, rerun_of, queued_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                job_id,
                label,
                status,
                configuration_id,
                _json(snapshot),
                rerun_of,
                queued_at,
                queued_at,
            ],
        )
        tx._cur.execute(derived.refresh_sql(["label", "queued_at"]), [job_id])
        self._labels_set = True
        return job_id

    def update_job(self, tx: Transaction, job_id: int, **fields: Any) -> None:
        """Update some columns of one job inside a transaction, and the derived columns
        (:mod:`.derived`) computed from them."""
        bad = set(fields) - UPDATABLE_JOB_FIELDS
        if bad:
            raise ValueError(f"not updatable: {sorted(bad)}")
        if "configuration_snapshot" in fields:
            fields["configuration_snapshot"] = _json(fields["configuration_snapshot"])
        fields.setdefault("updated_at", utcnow())
        assignments = ", ".join(f"{name} = ?" for name in fields)
        tx._cur.execute(
            f"UPDATE job_executions SET {assignments} WHERE id = ?", [*fields.values(), job_id]
        )
        refresh = derived.refresh_sql(fields)
        if refresh:
            tx._cur.execute(refresh, [job_id])
        self._labels_set |= "label" in fields

    def add_event(
        self,
        tx: Transaction,
        job_id: int,
        *,
        level: str,
        message: str,
        step: str | None = None,
        sub_step: str | None = None,
        data: dict | None = None,
        at: dt.datetime | None = None,
    ) -> int:
        """Append one event to a job's timeline inside a transaction; returns its id."""
        (event_id,) = self._new_ids("job_events")
        tx._cur.execute(
            "INSERT INTO job_events VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [event_id, job_id, at or utcnow(), level, step, sub_step, message, _json(data)],
        )
        return event_id

    def add_image(self, tx: Transaction, job_id: int, **fields: Any) -> int:
        """Insert one image row inside a transaction (counted in its job's QC counter, see
        :mod:`.derived`); returns its id."""
        (image_id,) = self._new_ids("generated_images")
        fields.setdefault("created_at", utcnow())
        if "metadata" in fields:
            fields["metadata"] = _json(fields["metadata"])
        names = ["id", "execution_id", *fields]
        tx._cur.execute(
            f"INSERT INTO generated_images ({', '.join(names)}) "
            f"VALUES ({', '.join('?' * len(names))})",
            [image_id, job_id, *fields.values()],
        )
        counter = derived.count_image_sql(fields["qc_status"])  # NOT NULL: inserted above
        if counter:
            tx._cur.execute(counter, [job_id])
        return image_id

    def image_files(self, tx: Transaction, ids: Sequence[int]) -> list[str]:
        """File and thumbnail paths of every image of the given jobs, inside a transaction
        (that deletes them)."""
        rows = tx._cur.execute(
            "SELECT file_path, thumbnail_path FROM generated_images "
            f"WHERE execution_id IN {_ID_LIST}",
            [list(ids)],
        ).fetchall()
        return [p for row in rows for p in row if p]

    def delete_jobs(self, tx: Transaction, ids: Sequence[int]) -> None:
        """Delete jobs with their images and events inside a transaction (their ids are
        never given again)."""
        self._mark_ids(tx)
        for table, column in (
            ("generated_images", "execution_id"),
            ("job_events", "execution_id"),
            ("job_executions", "id"),
        ):
            tx._cur.execute(f"DELETE FROM {table} WHERE {column} IN {_ID_LIST}", [list(ids)])

    def mark_interrupted(self, message: str, now: dt.datetime) -> list[int]:
        """Turn jobs left ``running`` by a dead process into ``failed``; returns their ids."""
        with self.transaction() as tx:
            ids = [
                r[0]
                for r in tx._cur.execute(
                    "SELECT id FROM job_executions WHERE status = 'running' ORDER BY id"
                ).fetchall()
            ]
            for job_id in ids:
                self.update_job(
                    tx,
                    job_id,
                    status="failed",
                    completed_at=now,
                    current_step=None,
                    error_message=message,
                    error_step="runner",
                    updated_at=now,
                )
                self.add_event(tx, job_id, level="error", step="runner", message=message, at=now)
        return ids

    # -- filter presets ---------------------------------------------------------------------

    def save_preset(self, name: str, query: dict) -> None:
        """Create or replace a named filter preset."""
        with self.transaction() as tx:
            tx._cur.execute("DELETE FROM filter_presets WHERE name = ?", [name])
            tx._cur.execute(
                "INSERT INTO filter_presets VALUES (?, ?, ?)", [name, _json(query), utcnow()]
            )

    def presets(self) -> list[dict]:
        """Every preset: name, query (dict), created_at; by name."""
        with self._cursor() as cur:
            rows = cur.execute(
                "SELECT name, query, created_at FROM filter_presets ORDER BY name"
            ).fetchall()
        return [{"name": n, "query": json.loads(q), "created_at": c} for n, q, c in rows]

    def preset(self, name: str) -> dict:
        """One preset's query; NotFound when there is none of that name."""
        with self._cursor() as cur:
            row = cur.execute("SELECT query FROM filter_presets WHERE name = ?", [name]).fetchone()
        if row is None:
            raise NotFound(f"No filter preset named {name!r}.")
        return json.loads(row[0])

    def delete_preset(self, name: str) -> None:
        """Delete a preset; NotFound when there is none of that name."""
        self.preset(name)
        with self.transaction() as tx:
            tx._cur.execute("DELETE FROM filter_presets WHERE name = ?", [name])

    # -- your own read-only SQL (notebooks, analysis) ---------------------------------------

    def sql(
        self,
        statement: str,
        params: Sequence[Any] = (),
        *,
        max_rows: int | None = None,
        timeout_s: float | None = None,
    ) -> pd.DataFrame:
        """Run one read-only query of your own (notebooks, analysis) and get a DataFrame.

        What runs is what DuckDB's parser calls one ``SELECT`` (``WITH``, ``FROM t``,
        ``VALUES``, ``DESCRIBE``, ``SUMMARIZE`` and ``SHOW`` included); anything else — a
        write, DDL, ``ATTACH``, ``COPY``, ``PRAGMA``, ``SET``, ``CALL``, ``EXPLAIN`` (whose
        ``ANALYZE`` form runs the statement it explains, a write too), several statements,
        text DuckDB cannot parse — raises :class:`~jobdash.errors.ValidationError` and runs
        nothing. The history changes only through the service; files outside it are out of
        reach (the connection has no external access).

        ``max_rows``: more rows than this is a ValidationError (add a LIMIT or aggregate);
        ``timeout_s``: a query still running after this long is interrupted and is a
        ValidationError. A query DuckDB refuses (an unknown column...) is one too."""
        with self._cursor() as cur:
            try:
                statements = cur.extract_statements(statement)
            except duckdb.ParserException as exc:
                raise ValidationError(f"statement: {exc}", "statement") from None
            if len(statements) != 1 or statements[0].type != duckdb.StatementType.SELECT:
                kinds = ", ".join(s.type.name for s in statements) or "nothing"
                raise ValidationError(
                    f"statement: one read-only query (a SELECT) runs here, not {kinds}; change "
                    "jobs through the JobService methods.",
                    "statement",
                )
            timer = threading.Timer(timeout_s, cur.interrupt) if timeout_s else None
            if timer:
                timer.start()
            try:
                relation = cur.sql(statements[0].query, params=list(params) or None)
                frame = (relation.limit(max_rows + 1) if max_rows else relation).df()
            except duckdb.InterruptException:
                raise ValidationError(
                    f"statement: still running after {timeout_s:g} s, so it was stopped; "
                    "narrow it down or aggregate",
                    "statement",
                ) from None
            except duckdb.Error as exc:
                raise ValidationError(f"statement: {exc}", "statement") from None
            finally:
                if timer:
                    timer.cancel()
        if max_rows is not None and len(frame) > max_rows:
            raise ValidationError(
                f"statement: more than {max_rows:,} rows; add a LIMIT or aggregate",
                "statement",
            )
        return frame


def _holder(exc: Exception) -> str:
    text = str(exc)
    marker = "PID "
    if marker in text:
        pid = text.split(marker, 1)[1].split(")", 1)[0].split()[0]
        return f"process {pid}"
    return "another process"
