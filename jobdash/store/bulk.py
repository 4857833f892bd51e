"""Bulk load of a synthetic job history, set-based inside DuckDB (the SQL of ``jobdash demo``).

A :class:`HistoryPlan` (built by :mod:`jobdash.demo`) holds the domain content: configurations,
error taxonomy, QC reasons, labels and rates. This module turns it into rows with a handful of
``INSERT ... SELECT`` statements over ``range(n)``: every "random" value is a hash of the row
number, a column number and the seed, so a million jobs (ten million images, fifteen million
events) take about a minute on two cores and the same plan always gives the same tables.
Images and events are inserted in job order, so DuckDB's zone maps keep lookups by
``execution_id`` to a few milliseconds at that size.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import duckdb

from ..errors import Conflict
from . import derived, label_rank
from .rows import one
from .store import JobStore

BUCKETS = 1000
"""Resolution of weighted choices: a weight table becomes a list of this many indexes."""
Draw = Callable[[list[dict]], dict[int, tuple[str, str]]]
"""Draws the files of image rows; returns ``{image id: (file_path, thumbnail_path)}``."""
PERMUTATION_PRIME = 1009
"""Scatters QC statuses inside a job: position ``(i * prime + offset) % total`` is a
permutation for every job with fewer images than this prime."""


@dataclass(frozen=True)
class ImageText:
    """What the images of one keyword of a version say: prompt and metadata."""

    keyword: str
    prompt: str
    metadata: dict
    """``title``, ``description`` and ``tags`` of such an image."""


@dataclass(frozen=True)
class VersionSpec:
    """One version of a configuration and what its jobs can run into."""

    name: str
    version: int
    settings: dict
    """The settings JSON (``prompt_template``, ``keywords``, ``count``, ``variations``,
    ``width``, ``height``, ``format``, ``generator``, ``processing``, ``qc``)."""
    start: float
    """Position on the timeline (0 = oldest job, 1 = newest) from which jobs use this
    version; the first version of a name starts before 0."""
    error_weights: tuple[float, ...]
    """Weight of each of the plan's ``errors`` for a failed job of this version (0: never)."""
    stage_weights: tuple[float, ...]
    """Weight of each of the plan's ``stages`` for the images that fail processing."""
    texts: tuple[ImageText, ...]
    """One per keyword of the settings, in order."""


@dataclass(frozen=True)
class ErrorSpec:
    """One kind of job failure: where it happens and the message it leaves."""

    step: str
    """``error_step`` of the job (initialise, generate, download or a processing stage)."""
    template: str
    """``error_message``; ``{gen}``, ``{gens}``, ``{image}``, ``{keyword}``, ``{job}``,
    ``{uuid}``, ``{hex}`` and ``{a}`` are filled in per job."""
    a: tuple[int, int] = (0, 0)
    """Inclusive range of the number ``{a}``."""
    delay_s: float = 5.0
    """Seconds the failing attempt takes (a timeout takes its 60 s)."""
    after_generation: bool = False
    """The failure comes after every generation ran (post-processing, metadata)."""


@dataclass(frozen=True)
class ReasonSpec:
    """A QC reason for an image; ``{a}`` and ``{d}`` (one digit) are filled in per image."""

    template: str
    a: tuple[int, int] = (0, 0)
    weight: float = 1.0


@dataclass(frozen=True)
class Incident:
    """A stretch of the timeline where one error suddenly fails many jobs."""

    start: float
    end: float
    failure_rate: float
    error: int
    """Index into the plan's ``errors``."""


@dataclass(frozen=True)
class HistoryPlan:
    """Everything a synthetic history is drawn from; :func:`load_history` only combines it."""

    jobs: int
    seed: int
    now: dt.datetime
    """End of the history (naive UTC): the queued jobs were queued shortly before it; no job
    is left running (the first opener would mark it interrupted: a failure nobody caused)."""
    span_days: float
    """How far back the oldest job was queued."""
    pending: int
    """Newest jobs left queued (reruns of recent failures)."""
    on_disk: int
    """Newest started jobs whose image rows get files (paths filled in afterwards)."""
    disk_side: int
    """Longest side in pixels of the images drawn on disk (their rows carry that size)."""
    versions: tuple[VersionSpec, ...]
    config_weights: dict[str, float]
    errors: tuple[ErrorSpec, ...]
    stages: tuple[str, ...]
    qc_failed_reasons: tuple[ReasonSpec, ...]
    review_reasons: tuple[ReasonSpec, ...]
    labels: dict[str, float]
    """Label templates (``{name}``, ``{version}``, ``{stamp}``, ``{keyword}``, ``{month}``,
    ``{n}``) with their weights."""
    odd_labels: tuple[str, ...]
    odd_label_rate: float
    no_label_rate: float
    status_weights: dict[str, float]
    """Weights of ``completed``, ``failed`` and ``stopped`` for finished jobs."""
    stop_message: str
    """``error_message`` of a stopped job (``{gen}``, ``{gens}``)."""
    rerun_rate: float
    retry_rate: float
    """Share of started jobs that hit one HTTP 429 and retried successfully."""
    retry_message: str
    """Warning of such a retry (``{a}`` seconds)."""
    qc_rates: dict[str, float]
    """Upper bounds of the per-job shares of ``processing_failed``, ``qc_failed`` and
    ``needs_review`` images in completed jobs."""
    incidents: tuple[Incident, ...] = field(default_factory=tuple)


