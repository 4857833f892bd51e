"""Import a Gen Image Factory history (its SQLite ``gen-image-factory.db``) into jobdash.

Reads the three tables of the desktop app, maps its vocabularies onto ours and writes
everything in one transaction: a failed import changes nothing. API keys are never copied.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ValidationError
from ..service import JobService

# Their job statuses -> ours. A row still "running" was left by a crash of the desktop app.
JOB_STATUS = {
    "completed": "completed",
    "failed": "failed",
    "stopped": "stopped",
    "aborted": "stopped",
    "running": "failed",
}
# Their image QC statuses (current and legacy) -> ours.
QC_STATUS = {
    "approved": "approved",
    "passed": "approved",
    "qc_failed": "qc_failed",
    "failed": "qc_failed",
    "retry_failed": "qc_failed",
    "processing": "pending",
    "retry_pending": "pending",
    "pending": "pending",
}
SECRET_SECTIONS = ("apiKeys",)


@dataclass
class ImportReport:
    """What an import did."""

    configurations: int = 0
    jobs: int = 0
    images: int = 0
    orphan_images_skipped: int = 0
    job_ids: dict[int, int] = field(default_factory=dict)


def parse_timestamp(value: Any) -> dt.datetime | None:
    """Epoch milliseconds, ISO 8601 (with ``Z``) or SQLite ``YYYY-MM-DD HH:MM:SS`` -> naive UTC."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float) or (isinstance(value, str) and value.strip().isdigit()):
        return dt.datetime.fromtimestamp(int(value) / 1000, dt.UTC).replace(tzinfo=None)
    text = str(value).strip().replace("Z", "+00:00")
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed.astimezone(dt.UTC).replace(tzinfo=None) if parsed.tzinfo else parsed


def strip_secrets(settings: Any) -> dict[str, Any]:
    """Settings JSON (text or dict) without its API keys; unreadable text gives ``{}``."""
    if isinstance(settings, str):
        try:
            settings = json.loads(settings)
        except json.JSONDecodeError:
            return {}
    if not isinstance(settings, dict):
        return {}
    return {k: v for k, v in settings.items() if k not in SECRET_SECTIONS}


def to_settings(gif: dict[str, Any]) -> dict[str, Any]:
    """Our settings shape from theirs, keeping the original (without keys) under ``gif``."""
    params = gif.get("parameters") or {}
    out: dict[str, Any] = {"source": "gen-image-factory", "gif": gif}
    for ours, theirs in (
        ("count", "count"),
        ("variations", "variations"),
        ("format", "runwareFormat"),
        ("model", "runwareModel"),
    ):
        if params.get(theirs) is not None:
            out[ours] = params[theirs]
    size = str(params.get("runwareDimensionsCsv") or "").split(",")[0].lower().split("x")
    if len(size) == 2 and all(s.strip().isdigit() for s in size):
        out["width"], out["height"] = int(size[0]), int(size[1])
    return out


def _image_fields(row: sqlite3.Row) -> dict[str, Any]:
    meta = {}
    if row["metadata"]:
        try:
            meta = json.loads(row["metadata"]) or {}
        except json.JSONDecodeError:
            meta = {}
    tags = meta.get("tags")
    if isinstance(tags, str):
        tags = [t.strip() for t in tags.split(",") if t.strip()]
    reason = row["qc_reason"]
    status = QC_STATUS.get(row["qc_status"] or "pending", "pending")
    if reason and str(reason).startswith("processing_failed:"):
        status = "processing_failed"
    return {
        "prompt": row["generation_prompt"] or meta.get("prompt"),
        "seed": row["seed"],
        "qc_status": status,
        "qc_reason": reason,
        "file_path": row["final_image_path"] or row["temp_image_path"],
        "metadata": {
            "title": meta.get("title"),
            "description": meta.get("description"),
            "tags": tags or [],
            "failure": meta.get("failure"),
            "image_mapping_id": row["image_mapping_id"],
        },
        "created_at": parse_timestamp(row["created_at"]) or dt.datetime(1970, 1, 1),
    }


