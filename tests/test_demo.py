"""The demo history: deterministic per seed, a realistic mix, consistent counters, real files."""

from __future__ import annotations

import datetime as dt
import shutil
import time

import pandas as pd
import pytest
from PIL import Image

import jobdash
from jobdash import Conflict, ValidationError
from jobdash.config import Settings
from jobdash.demo import build_demo
from jobdash.service import JobService
from jobdash.store import JobStore

NOW = dt.datetime(2026, 11, 28, 12, 0, 0)
JOBS, ON_DISK = 300, 4
TABLES = ("configurations", "job_executions", "generated_images", "job_events")


def _build(folder, seed=7):
    path = folder / "jobs.duckdb"
    counts = build_demo(path, jobs=JOBS, seed=seed, images_on_disk=ON_DISK, now=NOW)
    return path, counts


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """A 300-job demo history (seed 7) with files for the newest four jobs."""
    return _build(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="module")
def svc(demo):
    """The history as the demo wrote it: a service over its store, not jobdash.open."""
    service = JobService(JobStore(demo[0]), Settings.for_database(demo[0]))
    yield service
    service.close()


def _table(path, table):
    store = JobStore(path)
    try:
        return store.sql(f"SELECT * FROM {table} ORDER BY id")
    finally:
        store.close()


def test_counts_returned_match_the_tables(demo, svc):
    _, counts = demo
    sql = svc.store.sql
    assert counts["jobs"] == JOBS == int(sql("SELECT count(*) AS n FROM job_executions").n[0])
    assert counts["images"] == int(sql("SELECT count(*) AS n FROM generated_images").n[0])
    assert counts["events"] == int(sql("SELECT count(*) AS n FROM job_events").n[0])
    assert counts["configurations"] == len(svc.configurations()) >= 12
    assert counts["image_files"] == int(
        sql("SELECT count(*) AS n FROM generated_images WHERE file_path IS NOT NULL").n[0]
    )


def test_same_seed_gives_identical_tables_and_another_seed_differs(demo, tmp_path):
    again, _ = _build(tmp_path / "again")
    other, _ = _build(tmp_path / "other", seed=8)
    for table in TABLES:
        pd.testing.assert_frame_equal(_table(demo[0], table), _table(again, table))
    jobs, other_jobs = _table(demo[0], "job_executions"), _table(other, "job_executions")
    assert (jobs.status != other_jobs.status).any()
    assert (jobs.label.fillna("") != other_jobs.label.fillna("")).any()


def test_status_mix_like_a_real_factory(svc):
    stats = svc.statistics()
    assert stats.by_status.get("running", 0) == 0  # the first open would fail it
    assert 1 <= stats.by_status["pending"] <= 6
    assert stats.by_status["completed"] > 0.6 * JOBS
    assert stats.by_status["failed"] > 0 and stats.by_status["stopped"] > 0
    jobs = svc.store.sql(
        "SELECT id, status, queued_at, started_at, completed_at FROM job_executions ORDER BY id"
    )
    pending = jobs[jobs.status == "pending"]
    finished = jobs[jobs.status.isin(["completed", "failed", "stopped"])]
    assert len(finished) + len(pending) == JOBS
    assert pending.id.min() > finished.id.max()  # queued last, behind every finished job
    assert (pending.queued_at > finished.completed_at.max()).all()
    assert pending.started_at.isna().all() and pending.completed_at.isna().all()
    assert (finished.completed_at <= NOW).all()
    assert (finished.started_at >= finished.queued_at).all()
    assert jobs.queued_at.min() < NOW - dt.timedelta(days=100)  # about four months back
    minutes = (finished.completed_at - finished.started_at).dt.total_seconds() / 60
    assert minutes.min() > 0 and minutes.median() < 30 and minutes.max() > 30  # heavy tail


def test_failures_carry_a_message_and_step_from_the_taxonomy(svc):
    failed = svc.store.sql(
        "SELECT error_message, error_step FROM job_executions WHERE status = 'failed'"
    )
    assert failed.error_message.notna().all() and failed.error_step.notna().all()
    assert set(failed.error_step) <= {
        "initialise",
        "generate",
        "download",
        "remove_bg",
        "trim",
        "enhance",
        "convert",
        "save_final",
        "metadata",
    }
    text = " | ".join(failed.error_message)
    assert "Generation timed out after 60s" in text and "HTTP 429" in text
    assert failed.error_message.nunique() > len(failed) * 0.9  # ids, numbers and URLs vary
    stopped = svc.store.sql("SELECT error_message FROM job_executions WHERE status = 'stopped'")
    assert stopped.error_message.str.startswith("Stopped by the user").all()


