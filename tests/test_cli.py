"""The jobdash command line, run as a user would."""

from __future__ import annotations

import subprocess
import sys

import openpyxl
import pytest

import jobdash
from jobdash.cli import main


def jobdash_cli(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "jobdash", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("cli") / "jobs.duckdb"
    out = jobdash_cli(
        "demo", "--jobs", "150", "--seed", "3", "--images-on-disk", "3", "--db", str(db)
    )
    assert out.returncode == 0, out.stderr
    assert "150 jobs" in out.stdout
    return db


def test_demo_refuses_to_overwrite_a_history(demo_db):
    out = jobdash_cli("demo", "--jobs", "10", "--db", str(demo_db))
    assert out.returncode != 0
    assert "Traceback" not in out.stderr and out.stderr.strip()


def test_export_by_status_and_by_ids(demo_db, tmp_path):
    out = jobdash_cli(
        "export", str(tmp_path / "failed.xlsx"), "--status", "failed", "--db", str(demo_db)
    )
    assert out.returncode == 0, out.stderr
    with jobdash.open(demo_db, runner=False) as svc:
        failed = svc.statistics(jobdash.JobQuery(statuses=["failed"])).total
    sheet = openpyxl.load_workbook(tmp_path / "failed.xlsx")["Jobs"]
    assert sheet.max_row - 1 == failed > 0
    out = jobdash_cli(
        "export", str(tmp_path / "two.xlsx"), "--ids", "1,JOB-000002", "--db", str(demo_db)
    )
    assert out.returncode == 0, out.stderr
    rows = list(openpyxl.load_workbook(tmp_path / "two.xlsx", read_only=True)["Jobs"].values)
    assert len(rows) == 3


def test_errors_are_one_readable_line(demo_db, tmp_path, capsys):
    assert main(["export", str(tmp_path / "x.xlsx"), "--ids", "999999", "--db", str(demo_db)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("jobdash export:") and "JOB-999999" in err
    assert (
        main(
            ["export", str(tmp_path / "x.xlsx"), "--date-from", "2026-02-30", "--db", str(demo_db)]
        )
        == 2
    )
    assert "date_from" in capsys.readouterr().err
    assert main(["run", "no such config", "--no-wait", "--db", str(demo_db)]) == 2


def test_run_queues_without_touching_the_queue(demo_db):
    with jobdash.open(demo_db, runner=False) as svc:
        before = svc.queue()
        config = svc.configurations()["name"].iloc[0]
    out = jobdash_cli("run", config, "--no-wait", "--label", "From the CLI", "--db", str(demo_db))
    assert out.returncode == 0, out.stderr
    with jobdash.open(demo_db, runner=False) as svc:
        queue = svc.queue()
        assert queue[:-1] == before
        assert svc.get_by_id(queue[-1]).job["label"] == "From the CLI"


def test_run_executes_a_job_to_the_end(tmp_path):
    db = tmp_path / "run.duckdb"
    with jobdash.open(db, runner=False) as svc:
        svc.add_configuration(
            "Tiny",
            {
                "prompt_template": "a {keyword}",
                "keywords": ["fox"],
                "count": 2,
                "width": 64,
                "height": 64,
                "format": "png",
            },
        )
    out = jobdash_cli("run", "Tiny", "--db", str(db))
    assert out.returncode == 0, out.stderr
    assert "JOB-000001 completed" in out.stdout
    with jobdash.open(db, runner=False) as svc:
        detail = svc.get_by_id(1)
        assert detail.job["progress"] == 100 and len(detail.images) == 2