def buckets(weights: Sequence[float], size: int = BUCKETS) -> list[int]:
    """``size`` 1-based indexes into ``weights``, each repeated in proportion to its weight
    (a weighted choice is then ``buckets[1 + floor(u * size)]`` for a uniform ``u``)."""
    total = float(sum(weights))
    if total <= 0:
        raise ValueError("weights must not all be zero")
    out: list[int] = []
    acc = 0.0
    for index, weight in enumerate(weights, start=1):
        acc += weight
        out.extend([index] * (round(acc / total * size) - len(out)))
    return out


# -- the SQL -------------------------------------------------------------------------------
# Uniform (0, 1) and standard normal pseudo-random numbers from a row key, a column number
# and the seed. Temporary macros live only on the loading cursor.
_MACROS = (
    "CREATE OR REPLACE TEMP MACRO demo_u(x, k, s) AS "
    "(((hash(x, k, s) >> 11)::DOUBLE + 0.5) / 9007199254740992.0)",
    "CREATE OR REPLACE TEMP MACRO demo_z(x, k, s) AS "
    "(sqrt(-2 * ln(demo_u(x, k, s))) * cos(2 * pi() * demo_u(x, k + 1000, s)))",
    "CREATE OR REPLACE TEMP MACRO demo_ts(sec) AS make_timestamp((round(sec, 3) * 1e6)::BIGINT)",
    "CREATE OR REPLACE TEMP MACRO demo_pick(list, u) AS list[1 + floor(u * len(list))::INTEGER]",
)

_VERSIONS_TABLE = """
    CREATE TEMP TABLE demo_versions (
        vi INTEGER, cid BIGINT, name_idx INTEGER, name VARCHAR, version INTEGER,
        start_frac DOUBLE, settings VARCHAR, n_kw INTEGER, gens INTEGER, variations INTEGER,
        width INTEGER, height INTEGER, fmt VARCHAR, err_buckets INTEGER[],
        stage_buckets INTEGER[])"""

# One row per keyword of a version: its prompt, the metadata of its images and the end of
# the message of a generation event (``/8: 2 images for “lake”``).
_TEXTS_TABLE = """
    CREATE TEMP TABLE demo_texts (
        vi INTEGER, k INTEGER, keyword VARCHAR, prompt VARCHAR, metadata VARCHAR,
        generation VARCHAR)"""

_ERRORS_TABLE = """
    CREATE TEMP TABLE demo_errors (
        ei INTEGER, step VARCHAR, template VARCHAR, a_lo INTEGER, a_hi INTEGER,
        delay_s DOUBLE, after_gen BOOLEAN)"""

_INCIDENTS_TABLE = """
    CREATE TEMP TABLE demo_incidents (lo DOUBLE, hi DOUBLE, rate DOUBLE, ei INTEGER)"""

# Stage A: position on the timeline, status, popularity, label choice and rerun intent.
# ``hist`` counts the finished jobs, which share the timeline; the last ``pending`` are queued.
# None is left running: no process runs it, so the first opener would mark it failed.
_STAGE_A = """
    CREATE TEMP TABLE demo_a AS
    WITH r AS (
        SELECT n, $first_job + n AS id,
               CASE WHEN n >= $jobs - $pending THEN 'pending' END AS live,
               least(1.0, (n + 0.1 + 0.8 * demo_u(n, 1, $seed)) / $hist) AS pos,
               demo_u(n, 2, $seed) AS u_status, demo_u(n, 3, $seed) AS u_incident,
               demo_u(n, 4, $seed) AS u_config, demo_u(n, 6, $seed) AS u_rerun
        FROM range($jobs) t(n)
    )
    SELECT r.n, r.id, r.pos,
           CASE WHEN r.live = 'pending' THEN $now_s - 90 + (r.n - ($jobs - $pending)) * 0.25
                ELSE $t0_s + r.pos * $span_s END AS t_queue,
           CASE WHEN r.live IS NOT NULL THEN r.live
                WHEN i.hi > r.pos AND r.u_incident < i.rate THEN 'failed'
                WHEN r.u_status < $p_completed THEN 'completed'
                WHEN r.u_status < $p_completed + $p_failed THEN 'failed'
                ELSE 'stopped' END AS status,
           CASE WHEN r.live IS NULL AND i.hi > r.pos AND r.u_incident < i.rate THEN i.ei END
               AS forced_ei,
           demo_pick($config_buckets, r.u_config) AS name_idx,
           CASE WHEN r.live IS NULL THEN r.u_rerun < $rerun_rate
                ELSE r.live = 'pending' END AS rerun_cand,
           CASE WHEN r.live = 'pending' THEN r.n - ($jobs - $pending)
                ELSE floor(demo_u(r.n, 8, $seed) * 5)::INTEGER END AS rerun_back
    FROM r ASOF LEFT JOIN demo_incidents i ON r.pos >= i.lo"""

