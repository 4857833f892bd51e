"""Jobs left running by a process that is gone read as interrupted to whoever opens the
history next, runner or not."""

from __future__ import annotations

from runner.runner_util import kill_mid_job, settings, wait_until

import jobdash
from jobdash import events
from jobdash.service import INTERRUPTED


def test_a_reader_opening_after_a_killed_runner_sees_its_job_interrupted(tmp_path):
    db = tmp_path / "jobs.duckdb"
    with jobdash.open(db, runner=False) as svc:
        svc.add_configuration(
            "Slow", settings(count=200, variations=1, generator={"delay_s": 0.05})
        )
        slow = svc.start("Slow")["id"]
        queued = svc.start("Slow")["id"]
    kill_mid_job(db, slow)

    with jobdash.open(db, runner=False) as svc:  # a reader: no runner in this process
        statistics = svc.statistics()
        listed = svc.get_all().rows.set_index("id")
        detail = svc.get_by_id(slow)
        feed = svc.changes_since(0)
    assert (statistics.running, statistics.pending, statistics.by_status["failed"]) == (0, 1, 1)
    assert listed.loc[slow, "status"] == "failed"
    assert listed.loc[slow, "error_message"] == INTERRUPTED
    assert listed.loc[queued, "status"] == "pending"
    job = detail.job
    assert (job["status"], job["error_step"], job["current_step"]) == ("failed", "runner", None)
    assert job["completed_at"] is not None
    assert detail.events["message"].iloc[-1] == INTERRUPTED
    assert [(c.kind, c.job_ids, c.data) for c in feed] == [
        (events.COMPLETION, (slow,), {"status": "failed"})
    ]


def test_a_second_open_in_the_same_process_leaves_the_running_job_alone(tmp_path):
    db = tmp_path / "jobs.duckdb"
    with jobdash.open(db) as owner:
        owner.add_configuration(
            "Slow", settings(count=40, variations=1, generator={"delay_s": 0.05})
        )
        job_id = owner.start("Slow")["id"]
        wait_until(lambda: owner.runner.current_job == job_id)
        # DuckDB gives this process's second connection the same database: the job has an
        # owner, here, and must not be marked interrupted.
        with jobdash.open(db, runner=False) as reader:
            assert not reader.store.sole_opener and owner.store.sole_opener
            assert reader.get_by_id(job_id).job["status"] == "running"
        assert owner.get_by_id(job_id).job["status"] == "running"
        owner.stop(job_id)
        assert owner.runner.wait(job_id, 30) == "stopped"
    with jobdash.open(db, runner=False) as later:
        assert later.store.sole_opener
