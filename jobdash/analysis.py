"""Failure analysis for notebooks and the page: why jobs and images fail, and since when.

Pure functions over a JobService; every aggregation runs in DuckDB (``jobdash.store.analytics``)
and comes back as a small pandas DataFrame, or as a Bokeh figure drawn from one.

    from jobdash import analysis
    sigs = analysis.error_signatures(svc)                      # failed jobs by cause
    svc.bulk_rerun(analysis.signature_query(sigs.signature[0]))  # rerun one cause's jobs
    analysis.failure_rate(svc, bucket="week", by="configuration")

The scope of each function is a JobQuery's filters (sort and page are ignored). Signature
functions default to the failed jobs; the others to every job.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
from bokeh.models import ColumnDataSource, FactorRange, HoverTool, NumeralTickFormatter
from bokeh.plotting import figure

from .errors import ValidationError
from .query import JobQuery
from .service import JobService
from .store import analytics, utcnow
from .store.analytics import BUCKETS, QC_VERDICT, TECHNICAL
from .ui.shared.theme import COLORS, FONT

__all__ = [
    "BUCKETS", "QC_VERDICT", "TECHNICAL", "bucket_query", "duration_percentiles",
    "error_signatures", "failure_rate", "failure_trend_figure", "qc_reasons",
    "qc_reasons_figure", "qc_rejection_rate", "signature_bar_figure", "signature_daily_counts",
    "signature_of", "signature_query", "signature_trend_figure",
]

# Design tokens from the theme module (plain constants: importing it loads no Panel).
PRIMARY, SUCCESS, WARNING, ERROR, NEUTRAL, ACCENT = (
    COLORS[k] for k in ("primary", "success", "warning", "error", "neutral", "accent"))
PALETTE = (PRIMARY, ERROR, WARNING, SUCCESS, ACCENT, NEUTRAL)
# How the QC reasons chart names and colours each status.
QC_STYLE = {"processing_failed": ("Processing failed", WARNING), "qc_failed": ("QC failed", ERROR),
            "needs_review": ("Needs review", NEUTRAL)}
DASHES = ("solid", "dashed", "dotted")
LABEL_CHARS = 60


def _failed() -> JobQuery:
    return JobQuery(statuses=["failed"])


def _scope(query: JobQuery | None, default: JobQuery | None = None) -> JobQuery:
    if query is None:
        return default or JobQuery()
    if not isinstance(query, JobQuery):
        raise ValidationError(f"query: expected a JobQuery, not {type(query).__name__}", "query")
    return query


def _count(field: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationError(f"{field}: {value!r} is not a whole number from {low} to {high}",
                              field)
    return value


# -- error signatures -----------------------------------------------------------------------

def signature_of(service: JobService, message: str | None) -> str:
    """The signature of one error message, e.g. ``Generation timed out after <n>s``."""
    return analytics.signature_of(service.store, message)


def error_signatures(service: JobService, query: JobQuery | None = None, *, limit: int = 50,
                     examples: int = 3) -> pd.DataFrame:
    """Jobs grouped by the signature of their error message, most frequent first.

    ``query`` sets the scope (default: every failed job). Columns: signature, jobs, share,
    first_seen, last_seen, steps, configurations (``name vN``), configuration_ids,
    example_ids (the ``examples`` most recent), example_message (the latest as written).
    Turn a row into the jobs behind it with :func:`signature_query`."""
    return analytics.error_signatures(
        service.store, _scope(query, _failed()), limit=_count("limit", limit, 1, 10_000),
        examples=_count("examples", examples, 1, 100))


def signature_query(signature: str, base: JobQuery | None = None) -> JobQuery:
    """The jobs of one signature within ``base`` (default: failed jobs), from page 1.

    ``service.bulk_rerun(signature_query(sig))`` reruns everything that failed that way."""
    if not isinstance(signature, str) or not signature.strip():
        raise ValidationError("error_signature: give a signature from error_signatures()",
                              "error_signature")
    return _scope(base, _failed()).copy(error_signature=signature, page=1)


def signature_daily_counts(service: JobService, signatures: list[str] | None = None, *,
                           days: int = 30, end: dt.date | None = None, top: int = 10,
                           query: JobQuery | None = None) -> pd.DataFrame:
    """Jobs per signature per day over the ``days`` days up to ``end`` (default today, UTC),
    zeros included: one sparkline per signature.

    ``signatures`` keeps their order; without them, the ``top`` most frequent signatures of
    the scope (default: failed jobs) in the order of :func:`error_signatures`. Columns:
    signature, day, jobs."""
    days = _count("days", days, 1, 366)
    if signatures is not None:
        if isinstance(signatures, str) or not all(isinstance(s, str) for s in signatures):
            raise ValidationError("signatures: give a list of signatures", "signatures")
        signatures = list(dict.fromkeys(signatures))
    last = pd.Timestamp(end or utcnow()).date()
    return analytics.signature_daily_counts(
        service.store, _scope(query, _failed()), signatures=signatures,
        top=_count("top", top, 1, 1000), first_day=last - dt.timedelta(days=days - 1),
        last_day=last)


# -- rates over time ------------------------------------------------------------------------

def failure_rate(service: JobService, bucket: str = "day", by: str | None = None,
                 query: JobQuery | None = None) -> pd.DataFrame:
    """Failed share of finished jobs per hour, day or week of run time.

    ``by``: None, ``"configuration"`` (all versions of a name; with configuration_ids),
    ``"version"`` (one row per configuration id) or ``"step"`` (error_step of the failed
    jobs). Columns: bucket, group columns, jobs, failed, failure_rate."""
    return analytics.failure_rate(service.store, _scope(query), bucket=bucket, by=by)


def qc_rejection_rate(service: JobService, bucket: str = "day", by: str | None = None,
                      query: JobQuery | None = None) -> pd.DataFrame:
    """Rejected share (qc_failed + processing_failed) of judged images per hour, day or week
    of image creation, for the images of the jobs in scope.

    ``by``: None, ``"configuration"``, ``"version"`` or ``"stage"`` (the failing processing
    stage, or ``qc_verdict``). Columns: bucket, group columns, images, the count per QC
    status and rejection_rate; by stage: bucket, stage, rejected, images, rejection_rate."""
    return analytics.qc_rejection_rate(service.store, _scope(query), bucket=bucket, by=by)


def bucket_query(start: Any, bucket: str = "day", base: JobQuery | None = None) -> JobQuery:
    """The jobs run in the day or ISO week (Monday to Sunday) holding ``start``, within
    ``base`` (default: failed jobs), from page 1.

    JobQuery filters whole days, so an ``"hour"`` bucket is refused rather than widened."""
    analytics.check_bucket(bucket)
    if bucket == "hour":
        raise ValidationError("bucket: JobQuery filters whole days, so an hour cannot be "
                              "selected exactly; use the day or week bucket", "bucket")
    try:
        stamp = pd.Timestamp(start) if isinstance(start, str | dt.date | np.datetime64) else None
    except (TypeError, ValueError):
        stamp = None
    if stamp is None or pd.isna(stamp):
        raise ValidationError(f"start: {start!r} is not a date or time", "start")
    day = stamp.date()
    first = day - dt.timedelta(days=day.weekday()) if bucket == "week" else day
    last = first + dt.timedelta(days=6 if bucket == "week" else 0)
    base = _scope(base, _failed())
    return base.copy(date_from=max(first, base.date_from or first),
                     date_to=min(last, base.date_to or last), page=1)


# -- durations and QC reasons ---------------------------------------------------------------

def duration_percentiles(service: JobService, by: str | None = "configuration",
                         query: JobQuery | None = None) -> pd.DataFrame:
    """p50 / p90 / p99 and max run time (seconds) per status and configuration (``by``:
    ``"configuration"``, ``"version"`` or None). Running jobs count their time so far.

    Columns: group columns (as in :func:`failure_rate`), status, jobs, p50_s, p90_s, p99_s,
    max_s."""
    return analytics.duration_percentiles(service.store, _scope(query), by=by, now=utcnow())


def qc_reasons(service: JobService, query: JobQuery | None = None) -> pd.DataFrame:
    """Lost and held images by cause: ``technical`` failures by processing stage, then
    ``qc_verdict`` (qc_failed, needs_review) by the signature of the QC reason.

    Columns: kind, qc_status, reason, images, jobs, share (of all images in scope), example.
    ``query.copy(image_qc=row.qc_status)`` lists the jobs having such images."""
    return analytics.qc_reasons(service.store, _scope(query))


# -- figures --------------------------------------------------------------------------------

def _styled(fig: figure) -> figure:
    """Design tokens on a figure: system font, white surface, quiet gray axes and grid."""
    fig.background_fill_color = fig.border_fill_color = COLORS["surface"]
    fig.outline_line_color = None
    fig.title.text_font = FONT
    fig.title.text_font_size = "16px"
    fig.title.text_font_style = "normal"
    fig.title.text_color = COLORS["text"]
    for axis in (*fig.xaxis, *fig.yaxis):
        axis.major_label_text_font = axis.axis_label_text_font = FONT
        axis.major_label_text_font_size = "12px"
        axis.major_label_text_color = axis.axis_line_color = NEUTRAL
        axis.major_tick_line_color = NEUTRAL
        axis.minor_tick_line_color = None
    fig.grid.grid_line_color = COLORS["border"]
    fig.toolbar.logo = None
    if fig.legend:
        fig.legend.label_text_font = FONT
        fig.legend.label_text_font_size = "12px"
        fig.legend.border_line_color = None
        fig.legend.click_policy = "hide"
    return fig


def _short(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def _series_label(row: pd.Series, group: str | None) -> str:
    if group is None:
        return "all"
    if group == "version":
        return f"{row['configuration']} v{row['version']}" if pd.notna(row["version"]) \
            else str(row["configuration"])
    return str(row[group])


def failure_trend_figure(df: pd.DataFrame, title: str | None = None, height: int = 280) -> figure:
    """A line per group of a :func:`failure_rate` or :func:`qc_rejection_rate` table: the rate
    (percent) over time buckets, with the counts in the hover."""
    rate = "failure_rate" if "failure_rate" in df else "rejection_rate"
    if rate not in df or "bucket" not in df:
        raise ValidationError("df: expected a table from failure_rate() or qc_rejection_rate()",
                              "df")
    group = next((g for g in ("step", "stage", "version", "configuration") if g in df), None)
    count = "failed" if rate == "failure_rate" else ("rejected" if "rejected" in df
                                                     else "qc_failed")
    total = "jobs" if rate == "failure_rate" else "images"
    fig = figure(title=title or ("Failure rate" if rate == "failure_rate" else "QC rejection rate"),
                 x_axis_type="datetime", height=height, sizing_mode="stretch_width",
                 tools="pan,wheel_zoom,box_zoom,reset,save")
    labels = df.apply(_series_label, axis=1, group=group) if len(df) else pd.Series(dtype=str)
    for i, label in enumerate(dict.fromkeys(labels)):
        part = df[labels == label]
        source = ColumnDataSource({"bucket": part["bucket"], "rate": part[rate],
                                   "count": part[count], "total": part[total],
                                   "series": [label] * len(part)})
        # Past six series the colours come round again with another dash pattern.
        color = PALETTE[i % len(PALETTE)] if group else ERROR
        dash = DASHES[i // len(PALETTE) % len(DASHES)]
        legend = {"legend_label": _short(label)} if group else {}
        fig.line("bucket", "rate", source=source, color=color, line_width=2, line_dash=dash,
                 **legend)
        fig.scatter("bucket", "rate", source=source, color=color, size=6)
    if group:
        fig.add_layout(fig.legend[0], "right")  # beside the plot, never over the lines
    fig.yaxis.formatter = NumeralTickFormatter(format="0%")
    fig.add_tools(HoverTool(tooltips=[("", "@series"), ("bucket", "@bucket{%F %H:%M}"),
                                      ("rate", "@rate{0.0%}"), (count, "@count"),
                                      (total, "@total")],
                            formatters={"@bucket": "datetime"}))
    return _styled(fig)


def signature_trend_figure(df: pd.DataFrame, title: str | None = None,
                           height: int | None = None) -> figure:
    """A line per signature of a :func:`signature_daily_counts` table: failed jobs per day,
    the legend below the plot (signatures are long)."""
    if not {"signature", "day", "jobs"} <= set(df.columns):
        raise ValidationError("df: expected a table from signature_daily_counts()", "df")
    series = list(dict.fromkeys(df["signature"]))
    fig = figure(title=title or "Failed jobs per day, by error signature", x_axis_type="datetime",
                 height=height or 240 + 24 * len(series), sizing_mode="stretch_width",
                 tools="pan,wheel_zoom,box_zoom,reset,save")
    for i, signature in enumerate(series):
        part = df[df["signature"] == signature]
        source = ColumnDataSource({"day": pd.to_datetime(part["day"]), "jobs": part["jobs"],
                                   "signature": [signature] * len(part)})
        fig.line("day", "jobs", source=source, color=PALETTE[i % len(PALETTE)], line_width=2,
                 line_dash=DASHES[i // len(PALETTE) % len(DASHES)],
                 legend_label=_short(signature))
    if series:
        fig.add_layout(fig.legend[0], "below")
    fig.y_range.start = 0
    fig.yaxis.ticker.min_interval = 1  # whole jobs
    fig.add_tools(HoverTool(tooltips=[("", "@signature"), ("day", "@day{%F}"),
                                      ("jobs", "@jobs")], formatters={"@day": "datetime"}))
    return _styled(fig)


def _hbar_figure(labels: list[str], values: list[float], colors: list[str], hover: dict,
                 title: str, x_label: str, height: int | None) -> figure:
    """Horizontal bars, largest on top (shared by the signature and QC reason charts)."""
    seen: dict[str, int] = {}
    unique = []
    for label in labels:  # shortened labels may clash: number the repeats
        seen[label] = seen.get(label, 0) + 1
        unique.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    source = ColumnDataSource({"label": unique, "value": values, "color": colors, **hover})
    fig = figure(title=title, y_range=FactorRange(*unique[::-1]), sizing_mode="stretch_width",
                 height=height or max(160, 40 + 28 * len(unique)), tools="save",
                 x_axis_label=x_label)
    fig.hbar(y="label", right="value", height=0.7, color="color", source=source)
    fig.add_tools(HoverTool(tooltips=[(k, f"@{{{k}}}") for k in hover]))
    fig.x_range.start = 0
    fig.ygrid.grid_line_color = None
    return _styled(fig)


def signature_bar_figure(df: pd.DataFrame, top: int = 10, height: int | None = None) -> figure:
    """Bars of jobs per signature for the ``top`` rows of :func:`error_signatures`."""
    if "signature" not in df or "jobs" not in df:
        raise ValidationError("df: expected a table from error_signatures()", "df")
    part = df.head(_count("top", top, 1, 100))
    labels = [_short(s) for s in part["signature"]]
    return _hbar_figure(
        labels, part["jobs"].tolist(), [ERROR] * len(part),
        {"signature": part["signature"].tolist(), "jobs": part["jobs"].tolist(),
         "last_seen": part["last_seen"].astype(str).tolist()},
        "Failures by error signature", "jobs", height)


def qc_reasons_figure(df: pd.DataFrame, top: int = 15, height: int | None = None) -> figure:
    """Bars of images per cause from :func:`qc_reasons`, coloured by QC status
    (processing failed amber, QC failed red, needs review gray)."""
    if "reason" not in df or "qc_status" not in df:
        raise ValidationError("df: expected a table from qc_reasons()", "df")
    part = df.sort_values("images", ascending=False, kind="stable").head(_count("top", top, 1, 100))
    labels = [_short(f"{QC_STYLE[s][0]}: {r}") for s, r in zip(part["qc_status"], part["reason"])]
    return _hbar_figure(
        labels, part["images"].tolist(), [QC_STYLE[s][1] for s in part["qc_status"]],
        {"reason": part["reason"].tolist(), "qc_status": part["qc_status"].tolist(),
         "images": part["images"].tolist(), "jobs": part["jobs"].tolist()},
        "Lost and held images by cause", "images", height)
