"""Live events over HTTP: a served history with its runner, a client following the event
stream while a job runs, and resuming after its connection dropped."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterator

import pytest
from ui_util import free_port, listening, stop_serving, wait_until

import jobdash
from jobdash.client import JobClient
from jobdash.errors import JobdashError
from jobdash.events import Change
from jobdash.server import Access, start_server

TOKEN = "events-test-token"
QUICK = {
    "prompt_template": "A {keyword} at dawn",
    "keywords": ["red lake", "blue forest"],
    "count": 2,
    "variations": 2,
    "width": 64,
    "height": 64,
    "format": "png",
    "generator": {"name": "procedural", "delay_s": 0.05},
}


@pytest.fixture(scope="module")
def running(tmp_path_factory) -> Iterator[tuple[jobdash.JobService, JobClient]]:
    svc = jobdash.open(tmp_path_factory.mktemp("events") / "jobs.duckdb")  # with its runner
    svc.add_configuration("Quick", QUICK)
    port = free_port()
    server = start_server(svc, access=Access(port=port, token=TOKEN), threaded=True)
    try:
        wait_until(lambda: listening(port), timeout=20)
        yield svc, JobClient(f"http://127.0.0.1:{port}", TOKEN)
    finally:
        stop_serving(server, svc)


def follow(client: JobClient, since: int, until: int) -> list[Change]:
    """Changes from the stream until job ``until`` completes (at most 30 s)."""
    seen: list[Change] = []
    done = threading.Event()

    def read() -> None:
        for change in client.events(since):
            seen.append(change)
            if change.kind == "completion" and until in change.job_ids:
                break
        done.set()

    threading.Thread(target=read, daemon=True).start()
    assert done.wait(30), [c.kind for c in seen]
    return seen


def test_the_stream_delivers_a_runs_status_progress_and_completion_in_order(running):
    svc, client = running
    since = client.version
    job = client.start("Quick", label="Followed live")["id"]
    seen = [c for c in follow(client, since, job) if job in c.job_ids]
    kinds = [c.kind for c in seen]
    assert kinds[0] == "created" and kinds[-1] == "completion"
    assert seen[-1].data["status"] == "completed"
    running_at = kinds.index("status-update")
    assert seen[running_at].data["status"] == "running"
    assert "progress-update" in kinds[running_at:]
    assert [c.seq for c in seen] == sorted(c.seq for c in seen)  # in order, none twice
    assert [c.seq for c in seen] == [c.seq for c in svc.changes_since(since) if job in c.job_ids]


def test_a_client_that_reconnects_misses_nothing(running):
    svc, client = running
    since = client.version
    job = client.start("Quick", label="Dropped and resumed")["id"]
    stream = client.events(since)
    first = list(itertools.islice(stream, 3))
    stream.close()  # the connection drops
    rest = follow(client, first[-1].seq, job)
    got = [c.seq for c in first + rest]
    assert got == list(range(since + 1, got[-1] + 1))  # every change, once, in order
    assert [c.seq for c in svc.changes_since(since)][: len(got)] == got


def test_a_client_ahead_of_a_restarted_server_is_told_to_resync(running):
    svc, client = running
    stream = client.events(svc.version + 1000)  # as if the server restarted since
    first = next(stream)
    stream.close()
    assert (first.kind, first.seq) == ("resync", svc.version)


def test_a_server_stopping_under_an_open_stream_ends_it_quietly(tmp_path, caplog):
    svc = jobdash.open(tmp_path / "jobs.duckdb", runner=False)
    port = free_port()
    server = start_server(svc, access=Access(port=port, token=TOKEN), threaded=True)
    wait_until(lambda: listening(port), timeout=20)
    client = JobClient(f"http://127.0.0.1:{port}", TOKEN)
    ended = threading.Event()

    def follow() -> None:
        try:
            for _ in client.events(reconnects=0):
                pass
        except JobdashError:  # the stream is gone, as a typed error
            ended.set()

    threading.Thread(target=follow, daemon=True).start()
    time.sleep(0.5)  # the stream is open
    with caplog.at_level("WARNING"):
        stop_serving(server, svc)
        assert ended.wait(15)
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")], caplog.text
