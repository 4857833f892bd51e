"""Importing a Gen Image Factory SQLite history."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3

import pytest

from jobdash import JobQuery, ValidationError
from jobdash.cli import main
from jobdash.importers.gif import import_gif, parse_timestamp

SCHEMA = """
CREATE TABLE job_configurations (id INTEGER PRIMARY KEY, name TEXT UNIQUE, settings TEXT,
    created_at TEXT, updated_at TEXT);
CREATE TABLE job_executions (id INTEGER PRIMARY KEY, configuration_id INTEGER, started_at,
    completed_at, status VARCHAR, total_images INTEGER, successful_images INTEGER,
    failed_images INTEGER, error_message TEXT, label TEXT, configuration_snapshot TEXT);
CREATE TABLE generated_images (id INTEGER PRIMARY KEY, image_mapping_id TEXT UNIQUE,
    execution_id INTEGER, generation_prompt TEXT, seed INTEGER, qc_status TEXT, qc_reason TEXT,
    final_image_path TEXT, temp_image_path TEXT, metadata TEXT, processing_settings TEXT,
    created_at TEXT);
"""
SECRET = "sk-live-SECRET-123"


@pytest.fixture
def gif_db(tmp_path):
    path = tmp_path / "gen-image-factory.db"
    con = sqlite3.connect(path)
    con.executescript(SCHEMA)
    settings = {
        "apiKeys": {"openai": SECRET, "runware": SECRET},
        "parameters": {
            "label": "Cats",
            "count": 4,
            "variations": 1,
            "runwareFormat": "png",
            "runwareDimensionsCsv": "1024x768",
        },
        "processing": {"removeBg": True},
        "ai": {"runQualityCheck": True},
    }
    con.execute(
        "INSERT INTO job_configurations VALUES (1, 'default', ?, '2026-01-01 10:00:00', NULL)",
        [json.dumps(settings)],
    )
    jobs = [
        (1, 1, 1767261600000, "2026-01-01T10:05:00Z", "completed", "Cats", json.dumps(settings)),
        (2, 99, "2026-01-02T09:00:00Z", None, "running", None, None),
        (3, 1, "2026-01-03 08:00:00", "2026-01-03 08:01:00", "aborted", "Cats (Rerun)", None),
        (4, None, "2026-01-04 08:00:00", "2026-01-04 08:02:00", "failed", "=cmd()", "not json"),
    ]
    for job_id, config, started, completed, status, label, snapshot in jobs:
        con.execute(
            "INSERT INTO job_executions VALUES (?, ?, ?, ?, ?, 0, 0, 0, ?, ?, ?)",
            [
                job_id,
                config,
                started,
                completed,
                status,
                "Out of credits" if status == "failed" else None,
                label,
                snapshot,
            ],
        )
    images = [
        (1, "m1", 1, "approved", None, {"title": "Cat", "tags": "cat, pet ,cute"}),
        (2, "m2", 1, "qc_failed", "Visible watermark", {}),
        (3, "m3", 1, "failed", "processing_failed:convert", {}),
        (4, "m4", None, "approved", None, {}),  # orphan: no execution
        (5, "m5", 42, "passed", None, {}),  # orphan: execution deleted
    ]
    for image_id, mapping, job, qc, reason, meta in images:
        con.execute(
            "INSERT INTO generated_images VALUES "
            "(?, ?, ?, 'a cat', NULL, ?, ?, ?, NULL, ?, NULL, '2026-01-01 10:01:00')",
            [image_id, mapping, job, qc, reason, f"/home/u/out/{mapping}.png", json.dumps(meta)],
        )
    con.commit()
    con.close()
    return path


def test_timestamps_in_all_three_formats():
    expected = dt.datetime(2026, 1, 1, 10, 0, 0)
    assert parse_timestamp(1767261600000) == expected
    assert parse_timestamp("1767261600000") == expected
    assert parse_timestamp("2026-01-01T10:00:00Z") == expected
    assert parse_timestamp("2026-01-01T12:00:00+02:00") == expected
    assert parse_timestamp("2026-01-01 10:00:00") == expected
    assert parse_timestamp(None) is None and parse_timestamp("garbage") is None


def test_import_maps_jobs_images_and_drops_keys(service, gif_db):
    report = import_gif(service, gif_db)
    assert (report.configurations, report.jobs, report.images, report.orphan_images_skipped) == (
        1,
        4,
        3,
        2,
    )
    ids = report.job_ids
    first = service.get_by_id(ids[1])
    assert first.job["status"] == "completed" and first.job["label"] == "Cats"
    assert first.job["started_at"] == dt.datetime(2026, 1, 1, 10, 0, 0)
    assert (
        first.job["total_images"],
        first.job["approved_images"],
        first.job["qc_failed_images"],
        first.job["failed_images"],
    ) == (3, 1, 1, 2)
    assert first.snapshot["width"] == 1024 and first.snapshot["height"] == 768
    assert sorted(first.images["qc_status"]) == ["approved", "processing_failed", "qc_failed"]
    meta = json.loads(first.images.iloc[0]["metadata"])
    assert meta["tags"] == ["cat", "pet", "cute"]
    stuck = service.get_by_id(ids[2]).job
    assert stuck["status"] == "failed" and "interrupted" in stuck["error_message"]
    assert stuck["configuration_id"] is None  # pointed at a missing configuration
    assert service.get_by_id(ids[3]).job["status"] == "stopped"
    assert service.get_by_id(ids[4]).job["label"] == "=cmd()"
    everything = service.store.sql(
        "SELECT (SELECT string_agg(settings, '') FROM configurations) || "
        "(SELECT string_agg(coalesce(configuration_snapshot::VARCHAR, ''), '') "
        "FROM job_executions) AS t"
    )
    assert SECRET not in everything["t"][0] and "apiKeys" not in everything["t"][0]
    assert service.get_all(JobQuery(search="cats")).total == 2


def test_a_file_that_is_not_a_gif_history_changes_nothing(service, tmp_path):
    bogus = tmp_path / "notes.db"
    bogus.write_text("hello")
    with pytest.raises(ValidationError, match="not a Gen Image Factory database"):
        import_gif(service, bogus)
    with pytest.raises(ValidationError, match="not a file"):
        import_gif(service, tmp_path / "missing.db")
    assert service.statistics().total == 0


def test_cli_import(gif_db, tmp_path, capsys):
    db = tmp_path / "cli.duckdb"
    assert main(["import-gif", str(gif_db), "--db", str(db)]) == 0
    assert "4 jobs" in capsys.readouterr().out
    assert main(["import-gif", str(tmp_path / "missing.db"), "--db", str(db)]) == 2
