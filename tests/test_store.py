"""JobStore: migrations, locking, thread safety, parameterised SQL, writes only through its
transactions and reads of your own only through its read-only sql()."""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import duckdb
import pytest
from factories import add_job

import jobdash
from jobdash.errors import SchemaTooNew, StoreLocked, ValidationError
from jobdash.store import JobStore, Transaction
from jobdash.store.migrations import LATEST_VERSION, MIGRATIONS

TABLES = {
    "configurations",
    "job_executions",
    "generated_images",
    "job_events",
    "filter_presets",
    "schema_migrations",
}


def _tables(path) -> set[str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {
            r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()
        }
    finally:
        con.close()


def test_migrations_create_every_table_from_an_empty_file(tmp_path):
    store = JobStore(tmp_path / "new.duckdb")
    assert store.applied_migrations() == [v for v, _, _ in MIGRATIONS]
    store.close()
    assert _tables(tmp_path / "new.duckdb") >= TABLES


def test_migrations_are_idempotent_and_recorded_once(tmp_path):
    path = tmp_path / "j.duckdb"
    JobStore(path).close()
    store = JobStore(path)
    assert store.migrate() == []
    assert store.applied_migrations() == [v for v, _, _ in MIGRATIONS]
    assert store.schema_version() == LATEST_VERSION
    store.close()


def test_a_newer_file_is_refused_with_a_clear_error(tmp_path):
    path = tmp_path / "future.duckdb"
    JobStore(path).close()
    con = duckdb.connect(str(path))
    con.execute(
        "INSERT INTO schema_migrations VALUES (?, 'from the future', now())", [LATEST_VERSION + 1]
    )
    con.close()
    with pytest.raises(SchemaTooNew, match="Upgrade jobdash"):
        JobStore(path)


def test_a_second_process_gets_store_locked(tmp_path):
    path = tmp_path / "held.duckdb"
    holder = jobdash.open(path, runner=False)
    script = textwrap.dedent(f"""
        import jobdash
        try:
            jobdash.open({str(path)!r}, runner=False)
        except jobdash.StoreLocked as exc:
            print("LOCKED:", exc)
    """)
    try:
        out = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
        )
    finally:
        holder.close()
    assert "LOCKED:" in out.stdout, out.stderr
    assert str(path) in out.stdout and f"serve it (jobdash serve --db {path})" in out.stdout
    assert "Traceback" not in out.stderr
    assert issubclass(StoreLocked, jobdash.errors.JobdashError)


def test_a_failed_transaction_changes_nothing(service):
    add_job(service, label="kept")
    before = service.store.sql("SELECT count(*) AS n FROM job_executions")["n"][0]
    with pytest.raises(RuntimeError), service.store.transaction() as tx:
        service.store.insert_job(
            tx,
            label="lost",
            status="pending",
            configuration_id=None,
            snapshot=None,
            rerun_of=None,
            queued_at=jobdash.store.utcnow(),
        )
        raise RuntimeError("boom")
    assert service.store.sql("SELECT count(*) AS n FROM job_executions")["n"][0] == before
    # the id counter was rolled back with it: the next job gets the next id
    assert add_job(service) == 2


def _everything(store: JobStore) -> dict:
    """Every table's rows, the attached databases and the settings a statement could change."""
    tables = store.sql(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_catalog = current_database() ORDER BY 1"
    ).table_name
    return {
        "rows": {t: store.sql(f"SELECT * FROM {t} ORDER BY ALL").to_dict("list") for t in tables},
        "databases": store.sql(
            "SELECT database_name FROM duckdb_databases() ORDER BY 1"
        ).database_name.tolist(),
        "threads": store.sql("SELECT current_setting('threads') AS t").t[0],
    }


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE job_executions SET label = 'x'",
        "DELETE FROM job_executions",
        "INSERT INTO filter_presets VALUES ('p', '[]', now())",
        "SELECT 1; DELETE FROM job_executions",
        "SELECT label FROM job_executions; SELECT 1",
        "CREATE TABLE t AS SELECT 1",
        "DROP TABLE filter_presets",
        "ALTER TABLE job_executions ADD COLUMN x INTEGER",
        "ATTACH ':memory:' AS other",
        "COPY job_executions TO '{out}' (FORMAT csv)",
        "COPY job_executions FROM '{out}'",
        "EXPORT DATABASE '{out}'",
        "PRAGMA threads=1",
        "SET threads = 1",
        "CALL checkpoint()",
        "EXPLAIN ANALYZE DELETE FROM job_executions",  # runs the DELETE it explains
        "EXPLAIN SELECT 1",
        "BEGIN TRANSACTION",
        "",
        "SELEC label FROM job_executions",
    ],
)
def test_sql_refuses_all_but_one_select_and_runs_nothing(service, tmp_path, statement):
    add_job(service, label="kept")
    before = _everything(service.store)
    out = tmp_path / "out"
    with pytest.raises(ValidationError) as refused:
        service.store.sql(statement.format(out=out))
    assert refused.value.field == "statement"
    assert _everything(service.store) == before
    assert not out.exists()


