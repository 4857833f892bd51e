"""Ids are never given twice: a deleted job's id (and its images' and events' ids) stays
unused across restarts, demo loads and imports, and a file from before the marks existed
starts them at its highest ids."""

from __future__ import annotations

import duckdb
import pytest
from factories import add_config, add_job

import jobdash
from jobdash.demo import build_demo
from jobdash.store import JobStore
from jobdash.store.store import ID_TABLES


def highest_ids(svc: jobdash.JobService) -> dict[str, int]:
    """The highest id present in each id table."""
    return {
        table: int(svc.sql(f"SELECT coalesce(max(id), 0) AS top FROM {table}").top[0])
        for table in ID_TABLES
    }


def marks(path) -> dict[str, int]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return dict(con.execute("SELECT table_name, last_id FROM id_marks").fetchall())
    finally:
        con.close()


def test_the_newest_jobs_deleted_and_a_restart_never_give_their_ids_again(tmp_path):
    db = tmp_path / "jobs.duckdb"
    with jobdash.open(db, runner=False) as svc:
        config = add_config(svc)
        ids = [add_job(svc, config_id=config, images=[{"qc_status": "approved"}]) for _ in range(6)]
        for job_id in ids:  # events too
            svc.rename(job_id, f"job {job_id}")
        given = highest_ids(svc)
        assert svc.bulk_delete(ids[3:]) == dict.fromkeys(ids[3:], "deleted")
        assert highest_ids(svc)["job_executions"] == ids[2]
    assert marks(db) == given  # written with the rows, kept after the deletes

    with jobdash.open(db, runner=False) as svc:
        job = svc.start(config)
        rerun = int(svc.bulk_rerun([ids[0]])["id"][0])
        svc.record(job["id"], image={"qc_status": "pending", "prompt": "p"})
        after = highest_ids(svc)
    assert job["id"] == ids[-1] + 1 and rerun == ids[-1] + 2
    for table in ("generated_images", "job_events"):
        assert after[table] > given[table]


def test_a_rolled_back_transaction_leaves_the_marks_as_they_were(tmp_path):
    db = tmp_path / "jobs.duckdb"
    with jobdash.open(db, runner=False) as svc:
        first = add_job(svc)
        before = marks_now(svc)
        with pytest.raises(RuntimeError), svc.store.transaction() as tx:
            svc.store.insert_job(
                tx,
                label="never",
                status="pending",
                configuration_id=None,
                snapshot=None,
                rerun_of=None,
                queued_at=None,
            )
            raise RuntimeError("the caller failed")
        assert marks_now(svc) == before
        assert add_job(svc) == first + 1


def marks_now(svc: jobdash.JobService) -> dict[str, int]:
    return dict(svc.sql("SELECT table_name, last_id FROM id_marks").itertuples(index=False))


def test_a_demo_load_marks_its_ids(tmp_path):
    db = tmp_path / "demo.duckdb"
    counts = build_demo(db, jobs=40, images_on_disk=0)
    with jobdash.open(db, runner=False) as svc:
        given = highest_ids(svc)
        assert given["job_executions"] == counts["jobs"]
        newest = svc.sql("SELECT id FROM job_executions WHERE id > 30 AND status <> 'running'")
        svc.bulk_delete(newest.id.tolist())
    with jobdash.open(db, runner=False) as svc:
        assert add_job(svc) == counts["jobs"] + 1
    assert marks(db)["generated_images"] == given["generated_images"]


def test_a_file_from_before_the_marks_starts_them_at_its_highest_ids(tmp_path):
    db = tmp_path / "jobs.duckdb"
    with jobdash.open(db, runner=False) as svc:
        ids = [add_job(svc, images=[{"qc_status": "approved"}]) for _ in range(4)]
        svc.bulk_delete([ids[0]])
        given = highest_ids(svc)
    # Back to schema version 5, as a file written before the marks existed.
    con = duckdb.connect(str(db))
    con.execute("DROP TABLE id_marks")
    con.execute("DELETE FROM schema_migrations WHERE version >= 6")
    con.close()

    store = JobStore(db)
    try:
        assert 6 in store.applied_migrations()
    finally:
        store.close()
    assert marks(db) == given
    with jobdash.open(db, runner=False) as svc:
        assert add_job(svc) == ids[-1] + 1
