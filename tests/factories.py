"""Build precise little histories for tests through the real store (no mocks)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from jobdash.service import JobService

T0 = dt.datetime(2026, 11, 1, 9, 0, 0)


def add_config(svc: JobService, name: str = "Hero banners", **settings: Any) -> int:
    """A configuration with small, fast settings."""
    base = {
        "prompt_template": "A {keyword} photo",
        "keywords": ["lake"],
        "count": 1,
        "variations": 1,
        "width": 64,
        "height": 64,
        "format": "png",
    }
    return svc.add_configuration(name, {**base, **settings})


def add_job(
    svc: JobService,
    *,
    status: str = "completed",
    label: str | None = "job",
    config_id: int | None = None,
    started_at: dt.datetime | None = T0,
    duration_s: float | None = 60.0,
    error_message: str | None = None,
    images: list[dict[str, Any]] | None = None,
    snapshot: dict | None = None,
    rerun_of: int | None = None,
) -> int:
    """Insert one job with the given outcome (and image rows) directly through the store."""
    store = svc.store
    queued = started_at or T0
    with store.transaction() as cur:
        job_id = store.insert_job(
            cur,
            label=label,
            status=status,
            configuration_id=config_id,
            snapshot=snapshot,
            rerun_of=rerun_of,
            queued_at=queued,
        )
        fields: dict[str, Any] = {"started_at": None if status == "pending" else started_at}
        if status in ("completed", "failed", "stopped") and started_at and duration_s is not None:
            fields["completed_at"] = started_at + dt.timedelta(seconds=duration_s)
        if error_message:
            fields.update(error_message=error_message, error_step="generation")
        approved = qc_failed = failed = 0
        for image in images or []:
            image = {"qc_status": "approved", "prompt": "p", **image}
            store.add_image(cur, job_id, **image)
            approved += image["qc_status"] == "approved"
            qc_failed += image["qc_status"] == "qc_failed"
            failed += image["qc_status"] in ("qc_failed", "processing_failed")
        n = len(images or [])
        fields.update(
            total_images=n,
            successful_images=n - failed,
            failed_images=failed,
            approved_images=approved,
            qc_failed_images=qc_failed,
        )
        store.update_job(cur, job_id, **fields)
    return job_id
