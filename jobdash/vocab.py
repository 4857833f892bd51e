"""Vocabularies shared by every layer: job statuses, image QC statuses, sort keys,
analysis buckets."""

from __future__ import annotations

import re

from .errors import ValidationError

JOB_STATUSES: tuple[str, ...] = ("pending", "running", "completed", "failed", "stopped")
ACTIVE_STATUSES: tuple[str, ...] = ("pending", "running")
QC_STATUSES: tuple[str, ...] = (
    "pending",
    "approved",
    "needs_review",
    "qc_failed",
    "processing_failed",
)
# Their names as people read them (the page, the gallery, the workbook's sheets and Summary).
JOB_STATUS_LABELS: dict[str, str] = {
    "pending": "Pending",
    "running": "Running",
    "completed": "Completed",
    "failed": "Failed",
    "stopped": "Stopped",
}
QC_STATUS_LABELS: dict[str, str] = {
    "pending": "Pending",
    "approved": "Approved",
    "needs_review": "Needs review",
    "qc_failed": "QC failed",
    "processing_failed": "Processing failed",
}
SORT_KEYS: tuple[str, ...] = ("id", "label", "status", "started_at", "duration", "images")
PAGE_SIZES: tuple[int, ...] = (25, 50, 100)
LABEL_MAX = 200
# Failure analysis: time buckets of a trend, and the two kinds of lost or held image
# (a processing stage failed: technical; QC judged it: qc_verdict).
BUCKETS: tuple[str, ...] = ("hour", "day", "week")
QC_VERDICT = "qc_verdict"
TECHNICAL = "technical"

_JOB_ID_RE = re.compile(r"^\s*(?:job-?)?0*(\d{1,18})\s*$", re.IGNORECASE)


def format_job_id(job_id: int) -> str:
    """``42`` -> ``JOB-000042``."""
    return f"JOB-{int(job_id):06d}"


def parse_job_id(text: str) -> int | None:
    """``123``, ``JOB-000123`` and ``job-123`` -> 123; anything else -> None."""
    match = _JOB_ID_RE.match(text or "")
    return int(match.group(1)) if match else None


def check_bucket(bucket: str) -> None:
    """Refuse a bucket size other than hour, day or week with ValidationError."""
    if bucket not in BUCKETS:
        raise ValidationError(f"bucket: {bucket!r} is not one of {', '.join(BUCKETS)}", "bucket")
