"""One Gen Image Factory row as the row it becomes here, and the digest that tells on the
next import whether it changed there. Jobs and images are digested as read (with a salt
that changes with :data:`DIGEST_VERSION` and the keys known), so an unchanged row is never
normalised again. Every text passes through the import's
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
    job_status,
    label_of,
    parse_timestamp,
    parsed_json,
    tag_list,
    to_settings,
)
from .secrets import Secrets, may_hold_keys

QC_COUNTED = ("approved", "qc_failed", "processing_failed", "needs_review")
DIGEST_VERSION = 1
"""Raise it when what a row becomes here changes: the next import rewrites every row."""


def salt(secrets: Secrets) -> int:
    """What digests of rows as read depend on besides the rows: :data:`DIGEST_VERSION` and
    the keys to redact (a key learnt since has every row rewritten)."""
    return digest((DIGEST_VERSION, *sorted(secrets.keys)))


def image_digest(salt: int, raw: tuple[Any, ...], exists: bool) -> int:
    """Digest of an image as read, with whether its file is there."""
    return digest((salt, exists, *raw))


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
    text = secrets.redact(as_json(to_settings(_json(settings, secrets))))
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


def job_columns(
    raw: tuple[Any, ...],
    images: JobImages,
    configuration: tuple[int, str] | None,
    configuration_name: str | None,
    secrets: Secrets,
) -> dict[str, Any]:
    """A ``job_executions`` row (gif_source.JOB_COLUMNS) as our job's columns.
    ``configuration``: the (id, name) here of the configuration it points at, None when
    that row is missing there; ``configuration_name``: that row's name there."""
    (original_id, _, started_raw, completed_raw, status_raw, *_, error, label, snap) = raw
    status, note = job_status(status_raw)
    if note:
        error = f"{note} ({error})" if error else note
    started = parse_timestamp(started_raw)
    ended = end_of(started, parse_timestamp(completed_raw), images.last)
    snapshot = _json(snap, secrets)
    c = images.counts
    rejected = c["qc_failed"] + c["processing_failed"]
    total = sum(c.values())
    return {
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


def job_digest(
    salt: int, raw: tuple[Any, ...], images: JobImages, configuration_name: str | None, known: bool
) -> int:
    """Digest of a job as it comes over: its row there, what its images say of it, and its
    configuration's name there and whether that is here (``known``). A new version of its
    configuration here is no change of the job."""
    return digest((salt, *raw, *images.counts.values(), images.last, configuration_name, known))


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


def source_path(raw: tuple[Any, ...], folder: str) -> str | None:
    """The file of a ``generated_images`` row there, absolute: its final file, else its
    temporary one; a relative path is taken from ``folder`` (the source file's)."""
    path = raw[7] or raw[8]
    if not isinstance(path, str):
        return None
    if path.startswith("/") and "/." not in path and "//" not in path:
        return path  # absolute and normal already (most are)
    return os.path.normpath(os.path.join(folder, path))


IMAGE_COLUMNS = ("prompt", "seed", "qc_status", "qc_reason", "format", "metadata", "created_at")
"""What :func:`image_columns` gives, in order."""


def image_columns(
    raw: tuple[Any, ...],
    source: str | None,
    qc_status: str,
    created: dt.datetime,
    s: Secrets,
    keys: bool,
) -> tuple[Any, ...]:
    """A ``generated_images`` row (gif_source.IMAGE_COLUMNS) as our :data:`IMAGE_COLUMNS`:
    qc_status and created_at as given (:func:`~.gif_values.image_qc` of its QC, its time or
    a stand-in); ``keys``: its JSON names key sections (to drop)."""
    (_, mapping, _, prompt, seed, _, reason, final, temp, meta, proc, _) = raw
    metadata = parsed_json(meta)
    processing = parsed_json(proc)
    if keys:
        metadata, processing = s.strip(metadata), s.strip(processing)
    if not isinstance(metadata, dict):
        metadata = {"value": metadata}
    if "tags" in metadata:
        metadata["tags"] = tag_list(metadata["tags"])
    there: dict[str, Any] = {"image_mapping_id": mapping}
    if final is not None:
        there["final_image_path"] = final
    if temp is not None:
        there["temp_image_path"] = temp
    if processing is not None:
        there["processing_settings"] = processing
    metadata["gif"] = there
    suffix = os.path.splitext(source)[1].lstrip(".").lower() if source else ""
    return (
        s.redact(prompt if prompt is not None else _text(metadata.get("prompt"))),
        seed if isinstance(seed, int) else None,
        qc_status,
        s.redact(reason if reason is None else str(reason)),
        suffix or None,
        s.redact(as_json(metadata)),
        created,
    )


def _json(text: Any, s: Secrets) -> Any:
    """A JSON column parsed, its key sections dropped (looked for only when the text names
    one)."""
    value = parsed_json(text)
    return s.strip(value) if isinstance(text, str) and may_hold_keys(text) else value


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
