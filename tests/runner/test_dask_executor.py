"""The Dask executor against a real distributed.LocalCluster on loopback: generation and
processing run in the worker process, every database write and file stays in ours."""

from __future__ import annotations

import json
import os

import pytest
from distributed import LocalCluster
from PIL import Image
from runner_util import finished, running, settings, wait_until

from jobdash.runner import run_job


@pytest.fixture(scope="module")
def cluster():
    with LocalCluster(
        n_workers=1, threads_per_worker=2, processes=True, host="127.0.0.1", dashboard_address=":0"
    ) as local:
        yield local


def test_a_job_on_a_dask_cluster(tmp_path, cluster):
    with running(
        tmp_path / "jobs.duckdb", executor="dask", scheduler=cluster.scheduler_address
    ) as svc:
        assert svc.runner.executor.window == 4  # two threads, two images each in flight
        svc.add_configuration(
            "Remote", settings(count=3, variations=2, processing={"enhance": {"contrast": 1.1}})
        )
        job = run_job(svc, "Remote", timeout=60)
        detail = svc.get_by_id(job["id"])
        root = svc.settings.image_root

    assert job["status"] == "completed" and job["progress"] == 100
    assert job["successful_images"] == 6 and len(detail.images) == 6
    events = detail.events
    generated = events[(events["step"] == "generate") & events["sub_step"].isna()]
    workers = {worker_of(d) for d in generated["data"]}
    assert len(workers) == 1 and not workers.pop().endswith(f":{os.getpid()}")
    assert events.iloc[4]["message"] == "Generator procedural on the dask executor"
    # Results come back in order although several images were computed ahead.
    assert list(detail.images["prompt"]) == (
        ["A red lake at dawn"] * 2 + ["A blue forest at dawn"] * 2 + ["A red lake at dawn"] * 2
    )
    for path in detail.images["file_path"]:
        with Image.open(root / path) as im:
            assert im.size == (96, 96)


def test_stopping_a_dask_job_cancels_the_images_in_flight(tmp_path, cluster):
    with running(
        tmp_path / "jobs.duckdb", executor="dask", scheduler=cluster.scheduler_address
    ) as svc:
        svc.add_configuration("Long", settings(count=40, variations=1, generator={"delay_s": 0.05}))
        job_id = svc.start("Long")["id"]
        wait_until(lambda: len(svc.get_by_id(job_id).images) >= 2)
        svc.stop(job_id)
        job = finished(svc, job_id)
        client = svc.runner.executor.client
        # The images computed ahead were cancelled: the scheduler forgets every task.
        wait_until(
            lambda: client.run_on_scheduler(lambda dask_scheduler: not dask_scheduler.tasks),
            timeout=10,
        )

    assert job["status"] == "stopped" and 2 <= job["total_images"] < 40


def worker_of(data: str) -> str:
    """The worker (host:pid) that generated an image, from a generate event's data."""
    return json.loads(data)["worker"]