# Stage B: the configuration version current at the job's time, and the job's own label.
_STAGE_B = """
    CREATE TEMP TABLE demo_b AS
    WITH v AS (
        SELECT a.*, v.vi AS own_vi, v.name, v.version,
               floor(demo_u(a.n, 10, $seed) * v.n_kw)::INTEGER AS kw_off,
               demo_u(a.n, 5, $seed) AS u_label
        FROM demo_a a ASOF JOIN demo_versions v
            ON a.name_idx = v.name_idx AND a.pos >= v.start_frac
    )
    SELECT v.* EXCLUDE (name, version, u_label),
           CASE WHEN u_label < $no_label_rate THEN NULL
                WHEN u_label < $no_label_rate + $odd_label_rate
                    THEN demo_pick($odd_labels, demo_u(n, 11, $seed))
                ELSE replace(replace(replace(replace(replace(replace(
                        $label_templates[demo_pick($label_buckets, demo_u(n, 12, $seed))],
                        '{name}', name),
                        '{version}', version::VARCHAR),
                        '{stamp}', strftime(demo_ts(t_queue), 'job_%Y%m%d_%H%M%S')),
                        '{month}', strftime(demo_ts(t_queue), '%B %Y')),
                        '{keyword}', t.keyword),
                        '{n}', (1 + floor(demo_u(n, 13, $seed) * 40))::INTEGER::VARCHAR)
           END AS own_label
    FROM v JOIN demo_texts t ON t.vi = v.own_vi AND t.k = v.kw_off"""

# Stage C: reruns. A rerun candidate reruns one of the five latest failed or stopped jobs
# before it (pending reruns each a different one); it takes that job's configuration
# version, keywords and label. Reruns are never rerun themselves, so labels do not chain.
_STAGE_C = """
    CREATE TEMP TABLE demo_c AS
    WITH e AS (
        SELECT *, coalesce(status IN ('failed', 'stopped') AND NOT rerun_cand, false)
                      AS eligible
        FROM demo_b
    ), r AS (
        SELECT *, sum(eligible::INTEGER) OVER (ORDER BY id ROWS BETWEEN UNBOUNDED
                                               PRECEDING AND CURRENT ROW) AS rank
        FROM e
    ), t AS (
        SELECT *, CASE WHEN rerun_cand THEN rank - eligible::INTEGER - rerun_back END AS target
        FROM r
    )
    SELECT t.* EXCLUDE (eligible, rank, target, own_vi, own_label, kw_off),
           p.id AS rerun_of,
           coalesce(p.own_vi, t.own_vi) AS vi,
           coalesce(p.kw_off, t.kw_off) AS kw_off,
           CASE WHEN p.id IS NULL THEN t.own_label
                ELSE coalesce(p.own_label, printf('JOB-%06d', p.id)) || ' (Rerun)' END AS label
    FROM t LEFT JOIN (SELECT id, own_vi, own_label, kw_off, rank FROM r WHERE eligible) p
        ON p.rank = t.target"""