def test_reruns_point_back_to_an_earlier_failed_or_stopped_job(svc):
    reruns = svc.store.sql("""
        SELECT r.id, r.label, r.status, r.configuration_id, p.id AS parent, p.label AS parent_label,
               p.status AS parent_status, p.configuration_id AS parent_config
        FROM job_executions r JOIN job_executions p ON p.id = r.rerun_of""")
    assert len(reruns) >= 5
    assert (reruns.parent < reruns.id).all()
    assert reruns.parent_status.isin(["failed", "stopped"]).all()
    assert (reruns.configuration_id == reruns.parent_config).all()
    expected = reruns.parent_label.fillna(reruns.parent.map("JOB-{:06d}".format)) + " (Rerun)"
    assert (reruns.label == expected).all()
    pending = svc.store.sql("SELECT rerun_of FROM job_executions WHERE status = 'pending'")
    assert pending.rerun_of.notna().all() and pending.rerun_of.is_unique


def test_counters_agree_with_the_image_rows(svc):
    bad = svc.store.sql("""
        SELECT j.id FROM job_executions j LEFT JOIN (
            SELECT execution_id, count(*) AS n,
                   count(*) FILTER (qc_status = 'approved') AS approved,
                   count(*) FILTER (qc_status = 'qc_failed') AS qc_failed,
                   count(*) FILTER (qc_status = 'processing_failed') AS processing_failed
            FROM generated_images GROUP BY execution_id) i ON i.execution_id = j.id
        WHERE j.total_images <> coalesce(i.n, 0)
           OR j.approved_images <> coalesce(i.approved, 0)
           OR j.qc_failed_images <> coalesce(i.qc_failed, 0)
           OR j.failed_images - j.qc_failed_images <> coalesce(i.processing_failed, 0)
           OR j.successful_images + j.failed_images <> j.total_images""")
    assert bad.empty
    images = svc.store.sql("SELECT qc_status, qc_reason FROM generated_images")
    assert set(images.qc_status) == {
        "approved",
        "needs_review",
        "qc_failed",
        "processing_failed",
        "pending",
    }
    failed = images[images.qc_status == "processing_failed"].qc_reason
    assert failed.str.match(r"^processing_failed:[a-z_]+$").all()
    rejected = images[images.qc_status.isin(["qc_failed", "needs_review"])].qc_reason
    assert rejected.notna().all() and rejected.nunique() > 10
    stats = svc.statistics()
    assert stats.images_total == len(images)
    assert stats.images_processing_failed == len(failed)


def test_every_job_has_a_timeline_inside_its_run(svc):
    outside = svc.store.sql(
        """
        SELECT e.id FROM job_events e JOIN job_executions j ON j.id = e.execution_id
        WHERE e."at" < j.queued_at OR e."at" > coalesce(j.completed_at, ?::TIMESTAMP)""",
        [NOW],
    )
    assert outside.empty
    per_job = svc.store.sql("""
        SELECT j.status, count(e.id) AS n, bool_and(e.step IS NOT NULL) AS steps,
               count(*) FILTER (e.level = 'error') AS errors
        FROM job_executions j LEFT JOIN job_events e ON e.execution_id = j.id
        GROUP BY j.id, j.status""")
    assert (per_job.n >= 1).all() and per_job.steps.all()
    assert (per_job[per_job.status == "completed"].n >= 7).all()
    assert (per_job[per_job.status == "failed"].errors >= 1).all()
    job_id = int(
        svc.store.sql("SELECT max(id) AS id FROM job_executions WHERE status = 'completed'").id[0]
    )
    events = svc.get_by_id(job_id).events
    assert events["at"].is_monotonic_increasing
    assert list(events.step[:3]) == ["queue", "runner", "initialise"]
    assert {"generate", "process", "metadata", "qc", "finalise"} <= set(events.step)


