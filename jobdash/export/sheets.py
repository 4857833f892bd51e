"""The Jobs and Images sheets as people read them: the page's words and ids.

* Statuses and QC statuses by name ("Completed", "QC failed"), not their codes.
* Jobs as ``JOB-000042`` on every sheet: the Images sheet's job (``execution_id``) and a
  rerun's original job (``rerun_of``) too; the Images sheet starts with its job.
* ``duration_s`` becomes ``duration``, a timedelta the writer turns into an Excel duration.
* Bookkeeping a reader has no use for is left out (the job's number beside its ``JOB-``
  id, the configuration's id beside its name, a running job's progress and current step,
  the row's last change; an image's thumbnail path), so a sheet prints at a readable size
  on a page's width.

Columns that are not there are left alone, so any frame of job or image rows will do.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from jobdash.vocab import JOB_STATUS_LABELS, QC_STATUS_LABELS, format_job_id

JOBS_LEFT_OUT = ("configuration_id", "progress", "current_step", "updated_at")
JOBS_RENAMED = {
    "configuration_name": "configuration",
    "configuration_version": "version",
    "duration_s": "duration",
}
IMAGES_LEFT_OUT = ("thumbnail_path",)


def _named(series: pd.Series, names: Mapping[str, str]) -> pd.Series:
    """Codes replaced by their names; any other value kept as it is."""
    return series.map(names).where(series.isin(list(names)), series)


def _job_ids(series: pd.Series) -> pd.Series:
    """Job ids (numbers, possibly missing) as ``JOB-000042`` text; missing stays missing."""
    known = {value: format_job_id(value) for value in series.dropna().unique()}
    return series.map(known).astype(object).where(series.notna(), None)


def jobs_sheet(jobs: pd.DataFrame) -> pd.DataFrame:
    """Listing rows (``JobService.jobs``) as the Jobs sheet shows them."""
    left_out = [*JOBS_LEFT_OUT, *(["id"] if "job_id" in jobs else [])]
    out = jobs.drop(columns=[c for c in left_out if c in jobs])
    if "status" in out:
        out["status"] = _named(out["status"], JOB_STATUS_LABELS)
    if "rerun_of" in out:
        out["rerun_of"] = _job_ids(out["rerun_of"])
    if "duration_s" in out:
        out["duration_s"] = pd.to_timedelta(out["duration_s"], unit="s")
    return out.rename(columns=JOBS_RENAMED)


def images_sheet(images: pd.DataFrame) -> pd.DataFrame:
    """Image rows (the store's ``generated_images``) as the Images sheet shows them: their
    job first, as ``JOB-000042``, then the image's own id."""
    out = images.drop(columns=[c for c in IMAGES_LEFT_OUT if c in images])
    if "qc_status" in out:
        out["qc_status"] = _named(out["qc_status"], QC_STATUS_LABELS)
    out = out.rename(columns={"id": "image_id"})
    if "execution_id" in out:
        job = _job_ids(out.pop("execution_id"))
        out.insert(0, "job_id", job)
    return out
