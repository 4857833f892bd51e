"""The queue: strict order, one job at a time, reruns with the as-run settings, stop, cancel,
shutdown and restart, and opening without a runner."""

from __future__ import annotations

import itertools

import pytest
from factories import add_config, add_job
from runner_util import finished, running, settings, wait_until

import jobdash
from jobdash import Conflict, ValidationError
from jobdash.runner import Runner, run_job

SLOW = {"delay_s": 0.05}


def test_jobs_run_one_at_a_time_in_queue_order(tmp_path):
    db = tmp_path / "jobs.duckdb"
    with jobdash.open(db, runner=False) as svc:
        svc.add_configuration("A", settings(count=1, generator=SLOW))
        first = [svc.start("A", label=f"job {i}")["id"] for i in range(3)]
        assert svc.queue() == first
    # The queue is the pending rows: it survived closing, and a new runner works through it,
    # including jobs queued (reruns in the given order) while it is busy.
    with running(db) as svc:
        reruns = list(svc.bulk_rerun([first[2], first[0]])["id"])
        order = first + reruns
        jobs = [finished(svc, i) for i in order]
        assert svc.queue() == []

    assert [j["status"] for j in jobs] == ["completed"] * 5
    assert [j["rerun_of"] for j in jobs[3:]] == [first[2], first[0]]
    for before, after in itertools.pairwise(jobs):
        assert before["completed_at"] <= after["started_at"]  # never two at once, in order


def test_a_rerun_runs_with_its_snapshot_not_the_current_settings(tmp_path):
    as_run = settings(width=64, height=64, generator={"fault_rate": 1.0, "faults": ["error"]})
    with running(tmp_path / "jobs.duckdb") as svc:
        svc.add_configuration("Hero", as_run)
        failed = run_job(svc, "Hero", timeout=30)
        # The configuration is fixed since: a new version, bigger and without faults.
        svc.add_configuration("Hero", settings(width=96, height=96))
        rerun = finished(svc, int(svc.bulk_rerun([failed["id"]])["id"][0]))
        rerun_snapshot = svc.get_by_id(rerun["id"]).snapshot
        fresh = run_job(svc, "Hero", timeout=30)

        # A job whose as-run settings differ from its configuration row (edited by hand).
        config = add_config(svc, "Banner", width=96, height=96)
        old = add_job(
            svc,
            status="failed",
            config_id=config,
            snapshot=settings(width=80, height=48, count=1, variations=1),
        )
        rerun_old = finished(svc, int(svc.bulk_rerun([old])["id"][0]))
        old_images = svc.get_by_id(rerun_old["id"]).images

    assert failed["status"] == "failed"
    assert rerun_snapshot == as_run
    assert (rerun["status"], rerun["error_step"]) == ("failed", "generate")
    assert rerun["label"] == "Hero (Rerun)"
    assert fresh["status"] == "completed"  # a new job takes the current version
    assert rerun_old["status"] == "completed"
    assert set(zip(old_images["width"], old_images["height"], strict=True)) == {(80, 48)}


def test_stop_keeps_finished_images_and_says_who(tmp_path):
    with running(tmp_path / "jobs.duckdb") as svc:
        svc.add_configuration("Long", settings(count=40, variations=1, generator=SLOW))
        svc.add_configuration("Next", settings(count=1, variations=1))
        long_id = svc.start("Long")["id"]
        next_id = svc.start("Next")["id"]
        wait_until(lambda: len(svc.get_by_id(long_id).images) >= 2)
        svc.stop(long_id)
        job = finished(svc, long_id)
        detail = svc.get_by_id(long_id)
        after = finished(svc, next_id)
        root = svc.settings.image_root

    assert job["status"] == "stopped"
    assert job["error_message"] == "stopped by user"
    assert 2 <= job["total_images"] < 40 and job["total_images"] == len(detail.images)
    for path in detail.images["file_path"]:
        assert (root / path).is_file()  # kept where they were saved
    messages = list(detail.events["message"])
    assert "Stop requested by user" in messages
    assert messages[-1].startswith("Stopped by user, after ")
    assert after["status"] == "completed"  # the queue carries on


