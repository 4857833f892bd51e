"""One Gen Image Factory row as the row it becomes here, with the digest that tells on the
next import whether it changed there. Every text passes through the import's
:class:`~jobdash.importers.secrets.Secrets`; every JSON value loses its key sections."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from typing import Any

from .gif_values import (
    as_json,
    digest,
    end_of,
    image_qc,
    job_status,
    label_of,
    parse_timestamp,
    parsed_json,
    tag_list,
    to_settings,
)
from .secrets import Secrets

QC_COUNTED = ("approved", "qc_failed", "processing_failed", "needs_review")


@dataclass(frozen=True)
class ConfigRow:
    """A configuration as it comes over: name, settings JSON (ours, keys dropped), times."""

    original_id: int
    name: str
    settings: str
    created_at: dt.datetime
    updated_at: dt.datetime
    digest: int


def config_row(raw: tuple[Any, ...], secrets: Secrets, now: dt.datetime) -> ConfigRow:
    """A ``job_configurations`` row (gif_source.CONFIG_COLUMNS) as ours."""
    original_id, name, settings, created, updated = raw
    name = secrets.redact(str(name if name is not None else f"configuration {original_id}"))
    text = secrets.redact(as_json(to_settings(secrets.strip(parsed_json(settings)))))
    created_at = parse_timestamp(created) or now
    return ConfigRow(
        original_id,
        str(name),
        str(text),
        created_at,
        parse_timestamp(updated) or created_at,
        digest((name, text)),
    )


@dataclass
class JobImages:
    """What a job's images say of it, gathered while they are read: the count per QC status
    and the time of the last one."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(QC_COUNTED, 0))
    last: dt.datetime | None = None

    def add(self, qc_status: str, created: dt.datetime | None) -> None:
        self.counts[qc_status] += 1
        if created is not None and (self.last is None or created > self.last):
            self.last = created


def job_row(
    raw: tuple[Any, ...],
    images: JobImages,
    configuration: tuple[int, str] | None,
    configuration_name: str | None,
    secrets: Secrets,
) -> tuple[dict[str, Any], int]:
    """A ``job_executions`` row (gif_source.JOB_COLUMNS) as our job's columns, and its
    digest. ``configuration``: the (id, name) here of the configuration it points at, None
    when that row is missing there; ``configuration_name``: that row's name there."""
    (original_id, config_id, started_raw, completed_raw, status_raw, *_, error, label, snap) = raw
    status, note = job_status(status_raw)
    if note:
        error = f"{note} ({error})" if error else note
    started = parse_timestamp(started_raw)
    ended = end_of(started, parse_timestamp(completed_raw), images.last)
    snapshot = secrets.strip(parsed_json(snap))
    c = images.counts
    rejected = c["qc_failed"] + c["processing_failed"]
    total = sum(c.values())
    columns: dict[str, Any] = {
        "label": secrets.redact(label_of(label, configuration_name, original_id)),
        "status": status,
        "configuration_id": configuration[0] if configuration else None,
        "configuration_snapshot": secrets.redact(as_json(to_settings(snapshot)))
        if snapshot is not None
        else None,
        "queued_at": started or ended,
        "started_at": started,
        "completed_at": ended,
        "progress": 100 if status == "completed" else 0,
        "total_images": total,
        "successful_images": total - rejected,
        "failed_images": rejected,
        "approved_images": c["approved"],
        "qc_failed_images": c["qc_failed"],
        "needs_review_images": c["needs_review"],
        "error_message": secrets.redact(error),
    }
    # The configuration by its id there: a new version of it here is no change of the job.
    kept = {**columns, "configuration_id": config_id if configuration else None}
    return columns, digest(kept.values())


def as_recorded(raw: tuple[Any, ...]) -> dict[str, Any]:
    """A job's values there that have no column here, or were normalised (for its
    timeline)."""
    (_, _, started, completed, status, total, successful, failed, *_) = raw
    return {
        "status": status,
        "started_at": started,
        "completed_at": completed,
        "total_images": total,
        "successful_images": successful,
        "failed_images": failed,
    }


@dataclass(frozen=True)
class ImageRow:
    """An image as it comes over (its file not placed yet)."""

    original_id: int
    execution_id: int
    columns: dict[str, Any]
    """Our columns but the files': prompt, seed, qc_status, qc_reason, format, metadata,
    created_at."""
    source: str | None
    """Its file there, absolute."""
    created: dt.datetime | None
    """Its own time, if it had a readable one."""


def image_row(
    raw: tuple[Any, ...], folder: str, started: dt.datetime | None, now: dt.datetime, s: Secrets
) -> ImageRow:
    """A ``generated_images`` row (gif_source.IMAGE_COLUMNS) as ours; relative paths are
    taken from ``folder`` (the source file's)."""
    (original_id, mapping, execution_id, prompt, seed, qc, reason, final, temp, meta, proc, at) = (
        raw
    )
    metadata = s.strip(parsed_json(meta))
    metadata = dict(metadata) if isinstance(metadata, dict) else {"value": metadata}
    if "tags" in metadata:
        metadata["tags"] = tag_list(metadata["tags"])
    there = {
        "image_mapping_id": mapping,
        "final_image_path": final,
        "temp_image_path": temp,
        "processing_settings": s.strip(parsed_json(proc)),
    }
    metadata["gif"] = {k: v for k, v in there.items() if v is not None}
    path = final or temp
    source = os.path.normpath(os.path.join(folder, path)) if isinstance(path, str) else None
    created = parse_timestamp(at)
    suffix = os.path.splitext(source)[1].lstrip(".").lower() if source else ""
    return ImageRow(
        original_id,
        execution_id,
        {
            "prompt": s.redact(prompt if prompt is not None else _text(metadata.get("prompt"))),
            "seed": seed if isinstance(seed, int) else None,
            "qc_status": image_qc(qc, reason),
            "qc_reason": s.redact(reason if reason is None else str(reason)),
            "format": suffix or None,
            "metadata": s.redact(as_json(metadata)),
            "created_at": created or started or now,
        },
        source,
        created,
    )


def image_digest(image: ImageRow, exists: bool) -> int:
    """Digest of an image as it comes over, with whether its file is there (its own time,
    not the one it was given for lack of it)."""
    columns = {**image.columns, "created_at": image.created}
    return digest((image.execution_id, image.source, exists, *columns.values()))


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
