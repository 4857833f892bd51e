"""Schema versions 2 to 5: the stored listing keys of job_executions (label_key, error_key,
error_signature, duration_ms, run_at, label_rank, pending/needs_review image counters) are
back-filled by the migrations and stay right through every write path: start, rename, claim,
record, finish, cancel, interrupt, import and the demo's bulk load. The listing filters on
them find what the plain SQL finds."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3

import duckdb
import pandas as pd
import pytest
from gif_files import SCHEMA as GIF_SCHEMA

import jobdash
from jobdash import JobQuery
from jobdash.demo import build_demo
from jobdash.importers.gif import import_gif
from jobdash.store import listing
from jobdash.store.migrations import MIGRATIONS
from jobdash.store.signature import ERROR_SIGNATURE
from jobdash.store.store import JobStore
from jobdash.vocab import QC_STATUSES

T0 = dt.datetime(2026, 11, 1, 10, 0, 0)
NOW = dt.datetime(2026, 11, 28, 12, 0, 0)

# Every derived column recomputed from the job's own columns and its image rows.
STALE = f"""
    SELECT j.id FROM job_executions j LEFT JOIN (
        SELECT execution_id, count(*) FILTER (qc_status = 'pending') AS pending,
               count(*) FILTER (qc_status = 'needs_review') AS review
        FROM generated_images GROUP BY execution_id) i ON i.execution_id = j.id
    WHERE j.label_key IS DISTINCT FROM lower(j.label)
       OR j.error_key IS DISTINCT FROM lower(j.error_message)
       OR j.error_signature IS DISTINCT FROM {ERROR_SIGNATURE}
       OR j.duration_ms IS DISTINCT FROM date_diff('millisecond', j.started_at, j.completed_at)
       OR j.run_at IS DISTINCT FROM coalesce(j.started_at, j.queued_at)
       OR j.pending_images IS DISTINCT FROM coalesce(i.pending, 0)
       OR j.needs_review_images IS DISTINCT FROM coalesce(i.review, 0)
    ORDER BY j.id"""

# Jobs whose label rank does not order like their label: equal labels, equal ranks; a smaller
# label, a smaller rank; no label, no rank.
MISRANKED = """
    SELECT id FROM (
        SELECT id, label_rank, dense_rank() OVER (ORDER BY label_key) AS by_label,
               dense_rank() OVER (ORDER BY label_rank) AS by_rank
        FROM job_executions WHERE label_key IS NOT NULL)
    WHERE label_rank IS NULL OR by_label <> by_rank
    UNION ALL SELECT id FROM job_executions WHERE label_key IS NULL AND label_rank IS NOT NULL
    ORDER BY id"""


def stale(store: JobStore) -> list[int]:
    """Ids of the jobs whose derived columns disagree with what they are derived from."""
    return sorted({*store.sql(STALE).id.tolist(), *store.sql(MISRANKED).id.tolist()})


def derived(store: JobStore, job_id: int) -> tuple:
    """label_key, error_signature, duration_ms, pending_images, needs_review_images."""
    row = store.sql(
        "SELECT label_key, error_signature, duration_ms, pending_images, "
        "needs_review_images FROM job_executions WHERE id = ?",
        [job_id],
    )
    return tuple(None if pd.isna(value) else value for value in row.iloc[0].tolist())


def write_version_1(path) -> None:
    """A version-1 file with data, written with version 1's own statements only."""
    con = duckdb.connect(str(path))
    version, description, statements = MIGRATIONS[0]
    assert version == 1
    for statement in statements:
        con.execute(statement)
    con.execute(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, "
        "description VARCHAR, applied_at TIMESTAMP)"
    )
    con.execute("INSERT INTO schema_migrations VALUES (1, ?, ?)", [description, T0])
    done = T0 + dt.timedelta(seconds=90)
    con.executemany(
        "INSERT INTO job_executions (id, label, status, queued_at, started_at, completed_at, "
        "total_images, successful_images, failed_images, approved_images, qc_failed_images, "
        "error_message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            [1, "Hero BANNERS", "completed", T0, T0, done, 4, 3, 1, 1, 1, None],
            [2, None, "failed", T0, T0, done, 0, 0, 0, 0, 0, "Generation timed out after 60s"],
            [3, "Running", "running", T0, T0, None, 1, 0, 0, 0, 0, None],
            [4, "Queued", "pending", T0, None, None, 0, 0, 0, 0, 0, None],
        ],
    )
    con.executemany(
        "INSERT INTO generated_images (id, execution_id, qc_status, created_at) "
        "VALUES (?, ?, ?, ?)",
        [
            [i, job, qc, T0]
            for i, (job, qc) in enumerate(
                [
                    (1, "approved"),
                    (1, "needs_review"),
                    (1, "needs_review"),
                    (1, "qc_failed"),
                    (3, "pending"),
                ],
                start=1,
            )
        ],
    )
    con.close()


