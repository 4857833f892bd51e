"""Failure analysis in SQL: error signatures, rates over time, duration percentiles, QC reasons.

Functions over a JobStore, reading only through its read-only ``store.sql()``. The jobs in
scope are those matching a JobQuery (its filters; sort and page do not matter). Every value
reaches DuckDB as a parameter; the few identifiers that vary (bucket size, grouping) come
from the whitelists below, and anything else is refused with ValidationError. Jobs are
grouped by their stored signature (``job_executions.error_signature``, kept by every write:
:mod:`.derived`), the very value the listing filter ``JobQuery.error_signature`` tests, so a
signature's count here is the number of jobs the listing shows for it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd

from ..errors import ValidationError
from ..query import JobQuery
from ..vocab import QC_VERDICT, TECHNICAL, check_bucket
from . import listing
from .signature import signature_sql
from .store import JobStore

NO_CONFIGURATION = "(no configuration)"
NO_STEP = "(unknown)"
NO_REASON = "(no reason)"
FINISHED = "j.status IN ('completed', 'failed', 'stopped')"

_CONFIG = f"coalesce(c.name, '{NO_CONFIGURATION}')"
_FROM_JOBS = "job_executions j LEFT JOIN configurations c ON c.id = j.configuration_id"
_FROM_IMAGES = (
    "generated_images i JOIN job_executions j ON j.id = i.execution_id "
    "LEFT JOIN configurations c ON c.id = j.configuration_id"
)


def _distinct(expr: str) -> str:
    """Aggregate: the sorted distinct non-NULL values of ``expr`` (an empty list for none)."""
    return f"coalesce(list_sort(list(DISTINCT {expr}) FILTER ({expr} IS NOT NULL)), [])"


# Groupings of jobs and images, as (select list, names of the group columns).
_BY_CONFIG = {
    None: ([], []),
    "configuration": (
        [f"{_CONFIG} AS configuration", f"{_distinct('j.configuration_id')} AS configuration_ids"],
        ["configuration"],
    ),
    "version": (
        [
            f"{_CONFIG} AS configuration",
            "c.version AS version",
            "j.configuration_id AS configuration_id",
        ],
        ["configuration", "version", "configuration_id"],
    ),
}
# The pipeline stage an image was lost at: the stage of processing_failed:<stage>, or the QC
# verdict itself.
_IMAGE_STAGE = (
    f"CASE WHEN i.qc_status = 'qc_failed' THEN '{QC_VERDICT}' "
    f"ELSE coalesce(nullif(split_part(i.qc_reason, ':', 2), ''), '{NO_STEP}') END"
)
_REJECTED = "i.qc_status IN ('qc_failed', 'processing_failed')"


def _choice(field: str, value: object, allowed: Sequence[object]) -> None:
    if value not in allowed:
        shown = ", ".join("None" if a is None else str(a) for a in allowed)
        raise ValidationError(f"{field}: {value!r} is not one of {shown}", field)


def _leading(columns: Sequence[str]) -> str:
    """``a, b, `` to put group columns in front of a select list (empty for none)."""
    return "".join(f"{c}, " for c in columns)


def bucket_sql(bucket: str, column: str) -> str:
    """``date_trunc`` of ``column`` to an hour, day or ISO week (Monday); others refused."""
    check_bucket(bucket)
    return f"date_trunc('{bucket}', {column})"


# -- error signatures -----------------------------------------------------------------------


def signature_of(store: JobStore, message: str | None) -> str:
    """The signature of one error message (the same SQL the analysis and the filter use)."""
    sql = f"SELECT {signature_sql('m')} FROM (SELECT ?::VARCHAR AS m)"
    return store.sql(sql, [message]).iloc[0, 0]


def error_signatures(
    store: JobStore, query: JobQuery, *, limit: int, examples: int
) -> pd.DataFrame:
    """Jobs in scope grouped by error signature, most frequent first.

    Columns: signature, jobs, share (of the jobs in scope), first_seen, last_seen (run time),
    steps (distinct error_step), configurations (``name vN``), configuration_ids,
    example_ids (the ``examples`` most recent job ids), example_message (the latest)."""
    where_sql, params = listing.where(query)
    sql = f"""
        WITH scoped AS (
            SELECT j.id, {listing.RUN_AT} AS run_at, j.error_message, j.error_step,
                   j.configuration_id, c.name || ' v' || c.version AS configuration,
                   j.error_signature AS signature
            FROM {_FROM_JOBS} WHERE {where_sql}
        )
        SELECT signature,
               count(*) AS jobs,
               count(*) / sum(count(*)) OVER () AS share,
               min(run_at) AS first_seen,
               max(run_at) AS last_seen,
               {_distinct("error_step")} AS steps,
               {_distinct("configuration")} AS configurations,
               {_distinct("configuration_id")} AS configuration_ids,
               max_by(id, {{'at': run_at, 'id': id}}, ?) AS example_ids,
               max_by(error_message, {{'at': run_at, 'id': id}}) AS example_message
        FROM scoped
        GROUP BY signature
        ORDER BY jobs DESC, signature
        LIMIT ?"""
    return store.sql(sql, [*params, examples, limit])


def signature_daily_counts(
    store: JobStore,
    query: JobQuery,
    *,
    signatures: Sequence[str] | None,
    top: int,
    first_day: dt.date,
    last_day: dt.date,
) -> pd.DataFrame:
    """Jobs per signature and day from ``first_day`` to ``last_day``, zeros included.

    Signatures are the given ones (then only the window's jobs are read), or else the
    ``top`` most frequent in scope (all time). Columns: signature, day, jobs; ordered by
    signature rank, then day."""
    where_sql, params = listing.where(query)
    if signatures is None:
        chosen = """SELECT signature, row_number() OVER (ORDER BY sum(jobs) DESC, signature)
                        AS rank
                    FROM per_day GROUP BY signature ORDER BY rank LIMIT ?"""
        chosen_params: list[object] = [top]
    else:
        chosen = """SELECT unnest(s) AS signature, generate_subscripts(s, 1) AS rank
                    FROM (SELECT ?::VARCHAR[] AS s)"""
        chosen_params = [list(signatures)]
        # Only the window is counted, so only its jobs need reading.
        where_sql += f" AND {listing.RUN_AT} >= ?::DATE AND {listing.RUN_AT} < ?::DATE + 1"
        params = [*params, first_day, last_day]
    # Count per stored signature and day, then pick and pad.
    sql = f"""
        WITH per_day AS MATERIALIZED (
            SELECT j.error_signature AS signature, CAST({listing.RUN_AT} AS DATE) AS day,
                   count(*) AS jobs
            FROM job_executions j WHERE {where_sql}
            GROUP BY ALL
        ),
        chosen AS ({chosen}),
        days AS (SELECT CAST(unnest(range(?::DATE, ?::DATE + 1, INTERVAL 1 DAY)) AS DATE) AS day)
        SELECT s.signature, d.day, coalesce(n.jobs, 0) AS jobs
        FROM chosen s CROSS JOIN days d
        LEFT JOIN per_day n ON n.signature = s.signature AND n.day = d.day
        ORDER BY s.rank, d.day"""
    return store.sql(sql, [*params, *chosen_params, first_day, last_day])


# -- rates over time ------------------------------------------------------------------------


def failure_rate(store: JobStore, query: JobQuery, *, bucket: str, by: str | None) -> pd.DataFrame:
    """Failed / finished jobs per time bucket (run time), optionally per configuration,
    version or error step.

    Columns: bucket, the group columns, jobs (finished), failed, failure_rate. With
    ``by="step"`` there is a row per bucket and error_step of the failed jobs, and ``jobs`` is
    every finished job of the bucket, so the step rates of a bucket add up to its rate."""
    _choice("by", by, [*_BY_CONFIG, "step"])
    where_sql, params = listing.where(query)
    when = bucket_sql(bucket, listing.RUN_AT)
    if by == "step":
        sql = f"""
            SELECT bucket, step, failed, jobs, failed / jobs AS failure_rate FROM (
                SELECT bucket, step, count(*) FILTER (status = 'failed') AS failed,
                       sum(count(*)) OVER (PARTITION BY bucket) AS jobs
                FROM (SELECT {when} AS bucket, coalesce(j.error_step, '{NO_STEP}') AS step,
                             j.status
                      FROM job_executions j WHERE {where_sql} AND {FINISHED})
                GROUP BY bucket, step
            ) WHERE failed > 0
            ORDER BY bucket, failed DESC, step"""
    else:
        select, names = _BY_CONFIG[by]
        group = ", ".join(["bucket", *names])
        sql = f"""
            SELECT {when} AS bucket, {_leading(select)}
                   count(*) AS jobs,
                   count(*) FILTER (j.status = 'failed') AS failed,
                   count(*) FILTER (j.status = 'failed') / count(*) AS failure_rate
            FROM {_FROM_JOBS} WHERE {where_sql} AND {FINISHED}
            GROUP BY {group} ORDER BY {group}"""
    return store.sql(sql, params)


def qc_rejection_rate(
    store: JobStore, query: JobQuery, *, bucket: str, by: str | None
) -> pd.DataFrame:
    """Rejected images (qc_failed + processing_failed) / judged images (all but pending) per
    time bucket of image creation, optionally per configuration, version or stage.

    Columns: bucket, the group columns, images, approved, needs_review, qc_failed,
    processing_failed, rejection_rate. With ``by="stage"`` there is a row per bucket and
    stage (the ``<stage>`` of ``processing_failed:<stage>``, or ``qc_verdict`` for a QC
    failure) with columns rejected, images (of the bucket) and rejection_rate."""
    _choice("by", by, [*_BY_CONFIG, "stage"])
    where_sql, params = listing.where(query)
    when = bucket_sql(bucket, "i.created_at")
    judged = "i.qc_status <> 'pending'"
    if by == "stage":
        sql = f"""
            SELECT bucket, stage, rejected, images, rejected / images AS rejection_rate FROM (
                SELECT bucket, stage, count(*) FILTER (rejected) AS rejected,
                       sum(count(*)) OVER (PARTITION BY bucket) AS images
                FROM (SELECT {when} AS bucket, {_REJECTED} AS rejected,
                             CASE WHEN {_REJECTED} THEN {_IMAGE_STAGE} END AS stage
                      FROM {_FROM_IMAGES} WHERE {where_sql} AND {judged})
                GROUP BY bucket, stage
            ) WHERE rejected > 0
            ORDER BY bucket, rejected DESC, stage"""
    else:
        select, names = _BY_CONFIG[by]
        group = ", ".join(["bucket", *names])
        counts = "".join(
            f"count(*) FILTER (i.qc_status = '{s}') AS {s}, "
            for s in ("approved", "needs_review", "qc_failed", "processing_failed")
        )
        sql = f"""
            SELECT {when} AS bucket, {_leading(select)}
                   count(*) AS images, {counts}
                   count(*) FILTER ({_REJECTED}) / count(*) AS rejection_rate
            FROM {_FROM_IMAGES} WHERE {where_sql} AND {judged}
            GROUP BY {group} ORDER BY {group}"""
    return store.sql(sql, params)


# -- durations and QC reasons ---------------------------------------------------------------


def duration_percentiles(
    store: JobStore, query: JobQuery, *, by: str | None, now: dt.datetime
) -> pd.DataFrame:
    """p50 / p90 / p99 and max of run duration in seconds per status (and configuration or
    version) of the started jobs in scope; a running job counts its time so far.

    Columns: the group columns, status, jobs, p50_s, p90_s, p99_s, max_s."""
    _choice("by", by, list(_BY_CONFIG))
    where_sql, params = listing.where(query)
    select, names = _BY_CONFIG[by]
    group = ", ".join([*names, "status"])
    sql = f"""
        SELECT {_leading(select)} j.status AS status, count(*) AS jobs,
               quantile_cont(duration_s, 0.5) AS p50_s,
               quantile_cont(duration_s, 0.9) AS p90_s,
               quantile_cont(duration_s, 0.99) AS p99_s,
               max(duration_s) AS max_s
        FROM (SELECT *, {listing.DURATION} AS duration_s FROM job_executions j) j
        LEFT JOIN configurations c ON c.id = j.configuration_id
        WHERE {where_sql} AND j.started_at IS NOT NULL
        GROUP BY {group} ORDER BY {group}"""
    return store.sql(sql, [now, *params])


def qc_reasons(store: JobStore, query: JobQuery) -> pd.DataFrame:
    """Why images of the jobs in scope were lost or held: technical failures by stage
    (``processing_failed:<stage>``) and QC verdicts (qc_failed, needs_review) by the
    signature of their reason.

    Columns: kind (technical | qc_verdict), qc_status, reason, images, jobs, share (of every
    image in scope), example (the latest reason as written); technical first, then by count
    (QC failures before reviews on a tie)."""
    where_sql, params = listing.where(query)
    reason = (
        f"CASE WHEN i.qc_status = 'processing_failed' THEN {_IMAGE_STAGE} "
        f"ELSE {signature_sql('i.qc_reason', NO_REASON)} END"
    )
    # Reasons repeat a lot (hundreds of texts over millions of images): name each distinct
    # reason once, then join. Counting the scope apart is cheaper than materialising it.
    sql = f"""
        WITH scoped AS NOT MATERIALIZED (
            SELECT i.id, i.execution_id, i.qc_status, i.qc_reason, i.created_at
            FROM {_FROM_IMAGES} WHERE {where_sql}
        ),
        lost AS (
            SELECT * FROM scoped
            WHERE qc_status IN ('processing_failed', 'qc_failed', 'needs_review')
        ),
        named AS (
            SELECT i.qc_status, i.qc_reason, {reason} AS reason
            FROM (SELECT DISTINCT qc_status, qc_reason FROM lost) i
        )
        SELECT CASE WHEN i.qc_status = 'processing_failed' THEN '{TECHNICAL}'
                    ELSE '{QC_VERDICT}' END AS kind,
               i.qc_status, n.reason,
               count(*) AS images,
               count(DISTINCT i.execution_id) AS jobs,
               count(*) / (SELECT count(*) FROM scoped) AS share,
               max_by(i.qc_reason, {{'at': i.created_at, 'id': i.id}}) AS example
        FROM lost i
        JOIN named n ON n.qc_status = i.qc_status AND n.qc_reason IS NOT DISTINCT FROM i.qc_reason
        GROUP BY kind, i.qc_status, n.reason
        ORDER BY kind DESC, images DESC, i.qc_status = 'needs_review', n.reason"""
    return store.sql(sql, params)