# Stage D: outcome, counters, timings (epoch seconds), offsets of the job's first image and
# event, and its list of event codes: 1 queued, 2 started, 3 initialised, 4 retried after
# HTTP 429, 1000+g generation g, 10 post-processing, 11 processing warning, 12 metadata,
# 13 QC, 14 finalise, 20 error, 30 stop requested, 15 end of the run.
_STAGE_D = """
    CREATE TEMP TABLE demo_jobs AS
    WITH c AS (
        SELECT c.*, v.cid, v.gens, v.variations AS var, v.fmt, v.n_kw,
               c.n >= $jobs - $pending - $on_disk AND c.status <> 'pending' AS on_disk,
               CASE WHEN c.n >= $jobs - $pending - $on_disk AND c.status <> 'pending'
                    THEN round(v.width * $disk_side / greatest(v.width, v.height))::INTEGER
                    ELSE v.width END AS width,
               CASE WHEN c.n >= $jobs - $pending - $on_disk AND c.status <> 'pending'
                    THEN round(v.height * $disk_side / greatest(v.width, v.height))::INTEGER
                    ELSE v.height END AS height,
               CASE WHEN c.status = 'failed'
                    THEN coalesce(c.forced_ei, demo_pick(v.err_buckets, demo_u(c.n, 20, $seed)))
               END AS ei,
               $stages[demo_pick(v.stage_buckets, demo_u(c.n, 39, $seed))] AS img_stage,
               -- seconds: set-up overhead, per image (log-normal), heavy-tailed slow-downs
               15 + 45 * demo_u(c.n, 21, $seed) AS oh,
               exp(ln(30) + 0.35 * demo_z(c.n, 22, $seed)) AS per_img,
               exp(0.45 * demo_z(c.n, 24, $seed))
                   * CASE WHEN demo_u(c.n, 26, $seed) < 0.06
                          THEN 2 + 10 * demo_u(c.n, 27, $seed) ELSE 1 END AS slow,
               c.t_queue + 1 + 40 * pow(demo_u(c.n, 28, $seed), 3)
                   + CASE WHEN demo_u(c.n, 29, $seed) < 0.03
                          THEN 600 * demo_u(c.n, 30, $seed) ELSE 0 END AS t_start_raw
        FROM demo_c c JOIN demo_versions v ON v.vi = c.vi
    ), d AS (
        SELECT c.*, err.step AS err_step, err.a_lo, err.a_hi, err.delay_s,
               coalesce(err.after_gen, false) AS after_gen,
               least(9000, c.oh + c.gens * c.var * c.per_img * c.slow) AS full_s
        FROM c LEFT JOIN demo_errors err ON err.ei = c.ei
    ), e0 AS (
        SELECT d.*,
               CASE status WHEN 'pending' THEN NULL ELSE t_start_raw END AS t_start,
               CASE status
                   WHEN 'completed' THEN gens
                   WHEN 'failed' THEN CASE WHEN after_gen THEN gens
                                           WHEN err_step = 'initialise' THEN 0
                                           ELSE floor(demo_u(n, 31, $seed) * gens)::INTEGER END
                   WHEN 'pending' THEN 0
                   ELSE floor(demo_u(n, 31, $seed) * gens)::INTEGER END AS gens_done
        FROM d
    ), e AS (
        SELECT e0.*, 0.7 * (full_s - oh) / gens AS gen_step
        FROM e0
    ), f AS (
        SELECT e.*, t_start + 0.5 * oh AS gen_t0, gens_done * var AS total,
               CASE status
                   WHEN 'completed' THEN t_start + full_s
                   WHEN 'failed' THEN CASE
                       WHEN after_gen THEN t_start + 0.5 * oh + gens * gen_step
                                           + (0.1 + 0.2 * demo_u(n, 32, $seed)) * (full_s - oh)
                       ELSE t_start + 0.5 * oh + gens_done * gen_step + delay_s
                            + 5 * demo_u(n, 32, $seed) END
                   WHEN 'stopped' THEN t_start + 0.5 * oh + (gens_done + 0.5) * gen_step
               END AS t_end
        FROM e
    ), g AS (
        SELECT f.*,
               CASE WHEN status = 'completed'
                    THEN floor(pow(demo_u(n, 33, $seed), 3) * total * $rate_processing)::INTEGER
                    WHEN status = 'failed' AND after_gen
                    THEN 1 + floor(demo_u(n, 34, $seed) * (total - 1) * 0.5)::INTEGER
                    ELSE 0 END AS pf
        FROM f
    ), h AS (
        SELECT g.*,
               CASE WHEN status = 'completed'
                    THEN floor(pow(demo_u(n, 35, $seed), 2) * (total - pf) * $rate_qc)::INTEGER
                    ELSE 0 END AS qf
        FROM g
    ), k AS (
        SELECT h.*,
               CASE WHEN status = 'completed'
                    THEN floor(demo_u(n, 36, $seed) * (total - pf - qf) * $rate_review)::INTEGER
                    ELSE 0 END AS nr,
               floor(demo_u(n, 37, $seed) * (a_hi - a_lo + 1))::INTEGER + a_lo AS a,
               status <> 'pending' AND gens_done > 0
                   AND demo_u(n, 38, $seed) < $retry_rate AS retried
        FROM h
    ), l AS (
        SELECT k.* EXCLUDE (t_start_raw, a_lo, a_hi, delay_s, per_img, slow, forced_ei,
                            name_idx, rerun_cand, rerun_back),
               CASE WHEN status = 'completed' THEN total - pf - qf - nr ELSE 0 END AS ap,
               list_concat(
                   [1],
                   CASE WHEN status = 'pending' THEN []::INTEGER[]
                        WHEN err_step = 'initialise' THEN [2] ELSE [2, 3] END,
                   CASE WHEN retried THEN [4] ELSE []::INTEGER[] END,
                   list_transform(range(gens_done), lambda x: 1000 + x::INTEGER),
                   CASE status
                       WHEN 'completed' THEN list_concat(
                           [10], CASE WHEN pf > 0 THEN [11] ELSE []::INTEGER[] END,
                           [12, 13, 14, 15])
                       WHEN 'failed' THEN [20, 15]
                       WHEN 'stopped' THEN [30, 15]
                       ELSE []::INTEGER[] END
               ) AS codes
        FROM k
    )
    SELECT *, sum(total) OVER w - total AS img_off, sum(len(codes)) OVER w - len(codes) AS ev_off
    FROM l
    WINDOW w AS (ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"""