def test_migrations_back_fill_a_version_1_file(tmp_path):
    path = tmp_path / "old.duckdb"
    write_version_1(path)
    store = JobStore(path)
    try:
        assert store.applied_migrations() == [v for v, _, _ in MIGRATIONS]
        assert derived(store, 1) == ("hero banners", "(no error message)", 90_000, 0, 2)
        assert derived(store, 2) == (None, "Generation timed out after <n>s", 90_000, 0, 0)
        assert derived(store, 3)[2:] == (None, 1, 0)
        assert derived(store, 4)[2] is None
        assert (
            store.sql("SELECT run_at FROM job_executions ORDER BY id").run_at.tolist() == [T0] * 4
        )
        assert (
            store.sql("SELECT error_key FROM job_executions WHERE id = 2").error_key[0]
            == "generation timed out after 60s"
        )
        assert stale(store) == []
    finally:
        store.close()
    reopened = JobStore(path)
    try:
        assert reopened.migrate() == [] and reopened.applied_migrations() == [
            v for v, _, _ in MIGRATIONS
        ]
    finally:
        reopened.close()


def test_every_service_write_keeps_them(service):
    config = service.add_configuration("Banners", {"count": 2})
    job_id = service.start(config, label="First Try")["id"]
    assert derived(service.store, job_id) == ("first try", "(no error message)", None, 0, 0)
    service.rename(job_id, "Hero SHOT")
    assert derived(service.store, job_id)[0] == "hero shot"
    assert service.claim_next()["id"] == job_id
    for status in ("approved", "needs_review", "pending"):
        service.record(
            job_id, image={"qc_status": status, "prompt": "p"}, counts={"total_images": 1}
        )
    assert derived(service.store, job_id)[2:] == (None, 1, 1)
    service.finish(job_id, "failed", message="boom", error_message="Out of credits: 0 left")
    label_key, signature, duration_ms, *_ = derived(service.store, job_id)
    assert (label_key, signature) == ("hero shot", "Out of credits: <n> left")
    assert duration_ms is not None and duration_ms >= 0

    cancelled = service.start(config)["id"]
    service.cancel(cancelled)
    interrupted = service.start(config)["id"]
    assert service.claim_next()["id"] == interrupted
    assert service.recover_interrupted() == [interrupted]
    assert derived(service.store, interrupted)[2] is not None
    assert derived(service.store, cancelled)[1] == "cancelled before it started"
    assert stale(service.store) == []


def test_a_gif_import_fills_them(service, tmp_path):
    source = tmp_path / "gif.db"
    con = sqlite3.connect(source)
    con.executescript(GIF_SCHEMA)
    con.execute(
        "INSERT INTO job_configurations VALUES (1, 'default', ?, '2026-01-01', NULL)",
        [json.dumps({"parameters": {"label": "Cats"}})],
    )
    con.execute(
        "INSERT INTO job_executions VALUES (1, 1, '2026-01-01 10:00:00', "
        "'2026-01-01 10:02:00', 'failed', 2, 1, 1, 'Job 7 timed out', 'Cats', NULL)"
    )
    for image_id, qc in ((1, "approved"), (2, "failed")):
        con.execute(
            "INSERT INTO generated_images VALUES (?, ?, 1, 'a cat', NULL, ?, NULL, "
            "NULL, NULL, '{}', NULL, '2026-01-01 10:01:00')",
            [image_id, f"m{image_id}", qc],
        )
    con.commit()
    con.close()
    (job_id,) = import_gif(service, source).job_ids
    assert derived(service.store, job_id)[:3] == ("cats", "Job <n> timed out", 120_000)
    assert stale(service.store) == []


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """A 400-job demo history from the bulk loader."""
    path = tmp_path_factory.mktemp("derived") / "jobs.duckdb"
    build_demo(path, jobs=400, seed=11, images_on_disk=0, now=NOW)
    service = jobdash.open(path, runner=False)
    yield service
    service.close()


def test_the_demo_load_fills_them(demo):
    assert stale(demo.store) == []
    counts = demo.store.sql(
        "SELECT sum(pending_images) AS p, sum(needs_review_images) AS r, "
        "count(duration_ms) AS d FROM job_executions"
    ).iloc[0]
    assert counts.p > 0 and counts.r > 0 and counts.d > 0


@pytest.mark.parametrize("qc_status", QC_STATUSES)
def test_the_image_qc_filter_finds_the_jobs_with_such_an_image(demo, qc_status):
    where_sql, params = listing.where(JobQuery(image_qc=qc_status))
    got = demo.store.sql(
        f"SELECT j.id FROM job_executions j WHERE {where_sql} ORDER BY j.id", params
    ).id.tolist()
    expected = demo.store.sql(
        "SELECT DISTINCT execution_id AS id FROM generated_images WHERE qc_status = ? ORDER BY id",
        [qc_status],
    ).id.tolist()
    assert got == expected and got


def test_the_error_signature_filter_finds_the_jobs_with_that_signature(demo):
    signatures = demo.store.sql(
        f"SELECT {ERROR_SIGNATURE} AS s, count(*) AS n "
        "FROM job_executions j GROUP BY s ORDER BY n DESC, s"
    ).s.tolist()
    assert len(signatures) > 3
    for signature in signatures[:4]:
        where_sql, params = listing.where(JobQuery(error_signature=signature))
        got = demo.store.sql(
            f"SELECT j.id FROM job_executions j WHERE {where_sql} ORDER BY j.id", params
        ).id.tolist()
        expected = demo.store.sql(
            f"SELECT j.id FROM job_executions j WHERE {ERROR_SIGNATURE} = ? ORDER BY j.id",
            [signature],
        ).id.tolist()
        assert got == expected and got