def test_newest_jobs_have_real_image_files_and_thumbnails(demo, svc):
    root = Settings.for_database(demo[0]).image_root
    rows = svc.store.sql(
        "SELECT execution_id, file_path, thumbnail_path, width, height, "
        "qc_status FROM generated_images WHERE file_path IS NOT NULL"
    )
    newest = svc.store.sql(
        "SELECT id, total_images FROM job_executions "
        "WHERE status <> 'pending' ORDER BY id DESC LIMIT ?",
        [ON_DISK],
    )
    assert set(newest[newest.total_images > 0].id) == set(rows.execution_id)
    for row in rows.itertuples():
        assert not row.file_path.startswith("/")
        assert row.file_path.startswith(f"{row.execution_id}/")
        with Image.open(root / row.file_path) as image:
            image.load()
            assert image.size == (row.width, row.height) and max(image.size) <= 256
        with Image.open(root / row.thumbnail_path) as thumb:
            thumb.load()
        assert ("/approved/" in row.file_path) == (row.qc_status == "approved")
    assert svc.store.sql(
        "SELECT id FROM generated_images WHERE file_path IS NULL "
        "AND execution_id IN (SELECT unnest(?::BIGINT[])) "
        "AND qc_status <> 'processing_failed'",
        [list(newest.id)],
    ).empty


def test_new_jobs_get_ids_after_the_demo(demo, tmp_path):
    path = tmp_path / "jobs.duckdb"
    shutil.copy(demo[0], path)
    with jobdash.open(path, runner=False) as service:
        job = service.start("Hero banners")
        assert job["id"] == JOBS + 1
        assert len(service.get_by_id(job["id"]).events) == 1


def test_refuses_a_history_that_holds_jobs_and_changes_nothing(demo, tmp_path):
    path = tmp_path / "jobs.duckdb"
    shutil.copy(demo[0], path)
    with pytest.raises(Conflict, match="already holds 300 jobs"):
        build_demo(path, jobs=10, images_on_disk=2, now=NOW)
    pd.testing.assert_frame_equal(_table(path, "job_executions"), _table(demo[0], "job_executions"))
    assert not (tmp_path / "images").exists()


def test_a_failed_build_writes_nothing(tmp_path):
    path = tmp_path / "jobs.duckdb"
    (tmp_path / "images").write_text("a file where the image folder should be")
    with pytest.raises(Exception, match="images"):
        build_demo(path, jobs=50, images_on_disk=2, now=NOW)
    with jobdash.open(path, runner=False) as service:
        assert service.statistics().total == 0 and service.configurations().empty


@pytest.mark.parametrize(
    "field, value", [("jobs", 0), ("jobs", "ten"), ("seed", -1), ("images_on_disk", -5)]
)
def test_bad_arguments_are_refused(tmp_path, field, value):
    with pytest.raises(ValidationError, match=field):
        build_demo(tmp_path / "jobs.duckdb", **{field: value})
    assert not (tmp_path / "jobs.duckdb").exists()


def test_a_first_open_fails_nothing_and_runs_the_queued_reruns(tmp_path):
    """What a fresh ``make serve`` does to the demo: no job is marked interrupted (the demo
    leaves none running), and the runner completes the reruns the demo queued."""
    path = tmp_path / "jobs.duckdb"
    build_demo(path, jobs=40, images_on_disk=0, now=NOW)
    before = _table(path, "job_executions").set_index("id").status
    queued = before[before == "pending"].index
    service = jobdash.open(path, remote=False)
    try:
        stats = service.statistics()
        assert stats.by_status.get("failed", 0) == (before == "failed").sum()
        deadline = time.monotonic() + 120
        while service.statistics().by_status.get("completed", 0) < (
            (before == "completed").sum() + len(queued)
        ):
            assert time.monotonic() < deadline, service.statistics().by_status
            time.sleep(0.2)
        after = service.store.sql("SELECT id, status, error_message FROM job_executions")
    finally:
        service.close()
    after = after.set_index("id")
    assert (after.status[queued] == "completed").all()
    finished = before.index.difference(queued)
    assert (after.status[finished] == before[finished]).all()
    assert not after.error_message.fillna("").str.contains("interrupted").any()