@dataclass(frozen=True)
class GifTables:
    """The three tables of a Gen Image Factory file, as read (by :func:`read_gif`)."""

    configs: list[sqlite3.Row]
    jobs: list[sqlite3.Row]
    images: list[sqlite3.Row]


def read_gif(sqlite_path: str | Path) -> GifTables:
    """The tables of a Gen Image Factory file; a path that is not one raises
    ValidationError (field ``path``). Nothing of jobdash is opened for that."""
    path = Path(sqlite_path)
    if not path.is_file():
        raise ValidationError(f"path: {path} is not a file", "path")
    src = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    src.row_factory = sqlite3.Row
    try:
        configs = src.execute("SELECT * FROM job_configurations ORDER BY id").fetchall()
        jobs = src.execute("SELECT * FROM job_executions ORDER BY id").fetchall()
        images = src.execute("SELECT * FROM generated_images ORDER BY id").fetchall()
    except sqlite3.DatabaseError as exc:
        raise ValidationError(
            f"path: {path} is not a Gen Image Factory database ({exc})", "path"
        ) from None
    finally:
        src.close()
    return GifTables(configs, jobs, images)


def import_gif(service: JobService, source: str | Path | GifTables) -> ImportReport:
    """Copy configurations, executions and their images from a Gen Image Factory file (or
    its tables, read first by :func:`read_gif` so that a bad file opens no history)."""
    tables = source if isinstance(source, GifTables) else read_gif(source)
    configs, jobs, images = tables.configs, tables.jobs, tables.images
    report = ImportReport()
    store = service.store
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with store.transaction() as cur:
        config_ids: dict[int, int] = {}
        for row in configs:
            settings = to_settings(strip_secrets(row["settings"]))
            created = parse_timestamp(row["created_at"]) or now
            config_ids[row["id"]] = store.insert_configuration(
                cur, name=row["name"], settings=settings, at=created
            )
        report.configurations = len(config_ids)
        for row in jobs:
            status = JOB_STATUS.get((row["status"] or "").lower(), "failed")
            started = parse_timestamp(row["started_at"])
            error = row["error_message"]
            if (row["status"] or "").lower() == "running":
                error = "interrupted: the desktop app stopped while this job ran"
            snapshot = strip_secrets(row["configuration_snapshot"]) or None
            job_id = store.insert_job(
                cur,
                label=row["label"],
                status=status,
                configuration_id=config_ids.get(row["configuration_id"]),
                snapshot=to_settings(snapshot) if snapshot else None,
                rerun_of=None,
                queued_at=started or now,
            )
            report.job_ids[row["id"]] = job_id
            store.update_job(
                cur,
                job_id,
                started_at=started,
                completed_at=parse_timestamp(row["completed_at"]),
                progress=100 if status == "completed" else 0,
                error_message=error,
                updated_at=now,
            )
        counts: dict[int, dict[str, int]] = {}
        for row in images:
            job_id = report.job_ids.get(row["execution_id"])
            if job_id is None:
                report.orphan_images_skipped += 1
                continue
            fields = _image_fields(row)
            store.add_image(cur, job_id, **fields)
            c = counts.setdefault(
                job_id,
                {
                    "total_images": 0,
                    "successful_images": 0,
                    "failed_images": 0,
                    "approved_images": 0,
                    "qc_failed_images": 0,
                },
            )
            c["total_images"] += 1
            failed = fields["qc_status"] in ("qc_failed", "processing_failed")
            c["failed_images" if failed else "successful_images"] += 1
            c["approved_images"] += fields["qc_status"] == "approved"
            c["qc_failed_images"] += fields["qc_status"] == "qc_failed"
            report.images += 1
        for job_id, c in counts.items():
            store.update_job(cur, job_id, **c)
        report.jobs = len(report.job_ids)
    service.feed.publish("created", list(report.job_ids.values()), status="imported")
    return report
