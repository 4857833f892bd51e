"""Derived columns of ``job_executions``: stored, write-maintained copies of what the listing
would otherwise compute for every row at query time (schema versions 2 to 5).

* ``label_key``: ``lower(label)``, the sort key and search text of the label;
* ``error_key``: ``lower(error_message)``, the search text of the error (version 3);
* ``error_signature``: the signature of ``error_message`` (:mod:`.signature`);
* ``duration_ms``: ``completed_at - started_at`` of a finished job, NULL otherwise;
* ``run_at``: the run date, ``started_at`` or, not started yet, ``queued_at`` (version 4): a
  plain column whose zone maps let date filters and the run-date sort skip row groups;
* ``label_rank``: the label order as an integer (version 5, :mod:`.label_rank`): cleared when
  the label is set, and placed among the other labels' ranks before the write commits;
* ``pending_images`` / ``needs_review_images``: how many image rows of the job have that QC
  status (``approved_images`` and ``qc_failed_images`` exist already, processing failures are
  ``failed_images - qc_failed_images``).

The expressions are written over bare column names, so the migrations' back-fills, the
demo's bulk load and :class:`~jobdash.store.store.JobStore`'s writes share them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .signature import signature_sql

EXPRESSIONS: dict[str, str] = {
    "label_key": "lower(label)",
    "error_key": "lower(error_message)",
    "error_signature": signature_sql("error_message"),
    "duration_ms": "date_diff('millisecond', started_at, completed_at)",
    "run_at": "coalesce(started_at, queued_at)",
    "label_rank": "NULL",
}
"""Each derived column and its SQL over the row's own columns."""

INPUTS: dict[str, frozenset[str]] = {
    "label_key": frozenset({"label"}),
    "error_key": frozenset({"error_message"}),
    "error_signature": frozenset({"error_message"}),
    "duration_ms": frozenset({"started_at", "completed_at"}),
    "run_at": frozenset({"started_at", "queued_at"}),
    "label_rank": frozenset({"label"}),
}
"""The columns each derived column is computed from."""

QC_COUNTERS: dict[str, str] = {"pending": "pending_images", "needs_review": "needs_review_images"}
"""Image QC status -> the job column counting the job's images in it (new in version 2)."""


def backfill_sql(columns: Sequence[str]) -> str:
    """``UPDATE`` computing the given derived columns (of :data:`EXPRESSIONS`) of every row."""
    return "UPDATE job_executions SET " + ", ".join(
        f"{column} = {EXPRESSIONS[column]}" for column in columns
    )


COUNT_IMAGES_SQL = (
    "UPDATE job_executions SET "
    + ", ".join(f"{column} = c.{column}" for column in QC_COUNTERS.values())
    + " FROM (SELECT execution_id, "
    + ", ".join(
        f"count(*) FILTER (qc_status = '{status}') AS {column}"
        for status, column in QC_COUNTERS.items()
    )
    + " FROM generated_images GROUP BY execution_id) c WHERE job_executions.id = c.execution_id"
)
"""``UPDATE`` setting the QC counters of every job from its image rows."""


def refresh_sql(changed: Iterable[str]) -> str:
    """``UPDATE`` (one ``?``: the job id) recomputing the derived columns whose inputs are
    among the ``changed`` columns of that job; '' when none are."""
    changed = set(changed)
    columns = [column for column, inputs in INPUTS.items() if inputs & changed]
    if not columns:
        return ""
    assignments = ", ".join(f"{column} = {EXPRESSIONS[column]}" for column in columns)
    return f"UPDATE job_executions SET {assignments} WHERE id = ?"


def count_image_sql(qc_status: str) -> str | None:
    """``UPDATE`` (one ``?``: the job id) counting one new image of ``qc_status`` in its
    job's counter; None when no version-2 counter keeps that status."""
    column = QC_COUNTERS.get(qc_status)
    if column is None:
        return None
    return f"UPDATE job_executions SET {column} = {column} + 1 WHERE id = ?"


def image_qc_test(qc_status: str) -> str:
    """Condition (alias ``j``): the job has at least one image with ``qc_status``."""
    if qc_status == "approved":
        return "j.approved_images > 0"
    if qc_status == "qc_failed":
        return "j.qc_failed_images > 0"
    if qc_status == "processing_failed":
        return "j.failed_images > j.qc_failed_images"
    return f"j.{QC_COUNTERS[qc_status]} > 0"
