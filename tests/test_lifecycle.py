"""A script that ends without ``close()`` shuts its history down as ``close()`` does, and
never aborts at interpreter exit; jobs left running by a process that is gone read as
interrupted to whoever opens the history next, runner or not."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from runner.runner_util import child_env, kill_mid_job, settings, wait_until

import jobdash
from jobdash import events
from jobdash.service import INTERRUPTED

# Opens a history with its runner, waits until the long job has saved images, then ends the
# way argv[4] says, without close(). Images are made as fast as they can be, so the runner
# thread is inside DuckDB most of the time: the interpreter used to abort (SIGABRT) when it
# stopped that thread at exit.
SCRIPT = """
import sys, time
import jobdash
svc = jobdash.open(sys.argv[1])
long_id, next_id = int(sys.argv[2]), int(sys.argv[3])
while len(svc.get_by_id(long_id).images) < 3:
    time.sleep(0.01)
if sys.argv[4] == "raise":
    raise RuntimeError("the script failed")
if sys.argv[4] == "exit":
    sys.exit(3)
"""
ENDINGS = {"raise": 1, "exit": 3, "end": 0}


@pytest.mark.parametrize("run", range(2))
@pytest.mark.parametrize("ending", list(ENDINGS))
def test_a_script_ending_without_close_stops_its_job_as_close_does(tmp_path, ending, run):
    db = tmp_path / "jobs.duckdb"
    with jobdash.open(db, runner=False) as svc:
        svc.add_configuration("Long", settings(count=3000, variations=1, width=48, height=48))
        svc.add_configuration("Next", settings(count=1, variations=1))
        long_id = svc.start("Long")["id"]
        next_id = svc.start("Next")["id"]

    child = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(db), str(long_id), str(next_id), ending],
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert child.returncode == ENDINGS[ending], child.stderr  # -6 was SIGABRT
    assert "Fatal Python error" not in child.stderr
    if ending == "raise":
        assert child.stderr.rstrip().endswith("RuntimeError: the script failed")
    assert not Path(f"{db}.wal").exists()  # DuckDB was closed (it checkpoints its log)

    with jobdash.open(db, runner=False) as svc:
        stopped = svc.get_by_id(long_id)
        queued = svc.get_by_id(next_id).job
        root = svc.settings.image_root
    job = stopped.job
    assert (job["status"], job["error_message"]) == (
        "stopped",
        "stopped by shutdown: the process running the queue is shutting down",
    )
    assert "Stop requested by shutdown: the process running the queue is shutting down" in set(
        stopped.events["message"]
    )
    assert 3 <= job["total_images"] == len(stopped.images) < 3000
    for path in stopped.images["file_path"]:
        assert (root / path).is_file()  # what it produced is kept
    assert queued["status"] == "pending"  # still queued for the next runner


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