# The error message of a failed job, its placeholders filled in.
_FILL_ERROR = """
    replace(replace(replace(replace(replace(replace(replace(replace(err_template,
        '{gen}', (gens_done + 1)::VARCHAR), '{gens}', gens::VARCHAR),
        '{image}', printf('img_%04d.%s', greatest(total, 1), fmt)),
        '{keyword}', err_keyword),
        '{job}', id::VARCHAR),
        '{uuid}', printf('%08x-%04x-4%03x-a%03x-%012x', hash(id, 40, $seed) % 4294967296,
                         hash(id, 41, $seed) % 65536, hash(id, 42, $seed) % 4096,
                         hash(id, 43, $seed) % 4096, hash(id, 44, $seed) % 281474976710656)),
        '{hex}', printf('%016x', hash(id, 45, $seed))),
        '{a}', a::VARCHAR)"""

# Columns a failed job's message needs: the error template and the keyword it failed on.
_ERROR_JOIN = """
    LEFT JOIN demo_errors err ON err.ei = j.ei
    LEFT JOIN demo_texts ek ON ek.vi = j.vi AND ek.k = (j.kw_off + j.gens_done) % j.n_kw"""

# The derived columns (see :mod:`.derived`) are computed over the named columns of the rows;
# the images of a job count ``nr`` needing review and, past the other statuses, pending ones.
_INSERT_JOBS = f"""
    INSERT INTO job_executions (id, label, status, configuration_id, configuration_snapshot,
        rerun_of, queued_at, started_at, completed_at, progress, total_images,
        successful_images, failed_images, approved_images, qc_failed_images, error_message,
        error_step, updated_at, {", ".join(derived.EXPRESSIONS)}, needs_review_images,
        pending_images)
    SELECT * EXCLUDE (nr, pf), {", ".join(derived.EXPRESSIONS.values())}, nr,
           total_images - approved_images - nr - qc_failed_images - pf
    FROM (
        SELECT id, label, status, cid, settings, rerun_of, demo_ts(t_queue) AS queued_at,
               demo_ts(t_start) AS started_at, demo_ts(t_end) AS completed_at,
               CASE status WHEN 'completed' THEN 100 WHEN 'pending' THEN 0
                    ELSE least(95, 20 + floor(70 * gens_done / gens)::INTEGER) END,
               total AS total_images, total - qf - pf, qf + pf, ap AS approved_images,
               qf AS qc_failed_images,
               CASE status WHEN 'failed' THEN {_FILL_ERROR}
                    WHEN 'stopped' THEN replace(replace($stop_message,
                        '{{gen}}', (gens_done + 1)::VARCHAR), '{{gens}}', gens::VARCHAR)
               END AS error_message,
               CASE status WHEN 'failed' THEN err_step WHEN 'stopped' THEN 'generate' END,
               demo_ts(coalesce(t_end, t_start, t_queue)), nr, pf
        FROM (SELECT j.*, v.settings, err.template AS err_template, ek.keyword AS err_keyword
              FROM demo_jobs j JOIN demo_versions v ON v.vi = j.vi {_ERROR_JOIN}))"""

# One row per image, in job order. ``p`` is the image's place in a per-job permutation:
# the first ``ap`` places are approved, then needs_review, qc_failed, processing_failed,
# and the rest (jobs that never reached QC) pending.
_INSERT_IMAGES = """
    INSERT INTO generated_images
    WITH i AS (
        SELECT j.id, j.vi, j.status, j.total, j.var, j.kw_off, j.n_kw, j.ap, j.nr, j.qf, j.pf,
               j.err_step, j.img_stage, j.width, j.height, j.fmt, j.gen_t0, j.gen_step,
               j.img_off, unnest(range(j.total)) AS i
        FROM demo_jobs j WHERE j.total > 0
    ), s AS (
        SELECT i.*, $first_image + img_off + i AS image_id, i // var AS gen,
               (i * $prime + hash(id, 50, $seed) % $prime) % total AS p
        FROM i
    ), t AS (
        SELECT s.*,
               CASE WHEN p < ap THEN 'approved'
                    WHEN p < ap + nr THEN 'needs_review'
                    WHEN p < ap + nr + qf THEN 'qc_failed'
                    WHEN p < ap + nr + qf + pf THEN 'processing_failed'
                    ELSE 'pending' END AS qc_status,
               demo_u(image_id, 51, $seed) AS u1, demo_u(image_id, 52, $seed) AS u2,
               (kw_off + gen) % n_kw AS k
        FROM s
    )
    SELECT image_id, t.id, x.prompt,
           (hash(t.id, gen, $seed) % 2147483647)::BIGINT + i % var,
           qc_status,
           CASE qc_status
               WHEN 'qc_failed' THEN replace(replace(
                   $qc_templates[demo_pick($qc_buckets, u1)],
                   '{a}', (floor(u2 * ($qc_hi[demo_pick($qc_buckets, u1)]
                                       - $qc_lo[demo_pick($qc_buckets, u1)] + 1))::INTEGER
                           + $qc_lo[demo_pick($qc_buckets, u1)])::VARCHAR),
                   '{d}', (hash(image_id, 53, $seed) % 10)::VARCHAR)
               WHEN 'needs_review' THEN replace(replace(
                   $review_templates[demo_pick($review_buckets, u1)],
                   '{a}', (floor(u2 * ($review_hi[demo_pick($review_buckets, u1)]
                                       - $review_lo[demo_pick($review_buckets, u1)] + 1))::INTEGER
                           + $review_lo[demo_pick($review_buckets, u1)])::VARCHAR),
                   '{d}', (hash(image_id, 53, $seed) % 10)::VARCHAR)
               WHEN 'processing_failed' THEN 'processing_failed:'
                   || CASE WHEN status = 'failed' THEN err_step ELSE img_stage END
           END,
           NULL, NULL, width, height, fmt,
           CASE qc_status WHEN 'approved' THEN round(0.72 + 0.27 * u2, 3)
                          WHEN 'needs_review' THEN round(0.5 + 0.2 * u2, 3)
                          WHEN 'qc_failed' THEN round(0.1 + 0.4 * u2, 3) END,
           CASE WHEN qc_status IN ('approved', 'needs_review', 'qc_failed') THEN x.metadata END,
           demo_ts(gen_t0 + (gen + 1) * gen_step + 0.4 * (i % var))
    FROM t JOIN demo_texts x ON x.vi = t.vi AND x.k = t.k"""

