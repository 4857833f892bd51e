"""A runner process killed with SIGKILL mid-job: on restart the job is marked interrupted,
the queue carries on and nothing else is lost."""

from __future__ import annotations

from runner_util import finished, kill_mid_job, running, settings

import jobdash
from jobdash.runner import run_job
from jobdash.service import INTERRUPTED


def snapshot_of(svc: jobdash.JobService, job_id: int) -> tuple:
    """Everything stored about a job, to compare before and after."""
    detail = svc.get_by_id(job_id)
    job = {k: v for k, v in detail.job.items() if k != "duration_s"}
    return job, detail.images.to_dict("records"), detail.events.to_dict("records")


def test_a_killed_runner_leaves_an_interrupted_job_and_the_queue_carries_on(tmp_path):
    db = tmp_path / "jobs.duckdb"
    with running(db) as svc:
        svc.add_configuration("Quick", settings(count=1, variations=1))
        svc.add_configuration(
            "Slow", settings(count=200, variations=1, generator={"delay_s": 0.05})
        )
        done = run_job(svc, "Quick", timeout=30)["id"]
    with jobdash.open(db, runner=False) as svc:
        slow = svc.start("Slow")["id"]
        queued = svc.start("Quick")["id"]
        before = snapshot_of(svc, done)

    kill_mid_job(db, slow)

    with running(db) as svc:
        interrupted = svc.get_by_id(slow)
        next_job = finished(svc, queued)
        after = snapshot_of(svc, done)
        root = svc.settings.image_root

    job = interrupted.job
    assert (job["status"], job["error_message"], job["error_step"]) == (
        "failed",
        INTERRUPTED,
        "runner",
    )
    assert job["completed_at"] is not None
    # What the killed process had committed is still there: images, files and events.
    assert len(interrupted.images) >= 2
    assert job["total_images"] == len(interrupted.images)  # rows and counts commit together
    for path in interrupted.images["file_path"]:
        assert (root / path).is_file()
    assert interrupted.events["message"].iloc[-1] == INTERRUPTED
    assert "Job started" in set(interrupted.events["message"])
    assert next_job["status"] == "completed"
    assert after == before  # the earlier job is untouched
