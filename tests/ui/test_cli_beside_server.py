"""The command line beside a running `jobdash serve`: run, export, import-gif and status go
through the server that holds the history (found by its discovery file) instead of failing on
its lock."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from factories import add_job
from gif_files import GifFile, two_jobs
from ui_util import free_port, listening, wait_until

import jobdash
from jobdash.discovery import discovery_path

REPO = Path(jobdash.__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(REPO)}
QUICK = {
    "prompt_template": "A {keyword} at dawn",
    "keywords": ["red lake"],
    "count": 1,
    "variations": 2,
    "width": 64,
    "height": 64,
    "format": "png",
    "generator": {"name": "procedural"},
}


def jobdash_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "jobdash", *args],
        env=ENV,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[Path]:
    db = tmp_path_factory.mktemp("beside") / "jobs.duckdb"
    with jobdash.open(db, runner=False) as svc:
        svc.add_configuration("Quick", QUICK)
        add_job(svc, status="failed", label="Failed earlier", error_message="boom")
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "jobdash", "serve", "--db", str(db), "--port", str(port)],
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until(lambda: discovery_path(db).exists() or process.poll() is not None, 60)
        assert process.poll() is None, process.stderr.read()
        assert listening(port)
        yield db
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(30)


def test_run_queues_and_waits_through_the_server(served):
    ran = jobdash_cli("run", "Quick", "--label", "From the terminal", "--db", str(served))
    assert ran.returncode == 0, ran.stderr
    assert "completed: 2 images produced" in ran.stdout
    queued = jobdash_cli("run", "Quick", "--no-wait", "--db", str(served))
    assert queued.returncode == 0 and "pending" in queued.stdout


def test_export_and_status_go_through_the_server(served, tmp_path):
    out = tmp_path / "failed.xlsx"
    exported = jobdash_cli("export", str(out), "--status", "failed", "--db", str(served))
    assert exported.returncode == 0, exported.stderr
    book = openpyxl.load_workbook(out, read_only=True)
    labels = [row[1] for row in book[book.sheetnames[1]].iter_rows(min_row=2, values_only=True)]
    assert labels == ["Failed earlier"]
    status = jobdash_cli("status", "--db", str(served))
    assert status.returncode == 0 and "served at http://127.0.0.1:" in status.stdout


def test_export_without_images_through_the_server(served, tmp_path):
    full, bare = tmp_path / "full.xlsx", tmp_path / "bare.xlsx"
    assert jobdash_cli("export", str(full), "--db", str(served)).returncode == 0
    exported = jobdash_cli("export", str(bare), "--no-images", "--db", str(served))
    assert exported.returncode == 0, exported.stderr
    assert openpyxl.load_workbook(full, read_only=True).sheetnames == ["Summary", "Jobs", "Images"]
    assert openpyxl.load_workbook(bare, read_only=True).sheetnames == ["Summary", "Jobs"]


def test_a_refused_run_through_the_server_is_one_line(served):
    refused = jobdash_cli("run", "No such config", "--db", str(served))
    assert refused.returncode == 2
    assert refused.stderr.startswith("jobdash run: No configuration")
    assert refused.stderr.count("\n") == 1


def test_import_gif_sends_the_file_to_the_server(served, tmp_path):
    from jobdash.client import for_history

    gif = two_jobs(tmp_path / "desktop")
    imported = jobdash_cli("import-gif", str(gif), "--db", str(served))
    assert imported.returncode == 0, imported.stderr
    assert f"Imported {gif.resolve()} into {served}:" in imported.stdout
    assert "jobs: 2 new, 0 updated, 0 unchanged" in imported.stdout
    assert "images: 3 new" in imported.stdout and "2 thumbnails made" in imported.stdout
    assert "upload: " in imported.stderr  # its progress
    client = for_history(served)
    assert client is not None
    labels = client.get_all(jobdash.JobQuery(search="Sent")).rows["label"]
    assert sorted(labels) == ["Sent cats", "Sent dogs"]
    with GifFile(gif) as g:  # the desktop app ran one more job and relabelled one
        g.job(3, 1, "2026-01-03 10:00:00", "2026-01-03 10:01:00", "completed", "Sent birds")
        g.execute("UPDATE job_executions SET label = 'Sent wolves' WHERE id = 2")
    again = jobdash_cli("import-gif", str(gif), "--db", str(served))
    assert again.returncode == 0, again.stderr
    assert "jobs: 1 new, 1 updated, 1 unchanged" in again.stdout
    labels = client.get_all(jobdash.JobQuery(search="Sent")).rows["label"]
    assert sorted(labels) == ["Sent birds", "Sent cats", "Sent wolves"]


def test_a_file_that_is_no_gif_history_is_refused_in_one_line(served, tmp_path):
    from jobdash.client import for_history

    client = for_history(served)
    assert client is not None
    before = (client.statistics().total, client.version)
    notes = tmp_path / "notes.db"
    notes.write_text("not a database")
    refused = jobdash_cli("import-gif", str(notes), "--db", str(served))
    assert refused.returncode == 2
    assert refused.stderr == (
        f"jobdash import-gif: path: {notes} is not a Gen Image Factory database "
        "(it is not an SQLite file)\n"
    )
    assert (client.statistics().total, client.version) == before


def test_status_of_a_history_no_server_holds(tmp_path):
    db = tmp_path / "jobs.duckdb"
    with jobdash.open(db, runner=False) as svc:
        add_job(svc, status="pending")
    status = jobdash_cli("status", "--db", str(db))
    assert status.returncode == 0
    expected = "not served; jobs: 1, queued: 1 (jobdash serve runs the queue and shares"
    assert status.stdout.strip() == f"{db}: {expected} the history)"


def test_jobdash_open_connects_to_the_server_holding_the_history(served):
    from jobdash.client import JobClient
    from jobdash.errors import NotFound, StoreLocked

    with jobdash.open(served) as history:
        assert isinstance(history, JobClient)
        assert "Failed earlier" in set(history.get_all().rows["label"])
    with pytest.raises(StoreLocked):
        jobdash.open(served, remote=False)
    with pytest.raises(NotFound, match="No jobdash serve holds"):
        jobdash.open(served.parent / "other.duckdb", remote=True)


def test_a_client_of_a_history_finds_its_restarted_server(tmp_path):
    from jobdash.client import for_history

    db = tmp_path / "jobs.duckdb"
    with jobdash.open(db, runner=False) as svc:
        add_job(svc, label="Still here")

    def serve() -> subprocess.Popen:
        process = subprocess.Popen(
            [sys.executable, "-m", "jobdash", "serve", "--db", str(db), "--port", str(free_port())],
            env=ENV,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        wait_until(lambda: for_history(db) is not None or process.poll() is not None, 60)
        return process

    first = serve()
    client = for_history(db)
    old = (client.url, client.token)
    first.send_signal(signal.SIGTERM)
    first.wait(30)
    second = serve()  # another port, another token
    try:
        assert client.get_all().rows["label"].tolist() == ["Still here"]
        assert (client.url, client.token) != old
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(30)