# One row per event code, in job order (see the codes of _STAGE_D).
_INSERT_EVENTS = f"""
    INSERT INTO job_events
    WITH x AS (
        SELECT j.*, unnest(j.codes) AS code, unnest(range(len(j.codes))) AS pos_in_job
        FROM demo_jobs j
    ), y AS (
        SELECT x.*, t_start + 0.5 * oh + gens_done * gen_step AS gen_end, code - 1000 AS g,
               CASE WHEN code >= 1000 THEN (kw_off + code - 1000) % n_kw END AS gk
        FROM x
    ), j AS (
        SELECT j.*, v.name, v.version, gt.generation, err.template AS err_template,
               ek.keyword AS err_keyword
        FROM y j JOIN demo_versions v ON v.vi = j.vi
        LEFT JOIN demo_texts gt ON gt.vi = j.vi AND gt.k = j.gk {_ERROR_JOIN}
    )
    SELECT $first_event + ev_off + pos_in_job, id,
           demo_ts(CASE code
               WHEN 1 THEN t_queue
               WHEN 2 THEN t_start
               WHEN 3 THEN t_start + 0.2 * oh
               WHEN 4 THEN gen_t0 + 0.3 * gen_step
               WHEN 10 THEN gen_end + 0.15 * (t_end - gen_end)
               WHEN 11 THEN gen_end + 0.3 * (t_end - gen_end)
               WHEN 12 THEN gen_end + 0.5 * (t_end - gen_end)
               WHEN 13 THEN gen_end + 0.75 * (t_end - gen_end)
               WHEN 14 THEN gen_end + 0.95 * (t_end - gen_end)
               WHEN 30 THEN t_end - 0.25 * gen_step
               WHEN 20 THEN t_end
               WHEN 15 THEN t_end
               ELSE gen_t0 + (g + 1) * gen_step END),
           CASE WHEN code IN (4, 11, 30) THEN 'warn'
                WHEN code = 20 OR (code = 15 AND status = 'failed') THEN 'error'
                ELSE 'info' END,
           CASE WHEN code >= 1000 THEN 'generate'
                ELSE CASE code WHEN 1 THEN 'queue' WHEN 3 THEN 'initialise' WHEN 4 THEN 'generate'
                     WHEN 10 THEN 'process' WHEN 11 THEN 'process' WHEN 12 THEN 'metadata'
                     WHEN 13 THEN 'qc' WHEN 14 THEN 'finalise' WHEN 20 THEN err_step
                     ELSE 'runner' END END,
           CASE code WHEN 4 THEN 'retry' WHEN 11 THEN img_stage END,
           CASE WHEN code >= 1000 THEN concat('Generation ', g + 1, generation)
                ELSE CASE code
                WHEN 1 THEN CASE WHEN rerun_of IS NOT NULL
                                 THEN printf('Queued as a rerun of JOB-%06d', rerun_of)
                                 ELSE printf('Queued from configuration %s v%d', name, version) END
                WHEN 2 THEN 'Job started'
                WHEN 3 THEN printf('Loaded %d keywords and the prompt template', n_kw)
                WHEN 4 THEN replace($retry_message, '{{a}}',
                                    (5 + hash(id, 60, $seed) % 56)::VARCHAR)
                WHEN 10 THEN printf('Post-processed %d of %d images', total - pf, total)
                WHEN 11 THEN printf('%d image%s failed post-processing (%s)', pf,
                                    CASE WHEN pf = 1 THEN '' ELSE 's' END, img_stage)
                WHEN 12 THEN printf('Wrote title, description and tags for %d images', total - pf)
                WHEN 13 THEN printf('QC: %d approved, %d need review, %d failed', ap, nr, qf)
                WHEN 14 THEN printf('Moved %d approved image%s to the output folder', ap,
                                    CASE WHEN ap = 1 THEN '' ELSE 's' END)
                WHEN 20 THEN {_FILL_ERROR}
                WHEN 30 THEN 'Stop requested by the user'
                ELSE CASE status
                    WHEN 'completed' THEN printf('Job completed: %d of %d images produced',
                                                 total - qf - pf, total)
                    WHEN 'failed' THEN printf('Job failed at %s', err_step)
                    ELSE printf('Job stopped after %d of %d generations', gens_done, gens) END
                END END,
           CASE WHEN code >= 1000 THEN concat('{{"generation":', g + 1, ',"images":', var, '}}')
                WHEN code = 1 AND rerun_of IS NOT NULL THEN concat('{{"rerun_of":', rerun_of, '}}')
                WHEN code = 15 THEN concat('{{"status":"', status, '"}}')
           END
    FROM j"""

