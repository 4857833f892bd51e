"""JobStore: migrations, locking, thread safety, parameterised SQL."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading

import duckdb
import pytest
from factories import add_job

import jobdash
from jobdash.errors import SchemaTooNew, StoreLocked, ValidationError
from jobdash.store import JobStore
from jobdash.store.migrations import LATEST_VERSION, MIGRATIONS

TABLES = {"configurations", "job_executions", "generated_images", "job_events",
          "filter_presets", "schema_migrations"}


def _tables(path) -> set[str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    finally:
        con.close()


def test_migrations_create_every_table_from_an_empty_file(tmp_path):
    store = JobStore(tmp_path / "new.duckdb")
    assert store.applied_migrations() == [v for v, _, _ in MIGRATIONS]
    store.close()
    assert TABLES <= _tables(tmp_path / "new.duckdb")


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
    con.execute("INSERT INTO schema_migrations VALUES (?, 'from the future', now())",
                [LATEST_VERSION + 1])
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
        out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                             timeout=60)
    finally:
        holder.close()
    assert "LOCKED:" in out.stdout, out.stderr
    assert str(path) in out.stdout and "stop that `jobdash serve`" in out.stdout
    assert "Traceback" not in out.stderr
    assert issubclass(StoreLocked, jobdash.errors.JobdashError)


def test_a_failed_transaction_changes_nothing(service):
    add_job(service, label="kept")
    before = service.store.sql("SELECT count(*) AS n FROM job_executions")["n"][0]
    with pytest.raises(RuntimeError), service.store.transaction() as cur:
        service.store.insert_job(cur, label="lost", status="pending", configuration_id=None,
                                 snapshot=None, rerun_of=None, queued_at=jobdash.store.utcnow())
        raise RuntimeError("boom")
    assert service.store.sql("SELECT count(*) AS n FROM job_executions")["n"][0] == before
    # the id counter was rolled back with it: the next job gets the next id
    assert add_job(service) == 2


@pytest.mark.parametrize("statement", [
    "UPDATE job_executions SET label = 'x'",
    "DELETE FROM job_executions",
    "SELECT 1; DELETE FROM job_executions",
    "CREATE TABLE t AS SELECT 1",
])
def test_sql_runs_only_read_only_queries(service, statement):
    add_job(service, label="kept")
    with pytest.raises(ValidationError, match="read-only"):
        service.store.sql(statement)
    assert service.store.sql("SELECT label FROM job_executions")["label"].tolist() == ["kept"]
    assert service.store.sql("EXPLAIN SELECT 1").shape[0] == 1


def test_concurrent_reads_and_writes_from_threads(service):
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(20):
                add_job(service, label=f"w{n}-{i}")
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    def reader() -> None:
        try:
            for _ in range(40):
                service.get_all()
                service.statistics()
        except BaseException as exc:  # noqa: BLE001
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
        with store.cursor() as cur:
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