def test_cancel_removes_a_pending_job_and_running_jobs_refuse_it(tmp_path):
    with running(tmp_path / "jobs.duckdb") as svc:
        svc.add_configuration("Long", settings(count=40, variations=1, generator=SLOW))
        svc.add_configuration("Short", settings(count=1, variations=1))
        long_id = svc.start("Long")["id"]
        queued = svc.start("Short")["id"]
        last = svc.start("Short")["id"]
        wait_until(lambda: svc.runner.current_job == long_id)
        svc.cancel(queued)
        with pytest.raises(Conflict, match="not pending"):
            svc.cancel(long_id)
        with pytest.raises(ValidationError, match="reason: cannot be empty"):
            svc.stop(long_id, reason=" ")
        svc.stop(long_id, by="alice", reason="wrong keywords")
        stopped = finished(svc, long_id)
        assert finished(svc, last)["status"] == "completed"
        cancelled = svc.get_by_id(queued)

    assert stopped["status"] == "stopped"
    assert stopped["error_message"] == "stopped by alice: wrong keywords"
    assert cancelled.job["status"] == "stopped" and cancelled.job["started_at"] is None
    assert cancelled.images.empty
    assert list(cancelled.events["step"]) == ["queue", "queue"]  # never picked up


def test_shutdown_stops_the_running_job_and_keeps_the_queue(tmp_path):
    db = tmp_path / "jobs.duckdb"
    with running(db) as svc:
        svc.add_configuration("Long", settings(count=40, variations=1, generator=SLOW))
        svc.add_configuration("Short", settings(count=1, variations=1))
        long_id = svc.start("Long")["id"]
        short_id = svc.start("Short")["id"]
        wait_until(lambda: len(svc.get_by_id(long_id).images) >= 1)
    with running(db) as svc:
        stopped = svc.get_by_id(long_id)
        assert finished(svc, short_id)["status"] == "completed"

    assert stopped.job["status"] == "stopped"
    assert stopped.job["error_message"] == (
        "stopped by shutdown: the process running the queue is shutting down"
    )


def test_without_a_runner_nothing_executes(tmp_path):
    with jobdash.open(tmp_path / "jobs.duckdb", runner=False) as svc:
        svc.add_configuration("A", settings())
        job = svc.start("A")
        with pytest.raises(Conflict, match="runner=False"):
            run_job(svc, "A")
        assert svc.get_by_id(job["id"]).job["status"] == "pending"


def test_the_runner_is_given_to_the_service_once(tmp_path):
    with jobdash.open(tmp_path / "jobs.duckdb") as svc:
        first = svc.runner
        assert svc.has_runner and isinstance(first, Runner) and first.alive
        second = Runner(svc)
        with pytest.raises(Conflict, match="already has a runner"):
            svc.attach_runner(second)
        assert svc.runner is first
        second.shutdown()  # never started: releases its executor
    assert not svc.has_runner and not first.alive  # closing shut the runner down


def test_a_runner_attached_later_runs_the_queue(tmp_path):
    with jobdash.open(tmp_path / "jobs.duckdb", runner=False) as svc:
        svc.add_configuration("A", settings())
        job = svc.start("A")
        assert not svc.has_runner
        runner = Runner(svc)
        svc.attach_runner(runner)
        runner.start()
        assert finished(svc, job["id"])["status"] == "completed"
        assert svc.job_statuses([job["id"]]) == {job["id"]: "completed"}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"executor": "dask"}, "needs a scheduler address"),
        ({"executor": "gpu"}, "'gpu' is not one of thread, dask"),
    ],
)
def test_a_bad_executor_is_refused_and_leaves_the_file_usable(tmp_path, kwargs, message):
    db = tmp_path / "jobs.duckdb"
    with pytest.raises(ValidationError, match=message):
        jobdash.open(db, **kwargs)
    with jobdash.open(db, runner=False) as svc:  # not left locked or half open
        assert svc.queue() == []