_DISK_IMAGES = """
    SELECT * FROM (
        SELECT i.id, i.execution_id, i.prompt, i.seed, i.width, i.height, i.format,
               i.qc_status, i.qc_reason,
               row_number() OVER (PARTITION BY i.execution_id ORDER BY i.id) AS number
        FROM generated_images i JOIN demo_jobs j ON j.id = i.execution_id
        WHERE j.on_disk
    ) WHERE qc_status <> 'processing_failed'
    ORDER BY id"""


def _temp_tables(
    cur: duckdb.DuckDBPyConnection, plan: HistoryPlan, first_config: int, versions: list[int]
) -> None:
    """Small temporary tables of the plan: versions, their texts, errors, incidents."""
    names = list(plan.config_weights)
    cur.execute(_VERSIONS_TABLE)
    cur.execute(_TEXTS_TABLE)
    for vi, v in enumerate(plan.versions, start=1):
        s = v.settings
        cur.execute(
            f"INSERT INTO demo_versions VALUES ({', '.join('?' * 15)})",
            [
                vi,
                first_config + vi - 1,
                names.index(v.name) + 1,
                v.name,
                versions[vi - 1],
                v.start,
                json.dumps(s),
                len(v.texts),
                s["count"],
                s["variations"],
                s["width"],
                s["height"],
                s["format"],
                buckets(v.error_weights),
                buckets(v.stage_weights),
            ],
        )
        images = f"{s['variations']} image" + ("" if s["variations"] == 1 else "s")
        cur.executemany(
            "INSERT INTO demo_texts VALUES (?, ?, ?, ?, ?, ?)",
            [
                [
                    vi,
                    k,
                    t.keyword,
                    t.prompt,
                    json.dumps(t.metadata),
                    f"/{s['count']}: {images} for “{t.keyword}”",
                ]
                for k, t in enumerate(v.texts)
            ],
        )
    cur.execute(_ERRORS_TABLE)
    cur.executemany(
        "INSERT INTO demo_errors VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            [ei, e.step, e.template, e.a[0], e.a[1], e.delay_s, e.after_generation]
            for ei, e in enumerate(plan.errors, start=1)
        ],
    )
    cur.execute(_INCIDENTS_TABLE)
    if plan.incidents:
        cur.executemany(
            "INSERT INTO demo_incidents VALUES (?, ?, ?, ?)",
            [[i.start, i.end, i.failure_rate, i.error + 1] for i in plan.incidents],
        )


def _params(plan: HistoryPlan, first_job: int) -> dict:
    """Named parameters shared by the statements."""
    now_s = plan.now.replace(tzinfo=dt.UTC).timestamp()
    span_s = plan.span_days * 86400.0
    status = plan.status_weights
    finished = sum(status.values())
    qc_failed, review = plan.qc_failed_reasons, plan.review_reasons
    return {
        "jobs": plan.jobs,
        "pending": plan.pending,
        "seed": plan.seed,
        "first_job": first_job,
        "hist": max(1, plan.jobs - plan.pending),
        "now_s": now_s,
        # Finished jobs end at least three hours before now: the longest run is 2.5 hours.
        "t0_s": now_s - span_s,
        "span_s": span_s - 3 * 3600.0,
        "p_completed": status["completed"] / finished,
        "p_failed": status["failed"] / finished,
        "rerun_rate": plan.rerun_rate,
        "retry_rate": plan.retry_rate,
        "config_buckets": buckets(list(plan.config_weights.values())),
        "no_label_rate": plan.no_label_rate,
        "odd_label_rate": plan.odd_label_rate,
        "odd_labels": list(plan.odd_labels),
        "label_templates": list(plan.labels),
        "label_buckets": buckets(list(plan.labels.values())),
        "on_disk": plan.on_disk,
        "disk_side": plan.disk_side,
        "rate_processing": plan.qc_rates["processing_failed"],
        "rate_qc": plan.qc_rates["qc_failed"],
        "rate_review": plan.qc_rates["needs_review"],
        "qc_templates": [r.template for r in qc_failed],
        "qc_lo": [r.a[0] for r in qc_failed],
        "qc_hi": [r.a[1] for r in qc_failed],
        "qc_buckets": buckets([r.weight for r in qc_failed]),
        "review_templates": [r.template for r in review],
        "review_lo": [r.a[0] for r in review],
        "review_hi": [r.a[1] for r in review],
        "review_buckets": buckets([r.weight for r in review]),
        "stages": list(plan.stages),
        "stop_message": plan.stop_message,
        "retry_message": plan.retry_message,
        "prime": PERMUTATION_PRIME,
    }


