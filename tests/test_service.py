"""JobService: every contract method, its validation and error paths."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from factories import T0, add_config, add_job

import jobdash
from jobdash import Conflict, JobQuery, NotFound, ValidationError
from jobdash.store import utcnow


@pytest.fixture
def history(service):
    """Ten jobs over two configurations with known labels, statuses, dates and errors."""
    hero = add_config(service, "Hero banners")
    pets = add_config(service, "Pet portraits")
    spec = [
        ("completed", "Autumn lake", hero, 0, 120, None),
        ("completed", "100% cotton_shirts", hero, 1, 60, None),
        ("failed", "Night city", pets, 2, 30, "Generation timed out after 60s"),
        ("failed", "O'Brien \\ backslash", pets, 3, 10, "HTTP 429 rate limit"),
        ("stopped", "Stopped one", hero, 4, 5, None),
        ("completed", "<img src=x onerror=alert(1)>", pets, 5, 600, None),
        ("completed", "Beach", hero, 6, 7200, None),
        ("running", "Now running", hero, 7, None, None),
        ("pending", "Queued A", hero, 8, None, None),
        ("pending", "Queued B", pets, 9, None, None),
    ]
    ids = {}
    for status, label, config, day, duration, error in spec:
        images = (
            [{"qc_status": "approved"}, {"qc_status": "qc_failed", "qc_reason": "blurry"}]
            if status == "completed"
            else []
        )
        ids[label] = add_job(
            service,
            status=status,
            label=label,
            config_id=config,
            started_at=T0 + dt.timedelta(days=day),
            duration_s=duration,
            error_message=error,
            images=images,
        )
    return {"svc": service, "ids": ids, "hero": hero, "pets": pets}


def labels(page) -> list[str]:
    return page.rows["label"].tolist()


def test_get_all_pages_in_sql(history):
    svc = history["svc"]
    page = svc.get_all(JobQuery(page_size=25))
    assert (page.total, page.page, page.page_size, page.pages) == (10, 1, 25, 1)
    # newest first by default; pending jobs have no start and sort by their queue time
    assert labels(page)[0] == "Queued B"
    assert page.rows["job_id"].iloc[0].startswith("JOB-")
    for column in (
        "job_id",
        "label",
        "status",
        "configuration_name",
        "started_at",
        "duration_s",
        "total_images",
        "failed_images",
        "progress",
    ):
        assert column in page.rows.columns


def test_pages_do_not_overlap_and_cover_everything(service):
    for i in range(60):
        add_job(service, label=f"j{i}", started_at=T0 + dt.timedelta(minutes=i))
    seen = []
    for n in (1, 2, 3):
        page = service.get_all(JobQuery(page=n, page_size=25, sort="id", descending=False))
        seen += page.rows["id"].tolist()
        assert page.pages == 3
    assert seen == list(range(1, 61))
    assert service.get_all(JobQuery(page=9)).rows.empty


@pytest.mark.parametrize("sort", ["id", "label", "status", "started_at", "duration", "images"])
def test_every_sort_key_both_ways(history, sort):
    svc = history["svc"]
    asc = svc.get_all(JobQuery(sort=sort, descending=False)).rows
    desc = svc.get_all(JobQuery(sort=sort, descending=True)).rows
    column = {
        "id": "id",
        "label": "label",
        "status": "status",
        "started_at": "started_at",
        "duration": "duration_s",
        "images": "total_images",
    }[sort]
    values = asc[column].dropna().tolist()
    if sort == "label":
        values = [v.lower() for v in values]
    assert values == sorted(values)
    assert set(asc["id"]) == set(desc["id"])
    assert asc["id"].tolist() != desc["id"].tolist()


def test_duration_of_a_running_job_counts_up_to_now(history):
    svc = history["svc"]
    row = svc.get_all(JobQuery(statuses=["running"])).rows.iloc[0]
    expected = (utcnow() - row["started_at"]).total_seconds()
    assert abs(row["duration_s"] - expected) < 5


def test_status_date_and_configuration_filters_combine(history):
    svc, hero = history["svc"], history["hero"]
    q = JobQuery(
        statuses=["completed", "stopped"],
        configuration_ids=[hero],
        date_from=(T0 + dt.timedelta(days=1)).date(),
        date_to=(T0 + dt.timedelta(days=6)).date(),
    )
    assert sorted(labels(svc.get_all(q))) == ["100% cotton_shirts", "Beach", "Stopped one"]


def test_start_date_alone_means_until_now(history):
    svc = history["svc"]
    q = JobQuery(date_from=(T0 + dt.timedelta(days=7)).date())
    assert sorted(labels(svc.get_all(q))) == ["Now running", "Queued A", "Queued B"]
    q = JobQuery(date_to=T0.date())
    assert labels(svc.get_all(q)) == ["Autumn lake"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("autumn", ["Autumn lake"]),
        ("AUTUMN LAKE", ["Autumn lake"]),
        ("100%", ["100% cotton_shirts"]),
        ("%", ["100% cotton_shirts"]),
        ("_", ["100% cotton_shirts"]),
        ("o'brien", ["O'Brien \\ backslash"]),
        ("\\", ["O'Brien \\ backslash"]),
        ("timed out", ["Night city"]),
        ("pet portraits", None),  # configuration name: every Pet portraits job
        ("<img", ["<img src=x onerror=alert(1)>"]),
        ("' OR 1=1 --", []),
        ("'; DROP TABLE job_executions; --", []),
    ],
)
def test_search_is_literal_and_case_insensitive(history, text, expected):
    svc = history["svc"]
    found = sorted(labels(svc.get_all(JobQuery(search=text))))
    if expected is None:
        expected = sorted(svc.get_all(JobQuery(configuration_ids=[history["pets"]])).rows["label"])
    assert found == sorted(expected)
    assert svc.statistics().total == 10  # nothing was harmed


@pytest.mark.parametrize("form", ["{n}", "JOB-{n:06d}", "job-{n}", "  Job-{n:06d} "])
def test_search_by_job_id_in_any_form(history, form):
    svc = history["svc"]
    job_id = history["ids"]["Beach"]
    assert "Beach" in labels(svc.get_all(JobQuery(search=form.format(n=job_id))))


def test_image_qc_filter(history):
    svc = history["svc"]
    assert svc.get_all(JobQuery(image_qc="qc_failed")).total == 4
    assert svc.get_all(JobQuery(image_qc="processing_failed")).total == 0


def test_statistics(history):
    svc = history["svc"]
    s = svc.statistics()
    assert s.total == 10
    assert s.by_status == {"pending": 2, "running": 1, "completed": 4, "failed": 2, "stopped": 1}
    assert s.running == 1 and s.pending == 2
    assert s.success_rate == pytest.approx(4 / 7) and s.failure_rate == pytest.approx(2 / 7)
    assert s.avg_duration_s == pytest.approx((120 + 60 + 30 + 10 + 5 + 600 + 7200) / 7)
    assert (s.images_total, s.images_approved, s.images_qc_failed, s.images_processing_failed) == (
        8,
        4,
        4,
        0,
    )
    assert set(s.trend) == {"last_7d", "previous_7d", "change"}
    filtered = svc.statistics(JobQuery(statuses=["failed"]))
    assert filtered.total == 2 and filtered.by_status["failed"] == 2


def test_statistics_trend_compares_two_weeks(service):
    now = utcnow()
    for days in (1, 2, 3, 9):
        add_job(service, started_at=now - dt.timedelta(days=days))
    t = service.statistics().trend
    assert t == {"last_7d": 3, "previous_7d": 1, "change": 2.0}


def test_get_by_id(history):
    svc = history["svc"]
    job_id = history["ids"]["Autumn lake"]
    detail = svc.get_by_id(job_id)
    assert detail.job["label"] == "Autumn lake" and detail.job["job_id"] == f"JOB-{job_id:06d}"
    assert detail.configuration["name"] == "Hero banners"
    assert len(detail.images) == 2
    with pytest.raises(NotFound, match="JOB-009999"):
        svc.get_by_id(9999)
    with pytest.raises(ValidationError):
        svc.get_by_id("../etc/passwd")


def test_rename_trims_and_validates(history):
    svc = history["svc"]
    job_id = history["ids"]["Beach"]
    assert svc.rename(job_id, "  Sunny beach  ")["label"] == "Sunny beach"
    assert svc.rename(f"JOB-{job_id:06d}", "x" * 200)["label"] == "x" * 200
    hostile = "<script>alert(1)</script> '; DROP TABLE job_executions; --"
    assert svc.rename(job_id, hostile)["label"] == hostile
    for bad in ("", "   ", "x" * 201, "tab\there", "new\nline", "\x00", None, 42):
        with pytest.raises(ValidationError, match="label"):
            svc.rename(job_id, bad)
    assert svc.get_by_id(job_id).job["label"] == hostile
    with pytest.raises(NotFound):
        svc.rename(9999, "ghost")


def test_bulk_rerun_queues_in_order_with_the_snapshot(service):
    config = add_config(service, "Cfg", width=64)
    a = add_job(service, status="failed", label="A", config_id=config, snapshot={"width": 32})
    b = add_job(
        service, status="failed", label="B (Rerun)", config_id=config, snapshot={"width": 16}
    )
    service.add_configuration("Cfg", {"width": 999})  # a newer version must not leak in
    new = service.bulk_rerun([b, a])
    assert new["label"].tolist() == ["B (Rerun)", "A (Rerun)"]
    assert new["rerun_of"].tolist() == [b, a]
    assert (new["status"] == "pending").all()
    assert service.queue() == new["id"].tolist()
    assert service.get_by_id(int(new["id"].iloc[0])).snapshot == {"width": 16}
    assert service.get_by_id(int(new["id"].iloc[1])).snapshot == {"width": 32}


def test_bulk_rerun_refuses_unknown_ids_and_queues_nothing(history):
    svc = history["svc"]
    before = svc.queue()
    with pytest.raises(NotFound, match="JOB-000404"):
        svc.bulk_rerun([history["ids"]["Beach"], 404])
    assert svc.queue() == before


def test_bulk_rerun_by_query(history):
    svc = history["svc"]
    new = svc.bulk_rerun(JobQuery(statuses=["failed"]))
    assert sorted(new["rerun_of"]) == sorted(
        [history["ids"]["Night city"], history["ids"]["O'Brien \\ backslash"]]
    )


def _image_files(svc, tmp_path, job_id):
    root = svc.settings.image_root
    (root / str(job_id) / "thumbs").mkdir(parents=True, exist_ok=True)
    rel = f"{job_id}/img_0001.png"
    (root / rel).write_bytes(b"png")
    (root / f"{job_id}/thumbs/img_0001.webp").write_bytes(b"webp")
    return rel


def test_bulk_delete_removes_rows_events_and_files(service, tmp_path):
    keep = add_job(service, label="keep")
    doomed = add_job(service, label="doomed")
    rel = _image_files(service, tmp_path, doomed)
    keep_rel = _image_files(service, tmp_path, keep)
    with service.store.transaction() as cur:
        service.store.add_image(
            cur,
            doomed,
            qc_status="approved",
            file_path=rel,
            thumbnail_path=f"{doomed}/thumbs/img_0001.webp",
        )
        service.store.add_image(cur, keep, qc_status="approved", file_path=keep_rel)
        service.store.add_event(cur, doomed, level="info", message="hello")
    outside = tmp_path / "outside.png"
    outside.write_bytes(b"precious")
    with service.store.transaction() as cur:  # hostile paths: outside and climbing out
        service.store.add_image(cur, doomed, qc_status="approved", file_path=str(outside))
        service.store.add_image(
            cur, doomed, qc_status="approved", file_path=f"{doomed}/../../outside.png"
        )
    link = service.settings.image_root / "link.png"
    link.symlink_to(outside)
    with service.store.transaction() as cur:
        service.store.add_image(cur, doomed, qc_status="approved", file_path="link.png")

    result = service.bulk_delete([doomed, 777])
    assert result == {doomed: "deleted", 777: "not_found"}
    counts = service.store.sql(
        "SELECT (SELECT count(*) FROM job_executions WHERE id = ?) AS jobs, "
        "(SELECT count(*) FROM generated_images WHERE execution_id = ?) AS images, "
        "(SELECT count(*) FROM job_events WHERE execution_id = ?) AS events",
        [doomed] * 3,
    )
    assert counts.iloc[0].tolist() == [0, 0, 0]
    root = service.settings.image_root
    service.trash.wait()  # files are removed in the background, after the commit
    assert not (root / rel).exists() and not (root / str(doomed)).exists()
    assert not list(service.store.path.parent.glob("*.deleting"))  # journal done
    assert outside.read_bytes() == b"precious" and link.is_symlink()
    assert (root / keep_rel).exists()
    assert service.get_by_id(keep).job["label"] == "keep"
    assert len(service.get_by_id(keep).images) == 1


def test_deletions_a_stopped_process_left_are_finished_on_open(tmp_path):
    db = tmp_path / "jobs.duckdb"
    with jobdash.open(db, runner=False) as svc:
        root = svc.settings.image_root
    doomed, keep = root / "7" / "img.png", root / "8" / "img.png"
    for path in (doomed, keep):
        path.parent.mkdir(parents=True)
        path.write_bytes(b"png")
    journals = tmp_path / "jobs.duckdb.deleting"
    journals.mkdir()  # what bulk_delete writes before its background removal starts
    (journals / "0123abcd.paths").write_bytes(b"7/img.png\0../../etc/passwd")
    with jobdash.open(db, runner=False) as svc:
        svc.trash.wait()
    assert not doomed.parent.exists() and keep.read_bytes() == b"png"
    assert not journals.exists()


def test_bulk_delete_refuses_running_jobs_and_deletes_nothing(history):
    svc = history["svc"]
    ids = [history["ids"]["Beach"], history["ids"]["Now running"]]
    with pytest.raises(Conflict, match=f"JOB-{ids[1]:06d}"):
        svc.bulk_delete(ids)
    assert svc.statistics().total == 10


def test_bulk_delete_by_query(history):
    svc = history["svc"]
    result = svc.bulk_delete(JobQuery(statuses=["failed"]))
    assert len(result) == 2 and set(result.values()) == {"deleted"}
    assert svc.statistics().by_status["failed"] == 0 and svc.statistics().total == 8


@pytest.mark.parametrize("bad", ["1,2", 5, None, {"ids": [1]}, [True], ["nope"], [-1]])
def test_bulk_operations_validate_ids(history, bad):
    with pytest.raises(ValidationError):
        history["svc"].bulk_delete(bad)
    assert history["svc"].statistics().total == 10


def test_change_feed(history):
    svc = history["svc"]
    v0 = svc.version
    assert svc.changes_since(v0) == []
    svc.rename(history["ids"]["Beach"], "Renamed")
    svc.bulk_rerun([history["ids"]["Beach"]])
    svc.bulk_delete([history["ids"]["Autumn lake"]])
    kinds = [c.kind for c in svc.changes_since(v0)]
    assert kinds == ["renamed", "created", "deleted"]
    assert svc.version == v0 + 3
    assert [c.kind for c in svc.changes_since(v0 + 2)] == ["deleted"]


def test_change_feed_signals_a_resync_when_history_was_dropped():
    from jobdash.events import ChangeFeed

    feed = ChangeFeed(maxlen=3)
    for i in range(5):
        feed.publish("status-update", i)
    changes = feed.since(0)
    assert changes[0].kind == "resync" and [c.seq for c in changes[1:]] == [3, 4, 5]


def test_cancel_and_stop_of_a_pending_job(history):
    svc = history["svc"]
    queued = history["ids"]["Queued A"]
    svc.cancel(queued)
    assert svc.get_by_id(queued).job["status"] == "stopped"
    assert queued not in svc.queue()
    with pytest.raises(Conflict):
        svc.cancel(history["ids"]["Beach"])
    with pytest.raises(Conflict, match="not running"):
        svc.stop(history["ids"]["Beach"])


def test_start_queues_the_current_settings(service):
    config = add_config(service, "Cfg", width=64)
    job = service.start("Cfg", label="first")
    assert job["status"] == "pending" and job["label"] == "first"
    assert service.get_by_id(job["id"]).snapshot["width"] == 64
    with pytest.raises(NotFound, match="Cfg"):
        service.start("missing")
    assert service.start(config)["label"] == "Cfg"


def test_presets_round_trip(history):
    svc = history["svc"]
    q = JobQuery(statuses=["failed"], search="city", sort="id", page=3)
    svc.save_preset("Failed city", q)
    assert [p["name"] for p in svc.presets()] == ["Failed city"]
    applied = svc.apply_preset("Failed city", base=JobQuery(page_size=100))
    assert applied.statuses == ["failed"] and applied.search == "city"
    assert applied.page == 1 and applied.page_size == 100
    assert labels(svc.get_all(applied)) == ["Night city"]
    svc.delete_preset("Failed city")
    assert svc.presets() == []
    with pytest.raises(NotFound):
        svc.apply_preset("Failed city")
    with pytest.raises(ValidationError):
        svc.save_preset("", q)


def test_job_statuses_names_the_jobs_that_exist(service):
    done, waiting = add_job(service, status="failed"), add_job(service, status="pending")
    assert service.job_statuses([done, f"JOB-{waiting:06d}", 10**6]) == {
        done: "failed",
        waiting: "pending",
    }
    assert service.job_statuses([]) == {}
    with pytest.raises(ValidationError):
        service.job_statuses(["not an id"])


def test_open_uses_jobdash_db(tmp_path, monkeypatch):
    path = tmp_path / "env.duckdb"
    monkeypatch.setenv("JOBDASH_DB", str(path))
    svc = jobdash.open(runner=False)
    try:
        assert svc.store.path == path and path.exists()
    finally:
        svc.close()
    assert os.environ["JOBDASH_DB"] == str(path)


def test_sql_reads_the_history_and_refuses_writes(history):
    svc = history["svc"]
    before = svc.sql("SELECT count(*) AS n FROM job_executions")["n"][0]
    assert before > 0
    with pytest.raises(ValidationError, match="SELECT"):
        svc.sql("DELETE FROM job_executions")
    assert svc.sql("SELECT count(*) AS n FROM job_executions WHERE id > ?", [0])["n"][0] == before