def test_sql_runs_a_select_with_parameters(service):
    add_job(service, label="kept")
    add_job(service, label="other")
    got = service.store.sql(
        "WITH j AS (SELECT id, label FROM job_executions) "
        "SELECT label FROM j WHERE label <> ? ORDER BY id",
        ["other"],
    )
    assert got["label"].tolist() == ["kept"]
    assert service.store.sql("FROM job_executions SELECT count(*) AS n")["n"][0] == 2


def test_a_transaction_hands_out_no_cursor(service):
    with service.store.transaction() as tx:
        assert isinstance(tx, Transaction)
        assert [name for name in dir(tx) if not name.startswith("_")] == []
    assert not any(name in dir(JobStore) for name in ("cursor", "execute", "connection", "con"))


def _reaches_inside_the_store(path: Path) -> list[str]:
    """What a module outside jobdash/store does that only the store may: import DuckDB, or
    touch a store's connection, cursors or a transaction's cursor."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [alias.name for alias in node.names]
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            found += [f"import {n}" for n in names if n.split(".")[0] == "duckdb"]
        elif isinstance(node, ast.Attribute) and node.attr in ("_con", "_cursor", "_cur"):
            found.append(f".{node.attr}")
    return found


def test_no_module_outside_the_store_reaches_duckdb_or_a_cursor():
    package = Path(jobdash.__file__).parent
    # jobdash/parquet.py: an in-memory DuckDB that writes and reads Parquet answers, never a
    # history's file.
    outside = [
        p
        for p in package.rglob("*.py")
        if "store" not in p.relative_to(package).parts and p != package / "parquet.py"
    ]
    assert len(outside) > 20
    assert {
        str(p.relative_to(package)): hits for p in outside if (hits := _reaches_inside_the_store(p))
    } == {}


def test_concurrent_reads_and_writes_from_threads(service):
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(20):
                add_job(service, label=f"w{n}-{i}")
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    def reader() -> None:
        try:
            for _ in range(40):
                service.get_all()
                service.statistics()
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(3)]
    threads += [threading.Thread(target=reader) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    ids = service.store.sql("SELECT id FROM job_executions ORDER BY id")["id"].tolist()
    assert ids == list(range(1, 61))


def test_ids_continue_after_reopening(tmp_path):
    path = tmp_path / "j.duckdb"
    svc = jobdash.open(path, runner=False)
    add_job(svc)
    add_job(svc)
    svc.close()
    svc = jobdash.open(path, runner=False)
    assert add_job(svc) == 3
    svc.close()


def test_close_waits_for_a_running_read_and_later_reads_get_a_clear_error(tmp_path):
    store = JobStore(tmp_path / "c.duckdb")
    started, release = threading.Event(), threading.Event()
    results: list[object] = []

    def long_read() -> None:
        with store._cursor() as cur:
            started.set()
            release.wait(5)
            results.append(cur.execute("SELECT 42").fetchone()[0])

    reader = threading.Thread(target=long_read)
    reader.start()
    started.wait(5)
    closer = threading.Thread(target=store.close)
    closer.start()
    closer.join(0.3)
    assert closer.is_alive()  # waiting for the read, not closing under it
    release.set()
    reader.join(5)
    closer.join(5)
    assert results == [42] and not closer.is_alive()
    with pytest.raises(jobdash.errors.StoreClosed, match="closed"):
        store.configurations()