def _run(cur: duckdb.DuckDBPyConnection, sql: str, params: dict) -> None:
    """Execute ``sql`` with only the named parameters it uses."""
    cur.execute(sql, {k: v for k, v in params.items() if f"${k}" in sql})


def _version_numbers(cur: duckdb.DuckDBPyConnection, plan: HistoryPlan) -> list[int]:
    """Version number of each plan version: after those already stored under its name."""
    stored = dict(
        cur.execute("SELECT name, max(version) FROM configurations GROUP BY name").fetchall()
    )
    return [stored.get(v.name, 0) + v.version for v in plan.versions]


def _insert_configurations(
    cur: duckdb.DuckDBPyConnection,
    plan: HistoryPlan,
    first_config: int,
    versions: list[int],
    params: dict,
) -> None:
    """Configurations: one row per version, created when the version became current (the
    first ones two days before the oldest job)."""
    rows = []
    for vi, v in enumerate(plan.versions, start=1):
        seconds = params["t0_s"] + max(v.start, 0.0) * params["span_s"]
        at = dt.datetime.fromtimestamp(seconds, dt.UTC).replace(tzinfo=None, microsecond=0)
        at -= dt.timedelta(days=2) if v.start <= 0 else dt.timedelta()
        rows.append(
            [first_config + vi - 1, v.name, versions[vi - 1], json.dumps(v.settings), at, at]
        )
    cur.executemany("INSERT INTO configurations VALUES (?, ?, ?, ?, ?, ?)", rows)


def load_history(store: JobStore, plan: HistoryPlan, draw: Draw | None = None) -> dict[str, int]:
    """Write the history of ``plan`` in one transaction; returns the row counts.

    ``draw(rows)``, when given, is called inside the transaction with the image rows of the
    jobs that get files (dicts: id, execution_id, prompt, seed, width, height, format,
    qc_status, qc_reason, number) and returns ``{image id: (file_path,
    thumbnail_path)}``; those paths are stored. If anything fails nothing is written.
    Raises :class:`~jobdash.errors.Conflict` when the history already holds jobs."""
    with store.transaction() as tx:
        cur = tx._cur
        (existing,) = one(cur.execute("SELECT count(*) FROM job_executions"))
        if existing:
            raise Conflict(
                f"{store.path} already holds {existing:,} jobs: a demo history is "
                "written only into an empty one. Choose another --db path, or "
                "delete the file (and its images folder) first."
            )
        first_config = store.reserve_ids("configurations", len(plan.versions))
        first_job = store.reserve_ids("job_executions", plan.jobs)
        params = _params(plan, first_job)
        versions = _version_numbers(cur, plan)
        for macro in _MACROS:
            cur.execute(macro)
        _temp_tables(cur, plan, first_config, versions)
        _insert_configurations(cur, plan, first_config, versions, params)
        for sql in (_STAGE_A, _STAGE_B, _STAGE_C, _STAGE_D):
            _run(cur, sql, params)
        images, events = one(
            cur.execute(
                "SELECT img_off + total, ev_off + len(codes) FROM demo_jobs WHERE n = ?",
                [plan.jobs - 1],
            )
        )
        params["first_image"] = store.reserve_ids("generated_images", int(images))
        params["first_event"] = store.reserve_ids("job_events", int(events))
        for sql in (_INSERT_JOBS, _INSERT_IMAGES, _INSERT_EVENTS):
            _run(cur, sql, params)
        label_rank.number_all(cur)
        files = 0
        if draw is not None and plan.on_disk:
            cur.execute(_DISK_IMAGES)
            names = [d[0] for d in cur.description]
            paths = draw([dict(zip(names, row, strict=True)) for row in cur.fetchall()])
            files = len(paths)
            if paths:
                ids = list(paths)
                cur.execute(
                    "UPDATE generated_images SET file_path = u.f, thumbnail_path = u.t "
                    "FROM (SELECT unnest(?::BIGINT[]) AS id, unnest(?::VARCHAR[]) AS f, "
                    "unnest(?::VARCHAR[]) AS t) u WHERE generated_images.id = u.id",
                    [ids, [paths[i][0] for i in ids], [paths[i][1] for i in ids]],
                )
        for table in (
            "demo_jobs",
            "demo_c",
            "demo_b",
            "demo_a",
            "demo_versions",
            "demo_texts",
            "demo_errors",
            "demo_incidents",
        ):
            cur.execute(f"DROP TABLE {table}")
    return {
        "configurations": len(plan.versions),
        "jobs": plan.jobs,
        "images": int(images),
        "events": int(events),
        "image_files": files,
    }
